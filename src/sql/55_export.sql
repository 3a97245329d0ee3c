-- Dataset export (operations).

------------------------------------------------------------------------------
-- Export
------------------------------------------------------------------------------

-- Internal: one CSV field per RFC 4180 (quoted only when needed). A field
-- that starts with =, +, -, @, TAB or CR gets a leading single quote, as
-- OWASP recommends against CSV injection: the texts are end users' messages,
-- and a spreadsheet opening the file would run "=HYPERLINK(...)" as a
-- formula. The quote shows in the cell. A field that starts with a single
-- quote gets one too, so that every field starting with a quote had one
-- added and a reader gets the text back by removing exactly one: without
-- it, the messages '-5 and -5 were both written '-5 and could not be told
-- apart. An empty text is written "" and NULL as nothing, the convention of
-- PostgreSQL's CSV reader (and others'): both were written as nothing, so an
-- empty message came back NULL (refused by a NOT NULL column) and an empty
-- response as none.
CREATE OR REPLACE FUNCTION intent_internal._pg_intent_csv_field(p_value text)
RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE
SET search_path = pg_catalog, pg_temp
AS $$
    SELECT CASE
        WHEN v.f IS NULL THEN ''
        WHEN v.f = '' THEN '""'
        WHEN strpos(v.f, ',') > 0 OR strpos(v.f, '"') > 0
          OR strpos(v.f, chr(10)) > 0 OR strpos(v.f, chr(13)) > 0
            THEN '"' || replace(v.f, '"', '""') || '"'
        ELSE v.f END
    FROM (SELECT CASE WHEN left(p_value, 1) IN ('=', '+', '-', '@', chr(9), chr(13), '''')
                      THEN '''' || p_value ELSE p_value END AS f) AS v
$$;
COMMENT ON FUNCTION intent_internal._pg_intent_csv_field(text) IS
    'Internal: one CSV field: a leading =, +, -, @, TAB, CR or single quote gets a single quote before it (OWASP, against formula injection; a field that starts with a quote had one added, so removing one gives the text back), then it is quoted per RFC 4180 when it holds a comma, quote, CR or LF (quotes doubled); an empty text becomes "" and NULL an empty field, as PostgreSQL''s CSV reader tells them apart.';

-- Internal: the rule of which training rows an export may write, and
-- their output column names (row_to_json uses them as keys), with fits:
-- whether the row is small enough to be written. The one statement of
-- both, read by _pg_intent_export_rows() (the rows written) and by
-- export_training_dataset()'s warning (the rows left out), so that the two
-- cannot disagree.
--   The training rows are ai_training_data.training_label and .is_reviewed,
-- the definition training reads: no rejected row, none judged wrong
-- without a correction, no label is_valid_intent_name() refuses. Reviewed
-- is is_reviewed (status reviewed or approved included). The policy's
-- bounds on what one run reads (max_training_rows, max_unreviewed_rows and
-- the classes of unreviewed labels) are not applied: an export is the
-- curated dataset, not one run's window.
--   A row whose message, response and category hold more than
-- _pg_intent_export_max_row_bytes() (1 MB) together does not fit: any role
-- that may log interactions writes these texts, and one message of chr(1)
-- escapes to six times its size in JSON, so a logged row could make a line
-- over PostgreSQL's 1 GB limit and fail every export. Bounded so, a jsonl
-- line holds at most 6 MB of escaped text, a csv line 2 MB. octet_length()
-- reads a stored value's size without decompressing it, so a row left out
-- costs no more than a small one.
--   A SQL-standard body without a SET clause: names are bound at creation
-- (no caller's search_path is read) and the planner inlines it, so the
-- warning's count reads no text column.
CREATE OR REPLACE FUNCTION intent_internal._pg_intent_export_max_row_bytes()
RETURNS integer
LANGUAGE sql IMMUTABLE PARALLEL SAFE
RETURN 1048576;
COMMENT ON FUNCTION intent_internal._pg_intent_export_max_row_bytes() IS
    'Internal: 1048576, the most bytes a training row''s message, response and category may hold together to be exported (_pg_intent_export_candidates()''s fits).';

CREATE OR REPLACE FUNCTION intent_internal._pg_intent_export_candidates(
    p_min_confidence integer, p_only_reviewed boolean, p_min_quality integer)
RETURNS TABLE (id uuid, text text, intent text, detected_intent text, correct_intent text,
               confidence_score integer, corrected_by_human boolean, escalated boolean,
               response text, category text, source text, quality_score smallint,
               created_at timestamptz, fits boolean)
LANGUAGE sql STABLE PARALLEL SAFE
BEGIN ATOMIC
    SELECT d.id, d.user_message, d.training_label,
           d.detected_intent, d.correct_intent, d.confidence_score,
           coalesce(d.corrected_by_human, false), coalesce(d.escalated, false),
           coalesce(d.correct_response, d.ai_response),
           d.category, d.source, d.quality_score, d.created_at,
           pg_catalog.octet_length(d.user_message)::bigint  -- bigint: three values of up to 1 GB
             OPERATOR(pg_catalog.+) coalesce(pg_catalog.octet_length(coalesce(d.correct_response, d.ai_response)), 0)
             OPERATOR(pg_catalog.+) coalesce(pg_catalog.octet_length(d.category), 0)
             OPERATOR(pg_catalog.<=) intent_internal._pg_intent_export_max_row_bytes()
    FROM @extschema@.ai_training_data AS d
    WHERE d.training_label IS NOT NULL
      AND (NOT p_only_reviewed OR d.is_reviewed)
      AND (d.is_reviewed OR coalesce(d.confidence_score, 0) OPERATOR(pg_catalog.>=) p_min_confidence)
      AND (p_min_quality IS NULL OR d.quality_score OPERATOR(pg_catalog.>=) p_min_quality);
END;
COMMENT ON FUNCTION intent_internal._pg_intent_export_candidates(integer, boolean, integer) IS
    'Internal: the training rows an export may write (intent = training_label: the correction, else the detection; rows without a valid label, rejected or judged wrong without a correction left out; p_only_reviewed keeps is_reviewed rows; p_min_confidence only for unreviewed rows; p_min_quality keeps quality_score >= it), with fits: false for a row whose message, response and category hold more than _pg_intent_export_max_row_bytes() (1048576) bytes together, which no export writes, so that no logged row makes a line over PostgreSQL''s 1 GB limit. The one rule of _pg_intent_export_rows() and of export_training_dataset()''s warning.';

-- Internal: the rows export_training_dataset() writes: the candidates that
-- fit.
CREATE OR REPLACE FUNCTION intent_internal._pg_intent_export_rows(
    p_min_confidence integer, p_only_reviewed boolean, p_min_quality integer)
RETURNS TABLE (id uuid, text text, intent text, detected_intent text, correct_intent text,
               confidence_score integer, corrected_by_human boolean, escalated boolean,
               response text, category text, source text, quality_score smallint,
               created_at timestamptz)
LANGUAGE sql STABLE PARALLEL SAFE
SET search_path = pg_catalog, pg_temp
AS $$
    SELECT c.id, c.text, c.intent, c.detected_intent, c.correct_intent, c.confidence_score,
           c.corrected_by_human, c.escalated, c.response, c.category, c.source,
           c.quality_score, c.created_at
    FROM intent_internal._pg_intent_export_candidates(p_min_confidence, p_only_reviewed, p_min_quality) AS c
    WHERE c.fits
$$;
COMMENT ON FUNCTION intent_internal._pg_intent_export_rows(integer, boolean, integer) IS
    'Internal: the training rows export_training_dataset() writes: _pg_intent_export_candidates() that fit (rows whose message, response and category hold more than 1048576 bytes together left out, so that no logged row makes a line over PostgreSQL''s 1 GB limit).';

-- Exports the curated dataset as JSON Lines, CSV or chat fine-tuning JSONL.
CREATE OR REPLACE FUNCTION @extschema@.export_training_dataset(
    p_format text DEFAULT 'jsonl',
    p_min_confidence integer DEFAULT 0,
    p_only_reviewed boolean DEFAULT false,
    p_min_quality integer DEFAULT NULL)
RETURNS SETOF text
LANGUAGE plpgsql STABLE PARALLEL SAFE
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    v_prompt text;
    v_prompt_id uuid;
    v_prompt_version integer;
    v_left_out bigint;
    v_left_out_ids uuid[];
BEGIN
    IF p_format IS NULL THEN
        RAISE EXCEPTION USING MESSAGE = intent_internal._pg_intent_error_words('p_format must not be null'), ERRCODE = '22004';
    END IF;
    IF p_format NOT IN ('jsonl', 'csv', 'chat_jsonl') THEN
        RAISE EXCEPTION USING MESSAGE = intent_internal._pg_intent_error_words('invalid value for p_format: "%s"', p_format),
                   ERRCODE = '22023', HINT = intent_internal._pg_intent_error_words('Use jsonl, csv or chat_jsonl.');
    END IF;
    IF p_min_confidence IS NULL THEN
        RAISE EXCEPTION USING MESSAGE = intent_internal._pg_intent_error_words('p_min_confidence must not be null'), ERRCODE = '22004';
    END IF;
    IF p_min_confidence NOT BETWEEN 0 AND 100 THEN
        RAISE EXCEPTION USING MESSAGE = intent_internal._pg_intent_error_words('invalid value for p_min_confidence: %s', p_min_confidence),
                   ERRCODE = '22023', DETAIL = intent_internal._pg_intent_error_words('p_min_confidence must be between 0 and 100.');
    END IF;
    IF p_only_reviewed IS NULL THEN
        RAISE EXCEPTION USING MESSAGE = intent_internal._pg_intent_error_words('p_only_reviewed must not be null'), ERRCODE = '22004';
    END IF;
    IF p_min_quality IS NOT NULL AND p_min_quality NOT BETWEEN 1 AND 5 THEN
        RAISE EXCEPTION USING MESSAGE = intent_internal._pg_intent_error_words('invalid value for p_min_quality: %s', p_min_quality),
                   ERRCODE = '22023', DETAIL = intent_internal._pg_intent_error_words('p_min_quality must be between 1 and 5, or NULL for no filter.');
    END IF;

    -- The rows that do not fit (_pg_intent_export_candidates(), the rule of
    -- the rows written; chat_jsonl skips rows without a response anyway)
    -- are named, not written: whoever exports learns that the file lacks
    -- them, and which, without any of their text being read.
    WITH left_out AS (
        SELECT c.id, c.created_at
        FROM intent_internal._pg_intent_export_candidates(p_min_confidence, p_only_reviewed, p_min_quality) AS c
        WHERE NOT c.fits
          AND (p_format <> 'chat_jsonl' OR c.response IS NOT NULL))
    SELECT (SELECT count(*) FROM left_out),
           ARRAY(SELECT l.id FROM left_out l ORDER BY l.created_at, l.id LIMIT 5)
      INTO v_left_out, v_left_out_ids;
    IF v_left_out > 0 THEN
        RAISE WARNING USING MESSAGE = intent_internal._pg_intent_error_words('training rows left out of the export: %s (their message, response and category hold more than %s bytes together)',
                                                                      v_left_out, intent_internal._pg_intent_export_max_row_bytes()),
              ERRCODE = '01000',
              DETAIL = intent_internal._pg_intent_error_words('The first, oldest first: %s.', array_to_string(v_left_out_ids, ', ')),
              HINT = intent_internal._pg_intent_error_words('Shorten or delete them in ai_training_data to export them.');
    END IF;

    IF p_format = 'jsonl' THEN
        -- row_to_json escapes every string per RFC 8259 and keeps the column order
        RETURN QUERY
        SELECT row_to_json(r)::text
        FROM intent_internal._pg_intent_export_rows(p_min_confidence, p_only_reviewed, p_min_quality) r
        ORDER BY r.created_at, r.id;
    ELSIF p_format = 'csv' THEN
        RETURN NEXT 'id,text,intent,detected_intent,correct_intent,confidence_score,'
                    'corrected_by_human,escalated,response,category,source,quality_score,created_at';
        RETURN QUERY
        SELECT concat_ws(',',
            r.id::text,
            intent_internal._pg_intent_csv_field(r.text),
            intent_internal._pg_intent_csv_field(r.intent),
            intent_internal._pg_intent_csv_field(r.detected_intent),
            intent_internal._pg_intent_csv_field(r.correct_intent),
            coalesce(r.confidence_score::text, ''),
            r.corrected_by_human::text,
            r.escalated::text,
            intent_internal._pg_intent_csv_field(r.response),
            intent_internal._pg_intent_csv_field(r.category),
            intent_internal._pg_intent_csv_field(r.source),
            coalesce(r.quality_score::text, ''),
            to_json(r.created_at) #>> '{}')  -- ISO 8601 whatever the DateStyle
        FROM intent_internal._pg_intent_export_rows(p_min_confidence, p_only_reviewed, p_min_quality) r
        ORDER BY r.created_at, r.id;
    ELSE
        SELECT pv.id, pv.system_prompt, pv.version INTO v_prompt_id, v_prompt, v_prompt_version
        FROM @extschema@.ai_prompt_versions pv
        WHERE pv.is_active
        ORDER BY pv.created_at DESC, pv.id DESC
        LIMIT 1;
        RETURN QUERY
        SELECT json_build_object(
            'messages',
            CASE WHEN v_prompt IS NOT NULL THEN
                json_build_array(json_build_object('role', 'system', 'content', v_prompt),
                                 json_build_object('role', 'user', 'content', r.text),
                                 json_build_object('role', 'assistant', 'content', r.response))
            ELSE
                json_build_array(json_build_object('role', 'user', 'content', r.text),
                                 json_build_object('role', 'assistant', 'content', r.response))
            END,
            'metadata', json_build_object(
                'id', r.id, 'intent', r.intent, 'detected_intent', r.detected_intent,
                'corrected_by_human', r.corrected_by_human, 'confidence_score', r.confidence_score,
                'quality_score', r.quality_score, 'category', r.category, 'source', r.source,
                'escalated', r.escalated, 'prompt_version_id', v_prompt_id,
                'prompt_version', v_prompt_version))::text
        FROM intent_internal._pg_intent_export_rows(p_min_confidence, p_only_reviewed, p_min_quality) r
        WHERE r.response IS NOT NULL
        ORDER BY r.created_at, r.id;
    END IF;
END
$$;
COMMENT ON FUNCTION @extschema@.export_training_dataset(text, integer, boolean, integer) IS
    'Exports the training rows (intent = training_label: correction, else detection; rejected rows, rows judged wrong without a correction and labels is_valid_intent_name() refuses left out; p_only_reviewed keeps rows a person corrected, judged, reviewed or approved; p_min_confidence applies to unreviewed rows; p_min_quality keeps rows with quality_score >= it), oldest first, one line per row: jsonl, csv (header + RFC 4180 quoting; a text field starting with =, +, -, @, TAB, CR or a single quote gets a single quote in front, against formula injection: remove one leading quote to read it back) or chat_jsonl ({"messages": [system?, user, assistant], "metadata": {...}}, corrected response preferred, system prompt from the active ai_prompt_versions row, rows without a response skipped). A row whose message, response and category hold more than 1 MB (1048576 bytes) together is left out, so that a line holds at most 6 MB of escaped text (chat_jsonl: plus the system prompt) and no logged row makes the export fail or costly; a WARNING (SQLSTATE 01000) gives their number and the first five ids, oldest first. Write it with psql -AtX, not COPY text format (which escapes backslashes).';

