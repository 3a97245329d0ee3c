-- Alerts on the dashboard metrics (operations): ai_metric_alerts for the
-- built-in classifier intent, ai_classifier_alerts for every other one.
-- After 54_retrain.sql, whose back-off both read (retraining_failing).

-- The rules both views apply where intent and the named classifiers have
-- the same one, stated once:
--   model_f1          the active model's F1 below _pg_intent_model_f1_alert_below();
--   training_samples  the rows a scheduled run reads, at most the policy's
--                     max_training_rows, below its min_samples_for_training:
--                     for intent should_retrain()'s count of
--                     ai_training_data now; for a classifier the newer of
--                     the rows its latest run read, of the runs that read
--                     by the policy's bounds (not an experiment's
--                     {"limit": N}), and the latest count of
--                     retrain_classifiers() (ai_classifier_retrain_checks,
--                     the rows its rule compared with the minimum, counted
--                     as the owner): none before either (its source is not
--                     read here);
--   retraining_failing the last scheduled attempt failed and no run of the
--                     classifier (unpartitioned or fallback) completed since
--                     (_pg_intent_retrain_failure_open(), the back-off's own
--                     test): its value the hours since that attempt started,
--                     alerting from the first; the message gives its time,
--                     its SQLSTATE and when the back-off lets it retry.
-- Each reads recorded state only (the back-off, the runs, the models) and,
-- for intent's count, its own table, never a classifier's source: cheap for
-- a dashboard that polls them. test/sql/alerts_conformance.sql puts intent
-- and a classifier in the same states and compares the two views.
CREATE OR REPLACE FUNCTION intent_internal._pg_intent_model_f1_alert_below()
RETURNS numeric
LANGUAGE sql IMMUTABLE PARALLEL SAFE
SET search_path = pg_catalog, pg_temp
AS $$
    SELECT 0.70::numeric
$$;
COMMENT ON FUNCTION intent_internal._pg_intent_model_f1_alert_below() IS
    'Internal: the F1 below which an active model raises the model_f1 alert, in ai_metric_alerts and ai_classifier_alerts.';

-- intent's last failed scheduled attempt while it holds intent back
-- (_pg_intent_retrain_failure_open()), read from the one store of every
-- classifier's (_pg_intent_retrain_failure_of(), as ai_classifier_alerts
-- reads the others'), its SQLSTATE (NULL when raising rolled the run back:
-- retrain_if_needed(true); 57014 for an interrupted attempt, as a
-- classifier's) and when the back-off lets it retry; NULLs when none. As
-- the extension owner, so that ai_metric_alerts needs no privilege on the
-- store: its reader learns the failure's time and SQLSTATE.
CREATE OR REPLACE FUNCTION intent_internal._pg_intent_retrain_failure(
    OUT failed_at timestamptz, OUT sqlstate text, OUT retry_after timestamptz)
