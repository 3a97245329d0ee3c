-- Scheduled retraining (operations).

------------------------------------------------------------------------------
-- Scheduled retraining
------------------------------------------------------------------------------

-- intent's failed scheduled attempts are kept where every classifier's
-- are, in ai_classifier_retrain_failures (schema/80; issue 33, point 1: one
-- back-off), written by _pg_intent_classifier_retrain_record() and read by
-- _pg_intent_retrain_failure_of() (46_classifier_retraining.sql); an
-- attempt its statement's rollback would lose is marked before it trains in
-- ai_intent_retrain_attempt_seq (schema/83) and recorded by the next call
-- (_pg_intent_retrain_resume()).

-- The failed run of intent whose start a recorded failure p_failed_at is
-- (retrain_if_needed() records a failed run's start); NULL when its row is
-- gone (raising rolled it back) or the attempt made none (interrupted).
-- Read by retrain_if_needed() for the failed_run_id it reports, and by
-- ai_metric_alerts for the run's SQLSTATE (_pg_intent_retrain_failure()).
CREATE OR REPLACE FUNCTION intent_internal._pg_intent_retrain_failed_run(p_failed_at timestamptz)
RETURNS uuid
LANGUAGE sql STABLE PARALLEL SAFE
SET search_path = pg_catalog, pg_temp
AS $$
    SELECT r.id FROM @extschema@.ai_training_runs AS r
     WHERE r.started_at OPERATOR(pg_catalog.=) p_failed_at
       AND r.classifier OPERATOR(pg_catalog.=) 'intent'
       AND r.status OPERATOR(pg_catalog.=) 'failed'
     ORDER BY r.id LIMIT 1
$$;
COMMENT ON FUNCTION intent_internal._pg_intent_retrain_failed_run(timestamptz) IS
    'Internal: the failed run of intent whose start retrain_if_needed() recorded as p_failed_at in ai_classifier_retrain_failures; NULL when its row was rolled back or the attempt was interrupted. For retrain_if_needed() and ai_metric_alerts.';

-- The one back-off of scheduled retraining, for intent (retrain_if_needed())
-- and every other classifier (retrain_classifiers()), in two halves that
-- both read:
--   1. _pg_intent_retrain_failure_open(): a failed scheduled attempt that
--      started at p_failed_at holds the classifier back while no run of it
--      (its unpartitioned or fallback model) has completed since;
--   2. _pg_intent_retrain_backs_off(): while it holds, the next attempt
--      waits until p_threshold (auto_retrain_threshold) rows more are new
--      than the failed attempt saw, or until the policy's
--      retry_failed_after has passed.
-- The failed attempt counted the same rows as new, so without this every
-- scheduler tick started the same failing run again (a logged row with a
-- bad label, a source view that errors: minutes of training per tick, for
-- nothing). Two halves, so that a caller counts the rows since the failure
-- only while one holds.
CREATE OR REPLACE FUNCTION intent_internal._pg_intent_retrain_failure_open(p_classifier text, p_failed_at timestamptz)
RETURNS boolean
LANGUAGE sql STABLE PARALLEL SAFE
SET search_path = pg_catalog, pg_temp
AS $$
    SELECT p_failed_at IS NOT NULL
       AND NOT EXISTS (SELECT 1 FROM @extschema@.ai_training_runs AS r
                        WHERE r.classifier OPERATOR(pg_catalog.=) p_classifier AND r.partition_key IS NULL
                          AND r.status OPERATOR(pg_catalog.=) 'completed'
                          AND r.started_at OPERATOR(pg_catalog.>=) p_failed_at)
$$;
COMMENT ON FUNCTION intent_internal._pg_intent_retrain_failure_open(text, timestamptz) IS
    'Internal: whether a failed scheduled attempt of the classifier that started at p_failed_at still holds it back: no run of it (unpartitioned or fallback) has completed since (the back-off of retrain_if_needed() and retrain_classifiers()).';

CREATE OR REPLACE FUNCTION intent_internal._pg_intent_retrain_backs_off(
    p_failed_at timestamptz, p_new_since_failure bigint, p_threshold integer,
    OUT backing_off boolean, OUT retry_after timestamptz)
RETURNS record
LANGUAGE sql STABLE PARALLEL SAFE
SET search_path = pg_catalog, pg_temp
AS $$
    SELECT pg_catalog.now() OPERATOR(pg_catalog.<) x.retry_after
           AND coalesce(p_new_since_failure, 0) OPERATOR(pg_catalog.<) p_threshold,
           x.retry_after
      FROM (SELECT p_failed_at OPERATOR(pg_catalog.+) (intent_internal._pg_intent_ops_policy()).retry_failed_after
                   AS retry_after) AS x
$$;
COMMENT ON FUNCTION intent_internal._pg_intent_retrain_backs_off(timestamptz, bigint, integer) IS
    'Internal: while a failed scheduled attempt holds a classifier back (_pg_intent_retrain_failure_open()), whether the next one still waits: fewer than p_threshold rows new since the failure and ai_training_policy.retry_failed_after not passed; and when it may retry.';

-- The one rule of scheduled retraining, for intent (should_retrain(),
-- retrain_if_needed(): _pg_intent_retrain_decision() below) and every other
-- classifier (retrain_classifiers(): _pg_intent_classifier_retrain_due(),
-- 46_classifier_retraining.sql), on numbers each caller reads from its own
-- storage (issue 33, point 1: one engine). In this order:
--   1. due by its new rows: _pg_intent_classifier_due() on the count
--      inputs (p_count, p_since, p_rows_at_last, p_threshold);
--   2. enough samples: the rows that could train (p_samples), at most
--      p_max_training_rows of them, not fewer than p_min_samples;
--   3. not backing off after a failed scheduled attempt that started at
--      p_failed_at: _pg_intent_retrain_failure_open() and
--      _pg_intent_retrain_backs_off(), with p_new_since_failure the rows
--      new since that attempt (NULL: not counted, an interrupted attempt:
--      only retry_failed_after ends it).
-- p_samples NULL: not counted; the rule then stops after step 1, and due
-- means due by the new rows only: the caller counts the samples (and the
-- rows new since a failure that holds) only then, and asks again with them.
-- Counted at once, the samples cost every scheduler tick a count of every
-- row. Before this rule each path said the three steps in its own words,
-- and a classifier with a time_column asked step 3 before step 2: while
-- backing off with too few samples it said backing off where intent and a
-- classifier without one said too few samples (test/sql/retrain_conformance.sql).
-- reason: a key of pg_intent's texts (retrain_few_new_rows,
-- retrain_few_samples, retrain_backing_off), NULL when due; failed_at and
-- retry_after only while a failure holds the classifier back.
CREATE OR REPLACE FUNCTION intent_internal._pg_intent_retrain_rule(
    p_classifier text, p_count bigint, p_since timestamptz, p_rows_at_last bigint, p_threshold integer,
    p_samples bigint, p_min_samples integer, p_max_training_rows integer,
    p_failed_at timestamptz, p_new_since_failure bigint,
    OUT new_rows bigint, OUT due boolean, OUT reason text, OUT failed_at timestamptz, OUT retry_after timestamptz)
