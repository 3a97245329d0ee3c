# Shared by the in-database benchmarks (in_database.sh, statement_cost.sh,
# serving.sh, scale.sh): throwaway clusters that are stopped and deleted on
# every exit path, background processes that are killed with them, and the
# CLINC150 data. Source it from the repository root after `set -euo pipefail`.

DATASETS=${DATASETS:-../shared/datasets}
[ -d "$DATASETS" ] || DATASETS=/work/shared/datasets
CLINC=$DATASETS/clinc150_dev.csv
OUT=${OUT:-bench/out}
mkdir -p "$OUT"

BENCH_CLUSTERS=() # cluster directories to stop and delete at exit
BENCH_PIDS=()     # background processes (services, load generators) to kill at exit
BENCH_TMP=$(mktemp -d "${TMPDIR:-/tmp}/pgi-bench.XXXXXX")
chmod 755 "$BENCH_TMP"

bench_cleanup() {
    local pid dir
    for pid in "${BENCH_PIDS[@]}"; do
        # each background job runs in its own process group (set -m below)
        kill -TERM -- "-$pid" 2>/dev/null || kill -TERM "$pid" 2>/dev/null || true
    done
    for pid in "${BENCH_PIDS[@]}"; do
        wait "$pid" 2>/dev/null || true
    done
    for dir in "${BENCH_CLUSTERS[@]}"; do
        PGI_DIR=$dir scripts/pg-cluster.sh stop || true
        rm -rf "$dir"
    done
    rm -rf "$BENCH_TMP"
}
trap bench_cleanup EXIT
trap 'exit 130' INT TERM HUP

# Starts `"$@"` in the background in its own process group, to be killed at
# exit (with its children: uvicorn's workers, for instance). Sets BENCH_LAST_PID.
bench_background() {
    set -m
    "$@" &
    BENCH_LAST_PID=$!
    set +m
    BENCH_PIDS+=("$BENCH_LAST_PID")
}

# Kills one process started by bench_background (and its group).
bench_kill() {
    kill -TERM -- "-$1" 2>/dev/null || kill -TERM "$1" 2>/dev/null || true
    wait "$1" 2>/dev/null || true
}

# Starts a throwaway cluster on a free port and loads its environment (PGHOST,
# PGPORT, PATH, ...) into this shell; stores the cluster directory in the
# variable named $1. The extension is built from PGI_SOURCE when set (another
# checkout), else from this one. Extra postgresql.conf lines: $2.
bench_start_cluster() {
    local var=$1 cdir
    cdir=$(mktemp -d "${TMPDIR:-/tmp}/pgi-bench-cluster.XXXXXX")
    BENCH_CLUSTERS+=("$cdir")
    # autovacuum off: no worker wakes up in the middle of a timed run (tables
    # are vacuumed and analysed explicitly).
    PGI_DIR=$cdir PGI_CRON_DB=pgi_bench PGI_CONF="autovacuum = off
${2:-}" scripts/pg-cluster.sh start >"$cdir.env" 2>"$cdir.err" || {
        cat "$cdir.err" >&2
        rm -f "$cdir.env" "$cdir.err"
        return 1
    }
    rm -f "$cdir.env" "$cdir.err"
    bench_use_cluster "$cdir"
    printf -v "$var" '%s' "$cdir"
}

# Points psql, pgbench and friends at the cluster in directory $1.
bench_use_cluster() {
    # shellcheck disable=SC1091
    . "$1/env.sh"
    export PGDATABASE=pgi_bench
}

# The postmaster's pid of the current cluster.
bench_postmaster_pid() {
    head -1 "$PGI_DIR/data/postmaster.pid"
}

psql() { command psql -X -q -v ON_ERROR_STOP=1 "$@"; }

# Creates the extension and the table `clinc` (split, text, intent) with the
# whole CLINC150 file in the current cluster's pgi_bench database.
bench_load_clinc() {
    psql -c "SET client_min_messages = warning" -c "CREATE EXTENSION pg_intent" >/dev/null
    psql >/dev/null <<SQL
CREATE TABLE clinc (ord serial, split text, text text, intent text);
\copy clinc (split, text, intent) FROM '$CLINC' WITH (FORMAT csv, HEADER true)
VACUUM ANALYZE clinc;
SQL
}

# Loads the CLINC150 train split into ai_training_data and trains and deploys
# a model on it (the extension's defaults otherwise).
bench_train_clinc() {
    psql >/dev/null <<'SQL'
SET client_min_messages = warning;
INSERT INTO ai_training_data (user_message, detected_intent, confidence_score, source)
SELECT text, intent, 100, 'imported' FROM clinc WHERE split = 'train' ORDER BY ord;
SELECT train_intent_model('bench', 'full', '{"deploy": "always"}');
VACUUM ANALYZE ai_training_data;
SQL
}

# The table `messages` (id 1..N, text) in the current cluster: N (default
# 1,000) CLINC150 val messages spread over the split's 150 intents (every
# third one). Needs bench_load_clinc's table.
bench_load_messages() { # [N]
    psql >/dev/null <<SQL
CREATE TABLE messages (id integer PRIMARY KEY, text text NOT NULL);
INSERT INTO messages
SELECT row_number() OVER (ORDER BY ord), text
  FROM (SELECT ord, text, row_number() OVER (ORDER BY ord) AS n FROM clinc WHERE split = 'val') v
 WHERE n % 3 = 1 LIMIT ${1:-1000};
VACUUM ANALYZE messages;
SQL
}

# pgbench scripts over bench_load_messages' N (default 1,000) messages, a
# random one per statement: $BENCH_TMP/lookup.sql (the lookup alone) and
# $BENCH_TMP/$1.sql (the same lookup through predict_intent()).
bench_rotating_scripts() { # predict-script-name [N]
    printf '\\set id random(1, %s)\nSELECT m.text FROM messages m WHERE m.id = :id;\n' "${2:-1000}" \
        >"$BENCH_TMP/lookup.sql"
    printf '\\set id random(1, %s)\nSELECT p.* FROM messages m, LATERAL predict_intent(m.text) p WHERE m.id = :id;\n' \
        "${2:-1000}" >"$BENCH_TMP/$1.sql"
}

# "Name, model, CPU count" of this machine, and the load average, for the reports.
bench_machine() {
    local cpu
    cpu=$(sed -nE 's/^model name\s*:\s*//p' /proc/cpuinfo | head -1)
    echo "$(nproc) CPUs ($cpu), $(free -g | awk '/^Mem:/ {print $2}') GB RAM, $(uname -sr)"
}
bench_load() {
    cut -d' ' -f1-3 /proc/loadavg
}
