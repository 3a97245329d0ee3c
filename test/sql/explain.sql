-- explain_intent(): the n-grams of a message with their contribution to an
-- intent's decision score. Checks that bias + contributions + other_terms
-- add up to the score, and that the score and probability are the ones the
-- model computes for predict_intent(); a named intent, p_top, a given model,
-- NULLs and bad arguments.
SET client_min_messages = warning;
SET pg_intent.allow_drop_with_data = on; -- the previous test's rows go (src/pg/drop_guard.cpp)
DROP EXTENSION IF EXISTS pg_intent CASCADE;
CREATE EXTENSION pg_intent;

\i test/fixtures/try.sql

-- No deployed model yet: 55000, as predict_intent().
SELECT pg_temp.try($$SELECT explain_intent('hola')$$);

\i test/fixtures/spanish_80.sql
SELECT train_intent_model('explain', 'full', '{"seed": 3}') ->> 'status' AS status;

CREATE TEMP TABLE messages (m text);
INSERT INTO messages VALUES
    ('quiero devolver el producto porque llegó roto'),
    ('¿dónde está mi pedido? no ha llegado'),
    ('hola buenos días'),
    ('xyzzy'),
    ('');

-- The predicted intent, as predict_intent() names it, with its probability.
SELECT m,
       e ->> 'intent' = p.predicted_intent AS same_intent,
       (e ->> 'probability')::float8 = p.confidence AS same_probability,
       e ->> 'predicted_intent' = p.predicted_intent AS predicted,
       (e ->> 'uncertain')::boolean = p.uncertain AS same_uncertain,
       (e ->> 'model_id')::bigint = p.model_id AS same_model,
       jsonb_array_length(e -> 'terms') <= 5 AS at_most_5
FROM messages, predict_intent(m) p, explain_intent(m) e;

-- For every message and every intent: bias + contributions + other_terms
-- equals the score, within the documented float bound
--     (n + 4) * 2^-24 * (|bias| + sum |contributions|),
-- and the listed terms are sorted by magnitude. With p_top 1000 every
-- contribution is listed and other_terms is 0.
WITH intents AS (
    SELECT jsonb_array_elements_text(intent_model_info(model) -> 'intents') AS intent
    FROM ai_intent_models WHERE is_active
), x AS (
    SELECT m, intent, explain_intent(m, 1000, intent) AS e, explain_intent(m, 2, intent) AS e2
    FROM messages, intents
), checked AS (
    SELECT m, intent, e, e2,
           (e ->> 'bias')::float8 + coalesce((SELECT sum((t ->> 'contribution')::float8) FROM jsonb_array_elements(e -> 'terms') t), 0)
               + (e ->> 'other_terms')::float8 AS total,
           (e2 ->> 'bias')::float8 + coalesce((SELECT sum((t ->> 'contribution')::float8) FROM jsonb_array_elements(e2 -> 'terms') t), 0)
               + (e2 ->> 'other_terms')::float8 AS total2,
           ((e ->> 'features_in_message')::int + 4) * 2 ^ -24
               * (abs((e ->> 'bias')::float8)
                  + coalesce((SELECT sum(abs((t ->> 'contribution')::float8)) FROM jsonb_array_elements(e -> 'terms') t), 0)) AS bound
    FROM x
)
SELECT count(*) AS explanations,
       count(*) FILTER (WHERE abs(total - (e ->> 'score')::float8) <= bound) AS sums_to_score,
       count(*) FILTER (WHERE abs(total2 - (e2 ->> 'score')::float8) <= bound) AS top_2_sums_to_score,
       count(*) FILTER (WHERE (e ->> 'other_terms')::float8 = 0) AS nothing_left_out,
       count(*) FILTER (WHERE jsonb_array_length(e -> 'terms') = (e ->> 'terms_total')::int) AS all_listed,
       count(*) FILTER (WHERE jsonb_array_length(e2 -> 'terms') = least(2, (e ->> 'terms_total')::int)) AS two_listed,
       count(*) FILTER (WHERE (e ->> 'intent') = intent) AS named_intent,
       count(*) FILTER (WHERE (e ->> 'score') = (e2 ->> 'score')) AS same_score
