#!/usr/bin/env bash
# Redis store: installs redis-server (Debian package) when missing, starts a
# throwaway server on a free loopback port with no persistence, runs every
# test that needs Redis against it (Rust; Python and Node against the
# packages scripts/dist.sh built, installed here when steps 30 and 50 did
# not), and stops it after. A test that did not run fails the step.
set -euo pipefail
cd "$(dirname "$0")/../.."
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$PWD/target}"

if ! command -v redis-server >/dev/null 2>&1; then
  echo "installing redis-server"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq redis-server >/dev/null
fi
redis-server --version

work=$(mktemp -d)
port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()')
stop_redis() {
  if [ -f "$work/redis.pid" ]; then
    pid=$(cat "$work/redis.pid")
    kill "$pid" 2>/dev/null || true
    for _ in $(seq 1 50); do
      kill -0 "$pid" 2>/dev/null || break
      sleep 0.1
    done
  fi
  rm -rf "$work"
}
trap stop_redis EXIT

redis-server --port "$port" --bind 127.0.0.1 --save '' --appendonly no \
  --dir "$work" --daemonize yes --pidfile "$work/redis.pid" --logfile "$work/redis.log"
for _ in $(seq 1 50); do
  if redis-cli -p "$port" ping 2>/dev/null | grep -q PONG; then break; fi
  sleep 0.1
done
redis-cli -p "$port" ping | grep -q PONG

export RCAUTH_TEST_REDIS_URL="redis://127.0.0.1:$port"
# Tests that restart a server of their own run this binary.
export RCAUTH_TEST_REDIS_SERVER
RCAUTH_TEST_REDIS_SERVER=$(command -v redis-server)
echo "Redis at $RCAUTH_TEST_REDIS_URL"

# The Rust tests that need Redis are #[ignore]d elsewhere; here they run
# (`--ignored`), every one of them: as many as the source marks.
root=$PWD
counted() { python3 "$root/scripts/test-counts.py" "$@"; }
ignored_in() { cat "$@" | grep -c '^#\[ignore = "needs \(Redis\|redis-server\)'; }
counted cargo rust-redis --at-least "$(ignored_in core/tests/redis_store.rs core/tests/redis_feed.rs)" -- \
  cargo test -p redis-cloud-auth --features redis --test redis_store --test redis_feed -- --ignored
counted cargo rcauth-redis --at-least "$(ignored_in cli/tests/redis_fleet.rs)" -- \
  cargo test -p rcauth --test redis_fleet -- --ignored
counted cargo ffi-redis --at-least "$(ignored_in bindings/ffi/tests/redis.rs)" -- \
  cargo test -p redis-cloud-auth-ffi --test redis -- --ignored

# The venv with the wheel installed, as step 30 makes it; made here the
# same way when missing. Sets $python to the venv's interpreter.
python_with_package() {
  local venv="$CARGO_TARGET_DIR/python-venv"
  python="$venv/bin/python"
  if [ ! -x "$python" ] || ! "$python" -c 'import redis_cloud_auth' 2>/dev/null; then
    source scripts/lib/dist-dir.sh
    echo "python: installing the wheel from $dist into $venv (as step 30 does)"
    rm -rf "$venv"
    python3 -m venv "$venv"
    "$python" -m pip install --quiet --disable-pip-version-check pytest \
      "$(ls "$dist"/redis_cloud_auth-*-py3-none-*manylinux_2_17_x86_64*.whl)"
  fi
  "$python" -c 'import redis_cloud_auth'
}

# The project with the npm packages installed, as step 50 makes it; made
# here the same way when missing. Sets $project.
node_with_package() {
  if ! command -v npm >/dev/null; then
    apt-get update -qq && apt-get install -y -qq nodejs npm >/dev/null
  fi
  project="$CARGO_TARGET_DIR/node-project"
  if [ ! -f "$project/node/test/redis.test.mjs" ]; then
    source scripts/lib/node-project.sh
  fi
}

# Python's Verifier.open_redis: every test of the file runs, none skipped.
python_with_package
tests=$(grep -c '^def test_' python/tests/test_redis.py)
(cd python/tests && counted pytest python-redis --at-least "$tests" --max-skipped 0 -- \
  "$python" -m pytest -p no:cacheprovider -q --rootdir=.. test_redis.py)

# Node's Verifier.openRedis: every test of the file runs, none skipped.
node_with_package
tests=$(grep -c '^test(' node/test/redis.test.mjs)
(cd "$project" && counted node node-redis --at-least "$tests" --max-skipped 0 -- node --test node/test/redis.test.mjs)
