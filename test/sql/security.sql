-- Regression tests for the defects an adversarial review reproduced (the
-- security issue's numbered items). Each section replays the attack or the
-- fault as the role it concerns, and shows what happens now. Roles are
-- cluster-wide, so they get names unique to this test and are dropped at the
-- end.
SET client_min_messages = warning;
DROP TABLE IF EXISTS cue_janitor_outer, cue_janitor;
DROP FUNCTION IF EXISTS cue_janitor_outer(), cue_janitor_delete();
SET pg_intent.allow_drop_with_data = on; -- the previous test's rows go (src/pg/drop_guard.cpp)
DROP EXTENSION IF EXISTS pg_intent CASCADE;
CREATE EXTENSION pg_intent;
DROP ROLE IF EXISTS pgi_sec_trainer;
DROP ROLE IF EXISTS pgi_sec_reader;
CREATE ROLE pgi_sec_trainer NOLOGIN;
CREATE ROLE pgi_sec_reader NOLOGIN;
GRANT EXECUTE ON FUNCTION train_intent_model(text, text, jsonb) TO pgi_sec_trainer;
\i test/fixtures/try.sql
\i test/fixtures/spanish_80.sql
SELECT train_intent_model('first', 'full', '{"seed": 1}') ->> 'deploy_reason' AS first_model;

-- 3. A role allowed only to train cannot deploy: {"deploy": "always"} needs
-- the privilege to deploy, and the deploy policy is not a session setting
-- the caller can change (0.1.0 read pg_intent.max_f1_regression from the
-- caller's session: SET it to 1 and any model deployed).
SET ROLE pgi_sec_trainer;
SELECT pg_temp.try($$SELECT train_intent_model('forced', 'full', '{"deploy": "always"}')$$) AS deploy_always;
SET pg_intent.max_f1_regression = 1;
SET pg_intent.min_samples_for_training = 2;
SET pg_intent.corrected_weight = 1000;
SELECT r ->> 'deployed' AS deployed, r ->> 'deploy_reason' AS reason
  FROM train_intent_model('sabotage', 'full',
                          '{"max_features": 1, "char_ngrams": false, "word_ngram_max": 1, "seed": 2}') AS r;
RESET pg_intent.max_f1_regression;
RESET pg_intent.min_samples_for_training;
RESET pg_intent.corrected_weight;
RESET ROLE;
SELECT r.run_name AS active_run FROM ai_training_runs r JOIN ai_intent_models m ON m.run_id = r.id WHERE m.is_active;

-- 16. The cache-invalidation trigger fires under session_replication_role =
-- replica (a session that sets it; logical replication's apply worker fires
-- row triggers only: the row triggers *_applied, ENABLE REPLICA, send the
-- invalidation there, and test/scripts/logical_invalidation.sh tests it).
SELECT t.tgrelid::regclass AS tgrelid, t.tgname, t.tgenabled FROM pg_trigger t
 WHERE t.tgrelid IN ('ai_intent_models'::regclass, 'ai_classifiers'::regclass)
   AND t.tgname IN ('ai_intent_models_changed', 'ai_intent_models_applied', 'ai_classifiers_changed', 'ai_classifiers_applied')
 ORDER BY t.tgrelid::regclass::text, t.tgname;
SELECT model_id AS serving FROM predict_intent('quiero devolver la mochila') \gset
SET session_replication_role = replica;
UPDATE ai_intent_models SET is_active = false WHERE is_active;
UPDATE ai_intent_models SET is_active = true WHERE id = (SELECT max(id) FROM ai_intent_models WHERE id <> :serving);
SET session_replication_role = origin;
SELECT model_id <> :serving AS serves_the_replicated_change FROM predict_intent('quiero devolver la mochila');
-- The modes survive ALTER TABLE ... ENABLE TRIGGER ALL, which
-- pg_dump --data-only --disable-triggers writes after each table's rows
-- (before 0.3.2 it left all five in the ordinary mode, 'O'); a trigger an
-- administrator disabled stays disabled.
ALTER TABLE ai_intent_models DISABLE TRIGGER ALL;
ALTER TABLE ai_intent_models ENABLE TRIGGER ALL;
ALTER TABLE ai_classifiers DISABLE TRIGGER ALL;
ALTER TABLE ai_classifiers ENABLE TRIGGER ALL;
ALTER TABLE ai_classifiers DISABLE TRIGGER ai_classifiers_applied;
SELECT t.tgrelid::regclass AS tgrelid, t.tgname, t.tgenabled FROM pg_trigger t
 WHERE t.tgrelid IN ('ai_intent_models'::regclass, 'ai_classifiers'::regclass)
   AND t.tgname IN ('ai_intent_models_changed', 'ai_intent_models_applied', 'ai_classifiers_changed',
                    'ai_classifiers_applied', 'ai_classifiers_rebind')
 ORDER BY t.tgrelid::regclass::text, t.tgname;
ALTER TABLE ai_classifiers ENABLE TRIGGER ai_classifiers_applied;
SELECT t.tgenabled AS applied_mode_again FROM pg_trigger t WHERE t.tgname = 'ai_classifiers_applied';
-- Every role's ALTER TABLE fires the event trigger: one of a table of its
-- own runs, and nothing of the owner's (closed to PUBLIC) is asked.
CREATE ROLE pgi_sec_plain;
GRANT CREATE ON SCHEMA public TO pgi_sec_plain;
SET ROLE pgi_sec_plain;
CREATE TABLE public.pgi_sec_own (a integer);
ALTER TABLE public.pgi_sec_own DISABLE TRIGGER ALL;
ALTER TABLE public.pgi_sec_own ENABLE TRIGGER ALL;
RESET ROLE;
DROP TABLE public.pgi_sec_own;
REVOKE CREATE ON SCHEMA public FROM pgi_sec_plain;
DROP ROLE pgi_sec_plain;

-- 11. deploy_intent_model() refuses a blob that cannot be loaded (0.1.0
-- activated it, after which every prediction and training failed), and the
-- active model cannot be deleted (that broke prediction and cascaded away
-- the deployment history).
INSERT INTO ai_intent_models (version, algorithm, model, size_bytes, sha256, intents)
VALUES ('v_corrupt', 'linear_svm', '\x50474e4f54414d4f44454c'::bytea, 11, 'x', '{a,b}');
SELECT pg_temp.try(format('SELECT deploy_intent_model(%s)', (SELECT id FROM ai_intent_models WHERE version = 'v_corrupt'))) AS deploy_corrupt;
SELECT (SELECT version FROM ai_intent_models WHERE is_active) <> 'v_corrupt' AS corrupt_not_active;
SELECT pg_temp.try($$DELETE FROM ai_intent_models WHERE is_active$$) AS delete_active;
SELECT count(*) AS active_models FROM ai_intent_models WHERE is_active;
DELETE FROM ai_intent_models WHERE version = 'v_corrupt';

-- 17. 'uncertain', the answer classify_intent() gives below the threshold,
-- cannot be an intent: the CHECK constraints refuse it where it is written
-- (23514), and rows an older version stored never train (they are counted
-- instead: before 0.2.1 one such row failed every run).
SELECT pg_temp.try($$INSERT INTO ai_training_data (user_message, detected_intent, confidence_score)
                     SELECT 'no sé qué quiero ' || g, 'uncertain', 90 FROM generate_series(1, 5) g$$) AS sentinel_logged;
SELECT r ->> 'status' AS status, r ->> 'error' AS error FROM train_intent_model('sentinel', 'full', '{"seed": 4}') AS r;

-- 13. The Markdown report escapes HTML from end users' messages and from
-- run_name (a dashboard rendering it must not run their markup).
INSERT INTO ai_training_data (user_message, detected_intent, confidence_score)
SELECT m, i, 90
  FROM (VALUES ('<img src=x onerror=alert(1)> quiero devolver la camiseta', 'shipping_problem'),
               ('<script>alert(2)</script> mi pedido no ha llegado', 'payment_issue')) AS v(m, i),
       generate_series(1, 3);
SELECT train_intent_model('<script>alert(3)</script>', 'full', '{"seed": 5, "deploy": "never"}') ->> 'status' AS status;
SELECT training_report() ~ '<(script|img)' AS report_has_raw_html,
       training_report() ~ '&lt;script&gt;' AS report_escapes_html;

-- 12. Stored reports name misclassified rows by id, never by text, and the
-- report reads each text with its reader's rights: row-level security that
-- hides rows from a reviewer hides them in reports too (0.1.0 stored the
-- texts in ai_training_runs.metrics and printed them to anyone).
SELECT count(*) > 0 AS misclassified_marked_up_rows,
       bool_and(NOT r.metrics::text ~ '(onerror|<script>)') AS metrics_hold_no_texts
  FROM ai_training_runs AS r, jsonb_array_elements(r.metrics #> '{metrics,misclassified}') AS x,
       ai_training_data AS d
 WHERE r.run_name = '<script>alert(3)</script>' AND d.id = (x ->> 'training_data_id')::uuid AND d.user_message ~ '<';
GRANT SELECT ON ai_training_runs, ai_training_data TO pgi_sec_reader;
GRANT SELECT (id, version) ON ai_intent_models TO pgi_sec_reader;
SELECT count(*) > 0 AS reader_granted_reports FROM grant_intent_access('pgi_sec_reader', 'report');
ALTER TABLE ai_training_data ENABLE ROW LEVEL SECURITY;
CREATE POLICY no_markup ON ai_training_data FOR SELECT TO pgi_sec_reader USING (user_message !~ '<');
SET ROLE pgi_sec_reader;
SELECT training_report() ~ '(onerror|alert\(1\)|alert\(2\))' AS reader_sees_hidden_texts,
       training_report() ~ 'not visible' AS reader_told_not_visible;
RESET ROLE;
REVOKE SELECT ON ai_training_data FROM pgi_sec_reader;
SET ROLE pgi_sec_reader;
SELECT training_report() ~ 'no access' AS reader_without_data_told_no_access;
RESET ROLE;
DROP POLICY no_markup ON ai_training_data;
ALTER TABLE ai_training_data DISABLE ROW LEVEL SECURITY;
REVOKE SELECT ON ai_training_runs FROM pgi_sec_reader;
REVOKE SELECT (id, version) ON ai_intent_models FROM pgi_sec_reader;

-- 20. A seeded cue cannot be deleted from a nested trigger either (0.1.0 let
-- any DELETE at trigger depth > 1 through).
CREATE TABLE cue_janitor (pattern text);
CREATE FUNCTION cue_janitor_delete() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN DELETE FROM ai_feedback_cues WHERE language = 'es' AND pattern = NEW.pattern; RETURN NEW; END $$;
CREATE TRIGGER cue_janitor_delete AFTER INSERT ON cue_janitor FOR EACH ROW EXECUTE FUNCTION cue_janitor_delete();
CREATE TABLE cue_janitor_outer (pattern text);
CREATE FUNCTION cue_janitor_outer() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN INSERT INTO cue_janitor VALUES (NEW.pattern); RETURN NEW; END $$;
CREATE TRIGGER cue_janitor_outer AFTER INSERT ON cue_janitor_outer FOR EACH ROW EXECUTE FUNCTION cue_janitor_outer();
INSERT INTO cue_janitor_outer VALUES ('gracias');
SELECT pattern, is_seed, is_active FROM ai_feedback_cues WHERE language = 'es' AND pattern = 'gracias';

-- 15. predict_intent(text, bigint) with a model that is not the active one
-- needs SELECT on that model's row: no privilege gives 42501, a row hidden
-- by row-level security looks like no model at all.
SELECT id AS inactive FROM ai_intent_models WHERE NOT is_active ORDER BY id LIMIT 1 \gset
SELECT id AS active FROM ai_intent_models WHERE is_active \gset
SET ROLE pgi_sec_reader;
SELECT pg_temp.try(format('SELECT predict_intent(%L, %s)', 'hola', :inactive)) AS inactive_without_privilege;
SELECT pg_temp.try(format('SELECT predict_intent(%L, %s)', 'hola', :active)) AS active_without_privilege;
-- The same answer for an id that does not exist: no existence oracle (it
-- said "does not exist" here and "permission denied" for hidden models).
SELECT pg_temp.try('SELECT predict_intent(''hola'', 999999)') AS missing_without_privilege;
RESET ROLE;
-- SELECT on the columns but the model bytes (the README's reviewer grant) is enough.
GRANT SELECT (id, version, is_active) ON ai_intent_models TO pgi_sec_reader;
SET ROLE pgi_sec_reader;
SELECT pg_temp.try(format('SELECT predict_intent(%L, %s)', 'hola', :inactive)) AS inactive_with_column_privilege;
SELECT pg_temp.try('SELECT predict_intent(''hola'', 999999)') AS missing_with_column_privilege;
RESET ROLE;
REVOKE SELECT (id, version, is_active) ON ai_intent_models FROM pgi_sec_reader;
GRANT SELECT ON ai_intent_models TO pgi_sec_reader;
ALTER TABLE ai_intent_models ENABLE ROW LEVEL SECURITY;
CREATE POLICY only_active ON ai_intent_models FOR SELECT TO pgi_sec_reader USING (is_active);
SET ROLE pgi_sec_reader;
SELECT pg_temp.try(format('SELECT predict_intent(%L, %s)', 'hola', :inactive)) AS inactive_hidden_by_rls;
RESET ROLE;
DROP POLICY only_active ON ai_intent_models;
-- The visibility of a model other than the active one is checked once per
-- query, not once per row: a policy that counts its evaluations counts as
-- many for 40 rows as for one. The row stays refused to whom it is hidden.
CREATE SEQUENCE pgi_policy_checks;
GRANT USAGE ON SEQUENCE pgi_policy_checks TO pgi_sec_reader;
CREATE FUNCTION pgi_policy_check_counted() RETURNS boolean LANGUAGE sql VOLATILE
AS $$ SELECT nextval('pgi_policy_checks') > 0 $$;
CREATE POLICY counted ON ai_intent_models FOR SELECT TO pgi_sec_reader
    USING (is_active OR pgi_policy_check_counted());
SELECT setval('pgi_policy_checks', 1, false) IS NOT NULL AS counter_reset;
SET ROLE pgi_sec_reader;
SELECT count(predict_intent('hola', :inactive)) AS one_row;
RESET ROLE;
SELECT nextval('pgi_policy_checks') - 1 AS checks_one_row \gset
SELECT setval('pgi_policy_checks', 1, false) IS NOT NULL AS counter_reset;
SET ROLE pgi_sec_reader;
SELECT count(predict_intent('hola ' || i, :inactive)) AS forty_rows FROM generate_series(1, 40) AS i;
RESET ROLE;
SELECT nextval('pgi_policy_checks') - 1 AS checks_forty_rows \gset
SELECT :checks_one_row > 0 AS checked, :checks_forty_rows = :checks_one_row AS once_per_query;
DROP POLICY counted ON ai_intent_models;
CREATE POLICY none ON ai_intent_models FOR SELECT TO pgi_sec_reader USING (is_active);
SET ROLE pgi_sec_reader;
SELECT pg_temp.try(format('SELECT count(predict_intent(%L || i, %s)) FROM generate_series(1, 40) AS i', 'hola ', :inactive)) AS hidden_in_a_query_of_40_rows;
RESET ROLE;
DROP POLICY none ON ai_intent_models;
DROP FUNCTION pgi_policy_check_counted();
DROP SEQUENCE pgi_policy_checks;
ALTER TABLE ai_intent_models DISABLE ROW LEVEL SECURITY;
SET ROLE pgi_sec_reader;
SELECT pg_temp.try(format('SELECT predict_intent(%L, %s)', 'hola', :inactive)) AS inactive_visible;
RESET ROLE;

DROP TABLE cue_janitor_outer, cue_janitor;
DROP FUNCTION cue_janitor_outer(), cue_janitor_delete();
DROP EXTENSION pg_intent CASCADE;
DROP ROLE pgi_sec_trainer;
DROP ROLE pgi_sec_reader;
