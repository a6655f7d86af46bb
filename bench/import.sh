#!/usr/bin/env bash
# Import speed and memory: `coach import` of an N-row Salesforce opportunities
# export (default 1,000,000) against the raw load of the same file into a bare
# table in the same run: `sqlite3 .import` on SQLite, `COPY` on PostgreSQL.
# Prints the ratio and Coach's peak memory (max RSS). Release build.
# Usage: bench/import.sh [ROWS] [sqlite|postgres|both]   (default 1000000 both)
set -euo pipefail
cd "$(dirname "$0")/.."
rows=${1:-1000000}
which=${2:-both}
cargo build --release --quiet --bin coach
bin=$PWD/target/release/coach
work=$(mktemp -d /tmp/coach-bench-import.XXXXXX)
trap 'rm -rf "$work"' EXIT
python3 bench/gen_crm.py "$rows" 10000 24 "$work"
size=$(du -m "$work/opportunities.csv" | cut -f1)
echo "file: $rows opportunities, ${size} MB; machine: $(nproc) cores"

setup_org() {
  echo "bench-password" | "$bin" org create --slug bench --name Bench --admin-email admin@bench.example \
    --admin-name Admin --password-stdin >/dev/null
  for i in $(seq 0 23); do
    "$bin" user add --org bench --email "seller$i@bench.example" --name "Seller $i" --role seller >/dev/null
  done
  "$bin" import --kind accounts "$work/accounts.csv" --org bench >/dev/null
}

# seconds and peak kB of a command
measure() {
  /usr/bin/time -f "%e %M" -o "$work/time" "$@" >"$work/out" 2>&1 || { cat "$work/out" >&2; exit 1; }
  cat "$work/time"
}

columns="id, name, account_id, owner_email, amount, currency, stage, close_date, created_date, last_modified, next_step"

report() {
  local db=$1 raw_s=$2 coach_s=$3 coach_kb=$4
  printf '%-10s raw load %6.2f s   coach import %6.2f s   ratio %5.2f   coach peak memory %4d MB\n' \
    "$db" "$raw_s" "$coach_s" "$(python3 -c "print($coach_s/$raw_s)")" "$((coach_kb / 1024))"
}

if [ "$which" = sqlite ] || [ "$which" = both ]; then
  export COACH_DATA_DIR="$work/sqlite" COACH_LOG=warn
  unset COACH_DATABASE_URL
  setup_org
  read -r coach_s coach_kb < <(measure "$bin" import --kind opportunities "$work/opportunities.csv" --org bench)
  tail -1 "$work/out"
  sqlite3 "$work/raw.db" "PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL; CREATE TABLE raw ($columns);" >/dev/null
  read -r raw_s _ < <(measure sqlite3 "$work/raw.db" ".mode csv" ".import --skip 1 $work/opportunities.csv raw")
  report sqlite "$raw_s" "$coach_s" "$coach_kb"
fi

if [ "$which" = postgres ] || [ "$which" = both ]; then
  # shellcheck source=../scripts/postgres.sh
  source scripts/postgres.sh
  pg_start >/dev/null
  trap 'pg_stop >/dev/null 2>&1 || true; rm -rf "$work"' EXIT
  base=${COACH_TEST_POSTGRES_URL%/postgres}
  psql -q "$COACH_TEST_POSTGRES_URL" -c "CREATE DATABASE coach_bench" -c "CREATE DATABASE raw_bench"
  export COACH_DATABASE_URL="$base/coach_bench" COACH_DATA_DIR="$work/pg" COACH_LOG=warn
  setup_org
  read -r coach_s coach_kb < <(measure "$bin" import --kind opportunities "$work/opportunities.csv" --org bench)
  tail -1 "$work/out"
  psql -q "$base/raw_bench" -c "CREATE TABLE raw ($(sed 's/,/ text,/g' <<<"$columns") text)"
  read -r raw_s _ < <(measure psql -q "$base/raw_bench" -c "\\copy raw FROM '$work/opportunities.csv' CSV HEADER")
  report postgres "$raw_s" "$coach_s" "$coach_kb"
fi
