-- get_classifier_metrics() (0.3.1): a classifier's deployed models, its runs
-- over a window, and its new rows since the last completed run, counted with
-- the caller's rights by the same rule retrain_classifiers() applies
-- (_pg_intent_classifier_count_plan() and _pg_intent_classifier_due(): the
-- conformance checks below compare the two). Every error with its SQLSTATE.
SET client_min_messages = warning;
SET pg_intent.allow_drop_with_data = on; -- the previous test's rows go (src/pg/drop_guard.cpp)
DROP EXTENSION IF EXISTS pg_intent CASCADE;
DROP TABLE IF EXISTS cm_raw, cm_prompts, cm_plain;
DROP ROLE IF EXISTS pgi_cm_dash;
DROP ROLE IF EXISTS pgi_cm_blind;
DROP ROLE IF EXISTS pgi_cm_tenant;
CREATE EXTENSION pg_intent;
\i test/fixtures/try.sql

-- Prompts of the nlp.js Spanish corpus (MIT, data/README.md) routed by the
-- domain of their intent; three shops; a time column.
CREATE TABLE cm_raw (split text, text text, intent text);
\copy cm_raw FROM 'data/nlpjs_corpus50_es.csv' WITH (FORMAT csv, HEADER true)
CREATE TABLE cm_prompts (id bigint PRIMARY KEY, prompt text, route text, asked_at timestamptz, shop text);
INSERT INTO cm_prompts
SELECT n, text, split_part(intent, '.', 1), timestamptz '2026-11-01 00:00+00' - n * interval '1 hour', 'shop' || (n % 3)
  FROM (SELECT row_number() OVER (ORDER BY split, text, intent) AS n, text, intent FROM cm_raw WHERE intent <> 'oos') AS r;
-- The same rows without a time column.
CREATE TABLE cm_plain AS SELECT id, prompt, route FROM cm_prompts;
SELECT count(*) AS rows FROM cm_prompts;

SELECT create_classifier('cm_router', 'cm_prompts', 'prompt', 'route',
                         '{"key_column": "id", "time_column": "asked_at", "seed": 1}') IS NOT NULL AS created;
SELECT create_classifier('cm_plain', 'cm_plain', 'prompt', 'route', '{"seed": 1}') IS NOT NULL AS created;

-- Bad input.
SELECT pg_temp.try($$SELECT get_classifier_metrics(NULL)$$) AS null_name;
SELECT pg_temp.try($$SELECT get_classifier_metrics('cm_router', NULL)$$) AS null_days;
SELECT pg_temp.try($$SELECT get_classifier_metrics('cm_router', 0)$$) AS zero_days;
SELECT pg_temp.try($$SELECT get_classifier_metrics('cm_router', 36501)$$) AS too_many_days;
SELECT pg_temp.try($$SELECT get_classifier_metrics('nope')$$) AS unknown_classifier;

-- Never trained: no model, no run; every row is new and it is due.
SELECT m -> 'active_model' AS active, m -> 'partition_models' AS partitions, m -> 'last_run' AS last_run,
       m -> 'runs' ->> 'total' AS runs, m ->> 'new_rows' AS new_rows, m ->> 'retrain_due' AS due,
       m ->> 'auto_retrain_threshold' AS threshold, m ->> 'built_in' AS built_in
  FROM get_classifier_metrics('cm_router') AS m;

SELECT train_classifier('cm_router') ->> 'status' AS trained;
SELECT train_classifier('cm_plain') ->> 'status' AS trained;
SELECT (m -> 'active_model' ->> 'id')::bigint = (SELECT id FROM ai_intent_models WHERE classifier = 'cm_router' AND is_active) AS active_is_the_deployed,
       m -> 'active_model' ->> 'labels' AS labels, (m -> 'active_model' ->> 'f1')::float8 BETWEEN 0 AND 1 AS f1_is_a_fraction,
       m -> 'runs' ->> 'total' AS runs, m -> 'runs' ->> 'completed' AS completed, m -> 'runs' ->> 'deployed' AS deployed,
       m -> 'last_run' ->> 'status' AS last_status, m -> 'last_run' ->> 'deploy_reason' AS last_reason,
       m ->> 'new_rows' AS new_rows, m ->> 'retrain_due' AS due
  FROM get_classifier_metrics('cm_router', 30) AS m;

