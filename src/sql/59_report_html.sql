-- Training reports as one self-contained HTML page (operations).
--
-- training_report(p_run_id, 'html') (57_report.sql) returns the page built
-- here: inline CSS and SVG only, no script, font, image or URL, so it can be
-- saved to a file, mailed or served as it is. Every value that comes from
-- users (run names, intent names, messages) goes through _pg_intent_html().

------------------------------------------------------------------------------
-- HTML escaping
------------------------------------------------------------------------------

-- Internal: text made safe for HTML and SVG, in element content and in
-- quoted attributes: & < > " ' become entities; NULL becomes ''. With
-- p_max, text longer than p_max characters is cut and ends with an ellipsis.
CREATE OR REPLACE FUNCTION @extschema@._pg_intent_html(p_value text, p_max integer DEFAULT NULL)
RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE
SET search_path = pg_catalog, pg_temp
AS $$
    SELECT replace(replace(replace(replace(replace(
               CASE WHEN p_max IS NOT NULL AND length(p_value) > p_max
                    THEN left(p_value, greatest(p_max - length(@extschema@._pg_intent_glyph(8230, '...')), 0)) || @extschema@._pg_intent_glyph(8230, '...')
                    ELSE coalesce(p_value, '') END,
               '&', '&amp;'), '<', '&lt;'), '>', '&gt;'), '"', '&quot;'), '''', '&#39;')
$$;
COMMENT ON FUNCTION @extschema@._pg_intent_html(text, integer) IS
    'Internal: escapes text for HTML and SVG content and quoted attributes (& < > " '' become entities, NULL becomes an empty string), cut to p_max characters when given.';

------------------------------------------------------------------------------
-- The page
------------------------------------------------------------------------------

-- Internal: the HTML page of training_report(p_run_id, 'html'); the run must
-- exist (training_report() checks). SECURITY INVOKER: it reads the run, its
-- model, its out-of-fold rows (ai_training_run_rows) and the misclassified
-- messages with the caller's rights, and says so where the caller may not.
CREATE OR REPLACE FUNCTION @extschema@._pg_intent_report_html(p_run_id uuid)
RETURNS text
LANGUAGE plpgsql STABLE PARALLEL SAFE
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    c_dash CONSTANT text := @extschema@._pg_intent_glyph(8211, '-'); -- a missing value
    r @extschema@.ai_training_runs%ROWTYPE;
    v_version text;
    v_rep jsonb;          -- the run's report
    v_m jsonb;            -- its metrics
    v_b jsonb;            -- baseline metrics (0.1.0 runs, or 0.1.0's training entry point)
    v_d jsonb;            -- the deploy decision's figures (0.2.0)
    v_g jsonb;            -- the fresh-row comparison (0.2.0)
    v_title text;
    v_out text[] := '{}';
    v_html text;
    v_line text;
    -- confusion heatmap
    v_labels text[];
    v_nlabels integer;
    v_kept integer[];
    v_confused integer;
    v_cell integer;
    v_left integer := 190;
    v_top integer := 150;
    v_w integer;
    v_h integer;
    -- per-row data
    v_rows_readable boolean;
    v_rows bigint := 0;
    v_points text;
    v_ymin numeric;
    v_threshold double precision;
    v_t_cov double precision;
    v_t_acc double precision;
    v_t_n bigint;
    v_na text;
    v_n bigint;
    v_shown bigint;
BEGIN
    SELECT * INTO r FROM @extschema@.ai_training_runs WHERE id = p_run_id;
    IF NOT FOUND THEN
        RAISE EXCEPTION 'training run % not found', p_run_id USING ERRCODE = 'P0002';
    END IF;
    SELECT m.version INTO v_version FROM @extschema@.ai_intent_models AS m WHERE m.id = r.model_id;
    v_rep := coalesce(r.metrics, '{}'::jsonb);
    v_m := coalesce(v_rep -> 'metrics', '{}'::jsonb);
    v_b := CASE WHEN jsonb_typeof(v_rep -> 'baseline_metrics') = 'object' THEN v_rep -> 'baseline_metrics' END;
    v_d := CASE WHEN jsonb_typeof(v_rep -> 'deploy') = 'object' THEN v_rep -> 'deploy' END;
    v_g := CASE WHEN jsonb_typeof(v_rep -> 'gate') = 'object' THEN v_rep -> 'gate' END;
    v_title := coalesce(r.run_name, r.id::text);

    -- head, style and title block
    v_out := v_out || format($h$<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="generator" content="pg_intent training_report">
<title>Training report: %s</title>
<style>
:root{--fg:#1f2933;--muted:#616e7c;--bg:#f3f5f8;--card:#fff;--line:#e1e5ea;--good:#16803c;--bad:#c2261d;--warn:#9a6700;--accent:#2563eb}
*{box-sizing:border-box}
body{margin:0;background:var(--bg);color:var(--fg);font:15px/1.5 system-ui,-apple-system,"Segoe UI",Roboto,"Helvetica Neue",Arial,sans-serif}
main{max-width:1120px;margin:0 auto;padding:28px 24px 48px}
h1{font-size:26px;margin:0 0 6px;overflow-wrap:anywhere}
h2{font-size:18px;margin:0 0 12px}
.sub{color:var(--muted);margin:0}
.sub span{margin-right:14px;white-space:nowrap}
code{font:13px ui-monospace,SFMono-Regular,Menlo,Consolas,monospace;background:#eef1f5;padding:1px 5px;border-radius:4px}
section{background:var(--card);border:1px solid var(--line);border-radius:12px;padding:20px 24px;margin:18px 0;box-shadow:0 1px 2px rgba(16,24,40,.04)}
.cards{display:grid;grid-template-columns:repeat(auto-fit,minmax(160px,1fr));gap:12px}
.card{border:1px solid var(--line);border-radius:10px;padding:12px 14px}
.card .k{color:var(--muted);font-size:13px;text-transform:uppercase;letter-spacing:.04em}
.card .v{font-size:30px;font-weight:650;font-variant-numeric:tabular-nums}
.card .b{font-size:13px;color:var(--muted);font-variant-numeric:tabular-nums}
.delta{font-weight:600;margin-left:6px}
.delta.better{color:var(--good)}.delta.worse{color:var(--bad)}.delta.same{color:var(--muted)}
.badge{display:inline-block;padding:3px 12px;border-radius:999px;font-weight:650;color:#fff;margin-right:10px}
.badge.ok{background:var(--good)}.badge.held{background:var(--warn)}.badge.fail{background:var(--bad)}
dl{display:grid;grid-template-columns:max-content 1fr;gap:6px 18px;margin:12px 0 0}
dt{color:var(--muted)}dd{margin:0}
.note{color:var(--muted);font-size:13px;margin:10px 0 0}
.na{color:var(--muted);font-style:italic}
.error{background:#fdecea;border:1px solid #f5c2bd;border-radius:8px;padding:12px 14px;white-space:pre-wrap;overflow-wrap:anywhere}
.two{display:grid;grid-template-columns:1fr 1fr;gap:18px}
.two>section{margin:0}
@media (max-width:900px){.two{grid-template-columns:1fr}}
table{border-collapse:collapse;width:100%%}
th,td{padding:7px 9px;border-bottom:1px solid var(--line);text-align:left;vertical-align:top}
th{font-size:13px;color:var(--muted);font-weight:600}
td.num{text-align:right;font-variant-numeric:tabular-nums;white-space:nowrap}
td.msg{overflow-wrap:anywhere}
svg{max-width:100%%;height:auto;display:block}
svg text{font-family:system-ui,-apple-system,"Segoe UI",Roboto,Arial,sans-serif;font-size:12px;fill:#323f4b}
svg .small{font-size:10px;fill:#7b8794}
svg .title{font-size:12px;fill:#616e7c}
</style>
</head>
<body>
<main>
<header>
<h1>Training report: %s</h1>
<p class="sub"><span>Run <code>%s</code></span><span>%s</span><span>status <b>%s</b></span><span>started %s</span>%s<span>model %s</span></p>
</header>$h$,
        @extschema@._pg_intent_html(v_title, 200),
        @extschema@._pg_intent_html(v_title, 500),
        r.id,
        @extschema@._pg_intent_html(coalesce(r.run_type, c_dash)),
        @extschema@._pg_intent_html(r.status),
        to_char(r.started_at, 'YYYY-MM-DD HH24:MI:SS TZ'),
        CASE WHEN r.duration_seconds IS NOT NULL
             THEN format('<span>took %s s</span>', @extschema@._pg_intent_md_num(r.duration_seconds::numeric, 1)) ELSE '' END,
        CASE WHEN r.model_id IS NULL THEN 'none'
             ELSE format('%s (<code>%s</code>)', r.model_id, @extschema@._pg_intent_html(v_version)) END);

    IF r.status <> 'completed' THEN
        v_out := v_out || format('<section id="status"><h2>%s</h2>%s</section>',
            CASE r.status WHEN 'failed' THEN '<span class="badge fail">Failed</span>This run failed'
                          WHEN 'running' THEN '<span class="badge held">Running</span>This run has not finished'
                          ELSE format('<span class="badge held">%s</span>', @extschema@._pg_intent_html(r.status)) END,
            CASE WHEN r.error IS NOT NULL
                 THEN format('<div class="error">%s</div>', @extschema@._pg_intent_html(r.error, 2000))
                 ELSE '<p class="na">No error was recorded.</p>' END);
        -- a run that failed before training (or is still running) has nothing more to show
        IF r.training_samples IS NULL AND NOT v_rep ? 'metrics' THEN
            RETURN array_to_string(v_out || '</main>'::text || '</body>'::text || '</html>'::text, E'\n') || E'\n';
        END IF;
    END IF;

    ----------------------------------------------------------------------
    -- 1. headline metrics against the baseline
    ----------------------------------------------------------------------
    SELECT string_agg(format(
               '<div class="card" data-metric="%s"><div class="k">%s</div><div class="v">%s</div><div class="b">baseline %s%s</div></div>',
               k.key, k.label,
               @extschema@._pg_intent_md_num(k.new_v, k.digits),
               @extschema@._pg_intent_md_num(k.base_v, k.digits),
               CASE WHEN k.new_v IS NULL OR k.base_v IS NULL THEN ''
                    ELSE format('<span class="delta %s">%s</span>',
                                CASE WHEN round(k.new_v - k.base_v, k.digits) = 0 THEN 'same'
                                     WHEN (k.new_v > k.base_v) = k.higher_is_better THEN 'better'
                                     ELSE 'worse' END,
                                replace(to_char(round(k.new_v - k.base_v, k.digits),
                                                CASE k.digits WHEN 4 THEN 'SG0.0000' ELSE 'SG0.000' END), '-', @extschema@._pg_intent_glyph(8722, '-')))
               END), '' ORDER BY k.ord)
      INTO v_html
      FROM (VALUES
          (1, 'accuracy', 'Accuracy', 3, true,
              coalesce(r.intent_accuracy::numeric, (v_m ->> 'accuracy')::numeric),
              coalesce(r.baseline_intent_accuracy::numeric, (v_b ->> 'accuracy')::numeric)),
          (2, 'precision', 'Macro precision', 3, true,
              coalesce(r.intent_precision::numeric, (v_m ->> 'precision')::numeric, (v_m ->> 'macro_precision')::numeric),
              coalesce((v_b ->> 'precision')::numeric, (v_b ->> 'macro_precision')::numeric)),
          (3, 'recall', 'Macro recall', 3, true,
              coalesce(r.intent_recall::numeric, (v_m ->> 'recall')::numeric, (v_m ->> 'macro_recall')::numeric),
              coalesce((v_b ->> 'recall')::numeric, (v_b ->> 'macro_recall')::numeric)),
          (4, 'f1', 'Macro F1', 3, true,
              coalesce(r.intent_f1_score::numeric, (v_m ->> 'f1')::numeric, (v_m ->> 'macro_f1')::numeric),
              coalesce(r.baseline_f1_score::numeric, (v_b ->> 'f1')::numeric, (v_b ->> 'macro_f1')::numeric,
                       (v_d ->> 'baseline_f1')::numeric)),
          (5, 'ece', 'ECE', 4, false,
              coalesce((v_m #>> '{calibration,ece}')::numeric, (v_rep #>> '{calibration,ece}')::numeric),
              (v_b #>> '{calibration,ece}')::numeric),
          (6, 'brier', 'Brier', 4, false,
              coalesce((v_m #>> '{calibration,brier}')::numeric, (v_rep #>> '{calibration,brier}')::numeric),
              (v_b #>> '{calibration,brier}')::numeric)
      ) AS k(ord, key, label, digits, higher_is_better, new_v, base_v);
    v_out := v_out || format(
        '<section id="headline"><h2>Headline metrics <span class="sub">(%s)</span></h2><div class="cards">%s</div><p class="note">%s</p></section>',
        CASE WHEN v_rep ? 'evaluation' THEN 'out-of-fold' ELSE 'test split' END,
        v_html,
        'Baseline: the model that was active when this run trained'
        || CASE WHEN (v_d ->> 'active_model_id') IS NOT NULL THEN format(' (model %s)', round((v_d ->> 'active_model_id')::numeric)) ELSE '' END
        || CASE r.deploy_evidence
               WHEN 'fresh_rows' THEN format(', measured on the %s reviewed rows it had never trained on.', @extschema@._pg_intent_md_num((v_g ->> 'rows')::numeric, 0))
               WHEN 'estimates' THEN ', as its own recorded F1 estimate.'
               ELSE CASE WHEN v_b IS NOT NULL THEN ', scored on this run''s evaluation rows.'
                         WHEN r.baseline_f1_score IS NULL THEN '; there was none.' ELSE '.' END END
        || ' ECE (expected calibration error) and Brier: lower is better.');

    ----------------------------------------------------------------------
    -- the deploy decision and how the figures were obtained
    ----------------------------------------------------------------------
    v_html := format('<p><span class="badge %s">%s</span>%s</p><dl>',
        CASE WHEN r.deployed THEN 'ok' WHEN r.status = 'completed' THEN 'held' ELSE 'fail' END,
        CASE WHEN r.deployed THEN 'Deployed' WHEN r.status = 'completed' THEN 'Not deployed' ELSE 'No model' END,
        CASE r.deploy_reason
            WHEN 'first' THEN '<b>first</b>: there was no active model to compare with.'
            WHEN 'improved' THEN '<b>improved</b>: better than the active model.'
            WHEN 'within_tolerance' THEN '<b>within tolerance</b>: not worse than the active model by more than the allowed F1 regression.'
            WHEN 'manual' THEN '<b>manual</b>: deployed on request (deploy = always).'
            WHEN 'regression' THEN '<b>regression</b>: F1 fell below the active model''s by more than the allowed regression.'
            WHEN 'never' THEN '<b>never</b>: the run was asked not to deploy (deploy = never).'
            WHEN 'untested' THEN '<b>untested</b>: there were no evaluation rows.'
            WHEN 'baseline_changed' THEN '<b>baseline changed</b>: another model was deployed while this run trained.'
            WHEN 'insufficient_evidence' THEN '<b>insufficient evidence</b>: nothing to compare the active model with.'
            WHEN 'tie' THEN '<b>tie</b>: right on exactly as many fresh rows as the active model, with a macro F1 no higher; the active model stays.'
            ELSE coalesce(@extschema@._pg_intent_html(r.deploy_reason), '') END);
    IF r.deploy_evidence IS NOT NULL OR v_d ? 'evidence' THEN
        v_html := v_html || format('<dt>Evidence</dt><dd><b>%s</b>%s</dd>',
            @extschema@._pg_intent_html(coalesce(r.deploy_evidence, v_d ->> 'evidence')),
            CASE coalesce(r.deploy_evidence, v_d ->> 'evidence')
                WHEN 'fresh_rows' THEN ': both models scored on reviewed rows the active model had never trained on.'
                WHEN 'estimates' THEN ': too few fresh rows; this run''s out-of-fold F1 against the active model''s recorded estimate.'
                WHEN 'none' THEN ': no comparison was needed or possible.'
                ELSE '' END);
    END IF;
    IF (v_d ->> 'candidate_f1') IS NOT NULL AND (v_d ->> 'baseline_f1') IS NOT NULL THEN
        v_html := v_html || format('<dt>Compared</dt><dd>this model F1 <b>%s</b> against baseline F1 <b>%s</b>%s</dd>',
            @extschema@._pg_intent_md_num((v_d ->> 'candidate_f1')::numeric),
            @extschema@._pg_intent_md_num((v_d ->> 'baseline_f1')::numeric),
            CASE WHEN (v_d ->> 'max_f1_regression') IS NOT NULL
                 THEN format('; allowed regression %s', @extschema@._pg_intent_md_num((v_d ->> 'max_f1_regression')::numeric))
                 ELSE '' END);
    END IF;
    IF v_g IS NOT NULL THEN
        v_html := v_html || format('<dt>Fresh rows</dt><dd>%s rows: active model accuracy %s, F1 %s; this model accuracy %s, F1 %s; right only for this model %s, only for the active one %s.%s</dd>',
            @extschema@._pg_intent_md_num((v_g ->> 'rows')::numeric, 0),
            @extschema@._pg_intent_md_num((v_g #>> '{active,accuracy}')::numeric),
            @extschema@._pg_intent_md_num((v_g #>> '{active,macro_f1}')::numeric),
            @extschema@._pg_intent_md_num((v_g #>> '{candidate,accuracy}')::numeric),
            @extschema@._pg_intent_md_num((v_g #>> '{candidate,macro_f1}')::numeric),
            @extschema@._pg_intent_md_num((v_g ->> 'candidate_only_correct')::numeric, 0),
            @extschema@._pg_intent_md_num((v_g ->> 'active_only_correct')::numeric, 0),
            CASE WHEN v_g ? 'reason' THEN ' ' || @extschema@._pg_intent_html(v_g ->> 'reason', 300) ELSE '' END);
    END IF;
    IF v_rep ? 'threshold' THEN
        v_html := v_html || format('<dt>Abstain threshold</dt><dd><b>%s</b>%s</dd>',
            @extschema@._pg_intent_md_num((v_rep #>> '{threshold,value}')::numeric),
            CASE WHEN v_rep #> '{threshold,reason}' IS NOT NULL
                 THEN ': ' || @extschema@._pg_intent_html(v_rep #>> '{threshold,reason}', 300) ELSE '' END);
    END IF;
    v_out := v_out || format('<div class="two"><section id="deploy"><h2>Deploy decision</h2>%s</dl></section>', v_html);

    v_html := CASE
        WHEN v_rep #>> '{evaluation,method}' = 'cross_validation' THEN
            format('<dt>Method</dt><dd><b>%s-fold cross-validation</b>: each of the %s rows was scored by a model that did not train on it.</dd>',
                   @extschema@._pg_intent_md_num((v_rep #>> '{evaluation,folds}')::numeric, 0),
                   @extschema@._pg_intent_md_num(coalesce((v_rep #>> '{evaluation,rows}')::numeric, r.validation_samples), 0))
        WHEN v_rep #>> '{evaluation,method}' = 'holdout' THEN
            format('<dt>Method</dt><dd><b>holdout</b>: a stratified holdout of %s rows.</dd>',
                   @extschema@._pg_intent_md_num(coalesce((v_rep #>> '{evaluation,rows}')::numeric, r.validation_samples), 0))
        WHEN v_rep ? 'evaluation' THEN
            format('<dt>Method</dt><dd><b>%s</b></dd>', coalesce(@extschema@._pg_intent_html(v_rep #>> '{evaluation,method}'), 'none'))
        ELSE
            format('<dt>Method</dt><dd><b>test split</b> (0.1.0): %s training, %s validation, %s test rows.</dd>',
                   coalesce(r.training_samples::text, c_dash), coalesce(r.validation_samples::text, c_dash),
                   coalesce(r.test_samples::text, c_dash))
        END;
    IF v_rep ? 'evaluation' THEN
        v_html := v_html || format('<dt>Rows</dt><dd>%s read, %s usable; the model was refit on all %s</dd>',
            @extschema@._pg_intent_md_num((v_rep ->> 'input_rows')::numeric, 0),
            @extschema@._pg_intent_md_num(coalesce((v_rep ->> 'usable_rows')::numeric, r.training_samples), 0),
            coalesce(r.training_samples::text, c_dash));
        IF v_rep #> '{evaluation,reason}' IS NOT NULL THEN
            v_html := v_html || format('<dt>Why</dt><dd>%s</dd>', @extschema@._pg_intent_html(v_rep #>> '{evaluation,reason}', 300));
        END IF;
    END IF;
    v_html := v_html || format('<dt>Intents</dt><dd>%s</dd>', coalesce(r.total_intents::text, c_dash));
    IF v_rep ? 'duplicates_removed' OR v_rep ? 'conflicts_resolved' OR v_rep ? 'empty_removed' THEN
        v_html := v_html || format('<dt>Cleaning</dt><dd>%s duplicates removed, %s label conflicts resolved, %s empty texts removed</dd>',
            coalesce(round((v_rep ->> 'duplicates_removed')::numeric)::text, '0'),
            coalesce(round((v_rep ->> 'conflicts_resolved')::numeric)::text, '0'),
            coalesce(round((v_rep ->> 'empty_removed')::numeric)::text, '0'));
    END IF;
    IF jsonb_typeof(v_rep -> 'small_classes') = 'array' AND jsonb_array_length(v_rep -> 'small_classes') > 0 THEN
        v_html := v_html || format('<dt>Small classes</dt><dd>%s</dd>',
            (SELECT string_agg(@extschema@._pg_intent_html(x #>> '{}', 60), ', ')
               FROM jsonb_array_elements(v_rep -> 'small_classes') AS x));
    END IF;
    v_out := v_out || format('<section id="evaluation"><h2>How the figures were obtained</h2><dl>%s</dl></section></div>', v_html);

    ----------------------------------------------------------------------
    -- 2. confusion heatmap: rows true intents, columns predicted intents,
    --    colour by the row-normalised share
    ----------------------------------------------------------------------
    IF jsonb_typeof(v_m #> '{confusion,matrix}') = 'array' AND jsonb_typeof(v_m #> '{confusion,labels}') = 'array' THEN
        v_labels := ARRAY(SELECT l #>> '{}' FROM jsonb_array_elements(v_m #> '{confusion,labels}') WITH ORDINALITY AS a(l, i) ORDER BY a.i);
        v_nlabels := cardinality(v_labels);
        -- the intents kept: all of them up to 12, else the 12 involved in
        -- the most confusions (as true or as predicted intent)
        WITH cell AS (
            SELECT t.i::integer AS i, c.j::integer AS j, coalesce(round((c.v #>> '{}')::numeric)::bigint, 0) AS n
              FROM jsonb_array_elements(v_m #> '{confusion,matrix}') WITH ORDINALITY AS t(rowv, i)
             CROSS JOIN LATERAL jsonb_array_elements(CASE WHEN jsonb_typeof(t.rowv) = 'array' THEN t.rowv ELSE '[]'::jsonb END)
                   WITH ORDINALITY AS c(v, j)
             WHERE t.i <= v_nlabels AND c.j <= v_nlabels
        ), involved AS (
            SELECT g.i, coalesce(sum(c.n) FILTER (WHERE c.i <> c.j), 0) AS n
              FROM generate_series(1, v_nlabels) AS g(i)
              LEFT JOIN cell AS c ON c.i = g.i OR c.j = g.i
             GROUP BY g.i
        )
        SELECT array_agg(s.i ORDER BY s.i), (SELECT count(*) FROM involved WHERE n > 0)
          INTO v_kept, v_confused
          FROM (SELECT i FROM involved WHERE v_nlabels <= 12 OR n > 0 ORDER BY n DESC, i LIMIT 12) AS s;
        IF v_kept IS NULL THEN
            v_out := v_out || format('<section id="confusion"><h2>Confusion matrix</h2><p class="na">No confusions among the %s intents.</p></section>', v_nlabels);
        ELSE
            v_cell := CASE WHEN cardinality(v_kept) <= 6 THEN 56 ELSE 40 END;
            -- room on the right for the last rotated labels and the legend
            v_w := greatest(v_left + cardinality(v_kept) * v_cell + 120, v_left + 380);
            v_h := v_top + cardinality(v_kept) * v_cell + 70;
            WITH cell AS (
                SELECT t.i::integer AS i, c.j::integer AS j, coalesce(round((c.v #>> '{}')::numeric)::bigint, 0) AS n
                  FROM jsonb_array_elements(v_m #> '{confusion,matrix}') WITH ORDINALITY AS t(rowv, i)
                 CROSS JOIN LATERAL jsonb_array_elements(CASE WHEN jsonb_typeof(t.rowv) = 'array' THEN t.rowv ELSE '[]'::jsonb END)
                       WITH ORDINALITY AS c(v, j)
            ), total AS (
                SELECT i, sum(n) AS n FROM cell GROUP BY i
            ), kept AS (
                SELECT k.i, k.pos::integer - 1 AS pos FROM unnest(v_kept) WITH ORDINALITY AS k(i, pos)
            ), grid AS (
                SELECT ti.i, pj.i AS j, ti.pos AS row_pos, pj.pos AS col_pos,
                       coalesce(c.n, 0) AS n,
                       CASE WHEN coalesce(t.n, 0) > 0 THEN coalesce(c.n, 0)::float8 / t.n ELSE 0 END AS share
                  FROM kept AS ti CROSS JOIN kept AS pj
                  LEFT JOIN cell AS c ON c.i = ti.i AND c.j = pj.i
                  LEFT JOIN total AS t ON t.i = ti.i
            )
            SELECT string_agg(format(
                       '<rect class="cell %s" x="%s" y="%s" width="%s" height="%s" fill="%s" stroke="#fff" stroke-width="1"><title>true %s, predicted %s: %s (%s%% of %s)</title></rect>%s',
                       CASE WHEN g.i = g.j THEN 'diag' WHEN g.n > 0 THEN 'err' ELSE 'zero' END,
                       v_left + g.col_pos * v_cell, v_top + g.row_pos * v_cell, v_cell, v_cell,
                       CASE WHEN g.n = 0 THEN '#f4f6f8'
                            WHEN g.i = g.j THEN format('hsl(212,70%%,%s%%)', round((94 - 56 * g.share)::numeric, 1))
                            ELSE format('hsl(4,78%%,%s%%)', round((92 - 47 * sqrt(g.share))::numeric, 1)) END,
                       @extschema@._pg_intent_html(v_labels[g.i]), @extschema@._pg_intent_html(v_labels[g.j]),
                       g.n, round((100 * g.share)::numeric, 1), @extschema@._pg_intent_html(v_labels[g.i]),
                       CASE WHEN g.n > 0 THEN format('<text x="%s" y="%s" text-anchor="middle" dominant-baseline="central" style="fill:%s;font-size:%spx">%s</text>',
                                                     v_left + g.col_pos * v_cell + v_cell / 2, v_top + g.row_pos * v_cell + v_cell / 2,
                                                     CASE WHEN (g.i = g.j AND g.share > 0.55) OR (g.i <> g.j AND g.share > 0.35) THEN '#fff' ELSE '#1f2933' END,
                                                     CASE WHEN v_cell >= 56 THEN 14 ELSE 11 END, g.n)
                            ELSE '' END),
                       E'\n' ORDER BY g.row_pos, g.col_pos)
              INTO v_html
              FROM grid AS g;
            -- labels: true intents down the left, predicted intents across the top
            SELECT v_html || E'\n' || string_agg(format(
                       '<text x="%s" y="%s" text-anchor="end" dominant-baseline="central"><title>%s</title>%s</text>' || E'\n'
                       || '<text transform="translate(%s,%s) rotate(-45)" text-anchor="start"><title>%s</title>%s</text>',
                       v_left - 8, v_top + (k.pos - 1) * v_cell + v_cell / 2,
                       @extschema@._pg_intent_html(v_labels[k.i]), @extschema@._pg_intent_html(v_labels[k.i], 24),
                       v_left + (k.pos - 1) * v_cell + v_cell / 2 - 4, v_top - 8,
                       @extschema@._pg_intent_html(v_labels[k.i]), @extschema@._pg_intent_html(v_labels[k.i], 20)),
                       E'\n' ORDER BY k.pos)
              INTO v_html
              FROM unnest(v_kept) WITH ORDINALITY AS k(i, pos);
            v_out := v_out || format(
                '<section id="confusion"><h2>Confusion matrix <span class="sub">(%s)</span></h2>'
                || '<p class="note">%s Rows are the true intents, columns the predicted ones; a cell''s colour is its share of the row (blue: right, red: confused with another intent).</p>'
                || '<svg id="confusion-heatmap" width="%s" height="%s" viewBox="0 0 %s %s" role="img" aria-label="confusion matrix heatmap">'
                || E'\n' || '<text class="title" x="%s" y="16" text-anchor="middle">predicted intent &rarr;</text>'
                || '<text class="title" transform="translate(14,%s) rotate(-90)" text-anchor="middle">true intent &rarr;</text>'
                || E'\n%s\n'
                || '<g transform="translate(%s,%s)"><rect x="0" y="0" width="14" height="14" fill="hsl(212,70%%,45%%)"/><text x="20" y="11">right (share of the row)</text>'
                || '<rect x="190" y="0" width="14" height="14" fill="hsl(4,78%%,55%%)"/><text x="210" y="11">confused</text>'
                || '<rect x="290" y="0" width="14" height="14" fill="#f4f6f8" stroke="#e1e5ea"/><text x="310" y="11">none</text></g>'
                || '</svg></section>',
                CASE WHEN v_rep ? 'evaluation' THEN 'out-of-fold' ELSE 'test split' END,
                CASE WHEN v_nlabels <= 12 THEN format('All %s intents.', v_nlabels)
                     ELSE format('%s intents, %s of them involved in confusions; shown: the %s involved in the most (%s); left out: %s.',
                                 v_nlabels, v_confused, cardinality(v_kept),
                                 (SELECT string_agg(@extschema@._pg_intent_html(v_labels[k.i]), ', ' ORDER BY k.pos)
                                    FROM unnest(v_kept) WITH ORDINALITY AS k(i, pos)),
                                 (SELECT string_agg(@extschema@._pg_intent_html(v_labels[g.i]), ', ' ORDER BY g.i)
                                    FROM generate_series(1, v_nlabels) AS g(i) WHERE g.i <> ALL (v_kept))) END,
                v_w, v_h, v_w, v_h,
                v_left + cardinality(v_kept) * v_cell / 2, v_top + cardinality(v_kept) * v_cell / 2,
                v_html,
                v_left, v_top + cardinality(v_kept) * v_cell + 30);
        END IF;
    END IF;

    ----------------------------------------------------------------------
    -- 3. per-intent F1, worst first
    ----------------------------------------------------------------------
    IF jsonb_typeof(v_m -> 'per_intent') = 'object' THEN
        SELECT count(*) INTO v_n FROM jsonb_object_keys(v_m -> 'per_intent');
        SELECT string_agg(format(
                   '<text x="%s" y="%s" text-anchor="end" dominant-baseline="central"><title>%s</title>%s</text>'
                   || '<rect class="bar" x="%s" y="%s" width="%s" height="16" rx="3" fill="%s"><title>%s: F1 %s, precision %s, recall %s, support %s</title></rect>'
                   || '<text x="%s" y="%s" dominant-baseline="central">%s <tspan class="small">n=%s</tspan></text>',
                   v_left - 8, 34 + (b.pos - 1) * 24 + 8,
                   @extschema@._pg_intent_html(b.key), @extschema@._pg_intent_html(b.key, 26),
                   v_left, 34 + (b.pos - 1) * 24, round((coalesce(b.f1, 0) * 440)::numeric, 1),
                   CASE WHEN b.f1 IS NULL THEN '#cbd2d9' WHEN b.f1 < 0.6 THEN '#d64545' WHEN b.f1 < 0.8 THEN '#e8a33d' ELSE '#2f9e5b' END,
                   @extschema@._pg_intent_html(b.key), @extschema@._pg_intent_md_num(b.f1),
                   @extschema@._pg_intent_md_num(b.prec), @extschema@._pg_intent_md_num(b.rec),
                   coalesce(b.support::text, c_dash),
                   v_left + round((coalesce(b.f1, 0) * 440)::numeric, 1) + 6, 34 + (b.pos - 1) * 24 + 8,
                   @extschema@._pg_intent_md_num(b.f1), coalesce(b.support::text, c_dash)),
                   E'\n' ORDER BY b.pos)
          INTO v_html
          FROM (SELECT e.key, (e.value ->> 'f1')::numeric AS f1, (e.value ->> 'precision')::numeric AS prec,
                       (e.value ->> 'recall')::numeric AS rec, round((e.value ->> 'support')::numeric)::bigint AS support,
                       row_number() OVER (ORDER BY (e.value ->> 'f1')::numeric NULLS FIRST, e.key) AS pos
                  FROM jsonb_each(v_m -> 'per_intent') AS e) AS b;
        v_h := 34 + v_n::integer * 24 + 10;
        v_out := v_out || format(
            '<section id="f1"><h2>F1 per intent <span class="sub">(worst first)</span></h2>'
            || '<svg id="f1-bars" width="%s" height="%s" viewBox="0 0 %s %s" role="img" aria-label="F1 per intent">'
            || E'\n%s\n%s\n</svg><p class="note">Green: F1 &ge; 0.8, amber: &ge; 0.6, red: below. n is the intent''s number of evaluated rows.</p></section>',
            v_left + 440 + 90, v_h, v_left + 440 + 90, v_h,
            (SELECT string_agg(format('<line x1="%s" y1="24" x2="%s" y2="%s" stroke="#e1e5ea"/><text class="small" x="%s" y="18" text-anchor="middle">%s</text>',
                                      v_left + g * 110, v_left + g * 110, v_h - 6, v_left + g * 110, to_char(g * 0.25, 'FM0.00')), '')
               FROM generate_series(0, 4) AS g),
            coalesce(v_html, ''));
    END IF;

    ----------------------------------------------------------------------
    -- 4 and 5. reliability diagram and coverage-accuracy curve, from the
    -- run's out-of-fold predictions
    ----------------------------------------------------------------------
    v_rows_readable := has_table_privilege('@extschema@.ai_training_run_rows', 'SELECT');
    IF v_rows_readable THEN
        SELECT count(*) INTO v_rows
          FROM @extschema@.ai_training_run_rows AS w
         WHERE w.run_id = r.id AND w.predicted_intent IS NOT NULL AND w.confidence IS NOT NULL;
    END IF;
    v_na := CASE WHEN NOT v_rows_readable THEN 'Not available: you may not read ai_training_run_rows, where the run''s out-of-fold predictions are.'
                 ELSE 'Not available for this run: it has no out-of-fold predictions recorded in ai_training_run_rows.' END;
    IF v_rows = 0 THEN
        v_out := v_out || format('<div class="two"><section id="reliability"><h2>Reliability</h2><p class="na">%s</p></section>'
                                 || '<section id="coverage"><h2>Coverage and accuracy</h2><p class="na">%s</p></section></div>', v_na, v_na);
    ELSE
        -- reliability: 10 confidence bins; a bar is the bin's accuracy, the
        -- dot its mean confidence; on the diagonal the confidence is honest
        SELECT string_agg(format(
                   '<rect class="bin" x="%s" y="%s" width="28" height="%s" fill="#2563eb" fill-opacity="0.75"><title>confidence %s&ndash;%s: %s rows, accuracy %s, mean confidence %s</title></rect>'
                   || '<circle cx="%s" cy="%s" r="3.5" fill="#1f2933"/>'
                   || '<text class="small" x="%s" y="%s" text-anchor="middle">%s</text>',
                   50 + s.b * 30 + 1, 20 + round(((1 - s.acc) * 300)::numeric, 1), round((s.acc * 300)::numeric, 1),
                   to_char(s.b / 10.0, 'FM0.0'), to_char((s.b + 1) / 10.0, 'FM0.0'), s.n,
                   to_char(s.acc, 'FM0.000'), to_char(s.conf, 'FM0.000'),
                   50 + round((s.conf * 300)::numeric, 1), 20 + round(((1 - s.acc) * 300)::numeric, 1),
                   50 + s.b * 30 + 15, greatest(20 + round(((1 - s.acc) * 300)::numeric, 1) - 5, 13), s.n),
                   E'\n' ORDER BY s.b)
          INTO v_html
          FROM (SELECT least(floor(w.confidence * 10)::integer, 9) AS b, count(*) AS n,
                       avg(w.confidence::float8)::numeric AS conf,
                       avg(CASE WHEN w.predicted_intent = w.intent THEN 1.0 ELSE 0.0 END) AS acc
                  FROM @extschema@.ai_training_run_rows AS w
                 WHERE w.run_id = r.id AND w.predicted_intent IS NOT NULL AND w.confidence IS NOT NULL
                 GROUP BY 1) AS s;
        v_out := v_out || format(
            '<div class="two"><section id="reliability"><h2>Reliability <span class="sub">(%s rows, out-of-fold)</span></h2>'
            || '<svg id="reliability-diagram" width="380" height="370" viewBox="0 0 380 370" role="img" aria-label="reliability diagram">'
            || E'\n%s\n'
            || '<line x1="50" y1="320" x2="350" y2="20" stroke="#9aa5b1" stroke-dasharray="5 4"/>'
            || '<line x1="50" y1="320" x2="350" y2="320" stroke="#52606d"/><line x1="50" y1="20" x2="50" y2="320" stroke="#52606d"/>'
            || E'\n%s\n'
            || '<text class="title" x="200" y="356" text-anchor="middle">confidence</text>'
            || '<text class="title" transform="translate(14,170) rotate(-90)" text-anchor="middle">accuracy</text>'
            || '</svg><p class="note">Bars: accuracy of the predictions in each confidence bin (count above); dots: their mean confidence; dashed: perfect calibration. ECE %s.</p></section>',
            v_rows,
            (SELECT string_agg(format('<line x1="46" y1="%s" x2="350" y2="%s" stroke="#eef1f5"/><text class="small" x="42" y="%s" text-anchor="end" dominant-baseline="central">%s</text>'
                                      || '<text class="small" x="%s" y="334" text-anchor="middle">%s</text>',
                                      320 - g * 60, 320 - g * 60, 320 - g * 60, to_char(g * 0.2, 'FM0.0'),
                                      50 + g * 60, to_char(g * 0.2, 'FM0.0')), '')
               FROM generate_series(0, 5) AS g),
            v_html,
            @extschema@._pg_intent_md_num(coalesce((v_m #>> '{calibration,ece}')::numeric, (v_rep #>> '{calibration,ece}')::numeric), 4));

        -- coverage-accuracy: accepting every prediction whose confidence is
        -- at least t gives coverage(t) and accuracy(t); one point per
        -- distinct confidence, at most about 200 drawn
        v_threshold := (v_rep #>> '{threshold,value}')::float8;
        WITH p AS (
            SELECT w.confidence::float8 AS c, CASE WHEN w.predicted_intent = w.intent THEN 1 ELSE 0 END AS ok
              FROM @extschema@.ai_training_run_rows AS w
             WHERE w.run_id = r.id AND w.predicted_intent IS NOT NULL AND w.confidence IS NOT NULL
        ), cum AS (
            SELECT DISTINCT ON (p.c) p.c, count(*) OVER w AS accepted, sum(p.ok) OVER w AS right_n
              FROM p
            WINDOW w AS (ORDER BY p.c DESC RANGE UNBOUNDED PRECEDING)
             ORDER BY p.c DESC
        ), numbered AS (
            SELECT cum.*, row_number() OVER (ORDER BY cum.c DESC) AS rn, count(*) OVER () AS points
              FROM cum
        )
        SELECT string_agg(format('%s,%s', round((50 + 300 * accepted::numeric / v_rows), 1), round(right_n::numeric / accepted, 4)),
                          ' ' ORDER BY c DESC),
               min(right_n::numeric / accepted)
          INTO v_points, v_ymin
          FROM numbered
         WHERE rn = 1 OR rn = points OR rn % greatest(ceil(points / 200.0)::integer, 1) = 0;
        -- the y axis spans [ymin, 1] in steps of 0.1
        v_ymin := least(floor(v_ymin * 10) / 10, 0.9);
        -- points were written as x,accuracy: map accuracy to y now
        SELECT string_agg(format('%s,%s', split_part(pt, ',', 1),
                                 round(20 + 300 * (1 - (split_part(pt, ',', 2)::numeric - v_ymin) / (1 - v_ymin)), 1)), ' ')
          INTO v_points
          FROM regexp_split_to_table(v_points, ' ') AS pt;
        IF v_threshold IS NOT NULL THEN
            -- a stored confidence is a real: compare with a little slack
            SELECT count(*), count(*)::float8 / v_rows,
                   avg(CASE WHEN w.predicted_intent = w.intent THEN 1.0 ELSE 0.0 END)::float8
              INTO v_t_n, v_t_cov, v_t_acc
              FROM @extschema@.ai_training_run_rows AS w
             WHERE w.run_id = r.id AND w.predicted_intent IS NOT NULL AND w.confidence IS NOT NULL
               AND w.confidence::float8 >= v_threshold - 1e-6;
        END IF;
        v_out := v_out || format(
            '<section id="coverage"><h2>Coverage and accuracy <span class="sub">(abstain threshold)</span></h2>'
            || '<svg id="coverage-curve" width="380" height="370" viewBox="0 0 380 370" role="img" aria-label="coverage accuracy curve">'
            || E'\n%s\n'
            || '<line x1="50" y1="320" x2="350" y2="320" stroke="#52606d"/><line x1="50" y1="20" x2="50" y2="320" stroke="#52606d"/>'
            || '<polyline class="curve" points="%s" fill="none" stroke="#2563eb" stroke-width="2.2" stroke-linejoin="round"/>'
            || E'\n%s\n'
            || '<text class="title" x="200" y="356" text-anchor="middle">coverage (share of messages answered)</text>'
            || '<text class="title" transform="translate(14,170) rotate(-90)" text-anchor="middle">accuracy of the answered</text>'
            || '</svg><p class="note">%s</p></section></div>',
            (SELECT string_agg(format('<line x1="46" y1="%s" x2="350" y2="%s" stroke="#eef1f5"/><text class="small" x="42" y="%s" text-anchor="end" dominant-baseline="central">%s</text>',
                                      round(320 - 300 * (g - v_ymin * 10) / (10 - v_ymin * 10), 1),
                                      round(320 - 300 * (g - v_ymin * 10) / (10 - v_ymin * 10), 1),
                                      round(320 - 300 * (g - v_ymin * 10) / (10 - v_ymin * 10), 1),
                                      to_char(g / 10.0, 'FM0.0')), '')
               FROM generate_series((v_ymin * 10)::integer, 10) AS g)
            || (SELECT string_agg(format('<text class="small" x="%s" y="334" text-anchor="middle">%s</text>', 50 + g * 60, to_char(g * 0.2, 'FM0.0')), '')
                  FROM generate_series(0, 5) AS g),
            v_points,
            CASE WHEN v_threshold IS NULL OR v_t_n = 0 THEN ''
                 ELSE format('<line x1="%1$s" y1="20" x2="%1$s" y2="320" stroke="#c2261d" stroke-dasharray="4 3"/>'
                             || '<circle class="threshold" cx="%1$s" cy="%2$s" r="6.5" fill="#c2261d" stroke="#fff" stroke-width="2"><title>threshold %3$s: coverage %4$s, accuracy %5$s</title></circle>'
                             || '<text x="%6$s" y="%7$s" text-anchor="%8$s" style="fill:#c2261d;font-weight:600">threshold %3$s</text>',
                             round((50 + 300 * v_t_cov)::numeric, 1),
                             round((20 + 300 * (1 - (v_t_acc::numeric - v_ymin) / (1 - v_ymin)))::numeric, 1),
                             to_char(v_threshold, 'FM0.000'), to_char(v_t_cov, 'FM0.000'), to_char(v_t_acc, 'FM0.000'),
                             round((50 + 300 * v_t_cov)::numeric, 1) + CASE WHEN v_t_cov > 0.6 THEN -10 ELSE 10 END,
                             greatest(round((20 + 300 * (1 - (v_t_acc::numeric - v_ymin) / (1 - v_ymin)))::numeric, 1) + 22, 40),
                             CASE WHEN v_t_cov > 0.6 THEN 'end' ELSE 'start' END) END,
            CASE WHEN v_threshold IS NULL THEN 'The run recorded no abstain threshold.'
                 WHEN v_t_n = 0 THEN format('The abstain threshold %s accepts none of the out-of-fold predictions.', to_char(v_threshold, 'FM0.000'))
                 ELSE format('Each point accepts the predictions at or above a confidence. The chosen threshold <b>%s</b> answers %s%% of the messages with accuracy %s; below it predict_intent() marks the answer uncertain.',
                             to_char(v_threshold, 'FM0.000'), to_char(100 * v_t_cov, 'FM990.0'), to_char(v_t_acc, 'FM0.000')) END);
    END IF;

    ----------------------------------------------------------------------
    -- 6. misclassified examples, read with the caller's rights
    ----------------------------------------------------------------------
    IF jsonb_typeof(v_m -> 'misclassified') = 'array' THEN
        v_n := jsonb_array_length(v_m -> 'misclassified');
        SELECT string_agg(format('<tr><td class="msg">%s</td><td>%s</td><td>%s</td><td class="num">%s</td></tr>',
                                 CASE WHEN t.hidden IS NOT NULL THEN format('<span class="na">(%s)</span>', t.hidden)
                                      ELSE @extschema@._pg_intent_html(t.message, 300) END,
                                 @extschema@._pg_intent_html(a.x ->> 'expected', 60),
                                 @extschema@._pg_intent_html(a.x ->> 'predicted', 60),
                                 @extschema@._pg_intent_md_num((a.x ->> 'confidence')::numeric, 2)),
                          E'\n' ORDER BY a.n),
               count(*)
          INTO v_html, v_shown
          FROM (SELECT e.x, row_number() OVER (ORDER BY (e.x ->> 'confidence')::numeric DESC NULLS LAST, e.n) AS n
                  FROM jsonb_array_elements(v_m -> 'misclassified') WITH ORDINALITY AS e(x, n)
                 ORDER BY 2 LIMIT 50) AS a
         CROSS JOIN LATERAL @extschema@._pg_intent_report_message(a.x) AS t;
        v_out := v_out || format('<section id="misclassified"><h2>Misclassified examples <span class="sub">(%s %s%s)</span></h2>%s</section>',
            v_n, CASE WHEN v_rep ? 'evaluation' THEN 'out of fold' ELSE 'on the test split' END,
            CASE WHEN v_n = 0 THEN '' WHEN v_shown < v_n THEN format(', the %s most confident shown', v_shown) ELSE ', most confident first' END,
            CASE WHEN v_n = 0 THEN '<p class="na">None.</p>'
                 ELSE format('<table><thead><tr><th>message</th><th>label</th><th>predicted</th><th>confidence</th></tr></thead><tbody>%s</tbody></table>', v_html) END);
    END IF;

    v_out := v_out || '<p class="note">pg_intent training_report(); figures from the run''s stored report and out-of-fold predictions.</p>'::text
                   || '</main>'::text || '</body>'::text || '</html>'::text;
    RETURN array_to_string(v_out, E'\n') || E'\n';
END
$$;
COMMENT ON FUNCTION @extschema@._pg_intent_report_html(uuid) IS
    'Internal: the self-contained HTML page of training_report(p_run_id, ''html''): headline metrics against the baseline, deploy decision, evaluation method, confusion heatmap, per-intent F1 bars, reliability diagram and coverage-accuracy curve (from ai_training_run_rows), misclassified examples read with the caller''s rights.';
