-- One label rule for every consumer (ARCHITECTURE.md, "Which rows train,
-- under which label" and "What a label is"): the same rows, with no label
-- (NULL, ''), with a label is_valid_intent_name() refuses ('uncertain', 257
-- bytes, a control character) and with valid labels, are given to
-- train_intent_model() through ai_training_data, to a named classifier over
-- a table, and to evaluate_intent_model() and evaluate_label(). They agree
-- on which rows count: the rows without a label are left out uncounted by
-- both runs (no_label(); 0.3.2: the classifier counted '' as an invalid
-- label), the refused labels are left out and counted by both runs, and an
-- evaluation skips and counts both kinds instead of scoring a refused label
-- as a miss (0.3.2). With subword_vectors on, both runs give the vectors the
-- texts of both kinds, the rows that train under no label, and count them
-- alike (0.3.2: the classifier's run left out a refused label's text).
SET client_min_messages = warning;
SET pg_intent.allow_drop_with_data = on; -- the previous test's rows go (src/pg/drop_guard.cpp)
DROP EXTENSION IF EXISTS pg_intent CASCADE;
DROP TABLE IF EXISTS lr_rows;
CREATE EXTENSION pg_intent;
\i test/fixtures/try.sql
\i test/fixtures/legacy_rows.sql

CREATE TABLE lr_rows (id bigserial PRIMARY KEY, body text NOT NULL, label text, kind text NOT NULL);
-- 60 rows of three valid labels, each text its own.
INSERT INTO lr_rows (body, label, kind)
SELECT format('mensaje %s sobre el %s número %s', n, l, n % 7), l, 'valid'
  FROM generate_series(1, 60) AS n, LATERAL (SELECT (ARRAY['pedido', 'envio', 'factura'])[1 + n % 3] AS l) AS x;
INSERT INTO lr_rows (body, label, kind) VALUES
    ('sin etiqueta nula', NULL, 'NULL'),
    ('sin etiqueta vacía', '', 'empty'),
    ('la respuesta de abstención', 'uncertain', 'uncertain'),
    ('una etiqueta muy larga', repeat('x', 257), '257 bytes'),
    ('una etiqueta con salto', E'env\nio', 'control character');
-- What the label rule says of each kind: no_label() (NULL or '') and
-- is_valid_intent_name().
SELECT kind, label IS NULL OR label = '' AS no_label, is_valid_intent_name(label) AS valid, count(*) AS rows
  FROM lr_rows GROUP BY 1, 2, 3 ORDER BY 1;

-- (a) train_intent_model() over the same rows in ai_training_data, reviewed
-- (stored as 0.2.0 accepted them: test/fixtures/legacy_rows.sql).
SELECT pg_temp.as_before_0_2_1($$
    INSERT INTO ai_training_data (user_message, detected_intent, confidence_score, dataset_status)
    SELECT body, label, 90, 'approved' FROM lr_rows ORDER BY id
$$);
SELECT t ->> 'status' AS status FROM train_intent_model('lr intent', 'full', '{"seed": 1}') AS t;
-- (b) a classifier over the table.
SELECT create_classifier('lr', 'lr_rows', 'body', 'label', '{"key_column": "id", "seed": 1}') IS NOT NULL AS created;
SELECT t ->> 'status' AS status FROM train_classifier('lr', 'lr classifier') AS t;

-- The runs' counts of the rows: the same (0 when a run does not report one).
WITH runs AS (
    SELECT (SELECT metrics FROM ai_training_runs WHERE run_name = 'lr intent') AS i,
           (SELECT metrics FROM ai_training_runs WHERE run_name = 'lr classifier') AS c)
SELECT k AS count, coalesce(i ->> k, '0') AS intent, coalesce(c ->> k, '0') AS classifier,
       coalesce(i ->> k, '0') = coalesce(c ->> k, '0') AS same
  FROM runs, unnest(ARRAY['input_rows', 'usable_rows', 'training_samples', 'rows_skipped_invalid_label',
                          'rows_skipped_long_label']) AS k
 ORDER BY k;

-- (c) the evaluations of both models on the same rows: the rows a run
-- trains on are scored, every other row is skipped and counted, none is
-- scored as a miss.
CREATE TEMP TABLE lr_eval AS
SELECT 'evaluate_intent_model' AS fn, evaluate_intent_model(NULL, 'SELECT body, label FROM lr_rows') AS e
UNION ALL
SELECT 'evaluate_label', evaluate_label('lr', 'SELECT body, label FROM lr_rows');
SELECT fn, (e ->> 'query_rows')::int AS query_rows, (e ->> 'skipped')::int AS skipped,
       (e ->> 'query_rows')::int - (e ->> 'skipped')::int AS scored,
       (e ->> 'query_rows')::int - (e ->> 'skipped')::int
           = (SELECT (metrics ->> 'input_rows')::int FROM ai_training_runs WHERE run_name = 'lr intent') AS scored_as_trained,
       (e ->> 'skipped')::int
           = (SELECT count(*) FROM lr_rows WHERE NOT coalesce(is_valid_intent_name(label), false)) AS skipped_as_refused
  FROM lr_eval ORDER BY fn;
-- Each refused kind alone: skipped and counted, so a query of such rows only
-- has nothing to evaluate.
SELECT k.kind,
       pg_temp.try(format('SELECT evaluate_intent_model(NULL, %L)',
                          format('SELECT body, label FROM lr_rows WHERE kind = %L', k.kind))) AS intent_model,
       pg_temp.try(format('SELECT evaluate_label(%L, %L)', 'lr',
                          format('SELECT body, label FROM lr_rows WHERE kind = %L', k.kind))) AS classifier
  FROM (SELECT DISTINCT kind FROM lr_rows WHERE kind <> 'valid') AS k ORDER BY k.kind;

-- (d) The texts the subword vectors learn from besides the labelled rows
-- (subword_vectors on): those of the rows that train under no label, none
-- (NULL, '') or one the label rule refuses (trains_under_no_label(),
-- src/pg/train_reader.h, the one rule): the same five texts through both
-- runs (0.3.2: the classifier read those of NULL and '' only, 2 of the 5),
-- and the same counts of what each bound leaves out: every text, the
-- newest 2, and 30 bytes of texts together (any one of the five fits, no
-- two do, whatever their order).
CREATE FUNCTION pg_temp.unlabelled_counts(p_run text) RETURNS text LANGUAGE sql AS $$
    SELECT format('%s used, %s left out, %s skipped', coalesce(metrics ->> 'unlabelled_texts', '-'),
                  coalesce(metrics ->> 'unlabelled_texts_left_out', '0'),
                  coalesce(metrics ->> 'unlabelled_texts_skipped_invalid', '0'))
      FROM ai_training_runs WHERE run_name = p_run
$$;
CREATE TEMP TABLE lr_bounds AS
SELECT * FROM (VALUES ('every text', '{"weight": 2}'),
                      ('the newest 2', '{"unlabelled_rows": 2, "weight": 2}'),
                      ('30 bytes', '{"unlabelled_bytes": 30, "weight": 2}')) AS b (bounds, subword);
SELECT b.bounds,
       train_intent_model('lr intent ' || b.bounds, 'full',
                          format('{"seed": 1, "deploy": "never", "subword_vectors": %s}', b.subword)::jsonb) ->> 'status' AS intent,
       train_classifier('lr', 'lr classifier ' || b.bounds,
                        format('{"deploy": "never", "subword_vectors": %s}', b.subword)::jsonb) ->> 'status' AS classifier
  FROM lr_bounds AS b ORDER BY b.bounds;
SELECT b.bounds, pg_temp.unlabelled_counts('lr intent ' || b.bounds) AS intent,
       pg_temp.unlabelled_counts('lr classifier ' || b.bounds) AS classifier,
       pg_temp.unlabelled_counts('lr intent ' || b.bounds)
           = pg_temp.unlabelled_counts('lr classifier ' || b.bounds) AS same
  FROM lr_bounds AS b ORDER BY b.bounds;
-- Every text alone, they are the same texts: intent and the classifier
-- train the same model bytes (the same rows, seed and options).
SELECT (SELECT m.sha256 FROM ai_intent_models AS m JOIN ai_training_runs AS r ON r.id = m.run_id
         WHERE r.run_name = 'lr intent every text')
     = (SELECT m.sha256 FROM ai_intent_models AS m JOIN ai_training_runs AS r ON r.id = m.run_id
         WHERE r.run_name = 'lr classifier every text') AS same_model;
-- The rows that train are counted as before the option: the refused labels
-- still in rows_skipped_invalid_label and rows_skipped_long_label.
SELECT k AS count, i.metrics ->> k AS intent, c.metrics ->> k AS classifier
  FROM ai_training_runs AS i, ai_training_runs AS c,
       unnest(ARRAY['usable_rows', 'rows_skipped_invalid_label', 'rows_skipped_long_label']) AS k
 WHERE i.run_name = 'lr intent every text' AND c.run_name = 'lr classifier every text'
 ORDER BY k;

DROP EXTENSION pg_intent CASCADE;
DROP TABLE IF EXISTS lr_rows;
