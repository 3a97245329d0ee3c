-- New in 0.2.1 (also created by the upgrade, which includes this file).

-- -------------------------------------------------------------------------
-- ai_shadow_legacy_messages: message texts that 0.2.0 copied into
-- ai_shadow_predictions
-- -------------------------------------------------------------------------
-- 0.2.0 stored every shadow_predict() message in ai_shadow_predictions, which
-- the documented recipe lets every reviewer read: row-level security on
-- ai_training_data did not hide them (one tenant read another's card number).
-- 0.2.1 stores no text there; the message of a linked call is read from
-- ai_training_data with the reader's rights. The upgrade keeps here the texts
-- it could not drop without losing them (calls without a linked row, or whose
-- text was not the linked row's message). Nothing of pg_intent reads or
-- writes this table after the upgrade, and nobody is granted it: only the
-- extension owner reads it. A fresh install leaves it empty.
CREATE TABLE @extschema@.ai_shadow_legacy_messages (
    shadow_id        bigint      PRIMARY KEY, -- ai_shadow_predictions.id when it was moved
    training_data_id uuid,
    message          text        NOT NULL,
    created_at       timestamptz NOT NULL
);
COMMENT ON TABLE @extschema@.ai_shadow_legacy_messages IS
    'Texts of 0.2.0 shadow predictions that had no linked ai_training_data row (or another text), moved out of ai_shadow_predictions by the 0.2.1 upgrade so that its readers no longer see them. Owner only; pg_intent never reads it: delete the rows when you no longer need them.';
SELECT pg_catalog.pg_extension_config_dump('@extschema@.ai_shadow_legacy_messages', '');
