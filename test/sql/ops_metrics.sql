-- get_ai_training_metrics(): dashboard metrics over a window of days.
SET client_min_messages = warning;
SET pg_intent.allow_drop_with_data = on; -- the previous test's rows go (src/pg/drop_guard.cpp)
DROP EXTENSION IF EXISTS pg_intent CASCADE;
CREATE EXTENSION pg_intent;
-- Shows the SQLSTATE and message of a failing statement.
\i test/fixtures/try.sql

-- Empty table: counts are zero, rates undefined (NULL), no model.
SELECT get_ai_training_metrics() - 'window_start' - 'window_end' AS empty_metrics;

-- Eight rows in the last 7 days, two older ones (10 days ago).
INSERT INTO ai_training_data (user_message, detected_intent, correct_intent, confidence_score,
                              escalated, intent_correct, corrected_by_human, created_at)
VALUES ('r1', 'return_process', NULL, 90, false, true, false, now() - interval '1 hour'),
       ('r2', 'return_process', NULL, 80, false, true, false, now() - interval '2 days'),
       ('r3', 'return_process', 'shipping_problem', 70, false, false, true, now() - interval '3 days'),
       ('r4', 'shipping_problem', NULL, 60, true, NULL, false, now() - interval '4 days'),
       ('r5', 'shipping_problem', 'order_status', 50, true, false, true, now() - interval '5 days'),
       ('r6', 'greeting', NULL, 100, false, true, false, now() - interval '6 days'),
       ('r7', NULL, NULL, 0, true, NULL, false, now() - interval '6 days 23 hours'),
       ('r8', 'return_process', 'shipping_problem', 30, false, false, true, now() - interval '10 minutes'),
       ('old1', 'greeting', NULL, 10, true, NULL, false, now() - interval '10 days'),
       ('old2', 'greeting', NULL, 10, true, true, false, now() - interval '10 days');

-- Hand-computed over r1..r8: 3 escalated of 8 = 37.50 %; confidence 480/8 = 60;
-- reviewed r1,r2,r3,r5,r6,r8: 3 right = 50 %; corrected r3,r5,r8 = 37.50 %.
SELECT jsonb_pretty(get_ai_training_metrics() - 'window_start' - 'window_end') AS metrics_7_days;

-- The window is [now() - p_days, now()].
SELECT (m ->> 'window_end')::timestamptz = now() AS window_ends_now,
       (m ->> 'window_end')::timestamptz - (m ->> 'window_start')::timestamptz AS window_length
FROM get_ai_training_metrics(7) m;

-- 30 days takes in the two old rows: 10 rows, 5 escalated, 7 reviewed with 4 right.
SELECT m -> 'total_messages' AS total, m -> 'escalated' AS escalated,
       m -> 'escalation_rate' AS escalation_rate, m -> 'avg_confidence' AS avg_confidence,
       m -> 'intent_accuracy' AS intent_accuracy, m -> 'top_intents' AS top_intents
FROM get_ai_training_metrics(30) m;

-- One scale per kind of number (docs/dashboards.md): every percentage key
-- has a <key>_fraction companion on F1's scale, 0-1, equal to key / 100
-- (NULL where the key is); here over 1, 7 and 30 days of the rows above.
SELECT d AS days, k AS key, m -> k AS percent, m -> (k || '_fraction') AS fraction,
       (m ->> (k || '_fraction'))::numeric IS NOT DISTINCT FROM (m ->> k)::numeric / 100 AS agrees
FROM unnest(ARRAY[1, 7, 30]) AS d, get_ai_training_metrics(d) AS m,
     unnest(ARRAY['escalation_rate', 'avg_confidence', 'intent_accuracy',
                  'misclassification_rate', 'correction_rate']) AS k
ORDER BY d, k;
-- The RPC's keys, each listed with its scale in docs/dashboards.md.
SELECT array_agg(k ORDER BY k) AS keys FROM jsonb_object_keys(get_ai_training_metrics()) AS k;

