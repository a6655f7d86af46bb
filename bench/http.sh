#!/usr/bin/env bash
# Throughput and latency of the busiest reads of the foundation, as ratios
# against /healthz (no database) measured in the same run, plus the server's
# memory before and after the load. Release build, demo organization, SQLite
# by default or PostgreSQL with COACH_DATABASE_URL=postgres://…
# Usage: bench/http.sh [SECONDS_PER_ENDPOINT]   (default 10; needs Debian's wrk)
set -euo pipefail
cd "$(dirname "$0")/.."
secs=${1:-10}
command -v wrk >/dev/null || { echo "bench/http.sh needs wrk (apt-get install wrk)" >&2; exit 1; }
cargo build --release --quiet --bin coach
bin=target/release/coach
work=$(mktemp -d /tmp/coach-bench.XXXXXX)
export COACH_DATA_DIR="$work" COACH_LOG=warn
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
base="http://127.0.0.1:$port"
"$bin" demo --reset --no-serve >/dev/null
"$bin" serve --bind "127.0.0.1:$port" >"$work/server.log" 2>&1 &
server=$!
trap 'kill $server 2>/dev/null || true; wait $server 2>/dev/null || true; rm -rf "$work"' EXIT
for _ in $(seq 1 100); do curl -sf "$base/readyz" >/dev/null && break; sleep 0.1; done

token=$("$bin" token create --org demo --email admin@demo.example --name bench 2>/dev/null)
jar="$work/cookies"
csrf=$(curl -s -c "$jar" "$base/login" | sed -n 's/.*name="_csrf" value="\([^"]*\)".*/\1/p' | head -1)
curl -s -b "$jar" -c "$jar" -o /dev/null -d "email=admin@demo.example&password=coach-demo&_csrf=$csrf" "$base/login"
cookie=$(awk '$6=="coach_session"{print $7}' "$jar")
rss() { awk '/VmRSS/{print $2}' "/proc/$server/status"; }

rss_before=$(rss)
printf '%-34s %10s %9s %9s %7s\n' "endpoint" "req/s" "p50 ms" "p99 ms" "ratio"
baseline=""
run() {
  local name=$1 path=$2; shift 2
  local out rps p50 p99
  out=$(wrk -t1 -c16 -d"${secs}s" --latency "$@" "$base$path")
  rps=$(awk '/Requests\/sec/{print $2}' <<<"$out")
  p50=$(awk '$1=="50%"{print $2}' <<<"$out")
  p99=$(awk '$1=="99%"{print $2}' <<<"$out")
  if grep -q "Non-2xx" <<<"$out"; then echo "$name answered errors:" >&2; echo "$out" >&2; exit 1; fi
  [ -z "$baseline" ] && baseline=$rps
  printf '%-34s %10s %9s %9s %7.2f\n' "$name" "$rps" "$p50" "$p99" "$(python3 -c "print($rps/$baseline)")"
}
run "GET /healthz (baseline)" /healthz
run "GET /readyz (one query)" /readyz
run "GET /api/v1/me (token)" /api/v1/me -H "Authorization: Bearer $token"
run "GET /api/v1/users (29 people)" "/api/v1/users" -H "Authorization: Bearer $token"
run "GET /api/v1/teams" /api/v1/teams -H "Authorization: Bearer $token"
run "GET / (page, session)" / -H "Cookie: coach_session=$cookie"
run "GET /people (page, session)" /people -H "Cookie: coach_session=$cookie"
rss_after=$(rss)
echo
echo "server memory (VmRSS): ${rss_before} kB before, ${rss_after} kB after the load"
echo "database: ${COACH_DATABASE_URL:-sqlite (embedded)}; machine: $(nproc) cores; $secs s per endpoint, 16 connections"