RETURNS record
LANGUAGE plpgsql STABLE PARALLEL SAFE
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    v_backing_off boolean;
BEGIN
    SELECT d.new_rows, d.due INTO new_rows, due
      FROM intent_internal._pg_intent_classifier_due(p_count, p_since, p_rows_at_last, p_threshold) AS d;
    IF NOT due THEN
        reason := 'retrain_few_new_rows';
        RETURN;
    END IF;
    IF p_samples IS NULL THEN
        RETURN; -- not counted: due by the new rows; asked again with the count
    END IF;
    IF least(p_samples, p_max_training_rows) OPERATOR(pg_catalog.<) p_min_samples THEN
        due := false;
        reason := 'retrain_few_samples';
        RETURN;
    END IF;
    IF intent_internal._pg_intent_retrain_failure_open(p_classifier, p_failed_at) THEN
        failed_at := p_failed_at;
        SELECT b.retry_after, b.backing_off INTO retry_after, v_backing_off
          FROM intent_internal._pg_intent_retrain_backs_off(p_failed_at, p_new_since_failure,
                                                            coalesce(p_threshold, 100)) AS b;
        IF v_backing_off THEN
            due := false;
            reason := 'retrain_backing_off';
        END IF;
    END IF;
END
$$;
COMMENT ON FUNCTION intent_internal._pg_intent_retrain_rule(text, bigint, timestamptz, bigint, integer, bigint, integer, integer, timestamptz, bigint) IS
    'Internal: the one rule of scheduled retraining, for intent and every other classifier: due by its new rows (_pg_intent_classifier_due()), then at least p_min_samples of p_samples (at most p_max_training_rows of them; NULL: not counted, decided on the new rows only), then not backing off after the failed attempt started at p_failed_at (_pg_intent_retrain_failure_open(), _pg_intent_retrain_backs_off() with p_new_since_failure); the reason''s text key when not due, and the failure''s time and retry time while it holds.';

