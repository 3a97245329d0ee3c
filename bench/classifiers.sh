#!/usr/bin/env bash
# Named classifiers, measured (issue "Classifiers", benchmarks). Two parts,
# each on a throwaway cluster, each peer in the same run:
#
#   routing     a routing classifier over an app's own table, SNIPS (CC0: 7
#               intents = 7 routes), through create_classifier() and
#               train_classifier(): training time and accuracy on the test
#               split, against the seed's scikit-learn pipeline
#               (bench/peers/sklearn_pipeline.py) on the same rows.
#   partitions  a marketplace of 500 shops built from CLINC150's train split
#               (CC BY 3.0): one train_classifier() call (a model per shop
#               with enough rows, and the fallback), its time and the
#               backend's peak memory (VmHWM); its time per source row
#               against one unpartitioned classifier over the same table
#               (TRAIN_ROUNDS rounds, default 3); then predict_label() per
#               statement (pgbench, one random shop per statement) with the
#               cache holding every model (hits) and with a budget of a few
#               models (misses), against SELECT 1 and predict_intent().
#
#   bench/classifiers.sh [routing] [partitions]    (default: both)
#
# Writes bench/out/classifiers.md. Nothing is asserted: figures are
# reported with the machine and its load.
set -euo pipefail
cd "$(dirname "$0")/.."
source bench/lib.bash
SNIPS=$DATASETS/snips.csv
PARTS=${*:-routing partitions}
SECS=${SECS:-5}
ROUNDS=${ROUNDS:-6}
TRAIN_ROUNDS=${TRAIN_ROUNDS:-3}
REPORT=$OUT/classifiers.md
: >"$REPORT"
say() { echo "$*" | tee -a "$REPORT"; }

say "# Named classifiers — $(date -u +%F) on $(hostname)"
say ""
say "Machine: $(bench_machine); load at start $(bench_load)."

ms_of() { # the milliseconds psql's \timing printed last
    sed -nE 's/^Time: ([0-9.]+) ms.*/\1/p' | tail -1
}

