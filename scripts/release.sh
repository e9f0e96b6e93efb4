#!/usr/bin/env bash
# Prepares a release of the four artifacts (see RELEASING.md) and stops
# short of publishing: it checks, builds, packs and tests what would be
# uploaded, then prints the publish commands for a person to run.
#
#   scripts/release.sh [--allow-dirty] [--full]
#
#   --allow-dirty  rehearse on a work tree with uncommitted changes (the
#                  version and changelog checks still apply)
#   --full         run the whole test suite (scripts/test.sh) first
#
# The artifacts end up in target/release-artifacts/ with their file lists
# and sizes in ARTIFACTS.txt.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"

allow_dirty=0
full=0
for arg in "$@"; do
  case "$arg" in
    --allow-dirty) allow_dirty=1 ;;
    --full) full=1 ;;
    *) echo "usage: scripts/release.sh [--allow-dirty] [--full]" >&2; exit 2 ;;
  esac
done

fail() { echo "release: $*" >&2; exit 1; }
step() { printf '\n==> %s\n' "$*"; }

step "work tree and versions"
if [ "$allow_dirty" = 0 ] && [ -n "$(git status --porcelain)" ]; then
  fail "the work tree has uncommitted changes (commit them, or rehearse with --allow-dirty)"
fi
metadata="$(cargo metadata --format-version 1 --no-deps)"
crate_version() { node -e 'const m=JSON.parse(process.argv[1]);const p=m.packages.find(p=>p.name===process.argv[2]);console.log(p?p.version:"")' "$metadata" "$1"; }
version="$(crate_version omni-socket-core)"
[ -n "$version" ] || fail "no omni-socket-core in the workspace"
for c in omni-socket omni-socket-wasm; do
  [ "$(crate_version "$c")" = "$version" ] || fail "$c is at $(crate_version "$c"), omni-socket-core at $version"
done
npm_version="$(node -p 'require("./npm/package.json").version')"
[ "$npm_version" = "$version" ] || fail "npm/package.json is at $npm_version, the crates at $version"
# The version requirement the other crates publish for the core.
core_req="$(awk -F'"' '/^omni-socket-core = /{ for (i = 1; i < NF; i++) if ($i ~ /version = $/) print $(i + 1) }' Cargo.toml)"
[ "$core_req" = "$version" ] || fail "[workspace.dependencies] asks for omni-socket-core \"$core_req\", not \"$version\""
grep -Eq "^## $(sed 's/\./\\./g' <<<"$version") — [0-9]{4}-[0-9]{2}-[0-9]{2}$" CHANGELOG.md ||
  fail "CHANGELOG.md has no heading \"## $version — YYYY-MM-DD\""
unreleased="$(awk '/^## Unreleased/{ on = 1; next } /^## /{ on = 0 } on && NF' CHANGELOG.md)"
[ -z "$unreleased" ] || fail "CHANGELOG.md still has entries under Unreleased: move them under $version"
echo "version $version (crates, npm package, changelog)"

if [ "$full" = 1 ]; then
  step "the whole test suite"
  FUZZ_SECONDS="${FUZZ_SECONDS:-0}" scripts/test.sh
fi

step "build: wasm and the npm package"
scripts/build-wasm.sh

step "doc tests of the published crates"
cargo test --doc -p omni-socket-core -p omni-socket -p omni-socket-wasm

step "pack"
target_dir="$(node -e 'console.log(JSON.parse(process.argv[1]).target_directory)' "$metadata")"
artifacts="$target_dir/release-artifacts"
if [ "$allow_dirty" = 1 ]; then
  scripts/pack.sh --allow-dirty "$artifacts"
else
  scripts/pack.sh "$artifacts"
fi

step "release check of the packed artifacts"
scripts/test-release.sh "$artifacts"

step "ready"
if ! grep -q '^repository' Cargo.toml || ! grep -q '"repository"' npm/package.json; then
  echo "note: no \`repository\` in Cargo.toml / npm/package.json yet (RELEASING.md says why); add it if the project has a public home now"
fi
cat <<EOF
The artifacts are in $artifacts (file lists in ARTIFACTS.txt).
Not run — publish by hand, in this order:

  cargo publish -p omni-socket-core
  cargo publish -p omni-socket
  cargo publish -p omni-socket-wasm
  npm publish $artifacts/omni-socket-$version.tgz
  git tag -a v$version -m "omni-socket $version" && git push origin v$version
EOF
