#!/usr/bin/env bash
# The product matrix's browser column (PRODUCTS.md): every seed product
# through the npm package's product modules (`omni-socket/products/*`) in
# headless Chromium against the reference server, over WebSocket and over
# long-polling (npm/test/products.test.mjs), and the same modules loaded
# in Node through the package's exports.
#
# Builds omni-server and the npm package first (scripts/build-wasm.sh);
# OMNI_NPM_BUILT=1 skips the package's build when it was just built
# (scripts/test.sh runs this right after scripts/test-wasm.sh). Installs
# Chromium with apt-get when /usr/bin/chromium is missing.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

if [ ! -x "${CHROMIUM_PATH:-/usr/bin/chromium}" ]; then
  echo "test-products-browser: installing chromium"
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null
fi

echo "==> building the reference server"
cargo build -q -p omni-reference-server --bin omni-server
target_dir=$(cargo metadata --format-version 1 --no-deps | sed -n 's/.*"target_directory":"\([^"]*\)".*/\1/p')
export OMNI_SERVER_BIN="${target_dir:-$PWD/target}/debug/omni-server"
if [ ! -x "$OMNI_SERVER_BIN" ]; then
  echo "test-products-browser: $OMNI_SERVER_BIN is missing after the build" >&2
  exit 1
fi
if [ "${OMNI_NPM_BUILT:-0}" != 1 ]; then
  echo "==> building the npm package"
  scripts/build-wasm.sh
fi

start=$(date +%s)
log=$(mktemp)
trap 'rm -f "$log"' EXIT
cd npm
node --no-warnings --test --test-concurrency=1 --test-reporter=spec test/products.test.mjs 2>&1 | tee "$log"
status=${PIPESTATUS[0]}
passed=$(sed -n 's/^ℹ pass \([0-9]*\)$/\1/p' "$log" | tail -1)
echo "test-products-browser: ${passed:-0} tests passed in $(($(date +%s) - start)) s"
exit "$status"
