# Sourced by the load benchmarks once $rcauth and $data are set: `admin`
# runs `rcauth admin` on the data dir, and `provision KEY_NAME` creates one
# account, owner and user key as the README does, setting $account, $owner,
# $account_key and $user_key.
admin() { "$rcauth" admin --data "$data" "$@"; }
provision() {
  account=$(admin account create --name bench 2>/dev/null)
  owner=$(admin user add --account "$account" --name Bench --email bench@example.com --role owner 2>/dev/null)
  account_key=$(admin api enable --account "$account" 2>/dev/null)
  user_key=$(admin keys create --account "$account" --owner "$owner" --name "$1" 2>/dev/null)
}
