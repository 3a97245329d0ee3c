-- train_intent_model()'s one run is C's (issue 33, point 2), as each run of
-- train_classifier() is (classifier_run_calls): train_intent_model() reads
-- the effective policy and the training options once, then calls the run's
-- steps itself, as the extension owner: _pg_intent_train_run_begin(), the
-- trainer (from C, not by SQL), then _pg_intent_train_run_record() (or
-- _failed()). Counted with track_functions (the calls between C and SQL
-- the executor and fmgr see, in this transaction, in every schema): before
-- this change two PL/pgSQL workers ran the run (_pg_intent_train_run(),
-- _pg_intent_train_run_under_policy()), and the second called the trainer
-- _pg_intent_train_table() by SQL. Each count is of a new session's one
-- transaction (\c): a session holds the counts it has not yet reported.
SET client_min_messages = warning;
SET pg_intent.allow_drop_with_data = on; -- the previous test's rows go (src/pg/drop_guard.cpp)
DROP EXTENSION IF EXISTS pg_intent CASCADE;
CREATE EXTENSION pg_intent;
\i test/fixtures/spanish_80.sql

-- A run that trains and deploys its first model.
\c
SET client_min_messages = warning;
BEGIN;
SET LOCAL track_functions = 'all';
SELECT r ->> 'status' AS status, r ->> 'deploy_reason' AS deploy_reason, r ? 'classifier' AS names_classifier
  FROM train_intent_model('calls', 'full', '{"seed": 1}') AS r;
SELECT f.schemaname, f.funcname, f.calls
  FROM pg_stat_xact_user_functions AS f
 ORDER BY f.schemaname, f.funcname;
COMMIT;

-- A run whose rows are refused (PI001): recorded failed by the record step.
UPDATE ai_training_policy SET min_samples_for_training = 1000;
\c
SET client_min_messages = warning;
BEGIN;
SET LOCAL track_functions = 'all';
SELECT r ->> 'status' AS status, r ->> 'sqlstate' AS sqlstate, r ->> 'error' AS error
  FROM train_intent_model('refused') AS r;
SELECT f.schemaname, f.funcname, f.calls
  FROM pg_stat_xact_user_functions AS f
 ORDER BY f.schemaname, f.funcname;
COMMIT;
UPDATE ai_training_policy SET min_samples_for_training = DEFAULT;
SET pg_intent.allow_drop_with_data = on;

-- The runs' rows: one completed with its model and run rows, one failed.
SELECT r.run_name, r.run_type, r.status, r.classifier, r.partition_key, r.batch_id IS NULL AS no_batch,
       r.metrics -> 'error' ->> 'sqlstate' AS sqlstate, r.model_id IS NOT NULL AS has_model,
       (SELECT count(*) FROM ai_training_run_rows AS x WHERE x.run_id = r.id) AS run_rows
  FROM ai_training_runs AS r ORDER BY r.started_at;

DROP EXTENSION pg_intent CASCADE;
