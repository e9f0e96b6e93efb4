#!/usr/bin/env bash
# Builds omni-server and runs its tests with the official socket.io-client.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

# The Redis scale-out test needs a real redis-server (Debian package).
if ! command -v redis-server >/dev/null 2>&1; then
  SUDO=""
  if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi
  $SUDO apt-get update
  $SUDO apt-get install -y redis-server
fi
export OMNI_REQUIRE_REDIS=1

cargo build -p omni-reference-server --features redis
target_dir="$(cargo metadata --format-version 1 --no-deps | node -e 'let s="";process.stdin.on("data",d=>s+=d).on("end",()=>console.log(JSON.parse(s).target_directory))')"
export OMNI_SERVER_BIN="$target_dir/debug/omni-server"

cd tests/reference-server
# Reinstall only when the lockfile changed since the last install.
if [ ! -f node_modules/.package-lock.json ] || ! cmp -s package-lock.json node_modules/.package-lock.json.installed; then
  npm ci --no-audit --no-fund
  cp package-lock.json node_modules/.package-lock.json.installed
fi
exec node --test --test-timeout=60000
