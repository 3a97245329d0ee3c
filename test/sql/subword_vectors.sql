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

-- "auto" by default (0.3.2: test/sql/subword_auto.sql), off for these 80
-- rows of 4 labels (20 rows a label): format 3, and the model's options do
-- not name it; the run's effective options show the mode.
SELECT train_intent_model('plain') ->> 'deploy_reason' AS reason;
SELECT intent_model_info(model) ->> 'format_version' AS format_version,
       intent_model_info(model) -> 'options' ? 'subword_vectors' AS stored_option
  FROM ai_intent_models WHERE is_active;
SELECT intent_training_options() -> 'subword_vectors' AS shown_by_default;

-- On without a weight: the weight is chosen out of fold from {0, 0.5, 1, 2},
-- and the run's report and the model's metrics say which and why (each
-- weight's out-of-fold accuracy). Weight 0 is the option off's model
-- (format 3); any other is served with the vectors (format 4).
SELECT train_intent_model('subword_chosen', 'full', '{"subword_vectors": true, "deploy": "never"}') ->> 'deploy_reason' AS reason;
SELECT w -> 'value' AS chosen, w ->> 'selected' AS selected, w -> 'grid' AS grid, jsonb_array_length(w -> 'accuracy') AS accuracies,
       (w -> 'grid') @> jsonb_build_array(w -> 'value') AS value_in_grid,
       (SELECT max(a::text::float8) FROM jsonb_array_elements(w -> 'accuracy') AS a)
         = (w -> 'accuracy' ->> ((SELECT i - 1 FROM jsonb_array_elements(w -> 'grid') WITH ORDINALITY AS g(x, i)
                                   WHERE x = w -> 'value'))::int)::float8 AS value_has_best_accuracy,
       w ->> 'reason' AS reason
  FROM ai_training_runs AS r, LATERAL (SELECT r.metrics -> 'subword_weight') AS s(w)
 WHERE r.run_name = 'subword_chosen';
SELECT m.metrics -> 'subword_weight' -> 'value' = r.metrics -> 'subword_weight' -> 'value' AS model_metrics_agree,
       (intent_model_info(m.model) ->> 'format_version')::int
         = CASE WHEN (r.metrics #>> '{subword_weight,value}')::float8 = 0 THEN 3 ELSE 4 END AS format_follows_weight
  FROM ai_training_runs AS r JOIN ai_intent_models AS m ON m.run_id = r.id
 WHERE r.run_name = 'subword_chosen';
-- Here the folds chose 0: the model is the option off's, the same bytes as
-- the run 'plain' above trained from the same rows.
SELECT (SELECT m.sha256 FROM ai_intent_models AS m JOIN ai_training_runs AS r ON m.run_id = r.id
         WHERE r.run_name = 'subword_chosen')
     = (SELECT m.sha256 FROM ai_intent_models AS m JOIN ai_training_runs AS r ON m.run_id = r.id
         WHERE r.run_name = 'plain') AS same_bytes_as_off;

-- On with a weight given: used as given, format 4, whose features are the
-- TF-IDF terms and the block's 16 columns; the stored options hold the settings.
SELECT train_intent_model('subword', 'full', '{"subword_vectors": {"weight": 2}, "deploy": "always"}') ->> 'deploy_reason' AS reason;
SELECT metrics -> 'subword_weight' AS given_weight FROM ai_training_runs WHERE run_name = 'subword';
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
-- The settings, each optional; shown back with the weight when one is given
-- (without one, it is chosen out of fold and not shown).
SELECT intent_training_options('{"subword_vectors": {"dim": 8, "epochs": 2, "weight": 1}}') -> 'subword_vectors' AS effective;
SELECT intent_training_options('{"subword_vectors": true}') -> 'subword_vectors' AS effective_chosen;

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
-- The table's limit is (buckets + 2) x dim: 65534 buckets of 256 fill it
-- exactly; 65535 do not fit, though 65535 x 256 is below the limit, and the
-- detail says which product counts.
SELECT pg_temp.try($$SELECT intent_training_options('{"subword_vectors": {"dim": 256, "buckets": 65534}}')$$) AS table_full;
DO $$
DECLARE d text;
BEGIN
    PERFORM intent_training_options('{"subword_vectors": {"dim": 256, "buckets": 65535}}');
EXCEPTION WHEN OTHERS THEN
    GET STACKED DIAGNOSTICS d = PG_EXCEPTION_DETAIL;
    RAISE WARNING '%: %', SQLSTATE, d;
END $$;
-- In Spanish too.
SET pg_intent.language = 'es';
SELECT pg_temp.try($$SELECT train_intent_model('bad', 'full', '{"subword_vectors": {"weight": 0}}')$$) AS weight_zero_es;
RESET pg_intent.language;
