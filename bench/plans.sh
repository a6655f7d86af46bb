#!/usr/bin/env bash
# The plan pages: a seller's territory plan (page and API: scores, tiers and
# six months of plan against execution), the territory list of a manager
# (8 sellers) and of a director (24), an opportunity plan and an account
# plan, and saving an opportunity plan, as ratios against /healthz measured
# in the same run. First at demo size (10 accounts a seller, half a year of
# calls), then with ten times the call history (copies further back) and a
# territory of 200 accounts for the measured seller, with calls on them.
# SQLite by default (the copy uses the sqlite3 shell), or PostgreSQL with
# COACH_DATABASE_URL=postgres://… (the copy uses psql). Release build.
# Usage: bench/plans.sh [SECONDS_PER_ENDPOINT]   (default 8; needs wrk, and sqlite3 or psql)
source "$(dirname "$0")/lib.sh"
seller=$(echo "SELECT id FROM users WHERE email = 'seller1@demo.example';" | sql)
deal=$(echo "SELECT p.id FROM opportunity_plans p JOIN opportunities o ON o.org_id = p.org_id AND o.id = p.id WHERE o.owner_id = '$seller' ORDER BY p.id LIMIT 1;" | sql)
account=$(echo "SELECT p.id FROM account_plans p JOIN accounts a ON a.org_id = p.org_id AND a.id = p.id WHERE a.owner_id = '$seller' ORDER BY p.id LIMIT 1;" | sql)
measure() {
  start
  local token manager director
  token=$("$bin" token create --org demo --email manager1@demo.example --name bench 2>/dev/null)
  manager=$(session manager1)
  director=$(session director)
  cat >"$work/save.lua" <<'LUA'
wrk.method = "PUT"
wrk.headers["Content-Type"] = "application/json"
wrk.body = '{"evidence": {"buying_process": "RFP, pilot, board", "needs": "Faster onboarding", "budget": "120k"}, "concerns": [{"text": "Rollout effort", "addressed": false}], "verdict": "pursue", "verdict_reasons": "A sponsor"}'
LUA
  echo "## $1: $(echo "SELECT COUNT(*) FROM accounts WHERE owner_id = '$seller';" | sql) accounts for the measured seller, $(echo "SELECT COUNT(*) FROM calls;" | sql) calls in all"
  printf '%-46s %10s %9s %9s %7s\n' "endpoint" "req/s" "p50 ms" "p99 ms" "ratio"
  baseline=""
  local before; before=$(rss)
  run "GET /healthz (baseline)" /healthz
  run "GET /territory/{seller} (page)" "/territory/$seller" -H "Cookie: coach_session=$manager"
  run "GET /api/v1/territory-plans/{seller} (token)" "/api/v1/territory-plans/$seller" -H "Authorization: Bearer $token"
  run "GET /territory (manager: 8 sellers)" "/territory" -H "Cookie: coach_session=$manager"
  run "GET /territory (director: 24 sellers)" "/territory" -H "Cookie: coach_session=$director"
  run "GET /opportunities/{id}/plan (page)" "/opportunities/$deal/plan" -H "Cookie: coach_session=$manager"
  run "GET /accounts/{id}/plan (page)" "/accounts/$account/plan" -H "Cookie: coach_session=$manager"
  run "PUT /api/v1/opportunities/{id}/plan (save)" "/api/v1/opportunities/$deal/plan" -H "Authorization: Bearer $token" -s "$work/save.lua"
  echo "server memory (VmRSS): ${before} kB before, $(rss) kB after"
  echo
  stop
}

measure "demo size"
# A territory of 200 accounts for the measured seller: nineteen copies of
# their ten accounts, with copies of the calls on them over the last six
# months. Then ten times the call history: nine copies of every call, each
# half a year further back.
if [[ "$db_url" == postgres* ]]; then
  ts() { echo "to_char(($1::timestamptz - make_interval(days => n * $2)) AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.US\"Z\"')"; }
else
  ts() { echo "strftime('%Y-%m-%dT%H:%M:%S.000000Z', $1, '-' || (n * $2) || ' days')"; }
fi
sql <<SQL
WITH RECURSIVE k(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM k WHERE n < 19)
INSERT INTO accounts (org_id, id, source_id, name, owner_id, segment, tier, potential, currency, key_account, crm_updated_at,
  version, created_at, updated_at)
SELECT org_id, id || '-' || n, source_id || '-' || n, name || ' ' || n, owner_id, segment, tier, potential, currency, 0, crm_updated_at,
  version, created_at, updated_at
FROM accounts, k WHERE owner_id = '$seller';
WITH RECURSIVE k(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM k WHERE n < 19)
INSERT INTO calls (org_id, id, source_id, subject, owner_id, occurred_at, account_id, opportunity_id, kind, importance, outcome,
  crm_updated_at, version, created_at, updated_at)
SELECT org_id, id || '-a' || n, source_id || '-a' || n, subject, owner_id, $(ts occurred_at 0), account_id || '-' || n, NULL, kind,
  importance, outcome, crm_updated_at, version, created_at, updated_at
FROM calls, k WHERE owner_id = '$seller' AND account_id IS NOT NULL;
WITH RECURSIVE k(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM k WHERE n < 9)
INSERT INTO calls (org_id, id, source_id, subject, owner_id, occurred_at, account_id, opportunity_id, kind, importance, outcome,
  crm_updated_at, version, created_at, updated_at)
SELECT org_id, id || '-' || n, source_id || '-' || n, subject, owner_id, $(ts occurred_at 182), account_id, opportunity_id, kind, importance,
  outcome, crm_updated_at, version, created_at, updated_at
FROM calls, k;
ANALYZE;
SQL
measure "ten times the calls, 200 accounts"
if [[ "$db_url" == postgres* ]]; then db_name=PostgreSQL; else db_name=SQLite; fi
echo "machine: $(nproc) cores; $secs s per endpoint, 8 connections; $db_name"
