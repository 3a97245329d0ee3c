-- One store of models (issue 33, point 1: one cache). predict_intent(),
-- predict_intent(text, model id), predict_label('intent', ...) and a named
-- classifier's predict_label() take their deserialised models from one
-- store per session, by model id, bounded by pg_intent.model_cache_size and
-- counted by _pg_intent_model_cache_stats(). Before, the built-in
-- classifier's models were kept in a cache of their own, outside the
-- budget and the statistics: every count below stayed 0 for them.
SET client_min_messages = warning;
SET pg_intent.allow_drop_with_data = on; -- the previous test's rows go (src/pg/drop_guard.cpp)
DROP EXTENSION IF EXISTS pg_intent CASCADE;
DROP TABLE IF EXISTS ms_routes;
CREATE EXTENSION pg_intent;

\i test/fixtures/try_detail.sql
\i test/fixtures/spanish_80.sql

SELECT (train_intent_model('first', 'full', '{"seed": 1}') ->> 'model_id')::bigint AS first_id \gset
SELECT (train_intent_model('second', 'full', '{"seed": 2, "algorithm": "logistic_regression", "deploy": "never"}')
        ->> 'model_id')::bigint AS second_id \gset
SELECT is_active FROM ai_intent_models WHERE id = :first_id;

-- What the store did since this point.
CREATE TEMP TABLE before AS SELECT * FROM intent_internal._pg_intent_model_cache_stats();
CREATE TEMP VIEW since AS
SELECT s.models - b.models AS models, s.hits - b.hits AS hits, s.misses - b.misses AS loads
  FROM intent_internal._pg_intent_model_cache_stats() AS s, before AS b;

-- The active model: loaded once, then served from the store.
SELECT predicted_intent FROM predict_intent('quiero devolver la camiseta');
SELECT predicted_intent FROM predict_intent('mi pedido de la mochila no ha llegado');
SELECT * FROM since;

-- The classifier function for the built-in classifier: the same model.
SELECT (predict_label('intent', 'quiero devolver la camiseta')).label;
SELECT * FROM since;

-- A model by id: a second model in the store.
SELECT predicted_intent, model_id = :second_id AS by_id FROM predict_intent('quiero devolver la camiseta', :second_id);
SELECT * FROM since;

-- Deployed, the second model answers predict_intent() from the store: no load.
SELECT deploy_intent_model(:second_id) ->> 'reason' AS deployed;
SELECT model_id = :second_id AS active_now FROM predict_intent('quiero devolver la camiseta');
SELECT * FROM since;

-- The store keeps within its budget (the setting is in kB).
SELECT bytes > 0 AS holds_bytes, bytes <= (SELECT setting::bigint * 1024 FROM pg_settings WHERE name = 'pg_intent.model_cache_size') AS within_budget
  FROM intent_internal._pg_intent_model_cache_stats();
-- What SHOW and pg_settings say of the budget is this store's rule (0.3.1's
-- words named the classifier cache only).
SELECT short_desc, min_val, unit FROM pg_settings WHERE name = 'pg_intent.model_cache_size';

-- A model whose bytes were removed is refused, though the store still has it.
SELECT delete_intent_model(:first_id) ->> 'model_id' = :'first_id' AS deleted;
SELECT pg_temp.try_detail(format('SELECT predict_intent(%L, %s)', 'quiero devolver la camiseta', :first_id));
SELECT model_id = :second_id AS active_still FROM predict_intent('quiero devolver la camiseta');

-- A classifier's model in the store too.
CREATE TABLE ms_routes AS SELECT user_message AS body, detected_intent AS route FROM ai_training_data;
SELECT create_classifier('rutas', 'ms_routes', 'body', 'route') ->> 'name' AS created;
SELECT (train_classifier('rutas', 'rutas', '{"seed": 1}') ->> 'model_id')::bigint AS routes_id \gset
SELECT (predict_label('rutas', 'quiero devolver la camiseta')).label;
SELECT models >= 3 AS three_kept FROM intent_internal._pg_intent_model_cache_stats();

-- An id names other bytes once the table starts over (TRUNCATE ... RESTART
-- IDENTITY here; on a Citus worker, a row of its own replaced by the
-- coordinator's copy with the same id): the store knows a model by its
-- row's sha256 as well as its id. Before, this session went on answering
-- with the models it kept under ids 1 and 2 (intent's), for another
-- classifier's model and for intent's new one: return_process, twice.
SELECT models AS models_before, evictions AS evictions_before
  FROM intent_internal._pg_intent_model_cache_stats() \gset
UPDATE ai_intent_models SET is_active = false;
TRUNCATE ai_intent_models, ai_model_deployments RESTART IDENTITY;
UPDATE ms_routes SET route = 'ruta_' || route;
UPDATE ai_training_data SET detected_intent = 'nuevo_' || detected_intent;
SELECT (train_classifier('rutas', 'rutas again', '{"seed": 1}') ->> 'model_id')::bigint = :first_id AS routes_took_id;
SELECT (predict_label('rutas', 'quiero devolver la camiseta')).label;
SELECT (train_intent_model('again', 'full', '{"seed": 1}') ->> 'model_id')::bigint = :second_id AS intent_took_id;
SELECT predicted_intent, model_id = :second_id AS same_id FROM predict_intent('quiero devolver la camiseta');
SELECT (predict_label('intent', 'quiero devolver la camiseta')).label;
-- The two models kept under those ids were replaced, not evicted: the store
-- holds as many models as before, and nothing was removed for room. Before,
-- each replacement counted as an eviction (2).
SELECT models = :models_before AS same_models, evictions - :evictions_before AS evicted
  FROM intent_internal._pg_intent_model_cache_stats();

-- A model's bytes replaced by hand, without its sha256: the column is
-- derived from the bytes (a trigger), so the store, which knows a model by
-- id and sha256, loads the new bytes. Before, this session went on
-- answering with the bytes it had kept (nuevo_return_process).
SELECT predicted_intent FROM predict_intent('quiero devolver la camiseta');
UPDATE ai_intent_models
   SET model = (SELECT m.model FROM ai_intent_models AS m WHERE m.id = :first_id)
 WHERE id = :second_id;
SELECT predicted_intent FROM predict_intent('quiero devolver la camiseta');
SELECT sha256 = encode(sha256(model), 'hex') AS sha256_of_bytes, size_bytes = octet_length(model) AS size_of_bytes
  FROM ai_intent_models ORDER BY id;
-- A row inserted by hand gets the sha256 and size_bytes of its bytes, not
-- the ones it was given: else a row under a reused id, given the sha256 of
-- the row it replaces, was served with the model a session had kept for
-- that row. Before, only an UPDATE of the bytes derived them (false, false).
INSERT INTO ai_intent_models (version, algorithm, model, size_bytes, sha256, intents)
SELECT 'by_hand', m.algorithm, m.model, 1, repeat('0', 64), m.intents
  FROM ai_intent_models AS m WHERE m.id = :second_id;
SELECT sha256 = encode(sha256(model), 'hex') AS sha256_of_bytes, size_bytes = octet_length(model) AS size_of_bytes
  FROM ai_intent_models WHERE version = 'by_hand';
-- Deleting a model's bytes (model NULL) keeps the row's sha256.
UPDATE ai_intent_models SET model = NULL WHERE id = :first_id;
SELECT sha256 IS NOT NULL AS sha256_kept FROM ai_intent_models WHERE id = :first_id;

DROP EXTENSION pg_intent CASCADE;
DROP TABLE ms_routes;
