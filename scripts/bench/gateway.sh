#!/usr/bin/env bash
# Gateway benchmark on loopback: requests/s through nginx with
# auth_request to `rcauth serve` (the config of docs/gateways.md), against
# the same nginx alone in front of the same upstream, in one run. The
# upstream is a third server block of the same nginx answering a short
# 200 (the cheapest upstream there is, so the authorizer's share shows in
# full). Rounds alternate the two fronts; each round also reports the CPU
# time of nginx and rcauth per request (user+system, from /proc; together
# and each), the steadier figure on a shared machine. Then the ratios of
# the medians.
#
#   scripts/bench/gateway.sh [ROUNDS] [SECONDS] [CONNECTIONS]
#
# Needs nginx and wrk (installed with apt-get when missing) and builds
# rcauth in release mode. Traffic goes to 127.0.0.1 only, bounded in time.
set -euo pipefail
cd "$(dirname "$0")/../.."
rounds="${1:-3}"
seconds="${2:-10}"
connections="${3:-32}"
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$PWD/target}"

missing=()
command -v wrk >/dev/null || missing+=(wrk)
command -v curl >/dev/null || missing+=(curl)
command -v nginx >/dev/null || [ -x /usr/sbin/nginx ] || missing+=(nginx)
if [ "${#missing[@]}" -gt 0 ]; then
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq && apt-get install -y -qq "${missing[@]}" >/dev/null
fi
nginx=$(command -v nginx || echo /usr/sbin/nginx)
cargo build --release -p rcauth
rcauth="$CARGO_TARGET_DIR/release/rcauth"

work=$(mktemp -d "${TMPDIR:-/tmp}/rcauth-gateway-bench.XXXXXX")
server_pid=""
nginx_pid=""
cleanup() {
  if [ -n "$nginx_pid" ]; then kill -QUIT "$nginx_pid" 2>/dev/null || true; wait "$nginx_pid" 2>/dev/null || true; fi
  if [ -n "$server_pid" ]; then kill "$server_pid" 2>/dev/null || true; wait "$server_pid" 2>/dev/null || true; fi
  rm -rf "$work"
}
trap cleanup EXIT

data="$work/data"
source scripts/bench/provision.sh
provision bench-gateway-key

"$rcauth" serve --listen 127.0.0.1:0 --data "$data" --trusted-proxy 127.0.0.1/32 >"$work/out" 2>"$work/err" &
server_pid=$!
for _ in $(seq 100); do
  url=$(sed -n 's/^listening on //p' "$work/out")
  [ -n "$url" ] && break
  sleep 0.05
