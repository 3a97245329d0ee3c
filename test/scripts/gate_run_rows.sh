#!/usr/bin/env bash
# The deploy gate's fresh rows come from the rows the active model's run
# recorded (run_labels(), src/pg/run_rows.cpp: one reader for the built-in
# intent's ai_training_run_rows and a classifier's ai_classifier_run_rows;
# issue 33, "one rule, one place"). Two differences between the two copies
# it replaced, each a defect of the built-in intent's:
#
#  1. The snapshot. The active model and its run are chosen by the run's
#     begin step, under a snapshot of its own, later than the statement's;
#     the intent's copy read that run's rows under the statement's snapshot.
#     A run committed and deployed in between is the active model's, but
#     none of its rows was visible: every reviewed row was fresh, those the
#     active model trained on too, and the gate weighed it on its own
#     training rows. Here session b's statement waits (its snapshot already
#     taken) on an advisory lock the test holds while session a trains and
#     deploys a model; then b trains against a's model with
#     {"deploy": "never"}: no row is fresh (every row was a's, same label).
#  2. A run that recorded no row (0.1.0's runs kept no list: the state an
#     upgraded 0.1.0 model is in, made here by deleting the active run's
#     rows) tells no row from another: no row is fresh, and the gate
#     compares estimates. The intent's copy took every reviewed row for
#     fresh; a classifier's (no key judged, "any row") did not.
#  3. A NULL. Both tables' key and label are NOT NULL, but the extension's
#     owner may drop a constraint: the intent's copy read a NULL as a row
#     that names nothing; a classifier's detoasted it, a null pointer (the
#     backend died of SIGSEGV and the server restarted). Here a classifier's
#     recorded label is set NULL: its row names nothing (it is fresh) and
#     the run completes.
cd "$(dirname "$0")/../.."
source test/scripts/lib.bash
DB=pgi_gate_run_rows
fresh_db $DB
load_ecommerce $DB
trap 'drop_db $DB; rm -rf "$TEST_TMP"' EXIT
q $DB "UPDATE ai_training_data SET dataset_status = 'reviewed'" >/dev/null
reviewed=$(q $DB "SELECT count(*) FROM ai_training_data WHERE is_reviewed AND training_label IS NOT NULL")

fresh_of() { # run name -> "<fresh> fresh of <rows>, <deploy_evidence>"
    q $DB "SELECT count(*) FILTER (WHERE rr.fresh) || ' fresh of ' || count(*) || ', '
                  || min(r.deploy_evidence)
             FROM ai_training_run_rows AS rr JOIN ai_training_runs AS r ON r.id = rr.run_id
            WHERE r.run_name = '$1'"
}

expect_eq "$(q $DB "SELECT train_intent_model('first', 'full', '{\"deploy\": \"always\"}') ->> 'status'")" \
    completed "a first model is trained and deployed"

# 1. A run committed after the statement's snapshot, before its begin step.
session_open hold $DB
session_open b $DB
session_run hold "SELECT pg_advisory_lock(4343);" >/dev/null
# CASE: the lock is taken before the training starts, after the statement's
# snapshot.
session_send b "SELECT CASE WHEN pg_advisory_lock_shared(4343)::text = ''
                THEN train_intent_model('behind', 'full', '{\"deploy\": \"never\"}') ->> 'status' END;"
for _ in $(seq 1 600); do
    [ "$(q $DB "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND NOT granted")" = 1 ] && break
    sleep 0.1
done
expect_eq "$(q $DB "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND NOT granted")" 1 \
    "session b's training waits, its statement's snapshot taken"
expect_eq "$(q $DB "SELECT train_intent_model('between', 'full', '{\"deploy\": \"always\"}') ->> 'deployed'")" \
    true "meanwhile another run trains and deploys its model"
session_run hold "SELECT pg_advisory_unlock(4343);" >/dev/null
expect_eq "$(session_wait b)" completed "session b's run completes"
expect_eq "$(q $DB "SELECT m.run_id = (SELECT id FROM ai_training_runs WHERE run_name = 'between')
                      FROM ai_training_runs AS r JOIN ai_intent_models AS m
                        ON m.id = (r.metrics #>> '{deploy,active_model_id}')::bigint
                     WHERE r.run_name = 'behind'")" t \
    "session b's run was compared with the model deployed after its statement began"
expect_eq "$(fresh_of between)" "0 fresh of $reviewed, estimates" \
    "the deployed run: its active model trained on every row"
expect_eq "$(fresh_of behind)" "0 fresh of $reviewed, estimates" \
    "session b's run: the active model's run, committed after its statement began, trained on every row"
session_close b
session_close hold

# 2. The active model's run recorded no row.
q $DB "DELETE FROM ai_training_run_rows AS rr USING ai_intent_models AS m
        WHERE m.is_active AND m.classifier = 'intent' AND rr.run_id = m.run_id" >/dev/null
expect_eq "$(q $DB "SELECT train_intent_model('unrecorded', 'full', '{\"deploy\": \"never\"}') ->> 'status'")" \
    completed "a run against an active model whose run recorded no row completes"
expect_eq "$(fresh_of unrecorded)" "0 fresh of $reviewed, estimates" \
    "no row is fresh when the active model's run recorded none: the gate compares estimates"

# 3. A NULL label recorded by a classifier's run.
psql -X -q -v ON_ERROR_STOP=1 -d $DB <<'SQL' >/dev/null
CREATE TABLE shop_rows AS
SELECT row_number() OVER (ORDER BY text, intent) AS id, text AS body, intent AS label, true AS reviewed
  FROM demo_rows WHERE split = 'train';
SELECT create_classifier('shops', 'shop_rows', 'body', 'label',
                         '{"key_column": "id", "reviewed_column": "reviewed", "seed": 1}') IS NOT NULL;
SELECT train_classifier('shops', 'shops first', '{"deploy": "always"}');
ALTER TABLE ai_classifier_run_rows ALTER COLUMN label DROP NOT NULL;
UPDATE ai_classifier_run_rows AS rr SET label = NULL
  FROM ai_training_runs AS r WHERE r.id = rr.run_id AND r.run_name = 'shops first' AND rr.row_key = '1';
SQL
expect_eq "$(q $DB "SELECT train_classifier('shops', 'shops second', '{\"deploy\": \"never\"}') ->> 'status'")" \
    completed "a classifier's run against a run row whose label is NULL completes"
expect_eq "$(q $DB "SELECT string_agg(rr.row_key, ',') FROM ai_classifier_run_rows AS rr
                      JOIN ai_training_runs AS r ON r.id = rr.run_id
                     WHERE r.run_name = 'shops second' AND rr.fresh")" 1 \
    "the row recorded with a NULL label names nothing: it is the only fresh one"
