#!/usr/bin/env bash
# How fast could any importer be with Coach's schema? Loads the same
# opportunities file with the sqlite3 shell twice in the same run: into a bare
# table (what bench/import.sh compares against), and from there, in one
# INSERT … SELECT, into Coach's opportunities table with its indexes and the
# stage-history rows, no parsing or checking at all. The ratio of the two is
# the floor for bench/import.sh's ratio on SQLite.
# Usage: bench/import_floor.sh [ROWS]   (default 1000000)
set -euo pipefail
cd "$(dirname "$0")/.."
rows=${1:-1000000}
work=$(mktemp -d /tmp/coach-bench-floor.XXXXXX)
trap 'rm -rf "$work"' EXIT
python3 bench/gen_crm.py "$rows" 10000 24 "$work"
db="$work/coach.db"
for m in migrations/sqlite/*.sql; do sqlite3 "$db" < "$m"; done
org=00000000-0000-7000-8000-000000000001
sqlite3 "$db" "PRAGMA journal_mode=WAL;
  INSERT INTO organizations VALUES ('$org', 'bench', 'Bench', 'UTC', '2026-01-01T00:00:00.000000Z');
  CREATE TABLE raw (id, name, account_id, owner_email, amount, currency, stage, close_date, created_date, last_modified, next_step);" >/dev/null
secs() { /usr/bin/time -f "%e" -o "$work/t" "$@" >/dev/null; cat "$work/t"; }
raw=$(secs sqlite3 "$db" ".mode csv" ".import --skip 1 $work/opportunities.csv raw")
floor=$(secs sqlite3 "$db" "PRAGMA foreign_keys=OFF; PRAGMA cache_size=-65536; BEGIN;
  INSERT INTO opportunities (org_id, id, source_id, name, owner_id, account_id, amount, currency, stage, crm_stage,
    close_date, created_on, crm_updated_at, next_step, version, created_at, updated_at)
  SELECT '$org', printf('01a00000-0000-7000-8000-%012d', rowid), substr(id, 1, 15), name,
    printf('01a00000-0000-7000-9000-%012d', 0), account_id, amount, currency, 'identify_needs', stage,
    close_date, substr(created_date, 1, 10), last_modified, next_step, 1,
    '2026-11-26T00:00:00.000000Z', '2026-11-26T00:00:00.000000Z' FROM raw;
  INSERT INTO opportunity_stages (org_id, opportunity_id, changed_at, seq, stage, crm_stage)
    SELECT org_id, id, created_at, 1, stage, crm_stage FROM opportunities;
  COMMIT;")
printf 'sqlite3 .import into a bare table %6.2f s; INSERT…SELECT into Coach'"'"'s tables %6.2f s; floor ratio %5.2f (%s rows)\n' \
  "$raw" "$floor" "$(python3 -c "print($floor/$raw)")" "$rows"
