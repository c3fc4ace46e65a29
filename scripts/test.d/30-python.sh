#!/usr/bin/env bash
# Python: installs the x86_64 manylinux wheel that scripts/dist.sh built
# (step 25) into a fresh venv with no Rust toolchain on PATH, the way a user
# installs it, then runs pytest over a copy of python/tests in a fresh
# folder (vectors, stores, secrets, verifier, adapters, the client against a
# real `rcauth serve`, README examples), so the installed package is the one
# tested. The aarch64 wheel is checked for format and tags only, in
# scripts/dist.sh: this machine cannot run it.
set -euo pipefail
cd "$(dirname "$0")/../.."
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$PWD/target}"
source scripts/lib/dist-dir.sh
wheel=$(ls "$dist"/redis_cloud_auth-*-py3-none-*manylinux_2_17_x86_64*.whl)

# The emulator the client tests run against, built while cargo is at hand.
cargo build --quiet -p rcauth
export RCAUTH_BIN="$CARGO_TARGET_DIR/debug/rcauth"
source scripts/lib/without-rust.sh

# Step 70 runs the Redis tests in this venv too.
venv="$CARGO_TARGET_DIR/python-venv"
rm -rf "$venv"
python3 -m venv "$venv"
"$venv/bin/python" -m pip install --quiet --disable-pip-version-check pytest requests mypy \
  httpx uvicorn starlette flask websockets
start=$(date +%s)
"$venv/bin/python" -m pip install --quiet --disable-pip-version-check "$wheel"
echo "pip install $(basename "$wheel"): $(( $(date +%s) - start ))s"

# The shipped type hints hold (the generated module is checked by its
# generator, not here).
(cd python && "$venv/bin/python" -m mypy --no-error-summary --ignore-missing-imports \
  --cache-dir "$CARGO_TARGET_DIR/mypy-cache" \
  --follow-imports=silent --exclude "_native" redis_cloud_auth)

# The tests, the README they run, the vectors and the API spec, away from
# the sources.
fresh="$CARGO_TARGET_DIR/python-tests"
rm -rf "$fresh"
mkdir -p "$fresh/python" "$fresh/docs"
cp -r python/tests python/README.md "$fresh/python/"
cp -r tests "$fresh/"
cp docs/api.md "$fresh/docs/"
cp -r scripts "$fresh/"
cd "$fresh/python/tests"
"$venv/bin/python" -c 'import redis_cloud_auth, sys; assert "site-packages" in redis_cloud_auth.__file__, redis_cloud_auth.__file__'
# One test per vector case at least; test_redis.py is skipped here (step 70).
python3 ../../scripts/test-counts.py pytest python \
  --vectors headers.json:build,parse credentials.json:cases authenticate.json:cases -- \
  "$venv/bin/python" -m pytest -p no:cacheprovider -q --rootdir=.. .
