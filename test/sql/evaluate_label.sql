-- evaluate_label(p_name, p_query, p_partition) (issue 34, point 5): the
-- classifier form of evaluate_intent_model(), through the same code and in
-- the same result shape, for the model predict_label() would use: no model
-- id to look up first. It needs the classifier's predict access and EXECUTE
-- (the classifiers set); the query runs as the caller.
SET client_min_messages = warning;
SET pg_intent.allow_drop_with_data = on; -- the previous test's rows go (src/pg/drop_guard.cpp)
DROP EXTENSION IF EXISTS pg_intent CASCADE;
DROP TABLE IF EXISTS el_msgs, el_raw, el_holdout, el_secret;
DROP ROLE IF EXISTS pgi_el_user;
CREATE EXTENSION pg_intent;
\i test/fixtures/try.sql

CREATE TABLE el_raw (split text, text text, intent text);
\copy el_raw FROM 'data/nlpjs_corpus50_es.csv' WITH (FORMAT csv, HEADER true)
CREATE TABLE el_msgs (shop text, msg text, route text);
INSERT INTO el_msgs
SELECT CASE WHEN n % 2 = 0 THEN 'big' END, text, split_part(intent, '.', 1)
  FROM (SELECT row_number() OVER (ORDER BY split, text, intent) AS n, text, intent FROM el_raw WHERE intent <> 'oos') AS r
 WHERE n <= 400;
CREATE TABLE el_holdout AS
SELECT text AS msg, split_part(intent, '.', 1) AS route
  FROM (SELECT row_number() OVER (ORDER BY split, text, intent) AS n, text, intent FROM el_raw WHERE intent <> 'oos') AS r
 WHERE n > 400 AND n <= 500;
SELECT create_classifier('router', 'el_msgs', 'msg', 'route',
                         '{"partition_column": "shop", "min_partition_rows": 100, "seed": 1}') ->> 'name' AS created;
