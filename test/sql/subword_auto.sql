-- subword_vectors "auto", the default (0.3.2, issue 34 point 1): a run turns
-- the subword vectors on only when its labels are thin (fewer than
-- min_intent_rows rows per label) and the texts without a label it would
-- read are at least 10 times its labelled rows; everywhere else it trains
-- the option off's model, the same bytes. The run's metrics say which rule
-- applied (subword_auto). false forces off, true or an object forces on.
SET client_min_messages = warning;
SET pg_intent.allow_drop_with_data = on; -- the previous test's rows go (src/pg/drop_guard.cpp)
DROP EXTENSION IF EXISTS pg_intent CASCADE;
DROP TABLE IF EXISTS sa_msgs, sa_mix;
CREATE EXTENSION pg_intent;

\i test/fixtures/spanish_80.sql
-- Thin labels: 8 rows of each of the 4 intents (32 rows, 40 would be 10 per label).
DELETE FROM ai_training_data
 WHERE id NOT IN (SELECT id FROM (SELECT id, row_number() OVER (PARTITION BY detected_intent ORDER BY created_at) AS n
                                    FROM ai_training_data) AS t WHERE n <= 8);
UPDATE ai_training_data SET dataset_status = 'approved';
UPDATE ai_training_policy SET min_samples_for_training = 2;
SELECT count(*) AS labelled, count(DISTINCT training_label) AS labels FROM ai_training_data;

CREATE FUNCTION pg_temp.scans(p_sql text) RETURNS bigint LANGUAGE plpgsql AS $$
DECLARE
    v_before bigint := pg_stat_get_xact_numscans('ai_training_data'::regclass);
BEGIN
    EXECUTE p_sql;
    RETURN pg_stat_get_xact_numscans('ai_training_data'::regclass) - v_before;
END $$;
CREATE FUNCTION pg_temp.run(p_name text)
RETURNS TABLE (auto_on jsonb, reason_code jsonb, counted jsonb, weighed boolean, unlabelled jsonb, sha256 text)
LANGUAGE sql AS $$
    SELECT m.metrics #> '{subword_auto,on}', m.metrics #> '{subword_auto,reason_code}',
           m.metrics #> '{subword_auto,unlabelled_texts}', m.metrics ? 'subword_weight',
           r.metrics -> 'unlabelled_texts', m.sha256
      FROM ai_training_runs AS r JOIN ai_intent_models AS m ON m.run_id = r.id
     WHERE r.run_name = p_name
$$;
CREATE FUNCTION pg_temp.add_unlabelled(p_n int) RETURNS void LANGUAGE sql AS $$
    INSERT INTO ai_training_data (user_message, source, created_at)
    SELECT format('consulta %s sobre el pedido %s de la tienda', g, g * 13), 'live',
           timestamptz '2026-03-01 09:00' + g * interval '1 second'
      FROM generate_series(coalesce((SELECT count(*) FROM ai_training_data WHERE training_label IS NULL), 0) + 1,
                           coalesce((SELECT count(*) FROM ai_training_data WHERE training_label IS NULL), 0) + p_n) AS g
$$;

-- The default is shown, "auto" is a value of its own, others are refused.
SELECT intent_training_options('{}') -> 'subword_vectors' AS default_mode,
       intent_training_options('{"subword_vectors": "auto"}') -> 'subword_vectors' AS auto,
       intent_training_options('{"subword_vectors": false}') ? 'subword_vectors' AS false_shown;
SELECT intent_training_options('{"subword_vectors": "sometimes"}');

-- No text without a label: off, the option off's bytes.
SELECT train_intent_model('off_0', 'full', '{"subword_vectors": false, "deploy": "never"}') ->> 'status' AS off_0;
SELECT train_intent_model('auto_0', 'full', '{"deploy": "never"}') ->> 'status' AS auto_0;
SELECT a.auto_on, a.reason_code, a.counted, a.weighed, a.sha256 = o.sha256 AS same_bytes_as_off
  FROM pg_temp.run('auto_0') AS a, pg_temp.run('off_0') AS o;
