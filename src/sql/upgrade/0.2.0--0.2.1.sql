-- Migration from 0.2.0 to 0.2.1: what changes tables and their data, and
-- drops the functions and views whose signature or columns change (CREATE
-- OR REPLACE in the code pieces that follow cannot change those). Everything
-- here must leave the database exactly as a fresh 0.2.1 install would be;
-- test/scripts/upgrade.sh compares the two catalogs. 0.1.0 databases reach
-- this script through the frozen sql/pg_intent--0.1.0--0.2.0.sql.

------------------------------------------------------------------------------
-- Training records of deleted messages (ai_training_run_rows)
------------------------------------------------------------------------------
-- Deleting a message now deletes its training records (src/sql/12_references.sql).
-- The records 0.2.0 left behind for deleted messages are read by id only, so
-- a new message inserted with such an id inherited them (the deploy gate and
-- the review queue took it for a row the model trained on). The upgrade
-- deletes them, and says how many: the runs keep their counts and metrics.
DO $$
DECLARE
    v_orphans bigint;
BEGIN
    DELETE FROM @extschema@.ai_training_run_rows AS rr
     WHERE NOT EXISTS (SELECT FROM @extschema@.ai_training_data AS d
                        WHERE d.id OPERATOR(pg_catalog.=) rr.training_data_id);
    GET DIAGNOSTICS v_orphans = ROW_COUNT;
    IF v_orphans OPERATOR(pg_catalog.>) 0 THEN
        RAISE WARNING 'pg_intent: deleted % training records (ai_training_run_rows) of messages deleted before this upgrade', v_orphans
            USING DETAIL = 'A message inserted with a deleted message''s id inherited its training records; deleting a message now deletes them.';
    END IF;
END
$$;
COMMENT ON COLUMN @extschema@.ai_training_run_rows.training_data_id IS
    'The ai_training_data row (no foreign key, see src/sql/12_references.sql: deleting the row deletes its records here, so that a new row given its id inherits no training history).';
