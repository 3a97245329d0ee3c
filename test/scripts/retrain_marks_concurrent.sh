#!/usr/bin/env bash
# Two retrain_if_needed() calls that are only busy leave the back-off as
# they found it, whatever order they end in. The call holding intent's
# training lock marks its attempt in ai_intent_retrain_attempt_seq and, when
# only busy, clears it; a call that finds the lock taken marks nothing.
# 0.3.2's first version let a second call keep the first's mark as the
# value to put back: when the first call ended first, the second put that
# mark back, no attempt owned it, and once the training slots were free it
# read as a failed run: should_retrain() backed off for retry_failed_after
# (an hour) although nothing had failed.
#  a. session "holder" locks ai_training_runs: call A marks itself, takes
#     intent's training lock and a slot, and waits inside its training;
#  b. call B starts meanwhile and is held (gdb) where it asks for intent's
#     training lock, after its mark;
#  c. A's lock_timeout ends its wait: only busy;
#  d. B goes on: A's locks are gone, B takes them and waits in turn, until
#     its own lock_timeout: only busy;
#  e. the holder lets go: the sequence is as before, nothing backs off.
cd "$(dirname "$0")/../.."
source test/scripts/lib.bash
DB=pgi_retrain_marks_concurrent
fresh_db $DB
load_ecommerce $DB
trap 'drop_db $DB; rm -rf "$TEST_TMP"' EXIT
psql -X -q -v ON_ERROR_STOP=1 -d $DB <<'SQL' >/dev/null
SET client_min_messages = warning;
SELECT train_intent_model('first');
SELECT record_interaction('hola de nuevo ' || n, 'greeting', 90) FROM generate_series(1, 100) AS n;
SQL
run() { PGOPTIONS="-c client_min_messages=warning ${EXTRA_OPTIONS:-}" psql -X -At -q -d $DB "$@" 2>&1 || true; }
expect_eq "$(run -c "SELECT should_retrain()")" t "intent is due"
before=$(q $DB "SELECT last_value FROM ai_intent_retrain_attempt_seq")

# a.
session_open holder $DB
expect_eq "$(session_run holder "BEGIN; LOCK TABLE ai_training_runs IN EXCLUSIVE MODE; SELECT 'locked';")" locked \
    "ai_training_runs is locked"
EXTRA_OPTIONS="-c lock_timeout=20s" PGAPPNAME=call_a \
    run -c "SELECT retrain_if_needed() #>> '{error,sqlstate}'" >"$TEST_TMP/a.out" &
client_a=$!
waiting=
for _ in $(seq 1 600); do
    waiting=$(q $DB "SELECT count(*) FROM pg_stat_activity AS a JOIN pg_locks AS l ON l.pid = a.pid
                      WHERE a.application_name = 'call_a' AND NOT l.granted
                        AND l.relation = 'ai_training_runs'::regclass")
    [ "$waiting" = 1 ] && break
    sleep 0.1
done
expect_eq "$waiting" 1 "call A waits inside its training"
expect_eq "$(q $DB "SELECT last_value > 0 FROM ai_intent_retrain_attempt_seq")" t "call A's attempt is marked"

# b.
session_open b $DB
session_run b "SET lock_timeout = '2s';" >/dev/null
bpid=$(session_pid b)
gdb_hold_at "$bpid" pg_intent::lock_training
session_send b "SELECT retrain_if_needed() #>> '{error,sqlstate}';"
gdb_wait_held

# c.
wait $client_a || true
expect_eq "$(cat "$TEST_TMP/a.out")" 55P03 "call A was only busy (its lock_timeout)"

# d.
gdb_release
expect_eq "$(session_wait b)" 55P03 "call B was only busy (its lock_timeout)"
session_close b

# e.
expect_eq "$(session_run holder "COMMIT; SELECT 'released';")" released "ai_training_runs is released"
session_close holder
expect_eq "$(q $DB "SELECT last_value FROM ai_intent_retrain_attempt_seq")" "$before" \
    "the two busy calls leave ai_intent_retrain_attempt_seq as they found it"
expect_eq "$(run -c "SELECT should_retrain(), (intent_internal._pg_intent_retrain_decision()).failed_at IS NULL")" "t|t" \
    "nothing backs off: no run failed"
expect_eq "$(run -c "SELECT retrain_if_needed() #>> '{result,status}'")" completed "the next call retrains"
echo "ok: busy calls leave the back-off as they found it"