-- 319 texts without a label, one fewer than 10 times the 32 rows: off.
SELECT pg_temp.add_unlabelled(319);
SELECT train_intent_model('auto_319', 'full', '{"deploy": "never"}') ->> 'status' AS auto_319;
SELECT a.auto_on, a.reason_code, a.counted, a.weighed, a.unlabelled, a.sha256 = o.sha256 AS same_bytes_as_off
  FROM pg_temp.run('auto_319') AS a, pg_temp.run('off_0') AS o;
-- 320: on, the vectors learn from the 320 texts (their weight chosen out of fold).
SELECT pg_temp.add_unlabelled(1);
SELECT train_intent_model('auto_320', 'full', '{"deploy": "never"}') ->> 'status' AS auto_320;
SELECT a.auto_on, a.reason_code, a.counted, a.weighed, a.unlabelled
  FROM pg_temp.run('auto_320') AS a;
SELECT metrics #>> '{subword_auto,reason}' AS reason FROM ai_training_runs WHERE run_name = 'auto_320';
-- The same as the option given with the automatic mode's settings.
SELECT train_intent_model('given_320', 'full', '{"subword_vectors": {"dim": 32, "epochs": 10}, "deploy": "never"}') ->> 'status' AS given_320;
SELECT a.sha256 = g.sha256 AS same_bytes_as_given FROM pg_temp.run('auto_320') AS a, pg_temp.run('given_320') AS g;
-- false forces off whatever the rows: the option off's bytes, no decision reported.
SELECT train_intent_model('off_320', 'full', '{"subword_vectors": false, "deploy": "never"}') ->> 'status' AS off_320;
SELECT f.auto_on, f.weighed, f.sha256 = o.sha256 AS same_bytes_as_off
  FROM pg_temp.run('off_320') AS f, pg_temp.run('off_0') AS o;
-- Labels that are not thin (min_intent_rows 3: 8 rows per label are enough):
-- off, and the texts without a label are not even scanned (one scan: the
-- training rows).
SELECT train_intent_model('off_min3', 'full', '{"subword_vectors": false, "min_intent_rows": 3, "deploy": "never"}') ->> 'status' AS off_min3;
BEGIN;
SELECT pg_temp.scans($$SELECT train_intent_model('auto_min3', 'full', '{"min_intent_rows": 3, "deploy": "never"}')$$) AS scans;
COMMIT;
SELECT a.auto_on, a.reason_code, a.counted, a.sha256 = o.sha256 AS same_bytes_as_off
  FROM pg_temp.run('auto_min3') AS a, pg_temp.run('off_min3') AS o;

