-- The shapes of a source a classifier's review queue reads its texts from
-- (issue: the source-shapes sweep). A run records each row's key as its
-- value's text (src/pg/row_key.h); the queue finds the rows by that text
-- (_pg_intent_classifier_source_statement(), 'texts'). Before, it cast the
-- recorded keys to the key column's type of now: after ALTER COLUMN ...
-- TYPE the queue failed with 22P02 until the next training, and a key of a
-- type without an equality operator (json) failed every call with 42883.
SET client_min_messages = warning;
SET pg_intent.allow_drop_with_data = on;
DROP EXTENSION IF EXISTS pg_intent CASCADE;
DROP TABLE IF EXISTS ss_raw, ss_rows;
CREATE EXTENSION pg_intent;
\i test/fixtures/try.sql

CREATE TABLE ss_raw (split text, text text, intent text);
\copy ss_raw FROM 'data/ecommerce_es.csv' WITH (FORMAT csv, HEADER true)
CREATE TABLE ss_rows AS
SELECT row_number() OVER (ORDER BY text, intent)::int AS id, text, intent FROM ss_raw;
ALTER TABLE ss_rows ADD COLUMN code text, ADD COLUMN doc json;
UPDATE ss_rows SET code = 'k' || id, doc = json_build_object('id', id);

