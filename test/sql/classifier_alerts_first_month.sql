-- Issue 33 point 1 / issue 34 ("the first month"): a classifier whose
-- source holds fewer rows than its policy's min_samples_for_training is
-- never tried by retrain_classifiers() (reason: too few samples), so it
-- never has a run; ai_classifier_alerts read training_samples from the
-- latest run only, and a small shop's classifier with 8 rows never alerted
-- where intent's view (which counts ai_training_data) did. The count
-- retrain_classifiers() makes as the classifier's owner is now recorded
-- (ai_classifier_retrain_checks), and the view takes the newer of it and
-- the latest run; it still reads no source.
SET client_min_messages = warning;
SET pg_intent.allow_drop_with_data = on; -- the previous test's rows go (src/pg/drop_guard.cpp)
DROP EXTENSION IF EXISTS pg_intent CASCADE;
DROP TABLE IF EXISTS fm_raw, fm_shop CASCADE;
CREATE EXTENSION pg_intent;

CREATE TABLE fm_raw (split text, text text, intent text);
\copy fm_raw FROM 'data/nlpjs_corpus50_es.csv' WITH (FORMAT csv, HEADER true)
CREATE TEMP VIEW fm_texts AS
SELECT row_number() OVER (ORDER BY split, text, intent) AS n, text
  FROM fm_raw WHERE intent <> 'oos';
-- The shop's first month: 8 rows (min_samples_for_training is 20).
CREATE TABLE fm_shop (id bigint PRIMARY KEY, body text NOT NULL, label text NOT NULL);
INSERT INTO fm_shop SELECT n, text, CASE WHEN n % 2 = 0 THEN 'par' ELSE 'impar' END FROM fm_texts WHERE n <= 8;
SELECT create_classifier('shop', 'fm_shop', 'body', 'label', '{"key_column": "id", "seed": 1}') ->> 'name' AS created;
CREATE FUNCTION pg_temp.scheduled() RETURNS text LANGUAGE sql AS $$
    SELECT string_agg(format('%s: retrained %s, %s', c ->> 'classifier', c ->> 'retrained',
                             coalesce(c #>> '{result,status}', c #>> '{error,sqlstate}', c ->> 'reason')), '; ')
      FROM jsonb_array_elements(retrain_classifiers() -> 'classifiers') AS c
$$;
CREATE TEMP VIEW fm_alerts AS
SELECT classifier, metric, value, threshold, comparison, message
  FROM ai_classifier_alerts WHERE metric = 'training_samples';

-- Before any scheduled check: nothing is known of the source, no row.
SELECT * FROM fm_alerts;

-- The documented pg_cron job's call: not tried, too few samples; the
-- alert now says so (0.3.2 before this: no row, ever).
SELECT pg_temp.scheduled() AS scheduled;
SELECT * FROM fm_alerts;
SELECT classifier, samples FROM ai_classifier_retrain_checks;

-- Recorded state only: the view never reads the source, so renaming it
-- away changes nothing there until the next scheduled count.
ALTER TABLE fm_shop RENAME TO fm_shop_away;
SELECT * FROM fm_alerts;
ALTER TABLE fm_shop_away RENAME TO fm_shop;

-- A call rolled back (a cancel, a statement_timeout) records nothing.
INSERT INTO fm_shop SELECT n, text, CASE WHEN n % 2 = 0 THEN 'par' ELSE 'impar' END FROM fm_texts WHERE n BETWEEN 9 AND 12;
BEGIN;
SELECT pg_temp.scheduled() AS scheduled;
SELECT * FROM fm_alerts;
ROLLBACK;
SELECT * FROM fm_alerts;

-- max_training_rows bounds it as it bounds the rule (LEAST): the same
-- figure retrain_classifiers() compared with the minimum.
SELECT pg_temp.scheduled() AS scheduled;
SELECT * FROM fm_alerts;
UPDATE ai_training_policy SET max_training_rows = 5;
SELECT * FROM fm_alerts;
UPDATE ai_training_policy SET max_training_rows = DEFAULT;

-- One row per classifier, however often the job runs.
SELECT pg_temp.scheduled() AS scheduled;
SELECT count(*) AS check_rows FROM ai_classifier_retrain_checks;

-- Enough rows arrive: the scheduled call trains, its run is newer than the
-- count, and the alert goes away.
INSERT INTO fm_shop SELECT n, text, CASE WHEN n % 2 = 0 THEN 'par' ELSE 'impar' END FROM fm_texts WHERE n BETWEEN 13 AND 60;
SELECT pg_temp.scheduled() AS scheduled;
SELECT * FROM fm_alerts;

-- Rows deleted below the minimum: the next scheduled count is newer than
-- the run, and the alert is back (as intent's, which counts now).
DELETE FROM fm_shop WHERE id > 10;
SELECT pg_temp.scheduled() AS scheduled;
SELECT * FROM fm_alerts;

-- The count is the classifier's, by id: dropped, its row is ignored, and a
-- classifier created with the name later does not inherit it.
SELECT drop_classifier('shop') ->> 'classifier' AS dropped;
SELECT create_classifier('shop', 'fm_shop', 'body', 'label', '{"key_column": "id", "seed": 1}') ->> 'name' AS created;
SELECT * FROM fm_alerts;
SELECT pg_temp.scheduled() AS scheduled;
SELECT * FROM fm_alerts;
SELECT count(*) AS check_rows FROM ai_classifier_retrain_checks;

DROP EXTENSION pg_intent CASCADE;
DROP TABLE fm_raw, fm_shop CASCADE;