-- The same rows give the same model however they were loaded: texts
-- without a label logged by one statement share their created_at, and their
-- ids are random, so the vectors learn them in the order of their contents
-- (newest first, then the text's bytes), never of their ids. Loaded twice,
-- in opposite orders, with new ids: the same bytes.
CREATE TEMP TABLE sa_order (load int, sha256 text);
DELETE FROM ai_training_data WHERE training_label IS NULL;
INSERT INTO ai_training_data (user_message, source, created_at)
SELECT format('consulta %s sobre el pedido %s de la tienda', g, g * 7), 'live', timestamptz '2026-04-01 10:00'
  FROM generate_series(1, 320) AS g ORDER BY g;
SELECT train_intent_model('order_1', 'full', '{"subword_vectors": {"dim": 4, "epochs": 1, "weight": 1}, "deploy": "never"}') ->> 'status' AS order_1;
INSERT INTO sa_order SELECT 1, sha256 FROM pg_temp.run('order_1');
DELETE FROM ai_training_data WHERE training_label IS NULL;
INSERT INTO ai_training_data (user_message, source, created_at)
SELECT format('consulta %s sobre el pedido %s de la tienda', g, g * 7), 'live', timestamptz '2026-04-01 10:00'
  FROM generate_series(320, 1, -1) AS g ORDER BY g DESC;
SELECT train_intent_model('order_2', 'full', '{"subword_vectors": {"dim": 4, "epochs": 1, "weight": 1}, "deploy": "never"}') ->> 'status' AS order_2;
INSERT INTO sa_order SELECT 2, sha256 FROM pg_temp.run('order_2');
SELECT (SELECT unlabelled FROM pg_temp.run('order_2')) AS unlabelled,
       count(DISTINCT sha256) AS distinct_models FROM sa_order;

-- A named classifier without partitions follows the same rule on its
-- source's rows whose label is NULL; a partitioned one never turns the
-- vectors on by itself (every tenant would carry megabytes of vectors):
-- neither its partitions nor its shared fallback read those texts.
CREATE TABLE sa_msgs (id bigserial PRIMARY KEY, shop text, msg text, label text);
INSERT INTO sa_msgs (shop, msg, label)
SELECT CASE WHEN n % 2 = 0 THEN 'a' ELSE 'b' END, user_message, training_label
  FROM (SELECT row_number() OVER (ORDER BY created_at, id) AS n, user_message, training_label
          FROM ai_training_data ORDER BY created_at, id) AS t;
SELECT count(*) FILTER (WHERE label IS NOT NULL) AS labelled, count(*) FILTER (WHERE label IS NULL) AS without_label
  FROM sa_msgs;
SELECT create_classifier('sa_plain', 'sa_msgs', 'msg', 'label', '{"key_column": "id"}') ->> 'name' AS created;
SELECT train_classifier('sa_plain', 'auto', '{"deploy": "never"}') ->> 'status' AS auto;
SELECT run_name, metrics #> '{subword_auto,on}' AS auto_on, metrics #> '{subword_auto,reason_code}' AS reason_code,
       metrics -> 'unlabelled_texts' AS unlabelled
  FROM ai_training_runs WHERE classifier = 'sa_plain';
SELECT create_classifier('sa_shops', 'sa_msgs', 'msg', 'label',
                         '{"key_column": "id", "partition_column": "shop", "min_partition_rows": 10}') ->> 'name' AS created;
SELECT train_classifier('sa_shops', 'auto', '{"deploy": "never"}') IS NOT NULL AS trained;
SELECT coalesce(partition_key, '(fallback)') AS partition, metrics #> '{subword_auto,on}' AS auto_on,
       metrics #> '{subword_auto,reason_code}' AS reason_code, metrics -> 'unlabelled_texts' AS unlabelled
  FROM ai_training_runs WHERE classifier = 'sa_shops' ORDER BY partition_key NULLS FIRST;

-- The rule counts the rows and labels the run trains on: with a
-- reviewed_column, those the policy's bounds on unreviewed labels leave
-- (min_unreviewed_intent_rows). Here 4 labels of 15 unreviewed rows, fewer
-- than the 20 a class needs, are left out, and the 32 reviewed rows of 4
-- labels are thin: the 320 texts without a label turn the vectors on.
-- (The read counted the 92 rows of 8 labels it read, not thin, and read no
-- text without a label, so the run counted 0 of them and stayed off.)
CREATE TABLE sa_mix (id bigserial PRIMARY KEY, msg text, label text, ok boolean);
INSERT INTO sa_mix (msg, label, ok) SELECT msg, label, label IS NOT NULL FROM sa_msgs ORDER BY id;
INSERT INTO sa_mix (msg, label, ok)
SELECT format('mensaje %s del tema %s sin revisar', g, t), 'tema_' || t, false
  FROM generate_series(1, 4) AS t, generate_series(1, 15) AS g;
SELECT create_classifier('sa_mix', 'sa_mix', 'msg', 'label',
                         '{"key_column": "id", "reviewed_column": "ok", "min_unreviewed_intent_rows": 20}') ->> 'name' AS created;
SELECT train_classifier('sa_mix', 'auto', '{"deploy": "never"}') ->> 'status' AS auto;
SELECT metrics #> '{subword_auto,on}' AS auto_on, metrics #> '{subword_auto,reason_code}' AS reason_code,
       metrics #> '{subword_auto,labelled_rows}' AS labelled_rows, metrics #> '{subword_auto,labels}' AS labels,
       metrics -> 'unlabelled_texts' AS unlabelled, metrics -> 'rows_skipped_rare_intent' AS rare
  FROM ai_training_runs WHERE classifier = 'sa_mix';

DROP EXTENSION pg_intent CASCADE;
DROP TABLE sa_msgs;
DROP TABLE sa_mix;
