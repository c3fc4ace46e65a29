# Sourced by the test steps that install the built packages: takes every
# directory holding cargo, rustc or rustup off PATH, so an install or a test
# that tried to build from source would fail instead of passing unnoticed.
rust_free_path=""
IFS=: read -r -a path_dirs <<<"$PATH"
for dir in "${path_dirs[@]}"; do
  if [ -e "$dir/cargo" ] || [ -e "$dir/rustc" ] || [ -e "$dir/rustup" ]; then continue; fi
  rust_free_path="${rust_free_path:+$rust_free_path:}$dir"
done
export PATH="$rust_free_path"
unset rust_free_path path_dirs dir CARGO RUSTC RUSTUP_TOOLCHAIN
if command -v cargo >/dev/null 2>&1 || command -v rustc >/dev/null 2>&1; then
  echo "without-rust: cargo or rustc is still on PATH" >&2
  exit 1
fi
