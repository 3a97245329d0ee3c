-- Scheduled retraining's attempt marks (0.3.2), for every classifier,
-- intent's included: before an attempt trains, a call marks it in a sequence
-- (setval() is not rolled back, and the mark is flushed to disk), so that an
-- attempt a cancel, statement_timeout, raised error or the end of its session
-- rolled back is found by the next call and recorded as failed in
-- ai_classifier_retrain_failures (the back-off's one store, read by
-- _pg_intent_retrain_failure_of(), 46_classifier_retraining.sql). Called by
-- retrain_if_needed() (54_retrain.sql) and retrain_classifiers()
-- (src/pg/retrain_classifiers.cpp, by name).

-- An attempt's mark on disk before its training (0.3.2 fault sweep): the
-- marks are setval()s, whose WAL no commit flushes (the training's
-- transaction is the one killed); a server restarted by a killed training
-- lost the mark, and the next call trained it again (retrain_crash.sh).
-- Called by both marks: _pg_intent_classifier_retrain_mark() and
-- retrain_if_needed().
CREATE OR REPLACE FUNCTION intent_internal._pg_intent_retrain_mark_durable()
RETURNS void
AS 'MODULE_PATHNAME', 'pg_intent_retrain_mark_durable'
LANGUAGE C VOLATILE STRICT PARALLEL UNSAFE;
COMMENT ON FUNCTION intent_internal._pg_intent_retrain_mark_durable() IS
    'Internal: flushes the WAL this backend wrote (a scheduled attempt''s mark, a setval()), so that a crash during the training that follows keeps the mark and backs off from it.';

-- Marks the attempt a scheduled call starts on p_name (at p_started_at), or
-- none (p_started_at NULL, or p_name NULL for retrain_classifiers()), in
-- the sequence of the caller's attempts: retrain_classifiers()'s,
-- ai_classifier_retrain_attempt_seq (src/sql/schema/81_classifier_retrain_attempt.sql
-- says why and how), or for the built-in classifier intent
-- retrain_if_needed()'s, ai_intent_retrain_attempt_seq (schema/83: the two
-- calls run at once, and one value cannot hold both attempts). p_carrying:
-- for retrain_classifiers(), this call recorded an interrupted attempt, not
-- yet committed; for intent, the attempt ended as a failed run whose error
-- is raised (_pg_intent_retrain_resume() records it as that failure).
-- Called only by a call holding the retraining lock (retrain_classifiers.cpp)
-- or intent's training lock (retrain_if_needed()), so that no call reads
-- another's attempt in progress as interrupted.
-- An id of 2^20 or more does not fit the marker: that attempt is not
-- marked, and a timeout in it backs off as before 0.3.2 (not at all).
-- The start is rounded up to the millisecond: the failure it records must
-- not start before the attempt did, or a run that completed just before
-- the attempt (in the same second, at whole seconds) reads as completed
-- after the failure and ends its back-off.
CREATE OR REPLACE FUNCTION intent_internal._pg_intent_classifier_retrain_mark(
    p_name text, p_started_at timestamptz, p_carrying boolean)
RETURNS void
LANGUAGE plpgsql VOLATILE PARALLEL UNSAFE SECURITY DEFINER
SET search_path = pg_catalog, pg_temp SET row_security = off
AS $$
DECLARE
    v_id bigint;
    v_built_in boolean := false;
BEGIN
    IF p_name IS NOT NULL THEN
        SELECT c.id, c.built_in INTO v_id, v_built_in FROM @extschema@.ai_classifiers AS c
         WHERE c.name OPERATOR(pg_catalog.=) p_name;
    END IF;
    PERFORM pg_catalog.setval(CASE WHEN v_built_in THEN '@extschema@.ai_intent_retrain_attempt_seq'::pg_catalog.regclass
                                   ELSE '@extschema@.ai_classifier_retrain_attempt_seq'::pg_catalog.regclass END,
        CASE WHEN (v_id OPERATOR(pg_catalog.>) 0 OR v_built_in) AND v_id OPERATOR(pg_catalog.<) 1048576
                  AND p_started_at IS NOT NULL
             THEN pg_catalog.ceil(EXTRACT(epoch FROM p_started_at) OPERATOR(pg_catalog.*) 1000)::bigint
                      OPERATOR(pg_catalog.*) 2097152
                  OPERATOR(pg_catalog.+) CASE WHEN p_carrying THEN 1048576 ELSE 0 END OPERATOR(pg_catalog.+) v_id
             ELSE 0 END);
    -- (on disk before the training: a crash in it keeps the mark)
    PERFORM intent_internal._pg_intent_retrain_mark_durable();
END
$$;
COMMENT ON FUNCTION intent_internal._pg_intent_classifier_retrain_mark(text, timestamptz, boolean) IS
    'Internal: for retrain_classifiers() (holding the retraining lock) and retrain_if_needed() (holding intent''s training lock): records the attempt on p_name that starts (none: p_started_at NULL, or p_name NULL for retrain_classifiers()) in that call''s sequence, ai_classifier_retrain_attempt_seq or, for intent, ai_intent_retrain_attempt_seq, which a rollback does not undo.';

