-- train_intent_model(): success, too little data, option errors, concurrency.
SET client_min_messages = warning;
SET pg_intent.allow_drop_with_data = on; -- the previous test's rows go (src/pg/drop_guard.cpp)
DROP EXTENSION IF EXISTS pg_intent CASCADE;
CREATE EXTENSION pg_intent;

\i test/fixtures/try.sql

-- Too little data: a failed run is recorded and returned, not raised.
INSERT INTO ai_training_data (user_message, detected_intent)
SELECT 'mensaje ' || g, CASE WHEN g % 2 = 0 THEN 'a' ELSE 'b' END FROM generate_series(1, 10) g;
SELECT r ->> 'status' AS status, r ->> 'error' AS error, r ->> 'deployed' AS deployed,
       r ->> 'model_id' AS model_id, (r ->> 'run_id')::uuid IS NOT NULL AS has_run_id
  FROM train_intent_model('tiny') AS r;
-- One intent is not enough either, even with many rows.
UPDATE ai_training_data SET detected_intent = 'a';
INSERT INTO ai_training_data (user_message, detected_intent)
SELECT 'otro mensaje ' || g, 'a' FROM generate_series(1, 20) g;
SELECT r ->> 'status' AS status, r ->> 'error' AS error FROM train_intent_model('one intent') AS r;
-- The policy's min_samples_for_training is honoured.
UPDATE ai_training_policy SET min_samples_for_training = 100;
SELECT train_intent_model('setting') ->> 'error' AS error;
UPDATE ai_training_policy SET min_samples_for_training = DEFAULT;
-- The failed runs stay, with their reason; no model was stored.
SELECT run_name, run_type, status, error, deployed, model_id, finished_at IS NOT NULL AS finished,
       metrics -> 'error' ->> 'sqlstate' AS sqlstate, metrics ->> 'rows_read' AS rows_read
  FROM ai_training_runs ORDER BY started_at;
SELECT count(*) AS models FROM ai_intent_models;
TRUNCATE ai_training_data CASCADE;
TRUNCATE ai_training_runs CASCADE;

-- Bad arguments raise 22023 naming the parameter or option, and record nothing.
SELECT pg_temp.try($$SELECT train_intent_model('x', 'weekly')$$);
SELECT pg_temp.try($$SELECT train_intent_model('x', NULL)$$);
SELECT pg_temp.try($$SELECT train_intent_model('x', 'full', NULL)$$);
SELECT pg_temp.try($$SELECT train_intent_model('x', 'full', '[]')$$);
SELECT pg_temp.try($$SELECT train_intent_model(p_options => '{"deploy": "sometimes"}')$$);
SELECT pg_temp.try($$SELECT train_intent_model(p_options => '{"deploy": true}')$$);
SELECT pg_temp.try($$SELECT train_intent_model(p_options => '{"min_confidence": 101}')$$);
SELECT pg_temp.try($$SELECT train_intent_model(p_options => '{"min_confidence": 50.5}')$$);
SELECT pg_temp.try($$SELECT train_intent_model(p_options => '{"only_reviewed": "yes"}')$$);
SELECT pg_temp.try($$SELECT train_intent_model(p_options => '{"limit": 0}')$$);
SELECT pg_temp.try($$SELECT train_intent_model(p_options => '{"limit": "all"}')$$);
-- Training options are checked by the trainer, before any data is read.
SELECT pg_temp.try($$SELECT train_intent_model(p_options => '{"no_such_option": 1}')$$);
SELECT pg_temp.try($$SELECT train_intent_model(p_options => '{"C": "big"}')$$);
SELECT pg_temp.try($$SELECT train_intent_model(p_options => '{"algorithm": "random_forest"}')$$);
SELECT pg_temp.try($$SELECT train_intent_model(p_options => '{"deploy": "never", "seed": -1}')$$);
SELECT count(*) AS runs FROM ai_training_runs;

\i test/fixtures/spanish_80.sql
-- Two rows the bot got wrong, corrected by a human (the label becomes the
-- correction), and a rejected row (which must stay out and untouched).
UPDATE ai_training_data SET detected_intent = 'payment_issue'
 WHERE user_message IN ('dónde está mi paquete con el abrigo', 'hay stock de la mochila');
SELECT submit_intent_correction(id, 'shipping_problem') ->> 'was_mismatch' AS was_mismatch
  FROM ai_training_data WHERE user_message = 'dónde está mi paquete con el abrigo';
SELECT submit_intent_correction(id, 'product_info') ->> 'was_mismatch' AS was_mismatch
  FROM ai_training_data WHERE user_message = 'hay stock de la mochila';
INSERT INTO ai_training_data (user_message, detected_intent, dataset_status)
VALUES ('spam spam spam', 'product_info', 'rejected');

