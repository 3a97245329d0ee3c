-- Scheduled retraining (operations).

------------------------------------------------------------------------------
-- Scheduled retraining
------------------------------------------------------------------------------

-- Whether enough new data has arrived to retrain.
CREATE OR REPLACE FUNCTION @extschema@.should_retrain()
RETURNS boolean
LANGUAGE plpgsql STABLE PARALLEL SAFE
AS $$
BEGIN
    PERFORM @extschema@.pg_intent_loaded();
    RETURN @extschema@._pg_intent_samples_since_last_train()
               >= current_setting('pg_intent.auto_retrain_threshold')::bigint
       AND (SELECT count(*) FROM @extschema@.ai_training_data d
            WHERE coalesce(d.correct_intent, d.detected_intent) IS NOT NULL
              AND d.dataset_status IS DISTINCT FROM 'rejected')
               >= current_setting('pg_intent.min_samples_for_training')::bigint;
END
$$;
COMMENT ON FUNCTION @extschema@.should_retrain() IS
    'True when the rows recorded since the last completed training run reach pg_intent.auto_retrain_threshold and there are at least pg_intent.min_samples_for_training usable samples.';

-- Trains when should_retrain() says so; safe to call from pg_cron often.
-- Privileged like train_intent_model(): SECURITY DEFINER with a pinned
-- search_path, closed to PUBLIC (grant EXECUTE to the scheduler's role).
CREATE OR REPLACE FUNCTION @extschema@.retrain_if_needed()
RETURNS jsonb
LANGUAGE plpgsql VOLATILE PARALLEL UNSAFE
SECURITY DEFINER SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    v_since bigint;
    v_result jsonb;
BEGIN
    PERFORM @extschema@.pg_intent_loaded();
    v_since := @extschema@._pg_intent_samples_since_last_train();
    IF NOT @extschema@.should_retrain() THEN
        RETURN jsonb_build_object(
            'retrained', false,
            'reason', CASE WHEN v_since < current_setting('pg_intent.auto_retrain_threshold')::bigint
                           THEN 'not enough new samples since the last training'
                           ELSE 'not enough training samples' END,
            'samples_since_last_train', v_since,
            'auto_retrain_threshold', current_setting('pg_intent.auto_retrain_threshold')::bigint,
            'min_samples_for_training', current_setting('pg_intent.min_samples_for_training')::bigint);
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

