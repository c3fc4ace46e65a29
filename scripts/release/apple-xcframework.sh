#!/usr/bin/env bash
# Builds the Apple release of the Swift package into dist/:
#   - RedisCloudAuthFFI.xcframework.zip: the static UniFFI library for iOS
#     devices (arm64), the iOS simulator (arm64 + x86_64) and macOS (arm64 +
#     x86_64), with the generated C header and module map. The bundled
#     SQLite's symbols are made local to the library, so an app that also
#     links the system libsqlite3 (or another copy) keeps each its own;
#   - swift-package/: a Package.swift whose binary target points at the zip
#     (RELEASE_URL, default the GitHub release of this version) with its
#     checksum, and the Swift sources next to it.
# Needs macOS with Xcode (xcodebuild, lipo, ld, libtool, nm, ar) and rustup.
# Not run in the test command: no Apple SDK can be had on its machine
# (scripts/test.d/27-release-scripts.sh checks what can be checked there).
set -euo pipefail
cd "$(dirname "$0")/../.."
root="$PWD"
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$root/target}"
dist="${DIST_DIR:-$root/dist}"
version=$(sed -n 's/^version = "\(.*\)"$/\1/p' Cargo.toml | head -1)
repository=$(sed -n 's/^repository = "\(.*\)"$/\1/p' Cargo.toml | head -1)
release_url="${RELEASE_URL:-$repository/releases/download/v$version}"
profile=dist
lib=libredis_cloud_auth_ffi.a
name=RedisCloudAuthFFI

if [ "$(uname -s)" != Darwin ] || ! command -v xcodebuild >/dev/null; then
  echo "apple-xcframework.sh: needs macOS with Xcode (xcodebuild, lipo, ld, libtool)" >&2
  exit 2
fi

targets=(aarch64-apple-ios aarch64-apple-ios-sim x86_64-apple-ios aarch64-apple-darwin x86_64-apple-darwin)
rustup target add "${targets[@]}"
export IPHONEOS_DEPLOYMENT_TARGET="${IPHONEOS_DEPLOYMENT_TARGET:-15.0}"
export MACOSX_DEPLOYMENT_TARGET="${MACOSX_DEPLOYMENT_TARGET:-12.0}"
target_args=()
for target in "${targets[@]}"; do target_args+=(--target "$target"); done
cargo build --profile "$profile" "${target_args[@]}" -p redis-cloud-auth-ffi

work="$CARGO_TARGET_DIR/apple-xcframework"
rm -rf "$work"
mkdir -p "$work" "$dist"

# The crate an archive member belongs to: rustc names objects
# `<crate>-<16 hex digits>.<cgu>.rcgu.o`; a C object keeps its own name.
crate_of() {
  local member="$1" rest
  rest="${member#*-}"
  if [ "$rest" != "$member" ] && [[ "$rest" =~ ^[0-9a-f]{16}\. ]]; then
    echo "${member%%-*}"
  else
    echo "$member"
  fi
}

