-- Issue 31 items 6 and 11, as the roles they restrict.
--
-- Item 6, identity: a dropped classifier's models do not pass to the next
-- classifier of that name. On 0.3.1 bob created "router" again after alice
-- dropped hers, deployed her model, and explain_label() showed her n-grams.
-- (A drop during a training: test/scripts/classifier_identity.sh.)
--
-- Item 11, owners: a role that now has the owner's OID under another name
-- (the OID reused after a DROP ROLE; simulated here by pointing the row's
-- OID at another role, which is what a reuse looks like to the row) is not
-- the owner; the classifier is orphaned, listed so, and reassigned by an
-- administrator only. (A real OID reuse and a restore into a cluster without
-- the owner: test/scripts/classifier_owners.sh.)
SET client_min_messages = warning;
SET pg_intent.allow_drop_with_data = on;
DROP EXTENSION IF EXISTS pg_intent CASCADE;
DROP TABLE IF EXISTS ci_raw, ci_alice, ci_bob;
DROP ROLE IF EXISTS pgi_ci_alice;
DROP ROLE IF EXISTS pgi_ci_bob;
DROP ROLE IF EXISTS pgi_ci_mallory;
DROP ROLE IF EXISTS pgi_ci_app;
CREATE EXTENSION pg_intent;
\i test/fixtures/try.sql
GRANT EXECUTE ON FUNCTION pg_temp.try(text) TO PUBLIC;

CREATE ROLE pgi_ci_alice;
CREATE ROLE pgi_ci_bob;
CREATE ROLE pgi_ci_mallory;
CREATE ROLE pgi_ci_app;
SELECT count(*) > 0 AS granted FROM grant_intent_access('pgi_ci_alice', 'classifiers');
SELECT count(*) > 0 AS granted FROM grant_intent_access('pgi_ci_bob', 'classifiers');
SELECT count(*) > 0 AS granted FROM grant_intent_access('pgi_ci_bob', 'explain');

-- alice's and bob's tables: prompts of the nlp.js Spanish corpus routed by
-- domain; alice's are only the first half, so her model knows words bob's
-- table does not have.
CREATE TABLE ci_raw (split text, text text, intent text);
\copy ci_raw FROM 'data/nlpjs_corpus50_es.csv' WITH (FORMAT csv, HEADER true)
CREATE TABLE ci_alice AS
SELECT row_number() OVER (ORDER BY split, text, intent) AS id, text AS prompt, split_part(intent, '.', 1) AS route
  FROM ci_raw WHERE intent <> 'oos';
CREATE TABLE ci_bob AS SELECT * FROM ci_alice;
ALTER TABLE ci_alice OWNER TO pgi_ci_alice;
ALTER TABLE ci_bob OWNER TO pgi_ci_bob;

-- ------------------------------------------------------------------ item 6
SET ROLE pgi_ci_alice;
SELECT create_classifier('router', 'ci_alice', 'prompt', 'route', '{"key_column": "id", "seed": 1}') ->> 'name' AS created;
SELECT train_classifier('router', 'alice') ->> 'model_id' AS alice_model \gset
SELECT drop_classifier('router') AS dropped;
RESET ROLE;
-- Her history stays, as the history of a classifier that no longer exists.
SELECT classifier, classifier_id IS NOT NULL AS has_id, is_active FROM ai_intent_models WHERE id = :alice_model;

SET ROLE pgi_ci_bob;
SELECT create_classifier('router', 'ci_bob', 'prompt', 'route', '{"key_column": "id", "seed": 2}') ->> 'name' AS created_again;
-- Her model is not his classifier's: refused (0.3.1 deployed it).
SELECT pg_temp.try(format('SELECT deploy_classifier_model(%L, %s)', 'router', :alice_model)) AS deploy_her_model;
SELECT pg_temp.try($$SELECT predict_label('router', 'quiero reservar un vuelo')$$) AS predict_before_training;
RESET ROLE;

