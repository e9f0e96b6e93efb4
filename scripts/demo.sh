#!/usr/bin/env bash
# The main job: the reference server, a native omni-socket client that
# prints typed events and heartbeat latency, and server-side activity
# triggered through the admin API so there is something to see.
#   OMNI_PORT (default 3001; 0 = any free port)
#   DEMO_SECONDS (default: run until Ctrl-C)
set -euo pipefail
cd "$(dirname "$0")/.."

port=${OMNI_PORT:-3001}
license=OMNI-PREM-ABCD-1234-EFGH

# The browser dashboards (React and Vue on the wasm SDK). Optional: when
# their build fails (no wasm toolchain, no npm registry), the native part of
# the demo still runs. OMNI_DEMO_WEB=0 skips them.
if [ "${OMNI_DEMO_WEB:-1}" != 0 ]; then
  echo "==> building the browser dashboards (scripts/build-demos.sh)"
  demo_log=$(mktemp)
  if ! scripts/build-demos.sh >"$demo_log" 2>&1; then
    echo "==> dashboards not built, continuing without them; the build said:"
    tail -n 15 "$demo_log" | sed 's/^/    /'
    rm -rf npm/dist/demo
  fi
  rm -f "$demo_log"
fi

echo "==> building the reference server and the native demo client"
# Both targets named: with only `--example`, cargo builds no binaries.
cargo build -q -p omni-reference-server -p omni-socket --bin omni-server --example omni_demo
target_dir=$(cargo metadata --format-version 1 --no-deps | node -e 'let s="";process.stdin.on("data",d=>s+=d).on("end",()=>console.log(JSON.parse(s).target_directory))')

log=$(mktemp)
pids=()
cleanup() {
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
  wait 2>/dev/null || true
  rm -f "$log"
}
trap cleanup EXIT INT TERM

static=()
[ -f npm/dist/demo/index.html ] && static=(--static-dir npm/dist/demo)
# --dev: no secret is configured, and the demo's admin token (signed with
# the public development secret) drives the admin API below.
"$target_dir/debug/omni-server" --bind "127.0.0.1:$port" --dev --print-demo-tokens \
  --status-interval-ms 10000 "${static[@]}" >"$log" 2>&1 &
pids+=($!)
for _ in $(seq 100); do
  grep -q "listening on" "$log" && break
  kill -0 "${pids[0]}" 2>/dev/null || { cat "$log"; exit 1; }
  sleep 0.1
done
grep -q "listening on" "$log" || { cat "$log"; echo "server did not start"; exit 1; }
# The port the server got (differs from $port only when that was 0).
port=$(sed -n 's|.*listening on http://[^ ]*:\([0-9][0-9]*\).*|\1|p' "$log" | head -n 1)
user_token=$(sed -n 's/^  user_12345 ([^)]*): //p' "$log")
admin_token=$(sed -n 's/^  user_67890 ([^)]*): //p' "$log")
echo "==> omni-server on http://127.0.0.1:$port (demo tokens: see --print-demo-tokens)"
if [ ${#static[@]} -gt 0 ]; then
  query="token=$user_token&license=$license"
  echo "==> browser dashboards (john_doe with $license):"
  echo "    React: http://127.0.0.1:$port/react/?$query"
  echo "    Vue:   http://127.0.0.1:$port/vue/?$query"
  echo "    both:  http://127.0.0.1:$port/?$query"
fi

# Server-side activity every few seconds, as an admin would trigger it.
(
  n=0
  post() {
    curl -s -o /dev/null -X POST "http://127.0.0.1:$port/admin/api/$1" \
      -H "authorization: Bearer $admin_token" -H 'content-type: application/json' -d "$2" || true
  }
  while sleep 4; do
    n=$((n + 1))
    post usage "{\"license_key\":\"$license\",\"api_calls\":$((1000 + n * 37)),\"storage_used_gb\":15.5,\"active_users\":$((10 + n % 5))}"
    post notifications "{\"user_id\":\"user_12345\",\"title\":\"Demo $n\",\"message\":\"Notification number $n\",\"type\":\"info\",\"priority\":\"normal\"}"
    if [ $((n % 3)) -eq 0 ]; then
      post licenses/renewed "{\"license_key\":\"$license\",\"old_expires_at\":\"2025-01-15T10:30:00Z\",\"new_expires_at\":\"$((2025 + n / 3))-01-15T10:30:00Z\"}"
    fi
  done
) &
pids+=($!)

echo "==> native client (Ctrl-C to stop)"
export OMNI_ROOMS=${OMNI_ROOMS:-user_12345}
client=("$target_dir/debug/examples/omni_demo" "http://127.0.0.1:$port" "$user_token" "$license")
if [ -n "${DEMO_SECONDS:-}" ]; then
  timeout "$DEMO_SECONDS" "${client[@]}" || [ $? -eq 124 ]
else
  "${client[@]}"
fi
