#!/usr/bin/env bash
# Issue 33, "500 partitions in one call no slower per row than one
# classifier": two builds side by side on bench/classifiers.sh's 500-shop
# market table, each in its own cluster, timed in alternating pairs.
#
#   BASE_SRC=../main NEW_SRC=. PAIRS=7 bench/partitions_paired.sh > out.md
#
# Each cluster: CLINC150's train split as the 500-shop `market` table,
# `shop_intent` (partition_column shop, min_partition_rows 40, key_column id)
# and `one_model` (key_column id, no partitions), one auto call of each
# (deploys), then PAIRS rounds; in each round both builds (base first in odd
# rounds, new first in even ones) run one {"deploy": "never"} call of
# shop_intent then one of one_model: psql's wall time and the backend's CPU
# (utime + stime of /proc/self/stat, all its threads, read by the backend
# before and after the call in the same session). Then, per build, one call
# under track_functions = 'all' (calls per function) and one under
# `perf record -g` (shares of the backend's main thread). Last, every run of
# both clusters: model sha256, size, status, samples, scores, deploy, and an
# md5 of its ai_classifier_run_rows in key order, compared.
# BASE_DIR and NEW_DIR name the clusters' directories (deleted at the end).
set -euo pipefail
cd "$(dirname "$0")/.."
DATASETS=${DATASETS:-/work/shared/datasets}
CLINC=$DATASETS/clinc150_dev.csv
BASE_SRC=${BASE_SRC:?checkout of the base build}
NEW_SRC=${NEW_SRC:-.}
PAIRS=${PAIRS:-5}
BASE_DIR=${BASE_DIR:-$(mktemp -d)}
NEW_DIR=${NEW_DIR:-$(mktemp -d)}
TMP=$(mktemp -d)
cleanup() {
    PGI_DIR=$BASE_DIR scripts/pg-cluster.sh stop >/dev/null 2>&1 || true
    PGI_DIR=$NEW_DIR scripts/pg-cluster.sh stop >/dev/null 2>&1 || true
    rm -rf "$TMP"
}
trap cleanup EXIT

start() { # dir source
    PGI_DIR=$1 PGI_SOURCE=$2 PGI_CONF="autovacuum = off" scripts/pg-cluster.sh start >"$TMP/$(basename "$1").env"
}
use() { # dir
    # shellcheck disable=SC1090
    . "$1/env.sh"
    export PGDATABASE=mk
}

load() {
    psql -X -q -d postgres -c "CREATE DATABASE mk" >/dev/null
    psql -X -q -v ON_ERROR_STOP=1 >/dev/null <<SQL
SET client_min_messages = warning;
CREATE EXTENSION pg_intent;
CREATE TABLE clinc (ord serial, split text, text text, intent text);
\copy clinc (split, text, intent) FROM '$CLINC' WITH (FORMAT csv, HEADER true)
CREATE TABLE market (id bigserial PRIMARY KEY, shop text NOT NULL, message text NOT NULL, intent text NOT NULL);
INSERT INTO market (shop, message, intent)
SELECT 'shop_' || CASE WHEN r <= 60 THEN (i * 7 + r % 3) % 100 ELSE 100 + (i * 13 + r) % 400 END, text, intent
  FROM (SELECT text, intent, dense_rank() OVER (ORDER BY intent) - 1 AS i,
               row_number() OVER (PARTITION BY intent ORDER BY ord) AS r
          FROM clinc WHERE split = 'train') AS c;
VACUUM ANALYZE market;
SELECT create_classifier('shop_intent', 'market', 'message', 'intent',
       '{"key_column": "id", "partition_column": "shop", "min_partition_rows": 40}');
SELECT create_classifier('one_model', 'market', 'message', 'intent', '{"key_column": "id"}');
SELECT train_classifier('shop_intent') IS NOT NULL;
SELECT train_classifier('one_model') IS NOT NULL;
SQL
}

# One {"deploy": "never"} call of classifier $1: "wall_ms cpu_ticks".
call() {
    local out sql=$TMP/call.sql
    cat >"$sql" <<SQL
SET client_min_messages = warning;
SELECT split_part(s, ' ', 14)::bigint + split_part(s, ' ', 15)::bigint AS t0 FROM pg_read_file('/proc/self/stat') AS s \gset
\timing on
SELECT train_classifier('$1', NULL, '{"deploy": "never"}') IS NOT NULL;
\timing off
SELECT split_part(s, ' ', 14)::bigint + split_part(s, ' ', 15)::bigint - :t0 FROM pg_read_file('/proc/self/stat') AS s;
SQL
    psql -X -At -v ON_ERROR_STOP=1 -f "$sql" >"$TMP/call.out"
    local ms ticks
    ms=$(sed -nE 's/^Time: ([0-9.]+) ms.*/\1/p' "$TMP/call.out")
    ticks=$(tail -1 "$TMP/call.out")
    echo "$ms $ticks"
}

start "$BASE_DIR" "$BASE_SRC"
start "$NEW_DIR" "$NEW_SRC"
for d in "$BASE_DIR" "$NEW_DIR"; do
    use "$d"
    load
done
echo "market: $(psql -X -At -c "SELECT count(*) || ' rows, ' || count(DISTINCT shop) || ' shops, md5 ' || md5(string_agg(shop || message || intent, '|' ORDER BY id)) FROM market")"

