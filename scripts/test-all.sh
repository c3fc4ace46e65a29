#!/usr/bin/env bash
# Runs every test suite of the project, installing what it needs first.
# Each step is a script in scripts/test.d/, run in name order; a step that
# fails stops the run. Set ONLY=NN to run a single step (e.g. ONLY=10).
set -euo pipefail
cd "$(dirname "$0")/.."
export CARGO_TERM_COLOR="${CARGO_TERM_COLOR:-never}"
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$PWD/target}"

failed=0
passed=0
for step in scripts/test.d/*.sh; do
  name=$(basename "$step" .sh)
  if [ -n "${ONLY:-}" ] && [[ "$name" != "$ONLY"* ]]; then continue; fi
  echo "=== $name"
  start=$(date +%s)
  if bash "$step"; then
    passed=$((passed + 1))
    echo "=== $name: ok ($(( $(date +%s) - start ))s)"
  else
    failed=$((failed + 1))
    echo "=== $name: FAILED ($(( $(date +%s) - start ))s)"
    break
  fi
done
echo "test-all: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
