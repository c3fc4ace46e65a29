# Sourced by the test steps that install the built packages: where
# scripts/dist.sh put them (step 25 runs it), and a check that it did.
dist="${DIST_DIR:-$PWD/dist}"
if [ ! -d "$dist" ] || [ -z "$(ls -A "$dist" 2>/dev/null)" ]; then
  echo "no packages in $dist: run scripts/dist.sh first (step 25 of scripts/test-all.sh)" >&2
  exit 1
fi