# Makes every `_sqlite3_*` symbol of a static library local to it. `ld -r`
# merges the objects that define or use them into one object, binding the
# references inside it, and `-unexported_symbols_list` turns the definitions
# local; the rest of the archive is left alone so that apps can still dead
# strip it function by function. A crate's objects move together: its
# codegen units share hidden symbols that cannot bind across the merge.
localize_sqlite() { # library
  local library="$1" dir members=() crates member
  dir="$work/localize-$(basename "$(dirname "$(dirname "$library")")")"
  mkdir -p "$dir/objects"
  echo '_sqlite3_*' >"$dir/private_symbols.txt"
  crates=$(nm -A -g "$library" 2>/dev/null | awk '$NF ~ /^_sqlite3_/ { print $1 }' \
    | sed -e "s|^$library:||" -e 's|:.*||' | while read -r m; do crate_of "$m"; done | sort -u)
  while read -r member; do
    if grep -qx "$(crate_of "$member")" <<<"$crates"; then members+=("$member"); fi
  done < <(ar t "$library")
  if [ ${#members[@]} -eq 0 ]; then
    echo "apple-xcframework.sh: no object of $library uses _sqlite3_*" >&2
    exit 1
  fi
  (cd "$dir/objects" && ar x "$library" "${members[@]}")
  cp "$library" "$dir/remainder.a"
  ar d "$dir/remainder.a" "${members[@]}"
  (cd "$dir/objects" && ld -r -unexported_symbols_list "$dir/private_symbols.txt" -o "$dir/merged.o" "${members[@]}")
  libtool -static -no_warning_for_no_symbols -o "$dir/$lib" "$dir/merged.o" "$dir/remainder.a"
  # No global SQLite definition may remain.
  if nm -g -U "$dir/$lib" 2>/dev/null | awk '{ print $NF }' | grep -q '^_sqlite3_'; then
    echo "apple-xcframework.sh: $library still exports _sqlite3_* symbols" >&2
    exit 1
  fi
  echo "$dir/$lib"
}

declare -A localized
for target in "${targets[@]}"; do
  localized[$target]=$(localize_sqlite "$CARGO_TARGET_DIR/$target/$profile/$lib" | tail -1)
done

mkdir -p "$work/ios-simulator" "$work/macos" "$work/headers"
lipo -create -output "$work/ios-simulator/$lib" "${localized[aarch64-apple-ios-sim]}" "${localized[x86_64-apple-ios]}"
lipo -create -output "$work/macos/$lib" "${localized[aarch64-apple-darwin]}" "${localized[x86_64-apple-darwin]}"

# Header, module map and Swift from the workspace's bindgen, the generator
# swift/check.sh holds the checked-in sources to.
cargo run --quiet --bin uniffi-bindgen -- generate --no-format \
  --library "$CARGO_TARGET_DIR/aarch64-apple-darwin/$profile/libredis_cloud_auth_ffi.dylib" \
  --language swift --out-dir "$work/generated"
cp "$work/generated/$name.h" "$work/headers/"
cp "$work/generated/$name.modulemap" "$work/headers/module.modulemap"
if ! diff -q "$work/generated/RedisCloudAuth.swift" swift/Sources/RedisCloudAuth/RedisCloudAuth.swift >/dev/null; then
  echo "apple-xcframework.sh: swift/Sources/RedisCloudAuth/RedisCloudAuth.swift is stale: run swift/check.sh --update" >&2
  exit 1
fi

xcodebuild -create-xcframework \
  -library "${localized[aarch64-apple-ios]}" -headers "$work/headers" \
  -library "$work/ios-simulator/$lib" -headers "$work/headers" \
  -library "$work/macos/$lib" -headers "$work/headers" \
  -output "$work/$name.xcframework"
zip_file="$dist/$name.xcframework.zip"
rm -f "$zip_file"
(cd "$work" && ditto -c -k --sequesterRsrc --keepParent "$name.xcframework" "$zip_file")
checksum=$(swift package compute-checksum "$zip_file" 2>/dev/null || shasum -a 256 "$zip_file" | cut -d' ' -f1)

package="$dist/swift-package"
rm -rf "$package"
mkdir -p "$package/Sources"
cp -R swift/Sources/RedisCloudAuth "$package/Sources/"
cat >"$package/Package.swift" <<SWIFT
// swift-tools-version:5.9
// RedisCloudAuth $version: the Swift package over the prebuilt
// RedisCloudAuthFFI.xcframework (iOS, iOS simulator, macOS).
import PackageDescription

let package = Package(
    name: "RedisCloudAuth",
    platforms: [.macOS(.v12), .iOS(.v15)],
    products: [
        .library(name: "RedisCloudAuth", targets: ["RedisCloudAuth"]),
    ],
    targets: [
        .binaryTarget(
            name: "$name",
            url: "$release_url/$name.xcframework.zip",
            checksum: "$checksum"
        ),
        .target(
            name: "RedisCloudAuth",
            dependencies: ["$name"],
            path: "Sources/RedisCloudAuth",
            linkerSettings: [
                .linkedFramework("Security"),
                .linkedFramework("SystemConfiguration"),
                .linkedFramework("CoreFoundation"),
            ]
        ),
    ]
)
SWIFT
echo "built $zip_file (checksum $checksum) and $package/Package.swift"
