#!/usr/bin/env bash
# Builds build/RedisCloudAuthFFI.xcframework for Package.swift on Apple
# platforms: the static library (release) for iOS devices, the iOS simulator
# (arm64 + x86_64) and macOS (arm64 + x86_64), each with the generated C
# header and module map. Needs macOS with Xcode and rustup.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/.." && pwd)"
cd "$root"
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$root/target}"

if [ "$(uname -s)" != Darwin ]; then
  echo "build-xcframework.sh: needs macOS and Xcode (xcodebuild, lipo)" >&2
  exit 2
fi

targets=(aarch64-apple-ios aarch64-apple-ios-sim x86_64-apple-ios aarch64-apple-darwin x86_64-apple-darwin)
rustup target add "${targets[@]}"
for target in "${targets[@]}"; do
  cargo build --release --target "$target" -p redis-cloud-auth-ffi
done
lib=libredis_cloud_auth_ffi.a
out="$here/build"
rm -rf "$out"
mkdir -p "$out/ios-simulator" "$out/macos" "$out/headers"

lipo -create -output "$out/ios-simulator/$lib" \
  "$CARGO_TARGET_DIR/aarch64-apple-ios-sim/release/$lib" "$CARGO_TARGET_DIR/x86_64-apple-ios/release/$lib"
lipo -create -output "$out/macos/$lib" \
  "$CARGO_TARGET_DIR/aarch64-apple-darwin/release/$lib" "$CARGO_TARGET_DIR/x86_64-apple-darwin/release/$lib"

# The header and module map come from the same generator as the checked-in
# Swift sources (swift/check.sh keeps those current).
cargo run --bin uniffi-bindgen -- generate --no-format \
  --library "$CARGO_TARGET_DIR/aarch64-apple-darwin/release/libredis_cloud_auth_ffi.dylib" \
  --language swift --out-dir "$out/generated"
cp "$out/generated/RedisCloudAuthFFI.h" "$out/headers/"
cp "$out/generated/RedisCloudAuthFFI.modulemap" "$out/headers/module.modulemap"
if ! diff -q "$out/generated/RedisCloudAuth.swift" "$here/Sources/RedisCloudAuth/RedisCloudAuth.swift" >/dev/null; then
  echo "build-xcframework.sh: Sources/RedisCloudAuth/RedisCloudAuth.swift is stale: run swift/check.sh --update" >&2
  exit 1
fi

xcodebuild -create-xcframework \
  -library "$CARGO_TARGET_DIR/aarch64-apple-ios/release/$lib" -headers "$out/headers" \
  -library "$out/ios-simulator/$lib" -headers "$out/headers" \
  -library "$out/macos/$lib" -headers "$out/headers" \
  -output "$out/RedisCloudAuthFFI.xcframework"
echo "built $out/RedisCloudAuthFFI.xcframework"
