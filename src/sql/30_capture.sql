-- Capture: logging interactions and human corrections.

-- -------------------------------------------------------------------------
-- normalize_intent_name: the one trimming of a label a caller passes
-- -------------------------------------------------------------------------

-- Every function that takes a label from its caller (record_interaction()'s
-- detection, submit_intent_correction()'s correction) trims it with this,
-- then holds it to is_valid_intent_name(): the same name pasted with a tab
-- or a line break is the same label on either path (0.3.1 trimmed spaces
-- only in a correction, and refused what a detection accepted). The ASCII
-- whitespace only (space, tab, line feed, vertical tab, form feed,
-- carriage return): any other character is part of the name, as for the
-- label rule. Public, not internal: those two functions run as their
-- caller and are open to PUBLIC, so what they call must be too. A
-- SQL-standard body, IMMUTABLE, as is_valid_intent_name().
CREATE OR REPLACE FUNCTION @extschema@.normalize_intent_name(p_name text)
RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE
-- Up to 64 kB, btrim() of the text: it takes any bytes PostgreSQL stores,
-- also those it never validated (COPY ... WITH (ENCODING 'SQL_ASCII') into a
-- UTF8 database), which a view trimming a classifier's labels reads. Beyond
-- that, btrim() of the bytes: btrim(text) in a multibyte database first
-- builds a pointer and a length for every character (12 bytes each), which
-- for a 100 MB label is 1.2 GB, while the bytes take 4 copies of the text at
-- most (public_fuzz.sh); convert_to() and convert_from() validate the
-- encoding, so such a text must be valid. The six characters are ASCII, and
-- in every server encoding an ASCII byte is only ever that character, so
-- both trim the same characters. SQL, not C: sessions that loaded an older
-- library keep running record_interaction() and submit_intent_correction()
-- after ALTER EXTENSION UPDATE (docs/install.md), and would not find a new
-- C symbol in it.
RETURN CASE WHEN pg_catalog.octet_length(p_name) OPERATOR(pg_catalog.<=) 65536
            THEN pg_catalog.btrim(p_name, E' \t\n\013\f\r')
            ELSE pg_catalog.convert_from(
                     pg_catalog.btrim(pg_catalog.convert_to(p_name, pg_catalog.getdatabaseencoding()), pg_catalog.decode('20090a0b0c0d', 'hex')),
                     pg_catalog.getdatabaseencoding())
       END;
COMMENT ON FUNCTION @extschema@.normalize_intent_name(text) IS
    'p_name as record_interaction() and submit_intent_correction() store a label they are passed: trimmed of ASCII whitespace (space, tab, line feed, vertical tab, form feed, carriage return) at both ends; every other character kept. Each then holds it to is_valid_intent_name(). NULL for NULL.';

-- -------------------------------------------------------------------------
-- record_interaction
-- -------------------------------------------------------------------------

-- Logs one interaction straight into ai_training_data (committed rows cannot
-- be lost, so the seed's in-memory buffer is not needed).
CREATE OR REPLACE FUNCTION @extschema@.record_interaction(
    p_user_message text,
    p_detected_intent text,
    p_confidence_score integer,
    p_ai_response text DEFAULT NULL,
    p_response_source text DEFAULT NULL,
    p_escalated boolean DEFAULT false,
    p_conversation_id uuid DEFAULT NULL,
    p_message_id uuid DEFAULT NULL,
    p_user_id uuid DEFAULT NULL,
    p_category text DEFAULT NULL,
    p_source text DEFAULT 'live')
RETURNS uuid
LANGUAGE plpgsql VOLATILE PARALLEL UNSAFE
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    v_id uuid;
    -- The detected intent as stored: trimmed (normalize_intent_name());
    -- blank, or "uncertain" (classify_intent()'s answer when it abstains,
    -- which an application naturally logs: it means no intent was
    -- detected), is NULL.
    v_intent text := nullif(nullif(@extschema@.normalize_intent_name(p_detected_intent), ''), 'uncertain');
BEGIN
    IF p_user_message IS NULL THEN
        RAISE EXCEPTION USING MESSAGE = intent_internal._pg_intent_error_words('p_user_message must not be null'),
                   ERRCODE = 'null_value_not_allowed';
    END IF;
    IF p_confidence_score IS NOT NULL AND p_confidence_score NOT BETWEEN 0 AND 100 THEN
        RAISE EXCEPTION USING MESSAGE = intent_internal._pg_intent_error_words('invalid value for parameter "p_confidence_score": %s', p_confidence_score),
                   ERRCODE = 'invalid_parameter_value',
                  DETAIL = intent_internal._pg_intent_error_words('The confidence score must be between 0 and 100.');
    END IF;
    IF p_source IS NULL THEN
        RAISE EXCEPTION USING MESSAGE = intent_internal._pg_intent_error_words('p_source must not be null'),
                   ERRCODE = 'null_value_not_allowed';
    END IF;
    IF p_source NOT IN ('live', 'imported', 'synthetic') THEN
        RAISE EXCEPTION USING MESSAGE = intent_internal._pg_intent_error_words('invalid value for parameter "p_source": "%s"', p_source),
                   ERRCODE = 'invalid_parameter_value',
                  DETAIL = intent_internal._pg_intent_error_words('The source must be live, imported or synthetic.');
    END IF;

    -- Any other name is_valid_intent_name() refuses (a control character
    -- inside it, over 256 bytes) is refused here, as the column's CHECK
    -- would, but with the reason: training would never read it.
    IF NOT @extschema@.is_valid_intent_name(v_intent) THEN
        RAISE EXCEPTION USING MESSAGE = intent_internal._pg_intent_error_words('invalid value for parameter "p_detected_intent": not a valid intent name'),
                   ERRCODE = 'invalid_parameter_value',
                  DETAIL = intent_internal._pg_intent_error_words('It has %s bytes; an intent name has at most 256 and no control characters.',
                                             octet_length(v_intent)),
                  HINT = intent_internal._pg_intent_error_words('Pass the intent classify_intent() or your classifier detected, or NULL for none.');
    END IF;

    -- The id is made here rather than read back with RETURNING, which would
    -- need SELECT on the table: a logging role needs INSERT only.
    v_id := pg_catalog.gen_random_uuid();
    INSERT INTO @extschema@.ai_training_data (
        id, user_message, detected_intent, confidence_score, ai_response, response_source,
        escalated, conversation_id, message_id, user_id, category, source)
    VALUES (
        v_id, p_user_message, v_intent, p_confidence_score, p_ai_response,
        p_response_source, coalesce(p_escalated, false), p_conversation_id, p_message_id,
        p_user_id, p_category, p_source);

    RETURN v_id;
END
$$;
COMMENT ON FUNCTION @extschema@.record_interaction(text, text, integer, text, text, boolean, uuid, uuid, uuid, text, text) IS
    'Records one assistant interaction in ai_training_data and returns its id. The detected intent is trimmed of ASCII whitespace (space, tab, line feed, vertical tab, form feed, carriage return: normalize_intent_name()); blank or "uncertain" (classify_intent()''s abstention) is stored as NULL, and any other name is_valid_intent_name() refuses raises 22023.';

-- -------------------------------------------------------------------------
-- submit_intent_correction
-- -------------------------------------------------------------------------

-- Stores a reviewer's correction on the row and in the corrections audit
-- table (whose trigger sets was_mismatch).
CREATE OR REPLACE FUNCTION @extschema@.submit_intent_correction(
    p_training_data_id uuid,
    p_correct_intent text,
    p_correct_response text DEFAULT NULL,
    p_should_escalate boolean DEFAULT NULL,
    p_notes text DEFAULT NULL,
    p_corrector_id uuid DEFAULT NULL)
RETURNS jsonb
LANGUAGE plpgsql VOLATILE PARALLEL UNSAFE
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    -- trimmed as record_interaction() trims a detection
    v_intent text := @extschema@.normalize_intent_name(p_correct_intent);
    v_original text;
    v_correction @extschema@.ai_intent_corrections;
BEGIN
    IF p_training_data_id IS NULL THEN
        RAISE EXCEPTION USING MESSAGE = intent_internal._pg_intent_error_words('p_training_data_id must not be null'),
                   ERRCODE = 'null_value_not_allowed';
    END IF;
    -- A required argument's NULL is 22004, as for every other function
    -- (0.3.1 answered it 22023, as an empty intent).
    IF p_correct_intent IS NULL THEN
        RAISE EXCEPTION USING MESSAGE = intent_internal._pg_intent_error_words('p_correct_intent must not be null'),
                   ERRCODE = 'null_value_not_allowed',
                  HINT = intent_internal._pg_intent_error_words('Pass the name of the intent the message really has.');
    END IF;
    IF v_intent = '' THEN
        RAISE EXCEPTION USING MESSAGE = intent_internal._pg_intent_error_words('invalid value for parameter "p_correct_intent": intent must not be empty'),
                   ERRCODE = 'invalid_parameter_value',
                  HINT = intent_internal._pg_intent_error_words('Pass the name of the intent the message really has.');
    END IF;
    -- Training leaves out rows whose label is longer (get_training_dataset()):
    -- a correction it would never use is refused, not stored.
    IF octet_length(v_intent) > 256 THEN
        RAISE EXCEPTION USING MESSAGE = intent_internal._pg_intent_error_words('invalid value for parameter "p_correct_intent": intent name is too long'),
                   ERRCODE = 'invalid_parameter_value',
                  DETAIL = intent_internal._pg_intent_error_words('It has %s bytes; an intent name has at most 256.', octet_length(v_intent)),
                  HINT = intent_internal._pg_intent_error_words('Pass the name of the intent the message really has.');
    END IF;
    -- The rest of the one rule (is_valid_intent_name()): no control
    -- character, and not "uncertain", which classify_intent() answers when it
    -- abstains.
    IF NOT @extschema@.is_valid_intent_name(v_intent) THEN
        RAISE EXCEPTION USING MESSAGE = intent_internal._pg_intent_error_words('invalid value for parameter "p_correct_intent": "%s" is not a valid intent name', v_intent),
                   ERRCODE = 'invalid_parameter_value',
                  DETAIL = intent_internal._pg_intent_error_words('An intent name has no leading or trailing whitespace, no control characters, and is not "uncertain" (what classify_intent() answers when it abstains).'),
                  HINT = intent_internal._pg_intent_error_words('Pass the name of the intent the message really has.');
    END IF;

    SELECT t.detected_intent INTO v_original
      FROM @extschema@.ai_training_data AS t
     WHERE t.id = p_training_data_id
       FOR UPDATE;
    IF NOT FOUND THEN
        RAISE EXCEPTION USING MESSAGE = intent_internal._pg_intent_error_words('training data row %s does not exist', p_training_data_id),
                   ERRCODE = 'no_data_found';
    END IF;

    -- The audit row first, then the change: for a role other than the owner
    -- the table's trigger (_pg_intent_stamp_audit()) lets the label change
    -- only when this actor's correction row for it exists, and stamps who
    -- and when (p_corrector_id is kept only without a JWT subject).
    INSERT INTO @extschema@.ai_intent_corrections (training_data_id, original_intent, corrected_intent, notes, corrected_by)
    VALUES (p_training_data_id, v_original, v_intent, p_notes, p_corrector_id)
    RETURNING * INTO v_correction;

    -- A stored detected intent is_valid_intent_name() refuses (0.2.0 stored
    -- them) is no intent: the same statement sets it to NULL, so that the
    -- corrected row passes the CHECK constraint; ai_intent_corrections.
    -- original_intent keeps it. Only then does the statement name the
    -- column, so only then does it need UPDATE on detected_intent, which the
    -- README's recipe gives administrators, not reviewers.
    IF @extschema@.is_valid_intent_name(v_original) IS NOT FALSE THEN
        UPDATE @extschema@.ai_training_data AS t
           SET correct_intent     = v_intent,
               correct_response   = coalesce(p_correct_response, t.correct_response),
               should_escalate    = coalesce(p_should_escalate, t.should_escalate),
               corrected_by_human = true,
               intent_correct     = (t.detected_intent IS NOT DISTINCT FROM v_intent),
               corrected_by       = v_correction.corrected_by,
               corrected_at       = now(),
               dataset_status     = 'reviewed'
         WHERE t.id = p_training_data_id;
    ELSE
        UPDATE @extschema@.ai_training_data AS t
           SET correct_intent     = v_intent,
               detected_intent    = NULL,
               correct_response   = coalesce(p_correct_response, t.correct_response),
               should_escalate    = coalesce(p_should_escalate, t.should_escalate),
               corrected_by_human = true,
               intent_correct     = false,
               corrected_by       = v_correction.corrected_by,
               corrected_at       = now(),
               dataset_status     = 'reviewed'
         WHERE t.id = p_training_data_id;
    END IF;

    RETURN jsonb_build_object(
        'training_data_id', p_training_data_id,
        'correction_id', v_correction.id,
        'original_intent', v_correction.original_intent,
        'corrected_intent', v_correction.corrected_intent,
        'was_mismatch', v_correction.was_mismatch);
END
$$;
COMMENT ON FUNCTION @extschema@.submit_intent_correction(uuid, text, text, boolean, text, uuid) IS
    'Records a human intent correction: updates the row (correct_intent, intent_correct, corrected_by_human, dataset_status reviewed) and logs it in ai_intent_corrections. The intent is trimmed of ASCII whitespace (space, tab, line feed, vertical tab, form feed, carriage return: normalize_intent_name()); NULL: 22004; blank or one is_valid_intent_name() refuses: 22023; unknown id: P0002. Returns {training_data_id, correction_id, original_intent, corrected_intent, was_mismatch}.';

