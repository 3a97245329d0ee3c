#!/usr/bin/env bash
# Throwaway PostgreSQL clusters (15 by default, or another major's tree) for
# the tests, the demo and the benchmarks.
#
#   eval "$(scripts/pg-cluster.sh start)"   # new cluster; prints the exports below
#   scripts/pg-cluster.sh stop              # stops it and deletes $PGI_DIR
#   scripts/pg-cluster.sh env               # the exports again, for $PGI_DIR
#   scripts/pg-cluster.sh install           # (re)installs the extension into $PGI_DIR's tree
#
# Every cluster lives in its own directory (PGI_DIR, default a new
# `mktemp -d`), listens only on a Unix socket in that directory, on a port
# that was free when it started (PGI_PORT overrides), so runs started at the
# same time never share a socket, a data directory or a lock file.
#
# The server runs from a private copy of the system's PostgreSQL tree in
# $PGI_DIR/pg, and the extension is installed there with
# `make install DESTDIR=$PGI_DIR/pg`: tests never write to the system's
# PostgreSQL directories, and two checkouts can test different builds at
# once. PostgreSQL finds its share/ and lib/ relative to its binaries, so the
# copy works like the original. PGI_TREE=system uses the system installation
# as it is instead (after your own `make install`).
#
# PostgreSQL refuses to run as root; as root the server runs as `postgres`.
#
# Another major: PG_CONFIG (or PGI_SYSTEM_PG_CONFIG) names its pg_config, e.g.
#   PG_CONFIG=$(scripts/pg-major.sh tree 18) scripts/regress.sh
# The cluster then runs from a copy of that tree, and `install` builds the
# extension for it in build/pgNN (scripts/pg-major.sh build), never with the
# checkout's objects, which are the system major's.
#
# Exports printed by start/env: PGI_DIR PGI_BINDIR PGHOST PGPORT PGUSER
# PGDATABASE PATH (private bindir first).
# Other settings: PGI_PRELOAD (shared_preload_libraries, default pg_intent,
# and pg_cron when installed), PGI_CRON_DB (database pg_cron runs jobs in, default
# contrib_regression), PGI_CONF (extra postgresql.conf lines), PGI_ENCODING
# (UTF8), PGI_INITDB_OPTS (extra initdb options, e.g. --no-data-checksums
# for an 18 cluster that pg_upgrade fills from one without checksums:
# test/scripts/pg_upgrade_major.sh), PGI_SOURCE (the source tree `install` builds and installs, default
# this checkout), PGI_ARCHIVES (archives of other extensions laid out as the
# server tree, e.g. ../shared/citus/*.tar.xz, unpacked into the private tree
# before the server starts; test/scripts/citus.sh).
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/.." && pwd)
# The server's pg_config (the system's unless PG_CONFIG names another),
# remembered in env.sh: once a cluster's env is loaded, the pg_config first on
# PATH is the private copy's.
PGI_SYSTEM_PG_CONFIG=${PGI_SYSTEM_PG_CONFIG:-${PG_CONFIG:-$(command -v pg_config)}}
PGI_SYSTEM_PG_CONFIG=$(command -v "$PGI_SYSTEM_PG_CONFIG")
SYSTEM_BINDIR=$("$PGI_SYSTEM_PG_CONFIG" --bindir)
SYSTEM_SHAREDIR=$("$PGI_SYSTEM_PG_CONFIG" --sharedir)
SYSTEM_LIBDIR=$("$PGI_SYSTEM_PG_CONFIG" --pkglibdir)

as_owner() {
    if [ "$(id -u)" = 0 ]; then
        runuser -u postgres -- "$@"
    else
        "$@"
    fi
}

# A TCP port nothing listens on (the server itself only uses a Unix socket
# named after the port, in its private directory).
free_port() {
    local p
    for _ in $(seq 1 200); do
        p=$((20000 + RANDOM % 40000))
        if ! (exec 3<>"/dev/tcp/127.0.0.1/$p") 2>/dev/null; then
            echo "$p"
            return 0
        fi
    done
    echo "no free port found" >&2
    return 1
}