routing() {
    local c
    bench_start_cluster c
    psql -c "SET client_min_messages = warning" -c "CREATE EXTENSION pg_intent" >/dev/null
    psql >/dev/null <<SQL
CREATE TABLE snips (split text, text text, intent text);
\copy snips FROM '$SNIPS' WITH (FORMAT csv, HEADER true)
CREATE TABLE ml_data (id bigserial PRIMARY KEY, text text NOT NULL, label text NOT NULL,
                      created_at timestamptz NOT NULL DEFAULT now());
INSERT INTO ml_data (text, label) SELECT text, intent FROM snips WHERE split = 'train' ORDER BY text, intent;
VACUUM ANALYZE ml_data;
SELECT create_classifier('router', 'ml_data', 'text', 'label', '{"key_column": "id", "time_column": "created_at", "gate_window_days": 30}');
SQL
    local rows ms acc cov acc_all
    rows=$(psql -At -c "SELECT count(*) FROM ml_data")
    ms=$(psql -c '\timing on' -c "SELECT train_classifier('router') ->> 'status'" 2>&1 | ms_of)
    read -r cov acc acc_all < <(psql -At -F' ' -c "
        SELECT round(avg((l IS NOT NULL)::int), 4), round(avg((l = intent)::int) FILTER (WHERE l IS NOT NULL), 4),
               round(avg((coalesce(l, '') = intent)::int), 4)
          FROM (SELECT intent, classify_label('router', text) AS l FROM snips WHERE split = 'test') AS t")
    say ""
    say "## Routing: SNIPS, $rows training rows, 7 routes"
    say ""
    say "| | train (s) | test accuracy |"
    say "|---|---|---|"
    say "| pg_intent \`train_classifier()\` (cross-validation, refit, calibration, thresholds, gate) | $(awk "BEGIN{printf \"%.2f\", $ms/1000}") | $acc_all overall (abstentions wrong); $acc on the $cov answered |"
    if /usr/bin/python3 -c 'import sklearn' 2>/dev/null; then
        local sk model="$BENCH_TMP/snips.pkl"
        sk=$(/usr/bin/python3 bench/peers/sklearn_pipeline.py train --data "$SNIPS" --split train --model "$model")
        local sk_s sk_acc
        sk_s=$(echo "$sk" | /usr/bin/python3 -c 'import json,sys; d=json.load(sys.stdin); print(round(d.get("train_seconds", d.get("seconds", 0)), 2))')
        sk_acc=$(/usr/bin/python3 bench/peers/sklearn_pipeline.py eval --data "$SNIPS" --split test --model "$model" |
            /usr/bin/python3 -c 'import json,sys; d=json.load(sys.stdin); print(round(d.get("accuracy", 0), 4))')
        say "| the seed's scikit-learn pipeline (TF-IDF 1-3-grams, LinearSVC, sigmoid calibration), fit only | $sk_s | $sk_acc |"
        say ""
        say "Time ratio pg_intent / scikit-learn: $(awk "BEGIN{printf \"%.2f\", ($ms/1000)/$sk_s}") (pg_intent's includes 5-fold cross-validation and the refit)."
    else
        say "| the seed's scikit-learn pipeline | not installed (scripts/install-deps.sh bench) | |"
    fi
    PGI_DIR=$c scripts/pg-cluster.sh stop >/dev/null || true
}

partitions() {
    local c
    bench_start_cluster c
    bench_load_clinc
    # 500 shops: shop k takes the rows of a few intents; sizes vary, so that
    # some shops have their own model and the rest use the fallback.
    psql >/dev/null <<'SQL'
CREATE TABLE market (id bigserial PRIMARY KEY, shop text NOT NULL, message text NOT NULL, intent text NOT NULL);
-- Shops 0-99 take 60 rows of each of about 4-5 intents (each intent spread
-- over 3 of them): enough for a model of their own. Shops 100-499 take the
-- other 40 rows of every intent, about 15 rows each: the fallback's.
INSERT INTO market (shop, message, intent)
SELECT 'shop_' || CASE WHEN r <= 60 THEN (i * 7 + r % 3) % 100 ELSE 100 + (i * 13 + r) % 400 END, text, intent
  FROM (SELECT text, intent, dense_rank() OVER (ORDER BY intent) - 1 AS i,
               row_number() OVER (PARTITION BY intent ORDER BY ord) AS r
          FROM clinc WHERE split = 'train') AS c;
VACUUM ANALYZE market;
SELECT create_classifier('shop_intent', 'market', 'message', 'intent',
       '{"key_column": "id", "partition_column": "shop", "min_partition_rows": 40}');
INSERT INTO ai_training_data (user_message, detected_intent, confidence_score, source)
SELECT text, intent, 100, 'imported' FROM clinc WHERE split = 'train' AND ord % 10 = 0;
SELECT train_intent_model('intent', 'full', '{"deploy": "always"}');
SQL
    local shops rows pid peak out
    shops=$(psql -At -c "SELECT count(DISTINCT shop) FROM market")
    rows=$(psql -At -c "SELECT count(*) FROM market")
    out="$BENCH_TMP/train.out"
    psql -At -c "SET client_min_messages = warning" -c "SELECT pg_backend_pid()" \
        -c "SELECT jsonb_array_length(t -> 'partitions') || ' ' || (t ->> 'partitions_below_minimum') || ' ' || (SELECT count(*) FROM jsonb_array_elements(t -> 'partitions') AS p WHERE p ->> 'status' = 'failed') || ' ' || round(extract(epoch FROM clock_timestamp() - now())::numeric, 1) FROM train_classifier('shop_intent') AS t" \
        >"$out" 2>&1 &
    local job=$!
    sleep 0.5
    pid=$(head -1 "$out")
    peak=0
    while kill -0 $job 2>/dev/null; do
        local hwm
        hwm=$(sed -nE 's/^VmHWM:\s+([0-9]+) kB/\1/p' /proc/"$pid"/status 2>/dev/null || true)
        [ -n "$hwm" ] && [ "$hwm" -gt "$peak" ] && peak=$hwm
        sleep 0.2
    done
    wait $job
    local trained below failed secs
    read -r trained below failed secs < <(sed -n 2p "$out" | tr -d '\r')
    say ""
    say "## Partitions: $shops shops, $rows rows (CLINC150 train split)"
    say ""
    say "One \`train_classifier()\` call: $trained shop runs ($failed of them refused their rows) and the fallback, $below shops below min_partition_rows 40, in $secs s; the backend's peak resident memory (VmHWM, sampled every 0.2 s) $((peak / 1024)) MB."
    per_row_against_one
    per_statement
    PGI_DIR=$c scripts/pg-cluster.sh stop >/dev/null || true
}

# The partitioned call per source row against one classifier (issue 33:
# 500 partitions in one call no slower per row than one classifier): an
# unpartitioned classifier over the same table, and the partitioned one
# (the fallback on every row, then a model per shop with enough rows), each
# trained TRAIN_ROUNDS times, alternately, with {"deploy": "never"} (every
# partition trains each time; nothing is deployed); psql's \timing,
# medians.
per_row_against_one() {
    local r one=() part=()
    psql >/dev/null <<'SQL'
SET client_min_messages = warning;
SELECT create_classifier('one_model', 'market', 'message', 'intent', '{"key_column": "id"}');
SQL
    train_ms() {
        psql -At -c "SET client_min_messages = warning" -c '\timing on' \
            -c "SELECT train_classifier('$1', NULL, '{\"deploy\": \"never\"}') IS NOT NULL" |
            sed -nE 's/^Time: ([0-9.]+) ms.*/\1/p'
    }
    for r in $(seq 1 "$TRAIN_ROUNDS"); do
        one+=("$(train_ms one_model)")
        part+=("$(train_ms shop_intent)")
    done
    # rows each model of the last call trained on (out-of-fold and refit):
    # the fallback every row, each shop its own again
    local rows one_rows part_rows
    rows=$(psql -At -c "SELECT count(*) FROM market")
    one_rows=$(psql -At -c "SELECT training_samples FROM ai_training_runs WHERE classifier = 'one_model' ORDER BY started_at DESC LIMIT 1")
    part_rows=$(psql -At -c "SELECT sum(training_samples) FROM ai_training_runs WHERE classifier = 'shop_intent'
                              AND started_at >= (SELECT max(started_at) FROM ai_training_runs WHERE classifier = 'shop_intent' AND partition_key IS NULL)")
    say ""
    say "Per source row against one classifier ($TRAIN_ROUNDS rounds, alternately, \`{\"deploy\": \"never\"}\`; medians, [min-max]):"
    say ""
    /usr/bin/python3 - "$rows" "${one[*]}" "${part[*]}" "$one_rows" "$part_rows" <<'PY' | tee -a "$REPORT"
import statistics, sys
rows, one_rows, part_rows = int(sys.argv[1]), int(sys.argv[4]), int(sys.argv[5])
one = [float(x) for x in sys.argv[2].split()]
part = [float(x) for x in sys.argv[3].split()]
print("| one call trains | s | rows trained (every model's) | µs per source row | µs per row trained |")
print("|---|---|---|---|---|")
m1, mp = statistics.median(one), statistics.median(part)
print(f"| one classifier over the {rows:,} rows (one model) | {m1 / 1000:.2f} [{min(one) / 1000:.2f}-{max(one) / 1000:.2f}] | {one_rows:,} | {m1 * 1000 / rows:.0f} | {m1 * 1000 / one_rows:.0f} |")
print(f"| the 500-shop classifier over the same rows (the fallback, then a model per shop with enough rows) | {mp / 1000:.2f} [{min(part) / 1000:.2f}-{max(part) / 1000:.2f}] | {part_rows:,} | {mp * 1000 / rows:.0f} | {mp * 1000 / part_rows:.0f} |")
print()
print(f"Ratios, the partitioned call against one classifier: {mp / m1:.2f} per source row, "
      f"{(mp / part_rows) / (m1 / one_rows):.2f} per row trained.")
PY
}

# predict_label() against predict_intent() per statement, statement for
# statement in one pgbench script (pgbench -r: each statement's mean
# latency), so that both run in the same seconds of a shared machine, with
# the same message and statement shape (SELECT * FROM f(...)). Three models:
#   - predict_label('intent', m): the same model as predict_intent(m), so
#     the difference is the classifier lookup, the privilege check and the
#     row;
#   - predict_label('clinc', m): a classifier over a table holding the same
#     rows as ai_training_data, trained by train_classifier() (the same
#     pipeline; its answers are compared with predict_intent()'s first);
#   - predict_label('shop_intent', m, 'shop_' || :own or :fallback): a
#     random shop of the 100 with a model of their own, or of the 400
#     answered by the fallback.
# A second script runs the same statements in the reverse order. Then the
# misses: a cache budget of about the fallback and two shop models, a random
# shop of the 100 each statement.
per_statement() {
    local m="what is my credit limit" raw="$OUT/classifiers_statements_raw.txt" differ active
    psql >/dev/null <<'SQL'
SET client_min_messages = warning;
CREATE TABLE clinc_rows (id bigint PRIMARY KEY, text text NOT NULL, label text NOT NULL);
INSERT INTO clinc_rows SELECT row_number() OVER (ORDER BY id), user_message, detected_intent FROM ai_training_data;
VACUUM ANALYZE clinc_rows;
SELECT create_classifier('clinc', 'clinc_rows', 'text', 'label', '{"key_column": "id"}');
SELECT train_classifier('clinc');
SQL
    differ=$(psql -At -c "SELECT count(*) FILTER (WHERE a.predicted_intent IS DISTINCT FROM b.label) || ' of ' || count(*)
                            FROM clinc AS c, predict_intent(c.text) AS a, predict_label('clinc', c.text) AS b
                           WHERE c.split = 'val'")
    active=$(psql -At -c "SELECT count(*) FROM ai_intent_models WHERE classifier = 'shop_intent' AND is_active AND partition_key IS NOT NULL")
    /usr/bin/python3 bench/classifiers_statements.py scripts "$m" "$BENCH_TMP"
    local fb_kb shop_kb small_kb r
    fb_kb=$(psql -At -c "SELECT count(*) FROM predict_label('shop_intent', 'x', 'shop_499')" -c "SELECT bytes / 1024 FROM intent_internal._pg_intent_model_cache_stats()" | tail -1)
    # (the shop's model abstains on 'x' and consults the fallback, which is
    # then charged too: it is taken off)
    shop_kb=$(psql -At -c "SELECT count(*) FROM predict_label('shop_intent', 'x', 'shop_0')" \
        -c "SELECT (bytes - CASE WHEN models > 1 THEN $fb_kb * 1024 ELSE 0 END) / 1024 FROM intent_internal._pg_intent_model_cache_stats()" | tail -1)
    # The fallback's charge plus about four shop models': most statements
    # load a shop's model again, and the fallback, the least recently used
    # model once four shops came since it last answered, is evicted and
    # loaded again when a shop's model abstains and consults it.
    small_kb=$((fb_kb + 4 * shop_kb))
    [ "$small_kb" -lt 1024 ] && small_kb=1024
    : >"$raw"
    for r in $(seq 1 "$ROUNDS"); do
        echo "### hits $r" >>"$raw"
        PGOPTIONS="-c pg_intent.model_cache_size=1GB" pgbench -n -M prepared -c 1 -T "$SECS" -r \
            -f "$BENCH_TMP/mix_a.sql" -f "$BENCH_TMP/mix_b.sql" pgi_bench >>"$raw" 2>&1
        echo "### misses $r" >>"$raw"
        PGOPTIONS="-c pg_intent.model_cache_size=${small_kb}kB" pgbench -n -M prepared -c 1 -T "$SECS" -r \
            -f "$BENCH_TMP/miss.sql" pgi_bench >>"$raw" 2>&1
    done
    say ""
    say "Per statement (pgbench -M prepared -r, one client, $ROUNDS rounds of $SECS s; the statements alternate within one script, run in both orders; each figure is the median over rounds of the statement's mean latency beyond \`SELECT 1\` in the same script, [min-max]). Message '$m'. $active shops have an active model of their own. \`predict_label('clinc', m)\` and \`predict_intent(m)\` give different labels on $differ CLINC150 val messages."
    say ""
    /usr/bin/python3 bench/classifiers_statements.py report "$raw" "$small_kb" "$fb_kb" "$shop_kb" | tee -a "$REPORT"
}

for p in $PARTS; do "$p"; done
say ""
say "Load at end $(bench_load). Command: \`bench/classifiers.sh $PARTS\`."
