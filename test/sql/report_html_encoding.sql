-- training_report(p_run_id, 'html') in a SQL_ASCII database (0.3.2,
-- hostile-input sweep). Such a database stores any bytes, and a run name
-- (p_run_name of train_intent_model() or of train_classifier(), which a
-- classifier's trainer gives), a partition key or a label that is not UTF-8
-- reached the page's document as it was stored: its parse refused the whole
-- document (22023 "invalid JSON in report document"), for that run and for
-- every later run of the classifier, whose trend names it. The page shows
-- such bytes as '?' (as a message quotes such text), and the run's other
-- figures as for any run.
\set regress_db :DBNAME
SET client_min_messages = warning;
DROP DATABASE IF EXISTS pgi_report_ascii;
CREATE DATABASE pgi_report_ascii ENCODING SQL_ASCII TEMPLATE template0 LC_COLLATE 'C' LC_CTYPE 'C';
\c pgi_report_ascii
SET client_min_messages = warning;
CREATE EXTENSION pg_intent;
\i test/fixtures/try.sql
CREATE TABLE demo_rows (split text, text text, intent text);
\copy demo_rows FROM 'data/ecommerce_es.csv' WITH (FORMAT csv, HEADER true)
SELECT count(*) > 0 AS recorded FROM (SELECT record_interaction(text, intent, 90) FROM demo_rows WHERE split = 'train') AS r;

-- The first run's name has the byte 0xFF, which no UTF-8 text holds.
SELECT train_intent_model(convert_from('\x72756e2dff2d6f6e65'::bytea, 'SQL_ASCII'), 'full', '{"seed": 1}') ->> 'status' AS first_run;
SELECT id AS first_run_id FROM ai_training_runs ORDER BY started_at, id LIMIT 1 \gset
SELECT pg_temp.try($$SELECT training_report('$$ || :'first_run_id' || $$', 'html')$$) AS first_page;
SELECT position('run-?-one' IN training_report(:'first_run_id', 'html')) > 0 AS name_shown_with_question_mark;
-- The next run's page names the first run in its trend.
SELECT train_intent_model('run-two', 'full', '{"seed": 1}') ->> 'status' AS second_run;
SELECT pg_temp.try($$SELECT training_report(NULL, 'html')$$) AS second_page;
SELECT position('run-?-one' IN training_report(NULL, 'html')) > 0 AS trend_names_first_run;
-- The page of a document the caller makes itself follows the same rule.
SELECT position('a?b' IN intent_internal._pg_intent_render_report_html(
           jsonb_build_object('run', jsonb_build_object('run_name', convert_from('\x61ff62'::bytea, 'SQL_ASCII'))),
           'en')) > 0 AS own_document;

\c :regress_db
SET client_min_messages = warning;
DROP DATABASE pgi_report_ascii;
