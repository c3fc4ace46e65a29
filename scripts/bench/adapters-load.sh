#!/usr/bin/env bash
# Load benchmark of the server middleware on loopback: the same small app
# served with and without the adapter, GET /v1/ with valid keys, one
# server process each (uvicorn + Starlette for the ASGI AuthMiddleware,
# Node.js + Express for authMiddleware). Rounds alternate the two servers
# of a stack, so both see the same machine; prints, per run, requests/s
# and the server's CPU time per request (user+system from /proc), then
# the ratios of the medians. The verifier is on a SQLite store made by
# `rcauth admin`, and logs every request.
#
#   scripts/bench/adapters-load.sh [ROUNDS] [SECONDS] [CONNECTIONS] [STACKS]
#
# STACKS is "asgi express" by default. Installs wrk when missing, the
# Python package in release mode into $CARGO_TARGET_DIR/bench-venv, and
# builds the Node addon in release mode (BENCH_NO_INSTALL=1 skips both).
# Traffic goes to 127.0.0.1 only.
set -euo pipefail
cd "$(dirname "$0")/../.."
root=$PWD
rounds="${1:-3}"
seconds="${2:-10}"
connections="${3:-32}"
stacks="${4:-asgi express}"
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$PWD/target}"

if ! command -v wrk >/dev/null; then
  apt-get update -qq && apt-get install -y -qq wrk >/dev/null
fi
cargo build --quiet -p rcauth
rcauth="$CARGO_TARGET_DIR/debug/rcauth"

# BENCH_NO_INSTALL=1 reuses what an earlier run installed and built.
for stack in $stacks; do
  [ -n "${BENCH_NO_INSTALL:-}" ] && break
  case "$stack" in
    asgi)
      venv="$CARGO_TARGET_DIR/bench-venv"
      [ -x "$venv/bin/python" ] || python3 -m venv "$venv"
      export PATH="$venv/bin:$PATH"   # maturin, for the build below
      "$venv/bin/python" -m pip install --quiet "maturin==1.16.*" uvicorn starlette
      "$venv/bin/python" -m pip install --quiet --force-reinstall --no-deps --no-build-isolation ./python
      ;;
    express)
      (cd node && npm ci --ignore-scripts --no-audit --no-fund >/dev/null && npx napi build --platform --release >/dev/null)
      ;;
    *) echo "unknown stack $stack (asgi, express)" >&2; exit 2 ;;
  esac
done

work=$(mktemp -d "${TMPDIR:-/tmp}/rcauth-adapters-bench.XXXXXX")
server_pid=""
cleanup() {
  if [ -n "$server_pid" ]; then kill "$server_pid" 2>/dev/null || true; wait "$server_pid" 2>/dev/null || true; fi
  rm -rf "$work"
}
trap cleanup EXIT

data="$work/data"
source scripts/bench/provision.sh
provision bench-load-key
store="$data/rcauth.sqlite3"

# Starts one server: start STACK MODE; sets $url and $server_pid.
start() {
  case "$1" in
    asgi) "$CARGO_TARGET_DIR/bench-venv/bin/python" scripts/bench/asgi_app.py "$2" "$store" >"$work/out" 2>"$work/err" & ;;
    express) (cd node && exec node bench-express.mjs "$2" "$store") >"$work/out" 2>"$work/err" & ;;
  esac
  server_pid=$!
  for _ in $(seq 200); do
    url=$(sed -n 's/^listening on //p' "$work/out")
    [ -n "$url" ] && { sleep 0.2; return 0; }
    sleep 0.05
  done
  echo "server did not start:" >&2; cat "$work/err" >&2; exit 1
}
stop() { kill -TERM "$server_pid"; wait "$server_pid" 2>/dev/null || true; server_pid=""; }

# CPU time of the server process so far, in clock ticks.
cpu_ticks() { awk '{print $14 + $15}' "/proc/$server_pid/stat"; }

# One wrk run; prints "requests/s cpu-microseconds-per-request".
load() {
  local result before after requests
  before=$(cpu_ticks)
  result=$(wrk -t1 -c"$connections" -d"${seconds}s" \
    -H "x-api-key: $account_key" -H "x-api-secret-key: $user_key" "$url/v1/")
  after=$(cpu_ticks)
  if echo "$result" | grep -q "Non-2xx"; then echo "non-2xx answers: $result" >&2; exit 1; fi
  requests=$(echo "$result" | awk '/requests in/ {print $1}')
  [ -n "$requests" ] || { echo "wrk failed: $result" >&2; exit 1; }
  echo "$(echo "$result" | awk '/Requests\/sec/ {print $2}')" \
    "$(awk -v t=$((after - before)) -v r="$requests" -v hz="$(getconf CLK_TCK)" 'BEGIN {printf "%.2f", t * 1e6 / hz / r}')"
}

median() { sort -n | awk '{a[NR]=$1} END {print (NR%2) ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2}'; }

for stack in $stacks; do
  auth_rps=(); auth_cpu=(); base_rps=(); base_cpu=()
  for round in $(seq "$rounds"); do
    # A substitution on its own line passes load's exit on to `set -e`.
    start "$stack" plain; base=$(load); stop
    start "$stack" auth; auth=$(load); stop
    read -r br bc <<<"$base"; read -r ar ac <<<"$auth"
    auth_rps+=("$ar"); auth_cpu+=("$ac"); base_rps+=("$br"); base_cpu+=("$bc")
    echo "$stack round $round: without middleware $br req/s, $bc us CPU/req; with middleware $ar req/s, $ac us CPU/req"
  done
  ar=$(printf '%s\n' "${auth_rps[@]}" | median); ac=$(printf '%s\n' "${auth_cpu[@]}" | median)
  br=$(printf '%s\n' "${base_rps[@]}" | median); bc=$(printf '%s\n' "${base_cpu[@]}" | median)
  echo "$stack median without middleware: $br req/s, $bc us CPU/req"
  echo "$stack median with middleware:    $ar req/s, $ac us CPU/req"
  echo "$stack throughput ratio (with / without): $(awk -v a="$ar" -v b="$br" 'BEGIN {printf "%.3f", a/b}')"
  echo "$stack CPU-bound throughput ratio (CPU without / CPU with, per request): $(awk -v a="$ac" -v b="$bc" 'BEGIN {printf "%.3f", b/a}')"
  if [ "$stack" = asgi ]; then
    ACCOUNT_KEY="$account_key" USER_KEY="$user_key" \
      "$CARGO_TARGET_DIR/bench-venv/bin/python" scripts/bench/middleware_cost.py "$store"
  fi
done
logged=$(admin logs --account "$account" --limit 1 --json 2>/dev/null | sed -n 's/^{"entries":\[{"id":\([0-9]*\).*/\1/p')
echo "system log: newest entry id $logged (one entry per authenticated request)"
