-- The deploy gate on fresh rows (reviewed rows the active model never trained on),
-- through train_intent_model(): which rows it scores, and the rule that
-- decides (macro F1 within max_f1_regression, and right on at least as many
-- fresh rows as the active model).
SET client_min_messages = warning;
SET pg_intent.allow_drop_with_data = on; -- the previous test's rows go (src/pg/drop_guard.cpp)
DROP EXTENSION IF EXISTS pg_intent CASCADE;
CREATE EXTENSION pg_intent;

\i test/fixtures/spanish_80.sql

-- Rows about new products, written by the same templates and reviewed:
-- fresh for any model trained before they arrived.
CREATE FUNCTION pg_temp.add_products(p_items text[], p_day date) RETURNS bigint LANGUAGE sql AS $$
    WITH ins AS (
        INSERT INTO ai_training_data (user_message, detected_intent, confidence_score, source, created_at,
                                      dataset_status)
        SELECT replace(t.template, '%s', p.item), t.intent, 90, 'synthetic', p_day + p.n * interval '1 minute',
               'reviewed'
          FROM (SELECT DISTINCT regexp_replace(user_message,
                        '(la camiseta|el pantalón|las zapatillas|el abrigo|la mochila)', '%s') AS template,
                       detected_intent AS intent
                  FROM ai_training_data WHERE source = 'synthetic' AND created_at < '2026-03-01') AS t
         CROSS JOIN unnest(p_items) WITH ORDINALITY AS p(item, n)
        RETURNING 1)
    SELECT count(*) FROM ins
$$;

-- The gate's view of a run: evidence, decision, fresh rows scored, and how
-- many fresh rows only the new model gets right minus only the active one.
CREATE FUNCTION pg_temp.gate(p_result jsonb) RETURNS TABLE (deployed text, reason text, evidence text,
                                                            fresh_rows integer, right_more integer)
