-- Scheduled retraining (operations).

------------------------------------------------------------------------------
-- Scheduled retraining
------------------------------------------------------------------------------

-- ai_retrain_backoff_seq's value (src/sql/schema/50_retrain_backoff.sql)
-- for a start: microseconds since 1970-01-01 UTC, the lowest bit set for an
-- attempt in progress (odd: up to a microsecond late), cleared for a
-- recorded failure (even: up to a microsecond early, so a failed run is
-- found by a start a microsecond either side). The one encoding, and
-- _pg_intent_retrain_backoff_decode() its one inverse: retrain_if_needed()
-- writes the sequence with the first, _pg_intent_retrain_failed_at() reads
-- it with the second.
CREATE OR REPLACE FUNCTION intent_internal._pg_intent_retrain_backoff_encode(p_started_at timestamptz,
                                                                              p_in_progress boolean)
RETURNS bigint
LANGUAGE sql STABLE STRICT PARALLEL SAFE
SET search_path = pg_catalog, pg_temp
AS $$
    SELECT CASE WHEN p_in_progress THEN (x.us OPERATOR(pg_catalog.|) 1::bigint)
                ELSE (x.us OPERATOR(pg_catalog.&) (OPERATOR(pg_catalog.~) 1::bigint)) END
      FROM (SELECT ((EXTRACT(epoch FROM p_started_at) OPERATOR(pg_catalog.*) 1000000)::bigint) AS us) AS x
$$;
COMMENT ON FUNCTION intent_internal._pg_intent_retrain_backoff_encode(timestamptz, boolean) IS
    'Internal: the value of ai_retrain_backoff_seq for a start of retrain_if_needed()''s attempt: microseconds since 1970-01-01 UTC, odd for the attempt in progress (p_in_progress), even for a recorded failure.';

CREATE OR REPLACE FUNCTION intent_internal._pg_intent_retrain_backoff_decode(
    p_value bigint, OUT started_at timestamptz, OUT in_progress boolean)
RETURNS record
LANGUAGE sql STABLE PARALLEL SAFE
SET search_path = pg_catalog, pg_temp
AS $$
    SELECT CASE WHEN p_value OPERATOR(pg_catalog.>) 0
                THEN '1970-01-01 00:00:00+00'::timestamptz OPERATOR(pg_catalog.+)
                     (p_value OPERATOR(pg_catalog.*) '1 microsecond'::interval) END,
           coalesce(p_value OPERATOR(pg_catalog.>) 0
                    AND (p_value OPERATOR(pg_catalog.%) 2) OPERATOR(pg_catalog.=) 1, false)
$$;
COMMENT ON FUNCTION intent_internal._pg_intent_retrain_backoff_decode(bigint) IS
    'Internal: what a value of ai_retrain_backoff_seq holds (_pg_intent_retrain_backoff_encode()): the start it records (NULL for 0: none), and whether it marks retrain_if_needed()''s attempt in progress (odd) rather than a recorded failure (even).';

-- Records a failed attempt of retrain_if_needed() in ai_retrain_backoff_seq,
-- so that scheduled retraining backs off from it: the start of its run
-- p_run_id (ai_training_runs), or p_attempt when that row is not there (a
-- cancel or statement_timeout rolled it back, or the run wrote none). The
-- one statement that records a failure's start, for a failed result and a
-- cancelled one alike. setval() is not rolled back, so this holds even
-- when the run's row is, by an error raised after it. A failure's start is
-- stored even (a microsecond early, _pg_intent_retrain_backoff_encode()),
-- so that only an attempt's mark is odd and a recorded failure never reads
-- as an attempt in progress.
CREATE OR REPLACE FUNCTION intent_internal._pg_intent_retrain_record_failure(p_run_id uuid, p_attempt timestamptz)
RETURNS void
LANGUAGE sql VOLATILE PARALLEL UNSAFE
SET search_path = pg_catalog, pg_temp
AS $$
    SELECT pg_catalog.setval('@extschema@.ai_retrain_backoff_seq'::regclass,
                             intent_internal._pg_intent_retrain_backoff_encode(
                                 coalesce((SELECT r.started_at FROM @extschema@.ai_training_runs AS r
                                            WHERE r.id OPERATOR(pg_catalog.=) p_run_id),
                                          p_attempt),
                                 false))
$$;
COMMENT ON FUNCTION intent_internal._pg_intent_retrain_record_failure(uuid, timestamptz) IS
    'Internal: records a failed attempt of retrain_if_needed() in ai_retrain_backoff_seq (a failed result or a cancel): the start of its run p_run_id, else p_attempt when the run''s row is not there, stored even (_pg_intent_retrain_backoff_encode()); scheduled retraining backs off from it.';

