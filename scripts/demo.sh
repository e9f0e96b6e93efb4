#!/usr/bin/env bash
# The main job. For now: the core decodes the protocol documents' example
# frames (pass your own frames as arguments).
set -euo pipefail
cd "$(dirname "$0")/.."
exec cargo run -q -p omni-socket-core --example inspect -- "$@"
