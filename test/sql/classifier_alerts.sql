-- ai_classifier_alerts (0.3.2): the named classifiers' alerts, by the rules
-- ai_metric_alerts applies to intent (an active model's F1 below 0.70, too
-- few training rows), and retraining_failing for both: the last scheduled
-- attempt failed and no run completed since (retrain_classifiers() and
-- retrain_if_needed() report a failure in their JSON, never as an error, so
-- a pg_cron job never showed it). Before, a named classifier had no alert
-- at all, and neither view said that scheduled retraining kept failing.
-- A reader sees the rows of the classifiers it may know of only
-- (get_classifier_metrics()'s check).
SET client_min_messages = warning;
SET pg_intent.allow_drop_with_data = on; -- the previous test's rows go (src/pg/drop_guard.cpp)
DROP EXTENSION IF EXISTS pg_intent CASCADE;
DROP TABLE IF EXISTS ca_raw, ca_random, ca_single, ca_few CASCADE;
DROP ROLE IF EXISTS pgi_ca_dash;
DROP ROLE IF EXISTS pgi_ca_blind;
CREATE EXTENSION pg_intent;
\i test/fixtures/try.sql

CREATE TABLE ca_raw (split text, text text, intent text);
\copy ca_raw FROM 'data/nlpjs_corpus50_es.csv' WITH (FORMAT csv, HEADER true)
CREATE TEMP VIEW ca_texts AS
SELECT row_number() OVER (ORDER BY split, text, intent) AS n, text, split_part(intent, '.', 1) AS intent
  FROM ca_raw WHERE intent <> 'oos';
-- Labels at random: a model with a low F1.
CREATE TABLE ca_random AS SELECT n AS id, text AS prompt, (ARRAY['a', 'b', 'c'])[1 + n % 3] AS route
  FROM ca_texts WHERE n <= 150;
-- One label: every run fails (PI001).
CREATE TABLE ca_single AS SELECT n AS id, text AS prompt, 'only'::text AS route FROM ca_texts WHERE n <= 150;
-- Ten rows: fewer than min_samples_for_training (20).
CREATE TABLE ca_few AS SELECT n AS id, text AS prompt, intent AS route FROM ca_texts WHERE n % 40 = 0 LIMIT 10;
SELECT create_classifier('ca_random', 'ca_random', 'prompt', 'route', '{"seed": 1}') ->> 'name' AS created;
SELECT create_classifier('ca_single', 'ca_single', 'prompt', 'route', '{"seed": 1}') ->> 'name' AS created;
SELECT create_classifier('ca_few', 'ca_few', 'prompt', 'route', '{"seed": 1}') ->> 'name' AS created;

-- Nothing trained yet: no alert.
SELECT count(*) AS before_any_run FROM ai_classifier_alerts;

-- Scheduled retraining: ca_random trains, ca_single fails (and backs off),
-- ca_few is not tried (too few rows). A trained ca_few run fails too.
SELECT c ->> 'classifier' AS classifier, c ->> 'retrained' AS retrained,
       coalesce(c #>> '{result,status}', c #>> '{error,sqlstate}', c ->> 'reason') AS outcome
  FROM jsonb_array_elements(retrain_classifiers() -> 'classifiers') AS c ORDER BY 1;
SELECT train_classifier('ca_few') ->> 'status' AS few_status;

-- The alerts: a value below its threshold, or retraining failing (its value
-- the hours since the failed attempt, from 0; the message has its time,
-- masked here, and SQLSTATE).
CREATE FUNCTION pg_temp.masked(p text) RETURNS text LANGUAGE sql AS $$
    SELECT regexp_replace(regexp_replace(p, '\d{4}-\d\d-\d\d \d\d:\d\d:\d\d \S+', '<time>', 'g'),
                          '[0-9]+([.,][0-9]+)? h', '<n> h', 'g')
$$;
SELECT classifier, partition, metric,
       CASE WHEN metric = 'retraining_failing' THEN value < 1 END AS recent,
       CASE WHEN metric <> 'retraining_failing' THEN value END AS value,
       threshold, comparison, severity, pg_temp.masked(message) AS message,
       failed_at IS NOT NULL AS has_failed_at, sqlstate
  FROM ai_classifier_alerts;
-- The F1 is the active model's, as get_classifier_metrics() gives it.
SELECT a.value = round((get_classifier_metrics('ca_random') #>> '{active_model,f1}')::numeric, 4) AS same_f1
  FROM ai_classifier_alerts AS a WHERE a.classifier = 'ca_random' AND a.metric = 'model_f1';
-- The failure is the back-off's row; its SQLSTATE, which the back-off
-- records only for an error reported for the classifier, the failed run's.
SELECT a.failed_at = f.failed_at AS same_failed_at, f.sqlstate AS recorded, a.sqlstate AS shown
  FROM ai_classifier_alerts AS a JOIN ai_classifier_retrain_failures AS f ON f.classifier = a.classifier
 WHERE a.metric = 'retraining_failing';

-- In Spanish.
SET pg_intent.language = 'es';
SELECT classifier, metric, pg_temp.masked(message) AS message FROM ai_classifier_alerts;
RESET pg_intent.language;

-- A completed run of ca_single (a second label) ends its failure: its alert
-- goes.
INSERT INTO ca_single SELECT n + 1000, text, 'other' FROM ca_texts WHERE n > 150 AND n <= 300;
SELECT train_classifier('ca_single') ->> 'status' AS single_status;
SELECT classifier, metric FROM ai_classifier_alerts WHERE classifier = 'ca_single';

-- Intent: retrain_if_needed() over rows of one intent fails its run
-- (PI001) and backs off; ai_metric_alerts says so, with the run's SQLSTATE.
UPDATE ai_training_policy SET auto_retrain_threshold = 20;
INSERT INTO ai_training_data (user_message, detected_intent, confidence_score)
SELECT text, 'return_process', 90 FROM ca_texts WHERE n <= 30;
SELECT r ->> 'retrained' AS retrained, r #>> '{result,status}' AS status, r #>> '{result,sqlstate}' AS sqlstate
  FROM retrain_if_needed() AS r;
SELECT metric, CASE WHEN metric = 'retraining_failing' THEN value < 1 ELSE NULL END AS recent,
       threshold, comparison, pg_temp.masked(message) AS message
  FROM ai_metric_alerts WHERE metric = 'retraining_failing';
SET pg_intent.language = 'es';
SELECT metric, pg_temp.masked(message) AS message FROM ai_metric_alerts WHERE metric = 'retraining_failing';
RESET pg_intent.language;
-- Raised (p_raise_on_failure), the failed run's row is rolled back: the
-- alert stays, and says its SQLSTATE is unknown.
UPDATE ai_training_policy SET retry_failed_after = '1 second';
SELECT pg_sleep(1.1);
SELECT left(pg_temp.try('SELECT retrain_if_needed(p_raise_on_failure => true)'), 5) AS raised;
UPDATE ai_training_policy SET retry_failed_after = DEFAULT;
SELECT metric, pg_temp.masked(message) AS message FROM ai_metric_alerts WHERE metric = 'retraining_failing';

-- Who sees what: pgi_ca_dash may predict with ca_random only, pgi_ca_blind
-- holds no right on any classifier; both hold the metrics set and the view.
-- Neither sees a row of a classifier it may not know of.
CREATE ROLE pgi_ca_dash;
CREATE ROLE pgi_ca_blind;
SELECT count(*) > 0 AS granted FROM grant_intent_access('pgi_ca_dash', 'metrics');
SELECT count(*) > 0 AS granted FROM grant_intent_access('pgi_ca_blind', 'metrics');
SELECT pg_temp.try($$SET ROLE pgi_ca_dash; SELECT * FROM ai_classifier_alerts$$) AS without_the_view;
RESET ROLE;
GRANT SELECT ON ai_classifier_alerts TO pgi_ca_dash, pgi_ca_blind;
SELECT grant_classifier_access('ca_random', 'pgi_ca_dash', 'predict') ->> 'name' AS granted_predict;
SET ROLE pgi_ca_dash;
SELECT classifier, metric FROM ai_classifier_alerts;
RESET ROLE;
SET ROLE pgi_ca_blind;
SELECT count(*) AS blind_rows FROM ai_classifier_alerts;
-- intent's alert needs no privilege on ai_training_runs (its failure is
-- read as the owner): a dashboard role granted the live metrics' tables.
RESET ROLE;
GRANT SELECT ON ai_training_data, ai_intent_corrections, ai_live_metrics, ai_metric_alerts TO pgi_ca_blind;
GRANT SELECT (id, version, run_id, algorithm, size_bytes, sha256, intents, metrics, confidence_threshold, is_active,
              created_at, deployed_at, deleted_at, classifier, partition_key) ON ai_intent_models TO pgi_ca_blind;
SET ROLE pgi_ca_blind;
SELECT metric FROM ai_metric_alerts WHERE metric = 'retraining_failing';
-- The form that answers for a role it is given is granted to no one.
SELECT left(pg_temp.try($$SELECT * FROM intent_internal._pg_intent_classifier_alerts(10::oid)$$), 5) AS for_another_role;
RESET ROLE;

-- Cheap: the view reads no source (a source that fails to read does not
-- fail it).
CREATE OR REPLACE VIEW ca_few_broken AS SELECT id, prompt, route FROM ca_few WHERE 1 / 0 = 1;
SELECT alter_classifier('ca_few', '{"source": "ca_few_broken"}') ->> 'name' AS altered;
SELECT count(*) > 0 AS still_answers FROM ai_classifier_alerts;

RESET ROLE;
DROP EXTENSION pg_intent CASCADE;
DROP TABLE ca_raw, ca_random, ca_single, ca_few CASCADE;
DROP ROLE pgi_ca_dash;
DROP ROLE pgi_ca_blind;
