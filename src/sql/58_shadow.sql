-- Champion/challenger shadow scoring (operations).

------------------------------------------------------------------------------
-- Champion / challenger
------------------------------------------------------------------------------

-- Scores a message with the active model and a challenger, and logs both.
CREATE OR REPLACE FUNCTION @extschema@.shadow_predict(
    p_message text, p_challenger_model_id bigint, p_training_data_id uuid DEFAULT NULL)
RETURNS jsonb
LANGUAGE plpgsql VOLATILE PARALLEL UNSAFE
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    c record;
    x record;
    v_id bigint;
    v_agreed boolean;
BEGIN
    IF p_message IS NULL THEN
        RAISE EXCEPTION USING MESSAGE = intent_internal._pg_intent_error_words('p_message must not be null'), ERRCODE = '22004';
    END IF;
    IF p_challenger_model_id IS NULL THEN
        RAISE EXCEPTION USING MESSAGE = intent_internal._pg_intent_error_words('p_challenger_model_id must not be null'), ERRCODE = '22004';
    END IF;
    IF NOT EXISTS (SELECT 1 FROM @extschema@.ai_intent_models m WHERE m.id = p_challenger_model_id) THEN
        RAISE EXCEPTION USING MESSAGE = intent_internal._pg_intent_error_words('model %s not found', p_challenger_model_id), ERRCODE = 'P0002';
    END IF;
    -- A challenger of the intent model is an intent model: a named
    -- classifier's model answers other labels.
    IF EXISTS (SELECT 1 FROM @extschema@.ai_intent_models m
               WHERE m.id = p_challenger_model_id AND m.classifier <> 'intent') THEN
        RAISE EXCEPTION USING MESSAGE = intent_internal._pg_intent_error_words('invalid value for p_challenger_model_id: %s', p_challenger_model_id),
                   ERRCODE = '22023', DETAIL = intent_internal._pg_intent_error_words('The model belongs to another classifier than intent.');
    END IF;
    -- The champion is the model predict_intent() serves, and the challenger
    -- must be another: compared on the champion's answer, not on is_active
    -- read through this transaction's snapshot. predict_intent() reads the
    -- active row with a fresh snapshot, so in a REPEATABLE READ transaction
    -- begun before the challenger was deployed the snapshot said "not
    -- active" while the champion was the challenger itself, and the call
    -- logged the model against itself as an agreement
    -- (test/scripts/shadow_champion.sh).
    SELECT * INTO c FROM @extschema@.predict_intent(p_message);
    IF c.model_id = p_challenger_model_id THEN
        RAISE EXCEPTION USING MESSAGE = intent_internal._pg_intent_error_words('invalid value for p_challenger_model_id: %s', p_challenger_model_id),
                   ERRCODE = '22023', DETAIL = intent_internal._pg_intent_error_words('The challenger is the active model.'),
                  HINT = intent_internal._pg_intent_error_words('Choose a model that is not deployed.');
    END IF;
    IF p_training_data_id IS NOT NULL
       AND NOT EXISTS (SELECT 1 FROM @extschema@.ai_training_data d WHERE d.id = p_training_data_id) THEN
        RAISE EXCEPTION USING MESSAGE = intent_internal._pg_intent_error_words('training data row %s not found', p_training_data_id), ERRCODE = 'P0002';
    END IF;

    SELECT * INTO x FROM @extschema@.predict_intent(p_message, p_challenger_model_id);
    v_agreed := c.predicted_intent IS NOT DISTINCT FROM x.predicted_intent;

    -- No copy of p_message: the log is readable by every reviewer, and the
    -- text of a linked call is read from ai_training_data, where row-level
    -- security decides who sees it.
    INSERT INTO @extschema@.ai_shadow_predictions
        (training_data_id, champion_model_id, champion_intent, champion_confidence,
         champion_uncertain, challenger_model_id, challenger_intent, challenger_confidence,
         challenger_uncertain, agreed)
    VALUES (p_training_data_id, c.model_id, c.predicted_intent, c.confidence,
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
    'Champion/challenger: classifies p_message with the active model and with p_challenger_model_id, logs both predictions to ai_shadow_predictions (linked to p_training_data_id when given; the message text is not stored) and returns {shadow_id, agreed, champion, challenger}. Serve the champion''s answer; the challenger only shadows.';

CREATE OR REPLACE VIEW @extschema@.ai_shadow_agreement WITH (security_invoker = true) AS
WITH s AS (
    SELECT sp.challenger_model_id, sp.champion_model_id, sp.champion_intent, sp.challenger_intent,
           sp.agreed, sp.created_at,
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
           pg_catalog.array_agg(DISTINCT s.champion_model_id) FILTER (WHERE s.champion_model_id IS NOT NULL) AS champion_model_ids,
           min(s.created_at) AS first_at,
           max(s.created_at) AS last_at
    FROM s
    GROUP BY s.challenger_model_id
)
SELECT g.challenger_model_id, m.version AS challenger_version, g.champion_model_ids,
       g.predictions, g.agreements,
       round(100.0 * g.agreements::numeric / g.predictions::numeric, 2) AS agreement_rate,
       g.labelled, g.champion_correct, g.challenger_correct,
       CASE WHEN g.labelled > 0 THEN round(100.0 * g.champion_correct::numeric / g.labelled::numeric, 2) END AS champion_accuracy,
       CASE WHEN g.labelled > 0 THEN round(100.0 * g.challenger_correct::numeric / g.labelled::numeric, 2) END AS challenger_accuracy,
       CASE WHEN g.labelled = 0 THEN NULL
            WHEN g.challenger_correct > g.champion_correct THEN 'challenger'
            WHEN g.challenger_correct < g.champion_correct THEN 'champion'
            ELSE 'tie' END AS better_model,
       g.first_at, g.last_at,
       -- The three percentages above as fractions 0-1, the scale of every
       -- rate in the dashboards (docs/dashboards.md); those keep their 0-100
       -- (a contract) and these come last, so CREATE OR REPLACE VIEW keeps
       -- the view and its grants.
       round(g.agreements::numeric / g.predictions::numeric, 4) AS agreement_rate_fraction,
       CASE WHEN g.labelled > 0 THEN round(g.champion_correct::numeric / g.labelled::numeric, 4) END AS champion_accuracy_fraction,
       CASE WHEN g.labelled > 0 THEN round(g.challenger_correct::numeric / g.labelled::numeric, 4) END AS challenger_accuracy_fraction
FROM g
LEFT JOIN @extschema@.ai_intent_models m ON m.id = g.challenger_model_id
ORDER BY g.challenger_model_id;
COMMENT ON VIEW @extschema@.ai_shadow_agreement IS
    'Per challenger model: shadow predictions, agreement rate with the champion (agreement_rate, percent 0-100), and, on rows with a human label (correction, or a confirmed detection), how often each model was right (champion_accuracy, challenger_accuracy, percent 0-100) and which did better; agreement_rate_fraction, champion_accuracy_fraction and challenger_accuracy_fraction are the same as fractions 0-1. Scales: docs/dashboards.md.';
