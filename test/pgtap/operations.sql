-- pgTAP: the catalog contract of issue 4 (operations, src/sql/30_operations.sql).
-- For every function it adds: signature, parameter names, defaults, return
-- type, volatility, parallel safety, strictness, SECURITY INVOKER or DEFINER,
-- EXECUTE for PUBLIC and a comment; the new tables and column with their types; the
-- dashboard views with their columns and comments. Then a catch-all over the
-- whole extension (pg_depend deptype 'e'): the exact list of functions with
-- their volatility, parallel safety and PUBLIC EXECUTE, the exact list of
-- tables and views, and a comment on every one of them.
-- No internal function (_pg_intent_*) is executable by PUBLIC (PostgREST
-- would serve it as an RPC endpoint). PostgreSQL checks EXECUTE on a nested
-- call as the caller, so the SECURITY INVOKER functions that call internal
-- ones (metrics, export, reports, quality, review) are closed to PUBLIC too
-- and granted together with them by grant_intent_access(). The
-- model-management functions (train, deploy, rollback, retrain_if_needed)
-- are SECURITY DEFINER, closed to PUBLIC, with a pinned search_path; so are
-- the ai_feedback_cues trigger functions (trigger functions need no EXECUTE).
-- Runs in a database where pgtap and pg_intent are installed in public.
BEGIN;
SELECT plan(359);

-- get_ai_training_metrics(integer)
SELECT has_function('public', 'get_ai_training_metrics', ARRAY['integer']::name[], 'get_ai_training_metrics(integer) exists');
SELECT function_returns('public', 'get_ai_training_metrics', ARRAY['integer']::name[], 'jsonb', 'get_ai_training_metrics(integer) returns jsonb');
SELECT volatility_is('public', 'get_ai_training_metrics', ARRAY['integer']::name[], 'stable', 'get_ai_training_metrics(integer) is STABLE');
SELECT is((SELECT proparallel FROM pg_proc WHERE oid = to_regprocedure('public.get_ai_training_metrics(integer)')), 's'::"char", 'get_ai_training_metrics(integer) is PARALLEL SAFE');
SELECT isnt_strict('public', 'get_ai_training_metrics', ARRAY['integer']::name[], 'get_ai_training_metrics(integer) is not STRICT (NULL p_days raises 22004)');
SELECT is((SELECT proargnames FROM pg_proc WHERE oid = to_regprocedure('public.get_ai_training_metrics(integer)')), ARRAY['p_days'], 'get_ai_training_metrics(integer) parameter names');
SELECT is(pg_get_function_arguments(to_regprocedure('public.get_ai_training_metrics(integer)')), 'p_days integer DEFAULT 7', 'get_ai_training_metrics(integer) arguments and defaults');
SELECT isnt_definer('public', 'get_ai_training_metrics', ARRAY['integer']::name[], 'get_ai_training_metrics(integer) is SECURITY INVOKER');
SELECT ok(NOT coalesce(has_function_privilege('public', to_regprocedure('public.get_ai_training_metrics(integer)'), 'EXECUTE'), true), 'get_ai_training_metrics(integer) is not executable by PUBLIC (granted with grant_intent_access())');
SELECT isnt(obj_description(to_regprocedure('public.get_ai_training_metrics(integer)'), 'pg_proc'), NULL, 'get_ai_training_metrics(integer) has a comment');

-- create_metrics_snapshot(text, timestamptz)
SELECT has_function('public', 'create_metrics_snapshot', ARRAY['text', 'timestamp with time zone']::name[], 'create_metrics_snapshot(text, timestamptz) exists');
SELECT function_returns('public', 'create_metrics_snapshot', ARRAY['text', 'timestamp with time zone']::name[], 'jsonb', 'create_metrics_snapshot(text, timestamptz) returns jsonb');
SELECT volatility_is('public', 'create_metrics_snapshot', ARRAY['text', 'timestamp with time zone']::name[], 'volatile', 'create_metrics_snapshot(text, timestamptz) is VOLATILE');
SELECT is((SELECT proparallel FROM pg_proc WHERE oid = to_regprocedure('public.create_metrics_snapshot(text, timestamptz)')), 'u'::"char", 'create_metrics_snapshot(text, timestamptz) is PARALLEL UNSAFE');
SELECT isnt_strict('public', 'create_metrics_snapshot', ARRAY['text', 'timestamp with time zone']::name[], 'create_metrics_snapshot(text, timestamptz) is not STRICT (NULL p_period_type raises 22004)');
SELECT is((SELECT proargnames FROM pg_proc WHERE oid = to_regprocedure('public.create_metrics_snapshot(text, timestamptz)')), ARRAY['p_period_type', 'p_period_start'], 'create_metrics_snapshot(text, timestamptz) parameter names');
SELECT is(pg_get_function_arguments(to_regprocedure('public.create_metrics_snapshot(text, timestamptz)')), 'p_period_type text DEFAULT ''daily''::text, p_period_start timestamp with time zone DEFAULT NULL::timestamp with time zone', 'create_metrics_snapshot(text, timestamptz) arguments and defaults');
SELECT isnt_definer('public', 'create_metrics_snapshot', ARRAY['text', 'timestamp with time zone']::name[], 'create_metrics_snapshot(text, timestamptz) is SECURITY INVOKER');
SELECT ok(NOT coalesce(has_function_privilege('public', to_regprocedure('public.create_metrics_snapshot(text, timestamptz)'), 'EXECUTE'), true), 'create_metrics_snapshot(text, timestamptz) is not executable by PUBLIC (granted with grant_intent_access())');
SELECT isnt(obj_description(to_regprocedure('public.create_metrics_snapshot(text, timestamptz)'), 'pg_proc'), NULL, 'create_metrics_snapshot(text, timestamptz) has a comment');

-- should_retrain()
SELECT has_function('public', 'should_retrain', ARRAY[]::name[], 'should_retrain() exists');
SELECT function_returns('public', 'should_retrain', ARRAY[]::name[], 'boolean', 'should_retrain() returns boolean');
SELECT volatility_is('public', 'should_retrain', ARRAY[]::name[], 'stable', 'should_retrain() is STABLE');
SELECT is((SELECT proparallel FROM pg_proc WHERE oid = to_regprocedure('public.should_retrain()')), 's'::"char", 'should_retrain() is PARALLEL SAFE');
SELECT isnt_strict('public', 'should_retrain', ARRAY[]::name[], 'should_retrain() is not STRICT');
SELECT is((SELECT proargnames FROM pg_proc WHERE oid = to_regprocedure('public.should_retrain()')), NULL::text[], 'should_retrain() has no parameter names');
SELECT is(pg_get_function_arguments(to_regprocedure('public.should_retrain()')), '', 'should_retrain() arguments and defaults');
SELECT isnt_definer('public', 'should_retrain', ARRAY[]::name[], 'should_retrain() is SECURITY INVOKER');
SELECT ok(NOT coalesce(has_function_privilege('public', to_regprocedure('public.should_retrain()'), 'EXECUTE'), true), 'should_retrain() is not executable by PUBLIC (granted with grant_intent_access())');
SELECT isnt(obj_description(to_regprocedure('public.should_retrain()'), 'pg_proc'), NULL, 'should_retrain() has a comment');

-- retrain_if_needed(boolean)
SELECT has_function('public', 'retrain_if_needed', ARRAY['boolean']::name[], 'retrain_if_needed(boolean) exists');
SELECT function_returns('public', 'retrain_if_needed', ARRAY['boolean']::name[], 'jsonb', 'retrain_if_needed(boolean) returns jsonb');
SELECT volatility_is('public', 'retrain_if_needed', ARRAY['boolean']::name[], 'volatile', 'retrain_if_needed(boolean) is VOLATILE');
SELECT is((SELECT proparallel FROM pg_proc WHERE oid = to_regprocedure('public.retrain_if_needed(boolean)')), 'u'::"char", 'retrain_if_needed(boolean) is PARALLEL UNSAFE');
SELECT isnt_strict('public', 'retrain_if_needed', ARRAY['boolean']::name[], 'retrain_if_needed(boolean) is not STRICT');
SELECT is((SELECT proargnames FROM pg_proc WHERE oid = to_regprocedure('public.retrain_if_needed(boolean)')), ARRAY['p_raise_on_failure'], 'retrain_if_needed(boolean) parameter names');
SELECT is(pg_get_function_arguments(to_regprocedure('public.retrain_if_needed(boolean)')), 'p_raise_on_failure boolean DEFAULT false', 'retrain_if_needed(boolean) arguments and defaults');
SELECT is_definer('public', 'retrain_if_needed', ARRAY['boolean']::name[], 'retrain_if_needed(boolean) is SECURITY DEFINER (it trains, like train_intent_model)');
SELECT is((SELECT proconfig FROM pg_proc WHERE oid = to_regprocedure('public.retrain_if_needed(boolean)')), ARRAY['search_path=pg_catalog, pg_temp', 'row_security=off'], 'retrain_if_needed(boolean) pins search_path to pg_catalog, pg_temp and row_security off');
SELECT ok(NOT coalesce(has_function_privilege('public', to_regprocedure('public.retrain_if_needed(boolean)'), 'EXECUTE'), true), 'retrain_if_needed(boolean) is not executable by PUBLIC (a DBA grants EXECUTE to the scheduler''s role)');
SELECT isnt(obj_description(to_regprocedure('public.retrain_if_needed(boolean)'), 'pg_proc'), NULL, 'retrain_if_needed(boolean) has a comment');

-- export_training_dataset(text, integer, boolean, integer)
SELECT has_function('public', 'export_training_dataset', ARRAY['text', 'integer', 'boolean', 'integer']::name[], 'export_training_dataset(text, integer, boolean, integer) exists');
SELECT function_returns('public', 'export_training_dataset', ARRAY['text', 'integer', 'boolean', 'integer']::name[], 'setof text', 'export_training_dataset(text, integer, boolean, integer) returns setof text');
SELECT volatility_is('public', 'export_training_dataset', ARRAY['text', 'integer', 'boolean', 'integer']::name[], 'stable', 'export_training_dataset(text, integer, boolean, integer) is STABLE');
SELECT is((SELECT proparallel FROM pg_proc WHERE oid = to_regprocedure('public.export_training_dataset(text, integer, boolean, integer)')), 's'::"char", 'export_training_dataset(text, integer, boolean, integer) is PARALLEL SAFE');
SELECT isnt_strict('public', 'export_training_dataset', ARRAY['text', 'integer', 'boolean', 'integer']::name[], 'export_training_dataset(text, integer, boolean, integer) is not STRICT (p_min_quality NULL means no filter; other NULLs raise 22004)');
SELECT is((SELECT proargnames FROM pg_proc WHERE oid = to_regprocedure('public.export_training_dataset(text, integer, boolean, integer)')), ARRAY['p_format', 'p_min_confidence', 'p_only_reviewed', 'p_min_quality'], 'export_training_dataset(text, integer, boolean, integer) parameter names');
SELECT is(pg_get_function_arguments(to_regprocedure('public.export_training_dataset(text, integer, boolean, integer)')), 'p_format text DEFAULT ''jsonl''::text, p_min_confidence integer DEFAULT 0, p_only_reviewed boolean DEFAULT false, p_min_quality integer DEFAULT NULL::integer', 'export_training_dataset(text, integer, boolean, integer) arguments and defaults');
SELECT isnt_definer('public', 'export_training_dataset', ARRAY['text', 'integer', 'boolean', 'integer']::name[], 'export_training_dataset(text, integer, boolean, integer) is SECURITY INVOKER');
SELECT ok(NOT coalesce(has_function_privilege('public', to_regprocedure('public.export_training_dataset(text, integer, boolean, integer)'), 'EXECUTE'), true), 'export_training_dataset(text, integer, boolean, integer) is not executable by PUBLIC (granted with grant_intent_access())');
SELECT isnt(obj_description(to_regprocedure('public.export_training_dataset(text, integer, boolean, integer)'), 'pg_proc'), NULL, 'export_training_dataset(text, integer, boolean, integer) has a comment');

-- score_feedback_message(text)
SELECT has_function('public', 'score_feedback_message', ARRAY['text']::name[], 'score_feedback_message(text) exists');
SELECT function_returns('public', 'score_feedback_message', ARRAY['text']::name[], 'jsonb', 'score_feedback_message(text) returns jsonb');
SELECT volatility_is('public', 'score_feedback_message', ARRAY['text']::name[], 'stable', 'score_feedback_message(text) is STABLE');
SELECT is((SELECT proparallel FROM pg_proc WHERE oid = to_regprocedure('public.score_feedback_message(text)')), 's'::"char", 'score_feedback_message(text) is PARALLEL SAFE');
SELECT isnt_strict('public', 'score_feedback_message', ARRAY['text']::name[], 'score_feedback_message(text) is not STRICT (NULL p_message raises 22004)');
SELECT is((SELECT proargnames FROM pg_proc WHERE oid = to_regprocedure('public.score_feedback_message(text)')), ARRAY['p_message'], 'score_feedback_message(text) parameter names');
SELECT is(pg_get_function_arguments(to_regprocedure('public.score_feedback_message(text)')), 'p_message text', 'score_feedback_message(text) arguments and defaults');
SELECT isnt_definer('public', 'score_feedback_message', ARRAY['text']::name[], 'score_feedback_message(text) is SECURITY INVOKER');
SELECT ok(NOT coalesce(has_function_privilege('public', to_regprocedure('public.score_feedback_message(text)'), 'EXECUTE'), true), 'score_feedback_message(text) is not executable by PUBLIC (granted with grant_intent_access())');
SELECT isnt(obj_description(to_regprocedure('public.score_feedback_message(text)'), 'pg_proc'), NULL, 'score_feedback_message(text) has a comment');

