-- pgTAP: the catalog contract of issue 3. Function signatures, parameter
-- names, return types, volatility, parallel safety and strictness; internal
-- functions closed to PUBLIC; the privilege model (model management SECURITY
-- DEFINER with a pinned search_path and granted explicitly, data functions
-- SECURITY INVOKER); every table and column; the views; settings.
-- Runs in a database where pgtap and pg_intent are installed in public.
--
-- The functions' contract is one declarative list, contract_functions: a row
-- per function, and pg_temp.contract_function_tap() turns each row into its
-- assertions (contract_checks says which apply). To add a contract function,
-- add its row; the plan counts the rows' assertions. The catch-all list of
-- every function of the extension (volatility, parallel, PUBLIC execute) is
-- expected_functions in operations.sql.
BEGIN;

-- One row per function. A NULL property is not asserted for that function.
CREATE TEMP TABLE contract_functions (
    ord                serial,
    signature          text PRIMARY KEY,  -- name(argument types), in schema public (intent_internal: _pg_intent_*)
    returns            text,              -- as function_returns() names it; NULL: internal, shape no contract
    volatility         text,              -- volatile, stable, immutable
    parallel           "char",            -- pg_proc.proparallel: s, r, u
    is_strict          boolean,
    strict_reason      text,
    argnames           text[],            -- pg_proc.proargnames ({} without arguments)
    public_execute     boolean NOT NULL,  -- may PUBLIC run it?
    public_reason      text,
    definer            boolean,           -- SECURITY DEFINER?
    definer_reason     text,
    pins_search_path   boolean NOT NULL,  -- SET search_path = pg_catalog, pg_temp asserted
    search_path_reason text,
    language           text,              -- asserted where the language is the point (a C function switching user)
    sql_standard_body  boolean NOT NULL   -- BEGIN ATOMIC / RETURN body, no SET clause (inlined)
);
INSERT INTO contract_functions (signature, returns, volatility, parallel, is_strict, strict_reason, argnames,
                                public_execute, public_reason, definer, definer_reason,
                                pins_search_path, search_path_reason, language, sql_standard_body)
