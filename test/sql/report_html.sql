-- training_report(p_run_id, 'html'): one self-contained HTML page per run.
SET client_min_messages = warning;
SET pg_intent.allow_drop_with_data = on; -- the previous test's rows go (src/pg/drop_guard.cpp)
DROP EXTENSION IF EXISTS pg_intent CASCADE;
CREATE EXTENSION pg_intent;

\i test/fixtures/try.sql
-- pg_temp.hint(sql): the SQLSTATE and hint of the error a statement raises.
CREATE FUNCTION pg_temp.hint(p_sql text) RETURNS text LANGUAGE plpgsql AS $$
DECLARE v_state text; v_hint text;
BEGIN
    EXECUTE p_sql;
    RETURN 'ok';
EXCEPTION WHEN OTHERS THEN
    GET STACKED DIAGNOSTICS v_state = RETURNED_SQLSTATE, v_hint = PG_EXCEPTION_HINT;
    RETURN v_state || ' hint: ' || v_hint;
END $$;
-- pg_temp.n(text, pattern): how many times a regular expression matches.
CREATE FUNCTION pg_temp.n(p_text text, p_pattern text) RETURNS bigint LANGUAGE sql AS $$
    SELECT count(*) FROM regexp_matches(p_text, p_pattern, 'g')
$$;

-- Errors: the format is checked first, then the run.
SELECT pg_temp.try($$SELECT training_report(NULL, 'pdf')$$) AS bad_format;
SELECT pg_temp.hint($$SELECT training_report(NULL, 'HTML')$$) AS bad_format_hint;
SELECT pg_temp.try($$SELECT training_report(NULL, NULL)$$) AS null_format;
SELECT pg_temp.try($$SELECT training_report(NULL, 'html')$$) AS no_run;
SELECT pg_temp.try($$SELECT training_report('00000000-0000-0000-0000-0000000000ff', 'html')$$) AS unknown_run;

-- A real run: 4 intents x 25 Spanish messages, a fifth intent whose name
-- has quotes and markup, and a few deliberately mislabeled rows (one of
-- them hostile markup, one that row-level security will hide).
\i test/fixtures/spanish_100.sql
SELECT pg_temp.add_samples(ARRAY['los zapatos', 'la camiseta', 'el vestido', 'la chaqueta', 'el bolso']) AS added;
INSERT INTO ai_training_data (user_message, detected_intent, confidence_score, source)
SELECT format(t, p), 'saludo "x" <i>&''', 90, 'synthetic'
  FROM unnest(ARRAY['hola buenos dias, pregunto por %s', 'buenas tardes, una consulta sobre %s',
                    'hola que tal, vengo por %s']) AS t,
       unnest(ARRAY['los zapatos', 'la camiseta', 'el vestido', 'la chaqueta']) AS p;
INSERT INTO ai_training_data (user_message, detected_intent, confidence_score, source) VALUES
    ('quiero devolver <script>alert(1)</script> las botas', 'payment_issue', 90, 'synthetic'),
    ('SECRETO: el envio de las botas esta retrasado', 'product_info', 90, 'synthetic'),
    ('me cobraron dos veces las botas', 'shipping_problem', 90, 'synthetic');
SELECT r ->> 'status' AS status
  FROM train_intent_model($$<script>alert(3)</script> "run" & 'co'$$, 'full', '{"seed": 7}') AS r;
SELECT id AS run_id FROM ai_training_runs WHERE status = 'completed' \gset

