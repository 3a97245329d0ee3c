-- PostgreSQL 18's virtual generated columns as a classifier's columns (the
-- sources sweep). A virtual column is computed when it is read, by the role
-- that reads: pg_intent reads a source as the classifier's owner in a
-- security-restricted operation (src/pg/as_owner.cpp), whoever calls. 18
-- allows only built-in functions, operators and types in the expression
-- (a user function, operator, type or domain is refused with 0A000, also
-- through a cast), so no user code runs there. Each column role may be a
-- virtual column: text, label, key, time, partition, reviewed, weight; the
-- readers (training as the owner and as a train grantee, retrain_classifiers()
-- as a superuser, the dashboards' counts, the review queue, prediction) read
-- them. Before 18 this test only says it skipped (classifier_virtual_columns_1.out).
SET client_min_messages = warning;
SELECT current_setting('server_version_num')::int >= 180000 AS pg18 \gset
\if :pg18
\else
\echo 'skipped: virtual generated columns need PostgreSQL 18'
\quit
\endif
SET pg_intent.allow_drop_with_data = on;
DROP EXTENSION IF EXISTS pg_intent CASCADE;
DROP SCHEMA IF EXISTS vc_alice CASCADE;
DROP ROLE IF EXISTS pgi_vc_alice;
DROP ROLE IF EXISTS pgi_vc_bob;
CREATE EXTENSION pg_intent;
RESET pg_intent.allow_drop_with_data;
\i test/fixtures/try.sql

CREATE ROLE pgi_vc_alice;
CREATE ROLE pgi_vc_bob;
SELECT count(*) > 0 AS granted FROM grant_intent_access('pgi_vc_alice', 'classifiers');
SELECT count(*) > 0 AS granted FROM grant_intent_access('pgi_vc_bob', 'classifiers');
CREATE SCHEMA vc_alice AUTHORIZATION pgi_vc_alice;
CREATE TABLE vc_alice.raw (split text, text text, intent text);
\copy vc_alice.raw FROM 'data/ecommerce_es.csv' WITH (FORMAT csv, HEADER true)
ALTER TABLE vc_alice.raw OWNER TO pgi_vc_alice;

SET ROLE pgi_vc_alice;
-- User code in a virtual column is refused by PostgreSQL 18 itself.
CREATE FUNCTION vc_alice.f(t text) RETURNS text LANGUAGE sql IMMUTABLE AS $$ SELECT t $$;
CREATE DOMAIN vc_alice.d AS text CHECK (vc_alice.f(VALUE) IS NOT NULL);
SELECT pg_temp.try($$CREATE TABLE vc_alice.x (b text, v text GENERATED ALWAYS AS (vc_alice.f(b)) VIRTUAL)$$) AS user_function;
SELECT pg_temp.try($$CREATE TABLE vc_alice.x (b text, v text GENERATED ALWAYS AS (b::vc_alice.d::text) VIRTUAL)$$) AS through_a_domain;
SELECT pg_temp.try($$CREATE TABLE vc_alice.x (b text, v vc_alice.d GENERATED ALWAYS AS (b) VIRTUAL)$$) AS domain_type;

-- Every column role a virtual column.
CREATE TABLE vc_alice.rows (body text, intent text, ts timestamptz, n int,
    v_text text GENERATED ALWAYS AS (lower(body)) VIRTUAL,
    v_label text GENERATED ALWAYS AS (upper(intent)) VIRTUAL,
    v_key bigint GENERATED ALWAYS AS (n::bigint * 10) VIRTUAL,
    v_time timestamp GENERATED ALWAYS AS (ts AT TIME ZONE 'UTC') VIRTUAL,
    v_shop text GENERATED ALWAYS AS ('shop' || (n % 2)::text) VIRTUAL,
    v_reviewed boolean GENERATED ALWAYS AS (n % 5 <> 0) VIRTUAL,
    v_weight numeric GENERATED ALWAYS AS (1 + (n % 3)::numeric) VIRTUAL);
INSERT INTO vc_alice.rows (body, intent, ts, n)
SELECT text, intent, timestamptz '2026-01-01 00:00+00' + g * interval '1 minute', g
  FROM (SELECT text, intent, row_number() OVER (ORDER BY text, intent)::int AS g FROM vc_alice.raw) AS r;
SELECT create_classifier('vc', 'vc_alice.rows', 'v_text', 'v_label',
       '{"seed": 1, "key_column": "v_key", "time_column": "v_time", "partition_column": "v_shop",
         "reviewed_column": "v_reviewed", "weight_column": "v_weight", "min_partition_rows": 50}') ->> 'source' AS created;
SELECT grant_classifier_access('vc', 'pgi_vc_bob', 'train') ->> 'name' AS granted_train;
SELECT t ->> 'status' AS trained_by_owner, (t ->> 'total_intents')::int AS labels
  FROM train_classifier('vc') AS t;
SELECT upper(label) = label AS label_is_the_virtual_one FROM predict_label('vc', 'quiero devolver el pedido');
SET ROLE pgi_vc_bob;
SELECT train_classifier('vc') ->> 'status' AS trained_by_grantee;
RESET ROLE;
SELECT (c ->> 'retrained')::boolean AS retrained, c ? 'error' AS failed
  FROM jsonb_array_elements(retrain_classifiers() -> 'classifiers') AS c;
SELECT (get_classifier_metrics('vc') ->> 'new_rows') IS NOT NULL AS counted;
SELECT count(*) > 0 AS queue_rows FROM get_classifier_review_queue('vc', NULL, 10);
-- Each partition (the virtual v_shop's values) had its runs.
SELECT partition_key AS shop, count(*) > 0 AS runs FROM ai_training_runs
 WHERE classifier = 'vc' AND partition_key IS NOT NULL GROUP BY 1 ORDER BY 1;

SET client_min_messages = warning;
SET pg_intent.allow_drop_with_data = on;
DROP EXTENSION pg_intent CASCADE;
DROP SCHEMA vc_alice CASCADE;
DROP ROLE pgi_vc_alice;
DROP ROLE pgi_vc_bob;
