-- One engine: a classifier over exactly the rows of ai_training_data reads,
-- leaves out, cuts and counts them as train_intent_model() does, through
-- the same functions (ARCHITECTURE.md, "Where each rule lives"). The
-- classifier reads a view of ai_training_data: its training label, its
-- review state, its time and, as weight, the policy's corrected_weight
-- for the rows a person corrected.
SET client_min_messages = warning;
SET pg_intent.allow_drop_with_data = on; -- the previous test's rows go (src/pg/drop_guard.cpp)
DROP EXTENSION IF EXISTS pg_intent CASCADE;
DROP VIEW IF EXISTS conf_rows;
CREATE EXTENSION pg_intent;

-- Reviewed rows of three labels; a duplicate and a conflict; rows a person
-- corrected; a rejected row.
INSERT INTO ai_training_data (user_message, detected_intent, confidence_score, dataset_status, created_at)
SELECT format('mensaje %s sobre %s número %s', n, l, n % 7), l, 90, 'approved', now() - n * interval '1 minute'
  FROM generate_series(1, 72) AS n, LATERAL (SELECT (ARRAY['pedido', 'envio', 'factura'])[1 + n % 3] AS l) AS x;
INSERT INTO ai_training_data (user_message, detected_intent, confidence_score, dataset_status)
VALUES ('mensaje 1 sobre envio número 1', 'envio', 90, 'approved'),
       ('texto en conflicto', 'pedido', 90, 'approved'), ('texto en conflicto', 'envio', 90, 'approved'),
       ('rechazado', 'pedido', 90, 'rejected');
INSERT INTO ai_training_data (user_message, detected_intent, correct_intent, corrected_by_human, confidence_score, dataset_status)
SELECT 'corregido ' || n, 'pedido', 'factura', true, 90, 'reviewed' FROM generate_series(1, 5) AS n;
-- Unreviewed rows longer than max_unreviewed_message_bytes (2048): four of
-- a real label, which train cut; five of labels of one row each, which
-- min_unreviewed_intent_rows leaves out: a text that does not train is not
-- counted as cut (the classifier counted it: 9 against intent's 4).
INSERT INTO ai_training_data (user_message, detected_intent, confidence_score, dataset_status)
SELECT 'factura larga ' || n || repeat(' x', 3000), 'factura', 90, 'pending' FROM generate_series(1, 4) AS n;
INSERT INTO ai_training_data (user_message, detected_intent, confidence_score, dataset_status)
SELECT 'raro ' || n || repeat(' y', 3000), 'raro_' || n, 90, 'pending' FROM generate_series(1, 5) AS n;

CREATE VIEW conf_rows AS
SELECT d.id, d.user_message AS body, d.training_label AS label, d.is_reviewed AS vetted, d.created_at,
       CASE WHEN d.corrected_by_human THEN p.corrected_weight END::float8 AS w
  FROM ai_training_data AS d, ai_training_policy AS p
 WHERE d.training_label IS NOT NULL;
SELECT create_classifier('conf', 'conf_rows', 'body', 'label',
       '{"key_column": "id", "reviewed_column": "vetted", "weight_column": "w", "seed": 1}') IS NOT NULL AS created;
SELECT t ->> 'status' AS status FROM train_intent_model('conf intent', 'full', '{"seed": 1}') AS t;
SELECT t ->> 'status' AS status FROM train_classifier('conf', 'conf classifier') AS t;

-- Every count of rows a run reports, on both paths: the same.
WITH runs AS (
    SELECT (SELECT metrics FROM ai_training_runs WHERE run_name = 'conf intent') AS i,
           (SELECT metrics FROM ai_training_runs WHERE run_name = 'conf classifier') AS c)
SELECT k AS count, i -> k AS intent, c -> k AS classifier, (i -> k) IS NOT DISTINCT FROM (c -> k) AS same
  FROM runs, (SELECT DISTINCT k FROM runs, jsonb_object_keys(i || c) AS k) AS keys
 WHERE k ~ '^(rows_|messages_)' OR k IN ('input_rows', 'usable_rows', 'duplicates_removed', 'conflicts_resolved',
                                         'empty_removed', 'in_scope_rows', 'training_samples', 'total_intents')
 ORDER BY k;
-- The keys one path's report has and the other's has not: the classifier's
-- own (docs/classifiers.md: the gate's rule, the key column, what its policy
-- allowed, the count retraining compares with).
WITH runs AS (
    SELECT (SELECT metrics FROM ai_training_runs WHERE run_name = 'conf intent') AS i,
           (SELECT metrics FROM ai_training_runs WHERE run_name = 'conf classifier') AS c)
SELECT k AS key, i ? k AS intent, c ? k AS classifier
  FROM runs, (SELECT DISTINCT k FROM runs, jsonb_object_keys(i || c) AS k) AS keys
 WHERE (i ? k) <> (c ? k)
 ORDER BY k;

DROP EXTENSION pg_intent CASCADE;
DROP VIEW IF EXISTS conf_rows;
