-- The caller's custom settings are not the owner's (0.3.2, security review
-- round 3): code a classifier's owner planted in its source runs as the
-- owner, restricted, but read the caller's session settings with
-- current_setting(). PostgREST puts a request's JWT claims and headers
-- there (request.jwt.claims, request.headers: its apikey and authorization
-- carry the caller's key, service_role's for a service call), and an
-- application its tenant (app.tenant). The owner's view wrote them down,
-- and a policy of the owner's that read app.tenant let the caller decide
-- which rows the owner's training read. Now every setting no loaded module
-- defines is empty inside the read, and the caller's are as they were after it.
SET client_min_messages = warning;
SET pg_intent.allow_drop_with_data = on; -- the previous test's rows go (src/pg/drop_guard.cpp)
DROP EXTENSION IF EXISTS pg_intent CASCADE;
DROP SCHEMA IF EXISTS cs_alice CASCADE;
DROP ROLE IF EXISTS pgi_cs_alice;
DROP ROLE IF EXISTS pgi_cs_service;
CREATE EXTENSION pg_intent;
RESET pg_intent.allow_drop_with_data;

-- alice may create classifiers; service_role is Supabase's (BYPASSRLS,
-- the administrator set), granted the right to train alice's classifier.
CREATE ROLE pgi_cs_alice;
CREATE ROLE pgi_cs_service BYPASSRLS;
SELECT count(*) > 0 AS granted FROM grant_intent_access('pgi_cs_alice', 'classifiers');
SELECT count(*) > 0 AS granted FROM grant_intent_access('pgi_cs_service', 'administrator');
GRANT SELECT ON ai_intent_models, ai_training_runs, ai_model_deployments, ai_classifier_run_rows TO pgi_cs_service;
REVOKE SELECT (model) ON ai_intent_models FROM pgi_cs_service;
CREATE SCHEMA cs_alice AUTHORIZATION pgi_cs_alice;

SET ROLE pgi_cs_alice;
CREATE TABLE cs_alice.seen (vector text, claims text, headers text, tenant text);
CREATE FUNCTION cs_alice.look(p_vector text) RETURNS boolean
LANGUAGE plpgsql VOLATILE AS $$
BEGIN
    INSERT INTO cs_alice.seen VALUES (p_vector,
        coalesce(nullif(current_setting('request.jwt.claims', true), ''), '(none)'),
        coalesce(nullif(current_setting('request.headers', true), ''), '(none)'),
        coalesce(nullif(current_setting('app.tenant', true), ''), '(none)'));
    RETURN true;
END
$$;
CREATE TABLE cs_alice.t (id bigint PRIMARY KEY, body text, label text, tenant text);
INSERT INTO cs_alice.t
SELECT n,
       CASE n % 3 WHEN 0 THEN 'quiero devolver el pedido numero ' WHEN 1 THEN 'donde esta mi paquete ' ELSE 'hola buenos dias ' END || n,
       CASE n % 3 WHEN 0 THEN 'return_process' WHEN 1 THEN 'order_status' ELSE 'greeting' END,
       CASE WHEN n <= 60 THEN 'a' ELSE 'b' END
  FROM generate_series(1, 90) AS n;
-- alice's policy reads a setting: her own sessions set it, and read tenant a.
ALTER TABLE cs_alice.t ENABLE ROW LEVEL SECURITY;
ALTER TABLE cs_alice.t FORCE ROW LEVEL SECURITY;
CREATE POLICY cs_tenant ON cs_alice.t FOR SELECT
    USING (tenant = coalesce(nullif(current_setting('app.tenant', true), ''), 'a'));
CREATE POLICY cs_write ON cs_alice.t FOR INSERT WITH CHECK (true);
CREATE VIEW cs_alice.v AS SELECT * FROM cs_alice.t WHERE cs_alice.look('view');
SELECT create_classifier('cs', 'cs_alice.v', 'body', 'label', '{"key_column": "id", "seed": 1}') ->> 'name' AS created;
SELECT grant_classifier_access('cs', 'pgi_cs_service', 'train') ->> 'name' AS granted;
RESET ROLE;
DELETE FROM cs_alice.seen;

-- service_role, as PostgREST calls it: the request's claims and headers,
-- and a tenant that is not the one alice's policy reads.
BEGIN;
SET LOCAL ROLE pgi_cs_service;
SELECT set_config('request.jwt.claims', '{"role": "service_role", "sub": "svc"}', true) IS NOT NULL AS claims,
       set_config('request.headers', '{"apikey": "service-role-key", "authorization": "Bearer service-role-key"}', true) IS NOT NULL AS headers,
       set_config('app.tenant', 'b', true) IS NOT NULL AS tenant;
SELECT train_classifier('cs', NULL, '{"deploy": "never"}') ->> 'status' AS trained;
SELECT get_classifier_metrics('cs') ->> 'new_rows' AS metrics_new_rows;
SELECT jsonb_typeof(intent_internal._pg_intent_classifier_source_texts('cs', ARRAY['1', '2'])) AS texts;
-- the caller's settings, after
SELECT current_setting('request.jwt.claims') AS claims_after, current_setting('app.tenant') AS tenant_after;
COMMIT;

-- What the owner's code saw: none of the caller's settings.
SELECT vector, claims, headers, tenant, count(*) > 0 AS ran
  FROM cs_alice.seen GROUP BY 1, 2, 3, 4 ORDER BY 1, 2, 3, 4;
-- The rows trained were alice's policy's own (tenant a: 60 rows), not the
-- caller's choice (tenant b: 30).
SELECT r.training_samples FROM ai_training_runs AS r WHERE r.classifier = 'cs';

SET client_min_messages = warning;
SET pg_intent.allow_drop_with_data = on;
DROP EXTENSION pg_intent CASCADE;
RESET pg_intent.allow_drop_with_data;
DROP SCHEMA cs_alice CASCADE;
DROP ROLE pgi_cs_service;
DROP ROLE pgi_cs_alice;
