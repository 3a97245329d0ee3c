-- C entry points (src/pg/). Every one runs through the C++ exception guard.

-- The result is the named row type intent_prediction
-- (src/sql/schema/40_intent_prediction.sql says why not OUT parameters).
CREATE OR REPLACE FUNCTION @extschema@.predict_intent(p_message text)
RETURNS @extschema@.intent_prediction
AS 'MODULE_PATHNAME', 'pg_intent_predict_active'
LANGUAGE C STABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.predict_intent(text) IS
    'Classifies a message with the active model: intent, calibrated confidence (0-1), top-k intents, whether it is below the abstain threshold, and the model id.';

CREATE OR REPLACE FUNCTION @extschema@.predict_intent(p_message text, p_model_id bigint)
RETURNS @extschema@.intent_prediction
AS 'MODULE_PATHNAME', 'pg_intent_predict_model'
LANGUAGE C STABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.predict_intent(text, bigint) IS
    'Classifies a message with the given model (active or not), for A/B checks and audits.';

CREATE OR REPLACE FUNCTION @extschema@.classify_intent(p_message text)
RETURNS text
AS 'MODULE_PATHNAME', 'pg_intent_classify'
LANGUAGE C STABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.classify_intent(text) IS
    'Fast label-only classification with the active model; returns ''uncertain'' below the model''s abstain threshold.';

CREATE OR REPLACE FUNCTION @extschema@.intent_model_info(p_model bytea)
RETURNS jsonb
AS 'MODULE_PATHNAME', 'pg_intent_model_info'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.intent_model_info(bytea) IS
    'Validates a serialized model and describes it: format version, algorithm, intents, feature counts, threshold and training options. Raises XX001 for bytes that fail validation, and 54000 for a model that would hold more memory once loaded than pg_intent.max_model_memory (estimated before it is loaded).';

CREATE OR REPLACE FUNCTION @extschema@.pg_intent_loaded()
RETURNS boolean
AS 'MODULE_PATHNAME', 'pg_intent_loaded'
LANGUAGE C STABLE PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.pg_intent_loaded() IS
    'Loads the pg_intent library in this session (defining the pg_intent.* settings) and returns true.';

CREATE OR REPLACE FUNCTION @extschema@.intent_training_options(p_options jsonb DEFAULT '{}')
RETURNS jsonb
AS 'MODULE_PATHNAME', 'pg_intent_training_options'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.intent_training_options(jsonb) IS
    'Validates train_intent_model() options (raising 22023 naming a bad key) and returns every option with its effective value: the model''s (algorithm, C, n-grams, evaluation, threshold_floor, ...) and the run''s (deploy, min_confidence, only_reviewed, limit).';

CREATE OR REPLACE FUNCTION @extschema@.explain_intent(
    p_message text, p_top integer DEFAULT 5, p_intent text DEFAULT NULL, p_model_id bigint DEFAULT NULL)
RETURNS jsonb
AS 'MODULE_PATHNAME', 'pg_intent_explain'
LANGUAGE C STABLE PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.explain_intent(text, integer, text, bigint) IS
    'Explains a prediction: the word and character n-grams of the message with their contribution to the decision score of the predicted intent (or p_intent), the p_top largest listed and the others summed in other_terms; bias + contributions + other_terms = score; uncertain and uncertain_reason (no_evidence, no_support, unknown_words, unknown_label_words, below_threshold, out_of_scope, or null) say whether and why predict_intent() withholds the answer, with the threshold, evidence and evidence_floor, support and support_floor, unknown_word_share and unknown_word_limit, label_unknown_word_share and label_unknown_word_limit it was held to. Uses the active model, or p_model_id. Needs the rows the model is made of (0.3.2): SELECT on ai_training_data with no row-level security policy applying to the role (42501 otherwise), as for explain_label(''intent'', ...).';
