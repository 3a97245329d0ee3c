-- Small shops never get a worse model (issue 34, point 2). A partition's
-- first model is deployed only when it is not worse than the classifier's
-- fallback on the partition's rows, both judged out of fold (the fallback
-- trains first in a call and keeps its out-of-fold answers); otherwise the
-- run records fallback_better with both models' figures and the fallback
-- keeps answering. The option defer_to_fallback (default true) lets a
-- partition model's abstentions go to the fallback; false needs the deploy
-- right. evaluate_label() scores the answers predict_label() serves.
-- On 0.3.1 (and 0.3.2 before this change) every shop's first model was
-- deployed as first, and the option did not exist (22023).
SET client_min_messages = warning;
SET pg_intent.allow_drop_with_data = on; -- the previous test's rows go (src/pg/drop_guard.cpp)
DROP EXTENSION IF EXISTS pg_intent CASCADE;
DROP TABLE IF EXISTS pf_msgs, pf_raw, pf_holdout, pf_vetted;
DROP ROLE IF EXISTS pgi_pf_trainer;
CREATE EXTENSION pg_intent;
\i test/fixtures/try.sql

-- nlp.js es: "big" and "small" label the fine intents (50 of them); "small"
-- has 45 rows, about one per intent. "odd" labels its rows by its own three
-- routes, which only its own model knows well.
CREATE TABLE pf_raw (split text, text text, intent text);
\copy pf_raw FROM 'data/nlpjs_corpus50_es.csv' WITH (FORMAT csv, HEADER true)
CREATE TABLE pf_msgs (id bigserial PRIMARY KEY, shop text, msg text, label text);
INSERT INTO pf_msgs (shop, msg, label)
SELECT CASE WHEN n % 5 IN (0, 1, 2) THEN 'big' WHEN n % 5 = 3 THEN 'small' ELSE 'odd' END,
       text,
       CASE WHEN n % 5 = 4 THEN 'odd_' || split_part(intent, '.', 1) ELSE intent END
  FROM (SELECT row_number() OVER (ORDER BY split, text, intent) AS n, text, intent FROM pf_raw WHERE intent <> 'oos') AS r
 WHERE n % 5 <> 3 OR n <= 225;
SELECT shop, count(*) AS rows, count(DISTINCT label) AS labels FROM pf_msgs GROUP BY shop ORDER BY shop;
CREATE TABLE pf_holdout AS
SELECT msg, label FROM pf_msgs WHERE shop = 'odd' ORDER BY id LIMIT 40;

SELECT create_classifier('shops', 'pf_msgs', 'msg', 'label',
                         '{"key_column": "id", "partition_column": "shop", "min_partition_rows": 30, "seed": 1}')
       ->> 'name' AS created;

-- The fallback trains first; each shop's first model is weighed against it.
SELECT train_classifier('shops') AS result \gset
SELECT :'result'::jsonb ->> 'partition' IS NULL AS fallback_first, :'result'::jsonb ->> 'deploy_reason' AS fallback_reason;
SELECT p ->> 'partition' AS shop, p ->> 'deployed' AS deployed, p ->> 'deploy_reason' AS reason,
       p ->> 'deploy_evidence' AS evidence
  FROM jsonb_array_elements(:'result'::jsonb -> 'partitions') AS p ORDER BY 1;