-- New rows: with a time column, those newer than the last completed run;
-- without, the rows beyond those it read.
INSERT INTO cm_prompts SELECT id + 100000, prompt, route, clock_timestamp(), shop FROM cm_prompts WHERE id <= 3;
INSERT INTO cm_plain SELECT id + 100000, prompt, route FROM cm_plain WHERE id <= 5;
SELECT get_classifier_metrics('cm_router') ->> 'new_rows' AS router_new, get_classifier_metrics('cm_router') ->> 'retrain_due' AS router_due,
       get_classifier_metrics('cm_plain') ->> 'new_rows' AS plain_new, get_classifier_metrics('cm_plain') ->> 'retrain_due' AS plain_due;
SELECT alter_classifier('cm_plain', '{"auto_retrain_threshold": 5}') IS NOT NULL AS altered;
-- Conformance: retrain_classifiers() sees the same new rows and makes the
-- same decision (it retrains cm_plain, now due, and not cm_router).
SELECT get_classifier_metrics('cm_plain') ->> 'retrain_due' AS plain_due_before;
SELECT c ->> 'classifier' AS classifier, c ->> 'new_rows' AS retrain_new_rows, c ->> 'retrained' AS retrained,
       c ->> 'new_rows' = CASE c ->> 'classifier' WHEN 'cm_router' THEN '3' ELSE '5' END AS same_count_as_metrics
  FROM jsonb_array_elements(retrain_classifiers() -> 'classifiers') AS c ORDER BY 1;
SELECT get_classifier_metrics('cm_plain') ->> 'new_rows' AS plain_new_after, get_classifier_metrics('cm_plain') ->> 'retrain_due' AS plain_due_after,
       get_classifier_metrics('cm_plain') -> 'runs' ->> 'total' AS plain_runs;

-- Partitions: the models per shop, their spread and the weakest first.
SELECT alter_classifier('cm_router', '{"partition_column": "shop", "min_partition_rows": 150}') IS NOT NULL AS partitioned;
-- The shops are thirds of the same rows, so the fallback beats each shop's
-- first model (fallback_better, test/sql/partition_fallback.sql); deployed
-- by hand here, to have shop models to show.
SELECT train_classifier('cm_router', NULL, '{"deploy": "always"}') ->> 'status' AS trained;
SELECT m -> 'partition_models' ->> 'models' AS shop_models,
       (m -> 'partition_models' ->> 'f1_min')::float8 <= (m -> 'partition_models' ->> 'f1_median')::float8
           AND (m -> 'partition_models' ->> 'f1_median')::float8 <= (m -> 'partition_models' ->> 'f1_max')::float8 AS ordered,
       jsonb_array_length(m -> 'partition_models' -> 'weakest') AS weakest,
       (SELECT array_agg(w ->> 'partition' ORDER BY ord) FROM jsonb_array_elements(m -> 'partition_models' -> 'weakest') WITH ORDINALITY AS x(w, ord))
           = (SELECT array_agg(partition_key ORDER BY (metrics ->> 'f1')::float8, partition_key)
                FROM ai_intent_models WHERE classifier = 'cm_router' AND is_active AND partition_key IS NOT NULL) AS weakest_first,
       m -> 'active_model' IS NOT NULL AND m -> 'active_model' <> 'null' AS fallback_shown,
       m -> 'runs' ->> 'total' AS runs
  FROM get_classifier_metrics('cm_router') AS m;
-- The same figures whatever the caller's extra_float_digits: the F1s go into
-- jsonb through their text form, and -15 cut them to one digit.
CREATE TEMP TABLE cm_default AS SELECT get_classifier_metrics('cm_router') - 'runs' - 'new_rows' AS m;
SET extra_float_digits = -15;
SELECT (get_classifier_metrics('cm_router') - 'runs' - 'new_rows') = (SELECT m FROM cm_default) AS same_any_float_digits;
RESET extra_float_digits;