-- evaluate_interaction(uuid, text)
SELECT has_function('public', 'evaluate_interaction', ARRAY['uuid', 'text']::name[], 'evaluate_interaction(uuid, text) exists');
SELECT function_returns('public', 'evaluate_interaction', ARRAY['uuid', 'text']::name[], 'smallint', 'evaluate_interaction(uuid, text) returns smallint');
SELECT volatility_is('public', 'evaluate_interaction', ARRAY['uuid', 'text']::name[], 'volatile', 'evaluate_interaction(uuid, text) is VOLATILE');
SELECT is((SELECT proparallel FROM pg_proc WHERE oid = to_regprocedure('public.evaluate_interaction(uuid, text)')), 'u'::"char", 'evaluate_interaction(uuid, text) is PARALLEL UNSAFE');
SELECT isnt_strict('public', 'evaluate_interaction', ARRAY['uuid', 'text']::name[], 'evaluate_interaction(uuid, text) is not STRICT (NULL arguments raise 22004)');
SELECT is((SELECT proargnames FROM pg_proc WHERE oid = to_regprocedure('public.evaluate_interaction(uuid, text)')), ARRAY['p_training_data_id', 'p_next_user_message'], 'evaluate_interaction(uuid, text) parameter names');
SELECT is(pg_get_function_arguments(to_regprocedure('public.evaluate_interaction(uuid, text)')), 'p_training_data_id uuid, p_next_user_message text', 'evaluate_interaction(uuid, text) arguments and defaults');
SELECT isnt_definer('public', 'evaluate_interaction', ARRAY['uuid', 'text']::name[], 'evaluate_interaction(uuid, text) is SECURITY INVOKER');
SELECT ok(NOT coalesce(has_function_privilege('public', to_regprocedure('public.evaluate_interaction(uuid, text)'), 'EXECUTE'), true), 'evaluate_interaction(uuid, text) is not executable by PUBLIC (granted with grant_intent_access())');
SELECT isnt(obj_description(to_regprocedure('public.evaluate_interaction(uuid, text)'), 'pg_proc'), NULL, 'evaluate_interaction(uuid, text) has a comment');

-- training_report(uuid, text)
SELECT has_function('public', 'training_report', ARRAY['uuid', 'text']::name[], 'training_report(uuid, text) exists');
SELECT function_returns('public', 'training_report', ARRAY['uuid', 'text']::name[], 'text', 'training_report(uuid, text) returns text');
SELECT volatility_is('public', 'training_report', ARRAY['uuid', 'text']::name[], 'stable', 'training_report(uuid, text) is STABLE');
SELECT is((SELECT proparallel FROM pg_proc WHERE oid = to_regprocedure('public.training_report(uuid, text)')), 's'::"char", 'training_report(uuid, text) is PARALLEL SAFE');
SELECT isnt_strict('public', 'training_report', ARRAY['uuid', 'text']::name[], 'training_report(uuid, text) is not STRICT (NULL p_run_id means the latest run; NULL p_format raises 22004)');
SELECT is((SELECT proargnames FROM pg_proc WHERE oid = to_regprocedure('public.training_report(uuid, text)')), ARRAY['p_run_id', 'p_format'], 'training_report(uuid, text) parameter names');
SELECT is(pg_get_function_arguments(to_regprocedure('public.training_report(uuid, text)')), 'p_run_id uuid DEFAULT NULL::uuid, p_format text DEFAULT ''markdown''::text', 'training_report(uuid, text) arguments and defaults');
SELECT isnt_definer('public', 'training_report', ARRAY['uuid', 'text']::name[], 'training_report(uuid, text) is SECURITY INVOKER');
SELECT ok(NOT coalesce(has_function_privilege('public', to_regprocedure('public.training_report(uuid, text)'), 'EXECUTE'), true), 'training_report(uuid, text) is not executable by PUBLIC (granted with grant_intent_access())');
SELECT isnt(obj_description(to_regprocedure('public.training_report(uuid, text)'), 'pg_proc'), NULL, 'training_report(uuid, text) has a comment');

-- _pg_intent_report_message(jsonb)
SELECT has_function('intent_internal', '_pg_intent_report_message', ARRAY['jsonb']::name[], '_pg_intent_report_message(jsonb) exists');
SELECT function_returns('intent_internal', '_pg_intent_report_message', ARRAY['jsonb']::name[], 'record', '_pg_intent_report_message(jsonb) returns record');
SELECT volatility_is('intent_internal', '_pg_intent_report_message', ARRAY['jsonb']::name[], 'stable', '_pg_intent_report_message(jsonb) is STABLE');
SELECT is((SELECT proparallel FROM pg_proc WHERE oid = to_regprocedure('intent_internal._pg_intent_report_message(jsonb)')), 's'::"char", '_pg_intent_report_message(jsonb) is PARALLEL SAFE');
SELECT isnt_strict('intent_internal', '_pg_intent_report_message', ARRAY['jsonb']::name[], '_pg_intent_report_message(jsonb) is not STRICT (a NULL item is a message that is not visible)');
SELECT is((SELECT proargnames FROM pg_proc WHERE oid = to_regprocedure('intent_internal._pg_intent_report_message(jsonb)')), ARRAY['p_item', 'message', 'hidden'], '_pg_intent_report_message(jsonb) parameter names');
SELECT is(pg_get_function_arguments(to_regprocedure('intent_internal._pg_intent_report_message(jsonb)')), 'p_item jsonb, OUT message text, OUT hidden text', '_pg_intent_report_message(jsonb) arguments and defaults');
SELECT isnt_definer('intent_internal', '_pg_intent_report_message', ARRAY['jsonb']::name[], '_pg_intent_report_message(jsonb) is SECURITY INVOKER');
SELECT ok(NOT coalesce(has_function_privilege('public', to_regprocedure('intent_internal._pg_intent_report_message(jsonb)'), 'EXECUTE'), true), '_pg_intent_report_message(jsonb) is not executable by PUBLIC (internal: granted with grant_intent_access() to roles that use its callers)');
SELECT isnt(obj_description(to_regprocedure('intent_internal._pg_intent_report_message(jsonb)'), 'pg_proc'), NULL, '_pg_intent_report_message(jsonb) has a comment');

-- _pg_intent_html(text, integer)
SELECT has_function('intent_internal', '_pg_intent_html', ARRAY['text', 'integer']::name[], '_pg_intent_html(text, integer) exists');
SELECT function_returns('intent_internal', '_pg_intent_html', ARRAY['text', 'integer']::name[], 'text', '_pg_intent_html(text, integer) returns text');
SELECT volatility_is('intent_internal', '_pg_intent_html', ARRAY['text', 'integer']::name[], 'immutable', '_pg_intent_html(text, integer) is IMMUTABLE');
SELECT is((SELECT proparallel FROM pg_proc WHERE oid = to_regprocedure('intent_internal._pg_intent_html(text, integer)')), 's'::"char", '_pg_intent_html(text, integer) is PARALLEL SAFE');
SELECT isnt_strict('intent_internal', '_pg_intent_html', ARRAY['text', 'integer']::name[], '_pg_intent_html(text, integer) is not STRICT (NULL becomes an empty string)');
SELECT is((SELECT proargnames FROM pg_proc WHERE oid = to_regprocedure('intent_internal._pg_intent_html(text, integer)')), ARRAY['p_value', 'p_max'], '_pg_intent_html(text, integer) parameter names');
SELECT is(pg_get_function_arguments(to_regprocedure('intent_internal._pg_intent_html(text, integer)')), 'p_value text, p_max integer DEFAULT NULL::integer', '_pg_intent_html(text, integer) arguments and defaults');
SELECT isnt_definer('intent_internal', '_pg_intent_html', ARRAY['text', 'integer']::name[], '_pg_intent_html(text, integer) is SECURITY INVOKER');
SELECT ok(NOT coalesce(has_function_privilege('public', to_regprocedure('intent_internal._pg_intent_html(text, integer)'), 'EXECUTE'), true), '_pg_intent_html(text, integer) is not executable by PUBLIC (internal: granted with grant_intent_access() to roles that use its callers)');
SELECT isnt(obj_description(to_regprocedure('intent_internal._pg_intent_html(text, integer)'), 'pg_proc'), NULL, '_pg_intent_html(text, integer) has a comment');

-- _pg_intent_run_predictions(uuid, boolean)
SELECT has_function('intent_internal', '_pg_intent_run_predictions', ARRAY['uuid', 'boolean']::name[], '_pg_intent_run_predictions(uuid, boolean) exists');
SELECT volatility_is('intent_internal', '_pg_intent_run_predictions', ARRAY['uuid', 'boolean']::name[], 'stable', '_pg_intent_run_predictions(uuid, boolean) is STABLE');
SELECT is(pg_get_function_result(to_regprocedure('intent_internal._pg_intent_run_predictions(uuid, boolean)')), 'TABLE(label text, predicted text, confidence real)', '_pg_intent_run_predictions(uuid, boolean) returns the common row shape');
SELECT isnt_definer('intent_internal', '_pg_intent_run_predictions', ARRAY['uuid', 'boolean']::name[], '_pg_intent_run_predictions(uuid, boolean) is SECURITY INVOKER');
SELECT ok(NOT coalesce(has_function_privilege('public', to_regprocedure('intent_internal._pg_intent_run_predictions(uuid, boolean)'), 'EXECUTE'), true), '_pg_intent_run_predictions(uuid, boolean) is not executable by PUBLIC');
-- _pg_intent_report_html(uuid)
SELECT has_function('intent_internal', '_pg_intent_report_html', ARRAY['uuid']::name[], '_pg_intent_report_html(uuid) exists');
SELECT function_returns('intent_internal', '_pg_intent_report_html', ARRAY['uuid']::name[], 'text', '_pg_intent_report_html(uuid) returns text');
SELECT volatility_is('intent_internal', '_pg_intent_report_html', ARRAY['uuid']::name[], 'stable', '_pg_intent_report_html(uuid) is STABLE');
SELECT is((SELECT proparallel FROM pg_proc WHERE oid = to_regprocedure('intent_internal._pg_intent_report_html(uuid)')), 's'::"char", '_pg_intent_report_html(uuid) is PARALLEL SAFE');
SELECT isnt_strict('intent_internal', '_pg_intent_report_html', ARRAY['uuid']::name[], '_pg_intent_report_html(uuid) is not STRICT (an unknown or NULL run raises P0002)');
SELECT is((SELECT proargnames FROM pg_proc WHERE oid = to_regprocedure('intent_internal._pg_intent_report_html(uuid)')), ARRAY['p_run_id'], '_pg_intent_report_html(uuid) parameter names');
SELECT is(pg_get_function_arguments(to_regprocedure('intent_internal._pg_intent_report_html(uuid)')), 'p_run_id uuid', '_pg_intent_report_html(uuid) arguments and defaults');
SELECT isnt_definer('intent_internal', '_pg_intent_report_html', ARRAY['uuid']::name[], '_pg_intent_report_html(uuid) is SECURITY INVOKER');
SELECT ok(NOT coalesce(has_function_privilege('public', to_regprocedure('intent_internal._pg_intent_report_html(uuid)'), 'EXECUTE'), true), '_pg_intent_report_html(uuid) is not executable by PUBLIC (internal: granted with grant_intent_access() to roles that use its callers)');
SELECT isnt(obj_description(to_regprocedure('intent_internal._pg_intent_report_html(uuid)'), 'pg_proc'), NULL, '_pg_intent_report_html(uuid) has a comment');

-- shadow_predict(text, bigint, uuid)
SELECT has_function('public', 'shadow_predict', ARRAY['text', 'bigint', 'uuid']::name[], 'shadow_predict(text, bigint, uuid) exists');
SELECT function_returns('public', 'shadow_predict', ARRAY['text', 'bigint', 'uuid']::name[], 'jsonb', 'shadow_predict(text, bigint, uuid) returns jsonb');
SELECT volatility_is('public', 'shadow_predict', ARRAY['text', 'bigint', 'uuid']::name[], 'volatile', 'shadow_predict(text, bigint, uuid) is VOLATILE');
SELECT is((SELECT proparallel FROM pg_proc WHERE oid = to_regprocedure('public.shadow_predict(text, bigint, uuid)')), 'u'::"char", 'shadow_predict(text, bigint, uuid) is PARALLEL UNSAFE');
SELECT isnt_strict('public', 'shadow_predict', ARRAY['text', 'bigint', 'uuid']::name[], 'shadow_predict(text, bigint, uuid) is not STRICT (p_training_data_id NULL means unlinked; other NULLs raise 22004)');
SELECT is((SELECT proargnames FROM pg_proc WHERE oid = to_regprocedure('public.shadow_predict(text, bigint, uuid)')), ARRAY['p_message', 'p_challenger_model_id', 'p_training_data_id'], 'shadow_predict(text, bigint, uuid) parameter names');
SELECT is(pg_get_function_arguments(to_regprocedure('public.shadow_predict(text, bigint, uuid)')), 'p_message text, p_challenger_model_id bigint, p_training_data_id uuid DEFAULT NULL::uuid', 'shadow_predict(text, bigint, uuid) arguments and defaults');
SELECT isnt_definer('public', 'shadow_predict', ARRAY['text', 'bigint', 'uuid']::name[], 'shadow_predict(text, bigint, uuid) is SECURITY INVOKER');
SELECT ok(coalesce(has_function_privilege('public', to_regprocedure('public.shadow_predict(text, bigint, uuid)'), 'EXECUTE'), false), 'shadow_predict(text, bigint, uuid) is executable by PUBLIC');
SELECT isnt(obj_description(to_regprocedure('public.shadow_predict(text, bigint, uuid)'), 'pg_proc'), NULL, 'shadow_predict(text, bigint, uuid) has a comment');

