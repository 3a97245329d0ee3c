#!/usr/bin/env bash
# Multi-session regressions of the security issue (each failed on 0.1.0):
#  14. a role holding 0.1.0's advisory lock keys no longer blocks training or
#      deployment;
#   8. a model deployed by hand while a run trains is not overwritten: the
#      run re-checks its baseline under the deployment lock;
#   9. a correction committed while a run trains does not change what the
#      run recorded, and training never rewrites a row's review state;
#   7. a session that loads the active model inside a REPEATABLE READ
#      transaction does not keep serving a replaced model afterwards.
# Sessions are ordered by locks, not by sleeping: a session is known to be
# blocked when pg_stat_activity says it waits on a lock.
cd "$(dirname "$0")/../.."
source test/scripts/lib.bash
DB=pgi_concurrency
fresh_db $DB
load_ecommerce $DB
psql -X -q -d postgres -c "DROP ROLE IF EXISTS pgi_conc_mallory" -c "CREATE ROLE pgi_conc_mallory LOGIN" >/dev/null
trap 'psql -X -q -d postgres -c "DROP DATABASE IF EXISTS $DB WITH (FORCE)" -c "DROP ROLE IF EXISTS pgi_conc_mallory" >/dev/null; stop_own_clusters; stop_extra_clusters' EXIT

first=$(q $DB "SELECT train_intent_model('first', 'full', '{\"seed\": 1}') ->> 'model_id'")

# 14. Another role holds the advisory keys 0.1.0 locked, in an idle session.
session_open mallory $DB -U pgi_conc_mallory
session_run mallory "SELECT pg_advisory_lock(31638899662287457), pg_advisory_lock(31638899661235568);" >/dev/null
expect_eq "$(q $DB "SELECT train_intent_model('despite mallory', 'full', '{\"seed\": 2, \"deploy\": \"never\"}') ->> 'status'")" \
    completed "training works while another role holds 0.1.0's advisory keys"
spare=$(q $DB "SELECT model_id FROM ai_training_runs WHERE run_name = 'despite mallory'")
expect_eq "$(q $DB "SELECT deploy_intent_model($spare) ->> 'reason'")" manual "deploying works while another role holds them"
expect_eq "$(q $DB "SELECT rollback_intent_model() ->> 'model_id'")" "$first" "rolling back works while another role holds them"
session_close mallory

# 8. The administrator deploys model B by hand (uncommitted, holding the
# deployment lock) while a run trains against the active model A; the run
# finishes, waits for the lock, and must then see that its baseline changed.
b=$(q $DB "SELECT train_intent_model('b', 'full', '{\"seed\": 3, \"deploy\": \"never\"}') ->> 'model_id'")
session_open admin $DB
session_run admin "BEGIN; SELECT deploy_intent_model($b) IS NOT NULL;" >/dev/null
session_open trainer $DB
trainer_pid=$(session_pid trainer)
session_send trainer "SELECT r ->> 'deployed', r ->> 'deploy_reason' FROM train_intent_model('concurrent', 'full', '{\"seed\": 1}') AS r;"
wait_until_waiting_on_lock $DB "$trainer_pid"
session_run admin "COMMIT;" >/dev/null
expect_eq "$(session_wait trainer)" "false|baseline_changed" "a run that trained against a replaced baseline does not deploy"
expect_eq "$(q $DB "SELECT id FROM ai_intent_models WHERE is_active")" "$b" "the hand-deployed model stays active"

# 8b. The same race with the run in a REPEATABLE READ transaction (or under
# default_transaction_isolation = serializable): its snapshot cannot see the
# new baseline, so PostgreSQL reports a serialization failure. The statement
# must fail with 40001, which clients retry, not return a "failed" run that
# retry logic never sees.
# race_with_deploy SQL: runs SQL in the trainer's REPEATABLE READ transaction
# while the administrator deploys B, committed once SQL waits on the
# deployment lock; prints what SQL returned (or its error), and rolls back.
race_with_deploy() {
    session_run admin "BEGIN; SELECT deploy_intent_model($b) IS NOT NULL;" >/dev/null
    session_send trainer "BEGIN ISOLATION LEVEL REPEATABLE READ; $1"
    wait_until_waiting_on_lock $DB "$trainer_pid"
    session_run admin "COMMIT;" >/dev/null
    session_wait trainer
    session_run trainer "ROLLBACK;" >/dev/null
}
q $DB "SELECT deploy_intent_model($first)" >/dev/null
rr=$(race_with_deploy "SELECT r ->> 'status' FROM train_intent_model('concurrent rr', 'full', '{\"seed\": 1}') AS r;")
expect_eq "$(grep -c '^ERROR:  could not serialize access' <<<"$rr")|$(q $DB "SELECT count(*) FROM ai_training_runs WHERE run_name = 'concurrent rr'")" \
    "1|0" "in REPEATABLE READ the race fails the statement with a serialization error (and keeps no run row)"
