#!/usr/bin/env bash
# End-to-end tests of the demo dashboards: builds them (scripts/build-demos.sh,
# which builds the wasm package first if needed) and the reference server,
# then runs examples/dashboard-e2e/ with node:test: the chart and timeline
# logic alone, then omni-server on 127.0.0.1 and a free port serving
# npm/dist/demo, the React and Vue dashboards in headless Chromium
# (playwright-core, Debian chromium), events through the admin API, the
# latency chart and connection timeline, and a server kill + restart on the
# same port; then seed 000's own code samples with socket.io-client and with
# omni-socket against the reference server (seed000-samples.test.mjs).
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"

if [ ! -x "${CHROMIUM_PATH:-/usr/bin/chromium}" ]; then
  echo "test-demos: installing chromium"
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null
fi

scripts/build-demos.sh
cargo build -q -p omni-reference-server

start=$(date +%s)
# The shared logic of the latency chart and the connection timeline.
node --test examples/dashboard-e2e/page.test.mjs
# playwright-core comes from npm/node_modules (installed by build-wasm.sh).
timeout 600 node --test --test-concurrency=1 examples/dashboard-e2e/dashboards.test.mjs \
  examples/dashboard-e2e/seed000-samples.test.mjs
echo "test-demos: ok in $(($(date +%s) - start)) s"
