#!/usr/bin/env bash
# Trains the same rows with the same options under a base commit's build and
# under this checkout's, each in a cluster of its own, and compares what they
# learnt: every model's predictions over every message, bit for bit, and the
# runs' results. A redesign that must not change behaviour passes with no
# difference.
#
#   scripts/compare-models.sh --base COMMIT
#
# The runs: a first model (linear_svm, deployed as the first), a second
# trained after reviewed rows the first never saw were added (the deploy
# gate on fresh rows), and a logistic_regression candidate ({"deploy":
# "never"}); then a partitioned classifier (three shops and the shared
# fallback, trained twice: first models weighed against the fallback, then
# the gate on fresh rows). Predictions: predict_intent(message, model id) over
# every row of data/ecommerce_es.csv for each intent model, predict_label()
# for each shop (and one without a model); label, confidence as float8 text
# with extra_float_digits = 3, and the top list. Runs: status, deploy
# decision and evidence, the recorded metrics without timings or run ids,
# model bytes (sha256), and each run's rows.
# Builds the base commit (as test/scripts/lib.bash's build_release does), so
# it is not part of scripts/test.sh. Exit status 1 when anything differs.
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
BASE=
while [ $# -gt 0 ]; do
    case $1 in
    --base) BASE=$2; shift 2 ;;
    *) echo "usage: $0 --base COMMIT" >&2; exit 2 ;;
    esac
done
[ -n "$BASE" ] || { echo "usage: $0 --base COMMIT" >&2; exit 2; }
git -C "$ROOT" cat-file -e "$BASE^{commit}" || { echo "unknown commit $BASE" >&2; exit 2; }

WORK=$(mktemp -d "${TMPDIR:-/tmp}/compare-models.XXXXXX")
chmod 755 "$WORK"
cleanup() {
    for side in base current; do
        [ -f "$WORK/$side/env.sh" ] && PGI_DIR=$WORK/$side "$ROOT/scripts/pg-cluster.sh" stop >/dev/null 2>&1 || true
    done
    rm -rf "$WORK"
}
trap cleanup EXIT

echo "building $BASE ..."
mkdir -p "$WORK/src"
git -C "$ROOT" archive "$BASE" | tar -x -C "$WORK/src"
make -C "$WORK/src" -s -j"${JOBS:-2}" >"$WORK/build.log" 2>&1 || { tail -20 "$WORK/build.log" >&2; exit 1; }
make -C "$ROOT" -s -j"${JOBS:-2}" >"$WORK/build-current.log" 2>&1 || { tail -20 "$WORK/build-current.log" >&2; exit 1; }

