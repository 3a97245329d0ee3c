-- Operations (issue 4): dashboard metrics, snapshots, views, alerts,
-- scheduled retraining, dataset export, interaction quality scoring,
-- training reports and champion/challenger shadow scoring.
-- Builds on the tables of 00_schema.sql and the functions of 10_/20_.

------------------------------------------------------------------------------
-- Schema additions
------------------------------------------------------------------------------

ALTER TABLE @extschema@.ai_training_data
    ADD COLUMN IF NOT EXISTS was_successful boolean;
COMMENT ON COLUMN @extschema@.ai_training_data.was_successful IS
    'Set by evaluate_interaction(): true when the user''s next message shows purchase or payment intent, false otherwise; NULL = not evaluated.';

-- Operator-editable cues used by evaluate_interaction(). Patterns are literal
-- phrases matched on word boundaries after lower-casing and accent folding.
CREATE TABLE @extschema@.ai_feedback_cues (
    id          bigserial PRIMARY KEY,
    language    text NOT NULL DEFAULT 'es',
    pattern     text NOT NULL CHECK (btrim(pattern) <> ''),
    kind        text NOT NULL CHECK (kind IN ('thanks', 'positive', 'purchase', 'payment',
                                               'neutral', 'confusion', 'negative', 'escalation')),
    score       smallint NOT NULL CHECK (score BETWEEN 1 AND 5),
    marks_success boolean NOT NULL DEFAULT false,
    is_active   boolean NOT NULL DEFAULT true,
    is_seed     boolean NOT NULL DEFAULT false,
    notes       text,
    created_at  timestamptz NOT NULL DEFAULT now(),
    modified_at timestamptz,
    UNIQUE (language, pattern)
);
COMMENT ON TABLE @extschema@.ai_feedback_cues IS
    'Cues that evaluate_interaction() looks for in the user''s next message. Editable with plain INSERT, UPDATE and DELETE. Seeded rows (is_seed) that nobody edited (modified_at NULL) are recreated by CREATE EXTENSION and not dumped; every other row is dumped, and on restore an edited seed replaces its recreated original. Deleting a seeded cue disables it instead (is_active = false), so that a restore does not bring it back.';
COMMENT ON COLUMN @extschema@.ai_feedback_cues.is_seed IS
    'True for the cues CREATE EXTENSION installs (kept when an operator edits them); operators'' own rows are false.';
COMMENT ON COLUMN @extschema@.ai_feedback_cues.modified_at IS
    'When an operator last changed the row (set by a trigger); NULL for a seeded cue as installed. Edited seeds are dumped by pg_dump.';
COMMENT ON COLUMN @extschema@.ai_feedback_cues.pattern IS
    'Literal word or phrase; matched case-, accent- and punctuation-insensitively on word boundaries. A cue contained in a longer matching cue (gracias in no gracias) is ignored.';
COMMENT ON COLUMN @extschema@.ai_feedback_cues.score IS
    'Quality score 1-5 this cue implies. When several cues match, any cue scoring below 3 wins (its lowest score); otherwise the highest score wins; no cue gives 3.';
COMMENT ON COLUMN @extschema@.ai_feedback_cues.marks_success IS
    'When true, a match sets ai_training_data.was_successful (purchase or payment intent).';

INSERT INTO @extschema@.ai_feedback_cues (language, pattern, kind, score, marks_success, is_seed) VALUES
    -- Spanish
    ('es', 'gracias', 'thanks', 5, false, true),
    ('es', 'muchas gracias', 'thanks', 5, false, true),
    ('es', 'mil gracias', 'thanks', 5, false, true),
    ('es', 'te lo agradezco', 'thanks', 5, false, true),
    ('es', 'genial', 'positive', 4, false, true),
    ('es', 'perfecto', 'positive', 4, false, true),
    ('es', 'excelente', 'positive', 4, false, true),
    ('es', 'me sirvio', 'positive', 4, false, true),
    ('es', 'me ayudo', 'positive', 4, false, true),
    ('es', 'entendido', 'positive', 4, false, true),
    ('es', 'lo compro', 'purchase', 5, true, true),
    ('es', 'lo quiero', 'purchase', 5, true, true),
    ('es', 'quiero comprar', 'purchase', 5, true, true),
    ('es', 'voy a comprar', 'purchase', 5, true, true),
    ('es', 'ya lo compre', 'purchase', 5, true, true),
    ('es', 'hacer el pedido', 'purchase', 5, true, true),
    ('es', 'agregar al carrito', 'purchase', 5, true, true),
    ('es', 'como pago', 'payment', 5, true, true),
    ('es', 'quiero pagar', 'payment', 5, true, true),
    ('es', 'ya pague', 'payment', 5, true, true),
    ('es', 'pagar con tarjeta', 'payment', 5, true, true),
    ('es', 'no gracias', 'neutral', 3, false, true),
    ('es', 'no entiendo', 'confusion', 1, false, true),
    ('es', 'no entendi', 'confusion', 1, false, true),
    ('es', 'no te entiendo', 'confusion', 1, false, true),
    ('es', 'no me sirve', 'negative', 1, false, true),
    ('es', 'no me sirvio', 'negative', 1, false, true),
    ('es', 'no me ayuda', 'negative', 1, false, true),
    ('es', 'no me ayudo', 'negative', 1, false, true),
    ('es', 'no es lo que pregunte', 'negative', 1, false, true),
    ('es', 'eso no', 'negative', 2, false, true),
    ('es', 'pesimo', 'negative', 1, false, true),
    ('es', 'hablar con una persona', 'escalation', 2, false, true),
    ('es', 'hablar con un humano', 'escalation', 2, false, true),
    ('es', 'hablar con un agente', 'escalation', 2, false, true),
    -- English
    ('en', 'thanks', 'thanks', 5, false, true),
    ('en', 'thank you', 'thanks', 5, false, true),
    ('en', 'great', 'positive', 4, false, true),
    ('en', 'perfect', 'positive', 4, false, true),
    ('en', 'that helps', 'positive', 4, false, true),
    ('en', 'that helped', 'positive', 4, false, true),
    ('en', 'buy it', 'purchase', 5, true, true),
    ('en', 'i want to buy', 'purchase', 5, true, true),
    ('en', 'i will buy', 'purchase', 5, true, true),
    ('en', 'place an order', 'purchase', 5, true, true),
    ('en', 'add to cart', 'purchase', 5, true, true),
    ('en', 'how do i pay', 'payment', 5, true, true),
    ('en', 'i want to pay', 'payment', 5, true, true),
    ('en', 'pay by card', 'payment', 5, true, true),
    ('en', 'no thanks', 'neutral', 3, false, true),
    ('en', 'no thank you', 'neutral', 3, false, true),
    ('en', 'i don''t understand', 'confusion', 1, false, true),
    ('en', 'i do not understand', 'confusion', 1, false, true),
    ('en', 'doesn''t help', 'negative', 1, false, true),
    ('en', 'does not help', 'negative', 1, false, true),
    ('en', 'not helpful', 'negative', 1, false, true),
    ('en', 'useless', 'negative', 1, false, true),
    ('en', 'talk to a human', 'escalation', 2, false, true),
    ('en', 'talk to a person', 'escalation', 2, false, true),
    ('en', 'speak to an agent', 'escalation', 2, false, true);

