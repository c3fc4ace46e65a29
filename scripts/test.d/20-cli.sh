#!/usr/bin/env bash
# rcauth: the README's main job, built the way the README runs it (release),
# must show every authentication outcome matching the rules (exit 0).
# The CLI's end-to-end tests (real binary, real server) run in step 10.
set -euo pipefail
cd "$(dirname "$0")/../.."
cargo run --release -p rcauth -- demo