-- The built-in classifier: its models and runs, the new rows
-- get_ai_training_metrics() reports, and whether they make it due by the
-- rule every classifier's count reads (0.3.2; before, retrain_due and
-- auto_retrain_threshold were NULL for intent): 39 rows against the
-- threshold of 100, then 39 against 30.
INSERT INTO ai_training_data (user_message, detected_intent, confidence_score)
SELECT prompt, route, 90 FROM cm_plain WHERE id < 40;
SELECT m ->> 'built_in' AS built_in, m -> 'active_model' AS active, m -> 'runs' ->> 'total' AS runs,
       m ->> 'new_rows' = get_ai_training_metrics() ->> 'samples_since_last_train' AS same_as_training_metrics,
       m ->> 'new_rows' AS new_rows, m -> 'retrain_due' AS due, m ->> 'auto_retrain_threshold' AS threshold,
       should_retrain() AS should_retrain
  FROM get_classifier_metrics('intent') AS m;
UPDATE ai_training_policy SET auto_retrain_threshold = 30;
SELECT m -> 'retrain_due' AS due, m ->> 'auto_retrain_threshold' AS threshold, should_retrain() AS should_retrain
  FROM get_classifier_metrics('intent') AS m;
UPDATE ai_training_policy SET auto_retrain_threshold = DEFAULT;

-- Privileges: closed to PUBLIC, granted with the metrics set. The models
-- and runs are read with the caller's table privileges; the source is
-- counted with the caller's rights (row-level security applies), and a
-- caller who may not read it gets NULL and the reason.
CREATE ROLE pgi_cm_dash;
CREATE ROLE pgi_cm_blind;
SELECT pg_temp.try($$SET ROLE pgi_cm_dash; SELECT get_classifier_metrics('cm_plain')$$) AS no_grant;
RESET ROLE;
SELECT count(*) > 0 AS granted FROM grant_intent_access('pgi_cm_dash', 'metrics');
SELECT count(*) > 0 AS granted FROM grant_intent_access('pgi_cm_blind', 'metrics');
SELECT pg_temp.try($$SET ROLE pgi_cm_dash; SELECT get_classifier_metrics('cm_plain')$$) AS no_table_grant;
RESET ROLE;
GRANT SELECT ON ai_intent_models, ai_training_runs TO pgi_cm_dash, pgi_cm_blind;
REVOKE SELECT (model) ON ai_intent_models FROM pgi_cm_dash, pgi_cm_blind;
GRANT SELECT ON cm_plain TO pgi_cm_dash;
ALTER TABLE cm_plain ENABLE ROW LEVEL SECURITY;
CREATE POLICY cm_plain_low ON cm_plain FOR SELECT TO pgi_cm_dash USING (id < 100);
-- The source is counted as the classifier's owner, in a security-restricted
-- operation (0.3.2), for a caller with the right to train it: the 5 rows
-- beyond the last run's, for the owner and for pgi_cm_dash alike (its own
-- policy does not narrow the count); pgi_cm_blind, without that right,
-- gets NULL and the reason.
INSERT INTO cm_plain SELECT id + 200000, prompt, route FROM cm_plain WHERE id <= 5;
SELECT get_classifier_metrics('cm_plain') ->> 'new_rows' AS owner_new_rows;
SELECT grant_classifier_access('cm_plain', 'pgi_cm_dash', 'train') ->> 'name' AS granted_train;
SET ROLE pgi_cm_dash;
SELECT get_classifier_metrics('cm_plain') ->> 'new_rows' AS dash_new_rows,
       get_classifier_metrics('cm_plain') -> 'active_model' ->> 'labels' AS labels;
