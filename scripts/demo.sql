-- pg_intent demo: the whole training loop inside PostgreSQL.
-- Run by scripts/demo.sh from the repository root (paths are relative to it).
\pset footer off
\set QUIET on
SET client_min_messages = warning;
CREATE EXTENSION IF NOT EXISTS pg_intent;

\echo
\echo '== 1. Capture interactions (record_interaction) from data/ecommerce_es.csv'
CREATE TEMP TABLE demo_rows (split text, text text, intent text);
\copy demo_rows FROM 'data/ecommerce_es.csv' WITH (FORMAT csv, HEADER true)

-- The old bot's guesses: right most of the time, wrong on every 9th message
-- (it said 'order_status'), as a live system would be.
CREATE TEMP TABLE demo_ids AS
SELECT d.intent AS true_intent, d.text,
       record_interaction(
           p_user_message    => d.text,
           p_detected_intent => CASE WHEN n % 9 = 0 AND d.intent <> 'order_status'
                                     THEN 'order_status' ELSE d.intent END,
           p_confidence_score => (55 + (n * 37) % 45)::integer,
           p_ai_response      => NULL,
           p_response_source  => 'demo-bot',
           p_source           => 'imported') AS id
FROM (SELECT *, row_number() OVER () AS n FROM demo_rows WHERE split = 'train') d;
SELECT count(*) AS interactions_recorded FROM ai_training_data;

\echo
\echo '== 2. Human review: correct the messages the bot got wrong (submit_intent_correction)'
SELECT count(*) AS corrections_submitted
FROM demo_ids i
JOIN ai_training_data t ON t.id = i.id
CROSS JOIN LATERAL submit_intent_correction(i.id, i.true_intent, p_notes => 'demo review') c
WHERE t.detected_intent <> i.true_intent;

\echo
\echo '== 3. Train, evaluate and deploy inside the database (train_intent_model)'
\set QUIET off
SELECT jsonb_pretty(r - 'final_metrics' - 'baseline_metrics') AS training_run,
       jsonb_pretty(jsonb_build_object(
           'accuracy', round((r #>> '{final_metrics,accuracy}')::numeric, 3),
           'macro_f1', round((r #>> '{final_metrics,f1}')::numeric, 3))) AS test_metrics
FROM train_intent_model('demo run') AS r;
\set QUIET on

\echo
\echo '== 4. The model registry'
SELECT id, version, algorithm, size_bytes, is_active,
       round((metrics ->> 'f1')::numeric, 3) AS f1, round(confidence_threshold::numeric, 3) AS threshold
FROM ai_model_registry;

\echo
\echo '== 5. Predict new messages (predict_intent)'
SELECT m AS message, p.predicted_intent, round(p.confidence::numeric, 3) AS confidence, p.uncertain,
       p.top_intents
FROM unnest(ARRAY['quiero devolver un producto',
                  'mi pedido no ha llegado todavía',
                  '¿tienen la talla M en azul?',
                  'me cobraron dos veces la tarjeta',
                  'quiero hablar con una persona',
                  'hola buenas tardes',
                  'xq no funciona el cupón??',
                  'qwerty asdf']) AS m
CROSS JOIN LATERAL predict_intent(m) p;

\echo
\echo '== 5b. Why: the n-grams that decided one prediction (explain_intent)'
SELECT e ->> 'intent' AS intent, round((e ->> 'score')::numeric, 3) AS score,
       round((e ->> 'bias')::numeric, 3) AS bias, t ->> 'term' AS term, t ->> 'kind' AS kind,
       round((t ->> 'contribution')::numeric, 3) AS contribution
FROM explain_intent('me cobraron dos veces la tarjeta', 6) e, jsonb_array_elements(e -> 'terms') t;

\echo
\echo '== 6. Held-out messages never seen in training (classify_intent)'
SELECT count(*) AS test_messages,
       round(avg((classify_intent(text) = intent)::int)::numeric, 3) AS accuracy,
       round(avg((classify_intent(text) = 'uncertain')::int)::numeric, 3) AS abstained
FROM demo_rows WHERE split = 'test';

\echo
\echo '== 7. The training report (training_report)'
\pset format unaligned
\pset tuples_only on
SELECT training_report();
