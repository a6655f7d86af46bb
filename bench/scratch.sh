# The database of a benchmark that builds its own organization: SQLite in
# the work directory by default, or, with COACH_DATABASE_URL=postgres://…, a
# scratch database made on that server (and dropped by `drop_scratch`).
# Sets COACH_DATABASE_URL, `backend` and `sql`. Sourced with `work` and
# `prefix` set.
server_url=${COACH_DATABASE_URL:-}
scratch=""
drop_scratch() {
  [ -n "$scratch" ] && psql -q "$server_url" -c "DROP DATABASE IF EXISTS $scratch" >/dev/null 2>&1
  return 0
}
if [[ "$server_url" == postgres* ]]; then
  scratch="${prefix}_$$"
  psql -q -v ON_ERROR_STOP=1 "$server_url" -c "CREATE DATABASE $scratch" >/dev/null
  export COACH_DATABASE_URL="${server_url%/*}/$scratch"
  sql() { psql -q -tA -v ON_ERROR_STOP=1 "$COACH_DATABASE_URL"; }
  backend=PostgreSQL
else
  export COACH_DATABASE_URL="sqlite:$work/coach.db"
  sql() { sqlite3 "$work/coach.db"; }
  backend=SQLite
fi