-- _pg_intent_window_metrics(timestamp with time zone, timestamp with time zone)
SELECT has_function('intent_internal', '_pg_intent_window_metrics', ARRAY['timestamp with time zone', 'timestamp with time zone']::name[], '_pg_intent_window_metrics(timestamp with time zone, timestamp with time zone) exists');
SELECT function_returns('intent_internal', '_pg_intent_window_metrics', ARRAY['timestamp with time zone', 'timestamp with time zone']::name[], 'jsonb', '_pg_intent_window_metrics(timestamp with time zone, timestamp with time zone) returns jsonb');
SELECT volatility_is('intent_internal', '_pg_intent_window_metrics', ARRAY['timestamp with time zone', 'timestamp with time zone']::name[], 'stable', '_pg_intent_window_metrics(timestamp with time zone, timestamp with time zone) is STABLE');
SELECT is((SELECT proparallel FROM pg_proc WHERE oid = to_regprocedure('intent_internal._pg_intent_window_metrics(timestamp with time zone, timestamp with time zone)')), 's'::"char", '_pg_intent_window_metrics(timestamp with time zone, timestamp with time zone) is PARALLEL SAFE');
SELECT isnt_strict('intent_internal', '_pg_intent_window_metrics', ARRAY['timestamp with time zone', 'timestamp with time zone']::name[], '_pg_intent_window_metrics(timestamp with time zone, timestamp with time zone) is not STRICT (a NULL bound selects no rows)');
SELECT is((SELECT proargnames FROM pg_proc WHERE oid = to_regprocedure('intent_internal._pg_intent_window_metrics(timestamp with time zone, timestamp with time zone)')), ARRAY['p_start', 'p_end'], '_pg_intent_window_metrics(timestamp with time zone, timestamp with time zone) parameter names');
SELECT is(pg_get_function_arguments(to_regprocedure('intent_internal._pg_intent_window_metrics(timestamp with time zone, timestamp with time zone)')), 'p_start timestamp with time zone, p_end timestamp with time zone', '_pg_intent_window_metrics(timestamp with time zone, timestamp with time zone) arguments and defaults');
SELECT isnt_definer('intent_internal', '_pg_intent_window_metrics', ARRAY['timestamp with time zone', 'timestamp with time zone']::name[], '_pg_intent_window_metrics(timestamp with time zone, timestamp with time zone) is SECURITY INVOKER');
SELECT ok(NOT coalesce(has_function_privilege('public', to_regprocedure('intent_internal._pg_intent_window_metrics(timestamp with time zone, timestamp with time zone)'), 'EXECUTE'), true), '_pg_intent_window_metrics(timestamp with time zone, timestamp with time zone) is not executable by PUBLIC (internal: granted with grant_intent_access() to roles that use its callers)');
SELECT isnt(obj_description(to_regprocedure('intent_internal._pg_intent_window_metrics(timestamp with time zone, timestamp with time zone)'), 'pg_proc'), NULL, '_pg_intent_window_metrics(timestamp with time zone, timestamp with time zone) has a comment');

-- _pg_intent_active_model_json()
SELECT has_function('intent_internal', '_pg_intent_active_model_json', ARRAY[]::name[], '_pg_intent_active_model_json() exists');
SELECT function_returns('intent_internal', '_pg_intent_active_model_json', ARRAY[]::name[], 'jsonb', '_pg_intent_active_model_json() returns jsonb');
SELECT volatility_is('intent_internal', '_pg_intent_active_model_json', ARRAY[]::name[], 'stable', '_pg_intent_active_model_json() is STABLE');
SELECT is((SELECT proparallel FROM pg_proc WHERE oid = to_regprocedure('intent_internal._pg_intent_active_model_json()')), 's'::"char", '_pg_intent_active_model_json() is PARALLEL SAFE');
SELECT isnt_strict('intent_internal', '_pg_intent_active_model_json', ARRAY[]::name[], '_pg_intent_active_model_json() is not STRICT');
SELECT is((SELECT proargnames FROM pg_proc WHERE oid = to_regprocedure('intent_internal._pg_intent_active_model_json()')), NULL::text[], '_pg_intent_active_model_json() has no parameter names');
SELECT is(pg_get_function_arguments(to_regprocedure('intent_internal._pg_intent_active_model_json()')), '', '_pg_intent_active_model_json() arguments and defaults');
SELECT isnt_definer('intent_internal', '_pg_intent_active_model_json', ARRAY[]::name[], '_pg_intent_active_model_json() is SECURITY INVOKER');
SELECT ok(NOT coalesce(has_function_privilege('public', to_regprocedure('intent_internal._pg_intent_active_model_json()'), 'EXECUTE'), true), '_pg_intent_active_model_json() is not executable by PUBLIC (internal: granted with grant_intent_access() to roles that use its callers)');
SELECT isnt(obj_description(to_regprocedure('intent_internal._pg_intent_active_model_json()'), 'pg_proc'), NULL, '_pg_intent_active_model_json() has a comment');

-- _pg_intent_samples_since_last_train()
SELECT has_function('intent_internal', '_pg_intent_samples_since_last_train', ARRAY[]::name[], '_pg_intent_samples_since_last_train() exists');
SELECT function_returns('intent_internal', '_pg_intent_samples_since_last_train', ARRAY[]::name[], 'bigint', '_pg_intent_samples_since_last_train() returns bigint');
SELECT volatility_is('intent_internal', '_pg_intent_samples_since_last_train', ARRAY[]::name[], 'stable', '_pg_intent_samples_since_last_train() is STABLE');
SELECT is((SELECT proparallel FROM pg_proc WHERE oid = to_regprocedure('intent_internal._pg_intent_samples_since_last_train()')), 's'::"char", '_pg_intent_samples_since_last_train() is PARALLEL SAFE');
SELECT isnt_strict('intent_internal', '_pg_intent_samples_since_last_train', ARRAY[]::name[], '_pg_intent_samples_since_last_train() is not STRICT');
SELECT is((SELECT proargnames FROM pg_proc WHERE oid = to_regprocedure('intent_internal._pg_intent_samples_since_last_train()')), NULL::text[], '_pg_intent_samples_since_last_train() has no parameter names');
SELECT is(pg_get_function_arguments(to_regprocedure('intent_internal._pg_intent_samples_since_last_train()')), '', '_pg_intent_samples_since_last_train() arguments and defaults');
SELECT isnt_definer('intent_internal', '_pg_intent_samples_since_last_train', ARRAY[]::name[], '_pg_intent_samples_since_last_train() is SECURITY INVOKER');
SELECT ok(NOT coalesce(has_function_privilege('public', to_regprocedure('intent_internal._pg_intent_samples_since_last_train()'), 'EXECUTE'), true), '_pg_intent_samples_since_last_train() is not executable by PUBLIC (internal: granted with grant_intent_access() to roles that use its callers)');
SELECT isnt(obj_description(to_regprocedure('intent_internal._pg_intent_samples_since_last_train()'), 'pg_proc'), NULL, '_pg_intent_samples_since_last_train() has a comment');
-- _pg_intent_usable_samples(boolean)
SELECT isnt_definer('intent_internal', '_pg_intent_usable_samples', ARRAY['boolean']::name[], '_pg_intent_usable_samples(boolean) is SECURITY INVOKER');
SELECT ok(NOT coalesce(has_function_privilege('public', to_regprocedure('intent_internal._pg_intent_usable_samples(boolean)'), 'EXECUTE'), true), '_pg_intent_usable_samples(boolean) is not executable by PUBLIC (internal: granted with grant_intent_access() to roles that use its callers)');
SELECT isnt(obj_description(to_regprocedure('intent_internal._pg_intent_usable_samples(boolean)'), 'pg_proc'), NULL, '_pg_intent_usable_samples(boolean) has a comment');

-- _pg_intent_csv_field(text)
SELECT has_function('intent_internal', '_pg_intent_csv_field', ARRAY['text']::name[], '_pg_intent_csv_field(text) exists');
SELECT function_returns('intent_internal', '_pg_intent_csv_field', ARRAY['text']::name[], 'text', '_pg_intent_csv_field(text) returns text');
SELECT volatility_is('intent_internal', '_pg_intent_csv_field', ARRAY['text']::name[], 'immutable', '_pg_intent_csv_field(text) is IMMUTABLE');
SELECT is((SELECT proparallel FROM pg_proc WHERE oid = to_regprocedure('intent_internal._pg_intent_csv_field(text)')), 's'::"char", '_pg_intent_csv_field(text) is PARALLEL SAFE');
SELECT isnt_strict('intent_internal', '_pg_intent_csv_field', ARRAY['text']::name[], '_pg_intent_csv_field(text) is not STRICT (NULL becomes an empty CSV field)');
SELECT is((SELECT proargnames FROM pg_proc WHERE oid = to_regprocedure('intent_internal._pg_intent_csv_field(text)')), ARRAY['p_value'], '_pg_intent_csv_field(text) parameter names');
SELECT is(pg_get_function_arguments(to_regprocedure('intent_internal._pg_intent_csv_field(text)')), 'p_value text', '_pg_intent_csv_field(text) arguments and defaults');
SELECT isnt_definer('intent_internal', '_pg_intent_csv_field', ARRAY['text']::name[], '_pg_intent_csv_field(text) is SECURITY INVOKER');
SELECT ok(NOT coalesce(has_function_privilege('public', to_regprocedure('intent_internal._pg_intent_csv_field(text)'), 'EXECUTE'), true), '_pg_intent_csv_field(text) is not executable by PUBLIC (internal: granted with grant_intent_access() to roles that use its callers)');
SELECT isnt(obj_description(to_regprocedure('intent_internal._pg_intent_csv_field(text)'), 'pg_proc'), NULL, '_pg_intent_csv_field(text) has a comment');

-- _pg_intent_export_candidates(integer, boolean, integer): the one rule of
-- the rows written and the rows the warning counts
SELECT volatility_is('intent_internal', '_pg_intent_export_candidates', ARRAY['integer', 'boolean', 'integer']::name[], 'stable', '_pg_intent_export_candidates(integer, boolean, integer) is STABLE');
SELECT ok((SELECT prosqlbody IS NOT NULL AND proconfig IS NULL AND NOT prosecdef AND NOT proisstrict FROM pg_proc WHERE oid = to_regprocedure('intent_internal._pg_intent_export_candidates(integer, boolean, integer)')), '_pg_intent_export_candidates(integer, boolean, integer) has a SQL-standard body, no SET clause, is SECURITY INVOKER and not STRICT (inlined; names bound at creation)');
SELECT ok(NOT coalesce(has_function_privilege('public', to_regprocedure('intent_internal._pg_intent_export_candidates(integer, boolean, integer)'), 'EXECUTE'), true), '_pg_intent_export_candidates(integer, boolean, integer) is not executable by PUBLIC (internal: granted with grant_intent_access() to roles that use its callers)');
SELECT isnt(obj_description(to_regprocedure('intent_internal._pg_intent_export_candidates(integer, boolean, integer)'), 'pg_proc'), NULL, '_pg_intent_export_candidates(integer, boolean, integer) has a comment');
SELECT is(pg_get_function_result(to_regprocedure('intent_internal._pg_intent_export_candidates(integer, boolean, integer)')), 'TABLE(id uuid, text text, intent text, detected_intent text, correct_intent text, confidence_score integer, corrected_by_human boolean, escalated boolean, response text, category text, source text, quality_score smallint, created_at timestamp with time zone, fits boolean)', '_pg_intent_export_candidates(integer, boolean, integer) result columns: _pg_intent_export_rows()''s and fits');
SELECT is(intent_internal._pg_intent_export_max_row_bytes(), 1048576, '_pg_intent_export_max_row_bytes() is 1 MB, as export_training_dataset()''s COMMENT says');

-- _pg_intent_export_rows(integer, boolean, integer)
SELECT has_function('intent_internal', '_pg_intent_export_rows', ARRAY['integer', 'boolean', 'integer']::name[], '_pg_intent_export_rows(integer, boolean, integer) exists');
SELECT function_returns('intent_internal', '_pg_intent_export_rows', ARRAY['integer', 'boolean', 'integer']::name[], 'setof record', '_pg_intent_export_rows(integer, boolean, integer) returns setof record');
SELECT volatility_is('intent_internal', '_pg_intent_export_rows', ARRAY['integer', 'boolean', 'integer']::name[], 'stable', '_pg_intent_export_rows(integer, boolean, integer) is STABLE');
SELECT is((SELECT proparallel FROM pg_proc WHERE oid = to_regprocedure('intent_internal._pg_intent_export_rows(integer, boolean, integer)')), 's'::"char", '_pg_intent_export_rows(integer, boolean, integer) is PARALLEL SAFE');
SELECT isnt_strict('intent_internal', '_pg_intent_export_rows', ARRAY['integer', 'boolean', 'integer']::name[], '_pg_intent_export_rows(integer, boolean, integer) is not STRICT (p_min_quality NULL means no filter)');
SELECT is((SELECT proargnames FROM pg_proc WHERE oid = to_regprocedure('intent_internal._pg_intent_export_rows(integer, boolean, integer)')), ARRAY['p_min_confidence', 'p_only_reviewed', 'p_min_quality', 'id', 'text', 'intent', 'detected_intent', 'correct_intent', 'confidence_score', 'corrected_by_human', 'escalated', 'response', 'category', 'source', 'quality_score', 'created_at'], '_pg_intent_export_rows(integer, boolean, integer) parameter names');
SELECT is(pg_get_function_arguments(to_regprocedure('intent_internal._pg_intent_export_rows(integer, boolean, integer)')), 'p_min_confidence integer, p_only_reviewed boolean, p_min_quality integer', '_pg_intent_export_rows(integer, boolean, integer) arguments and defaults');
SELECT isnt_definer('intent_internal', '_pg_intent_export_rows', ARRAY['integer', 'boolean', 'integer']::name[], '_pg_intent_export_rows(integer, boolean, integer) is SECURITY INVOKER');
SELECT ok(NOT coalesce(has_function_privilege('public', to_regprocedure('intent_internal._pg_intent_export_rows(integer, boolean, integer)'), 'EXECUTE'), true), '_pg_intent_export_rows(integer, boolean, integer) is not executable by PUBLIC (internal: granted with grant_intent_access() to roles that use its callers)');
SELECT isnt(obj_description(to_regprocedure('intent_internal._pg_intent_export_rows(integer, boolean, integer)'), 'pg_proc'), NULL, '_pg_intent_export_rows(integer, boolean, integer) has a comment');
SELECT is(pg_get_function_result(to_regprocedure('intent_internal._pg_intent_export_rows(integer, boolean, integer)')), 'TABLE(id uuid, text text, intent text, detected_intent text, correct_intent text, confidence_score integer, corrected_by_human boolean, escalated boolean, response text, category text, source text, quality_score smallint, created_at timestamp with time zone)', '_pg_intent_export_rows(integer, boolean, integer) result columns (their names are the jsonl keys)');

