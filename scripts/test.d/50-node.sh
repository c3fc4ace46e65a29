#!/usr/bin/env bash
# Node.js: the npm package's tools from package-lock.json, the addon built
# the way users build it (napi build, debug), node --test (vectors, stores,
# verifier on SQLite, client against rcauth serve), and the TypeScript
# types checked with tsc on a typed example.
set -euo pipefail
cd "$(dirname "$0")/../.."
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$PWD/target}"
if ! command -v npm >/dev/null; then
  apt-get update -qq && apt-get install -y -qq nodejs npm >/dev/null
fi
# The client tests run against the emulator, rcauth serve.
cargo build -p rcauth
cd node
npm ci --ignore-scripts --no-audit --no-fund
npx napi build --platform
# One test per vector case at least; test/redis.test.mjs is skipped here (step 70).
python3 ../scripts/test-counts.py node node \
  --vectors headers.json:build,parse credentials.json:cases authenticate.json:cases -- \
  node --test test/
npx tsc --noEmit -p test/typed
echo "tsc: test/typed/example.ts type-checks"
