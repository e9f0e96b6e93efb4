#!/usr/bin/env bash
# Runs every check and test of omni-socket. This is the command README.md
# gives and the one .ci/run calls. It installs what the tests need beyond
# the Rust toolchain, Node 20 and apt.
#   FUZZ_SECONDS=N  seconds per fuzz target in the smoke run (default 15; 0 skips)
set -euo pipefail
cd "$(dirname "$0")/.."

step() { printf '\n==> %s\n' "$*"; }

step "cargo fmt --check"
cargo fmt --all -- --check

step "cargo clippy (all targets, -D warnings)"
cargo clippy --workspace --all-targets --all-features -- -D warnings

step "the main job (scripts/demo.sh): reference server, native client with events and latency"
# Before cargo test, which builds every binary: this way the step also
# checks that demo.sh builds what it runs on a fresh clone.
demo_log=$(mktemp)
# Port 0: the server takes a free port when it binds, so nothing else can
# take it between choosing and binding.
if ! DEMO_SECONDS=30 OMNI_PORT=0 scripts/demo.sh >"$demo_log" 2>&1; then
  cat "$demo_log"
  echo "scripts/demo.sh failed" >&2
  exit 1
fi
for want in '^connected to ' '^authenticated as ' '^joined ' '^license check: ' \
  '^notification ' '^usage of ' '^quota warning ' '^license renewed: ' '^license created: ' \
  '^user login: ' '^system status: ' '^latency: ' '^==> native client after '; do
  if ! grep -q "$want" "$demo_log"; then
    cat "$demo_log"
    echo "scripts/demo.sh printed no line matching $want" >&2
    exit 1
  fi
done
# Plain words from the client (not cargo's or the scripts' own lines): no
# escape codes, no Rust debug formatting.
if grep -v -e '^==>' -e '^[[:space:]]' "$demo_log" | grep -n -e $'\e\[' -e 'Some(' -e ' { '; then
  echo "scripts/demo.sh printed escape codes or debug formatting (above)" >&2
  exit 1
fi
rm -f "$demo_log"

step "Node peers for the native tests (official socket.io server and client)"
scripts/test-native.sh

step "cargo test"
# The reliability scenarios and the product matrix run below, each with
# the server binary they need built first.
cargo test --workspace --all-features --exclude omni-reliability-tests --exclude omni-product-tests

step "product matrix (PRODUCTS.md): every seed product through the native client, WebSocket and polling"
scripts/test-products.sh

step "reference server against the official socket.io-client"
scripts/test-reference-server.sh

step "reliability: restarts, half-open and cut links, token expiry, malformed frames, load, soak"
scripts/test-reliability.sh

step "TypeScript declarations type-check (generated from the Rust models)"
scripts/ts-check.sh

step "browser SDK: wasm build, React/Vue adapters, headless Chromium, packaging"
scripts/test-wasm.sh

step "product matrix (PRODUCTS.md), browser column: every seed product through the npm product modules in headless Chromium, WebSocket and polling"
# The package was just built by test-wasm.sh.
OMNI_NPM_BUILT=1 scripts/test-products-browser.sh
# The browser-only code paths, linted for the target they run on.
cargo clippy -p omni-socket-wasm --target wasm32-unknown-unknown --all-targets -- -D warnings
# And as it ships: without `std` (scripts/build-wasm.sh).
cargo clippy -p omni-socket-wasm --target wasm32-unknown-unknown --no-default-features -- -D warnings

step "release check: the npm tarball and the .crate files installed in fresh projects, publint, arethetypeswrong, cargo doc"
scripts/test-release.sh

step "React and Vue dashboards served by the reference server, end to end in Chromium"
scripts/test-demos.sh

step "benchmarks run once as tests"
cargo test -p omni-socket-core --benches -q

step "benchmark harness smoke run (tiny counts; measures nothing)"
scripts/bench.sh --smoke

if [ "${FUZZ_SECONDS:-15}" != 0 ]; then
  step "fuzz smoke run (${FUZZ_SECONDS:-15}s per target)"
  scripts/fuzz.sh "${FUZZ_SECONDS:-15}"
fi

step "all tests passed"
