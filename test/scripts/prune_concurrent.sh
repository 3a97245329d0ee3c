#!/usr/bin/env bash
# prune_classifier_models() and a model committed while it runs: the keep
# set and the models it dooms are read from one snapshot, so a model the
# rule never judged keeps its bytes. A {"deploy": "never"} run takes no
# deployment lock, so nothing else keeps its model out of a prune. Before,
# the keep set and the doomed UPDATE were two statements with two
# snapshots: a candidate committed between them was in neither the keep set
# nor spared, and lost its bytes although it was the newest candidate the
# rule keeps.
# Held deterministically: a third session locks ai_model_deployments (which
# the rule reads, the training and the UPDATE do not), so the prune's
# reading of the rule waits, with its snapshot taken, while a training
# commits a new model; then the lock is released.
cd "$(dirname "$0")/../.."
source test/scripts/lib.bash
DB=pgi_prune_concurrent
fresh_db $DB
load_ecommerce $DB
trap 'drop_db $DB; stop_own_clusters; stop_extra_clusters' EXIT
psql -X -q -v ON_ERROR_STOP=1 -d $DB <<'SQL' >/dev/null
CREATE TABLE b_rows AS SELECT row_number() OVER () AS id, text AS body, intent AS label FROM demo_rows WHERE split = 'train';
SELECT create_classifier('b_ok', 'b_rows', 'body', 'label', '{"seed": 1}') IS NOT NULL;
SQL
run() { PGOPTIONS="-c client_min_messages=warning" psql -X -At -q -d $DB "$@" 2>&1 || true; }
expect_eq "$(run -c "SELECT t ->> 'deployed' FROM train_classifier('b_ok', 'first') AS t")" true "b_ok's first model is active"

session_open locker $DB
session_open pruner $DB
pruner_pid=$(session_pid pruner)
session_run locker "BEGIN; LOCK TABLE ai_model_deployments IN ACCESS EXCLUSIVE MODE;" >/dev/null
session_send pruner "SELECT p -> 'pruned', p ->> 'kept' FROM prune_classifier_models('b_ok', 1) AS p;"
waiting=0
for _ in $(seq 1 300); do
    waiting=$(q $DB "SELECT count(*) FROM pg_locks WHERE pid = $pruner_pid AND NOT granted
                       AND relation = 'ai_model_deployments'::regclass")
    [ "$waiting" = 1 ] && break
    sleep 0.1
done
expect_eq "$waiting" 1 "the prune waits while reading the rule"
expect_eq "$(run -c "SET lock_timeout = '20s'" \
                -c "SELECT t ->> 'status', t ->> 'deployed' FROM train_classifier('b_ok', 'exp', '{\"deploy\": \"never\"}') AS t")" \
    "completed|false" "an experiment commits a new model meanwhile"
session_run locker "COMMIT;" >/dev/null
expect_eq "$(session_wait pruner)" "[]|1" "the prune removes nothing it did not judge"
expect_eq "$(q $DB "SELECT count(*) FILTER (WHERE m.model IS NOT NULL) || '|' || count(*) FROM ai_intent_models AS m
                     JOIN ai_classifiers AS c ON c.id = m.classifier_id WHERE c.name = 'b_ok'")" "2|2" \
    "both models keep their bytes"
expect_eq "$(run -c "SELECT p -> 'pruned', p ->> 'kept' FROM prune_classifier_models('b_ok', 1) AS p")" "[]|2" \
    "and the next prune keeps the new one as the newest candidate"
session_close locker
session_close pruner
