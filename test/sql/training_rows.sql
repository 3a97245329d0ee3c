-- One definition of a training row: a fixture of every edge case of a label
-- and of a review, run through every consumer (the C reader of a training
-- run and its counters, get_training_dataset(), the usable sample count of
-- should_retrain() and ai_metric_alerts, the export, ai_intent_performance,
-- approval), which must agree row by row, with each option that chooses rows
-- (only_reviewed, min_confidence at its boundary). Then the writers (the label rule
-- as CHECK constraints and in record_interaction(), as a role with the
-- README's logging grant only) and the policy's bounds on unreviewed rows.
SET client_min_messages = warning;
SET pg_intent.allow_drop_with_data = on; -- the previous test's rows go (src/pg/drop_guard.cpp)
DROP EXTENSION IF EXISTS pg_intent CASCADE;
CREATE EXTENSION pg_intent;

\i test/fixtures/try.sql
\i test/fixtures/legacy_rows.sql
\i test/fixtures/spanish_100.sql

-- The rule itself.
SELECT n AS name, is_valid_intent_name(n) AS valid
  FROM unnest(ARRAY[NULL, '', ' ', E'\t', ' x', 'x ', E'x\n', E'a\tb', E'a\u007fb', 'uncertain', 'uncertain ',
                    'Uncertain', 'out_of_scope', 'devolución', 'a b', repeat('z', 256), repeat('z', 257),
                    repeat('ñ', 128), repeat('ñ', 129)]) WITH ORDINALITY AS t(n, i)
 ORDER BY i;

-- Background rows that train (100 rows, 4 intents, none reviewed, and 20
-- reviewed), so that every run below has enough data.
SELECT pg_temp.add_samples(ARRAY['los zapatos', 'la camiseta', 'el vestido', 'la chaqueta', 'el bolso']) AS added;
SELECT pg_temp.add_samples(ARRAY['la gorra'], true) AS added_reviewed;
-- Every label is a class here, however few rows it has (the policy's floor
-- for unreviewed labels is tested further down).
UPDATE ai_training_policy SET min_unreviewed_intent_rows = 1;

-- The fixture, with what each row must be: its training label (NULL: it
-- does not train) and whether a person vouched for it. The labels 0.2.0
-- accepted and 0.2.1's constraints refuse are stored as an upgraded database
-- may hold them (test/fixtures/legacy_rows.sql).
CREATE TEMP TABLE fx (tag text PRIMARY KEY, detected text, correct text, confidence integer,
                      intent_correct boolean, corrected boolean, status text,
                      expect_label text, expect_reviewed boolean);
INSERT INTO fx VALUES
    ('blank',                  ' ',                NULL,          90, NULL,  false, 'pending',  NULL,            false),
    ('tab',                    E'\t',              NULL,          90, NULL,  false, 'pending',  NULL,            false),
    ('leading space',          ' saludo',          NULL,          90, NULL,  false, 'pending',  NULL,            false),
    ('trailing space',         'saludo ',          NULL,          90, NULL,  false, 'pending',  NULL,            false),
    ('newline inside',         E'sal\nudo',        NULL,          90, NULL,  false, 'pending',  NULL,            false),
    ('uncertain',              'uncertain',        NULL,          90, NULL,  false, 'pending',  NULL,            false),
    ('uncertain padded',       'uncertain ',       NULL,          90, NULL,  false, 'pending',  NULL,            false),
    ('257 bytes',              repeat('y', 257),   NULL,          90, NULL,  false, 'pending',  NULL,            false),
    ('256 bytes',              repeat('z', 256),   NULL,          90, NULL,  false, 'pending',  repeat('z', 256), false),
    ('empty (0.2.0)',          '',                 NULL,          90, NULL,  false, 'pending',  NULL,            false),
    ('no label',               NULL,               NULL,          90, NULL,  false, 'pending',  NULL,            false),
    ('judged wrong',           'product_info',     NULL,          90, false, false, 'reviewed', NULL,            true),
    ('judged right',           'product_info',     NULL,          90, true,  false, 'reviewed', 'product_info',  true),
    ('corrected',              'product_info',     'payment_issue', 90, false, true, 'reviewed', 'payment_issue', true),
    ('corrected, empty (0.2.0)', 'product_info',   '',            90, NULL,  false, 'pending',  'product_info',  false),
    ('correction invalid',     'product_info',     'uncertain ',  90, false, true,  'reviewed', NULL,            true),
    ('null detected, corrected', NULL,             'return_process', 90, false, true, 'reviewed', 'return_process', true),
    ('rejected',               'product_info',     NULL,          90, NULL,  false, 'rejected', NULL,            false),
    ('rejected, reviewed',     'product_info',     NULL,          90, true,  false, 'rejected', NULL,            true),
    ('approved',               'payment_issue',    NULL,          20, NULL,  false, 'approved', 'payment_issue', true),
    ('reviewed status',        'payment_issue',    NULL,          20, NULL,  false, 'reviewed', 'payment_issue', true),
    ('used in training',       'payment_issue',    NULL,          90, NULL,  false, 'used_in_training', 'payment_issue', false),
    ('low confidence',         'shipping_problem', NULL,          10, NULL,  false, 'pending',  'shipping_problem', false),
    ('no confidence',          'product_info',     NULL,          NULL, NULL, false, 'pending', 'product_info',  false),
    ('out of scope',           'out_of_scope',     NULL,          90, NULL,  false, 'pending',  'out_of_scope',  false),
    ('unicode',                'devolución',       NULL,          90, NULL,  false, 'pending',  'devolución',    false);
SELECT pg_temp.as_before_0_2_1($$
    INSERT INTO ai_training_data (user_message, detected_intent, correct_intent, confidence_score, intent_correct,
                                  corrected_by_human, dataset_status)
    SELECT 'fx: ' || tag, detected, correct, confidence, intent_correct, corrected, status FROM fx
$$);
CREATE TEMP VIEW fx_rows AS
SELECT f.*, d.id FROM fx AS f JOIN ai_training_data AS d ON d.user_message = 'fx: ' || f.tag;

-- The stored definition is the fixture's.
SELECT f.tag FROM fx_rows AS f JOIN ai_training_data AS d ON d.id = f.id
 WHERE d.training_label IS DISTINCT FROM f.expect_label OR d.is_reviewed IS DISTINCT FROM f.expect_reviewed;

-- Every consumer, row by row.
SELECT (train_intent_model('every row', 'full', '{"deploy": "never", "seed": 1}') ->> 'run_id')::uuid AS run \gset
SELECT (train_intent_model('reviewed rows', 'full', '{"deploy": "never", "seed": 1, "only_reviewed": true}') ->> 'run_id')::uuid AS reviewed_run \gset
-- min_confidence at the confidence most rows have (90): a row at the
-- threshold trains, an unreviewed row below it or without a confidence does
-- not, a reviewed row does whatever its confidence.
SELECT (train_intent_model('confident rows', 'full', '{"deploy": "never", "seed": 1, "min_confidence": 90}') ->> 'run_id')::uuid AS confident_run \gset
CREATE TEMP TABLE consumers AS
SELECT f.tag, f.expect_label, f.expect_reviewed, f.confidence,
       (SELECT rr.intent FROM ai_training_run_rows AS rr WHERE rr.run_id = :'run' AND rr.training_data_id = f.id) AS trained,
       (SELECT g.intent FROM get_training_dataset() AS g WHERE g.id = f.id) AS dataset,
       (SELECT e::jsonb ->> 'intent' FROM export_training_dataset('jsonl') AS e WHERE (e::jsonb ->> 'id')::uuid = f.id) AS exported,
       (SELECT rr.intent FROM ai_training_run_rows AS rr WHERE rr.run_id = :'reviewed_run' AND rr.training_data_id = f.id) AS trained_reviewed,
       (SELECT g.intent FROM get_training_dataset(p_only_reviewed => true) AS g WHERE g.id = f.id) AS dataset_reviewed,
       (SELECT e::jsonb ->> 'intent' FROM export_training_dataset('jsonl', 0, true) AS e WHERE (e::jsonb ->> 'id')::uuid = f.id) AS exported_reviewed,
       (SELECT rr.intent FROM ai_training_run_rows AS rr WHERE rr.run_id = :'confident_run' AND rr.training_data_id = f.id) AS trained_confident,
       (SELECT g.intent FROM get_training_dataset(p_min_confidence => 90) AS g WHERE g.id = f.id) AS dataset_confident,
       (SELECT e::jsonb ->> 'intent' FROM export_training_dataset('jsonl', 90) AS e WHERE (e::jsonb ->> 'id')::uuid = f.id) AS exported_confident
  FROM fx_rows AS f;
SELECT tag, left(expect_label, 16) AS label, expect_reviewed AS reviewed,
       trained IS NOT DISTINCT FROM expect_label AS trained,
       dataset IS NOT DISTINCT FROM expect_label AS dataset,
       exported IS NOT DISTINCT FROM expect_label AS exported,
       trained_reviewed IS NOT DISTINCT FROM CASE WHEN expect_reviewed THEN expect_label END AS trained_rev,
       dataset_reviewed IS NOT DISTINCT FROM CASE WHEN expect_reviewed THEN expect_label END AS dataset_rev,
       exported_reviewed IS NOT DISTINCT FROM CASE WHEN expect_reviewed THEN expect_label END AS exported_rev,
       trained_confident IS NOT DISTINCT FROM CASE WHEN expect_reviewed OR coalesce(confidence, 0) >= 90 THEN expect_label END AS trained_conf,
       dataset_confident IS NOT DISTINCT FROM CASE WHEN expect_reviewed OR coalesce(confidence, 0) >= 90 THEN expect_label END AS dataset_conf,
       exported_confident IS NOT DISTINCT FROM CASE WHEN expect_reviewed OR coalesce(confidence, 0) >= 90 THEN expect_label END AS exported_conf
  FROM consumers ORDER BY tag;

-- The run's counters: the rows left out for their label, by why.
-- (The rows whose label the rule refuses, neither rejected nor judged wrong
-- without a correction: by length, or otherwise.)
CREATE TEMP VIEW fx_invalid AS
SELECT octet_length(l.label) > 256 AS long, count(*) AS n
  FROM fx AS f, LATERAL (SELECT coalesce(nullif(f.correct, ''), nullif(f.detected, '')) AS label) AS l
 WHERE f.status <> 'rejected' AND NOT (f.intent_correct IS FALSE AND nullif(f.correct, '') IS NULL)
   AND NOT is_valid_intent_name(l.label)
 GROUP BY 1;
SELECT r.status, r.metrics -> 'rows_skipped_long_label' AS long_label,
       (SELECT n FROM fx_invalid WHERE long) AS fixture_long,
       r.metrics -> 'rows_skipped_invalid_label' AS invalid_label,
       (SELECT n FROM fx_invalid WHERE NOT long) AS fixture_invalid
  FROM ai_training_runs AS r WHERE r.id IN (:'run', :'reviewed_run', :'confident_run') ORDER BY r.started_at;

-- The whole dataset, not only the fixture: the run, get_training_dataset(),
-- the usable count (should_retrain(), ai_metric_alerts) and the export read
-- the same rows.
UPDATE ai_training_policy SET min_samples_for_training = 1000000;
SELECT (SELECT count(*) FROM ai_training_run_rows WHERE run_id = :'run') AS trained,
       (SELECT count(*) FROM get_training_dataset()) AS dataset,
       intent_internal._pg_intent_usable_samples(false) AS usable,
       (SELECT value FROM ai_metric_alerts WHERE metric = 'training_samples') AS alert_samples,
       (SELECT count(*) FROM export_training_dataset('jsonl')) AS exported,
       (SELECT count(*) FROM ai_training_run_rows WHERE run_id = :'reviewed_run') AS trained_reviewed,
       intent_internal._pg_intent_usable_samples(true) AS usable_reviewed,
       (SELECT count(*) FROM ai_training_run_rows WHERE run_id = :'confident_run') AS trained_confident,
       (SELECT count(*) FROM get_training_dataset(p_min_confidence => 90)) AS dataset_confident;
UPDATE ai_training_policy SET min_samples_for_training = DEFAULT;

-- ai_intent_performance: one row per intent, its samples the rows that
-- train under it; no name the rule refuses reaches the dashboard.
SELECT p.intent IS NULL AS missing, left(coalesce(p.intent, l.label), 20) AS intent, p.samples, l.n AS training_rows
  FROM (SELECT g.intent AS label, count(*) AS n FROM get_training_dataset(p_limit => 1000000) AS g GROUP BY 1) AS l
  FULL JOIN ai_intent_performance AS p ON p.intent = l.label
 WHERE p.samples IS DISTINCT FROM l.n
 ORDER BY 2;
SELECT count(*) AS invalid_names_shown FROM ai_intent_performance WHERE NOT is_valid_intent_name(intent);

-- Approval: a row may be approved exactly when its label is valid, and once
-- approved it trains under that label.
BEGIN;
CREATE TEMP TABLE approvals AS
SELECT f.tag, f.id, pg_temp.try(format('SELECT approve_training_sample(%L)', f.id)) AS approve
  FROM fx_rows AS f WHERE f.status <> 'rejected';
SELECT a.tag, a.approve, d.dataset_status, d.training_label IS NOT NULL AS trains,
       d.training_label IS NOT DISTINCT FROM CASE WHEN a.approve = 'ok' THEN coalesce(nullif(f.correct, ''), nullif(f.detected, '')) END
           AS trains_under_its_label
  FROM approvals AS a JOIN fx AS f USING (tag) JOIN ai_training_data AS d ON d.id = a.id
 ORDER BY a.tag;
ROLLBACK;

-- The fix the upgrade's WARNING gives for such stored rows: reject them, or
-- correct them; the constraints then validate. A stored name the rule
-- refuses becomes NULL as the row changes (ai_review_actions and
-- ai_intent_corrections keep what it was).
BEGIN;
SELECT count(*) AS rejected FROM fx_rows AS f,
       LATERAL reject_training_sample(f.id, 'not an intent')
 WHERE f.tag IN ('blank', 'tab', 'leading space', 'newline inside', 'uncertain', 'uncertain padded', '257 bytes', 'empty (0.2.0)');
SELECT count(*) AS corrected FROM fx_rows AS f,
       LATERAL submit_intent_correction(f.id, 'greeting')
 WHERE f.tag IN ('trailing space', 'correction invalid', 'corrected, empty (0.2.0)');
SELECT count(*) AS recorded_as_was FROM ai_review_actions AS a JOIN fx_rows AS f ON f.id = a.training_data_id
 WHERE a.intent IS NOT DISTINCT FROM coalesce(nullif(f.correct, ''), nullif(f.detected, ''));
SELECT f.tag, c.original_intent = f.detected AS original_kept, d.detected_intent, d.training_label
  FROM fx_rows AS f JOIN ai_intent_corrections AS c ON c.training_data_id = f.id JOIN ai_training_data AS d ON d.id = f.id
 ORDER BY f.tag;
ALTER TABLE ai_training_data VALIDATE CONSTRAINT ai_training_data_detected_intent_check;
ALTER TABLE ai_training_data VALIDATE CONSTRAINT ai_training_data_correct_intent_check;
ROLLBACK;

-- -------------------------------------------------------------------------
-- Writers
-- -------------------------------------------------------------------------
-- The application role of the README's recipe: INSERT on the logged
-- columns and record_interaction().
DROP ROLE IF EXISTS pgi_rows_logger;
CREATE ROLE pgi_rows_logger NOLOGIN;
GRANT USAGE ON SCHEMA public TO pgi_rows_logger;
GRANT INSERT (id, user_message, detected_intent, confidence_score, ai_response, response_source, escalated,
              conversation_id, message_id, user_id, category, source) ON ai_training_data TO pgi_rows_logger;
SET ROLE pgi_rows_logger;
-- classify_intent()'s abstention, logged as is, is "no intent detected"; a
-- blank or padded intent is trimmed; any other invalid name is refused.
SELECT record_interaction('hola', 'uncertain', 90) AS hola \gset
SELECT record_interaction('buenas', E' \tsaludo \n', 90) AS buenas \gset
SELECT record_interaction('nada', E'\t ', 90) AS nada \gset
SELECT pg_temp.try($$SELECT record_interaction('raro', E'sa\tludo', 90)$$) AS control_inside;
SELECT pg_temp.try($$SELECT record_interaction('largo', repeat('x', 300), 90)$$) AS too_long;
-- A direct INSERT (which the recipe allows) meets the CHECK constraints.
SELECT pg_temp.try($$INSERT INTO ai_training_data (user_message, detected_intent) VALUES ('x', ' ')$$) AS blank;
SELECT pg_temp.try($$INSERT INTO ai_training_data (user_message, detected_intent) VALUES ('x', E'\t')$$) AS tab;
SELECT pg_temp.try($$INSERT INTO ai_training_data (user_message, detected_intent) VALUES ('x', 'uncertain ')$$) AS uncertain_padded;
SELECT pg_temp.try($$INSERT INTO ai_training_data (user_message, detected_intent) VALUES ('x', 'uncertain')$$) AS uncertain;
SELECT pg_temp.try($$INSERT INTO ai_training_data (user_message, detected_intent) VALUES ('x', 'saludo')$$) AS valid;
RESET ROLE;
SELECT user_message, detected_intent FROM ai_training_data WHERE id IN (:'hola', :'buenas', :'nada') ORDER BY 1;
-- And a training run completes after them (0.2.0 stored "uncertain" and
-- every later run, retrain_if_needed()'s included, failed with 22023).
UPDATE ai_training_policy SET auto_retrain_threshold = 1;
SELECT r ->> 'retrained' AS retrained, r #>> '{result,status}' AS status, r #>> '{result,sqlstate}' AS sqlstate
  FROM retrain_if_needed() AS r;
UPDATE ai_training_policy SET auto_retrain_threshold = DEFAULT;
SELECT r ->> 'status' AS status, r ->> 'sqlstate' AS sqlstate
  FROM train_intent_model('after the logger', 'full', '{"deploy": "never", "seed": 1}') AS r;

-- Corrections: the same rule, 22023.
SELECT id AS some_row FROM ai_training_data WHERE user_message = 'fx: judged right' \gset
SELECT pg_temp.try(format('SELECT submit_intent_correction(%L, %L)', :'some_row', 'uncertain')) AS correct_uncertain;
SELECT pg_temp.try(format('SELECT submit_intent_correction(%L, %L)', :'some_row', E'pa\tgo')) AS correct_control;
SELECT pg_temp.try(format('SELECT submit_intent_correction(%L, %L)', :'some_row', ' ')) AS correct_blank;
SELECT pg_temp.try($$INSERT INTO ai_intent_corrections (training_data_id, corrected_intent) VALUES (gen_random_uuid(), 'uncertain')$$) AS correction_row;
-- The policy's out-of-scope label follows the rule too.
SELECT pg_temp.try($$UPDATE ai_training_policy SET out_of_scope_intent = E'fuera\tde alcance'$$) AS oos_control;
SELECT pg_temp.try($$UPDATE ai_training_policy SET out_of_scope_intent = 'uncertain'$$) AS oos_uncertain;
-- What the rule accepts, training accepts: a 256-byte label (the rule's
-- longest) was stored, then every run failed on the training options'
-- own limit of 200 bytes (22023 "invalid value for training option").
UPDATE ai_training_policy SET out_of_scope_intent = repeat('f', 256);
SELECT r ->> 'status' AS status, r ->> 'sqlstate' AS sqlstate
  FROM train_intent_model('longest out-of-scope label', 'full', '{"deploy": "never", "seed": 1}') AS r;
SELECT intent_training_options(jsonb_build_object('out_of_scope_intent', repeat('f', 256), 'recall_label', repeat('r', 256)))
       ->> 'out_of_scope_intent' = repeat('f', 256) AS options_accept_it;
UPDATE ai_training_policy SET out_of_scope_intent = DEFAULT;

-- The constraints are validated in a fresh install, and the rule is bound
-- in them (a SQL-standard body: no search_path reaches it).
SELECT conname, convalidated FROM pg_constraint
 WHERE conname IN ('ai_training_data_detected_intent_check', 'ai_training_data_correct_intent_check',
                   'ai_intent_corrections_corrected_intent_check', 'ai_training_policy_out_of_scope_intent_check')
 ORDER BY 1;

-- -------------------------------------------------------------------------
-- The policy's bounds on unreviewed rows
-- -------------------------------------------------------------------------
-- Each is checked against get_training_dataset() and the usable count: a
-- run reads exactly the rows they return.
CREATE FUNCTION pg_temp.agree(p_run uuid, p_limit integer DEFAULT 2147483647) RETURNS boolean LANGUAGE sql AS $$
    SELECT NOT EXISTS (
        (SELECT rr.training_data_id, rr.intent FROM ai_training_run_rows AS rr WHERE rr.run_id = p_run
         EXCEPT SELECT g.id, g.intent FROM get_training_dataset(p_limit => p_limit) AS g)
        UNION ALL
        (SELECT g.id, g.intent FROM get_training_dataset(p_limit => p_limit) AS g
         EXCEPT SELECT rr.training_data_id, rr.intent FROM ai_training_run_rows AS rr WHERE rr.run_id = p_run))
$$;
DELETE FROM ai_training_data WHERE user_message LIKE 'fx: %' OR user_message IN ('hola', 'buenas', 'nada', 'x');
UPDATE ai_training_policy SET min_unreviewed_intent_rows = DEFAULT;
SELECT min_unreviewed_intent_rows, max_intents, max_unreviewed_message_bytes FROM ai_training_policy;

-- (b) 30 logged rows with a label each do not become 30 classes: a label no
-- reviewed row carries needs min_unreviewed_intent_rows rows. One reviewed
-- row makes its label a class.
INSERT INTO ai_training_data (user_message, detected_intent, confidence_score)
SELECT 'mensaje suelto ' || g, 'etiqueta_' || g, 90 FROM generate_series(1, 30) AS g;
UPDATE ai_training_data SET intent_correct = true WHERE detected_intent = 'etiqueta_7';
SELECT (train_intent_model('rare labels', 'full', '{"deploy": "never", "seed": 1}') ->> 'run_id')::uuid AS run \gset
SELECT r.total_intents, r.metrics -> 'rows_skipped_rare_intent' AS skipped_rare, pg_temp.agree(:'run') AS agree,
       (SELECT count(*) FROM ai_training_run_rows WHERE run_id = :'run') = intent_internal._pg_intent_usable_samples(false) AS usable_agrees
  FROM ai_training_runs AS r WHERE r.id = :'run';

-- (c) at most max_intents classes: labels with reviewed rows first (all
-- five here: the four intents, 30 or 25 rows, and etiqueta_7, one row), then
-- by rows: etiqueta_7 goes.
DELETE FROM ai_training_data WHERE detected_intent = 'payment_issue' AND user_message LIKE '%bolso%';
UPDATE ai_training_policy SET max_intents = 4;
SELECT (train_intent_model('few classes', 'full', '{"deploy": "never", "seed": 1}') ->> 'run_id')::uuid AS run \gset
SELECT r.metrics -> 'intents' AS intents, r.metrics -> 'rows_skipped_intent_limit' AS skipped_limit,
       r.metrics -> 'rows_skipped_rare_intent' AS skipped_rare, pg_temp.agree(:'run') AS agree,
       (SELECT count(*) FROM ai_training_run_rows WHERE run_id = :'run') = intent_internal._pg_intent_usable_samples(false) AS usable_agrees
  FROM ai_training_runs AS r WHERE r.id = :'run';
-- The bounds apply to the rows of the window (a run's limit), as in
-- get_training_dataset(p_limit).
SELECT (train_intent_model('few classes, window', 'full', '{"deploy": "never", "seed": 1, "limit": 70}') ->> 'run_id')::uuid AS run \gset
SELECT r.status, pg_temp.agree(:'run', 70) AS agree_in_window,
       (SELECT count(*) FROM ai_training_run_rows WHERE run_id = :'run') AS rows_read
  FROM ai_training_runs AS r WHERE r.id = :'run';
-- The classifier path: train_classifier('intent') (a named classifier's entry
-- point for the built-in one) reads the same rows, window and class bounds included.
SELECT (train_classifier('intent', 'few classes, classifier', '{"deploy": "never", "seed": 1}') ->> 'run_id')::uuid AS run \gset
SELECT r.status, r.classifier, pg_temp.agree(:'run') AS agree_as_classifier FROM ai_training_runs AS r WHERE r.id = :'run';
SELECT (train_classifier('intent', 'few classes, classifier, window', '{"deploy": "never", "seed": 1, "limit": 70}') ->> 'run_id')::uuid AS run \gset
SELECT r.status, pg_temp.agree(:'run', 70) AS agree_as_classifier_in_window FROM ai_training_runs AS r WHERE r.id = :'run';
UPDATE ai_training_policy SET max_intents = DEFAULT;
DELETE FROM ai_training_data WHERE detected_intent LIKE 'etiqueta_%';

-- (a) an unreviewed message is read on its first max_unreviewed_message_bytes;
-- a reviewed one on its first 64 kB.
UPDATE ai_training_policy SET max_unreviewed_message_bytes = 64;
INSERT INTO ai_training_data (user_message, detected_intent, confidence_score, intent_correct)
VALUES (repeat('devolver ', 100), 'return_process', 90, NULL),
       (repeat('pagar ', 100), 'payment_issue', 90, true);
SELECT (train_intent_model('short messages', 'full', '{"deploy": "never", "seed": 1}') ->> 'run_id')::uuid AS run \gset
SELECT r.status, r.metrics -> 'messages_truncated' AS truncated FROM ai_training_runs AS r WHERE r.id = :'run';
-- Without the bound, neither is cut.
UPDATE ai_training_policy SET max_unreviewed_message_bytes = 65536;
SELECT (train_intent_model('whole messages', 'full', '{"deploy": "never", "seed": 1}') ->> 'run_id')::uuid AS run \gset
SELECT r.status, r.metrics -> 'messages_truncated' AS truncated FROM ai_training_runs AS r WHERE r.id = :'run';
UPDATE ai_training_policy SET max_unreviewed_message_bytes = DEFAULT;

-- The policy's ranges.
SELECT pg_temp.try($$UPDATE ai_training_policy SET max_intents = 1$$) AS one_class;
SELECT pg_temp.try($$UPDATE ai_training_policy SET min_unreviewed_intent_rows = 0$$) AS no_floor;
SELECT pg_temp.try($$UPDATE ai_training_policy SET max_unreviewed_message_bytes = 100000$$) AS huge_messages;
-- An INSERT replaces the row, the new columns included.
INSERT INTO ai_training_policy (max_intents, min_unreviewed_intent_rows, max_unreviewed_message_bytes, max_unreviewed_rows) VALUES (7, 2, 1024, 9);
SELECT max_intents, min_unreviewed_intent_rows, max_unreviewed_message_bytes, max_unreviewed_rows FROM ai_training_policy;

DROP OWNED BY pgi_rows_logger;
DROP ROLE pgi_rows_logger;
