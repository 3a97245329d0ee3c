-- Issue 34, point 4: a {"deploy": "never"} run (the README's way to try a
-- candidate) serves nothing, so it does not reset the count of new rows
-- that scheduled retraining waits for, neither for a classifier
-- (get_classifier_metrics() ->> 'new_rows', retrain_classifiers()) nor for
-- intent (should_retrain()). 0.3.1 counted from any completed run: one
-- experiment and 168 new rows sat unused.
SET client_min_messages = warning;
SET pg_intent.allow_drop_with_data = on; -- the previous test's rows go (src/pg/drop_guard.cpp)
DROP EXTENSION IF EXISTS pg_intent CASCADE;
DROP TABLE IF EXISTS rx_prompts, rx_raw;
CREATE EXTENSION pg_intent;
\i test/fixtures/spanish_100.sql

CREATE TABLE rx_raw (split text, text text, intent text);
\copy rx_raw FROM 'data/nlpjs_corpus50_es.csv' WITH (FORMAT csv, HEADER true)
CREATE TABLE rx_prompts (prompt text, route text, asked_at timestamptz);
INSERT INTO rx_prompts
SELECT text, split_part(intent, '.', 1), now() - interval '1 day'
  FROM (SELECT row_number() OVER (ORDER BY split, text, intent) AS n, text, intent FROM rx_raw WHERE intent <> 'oos') AS r
 WHERE n <= 300;

-- One classifier counts by its time column, one (no key, no time) by the rows read.
SELECT create_classifier('timed', 'rx_prompts', 'prompt', 'route',
                         '{"time_column": "asked_at", "auto_retrain_threshold": 50, "seed": 1}') ->> 'name' AS created;
SELECT create_classifier('counted', 'rx_prompts', 'prompt', 'route', '{"auto_retrain_threshold": 50, "seed": 1}') ->> 'name' AS created;
SELECT c ->> 'classifier' AS classifier, c #>> '{result,deploy_reason}' AS reason
  FROM jsonb_array_elements(retrain_classifiers() -> 'classifiers') AS c;

-- 60 new rows, then an experiment on each: the 60 rows stay new, and due.
INSERT INTO rx_prompts SELECT prompt || ' ya', route, clock_timestamp() FROM rx_prompts LIMIT 60;
SELECT train_classifier('timed', 'try', '{"deploy": "never"}') ->> 'deploy_reason' AS timed_experiment,
       train_classifier('counted', 'try', '{"deploy": "never"}') ->> 'deploy_reason' AS counted_experiment;
SELECT n AS classifier, get_classifier_metrics(n) ->> 'new_rows' AS new_rows,
       get_classifier_metrics(n) ->> 'retrain_due' AS due
  FROM unnest(ARRAY['timed', 'counted']) AS n;
SELECT c ->> 'classifier' AS classifier, c ->> 'retrained' AS retrained, c ->> 'new_rows' AS new_rows,
       c #>> '{result,deploy_reason}' IN ('improved', 'within_tolerance', 'tie', 'regression') AS weighed
  FROM jsonb_array_elements(retrain_classifiers() -> 'classifiers') AS c;
-- A run that could deploy resets it, whatever it decided.
SELECT n AS classifier, get_classifier_metrics(n) ->> 'new_rows' AS new_rows,
       get_classifier_metrics(n) ->> 'retrain_due' AS due
  FROM unnest(ARRAY['timed', 'counted']) AS n;

-- An experiment's model deployed by hand serves: the rows its run read
-- are no longer new (before, they stayed new and the next scheduled call
-- retrained on them).
INSERT INTO rx_prompts SELECT prompt || ' luego', route, clock_timestamp() FROM rx_prompts LIMIT 60;
SELECT train_classifier('timed', 'try', '{"deploy": "never"}') ->> 'deploy_reason' AS timed_experiment,
       train_classifier('counted', 'try', '{"deploy": "never"}') ->> 'deploy_reason' AS counted_experiment;
SELECT n AS classifier, get_classifier_metrics(n) ->> 'new_rows' AS new_rows_before_deploy
  FROM unnest(ARRAY['timed', 'counted']) AS n;
SELECT n AS classifier,
       deploy_classifier_model(n, (SELECT max(m.id) FROM ai_intent_models AS m WHERE m.classifier = n)) ->> 'reason' AS deployed
  FROM unnest(ARRAY['timed', 'counted']) AS n;
