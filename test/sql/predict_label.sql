-- predict_label() and classify_label(): named classifiers, their privilege
-- rule as the role it restricts, partition models and the fallback, the
-- built-in classifier "intent", NULLs, abstention, and a deploy seen by the
-- same session. Classifiers are rows of ai_classifiers and models copies of
-- one trained intent model (the training side has its own tests).
SET client_min_messages = warning;
SET pg_intent.allow_drop_with_data = on; -- the previous test's rows go (src/pg/drop_guard.cpp)
DROP EXTENSION IF EXISTS pg_intent CASCADE;
CREATE EXTENSION pg_intent;
DROP ROLE IF EXISTS pgi_pl_caller;
DROP ROLE IF EXISTS pgi_pl_group;
CREATE ROLE pgi_pl_group NOLOGIN;
CREATE ROLE pgi_pl_caller NOLOGIN;

-- Shows SQLSTATE, message and hint of a failing statement.
CREATE FUNCTION pg_temp.try_hint(p_sql text) RETURNS text LANGUAGE plpgsql AS $$
DECLARE
    v_hint text;
BEGIN
    EXECUTE p_sql;
    RETURN 'ok';
EXCEPTION WHEN OTHERS THEN
    GET STACKED DIAGNOSTICS v_hint = PG_EXCEPTION_HINT;
    RETURN SQLSTATE || ': ' || SQLERRM || coalesce(' (hint: ' || nullif(v_hint, '') || ')', '');
END $$;
GRANT EXECUTE ON FUNCTION pg_temp.try_hint(text) TO PUBLIC;

\i test/fixtures/spanish_80.sql
SELECT train_intent_model('predict_label', 'full', '{"seed": 3, "min_threshold_rows": 40}') ->> 'deploy_reason' AS reason;
SELECT id AS intent_id FROM ai_intent_models WHERE is_active \gset

-- A classifier copy of the intent model, for (classifier, partition).
CREATE FUNCTION pg_temp.add_model(p_classifier text, p_partition text, p_active boolean DEFAULT true)
RETURNS bigint LANGUAGE sql AS $$
    INSERT INTO ai_intent_models (version, algorithm, model, size_bytes, sha256, intents, confidence_threshold,
                                  is_active, classifier, partition_key, classifier_id)
    SELECT 'copy_' || p_classifier || '_' || coalesce(p_partition, '-') || '_' || clock_timestamp(),
           algorithm, model, size_bytes, sha256, intents, confidence_threshold, p_active, p_classifier, p_partition,
           (SELECT c.id FROM ai_classifiers AS c WHERE c.name = p_classifier)
      FROM ai_intent_models WHERE is_active AND classifier = 'intent'
    RETURNING id
$$;

-- Two classifiers: "tickets", partitioned by tenant, and "plain", not
-- partitioned; both closed (predict_public false, no predict_roles).
INSERT INTO ai_classifiers (name, source, text_column, label_column, partition_column, owner)
VALUES ('tickets', 'ai_training_data'::regclass, 'user_message', 'training_label', 'source', current_user::regrole),
       ('plain', 'ai_training_data'::regclass, 'user_message', 'training_label', NULL, current_user::regrole),
       ('empty', 'ai_training_data'::regclass, 'user_message', 'training_label', 'source', current_user::regrole);

-- No deployed model: 55000, with or without a partition.
SELECT pg_temp.try_hint($$SELECT predict_label('tickets', 'hola')$$);
SELECT pg_temp.try_hint($$SELECT classify_label('tickets', 'hola', 'acme')$$);

SELECT pg_temp.add_model('tickets', NULL) AS fallback_id \gset
SELECT pg_temp.add_model('tickets', 'acme') AS acme_id \gset
SELECT pg_temp.add_model('plain', NULL) AS plain_id \gset

-- Another classifier's models do not answer for this one.
SELECT pg_temp.try_hint($$SELECT predict_label('empty', 'hola', 'acme')$$);

-- Unknown classifier: 42704, with or without a partition, and a name longer
-- than any classifier's.
SELECT pg_temp.try_hint($$SELECT predict_label('nosuch', 'hola')$$);
SELECT pg_temp.try_hint($$SELECT classify_label('nosuch', 'hola', 'acme')$$);
SELECT pg_temp.try_hint($$SELECT predict_label(repeat('x', 100), 'hola')$$);

-- A partition's own model, the fallback for any other partition, and the
-- fallback without a partition; model_partition says which answered.
SELECT p.label, p.model_id = :acme_id AS acme_model, p.model_partition, p.uncertain
  FROM predict_label('tickets', 'quiero devolver la chaqueta', 'acme') AS p;
