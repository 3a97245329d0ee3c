#!/usr/bin/env bash
# A drop_classifier() during a training (issue 31 item 6), with two sessions
# of the classifier's owner: on 0.3.1 the training, once past its checks,
# activated its model under the dropped classifier's name. Now a training
# holds the classifier's row (FOR KEY SHARE) until it commits, a drop locks
# it FOR UPDATE before anything else, and an activation checks that the
# model's classifier still exists: either the drop waits for the training
# and then deactivates its model, or the training finds no classifier.
cd "$(dirname "$0")/../.."
source test/scripts/lib.bash
DB=pgi_identity
fresh_db $DB
psql -X -q -v ON_ERROR_STOP=1 -d $DB <<'SQL' >/dev/null
SET client_min_messages = warning;
DROP ROLE IF EXISTS pgi_id_alice;
CREATE ROLE pgi_id_alice;
SELECT grant_intent_access('pgi_id_alice', 'classifiers');
CREATE TABLE raw (split text, text text, intent text);
\copy raw FROM 'data/nlpjs_corpus50_es.csv' WITH (FORMAT csv, HEADER true)
CREATE TABLE prompts AS
SELECT row_number() OVER (ORDER BY split, text, intent) AS id, text AS prompt, split_part(intent, '.', 1) AS route
  FROM raw WHERE intent <> 'oos';
ALTER TABLE prompts OWNER TO pgi_id_alice;
SET ROLE pgi_id_alice;
SELECT create_classifier('router', 'prompts', 'prompt', 'route', '{"seed": 1}');
SELECT create_classifier('router2', 'prompts', 'prompt', 'route', '{"seed": 1}');
SQL
# The backend running a statement like $1 (sent to a session just now).
pid_of() {
    local pid
    for _ in $(seq 1 200); do
        pid=$(q $DB "SELECT pid FROM pg_stat_activity WHERE query LIKE '$1' AND pid <> pg_backend_pid()")
        [ -n "$pid" ] && { echo "$pid"; return 0; }
        sleep 0.1
    done
    echo "no backend runs $1" >&2
    return 1
}
active_sql="SELECT count(*) FROM ai_intent_models WHERE is_active AND classifier IN ('router', 'router2')"

# 1. The drop comes first and waits (here on the deployment lock another
#    session holds); the training starts after it and reaches the
#    classifier while the drop is under way. On 0.3.1 the training queued
#    behind the drop on the deployment lock and then activated its model
#    for the dropped classifier.
session_open holder $DB
session_open dropper $DB
session_open trainer $DB
session_run holder "BEGIN; SELECT intent_internal._pg_intent_lock_deployment('router');" >/dev/null
session_send dropper "SET ROLE pgi_id_alice; SELECT drop_classifier('router') ->> 'classifier';"
wait_until_waiting_on_lock $DB "$(pid_of "%drop_classifier(''router'')%")"
session_send trainer "SET ROLE pgi_id_alice; SELECT train_classifier('router') ->> 'status';"
trainer_pid=$(pid_of "%train_classifier(''router'')%")
wait_until_waiting_on_lock $DB "$trainer_pid"
session_run holder "COMMIT;" >/dev/null
expect_eq "$(session_wait dropper)" "router" "the drop went through"
trained=$(session_wait trainer)
expect_eq "$(q $DB "$active_sql")" "0" "no model is active under the dropped name"
[[ $trained == *'ERROR:  classifier "router" does not exist'* ]] ||
    { echo "FAILED: the training that started during the drop: $trained" >&2; exit 1; }
echo "ok: the training that started during the drop found no classifier"
expect_eq "$(q $DB "SELECT count(*) FROM ai_intent_models WHERE classifier = 'router'")" "0" "and recorded no model for it"

# 2. The training first, its transaction still open: the drop waits for it,
#    then deactivates the model it deployed.
session_run trainer "BEGIN; SELECT train_classifier('router2') ->> 'deployed';" >/dev/null
expect_eq "$(q $DB "SELECT count(*) FROM ai_intent_models WHERE classifier = 'router2'")" "0" "(the training is not committed yet)"
session_send dropper "SELECT drop_classifier('router2') ->> 'models_deactivated';"
dropper_pid=$(pid_of "%drop_classifier(''router2'')%")
wait_until_waiting_on_lock $DB "$dropper_pid"
expect_eq "$(q $DB "SELECT count(*) FROM pg_locks AS l JOIN pg_stat_activity AS a ON a.pid = l.pid
                     WHERE a.pid = $dropper_pid AND NOT l.granted AND l.locktype = 'transactionid'")" "1" \
    "the drop waits for the training's transaction (the classifier's row)"
session_run trainer "COMMIT;" >/dev/null
expect_eq "$(session_wait dropper)" "1" "then deactivates the model the training deployed"
expect_eq "$(q $DB "$active_sql")" "0" "no model is active under a dropped name"
expect_eq "$(q $DB "SELECT count(*) FROM ai_intent_models WHERE classifier = 'router2' AND classifier_id IS NOT NULL")" "1" \
    "the model stays as the dropped classifier's history"

# 3. A model of a dropped classifier is never activated, whoever asks: not
#    through a classifier created again with the name, not by id.
psql -X -q -v ON_ERROR_STOP=1 -d $DB -c "SET ROLE pgi_id_alice" \
    -c "SELECT create_classifier('router2', 'prompts', 'prompt', 'route', '{\"seed\": 1}')" >/dev/null
old=$(q $DB "SELECT id FROM ai_intent_models WHERE classifier = 'router2'")
err=$(psql -X -q -d $DB -c "SELECT deploy_classifier_model('router2', $old)" 2>&1 || true)
[[ $err == *"classifier \"router2\" has no model $old"* ]] || { echo "FAILED: $err" >&2; exit 1; }
echo "ok: the classifier created again does not deploy the dropped one's model"
err=$(psql -X -q -d $DB -c "SELECT intent_internal._pg_intent_activate($old, 'manual', NULL)" 2>&1 || true)
[[ $err == *"the classifier of model $old no longer exists"* ]] || { echo "FAILED: $err" >&2; exit 1; }
echo "ok: the activation itself refuses it (55000)"

session_close holder
session_close dropper
session_close trainer
drop_db $DB
psql -X -q -d postgres -c "DROP ROLE pgi_id_alice"
