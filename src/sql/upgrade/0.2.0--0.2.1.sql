-- Migration from 0.2.0 to 0.2.1: what changes tables and their data, and
-- drops the functions and views whose signature or columns change (CREATE
-- OR REPLACE in the code pieces that follow cannot change those). Everything
-- here must leave the database exactly as a fresh 0.2.1 install would be;
-- test/scripts/upgrade.sh compares the two catalogs. 0.1.0 databases reach
-- this script through the frozen sql/pg_intent--0.1.0--0.2.0.sql.

-- -------------------------------------------------------------------------
-- Training rows: one label rule, one definition of a training row, and
-- bounds on unreviewed rows (README "Settings", CHANGELOG 0.2.1)
-- -------------------------------------------------------------------------
-- The label rule, which the constraints and generated columns below call.
-- @include src/sql/schema/00_intent_name.sql

-- The rule as CHECK constraints on every column that holds an intent. Rows
-- stored before may break it (0.2.0 stored ' ', E'\t', 'uncertain ' or 300
-- bytes as logged): the upgrade neither fails on them nor changes them.
-- Added NOT VALID (new rows are checked at once), then validated where no
-- stored row breaks them, which leaves the catalog a fresh install has;
-- otherwise they stay NOT VALID, training leaves those rows out (and
-- counts them), and a WARNING says how to finish.
ALTER TABLE @extschema@.ai_training_data
    ADD CONSTRAINT ai_training_data_detected_intent_check
        CHECK (@extschema@.is_valid_intent_name(detected_intent)) NOT VALID,
    ADD CONSTRAINT ai_training_data_correct_intent_check
        CHECK (@extschema@.is_valid_intent_name(correct_intent)) NOT VALID;
ALTER TABLE @extschema@.ai_intent_corrections
    ADD CONSTRAINT ai_intent_corrections_corrected_intent_check
        CHECK (@extschema@.is_valid_intent_name(corrected_intent)) NOT VALID;
-- The policy's out-of-scope label had a rule of its own (trimmed, not empty,
-- not "uncertain"); now it is the one rule.
ALTER TABLE @extschema@.ai_training_policy
    DROP CONSTRAINT ai_training_policy_out_of_scope_intent_check,
    ADD CONSTRAINT ai_training_policy_out_of_scope_intent_check
        CHECK (@extschema@.is_valid_intent_name(out_of_scope_intent)) NOT VALID;
DO $$
DECLARE
    r record;
    v_bad bigint;
BEGIN
    FOR r IN
        SELECT * FROM (VALUES
            ('ai_training_data', 'ai_training_data_detected_intent_check', 'detected_intent'),
            ('ai_training_data', 'ai_training_data_correct_intent_check', 'correct_intent'),
            ('ai_intent_corrections', 'ai_intent_corrections_corrected_intent_check', 'corrected_intent'),
            ('ai_training_policy', 'ai_training_policy_out_of_scope_intent_check', 'out_of_scope_intent'))
            AS v (tab, con, col)
    LOOP
        EXECUTE pg_catalog.format('SELECT count(*) FROM @extschema@.%I WHERE NOT @extschema@.is_valid_intent_name(%I)',
                                  r.tab, r.col)
           INTO v_bad;
        IF v_bad OPERATOR(pg_catalog.=) 0 THEN
            EXECUTE pg_catalog.format('ALTER TABLE @extschema@.%I VALIDATE CONSTRAINT %I', r.tab, r.con);
        ELSE
            RAISE WARNING 'pg_intent: % rows of % have a % that is not a valid intent name; constraint % is left NOT VALID',
                v_bad, r.tab, r.col, r.con
                USING DETAIL = 'An intent name is not empty, has no leading or trailing whitespace and no control characters, is not "uncertain", and has at most 256 bytes (is_valid_intent_name()). Training leaves those rows out and counts them.',
                      HINT = pg_catalog.format('Find them with SELECT * FROM %s WHERE NOT is_valid_intent_name(%s); correct them (submit_intent_correction()) or reject them (reject_training_samples()), set a detected intent that is no intent to NULL, then run ALTER TABLE %s VALIDATE CONSTRAINT %s.',
                                               r.tab, r.col, r.tab, r.con);
        END IF;
    END LOOP;
END
$$;

-- One definition of a training row, which every reader reads: the label
-- training uses (NULL when the row does not train) and whether a person
-- vouched for it. Last in the table, as in a fresh install. Computing them
-- rewrites ai_training_data once.
ALTER TABLE @extschema@.ai_training_data
    ADD COLUMN training_label text GENERATED ALWAYS AS (
        CASE WHEN dataset_status <> 'rejected'
              AND NOT (intent_correct IS FALSE AND nullif(correct_intent, '') IS NULL)
              AND @extschema@.is_valid_intent_name(coalesce(nullif(correct_intent, ''), nullif(detected_intent, '')))
             THEN coalesce(nullif(correct_intent, ''), nullif(detected_intent, '')) END) STORED,
    ADD COLUMN is_reviewed boolean NOT NULL GENERATED ALWAYS AS (
        corrected_by_human OR intent_correct IS NOT NULL OR dataset_status IN ('reviewed', 'approved')) STORED;
COMMENT ON COLUMN @extschema@.ai_training_data.training_label IS
    'Generated: the label training uses for this row (the correction, else the detected intent), NULL when the row does not train: no label, a label is_valid_intent_name() refuses, rejected, or judged wrong (intent_correct false) without a correction.';
COMMENT ON COLUMN @extschema@.ai_training_data.is_reviewed IS
    'Generated: a person set or confirmed the label (a correction, a judgement in intent_correct, or dataset_status reviewed or approved). Only reviewed rows judge the active model, and only they train under ai_training_policy.only_reviewed.';

-- The policy's bounds on what rows no reviewer vouches for may cost a run.
ALTER TABLE @extschema@.ai_training_policy
    ADD COLUMN max_unreviewed_message_bytes integer NOT NULL DEFAULT 2048
        CONSTRAINT ai_training_policy_max_unreviewed_message_bytes_check CHECK (max_unreviewed_message_bytes BETWEEN 64 AND 65536),
    ADD COLUMN min_unreviewed_intent_rows integer NOT NULL DEFAULT 3
        CONSTRAINT ai_training_policy_min_unreviewed_intent_rows_check CHECK (min_unreviewed_intent_rows BETWEEN 1 AND 1000000),
    ADD COLUMN max_intents integer NOT NULL DEFAULT 100
        CONSTRAINT ai_training_policy_max_intents_check CHECK (max_intents BETWEEN 2 AND 100000);
COMMENT ON COLUMN @extschema@.ai_training_policy.max_unreviewed_message_bytes IS
    'Bytes of each unreviewed message a training run reads (its first ones, cut at a character boundary); reviewed messages are read on their first 65536 bytes. Rows any role that may log interactions writes then cannot make a run slow or large by their length.';
COMMENT ON COLUMN @extschema@.ai_training_policy.min_unreviewed_intent_rows IS
    'Fewest rows (among those a run reads) a label that no reviewed row carries needs to become a class; the rows of rarer such labels are left out and counted (rows_skipped_rare_intent in the run''s metrics).';
COMMENT ON COLUMN @extschema@.ai_training_policy.max_intents IS
    'Most classes a run trains: labels with reviewed rows first, then those with more rows, then in byte order; the rows of the other labels are left out and counted (rows_skipped_intent_limit).';
