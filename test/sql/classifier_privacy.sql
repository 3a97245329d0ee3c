-- What one tenant can learn of another's text (issue 31, item 9). A
-- classifier partitioned by tenant, over a table whose row-level security
-- shows each tenant its own rows. Tenant b's rows carry a string no other
-- tenant has (a made-up word and a card number). As tenant a's role
-- (predict and explain granted, RLS restricting it to a's rows):
--   - the shared fallback has no n-gram of b's string: it keeps only the
--     n-grams of two partitions, and no model has a digit-specific n-gram;
--   - explaining b's partition is refused (42501): a sees none of b's rows;
--   - explaining its own partition works.
-- On 0.3.1, the fallback's explanation listed b's n-grams and explaining b
-- was allowed.
SET client_min_messages = warning;
SET pg_intent.allow_drop_with_data = on; -- the previous test's rows go (src/pg/drop_guard.cpp)
DROP EXTENSION IF EXISTS pg_intent CASCADE;
DROP SCHEMA IF EXISTS pv CASCADE;
DROP ROLE IF EXISTS pgi_pv_tenant;
DROP ROLE IF EXISTS pgi_pv_trainer;
CREATE EXTENSION pg_intent;
CREATE ROLE pgi_pv_tenant;
CREATE ROLE pgi_pv_trainer;
\i test/fixtures/try.sql
GRANT EXECUTE ON FUNCTION pg_temp.try(text) TO PUBLIC;

-- Three tenants with the same kind of traffic (the nlp.js Spanish corpus,
-- MIT, data/README.md, routed by the domain of its intent); b's rows of one
-- route also carry b's secret.
CREATE SCHEMA pv;
CREATE TABLE pv.raw (split text, text text, intent text);
\copy pv.raw FROM 'data/nlpjs_corpus50_es.csv' WITH (FORMAT csv, HEADER true)
CREATE TABLE pv.msgs (id bigint PRIMARY KEY, tenant text, body text, route text);
INSERT INTO pv.msgs
SELECT n, t, CASE WHEN t = 'b' AND route = 'support' THEN body || ' zorblax 4556-7788-9911' ELSE body END, route
  FROM (SELECT row_number() OVER (ORDER BY split, text, intent) AS n, text AS body,
               split_part(intent, '.', 1) AS route FROM pv.raw WHERE intent <> 'oos') AS r,
       LATERAL (SELECT (ARRAY['a', 'b', 'c'])[1 + n % 3] AS t) AS x;
SELECT tenant, route, count(*) FROM pv.msgs GROUP BY 1, 2 ORDER BY 1, 2;
ALTER TABLE pv.msgs ENABLE ROW LEVEL SECURITY;
CREATE POLICY tenant_rows ON pv.msgs FOR SELECT
    USING (tenant = pg_catalog.current_setting('pgi.tenant', true));
-- A restrictive policy whose function changes a setting: the partition
-- check runs it as the tenant, and the change is rolled back.
CREATE FUNCTION pv.touch() RETURNS boolean LANGUAGE plpgsql AS $$
BEGIN PERFORM pg_catalog.set_config('pgi.touched', 'yes', false); RETURN true; END $$;
CREATE POLICY touch ON pv.msgs AS RESTRICTIVE FOR SELECT USING (pv.touch());
GRANT USAGE ON SCHEMA pv TO pgi_pv_tenant;
GRANT SELECT ON pv.msgs TO pgi_pv_tenant;

SELECT create_classifier('mt', 'pv.msgs', 'body', 'route',
                         '{"key_column": "id", "partition_column": "tenant", "min_partition_rows": 20, "seed": 1}') ->> 'name' AS created;
SELECT t ->> 'status' AS fallback, jsonb_array_length(t -> 'partitions') AS partitions,
       (SELECT array_agg(p ->> 'partition' || ':' || (p ->> 'status') ORDER BY p ->> 'partition')
          FROM jsonb_array_elements(t -> 'partitions') AS p) AS each
  FROM train_classifier('mt', 'privacy', '{"deploy": "always"}') AS t;
SELECT partition_key, count(*) FILTER (WHERE is_active) AS active FROM ai_intent_models
 WHERE classifier = 'mt' GROUP BY 1 ORDER BY 1 NULLS FIRST;
SELECT grant_classifier_access('mt', 'pgi_pv_tenant', 'predict') ->> 'name' AS granted;
SELECT grant_classifier_access('mt', 'pgi_pv_trainer', 'train') ->> 'name' AS granted;
SELECT grant_classifier_access('mt', 'pgi_pv_trainer', 'predict') ->> 'name' AS granted;
SELECT count(*) > 0 AS granted FROM grant_intent_access('pgi_pv_tenant', 'explain');
SELECT count(*) > 0 AS granted FROM grant_intent_access('pgi_pv_trainer', 'explain');

-- The n-grams of b's secret among the terms an explanation lists.
CREATE FUNCTION pg_temp.secret_terms(e jsonb) RETURNS text[] LANGUAGE sql AS $$
    SELECT coalesce(array_agg(t ->> 'term' ORDER BY t ->> 'term'), '{}')
      FROM jsonb_array_elements(e -> 'terms') AS t
     WHERE t ->> 'term' ~ '(zorb|orbl|rbla|blax|[1-9])'
$$;
GRANT EXECUTE ON FUNCTION pg_temp.secret_terms(jsonb) TO PUBLIC;

-- Tenant a: its own rows only.
SET ROLE pgi_pv_tenant;
SET pgi.tenant = 'a';
SELECT count(*) AS rows_a_sees, count(*) FILTER (WHERE tenant <> 'a') AS others FROM pv.msgs;
SELECT current_setting('pgi.touched') AS a_own_select_touched;  -- a's own SELECT ran the policy as a
SET pgi.touched = '';
-- The shared fallback: none of b's n-grams, no digits.
SELECT e -> 'model_partition' AS answered_by, pg_temp.secret_terms(e) AS secret_terms
  FROM explain_label('mt', 'zorblax 4556-7788-9911', NULL, 1000) AS e;
-- b's partition: refused, whatever model would answer; an unknown
-- partition too; and a's own: explaining a partition's model needs the
-- classifier's train right (a check that a can read a row of it would run
-- the table's policies with a's rights, which the owner-code rule forbids).
SELECT pg_temp.try($$SELECT explain_label('mt', 'zorblax 4556-7788-9911', 'b', 1000)$$) AS explain_b;
SELECT pg_temp.try($$SELECT explain_label('mt', 'zorblax 4556-7788-9911', 'nobody', 1000)$$) AS explain_unknown;
SELECT pg_temp.try($$SELECT explain_label('mt', 'zorblax 4556-7788-9911', 'a', 1000)$$) AS explain_own;
-- Prediction is not explanation: predict_label() may name any partition
-- (docs/classifiers.md, "What a tenant can learn of another tenant's rows").
SELECT (predict_label('mt', 'hola', 'b')).model_partition AS predict_b;
-- None of it ran the source's policy as a, nor changed a's settings.
SELECT current_setting('pgi.tenant') AS tenant_after, current_setting('search_path') AS path_after,
       coalesce(current_setting('pgi.touched', true), '') AS touched_after;
