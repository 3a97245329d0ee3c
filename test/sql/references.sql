-- References between the extension's tables are kept by triggers, not
-- foreign keys (pg_restore -j loads extension tables' rows in any order, and
-- lost those that failed a foreign key): deleting or truncating a row does
-- what ON DELETE CASCADE / SET NULL did.
SET client_min_messages = warning;
SET pg_intent.allow_drop_with_data = on; -- the previous test's rows go (src/pg/drop_guard.cpp)
DROP EXTENSION IF EXISTS pg_intent CASCADE;
DROP TABLE IF EXISTS ref_msgs;
CREATE EXTENSION pg_intent;

\i test/fixtures/try.sql
\i test/fixtures/spanish_80.sql

SELECT count(*) AS foreign_keys
  FROM pg_constraint AS c JOIN pg_depend AS d ON d.classid = 'pg_class'::regclass AND d.objid = c.conrelid AND d.deptype = 'e'
 WHERE c.contype = 'f';

-- Two runs and models (the second deployed over the first), a correction,
-- two review actions and a shadow prediction, all about known rows.
SELECT train_intent_model('one', 'full', '{"seed": 1}') ->> 'model_id' AS one \gset
SELECT train_intent_model('two', 'full', '{"seed": 2, "deploy": "always"}') ->> 'model_id' AS two \gset
SELECT id AS row_a FROM ai_training_data ORDER BY user_message LIMIT 1 \gset
SELECT id AS row_b FROM ai_training_data ORDER BY user_message DESC LIMIT 1 \gset
SELECT submit_intent_correction(:'row_a', 'shipping_problem') ->> 'was_mismatch' AS corrected;
SELECT approve_training_sample(:'row_a') IS NOT NULL AS approved, approve_training_sample(:'row_b') IS NOT NULL AS approved_b;
SELECT shadow_predict('quiero devolver la camiseta', :one, :'row_a') ->> 'agreed' IS NOT NULL AS shadowed;
SELECT (SELECT count(*) FROM ai_intent_corrections) AS corrections, (SELECT count(*) FROM ai_review_actions) AS actions,
       (SELECT count(*) FROM ai_shadow_predictions WHERE training_data_id IS NOT NULL) AS linked_shadows,
       (SELECT count(*) FROM ai_model_deployments) AS deployments;
-- A named classifier with a key_column: its run records the rows it read in
-- ai_classifier_run_rows. The classifier is dropped (its runs and rows
-- stay) and its model deleted, so that only those rows refer to the run.
CREATE TABLE ref_msgs AS
SELECT row_number() OVER (ORDER BY user_message) AS id, user_message AS msg, detected_intent AS label FROM ai_training_data;
SELECT create_classifier('ref', 'ref_msgs', 'msg', 'label', '{"key_column": "id", "seed": 1}') ->> 'name' AS created;
SELECT train_classifier('ref') ->> 'status' AS ref_status;
SELECT r.id AS run_ref FROM ai_training_runs AS r WHERE r.classifier = 'ref' \gset
SELECT drop_classifier('ref') IS NOT NULL AS dropped;
DELETE FROM ai_intent_models WHERE run_id = :'run_ref';
SELECT count(*) > 0 AS ref_run_rows FROM ai_classifier_run_rows WHERE run_id = :'run_ref';

