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
#               backend's peak memory (VmHWM); then predict_label() per
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
SECS=${SECS:-10}
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
    # Per statement: pgbench, one client, a random shop each time.
    local s1 sp sh sm active
    active=$(psql -At -c "SELECT count(*) FROM ai_intent_models WHERE classifier = 'shop_intent' AND is_active")
    printf 'SELECT 1;\n' >"$BENCH_TMP/one.sql"
    printf "SELECT predicted_intent FROM predict_intent('what is my credit limit');\n" >"$BENCH_TMP/intent.sql"
    printf "\\\\set s random(0, 499)\nSELECT label FROM predict_label('shop_intent', 'what is my credit limit', 'shop_' || :s);\n" >"$BENCH_TMP/label.sql"
    tps() { pgbench -n -M prepared -c 1 -T "$SECS" -f "$1" "${@:2}" pgi_bench 2>/dev/null | sed -nE 's/^tps = ([0-9.]+).*/\1/p'; }
    s1=$(tps "$BENCH_TMP/one.sql")
    sp=$(tps "$BENCH_TMP/intent.sql")
    sh=$(PGOPTIONS="-c pg_intent.model_cache_size=1GB" tps "$BENCH_TMP/label.sql")
    # The small budget: the fallback model's charge plus about one shop
    # model's, so that the fallback stays and the shops' models are loaded
    # again and again (a budget below the fallback's would reload the
    # fallback, the largest model, on most statements).
    local fb_kb shop_kb small_kb
    fb_kb=$(psql -At -c "SELECT count(*) FROM predict_label('shop_intent', 'x', 'shop_499')" -c "SELECT bytes / 1024 FROM _pg_intent_model_cache_stats()" | tail -1)
    shop_kb=$(psql -At -c "SELECT count(*) FROM predict_label('shop_intent', 'x', 'shop_0')" -c "SELECT bytes / 1024 FROM _pg_intent_model_cache_stats()" | tail -1)
    small_kb=$((fb_kb + 2 * shop_kb))
    [ "$small_kb" -lt 1024 ] && small_kb=1024
    sm=$(PGOPTIONS="-c pg_intent.model_cache_size=${small_kb}kB" tps "$BENCH_TMP/label.sql")
    us() { awk "BEGIN{printf \"%.1f\", 1000000/$1}"; }
    say ""
    say "\`predict_label()\` per statement (pgbench -M prepared, 1 client, ${SECS} s each, a random shop of 500 per statement; $active active models):"
    say ""
    say "| statement | µs per statement | beyond \`SELECT 1\` |"
    say "|---|---|---|"
    say "| \`SELECT 1\` | $(us "$s1") | |"
    say "| \`predict_intent()\` | $(us "$sp") | $(awk "BEGIN{printf \"%.1f\", 1000000/$sp-1000000/$s1}") |"
    say "| \`predict_label()\`, cache of 1 GB (every model stays: hits after the first pass) | $(us "$sh") | $(awk "BEGIN{printf \"%.1f\", 1000000/$sh-1000000/$s1}") |"
    say "| \`predict_label()\`, cache of $small_kb kB (the fallback, $fb_kb kB charged, and about two shop models of $shop_kb kB: a shop with its own model is mostly a miss, a load) | $(us "$sm") | $(awk "BEGIN{printf \"%.1f\", 1000000/$sm-1000000/$s1}") |"
    PGI_DIR=$c scripts/pg-cluster.sh stop >/dev/null || true
}

for p in $PARTS; do "$p"; done
say ""
say "Load at end $(bench_load). Command: \`bench/classifiers.sh $PARTS\`."
