-- Evaluating a model on any labelled data the caller may read.

-- The C function runs the caller's query with the caller's rights (it is
-- SECURITY INVOKER and never switches user: the query is parsed under the
-- caller's search_path, and table privileges and row-level security apply
-- as if the caller had run it), through a cursor in batches, read-only. It
-- predicts with the active model, or with a given one the caller may see
-- (as predict_intent(text, bigint)); a partition's own model also needs
-- evaluate_label()'s partition rule, the classifier's train right
-- (src/pg/evaluate.cpp, ModelUse::Evaluate). VOLATILE: the result depends on an
-- arbitrary query, which may read volatile functions or data, so two calls
-- with the same arguments in one statement need not agree, and the planner
-- must neither fold nor reuse a call. PARALLEL UNSAFE: it opens a cursor and
-- runs the caller's SQL, which may itself be parallel unsafe.
CREATE OR REPLACE FUNCTION @extschema@.evaluate_intent_model(p_model_id bigint, p_query text)
RETURNS jsonb
AS 'MODULE_PATHNAME', 'pg_intent_evaluate_model'
LANGUAGE C VOLATILE PARALLEL UNSAFE;
COMMENT ON FUNCTION @extschema@.evaluate_intent_model(bigint, text) IS
    'Scores a model (NULL: the active one) on the rows of p_query, run with the caller''s rights and read-only: two text columns, the message then the expected intent. Returns the metrics object of a training report (rows, accuracy, macro and per-intent precision/recall/F1, confusion {labels, matrix}, or {labels, cells} of [truth, predicted, count] beyond 300 intents, misclassified rows by position, calibration {ece, brier}) plus threshold, abstained, coverage, accepted_accuracy, out-of-scope rows and recall, query_rows and skipped (NULL message or NULL/empty intent). NULL query: 22004; not a read-only query: 22023; not two text columns: 42804; no labelled row: 22023; unknown model: P0002; a named classifier''s model without its predict access, or a partition''s own model without the classifier''s train right (evaluate_label()''s partition rule): 42501; the query switching role (SET ROLE, set_config(''role'', ...)): 42501; the query writing (a function it calls): 25006.';

-- The classifier form (0.3.2; issue 34, point 5): evaluate_intent_model()
-- for the model predict_label(p_name, ..., p_partition) answers with, the
-- same implementation (src/pg/evaluate.cpp) and result, plus classifier and
-- model_partition. No model id to look up first. Who may call it follows
-- the classifier's grants: its predict access, checked inside as
-- predict_label() checks it (what an evaluation shows is that model's
-- answers on rows the caller chose). The query runs as the caller, as
-- evaluate_intent_model()'s, so, like it, it is not open to PUBLIC (any
-- read-only SQL, pg_sleep() included, would be anon's over /rpc): granted
-- with the classifiers set (src/sql/90_privileges.sql), to the roles that
-- register classifiers. With p_partition, explain_label()'s partition rule
-- (the classifier's train right, checked in src/pg/evaluate.cpp): the
-- result lists every label and threshold of that tenant's model. Not STRICT: p_partition defaults to NULL (the
-- fallback or unpartitioned model); NULL p_name or p_query raise 22004.
CREATE OR REPLACE FUNCTION @extschema@.evaluate_label(p_name text, p_query text, p_partition text DEFAULT NULL)
RETURNS jsonb
AS 'MODULE_PATHNAME', 'pg_intent_evaluate_label'
LANGUAGE C VOLATILE PARALLEL UNSAFE;
COMMENT ON FUNCTION @extschema@.evaluate_label(text, text, text) IS
    'evaluate_intent_model() for the named classifier: scores the model predict_label(p_name, text, p_partition) uses (p_partition''s own, else the fallback) on the rows of p_query, run with the caller''s rights and read-only (two text columns: the text, then the expected label). Returns evaluate_intent_model()''s metrics object plus classifier and model_partition (NULL: the fallback or unpartitioned model answered). Needs the classifier''s predict access (42501) and EXECUTE (the classifiers set); with p_partition, access to that partition as well (42501, also where neither model is deployed): the classifier''s train right, as explain_label(), since the result lists every label of the partition''s model. NULL p_name or p_query: 22004; unknown classifier: 42704; no active model: 55000; p_partition of a classifier without partitions or too long: 22023; not a read-only query: 22023; not two text columns: 42804; no labelled row: 22023; the query switching role: 42501; the query writing: 25006.';
