#!/usr/bin/env bash
# Where the browser bundle's bytes are: builds the wasm driver as
# scripts/build-wasm.sh does but keeping function names, then prints (as
# markdown, also written to target/wasm-size/report.md) the sections, the
# code per crate and the largest functions, twice: as rustc and wasm-ld
# leave the module, and after wasm-bindgen and the same wasm-opt pass that
# ships (scripts/wasm-opt.sh), which is what the download carries, minus
# the names.
#   scripts/wasm-size.sh [TOP]   (TOP largest functions, default 25)
# Needs what scripts/build-wasm.sh installs (run that once first).
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
top="${1:-25}"

CARGO_PROFILE_WASM_RELEASE_STRIP=false \
  cargo build -q -p omni-socket-wasm --target wasm32-unknown-unknown --profile wasm-release --no-default-features
target_dir="$(cargo metadata --format-version 1 --no-deps | node -e 'let s="";process.stdin.on("data",d=>s+=d).on("end",()=>console.log(JSON.parse(s).target_directory))')"
work="$target_dir/wasm-size"
rm -rf "$work"
mkdir -p "$work"
cp "$target_dir/wasm32-unknown-unknown/wasm-release/omni_socket_wasm.wasm" "$work/rustc.wasm"
wasm-bindgen --target web --omit-default-module-path --out-dir "$work" --out-name omni_socket_wasm \
  "$work/rustc.wasm"
# -g keeps the name section through the optimizer; the code is the same.
scripts/wasm-opt.sh "$work/omni_socket_wasm_bg.wasm" "$work/shipped-with-names.wasm" -g

{
  echo "## wasm sizes ($(git rev-parse --short HEAD 2>/dev/null || echo '?'), rustc $(rustc --version | awk '{print $2}'))"
  python3 scripts/wasm_sizes.py --markdown --top "$top" \
    --label "after wasm-bindgen and wasm-opt (what ships, names kept)" "$work/shipped-with-names.wasm"
  python3 scripts/wasm_sizes.py --markdown --top "$top" \
    --label "as rustc leaves it (wasm-release, names kept; before wasm-bindgen and wasm-opt)" \
    "$work/rustc.wasm"
} | tee "$work/report.md"
