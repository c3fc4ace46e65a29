#!/usr/bin/env bash
# The Python client against its closest peer, PyPI `redis-cloud` 0.9.5
# (PyO3 over the `redis-cloud` crate), on one `rcauth serve` on loopback
# with a provisioned account. Three cases, each REQUESTS `GET /v1/` calls
# (the account and the calling key):
#
#   blocking  BlockingClient.account()          vs CloudClient.account_sync()
#   async     Client.account(), sequential awaits vs CloudClient.account()
#   gather    the same, 32 at a time with asyncio.gather
#
# Rounds are interleaved (each round runs every case for both clients, the
# order alternating), each run in its own process
# (scripts/bench/python_client.py). Prints requests/s, the client's CPU per
# request (user+system of the whole process, all threads) and the answers
# that named the key, then per case the medians and the ratio ours/peer.
# Every answer must be a 200 naming the benchmark key, or the run fails.
#
#   scripts/bench/python-client.sh [ROUNDS] [REQUESTS]
#
# Ours is installed as users do (`pip install ./python`, release profile)
# into one venv; the peer into another, built from its sdist. The
# published sdist's pyproject.toml points `readme` at ../README.md,
# outside the archive, so no build of it can start (`pip download
# --no-binary :all:` fails too, preparing its metadata); the script takes
# the sdist from the PyPI simple index, checks its sha256, and changes
# that one line to the README.md the archive holds before building.
set -euo pipefail
cd "$(dirname "$0")/../.."
rounds="${1:-3}"
requests="${2:-2000}"
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$PWD/target}"

peer_version=0.9.5
peer_sdist="redis_cloud-$peer_version.tar.gz"
peer_sha256=e4e1dd41e6cd45946f182844019babe3cd6b8649d18390d875ad93f04723f0ec

cargo build --release -p rcauth
rcauth="$CARGO_TARGET_DIR/release/rcauth"

work=$(mktemp -d "${TMPDIR:-/tmp}/rcauth-bench.XXXXXX")
server_pid=""
cleanup() {
  if [ -n "$server_pid" ]; then kill "$server_pid" 2>/dev/null || true; wait "$server_pid" 2>/dev/null || true; fi
  rm -rf "$work"
}
trap cleanup EXIT

# Ours: the package as `pip install ./python` builds it (release).
ours="$CARGO_TARGET_DIR/bench-python-ours"
[ -x "$ours/bin/python" ] || python3 -m venv "$ours"
"$ours/bin/python" -m pip install --quiet "maturin==1.16.*"
PATH="$ours/bin:$PATH" "$ours/bin/python" -m pip install --quiet --force-reinstall --no-deps \
  --no-build-isolation ./python

# The peer, from its sdist, in a venv of its own (built once).
peer="$CARGO_TARGET_DIR/bench-python-peer"
[ -x "$peer/bin/python" ] || python3 -m venv "$peer"
installed=$("$peer/bin/python" -m pip show redis-cloud 2>/dev/null | sed -n 's/^Version: //p' || true)
if [ "$installed" != "$peer_version" ]; then
  "$peer/bin/python" -m pip install --quiet "maturin>=1.4,<2.0"
  "$peer/bin/python" - "$work/$peer_sdist" "$peer_sdist" "$peer_sha256" <<'PY'
import hashlib, re, sys, urllib.request
target, name, sha256 = sys.argv[1:]
index = urllib.request.urlopen("https://pypi.org/simple/redis-cloud/").read().decode()
url = re.search(r'href="([^"#]*/' + re.escape(name) + r')#', index).group(1)
data = urllib.request.urlopen(url).read()
if hashlib.sha256(data).hexdigest() != sha256:
    raise SystemExit(f"{name}: sha256 differs from the pinned one")
open(target, "wb").write(data)
PY
  tar -xzf "$work/$peer_sdist" -C "$work"
  echo "peer sdist: pyproject.toml readme ../README.md (outside the archive) -> README.md"
  sed -i 's|^readme = { file = "../README.md"|readme = { file = "README.md"|' \
    "$work/redis_cloud-$peer_version/pyproject.toml"
  grep -q '^readme = { file = "README.md"' "$work/redis_cloud-$peer_version/pyproject.toml"
  PATH="$peer/bin:$PATH" CARGO_TARGET_DIR="$CARGO_TARGET_DIR/bench-python-peer-target" \
    "$peer/bin/python" -m pip install --quiet --no-build-isolation "$work/redis_cloud-$peer_version"
fi
echo "ours: $("$ours/bin/python" -m pip show redis-cloud-auth | sed -n 's/^Version: //p') (release build of ./python)"
echo "peer: redis-cloud $("$peer/bin/python" -m pip show redis-cloud | sed -n 's/^Version: //p') (from its sdist)"

# The server: one account, owner and user key.
data="$work/data"
source scripts/bench/provision.sh
provision bench-python-key
"$rcauth" serve --listen 127.0.0.1:0 --data "$data" >"$work/out" 2>"$work/err" &
server_pid=$!
url=""
for _ in $(seq 100); do
  url=$(sed -n 's/^listening on //p' "$work/out")
  [ -n "$url" ] && break
  sleep 0.05
done
[ -n "$url" ] || { echo "server did not start:" >&2; cat "$work/err" >&2; exit 1; }
export BENCH_URL="${url%/}/v1" BENCH_ACCOUNT_KEY="$account_key" BENCH_USER_KEY="$user_key" \
  BENCH_KEY_NAME=bench-python-key

echo "GET $BENCH_URL/: $rounds rounds x $requests requests per case; load average $(cut -d' ' -f1-3 /proc/loadavg)"
results="$work/results"
for round in $(seq "$rounds"); do
  for case in blocking async gather; do
    order="ours peer"
    [ $((round % 2)) -eq 0 ] && order="peer ours"
    for client in $order; do
      venv=$ours
      [ "$client" = peer ] && venv=$peer
      line=$("$venv/bin/python" scripts/bench/python_client.py "$client" "$case" "$requests")
      echo "round $round $case $client: $line (req/s, CPU us/request, answers naming the key)"
      echo "$case $client $line" >>"$results"
    done
  done
done
echo "load average after: $(cut -d' ' -f1-3 /proc/loadavg)"

python3 - "$results" <<'PY'
import statistics, sys
rows = [line.split() for line in open(sys.argv[1])]
def median(case, client, column):
    return statistics.median(float(r[column]) for r in rows if r[0] == case and r[1] == client)
print("| case | ours req/s | peer req/s | ours/peer (req/s) | ours CPU/req | peer CPU/req | peer/ours (CPU) |")
print("|---|---|---|---|---|---|---|")
for case in ("blocking", "async", "gather"):
    ours, peer = median(case, "ours", 2), median(case, "peer", 2)
    ours_cpu, peer_cpu = median(case, "ours", 3), median(case, "peer", 3)
    print(f"| {case} | {ours:,.0f} | {peer:,.0f} | {ours / peer:.2f} | "
          f"{ours_cpu:.0f} µs | {peer_cpu:.0f} µs | {peer_cpu / ours_cpu:.2f} |")
PY