print_env() {
    # shellcheck disable=SC1091
    . "$PGI_DIR/env.sh"
    cat "$PGI_DIR/env.sh"
}

cmd_install() {
    [ -f "$PGI_DIR/env.sh" ] || { echo "PGI_DIR=$PGI_DIR holds no cluster" >&2; exit 1; }
    # shellcheck disable=SC1091
    . "$PGI_DIR/env.sh"
    [ "$PGI_TREE_KIND" = private ] || return 0
    # `make install` rebuilds nothing when the build is current; the lock
    # keeps two runs in one checkout from compiling the same objects at once.
    local source=${PGI_SOURCE:-$ROOT}
    # Another major than the checkout's builds in its own directory.
    if [ -z "${PGI_SOURCE:-}" ] && ! "$ROOT/scripts/pg-major.sh" is-system "$PGI_SYSTEM_PG_CONFIG"; then
        source=$("$ROOT/scripts/pg-major.sh" build "$PGI_SYSTEM_PG_CONFIG" 2>"$PGI_DIR/install.log") ||
            { tail -30 "$PGI_DIR/install.log" >&2; exit 1; }
    fi
    # Tests create released versions too (CREATE EXTENSION ... VERSION):
    # their frozen install scripts, which `make install` does not ship. A
    # release's own tree (PGI_SOURCE) shipped them all.
    local targets=install
    grep -q '^install-released-scripts:' "$source/Makefile" && targets="install install-released-scripts"
    (
        flock 9
        # shellcheck disable=SC2086
        make -C "$source" -s $targets PG_CONFIG="$PGI_SYSTEM_PG_CONFIG" DESTDIR="$PGI_DIR/pg" >>"$PGI_DIR/install.log" 2>&1 ||
            { tail -30 "$PGI_DIR/install.log" >&2; exit 1; }
    ) 9>"$source/.build.lock"
}

