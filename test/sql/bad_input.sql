-- Bad input to the public functions: NULLs, empty and huge values, arrays
-- with NULL elements or too many elements, negative and huge limits,
-- options that are not JSON objects, names with quotes, dots and non-ASCII
-- letters, and p_query strings that are not one reading query. Each is a
-- clear error with a documented SQLSTATE, or a documented result.
SET client_min_messages = warning;
SET pg_intent.allow_drop_with_data = on; -- the previous test's rows go (src/pg/drop_guard.cpp)
DROP EXTENSION IF EXISTS pg_intent CASCADE;
CREATE EXTENSION pg_intent;
\i test/fixtures/try.sql
\i test/fixtures/spanish_80.sql
SELECT id AS one FROM ai_training_data WHERE user_message = 'quiero devolver la camiseta' \gset

-- The batch reviews refuse a NULL id (22004, naming the parameter and the
-- element), as approve_training_sample(NULL) does; 0.3.2 before this passed
-- over it, in neither "updated" nor "missing". Nothing is changed.
SELECT pg_temp.try($$SELECT approve_training_sample(NULL)$$);
SELECT pg_temp.try($$SELECT approve_training_samples(ARRAY[NULL]::uuid[])$$);
SELECT pg_temp.try(format($$SELECT approve_training_samples(ARRAY[%L, NULL]::uuid[])$$, :'one'));
SELECT pg_temp.try(format($$SELECT reject_training_samples(ARRAY[%L, NULL, NULL]::uuid[], 'spam')$$, :'one'));
SELECT dataset_status FROM ai_training_data WHERE id = :'one';
SELECT count(*) AS review_actions FROM ai_review_actions;
\set VERBOSITY default
SELECT approve_training_samples(ARRAY['00000000-0000-0000-0000-000000000001', NULL]::uuid[]);
\set VERBOSITY terse
-- A NULL array, an empty one, too many ids (checked before the NULLs: a
-- 10-million-element array is refused by its size), a 2-D array.
SELECT pg_temp.try($$SELECT approve_training_samples(NULL)$$);
SELECT approve_training_samples('{}');
SELECT pg_temp.try($$SELECT approve_training_samples(array_fill(NULL::uuid, ARRAY[10000001]))$$);
SELECT approve_training_samples(ARRAY[['00000000-0000-0000-0000-000000000001'], ['00000000-0000-0000-0000-000000000002']]::uuid[]);
-- The valid ids of a batch still apply.
SELECT approve_training_samples(ARRAY[:'one'::uuid, '00000000-0000-0000-0000-000000000003']) AS applied;

-- A run's name is at most 1024 bytes (22023, before anything is recorded;
-- 0.3.2 before this recorded a name of any size).
SELECT pg_temp.try($$SELECT train_intent_model(repeat('r', 1025))$$);
SELECT pg_temp.try($$SELECT train_classifier('intent', repeat('é', 513))$$);
SELECT count(*) AS runs FROM ai_training_runs;

-- NULLs in every position the contract refuses them.
SELECT pg_temp.try($$SELECT train_intent_model('r', NULL)$$);
SELECT pg_temp.try($$SELECT train_intent_model('r', 'full', NULL)$$);
SELECT pg_temp.try($$SELECT train_classifier(NULL)$$);
SELECT pg_temp.try($$SELECT evaluate_intent_model(1, NULL)$$);
SELECT pg_temp.try($$SELECT create_classifier(NULL, NULL, NULL, NULL)$$);
SELECT pg_temp.try($$SELECT alter_classifier(NULL, '{}')$$);
SELECT pg_temp.try($$SELECT drop_classifier(NULL)$$);
SELECT pg_temp.try($$SELECT deploy_intent_model(NULL)$$);
SELECT pg_temp.try($$SELECT get_ai_training_metrics(NULL)$$);
SELECT pg_temp.try($$SELECT get_classifier_metrics('intent', NULL)$$);
SELECT pg_temp.try($$SELECT explain_intent('hola', NULL)$$);
SELECT pg_temp.try($$SELECT training_report(NULL, NULL)$$);
SELECT pg_temp.try($$SELECT score_feedback_message(NULL)$$);
SELECT pg_temp.try($$SELECT grant_intent_access(NULL, 'predict')$$);
SELECT pg_temp.try($$SELECT reassign_classifier(NULL, NULL)$$);
SELECT pg_temp.try($$SELECT create_metrics_snapshot(NULL)$$);
-- ... and the documented NULL results.
SELECT predict_intent(NULL) IS NULL AS predict_null, predict_label('intent', NULL) IS NULL AS label_null,
       intent_model_info(NULL) IS NULL AS info_null, normalize_intent_name(NULL) IS NULL AS name_null;

