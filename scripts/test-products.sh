#!/usr/bin/env bash
# The product matrix (PRODUCTS.md): every seed product end to end through
# the native client against the reference server, over WebSocket and over
# long-polling (tests/products). Builds omni-server first, so the tests
# never start a stale one, and checks that PRODUCTS.md is current.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

echo "==> building the reference server and the native examples"
cargo build -q -p omni-reference-server --bin omni-server
cargo build -q -p omni-socket --examples
target_dir=$(cargo metadata --format-version 1 --no-deps | sed -n 's/.*"target_directory":"\([^"]*\)".*/\1/p')
export OMNI_SERVER_BIN="${target_dir:-$PWD/target}/debug/omni-server"
export OMNI_EXAMPLES_DIR="${target_dir:-$PWD/target}/debug/examples"
if [ ! -x "$OMNI_SERVER_BIN" ]; then
  echo "test-products: $OMNI_SERVER_BIN is missing after the build" >&2
  exit 1
fi

start=$(date +%s)
log=$(mktemp)
trap 'rm -f "$log"' EXIT
cargo test -p omni-product-tests 2>&1 | tee "$log"
passed=$(awk '/^test result:/ { n += $4 } END { print n + 0 }' "$log")
echo "test-products: $passed tests passed in $(($(date +%s) - start)) s"
