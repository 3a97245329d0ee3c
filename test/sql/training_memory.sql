-- The training memory limit: ai_training_policy.max_training_memory_mb is the
-- budget of a training run in the backend. A run that would need more fails
-- with 53200 (out_of_memory) before allocating it, and train_intent_model()
-- records it as a failed run; the previous model stays active.
SET client_min_messages = warning;
SET pg_intent.allow_drop_with_data = on; -- the previous test's rows go (src/pg/drop_guard.cpp)
DROP EXTENSION IF EXISTS pg_intent CASCADE;
CREATE EXTENSION pg_intent;

-- 20,000 distinct rows of 10 intents.
INSERT INTO ai_training_data (user_message, detected_intent, confidence_score, dataset_status)
SELECT format('%s %s número %s ref %s',
              (ARRAY['quiero devolver', 'dónde está', 'me cobraron dos veces', 'hay stock de', 'quiero cambiar',
                     'cancelar', 'factura de', 'garantía de', 'opiniones de', 'descuento en'])[1 + i % 10],
              (ARRAY['el abrigo', 'la mochila', 'el reloj', 'la gorra', 'el bolso', 'la falda', 'el jersey'])[1 + i % 7],
              i, substr(md5(i::text), 1, 8)),
       'intent_' || (i % 10), 95, 'approved'
  FROM generate_series(1, 20000) AS i;

-- The smallest limit: the run fails with 53200, recorded as a failed run.
UPDATE ai_training_policy SET max_training_memory_mb = 16;
SELECT r ->> 'status' AS status, r ->> 'sqlstate' AS sqlstate, r ->> 'error' AS error,
       r ->> 'model_id' AS model_id
  FROM train_intent_model('too big', 'full', '{"deploy": "never"}') AS r;
SELECT r.status, r.error, r.metrics -> 'error' ->> 'sqlstate' AS sqlstate,
       r.metrics -> 'error' ->> 'detail' ~ '^.* needs [0-9.]+ MB but only [0-9.]+ MB of the 16\.0 MB limit remain' AS detail_names_limit,
       r.metrics -> 'error' ->> 'hint' AS hint,
       r.model_id IS NULL AS no_model
  FROM ai_training_runs AS r WHERE r.run_name = 'too big';
SELECT count(*) AS models FROM ai_intent_models;

-- The 0.1.0 entry point obeys the same policy and raises the error itself.
DO $$
DECLARE
    v_state text; v_message text; v_hint text;
BEGIN
    PERFORM intent_internal._pg_intent_train(array_agg(user_message), array_agg(detected_intent),
                             array_agg(1::real), array_agg(false), '{}', NULL)
       FROM ai_training_data;
    RAISE NOTICE 'trained: not expected';
EXCEPTION WHEN out_of_memory THEN
    GET STACKED DIAGNOSTICS v_state = RETURNED_SQLSTATE, v_message = MESSAGE_TEXT, v_hint = PG_EXCEPTION_HINT;
    RAISE WARNING '% %: %', v_state, v_message, v_hint;
END $$;

-- Within the limit the same policy trains.
UPDATE ai_training_policy SET max_training_memory_mb = 2048;
SELECT r ->> 'status' AS status, r ->> 'deploy_reason' AS deploy_reason
  FROM train_intent_model('fits', 'full', '{"limit": 2000}') AS r;
SELECT run_name, status, error IS NULL AS no_error FROM ai_training_runs ORDER BY started_at;
SELECT max_training_memory_mb FROM ai_training_policy;

-- The policy's max_training_rows keeps every run to the newest rows, and the
-- rows beyond it are never held in memory: 60,000 more rows of about 330
-- bytes take more than the 16 MB budget to read whole, so even a run limited
-- to 2,000 rows failed while every row read was kept until the end. With the
-- window the same budget trains on the 2,000 newest, and a run's limit can
-- only lower it.
INSERT INTO ai_training_data (user_message, detected_intent, confidence_score, dataset_status, created_at)
SELECT format('%s número %s %s',
              (ARRAY['quiero devolver el abrigo', 'dónde está mi pedido', 'me cobraron dos veces'])[1 + i % 3],
              i, repeat(md5(i::text), 10)),
       'intent_' || (i % 3), 95, 'approved', now() - interval '1 day' + i * interval '1 second'
  FROM generate_series(1, 60000) AS i;
