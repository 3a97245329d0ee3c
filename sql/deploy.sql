-- The deploy rule (first, improved, regression refused, within tolerance,
-- the deploy option), deploy_intent_model, rollback_intent_model, ai_model_registry.
SET client_min_messages = warning;
DROP EXTENSION IF EXISTS pg_intent CASCADE;
CREATE EXTENSION pg_intent;

-- Runs a statement and shows its SQLSTATE and message instead of failing.
CREATE FUNCTION pg_temp.try(p_sql text) RETURNS text LANGUAGE plpgsql AS $$
BEGIN
    EXECUTE p_sql;
    RETURN 'ok';
EXCEPTION WHEN OTHERS THEN
    RETURN SQLSTATE || ': ' || SQLERRM;
END $$;

-- 80 labelled Spanish messages: 4 intents x 4 templates x 5 products,
-- one minute apart (distinct created_at, so "newest first" is well defined).
INSERT INTO ai_training_data (user_message, detected_intent, confidence_score, source, created_at)
SELECT format(t.template, p.item), t.intent, 90, 'synthetic',
       timestamptz '2026-02-01 09:00' + (row_number() OVER (ORDER BY t.n, p.n)) * interval '1 minute'
  FROM (VALUES (1, 'return_process', 'quiero devolver %s'),
               (2, 'return_process', 'cómo hago la devolución de %s'),
               (3, 'return_process', 'necesito devolver %s que compré'),
               (4, 'return_process', 'quiero un reembolso por %s'),
               (5, 'shipping_problem', 'mi pedido de %s no ha llegado'),
               (6, 'shipping_problem', 'el envío de %s está retrasado'),
               (7, 'shipping_problem', 'dónde está mi paquete con %s'),
               (8, 'shipping_problem', 'el repartidor no entregó %s'),
               (9, 'payment_issue', 'no puedo pagar %s con tarjeta'),
               (10, 'payment_issue', 'me cobraron dos veces %s'),
               (11, 'payment_issue', 'el pago de %s fue rechazado'),
               (12, 'payment_issue', 'error al pagar %s'),
               (13, 'product_info', 'qué talla tiene %s'),
               (14, 'product_info', 'de qué material es %s'),
               (15, 'product_info', 'hay stock de %s'),
               (16, 'product_info', 'qué colores tiene %s')) AS t(n, intent, template)
 CROSS JOIN (VALUES (1, 'la camiseta'), (2, 'el pantalón'), (3, 'las zapatillas'),
                    (4, 'el abrigo'), (5, 'la mochila')) AS p(n, item);

-- Nothing to deploy or roll back yet.
SELECT pg_temp.try($$SELECT rollback_intent_model()$$);
SELECT pg_temp.try($$SELECT deploy_intent_model(1)$$);
SELECT pg_temp.try($$SELECT deploy_intent_model(NULL)$$);

-- 1. A deliberately weak first model (two features): deployed, reason first.
SELECT r ->> 'deployed' AS deployed, r ->> 'deploy_reason' AS reason, r -> 'baseline_metrics' AS baseline,
       (r -> 'final_metrics' ->> 'f1')::float8 < 0.9 AS weak
  FROM train_intent_model('weak', 'full', '{"max_features": 2, "seed": 1}') AS r;

-- 2. A full model beats it on the same test rows: deployed, reason improved.
SELECT r ->> 'deployed' AS deployed, r ->> 'deploy_reason' AS reason,
       (r -> 'final_metrics' ->> 'f1')::float8 > (r -> 'baseline_metrics' ->> 'f1')::float8 AS beats_baseline,
       (r ->> 'improvement')::float8 > 0 AS positive_improvement,
       round((r ->> 'improvement')::numeric, 6)
         = round(((r -> 'final_metrics' ->> 'f1')::float8 - (r -> 'baseline_metrics' ->> 'f1')::float8)::numeric, 6)
         AS improvement_is_f1_delta
  FROM train_intent_model('good', 'full', '{"seed": 1}') AS r;

