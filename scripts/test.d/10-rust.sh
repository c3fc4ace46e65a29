#!/usr/bin/env bash
# Rust: formatting, lints, and every crate's tests (unit, integration, doc).
set -euo pipefail
rustup component add rustfmt clippy >/dev/null 2>&1 || true
cargo fmt --all -- --check
cargo clippy --workspace --all-targets --all-features -- -D warnings
cargo test --workspace --all-features
