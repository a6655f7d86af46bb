#!/usr/bin/env bash
# Email at scale (issue: reminders and digests; reliability T15), on an
# organization of MANAGERS managers with 8 sellers each (default 300) and
# three months of applied rhythm:
#
# - the scheduler: one run for the organization at 09:05 on a Monday in
#   Berlin (session reminders for Tuesday, preparation reminders, a weekly
#   digest for every manager), timed inside `coach email schedule`; the
#   baseline, in the same run, is counting the sessions of the next twelve
#   days (the rows the scheduler reads) in the database's own shell;
# - the sender: every queued message (each person's new rhythm with its
#   series, the reminders and digests) through `coach email send` to a real
#   SMTP server on 127.0.0.1 (aiosmtpd, keeping messages unparsed); messages
#   a second and peak memory, against Python's smtplib sending as many small
#   messages to the same server in the same run.
#
#   bench/email.sh [MANAGERS]                      # SQLite
#   COACH_DATABASE_URL=postgres://… bench/email.sh # PostgreSQL (a scratch
#                                                  # database is made and dropped)
#   KEEP=1 bench/email.sh                          # keeps the data directory
set -euo pipefail
cd "$(dirname "$0")/.."
managers=${1:-300}
python=.venv/bin/python
"$python" -c "import aiosmtpd" 2>/dev/null || {
  echo "bench/email.sh needs .venv with aiosmtpd (scripts/test makes it)" >&2; exit 1; }
cargo build --release --quiet --bin coach
bin=target/release/coach
work=$(mktemp -d /tmp/coach-email-bench.XXXXXX)
export COACH_DATA_DIR="$work" COACH_LOG=warn
sink=""
prefix=coach_email_bench
source bench/scratch.sh
cleanup() {
  [ -n "$sink" ] && kill "$sink" 2>/dev/null
  drop_scratch
  if [ -n "${KEEP:-}" ]; then echo "kept $work" >&2; else rm -rf "$work"; fi
}
trap cleanup EXIT
echo "bench-password-1" | "$bin" org create --slug big --name "Big Sales" --time-zone Europe/Berlin \
  --admin-email ops@big.example --admin-name "Olga Ops" --password-stdin >/dev/null
org=$(echo "SELECT id FROM organizations WHERE slug = 'big';" | sql)
python3 bench/gen_people.py "$org" "$managers" >"$work/people.sql"
sql <"$work/people.sql"
[ "$backend" = PostgreSQL ] && echo "ANALYZE;" | sql
"$bin" plan --org big --months 3 --hours 24 --apply --json >/dev/null 2>"$work/err" || { cat "$work/err" >&2; exit 1; }
sessions=$(echo "SELECT COUNT(*) FROM coaching_sessions;" | sql)
rhythm=$(echo "SELECT COUNT(*) FROM outbox;" | sql)

# Next Monday, 09:05 in Berlin: the plan's first week.
read -r at since until < <(python3 - <<'PY'
import datetime, zoneinfo
tz = zoneinfo.ZoneInfo("Europe/Berlin")
today = datetime.date.today()
monday = today + datetime.timedelta(days=7 - today.weekday())
at = datetime.datetime.combine(monday, datetime.time(9, 5), tz)
utc = at.astimezone(datetime.timezone.utc)
fmt = "%Y-%m-%dT%H:%M:%S.000000Z"
print(at.isoformat(), utc.strftime(fmt), (utc + datetime.timedelta(days=12)).strftime(fmt))
PY
)
count_sql="SELECT COUNT(*) FROM coaching_sessions WHERE org_id = '$org' AND starts_at >= '$since' AND starts_at < '$until' AND status IN ('scheduled', 'prepared');"
if [ "$backend" = PostgreSQL ]; then
  base_ms=$(printf '\\timing on\n%s\n' "$count_sql" | psql -q -v ON_ERROR_STOP=1 "$COACH_DATABASE_URL" | sed -n 's/^Time: \([0-9.]*\) ms.*/\1/p' | tail -1)
else
  base_s=$(printf '.timer on\n%s\n' "$count_sql" | sqlite3 "$work/coach.db" | sed -n 's/^Run Time: real \([0-9.]*\).*/\1/p' | tail -1)
  base_ms=$(python3 -c "print(round($base_s * 1000, 3))")
fi
"$bin" email schedule --org big --at "$at" >"$work/schedule.out" 2>"$work/schedule.err" || { cat "$work/schedule.err" >&2; exit 1; }
queued=$(sed -n 's/^queued \([0-9]*\) messages.*/\1/p' "$work/schedule.out")
schedule_ms=$(sed -n 's/.*scheduled in \([0-9]*\) ms.*/\1/p' "$work/schedule.err")
total=$(echo "SELECT COUNT(*) FROM outbox;" | sql)

mkdir -p "$work/mail" "$work/raw"
"$python" crates/coach-web/tests/support/smtp_sink.py --dir "$work/mail" --raw >"$work/port" &
sink=$!
for _ in $(seq 1 50); do [ -s "$work/port" ] && break; sleep 0.1; done
port=$(cat "$work/port")
/usr/bin/time -f "%M" -o "$work/rss" "$bin" email send --smtp-url "smtp://127.0.0.1:$port" --at "$at" \
  >"$work/send.out" 2>"$work/send.err" || { cat "$work/send.err" >&2; exit 1; }
sent=$(sed -n 's/^sent \([0-9]*\),.*/\1/p' "$work/send.out")
send_ms=$(sed -n 's/.*sent in \([0-9]*\) ms.*/\1/p' "$work/send.err")
arrived=$(find "$work/mail" -name '*.eml' | wc -l)
# The baseline: as many small messages through smtplib to the same server.
rm -f "$work/mail"/*.eml
smtplib_ms=$("$python" - "$port" "$sent" <<'PY'
import smtplib, sys, time
port, n = int(sys.argv[1]), int(sys.argv[2])
message = "From: a@bench.test\r\nTo: b@bench.test\r\nSubject: bench\r\n\r\nA small message.\r\n"
start = time.perf_counter()
with smtplib.SMTP("127.0.0.1", port) as s:
    for _ in range(n):
        s.sendmail("a@bench.test", ["b@bench.test"], message)
print(round((time.perf_counter() - start) * 1000))
PY
)
printf '%s: %s managers, %s sellers, %s sessions in three months of rhythm\n' "$backend" "$managers" "$((managers * 8))" "$sessions"
printf '  scheduler, Monday 09:05     %8s ms  (%s reminders and digests queued)\n' "$schedule_ms" "$queued"
printf '  baseline: count the sessions of the next 12 days  %s ms\n' "$base_ms"
printf '  scheduler / baseline        %8.0f\n' "$(python3 -c "print($schedule_ms / max($base_ms, 0.001))")"
printf '  sender: %s messages (%s new rhythms, %s reminders and digests) in %s ms: %.0f a second; %s arrived\n' \
  "$sent" "$rhythm" "$((total - rhythm))" "$send_ms" "$(python3 -c "print($sent * 1000 / max($send_ms, 1))")" "$arrived"
printf '  baseline: smtplib, %s small messages in %s ms: %.0f a second\n' "$sent" "$smtplib_ms" "$(python3 -c "print($sent * 1000 / max($smtplib_ms, 1))")"
printf '  sender / smtplib (rate)     %8.3f\n' "$(python3 -c "print(($sent / max($send_ms, 1)) / ($sent / max($smtplib_ms, 1)))")"
printf '  sender peak memory          %8.1f MB\n' "$(python3 -c "print($(cat "$work/rss") / 1024)")"
