-- Security review round 4: the policy's training window (max_training_rows)
-- keeps the reviewed rows. Before the fix it kept the newest usable rows, so
-- a role allowed only to log interactions (the Supabase recipe's grant to
-- anon: anyone with the public key) could push every reviewed row out of it
-- by logging max_training_rows rows of its own. With the reviewed rows went
-- the deploy gate's fresh rows (the rows the active model never trained on,
-- which judge a new model), and the scheduled retraining then deployed a
-- model trained on the attacker's labels alone on its own out-of-fold
-- estimate. Now reviewed rows come first in the window (and in
-- get_training_dataset(), whose order the window follows).
SET client_min_messages = warning;
SET pg_intent.allow_drop_with_data = on; -- the previous test's rows go (src/pg/drop_guard.cpp)
DROP EXTENSION IF EXISTS pg_intent CASCADE;
CREATE EXTENSION pg_intent;
DROP ROLE IF EXISTS pgi_window_app;
DROP ROLE IF EXISTS pgi_window_cron;
CREATE ROLE pgi_window_app NOLOGIN;
CREATE ROLE pgi_window_cron NOLOGIN;
-- The README's grant to the application role, and the scheduler's.
GRANT INSERT (id, user_message, detected_intent, confidence_score, ai_response, response_source, escalated,
              conversation_id, message_id, user_id, category, source) ON ai_training_data TO pgi_window_app;
GRANT EXECUTE ON FUNCTION retrain_if_needed(boolean) TO pgi_window_cron;
\i test/fixtures/spanish_100.sql

-- The active model, then 100 rows reviewers confirmed since: fresh rows.
SELECT pg_temp.add_samples(ARRAY['los zapatos', 'la camiseta', 'el vestido', 'la chaqueta', 'el bolso']) AS logged;
SELECT train_intent_model('first', 'full', '{"seed": 1}') ->> 'deploy_reason' AS first_model;
SELECT pg_temp.add_samples(ARRAY['el pantalon', 'la gorra', 'el abrigo', 'la falda', 'el cinturon'], true) AS reviewed;
-- The administrator bounds what a run holds in memory.
UPDATE ai_training_policy SET max_training_rows = 150;

-- The application role logs 200 rows: the same kinds of messages, each
-- labelled with another intent.
SET ROLE pgi_window_app;
INSERT INTO ai_training_data (user_message, detected_intent, confidence_score)
SELECT format(t.tpl, p.product), t.intent, 100
  FROM (VALUES ('shipping_problem', 'quiero devolver %s'), ('shipping_problem', 'como hago la devolucion de %s'),
               ('shipping_problem', 'necesito devolver %s que compre'), ('shipping_problem', 'me pueden reembolsar %s'),
               ('shipping_problem', 'quiero regresar %s y recuperar mi dinero'),
               ('payment_issue', 'mi pedido de %s no ha llegado'), ('payment_issue', 'el envio de %s esta retrasado'),
               ('payment_issue', 'donde esta mi paquete con %s'), ('payment_issue', 'el repartidor no entrego %s'),
               ('payment_issue', 'el seguimiento del envio de %s no se actualiza'),
               ('product_info', 'no puedo pagar %s con mi tarjeta'), ('product_info', 'me cobraron dos veces %s'),
               ('product_info', 'el pago de %s fue rechazado'), ('product_info', 'quiero pagar %s en cuotas'),
               ('product_info', 'error al procesar el pago de %s'),
               ('return_process', 'que talla tiene %s'), ('return_process', 'de que material es %s'),
               ('return_process', 'tienen %s en color negro'), ('return_process', 'cuales son las medidas de %s'),
               ('return_process', 'hay stock de %s')) AS t(intent, tpl)
 CROSS JOIN unnest(ARRAY['la bufanda', 'el reloj', 'las gafas', 'el paraguas', 'la mochila', 'los guantes',
                         'el jersey', 'la blusa', 'las sandalias', 'el chaleco']) AS p(product);
RESET ROLE;

-- The scheduled retraining: the window holds the 100 reviewed rows and the
-- 50 newest logged ones; the reviewed rows judge the new model on what the
-- active model never trained on, and it is not deployed.
SET ROLE pgi_window_cron;
SELECT r ->> 'retrained' AS retrained, r #>> '{result,deployed}' AS deployed,
       r #>> '{result,deploy_evidence}' AS evidence, r #>> '{result,deploy_reason}' AS reason
  FROM retrain_if_needed() AS r;
RESET ROLE;
SELECT count(*) AS rows_read,
       count(*) FILTER (WHERE d.intent_correct) AS reviewed_read,
       count(*) FILTER (WHERE rr.fresh) AS fresh
  FROM ai_training_run_rows AS rr JOIN ai_training_data AS d ON d.id = rr.training_data_id
 WHERE rr.run_id = (SELECT id FROM ai_training_runs ORDER BY started_at DESC LIMIT 1);
SELECT m.version IS NOT DISTINCT FROM (SELECT v.version FROM ai_intent_models AS v ORDER BY v.id LIMIT 1) AS first_model_still_active
  FROM ai_intent_models AS m WHERE m.is_active;
SELECT classify_intent('quiero devolver la bufanda') AS still_right;
-- get_training_dataset() reads the same window: reviewed rows first.
SELECT count(*) AS rows, count(*) FILTER (WHERE d.id IN (SELECT t.id FROM ai_training_data AS t WHERE t.intent_correct)) AS reviewed
  FROM get_training_dataset(0, false, 150) AS d;
SELECT (SELECT array_agg(d.id ORDER BY d.id) FROM get_training_dataset(0, false, 150) AS d)
     = (SELECT array_agg(rr.training_data_id ORDER BY rr.training_data_id) FROM ai_training_run_rows AS rr
         WHERE rr.run_id = (SELECT id FROM ai_training_runs ORDER BY started_at DESC LIMIT 1)) AS same_rows;

DROP EXTENSION pg_intent CASCADE;
DROP OWNED BY pgi_window_app, pgi_window_cron;
DROP ROLE pgi_window_app;
DROP ROLE pgi_window_cron;