SELECT train_classifier('router') AS trained \gset
SELECT :'trained'::jsonb ->> 'deploy_reason' AS fallback, :'trained'::jsonb #>> '{partitions,0,deploy_reason}' AS big;
-- The fallback beats big's first model on big's rows (fallback_better,
-- test/sql/partition_fallback.sql): deployed by hand here, to evaluate a
-- partition's own model.
SELECT deploy_classifier_model('router', (:'trained'::jsonb #>> '{partitions,0,model_id}')::bigint) ->> 'reason' AS deployed;

-- The same evaluation as evaluate_intent_model() of the model predict_label() uses.
SELECT evaluate_label('router', 'SELECT msg, route FROM el_holdout') AS by_name \gset
SELECT evaluate_intent_model((predict_label('router', 'hola')).model_id, 'SELECT msg, route FROM el_holdout') AS by_id \gset
SELECT (:'by_name'::jsonb - 'classifier' - 'model_partition') = :'by_id'::jsonb AS same_as_by_id,
       :'by_name'::jsonb ->> 'classifier' AS classifier, :'by_name'::jsonb -> 'model_partition' AS model_partition,
       (:'by_name'::jsonb ->> 'rows')::int AS rows, (:'by_name'::jsonb ->> 'accuracy')::float BETWEEN 0 AND 1 AS accuracy_is_a_fraction;
-- A partition's own model, and the fallback for a partition without one.
SELECT e ->> 'model_partition' AS model_partition,
       (e ->> 'model_id')::bigint = (predict_label('router', 'hola', 'big')).model_id AS its_model
  FROM evaluate_label('router', 'SELECT msg, route FROM el_holdout', 'big') AS e;
SELECT e -> 'model_partition' AS model_partition,
       (e ->> 'model_id')::bigint = (predict_label('router', 'hola')).model_id AS fallback
  FROM evaluate_label('router', 'SELECT msg, route FROM el_holdout', 'small') AS e;
-- The built-in classifier answers as evaluate_intent_model(NULL, ...).
SELECT pg_temp.try($$SELECT evaluate_label('intent', 'VALUES (''hola'', ''greeting'')')$$) AS intent_without_model;

-- Errors, as evaluate_intent_model()'s and predict_label()'s.
SELECT pg_temp.try($$SELECT evaluate_label(NULL, 'SELECT msg, route FROM el_holdout')$$) AS null_name;
SELECT pg_temp.try($$SELECT evaluate_label('router', NULL)$$) AS null_query;
SELECT pg_temp.try($$SELECT evaluate_label('nope', 'SELECT msg, route FROM el_holdout')$$) AS unknown;
SELECT pg_temp.try($$SELECT evaluate_label('router', 'DELETE FROM el_holdout RETURNING msg, route')$$) AS writes;
SELECT pg_temp.try($$SELECT evaluate_label('router', 'SELECT msg FROM el_holdout')$$) AS one_column;
SELECT pg_temp.try($$SELECT evaluate_label('router', 'SELECT msg, route FROM el_holdout WHERE false')$$) AS no_rows;
-- One rule for both forms (evaluate_on_query()), each worded as its
-- function's family: evaluate_intent_model() a message and an intent,
-- evaluate_label() a text and a label (0.3.2; before, evaluate_label()
-- asked for "the message and the expected intent", with
-- SELECT user_message, correct_intent as its example).
CREATE FUNCTION pg_temp.try_hint(p_sql text) RETURNS text LANGUAGE plpgsql AS $f$
DECLARE v_hint text;
BEGIN
    EXECUTE p_sql;
    RETURN 'ok';
EXCEPTION WHEN OTHERS THEN
    GET STACKED DIAGNOSTICS v_hint = PG_EXCEPTION_HINT;
    RETURN SQLSTATE || ': ' || SQLERRM || E'\nHINT: ' || v_hint;
END $f$;
SELECT f, pg_temp.try_hint(format('SELECT %s(%s, %L)', f, a, q)) AS refused
  FROM (VALUES ('evaluate_intent_model', (predict_label('router', 'hola')).model_id::text),
               ('evaluate_label', quote_literal('router'))) AS x(f, a),
       (VALUES ('SELECT msg FROM el_holdout'), (NULL)) AS y(q)
 ORDER BY f, q NULLS LAST;
SELECT count(*) AS holdout_rows FROM el_holdout;

-- A restricted role: EXECUTE comes with the classifiers set, never PUBLIC;
-- the classifier's predict access is checked inside; the query runs with the
-- role's own rights.
CREATE ROLE pgi_el_user;
CREATE TABLE el_secret (msg text, route text);
INSERT INTO el_secret VALUES ('hola', 'greetings');
GRANT SELECT ON el_holdout TO pgi_el_user;
SET ROLE pgi_el_user;
SELECT pg_temp.try($$SELECT evaluate_label('router', 'SELECT msg, route FROM el_holdout')$$) AS without_the_set;
RESET ROLE;
SELECT count(*) > 0 AS granted FROM grant_intent_access('pgi_el_user', 'classifiers');
SET ROLE pgi_el_user;
SELECT pg_temp.try($$SELECT evaluate_label('router', 'SELECT msg, route FROM el_holdout')$$) AS without_predict_access;
RESET ROLE;
SELECT grant_classifier_access('router', 'pgi_el_user', 'predict') IS NOT NULL AS predict_granted;
SET ROLE pgi_el_user;
SELECT (evaluate_label('router', 'SELECT msg, route FROM el_holdout') - 'classifier' - 'model_partition') = :'by_id'::jsonb AS same_for_the_role;
SELECT pg_temp.try($$SELECT evaluate_label('router', 'SELECT msg, route FROM el_secret')$$) AS query_as_the_caller;
-- A partition's evaluation, by explain_label()'s rule: the classifier's
-- train right. Before, a role with predict access read every label of
-- tenant big's own model, with its threshold (threshold_per_intent,
-- confusion.labels), from one made-up row, and learnt whether a partition
-- had a model of its own (model_partition); a partition without one gives
-- the same 42501.
SELECT pg_temp.try($$SELECT evaluate_label('router', 'VALUES (''hola'', ''x'')', 'big')$$) AS partition_of_another;
SELECT pg_temp.try($$SELECT evaluate_label('router', 'VALUES (''hola'', ''x'')', 'small')$$) AS partition_without_model;
RESET ROLE;
SELECT grant_classifier_access('router', 'pgi_el_user', 'train') IS NOT NULL AS train_granted;
SET ROLE pgi_el_user;
SELECT evaluate_label('router', 'VALUES (''hola'', ''x'')', 'big') ->> 'model_partition' AS with_train_right;
RESET ROLE;
SELECT has_function_privilege('public', 'evaluate_label(text, text, text)', 'EXECUTE') AS public_may_execute;

DROP TABLE el_secret;
REVOKE ALL ON el_holdout FROM pgi_el_user;
SELECT drop_classifier('router', true) IS NOT NULL AS dropped;
DROP OWNED BY pgi_el_user;
DROP ROLE pgi_el_user;
