#!/usr/bin/env bash
# Kotlin/JVM: runs the JUnit suite against the jar scripts/dist.sh built
# (step 25), on a plain classpath in a fresh folder with no Rust toolchain
# on PATH: the jar (its JNA resources hold the library for linux-x86-64 and
# linux-aarch64), its runtime dependencies, the compiled tests and the JUnit
# console launcher from Maven Central; no library path. The tests include
# the README's examples (compiled by dist.sh, each run in a JVM of its own
# on the same jar and dependencies). The linux-aarch64
# library is checked for format only, in scripts/dist.sh: this machine
# cannot run it. `bindings/kotlin/build.sh` still builds and tests from the
# sources with Maven. Needs a JDK (17+) and Maven; installs them with apt
# when missing.
set -euo pipefail
cd "$(dirname "$0")/../.."
root="$PWD"
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$PWD/target}"
source scripts/lib/dist-dir.sh
jar=$(ls "$dist"/redis-cloud-auth-*.jar)
kotlin="$root/bindings/kotlin"
if [ ! -d "$kotlin/target/test-classes/io" ]; then
  echo "no compiled tests in $kotlin/target/test-classes: scripts/dist.sh compiles them" >&2
  exit 1
fi

if ! command -v mvn >/dev/null || ! command -v javac >/dev/null; then
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq maven openjdk-17-jdk-headless >/dev/null
fi

# The emulator the client tests run against, built while cargo is at hand.
cargo build --quiet -p rcauth
export RCAUTH_BIN="$CARGO_TARGET_DIR/debug/rcauth"
source scripts/lib/without-rust.sh

fresh="$CARGO_TARGET_DIR/kotlin-tests"
rm -rf "$fresh"
mkdir -p "$fresh/lib"
cp "$jar" "$fresh/lib/"
cp -r "$kotlin/target/test-classes" "$fresh/test-classes"
# The dependencies (runtime and test scope) and the console launcher, from
# Maven Central; the project's own classes come from the jar only.
junit=$(sed -n 's:.*<junit.version>\(.*\)</junit.version>.*:\1:p' "$kotlin/pom.xml")
(cd "$kotlin" && mvn -B -q --no-transfer-progress -Dstyle.color=never \
  dependency:build-classpath -Dmdep.includeScope=test -Dmdep.outputFile="$fresh/classpath.txt" \
  dependency:copy -Dartifact="org.junit.platform:junit-platform-console-standalone:$junit" \
  -DoutputDirectory="$fresh/lib")

cd "$fresh"
# The launcher carries JUnit itself: a second copy would register each
# engine twice.
deps=$(tr ':' '\n' <classpath.txt | grep -v '/org/junit/' | paste -sd: -)
listing=$(unzip -l "lib/$(basename "$jar")")
grep -q ' linux-x86-64/libredis_cloud_auth_ffi.so$' <<<"$listing"
# Fails on no tests; at least one per vector case.
python3 "$root/scripts/test-counts.py" junit kotlin \
  --vectors headers.json:build,parse credentials.json:cases authenticate.json:cases -- \
  env -u LD_LIBRARY_PATH java -Drcauth.repoRoot="$root" \
  -jar "lib/junit-platform-console-standalone-$junit.jar" execute \
  --disable-banner --details=summary --fail-if-no-tests \
  --class-path "lib/$(basename "$jar"):$deps:test-classes" \
  --scan-class-path test-classes
