#!/usr/bin/env bash
# One back-off for every classifier: a scheduled attempt whose session ends
# during the training (pg_terminate_backend(), the server's crash: nothing
# after it runs in that session) is a failed attempt, for intent under
# retrain_if_needed() as for a classifier under retrain_classifiers().
# Before, retrain_classifiers() backed off after it (its attempt marker,
# ai_classifier_retrain_attempt_seq) and retrain_if_needed() did not: the
# next tick started the same training again, and a training that got its
# backend killed (the OOM killer) restarted the server at every tick.
# The classifier "mirror" reads a view of ai_training_data holding the same
# rows as intent.
#  a. both due; session "holder" locks ai_training_runs, so the scheduled
#     attempt waits inside its training (inserting its run's row);
#  b. while intent's attempt waits, it is a training in progress, not a
#     failure: should_retrain() is still true and a second call is only
#     busy;
#  c. each attempt's session is terminated: both back off (should_retrain()
#     false, retrain_if_needed() and retrain_classifiers() say so);
#  d. a completed scheduled run leaves the back-off as it found it.
cd "$(dirname "$0")/../.."
source test/scripts/lib.bash
DB=pgi_retrain_session_end
fresh_db $DB
load_ecommerce $DB
trap 'drop_db $DB; rm -rf "$TEST_TMP"' EXIT
create_mirror_classifier $DB '{"key_column": "id", "time_column": "created_at"}'
psql -X -q -v ON_ERROR_STOP=1 -d $DB <<'SQL' >/dev/null
SET client_min_messages = warning;
SELECT train_intent_model('first'), train_classifier('mirror', 'first');
SELECT record_interaction('hola de nuevo ' || n, 'greeting', 90) FROM generate_series(1, 100) AS n;
SQL
run() { PGOPTIONS="-c client_min_messages=warning" psql -X -At -q -d $DB "$@" 2>&1 || true; }
expect_eq "$(run -c "SELECT should_retrain(), get_classifier_metrics('mirror') -> 'retrain_due'")" "t|true" \
    "both classifiers are due"

ATTEMPTS=0
# Runs $1 (a scheduled call) in a session of its own while ai_training_runs
# is locked, waits until its training waits for the lock, checks what a
# second session sees meanwhile ($2: SQL, $3: expected, $4: what), then
# terminates the call's session and releases the lock.
attempt_and_terminate() {
    local holder=holder_$((++ATTEMPTS))
    session_open $holder $DB
    expect_eq "$(session_run $holder "BEGIN; LOCK TABLE ai_training_runs IN EXCLUSIVE MODE; SELECT 'locked';")" locked \
        "ai_training_runs is locked"
    PGAPPNAME=scheduled run -c "$1" >"$TEST_TMP/scheduled.out" &
    local client=$! pid=
    for _ in $(seq 1 600); do
        pid=$(q $DB "SELECT a.pid FROM pg_stat_activity AS a JOIN pg_locks AS l ON l.pid = a.pid
                      WHERE a.application_name = 'scheduled' AND NOT l.granted
                        AND l.relation = 'ai_training_runs'::regclass")
        [ -n "$pid" ] && break
        sleep 0.1
    done
    [ -n "$pid" ] || { echo "FAILED: the scheduled call never waited for ai_training_runs" >&2; exit 1; }
    if [ -n "${2:-}" ]; then expect_eq "$(run -c "$2")" "$3" "$4"; fi
    expect_eq "$(q $DB "SELECT pg_terminate_backend($pid)")" t "the scheduled call's session is terminated"
    wait $client || true
    expect_eq "$(session_run $holder "COMMIT; SELECT 'released';")" released "ai_training_runs is released"
    session_close $holder
}

# a, b: intent.
attempt_and_terminate "SELECT retrain_if_needed()" \
    "SELECT should_retrain(), retrain_if_needed() ->> 'reason'" "t|another training run is in progress" \
    "while intent's attempt runs it is no failure: should_retrain() is true, a second call is busy"
# c.
expect_eq "$(run -c "SELECT count(*) FROM ai_training_runs WHERE classifier = 'intent'")" 1 \
    "the terminated attempt left no run row"
expect_eq "$(run -c "SELECT should_retrain(), (intent_internal._pg_intent_retrain_decision()).reason")" \
    "f|backing off after a failed run" "should_retrain() backs off after the attempt whose session ended"
expect_eq "$(run -c "SELECT r ->> 'retrained', r ->> 'reason' LIKE 'backing off after the failed run (its row rolled back%',
                            r ? 'failed_at', r -> 'failed_run_id', r -> 'samples_since_failed_run'
                       FROM retrain_if_needed() AS r")" \
    "false|t|t|null|0" "retrain_if_needed() backs off from that attempt's start"

# The same for the classifier: its attempt is recorded by the next call.
attempt_and_terminate "SELECT retrain_classifiers()"
expect_eq "$(run -c "SELECT e ->> 'retrained', e ->> 'reason', e ? 'failed_at'
                       FROM jsonb_array_elements(retrain_classifiers() -> 'classifiers') AS e")" \
    "false|backing off after a failed run|t" "retrain_classifiers() backs off after the attempt whose session ended"

# d. The back-off ends by its rules (here: once the policy's
# retry_failed_after has passed); a completed scheduled run then leaves the
# sequence as it found it.
psql -X -q -d $DB -c "UPDATE ai_training_policy SET retry_failed_after = '1 second'" >/dev/null
sleep 1.2
before=$(q $DB "SELECT last_value FROM ai_intent_retrain_attempt_seq")
expect_eq "$(run -c "SELECT retrain_if_needed() #>> '{result,status}'")" completed "past retry_failed_after intent retrains"
expect_eq "$(q $DB "SELECT last_value FROM ai_intent_retrain_attempt_seq")" "$before" \
    "a completed scheduled run leaves ai_intent_retrain_attempt_seq as it was"
expect_eq "$(run -c "SELECT (intent_internal._pg_intent_retrain_decision()).failed_at IS NULL
                            OR NOT intent_internal._pg_intent_retrain_failure_open('intent', (intent_internal._pg_intent_retrain_decision()).failed_at)")" \
    t "and no back-off holds after it"
