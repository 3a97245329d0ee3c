#!/usr/bin/env bash
# Throwaway PostgreSQL 15 cluster for tests, the demo and benchmarks.
#
#   scripts/pg-cluster.sh start   # initdb + start (idempotent)
#   scripts/pg-cluster.sh stop    # stop and delete the data directory
#   scripts/pg-cluster.sh env     # print exports for PGHOST/PGPORT/PGUSER
#
# The server listens only on a private Unix socket directory and port, so
# parallel runs and an existing server do not collide. PostgreSQL refuses to
# run as root, so when invoked as root the server runs as the postgres user.
#
# Settings: PGI_PORT (54330), PGI_DIR (/tmp/pg_intent_cluster_$PGI_PORT),
# PGI_CRON_DB (database pg_cron runs jobs in; contrib_regression, where
# pg_regress runs), PG_BINDIR (pg_config --bindir).
set -euo pipefail

PGI_PORT=${PGI_PORT:-54330}
PGI_DIR=${PGI_DIR:-/tmp/pg_intent_cluster_$PGI_PORT}
PGI_CRON_DB=${PGI_CRON_DB:-contrib_regression}
PG_BINDIR=${PG_BINDIR:-$(pg_config --bindir)}
DATA=$PGI_DIR/data
SOCK=$PGI_DIR/socket
LOG=$PGI_DIR/server.log

# Runs a command as the cluster's owner: postgres when we are root.
as_owner() {
    if [ "$(id -u)" = 0 ]; then
        runuser -u postgres -- "$@"
    else
        "$@"
    fi
}

cmd_env() {
    echo "export PGHOST=$SOCK PGPORT=$PGI_PORT PGUSER=postgres PGDATABASE=postgres"
}

cmd_start() {
    if [ -f "$DATA/postmaster.pid" ] && as_owner "$PG_BINDIR/pg_ctl" -D "$DATA" status >/dev/null 2>&1; then
        return 0
    fi
    rm -rf "$PGI_DIR"
    mkdir -p "$DATA" "$SOCK"
    if [ "$(id -u)" = 0 ]; then
        chown -R postgres:postgres "$PGI_DIR"
    fi
    chmod 700 "$DATA"
    as_owner "$PG_BINDIR/initdb" -D "$DATA" -U postgres -A trust -E UTF8 --locale=C.UTF-8 >"$PGI_DIR/initdb.log" 2>&1 ||
        { cat "$PGI_DIR/initdb.log" >&2; exit 1; }
    cat >>"$DATA/postgresql.conf" <<CONF
# pg_intent throwaway cluster
listen_addresses = ''
port = $PGI_PORT
unix_socket_directories = '$SOCK'
shared_preload_libraries = 'pg_cron'
cron.database_name = '$PGI_CRON_DB'
cron.use_background_workers = on
max_worker_processes = 16
fsync = off
synchronous_commit = off
full_page_writes = off
max_parallel_workers_per_gather = 2
log_min_messages = warning
CONF
    if ! as_owner "$PG_BINDIR/pg_ctl" -D "$DATA" -l "$LOG" -w -t 60 start >/dev/null; then
        cat "$LOG" >&2
        exit 1
    fi
    # The test database exists from the start: pg_cron's launcher connects
    # to it (cron.database_name) and pg_regress runs with --use-existing.
    as_owner "$PG_BINDIR/psql" -X -q -h "$SOCK" -p "$PGI_PORT" -U postgres -d postgres \
        -c "CREATE DATABASE $PGI_CRON_DB" >/dev/null
}

cmd_stop() {
    if [ -d "$DATA" ]; then
        as_owner "$PG_BINDIR/pg_ctl" -D "$DATA" -m immediate -w stop >/dev/null 2>&1 || true
    fi
    rm -rf "$PGI_DIR"
}

case "${1:-}" in
start) cmd_start ;;
stop) cmd_stop ;;
env) cmd_env ;;
*)
    echo "usage: $0 start|stop|env" >&2
    exit 2
    ;;
esac
