-- The per-backend model cache follows deployments: in the same session, and in
-- another session (through dblink) once the deploy commits.
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

SELECT train_intent_model('a', 'full', '{"seed": 5}') ->> 'model_id' AS model_a \gset
SELECT train_intent_model('b', 'full', '{"seed": 6, "deploy": "never"}') ->> 'model_id' AS model_b \gset

-- Same session: the cached model A is replaced as soon as B is deployed.
SELECT model_id = :model_a AS uses_a FROM predict_intent('quiero devolver la chaqueta');
SELECT deploy_intent_model(:model_b) ->> 'reason' AS reason;
SELECT model_id = :model_b AS uses_b FROM predict_intent('quiero devolver la chaqueta');
SELECT classify_intent('quiero devolver la chaqueta');
-- ... and after a rollback, A again.
SELECT rollback_intent_model() ->> 'reason' AS reason;
SELECT model_id = :model_a AS uses_a FROM predict_intent('quiero devolver la chaqueta');

-- Inside a transaction the session sees its own uncommitted deploy; after a
-- ROLLBACK it is back to the committed model.
BEGIN;
SELECT deploy_intent_model(:model_b) ->> 'reason' AS reason;
SELECT model_id = :model_b AS uses_b FROM predict_intent('quiero devolver la chaqueta');
ROLLBACK;
SELECT model_id = :model_a AS uses_a FROM predict_intent('quiero devolver la chaqueta');

-- A deleted model is gone from the cache too.
SELECT train_intent_model('c', 'full', '{"seed": 7, "deploy": "never"}') ->> 'model_id' AS model_c \gset
SELECT model_id = :model_c AS uses_c FROM predict_intent('quiero devolver la chaqueta', :model_c);
DELETE FROM ai_intent_models WHERE id = :model_c;
SELECT pg_temp.try($$SELECT predict_intent('quiero devolver la chaqueta', $$ || :model_c || $$)$$) ~ '^P0002: ' AS not_found;

-- Another session caches A, then sees B at its first call after our commit,
-- and not before.
CREATE EXTENSION IF NOT EXISTS dblink;
SELECT dblink_connect('other', format('dbname=%s host=%s port=%s', current_database(),
       split_part(current_setting('unix_socket_directories'), ',', 1), current_setting('port')));
SELECT model_id = :model_a AS other_uses_a
  FROM dblink('other', $$SELECT model_id FROM predict_intent('quiero devolver la chaqueta')$$) AS t(model_id bigint);
BEGIN;
SELECT deploy_intent_model(:model_b) ->> 'reason' AS reason;
SELECT model_id = :model_a AS other_still_uses_a
  FROM dblink('other', $$SELECT model_id FROM predict_intent('quiero devolver la chaqueta')$$) AS t(model_id bigint);
COMMIT;
SELECT model_id = :model_b AS other_uses_b
  FROM dblink('other', $$SELECT model_id FROM predict_intent('quiero devolver la chaqueta')$$) AS t(model_id bigint);
SELECT label FROM dblink('other', $$SELECT classify_intent('quiero devolver la chaqueta')$$) AS t(label text);
-- No active model: the other session gets 55000, not its stale cache.
UPDATE ai_intent_models SET is_active = false;
SELECT pg_temp.try($$SELECT * FROM dblink('other', 'SELECT classify_intent(''hola'')') AS t(label text)$$) ~ '55000|no active' AS refused;
SELECT dblink_disconnect('other');
DROP EXTENSION dblink;