-- Each queue row's text is its key's row's text.
CREATE FUNCTION pg_temp.queue(p_name text, p_key text) RETURNS TABLE (queue_rows bigint, texts_right boolean)
LANGUAGE plpgsql AS $$
BEGIN
    RETURN QUERY EXECUTE format(
        'SELECT count(*), bool_and(q.text IS NOT DISTINCT FROM s.text)
           FROM get_classifier_review_queue(%L, NULL, 10000) AS q
           LEFT JOIN ss_rows AS s ON s.%I::text = q.row_key', p_name, p_key);
END $$;

SELECT create_classifier('by_code', 'ss_rows', 'text', 'intent', '{"key_column": "code", "seed": 1}') ->> 'name' AS created;
SELECT create_classifier('by_id', 'ss_rows', 'text', 'intent', '{"key_column": "id", "seed": 1}') ->> 'name' AS created;
SELECT create_classifier('by_doc', 'ss_rows', 'text', 'intent', '{"key_column": "doc", "seed": 1}') ->> 'name' AS created;
SELECT train_classifier(c) ->> 'status' AS trained FROM unnest(ARRAY['by_code', 'by_id', 'by_doc']) AS c;

-- A json key: the queue reads its rows' texts (42883 before).
SELECT queue_rows > 0 AS has_rows, texts_right FROM pg_temp.queue('by_doc', 'doc');
SELECT queue_rows > 0 AS has_rows, texts_right FROM pg_temp.queue('by_id', 'id');

-- The key column's type changes, its values with it: the run's keys
-- ('k1', ...) name no row of the new type, so the queue has none of them
-- (22P02 before), until the next training.
ALTER TABLE ss_rows ALTER COLUMN code TYPE integer USING substr(code, 2)::integer;
SELECT pg_temp.try($$SELECT count(*) FROM get_classifier_review_queue('by_code', NULL, 10000)$$) AS after_retype;
SELECT queue_rows AS by_code_rows_after FROM pg_temp.queue('by_code', 'code');
-- A wider type keeps the values, and the queue its rows.
SELECT queue_rows AS by_id_before FROM pg_temp.queue('by_id', 'id') \gset
ALTER TABLE ss_rows ALTER COLUMN id TYPE bigint;
SELECT queue_rows = :by_id_before AS same_rows, texts_right FROM pg_temp.queue('by_id', 'id');
-- Trained again, the queue is the new keys'.
SELECT train_classifier('by_code') ->> 'status' AS retrained;
SELECT queue_rows > 0 AS has_rows, texts_right FROM pg_temp.queue('by_code', 'code');

-- Duplicate keys (the key_column has no unique constraint): a run trains
-- on every row and records a key's first row (src/pg/run_rows.cpp); the
-- queue shows no text for a key several rows hold, never another row's
-- beside the recorded label. Before, it showed whichever row of the key
-- the source returned last.
CREATE TABLE ss_dup AS SELECT id::int AS id, text, intent FROM ss_rows;
SELECT create_classifier('dup', 'ss_dup', 'text', 'intent', '{"key_column": "id", "seed": 1}') ->> 'name' AS created;
SELECT train_classifier('dup') ->> 'status' AS trained;
SELECT count(*) > 0 AS has_rows FROM get_classifier_review_queue('dup', NULL, 10000);
-- Each queue row's key given to a second row, with another text.
INSERT INTO ss_dup SELECT q.row_key::int, 'otra fila ' || q.row_key, 'thanks'
  FROM get_classifier_review_queue('dup', NULL, 10000) AS q;
SELECT count(*) AS queue_rows_shown, count(*) FILTER (WHERE q.text LIKE 'otra fila %') AS other_rows_text
  FROM get_classifier_review_queue('dup', NULL, 10000) AS q;

-- A column the count of new rows reads is dropped: the dashboards name it
-- as a training does, the classifier's label column (before: "column
-- t.intent does not exist", the statement's alias). retrain_classifiers()
-- too: below.
CREATE TABLE ss_gone AS SELECT id, text, intent FROM ss_rows;
SELECT create_classifier('gone', 'ss_gone', 'text', 'intent', '{"key_column": "id", "seed": 1}') ->> 'name' AS created;
SELECT train_classifier('gone') ->> 'status' AS trained;
ALTER TABLE ss_gone DROP COLUMN intent;
SELECT get_classifier_metrics('gone') ->> 'new_rows_unknown' AS metrics_says;
SELECT pg_temp.try($$SELECT train_classifier('gone')$$) AS training_says;


-- retrain_classifiers() names a column gone or retyped as the dashboards
-- and a training do, through the same check (_pg_intent_classifier_source_statement()):
-- a column its count reads (label, time) in the entry's error, not counted
-- (before: "column t.intent does not exist", its statement's alias; a
-- retyped time column was counted, and its training failed); any other
-- column (text, key, partition) in the error of the training it tries
-- once the classifier is due, as before. A dropped source as before.
CREATE FUNCTION pg_temp.shape(p_name text, p_options jsonb) RETURNS text LANGUAGE plpgsql AS $$
BEGIN
    EXECUTE format('CREATE TABLE %I AS SELECT id, text, intent, now() - interval ''1 day'' AS at,'
                   ' (id %% 2)::text AS part FROM ss_rows', 'ss_' || p_name);
    PERFORM create_classifier(p_name, 'ss_' || p_name, 'text', 'intent',
                              '{"key_column": "id", "seed": 1, "auto_retrain_threshold": 1}'::jsonb || p_options);
    RETURN train_classifier(p_name) ->> 'status';
END $$;
SELECT c AS shape, pg_temp.shape(c, o::jsonb) AS trained
  FROM (VALUES ('c_text', '{}'), ('c_key', '{}'), ('c_part', '{"partition_column": "part"}'),
               ('c_time', '{"time_column": "at"}'), ('c_label', '{}'), ('c_src', '{}')) AS v(c, o);
ALTER TABLE ss_c_text DROP COLUMN text;
ALTER TABLE ss_c_key DROP COLUMN id;
ALTER TABLE ss_c_part DROP COLUMN part;
ALTER TABLE ss_c_time ALTER COLUMN at TYPE text;
ALTER TABLE ss_c_label ALTER COLUMN intent TYPE integer USING length(intent);
DROP TABLE ss_c_src;
-- A new row each, so that each is due.
INSERT INTO ss_c_text (intent) VALUES ('thanks');
INSERT INTO ss_c_key (text, intent) VALUES ('gracias', 'thanks');
INSERT INTO ss_c_part (id, text, intent) VALUES (0, 'gracias', 'thanks');
INSERT INTO ss_c_time (id, text, intent, at) VALUES (0, 'gracias', 'thanks', now()::text);
INSERT INTO ss_c_label (id, text) VALUES (0, 'gracias');
SELECT e ->> 'classifier' AS classifier, e ->> 'retrained' AS retrained, e ->> 'reason' AS reason,
       (e -> 'error' ->> 'sqlstate') || ': ' || (e -> 'error' ->> 'message') AS retrain_says,
       (e -> 'error' ->> 'sqlstate') || ': ' || (e -> 'error' ->> 'message')
         = pg_temp.try(format('SELECT train_classifier(%L)', e ->> 'classifier')) AS as_training_says
  FROM jsonb_array_elements(retrain_classifiers() -> 'classifiers') AS e
 WHERE e ->> 'classifier' IN ('gone', 'c_text', 'c_key', 'c_part', 'c_time', 'c_label', 'c_src')
 ORDER BY 1;
-- The dashboards say the same of the columns the count reads.
SELECT c AS classifier, get_classifier_metrics(c) ->> 'new_rows_unknown' AS metrics_says
  FROM unnest(ARRAY['gone', 'c_time', 'c_label', 'c_src']) AS c ORDER BY 1;

SELECT drop_classifier(c, true) ->> 'classifier' AS dropped
  FROM unnest(ARRAY['by_code', 'by_id', 'by_doc', 'dup', 'gone', 'c_text', 'c_key', 'c_part', 'c_time', 'c_label', 'c_src']) AS c;
DROP TABLE ss_raw, ss_rows, ss_dup, ss_gone, ss_c_text, ss_c_key, ss_c_part, ss_c_time, ss_c_label;
