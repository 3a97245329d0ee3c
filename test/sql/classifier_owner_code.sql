-- Owner code runs as its owner (0.3.2, issue 31 items 1 and 2): code that a
-- classifier's owner planted in its source (a view's function, a row-level
-- security policy, a domain CHECK on the key column, a column default) runs
-- as that owner in a security-restricted operation, whoever reads the
-- source: a superuser (the documented pg_cron jobs) or service_role called
-- PostgREST-style. Every source-reading entry point is called by both. The
-- planter ends with no new right, and the caller's settings are unchanged.
-- On 0.3.1 the same calls made pgi_oc_alice a superuser.
SET client_min_messages = warning;
SET pg_intent.allow_drop_with_data = on; -- the previous test's rows go (src/pg/drop_guard.cpp)
DROP EXTENSION IF EXISTS pg_intent CASCADE;
DROP SCHEMA IF EXISTS oc_alice CASCADE;
DROP ROLE IF EXISTS pgi_oc_alice;
DROP ROLE IF EXISTS pgi_oc_service;
CREATE EXTENSION pg_intent;
RESET pg_intent.allow_drop_with_data;
\i test/fixtures/try.sql

-- alice may create classifiers and owns a schema; service_role is
-- Supabase's: no superuser, BYPASSRLS, the administrator set.
CREATE ROLE pgi_oc_alice;
CREATE ROLE pgi_oc_service BYPASSRLS;
SELECT count(*) > 0 AS granted FROM grant_intent_access('pgi_oc_alice', 'classifiers');
SELECT count(*) > 0 AS granted FROM grant_intent_access('pgi_oc_service', 'administrator');
GRANT SELECT ON ai_intent_models, ai_training_runs, ai_model_deployments, ai_classifier_run_rows TO pgi_oc_service;
REVOKE SELECT (model) ON ai_intent_models FROM pgi_oc_service;
GRANT SELECT, INSERT, UPDATE ON ai_classifier_metrics_snapshots TO pgi_oc_service;
CREATE SCHEMA oc_alice AUTHORIZATION pgi_oc_alice;

SET ROLE pgi_oc_alice;
-- Where the planted code writes down who ran it, and as what.
CREATE TABLE oc_alice.seen (vector text, who name, super boolean, restricted boolean);
-- The trap: records its caller; as a superuser it makes alice one; it
-- plants a search_path and the drop guard's confirmation in the session.
CREATE FUNCTION oc_alice.pwn(p_vector text) RETURNS boolean
LANGUAGE plpgsql VOLATILE COST 0.0001 AS $$
DECLARE
    v_super boolean := (SELECT rolsuper FROM pg_catalog.pg_roles WHERE rolname = current_user);
    v_restricted boolean := false;
BEGIN
    BEGIN
        -- refused inside a security-restricted operation
        EXECUTE pg_catalog.format('SET LOCAL ROLE %I', current_user);
    EXCEPTION WHEN insufficient_privilege THEN
        v_restricted := true;
    END;
    INSERT INTO oc_alice.seen VALUES (p_vector, current_user, v_super, v_restricted);
    IF v_super THEN
        EXECUTE 'ALTER ROLE pgi_oc_alice SUPERUSER';
    END IF;
    PERFORM pg_catalog.set_config('search_path', 'oc_alice, pg_catalog', false);
    PERFORM pg_catalog.set_config('pg_intent.allow_drop_with_data', 'on', false);
    RETURN true;
END
$$;
CREATE FUNCTION oc_alice.pwn_default() RETURNS text LANGUAGE sql VOLATILE AS $$ SELECT CASE WHEN oc_alice.pwn('default') THEN 'x' END $$;
-- The key column's domain runs the trap whenever a value is cast to it.
CREATE DOMAIN oc_alice.row_id AS bigint CHECK (oc_alice.pwn('domain'));
CREATE TABLE oc_alice.t (id oc_alice.row_id PRIMARY KEY, body text, label text, ts timestamptz,
                         note text DEFAULT oc_alice.pwn_default());
INSERT INTO oc_alice.t (id, body, label, ts, note)
SELECT n,
       CASE n % 3 WHEN 0 THEN 'quiero devolver el pedido numero ' WHEN 1 THEN 'donde esta mi paquete ' ELSE 'hola buenos dias ' END || n,
       -- every 13th label is wrong: the review queue has suspects
       CASE WHEN n % 13 = 0 THEN 'greeting' ELSE CASE n % 3 WHEN 0 THEN 'return_process' WHEN 1 THEN 'order_status' ELSE 'greeting' END END,
       timestamptz '2026-11-01 00:00+00' - n * interval '1 hour', 'seed'
  FROM generate_series(1, 120) AS n;