-- The first model: trained, evaluated, deployed with reason first.
SELECT train_intent_model('first run', 'full', '{"seed": 7}') AS r \gset
SELECT :'r'::jsonb ->> 'status' AS status,
       :'r'::jsonb ->> 'deployed' AS deployed,
       :'r'::jsonb ->> 'deploy_reason' AS deploy_reason,
       -- the model is refit on every usable row; every row is scored out of fold
       (:'r'::jsonb ->> 'training_samples')::int AS all_samples,
       (:'r'::jsonb ->> 'training_samples')::int = (:'r'::jsonb ->> 'test_samples')::int AS all_scored,
       :'r'::jsonb ->> 'evaluation' AS evaluation,
       :'r'::jsonb ->> 'total_intents' AS total_intents,
       (:'r'::jsonb -> 'final_metrics' ->> 'f1')::float8 >= 0.8 AS good_f1,
       (:'r'::jsonb -> 'final_metrics' ->> 'accuracy')::float8 >= 0.8 AS good_accuracy,
       :'r'::jsonb -> 'baseline_metrics' AS baseline_metrics,
       :'r'::jsonb -> 'improvement' AS improvement,
       (:'r'::jsonb ->> 'duration_seconds')::float8 >= 0 AS has_duration,
       :'r'::jsonb ->> 'model_version' ~ '^v[0-9]{8}_[0-9]{6}(_[0-9]+)?$' AS version_format;
-- The keys of the seed's TrainingRunResult (plus deploy_reason and model_version).
SELECT string_agg(k, ', ' ORDER BY k) FROM jsonb_object_keys(:'r'::jsonb) AS k;

-- The run row.
SELECT run_name, run_type, status, error, deployed, deploy_reason,
       training_samples AS all_samples, total_intents,
       intent_f1_score = (:'r'::jsonb -> 'final_metrics' ->> 'f1')::float8 AS f1_matches,
       intent_accuracy BETWEEN 0.8 AND 1 AS accuracy_ok,
       intent_precision BETWEEN 0 AND 1 AND intent_recall BETWEEN 0 AND 1 AS pr_ok,
       baseline_f1_score IS NULL AND baseline_intent_accuracy IS NULL AS no_baseline,
       model_id = (:'r'::jsonb ->> 'model_id')::bigint AS model_matches,
       model_config ->> 'deploy' AS deploy_option, model_config ->> 'seed' AS seed,
       metrics ? 'metrics' AND metrics ? 'threshold' AND metrics ? 'options' AS full_report,
       finished_at >= started_at AS finished, duration_seconds >= 0 AS has_duration
  FROM ai_training_runs WHERE id = (:'r'::jsonb ->> 'run_id')::uuid;

-- The model row.
SELECT version = :'r'::jsonb ->> 'model_version' AS version_matches, is_active,
       deployed_at IS NOT NULL AS deployed, algorithm, intents,
       size_bytes = octet_length(model) AS size_ok, sha256 = encode(sha256(model), 'hex') AS sha_ok,
       confidence_threshold BETWEEN 0 AND 1 AS threshold_ok,
       metrics ? 'threshold' AND metrics ? 'calibration' AS metrics_ok,
       run_id = (:'r'::jsonb ->> 'run_id')::uuid AS run_matches,
       intent_model_info(model) ->> 'format_version' AS format_version
  FROM ai_intent_models;
SELECT model_id = (:'r'::jsonb ->> 'model_id')::bigint AS model_matches, previous_model_id, reason,
       deployed_by = current_user AS by_me
  FROM ai_model_deployments;

-- The run records the rows it read, with their labels; the data rows keep
-- their review state (0.1.0 overwrote it with used_in_training).
SELECT dataset_status, count(*) FROM ai_training_data GROUP BY 1 ORDER BY 1;
SELECT count(*) AS rows_recorded, count(DISTINCT intent) AS intents,
       bool_and(run_id = (:'r'::jsonb ->> 'run_id')::uuid) AS run_matches
  FROM ai_training_run_rows;

-- SQL-level options: limit reads the newest rows only.
SELECT (r ->> 'training_samples')::int AS all_samples,
       r ->> 'deployed' AS deployed, r ->> 'deploy_reason' AS deploy_reason
  FROM train_intent_model('limited', 'incremental', '{"limit": 40, "deploy": "never"}') AS r;
SELECT run_type, model_config ->> 'limit' AS "limit" FROM ai_training_runs WHERE run_name = 'limited';

-- Concurrency: while another session holds the training lock, a second
-- training fails at once with 55P03 and records nothing.
CREATE EXTENSION IF NOT EXISTS dblink;
SELECT dblink_connect('other', format('dbname=%s host=%s port=%s', current_database(),
       split_part(current_setting('unix_socket_directories'), ',', 1), current_setting('port')));
