-- create_classifier_metrics_snapshot() (0.3.1): a classifier's health over a
-- complete period, frozen in ai_classifier_metrics_snapshots. The models are
-- those serving at the period's end (the last deployment before it, per
-- partition), the runs those started in it, the new rows those whose
-- time_column falls in it, counted with the caller's rights. The periods
-- are cut by the same rule as create_metrics_snapshot()'s. Every error with
-- its SQLSTATE.
SET client_min_messages = warning;
SET pg_intent.allow_drop_with_data = on; -- the previous test's rows go (src/pg/drop_guard.cpp)
DROP EXTENSION IF EXISTS pg_intent CASCADE;
DROP TABLE IF EXISTS cs_raw, cs_prompts, cs_plain;
DROP ROLE IF EXISTS pgi_cs_dash;
DROP ROLE IF EXISTS pgi_cs_blind;
DROP SCHEMA IF EXISTS cs_b CASCADE;
DROP TABLE IF EXISTS cs_orphan_src;
DROP ROLE IF EXISTS pgi_cs_tenant;
DROP ROLE IF EXISTS pgi_cs_gone;
CREATE EXTENSION pg_intent;
\i test/fixtures/try.sql

-- Prompts of the nlp.js Spanish corpus (MIT, data/README.md) routed by the
-- domain of their intent, one an hour back from 2026-11-01 00:00 UTC; three
-- shops.
CREATE TABLE cs_raw (split text, text text, intent text);
\copy cs_raw FROM 'data/nlpjs_corpus50_es.csv' WITH (FORMAT csv, HEADER true)
CREATE TABLE cs_prompts (id bigint PRIMARY KEY, prompt text, route text, asked_at timestamptz, shop text);
INSERT INTO cs_prompts
SELECT n, text, split_part(intent, '.', 1), timestamptz '2026-11-01 00:00+00' - n * interval '1 hour', 'shop' || (n % 3)
  FROM (SELECT row_number() OVER (ORDER BY split, text, intent) AS n, text, intent FROM cs_raw WHERE intent <> 'oos') AS r;
CREATE TABLE cs_plain AS SELECT id, prompt, route FROM cs_prompts;
SELECT count(*) >= 200 AS enough_rows FROM cs_prompts;

SELECT create_classifier('cs_router', 'cs_prompts', 'prompt', 'route',
                         '{"key_column": "id", "time_column": "asked_at", "seed": 1}') IS NOT NULL AS created;
SELECT create_classifier('cs_plain', 'cs_plain', 'prompt', 'route', '{"seed": 1}') IS NOT NULL AS created;

