#!/usr/bin/env bash
# Load benchmark of `rcauth serve` on loopback: GET /v1/ with valid keys
# (authentication and the system log on) against a baseline of the same
# server with authentication off (the hidden `serve --bench-no-auth` flag:
# same routes, same handler and JSON, the auth layer replaced by a fixed
# principal). Prints, for each round, requests/s and the server's CPU time
# per request (user+system, from /proc, including the system-log writer
# thread), then the medians and the median of the rounds' ratios (each
# round measures both servers, alternating which goes first). On a shared
# machine the CPU time per request is the steadier figure: throughput
# moves with whatever else runs, CPU cost per request much less.
#
#   scripts/bench/serve-load.sh [ROUNDS] [SECONDS] [CONNECTIONS] [api|authorizer]
#
# `authorizer` sends the check request a gateway sends instead (`GET
# /auth/nginx` with the keys and `X-Original-Method`/`X-Original-URI`, as
# nginx's `auth_request` does): authenticated, it answers with the identity
# headers from the verifier; the baseline answers the same headers of the
# fixed principal after reading the same original method and URI.
#
# Needs wrk (installed with apt-get when missing) and builds rcauth in
# release mode (or measures the binary RCAUTH_BIN names). Traffic goes to
# 127.0.0.1 only, bounded in time.
set -euo pipefail
# RCAUTH_BIN names a built binary to measure instead (to compare two builds).
rcauth_bin=""
if [ -n "${RCAUTH_BIN:-}" ]; then
  rcauth_bin=$(realpath -m "$RCAUTH_BIN")
  [ -x "$rcauth_bin" ] || { echo "RCAUTH_BIN=$RCAUTH_BIN is not an executable" >&2; exit 2; }
fi
cd "$(dirname "$0")/../.."
rounds="${1:-3}"
seconds="${2:-10}"
connections="${3:-32}"
target="${4:-api}"
case "$target" in
  api) path=/v1/; extra=() ;;
  authorizer) path=/auth/nginx; extra=(-H "X-Original-Method: GET" -H "X-Original-URI: /orders/7") ;;
  *) echo "target must be api or authorizer, not $target" >&2; exit 2 ;;
esac
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$PWD/target}"

if ! command -v wrk >/dev/null; then
  apt-get update -qq && apt-get install -y -qq wrk >/dev/null
fi
if [ -z "$rcauth_bin" ]; then
  cargo build --release -p rcauth
fi
rcauth="${rcauth_bin:-$CARGO_TARGET_DIR/release/rcauth}"

work=$(mktemp -d "${TMPDIR:-/tmp}/rcauth-bench.XXXXXX")
server_pid=""
cleanup() {
  if [ -n "$server_pid" ]; then kill "$server_pid" 2>/dev/null || true; wait "$server_pid" 2>/dev/null || true; fi
  rm -rf "$work"
}
trap cleanup EXIT

data="$work/data"
source scripts/bench/provision.sh
provision bench-load-key

# Starts the server with extra flags; sets $url.
start() {
  "$rcauth" serve --listen 127.0.0.1:0 --data "$data" "$@" >"$work/out" 2>"$work/err" &
  server_pid=$!
  for _ in $(seq 100); do
    url=$(sed -n 's/^listening on //p' "$work/out")
    [ -n "$url" ] && return 0
    sleep 0.05
  done
  echo "server did not start:" >&2; cat "$work/err" >&2; exit 1
}
stop() { kill -TERM "$server_pid"; wait "$server_pid"; server_pid=""; }

