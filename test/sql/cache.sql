-- The per-backend model cache follows deployments: in the same session, and in
-- another session (through dblink) once the deploy commits.
SET client_min_messages = warning;
SET pg_intent.allow_drop_with_data = on; -- the previous test's rows go (src/pg/drop_guard.cpp)
DROP EXTENSION IF EXISTS pg_intent CASCADE;
CREATE EXTENSION pg_intent;

\i test/fixtures/try.sql

\i test/fixtures/spanish_80.sql

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
SELECT pg_temp.try($$SELECT predict_intent('quiero devolver la chaqueta', $$ || :model_c || $$)$$) = format('P0002: intent model %s does not exist', :model_c) AS not_found;

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
SELECT pg_temp.try($$SELECT * FROM dblink('other', 'SELECT classify_intent(''hola'')') AS t(label text)$$);
SELECT dblink_disconnect('other');
DROP EXTENSION dblink;
