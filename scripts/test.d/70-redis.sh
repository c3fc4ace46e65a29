#!/usr/bin/env bash
# Redis store: installs redis-server (Debian package) when missing, starts a
# throwaway server on a free loopback port with no persistence, runs every
# test that needs Redis against it, and stops it after.
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

cargo test -p redis-cloud-auth --features redis --test redis_store --test redis_feed
cargo test -p rcauth --test redis_fleet
cargo test -p redis-cloud-auth-ffi --test redis

# Python's Verifier.open_redis, in the venv step 30 built.
venv="$CARGO_TARGET_DIR/python-venv"
if [ -x "$venv/bin/python" ] && "$venv/bin/python" -c 'import redis_cloud_auth' 2>/dev/null; then
  (cd "$(mktemp -d)" && "$venv/bin/python" -m pytest -q "$OLDPWD/python/tests/test_redis.py")
else
  echo "python: no venv with the package here (step 30 builds it): python/tests/test_redis.py not run"
fi

# Node's Verifier.openRedis, on the addon step 50 built (built here if missing).
if command -v node >/dev/null 2>&1 && [ -d node/node_modules ]; then
  if ! ls node/*.node >/dev/null 2>&1; then (cd node && npx napi build --platform); fi
  (cd node && node --test test/redis.test.mjs)
else
  echo "node: no Node.js or node_modules here (step 50 installs them): test/redis.test.mjs not run"
fi
