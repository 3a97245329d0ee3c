-- Privileges: the one place that says who may use what.
--
-- CREATE EXTENSION and ALTER EXTENSION ... UPDATE end by calling
-- _pg_intent_apply_privileges(), so the extension's objects carry exactly
-- the privileges documented in the README ("Privileges"), whatever default
-- privileges the installing role has. Supabase, for one, runs
--   ALTER DEFAULT PRIVILEGES IN SCHEMA public GRANT ALL ON TABLES/FUNCTIONS/SEQUENCES
--     TO anon, authenticated, service_role;
-- so without this step every table (raw chat messages included) and every
-- SECURITY DEFINER function would be open to the anonymous role.

-- The functions PUBLIC may execute. Everything else of the extension is
-- closed to PUBLIC; tables, views and sequences are never granted to anyone
-- by the extension (the README gives the grants for each kind of caller).
CREATE OR REPLACE FUNCTION @extschema@._pg_intent_public_functions()
RETURNS regprocedure[]
LANGUAGE sql STABLE PARALLEL SAFE
SET search_path = pg_catalog, pg_temp
AS $$
    SELECT ARRAY[
        -- prediction with the active model; the model bytes stay private
        '@extschema@.predict_intent(text)',
        '@extschema@.predict_intent(text, bigint)',
        -- runs the caller's own query with the caller's rights, read-only
        '@extschema@.evaluate_intent_model(bigint, text)',
        '@extschema@.classify_intent(text)',
        -- Not explain_intent(): whether an n-gram of any text the caller
        -- makes up is in the vocabulary says whether some training message
        -- contained it (a card number, a password), digit by digit. It is
        -- granted to reviewers, who read the training data anyway.
        '@extschema@.intent_model_info(bytea)',
        '@extschema@.intent_training_options(jsonb)',
        '@extschema@.pg_intent_loaded()',
        -- the label rule; CHECK constraints and generated columns run it as the inserting role
        '@extschema@.is_valid_intent_name(text)',
        -- SECURITY INVOKER: the caller needs privileges on the tables they read
        '@extschema@.record_interaction(text, text, integer, text, text, boolean, uuid, uuid, uuid, text, text)',
        '@extschema@.submit_intent_correction(uuid, text, text, boolean, text, uuid)',
        '@extschema@.get_training_dataset(integer, boolean, integer)',
        '@extschema@.get_ai_training_metrics(integer)',
        '@extschema@.create_metrics_snapshot(text, timestamptz)',
        '@extschema@.should_retrain()',
        '@extschema@.export_training_dataset(text, integer, boolean, integer)',
        '@extschema@.score_feedback_message(text)',
        '@extschema@.evaluate_interaction(uuid, text)',
        '@extschema@.training_report(uuid, text)',
        '@extschema@.shadow_predict(text, bigint, uuid)',
        '@extschema@.approve_training_sample(uuid, uuid, text)',
        '@extschema@.reject_training_sample(uuid, text, uuid)',
        '@extschema@.approve_training_samples(uuid[], uuid, text)',
        '@extschema@.reject_training_samples(uuid[], text, uuid)',
        -- helpers that the invoker functions and views above call as the caller
        '@extschema@._pg_intent_window_metrics(timestamptz, timestamptz)',
        '@extschema@._pg_intent_active_model_json()',
        '@extschema@._pg_intent_policy()',
        -- the cue insert trigger's lookup, run as any role that inserts cues
        '@extschema@._pg_intent_cue_pristine_seed(text, text, bigint)',
        '@extschema@._pg_intent_samples_since_last_train()',
        '@extschema@._pg_intent_usable_samples(boolean)',
        '@extschema@._pg_intent_training_rows(integer, boolean, integer)',
        '@extschema@._pg_intent_row_limits()',
        '@extschema@._pg_intent_csv_field(text)',
        '@extschema@._pg_intent_export_rows(integer, boolean, integer)',
        '@extschema@._pg_intent_fold(text)',
        '@extschema@._pg_intent_glyph(integer, text)',
        '@extschema@._pg_intent_md_num(numeric, integer)',
        '@extschema@._pg_intent_md_cell(text, integer)',
        '@extschema@._pg_intent_report_message(jsonb)',
        '@extschema@._pg_intent_html(text, integer)',
        '@extschema@._pg_intent_report_html(uuid)',
        '@extschema@._pg_intent_review(uuid[], text, text, uuid)',
        '@extschema@._pg_intent_review_checked(uuid[], text, text, uuid)'
    ]::regprocedure[]
$$;
COMMENT ON FUNCTION @extschema@._pg_intent_public_functions() IS
    'Internal: the extension functions that PUBLIC may execute; every other member is closed to PUBLIC.';