SELECT dblink_exec('other', 'BEGIN');
SELECT * FROM dblink('other', 'SELECT intent_internal._pg_intent_lock(''training'', false)') AS t(locked boolean);
-- The message names the backend that holds the lock (0.3.2).
SELECT replace(pg_temp.try($$SELECT train_intent_model('blocked')$$),
               (SELECT pid FROM dblink('other', 'SELECT pg_backend_pid()') AS t(pid integer))::text, '<other pid>') AS blocked;
SELECT count(*) AS blocked_runs FROM ai_training_runs WHERE run_name = 'blocked';
SELECT dblink_exec('other', 'ROLLBACK');
SELECT dblink_disconnect('other');
DROP EXTENSION dblink;

-- Function properties.
SELECT provolatile, proparallel, proisstrict FROM pg_proc WHERE proname = 'train_intent_model';

-- A holdout too small to hold any row out (round(2 x 0.2) = 0 per intent)
-- still trains: no fold is fitted, so the refit starts cold. In a new
-- extension, so that no earlier model is active.
DROP EXTENSION pg_intent CASCADE;
CREATE EXTENSION pg_intent;
-- (Two unreviewed rows per intent: below the policy's floor for a class,
-- lowered here.)
UPDATE ai_training_policy SET min_samples_for_training = 2, min_unreviewed_intent_rows = 2;
INSERT INTO ai_training_data (user_message, detected_intent) VALUES
    ('quiero devolver la camiseta', 'return_process'), ('cómo devuelvo el pantalón', 'return_process'),
    ('dónde está mi pedido', 'shipping_problem'), ('mi paquete no ha llegado', 'shipping_problem');
SELECT r ->> 'status' AS status, r ->> 'evaluation' AS evaluation, r ->> 'deployed' AS deployed
  FROM train_intent_model('tiny holdout', 'full', '{"evaluation": "holdout", "val_fraction": 0.2}') AS r;
SELECT metrics -> 'refit' ->> 'warm_start' AS refit_start, metrics -> 'evaluation' ->> 'rows' AS evaluated
  FROM ai_training_runs WHERE run_name = 'tiny holdout';
SELECT predicted_intent FROM predict_intent('quiero devolver la camiseta');
UPDATE ai_training_policy SET min_samples_for_training = DEFAULT;

-- Out-of-scope rows (the policy's out_of_scope_intent) train the way the
-- policy's out_of_scope_mode says: an internal class by default, negatives
-- when asked; either way such a message never comes back as an intent.
-- The mode is the policy's, not an option a caller passes.
INSERT INTO ai_training_data (user_message, detected_intent) VALUES
    ('qué tiempo hace hoy', 'out_of_scope'), ('cuéntame un chiste', 'out_of_scope'),
    ('quién ganó el partido', 'out_of_scope'), ('recomiéndame una película', 'out_of_scope');
UPDATE ai_training_policy SET min_samples_for_training = 2;
SELECT train_intent_model('oos class', 'full', '{"deploy": "always"}') ->> 'run_id' AS run \gset
SELECT metrics -> 'out_of_scope' ->> 'mode' AS mode, metrics -> 'out_of_scope' ->> 'internal_class' AS internal_class,
       metrics -> 'out_of_scope' ->> 'rows' AS oos_rows
  FROM ai_training_runs WHERE id = :'run';
SELECT predicted_intent <> 'out_of_scope' AS not_an_intent FROM predict_intent('cuéntame un chiste');
UPDATE ai_training_policy SET out_of_scope_mode = 'negatives';
SELECT train_intent_model('oos negatives', 'full', '{"deploy": "always"}') ->> 'run_id' AS run \gset
SELECT metrics -> 'out_of_scope' ->> 'mode' AS mode, metrics -> 'out_of_scope' ->> 'internal_class' AS internal_class,
       metrics -> 'out_of_scope' ->> 'rows' AS oos_rows
  FROM ai_training_runs WHERE id = :'run';
SELECT predicted_intent <> 'out_of_scope' AS not_an_intent FROM predict_intent('cuéntame un chiste');
SELECT pg_temp.try($$UPDATE ai_training_policy SET out_of_scope_mode = 'ignore'$$) AS bad_mode;
SELECT pg_temp.try($$SELECT train_intent_model('mode as option', 'full', '{"out_of_scope_mode": "class"}')$$) AS mode_option;
UPDATE ai_training_policy SET out_of_scope_mode = DEFAULT, min_samples_for_training = DEFAULT, min_unreviewed_intent_rows = DEFAULT;