VALUES
    ('record_interaction(text, text, integer, text, text, boolean, uuid, uuid, uuid, text, text)', 'uuid', 'volatile', 'u', false, 'NULL arguments get a proper error', ARRAY['p_user_message', 'p_detected_intent', 'p_confidence_score', 'p_ai_response', 'p_response_source', 'p_escalated', 'p_conversation_id', 'p_message_id', 'p_user_id', 'p_category', 'p_source']::text[], true, NULL, false, 'callers need table privileges, so row-level security applies', false, NULL, NULL, false),
    ('submit_intent_correction(uuid, text, text, boolean, text, uuid)', 'jsonb', 'volatile', 'u', false, 'NULL arguments get a proper error', ARRAY['p_training_data_id', 'p_correct_intent', 'p_correct_response', 'p_should_escalate', 'p_notes', 'p_corrector_id']::text[], true, NULL, false, 'callers need table privileges, so row-level security applies', false, NULL, NULL, false),
    -- The label rule (0.2.1): used by CHECK constraints and generated columns,
    -- so IMMUTABLE, open to PUBLIC (they run it as the inserting role), and a
    -- SQL-standard body bound when created (no search_path reaches it).
    ('is_valid_intent_name(text)', 'boolean', 'immutable', 's', NULL, NULL, ARRAY['p_name']::text[], true, NULL, false, NULL, false, NULL, NULL, true),
    -- The trimming of a label a caller passes (0.3.2): called as the caller
    -- by record_interaction() and submit_intent_correction(), both open to
    -- PUBLIC, so open to PUBLIC too; a SQL-standard body, as the label rule.
    ('normalize_intent_name(text)', 'text', 'immutable', 's', NULL, NULL, ARRAY['p_name']::text[], true, NULL, false, NULL, false, NULL, NULL, true),
    ('get_training_dataset(integer, boolean, integer)', 'setof record', 'stable', 's', false, 'NULL arguments get a proper error', ARRAY['p_min_confidence', 'p_only_reviewed', 'p_limit', 'id', 'user_message', 'intent', 'detected_intent', 'correct_intent', 'confidence_score', 'corrected_by_human', 'escalated', 'response_source', 'category', 'created_at']::text[], false, '0.2.1: it reads through internal functions; grant_intent_access(role, ''export'') grants it', false, 'callers need table privileges, so row-level security applies', false, NULL, NULL, false),
    ('train_intent_model(text, text, jsonb)', 'jsonb', 'volatile', 'u', false, 'NULL arguments get a proper error', ARRAY['p_run_name', 'p_run_type', 'p_options']::text[], false, 'a DBA grants EXECUTE', false, 'runs as its caller: it checks the caller''s privileges, then switches to the owner', false, NULL, 'c', false),
    ('deploy_intent_model(bigint)', 'jsonb', 'volatile', 'u', false, 'NULL arguments get a proper error', ARRAY['p_model_id']::text[], false, 'a DBA grants EXECUTE', true, NULL, true, NULL, NULL, false),
    ('rollback_intent_model()', 'jsonb', 'volatile', 'u', false, 'NULL arguments get a proper error', '{}'::text[], false, 'a DBA grants EXECUTE', true, NULL, true, NULL, NULL, false),
    ('predict_label(text, text, text)', 'label_prediction', 'stable', 's', false, 'not STRICT so that p_partition may default to NULL; NULL p_name or p_text gives NULL', ARRAY['p_name', 'p_text', 'p_partition']::text[], true, NULL, false, 'the per-classifier predict access is checked inside (_pg_intent_classifier_allows)', false, NULL, 'c', false),
    ('classify_label(text, text, text)', 'text', 'stable', 's', false, 'not STRICT so that p_partition may default to NULL; NULL p_name or p_text gives NULL', ARRAY['p_name', 'p_text', 'p_partition']::text[], true, NULL, false, 'the per-classifier predict access is checked inside (_pg_intent_classifier_allows)', false, NULL, 'c', false),
    ('predict_intent(text)', 'intent_prediction', 'stable', 's', true, NULL, ARRAY['p_message']::text[], true, NULL, false, 'needs EXECUTE only: the C code reads the models as the table owner', false, NULL, NULL, false),
    ('predict_intent(text, bigint)', 'intent_prediction', 'stable', 's', true, NULL, ARRAY['p_message', 'p_model_id']::text[], true, NULL, false, 'needs EXECUTE only: the C code reads the models as the table owner', false, NULL, NULL, false),
    ('classify_intent(text)', 'text', 'stable', 's', true, NULL, ARRAY['p_message']::text[], true, NULL, false, 'needs EXECUTE only: the C code reads the models as the table owner', false, NULL, NULL, false),
    ('intent_model_info(bytea)', 'jsonb', 'immutable', 's', true, NULL, ARRAY['p_model']::text[], true, NULL, false, NULL, false, NULL, NULL, false),
    -- Internal functions: closed to PUBLIC; their shape is no contract.
    ('_pg_intent_train(text[], text[], real[], boolean[], jsonb, bytea)', NULL, NULL, NULL, NULL, NULL, NULL, false, NULL, NULL, NULL, false, NULL, NULL, false),
    ('_pg_intent_models_changed()', NULL, NULL, NULL, NULL, NULL, NULL, false, NULL, NULL, NULL, false, NULL, NULL, false),
    ('_pg_intent_activate(bigint, text, uuid)', NULL, NULL, NULL, NULL, NULL, NULL, false, NULL, NULL, NULL, false, NULL, NULL, false),
    ('_pg_intent_lock(text, boolean)', NULL, NULL, NULL, NULL, NULL, NULL, false, NULL, NULL, NULL, false, NULL, NULL, false),
    ('_pg_intent_headline_metrics(jsonb)', NULL, NULL, NULL, NULL, NULL, NULL, false, NULL, NULL, NULL, false, NULL, NULL, false),
    ('_pg_intent_touch_updated_at()', NULL, NULL, NULL, NULL, NULL, NULL, false, NULL, NULL, NULL, false, NULL, NULL, false),
    ('_pg_intent_set_was_mismatch()', NULL, NULL, NULL, NULL, NULL, NULL, false, NULL, NULL, NULL, false, NULL, NULL, false),
    ('create_classifier(text, regclass, name, name, jsonb)', 'jsonb', 'volatile', 'u', false, 'NULL arguments get a proper error', ARRAY['p_name', 'p_source', 'p_text_column', 'p_label_column', 'p_options']::text[], false, 'granted with grant_intent_access(role, ''classifiers'')', false, 'runs as its caller: checks the caller against the classifier''s grants, then switches to the owner', false, NULL, 'c', false),
    ('alter_classifier(text, jsonb)', 'jsonb', 'volatile', 'u', false, 'NULL arguments get a proper error', ARRAY['p_name', 'p_options']::text[], true, 'checks the classifier''s owner inside', false, 'runs as its caller: checks the caller against the classifier''s grants, then switches to the owner', false, NULL, 'c', false),
    ('drop_classifier(text, boolean)', 'jsonb', 'volatile', 'u', false, 'NULL arguments get a proper error', ARRAY['p_name', 'p_drop_models']::text[], true, 'checks the classifier''s owner inside', false, 'runs as its caller: checks the caller against the classifier''s grants, then switches to the owner', false, NULL, 'c', false),
    -- 0.3.2: an administrator's act (the owner may be gone): closed to PUBLIC, granted to no set
    ('reassign_classifier(text, regrole)', 'jsonb', 'volatile', 'u', false, 'NULL arguments get a proper error', ARRAY['p_name', 'p_new_owner']::text[], false, 'superusers and the extension''s owner only: it gives a classifier an owner', false, 'runs as its caller: checks the caller is an administrator, then switches to the owner', false, NULL, 'c', false),
    ('grant_classifier_access(text, text, text)', 'jsonb', 'volatile', 'u', false, 'NULL arguments get a proper error', ARRAY['p_name', 'p_role', 'p_access']::text[], true, 'checks the classifier''s owner inside', false, 'runs as its caller: checks the caller against the classifier''s grants, then switches to the owner', false, NULL, 'c', false),
    ('revoke_classifier_access(text, text, text)', 'jsonb', 'volatile', 'u', false, 'NULL arguments get a proper error', ARRAY['p_name', 'p_role', 'p_access']::text[], true, 'checks the classifier''s owner inside', false, 'runs as its caller: checks the caller against the classifier''s grants, then switches to the owner', false, NULL, 'c', false),
    ('train_classifier(text, text, jsonb)', 'jsonb', 'volatile', 'u', false, 'NULL arguments get a proper error', ARRAY['p_name', 'p_run_name', 'p_options']::text[], true, 'checks the classifier''s train grant inside', false, 'runs as its caller: reads the source as the classifier''s owner in a security-restricted operation, then records the runs as the extension owner', false, NULL, 'c', false),
    ('deploy_classifier_model(text, bigint)', 'jsonb', 'volatile', 'u', false, 'NULL arguments get a proper error', ARRAY['p_name', 'p_model_id']::text[], true, 'checks the classifier''s deploy grant inside', false, 'runs as its caller: checks the caller against the classifier''s grants, then switches to the owner', false, NULL, 'c', false),
    ('rollback_classifier(text, text)', 'jsonb', 'volatile', 'u', false, 'NULL arguments get a proper error', ARRAY['p_name', 'p_partition']::text[], true, 'checks the classifier''s deploy grant inside', false, 'runs as its caller: checks the caller against the classifier''s grants, then switches to the owner', false, NULL, 'c', false),
    ('prune_classifier_models(text, integer)', 'jsonb', 'volatile', 'u', false, 'NULL arguments get a proper error; NULL p_keep is the classifier''s keep_replaced_models', ARRAY['p_name', 'p_keep']::text[], true, 'checks the classifier''s deploy grant inside', false, 'runs as its caller: checks the caller against the classifier''s grants, then switches to the owner', false, NULL, 'c', false),
    ('_pg_intent_classifier_allows(text, oid, text)', NULL, NULL, NULL, NULL, NULL, NULL, false, NULL, true, 'reads ai_classifiers, which callers cannot', true, 'runs as the owner', NULL, false),
    ('_pg_intent_classifier_for_training(text, oid)', NULL, NULL, NULL, NULL, NULL, NULL, false, NULL, true, 'reads ai_classifiers, which callers cannot', true, 'runs as the owner', NULL, false),
    -- 0.3.1: a classifier's health, read as its caller; 0.3.2: the source
    -- counted as the classifier's owner, restricted.
    ('get_classifier_metrics(text, integer)', 'jsonb', 'stable', 'u', false, 'NULL arguments get a proper error', ARRAY['p_name', 'p_days']::text[], false, 'granted with grant_intent_access(role, ''metrics'')', false, 'runs as its caller: models and runs with its table privileges, the source as the classifier''s owner', true, NULL, 'plpgsql', false),
    ('_pg_intent_classifier_count_plan(text)', NULL, NULL, NULL, NULL, NULL, NULL, false, NULL, true, 'reads ai_classifiers, which callers cannot; returns names, never rows', true, 'runs as the owner', NULL, false),
    ('_pg_intent_classifier_due(bigint, timestamp with time zone, bigint, integer)', NULL, 'immutable', NULL, NULL, NULL, NULL, false, NULL, false, NULL, true, NULL, NULL, false),
    -- 0.3.1: a classifier's health per period, frozen as the caller (the
    -- periods cut by the rule create_metrics_snapshot() uses).
    ('create_classifier_metrics_snapshot(text, text, timestamp with time zone)', 'jsonb', 'volatile', 'u', false, 'NULL arguments get a proper error', ARRAY['p_name', 'p_period_type', 'p_period_start']::text[], false, 'granted with grant_intent_access(role, ''metrics'')', false, 'runs as its caller: models, runs and deployments with its table privileges, the source as the classifier''s owner', true, NULL, 'plpgsql', false),
    -- 0.3.1: explain_intent() for a classifier's serving model; closed to
    -- PUBLIC as explain_intent() is, and the predict access checked inside.
    ('explain_label(text, text, text, integer, text)', 'jsonb', 'stable', 's', false, 'not STRICT so that p_partition and p_label may default to NULL; NULL p_name or p_text gives NULL', ARRAY['p_name', 'p_text', 'p_partition', 'p_top', 'p_label']::text[], false, 'granted with grant_intent_access(role, ''explain''): an explanation tells whether an n-gram was in the training data', false, 'the per-classifier predict access is checked inside (_pg_intent_classifier_allows)', false, NULL, 'c', false),
    ('evaluate_label(text, text, text)', 'jsonb', 'volatile', 'u', false, 'not STRICT so that p_partition may default to NULL; NULL p_name or p_query raise 22004', ARRAY['p_name', 'p_query', 'p_partition']::text[], false, 'granted with grant_intent_access(role, ''classifiers''): it runs any read-only query its caller writes', false, 'SECURITY INVOKER: the query runs with the caller''s rights; the per-classifier predict access is checked inside', false, NULL, 'c', false),
    ('_pg_intent_snapshot_period(text, timestamp with time zone)', NULL, 'stable', NULL, NULL, NULL, NULL, false, NULL, false, NULL, true, NULL, NULL, false),
    -- 0.3.1: a classifier's label-error queue, read as its caller, and the
    -- rule it shares with ai_review_queue (a SQL-standard body, like
    -- is_valid_intent_name()).
    ('get_classifier_review_queue(text, text, integer)', 'setof record', 'stable', 'r', false, 'NULL arguments get a proper error', ARRAY['p_name', 'p_partition', 'p_limit', 'rank', 'row_key', 'text', 'label', 'suspected_label', 'suspected_confidence', 'label_probability', 'label_threshold', 'priority', 'run_id']::text[], false, 'granted with grant_intent_access(role, ''review'')', false, 'runs as its caller: run rows with its table privileges, texts from the source as the classifier''s owner', true, NULL, 'plpgsql', false),
    ('_pg_intent_classifier_review_plan(text)', NULL, NULL, NULL, NULL, NULL, NULL, false, NULL, true, 'reads ai_classifiers, which callers cannot; returns names, never rows', true, 'runs as the owner', NULL, false),
    ('is_suspected_label_error(text, text, double precision, double precision)', 'boolean', 'immutable', 's', NULL, NULL, ARRAY['p_label', 'p_predicted_label', 'p_label_probability', 'p_label_threshold']::text[], true, NULL, false, NULL, false, NULL, NULL, true);

