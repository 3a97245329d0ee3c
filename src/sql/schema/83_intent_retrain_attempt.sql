-- New in 0.3.2 (also created by the upgrade, which includes this file).

-- -------------------------------------------------------------------------
-- ai_intent_retrain_attempt_seq: the attempt retrain_if_needed() is in
-- -------------------------------------------------------------------------
-- intent backs off from the one store of every classifier,
-- ai_classifier_retrain_failures (schema/80; issue 33, point 1), written by
-- _pg_intent_classifier_retrain_record() for intent as for the others. A
-- table row is rolled back with the statement that wrote it, and two
-- things roll intent's attempt back: a cancel, statement_timeout or the end
-- of its session, as for a classifier; and retrain_if_needed(true), the
-- pg_cron recipe, which raises the failed run's error. So the attempt is
-- marked here before it trains, in the encoding of
-- ai_classifier_retrain_attempt_seq (schema/81), and the next call records
-- a mark it finds as failed (_pg_intent_retrain_resume(),
-- 46_retrain_attempts.sql). A sequence of its own, not that one:
-- retrain_if_needed() and a retrain_classifiers() call run at once (each
-- classifier has its own training lock; the training slots let several
-- trainings run), and one value cannot hold two attempts: the second mark
-- would overwrite the first, and that attempt would be lost. Only the call
-- holding intent's training lock reads and writes it. The bit 2^20 (for
-- retrain_classifiers(): its call carried an interrupted attempt) says here
-- that the attempt ended as a failed run whose error was raised
-- (p_raise_on_failure), which rolled its record back.
--
-- Not dumped (no pg_extension_config_dump), for the reason schema/81 gives:
-- it describes an attempt of the running server. The failures it becomes
-- are dumped with ai_classifier_retrain_failures.
CREATE SEQUENCE @extschema@.ai_intent_retrain_attempt_seq MINVALUE 0 START 0 NO CYCLE;
COMMENT ON SEQUENCE @extschema@.ai_intent_retrain_attempt_seq IS
    'Internal: the attempt retrain_if_needed() is in, encoded as ai_classifier_retrain_attempt_seq''s (its start in milliseconds since 1970-01-01 UTC, rounded up, * 2^21, + 2^20 when it ended as a failed run whose error was raised, + intent''s id 0; 0 for none), kept when its statement is rolled back, so that the next call records the attempt as failed in ai_classifier_retrain_failures and backs off from it.';
