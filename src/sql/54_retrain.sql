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
BEGIN
    RETURN @extschema@._pg_intent_samples_since_last_train()
               >= (@extschema@._pg_intent_policy()).auto_retrain_threshold
       AND (SELECT count(*) FROM @extschema@.ai_training_data d
            WHERE coalesce(d.correct_intent, d.detected_intent) IS NOT NULL
              AND d.dataset_status IS DISTINCT FROM 'rejected')
               >= (@extschema@._pg_intent_policy()).min_samples_for_training;
END
$$;
COMMENT ON FUNCTION @extschema@.should_retrain() IS
    'True when the rows recorded since the last completed training run reach ai_training_policy.auto_retrain_threshold and there are at least ai_training_policy.min_samples_for_training usable samples.';

-- Trains when should_retrain() says so; safe to call from pg_cron often.
-- Privileged like train_intent_model(): SECURITY DEFINER with a pinned
-- search_path, closed to PUBLIC (grant EXECUTE to the scheduler's role).
CREATE OR REPLACE FUNCTION @extschema@.retrain_if_needed()
RETURNS jsonb
LANGUAGE plpgsql VOLATILE PARALLEL UNSAFE
SECURITY DEFINER SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    v_policy @extschema@.ai_training_policy;
    v_since bigint;
    v_result jsonb;
BEGIN
    v_policy := @extschema@._pg_intent_policy();
    v_since := @extschema@._pg_intent_samples_since_last_train();
    IF NOT @extschema@.should_retrain() THEN
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
    RETURN jsonb_build_object('retrained', true, 'samples_since_last_train', v_since,
                              'result', v_result);
END
$$;
COMMENT ON FUNCTION @extschema@.retrain_if_needed() IS
    'Runs train_intent_model() when should_retrain() is true. Returns {"retrained": false, "reason", "samples_since_last_train"} or {"retrained": true, "result": <training result>}; does not raise when another training run holds the lock. Meant for pg_cron.';