RESET pgi.tenant;
RESET ROLE;

-- What a tenant with the dashboards' set learns of the source's rows
-- (_pg_intent_classifier_facts(), which get_classifier_metrics() reads): no
-- count of them. rows_at_last is the fallback's count of every tenant's
-- rows and since its start: both only to a role that may train it, which
-- reads every row by training (the partition rule above); new_rows, for
-- the same reason, needs that right too (test/sql/classifier_metrics.sql).
-- Checked here on a partitioned classifier, as tenant a under RLS.
SELECT count(*) > 0 AS granted FROM grant_intent_access('pgi_pv_tenant', 'metrics');
SELECT count(*) > 0 AS granted FROM grant_intent_access('pgi_pv_trainer', 'metrics');
SET ROLE pgi_pv_tenant;
SET pgi.tenant = 'a';
SELECT f.since IS NULL AS since_hidden, f.rows_at_last IS NULL AS rows_at_last_hidden, f.threshold
  FROM intent_internal._pg_intent_classifier_facts('mt') AS f;
RESET pgi.tenant;
RESET ROLE;
SELECT count(*) AS all_rows FROM pv.msgs \gset
SET ROLE pgi_pv_trainer;
SELECT f.since IS NULL AS since_hidden, f.rows_at_last = :all_rows AS rows_at_last_all_tenants
  FROM intent_internal._pg_intent_classifier_facts('mt') AS f;
RESET ROLE;

-- A role with the train right reads every row by training: it may explain
-- any partition. b's own model knows b's word, and still no digit.
SET ROLE pgi_pv_trainer;
SELECT e ->> 'model_partition' AS answered_by, pg_temp.secret_terms(e) AS secret_terms
  FROM explain_label('mt', 'zorblax 4556-7788-9911', 'b', 1000) AS e;
RESET ROLE;

