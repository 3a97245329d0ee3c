-- New in 0.2.1 (also created by the upgrade, which includes this file).

-- -------------------------------------------------------------------------
-- ai_retrain_backoff_seq: when the last failed scheduled run started
-- -------------------------------------------------------------------------
-- retrain_if_needed() records here the start of a run that failed (in
-- microseconds since 1970; 0: none), and backs off from it (see
-- src/sql/54_retrain.sql). A sequence, because setval() is not rolled back:
-- retrain_if_needed(true), the pg_cron recipe, raises the run's error, and
-- the error rolls the failed run's row in ai_training_runs back with the
-- statement; a table row written next to it would go too, and every tick
-- would start the same failing run again. Since 0.3.2 retrain_if_needed()
-- also writes here, before it trains, the attempt's start with the lowest
-- bit set (odd): kept when the attempt never comes back (its session ended),
-- it backs off as a failed run, as retrain_classifiers() does for an
-- interrupted attempt (_pg_intent_retrain_failed_at(), src/sql/54_retrain.sql).
CREATE SEQUENCE @extschema@.ai_retrain_backoff_seq MINVALUE 0 START 0 NO CYCLE;
COMMENT ON SEQUENCE @extschema@.ai_retrain_backoff_seq IS
    'Internal: the start (microseconds since 1970-01-01 UTC; 0 for none) of the last failed run of retrain_if_needed(), kept even when raising rolled the run''s row back, or of its attempt in progress (odd: kept when its session ends during the training); scheduled retraining backs off from it.';
SELECT pg_catalog.pg_extension_config_dump('@extschema@.ai_retrain_backoff_seq', '');
