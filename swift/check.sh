#!/usr/bin/env bash
# Checks the Swift package against the library, without a Swift compiler:
#   1. regenerates the Swift bindings (RedisCloudAuth.swift and the C header
#      RedisCloudAuthFFI.h) with the workspace's uniffi-bindgen and fails if
#      the checked-in copies differ (`--update` writes them instead);
#   2. parses the header with gcc;
#   3. checks that every function the header declares is exported by the
#      built library (nm -D);
#   4. links a C program against the library that makes the calls the Swift
#      code makes when it loads: the contract version and every API checksum
#      must equal the values the checked-in Swift expects;
#   5. holds the public surface of the generated and hand-written sources
#      against tests/api/surface.json (swift/surface.py).
# Linux; uses the dev-profile library in $CARGO_TARGET_DIR (default target/).
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/.." && pwd)"
cd "$root"
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$root/target}"

update=false
case "${1:-}" in
  --update) update=true ;;
  "") ;;
  *) echo "usage: swift/check.sh [--update]" >&2; exit 2 ;;
esac

swift_file="$here/Sources/RedisCloudAuth/RedisCloudAuth.swift"
header="$here/Sources/RedisCloudAuthFFI/RedisCloudAuthFFI.h"

cargo build --quiet -p redis-cloud-auth-ffi
lib="$CARGO_TARGET_DIR/debug/libredis_cloud_auth_ffi.so"

work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
cargo run --quiet --bin uniffi-bindgen -- generate --no-format \
  --library "$lib" --language swift --out-dir "$work/generated"

# 1. The checked-in sources are what the library generates.
stale=0
for pair in "RedisCloudAuth.swift:$swift_file" "RedisCloudAuthFFI.h:$header"; do
  fresh="$work/generated/${pair%%:*}"
  kept="${pair#*:}"
  if $update; then
    cp "$fresh" "$kept"
  elif ! diff -u "$kept" "$fresh" >"$work/diff"; then
    head -40 "$work/diff"
    echo "swift/check.sh: ${kept#"$root"/} is stale: run swift/check.sh --update" >&2
    stale=1
  fi
done
[ "$stale" -eq 0 ] || exit 1
$update && echo "swift: regenerated ${swift_file#"$root"/} and ${header#"$root"/}"

# 2. The header parses as C, included the way a C or Swift user includes it.
printf '#include "%s"\n' "$header" >"$work/include_header.c"
gcc -fsyntax-only -std=c11 -Wall -Wextra -Werror -D_Nullable= -D_Nonnull= -x c "$work/include_header.c"

# 3. Every function it declares is exported by the library. gcc lists the
# prototypes of the translation unit; keep those from the header itself.
gcc -fsyntax-only -D_Nullable= -D_Nonnull= -aux-info "$work/protos.txt" -x c "$work/include_header.c"
grep -F "/* $header:" "$work/protos.txt" \
  | sed -E 's/^\/\*[^*]*\*\/ *//; s/^extern +//; s/ *\(.*$//; s/.*[ *]//' \
  | sort -u >"$work/declared"
nm -D --defined-only "$lib" | awk '{print $3}' | sort -u >"$work/exported"
declared=$(wc -l <"$work/declared")
[ "$declared" -gt 50 ] || { echo "swift/check.sh: found only $declared functions in the header" >&2; exit 1; }
missing=$(comm -23 "$work/declared" "$work/exported")
if [ -n "$missing" ]; then
  echo "swift/check.sh: declared in the header but not exported by the library:" >&2
  echo "$missing" >&2
  exit 1
fi

# 4. The load-time checks of the Swift code, made from C against the library.
contract=$(sed -nE 's/^ *let bindings_contract_version = ([0-9]+)$/\1/p' "$swift_file")
[ -n "$contract" ] || { echo "swift/check.sh: no contract version in the Swift file" >&2; exit 1; }
{
  echo '#include <stdio.h>'
  echo "#include \"$header\""
  echo 'int main(void) {'
  echo '  int bad = 0;'
  echo "  if (ffi_redis_cloud_auth_ffi_uniffi_contract_version() != $contract) { puts(\"contract version\"); bad = 1; }"
  sed -nE 's/^ *if \((uniffi_[a-z0-9_]+_checksum_[a-z0-9_]+)\(\) != ([0-9]+)\) \{$/  if (\1() != \2) { puts("\1"); bad = 1; }/p' "$swift_file"
  echo '  return bad;'
  echo '}'
} >"$work/load_checks.c"
checksums=$(grep -c '_checksum_' "$work/load_checks.c")
gcc -std=c11 -D_Nullable= -D_Nonnull= -o "$work/load_checks" "$work/load_checks.c" \
  -L"$(dirname "$lib")" -lredis_cloud_auth_ffi
if ! LD_LIBRARY_PATH="$(dirname "$lib")" "$work/load_checks"; then
  echo "swift/check.sh: the library does not match the Swift bindings (above)" >&2
  exit 1
fi
echo "swift: sources current; header parses; $declared declared functions all exported; contract $contract and $checksums checksums match"

# 5. The public surface is the one docs/api.md specifies.
python3 "$here/surface.py" "$here"/Sources/RedisCloudAuth/*.swift
echo "swift: 5 passed, 0 failed"
