#!/usr/bin/env bash
# Packs every published artifact into one directory, as the registries will
# receive them, and lists each one's files with their sizes:
#   - the npm tarball (`npm pack` in npm/; build it first with
#     scripts/build-wasm.sh, which this script does not run);
#   - the .crate files of omni-socket-core, omni-socket and omni-socket-wasm
#     (`cargo package`, in dependency order, without cargo's verification
#     build: scripts/test-release.sh builds the unpacked crates itself).
#
#   scripts/pack.sh [--allow-dirty] [OUT_DIR]   (default target/release-artifacts)
#
# The listing is printed and written to OUT_DIR/ARTIFACTS.txt.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"

dirty=()
if [ "${1:-}" = "--allow-dirty" ]; then
  dirty=(--allow-dirty)
  shift
fi
target_dir="$(cargo metadata --format-version 1 --no-deps | node -e 'let s="";process.stdin.on("data",d=>s+=d).on("end",()=>console.log(JSON.parse(s).target_directory))')"
out="${1:-$target_dir/release-artifacts}"

for f in npm/dist/node.js npm/dist/cjs/index.js npm/dist/wasm/omni_socket_wasm_bg.wasm; do
  if [ ! -f "$f" ]; then
    echo "pack: $f is missing; build the package first: scripts/build-wasm.sh" >&2
    exit 1
  fi
done

rm -rf "$out"
mkdir -p "$out"
out="$(cd "$out" && pwd)"

# The licences and the changelog as they are now (the build copies them too).
cp LICENSE-MIT LICENSE-APACHE CHANGELOG.md npm/
tarball="$(cd npm && npm pack --silent --pack-destination "$out")"

crates=(-p omni-socket-core -p omni-socket -p omni-socket-wasm)
rm -f "$target_dir"/package/*.crate
# The index is only read to write each crate's Cargo.lock; what an earlier
# build fetched is enough, so try without the network first.
if ! cargo package "${crates[@]}" --no-verify "${dirty[@]}" --offline --quiet 2>"$out/cargo-package.log"; then
  cargo package "${crates[@]}" --no-verify "${dirty[@]}" --quiet 2>"$out/cargo-package.log" ||
    { cat "$out/cargo-package.log" >&2; exit 1; }
fi
cp "$target_dir"/package/*.crate "$out/"
rm -f "$out/cargo-package.log"

# One line per file: size in bytes, then the path inside the archive.
list() {
  tar -tvzf "$1" | awk '{ size = $3; $1 = $2 = $3 = $4 = $5 = ""; sub(/^ +/, ""); printf "  %9d  %s\n", size, $0 }'
}
{
  for f in "$out/$tarball" "$out"/*.crate; do
    echo "$(basename "$f"): $(wc -c <"$f" | tr -d ' ') bytes compressed, $(tar -tvzf "$f" | awk '{ s += $3 } END { print s }') bytes unpacked, $(tar -tzf "$f" | wc -l | tr -d ' ') files"
    list "$f"
  done
} | tee "$out/ARTIFACTS.txt"