-- The evidence, recorded like any deploy: both models' figures on the same
-- rows (which rows, how many, the rule), the decision, the fallback's run.
SELECT r.partition_key AS shop, r.deploy_reason, r.deploy_evidence,
       r.metrics #>> '{fallback_comparison,rule}' AS rule,
       (r.metrics #>> '{fallback_comparison,rows}')::int = (SELECT count(*) FROM pf_msgs AS m WHERE m.shop = r.partition_key)
           AS every_row_compared,
       (r.metrics #>> '{fallback_comparison,sufficient}')::boolean AS sufficient,
       (r.metrics #>> '{fallback_comparison,candidate,macro_f1}')::float8 = (r.metrics #>> '{deploy,candidate_f1}')::float8
           AS candidate_f1_recorded,
       (r.metrics #>> '{fallback_comparison,fallback,macro_f1}')::float8 = r.baseline_f1_score AS fallback_f1_recorded,
       r.baseline_intent_accuracy = (r.metrics #>> '{fallback_comparison,fallback,accuracy}')::float8
           OR r.baseline_intent_accuracy IS NULL AS fallback_accuracy_recorded,
       (r.metrics #>> '{deploy,fallback_run_id}')::uuid = (SELECT f.id FROM ai_training_runs AS f
                                                            WHERE f.batch_id = r.batch_id AND f.partition_key IS NULL)
           AS fallback_run_named,
       jsonb_array_length(r.metrics #> '{fallback_comparison,row_keys}') > 0 AS keys_listed
  FROM ai_training_runs AS r
 WHERE r.classifier = 'shops' AND r.partition_key IS NOT NULL ORDER BY 1;
-- Who was right: small's own model is worse on its own rows, odd's better.
SELECT r.partition_key AS shop,
       (r.metrics #>> '{fallback_comparison,candidate,accuracy}')::float8
           < (r.metrics #>> '{fallback_comparison,fallback,accuracy}')::float8 AS fallback_more_accurate
  FROM ai_training_runs AS r
 WHERE r.classifier = 'shops' AND r.partition_key IS NOT NULL ORDER BY 1;

-- Served: the fallback answers for small (no model of its own), odd's own
-- model for odd.
SELECT m.partition_key AS shop FROM ai_intent_models AS m WHERE m.classifier = 'shops' AND m.is_active ORDER BY 1;
SELECT p.model_partition IS NULL AS fallback_answers FROM predict_label('shops', 'hola', 'small') AS p;
SELECT p.model_partition FROM predict_label('shops', 'quién eres', 'odd') AS p;
-- get_classifier_metrics() names the partitions the fallback serves.
SELECT m -> 'served_by_fallback' ->> 'partitions' AS served_by_fallback,
       m #>> '{served_by_fallback,weakest,0,partition}' AS partition,
       (m #>> '{served_by_fallback,weakest,0,fallback_f1}')::float8
           > (m #>> '{served_by_fallback,weakest,0,candidate_f1}')::float8 AS fallback_better
  FROM get_classifier_metrics('shops') AS m;

-- evaluate_label() scores what predict_label() serves: odd's model, and
-- the fallback where it abstains (deferred rows, the fallback's id named).
SELECT e ->> 'model_partition' AS model_partition,
       (e ->> 'fallback_model_id')::bigint = (predict_label('shops', 'hola')).model_id AS fallback_named,
       (e ->> 'deferred')::int = (SELECT count(*) FROM pf_holdout AS h, predict_label('shops', h.msg, 'odd') AS p
                                   WHERE p.model_partition IS NULL) AS deferred_as_served,
       (e ->> 'rows')::int AS rows,
       (e ->> 'accuracy')::float8 = (SELECT avg((p.label = h.label)::int)
                                       FROM pf_holdout AS h, predict_label('shops', h.msg, 'odd') AS p)::float8
           AS accuracy_of_served_answers
  FROM evaluate_label('shops', 'SELECT msg, label FROM pf_holdout', 'odd') AS e;
-- Which model answers (src/core/deferral.h): odd's model abstains on
-- another shop's question, and the fallback, confident, answers it; on an
-- empty message both abstain, and odd's own answer stays, uncertain (the
-- fallback's uncertain answer was served before: a guess that knows nothing
-- of the partition's own labels). evaluate_label() counts
-- as deferred only the rows the fallback answered, as predict_label()
-- serves them.
SELECT v.m AS message, p.label, p.uncertain, p.model_partition
  FROM (VALUES (1, 'dime alguna propiedad del hierro'), (2, '')) AS v(i, m),
       LATERAL predict_label('shops', v.m, 'odd') AS p ORDER BY v.i;
SELECT classify_label('shops', 'dime alguna propiedad del hierro', 'odd') AS label,
       classify_label('shops', '', 'odd') IS NULL AS abstains,
       explain_label('shops', 'dime alguna propiedad del hierro', 'odd') -> 'model_partition' AS explained_partition,
       explain_label('shops', '', 'odd') ->> 'model_partition' AS explained_empty;
SELECT e ->> 'deferred' AS deferred, e ->> 'model_partition' AS model_partition, e ->> 'accuracy' AS accuracy
  FROM evaluate_label('shops', $$VALUES ('dime alguna propiedad del hierro', 'trivia.iron'), ('', 'odd_smalltalk')$$, 'odd') AS e;

-- defer_to_fallback: a boolean (22023 otherwise); false changes what is
-- served, so a run that may deploy needs the deploy right (42501).
SELECT pg_temp.try($$SELECT train_classifier('shops', NULL, '{"defer_to_fallback": "no"}')$$) AS not_a_boolean;
SELECT pg_temp.try($$SELECT train_classifier('shops', NULL, '{"defer_to_fallbak": false}')$$) AS misspelt;
CREATE ROLE pgi_pf_trainer;
SELECT count(*) > 0 AS granted FROM grant_intent_access('pgi_pf_trainer', 'classifiers');
SELECT grant_classifier_access('shops', 'pgi_pf_trainer', 'train') IS NOT NULL AS train_granted;
GRANT SELECT ON pf_msgs TO pgi_pf_trainer;
SET ROLE pgi_pf_trainer;
SELECT pg_temp.try($$SELECT train_classifier('shops', NULL, '{"defer_to_fallback": false}')$$) AS without_deploy_right;
SELECT train_classifier('shops', NULL, '{"defer_to_fallback": false, "deploy": "never"}') ->> 'deploy_reason'
       AS a_candidate_may;
RESET ROLE;
-- Off: odd's model answers alone, abstentions included (and is weighed
-- against the fallback without the deferral).
SELECT train_classifier('shops', NULL, '{"defer_to_fallback": false}') AS result \gset
SELECT p ->> 'partition' AS shop, p ->> 'deploy_reason' AS reason
  FROM jsonb_array_elements(:'result'::jsonb -> 'partitions') AS p ORDER BY 1;
SELECT (r.metrics #>> '{fallback_comparison,defer_to_fallback}')::boolean AS deferral_weighed,
       (r.metrics #>> '{fallback_comparison,candidate_deferred}')::int AS deferred
  FROM ai_training_runs AS r
 WHERE r.classifier = 'shops' AND r.partition_key = 'small' ORDER BY r.started_at DESC LIMIT 1;
SELECT m.partition_key AS shop, m.model_config ->> 'defer_to_fallback' AS defer
  FROM ai_intent_models AS i JOIN ai_training_runs AS m ON m.id = i.run_id
 WHERE i.classifier = 'shops' AND i.is_active ORDER BY 1;
SELECT p.model_partition, p.uncertain FROM predict_label('shops', '', 'odd') AS p;
SELECT e ->> 'deferred' AS deferred, e ->> 'model_partition' AS model_partition
  FROM evaluate_label('shops', $$VALUES ('', 'odd_smalltalk')$$, 'odd') AS e;


-- Only reviewed rows judge a partition's first model, as only they are the
-- gate's fresh rows: a row anyone may write judges no model. "vetted" has
-- a reviewed_column; small's rows are unreviewed and carry labels of their
-- writer's own (its coarse routes). Compared on them, small's own model,
-- which learnt those labels, beat the fallback, and was deployed over it
-- (before: improved, on every small row). Now no row of small may judge:
-- no evidence, the fallback keeps it (insufficient_evidence); odd's rows
-- are reviewed and judge as before. (0.3.2: a call that deploys by the rule
-- no longer trains small at all, a model that could not be deployed; a
-- {"deploy": "never"} call still does, and records why it could not be.)
CREATE TABLE pf_vetted AS
SELECT id, shop, msg, CASE WHEN shop = 'small' THEN 'own_' || split_part(label, '.', 1) ELSE label END AS label,
       shop <> 'small' AS vetted
  FROM pf_msgs;
SELECT create_classifier('vetted', 'pf_vetted', 'msg', 'label',
                         '{"key_column": "id", "partition_column": "shop", "reviewed_column": "vetted",
                           "min_partition_rows": 30, "seed": 1}') ->> 'name' AS created;
SELECT train_classifier('vetted') AS result \gset
SELECT p ->> 'partition' AS shop, p ->> 'deployed' AS deployed, p ->> 'deploy_reason' AS reason,
       p ->> 'deploy_evidence' AS evidence
  FROM jsonb_array_elements(:'result'::jsonb -> 'partitions') AS p ORDER BY 1;
SELECT :'result'::jsonb -> 'partitions_unreviewed_skipped' AS unreviewed_skipped;
SELECT train_classifier('vetted', NULL, '{"deploy": "never"}') AS result \gset
SELECT r.partition_key AS shop, r.metrics #>> '{fallback_comparison,rows}' AS rows_judging,
       r.metrics #>> '{fallback_comparison,unreviewed_rows_left_out}' AS unreviewed_left_out
  FROM ai_training_runs AS r -- (big and odd: the first call's runs; small: the experiment's)
 WHERE r.classifier = 'vetted' AND r.partition_key IS NOT NULL AND r.metrics ? 'fallback_comparison'
 ORDER BY 1;
SELECT p.model_partition IS NULL AS fallback_answers_small FROM predict_label('vetted', 'hola', 'small') AS p;
SELECT drop_classifier('vetted', true) IS NOT NULL AS dropped;
DROP TABLE pf_vetted;

-- A partition's name comes from the source's rows, and a partition model's
-- version names it: the Markdown report shows it as text, as every other
-- text of the rows (0.3.2 before this change put it in a code span, which a
-- backtick in the name closed, so the rest became HTML and a link).
CREATE TABLE pf_hostile AS
SELECT id, CASE WHEN shop = 'odd' THEN 'x`<img src=x onerror=alert(1)>[l](javascript:alert(2))`y' ELSE shop END AS shop,
       msg, label
  FROM pf_msgs WHERE shop <> 'big';
SELECT create_classifier('hostile', 'pf_hostile', 'msg', 'label',
                         '{"key_column": "id", "partition_column": "shop", "min_partition_rows": 30, "seed": 1}') ->> 'name' AS created;
SELECT train_classifier('hostile') -> 'partitions' -> 0 ->> 'status' AS partition_status;
SELECT regexp_replace(substring(training_report(r.id) FROM '\*\*Model:\*\*[^\n]*'),
                      '[0-9]+ \((.*)/v[0-9]+\\_[0-9]+\)$', 'N (\1/v…)') AS model_line,
       training_report(r.id) ~ '(<img|\]\(javascript|`<)' AS markup_in_report
  FROM ai_training_runs AS r WHERE r.classifier = 'hostile' AND r.partition_key LIKE 'x%';
SELECT drop_classifier('hostile', true) IS NOT NULL AS dropped;
DROP TABLE pf_hostile;

-- A partition value's key is its text form under DateStyle ISO, MDY,
-- IntervalStyle postgres, extra_float_digits 1, bytea_output hex and
-- lc_monetary C (what value::text gives in a default session), whatever
-- the caller's session sets: the owner's read pins them
-- (src/pg/as_owner.cpp). Before, a run under another DateStyle stored the
-- same day under a second key, as a new partition.
CREATE TABLE pf_days (id bigserial PRIMARY KEY, day date, score float8, message text NOT NULL, intent text NOT NULL);
INSERT INTO pf_days (day, score, message, intent)
SELECT d, s, w || ' pedido ' || g, w
  FROM unnest(ARRAY[date '2026-11-03', date '2026-11-04'], ARRAY[0.1::float8, 0.1::float8 + 0.2]) AS v(d, s),
       unnest(ARRAY['refund', 'track', 'cancel', 'hello', 'bye']) AS w, generate_series(1, 25) AS g;
SELECT create_classifier('days', 'pf_days', 'message', 'intent',
                         '{"key_column": "id", "partition_column": "day", "min_partition_rows": 40, "seed": 1}') ->> 'name' AS created;
SELECT create_classifier('scores', 'pf_days', 'message', 'intent',
                         '{"key_column": "id", "partition_column": "score", "min_partition_rows": 40, "seed": 1}') ->> 'name' AS created;
SET DateStyle = 'SQL, DMY';
SET extra_float_digits = 0;
SET IntervalStyle = 'sql_standard';
SELECT p ->> 'partition' AS partition FROM jsonb_array_elements(train_classifier('days', 'dmy') -> 'partitions') AS p ORDER BY 1;
SELECT p ->> 'partition' AS partition FROM jsonb_array_elements(train_classifier('scores', 'digits') -> 'partitions') AS p ORDER BY 1;
SET DateStyle = 'ISO, MDY';
SET extra_float_digits = 1;
RESET IntervalStyle;
SELECT p ->> 'partition' AS partition FROM jsonb_array_elements(train_classifier('days', 'iso') -> 'partitions') AS p ORDER BY 1;
SELECT p ->> 'partition' AS partition FROM jsonb_array_elements(train_classifier('scores', 'plain') -> 'partitions') AS p ORDER BY 1;
-- One key per value: each value's runs and models under it.
SELECT r.classifier, r.partition_key, count(*) AS runs,
       (SELECT count(*) FROM ai_intent_models AS m
         WHERE m.classifier = r.classifier AND m.partition_key = r.partition_key) AS models
  FROM ai_training_runs AS r WHERE r.classifier IN ('days', 'scores') AND r.partition_key IS NOT NULL
 GROUP BY 1, 2 ORDER BY 1, 2;
RESET DateStyle;
RESET extra_float_digits;
SELECT drop_classifier('days', true) IS NOT NULL AS dropped, drop_classifier('scores', true) IS NOT NULL AS dropped;
DROP TABLE pf_days;

SELECT drop_classifier('shops', true) IS NOT NULL AS dropped;
REVOKE ALL ON pf_msgs FROM pgi_pf_trainer;
DROP OWNED BY pgi_pf_trainer;
DROP ROLE pgi_pf_trainer;
DROP TABLE pf_msgs, pf_raw, pf_holdout;