-- Which assertions each row makes, in order: every function exists, says
-- whether PUBLIC may run it and has a comment; the rest where the row says.
CREATE TEMP VIEW contract_checks AS
SELECT f.*, c.n, c.kind
  FROM contract_functions AS f
 CROSS JOIN LATERAL (VALUES (1, 'exists', true),
                            (2, 'returns', f.returns IS NOT NULL),
                            (3, 'volatility', f.volatility IS NOT NULL),
                            (4, 'parallel', f.parallel IS NOT NULL),
                            (5, 'strict', f.is_strict IS NOT NULL),
                            (6, 'argnames', f.argnames IS NOT NULL),
                            (7, 'public_execute', true),
                            (8, 'definer', f.definer IS NOT NULL),
                            (9, 'search_path', f.pins_search_path),
                            (10, 'language', f.language IS NOT NULL),
                            (11, 'sql_standard_body', f.sql_standard_body),
                            (12, 'comment', true)) AS c(n, kind, applies)
 WHERE c.applies;

-- The TAP lines of contract_checks, in order.
CREATE FUNCTION pg_temp.contract_function_tap() RETURNS SETOF text
LANGUAGE plpgsql AS $$
DECLARE
    c record;
    v_name name;
    v_args name[];
    v_proc regprocedure;
    v_parallel text;
    v_schema name; -- internal functions (_pg_intent_*) are in intent_internal, the rest in public