RETURNS record
LANGUAGE sql STABLE PARALLEL SAFE SECURITY DEFINER
SET search_path = pg_catalog, pg_temp SET row_security = off
AS $$
    SELECT f.failed_at,
           -- a failed run's, when the record has none (its row is kept)
           coalesce(f.sqlstate,
                    (SELECT r.metrics OPERATOR(pg_catalog.#>>) '{error,sqlstate}' FROM @extschema@.ai_training_runs AS r
                      WHERE r.id OPERATOR(pg_catalog.=) intent_internal._pg_intent_retrain_failed_run(f.failed_at))),
           (intent_internal._pg_intent_retrain_backs_off(f.failed_at, NULL::bigint, 1)).retry_after
      FROM intent_internal._pg_intent_retrain_failure_of('intent') AS f
     WHERE intent_internal._pg_intent_retrain_failure_open('intent', f.failed_at)
$$;
COMMENT ON FUNCTION intent_internal._pg_intent_retrain_failure() IS
    'Internal: for ai_metric_alerts (retraining_failing): the start of intent''s last failed scheduled attempt (ai_classifier_retrain_failures) while it holds intent back, its SQLSTATE (NULL when raising rolled its run back) and when it may retry; NULLs when none.';

-- The words of an alert, in intent_output_language(): one text per metric
-- (alert_<metric>: its name in words, its unit, the side of the
-- threshold; %1$s the value, %2$s the threshold, written as that language
-- writes numbers; retraining_failing's also %3$s the failed attempt's
-- start, %4$s its SQLSTATE, %5$s when it may retry). One wording for both
-- views.
CREATE OR REPLACE FUNCTION intent_internal._pg_intent_alert_message(
    p_metric text, p_value numeric, p_threshold numeric, p_failed_at timestamptz, p_sqlstate text,
    p_retry_after timestamptz, p_language text)
RETURNS text
LANGUAGE sql STABLE PARALLEL SAFE
SET search_path = pg_catalog, pg_temp
AS $$
    SELECT pg_catalog.format(@extschema@.intent_output_text('alert_' OPERATOR(pg_catalog.||) p_metric, p_language),
                             @extschema@.intent_output_number(p_value, p_language),
                             @extschema@.intent_output_number(p_threshold, p_language),
                             pg_catalog.to_char(p_failed_at, 'YYYY-MM-DD HH24:MI:SS TZ'),
                             -- unknown: the failed run's row was rolled back (the
                             -- text's own parentheses dropped: the message has them)
                             coalesce('SQLSTATE ' OPERATOR(pg_catalog.||) p_sqlstate,
                                      pg_catalog.btrim(@extschema@.intent_output_text('retrain_run_rolled_back', p_language),
                                                       '()')),
                             pg_catalog.to_char(p_retry_after, 'YYYY-MM-DD HH24:MI:SS TZ'))
$$;
COMMENT ON FUNCTION intent_internal._pg_intent_alert_message(text, numeric, numeric, timestamptz, text, timestamptz, text) IS
    'Internal: an alert''s message in the language given (alert_<metric>), for ai_metric_alerts and ai_classifier_alerts.';

CREATE OR REPLACE VIEW @extschema@.ai_metric_alerts WITH (security_invoker = true) AS
WITH live AS (
    SELECT * FROM @extschema@.ai_live_metrics
), settings AS (
    -- the training policy (ai_training_policy), not a session setting
    SELECT p.min_samples_for_training::numeric AS min_samples, p.only_reviewed, p.max_training_rows
      FROM intent_internal._pg_intent_policy() AS p
), failure AS (
    SELECT f.* FROM intent_internal._pg_intent_retrain_failure() AS f WHERE f.failed_at IS NOT NULL
), checks (metric, value, threshold, comparison, samples) AS (
    -- A live metric alerts only when it rests on the policy's
    -- min_alert_samples rows (reviewed rows for the accuracy, messages for
    -- the rest): two reviewed rows, one wrong, are no critical 50 %
    -- accuracy. The model's F1 and the sample count have no such sample.
    SELECT 'intent_accuracy', l.intent_accuracy, 70::numeric, '<', l.reviewed_messages FROM live l
    UNION ALL
    SELECT 'escalation_rate', l.escalation_rate, 30, '>', l.total_messages FROM live l
    UNION ALL
    SELECT 'avg_confidence', l.avg_confidence, 60, '<', l.total_messages FROM live l
    UNION ALL
    SELECT 'model_f1', round((intent_internal._pg_intent_active_model_json() ->> 'f1')::numeric, 4),
           intent_internal._pg_intent_model_f1_alert_below(), '<', NULL::bigint
    UNION ALL
    SELECT 'training_samples',
           -- should_retrain()'s count: the rows a scheduled run would read
           least(intent_internal._pg_intent_usable_samples(s.only_reviewed), s.max_training_rows)::numeric,
           s.min_samples, '<', NULL
    FROM settings s
    UNION ALL
    SELECT 'misclassification_rate', l.misclassification_rate, 15, '>', l.total_messages FROM live l
    UNION ALL
    SELECT 'retraining_failing', round((extract(epoch FROM now() - f.failed_at) / 3600)::numeric, 1), 0, '>=', NULL
      FROM failure f
)
SELECT c.metric, c.value, c.threshold, c.comparison, 'critical'::text AS severity,
       -- worded for people in intent_output_language()
       intent_internal._pg_intent_alert_message(c.metric, c.value::numeric, c.threshold::numeric,
                                                f.failed_at, f.sqlstate, f.retry_after, l.language) AS message
FROM checks c
CROSS JOIN (SELECT @extschema@.intent_output_language() AS language) AS l
LEFT JOIN failure f ON c.metric = 'retraining_failing'
WHERE c.value IS NOT NULL
  AND (c.samples IS NULL OR c.samples >= (intent_internal._pg_intent_ops_policy()).min_alert_samples)
  AND CASE c.comparison WHEN '<' THEN c.value < c.threshold WHEN '>' THEN c.value > c.threshold
                        ELSE c.value >= c.threshold END
ORDER BY c.metric;
COMMENT ON VIEW @extschema@.ai_metric_alerts IS
    'One row per metric breaching its critical threshold: intent_accuracy < 70 %, escalation_rate > 30 %, avg_confidence < 60, misclassification_rate (wrong reviewed rows / all rows) > 15 % (these over the last 24 hours), active model F1 < 0.70, training samples (should_retrain()''s count: the rows a scheduled run reads) < ai_training_policy.min_samples_for_training (default 20). Metrics without data raise no alert, nor do live metrics resting on fewer than ai_training_policy.min_alert_samples rows (reviewed rows for intent_accuracy, messages for the others; default 20). retraining_failing: the last scheduled attempt of retrain_if_needed() failed and no run completed since (value: hours since it started; the message gives its start, its SQLSTATE and when the back-off lets it retry). Named classifiers: ai_classifier_alerts.';


-- -------------------------------------------------------------------------
-- ai_classifier_alerts: the named classifiers' alerts
-- -------------------------------------------------------------------------
-- The rows of every classifier but intent that role p_role may know of:
-- those _pg_intent_classifier_facts(name, p_role) answers for, the check of
-- get_classifier_metrics() (a classifier the role may not know of has no
-- row). The rules are the ones stated at the top of this file: model_f1 of
-- the unpartitioned or fallback model and of the five weakest partition
-- models below the floor; training_samples of the classifier's latest run
-- that read by its policy's bounds (the rows it read: input_rows, or
-- rows_read of a failed run) or of retrain_classifiers()'s latest count
-- (ai_classifier_retrain_checks), whichever is newer, against its policy;
-- retraining_failing from ai_classifier_retrain_failures (the
-- SQLSTATE only: the error's text may name the source, which a role that
-- may not train the classifier is not shown). As the extension owner
-- (ai_classifiers and the back-off are not the caller's to read), so
-- granted to no one: _pg_intent_classifier_alerts() asks for its caller.
CREATE OR REPLACE FUNCTION intent_internal._pg_intent_classifier_alerts(p_role oid)
RETURNS TABLE (classifier text, partition text, metric text, value numeric, threshold numeric, comparison text,
               failed_at timestamptz, sqlstate text, retry_after timestamptz)
LANGUAGE sql STABLE PARALLEL SAFE SECURITY DEFINER
SET search_path = pg_catalog, pg_temp SET row_security = off
AS $$
    WITH known AS (
        SELECT c.name, c.id, p.min_samples_for_training, p.max_training_rows, p.auto_retrain_threshold, p.only_reviewed
          FROM @extschema@.ai_classifiers AS c
         CROSS JOIN LATERAL intent_internal._pg_intent_classifier_policy(c.name) AS p
         WHERE NOT c.built_in
           AND EXISTS (SELECT FROM intent_internal._pg_intent_classifier_facts(c.name, p_role))
    ), checks AS (
        SELECT k.name, NULL::text AS partition, 'model_f1'::text AS metric,
               round(intent_internal._pg_intent_model_f1(m.metrics), 4) AS value,
               intent_internal._pg_intent_model_f1_alert_below() AS threshold, '<'::text AS comparison,
               NULL::timestamptz AS failed_at, NULL::text AS sqlstate, NULL::timestamptz AS retry_after
          FROM known AS k
          JOIN @extschema@.ai_intent_models AS m
            ON m.classifier OPERATOR(pg_catalog.=) k.name AND m.partition_key IS NULL AND m.is_active
        UNION ALL
        SELECT k.name, w.partition_key, 'model_f1', w.f1, intent_internal._pg_intent_model_f1_alert_below(), '<',
               NULL, NULL, NULL
          FROM known AS k
         CROSS JOIN LATERAL (
               SELECT m.partition_key,
                      round(intent_internal._pg_intent_model_f1(m.metrics), 4) AS f1
                 FROM @extschema@.ai_intent_models AS m
                WHERE m.classifier OPERATOR(pg_catalog.=) k.name AND m.partition_key IS NOT NULL AND m.is_active
                  AND intent_internal._pg_intent_model_f1(m.metrics)
                      OPERATOR(pg_catalog.<) intent_internal._pg_intent_model_f1_alert_below()
                ORDER BY 2, m.partition_key LIMIT 5) AS w
        UNION ALL
        SELECT k.name, NULL, 'training_samples',
               -- LEAST, as intent's and the retraining rule's
               -- (_pg_intent_retrain_rule()): a policy without
               -- max_training_rows bounds nothing
               LEAST(s.samples, k.max_training_rows)::numeric,
               k.min_samples_for_training, '<', NULL, NULL, NULL
          FROM known AS k
         -- The newer of the latest run below and the latest count of
         -- retrain_classifiers() (ai_classifier_retrain_checks: the rows its
         -- rule compared with min_samples_for_training, counted as the
         -- classifier's owner). Before that count a classifier whose source
         -- holds too few rows had no figure here: it is never trained, so it
         -- never has a run, and this view never reads a source (issue 33
         -- point 1, issue 34: the small shop's dashboard said nothing
         -- where intent's alerted).
         CROSS JOIN LATERAL (
               SELECT CASE WHEN ch.checked_at OPERATOR(pg_catalog.>) r.started_at OR r.started_at IS NULL
                           THEN ch.samples
                           ELSE coalesce((r.metrics OPERATOR(pg_catalog.->>) 'input_rows')::bigint,
                                         (r.metrics OPERATOR(pg_catalog.->>) 'rows_read')::bigint) END AS samples
                 FROM (SELECT NULL::int) AS one
                 LEFT JOIN @extschema@.ai_classifier_retrain_checks AS ch
                   ON ch.classifier_id OPERATOR(pg_catalog.=) k.id AND ch.classifier OPERATOR(pg_catalog.=) k.name
                 LEFT JOIN LATERAL (
                     SELECT x.metrics, x.started_at FROM @extschema@.ai_training_runs AS x
                      WHERE x.classifier OPERATOR(pg_catalog.=) k.name AND x.classifier_id OPERATOR(pg_catalog.=) k.id
                        AND x.partition_key IS NULL AND x.status OPERATOR(pg_catalog.<>) 'running'
                        -- Not a run with bounds of its own (the rule of
                        -- src/pg/train_classifier.cpp's run_bounds, as its call's
                        -- options recorded it: a limit, only_reviewed over a
                        -- policy without it; source_read_bounded): it read fewer
                        -- rows than a scheduled run reads, and intent's count,
                        -- the rows a scheduled run reads, knows nothing of it.
                        -- 0.3.2 before this counted an experiment's
                        -- {"limit": 10} as the classifier's 10 training samples.
                        -- Compared as JSON values, never cast from text: a view
                        -- every dashboard polls must not fail on one row of
                        -- ai_training_runs, which its owner may edit; a failed
                        -- run may have recorded no model_config.
                        AND NOT coalesce(pg_catalog.jsonb_typeof(x.model_config OPERATOR(pg_catalog.->) 'limit') OPERATOR(pg_catalog.=) 'number'
                                         AND (x.model_config OPERATOR(pg_catalog.->) 'limit') OPERATOR(pg_catalog.<) '2147483647'::jsonb,
                                         false)
                        AND NOT coalesce((x.model_config OPERATOR(pg_catalog.->) 'only_reviewed') OPERATOR(pg_catalog.=) 'true'::jsonb
                                         AND NOT k.only_reviewed, false)
                        AND (x.metrics OPERATOR(pg_catalog.->) 'source_read_bounded') IS DISTINCT FROM 'true'::jsonb
                      ORDER BY x.started_at DESC, x.id LIMIT 1) AS r ON true) AS s
        UNION ALL
        SELECT k.name, NULL, 'retraining_failing',
               round((EXTRACT(epoch FROM pg_catalog.now() OPERATOR(pg_catalog.-) f.failed_at)
                      OPERATOR(pg_catalog./) 3600)::numeric, 1),
               0, '>=', f.failed_at,
               -- an error reported for it has its SQLSTATE here; a failed run's
               -- is on the run (its row is kept: no error rolled it back)
               coalesce(f.sqlstate,
                        (SELECT x.metrics OPERATOR(pg_catalog.#>>) '{error,sqlstate}'
                           FROM @extschema@.ai_training_runs AS x
                          WHERE x.classifier OPERATOR(pg_catalog.=) k.name
                            AND x.classifier_id OPERATOR(pg_catalog.=) k.id
                            AND x.started_at OPERATOR(pg_catalog.>=) f.failed_at
                            AND x.status OPERATOR(pg_catalog.=) 'failed'
                          ORDER BY x.started_at DESC, x.id LIMIT 1)),
               (intent_internal._pg_intent_retrain_backs_off(f.failed_at, NULL::bigint, 1)).retry_after
          FROM known AS k
          JOIN @extschema@.ai_classifier_retrain_failures AS f ON f.classifier OPERATOR(pg_catalog.=) k.name
         WHERE intent_internal._pg_intent_retrain_failure_open(k.name, f.failed_at)
    )
    SELECT c.* FROM checks AS c
     WHERE c.value IS NOT NULL
       AND CASE c.comparison WHEN '<' THEN c.value OPERATOR(pg_catalog.<) c.threshold
                             ELSE c.value OPERATOR(pg_catalog.>=) c.threshold END
$$;
COMMENT ON FUNCTION intent_internal._pg_intent_classifier_alerts(oid) IS
    'Internal: the alert rows of ai_classifier_alerts for the classifiers role p_role may know of (_pg_intent_classifier_facts(name, p_role)); granted to no one.';

CREATE OR REPLACE FUNCTION intent_internal._pg_intent_classifier_alerts()
RETURNS jsonb
AS 'MODULE_PATHNAME', 'pg_intent_classifier_alerts'
LANGUAGE C STABLE PARALLEL UNSAFE;
COMMENT ON FUNCTION intent_internal._pg_intent_classifier_alerts() IS
    'Internal: _pg_intent_classifier_alerts(<the calling role>) as one jsonb array, read as the extension owner (src/pg/classifier_facts.cpp).';

CREATE OR REPLACE VIEW @extschema@.ai_classifier_alerts WITH (security_invoker = true) AS
SELECT a.classifier, a.partition, a.metric, a.value, a.threshold, a.comparison, 'critical'::text AS severity,
       intent_internal._pg_intent_alert_message(a.metric, a.value, a.threshold, a.failed_at, a.sqlstate,
                                                a.retry_after, l.language) AS message,
       a.failed_at, a.sqlstate
FROM pg_catalog.jsonb_to_recordset(intent_internal._pg_intent_classifier_alerts())
     AS a(classifier text, partition text, metric text, value numeric, threshold numeric, comparison text,
          failed_at timestamptz, sqlstate text, retry_after timestamptz),
     (SELECT @extschema@.intent_output_language() AS language) AS l
ORDER BY a.classifier, a.metric, a.partition NULLS FIRST;
COMMENT ON VIEW @extschema@.ai_classifier_alerts IS
    'One row per alert of a named classifier the reader may know of (get_classifier_metrics()''s check; no row of another): model_f1 (the unpartitioned or fallback model''s F1, and the five weakest partition models'', partition set, < 0.70 as in ai_metric_alerts), training_samples (the newer of the rows its latest run read, of the runs without bounds of their own such as {"limit": N}, and the rows that could train in the latest count of retrain_classifiers(), made as the classifier''s owner; at most max_training_rows, < its policy''s min_samples_for_training; none before either: the view reads no source), retraining_failing (the last attempt of retrain_classifiers() failed and no run completed since: value the hours since it started, failed_at and sqlstate, the message also when the back-off lets it retry). All critical; the message in intent_output_language(). Reads recorded state only (models, runs, the back-off, the latest scheduled count), never a source.';
