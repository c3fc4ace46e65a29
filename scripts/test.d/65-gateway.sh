#!/usr/bin/env bash
# Gateways: rcauth as nginx's auth_request authorizer, with a real nginx
# (Debian's package, installed when missing) on loopback in front of an
# upstream that echoes what it receives (cli/tests/gateway.rs). Fails when
# nginx cannot be installed or started; it never passes without running.
set -euo pipefail
cd "$(dirname "$0")/../.."
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$PWD/target}"

if ! command -v nginx >/dev/null 2>&1 && [ ! -x /usr/sbin/nginx ]; then
  echo "installing nginx"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq nginx >/dev/null
fi
export RCAUTH_TEST_NGINX
RCAUTH_TEST_NGINX=$(command -v nginx || echo /usr/sbin/nginx)
"$RCAUTH_TEST_NGINX" -v
"$RCAUTH_TEST_NGINX" -V 2>&1 | grep -q -- --with-http_auth_request_module \
  || { echo "this nginx has no auth_request module" >&2; exit 1; }

# The test is marked ignored so that step 10 (no nginx there) skips it;
# here it must run and pass: a run of zero tests fails the step.
log=$(mktemp)
trap 'rm -f "$log"' EXIT
cargo test -p rcauth --test gateway -- --ignored --nocapture 2>&1 | tee "$log"
grep -q "test result: ok. 1 passed" "$log" || { echo "the nginx test did not run" >&2; exit 1; }
