-- One training order for every classifier (issue 33, one engine): the rows
-- of every run reach the core in intent::compare_training_order() (text,
-- then label, in byte order; src/pg/train_reader.h, into_training_order()),
-- whether intent reads them from ai_training_data or a named classifier, one
-- of its partitions or its fallback from a source. The model bytes depend on
-- that order (folds, calibration, solvers), so the same labelled rows train
-- the same model bytes whichever classifier reads them and whatever order
-- they are stored or keyed in. Before 0.3.2 a named classifier gave them in
-- its read's order (reviewed first, newest first, key, text, label): each
-- comparison below was false.
SET client_min_messages = warning;
SET pg_intent.allow_drop_with_data = on; -- the previous test's rows go (src/pg/drop_guard.cpp)
DROP EXTENSION IF EXISTS pg_intent CASCADE;
DROP TABLE IF EXISTS to_raw, to_desc, to_mixed;
CREATE EXTENSION pg_intent;

-- data/clinc150_small.csv's train split (400 rows, 40 intents) and a few
-- more: an exact duplicate, a variant of a text in other letter case, and a
-- text given two labels; approved, so that intent trains on every row.
CREATE TABLE to_raw (split text, text text, intent text);
\copy to_raw FROM 'data/clinc150_small.csv' WITH (FORMAT csv, HEADER true)
DELETE FROM to_raw WHERE split <> 'train';
INSERT INTO to_raw VALUES
    ('train', 'can i make a reservation for redrobin', 'accept_reservations'),
    ('train', 'Can I make a reservation for RedRobin', 'accept_reservations'),
    ('train', 'the bill for water and electricity is how much', 'calories'),
    ('train', 'the bill for water and electricity is how much', 'bill_balance');
INSERT INTO ai_training_data (user_message, detected_intent, confidence_score, source, dataset_status)
SELECT text, intent, 100, 'imported', 'approved' FROM to_raw;

-- The same rows in two sources, keyed (and stored) in two other orders:
-- text descending; and a scramble. Every row reviewed. Each source holds
-- the rows twice, as partitions "a" and "b" of a partitioned classifier,
-- "b" in the reverse key order of "a".
CREATE TABLE to_desc (k bigint PRIMARY KEY, part text, msg text, label text, ok boolean);
INSERT INTO to_desc
SELECT row_number() OVER (ORDER BY p.part, CASE p.part WHEN 'a' THEN r.text END DESC, r.text, r.intent DESC),
       p.part, r.text, r.intent, true
  FROM to_raw AS r, (VALUES ('a'), ('b')) AS p(part);
CREATE TABLE to_mixed (k bigint PRIMARY KEY, part text, msg text, label text, ok boolean);
INSERT INTO to_mixed
SELECT row_number() OVER (ORDER BY md5(p.part || r.text || r.intent)), p.part, r.text, r.intent, true
  FROM to_raw AS r, (VALUES ('a'), ('b')) AS p(part)
 ORDER BY md5(r.text);

-- "plain" reads one partition's rows through a view: the rows of intent.
CREATE VIEW to_plain AS SELECT k, msg, label, ok FROM to_desc WHERE part = 'a';
SELECT create_classifier('plain', 'to_plain', 'msg', 'label', '{"key_column": "k", "reviewed_column": "ok"}')
       ->> 'name' AS created,
       create_classifier('shops', 'to_desc', 'msg', 'label',
                         '{"key_column": "k", "reviewed_column": "ok", "partition_column": "part",
                           "min_partition_rows": 10}') ->> 'name' AS created,
       create_classifier('shops_mixed', 'to_mixed', 'msg', 'label',
                         '{"key_column": "k", "reviewed_column": "ok", "partition_column": "part",
                           "min_partition_rows": 10}') ->> 'name' AS created;

SELECT train_intent_model('intent', 'full', '{"seed": 7, "deploy": "always"}') ->> 'status' AS intent,
       train_classifier('plain', 'plain', '{"seed": 7, "deploy": "always"}') ->> 'status' AS plain,
       train_classifier('shops', 'shops', '{"seed": 7, "deploy": "always"}') ->> 'status' AS shops,
       train_classifier('shops_mixed', 'shops_mixed', '{"seed": 7, "deploy": "always"}') ->> 'status' AS shops_mixed;

-- Each run's model: its classifier, partition ('' for none or the
-- fallback), rows trained and the sha256 of its bytes.
CREATE TEMP VIEW to_models AS
SELECT m.classifier, coalesce(m.partition_key, '') AS part, r.training_samples, m.sha256,
       encode(sha256(m.model), 'hex') AS bytes_sha256, r.intent_accuracy, r.intent_f1_score
  FROM ai_intent_models AS m JOIN ai_training_runs AS r ON r.id = m.run_id;
SELECT classifier, part, training_samples, sha256 = bytes_sha256 AS sha256_of_its_bytes
  FROM to_models ORDER BY classifier, part;

-- The classifier over intent's rows trains intent's model, byte for byte,
-- with the same run figures.
SELECT i.sha256 = p.sha256 AS plain_is_intent,
       i.intent_accuracy = p.intent_accuracy AND i.intent_f1_score = p.intent_f1_score AS same_figures
  FROM to_models AS i, to_models AS p
 WHERE i.classifier = 'intent' AND p.classifier = 'plain';
-- A partition's rows in either key order train one model (the partitions
-- hold the same rows in reverse key orders), and the same in another
-- source keyed otherwise. The fallback ('') trains over both partitions
-- under the rule of two partitions, another model than a partition's, but
-- the same one in either source. (Partitioned models normalise digits:
-- 399 entries, not 400.)
SELECT s.part, a.sha256 = s.sha256 AS same_as_partition_a, m.sha256 = s.sha256 AS same_in_the_other_source
  FROM to_models AS s
  JOIN to_models AS a ON a.classifier = 'shops' AND a.part = 'a'
  JOIN to_models AS m ON m.classifier = 'shops_mixed' AND m.part = s.part
 WHERE s.classifier = 'shops'
 ORDER BY s.part;

-- The run rows of "plain" answer as intent's, row for row (by text and
-- label; the duplicate row's answers are one entry's).
SELECT count(*) AS rows,
       count(*) FILTER (WHERE i.fold = p.fold AND i.predicted_intent = p.predicted_label
                          AND i.confidence = p.confidence
                          AND i.label_probability = p.label_probability) AS same_answers
  FROM (SELECT d.user_message AS text, rr.intent AS label, rr.fold, rr.predicted_intent, rr.confidence,
               rr.label_probability
          FROM ai_training_run_rows AS rr JOIN ai_training_data AS d ON d.id = rr.training_data_id) AS i
  JOIN (SELECT s.msg AS text, rr.label, rr.fold, rr.predicted_label, rr.confidence, rr.label_probability
          FROM ai_classifier_run_rows AS rr
          JOIN ai_training_runs AS r ON r.id = rr.run_id AND r.classifier = 'plain'
          JOIN to_desc AS s ON s.k::text = rr.row_key) AS p
    ON p.text = i.text AND p.label = i.label;

DROP EXTENSION pg_intent CASCADE;
DROP TABLE to_raw, to_desc, to_mixed CASCADE;
