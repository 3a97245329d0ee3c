-- Fills a pg_intent 0.2.0 database through the 0.2.0 API only, the way a
-- user of 0.2.0 would have: interactions (live, imported, escalated, with
-- and without a detected intent), corrections, approvals and rejections
-- through the review functions, two trained models, a manual deploy and a
-- rollback, a failed run, snapshots, shadow predictions, evaluated
-- interactions, edited cues, and a policy change.
\set ON_ERROR_STOP 1
SET client_min_messages = warning;
CREATE TEMP TABLE demo_rows (split text, text text, intent text);
\copy demo_rows FROM 'data/ecommerce_es.csv' WITH (FORMAT csv, HEADER true)

SELECT count(record_interaction(d.text, d.intent, 60 + (n % 40)::integer,
                                'respuesta ' || n, CASE WHEN n % 3 = 0 THEN 'template' ELSE 'llm' END,
                                n % 11 = 0, NULL, NULL, NULL, 'cat' || (n % 4),
                                CASE WHEN n % 5 = 0 THEN 'imported' ELSE 'live' END))
  FROM (SELECT text, intent, row_number() OVER (ORDER BY text) AS n FROM demo_rows WHERE split = 'train') AS d;
SELECT count(record_interaction('mensaje sin intención ' || g, NULL, 10)) FROM generate_series(1, 5) g;

SELECT count(submit_intent_correction(t.id, CASE WHEN t.n % 2 = 0 THEN t.detected_intent ELSE 'shipping_problem' END,
                                      'respuesta corregida', t.n % 4 = 0, 'nota ' || t.n))
  FROM (SELECT id, detected_intent, row_number() OVER (ORDER BY user_message) AS n
          FROM ai_training_data WHERE detected_intent IS NOT NULL ORDER BY user_message LIMIT 24) AS t;
SELECT approve_training_samples(array_agg(id), NULL, 'revisado') ->> 'updated'
  FROM (SELECT id FROM ai_training_data WHERE NOT corrected_by_human AND detected_intent IS NOT NULL
         ORDER BY user_message LIMIT 6) AS t;
SELECT reject_training_samples(array_agg(id), 'spam') ->> 'updated'
  FROM (SELECT id FROM ai_training_data WHERE NOT corrected_by_human ORDER BY user_message DESC LIMIT 4) AS t;

UPDATE ai_training_policy SET max_f1_regression = 0.04;

SELECT train_intent_model('first', 'full', '{"seed": 11}') ->> 'model_id' AS first_model \gset
SELECT train_intent_model('second', 'incremental', '{"seed": 12, "deploy": "never", "C": 0.5}') ->> 'model_id' AS second_model \gset
SELECT deploy_intent_model(:second_model) ->> 'reason';
SELECT rollback_intent_model() ->> 'reason';
SELECT train_intent_model('too few', 'full', '{"limit": 3}') ->> 'status';

SELECT create_metrics_snapshot('daily', '2026-11-20 00:00+00') ->> 'period_type';
SELECT create_metrics_snapshot('hourly', '2026-11-20 10:00+00') ->> 'period_type';

SELECT count(shadow_predict(t.user_message, :second_model, t.id))
  FROM (SELECT id, user_message FROM ai_training_data ORDER BY user_message LIMIT 15) AS t;

SELECT count(evaluate_interaction(t.id, m))
  FROM (SELECT id, row_number() OVER (ORDER BY user_message) AS n FROM ai_training_data ORDER BY user_message LIMIT 8) AS t,
       LATERAL (SELECT (ARRAY['¡Genial! ¿Cómo pago?', 'no entiendo', 'gracias', 'vale'])[1 + t.n % 4] AS m) AS x;

UPDATE ai_feedback_cues SET is_active = false WHERE language = 'es' AND pattern = 'no me sirve';
INSERT INTO ai_feedback_cues (language, pattern, kind, score, marks_success) VALUES ('es', 'me lo llevo', 'purchase', 5, true);
