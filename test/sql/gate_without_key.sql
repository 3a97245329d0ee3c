-- Issue 34, point 3: the deploy gate of a classifier whose source has no
-- key (a router's ml_data(text, label, created_at), as users' pipelines
-- define it), with a time_column and gate_window_days. The rows the active
-- model never trained on are those later than its run's start, the rule
-- retrain_classifiers() counts new rows by (_pg_intent_source_new_since()).
-- 0.3.1 took every row of the window as fresh: the window held the rows the
-- active model had trained on, and the report called them unseen.
SET client_min_messages = warning;
SET pg_intent.allow_drop_with_data = on; -- the previous test's rows go (src/pg/drop_guard.cpp)
DROP EXTENSION IF EXISTS pg_intent CASCADE;
DROP TABLE IF EXISTS ml_data, gk_raw;
CREATE EXTENSION pg_intent;

CREATE TABLE gk_raw (split text, text text, intent text);
\copy gk_raw FROM 'data/nlpjs_corpus50_es.csv' WITH (FORMAT csv, HEADER true)
CREATE TABLE ml_data (text text, label text, created_at timestamptz);
INSERT INTO ml_data
SELECT text, split_part(intent, '.', 1), now() - interval '2 days'
  FROM (SELECT row_number() OVER (ORDER BY split, text, intent) AS n, text, intent FROM gk_raw WHERE intent <> 'oos') AS r
 WHERE n <= 400;
SELECT create_classifier('router', 'ml_data', 'text', 'label',
                         '{"time_column": "created_at", "gate_window_days": 30, "seed": 1, "min_gate_rows": 10}') ->> 'name' AS created;
SELECT train_classifier('router') ->> 'run_id' AS run \gset
-- No active model yet: no rule applies.
SELECT x.deploy_reason, x.metrics ->> 'fresh_rows_rule' AS rule FROM ai_training_runs AS x WHERE x.id = :'run';

-- 60 rows later than that run; every row is in the 30-day window.
INSERT INTO ml_data
SELECT text || ' por favor', split_part(intent, '.', 1), clock_timestamp()
  FROM (SELECT row_number() OVER (ORDER BY split, text, intent) AS n, text, intent FROM gk_raw WHERE intent <> 'oos') AS r
 WHERE n > 400 AND n <= 460;
-- What retrain_classifiers() counts as new ...
SELECT get_classifier_metrics('router') ->> 'new_rows' AS new_rows;
-- ... is what the gate compares both models on: the 60 rows, not the 460
-- of the window, and the report says by which rule.
SELECT train_classifier('router') ->> 'run_id' AS run \gset
SELECT x.metrics ->> 'fresh_rows_rule' AS rule, x.deploy_evidence AS evidence, x.metrics #>> '{gate,rows}' AS gate_rows,
       x.deploy_reason IN ('improved', 'within_tolerance', 'tie', 'regression') AS weighed
  FROM ai_training_runs AS x
 WHERE x.id = :'run';


-- The key added later, as docs/classifiers.md advises: the active model's
-- run recorded no keys, so the key says nothing yet of what it trained on,
-- and the time rule still applies (with the key, the 460 rows it trained
-- on counted as fresh, and the report called them unseen). Deployed
-- whatever the gate says, so that the next run's active model is this one.
ALTER TABLE ml_data ADD COLUMN id bigserial PRIMARY KEY;
SELECT alter_classifier('router', '{"key_column": "id"}') ->> 'name' AS keyed;
INSERT INTO ml_data (text, label, created_at)
SELECT text || ' gracias', split_part(intent, '.', 1), clock_timestamp()
  FROM (SELECT row_number() OVER (ORDER BY split, text, intent) AS n, text, intent FROM gk_raw WHERE intent <> 'oos') AS r
 WHERE n > 460 AND n <= 475;
SELECT train_classifier('router', NULL, '{"deploy": "always"}') ->> 'run_id' AS run \gset
SELECT x.metrics ->> 'fresh_rows_rule' AS rule, x.metrics #>> '{gate,rows}' AS gate_rows, x.deployed
  FROM ai_training_runs AS x WHERE x.id = :'run';
-- Once the active model's run recorded its keys, the key decides: the 15
-- rows it never trained on.
INSERT INTO ml_data (text, label, created_at)
SELECT text || ' vale', split_part(intent, '.', 1), clock_timestamp()
  FROM (SELECT row_number() OVER (ORDER BY split, text, intent) AS n, text, intent FROM gk_raw WHERE intent <> 'oos') AS r
 WHERE n > 475 AND n <= 490;
SELECT train_classifier('router') ->> 'run_id' AS run \gset
SELECT x.metrics ->> 'fresh_rows_rule' AS rule, x.metrics #>> '{gate,rows}' AS gate_rows
  FROM ai_training_runs AS x WHERE x.id = :'run';

-- No fresh rows: the gate's reason, and the report's sentence, say why by
-- the rule that applied (they said "every row was in the active model's
-- training set", which only the key rule knows).
SELECT create_classifier('router_t', 'ml_data', 'text', 'label', '{"time_column": "created_at", "seed": 1}') ->> 'name' AS created;
SELECT create_classifier('router_n', 'ml_data', 'text', 'label', '{"seed": 1}') ->> 'name' AS created;
SELECT n, train_classifier(n) ->> 'deploy_reason' AS first FROM unnest(ARRAY['router_t', 'router_n']) AS n;
SELECT n, train_classifier(n, 'again') ->> 'deploy_evidence' AS again FROM unnest(ARRAY['router_t', 'router_n']) AS n;
SELECT x.classifier, x.metrics ->> 'fresh_rows_rule' AS rule, x.metrics #>> '{gate,reason}' AS reason,
       position(CASE x.metrics ->> 'fresh_rows_rule' WHEN 'time_column' THEN 'no reviewed message is later than'
                     ELSE 'neither keys recorded by the active model' END
                IN training_report(x.id, 'html')) > 0 AS report_says_why
  FROM ai_training_runs AS x WHERE x.classifier IN ('router_t', 'router_n') AND x.run_name = 'again' ORDER BY 1;