BEGIN
    FOR c IN SELECT * FROM contract_checks ORDER BY ord, n LOOP
        v_name := split_part(c.signature, '(', 1);
        v_args := string_to_array(rtrim(split_part(c.signature, '(', 2), ')'), ', ')::name[];
        v_schema := CASE WHEN starts_with(v_name, '_pg_intent_') THEN 'intent_internal' ELSE 'public' END;
        v_proc := to_regprocedure(v_schema || '.' || c.signature);
        v_parallel := CASE c.parallel WHEN 's' THEN 'SAFE' WHEN 'r' THEN 'RESTRICTED' ELSE 'UNSAFE' END;
        RETURN NEXT CASE c.kind
            WHEN 'exists' THEN
                has_function(v_schema, v_name, v_args, c.signature || ' exists')
            WHEN 'returns' THEN
                function_returns(v_schema, v_name, v_args, c.returns, c.signature || ' returns ' || c.returns)
            WHEN 'volatility' THEN
                volatility_is(v_schema, v_name, v_args, c.volatility, c.signature || ' is ' || upper(c.volatility))
            WHEN 'parallel' THEN
                is((SELECT p.proparallel FROM pg_proc AS p WHERE p.oid = v_proc), c.parallel,
                   c.signature || ' is PARALLEL ' || v_parallel)
            WHEN 'strict' THEN
                CASE WHEN c.is_strict
                     THEN is_strict(v_schema, v_name, v_args,
                                    c.signature || ' is STRICT' || coalesce(' (' || c.strict_reason || ')', ''))
                     ELSE isnt_strict(v_schema, v_name, v_args,
                                      c.signature || ' is not STRICT' || coalesce(' (' || c.strict_reason || ')', ''))
                END
            WHEN 'argnames' THEN
                is((SELECT coalesce(p.proargnames, '{}') FROM pg_proc AS p WHERE p.oid = v_proc), c.argnames,
                   c.signature || ' parameter names')
            WHEN 'public_execute' THEN
                CASE WHEN c.public_execute
                     THEN ok(coalesce(has_function_privilege('public', v_proc, 'EXECUTE'), false),
                             c.signature || ' is executable by PUBLIC' || coalesce(' (' || c.public_reason || ')', ''))
                     ELSE ok(NOT coalesce(has_function_privilege('public', v_proc, 'EXECUTE'), true),
                             c.signature || ' is not executable by PUBLIC' || coalesce(' (' || c.public_reason || ')', ''))
                END
            WHEN 'definer' THEN
                CASE WHEN c.definer
                     THEN is_definer(v_schema, v_name, v_args,
                                     c.signature || ' is SECURITY DEFINER' || coalesce(' (' || c.definer_reason || ')', ''))
                     ELSE isnt_definer(v_schema, v_name, v_args,
                                       c.signature || ' is SECURITY INVOKER' || coalesce(' (' || c.definer_reason || ')', ''))
                END
            WHEN 'search_path' THEN
                -- (other settings it pins: operations.sql lists them)
                ok((SELECT coalesce(p.proconfig @> ARRAY['search_path=pg_catalog, pg_temp'], false) FROM pg_proc AS p WHERE p.oid = v_proc),
                   c.signature || ' pins search_path to pg_catalog, pg_temp' || coalesce(' (' || c.search_path_reason || ')', ''))
            WHEN 'language' THEN
                is((SELECT l.lanname::text FROM pg_proc AS p JOIN pg_language AS l ON l.oid = p.prolang WHERE p.oid = v_proc),
                   c.language, c.signature || ' is a ' || CASE c.language WHEN 'c' THEN 'C' ELSE c.language END || ' function')
            WHEN 'sql_standard_body' THEN
                ok((SELECT p.prosqlbody IS NOT NULL AND p.proconfig IS NULL FROM pg_proc AS p WHERE p.oid = v_proc),
                   c.signature || ' has a SQL-standard body and no SET clause (inlined; names bound at creation)')
            WHEN 'comment' THEN
                isnt(obj_description(v_proc, 'pg_proc'), NULL, c.signature || ' has a comment')
        END;
    END LOOP;
