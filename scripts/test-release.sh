#!/usr/bin/env bash
# The release check: what a user downloads, installed as a user installs it.
#   1. packs every artifact (scripts/pack.sh): the npm tarball, the .crate
#      files; builds the npm package first if it is not built;
#   2. lints the tarball with publint and @arethetypeswrong/cli (npm
#      devDependencies, run from npm/node_modules); both must report
#      nothing;
#   3. `cargo doc` of the three crates as docs.rs builds them, warnings
#      denied;
#   4. npm/test/release.test.mjs: fresh projects in a temporary directory
#      (an ES-module app, a CommonJS script, TypeScript with node16 and
#      bundler resolution, a Vite app in Chromium) install the tarball and
#      receive an event from the official socket.io server;
#   5. a fresh cargo project in a temporary directory depends on the
#      packaged crates through [patch] to the unpacked .crate files (never
#      the workspace), builds, and receives a typed event (room_joined)
#      from the official socket.io server (tests/node-peers); the same
#      project checks the unpacked omni-socket-wasm for wasm32.
#
#   scripts/test-release.sh [ARTIFACT_DIR]
#
# With ARTIFACT_DIR (as scripts/release.sh passes), the artifacts already
# packed there are checked instead of packing the work tree.
#
# The cargo project builds into the workspace's own target directory, with
# the workspace's Cargo.lock: every dependency the workspace's tests built
# with the same features is reused, and only the unpacked crates and what
# differs in features are compiled (about 30 s on 2 cores after the
# workspace's tests). It lives at a fixed temporary path per work tree, so
# its crates keep the same identity from run to run and are rebuilt in place
# instead of piling up new copies in target/.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"

start=$(date +%s)
step() { printf -- '--- release check (%d s): %s\n' "$(($(date +%s) - start))" "$*"; }

work="$(mktemp -d "${TMPDIR:-/tmp}/omni-release-XXXXXX")"
server_pid=""
cargo_work=""
cleanup() {
  [ -n "$server_pid" ] && kill "$server_pid" 2>/dev/null || true
  # OMNI_KEEP=1 keeps the projects for a look after a failure.
  if [ -z "${OMNI_KEEP:-}" ]; then
    rm -rf "$work"
    if [ -n "$cargo_work" ]; then rm -rf "$cargo_work"; fi
  fi
}
trap cleanup EXIT

if [ ! -d npm/node_modules ]; then
  (cd npm && npm install --no-save --no-audit --no-fund)
fi
scripts/test-native.sh # installs tests/node-peers (the socket.io server) if needed

if [ -n "${1:-}" ]; then
  artifacts="$(cd "$1" && pwd)"
else
  if [ ! -f npm/dist/cjs/index.js ]; then
    scripts/build-wasm.sh
  fi
  step "pack"
  artifacts="$work/artifacts"
  scripts/pack.sh --allow-dirty "$artifacts"
fi
version="$(node -p 'require("./npm/package.json").version')"
tarball="$artifacts/omni-socket-$version.tgz"
for f in "$tarball" "$artifacts"/omni-socket{,-core,-wasm}-"$version".crate; do
  [ -f "$f" ] || { echo "test-release: $f is missing" >&2; exit 1; }
done

step "publint"
publint_out="$(npm/node_modules/.bin/publint run "$tarball" --strict 2>&1)" || {
  echo "$publint_out"
  exit 1
}
echo "$publint_out"
grep -q 'All good!' <<<"$publint_out" || { echo "test-release: publint reported something" >&2; exit 1; }

step "@arethetypeswrong/cli"
# ./wasm is the .wasm file itself (for bundlers that want its URL): no
# types to resolve there, by design.
npm/node_modules/.bin/attw "$tarball" --exclude-entrypoints ./wasm --format ascii --no-color

step "cargo doc (warnings denied), as docs.rs builds each crate"
RUSTDOCFLAGS="-D warnings" cargo doc --no-deps --quiet -p omni-socket-core -p omni-socket
RUSTDOCFLAGS="-D warnings" cargo doc --no-deps --quiet -p omni-socket-wasm --target wasm32-unknown-unknown