-- A row left active under the name (0.3.1's deploy above, or plain DML) is
-- never served for the new classifier, nor explained.
UPDATE ai_intent_models SET is_active = true WHERE id = :alice_model;
SET ROLE pgi_ci_bob;
SELECT pg_temp.try($$SELECT predict_label('router', 'quiero reservar un vuelo')$$) AS predict_with_hers_active;
SELECT pg_temp.try($$SELECT explain_label('router', 'quiero reservar un vuelo')$$) AS explain_with_hers_active;
RESET ROLE;
UPDATE ai_intent_models SET is_active = false WHERE id = :alice_model;

-- bob's own training deploys his model, recorded under his classifier's id;
-- dropping his classifier with its models leaves her history alone.
SET ROLE pgi_ci_bob;
SELECT train_classifier('router', 'bob') ->> 'deploy_reason' AS bob_deploy;
SELECT (predict_label('router', 'quiero reservar un vuelo')).model_id <> :alice_model AS serves_his_own;
RESET ROLE;
-- The HTML report of his run shows the trend of his classifier's runs, not
-- of every run recorded under the name: her run "alice" was in it.
SELECT position('>alice<' IN training_report(r.id, 'html')) = 0 AS trend_without_her_run,
       position('>bob<' IN training_report(r.id, 'html')) > 0 AS trend_with_his_run
  FROM ai_training_runs AS r WHERE r.run_name = 'bob' AND r.partition_key IS NULL;
SELECT count(DISTINCT classifier_id) AS ids, bool_and(classifier = 'router') AS one_name
  FROM ai_intent_models WHERE classifier <> 'intent';
SELECT m.classifier_id = c.id AS runs_and_models_carry_his_id
  FROM ai_intent_models AS m JOIN ai_classifiers AS c ON c.name = m.classifier
 WHERE m.is_active AND m.classifier = 'router';
SELECT count(*) AS deployments_of_router, count(*) FILTER (WHERE d.classifier_id = c.id) AS his
  FROM ai_model_deployments AS d, ai_classifiers AS c WHERE c.name = 'router' AND d.classifier = 'router';
SET ROLE pgi_ci_bob;
SELECT drop_classifier('router', true) - 'classifier' AS dropped_with_models;
RESET ROLE;
SELECT count(*) AS her_model_kept FROM ai_intent_models WHERE id = :alice_model;
-- The built-in classifier is id 0, and its models and runs carry it.
SELECT id AS intent_id FROM ai_classifiers WHERE built_in;

-- ----------------------------------------------------------------- item 11
SET ROLE pgi_ci_alice;
SELECT create_classifier('shop', 'ci_alice', 'prompt', 'route', '{"seed": 1}') ->> 'owner' AS owner;
SELECT grant_classifier_access('shop', 'pgi_ci_app', 'predict') -> 'predict_roles' AS predict_roles;
SELECT grant_classifier_access('shop', 'PUBLIC', 'predict') ->> 'predict_public' AS public;
SELECT grant_classifier_access('shop', 'PUBLIC', 'predict') ->> 'predict_public' AS public;
SELECT revoke_classifier_access('shop', 'PUBLIC', 'predict') ->> 'predict_public' AS public;
SELECT train_classifier('shop') ->> 'status' AS trained;
RESET ROLE;
SELECT name, owner, orphaned, source, source_missing FROM ai_classifier_owners WHERE NOT built_in ORDER BY name;

-- The row's owner OID now names another role (as after alice's DROP ROLE
-- and an OID reuse): mallory is not the owner. 0.3.1 let her alter it.
UPDATE ai_classifiers SET owner = 'pgi_ci_mallory'::regrole WHERE name = 'shop';
SELECT name, owner, orphaned FROM ai_classifier_owners WHERE name = 'shop';
-- (To a role that may not read ai_classifiers the refusal does not say it is
-- orphaned: 42501 as for any classifier it may not manage.)
SET ROLE pgi_ci_mallory;
SELECT pg_temp.try($$SELECT alter_classifier('shop', '{"seed": 9}')$$) AS mallory_alters;
SELECT pg_temp.try($$SELECT grant_classifier_access('shop', 'pgi_ci_mallory', 'train')$$) AS mallory_grants;
SELECT pg_temp.try($$SELECT drop_classifier('shop')$$) AS mallory_drops;
SELECT pg_temp.try($$SELECT train_classifier('shop')$$) AS mallory_trains;
SELECT pg_temp.try($$SELECT predict_label('shop', 'hola')$$) AS mallory_predicts;
SELECT pg_temp.try($$SELECT reassign_classifier('shop', 'pgi_ci_mallory')$$) AS mallory_reassigns;
RESET ROLE;
-- Nor does alice own it any more by name alone (her OID is not in the row).
SET ROLE pgi_ci_alice;
SELECT pg_temp.try($$SELECT alter_classifier('shop', '{"seed": 9}')$$) AS alice_alters;
RESET ROLE;
-- The roles it was granted to keep their grants; a training, which reads
-- the source as its owner, says why it cannot (even for a superuser).
SET ROLE pgi_ci_app;
SELECT (predict_label('shop', 'quiero reservar un vuelo')).label IS NOT NULL AS app_still_predicts;
RESET ROLE;
SELECT pg_temp.try($$SELECT train_classifier('shop')$$) AS superuser_trains_orphan;
SELECT (retrain_classifiers() -> 'classifiers' -> 0 -> 'error') ->> 'message' AS scheduled_retraining;
SELECT pg_temp.try($$SELECT intent_internal._pg_intent_count_classifier_source('shop', NULL)$$) AS count_source;
SELECT intent_internal._pg_intent_classifier_json('shop') ->> 'orphaned' AS orphaned_in_definition;

