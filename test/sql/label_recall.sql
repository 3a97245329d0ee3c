-- A label's recall target (issue 34, point 5): a support team's escalation
-- flag missed too many escalations (out-of-fold recall of `true` 0.60), and
-- the workaround read the label's probability by hand. The options
-- recall_label and recall_target raise the label's score until its
-- out-of-fold recall reaches the target (src/core/label_recall.h); the
-- served model carries it, the label never abstains for low confidence, and
-- the run's metrics say what it did. The same options serve the built-in
-- intent classifier through the same code.
SET client_min_messages = warning;
SET pg_intent.allow_drop_with_data = on; -- the previous test's rows go (src/pg/drop_guard.cpp)
DROP EXTENSION IF EXISTS pg_intent CASCADE;
CREATE EXTENSION pg_intent;
DROP ROLE IF EXISTS pgi_lr_trainer;
CREATE ROLE pgi_lr_trainer NOLOGIN;

\i test/fixtures/try.sql

-- 900 chats, about 15 % escalated; an escalating chat names a strong cue
-- word only sometimes and a weak one (impatience) more often, and calm
-- chats now and then do too.
CREATE TABLE lr_chats (id bigserial PRIMARY KEY, msg text NOT NULL, escalated boolean NOT NULL);
INSERT INTO lr_chats (msg, escalated)
SELECT concat_ws(' ', w.words,
                 CASE WHEN abs(hashtext('c' || n)) % 100 < CASE WHEN e THEN 55 ELSE 3 END
                      THEN (ARRAY['abogado', 'denuncia', 'inaceptable', 'estafa', 'harto', 'reclamación'])[1 + abs(hashtext('k' || n)) % 6]
                 END,
                 CASE WHEN abs(hashtext('m' || n)) % 100 < CASE WHEN e THEN 60 ELSE 12 END
                      THEN (ARRAY['otra vez', 'todavía', 'nadie responde', 'ya van tres días'])[1 + abs(hashtext('q' || n)) % 4]
                 END, n::text),
       e
  FROM generate_series(1, 900) AS n,
       LATERAL (SELECT abs(hashtext('e' || n)) % 100 < 15 AS e) AS x,
       LATERAL (SELECT string_agg((ARRAY['pedido', 'envío', 'hola', 'gracias', 'talla', 'color', 'precio', 'tienda',
                                         'cuándo', 'llega', 'quiero', 'saber', 'por', 'favor', 'mi', 'el'])[1 + abs(hashtext(n || '_' || k)) % 16], ' ') AS words
                  FROM generate_series(1, 6) AS k) AS w;
SELECT escalated, count(*) BETWEEN 100 AND 800 AS plausible FROM lr_chats GROUP BY escalated ORDER BY escalated;

