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

-- One scale per kind of number (issue 25 item 8, docs/dashboards.md): the
-- snapshot table's percentages get companions as fractions 0-1, generated
-- from them (a stored generated column is computed for every existing row
-- when added, so old snapshots get theirs). Appended last, as in the fresh
-- install's table. The views and get_ai_training_metrics() only gain
-- columns/keys at the end: CREATE OR REPLACE in the pieces that follow
-- keeps them, and with them the grants users gave on the views.
ALTER TABLE @extschema@.ai_metrics_snapshots
    ADD COLUMN escalation_rate_fraction numeric GENERATED ALWAYS AS (round(escalation_rate / 100, 4)) STORED,
    ADD COLUMN avg_confidence_fraction  numeric GENERATED ALWAYS AS (round(avg_confidence / 100, 4)) STORED,
    ADD COLUMN intent_accuracy_fraction numeric GENERATED ALWAYS AS (round(intent_accuracy / 100, 4)) STORED,
    ADD COLUMN correction_rate_fraction numeric GENERATED ALWAYS AS (round(correction_rate / 100, 4)) STORED;
COMMENT ON COLUMN @extschema@.ai_metrics_snapshots.escalation_rate_fraction IS
    'Fraction (0-1) of messages escalated to a human: escalation_rate / 100.';
COMMENT ON COLUMN @extschema@.ai_metrics_snapshots.avg_confidence_fraction IS
    'Average confidence_score of the period''s messages as a fraction (0-1): avg_confidence / 100.';
COMMENT ON COLUMN @extschema@.ai_metrics_snapshots.intent_accuracy_fraction IS
    'Fraction (0-1) of reviewed messages whose detected intent was right: intent_accuracy / 100.';
COMMENT ON COLUMN @extschema@.ai_metrics_snapshots.correction_rate_fraction IS
    'Fraction (0-1) of messages corrected by a human: correction_rate / 100.';
