-- The privilege model: model management (train, deploy, rollback,
-- retrain_if_needed) is SECURITY DEFINER and granted explicitly; predicting
-- needs EXECUTE only; the data functions run as the caller, who needs table
-- privileges. Roles are cluster-wide, so they get names unique to this test
-- and are dropped at the end.
SET client_min_messages = warning;
SET pg_intent.allow_drop_with_data = on; -- the previous test's rows go (src/pg/drop_guard.cpp)
DROP EXTENSION IF EXISTS pg_intent CASCADE;
CREATE EXTENSION pg_intent;
DROP ROLE IF EXISTS pgi_privtest_nobody;
DROP ROLE IF EXISTS pgi_privtest_trainer;
DROP ROLE IF EXISTS pgi_privtest_fresh;
CREATE ROLE pgi_privtest_nobody NOLOGIN NOSUPERUSER;
CREATE ROLE pgi_privtest_trainer NOLOGIN NOSUPERUSER;

\i test/fixtures/try.sql

-- The catalog facts: the management functions are closed to PUBLIC; deploy,
-- rollback and retrain_if_needed run as the owner with a pinned search_path
-- and row_security off (a policy that binds the owner fails them, 42501);
-- train_intent_model is a C function that checks its caller's privileges and
-- then runs the training as the owner with a pinned search_path.
SELECT p.proname, p.prosecdef AS security_definer, p.proconfig,
       has_function_privilege('public', p.oid, 'EXECUTE') AS public_execute
  FROM pg_proc p
 WHERE p.oid IN ('train_intent_model(text, text, jsonb)'::regprocedure,
                 'deploy_intent_model(bigint)'::regprocedure,
                 'rollback_intent_model()'::regprocedure,
                 'retrain_if_needed(boolean)'::regprocedure)
 ORDER BY p.proname;

-- 40 labelled rows (2 intents x 4 templates x 5 products), loaded by the owner.
INSERT INTO ai_training_data (user_message, detected_intent, confidence_score, source)
SELECT format(t.template, p.item), t.intent, 90, 'synthetic'
  FROM (VALUES ('return_process', 'quiero devolver %s'),
               ('return_process', 'cómo hago la devolución de %s'),
               ('return_process', 'necesito devolver %s que compré'),
               ('return_process', 'quiero un reembolso por %s'),
               ('shipping_problem', 'mi pedido de %s no ha llegado'),
               ('shipping_problem', 'el envío de %s está retrasado'),
               ('shipping_problem', 'dónde está mi paquete con %s'),
               ('shipping_problem', 'el repartidor no entregó %s')) AS t(intent, template)
 CROSS JOIN (VALUES ('la camiseta'), ('el pantalón'), ('las zapatillas'),
                    ('el abrigo'), ('la mochila')) AS p(item);

-- A role without grants gets 42501 on every management function.
SET ROLE pgi_privtest_nobody;
SELECT pg_temp.try($$SELECT train_intent_model('nobody')$$) AS train;
SELECT pg_temp.try($$SELECT deploy_intent_model(1)$$) AS deploy;
SELECT pg_temp.try($$SELECT rollback_intent_model()$$) AS rollback;
SELECT pg_temp.try($$SELECT retrain_if_needed()$$) AS retrain_if_needed;
RESET ROLE;
SELECT count(*) AS runs FROM ai_training_runs;

-- EXECUTE on train_intent_model and nothing else (no table privilege at all)
-- is enough to train: the function runs as the extension owner.
GRANT EXECUTE ON FUNCTION train_intent_model(text, text, jsonb) TO pgi_privtest_trainer;
SET ROLE pgi_privtest_trainer;
SELECT has_table_privilege('ai_training_data', 'SELECT') AS can_read_data,
       has_table_privilege('ai_training_runs', 'INSERT') AS can_write_runs,
       has_table_privilege('ai_intent_models', 'INSERT') AS can_write_models;
SELECT r ->> 'status' AS status, r ->> 'deployed' AS deployed, r ->> 'deploy_reason' AS reason,
       (r ->> 'model_id') IS NOT NULL AS has_model
  FROM train_intent_model('granted', 'full', '{"seed": 3}') AS r;
-- Still nothing else: deploying stays refused.
SELECT pg_temp.try($$SELECT deploy_intent_model(1)$$) AS deploy;
RESET ROLE;
-- The run row is written, by the caller's login (session_user) in the
-- deployment history, since current_user inside the function is the owner.
SELECT run_name, status, deployed, deploy_reason, training_samples AS samples
  FROM ai_training_runs;
