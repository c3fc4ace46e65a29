#!/usr/bin/env bash
# Kotlin/JVM: builds the debug cdylib, generates the Kotlin bindings, puts
# the library in the jar as a JNA resource, and runs the JUnit tests with
# Maven (Surefire's summary is printed; Maven Central is reached the first
# time). Needs a JDK (17+) and Maven; installs them with apt when missing.
set -euo pipefail
cd "$(dirname "$0")/../.."
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$PWD/target}"

if ! command -v mvn >/dev/null || ! command -v javac >/dev/null; then
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq maven openjdk-17-jdk-headless >/dev/null
fi

start=$(date +%s)
# Surefire fails on no tests (failIfNoTests); at least one per vector case.
python3 scripts/test-counts.py surefire kotlin \
  --vectors headers.json:build,parse credentials.json:cases authenticate.json:cases -- \
  bash bindings/kotlin/build.sh
echo "kotlin: $(( $(date +%s) - start ))s"