# The same script in both clusters; its output is what is compared.
SCRIPT=$(cat <<'SQL'
\set ON_ERROR_STOP 1
SET client_min_messages = warning;
CREATE EXTENSION pg_intent;
CREATE TABLE demo_rows (split text, text text, intent text);
\copy demo_rows FROM 'data/ecommerce_es.csv' WITH (FORMAT csv, HEADER true)
-- The same ids and times in both clusters (ids break ties in the order the
-- core is fed).
CREATE FUNCTION pg_temp.load(p_split text, p_day text) RETURNS void LANGUAGE sql AS $$
    SELECT count(record_interaction(text, intent, 90)) FROM demo_rows WHERE split = p_split;
    UPDATE ai_training_data AS t
       SET id = md5(p_split || n.rn::text)::uuid, created_at = p_day::timestamptz
      FROM (SELECT d.id, row_number() OVER (ORDER BY d.user_message, d.detected_intent) AS rn
              FROM ai_training_data AS d WHERE d.created_at > '2001-01-01') AS n
     WHERE t.id = n.id;
$$;
SELECT pg_temp.load('train', '2000-01-01');
UPDATE ai_training_policy SET min_gate_rows = 20;
CREATE TEMP TABLE runs AS SELECT 1 AS n, train_intent_model('first', 'full', '{"seed": 1}') AS r;
-- reviewed rows the first model never saw: the gate's fresh rows
SELECT pg_temp.load('test', '2000-02-01');
SELECT approve_training_samples(ARRAY(SELECT id FROM ai_training_data WHERE created_at = '2000-02-01')) IS NOT NULL AS approved;
INSERT INTO runs SELECT 2, train_intent_model('gate', 'full', '{"seed": 2}');
INSERT INTO runs SELECT 3, train_intent_model('logistic', 'full', '{"seed": 3, "algorithm": "logistic_regression", "deploy": "never"}');
-- A partitioned classifier: three shops (big; small; odd, whose labels are
-- its own, so that its model beats the shared fallback on its rows, which
-- weighs each shop's first model), trained twice, the second time with
-- reviewed rows no active model saw.
CREATE TABLE shop_messages (id bigint PRIMARY KEY, shop text, message text, label text, created_at timestamptz,
                            reviewed boolean);
CREATE FUNCTION pg_temp.load_shops(p_split text, p_first bigint, p_day text) RETURNS void LANGUAGE sql AS $$
    INSERT INTO shop_messages
    SELECT p_first + n.rn, CASE n.rn % 5 WHEN 0 THEN 'small' WHEN 1 THEN 'odd' WHEN 2 THEN 'odd' ELSE 'big' END,
           n.text, CASE WHEN n.rn % 5 IN (1, 2) THEN 'odd_' || n.intent ELSE n.intent END, p_day::timestamptz, true
      FROM (SELECT d.text, d.intent, row_number() OVER (ORDER BY d.text, d.intent) AS rn
              FROM demo_rows AS d WHERE d.split = p_split) AS n;
$$;
SELECT pg_temp.load_shops('train', 0, '2000-01-01');
SELECT create_classifier('shops', 'shop_messages', 'message', 'label',
                         '{"key_column": "id", "time_column": "created_at", "reviewed_column": "reviewed",
                           "partition_column": "shop", "min_partition_rows": 20}') IS NOT NULL AS created;
CREATE TEMP TABLE classifier_runs AS SELECT 1 AS n, train_classifier('shops', 'shops first', '{"seed": 4}') AS r;
SELECT pg_temp.load_shops('test', 100000, '2000-02-01');
INSERT INTO classifier_runs SELECT 2, train_classifier('shops', 'shops gate', '{"seed": 5}');
\pset format unaligned
\pset tuples_only on
SET extra_float_digits = 3;
\echo == runs
SELECT n, r ->> 'status', r ->> 'deployed', r ->> 'deploy_reason', r ->> 'deploy_evidence',
       r -> 'final_metrics', r -> 'baseline_metrics', r ->> 'improvement', r ->> 'evaluation',
       r ->> 'training_samples', r ->> 'validation_samples', r ->> 'test_samples', r ->> 'total_intents'
  FROM runs ORDER BY n;
\echo == classifier runs
SELECT c.n, p.e ->> 'partition', p.e ->> 'status', p.e ->> 'deployed', p.e ->> 'deploy_reason',
       p.e ->> 'deploy_evidence', p.e -> 'final_metrics', p.e -> 'baseline_metrics', p.e ->> 'training_samples',
       p.e ->> 'total_intents'
  FROM classifier_runs AS c,
       LATERAL (SELECT c.r - 'partitions' UNION ALL SELECT jsonb_array_elements(c.r -> 'partitions')) AS p(e)
 ORDER BY c.n, p.e ->> 'partition' NULLS FIRST;
\echo == recorded runs
SELECT run_name, partition_key, status, deployed, deploy_reason, deploy_evidence, training_samples,
       validation_samples, test_samples, total_intents, intent_accuracy, intent_precision, intent_recall,
       intent_f1_score, baseline_intent_accuracy, baseline_f1_score, model_config,
       metrics #- '{timings}' #- '{deploy,fallback_run_id}'
  FROM ai_training_runs ORDER BY started_at, partition_key NULLS FIRST;
\echo == models
SELECT r.run_name, m.partition_key, m.algorithm, m.sha256, m.size_bytes, m.intents, m.confidence_threshold,
       m.is_active, m.metrics
  FROM ai_intent_models AS m JOIN ai_training_runs AS r ON r.id = m.run_id ORDER BY m.id;
\echo == run rows
SELECT r.run_name, md5(string_agg(concat_ws('|', rr.training_data_id, rr.intent, rr.fresh, rr.fold,
                                            rr.predicted_intent, rr.confidence::float8, rr.label_probability::float8,
                                            rr.uncertain), ',' ORDER BY rr.training_data_id))
  FROM ai_training_run_rows AS rr JOIN ai_training_runs AS r ON r.id = rr.run_id GROUP BY r.run_name ORDER BY 1;
SELECT r.run_name, r.partition_key,
       md5(string_agg(concat_ws('|', rr.row_key, rr.label, rr.fresh, rr.fold, rr.predicted_label,
                                rr.confidence::float8, rr.label_probability::float8, rr.uncertain),
                      ',' ORDER BY rr.row_key))
  FROM ai_classifier_run_rows AS rr JOIN ai_training_runs AS r ON r.id = rr.run_id
 GROUP BY r.run_name, r.partition_key ORDER BY 1, 2 NULLS FIRST;
\echo == predictions
SELECT r.run_name, d.split, d.text, p.predicted_intent, p.confidence, p.uncertain, p.top_intents
  FROM ai_intent_models AS m JOIN ai_training_runs AS r ON r.id = m.run_id,
       demo_rows AS d, predict_intent(d.text, m.id) AS p
 WHERE m.classifier = 'intent'
 ORDER BY m.id, d.split, d.text;
\echo == classifier predictions
SELECT s.shop, d.split, d.text, p.label, p.confidence, p.uncertain, p.top_labels, p.model_partition
  FROM unnest(ARRAY['big', 'odd', 'small', 'elsewhere']) AS s(shop), demo_rows AS d,
       predict_label('shops', d.text, s.shop) AS p
 ORDER BY s.shop, d.split, d.text;
SQL
)

for side in base current; do
    src=$ROOT
    [ $side = base ] && src=$WORK/src
    echo "training with the $side build ..."
    PGI_DIR=$WORK/$side PGI_SOURCE=$src "$ROOT/scripts/pg-cluster.sh" start >/dev/null
    (
        . "$WORK/$side/env.sh"
        cd "$ROOT"
        psql -X -q -d postgres -c "CREATE DATABASE compare" >/dev/null
        psql -X -q -d compare <<<"$SCRIPT" >"$WORK/$side.out" 2>&1
    ) || { tail -20 "$WORK/$side.out" >&2; exit 1; }
done

predictions=$(sed -n '/^== predictions/,$p' "$WORK/current.out" | grep -c '|' || true)
echo "base $BASE vs current $(git -C "$ROOT" rev-parse --short HEAD)$(git -C "$ROOT" diff --quiet || echo '+changes'):"
echo "  runs: $(sed -n '/^== runs/,/^== classifier runs/p' "$WORK/current.out" | grep -c '|')," \
    "models: $(sed -n '/^== models/,/^== run rows/p' "$WORK/current.out" | grep -c '|')," \
    "predictions compared: $predictions"
sed -n '/^== runs/,/^== classifier runs/p' "$WORK/current.out" | grep '|' | cut -d'|' -f1-5 | sed 's/^/  run /'
sed -n '/^== classifier runs/,/^== recorded/p' "$WORK/current.out" | grep '|' | cut -d'|' -f1-6 |
    sed 's/^/  classifier run /'
if diff -u "$WORK/base.out" "$WORK/current.out" >"$WORK/diff"; then
    echo "identical: every run result, recorded run, model (sha256), run row and prediction"
else
    echo "DIFFERENCES:"
    head -60 "$WORK/diff"
    exit 1
fi
