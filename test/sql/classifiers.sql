-- Named classifiers (0.3.0): create_classifier() over a table of one's own,
-- train_classifier() through the pipeline of train_intent_model(), the gate
-- on fresh rows (key_column), on a recent window (time_column) or on
-- estimates, partitions with a fallback, deploy and rollback per classifier,
-- the built-in classifier, and every error with its SQLSTATE.
SET client_min_messages = warning;
SET pg_intent.allow_drop_with_data = on; -- the previous test's rows go (src/pg/drop_guard.cpp)
DROP EXTENSION IF EXISTS pg_intent CASCADE;
DROP TABLE IF EXISTS cl_prompts, cl_raw;
DROP ROLE IF EXISTS pgi_cl_trainer;
DROP ROLE IF EXISTS pgi_cl_stranger;
CREATE EXTENSION pg_intent;
\i test/fixtures/try.sql

-- A router's own table: prompts of the nlp.js Spanish corpus (MIT,
-- data/README.md), routed by the domain of their intent.
CREATE TABLE cl_raw (split text, text text, intent text);
\copy cl_raw FROM 'data/nlpjs_corpus50_es.csv' WITH (FORMAT csv, HEADER true)
CREATE TABLE cl_prompts (id bigint PRIMARY KEY, prompt text, route text, asked_at timestamptz,
                         shop text, vetted boolean, weight real, score integer);
INSERT INTO cl_prompts
SELECT n, text, split_part(intent, '.', 1), timestamptz '2026-11-01 00:00+00' - n * interval '1 hour',
       'shop' || (n % 3), n % 5 <> 0, 1, n
  FROM (SELECT row_number() OVER (ORDER BY split, text, intent) AS n, text, intent FROM cl_raw WHERE intent <> 'oos') AS r;
SELECT route, count(*) FROM cl_prompts GROUP BY route ORDER BY route;

-- Registering: the definition comes back; the caller owns it.
SELECT create_classifier('router', 'cl_prompts', 'prompt', 'route', '{"key_column": "id", "seed": 1}') - 'owner' AS created;

