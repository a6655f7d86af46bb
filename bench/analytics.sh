#!/usr/bin/env bash
# Coaching analytics at scale (R14–R45): an organization of MANAGERS managers
# with 8 sellers each (default 1,250: 10,000 sellers) and a director above
# every 10 managers, given YEARS of made-up history by `coach history`
# (default 5: about a million sessions and five million action items). Then
# the manager dashboard and the director dashboard, each asked for REPEAT
# times (default 30) over HTTP on one connection: the first request after
# the server starts (cold) and p50/p95 of the rest (warm), against a single
# indexed count(*) of the same manager's (or director's) sessions in the
# same window, timed in the same run. Target: p95 under 200 ms on SQLite for
# the manager dashboard.
#
#   bench/analytics.sh [MANAGERS [YEARS [REPEAT]]]                 # SQLite
#   COACH_DATABASE_URL=postgres://… bench/analytics.sh [...]     # PostgreSQL
set -euo pipefail
cd "$(dirname "$0")/.."
managers=${1:-1250}
years=${2:-5}
repeat=${3:-30}
cargo build --release --quiet --bin coach
bin=target/release/coach
work=$(mktemp -d /tmp/coach-analytics-bench.XXXXXX)
export COACH_DATA_DIR="$work" COACH_LOG=warn
prefix=coach_analytics_bench
source bench/scratch.sh
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
base="http://127.0.0.1:$port"
server=""
cleanup() {
  [ -n "$server" ] && kill "$server" 2>/dev/null
  wait 2>/dev/null || true
  drop_scratch
  rm -rf "$work"
}
trap cleanup EXIT

echo "bench-password-1" | "$bin" org create --slug big --name "Big Sales" --time-zone Europe/Berlin \
  --admin-email ops@big.example --admin-name "Olga Ops" --password-stdin >/dev/null
org=$(echo "SELECT id FROM organizations WHERE slug = 'big';" | sql)
python3 bench/gen_people.py "$org" "$managers" 10 >"$work/people.sql"
sql <"$work/people.sql"
# The manager and director who sign in share the admin's password.
echo "UPDATE users SET password_hash = (SELECT password_hash FROM users WHERE email = 'ops@big.example')
      WHERE id IN ('m00000', 'd00000');" | sql

# The history: about 1.7 sessions per seller per month (with the ad-hoc
# ones), 6.4 action items per held session that agreed next steps.
/usr/bin/time -f "%e %M" -o "$work/history-time" "$bin" history --org big --years "$years" --seed 1 \
  --sessions-per-month 1.55 --actions-per-session 6.4 --deals-per-year 6 --early-win-lift 0.1 >"$work/history.out"
[ "$backend" = PostgreSQL ] && echo "ANALYZE;" | sql
sessions=$(echo "SELECT COUNT(*) FROM coaching_sessions;" | sql)
actions=$(echo "SELECT COUNT(*) FROM action_items;" | sql)
items=$(echo "SELECT COUNT(*) FROM agenda_items;" | sql)
deals=$(echo "SELECT COUNT(*) FROM opportunities;" | sql)
read -r gen_s gen_kb <"$work/history-time"

start() {
  "$bin" serve --bind "127.0.0.1:$port" >"$work/server.log" 2>&1 &
  server=$!
  for _ in $(seq 1 300); do curl -sf "$base/readyz" >/dev/null && return; sleep 0.1; done
  echo "the server did not start" >&2; cat "$work/server.log" >&2; exit 1
}
stop() { kill "$server"; wait "$server" 2>/dev/null || true; server=""; }
sign_in() {
  local jar="$work/cookies-$1" csrf
  csrf=$(curl -s -c "$jar" "$base/login" | sed -n 's/.*name="_csrf" value="\([^"]*\)".*/\1/p' | head -1)
  curl -s -b "$jar" -c "$jar" -o /dev/null -d "email=$1@big.example&password=bench-password-1&_csrf=$csrf" "$base/login"
  echo "$jar"
}
# `times JAR PATH`: REPEAT requests on one connection; one time in ms a line.
times() {
  local jar=$1 path=$2 urls=()
  for _ in $(seq 1 "$repeat"); do urls+=(-o /dev/null "$base$path"); done
  curl -s -b "$jar" -w '%{http_code} %{time_total}\n' "${urls[@]}" >"$work/t"
  if grep -qv '^200 ' "$work/t"; then echo "$path answered:" >&2; sort "$work/t" | uniq -c >&2; exit 1; fi
  awk '{printf "%.3f\n", $2 * 1000}' "$work/t"
}
# `baseline IDS`: the single indexed count(*) of those managers' sessions in
# the dashboards' window, REPEAT times in one client; one time in ms a line.
from=$(python3 -c 'import datetime as d; print((d.date.today() - d.timedelta(days=90)).isoformat())')
baseline() {
  local q="SELECT COUNT(*) FROM coaching_sessions WHERE org_id = '$org' AND manager_id IN ($1) AND starts_at >= '${from}T00:00:00.000000Z'"
  if [ "$backend" = PostgreSQL ]; then
    { echo '\timing on'; for _ in $(seq 1 "$repeat"); do echo "$q;"; done; } | psql -q -tA "$COACH_DATABASE_URL" |
      sed -n 's/^Time: \([0-9.]*\) ms.*/\1/p'
  else
    python3 - "$work/coach.db" "$q" "$repeat" <<'PY'
import sqlite3, sys, time
db = sqlite3.connect(sys.argv[1])
for _ in range(int(sys.argv[3])):
    t = time.perf_counter(); db.execute(sys.argv[2]).fetchone(); print(f"{(time.perf_counter() - t) * 1000:.3f}")
PY
  fi
}
stats() { python3 -c '
import statistics, sys
v = [float(x) for x in sys.stdin if x.strip()]
cold, warm = v[0], sorted(v[1:])
p = lambda q: warm[min(len(warm) - 1, int(q * len(warm)))]
print(f"{cold:.1f} {p(0.5):.2f} {p(0.95):.2f}")'; }

printf '%s: %s managers, %s sellers, %s directors, %s years\n' "$backend" "$managers" "$((managers * 8))" "$(((managers + 9) / 10))" "$years"
printf '  history written: %s sessions, %s agenda items, %s action items, %s deals in %s s (peak %s MB)\n' \
  "$sessions" "$items" "$actions" "$deals" "$gen_s" "$((gen_kb / 1024))"
director_managers=$(python3 -c "print(', '.join(\"'m%05d'\" % m for m in range(min(10, $managers))))")
printf '  %-28s %9s %9s %9s %12s %9s\n' "" "cold ms" "p50 ms" "p95 ms" "count(*) p50" "p50 ratio"
for who in manager director; do
  if [ "$who" = manager ]; then path=/analytics/team; ids="'m00000'"; login=manager0; else path=/analytics/managers; ids=$director_managers; login=director0; fi
  start
  jar=$(sign_in "$login")
  read -r cold p50 p95 < <(times "$jar" "$path" | stats)
  stop
  read -r _ c50 _ < <(baseline "$ids" | stats)
  printf '  %-28s %9s %9s %9s %12s %9.0f\n' "$who dashboard ($path)" "$cold" "$p50" "$p95" "$c50" "$(python3 -c "print($p50 / max($c50, 0.001))")"
done
