#!/usr/bin/env bash
# Builds the Android library dist/redis-cloud-auth-android-<version>.aar and
# its pom: the UniFFI library for arm64-v8a, armeabi-v7a, x86_64 and x86
# (cargo-ndk, API 24 and up, ELF segments aligned to 16 KB as Android 15
# requires), the generated Kotlin compiled into classes.jar, and a pom that
# depends on JNA's Android AAR (`net.java.dev.jna:jna:<version>@aar`, which
# carries libjnidispatch for each ABI) instead of the desktop jar.
# Needs the Android NDK (ANDROID_NDK_HOME, r26 or later), cargo-ndk (installed
# here when missing), a JDK and Maven. Not run in the test command: no NDK
# can be had on its machine (scripts/test.d/27-release-scripts.sh checks what
# can be checked there).
set -euo pipefail
cd "$(dirname "$0")/../.."
root="$PWD"
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$root/target}"
dist="${DIST_DIR:-$root/dist}"
version=$(sed -n 's/^version = "\(.*\)"$/\1/p' Cargo.toml | head -1)
api="${ANDROID_API:-24}"
abis=(arm64-v8a armeabi-v7a x86_64 x86)
rust_targets=(aarch64-linux-android armv7-linux-androideabi x86_64-linux-android i686-linux-android)
lib=libredis_cloud_auth_ffi.so
kotlin="$root/bindings/kotlin"
jna=$(sed -n 's:.*<jna.version>\(.*\)</jna.version>.*:\1:p' "$kotlin/pom.xml")
coroutines=$(sed -n 's:.*<coroutines.version>\(.*\)</coroutines.version>.*:\1:p' "$kotlin/pom.xml")
kotlin_version=$(sed -n 's:.*<kotlin.version>\(.*\)</kotlin.version>.*:\1:p' "$kotlin/pom.xml")

# The one check that runs without an NDK too: every loadable segment of an
# ELF library aligned to at least 16 KB.
aligned_16k() { # library
  local align bad=""
  while read -r align; do
    [ $((align)) -ge 16384 ] || bad="$bad $align"
  done < <(readelf -lW "$1" | awk '$1 == "LOAD" { print $NF }')
  if [ -n "$bad" ]; then
    echo "android-aar.sh: $1 has LOAD segments aligned to $bad, below 16 KB" >&2
    return 1
  fi
}
if [ "${1:-}" = --check-alignment ]; then
  aligned_16k "$2"
  exit
fi

if [ -z "${ANDROID_NDK_HOME:-}" ] || [ ! -d "$ANDROID_NDK_HOME" ]; then
  echo "android-aar.sh: set ANDROID_NDK_HOME to an Android NDK (r26 or later)" >&2
  exit 2
fi
command -v cargo-ndk >/dev/null || cargo install --locked cargo-ndk
rustup target add "${rust_targets[@]}"

work="$CARGO_TARGET_DIR/android-aar"
rm -rf "$work"
mkdir -p "$work/aar/jni" "$dist"

# 16 KB pages: the linker flag every ABI needs (the NDK r27 default for
# 64-bit only).
ndk_targets=()
for abi in "${abis[@]}"; do ndk_targets+=(-t "$abi"); done
RUSTFLAGS="${RUSTFLAGS:-} -C link-arg=-Wl,-z,max-page-size=16384" \
  cargo ndk "${ndk_targets[@]}" --platform "$api" -o "$work/aar/jni" \
  build --profile dist -p redis-cloud-auth-ffi
for abi in "${abis[@]}"; do
  so="$work/aar/jni/$abi/$lib"
  [ -f "$so" ] || { echo "android-aar.sh: cargo ndk wrote no $so" >&2; exit 1; }
  # No debug info; the symbol table stays for the bindgen below.
  "$ANDROID_NDK_HOME"/toolchains/llvm/prebuilt/*/bin/llvm-objcopy --strip-debug "$so"
  aligned_16k "$so"
done

# The Kotlin generated from the arm64 library (the generated code is the same
# for every target), compiled by the JVM project's Maven build with no native
# resources: on Android JNA loads the library from the app's jniLibs.
generated="$kotlin/target/generated-sources/uniffi"
rm -rf "$generated"
cargo run --quiet --bin uniffi-bindgen -- generate --no-format \
  --library "$work/aar/jni/arm64-v8a/$lib" --language kotlin --out-dir "$generated"
mkdir -p "$work/no-natives"
(cd "$kotlin" && mvn -B -q --no-transfer-progress -Dmaven.test.skip=true \
  -Dnative.resources="$work/no-natives" package)
cp "$kotlin/target/redis-cloud-auth-$version.jar" "$work/aar/classes.jar"

cat >"$work/aar/AndroidManifest.xml" <<XML
<?xml version="1.0" encoding="utf-8"?>
<manifest xmlns:android="http://schemas.android.com/apk/res/android" package="io.rediscloudauth">
  <uses-sdk android:minSdkVersion="$api" />
</manifest>
XML
: >"$work/aar/R.txt"
# The jar's shrinker rules (JNA and the error getters work by reflection).
cp "$kotlin/src/main/resources/META-INF/proguard/redis-cloud-auth.pro" "$work/aar/proguard.txt"
aar="$dist/redis-cloud-auth-android-$version.aar"
rm -f "$aar"
(cd "$work/aar" && zip -q -r -X "$aar" AndroidManifest.xml classes.jar R.txt proguard.txt jni)

cat >"$dist/redis-cloud-auth-android-$version.pom" <<XML
<?xml version="1.0" encoding="UTF-8"?>
<project xmlns="http://maven.apache.org/POM/4.0.0">
  <modelVersion>4.0.0</modelVersion>
  <groupId>io.rediscloudauth</groupId>
  <artifactId>redis-cloud-auth-android</artifactId>
  <version>$version</version>
  <packaging>aar</packaging>
  <name>redis-cloud-auth for Android</name>
  <licenses><license><name>MIT OR Apache-2.0</name></license></licenses>
  <dependencies>
    <dependency>
      <groupId>net.java.dev.jna</groupId>
      <artifactId>jna</artifactId>
      <version>$jna</version>
      <type>aar</type>
    </dependency>
    <dependency>
      <groupId>org.jetbrains.kotlinx</groupId>
      <artifactId>kotlinx-coroutines-core</artifactId>
      <version>$coroutines</version>
    </dependency>
    <dependency>
      <groupId>org.jetbrains.kotlin</groupId>
      <artifactId>kotlin-stdlib</artifactId>
      <version>$kotlin_version</version>
    </dependency>
  </dependencies>
</project>
XML
echo "built $aar ($(stat -c %s "$aar") bytes) for ${abis[*]}, API $api+, 16 KB aligned"
