-- Months of use of pg_intent in one database, for test/scripts/pg_upgrade_major.sh
-- (run as a superuser in a new database): roles with default privileges on
-- the schema before the install (as Supabase's), the rows of the current
-- API's every area through upgrade_fill.sql (interactions, corrections,
-- models, a deploy and a rollback, a failed run, snapshots, shadow
-- predictions, evaluated interactions, cues, prompts), then a partitioned
-- classifier trained twice with grants and a snapshot, reviewed rows,
-- grants of access sets and tables, and a scheduled retraining's back-off
-- failure (ai_classifier_retrain_failures).
\set ON_ERROR_STOP 1
SET client_min_messages = warning;
DROP ROLE IF EXISTS pgu_app;
DROP ROLE IF EXISTS pgu_reviewer;
DROP ROLE IF EXISTS pgu_analyst;
CREATE ROLE pgu_app;
CREATE ROLE pgu_reviewer;
CREATE ROLE pgu_analyst;
-- Default privileges on the schema (the install revokes them from its own
-- objects; pg_upgrade must keep both the defaults and the revocations).
ALTER DEFAULT PRIVILEGES IN SCHEMA public GRANT ALL ON TABLES TO pgu_analyst;
ALTER DEFAULT PRIVILEGES IN SCHEMA public GRANT EXECUTE ON FUNCTIONS TO pgu_app;
ALTER DEFAULT PRIVILEGES IN SCHEMA public GRANT USAGE ON SEQUENCES TO pgu_app;
CREATE EXTENSION pg_intent;

\i test/scripts/upgrade_fill.sql

-- The texts predictions are compared on.
CREATE TABLE pgu_texts (split text, text text, intent text);
\copy pgu_texts FROM 'data/ecommerce_es.csv' WITH (FORMAT csv, HEADER true)

-- A classifier with partitions (three shops), trained, fed, trained again.
CREATE TABLE pgu_raw (split text, text text, intent text);
\copy pgu_raw FROM 'data/nlpjs_corpus50_es.csv' WITH (FORMAT csv, HEADER true)
CREATE TABLE pgu_prompts (id bigint PRIMARY KEY, prompt text, route text, asked_at timestamptz, shop text);
INSERT INTO pgu_prompts
SELECT n, text, split_part(intent, '.', 1), timestamptz '2026-11-01 00:00+00' - n * interval '1 hour', 'shop' || (n % 3)
  FROM (SELECT row_number() OVER (ORDER BY split, text, intent) AS n, text, intent FROM pgu_raw WHERE intent <> 'oos') AS r
 WHERE n % 5 <> 0;
SELECT create_classifier('pgu_router', 'pgu_prompts', 'prompt', 'route',
                         '{"key_column": "id", "time_column": "asked_at", "partition_column": "shop",
                           "min_partition_rows": 60, "seed": 1}') IS NOT NULL;
SELECT train_classifier('pgu_router', 'first') ->> 'status';
INSERT INTO pgu_prompts
SELECT n, text, split_part(intent, '.', 1), timestamptz '2026-11-01 00:00+00' - n * interval '1 hour', 'shop' || (n % 3)
  FROM (SELECT row_number() OVER (ORDER BY split, text, intent) AS n, text, intent FROM pgu_raw WHERE intent <> 'oos') AS r
 WHERE n % 5 = 0;
SELECT train_classifier('pgu_router', 'second') ->> 'status';
SELECT grant_classifier_access('pgu_router', 'pgu_app', 'predict') IS NOT NULL;
SELECT grant_classifier_access('pgu_router', 'pgu_reviewer', 'train') IS NOT NULL;
SELECT create_classifier_metrics_snapshot('pgu_router', 'daily', '2026-10-31 12:00+00') IS NOT NULL;

-- Reviews, grants of access sets and of a table.
SELECT approve_training_samples(ARRAY(SELECT id FROM ai_training_data WHERE NOT is_reviewed
                                       AND detected_intent IS NOT NULL ORDER BY user_message LIMIT 5)) IS NOT NULL;
SELECT grant_intent_access('pgu_reviewer', 'reviewer') IS NOT NULL;
GRANT SELECT ON ai_training_data TO pgu_analyst;
GRANT SELECT ON pgu_texts TO pgu_app;

-- A third model of intent, and a failed scheduled retraining's back-off
-- failure, as retrain_if_needed() records it.
SELECT train_intent_model('third', 'full', '{"seed": 13, "algorithm": "logistic_regression"}') ->> 'status';
SELECT intent_internal._pg_intent_classifier_retrain_record('intent', timestamptz '2026-11-20 10:00:00.123456+00', NULL, 'failed', 'XX000', 'a failed scheduled run');
