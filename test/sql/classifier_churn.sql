-- Issue 34, point 4: scheduled retraining of a partitioned classifier
-- (a marketplace, one model per shop) trains only the shops whose rows
-- changed. 0.3.1 trained and deployed every shop again (within_tolerance,
-- identical F1), a new model row each: 26 MB after two runs of 24 shops.
SET client_min_messages = warning;
SET pg_intent.allow_drop_with_data = on; -- the previous test's rows go (src/pg/drop_guard.cpp)
DROP EXTENSION IF EXISTS pg_intent CASCADE;
DROP TABLE IF EXISTS ch_msgs, ch_raw;
CREATE EXTENSION pg_intent;

CREATE TABLE ch_raw (split text, text text, intent text);
\copy ch_raw FROM 'data/nlpjs_corpus50_es.csv' WITH (FORMAT csv, HEADER true)
-- Three shops of 120 rows each; no key, no time column.
CREATE TABLE ch_msgs (shop text, msg text, route text);
INSERT INTO ch_msgs
SELECT 'shop' || (n % 3), text, split_part(intent, '.', 1)
  FROM (SELECT row_number() OVER (ORDER BY split, text, intent) AS n, text, intent FROM ch_raw WHERE intent <> 'oos') AS r
 WHERE n <= 360;
SELECT create_classifier('market', 'ch_msgs', 'msg', 'route',
                         '{"partition_column": "shop", "min_partition_rows": 50, "seed": 1}') ->> 'name' AS created;

-- The first training trains every shop.
SELECT jsonb_array_length(r -> 'partitions') AS trained, r -> 'partitions_unchanged' AS unchanged
  FROM train_classifier('market') AS r;
SELECT count(*) AS models FROM ai_intent_models WHERE classifier = 'market';

-- Nothing changed: no shop is trained again, each is named with the reason.
SELECT jsonb_array_length(r -> 'partitions') AS trained, r -> 'partitions_unchanged' AS unchanged,
       (SELECT jsonb_agg(e - 'run_id' ORDER BY e ->> 'partition') FROM jsonb_array_elements(r -> 'partitions_unchanged_skipped') AS e) AS skipped
  FROM train_classifier('market') AS r;
SELECT count(*) AS models FROM ai_intent_models WHERE classifier = 'market';
-- The skipped partitions name the run whose rows they still are, and the fallback's run records them.
SELECT (SELECT bool_and(r.partition_key = e ->> 'partition' AND r.status = 'completed')
          FROM jsonb_array_elements(x.metrics -> 'partitions_unchanged_skipped') AS e
          JOIN ai_training_runs AS r ON r.id = (e ->> 'run_id')::uuid) AS names_its_run
  FROM ai_training_runs AS x
 WHERE x.classifier = 'market' AND x.partition_key IS NULL ORDER BY x.started_at DESC LIMIT 1;

-- One shop's row changes (a correction): only that shop trains.
UPDATE ch_msgs SET route = 'greetings' WHERE ctid = (SELECT min(ctid) FROM ch_msgs WHERE shop = 'shop1' AND route <> 'greetings');
SELECT (SELECT jsonb_agg(p ->> 'partition') FROM jsonb_array_elements(r -> 'partitions') AS p) AS trained,
       r -> 'partitions_unchanged' AS unchanged
  FROM train_classifier('market') AS r;

-- Other options, or a run that does not deploy by the rule, train every shop.
SELECT jsonb_array_length(r -> 'partitions') AS trained, r -> 'partitions_unchanged' AS unchanged
  FROM train_classifier('market', NULL, '{"C": 2}') AS r;
SELECT jsonb_array_length(r -> 'partitions') AS trained, r -> 'partitions_unchanged' AS unchanged
  FROM train_classifier('market', NULL, '{"deploy": "never"}') AS r;
-- A changed classifier policy too.
SELECT alter_classifier('market', '{"min_partition_rows": 60}') IS NOT NULL AS altered;
SELECT jsonb_array_length(r -> 'partitions') AS trained, r -> 'partitions_unchanged' AS unchanged
  FROM train_classifier('market') AS r;
-- Unchanged since that run: skipped again.
SELECT jsonb_array_length(r -> 'partitions') AS trained FROM train_classifier('market') AS r;
