-- New in 0.3.2 (also created by the upgrade, which includes this file).

-- -------------------------------------------------------------------------
-- ai_classifier_retrain_failures: each classifier's retraining back-off
-- -------------------------------------------------------------------------
-- retrain_classifiers() records here the last scheduled attempt of a
-- classifier that failed (a failed run, or an error it reported for the
-- classifier), and backs off from it as retrain_if_needed() does for intent
-- (_pg_intent_classifier_retrain_due(), 46_classifier_retraining.sql):
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
    'Internal: per classifier, the last failed attempt of retrain_classifiers() (a failed run, or an error reported for it), from which scheduled retraining backs off; removed by a completed attempt.';
COMMENT ON COLUMN @extschema@.ai_classifier_retrain_failures.failed_at IS
    'When the failed attempt started.';
COMMENT ON COLUMN @extschema@.ai_classifier_retrain_failures.rows_counted IS
    'The count of the classifier''s retraining statement at that attempt (_pg_intent_classifier_count_plan()); the back-off ends once auto_retrain_threshold rows more are counted.';
SELECT pg_catalog.pg_extension_config_dump('@extschema@.ai_classifier_retrain_failures', '');