-- Bad input, each with its code.
SELECT pg_temp.try($$SELECT create_classifier('Router', 'cl_prompts', 'prompt', 'route')$$) AS bad_name;
SELECT pg_temp.try($$SELECT create_classifier('router', 'cl_prompts', 'prompt', 'route')$$) AS exists_already;
SELECT pg_temp.try($$SELECT create_classifier('r2', 'cl_prompts', 'nope', 'route')$$) AS missing_column;
SELECT pg_temp.try($$SELECT create_classifier('r2', 'cl_prompts', 'prompt', 'score')$$) AS label_not_text;
SELECT pg_temp.try($$SELECT create_classifier('r2', 'cl_prompts', 'score', 'route')$$) AS text_not_text;
SELECT pg_temp.try($$SELECT create_classifier('r2', 'cl_prompts', 'prompt', 'route', '{"time_column": "prompt"}')$$) AS time_not_time;
SELECT pg_temp.try($$SELECT create_classifier('r2', 'cl_prompts', 'prompt', 'route', '{"reviewed_column": "route"}')$$) AS reviewed_not_bool;
SELECT pg_temp.try($$SELECT create_classifier('r2', 'cl_prompts', 'prompt', 'route', '{"key_column": 7}')$$) AS column_not_a_name;
SELECT pg_temp.try($$SELECT create_classifier('r2', 'cl_prompts', 'prompt', 'route', '{"gate_window_days": 30}')$$) AS window_without_time;
SELECT pg_temp.try($$SELECT create_classifier('r2', 'cl_prompts', 'prompt', 'route', '{"min_partition_rows": 10}')$$) AS partition_rows_without_partition;
SELECT pg_temp.try($$SELECT create_classifier('r2', 'cl_prompts', 'prompt', 'route', '{"max_f1_regression": 7}')$$) AS policy_out_of_bounds;
-- The policy keys are checked against ai_training_policy's own NOT NULL and
-- CHECK constraints on the row they would make, and the constraint is
-- named with what it says; nothing is written: the policy row is neither
-- updated nor locked (0.3.1 updated it and rolled back, which left the
-- aborted update's xmax on it, waited for its lock and fired its trigger).
SELECT xmax AS policy_xmax FROM ai_training_policy \gset
SELECT pg_temp.try($$SELECT create_classifier('r2', 'cl_prompts', 'prompt', 'route', '{"max_f1_regression": 0.2, "algorithm": "magic"}')$$) AS valid_policy_bad_option;
SELECT xmax = :'policy_xmax' AS policy_row_untouched FROM ai_training_policy;
\set SHOW_CONTEXT never
SELECT create_classifier('r2', 'cl_prompts', 'prompt', 'route', '{"out_of_scope_intent": "uncertain"}');
SELECT create_classifier('r2', 'cl_prompts', 'prompt', 'route', '{"min_gate_rows": null}');
-- A policy key's value is of its column's JSON kind: an object became the
-- out-of-scope label, and 0 became false, where the training options
-- refuse both.
SELECT pg_temp.try($$SELECT create_classifier('r2', 'cl_prompts', 'prompt', 'route', '{"out_of_scope_intent": {"a": [1, 2]}}')$$) AS object_label;
SELECT pg_temp.try($$SELECT create_classifier('r2', 'cl_prompts', 'prompt', 'route', '{"only_reviewed": 0}')$$) AS number_boolean;
SELECT pg_temp.try($$SELECT create_classifier('r2', 'cl_prompts', 'prompt', 'route', '{"min_gate_rows": "40"}')$$) AS string_number;
-- An integer key takes an integral JSON number however it is written (20.0,
-- 2e1), as the training options and the classifier-only keys do; a fraction
-- is refused (0.3.1 refused 20.0 for a policy key only).
SELECT pg_temp.try($$SELECT create_classifier('r2', 'cl_prompts', 'prompt', 'route', '{"min_gate_rows": 40.5}')$$) AS fraction;
SELECT create_classifier('r2', 'cl_prompts', 'prompt', 'route',
                         '{"min_samples_for_training": 20.0, "max_training_rows": 1e3, "cv_folds": 4.0, "keep_replaced_models": 2.0}') -> 'options' AS integral;
SELECT (p).min_samples_for_training, (p).max_training_rows
  FROM (SELECT intent_internal._pg_intent_classifier_policy('r2') AS p) AS x;
SELECT alter_classifier('r2', '{"min_samples_for_training": 3e1}') -> 'options' ->> 'min_samples_for_training' AS altered;
SELECT (intent_internal._pg_intent_classifier_policy('r2')).min_samples_for_training;
SELECT drop_classifier('r2') ->> 'classifier' AS dropped;
SELECT create_classifier('r2', 'cl_prompts', 'prompt', 'route', '{"max_intents": "many"}');
\set SHOW_CONTEXT errors
SELECT pg_temp.try($$SELECT create_classifier('r2', 'cl_prompts', 'prompt', 'route', '{"algorithm": "magic"}')$$) AS bad_training_option;
SELECT pg_temp.try($$SELECT create_classifier('r2', 'cl_prompts', 'prompt', 'route', '{"no_such_key": 1}')$$) AS unknown_option;
SELECT pg_temp.try($$SELECT create_classifier('r2', 'pg_catalog.pg_class_oid_index', 'relname', 'relname')$$) AS not_a_table;
SELECT pg_temp.try($$SELECT create_classifier(NULL, 'cl_prompts', 'prompt', 'route')$$) AS null_name;
SELECT pg_temp.try($$SELECT train_classifier('nope')$$) AS unknown_classifier;
SELECT pg_temp.try($$SELECT train_classifier('router', NULL, NULL)$$) AS null_options;
SELECT pg_temp.try($$SELECT train_classifier('router', NULL, '{"bogus": 1}')$$) AS bad_option;
SELECT pg_temp.try($$SELECT train_classifier('router', NULL, '{"min_gate_rows": 1}')$$) AS policy_key_in_options;
-- min_confidence filters intent's rows by their detector's confidence: a
-- classifier's source has none, so it is refused, stored or per call (0.3.1
-- stored it and ignored it); 0, the default, is accepted.
SELECT pg_temp.try($$SELECT create_classifier('r2', 'cl_prompts', 'prompt', 'route', '{"min_confidence": 90}')$$) AS stored_min_confidence;
SELECT pg_temp.try($$SELECT alter_classifier('router', '{"min_confidence": 50}')$$) AS altered_min_confidence;
SELECT pg_temp.try($$SELECT train_classifier('router', NULL, '{"min_confidence": 90}')$$) AS min_confidence_in_options;
SELECT alter_classifier('router', '{"min_confidence": 0}') -> 'options' ->> 'min_confidence' AS zero_accepted;
SELECT alter_classifier('router', '{"min_confidence": null}') -> 'options' ? 'min_confidence' AS removed;
SELECT count(*) AS classifiers FROM ai_classifiers;
-- One rule, every consumer: each training option a named classifier may
-- not set is refused with the same SQLSTATE, message, detail and hint
-- whether it is stored (create_classifier(), alter_classifier()) or given
-- to one call (train_classifier()); one list decides
-- (src/pg/classifier_options.h). A refused call records no run.
CREATE FUNCTION pg_temp.refusal(p_sql text) RETURNS text LANGUAGE plpgsql AS $f$
DECLARE
    v_state text; v_message text; v_detail text; v_hint text;