-- Dump safety. pg_dump keeps every row except the pristine seeds, which
-- CREATE EXTENSION recreates on restore (always with the same ids, from a
-- fresh sequence). Three triggers keep that sound while operators use plain
-- DML: an UPDATE stamps modified_at (so an edited seed gets dumped); an
-- INSERT that carries a seed's id or (language, pattern) replaces the pristine
-- seed (this is how a restore lands an edited seed over its recreated
-- original); a DELETE of a seeded cue becomes a disable, because a deleted
-- seed would come back at the next restore. They are created after the seed
-- INSERT above, so the seeds themselves go in untouched. SECURITY DEFINER:
-- they touch other rows than the one the operator named (replacing a seed
-- needs DELETE, disabling one needs UPDATE), which the operator's table
-- privileges may not cover.

-- Stamps operator edits; is_seed records where a row came from and cannot be changed.
CREATE FUNCTION @extschema@._pg_intent_cue_before_update()
RETURNS trigger
LANGUAGE plpgsql VOLATILE PARALLEL UNSAFE
SECURITY DEFINER SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
    IF NEW IS NOT DISTINCT FROM OLD THEN
        RETURN NEW;
    END IF;
    NEW.is_seed := OLD.is_seed;
    NEW.modified_at := clock_timestamp();
    RETURN NEW;
END
$$;
COMMENT ON FUNCTION @extschema@._pg_intent_cue_before_update() IS
    'Internal trigger: stamps ai_feedback_cues.modified_at on every change (so pg_dump keeps edited seeds) and keeps is_seed as it was.';

-- An inserted row replaces the pristine seed it collides with.
CREATE FUNCTION @extschema@._pg_intent_cue_before_insert()
RETURNS trigger
LANGUAGE plpgsql VOLATILE PARALLEL UNSAFE
SECURITY DEFINER SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
    -- A seed is only what CREATE EXTENSION installs; a new pristine "seed"
    -- would silently escape pg_dump. Restored edited seeds (modified_at set)
    -- keep is_seed.
    IF NEW.is_seed AND NEW.modified_at IS NULL THEN
        NEW.is_seed := false;
    END IF;
    DELETE FROM @extschema@.ai_feedback_cues AS c
     WHERE c.is_seed AND c.modified_at IS NULL
       AND (c.id = NEW.id OR (c.language = NEW.language AND c.pattern = NEW.pattern));
    RETURN NEW;
END
$$;
COMMENT ON FUNCTION @extschema@._pg_intent_cue_before_insert() IS
    'Internal trigger: a row inserted into ai_feedback_cues with the id or (language, pattern) of an unedited seed replaces that seed (pg_restore uses this to put edited seeds back); rows inserted as is_seed without modified_at become operator rows.';

-- Deleting a seeded cue disables it, so that a restore does not recreate it.
CREATE FUNCTION @extschema@._pg_intent_cue_before_delete()
RETURNS trigger
LANGUAGE plpgsql VOLATILE PARALLEL UNSAFE
SECURITY DEFINER SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
    -- Nested deletes are the insert trigger replacing a seed: let them through.
    IF NOT OLD.is_seed OR pg_catalog.pg_trigger_depth() > 1 THEN
        RETURN OLD;
    END IF;
    UPDATE @extschema@.ai_feedback_cues AS c SET is_active = false WHERE c.id = OLD.id;
    RETURN NULL;
END
$$;
COMMENT ON FUNCTION @extschema@._pg_intent_cue_before_delete() IS
    'Internal trigger: a DELETE of a seeded ai_feedback_cues row disables it (is_active = false, dumped as an edit) instead of removing it, since CREATE EXTENSION would recreate a removed seed on restore.';

REVOKE ALL ON FUNCTION @extschema@._pg_intent_cue_before_update() FROM PUBLIC;
REVOKE ALL ON FUNCTION @extschema@._pg_intent_cue_before_insert() FROM PUBLIC;
REVOKE ALL ON FUNCTION @extschema@._pg_intent_cue_before_delete() FROM PUBLIC;

CREATE TRIGGER ai_feedback_cues_before_update
    BEFORE UPDATE ON @extschema@.ai_feedback_cues
    FOR EACH ROW EXECUTE FUNCTION @extschema@._pg_intent_cue_before_update();
CREATE TRIGGER ai_feedback_cues_before_insert
    BEFORE INSERT ON @extschema@.ai_feedback_cues
    FOR EACH ROW EXECUTE FUNCTION @extschema@._pg_intent_cue_before_insert();
CREATE TRIGGER ai_feedback_cues_before_delete
    BEFORE DELETE ON @extschema@.ai_feedback_cues
    FOR EACH ROW EXECUTE FUNCTION @extschema@._pg_intent_cue_before_delete();

SELECT pg_catalog.pg_extension_config_dump('@extschema@.ai_feedback_cues', 'WHERE NOT is_seed OR modified_at IS NOT NULL');
SELECT pg_catalog.pg_extension_config_dump('@extschema@.ai_feedback_cues_id_seq', '');

