#!/usr/bin/env bash
# The ROA reads: one seller's scorecard (API and page), a director's view of
# every team with twelve weeks of adoption, and the activity lists, as ratios
# against /healthz measured in the same run. First at demo size (24 sellers,
# half a year of activities), then with ten times the activities per seller
# (copied in the database), to see how the reads grow with the data.
# SQLite by default (the copy uses the sqlite3 shell), or PostgreSQL with
# COACH_DATABASE_URL=postgres://… (the copy uses psql). Release build.
# Usage: bench/scorecard.sh [SECONDS_PER_ENDPOINT]   (default 8; needs wrk, and sqlite3 or psql)
set -euo pipefail
cd "$(dirname "$0")/.."
source "$(dirname "$0")/lib.sh"
measure() {
  start
  local token seller director manager activities
  token=$("$bin" token create --org demo --email manager1@demo.example --name bench 2>/dev/null)
  seller=$(curl -s -H "Authorization: Bearer $token" "$base/api/v1/users?q=seller1@" | python3 -c 'import json,sys; print(json.load(sys.stdin)["data"][0]["id"])')
  director=$(session director)
  manager=$(session manager1)
  activities=$(echo "SELECT COUNT(*) FROM activities;" | sql)
  echo "## $1: $activities activities"
  printf '%-44s %10s %9s %9s %7s\n' "endpoint" "req/s" "p50 ms" "p99 ms" "ratio"
  baseline=""
  local before; before=$(rss)
  run "GET /healthz (baseline)" /healthz
  run "GET /api/v1/scorecards/{seller} (token)" "/api/v1/scorecards/$seller" -H "Authorization: Bearer $token"
  run "GET /scorecard/{seller} (page)" "/scorecard/$seller" -H "Cookie: coach_session=$manager"
  run "GET /api/v1/activities (50, token)" "/api/v1/activities" -H "Authorization: Bearer $token"
  run "GET /activities (page, 50)" "/activities" -H "Cookie: coach_session=$manager"
  run "GET /scorecard/team (manager: 8 sellers)" "/scorecard/team" -H "Cookie: coach_session=$manager"
  run "GET /scorecard/team (director: 24 sellers)" "/scorecard/team" -H "Cookie: coach_session=$director"
  echo "server memory (VmRSS): ${before} kB before, $(rss) kB after"
  echo
  stop
}

measure "demo size"
# Ten times the activities per seller: nine copies of every activity (and score).
sql <<'SQL'
WITH RECURSIVE k(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM k WHERE n < 9)
INSERT INTO activities (org_id, id, activity_type_id, seller_id, occurred_on, note, call_id, opportunity_id, logged_by, created_at)
SELECT org_id, id || '-' || n, activity_type_id, seller_id, occurred_on, note, NULL, NULL, logged_by, created_at FROM activities, k;
WITH RECURSIVE k(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM k WHERE n < 9)
INSERT INTO activity_scores (org_id, activity_id, seller_id, activity_type_id, occurred_on, standard_seq, levels, comment, scored_by, scored_at)
SELECT org_id, activity_id || '-' || n, seller_id, activity_type_id, occurred_on, standard_seq, levels, comment, scored_by, scored_at FROM activity_scores, k;
ANALYZE;
SQL
measure "ten times the activities"
if [[ "$db_url" == postgres* ]]; then db_name=PostgreSQL; else db_name=SQLite; fi
echo "machine: $(nproc) cores; $secs s per endpoint, 8 connections; $db_name"
