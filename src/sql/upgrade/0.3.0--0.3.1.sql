-- Migration from 0.3.0 to 0.3.1: what changes tables and their data, and
-- drops the functions and views whose signature or columns change (CREATE
-- OR REPLACE in the code pieces that follow cannot change those). Everything
-- here must leave the database exactly as a fresh 0.3.1 install would be;
-- test/scripts/upgrade.sh and upgrade_020.sh compare the two catalogs.
-- Older databases reach this script through the frozen scripts in sql/
-- (0.1.0 -> 0.2.0 -> 0.2.1 -> 0.2.2 -> 0.3.0).


-- ---------------------------------------------------------------------------
-- Training progress names the classifier and partition
-- ---------------------------------------------------------------------------

-- pg_intent_training_progress() gains two OUT columns: a new signature, so
-- the function and the view over it are dropped and created again here
-- (42_progress.sql). What administrators granted on them (docs/privileges.md:
-- grant_intent_access(role, 'explain') and SELECT on the view) is granted
-- again, as it was.
DO $$
BEGIN
    CREATE TEMPORARY TABLE pg_intent_progress_grants ON COMMIT DROP AS
    SELECT 'FUNCTION' AS kind, a.grantee, a.privilege_type, a.is_grantable
      FROM pg_catalog.pg_proc AS p, pg_catalog.aclexplode(p.proacl) AS a
     WHERE p.oid OPERATOR(pg_catalog.=) '@extschema@.pg_intent_training_progress()'::pg_catalog.regprocedure
       AND a.grantee OPERATOR(pg_catalog.<>) p.proowner
    UNION ALL
    SELECT 'TABLE', a.grantee, a.privilege_type, a.is_grantable
      FROM pg_catalog.pg_class AS c, pg_catalog.aclexplode(c.relacl) AS a
     WHERE c.oid OPERATOR(pg_catalog.=) '@extschema@.ai_training_progress'::pg_catalog.regclass
       AND a.grantee OPERATOR(pg_catalog.<>) c.relowner;
END
$$;
DROP VIEW @extschema@.ai_training_progress;
DROP FUNCTION @extschema@.pg_intent_training_progress();
-- @include src/sql/42_progress.sql
DO $$
DECLARE
    r record;
BEGIN
    -- A new function starts executable by PUBLIC: as in 0.3.0, it is not.
    REVOKE ALL ON FUNCTION @extschema@.pg_intent_training_progress() FROM PUBLIC;
    FOR r IN SELECT * FROM pg_temp.pg_intent_progress_grants LOOP
        EXECUTE pg_catalog.format('GRANT %s ON %s %s TO %s%s', r.privilege_type, r.kind,
                                  CASE r.kind WHEN 'FUNCTION' THEN '@extschema@.pg_intent_training_progress()'
                                              ELSE '@extschema@.ai_training_progress' END,
                                  CASE WHEN r.grantee OPERATOR(pg_catalog.=) 0 THEN 'PUBLIC'
                                       ELSE r.grantee::pg_catalog.regrole::pg_catalog.text END,
                                  CASE WHEN r.is_grantable THEN ' WITH GRANT OPTION' ELSE '' END);
    END LOOP;
    DROP TABLE pg_temp.pg_intent_progress_grants;
END
$$;

-- ---------------------------------------------------------------------------
-- get_classifier_metrics()
-- ---------------------------------------------------------------------------

-- A new function starts executable by PUBLIC; this one is granted with the
-- metrics set (grant_intent_access(role, 'metrics')), as on a fresh install.
-- Closed here, where it is created, so that the end of the update does not
-- report it as a function taken away from PUBLIC.
-- @include src/sql/47_classifier_metrics.sql
REVOKE ALL ON FUNCTION @extschema@.get_classifier_metrics(text, integer) FROM PUBLIC;

-- ---------------------------------------------------------------------------
-- get_classifier_review_queue()
-- ---------------------------------------------------------------------------

-- Granted with the review set; closed here, where it is created (as
-- get_classifier_metrics() above).
-- @include src/sql/48_classifier_review_queue.sql
REVOKE ALL ON FUNCTION @extschema@.get_classifier_review_queue(text, text, integer) FROM PUBLIC;

-- ---------------------------------------------------------------------------
-- Per-classifier metrics snapshots
-- ---------------------------------------------------------------------------

-- @include src/sql/schema/70_classifier_snapshots.sql
-- create_classifier_metrics_snapshot() is granted with the metrics set, as
-- create_metrics_snapshot() is; closed here, where it is created (as
-- get_classifier_metrics() above).
-- @include src/sql/51_snapshots.sql
REVOKE ALL ON FUNCTION @extschema@.create_classifier_metrics_snapshot(text, text, timestamptz) FROM PUBLIC;

-- ---------------------------------------------------------------------------
-- explain_label()
-- ---------------------------------------------------------------------------

-- Granted with the explain set, as explain_intent() is; closed here, where
-- it is created.
-- @include src/sql/21_classifier_predict.sql
REVOKE ALL ON FUNCTION @extschema@.explain_label(text, text, text, integer, text) FROM PUBLIC;
