-- The training dataset: the labelled rows training reads.

-- -------------------------------------------------------------------------
-- The rows a training run reads
-- -------------------------------------------------------------------------

-- One definition of a training row: ai_training_data.training_label (the
-- label, NULL when the row does not train) and .is_reviewed, generated
-- columns computed with is_valid_intent_name(); the C reader
-- (src/pg/train_reader.cpp) reads the same columns. On top of them, what a run
-- with these options reads, in the C reader's steps:
--   1. rows with a training label; reviewed ones only with p_only_reviewed;
--      p_min_confidence for unreviewed rows only;
--   2. the window: of the unreviewed rows, the newest max_unreviewed_rows
--      only (the policy's: the number of rows any role that may log
--      interactions writes must not decide what a run costs); then the
--      first p_limit in the order reviewed first, newest first, id
--      (reviewed first, so that unreviewed rows never push reviewed ones
--      out);
--   3. the policy's bounds on labels no reviewed row (of the window)
--      carries: such a label needs min_unreviewed_intent_rows rows to be a
--      class; then at most max_intents classes, those with reviewed rows
--      first, then by rows, then in byte order. Without them, logged rows
--      with a label each made runs slow and their macro F1 so low that the
--      deploy rule refused every model while the rows existed.
-- The rows of the labels left out are left out of the run (and counted in
-- its metrics). Not mirrored here: the C reader also leaves out rows whose
-- text is not valid UTF-8 (SQL_ASCII) or has no UTF-8 equivalent, which SQL
-- cannot see as text.
-- Every step reads the narrow columns only (the key, the label, the review
-- state, the confidence, the time), never user_message or another column
-- the logging roles fill at will: the rows outside the window must cost the
-- call nothing of their messages (max_unreviewed_message_bytes), as they
-- cost a run nothing. A whole row read here would detoast, copy and sort
-- every usable row's message before the window or p_limit applied.
-- Those who need the rows' text join them back by id
-- (_pg_intent_training_rows()); those who count them count these.
CREATE OR REPLACE FUNCTION intent_internal._pg_intent_training_keys(
    p_min_confidence integer, p_only_reviewed boolean, p_limit integer)
RETURNS TABLE (id uuid, is_reviewed boolean, created_at timestamptz)
LANGUAGE sql STABLE PARALLEL SAFE
SET search_path = pg_catalog, pg_temp
AS $$
    WITH usable AS (
        SELECT t.id, t.is_reviewed, t.created_at, t.training_label,
               pg_catalog.row_number() OVER (PARTITION BY t.is_reviewed ORDER BY t.created_at DESC, t.id) AS n
          FROM @extschema@.ai_training_data AS t
         WHERE t.training_label IS NOT NULL
           AND (t.is_reviewed OR NOT p_only_reviewed)
           AND (t.is_reviewed OR coalesce(t.confidence_score, 0) >= p_min_confidence)
    ), w AS (
        SELECT u.id, u.is_reviewed, u.created_at, u.training_label
          FROM usable AS u
         WHERE u.is_reviewed OR u.n <= (SELECT intent_internal._pg_intent_max_unreviewed_rows())
         ORDER BY u.is_reviewed DESC, u.created_at DESC, u.id
         LIMIT p_limit
    ), labels AS (
        SELECT w.training_label AS label, bool_or(w.is_reviewed) AS reviewed, count(*) AS n
          FROM w GROUP BY w.training_label
    ), kept AS (
        SELECT l.label
          FROM labels AS l, intent_internal._pg_intent_row_limits() AS p
         WHERE l.reviewed OR l.n >= p.min_unreviewed_intent_rows
         ORDER BY l.reviewed DESC, l.n DESC, l.label COLLATE "C"
         LIMIT (SELECT p.max_intents FROM intent_internal._pg_intent_row_limits() AS p)
    )
    SELECT w.id, w.is_reviewed, w.created_at FROM w WHERE w.training_label IN (SELECT k.label FROM kept AS k)
$$;
COMMENT ON FUNCTION intent_internal._pg_intent_training_keys(integer, boolean, integer) IS
    'Internal: the key (id), review state and time of the ai_training_data rows a training run with these options reads (training_label set; p_only_reviewed; p_min_confidence for unreviewed rows; the newest max_unreviewed_rows of the unreviewed ones; the first p_limit, reviewed first, then newest; the policy''s min_unreviewed_intent_rows and max_intents), in no particular order; chosen without reading any message.';

-- The rows themselves: those of _pg_intent_training_keys(), each read once
-- it is chosen, so that only the rows returned cost their text.
CREATE OR REPLACE FUNCTION intent_internal._pg_intent_training_rows(
    p_min_confidence integer, p_only_reviewed boolean, p_limit integer)
RETURNS SETOF @extschema@.ai_training_data
LANGUAGE sql STABLE PARALLEL SAFE
SET search_path = pg_catalog, pg_temp
AS $$
    SELECT t.*
      FROM @extschema@.ai_training_data AS t
     WHERE t.id IN (SELECT k.id FROM intent_internal._pg_intent_training_keys(p_min_confidence, p_only_reviewed, p_limit) AS k)