BEGIN
    EXECUTE p_sql;
    RETURN 'ok';
EXCEPTION WHEN OTHERS THEN
    GET STACKED DIAGNOSTICS v_state = RETURNED_SQLSTATE, v_message = MESSAGE_TEXT,
                            v_detail = PG_EXCEPTION_DETAIL, v_hint = PG_EXCEPTION_HINT;
    RETURN v_state || ': ' || v_message || E'\nDETAIL: ' || v_detail || E'\nHINT: ' || v_hint;
END $f$;
CREATE TEMP TABLE reserved_refusals AS
SELECT k.option, c.n, c.consumer, pg_temp.refusal(pg_catalog.format(c.statement, k.options)) AS refusal
  FROM (VALUES ('min_feature_partitions', '{"min_feature_partitions": 2}'),
               ('min_confidence', '{"min_confidence": 90}')) AS k(option, options),
       (VALUES (1, 'create_classifier', $$SELECT create_classifier('r2', 'cl_prompts', 'prompt', 'route', %L)$$),
               (2, 'alter_classifier', $$SELECT alter_classifier('router', %L)$$),
               (3, 'train_classifier', $$SELECT train_classifier('router', NULL, %L)$$)) AS c(n, consumer, statement);
SELECT option, consumer, refusal FROM reserved_refusals ORDER BY option, n;
SELECT option, count(DISTINCT refusal) AS refusals, bool_and(refusal LIKE '22023: %') AS all_22023
  FROM reserved_refusals GROUP BY option ORDER BY option;
SELECT count(*) AS runs_recorded FROM ai_training_runs WHERE classifier = 'router';

-- The first training: the pipeline of train_intent_model(), same keys.
SELECT train_classifier('router', 'first') AS r \gset
SELECT (:'r'::jsonb) ->> 'status' AS status, (:'r'::jsonb) ->> 'deploy_reason' AS reason,
       (:'r'::jsonb) ->> 'classifier' AS classifier, (:'r'::jsonb) ->> 'training_samples' AS samples,
       (:'r'::jsonb) ->> 'total_intents' AS labels, (:'r'::jsonb) ->> 'model_version' LIKE 'router/v%' AS versioned,
       ((:'r'::jsonb) -> 'final_metrics' ->> 'accuracy')::float8 > 0.8 AS learnt;
-- It keeps train_intent_model()'s result keys (and adds its own).
SELECT array_agg(k ORDER BY k) AS keys FROM jsonb_object_keys(:'r'::jsonb) AS k;
SELECT classifier, partition_key, is_active, intents FROM ai_intent_models ORDER BY id;
SELECT classifier, run_name, status, deployed, deploy_reason FROM ai_training_runs ORDER BY started_at;
SELECT count(*) AS rows_recorded, count(DISTINCT label) AS labels FROM ai_classifier_run_rows;

-- The built-in classifier is untouched: no intent model, no intent run.
SELECT count(*) AS intent_models FROM ai_intent_models WHERE classifier = 'intent';
SELECT pg_temp.try($$SELECT classify_intent('hola')$$) AS intent_still_undeployed;
SELECT count(*) AS intent_runs_in_history FROM ai_training_run_history WHERE classifier = 'intent';

-- New rows: with a key_column the gate compares both models on the rows
-- the active model never trained on.
INSERT INTO cl_prompts SELECT id + 10000, prompt || ', gracias', route, asked_at + interval '40 days', shop, true, 1, score
  FROM cl_prompts WHERE id % 4 = 0;