-- One day: r1 and r8 only.
SELECT m -> 'total_messages' AS total, m -> 'intent_accuracy' AS intent_accuracy,
       m -> 'correction_rate' AS correction_rate, m -> 'top_misclassified' AS top_misclassified
FROM get_ai_training_metrics(1) m;

-- samples_since_last_train counts rows created after the last COMPLETED run
-- started (all 10 rows so far); a failed or running run does not count.
INSERT INTO ai_training_runs (run_name, status, started_at)
VALUES ('done', 'completed', now() - interval '3 days 12 hours'),
       ('older', 'completed', now() - interval '20 days'),
       ('failed', 'failed', now() - interval '1 minute'),
       ('running', 'running', now() - interval '30 seconds');
SELECT get_ai_training_metrics() -> 'samples_since_last_train' AS since_last_train;

-- The active model is reported with its version and F1.
INSERT INTO ai_intent_models (version, algorithm, model, size_bytes, sha256, intents, metrics,
                              confidence_threshold, is_active, deployed_at)
VALUES ('v_test_1', 'linear_svm', '\x00'::bytea, 1, 'x', '{a,b}', '{"f1": 0.875}', 0.3, false, NULL),
       ('v_test_2', 'linear_svm', '\x00'::bytea, 1, 'x', '{a,b}', '{"f1": 0.925}', 0.3, true, now());
SELECT m -> 'model_trained' AS model_trained,
       (m -> 'active_model') - 'id' AS active_model,
       (m #>> '{active_model,id}')::bigint = (SELECT id FROM ai_intent_models WHERE is_active) AS active_id_ok
FROM get_ai_training_metrics() m;
-- whatever the caller's extra_float_digits: the F1 goes into jsonb through
-- its text form, and -15 wrote 0.925 as 0.9
SET extra_float_digits = -15;
SELECT get_ai_training_metrics() #> '{active_model,f1}' AS f1_any_float_digits;
RESET extra_float_digits;

-- Errors.
SELECT pg_temp.try('SELECT get_ai_training_metrics(NULL)') AS null_days;
SELECT pg_temp.try('SELECT get_ai_training_metrics(0)') AS zero_days;
SELECT pg_temp.try('SELECT get_ai_training_metrics(-5)') AS negative_days;

-- The window is p_days times 24 hours, whatever the session's TimeZone: at
-- one instant every session reads the same rows, as ai_live_metrics' 24
-- hours and the snapshots' periods (cut in the policy's zone) do. Before, the
-- days were the session's local days: across a daylight saving change a
-- 7-day window was 167 or 169 hours, and over 36500 days Kathmandu's
-- (+05:30 until 1986, +05:45 since) was 15 minutes shorter than UTC's. The
-- same for get_classifier_metrics()' runs.
BEGIN;
SET LOCAL TimeZone = 'UTC';
SELECT extract(epoch FROM (m ->> 'window_end')::timestamptz - (m ->> 'window_start')::timestamptz) / 3600 AS utc_hours,
       (m ->> 'window_start')::timestamptz = now() - interval '876000 hours' AS utc_start_ok
  FROM get_ai_training_metrics(36500) AS m;
SET LOCAL TimeZone = 'Asia/Kathmandu';
SELECT extract(epoch FROM (m ->> 'window_end')::timestamptz - (m ->> 'window_start')::timestamptz) / 3600 AS kathmandu_hours,
       (m ->> 'window_start')::timestamptz = now() - interval '876000 hours' AS kathmandu_start_ok
  FROM get_ai_training_metrics(36500) AS m;
SELECT extract(epoch FROM (m #>> '{runs,window_end}')::timestamptz - (m #>> '{runs,window_start}')::timestamptz) / 3600 AS classifier_kathmandu_hours
  FROM get_classifier_metrics('intent', 36500) AS m;
COMMIT;