DELETE FROM oc_alice.seen;
-- A row-level security policy that runs the trap for every row read.
ALTER TABLE oc_alice.t ENABLE ROW LEVEL SECURITY;
ALTER TABLE oc_alice.t FORCE ROW LEVEL SECURITY;
CREATE POLICY oc_trap ON oc_alice.t FOR SELECT USING (oc_alice.pwn('policy'));
CREATE POLICY oc_write ON oc_alice.t FOR INSERT WITH CHECK (true);
-- A view that runs it too.
CREATE VIEW oc_alice.v AS SELECT * FROM oc_alice.t WHERE oc_alice.pwn('view');
-- (alice's own inserts ran the trap in her session)
RESET search_path;
RESET pg_intent.allow_drop_with_data;
SELECT create_classifier('trap', 'oc_alice.v', 'body', 'label',
                         '{"key_column": "id", "time_column": "ts", "seed": 1}') ->> 'name' AS created;
SELECT grant_classifier_access('trap', 'pgi_oc_service', 'train') ->> 'name' AS granted;
RESET ROLE;
DELETE FROM oc_alice.seen;

-- The caller's settings before.
SET search_path = public, pg_catalog;
SELECT current_setting('search_path') AS path_before,
       current_setting('pg_intent.allow_drop_with_data') AS drop_confirmed_before;

-- Every source-reading entry point as the superuser.
SELECT train_classifier('trap') ->> 'status' AS superuser_trains;
SELECT (retrain_classifiers() -> 'classifiers' -> 0 ->> 'classifier') AS superuser_retrains;
SELECT get_classifier_metrics('trap') ->> 'new_rows' AS superuser_metrics_new_rows;
SELECT create_classifier_metrics_snapshot('trap', 'daily', '2026-10-31 12:00+00') ->> 'new_rows' AS superuser_snapshot_rows;
SELECT count(*) > 0 AS superuser_review_queue FROM get_classifier_review_queue('trap', NULL, 10);
SELECT jsonb_typeof(intent_internal._pg_intent_classifier_source_texts('trap', ARRAY['1', '2'])) AS superuser_texts;
SELECT current_setting('search_path') AS path_after_superuser,
       current_setting('pg_intent.allow_drop_with_data') AS drop_confirmed_after_superuser;

-- The same as service_role, as PostgREST calls it: a transaction with SET
-- LOCAL ROLE and the request's claims.
BEGIN;
SET LOCAL ROLE pgi_oc_service;
SELECT set_config('request.jwt.claims', '{"role": "service_role"}', true) IS NOT NULL AS claims;
SELECT train_classifier('trap', NULL, '{"deploy": "never"}') ->> 'status' AS service_trains;
SELECT (retrain_classifiers() -> 'classifiers' -> 0 ->> 'retrained') IS NOT NULL AS service_retrains;
SELECT get_classifier_metrics('trap') ->> 'new_rows' AS service_metrics_new_rows;
SELECT create_classifier_metrics_snapshot('trap', 'daily', '2026-10-30 12:00+00') ->> 'new_rows' AS service_snapshot_rows;
SELECT count(*) > 0 AS service_review_queue FROM get_classifier_review_queue('trap', NULL, 10);
SELECT jsonb_typeof(intent_internal._pg_intent_classifier_source_texts('trap', ARRAY['1', '2'])) AS service_texts;
SELECT current_setting('search_path') AS path_after_service,
       current_setting('pg_intent.allow_drop_with_data') AS drop_confirmed_after_service;
COMMIT;

-- The caller's row_security does not decide the owner's read: with it off,
-- every read of this source (whose policies bind alice: FORCE ROW LEVEL
-- SECURITY) failed with 42501 "query would be affected by row-level
-- security policy" (under retrain_classifiers() the training's failure
-- also started a back-off). The read is alice's, under her policies, and the caller's
-- setting is what it was.
BEGIN;
SET LOCAL ROLE pgi_oc_service;
SET LOCAL row_security = off;
SELECT train_classifier('trap', NULL, '{"deploy": "never"}') ->> 'status' AS service_trains_row_security_off;
SELECT get_classifier_metrics('trap') ->> 'new_rows_unknown' AS metrics_error_row_security_off;
SELECT jsonb_typeof(intent_internal._pg_intent_classifier_source_texts('trap', ARRAY['1', '2'])) AS texts_row_security_off;
SELECT current_setting('row_security') AS row_security_after;
COMMIT;

-- Every planted vector ran, and only ever as alice, restricted. The view,
-- the policy and the domain ran; the default never runs on a read.
SELECT vector, who, super, restricted, count(*) > 0 AS ran
  FROM oc_alice.seen GROUP BY vector, who, super, restricted ORDER BY vector, who;