LANGUAGE sql AS $$
    SELECT p_result ->> 'deployed', p_result ->> 'deploy_reason', p_result ->> 'deploy_evidence',
           (r.metrics #>> '{gate,rows}')::integer, (r.metrics #>> '{deploy,fresh_rows_right_more}')::integer
      FROM ai_training_runs AS r WHERE r.id = (p_result ->> 'run_id')::uuid
$$;

UPDATE ai_training_policy SET min_gate_rows = 40;

-- 1. A deliberately weak first model (one word feature, no character n-grams).
SELECT g.* FROM pg_temp.gate(train_intent_model('weak', 'full', '{"max_features": 1, "char_ngrams": false}')) AS g;

-- 2. 64 rows arrive; a full model is right on more of them than the weak one: improved on fresh rows.
SELECT pg_temp.add_products(ARRAY['el reloj', 'la bufanda', 'los guantes', 'el cinturón'], '2026-03-02');
SELECT g.deployed, g.reason, g.evidence, g.fresh_rows, g.right_more > 0 AS right_more_often
  FROM pg_temp.gate(train_intent_model('full', 'full', '{}')) AS g;

-- The fresh rows are exactly the rows the active model did not train on,
-- as the run recorded them.
SELECT count(*) FILTER (WHERE rr.fresh) AS fresh, count(*) AS read
  FROM ai_training_run_rows AS rr
 WHERE rr.run_id = (SELECT id FROM ai_training_runs WHERE run_name = 'full');

-- 3. 64 more rows; the weak model again, with every macro-F1 drop tolerated:
--    it is right on fewer fresh rows, so it is kept out (reason regression).
SELECT pg_temp.add_products(ARRAY['el bolso', 'la gorra', 'el vestido', 'la falda'], '2026-03-03');
UPDATE ai_training_policy SET max_f1_regression = 1.0;
SELECT g.deployed, g.reason, g.evidence, g.fresh_rows, g.right_more < 0 AS right_less_often
  FROM pg_temp.gate(train_intent_model('weak again', 'full', '{"max_features": 1, "char_ngrams": false}')) AS g;
UPDATE ai_training_policy SET max_f1_regression = DEFAULT;
SELECT run_name FROM ai_model_registry WHERE is_active;

-- 4. The same learner as the active model on all rows: right on as many of
--    the fresh rows (those of step 3: the run that trained on them was not
--    deployed, so they are still fresh) as the active model, with a macro F1
--    no higher. A tie is no evidence that the new model is better: the
--    active model stays (before, a tie deployed; on MTOD es such a deploy
--    answered one more test message wrong), and the rows stay fresh.
SELECT g.* FROM pg_temp.gate(train_intent_model('full again', 'full', '{}')) AS g;
SELECT run_name FROM ai_model_registry WHERE is_active;

-- 5. An operator deploys the tied model anyway; then nothing is new since the
--    active model trained: no fresh rows, so the gate has nothing to score
--    and the out-of-fold estimates decide.
SELECT deploy_intent_model(id) IS NOT NULL AS deployed
  FROM ai_model_registry WHERE run_name = 'full again';
SELECT g.deployed, g.evidence, g.fresh_rows
  FROM pg_temp.gate(train_intent_model('nothing new', 'full', '{}')) AS g;

-- Every run with fresh-row evidence kept its baseline: the active model's
-- accuracy on those rows.
SELECT run_name, deploy_evidence, deploy_reason, deployed,
       baseline_intent_accuracy = (metrics #>> '{gate,active,accuracy}')::float8 AS baseline_is_gate
  FROM ai_training_runs ORDER BY started_at;

-- A baseline whose bytes were removed after a run chose it (an operator
-- deployed another model and deleted the old one while the run read the
-- data): the trainer trains without fresh-row evidence instead of failing
-- with 55000, and the run's deploy step then finds the baseline changed.
SELECT m.id AS weak_id, m.run_id AS weak_run FROM ai_intent_models AS m JOIN ai_training_runs AS r ON r.id = m.run_id
 WHERE r.run_name = 'weak' \gset
SELECT delete_intent_model(:weak_id) IS NOT NULL AS bytes_removed;
SELECT t.report -> 'gate' AS gate, t.report ->> 'status' IS DISTINCT FROM 'failed' AS trained, octet_length(t.model) > 0 AS has_model
  FROM intent_internal._pg_intent_train_table(gen_random_uuid(), '{}', jsonb_populate_record((SELECT p FROM ai_training_policy AS p), '{"min_samples_for_training": 2, "max_training_threads": 1, "min_gate_rows": 40}'),
                              :weak_id, :'weak_run', NULL, 'intent', NULL) AS t;

-- Rows a logger labelled are trained on but never judge the active model.
-- The Supabase recipe lets the application role (anon) insert interactions
-- with their detected intent: before, 144 return requests it sent as
-- greetings were the gate's fresh rows, the new model "improved" on them,
-- deployed, and stopped recognising returns. Only reviewed rows (a
-- correction, a judgement, status reviewed or approved) are fresh now; with
-- none, the out-of-fold estimates decide, and they see the damage.
DROP EXTENSION pg_intent CASCADE;
CREATE EXTENSION pg_intent;
CREATE TEMP TABLE shop (split text, text text, intent text);
\copy shop FROM 'data/ecommerce_es.csv' CSV HEADER
INSERT INTO ai_training_data (user_message, correct_intent, dataset_status, source)
SELECT text, intent, 'approved', 'imported' FROM shop WHERE split = 'train';
SELECT train_intent_model('shop', 'full', '{}') ->> 'deployed' AS deployed;
CREATE FUNCTION pg_temp.returns_served() RETURNS bigint LANGUAGE sql AS $$
    SELECT count(*) FROM shop AS s, LATERAL predict_intent(s.text) AS p
     WHERE s.split = 'test' AND s.intent = 'return_process'
       AND p.predicted_intent = 'return_process' AND NOT p.uncertain
$$;
SELECT pg_temp.returns_served() AS returns_served_before;
DROP ROLE IF EXISTS pgi_gate_logger;
CREATE ROLE pgi_gate_logger NOLOGIN;
GRANT USAGE ON SCHEMA public TO pgi_gate_logger;
GRANT INSERT (id, user_message, detected_intent, confidence_score, ai_response, response_source, escalated,
              conversation_id, message_id, user_id, category, source) ON ai_training_data TO pgi_gate_logger;
CREATE TEMP TABLE poison AS
SELECT s.text || ' ' || g AS text FROM shop AS s, generate_series(1, 6) AS g
 WHERE s.split = 'train' AND s.intent = 'return_process';
GRANT SELECT ON poison TO pgi_gate_logger;
SET ROLE pgi_gate_logger;
INSERT INTO ai_training_data (user_message, detected_intent, confidence_score, source)
SELECT text, 'greeting', 100, 'live' FROM poison;
RESET ROLE;
UPDATE ai_training_policy SET auto_retrain_threshold = 10;
SELECT r ->> 'retrained' AS retrained, r #>> '{result,deployed}' AS deployed,
       r #>> '{result,deploy_evidence}' AS evidence, r #>> '{result,deploy_reason}' AS reason
  FROM retrain_if_needed() AS r;
SELECT count(*) FILTER (WHERE rr.fresh) AS fresh, count(*) AS read
  FROM ai_training_run_rows AS rr
 WHERE rr.run_id = (SELECT id FROM ai_training_runs ORDER BY started_at DESC LIMIT 1);
SELECT pg_temp.returns_served() AS returns_served_after;
-- The same rows, once a reviewer approved them as labelled, are evidence.
UPDATE ai_training_data SET dataset_status = 'approved' WHERE detected_intent = 'greeting' AND source = 'live';
SELECT train_intent_model('approved greetings', 'full', '{"deploy": "never"}') ->> 'status' AS status;
SELECT count(*) FILTER (WHERE rr.fresh) AS fresh_once_approved
  FROM ai_training_run_rows AS rr JOIN ai_training_runs AS r ON r.id = rr.run_id
 WHERE r.run_name = 'approved greetings';
DROP OWNED BY pgi_gate_logger;
DROP ROLE pgi_gate_logger;
