-- The texts without a label (issue 34, point 1): with subword_vectors on,
-- train_intent_model() adds the texts of the ai_training_data rows that do
-- not train (training_label NULL, rejected rows aside) to those the vectors
-- learn from, never a label: the newest subword_vectors.unlabelled_rows of
-- them, subword_vectors.unlabelled_bytes together, each read as an
-- unreviewed message. The run's report counts them (unlabelled_texts).
-- Off, nothing of them is read and the model's bytes do not depend on them.
SET client_min_messages = warning;
SET pg_intent.allow_drop_with_data = on; -- the previous test's rows go (src/pg/drop_guard.cpp)
DROP EXTENSION IF EXISTS pg_intent CASCADE;
DROP TABLE IF EXISTS su_msgs;
CREATE EXTENSION pg_intent;

\i test/fixtures/spanish_80.sql
-- Reviewed, so that the policy's bound on unreviewed rows below bounds the
-- texts without a label only.
UPDATE ai_training_data SET dataset_status = 'approved';

-- The scans of ai_training_data a statement makes (this transaction's
-- counter), and a run's report and model.
CREATE FUNCTION pg_temp.scans(p_sql text) RETURNS bigint LANGUAGE plpgsql AS $$
DECLARE
    v_before bigint := pg_stat_get_xact_numscans('ai_training_data'::regclass);
BEGIN
    EXECUTE p_sql;
    RETURN pg_stat_get_xact_numscans('ai_training_data'::regclass) - v_before;
END $$;
CREATE FUNCTION pg_temp.run(p_name text) RETURNS TABLE (unlabelled jsonb, left_out jsonb, format text, sha256 text)
LANGUAGE sql AS $$
    SELECT r.metrics -> 'unlabelled_texts', r.metrics -> 'unlabelled_texts_left_out',
           intent_model_info(m.model) ->> 'format_version', m.sha256
      FROM ai_training_runs AS r JOIN ai_intent_models AS m ON m.run_id = r.id
     WHERE r.run_name = p_name
$$;

-- Before any row without a label: a run with the option, and one without.
SELECT train_intent_model('off_0', 'full', '{"deploy": "never"}') ->> 'status' AS off_0;
SELECT train_intent_model('on_0', 'full', '{"subword_vectors": {"weight": 2}, "deploy": "never"}') ->> 'status' AS on_0;
SELECT train_intent_model('none_0', 'full', '{"subword_vectors": {"unlabelled_rows": 0, "weight": 2}, "deploy": "never"}') ->> 'status' AS none_0;

-- Rows without a label: 40 logged messages (no detected intent), one judged
-- wrong with no correction, and two rejected ones, which are never read.
INSERT INTO ai_training_data (user_message, confidence_score, source, created_at)
SELECT format('mensaje %s sobre la devolución de mi pedido número %s', g, g * 7), 0, 'live',
       timestamptz '2026-03-01 09:00' + g * interval '1 minute'
  FROM generate_series(1, 40) AS g;
INSERT INTO ai_training_data (user_message, detected_intent, intent_correct, confidence_score, created_at)
VALUES ('la talla del abrigo no corresponde', 'payment_issue', false, 50, timestamptz '2026-03-02 09:00');
INSERT INTO ai_training_data (user_message, dataset_status, created_at)
VALUES ('spam spam spam', 'rejected', timestamptz '2026-03-03 09:00'),
       ('más spam', 'rejected', timestamptz '2026-03-03 09:01');
SELECT count(*) FILTER (WHERE training_label IS NULL) AS without_label,
       count(*) FILTER (WHERE training_label IS NULL AND dataset_status <> 'rejected') AS read
  FROM ai_training_data;

-- Off: one scan of the table (the training rows), no count in the report,
-- format 3, the same bytes as before the rows without a label.
BEGIN;
SELECT pg_temp.scans($$SELECT train_intent_model('off_1', 'full', '{"deploy": "never"}')$$) AS scans_off;
COMMIT;
SELECT o1.unlabelled IS NULL AS no_count, o1.format, o1.sha256 = o0.sha256 AS same_bytes
  FROM pg_temp.run('off_1') AS o1, pg_temp.run('off_0') AS o0;

-- On: a second scan, the 41 texts counted, another model than without them.
BEGIN;
SELECT pg_temp.scans($$SELECT train_intent_model('on_1', 'full', '{"subword_vectors": {"weight": 2}, "deploy": "never"}')$$) AS scans_on;
COMMIT;
SELECT n0.unlabelled AS before, n1.unlabelled AS after, n1.left_out, n1.format,
       n1.sha256 <> n0.sha256 AS other_model
  FROM pg_temp.run('on_1') AS n1, pg_temp.run('on_0') AS n0;
-- The same rows train the same bytes.
SELECT train_intent_model('on_2', 'full', '{"subword_vectors": {"weight": 2}, "deploy": "never"}') ->> 'status' AS on_2;
SELECT n2.sha256 = n1.sha256 AS same_bytes FROM pg_temp.run('on_2') AS n2, pg_temp.run('on_1') AS n1;

