#!/usr/bin/env bash
# The reliability suite at full size, then the fuzz targets:
#   20 server restarts, 1,000 connections, 10,000 reconnect cycles,
#   FUZZ_SECONDS (default 120) per cargo-fuzz target.
# Sizes can be overridden with the same variables:
#   RELIABILITY_RESTARTS, RELIABILITY_LOAD_CONNECTIONS,
#   RELIABILITY_SOAK_CYCLES, FUZZ_SECONDS (0 skips fuzzing).
# Takes roughly 15–20 minutes on two cores.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

# Each of the 1,000 connections is a socket in this process and one in the
# server's.
if [ "$(ulimit -n)" != unlimited ] && [ "$(ulimit -n)" -lt 8192 ]; then
  ulimit -n 8192 2>/dev/null || ulimit -n "$(ulimit -Hn)"
fi
echo "==> open file limit: $(ulimit -n)"

export RELIABILITY_RESTARTS="${RELIABILITY_RESTARTS:-20}"
export RELIABILITY_LOAD_CONNECTIONS="${RELIABILITY_LOAD_CONNECTIONS:-1000}"
export RELIABILITY_SOAK_CYCLES="${RELIABILITY_SOAK_CYCLES:-10000}"
scripts/test-reliability.sh

if [ "${FUZZ_SECONDS:-120}" != 0 ]; then
  echo "==> fuzzing (${FUZZ_SECONDS:-120}s per target)"
  scripts/fuzz.sh "${FUZZ_SECONDS:-120}"
fi