-- The built-in classifier's retraining count, by the rule every
-- classifier's count reads (_pg_intent_classifier_due(), which
-- retrain_classifiers() and get_classifier_metrics() read too): its rows
-- added or corrected since its last run that could deploy
-- (_pg_intent_samples_since_last_train()), due at auto_retrain_threshold.
-- Its rows always count from an instant (-infinity before any run), so a
-- built-in classifier never trained waits for the threshold, as since 0.2;
-- a named one is due at once.
CREATE OR REPLACE FUNCTION intent_internal._pg_intent_builtin_retrain_due(
    OUT new_rows bigint, OUT due boolean, OUT threshold integer)
RETURNS record
LANGUAGE sql STABLE PARALLEL SAFE
SET search_path = pg_catalog, pg_temp
AS $$
    SELECT d.new_rows, d.due, p.auto_retrain_threshold
      FROM intent_internal._pg_intent_policy() AS p,
           intent_internal._pg_intent_classifier_due(intent_internal._pg_intent_samples_since_last_train(),
                                                     '-infinity'::timestamptz, NULL::bigint,
                                                     p.auto_retrain_threshold) AS d
$$;
COMMENT ON FUNCTION intent_internal._pg_intent_builtin_retrain_due() IS
    'Internal: the built-in classifier intent''s new rows (added or corrected since its last completed run that could deploy), whether they make it due for retraining (_pg_intent_classifier_due(), every classifier''s rule) and the threshold: for should_retrain() and get_classifier_metrics(''intent'').';

-- Whether scheduled retraining of intent runs now, and why not:
-- should_retrain() and retrain_if_needed() both ask it. The decision is the
-- one rule every classifier's is (_pg_intent_retrain_rule() above), on
-- intent's numbers:
--   1. its new rows: added, corrected, approved or rejected since the last
--      completed run that could deploy, counted from an instant
--      (_pg_intent_builtin_retrain_due(): -infinity before any run);
--   2. its samples: the rows a scheduled run reads (_pg_intent_usable_samples());
--   3. its failure: the start of retrain_if_needed()'s last failed attempt,
--      from the one store of every classifier's
--      (_pg_intent_retrain_failure_of('intent'), ai_classifier_retrain_failures),
--      and the rows added or changed since that start as its new rows,
--      also after an interrupted attempt (intent's rows count from an
--      instant; a logged row with a bad label failed every run until a
--      human removed it).
-- The samples are counted only when the new rows make it due, and the rows
-- since a failure only while one holds, as retrain_classifiers() counts.
-- The reason is a key of pg_intent's texts (retrain_*), worded in
-- intent_output_language() by intent_output_text(); too few new rows is
-- said retrain_few_new_samples for intent (its rows are samples, its
-- wording since 0.2).
CREATE OR REPLACE FUNCTION intent_internal._pg_intent_retrain_decision(
    OUT retrain boolean, OUT reason text, OUT samples_since_last_train bigint,
    OUT failed_at timestamptz, OUT retry_after timestamptz, OUT samples_since_failed_run bigint)
RETURNS record
LANGUAGE plpgsql STABLE PARALLEL SAFE
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    v_policy record := intent_internal._pg_intent_policy();
    v_due boolean;
    v_samples bigint;
    v_failed_at timestamptz;
    v_rule record;