SELECT m.is_active, d.reason, d.deployed_by = session_user AS by_session_user
  FROM ai_intent_models m JOIN ai_model_deployments d ON d.model_id = m.id;
-- Training records the rows it read in ai_training_run_rows; the data rows
-- keep their review state.
SELECT count(*) AS rows_recorded FROM ai_training_run_rows;
SELECT count(*) FILTER (WHERE dataset_status = 'used_in_training') AS marked_rows FROM ai_training_data;

SELECT id AS active_model_id FROM ai_intent_models WHERE is_active \gset

-- A role with EXECUTE on predict_intent but no SELECT on ai_intent_models can
-- predict: the C functions read the models as the table owner.
SET ROLE pgi_privtest_nobody;
SELECT has_function_privilege('predict_intent(text)', 'EXECUTE') AS can_predict,
       has_table_privilege('ai_intent_models', 'SELECT') AS can_read_models;
SELECT p.predicted_intent, p.model_id = :active_model_id AS active_model
  FROM predict_intent('quiero devolver el sombrero') p;
SELECT classify_intent('mi pedido del sombrero no ha llegado') AS label;
-- The models table itself stays closed.
SELECT pg_temp.try($$SELECT count(*) FROM ai_intent_models$$) AS read_models;

-- The data functions run as the caller: without INSERT on ai_training_data,
-- record_interaction fails with 42501; reading the dataset needs the export
-- set of grant_intent_access() (0.2.1) and SELECT.
-- INSERT alone is enough to record (the id is not read back).
SELECT pg_temp.try($$SELECT record_interaction('hola', 'greeting', 80)$$) AS record;
SELECT pg_temp.try($$SELECT count(*) FROM get_training_dataset()$$) AS dataset;
RESET ROLE;
GRANT INSERT ON ai_training_data TO pgi_privtest_nobody;
SET ROLE pgi_privtest_nobody;
SELECT pg_temp.try($$SELECT record_interaction('hola', 'greeting', 80)$$) AS record_with_insert;
RESET ROLE;
SELECT count(*) AS greetings FROM ai_training_data WHERE detected_intent = 'greeting';

-- Views read as the caller too (security_invoker): SELECT on the view alone
-- is not enough, and row-level security on the table applies to what the
-- data functions and views return, but not to training, which runs as the
-- owner.
GRANT SELECT ON ai_pending_review TO pgi_privtest_nobody;
SET ROLE pgi_privtest_nobody;
SELECT pg_temp.try($$SELECT count(*) FROM ai_pending_review$$) AS view_without_table;
RESET ROLE;
GRANT SELECT ON ai_training_data TO pgi_privtest_nobody;
SELECT count(*) > 0 AS granted FROM grant_intent_access('pgi_privtest_nobody', 'export');
ALTER TABLE ai_training_data ENABLE ROW LEVEL SECURITY;
CREATE POLICY pgi_privtest_returns ON ai_training_data FOR SELECT TO pgi_privtest_nobody
    USING (detected_intent = 'return_process');
SET ROLE pgi_privtest_nobody;
SELECT intent, count(*) FROM get_training_dataset() GROUP BY intent;
SELECT detected_intent, count(*) FROM ai_pending_review GROUP BY detected_intent;
RESET ROLE;
-- (The one greeting trains too: the policy's floor for a label nobody
-- reviewed is lowered to one row.)
UPDATE ai_training_policy SET min_unreviewed_intent_rows = 1;
SET ROLE pgi_privtest_trainer;
SELECT (r ->> 'training_samples')::int AS trained_on,
       r ->> 'total_intents' AS intents
  FROM train_intent_model('rls', 'full', '{"deploy": "never", "seed": 3}') AS r;
RESET ROLE;
UPDATE ai_training_policy SET min_unreviewed_intent_rows = DEFAULT;
DROP POLICY pgi_privtest_returns ON ai_training_data;
ALTER TABLE ai_training_data DISABLE ROW LEVEL SECURITY;

-- The SECURITY DEFINER functions ignore the caller's search_path: a
-- function shadowing a built-in they call, in a schema placed before
-- pg_catalog on the path, is not used (with the caller's path, jsonb_typeof
-- would say 'hijacked' and the options check would fail with 22023).
CREATE SCHEMA pgi_privtest_evil;
CREATE FUNCTION pgi_privtest_evil.jsonb_typeof(jsonb) RETURNS text LANGUAGE sql AS $$ SELECT 'hijacked'::text $$;
GRANT USAGE ON SCHEMA pgi_privtest_evil TO pgi_privtest_trainer;
SET ROLE pgi_privtest_trainer;
SET search_path = pgi_privtest_evil, pg_catalog, public;
SELECT train_intent_model('path', 'full', '{"deploy": "never", "seed": 3}') ->> 'status' AS status;
RESET search_path;
RESET ROLE;
DROP SCHEMA pgi_privtest_evil CASCADE;

