#!/usr/bin/env bash
# The CI-sized reliability suite (tests/reliability): server restarts,
# half-open and cut links, token expiry, malformed frames, connect_error
# backoff, hostile servers flooding the client and the CLI with 64 MB
# events and oversized frames, 200 connections, 1,000 reconnect cycles. A
# few minutes on two cores. The full sizes run with
# scripts/reliability-full.sh.
#
# Needs node 20+ (the ledger server uses the official socket.io package from
# tests/node-peers, installed here when missing). Prints the figures each
# scenario reports (lines starting with RELIABILITY) at the end.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

scripts/test-native.sh

echo "==> building the reference server and the omni-socket CLI"
cargo build -p omni-reference-server --bin omni-server -p omni-socket --bin omni-socket
target_dir=$(cargo metadata --format-version 1 --no-deps | sed -n 's/.*"target_directory":"\([^"]*\)".*/\1/p')
export OMNI_SERVER_BIN="${target_dir:-$PWD/target}/debug/omni-server"
export OMNI_SOCKET_BIN="${target_dir:-$PWD/target}/debug/omni-socket"
for bin in "$OMNI_SERVER_BIN" "$OMNI_SOCKET_BIN"; do
  if [ ! -x "$bin" ]; then
    echo "test-reliability: $bin is missing after the build" >&2
    exit 1
  fi
done

# 1,000+ sockets at the full size; the CI size needs a few hundred.
if [ "$(ulimit -n)" != unlimited ] && [ "$(ulimit -n)" -lt 4096 ]; then
  ulimit -n 4096 2>/dev/null || ulimit -n "$(ulimit -Hn)"
fi

log=$(mktemp)
trap 'rm -f "$log"' EXIT
echo "==> reliability scenarios"
cargo test -p omni-reliability-tests -- --nocapture 2>&1 | tee "$log"

echo
echo "==> figures"
grep -E '^RELIABILITY ' "$log" || true
