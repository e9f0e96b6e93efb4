#!/usr/bin/env bash
# Builds the browser driver (sdk-wasm) into npm/dist/wasm/ and the npm
# package's JavaScript into npm/dist/, then prints the bundle sizes.
#
# Installs what it needs on first use: the wasm32 target, wasm-bindgen-cli
# at exactly the version in Cargo.lock (cached: skipped when the installed
# one matches), and the npm devDependencies (binaryen's wasm-opt, tsc,
# esbuild).
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"

if ! rustup target list --installed | grep -qx wasm32-unknown-unknown; then
  rustup target add wasm32-unknown-unknown
fi

# The CLI must match the library byte for byte, so read the locked version.
wb_version="$(awk '/^name = "wasm-bindgen"$/ { getline; gsub(/version = |"/, ""); print; exit }' Cargo.lock)"
if [ -z "$wb_version" ]; then
  echo "build-wasm: wasm-bindgen not found in Cargo.lock" >&2
  exit 1
fi
if ! command -v wasm-bindgen >/dev/null 2>&1 ||
  [ "$(wasm-bindgen --version | awk '{print $2}')" != "$wb_version" ]; then
  echo "build-wasm: installing wasm-bindgen-cli $wb_version (a few minutes, once)"
  cargo install wasm-bindgen-cli --version "$wb_version"
fi

if [ ! -d npm/node_modules ] || [ npm/package-lock.json -nt npm/node_modules/.package-lock.json ]; then
  # `npm install`, not `npm ci`: the lock lists only the platform builds of
  # optional packages (rollup, esbuild) that this registry serves, and
  # `npm ci` insists on all of them. `npm install --no-save` still installs
  # what the lock says and leaves it as it is.
  (cd npm && npm install --no-save --no-audit --no-fund)
fi

# Without the `std` feature: the module links no `std`, and its panic
# handler is the driver's own, which formats nothing (sdk-wasm/src/lib.rs).
cargo build -p omni-socket-wasm --target wasm32-unknown-unknown --profile wasm-release --no-default-features
# The target directory as cargo sees it (CARGO_TARGET_DIR or a config may move it).
target_dir="$(cargo metadata --format-version 1 --no-deps | node -e 'let s="";process.stdin.on("data",d=>s+=d).on("end",()=>console.log(JSON.parse(s).target_directory))')"

out="npm/dist/wasm"
rm -rf "$out"
mkdir -p "$out"
wasm-bindgen --target web --omit-default-module-path --out-dir "$out" --out-name omni_socket_wasm \
  "$target_dir/wasm32-unknown-unknown/wasm-release/omni_socket_wasm.wasm"

# -Oz and the rest (see the script); names and debug info go.
scripts/wasm-opt.sh "$out/omni_socket_wasm_bg.wasm" "$out/omni_socket_wasm_bg.opt.wasm" --strip-debug
mv "$out/omni_socket_wasm_bg.opt.wasm" "$out/omni_socket_wasm_bg.wasm"

# The hand-written TypeScript wrapper, React and Vue adapters; then the
# Node entries (src/node*.ts), type-checked apart with Node's types.
(cd npm && node_modules/.bin/tsc -p tsconfig.build.json && node_modules/.bin/tsc -p tsconfig.node.json)

# CommonJS for `require("omni-socket")` in Node: dist/cjs/ (see the script).
# Built before the minifying below, from tsc's output.
(cd npm && node scripts/build-cjs.mjs)

# The licence texts and the changelog go into the tarball; npm pack does not
# follow symlinks, so they are copied (and ignored by git in npm/).
cp LICENSE-MIT LICENSE-APACHE CHANGELOG.md npm/

# Ship the JavaScript minified, as socket.io-client ships its browser
# bundle: tsc keeps comments and long names. The entry's modules (socket,
# manager, url, emitter, …), the generated room table and the wasm-bindgen
# glue become one index.js (wasm.ts gives the glue the .wasm's URL itself);
# node-env.js, which only Node loads, stays apart, as do Node's entries. The
# members the modules call on each other (marked @internal, left out of the
# .d.ts files) and the glue's pointer property get short names too (the
# wasm's import and export names are kept). The .d.ts files are untouched.
modules="binary debug emitter engine manager socket types url wasm"
internal='^(_(run|peek|openSocket|closeSocket|disposeSocket|disposed|nodeBuffers|onEvent|changed|refreshed)|__wbg_ptr)$'
npm/node_modules/.bin/esbuild npm/dist/index.js --bundle --minify --format=esm \
  --log-level=warning --external:./node-env.js --mangle-props="$internal" \
  --outfile=npm/dist/index.js --allow-overwrite
for m in $modules; do rm -f "npm/dist/$m.js"; done
rm -f "$out/omni_socket_wasm.js"
for f in npm/dist/generated/rooms.js npm/dist/react.js npm/dist/vue.js npm/dist/node.js npm/dist/node-env.js npm/dist/node-react.js npm/dist/node-vue.js npm/dist/products/*.js npm/dist/products/node/*.js; do
  npm/node_modules/.bin/esbuild "$f" --minify --format=esm --log-level=warning \
    --outfile="$f" --allow-overwrite
done


size() { wc -c <"$1" | tr -d ' '; }
gz() { gzip -9c "$1" | wc -c | tr -d ' '; }
wasm="$out/omni_socket_wasm_bg.wasm"
core_js="npm/dist/index.js"
total_gz=$(($(gz "$wasm") + $(gz "$core_js")))
{
  echo "bundle sizes (bytes):"
  echo "  wasm            raw $(size "$wasm")  gzip $(gz "$wasm")"
  echo "  index.js        raw $(size "$core_js")  gzip $(gz "$core_js")  (with the room table and the wasm-bindgen glue)"
  echo "  total gzip (without react/vue adapters): $total_gz"
  for f in npm/dist/react.js npm/dist/vue.js; do
    [ -f "$f" ] && echo "  $(basename "$f")        raw $(size "$f")  gzip $(gz "$f")"
  done
} | tee npm/dist/SIZES.txt

# The size budget: the build fails when the bundle (wasm + index.js, which
# holds the wasm-bindgen glue, gzip -9) grows past the number in
# scripts/bundle-budget.txt. Sizes are deterministic for one toolchain, so
# this is a check, not a timed test; lower the number as the bundle shrinks.
budget="$(grep -v '^#' scripts/bundle-budget.txt | tr -d ' \n')"
if [ "$total_gz" -gt "$budget" ]; then
  echo "build-wasm: the bundle is $total_gz bytes gzipped, over the budget of $budget bytes in scripts/bundle-budget.txt" >&2
  echo "build-wasm: scripts/wasm-size.sh shows where the bytes are" >&2
  exit 1
fi
echo "  budget: $budget (scripts/bundle-budget.txt)"