BEGIN
    SELECT d.new_rows, d.due INTO samples_since_last_train, v_due FROM intent_internal._pg_intent_builtin_retrain_due() AS d;
    IF v_due THEN
        v_samples := intent_internal._pg_intent_usable_samples(v_policy.only_reviewed);
        v_failed_at := (intent_internal._pg_intent_retrain_failure_of('intent')).failed_at;
        IF intent_internal._pg_intent_retrain_failure_open('intent', v_failed_at) THEN
            samples_since_failed_run := intent_internal._pg_intent_samples_since(v_failed_at);
        END IF;
    END IF;
    -- p_since: intent's rows count from an instant (_pg_intent_builtin_retrain_due()).
    v_rule := intent_internal._pg_intent_retrain_rule('intent', samples_since_last_train, '-infinity'::timestamptz,
                                                      NULL::bigint, v_policy.auto_retrain_threshold, v_samples,
                                                      v_policy.min_samples_for_training, v_policy.max_training_rows,
                                                      v_failed_at, samples_since_failed_run);
    retrain := v_rule.due;
    failed_at := v_rule.failed_at;
    retry_after := v_rule.retry_after;
    IF v_rule.reason IS NOT NULL THEN
        reason := @extschema@.intent_output_text(CASE v_rule.reason WHEN 'retrain_few_new_rows' THEN 'retrain_few_new_samples'
                                                                    ELSE v_rule.reason END,
                                                 @extschema@.intent_output_language());
    END IF;
END
$$;
COMMENT ON FUNCTION intent_internal._pg_intent_retrain_decision() IS
    'Internal: whether scheduled retraining runs now (should_retrain()) and, when not, why: too few new rows, too few samples, or backing off after a failed run of retrain_if_needed() (until auto_retrain_threshold rows are added or changed since it started, or ai_training_policy.retry_failed_after has passed); the rule every classifier''s is (_pg_intent_retrain_rule()) on intent''s numbers.';

-- Whether enough new data has arrived to retrain.
CREATE OR REPLACE FUNCTION @extschema@.should_retrain()
RETURNS boolean
LANGUAGE sql STABLE PARALLEL SAFE
SET search_path = pg_catalog, pg_temp
AS $$
    SELECT (intent_internal._pg_intent_retrain_decision()).retrain
$$;
COMMENT ON FUNCTION @extschema@.should_retrain() IS
    'True when the rows added, corrected, approved or rejected since the last completed training run (each row once) reach ai_training_policy.auto_retrain_threshold, there are at least ai_training_policy.min_samples_for_training usable samples (under the policy''s only_reviewed: reviewed rows added or changed, and reviewed samples), and scheduled retraining is not backing off after a failed run (until auto_retrain_threshold rows are added or changed since that run started, or ai_training_policy.retry_failed_after has passed).';

-- Whether a training that raised p_sqlstate was only busy, so that it starts
-- no back-off and the next tick tries again: the reason's text key
-- (intent_output_text()), NULL for an error that is the training's own. The
-- rule is busy_reason() (src/pg/retrain_classifiers.cpp), which
-- retrain_classifiers() reads for every other classifier.
CREATE OR REPLACE FUNCTION intent_internal._pg_intent_busy_reason(p_sqlstate text)
RETURNS text
AS 'MODULE_PATHNAME', 'pg_intent_busy_reason'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION intent_internal._pg_intent_busy_reason(text) IS
    'Internal: the text key of the reason (retrain_in_progress for 55P03, retrain_conflict for 40001 and 40P01) when a training that raised p_sqlstate was only busy and starts no back-off, else NULL; the rule retrain_classifiers() applies, read by retrain_if_needed().';

