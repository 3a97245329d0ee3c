-- Frozen metrics snapshots (operations).

-- Freezes the metrics of one complete period into ai_metrics_snapshots: the
-- last one, or the one containing p_period_start (backfill), idempotently.
CREATE OR REPLACE FUNCTION @extschema@.create_metrics_snapshot(
    p_period_type text DEFAULT 'daily', p_period_start timestamptz DEFAULT NULL)
RETURNS jsonb
LANGUAGE plpgsql VOLATILE PARALLEL UNSAFE
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    v_unit text;
    v_tz text;
    v_other record;
    v_end timestamptz;
    v_start timestamptz;
    v_m jsonb;
    v_model bigint;
    v_id uuid;
BEGIN
    IF p_period_type IS NULL THEN
        RAISE EXCEPTION 'p_period_type must not be null' USING ERRCODE = '22004';
    END IF;
    v_unit := CASE p_period_type
        WHEN 'hourly' THEN 'hour' WHEN 'daily' THEN 'day'
        WHEN 'weekly' THEN 'week' WHEN 'monthly' THEN 'month' END;
    IF v_unit IS NULL THEN
        RAISE EXCEPTION 'invalid value for p_period_type: "%"', p_period_type
            USING ERRCODE = '22023', HINT = 'Use hourly, daily, weekly or monthly.';
    END IF;
    -- Periods are cut in the policy's time zone, never the session's: a
    -- day cut under UTC and one cut under Asia/Kolkata overlapped, and
    -- dashboards summing the snapshots counted messages twice. The last
    -- complete period ends where the current one begins; a given
    -- p_period_start names the period that contains it, which must be over.
    -- Days, weeks and months are added in that zone's local time (a day is
    -- 23 or 25 hours across a daylight saving change), hours as 3600 s.
    v_tz := (@extschema@._pg_intent_ops_policy()).snapshot_time_zone;
    IF p_period_start IS NULL THEN
        v_end := pg_catalog.date_trunc(v_unit, now(), v_tz);
        v_start := CASE WHEN v_unit OPERATOR(pg_catalog.=) 'hour' THEN v_end - '1 hour'::interval
                        ELSE pg_catalog.timezone(v_tz, pg_catalog.timezone(v_tz, v_end) - ('1 ' || v_unit)::interval) END;
    ELSE
        IF NOT pg_catalog.isfinite(p_period_start) THEN
            RAISE EXCEPTION 'invalid value for p_period_start: "%"', p_period_start
                USING ERRCODE = 'invalid_parameter_value',
                      HINT = 'Name a period by a finite timestamp inside it.';
        END IF;
        v_start := pg_catalog.date_trunc(v_unit, p_period_start, v_tz);
        v_end := CASE WHEN v_unit OPERATOR(pg_catalog.=) 'hour' THEN v_start + '1 hour'::interval
                      ELSE pg_catalog.timezone(v_tz, pg_catalog.timezone(v_tz, v_start) + ('1 ' || v_unit)::interval) END;
        IF v_end > now() THEN
            RAISE EXCEPTION 'the % period starting % is not over yet', p_period_type, v_start
                USING ERRCODE = '22023', HINT = 'Snapshots freeze complete periods only.';
        END IF;
    END IF;
    -- A snapshot of this type that covers part of the period, cut at other
    -- hours (before the time zone was the policy's, or under another
    -- snapshot_time_zone): refused, as the exclusion constraints refuse it,
    -- but with the rows named.
    SELECT s.period_start, s.period_end INTO v_other
      FROM @extschema@.ai_metrics_snapshots AS s
     WHERE s.period_type OPERATOR(pg_catalog.=) p_period_type
       AND s.period_start OPERATOR(pg_catalog.<>) v_start
       AND s.period_start OPERATOR(pg_catalog.<) v_end AND s.period_end OPERATOR(pg_catalog.>) v_start
     ORDER BY s.period_start
     LIMIT 1;
    IF FOUND THEN
        RAISE EXCEPTION 'the % period from % to % overlaps the snapshot from % to %',
                        p_period_type, v_start, v_end, v_other.period_start, v_other.period_end
            USING ERRCODE = 'exclusion_violation',
                  DETAIL = pg_catalog.format('Periods are cut in ai_training_policy.snapshot_time_zone (%s); that snapshot was cut in another time zone.', v_tz),
                  HINT = 'Set snapshot_time_zone back to the zone the existing snapshots were cut in, or delete them and take them again.';
    END IF;
    v_m := @extschema@._pg_intent_window_metrics(v_start, v_end);
    -- The model that was active at the end of the period (the last deployment
    -- before it), also for a period frozen long after.
    SELECT d.model_id INTO v_model
      FROM @extschema@.ai_model_deployments AS d
     WHERE d.deployed_at < v_end AND d.classifier = 'intent'
     ORDER BY d.deployed_at DESC, d.id DESC
     LIMIT 1;

    INSERT INTO @extschema@.ai_metrics_snapshots AS s
        (period_type, period_start, period_end, total_messages, ai_resolved, escalated,
         escalation_rate, avg_confidence, intent_accuracy, correction_rate,
         top_intents, top_misclassified, model_id)
    VALUES (p_period_type, v_start, v_end, (v_m ->> 'total_messages')::integer,
            (v_m ->> 'ai_resolved')::integer, (v_m ->> 'escalated')::integer,
            (v_m ->> 'escalation_rate')::numeric, (v_m ->> 'avg_confidence')::numeric,
            (v_m ->> 'intent_accuracy')::numeric, (v_m ->> 'correction_rate')::numeric,
            v_m -> 'top_intents', v_m -> 'top_misclassified', v_model)
    ON CONFLICT (period_type, period_start) DO UPDATE SET
        period_end = EXCLUDED.period_end,
        total_messages = EXCLUDED.total_messages,
        ai_resolved = EXCLUDED.ai_resolved,
        escalated = EXCLUDED.escalated,
        escalation_rate = EXCLUDED.escalation_rate,
        avg_confidence = EXCLUDED.avg_confidence,
        intent_accuracy = EXCLUDED.intent_accuracy,
        correction_rate = EXCLUDED.correction_rate,
        top_intents = EXCLUDED.top_intents,
        top_misclassified = EXCLUDED.top_misclassified,
        model_id = EXCLUDED.model_id
    RETURNING s.id INTO v_id;

    RETURN jsonb_build_object('snapshot_id', v_id, 'period_type', p_period_type,
                              'period_start', v_start, 'period_end', v_end, 'model_id', v_model)
        || (v_m - 'window_start' - 'window_end');
END
$$;
COMMENT ON FUNCTION @extschema@.create_metrics_snapshot(text, timestamptz) IS
    'Stores the metrics of a complete hourly, daily, weekly or monthly period, cut in ai_training_policy.snapshot_time_zone (default UTC, never the session''s), in ai_metrics_snapshots: the last one, or the one containing p_period_start (backfill; a period not yet over, or a non-finite p_period_start, raises 22023). Calling it again for the same period updates that row; a period overlapping another snapshot of its type raises 23P01. Returns the snapshot.';