-- Brings the ACL of every member of the extension to the documented state.
-- A fresh install revokes every privilege held by a role other than the
-- owner (only default privileges can have put them there), then grants
-- EXECUTE to PUBLIC on the documented functions. An upgrade never widens
-- access: it keeps what administrators granted or revoked on existing
-- objects (a REVOKE of predict_intent from PUBLIC stays), grants nothing
-- (a function the upgrade creates starts with PostgreSQL's default, EXECUTE
-- for PUBLIC), closes to PUBLIC the functions that must not be open, and
-- revokes what the owner's default privileges grant (in the object's schema
-- or everywhere):
-- 0.1.0 left those in place, which on Supabase opened model management to
-- the anonymous role. Each such revocation is reported with a WARNING (an
-- extension script runs with client_min_messages = warning) so that an
-- administrator can grant back what was meant.
CREATE OR REPLACE FUNCTION @extschema@._pg_intent_apply_privileges(p_fresh_install boolean)
RETURNS void
LANGUAGE plpgsql VOLATILE PARALLEL UNSAFE
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    v_public regprocedure[] := @extschema@._pg_intent_public_functions();
    r record;
BEGIN
    FOR r IN
        WITH members AS (
            SELECT c.oid, 'pg_class'::regclass AS classid, c.relowner AS owner, c.relnamespace AS nsp,
                   CASE WHEN c.relkind = 'S' THEN 'SEQUENCE' ELSE 'TABLE' END AS kind,
                   CASE WHEN c.relkind = 'S' THEN 'S' ELSE 'r' END AS defacl_type,
                   pg_catalog.format('%s', c.oid::regclass) AS name,
                   pg_catalog.aclexplode(coalesce(c.relacl, pg_catalog.acldefault(
                       CASE WHEN c.relkind = 'S' THEN 's' ELSE 'r' END::"char", c.relowner))) AS acl
              FROM pg_catalog.pg_class AS c
              JOIN pg_catalog.pg_depend AS d
                ON d.classid = 'pg_catalog.pg_class'::regclass AND d.objid = c.oid AND d.deptype = 'e'
              JOIN pg_catalog.pg_extension AS e
                ON e.oid = d.refobjid AND e.extname = 'pg_intent'
            UNION ALL
            SELECT p.oid, 'pg_proc'::regclass, p.proowner, p.pronamespace, 'FUNCTION', 'f',
                   pg_catalog.format('%s', p.oid::regprocedure),
                   pg_catalog.aclexplode(coalesce(p.proacl, pg_catalog.acldefault('f', p.proowner)))
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
        SELECT DISTINCT m.kind, m.name, (m.acl).grantee AS grantee
          FROM members AS m
         WHERE (m.acl).grantee OPERATOR(pg_catalog.<>) m.owner
           AND (p_fresh_install
                OR ((m.acl).grantee OPERATOR(pg_catalog.=) 0
                    AND NOT (m.classid OPERATOR(pg_catalog.=) 'pg_catalog.pg_proc'::regclass
                             AND m.oid OPERATOR(pg_catalog.=) ANY (v_public::oid[])))
                OR EXISTS (SELECT 1 FROM defaults AS f
                            WHERE f.defaclrole OPERATOR(pg_catalog.=) m.owner
                              AND f.defaclnamespace OPERATOR(pg_catalog.=) ANY (ARRAY[0::oid, m.nsp])
                              AND f.defaclobjtype OPERATOR(pg_catalog.=) m.defacl_type::"char"
                              AND f.grantee OPERATOR(pg_catalog.=) (m.acl).grantee))
         ORDER BY 1, 2, 3
    LOOP
        IF NOT p_fresh_install AND r.grantee OPERATOR(pg_catalog.<>) 0 THEN
            RAISE WARNING 'pg_intent: revoking the privileges default privileges gave % on % %',
                r.grantee::regrole, pg_catalog.lower(r.kind), r.name
                USING HINT = 'Grant back what the role needs; README.md, "Privileges", lists what each kind of caller needs.';
        END IF;
        EXECUTE pg_catalog.format('REVOKE ALL ON %s %s FROM %s', r.kind, r.name,
                                  CASE WHEN r.grantee OPERATOR(pg_catalog.=) 0 THEN 'PUBLIC'
                                       ELSE r.grantee::regrole::text END);
    END LOOP;

    IF p_fresh_install THEN
        FOR r IN SELECT f AS fn FROM pg_catalog.unnest(v_public) AS f LOOP
            EXECUTE pg_catalog.format('GRANT EXECUTE ON FUNCTION %s TO PUBLIC', r.fn);
        END LOOP;
    END IF;
END
$$;
COMMENT ON FUNCTION @extschema@._pg_intent_apply_privileges(boolean) IS
    'Internal: sets the privileges of every extension object to the documented ones (called at the end of CREATE EXTENSION and of every upgrade).';
