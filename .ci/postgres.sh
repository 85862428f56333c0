#!/usr/bin/env bash
# Install (apt-get) and start PostgreSQL on 127.0.0.1:${PGPORT:-5432} with a test database, then print the
# URL for QWEN_BOT_TEST_POSTGRES_URL on stdout (everything else goes to stderr). Idempotent.
#   export QWEN_BOT_TEST_POSTGRES_URL="$(.ci/postgres.sh)"
set -euo pipefail

PGPORT="${PGPORT:-5432}"
DB="${QWEN_BOT_TEST_DB:-qwen_bot_test}"
DATA="${QWEN_BOT_PGDATA:-/tmp/qwen-bot-postgres}"
PASSWORD="postgres"

as_root() { if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi; }
as_pg() {
  if [ "$(id -u)" -eq 0 ]; then runuser -u postgres -- "$@"; else sudo -u postgres "$@"; fi
}

if ! ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1; then
  echo "installing postgresql with apt-get" >&2
  as_root apt-get update -qq >&2
  DEBIAN_FRONTEND=noninteractive as_root apt-get install -y -qq postgresql >&2
fi
BIN="$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -1)"

if "$BIN/pg_isready" -q -h 127.0.0.1 -p "$PGPORT"; then
  echo "a server already listens on 127.0.0.1:$PGPORT; reusing it" >&2
else
  as_root mkdir -p "$DATA"
  as_root chown postgres "$DATA"
  if [ ! -f "$DATA/PG_VERSION" ]; then
    as_pg "$BIN/initdb" -D "$DATA" -U postgres -A trust >&2
  fi
  as_pg "$BIN/pg_ctl" -D "$DATA" -l "$DATA/server.log" -w \
    -o "-p $PGPORT -k $DATA -c listen_addresses=127.0.0.1" start >&2
fi

psql_tcp() { PGPASSWORD="$PASSWORD" "$BIN/psql" -h 127.0.0.1 -p "$PGPORT" -U postgres -v ON_ERROR_STOP=1 -qAt "$@"; }
if ! psql_tcp -d postgres -c "select 1" >/dev/null 2>&1; then
  # a packaged cluster (md5/scram over TCP): set the password through the local socket (peer auth)
  as_pg "$BIN/psql" -p "$PGPORT" -qAt -c "ALTER USER postgres PASSWORD '$PASSWORD'" >&2
fi
if [ "$(psql_tcp -d postgres -c "select 1 from pg_database where datname = '$DB'")" != "1" ]; then
  psql_tcp -d postgres -c "CREATE DATABASE $DB" >&2
fi
echo "postgresql://postgres:$PASSWORD@127.0.0.1:$PGPORT/$DB"
