-- A classifier's corrected rows (issue 33, one engine): its corrected_column
-- names a boolean column of the source, and the rows where it is true
-- reach the trainer as ai_training_data's rows with corrected_by_human do
-- (DataRow::corrected, filled by the classifier's reader): they weigh the
-- policy's corrected_weight, and a text with two labels of equal votes
-- trains the corrected one. So a classifier over ai_training_data's rows,
-- its corrections included, trains intent's model byte for byte. Before
-- 0.3.2 a named classifier had no corrected rows: corrected_weight did
-- nothing for it, and a tie went to the label first in byte order (the
-- option was an unknown training option, 22023).
SET client_min_messages = warning;
SET pg_intent.allow_drop_with_data = on; -- the previous test's rows go (src/pg/drop_guard.cpp)
DROP EXTENSION IF EXISTS pg_intent CASCADE;
DROP TABLE IF EXISTS cc_raw, cc_private;
DROP ROLE IF EXISTS pgi_cc_owner;
CREATE EXTENSION pg_intent;
\i test/fixtures/try.sql
GRANT EXECUTE ON FUNCTION pg_temp.try(text) TO PUBLIC;

-- data/clinc150_small.csv's train split (400 rows, 40 intents), approved;
-- then corrections: another row of an approved text ("... is how much",
-- bill_balance) whose label a person corrected (one vote each: intent
-- trains the corrected label, "calories", where byte order would take
-- "bill_balance"), and five rows
-- whose detected label a person corrected (weighing corrected_weight).
CREATE TABLE cc_raw (split text, text text, intent text);
\copy cc_raw FROM 'data/clinc150_small.csv' WITH (FORMAT csv, HEADER true)
DELETE FROM cc_raw WHERE split <> 'train';
INSERT INTO ai_training_data (user_message, detected_intent, confidence_score, source, dataset_status)
SELECT text, intent, 100, 'imported', 'approved' FROM cc_raw;
INSERT INTO ai_training_data (user_message, detected_intent, correct_intent, corrected_by_human, confidence_score,
                              dataset_status)
VALUES ('the bill for water and electricity is how much', 'bill_balance', 'calories', true, 90, 'reviewed');
INSERT INTO ai_training_data (user_message, detected_intent, correct_intent, corrected_by_human, confidence_score,
                              dataset_status)
SELECT r.text || ' please', 'bill_balance', r.intent, true, 90, 'reviewed'
  FROM cc_raw AS r ORDER BY r.text LIMIT 5;
SELECT count(*) FILTER (WHERE corrected_by_human) AS corrected, count(*) AS rows FROM ai_training_data;

-- The rows intent trains on, as a view: the corrected flag as it is
-- (cc_rows.fixed), and NULL where no person corrected the row
-- (cc_rows.fixed_or_null: NULL counts as not corrected).
CREATE VIEW cc_rows AS
SELECT d.id, d.user_message AS body, d.training_label AS label, d.is_reviewed AS vetted,
       d.corrected_by_human AS fixed, CASE WHEN d.corrected_by_human THEN true END AS fixed_or_null,
       d.confidence_score, CASE WHEN d.corrected_by_human THEN p.corrected_weight END::float8 AS w
  FROM ai_training_data AS d, ai_training_policy AS p
 WHERE d.training_label IS NOT NULL;
SELECT create_classifier('cc_fixed', 'cc_rows', 'body', 'label',
                         '{"key_column": "id", "reviewed_column": "vetted", "corrected_column": "fixed"}')
       ->> 'corrected_column' AS corrected_column,
       create_classifier('cc_null', 'cc_rows', 'body', 'label',
                         '{"reviewed_column": "vetted", "corrected_column": "fixed_or_null"}')
       ->> 'corrected_column' AS corrected_column,
       create_classifier('cc_plain', 'cc_rows', 'body', 'label', '{"reviewed_column": "vetted"}')
       ->> 'corrected_column' AS no_corrected_column,
       create_classifier('cc_weighted', 'cc_rows', 'body', 'label', '{"reviewed_column": "vetted", "weight_column": "w"}')
       ->> 'corrected_column' AS no_corrected_column;

SELECT train_intent_model('intent', 'full', '{"seed": 7, "deploy": "always"}') ->> 'status' AS intent,
       train_classifier('cc_fixed', 'cc_fixed', '{"seed": 7, "deploy": "always"}') ->> 'status' AS cc_fixed,
       train_classifier('cc_null', 'cc_null', '{"seed": 7, "deploy": "always"}') ->> 'status' AS cc_null,
       train_classifier('cc_plain', 'cc_plain', '{"seed": 7, "deploy": "always"}') ->> 'status' AS cc_plain,
       train_classifier('cc_weighted', 'cc_weighted', '{"seed": 7, "deploy": "always"}') ->> 'status' AS cc_weighted;

CREATE TEMP VIEW cc_models AS
SELECT m.classifier, m.sha256, encode(sha256(m.model), 'hex') AS bytes_sha256, r.training_samples,
       r.intent_accuracy, r.intent_f1_score, r.metrics
  FROM ai_intent_models AS m JOIN ai_training_runs AS r ON r.id = m.run_id;
SELECT classifier, training_samples, sha256 = bytes_sha256 AS sha256_of_its_bytes,
       (metrics ->> 'conflicts_resolved')::int AS conflicts_resolved
  FROM cc_models ORDER BY classifier;

-- With its corrected rows, the classifier trains intent's model, byte for
-- byte, with the same figures. Without them, another model: cc_plain
-- weighs them 1; cc_weighted gives them corrected_weight through its
-- weight_column (what 0.3.2 before this advised), and still trains
-- another model: the conflict's tie goes to "bill_balance", first in byte
-- order, where intent and the corrected_column train "calories".
SELECT c.classifier, i.sha256 = c.sha256 AS same_model_as_intent,
       i.intent_accuracy = c.intent_accuracy AND i.intent_f1_score = c.intent_f1_score AS same_figures
  FROM cc_models AS i, cc_models AS c
 WHERE i.classifier = 'intent' AND c.classifier <> 'intent'
 ORDER BY c.classifier;

-- The column is checked as the others: it must exist (42703), be a
-- boolean (42804) and be named by a string (22023); alter_classifier()
-- checks it alike, and null removes it.
SELECT pg_temp.try($$SELECT create_classifier('cc_bad', 'cc_rows', 'body', 'label', '{"corrected_column": "nope"}')$$) AS missing;
SELECT pg_temp.try($$SELECT create_classifier('cc_bad', 'cc_rows', 'body', 'label', '{"corrected_column": "label"}')$$) AS text_column;
SELECT pg_temp.try($$SELECT create_classifier('cc_bad', 'cc_rows', 'body', 'label', '{"corrected_column": "confidence_score"}')$$) AS number_column;
SELECT pg_temp.try($$SELECT create_classifier('cc_bad', 'cc_rows', 'body', 'label', '{"corrected_column": true}')$$) AS not_a_name;
SELECT pg_temp.try($$SELECT alter_classifier('cc_plain', '{"corrected_column": "body"}')$$) AS alter_text_column;
SELECT alter_classifier('cc_plain', '{"corrected_column": "fixed"}') ->> 'corrected_column' AS altered,
       alter_classifier('cc_plain', '{"corrected_column": null}') ? 'corrected_column' AS still_has_one;
-- Read with the owner's rights as the other columns: a role that may read
-- the text and the label but not the corrected column is refused (42501).
CREATE ROLE pgi_cc_owner;
SELECT count(*) > 0 AS granted FROM grant_intent_access('pgi_cc_owner', 'classifiers');
CREATE TABLE cc_private (body text, label text, fixed boolean);
GRANT SELECT (body, label) ON cc_private TO pgi_cc_owner;
SET ROLE pgi_cc_owner;
SELECT pg_temp.try($$SELECT create_classifier('cc_private', 'cc_private', 'body', 'label', '{"corrected_column": "fixed"}')$$) AS unreadable;
SELECT pg_temp.try($$SELECT create_classifier('cc_private', 'cc_private', 'body', 'label')$$) AS without_it;
RESET ROLE;
SELECT name, corrected_column FROM ai_classifiers ORDER BY name;
-- The corrected_column is part of the definition a transaction judges
-- rights on (_pg_intent_classifier_is_judged()) and what train_classifier()
-- reads (_pg_intent_classifier_columns()).
SELECT intent_internal._pg_intent_classifier_columns(c) ->> 'corrected_column' AS in_the_definition
  FROM ai_classifiers AS c WHERE c.name = 'cc_fixed';

SELECT drop_classifier('cc_private') IS NOT NULL AS dropped;
DROP EXTENSION pg_intent CASCADE;
DROP TABLE cc_raw, cc_private;
DROP ROLE pgi_cc_owner;