$$;
COMMENT ON FUNCTION intent_internal._pg_intent_training_rows(integer, boolean, integer) IS
    'Internal: the ai_training_data rows a training run with these options reads (those of _pg_intent_training_keys(): training_label set; p_only_reviewed; p_min_confidence for unreviewed rows; the newest max_unreviewed_rows of the unreviewed ones; the first p_limit, reviewed first, then newest; the policy''s min_unreviewed_intent_rows and max_intents), in no particular order. Only the rows returned are read whole.';

-- -------------------------------------------------------------------------
-- get_training_dataset
-- -------------------------------------------------------------------------

-- The labelled samples training uses, reviewed rows first, each kind newest
-- first: _pg_intent_training_rows(). The label (intent) is the human
-- correction when there is one, else the detected intent (training_label).
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
        RAISE EXCEPTION USING MESSAGE = intent_internal._pg_intent_error_words('p_min_confidence must not be null'), ERRCODE = 'null_value_not_allowed';
    END IF;
    IF p_only_reviewed IS NULL THEN
        RAISE EXCEPTION USING MESSAGE = intent_internal._pg_intent_error_words('p_only_reviewed must not be null'), ERRCODE = 'null_value_not_allowed';
    END IF;
    IF p_limit IS NULL THEN
        RAISE EXCEPTION USING MESSAGE = intent_internal._pg_intent_error_words('p_limit must not be null'), ERRCODE = 'null_value_not_allowed';
    END IF;
    IF p_min_confidence NOT BETWEEN 0 AND 100 THEN
        RAISE EXCEPTION USING MESSAGE = intent_internal._pg_intent_error_words('invalid value for parameter "p_min_confidence": %s', p_min_confidence),
                   ERRCODE = 'invalid_parameter_value',
                  DETAIL = intent_internal._pg_intent_error_words('The minimum confidence must be between 0 and 100.');
    END IF;
    IF p_limit <= 0 THEN
        RAISE EXCEPTION USING MESSAGE = intent_internal._pg_intent_error_words('invalid value for parameter "p_limit": %s', p_limit),
                   ERRCODE = 'invalid_parameter_value',
                  DETAIL = intent_internal._pg_intent_error_words('The limit must be a positive number of rows.');
    END IF;

    -- Reviewed rows first: a limit (a training run's window) keeps them
    -- however many unreviewed rows, which untrusted roles may log, are newer.
    RETURN QUERY
    SELECT d.id, d.user_message, d.training_label, d.detected_intent, d.correct_intent,
           d.confidence_score, d.corrected_by_human, d.escalated, d.response_source,
           d.category, d.created_at
      FROM intent_internal._pg_intent_training_rows(p_min_confidence, p_only_reviewed, p_limit) AS d
     ORDER BY d.is_reviewed DESC, d.created_at DESC, d.id;
END
$$;
COMMENT ON FUNCTION @extschema@.get_training_dataset(integer, boolean, integer) IS
    'The samples a training run with these options reads, reviewed rows first, each kind newest first: intent is the row''s training_label (the human correction when there is one, else the detected intent). Leaves out rejected rows, rows without a label or with one is_valid_intent_name() refuses, and rows judged wrong without a correction; p_min_confidence (0-100) applies only to rows no human reviewed; of the unreviewed rows, the newest max_unreviewed_rows (the policy''s) only; of the first p_limit rows, those of labels the policy''s min_unreviewed_intent_rows and max_intents leave out. Messages are returned whole (a run reads unreviewed ones on their first max_unreviewed_message_bytes).';

-- The usable samples a run could train on, as should_retrain() and
-- retrain_if_needed() count them: the rows a scheduled run reads
-- (_pg_intent_training_rows() at its options: min_confidence 0, the
-- policy's max_training_rows as the window), reviewed ones only with
-- p_only_reviewed (the policy's). Counting rows the run then leaves out made
-- every scheduled call start a run that failed for too few rows.
CREATE OR REPLACE FUNCTION intent_internal._pg_intent_usable_samples(p_only_reviewed boolean)
RETURNS bigint
LANGUAGE sql STABLE PARALLEL SAFE
SET search_path = pg_catalog, pg_temp
AS $$
    SELECT count(*)
      FROM intent_internal._pg_intent_training_keys(0, p_only_reviewed,
               (SELECT p.max_training_rows FROM intent_internal._pg_intent_policy() AS p)) AS d
$$;
COMMENT ON FUNCTION intent_internal._pg_intent_usable_samples(boolean) IS
    'Internal: the number of ai_training_data rows a scheduled run reads (_pg_intent_training_rows() with min_confidence 0 and the policy''s max_training_rows; reviewed ones only when p_only_reviewed), the sample count should_retrain() compares with min_samples_for_training.';
