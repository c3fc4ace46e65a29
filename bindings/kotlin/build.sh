#!/usr/bin/env bash
# Builds the Kotlin/JVM package from the Rust sources and tests it:
#   1. builds the cdylib (bindings/ffi) in the dev profile (PROFILE=release
#      for a release library),
#   2. generates the Kotlin bindings with the workspace's uniffi-bindgen into
#      target/generated-sources/uniffi (generated code is never committed),
#   3. copies the library under JNA's resource prefix (linux-x86-64/ ...) so
#      the jar carries it and users set no library path,
#   4. runs Maven (`mvn -B package` by default: compile, JUnit tests, jar);
#      other goals can be given as arguments (`./build.sh test`).
# Maven downloads its plugins and dependencies from Maven Central the first
# time. The client tests run the `rcauth serve` built here.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../.." && pwd)"
cd "$root"
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$root/target}"

profile="${PROFILE:-debug}"
cargo_profile=(); [ "$profile" = release ] && cargo_profile=(--release)

case "$(uname -s)" in
  Linux) os=linux; lib_file=libredis_cloud_auth_ffi.so ;;
  Darwin) os=darwin; lib_file=libredis_cloud_auth_ffi.dylib ;;
  *) echo "build.sh: unsupported OS $(uname -s)" >&2; exit 2 ;;
esac
case "$(uname -m)" in
  x86_64 | amd64) arch=x86-64 ;;
  aarch64 | arm64) arch=aarch64 ;;
  *) echo "build.sh: unsupported CPU $(uname -m)" >&2; exit 2 ;;
esac
jna_prefix="$os-$arch"

# Two builds, not one: each the same configuration the Python step builds,
# so a full test run compiles the shared crates once.
cargo build --quiet "${cargo_profile[@]}" -p redis-cloud-auth-ffi
cargo build --quiet "${cargo_profile[@]}" -p rcauth
lib="$CARGO_TARGET_DIR/$profile/$lib_file"

generated="$here/target/generated-sources/uniffi"
rm -rf "$generated"
cargo run --quiet --bin uniffi-bindgen -- generate --no-format \
  --library "$lib" --language kotlin --out-dir "$generated"

native="$here/target/native"
rm -rf "$native"
mkdir -p "$native/$jna_prefix"
cp "$lib" "$native/$jna_prefix/"

export RCAUTH_BIN="$CARGO_TARGET_DIR/$profile/rcauth"
cd "$here"
goals=("$@"); [ ${#goals[@]} -eq 0 ] && goals=(package)
mvn -B --no-transfer-progress -Dstyle.color=never "${goals[@]}"

if [[ " ${goals[*]} " == *" package "* ]]; then
  jar="$here/target/redis-cloud-auth-0.1.0.jar"
  if ! jar tf "$jar" | grep -qx "$jna_prefix/$lib_file"; then
    echo "build.sh: $jar lacks $jna_prefix/$lib_file" >&2
    exit 1
  fi
  # The jar as a user gets it: a program in another folder, with only the
  # jar and its runtime dependencies on the classpath, no library path.
  smoke="$(mktemp -d)"
  trap 'rm -rf "$smoke"' EXIT
  cat >"$smoke/Smoke.java" <<'JAVA'
import io.rediscloudauth.ApiKeys;
import io.rediscloudauth.Redis_cloud_auth_ffiKt;

public class Smoke {
    public static void main(String[] args) {
        ApiKeys keys = new ApiKeys("AccountKey0123", "UserKey0123456");
        String text = keys.toString();
        if (text.contains("UserKey0123456") || !text.contains(keys.fingerprint())) {
            throw new AssertionError("unexpected text form: " + text);
        }
        System.out.println(Redis_cloud_auth_ffiKt.accountKeyHeader() + " " + keys.fingerprint());
    }
}
JAVA
  (cd "$smoke" && env -u LD_LIBRARY_PATH java -cp "$jar:$(cat "$here/target/runtime-classpath.txt")" Smoke.java >"$smoke/out")
  grep -q '^x-api-key sha256:' "$smoke/out" || { cat "$smoke/out"; echo "build.sh: the jar alone did not work" >&2; exit 1; }
  echo "jar: $jar carries $jna_prefix/$lib_file and works alone ($(cat "$smoke/out"))"
fi