-- The start of a scheduled call holding the lock of its attempts (the
-- retraining lock for retrain_classifiers(), p_built_in false; intent's
-- training lock for retrain_if_needed(), p_built_in true): an attempt
-- still marked in its sequence (_pg_intent_classifier_retrain_mark()) never
-- ended (a cancel, statement_timeout or the end of its session rolled its
-- call back), so it is recorded as a failed attempt from its start, with
-- no count (57014), in the one store (_pg_intent_classifier_retrain_record()),
-- and the classifier backs off from it like any other failure. The record
-- is written by this call, so it holds once this call commits.
-- record_only (retrain_classifiers()): the interrupted call had itself
-- recorded an earlier interrupted attempt, which its rollback lost; were
-- this call to go on, a second slow classifier could roll this record back
-- too, and two slow classifiers would take turns ending every call. So
-- this call records and tries nothing else (retrain_classifiers.cpp), and
-- commits. For intent that bit is a failed run whose error was raised
-- (retrain_if_needed(true)), which rolled back the run's row and its
-- record: recorded as that failure (its SQLSTATE unknown, as the run's row
-- is gone), not as an interruption.
CREATE OR REPLACE FUNCTION intent_internal._pg_intent_retrain_resume(
    p_built_in boolean, OUT interrupted text, OUT failed_at timestamptz, OUT record_only boolean)
RETURNS record
LANGUAGE plpgsql VOLATILE PARALLEL UNSAFE SECURITY DEFINER
SET search_path = pg_catalog, pg_temp SET row_security = off
AS $$
DECLARE
    v_seq pg_catalog.regclass := CASE WHEN p_built_in THEN '@extschema@.ai_intent_retrain_attempt_seq'::pg_catalog.regclass
                                      ELSE '@extschema@.ai_classifier_retrain_attempt_seq'::pg_catalog.regclass END;
    v_marker bigint;
    v_flag boolean;
    v_id bigint;
BEGIN
    record_only := false;
    EXECUTE pg_catalog.format('SELECT s.last_value FROM %s AS s', v_seq) INTO v_marker;
    IF coalesce(v_marker, 0) OPERATOR(pg_catalog.=) 0 THEN
        RETURN;
    END IF;
    SELECT d.started_at, d.flag, d.classifier_id INTO failed_at, v_flag, v_id
      FROM intent_internal._pg_intent_retrain_mark_decode(v_marker) AS d;
    SELECT c.name INTO interrupted FROM @extschema@.ai_classifiers AS c
     WHERE c.id OPERATOR(pg_catalog.=) v_id AND c.built_in OPERATOR(pg_catalog.=) p_built_in;
    IF interrupted IS NOT NULL AND p_built_in AND v_flag THEN
        PERFORM intent_internal._pg_intent_classifier_retrain_record(
            interrupted, failed_at, NULL, 'failed', NULL,
            intent_internal._pg_intent_error_words('the scheduled run failed and its error was raised (p_raise_on_failure), which rolled back its row in ai_training_runs'));
    ELSIF interrupted IS NOT NULL THEN
        PERFORM intent_internal._pg_intent_classifier_retrain_record(
            interrupted, failed_at, NULL, 'failed', '57014',
            intent_internal._pg_intent_error_words('the scheduled attempt was interrupted by a cancel or statement_timeout (or its session ended) before it finished; nothing it did was kept'));
        record_only := v_flag AND NOT p_built_in;
    END IF;
    PERFORM pg_catalog.setval(v_seq, 0);
END
$$;
COMMENT ON FUNCTION intent_internal._pg_intent_retrain_resume(boolean) IS
    'Internal: for a scheduled call holding the lock of its attempts, before any attempt: records the attempt left marked in its sequence (ai_intent_retrain_attempt_seq for intent, p_built_in; ai_classifier_retrain_attempt_seq for retrain_classifiers()) as failed from its start in ai_classifier_retrain_failures (interrupted by a cancel, statement_timeout or the end of its session: 57014, no count; for intent, a failed run whose raised error rolled it back) and clears the mark; the classifier, its start, and whether this call should record only (retrain_classifiers(): the interrupted call had lost an earlier such record).';

-- retrain_classifiers()'s (retrain_classifiers.cpp, which finds it by this
-- name): _pg_intent_retrain_resume() for its own attempts.
CREATE OR REPLACE FUNCTION intent_internal._pg_intent_classifier_retrain_resume(
    OUT interrupted text, OUT failed_at timestamptz, OUT record_only boolean)
RETURNS record
LANGUAGE sql VOLATILE PARALLEL UNSAFE SECURITY DEFINER
SET search_path = pg_catalog, pg_temp SET row_security = off
AS $$
    SELECT r.interrupted, r.failed_at, r.record_only FROM intent_internal._pg_intent_retrain_resume(false) AS r
$$;
COMMENT ON FUNCTION intent_internal._pg_intent_classifier_retrain_resume() IS
    'Internal: for retrain_classifiers(), holding the retraining lock, before any attempt: _pg_intent_retrain_resume() for its attempts (ai_classifier_retrain_attempt_seq): the interrupted attempt recorded as failed (57014, no count), the classifier, its start, and whether this call should record only (the interrupted call had lost an earlier such record).';