SELECT create_classifier('lr_escalation', 'lr_chats', 'msg', 'escalated', '{"key_column": "id", "seed": 1}') ->> 'name' AS classifier;
SELECT t ->> 'deploy_reason' AS reason FROM train_classifier('lr_escalation') AS t;
CREATE TEMP TABLE lr_plain AS
SELECT (metrics #>> '{per_intent,true,recall}')::float8 AS recall_true, metrics ? 'recall_rule' AS has_recall_rule,
       (SELECT count(*) FROM lr_chats AS c, LATERAL predict_label('lr_escalation', c.msg) AS p WHERE p.label = 'true') AS answered_true
  FROM ai_intent_models WHERE classifier = 'lr_escalation' AND is_active;
SELECT recall_true < 0.8 AS misses_escalations, has_recall_rule FROM lr_plain;

-- The rule on: the out-of-fold recall of `true` reaches the target, the
-- report says how, and the model answers `true` more often.
SELECT alter_classifier('lr_escalation', '{"recall_label": "true", "recall_target": 0.8}') IS NOT NULL AS altered;
SELECT t ->> 'deploy_reason' AS reason FROM train_classifier('lr_escalation', NULL, '{"deploy": "always"}') AS t;
SELECT metrics #>> '{recall_rule,label}' AS label,
       metrics #>> '{recall_rule,target}' AS target,
       metrics #>> '{recall_rule,reason_code}' AS reason_code,
       (metrics #>> '{recall_rule,offset}')::float8 > 0 AS raised,
       (metrics #>> '{recall_rule,recall_before}')::float8 < 0.8 AS was_below,
       (metrics #>> '{recall_rule,recall_after}')::float8 >= 0.8 AS reaches_target,
       (metrics #>> '{per_intent,true,recall}')::float8 >= 0.75 AS oof_recall_follows,
       (metrics #>> '{per_intent,true,recall}')::float8 > (SELECT recall_true FROM lr_plain) AS better_than_plain,
       (metrics #>> '{threshold,per_intent,true}')::float8 = 0 AS never_withheld,
       intent_model_info(model) #>> '{options,recall_label}' AS stored_option
  FROM ai_intent_models WHERE classifier = 'lr_escalation' AND is_active;
SELECT (SELECT count(*) FROM lr_chats AS c, LATERAL predict_label('lr_escalation', c.msg) AS p WHERE p.label = 'true')
       > answered_true AS answers_true_more_often
  FROM lr_plain;
-- Prediction: a chat without evidence still abstains; classify_label() of
-- an escalation cue answers true. The recall rule exempts the label from
-- its confidence threshold, not from the novelty rules: a chat most of
-- whose words these rows never held (6 of 8 here) abstains on unknown
-- words (src/core/novelty.h), cue or not.
SELECT p.uncertain AS empty_uncertain FROM predict_label('lr_escalation', '') AS p;
SELECT classify_label('lr_escalation', 'hola, mi pedido todavía no llega: esto es inaceptable') AS cue;
SELECT e ->> 'uncertain_reason' AS mostly_unknown
  FROM explain_label('lr_escalation', 'esto es inaceptable, voy a poner una denuncia') AS e;

-- The options are checked (22023 naming the option).
SELECT pg_temp.try($$SELECT alter_classifier('lr_escalation', '{"recall_target": 0}')$$) AS target_zero;
SELECT pg_temp.try($$SELECT alter_classifier('lr_escalation', '{"recall_target": 1.2}')$$) AS target_too_large;
SELECT pg_temp.try($$SELECT alter_classifier('lr_escalation', '{"recall_label": 7}')$$) AS label_not_text;
SELECT pg_temp.try($$SELECT train_intent_model('bad', 'full', '{"recall_label": "out_of_scope"}')$$) AS out_of_scope_label;
SELECT intent_training_options('{"recall_label": "return_process"}') ->> 'recall_target' AS default_target,
       intent_training_options() ? 'recall_label' AS shown_when_unset;

-- A label the rows do not have: the run trains without the rule and says so.
SELECT t ->> 'deploy_reason' AS reason
  FROM train_classifier('lr_escalation', NULL, '{"recall_label": "maybe", "deploy": "never"}') AS t;
SELECT metrics #>> '{recall_rule,reason_code}' AS absent, (metrics #>> '{recall_rule,offset}')::float8 AS offset_
  FROM ai_intent_models WHERE classifier = 'lr_escalation' ORDER BY created_at DESC, id DESC LIMIT 1;

-- The built-in intent classifier, through the same code.
\i test/fixtures/spanish_80.sql
SELECT train_intent_model('recall', 'full', '{"recall_label": "return_process", "recall_target": 1}') ->> 'deploy_reason' AS reason;
SELECT metrics #>> '{recall_rule,label}' AS label, metrics #>> '{recall_rule,reason_code}' IN ('shifted', 'target_met') AS applied,
       (metrics #>> '{recall_rule,recall_after}')::float8 = 1 AS every_return_found
  FROM ai_intent_models WHERE is_active AND classifier = 'intent';

-- Exempting a label from abstaining is an abstention rule the gate cannot
-- weigh: a trainer without the deploy right may try it only with
-- {"deploy": "never"}.
GRANT EXECUTE ON FUNCTION train_intent_model(text, text, jsonb) TO pgi_lr_trainer;
SET ROLE pgi_lr_trainer;
SELECT pg_temp.try($$SELECT train_intent_model('try', 'full', '{"recall_label": "return_process"}')$$) AS without_deploy_right;
SELECT (train_intent_model('try', 'full', '{"recall_label": "return_process", "deploy": "never"}') ->> 'deploy_reason') AS tried;
RESET ROLE;

SELECT drop_classifier('lr_escalation') IS NOT NULL AS dropped;
DROP TABLE lr_chats CASCADE;
REVOKE ALL ON FUNCTION train_intent_model(text, text, jsonb) FROM pgi_lr_trainer;
DROP ROLE pgi_lr_trainer;
