#!/usr/bin/env bash
# The rhythm planner at scale (issue: coaching rhythm; R10–R19): plans a year
# for every manager of an organization of MANAGERS managers with 8 sellers
# each (default 1,000 and 8,000) with `coach plan --apply`, and prints the
# time spent reading the input, planning and writing the series and sessions,
# the ratio of planning to writing (the target is below 1: planning is faster
# than storing what it plans), and the peak memory of the process.
#
#   bench/plan.sh [MANAGERS]                      # SQLite
#   COACH_DATABASE_URL=postgres://… bench/plan.sh # PostgreSQL (a scratch
#                                                 # database is made and dropped)
set -euo pipefail
cd "$(dirname "$0")/.."
managers=${1:-1000}
cargo build --release --quiet --bin coach
bin=target/release/coach
work=$(mktemp -d /tmp/coach-plan-bench.XXXXXX)
export COACH_DATA_DIR="$work" COACH_LOG=warn
prefix=coach_plan_bench
source bench/scratch.sh
cleanup() {
  drop_scratch
  rm -rf "$work"
}
trap cleanup EXIT
echo "bench-password-1" | "$bin" org create --slug big --name "Big Sales" --time-zone Europe/Berlin \
  --admin-email ops@big.example --admin-name "Olga Ops" --password-stdin >/dev/null
org=$(echo "SELECT id FROM organizations WHERE slug = 'big';" | sql)
# 1,000 managers with 8 sellers each; every other seller owns a key account
# (R11: account coaching only for them).
python3 bench/gen_people.py "$org" "$managers" >"$work/people.sql"
sql <"$work/people.sql"
[ "$backend" = PostgreSQL ] && echo "ANALYZE;" | sql
# A year, for every manager, applied.
/usr/bin/time -f "%M" -o "$work/rss" "$bin" plan --org big --months 12 --hours 24 --apply --json \
  >/dev/null 2>"$work/err" || { cat "$work/err" >&2; exit 1; }
line=$(grep "managers: read in" "$work/err")
read_ms=$(sed -n 's/.*read in \([0-9]*\) ms.*/\1/p' <<<"$line")
plan_ms=$(sed -n 's/.*planned in \([0-9]*\) ms.*/\1/p' <<<"$line")
write_ms=$(sed -n 's/.*written in \([0-9]*\) ms.*/\1/p' <<<"$line")
sessions=$(echo "SELECT COUNT(*) FROM coaching_sessions;" | sql)
series=$(echo "SELECT COUNT(*) FROM coaching_series;" | sql)
items=$(echo "SELECT COUNT(*) FROM agenda_items;" | sql)
printf '%s: %s managers, %s sellers, a year planned and applied\n' "$backend" "$managers" "$((managers * 8))"
printf '  %s series, %s sessions, %s agenda items written\n' "$series" "$sessions" "$items"
printf '  reading the input  %8s ms\n  planning           %8s ms\n  writing            %8s ms\n' "$read_ms" "$plan_ms" "$write_ms"
printf '  planning / writing %8.3f (target: below 1)\n' "$(python3 -c "print($plan_ms / max($write_ms, 1))")"
printf '  peak memory        %8.1f MB\n' "$(python3 -c "print($(cat "$work/rss") / 1024)")"