-- Trains when should_retrain() says so; safe to call from pg_cron often.
-- Privileged like train_intent_model(): SECURITY DEFINER with a pinned
-- search_path, closed to PUBLIC (grant EXECUTE to the scheduler's role).
CREATE OR REPLACE FUNCTION @extschema@.retrain_if_needed(p_raise_on_failure boolean DEFAULT false)
RETURNS jsonb
LANGUAGE plpgsql VOLATILE PARALLEL UNSAFE
SECURITY DEFINER SET search_path = pg_catalog, pg_temp SET row_security = off
AS $$
DECLARE
    v_policy record; -- _pg_intent_policy()
    v_decision record; -- _pg_intent_retrain_decision()
    v_failed_run uuid;
    v_attempt timestamptz;
    v_result jsonb;
    v_busy text;
    v_state text;
    v_reason text;
    v_failed_at timestamptz;
    v_owner boolean; -- this call holds intent's training lock: it keeps the attempts
BEGIN
    -- Only the call holding intent's training lock marks and records
    -- attempts (ai_intent_retrain_attempt_seq), so that none reads another's
    -- attempt in progress as interrupted; another call (the lock held by
    -- a training of intent) goes on as before, and its training is only
    -- busy (55P03). Held until the transaction ends, as the training's.
    -- Before the decision, which then reads the attempt an earlier call
    -- left marked, recorded here (_pg_intent_retrain_resume()).
    v_owner := intent_internal._pg_intent_lock('training', false);
    IF v_owner THEN
        PERFORM intent_internal._pg_intent_retrain_resume(true);
    END IF;
    v_policy := intent_internal._pg_intent_policy();
    v_decision := intent_internal._pg_intent_retrain_decision();
    IF NOT v_decision.retrain THEN
        IF v_decision.failed_at IS NULL THEN
            RETURN jsonb_build_object(
                'retrained', false,
                'reason', v_decision.reason,
                'samples_since_last_train', v_decision.samples_since_last_train,
                'auto_retrain_threshold', v_policy.auto_retrain_threshold,
                'min_samples_for_training', v_policy.min_samples_for_training);
        END IF;
        -- The failed run's row is gone when raising rolled it back.
        v_failed_run := intent_internal._pg_intent_retrain_failed_run(v_decision.failed_at);
        RETURN jsonb_build_object(
            'retrained', false,
            'reason', format(@extschema@.intent_output_text('retrain_backing_off_run', @extschema@.intent_output_language()),
                             coalesce(v_failed_run::text, @extschema@.intent_output_text('retrain_run_rolled_back',
                                                                                        @extschema@.intent_output_language())),
                             v_decision.failed_at, v_decision.retry_after, v_policy.auto_retrain_threshold),
            'failed_run_id', v_failed_run,
            'failed_at', v_decision.failed_at,
            'retry_after', v_decision.retry_after,
            'samples_since_failed_run', v_decision.samples_since_failed_run,
            'samples_since_last_train', v_decision.samples_since_last_train,
            'auto_retrain_threshold', v_policy.auto_retrain_threshold,
            'min_samples_for_training', v_policy.min_samples_for_training);
    END IF;
    v_attempt := clock_timestamp();
    -- The attempt's mark (ai_intent_retrain_attempt_seq, schema/83), only
    -- while this call holds intent's training lock (v_owner, above): kept
    -- if the attempt never comes back (a cancel, statement_timeout, its
    -- session terminated, the server's crash: nothing below runs, or what
    -- it wrote is rolled back), so that the next call records it as a
    -- failed attempt (_pg_intent_retrain_resume(), 57014), as
    -- retrain_classifiers() does for every other classifier. Flushed to
    -- disk before the training (_pg_intent_classifier_retrain_mark()).
    -- setval() is not rolled back.
    -- A call that found the lock taken asks again: the training that held
    -- it may have ended since (its mark, if it was interrupted, recorded
    -- first), and this one's training would otherwise run unmarked.
    IF NOT v_owner AND intent_internal._pg_intent_lock('training', false) THEN
        v_owner := true;
        PERFORM intent_internal._pg_intent_retrain_resume(true);
    END IF;
    IF v_owner THEN
        PERFORM intent_internal._pg_intent_classifier_retrain_mark('intent', v_attempt, false);
    END IF;
    BEGIN
        v_result := @extschema@.train_intent_model(
            'auto-retrain ' || to_char(clock_timestamp() AT TIME ZONE INTERVAL '+00:00', 'YYYY-MM-DD HH24:MI:SS'), 'full', '{}'::jsonb);
    EXCEPTION
        -- A run cancelled or stopped by statement_timeout failed too: the
        -- next tick would time out the same way. Nothing written here
        -- survives the cancel; the mark does, and the next call records it.
        WHEN query_canceled THEN
            RAISE;
        -- Only busy (_pg_intent_busy_reason(), the rule retrain_classifiers()
        -- applies): intent's training lock or every training slot held by
        -- another transaction, or a lock_timeout (the deployment lock a deploy
        -- holds in an open transaction, a locked table): 55P03; a conflict a
        -- retry resolves: 40001 (a REPEATABLE READ or SERIALIZABLE tick
        -- racing a deploy), 40P01. Reported (below) with the error, as
        -- retrain_classifiers()'s entry is (the reason alone sent whoever
        -- read it looking for a training that was not there), and nothing
        -- backs off. Any other error is raised as it came (the mark kept:
        -- the next call records it).
        WHEN OTHERS THEN
            GET STACKED DIAGNOSTICS v_busy = MESSAGE_TEXT, v_state = RETURNED_SQLSTATE;
            v_reason := intent_internal._pg_intent_busy_reason(v_state);
            IF v_reason IS NULL THEN
                RAISE;
            END IF;
    END;
    -- The attempt recorded in the one store, by the writer of every
    -- classifier's (_pg_intent_classifier_retrain_record()): a failed run
    -- backs off from its start (the attempt's, when it wrote no row); a
    -- completed one ends the back-off; one only busy records nothing.
    IF v_reason IS NULL AND v_result ->> 'status' = 'failed' THEN
        v_failed_at := coalesce((SELECT r.started_at FROM @extschema@.ai_training_runs AS r
                                  WHERE r.id = (v_result ->> 'run_id')::uuid), v_attempt);
        PERFORM intent_internal._pg_intent_classifier_retrain_record('intent', v_failed_at, NULL, 'failed',
                                                                     v_result ->> 'sqlstate', v_result ->> 'error');
    ELSIF v_reason IS NULL THEN
        PERFORM intent_internal._pg_intent_classifier_retrain_record('intent', v_attempt, NULL, 'completed', NULL, NULL);
    END IF;
    IF v_owner THEN
        -- Raising below rolls the record above back: the mark then says so
        -- (p_carrying: a failed run whose error was raised), and the next
        -- call records the failure from it. Otherwise the attempt ended
        -- here, and its record commits with this call.
        PERFORM intent_internal._pg_intent_classifier_retrain_mark(
            'intent',
            CASE WHEN v_reason IS NULL AND v_result ->> 'status' = 'failed' AND coalesce(p_raise_on_failure, false)
                 THEN v_failed_at END,
            true);
    END IF;
    IF v_reason IS NOT NULL THEN
        RETURN jsonb_build_object('retrained', false,
                                  'reason', @extschema@.intent_output_text(v_reason, @extschema@.intent_output_language()),
                                  'error', jsonb_build_object('sqlstate', v_state, 'message', v_busy),
                                  'samples_since_last_train', v_decision.samples_since_last_train);
    END IF;
    -- A job scheduler records a function that returns as a success: asked
    -- to, report a failed run as an error (pg_cron's job_run_details then
    -- says failed, with the run's error). The error rolls the failed run's
    -- row back; its message carries what the row would have said.
    IF coalesce(p_raise_on_failure, false) AND v_result ->> 'status' = 'failed' THEN
        RAISE EXCEPTION USING MESSAGE = intent_internal._pg_intent_error_words('automatic retraining failed: %s', v_result ->> 'error'),
                   ERRCODE = coalesce(v_result ->> 'sqlstate', 'XX000'),
                  DETAIL = intent_internal._pg_intent_error_words('Training run %s failed after %s s; raising rolls its row in ai_training_runs back.',
                                  coalesce(v_result ->> 'run_id', ''), coalesce(round((v_result ->> 'duration_seconds')::numeric, 1)::text, '')),
                  HINT = intent_internal._pg_intent_error_words('Scheduled retraining backs off until %s rows are added or changed, or for %s (ai_training_policy.retry_failed_after). Without p_raise_on_failure the run is kept in ai_training_runs with status failed.',
                                coalesce(v_policy.auto_retrain_threshold::text, ''), coalesce((intent_internal._pg_intent_ops_policy()).retry_failed_after::text, ''));
    END IF;
    RETURN jsonb_build_object('retrained', true, 'samples_since_last_train', v_decision.samples_since_last_train,
                              'result', v_result);
END
$$;
COMMENT ON FUNCTION @extschema@.retrain_if_needed(boolean) IS
    'Runs train_intent_model() when should_retrain() is true. Returns {"retrained": false, "reason", "samples_since_last_train"} (after a failed run also failed_run_id, failed_at, retry_after: it backs off until auto_retrain_threshold rows are added or changed, or ai_training_policy.retry_failed_after has passed) or {"retrained": true, "result": <training result>}; does not raise when another training run holds the lock, or a lock_timeout stops the training (55P03), or the training conflicts with a concurrent transaction (40001, 40P01: a retry resolves it): the result then also has "error": {"sqlstate", "message"}, and nothing backs off. With p_raise_on_failure a failed run raises (for pg_cron, whose job_run_details then shows failed). Meant for pg_cron.';
