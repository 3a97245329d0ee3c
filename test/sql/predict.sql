-- predict_intent() and classify_intent(): NULL, empty and 1 MB messages, a given
-- model, unknown model, no deployed model, the uncertain label.
SET client_min_messages = warning;
SET pg_intent.allow_drop_with_data = on; -- the previous test's rows go (src/pg/drop_guard.cpp)
DROP EXTENSION IF EXISTS pg_intent CASCADE;
CREATE EXTENSION pg_intent;

\i test/fixtures/try.sql

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

-- No deployed model yet: 55000 with a hint to train one.
SELECT pg_temp.try_hint($$SELECT predict_intent('hola')$$);
SELECT pg_temp.try_hint($$SELECT classify_intent('hola')$$);

\i test/fixtures/spanish_80.sql
-- 80 rows are fewer than min_threshold_rows (100 by default): too few
-- out-of-fold predictions to estimate a precision, so a model trained on
-- them would never abstain (see below). This one is asked to estimate its
-- threshold from 40.
SELECT train_intent_model('predict', 'full', '{"seed": 3, "min_threshold_rows": 40}') ->> 'deploy_reason' AS reason;
SELECT id AS model_id FROM ai_intent_models WHERE is_active \gset

-- A clear message: the right intent, confident, not uncertain, the active model.
SELECT predicted_intent, confidence > 0.5 AS confident, confidence <= 1 AS at_most_one, uncertain,
       model_id = :model_id AS active_model
  FROM predict_intent('quiero devolver la chaqueta');
SELECT classify_intent('mi pedido de la chaqueta no ha llegado'),
       classify_intent('el pago de la chaqueta fue rechazado'),
       classify_intent('qué talla tiene la chaqueta');

-- top_intents (json): pg_intent.top_k entries (3 by default), most probable
-- first, probabilities in (0, 1] that are exactly what the model computed:
-- the first equals confidence, read back as float8 without rounding.
SELECT pg_typeof(top_intents) AS type,
       (SELECT count(*) FROM json_object_keys(top_intents)) AS entries,
       (SELECT bool_and(v::float8 > 0 AND v::float8 <= 1) FROM json_each_text(top_intents) AS e(k, v)) AS probabilities,
       (SELECT k FROM json_each_text(top_intents) WITH ORDINALITY AS e(k, v, n) WHERE n = 1) = predicted_intent AS first_is_predicted,
       (top_intents ->> predicted_intent)::float8 = confidence AS first_equals_confidence,
       (SELECT bool_and(v::float8 <= coalesce(lag, 1)) FROM (
           SELECT v, lag(v::float8) OVER (ORDER BY n) AS lag FROM json_each_text(top_intents) WITH ORDINALITY AS e(k, v, n)) s)
         AS descending
  FROM predict_intent('quiero devolver la chaqueta');
SET pg_intent.top_k = 1;
SELECT json_object_keys(top_intents) FROM predict_intent('quiero devolver la chaqueta');
SET pg_intent.top_k = 10;
SELECT (SELECT count(*) FROM json_object_keys(top_intents)) AS all_four_intents,
       (SELECT array_agg(k ORDER BY n) FROM json_each_text(top_intents) WITH ORDINALITY AS e(k, v, n))
         = (SELECT array_agg(k ORDER BY v::float8 DESC, k) FROM json_each_text(top_intents) AS e(k, v)) AS in_probability_order,
       top_intents::jsonb ? predicted_intent AS casts_to_jsonb
  FROM predict_intent('quiero devolver la chaqueta');
RESET pg_intent.top_k;

-- NULL in, NULL out (STRICT).
SELECT predict_intent(NULL) IS NULL AS row_is_null, (predict_intent(NULL)).predicted_intent IS NULL AS intent_is_null,
       classify_intent(NULL) IS NULL AS label_is_null, predict_intent(NULL, :model_id) IS NULL AS by_id_is_null;