-- _pg_intent_fold(text)
SELECT has_function('intent_internal', '_pg_intent_fold', ARRAY['text']::name[], '_pg_intent_fold(text) exists');
SELECT function_returns('intent_internal', '_pg_intent_fold', ARRAY['text']::name[], 'text', '_pg_intent_fold(text) returns text');
SELECT volatility_is('intent_internal', '_pg_intent_fold', ARRAY['text']::name[], 'stable', '_pg_intent_fold(text) is STABLE (it reads pg_intent.max_message_bytes)');
SELECT is((SELECT proparallel FROM pg_proc WHERE oid = to_regprocedure('intent_internal._pg_intent_fold(text)')), 's'::"char", '_pg_intent_fold(text) is PARALLEL SAFE');
SELECT is_strict('intent_internal', '_pg_intent_fold', ARRAY['text']::name[], '_pg_intent_fold(text) is STRICT');
SELECT is((SELECT proargnames FROM pg_proc WHERE oid = to_regprocedure('intent_internal._pg_intent_fold(text)')), ARRAY['p_text'], '_pg_intent_fold(text) parameter names');
SELECT is(pg_get_function_arguments(to_regprocedure('intent_internal._pg_intent_fold(text)')), 'p_text text', '_pg_intent_fold(text) arguments and defaults');
SELECT isnt_definer('intent_internal', '_pg_intent_fold', ARRAY['text']::name[], '_pg_intent_fold(text) is SECURITY INVOKER');
SELECT ok(NOT coalesce(has_function_privilege('public', to_regprocedure('intent_internal._pg_intent_fold(text)'), 'EXECUTE'), true), '_pg_intent_fold(text) is not executable by PUBLIC (internal: granted with grant_intent_access() to roles that use its callers)');
SELECT isnt(obj_description(to_regprocedure('intent_internal._pg_intent_fold(text)'), 'pg_proc'), NULL, '_pg_intent_fold(text) has a comment');

-- _pg_intent_glyph(integer, text)
SELECT has_function('intent_internal', '_pg_intent_glyph', ARRAY['integer', 'text']::name[], '_pg_intent_glyph(integer, text) exists');
SELECT function_returns('intent_internal', '_pg_intent_glyph', ARRAY['integer', 'text']::name[], 'text', '_pg_intent_glyph(integer, text) returns text');
SELECT volatility_is('intent_internal', '_pg_intent_glyph', ARRAY['integer', 'text']::name[], 'immutable', '_pg_intent_glyph(integer, text) is IMMUTABLE');
SELECT is((SELECT proparallel FROM pg_proc WHERE oid = to_regprocedure('intent_internal._pg_intent_glyph(integer, text)')), 's'::"char", '_pg_intent_glyph(integer, text) is PARALLEL SAFE');
SELECT is((SELECT proargnames FROM pg_proc WHERE oid = to_regprocedure('intent_internal._pg_intent_glyph(integer, text)')), ARRAY['p_code', 'p_ascii'], '_pg_intent_glyph(integer, text) parameter names');
SELECT isnt_definer('intent_internal', '_pg_intent_glyph', ARRAY['integer', 'text']::name[], '_pg_intent_glyph(integer, text) is SECURITY INVOKER');
SELECT ok(NOT coalesce(has_function_privilege('public', to_regprocedure('intent_internal._pg_intent_glyph(integer, text)'), 'EXECUTE'), true), '_pg_intent_glyph(integer, text) is not executable by PUBLIC (internal: granted with grant_intent_access() to roles that use its callers)');
SELECT is(intent_internal._pg_intent_glyph(8211, '-'), CASE WHEN getdatabaseencoding() = 'UTF8' THEN U&'\2013' ELSE '-' END, '_pg_intent_glyph(integer, text) gives the en dash in UTF8, the stand-in elsewhere');
SELECT isnt(obj_description(to_regprocedure('intent_internal._pg_intent_glyph(integer, text)'), 'pg_proc'), NULL, '_pg_intent_glyph(integer, text) has a comment');

-- _pg_intent_md_num(numeric, integer)
SELECT has_function('intent_internal', '_pg_intent_md_num', ARRAY['numeric', 'integer']::name[], '_pg_intent_md_num(numeric, integer) exists');
SELECT function_returns('intent_internal', '_pg_intent_md_num', ARRAY['numeric', 'integer']::name[], 'text', '_pg_intent_md_num(numeric, integer) returns text');
SELECT volatility_is('intent_internal', '_pg_intent_md_num', ARRAY['numeric', 'integer']::name[], 'stable', '_pg_intent_md_num(numeric, integer) is STABLE (the decimal mark follows pg_intent.language)');
SELECT is((SELECT proparallel FROM pg_proc WHERE oid = to_regprocedure('intent_internal._pg_intent_md_num(numeric, integer)')), 's'::"char", '_pg_intent_md_num(numeric, integer) is PARALLEL SAFE');
SELECT isnt_strict('intent_internal', '_pg_intent_md_num', ARRAY['numeric', 'integer']::name[], '_pg_intent_md_num(numeric, integer) is not STRICT (NULL becomes an en dash)');
SELECT is((SELECT proargnames FROM pg_proc WHERE oid = to_regprocedure('intent_internal._pg_intent_md_num(numeric, integer)')), ARRAY['p_value', 'p_digits'], '_pg_intent_md_num(numeric, integer) parameter names');
SELECT is(pg_get_function_arguments(to_regprocedure('intent_internal._pg_intent_md_num(numeric, integer)')), 'p_value numeric, p_digits integer DEFAULT 3', '_pg_intent_md_num(numeric, integer) arguments and defaults');
SELECT isnt_definer('intent_internal', '_pg_intent_md_num', ARRAY['numeric', 'integer']::name[], '_pg_intent_md_num(numeric, integer) is SECURITY INVOKER');
SELECT ok(NOT coalesce(has_function_privilege('public', to_regprocedure('intent_internal._pg_intent_md_num(numeric, integer)'), 'EXECUTE'), true), '_pg_intent_md_num(numeric, integer) is not executable by PUBLIC (internal: granted with grant_intent_access() to roles that use its callers)');
SELECT isnt(obj_description(to_regprocedure('intent_internal._pg_intent_md_num(numeric, integer)'), 'pg_proc'), NULL, '_pg_intent_md_num(numeric, integer) has a comment');

-- _pg_intent_md_cell(text, integer)
SELECT has_function('intent_internal', '_pg_intent_md_cell', ARRAY['text', 'integer']::name[], '_pg_intent_md_cell(text, integer) exists');
SELECT function_returns('intent_internal', '_pg_intent_md_cell', ARRAY['text', 'integer']::name[], 'text', '_pg_intent_md_cell(text, integer) returns text');
SELECT volatility_is('intent_internal', '_pg_intent_md_cell', ARRAY['text', 'integer']::name[], 'immutable', '_pg_intent_md_cell(text, integer) is IMMUTABLE');
SELECT is((SELECT proparallel FROM pg_proc WHERE oid = to_regprocedure('intent_internal._pg_intent_md_cell(text, integer)')), 's'::"char", '_pg_intent_md_cell(text, integer) is PARALLEL SAFE');
SELECT isnt_strict('intent_internal', '_pg_intent_md_cell', ARRAY['text', 'integer']::name[], '_pg_intent_md_cell(text, integer) is not STRICT (NULL becomes an en dash)');
SELECT is((SELECT proargnames FROM pg_proc WHERE oid = to_regprocedure('intent_internal._pg_intent_md_cell(text, integer)')), ARRAY['p_value', 'p_max'], '_pg_intent_md_cell(text, integer) parameter names');
SELECT is(pg_get_function_arguments(to_regprocedure('intent_internal._pg_intent_md_cell(text, integer)')), 'p_value text, p_max integer DEFAULT 120', '_pg_intent_md_cell(text, integer) arguments and defaults');
SELECT isnt_definer('intent_internal', '_pg_intent_md_cell', ARRAY['text', 'integer']::name[], '_pg_intent_md_cell(text, integer) is SECURITY INVOKER');
SELECT ok(NOT coalesce(has_function_privilege('public', to_regprocedure('intent_internal._pg_intent_md_cell(text, integer)'), 'EXECUTE'), true), '_pg_intent_md_cell(text, integer) is not executable by PUBLIC (internal: granted with grant_intent_access() to roles that use its callers)');
SELECT isnt(obj_description(to_regprocedure('intent_internal._pg_intent_md_cell(text, integer)'), 'pg_proc'), NULL, '_pg_intent_md_cell(text, integer) has a comment');

-- ai_training_data.was_successful
SELECT has_column('public', 'ai_training_data', 'was_successful', 'ai_training_data.was_successful exists');
SELECT col_type_is('public', 'ai_training_data', 'was_successful', 'boolean', 'ai_training_data.was_successful is boolean');
SELECT col_is_null('public', 'ai_training_data', 'was_successful', 'ai_training_data.was_successful is nullable (NULL = not evaluated)');
SELECT isnt(col_description(to_regclass('public.ai_training_data'), (SELECT attnum FROM pg_attribute WHERE attrelid = to_regclass('public.ai_training_data') AND attname = 'was_successful')), NULL, 'ai_training_data.was_successful has a comment');

-- table ai_feedback_cues
SELECT has_table('public', 'ai_feedback_cues', 'table ai_feedback_cues exists');
SELECT columns_are('public', 'ai_feedback_cues', ARRAY['id', 'language', 'pattern', 'kind', 'score', 'marks_success', 'is_active', 'is_seed', 'notes', 'created_at', 'modified_at']::name[], 'ai_feedback_cues has the contract''s columns');
SELECT isnt(obj_description(to_regclass('public.ai_feedback_cues'), 'pg_class'), NULL, 'ai_feedback_cues has a comment');
SELECT col_type_is('public', 'ai_feedback_cues', 'id', 'bigint', 'ai_feedback_cues.id is bigint');
SELECT col_type_is('public', 'ai_feedback_cues', 'language', 'text', 'ai_feedback_cues.language is text');
SELECT col_type_is('public', 'ai_feedback_cues', 'pattern', 'text', 'ai_feedback_cues.pattern is text');
SELECT col_type_is('public', 'ai_feedback_cues', 'kind', 'text', 'ai_feedback_cues.kind is text');
SELECT col_type_is('public', 'ai_feedback_cues', 'score', 'smallint', 'ai_feedback_cues.score is smallint');
SELECT col_type_is('public', 'ai_feedback_cues', 'marks_success', 'boolean', 'ai_feedback_cues.marks_success is boolean');
SELECT col_type_is('public', 'ai_feedback_cues', 'is_active', 'boolean', 'ai_feedback_cues.is_active is boolean');
SELECT col_type_is('public', 'ai_feedback_cues', 'is_seed', 'boolean', 'ai_feedback_cues.is_seed is boolean');
SELECT col_type_is('public', 'ai_feedback_cues', 'notes', 'text', 'ai_feedback_cues.notes is text');
SELECT col_type_is('public', 'ai_feedback_cues', 'created_at', 'timestamp with time zone', 'ai_feedback_cues.created_at is timestamp with time zone');
SELECT col_is_pk('public', 'ai_feedback_cues', 'id', 'ai_feedback_cues.id is the primary key');
SELECT col_is_unique('public', 'ai_feedback_cues', ARRAY['language', 'pattern']::name[], 'a cue is unique per (language, pattern)');
SELECT col_not_null('public', 'ai_feedback_cues', 'pattern', 'ai_feedback_cues.pattern is NOT NULL');
SELECT col_not_null('public', 'ai_feedback_cues', 'score', 'ai_feedback_cues.score is NOT NULL');
SELECT has_check('public', 'ai_feedback_cues', 'ai_feedback_cues has CHECK constraints (kind, score 1-5, non-blank pattern)');
SELECT col_type_is('public', 'ai_feedback_cues', 'modified_at', 'timestamp with time zone', 'ai_feedback_cues.modified_at is timestamp with time zone');
SELECT is((SELECT e.extcondition[array_position(e.extconfig, to_regclass('public.ai_feedback_cues')::oid)] FROM pg_extension e WHERE e.extname = 'pg_intent'), 'WHERE NOT is_seed OR modified_at IS NOT NULL', 'ai_feedback_cues is dumped by pg_dump without the untouched seeds (edited seeds are dumped)');
SELECT has_trigger('public', 'ai_feedback_cues', 'ai_feedback_cues_before_update', 'ai_feedback_cues stamps edits (modified_at)');
SELECT has_trigger('public', 'ai_feedback_cues', 'ai_feedback_cues_before_insert', 'ai_feedback_cues lets an inserted row replace the untouched seed it collides with (restore)');
SELECT has_trigger('public', 'ai_feedback_cues', 'ai_feedback_cues_before_delete', 'ai_feedback_cues turns the deletion of a seed into disabling it');
SELECT ok((SELECT to_regclass('public.ai_feedback_cues_id_seq') = ANY(extconfig) FROM pg_extension WHERE extname = 'pg_intent'), 'ai_feedback_cues_id_seq is dumped by pg_dump');
SELECT ok((SELECT to_regclass('public.ai_classifier_retrain_failures') = ANY(extconfig) AND NOT to_regclass('public.ai_intent_retrain_attempt_seq') = ANY(extconfig) FROM pg_extension WHERE extname = 'pg_intent'), 'intent''s retraining back-off is dumped with every classifier''s (ai_classifier_retrain_failures); its attempt in progress (ai_intent_retrain_attempt_seq), as a classifier''s, is not');
SELECT ok(NOT has_sequence_privilege('public', 'public.ai_intent_retrain_attempt_seq', 'USAGE, SELECT, UPDATE'), 'ai_intent_retrain_attempt_seq is closed to PUBLIC (setting it would start a back-off)');
SELECT ok(NOT has_sequence_privilege('public', 'public.ai_classifier_retrain_attempt_seq', 'USAGE, SELECT, UPDATE'), 'ai_classifier_retrain_attempt_seq is closed to PUBLIC (setting it would start a back-off)');

