-- A key_column that is not unique (0.3.2). A run trains on every row and
-- records the first row of each key (ai_classifier_run_rows' primary key is
-- (run_id, row_key)): the deploy gate and the review queue take a key for
-- one row. Before this, a second row of a key with another label counted as
-- fresh to the gate though the active model trained on it, and nothing told
-- the user that their key was not unique. Now the run counts such rows
-- (metrics.rows_duplicate_key), its report says so, and no row of a key
-- several rows hold is fresh (src/pg/classifier_fresh_rows.cpp).
SET client_min_messages = warning;
SET pg_intent.allow_drop_with_data = on; -- the previous test's rows go (src/pg/drop_guard.cpp)
DROP EXTENSION IF EXISTS pg_intent CASCADE;
DROP TABLE IF EXISTS dk_raw, dk_src;
CREATE EXTENSION pg_intent;
SET pg_intent.language = 'en';

CREATE TABLE dk_raw (split text, text text, intent text);
\copy dk_raw FROM 'data/nlpjs_corpus50_es.csv' WITH (FORMAT csv, HEADER true)
CREATE TABLE dk_src (k text, prompt text, route text);
INSERT INTO dk_src
SELECT 'k' || n, text, split_part(intent, '.', 1)
  FROM (SELECT row_number() OVER (ORDER BY split, text, intent) AS n, text, intent FROM dk_raw WHERE intent <> 'oos') AS r;
SELECT create_classifier('dup_keys', 'dk_src', 'prompt', 'route', '{"key_column": "k", "seed": 1}') ->> 'name' AS created;

-- 1. Unique keys: nothing counted, nothing said.
SELECT t ->> 'status' AS status, t ->> 'deployed' AS deployed FROM train_classifier('dup_keys') AS t;

-- 2. Three keys of trained rows given to a second row each, with another
-- label (the route of another key's row), and one new key. Only the new
-- key's row is fresh: the second rows' keys are held by two rows, and the
-- active model trained on one of them under that key (0.3.2 before this
-- counted those three as fresh too: 4 fresh rows).
INSERT INTO dk_src
SELECT s.k, 'otra vez ' || s.prompt,
       (SELECT o.route FROM dk_src AS o WHERE o.route <> s.route ORDER BY o.k LIMIT 1)
  FROM dk_src AS s WHERE s.k IN ('k1', 'k2', 'k3');
INSERT INTO dk_src SELECT 'new1', 'quiero devolver el pedido', route FROM dk_src WHERE k = 'k4';
SELECT t ->> 'status' AS status FROM train_classifier('dup_keys', NULL, '{"deploy": "never"}') AS t;

SELECT row_number() OVER (ORDER BY r.started_at, r.finished_at) AS run,
       r.training_samples AS trained,
       r.metrics -> 'rows_duplicate_key' AS duplicate_key, r.metrics ->> 'fresh_rows_rule' AS rule,
       r.metrics #>> '{gate,rows}' AS fresh_rows,
       (SELECT count(*) FROM ai_classifier_run_rows AS x WHERE x.run_id = r.id) AS run_rows,
       (SELECT count(*) FROM ai_classifier_run_rows AS x WHERE x.run_id = r.id AND x.fresh) AS marked_fresh
  FROM ai_training_runs AS r WHERE r.classifier = 'dup_keys' ORDER BY run;

-- 3. The reports say it: Markdown, in English and Spanish, and HTML.
SELECT id AS last_run FROM ai_training_runs WHERE classifier = 'dup_keys' ORDER BY started_at DESC, finished_at DESC LIMIT 1 \gset
SELECT l AS markdown FROM regexp_split_to_table(training_report(:'last_run'), E'\n') AS l WHERE l LIKE '%Shared keys%';
SET pg_intent.language = 'es';
SELECT l AS markdown_es FROM regexp_split_to_table(training_report(:'last_run'), E'\n') AS l WHERE l LIKE '%Claves repetidas%';
SET pg_intent.language = 'en';
SELECT position('<dt>Shared keys</dt><dd>3 rows hold a key' IN training_report(:'last_run', 'html')) > 0 AS html_says_it;
-- The first run's reports say nothing of it.
SELECT id AS first_run FROM ai_training_runs WHERE classifier = 'dup_keys' ORDER BY started_at, finished_at LIMIT 1 \gset
SELECT position('Shared keys' IN training_report(:'first_run')) = 0 AS markdown_silent,
       position('Shared keys' IN training_report(:'first_run', 'html')) = 0 AS html_silent;

DROP TABLE dk_raw, dk_src;
