-- should_retrain() / retrain_if_needed(), and a real pg_cron job that retrains.
SET client_min_messages = warning;
SET pg_intent.allow_drop_with_data = on; -- the previous test's rows go (src/pg/drop_guard.cpp)
DROP EXTENSION IF EXISTS pg_intent CASCADE;
CREATE EXTENSION pg_intent;

\i test/fixtures/try.sql
\i test/fixtures/legacy_rows.sql
\i test/fixtures/spanish_100.sql

-- Defaults: retrain after 100 new rows, with at least 20 samples.
SELECT auto_retrain_threshold AS threshold, min_samples_for_training AS min_samples FROM ai_training_policy;

-- Nothing to learn from yet.
SELECT should_retrain();
SELECT retrain_if_needed();

-- 99 new rows: one short of the threshold.
SELECT pg_temp.add_samples(ARRAY['los zapatos', 'la camiseta', 'el vestido', 'la chaqueta', 'el bolso']) AS added;
DELETE FROM ai_training_data WHERE user_message = 'hay stock de el bolso';
SELECT should_retrain();
SELECT retrain_if_needed() -> 'samples_since_last_train' AS since;
INSERT INTO ai_training_data (user_message, detected_intent, confidence_score)
VALUES ('hay stock de el bolso', 'product_info', 90);
SELECT should_retrain();

-- The minimum sample count also applies.
UPDATE ai_training_policy SET min_samples_for_training = 500;
SELECT should_retrain();
SELECT retrain_if_needed() ->> 'reason' AS reason;
UPDATE ai_training_policy SET min_samples_for_training = DEFAULT;