-- No internal function is executable by a role without grants: PostgREST
-- serves every function a role may execute as /rpc/NAME, and 0.2.0 opened
-- 17 of them to PUBLIC (anon read /rpc/_pg_intent_policy and reviewed rows
-- past the review functions' checks). What PUBLIC may execute is the list
-- below, and nothing internal.
CREATE ROLE pgi_privtest_fresh NOLOGIN NOSUPERUSER;
CREATE VIEW pg_temp.pgi_members AS
SELECT p.oid, p.proname FROM pg_proc p
  JOIN pg_depend d ON d.classid = 'pg_proc'::regclass AND d.objid = p.oid AND d.deptype = 'e'
  JOIN pg_extension e ON e.oid = d.refobjid AND e.extname = 'pg_intent';
GRANT SELECT ON pg_temp.pgi_members TO pgi_privtest_fresh;
SET ROLE pgi_privtest_fresh;
SELECT count(*) AS internal_executable FROM pg_temp.pgi_members m
 WHERE m.proname LIKE '\_pg\_intent\_%' AND has_function_privilege(m.oid, 'EXECUTE')
   -- but the words of errors, which every function raises through, as
   -- intent_output_error() (16_language.sql: the owner's code calls them
   -- where no role can plant an overload), and a model's F1, which reads
   -- nothing but its argument and which ai_model_registry calls for any
   -- reader (18_model_f1.sql), and the built-in classifier's review rows,
   -- which ai_review_queue calls for any reader and which read with the
   -- caller's privileges (33_review_queue.sql)
   AND m.proname NOT IN ('_pg_intent_error_words', '_pg_intent_model_f1', '_pg_intent_builtin_review_rows');
SELECT m.oid::regprocedure AS executable_by_a_role_without_grants FROM pg_temp.pgi_members m
 WHERE has_function_privilege(m.oid, 'EXECUTE') ORDER BY m.oid::regprocedure::text;
SELECT pg_temp.try($$SELECT intent_internal._pg_intent_policy()$$) AS rpc_policy;
SELECT pg_temp.try($$SELECT intent_internal._pg_intent_review(ARRAY[gen_random_uuid()], 'reject', NULL, NULL)$$) AS rpc_review;
SELECT pg_temp.try($$SELECT get_ai_training_metrics()$$) AS metrics_without_grant;
SELECT pg_temp.try($$SELECT grant_intent_access('pgi_privtest_fresh', 'reviewer')$$) AS grant_self;
RESET ROLE;

-- grant_intent_access() grants a feature with the internal functions it
-- calls: the reviewer set makes the metrics, the dashboard views, reports
-- and exports work for a role that may read the tables.
SELECT pg_temp.try($$SELECT grant_intent_access('pgi_privtest_fresh', 'everything')$$) AS unknown_access;
SELECT pg_temp.try($$SELECT grant_intent_access('pgi_privtest_fresh', NULL)$$) AS null_access;
SELECT pg_temp.try($$SELECT grant_intent_access(NULL, 'reviewer')$$) AS null_role;
SELECT access, cardinality(functions) AS functions FROM intent_internal._pg_intent_access_sets() ORDER BY access;
SELECT count(*) AS granted FROM grant_intent_access('pgi_privtest_fresh', 'reviewer');
GRANT SELECT ON ai_training_data, ai_training_runs, ai_intent_corrections, ai_live_metrics, ai_metric_alerts,
                ai_training_policy TO pgi_privtest_fresh;
GRANT SELECT (id, version, run_id, algorithm, size_bytes, sha256, intents, metrics, confidence_threshold,
              is_active, created_at, deployed_at, deleted_at, classifier, partition_key) ON ai_intent_models TO pgi_privtest_fresh;
SET ROLE pgi_privtest_fresh;
SELECT get_ai_training_metrics() ? 'active_model' AS metrics,
       training_report() LIKE '# Training report%' AS report,
       (SELECT count(*) FROM ai_live_metrics) AS live_metrics_rows,
       (SELECT count(*) >= 0 FROM ai_metric_alerts) AS alerts,
       should_retrain() IS NOT NULL AS should_retrain,
       (SELECT count(*) FROM export_training_dataset('csv')) AS csv_lines;
SELECT count(*) AS internal_executable_when_granted FROM pg_temp.pgi_members m
 WHERE m.proname LIKE '\_pg\_intent\_%' AND has_function_privilege(m.oid, 'EXECUTE');
RESET ROLE;

-- The same with Supabase's default privileges, which grant every new
-- function in the schema to its roles: the install revokes what they gave.
DROP OWNED BY pgi_privtest_fresh;
ALTER DEFAULT PRIVILEGES IN SCHEMA public GRANT ALL ON FUNCTIONS TO pgi_privtest_fresh;
DROP EXTENSION pg_intent CASCADE;
CREATE EXTENSION pg_intent;
ALTER DEFAULT PRIVILEGES IN SCHEMA public REVOKE ALL ON FUNCTIONS FROM pgi_privtest_fresh;
CREATE VIEW pg_temp.pgi_members2 AS
SELECT p.oid, p.proname FROM pg_proc p
  JOIN pg_depend d ON d.classid = 'pg_proc'::regclass AND d.objid = p.oid AND d.deptype = 'e'
  JOIN pg_extension e ON e.oid = d.refobjid AND e.extname = 'pg_intent';
GRANT SELECT ON pg_temp.pgi_members2 TO pgi_privtest_fresh;
SET ROLE pgi_privtest_fresh;
SELECT count(*) AS internal_executable_under_default_privileges FROM pg_temp.pgi_members2 m
 WHERE m.proname LIKE '\_pg\_intent\_%' AND has_function_privilege(m.oid, 'EXECUTE')
   AND m.proname NOT IN ('_pg_intent_error_words', '_pg_intent_model_f1', '_pg_intent_builtin_review_rows'); -- PUBLIC's (above)
RESET ROLE;

-- The internal functions live in the extension's own schema, not in the
-- one it was installed in (what PostgREST serves): every _pg_intent_*
-- member is in intent_internal, and the installed schema holds none.
SELECT count(*) FILTER (WHERE p.pronamespace = 'intent_internal'::regnamespace) AS internal_members,
       count(*) FILTER (WHERE p.pronamespace <> 'intent_internal'::regnamespace) AS elsewhere
  FROM pg_temp.pgi_members2 AS m JOIN pg_proc AS p ON p.oid = m.oid
 WHERE m.proname LIKE '\_pg\_intent\_%';
SELECT count(*) AS internal_in_public FROM pg_proc
 WHERE pronamespace = 'public'::regnamespace AND proname LIKE '\_pg\_intent\_%';
SELECT count(*) AS public_functions_in_internal FROM pg_temp.pgi_members2 AS m JOIN pg_proc AS p ON p.oid = m.oid
 WHERE p.pronamespace = 'intent_internal'::regnamespace AND m.proname NOT LIKE '\_pg\_intent\_%';

-- Default privileges that grant every new function and schema, everywhere:
-- the install leaves the internal schema usable by PUBLIC and creatable by
-- its owner only, and no internal function executable by the grantee.
DROP EXTENSION pg_intent CASCADE;
ALTER DEFAULT PRIVILEGES GRANT ALL ON FUNCTIONS TO pgi_privtest_fresh;
ALTER DEFAULT PRIVILEGES GRANT ALL ON SCHEMAS TO pgi_privtest_fresh;
CREATE EXTENSION pg_intent;
ALTER DEFAULT PRIVILEGES REVOKE ALL ON FUNCTIONS FROM pgi_privtest_fresh;
ALTER DEFAULT PRIVILEGES REVOKE ALL ON SCHEMAS FROM pgi_privtest_fresh;
SELECT n.nspacl = ARRAY[format('%s=UC/%1$s', n.nspowner::regrole), format('=U/%s', n.nspowner::regrole)]::aclitem[]
       AS internal_schema_acl
  FROM pg_namespace AS n WHERE n.nspname = 'intent_internal';
SET ROLE pgi_privtest_fresh;
SELECT has_schema_privilege('intent_internal', 'CREATE') AS may_create_internal,
       has_schema_privilege('intent_internal', 'USAGE') AS may_use_internal;
SELECT count(*) AS internal_executable_under_global_default_privileges FROM pg_temp.pgi_members2 m
 WHERE m.proname LIKE '\_pg\_intent\_%' AND has_function_privilege(m.oid, 'EXECUTE')
   AND m.proname NOT IN ('_pg_intent_error_words', '_pg_intent_model_f1', '_pg_intent_builtin_review_rows'); -- PUBLIC's (above)
RESET ROLE;

-- Clean up the cluster-wide roles (DROP OWNED removes their grants).
DROP OWNED BY pgi_privtest_nobody, pgi_privtest_trainer, pgi_privtest_fresh;
DROP ROLE pgi_privtest_nobody;
DROP ROLE pgi_privtest_trainer;
DROP ROLE pgi_privtest_fresh;