SELECT t ->> 'status' AS status, t ->> 'deploy_evidence' AS evidence, t ->> 'deploy_reason' AS reason
  FROM train_classifier('router', 'second') AS t;
SELECT r.run_name, count(*) FILTER (WHERE rr.fresh) AS fresh, count(*) AS rows
  FROM ai_classifier_run_rows AS rr JOIN ai_training_runs AS r ON r.id = rr.run_id
 GROUP BY r.run_name ORDER BY r.run_name;

-- A model of another classifier is refused, both ways.
SELECT id AS router_model FROM ai_intent_models WHERE classifier = 'router' ORDER BY id LIMIT 1 \gset
SELECT id AS second_model FROM ai_intent_models WHERE classifier = 'router' ORDER BY id DESC LIMIT 1 \gset
SELECT pg_temp.try(format('SELECT deploy_intent_model(%s)', :router_model)) AS intent_refuses_router_model;
SELECT pg_temp.try('SELECT deploy_classifier_model(''router'', 999999)') AS no_such_model;
SELECT pg_temp.try(format('SELECT deploy_classifier_model(''router'', %s)', :router_model)) AS already_active;
SELECT pg_temp.try(format('SELECT shadow_predict(''hola'', %s)', :second_model)) AS not_an_intent_challenger;

-- Deploy and roll back, per classifier.
SELECT d - 'deployed_at' - 'version' - 'model_id' - 'previous_model_id' AS deployed,
       (d ->> 'model_id')::bigint = :second_model AS the_second
  FROM deploy_classifier_model('router', :second_model) AS d;
SELECT d - 'deployed_at' - 'version' - 'model_id' - 'previous_model_id' AS rolled_back,
       (d ->> 'model_id')::bigint = :router_model AS the_first
  FROM rollback_classifier('router') AS d;
SELECT classifier, partition_key, reason FROM ai_model_deployments ORDER BY id;
-- p_partition as prediction takes it: only for a partitioned classifier,
-- at most 2048 bytes (before, 55000 "no active model for partition", and
-- for intent "no model is active", with the whole value in the message).
SELECT pg_temp.try($$SELECT rollback_classifier('router', 'shop9')$$) AS not_partitioned;
SELECT pg_temp.try($$SELECT rollback_classifier('intent', 'shop9')$$) AS intent_not_partitioned;
SELECT pg_temp.try($$SELECT rollback_classifier('router', repeat('x', 5000))$$) AS partition_too_long;

-- A recent window, without a key: the gate judges the rows of the last
-- gate_window_days later than the active model's run (here rows stamped
-- after it; the 40-days-later rows are dated ahead, and fresh only once
-- their time has come) and says so.
SELECT create_classifier('windowed', 'cl_prompts', 'prompt', 'route',
                         '{"time_column": "asked_at", "gate_window_days": 5, "seed": 1}') ->> 'name' AS created;
-- A window past any double precision: 22023 naming the key (was 22003).
SELECT left(pg_temp.try($$SELECT alter_classifier('windowed', '{"gate_window_days": 1e400}')$$), 60) AS window_out_of_range;
SELECT train_classifier('windowed') ->> 'deploy_reason' AS first;
INSERT INTO cl_prompts SELECT id + 20000, prompt || ', vale', route, clock_timestamp(), shop, true, 1, score
  FROM cl_prompts WHERE id % 4 = 1 AND id < 10000;
SELECT t ->> 'deploy_evidence' AS evidence FROM train_classifier('windowed', NULL, '{"seed": 2}') AS t;
DELETE FROM cl_prompts WHERE id > 20000;

-- Neither key nor time: the gate compares out-of-fold estimates.
SELECT create_classifier('plain', 'cl_prompts', 'prompt', 'route', '{"seed": 1}') ->> 'name' AS created;
SELECT train_classifier('plain') ->> 'deploy_reason' AS first;
SELECT t ->> 'deploy_evidence' AS evidence FROM train_classifier('plain', NULL, '{"seed": 2}') AS t;

-- Reviewed rows only, and weights: only_reviewed trains on vetted rows
-- (the run records each row it read, by key).
SELECT create_classifier('vetted', 'cl_prompts', 'prompt', 'route',
                         '{"key_column": "id", "reviewed_column": "vetted", "weight_column": "weight", "only_reviewed": true}') ->> 'name' AS created;