-- alice gained nothing.
SELECT rolsuper AS alice_is_superuser FROM pg_roles WHERE rolname = 'pgi_oc_alice';
-- The caller's settings are what they were.
SELECT current_setting('search_path') AS path_at_end,
       current_setting('pg_intent.allow_drop_with_data') AS drop_confirmed_at_end;

-- The texts helper checks the caller's right (42501) and bounds its work.
SET ROLE pgi_oc_alice;
SELECT jsonb_typeof(intent_internal._pg_intent_classifier_source_texts('trap', ARRAY['3'])) AS owner_texts;
RESET ROLE;
CREATE ROLE pgi_oc_nobody;
SELECT count(*) > 0 AS granted FROM grant_intent_access('pgi_oc_nobody', 'review');
SET ROLE pgi_oc_nobody;
SELECT pg_temp.try($$SELECT intent_internal._pg_intent_classifier_source_texts('trap', ARRAY['3'])$$) AS nobody_texts;
-- To a role that may not list the classifiers (no SELECT on ai_classifiers),
-- an unknown name looks like a refused one (42501; 0.3.1 answered 42704, which
-- told every customer under the Supabase recipe which names exist).
SELECT pg_temp.try($$SELECT intent_internal._pg_intent_classifier_source_texts('none', ARRAY['3'])$$) AS unknown_classifier;
SELECT pg_temp.try($$SELECT * FROM predict_label('trap', 'hola')$$) AS predict_refused,
       pg_temp.try($$SELECT * FROM predict_label('none', 'hola')$$) AS predict_unknown;
RESET ROLE;
SELECT count(*) > 0 AS granted FROM grant_intent_access('pgi_oc_nobody', 'metrics');
GRANT SELECT ON ai_intent_models, ai_training_runs TO pgi_oc_nobody;
REVOKE SELECT (model) ON ai_intent_models FROM pgi_oc_nobody;
SET ROLE pgi_oc_nobody;
SELECT pg_temp.try($$SELECT get_classifier_metrics('none')$$) AS metrics_unknown,
       pg_temp.try($$SELECT * FROM get_classifier_review_queue('none')$$) AS queue_unknown,
       pg_temp.try($$SELECT train_classifier('none')$$) AS train_unknown;
RESET ROLE;
-- A role that may read ai_classifiers is told the name is unknown.
GRANT SELECT ON ai_classifiers TO pgi_oc_nobody;
SET ROLE pgi_oc_nobody;
SELECT pg_temp.try($$SELECT get_classifier_metrics('none')$$) AS metrics_unknown_to_a_lister,
       pg_temp.try($$SELECT * FROM predict_label('none', 'hola')$$) AS predict_unknown_to_a_lister;
-- ... and one it holds no right on is refused with 42501 (0.3.1 raised
-- "RAISE statement option cannot be null" here: a NULL DETAIL).
SELECT pg_temp.try($$SELECT train_classifier('trap')$$) AS train_refused_to_a_lister,
       pg_temp.try($$SELECT deploy_classifier_model('trap', 1)$$) AS deploy_refused_to_a_lister;
RESET ROLE;
SELECT pg_temp.try($$SELECT intent_internal._pg_intent_classifier_source_texts('trap', ARRAY(SELECT g::text FROM generate_series(1, 10001) AS g))$$) AS too_many_keys;
SELECT pg_temp.try($$SELECT intent_internal._pg_intent_classifier_source_texts('trap', NULL)$$) AS null_keys;
SELECT pg_temp.try($$SELECT intent_internal._pg_intent_count_classifier_source('trap', NULL, now())$$) AS period_without_start;
-- Not for PUBLIC, nor for the statement behind them.
SELECT has_function_privilege('public', 'intent_internal._pg_intent_classifier_source_texts(text, text[])', 'EXECUTE') AS public_texts,
       has_function_privilege('public', 'intent_internal._pg_intent_count_classifier_source(text, timestamptz, timestamptz)', 'EXECUTE') AS public_count,
       has_function_privilege('pgi_oc_service', 'intent_internal._pg_intent_classifier_source_statement(text, oid, text)', 'EXECUTE') AS service_statement,
       has_function_privilege('pgi_oc_service', 'intent_internal._pg_intent_classifier_count_plan(text)', 'EXECUTE') AS service_count_plan;

SET pg_intent.allow_drop_with_data = on;
DROP EXTENSION pg_intent CASCADE;
DROP SCHEMA oc_alice CASCADE;
DROP ROLE pgi_oc_alice;
DROP ROLE pgi_oc_service;
DROP ROLE pgi_oc_nobody;
