#!/usr/bin/env bash
# Node.js: installs the npm tarballs scripts/dist.sh built (step 25), the
# main package and the linux-x64-gnu one it names in optionalDependencies,
# into an empty project with no Rust toolchain on PATH, then runs node --test
# over a copy of node/test there (vectors, stores, verifier on SQLite,
# adapters with real Express and Fastify, client against rcauth serve) and
# checks the TypeScript types with tsc on a typed example. The arm64 and musl
# packages are checked for format only, in scripts/dist.sh: this machine
# cannot run them.
set -euo pipefail
cd "$(dirname "$0")/../.."
root="$PWD"
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$PWD/target}"
if ! command -v npm >/dev/null; then
  apt-get update -qq && apt-get install -y -qq nodejs npm >/dev/null
fi

# The emulator the client tests run against, built while cargo is at hand.
cargo build --quiet -p rcauth
export RCAUTH_BIN="$CARGO_TARGET_DIR/debug/rcauth"
source scripts/lib/without-rust.sh

source scripts/lib/node-project.sh
cd "$project"
# One test per vector case at least; test/redis.test.mjs is skipped here (step 70).
python3 "$root/scripts/test-counts.py" node node \
  --vectors headers.json:build,parse credentials.json:cases authenticate.json:cases -- \
  node --test node/test/*.test.mjs
npx tsc --noEmit -p node/test/typed
echo "tsc: node/test/typed type-checks against the installed package"
