-- Training reports as one self-contained HTML page (operations).
--
-- training_report(p_run_id, 'html') (57_report.sql) returns the page built
-- here: inline CSS and SVG only, no script, font, image or URL, so it can be
-- saved to a file, mailed or served as it is. The data is gathered here, in
-- SQL, with the caller's rights; the page is rendered by the core
-- (src/core/report_html.cpp), which HTML-escapes every value that comes from
-- the database (run names, intent names, messages, errors).

------------------------------------------------------------------------------
-- HTML escaping
------------------------------------------------------------------------------

-- Internal: text made safe for HTML and SVG, in element content and in
-- quoted attributes: & < > " ' become entities; NULL becomes ''. With
-- p_max, text longer than p_max characters is cut and ends with an ellipsis.
CREATE OR REPLACE FUNCTION intent_internal._pg_intent_html(p_value text, p_max integer DEFAULT NULL)
RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE
SET search_path = pg_catalog, pg_temp
AS $$
    SELECT replace(replace(replace(replace(replace(
               CASE WHEN p_max IS NOT NULL AND length(p_value) > p_max
                    THEN left(p_value, greatest(p_max - length(intent_internal._pg_intent_glyph(8230, '...')), 0)) || intent_internal._pg_intent_glyph(8230, '...')
                    ELSE coalesce(p_value, '') END,
               '&', '&amp;'), '<', '&lt;'), '>', '&gt;'), '"', '&quot;'), '''', '&#39;')
$$;
COMMENT ON FUNCTION intent_internal._pg_intent_html(text, integer) IS
    'Internal: escapes text for HTML and SVG content and quoted attributes (& < > " '' become entities, NULL becomes an empty string), cut to p_max characters when given.';

------------------------------------------------------------------------------
-- The page
------------------------------------------------------------------------------

-- Internal: the page rendered by the core (src/core/report_html.cpp) from the
-- document _pg_intent_report_html() gathers: HTML templates, escaping of
-- every value, number formatting, the charts as inline SVG, English or
-- Spanish (p_language 'es'; anything else English). It reads no table.
CREATE OR REPLACE FUNCTION intent_internal._pg_intent_render_report_html(p_report jsonb, p_language text)
RETURNS text
AS 'MODULE_PATHNAME', 'pg_intent_render_report_html'
LANGUAGE C IMMUTABLE PARALLEL SAFE;
COMMENT ON FUNCTION intent_internal._pg_intent_render_report_html(jsonb, text) IS
    'Internal: the self-contained HTML page of a training report, rendered from the document _pg_intent_report_html() gathers (p_language ''es'' or ''en''); every value in it is HTML-escaped. Reads no table; a document over 16 MB is refused (54000), a cancel or statement_timeout stops its parsing.';

-- Internal: a run's out-of-fold predictions in one row shape (the row's
-- label, the prediction, its confidence), from the table its classifier
-- records them in: ai_training_run_rows for the built-in classifier,
-- ai_classifier_run_rows for a named one (with a key_column). The report's
-- charts aggregate this one shape, whichever the classifier. PL/pgSQL and
-- SECURITY INVOKER: each query is planned only on its branch, so a caller
-- needs SELECT on the one table its run's rows are in (a query naming both
-- would need both); the caller checks that privilege first.
CREATE OR REPLACE FUNCTION intent_internal._pg_intent_run_predictions(p_run_id uuid, p_built_in boolean)
RETURNS TABLE (label text, predicted text, confidence real)
LANGUAGE plpgsql STABLE PARALLEL SAFE
SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
    IF p_built_in THEN
        RETURN QUERY SELECT w.intent, w.predicted_intent, w.confidence
                       FROM @extschema@.ai_training_run_rows AS w
                      WHERE w.run_id = p_run_id AND w.predicted_intent IS NOT NULL AND w.confidence IS NOT NULL;
    ELSE
        RETURN QUERY SELECT w.label, w.predicted_label, w.confidence
                       FROM @extschema@.ai_classifier_run_rows AS w
                      WHERE w.run_id = p_run_id AND w.predicted_label IS NOT NULL AND w.confidence IS NOT NULL;
    END IF;
END
$$;
COMMENT ON FUNCTION intent_internal._pg_intent_run_predictions(uuid, boolean) IS
    'Internal: the out-of-fold predictions (label, predicted, confidence) of run p_run_id, from ai_training_run_rows (p_built_in: the built-in classifier''s run) or ai_classifier_run_rows (a named classifier''s), read with the caller''s rights.';

-- Internal: the HTML page of training_report(p_run_id, 'html'); the run must
-- exist (training_report() checks). SECURITY INVOKER: it reads the run, its
-- model, its out-of-fold rows (_pg_intent_run_predictions(): in
-- ai_training_run_rows, or ai_classifier_run_rows for a named classifier's
-- run), the misclassified
-- messages and the classifier's earlier runs with the caller's rights, and
-- says so where the caller may not. What it hands to the renderer is
-- bounded: the run's stored report without its misclassified list, at most
-- 10 reliability bins and about 200 coverage points, the 50 most confident
-- misclassified messages cut to 300 characters, and the last 20 completed
-- runs of the trend. Its floats reach the renderer as jsonb through their
-- text form, which extra_float_digits shapes: pinned to its default, so that
-- a caller's -15 does not show a coverage of 0.976 as 1.000.
CREATE OR REPLACE FUNCTION intent_internal._pg_intent_report_html(p_run_id uuid)
RETURNS text
LANGUAGE plpgsql STABLE PARALLEL SAFE
SET search_path = pg_catalog, pg_temp
SET extra_float_digits = 1
AS $$
DECLARE
    r @extschema@.ai_training_runs%ROWTYPE;
    v_rep jsonb;
    v_run jsonb;
    v_rows jsonb;
    v_mis jsonb;
    v_trend jsonb;
    v_readable boolean;
    v_built_in boolean;
    v_count bigint := 0;
    v_threshold double precision;
    v_t record;
BEGIN
    SELECT * INTO r FROM @extschema@.ai_training_runs WHERE id = p_run_id;
    IF NOT FOUND THEN
        RAISE EXCEPTION USING MESSAGE = intent_internal._pg_intent_error_words('training run %s not found', p_run_id), ERRCODE = 'P0002';
    END IF;
    v_rep := coalesce(r.metrics, '{}'::jsonb);
    v_run := (to_jsonb(r) - 'metrics' - 'model_config')
             || jsonb_build_object(
                    'model_version', (SELECT m.version FROM @extschema@.ai_intent_models AS m WHERE m.id = r.model_id),
                    'started', to_char(r.started_at, 'YYYY-MM-DD HH24:MI:SS TZ'));

    -- the run's out-of-fold predictions, aggregated: the built-in
    -- classifier's in ai_training_run_rows, a named classifier's in
    -- ai_classifier_run_rows (_pg_intent_run_predictions())
    v_built_in := r.classifier = 'intent';
    v_readable := has_table_privilege(CASE WHEN v_built_in THEN '@extschema@.ai_training_run_rows'
                                           ELSE '@extschema@.ai_classifier_run_rows' END, 'SELECT');
    v_rows := jsonb_build_object('readable', v_readable, 'count', 0);
    IF v_readable THEN
        SELECT count(*) INTO v_count FROM intent_internal._pg_intent_run_predictions(r.id, v_built_in);
    END IF;
    IF v_count > 0 THEN
        v_threshold := (v_rep #>> '{threshold,value}')::float8;
        -- a stored confidence is a real: the threshold is compared with a little slack
        SELECT count(*) AS n, count(*)::float8 / v_count AS coverage,
               avg(CASE WHEN w.predicted = w.label THEN 1.0 ELSE 0.0 END)::float8 AS accuracy
          INTO v_t
          FROM intent_internal._pg_intent_run_predictions(r.id, v_built_in) AS w
         WHERE v_threshold IS NOT NULL
           AND w.confidence::float8 >= v_threshold - 1e-6;
        v_rows := v_rows || jsonb_build_object(
            'count', v_count,
            'threshold_n', v_t.n, 'threshold_coverage', v_t.coverage, 'threshold_accuracy', v_t.accuracy,
            -- reliability: 10 confidence bins
            'bins', (SELECT coalesce(jsonb_agg(jsonb_build_object('b', s.b, 'n', s.n, 'conf', s.conf, 'acc', s.acc) ORDER BY s.b), '[]')
                       FROM (SELECT least(floor(w.confidence * 10)::integer, 9) AS b, count(*) AS n,
                                    avg(w.confidence::float8) AS conf,
                                    avg(CASE WHEN w.predicted = w.label THEN 1.0 ELSE 0.0 END)::float8 AS acc
                               FROM intent_internal._pg_intent_run_predictions(r.id, v_built_in) AS w
                              GROUP BY 1) AS s),
            -- coverage-accuracy: accepting every prediction whose confidence
            -- is at least t; one point [accepted, right] per distinct
            -- confidence, at most about 200 of them
            'curve', (WITH p AS (
                          SELECT w.confidence::float8 AS c, CASE WHEN w.predicted = w.label THEN 1 ELSE 0 END AS ok
                            FROM intent_internal._pg_intent_run_predictions(r.id, v_built_in) AS w
                      ), cum AS (
                          SELECT DISTINCT ON (p.c) p.c, count(*) OVER w AS accepted, sum(p.ok) OVER w AS right_n
                            FROM p
                          WINDOW w AS (ORDER BY p.c DESC RANGE UNBOUNDED PRECEDING)
                           ORDER BY p.c DESC
                      ), numbered AS (
                          SELECT cum.*, row_number() OVER (ORDER BY cum.c DESC) AS rn, count(*) OVER () AS points
                            FROM cum
                      )
                      SELECT coalesce(jsonb_agg(jsonb_build_array(accepted, right_n) ORDER BY c DESC), '[]')
                        FROM numbered
                       WHERE rn = 1 OR rn = points OR rn % greatest(ceil(points / 200.0)::integer, 1) = 0));
    END IF;

    -- the misclassified examples, read with the caller's rights
    IF jsonb_typeof(v_rep #> '{metrics,misclassified}') = 'array' THEN
        SELECT jsonb_build_object(
                   'total', jsonb_array_length(v_rep #> '{metrics,misclassified}'),
                   'shown', coalesce(jsonb_agg(jsonb_build_object(
                                'message', left(t.message, 400),
                                -- the renderer shows a hidden value it does not know as it is (escaped)
                                'hidden', CASE WHEN t.hidden = 'not stored'
                                               THEN format(@extschema@.intent_output_text('hidden_not_stored', @extschema@.intent_output_language()),
                                                           left(a.x ->> 'row_key', 200))
                                               ELSE t.hidden END,
                                'expected', left(a.x ->> 'expected', 200), 'predicted', left(a.x ->> 'predicted', 200),
                                'confidence', a.x -> 'confidence') ORDER BY a.n), '[]'))
          INTO v_mis
          FROM (SELECT e.x, row_number() OVER (ORDER BY (e.x ->> 'confidence')::numeric DESC NULLS LAST, e.n) AS n
                  FROM jsonb_array_elements(v_rep #> '{metrics,misclassified}') WITH ORDINALITY AS e(x, n)
                 ORDER BY 2 LIMIT 50) AS a
         CROSS JOIN LATERAL intent_internal._pg_intent_report_message(a.x) AS t;
    END IF;

    -- the trend: the last 20 completed runs of this run's classifier (by
    -- its id: the runs a dropped classifier of the same name left as history
    -- are another classifier's) and partition up to this one, oldest first
    SELECT coalesce(jsonb_agg(jsonb_build_object(
               'id', t.id, 'run_name', left(t.run_name, 200), 'started', to_char(t.started_at, 'YYYY-MM-DD HH24:MI'),
               'accuracy', t.accuracy, 'coverage', t.coverage, 'f1', t.f1, 'deployed', t.deployed,
               'current', t.id = r.id) ORDER BY t.started_at, t.id), '[]')
      INTO v_trend
      FROM (SELECT x.id, x.run_name, x.started_at, x.deployed,
                   coalesce(x.intent_accuracy::float8, (x.metrics #>> '{metrics,accuracy}')::float8) AS accuracy,
                   coalesce((x.metrics #>> '{metrics,coverage}')::float8, (x.metrics ->> 'coverage')::float8) AS coverage,
                   coalesce(x.intent_f1_score::float8,
                            intent_internal._pg_intent_model_f1(x.metrics -> 'metrics')::float8) AS f1
              FROM @extschema@.ai_training_runs AS x
             WHERE x.status = 'completed'
               AND x.classifier = r.classifier AND x.classifier_id IS NOT DISTINCT FROM r.classifier_id
               AND x.partition_key IS NOT DISTINCT FROM r.partition_key
               AND (x.started_at, x.id) <= (r.started_at, r.id)
             ORDER BY x.started_at DESC, x.id DESC
             LIMIT 20) AS t;

    RETURN intent_internal._pg_intent_render_report_html(
        jsonb_build_object('run', v_run,
                           'report', v_rep #- '{metrics,misclassified}',
                           'rows', v_rows,
                           'misclassified', v_mis,
                           'trend', CASE WHEN r.status = 'completed' THEN v_trend ELSE '[]'::jsonb END),
        @extschema@.intent_output_language());
END
$$;
COMMENT ON FUNCTION intent_internal._pg_intent_report_html(uuid) IS
    'Internal: the self-contained HTML page of training_report(p_run_id, ''html''), in the language of intent_output_language(): headline metrics against the baseline, the deploy decision in plain words, the trend of accuracy, coverage and F1 across the last 20 completed runs of its classifier (by id) and partition, evaluation method, confusion heatmap, per-intent F1 bars, reliability diagram and coverage-accuracy curve (from ai_training_run_rows, or ai_classifier_run_rows for a named classifier''s run), misclassified examples read with the caller''s rights. Gathers the data; _pg_intent_render_report_html() renders it.';
