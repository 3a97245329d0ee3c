-- Migration from 0.2.0 to 0.2.1: what changes tables and their data, and
-- drops the functions and views whose signature or columns change (CREATE
-- OR REPLACE in the code pieces that follow cannot change those). Everything
-- here must leave the database exactly as a fresh 0.2.1 install would be;
-- test/scripts/upgrade.sh compares the two catalogs. 0.1.0 databases reach
-- this script through the frozen sql/pg_intent--0.1.0--0.2.0.sql.

-- -------------------------------------------------------------------------
-- Audit: who acted and when is stamped by the server; evaluate_intent_model
-- closed to PUBLIC
-- -------------------------------------------------------------------------
-- Who made a correction (the JWT subject or the session user). Existing
-- corrections keep NULL: who made them was never recorded. The default is
-- set after the column exists, so it does not fill the old rows with the
-- upgrading role.
ALTER TABLE @extschema@.ai_intent_corrections ADD COLUMN recorded_by text;
ALTER TABLE @extschema@.ai_intent_corrections ALTER COLUMN recorded_by SET DEFAULT session_user;
COMMENT ON COLUMN @extschema@.ai_intent_corrections.corrected_by IS
    'Reviewer in the application (no foreign key): the JWT subject under PostgREST, else the p_corrector_id the caller passed. Set by the server for every role but the owner.';
COMMENT ON COLUMN @extschema@.ai_intent_corrections.created_at IS
    'When the correction was made: now() of its transaction, set by the server for every role but the owner.';
COMMENT ON COLUMN @extschema@.ai_intent_corrections.recorded_by IS
    'Who made the correction: the JWT subject (or role) under PostgREST, else the session user. Set by the server for every role but the owner; NULL for corrections made before 0.2.1.';
COMMENT ON COLUMN @extschema@.ai_model_deployments.deployed_by IS
    'Who made the deployment: the JWT subject (or role) under PostgREST, else the session user (before 0.2.1: the session user).';
COMMENT ON COLUMN @extschema@.ai_review_actions.reviewer_id IS
    'Reviewer in the application (no foreign key): the JWT subject under PostgREST, else the p_reviewer_id the caller passed. Set by the server for every role but the owner.';
COMMENT ON COLUMN @extschema@.ai_review_actions.reviewed_by IS
    'Who made the call: the JWT subject (or role) under PostgREST, else the session user. Set by the server for every role but the owner (before 0.2.1: the session user, as the caller could override).';
COMMENT ON COLUMN @extschema@.ai_training_policy.updated_by IS
    'Who last changed the policy: the JWT subject (or role) under PostgREST, else the session user.';

-- evaluate_intent_model() runs any read-only query its caller writes: open
-- to PUBLIC, it let Supabase's anon run pg_sleep() and read its JWT claims
-- over /rpc. 0.2.1 no longer grants it to PUBLIC; the privilege step below
-- revokes PUBLIC's EXECUTE (it is not in _pg_intent_public_functions()),
-- and this says so, so that an administrator can grant it to the roles
-- that evaluate (README.md, "Privileges").
DO $$
BEGIN
    IF EXISTS (SELECT 1
                 FROM pg_catalog.pg_proc AS p,
                      LATERAL pg_catalog.aclexplode(coalesce(p.proacl, pg_catalog.acldefault('f', p.proowner))) AS a
                WHERE p.oid OPERATOR(pg_catalog.=) '@extschema@.evaluate_intent_model(bigint, text)'::regprocedure
                  AND a.grantee OPERATOR(pg_catalog.=) 0) THEN
        RAISE WARNING 'pg_intent: revoking EXECUTE on function @extschema@.evaluate_intent_model(bigint, text) from PUBLIC'
            USING DETAIL = 'It runs any read-only query its caller writes; every role could run one.',
                  HINT = 'Grant it to the roles that evaluate models; README.md, "Privileges", lists what each kind of caller needs.';
    END IF;
END
$$;
