-- A model's F1 (0.3.2): its metrics' f1, else their macro_f1, stated once in
-- intent_internal._pg_intent_model_f1() (src/sql/18_model_f1.sql). Before,
-- twelve copies in nine files wrote it out by hand. Every reader below must give the
-- rule's answer for a model whose metrics hold macro_f1 only (and f1 over
-- macro_f1 where both are there): a reader that read f1 alone would show
-- NULL, or raise no alert.
SET client_min_messages = warning;
SET pg_intent.allow_drop_with_data = on; -- the previous test's rows go (src/pg/drop_guard.cpp)
DROP EXTENSION IF EXISTS pg_intent CASCADE;
DROP TABLE IF EXISTS mf_src CASCADE;
DROP ROLE IF EXISTS pgi_mf_reader;
CREATE EXTENSION pg_intent;

-- The rule: f1 when present, macro_f1 otherwise, NULL when neither; the
-- value as recorded (numeric: 17 digits are kept, not a float8's 15).
SELECT m AS metrics, intent_internal._pg_intent_model_f1(m::jsonb) AS f1
  FROM (VALUES ('{"f1": 0.81, "macro_f1": 0.5}'), ('{"macro_f1": 0.6543}'), ('{"f1": 0.9}'),
               ('{"f1": null, "macro_f1": 0.25}'), ('{"accuracy": 0.9}'), ('{}'), (NULL),
               ('{"f1": 0.83334999999999999}')) AS v(m);
-- Bound when created and inlined: no SET clause, a SQL-standard body,
-- IMMUTABLE; open to PUBLIC (ai_model_registry calls it for any reader).
SELECT p.provolatile, p.proparallel, p.prosqlbody IS NOT NULL AS standard_body, p.proconfig,
       has_function_privilege('public', p.oid, 'EXECUTE') AS public_execute
  FROM pg_proc AS p WHERE p.oid = 'intent_internal._pg_intent_model_f1(jsonb)'::regprocedure;

-- The built-in classifier's active model, metrics with macro_f1 only.
INSERT INTO ai_intent_models (version, algorithm, model, size_bytes, sha256, intents, metrics, is_active)
VALUES ('v_macro', 'linear_svm', '\x00'::bytea, 1, 'x', '{a,b}', '{"macro_f1": 0.6543, "accuracy": 0.7}', true);
SELECT (SELECT r.f1_score FROM ai_model_registry AS r WHERE r.version = 'v_macro') AS registry,
       (get_ai_training_metrics() #>> '{active_model,f1}')::float8 AS training_metrics,
       (SELECT a.value FROM ai_metric_alerts AS a WHERE a.metric = 'model_f1') AS metric_alert;

-- A named classifier: its fallback's metrics with macro_f1 only, a
-- partition's with both (f1 counts), another's with macro_f1 only.
CREATE TABLE mf_src (id integer, prompt text, route text, shop text);
INSERT INTO mf_src SELECT g, 'texto ' || g, (ARRAY['a', 'b'])[1 + g % 2], 'shop' || (g % 2) FROM generate_series(1, 40) g;
SELECT create_classifier('mf', 'mf_src', 'prompt', 'route', '{"partition_column": "shop"}') ->> 'name' AS created;
INSERT INTO ai_intent_models (version, algorithm, model, size_bytes, sha256, intents, metrics, is_active,
                              classifier, partition_key, classifier_id)
SELECT v.version, 'linear_svm', '\x00'::bytea, 1, 'x', '{a,b}', v.metrics::jsonb, true, 'mf', v.partition_key, c.id
  FROM ai_classifiers AS c,
       (VALUES ('mf_fallback', NULL, '{"macro_f1": 0.6543}'),
               ('mf_shop0', 'shop0', '{"f1": 0.61, "macro_f1": 0.99}'),
               ('mf_shop1', 'shop1', '{"macro_f1": 0.55}')) AS v(version, partition_key, metrics)
 WHERE c.name = 'mf';
INSERT INTO ai_model_deployments (model_id, reason, deployed_at, classifier, partition_key, classifier_id)
SELECT m.id, 'first', now() - interval '3 days', m.classifier, m.partition_key, m.classifier_id
  FROM ai_intent_models AS m WHERE m.classifier = 'mf';
-- The rule's answer per model, and what each reader reports.
SELECT m.partition_key, intent_internal._pg_intent_model_f1(m.metrics) AS rule,
       r.f1_score AS registry,
       CASE WHEN m.partition_key IS NULL THEN (get_classifier_metrics('mf') #>> '{active_model,f1}')::float8
            ELSE (SELECT (w ->> 'f1')::float8 FROM jsonb_array_elements(get_classifier_metrics('mf') #> '{partition_models,weakest}') AS w
                   WHERE w ->> 'partition' = m.partition_key) END AS classifier_metrics,
       (SELECT a.value FROM ai_classifier_alerts AS a
         WHERE a.classifier = 'mf' AND a.metric = 'model_f1' AND a.partition IS NOT DISTINCT FROM m.partition_key) AS alert
  FROM ai_intent_models AS m JOIN ai_model_registry AS r ON r.id = m.id
 WHERE m.classifier = 'mf' ORDER BY m.partition_key NULLS FIRST;
-- The snapshot of a period those models served.
SELECT count(*) AS snapshots FROM create_classifier_metrics_snapshot('mf', 'daily', now() - interval '1 day');
SELECT s.model_version, s.model_f1, s.partition_f1_min,
       (SELECT string_agg(format('%s %s', w ->> 'partition', w ->> 'f1'), ', ') FROM jsonb_array_elements(s.details -> 'weakest') AS w) AS weakest
  FROM ai_classifier_metrics_snapshots AS s WHERE s.classifier = 'mf';

-- Every reader agrees with the rule for every active model: the same test
-- as one count of disagreements (0), which a reader that stopped applying
-- the rule (or applied it to f1 alone) would make non-zero.
SELECT count(*) FILTER (WHERE r.f1_score IS DISTINCT FROM intent_internal._pg_intent_model_f1(m.metrics)::float8) AS registry_disagrees,
       count(*) FILTER (WHERE m.classifier = 'mf' AND m.partition_key IS NULL
                          AND (get_classifier_metrics('mf') #>> '{active_model,f1}')::float8
                              IS DISTINCT FROM intent_internal._pg_intent_model_f1(m.metrics)::float8) AS classifier_metrics_disagrees,
       count(*) FILTER (WHERE m.classifier = 'intent'
                          AND (get_ai_training_metrics() #>> '{active_model,f1}')::float8
                              IS DISTINCT FROM intent_internal._pg_intent_model_f1(m.metrics)::float8) AS training_metrics_disagrees
  FROM ai_intent_models AS m JOIN ai_model_registry AS r ON r.id = m.id WHERE m.is_active;

-- A role that may read the registry and the models' metrics, and was
-- granted no function set, reads f1_score (the view runs as its reader).
CREATE ROLE pgi_mf_reader NOLOGIN;
GRANT SELECT ON ai_model_registry, ai_training_runs, ai_model_deployments TO pgi_mf_reader;
GRANT SELECT (id, version, run_id, algorithm, size_bytes, sha256, intents, metrics, confidence_threshold,
              is_active, created_at, deployed_at, deleted_at, classifier, partition_key) ON ai_intent_models TO pgi_mf_reader;
SET ROLE pgi_mf_reader;
SELECT version, f1_score FROM ai_model_registry ORDER BY version;
RESET ROLE;
DROP OWNED BY pgi_mf_reader;
DROP ROLE pgi_mf_reader;