RESET ROLE;
-- Without any right on the classifier (and no SELECT on ai_classifiers) it
-- is refused as an unknown one would be; with the right to predict only,
-- the count is NULL with the reason.
SET ROLE pgi_cm_blind;
SELECT pg_temp.try($$SELECT get_classifier_metrics('cm_plain')$$) AS blind_without_a_right;
SELECT pg_temp.try($$SELECT get_classifier_metrics('cm_nosuch')$$) AS blind_unknown;
-- The facts behind it answer for the caller only. The role's sets hold the
-- one-argument form; the form that answers for a role it is given is
-- granted to no one (before, the metrics set held it: given a superuser's
-- OID, it told any role of the recipe which classifiers exist, with their
-- key and time columns, last training and row count).
SELECT pg_temp.try($$SELECT * FROM intent_internal._pg_intent_classifier_facts('cm_plain', 10)$$) AS facts_for_another_role;
SELECT pg_temp.try($$SELECT intent_internal._pg_intent_classifier_refuse('cm_plain', 10, 'read')$$) AS refusal_for_another_role;
SELECT pg_temp.try($$SELECT * FROM intent_internal._pg_intent_classifier_facts('cm_plain')$$) AS facts_for_itself;
RESET ROLE;
SELECT grant_classifier_access('cm_plain', 'pgi_cm_blind', 'predict') ->> 'name' AS granted_predict;
SET ROLE pgi_cm_blind;
SELECT built_in, has_key, has_time_column FROM intent_internal._pg_intent_classifier_facts('cm_plain');
SELECT m ->> 'new_rows' AS new_rows, m ->> 'new_rows_unknown' AS why, m ->> 'retrain_due' AS due,
       m -> 'runs' ->> 'total' AS runs
  FROM get_classifier_metrics('cm_plain') AS m;
