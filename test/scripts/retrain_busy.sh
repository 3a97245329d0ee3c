#!/usr/bin/env bash
# retrain_classifiers() and a classifier that is only busy: a training lock
# or slot held by another transaction (55P03) is not a failed attempt. It is
# reported in the classifier's entry ("another training run is in
# progress", with the error) and starts no back-off, so the next call trains
# it (as retrain_if_needed() does for intent). Before, both classifiers got a
# row in ai_classifier_retrain_failures and were held back for
# retry_failed_after (an hour): x, never trained, was skipped as "backing
# off after a failed run" once the holder had committed.
#  a. max_concurrent_trainings = 1; session A trains y and keeps its
#     transaction open (y's lock and the one slot);
#  b. retrain_classifiers() meanwhile: x and y are reported busy (55P03),
#     nothing is recorded for either;
#  c. A commits: the next retrain_classifiers() trains x.
#  d. A lock_timeout is busy too (55P03): a training whose model would
#     deploy waits for its classifier's deployment lock, which a deploy in
#     another open transaction holds; the timeout stopped the wait and the
#     run was recorded as failed ("canceling statement due to lock
#     timeout"), so z, never trained, backed off for retry_failed_after, and
#     so did intent under retrain_if_needed(). Now the training raises the
#     55P03: reported busy, nothing recorded, the next call trains.
cd "$(dirname "$0")/../.."
source test/scripts/lib.bash
DB=pgi_retrain_busy
fresh_db $DB
load_ecommerce $DB
trap 'drop_db $DB; stop_own_clusters; stop_extra_clusters' EXIT
psql -X -q -v ON_ERROR_STOP=1 -d $DB <<'SQL' >/dev/null
CREATE TABLE x_rows AS SELECT row_number() OVER () AS id, text AS body, intent AS label FROM demo_rows WHERE split = 'train';
CREATE TABLE y_rows AS SELECT * FROM x_rows;
SELECT create_classifier('x', 'x_rows', 'body', 'label', '{"seed": 1}') IS NOT NULL;
SELECT create_classifier('y', 'y_rows', 'body', 'label', '{"seed": 1}') IS NOT NULL;
UPDATE ai_training_policy SET max_concurrent_trainings = 1;
SQL
run() { PGOPTIONS="-c client_min_messages=warning" psql -X -At -q -d $DB "$@" 2>&1 || true; }

# a. y's training, left open: it holds y's lock and the only slot.
session_open holder $DB
holder_pid=$(session_pid holder)
expect_eq "$(session_run holder "BEGIN; SELECT t ->> 'status' FROM train_classifier('y', 'held') AS t;")" completed \
    "session A trains y and keeps its transaction open"

# b. Both busy: reported, with the reason, and not backed off from.
result=$(run -c "SELECT retrain_classifiers()")
entry() {
    q $DB "SELECT e ->> 'retrained', e ->> 'reason', e -> 'error' ->> 'sqlstate'
             FROM jsonb_array_elements('$result'::jsonb -> 'classifiers') AS e WHERE e ->> 'classifier' = '$1'"
}
expect_eq "$(entry x)" "false|another training run is in progress|55P03" \
    "x, with no slot free, is reported busy ($result)"
expect_eq "$(entry y)" "false|another training run is in progress|55P03" "y, being trained, is reported busy"
expect_eq "$(q $DB "SELECT count(*) FILTER (WHERE e -> 'error' ->> 'message' LIKE '%all 1 training slots are taken%')
                     || '|' || count(*) FILTER (WHERE e -> 'error' ->> 'message' LIKE '%is being trained by backend $holder_pid%')
                      FROM jsonb_array_elements('$result'::jsonb -> 'classifiers') AS e")" "1|1" \
    "each entry keeps the error's message"
expect_eq "$(q $DB "SELECT count(*) FROM ai_classifier_retrain_failures")" 0 \
    "a busy classifier starts no back-off"

# c. Once A commits, x (never trained, due) trains at the next call.
session_run holder "COMMIT;" >/dev/null
session_close holder
result=$(run -c "SELECT retrain_classifiers()")
expect_eq "$(q $DB "SELECT e ->> 'retrained', e -> 'result' ->> 'status', e ->> 'reason'
                      FROM jsonb_array_elements('$result'::jsonb -> 'classifiers') AS e WHERE e ->> 'classifier' = 'x'")" \
    "true|completed|" "x trains at the next call, not backing off ($result)"
expect_eq "$(q $DB "SELECT count(*) FROM ai_classifier_retrain_failures")" 0 "and nothing is recorded as failed"

# d. z's deployment lock (and intent's) held by another open transaction,
# and a lock_timeout: the trainings that would deploy time out waiting.
q $DB "SELECT create_classifier('z', 'x_rows', 'body', 'label', '{\"seed\": 1}') IS NOT NULL" >/dev/null
session_open deployer $DB
session_run deployer "BEGIN; SELECT intent_internal._pg_intent_lock_deployment('z'), intent_internal._pg_intent_lock('deployment', true);" >/dev/null
timed() { PGOPTIONS="-c client_min_messages=warning -c lock_timeout=500ms" psql -X -At -q -d $DB "$@" 2>&1 || true; }
result=$(timed -c "SELECT retrain_classifiers()")
expect_eq "$(entry z)" "false|another training run is in progress|55P03" \
    "z, timed out waiting for its deployment lock, is reported busy ($result)"
expect_eq "$(q $DB "SELECT count(*) FROM ai_classifier_retrain_failures")" 0 "a lock_timeout starts no back-off"
expect_eq "$(q $DB "SELECT count(*) FROM ai_training_runs WHERE classifier = 'z'")" 0 "and records no failed run"
result=$(timed -c "SELECT retrain_if_needed()")
expect_eq "$(q $DB "SELECT '$result'::jsonb ->> 'retrained', '$result'::jsonb ->> 'reason'")" \
    "false|another training run is in progress" "retrain_if_needed(): intent timed out waiting is busy ($result)"
# and says which lock: the reason alone sent the reader looking for a
# training that was not there
expect_eq "$(q $DB "SELECT '$result'::jsonb -> 'error' ->> 'sqlstate', '$result'::jsonb -> 'error' ->> 'message'")" \
    "55P03|canceling statement due to lock timeout" "retrain_if_needed() gives the busy error"
expect_eq "$(q $DB "SELECT should_retrain()")" t "and intent is not backing off"
out=$(timed -v VERBOSITY=sqlstate -c "SELECT train_intent_model('by hand') ->> 'status'")
expect_eq "$out" "ERROR:  55P03" "train_intent_model() raises the lock_timeout's 55P03"
session_run deployer "COMMIT;" >/dev/null
session_close deployer
result=$(run -c "SELECT retrain_classifiers()")
expect_eq "$(entry z)" "true||" "once the deploy commits, the next call trains z ($result)"
expect_eq "$(PGOPTIONS="-c client_min_messages=warning" q $DB "SELECT retrain_if_needed() -> 'result' ->> 'status'")" completed "and retrain_if_needed() trains intent"