UPDATE ai_training_policy SET max_training_memory_mb = 16;
SELECT r ->> 'status' AS status, r ->> 'sqlstate' AS sqlstate
  FROM train_intent_model('limited, whole table read', 'full', '{"limit": 2000, "deploy": "never"}') AS r;
UPDATE ai_training_policy SET max_training_rows = 2000;
SELECT r ->> 'status' AS status, (r ->> 'training_samples')::integer AS training_samples, r ->> 'run_id' AS window_run
  FROM train_intent_model('window', 'full', '{"deploy": "never"}') AS r \gset
SELECT :'status' AS status, :training_samples AS training_samples;
-- The rows read are the newest 2,000 usable rows (created_at, then id).
SELECT count(*) AS rows_read,
       count(*) FILTER (WHERE d.id IN (SELECT id FROM get_training_dataset(0, false, 2000))) AS newest
  FROM ai_training_run_rows AS rr JOIN ai_training_data AS d ON d.id = rr.training_data_id
 WHERE rr.run_id = :'window_run';
SELECT model_config -> 'limit' AS limit FROM ai_training_runs WHERE id = :'window_run';
SELECT (r ->> 'training_samples')::integer AS training_samples
  FROM train_intent_model('window, lower limit', 'full', '{"limit": 500, "deploy": "never"}') AS r;
UPDATE ai_training_policy SET max_training_rows = DEFAULT, max_training_memory_mb = DEFAULT;

-- A message is read on its first 65,536 bytes (pg_intent.max_message_bytes'
-- default, what predict_intent() reads; a session's setting does not change
-- it): one message of 52 MB that any role allowed to log interactions can
-- write (it compresses to well under 1 MB on disk) was read and charged
-- whole, so under the 16 MB budget every run failed with 53200. The run
-- trains on the same 2,000-row window plus that message's prefix, and says
-- how many messages it cut.
INSERT INTO ai_training_data (user_message, detected_intent, confidence_score, dataset_status)
VALUES (repeat('quiero devolver el abrigo ', 2000000), 'intent_0', 95, 'approved');
SELECT octet_length(user_message) AS message_bytes FROM ai_training_data
 ORDER BY octet_length(user_message) DESC LIMIT 1;
UPDATE ai_training_policy SET max_training_memory_mb = 16, max_training_rows = 2000;
SET pg_intent.max_message_bytes = '1000MB';
SELECT r ->> 'status' AS status, coalesce(r ->> 'sqlstate', '') AS sqlstate,
       (r ->> 'training_samples')::integer AS training_samples, r ->> 'run_id' AS long_run
  FROM train_intent_model('one long message', 'full', '{"deploy": "never"}') AS r \gset
SELECT :'status' AS status, :'sqlstate' AS sqlstate, :'training_samples' AS training_samples;
SELECT metrics -> 'messages_truncated' AS messages_truncated FROM ai_training_runs WHERE id = :'long_run';
RESET pg_intent.max_message_bytes;
UPDATE ai_training_policy SET max_training_rows = DEFAULT, max_training_memory_mb = DEFAULT;

-- While the core trains, a run keeps of its rows only what its results read
-- (RunRows, src/pg/train_reader.h: a label's number, two flags and the id),
-- charged at that size. Until 0.3.2 it kept the rows as read, 152 bytes
-- each beside their text and label, charged as such until the run ended:
-- at 1,000,000 rows 152 MB of the backend's peak (issue 33). The 20,000
-- newest rows (the first ones above) then needed 48.6 MB of budget, 3.6 MB
-- of it those rows; they now train in 47 MB (45.0 MB needed).
DELETE FROM ai_training_data WHERE octet_length(user_message) > 65536;
UPDATE ai_training_policy SET max_training_memory_mb = 47, max_training_rows = 20000, max_training_threads = 1;
SELECT r ->> 'status' AS status, coalesce(r ->> 'sqlstate', '') AS sqlstate,
       (r ->> 'training_samples')::integer AS training_samples
  FROM train_intent_model('rows kept compactly', 'full', '{"deploy": "never"}') AS r;
UPDATE ai_training_policy
   SET max_training_rows = DEFAULT, max_training_memory_mb = DEFAULT, max_training_threads = DEFAULT;
