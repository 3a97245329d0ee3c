-- Training reports (operations).

------------------------------------------------------------------------------
-- Training report
------------------------------------------------------------------------------

-- Internal: a typographic character for report text in a UTF8 database, or
-- its ASCII stand-in in any other (LATIN1 has no en dash). The install
-- scripts are ASCII, so that they load in every server encoding (EUC_JP
-- refused 0.2.0's en dashes); the characters are made here instead.
-- IMMUTABLE: a database's encoding never changes.
-- PL/pgSQL, not a SQL expression: chr() of a code point the database's
-- encoding cannot hold raises (54000), and a planner that folds constants
-- evaluates every arm of a CASE, the one the encoding never takes included.
-- PostgreSQL 18 plans a SQL function's statement with its arguments as
-- constants, so in a SQL_ASCII database chr(8211) was folded and every
-- report failed; a PL/pgSQL branch is planned only when it runs.
CREATE OR REPLACE FUNCTION intent_internal._pg_intent_glyph(p_code integer, p_ascii text)
RETURNS text
LANGUAGE plpgsql IMMUTABLE PARALLEL SAFE
SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
    IF pg_catalog.getdatabaseencoding() OPERATOR(pg_catalog.=) 'UTF8' THEN
        RETURN pg_catalog.chr(p_code);
    END IF;
    RETURN p_ascii;
END
$$;
COMMENT ON FUNCTION intent_internal._pg_intent_glyph(integer, text) IS
    'Internal: the character with this code point in a UTF8 database, else the ASCII stand-in p_ascii (report text).';

-- Internal: a number for Markdown, or a dash when missing, written as the
-- report's language writes numbers (intent_output_number()).
CREATE OR REPLACE FUNCTION intent_internal._pg_intent_md_num(p_value numeric, p_digits integer DEFAULT 3)
RETURNS text
LANGUAGE sql STABLE PARALLEL SAFE
SET search_path = pg_catalog, pg_temp
AS $$
    SELECT coalesce(@extschema@.intent_output_number(round(p_value, p_digits), @extschema@.intent_output_language()),
                    intent_internal._pg_intent_glyph(8211, '-'))
$$;
COMMENT ON FUNCTION intent_internal._pg_intent_md_num(numeric, integer) IS
    'Internal: rounds a number for the Markdown report, with the decimal mark of intent_output_language() (a comma in Spanish); NULL becomes an en dash (a hyphen in a database that is not UTF8).';

-- Internal: text made safe for one Markdown table cell, or for a line of
-- report text. The texts are end users' messages (any anon caller logs
-- them) and intent names: nothing in them may become markup. Line breaks and
-- tabs become spaces (a cell is one line); the characters with a meaning in
-- CommonMark or GitHub's tables, \ ` * _ { } [ ] ( ) # + - . ! | ~, get a
-- backslash (CommonMark allows one before any ASCII punctuation), so links,
-- images (![p](https://...) was a tracking pixel in 0.2.0), emphasis, code
-- spans, headings, list markers, strikethrough and pipes show as text; &, <
-- and > become entities, so neither raw HTML nor an entity is read.
-- The patterns are E'' strings: a plain '\\' is read when the body is
-- parsed, in the caller's session, and with standard_conforming_strings off
-- the backslashes became escapes (every escaped character turned into
-- chr(1), "payment_issue" into "payment\<U+0001>issue").
CREATE OR REPLACE FUNCTION intent_internal._pg_intent_md_cell(p_value text, p_max integer DEFAULT 120)
RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE
SET search_path = pg_catalog, pg_temp
AS $$
    SELECT CASE WHEN p_value IS NULL THEN intent_internal._pg_intent_glyph(8211, '-') ELSE
        replace(replace(replace(regexp_replace(regexp_replace(
            CASE WHEN length(p_value) > p_max THEN left(p_value, p_max - length(intent_internal._pg_intent_glyph(8230, '...'))) || intent_internal._pg_intent_glyph(8230, '...') ELSE p_value END,
            E'[\\r\\n\\t\\v\\f]+', ' ', 'g'),
            E'([][\\\\`*_{}()#+.!|~-])', E'\\\\\\1', 'g'),
            '&', '&amp;'), '<', '&lt;'), '>', '&gt;') END
$$;
COMMENT ON FUNCTION intent_internal._pg_intent_md_cell(text, integer) IS
    'Internal: shortens text and makes it show as text in one Markdown table cell: line breaks and tabs become spaces, the characters Markdown gives a meaning (\ ` * _ { } [ ] ( ) # + - . ! | ~) are backslash-escaped (links, images, emphasis, pipes), &, < and > become entities.';

-- Internal: the text of one misclassified example of a stored report, read
-- with the caller's rights. 0.2.0 reports name the ai_training_data row
-- (training_data_id), not its text, so a report never shows a message its
-- reader could not SELECT: without SELECT on ai_training_data, hidden is
-- 'no access'; when the row is gone or row-level security hides it, 'not
-- visible'. 0.1.0-style items carry their text. PL/pgSQL, so that the query
-- on ai_training_data is planned only when the caller may read the table (a
-- query naming it at all fails its privilege check, whatever a CASE says).
-- A named classifier's items name their source row by its key (row_key) and
-- carry no text: hidden is 'not stored'. The source is not read here: read
-- as the caller, a view's functions, row-level security policies and a key
-- domain's checks (the source definer's code) would run with the reader's
-- rights, and which relation is a classifier's source is not shown to
-- callers; get_classifier_review_queue() reads texts by key as the
-- classifier's owner, for a caller with its train right.
CREATE OR REPLACE FUNCTION intent_internal._pg_intent_report_message(p_item jsonb, OUT message text, OUT hidden text)
RETURNS record
LANGUAGE plpgsql STABLE PARALLEL SAFE
SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
    IF p_item ? 'text' THEN
        message := p_item ->> 'text';
        RETURN;
    END IF;
    IF p_item ? 'row_key' AND NOT p_item ? 'training_data_id' THEN
        hidden := 'not stored';
        RETURN;
    END IF;
    IF NOT has_table_privilege('@extschema@.ai_training_data', 'SELECT') THEN
        hidden := 'no access';
        RETURN;
    END IF;
    SELECT d.user_message INTO message
      FROM @extschema@.ai_training_data AS d
     WHERE d.id = (p_item ->> 'training_data_id')::uuid;
    IF NOT FOUND THEN
        hidden := 'not visible';
    END IF;
END
$$;
COMMENT ON FUNCTION intent_internal._pg_intent_report_message(jsonb) IS
    'Internal: the message of a misclassified example of a training report, read with the caller''s rights; hidden is ''no access'' without SELECT on ai_training_data, ''not visible'' when the row is gone or row-level security hides it, and ''not stored'' for a named classifier''s example (its report keeps the source row''s key, row_key, not its text).';

-- A report of a training run (by default the built-in classifier's latest,
-- the run train_intent_model() made last; a named classifier's run is asked
-- for by its id): Markdown, or one self-contained HTML page with charts
-- (59_report_html.sql).
CREATE OR REPLACE FUNCTION @extschema@.training_report(p_run_id uuid DEFAULT NULL, p_format text DEFAULT 'markdown')
RETURNS text
LANGUAGE plpgsql STABLE PARALLEL SAFE
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    r @extschema@.ai_training_runs%ROWTYPE;
    v_version text;
    v_rep jsonb;
    v_m jsonb;
    v_b jsonb;
    v_out text[] := '{}';
    v_lines text[];
    v_line text;
    v_where text;
    -- 0.1.0's report shape (src/sql/17_compat_010.sql): a 70/15/15 split, no
    -- "evaluation" object; 0.2.0's: out-of-fold predictions, then a refit
    v_report_010 boolean; -- COMPAT(0.1.0) a report of 0.1.0's shape (src/sql/17_compat_010.sql)
    c_dash CONSTANT text := intent_internal._pg_intent_glyph(8211, '-'); -- a missing value
    -- the report and its hints are worded in intent_output_language(); the
    -- Markdown syntax, intent names, codes and numbers stay as they are
    v_lang CONSTANT text := @extschema@.intent_output_language();
    v_where_text text;
    -- ".labels": the texts of a label classifier's report (Labels, By label;
    -- src/core/report_text.cpp), whose rows hold labels such as `escalated`
    -- true/false; the intent classifier's keeps its intents
    v_words text;