RESET ROLE;
SELECT has_function_privilege('public', 'get_classifier_metrics(text, integer)', 'EXECUTE') AS public_may;
-- A role with the right to predict only, which may not read the runs (a
-- customer of the Supabase recipe, whose policy on ai_training_runs shows
-- them to staff), learns from the facts neither when the last run started
-- nor how many source rows it counted (every tenant's rows together): only
-- the count, which needs the right to train, reads them. Before, any role
-- with any right on the classifier was given both.
CREATE ROLE pgi_cm_tenant;
SELECT count(*) > 0 AS granted FROM grant_intent_access('pgi_cm_tenant', 'metrics');
SELECT grant_classifier_access(c, 'pgi_cm_tenant', 'predict') ->> 'name' AS granted_predict
  FROM unnest(ARRAY['cm_plain', 'cm_router']) AS c;
SET ROLE pgi_cm_tenant;
SELECT pg_temp.try('SELECT count(*) FROM ai_training_runs') AS runs_table;
SELECT c AS classifier, f.since IS NULL AS since_hidden, f.rows_at_last IS NULL AS rows_at_last_hidden,
       f.has_time_column, f.threshold
  FROM unnest(ARRAY['cm_plain', 'cm_router']) AS c, intent_internal._pg_intent_classifier_facts(c) AS f;
RESET ROLE;
-- (to a role that may train it, they are there)
SELECT (SELECT f.rows_at_last FROM intent_internal._pg_intent_classifier_facts('cm_plain') AS f) IS NOT NULL AS plain_rows_at_last,
       (SELECT f.since FROM intent_internal._pg_intent_classifier_facts('cm_router') AS f) IS NOT NULL AS router_since;

-- Called above a Gather (a dashboard's query over a large table): the
-- leader runs it in parallel mode, where the count's subtransaction
-- (_pg_intent_try_count_classifier_source()) cannot start. PARALLEL UNSAFE,
-- so the planner keeps such a query serial. Before (PARALLEL RESTRICTED):
-- "cannot start subtransactions during a parallel operation".
CREATE TABLE cm_big AS SELECT g FROM generate_series(1, 20000) AS g;
ANALYZE cm_big;
SET max_parallel_workers_per_gather = 2;
SET parallel_setup_cost = 0;
SET parallel_tuple_cost = 0;
SET min_parallel_table_scan_size = 0;
SELECT (get_classifier_metrics(left('cm_plain' || s.n::text, 8)) ->> 'new_rows') IS NOT NULL AS counted, s.n
  FROM (SELECT count(*) AS n FROM cm_big WHERE g < 0) AS s;
RESET max_parallel_workers_per_gather;
RESET parallel_setup_cost;
RESET parallel_tuple_cost;
RESET min_parallel_table_scan_size;
DROP TABLE cm_big;

-- A time_column without a time zone is read in the policy's time zone
-- (snapshot_time_zone, UTC by default), never the caller's: which rows are
-- new (and fresh, and in the window) is the same in every session. Before,
-- the caller's TimeZone decided: rows stamped after the last run in UTC
-- were 4 new rows to a UTC session and none to a UTC+14 one, and
-- retrain_classifiers() retrained or not with them.
CREATE TABLE cm_naive AS SELECT id, prompt, route, (asked_at AT TIME ZONE 'UTC') AS asked_at FROM cm_prompts WHERE id < 100000;
SELECT create_classifier('cm_naive', 'cm_naive', 'prompt', 'route',
                         '{"key_column": "id", "time_column": "asked_at", "seed": 1}') IS NOT NULL AS created;
SELECT train_classifier('cm_naive') ->> 'status' AS trained;
INSERT INTO cm_naive
SELECT id + 200000, prompt, route, clock_timestamp() AT TIME ZONE 'UTC' FROM cm_naive WHERE id <= 4;
SET TimeZone = 'UTC';
SELECT get_classifier_metrics('cm_naive') ->> 'new_rows' AS utc_session;
SET TimeZone = 'Etc/GMT-14';
SELECT get_classifier_metrics('cm_naive') ->> 'new_rows' AS utc_plus_14_session;
SET TimeZone = 'Etc/GMT+12';
SELECT get_classifier_metrics('cm_naive') ->> 'new_rows' AS utc_minus_12_session;
-- The administrator's zone decides: read 14 hours ahead, the rows are older
-- than the last run, for every session.
UPDATE ai_training_policy SET snapshot_time_zone = 'Etc/GMT-14';
SELECT get_classifier_metrics('cm_naive') ->> 'new_rows' AS policy_plus_14;
SET TimeZone = 'UTC';
SELECT get_classifier_metrics('cm_naive') ->> 'new_rows' AS policy_plus_14_utc_session;
UPDATE ai_training_policy SET snapshot_time_zone = 'UTC';
RESET TimeZone;
SELECT current_setting('TimeZone') = (SELECT reset_val FROM pg_settings WHERE name = 'TimeZone') AS session_zone_untouched;
DROP TABLE cm_naive CASCADE;

-- A classifier created under a dropped one's name is another classifier:
-- its metrics, its snapshots and its review queue read its own runs (by
-- id), and the name's retraining back-off goes with the dropped one. Before,
-- the new cm_router showed the earlier one's runs and last run, its review
-- queue ranked the earlier run's suspects with the new source's texts, and
-- it backed off for the earlier one's failure.
INSERT INTO ai_classifier_retrain_failures (classifier, failed_at, rows_counted, sqlstate, error)
VALUES ('cm_router', now(), 0, 'XX000', 'a failure of the earlier cm_router');
SELECT m -> 'runs' ->> 'total' AS earlier_runs, m -> 'last_run' IS NOT NULL AS earlier_last_run,
       (SELECT count(*) FROM get_classifier_review_queue('cm_router', NULL, 5)) > 0 AS earlier_queue
  FROM get_classifier_metrics('cm_router', 30) AS m;
-- (its runs a day earlier, so that a snapshot of a complete period holds them)
UPDATE ai_training_runs SET started_at = started_at - interval '1 day' WHERE classifier = 'cm_router';
SELECT drop_classifier('cm_router') ->> 'runs_deleted' AS runs_deleted; -- the history stays
SELECT count(*) AS backoff_left FROM ai_classifier_retrain_failures WHERE classifier = 'cm_router';
SELECT create_classifier('cm_router', 'cm_prompts', 'prompt', 'route',
                         '{"key_column": "id", "time_column": "asked_at", "seed": 1}') IS NOT NULL AS created_again;
SELECT m -> 'runs' ->> 'total' AS runs, m -> 'last_run' AS last_run, m -> 'partitions_served_by_fallback' AS by_fallback,
       (SELECT count(*) FROM get_classifier_review_queue('cm_router', NULL, 5)) AS queue
  FROM get_classifier_metrics('cm_router', 30) AS m;
SELECT s ->> 'runs' AS snapshot_runs, s ->> 'model_id' AS snapshot_model
  FROM create_classifier_metrics_snapshot('cm_router', 'daily', now() - interval '1 day') AS s;

DROP EXTENSION pg_intent CASCADE;
DROP TABLE cm_raw, cm_prompts, cm_plain;
DROP ROLE pgi_cm_dash;
DROP ROLE pgi_cm_tenant;
DROP ROLE pgi_cm_blind;