CREATE TEMP TABLE page AS SELECT training_report(NULL, 'html') AS html;
CREATE TEMP TABLE run AS SELECT * FROM ai_training_runs WHERE id = :'run_id';
SELECT jsonb_array_length(metrics #> '{metrics,misclassified}') AS misclassified FROM run \gset
SELECT :misclassified BETWEEN 3 AND 20 AS a_few_misclassified;

-- One page, nothing fetched: no script, no URL, no external resource.
SELECT html LIKE E'<!DOCTYPE html>\n<html lang="en">%' AS starts_as_html,
       html LIKE E'%</html>\n' AS ends_as_html,
       pg_temp.n(html, '<html') AS html_elements,
       html !~* '<script' AS no_script,
       html !~* '(src|href|action)\s*=|url\(|@import|https?:|//[a-z]' AS no_external_reference,
       html ~ '<style>' AS inline_css
  FROM page;

-- The charts. Heatmap: one cell per (true, predicted) pair of the kept
-- intents (all 5 here); one F1 bar per intent; the reliability bins and the
-- coverage curve from the run's out-of-fold rows; the chosen threshold.
SELECT pg_temp.n(html, '<rect class="cell ') AS heatmap_cells,
       pg_temp.n(html, '<rect class="cell ') = jsonb_array_length(r.metrics #> '{metrics,confusion,labels}') ^ 2 AS cells_are_intents_squared,
       pg_temp.n(html, '<rect class="bar"') AS f1_bars,
       pg_temp.n(html, '<rect class="bar"') = (SELECT count(*) FROM jsonb_object_keys(r.metrics #> '{metrics,per_intent}')) AS one_bar_per_intent,
       pg_temp.n(html, '<rect class="bin"') BETWEEN 1 AND 10 AS reliability_bins,
       pg_temp.n(html, '<polyline class="curve"') AS coverage_curves,
       pg_temp.n(html, '<circle class="threshold"') AS threshold_markers,
       position(format('threshold %s', to_char((r.metrics #>> '{threshold,value}')::float8, 'FM0.000')) IN html) > 0 AS threshold_value_shown
  FROM page, run AS r;
-- F1 bars worst first: the bars' titles in page order follow ascending F1.
SELECT array_agg(m[1] ORDER BY n) = (SELECT array_agg(intent_internal._pg_intent_html(e.key) ORDER BY (e.value ->> 'f1')::numeric, e.key)
                                     FROM run AS r, jsonb_each(r.metrics #> '{metrics,per_intent}') AS e) AS bars_worst_first
  FROM page, regexp_matches(html, '<rect class="bar"[^>]*><title>([^<:]*):', 'g') WITH ORDINALITY AS b(m, n);

-- Text from the run, escaped wherever it appears (title, heading, SVG text
-- and attributes, table cells).
SELECT position(:'run_id' IN html) > 0 AS run_id_shown,
       pg_temp.n(html, '&lt;script&gt;alert\(3\)&lt;/script&gt; &quot;run&quot; &amp; &#39;co&#39;') AS run_name_escaped,
       pg_temp.n(html, 'saludo &quot;x&quot; &lt;i&gt;&amp;&#39;') > 4 AS intent_name_escaped,
       html !~ 'saludo "x"|<i>&' AS intent_name_never_raw,
       html ~ 'quiero devolver &lt;script&gt;alert\(1\)&lt;/script&gt; las botas' AS hostile_message_escaped,
       html ~ 'SECRETO: el envio de las botas' AS owner_sees_the_secret_row,
       html ~ 'Deployed' AS deploy_decision,
       html ~ '5-fold cross-validation' AS evaluation_method
  FROM page;

-- The Markdown report is still the default, and reads the same rows.
SELECT training_report() = training_report(NULL, 'markdown') AS markdown_is_default,
       training_report() LIKE '# Training report:%' AS markdown_heading,
       training_report(:'run_id', 'html') = (SELECT html FROM page) AS explicit_run_same_page;
-- The same figures whatever the caller's extra_float_digits: the floats
-- reach the renderer through their text form, and with -15 a coverage of
-- 0.976 showed as 1.000.
SET extra_float_digits = -15;
SELECT training_report(:'run_id', 'html') = (SELECT html FROM page) AS same_page_any_float_digits;
RESET extra_float_digits;

-- The language of the page is pg_intent.language (intent_output_language()):
-- Spanish words, the same figures and the same escaped labels; the deploy
-- decision in plain words; the trend of the classifier's runs (one so far).
SET pg_intent.language = 'es';
SELECT html LIKE E'<!DOCTYPE html>\n<html lang="es">%' AS lang_es,
       html ~ '<h1>Informe de entrenamiento: ' AS spanish_heading,
       html !~ 'Training report|Deploy decision|Headline metrics|Confusion matrix' AS no_english_headings,
       html ~ '<p class="decision">El nuevo modelo se puso en servicio porque no había ningún modelo activo con el que compararlo\.</p>' AS decision_in_words,
       pg_temp.n(html, '<rect class="cell ') = pg_temp.n((SELECT html FROM page), '<rect class="cell ') AS same_heatmap,
       pg_temp.n(html, '<rect class="bar"') = pg_temp.n((SELECT html FROM page), '<rect class="bar"') AS same_bars,
       pg_temp.n(html, '<tr class="trend-run current">') AS trend_current_run,
       html ~ 'saludo &quot;x&quot; &lt;i&gt;&amp;&#39;' AS intent_label_kept_escaped
  FROM (SELECT training_report(NULL, 'html') AS html) AS s;
SET pg_intent.language = 'en';
SELECT html ~ '<p class="decision">The new model was put in service because there was no model in service to compare it with\.</p>' AS decision_in_words_en,
       pg_temp.n(html, '<tr class="trend-run') AS trend_runs,
       pg_temp.n(html, '<polyline class="trend-line"') AS trend_lines,
       html = (SELECT html FROM page) AS same_as_auto_under_c
  FROM (SELECT training_report(NULL, 'html') AS html) AS s;
RESET pg_intent.language;

-- Row-level security: a reader of runs and run rows whose policy hides one
-- misclassified message sees "(not visible)" and never its text; the other
-- messages still show.
CREATE ROLE pgi_rh_reader;
CREATE ROLE pgi_rh_noaccess;
GRANT SELECT ON ai_training_runs, ai_training_run_rows, ai_intent_models, ai_training_data TO pgi_rh_reader;
GRANT SELECT ON ai_training_runs, ai_training_run_rows, ai_intent_models TO pgi_rh_noaccess;
-- training_report() is granted with the internal functions it calls
SELECT count(*) AS report_functions_granted FROM grant_intent_access('pgi_rh_reader', 'report');
SELECT count(*) AS report_functions_granted FROM grant_intent_access('pgi_rh_noaccess', 'report');
ALTER TABLE ai_training_data ENABLE ROW LEVEL SECURITY;
CREATE POLICY pgi_rh_hide_secret ON ai_training_data FOR SELECT TO pgi_rh_reader
    USING (user_message NOT LIKE 'SECRETO%');
SET ROLE pgi_rh_reader;
SELECT html ~ 'SECRETO' AS reader_sees_secret,
       pg_temp.n(html, '\(not visible\)') AS not_visible_rows,
       html ~ 'quiero devolver &lt;script&gt;' AS reader_sees_other_messages,
       pg_temp.n(html, '<rect class="cell ') AS heatmap_cells,
       pg_temp.n(html, '<circle class="threshold"') AS threshold_markers
  FROM (SELECT training_report(NULL, 'html') AS html) AS s;
SELECT md ~ 'SECRETO' AS markdown_shows_secret, pg_temp.n(md, '\*\(not visible\)\*') AS markdown_not_visible_rows
  FROM (SELECT training_report() AS md) AS s;
RESET ROLE;

-- Without SELECT on ai_training_data: "(no access)" and no message at all,
-- whatever plan PostgreSQL picks (a generic plan once failed the privilege
-- check of a query that only named the table).
SET ROLE pgi_rh_noaccess;
SET plan_cache_mode = force_generic_plan;
SELECT pg_temp.n(html, '\(no access\)') = :misclassified AS every_message_no_access,
       html ~ 'SECRETO|botas' AS shows_a_message,
       pg_temp.n(html, '<rect class="bar"') AS f1_bars
  FROM (SELECT training_report(NULL, 'html') AS html) AS s;
SELECT pg_temp.n(md, '\*\(no access\)\*') > 0 AS markdown_no_access, md ~ 'SECRETO|botas' AS markdown_shows_a_message
  FROM (SELECT training_report() AS md) AS s;
RESET plan_cache_mode;
RESET ROLE;
-- Without SELECT on ai_training_run_rows, the two charts that need them say so.
REVOKE SELECT ON ai_training_run_rows FROM pgi_rh_noaccess;
SET ROLE pgi_rh_noaccess;
SELECT pg_temp.n(html, 'you may not read the run.{1,6}s out-of-fold predictions') AS charts_not_available,
       pg_temp.n(html, '<rect class="bin"') AS reliability_bins
  FROM (SELECT training_report(NULL, 'html') AS html) AS s;
RESET ROLE;
DROP POLICY pgi_rh_hide_secret ON ai_training_data;
ALTER TABLE ai_training_data DISABLE ROW LEVEL SECURITY;
REVOKE ALL ON ai_training_runs, ai_training_run_rows, ai_intent_models, ai_training_data FROM pgi_rh_reader, pgi_rh_noaccess;
DROP OWNED BY pgi_rh_reader, pgi_rh_noaccess;
DROP ROLE pgi_rh_reader;
DROP ROLE pgi_rh_noaccess;

-- A 0.1.0-style run: misclassified items carry their text, there are no
-- out-of-fold rows, and 14 intents of which 12 are confused: the heatmap
-- keeps those 12 and names the 2 it leaves out.
INSERT INTO ai_training_runs (id, run_name, run_type, status, started_at, finished_at, duration_seconds,
                              training_samples, validation_samples, test_samples, total_intents,
                              intent_accuracy, intent_precision, intent_recall, intent_f1_score,
                              baseline_intent_accuracy, baseline_f1_score, deployed, deploy_reason, metrics)
SELECT '00000000-0000-0000-0000-000000000010', 'old style', 'full', 'completed',
       now() + interval '1 day', now() + interval '1 day', 1, 140, 30, 30, 14,
       0.8, 0.8, 0.8, 0.8, 0.7, 0.7, true, 'improved',
       jsonb_build_object(
           'threshold', jsonb_build_object('value', 0.5),
           'metrics', jsonb_build_object(
               'accuracy', 0.8, 'precision', 0.8, 'recall', 0.8, 'f1', 0.8,
               'per_intent', (SELECT jsonb_object_agg(format('i%s', to_char(g, 'FM00')),
                                                      jsonb_build_object('f1', g / 20.0, 'precision', 0.8, 'recall', 0.8, 'support', 10))
                                FROM generate_series(1, 14) AS g),
               'confusion', jsonb_build_object(
                   'labels', (SELECT jsonb_agg(format('i%s', to_char(g, 'FM00')) ORDER BY g) FROM generate_series(1, 14) AS g),
                   'matrix', (SELECT jsonb_agg(row ORDER BY i) FROM (
                                  SELECT i, jsonb_agg(CASE WHEN i = j THEN 10 WHEN i <= 12 AND j = (i % 12) + 1 THEN 2 ELSE 0 END ORDER BY j) AS row
                                    FROM generate_series(1, 14) AS i, generate_series(1, 14) AS j GROUP BY i) AS m)),
               'misclassified', jsonb_build_array(
                   jsonb_build_object('text', '<b>old & "bold"</b>', 'expected', 'i01', 'predicted', 'i02', 'confidence', 0.6)),
               'calibration', jsonb_build_object('ece', 0.05, 'brier', 0.2)),
           'baseline_metrics', jsonb_build_object('accuracy', 0.7, 'f1', 0.7, 'calibration', jsonb_build_object('ece', 0.08, 'brier', 0.25)));
SELECT pg_temp.n(html, '<rect class="cell ') AS heatmap_cells,
       html ~ 'left out: i13, i14\.' AS names_left_out,
       pg_temp.n(html, '<rect class="bar"') AS f1_bars,
       pg_temp.n(html, 'Not available for this run') AS charts_not_available,
       html ~ '&lt;b&gt;old &amp; &quot;bold&quot;&lt;/b&gt;' AS stored_text_escaped,
       html ~ 'test split' AS says_test_split,
       html !~* '<script|<b>old' AS nothing_raw
  FROM (SELECT training_report('00000000-0000-0000-0000-000000000010', 'html') AS html) AS s;

-- A run compared on no fresh rows at all: the page says so, once, instead
-- of an "accuracy 0.000" of an empty comparison, and explains the decision
-- in words; the trend now holds the three completed runs, oldest first.
-- The gate's reason is worded from its code, never its stored English text
-- (0.3.1 wrote "no fresh rows: ... no fresh rows: ..." and put the English
-- text in the Spanish page).
INSERT INTO ai_training_runs (id, run_name, run_type, status, started_at, finished_at, duration_seconds,
                              training_samples, validation_samples, test_samples, total_intents,
                              intent_accuracy, intent_f1_score, deployed, deploy_reason, deploy_evidence, metrics)
VALUES ('00000000-0000-0000-0000-000000000012', 'no fresh rows', 'full', 'completed',
        now() + interval '36 hours', now() + interval '36 hours', 1, 100, 100, 100, 5, 0.9, 0.88,
        false, 'insufficient_evidence', 'none',
        '{"evaluation": {"method": "cross_validation", "folds": 5, "rows": 100},
          "metrics": {"accuracy": 0.9, "f1": 0.88, "coverage": 0.75},
          "gate": {"rows": 0, "sufficient": false, "reason_code": "no_fresh_rows",
                   "reason": "no fresh rows: every row was in the active model''s training set",
                   "active": {"accuracy": 0, "macro_f1": 0},
                   "candidate": {"accuracy": 0, "macro_f1": 0}, "candidate_only_correct": 0, "active_only_correct": 0},
          "deploy": {"evidence": "none", "reason": "insufficient_evidence", "deployed": false, "active_model_id": 1}}');
SELECT html !~ '0\.000' AS no_zero_accuracy,
       html ~ '<dt>Fresh rows</dt><dd>none: the active model had trained on every reviewed message\.</dd>' AS says_no_fresh_rows,
       pg_temp.n(substring(html FROM '<section id="deploy">.*?</section>'), '[Ff]resh rows') AS fresh_rows_said,
       html ~ '<p class="decision">The new model was not put in service: there was nothing to compare it with' AS decision_in_words,
       pg_temp.n(html, '<tr class="trend-run') AS trend_runs,
       html ~ '<tr class="trend-run current"><td class="num">3</td><td class="msg">no fresh rows</td>' AS newest_last
  FROM (SELECT training_report('00000000-0000-0000-0000-000000000012', 'html') AS html) AS s;
SET pg_intent.language = 'es';
SELECT html !~ '0\.000' AS no_zero_accuracy,
       html ~ '<dt>Mensajes nuevos</dt><dd>ninguno: el modelo activo se había entrenado con todos los mensajes revisados\.</dd>' AS says_no_fresh_rows,
       substring(html FROM '<section id="deploy">.*?</section>') !~ 'fresh rows|every row' AS no_english_reason,
       html ~ '<p class="decision">El nuevo modelo no se puso en servicio: no había con qué compararlo' AS decision_in_words
  FROM (SELECT training_report('00000000-0000-0000-0000-000000000012', 'html') AS html) AS s;
RESET pg_intent.language;

-- A failed run: a short page with the error, escaped.
INSERT INTO ai_training_runs (id, run_name, status, started_at, finished_at, duration_seconds, error, metrics)
VALUES ('00000000-0000-0000-0000-000000000011', 'too small', 'failed', now() + interval '2 days',
        now() + interval '2 days', 0.1, 'not enough training data <script>alert(4)</script>', '{"error": "not enough training data"}');
SELECT html ~ 'class="badge fail"' AS failed_badge,
       html ~ 'not enough training data &lt;script&gt;alert\(4\)&lt;/script&gt;' AS error_escaped,
       html !~* '<script' AS no_script,
       html ~ 'id="headline"' AS has_charts,
       html LIKE E'%</html>\n' AS complete_page
  FROM (SELECT training_report(NULL, 'html') AS html) AS s;

-- The renderer is bounded for a document the caller builds (any role
-- granted the report set may pass one): over 16 MB it is refused (54000),
-- and a confusion matrix larger than a report's (the core writes one out in
-- full for at most 300 intents) is not drawn (a 4000 x 4000 one of true
-- values cost the backend 1.4 GB and 10 s).
\i test/fixtures/try.sql
SELECT pg_temp.try($$SELECT intent_internal._pg_intent_render_report_html(
           jsonb_build_object('pad', repeat('x', 17000000)), 'en')$$) AS too_large;
-- Its JSON text counts, not its stored size: 200 numbers of a few bytes
-- each, written with 131,072 digits (9,000 of them cost 1 GB and 10 s).
SELECT pg_temp.try($$SELECT intent_internal._pg_intent_render_report_html(
           jsonb_build_object('x', (SELECT jsonb_agg(1e131071::numeric) FROM generate_series(1, 200))), 'en')$$) AS too_long_as_text,
       pg_column_size(jsonb_build_object('x', (SELECT jsonb_agg(1e131071::numeric) FROM generate_series(1, 200)))) < 100000 AS small_stored;
SELECT html ~ 'id="confusion-heatmap"' AS drawn, html LIKE E'%</html>\n' AS complete_page
  FROM (SELECT intent_internal._pg_intent_render_report_html(jsonb_build_object(
               'run', jsonb_build_object('status', 'completed', 'id', 'x'),
               'report', jsonb_build_object('evaluation', '{}'::jsonb, 'metrics', jsonb_build_object('confusion',
                   jsonb_build_object('labels', (SELECT jsonb_agg('l' || g) FROM generate_series(1, n) AS g),
                                      'matrix', (SELECT jsonb_agg(r) FROM (SELECT (SELECT jsonb_agg(CASE WHEN i = j THEN 5 ELSE 1 END)
                                                                              FROM generate_series(1, n) AS j) AS r
                                                                         FROM generate_series(1, n) AS i) AS s))))), 'en') AS html
          FROM (VALUES (20), (400)) AS v(n)) AS x;
-- An audit: labels of 100,000 characters, each written into every cell
-- title of the matrix, made a 1 MB document a 228 MB page (a 6 MB one cost
-- 3.5 GB and failed with XX000). Every text is cut at 2,000 characters
-- where it is written, and the page is bounded at 32 MB: a document of
-- 150,000 small bins (13 MB), each drawn with its markup (48 MB), is
-- refused (54000).
SELECT octet_length(html) < 5000000 AS bounded_page, html LIKE E'%</html>\n' AS complete_page
  FROM (SELECT intent_internal._pg_intent_render_report_html(jsonb_build_object(
               'run', jsonb_build_object('id', 'x', 'status', 'completed'),
               'report', jsonb_build_object('metrics', jsonb_build_object('confusion', jsonb_build_object(
                   'labels', (SELECT jsonb_agg(repeat('&', 100000) || g) FROM generate_series(1, 12) AS g),
                   'matrix', (SELECT jsonb_agg(r) FROM (SELECT (SELECT jsonb_agg(1) FROM generate_series(1, 12)) AS r
                                                          FROM generate_series(1, 12)) AS s))))), 'en') AS html) AS p;
DO $$
DECLARE
    v_detail text;
BEGIN
    PERFORM intent_internal._pg_intent_render_report_html(jsonb_build_object(
        'run', jsonb_build_object('id', 'x', 'status', 'completed'), 'report', '{"metrics": {}}'::jsonb,
        'rows', jsonb_build_object('readable', true, 'count', 1,
                                   'bins', (SELECT jsonb_agg('{"b": 1, "n": 1, "acc": 0.5, "conf": 0.5}'::jsonb)
                                              FROM generate_series(1, 150000)))), 'en');
    RAISE WARNING 'rendered';
EXCEPTION WHEN program_limit_exceeded THEN
    GET STACKED DIAGNOSTICS v_detail = PG_EXCEPTION_DETAIL;
    RAISE WARNING '%: %, %', SQLSTATE, SQLERRM, v_detail;
END $$;

-- A baseline no metric has (1e308, or NaN written as a string) in the
-- caller's document: its card shows no change. The card dereferenced the
-- empty result of formatting the difference, and the backend died with
-- "free(): invalid pointer" (the postmaster restarted every session).
SELECT left(b::text, 6) AS baseline, html LIKE E'%</html>\n' AS complete_page,
       substring(html FROM 'data-metric="f1".*?data-metric=') NOT LIKE '%class="delta%' AS no_f1_change
  FROM (VALUES ('1e308'::jsonb), ('"nan"'), ('"-inf"')) AS v(b),
       LATERAL intent_internal._pg_intent_render_report_html(jsonb_build_object(
           'run', jsonb_build_object('id', 'x', 'status', 'completed', 'intent_f1_score', 0.8, 'baseline_f1_score', b),
           'report', '{"metrics": {}}'::jsonb), 'en') AS html;

-- A named classifier's run: its out-of-fold predictions are in
-- ai_classifier_run_rows, which the reliability and coverage charts read
-- for it (they said "no out-of-fold predictions recorded in
-- ai_training_run_rows"), with the caller's rights; its misclassified
-- examples name their source row by key, which the report shows as such
-- (they showed "(not visible)", even to a superuser).
DROP TABLE IF EXISTS pgi_rh_src;
CREATE TABLE pgi_rh_src (id bigserial PRIMARY KEY, message text NOT NULL, label text NOT NULL);
INSERT INTO pgi_rh_src (message, label)
SELECT v.w || ' ' || w.m || ' ' || chr(97 + g % 26) || chr(97 + (g / 26) % 26) || ' ' || v.w2, v.lbl
  FROM (VALUES ('perro', 'gato', 'a'), ('casa', 'techo', 'b'), ('agua', 'fuego', 'c')) AS v(w, w2, lbl),
       generate_series(1, 60) AS g, (VALUES ('uno'), ('dos')) AS w(m);
-- rows labelled b that read like c: misclassified out of fold
INSERT INTO pgi_rh_src (message, label) SELECT 'agua fuego uno ' || g, 'b' FROM generate_series(1, 6) AS g;
SELECT create_classifier('pgi_rh_cls', 'pgi_rh_src', 'message', 'label', '{"key_column": "id", "seed": 1}') ->> 'name' AS classifier;
SELECT count(*) AS runs FROM train_classifier('pgi_rh_cls', 'classifier run');
SELECT id AS cls_run, jsonb_array_length(metrics #> '{metrics,misclassified}') AS cls_misclassified
  FROM ai_training_runs WHERE classifier = 'pgi_rh_cls' \gset
SELECT :cls_misclassified AS misclassified;
SELECT pg_temp.n(html, '<rect class="bin"') > 0 AS reliability_bins,
       pg_temp.n(html, 'Not available') AS charts_not_available,
       pg_temp.n(html, '\(text not stored for classifier runs; key [0-9]+\)') = :cls_misclassified AS every_example_keyed,
       html ~ 'not visible|perro|casa|agua' AS shows_text_or_not_visible
  FROM (SELECT training_report(:'cls_run', 'html') AS html) AS s;
SELECT pg_temp.n(md, '\*\(text not stored for classifier runs; key [0-9]+\)\*') = :cls_misclassified AS markdown_every_example_keyed,
       md ~ 'not visible|perro|casa|agua' AS markdown_shows_text_or_not_visible
  FROM (SELECT training_report(:'cls_run') AS md) AS s;
SET pg_intent.language = 'es';
SELECT pg_temp.n(md, '\*\(texto no guardado en las ejecuciones de clasificadores; clave [0-9]+\)\*') = :cls_misclassified AS markdown_es_keyed
  FROM (SELECT training_report(:'cls_run') AS md) AS s;
RESET pg_intent.language;
-- A reader of the runs needs SELECT on ai_classifier_run_rows (not
-- ai_training_run_rows) for a classifier run's charts; without it they say so.
CREATE ROLE pgi_rh_cls_reader;
GRANT SELECT ON ai_training_runs, ai_intent_models TO pgi_rh_cls_reader;
SELECT count(*) > 0 AS report_functions_granted FROM grant_intent_access('pgi_rh_cls_reader', 'report');
SET ROLE pgi_rh_cls_reader;
SELECT pg_temp.n(html, 'you may not read the run.{1,6}s out-of-fold predictions') AS charts_not_available,
       pg_temp.n(html, '<rect class="bin"') AS reliability_bins
  FROM (SELECT training_report(:'cls_run', 'html') AS html) AS s;
RESET ROLE;
GRANT SELECT ON ai_classifier_run_rows TO pgi_rh_cls_reader;
SET ROLE pgi_rh_cls_reader;
SELECT pg_temp.n(html, 'Not available') AS charts_not_available,
       pg_temp.n(html, '<rect class="bin"') > 0 AS reliability_bins
  FROM (SELECT training_report(:'cls_run', 'html') AS html) AS s;
RESET ROLE;
REVOKE ALL ON ai_training_runs, ai_intent_models, ai_classifier_run_rows FROM pgi_rh_cls_reader;
DROP OWNED BY pgi_rh_cls_reader;
DROP ROLE pgi_rh_cls_reader;
SELECT drop_classifier('pgi_rh_cls', true) IS NOT NULL AS classifier_dropped;
DROP TABLE pgi_rh_src;
