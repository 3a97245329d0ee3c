-- A classifier's health for dashboards (0.3.1): its deployed models, its
-- runs over the last p_days days, and how many new rows wait for the next
-- training. get_ai_training_metrics() keeps describing the built-in table's
-- traffic (escalations, reviews, corrections), which only intent has.

-- The window of days a dashboard reads, for get_classifier_metrics() and
-- get_ai_training_metrics() (50_metrics.sql): not NULL (22004), 1 to 36500
-- days (22023). One statement of the range and its words (issue 33: each
-- function wrote them out).
CREATE OR REPLACE FUNCTION intent_internal._pg_intent_check_days(p_days integer)
RETURNS void
LANGUAGE plpgsql STABLE PARALLEL SAFE
SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
    IF p_days IS NULL THEN
        RAISE EXCEPTION USING MESSAGE = intent_internal._pg_intent_error_words('p_days must not be null'), ERRCODE = '22004';
    END IF;
    IF p_days < 1 OR p_days > 36500 THEN
        RAISE EXCEPTION USING MESSAGE = intent_internal._pg_intent_error_words('invalid value for p_days: %s', p_days),
                   ERRCODE = '22023', DETAIL = intent_internal._pg_intent_error_words('p_days must be between 1 and 36500.');
    END IF;
END
$$;
COMMENT ON FUNCTION intent_internal._pg_intent_check_days(integer) IS
    'Internal: raises 22004 for a NULL p_days and 22023 outside 1 to 36500 (the window of get_ai_training_metrics() and get_classifier_metrics()).';

