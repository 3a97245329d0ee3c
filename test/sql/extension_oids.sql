-- The extension's relation and function OIDs are kept per backend
-- (src/pg/relations.cpp) until PostgreSQL says they may have changed: in
-- one session, an extension dropped and created again, a table renamed and
-- a function renamed are seen at the next call.
SET client_min_messages = warning;
SET pg_intent.allow_drop_with_data = on; -- the previous test's rows go (src/pg/drop_guard.cpp)
DROP EXTENSION IF EXISTS pg_intent CASCADE;
CREATE EXTENSION pg_intent;
\i test/fixtures/try.sql
\i test/fixtures/spanish_100.sql

SELECT pg_temp.add_samples(ARRAY['los zapatos', 'la camiseta', 'el vestido', 'la chaqueta', 'el bolso']) AS added;
SELECT train_intent_model('first') ->> 'status' AS first_run;
SELECT classify_intent('quiero devolver los zapatos') AS predicted;

-- 1. Dropped and created again in this session: every table and function
-- has a new OID, and training and prediction find them.
DROP EXTENSION pg_intent CASCADE;
CREATE EXTENSION pg_intent;
SELECT pg_temp.add_samples(ARRAY['las gafas', 'el reloj', 'la mochila', 'los pantalones', 'la bufanda']) AS added;
SELECT train_intent_model('after re-creation') ->> 'status' AS second_run;
SELECT classify_intent('quiero devolver las gafas') AS predicted;
SELECT count(*) AS runs FROM ai_training_runs;

-- 2. A table renamed is not read under its old name (42P01, which the run
-- records), and found again once the rename is rolled back.
BEGIN;
ALTER TABLE ai_training_data RENAME TO ai_training_data_moved;
SELECT r ->> 'status' AS status, r ->> 'error' AS error
  FROM train_intent_model('renamed table') AS r;
ROLLBACK;
SELECT train_intent_model('table back') ->> 'status' AS table_back;

-- 3. A function the C code calls by name (train_classifier() calls
-- _pg_intent_classifier_for_training()), renamed: 42883, then found again.
CREATE TABLE oid_messages (id bigserial PRIMARY KEY, body text, label text);
INSERT INTO oid_messages (body, label)
SELECT user_message, detected_intent FROM ai_training_data;
SELECT create_classifier('oid_router', 'oid_messages', 'body', 'label', '{"key_column": "id"}') IS NOT NULL AS created;
SELECT train_classifier('oid_router') ->> 'status' AS classifier_run;
BEGIN;
DO $$ BEGIN
    EXECUTE format('ALTER FUNCTION %s RENAME TO _pg_intent_moved',
                   'intent_internal._pg_intent_classifier_for_training'::regproc::regprocedure);
END $$;
SELECT pg_temp.try($$SELECT train_classifier('oid_router')$$) AS renamed_function;
ROLLBACK;
SELECT train_classifier('oid_router') ->> 'status' AS function_back;
DROP TABLE oid_messages CASCADE;