SELECT n AS classifier, get_classifier_metrics(n) ->> 'new_rows' AS new_rows,
       get_classifier_metrics(n) ->> 'retrain_due' AS due
  FROM unnest(ARRAY['timed', 'counted']) AS n;

-- Rows without a label never train, so they are not new: 150 of them left
-- 'counted' (no time_column) due for ever, and every scheduled call
-- retrained and deployed another model.
INSERT INTO rx_prompts SELECT prompt || ' sin etiqueta', NULL, clock_timestamp() FROM rx_prompts LIMIT 150;
SELECT n AS classifier, get_classifier_metrics(n) ->> 'new_rows' AS new_rows,
       get_classifier_metrics(n) ->> 'retrain_due' AS due
  FROM unnest(ARRAY['timed', 'counted']) AS n;
SELECT c ->> 'classifier' AS classifier, c ->> 'retrained' AS retrained
  FROM jsonb_array_elements(retrain_classifiers() -> 'classifiers') AS c;

-- A classifier whose own options say {"deploy": "never"} (trainers train,
-- someone with the deploy right deploys by hand): its scheduled runs are
-- no experiments beside a model that serves, so the next call counts from
-- the last one. Before, counted from none, every call trained it again on
-- the same rows and stored one more model.
SELECT alter_classifier('timed', '{"deploy": "never"}') IS NOT NULL AS altered;
INSERT INTO rx_prompts SELECT prompt || ' otra vez', route, clock_timestamp() FROM rx_prompts WHERE route IS NOT NULL LIMIT 60;
SELECT c ->> 'classifier' AS classifier, c ->> 'retrained' AS retrained, c ->> 'new_rows' AS new_rows,
       c #>> '{result,deploy_reason}' AS reason
  FROM jsonb_array_elements(retrain_classifiers() -> 'classifiers') AS c WHERE c ->> 'classifier' = 'timed';
SELECT get_classifier_metrics('timed') ->> 'new_rows' AS new_rows, get_classifier_metrics('timed') ->> 'retrain_due' AS due;
SELECT c ->> 'classifier' AS classifier, c ->> 'retrained' AS retrained, c ->> 'reason' AS reason
  FROM jsonb_array_elements(retrain_classifiers() -> 'classifiers') AS c WHERE c ->> 'classifier' = 'timed';
SELECT count(*) AS timed_models FROM ai_intent_models WHERE classifier = 'timed';
-- A run by hand is not marked: an experiment stays one.
SELECT r.run_name, r.deploy_reason, r.metrics ? 'scheduled_never_at' AS marked
  FROM ai_training_runs AS r WHERE r.classifier = 'timed' AND r.deploy_reason = 'never' ORDER BY r.started_at;

-- intent: the same rule (_pg_intent_last_retraining_run()).
SELECT pg_temp.add_samples(ARRAY['los zapatos', 'la camiseta', 'el vestido']) AS added;
SELECT (train_intent_model('first', 'full', '{"seed": 1}')) ->> 'deploy_reason' AS first_run;
SELECT should_retrain() AS due_after_training, get_ai_training_metrics() -> 'samples_since_last_train' AS since;
SELECT pg_temp.add_samples(ARRAY['la chaqueta', 'el bolso', 'la gorra', 'el cinturon', 'la bufanda']) AS added;
SELECT should_retrain() AS due_before_experiment;
SELECT (train_intent_model('try', 'full', '{"deploy": "never", "seed": 1}')) ->> 'deploy_reason' AS experiment;
SELECT should_retrain() AS due_after_experiment, get_ai_training_metrics() -> 'samples_since_last_train' AS since;
SELECT (retrain_if_needed()) ->> 'retrained' AS retrained;
SELECT should_retrain() AS due_after_retraining, get_ai_training_metrics() -> 'samples_since_last_train' AS since;
-- An experiment deployed by hand resets should_retrain()'s count too.
SELECT pg_temp.add_samples(ARRAY['el abrigo', 'la falda', 'el jersey', 'la blusa', 'el pantalon']) AS added;
SELECT (train_intent_model('try', 'full', '{"deploy": "never", "seed": 1}')) ->> 'deploy_reason' AS experiment;
SELECT should_retrain() AS due_before_deploy;
SELECT deploy_intent_model((SELECT max(id) FROM ai_intent_models WHERE classifier = 'intent')) ->> 'reason' AS deployed;
SELECT should_retrain() AS due_after_deploy, get_ai_training_metrics() -> 'samples_since_last_train' AS since;
