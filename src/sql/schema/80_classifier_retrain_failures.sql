-- New in 0.3.2 (also created by the upgrade, which includes this file).

-- -------------------------------------------------------------------------
-- ai_classifier_retrain_failures: each classifier's retraining back-off
-- -------------------------------------------------------------------------
-- The one back-off of every classifier (issue 33, point 1):
-- retrain_classifiers() records here the last scheduled attempt of a
-- classifier that failed (a failed run, or an error it reported for the
-- classifier), and retrain_if_needed() intent's (a failed run; an
-- interrupted attempt or a raised failure through its mark, schema/83),
-- both through _pg_intent_classifier_retrain_record(); both back off from
-- it, read by _pg_intent_retrain_failure_of() (46_classifier_retraining.sql):
-- without it every scheduler tick trained the same failing classifier
-- again. A completed attempt removes the row. By name, as the classifier's
-- runs are; no reference to ai_classifiers, so that dropping a classifier
-- does not depend on it (a row left by a dropped classifier is removed by
-- its next successful attempt, or with the classifier's name reused).
CREATE TABLE @extschema@.ai_classifier_retrain_failures (
    classifier   text        PRIMARY KEY,
    failed_at    timestamptz NOT NULL,
    rows_counted bigint,
    sqlstate     text,
    error        text
);
COMMENT ON TABLE @extschema@.ai_classifier_retrain_failures IS
    'Internal: per classifier, intent included, the last failed scheduled attempt (of retrain_classifiers(), or retrain_if_needed() for intent: a failed run, an error reported for it, or an interrupted attempt), from which scheduled retraining backs off; removed by a completed attempt.';
COMMENT ON COLUMN @extschema@.ai_classifier_retrain_failures.failed_at IS
    'When the failed attempt started.';
COMMENT ON COLUMN @extschema@.ai_classifier_retrain_failures.rows_counted IS
    'The count of the classifier''s retraining statement at that attempt (_pg_intent_classifier_count_plan()); the back-off ends once auto_retrain_threshold rows more are counted. NULL for an interrupted attempt (only retry_failed_after ends it), and for intent, whose rows added or changed since failed_at are counted instead.';
SELECT pg_catalog.pg_extension_config_dump('@extschema@.ai_classifier_retrain_failures', '');