cmd_start() {
    if [ -z "${PGI_DIR:-}" ]; then
        PGI_DIR=$(mktemp -d "${TMPDIR:-/tmp}/pg_intent.XXXXXX")
        # a cluster that failed to start leaves nothing behind
        trap '[ $? -eq 0 ] || rm -rf "$PGI_DIR"' EXIT
    fi
    mkdir -p "$PGI_DIR"
    chmod 755 "$PGI_DIR"
    local port=${PGI_PORT:-$(free_port)}
    local kind=${PGI_TREE:-private} bindir
    if [ "$kind" = private ]; then
        mkdir -p "$PGI_DIR/pg$(dirname "$SYSTEM_BINDIR")" "$PGI_DIR/pg$(dirname "$SYSTEM_SHAREDIR")"
        cp -a "$(dirname "$SYSTEM_BINDIR")" "$PGI_DIR/pg$(dirname "$(dirname "$SYSTEM_BINDIR")")/"
        [ "$(dirname "$SYSTEM_LIBDIR")" = "$(dirname "$SYSTEM_BINDIR")" ] ||
            { echo "unexpected PostgreSQL layout: $SYSTEM_LIBDIR" >&2; exit 1; }
        cp -a "$SYSTEM_SHAREDIR" "$PGI_DIR/pg$(dirname "$SYSTEM_SHAREDIR")/"
        # Headers are only read: a link lets the copy's pg_config build
        # extensions (PGXS) like the original.
        local inc
        inc=$("$PGI_SYSTEM_PG_CONFIG" --includedir)
        mkdir -p "$PGI_DIR/pg$(dirname "$inc")"
        # (A relocatable tree's include/ was copied with its bin/.)
        [ -e "$PGI_DIR/pg$inc" ] || ln -s "$inc" "$PGI_DIR/pg$inc"
        bindir=$PGI_DIR/pg$SYSTEM_BINDIR
    else
        bindir=$SYSTEM_BINDIR
    fi
    cat >"$PGI_DIR/env.sh" <<ENV
export PGI_DIR=$PGI_DIR PGI_BINDIR=$bindir PGI_TREE_KIND=$kind PGI_SYSTEM_PG_CONFIG=$PGI_SYSTEM_PG_CONFIG
export PGHOST=$PGI_DIR/socket PGPORT=$port PGUSER=postgres PGDATABASE=postgres
export PATH=$bindir:\$PATH
ENV
    # Another major's tree: its programs and pg_cron carry an rpath to where
    # the tree was built, and Debian's libpq (15) would be loaded instead of
    # the tree's (dblink needs 17's and 18's).
    if [ "$kind" = private ] && ! "$ROOT/scripts/pg-major.sh" is-system "$PGI_SYSTEM_PG_CONFIG"; then
        echo "export LD_LIBRARY_PATH=$PGI_DIR/pg$("$PGI_SYSTEM_PG_CONFIG" --libdir)\${LD_LIBRARY_PATH:+:\$LD_LIBRARY_PATH}" >>"$PGI_DIR/env.sh"
    fi
    [ "$kind" = private ] && cmd_install
    local archive
    for archive in ${PGI_ARCHIVES:-}; do
        [ "$kind" = private ] || { echo "PGI_ARCHIVES needs a private tree" >&2; exit 1; }
        tar -xf "$archive" -C "$PGI_DIR/pg" || { echo "cannot unpack $archive" >&2; exit 1; }
    done

    # pg_intent is preloaded for the training progress in shared memory;
    # pg_cron for the scheduled retraining test.
    local preload=${PGI_PRELOAD-}
    if [ -z "${PGI_PRELOAD+set}" ]; then
        preload=pg_intent
        [ -f "$SYSTEM_LIBDIR/pg_cron.so" ] && preload=pg_cron,pg_intent
    fi
    mkdir -p "$PGI_DIR/data" "$PGI_DIR/socket" "$PGI_DIR/log"
    [ "$(id -u)" = 0 ] && chown postgres:postgres "$PGI_DIR/data" "$PGI_DIR/socket" "$PGI_DIR/log"
    chmod 700 "$PGI_DIR/data"
    # shellcheck disable=SC2086
    as_owner "$bindir/initdb" -D "$PGI_DIR/data" -U postgres -A trust -E "${PGI_ENCODING:-UTF8}" \
        --locale=C.UTF-8 ${PGI_INITDB_OPTS:-} >"$PGI_DIR/log/initdb.log" 2>&1 || { cat "$PGI_DIR/log/initdb.log" >&2; exit 1; }
    cat >>"$PGI_DIR/data/postgresql.conf" <<CONF
# pg_intent throwaway cluster
listen_addresses = ''
port = $port
unix_socket_directories = '$PGI_DIR/socket'
shared_preload_libraries = '$preload'
cron.database_name = '${PGI_CRON_DB:-contrib_regression}'
cron.use_background_workers = on
max_worker_processes = 16
fsync = off
synchronous_commit = off
full_page_writes = off
max_parallel_workers_per_gather = 2
log_min_messages = warning
${PGI_CONF:-}
CONF
    if ! as_owner "$bindir/pg_ctl" -D "$PGI_DIR/data" -l "$PGI_DIR/log/server.log" -w -t 60 start >/dev/null; then
        cat "$PGI_DIR/log/server.log" >&2
        exit 1
    fi
    # pg_cron's launcher connects to its database from the start, and
    # pg_regress runs there with --use-existing.
    as_owner "$bindir/psql" -X -q -h "$PGI_DIR/socket" -p "$port" -U postgres -d postgres \
        -c "CREATE DATABASE ${PGI_CRON_DB:-contrib_regression}" >/dev/null
    print_env
}

cmd_stop() {
    [ -n "${PGI_DIR:-}" ] || { echo "PGI_DIR is not set" >&2; exit 1; }
    [ -f "$PGI_DIR/env.sh" ] || return 0
    # shellcheck disable=SC1091
    . "$PGI_DIR/env.sh"
    if [ -d "$PGI_DIR/data" ]; then
        as_owner "$PGI_BINDIR/pg_ctl" -D "$PGI_DIR/data" -m immediate -w stop >/dev/null 2>&1 || true
    fi
    rm -rf "$PGI_DIR"
}

case "${1:-}" in
start) cmd_start ;;
stop) cmd_stop ;;
env) print_env ;;
install) cmd_install ;;
*)
    echo "usage: $0 start|stop|env|install" >&2
    exit 2
    ;;
esac