SELECT p.label, p.model_id = :fallback_id AS fallback_model, p.model_partition IS NULL AS partition_is_null
  FROM predict_label('tickets', 'quiero devolver la chaqueta', 'globex') AS p;
SELECT p.label, p.model_id = :fallback_id AS fallback_model, p.model_partition IS NULL AS partition_is_null
  FROM predict_label('tickets', 'quiero devolver la chaqueta') AS p;
SELECT p.label, p.model_id = :plain_id AS plain_model, p.model_partition IS NULL AS partition_is_null
  FROM predict_label('plain', 'quiero devolver la chaqueta') AS p;
-- The same bytes give the same answer as predict_intent(), top labels included.
SELECT (p.label, p.confidence, p.top_labels::text, p.uncertain)
       = (i.predicted_intent, i.confidence, i.top_intents::text, i.uncertain) AS same_as_intent
  FROM predict_label('tickets', 'mi pedido no ha llegado', 'acme') AS p,
       predict_intent('mi pedido no ha llegado') AS i;

-- A partition's model that abstains defers to the fallback when the
-- fallback is confident (issue 34, point 2; src/core/deferral.h;
-- partition_fallback.sql shows a confident fallback answering). The empty
-- message has no evidence, so acme's model abstains, and so does the
-- fallback (the same bytes here): acme's own answer stays, uncertain, with
-- its model id and partition. classify_label() and explain_label() follow
-- the same model.
SELECT p.model_id = :fallback_id AS fallback_model, p.model_partition IS NULL AS partition_is_null, p.uncertain
  FROM predict_label('tickets', '', 'acme') AS p;
SELECT classify_label('tickets', '', 'acme') IS NULL AS abstains,
       (explain_label('tickets', '', 'acme') ->> 'model_id')::bigint = :fallback_id AS explains_fallback,
       explain_label('tickets', '', 'acme') -> 'model_partition' AS explained_partition;
SELECT (explain_label('tickets', 'quiero devolver la chaqueta', 'acme') ->> 'model_id')::bigint = :acme_id
       AS explains_acme;

-- A partition on a classifier without partition_column: 22023.
SELECT pg_temp.try_hint($$SELECT predict_label('plain', 'hola', 'acme')$$);
SELECT pg_temp.try_hint($$SELECT classify_label('intent', 'hola', 'acme')$$);

-- The built-in classifier gives exactly predict_intent()'s answer.
SELECT (p.label, p.confidence, p.top_labels::text, p.uncertain, p.model_id)
       = (i.predicted_intent, i.confidence, i.top_intents::text, i.uncertain, i.model_id) AS same,
       p.model_partition IS NULL AS partition_is_null, p.model_id = :intent_id AS active_intent_model
  FROM (VALUES ('quiero devolver la chaqueta'), ('el pago fue rechazado'), ('xyzzy plugh'), ('')) AS v(m),
       LATERAL predict_label('intent', v.m) AS p, LATERAL predict_intent(v.m) AS i;

-- NULL name or text: NULL, as STRICT would; NULL partition: the fallback.
SELECT predict_label(NULL, 'hola') IS NULL AS null_name, predict_label('tickets', NULL) IS NULL AS null_text,
       predict_label(NULL, NULL, 'acme') IS NULL AS both_null,
       classify_label(NULL, 'hola') IS NULL AS label_null_name, classify_label('tickets', NULL, 'acme') IS NULL AS label_null_text,
       (predict_label('tickets', 'quiero devolver la chaqueta', NULL)).model_id = :fallback_id AS null_partition_is_fallback;

-- classify_label(): the label, or NULL when the model abstains (a text of
-- unknown words is answered from the bias alone, below the threshold).
SELECT m, classify_label('tickets', m, 'acme') AS label, p.uncertain,
       classify_label('tickets', m, 'acme') IS NOT DISTINCT FROM CASE WHEN p.uncertain THEN NULL ELSE p.label END AS agrees
  FROM (VALUES ('quiero devolver la chaqueta'), ('xyzzy plugh')) AS v(m),
       LATERAL predict_label('tickets', v.m, 'acme') AS p;

-- In a parallel worker (PARALLEL SAFE): the worker reads the classifier,
-- asks the privilege rule and loads the model itself.
-- (force_parallel_mode, debug_parallel_query from PostgreSQL 16: whichever
-- this server has.)
SELECT set_config(name, 'on', false) AS parallel_forced
  FROM pg_settings WHERE name IN ('force_parallel_mode', 'debug_parallel_query');
