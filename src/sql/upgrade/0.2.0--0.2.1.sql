-- Migration from 0.2.0 to 0.2.1: what changes tables and their data, and
-- drops the functions and views whose signature or columns change (CREATE
-- OR REPLACE in the code pieces that follow cannot change those). Everything
-- here must leave the database exactly as a fresh 0.2.1 install would be;
-- test/scripts/upgrade.sh compares the two catalogs. 0.1.0 databases reach
-- this script through the frozen sql/pg_intent--0.1.0--0.2.0.sql.

-- ---------------------------------------------------------------------------
-- Exposure (shadow messages, internal functions)
-- ---------------------------------------------------------------------------
-- ai_shadow_predictions no longer holds message text: the recipe lets every
-- reviewer read it, and row-level security on ai_training_data did not hide
-- the copy. Loses nothing, leaks nothing: a text that is its linked row's
-- message is in ai_training_data already and is dropped; every other text (a
-- call without a linked row, or with another text) moves to
-- ai_shadow_legacy_messages, which only the owner reads.
-- @include src/sql/schema/50_shadow_legacy_messages.sql
INSERT INTO @extschema@.ai_shadow_legacy_messages (shadow_id, training_data_id, message, created_at)
SELECT s.id, s.training_data_id, s.message, s.created_at
  FROM @extschema@.ai_shadow_predictions AS s
 WHERE NOT EXISTS (SELECT FROM @extschema@.ai_training_data AS d
                    WHERE d.id OPERATOR(pg_catalog.=) s.training_data_id
                      AND d.user_message OPERATOR(pg_catalog.=) s.message);
-- 0.2.0's ai_shadow_agreement read sp.* and so depends on the column: an
-- empty stand-in with the same columns replaces its query (CREATE OR REPLACE
-- keeps the grants administrators gave on it) until 58_shadow.sql, which
-- follows, defines it again.
CREATE OR REPLACE VIEW @extschema@.ai_shadow_agreement WITH (security_invoker = true) AS
SELECT NULL::bigint AS challenger_model_id, NULL::text AS challenger_version,
       NULL::bigint[] AS champion_model_ids, NULL::bigint AS predictions, NULL::bigint AS agreements,
       NULL::numeric AS agreement_rate, NULL::bigint AS labelled, NULL::bigint AS champion_correct,
       NULL::bigint AS challenger_correct, NULL::numeric AS champion_accuracy,
       NULL::numeric AS challenger_accuracy, NULL::text AS better_model,
       NULL::timestamptz AS first_at, NULL::timestamptz AS last_at
 WHERE false;
ALTER TABLE @extschema@.ai_shadow_predictions DROP COLUMN message;
COMMENT ON TABLE @extschema@.ai_shadow_predictions IS
    'One row per shadow_predict() call: what the active (champion) model and a challenger model predicted for the same message, and whether they agreed. The message is not stored: a call linked to an ai_training_data row (training_data_id) reads it there, with the reader''s rights.';

-- The review functions' argument checks moved into _pg_intent_review(), so
-- that no caller skips them.
DROP FUNCTION @extschema@._pg_intent_review_checked(uuid[], text, text, uuid);
