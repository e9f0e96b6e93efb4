#!/usr/bin/env bash
# Benchmarks of omni-socket against its peers, measured side by side in one
# run. Prints the table and writes target/bench/results.json.
#   scripts/bench.sh           full run (several minutes)
#   scripts/bench.sh --quick   small counts, one round (about three minutes)
#   scripts/bench.sh --smoke   tiny counts: checks the harness, measures nothing
#   OMNI_NPM_DIST=DIR          the built npm package (default npm/dist) for
#                              the browser figures; skipped when absent
set -euo pipefail
cd "$(dirname "$0")/.."

mode=()
case "${1:-}" in
  --quick | --smoke) mode=("$1") ;;
  "") ;;
  *) echo "usage: scripts/bench.sh [--quick|--smoke]" >&2; exit 2 ;;
esac

# 10,000 connections need as many descriptors in the client and the server.
ulimit -n 65536 2>/dev/null || ulimit -n "$(ulimit -Hn)"

target=$(cargo metadata --format-version 1 --no-deps |
  node -e 'let s="";process.stdin.on("data",d=>s+=d).on("end",()=>console.log(JSON.parse(s).target_directory))')

echo "==> building (release)" >&2
cargo build --release -q -p omni-bench

if [ ! -d tests/bench/node/node_modules ]; then
  echo "==> installing the Node peers (npm ci)" >&2
  (cd tests/bench/node && npm ci --no-audit --no-fund --silent)
fi

criterion=()
if [ "${mode[*]}" != --smoke ]; then
  echo "==> codec microbenchmarks (criterion, short measurement)" >&2
  rm -rf "$target/criterion"
  cargo bench -q -p omni-socket-core --bench codec -- \
    --warm-up-time 0.5 --measurement-time 2 --noplot >&2
  criterion=(--criterion "$target/criterion")
fi

# The browser figures need the built npm package: OMNI_NPM_DIST, or npm/dist
# (built by scripts/build-wasm.sh when the branch has it). The smoke run
# builds nothing: it checks the browser harness when scripts/test.sh has
# already built the package, as it does before it.
browser=()
dist="${OMNI_NPM_DIST:-npm/dist}"
if [ "${mode[*]}" != --smoke ] && [ ! -f "$dist/index.js" ] && [ -z "${OMNI_NPM_DIST:-}" ] &&
  [ -x scripts/build-wasm.sh ]; then
  echo "==> browser package (scripts/build-wasm.sh)" >&2
  scripts/build-wasm.sh >&2 || echo "bench: the wasm build failed" >&2
fi
if [ -f "$dist/index.js" ] && [ -f "$dist/wasm/omni_socket_wasm_bg.wasm" ]; then
  browser=(--npm-dist "$dist")
else
  echo "bench: no built npm package at $dist; no browser figures" >&2
fi

echo "==> receive, ack, memory, reconnect storm, browser" >&2
exec "$target/release/omni-bench" run "${mode[@]}" --out "$target/bench" "${criterion[@]}" "${browser[@]}"
