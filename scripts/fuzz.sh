#!/usr/bin/env bash
# Runs every fuzz target (or those named) for SECONDS each, one after the
# other, at the lowest CPU priority. Installs the nightly toolchain and
# cargo-fuzz when missing. New corpus entries go to fuzz/corpus/<target>
# (not committed); the committed seeds are read from fuzz/seeds/<target>;
# crashes land in fuzz/artifacts/<target>. A summary line per target
# (executions, corpus size, crash or not) is printed at the end.
#
#   scripts/fuzz.sh 600                  # ten minutes per target
#   scripts/fuzz.sh 20 headers request   # a smoke run of two targets
set -uo pipefail
cd "$(dirname "$0")/.."
seconds="${1:-600}"
shift || true
targets=("$@")
if [ "${#targets[@]}" -eq 0 ]; then
  targets=(headers allow_list forwarded_for profile_file request)
fi

rustup toolchain list | grep -q '^nightly' || rustup toolchain install nightly --profile minimal
cargo +nightly fuzz --version >/dev/null 2>&1 || nice -n 19 cargo install cargo-fuzz --locked
nice -n 19 cargo +nightly fuzz build -O --fuzz-dir fuzz || exit 1

logs="fuzz/logs"
mkdir -p "$logs"
summary=()
failed=0
for target in "${targets[@]}"; do
  mkdir -p "fuzz/corpus/$target"
  log="$logs/$target.log"
  nice -n 19 cargo +nightly fuzz run -O --fuzz-dir fuzz "$target" \
    "fuzz/corpus/$target" "fuzz/seeds/$target" -- \
    -max_total_time="$seconds" -rss_limit_mb=2048 -timeout=10 -print_final_stats=1 \
    >"$log" 2>&1
  code=$?
  execs=$(grep -o 'stat::number_of_executed_units: *[0-9]*' "$log" | grep -o '[0-9]*$' | tail -1)
  rate=$(grep -o 'stat::average_exec_per_sec: *[0-9]*' "$log" | grep -o '[0-9]*$' | tail -1)
  cov=$(grep -o 'cov: [0-9]*' "$log" | tail -1)
  corpus=$(ls "fuzz/corpus/$target" | wc -l)
  if [ "$code" -eq 0 ]; then outcome="no crash"; else outcome="FAILED (exit $code, see $log)"; failed=1; fi
  summary+=("$target: ${execs:-?} executions (${rate:-?}/s), ${cov:-cov: ?}, corpus $corpus, $outcome")
  echo "${summary[-1]}"
done
echo "--- fuzz summary (${seconds}s per target)"
printf '%s\n' "${summary[@]}"
exit "$failed"