done
[ -n "$url" ] || { echo "rcauth did not start:" >&2; cat "$work/err" >&2; exit 1; }
rcauth_addr=${url#http://}

free_port() { python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()'; }
plain_port=$(free_port); guarded_port=$(free_port); upstream_port=$(free_port)
mkdir -p "$work/nginx/logs"
cat >"$work/nginx/nginx.conf" <<CONF
worker_processes 2;
pid $work/nginx/nginx.pid;
events { worker_connections 1024; }
http {
    access_log off;
    client_body_temp_path $work/nginx/client_body;
    proxy_temp_path $work/nginx/proxy;
    fastcgi_temp_path $work/nginx/fastcgi;
    uwsgi_temp_path $work/nginx/uwsgi;
    scgi_temp_path $work/nginx/scgi;

    upstream rcauth { server $rcauth_addr; keepalive 64; }
    upstream app { server 127.0.0.1:$upstream_port; keepalive 64; }

    # The upstream.
    server {
        listen 127.0.0.1:$upstream_port;
        location / { return 200 "ok\n"; }
    }

    # Baseline: nginx alone in front of the upstream.
    server {
        listen 127.0.0.1:$plain_port;
        location / {
            proxy_set_header Connection "";
            proxy_http_version 1.1;
            proxy_pass http://app;
        }
    }

    # nginx with auth_request to rcauth, as in docs/gateways.md.
    server {
        listen 127.0.0.1:$guarded_port;
        location / {
            auth_request /_rcauth;
            auth_request_set \$rcauth_account_id \$upstream_http_x_rcauth_account_id;
            auth_request_set \$rcauth_account_name \$upstream_http_x_rcauth_account_name;
            auth_request_set \$rcauth_key_name \$upstream_http_x_rcauth_key_name;
            auth_request_set \$rcauth_owner_id \$upstream_http_x_rcauth_owner_id;
            auth_request_set \$rcauth_owner_name \$upstream_http_x_rcauth_owner_name;
            auth_request_set \$rcauth_owner_email \$upstream_http_x_rcauth_owner_email;
            auth_request_set \$rcauth_source_ip \$upstream_http_x_rcauth_source_ip;
            proxy_set_header X-Rcauth-Account-Id \$rcauth_account_id;
            proxy_set_header X-Rcauth-Account-Name \$rcauth_account_name;
            proxy_set_header X-Rcauth-Key-Name \$rcauth_key_name;
            proxy_set_header X-Rcauth-Owner-Id \$rcauth_owner_id;
            proxy_set_header X-Rcauth-Owner-Name \$rcauth_owner_name;
            proxy_set_header X-Rcauth-Owner-Email \$rcauth_owner_email;
            proxy_set_header X-Rcauth-Source-Ip \$rcauth_source_ip;
            proxy_set_header X-Api-Key "";
            proxy_set_header X-Api-Secret-Key "";
            proxy_set_header Connection "";
            proxy_http_version 1.1;
            proxy_pass http://app;
        }
        location = /_rcauth {
            internal;
            proxy_pass http://rcauth/auth/nginx;
            proxy_pass_request_body off;
            proxy_set_header Content-Length "";
            proxy_set_header X-Original-Method \$request_method;
            proxy_set_header X-Original-URI \$request_uri;
            proxy_set_header X-Forwarded-For \$remote_addr;
            proxy_set_header Connection "";
            proxy_http_version 1.1;
        }
    }
}
CONF
"$nginx" -p "$work/nginx" -c "$work/nginx/nginx.conf" -e "$work/nginx/logs/error.log" -g 'daemon off;' &
nginx_pid=$!
for _ in $(seq 100); do
  curl -fs -o /dev/null "http://127.0.0.1:$plain_port/" 2>/dev/null && break
  sleep 0.05
done

# CPU time so far, in clock ticks: of nginx (master and workers), and of rcauth.
ticks_of() { local t=0 p; for p in "$@"; do t=$((t + $(awk '{print $14 + $15}' "/proc/$p/stat"))); done; echo "$t"; }
cpu_ticks() { echo "$(ticks_of "$nginx_pid" $(pgrep -P "$nginx_pid"))" "$(ticks_of "$server_pid")"; }

# One wrk run against a port; prints "requests/s" and the CPU microseconds
# per request of nginx and rcauth together, of nginx, and of rcauth.
load() {
  local port=$1 result n0 r0 n1 r1 requests
  read -r n0 r0 <<<"$(cpu_ticks)"
  result=$(wrk -t1 -c"$connections" -d"${seconds}s" \
    -H "x-api-key: $account_key" -H "x-api-secret-key: $user_key" "http://127.0.0.1:$port/orders/7")
  read -r n1 r1 <<<"$(cpu_ticks)"
  if echo "$result" | grep -q "Non-2xx"; then echo "non-2xx answers: $result" >&2; exit 1; fi
  requests=$(echo "$result" | awk '/requests in/ {print $1}')
  echo "$(echo "$result" | awk '/Requests\/sec/ {print $2}')" \
    "$(awk -v n=$((n1 - n0)) -v r=$((r1 - r0)) -v q="$requests" -v hz="$(getconf CLK_TCK)" \
      'BEGIN {f = 1e6 / hz / q; printf "%.2f %.2f %.2f", (n + r) * f, n * f, r * f}')"
}

median() { sort -n | awk '{a[NR]=$1} END {print (NR%2) ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2}'; }

# A wrong key must not pass: the guarded port is really guarded.
status=$(curl -s -o /dev/null -w '%{http_code}' -H "x-api-key: $account_key" -H "x-api-secret-key: NotTheUserKey0000" "http://127.0.0.1:$guarded_port/orders/7")
[ "$status" = 401 ] || { echo "a wrong key got $status through the guarded nginx" >&2; exit 1; }

guarded_rps=(); guarded_cpu=(); plain_rps=(); plain_cpu=(); nginx_cpu=(); rcauth_cpu=()
for round in $(seq "$rounds"); do
  # A substitution on its own line passes load's exit on to `set -e`.
  guarded=$(load "$guarded_port")
  plain=$(load "$plain_port")
  read -r gr gc gn ga <<<"$guarded"; read -r pr pc _ _ <<<"$plain"
  guarded_rps+=("$gr"); guarded_cpu+=("$gc"); plain_rps+=("$pr"); plain_cpu+=("$pc")
  nginx_cpu+=("$gn"); rcauth_cpu+=("$ga")
  echo "round $round: nginx + auth_request to rcauth $gr req/s, $gc us CPU/req (nginx $gn, rcauth $ga);" \
    "nginx alone $pr req/s, $pc us CPU/req"
done
gr=$(printf '%s\n' "${guarded_rps[@]}" | median); gc=$(printf '%s\n' "${guarded_cpu[@]}" | median)
pr=$(printf '%s\n' "${plain_rps[@]}" | median); pc=$(printf '%s\n' "${plain_cpu[@]}" | median)
gn=$(printf '%s\n' "${nginx_cpu[@]}" | median); ga=$(printf '%s\n' "${rcauth_cpu[@]}" | median)
logged=$(admin logs --account "$account" --limit 1 --json 2>/dev/null | sed -n 's/^{"entries":\[{"id":\([0-9]*\).*/\1/p')
echo "system log: newest entry id $logged (one entry per authorized request)"
echo "median nginx + auth_request to rcauth: $gr req/s, $gc us CPU/req (nginx $gn, rcauth $ga)"
echo "median nginx alone:                    $pr req/s, $pc us CPU/req"
echo "throughput ratio (with rcauth / nginx alone): $(awk -v a="$gr" -v b="$pr" 'BEGIN {printf "%.2f", a/b}')"
echo "CPU-bound throughput ratio (nginx-alone CPU / with-rcauth CPU per request): $(awk -v a="$gc" -v b="$pc" 'BEGIN {printf "%.2f", b/a}')"
