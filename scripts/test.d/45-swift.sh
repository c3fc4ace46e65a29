#!/usr/bin/env bash
# Swift: without a Swift toolchain, checks the checked-in Swift package
# against the library (swift/check.sh: the generated sources are current,
# the C header parses, every declared function is exported, the Swift
# code's load-time checksums match). Where `swift` is installed, also
# builds the package and runs its XCTest tests against the debug library.
set -euo pipefail
cd "$(dirname "$0")/../.."
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$PWD/target}"

if ! command -v gcc >/dev/null; then
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq gcc binutils >/dev/null
fi

bash swift/check.sh

if command -v swift >/dev/null; then
  cargo build --quiet -p rcauth
  libdir="$CARGO_TARGET_DIR/debug"
  cd swift
  RCAUTH_BIN="$libdir/rcauth" LD_LIBRARY_PATH="$libdir${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}" \
    swift test -Xlinker -L"$libdir"
else
  echo "swift: no Swift toolchain here: the XCTest tests in swift/Tests were not run (see swift/README.md)"
fi
