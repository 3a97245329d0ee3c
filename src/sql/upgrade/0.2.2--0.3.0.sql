-- Migration from 0.2.2 to 0.3.0: what changes tables and their data, and
-- drops the functions and views whose signature or columns change (CREATE
-- OR REPLACE in the code pieces that follow cannot change those). Everything
-- here must leave the database exactly as a fresh 0.3.0 install would be;
-- test/scripts/upgrade.sh and upgrade_020.sh compare the two catalogs.
-- Older databases reach this script through the frozen scripts in sql/
-- (0.1.0 -> 0.2.0 -> 0.2.1 -> 0.2.2).


-- ---------------------------------------------------------------------------
-- The training line
-- ---------------------------------------------------------------------------


-- ---------------------------------------------------------------------------
-- Classifiers
-- ---------------------------------------------------------------------------

-- The training run's worker and C step take the classifier and partition
-- (and the C step returns the rows' keys): new signatures.
DROP FUNCTION @extschema@._pg_intent_train_run(text, text, jsonb);
DROP FUNCTION @extschema@._pg_intent_train_table(uuid, jsonb, @extschema@.ai_training_policy, bigint, uuid, double precision);

-- One active model per classifier and partition: the 0.2.2 index allowed
-- one in all; 60_classifiers.sql creates both indexes again.
DROP INDEX @extschema@.ai_intent_models_one_active_idx;
-- @include src/sql/schema/60_classifiers.sql

-- Roles that read some columns of ai_intent_models, ai_training_runs or
-- ai_model_deployments (docs/privileges.md grants reviewers every column
-- of ai_intent_models but the model bytes) read the new classifier and
-- partition_key columns too: the views and functions they use now filter on
-- them (the built-in classifier's rows only), and would otherwise fail for
-- them after the update.
DO $$
DECLARE
    r record;
BEGIN
    FOR r IN
        SELECT DISTINCT c.relname, a.grantee
          FROM pg_catalog.pg_class AS c
          JOIN pg_catalog.pg_attribute AS att ON att.attrelid OPERATOR(pg_catalog.=) c.oid
         CROSS JOIN LATERAL pg_catalog.aclexplode(att.attacl) AS a
         WHERE c.relnamespace OPERATOR(pg_catalog.=) '@extschema@'::regnamespace
           AND c.relname OPERATOR(pg_catalog.=) ANY (ARRAY['ai_intent_models', 'ai_training_runs', 'ai_model_deployments']::name[])
           AND att.attname OPERATOR(pg_catalog.=) 'id' AND a.privilege_type OPERATOR(pg_catalog.=) 'SELECT'
    LOOP
        EXECUTE pg_catalog.format('GRANT SELECT (classifier, partition_key) ON @extschema@.%I TO %s', r.relname,
                                  CASE WHEN r.grantee OPERATOR(pg_catalog.=) 0 THEN 'PUBLIC'
                                       ELSE pg_catalog.quote_ident(r.grantee::regrole::text) END);
    END LOOP;
END
$$;
