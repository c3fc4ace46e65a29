#!/usr/bin/env bash
# Packages: builds every artifact into dist/ with scripts/dist.sh (wheels
# and sdist, npm tarballs, the jar, the core crate) and checks each one's
# format, tags, glibc needs, debug info and size. Steps 30, 40 and 50 then
# install these artifacts and run each language's suite against them.
# Then shows that the wheel check fails on a wheel whose generated module is
# empty, as the zig strip trap leaves it.
set -euo pipefail
cd "$(dirname "$0")/../.."
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$PWD/target}"
bash scripts/dist.sh

dist="${DIST_DIR:-$PWD/dist}"
wheel=$(ls "$dist"/redis_cloud_auth-*-py3-none-*manylinux_2_17_x86_64*.whl)
tools="$CARGO_TARGET_DIR/dist-venv/bin"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
"$tools/wheel" unpack --dest "$work/tree" "$wheel" >/dev/null
generated=$(find "$work/tree" -path '*/redis_cloud_auth/_native/*.py' ! -name '__init__.py')
: >"$generated"
mkdir "$work/broken"
"$tools/wheel" pack --dest-dir "$work/broken" "$work/tree"/* >/dev/null
if bash scripts/dist.sh --check-wheel "$work/broken"/*.whl x86_64 2>"$work/err"; then
  echo "the wheel check accepted a wheel with an empty generated module" >&2
  exit 1
fi
grep "generated module lacks" "$work/err"
echo "the wheel check rejects a wheel whose generated module is empty"
