#!/usr/bin/env bash
# Starts a throwaway PostgreSQL on 127.0.0.1 for the test suite.
# Usage: source scripts/postgres.sh; pg_start; ...; pg_stop
# Sets COACH_TEST_POSTGRES_URL. Runs the server as the `postgres` user when
# invoked as root (PostgreSQL refuses to run as root).

pg_bin() {
  local dir
  dir=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1)
  if [ -z "$dir" ]; then
    echo "PostgreSQL is not installed (expected /usr/lib/postgresql/*/bin)" >&2
    return 1
  fi
  echo "$dir"
}

pg_free_port() {
  python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()'
}

pg_start() {
  local bin run=()
  bin=$(pg_bin) || return 1
  PG_DIR=$(mktemp -d /tmp/coach-pg.XXXXXX)
  if [ "$(id -u)" = "0" ]; then
    chown postgres: "$PG_DIR"
    run=(runuser -u postgres --)
  fi
  PG_PORT=$(pg_free_port)
  "${run[@]}" "$bin/initdb" -D "$PG_DIR/data" -U coach --auth=trust -E UTF8 >"$PG_DIR/initdb.log" 2>&1 \
    || { cat "$PG_DIR/initdb.log" >&2; return 1; }
  "${run[@]}" "$bin/pg_ctl" -D "$PG_DIR/data" -l "$PG_DIR/server.log" -w -t 60 \
    -o "-h 127.0.0.1 -p $PG_PORT -k $PG_DIR -c fsync=off -c max_connections=400 -c shared_buffers=128MB" start >/dev/null \
    || { cat "$PG_DIR/server.log" >&2; return 1; }
  PG_PID=$(head -1 "$PG_DIR/data/postmaster.pid")
  export COACH_TEST_POSTGRES_URL="postgres://coach@127.0.0.1:$PG_PORT/postgres"
  echo "PostgreSQL $("$bin/postgres" --version | awk '{print $3}') on 127.0.0.1:$PG_PORT (pid $PG_PID)"
}

pg_stop() {
  if [ -n "${PG_PID:-}" ]; then
    kill -INT "$PG_PID" 2>/dev/null || true
    for _ in $(seq 1 100); do kill -0 "$PG_PID" 2>/dev/null || break; sleep 0.1; done
    rm -rf "$PG_DIR"
    PG_PID=
  fi
}
