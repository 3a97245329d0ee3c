# A Citus cluster on this machine, for test/scripts/citus.sh and
# bench/citus.sh: a coordinator (a cluster of the caller's own, whose private
# server tree gets Citus from CITUS_TARBALL, default
# ../shared/citus/citus-13.2.2-pg15-bookworm-amd64.tar.xz; a missing archive
# is a failure, never a skip) and workers, servers of the same tree. Each
# listens on 127.0.0.1 and a free port, and preloads citus, then pg_intent.
# Source after test/scripts/lib.bash, from the repository root.
#
#   citus_start_coordinator             sets COORD_PORT, COORD_HOST and the PG* variables
#   citus_start_worker NAME             sets <NAME>_PORT, <NAME>_HOST
#   citus_create_db DB NODE...          the database, with citus, on each node;
#                                       the first node's is the coordinator's,
#                                       the others are added as workers
#   on NODE DB SQL                      psql on one node (coord, w1, ...)
CITUS_TARBALL=${CITUS_TARBALL:-$(pwd)/../shared/citus/citus-13.2.2-pg15-bookworm-amd64.tar.xz}
[ -f "$CITUS_TARBALL" ] || { echo "FAILED: no Citus archive: $CITUS_TARBALL is missing (set CITUS_TARBALL)" >&2; exit 1; }
CITUS_CONF="listen_addresses = '127.0.0.1'
citus.node_conninfo = 'sslmode=disable'"

citus_start_coordinator() {
    PGI_ARCHIVES=$CITUS_TARBALL PGI_PRELOAD=citus,pg_intent PGI_CONF="$CITUS_CONF${CITUS_EXTRA_CONF:+
$CITUS_EXTRA_CONF}" start_own_cluster coordinator
    COORD_PORT=$PGPORT
    # shellcheck disable=SC2034 # read by on()
    COORD_HOST=$PGHOST
}

citus_start_worker() { # name
    local dir=$TEST_TMP/$1 port
    port=$(free_port)
    mkdir -p "$dir/data" "$dir/socket"
    [ "$(id -u)" = 0 ] && chown -R postgres:postgres "$dir"
    chmod 700 "$dir/data"
    EXTRA_CLUSTERS+=("$dir")
    as_owner initdb -D "$dir/data" -U postgres -A trust -E UTF8 --locale=C.UTF-8 >"$dir/initdb.log" 2>&1 ||
        { cat "$dir/initdb.log" >&2; return 1; }
    cat >>"$dir/data/postgresql.conf" <<CONF
port = $port
unix_socket_directories = '$dir/socket'
shared_preload_libraries = 'citus,pg_intent'
fsync = off
synchronous_commit = off
full_page_writes = off
log_min_messages = warning
$CITUS_CONF
${CITUS_EXTRA_CONF:-}
CONF
    as_owner pg_ctl -D "$dir/data" -l "$dir/server.log" -w -t 60 start >/dev/null || { cat "$dir/server.log" >&2; return 1; }
    printf -v "${1^^}_PORT" '%s' "$port"
    printf -v "${1^^}_HOST" '%s' "$dir/socket"
}

on() {
    local node=${1^^} db=$2
    shift 2
    PGHOST=$(eval echo "\$${node}_HOST") PGPORT=$(eval echo "\$${node}_PORT") psql -X -At -v ON_ERROR_STOP=1 -d "$db" -c "$*"
}

citus_create_db() { # db node...
    local db=$1 node
    shift
    for node in "$@"; do
        on "$node" postgres "CREATE DATABASE $db" >/dev/null
        on "$node" "$db" "CREATE EXTENSION citus" >/dev/null
    done
    on "$1" "$db" "SELECT citus_set_coordinator_host('127.0.0.1', $COORD_PORT)" >/dev/null
    shift
    for node in "$@"; do
        on coord "$db" "SELECT citus_add_node('127.0.0.1', $(eval echo "\$${node^^}_PORT"))" >/dev/null
    done
}
