-- Frozen metrics snapshots (operations).

-- The period a snapshot freezes, one rule for both kinds of snapshot: the
-- last complete period, or the one containing p_period_start, which must be
-- over. Periods are cut in the policy's time zone, never the session's: a
-- day cut under UTC and one cut under Asia/Kolkata overlapped, and
-- dashboards summing the snapshots counted messages twice. Days, weeks and
-- months are added in that zone's local time (a day is 23 or 25 hours
-- across a daylight saving change), from the local date's midnight, so that
-- periods tile even where a change skips midnight; hours as 3600 s; the zone
-- is read as the TimeZone setting reads it, never through the caller's
-- timezone_abbreviations (_pg_intent_zone_trunc(), both rules).
-- PARALLEL UNSAFE: its EXCEPTION block is a subtransaction, which parallel
-- mode forbids.
CREATE OR REPLACE FUNCTION intent_internal._pg_intent_snapshot_period(
    p_period_type text, p_period_start timestamptz,
    OUT period_start timestamptz, OUT period_end timestamptz)
LANGUAGE plpgsql STABLE PARALLEL UNSAFE
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    v_unit text;
    v_tz text;
BEGIN
    IF p_period_type IS NULL THEN
        RAISE EXCEPTION USING MESSAGE = intent_internal._pg_intent_error_words('p_period_type must not be null'), ERRCODE = '22004';
    END IF;
    v_unit := CASE p_period_type
        WHEN 'hourly' THEN 'hour' WHEN 'daily' THEN 'day'
        WHEN 'weekly' THEN 'week' WHEN 'monthly' THEN 'month' END;
    IF v_unit IS NULL THEN
        RAISE EXCEPTION USING MESSAGE = intent_internal._pg_intent_error_words('invalid value for p_period_type: "%s"', p_period_type),
                   ERRCODE = '22023', HINT = intent_internal._pg_intent_error_words('Use hourly, daily, weekly or monthly.');
    END IF;
    v_tz := (intent_internal._pg_intent_ops_policy()).snapshot_time_zone;
    IF p_period_start IS NULL THEN
        period_end := intent_internal._pg_intent_zone_trunc(v_tz, v_unit, now(), 0);
        period_start := intent_internal._pg_intent_zone_trunc(v_tz, v_unit, period_end, -1);
    ELSE
        IF NOT pg_catalog.isfinite(p_period_start) THEN
            RAISE EXCEPTION USING MESSAGE = intent_internal._pg_intent_error_words('invalid value for p_period_start: "%s"', p_period_start),
                       ERRCODE = 'invalid_parameter_value',
                      HINT = intent_internal._pg_intent_error_words('Name a period by a finite timestamp inside it.');
        END IF;
        -- A period that starts before the first representable timestamp
        -- (4714-11-24 BC, in snapshot_time_zone's local time) is a bad
        -- period, as one not over is (22023), not a 22008 of date_trunc().
        BEGIN
            period_start := intent_internal._pg_intent_zone_trunc(v_tz, v_unit, p_period_start, 0);
        EXCEPTION WHEN datetime_field_overflow THEN
            RAISE EXCEPTION USING MESSAGE = intent_internal._pg_intent_error_words('invalid value for p_period_start: "%s"', p_period_start),
                       ERRCODE = 'invalid_parameter_value',
                      HINT = intent_internal._pg_intent_error_words('The %s period containing it starts before the earliest representable timestamp.', p_period_type);
        END;
        -- A period that has not started is not over: refused before its end
        -- is computed, which past the last representable timestamp (year
        -- 294276) would fail with 22008 instead.
        IF period_start > now() THEN
            RAISE EXCEPTION USING MESSAGE = intent_internal._pg_intent_error_words('the %s period starting %s is not over yet', p_period_type, period_start),
                       ERRCODE = '22023', HINT = intent_internal._pg_intent_error_words('Snapshots freeze complete periods only.');
        END IF;
        period_end := intent_internal._pg_intent_zone_trunc(v_tz, v_unit, period_start, 1);
        IF period_end > now() THEN
            RAISE EXCEPTION USING MESSAGE = intent_internal._pg_intent_error_words('the %s period starting %s is not over yet', p_period_type, period_start),
                       ERRCODE = '22023', HINT = intent_internal._pg_intent_error_words('Snapshots freeze complete periods only.');
        END IF;
    END IF;
END
$$;
COMMENT ON FUNCTION intent_internal._pg_intent_snapshot_period(text, timestamptz) IS
    'Internal: the start and end of the complete period a snapshot freezes (create_metrics_snapshot(), create_classifier_metrics_snapshot()), cut in ai_training_policy.snapshot_time_zone.';

-- The models serving at the end of a period, one rule for both kinds of
-- snapshot: per partition (NULL: the unpartitioned or fallback model; intent
-- has only that), the last deployment of the classifier (by its identity,
-- so never an earlier classifier's of the name) before p_end, the later
-- deployment row first at one instant. So a period frozen long after still
-- names the models that served it. Read with the caller's rights.
CREATE OR REPLACE FUNCTION intent_internal._pg_intent_serving_models(
    p_name text, p_classifier_id bigint, p_end timestamptz,
    OUT partition_key text, OUT model_id bigint)
RETURNS SETOF record
LANGUAGE sql STABLE PARALLEL SAFE
SET search_path = pg_catalog, pg_temp
AS $$
    SELECT DISTINCT ON (d.partition_key) d.partition_key, d.model_id
      FROM @extschema@.ai_model_deployments AS d
     WHERE d.classifier OPERATOR(pg_catalog.=) p_name AND d.classifier_id OPERATOR(pg_catalog.=) p_classifier_id
       AND d.deployed_at OPERATOR(pg_catalog.<) p_end
     ORDER BY d.partition_key, d.deployed_at DESC, d.id DESC
$$;
COMMENT ON FUNCTION intent_internal._pg_intent_serving_models(text, bigint, timestamptz) IS
    'Internal: for create_metrics_snapshot() and create_classifier_metrics_snapshot(): the models serving a classifier at p_end, per partition (NULL: its unpartitioned or fallback model), the last deployment of that classifier (by identity) before it; read with the caller''s rights.';

-- Freezes the metrics of one complete period into ai_metrics_snapshots: the
-- last one, or the one containing p_period_start (backfill), idempotently.
CREATE OR REPLACE FUNCTION @extschema@.create_metrics_snapshot(
    p_period_type text DEFAULT 'daily', p_period_start timestamptz DEFAULT NULL)
RETURNS jsonb
LANGUAGE plpgsql VOLATILE PARALLEL UNSAFE
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    v_tz text;
    v_other record;
    v_end timestamptz;
    v_start timestamptz;
    v_m jsonb;
    v_model bigint;
    v_id uuid;
    v_try integer;
BEGIN
    SELECT p.period_start, p.period_end INTO v_start, v_end
      FROM intent_internal._pg_intent_snapshot_period(p_period_type, p_period_start) AS p;
    v_tz := (intent_internal._pg_intent_ops_policy()).snapshot_time_zone;
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
        RAISE EXCEPTION USING MESSAGE = intent_internal._pg_intent_error_words('the %s period from %s to %s overlaps the snapshot from %s to %s', p_period_type, v_start, v_end, v_other.period_start, v_other.period_end),
                   ERRCODE = 'exclusion_violation',
                  DETAIL = intent_internal._pg_intent_error_words('Periods are cut in ai_training_policy.snapshot_time_zone (%s); that snapshot was cut in another time zone.', coalesce(v_tz, '')),
                  HINT = intent_internal._pg_intent_error_words('Set snapshot_time_zone back to the zone the existing snapshots were cut in, or delete them and take them again.');
    END IF;
    v_m := intent_internal._pg_intent_window_metrics(v_start, v_end);
    -- The model that was active at the end of the period, also for a period
    -- frozen long after (the rule every classifier's snapshot reads).
    SELECT m.model_id INTO v_model
      FROM intent_internal._pg_intent_serving_models('intent', 0, v_end) AS m
     WHERE m.partition_key IS NULL;

    -- A call that inserts the period's row while this one is between the
    -- arbiter's check (UNIQUE (period_type, period_start)) and its index
    -- entries makes the exclusion constraint, which no ON CONFLICT can
    -- name, fail this insert (23P01) instead of the arbiter updating the
    -- row (test/scripts/snapshot_race.sh): tried once more, it finds the
    -- committed row and updates it. A second 23P01 is a real overlap.
    FOR v_try IN 1..2 LOOP
        BEGIN
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
            EXIT;
        EXCEPTION WHEN exclusion_violation THEN
            IF v_try = 2 THEN
                RAISE;
            END IF;
        END;
    END LOOP;

    RETURN jsonb_build_object('snapshot_id', v_id, 'period_type', p_period_type,
                              'period_start', v_start, 'period_end', v_end, 'model_id', v_model)
        || (v_m - 'window_start' - 'window_end');
END
$$;
COMMENT ON FUNCTION @extschema@.create_metrics_snapshot(text, timestamptz) IS
    'Stores the metrics of a complete hourly, daily, weekly or monthly period, cut in ai_training_policy.snapshot_time_zone (default UTC, never the session''s), in ai_metrics_snapshots: the last one, or the one containing p_period_start (backfill; a period not yet over, or a non-finite p_period_start, raises 22023). Calling it again for the same period updates that row; a period overlapping another snapshot of its type raises 23P01. Returns the snapshot.';


-- Freezes a classifier's health over one complete period into
-- ai_classifier_metrics_snapshots, idempotently, as create_metrics_snapshot()
-- freezes the built-in table's traffic: the models active at the period's
-- end (the last deployment before it, per partition, so a period frozen
-- later still names the models that served it), the runs started in the
-- period, and the source rows added in it.
--
-- Runs as its caller, as get_classifier_metrics() does: the models, runs and
-- deployments are read with the caller's privileges, and the source is
-- counted as the classifier's owner in a security-restricted operation
-- (_pg_intent_count_classifier_source()), for a caller with the right to
-- train it; another caller stores NULL and the reason. extra_float_digits
-- is pinned to its default: the F1s go into the stored jsonb through their
-- text form, and a taker's -15 stored them cut to one digit.
CREATE OR REPLACE FUNCTION @extschema@.create_classifier_metrics_snapshot(
    p_name text, p_period_type text DEFAULT 'daily', p_period_start timestamptz DEFAULT NULL)
RETURNS jsonb
LANGUAGE plpgsql VOLATILE PARALLEL UNSAFE
SET search_path = pg_catalog, pg_temp
SET extra_float_digits = 1
AS $$
DECLARE
    v_plan record;
    v_classifier_id bigint := 0; -- intent's
    v_start timestamptz;
    v_end timestamptz;
    v_other record;
    v_model record;
    v_runs record;
    v_new_rows bigint;
    v_unknown text;
    v_not_allowed boolean := false;
    v_details jsonb;
    v_id uuid;
BEGIN
    IF p_name IS NULL THEN
        RAISE EXCEPTION USING MESSAGE = intent_internal._pg_intent_error_words('p_name must not be null'), ERRCODE = '22004';
    END IF;
    IF p_name OPERATOR(pg_catalog.<>) 'intent' THEN
        -- what the caller may know of it; else refused (42704 only to a role that
        -- may know which classifiers exist)
        SELECT * INTO v_plan FROM intent_internal._pg_intent_classifier_facts(p_name);
        -- its own runs and deployments, not an earlier classifier's of the name
        v_classifier_id := v_plan.classifier_id;
    END IF;
    SELECT p.period_start, p.period_end INTO v_start, v_end
      FROM intent_internal._pg_intent_snapshot_period(p_period_type, p_period_start) AS p;
    -- Two snapshots of one classifier and period type never cover the same
    -- time: one cut under another snapshot_time_zone is named, not doubled.
    SELECT s.period_start, s.period_end INTO v_other
      FROM @extschema@.ai_classifier_metrics_snapshots AS s
     WHERE s.classifier OPERATOR(pg_catalog.=) p_name
       AND s.period_type OPERATOR(pg_catalog.=) p_period_type
       AND s.period_start OPERATOR(pg_catalog.<>) v_start
       AND s.period_start OPERATOR(pg_catalog.<) v_end AND s.period_end OPERATOR(pg_catalog.>) v_start
     ORDER BY s.period_start
     LIMIT 1;
    IF FOUND THEN
        RAISE EXCEPTION USING MESSAGE = intent_internal._pg_intent_error_words('the %s period from %s to %s overlaps the snapshot of classifier "%s" from %s to %s', p_period_type, v_start, v_end, p_name, v_other.period_start, v_other.period_end),
                   ERRCODE = 'exclusion_violation',
                  DETAIL = intent_internal._pg_intent_error_words('Periods are cut in ai_training_policy.snapshot_time_zone (%s); that snapshot was cut in another time zone.',
                                             coalesce((intent_internal._pg_intent_ops_policy()).snapshot_time_zone, '')),
                  HINT = intent_internal._pg_intent_error_words('Set snapshot_time_zone back to the zone the existing snapshots were cut in, or delete them and take them again.');
    END IF;

    -- The models serving at the end of the period: per partition (NULL: the
    -- unpartitioned or fallback model), the last deployment before it.
    WITH serving AS (
        SELECT a.partition_key, a.model_id, m.version,
               intent_internal._pg_intent_model_f1(m.metrics)::float8 AS f1,
               (m.metrics ->> 'accuracy')::float8 AS accuracy, (m.metrics ->> 'coverage')::float8 AS coverage
          FROM intent_internal._pg_intent_serving_models(p_name, v_classifier_id, v_end) AS a
          LEFT JOIN @extschema@.ai_intent_models AS m ON m.id OPERATOR(pg_catalog.=) a.model_id),
    own AS (
        SELECT x.*, row_number() OVER (ORDER BY x.f1 NULLS FIRST, x.partition_key) AS rank
          FROM serving AS x WHERE x.partition_key IS NOT NULL)
    SELECT f.model_id, f.version, f.f1, f.accuracy, f.coverage,
           (SELECT count(*)::integer FROM own) AS models,
           (SELECT min(o.f1) FROM own AS o) AS f1_min,
           (SELECT percentile_cont(0.5) WITHIN GROUP (ORDER BY o.f1) FROM own AS o) AS f1_median,
           (SELECT jsonb_agg(jsonb_build_object('partition', o.partition_key, 'model_id', o.model_id, 'f1', o.f1)
                             ORDER BY o.rank)
              FROM own AS o WHERE o.rank OPERATOR(pg_catalog.<=) 5) AS weakest
      INTO v_model
      FROM (SELECT 1) AS one
      LEFT JOIN serving AS f ON f.partition_key IS NULL;

    SELECT count(*)::integer AS total,
           (count(*) FILTER (WHERE r.status OPERATOR(pg_catalog.=) 'completed'))::integer AS completed,
           (count(*) FILTER (WHERE r.status OPERATOR(pg_catalog.=) 'failed'))::integer AS failed,
           (count(*) FILTER (WHERE r.deployed))::integer AS deployed,
           coalesce((SELECT jsonb_object_agg(g.reason, g.n)
                       FROM (SELECT x.deploy_reason AS reason, count(*) AS n
                               FROM @extschema@.ai_training_runs AS x
                              WHERE x.classifier OPERATOR(pg_catalog.=) p_name AND x.classifier_id OPERATOR(pg_catalog.=) v_classifier_id
                                AND x.deploy_reason IS NOT NULL
                                AND x.started_at OPERATOR(pg_catalog.>=) v_start
                                AND x.started_at OPERATOR(pg_catalog.<) v_end
                              GROUP BY x.deploy_reason) AS g), '{}'::jsonb) AS reasons
      INTO v_runs
      FROM @extschema@.ai_training_runs AS r
     WHERE r.classifier OPERATOR(pg_catalog.=) p_name AND r.classifier_id OPERATOR(pg_catalog.=) v_classifier_id
       AND r.started_at OPERATOR(pg_catalog.>=) v_start AND r.started_at OPERATOR(pg_catalog.<) v_end;

    -- The rows the period added: intent's as the caller, another
    -- classifier's as its owner. A count that fails stores the row without
    -- it, by the one rule get_classifier_metrics() reports by too
    -- (_pg_intent_try_count_classifier_source()): one classifier's source
    -- must not cost the other classifiers of the scheduled job (a single
    -- statement) their snapshots.
    IF p_name OPERATOR(pg_catalog.=) 'intent' THEN
        BEGIN
            SELECT count(*) INTO v_new_rows
              FROM @extschema@.ai_training_data AS t
             WHERE t.created_at OPERATOR(pg_catalog.>=) v_start AND t.created_at OPERATOR(pg_catalog.<) v_end;
        EXCEPTION WHEN insufficient_privilege THEN
            v_unknown := pg_catalog.left(SQLERRM, 200);
            v_not_allowed := true;
        END;
    ELSIF NOT v_plan.has_time_column THEN
        v_unknown := 'the classifier has no time_column';
    ELSE
        SELECT t.new_rows, t.unknown, t.not_allowed INTO v_new_rows, v_unknown, v_not_allowed
          FROM intent_internal._pg_intent_try_count_classifier_source(p_name, v_start, v_end) AS t;
    END IF;

    v_details := jsonb_build_object('deploy_reasons', v_runs.reasons,
                                    'weakest', coalesce(v_model.weakest, '[]'::jsonb),
                                    'new_rows_unknown', v_unknown,
                                    'classifier_id', v_classifier_id);
    INSERT INTO @extschema@.ai_classifier_metrics_snapshots AS s
        (classifier, period_type, period_start, period_end, model_id, model_version, model_f1,
         model_accuracy, model_coverage, partition_models, partition_f1_min, partition_f1_median,
         runs, runs_completed, runs_failed, runs_deployed, new_rows, details)
    VALUES (p_name, p_period_type, v_start, v_end, v_model.model_id, v_model.version, v_model.f1,
            v_model.accuracy, v_model.coverage, v_model.models, v_model.f1_min, v_model.f1_median,
            v_runs.total, v_runs.completed, v_runs.failed, v_runs.deployed, v_new_rows, v_details)
    ON CONFLICT (classifier, period_type, period_start) DO UPDATE SET
        period_end = EXCLUDED.period_end,
        model_id = EXCLUDED.model_id,
        model_version = EXCLUDED.model_version,
        model_f1 = EXCLUDED.model_f1,
        model_accuracy = EXCLUDED.model_accuracy,
        model_coverage = EXCLUDED.model_coverage,
        partition_models = EXCLUDED.partition_models,
        partition_f1_min = EXCLUDED.partition_f1_min,
        partition_f1_median = EXCLUDED.partition_f1_median,
        runs = EXCLUDED.runs,
        runs_completed = EXCLUDED.runs_completed,
        runs_failed = EXCLUDED.runs_failed,
        runs_deployed = EXCLUDED.runs_deployed,
        -- A count a caller could take stays when a later caller of the
        -- period may not count (without the right to train: a dashboard's),
        -- if the stored row is this classifier's, not a dropped one's of the
        -- same name (details.classifier_id): it overwrote the count with
        -- NULL. Any other reason to have no count (no time_column now)
        -- stores it. (0.3.2's first rule, the stored row's model, lost the
        -- count of every period in which no model served.)
        (new_rows, details) =
            (SELECT CASE WHEN k.keep THEN s.new_rows ELSE EXCLUDED.new_rows END,
                    CASE WHEN k.keep THEN EXCLUDED.details OPERATOR(pg_catalog.||)
                                          pg_catalog.jsonb_build_object('new_rows_unknown', NULL)
                         ELSE EXCLUDED.details END
               FROM (SELECT v_not_allowed AND s.new_rows IS NOT NULL
                            AND CASE WHEN s.details OPERATOR(pg_catalog.?) 'classifier_id'
                                     THEN (s.details OPERATOR(pg_catalog.->>) 'classifier_id')::bigint
                                          OPERATOR(pg_catalog.=) v_classifier_id
                                     -- COMPAT(0.3.1) a row stored before details held
                                     -- classifier_id: by its model
                                     ELSE (SELECT m.classifier_id FROM @extschema@.ai_intent_models AS m
                                            WHERE m.id OPERATOR(pg_catalog.=) s.model_id)
                                          IS NOT DISTINCT FROM v_classifier_id END AS keep) AS k),
        created_at = now()
    RETURNING s.id INTO v_id;

    RETURN jsonb_build_object(
        'snapshot_id', v_id, 'classifier', p_name, 'period_type', p_period_type,
        'period_start', v_start, 'period_end', v_end,
        'model_id', v_model.model_id, 'model_version', v_model.version, 'model_f1', v_model.f1,
        'model_accuracy', v_model.accuracy, 'model_coverage', v_model.coverage,
        'partition_models', v_model.models, 'partition_f1_min', v_model.f1_min,
        'partition_f1_median', v_model.f1_median,
        'runs', v_runs.total, 'runs_completed', v_runs.completed, 'runs_failed', v_runs.failed,
        'runs_deployed', v_runs.deployed, 'new_rows', v_new_rows)
        || v_details;
END
$$;
COMMENT ON FUNCTION @extschema@.create_classifier_metrics_snapshot(text, text, timestamptz) IS
    'Stores a classifier''s health over a complete hourly, daily, weekly or monthly period (cut as create_metrics_snapshot() cuts it) in ai_classifier_metrics_snapshots: the model active at the period''s end (id, version, test f1, accuracy, coverage; fractions 0-1), its partitions'' models (count, f1 min and median, the five weakest), the runs started in the period (total, completed, failed, deployed, deploy_reasons), and new_rows (source rows whose time_column falls in the period, counted as the classifier''s owner in a security-restricted operation; NULL and new_rows_unknown without a time_column, when the caller may not train the classifier (a count stored for the period stays then), or when the count fails (an orphaned classifier, the source''s data or code: the error''s message, cut at 200 characters; a cancel or statement_timeout still raises). Works for intent too. Calling it again for the same period updates that row. Unknown classifier 42704, NULL argument 22004, bad period 22023, a period overlapping another snapshot of the classifier 23P01. Returns the snapshot.';
