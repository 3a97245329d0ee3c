-- Review actions: approving and rejecting training rows, one at a time or in
-- batches, each recorded in ai_review_actions. They run as the caller:
-- reviewers need UPDATE on ai_training_data and INSERT on ai_review_actions
-- (the application role gets neither in the documented recipe).

-- Approves or rejects the given rows. Internal: the four public functions
-- below call this, and it checks every argument itself, so no caller can
-- skip a check (0.2.0 checked them in a separate function, and a role calling
-- this one directly rejected rows without a reason, sent 20,000 ids and
-- hit a table CHECK with an unknown action). Returns
-- {"action", "updated": n, "missing": [ids of no row this call changed]}.
CREATE OR REPLACE FUNCTION intent_internal._pg_intent_review(
    p_ids uuid[], p_action text, p_reason text, p_reviewer_id uuid)
RETURNS jsonb
LANGUAGE plpgsql VOLATILE PARALLEL UNSAFE
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    v_updated integer;
    v_null_at bigint;
    v_unlabelled uuid[];
    v_invalid uuid[];
    v_missing uuid[];
    v_done uuid[];
BEGIN
    IF p_action IS NULL OR p_action NOT IN ('approve', 'reject') THEN
        RAISE EXCEPTION USING MESSAGE = intent_internal._pg_intent_error_words('invalid value for the review action: %s', coalesce(p_action, 'NULL')),
                   ERRCODE = 'invalid_parameter_value', HINT = intent_internal._pg_intent_error_words('The action is approve or reject.');
    END IF;
    IF p_ids IS NULL THEN
        RAISE EXCEPTION USING MESSAGE = intent_internal._pg_intent_error_words('the training data ids must not be null'), ERRCODE = 'null_value_not_allowed';
    END IF;
    IF cardinality(p_ids) > 10000 THEN
        -- A documented limit of the argument, so a bad parameter (22023, HTTP
        -- 400 under PostgREST), not a limit of the server (54000 gave HTTP 500).
        RAISE EXCEPTION USING MESSAGE = intent_internal._pg_intent_error_words('invalid value for parameter "p_training_data_ids": too many rows in one review batch: %s', cardinality(p_ids)),
                   ERRCODE = 'invalid_parameter_value', HINT = intent_internal._pg_intent_error_words('Send at most 10000 ids per call.');
    END IF;
    -- A NULL id is refused, as approve_training_sample(NULL) refuses it
    -- (0.3.1 passed over it: in neither "updated" nor "missing", so a
    -- batch built from a screen with a lost id reported nothing of it).
    -- Checked once the batch is known to be at most 10,000 ids.
    SELECT min(u.n) INTO v_null_at FROM unnest(p_ids) WITH ORDINALITY AS u(id, n) WHERE u.id IS NULL;
    IF v_null_at IS NOT NULL THEN
        RAISE EXCEPTION USING MESSAGE = intent_internal._pg_intent_error_words('p_training_data_ids must not contain null'),
                   ERRCODE = 'null_value_not_allowed',
                   DETAIL = intent_internal._pg_intent_error_words('Element %s of the array is null.', v_null_at);
    END IF;
    IF p_action = 'reject' AND p_reason IS NULL THEN
        RAISE EXCEPTION USING MESSAGE = intent_internal._pg_intent_error_words('p_reason must not be null: a rejection needs a reason'),
                   ERRCODE = 'null_value_not_allowed',
                  HINT = intent_internal._pg_intent_error_words('Say why the row must not train, e.g. ''spam'' or ''not a customer message''.');
    END IF;
    -- A text of more than 64 kB cannot be 1024 bytes once trimmed but for
    -- absurd padding: it skips the blank check and the trim, whose regular
    -- expressions hold 4 bytes for every character of their text, and is
    -- refused as too long below.
    IF octet_length(p_reason) <= 65536 THEN
        -- This check and the approval's label check below are the CHECK
        -- constraints of ai_review_actions (which hold every writer of the
        -- table to them, 23514), made first for a clearer error.
        -- A reason is blank when it holds nothing but whitespace of any kind
        -- (0.3.1 trimmed spaces only: a reason of tabs and newlines rejected the
        -- row, and the audit trail kept the whitespace as its reason).
        IF p_action = 'reject' AND p_reason !~ '[^[:space:]]' THEN
            RAISE EXCEPTION USING MESSAGE = intent_internal._pg_intent_error_words('invalid value for parameter "p_reason": a rejection needs a reason'),
                       ERRCODE = 'invalid_parameter_value',
                      HINT = intent_internal._pg_intent_error_words('Say why the row must not train, e.g. ''spam'' or ''not a customer message''.');
        END IF;
        -- an approval's notes are optional: blank ones are recorded as none
        p_reason := nullif(regexp_replace(p_reason, '^[[:space:]]+|[[:space:]]+$', '', 'g'), '');
    END IF;
    -- The reason (a rejection's) or note (an approval's) is recorded once for
    -- every row of the call, so it is bounded: one call of 10,000 ids must
    -- not write 10,000 copies of whatever its caller sends.
    IF octet_length(p_reason) > 1024 THEN
        RAISE EXCEPTION USING MESSAGE = intent_internal._pg_intent_error_words('invalid value for parameter "%s": the text is too long',
                                                                         CASE WHEN p_action = 'approve' THEN 'p_notes' ELSE 'p_reason' END),
                   ERRCODE = 'invalid_parameter_value',
                  DETAIL = intent_internal._pg_intent_error_words('It has %s bytes; a review''s reason or note has at most 1024.', octet_length(p_reason)),
                  HINT = intent_internal._pg_intent_error_words('It is recorded in ai_review_actions once for every row reviewed: keep it short.');
    END IF;

    IF p_action = 'approve' THEN
        -- Approving confirms the row's label: a row without one has nothing
        -- to confirm. Nor may the label be one is_valid_intent_name() refuses
        -- (blank, padded, a control character, "uncertain", over 256
        -- bytes): training never reads such a row (training_label is NULL),
        -- so "approved, it may train" would be untrue (rows written before
        -- 0.2.1's constraints may hold one). Both read in one pass.
        SELECT array_agg(l.id ORDER BY l.id) FILTER (WHERE l.label IS NULL),
               array_agg(l.id ORDER BY l.id) FILTER (WHERE NOT @extschema@.is_valid_intent_name(l.label))
          INTO v_unlabelled, v_invalid
          FROM (SELECT t.id, coalesce(nullif(t.correct_intent, ''), nullif(t.detected_intent, '')) AS label
                  FROM @extschema@.ai_training_data AS t
                 WHERE t.id = ANY (p_ids)) AS l;
        IF v_unlabelled IS NOT NULL THEN
            RAISE EXCEPTION USING MESSAGE = intent_internal._pg_intent_error_words('cannot approve a row without an intent'),
                       ERRCODE = 'invalid_parameter_value',
                      DETAIL = format(intent_internal._pg_intent_error_words('Rows without a detected or corrected intent: %s.', '%s'), array_to_string(v_unlabelled, ', ')),
                      HINT = intent_internal._pg_intent_error_words('Give them an intent with submit_intent_correction(), or reject them.');
        END IF;
        IF v_invalid IS NOT NULL THEN
            RAISE EXCEPTION USING MESSAGE = intent_internal._pg_intent_error_words('cannot approve a row whose intent is not a valid intent name'),
                       ERRCODE = 'invalid_parameter_value',
                      DETAIL = format(intent_internal._pg_intent_error_words('Rows whose intent training leaves out (blank or padded with whitespace, a control character, "uncertain", or longer than 256 bytes): %s.', '%s'), array_to_string(v_invalid, ', ')),
                      HINT = intent_internal._pg_intent_error_words('Give them a valid intent with submit_intent_correction(), or reject them.');
        END IF;
    END IF;

    -- The audit row first, then the change: for a role other than the owner
    -- the table's trigger (_pg_intent_stamp_audit()) lets the review state
    -- change only when this actor's audit row for it exists. The rows are
    -- locked while their label is read, so the one recorded is the one
    -- approved, and in one order, their ids', whatever plan reads them, so
    -- that two calls with rows in common wait for each other instead of
    -- deadlocking (a scan's order is the plan's: by id through the index,
    -- physical in a sequential or bitmap scan).
    -- The rows locked are the rows changed: SELECT ... FOR UPDATE passes
    -- over a row the caller may read but row-level security does not let it
    -- update, as the UPDATE below does, and over one deleted meanwhile.
    WITH targets AS (
        SELECT t.id, coalesce(nullif(t.correct_intent, ''), nullif(t.detected_intent, '')) AS intent
          FROM @extschema@.ai_training_data AS t
         WHERE t.id = ANY (p_ids)
         ORDER BY t.id
           FOR UPDATE
    ), recorded AS (
        INSERT INTO @extschema@.ai_review_actions (training_data_id, action, intent, reason, reviewer_id)
        SELECT c.id, p_action, c.intent, p_reason, p_reviewer_id FROM targets AS c
    )
    SELECT coalesce(array_agg(c.id), '{}') INTO v_done FROM targets AS c;
    v_updated := cardinality(v_done);
    -- Every other id sent is reported, not an error, so a batch from a stale
    -- screen still applies the rest: a row that does not exist, that
    -- row-level security hides, or that it shows but does not let the
    -- caller change (0.3.1 reported only the first two: the third was in
    -- neither "updated" nor "missing").
    SELECT coalesce(array_agg(m.id ORDER BY m.id), '{}') INTO v_missing
      FROM (SELECT i FROM unnest(p_ids) AS i
            EXCEPT
            SELECT d FROM unnest(v_done) AS d) AS m(id);

    -- A stored name is_valid_intent_name() refuses (0.2.0 stored them; an
    -- upgrade leaves them, and its constraints NOT VALID) is no intent: the
    -- same statement sets it to NULL, so that the row passes the CHECK
    -- constraints as it changes; ai_review_actions.intent keeps what the
    -- label was (approval refused such a label above). Only a batch with
    -- such a detected intent names that column, and so needs UPDATE on it,
    -- which the README's recipe gives administrators, not reviewers.
    IF NOT EXISTS (SELECT 1 FROM @extschema@.ai_training_data AS t
                    WHERE t.id = ANY (p_ids) AND NOT @extschema@.is_valid_intent_name(t.detected_intent)) THEN
        UPDATE @extschema@.ai_training_data AS t
           SET dataset_status = CASE WHEN p_action = 'approve' THEN 'approved' ELSE 'rejected' END,
               correct_intent = CASE WHEN @extschema@.is_valid_intent_name(t.correct_intent) THEN t.correct_intent END,
               -- approving a detection confirms it; a correction already said whether it was right
               intent_correct = CASE WHEN p_action = 'approve' AND NOT t.corrected_by_human THEN true
                                     ELSE t.intent_correct END
         WHERE t.id = ANY (p_ids);
    ELSE
        UPDATE @extschema@.ai_training_data AS t
           SET dataset_status = CASE WHEN p_action = 'approve' THEN 'approved' ELSE 'rejected' END,
               detected_intent = CASE WHEN @extschema@.is_valid_intent_name(t.detected_intent) THEN t.detected_intent END,
               correct_intent = CASE WHEN @extschema@.is_valid_intent_name(t.correct_intent) THEN t.correct_intent END,
               intent_correct = CASE WHEN p_action = 'approve' AND NOT t.corrected_by_human THEN true
                                     ELSE t.intent_correct END
         WHERE t.id = ANY (p_ids);
    END IF;

    RETURN jsonb_build_object('action', p_action, 'updated', v_updated, 'missing', to_jsonb(v_missing));
END
$$;
COMMENT ON FUNCTION intent_internal._pg_intent_review(uuid[], text, text, uuid) IS
    'Internal: checks its arguments (action approve or reject: 22023; ids not NULL, at most 10000 and none of them NULL: 22004, 22023, 22004; a rejection needs a reason: 22004, 22023; a reason or note of at most 1024 bytes once trimmed, and 64 kB as sent: 22023), then approves or rejects rows of ai_training_data and records each decision in ai_review_actions.';

-- One row's review, for approve_training_sample() and
-- reject_training_sample(): _pg_intent_review() on that row, with a NULL id
-- refused (22004) and a row it did not update (it does not exist, or
-- row-level security hides it or does not let the caller update it) raised
-- as P0002, where a batch lists it as missing. One place for the
-- single-row rules and their words (issue 33: both functions wrote them out).
CREATE OR REPLACE FUNCTION intent_internal._pg_intent_review_sample(
    p_training_data_id uuid, p_action text, p_text text, p_reviewer_id uuid)
RETURNS void
LANGUAGE plpgsql VOLATILE PARALLEL UNSAFE
SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
    IF p_training_data_id IS NULL THEN
        RAISE EXCEPTION USING MESSAGE = intent_internal._pg_intent_error_words('p_training_data_id must not be null'), ERRCODE = 'null_value_not_allowed';
    END IF;
    IF (intent_internal._pg_intent_review(ARRAY[p_training_data_id], p_action, p_text, p_reviewer_id) ->> 'updated')::integer = 0 THEN
        RAISE EXCEPTION USING MESSAGE = intent_internal._pg_intent_error_words('training data row %s does not exist', p_training_data_id), ERRCODE = 'no_data_found';
    END IF;
END
$$;
COMMENT ON FUNCTION intent_internal._pg_intent_review_sample(uuid, text, text, uuid) IS
    'Internal: approves or rejects one row of ai_training_data as _pg_intent_review() does (p_text: the notes or the reason), for approve_training_sample() and reject_training_sample(); a NULL id: 22004; a row it did not update: P0002.';

CREATE OR REPLACE FUNCTION @extschema@.approve_training_sample(
    p_training_data_id uuid, p_reviewer_id uuid DEFAULT NULL, p_notes text DEFAULT NULL)
RETURNS jsonb
LANGUAGE plpgsql VOLATILE PARALLEL UNSAFE
SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
    PERFORM intent_internal._pg_intent_review_sample(p_training_data_id, 'approve', p_notes, p_reviewer_id);
    RETURN (SELECT jsonb_build_object('training_data_id', t.id, 'dataset_status', t.dataset_status,
                                      'intent', coalesce(t.correct_intent, t.detected_intent))
              FROM @extschema@.ai_training_data AS t WHERE t.id = p_training_data_id);
END
$$;
COMMENT ON FUNCTION @extschema@.approve_training_sample(uuid, uuid, text) IS
    'Approves a training row: its label is right and it may train (dataset_status approved; a detection becomes intent_correct). It leaves the review queue; the decision is recorded in ai_review_actions. Unknown id: P0002; a row without an intent, or notes over 1024 bytes: 22023.';

CREATE OR REPLACE FUNCTION @extschema@.reject_training_sample(
    p_training_data_id uuid, p_reason text, p_reviewer_id uuid DEFAULT NULL)
RETURNS jsonb
LANGUAGE plpgsql VOLATILE PARALLEL UNSAFE
SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
    PERFORM intent_internal._pg_intent_review_sample(p_training_data_id, 'reject', p_reason, p_reviewer_id);
    RETURN (SELECT jsonb_build_object('training_data_id', t.id, 'dataset_status', t.dataset_status)
              FROM @extschema@.ai_training_data AS t WHERE t.id = p_training_data_id);
END
$$;
COMMENT ON FUNCTION @extschema@.reject_training_sample(uuid, text, uuid) IS
    'Rejects a training row with a reason: it never trains and leaves the review queue (dataset_status rejected, recorded in ai_review_actions). Unknown id: P0002; an empty reason, or one over 1024 bytes: 22023.';

CREATE OR REPLACE FUNCTION @extschema@.approve_training_samples(
    p_training_data_ids uuid[], p_reviewer_id uuid DEFAULT NULL, p_notes text DEFAULT NULL)
RETURNS jsonb
LANGUAGE sql VOLATILE PARALLEL UNSAFE
SET search_path = pg_catalog, pg_temp
AS $$
    SELECT intent_internal._pg_intent_review(p_training_data_ids, 'approve', p_notes, p_reviewer_id)
$$;
COMMENT ON FUNCTION @extschema@.approve_training_samples(uuid[], uuid, text) IS
    'Approves up to 10000 rows at once (a NULL id: 22004; notes of at most 1024 bytes, recorded for each row); returns {"action": "approve", "updated": n, "missing": [the other ids: rows that do not exist, that row-level security hides, or that it does not let the caller update]}.';

CREATE OR REPLACE FUNCTION @extschema@.reject_training_samples(
    p_training_data_ids uuid[], p_reason text, p_reviewer_id uuid DEFAULT NULL)
RETURNS jsonb
LANGUAGE sql VOLATILE PARALLEL UNSAFE
SET search_path = pg_catalog, pg_temp
AS $$
    SELECT intent_internal._pg_intent_review(p_training_data_ids, 'reject', p_reason, p_reviewer_id)
$$;
COMMENT ON FUNCTION @extschema@.reject_training_samples(uuid[], text, uuid) IS
    'Rejects up to 10000 rows at once (a NULL id: 22004) with one reason (at most 1024 bytes, recorded for each row); returns {"action": "reject", "updated": n, "missing": [the other ids: rows that do not exist, that row-level security hides, or that it does not let the caller update]}.';