SELECT train_classifier('vetted') ->> 'run_id' AS vetted_run \gset
SELECT (SELECT count(*) FROM ai_classifier_run_rows WHERE run_id = :'vetted_run') AS rows_read,
       (SELECT count(*) FROM cl_prompts WHERE vetted) AS vetted_rows;

-- Partitions: one model per shop with enough rows, and a fallback.
SELECT alter_classifier('router', '{"partition_column": "shop", "min_partition_rows": 150}') -> 'options' AS options;
SELECT t ->> 'status' AS fallback_status, t ->> 'partition' AS fallback_partition,
       jsonb_array_length(t -> 'partitions') AS partitions_trained, t ->> 'partitions_below_minimum' AS below,
       (SELECT array_agg(p ->> 'partition' || ':' || (p ->> 'status') || ':' || (p ->> 'deploy_reason') ORDER BY p ->> 'partition')
          FROM jsonb_array_elements(t -> 'partitions') AS p) AS each
  FROM train_classifier('router', 'shops') AS t;
SELECT partition_key, count(*) FILTER (WHERE is_active) AS active FROM ai_intent_models
 WHERE classifier = 'router' GROUP BY partition_key ORDER BY partition_key NULLS FIRST;
SELECT count(DISTINCT batch_id) AS batches, count(*) AS runs FROM ai_training_runs WHERE run_name = 'shops';
-- One model per classifier and partition: a second active one is refused.
SELECT pg_temp.try($$UPDATE ai_intent_models SET is_active = true WHERE classifier = 'router' AND partition_key IS NULL$$) AS two_active;
-- A shop too small for its own model: raising the minimum leaves them all to the fallback.
SELECT alter_classifier('router', '{"min_partition_rows": 100000}') -> 'options' AS options;
SELECT t -> 'partitions' AS trained, t ->> 'partitions_below_minimum' AS below
  FROM train_classifier('router', NULL, '{"deploy": "never"}') AS t;

-- alter_classifier(): keys replace, null removes; the built-in is ai_training_policy's.
SELECT alter_classifier('router', '{"partition_column": null, "min_partition_rows": null}') -> 'options' AS options_after;
SELECT pg_temp.try($$SELECT alter_classifier('router', '{"gate_window_days": 3}')$$) AS window_needs_time;
SELECT pg_temp.try($$SELECT alter_classifier('intent', '{"max_f1_regression": 0.1}')$$) AS builtin_alter;
SELECT pg_temp.try($$SELECT alter_classifier('nope', '{}')$$) AS alter_unknown;

-- The source changes under a classifier: each change has its code.
ALTER TABLE cl_prompts RENAME COLUMN route TO destination;
SELECT pg_temp.try($$SELECT train_classifier('plain')$$) AS column_gone;
ALTER TABLE cl_prompts RENAME COLUMN destination TO route;

-- Rows a run must not fail on: a label the label rule refuses, a NULL text.
INSERT INTO cl_prompts VALUES (90001, 'fila rara', 'uncertain', now(), 'shop0', true, 1, 0),
                              (90002, NULL, 'support', now(), 'shop0', true, 1, 0);
SELECT t ->> 'status' AS status FROM train_classifier('plain', NULL, '{"deploy": "never"}') AS t;
SELECT (r.metrics ->> 'rows_skipped_invalid_label')::int AS skipped_invalid_label
  FROM ai_training_runs AS r WHERE r.classifier = 'plain' ORDER BY r.started_at DESC LIMIT 1;