-- 3. A weak model again: its F1 drops more than max_f1_regression, so it is
--    stored but not deployed, and the good model stays active.
SELECT r ->> 'deployed' AS deployed, r ->> 'deploy_reason' AS reason,
       (r -> 'final_metrics' ->> 'f1')::float8
         < (r -> 'baseline_metrics' ->> 'f1')::float8 - current_setting('pg_intent.max_f1_regression')::float8 AS regressed
  FROM train_intent_model('worse', 'full', '{"max_features": 2, "seed": 1}') AS r;
SELECT run_name, is_active FROM ai_model_registry ORDER BY id;

-- 4. The same options as the active model: equal F1 is within tolerance.
SELECT r ->> 'deployed' AS deployed, r ->> 'deploy_reason' AS reason, (r ->> 'improvement')::float8 = 0 AS no_change
  FROM train_intent_model('same', 'full', '{"seed": 1}') AS r;

-- 5. {"deploy": "never"} keeps even a good model out; {"deploy": "always"}
--    deploys even a worse one (reason manual).
SELECT r ->> 'deployed' AS deployed, r ->> 'deploy_reason' AS reason
  FROM train_intent_model('held back', 'full', '{"seed": 2, "deploy": "never"}') AS r;
SELECT r ->> 'deployed' AS deployed, r ->> 'deploy_reason' AS reason
  FROM train_intent_model('forced', 'full', '{"max_features": 2, "seed": 1, "deploy": "always"}') AS r;

-- Roll back the forced model, then show that a larger tolerance lets a
-- worse model through (reason within_tolerance).
SELECT rollback_intent_model() ->> 'reason' AS reason;
SET pg_intent.max_f1_regression = 1.0;
SELECT train_intent_model('tolerant', 'full', '{"max_features": 2, "seed": 1}') ->> 'deploy_reason' AS reason;
RESET pg_intent.max_f1_regression;

-- The runs and their decisions.
SELECT run_name, status, deployed, deploy_reason, baseline_f1_score IS NOT NULL AS has_baseline
  FROM ai_training_runs ORDER BY started_at;

-- The registry: one active model, every model listed with its metrics.
SELECT id, run_name, is_active, last_deploy_reason, total_intents,
       f1_score BETWEEN 0 AND 1 AS f1_ok, size_bytes > 0 AS has_size, length(sha256) AS sha_len,
       version ~ '^v[0-9]{8}_[0-9]{6}(_[0-9]+)?$' AS version_ok
  FROM ai_model_registry ORDER BY id;
SELECT count(DISTINCT version) = count(*) AS versions_unique FROM ai_model_registry;

-- Manual deployment of the good model (id 2) replacing the tolerant one (id 7).
SELECT r - 'deployed_at' AS result, (r ->> 'deployed_at')::timestamptz IS NOT NULL AS has_deployed_at
  FROM deploy_intent_model(2) AS r;
SELECT pg_temp.try($$SELECT deploy_intent_model(2)$$);
SELECT pg_temp.try($$SELECT deploy_intent_model(999)$$);
SELECT id FROM ai_model_registry WHERE is_active;

-- Rollback goes back to the model active before the current one; twice swaps back.
SELECT rollback_intent_model() - 'deployed_at' AS result;
SELECT id FROM ai_model_registry WHERE is_active;
SELECT rollback_intent_model() - 'deployed_at' AS result;

-- The deployment history.
SELECT model_id, previous_model_id, reason FROM ai_model_deployments ORDER BY id;

-- At most one active model, enforced by the table itself.
SELECT pg_temp.try($$UPDATE ai_intent_models SET is_active = true WHERE id = 1$$);

-- The first model was deployed with no predecessor: rolling back from it is refused.
SELECT deploy_intent_model(1) ->> 'previous_model_id' AS previous;
DELETE FROM ai_model_deployments WHERE model_id = 1 AND reason = 'manual';
SELECT pg_temp.try($$SELECT rollback_intent_model()$$);
-- No active model at all.
UPDATE ai_intent_models SET is_active = false;
SELECT pg_temp.try($$SELECT rollback_intent_model()$$);
