-- Alerts on the dashboard metrics (operations).

CREATE OR REPLACE VIEW @extschema@.ai_metric_alerts WITH (security_invoker = true) AS
WITH live AS (
    SELECT * FROM @extschema@.ai_live_metrics
), settings AS (
    -- the training policy (ai_training_policy), not a session setting
    SELECT p.min_samples_for_training::numeric AS min_samples, p.only_reviewed, p.max_training_rows
      FROM intent_internal._pg_intent_policy() AS p
), checks (metric, value, threshold, comparison, samples) AS (
    -- A live metric alerts only when it rests on the policy's
    -- min_alert_samples rows (reviewed rows for the accuracy, messages for
    -- the rest): two reviewed rows, one wrong, are no critical 50 %
    -- accuracy. The model's F1 and the sample count have no such sample.
    SELECT 'intent_accuracy', l.intent_accuracy, 70::numeric, '<', l.reviewed_messages FROM live l
    UNION ALL
    SELECT 'escalation_rate', l.escalation_rate, 30, '>', l.total_messages FROM live l
    UNION ALL
    SELECT 'avg_confidence', l.avg_confidence, 60, '<', l.total_messages FROM live l
    UNION ALL
    SELECT 'model_f1', round((intent_internal._pg_intent_active_model_json() ->> 'f1')::numeric, 4), 0.70, '<', NULL::bigint
    UNION ALL
    SELECT 'training_samples',
           -- should_retrain()'s count: the rows a scheduled run would read
           least(intent_internal._pg_intent_usable_samples(s.only_reviewed), s.max_training_rows)::numeric,
           s.min_samples, '<', NULL
    FROM settings s
    UNION ALL
    SELECT 'misclassification_rate', l.misclassification_rate, 15, '>', l.total_messages FROM live l
)
SELECT c.metric, c.value, c.threshold, c.comparison, 'critical'::text AS severity,
       -- worded for people in intent_output_language(): one text per metric
       -- (alert_<metric>: its name in words, its unit, the side of the
       -- threshold), the numbers written as that language writes them
       pg_catalog.format(@extschema@.intent_output_text('alert_' OPERATOR(pg_catalog.||) c.metric, l.language),
                         @extschema@.intent_output_number(c.value::numeric, l.language),
                         @extschema@.intent_output_number(c.threshold::numeric, l.language)) AS message
FROM checks c, (SELECT @extschema@.intent_output_language() AS language) AS l
WHERE c.value IS NOT NULL
  AND (c.samples IS NULL OR c.samples >= (intent_internal._pg_intent_ops_policy()).min_alert_samples)
  AND CASE c.comparison WHEN '<' THEN c.value < c.threshold ELSE c.value > c.threshold END
ORDER BY c.metric;
COMMENT ON VIEW @extschema@.ai_metric_alerts IS
    'One row per metric breaching its critical threshold: intent_accuracy < 70 %, escalation_rate > 30 %, avg_confidence < 60, misclassification_rate (wrong reviewed rows / all rows) > 15 % (these over the last 24 hours), active model F1 < 0.70, training samples (should_retrain()''s count: the rows a scheduled run reads) < ai_training_policy.min_samples_for_training (default 20). Metrics without data raise no alert, nor do live metrics resting on fewer than ai_training_policy.min_alert_samples rows (reviewed rows for intent_accuracy, messages for the others; default 20).';

