# What the HTTP benchmarks share: the database (SQLite by default, or
# PostgreSQL with COACH_DATABASE_URL=postgres://…) and `sql` to reach it, a
# release build, a demo organization in a throwaway data directory, starting
# and stopping the server, signing a demo person in, the server's memory, and
# `run NAME PATH [wrk options]`, which prints req/s, p50, p99 and the ratio
# to the first endpoint run (the baseline). Sourced by the bench scripts.
set -euo pipefail
cd "$(dirname "$0")/.."
secs=${1:-8}
command -v wrk >/dev/null || { echo "bench/$(basename "$0") needs wrk (apt-get install wrk)" >&2; exit 1; }
db_url=${COACH_DATABASE_URL:-}
if [[ "$db_url" == postgres* ]]; then
  command -v psql >/dev/null || { echo "bench/$(basename "$0") needs psql for PostgreSQL" >&2; exit 1; }
  sql() { psql -q -tA -v ON_ERROR_STOP=1 "$db_url"; }
else
  command -v sqlite3 >/dev/null || { echo "bench/$(basename "$0") needs sqlite3 (apt-get install sqlite3)" >&2; exit 1; }
  sql() { sqlite3 "$work/coach.db"; }
fi
cargo build --release --quiet --bin coach
bin=target/release/coach
work=$(mktemp -d /tmp/coach-bench.XXXXXX)
export COACH_DATA_DIR="$work" COACH_LOG=warn
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
base="http://127.0.0.1:$port"
server=""
trap '[ -n "$server" ] && kill $server 2>/dev/null; wait 2>/dev/null; rm -rf "$work"' EXIT
"$bin" demo --reset --no-serve >/dev/null

start() {
  "$bin" serve --bind "127.0.0.1:$port" >"$work/server.log" 2>&1 &
  server=$!
  for _ in $(seq 1 100); do curl -sf "$base/readyz" >/dev/null && return; sleep 0.1; done
  echo "the server did not start" >&2; exit 1
}
stop() { kill "$server"; wait "$server" 2>/dev/null || true; server=""; }
session() {
  local jar="$work/cookies-$1" csrf
  csrf=$(curl -s -c "$jar" "$base/login" | sed -n 's/.*name="_csrf" value="\([^"]*\)".*/\1/p' | head -1)
  curl -s -b "$jar" -c "$jar" -o /dev/null -d "email=$1@demo.example&password=coach-demo&_csrf=$csrf" "$base/login"
  awk '$6=="coach_session"{print $7}' "$jar"
}
rss() { awk '/VmRSS/{print $2}' "/proc/$server/status"; }
baseline=""
run() {
  local name=$1 path=$2; shift 2
  local out rps p50 p99
  out=$(wrk -t1 -c8 -d"${secs}s" --latency "$@" "$base$path")
  rps=$(awk '/Requests\/sec/{print $2}' <<<"$out")
  p50=$(awk '$1=="50%"{print $2}' <<<"$out")
  p99=$(awk '$1=="99%"{print $2}' <<<"$out")
  if grep -q "Non-2xx" <<<"$out"; then echo "$name answered errors:" >&2; echo "$out" >&2; exit 1; fi
  [ -z "$baseline" ] && baseline=$rps
  printf '%-46s %10s %9s %9s %7.4f\n' "$name" "$rps" "$p50" "$p99" "$(python3 -c "print($rps/$baseline)")"
}