-- get_classifier_metrics() runs as its caller: the models and runs are read from ai_intent_models and
-- ai_training_runs with the caller's privileges (the dashboard grants of
-- docs/privileges.md). The source is counted AS THE CLASSIFIER'S OWNER in a
-- security-restricted operation (_pg_intent_count_classifier_source(): its
-- code never runs with the caller's rights), for a caller with the right to
-- train the classifier; another caller gets NULL and the reason, not an
-- error. The retraining rule's inputs come through the owner, from
-- _pg_intent_classifier_facts(), never the source's name or rows.
-- extra_float_digits is pinned to its default: the F1s go into jsonb through
-- their text form, and a caller's -15 cut them to one digit. PARALLEL
-- UNSAFE: the count's subtransaction cannot start in parallel mode, which
-- the leader of a parallel plan is in when it runs a restricted function
-- above the Gather.
CREATE OR REPLACE FUNCTION @extschema@.get_classifier_metrics(p_name text, p_days integer DEFAULT 7)
RETURNS jsonb
LANGUAGE plpgsql STABLE PARALLEL UNSAFE
SET search_path = pg_catalog, pg_temp
SET extra_float_digits = 1
AS $$
DECLARE
    v_end timestamptz := now();
    v_start timestamptz;
    v_built_in boolean := p_name = 'intent';
    v_plan record;
    v_classifier_id bigint := 0; -- intent's; another classifier's from its facts
    v_count bigint;
    v_new_rows bigint;
    v_due boolean;
    v_threshold integer;
    v_unknown text;
    v_active jsonb;
    v_partitions jsonb;
    v_by_fallback jsonb;
    v_runs jsonb;
    v_last jsonb;
BEGIN
    IF p_name IS NULL THEN
        RAISE EXCEPTION USING MESSAGE = intent_internal._pg_intent_error_words('p_name must not be null'), ERRCODE = '22004';
    END IF;
    PERFORM intent_internal._pg_intent_check_days(p_days);
    IF NOT v_built_in THEN
        -- what the caller may know of it; else refused (42704 only to a role that
        -- may know which classifiers exist)
        SELECT * INTO v_plan FROM intent_internal._pg_intent_classifier_facts(p_name);
        v_threshold := v_plan.threshold;
        -- its own runs: an earlier classifier's of the same name are another
        -- classifier's history (its models are no longer active: drop_classifier()
        -- deactivates every model active under the name, and the recipe's
        -- readers may not read ai_intent_models.classifier_id)
        v_classifier_id := v_plan.classifier_id;
    END IF;
    -- p_days times 24 hours, whatever the session's TimeZone (as
    -- get_ai_training_metrics())
    v_start := v_end - make_interval(hours => 24 * p_days);

    -- The model that answers without a partition: the classifier's only
    -- one, or a partitioned classifier's fallback.
    SELECT jsonb_build_object(
               'id', m.id, 'version', m.version, 'created_at', m.created_at, 'deployed_at', m.deployed_at,
               'labels', cardinality(m.intents),
               'f1', intent_internal._pg_intent_model_f1(m.metrics)::float8,
               'accuracy', (m.metrics ->> 'accuracy')::float8,
               'coverage', (m.metrics ->> 'coverage')::float8)
      INTO v_active
      FROM @extschema@.ai_intent_models AS m
     WHERE m.classifier = p_name AND m.partition_key IS NULL AND m.is_active;

    -- The partitions' own models: how many, the spread of their test F1,
    -- and the five weakest (the tenants whose model to look at first).
    WITH own AS (
        SELECT m.partition_key, m.id,
               intent_internal._pg_intent_model_f1(m.metrics)::float8 AS f1
          FROM @extschema@.ai_intent_models AS m
         WHERE m.classifier = p_name AND m.partition_key IS NOT NULL AND m.is_active)
    SELECT CASE WHEN (SELECT count(*) FROM own) > 0 THEN jsonb_build_object(
               'models', (SELECT count(*) FROM own),
               'f1_min', (SELECT min(o.f1) FROM own AS o),
               'f1_median', (SELECT percentile_cont(0.5) WITHIN GROUP (ORDER BY o.f1) FROM own AS o),
               'f1_max', (SELECT max(o.f1) FROM own AS o),
               'weakest', (SELECT jsonb_agg(jsonb_build_object('partition', w.partition_key, 'model_id', w.id,
                                                               'f1', w.f1)
                                            ORDER BY w.f1 NULLS FIRST, w.partition_key)
                             FROM (SELECT o.partition_key, o.id, o.f1 FROM own AS o
                                    ORDER BY o.f1 NULLS FIRST, o.partition_key LIMIT 5) AS w)) END
      INTO v_partitions;

    -- The partitions the fallback serves because it beat their own model
    -- (issue 34, point 2): the latest completed run of each partition
    -- without an active model of its own, refused as fallback_better, with
    -- both models' figures on the partition's rows (the five weakest
    -- candidates first).
    WITH latest AS (
        SELECT DISTINCT ON (r.partition_key) r.partition_key, r.id, r.deploy_reason, r.deploy_evidence,
               (r.metrics #>> '{deploy,candidate_f1}')::float8 AS candidate_f1, r.baseline_f1_score AS fallback_f1,
               (r.metrics #>> '{fallback_comparison,rows}')::integer AS rows_compared
          FROM @extschema@.ai_training_runs AS r
         WHERE r.classifier = p_name AND r.classifier_id = v_classifier_id AND r.partition_key IS NOT NULL AND r.status = 'completed'
         ORDER BY r.partition_key, r.started_at DESC, r.id
    ), served AS (
        SELECT l.* FROM latest AS l
         WHERE l.deploy_reason = 'fallback_better'
           AND NOT EXISTS (SELECT FROM @extschema@.ai_intent_models AS m
                            WHERE m.classifier = p_name AND m.partition_key = l.partition_key AND m.is_active))
    SELECT CASE WHEN (SELECT count(*) FROM served) > 0 THEN jsonb_build_object(
               'partitions', (SELECT count(*) FROM served),
               'weakest', (SELECT jsonb_agg(jsonb_build_object('partition', w.partition_key, 'run_id', w.id,
                                                               'evidence', w.deploy_evidence,
                                                               'rows', w.rows_compared,
                                                               'candidate_f1', w.candidate_f1,
                                                               'fallback_f1', w.fallback_f1)
                                            ORDER BY w.candidate_f1 NULLS FIRST, w.partition_key)
                             FROM (SELECT s.* FROM served AS s
                                    ORDER BY s.candidate_f1 NULLS FIRST, s.partition_key LIMIT 5) AS w)) END
      INTO v_by_fallback;

    SELECT jsonb_build_object(
               'total', count(*),
               'completed', count(*) FILTER (WHERE r.status = 'completed'),
               'failed', count(*) FILTER (WHERE r.status = 'failed'),
               'running', count(*) FILTER (WHERE r.status = 'running'),
               'deployed', count(*) FILTER (WHERE r.deployed),
               'window_start', v_start, 'window_end', v_end)
      INTO v_runs
      FROM @extschema@.ai_training_runs AS r
     WHERE r.classifier = p_name AND r.classifier_id = v_classifier_id AND r.started_at >= v_start AND r.started_at <= v_end;

    SELECT jsonb_build_object(
               'run_id', r.id, 'partition', r.partition_key, 'batch_id', r.batch_id, 'status', r.status,
               'started_at', r.started_at, 'finished_at', r.finished_at, 'deployed', r.deployed,
               'deploy_reason', r.deploy_reason, 'model_id', r.model_id)
      INTO v_last
      FROM @extschema@.ai_training_runs AS r
     WHERE r.classifier = p_name AND r.classifier_id = v_classifier_id
     ORDER BY r.started_at DESC, r.id
     LIMIT 1;

    -- New rows since the last completed run and whether they make the
    -- classifier due, by one rule (_pg_intent_classifier_due()): for intent,
    -- what get_ai_training_metrics() and should_retrain() count (which adds
    -- the minimum of samples and the back-off); for another classifier,
    -- retrain_classifiers()'s count, counted as the classifier's owner.
    IF v_built_in THEN
        SELECT d.new_rows, d.due, d.threshold INTO v_new_rows, v_due, v_threshold
          FROM intent_internal._pg_intent_builtin_retrain_due() AS d;
    ELSE
        -- A count that fails is reported, not raised, by the snapshots' rule
        -- (_pg_intent_try_count_classifier_source()): one classifier's
        -- source must not fail the dashboard.
        SELECT t.new_rows, t.unknown INTO v_count, v_unknown
          FROM intent_internal._pg_intent_try_count_classifier_source(p_name, v_plan.since) AS t;
        IF v_count IS NOT NULL THEN
            SELECT d.new_rows, d.due INTO v_new_rows, v_due
              FROM intent_internal._pg_intent_classifier_due(v_count, v_plan.since, v_plan.rows_at_last,
                                                         v_plan.threshold) AS d;
        END IF;
    END IF;

    RETURN jsonb_build_object(
        'classifier', p_name,
        'built_in', v_built_in,
        'active_model', coalesce(v_active, 'null'::jsonb),
        'partition_models', coalesce(v_partitions, 'null'::jsonb),
        'served_by_fallback', coalesce(v_by_fallback, 'null'::jsonb),
        'runs', v_runs,
        'last_run', coalesce(v_last, 'null'::jsonb),
        'new_rows', v_new_rows,
        'new_rows_unknown', v_unknown,
        'retrain_due', v_due,
        'auto_retrain_threshold', v_threshold);
END
$$;
COMMENT ON FUNCTION @extschema@.get_classifier_metrics(text, integer) IS
    'A classifier''s health over the last p_days days: active_model {id, version, created_at, deployed_at, labels, f1, accuracy, coverage} (the unpartitioned or fallback model; fractions 0-1), partition_models {models, f1_min, f1_median, f1_max, weakest: the five lowest [{partition, model_id, f1}]} (NULL without partition models), served_by_fallback {partitions, weakest: five [{partition, run_id, evidence, rows, candidate_f1, fallback_f1}]}: the partitions without a model of their own whose latest run the fallback beat (fallback_better; NULL when none), runs {total, completed, failed, running, deployed, window_start, window_end}, last_run, new_rows since the last completed run (counted as the classifier''s owner in a security-restricted operation; NULL and new_rows_unknown, the error''s message cut at 200 characters, when the caller may not train the classifier or the count failed: an orphaned classifier, a dropped source, the source''s data or code; create_classifier_metrics_snapshot()''s rule, _pg_intent_try_count_classifier_source()), retrain_due and auto_retrain_threshold (retrain_classifiers()''s rule, the one every classifier''s count reads; for intent, should_retrain()''s count, which adds the minimum of samples and the back-off). Unknown classifier 42704, NULL argument 22004, p_days outside 1-36500 22023.';