-- Samples are the rows a run reads: not a row with an empty label, nor one
-- judged wrong without a correction, and at most the policy's
-- max_training_rows. (0.2.0 before this counted them, and every scheduled
-- call started a run that failed for too few rows.)
BEGIN;
UPDATE ai_training_policy SET min_samples_for_training = (SELECT count(*) FROM ai_training_data);
SELECT should_retrain() AS all_rows_usable;
-- (An empty label, which 0.2.0 stored; 0.2.1's constraints refuse it.)
SELECT pg_temp.as_before_0_2_1($$UPDATE ai_training_data SET detected_intent = '' WHERE id = (SELECT min(id::text)::uuid FROM ai_training_data)$$);
SELECT should_retrain() AS one_label_empty, retrain_if_needed() ->> 'reason' AS reason;
ROLLBACK;
BEGIN;
UPDATE ai_training_policy SET min_samples_for_training = (SELECT count(*) FROM ai_training_data);
UPDATE ai_training_data SET intent_correct = false WHERE id = (SELECT min(id::text)::uuid FROM ai_training_data);
SELECT should_retrain() AS one_judged_wrong;
ROLLBACK;
BEGIN;
UPDATE ai_training_policy SET max_training_rows = min_samples_for_training - 1;
SELECT should_retrain() AS window_below_minimum, retrain_if_needed() ->> 'reason' AS reason;
ROLLBACK;

-- Another session holding the training lock: retrain_if_needed() does not
-- raise, it reports the reason and trains nothing.
CREATE EXTENSION IF NOT EXISTS dblink;
SELECT dblink_connect('other', format('host=%s port=%s dbname=%s',
                      split_part(current_setting('unix_socket_directories'), ',', 1),
                      current_setting('port'), current_database())) AS connected;
SELECT dblink_exec('other', 'BEGIN') AS other_begin;
SELECT * FROM dblink('other', 'SELECT intent_internal._pg_intent_lock(''training'', false)') AS t(locked boolean);
SELECT r - 'samples_since_last_train' - 'error' AS busy, r -> 'samples_since_last_train' AS since,
       r -> 'error' ->> 'sqlstate' AS sqlstate,
       r -> 'error' ->> 'message' = format('classifier "intent" is being trained by backend %s',
                                           (SELECT pid FROM dblink('other', 'SELECT pg_backend_pid()') AS t(pid integer))) AS names_the_holder
FROM retrain_if_needed() r;
SELECT count(*) AS runs FROM ai_training_runs;
SELECT dblink_exec('other', 'ROLLBACK') AS other_rollback;
SELECT dblink_disconnect('other') AS disconnected;
DROP EXTENSION dblink;

-- Now it trains: the first model is deployed.
SELECT r -> 'retrained' AS retrained, r -> 'samples_since_last_train' AS since,
       r #>> '{result,status}' AS status, r #> '{result,deployed}' AS deployed,
       r #>> '{result,deploy_reason}' AS reason, r #>> '{result,run_id}' AS run_id
FROM retrain_if_needed() r \gset
SELECT :'retrained' AS retrained, :'since' AS since, :'status' AS status, :'deployed' AS deployed,
       :'reason' AS reason;
SELECT count(*) AS runs, bool_and(id = :'run_id'::uuid) AS run_recorded,
       bool_and(model_id = (SELECT id FROM ai_intent_models WHERE is_active)) AS model_active
FROM ai_training_runs;
-- ... and not again until enough new rows arrive.
SELECT should_retrain(), retrain_if_needed() - 'auto_retrain_threshold' - 'min_samples_for_training' AS again;

-- A run that fails (every usable row of one intent: a classifier needs two;
-- before 0.2.1 a row labelled 'uncertain' made every run fail, and now it is
-- refused where it is written) is returned as failed and recorded; asked
-- to, retrain_if_needed() raises it instead, so a scheduler records the job
-- as failed.
SELECT pg_temp.add_samples(ARRAY['las botas', 'el cinturón', 'la gorra', 'el paraguas', 'la cartera']) AS added;
CREATE TEMP TABLE one_intent AS
SELECT id FROM ai_training_data WHERE detected_intent <> 'return_process' AND dataset_status = 'pending';
UPDATE ai_training_data SET dataset_status = 'rejected' WHERE id IN (SELECT id FROM one_intent);
SELECT r ->> 'retrained' AS retrained, r #>> '{result,status}' AS status, r #>> '{result,error}' AS error,
       r #>> '{result,sqlstate}' AS sqlstate
  FROM retrain_if_needed() AS r;

-- After a failed run scheduled retraining backs off: the next call starts
-- no run (0.2.0 started the same failing run on every scheduler tick, since
-- the rows since the last completed run still counted as new), and names
-- the failed run. A few new rows do not end it.
SELECT count(*) AS runs_before FROM ai_training_runs \gset
SELECT should_retrain() AS should, r ->> 'retrained' AS retrained,
       r ->> 'reason' LIKE 'backing off after the failed run % at %: next try after %' AS backing_off,
       r ->> 'failed_run_id' = (SELECT id::text FROM ai_training_runs WHERE status = 'failed') AS names_the_run,
       (r ->> 'retry_after')::timestamptz - (r ->> 'failed_at')::timestamptz AS waits,
       r -> 'samples_since_failed_run' AS since_failure
  FROM retrain_if_needed() AS r;
-- intent's failure is kept where every classifier's is (issue 33, point 1):
-- its row in ai_classifier_retrain_failures, written by the writer of every
-- classifier's (_pg_intent_classifier_retrain_record()), holds the failed
-- run's start and SQLSTATE, and the run is found again by that start.
SELECT f.failed_at = r.started_at AS store_has_the_runs_start, f.sqlstate = r.metrics #>> '{error,sqlstate}' AS store_has_its_sqlstate,
       f.rows_counted IS NULL AS counted_from_its_start
  FROM ai_classifier_retrain_failures AS f, ai_training_runs AS r
 WHERE f.classifier = 'intent' AND r.status = 'failed';
SELECT r ->> 'failed_run_id' = (SELECT id::text FROM ai_training_runs WHERE status = 'failed') AS names_the_run_from_the_store
  FROM retrain_if_needed() AS r;
INSERT INTO ai_training_data (user_message, detected_intent, confidence_score)
VALUES ('quiero devolver las sandalias', 'return_process', 90), ('mi pedido de las sandalias no ha llegado', 'shipping_problem', 90);
SELECT should_retrain() AS after_two_rows, retrain_if_needed() -> 'samples_since_failed_run' AS since_failure;
SELECT count(*) - :runs_before AS runs_started FROM ai_training_runs;
-- Once the policy's retry_failed_after has passed it tries again; asked to,
-- retrain_if_needed() raises the run's error, so a scheduler records the
-- job as failed. Raising rolls the run's row back, and the back-off holds
-- all the same.
UPDATE ai_training_policy SET retry_failed_after = '1 second';
SELECT pg_sleep(1.1);
SELECT should_retrain() AS after_interval;
SELECT pg_temp.try('SELECT retrain_if_needed(p_raise_on_failure => true)') AS raised;
UPDATE ai_training_policy SET retry_failed_after = DEFAULT;
SELECT should_retrain() AS after_raised_run, r ->> 'reason' LIKE 'backing off after the failed run (its row rolled back%' AS backing_off,
       r -> 'failed_run_id' AS failed_run_id
  FROM retrain_if_needed() AS r;
SELECT status, count(*) FROM ai_training_runs GROUP BY 1 ORDER BY 1;
-- Only the owner moves the back-off: a role that may call should_retrain()
-- cannot set or reset it.
CREATE ROLE pgi_backoff_reader;
GRANT SELECT ON ai_training_data, ai_training_runs TO pgi_backoff_reader;
SELECT count(*) > 0 AS granted FROM grant_intent_access('pgi_backoff_reader', 'metrics');
SET ROLE pgi_backoff_reader;
SELECT should_retrain() AS as_reader,
       pg_temp.try($$DELETE FROM ai_classifier_retrain_failures$$) AS reset_back_off,
       pg_temp.try($$SELECT setval('ai_intent_retrain_attempt_seq', 1)$$) AS set_attempt;
RESET ROLE;
DROP OWNED BY pgi_backoff_reader;
DROP ROLE pgi_backoff_reader;
SELECT pg_temp.try($$UPDATE ai_training_policy SET retry_failed_after = '0'$$) AS no_back_off,
       pg_temp.try($$UPDATE ai_training_policy SET retry_failed_after = '31 days'$$) AS too_long;
UPDATE ai_training_data SET dataset_status = 'pending' WHERE id IN (SELECT id FROM one_intent);

-- A real pg_cron job runs retrain_if_needed() in its own session after 100
-- more rows (which also end the back-off after the failed run). A second
-- job, asked to raise on failure, runs in a database of its own whose rows
-- are of one intent only: the run fails, and pg_cron records the job run as
-- failed, with the error. Both are scheduled for the same minute, so the
-- test waits once, at most 75 s (jobs start on the minute; pg_cron 1.4 has
-- no schedule in seconds).
-- Where pg_cron is not preloaded with cron.database_name pointing at this
-- database (make installcheck against your own cluster), this part says it
-- is skipped, and test/expected/ops_retrain_1.out is the expected output.
SELECT pg_temp.add_samples(ARRAY['las gafas', 'el reloj', 'la mochila', 'los pantalones', 'la bufanda']) AS added;
SELECT should_retrain();
SELECT EXISTS (SELECT 1 FROM pg_available_extensions WHERE name = 'pg_cron')
       AND current_setting('shared_preload_libraries') ~ '(^|[ ,])pg_cron($|[ ,])'
       AND current_setting('cron.database_name', true) = current_database() AS have_cron \gset
\if :have_cron
CREATE EXTENSION IF NOT EXISTS pg_cron;
\set regress_db :DBNAME
DROP DATABASE IF EXISTS pgi_retrain_raise;
CREATE DATABASE pgi_retrain_raise;
\c pgi_retrain_raise
SET client_min_messages = warning;
CREATE EXTENSION pg_intent;
INSERT INTO ai_training_data (user_message, detected_intent, confidence_score)
SELECT 'quiero devolver el pedido ' || g, 'return_process', 90 FROM generate_series(1, 100) AS g;
SELECT should_retrain() AS one_intent_should_retrain;
\c :regress_db
SET client_min_messages = warning;
SELECT cron.schedule('pg_intent-retrain-test', '* * * * *', 'SELECT public.retrain_if_needed()') AS jobid \gset
SELECT :jobid > 0 AS scheduled;
SELECT cron.schedule_in_database('pg_intent-retrain-raise', '* * * * *',
    'SELECT public.retrain_if_needed(p_raise_on_failure => true)', 'pgi_retrain_raise') AS raise_jobid \gset
DO $$
DECLARE
    v_jobid bigint := (SELECT jobid FROM cron.job WHERE jobname = 'pg_intent-retrain-test');
    v_raise_jobid bigint := (SELECT jobid FROM cron.job WHERE jobname = 'pg_intent-retrain-raise');
BEGIN
    FOR i IN 1..75 LOOP
        EXIT WHEN EXISTS (SELECT 1 FROM cron.job_run_details
                          WHERE jobid = v_jobid AND status IN ('succeeded', 'failed'))
              AND EXISTS (SELECT 1 FROM cron.job_run_details
                          WHERE jobid = v_raise_jobid AND status IN ('succeeded', 'failed'))
              AND (SELECT count(*) FROM public.ai_training_runs WHERE status = 'completed') >= 2;
        PERFORM pg_sleep(1);
    END LOOP;
END $$;
SELECT cron.unschedule(:jobid) AS unscheduled;
SELECT cron.unschedule(:raise_jobid) AS unscheduled;
SELECT status, return_message FROM cron.job_run_details WHERE jobid = :jobid ORDER BY start_time LIMIT 1;
SELECT run_name LIKE 'auto-retrain %' AS auto_named, status, training_samples AS samples
FROM ai_training_runs ORDER BY started_at;
SELECT should_retrain() AS still_needed;
SELECT status, return_message LIKE '%automatic retraining failed: not enough training data: 1 distinct intents%' AS says_why
  FROM cron.job_run_details WHERE jobid = :raise_jobid ORDER BY start_time LIMIT 1;
-- FORCE: pg_cron's connection to that database may still be closing.
DROP DATABASE pgi_retrain_raise WITH (FORCE);
DROP EXTENSION pg_cron;
\else
\echo 'skipped: pg_cron is not preloaded with cron.database_name set to this database'
\endif
