-- training_report(): a Markdown report of a training run.
SET client_min_messages = warning;
SET pg_intent.allow_drop_with_data = on; -- the previous test's rows go (src/pg/drop_guard.cpp)
DROP EXTENSION IF EXISTS pg_intent CASCADE;
CREATE EXTENSION pg_intent;

\i test/fixtures/try.sql

-- No run yet.
SELECT pg_temp.try('SELECT training_report()') AS no_run;

-- A completed run with a hand-written report (the shape _pg_intent_train
-- produces), so every line of the Markdown can be checked.
SET TimeZone = 'UTC';
INSERT INTO ai_intent_models (id, version, algorithm, model, size_bytes, sha256, intents, is_active)
VALUES (41, 'v20260220_070000', 'linear_svm', '\x00'::bytea, 1, 'x', '{greeting,return_process,shipping_problem}', false);
INSERT INTO ai_training_runs (id, run_name, run_type, status, started_at, finished_at, duration_seconds,
                              training_samples, validation_samples, test_samples, total_intents,
                              intent_accuracy, intent_precision, intent_recall, intent_f1_score,
                              baseline_intent_accuracy, baseline_f1_score, model_id, deployed, deploy_reason, metrics)
VALUES ('00000000-0000-0000-0000-000000000001', 'nightly', 'full', 'completed',
        '2026-02-20 07:00:00+00', '2026-02-20 07:00:02.5+00', 2.5, 70, 15, 15, 3,
        0.8, 0.8111, 0.7778, 0.7833, 0.7333, 0.7, 41, true, 'improved',
        $json${
          "training_samples": 70, "validation_samples": 15, "test_samples": 15, "total_intents": 3,
          "intents": ["greeting", "return_process", "shipping_problem"],
          "small_classes": ["greeting"], "duplicates_removed": 4, "conflicts_resolved": 1, "empty_removed": 2,
          "threshold": {"value": 0.41234, "precision": 0.9, "coverage": 0.8, "target_precision": 0.9, "target_reached": true},
          "metrics": {
            "accuracy": 0.8, "precision": 0.8111, "recall": 0.7778, "f1": 0.7833,
            "coverage": 0.8667, "accepted_accuracy": 0.9231,
            "per_intent": {
              "greeting": {"precision": 1.0, "recall": 0.6667, "f1": 0.8, "support": 3},
              "return_process": {"precision": 0.8333, "recall": 0.8333, "f1": 0.8333, "support": 6},
              "shipping_problem": {"precision": 0.6, "recall": 0.8333, "f1": 0.6977, "support": 6}},
            "confusion": {"labels": ["greeting", "return_process", "shipping_problem"],
                          "matrix": [[2, 0, 1], [0, 5, 1], [0, 1, 5]]},
            "misclassified": [
              {"text": "hola, mi pedido | no llega\ntodavía", "expected": "greeting", "predicted": "shipping_problem", "confidence": 0.55},
              {"text": "quiero cambiar la talla", "expected": "return_process", "predicted": "shipping_problem", "confidence": 0.48},
              {"text": "el paquete vino roto", "expected": "shipping_problem", "predicted": "return_process", "confidence": 0.61},
              {"text": "![p](https://attacker.example/pixel.png) [aqui](https://attacker.example) **ya** `x` <b>&amp;</b> ~~no~~ # 1.", "expected": "greeting", "predicted": "return_process", "confidence": 0.2}],
            "calibration": {"ece": 0.04567, "brier": 0.12345}},
          "baseline_metrics": {"accuracy": 0.7333, "precision": 0.7, "recall": 0.7111, "f1": 0.7,
                               "calibration": {"ece": 0.081, "brier": 0.2}}
        }$json$);
SELECT training_report();
-- Markdown from an end user's message shows as text: the image (a tracking
-- pixel fetched when the report is viewed), the link, emphasis, code, HTML,
-- strikethrough and a heading mark are escaped (0.2.0 passed all but the HTML).
SELECT line FROM regexp_split_to_table(training_report(), E'\n') AS line WHERE line LIKE '%attacker%';
SELECT training_report() !~ '!\[|\]\(|\*\*ya|<b>' AS no_markup_from_messages;
-- The same report whatever the caller's standard_conforming_strings: the
-- escaping's patterns are read when the body is parsed, in the caller's
-- session, and with it off every escaped character became chr(1).
CREATE TEMP TABLE md_report AS SELECT training_report() AS md;
SET standard_conforming_strings = off;
SELECT training_report() = (SELECT md FROM md_report) AS same_without_standard_strings,
       strpos(training_report(), chr(1)) = 0 AS no_control_characters;
