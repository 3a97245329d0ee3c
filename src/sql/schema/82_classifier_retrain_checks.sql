-- New in 0.3.2 (also created by the upgrade, which includes this file).

-- -------------------------------------------------------------------------
-- ai_classifier_retrain_checks: each classifier's latest scheduled count
-- -------------------------------------------------------------------------
-- Issue 33 point 1 / issue 34 ("the first month"): a classifier whose
-- source holds fewer rows than its policy's min_samples_for_training is
-- never trained by retrain_classifiers(), so it has no run, and
-- ai_classifier_alerts, which reads recorded state only (never a source),
-- had no count to raise training_samples from: the small shop's dashboard
-- was silent exactly when intent's warned. So retrain_classifiers(), which
-- counts the source as the classifier's owner anyway, records here the
-- count its rule compared with min_samples_for_training (the rows that
-- could train, before max_training_rows: the view applies it as it does to
-- a run's rows), and the view takes the newer of this and the latest run
-- (_pg_intent_classifier_alerts(), 58_alerts.sql). One row per classifier,
-- written only by the call that holds the retraining lock (no two writers:
-- no call waits on another's row), by _pg_intent_classifier_retrain_checked()
-- (46_classifier_retraining.sql). By id, and read only while that id has
-- that name, so that it never passes to a later classifier created with the
-- name; no reference to ai_classifiers, so that dropping a classifier
-- neither depends on it nor waits for a retraining call's row (a dropped
-- classifier's row is ignored, and removed by the next call that records).
CREATE TABLE @extschema@.ai_classifier_retrain_checks (
    classifier_id bigint      PRIMARY KEY,
    classifier    text        NOT NULL,
    checked_at    timestamptz NOT NULL,
    samples       bigint      NOT NULL
);
COMMENT ON TABLE @extschema@.ai_classifier_retrain_checks IS
    'Internal: per classifier (by id), the latest count of retrain_classifiers(): the rows that could train that its rule compared with min_samples_for_training, for ai_classifier_alerts (training_samples) before a classifier''s first run and after its latest; written by the call holding the retraining lock.';
COMMENT ON COLUMN @extschema@.ai_classifier_retrain_checks.classifier_id IS
    'The classifier''s id (ai_classifiers.id); the row counts only while that id has the name in classifier.';
COMMENT ON COLUMN @extschema@.ai_classifier_retrain_checks.checked_at IS
    'When the count started; ai_classifier_alerts takes it over a run that started earlier.';
COMMENT ON COLUMN @extschema@.ai_classifier_retrain_checks.samples IS
    'The rows of the source that could train, as the classifier''s owner counted them (_pg_intent_classifier_count_plan()''s statement with no start), before max_training_rows.';
SELECT pg_catalog.pg_extension_config_dump('@extschema@.ai_classifier_retrain_checks', '');
