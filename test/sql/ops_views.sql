-- Dashboard views: review queue, errors, per-intent performance, run history, live metrics.
SET client_min_messages = warning;
SET pg_intent.allow_drop_with_data = on; -- the previous test's rows go (src/pg/drop_guard.cpp)
DROP EXTENSION IF EXISTS pg_intent CASCADE;
CREATE EXTENSION pg_intent;

-- Every view is documented.
SELECT c.relname, obj_description(c.oid, 'pg_class') IS NOT NULL AS has_comment
FROM pg_class c
JOIN pg_depend d ON d.classid = 'pg_class'::regclass AND d.objid = c.oid AND d.deptype = 'e'
JOIN pg_extension e ON e.oid = d.refobjid AND e.extname = 'pg_intent'
WHERE c.relkind = 'v'
ORDER BY 1;

INSERT INTO ai_training_data (user_message, detected_intent, correct_intent, confidence_score,
                              escalated, intent_correct, corrected_by_human, dataset_status,
                              corrected_at, created_at)
VALUES ('quiero devolver unos zapatos', 'return_process', NULL, 95, false, true, false, 'reviewed', NULL, now() - interval '1 hour'),
       ('como devuelvo la camiseta', 'return_process', NULL, 85, false, true, false, 'reviewed', NULL, now() - interval '2 hours'),
       ('mi paquete no llega', 'return_process', 'shipping_problem', 55, false, false, true, 'reviewed', now() - interval '10 minutes', now() - interval '3 hours'),
       ('donde esta mi envio', 'return_process', 'shipping_problem', 45, true, false, true, 'reviewed', now() - interval '5 minutes', now() - interval '4 hours'),
       ('el pedido llego roto', 'shipping_problem', NULL, 70, false, true, false, 'reviewed', NULL, now() - interval '5 hours'),
       ('hola', 'greeting', NULL, 20, false, NULL, false, 'pending', NULL, now() - interval '6 hours'),
       ('cuanto cuesta el envio', 'shipping_problem', NULL, 35, false, NULL, false, 'pending', NULL, now() - interval '7 hours'),
       ('asdf', 'greeting', NULL, 10, false, NULL, false, 'rejected', NULL, now() - interval '8 hours'),
       ('sin intent', NULL, NULL, NULL, false, NULL, false, 'pending', NULL, now() - interval '30 hours'),
       ('pago rechazado', 'payment_issue', NULL, 65, false, NULL, false, 'pending', NULL, now() - interval '2 days');

-- Review queue: unreviewed, not rejected, lowest confidence first (NULL first).
SELECT user_message, detected_intent, confidence_score FROM ai_pending_review;

-- Errors tab: wrong detections, most recently corrected first.
SELECT user_message, detected_intent, correct_intent, confidence_score FROM ai_classification_errors;

-- Per intent, without a model: samples use the correction when there is one.
-- return_process: 4 predictions, 4 reviewed, 2 right, avg confidence (95+85+55+45)/4 = 70.
SELECT intent, samples, predictions, reviewed, correct, live_accuracy, avg_confidence,
       model_id IS NULL AS no_model, model_f1
FROM ai_intent_performance;

-- With an active model, its test precision, recall and F1 per intent appear.
INSERT INTO ai_intent_models (version, algorithm, model, size_bytes, sha256, intents, metrics, is_active)
VALUES ('v_views', 'linear_svm', '\x00'::bytea, 1, 'x', '{return_process,shipping_problem,greeting,order_status}',
        '{"f1": 0.8, "per_intent": {"return_process": {"precision": 0.9, "recall": 0.8, "f1": 0.847, "support": 10},
          "shipping_problem": {"precision": 0.7, "recall": 0.75, "f1": 0.724, "support": 8},
          "greeting": {"precision": 1, "recall": 1, "f1": 1, "support": 3},
          "order_status": {"precision": 0.5, "recall": 0.5, "f1": 0.5, "support": 2}}}', true);
SELECT intent, samples, predictions, live_accuracy, model_precision, model_recall, model_f1, model_test_support
FROM ai_intent_performance;

-- Run history, newest first, with the F1 change and the model version.
INSERT INTO ai_training_runs (run_name, status, started_at, finished_at, training_samples, test_samples,
                              total_intents, intent_accuracy, intent_f1_score, baseline_f1_score,
                              model_id, deployed, deploy_reason)
VALUES ('first', 'completed', now() - interval '2 days', now() - interval '2 days', 70, 15, 4, 0.8, 0.75, NULL,
        NULL, true, 'first'),
       ('second', 'completed', now() - interval '1 day', now() - interval '1 day', 80, 17, 4, 0.85, 0.8, 0.75,
        (SELECT id FROM ai_intent_models WHERE version = 'v_views'), true, 'improved'),
       ('broken', 'failed', now() - interval '1 hour', now() - interval '1 hour', NULL, NULL, NULL, NULL, NULL, NULL,
        NULL, false, NULL);
UPDATE ai_training_runs SET error = 'not enough training data' WHERE run_name = 'broken';
SELECT run_name, status, error, training_samples, intent_f1_score, baseline_f1_score,
       round(f1_improvement::numeric, 3) AS f1_improvement, model_version, deployed, deploy_reason, model_is_active
FROM ai_training_run_history;

-- Live metrics: the last 24 hours (8 rows; the 30-hour and 2-day rows are out).
-- Escalated 1 of 8 = 12.50 %; confidence (95+85+55+45+70+20+35+10)/8 = 51.88;
-- reviewed 5, right 3 = 60 %; 2 wrong of 8 = 25 %; corrected 2 of 8 = 25 %.
SELECT window_end - window_start AS window, total_messages, ai_resolved, escalated, escalation_rate,
       avg_confidence, reviewed_messages, intent_accuracy, misclassified, misclassification_rate,
       correction_rate, top_intents, top_misclassified
FROM ai_live_metrics;

-- The same rates as fractions 0-1, each the percentage / 100 (docs/dashboards.md).
SELECT escalation_rate_fraction, avg_confidence_fraction, intent_accuracy_fraction,
       misclassification_rate_fraction, correction_rate_fraction,
       escalation_rate_fraction = escalation_rate / 100
       AND avg_confidence_fraction = avg_confidence / 100
       AND intent_accuracy_fraction = intent_accuracy / 100
       AND misclassification_rate_fraction = misclassification_rate / 100
       AND correction_rate_fraction = correction_rate / 100 AS agrees
FROM ai_live_metrics;
-- ... and those of ai_intent_performance on model_f1's scale (NULL where
-- the percentage is: no reviewed or no predicted row).
SELECT intent, live_accuracy, live_accuracy_fraction, avg_confidence, avg_confidence_fraction, model_f1,
       live_accuracy_fraction IS NOT DISTINCT FROM live_accuracy / 100
       AND avg_confidence_fraction IS NOT DISTINCT FROM avg_confidence / 100 AS agrees
FROM ai_intent_performance;
