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

-- A run whose rows are refused (PI001): the record step raises PI001 and
-- train_run() records the run failed (_pg_intent_train_run_failed()). The
-- record step's call ended in that error, so it counts none: a function's
-- call is counted when it returns.
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


-- The run's rows are inserted from C, by the trainer, in statements of at
-- most 10,000 rows, not by the record step from whole-run arrays (issue 33:
-- at 200,000 rows those arrays, in the trainer's result row and in
-- PL/pgSQL, were the backend's peak). A statement trigger sees each INSERT
-- into ai_training_run_rows: its rows, and whether the record step
-- (PL/pgSQL) ran it.
CREATE TABLE run_rows_inserts (n bigint, by_record boolean);
CREATE FUNCTION run_rows_inserted() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    v_context text;
BEGIN
    GET DIAGNOSTICS v_context = PG_CONTEXT;
    INSERT INTO public.run_rows_inserts SELECT count(*), v_context LIKE '%_pg_intent_train_run_record%' FROM new_rows;
    RETURN NULL;
END
$$;
CREATE TRIGGER run_rows_inserted AFTER INSERT ON ai_training_run_rows
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION run_rows_inserted();
SELECT r ->> 'status' AS status, r ->> 'deploy_reason' AS deploy_reason
  FROM train_intent_model('rows from C', 'full', '{"seed": 1}') AS r;
SELECT n, by_record FROM run_rows_inserts;
DROP TRIGGER run_rows_inserted ON ai_training_run_rows;

-- An error while the rows are inserted records a failed run with the rows
-- it read, and nothing of the run half recorded: no run rows, no model, the
-- active model unchanged.
CREATE FUNCTION run_row_refused() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF NEW.intent = 'product_info' THEN
        RAISE EXCEPTION 'run row refused by a trigger';
    END IF;
    RETURN NEW;
END
$$;
CREATE TRIGGER run_row_refused BEFORE INSERT ON ai_training_run_rows
    FOR EACH ROW EXECUTE FUNCTION run_row_refused();
SELECT coalesce(max(m.id), 0) AS active_before FROM ai_intent_models AS m WHERE m.is_active AND m.classifier = 'intent' \gset
SELECT r ->> 'status' AS status, r ->> 'sqlstate' AS sqlstate, r ->> 'error' AS error, r ->> 'model_id' AS model_id
  FROM train_intent_model('row refused', 'full', '{"seed": 1}') AS r;
SELECT r.status, r.model_id IS NULL AS no_model, r.metrics ->> 'rows_read' AS rows_read,
       (SELECT count(*) FROM ai_training_run_rows AS x WHERE x.run_id = r.id) AS run_rows,
       (SELECT count(*) FROM ai_intent_models AS m WHERE m.run_id = r.id) AS models,
       (SELECT coalesce(max(m.id), 0) FROM ai_intent_models AS m WHERE m.is_active AND m.classifier = 'intent')
           = :active_before AS same_active
  FROM ai_training_runs AS r WHERE r.run_name = 'row refused';
DROP TRIGGER run_row_refused ON ai_training_run_rows;
DROP FUNCTION run_row_refused();
DROP FUNCTION run_rows_inserted();
DROP TABLE run_rows_inserts;

DROP EXTENSION pg_intent CASCADE;
