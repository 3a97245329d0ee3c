-- Dashboard metrics (operations).

------------------------------------------------------------------------------
-- Metrics
------------------------------------------------------------------------------

-- Internal: the dashboard metrics of ai_training_data rows created in
-- [p_start, p_end), as one jsonb; shared by the RPC, snapshots and views.
CREATE OR REPLACE FUNCTION intent_internal._pg_intent_window_metrics(p_start timestamptz, p_end timestamptz)
RETURNS jsonb
LANGUAGE sql STABLE PARALLEL SAFE
SET search_path = pg_catalog, pg_temp
AS $$
    WITH w AS (
        SELECT d.detected_intent, d.correct_intent, d.confidence_score,
               d.escalated, d.intent_correct, d.corrected_by_human
        FROM @extschema@.ai_training_data d
        WHERE d.created_at >= p_start AND d.created_at < p_end
    ), agg AS (
        SELECT count(*) AS total,
               count(*) FILTER (WHERE escalated IS NOT TRUE) AS resolved,
               count(*) FILTER (WHERE escalated) AS escalated,
               avg(confidence_score) AS avg_conf,
               count(*) FILTER (WHERE intent_correct IS NOT NULL) AS reviewed,
               count(*) FILTER (WHERE intent_correct) AS correct,
               count(*) FILTER (WHERE intent_correct = false) AS wrong,
               count(*) FILTER (WHERE corrected_by_human) AS corrected
        FROM w
    )
    SELECT jsonb_build_object(
        'total_messages', a.total,
        'ai_resolved', a.resolved,
        'escalated', a.escalated,
        'escalation_rate', CASE WHEN a.total > 0 THEN round(100.0 * a.escalated / a.total, 2) END,
        'avg_confidence', round(a.avg_conf, 2),
        'intent_accuracy', CASE WHEN a.reviewed > 0 THEN round(100.0 * a.correct / a.reviewed, 2) END,
        'reviewed_messages', a.reviewed,
        'misclassified', a.wrong,
        'misclassification_rate', CASE WHEN a.total > 0 THEN round(100.0 * a.wrong / a.total, 2) END,
        'correction_rate', CASE WHEN a.total > 0 THEN round(100.0 * a.corrected / a.total, 2) END,
        -- One scale per kind of number (docs/dashboards.md): rates and
        -- accuracies are fractions 0-1, as F1, precision and recall are.
        -- The keys above keep the seed's percentages (a contract); each
        -- <key>_fraction is that key / 100 (4 decimals where the key has 2).
        'escalation_rate_fraction', CASE WHEN a.total > 0 THEN round(a.escalated::numeric / a.total, 4) END,
        'avg_confidence_fraction', round(a.avg_conf / 100, 4),
        'intent_accuracy_fraction', CASE WHEN a.reviewed > 0 THEN round(a.correct::numeric / a.reviewed, 4) END,
        'misclassification_rate_fraction', CASE WHEN a.total > 0 THEN round(a.wrong::numeric / a.total, 4) END,
        'correction_rate_fraction', CASE WHEN a.total > 0 THEN round(a.corrected::numeric / a.total, 4) END,
        'top_intents', coalesce((
            SELECT jsonb_object_agg(t.detected_intent, t.n)
            FROM (SELECT detected_intent, count(*) AS n FROM w
                  WHERE detected_intent IS NOT NULL
                  GROUP BY detected_intent ORDER BY n DESC, detected_intent LIMIT 10) t), '{}'::jsonb),
        'top_misclassified', coalesce((
            SELECT jsonb_agg(jsonb_build_object('detected', m.detected_intent,
                                                'correct', m.correct_intent,
                                                'count', m.n) ORDER BY m.n DESC, m.detected_intent, m.correct_intent)
            FROM (SELECT detected_intent, correct_intent, count(*) AS n FROM w
                  WHERE intent_correct = false AND correct_intent IS NOT NULL
                  GROUP BY detected_intent, correct_intent
                  ORDER BY n DESC, detected_intent, correct_intent LIMIT 10) m), '[]'::jsonb),
        'window_start', p_start,
        'window_end', p_end)
    FROM agg a
