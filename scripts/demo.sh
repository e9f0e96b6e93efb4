#!/usr/bin/env bash
# The main job: the reference server, a native omni-socket client that
# prints every event of seed 000 in plain words with the heartbeat latency,
# and server-side activity triggered through the admin API so there is
# something to see. The browser dashboards build in the background once
# the server and the client run; their links are printed when ready.
#   OMNI_PORT (default 3001; 0 = any free port)
#   DEMO_SECONDS (default: run until Ctrl-C)
#   OMNI_DEMO_WEB=0 skips the dashboards
set -euo pipefail
cd "$(dirname "$0")/.."

port=${OMNI_PORT:-3001}
license=OMNI-PREM-ABCD-1234-EFGH
t0=$(date +%s)
elapsed() { echo "$(($(date +%s) - t0)) s"; }

echo "==> building the reference server and the native demo client with cargo"
echo "    (the first run compiles about 250 crates: 2-3 minutes on 2 cores; later runs take seconds)"
# Both targets named: with only `--example`, cargo builds no binaries.
# Cargo's own progress shows: a bar on a terminal, a line per crate otherwise.
cargo build -p omni-reference-server -p omni-socket --bin omni-server --example omni_demo
target_dir=$(cargo metadata --format-version 1 --no-deps | sed -n 's/.*"target_directory":"\([^"]*\)".*/\1/p')
target_dir=${target_dir:-$PWD/target}

log=$(mktemp)
web_log=$(mktemp)
pids=()
web_pid=
cleanup() {
  if [ -n "$web_pid" ] && [ ! -f "$web_log.rc" ] && kill -0 "$web_pid" 2>/dev/null; then
    echo "==> stopping the dashboards build (scripts/build-demos.sh finishes it)"
    # Its own process group (setsid below): npm, vite and cargo with it.
    kill -- "-$web_pid" 2>/dev/null || true
  fi
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
  wait 2>/dev/null || true
  rm -f "$log" "$web_log" "$web_log.rc"
}
trap cleanup EXIT INT TERM

web=${OMNI_DEMO_WEB:-1}
static=()
if [ "$web" != 0 ]; then
  # Served from the start; the pages appear once the build below is done.
  mkdir -p npm/dist/demo
  static=(--static-dir npm/dist/demo)
fi
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
echo "==> omni-server on http://127.0.0.1:$port after $(elapsed) (demo tokens: see --print-demo-tokens)"

if [ "$web" != 0 ]; then
  query="token=$user_token&license=$license"
  echo "==> building the browser dashboards in the background (scripts/build-demos.sh, log: $web_log);"
  echo "    the first time takes 5-10 minutes (wasm32 target, wasm-bindgen-cli, npm packages)"
  web_rc="$web_log.rc"
  # A session (and process group) of its own, so cleanup stops all of it:
  # the shell below, npm, vite, cargo.
  setsid bash -c 'scripts/build-demos.sh >"$1" 2>&1; echo $? >"$2"' _ "$web_log" "$web_rc" &
  web_pid=$!
  # Progress while it builds (a line a minute: its latest step), then the links.
  (
    waited=0
    while [ ! -f "$web_rc" ]; do
      kill -0 "$web_pid" 2>/dev/null || exit 0
      sleep 1
      waited=$((waited + 1))
      if [ $((waited % 60)) -eq 0 ]; then
        last=$(grep -E '^(==>|build-|  +(Compiling|Installing|Downloaded))' "$web_log" | tail -n 1 | sed 's/^ *//')
        echo "==> dashboards still building ($(elapsed)): ${last:-starting}"
      fi
    done
    if [ "$(cat "$web_rc")" = 0 ]; then
      echo "==> browser dashboards ready after $(elapsed) (john_doe with $license):"
      echo "    React: http://127.0.0.1:$port/react/?$query"
      echo "    Vue:   http://127.0.0.1:$port/vue/?$query"
      echo "    both:  http://127.0.0.1:$port/?$query"
    else
      echo "==> dashboards not built, the rest runs without them; the build said:"
      tail -n 15 "$web_log" | sed 's/^/    /'
    fi
  ) &
  pids+=($!)
fi

# Server-side activity every few seconds, as an admin would trigger it:
# every event family of seed 000 within a minute.
(
  n=0
  post() {
    curl -s -o /dev/null -X POST "http://127.0.0.1:$port/admin/api/$1" \
      -H "authorization: Bearer $admin_token" -H 'content-type: application/json' -d "$2" || true
  }
  demo_key=OMNI-DEMO-0000-0000-0000
  while sleep 4; do
    n=$((n + 1))
    post usage "{\"license_key\":\"$license\",\"api_calls\":$((1000 + n * 37)),\"storage_used_gb\":15.5,\"active_users\":$((10 + n % 5))}"
    post notifications "{\"user_id\":\"user_12345\",\"title\":\"Demo $n\",\"message\":\"Notification number $n\",\"type\":\"info\",\"priority\":\"normal\"}"
    case $((n % 3)) in
      0) post licenses/renewed "{\"license_key\":\"$license\",\"old_expires_at\":\"2025-01-15T10:30:00Z\",\"new_expires_at\":\"$((2025 + n / 3))-01-15T10:30:00Z\"}" ;;
      1) post quota-warning "{\"license_key\":\"$license\",\"type\":\"api_calls\",\"current\":$((9000 + n)),\"limit\":10000,\"percentage\":$((90 + n % 10)),\"message\":\"You have used $((90 + n % 10))% of your API calls quota\"}" ;;
      2) post licenses/updated "{\"license_key\":\"$license\",\"changes\":{\"updated_at\":\"$(date -u +%Y-%m-%dT%H:%M:%SZ)\"}}" ;;
    esac
    case $((n % 6)) in
      1) demo_key=$(printf 'OMNI-DEMO-%04d-0000-0000' "$n")
         post licenses/created "{\"license_key\":\"$demo_key\",\"client_id\":\"user_13579\",\"plan\":\"basic\"}" ;;
      3) post licenses/expired "{\"license_key\":\"$demo_key\"}" ;;
      5) post licenses/deleted "{\"license_key\":\"$demo_key\",\"reason\":\"Demo over\"}" ;;
    esac
    case $((n % 5)) in
      2) post users/login '{"user_id":"user_13579","username":"carol","ip_address":"192.168.1.100"}' ;;
      4) post users/logout "{\"user_id\":\"user_13579\",\"session_duration\":$((n * 4))}" ;;
    esac
    case $((n % 10)) in
      7) post maintenance '{"enabled":true,"message":"System maintenance in progress","estimated_duration":1800}' ;;
      9) post maintenance '{"enabled":false}' ;;
    esac
  done
) &
pids+=($!)

echo "==> native client after $(elapsed) (Ctrl-C to stop)"
export OMNI_ROOMS=${OMNI_ROOMS:-user_12345}
export OMNI_ADMIN_TOKEN=$admin_token
client=("$target_dir/debug/examples/omni_demo" "http://127.0.0.1:$port" "$user_token" "$license")
if [ -n "${DEMO_SECONDS:-}" ]; then
  timeout "$DEMO_SECONDS" "${client[@]}" || [ $? -eq 124 ]
else
  "${client[@]}"
fi
