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
INSERT INTO ai_shadow_predictions (training_data_id, champion_model_id, champion_intent,
                                   challenger_model_id, challenger_intent, agreed)
VALUES ('00000000-0000-0000-0000-000000000001', 900, 'a', 901, 'b', false),
       ('00000000-0000-0000-0000-000000000002', 900, 'a', 901, 'a', true),
       ('00000000-0000-0000-0000-000000000003', 900, 'b', 901, 'b', true),
       ('00000000-0000-0000-0000-000000000004', 900, 'a', 901, 'a', true),
       (NULL, 900, 'a', 902, 'b', false),
       (NULL, 900, 'c', 902, 'd', false);
SELECT challenger_model_id, champion_model_ids, predictions, agreements, agreement_rate, labelled,
       champion_correct, challenger_correct, champion_accuracy, challenger_accuracy, better_model
FROM ai_shadow_agreement;
-- The same rates as fractions 0-1 (docs/dashboards.md), each the percentage / 100.
SELECT challenger_model_id, agreement_rate_fraction, champion_accuracy_fraction, challenger_accuracy_fraction,
       agreement_rate_fraction = agreement_rate / 100
       AND champion_accuracy_fraction IS NOT DISTINCT FROM champion_accuracy / 100
       AND challenger_accuracy_fraction IS NOT DISTINCT FROM challenger_accuracy / 100 AS agrees
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
       agreement_rate_fraction = agreement_rate / 100
       AND champion_accuracy_fraction = champion_accuracy / 100
       AND challenger_accuracy_fraction = challenger_accuracy / 100 AS fractions_agree,
       better_model IN ('champion', 'challenger', 'tie') AS compared
FROM ai_shadow_agreement WHERE challenger_model_id = :challenger;
-- The champion's logged answers are those predict_intent() gives.
SELECT bool_and(sp.champion_intent = (predict_intent(d.user_message)).predicted_intent) AS champion_matches,
       bool_and(sp.challenger_intent = (predict_intent(d.user_message, :challenger)).predicted_intent) AS challenger_matches
FROM ai_shadow_predictions sp JOIN ai_training_data d ON d.id = sp.training_data_id;

-- The log holds no message text: with row-level security on ai_training_data
-- (the README's advice for tenants), a tenant who may read the shadow log
-- does not read another tenant's message in it. 0.2.0 copied the message into
-- ai_shadow_predictions, and tenant B read tenant A's card number there.
CREATE ROLE pgi_shadow_a NOLOGIN;
CREATE ROLE pgi_shadow_b NOLOGIN;
GRANT SELECT, INSERT ON ai_training_data, ai_shadow_predictions, ai_intent_corrections TO pgi_shadow_a, pgi_shadow_b;
GRANT UPDATE ON ai_training_data TO pgi_shadow_a, pgi_shadow_b;
GRANT USAGE ON SEQUENCE ai_shadow_predictions_id_seq TO pgi_shadow_a, pgi_shadow_b;
GRANT SELECT (id, is_active, classifier) ON ai_intent_models TO pgi_shadow_a, pgi_shadow_b;
ALTER TABLE ai_training_data ENABLE ROW LEVEL SECURITY;
CREATE POLICY tenant ON ai_training_data USING (category = current_user) WITH CHECK (category = current_user);
-- the README's policy for the tables that refer to a message: visible with it
ALTER TABLE ai_intent_corrections ENABLE ROW LEVEL SECURITY;
CREATE POLICY same_as_message ON ai_intent_corrections
    USING (EXISTS (SELECT FROM ai_training_data AS d WHERE d.id = training_data_id));
SET ROLE pgi_shadow_a;
INSERT INTO ai_training_data (id, user_message, detected_intent, category)
VALUES ('00000000-0000-0000-0000-0000000000a1', 'mi tarjeta es 4111 1111 1111 1111 (SECRETO-A), quiero devolver', 'return_process', 'pgi_shadow_a');
SELECT shadow_predict(d.user_message, :challenger, d.id) ? 'shadow_id' AS tenant_a_linked,
       shadow_predict('otra tarjeta 4111 1111 1111 1111 (SECRETO-A)', :challenger) ? 'shadow_id' AS tenant_a_unlinked
  FROM ai_training_data d WHERE d.id = '00000000-0000-0000-0000-0000000000a1';
SELECT submit_intent_correction('00000000-0000-0000-0000-0000000000a1', 'payment_issue',
                                p_notes => 'el cliente dio su tarjeta (SECRETO-A)') IS NOT NULL AS tenant_a_corrects;
-- tenant A reads its own message through the link
SELECT d.user_message LIKE '%SECRETO-A%' AS tenant_a_reads_own
  FROM ai_shadow_predictions sp JOIN ai_training_data d ON d.id = sp.training_data_id
 WHERE sp.training_data_id = '00000000-0000-0000-0000-0000000000a1';
SET ROLE pgi_shadow_b;
SELECT count(*) FILTER (WHERE row_to_json(sp)::text LIKE '%SECRETO%') AS tenant_b_sees_card,
       count(*) FILTER (WHERE d.id IS NOT NULL) AS tenant_b_sees_message
  FROM ai_shadow_predictions sp LEFT JOIN ai_training_data d ON d.id = sp.training_data_id;
SELECT count(*) AS tenant_b_sees_corrections FROM ai_intent_corrections;
RESET ROLE;
SELECT count(*) AS corrections_with_notes FROM ai_intent_corrections WHERE notes LIKE '%SECRETO-A%';
DROP POLICY same_as_message ON ai_intent_corrections;
ALTER TABLE ai_intent_corrections DISABLE ROW LEVEL SECURITY;
DROP POLICY tenant ON ai_training_data;
ALTER TABLE ai_training_data DISABLE ROW LEVEL SECURITY;
DELETE FROM ai_shadow_predictions WHERE training_data_id = '00000000-0000-0000-0000-0000000000a1'
   OR training_data_id IS NULL;
DELETE FROM ai_training_data WHERE id = '00000000-0000-0000-0000-0000000000a1';
DROP OWNED BY pgi_shadow_a, pgi_shadow_b;
DROP ROLE pgi_shadow_a, pgi_shadow_b;

-- Errors.
SELECT pg_temp.try('SELECT shadow_predict(''hola'', 999999)') AS unknown_challenger;
SELECT pg_temp.try(format('SELECT shadow_predict(''hola'', %s)', :champion)) AS active_as_challenger;
SELECT pg_temp.try('SELECT shadow_predict(NULL, 1)') AS null_message;
SELECT pg_temp.try('SELECT shadow_predict(''hola'', NULL)') AS null_challenger;
SELECT pg_temp.try(format('SELECT shadow_predict(''hola'', %s, ''00000000-0000-0000-0000-0000000000ff'')', :challenger)) AS unknown_row;
UPDATE ai_intent_models SET is_active = false;
SELECT pg_temp.try(format('SELECT shadow_predict(''hola'', %s)', :challenger)) AS no_champion;
