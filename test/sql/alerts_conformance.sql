-- One engine for the alerts (ARCHITECTURE.md, "When a dashboard alerts"):
-- ai_metric_alerts (the built-in classifier intent) and ai_classifier_alerts
-- (every other classifier) raise the same alerts for the same state. intent
-- and a named classifier are put into the same states, with the same rows
-- (ai_training_data, reviewed; a table with the same rows as the
-- classifier's source), the same policy (ai_training_policy's row, which the
-- classifier's policy sets nothing over) and the same run history, and each
-- state's alerts are compared metric by metric: no model, too few training
-- samples (before any run, after a scheduled check and after a run), a model below the F1 alert
-- threshold, scheduled retraining failing, recovered.
--
-- The columns compared are those both views have: metric, value, threshold,
-- comparison, severity, message. Only in ai_metric_alerts: the live metrics
-- (intent_accuracy, escalation_rate, avg_confidence,
-- misclassification_rate), read from ai_training_data's detector columns
-- (confidence, escalation, the review of what the detector said), which a
-- classifier's source does not have. Only in ai_classifier_alerts:
-- classifier and partition (one view for every named classifier, and the
-- five weakest partition models), failed_at and sqlstate (kept from 0.3.2's
-- first shape of the view; intent's are in the message only).
SET client_min_messages = warning;
SET pg_intent.allow_drop_with_data = on; -- the previous test's rows go (src/pg/drop_guard.cpp)
DROP EXTENSION IF EXISTS pg_intent CASCADE;
DROP TABLE IF EXISTS ac_raw, ac_rows CASCADE;
CREATE EXTENSION pg_intent;

CREATE TABLE ac_raw (split text, text text, intent text);
\copy ac_raw FROM 'data/nlpjs_corpus50_es.csv' WITH (FORMAT csv, HEADER true)
CREATE TEMP VIEW ac_texts AS
SELECT row_number() OVER (ORDER BY split, text, intent) AS n, text
  FROM ac_raw WHERE intent <> 'oos';
-- created_at as the classifier's time_column: its new rows are counted as
-- intent's are, those added since its last run.
CREATE TABLE ac_rows (id bigint PRIMARY KEY, body text NOT NULL, label text NOT NULL,
                      created_at timestamptz NOT NULL DEFAULT clock_timestamp());
SELECT create_classifier('ac', 'ac_rows', 'body', 'label',
                         '{"key_column": "id", "time_column": "created_at", "seed": 1}') ->> 'name' AS created;
-- Both due for scheduled retraining at 20 new rows.
UPDATE ai_training_policy SET auto_retrain_threshold = 20;

-- The same rows for both: texts n of ac_texts with the label p_label gives
-- for n, reviewed in ai_training_data (approved by its owner), in ac_rows.
CREATE FUNCTION pg_temp.add_rows(p_from int, p_to int, p_label text) RETURNS text LANGUAGE plpgsql AS $$
BEGIN
    EXECUTE format('INSERT INTO ai_training_data (user_message, detected_intent, confidence_score, dataset_status)
                    SELECT text, %s, 90, ''approved'' FROM ac_texts WHERE n BETWEEN %s AND %s ORDER BY n',
                   p_label, p_from, p_to);
    EXECUTE format('INSERT INTO ac_rows (id, body, label) SELECT n, text, %s FROM ac_texts WHERE n BETWEEN %s AND %s',
                   p_label, p_from, p_to);
    RETURN format('%s and %s rows', (SELECT count(*) FROM ai_training_data), (SELECT count(*) FROM ac_rows));
END $$;
CREATE FUNCTION pg_temp.remove_rows() RETURNS void LANGUAGE sql AS $$
    DELETE FROM ai_training_data;
    DELETE FROM ac_rows;
$$;

-- Each view's alerts of the metrics both have, as one line: value,
-- comparison, threshold, severity and message (its times masked; the value
-- of retraining_failing, the hours since its attempt, is 'recent' under an
-- hour: the two attempts are a few seconds apart).
CREATE FUNCTION pg_temp.masked(p text) RETURNS text LANGUAGE sql AS $$
    SELECT regexp_replace(regexp_replace(p, '\d{4}-\d\d-\d\d \d\d:\d\d:\d\d \S+', '<time>', 'g'),
                          '[0-9]+([.,][0-9]+)? h', '<n> h', 'g')
$$;
CREATE FUNCTION pg_temp.line(p_metric text, p_value numeric, p_threshold numeric, p_comparison text,
                             p_severity text, p_message text) RETURNS text LANGUAGE sql AS $$
    SELECT format('%s %s %s %s: %s',
                  CASE WHEN p_metric = 'retraining_failing' THEN CASE WHEN p_value < 1 THEN 'recent' END
                       ELSE p_value::text END,
                  p_comparison, p_threshold, p_severity, pg_temp.masked(p_message))
$$;
CREATE TEMP VIEW ac_compare AS
WITH i AS (
    SELECT metric, pg_temp.line(metric, value, threshold, comparison, severity, message) AS line
      FROM ai_metric_alerts
     WHERE metric IN ('model_f1', 'training_samples', 'retraining_failing')
), c AS (
    SELECT metric, pg_temp.line(metric, value, threshold, comparison, severity, message) AS line
      FROM ai_classifier_alerts WHERE classifier = 'ac' AND partition IS NULL
)
SELECT coalesce(i.metric, c.metric) AS metric, coalesce(i.line, '-') AS intent, coalesce(c.line, '-') AS classifier,
       i.line IS NOT DISTINCT FROM c.line AS same
  FROM i FULL JOIN c ON c.metric = i.metric
 ORDER BY 1;
-- The runs' outcomes, for both.
CREATE FUNCTION pg_temp.outcome(p jsonb) RETURNS text LANGUAGE sql AS $$
    SELECT coalesce(p ->> 'status', '') || coalesce(' ' || (p ->> 'sqlstate'), '')
$$;

-- 1. No model, no rows, no run. The one difference of the two views, by
-- design: intent's training_samples is should_retrain()'s count, the rows
-- of ai_training_data a scheduled run would read now; a classifier's is the
-- newer of the rows its latest run read and the count its latest scheduled
-- check made (retrain_classifiers(), as its owner), since the view reads no
-- source (the source's code runs as its owner, a count of it is for the
-- train right only, and a dashboard polls). Before either a classifier has
-- no count, and no alert.
SELECT * FROM ac_compare;

-- 2. No model, 40 rows of two labels, no run: enough rows, no alert.
SELECT pg_temp.add_rows(1, 40, 'CASE WHEN n % 2 = 0 THEN ''par'' ELSE ''impar'' END') AS rows;
SELECT * FROM ac_compare;
SELECT pg_temp.remove_rows();

-- 3. Too few training samples: 10 rows (min_samples_for_training 20),
-- before any run, then after a scheduled check of each (issue 34, the
-- first month: neither is tried, and before 0.3.2's
-- ai_classifier_retrain_checks the classifier never alerted, having no
-- run), then after a run of each that reads them. Their reasons differ by
-- design (intent, never trained, waits for auto_retrain_threshold new
-- rows, as since 0.2: _pg_intent_builtin_retrain_due()); the alert is the
-- same.
SELECT pg_temp.add_rows(1, 10, 'CASE WHEN n % 2 = 0 THEN ''par'' ELSE ''impar'' END') AS rows;
SELECT * FROM ac_compare;
SELECT retrain_if_needed() ->> 'reason' AS intent,
       (SELECT c ->> 'reason' FROM jsonb_array_elements(retrain_classifiers() -> 'classifiers') AS c
         WHERE c ->> 'classifier' = 'ac') AS classifier;
SELECT * FROM ac_compare;
SELECT pg_temp.outcome(train_intent_model('ac few', 'full', '{"seed": 1}')) AS intent,
       pg_temp.outcome(train_classifier('ac', 'ac few')) AS classifier;
SELECT * FROM ac_compare;
SELECT pg_temp.remove_rows();

-- 4. A model below the F1 alert threshold: 150 rows labelled at random,
-- the same seed: the same model for both.
SELECT pg_temp.add_rows(1, 150, '(ARRAY[''a'', ''b'', ''c''])[1 + n % 3]') AS rows;
SELECT pg_temp.outcome(train_intent_model('ac random', 'full', '{"seed": 1}')) AS intent,
       pg_temp.outcome(train_classifier('ac', 'ac random')) AS classifier;
SELECT * FROM ac_compare;
-- An experiment over 10 of the rows ({"limit": 10}) fails for both (too few
-- for a run), and the rows a scheduled run reads are still 150: neither
-- alerts training_samples (0.3.2 before this counted the experiment's 10
-- as the classifier's training samples).
SELECT pg_temp.outcome(train_intent_model('ac limit', 'full', '{"seed": 1, "limit": 10, "deploy": "never"}')) AS intent,
       pg_temp.outcome(train_classifier('ac', 'ac limit', '{"limit": 10, "deploy": "never"}')) AS classifier;
SELECT * FROM ac_compare;

-- 5. Retraining failing: the rows replaced by 150 rows of one label, the
-- scheduled attempt of each fails (PI001) and no run completed since.
SELECT pg_temp.remove_rows();
SELECT pg_temp.add_rows(151, 300, '''only''') AS rows;
SELECT pg_temp.outcome(retrain_if_needed() -> 'result') AS intent,
       (SELECT coalesce(c #>> '{result,status}', c #>> '{error,sqlstate}', c ->> 'reason')
          FROM jsonb_array_elements(retrain_classifiers() -> 'classifiers') AS c
         WHERE c ->> 'classifier' = 'ac') AS classifier;
SELECT * FROM ac_compare;
SET pg_intent.language = 'es';
SELECT * FROM ac_compare;
RESET pg_intent.language;

-- 6. Recovered: a second label, and a completed run of each.
SELECT pg_temp.add_rows(301, 450, '''other''') AS rows;
SELECT pg_temp.outcome(train_intent_model('ac recovered', 'full', '{"seed": 1}')) AS intent,
       pg_temp.outcome(train_classifier('ac', 'ac recovered')) AS classifier;
SELECT * FROM ac_compare;

-- 7. A scheduled attempt whose session ended during its training (a
-- backend terminated, the server's crash), as each kind of attempt leaves
-- it: marked by the one mark (_pg_intent_classifier_retrain_mark(), its
-- start in ms times 2^21, plus the classifier's id: intent's 0), intent's
-- in ai_intent_retrain_attempt_seq (retrain_if_needed() runs beside
-- retrain_classifiers()), a named classifier's in
-- ai_classifier_retrain_attempt_seq. Both alert alike, SQLSTATE 57014
-- included (until 0.3.2 intent's sequence held a start only, and its
-- message said the SQLSTATE was unknown), and the next call of each
-- records the attempt in the one store, ai_classifier_retrain_failures,
-- through the one resume (_pg_intent_retrain_resume()), and backs off.
SELECT intent_internal._pg_intent_classifier_retrain_mark('intent', clock_timestamp(), false)::text = '' AS intent_marked,
       intent_internal._pg_intent_classifier_retrain_mark('ac', clock_timestamp(), false)::text = '' AS classifier_marked;
SELECT c ->> 'classifier' AS classifier, c ->> 'retrained' AS retrained
  FROM jsonb_array_elements(retrain_classifiers() -> 'classifiers') AS c;
SELECT * FROM ac_compare;
SELECT retrain_if_needed() ->> 'retrained' AS intent_retrained;
SELECT classifier, sqlstate, rows_counted, error LIKE 'the scheduled attempt was interrupted%' AS interrupted
  FROM ai_classifier_retrain_failures ORDER BY classifier;
SELECT * FROM ac_compare;

DROP EXTENSION pg_intent CASCADE;
DROP TABLE ac_raw, ac_rows CASCADE;
