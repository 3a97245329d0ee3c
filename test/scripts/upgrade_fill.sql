-- Fills a pg_intent 0.1.0 database through the 0.1.0 API only, the way a
-- user of 0.1.0 would have: interactions (live, imported, escalated, with
-- and without a detected intent), human corrections, two trained models, a
-- manual deploy and a rollback, metrics snapshots, shadow predictions,
-- evaluated interactions, edited and custom feedback cues, a prompt version.
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

-- Reviewers correct some labels and confirm others.
SELECT count(submit_intent_correction(t.id, CASE WHEN t.n % 2 = 0 THEN t.detected_intent ELSE 'shipping_problem' END,
                                      'respuesta corregida', t.n % 4 = 0, 'nota ' || t.n))
  FROM (SELECT id, detected_intent, row_number() OVER (ORDER BY user_message) AS n
          FROM ai_training_data WHERE detected_intent IS NOT NULL ORDER BY user_message LIMIT 24) AS t;
UPDATE ai_training_data SET dataset_status = 'approved'
 WHERE id IN (SELECT id FROM ai_training_data WHERE NOT corrected_by_human ORDER BY user_message LIMIT 6);
UPDATE ai_training_data SET dataset_status = 'rejected'
 WHERE id IN (SELECT id FROM ai_training_data WHERE NOT corrected_by_human ORDER BY user_message DESC LIMIT 4);

-- Two models: the first deploys, the second is deployed by hand, then rolled back.
SELECT train_intent_model('first', 'full', '{"seed": 11}') ->> 'model_id' AS first_model \gset
SELECT train_intent_model('second', 'incremental', '{"seed": 12, "deploy": "never", "C": 0.5}') ->> 'model_id' AS second_model \gset
SELECT deploy_intent_model(:second_model) ->> 'reason';
SELECT rollback_intent_model() ->> 'reason';
-- A failed run (too few rows) is recorded too.
SELECT train_intent_model('too few', 'full', '{"limit": 3}') ->> 'status';

SELECT create_metrics_snapshot('daily') ->> 'period_type';
SELECT create_metrics_snapshot('hourly') ->> 'period_type';

SELECT count(shadow_predict(t.user_message, :second_model, t.id))
  FROM (SELECT id, user_message FROM ai_training_data ORDER BY user_message LIMIT 15) AS t;
SELECT shadow_predict('¿cuánto tarda el envío?', :second_model) ->> 'agreed' IS NOT NULL;

SELECT count(evaluate_interaction(t.id, m))
  FROM (SELECT id, row_number() OVER (ORDER BY user_message) AS n FROM ai_training_data ORDER BY user_message LIMIT 8) AS t,
       LATERAL (SELECT (ARRAY['¡Genial! ¿Cómo pago?', 'no entiendo', 'gracias', 'vale'])[1 + t.n % 4] AS m) AS x;

UPDATE ai_feedback_cues SET is_active = false WHERE language = 'es' AND pattern = 'no me sirve';
UPDATE ai_feedback_cues SET score = 4, notes = 'menos entusiasta' WHERE language = 'es' AND pattern = 'gracias';
DELETE FROM ai_feedback_cues WHERE language = 'en' AND pattern = 'useless';
INSERT INTO ai_feedback_cues (language, pattern, kind, score, marks_success) VALUES ('es', 'me lo llevo', 'purchase', 5, true);

INSERT INTO ai_prompt_versions (name, version, system_prompt, is_active)
VALUES ('tienda', 1, 'Eres el asistente de la tienda.', false), ('tienda', 2, 'Eres el asistente amable de la tienda.', true);