$$;
COMMENT ON FUNCTION intent_internal._pg_intent_window_metrics(timestamptz, timestamptz) IS
    'Internal: dashboard metrics of the ai_training_data rows created in [p_start, p_end). Use get_ai_training_metrics().';

-- Internal: the active model as {id, version, f1}, or NULL; f1 is the
-- model's (_pg_intent_model_f1()), else the F1 its run recorded (a model
-- row whose metrics hold neither key). A float8 goes
-- into jsonb through its text form, which extra_float_digits shapes: pinned
-- to its default, so that a caller's -15 does not write an F1 of 0.7905 as
-- 0.8 (and hide ai_metric_alerts' model_f1 alert under 0.70).
CREATE OR REPLACE FUNCTION intent_internal._pg_intent_active_model_json()
RETURNS jsonb
LANGUAGE sql STABLE PARALLEL SAFE
SET search_path = pg_catalog, pg_temp
SET extra_float_digits = 1
AS $$
    SELECT jsonb_build_object(
        'id', m.id,
        'version', m.version,
        'f1', coalesce(intent_internal._pg_intent_model_f1(m.metrics)::float8,
                       (SELECT r.intent_f1_score::float8 FROM @extschema@.ai_training_runs r
                        WHERE r.id = m.run_id)))
    FROM @extschema@.ai_intent_models m
    WHERE m.is_active AND m.classifier = 'intent'
    LIMIT 1
$$;
COMMENT ON FUNCTION intent_internal._pg_intent_active_model_json() IS
    'Internal: the active model as {id, version, f1} (test macro F1), or NULL when none is deployed.';

-- What is new to learn from since p_since: rows added, and rows corrected
-- (a new label). Under the policy's only_reviewed, training reads reviewed
-- rows only, so what counts is the reviewed rows added or changed since then
-- (a review or a correction changes the row; a row is reviewed well after it
-- was logged). The rule of a reviewed row is get_training_dataset()'s.
-- The rows among p_ids approved or rejected after p_since (ai_review_actions,
-- each once), for _pg_intent_samples_since(), whose callers (the dashboards'
-- metrics set, the scheduler) read ai_training_data but not the review log,
-- which names the reviewers: SECURITY DEFINER, so it answers only about the
-- ids its caller names, which _pg_intent_samples_since() takes from its own
-- read of ai_training_data (row-level security applied). With p_since alone
-- it returned the id of every row reviewed since then: any role granted the
-- metrics set (every customer under the Supabase recipe, a tenant granted a
-- classifier's dashboards) listed the other tenants' reviewed rows and, by
-- moving p_since, when each was reviewed.
CREATE OR REPLACE FUNCTION intent_internal._pg_intent_reviewed_since(p_since timestamptz, p_ids uuid[])
RETURNS SETOF uuid
LANGUAGE sql STABLE PARALLEL SAFE SECURITY DEFINER
SET search_path = pg_catalog, pg_temp SET row_security = off
AS $$
    SELECT DISTINCT a.training_data_id FROM @extschema@.ai_review_actions AS a
     WHERE a.created_at OPERATOR(pg_catalog.>) p_since
       AND a.training_data_id IN (SELECT u.id FROM pg_catalog.unnest(p_ids) AS u(id))
$$;
COMMENT ON FUNCTION intent_internal._pg_intent_reviewed_since(timestamptz, uuid[]) IS
    'Internal: those of the ai_training_data rows p_ids that were approved or rejected after p_since (ai_review_actions), each once, for _pg_intent_samples_since(), which passes the rows its caller reads; read as the extension owner, since its callers may not read the review log, and about the given ids only.';

-- A row counts once however many of these it has: created or corrected
-- (under only_reviewed: reviewed and created or changed) since p_since, or
-- approved or rejected since then (ai_review_actions). A review decides what
-- trains: a rejection takes the row out of every dataset (training_label),
-- an approval vouches a row that min_confidence or only_reviewed left out.
-- 0.3.2 before this counted neither with only_reviewed off (the default): a
-- team that rejected 200 mislabelled rows waited for auto_retrain_threshold
-- other rows before a run dropped them. (With only_reviewed on, a reviewed
-- row changed since then counts already, a rejection too.)
CREATE OR REPLACE FUNCTION intent_internal._pg_intent_samples_since(p_since timestamptz)
RETURNS bigint
LANGUAGE sql STABLE PARALLEL SAFE
SET search_path = pg_catalog, pg_temp
AS $$
    SELECT pg_catalog.count(*)
      FROM (SELECT d.id FROM @extschema@.ai_training_data AS d
             WHERE (intent_internal._pg_intent_policy()).only_reviewed
               AND d.updated_at OPERATOR(pg_catalog.>) p_since AND d.is_reviewed
            UNION
            SELECT d.id FROM @extschema@.ai_training_data AS d
             WHERE NOT (intent_internal._pg_intent_policy()).only_reviewed
               AND (d.created_at OPERATOR(pg_catalog.>) p_since OR d.corrected_at OPERATOR(pg_catalog.>) p_since)
            UNION
            -- A review updates its row (the audit rule: in the review's
            -- transaction, so updated_at is the review's created_at): the
            -- rows the caller reads that changed since p_since are the
            -- candidates, and the review log is asked about those only.
            SELECT r.id FROM intent_internal._pg_intent_reviewed_since(p_since,
                       ARRAY(SELECT d.id FROM @extschema@.ai_training_data AS d
                              WHERE d.updated_at OPERATOR(pg_catalog.>) p_since)) AS r(id)) AS x
$$;
COMMENT ON FUNCTION intent_internal._pg_intent_samples_since(timestamptz) IS
    'Internal: number of ai_training_data rows created or corrected after p_since (under ai_training_policy.only_reviewed, the reviewed rows created or changed since then), or approved or rejected since then (ai_review_actions); each row once.';

-- ... since the last completed training run that could deploy started
-- (_pg_intent_last_retraining_run(): a {"deploy": "never"} experiment does
-- not count; every row when there is none).
CREATE OR REPLACE FUNCTION intent_internal._pg_intent_samples_since_last_train()
RETURNS bigint
LANGUAGE sql STABLE PARALLEL SAFE
SET search_path = pg_catalog, pg_temp
AS $$
    SELECT intent_internal._pg_intent_samples_since(
               coalesce((SELECT r.started_at FROM intent_internal._pg_intent_last_retraining_run(0) AS r),
                        '-infinity'::timestamptz))
$$;
COMMENT ON FUNCTION intent_internal._pg_intent_samples_since_last_train() IS
    'Internal: _pg_intent_samples_since() from the start of the last completed training run that could deploy (_pg_intent_last_retraining_run(); all rows when there is none): rows created or corrected since then (under ai_training_policy.only_reviewed, reviewed rows created or changed), or approved or rejected since then.';

-- Dashboard RPC: metrics over the last p_days days plus training status.
CREATE OR REPLACE FUNCTION @extschema@.get_ai_training_metrics(p_days integer DEFAULT 7)
RETURNS jsonb
LANGUAGE plpgsql STABLE PARALLEL SAFE
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    v_end timestamptz := now();
    v_active jsonb;
BEGIN
    PERFORM intent_internal._pg_intent_check_days(p_days);
    v_active := intent_internal._pg_intent_active_model_json();
    -- p_days times 24 hours, not the session's local days, which a
    -- daylight saving change makes 23 or 25 hours: at one instant every
    -- session reads the same rows.
    RETURN intent_internal._pg_intent_window_metrics(v_end - make_interval(hours => 24 * p_days), v_end)
        || jsonb_build_object(
            'samples_since_last_train', intent_internal._pg_intent_samples_since_last_train(),
            'model_trained', v_active IS NOT NULL,
            'active_model', coalesce(v_active, 'null'::jsonb));
END
$$;
COMMENT ON FUNCTION @extschema@.get_ai_training_metrics(integer) IS
    'Dashboard metrics over the last p_days days of ai_training_data: total_messages, ai_resolved (not escalated), escalated, reviewed_messages, misclassified; escalation_rate, avg_confidence (0-100), intent_accuracy (of reviewed rows), misclassification_rate and correction_rate in percent 0-100 (kept for compatibility), and the same as fractions 0-1 in escalation_rate_fraction, avg_confidence_fraction, intent_accuracy_fraction, misclassification_rate_fraction, correction_rate_fraction; top_intents, top_misclassified, samples_since_last_train, model_trained, active_model {id, version, f1 (0-1)}, window_start, window_end. Every field with its scale: docs/dashboards.md.';

