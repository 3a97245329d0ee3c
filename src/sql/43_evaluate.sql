-- Evaluating a model on any labelled data the caller may read.

-- The C function runs the caller's query with the caller's rights (it is
-- SECURITY INVOKER and never switches user: the query is parsed under the
-- caller's search_path, and table privileges and row-level security apply
-- as if the caller had run it), through a cursor in batches, read-only. It
-- predicts with the active model, or with a given one the caller may see
-- (as predict_intent(text, bigint)). VOLATILE: the result depends on an
-- arbitrary query, which may read volatile functions or data, so two calls
-- with the same arguments in one statement need not agree, and the planner
-- must neither fold nor reuse a call. PARALLEL UNSAFE: it opens a cursor and
-- runs the caller's SQL, which may itself be parallel unsafe.
CREATE OR REPLACE FUNCTION @extschema@.evaluate_intent_model(p_model_id bigint, p_query text)
RETURNS jsonb
AS 'MODULE_PATHNAME', 'pg_intent_evaluate_model'
LANGUAGE C VOLATILE PARALLEL UNSAFE;
COMMENT ON FUNCTION @extschema@.evaluate_intent_model(bigint, text) IS
    'Scores a model (NULL: the active one) on the rows of p_query, run with the caller''s rights and read-only: two text columns, the message then the expected intent. Returns the metrics object of a training report (rows, accuracy, macro and per-intent precision/recall/F1, confusion {labels, matrix}, or {labels, cells} of [truth, predicted, count] beyond 300 intents, misclassified rows by position, calibration {ece, brier}) plus threshold, abstained, coverage, accepted_accuracy, out-of-scope rows and recall, query_rows and skipped (NULL message or NULL/empty intent). NULL query: 22004; not a read-only query: 22023; not two text columns: 42804; no labelled row: 22023; unknown model: P0002.';
