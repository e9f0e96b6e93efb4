#!/usr/bin/env bash
# Type-checks the TypeScript declarations generated from the Rust event
# models (npm/src/generated) against the type test in npm/type-tests: correct
# handlers must compile and the `@ts-expect-error` lines must stay errors.
#
# The Rust side of the drift check (generated files == what the Rust types
# produce) is the test `models::typescript` in sdk-core:
#   cargo test -p omni-socket-core --features ts models::
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root/npm"

if [ ! -d node_modules ]; then
  # `npm install`, not `npm ci`: the lock lists only the platform builds of
  # optional packages (rollup, esbuild) that this registry serves, and
  # `npm ci` insists on all of them. `npm install --no-save` still installs
  # what the lock says and leaves it as it is.
  npm install --no-save --no-audit --no-fund
fi

npx --no-install tsc --noEmit -p type-tests
echo "ts-check: ok"
