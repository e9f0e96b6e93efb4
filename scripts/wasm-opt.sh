#!/usr/bin/env bash
# The project's wasm-opt pass over the wasm-bindgen output, shared by
# scripts/build-wasm.sh (what ships) and scripts/wasm-size.sh (the same
# pass keeping function names): scripts/wasm-opt.sh IN OUT [extra flags].
#
# wasm-opt comes from the npm package binaryen (a JS/wasm build, no
# download). The feature flags match what rustc emits for wasm32 by
# default; --converge repeats -Oz until it stops shrinking (about 0.3 KB
# gzipped). (opt-level "s" instead of "z" gives 7% more; -O3 here no
# smaller.) --low-memory-unused lets it fold constant offsets into loads
# and stores (0.6 KB gzipped): rustc links the stack first, from 1 MiB
# down, and the data above it, so the lowest 1 KiB is touched only by a
# stack one kilobyte short of overflowing.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
in="$1" out="$2"
shift 2
"$root/npm/node_modules/.bin/wasm-opt" -Oz --converge --strip-producers --low-memory-unused \
  --enable-bulk-memory --enable-nontrapping-float-to-int --enable-sign-ext \
  --enable-mutable-globals --enable-reference-types --enable-multivalue \
  "$@" -o "$out" "$in"