-- The models store the rules they were trained with; train_classifier()
-- refuses min_feature_partitions in its options (pg_intent sets it) before
-- any run starts, as alter_classifier() refuses it in the stored ones.
SELECT partition_key, intent_model_info(model) -> 'options' ->> 'normalize_digits' AS normalize_digits,
       intent_model_info(model) -> 'options' ->> 'min_feature_partitions' AS min_feature_partitions
  FROM ai_intent_models WHERE classifier = 'mt' AND is_active ORDER BY partition_key NULLS FIRST;
SELECT pg_temp.try($$SELECT train_classifier('mt', 'x', '{"min_feature_partitions": 2}')$$) AS set_by_hand;
SELECT status, error, count(*) FROM ai_training_runs WHERE classifier = 'mt' AND run_name = 'x' GROUP BY 1, 2;
SELECT pg_temp.try($$SELECT alter_classifier('mt', '{"min_feature_partitions": 2}')$$) AS in_classifier_options;

-- The built-in classifier intent is trained on every row of ai_training_data,
-- and everyone predicts with it: the explain set, which a tenant holds for
-- explain_label() on its classifier's shared model, let it explain intent
-- (explain_intent(), or explain_label('intent', ...)) and so read, n-gram by
-- n-gram and digit by digit, the messages row-level security hides from it.
-- Explaining intent needs every row of that table (SELECT, and no policy
-- applying to the role); predicting with it does not.
\i test/fixtures/spanish_100.sql
SELECT pg_temp.add_samples(ARRAY['los zapatos', 'la camiseta', 'el vestido', 'la chaqueta', 'el bolso'], true) AS added;
INSERT INTO ai_training_data (user_message, detected_intent, confidence_score, intent_correct)
SELECT 'el pago de mi tarjeta zorblax 4556-7788-9911 fue rechazado ' || i, 'payment_issue', 90, true
  FROM generate_series(1, 5) AS i;
ALTER TABLE ai_training_data ENABLE ROW LEVEL SECURITY;
GRANT SELECT ON ai_training_data TO pgi_pv_tenant;
CREATE POLICY tenant_messages ON ai_training_data FOR SELECT TO pgi_pv_tenant
    USING (user_message NOT LIKE '%zorblax%');
SELECT train_intent_model('privacy', 'full', '{"deploy": "always"}') ->> 'deployed' AS intent_deployed;
SELECT id AS intent_model FROM ai_intent_models WHERE classifier = 'intent' AND is_active \gset
-- the secret's n-grams an explanation lists, or the call's error
CREATE FUNCTION pg_temp.explained(p_sql text) RETURNS text LANGUAGE plpgsql AS $$
DECLARE e jsonb;
BEGIN
    EXECUTE p_sql INTO e;
    RETURN pg_temp.secret_terms(e)::text;
EXCEPTION WHEN OTHERS THEN
    RETURN SQLSTATE || ': ' || SQLERRM;
END $$;
GRANT EXECUTE ON FUNCTION pg_temp.explained(text) TO PUBLIC;
SET ROLE pgi_pv_tenant;
SELECT count(*) AS secret_rows_tenant_reads FROM ai_training_data WHERE user_message LIKE '%zorblax%';
SELECT pg_temp.explained($$SELECT explain_intent('zorblax 4556-7788-9911', 1000)$$) AS explain_intent;
SELECT pg_temp.explained(format($$SELECT explain_intent('zorblax 4556-7788-9911', 1000, NULL, %s)$$, :intent_model)) AS by_id;
SELECT pg_temp.explained($$SELECT explain_label('intent', 'zorblax 4556-7788-9911', NULL, 1000)$$) AS explain_label;
SELECT (predict_intent('zorblax 4556-7788-9911')).model_id = :intent_model AS predicts;
-- row_security off makes its reads fail, not see every row
SET row_security = off;
SELECT pg_temp.explained($$SELECT explain_intent('zorblax 4556-7788-9911', 1000)$$) AS row_security_off;
RESET row_security;
RESET ROLE;
-- a role that reads every row (here a superuser) explains it
SELECT pg_temp.explained($$SELECT explain_intent('zorblax 4556-7788-9911', 1000)$$) <> '{}' AS owner_sees_terms;
DROP POLICY tenant_messages ON ai_training_data;
ALTER TABLE ai_training_data DISABLE ROW LEVEL SECURITY;

SELECT drop_classifier('mt', true) IS NOT NULL AS dropped;
DROP SCHEMA pv CASCADE;
REVOKE ALL ON FUNCTION pg_temp.try(text) FROM PUBLIC;
DROP OWNED BY pgi_pv_tenant, pgi_pv_trainer;
DROP ROLE pgi_pv_tenant;
DROP ROLE pgi_pv_trainer;