-- Bad input.
SELECT pg_temp.try($$SELECT create_classifier_metrics_snapshot(NULL)$$) AS null_name;
SELECT pg_temp.try($$SELECT create_classifier_metrics_snapshot('cs_router', NULL)$$) AS null_period;
SELECT pg_temp.try($$SELECT create_classifier_metrics_snapshot('cs_router', 'yearly')$$) AS bad_period;
SELECT left(pg_temp.try($$SELECT create_classifier_metrics_snapshot('cs_router', 'daily', now())$$), 24) AS not_over;
SELECT pg_temp.try($$SELECT create_classifier_metrics_snapshot('cs_router', 'daily', 'infinity')$$) AS infinite;
SELECT pg_temp.try($$SELECT create_classifier_metrics_snapshot('nope')$$) AS unknown_classifier;
-- A period starting before the earliest timestamp is a bad period too (not
-- date_trunc()'s 22008).
-- (shown in UTC: before 1883 a zone's offset is its local mean time, which
-- differs between time zone databases)
SET TimeZone = 'UTC';
SELECT pg_temp.try($$SELECT create_classifier_metrics_snapshot('cs_router', 'monthly', '4714-11-24 00:00:00+00 BC')$$) AS before_time;
SELECT pg_temp.try($$SELECT create_metrics_snapshot('monthly', '4714-11-24 00:00:00+00 BC')$$) AS before_time;
RESET TimeZone;
SELECT count(*) AS snapshots_after_errors FROM ai_classifier_metrics_snapshots;

-- Before any training: no model, no run; the rows of 2026-10-31 (UTC) are
-- the 24 asked that day.
SELECT s ->> 'model_id' AS model, s ->> 'runs' AS runs, s ->> 'new_rows' AS new_rows,
       (s ->> 'period_start')::timestamptz AT TIME ZONE 'UTC' AS period_start,
       (s ->> 'period_end')::timestamptz AT TIME ZONE 'UTC' AS period_end,
       s ->> 'partition_models' AS partition_models, s -> 'deploy_reasons' AS reasons
  FROM create_classifier_metrics_snapshot('cs_router', 'daily', '2026-10-31 12:00+00') AS s;

-- Trained, and the run and deployment moved back to 2026-10-31 10:00, as if
-- they had happened then.
SELECT train_classifier('cs_router', 'first') ->> 'status' AS trained;
UPDATE ai_training_runs SET started_at = '2026-10-31 10:00+00', finished_at = '2026-10-31 10:01+00'
 WHERE classifier = 'cs_router';
UPDATE ai_model_deployments SET deployed_at = '2026-10-31 10:01+00' WHERE classifier = 'cs_router';
SELECT (s ->> 'model_id')::bigint = (SELECT id FROM ai_intent_models WHERE classifier = 'cs_router' AND is_active) AS model_is_the_deployed,
       s ->> 'model_version' = (SELECT version FROM ai_intent_models WHERE classifier = 'cs_router' AND is_active) AS version_is_the_models,
       (s ->> 'model_f1')::float8 BETWEEN 0 AND 1 AS f1_is_a_fraction,
       (s ->> 'model_f1')::float8 = (SELECT (metrics ->> 'f1')::float8 FROM ai_intent_models WHERE classifier = 'cs_router' AND is_active) AS f1_is_the_models,
       (s ->> 'model_accuracy')::float8 BETWEEN 0 AND 1 AS accuracy_is_a_fraction,
       s ->> 'runs' AS runs, s ->> 'runs_completed' AS completed, s ->> 'runs_failed' AS failed,
       s ->> 'runs_deployed' AS deployed, s -> 'deploy_reasons' AS reasons, s ->> 'new_rows' AS new_rows
  FROM create_classifier_metrics_snapshot('cs_router', 'daily', '2026-10-31 12:00+00') AS s;
-- Taken again: the same row, updated; one row per classifier and period.
SELECT count(*) AS rows, count(DISTINCT id) AS ids FROM ai_classifier_metrics_snapshots
 WHERE classifier = 'cs_router' AND period_type = 'daily';
-- The day before: nothing was deployed yet; the model is not the period's.
SELECT s ->> 'model_id' AS model_before, s ->> 'runs' AS runs_before, s ->> 'new_rows' AS new_rows_before
  FROM create_classifier_metrics_snapshot('cs_router', 'daily', '2026-10-30 12:00+00') AS s;

-- A second model deployed on 2026-11-02: that day's snapshot names it, and
-- the snapshot of 2026-10-31 (taken again) still the first.
SELECT train_classifier('cs_router', 'second', '{"deploy": "always"}') ->> 'status' AS trained;
UPDATE ai_training_runs SET started_at = '2026-11-02 09:00+00', finished_at = '2026-11-02 09:01+00'
 WHERE classifier = 'cs_router' AND run_name = 'second';
UPDATE ai_model_deployments SET deployed_at = '2026-11-02 09:01+00'
 WHERE classifier = 'cs_router' AND deployed_at > '2026-11-20';
SELECT (s ->> 'model_id')::bigint = (SELECT id FROM ai_intent_models WHERE classifier = 'cs_router' AND is_active) AS second_is_served,
       s ->> 'runs' AS runs, s -> 'deploy_reasons' AS reasons, s ->> 'new_rows' AS new_rows
  FROM create_classifier_metrics_snapshot('cs_router', 'daily', '2026-11-02 12:00+00') AS s;
SELECT (s ->> 'model_id')::bigint = (SELECT id FROM ai_intent_models WHERE classifier = 'cs_router' ORDER BY id LIMIT 1) AS first_still_served
  FROM create_classifier_metrics_snapshot('cs_router', 'daily', '2026-10-31 12:00+00') AS s;

-- Partitions: each shop's model serving at the end of the period.
SELECT alter_classifier('cs_router', '{"partition_column": "shop", "min_partition_rows": 150}') IS NOT NULL AS partitioned;
SELECT train_classifier('cs_router', 'shops', '{"deploy": "always"}') ->> 'status' AS trained;
UPDATE ai_model_deployments SET deployed_at = '2026-11-03 09:01+00'
 WHERE classifier = 'cs_router' AND deployed_at > '2026-11-20';
SELECT s ->> 'partition_models' AS shop_models,
       s ->> 'partition_models' = (SELECT count(*)::text FROM ai_intent_models
                                    WHERE classifier = 'cs_router' AND is_active AND partition_key IS NOT NULL) AS all_shops,
       (s ->> 'partition_f1_min')::float8 <= (s ->> 'partition_f1_median')::float8 AS ordered,
       (SELECT array_agg(w ->> 'partition' ORDER BY ord) FROM jsonb_array_elements(s -> 'weakest') WITH ORDINALITY AS x(w, ord))
           = (SELECT array_agg(partition_key ORDER BY (metrics ->> 'f1')::float8, partition_key)
                FROM ai_intent_models WHERE classifier = 'cs_router' AND is_active AND partition_key IS NOT NULL) AS weakest_first,
       (s ->> 'model_id')::bigint = (SELECT id FROM ai_intent_models
                                      WHERE classifier = 'cs_router' AND is_active AND partition_key IS NULL) AS fallback_served
  FROM create_classifier_metrics_snapshot('cs_router', 'daily', '2026-11-03 12:00+00') AS s;
-- A snapshot stores the same figures whatever its taker's extra_float_digits
-- (the next day's models are the same ones): the F1s go into jsonb through
-- their text form, and -15 stored them cut to one digit.
SET extra_float_digits = -15;
SELECT s -> 'weakest' = (SELECT details -> 'weakest' FROM ai_classifier_metrics_snapshots
                          WHERE classifier = 'cs_router' AND period_start = '2026-11-03 00:00+00') AS same_weakest_any_float_digits
  FROM create_classifier_metrics_snapshot('cs_router', 'daily', '2026-11-04 12:00+00') AS s;
RESET extra_float_digits;
DELETE FROM ai_classifier_metrics_snapshots WHERE classifier = 'cs_router' AND period_start = '2026-11-04 00:00+00';
-- The columns hold what the function returned.
SELECT classifier, period_type, period_start AT TIME ZONE 'UTC' AS period_start,
       model_id = (SELECT min(id) FROM ai_intent_models WHERE version = s.model_version) AS version_matches_id, partition_models,
       runs, runs_completed, runs_deployed, new_rows, details -> 'deploy_reasons' AS reasons
  FROM ai_classifier_metrics_snapshots AS s ORDER BY classifier, period_start;

-- A classifier without a time column: no new rows, and why.
SELECT s ->> 'new_rows' AS new_rows, s ->> 'new_rows_unknown' AS why, s ->> 'runs' AS runs
  FROM create_classifier_metrics_snapshot('cs_plain', 'hourly') AS s;

-- The built-in classifier: the messages logged in the period.
INSERT INTO ai_training_data (user_message, detected_intent, confidence_score, created_at)
SELECT prompt, route, 90, asked_at FROM cs_plain JOIN cs_prompts USING (id, prompt, route) WHERE id <= 30;
SELECT s ->> 'new_rows' AS intent_new_rows, s ->> 'model_id' AS intent_model, s ->> 'classifier' AS classifier
  FROM create_classifier_metrics_snapshot('intent', 'daily', '2026-10-31 12:00+00') AS s;

-- Periods cut in another time zone overlap: refused, with the rows named.
UPDATE ai_training_policy SET snapshot_time_zone = 'Asia/Kolkata';
SELECT pg_temp.try($$SELECT create_classifier_metrics_snapshot('cs_router', 'daily', '2026-10-31 12:00+00')$$) AS overlapping;
UPDATE ai_training_policy SET snapshot_time_zone = 'UTC';

-- Privileges: closed to PUBLIC, granted with the metrics set. The models,
-- runs and deployments are read with the caller's table privileges; the
-- source is counted as the classifier's owner in a security-restricted
-- operation (0.3.2) for a caller with the right to train it (its own
-- row-level security does not narrow the count), and another caller stores
-- NULL and the reason.
CREATE ROLE pgi_cs_dash;
CREATE ROLE pgi_cs_blind;
SELECT has_function_privilege('public', 'create_classifier_metrics_snapshot(text, text, timestamptz)', 'EXECUTE') AS public_may;
SELECT pg_temp.try($$SET ROLE pgi_cs_dash; SELECT create_classifier_metrics_snapshot('cs_router', 'daily', '2026-10-31 12:00+00')$$) AS no_grant;
RESET ROLE;
SELECT count(*) > 0 AS granted FROM grant_intent_access('pgi_cs_dash', 'metrics');
SELECT count(*) > 0 AS granted FROM grant_intent_access('pgi_cs_blind', 'metrics');
SELECT pg_temp.try($$SET ROLE pgi_cs_dash; SELECT create_classifier_metrics_snapshot('cs_router', 'daily', '2026-10-31 12:00+00')$$) AS no_table_grant;
RESET ROLE;
GRANT SELECT ON ai_intent_models, ai_training_runs, ai_model_deployments TO pgi_cs_dash, pgi_cs_blind;
REVOKE SELECT (model) ON ai_intent_models FROM pgi_cs_dash, pgi_cs_blind;
GRANT SELECT, INSERT, UPDATE ON ai_classifier_metrics_snapshots TO pgi_cs_dash, pgi_cs_blind;
GRANT SELECT ON cs_prompts TO pgi_cs_dash;
ALTER TABLE cs_prompts ENABLE ROW LEVEL SECURITY;
CREATE POLICY cs_prompts_shop0 ON cs_prompts FOR SELECT TO pgi_cs_dash USING (shop = 'shop0');
SELECT grant_classifier_access('cs_router', 'pgi_cs_dash', 'train') ->> 'name' AS granted_train;
SET ROLE pgi_cs_dash;
SELECT s ->> 'new_rows' AS all_new_rows,
       (s ->> 'model_id')::bigint = (SELECT min(id) FROM ai_intent_models WHERE classifier = 'cs_router') AS first_model
  FROM create_classifier_metrics_snapshot('cs_router', 'daily', '2026-10-31 12:00+00') AS s;
RESET ROLE;
SET ROLE pgi_cs_blind;
SELECT pg_temp.try($$SELECT create_classifier_metrics_snapshot('cs_router', 'daily', '2026-10-31 12:00+00')$$) AS blind_without_a_right;
RESET ROLE;
SELECT grant_classifier_access('cs_router', 'pgi_cs_blind', 'predict') ->> 'name' AS granted_predict;
SET ROLE pgi_cs_blind;
SELECT s ->> 'new_rows' AS new_rows, s ->> 'new_rows_unknown' AS why, s ->> 'runs' AS runs
  FROM create_classifier_metrics_snapshot('cs_router', 'daily', '2026-10-31 12:00+00') AS s;
RESET ROLE;
-- The period's stored count, taken by a caller that could, stays (it was
-- overwritten with NULL).
SELECT new_rows, details -> 'new_rows_unknown' AS why FROM ai_classifier_metrics_snapshots
 WHERE classifier = 'cs_router' AND period_start = '2026-10-31 00:00+00';

-- So it does in a period no model served (an audit: it was judged by the
-- stored row's model, and with none the count was lost), but not for a
-- classifier created under a dropped one's name.
SELECT create_classifier('cs_new', 'cs_prompts', 'prompt', 'route', '{"time_column": "asked_at"}') IS NOT NULL AS created;
SELECT grant_classifier_access('cs_new', 'pgi_cs_blind', 'predict') ->> 'name' AS granted_predict;
SELECT s ->> 'new_rows' AS counted, s -> 'model_id' AS model
  FROM create_classifier_metrics_snapshot('cs_new', 'daily', '2026-10-31 12:00+00') AS s;
SET ROLE pgi_cs_blind;
SELECT s ->> 'new_rows' AS new_rows FROM create_classifier_metrics_snapshot('cs_new', 'daily', '2026-10-31 12:00+00') AS s;
RESET ROLE;
SELECT new_rows AS kept FROM ai_classifier_metrics_snapshots WHERE classifier = 'cs_new' AND period_start = '2026-10-31 00:00+00';
SELECT drop_classifier('cs_new') IS NOT NULL AS dropped;
SELECT create_classifier('cs_new', 'cs_prompts', 'prompt', 'route', '{"time_column": "asked_at"}') IS NOT NULL AS created_again;
SELECT grant_classifier_access('cs_new', 'pgi_cs_blind', 'predict') ->> 'name' AS granted_predict;
SET ROLE pgi_cs_blind;
SELECT s ->> 'new_rows' AS new_rows FROM create_classifier_metrics_snapshot('cs_new', 'daily', '2026-10-31 12:00+00') AS s;
RESET ROLE;
SELECT new_rows AS not_the_dropped_ones, details ->> 'new_rows_unknown' AS why FROM ai_classifier_metrics_snapshots
 WHERE classifier = 'cs_new' AND period_start = '2026-10-31 00:00+00';
SELECT drop_classifier('cs_new') IS NOT NULL AS dropped;

-- Any other reason to have no count is stored, with the reason: here the
-- classifier has no time_column any more.
SELECT alter_classifier('cs_router', '{"time_column": null}') IS NOT NULL AS altered;
SELECT s ->> 'new_rows' AS new_rows, s ->> 'new_rows_unknown' AS why
  FROM create_classifier_metrics_snapshot('cs_router', 'daily', '2026-10-31 12:00+00') AS s;
SELECT new_rows, details ->> 'new_rows_unknown' AS why FROM ai_classifier_metrics_snapshots
 WHERE classifier = 'cs_router' AND period_start = '2026-10-31 00:00+00';

-- A count that fails (here a view's time that fails to read in a row
-- without a text, which no run reads) is reported in the snapshot, not
-- raised: a scheduled snapshot keeps its period.
CREATE VIEW cs_dirty AS
SELECT prompt, route, (CASE WHEN prompt IS NULL THEN 'not a time' ELSE asked_at::text END)::timestamptz AS asked_at
  FROM (SELECT prompt, route, asked_at FROM cs_prompts UNION ALL SELECT NULL, 'x', NULL) AS s;
SELECT create_classifier('cs_dirty', 'cs_dirty', 'prompt', 'route', '{"time_column": "asked_at", "seed": 1}') IS NOT NULL AS created;
SELECT s ->> 'new_rows' AS new_rows, s ->> 'new_rows_unknown' AS why
  FROM create_classifier_metrics_snapshot('cs_dirty', 'daily', '2026-10-31 12:00+00') AS s;
SELECT drop_classifier('cs_dirty') IS NOT NULL AS dropped;
DROP VIEW cs_dirty;

-- The documented job takes every classifier's snapshot in one statement:
-- any failure of one classifier's count (its own code run as its owner
-- raising; an orphaned classifier, whose source has no owner to be read
-- as) stores that row without the count, and every classifier gets its row.
CREATE ROLE pgi_cs_tenant NOLOGIN;
SELECT count(*) > 0 AS granted FROM grant_intent_access('pgi_cs_tenant', 'classifiers');
CREATE SCHEMA cs_b AUTHORIZATION pgi_cs_tenant;
SET ROLE pgi_cs_tenant;
CREATE TABLE cs_b.t (id int PRIMARY KEY, txt text, label text, at timestamptz DEFAULT now() - interval '1 day');
INSERT INTO cs_b.t (id, txt, label) VALUES (1, 'hola', 'a');
CREATE FUNCTION cs_b.boom(timestamptz) RETURNS timestamptz LANGUAGE plpgsql AS $$BEGIN RAISE EXCEPTION 'no snapshot for you'; END$$;
CREATE VIEW cs_b.v AS SELECT id, txt, label, cs_b.boom(at) AS at FROM cs_b.t;
SELECT create_classifier('cs_boom', 'cs_b.v', 'txt', 'label', '{"key_column": "id", "time_column": "at"}') IS NOT NULL AS created;
RESET ROLE;
CREATE ROLE pgi_cs_gone NOLOGIN;
SELECT count(*) > 0 AS granted FROM grant_intent_access('pgi_cs_gone', 'classifiers');
CREATE TABLE cs_orphan_src (id int PRIMARY KEY, txt text, label text, at timestamptz DEFAULT now() - interval '1 day');
INSERT INTO cs_orphan_src (id, txt, label) VALUES (1, 'hola', 'a');
GRANT SELECT ON cs_orphan_src TO pgi_cs_gone;
SET ROLE pgi_cs_gone;
SELECT create_classifier('cs_orphan', 'cs_orphan_src', 'txt', 'label', '{"key_column": "id", "time_column": "at"}') IS NOT NULL AS created;
RESET ROLE;
DROP OWNED BY pgi_cs_gone;
DROP ROLE pgi_cs_gone;
SELECT name, orphaned FROM ai_classifier_owners WHERE name = 'cs_orphan';
SELECT count(*) AS snapshots_taken
  FROM (SELECT public.create_classifier_metrics_snapshot(name, 'daily') FROM public.ai_classifiers) AS job;
SELECT classifier, new_rows, details ->> 'new_rows_unknown' AS why FROM ai_classifier_metrics_snapshots
 WHERE period_type = 'daily' AND period_end = date_trunc('day', now(), 'UTC') ORDER BY classifier;
-- get_classifier_metrics() counts by the same rule
-- (_pg_intent_try_count_classifier_source()): new_rows NULL and the
-- reason, the same text the snapshot stored, not an error.
SELECT m.classifier, m.j ->> 'new_rows' AS new_rows, m.j ->> 'new_rows_unknown' AS why,
       m.j ->> 'new_rows_unknown' = s.details ->> 'new_rows_unknown' AS as_the_snapshot
  FROM (SELECT c.name AS classifier, get_classifier_metrics(c.name) AS j
          FROM ai_classifiers AS c WHERE c.name IN ('cs_boom', 'cs_orphan')) AS m
  JOIN ai_classifier_metrics_snapshots AS s
    ON s.classifier = m.classifier AND s.period_type = 'daily' AND s.period_end = date_trunc('day', now(), 'UTC')
 ORDER BY m.classifier;
SELECT drop_classifier('cs_boom') IS NOT NULL AS dropped, drop_classifier('cs_orphan') IS NOT NULL AS dropped;
DROP SCHEMA cs_b CASCADE;
DROP TABLE cs_orphan_src;
DROP OWNED BY pgi_cs_tenant;
DROP ROLE pgi_cs_tenant;

-- A dropped classifier: no new snapshot, and its history stays.
SELECT drop_classifier('cs_plain') IS NOT NULL AS dropped;
SELECT pg_temp.try($$SELECT create_classifier_metrics_snapshot('cs_plain', 'hourly')$$) AS dropped_classifier;
SELECT count(*) AS plain_history FROM ai_classifier_metrics_snapshots WHERE classifier = 'cs_plain';

DROP EXTENSION pg_intent CASCADE;
DROP TABLE cs_raw, cs_prompts, cs_plain;
DROP ROLE pgi_cs_dash;
DROP ROLE pgi_cs_blind;