-- The empty string and messages of unknown words are answered from the
-- model's bias alone: some intent with a near-uniform confidence (four
-- intents: about 0.25), below the threshold (at least the 0.5 floor), so
-- they are uncertain and classify_intent() says 'uncertain'.
SELECT confidence_threshold >= 0.5 AS threshold_at_least_half,
       (metrics #>> '{threshold,abstains}')::boolean AS abstains
  FROM ai_intent_models WHERE id = :model_id;
SELECT m, p.predicted_intent IS NOT NULL AS answered, p.confidence < 0.5 AS low_confidence, p.uncertain,
       p.model_id = :model_id AS active_model, classify_intent(m)
  FROM (VALUES (''), ('xyzzy plugh'), ('hola')) AS v(m), LATERAL predict_intent(v.m) AS p;

-- classify_intent() agrees with predict_intent(): the label, or 'uncertain'
-- below the model's threshold.
SELECT m, classify_intent(m) = CASE WHEN p.uncertain THEN 'uncertain' ELSE p.predicted_intent END AS agrees
  FROM (VALUES ('quiero devolver la chaqueta'), (''), ('xyzzy plugh'), ('hola'),
               ('devolver pedido pagar talla'), ('el envío de la chaqueta')) AS v(m),
       LATERAL predict_intent(v.m) AS p;

-- The label classify_intent() answers when it abstains (C++:
-- intent::kUncertainLabel, src/core/intent_names.h) is the one name
-- is_valid_intent_name() refuses as a training label (SQL), so no intent
-- can be named like an abstention: the two copies agree.
SELECT classify_intent('xyzzy plugh') AS abstains_with, is_valid_intent_name(classify_intent('xyzzy plugh')) AS valid_label;

-- A 1 MB message of words, and a 1 MB single token.
SELECT octet_length(repeat('quiero devolver la chaqueta ', 37450)) >= 1048576 AS one_mb;
SELECT predicted_intent, uncertain FROM predict_intent(repeat('quiero devolver la chaqueta ', 37450));
SELECT classify_intent(repeat('x', 1048576)) AS one_token;

-- A given model, active or not. This one has the default min_threshold_rows:
-- its 80 rows are too few to estimate a threshold, so it never abstains on
-- confidence, and its report says why. Its confidences stay honest: near
-- uniform for an empty message (the targets of its calibration are
-- smoothed, so scores that separate 80 training rows perfectly do not make
-- it certain of everything). The empty message has no evidence, so it is
-- uncertain all the same (novelty.h; 0.3.1 answered it).
SELECT train_intent_model('second', 'full', '{"seed": 4, "deploy": "never"}') ->> 'model_id' AS second_id \gset
SELECT confidence_threshold AS threshold, (metrics #>> '{threshold,abstains}')::boolean AS abstains,
       metrics #>> '{threshold,reason}' AS reason
  FROM ai_intent_models WHERE id = :second_id;
SELECT m, p.confidence < 0.5 AS low_confidence, p.uncertain
  FROM (VALUES (''), ('quiero devolver la chaqueta')) AS v(m), LATERAL predict_intent(v.m, :second_id) AS p;
SELECT predicted_intent, model_id = :second_id AS given_model
  FROM predict_intent('quiero devolver la chaqueta', :second_id);
SELECT model_id = :model_id AS still_active_model FROM predict_intent('quiero devolver la chaqueta');

-- Unknown model: P0002.
SELECT pg_temp.try_hint($$SELECT predict_intent('hola', 999999)$$) ~ '^P0002: ' AS not_found;

-- No active model: 55000 again, while a given model still works.
UPDATE ai_intent_models SET is_active = false;
SELECT pg_temp.try_hint($$SELECT predict_intent('hola')$$);
SELECT pg_temp.try_hint($$SELECT classify_intent('hola')$$);
SELECT predicted_intent FROM predict_intent('quiero devolver la chaqueta', :model_id);

-- Declarations: STRICT, STABLE, PARALLEL SAFE.
SELECT p.oid::regprocedure AS function, provolatile, proparallel, proisstrict
  FROM pg_proc p WHERE proname IN ('predict_intent', 'classify_intent') ORDER BY p.oid::regprocedure::text;

-- The table owner changed a column the C code reads directly: an error
-- naming it, not a backend crash (0.2.0 before this read an int8 as a
-- pointer to the model bytes).
BEGIN;
DROP TRIGGER ai_intent_models_set_digest ON ai_intent_models; -- its function reads the column
ALTER TABLE ai_intent_models ALTER COLUMN model TYPE bigint USING length(model);
SELECT pg_temp.try($$SELECT predicted_intent FROM predict_intent('quiero devolver la chaqueta', $$ || :model_id || $$)$$) AS model_column_retyped;
ROLLBACK;
SELECT predicted_intent FROM predict_intent('quiero devolver la chaqueta', :model_id) AS after_rollback;

-- The owner altered the row type predict_intent() returns: an error
-- (42804) naming the columns it must have, not a backend crash. 0.2.0
-- before this wrote the float8 confidence where the type now said text (a
-- backend that had not predicted yet crashed), and a backend that had
-- predicted kept its old descriptor (22P07, or a column silently NULL). A
-- type whose columns are dropped and added back in order works again.
ALTER TYPE intent_prediction ALTER ATTRIBUTE confidence TYPE text;
\c
\i test/fixtures/try.sql
SELECT pg_temp.try($$SELECT * FROM predict_intent('quiero devolver la chaqueta', $$ || :model_id || $$)$$) AS confidence_retyped;
ALTER TYPE intent_prediction ALTER ATTRIBUTE confidence TYPE double precision;
SELECT predicted_intent FROM predict_intent('quiero devolver la chaqueta', :model_id) AS warm;
BEGIN;
ALTER TYPE intent_prediction ALTER ATTRIBUTE confidence TYPE text;
SELECT pg_temp.try($$SELECT * FROM predict_intent('quiero devolver la chaqueta', $$ || :model_id || $$)$$) AS retyped_after_warm;
ROLLBACK;
BEGIN;
ALTER TYPE intent_prediction DROP ATTRIBUTE model_id;
SELECT pg_temp.try($$SELECT (predict_intent('quiero devolver la chaqueta', $$ || :model_id || $$)).*$$) AS column_dropped;
ALTER TYPE intent_prediction ADD ATTRIBUTE extra integer, ADD ATTRIBUTE model_id bigint;
SELECT pg_temp.try($$SELECT predict_intent('quiero devolver la chaqueta', $$ || :model_id || $$)$$) AS column_added;
ALTER TYPE intent_prediction DROP ATTRIBUTE extra;
SELECT predicted_intent, uncertain, model_id = :model_id AS given_model
  FROM predict_intent('quiero devolver la chaqueta', :model_id) AS dropped_and_added_back;
ROLLBACK;
SELECT predicted_intent, model_id = :model_id AS given_model
  FROM predict_intent('quiero devolver la chaqueta', :model_id) AS after_rollback;
