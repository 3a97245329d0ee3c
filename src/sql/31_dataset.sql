-- The training dataset: the labelled rows training reads.

-- -------------------------------------------------------------------------
-- get_training_dataset
-- -------------------------------------------------------------------------

-- The labelled samples training uses, reviewed rows first, each kind newest
-- first. The label (intent) is the
-- human correction when there is one, else the detected intent.
CREATE OR REPLACE FUNCTION @extschema@.get_training_dataset(
    p_min_confidence integer DEFAULT 0,
    p_only_reviewed boolean DEFAULT false,
    p_limit integer DEFAULT 10000)
RETURNS TABLE (
    id uuid,
    user_message text,
    intent text,
    detected_intent text,
    correct_intent text,
    confidence_score integer,
    corrected_by_human boolean,
    escalated boolean,
    response_source text,
    category text,
    created_at timestamptz)
LANGUAGE plpgsql STABLE PARALLEL SAFE
SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
    IF p_min_confidence IS NULL THEN
        RAISE EXCEPTION 'p_min_confidence must not be null' USING ERRCODE = 'null_value_not_allowed';
    END IF;
    IF p_only_reviewed IS NULL THEN
        RAISE EXCEPTION 'p_only_reviewed must not be null' USING ERRCODE = 'null_value_not_allowed';
    END IF;
    IF p_limit IS NULL THEN
        RAISE EXCEPTION 'p_limit must not be null' USING ERRCODE = 'null_value_not_allowed';
    END IF;
    IF p_min_confidence NOT BETWEEN 0 AND 100 THEN
        RAISE EXCEPTION 'invalid value for parameter "p_min_confidence": %', p_min_confidence
            USING ERRCODE = 'invalid_parameter_value',
                  DETAIL = 'The minimum confidence must be between 0 and 100.';
    END IF;
    IF p_limit <= 0 THEN
        RAISE EXCEPTION 'invalid value for parameter "p_limit": %', p_limit
            USING ERRCODE = 'invalid_parameter_value',
                  DETAIL = 'The limit must be a positive number of rows.';
    END IF;

    -- A row counts as reviewed when a human corrected it, judged its intent,
    -- or moved it to reviewed/approved. The confidence floor only applies to
    -- unreviewed rows. A row judged wrong without a correction has no usable
    -- label and is left out, and so is a row whose label is longer than 256
    -- bytes: no intent is named so, and one such row, which any role that
    -- may log interactions can write, failed every training run (the index
    -- on the labels a run recorded) or put its label in every model.
    RETURN QUERY
    SELECT d.id, d.user_message, d.label, d.detected_intent, d.correct_intent,
           d.confidence_score, d.corrected_by_human, d.escalated, d.response_source,
           d.category, d.created_at
      FROM (SELECT t.*,
                   coalesce(nullif(t.correct_intent, ''), nullif(t.detected_intent, '')) AS label,
                   (t.corrected_by_human OR t.intent_correct IS NOT NULL
                    OR t.dataset_status IN ('reviewed', 'approved')) AS reviewed
              FROM @extschema@.ai_training_data AS t
             WHERE t.dataset_status <> 'rejected') AS d
     WHERE d.label IS NOT NULL
       AND octet_length(d.label) <= 256
       AND NOT (d.intent_correct IS FALSE AND nullif(d.correct_intent, '') IS NULL)
       AND (d.reviewed OR NOT p_only_reviewed)
       AND (d.reviewed OR coalesce(d.confidence_score, 0) >= p_min_confidence)
     -- Reviewed rows first: a limit (a training run's window) keeps them
     -- however many unreviewed rows, which untrusted roles may log, are newer.
     ORDER BY d.reviewed DESC, d.created_at DESC, d.id
     LIMIT p_limit;
END
$$;
COMMENT ON FUNCTION @extschema@.get_training_dataset(integer, boolean, integer) IS
    'Labelled samples for training, reviewed rows first, each kind newest first: intent is the human correction when there is one, else the detected intent. Leaves out rejected rows, rows without a label and rows whose label is longer than 256 bytes; p_min_confidence (0-100) applies only to rows no human reviewed.';

-- The usable samples a run could train on, as should_retrain() and
-- retrain_if_needed() count them: get_training_dataset()'s rows at the
-- options a scheduled run takes (a label that is not empty and at most 256
-- bytes, not rejected, not judged wrong without a correction; keep the two
-- WHERE clauses and the C reader's rules in train_table.cpp alike), reviewed ones only with
-- p_only_reviewed (the policy's). The callers cap it at the policy's
-- max_training_rows, the most a run reads. Counting rows the run then
-- leaves out made every scheduled call start a run that failed for too few
-- rows.
CREATE OR REPLACE FUNCTION @extschema@._pg_intent_usable_samples(p_only_reviewed boolean)
RETURNS bigint
LANGUAGE sql STABLE PARALLEL SAFE
SET search_path = pg_catalog, pg_temp
AS $$
    SELECT count(*) FROM @extschema@.ai_training_data d
     WHERE coalesce(nullif(d.correct_intent, ''), nullif(d.detected_intent, '')) IS NOT NULL
       AND octet_length(coalesce(nullif(d.correct_intent, ''), nullif(d.detected_intent, ''))) <= 256
       AND d.dataset_status IS DISTINCT FROM 'rejected'
       AND NOT (d.intent_correct IS FALSE AND nullif(d.correct_intent, '') IS NULL)
       AND (NOT p_only_reviewed
            OR d.corrected_by_human OR d.intent_correct IS NOT NULL
            OR d.dataset_status IN ('reviewed', 'approved'))
$$;
COMMENT ON FUNCTION @extschema@._pg_intent_usable_samples(boolean) IS
    'Internal: the ai_training_data rows a scheduled run reads (get_training_dataset()''s rule; reviewed ones only when p_only_reviewed), the sample count should_retrain() compares with min_samples_for_training.';
