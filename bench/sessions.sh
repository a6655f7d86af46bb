#!/usr/bin/env bash
# The coaching reads and writes: one session with its agenda, review and next
# steps (API and page), the sessions and action items lists of a manager and
# a director, and saving a note as you type, as ratios against /healthz
# measured in the same run. First at demo size (24 sellers, half a year of
# sessions), then with ten times the past sessions, agenda items and action items
# (copied in the database, further back in time), to see how the reads grow
# with the history.
# SQLite by default (the copy uses the sqlite3 shell), or PostgreSQL with
# COACH_DATABASE_URL=postgres://… (the copy uses psql). Release build.
# Usage: bench/sessions.sh [SECONDS_PER_ENDPOINT]   (default 8; needs wrk, and sqlite3 or psql)
source "$(dirname "$0")/lib.sh"
measure() {
  start
  local token manager director held note sessions
  token=$("$bin" token create --org demo --email manager1@demo.example --name bench 2>/dev/null)
  manager=$(session manager1)
  director=$(session director)
  # The manager's latest held session.
  held=$(curl -s -H "Authorization: Bearer $token" "$base/api/v1/sessions?status=held&manager_id=$(curl -s -H "Authorization: Bearer $token" "$base/api/v1/me" | python3 -c 'import json,sys; print(json.load(sys.stdin)["id"])')&from=$(date -u -d '-30 days' +%Y-%m-%dT00:00:00Z)" \
    | python3 -c 'import json,sys; d=json.load(sys.stdin)["data"]; print(d[-1]["id"])')
  note=$(curl -s -X POST -H "Authorization: Bearer $token" -H 'content-type: application/json' \
    -d '{"body":"bench"}' "$base/api/v1/sessions/$held/notes" | python3 -c 'import json,sys; print(json.load(sys.stdin)["id"])')
  cat >"$work/save.lua" <<'LUA'
wrk.method = "PATCH"
wrk.headers["Content-Type"] = "application/json"
wrk.body = '{"body":"Criteria: security review, price per seat, onboarding time. Call the CFO on Monday."}'
LUA
  sessions=$(echo "SELECT COUNT(*) FROM coaching_sessions;" | sql)
  echo "## $1: $sessions sessions, $(echo "SELECT COUNT(*) FROM agenda_items;" | sql) agenda items, $(echo "SELECT COUNT(*) FROM action_items;" | sql) action items"
  printf '%-46s %10s %9s %9s %7s\n' "endpoint" "req/s" "p50 ms" "p99 ms" "ratio"
  baseline=""
  local before; before=$(rss)
  run "GET /healthz (baseline)" /healthz
  run "GET /api/v1/sessions/{id} (token)" "/api/v1/sessions/$held" -H "Authorization: Bearer $token"
  run "GET /sessions/{id} (page)" "/sessions/$held" -H "Cookie: coach_session=$manager"
  run "GET /sessions (manager)" "/sessions" -H "Cookie: coach_session=$manager"
  run "GET /sessions (director: 3 teams)" "/sessions" -H "Cookie: coach_session=$director"
  run "GET /api/v1/action-items (50, token)" "/api/v1/action-items" -H "Authorization: Bearer $token"
  run "GET /action-items (manager's team, page)" "/action-items?status=all" -H "Cookie: coach_session=$manager"
  run "PATCH /api/v1/notes/{id} (save as you type)" "/api/v1/notes/$note" -H "Authorization: Bearer $token" -s "$work/save.lua"
  echo "server memory (VmRSS): ${before} kB before, $(rss) kB after"
  echo
  stop
}

measure "demo size"
# Ten times the history: nine copies of every past session, its agenda and its
# action items (all closed), each copy half a year further back, as if the
# organization had coached this way for five years.
if [[ "$db_url" == postgres* ]]; then
  ts() { echo "to_char(($1::timestamptz - make_interval(days => n * 182)) AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.US\"Z\"')"; }
  day() { echo "to_char($1::date - n * 182, 'YYYY-MM-DD')"; }
else
  ts() { echo "strftime('%Y-%m-%dT%H:%M:%S.000000Z', $1, '-' || (n * 182) || ' days')"; }
  day() { echo "date($1, '-' || (n * 182) || ' days')"; }
fi
sql <<SQL
WITH RECURSIVE k(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM k WHERE n < 9)
INSERT INTO coaching_sessions (org_id, id, kind, manager_id, seller_id, observer_id, series_id, ad_hoc, status, starts_at, minutes,
  original_starts_at, desired_outcome, prep_due_on, seller_prepared_at, manager_prepared_at, prep_minutes, agenda_agreed_at,
  agenda_reviewed_at, phase, cancel_reason, version, created_by, created_at, updated_at)
SELECT org_id, id || '-' || n, kind, manager_id, seller_id, NULL, series_id, ad_hoc, status, $(ts starts_at), minutes,
  NULL, desired_outcome, $(day prep_due_on), seller_prepared_at, manager_prepared_at, prep_minutes, agenda_agreed_at,
  agenda_reviewed_at, phase, cancel_reason, version, created_by, created_at, updated_at
FROM coaching_sessions, k WHERE status IN ('held', 'cancelled', 'missed');
WITH RECURSIVE k(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM k WHERE n < 9)
INSERT INTO agenda_items (org_id, id, session_id, section, position, title, minutes, subject_kind, subject_id, decision,
  spent_seconds, timer_started_at, added_by, version, created_at, updated_at)
SELECT i.org_id, i.id || '-' || n, i.session_id || '-' || n, section, position, title, i.minutes, subject_kind, subject_id, decision,
  spent_seconds, NULL, added_by, i.version, i.created_at, i.updated_at
FROM agenda_items i JOIN coaching_sessions s ON s.org_id = i.org_id AND s.id = i.session_id, k WHERE s.status IN ('held', 'cancelled', 'missed');
WITH RECURSIVE k(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM k WHERE n < 9)
INSERT INTO action_items (org_id, id, session_id, seller_id, owner_id, title, subject_kind, subject_id, due_on, status, closed_on,
  created_by, version, created_at, updated_at)
SELECT org_id, id || '-' || n, session_id || '-' || n, seller_id, owner_id, title, subject_kind, subject_id, $(day due_on),
  CASE WHEN status = 'open' THEN 'done' ELSE status END, $(day "COALESCE(closed_on, due_on)"), created_by, version, created_at, updated_at
FROM action_items, k WHERE session_id IS NOT NULL;
ANALYZE;
SQL
measure "ten times the history"
if [[ "$db_url" == postgres* ]]; then db_name=PostgreSQL; else db_name=SQLite; fi
echo "machine: $(nproc) cores; $secs s per endpoint, 8 connections; $db_name"