RESET standard_conforming_strings;

-- A failed run: status and error, no model.
INSERT INTO ai_training_runs (id, run_name, status, started_at, finished_at, duration_seconds, error, metrics)
VALUES ('00000000-0000-0000-0000-000000000002', 'too small', 'failed', '2026-02-21 07:00:00+00',
        '2026-02-21 07:00:00.1+00', 0.1, 'not enough training data: 5 samples, at least 20 are needed',
        '{"error": "not enough training data"}');
-- The default is the latest run; an explicit id picks another.
SELECT training_report();
SELECT split_part(training_report('00000000-0000-0000-0000-000000000001'), E'\n', 1) AS first_line;

-- Errors.
SELECT pg_temp.try($$SELECT training_report('00000000-0000-0000-0000-0000000000ff')$$) AS unknown_run;

-- The same reports worded in Spanish (pg_intent.language): headings,
-- sentences and hints; Markdown, intent names, codes and numbers stay.
SET pg_intent.language = 'es';
SELECT training_report('00000000-0000-0000-0000-000000000001');
SELECT training_report();
-- an error's hint is worded too (the message and SQLSTATE stay)
CREATE FUNCTION pg_temp.hint_of(p_sql text) RETURNS text LANGUAGE plpgsql AS $$
DECLARE v_hint text;
BEGIN
    EXECUTE p_sql;
    RETURN 'ok';
EXCEPTION WHEN OTHERS THEN
    GET STACKED DIAGNOSTICS v_hint = PG_EXCEPTION_HINT;
    RETURN SQLSTATE || ': ' || SQLERRM || ' / ' || v_hint;
END $$;
SELECT pg_temp.hint_of($$SELECT training_report(NULL, 'pdf')$$) AS bad_format_es;
RESET pg_intent.language;
SELECT pg_temp.hint_of($$SELECT training_report(NULL, 'pdf')$$) AS bad_format_en;
RESET TimeZone;

-- A real run: 4 intents x 25 Spanish messages. The report has every section,
-- one table row per intent, and the sizes of the run.
\i test/fixtures/spanish_100.sql
SELECT pg_temp.add_samples(ARRAY['los zapatos', 'la camiseta', 'el vestido', 'la chaqueta', 'el bolso']) AS added;
SELECT r ->> 'status' AS status FROM train_intent_model('report run') r;
-- (counts that depend on the model's mistakes show as N)
SELECT regexp_replace(line, '\([0-9]+ out of fold', '(N out of fold') AS line
FROM regexp_split_to_table(training_report(), E'\n') AS line
WHERE line LIKE '#%' OR line LIKE '- **Status%' OR line LIKE '- **Deploy%' OR line LIKE '- **Intents%'
   OR line LIKE '- **Rows%' OR line LIKE '- **Evaluation%';
SELECT count(*) AS intent_rows
FROM regexp_split_to_table(training_report(), E'\n') AS line
WHERE line ~ '^\| (payment\\_issue|product\\_info|return\\_process|shipping\\_problem) \| [0-9.]+ \| [0-9.]+ \| [0-9.]+ \| [0-9]+ \|$';
SELECT training_report() = training_report((SELECT id FROM ai_training_runs WHERE run_name = 'report run')) AS latest_is_default;

-- Beyond 300 intents a report stores the confusion matrix as its non-zero
-- cells [truth, predicted, count]: the hot spots come from them.
UPDATE ai_training_runs
   SET metrics = jsonb_set(metrics, '{metrics,confusion}',
                           '{"labels": ["greeting", "return_process", "shipping_problem"], "cells": [[0, 0, 2], [0, 2, 1], [1, 1, 5], [1, 2, 3], [2, 1, 1], [2, 2, 5]]}')
 WHERE id = '00000000-0000-0000-0000-000000000001';
SELECT line FROM regexp_split_to_table(training_report('00000000-0000-0000-0000-000000000001'), E'\n') AS line
 WHERE line LIKE '| greeting |%' OR line LIKE '| return\\_process | shipping%' OR line LIKE '| shipping\\_problem | return%'
    OR line LIKE '## Confusion%';