FROM checked;

-- The terms come sorted by the magnitude of their contribution.
SELECT count(*) AS unsorted
FROM messages, explain_intent(m, 1000) e,
     LATERAL (SELECT abs((t ->> 'contribution')::float8) AS c, i
              FROM jsonb_array_elements(e -> 'terms') WITH ORDINALITY AS a(t, i)) a,
     LATERAL (SELECT abs((t ->> 'contribution')::float8) AS c
              FROM jsonb_array_elements(e -> 'terms') WITH ORDINALITY AS b(t, j) WHERE j = a.i + 1) b
WHERE b.c > a.c;

-- What a reviewer sees: the strongest n-grams of a return request, each
-- pushing towards return_process.
SELECT e ->> 'intent' AS intent, t ->> 'term' AS term, t ->> 'kind' AS kind,
       (t ->> 'contribution')::float8 > 0 AS pushes_towards_it
FROM explain_intent('quiero devolver el producto', 6) e, jsonb_array_elements(e -> 'terms') t;

-- A message with no known n-gram: the bias alone.
SELECT jsonb_array_length(e -> 'terms') AS terms, (e ->> 'score')::float8 = (e ->> 'bias')::float8 AS bias_only
FROM explain_intent('¡¡¡ 😀 !!!') e;

-- p_top 0 lists nothing and sums everything in other_terms.
SELECT jsonb_array_length(e -> 'terms') AS terms, (e ->> 'terms_total')::int > 0 AS has_terms
FROM explain_intent('quiero devolver el producto', 0) e;

-- A given model: the same explanation as with the active one when it is
-- the active one; an unknown id is P0002 as for predict_intent().
SELECT explain_intent('quiero devolver el producto', 5, NULL, id) = explain_intent('quiero devolver el producto') AS same
FROM ai_intent_models WHERE is_active;
SELECT pg_temp.try($$SELECT explain_intent('hola', 5, NULL, 999999)$$);

-- NULL message: NULL, as predict_intent() (strict). Bad arguments.
SELECT explain_intent(NULL) IS NULL AS null_message;
SELECT pg_temp.try($$SELECT explain_intent('hola', NULL)$$);
SELECT pg_temp.try($$SELECT explain_intent('hola', -1)$$);
SELECT pg_temp.try($$SELECT explain_intent('hola', 1001)$$);
SELECT pg_temp.try($$SELECT explain_intent('hola', 5, 'no_such_intent')$$);

-- Not open to PUBLIC: whether an n-gram of any made-up text is in the
-- vocabulary says whether a training message contained it (a card number,
-- digit by digit). A role it is granted to needs no access to the model
-- rows, but reads the training data (0.3.2): SELECT on ai_training_data, as
-- a reviewer has (test/sql/classifier_privacy.sql: not under a row-level
-- security policy).
CREATE ROLE pgi_explain_reader;
SET ROLE pgi_explain_reader;
SELECT pg_temp.try($$SELECT explain_intent('quiero devolver el producto', 3) ->> 'intent'$$) AS as_plain_role;
RESET ROLE;
GRANT EXECUTE ON FUNCTION explain_intent(text, integer, text, bigint) TO pgi_explain_reader;
SET ROLE pgi_explain_reader;
SELECT pg_temp.try($$SELECT explain_intent('quiero devolver el producto', 3) ->> 'intent'$$) AS without_the_data;
RESET ROLE;
GRANT SELECT ON ai_training_data TO pgi_explain_reader;
SET ROLE pgi_explain_reader;
SELECT explain_intent('quiero devolver el producto', 3) ->> 'intent' AS as_granted_role;
RESET ROLE;
REVOKE ALL ON FUNCTION explain_intent(text, integer, text, bigint) FROM pgi_explain_reader;
REVOKE ALL ON ai_training_data FROM pgi_explain_reader;
DROP ROLE pgi_explain_reader;