END
$$;

-- The list's assertions, and the 101 written out below.
SELECT plan((SELECT count(*)::integer FROM contract_checks) + 111);

-- Loads the library so that the pg_intent.* settings exist in pg_settings.
SELECT ok(pg_intent_loaded(), 'the pg_intent library loads');

SELECT * FROM pg_temp.contract_function_tap();

SELECT is((SELECT pg_get_function_arguments(to_regprocedure('public.record_interaction(text, text, integer, text, text, boolean, uuid, uuid, uuid, text, text)'))), 'p_user_message text, p_detected_intent text, p_confidence_score integer, p_ai_response text DEFAULT NULL::text, p_response_source text DEFAULT NULL::text, p_escalated boolean DEFAULT false, p_conversation_id uuid DEFAULT NULL::uuid, p_message_id uuid DEFAULT NULL::uuid, p_user_id uuid DEFAULT NULL::uuid, p_category text DEFAULT NULL::text, p_source text DEFAULT ''live''::text', 'record_interaction defaults');
SELECT is((SELECT pg_get_function_arguments(to_regprocedure('public.submit_intent_correction(uuid, text, text, boolean, text, uuid)'))), 'p_training_data_id uuid, p_correct_intent text, p_correct_response text DEFAULT NULL::text, p_should_escalate boolean DEFAULT NULL::boolean, p_notes text DEFAULT NULL::text, p_corrector_id uuid DEFAULT NULL::uuid', 'submit_intent_correction defaults');
SELECT is((SELECT pg_get_function_arguments(to_regprocedure('public.get_training_dataset(integer, boolean, integer)'))), 'p_min_confidence integer DEFAULT 0, p_only_reviewed boolean DEFAULT false, p_limit integer DEFAULT 10000', 'get_training_dataset defaults');
SELECT is((SELECT pg_get_function_arguments(to_regprocedure('public.train_intent_model(text, text, jsonb)'))), 'p_run_name text DEFAULT NULL::text, p_run_type text DEFAULT ''full''::text, p_options jsonb DEFAULT ''{}''::jsonb', 'train_intent_model defaults');
SELECT is((SELECT pg_get_function_result(to_regprocedure('public.get_training_dataset(integer, boolean, integer)'))), 'TABLE(id uuid, user_message text, intent text, detected_intent text, correct_intent text, confidence_score integer, corrected_by_human boolean, escalated boolean, response_source text, category text, created_at timestamp with time zone)', 'get_training_dataset result columns');
SELECT is((SELECT array_agg(format('%s %s', attname, format_type(atttypid, atttypmod)) ORDER BY attnum) FROM pg_attribute WHERE attrelid = 'public.intent_prediction'::regclass AND attnum > 0 AND NOT attisdropped), ARRAY['predicted_intent text', 'confidence double precision', 'top_intents json', 'uncertain boolean', 'model_id bigint'], 'predict_intent result columns (the row type intent_prediction): top_intents is json, which keeps the most probable intent first');
SELECT has_table('public', 'ai_training_data', 'table ai_training_data exists');
SELECT columns_are('public', 'ai_training_data', ARRAY['id', 'conversation_id', 'message_id', 'user_id', 'user_message', 'detected_intent', 'correct_intent', 'ai_response', 'correct_response', 'confidence_score', 'corrected_by_human', 'intent_correct', 'escalated', 'should_escalate', 'response_source', 'dataset_status', 'category', 'source', 'quality_score', 'user_feedback', 'evaluated_at', 'was_successful', 'corrected_by', 'corrected_at', 'model_id', 'created_at', 'updated_at', 'training_label', 'is_reviewed']::name[], 'ai_training_data has the contract''s columns (was_successful comes from the operations features; training_label and is_reviewed, generated, are the one definition of a training row)');
SELECT isnt(obj_description(to_regclass('public.ai_training_data'), 'pg_class'), NULL, 'ai_training_data has a comment');
SELECT ok((SELECT to_regclass('public.ai_training_data') = ANY(extconfig) FROM pg_extension WHERE extname = 'pg_intent'), 'ai_training_data is dumped by pg_dump');
SELECT has_table('public', 'ai_intent_corrections', 'table ai_intent_corrections exists');
SELECT columns_are('public', 'ai_intent_corrections', ARRAY['id', 'training_data_id', 'original_intent', 'corrected_intent', 'was_mismatch', 'notes', 'corrected_by', 'created_at', 'recorded_by']::name[], 'ai_intent_corrections has the contract''s columns (recorded_by: who, stamped by the server, 0.2.1)');
SELECT isnt(obj_description(to_regclass('public.ai_intent_corrections'), 'pg_class'), NULL, 'ai_intent_corrections has a comment');
SELECT ok((SELECT to_regclass('public.ai_intent_corrections') = ANY(extconfig) FROM pg_extension WHERE extname = 'pg_intent'), 'ai_intent_corrections is dumped by pg_dump');
SELECT has_table('public', 'ai_training_runs', 'table ai_training_runs exists');
SELECT columns_are('public', 'ai_training_run_rows', ARRAY['run_id', 'training_data_id', 'intent', 'fresh', 'fold', 'predicted_intent', 'confidence', 'label_probability', 'uncertain']::name[], 'ai_training_run_rows has the contract''s columns');
SELECT columns_are('public', 'ai_training_policy', ARRAY['id', 'min_samples_for_training', 'auto_retrain_threshold', 'max_f1_regression', 'corrected_weight', 'max_training_memory_mb', 'max_training_threads', 'min_gate_rows', 'out_of_scope_intent', 'out_of_scope_mode', 'only_reviewed', 'max_training_rows', 'updated_at', 'updated_by', 'retry_failed_after', 'min_alert_samples', 'snapshot_time_zone', 'max_unreviewed_message_bytes', 'min_unreviewed_intent_rows', 'max_intents', 'max_concurrent_trainings', 'max_partitions_per_classifier', 'max_unreviewed_rows']::name[], 'ai_training_policy has the contract''s columns');
SELECT columns_are('public', 'ai_review_actions', ARRAY['id', 'training_data_id', 'action', 'intent', 'reason', 'reviewer_id', 'reviewed_by', 'created_at']::name[], 'ai_review_actions has the contract''s columns');
SELECT columns_are('public', 'ai_training_runs', ARRAY['id', 'run_name', 'run_type', 'status', 'error', 'training_samples', 'validation_samples', 'test_samples', 'total_intents', 'intent_accuracy', 'intent_precision', 'intent_recall', 'intent_f1_score', 'baseline_intent_accuracy', 'baseline_f1_score', 'model_config', 'metrics', 'model_id', 'deployed', 'deploy_reason', 'started_at', 'finished_at', 'duration_seconds', 'deploy_evidence', 'classifier', 'partition_key', 'batch_id', 'classifier_id']::name[], 'ai_training_runs has the contract''s columns');
SELECT isnt(obj_description(to_regclass('public.ai_training_runs'), 'pg_class'), NULL, 'ai_training_runs has a comment');
SELECT ok((SELECT to_regclass('public.ai_training_runs') = ANY(extconfig) FROM pg_extension WHERE extname = 'pg_intent'), 'ai_training_runs is dumped by pg_dump');
SELECT has_table('public', 'ai_intent_models', 'table ai_intent_models exists');
SELECT columns_are('public', 'ai_intent_models', ARRAY['id', 'version', 'run_id', 'algorithm', 'model', 'size_bytes', 'sha256', 'intents', 'metrics', 'confidence_threshold', 'is_active', 'created_at', 'deployed_at', 'deleted_at', 'classifier', 'partition_key', 'classifier_id']::name[], 'ai_intent_models has the contract''s columns');
SELECT isnt(obj_description(to_regclass('public.ai_intent_models'), 'pg_class'), NULL, 'ai_intent_models has a comment');
SELECT ok((SELECT to_regclass('public.ai_intent_models') = ANY(extconfig) FROM pg_extension WHERE extname = 'pg_intent'), 'ai_intent_models is dumped by pg_dump');
SELECT has_table('public', 'ai_model_deployments', 'table ai_model_deployments exists');
SELECT columns_are('public', 'ai_model_deployments', ARRAY['id', 'model_id', 'previous_model_id', 'run_id', 'reason', 'deployed_by', 'deployed_at', 'classifier', 'partition_key', 'classifier_id']::name[], 'ai_model_deployments has the contract''s columns');
SELECT isnt(obj_description(to_regclass('public.ai_model_deployments'), 'pg_class'), NULL, 'ai_model_deployments has a comment');
SELECT ok((SELECT to_regclass('public.ai_model_deployments') = ANY(extconfig) FROM pg_extension WHERE extname = 'pg_intent'), 'ai_model_deployments is dumped by pg_dump');
SELECT has_table('public', 'ai_metrics_snapshots', 'table ai_metrics_snapshots exists');
SELECT columns_are('public', 'ai_metrics_snapshots', ARRAY['id', 'period_type', 'period_start', 'period_end', 'total_messages', 'ai_resolved', 'escalated', 'escalation_rate', 'avg_confidence', 'intent_accuracy', 'correction_rate', 'top_intents', 'top_misclassified', 'model_id', 'created_at', 'escalation_rate_fraction', 'avg_confidence_fraction', 'intent_accuracy_fraction', 'correction_rate_fraction']::name[], 'ai_metrics_snapshots has the contract''s columns (the *_fraction ones, 0.2.2: the percentages on the 0-1 scale, docs/dashboards.md)');
SELECT isnt(obj_description(to_regclass('public.ai_metrics_snapshots'), 'pg_class'), NULL, 'ai_metrics_snapshots has a comment');
SELECT ok((SELECT to_regclass('public.ai_metrics_snapshots') = ANY(extconfig) FROM pg_extension WHERE extname = 'pg_intent'), 'ai_metrics_snapshots is dumped by pg_dump');
SELECT has_table('public', 'ai_classifier_metrics_snapshots', 'table ai_classifier_metrics_snapshots exists (0.3.1)');
SELECT columns_are('public', 'ai_classifier_metrics_snapshots', ARRAY['id', 'classifier', 'period_type', 'period_start', 'period_end', 'model_id', 'model_version', 'model_f1', 'model_accuracy', 'model_coverage', 'partition_models', 'partition_f1_min', 'partition_f1_median', 'runs', 'runs_completed', 'runs_failed', 'runs_deployed', 'new_rows', 'details', 'created_at']::name[], 'ai_classifier_metrics_snapshots has the contract''s columns');
SELECT isnt(obj_description(to_regclass('public.ai_classifier_metrics_snapshots'), 'pg_class'), NULL, 'ai_classifier_metrics_snapshots has a comment');
SELECT ok((SELECT to_regclass('public.ai_classifier_metrics_snapshots') = ANY(extconfig) FROM pg_extension WHERE extname = 'pg_intent'), 'ai_classifier_metrics_snapshots is dumped by pg_dump');
SELECT has_unique('public', 'ai_classifier_metrics_snapshots', 'ai_classifier_metrics_snapshots is unique per classifier and period');
SELECT has_table('public', 'ai_prompt_versions', 'table ai_prompt_versions exists');
SELECT columns_are('public', 'ai_prompt_versions', ARRAY['id', 'name', 'version', 'system_prompt', 'is_active', 'notes', 'created_at']::name[], 'ai_prompt_versions has the contract''s columns');
SELECT isnt(obj_description(to_regclass('public.ai_prompt_versions'), 'pg_class'), NULL, 'ai_prompt_versions has a comment');
SELECT ok((SELECT to_regclass('public.ai_prompt_versions') = ANY(extconfig) FROM pg_extension WHERE extname = 'pg_intent'), 'ai_prompt_versions is dumped by pg_dump');
SELECT col_type_is('public', 'ai_training_data', 'id', 'uuid', 'ai_training_data.id is uuid');
SELECT col_type_is('public', 'ai_training_data', 'conversation_id', 'uuid', 'ai_training_data.conversation_id is uuid');
SELECT col_type_is('public', 'ai_training_data', 'message_id', 'uuid', 'ai_training_data.message_id is uuid');
SELECT col_type_is('public', 'ai_training_data', 'user_id', 'uuid', 'ai_training_data.user_id is uuid');
SELECT col_type_is('public', 'ai_training_data', 'user_message', 'text', 'ai_training_data.user_message is text');
SELECT col_type_is('public', 'ai_training_data', 'confidence_score', 'integer', 'ai_training_data.confidence_score is integer');
SELECT col_type_is('public', 'ai_training_data', 'corrected_by_human', 'boolean', 'ai_training_data.corrected_by_human is boolean');
SELECT col_type_is('public', 'ai_training_data', 'intent_correct', 'boolean', 'ai_training_data.intent_correct is boolean');
SELECT col_type_is('public', 'ai_training_data', 'quality_score', 'smallint', 'ai_training_data.quality_score is smallint');
SELECT col_type_is('public', 'ai_training_data', 'corrected_by', 'uuid', 'ai_training_data.corrected_by is uuid');
SELECT col_type_is('public', 'ai_training_data', 'model_id', 'bigint', 'ai_training_data.model_id is bigint');
SELECT col_type_is('public', 'ai_training_data', 'created_at', 'timestamp with time zone', 'ai_training_data.created_at is timestamp with time zone');
SELECT col_type_is('public', 'ai_intent_corrections', 'training_data_id', 'uuid', 'ai_intent_corrections.training_data_id is uuid');
SELECT col_type_is('public', 'ai_intent_corrections', 'was_mismatch', 'boolean', 'ai_intent_corrections.was_mismatch is boolean');
SELECT col_type_is('public', 'ai_training_runs', 'id', 'uuid', 'ai_training_runs.id is uuid');
SELECT col_type_is('public', 'ai_training_runs', 'model_config', 'jsonb', 'ai_training_runs.model_config is jsonb');
SELECT col_type_is('public', 'ai_training_runs', 'metrics', 'jsonb', 'ai_training_runs.metrics is jsonb');
SELECT col_type_is('public', 'ai_training_runs', 'intent_f1_score', 'double precision', 'ai_training_runs.intent_f1_score is double precision');
SELECT col_type_is('public', 'ai_training_runs', 'model_id', 'bigint', 'ai_training_runs.model_id is bigint');
SELECT col_type_is('public', 'ai_training_runs', 'deployed', 'boolean', 'ai_training_runs.deployed is boolean');
SELECT col_type_is('public', 'ai_intent_models', 'id', 'bigint', 'ai_intent_models.id is bigint');
SELECT col_type_is('public', 'ai_intent_models', 'version', 'text', 'ai_intent_models.version is text');
SELECT col_type_is('public', 'ai_intent_models', 'run_id', 'uuid', 'ai_intent_models.run_id is uuid');
SELECT col_type_is('public', 'ai_intent_models', 'model', 'bytea', 'ai_intent_models.model is bytea');
SELECT col_type_is('public', 'ai_intent_models', 'intents', 'text[]', 'ai_intent_models.intents is text[]');
SELECT col_type_is('public', 'ai_intent_models', 'metrics', 'jsonb', 'ai_intent_models.metrics is jsonb');
SELECT col_type_is('public', 'ai_intent_models', 'is_active', 'boolean', 'ai_intent_models.is_active is boolean');
SELECT col_type_is('public', 'ai_model_deployments', 'model_id', 'bigint', 'ai_model_deployments.model_id is bigint');
SELECT col_type_is('public', 'ai_metrics_snapshots', 'top_intents', 'jsonb', 'ai_metrics_snapshots.top_intents is jsonb');
SELECT col_type_is('public', 'ai_metrics_snapshots', 'top_misclassified', 'jsonb', 'ai_metrics_snapshots.top_misclassified is jsonb');
SELECT col_type_is('public', 'ai_metrics_snapshots', 'period_start', 'timestamp with time zone', 'ai_metrics_snapshots.period_start is timestamp with time zone');
SELECT col_not_null('public', 'ai_training_data', 'user_message', 'ai_training_data.user_message is NOT NULL');
SELECT col_not_null('public', 'ai_training_data', 'dataset_status', 'ai_training_data.dataset_status is NOT NULL');
SELECT col_not_null('public', 'ai_training_data', 'source', 'ai_training_data.source is NOT NULL');
SELECT col_is_null('public', 'ai_intent_models', 'model', 'ai_intent_models.model is NULL once delete_intent_model() removed the bytes');
SELECT col_not_null('public', 'ai_intent_models', 'is_active', 'ai_intent_models.is_active is NOT NULL');
SELECT has_index('public', 'ai_intent_models', 'ai_intent_models_one_active_idx', 'at most one active model: unique partial index');
SELECT ok((SELECT indisunique AND indpred IS NOT NULL FROM pg_index WHERE indexrelid = to_regclass('public.ai_intent_models_one_active_idx')), 'the one-active index is unique and partial');
SELECT has_index('public', 'ai_training_data', 'ai_training_data_detected_intent_idx', 'index ai_training_data_detected_intent_idx');
SELECT has_index('public', 'ai_training_data', 'ai_training_data_correct_intent_idx', 'index ai_training_data_correct_intent_idx');
SELECT has_index('public', 'ai_training_data', 'ai_training_data_dataset_status_idx', 'index ai_training_data_dataset_status_idx');
SELECT has_index('public', 'ai_training_data', 'ai_training_data_corrected_by_human_idx', 'index ai_training_data_corrected_by_human_idx');
SELECT has_index('public', 'ai_training_data', 'ai_training_data_created_at_idx', 'index ai_training_data_created_at_idx');
SELECT has_unique('public', 'ai_metrics_snapshots', 'ai_metrics_snapshots is unique per period');
SELECT hasnt_fk('public', 'ai_intent_corrections', 'corrections reference ai_training_data through a trigger, not a foreign key (pg_restore -j loads extension tables in any order)');
SELECT has_trigger('public', 'ai_intent_models', 'ai_intent_models_changed', 'model cache invalidation trigger');
SELECT has_trigger('public', 'ai_classifiers', 'ai_classifiers_changed', 'classifier cache invalidation trigger');
SELECT has_trigger('public', 'ai_intent_models', 'ai_intent_models_applied', 'model cache invalidation by logical replication''s apply worker');
SELECT has_trigger('public', 'ai_classifiers', 'ai_classifiers_applied', 'classifier cache invalidation by logical replication''s apply worker');
-- 0.3.2 (issue 31 item 11): a restored row finds its owner, grantees and
-- source again by name; orphaned classifiers are listed.
SELECT has_trigger('public', 'ai_classifiers', 'ai_classifiers_rebind', 'classifier rows find their roles and source by name when inserted');
SELECT has_view('public', 'ai_classifier_owners', 'view ai_classifier_owners exists');
SELECT columns_are('public', 'ai_classifier_owners', ARRAY['name', 'id', 'owner', 'owner_oid', 'orphaned', 'source', 'source_missing', 'built_in']::name[], 'ai_classifier_owners columns');
SELECT has_trigger('public', 'ai_intent_corrections', 'ai_intent_corrections_set_was_mismatch', 'was_mismatch trigger');
SELECT has_trigger('public', 'ai_intent_corrections', 'ai_intent_corrections_stamp_audit', 'corrections: who and when are stamped by the server');
SELECT has_trigger('public', 'ai_review_actions', 'ai_review_actions_stamp_audit', 'review actions: who and when are stamped by the server');
SELECT has_trigger('public', 'ai_training_data', 'ai_training_data_stamp_audit', 'training data: audit columns stamped, review state only through the review functions');
SELECT has_trigger('public', 'ai_model_deployments', 'ai_model_deployments_stamp_audit', 'deployments: who and when are stamped by the server');
SELECT has_trigger('public', 'ai_training_data', 'ai_training_data_touch_updated_at', 'updated_at trigger');
SELECT col_default_is('public', 'ai_training_data', 'dataset_status', 'pending'::text, 'dataset_status defaults to pending');
SELECT col_default_is('public', 'ai_training_data', 'source', 'live'::text, 'source defaults to live');
SELECT has_view('public', 'ai_model_registry', 'view ai_model_registry exists');
SELECT columns_are('public', 'ai_model_registry', ARRAY['id', 'version', 'is_active', 'algorithm', 'total_intents', 'intents', 'accuracy', 'precision', 'recall', 'f1_score', 'confidence_threshold', 'metrics', 'size_bytes', 'sha256', 'run_id', 'run_name', 'training_samples', 'created_at', 'deployed_at', 'last_deploy_reason', 'classifier', 'partition_key']::name[], 'ai_model_registry columns');
SELECT isnt(obj_description(to_regclass('public.ai_model_registry'), 'pg_class'), NULL, 'ai_model_registry has a comment');
SELECT is((SELECT boot_val FROM pg_settings WHERE name = 'pg_intent.min_samples_for_training'), '20', 'pg_intent.min_samples_for_training defaults to 20');
SELECT is((SELECT boot_val FROM pg_settings WHERE name = 'pg_intent.auto_retrain_threshold'), '100', 'pg_intent.auto_retrain_threshold defaults to 100');
SELECT is((SELECT boot_val FROM pg_settings WHERE name = 'pg_intent.max_f1_regression'), '0.05', 'pg_intent.max_f1_regression defaults to 0.05');
SELECT is((SELECT boot_val FROM pg_settings WHERE name = 'pg_intent.corrected_weight'), '2', 'pg_intent.corrected_weight defaults to 2');
SELECT is((SELECT boot_val FROM pg_settings WHERE name = 'pg_intent.top_k'), '3', 'pg_intent.top_k defaults to 3');

SELECT * FROM finish();
ROLLBACK;