-- table ai_shadow_predictions
SELECT has_table('public', 'ai_shadow_predictions', 'table ai_shadow_predictions exists');
SELECT columns_are('public', 'ai_shadow_predictions', ARRAY['id', 'training_data_id', 'champion_model_id', 'champion_intent', 'champion_confidence', 'champion_uncertain', 'challenger_model_id', 'challenger_intent', 'challenger_confidence', 'challenger_uncertain', 'agreed', 'created_at']::name[], 'ai_shadow_predictions has the contract''s columns (no message text: it is read from ai_training_data with the reader''s rights)');
SELECT isnt(obj_description(to_regclass('public.ai_shadow_predictions'), 'pg_class'), NULL, 'ai_shadow_predictions has a comment');
SELECT col_type_is('public', 'ai_shadow_predictions', 'id', 'bigint', 'ai_shadow_predictions.id is bigint');
SELECT col_type_is('public', 'ai_shadow_predictions', 'training_data_id', 'uuid', 'ai_shadow_predictions.training_data_id is uuid');
SELECT col_type_is('public', 'ai_shadow_predictions', 'champion_model_id', 'bigint', 'ai_shadow_predictions.champion_model_id is bigint');
SELECT col_type_is('public', 'ai_shadow_predictions', 'champion_intent', 'text', 'ai_shadow_predictions.champion_intent is text');
SELECT col_type_is('public', 'ai_shadow_predictions', 'champion_confidence', 'double precision', 'ai_shadow_predictions.champion_confidence is double precision');
SELECT col_type_is('public', 'ai_shadow_predictions', 'champion_uncertain', 'boolean', 'ai_shadow_predictions.champion_uncertain is boolean');
SELECT col_type_is('public', 'ai_shadow_predictions', 'challenger_model_id', 'bigint', 'ai_shadow_predictions.challenger_model_id is bigint');
SELECT col_type_is('public', 'ai_shadow_predictions', 'challenger_intent', 'text', 'ai_shadow_predictions.challenger_intent is text');
SELECT col_type_is('public', 'ai_shadow_predictions', 'challenger_confidence', 'double precision', 'ai_shadow_predictions.challenger_confidence is double precision');
SELECT col_type_is('public', 'ai_shadow_predictions', 'challenger_uncertain', 'boolean', 'ai_shadow_predictions.challenger_uncertain is boolean');
SELECT col_type_is('public', 'ai_shadow_predictions', 'agreed', 'boolean', 'ai_shadow_predictions.agreed is boolean');
SELECT col_type_is('public', 'ai_shadow_predictions', 'created_at', 'timestamp with time zone', 'ai_shadow_predictions.created_at is timestamp with time zone');
SELECT col_is_pk('public', 'ai_shadow_predictions', 'id', 'ai_shadow_predictions.id is the primary key');
SELECT is_empty($$SELECT c.conname FROM pg_constraint AS c JOIN pg_depend AS d ON d.classid = 'pg_class'::regclass AND d.objid = c.conrelid AND d.deptype = 'e' JOIN pg_extension AS e ON e.oid = d.refobjid AND e.extname = 'pg_intent' WHERE c.contype = 'f'$$, 'no foreign key on the extension''s tables: pg_restore -j loads their rows in any order (references are kept by triggers, src/sql/12_references.sql)');
SELECT col_not_null('public', 'ai_shadow_predictions', 'challenger_model_id', 'ai_shadow_predictions.challenger_model_id is NOT NULL');
SELECT col_not_null('public', 'ai_shadow_predictions', 'agreed', 'ai_shadow_predictions.agreed is NOT NULL');
SELECT has_index('public', 'ai_shadow_predictions', 'ai_shadow_predictions_challenger_idx', 'index ai_shadow_predictions_challenger_idx');
SELECT has_index('public', 'ai_shadow_predictions', 'ai_shadow_predictions_training_data_idx', 'index ai_shadow_predictions_training_data_idx');
SELECT ok((SELECT to_regclass('public.ai_shadow_predictions') = ANY(extconfig) FROM pg_extension WHERE extname = 'pg_intent'), 'ai_shadow_predictions is dumped by pg_dump');
SELECT ok((SELECT to_regclass('public.ai_shadow_predictions_id_seq') = ANY(extconfig) FROM pg_extension WHERE extname = 'pg_intent'), 'ai_shadow_predictions_id_seq is dumped by pg_dump');

-- view ai_pending_review
SELECT has_view('public', 'ai_pending_review', 'view ai_pending_review exists');
SELECT columns_are('public', 'ai_pending_review', ARRAY['id', 'user_message', 'detected_intent', 'confidence_score', 'ai_response', 'response_source', 'escalated', 'category', 'source', 'conversation_id', 'model_id', 'created_at']::name[], 'ai_pending_review columns');
SELECT isnt(obj_description(to_regclass('public.ai_pending_review'), 'pg_class'), NULL, 'ai_pending_review has a comment');

-- view ai_review_queue
SELECT has_view('public', 'ai_review_queue', 'view ai_review_queue exists');
SELECT columns_are('public', 'ai_review_queue', ARRAY['rank', 'tier', 'priority', 'id', 'user_message', 'intent', 'suspected_intent', 'suspected_confidence', 'label_probability', 'confidence_score', 'source', 'rank_reason', 'run_id', 'created_at']::name[], 'ai_review_queue columns');
SELECT isnt(obj_description(to_regclass('public.ai_review_queue'), 'pg_class'), NULL, 'ai_review_queue has a comment');

-- view ai_classification_errors
SELECT has_view('public', 'ai_classification_errors', 'view ai_classification_errors exists');
SELECT columns_are('public', 'ai_classification_errors', ARRAY['id', 'user_message', 'detected_intent', 'correct_intent', 'confidence_score', 'ai_response', 'correct_response', 'corrected_by', 'corrected_at', 'model_id', 'created_at']::name[], 'ai_classification_errors columns');
SELECT isnt(obj_description(to_regclass('public.ai_classification_errors'), 'pg_class'), NULL, 'ai_classification_errors has a comment');

-- view ai_intent_performance
SELECT has_view('public', 'ai_intent_performance', 'view ai_intent_performance exists');
SELECT columns_are('public', 'ai_intent_performance', ARRAY['intent', 'samples', 'predictions', 'reviewed', 'correct', 'live_accuracy', 'avg_confidence', 'model_id', 'model_precision', 'model_recall', 'model_f1', 'model_test_support', 'live_accuracy_fraction', 'avg_confidence_fraction']::name[], 'ai_intent_performance columns');
SELECT isnt(obj_description(to_regclass('public.ai_intent_performance'), 'pg_class'), NULL, 'ai_intent_performance has a comment');

-- view ai_training_progress
SELECT has_view('public', 'ai_training_progress', 'view ai_training_progress exists');
SELECT columns_are('public', 'ai_training_progress', ARRAY['pid', 'role', 'run_id', 'phase', 'done', 'total', 'percent', 'rows', 'started_at', 'updated_at', 'elapsed', 'source', 'classifier', 'partition_key']::name[], 'ai_training_progress columns');
SELECT isnt(obj_description(to_regclass('public.ai_training_progress'), 'pg_class'), NULL, 'ai_training_progress has a comment');
SELECT ok(NOT has_table_privilege('public', 'public.ai_training_progress', 'SELECT'), 'ai_training_progress is not readable by PUBLIC');

-- view ai_training_run_history
SELECT has_view('public', 'ai_training_run_history', 'view ai_training_run_history exists');
SELECT columns_are('public', 'ai_training_run_history', ARRAY['run_id', 'run_name', 'run_type', 'status', 'error', 'started_at', 'finished_at', 'duration_seconds', 'training_samples', 'validation_samples', 'test_samples', 'total_intents', 'intent_accuracy', 'intent_precision', 'intent_recall', 'intent_f1_score', 'baseline_intent_accuracy', 'baseline_f1_score', 'f1_improvement', 'model_id', 'model_version', 'deployed', 'deploy_reason', 'model_is_active', 'classifier', 'partition_key']::name[], 'ai_training_run_history columns');
SELECT isnt(obj_description(to_regclass('public.ai_training_run_history'), 'pg_class'), NULL, 'ai_training_run_history has a comment');

-- view ai_live_metrics
SELECT has_view('public', 'ai_live_metrics', 'view ai_live_metrics exists');
SELECT columns_are('public', 'ai_live_metrics', ARRAY['window_start', 'window_end', 'total_messages', 'ai_resolved', 'escalated', 'escalation_rate', 'avg_confidence', 'reviewed_messages', 'intent_accuracy', 'misclassified', 'misclassification_rate', 'correction_rate', 'top_intents', 'top_misclassified', 'escalation_rate_fraction', 'avg_confidence_fraction', 'intent_accuracy_fraction', 'misclassification_rate_fraction', 'correction_rate_fraction']::name[], 'ai_live_metrics columns');
SELECT isnt(obj_description(to_regclass('public.ai_live_metrics'), 'pg_class'), NULL, 'ai_live_metrics has a comment');

-- view ai_metric_alerts
SELECT has_view('public', 'ai_metric_alerts', 'view ai_metric_alerts exists');
SELECT columns_are('public', 'ai_metric_alerts', ARRAY['metric', 'value', 'threshold', 'comparison', 'severity', 'message']::name[], 'ai_metric_alerts columns');
SELECT isnt(obj_description(to_regclass('public.ai_metric_alerts'), 'pg_class'), NULL, 'ai_metric_alerts has a comment');

-- view ai_classifier_alerts (0.3.2)
SELECT has_view('public', 'ai_classifier_alerts', 'view ai_classifier_alerts exists');
SELECT columns_are('public', 'ai_classifier_alerts', ARRAY['classifier', 'partition', 'metric', 'value', 'threshold', 'comparison', 'severity', 'message', 'failed_at', 'sqlstate']::name[], 'ai_classifier_alerts columns');
SELECT isnt(obj_description(to_regclass('public.ai_classifier_alerts'), 'pg_class'), NULL, 'ai_classifier_alerts has a comment');

-- view ai_shadow_agreement
SELECT has_view('public', 'ai_shadow_agreement', 'view ai_shadow_agreement exists');
SELECT columns_are('public', 'ai_shadow_agreement', ARRAY['challenger_model_id', 'challenger_version', 'champion_model_ids', 'predictions', 'agreements', 'agreement_rate', 'labelled', 'champion_correct', 'challenger_correct', 'champion_accuracy', 'challenger_accuracy', 'better_model', 'first_at', 'last_at', 'agreement_rate_fraction', 'champion_accuracy_fraction', 'challenger_accuracy_fraction']::name[], 'ai_shadow_agreement columns');
SELECT isnt(obj_description(to_regclass('public.ai_shadow_agreement'), 'pg_class'), NULL, 'ai_shadow_agreement has a comment');

-- evaluate_intent_model(bigint, text)
SELECT has_function('public', 'evaluate_intent_model', ARRAY['bigint', 'text']::name[], 'evaluate_intent_model(bigint, text) exists');
SELECT function_returns('public', 'evaluate_intent_model', ARRAY['bigint', 'text']::name[], 'jsonb', 'evaluate_intent_model(bigint, text) returns jsonb');
SELECT function_lang_is('public', 'evaluate_intent_model', ARRAY['bigint', 'text']::name[], 'c', 'evaluate_intent_model(bigint, text) is written in C');
SELECT volatility_is('public', 'evaluate_intent_model', ARRAY['bigint', 'text']::name[], 'volatile', 'evaluate_intent_model(bigint, text) is VOLATILE (it runs an arbitrary query)');
SELECT is((SELECT proparallel FROM pg_proc WHERE oid = to_regprocedure('public.evaluate_intent_model(bigint, text)')), 'u'::"char", 'evaluate_intent_model(bigint, text) is PARALLEL UNSAFE');
SELECT isnt_strict('public', 'evaluate_intent_model', ARRAY['bigint', 'text']::name[], 'evaluate_intent_model(bigint, text) is not STRICT (NULL p_model_id is the active model; NULL p_query raises 22004)');
SELECT is((SELECT proargnames FROM pg_proc WHERE oid = to_regprocedure('public.evaluate_intent_model(bigint, text)')), ARRAY['p_model_id', 'p_query'], 'evaluate_intent_model(bigint, text) parameter names');
SELECT isnt_definer('public', 'evaluate_intent_model', ARRAY['bigint', 'text']::name[], 'evaluate_intent_model(bigint, text) is SECURITY INVOKER (the query runs with the caller''s rights)');
SELECT is((SELECT proconfig FROM pg_proc WHERE oid = to_regprocedure('public.evaluate_intent_model(bigint, text)')), NULL, 'evaluate_intent_model(bigint, text) has no SET clause (the caller''s search_path resolves the caller''s query)');
SELECT ok(NOT coalesce(has_function_privilege('public', to_regprocedure('public.evaluate_intent_model(bigint, text)'), 'EXECUTE'), true), 'evaluate_intent_model(bigint, text) is not executable by PUBLIC (it runs any query its caller writes)');
SELECT isnt(obj_description(to_regprocedure('public.evaluate_intent_model(bigint, text)'), 'pg_proc'), NULL, 'evaluate_intent_model(bigint, text) has a comment');

