#!/usr/bin/env bash
# Prepares the official Node Socket.IO peers (tests/node-peers) that the
# sdk-native tests start. `cargo test --workspace` runs the tests; this
# script only makes sure the pinned npm packages are installed.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

command -v node >/dev/null || { echo "test-native: node (20+) is required" >&2; exit 1; }
major=$(node -p 'process.versions.node.split(".")[0]')
if [ "$major" -lt 20 ]; then
  echo "test-native: node 20+ is required, found $(node --version)" >&2
  exit 1
fi

if [ ! -d tests/node-peers/node_modules ]; then
  (cd tests/node-peers && npm ci --no-audit --no-fund)
fi

# With an argument, also run the native tests: scripts/test-native.sh run
if [ "${1:-}" = "run" ]; then
  cargo test -p omni-socket
fi