-- Privileges: nobody but the owner trains, deploys or manages, until granted.
CREATE ROLE pgi_cl_trainer;
CREATE ROLE pgi_cl_stranger;
SET ROLE pgi_cl_stranger;
SELECT pg_temp.try($$SELECT train_classifier('plain')$$) AS stranger_trains;
SELECT pg_temp.try($$SELECT deploy_classifier_model('plain', 1)$$) AS stranger_deploys;
SELECT pg_temp.try($$SELECT rollback_classifier('plain')$$) AS stranger_rolls_back;
SELECT pg_temp.try($$SELECT alter_classifier('plain', '{"seed": 3}')$$) AS stranger_alters;
SELECT pg_temp.try($$SELECT grant_classifier_access('plain', 'pgi_cl_stranger', 'train')$$) AS stranger_grants;
SELECT pg_temp.try($$SELECT drop_classifier('plain')$$) AS stranger_drops;
SELECT pg_temp.try($$SELECT create_classifier('mine', 'cl_prompts', 'prompt', 'route')$$) AS stranger_creates;
RESET ROLE;
SELECT grant_classifier_access('plain', 'pgi_cl_trainer', 'train') -> 'train_roles' AS train_roles;
SELECT pg_temp.try($$SELECT grant_classifier_access('plain', 'pgi_cl_trainer', 'admin')$$) AS bad_access;
SELECT pg_temp.try($$SELECT grant_classifier_access('plain', 'no_such_role', 'train')$$) AS bad_role;
SELECT pg_temp.try($$SELECT grant_classifier_access('plain', 'PUBLIC', 'train')$$) AS public_train;
SELECT grant_classifier_access('plain', 'public', 'predict') -> 'predict_public' AS public_predicts;
SET ROLE pgi_cl_trainer;
-- Granted the classifier but not the source: the source is read as the
-- classifier's owner (0.3.2), so the trainer's own rights do not matter.
SELECT pg_temp.try($$SELECT train_classifier('plain')$$) AS trainer_without_select;
RESET ROLE;
GRANT SELECT ON cl_prompts TO pgi_cl_trainer;
-- Row-level security that narrows the trainer's own reads does not narrow
-- the run: the owner's rights decide what is read.
ALTER TABLE cl_prompts ENABLE ROW LEVEL SECURITY;
CREATE POLICY cl_only_shop0 ON cl_prompts FOR SELECT TO pgi_cl_trainer USING (shop = 'shop0');
SELECT grant_classifier_access('router', 'pgi_cl_trainer', 'train') ->> 'name' AS granted;
SET ROLE pgi_cl_trainer;
SELECT train_classifier('router', 'rls', '{"deploy": "never"}') ->> 'run_id' AS rls_run \gset
SELECT count(*) AS rows_it_sees FROM cl_prompts WHERE prompt IS NOT NULL AND is_valid_intent_name(route);
RESET ROLE;
SELECT count(*) AS rows_read_by_the_run, count(*) FILTER (WHERE c.shop <> 'shop0') AS of_other_shops
  FROM ai_classifier_run_rows AS rr JOIN cl_prompts AS c ON c.id::text = rr.row_key
 WHERE rr.run_id = :'rls_run';
SET ROLE pgi_cl_trainer;
SELECT pg_temp.try($$SELECT train_classifier('plain', NULL, '{"deploy": "always"}')$$) AS trainer_deploys_always;
SELECT pg_temp.try($$SELECT train_classifier('plain', NULL, '{"threshold_floor": 0.99}')$$) AS trainer_unweighed;
SELECT pg_temp.try($$SELECT deploy_classifier_model('plain', 1)$$) AS trainer_deploys;
RESET ROLE;
ALTER TABLE cl_prompts DISABLE ROW LEVEL SECURITY;
SELECT revoke_classifier_access('plain', 'pgi_cl_trainer', 'train') -> 'train_roles' AS train_roles_after;
SET ROLE pgi_cl_trainer;
SELECT pg_temp.try($$SELECT train_classifier('plain')$$) AS trainer_after_revoke;
RESET ROLE;

-- The built-in classifier through the new API: train_intent_model()'s rules.
SELECT pg_temp.try($$SELECT drop_classifier('intent')$$) AS builtin_drop;
SELECT pg_temp.try($$SELECT grant_classifier_access('intent', 'pgi_cl_trainer', 'train')$$) AS builtin_grant;
SELECT train_classifier('intent') ->> 'sqlstate' AS builtin_trains_intent_rows;

-- drop_classifier(): its models stop serving; history stays unless asked.
SELECT drop_classifier('windowed') AS dropped;
SELECT count(*) AS windowed_models, count(*) FILTER (WHERE is_active) AS active FROM ai_intent_models WHERE classifier = 'windowed';
SELECT d ->> 'models_deleted' AS models_deleted, (d ->> 'runs_deleted')::int > 0 AS runs_deleted FROM drop_classifier('vetted', true) AS d;
SELECT count(*) AS vetted_models FROM ai_intent_models WHERE classifier = 'vetted';
SELECT name FROM ai_classifiers ORDER BY name;

DROP OWNED BY pgi_cl_trainer;
DROP ROLE pgi_cl_trainer;
DROP ROLE pgi_cl_stranger;
