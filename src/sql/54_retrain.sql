-- Scheduled retraining (operations).

------------------------------------------------------------------------------
-- Scheduled retraining
------------------------------------------------------------------------------

-- Whether enough new data has arrived to retrain.
CREATE OR REPLACE FUNCTION @extschema@.should_retrain()
RETURNS boolean
LANGUAGE plpgsql STABLE PARALLEL SAFE
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    v_policy record := @extschema@._pg_intent_policy();
BEGIN
    RETURN @extschema@._pg_intent_samples_since_last_train() >= v_policy.auto_retrain_threshold
       AND least(@extschema@._pg_intent_usable_samples(v_policy.only_reviewed), v_policy.max_training_rows)
           >= v_policy.min_samples_for_training;
END
$$;
COMMENT ON FUNCTION @extschema@.should_retrain() IS
    'True when the rows added or corrected since the last completed training run reach ai_training_policy.auto_retrain_threshold and there are at least ai_training_policy.min_samples_for_training usable samples (under the policy''s only_reviewed: reviewed rows added or changed, and reviewed samples).';

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
    v_since bigint;
    v_result jsonb;
BEGIN
    v_policy := @extschema@._pg_intent_policy();
    -- should_retrain()'s two conditions, each counted once: which one fails
    -- is the reason given.
    v_since := @extschema@._pg_intent_samples_since_last_train();
    IF v_since < v_policy.auto_retrain_threshold
       OR least(@extschema@._pg_intent_usable_samples(v_policy.only_reviewed), v_policy.max_training_rows)
          < v_policy.min_samples_for_training THEN
        RETURN jsonb_build_object(
            'retrained', false,
            'reason', CASE WHEN v_since < v_policy.auto_retrain_threshold
                           THEN 'not enough new samples since the last training'
                           ELSE 'not enough training samples' END,
            'samples_since_last_train', v_since,
            'auto_retrain_threshold', v_policy.auto_retrain_threshold,
            'min_samples_for_training', v_policy.min_samples_for_training);
    END IF;
    BEGIN
        v_result := @extschema@.train_intent_model(
            'auto-retrain ' || to_char(clock_timestamp(), 'YYYY-MM-DD HH24:MI:SS'), 'full', '{}'::jsonb);
    EXCEPTION WHEN lock_not_available THEN
        RETURN jsonb_build_object('retrained', false,
                                  'reason', 'another training run is in progress',
                                  'samples_since_last_train', v_since);
    END;
    -- A job scheduler records a function that returns as a success: asked
    -- to, report a failed run as an error (pg_cron's job_run_details then
    -- says failed, with the run's error). The error rolls the failed run's
    -- row back; its message carries what the row would have said.
    IF coalesce(p_raise_on_failure, false) AND v_result ->> 'status' = 'failed' THEN
        RAISE EXCEPTION 'automatic retraining failed: %', v_result ->> 'error'
            USING ERRCODE = coalesce(v_result ->> 'sqlstate', 'XX000'),
                  DETAIL = format('Training run %s failed after %s s; raising rolls its row in ai_training_runs back.',
                                  v_result ->> 'run_id', round((v_result ->> 'duration_seconds')::numeric, 1)),
                  HINT = 'Without p_raise_on_failure the run is kept in ai_training_runs with status failed.';
    END IF;
    RETURN jsonb_build_object('retrained', true, 'samples_since_last_train', v_since,
                              'result', v_result);
END
$$;
COMMENT ON FUNCTION @extschema@.retrain_if_needed(boolean) IS
    'Runs train_intent_model() when should_retrain() is true. Returns {"retrained": false, "reason", "samples_since_last_train"} or {"retrained": true, "result": <training result>}; does not raise when another training run holds the lock. With p_raise_on_failure a failed run raises (for pg_cron, whose job_run_details then shows failed). Meant for pg_cron.';