-- explain_intent(text, integer, text, bigint)
SELECT has_function('public', 'explain_intent', ARRAY['text', 'integer', 'text', 'bigint']::name[], 'explain_intent(text, integer, text, bigint) exists');
SELECT function_returns('public', 'explain_intent', ARRAY['text', 'integer', 'text', 'bigint']::name[], 'jsonb', 'explain_intent(text, integer, text, bigint) returns jsonb');
SELECT function_lang_is('public', 'explain_intent', ARRAY['text', 'integer', 'text', 'bigint']::name[], 'c', 'explain_intent(text, integer, text, bigint) is written in C');
SELECT volatility_is('public', 'explain_intent', ARRAY['text', 'integer', 'text', 'bigint']::name[], 'stable', 'explain_intent(text, integer, text, bigint) is STABLE');
SELECT is((SELECT proparallel FROM pg_proc WHERE oid = to_regprocedure('public.explain_intent(text, integer, text, bigint)')), 's'::"char", 'explain_intent(text, integer, text, bigint) is PARALLEL SAFE');
SELECT isnt_strict('public', 'explain_intent', ARRAY['text', 'integer', 'text', 'bigint']::name[], 'explain_intent(text, integer, text, bigint) is not STRICT (NULL p_intent is the predicted intent, NULL p_model_id the active model)');
SELECT is((SELECT proargnames FROM pg_proc WHERE oid = to_regprocedure('public.explain_intent(text, integer, text, bigint)')), ARRAY['p_message', 'p_top', 'p_intent', 'p_model_id'], 'explain_intent(text, integer, text, bigint) parameter names');
SELECT is((SELECT pronargdefaults FROM pg_proc WHERE oid = to_regprocedure('public.explain_intent(text, integer, text, bigint)')), 3::int2, 'explain_intent(text, integer, text, bigint): p_top, p_intent and p_model_id have defaults');
SELECT isnt_definer('public', 'explain_intent', ARRAY['text', 'integer', 'text', 'bigint']::name[], 'explain_intent(text, integer, text, bigint) is SECURITY INVOKER');
SELECT ok(NOT coalesce(has_function_privilege('public', to_regprocedure('public.explain_intent(text, integer, text, bigint)'), 'EXECUTE'), true), 'explain_intent(text, integer, text, bigint) is not executable by PUBLIC (its vocabulary would show training messages)');
SELECT isnt(obj_description(to_regprocedure('public.explain_intent(text, integer, text, bigint)'), 'pg_proc'), NULL, 'explain_intent(text, integer, text, bigint) has a comment');

-- Model blobs are stored with LZ4 when the server has it (src/sql/11_storage.sql).
SELECT is((SELECT attcompression FROM pg_attribute WHERE attrelid = 'public.ai_intent_models'::regclass AND attname = 'model'),
          CASE WHEN EXISTS (SELECT FROM pg_settings WHERE name = 'default_toast_compression' AND 'lz4' = ANY (enumvals))
               THEN 'l' ELSE '' END::"char",
          'ai_intent_models.model is compressed with LZ4 where the server supports it');

-- grant_intent_access(regrole, text): the one way to grant the functions
-- closed to PUBLIC with the internal functions they call.
SELECT has_function('public', 'grant_intent_access', ARRAY['regrole', 'text']::name[], 'grant_intent_access(regrole, text) exists');
SELECT function_returns('public', 'grant_intent_access', ARRAY['regrole', 'text']::name[], 'setof regprocedure', 'grant_intent_access(regrole, text) returns the functions it granted');
SELECT is((SELECT proargnames FROM pg_proc WHERE oid = to_regprocedure('public.grant_intent_access(regrole, text)')), ARRAY['p_role', 'p_access'], 'grant_intent_access(regrole, text) parameter names');
SELECT isnt_definer('public', 'grant_intent_access', ARRAY['regrole', 'text']::name[], 'grant_intent_access(regrole, text) is SECURITY INVOKER (it grants with its caller''s rights)');
SELECT ok(NOT coalesce(has_function_privilege('public', to_regprocedure('public.grant_intent_access(regrole, text)'), 'EXECUTE'), true), 'grant_intent_access(regrole, text) is not executable by PUBLIC');
SELECT is_empty($$SELECT f FROM intent_internal._pg_intent_access_sets() AS s, unnest(s.functions) AS f WHERE has_function_privilege('public', f, 'EXECUTE')$$, 'no function grant_intent_access() grants is open to PUBLIC');
SELECT has_table('public', 'ai_shadow_legacy_messages', 'table ai_shadow_legacy_messages exists (0.2.0 shadow texts the upgrade could not drop)');
SELECT ok((SELECT to_regclass('public.ai_shadow_legacy_messages') = ANY(extconfig) FROM pg_extension WHERE extname = 'pg_intent'), 'ai_shadow_legacy_messages is dumped by pg_dump');

-- The words of errors and numbers for people (src/sql/16_language.sql):
-- open to PUBLIC, as the errors of functions any role may call use them.
SELECT is((SELECT proargnames FROM pg_proc WHERE oid = to_regprocedure('public.intent_output_error(text, "any")')), ARRAY['p_pattern', 'p_args'], 'intent_output_error(text, "any") parameter names');
SELECT isnt(obj_description(to_regprocedure('public.intent_output_error(text, "any")'), 'pg_proc'), NULL, 'intent_output_error(text, "any") has a comment');
SELECT isnt(obj_description(to_regprocedure('public.intent_output_error(text)'), 'pg_proc'), NULL, 'intent_output_error(text) has a comment');
SELECT isnt(obj_description(to_regprocedure('public.intent_output_number(numeric, text)'), 'pg_proc'), NULL, 'intent_output_number(numeric, text) has a comment');

