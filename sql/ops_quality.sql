-- evaluate_interaction(): quality 1-5 from the user's next message, with editable cues.
SET client_min_messages = warning;
DROP EXTENSION IF EXISTS pg_intent CASCADE;
CREATE EXTENSION pg_intent;

CREATE FUNCTION pg_temp.try(p_sql text) RETURNS text LANGUAGE plpgsql AS $$
BEGIN
    EXECUTE p_sql;
    RETURN 'ok';
EXCEPTION WHEN OTHERS THEN
    RETURN SQLSTATE || ': ' || SQLERRM;
END $$;

-- The cue table is seeded in Spanish and English.
SELECT language, kind, count(*) > 0 AS seeded FROM ai_feedback_cues GROUP BY 1, 2 ORDER BY 1, 2;

-- Scoring (no writes): case, accents and punctuation do not matter; negative
-- cues win over positive ones; a cue inside a longer match does not count
-- ("gracias" in "no, gracias"); no cue gives 3; whole words only.
SELECT m AS message, s -> 'score' AS score, s -> 'was_successful' AS success,
       (SELECT string_agg(c ->> 'pattern', ', ') FROM jsonb_array_elements(s -> 'cues') c) AS cues
FROM unnest(ARRAY[
        '¡Muchas GRACIAS!',
        'Perfecto, lo compro',
        '¿Cómo pago con tarjeta?',
        'ok',
        'No, gracias',
        'gracias pero no me sirvió',
        'No entendí nada',
        'Quiero hablar con una persona',
        'Thanks, I want to buy it',
        'I don’t understand',
        'this is useless',
        'regracias sin sentido',
        '']) m,
     LATERAL score_feedback_message(m) s;

-- evaluate_interaction stores the score, the message, the time and the success flag.
INSERT INTO ai_training_data (id, user_message, detected_intent, confidence_score)
VALUES ('00000000-0000-0000-0000-00000000000a', '¿tienen tallas grandes?', 'product_info', 80),
       ('00000000-0000-0000-0000-00000000000b', 'quiero devolver algo', 'return_process', 70),
       ('00000000-0000-0000-0000-00000000000c', 'mi envío no llega', 'shipping_problem', 60);
SELECT evaluate_interaction('00000000-0000-0000-0000-00000000000a', 'Genial, ¡lo quiero! ¿Cómo pago?') AS a,
       evaluate_interaction('00000000-0000-0000-0000-00000000000b', 'no me sirve esa respuesta') AS b,
       evaluate_interaction('00000000-0000-0000-0000-00000000000c', 'vale') AS c;
SELECT user_message, quality_score, user_feedback, was_successful,
       evaluated_at IS NOT NULL AS evaluated
FROM ai_training_data ORDER BY id;

-- Re-evaluating overwrites the previous result.
SELECT evaluate_interaction('00000000-0000-0000-0000-00000000000a', 'no entiendo') AS again;
SELECT quality_score, was_successful, user_feedback FROM ai_training_data
WHERE id = '00000000-0000-0000-0000-00000000000a';

-- Operators edit the cues: a new cue counts at once, a disabled one no longer does.
INSERT INTO ai_feedback_cues (language, pattern, kind, score) VALUES ('es', 'Está bien', 'positive', 4);
UPDATE ai_feedback_cues SET is_active = false WHERE language = 'es' AND pattern = 'no me sirve';
SELECT evaluate_interaction('00000000-0000-0000-0000-00000000000c', 'esta bien, gracias... creo') AS new_cue,
       evaluate_interaction('00000000-0000-0000-0000-00000000000b', 'no me sirve') AS disabled_cue;
-- A cue with purchase meaning can mark success.
INSERT INTO ai_feedback_cues (language, pattern, kind, score, marks_success)
VALUES ('es', 'me lo llevo', 'purchase', 5, true);
SELECT evaluate_interaction('00000000-0000-0000-0000-00000000000c', 'Me lo llevo') AS score;
SELECT was_successful FROM ai_training_data WHERE id = '00000000-0000-0000-0000-00000000000c';

-- The cue table checks its values.
SELECT pg_temp.try($$INSERT INTO ai_feedback_cues (pattern, kind, score) VALUES ('x', 'thanks', 6)$$) AS bad_score;
SELECT pg_temp.try($$INSERT INTO ai_feedback_cues (pattern, kind, score) VALUES ('x', 'happy', 4)$$) AS bad_kind;
SELECT pg_temp.try($$INSERT INTO ai_feedback_cues (pattern, kind, score) VALUES ('  ', 'thanks', 4)$$) AS empty_pattern;

-- Errors.
SELECT pg_temp.try($$SELECT evaluate_interaction('00000000-0000-0000-0000-0000000000ff', 'gracias')$$) AS unknown_id;
SELECT pg_temp.try($$SELECT evaluate_interaction(NULL, 'gracias')$$) AS null_id;
SELECT pg_temp.try($$SELECT evaluate_interaction('00000000-0000-0000-0000-00000000000a', NULL)$$) AS null_message;
SELECT pg_temp.try($$SELECT score_feedback_message(NULL)$$) AS null_preview;
