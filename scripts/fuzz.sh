#!/usr/bin/env bash
# Runs the cargo-fuzz targets of sdk-core.
#   scripts/fuzz.sh [SECONDS_PER_TARGET] [TARGET...]
# Defaults: 60 s for every target. Installs cargo-fuzz once per machine.
set -euo pipefail
cd "$(dirname "$0")/../sdk-core"

secs=${1:-60}
shift || true

if ! command -v cargo-fuzz >/dev/null 2>&1; then
  echo "==> installing cargo-fuzz (once per machine)"
  cargo install cargo-fuzz --version 0.13.2
fi

# cargo-fuzz passes flags (-Zsanitizer, …) that only nightly accepts; the
# machines here have the stable toolchain alone, which accepts them when
# told it is bootstrapping a compiler.
export RUSTC_BOOTSTRAP=1

targets=("$@")
if [ ${#targets[@]} -eq 0 ]; then
  mapfile -t targets < <(cargo fuzz list)
fi

for t in "${targets[@]}"; do
  echo "==> fuzzing $t for ${secs}s"
  mkdir -p "fuzz/corpus/$t"
  seeds=()
  [ -d "fuzz/seeds/$t" ] && seeds=("fuzz/seeds/$t")
  log=$(mktemp)
  status=0
  cargo fuzz run "$t" "fuzz/corpus/$t" "${seeds[@]}" -- \
    -max_total_time="$secs" -rss_limit_mb=2048 -print_final_stats=1 >"$log" 2>&1 || status=$?
  # libFuzzer is chatty: show its verdict and the final counts.
  grep -E '^(stat::number_of_executed_units|==[0-9]+==|SUMMARY|thread|Failing input|.*panicked)' "$log" || true
  if [ "$status" -ne 0 ]; then
    tail -n 40 "$log"
    echo "fuzz target $t failed (exit $status); the input is under sdk-core/fuzz/artifacts/$t/"
    exit 1
  fi
  rm -f "$log"
done