BEGIN
    IF p_format IS NULL THEN
        RAISE EXCEPTION USING MESSAGE = intent_internal._pg_intent_error_words('p_format must not be null'), ERRCODE = '22004', HINT = @extschema@.intent_output_text('md_hint_format', v_lang);
    END IF;
    IF p_format NOT IN ('markdown', 'html') THEN
        RAISE EXCEPTION USING MESSAGE = intent_internal._pg_intent_error_words('invalid value for p_format: "%s"', p_format),
                   ERRCODE = '22023', HINT = @extschema@.intent_output_text('md_hint_format', v_lang);
    END IF;
    IF p_run_id IS NULL THEN
        SELECT * INTO r FROM @extschema@.ai_training_runs WHERE classifier = 'intent' ORDER BY started_at DESC, id LIMIT 1;
        IF NOT FOUND THEN
            RAISE EXCEPTION USING MESSAGE = intent_internal._pg_intent_error_words('no training run found'),
                       ERRCODE = 'P0002', HINT = @extschema@.intent_output_text('md_hint_train', v_lang);
        END IF;
    ELSE
        SELECT * INTO r FROM @extschema@.ai_training_runs WHERE id = p_run_id;
        IF NOT FOUND THEN
            RAISE EXCEPTION USING MESSAGE = intent_internal._pg_intent_error_words('training run %s not found', p_run_id), ERRCODE = 'P0002';
        END IF;
    END IF;
    IF p_format = 'html' THEN
        RETURN intent_internal._pg_intent_report_html(r.id);
    END IF;
    SELECT m.version INTO v_version FROM @extschema@.ai_intent_models m WHERE m.id = r.model_id;
    v_rep := coalesce(r.metrics, '{}'::jsonb);
    v_m := coalesce(v_rep -> 'metrics', '{}'::jsonb);
    v_b := v_rep -> 'baseline_metrics';
    v_report_010 := NOT (v_rep ? 'evaluation');
    -- where the figures come from: out-of-fold predictions (0.2.0) or 0.1.0's test split
    v_where := CASE WHEN v_report_010 THEN 'test split' ELSE 'out-of-fold' END;
    v_words := CASE WHEN r.classifier IS DISTINCT FROM 'intent' THEN '.labels' ELSE '' END;
    v_where_text := @extschema@.intent_output_text(CASE WHEN v_where = 'out-of-fold' THEN 'out_of_fold' ELSE 'test_split' END, v_lang);

    -- Every text here is _pg_intent_md_cell()'s, the version too: a
    -- partition model's names its partition, which comes from the rows.
    v_out := v_out || format(@extschema@.intent_output_text('md_title', v_lang), intent_internal._pg_intent_md_cell(coalesce(r.run_name, r.id::text), 200))
                   || ''::text
                   || format(@extschema@.intent_output_text('md_run', v_lang), r.id, coalesce(r.run_type, c_dash))
                   || format(@extschema@.intent_output_text('md_status', v_lang),
                             CASE WHEN r.status IN ('completed', 'failed', 'running')
                                  THEN @extschema@.intent_output_text('status_' || r.status, v_lang) ELSE r.status END)
                   || format(@extschema@.intent_output_text('md_started', v_lang),
                             to_char(r.started_at, 'YYYY-MM-DD HH24:MI:SS TZ'),
                             intent_internal._pg_intent_md_num(r.duration_seconds::numeric, 1))
                   || format(@extschema@.intent_output_text('md_model', v_lang), CASE WHEN r.model_id IS NULL THEN @extschema@.intent_output_text('none', v_lang)
                                                     ELSE format('%s (%s)', r.model_id, intent_internal._pg_intent_md_cell(v_version, 300)) END);
    IF r.status <> 'completed' THEN
        IF r.error IS NOT NULL THEN
            v_out := v_out || format(@extschema@.intent_output_text('md_error', v_lang), intent_internal._pg_intent_md_cell(r.error, 500));
        END IF;
        -- a run that failed before training (or is still running) has nothing more to show
        IF r.training_samples IS NULL AND NOT v_rep ? 'metrics' THEN
            RETURN array_to_string(v_out, E'\n') || E'\n';
        END IF;
    END IF;

    v_out := v_out || ''::text || @extschema@.intent_output_text('md_data', v_lang) || ''::text;
    IF NOT v_report_010 THEN
        -- 0.2.0: out-of-fold evaluation, then a refit on every usable row.
        v_out := v_out
            || format(@extschema@.intent_output_text('md_rows', v_lang),
                      coalesce(v_rep ->> 'usable_rows', r.training_samples::text, c_dash),
                      coalesce(v_rep ->> 'input_rows', c_dash),
                      coalesce(r.training_samples::text, c_dash))
            || format(@extschema@.intent_output_text('md_evaluation', v_lang),
                      CASE v_rep #>> '{evaluation,method}'
                          WHEN 'cross_validation' THEN format(@extschema@.intent_output_text('md_cv', v_lang),
                                                              v_rep #>> '{evaluation,folds}', coalesce(r.validation_samples::text, c_dash))
                          WHEN 'holdout' THEN format(@extschema@.intent_output_text('md_holdout', v_lang), coalesce(r.validation_samples::text, c_dash))
                          ELSE coalesce(intent_internal._pg_intent_md_cell(v_rep #>> '{evaluation,method}'), @extschema@.intent_output_text('none', v_lang)) END)
            || format(@extschema@.intent_output_text('md_intents' || v_words, v_lang), coalesce(r.total_intents::text, c_dash));
    ELSE
        -- 0.1.0 runs: one 70/15/15 split.
        v_out := v_out || @extschema@.intent_output_text('md_split_header', v_lang) || '|---|---:|'::text
                       || format('| %s | %s |', @extschema@.intent_output_text('md_split_training', v_lang), coalesce(r.training_samples::text, c_dash))
                       || format('| %s | %s |', @extschema@.intent_output_text('md_split_validation', v_lang), coalesce(r.validation_samples::text, c_dash))
                       || format('| %s | %s |', @extschema@.intent_output_text('md_split_test', v_lang), coalesce(r.test_samples::text, c_dash))
                       || ''::text
                       || format(@extschema@.intent_output_text('md_intents' || v_words, v_lang), coalesce(r.total_intents::text, c_dash));
    END IF;
    IF v_rep ? 'duplicates_removed' OR v_rep ? 'conflicts_resolved' OR v_rep ? 'empty_removed' THEN
        v_out := v_out || format(@extschema@.intent_output_text('md_cleaning', v_lang),
                                 coalesce(v_rep ->> 'duplicates_removed', '0'),
                                 coalesce(v_rep ->> 'conflicts_resolved', '0'),
                                 coalesce(v_rep ->> 'empty_removed', '0'));
    END IF;
    -- a classifier's rows whose key an earlier row of the run held (metrics.rows_duplicate_key)
    IF (v_rep ->> 'rows_duplicate_key')::bigint > 0 THEN
        v_out := v_out || format(@extschema@.intent_output_text('md_duplicate_keys', v_lang), v_rep ->> 'rows_duplicate_key');
    END IF;
    IF jsonb_typeof(v_rep -> 'small_classes') = 'array' AND jsonb_array_length(v_rep -> 'small_classes') > 0 THEN
        v_out := v_out || format(@extschema@.intent_output_text('md_small_classes', v_lang),
            (SELECT string_agg(intent_internal._pg_intent_md_cell(x #>> '{}'), ', ')
             FROM jsonb_array_elements(v_rep -> 'small_classes') x));
    END IF;

    v_out := v_out || ''::text || format(@extschema@.intent_output_text('md_headline', v_lang), v_where_text) || ''::text
                   || @extschema@.intent_output_text('md_metric_header', v_lang) || '|---|---:|---:|---:|'::text;
    FOR v_line IN
        SELECT format('| %s | %s | %s | %s |', @extschema@.intent_output_text(k.label, v_lang),
                      intent_internal._pg_intent_md_num(k.new_v), intent_internal._pg_intent_md_num(k.base_v),
                      CASE WHEN k.new_v IS NULL OR k.base_v IS NULL THEN c_dash
                           ELSE pg_catalog.translate(to_char(round(k.new_v - k.base_v, 3), 'SG0.000'), '.',
                                                      @extschema@.intent_output_text('number_decimal_mark', v_lang)) END)
        FROM (VALUES
            (1, 'md_m_accuracy', coalesce(r.intent_accuracy::numeric, (v_m ->> 'accuracy')::numeric),
                coalesce(r.baseline_intent_accuracy::numeric, (v_b ->> 'accuracy')::numeric)),
            (2, 'md_m_precision', coalesce(r.intent_precision::numeric, (v_m ->> 'precision')::numeric,
                (v_m ->> 'macro_precision')::numeric),
                coalesce((v_b ->> 'precision')::numeric, (v_b ->> 'macro_precision')::numeric)),
            (3, 'md_m_recall', coalesce(r.intent_recall::numeric, (v_m ->> 'recall')::numeric,
                (v_m ->> 'macro_recall')::numeric),
                coalesce((v_b ->> 'recall')::numeric, (v_b ->> 'macro_recall')::numeric)),
            (4, 'md_m_f1', coalesce(r.intent_f1_score::numeric, intent_internal._pg_intent_model_f1(v_m)),
                coalesce(r.baseline_f1_score::numeric, intent_internal._pg_intent_model_f1(v_b)))
        ) AS k(ord, label, new_v, base_v)
        ORDER BY k.ord
    LOOP
        v_out := v_out || v_line;
    END LOOP;
    v_out := v_out || ''::text
        || format(@extschema@.intent_output_text('md_deploy', v_lang),
                  @extschema@.intent_output_text(CASE WHEN r.deployed THEN 'md_deployed' WHEN r.status = 'completed' THEN 'md_not_deployed'
                       ELSE 'md_no_model' END, v_lang),
                  CASE WHEN r.deploy_reason IS NOT NULL THEN format(' (%s)', r.deploy_reason) ELSE '' END);
    IF v_rep ? 'threshold' THEN
        v_out := v_out || format(@extschema@.intent_output_text('md_threshold', v_lang),
                                 intent_internal._pg_intent_md_num((v_rep #>> '{threshold,value}')::numeric),
                                 intent_internal._pg_intent_md_num(coalesce((v_m ->> 'coverage')::numeric,
                                                                        (v_rep ->> 'coverage')::numeric)),
                                 intent_internal._pg_intent_md_num(coalesce((v_m ->> 'accepted_accuracy')::numeric,
                                                                        (v_rep ->> 'accepted_accuracy')::numeric)));
    END IF;

    IF jsonb_typeof(v_m -> 'per_intent') = 'object' THEN
        v_out := v_out || ''::text || @extschema@.intent_output_text('md_per_intent' || v_words, v_lang) || ''::text
                       || @extschema@.intent_output_text('md_per_intent_header' || v_words, v_lang)
                       || '|---|---:|---:|---:|---:|'::text;
        FOR v_line IN
            SELECT format('| %s | %s | %s | %s | %s |', intent_internal._pg_intent_md_cell(e.key),
                          intent_internal._pg_intent_md_num((e.value ->> 'precision')::numeric),
                          intent_internal._pg_intent_md_num((e.value ->> 'recall')::numeric),
                          intent_internal._pg_intent_md_num((e.value ->> 'f1')::numeric),
                          coalesce(e.value ->> 'support', c_dash))
            FROM jsonb_each(v_m -> 'per_intent') e
            ORDER BY (e.value ->> 'f1')::numeric NULLS FIRST, e.key
        LOOP
            v_out := v_out || v_line;
        END LOOP;
    END IF;

    IF jsonb_typeof(v_m #> '{confusion,matrix}') = 'array' OR jsonb_typeof(v_m #> '{confusion,cells}') = 'array' THEN
        -- the largest off-diagonal cells, true intent then predicted intent
        -- (0-based indexes into labels), from the full matrix (up to 300
        -- intents) or from its non-zero cells [truth, predicted, count]
        SELECT array_agg(h.line ORDER BY h.n DESC, h.i, h.j) INTO v_lines
        FROM (
            SELECT format('| %s | %s | %s |',
                          intent_internal._pg_intent_md_cell(v_m #>> array['confusion','labels',x.i::text]),
                          intent_internal._pg_intent_md_cell(v_m #>> array['confusion','labels',x.j::text]),
                          x.n) AS line, x.n, x.i, x.j
            FROM (SELECT (t.i - 1)::integer AS i, (c.j - 1)::integer AS j, (c.cell #>> '{}')::bigint AS n
                    FROM jsonb_array_elements(CASE WHEN jsonb_typeof(v_m #> '{confusion,matrix}') = 'array'
                                                   THEN v_m #> '{confusion,matrix}' ELSE '[]'::jsonb END)
                         WITH ORDINALITY AS t(rowv, i)
                   CROSS JOIN LATERAL jsonb_array_elements(t.rowv) WITH ORDINALITY AS c(cell, j)
                  UNION ALL
                  SELECT (s.cell ->> 0)::integer, (s.cell ->> 1)::integer, (s.cell ->> 2)::bigint
                    FROM jsonb_array_elements(CASE WHEN jsonb_typeof(v_m #> '{confusion,cells}') = 'array'
                                                   THEN v_m #> '{confusion,cells}' ELSE '[]'::jsonb END) AS s(cell)) AS x
            WHERE x.j <> x.i AND x.n > 0
            ORDER BY x.n DESC, x.i, x.j
            LIMIT 10) h;
        v_out := v_out || ''::text || format(@extschema@.intent_output_text('md_confusion', v_lang), v_where_text) || ''::text;
        IF v_lines IS NULL THEN
            v_out := v_out || @extschema@.intent_output_text(CASE WHEN v_where = 'out-of-fold' THEN 'md_no_confusion_oof' ELSE 'md_no_confusion_test' END, v_lang);
        ELSE
            v_out := v_out || @extschema@.intent_output_text('md_confusion_header' || v_words, v_lang) || '|---|---|---:|'::text
                           || v_lines;
        END IF;
    END IF;

    IF jsonb_typeof(v_m -> 'misclassified') = 'array' THEN
        v_out := v_out || ''::text
                       || format(@extschema@.intent_output_text('md_misclassified', v_lang),
                                 jsonb_array_length(v_m -> 'misclassified'),
                                 @extschema@.intent_output_text(CASE WHEN v_where = 'out-of-fold' THEN 'out_of_fold_words' ELSE 'on_test_split' END, v_lang))
                       || ''::text;
        IF jsonb_array_length(v_m -> 'misclassified') = 0 THEN
            v_out := v_out || @extschema@.intent_output_text('none_found', v_lang);
        ELSE
            v_out := v_out || @extschema@.intent_output_text('md_misclassified_header', v_lang)
                           || '|---|---|---|---:|'::text;
            -- 0.2.0 stores the row's id, not its text: the text is read
            -- with the caller's rights (_pg_intent_report_message); a named
            -- classifier's report stores its source row's key, shown as such.
            FOR v_line IN
                SELECT format('| %s | %s | %s | %s |',
                              CASE WHEN t.hidden = 'not stored'
                                   THEN format('*(%s)*', format(@extschema@.intent_output_text('hidden_not_stored', v_lang),
                                                                intent_internal._pg_intent_md_cell(a.x ->> 'row_key', 60)))
                                   WHEN t.hidden IS NOT NULL THEN format('*(%s)*', @extschema@.intent_output_text(CASE WHEN t.hidden = 'no access' THEN 'hidden_no_access' ELSE 'hidden_not_visible' END, v_lang))
                                   ELSE intent_internal._pg_intent_md_cell(t.message) END,
                              intent_internal._pg_intent_md_cell(a.x ->> 'expected'),
                              intent_internal._pg_intent_md_cell(a.x ->> 'predicted'),
                              intent_internal._pg_intent_md_num((a.x ->> 'confidence')::numeric, 2))
                FROM (SELECT e.x, e.n FROM jsonb_array_elements(v_m -> 'misclassified') WITH ORDINALITY AS e(x, n)
                       ORDER BY e.n LIMIT 20) AS a
                CROSS JOIN LATERAL intent_internal._pg_intent_report_message(a.x) AS t
                ORDER BY a.n
            LOOP
                v_out := v_out || v_line;
            END LOOP;
        END IF;
    END IF;

    IF jsonb_typeof(v_m -> 'calibration') = 'object' THEN
        v_out := v_out || ''::text || format(@extschema@.intent_output_text('md_calibration', v_lang), v_where_text) || ''::text
                       || format(@extschema@.intent_output_text('md_ece', v_lang),
                                 intent_internal._pg_intent_md_num((v_m #>> '{calibration,ece}')::numeric, 4))
                       || format(@extschema@.intent_output_text('md_brier', v_lang),
                                 intent_internal._pg_intent_md_num((v_m #>> '{calibration,brier}')::numeric, 4));
        IF v_b IS NOT NULL AND jsonb_typeof(v_b -> 'calibration') = 'object' THEN
            v_out := v_out || format(@extschema@.intent_output_text('md_baseline_calibration', v_lang),
                                     intent_internal._pg_intent_md_num((v_b #>> '{calibration,ece}')::numeric, 4),
                                     intent_internal._pg_intent_md_num((v_b #>> '{calibration,brier}')::numeric, 4));
        END IF;
    END IF;

    RETURN array_to_string(v_out, E'\n') || E'\n';
END
$$;
COMMENT ON FUNCTION @extschema@.training_report(uuid, text) IS
    'Report of a training run: p_run_id, any classifier''s run; NULL, the built-in intent classifier''s latest run (P0002 when it has none, even with named classifiers'' runs). p_format markdown (the default): data sizes, headline metrics against the baseline, the deploy decision, per-intent table, confusion hot spots, misclassified examples and calibration. p_format html: one self-contained page (inline CSS and SVG, no scripts) with the same figures and charts: confusion heatmap, per-intent F1, reliability diagram, coverage-accuracy curve. Misclassified texts are read with the caller''s rights; a named classifier''s report keeps the source row''s key, not its text, and shows the key. Reliability and coverage come from ai_training_run_rows, or ai_classifier_run_rows for a named classifier''s run. Worded (headings, sentences, hints) in the language of intent_output_language(); Markdown syntax, intent names, codes and numbers are the same in every language.';

