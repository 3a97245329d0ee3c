#!/usr/bin/env bash
# The time rule of a classifier without a key_column (time_column only):
# a row is new to a run when its time is later than the run's horizon. A
# row written by a transaction that began before a training read its
# source, dated by DEFAULT now() (that transaction's start, older than the
# run's start), and committed after the read was neither trained on nor
# ever counted as new: the horizon was the run's start, so
# retrain_classifiers() never counted it, and a quiet classifier never
# retrained for it. The horizon the count uses is now the oldest start of
# a transaction in progress in the database when the run read its source
# (metrics source_new_since; _pg_intent_source_new_since()), less the rows
# later than it that the run found (source_rows_since_horizon); the gate keeps
# the run's start, so that its fresh rows stay rows the active model did
# not train on. The order of the sessions is what matters; no timing is
# asserted.
cd "$(dirname "$0")/../.."
source test/scripts/lib.bash
export PGOPTIONS="${PGOPTIONS:-} -c client_min_messages=warning"
DB=pgi_late_commit
fresh_db $DB
psql -X -q -v ON_ERROR_STOP=1 -d $DB >/dev/null <<'SQL'
SET client_min_messages = warning;
CREATE TABLE lc_raw (split text, text text, intent text);
\copy lc_raw FROM 'data/nlpjs_corpus50_es.csv' WITH (FORMAT csv, HEADER true)
CREATE TABLE lc_rows (text text, label text, at timestamptz DEFAULT now());
INSERT INTO lc_rows
SELECT text, split_part(intent, '.', 1), now() - interval '2 days'
  FROM (SELECT row_number() OVER (ORDER BY split, text, intent) AS n, text, intent FROM lc_raw WHERE intent <> 'oos') AS r
 WHERE n <= 400;
SELECT create_classifier('late', 'lc_rows', 'text', 'label',
                         '{"time_column": "at", "seed": 1, "auto_retrain_threshold": 3}');
SQL
q $DB "SELECT train_classifier('late', NULL, '{\"deploy\": \"always\"}') ->> 'status'" >/dev/null

# A writer's transaction begins (its rows will be dated by its start) ...
session_open T $DB
session_run T "BEGIN; SELECT 1;" >/dev/null
# ... two rows are written and committed meanwhile (later than its start) ...
q $DB "INSERT INTO lc_rows (text, label) SELECT text || ' ya', label FROM lc_rows ORDER BY text LIMIT 2" >/dev/null
# ... a training reads the source: the two rows, not the writer's (not
# committed yet) ...
run=$(q $DB "SELECT train_classifier('late', NULL, '{\"deploy\": \"always\"}') ->> 'run_id'")
expect_eq "$(q $DB "SELECT status || ' ' || (metrics ->> 'input_rows') FROM ai_training_runs WHERE id = '$run'")" \
    "completed 402" "the run trained on the 402 rows committed when it read"
# ... and the writer writes its three rows and commits after the read.
session_run T "INSERT INTO lc_rows (text, label) SELECT text || ' luego', label FROM lc_rows ORDER BY text LIMIT 3; COMMIT;" >/dev/null
session_close T
expect_eq "$(q $DB "SELECT count(*) FROM lc_rows AS t, ai_training_runs AS r
                     WHERE r.id = '$run' AND t.text LIKE '% luego' AND t.at < r.started_at")" 3 \
    "(the writer's rows are dated before the run's start)"

# The count: the three rows the run never read are new (before: 0, and
# the classifier never retrained for them); the two it trained on after
# the writer began are not: the run found them later than its horizon
# (source_rows_since_horizon) and the count subtracts them.
expect_eq "$(q $DB "SELECT (metrics ->> 'source_rows_since_horizon') FROM ai_training_runs WHERE id = '$run'")" 2 \
    "the run recorded the 2 rows it found later than its horizon"
expect_eq "$(q $DB "SELECT get_classifier_metrics('late') ->> 'new_rows'")" 3 \
    "the rows committed after the run's read are counted new, the rows it read are not"
expect_eq "$(q $DB "SELECT c ->> 'retrained' FROM jsonb_array_elements(retrain_classifiers() -> 'classifiers') AS c
                     WHERE c ->> 'classifier' = 'late'")" true \
    "retrain_classifiers() retrains for them (auto_retrain_threshold 3)"
# The gate: its fresh rows stay the rows later than the active model's
# run's start, none of the 2 it trained on (nor, conservatively, the 3 it
# did not read).
expect_eq "$(q $DB "SELECT (metrics ->> 'fresh_rows_rule') || ' ' || coalesce(metrics #>> '{gate,rows}', '0')
                     FROM ai_training_runs WHERE classifier = 'late' ORDER BY started_at DESC LIMIT 1")" \
    "time_column 0" "the gate judges the active model on no row it trained on"
expect_eq "$(q $DB "SELECT get_classifier_metrics('late') ->> 'new_rows'")" 0 \
    "after the retraining, nothing is new"

# A transaction left open (an idle session, a long report) across a
# training puts the horizon before every row the run trained on since it
# began: without the subtraction they all counted new after the run, and
# the classifier was due at every call while it stayed open.
session_open I $DB
session_run I "BEGIN; SELECT 1;" >/dev/null
q $DB "INSERT INTO lc_rows (text, label) SELECT text || ' abierta', label FROM lc_rows ORDER BY text LIMIT 4" >/dev/null
q $DB "SELECT train_classifier('late', NULL, '{\"deploy\": \"always\"}') ->> 'status'" >/dev/null
expect_eq "$(q $DB "SELECT get_classifier_metrics('late') ->> 'new_rows'")" 0 \
    "with a transaction open across the run, the rows it trained on are not new"
expect_eq "$(q $DB "SELECT c ->> 'retrained' FROM jsonb_array_elements(retrain_classifiers() -> 'classifiers') AS c
                     WHERE c ->> 'classifier' = 'late'")" false \
    "retrain_classifiers() does not retrain for them while it stays open"
session_run I "COMMIT;" >/dev/null
session_close I
drop_db $DB