-- Negative, zero and huge limits.
SELECT pg_temp.try($$SELECT get_ai_training_metrics(-1)$$);
SELECT pg_temp.try($$SELECT get_ai_training_metrics(2147483647)$$);
SELECT pg_temp.try($$SELECT get_classifier_metrics('intent', 0)$$);
SELECT pg_temp.try($$SELECT explain_intent('hola', -1)$$);
SELECT pg_temp.try($$SELECT explain_intent('hola', 2147483647)$$);
SELECT pg_temp.try($$SELECT get_classifier_review_queue('intent', NULL, -1)$$);
SELECT pg_temp.try($$SELECT get_classifier_review_queue('intent', NULL, 2147483647)$$);
SELECT pg_temp.try($$SELECT get_training_dataset(-1)$$);
SELECT pg_temp.try($$SELECT export_training_dataset('csv', -5)$$);
SELECT pg_temp.try($$SELECT record_interaction('hola', 'x', -1)$$);
SELECT pg_temp.try($$SELECT predict_intent('hola', -1)$$);
SELECT pg_temp.try($$SELECT deploy_classifier_model('intent', 9223372036854775807)$$);
SELECT pg_temp.try($$SELECT train_intent_model('r', 'full', '{"limit": -1}')$$);
SELECT pg_temp.try($$SELECT train_intent_model('r', 'full', '{"limit": 1e300}')$$);
SELECT pg_temp.try($$SELECT train_intent_model('r', 'full', '{"threads": -1}')$$);

-- Options that are not a JSON object, or not the right JSON.
SELECT pg_temp.try($$SELECT intent_training_options('[]')$$);
SELECT pg_temp.try($$SELECT intent_training_options('"x"')$$);
SELECT pg_temp.try($$SELECT intent_training_options('{"C": [1, 2]}')$$);
SELECT pg_temp.try($$SELECT intent_training_options('{"no_such": 1}')$$);
SELECT pg_temp.try($$SELECT create_classifier('c1', 'ai_training_data', 'user_message', 'detected_intent', 'null')$$);
SELECT pg_temp.try($$SELECT create_classifier('c1', 'ai_training_data', 'user_message', 'detected_intent', '[1]')$$);
SELECT pg_temp.try($$SELECT create_classifier('c1', 'ai_training_data', 'user_message', 'detected_intent', '{"min_samples_for_training": -1}')$$);

-- Names with quotes, dots and non-ASCII letters, and empty ones.
SELECT pg_temp.try($$SELECT predict_label('no.such', 'x')$$);
SELECT pg_temp.try($$SELECT predict_label('a"b''c', 'x')$$);
SELECT pg_temp.try($$SELECT predict_label('', 'x')$$);
SELECT pg_temp.try($$SELECT create_classifier('x.y', 'ai_training_data', 'user_message', 'detected_intent')$$);
SELECT pg_temp.try($$SELECT create_classifier('Ñandú', 'ai_training_data', 'user_message', 'detected_intent')$$);
-- A name of 270 million characters is refused by its length before the
-- name's regular expression, which would need 4 bytes a character (over
-- the 1 GB an allocation may take).
SELECT left(pg_temp.try($$SELECT create_classifier(repeat('a', 270000000), 'ai_training_data', 'user_message', 'detected_intent')$$), 40) AS huge_name;
SELECT pg_temp.try($$SELECT create_classifier('c1', 'ai_training_data"; DROP TABLE x; --', 'user_message', 'detected_intent')$$);
SELECT pg_temp.try($$SELECT create_classifier('c1', 'ai_training_data', 'no"such', 'detected_intent')$$);
SELECT pg_temp.try($$SELECT predict_label('intent', 'hola', repeat('p', 100000))$$);
SELECT pg_temp.try($$SELECT submit_intent_correction('00000000-0000-0000-0000-000000000001', repeat('a', 100000))$$);

-- p_query strings that are not one reading query (with a model deployed,
-- so that the query is what is checked).
UPDATE ai_training_data SET dataset_status = 'approved';
SELECT train_intent_model('bad input') ->> 'status' AS trained;
SELECT pg_temp.try($$SELECT evaluate_label('intent', 'SELECT 1; SELECT 2')$$);
SELECT pg_temp.try($$SELECT evaluate_label('intent', '')$$);
SELECT pg_temp.try($$SELECT evaluate_label('intent', 'DELETE FROM ai_training_data RETURNING user_message, detected_intent')$$);
SELECT pg_temp.try($$SELECT evaluate_label('intent', 'WITH d AS (DELETE FROM ai_training_data RETURNING 1) SELECT ''a'', ''b''')$$);
SELECT pg_temp.try($$SELECT evaluate_label('intent', 'SELECT user_message, detected_intent FROM ai_training_data FOR UPDATE')$$);
SELECT pg_temp.try($$SELECT evaluate_label('intent', 'COPY ai_training_data TO STDOUT')$$);
SELECT pg_temp.try($$SELECT evaluate_label('intent', 'SELECT 1, 2, 3')$$);
SELECT pg_temp.try($$SELECT evaluate_intent_model(1, 'SELECT NULL::text, NULL::text')$$);
SELECT pg_temp.try($$SELECT evaluate_intent_model(1, 'SELECT pg_sleep(100)')$$);
-- A query that would run long stops at statement_timeout (57014, which
-- pg_temp.try() does not catch).
SET statement_timeout = '1s';
SELECT evaluate_intent_model(1, 'SELECT g::text, ''x'' FROM generate_series(1, 1000000000) AS g');
RESET statement_timeout;
-- A 1.6 MB message is predicted, not refused.
SELECT (predict_intent(repeat('quiero devolver ', 100000))).predicted_intent IS NOT NULL AS predicted;
SELECT count(*) AS rows_left FROM ai_training_data;