-- 0. Changing the id of a row others refer to is refused (23503), as the
--    foreign keys' ON UPDATE NO ACTION did, also for a role that may update
--    the ids and read nothing else: the correction, review action, training
--    records and shadow prediction would lose their row, and a deploy gate
--    would take a row the active model trained on for fresh evidence. An id
--    nothing refers to may change.
CREATE ROLE pgi_ref_renamer;
GRANT SELECT, UPDATE ON ai_training_data, ai_training_runs, ai_intent_models TO pgi_ref_renamer;
SET ROLE pgi_ref_renamer;
SELECT pg_temp.try($$UPDATE ai_training_data SET id = gen_random_uuid() WHERE id = '$$ || :'row_a' || $$'$$) AS change_corrected_row;
SELECT id AS row_c FROM ai_training_data ORDER BY user_message LIMIT 1 OFFSET 1 \gset
SELECT pg_temp.try($$UPDATE ai_training_data SET id = gen_random_uuid() WHERE id = '$$ || :'row_c' || $$'$$) AS change_trained_row;
SELECT pg_temp.try($$UPDATE ai_training_runs SET id = gen_random_uuid() WHERE id = (SELECT run_id FROM ai_intent_models WHERE id = $$ || :two || ')') AS change_run;
SELECT pg_temp.try('UPDATE ai_intent_models SET id = id + 1000 WHERE id = ' || :two) AS change_model;
-- a named classifier's run: its ai_classifier_run_rows refer to it (the
-- gate reads the active model's run's rows by run id)
SELECT pg_temp.try($$UPDATE ai_training_runs SET id = gen_random_uuid() WHERE id = '$$ || :'run_ref' || $$'$$) AS change_classifier_run;
RESET ROLE;
SELECT (SELECT count(*) FROM ai_training_data WHERE id IN (:'row_a', :'row_c')) AS rows_kept,
       (SELECT count(*) FROM ai_intent_models WHERE id = :two) AS model_kept,
       (SELECT count(*) FROM ai_training_runs WHERE id = :'run_ref') AS classifier_run_kept,
       (SELECT count(*) FROM ai_classifier_run_rows AS rr
         WHERE NOT EXISTS (SELECT FROM ai_training_runs AS r WHERE r.id = rr.run_id)) AS orphan_classifier_run_rows;
INSERT INTO ai_training_data (user_message, detected_intent) VALUES ('fila sin referencias', 'greeting') RETURNING id AS row_free \gset
UPDATE ai_training_data SET id = '00000000-0000-4000-8000-000000000001' WHERE id = :'row_free';
SELECT count(*) AS free_row_changed FROM ai_training_data WHERE id = '00000000-0000-4000-8000-000000000001';
DELETE FROM ai_training_data WHERE id = '00000000-0000-4000-8000-000000000001';
DROP OWNED BY pgi_ref_renamer;
DROP ROLE pgi_ref_renamer;

-- 1. Deleting a message, as a role that may delete messages and nothing
--    else: its correction and review action go (as the owner, like a
--    foreign-key action), the shadow prediction stays without the link.
CREATE ROLE pgi_ref_cleaner;
GRANT SELECT, DELETE ON ai_training_data TO pgi_ref_cleaner;
SET ROLE pgi_ref_cleaner;
DELETE FROM ai_training_data WHERE id = :'row_a';
RESET ROLE;
SELECT (SELECT count(*) FROM ai_intent_corrections WHERE training_data_id = :'row_a') AS corrections_a,
       (SELECT count(*) FROM ai_review_actions WHERE training_data_id = :'row_a') AS actions_a,
       (SELECT count(*) FROM ai_review_actions) AS actions_left,
       (SELECT count(*) FROM ai_shadow_predictions) AS shadows, (SELECT count(*) FROM ai_shadow_predictions WHERE training_data_id IS NOT NULL) AS linked_shadows;

-- 1b. Deleting a message also removes its training records
--    (ai_training_run_rows): they are read by id, and a row inserted again
--    with the deleted row's id (a role allowed to insert ids chooses them)
--    inherited them. It counted as trained on by the active model, so it was
--    no fresh evidence for the deploy gate. (0.2.0 kept the records.)
SELECT rr.training_data_id AS row_d, d.user_message AS msg_d, d.detected_intent AS intent_d
  FROM ai_training_run_rows AS rr JOIN ai_training_data AS d ON d.id = rr.training_data_id
 WHERE rr.run_id = (SELECT run_id FROM ai_intent_models WHERE is_active) AND d.id NOT IN (:'row_a', :'row_b')
 ORDER BY d.user_message LIMIT 1 \gset