: >"$TMP/pairs"
for r in $(seq 1 "$PAIRS"); do
    if [ $((r % 2)) = 1 ]; then order="base new"; else order="new base"; fi
    for b in $order; do
        [ "$b" = base ] && use "$BASE_DIR" || use "$NEW_DIR"
        part=$(call shop_intent)
        one=$(call one_model)
        echo "$r $b $part $one $(cut -d' ' -f1 /proc/loadavg)" >>"$TMP/pairs"
    done
done
echo "## pairs (round build shop_ms shop_ticks one_ms one_ticks load)"
cat "$TMP/pairs"

# rows trained per call: the last shop_intent call's runs, and one_model's
for b in base new; do
    [ "$b" = base ] && use "$BASE_DIR" || use "$NEW_DIR"
    echo "$b trained: $(psql -X -At -c "
      SELECT (SELECT sum(training_samples) FROM ai_training_runs WHERE classifier = 'shop_intent'
               AND batch_id = (SELECT batch_id FROM ai_training_runs WHERE classifier = 'shop_intent' ORDER BY started_at DESC LIMIT 1))
             || ' ' || (SELECT count(*) FROM ai_training_runs WHERE classifier = 'shop_intent'
               AND batch_id = (SELECT batch_id FROM ai_training_runs WHERE classifier = 'shop_intent' ORDER BY started_at DESC LIMIT 1))
             || ' ' || (SELECT training_samples FROM ai_training_runs WHERE classifier = 'one_model' ORDER BY started_at DESC LIMIT 1)
             || ' ' || (SELECT count(*) FROM market)")"
done

# calls per function in one shop_intent call
for b in base new; do
    [ "$b" = base ] && use "$BASE_DIR" || use "$NEW_DIR"
    echo "## $b track_functions"
    psql -X -At -F' ' -v ON_ERROR_STOP=1 <<'SQL'
SET client_min_messages = warning;
BEGIN;
SET LOCAL track_functions = 'all';
SELECT train_classifier('shop_intent', NULL, '{"deploy": "never"}') IS NOT NULL;
SELECT f.funcname, f.calls, round(f.total_time::numeric) AS total_ms, round(f.self_time::numeric) AS self_ms
  FROM pg_stat_xact_user_functions AS f ORDER BY f.calls DESC, f.funcname;
COMMIT;
SQL
done

# perf: one shop_intent call per build, the backend's main thread
if [ "${PERF:-1}" = 1 ] && command -v perf >/dev/null; then
    for b in base new; do
        [ "$b" = base ] && use "$BASE_DIR" || use "$NEW_DIR"
        psql -X -q -At -c "SET client_min_messages = warning" -c "SELECT pg_backend_pid()" -c "SELECT pg_sleep(2)" \
            -c "SELECT train_classifier('shop_intent', NULL, '{\"deploy\": \"never\"}') IS NOT NULL" >"$TMP/perf.out" 2>&1 &
        job=$!
        sleep 1
        pid=$(head -1 "$TMP/perf.out")
        perf record -q -F 999 -g -p "$pid" -o "$TMP/$b.perf" >/dev/null 2>&1 &
        perfjob=$!
        wait $job
        kill -INT $perfjob 2>/dev/null || true  # it ends with the backend
        wait $perfjob || true
        echo "## $b perf (pid $pid)"
        perf script -i "$TMP/$b.perf" -F tid,ip,sym 2>/dev/null | python3 bench/perf_shares.py "$pid"
    done
fi

# the same models and runs in both clusters
for b in base new; do
    [ "$b" = base ] && use "$BASE_DIR" || use "$NEW_DIR"
    psql -X -At -v ON_ERROR_STOP=1 >"$TMP/$b.runs" <<'SQL'
SELECT c.call_no, r.classifier, coalesce(r.partition_key, '-'), r.status, m.sha256, m.size_bytes, r.training_samples,
       r.intent_f1_score, r.intent_accuracy, r.deployed, r.deploy_reason, r.deploy_evidence, m.intents, m.confidence_threshold,
       (SELECT md5(coalesce(string_agg(x.row_key || ':' || x.label || ':' || x.fresh || ':' || coalesce(x.fold::text, '') || ':' ||
                                       coalesce(x.predicted_label, '') || ':' || coalesce(x.confidence::text, ''), '|' ORDER BY x.row_key), ''))
          FROM ai_classifier_run_rows AS x WHERE x.run_id = r.id)
  FROM ai_training_runs AS r
  JOIN (SELECT batch_id, classifier, row_number() OVER (PARTITION BY classifier ORDER BY min(started_at)) AS call_no
          FROM ai_training_runs GROUP BY batch_id, classifier) AS c USING (batch_id, classifier)
  LEFT JOIN ai_intent_models AS m ON m.id = r.model_id
 WHERE r.classifier IN ('shop_intent', 'one_model')
 ORDER BY 1, 2, 3;
SQL
    # the stored sha256 against the bytes
    echo "$b sha256 mismatches: $(psql -X -At -c "SELECT count(*) FROM ai_intent_models WHERE model IS NOT NULL AND sha256 <> encode(sha256(model), 'hex')")"
done
echo "runs compared: $(wc -l <"$TMP/base.runs") base, $(wc -l <"$TMP/new.runs") new; md5 $(md5sum <"$TMP/base.runs" | cut -c1-12) / $(md5sum <"$TMP/new.runs" | cut -c1-12)"
if cmp -s "$TMP/base.runs" "$TMP/new.runs"; then echo "runs and models: identical"; else echo "runs and models: DIFFER"; diff "$TMP/base.runs" "$TMP/new.runs" | head -20; fi