-- Champion/challenger log written by shadow_predict().
CREATE TABLE @extschema@.ai_shadow_predictions (
    id                    bigserial PRIMARY KEY,
    training_data_id      uuid REFERENCES @extschema@.ai_training_data (id) ON DELETE SET NULL,
    message               text NOT NULL,
    champion_model_id     bigint,
    champion_intent       text,
    champion_confidence   double precision,
    champion_uncertain    boolean,
    challenger_model_id   bigint NOT NULL,
    challenger_intent     text,
    challenger_confidence double precision,
    challenger_uncertain  boolean,
    agreed                boolean NOT NULL,
    created_at            timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX ai_shadow_predictions_challenger_idx
    ON @extschema@.ai_shadow_predictions (challenger_model_id);
CREATE INDEX ai_shadow_predictions_training_data_idx
    ON @extschema@.ai_shadow_predictions (training_data_id);
COMMENT ON TABLE @extschema@.ai_shadow_predictions IS
    'One row per shadow_predict() call: what the active (champion) model and a challenger model predicted for the same message, and whether they agreed.';
COMMENT ON COLUMN @extschema@.ai_shadow_predictions.agreed IS
    'True when both models predicted the same intent (abstain flags are not compared).';
SELECT pg_catalog.pg_extension_config_dump('@extschema@.ai_shadow_predictions', '');
SELECT pg_catalog.pg_extension_config_dump('@extschema@.ai_shadow_predictions_id_seq', '');

------------------------------------------------------------------------------
-- Metrics
------------------------------------------------------------------------------

-- Internal: the dashboard metrics of ai_training_data rows created in
-- [p_start, p_end), as one jsonb; shared by the RPC, snapshots and views.
CREATE FUNCTION @extschema@._pg_intent_window_metrics(p_start timestamptz, p_end timestamptz)
RETURNS jsonb
LANGUAGE sql STABLE PARALLEL SAFE
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
COMMENT ON FUNCTION @extschema@._pg_intent_window_metrics(timestamptz, timestamptz) IS
    'Internal: dashboard metrics of the ai_training_data rows created in [p_start, p_end). Use get_ai_training_metrics().';

-- Internal: the active model as {id, version, f1}, or NULL.
CREATE FUNCTION @extschema@._pg_intent_active_model_json()
RETURNS jsonb
LANGUAGE sql STABLE PARALLEL SAFE
AS $$
    SELECT jsonb_build_object(
        'id', m.id,
        'version', m.version,
        'f1', coalesce((m.metrics ->> 'f1')::float8, (m.metrics ->> 'macro_f1')::float8,
                       (SELECT r.intent_f1_score::float8 FROM @extschema@.ai_training_runs r
                        WHERE r.id = m.run_id)))
    FROM @extschema@.ai_intent_models m
    WHERE m.is_active
    LIMIT 1
$$;
COMMENT ON FUNCTION @extschema@._pg_intent_active_model_json() IS
    'Internal: the active model as {id, version, f1} (test macro F1), or NULL when none is deployed.';

-- Internal: rows recorded since the last completed training run started
-- (all rows when no run has completed).
CREATE FUNCTION @extschema@._pg_intent_samples_since_last_train()
RETURNS bigint
LANGUAGE sql STABLE PARALLEL SAFE
AS $$
    SELECT count(*)
    FROM @extschema@.ai_training_data d
    WHERE d.created_at > coalesce(
        (SELECT max(r.started_at) FROM @extschema@.ai_training_runs r WHERE r.status = 'completed'),
        '-infinity'::timestamptz)
$$;
COMMENT ON FUNCTION @extschema@._pg_intent_samples_since_last_train() IS
    'Internal: number of ai_training_data rows created after the start of the last completed training run (all rows when there is none).';

-- Dashboard RPC: metrics over the last p_days days plus training status.
CREATE FUNCTION @extschema@.get_ai_training_metrics(p_days integer DEFAULT 7)
RETURNS jsonb
LANGUAGE plpgsql STABLE PARALLEL SAFE
AS $$
DECLARE
    v_end timestamptz := now();
    v_active jsonb;
BEGIN
    IF p_days IS NULL THEN
        RAISE EXCEPTION 'p_days must not be null' USING ERRCODE = '22004';
    END IF;
    IF p_days < 1 OR p_days > 36500 THEN
        RAISE EXCEPTION 'invalid value for p_days: %', p_days
            USING ERRCODE = '22023', DETAIL = 'p_days must be between 1 and 36500.';
    END IF;
    v_active := @extschema@._pg_intent_active_model_json();
    RETURN @extschema@._pg_intent_window_metrics(v_end - make_interval(days => p_days), v_end)
        || jsonb_build_object(
            'samples_since_last_train', @extschema@._pg_intent_samples_since_last_train(),
            'model_trained', v_active IS NOT NULL,
            'active_model', coalesce(v_active, 'null'::jsonb));
END
$$;
COMMENT ON FUNCTION @extschema@.get_ai_training_metrics(integer) IS
    'Dashboard metrics over the last p_days days of ai_training_data: total_messages, ai_resolved (not escalated), escalated, escalation_rate %, avg_confidence, intent_accuracy (% of reviewed rows that were right), correction_rate %, top_intents, top_misclassified, plus samples_since_last_train, model_trained, active_model {id, version, f1}, window_start, window_end.';

-- Freezes the metrics of the last complete period into ai_metrics_snapshots.
CREATE FUNCTION @extschema@.create_metrics_snapshot(p_period_type text DEFAULT 'daily')
RETURNS jsonb
LANGUAGE plpgsql VOLATILE PARALLEL UNSAFE
AS $$
DECLARE
    v_unit text;
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
    -- The last complete period ends where the current one begins (session time zone).
    v_end := date_trunc(v_unit, now());
    v_start := v_end - ('1 ' || v_unit)::interval;
    v_m := @extschema@._pg_intent_window_metrics(v_start, v_end);
    SELECT m.id INTO v_model FROM @extschema@.ai_intent_models m WHERE m.is_active LIMIT 1;

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
COMMENT ON FUNCTION @extschema@.create_metrics_snapshot(text) IS
    'Stores the metrics of the last complete hourly, daily, weekly or monthly period (session time zone) in ai_metrics_snapshots; calling it again for the same period updates that row. Returns the snapshot.';

------------------------------------------------------------------------------
-- Dashboard views
------------------------------------------------------------------------------
-- Every view of the extension is security_invoker: a reader needs SELECT on
-- the tables behind it, not only on the view, and row-level security
-- policies apply to the reader (a plain view would read as its owner).

CREATE VIEW @extschema@.ai_pending_review WITH (security_invoker = true) AS
SELECT d.id, d.user_message, d.detected_intent, d.confidence_score, d.ai_response,
       d.response_source, d.escalated, d.category, d.source, d.conversation_id,
       d.model_id, d.created_at
FROM @extschema@.ai_training_data d
WHERE d.intent_correct IS NULL
  AND d.corrected_by_human IS NOT TRUE
  AND d.dataset_status IS DISTINCT FROM 'rejected'
ORDER BY d.confidence_score ASC NULLS FIRST, d.created_at, d.id;
COMMENT ON VIEW @extschema@.ai_pending_review IS
    'The review queue: rows nobody has reviewed yet (intent_correct NULL, not corrected, not rejected), lowest confidence first.';

CREATE VIEW @extschema@.ai_classification_errors WITH (security_invoker = true) AS
SELECT d.id, d.user_message, d.detected_intent, d.correct_intent, d.confidence_score,
       d.ai_response, d.correct_response, d.corrected_by, d.corrected_at, d.model_id,
       d.created_at
FROM @extschema@.ai_training_data d
WHERE d.intent_correct = false
ORDER BY d.corrected_at DESC NULLS LAST, d.created_at DESC, d.id;
COMMENT ON VIEW @extschema@.ai_classification_errors IS
    'Reviewed rows whose detected intent was wrong (intent_correct = false), most recently corrected first.';

CREATE VIEW @extschema@.ai_intent_performance WITH (security_invoker = true) AS
WITH active AS (
    SELECT m.id, m.intents,
           coalesce(m.metrics -> 'per_intent', m.metrics -> 'metrics' -> 'per_intent') AS per_intent
    FROM @extschema@.ai_intent_models m
    WHERE m.is_active
    LIMIT 1
), names AS (
    SELECT d.detected_intent AS intent FROM @extschema@.ai_training_data d
    WHERE d.detected_intent IS NOT NULL
    UNION
    SELECT d.correct_intent FROM @extschema@.ai_training_data d
    WHERE d.correct_intent IS NOT NULL
    UNION
    SELECT unnest(a.intents) FROM active a
), labelled AS (
    SELECT coalesce(d.correct_intent, d.detected_intent) AS intent, count(*) AS samples
    FROM @extschema@.ai_training_data d
    WHERE d.dataset_status IS DISTINCT FROM 'rejected'
    GROUP BY 1
), detected AS (
    SELECT d.detected_intent AS intent,
           count(*) AS predictions,
           count(*) FILTER (WHERE d.intent_correct IS NOT NULL) AS reviewed,
           count(*) FILTER (WHERE d.intent_correct) AS correct,
           avg(d.confidence_score) AS avg_confidence
    FROM @extschema@.ai_training_data d
    WHERE d.detected_intent IS NOT NULL
    GROUP BY 1
)
SELECT n.intent,
       coalesce(l.samples, 0) AS samples,
       coalesce(dt.predictions, 0) AS predictions,
       coalesce(dt.reviewed, 0) AS reviewed,
       coalesce(dt.correct, 0) AS correct,
       CASE WHEN dt.reviewed > 0 THEN round(100.0 * dt.correct / dt.reviewed, 2) END AS live_accuracy,
       round(dt.avg_confidence, 2) AS avg_confidence,
       a.id AS model_id,
       (a.per_intent -> n.intent ->> 'precision')::float8 AS model_precision,
       (a.per_intent -> n.intent ->> 'recall')::float8 AS model_recall,
       (a.per_intent -> n.intent ->> 'f1')::float8 AS model_f1,
       (a.per_intent -> n.intent ->> 'support')::integer AS model_test_support
FROM names n
LEFT JOIN labelled l ON l.intent = n.intent
LEFT JOIN detected dt ON dt.intent = n.intent
LEFT JOIN active a ON true
ORDER BY n.intent;
COMMENT ON VIEW @extschema@.ai_intent_performance IS
    'One row per intent: training samples (label = correction, else detection; rejected rows left out), live predictions, reviewed and correct rows, live accuracy %, average confidence, and the active model''s test precision, recall, F1 and support for that intent.';

CREATE VIEW @extschema@.ai_training_run_history WITH (security_invoker = true) AS
SELECT r.id AS run_id, r.run_name, r.run_type, r.status, r.error,
       r.started_at, r.finished_at, r.duration_seconds,
       r.training_samples, r.validation_samples, r.test_samples, r.total_intents,
       r.intent_accuracy, r.intent_precision, r.intent_recall, r.intent_f1_score,
       r.baseline_intent_accuracy, r.baseline_f1_score,
       r.intent_f1_score - r.baseline_f1_score AS f1_improvement,
       r.model_id, m.version AS model_version, r.deployed, r.deploy_reason,
       coalesce(m.is_active, false) AS model_is_active
FROM @extschema@.ai_training_runs r
LEFT JOIN @extschema@.ai_intent_models m ON m.id = r.model_id
ORDER BY r.started_at DESC, r.id;
COMMENT ON VIEW @extschema@.ai_training_run_history IS
    'Training runs, newest first, with sizes, headline test metrics against the baseline (the model active at the time), the F1 change, and the deploy decision.';

CREATE VIEW @extschema@.ai_live_metrics WITH (security_invoker = true) AS
SELECT (m ->> 'window_start')::timestamptz AS window_start,
       (m ->> 'window_end')::timestamptz AS window_end,
       (m ->> 'total_messages')::bigint AS total_messages,
       (m ->> 'ai_resolved')::bigint AS ai_resolved,
       (m ->> 'escalated')::bigint AS escalated,
       (m ->> 'escalation_rate')::numeric AS escalation_rate,
       (m ->> 'avg_confidence')::numeric AS avg_confidence,
       (m ->> 'reviewed_messages')::bigint AS reviewed_messages,
       (m ->> 'intent_accuracy')::numeric AS intent_accuracy,
       (m ->> 'misclassified')::bigint AS misclassified,
       (m ->> 'misclassification_rate')::numeric AS misclassification_rate,
       (m ->> 'correction_rate')::numeric AS correction_rate,
       m -> 'top_intents' AS top_intents,
       m -> 'top_misclassified' AS top_misclassified
FROM @extschema@._pg_intent_window_metrics(now() - interval '24 hours', now()) AS m;
COMMENT ON VIEW @extschema@.ai_live_metrics IS
    'One row: the dashboard metrics of the last 24 hours (rates in %, NULL when there is nothing to divide by).';

CREATE VIEW @extschema@.ai_metric_alerts WITH (security_invoker = true) AS
WITH live AS (
    SELECT * FROM @extschema@.ai_live_metrics
), settings AS (
    -- CASE evaluates pg_intent_loaded() first: it loads the library, which
    -- defines the setting, before current_setting() reads it.
    SELECT CASE WHEN @extschema@.pg_intent_loaded()
                THEN current_setting('pg_intent.min_samples_for_training')::numeric END AS min_samples
), checks (metric, value, threshold, comparison) AS (
    SELECT 'intent_accuracy', l.intent_accuracy, 70::numeric, '<' FROM live l
    UNION ALL
    SELECT 'escalation_rate', l.escalation_rate, 30, '>' FROM live l
    UNION ALL
    SELECT 'avg_confidence', l.avg_confidence, 60, '<' FROM live l
    UNION ALL
    SELECT 'model_f1', round((@extschema@._pg_intent_active_model_json() ->> 'f1')::numeric, 4), 0.70, '<'
    UNION ALL
    SELECT 'training_samples',
           (SELECT count(*) FROM @extschema@.ai_training_data d
            WHERE coalesce(d.correct_intent, d.detected_intent) IS NOT NULL
              AND d.dataset_status IS DISTINCT FROM 'rejected')::numeric, s.min_samples, '<'
    FROM settings s
    UNION ALL
    SELECT 'misclassification_rate', l.misclassification_rate, 15, '>' FROM live l
)
SELECT c.metric, c.value, c.threshold, c.comparison, 'critical'::text AS severity,
       format('%s is %s (critical when %s %s)', c.metric, c.value, c.comparison, c.threshold) AS message
FROM checks c
WHERE c.value IS NOT NULL
  AND CASE c.comparison WHEN '<' THEN c.value < c.threshold ELSE c.value > c.threshold END
ORDER BY c.metric;
COMMENT ON VIEW @extschema@.ai_metric_alerts IS
    'One row per metric breaching its critical threshold: intent_accuracy < 70 %, escalation_rate > 30 %, avg_confidence < 60, misclassification_rate (wrong reviewed rows / all rows) > 15 % (these over the last 24 hours), active model F1 < 0.70, usable training samples < pg_intent.min_samples_for_training (default 20). Metrics without data raise no alert.';

------------------------------------------------------------------------------
-- Scheduled retraining
------------------------------------------------------------------------------

-- Whether enough new data has arrived to retrain.
CREATE FUNCTION @extschema@.should_retrain()
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
CREATE FUNCTION @extschema@.retrain_if_needed()
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
REVOKE ALL ON FUNCTION @extschema@.retrain_if_needed() FROM PUBLIC;

------------------------------------------------------------------------------
-- Export
------------------------------------------------------------------------------

-- Internal: one CSV field per RFC 4180 (quoted only when needed).
CREATE FUNCTION @extschema@._pg_intent_csv_field(p_value text)
RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE
AS $$
    SELECT CASE
        WHEN p_value IS NULL THEN ''
        WHEN strpos(p_value, ',') > 0 OR strpos(p_value, '"') > 0
          OR strpos(p_value, chr(10)) > 0 OR strpos(p_value, chr(13)) > 0
            THEN '"' || replace(p_value, '"', '""') || '"'
        ELSE p_value END
$$;
COMMENT ON FUNCTION @extschema@._pg_intent_csv_field(text) IS
    'Internal: quotes a CSV field per RFC 4180 when it holds a comma, quote, CR or LF (quotes doubled); NULL becomes an empty field.';

-- Internal: the rows export_training_dataset() writes, with their output
-- column names (row_to_json uses them as keys). Inlined by the planner.
CREATE FUNCTION @extschema@._pg_intent_export_rows(
    p_min_confidence integer, p_only_reviewed boolean, p_min_quality integer)
RETURNS TABLE (id uuid, text text, intent text, detected_intent text, correct_intent text,
               confidence_score integer, corrected_by_human boolean, escalated boolean,
               response text, category text, source text, quality_score smallint,
               created_at timestamptz)
LANGUAGE sql STABLE PARALLEL SAFE
AS $$
    SELECT d.id, d.user_message, coalesce(d.correct_intent, d.detected_intent),
           d.detected_intent, d.correct_intent, d.confidence_score,
           coalesce(d.corrected_by_human, false), coalesce(d.escalated, false),
           coalesce(d.correct_response, d.ai_response),
           d.category, d.source, d.quality_score, d.created_at
    FROM @extschema@.ai_training_data d
    WHERE coalesce(d.correct_intent, d.detected_intent) IS NOT NULL
      AND d.dataset_status IS DISTINCT FROM 'rejected'
      AND (NOT p_only_reviewed OR d.corrected_by_human OR d.intent_correct IS NOT NULL)
      AND (d.corrected_by_human OR d.intent_correct IS NOT NULL
           OR coalesce(d.confidence_score, 0) >= p_min_confidence)
      AND (p_min_quality IS NULL OR d.quality_score >= p_min_quality)
$$;
COMMENT ON FUNCTION @extschema@._pg_intent_export_rows(integer, boolean, integer) IS
    'Internal: the labelled rows export_training_dataset() writes (label = correction, else detection; rejected rows left out; p_min_confidence only for unreviewed rows).';

-- Exports the curated dataset as JSON Lines, CSV or chat fine-tuning JSONL.
CREATE FUNCTION @extschema@.export_training_dataset(
    p_format text DEFAULT 'jsonl',
    p_min_confidence integer DEFAULT 0,
    p_only_reviewed boolean DEFAULT false,
    p_min_quality integer DEFAULT NULL)
RETURNS SETOF text
LANGUAGE plpgsql STABLE PARALLEL SAFE
AS $$
DECLARE
    v_prompt text;
    v_prompt_id uuid;
    v_prompt_version integer;
BEGIN
    IF p_format IS NULL THEN
        RAISE EXCEPTION 'p_format must not be null' USING ERRCODE = '22004';
    END IF;
    IF p_format NOT IN ('jsonl', 'csv', 'chat_jsonl') THEN
        RAISE EXCEPTION 'invalid value for p_format: "%"', p_format
            USING ERRCODE = '22023', HINT = 'Use jsonl, csv or chat_jsonl.';
    END IF;
    IF p_min_confidence IS NULL THEN
        RAISE EXCEPTION 'p_min_confidence must not be null' USING ERRCODE = '22004';
    END IF;
    IF p_min_confidence NOT BETWEEN 0 AND 100 THEN
        RAISE EXCEPTION 'invalid value for p_min_confidence: %', p_min_confidence
            USING ERRCODE = '22023', DETAIL = 'p_min_confidence must be between 0 and 100.';
    END IF;
    IF p_only_reviewed IS NULL THEN
        RAISE EXCEPTION 'p_only_reviewed must not be null' USING ERRCODE = '22004';
    END IF;
    IF p_min_quality IS NOT NULL AND p_min_quality NOT BETWEEN 1 AND 5 THEN
        RAISE EXCEPTION 'invalid value for p_min_quality: %', p_min_quality
            USING ERRCODE = '22023', DETAIL = 'p_min_quality must be between 1 and 5, or NULL for no filter.';
    END IF;

    IF p_format = 'jsonl' THEN
        -- row_to_json escapes every string per RFC 8259 and keeps the column order
        RETURN QUERY
        SELECT row_to_json(r)::text
        FROM @extschema@._pg_intent_export_rows(p_min_confidence, p_only_reviewed, p_min_quality) r
        ORDER BY r.created_at, r.id;
    ELSIF p_format = 'csv' THEN
        RETURN NEXT 'id,text,intent,detected_intent,correct_intent,confidence_score,'
                    'corrected_by_human,escalated,response,category,source,quality_score,created_at';
        RETURN QUERY
        SELECT concat_ws(',',
            r.id::text,
            @extschema@._pg_intent_csv_field(r.text),
            @extschema@._pg_intent_csv_field(r.intent),
            @extschema@._pg_intent_csv_field(r.detected_intent),
            @extschema@._pg_intent_csv_field(r.correct_intent),
            coalesce(r.confidence_score::text, ''),
            r.corrected_by_human::text,
            r.escalated::text,
            @extschema@._pg_intent_csv_field(r.response),
            @extschema@._pg_intent_csv_field(r.category),
            @extschema@._pg_intent_csv_field(r.source),
            coalesce(r.quality_score::text, ''),
            to_json(r.created_at) #>> '{}')  -- ISO 8601 whatever the DateStyle
        FROM @extschema@._pg_intent_export_rows(p_min_confidence, p_only_reviewed, p_min_quality) r
        ORDER BY r.created_at, r.id;
    ELSE
        SELECT pv.id, pv.system_prompt, pv.version INTO v_prompt_id, v_prompt, v_prompt_version
        FROM @extschema@.ai_prompt_versions pv
        WHERE pv.is_active
        ORDER BY pv.created_at DESC, pv.id DESC
        LIMIT 1;
        RETURN QUERY
        SELECT json_build_object(
            'messages',
            CASE WHEN v_prompt IS NOT NULL THEN
                json_build_array(json_build_object('role', 'system', 'content', v_prompt),
                                 json_build_object('role', 'user', 'content', r.text),
                                 json_build_object('role', 'assistant', 'content', r.response))
            ELSE
                json_build_array(json_build_object('role', 'user', 'content', r.text),
                                 json_build_object('role', 'assistant', 'content', r.response))
            END,
            'metadata', json_build_object(
                'id', r.id, 'intent', r.intent, 'detected_intent', r.detected_intent,
                'corrected_by_human', r.corrected_by_human, 'confidence_score', r.confidence_score,
                'quality_score', r.quality_score, 'category', r.category, 'source', r.source,
                'escalated', r.escalated, 'prompt_version_id', v_prompt_id,
                'prompt_version', v_prompt_version))::text
        FROM @extschema@._pg_intent_export_rows(p_min_confidence, p_only_reviewed, p_min_quality) r
        WHERE r.response IS NOT NULL
        ORDER BY r.created_at, r.id;
    END IF;
END
$$;
COMMENT ON FUNCTION @extschema@.export_training_dataset(text, integer, boolean, integer) IS
    'Exports labelled samples (label = correction, else detection; rejected rows left out; p_min_confidence applies to unreviewed rows; p_min_quality keeps rows with quality_score >= it), oldest first, one line per row: jsonl, csv (header + RFC 4180 quoting) or chat_jsonl ({"messages": [system?, user, assistant], "metadata": {...}}, corrected response preferred, system prompt from the active ai_prompt_versions row, rows without a response skipped). Write it with psql -AtX, not COPY text format (which escapes backslashes).';

------------------------------------------------------------------------------
-- Interaction quality
------------------------------------------------------------------------------

-- Internal: folds text for cue matching: lower case, no accents, every run
-- of punctuation or spaces turned into one space, padded with spaces so a
-- phrase match on ' word ' respects word boundaries.
CREATE FUNCTION @extschema@._pg_intent_fold(p_text text)
RETURNS text
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
AS $$
    SELECT ' ' || btrim(regexp_replace(
        translate(lower(p_text), 'áàâäãåéèêëíìîïóòôöõúùûüñçýÿ', 'aaaaaaeeeeiiiiooooouuuuncyy'),
        '[^a-z0-9]+', ' ', 'g')) || ' '
$$;
COMMENT ON FUNCTION @extschema@._pg_intent_fold(text) IS
    'Internal: lower-cases text, folds accented Latin letters, turns punctuation and spaces into single spaces and pads with spaces, for word-boundary cue matching.';

-- Scores a user message with the active cues, without writing anything.
CREATE FUNCTION @extschema@.score_feedback_message(p_message text)
RETURNS jsonb
LANGUAGE plpgsql STABLE PARALLEL SAFE
AS $$
DECLARE
    v_text text;
    v_result jsonb;
BEGIN
    IF p_message IS NULL THEN
        RAISE EXCEPTION 'p_message must not be null' USING ERRCODE = '22004';
    END IF;
    v_text := @extschema@._pg_intent_fold(p_message);
    WITH cues AS (
        SELECT c.id, c.kind, c.score, c.marks_success, c.pattern,
               @extschema@._pg_intent_fold(c.pattern) AS pat
        FROM @extschema@.ai_feedback_cues c
        WHERE c.is_active
    ), matched AS (
        SELECT * FROM cues c
        WHERE c.pat <> '  ' AND strpos(v_text, c.pat) > 0
    ), kept AS (
        -- a cue inside a longer matching cue (gracias in "no gracias") does not count
        SELECT * FROM matched m
        WHERE NOT EXISTS (SELECT 1 FROM matched o
                          WHERE o.pat <> m.pat AND strpos(o.pat, m.pat) > 0)
    )
    SELECT jsonb_build_object(
        'score', CASE WHEN count(*) = 0 THEN 3
                      WHEN min(k.score) < 3 THEN min(k.score)
                      ELSE max(k.score) END,
        'was_successful', coalesce(bool_or(k.marks_success), false),
        'cues', coalesce(jsonb_agg(jsonb_build_object('pattern', k.pattern, 'kind', k.kind, 'score', k.score)
                                   ORDER BY k.pat, k.id) FILTER (WHERE k.id IS NOT NULL), '[]'::jsonb))
    INTO v_result
    FROM kept k;
    RETURN v_result;
END
$$;
COMMENT ON FUNCTION @extschema@.score_feedback_message(text) IS
    'Scores a user''s follow-up message with the active ai_feedback_cues and returns {score 1-5, was_successful, cues matched} without writing anything; evaluate_interaction() uses it.';

-- Scores an interaction from the user's next message and stores the result.
CREATE FUNCTION @extschema@.evaluate_interaction(p_training_data_id uuid, p_next_user_message text)
RETURNS smallint
LANGUAGE plpgsql VOLATILE PARALLEL UNSAFE
AS $$
DECLARE
    v_eval jsonb;
    v_found boolean;
BEGIN
    IF p_training_data_id IS NULL THEN
        RAISE EXCEPTION 'p_training_data_id must not be null' USING ERRCODE = '22004';
    END IF;
    IF p_next_user_message IS NULL THEN
        RAISE EXCEPTION 'p_next_user_message must not be null' USING ERRCODE = '22004';
    END IF;
    v_eval := @extschema@.score_feedback_message(p_next_user_message);
    UPDATE @extschema@.ai_training_data d
    SET quality_score = (v_eval ->> 'score')::smallint,
        user_feedback = p_next_user_message,
        evaluated_at = now(),
        was_successful = (v_eval ->> 'was_successful')::boolean
    WHERE d.id = p_training_data_id;
    GET DIAGNOSTICS v_found = ROW_COUNT;
    IF NOT v_found THEN
        RAISE EXCEPTION 'training data row % not found', p_training_data_id
            USING ERRCODE = 'P0002';
    END IF;
    RETURN (v_eval ->> 'score')::smallint;
END
$$;
COMMENT ON FUNCTION @extschema@.evaluate_interaction(uuid, text) IS
    'Scores an interaction 1-5 from the user''s next message using ai_feedback_cues (thanks/purchase high, confusion/complaints low, neutral 3), stores quality_score, user_feedback, evaluated_at and was_successful (purchase or payment intent), and returns the score.';

------------------------------------------------------------------------------
-- Training report
------------------------------------------------------------------------------

-- Internal: a number for Markdown, or a dash when missing.
CREATE FUNCTION @extschema@._pg_intent_md_num(p_value numeric, p_digits integer DEFAULT 3)
RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE
AS $$
    SELECT coalesce(round(p_value, p_digits)::text, '–')
$$;
COMMENT ON FUNCTION @extschema@._pg_intent_md_num(numeric, integer) IS
    'Internal: rounds a number for the Markdown report; NULL becomes an en dash.';

-- Internal: text made safe for one Markdown table cell.
CREATE FUNCTION @extschema@._pg_intent_md_cell(p_value text, p_max integer DEFAULT 120)
RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE
AS $$
    SELECT CASE WHEN p_value IS NULL THEN '–' ELSE
        replace(replace(regexp_replace(
            CASE WHEN length(p_value) > p_max THEN left(p_value, p_max - 1) || '…' ELSE p_value END,
            '[\r\n\t]+', ' ', 'g'), '\', '\\'), '|', '\|') END
$$;
COMMENT ON FUNCTION @extschema@._pg_intent_md_cell(text, integer) IS
    'Internal: shortens text and escapes pipes, backslashes and line breaks so it fits in a Markdown table cell.';

-- A Markdown report of a training run (the latest by default).
CREATE FUNCTION @extschema@.training_report(p_run_id uuid DEFAULT NULL)
RETURNS text
LANGUAGE plpgsql STABLE PARALLEL SAFE
AS $$
DECLARE
    r @extschema@.ai_training_runs%ROWTYPE;
    v_version text;
    v_rep jsonb;
    v_m jsonb;
    v_b jsonb;
    v_out text[] := '{}';
    v_lines text[];
    v_line text;
BEGIN
    IF p_run_id IS NULL THEN
        SELECT * INTO r FROM @extschema@.ai_training_runs ORDER BY started_at DESC, id LIMIT 1;
        IF NOT FOUND THEN
            RAISE EXCEPTION 'no training run found'
                USING ERRCODE = 'P0002', HINT = 'Run train_intent_model() first.';
        END IF;
    ELSE
        SELECT * INTO r FROM @extschema@.ai_training_runs WHERE id = p_run_id;
        IF NOT FOUND THEN
            RAISE EXCEPTION 'training run % not found', p_run_id USING ERRCODE = 'P0002';
        END IF;
    END IF;
    SELECT m.version INTO v_version FROM @extschema@.ai_intent_models m WHERE m.id = r.model_id;
    v_rep := coalesce(r.metrics, '{}'::jsonb);
    v_m := coalesce(v_rep -> 'metrics', '{}'::jsonb);
    v_b := v_rep -> 'baseline_metrics';

    v_out := v_out || format('# Training report: %s', coalesce(r.run_name, r.id::text))
                   || ''::text
                   || format('- **Run:** `%s` (%s)', r.id, coalesce(r.run_type, '–'))
                   || format('- **Status:** %s', r.status)
                   || format('- **Started:** %s; **duration:** %s s',
                             to_char(r.started_at, 'YYYY-MM-DD HH24:MI:SS TZ'),
                             @extschema@._pg_intent_md_num(r.duration_seconds::numeric, 1))
                   || format('- **Model:** %s', CASE WHEN r.model_id IS NULL THEN 'none'
                                                     ELSE format('%s (`%s`)', r.model_id, v_version) END);
    IF r.status <> 'completed' THEN
        IF r.error IS NOT NULL THEN
            v_out := v_out || format('- **Error:** %s', @extschema@._pg_intent_md_cell(r.error, 500));
        END IF;
        -- a run that failed before training (or is still running) has nothing more to show
        IF r.training_samples IS NULL AND NOT v_rep ? 'metrics' THEN
            RETURN array_to_string(v_out, E'\n') || E'\n';
        END IF;
    END IF;

    v_out := v_out || ''::text || '## Data'::text || ''::text
                   || '| split | samples |'::text || '|---|---:|'::text
                   || format('| training | %s |', coalesce(r.training_samples::text, '–'))
                   || format('| validation | %s |', coalesce(r.validation_samples::text, '–'))
                   || format('| test | %s |', coalesce(r.test_samples::text, '–'))
                   || ''::text
                   || format('- **Intents:** %s', coalesce(r.total_intents::text, '–'));
    IF v_rep ? 'duplicates_removed' OR v_rep ? 'conflicts_resolved' OR v_rep ? 'empty_removed' THEN
        v_out := v_out || format('- **Cleaning:** %s duplicates removed, %s label conflicts resolved, %s empty texts removed',
                                 coalesce(v_rep ->> 'duplicates_removed', '0'),
                                 coalesce(v_rep ->> 'conflicts_resolved', '0'),
                                 coalesce(v_rep ->> 'empty_removed', '0'));
    END IF;
    IF jsonb_typeof(v_rep -> 'small_classes') = 'array' AND jsonb_array_length(v_rep -> 'small_classes') > 0 THEN
        v_out := v_out || format('- **Small classes:** %s',
            (SELECT string_agg(@extschema@._pg_intent_md_cell(x #>> '{}'), ', ')
             FROM jsonb_array_elements(v_rep -> 'small_classes') x));
    END IF;

    v_out := v_out || ''::text || '## Headline metrics (test split)'::text || ''::text
                   || '| metric | new model | baseline | change |'::text || '|---|---:|---:|---:|'::text;
    FOR v_line IN
        SELECT format('| %s | %s | %s | %s |', k.label,
                      @extschema@._pg_intent_md_num(k.new_v), @extschema@._pg_intent_md_num(k.base_v),
                      CASE WHEN k.new_v IS NULL OR k.base_v IS NULL THEN '–'
                           ELSE to_char(round(k.new_v - k.base_v, 3), 'SG0.000') END)
        FROM (VALUES
            (1, 'accuracy', coalesce(r.intent_accuracy::numeric, (v_m ->> 'accuracy')::numeric),
                coalesce(r.baseline_intent_accuracy::numeric, (v_b ->> 'accuracy')::numeric)),
            (2, 'macro precision', coalesce(r.intent_precision::numeric, (v_m ->> 'precision')::numeric,
                (v_m ->> 'macro_precision')::numeric),
                coalesce((v_b ->> 'precision')::numeric, (v_b ->> 'macro_precision')::numeric)),
            (3, 'macro recall', coalesce(r.intent_recall::numeric, (v_m ->> 'recall')::numeric,
                (v_m ->> 'macro_recall')::numeric),
                coalesce((v_b ->> 'recall')::numeric, (v_b ->> 'macro_recall')::numeric)),
            (4, 'macro F1', coalesce(r.intent_f1_score::numeric, (v_m ->> 'f1')::numeric,
                (v_m ->> 'macro_f1')::numeric),
                coalesce(r.baseline_f1_score::numeric, (v_b ->> 'f1')::numeric, (v_b ->> 'macro_f1')::numeric))
        ) AS k(ord, label, new_v, base_v)
        ORDER BY k.ord
    LOOP
        v_out := v_out || v_line;
    END LOOP;
    v_out := v_out || ''::text
        || format('- **Deploy decision:** %s%s',
                  CASE WHEN r.deployed THEN 'deployed' WHEN r.status = 'completed' THEN 'not deployed'
                       ELSE 'no model' END,
                  CASE WHEN r.deploy_reason IS NOT NULL THEN format(' (%s)', r.deploy_reason) ELSE '' END);
    IF v_rep ? 'threshold' THEN
        v_out := v_out || format('- **Abstain threshold:** %s (coverage on test %s, accuracy of accepted rows %s)',
                                 @extschema@._pg_intent_md_num((v_rep #>> '{threshold,value}')::numeric),
                                 @extschema@._pg_intent_md_num(coalesce((v_m ->> 'coverage')::numeric,
                                                                        (v_rep ->> 'coverage')::numeric)),
                                 @extschema@._pg_intent_md_num(coalesce((v_m ->> 'accepted_accuracy')::numeric,
                                                                        (v_rep ->> 'accepted_accuracy')::numeric)));
    END IF;

    IF jsonb_typeof(v_m -> 'per_intent') = 'object' THEN
        v_out := v_out || ''::text || '## Per intent'::text || ''::text
                       || '| intent | precision | recall | F1 | support |'::text
                       || '|---|---:|---:|---:|---:|'::text;
        FOR v_line IN
            SELECT format('| %s | %s | %s | %s | %s |', @extschema@._pg_intent_md_cell(e.key),
                          @extschema@._pg_intent_md_num((e.value ->> 'precision')::numeric),
                          @extschema@._pg_intent_md_num((e.value ->> 'recall')::numeric),
                          @extschema@._pg_intent_md_num((e.value ->> 'f1')::numeric),
                          coalesce(e.value ->> 'support', '–'))
            FROM jsonb_each(v_m -> 'per_intent') e
            ORDER BY (e.value ->> 'f1')::numeric NULLS FIRST, e.key
        LOOP
            v_out := v_out || v_line;
        END LOOP;
    END IF;

    IF jsonb_typeof(v_m #> '{confusion,matrix}') = 'array' THEN
        -- confusion matrix rows are true intents, columns predicted intents
        SELECT array_agg(h.line ORDER BY h.n DESC, h.i, h.j) INTO v_lines
        FROM (
            SELECT format('| %s | %s | %s |',
                          @extschema@._pg_intent_md_cell(v_m #>> array['confusion','labels',(t.i - 1)::text]),
                          @extschema@._pg_intent_md_cell(v_m #>> array['confusion','labels',(p.j - 1)::text]),
                          p.n) AS line, p.n, t.i, p.j
            FROM jsonb_array_elements(v_m #> '{confusion,matrix}') WITH ORDINALITY AS t(rowv, i)
            CROSS JOIN LATERAL (
                SELECT c.j, (c.cell #>> '{}')::bigint AS n
                FROM jsonb_array_elements(t.rowv) WITH ORDINALITY AS c(cell, j)) p
            WHERE p.j <> t.i AND p.n > 0
            ORDER BY p.n DESC, t.i, p.j
            LIMIT 10) h;
        v_out := v_out || ''::text || '## Confusion hot spots (test split)'::text || ''::text;
        IF v_lines IS NULL THEN
            v_out := v_out || 'No confusions on the test split.'::text;
        ELSE
            v_out := v_out || '| true intent | predicted as | count |'::text || '|---|---|---:|'::text
                           || v_lines;
        END IF;
    END IF;

    IF jsonb_typeof(v_m -> 'misclassified') = 'array' THEN
        v_out := v_out || ''::text
                       || format('## Misclassified examples (%s on the test split)',
                                 jsonb_array_length(v_m -> 'misclassified'))
                       || ''::text;
        IF jsonb_array_length(v_m -> 'misclassified') = 0 THEN
            v_out := v_out || 'None.'::text;
        ELSE
            v_out := v_out || '| text | expected | predicted | confidence |'::text
                           || '|---|---|---|---:|'::text;
            FOR v_line IN
                SELECT format('| %s | %s | %s | %s |', @extschema@._pg_intent_md_cell(x ->> 'text'),
                              @extschema@._pg_intent_md_cell(x ->> 'expected'),
                              @extschema@._pg_intent_md_cell(x ->> 'predicted'),
                              @extschema@._pg_intent_md_num((x ->> 'confidence')::numeric, 2))
                FROM jsonb_array_elements(v_m -> 'misclassified') WITH ORDINALITY AS a(x, n)
                ORDER BY a.n
                LIMIT 20
            LOOP
                v_out := v_out || v_line;
            END LOOP;
        END IF;
    END IF;

    IF jsonb_typeof(v_m -> 'calibration') = 'object' THEN
        v_out := v_out || ''::text || '## Calibration (test split)'::text || ''::text
                       || format('- **Expected calibration error (ECE):** %s',
                                 @extschema@._pg_intent_md_num((v_m #>> '{calibration,ece}')::numeric, 4))
                       || format('- **Brier score:** %s',
                                 @extschema@._pg_intent_md_num((v_m #>> '{calibration,brier}')::numeric, 4));
        IF v_b IS NOT NULL AND jsonb_typeof(v_b -> 'calibration') = 'object' THEN
            v_out := v_out || format('- **Baseline ECE / Brier:** %s / %s',
                                     @extschema@._pg_intent_md_num((v_b #>> '{calibration,ece}')::numeric, 4),
                                     @extschema@._pg_intent_md_num((v_b #>> '{calibration,brier}')::numeric, 4));
        END IF;
    END IF;

    RETURN array_to_string(v_out, E'\n') || E'\n';
END
$$;
COMMENT ON FUNCTION @extschema@.training_report(uuid) IS
    'Markdown report of a training run (the latest when p_run_id is NULL): data sizes, headline test metrics against the baseline, the deploy decision, per-intent table, confusion hot spots, misclassified examples and calibration.';

------------------------------------------------------------------------------
-- Champion / challenger
------------------------------------------------------------------------------

-- Scores a message with the active model and a challenger, and logs both.
CREATE FUNCTION @extschema@.shadow_predict(
    p_message text, p_challenger_model_id bigint, p_training_data_id uuid DEFAULT NULL)
RETURNS jsonb
LANGUAGE plpgsql VOLATILE PARALLEL UNSAFE
AS $$
DECLARE
    c record;
    x record;
    v_id bigint;
    v_agreed boolean;
BEGIN
    IF p_message IS NULL THEN
        RAISE EXCEPTION 'p_message must not be null' USING ERRCODE = '22004';
    END IF;
    IF p_challenger_model_id IS NULL THEN
        RAISE EXCEPTION 'p_challenger_model_id must not be null' USING ERRCODE = '22004';
    END IF;
    IF NOT EXISTS (SELECT 1 FROM @extschema@.ai_intent_models m WHERE m.id = p_challenger_model_id) THEN
        RAISE EXCEPTION 'model % not found', p_challenger_model_id USING ERRCODE = 'P0002';
    END IF;
    IF EXISTS (SELECT 1 FROM @extschema@.ai_intent_models m
               WHERE m.id = p_challenger_model_id AND m.is_active) THEN
        RAISE EXCEPTION 'invalid value for p_challenger_model_id: %', p_challenger_model_id
            USING ERRCODE = '22023', DETAIL = 'The challenger is the active model.',
                  HINT = 'Choose a model that is not deployed.';
    END IF;
    IF p_training_data_id IS NOT NULL
       AND NOT EXISTS (SELECT 1 FROM @extschema@.ai_training_data d WHERE d.id = p_training_data_id) THEN
        RAISE EXCEPTION 'training data row % not found', p_training_data_id USING ERRCODE = 'P0002';
    END IF;

    SELECT * INTO c FROM @extschema@.predict_intent(p_message);
    SELECT * INTO x FROM @extschema@.predict_intent(p_message, p_challenger_model_id);
    v_agreed := c.predicted_intent IS NOT DISTINCT FROM x.predicted_intent;

    INSERT INTO @extschema@.ai_shadow_predictions
        (training_data_id, message, champion_model_id, champion_intent, champion_confidence,
         champion_uncertain, challenger_model_id, challenger_intent, challenger_confidence,
         challenger_uncertain, agreed)
    VALUES (p_training_data_id, p_message, c.model_id, c.predicted_intent, c.confidence,
            c.uncertain, p_challenger_model_id, x.predicted_intent, x.confidence, x.uncertain, v_agreed)
    RETURNING id INTO v_id;

    RETURN jsonb_build_object(
        'shadow_id', v_id,
        'training_data_id', p_training_data_id,
        'agreed', v_agreed,
        'champion', jsonb_build_object('model_id', c.model_id, 'predicted_intent', c.predicted_intent,
                                       'confidence', c.confidence, 'uncertain', c.uncertain,
                                       'top_intents', c.top_intents),
        'challenger', jsonb_build_object('model_id', x.model_id, 'predicted_intent', x.predicted_intent,
                                         'confidence', x.confidence, 'uncertain', x.uncertain,
                                         'top_intents', x.top_intents));
END
$$;
COMMENT ON FUNCTION @extschema@.shadow_predict(text, bigint, uuid) IS
    'Champion/challenger: classifies p_message with the active model and with p_challenger_model_id, logs both to ai_shadow_predictions (linked to p_training_data_id when given) and returns {shadow_id, agreed, champion, challenger}. Serve the champion''s answer; the challenger only shadows.';

CREATE VIEW @extschema@.ai_shadow_agreement WITH (security_invoker = true) AS
WITH s AS (
    SELECT sp.*,
           CASE WHEN d.correct_intent IS NOT NULL THEN d.correct_intent
                WHEN d.intent_correct THEN d.detected_intent END AS true_intent
    FROM @extschema@.ai_shadow_predictions sp
    LEFT JOIN @extschema@.ai_training_data d ON d.id = sp.training_data_id
), g AS (
    SELECT s.challenger_model_id,
           count(*) AS predictions,
           count(*) FILTER (WHERE s.agreed) AS agreements,
           count(*) FILTER (WHERE s.true_intent IS NOT NULL) AS labelled,
           count(*) FILTER (WHERE s.true_intent IS NOT NULL AND s.champion_intent = s.true_intent) AS champion_correct,
           count(*) FILTER (WHERE s.true_intent IS NOT NULL AND s.challenger_intent = s.true_intent) AS challenger_correct,
           array_agg(DISTINCT s.champion_model_id) FILTER (WHERE s.champion_model_id IS NOT NULL) AS champion_model_ids,
           min(s.created_at) AS first_at,
           max(s.created_at) AS last_at
    FROM s
    GROUP BY s.challenger_model_id
)
SELECT g.challenger_model_id, m.version AS challenger_version, g.champion_model_ids,
       g.predictions, g.agreements,
       round(100.0 * g.agreements / g.predictions, 2) AS agreement_rate,
       g.labelled, g.champion_correct, g.challenger_correct,
       CASE WHEN g.labelled > 0 THEN round(100.0 * g.champion_correct / g.labelled, 2) END AS champion_accuracy,
       CASE WHEN g.labelled > 0 THEN round(100.0 * g.challenger_correct / g.labelled, 2) END AS challenger_accuracy,
       CASE WHEN g.labelled = 0 THEN NULL
            WHEN g.challenger_correct > g.champion_correct THEN 'challenger'
            WHEN g.challenger_correct < g.champion_correct THEN 'champion'
            ELSE 'tie' END AS better_model,
       g.first_at, g.last_at
FROM g
LEFT JOIN @extschema@.ai_intent_models m ON m.id = g.challenger_model_id
ORDER BY g.challenger_model_id;
COMMENT ON VIEW @extschema@.ai_shadow_agreement IS
    'Per challenger model: shadow predictions, agreement rate with the champion (%), and, on rows with a human label (correction, or a confirmed detection), how often each model was right and which did better.';
