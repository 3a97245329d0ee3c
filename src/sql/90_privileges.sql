-- Privileges: the one place that says who may use what.
--
-- CREATE EXTENSION and ALTER EXTENSION ... UPDATE end by calling
-- _pg_intent_apply_privileges(), so the extension's objects carry exactly
-- the privileges documented in docs/privileges.md, whatever default
-- privileges the installing role has. Supabase, for one, runs
--   ALTER DEFAULT PRIVILEGES IN SCHEMA public GRANT ALL ON TABLES/FUNCTIONS/SEQUENCES
--     TO anon, authenticated, service_role;
-- so without this step every table (raw chat messages included) and every
-- SECURITY DEFINER function would be open to the anonymous role.

-- The functions PUBLIC may execute. Everything else of the extension is
-- closed to PUBLIC; tables, views and sequences are never granted to anyone
-- by the extension (docs/privileges.md gives the grants for each kind of caller).
--
-- No internal function (_pg_intent_*) is here but _pg_intent_error_words(),
-- which only words an error message and reads nothing,
-- _pg_intent_model_f1(), a model's F1 from the metrics it is passed, which
-- reads nothing and which the view ai_model_registry calls for any reader,
-- and _pg_intent_builtin_review_rows(), which the view ai_review_queue
-- calls for any reader and which reads with its caller's own privileges:
-- PostgREST serves every function a role may execute as an RPC endpoint,
-- and 0.2.0 opened 17 of them to PUBLIC, so that anon called
-- /rpc/_pg_intent_policy and a review helper that skipped the review
-- functions' checks. PostgreSQL checks EXECUTE on a nested call as the
-- current user (an inlined SQL function included), so a SECURITY INVOKER
-- function that calls a helper cannot be open to PUBLIC while the helper is
-- closed: those functions are granted together with the helpers they call,
-- by grant_intent_access() (_pg_intent_access_sets()).
CREATE OR REPLACE FUNCTION intent_internal._pg_intent_public_functions()
RETURNS regprocedure[]
LANGUAGE sql STABLE PARALLEL SAFE
SET search_path = pg_catalog, pg_temp
AS $$
    SELECT ARRAY[
        -- prediction with the active model; the model bytes stay private
        '@extschema@.predict_intent(text)',
        '@extschema@.predict_intent(text, bigint)',
        -- Not evaluate_intent_model(): it runs any read-only query its
        -- caller writes (pg_sleep(), the caller's JWT claims), which on
        -- Supabase would open arbitrary SQL to anon over /rpc. Granted to
        -- the roles that evaluate.
        '@extschema@.classify_intent(text)',
        -- prediction with a named classifier: its predict access is checked
        -- inside (_pg_intent_classifier_allows())
        '@extschema@.predict_label(text, text, text)',
        '@extschema@.classify_label(text, text, text)',
        -- Not explain_intent(): whether an n-gram of any text the caller
        -- makes up is in the vocabulary says whether some training message
        -- contained it (a card number, a password), digit by digit. It is
        -- granted to reviewers, who read the training data anyway.
        '@extschema@.intent_model_info(bytea)',
        '@extschema@.intent_training_options(jsonb)',
        '@extschema@.pg_intent_loaded()',
        -- which language reports and hints are worded in (a session setting)
        '@extschema@.intent_output_language()',
        '@extschema@.intent_output_text(text, text)',
        -- the words of the extension's errors, which functions open to any role raise
        '@extschema@.intent_output_error(text)',
        '@extschema@.intent_output_error(text, "any")',
        -- and the same words for the extension's own code (16_language.sql)
        'intent_internal._pg_intent_error_words(text)',
        'intent_internal._pg_intent_error_words(text, "any")',
        '@extschema@.intent_output_number(numeric, text)',
        -- the label rule; CHECK constraints and generated columns run it as the inserting role
        '@extschema@.is_valid_intent_name(text)',
        '@extschema@.is_suspected_label_error(text, text, double precision, double precision)',
        -- a model's F1 from its metrics (18_model_f1.sql): the security invoker
        -- view ai_model_registry calls it for every reader; it reads nothing
        'intent_internal._pg_intent_model_f1(jsonb)',
        -- the built-in classifier's pending rows with their run's evidence
        -- (33_review_queue.sql): the security invoker view ai_review_queue
        -- and get_classifier_review_queue('intent') call it for any reader;
        -- it runs as its caller and reads only what the caller may SELECT
        'intent_internal._pg_intent_builtin_review_rows()',
        -- how record_interaction() and submit_intent_correction() (below) trim a label
        '@extschema@.normalize_intent_name(text)',
        -- SECURITY INVOKER and calling no internal function: the caller needs
        -- privileges on the tables they touch
        '@extschema@.record_interaction(text, text, integer, text, text, boolean, uuid, uuid, uuid, text, text)',
        '@extschema@.submit_intent_correction(uuid, text, text, boolean, text, uuid)',
        '@extschema@.shadow_predict(text, bigint, uuid)',
        -- named classifiers: each checks the caller against the classifier's
        -- own grants (_pg_intent_classifier_allows()) before anything else
        '@extschema@.train_classifier(text, text, jsonb)',
        '@extschema@.alter_classifier(text, jsonb)',
        '@extschema@.drop_classifier(text, boolean)',
        '@extschema@.grant_classifier_access(text, text, text)',
        '@extschema@.revoke_classifier_access(text, text, text)',
        '@extschema@.deploy_classifier_model(text, bigint)',
        '@extschema@.rollback_classifier(text, text)',
        '@extschema@.prune_classifier_models(text, integer)'
        -- Not reassign_classifier() (0.3.2): it gives a classifier an owner,
        -- an administrator's act for a classifier whose owner is gone; it is
        -- in no set of grant_intent_access() either (superusers and members
        -- of the extension's owner, checked again inside).
    ]::regprocedure[]
$$;
COMMENT ON FUNCTION intent_internal._pg_intent_public_functions() IS
    'Internal: the extension functions that PUBLIC may execute; every other member is closed to PUBLIC.';

-- The sets of functions grant_intent_access() grants: each feature's entry
-- points with the internal functions they (and the views that need them)
-- call as the caller, and two kinds of callers made of features. A set
-- grants functions only: the tables and views a caller reads are granted
-- separately (docs/privileges.md).
CREATE OR REPLACE FUNCTION intent_internal._pg_intent_access_sets()
RETURNS TABLE (access text, functions regprocedure[])
LANGUAGE sql STABLE PARALLEL SAFE
SET search_path = pg_catalog, pg_temp
AS $$
    WITH features (access, functions) AS (VALUES
        ('review', ARRAY[
            '@extschema@.approve_training_sample(uuid, uuid, text)',
            '@extschema@.reject_training_sample(uuid, text, uuid)',
            '@extschema@.approve_training_samples(uuid[], uuid, text)',
            '@extschema@.reject_training_samples(uuid[], text, uuid)',
            'intent_internal._pg_intent_review(uuid[], text, text, uuid)',
            'intent_internal._pg_intent_review_sample(uuid, text, text, uuid)',
            -- a classifier's label-error queue (0.3.1)
            '@extschema@.get_classifier_review_queue(text, text, integer)',
            'intent_internal._pg_intent_classifier_facts(text)',
            'intent_internal._pg_intent_classifier_source_texts(text, text[])',
            'intent_internal._pg_intent_run_keys_current(uuid)',
            'intent_internal._pg_intent_check_partition_key(text)']::regprocedure[]),
        -- also what the views ai_live_metrics, ai_metric_alerts and
        -- ai_classifier_alerts call
        ('metrics', ARRAY[
            '@extschema@.get_ai_training_metrics(integer)',
            '@extschema@.get_classifier_metrics(text, integer)',
            'intent_internal._pg_intent_check_days(integer)',
            'intent_internal._pg_intent_classifier_facts(text)',
            'intent_internal._pg_intent_count_classifier_source(text, timestamptz, timestamptz)',
            'intent_internal._pg_intent_try_count_classifier_source(text, timestamptz, timestamptz)',
            'intent_internal._pg_intent_classifier_due(bigint, timestamptz, bigint, integer)',
            '@extschema@.create_metrics_snapshot(text, timestamptz)',
            '@extschema@.create_classifier_metrics_snapshot(text, text, timestamptz)',
            'intent_internal._pg_intent_snapshot_period(text, timestamptz)',
            'intent_internal._pg_intent_serving_models(text, bigint, timestamptz)',
            'intent_internal._pg_intent_zone_trunc(text, text, timestamptz, integer)',
            '@extschema@.should_retrain()',
            'intent_internal._pg_intent_window_metrics(timestamptz, timestamptz)',
            'intent_internal._pg_intent_active_model_json()',
            'intent_internal._pg_intent_policy()',
            'intent_internal._pg_intent_samples_since_last_train()',
            'intent_internal._pg_intent_last_retraining_run(bigint, text)',
            'intent_internal._pg_intent_samples_since(timestamptz)',
            'intent_internal._pg_intent_reviewed_since(timestamptz, uuid[])',
            'intent_internal._pg_intent_retrain_decision()',
            'intent_internal._pg_intent_retrain_rule(text, bigint, timestamptz, bigint, integer, bigint, integer, integer, timestamptz, bigint)',
            'intent_internal._pg_intent_builtin_retrain_due()',
            'intent_internal._pg_intent_retrain_failure_of(text)',
            'intent_internal._pg_intent_retrain_failure_open(text, timestamptz)',
            'intent_internal._pg_intent_retrain_backs_off(timestamptz, bigint, integer)',
            'intent_internal._pg_intent_ops_policy()',
            'intent_internal._pg_intent_usable_samples(boolean)',
            'intent_internal._pg_intent_training_rows(integer, boolean, integer)',
            'intent_internal._pg_intent_training_keys(integer, boolean, integer)',
            'intent_internal._pg_intent_row_limits()',
            'intent_internal._pg_intent_max_unreviewed_rows()',
            -- the alerts (0.3.2): their shared rules and words, and the
            -- classifiers' rows, read for the caller as the extension owner
            'intent_internal._pg_intent_model_f1_alert_below()',
            'intent_internal._pg_intent_retrain_failure()',
            'intent_internal._pg_intent_alert_message(text, numeric, numeric, timestamptz, text, timestamptz, text)',
            'intent_internal._pg_intent_classifier_alerts()']::regprocedure[]),
        ('export', ARRAY[
            '@extschema@.export_training_dataset(text, integer, boolean, integer)',
            'intent_internal._pg_intent_csv_field(text)',
            'intent_internal._pg_intent_export_rows(integer, boolean, integer)',
            'intent_internal._pg_intent_export_candidates(integer, boolean, integer)',
            'intent_internal._pg_intent_export_max_row_bytes()',
            -- the training dataset as a run reads it
            '@extschema@.get_training_dataset(integer, boolean, integer)',
            'intent_internal._pg_intent_training_rows(integer, boolean, integer)',
            'intent_internal._pg_intent_training_keys(integer, boolean, integer)',
            'intent_internal._pg_intent_row_limits()',
            'intent_internal._pg_intent_max_unreviewed_rows()']::regprocedure[]),
        ('report', ARRAY[
            '@extschema@.training_report(uuid, text)',
            'intent_internal._pg_intent_glyph(integer, text)',
            'intent_internal._pg_intent_md_num(numeric, integer)',
            'intent_internal._pg_intent_md_cell(text, integer)',
            'intent_internal._pg_intent_report_message(jsonb)',
            'intent_internal._pg_intent_html(text, integer)',
            'intent_internal._pg_intent_report_html(uuid)',
            'intent_internal._pg_intent_run_predictions(uuid, boolean)',
            'intent_internal._pg_intent_render_report_html(jsonb, text)']::regprocedure[]),
        ('quality', ARRAY[
            '@extschema@.score_feedback_message(text)',
            '@extschema@.evaluate_interaction(uuid, text)',
            'intent_internal._pg_intent_fold(text)']::regprocedure[]),
        ('explain', ARRAY[
            '@extschema@.explain_intent(text, integer, text, bigint)',
            '@extschema@.explain_label(text, text, text, integer, text)',
            '@extschema@.pg_intent_training_progress()']::regprocedure[]),
        -- the insert trigger of ai_feedback_cues runs its lookup as the
        -- inserting role (pg_restore's included)
        ('cues', ARRAY[
            'intent_internal._pg_intent_cue_pristine_seed(text, text, bigint)']::regprocedure[]),
        ('models', ARRAY[
            '@extschema@.train_intent_model(text, text, jsonb)',
            '@extschema@.deploy_intent_model(bigint)',
            '@extschema@.rollback_intent_model()',
            '@extschema@.retrain_if_needed(boolean)',
            '@extschema@.delete_intent_model(bigint)',
            '@extschema@.retrain_classifiers()']::regprocedure[]),
        -- registering a classifier over a table the role can read, and
        -- evaluating a classifier (0.3.2: its predict access is checked
        -- inside; the query runs as the caller, so not PUBLIC's)
        ('classifiers', ARRAY[
            '@extschema@.create_classifier(text, regclass, name, name, jsonb)',
            '@extschema@.evaluate_label(text, text, text)']::regprocedure[])
    ), kinds (access, parts) AS (VALUES
        ('reviewer', ARRAY['review', 'metrics', 'export', 'report', 'quality', 'explain']),
        ('administrator', ARRAY['review', 'metrics', 'export', 'report', 'quality', 'explain', 'cues', 'models', 'classifiers'])
    )
    SELECT f.access, f.functions FROM features AS f
    UNION ALL
    SELECT k.access, ARRAY(SELECT x FROM features AS f, pg_catalog.unnest(f.functions) WITH ORDINALITY AS u(x, n)
                            WHERE f.access OPERATOR(pg_catalog.=) ANY (k.parts)
                            ORDER BY pg_catalog.array_position(k.parts, f.access), u.n)
      FROM kinds AS k
$$;
COMMENT ON FUNCTION intent_internal._pg_intent_access_sets() IS
    'Internal: the function sets grant_intent_access() grants, by name: features (review, metrics, export, report, quality, explain, cues, models, classifiers) and kinds of callers made of them (reviewer, administrator).';

-- The one way to let a role use a feature whose functions are not open to
-- PUBLIC: grants EXECUTE on the feature's functions and on the internal ones
-- they call. Runs as its caller (the extension owner, or a role holding the
-- privileges WITH GRANT OPTION); closed to PUBLIC.
CREATE OR REPLACE FUNCTION @extschema@.grant_intent_access(p_role regrole, p_access text)
RETURNS SETOF regprocedure
LANGUAGE plpgsql VOLATILE PARALLEL UNSAFE
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    v_functions regprocedure[];
    v_fn regprocedure;
BEGIN
    IF p_role IS NULL THEN
        RAISE EXCEPTION USING MESSAGE = intent_internal._pg_intent_error_words('p_role must not be null'), ERRCODE = 'null_value_not_allowed';
    END IF;
    IF p_access IS NULL THEN
        RAISE EXCEPTION USING MESSAGE = intent_internal._pg_intent_error_words('p_access must not be null'), ERRCODE = 'null_value_not_allowed';
    END IF;
    SELECT s.functions INTO v_functions
      FROM intent_internal._pg_intent_access_sets() AS s
     WHERE s.access OPERATOR(pg_catalog.=) p_access;
    IF NOT FOUND THEN
        RAISE EXCEPTION USING MESSAGE = intent_internal._pg_intent_error_words('invalid value for p_access: "%s"', p_access),
                   ERRCODE = 'invalid_parameter_value',
                  HINT = intent_internal._pg_intent_error_words('Use %s.', (SELECT pg_catalog.string_agg(s.access, ', ') FROM intent_internal._pg_intent_access_sets() AS s));
    END IF;
    FOREACH v_fn IN ARRAY v_functions LOOP
        EXECUTE pg_catalog.format('GRANT EXECUTE ON FUNCTION %s TO %s', v_fn, p_role);
        RETURN NEXT v_fn;
    END LOOP;
END
$$;
COMMENT ON FUNCTION @extschema@.grant_intent_access(regrole, text) IS
    'Grants p_role EXECUTE on a set of functions that are not open to PUBLIC, with the internal functions they call, and returns them: review, metrics (also needed by the views ai_live_metrics, ai_metric_alerts and ai_classifier_alerts), export, report, quality, explain, cues (inserting into ai_feedback_cues), models, or the kinds reviewer (review, metrics, export, report, quality, explain) and administrator (all of them). Tables and views are granted separately. Unknown p_access: 22023.';

-- Brings the ACL of every member of the extension to the documented state.
-- A fresh install revokes every privilege held by a role other than the
-- owner (only default privileges can have put them there), then grants
-- EXECUTE to PUBLIC on the documented functions. An upgrade never widens
-- access: it keeps what administrators granted or revoked on existing
-- objects (a REVOKE of predict_intent from PUBLIC stays, and so does a
-- GRANT to a role that the owner's default privileges also name: the
-- install that created the object had revoked those, so such a grant was
-- made on purpose), closes to PUBLIC the functions that must not be open,
-- and revokes from the objects the upgrade itself creates what the owner's
-- default privileges gave them (in the object's schema or everywhere), each
-- such revocation reported with a WARNING (an extension script runs with
-- client_min_messages = warning) so that an administrator can grant back
-- what was meant. (0.1.0 left default privileges in place, which on
-- Supabase opened model management to the anonymous role; the frozen
-- 0.1.0--0.2.0 script revoked them on every object.) A member the upgrade
-- creates is one that was not a member when its script began (v_before).
CREATE OR REPLACE FUNCTION intent_internal._pg_intent_apply_privileges(p_fresh_install boolean)
RETURNS void
LANGUAGE plpgsql VOLATILE PARALLEL UNSAFE
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    v_public regprocedure[] := intent_internal._pg_intent_public_functions();
    -- the documented functions grant_intent_access() grants
    v_granted regprocedure[] := ARRAY(
        SELECT DISTINCT f FROM intent_internal._pg_intent_access_sets() AS s, pg_catalog.unnest(s.functions) AS f
          JOIN pg_catalog.pg_proc AS p ON p.oid OPERATOR(pg_catalog.=) f::oid
         WHERE NOT pg_catalog.starts_with(p.proname::text, '_pg_intent_'));
    r record;
    -- The members before the update (classid:objid), which the update
    -- script records first (scripts/build-sql.sh); what is not among them
    -- the update created. CREATE OR REPLACE keeps a member's OID.
    v_before text[] := pg_catalog.string_to_array(
        pg_catalog.current_setting('pg_intent_upgrade.members_before', true), ',');
    -- the relations and functions among the members this script created
    v_created_rels oid[];
    v_created_funcs oid[];
BEGIN
    SELECT coalesce(pg_catalog.array_agg(d.objid) FILTER (
                        WHERE d.classid OPERATOR(pg_catalog.=) 'pg_catalog.pg_class'::regclass), '{}'),
           coalesce(pg_catalog.array_agg(d.objid) FILTER (
                        WHERE d.classid OPERATOR(pg_catalog.=) 'pg_catalog.pg_proc'::regclass), '{}')
      INTO v_created_rels, v_created_funcs
      FROM pg_catalog.pg_depend AS d
      JOIN pg_catalog.pg_extension AS e
        ON e.oid OPERATOR(pg_catalog.=) d.refobjid AND e.extname OPERATOR(pg_catalog.=) 'pg_intent'
     WHERE d.deptype OPERATOR(pg_catalog.=) 'e'
       AND NOT (d.classid::pg_catalog.text OPERATOR(pg_catalog.||) ':' OPERATOR(pg_catalog.||) d.objid::pg_catalog.text) OPERATOR(pg_catalog.=) ANY (coalesce(v_before, '{}'));

    FOR r IN
        WITH members AS (
            SELECT c.oid, 'pg_class'::regclass AS classid, c.relowner AS owner, c.relnamespace AS nsp,
                   CASE WHEN c.relkind = 'S' THEN 'SEQUENCE' ELSE 'TABLE' END AS kind,
                   CASE WHEN c.relkind = 'S' THEN 'S' ELSE 'r' END AS defacl_type,
                   pg_catalog.format('%s', c.oid::regclass) AS name,
                   pg_catalog.aclexplode(coalesce(c.relacl, pg_catalog.acldefault(
                       CASE WHEN c.relkind = 'S' THEN 's' ELSE 'r' END::"char", c.relowner))) AS acl,
                   c.oid OPERATOR(pg_catalog.=) ANY (v_created_rels) AS created_here
              FROM pg_catalog.pg_class AS c
              JOIN pg_catalog.pg_depend AS d
                ON d.classid = 'pg_catalog.pg_class'::regclass AND d.objid = c.oid AND d.deptype = 'e'
              JOIN pg_catalog.pg_extension AS e
                ON e.oid = d.refobjid AND e.extname = 'pg_intent'
            UNION ALL
            SELECT p.oid, 'pg_proc'::regclass, p.proowner, p.pronamespace, 'FUNCTION', 'f',
                   pg_catalog.format('%s', p.oid::regprocedure),
                   pg_catalog.aclexplode(coalesce(p.proacl, pg_catalog.acldefault('f', p.proowner))),
                   p.oid OPERATOR(pg_catalog.=) ANY (v_created_funcs)
              FROM pg_catalog.pg_proc AS p
              JOIN pg_catalog.pg_depend AS d
                ON d.classid = 'pg_catalog.pg_proc'::regclass AND d.objid = p.oid AND d.deptype = 'e'
              JOIN pg_catalog.pg_extension AS e
                ON e.oid = d.refobjid AND e.extname = 'pg_intent'
        ), defaults AS (
            -- grantees that the owner's default privileges add to new objects
            SELECT a.defaclrole, a.defaclnamespace, a.defaclobjtype, (pg_catalog.aclexplode(a.defaclacl)).grantee
              FROM pg_catalog.pg_default_acl AS a
        )
        SELECT DISTINCT m.kind, m.name, (m.acl).grantee AS grantee, m.classid, m.oid, m.created_here
          FROM members AS m
         WHERE (m.acl).grantee OPERATOR(pg_catalog.<>) m.owner
           AND (p_fresh_install
                OR ((m.acl).grantee OPERATOR(pg_catalog.=) 0
                    AND NOT (m.classid OPERATOR(pg_catalog.=) 'pg_catalog.pg_proc'::regclass
                             AND m.oid OPERATOR(pg_catalog.=) ANY (v_public::oid[])))
                OR m.created_here AND EXISTS (SELECT 1 FROM defaults AS f
                            WHERE f.defaclrole OPERATOR(pg_catalog.=) m.owner
                              AND f.defaclnamespace OPERATOR(pg_catalog.=) ANY (ARRAY[0::oid, m.nsp])
                              AND f.defaclobjtype OPERATOR(pg_catalog.=) m.defacl_type::"char"
                              AND f.grantee OPERATOR(pg_catalog.=) (m.acl).grantee))
         ORDER BY 1, 2, 3
    LOOP
        IF NOT p_fresh_install AND r.grantee OPERATOR(pg_catalog.<>) 0 THEN
            RAISE WARNING 'pg_intent: revoking the privileges default privileges gave % on % %',
                r.grantee::regrole, pg_catalog.lower(r.kind), r.name
                USING HINT = intent_internal._pg_intent_error_words('Grant back what the role needs; docs/privileges.md lists what each kind of caller needs.');
        ELSIF NOT p_fresh_install AND NOT r.created_here
              AND r.classid OPERATOR(pg_catalog.=) 'pg_catalog.pg_proc'::regclass
              AND r.oid OPERATOR(pg_catalog.=) ANY (v_granted::oid[]) THEN
            -- a documented function that 0.2.0 opened to PUBLIC (0.2.1
            -- grants it with the internal functions it calls)
            RAISE WARNING 'pg_intent: % is no longer executable by PUBLIC', r.name
                USING HINT = intent_internal._pg_intent_error_words('Grant it to the roles that use it with grant_intent_access(); see docs/privileges.md.');
        END IF;
        EXECUTE pg_catalog.format('REVOKE ALL ON %s %s FROM %s', r.kind, r.name,
                                  CASE WHEN r.grantee OPERATOR(pg_catalog.=) 0 THEN 'PUBLIC'
                                       ELSE r.grantee::regrole::text END);
    END LOOP;

    -- The functions open to PUBLIC are open to it after a fresh install, and
    -- after an upgrade those the upgrade created (what it found, it keeps as
    -- it was). An upgrade's loop above revoked from them whatever global
    -- default privileges gave, PUBLIC among them (a global entry holds
    -- PUBLIC), and without this grant 0.3.2's new public functions stayed
    -- closed: intent_output_error(), through which every PUBLIC function
    -- raises its errors, and prune_classifier_models() (an audit: on an
    -- upgraded database under Supabase's default privileges, shadow_predict()
    -- failed with "permission denied for function intent_output_error").
    FOR r IN SELECT f AS fn FROM pg_catalog.unnest(v_public) AS f
              WHERE p_fresh_install OR f::oid OPERATOR(pg_catalog.=) ANY (v_created_funcs)
    LOOP
        EXECUTE pg_catalog.format('GRANT EXECUTE ON FUNCTION %s TO PUBLIC', r.fn);
    END LOOP;
    IF p_fresh_install THEN
        RETURN;
    END IF;

    -- An upgrade keeps every set whole for the roles it was granted to: a
    -- role that may execute every documented function the set held before
    -- the upgrade gets the functions the set now holds besides (0.3.2's
    -- get_classifier_metrics() counts the source through a new helper, and
    -- the classifiers set gains evaluate_label()), and an internal function
    -- that no set holds any more is the owner's only (0.3.1's metrics set
    -- granted _pg_intent_classifier_count_plan(), whose statement names the
    -- source). Holding one documented function of a set is not holding the
    -- set: reviewer and administrator hold every other set, so a role
    -- granted explain alone would otherwise receive every set's internal
    -- functions.
    FOR r IN
        WITH set_functions AS (
            SELECT s.access, f AS fn, p.proowner, p.proacl,
                   NOT pg_catalog.starts_with(p.proname::text, '_pg_intent_') AS documented,
                   p.oid OPERATOR(pg_catalog.=) ANY (v_created_funcs) AS created_here
              FROM intent_internal._pg_intent_access_sets() AS s
             CROSS JOIN LATERAL pg_catalog.unnest(s.functions) AS f
              JOIN pg_catalog.pg_proc AS p ON p.oid OPERATOR(pg_catalog.=) f::oid
        ), before AS (
            SELECT t.access, t.fn, t.proowner, t.proacl FROM set_functions AS t
             WHERE t.documented AND NOT t.created_here
        ), holders AS (
            SELECT b.access, a.grantee
              FROM before AS b CROSS JOIN LATERAL pg_catalog.aclexplode(b.proacl) AS a
             WHERE a.grantee OPERATOR(pg_catalog.<>) 0 AND a.grantee OPERATOR(pg_catalog.<>) b.proowner
             GROUP BY b.access, a.grantee
            HAVING pg_catalog.count(DISTINCT b.fn) OPERATOR(pg_catalog.=)
                   (SELECT pg_catalog.count(*) FROM before AS o WHERE o.access OPERATOR(pg_catalog.=) b.access)
        )
        SELECT DISTINCT t.fn, h.grantee
          FROM set_functions AS t
          JOIN holders AS h ON h.access OPERATOR(pg_catalog.=) t.access
         WHERE h.grantee OPERATOR(pg_catalog.<>) t.proowner
           AND NOT pg_catalog.has_function_privilege(h.grantee, t.fn::oid, 'EXECUTE')
         ORDER BY 1, 2
    LOOP
        EXECUTE pg_catalog.format('GRANT EXECUTE ON FUNCTION %s TO %s', r.fn, r.grantee::regrole);
    END LOOP;
    FOR r IN
        SELECT DISTINCT p.oid::regprocedure AS fn, (pg_catalog.aclexplode(p.proacl)).grantee
          FROM pg_catalog.pg_proc AS p
          JOIN pg_catalog.pg_depend AS d
            ON d.classid = 'pg_catalog.pg_proc'::regclass AND d.objid = p.oid AND d.deptype = 'e'
          JOIN pg_catalog.pg_extension AS e ON e.oid = d.refobjid AND e.extname = 'pg_intent'
         WHERE pg_catalog.starts_with(p.proname::text, '_pg_intent_')
           AND NOT EXISTS (SELECT FROM intent_internal._pg_intent_access_sets() AS s
                            WHERE p.oid OPERATOR(pg_catalog.=) ANY (s.functions::oid[]))
         ORDER BY 1, 2
    LOOP
        CONTINUE WHEN r.grantee OPERATOR(pg_catalog.=) 0
                   OR r.grantee OPERATOR(pg_catalog.=) (SELECT p.proowner FROM pg_catalog.pg_proc AS p
                                                         WHERE p.oid OPERATOR(pg_catalog.=) r.fn::oid);
        EXECUTE pg_catalog.format('REVOKE ALL ON FUNCTION %s FROM %s', r.fn, r.grantee::regrole);
    END LOOP;

    -- pg_dump writes what differs between a member's ACL and its initial
    -- privileges (pg_init_privs), and a restore applies that to what CREATE
    -- EXTENSION gives. But a GRANT or REVOKE that an extension script runs
    -- records the member's whole ACL as its initial privileges, grants made
    -- by users included: after an update, pg_dump left those out, and a
    -- restore lost them (a role granted the metrics set could no longer read
    -- get_classifier_metrics()). So an update ends with the initial
    -- privileges a fresh install records: the owner's; EXECUTE for PUBLIC on
    -- the functions open to it; USAGE for PUBLIC on intent_internal; none
    -- per column. The catalog is written as the superuser an update of this
    -- extension (not trusted) runs as; without that right it stays as
    -- PostgreSQL recorded it. From PostgreSQL 17 pg_shdepend also records
    -- each role other than the owner that an initial ACL names (deptype
    -- 'i'); a fresh install's name none, so those rows go too: left, they
    -- kept a role that had been granted a set from being dropped, even
    -- after DROP OWNED BY (which clears only roles the initial ACL names).
    IF pg_catalog.has_table_privilege('pg_catalog.pg_init_privs', 'INSERT, UPDATE, DELETE')
       AND pg_catalog.has_table_privilege('pg_catalog.pg_shdepend', 'DELETE') THEN
        DELETE FROM pg_catalog.pg_shdepend AS sd
         USING pg_catalog.pg_depend AS d, pg_catalog.pg_extension AS e
         WHERE e.extname OPERATOR(pg_catalog.=) 'pg_intent' AND d.refobjid OPERATOR(pg_catalog.=) e.oid
           AND d.deptype OPERATOR(pg_catalog.=) 'e'
           AND sd.dbid OPERATOR(pg_catalog.=) (SELECT db.oid FROM pg_catalog.pg_database AS db
                                                WHERE db.datname OPERATOR(pg_catalog.=) pg_catalog.current_database())
           AND sd.classid OPERATOR(pg_catalog.=) d.classid AND sd.objid OPERATOR(pg_catalog.=) d.objid
           AND sd.deptype OPERATOR(pg_catalog.=) 'i';
        FOR r IN
            SELECT d.classid, d.objid,
                   CASE WHEN d.classid OPERATOR(pg_catalog.=) 'pg_catalog.pg_proc'::regclass THEN
                            (SELECT CASE WHEN p.oid OPERATOR(pg_catalog.=) ANY (v_public::oid[])
                                         THEN pg_catalog.acldefault('f', p.proowner)
                                         ELSE ARRAY[pg_catalog.makeaclitem(p.proowner, p.proowner, 'EXECUTE', false)] END
                               FROM pg_catalog.pg_proc AS p WHERE p.oid OPERATOR(pg_catalog.=) d.objid)
                        WHEN d.classid OPERATOR(pg_catalog.=) 'pg_catalog.pg_class'::regclass THEN
                            (SELECT pg_catalog.acldefault(CASE WHEN c.relkind OPERATOR(pg_catalog.=) 'S' THEN 's' ELSE 'r' END::"char",
                                                          c.relowner)
                               FROM pg_catalog.pg_class AS c WHERE c.oid OPERATOR(pg_catalog.=) d.objid)
                        ELSE
                            (SELECT pg_catalog.acldefault('n', n.nspowner)
                                    OPERATOR(pg_catalog.||) pg_catalog.makeaclitem(0, n.nspowner, 'USAGE', false)
                               FROM pg_catalog.pg_namespace AS n WHERE n.oid OPERATOR(pg_catalog.=) d.objid)
                   END AS initprivs
              FROM pg_catalog.pg_depend AS d
              JOIN pg_catalog.pg_extension AS e
                ON e.oid OPERATOR(pg_catalog.=) d.refobjid AND e.extname OPERATOR(pg_catalog.=) 'pg_intent'
             WHERE d.deptype OPERATOR(pg_catalog.=) 'e'
               AND d.classid OPERATOR(pg_catalog.=) ANY (ARRAY['pg_catalog.pg_proc'::regclass, 'pg_catalog.pg_class'::regclass,
                                                              'pg_catalog.pg_namespace'::regclass]::oid[])
        LOOP
            DELETE FROM pg_catalog.pg_init_privs AS ip
             WHERE ip.classoid OPERATOR(pg_catalog.=) r.classid AND ip.objoid OPERATOR(pg_catalog.=) r.objid
               AND ip.objsubid OPERATOR(pg_catalog.<>) 0 AND ip.privtype OPERATOR(pg_catalog.=) 'e';
            UPDATE pg_catalog.pg_init_privs AS ip SET initprivs = r.initprivs
             WHERE ip.classoid OPERATOR(pg_catalog.=) r.classid AND ip.objoid OPERATOR(pg_catalog.=) r.objid
               AND ip.objsubid OPERATOR(pg_catalog.=) 0 AND ip.privtype OPERATOR(pg_catalog.=) 'e';
            -- (a member without a row has PostgreSQL's default as its
            -- initial privileges: a function closed to PUBLIC needs one)
            IF NOT FOUND AND r.classid OPERATOR(pg_catalog.<>) 'pg_catalog.pg_class'::regclass
               AND NOT EXISTS (SELECT FROM pg_catalog.pg_init_privs AS ip
                                WHERE ip.classoid OPERATOR(pg_catalog.=) r.classid
                                  AND ip.objoid OPERATOR(pg_catalog.=) r.objid
                                  AND ip.objsubid OPERATOR(pg_catalog.=) 0) THEN
                INSERT INTO pg_catalog.pg_init_privs (objoid, classoid, objsubid, privtype, initprivs)
                VALUES (r.objid, r.classid, 0, 'e', r.initprivs);
            END IF;
        END LOOP;
    END IF;
END
$$;
COMMENT ON FUNCTION intent_internal._pg_intent_apply_privileges(boolean) IS
    'Internal: sets the privileges of every extension object to the documented ones (called at the end of CREATE EXTENSION and of every upgrade).';
