-- Subword vectors (issue 34, point 1): the training option subword_vectors
-- learns skipgram vectors with hashed character n-grams from the run's
-- texts (src/core/subword_vectors.h) and appends each message's unit
-- sentence vector to its TF-IDF row. The options reach the core as jsonb,
-- so train_intent_model() takes it; the model stores the vectors (format
-- 4), prediction and explanations use them, and a bad value is 22023.
SET client_min_messages = warning;
SET pg_intent.allow_drop_with_data = on; -- the previous test's rows go (src/pg/drop_guard.cpp)
DROP EXTENSION IF EXISTS pg_intent CASCADE;
CREATE EXTENSION pg_intent;

\i test/fixtures/try.sql
\i test/fixtures/spanish_80.sql

-- Off by default: format 3, and the effective options do not name it.
SELECT train_intent_model('plain') ->> 'deploy_reason' AS reason;
SELECT intent_model_info(model) ->> 'format_version' AS format_version,
       intent_model_info(model) -> 'options' ? 'subword_vectors' AS stored_option
  FROM ai_intent_models WHERE is_active;
SELECT intent_training_options() ? 'subword_vectors' AS shown_by_default;

-- On: format 4, whose features are the TF-IDF terms and the block's 16
-- columns; the stored options hold the settings.
SELECT train_intent_model('subword', 'full', '{"subword_vectors": true, "deploy": "always"}') ->> 'deploy_reason' AS reason;
SELECT i ->> 'format_version' AS format_version,
       (i ->> 'features')::int - (i ->> 'word_features')::int - (i ->> 'char_features')::int AS block_columns,
       i #> '{options,subword_vectors}' AS stored_option
  FROM ai_intent_models, LATERAL intent_model_info(model) AS i WHERE is_active;
-- It serves from the stored vectors (a misspelt message too).
SELECT m AS message, classify_intent(m) AS intent
  FROM (VALUES ('quiero devolver la chaqueta'), ('quiero devolbver la chaqueta'), ('el pago de la gorra fue rechazado')) AS v(m);
-- An explanation lists the block's columns as terms of kind "subword".
SELECT count(*) > 0 AS has_subword_terms,
       bool_and(t ->> 'term' LIKE 'subword:%') AS named_by_column
  FROM explain_intent('quiero devolver la chaqueta', 1000) AS e, jsonb_array_elements(e -> 'terms') AS t
 WHERE t ->> 'kind' = 'subword';
-- The settings, each optional; shown back with the weight.
SELECT intent_training_options('{"subword_vectors": {"dim": 8, "epochs": 2, "weight": 1}}') -> 'subword_vectors' AS effective;

-- Bad values: 22023 naming the option, the detail saying what is allowed.
DO $$
DECLARE d text;
BEGIN
    PERFORM train_intent_model('bad', 'full', '{"subword_vectors": {"dim": 0}}');
EXCEPTION WHEN OTHERS THEN
    GET STACKED DIAGNOSTICS d = PG_EXCEPTION_DETAIL;
    RAISE WARNING '%: %', SQLSTATE, d;
END $$;
SELECT pg_temp.try($$SELECT train_intent_model('bad', 'full', '{"subword_vectors": "yes"}')$$) AS not_bool_or_object;
SELECT pg_temp.try($$SELECT train_intent_model('bad', 'full', '{"subword_vectors": {"dim": 0}}')$$) AS dim_zero;
SELECT pg_temp.try($$SELECT train_intent_model('bad', 'full', '{"subword_vectors": {"size": 8}}')$$) AS unknown_setting;
SELECT pg_temp.try($$SELECT train_intent_model('bad', 'full', '{"subword_vectors": {"dim": 256, "buckets": 4194304}}')$$) AS table_too_large;
SELECT pg_temp.try($$SELECT intent_training_options('{"subword_vectors": {"min_n": 6, "max_n": 3}}')$$) AS min_above_max;
-- In Spanish too.
SET pg_intent.language = 'es';
SELECT pg_temp.try($$SELECT train_intent_model('bad', 'full', '{"subword_vectors": {"weight": 0}}')$$) AS weight_zero_es;
RESET pg_intent.language;
