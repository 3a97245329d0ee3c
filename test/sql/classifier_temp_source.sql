-- A classifier's source is never a temporary relation (the sources sweep).
-- A classifier outlives the session and other sessions read its source:
-- retrain_classifiers() (pg_cron, the extension owner), a train grantee, the
-- dashboards. Before, create_classifier() took a temporary table: it
-- trained in its creator's session only, every other reader got 42501
-- "permission denied for schema pg_temp_N" with a hint to grant USAGE on
-- it, and once the session ended the classifier had no source (its recorded
-- name pg_temp_N.x, which a restore binds by, another session's name).
-- The rule is _pg_intent_classifier_check_source()'s (42809), checked at
-- creation, at every change, before every training and every count.
-- Also: the relation kinds that are no source (42809), and a temporary
-- table that shadows a permanent source's name in the caller's search_path
-- at train and predict time (the source is bound by OID, read by its
-- qualified name: the permanent table is read).
SET client_min_messages = warning;
SET pg_intent.allow_drop_with_data = on;
DROP EXTENSION IF EXISTS pg_intent CASCADE;
DROP SCHEMA IF EXISTS ts_alice CASCADE;
DROP ROLE IF EXISTS pgi_ts_alice;
CREATE EXTENSION pg_intent;
RESET pg_intent.allow_drop_with_data;
\i test/fixtures/try.sql

CREATE ROLE pgi_ts_alice;
SELECT count(*) > 0 AS granted FROM grant_intent_access('pgi_ts_alice', 'classifiers');
CREATE SCHEMA ts_alice AUTHORIZATION pgi_ts_alice;
CREATE TABLE ts_alice.raw (split text, text text, intent text);
\copy ts_alice.raw FROM 'data/ecommerce_es.csv' WITH (FORMAT csv, HEADER true)
ALTER TABLE ts_alice.raw OWNER TO pgi_ts_alice;

SET ROLE pgi_ts_alice;
-- Temporary relations: a table, an ON COMMIT DROP table, a view (and a
-- view over a temporary table, which PostgreSQL makes temporary).
CREATE TEMP TABLE ts_tmp AS SELECT text, intent FROM ts_alice.raw;
SELECT pg_temp.try($$SELECT create_classifier('ts_tmp', 'ts_tmp', 'text', 'intent')$$) AS temp_table;
CREATE TEMP VIEW ts_tmp_view AS SELECT text, intent FROM ts_alice.raw;
SELECT pg_temp.try($$SELECT create_classifier('ts_tmp_view', 'ts_tmp_view', 'text', 'intent')$$) AS temp_view;
CREATE VIEW ts_view_over_tmp AS SELECT text, intent FROM ts_tmp;
SELECT pg_temp.try($$SELECT create_classifier('ts_over', 'ts_view_over_tmp', 'text', 'intent')$$) AS view_over_temp;
BEGIN;
CREATE TEMP TABLE ts_ocd ON COMMIT DROP AS SELECT text, intent FROM ts_alice.raw;
SELECT pg_temp.try($$SELECT create_classifier('ts_ocd', 'ts_ocd', 'text', 'intent')$$) AS on_commit_drop;
COMMIT;
RESET ROLE;
SELECT count(*) AS classifiers_created FROM ai_classifiers WHERE name LIKE 'ts\_%';
SET ROLE pgi_ts_alice;

-- alter_classifier() to a temporary source: the same rule.
CREATE TABLE ts_alice.rows AS SELECT text, intent FROM ts_alice.raw;
SELECT create_classifier('ts_perm', 'ts_alice.rows', 'text', 'intent', '{"seed": 1}') ->> 'source' AS created;
SELECT pg_temp.try($$SELECT alter_classifier('ts_perm', '{"source": "ts_tmp"}')$$) AS alter_to_temp;
RESET ROLE;
SELECT source_name FROM ai_classifiers WHERE name = 'ts_perm';
SET ROLE pgi_ts_alice;

-- A temporary table that shadows the source's name (pg_temp comes first in
-- every search_path): training and prediction still read the permanent
-- table, bound by OID and read by its qualified name.
CREATE TEMP TABLE rows (text text, intent text);
INSERT INTO rows SELECT 'sombra ' || g, 'shadow_label' FROM generate_series(1, 500) AS g;
SET search_path = ts_alice, public;
SELECT t ->> 'status' AS trained,
       (t ->> 'total_intents')::int = (SELECT count(DISTINCT intent) FROM ts_alice.rows) AS the_permanent_labels
  FROM train_classifier('ts_perm') AS t;
SELECT label <> 'shadow_label' AS not_the_shadow FROM predict_label('ts_perm', 'sombra 1');
RESET search_path;
DROP TABLE pg_temp.rows;

-- Relation kinds that are no source.
CREATE SEQUENCE ts_alice.seq;
CREATE TYPE ts_alice.pair AS (text text, intent text);
CREATE INDEX ts_rows_text ON ts_alice.rows (text);
SELECT pg_temp.try($$SELECT create_classifier('ts_seq', 'ts_alice.seq', 'text', 'intent')$$) AS sequence;
SELECT pg_temp.try($$SELECT create_classifier('ts_type', 'ts_alice.pair', 'text', 'intent')$$) AS composite_type;
SELECT pg_temp.try($$SELECT create_classifier('ts_index', 'ts_alice.ts_rows_text', 'text', 'intent')$$) AS index;
DROP VIEW ts_view_over_tmp;
DROP TABLE ts_tmp;
RESET ROLE;

SET client_min_messages = warning;
SET pg_intent.allow_drop_with_data = on;
DROP EXTENSION pg_intent CASCADE;
DROP SCHEMA ts_alice CASCADE;
DROP ROLE pgi_ts_alice;