expect_eq "$(q $DB "SELECT id FROM ai_intent_models WHERE is_active")" "$b" "the hand-deployed model stays active"

# 8c. The same race through retrain_if_needed(), as a scheduler calls it:
# a conflict a retry resolves is a busy tick, reported with its error and
# no back-off, as retrain_classifiers() reports a classifier's (before, the
# 40001 escaped the call while a 55P03 was reported).
q $DB "SELECT deploy_intent_model($first)" >/dev/null
q $DB "UPDATE ai_training_policy SET auto_retrain_threshold = 1" >/dev/null
q $DB "SELECT submit_intent_correction((SELECT id FROM ai_training_data ORDER BY user_message DESC LIMIT 1), 'complaint')" >/dev/null
expect_eq "$(q $DB "SELECT should_retrain()")" t "one change since the last run makes a retraining due"
rr=$(race_with_deploy "SELECT concat_ws('|', r ->> 'retrained', r ->> 'reason', r -> 'error' ->> 'sqlstate') FROM retrain_if_needed() AS r;")
expect_eq "$rr" "false|the training conflicted with a concurrent transaction|40001" \
    "retrain_if_needed() reports the serialization failure as a busy tick instead of raising it"
expect_eq "$(q $DB "SELECT should_retrain()")" t "and starts no back-off: the next tick tries again"
q $DB "UPDATE ai_training_policy SET auto_retrain_threshold = DEFAULT" >/dev/null

# 9. A reviewer corrects a row while a run is between reading the data and
# finishing (it waits on the deployment lock, held by the administrator).
row=$(q $DB "SELECT id FROM ai_training_data ORDER BY user_message LIMIT 1")
old_label=$(q $DB "SELECT detected_intent FROM ai_training_data WHERE id = '$row'")
q $DB "UPDATE ai_training_data SET dataset_status = 'approved' WHERE id IN (SELECT id FROM ai_training_data ORDER BY user_message DESC LIMIT 3)" >/dev/null
c=$(q $DB "SELECT train_intent_model('c', 'full', '{\"seed\": 4, \"deploy\": \"never\"}') ->> 'model_id'")
session_run admin "BEGIN; SELECT deploy_intent_model($c) IS NOT NULL;" >/dev/null
session_send trainer "SELECT r ->> 'run_id' FROM train_intent_model('during review', 'full', '{\"seed\": 3}') AS r;"
wait_until_waiting_on_lock $DB "$trainer_pid"
q $DB "SELECT submit_intent_correction('$row', 'complaint')" >/dev/null
session_run admin "ROLLBACK;" >/dev/null
run=$(session_wait trainer)
expect_eq "$(q $DB "SELECT intent FROM ai_training_run_rows WHERE run_id = '$run' AND training_data_id = '$row'")" "$old_label" \
    "the run recorded the label it read, not the correction committed while it trained"
expect_eq "$(q $DB "SELECT dataset_status FROM ai_training_data WHERE id = '$row'")" reviewed \
    "the corrected row keeps the reviewer's status"
expect_eq "$(q $DB "SELECT count(*) FROM ai_training_data WHERE dataset_status = 'approved'")" 3 \
    "training kept the approved rows approved"
expect_eq "$(q $DB "SELECT count(*) FROM ai_training_data WHERE dataset_status = 'used_in_training'")" 0 \
    "training marks no data row"
session_close admin
session_close trainer

# 7. A session loads the active model inside a REPEATABLE READ transaction
# whose snapshot predates a deploy; after it commits it must serve the new
# model, not the one its old snapshot saw.
active=$(q $DB "SELECT id FROM ai_intent_models WHERE is_active")
other=$(q $DB "SELECT id FROM ai_intent_models WHERE NOT is_active AND model IS NOT NULL ORDER BY id DESC LIMIT 1")
session_open rr $DB
session_run rr "BEGIN ISOLATION LEVEL REPEATABLE READ; SELECT count(*) >= 0 FROM ai_training_data;" >/dev/null
q $DB "SELECT deploy_intent_model($other)" >/dev/null
session_run rr "SELECT model_id FROM predict_intent('quiero devolver un producto');" >/dev/null
session_run rr "COMMIT;" >/dev/null
expect_eq "$(session_run rr "SELECT model_id FROM predict_intent('quiero devolver un producto');")" "$other" \
    "after the REPEATABLE READ transaction the session serves the newly deployed model"
q $DB "SELECT deploy_intent_model($active)" >/dev/null
expect_eq "$(session_run rr "SELECT model_id FROM predict_intent('hola');")" "$active" "and follows the next deploy"
session_close rr