-- The run of a failure recorded with start p_failed_at
-- (_pg_intent_retrain_record_failure()): the failed run whose start the
-- one encoding stores as that value (even: a microsecond early when it was
-- odd); NULL when its row is gone (raising rolled it back). The encoding
-- never stores a later instant than the start, so the runs started since
-- p_failed_at are the candidates, through ai_training_runs_started_at_idx
-- (not every run of every classifier). Read by retrain_if_needed() and
-- ai_metric_alerts (_pg_intent_retrain_failure()).
CREATE OR REPLACE FUNCTION intent_internal._pg_intent_retrain_failed_run(p_failed_at timestamptz)
RETURNS uuid
LANGUAGE sql STABLE PARALLEL SAFE
SET search_path = pg_catalog, pg_temp
AS $$
    SELECT r.id FROM @extschema@.ai_training_runs AS r
     WHERE r.started_at OPERATOR(pg_catalog.>=) p_failed_at
       AND intent_internal._pg_intent_retrain_backoff_encode(r.started_at, false) OPERATOR(pg_catalog.=)
           intent_internal._pg_intent_retrain_backoff_encode(p_failed_at, false)
       AND r.status OPERATOR(pg_catalog.=) 'failed'
     ORDER BY r.id LIMIT 1
$$;
COMMENT ON FUNCTION intent_internal._pg_intent_retrain_failed_run(timestamptz) IS
    'Internal: the failed run of ai_training_runs whose start _pg_intent_retrain_record_failure() recorded as p_failed_at (the same value by _pg_intent_retrain_backoff_encode()); NULL when its row was rolled back. For retrain_if_needed() and ai_metric_alerts.';

