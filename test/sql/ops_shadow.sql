-- Champion/challenger: shadow_predict() and the ai_shadow_agreement view.
SET client_min_messages = warning;
SET pg_intent.allow_drop_with_data = on; -- the previous test's rows go (src/pg/drop_guard.cpp)
DROP EXTENSION IF EXISTS pg_intent CASCADE;
CREATE EXTENSION pg_intent;

\i test/fixtures/try.sql

-- The view's arithmetic on a hand-made log: challenger 901 has 4 predictions,
-- 3 agreements (75 %); 3 rows have a human label: the champion was right on
-- 1 (33.33 %), the challenger on 2 (66.67 %). Challenger 902: 2 rows, no
-- agreement, no label.
INSERT INTO ai_training_data (id, user_message, detected_intent, correct_intent, intent_correct)
VALUES ('00000000-0000-0000-0000-000000000001', 'm1', 'a', 'b', false),
       ('00000000-0000-0000-0000-000000000002', 'm2', 'a', NULL, true),
       ('00000000-0000-0000-0000-000000000003', 'm3', 'b', 'c', false),
       ('00000000-0000-0000-0000-000000000004', 'm4', 'a', NULL, NULL);
INSERT INTO ai_shadow_predictions (training_data_id, message, champion_model_id, champion_intent,
                                   challenger_model_id, challenger_intent, agreed)
VALUES ('00000000-0000-0000-0000-000000000001', 'm1', 900, 'a', 901, 'b', false),
       ('00000000-0000-0000-0000-000000000002', 'm2', 900, 'a', 901, 'a', true),
       ('00000000-0000-0000-0000-000000000003', 'm3', 900, 'b', 901, 'b', true),
       ('00000000-0000-0000-0000-000000000004', 'm4', 900, 'a', 901, 'a', true),
       (NULL, 'x', 900, 'a', 902, 'b', false),
       (NULL, 'y', 900, 'c', 902, 'd', false);
SELECT challenger_model_id, champion_model_ids, predictions, agreements, agreement_rate, labelled,
       champion_correct, challenger_correct, champion_accuracy, challenger_accuracy, better_model
FROM ai_shadow_agreement;
TRUNCATE ai_shadow_predictions;
DELETE FROM ai_training_data;

-- Two real models: the champion (deployed first) and a challenger trained
-- with a very weak C and never deployed. 4 intents x 25 Spanish messages.
\i test/fixtures/spanish_100.sql
SELECT pg_temp.add_samples(ARRAY['los zapatos', 'la camiseta', 'el vestido', 'la chaqueta', 'el bolso'], true) AS added;

SELECT r ->> 'status' AS status, r -> 'deployed' AS deployed FROM train_intent_model('champion') r;
SELECT r ->> 'status' AS status, r -> 'deployed' AS deployed
FROM train_intent_model('challenger', 'full', '{"deploy": "never", "C": 0.05, "seed": 7}') r;
SELECT (SELECT id FROM ai_intent_models WHERE is_active) AS champion \gset
SELECT (SELECT id FROM ai_intent_models WHERE NOT is_active) AS challenger \gset

-- One call: both answers come back and the log gets one row.
SELECT s #>> '{champion,predicted_intent}' AS champion_intent,
       s #>> '{challenger,predicted_intent}' AS challenger_intent,
       (s #>> '{champion,model_id}')::bigint = :champion AS champion_is_active,
       (s #>> '{challenger,model_id}')::bigint = :challenger AS challenger_ok,
       (s ->> 'agreed')::boolean = ((s #>> '{champion,predicted_intent}') = (s #>> '{challenger,predicted_intent}')) AS agreed_consistent,
       s ? 'shadow_id' AS has_shadow_id
FROM shadow_predict('quiero devolver los zapatos por favor', :challenger) s;
SELECT count(*) AS logged, bool_and(training_data_id IS NULL) AS unlinked,
       bool_and(champion_model_id = :champion AND challenger_model_id = :challenger) AS models_ok
FROM ai_shadow_predictions;

-- Shadow every reviewed message, linked to its row: the view compares both
-- models with the human labels (here the detected intents, all confirmed).
SELECT count(*) AS shadowed
FROM ai_training_data d, LATERAL shadow_predict(d.user_message, :challenger, d.id) s;
SELECT predictions = 101 AS predictions_ok, labelled = 100 AS labelled_ok,
       agreement_rate BETWEEN 0 AND 100 AS rate_ok,
       agreement_rate = round(100.0 * agreements / predictions, 2) AS rate_consistent,
       champion_accuracy >= 90 AS champion_good,
       better_model IN ('champion', 'challenger', 'tie') AS compared
FROM ai_shadow_agreement WHERE challenger_model_id = :challenger;
-- The champion's logged answers are those predict_intent() gives.
SELECT bool_and(sp.champion_intent = (predict_intent(sp.message)).predicted_intent) AS champion_matches,
       bool_and(sp.challenger_intent = (predict_intent(sp.message, :challenger)).predicted_intent) AS challenger_matches
FROM ai_shadow_predictions sp;

-- Errors.
SELECT pg_temp.try('SELECT shadow_predict(''hola'', 999999)') AS unknown_challenger;
SELECT pg_temp.try(format('SELECT shadow_predict(''hola'', %s)', :champion)) AS active_as_challenger;
SELECT pg_temp.try('SELECT shadow_predict(NULL, 1)') AS null_message;
SELECT pg_temp.try('SELECT shadow_predict(''hola'', NULL)') AS null_challenger;
SELECT pg_temp.try(format('SELECT shadow_predict(''hola'', %s, ''00000000-0000-0000-0000-0000000000ff'')', :challenger)) AS unknown_row;
UPDATE ai_intent_models SET is_active = false;
SELECT pg_temp.try(format('SELECT shadow_predict(''hola'', %s)', :challenger)) AS no_champion;
