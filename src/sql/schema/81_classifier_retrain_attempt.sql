-- New in 0.3.2 (also created by the upgrade, which includes this file).

-- -------------------------------------------------------------------------
-- ai_classifier_retrain_attempt_seq: the attempt retrain_classifiers() is in
-- -------------------------------------------------------------------------
-- A cancel or statement_timeout (a pg_cron job's) is not caught per
-- classifier: it ends retrain_classifiers() and rolls back everything the
-- call wrote, also the back-off row of the classifier that ran out of time.
-- So before each classifier's attempt the call records here which one it is
-- and when it started, and clears it when the attempt ends; the next call
-- finds an attempt never ended, and records it as failed
-- (_pg_intent_classifier_retrain_resume(), 46_retrain_attempts.sql).
-- A sequence, because setval() is not rolled back (intent's attempts, which
-- retrain_if_needed() makes at the same time, have their own:
-- ai_intent_retrain_attempt_seq, schema/83). One value, so that it is
-- written at once: the attempt's start in milliseconds since 1970-01-01 UTC
-- (rounded up, below 2^42: until 2109) times 2^21, plus 2^20 when the call carried an interrupted attempt it had
-- recorded, plus the classifier's id (ai_classifiers.id, below 2^20); 0 for
-- none.
--
-- Not dumped (no pg_extension_config_dump): it describes an attempt of the
-- running server, which a restored database never continues; a dumped value
-- would start a back-off there for an attempt that was not interrupted.
CREATE SEQUENCE @extschema@.ai_classifier_retrain_attempt_seq MINVALUE 0 START 0 NO CYCLE;
COMMENT ON SEQUENCE @extschema@.ai_classifier_retrain_attempt_seq IS
    'Internal: the classifier attempt retrain_classifiers() is in (its start in milliseconds since 1970-01-01 UTC, rounded up, * 2^21, + 2^20 when its call carried an interrupted attempt, + the classifier''s id; 0 for none), kept when a cancel or statement_timeout rolls the call back, so that the next call records the attempt as failed and backs off from it.';