-- The start of the last failed run of retrain_if_needed() (NULL: none), from
-- ai_retrain_backoff_seq (src/sql/schema/50_retrain_backoff.sql). As the
-- owner, so that callers of should_retrain() need no privilege on it.
-- An odd value is also the mark retrain_if_needed() sets before it trains
-- (the attempt's start, lowest bit set): an attempt that never came back
-- (its session ended: terminated, or the server's crash) is a failed one,
-- as retrain_classifiers()'s interrupted attempt is for every other
-- classifier (ai_classifier_retrain_attempt_seq). While a training holds a
-- training slot in this database (pg_locks: the extension's object locks
-- that _pg_intent_is_training_slot() names, the sub-ids
-- src/pg/extension_locks.h defines; taken before the run's row is
-- written) such a value may be that attempt in progress, not a failure:
-- NULL, and the next attempt is only busy (55P03) if it is. Any
-- classifier's training counts: which one holds a slot is not in pg_locks,
-- and pg_intent_training_progress() is not PARALLEL SAFE. A failed run's
-- start is stored even (below), so it is never read as an attempt.
CREATE OR REPLACE FUNCTION intent_internal._pg_intent_retrain_failed_at()
RETURNS timestamptz
LANGUAGE sql STABLE PARALLEL SAFE
SECURITY DEFINER SET search_path = pg_catalog, pg_temp
AS $$
    SELECT CASE WHEN NOT (v.in_progress
                          AND EXISTS (SELECT FROM pg_catalog.pg_locks AS l
                                       WHERE l.locktype OPERATOR(pg_catalog.=) 'object' AND l.granted
                                         AND l.classid OPERATOR(pg_catalog.=) 'pg_catalog.pg_extension'::pg_catalog.regclass
                                         AND l.objid OPERATOR(pg_catalog.=)
                                             (SELECT e.oid FROM pg_catalog.pg_extension AS e
                                               WHERE e.extname OPERATOR(pg_catalog.=) 'pg_intent')
                                         AND intent_internal._pg_intent_is_training_slot(l.objsubid)
                                         AND l.database OPERATOR(pg_catalog.=)
                                             (SELECT d.oid FROM pg_catalog.pg_database AS d
                                               WHERE d.datname OPERATOR(pg_catalog.=) pg_catalog.current_database())))
                THEN v.started_at END
      FROM @extschema@.ai_retrain_backoff_seq AS s,
           intent_internal._pg_intent_retrain_backoff_decode(s.last_value) AS v
$$;
COMMENT ON FUNCTION intent_internal._pg_intent_retrain_failed_at() IS
    'Internal: when the last failed run of retrain_if_needed() started (NULL when none has failed), also when raising rolled its row back, or when its session ended during the training (the mark set before it, odd; NULL while a training holds a training slot of the database).';

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
--   3. its failure: the start of retrain_if_needed()'s last failed run
--      (_pg_intent_retrain_failed_at(), ai_retrain_backoff_seq), and the
--      rows added or changed since that start as its new rows (a logged
--      row with a bad label failed every run until a human removed it).
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
        v_failed_at := intent_internal._pg_intent_retrain_failed_at();
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
SECURITY DEFINER SET search_path = pg_catalog, pg_temp
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
    v_previous bigint;
    v_mark bigint; -- this attempt's mark; NULL when it made none
BEGIN
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
    -- The attempt's mark (_pg_intent_retrain_failed_at()): its start, odd
    -- (_pg_intent_retrain_backoff_encode()).
    -- Kept if the attempt never comes back (its session terminated, the
    -- server's crash: nothing below runs), so that it backs off as a failed
    -- run, as retrain_classifiers() does for an interrupted attempt; an
    -- error raised below keeps it too. Put back as it was when the attempt
    -- completes or was only busy, and replaced by the failed run's start
    -- when it fails. setval() is not rolled back.
    -- Another session's attempt already marked (odd: the decision let this
    -- call through, so a training holds a slot) keeps its mark, and this
    -- attempt marks nothing: had it marked, it would have kept that mark as
    -- the value to put back, and put it back after that attempt put its
    -- own previous value back, leaving a mark no attempt owns, which reads
    -- as a failed run once the slots are free (an hour's back-off after two
    -- calls that were only busy). For the same reason an attempt puts the
    -- value back only while its own mark is still there.
    SELECT s.last_value INTO v_previous FROM @extschema@.ai_retrain_backoff_seq AS s;
    IF NOT coalesce((intent_internal._pg_intent_retrain_backoff_decode(v_previous)).in_progress, false) THEN
        v_mark := intent_internal._pg_intent_retrain_backoff_encode(v_attempt, true);
        PERFORM pg_catalog.setval('@extschema@.ai_retrain_backoff_seq'::regclass, v_mark);
        -- on disk before the training: a crash in it (a killed backend)
        -- keeps the mark, which its WAL alone did not
        PERFORM intent_internal._pg_intent_retrain_mark_durable();
    END IF;
    BEGIN
        v_result := @extschema@.train_intent_model(
            'auto-retrain ' || to_char(clock_timestamp() AT TIME ZONE INTERVAL '+00:00', 'YYYY-MM-DD HH24:MI:SS'), 'full', '{}'::jsonb);
    EXCEPTION
        -- A run cancelled or stopped by statement_timeout failed too: the
        -- next tick would time out the same way.
        -- Its row was rolled back with the block: v_result is NULL, and the
        -- failure recorded is the attempt's start.
        WHEN query_canceled THEN
            PERFORM intent_internal._pg_intent_retrain_record_failure((v_result ->> 'run_id')::uuid, v_attempt);
            RAISE;
        -- Only busy (_pg_intent_busy_reason(), the rule retrain_classifiers()
        -- applies): intent's training lock or every training slot held by
        -- another transaction, or a lock_timeout (the deployment lock a deploy
        -- holds in an open transaction, a locked table): 55P03; a conflict a
        -- retry resolves: 40001 (a REPEATABLE READ or SERIALIZABLE tick
        -- racing a deploy), 40P01. Reported (below) with the error, as
        -- retrain_classifiers()'s entry is (the reason alone sent whoever
        -- read it looking for a training that was not there), and nothing
        -- backs off. Any other error is raised as it came.
        WHEN OTHERS THEN
            GET STACKED DIAGNOSTICS v_busy = MESSAGE_TEXT, v_state = RETURNED_SQLSTATE;
            v_reason := intent_internal._pg_intent_busy_reason(v_state);
            IF v_reason IS NULL THEN
                RAISE;
            END IF;
    END;
    -- A failed run: back off from its start (the same statement as a
    -- cancel's, above: _pg_intent_retrain_record_failure()).
    IF v_reason IS NULL AND v_result ->> 'status' = 'failed' THEN
        PERFORM intent_internal._pg_intent_retrain_record_failure((v_result ->> 'run_id')::uuid, v_attempt);
    ELSE
        -- Completed, or only busy (v_reason set): the value put back, only
        -- while this call's own mark is there (none when it made none).
        PERFORM pg_catalog.setval('@extschema@.ai_retrain_backoff_seq'::regclass, v_previous)
           FROM @extschema@.ai_retrain_backoff_seq AS s WHERE s.last_value OPERATOR(pg_catalog.=) v_mark;
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