-- Reassigning: an administrator only; the new owner must read the source.
SELECT pg_temp.try($$SELECT reassign_classifier('shop', 'pgi_ci_bob')$$) AS bob_cannot_read_alices_table;
SELECT pg_temp.try($$SELECT reassign_classifier('shop', 'pgi_ci_nobody')$$) AS unknown_role;
SELECT pg_temp.try($$SELECT reassign_classifier('nope', 'pgi_ci_bob')$$) AS unknown_classifier;
SELECT pg_temp.try($$SELECT reassign_classifier('intent', 'pgi_ci_bob')$$) AS built_in;
SELECT pg_temp.try($$SELECT reassign_classifier('shop', NULL)$$) AS null_role;
GRANT SELECT ON ci_alice TO pgi_ci_bob;
SET ROLE pgi_ci_bob;
SELECT pg_temp.try($$SELECT reassign_classifier('shop', 'pgi_ci_bob')$$) AS bob_reassigns_to_himself;
RESET ROLE;
SELECT reassign_classifier('shop', 'pgi_ci_bob') ->> 'owner' AS new_owner;
SELECT name, owner, orphaned FROM ai_classifier_owners WHERE name = 'shop';
SET ROLE pgi_ci_bob;
SELECT alter_classifier('shop', '{"seed": 3}') -> 'options' AS bob_alters;
SELECT train_classifier('shop') ->> 'status' AS bob_trains;
SELECT revoke_classifier_access('shop', 'pgi_ci_app', 'predict') -> 'predict_roles' AS revoked;
RESET ROLE;

-- A grantee's OID that now names another role: the grant counts for nobody.
-- (The row as it looks after role pgi_ci_gone, granted train, was dropped
-- and mallory got its OID.)
UPDATE ai_classifiers
   SET train_roles = ARRAY['pgi_ci_mallory'::regrole::oid],
       role_names = jsonb_build_object('pgi_ci_mallory'::regrole::oid::text, 'pgi_ci_gone')
 WHERE name = 'shop';
SELECT intent_internal._pg_intent_classifier_json('shop') -> 'train_roles' AS train_roles_as_recorded;
SET ROLE pgi_ci_mallory;
SELECT pg_temp.try($$SELECT train_classifier('shop')$$) AS mallory_trains_with_the_dropped_roles_grant;
RESET ROLE;
-- A revoke also takes the name of a role that was dropped: the entries
-- recorded under it go.
SET ROLE pgi_ci_bob;
SELECT revoke_classifier_access('shop', 'pgi_ci_gone', 'train') -> 'train_roles' AS revoked_by_recorded_name;
SELECT pg_temp.try($$SELECT revoke_classifier_access('shop', 'pgi_ci_gone', 'train')$$) AS unknown_role_now;
RESET ROLE;
SELECT role_names FROM ai_classifiers WHERE name = 'shop';

-- A role named "Public" (PostgreSQL reserves only "public") is a role: a
-- grant to it is not a grant to PUBLIC, which let every role predict.
CREATE ROLE "Public";
SET ROLE pgi_ci_bob;
SELECT d -> 'predict_roles' AS predict_roles, d -> 'predict_public' AS predict_public
  FROM grant_classifier_access('shop', 'Public', 'predict') AS d;
RESET ROLE;
SELECT intent_internal._pg_intent_classifier_allows('shop', 'pgi_ci_app'::regrole::oid, 'predict') AS app_predicts;
SET ROLE pgi_ci_bob;
SELECT grant_classifier_access('shop', 'Public', 'train') -> 'train_roles' AS train_roles;
SELECT d -> 'predict_roles' AS predict_roles, d -> 'train_roles' AS train_roles
  FROM revoke_classifier_access('shop', 'Public', 'predict') AS d;
RESET ROLE;

SET ROLE pgi_ci_bob;
SELECT drop_classifier('shop', true) ->> 'classifier' AS dropped;
RESET ROLE;
DROP TABLE ci_raw, ci_alice, ci_bob;
DROP EXTENSION pg_intent CASCADE;
DROP ROLE pgi_ci_alice;
DROP ROLE pgi_ci_bob;
DROP ROLE pgi_ci_mallory;
DROP ROLE pgi_ci_app;
DROP ROLE "Public";