-- Catch-all: every function, table and view that belongs to the extension.
-- A function added later without a line here makes the set tests fail.
CREATE TEMP TABLE expected_functions (signature text PRIMARY KEY, volatility text NOT NULL, parallel text NOT NULL, public_execute boolean NOT NULL);
INSERT INTO expected_functions VALUES
    ('_pg_intent_touch_updated_at()', 'volatile', 'unsafe', false),
    ('_pg_intent_set_was_mismatch()', 'volatile', 'unsafe', false),
    ('_pg_intent_set_model_digest()', 'volatile', 'unsafe', false),
    ('_pg_intent_stamp_audit()', 'volatile', 'unsafe', false),
    ('predict_intent(text)', 'stable', 'safe', true),
    ('predict_intent(text, bigint)', 'stable', 'safe', true),
    ('evaluate_intent_model(bigint, text)', 'volatile', 'unsafe', false),
    ('classify_intent(text)', 'stable', 'safe', true),
    ('predict_label(text, text, text)', 'stable', 'safe', true),
    ('classify_label(text, text, text)', 'stable', 'safe', true),
    ('_pg_intent_model_cache_stats()', 'volatile', 'restricted', false),
    ('explain_intent(text, integer, text, bigint)', 'stable', 'safe', false),
    ('explain_label(text, text, text, integer, text)', 'stable', 'safe', false),
    ('evaluate_label(text, text, text)', 'volatile', 'unsafe', false),
    ('prune_classifier_models(text, integer)', 'volatile', 'unsafe', true),
    ('_pg_intent_prune_classifier_models(oid, text, integer)', 'volatile', 'unsafe', false),
    ('_pg_intent_classifier_models_to_keep(bigint, integer)', 'stable', 'safe', false),
    ('_pg_intent_policy_keys_outside_model()', 'immutable', 'safe', false),
    ('intent_model_info(bytea)', 'immutable', 'safe', true),
    ('_pg_intent_train(text[], text[], real[], boolean[], jsonb, bytea)', 'volatile', 'unsafe', false),
    ('_pg_intent_models_changed()', 'volatile', 'unsafe', false),
    ('_pg_intent_drop_guard()', 'volatile', 'unsafe', false),
    ('_pg_intent_keep_trigger_modes()', 'volatile', 'unsafe', false),
    ('_pg_intent_restore_trigger_modes(oid[])', 'volatile', 'unsafe', false),
    ('pg_intent_loaded()', 'stable', 'safe', true),
    ('intent_output_language()', 'stable', 'safe', true),
    ('intent_output_text(text, text)', 'immutable', 'safe', true),
    ('intent_output_error(text)', 'stable', 'safe', true),
    ('intent_output_error(text, "any")', 'stable', 'safe', true),
    ('_pg_intent_error_words(text)', 'stable', 'safe', true),
    ('_pg_intent_error_words(text, "any")', 'stable', 'safe', true),
    -- a model's F1 (18_model_f1.sql): ai_model_registry calls it for any reader
    ('_pg_intent_model_f1(jsonb)', 'immutable', 'safe', true),
    -- the built-in classifier's review rows (33_review_queue.sql): ai_review_queue
    -- and get_classifier_review_queue('intent') call it for any reader, as the reader
    ('_pg_intent_builtin_review_rows()', 'stable', 'safe', true),
    ('intent_output_number(numeric, text)', 'immutable', 'safe', true),
    ('intent_training_options(jsonb)', 'immutable', 'safe', true),
    ('_pg_intent_lock(text, boolean)', 'volatile', 'unsafe', false),
    ('_pg_intent_lock_training(text, integer)', 'volatile', 'unsafe', false),
    ('_pg_intent_is_training_slot(integer)', 'immutable', 'safe', false),
    ('_pg_intent_lock_deployment(text)', 'volatile', 'unsafe', false),
    ('_pg_intent_lock_classifier_deployment(bigint, text)', 'volatile', 'unsafe', false),
    ('_pg_intent_policy_limit_keys()', 'immutable', 'safe', false),
    ('_pg_intent_policy_within(ai_training_policy, ai_training_policy)', 'immutable', 'safe', false),
    ('_pg_intent_policy_limits(ai_training_policy)', 'immutable', 'safe', false),
    ('_pg_intent_run_error_raised_again(text)', 'immutable', 'safe', false),
    ('_pg_intent_train_run_begin(text, text, jsonb, text, text, uuid, ai_training_policy, jsonb)', 'volatile', 'unsafe', false),
    ('_pg_intent_train_run_record(uuid, timestamp with time zone, text, text, uuid, bigint, bigint, ai_training_policy, jsonb, record)', 'volatile', 'unsafe', false),
    ('_pg_intent_train_run_failed(uuid, timestamp with time zone, text, text, ai_training_policy, text, text, text, text, integer, jsonb)', 'volatile', 'unsafe', false),
    ('_pg_intent_train_table(uuid, jsonb, ai_training_policy, bigint, uuid, double precision, text, text)', 'volatile', 'unsafe', false),
    ('pg_intent_training_progress()', 'volatile', 'unsafe', false),
    ('_pg_intent_models_refuse_delete_active()', 'volatile', 'unsafe', false),
    ('delete_intent_model(bigint)', 'volatile', 'unsafe', false),
    ('_pg_intent_delete_intent_model(oid, bigint)', 'volatile', 'unsafe', false),
    ('_pg_intent_policy()', 'stable', 'safe', false),
    ('_pg_intent_classifier_allows(text, oid, text)', 'stable', 'safe', false),
    ('_pg_intent_classifier_latest(text)', 'volatile', 'safe', false),
    ('_pg_intent_classifier_retrain_plan()', 'volatile', 'safe', false),
    ('_pg_intent_classifier_count_plan(text)', 'stable', 'safe', false),
    ('_pg_intent_source_new_since(uuid, boolean)', 'stable', 'safe', false),
    ('_pg_intent_source_read_horizon()', 'volatile', 'unsafe', false),
    ('_pg_intent_source_reads_reviewed_only(text, boolean)', 'immutable', 'safe', false),
    ('_pg_intent_classifier_retrain_due(text, bigint, timestamp with time zone, bigint, integer, bigint)', 'stable', 'safe', false),
    ('_pg_intent_classifier_retrain_record(text, timestamp with time zone, bigint, text, text, text)', 'volatile', 'unsafe', false),
    ('_pg_intent_classifier_retrain_checked(text, timestamp with time zone, bigint)', 'volatile', 'unsafe', false),
    ('_pg_intent_classifier_retrain_held(text)', 'volatile', 'safe', false),
    ('_pg_intent_classifier_retrain_mark(text, timestamp with time zone, boolean)', 'volatile', 'unsafe', false),
    ('_pg_intent_classifier_retrain_resume()', 'volatile', 'unsafe', false),
    ('_pg_intent_retrain_resume(boolean)', 'volatile', 'unsafe', false),
    ('_pg_intent_classifier_due(bigint, timestamp with time zone, bigint, integer)', 'immutable', 'safe', false),
    ('get_classifier_metrics(text, integer)', 'stable', 'unsafe', false),
    ('create_classifier_metrics_snapshot(text, text, timestamp with time zone)', 'volatile', 'unsafe', false),
    ('_pg_intent_snapshot_period(text, timestamp with time zone)', 'stable', 'unsafe', false),
    -- 0.3.2: the models serving at a period's end, for both snapshots
    ('_pg_intent_serving_models(text, bigint, timestamp with time zone)', 'stable', 'safe', false),
    ('get_classifier_review_queue(text, text, integer)', 'stable', 'restricted', false),
    ('_pg_intent_classifier_review_plan(text)', 'stable', 'safe', false),
    -- 0.3.2: what dashboards and reviewers read of a source, as its owner
    ('_pg_intent_classifier_source_statement(text, oid, text)', 'stable', 'safe', false),
    ('_pg_intent_classifier_partition_check(text, oid)', 'stable', 'safe', false),
    ('_pg_intent_check_partition_key(text)', 'stable', 'safe', false),
    ('_pg_intent_count_classifier_source(text, timestamp with time zone, timestamp with time zone)', 'volatile', 'unsafe', false),
    ('_pg_intent_try_count_classifier_source(text, timestamp with time zone, timestamp with time zone)', 'volatile', 'unsafe', false),
    ('_pg_intent_classifier_source_texts(text, text[])', 'volatile', 'unsafe', false),
    ('_pg_intent_run_keys_current(uuid)', 'stable', 'safe', false),
    ('_pg_intent_classifier_facts(text, oid)', 'stable', 'safe', false),
    ('_pg_intent_classifier_facts(text)', 'volatile', 'unsafe', false),
    ('_pg_intent_model_f1_alert_below()', 'immutable', 'safe', false),
    ('_pg_intent_retrain_failure()', 'stable', 'safe', false),
    ('_pg_intent_alert_message(text, numeric, numeric, timestamp with time zone, text, timestamp with time zone, text)', 'stable', 'safe', false),
    ('_pg_intent_classifier_alerts(oid)', 'stable', 'safe', false),
    ('_pg_intent_classifier_alerts()', 'stable', 'unsafe', false),
    ('_pg_intent_classifier_may_list(oid)', 'stable', 'safe', false),
    ('_pg_intent_classifier_is_judged(ai_classifiers)', 'stable', 'safe', false),
    ('_pg_intent_classifier_refuse(text, oid, text)', 'stable', 'safe', false),
    ('is_suspected_label_error(text, text, double precision, double precision)', 'immutable', 'safe', true),
    ('retrain_classifiers()', 'volatile', 'unsafe', false),
    ('_pg_intent_alter_classifier(oid, text, jsonb)', 'volatile', 'unsafe', false),
    ('_pg_intent_classifier(text)', 'stable', 'safe', false),
    ('_pg_intent_classifier_access(oid, text, text, text, boolean)', 'volatile', 'unsafe', false),
    ('_pg_intent_classifier_check_options(jsonb, boolean, boolean)', 'volatile', 'unsafe', false),
    ('_pg_intent_classifier_reserved_options(jsonb)', 'stable', 'safe', false),
    ('_pg_intent_classifier_check_source(oid, text, oid, jsonb)', 'stable', 'safe', false),
    ('_pg_intent_classifier_column_keys()', 'immutable', 'safe', false),
    ('_pg_intent_classifier_columns(ai_classifiers)', 'immutable', 'safe', false),
    ('_pg_intent_classifier_for_training(text, oid)', 'stable', 'unsafe', false),
    ('_pg_intent_classifier_json(text)', 'stable', 'safe', false),
    ('_pg_intent_classifier_policy(text)', 'stable', 'safe', false),
    ('_pg_intent_classifier_policy_keys()', 'immutable', 'safe', false),
    ('_pg_intent_classifier_policy_types(jsonb)', 'stable', 'safe', false),
    ('_pg_intent_classifier_policy_values(jsonb)', 'stable', 'safe', false),
    ('_pg_intent_json_integer(jsonb)', 'immutable', 'safe', false),
    ('_pg_intent_classifier_require(text, oid, text)', 'stable', 'safe', false),
    ('_pg_intent_classifier_training_options(text)', 'stable', 'safe', false),
    ('_pg_intent_create_classifier(oid, text, regclass, name, name, jsonb)', 'volatile', 'unsafe', false),
    ('_pg_intent_deploy_classifier_model(oid, text, bigint)', 'volatile', 'unsafe', false),
    ('_pg_intent_deploy_model(ai_classifiers, bigint)', 'volatile', 'unsafe', false),
    ('_pg_intent_drop_classifier(oid, text, boolean)', 'volatile', 'unsafe', false),
    ('_pg_intent_grant_classifier_access(oid, text, text, text)', 'volatile', 'unsafe', false),
    ('_pg_intent_revoke_classifier_access(oid, text, text, text)', 'volatile', 'unsafe', false),
    ('_pg_intent_rollback_classifier(oid, text, text)', 'volatile', 'unsafe', false),
    ('_pg_intent_rollback_model(ai_classifiers, text)', 'volatile', 'unsafe', false),
    ('_pg_intent_train_classifier_start(text, jsonb)', 'volatile', 'unsafe', false),
    ('_pg_intent_train_classifier_partitions(text, jsonb, text[], integer[], text[], jsonb)', 'volatile', 'unsafe', false),
    ('_pg_intent_train_classifier_finish(jsonb, jsonb, uuid, jsonb[], integer, integer, integer, jsonb[], integer, text[], integer, text[], integer)', 'volatile', 'unsafe', false),
    ('alter_classifier(text, jsonb)', 'volatile', 'unsafe', true),
    ('create_classifier(text, regclass, name, name, jsonb)', 'volatile', 'unsafe', false),
    ('deploy_classifier_model(text, bigint)', 'volatile', 'unsafe', true),
    ('drop_classifier(text, boolean)', 'volatile', 'unsafe', true),
    -- 0.3.2 (issue 31 items 6 and 11): owners, grantees and sources by name
    ('reassign_classifier(text, regrole)', 'volatile', 'unsafe', false),
    ('_pg_intent_reassign_classifier(oid, text, regrole)', 'volatile', 'unsafe', false),
    ('_pg_intent_role_is(oid, name)', 'stable', 'safe', false),
    ('_pg_intent_role_list(oid[], jsonb, oid, text, boolean)', 'immutable', 'safe', false),
    ('_pg_intent_rebind_roles(oid[], jsonb)', 'stable', 'safe', false),
    ('_pg_intent_relation_name(oid)', 'stable', 'safe', false),
    ('_pg_intent_classifier_rebind()', 'volatile', 'unsafe', false),
    ('grant_classifier_access(text, text, text)', 'volatile', 'unsafe', true),
    ('revoke_classifier_access(text, text, text)', 'volatile', 'unsafe', true),
    ('rollback_classifier(text, text)', 'volatile', 'unsafe', true),
    -- 0.3.2 (issue 35): classifiers and models on every Citus node
    ('replicate_classifiers()', 'volatile', 'unsafe', false),
    ('_pg_intent_citus_coordinator()', 'stable', 'safe', false),
    ('_pg_intent_citus_group()', 'stable', 'safe', false),
    ('_pg_intent_classifier_published(ai_classifiers)', 'stable', 'safe', false),
    ('_pg_intent_publish_all()', 'volatile', 'unsafe', false),
    ('_pg_intent_publish_to_nodes()', 'volatile', 'unsafe', false),
    ('_pg_intent_apply_publication()', 'volatile', 'unsafe', false),
    ('_pg_intent_apply_published(text, text, jsonb, bytea)', 'volatile', 'unsafe', false),
    ('_pg_intent_published_state(text, jsonb)', 'immutable', 'safe', false),
    ('_pg_intent_apply_new_placement()', 'volatile', 'unsafe', false),
    ('_pg_intent_create_event_trigger(text, text, text[], regprocedure)', 'volatile', 'unsafe', false),
    ('_pg_intent_node_drop_model(bigint)', 'volatile', 'unsafe', false),
    ('_pg_intent_release_citus_placements()', 'volatile', 'unsafe', false),
    ('train_classifier(text, text, jsonb)', 'volatile', 'unsafe', true),
    ('_pg_intent_row_limits()', 'stable', 'safe', false),
    ('_pg_intent_max_unreviewed_rows()', 'stable', 'safe', false),
    ('is_valid_intent_name(text)', 'immutable', 'safe', true),
    ('normalize_intent_name(text)', 'immutable', 'safe', true),
    ('_pg_intent_training_rows(integer, boolean, integer)', 'stable', 'safe', false),
    ('_pg_intent_training_keys(integer, boolean, integer)', 'stable', 'safe', false),
    ('_pg_intent_policy_before_insert()', 'volatile', 'unsafe', false),
    ('_pg_intent_policy_before_update()', 'volatile', 'unsafe', false),
    ('_pg_intent_policy_check_zone()', 'volatile', 'unsafe', false),
    ('_pg_intent_zone_trunc(text, text, timestamp with time zone, integer)', 'stable', 'unsafe', false),
    ('_pg_intent_policy_refuse_delete()', 'volatile', 'unsafe', false),
    ('_pg_intent_references()', 'immutable', 'safe', false),
    ('_pg_intent_refuse_truncate(text, text[])', 'volatile', 'unsafe', false),
    ('_pg_intent_references_gone()', 'volatile', 'unsafe', false),
    ('_pg_intent_refuse_key_change()', 'volatile', 'unsafe', false),
    ('_pg_intent_ignored_settings()', 'stable', 'safe', false),
    ('_pg_intent_review(uuid[], text, text, uuid)', 'volatile', 'unsafe', false),
    ('_pg_intent_review_sample(uuid, text, text, uuid)', 'volatile', 'unsafe', false),
    ('_pg_intent_check_days(integer)', 'stable', 'safe', false),
    ('approve_training_sample(uuid, uuid, text)', 'volatile', 'unsafe', false),
    ('reject_training_sample(uuid, text, uuid)', 'volatile', 'unsafe', false),
    ('approve_training_samples(uuid[], uuid, text)', 'volatile', 'unsafe', false),
    ('reject_training_samples(uuid[], text, uuid)', 'volatile', 'unsafe', false),
    ('_pg_intent_headline_metrics(jsonb)', 'immutable', 'safe', false),
    ('_pg_intent_activate(bigint, text, uuid)', 'volatile', 'unsafe', false),
    ('record_interaction(text, text, integer, text, text, boolean, uuid, uuid, uuid, text, text)', 'volatile', 'unsafe', true),
    ('submit_intent_correction(uuid, text, text, boolean, text, uuid)', 'volatile', 'unsafe', true),
    ('get_training_dataset(integer, boolean, integer)', 'stable', 'safe', false),
    ('train_intent_model(text, text, jsonb)', 'volatile', 'unsafe', false),
    ('deploy_intent_model(bigint)', 'volatile', 'unsafe', false),
    ('rollback_intent_model()', 'volatile', 'unsafe', false),
    ('get_ai_training_metrics(integer)', 'stable', 'safe', false),
    ('create_metrics_snapshot(text, timestamp with time zone)', 'volatile', 'unsafe', false),
    ('should_retrain()', 'stable', 'safe', false),
    ('retrain_if_needed(boolean)', 'volatile', 'unsafe', false),
    ('export_training_dataset(text, integer, boolean, integer)', 'stable', 'safe', false),
    ('score_feedback_message(text)', 'stable', 'safe', false),
    ('evaluate_interaction(uuid, text)', 'volatile', 'unsafe', false),
    ('training_report(uuid, text)', 'stable', 'safe', false),
    ('_pg_intent_report_message(jsonb)', 'stable', 'safe', false),
    ('_pg_intent_html(text, integer)', 'immutable', 'safe', false),
    ('_pg_intent_report_html(uuid)', 'stable', 'safe', false),
    ('_pg_intent_run_predictions(uuid, boolean)', 'stable', 'safe', false),
    ('_pg_intent_render_report_html(jsonb, text)', 'immutable', 'safe', false),
    ('shadow_predict(text, bigint, uuid)', 'volatile', 'unsafe', true),
    ('_pg_intent_window_metrics(timestamp with time zone, timestamp with time zone)', 'stable', 'safe', false),
    ('_pg_intent_active_model_json()', 'stable', 'safe', false),
    ('_pg_intent_samples_since_last_train()', 'stable', 'safe', false),
    ('_pg_intent_last_retraining_run(bigint, text)', 'stable', 'safe', false),
    ('_pg_intent_samples_since(timestamp with time zone)', 'stable', 'safe', false),
    ('_pg_intent_reviewed_since(timestamp with time zone, uuid[])', 'stable', 'safe', false),
    ('_pg_intent_retrain_decision()', 'stable', 'safe', false),
    ('_pg_intent_retrain_rule(text, bigint, timestamp with time zone, bigint, integer, bigint, integer, integer, timestamp with time zone, bigint)', 'stable', 'safe', false),
    ('_pg_intent_builtin_retrain_due()', 'stable', 'safe', false),
    ('_pg_intent_retrain_mark_decode(bigint)', 'stable', 'safe', false),
    ('_pg_intent_retrain_failure_of(text)', 'stable', 'safe', false),
    ('_pg_intent_retrain_failed_run(timestamp with time zone)', 'stable', 'safe', false),
    ('_pg_intent_retrain_failure_open(text, timestamp with time zone)', 'stable', 'safe', false),
    ('_pg_intent_retrain_backs_off(timestamp with time zone, bigint, integer)', 'stable', 'safe', false),
    ('_pg_intent_busy_reason(text)', 'immutable', 'safe', false),
    ('_pg_intent_retrain_mark_durable()', 'volatile', 'unsafe', false),
    ('_pg_intent_ops_policy()', 'stable', 'safe', false),
    ('_pg_intent_usable_samples(boolean)', 'stable', 'safe', false),
    ('_pg_intent_csv_field(text)', 'immutable', 'safe', false),
    ('_pg_intent_export_max_row_bytes()', 'immutable', 'safe', false),
    ('_pg_intent_export_candidates(integer, boolean, integer)', 'stable', 'safe', false),
    ('_pg_intent_export_rows(integer, boolean, integer)', 'stable', 'safe', false),
    ('_pg_intent_fold(text)', 'stable', 'safe', false),
    ('_pg_intent_glyph(integer, text)', 'immutable', 'safe', false),
    ('_pg_intent_md_num(numeric, integer)', 'stable', 'safe', false),
    ('_pg_intent_md_cell(text, integer)', 'immutable', 'safe', false),
    ('_pg_intent_cue_before_update()', 'volatile', 'unsafe', false),
    ('_pg_intent_cue_before_insert()', 'volatile', 'unsafe', false),
    ('_pg_intent_cue_pristine_seed(text, text, bigint)', 'stable', 'safe', false),
    ('_pg_intent_cue_before_delete()', 'volatile', 'unsafe', false),
    ('_pg_intent_public_functions()', 'stable', 'safe', false),
    ('_pg_intent_access_sets()', 'stable', 'safe', false),
    ('grant_intent_access(regrole, text)', 'volatile', 'unsafe', false),
    ('_pg_intent_apply_privileges(boolean)', 'volatile', 'unsafe', false);
