-- A role allowed only to train cannot deploy at will (README, "Privileges"):
-- the deploy rule decides. Training options the rule cannot weigh must not
-- get a model past it: the abstain threshold is not compared at all
-- (threshold_floor 1 deployed a model that answers "uncertain" to every
-- message), and the rows read and the evaluation change what it compares (a
-- trainer replaced a model of 90.5 % test accuracy by one trained on 60 of
-- 336 rows, 60.7 %, by retrying small holdouts with other seeds). Such runs
-- need the privilege to deploy, as {"deploy": "always"} does; with
-- {"deploy": "never"} anyone allowed to train may try them.
SET client_min_messages = warning;
SET pg_intent.allow_drop_with_data = on; -- the previous test's rows go (src/pg/drop_guard.cpp)
DROP EXTENSION IF EXISTS pg_intent CASCADE;
CREATE EXTENSION pg_intent;
DROP ROLE IF EXISTS pgi_dopt_trainer;
DROP ROLE IF EXISTS pgi_dopt_admin;
CREATE ROLE pgi_dopt_trainer NOLOGIN;
CREATE ROLE pgi_dopt_admin NOLOGIN;
GRANT EXECUTE ON FUNCTION train_intent_model(text, text, jsonb) TO pgi_dopt_trainer, pgi_dopt_admin;
GRANT EXECUTE ON FUNCTION deploy_intent_model(bigint) TO pgi_dopt_admin;
\i test/fixtures/try.sql
\i test/fixtures/spanish_80.sql
SELECT train_intent_model('first', 'full', '{"seed": 1}') ->> 'deploy_reason' AS first_model;
SELECT id AS first_id FROM ai_intent_models WHERE is_active \gset

-- 1. The trainer: a threshold of 1 (every answer uncertain), a small
--    dataset, a small holdout, a narrowed selection. Each is refused before
--    anything runs, and the first model keeps serving.
SET ROLE pgi_dopt_trainer;
SELECT o AS options, pg_temp.try(format('SELECT train_intent_model(%L, %L, %L)', 'sabotage', 'full', o)) AS result
  FROM unnest(ARRAY['{"threshold_floor": 1, "target_precision": 1, "min_threshold_rows": 1}',
                    '{"limit": 30, "seed": 14}',
                    '{"evaluation": "holdout", "val_fraction": 0.05, "seed": 3}',
                    '{"only_reviewed": true, "min_confidence": 95}',
                    '{"cv_folds": 2, "gate_folds": 2, "min_intent_rows": 0}']) AS o;
-- What to do, in the session's language: one rule for intent and every
-- classifier (src/pg/deploy_right.h); 0.3.1 said this one in English only.
SELECT train_intent_model('sabotage', 'full', '{"threshold_floor": 1}');
SET pg_intent.language = 'es';
SELECT train_intent_model('sabotage', 'full', '{"threshold_floor": 1}');
SELECT train_intent_model('sabotage', 'full', '{"deploy": "always"}');
RESET pg_intent.language;
RESET ROLE;
SELECT count(*) AS runs_recorded FROM ai_training_runs;
SELECT r.run_name, r.deploy_reason FROM ai_training_runs AS r WHERE r.deployed ORDER BY r.started_at;
SELECT id = :first_id AS first_still_active FROM ai_intent_models WHERE is_active;
SELECT classify_intent('quiero devolver la mochila') AS classified;

