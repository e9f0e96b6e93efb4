#!/usr/bin/env bash
# Builds the browser SDK and runs its tests:
#   - wasm-bindgen-test in Node: the Rust driver against socket.io;
#   - vitest (happy-dom): React hook and Vue plugin/composable;
#   - node:test in Node (--experimental-websocket): the built package over
#     WebSocket and long-polling against the official socket.io server, and
#     side by side with socket.io-client (same scripts, same results: the
#     protocol in parity.test.mjs, the drop-in API in dropin.test.mjs;
#     node-env.test.mjs runs both in Node processes of their own: ws,
#     autoUnref, DEBUG);
#   - node:test with headless Chromium (playwright-core, Debian chromium):
#     real-wire tests and the packaging test (npm pack into a Vite app).
# Installs Chromium with apt-get when /usr/bin/chromium is missing.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"

if [ ! -x "${CHROMIUM_PATH:-/usr/bin/chromium}" ]; then
  echo "test-wasm: installing chromium"
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null
fi

scripts/build-wasm.sh

cd npm
if [ ! -d node_modules ]; then
  # `npm install`, not `npm ci`: the lock lists only the platform builds of
  # optional packages (rollup, esbuild) that this registry serves, and
  # `npm ci` insists on all of them. `npm install --no-save` still installs
  # what the lock says and leaves it as it is.
  npm install --no-save --no-audit --no-fund
fi

start=$(date +%s)

# The driver's own wasm-bindgen tests, in Node, against a socket.io server
# started here on a free port and stopped on exit.
server_log="$(mktemp)"
node test/server.mjs >"$server_log" 2>&1 &
server_pid=$!
trap 'kill "$server_pid" 2>/dev/null || true; rm -f "$server_log"' EXIT
for _ in $(seq 100); do
  grep -q '^http://' "$server_log" && break
  sleep 0.1
done
server_url="$(grep -m1 '^http://' "$server_log")"
(
  cd "$root"
  OMNI_TEST_URL="$server_url" NODE_OPTIONS=--experimental-websocket \
    CARGO_TARGET_WASM32_UNKNOWN_UNKNOWN_RUNNER=wasm-bindgen-test-runner \
    cargo test -p omni-socket-wasm --target wasm32-unknown-unknown --test node
)
kill "$server_pid" 2>/dev/null || true

# The published declarations, imported through the package's exports map.
node_modules/.bin/tsc --noEmit -p type-tests/api
node_modules/.bin/vitest run
# One file at a time: each starts its own server, and the Chromium ones a
# browser; the machine is small.
node --experimental-websocket --no-warnings --test --test-concurrency=1 \
  test/node.test.mjs test/parity.test.mjs test/dropin.test.mjs test/node-env.test.mjs \
  test/conformance.test.mjs test/vocabulary.test.mjs test/wire.test.mjs test/package.test.mjs \
  test/numbers.test.mjs test/early.test.mjs
echo "test-wasm: ok in $(($(date +%s) - start)) s"
