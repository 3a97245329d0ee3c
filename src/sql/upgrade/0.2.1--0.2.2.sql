-- Migration from 0.2.1 to 0.2.2: what changes tables and their data, and
-- drops the functions and views whose signature or columns change (CREATE
-- OR REPLACE in the code pieces that follow cannot change those). Everything
-- here must leave the database exactly as a fresh 0.2.2 install would be;
-- test/scripts/upgrade.sh and upgrade_020.sh compare the two catalogs.
-- Older databases reach this script through the frozen scripts in sql/
-- (0.1.0 -> 0.2.0 -> 0.2.1).


-- ---------------------------------------------------------------------------
-- The training line
-- ---------------------------------------------------------------------------

-- _pg_intent_train_table() takes the policy row and returns the deploy
-- decision and the run's figures as typed columns: its signature and
-- result type change, so the old one goes (the functions pieces create the
-- new one).
DROP FUNCTION @extschema@._pg_intent_train_table(uuid, jsonb, real, integer, integer, bigint, uuid);

-- ---------------------------------------------------------------------------
-- Reports and language
-- ---------------------------------------------------------------------------


-- ---------------------------------------------------------------------------
-- Dashboard scales
-- ---------------------------------------------------------------------------
