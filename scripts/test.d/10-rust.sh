#!/usr/bin/env bash
# Rust: formatting, lints, and every crate's tests (unit, integration, doc).
# The tests that need a Redis are #[ignore]d here (listed as ignored, never
# passed) and run in step 70.
set -euo pipefail
cd "$(dirname "$0")/../.."
rustup component add rustfmt clippy >/dev/null 2>&1 || true
cargo fmt --all -- --check
cargo clippy --workspace --all-targets --all-features -- -D warnings
# The build a contributor gets first: every test target of the core with
# its default features, and with each feature alone.
cargo test -p redis-cloud-auth --no-run
for feature in tower redis; do
  cargo test -p redis-cloud-auth --no-run --features "$feature"
done
python3 scripts/test-counts.py cargo rust -- cargo test --workspace --all-features
