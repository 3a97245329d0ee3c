-- Dashboard views (operations).

------------------------------------------------------------------------------
-- Dashboard views
------------------------------------------------------------------------------
-- Every view of the extension is security_invoker: a reader needs SELECT on
-- the tables behind it, not only on the view, and row-level security
-- policies apply to the reader (a plain view would read as its owner).

CREATE OR REPLACE VIEW @extschema@.ai_pending_review WITH (security_invoker = true) AS
SELECT d.id, d.user_message, d.detected_intent, d.confidence_score, d.ai_response,
       d.response_source, d.escalated, d.category, d.source, d.conversation_id,
       d.model_id, d.created_at
FROM @extschema@.ai_training_data d
-- Awaiting review: not reviewed (the generated is_reviewed, the one rule of
-- what a person vouched for) and not rejected; ai_review_queue reads the
-- same two columns (test/sql/review_queue.sql checks both list the same rows).
WHERE NOT d.is_reviewed
  AND d.dataset_status <> 'rejected'
ORDER BY d.confidence_score ASC NULLS FIRST, d.created_at, d.id;
COMMENT ON VIEW @extschema@.ai_pending_review IS
    'The review queue: rows nobody has reviewed yet (intent_correct NULL, not corrected, not reviewed, approved or rejected), lowest confidence first. ai_review_queue ranks the same rows by the value of a review.';

CREATE OR REPLACE VIEW @extschema@.ai_classification_errors WITH (security_invoker = true) AS
SELECT d.id, d.user_message, d.detected_intent, d.correct_intent, d.confidence_score,
       d.ai_response, d.correct_response, d.corrected_by, d.corrected_at, d.model_id,
       d.created_at
FROM @extschema@.ai_training_data d
WHERE d.intent_correct = false
ORDER BY d.corrected_at DESC NULLS LAST, d.created_at DESC, d.id;
COMMENT ON VIEW @extschema@.ai_classification_errors IS
    'Reviewed rows whose detected intent was wrong (intent_correct = false), most recently corrected first.';