# CPU time of the server process so far, in clock ticks.
cpu_ticks() { awk '{print $14 + $15}' "/proc/$server_pid/stat"; }
# CPU time of its system-log writer thread so far, in clock ticks.
writer_ticks() {
  local task
  for task in /proc/"$server_pid"/task/*; do
    if [ "$(cat "$task/comm")" = rca-system-log ]; then awk '{print $14 + $15}' "$task/stat"; return; fi
  done
  echo 0
}

# One wrk run; prints "requests/s cpu-microseconds-per-request
# writer-cpu-microseconds-per-request".
load() {
  local result before after requests writer_before writer_after per_request
  before=$(cpu_ticks); writer_before=$(writer_ticks)
  result=$(wrk -t1 -c"$connections" -d"${seconds}s" \
    -H "x-api-key: $account_key" -H "x-api-secret-key: $user_key" "${extra[@]}" "$url$path")
  after=$(cpu_ticks); writer_after=$(writer_ticks)
  if echo "$result" | grep -q "Non-2xx"; then echo "non-2xx answers: $result" >&2; exit 1; fi
  requests=$(echo "$result" | awk '/requests in/ {print $1}')
  per_request() { awk -v t="$1" -v r="$requests" -v hz="$(getconf CLK_TCK)" 'BEGIN {printf "%.2f", t * 1e6 / hz / r}'; }
  echo "$(echo "$result" | awk '/Requests\/sec/ {print $2}')" \
    "$(per_request $((after - before)))" "$(per_request $((writer_after - writer_before)))"
}

median() { sort -n | awk '{a[NR]=$1} END {print (NR%2) ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2}'; }

auth_rps=(); auth_cpu=(); auth_writer=(); base_rps=(); base_cpu=(); rps_ratios=(); cpu_ratios=()
for round in $(seq "$rounds"); do
  # Odd rounds run the authenticated server first, even rounds the
  # baseline, so a machine getting busier or quieter favours neither.
  # `load` exits on a failed run; a command substitution on its own line
  # passes that on to `set -e` (inside `read <<<` it would be lost).
  if [ $((round % 2)) -eq 1 ]; then
    start; auth=$(load); stop
    start --bench-no-auth; base=$(load); stop
  else
    start --bench-no-auth; base=$(load); stop
    start; auth=$(load); stop
  fi
  read -r ar ac aw <<<"$auth"; read -r br bc _ <<<"$base"
  auth_rps+=("$ar"); auth_cpu+=("$ac"); auth_writer+=("$aw"); base_rps+=("$br"); base_cpu+=("$bc")
  rps_ratios+=("$(awk -v a="$ar" -v b="$br" 'BEGIN {printf "%.3f", a/b}')")
  cpu_ratios+=("$(awk -v a="$ac" -v b="$bc" 'BEGIN {printf "%.3f", b/a}')")
  echo "round $round: authenticated $ar req/s, $ac us CPU/req (system-log writer $aw); baseline (no auth) $br req/s, $bc us CPU/req; ratios ${rps_ratios[-1]} by throughput, ${cpu_ratios[-1]} by CPU"
done
logged=$(admin logs --account "$account" --limit 1 --json 2>/dev/null | sed -n 's/^{"entries":\[{"id":\([0-9]*\).*/\1/p')
ar=$(printf '%s\n' "${auth_rps[@]}" | median); ac=$(printf '%s\n' "${auth_cpu[@]}" | median)
aw=$(printf '%s\n' "${auth_writer[@]}" | median)
br=$(printf '%s\n' "${base_rps[@]}" | median); bc=$(printf '%s\n' "${base_cpu[@]}" | median)
echo "target: $target (GET $path)"
echo "system log: newest entry id $logged (one entry per authenticated request)"
echo "median authenticated: $ar req/s, $ac us CPU/req, of which the system-log writer thread $aw us"
echo "median baseline:      $br req/s, $bc us CPU/req"
# Each ratio is taken within its round (both servers measured seconds
# apart), then the median over the rounds.
echo "throughput ratio (authenticated / baseline), median of rounds: $(printf '%s\n' "${rps_ratios[@]}" | median)"
echo "CPU-bound throughput ratio (baseline CPU / authenticated CPU per request), median of rounds: $(printf '%s\n' "${cpu_ratios[@]}" | median)"
