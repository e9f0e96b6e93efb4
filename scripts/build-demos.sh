#!/usr/bin/env bash
# Builds the React and Vue demo dashboards (examples/react-dashboard,
# examples/vue-dashboard) with Vite into npm/dist/demo/:
#   npm/dist/demo/index.html   landing page linking both
#   npm/dist/demo/react/       the React dashboard
#   npm/dist/demo/vue/         the Vue dashboard
# omni-server serves them with `--static-dir npm/dist/demo`; open
# /react/?token=<JWT>&license=<key>.
#
# Runs scripts/build-wasm.sh first when the package is not built yet
# (OMNI_REBUILD_WASM=1 forces it).
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"

if [ "${OMNI_REBUILD_WASM:-0}" = 1 ] || [ ! -f npm/dist/index.js ] ||
  [ ! -f npm/dist/wasm/omni_socket_wasm_bg.wasm ]; then
  scripts/build-wasm.sh
fi

# `npm ci`, unless the lock lists optional platform packages (rollup's,
# esbuild's) that the registry in use cannot resolve: then `npm install
# --no-save` from the same lock, which leaves the lock untouched.
install() {
  if [ -d node_modules ] && [ ! package-lock.json -nt node_modules/.package-lock.json ]; then
    return
  fi
  local log
  log=$(mktemp)
  if ! npm ci --no-audit --no-fund --loglevel=error >"$log" 2>&1; then
    echo "build-demos: npm ci failed in $(basename "$PWD") ($(grep -m1 -o 'Missing: .*' "$log" || echo 'see above')); trying npm install --no-save" >&2
    grep -q 'Missing: ' "$log" || cat "$log" >&2
    npm install --no-save --no-audit --no-fund --loglevel=error
  fi
  rm -f "$log"
}

out="$root/npm/dist/demo"
rm -rf "$out"
mkdir -p "$out"
for app in react vue; do
  echo "==> building examples/$app-dashboard"
  (
    cd "examples/$app-dashboard"
    install
    OMNI_DEMO_OUT="$out/$app" node_modules/.bin/vite build --logLevel warn
  )
done
cp examples/dashboard-common/index.html "$out/index.html"
echo "build-demos: $out (index.html, react/, vue/)"