-- The bounds: the newest 10 rows; 200 bytes of texts together; the
-- policy's max_unreviewed_rows below the option. What they leave out is
-- counted, and the run completes.
SELECT train_intent_model('rows_10', 'full', '{"subword_vectors": {"unlabelled_rows": 10, "weight": 2}, "deploy": "never"}') ->> 'status' AS rows_10;
SELECT unlabelled, left_out FROM pg_temp.run('rows_10');
SELECT train_intent_model('bytes_200', 'full', '{"subword_vectors": {"unlabelled_bytes": 200, "weight": 2}, "deploy": "never"}') ->> 'status' AS bytes_200;
SELECT unlabelled, left_out FROM pg_temp.run('bytes_200');
UPDATE ai_training_policy SET max_unreviewed_rows = 3;
SELECT train_intent_model('policy_3', 'full', '{"subword_vectors": {"weight": 2}, "deploy": "never"}') ->> 'status' AS policy_3;
SELECT unlabelled, left_out FROM pg_temp.run('policy_3');
UPDATE ai_training_policy SET max_unreviewed_rows = DEFAULT;
-- 0 rows: nothing read.
BEGIN;
SELECT pg_temp.scans($$SELECT train_intent_model('rows_0', 'full', '{"subword_vectors": {"unlabelled_rows": 0, "weight": 2}, "deploy": "never"}')$$) AS scans_rows_0;
COMMIT;
SELECT r0.unlabelled, r0.sha256 = n0.sha256 AS same_as_without_rows
  FROM pg_temp.run('rows_0') AS r0, pg_temp.run('none_0') AS n0;
-- Each text is read on its first max_unreviewed_message_bytes: a 100 kB
-- message costs 64 bytes of the budget (here the whole 64-byte budget).
INSERT INTO ai_training_data (user_message, created_at)
VALUES (repeat('largo ', 20000), timestamptz '2026-04-01 09:00');
UPDATE ai_training_policy SET max_unreviewed_message_bytes = 64;
SELECT train_intent_model('long', 'full', '{"subword_vectors": {"unlabelled_bytes": 64, "weight": 2}, "deploy": "never"}') ->> 'status' AS long;
SELECT unlabelled, left_out FROM pg_temp.run('long');
UPDATE ai_training_policy SET max_unreviewed_message_bytes = DEFAULT;

-- The settings are shown with the others, and checked.
SELECT intent_training_options('{"subword_vectors": {"unlabelled_rows": 100, "unlabelled_bytes": 1000}}') #> '{subword_vectors}' AS effective;
SELECT intent_training_options('{"subword_vectors": {"unlabelled_rows": -1}}');
SELECT intent_training_options('{"subword_vectors": {"unlabelled_bytes": 268435457}}');

-- A named classifier: its source's rows that train under no label (here
-- NULL; '' and a label is_valid_intent_name() refuses too, as intent's:
-- test/sql/label_rule_conformance.sql), read as its owner with the
-- labelled ones. Without partitions, all of them; with a
-- partition_column, each partition's run gets its own, the shared fallback
-- none (one tenant's unlabelled words stay out of the model every tenant is
-- served).
CREATE TABLE su_msgs (id bigserial PRIMARY KEY, shop text, msg text, label text);
INSERT INTO su_msgs (shop, msg, label)
SELECT CASE WHEN n % 2 = 0 THEN 'a' ELSE 'b' END, user_message, training_label
  FROM (SELECT row_number() OVER (ORDER BY created_at, id) AS n, user_message, training_label
          FROM ai_training_data WHERE training_label IS NOT NULL) AS t;
INSERT INTO su_msgs (shop, msg, label)
SELECT CASE WHEN g <= 6 THEN 'a' WHEN g <= 10 THEN 'b' END, format('pregunta %s sobre mi compra', g), NULL
  FROM generate_series(1, 12) AS g;
SELECT create_classifier('su_plain', 'su_msgs', 'msg', 'label', '{"key_column": "id"}') ->> 'name' AS created;
SELECT train_classifier('su_plain', 'off', '{"deploy": "never"}') ->> 'status' AS off;
SELECT train_classifier('su_plain', 'on', '{"subword_vectors": {"weight": 2}, "deploy": "never"}') ->> 'status' AS on;
SELECT run_name, metrics -> 'unlabelled_texts' AS unlabelled
  FROM ai_training_runs WHERE classifier = 'su_plain' ORDER BY run_name;
SELECT create_classifier('su_shops', 'su_msgs', 'msg', 'label',
                         '{"key_column": "id", "partition_column": "shop", "min_partition_rows": 20}') ->> 'name' AS created;
-- The first 8 texts in the key's order: shop a's 6 and two of b's. What
-- the bound leaves out is counted (0.3.2: before, the read stopped at the
-- bound and counted none): b's last 2 in its run's, and those 2 with the 2
-- of no shop in the fallback's, which reads every row.
SELECT train_classifier('su_shops', 'on', '{"subword_vectors": {"unlabelled_rows": 8, "weight": 2}, "deploy": "never"}') IS NOT NULL AS trained;
SELECT coalesce(partition_key, '(fallback)') AS partition, metrics -> 'unlabelled_texts' AS unlabelled,
       metrics -> 'unlabelled_texts_left_out' AS left_out
  FROM ai_training_runs WHERE classifier = 'su_shops' ORDER BY partition_key NULLS FIRST;
-- The shared fallback learns no subword vectors (its word list would keep
-- words only one shop's texts hold, which min_feature_partitions keeps out
-- of its vocabulary): it is the model the option off trains, format 3, and
-- its report says why; the shops' own models have their vectors.
SELECT coalesce(r.partition_key, '(fallback)') AS partition,
       intent_model_info(m.model) ->> 'format_version' AS format_version,
       r.metrics #>> '{subword_weight,reason}' AS subword
  FROM ai_training_runs AS r JOIN ai_intent_models AS m ON m.id = r.model_id
 WHERE r.classifier = 'su_shops' ORDER BY r.partition_key NULLS FIRST;
-- The HTML report says how the subword block was weighted, where the figures
-- are explained; a run with the option off says nothing of it.
SELECT run_name,
       substring(training_report(id, 'html') FROM '<dt>Subword vectors</dt><dd>[^<]*<b>[^<]*</b>[^<:]*') AS subword_line
  FROM ai_training_runs WHERE classifier = 'su_plain' ORDER BY run_name;