CREATE OR REPLACE VIEW @extschema@.ai_intent_performance WITH (security_invoker = true) AS
WITH active AS (
    SELECT m.id, m.intents,
           coalesce(m.metrics -> 'per_intent', m.metrics -> 'metrics' -> 'per_intent') AS per_intent
    FROM @extschema@.ai_intent_models m
    WHERE m.is_active AND m.classifier = 'intent'
    LIMIT 1
), names AS (
    -- Intents only: names is_valid_intent_name() refuses (rows logged
    -- before 0.2.1's constraints) are no intent, and a 300-byte "intent"
    -- anyone could log must not reach the dashboard.
    SELECT d.detected_intent AS intent FROM @extschema@.ai_training_data d
    WHERE @extschema@.is_valid_intent_name(d.detected_intent)
    UNION
    SELECT d.training_label FROM @extschema@.ai_training_data d
    WHERE d.training_label IS NOT NULL
    UNION
    SELECT pg_catalog.unnest(a.intents) FROM active a
), labelled AS (
    -- the rows training reads (training_label), as get_training_dataset()
    SELECT d.training_label AS intent, count(*) AS samples
    FROM @extschema@.ai_training_data d
    WHERE d.training_label IS NOT NULL
    GROUP BY 1
), detected AS (
    SELECT d.detected_intent AS intent,
           count(*) AS predictions,
           count(*) FILTER (WHERE d.intent_correct IS NOT NULL) AS reviewed,
           count(*) FILTER (WHERE d.intent_correct) AS correct,
           avg(d.confidence_score) AS avg_confidence
    FROM @extschema@.ai_training_data d
    WHERE @extschema@.is_valid_intent_name(d.detected_intent)
    GROUP BY 1
)
SELECT n.intent,
       coalesce(l.samples, 0) AS samples,
       coalesce(dt.predictions, 0) AS predictions,
       coalesce(dt.reviewed, 0) AS reviewed,
       coalesce(dt.correct, 0) AS correct,
       CASE WHEN dt.reviewed > 0 THEN round(100.0 * dt.correct::numeric / dt.reviewed::numeric, 2) END AS live_accuracy,
       round(dt.avg_confidence, 2) AS avg_confidence,
       a.id AS model_id,
       (a.per_intent -> n.intent ->> 'precision')::float8 AS model_precision,
       (a.per_intent -> n.intent ->> 'recall')::float8 AS model_recall,
       (a.per_intent -> n.intent ->> 'f1')::float8 AS model_f1,
       (a.per_intent -> n.intent ->> 'support')::integer AS model_test_support,
       -- live_accuracy and avg_confidence on model_f1's scale (0-1); the two
       -- columns above keep their 0-100 (a contract; new columns can only
       -- come last, or the view would be dropped and lose its grants).
       CASE WHEN dt.reviewed > 0 THEN round(dt.correct::numeric / dt.reviewed::numeric, 4) END AS live_accuracy_fraction,
       round(dt.avg_confidence / 100, 4) AS avg_confidence_fraction
FROM names n
LEFT JOIN labelled l ON l.intent = n.intent
LEFT JOIN detected dt ON dt.intent = n.intent
LEFT JOIN active a ON true
ORDER BY n.intent;
COMMENT ON VIEW @extschema@.ai_intent_performance IS
    'One row per intent (names is_valid_intent_name() accepts): training samples (rows whose training_label it is: what training and get_training_dataset() read, before a run''s window and class bounds), live predictions, reviewed and correct rows, live_accuracy and avg_confidence in percent 0-100 (kept for compatibility), the active model''s test precision, recall and F1 (fractions 0-1) and support for that intent, and live_accuracy_fraction and avg_confidence_fraction: the first two as fractions 0-1. Scales: docs/dashboards.md.';

CREATE OR REPLACE VIEW @extschema@.ai_training_run_history WITH (security_invoker = true) AS
SELECT r.id AS run_id, r.run_name, r.run_type, r.status, r.error,
       r.started_at, r.finished_at, r.duration_seconds,
       r.training_samples, r.validation_samples, r.test_samples, r.total_intents,
       r.intent_accuracy, r.intent_precision, r.intent_recall, r.intent_f1_score,
       r.baseline_intent_accuracy, r.baseline_f1_score,
       r.intent_f1_score - r.baseline_f1_score AS f1_improvement,
       r.model_id, m.version AS model_version, r.deployed, r.deploy_reason,
       coalesce(m.is_active, false) AS model_is_active,
       r.classifier,
       r.partition_key
FROM @extschema@.ai_training_runs r
LEFT JOIN @extschema@.ai_intent_models m ON m.id = r.model_id
ORDER BY r.started_at DESC, r.id;
COMMENT ON VIEW @extschema@.ai_training_run_history IS
    'Training runs of every classifier, newest first, with sizes, headline test metrics against the baseline (the model active at the time), the F1 change, the deploy decision, and the classifier and partition (intent: the built-in classifier).';

CREATE OR REPLACE VIEW @extschema@.ai_live_metrics WITH (security_invoker = true) AS
SELECT (m ->> 'window_start')::timestamptz AS window_start,
       (m ->> 'window_end')::timestamptz AS window_end,
       (m ->> 'total_messages')::bigint AS total_messages,
       (m ->> 'ai_resolved')::bigint AS ai_resolved,
       (m ->> 'escalated')::bigint AS escalated,
       (m ->> 'escalation_rate')::numeric AS escalation_rate,
       (m ->> 'avg_confidence')::numeric AS avg_confidence,
       (m ->> 'reviewed_messages')::bigint AS reviewed_messages,
       (m ->> 'intent_accuracy')::numeric AS intent_accuracy,
       (m ->> 'misclassified')::bigint AS misclassified,
       (m ->> 'misclassification_rate')::numeric AS misclassification_rate,
       (m ->> 'correction_rate')::numeric AS correction_rate,
       m -> 'top_intents' AS top_intents,
       m -> 'top_misclassified' AS top_misclassified,
       -- The rates above as fractions 0-1 (docs/dashboards.md); last, so
       -- CREATE OR REPLACE VIEW keeps the view and its grants.
       (m ->> 'escalation_rate_fraction')::numeric AS escalation_rate_fraction,
       (m ->> 'avg_confidence_fraction')::numeric AS avg_confidence_fraction,
       (m ->> 'intent_accuracy_fraction')::numeric AS intent_accuracy_fraction,
       (m ->> 'misclassification_rate_fraction')::numeric AS misclassification_rate_fraction,
       (m ->> 'correction_rate_fraction')::numeric AS correction_rate_fraction
FROM intent_internal._pg_intent_window_metrics(now() - interval '24 hours', now()) AS m;
COMMENT ON VIEW @extschema@.ai_live_metrics IS
    'One row: the dashboard metrics of the last 24 hours, as get_ai_training_metrics(): rates and avg_confidence in percent 0-100 (kept for compatibility) and the same as fractions 0-1 in the *_fraction columns; NULL when there is nothing to divide by. Scales: docs/dashboards.md.';
