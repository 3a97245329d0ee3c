#!/usr/bin/env bash
# End to end, a second label on the built-in table: the support bot's
# messages (data/ecommerce_es.csv, logged with record_interaction()) carry
# should_escalate, set here for the rows a human should take (complaints and
# requests for an agent). A classifier over ai_training_data learns it with
# the table's own review machinery (is_reviewed: only reviewed rows judge the
# active model), while the intent classifier goes on as before.
cd "$(dirname "$0")/../.."
source test/scripts/lib.bash
DB=pgi_second_label
trap 'drop_db $DB; rm -rf "$TEST_TMP"' EXIT
fresh_db $DB
load_ecommerce $DB

q $DB "SELECT train_intent_model('intent first', 'full', '{\"seed\": 1}') ->> 'status'" >/dev/null
intent_model=$(q $DB "SELECT id FROM ai_intent_models WHERE is_active AND classifier = 'intent'")
before=$(q $DB "SELECT string_agg(classify_intent(text), ',' ORDER BY text) FROM demo_rows WHERE split = 'test'")

q $DB "UPDATE ai_training_data SET should_escalate = detected_intent IN ('complaint', 'human_agent')" >/dev/null
q $DB "SELECT create_classifier('escalation', 'ai_training_data', 'user_message', 'should_escalate', '{\"key_column\": \"id\", \"time_column\": \"created_at\", \"reviewed_column\": \"is_reviewed\", \"seed\": 1}') ->> 'name'" >/dev/null
r=$(q $DB "SELECT (t ->> 'status') || ':' || (t ->> 'deploy_reason') || ':' || (t ->> 'total_intents') FROM train_classifier('escalation') AS t")
expect_eq "$r" "completed:first:2" "a boolean label trains a two-label classifier"
expect_eq "$(q $DB "SELECT classify_label('escalation', 'quiero hablar con una persona, no con un bot')")" true "a request for a human escalates"
expect_eq "$(q $DB "SELECT classify_label('escalation', '¿cuándo llega mi pedido?')")" false "an order question does not"
acc=$(q $DB "SELECT round(avg((classify_label('escalation', text) = (intent IN ('complaint', 'human_agent'))::text)::int), 3) FROM demo_rows WHERE split = 'test' AND classify_label('escalation', text) IS NOT NULL")
expect_eq "$(q $DB "SELECT $acc >= 0.8")" t "the escalation label is learnt ($acc on the held-out messages it answers)"

# The review machinery applies: only reviewed rows judge the active model.
q $DB "SELECT record_interaction('me tienen harto, quiero una persona ya', 'complaint', 90)" >/dev/null
q $DB "UPDATE ai_training_data SET should_escalate = true WHERE user_message = 'me tienen harto, quiero una persona ya'" >/dev/null
# (Not deployed: the active model stays the one that never saw the row.)
second=$(q $DB "SELECT t ->> 'deploy_evidence' FROM train_classifier('escalation', 'second', '{\"seed\": 2, \"deploy\": \"never\"}') AS t")
expect_eq "$(q $DB "SELECT count(*) FILTER (WHERE rr.fresh) FROM ai_classifier_run_rows AS rr JOIN ai_training_runs AS r ON r.id = rr.run_id WHERE r.run_name = 'second'")" 0 \
    "an unreviewed new row does not judge the active model (evidence: $second)"
q $DB "SELECT approve_training_sample(id) FROM ai_training_data WHERE user_message = 'me tienen harto, quiero una persona ya'" >/dev/null
q $DB "SELECT train_classifier('escalation', 'third', '{\"seed\": 3}')" >/dev/null
expect_eq "$(q $DB "SELECT count(*) FILTER (WHERE rr.fresh) FROM ai_classifier_run_rows AS rr JOIN ai_training_runs AS r ON r.id = rr.run_id WHERE r.run_name = 'third'")" 1 \
    "once approved, it does"

# The intent classifier is as it was: same model, same answers.
expect_eq "$(q $DB "SELECT id FROM ai_intent_models WHERE is_active AND classifier = 'intent'")" "$intent_model" "the intent model is still the active one"
expect_eq "$(q $DB "SELECT string_agg(classify_intent(text), ',' ORDER BY text) FROM demo_rows WHERE split = 'test'")" "$before" "classify_intent() answers as before"
expect_eq "$(q $DB "SELECT pg_temp_check FROM (SELECT count(*) = 0 AS pg_temp_check FROM ai_training_runs WHERE classifier = 'escalation' AND model_id IN (SELECT id FROM ai_intent_models WHERE classifier = 'intent')) AS x")" t \
    "escalation runs made no intent model"
expect_eq "$(q $DB "SELECT (get_ai_training_metrics() -> 'active_model' ->> 'id')::bigint")" "$intent_model" "the intent dashboards read the intent model"