CREATE TEMP VIEW extension_functions AS
SELECT p.oid, format('%s(%s)', p.proname, oidvectortypes(p.proargtypes)) AS signature,
       CASE p.provolatile WHEN 'v' THEN 'volatile' WHEN 's' THEN 'stable' WHEN 'i' THEN 'immutable' END AS volatility,
       CASE p.proparallel WHEN 's' THEN 'safe' WHEN 'r' THEN 'restricted' WHEN 'u' THEN 'unsafe' END AS parallel,
       has_function_privilege('public', p.oid, 'EXECUTE') AS public_execute,
       p.prosecdef, p.proconfig
FROM pg_depend d JOIN pg_proc p ON p.oid = d.objid
WHERE d.classid = 'pg_proc'::regclass AND d.refclassid = 'pg_extension'::regclass AND d.deptype = 'e'
  AND d.refobjid = (SELECT oid FROM pg_extension WHERE extname = 'pg_intent');
CREATE TEMP VIEW extension_relations AS
SELECT c.oid, c.relname::text AS relname, c.relkind::text AS relkind
FROM pg_depend d JOIN pg_class c ON c.oid = d.objid
WHERE d.classid = 'pg_class'::regclass AND d.refclassid = 'pg_extension'::regclass AND d.deptype = 'e'
  AND d.refobjid = (SELECT oid FROM pg_extension WHERE extname = 'pg_intent')
  AND c.relkind IN ('r', 'p', 'v', 'm', 'f');
SELECT set_eq('SELECT signature, volatility FROM extension_functions', 'SELECT signature, volatility FROM expected_functions', 'every extension function is in the contract list with its declared volatility');
SELECT set_eq('SELECT signature, parallel FROM extension_functions', 'SELECT signature, parallel FROM expected_functions', 'every extension function is in the contract list with its declared parallel safety');
SELECT set_eq('SELECT signature, public_execute FROM extension_functions', 'SELECT signature, public_execute FROM expected_functions', 'every extension function is open to PUBLIC, or not, as the contract list says');
SELECT is_empty('SELECT signature FROM extension_functions WHERE obj_description(oid, ''pg_proc'') IS NULL', 'every extension function has a comment');
SELECT set_eq('SELECT signature FROM extension_functions WHERE prosecdef', $$VALUES ('deploy_intent_model(bigint)'), ('rollback_intent_model()'), ('retrain_if_needed(boolean)'), ('_pg_intent_policy()'), ('_pg_intent_row_limits()'), ('_pg_intent_max_unreviewed_rows()'), ('_pg_intent_ops_policy()'), ('_pg_intent_retrain_failure_of(text)'), ('_pg_intent_cue_before_update()'), ('_pg_intent_cue_pristine_seed(text, text, bigint)'), ('_pg_intent_cue_before_delete()'), ('_pg_intent_references_gone()'), ('_pg_intent_refuse_key_change()'), ('_pg_intent_classifier_allows(text, oid, text)'), ('_pg_intent_classifier_for_training(text, oid)'), ('_pg_intent_classifier_retrain_plan()'), ('_pg_intent_classifier_count_plan(text)'), ('_pg_intent_classifier_review_plan(text)'), ('_pg_intent_classifier_source_statement(text, oid, text)'), ('_pg_intent_classifier_partition_check(text, oid)'), ('_pg_intent_classifier_facts(text, oid)'), ('_pg_intent_classifier_alerts(oid)'), ('_pg_intent_retrain_failure()'), ('_pg_intent_classifier_retrain_due(text, bigint, timestamp with time zone, bigint, integer, bigint)'), ('_pg_intent_classifier_retrain_record(text, timestamp with time zone, bigint, text, text, text)'), ('_pg_intent_classifier_retrain_checked(text, timestamp with time zone, bigint)'), ('_pg_intent_classifier_retrain_held(text)'), ('_pg_intent_classifier_retrain_mark(text, timestamp with time zone, boolean)'), ('_pg_intent_classifier_retrain_resume()'), ('_pg_intent_retrain_resume(boolean)'), ('_pg_intent_run_keys_current(uuid)'), ('_pg_intent_source_read_horizon()'), ('_pg_intent_publish_to_nodes()'), ('_pg_intent_reviewed_since(timestamp with time zone, uuid[])')$$, 'exactly the model-management functions, the policy readers, the reader of the retraining back-off, the reader of which rows were reviewed since a time, the cue update and delete triggers, the seed lookup, the triggers that do what foreign keys did between the extension''s tables, the per-classifier privilege rule, the rule whether a run''s recorded keys still name its source''s rows, the horizon of a source''s read (it reads every backend''s xact_start) and the trigger that publishes to Citus nodes are SECURITY DEFINER (train_intent_model switches to the owner itself, after checking its caller)');
SELECT is_empty('SELECT signature FROM extension_functions WHERE prosecdef AND (public_execute OR proconfig[1] IS DISTINCT FROM ''search_path=pg_catalog, pg_temp'')', 'every SECURITY DEFINER function pins search_path to pg_catalog, pg_temp and is closed to PUBLIC (what else one pins is listed below)');
SELECT is_empty($$SELECT signature FROM extension_functions WHERE public_execute AND signature LIKE '\_pg\_intent\_%' AND signature NOT LIKE '\_pg\_intent\_error\_words(%' AND signature NOT IN ('_pg_intent_model_f1(jsonb)', '_pg_intent_builtin_review_rows()')$$, 'no internal function (_pg_intent_*) is executable by PUBLIC but the words of errors (intent_output_error()''s twin, in a schema PostgREST does not serve), a model''s F1 (it reads nothing but its argument; the security invoker view ai_model_registry calls it for any reader) and the built-in classifier''s review rows (read with the caller''s own privileges; the security invoker view ai_review_queue calls it for any reader)');
SELECT is_empty($$SELECT f.signature FROM extension_functions f JOIN pg_proc p ON p.oid = f.oid JOIN pg_language l ON l.oid = p.prolang WHERE l.lanname IN ('sql', 'plpgsql') AND p.prosqlbody IS NULL AND NOT coalesce(f.proconfig @> ARRAY['search_path=pg_catalog, pg_temp'], false)$$, 'every SQL and PL/pgSQL function of the extension pins search_path to pg_catalog, pg_temp (a caller''s search_path cannot redirect what it runs); a SQL-standard body is bound when created instead');
SELECT set_eq($$SELECT f.signature FROM extension_functions f WHERE 'row_security=off' = ANY(f.proconfig)$$, $$SELECT f.signature FROM extension_functions f WHERE f.prosecdef$$,
              'every SECURITY DEFINER function, and no other, pins row_security off (the owner''s code acts on every row or fails with 42501 when a forced policy binds an owner neither superuser nor BYPASSRLS; never on the rows a policy leaves it)');
SELECT set_eq($$SELECT f.signature, array_remove(f.proconfig, 'row_security=off') FROM extension_functions f WHERE cardinality(array_remove(f.proconfig, 'row_security=off')) > 1$$,
              $$VALUES ('_pg_intent_active_model_json()', ARRAY['search_path=pg_catalog, pg_temp', 'extra_float_digits=1']),
                       ('get_classifier_metrics(text, integer)', ARRAY['search_path=pg_catalog, pg_temp', 'extra_float_digits=1']),
                       ('create_classifier_metrics_snapshot(text, text, timestamp with time zone)', ARRAY['search_path=pg_catalog, pg_temp', 'extra_float_digits=1']),
                       ('_pg_intent_report_html(uuid)', ARRAY['search_path=pg_catalog, pg_temp', 'extra_float_digits=1']),
                       ('_pg_intent_classifier_for_training(text, oid)', ARRAY['search_path=pg_catalog, pg_temp', 'extra_float_digits=1']),
                       ('_pg_intent_train_run_record(uuid, timestamp with time zone, text, text, uuid, bigint, bigint, ai_training_policy, jsonb, record)', ARRAY['search_path=pg_catalog, pg_temp', 'extra_float_digits=1', 'plan_cache_mode=force_generic_plan']),
                       ('_pg_intent_train_run_failed(uuid, timestamp with time zone, text, text, ai_training_policy, text, text, text, text, integer, jsonb)', ARRAY['search_path=pg_catalog, pg_temp', 'extra_float_digits=1']),
                       ('_pg_intent_publish_to_nodes()', ARRAY['search_path=pg_catalog, pg_temp', 'plan_cache_mode=force_custom_plan']),
                       ('_pg_intent_zone_trunc(text, text, timestamp with time zone, integer)', ARRAY['search_path=pg_catalog, pg_temp', 'TimeZone=UTC']),
                       ('_pg_intent_policy_check_zone()', ARRAY['search_path=pg_catalog, pg_temp', 'TimeZone=UTC'])$$,
              'the functions that turn floats into jsonb pin extra_float_digits to its default too (a caller''s -15 wrote an F1 of 0.925 as 0.9, and made a classifier''s runs follow a max_f1_regression of 0.0125 as 0.01), the two that read a policy time zone through the TimeZone setting confine it to their call, and the record of a trained run plans generically (a custom plan would decompress and copy the model it is passed as a constant), and the trigger that publishes to Citus nodes plans custom plans whatever its caller set (Citus cannot plan its INSERT from parameters)');
SELECT set_eq($$SELECT f.signature FROM extension_functions f JOIN pg_proc p ON p.oid = f.oid WHERE p.prosqlbody IS NOT NULL$$, $$VALUES ('is_valid_intent_name(text)'), ('normalize_intent_name(text)'), ('is_suspected_label_error(text, text, double precision, double precision)'), ('_pg_intent_export_candidates(integer, boolean, integer)'), ('_pg_intent_export_max_row_bytes()'), ('_pg_intent_model_f1(jsonb)'), ('_pg_intent_builtin_review_rows()'), ('_pg_intent_policy_limit_keys()')$$, 'only the label rule, the label trimming, the label-error rule, the export''s row rule, a model''s F1, the built-in classifier''s review rows and the list of the administrator''s limit keys have a SQL-standard body (no SET clause, so CHECK constraints, the review queue, queries, the export''s warning, the views that read a model''s F1 and the policy''s limits inline them)');
SELECT set_eq('SELECT relname, relkind FROM extension_relations', $$VALUES ('ai_training_data', 'r'), ('ai_classifier_owners', 'v'), ('ai_intent_corrections', 'r'), ('ai_training_runs', 'r'), ('ai_intent_models', 'r'), ('ai_model_deployments', 'r'), ('ai_metrics_snapshots', 'r'), ('ai_prompt_versions', 'r'), ('ai_feedback_cues', 'r'), ('ai_shadow_predictions', 'r'), ('ai_shadow_legacy_messages', 'r'), ('ai_training_policy', 'r'), ('ai_training_run_rows', 'r'), ('ai_review_actions', 'r'), ('ai_classifiers', 'r'), ('ai_classifier_run_rows', 'r'), ('ai_classifier_metrics_snapshots', 'r'), ('ai_classifier_retrain_failures', 'r'), ('ai_classifier_retrain_checks', 'r'), ('ai_classifier_publication', 'r'), ('ai_model_registry', 'v'), ('ai_pending_review', 'v'), ('ai_review_queue', 'v'), ('ai_classification_errors', 'v'), ('ai_intent_performance', 'v'), ('ai_training_run_history', 'v'), ('ai_live_metrics', 'v'), ('ai_metric_alerts', 'v'), ('ai_classifier_alerts', 'v'), ('ai_shadow_agreement', 'v'), ('ai_training_progress', 'v')$$, 'the extension''s tables and views are exactly the contract''s');
SELECT is_empty('SELECT relname FROM extension_relations WHERE obj_description(oid, ''pg_class'') IS NULL', 'every extension table and view has a comment');
SELECT is_empty($$SELECT r.relname FROM extension_relations r JOIN pg_class c ON c.oid = r.oid WHERE r.relkind = 'v' AND NOT coalesce('security_invoker=true' = ANY(c.reloptions), false)$$, 'every extension view is security_invoker (readers need the table privileges; row-level security applies)');

SELECT * FROM finish();
ROLLBACK;
