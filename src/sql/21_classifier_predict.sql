-- Prediction with a named classifier (0.3.0): C entry points in
-- src/pg/predict_label.cpp, the classifier, privilege and model cache in
-- src/pg/classifier_cache.cpp. Open to PUBLIC: whether the caller may
-- predict with a classifier is checked inside, by
-- _pg_intent_classifier_allows() (src/sql/44_classifier_rights.sql).
--
-- Neither is STRICT: with STRICT, a call with two arguments (p_partition
-- taking its default NULL) would always return NULL. Both return NULL for
-- a NULL p_name or p_text, as STRICT would; a NULL p_partition means the
-- fallback (or unpartitioned) model.

CREATE OR REPLACE FUNCTION @extschema@.predict_label(p_name text, p_text text, p_partition text DEFAULT NULL)
RETURNS @extschema@.label_prediction
AS 'MODULE_PATHNAME', 'pg_intent_predict_label'
LANGUAGE C STABLE PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.predict_label(text, text, text) IS
    'Classifies a text with the classifier p_name''s deployed model: label, calibrated confidence (0-1), top labels, whether it is below the abstain threshold, the model id, and the partition whose model answered (p_partition''s own model, else the shared fallback: NULL). Needs the classifier''s predict access (42501); NULL for a NULL p_name or p_text.';

CREATE OR REPLACE FUNCTION @extschema@.classify_label(p_name text, p_text text, p_partition text DEFAULT NULL)
RETURNS text
AS 'MODULE_PATHNAME', 'pg_intent_classify_label'
LANGUAGE C STABLE PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.classify_label(text, text, text) IS
    'The label the classifier p_name''s deployed model gives a text (p_partition''s model, else the fallback), or NULL when the model abstains (confidence below its threshold). Not STRICT, so that p_partition may default to NULL (the fallback or unpartitioned model); NULL for a NULL p_name or p_text.';

-- A partition value's bound (src/pg/partition_key.h) for the SQL functions
-- that take a p_partition (rollback_classifier(), through
-- _pg_intent_rollback_classifier(), and get_classifier_review_queue()): the
-- check predict_label(), classify_label(), explain_label() and
-- evaluate_label() make, with its error, not a copy of it.
CREATE OR REPLACE FUNCTION intent_internal._pg_intent_check_partition_key(p_partition text)
RETURNS void
AS 'MODULE_PATHNAME', 'pg_intent_check_partition_key'
LANGUAGE C STABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION intent_internal._pg_intent_check_partition_key(text) IS
    'Internal: raises 22023 when p_partition is longer than a partition value may be (2048 bytes in the server encoding), as predict_label() does; nothing for NULL or a shorter value.';

-- Why the classifier's model answers as it does (0.3.1): explain_intent()
-- for the model predict_label() would use. Not open to PUBLIC, for
-- explain_intent()'s reason (src/sql/90_privileges.sql): granted with the
-- explain set, and the classifier's predict access is checked inside.
--
-- Explaining with p_partition needs access to that partition (issue 31,
-- item 9): a model's vocabulary is made of its training texts' n-grams, so
-- explaining tenant b's model shows strings of b's rows. Access to a
-- partition is the classifier's train right (the owner and its members,
-- superusers, train grantees), which reads every row of the source by
-- training. A check that the caller can read a row of that partition itself
-- would run the source's row-level security policies with the caller's
-- rights, which the owner-code rule of 0.3.2 forbids (a policy is code its
-- table's owner chose); so a tenant explains the fallback, not a partition.
CREATE OR REPLACE FUNCTION intent_internal._pg_intent_classifier_partition_check(p_name text, p_caller oid)
RETURNS boolean
LANGUAGE sql STABLE PARALLEL SAFE SECURITY DEFINER
SET search_path = pg_catalog, pg_temp SET row_security = off
AS $$
    SELECT coalesce((SELECT c.partition_column IS NOT NULL
                       FROM @extschema@.ai_classifiers AS c WHERE c.name OPERATOR(pg_catalog.=) p_name), false)
           AND coalesce(intent_internal._pg_intent_classifier_allows(p_name, p_caller, 'train'), false)
$$;
COMMENT ON FUNCTION intent_internal._pg_intent_classifier_partition_check(text, oid) IS
    'Internal: for explain_label() with p_partition: whether the role may explain that partition''s model (the classifier''s train right).';

CREATE OR REPLACE FUNCTION @extschema@.explain_label(
    p_name text, p_text text, p_partition text DEFAULT NULL, p_top integer DEFAULT 5, p_label text DEFAULT NULL)
RETURNS jsonb
AS 'MODULE_PATHNAME', 'pg_intent_explain_label'
LANGUAGE C STABLE PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.explain_label(text, text, text, integer, text) IS
    'Explains predict_label(p_name, p_text, p_partition): the word and character n-grams of the text with their contribution to the decision score of the predicted label (or p_label), the p_top largest listed (0-1000) and the others summed in other_terms; bias + contributions + other_terms = score; uncertain and uncertain_reason (no_evidence, no_support, unknown_words, unknown_label_words, below_threshold, out_of_scope, or null) say whether and why predict_label() withholds the answer, with the threshold, evidence and evidence_floor, support and support_floor, unknown_word_share and unknown_word_limit, label_unknown_word_share and label_unknown_word_limit it was held to; model_id and model_partition say which model answered. Needs the classifier''s predict access (42501) and the explain set (grant_intent_access(role, ''explain'')); with p_partition, access to that partition as well (42501): the classifier''s train right (a partition''s own model is learnt from that tenant''s rows alone); the built-in classifier intent, whose model is made of every row of ai_training_data, only to a role that reads every row of that table (SELECT, no row-level security policy applying to it; 42501, 0.3.2); unknown classifier 42704, no deployed model 55000 (42501 instead with a p_partition the role has no access to: neither model deployed is news of that partition too), a label the model does not have 22023; NULL for a NULL p_name or p_text.';

-- Internal: what this session's store of models holds and did.
CREATE OR REPLACE FUNCTION intent_internal._pg_intent_model_cache_stats(
    OUT models bigint, OUT bytes bigint, OUT hits bigint, OUT misses bigint, OUT evictions bigint)
AS 'MODULE_PATHNAME', 'pg_intent_model_cache_stats'
LANGUAGE C VOLATILE PARALLEL RESTRICTED;
COMMENT ON FUNCTION intent_internal._pg_intent_model_cache_stats() IS
    'Internal: this session''s store of deserialised models, of every classifier (predict_intent(), predict_label(), classify_label(), ...): models kept, their bytes (the budget is pg_intent.model_cache_size), hits, misses (loads) and evictions.';