SET ROLE pgi_ref_cleaner;
DELETE FROM ai_training_data WHERE id = :'row_d';
RESET ROLE;
SELECT count(*) AS run_rows_of_deleted FROM ai_training_run_rows WHERE training_data_id = :'row_d';
INSERT INTO ai_training_data (id, user_message, detected_intent) VALUES (:'row_d', :'msg_d', :'intent_d');
SELECT approve_training_sample(:'row_d') IS NOT NULL AS approved_d;
SELECT train_intent_model('three', 'full', '{"seed": 3, "deploy": "never"}') ->> 'run_id' AS run_three \gset
SELECT intent = :'intent_d' AS same_label, fresh AS fresh_for_the_gate
  FROM ai_training_run_rows WHERE run_id = :'run_three' AND training_data_id = :'row_d';
DELETE FROM ai_training_runs WHERE id = :'run_three';

-- 2. Deleting a run: its per-row records go; its model and deployment keep
--    their history without the link.
SELECT run_id AS run_two FROM ai_intent_models WHERE id = :two \gset
SELECT count(*) > 0 AS had_run_rows FROM ai_training_run_rows WHERE run_id = :'run_two';
DELETE FROM ai_training_runs WHERE id = :'run_two';
SELECT (SELECT count(*) FROM ai_training_run_rows WHERE run_id = :'run_two') AS run_rows,
       (SELECT run_id IS NULL FROM ai_intent_models WHERE id = :two) AS model_unlinked,
       (SELECT bool_and(run_id IS NULL) FROM ai_model_deployments WHERE model_id = :two) AS deployments_unlinked,
       (SELECT count(*) FROM ai_training_run_rows) > 0 AS other_runs_rows_kept;

-- 3. Deleting a model that is not active: its deployments go, and the
--    deployment that replaced it forgets it.
SELECT (SELECT count(*) FROM ai_model_deployments WHERE model_id = :one) AS deployments_of_one,
       (SELECT count(*) FROM ai_model_deployments WHERE previous_model_id = :one) AS replaced_one;
DELETE FROM ai_intent_models WHERE id = :one;
SELECT (SELECT count(*) FROM ai_model_deployments WHERE model_id = :one) AS deployments_of_one,
       (SELECT count(*) FROM ai_model_deployments WHERE previous_model_id = :one) AS replaced_one,
       (SELECT count(*) FROM ai_model_deployments WHERE model_id = :two) AS deployments_of_two;

-- 4. TRUNCATE, as with foreign keys, is refused while other tables refer to
--    the rows (the training records included), also for a role allowed to
--    truncate the messages alone (it must not empty the reviewers' audit
--    trail through the owner's rights); truncating them together works.
SELECT id AS row_b2 FROM ai_training_data ORDER BY user_message DESC LIMIT 1 \gset
SELECT submit_intent_correction(:'row_b2', 'product_info') ->> 'was_mismatch' IS NOT NULL AS corrected_b;
GRANT TRUNCATE ON ai_training_data TO pgi_ref_cleaner;
SET ROLE pgi_ref_cleaner;
SELECT pg_temp.try('TRUNCATE ai_training_data') AS truncate_as_cleaner;
RESET ROLE;
SELECT pg_temp.try('TRUNCATE ai_training_data') AS truncate_alone;
SELECT (SELECT count(*) FROM ai_training_data) > 0 AS messages_kept, (SELECT count(*) FROM ai_intent_corrections) AS corrections,
       (SELECT count(*) FROM ai_review_actions) AS actions;
SELECT pg_temp.try('TRUNCATE ai_training_data, ai_intent_corrections, ai_review_actions') AS truncate_but_run_rows;
SELECT pg_temp.try('TRUNCATE ai_training_runs') AS truncate_runs;
SELECT pg_temp.try('TRUNCATE ai_intent_models') AS truncate_models;
TRUNCATE ai_training_data, ai_intent_corrections, ai_review_actions, ai_training_run_rows;
SELECT (SELECT count(*) FROM ai_training_data) AS messages, (SELECT count(*) FROM ai_intent_corrections) AS corrections,
       (SELECT count(*) FROM ai_review_actions) AS actions, (SELECT count(*) FROM ai_training_run_rows) AS run_rows;

DROP OWNED BY pgi_ref_cleaner;
DROP ROLE pgi_ref_cleaner;
