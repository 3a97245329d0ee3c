-- The extension's machinery has a schema of its own, as pg_cron's (cron)
-- and Citus's (citus_internal): every internal function (_pg_intent_*)
-- lives in intent_internal, so the schema the user installs into holds the
-- contract (the documented functions, the tables, the views) and nothing a
-- caller is not meant to call. PostgREST serves the schemas it is told to
-- (Supabase: public), so the internal functions are no longer in its schema
-- cache. Only the extension owner may create objects in it (it resolves the
-- internal functions by their qualified names); PUBLIC may use it, since an
-- internal function a role was granted (grant_intent_access()) is called by
-- name from functions that run as that role. _pg_intent_apply_privileges()
-- sets exactly those privileges, whatever default privileges added.
CREATE SCHEMA intent_internal;
COMMENT ON SCHEMA intent_internal IS
    'pg_intent''s internal functions (_pg_intent_*): not an API; the documented functions, tables and views are in the schema the extension was created in.';
-- Its privileges are set here, where it is created (a fresh install, or the
-- upgrade to 0.3.2): what the owner's default privileges gave anyone else
-- goes, and PUBLIC gets USAGE only. Later upgrades keep what an
-- administrator changed, as for every other object.
DO $internal_schema_acl$
DECLARE
    r record;
BEGIN
    FOR r IN
        SELECT DISTINCT a.grantee
          FROM pg_catalog.pg_namespace AS n,
               pg_catalog.aclexplode(coalesce(n.nspacl, pg_catalog.acldefault('n', n.nspowner))) AS a
         WHERE n.nspname OPERATOR(pg_catalog.=) 'intent_internal'
           AND a.grantee OPERATOR(pg_catalog.<>) n.nspowner
         ORDER BY 1
    LOOP
        EXECUTE pg_catalog.format('REVOKE ALL ON SCHEMA intent_internal FROM %s',
                                  CASE WHEN r.grantee OPERATOR(pg_catalog.=) 0 THEN 'PUBLIC'
                                       ELSE r.grantee::pg_catalog.regrole::text END);
    END LOOP;
END
$internal_schema_acl$;
GRANT USAGE ON SCHEMA intent_internal TO PUBLIC;