step "npm tarball in fresh ESM, CommonJS, TypeScript and Vite projects"
(cd npm && OMNI_TARBALL="$tarball" node --test --test-reporter=spec test/release.test.mjs)

step "packaged crates in a fresh cargo project"
cargo_work="${TMPDIR:-/tmp}/omni-release-cargo-$(printf %s "$root" | cksum | cut -d' ' -f1)"
rm -rf "$cargo_work"
crates="$cargo_work/crates"
mkdir -p "$crates"
for c in "$artifacts"/*.crate; do
  # -m: extraction time as mtime (the archive's are fixed), so cargo sees
  # the sources as new.
  tar -xzmf "$c" -C "$crates"
done
app="$cargo_work/app"
mkdir -p "$app/src"
cat >"$app/Cargo.toml" <<EOF
[package]
name = "omni-release-check"
version = "0.0.0"
edition = "2021"
publish = false

[target.'cfg(not(target_arch = "wasm32"))'.dependencies]
omni-socket = "$version"
tokio = { version = "1", features = ["rt-multi-thread", "macros", "time"] }

[target.'cfg(target_arch = "wasm32")'.dependencies]
omni-socket-wasm = "$version"

# The crates as crates.io will serve them: the unpacked .crate files.
[patch.crates-io]
omni-socket = { path = "$crates/omni-socket-$version" }
omni-socket-core = { path = "$crates/omni-socket-core-$version" }
omni-socket-wasm = { path = "$crates/omni-socket-wasm-$version" }

[workspace]
EOF
cat >"$app/src/main.rs" <<'EOF'
//! Joins a room on the socket.io server given as argument and prints the
//! typed `room_joined` event it answers with.

#[cfg(not(target_arch = "wasm32"))]
#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    use omni_socket::models::omni::RoomJoined;
    use omni_socket::Client;
    use std::time::Duration;

    let url = std::env::args().nth(1).ok_or("usage: omni-release-check URL")?;
    let client = Client::builder(&url).connect().await?;
    let mut joined = client.subscribe::<RoomJoined>();
    client.join_room("license_release", "license").await?;
    let event = tokio::time::timeout(Duration::from_secs(20), joined.next())
        .await?
        .ok_or("the event stream ended")?;
    println!("room_joined {} {} {}", event.room, event.kind, event.members_count);
    client.disconnect().await?;
    Ok(())
}

// The browser driver only has to build for its target here.
#[cfg(target_arch = "wasm32")]
use omni_socket_wasm as _;
#[cfg(target_arch = "wasm32")]
fn main() {}
EOF
# The workspace's lock: the same dependency versions as every other build,
# and nothing to resolve from the network.
cp Cargo.lock "$app/Cargo.lock"
target_dir="$(cargo metadata --format-version 1 --no-deps | node -e 'let s="";process.stdin.on("data",d=>s+=d).on("end",()=>console.log(JSON.parse(s).target_directory))')"
export CARGO_TARGET_DIR="$target_dir"
cargo_offline() {
  (cd "$app" && cargo "$@" --offline) || (cd "$app" && cargo "$@")
}
cargo_offline build --quiet
cargo_offline check --quiet --target wasm32-unknown-unknown

server_log="$work/server.log"
PORT=0 node tests/node-peers/server.mjs >"$server_log" 2>&1 &
server_pid=$!
for _ in $(seq 100); do
  [ -s "$server_log" ] && break
  sleep 0.1
done
port="$(head -n1 "$server_log")"
out="$(timeout 60 "$CARGO_TARGET_DIR/debug/omni-release-check" "http://127.0.0.1:$port")"
echo "$out"
[ "$out" = "room_joined license_release license 1" ] || { echo "test-release: unexpected output from the cargo project" >&2; exit 1; }

echo "test-release: ok in $(($(date +%s) - start)) s"
