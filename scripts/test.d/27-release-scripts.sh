#!/usr/bin/env bash
# Android and Apple release scripts (scripts/release/): they need the Android
# NDK, and macOS with Xcode, which this machine cannot have, so they are not
# run here. What is checked: both scripts parse (bash -n), the Rust targets
# they build for install (but the iOS simulator ones), the AAR script's 16 KB alignment check rejects a
# library linked with 4 KB pages and accepts one linked with 16 KB pages,
# and the Apple script's archive-member parsing names the crates right.
set -euo pipefail
cd "$(dirname "$0")/../.."
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$PWD/target}"

for script in scripts/release/*.sh; do
  bash -n "$script"
  echo "$script parses"
done

# The iOS simulator targets (aarch64-apple-ios-sim, x86_64-apple-ios) have
# no standard library this machine can download; the others install.
targets=(aarch64-linux-android armv7-linux-androideabi x86_64-linux-android i686-linux-android
  aarch64-apple-ios aarch64-apple-darwin x86_64-apple-darwin)
for target in "${targets[@]}"; do
  RUST_BACKTRACE=0 rustup target add "$target" >/dev/null 2>&1 || true
done
installed=$(rustup target list --installed)
for target in "${targets[@]}"; do
  grep -qx "$target" <<<"$installed" || { echo "rustup did not install $target" >&2; exit 1; }
done
echo "the release scripts' Rust targets install"

# The alignment check, on two small libraries linked here.
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
echo 'int answer(void) { return 42; }' >"$work/answer.c"
gcc -shared -fPIC -Wl,-z,max-page-size=4096 -o "$work/page4k.so" "$work/answer.c"
gcc -shared -fPIC -Wl,-z,max-page-size=16384 -o "$work/page16k.so" "$work/answer.c"
if bash scripts/release/android-aar.sh --check-alignment "$work/page4k.so" 2>/dev/null; then
  echo "android-aar.sh accepted a library with 4 KB alignment" >&2
  exit 1
fi
bash scripts/release/android-aar.sh --check-alignment "$work/page16k.so"
echo "android-aar.sh's 16 KB alignment check rejects 4 KB pages and accepts 16 KB pages"

# The crate of an archive member, as apple-xcframework.sh groups them.
eval "$(sed -n '/^crate_of() {/,/^}/p' scripts/release/apple-xcframework.sh)"
[ "$(crate_of 'libsqlite3_sys-0123456789abcdef.libsqlite3_sys.1a2b3c-cgu.0.rcgu.o')" = libsqlite3_sys ]
[ "$(crate_of 'sqlite3.o')" = sqlite3.o ]
[ "$(crate_of 'a-b.o')" = a-b.o ]
echo "apple-xcframework.sh groups archive members by crate"
echo "not run here: scripts/release/android-aar.sh (needs the Android NDK), scripts/release/apple-xcframework.sh (needs macOS and Xcode)"