-- 2. The same options with {"deploy": "never"} train a candidate; options
--    the rule weighs (the learner's, the seed) still go through the rule;
--    defaults written out are not options set.
SET ROLE pgi_dopt_trainer;
SELECT r ->> 'status' AS status, r ->> 'deployed' AS deployed, r ->> 'deploy_reason' AS reason
  FROM train_intent_model('candidate', 'full',
                          '{"threshold_floor": 1, "target_precision": 1, "min_threshold_rows": 1, "deploy": "never"}') AS r;
SELECT r ->> 'status' AS status, r ->> 'deploy_reason' IN ('improved', 'within_tolerance', 'regression') AS rule_decided
  FROM train_intent_model('learner', 'full', '{"C": 0.5, "seed": 2, "limit": 2147483647, "val_fraction": 0.2}') AS r;
RESET ROLE;
SELECT id = :first_id OR (SELECT run_name FROM ai_training_runs WHERE model_id = m.id) = 'learner' AS served_by_rule
  FROM ai_intent_models AS m WHERE is_active;

-- 3. A role that may deploy may let the rule decide on such a run (and
--    could deploy the model itself anyway).
SET ROLE pgi_dopt_admin;
SELECT r ->> 'status' AS status,
       r ->> 'deploy_reason' IN ('improved', 'within_tolerance', 'regression', 'tie', 'insufficient_evidence') AS rule_decided
  FROM train_intent_model('admin', 'full', '{"limit": 60, "seed": 5}') AS r;
RESET ROLE;

-- 4. retrain_if_needed() (the owner's, default options) is not affected.
SELECT r ->> 'retrained' AS retrained, r ->> 'reason' AS reason FROM retrain_if_needed() AS r;

-- 5. A classifier's runs start from the training options its owner stored:
--    what a trainer changes there is judged against them, not against the
--    defaults. Undoing the owner's {"deploy": "never"}, or setting the
--    owner's threshold_floor back to its default, needs the right to deploy
--    (before: both deployed the trainer's model). A stored limit bounds the
--    read (before: ignored, though the run recorded it).
CREATE TABLE dopt_rows AS
SELECT row_number() OVER (ORDER BY created_at) AS id, user_message AS body, detected_intent AS label
  FROM ai_training_data;
SELECT create_classifier('dopt_never', 'dopt_rows', 'body', 'label', '{"deploy": "never", "seed": 1}') IS NOT NULL AS created,
       create_classifier('dopt_floor', 'dopt_rows', 'body', 'label', '{"threshold_floor": 0.95, "seed": 1}') IS NOT NULL AS created,
       create_classifier('dopt_limit', 'dopt_rows', 'body', 'label', '{"limit": 40, "seed": 1}') IS NOT NULL AS created;
GRANT EXECUTE ON FUNCTION train_classifier(text, text, jsonb) TO pgi_dopt_trainer, pgi_dopt_admin;
SELECT grant_classifier_access(c, 'pgi_dopt_trainer', 'train') ->> 'name' AS granted
  FROM unnest(ARRAY['dopt_never', 'dopt_floor']) AS c;
SELECT grant_classifier_access('dopt_never', 'pgi_dopt_admin', a) ->> 'name' AS granted_admin
  FROM unnest(ARRAY['train', 'deploy']) AS a;
SET ROLE pgi_dopt_trainer;
SELECT r ->> 'deployed' AS deployed, r ->> 'deploy_reason' AS reason FROM train_classifier('dopt_never') AS r;
SELECT pg_temp.try($$SELECT train_classifier('dopt_never', NULL, '{"deploy": "auto"}')$$) AS undo_never;
SELECT pg_temp.try($$SELECT train_classifier('dopt_floor', NULL, '{"threshold_floor": 0.5}')$$) AS floor_to_default;
SELECT r ->> 'deployed' AS deployed, r ->> 'deploy_reason' AS reason
  FROM train_classifier('dopt_floor', NULL, '{"seed": 2}') AS r;
RESET ROLE;
SET ROLE pgi_dopt_admin;
SELECT r ->> 'deployed' AS deployed, r ->> 'deploy_reason' AS reason
  FROM train_classifier('dopt_never', NULL, '{"deploy": "auto"}') AS r;
RESET ROLE;
SELECT classifier, run_name, deployed, model_config ->> 'threshold_floor' AS threshold_floor
  FROM ai_training_runs WHERE classifier IN ('dopt_never', 'dopt_floor') ORDER BY started_at;
SELECT r ->> 'training_samples' AS training_samples, (SELECT count(*) FROM dopt_rows) AS source_rows
  FROM train_classifier('dopt_limit') AS r;

DROP OWNED BY pgi_dopt_trainer;
DROP OWNED BY pgi_dopt_admin;
DROP ROLE pgi_dopt_trainer;
DROP ROLE pgi_dopt_admin;
DROP TABLE dopt_rows;
