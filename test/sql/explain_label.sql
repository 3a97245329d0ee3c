-- explain_label() (0.3.1): explain_intent() for the model predict_label()
-- would use. The same explanation as explain_intent() on the same model
-- (the classifiers' models here are copies of the intent model), which
-- model answered, the decomposition adding up, every error with its
-- SQLSTATE, and both of its rights as the roles they restrict: the explain
-- set and the classifier's predict access.
SET client_min_messages = warning;
SET pg_intent.allow_drop_with_data = on; -- the previous test's rows go (src/pg/drop_guard.cpp)
DROP EXTENSION IF EXISTS pg_intent CASCADE;
CREATE EXTENSION pg_intent;
DROP ROLE IF EXISTS pgi_el_reviewer;
DROP ROLE IF EXISTS pgi_el_app;
CREATE ROLE pgi_el_reviewer NOLOGIN;
CREATE ROLE pgi_el_app NOLOGIN;
\i test/fixtures/try.sql
GRANT EXECUTE ON FUNCTION pg_temp.try(text) TO PUBLIC;

\i test/fixtures/spanish_80.sql
SELECT train_intent_model('explain_label', 'full', '{"seed": 3, "min_threshold_rows": 40}') ->> 'deploy_reason' AS reason;

-- "tickets", partitioned by source, with a model of its own for 'web' and
-- a fallback; "plain", not partitioned; "empty", no model. Each model a
-- copy of the intent model.
INSERT INTO ai_classifiers (name, source, text_column, label_column, partition_column, owner)
VALUES ('tickets', 'ai_training_data'::regclass, 'user_message', 'training_label', 'source', current_user::regrole),
       ('plain', 'ai_training_data'::regclass, 'user_message', 'training_label', NULL, current_user::regrole),
       ('empty', 'ai_training_data'::regclass, 'user_message', 'training_label', 'source', current_user::regrole);
INSERT INTO ai_intent_models (version, algorithm, model, size_bytes, sha256, intents, confidence_threshold,
                              is_active, classifier, partition_key, classifier_id)
SELECT 'copy_' || c || '_' || coalesce(p, '-'), algorithm, model, size_bytes, sha256, intents, confidence_threshold,
       true, c, p, (SELECT k.id FROM ai_classifiers AS k WHERE k.name = c)
  FROM ai_intent_models AS m, (VALUES ('tickets', NULL), ('tickets', 'web'), ('plain', NULL)) AS x(c, p)
 WHERE m.is_active AND m.classifier = 'intent';

-- The same explanation as explain_intent() on the same model, with the
-- label's keys named label and predicted_label, and which model answered.
SELECT e ->> 'label' = i ->> 'intent' AS same_label,
       e ->> 'predicted_label' = i ->> 'predicted_intent' AS same_predicted,
       e -> 'terms' = i -> 'terms' AS same_terms,
       e -> 'bias' = i -> 'bias' AND e -> 'score' = i -> 'score' AND e -> 'other_terms' = i -> 'other_terms' AS same_numbers,
       e ->> 'label' = (predict_label('plain', 'quiero devolver el pedido')).label AS label_is_predict_labels,
       (e ->> 'model_id')::bigint = (SELECT id FROM ai_intent_models WHERE classifier = 'plain' AND is_active) AS plain_model,
       e -> 'model_partition' AS model_partition,
       jsonb_array_length(e -> 'terms') AS terms,
       abs((e ->> 'bias')::float8 + (SELECT sum((t ->> 'contribution')::float8) FROM jsonb_array_elements(e -> 'terms') AS t)
           + (e ->> 'other_terms')::float8 - (e ->> 'score')::float8) < 1e-3 AS adds_up
  FROM explain_label('plain', 'quiero devolver el pedido') AS e,
       explain_intent('quiero devolver el pedido') AS i;
SELECT array(SELECT jsonb_object_keys(explain_label('plain', 'hola')) ORDER BY 1) AS keys;

-- A partition with a model of its own, one answered by the fallback, and
-- an explicit label with p_top.
SELECT e ->> 'model_partition' AS model_partition,
       (e ->> 'model_id')::bigint = (SELECT id FROM ai_intent_models WHERE classifier = 'tickets' AND partition_key = 'web') AS web_model
  FROM explain_label('tickets', 'quiero devolver el pedido', 'web') AS e;
SELECT e -> 'model_partition' AS model_partition,
       (e ->> 'model_id')::bigint = (SELECT id FROM ai_intent_models WHERE classifier = 'tickets' AND partition_key IS NULL) AS fallback_model
  FROM explain_label('tickets', 'quiero devolver el pedido', 'phone') AS e;
SELECT e ->> 'label' AS label, jsonb_array_length(e -> 'terms') AS terms,
       e -> 'terms' = (explain_intent('quiero devolver el pedido', 2, (SELECT intents[2] FROM ai_intent_models WHERE is_active AND classifier = 'intent'))) -> 'terms' AS same_terms
  FROM explain_label('plain', 'quiero devolver el pedido', NULL, 2,
                     (SELECT intents[2] FROM ai_intent_models WHERE is_active AND classifier = 'intent')) AS e;
-- The built-in classifier explains with intent's model.
SELECT (explain_label('intent', 'hola') ->> 'model_id')::bigint = (SELECT id FROM ai_intent_models WHERE is_active AND classifier = 'intent') AS intent_model;

-- NULLs and bad input.
SELECT explain_label(NULL, 'hola') IS NULL AS null_name, explain_label('plain', NULL) IS NULL AS null_text;
SELECT pg_temp.try($$SELECT explain_label('plain', 'hola', NULL, NULL)$$) AS null_top;
SELECT pg_temp.try($$SELECT explain_label('plain', 'hola', NULL, -1)$$) AS negative_top;
SELECT pg_temp.try($$SELECT explain_label('plain', 'hola', NULL, 1001)$$) AS big_top;
SELECT pg_temp.try($$SELECT explain_label('plain', 'hola', NULL, 5, 'no_such_label')$$) AS unknown_label;
SELECT pg_temp.try($$SELECT explain_label('nope', 'hola')$$) AS unknown_classifier;
SELECT pg_temp.try($$SELECT explain_label('plain', 'hola', 'web')$$) AS partition_of_unpartitioned;
SELECT pg_temp.try($$SELECT explain_label('empty', 'hola')$$) AS no_model;

-- Rights: closed to PUBLIC; granted with the explain set; and, as for
-- predict_label(), the classifier's predict access.
SELECT has_function_privilege('public', 'explain_label(text, text, text, integer, text)', 'EXECUTE') AS public_may;
GRANT EXECUTE ON FUNCTION predict_label(text, text, text) TO pgi_el_app;
SELECT count(*) > 0 AS granted FROM grant_intent_access('pgi_el_reviewer', 'explain');
SET ROLE pgi_el_reviewer;
SELECT pg_temp.try($$SELECT explain_label('plain', 'hola')$$) AS reviewer_without_predict_access;
RESET ROLE;
SELECT grant_classifier_access('plain', 'pgi_el_reviewer', 'predict') IS NOT NULL AS predict_granted;
SELECT grant_classifier_access('plain', 'pgi_el_app', 'predict') IS NOT NULL AS predict_granted;
SET ROLE pgi_el_reviewer;
SELECT pg_temp.try($$SELECT explain_label('plain', 'hola')$$) AS reviewer_with_predict_access;
RESET ROLE;
SET ROLE pgi_el_app;
SELECT pg_temp.try($$SELECT (predict_label('plain', 'hola')).label$$) AS app_predicts;
SELECT pg_temp.try($$SELECT explain_label('plain', 'hola')$$) AS app_without_explain_set;
RESET ROLE;

-- A partition the caller may not explain, of a classifier without a
-- fallback: the same 42501 whether the partition has a model of its own or
-- not (before, 55000 "no deployed model" for the one without told the two
-- apart). The owner still gets 55000.
INSERT INTO ai_intent_models (version, algorithm, model, size_bytes, sha256, intents, confidence_threshold,
                              is_active, classifier, partition_key, classifier_id)
SELECT 'copy_empty_web', algorithm, model, size_bytes, sha256, intents, confidence_threshold,
       true, 'empty', 'web', (SELECT k.id FROM ai_classifiers AS k WHERE k.name = 'empty')
  FROM ai_intent_models AS m WHERE m.is_active AND m.classifier = 'intent';
SELECT grant_classifier_access('empty', 'pgi_el_reviewer', 'predict') IS NOT NULL AS predict_granted;
SET ROLE pgi_el_reviewer;
SELECT pg_temp.try($$SELECT explain_label('empty', 'hola', 'web')$$) AS partition_with_model;
SELECT pg_temp.try($$SELECT explain_label('empty', 'hola', 'phone')$$) AS partition_without_model;
SELECT (predict_label('empty', 'hola', 'web')).model_partition AS predicts_web;
RESET ROLE;
SELECT pg_temp.try($$SELECT explain_label('empty', 'hola', 'phone')$$) AS owner_partition_without_model;

DROP EXTENSION pg_intent CASCADE;
DROP ROLE pgi_el_reviewer;
DROP ROLE pgi_el_app;