SET parallel_setup_cost = 0;
SELECT (predict_label('tickets', 'quiero devolver la chaqueta', 'acme')).model_id = :acme_id AS acme_in_worker,
       classify_label('plain', 'quiero devolver la chaqueta') AS plain_in_worker;
SELECT set_config(name, reset_val, false) AS parallel_forced
  FROM pg_settings WHERE name IN ('force_parallel_mode', 'debug_parallel_query');
RESET parallel_setup_cost;

-- Privileges, as the role they restrict: nothing granted, 42501 (and the
-- built-in classifier stays open to everyone, as predict_intent()). An
-- unknown name gets the same 42501 (0.3.2): a role that may not read
-- ai_classifiers is not told which names exist.
SET ROLE pgi_pl_caller;
SELECT pg_temp.try_hint($$SELECT predict_label('tickets', 'hola', 'acme')$$);
SELECT pg_temp.try_hint($$SELECT classify_label('plain', 'hola')$$);
SELECT pg_temp.try_hint($$SELECT predict_label('nosuch', 'hola')$$);
SELECT (predict_label('intent', 'quiero devolver la chaqueta')).label AS intent_open_to_all;
RESET ROLE;
-- predict_roles: a group the caller is a member of (the change is seen by
-- the session that cached the refusal).
GRANT pgi_pl_group TO pgi_pl_caller;
UPDATE ai_classifiers SET predict_roles = ARRAY['pgi_pl_group'::regrole] WHERE name = 'tickets';
SET ROLE pgi_pl_caller;
SELECT (predict_label('tickets', 'quiero devolver la chaqueta', 'acme')).model_partition AS granted_by_role;
SELECT pg_temp.try_hint($$SELECT classify_label('plain', 'hola')$$);
RESET ROLE;
-- Membership revoked: refused again, in the same session.
REVOKE pgi_pl_group FROM pgi_pl_caller;
SET ROLE pgi_pl_caller;
SELECT pg_temp.try_hint($$SELECT predict_label('tickets', 'hola', 'acme')$$);
RESET ROLE;
-- predict_public.
UPDATE ai_classifiers SET predict_public = true WHERE name = 'plain';
SET ROLE pgi_pl_caller;
SELECT classify_label('plain', 'quiero devolver la chaqueta') AS granted_by_public;
RESET ROLE;
UPDATE ai_classifiers SET predict_public = false WHERE name = 'plain';
SET ROLE pgi_pl_caller;
SELECT pg_temp.try_hint($$SELECT classify_label('plain', 'hola')$$);
RESET ROLE;

-- A deploy for another partition: this session sees the new model at once,
-- and keeps the models it had (acme's is not loaded again).
SELECT misses AS misses_before FROM intent_internal._pg_intent_model_cache_stats() \gset
SELECT (predict_label('tickets', 'quiero devolver la chaqueta', 'acme')).model_id = :acme_id AS acme_cached;
SELECT pg_temp.add_model('tickets', 'globex') AS globex_id \gset
SELECT (predict_label('tickets', 'quiero devolver la chaqueta', 'globex')).model_id = :globex_id AS globex_now_own_model,
       (predict_label('tickets', 'quiero devolver la chaqueta', 'globex')).model_partition;
SELECT (predict_label('tickets', 'quiero devolver la chaqueta', 'acme')).model_id = :acme_id AS acme_still_answers;
SELECT misses - :misses_before AS loads_since FROM intent_internal._pg_intent_model_cache_stats();
-- A redeploy of acme (the old model inactive, a new one active): the new one answers.
UPDATE ai_intent_models SET is_active = false WHERE id = :acme_id;
SELECT pg_temp.add_model('tickets', 'acme') AS acme2_id \gset
SELECT (predict_label('tickets', 'quiero devolver la chaqueta', 'acme')).model_id = :acme2_id AS redeployed_model_answers;
-- Withdrawn: acme falls back; the classifier gone: 42704.
UPDATE ai_intent_models SET is_active = false WHERE id = :acme2_id;
SELECT (predict_label('tickets', 'quiero devolver la chaqueta', 'acme')).model_partition IS NULL AS acme_falls_back;
DELETE FROM ai_classifiers WHERE name = 'plain';
SELECT pg_temp.try_hint($$SELECT predict_label('plain', 'hola')$$);

-- The statistics function is internal: closed to PUBLIC.
SET ROLE pgi_pl_caller;
SELECT pg_temp.try_hint($$SELECT * FROM intent_internal._pg_intent_model_cache_stats()$$);
RESET ROLE;

DROP EXTENSION pg_intent CASCADE;
DROP ROLE pgi_pl_caller;
DROP ROLE pgi_pl_group;
