#!/usr/bin/env bash
# Hardening: a 5-second run of the load driver against a real `rcauth serve`
# (mixed traffic on loopback: every status checked, zero 5xx, the system
# log counted per account), and the committed fuzz inputs replayed on
# stable. The leak suites, the crash-safety and revocation-storm tests run
# in step 10 with the rest of the Rust tests. Fuzzing itself needs nightly
# and cargo-fuzz and tens of minutes to build here, so it is not part of
# this step: see README "Fuzzing" and docs/reliability.md.
set -euo pipefail
cd "$(dirname "$0")/../.."
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$PWD/target}"

cargo build --quiet -p rcauth --bin rcauth -p rcauth-hardening --bin rcauth-load
cargo test --quiet -p rcauth-hardening --test fuzz_corpus --test invariants
"$CARGO_TARGET_DIR/debug/rcauth-load" --rcauth "$CARGO_TARGET_DIR/debug/rcauth" \
  --seconds "${LOAD_SECONDS:-5}" --max-requests 200000 --connections 4
