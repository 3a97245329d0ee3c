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
