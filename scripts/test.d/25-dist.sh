#!/usr/bin/env bash
# Packages: builds every artifact into dist/ with scripts/dist.sh (wheels
# and sdist, npm tarballs, the jar, the core crate) and checks each one's
# format, tags, glibc needs, debug info and size. Steps 30, 40 and 50 then
# install these artifacts and run each language's suite against them.
set -euo pipefail
cd "$(dirname "$0")/../.."
bash scripts/dist.sh
