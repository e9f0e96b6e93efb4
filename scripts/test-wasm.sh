#!/usr/bin/env bash
# Builds the browser SDK and runs its JavaScript tests:
#   - vitest (happy-dom): React hook and Vue plugin/composable;
#   - node:test in Node (--experimental-websocket): the built package over
#     WebSocket and long-polling against the official socket.io server;
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
  npm ci --no-audit --no-fund
fi

start=$(date +%s)
# The published declarations, imported through the package's exports map.
node_modules/.bin/tsc --noEmit -p type-tests/api
node_modules/.bin/vitest run
# One file at a time: each starts its own server, and the Chromium ones a
# browser; the machine is small.
node --experimental-websocket --no-warnings --test --test-concurrency=1 \
  test/node.test.mjs test/wire.test.mjs test/package.test.mjs
echo "test-wasm: ok in $(($(date +%s) - start)) s"
