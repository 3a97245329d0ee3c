#!/usr/bin/env bash
# A long training run serves the interrupts PostgreSQL serves at every
# CHECK_FOR_INTERRUPTS(), not only cancel and termination. The trainer polled
# QueryCancelPending and ProcDiePending alone, so while it ran:
# - a ProcSignalBarrier was never absorbed: DROP DATABASE in another session
#   (any database) waits for every backend of the cluster to absorb one, and
#   finished only when the training did;
# - pg_log_backend_memory_contexts() was only answered after the training;
# - a lost client was not noticed: with client_connection_check_interval set,
#   a backend whose client was killed trained on to the end, holding the
#   training lock, and only then exited; without it (the server's default),
#   it also committed the run and deployed its model, until pg_intent made
#   the check itself (pg_intent.client_check_interval);
# - a lost client noticed by a failed progress NOTICE made PostgreSQL raise
#   its FATAL inside the trainer, its worker threads still running.
# Nothing here compares timings: each check asserts that the other session's
# request was served while the same run was still training (its row in
# ai_training_progress, which needs pg_intent preloaded: a cluster of its
# own, also so that the DROP DATABASE barrier reaches no other test).
cd "$(dirname "$0")/../.."
source test/scripts/lib.bash
PGI_PRELOAD=pg_intent start_own_cluster interrupts
DB=pgi_interrupts
LOG=$PGI_DIR/log/server.log
fresh_db $DB
load_ecommerce $DB
# The reproduction of the report: a run of several seconds, most of them in
# the C++ trainer (C selection over many typo variants).
q $DB "INSERT INTO ai_training_data (user_message, detected_intent, confidence_score, dataset_status)
       SELECT text || ' ' || md5(g::text || text), intent, 90, 'approved'
       FROM demo_rows, generate_series(1, 60) g WHERE split = 'train'" >/dev/null
OPTIONS='{"deploy":"never","select_C":true,"typo_variants":4,"C":100,"tolerance":0.0001,"max_iterations":100000}'
runs_before=$(q $DB "SELECT count(*) FROM ai_training_runs")

# Whether backend $1 is still inside the trainer: its run still reports
# progress, and its statement is still running.
still_training() { # pid
    q $DB "SELECT count(*) FROM ai_training_progress p JOIN pg_stat_activity a USING (pid)
           WHERE p.pid = $1 AND a.state = 'active'"
}

# Starts a training run as application $1 (extra PGOPTIONS in $2), kills its
# client with SIGKILL once the run is inside the trainer, and waits for the
# backend to exit; prints the backend's pid.
orphan_training() { # application_name pgoptions
    local client pid
    PGAPPNAME=$1 PGOPTIONS="$2" psql -X -At -d $DB -c "SELECT train_intent_model('$1', 'full', '$OPTIONS') ->> 'run_id'" \
        >"$TEST_TMP/$1.out" 2>&1 &
    client=$!
    pid=$(wait_until_training "$1")
    kill -9 $client
    wait $client 2>/dev/null || true
    echo "killed the client of backend $pid while it was training" >&2
    # Gone when the trainer noticed, or when it finished training and found
    # no client to send the result to: the log tells which.
    for _ in $(seq 1 1200); do
        [ "$(q postgres "SELECT count(*) FROM pg_stat_activity WHERE pid = $pid")" = 0 ] && break
        sleep 0.1
    done
    echo "$pid"
}

# 1. DROP DATABASE (a ProcSignalBarrier) and pg_log_backend_memory_contexts()
# while a training runs.
PGAPPNAME=pgi_trainer PGOPTIONS='-c client_min_messages=warning' \
    psql -X -At -d $DB -c "SELECT train_intent_model('barrier', 'full', '$OPTIONS') ->> 'run_id'" \
    >"$TEST_TMP/trainer.out" 2>&1 &
trainer=$!
pid=$(wait_until_training pgi_trainer)
echo "backend $pid is training"
# From another database: the barrier is cluster-wide.
q postgres "CREATE DATABASE pgi_scratch" >/dev/null
q postgres "DROP DATABASE pgi_scratch" >/dev/null
expect_eq "$(still_training "$pid")" 1 "CREATE and DROP DATABASE completed while the run was still training"
expect_eq "$(q postgres "SELECT pg_log_backend_memory_contexts($pid)")" t "memory context logging requested"
logged=0
while [ "$(still_training "$pid")" = 1 ]; do
    if grep -q "logging memory contexts of PID $pid" "$LOG"; then
        # Logged; was the run still training afterwards?
        logged=$(still_training "$pid")
        break
    fi
    sleep 0.05
done
expect_eq "$logged" 1 "the memory contexts were logged while the run was still training"
wait $trainer
run=$(cat "$TEST_TMP/trainer.out")
expect_eq "$(q $DB "SELECT count(*) FROM ai_training_runs WHERE id::text = '$run'")" 1 \
    "the run that absorbed the barrier committed"

# 2. A lost client: the client is killed during the training, with
# client_connection_check_interval set. No progress NOTICE reaches the
# client (client_min_messages), so only the connection check can notice.
runs_before=$(q $DB "SELECT count(*) FROM ai_training_runs")
pid=$(orphan_training pgi_orphaned '-c client_min_messages=warning -c client_connection_check_interval=500ms')
expect_eq "$(q postgres "SELECT count(*) FROM pg_stat_activity WHERE pid = $pid")" 0 "the orphaned backend exited"
# The FATAL of the lost connection, raised as the trainer stopped (its
# CONTEXT line says pg_intent stopped the training).
expect_eq "$(grep -A1 "\[$pid\] FATAL:  connection to client lost" "$LOG" | grep -c "\[$pid\] CONTEXT:  pg_intent: training cancelled")" 1 \
    "the trainer itself noticed the lost client"
expect_eq "$(q $DB "SELECT count(*) FROM ai_training_runs")" "$runs_before" "the orphaned run was not committed"
# The training locks: the slot (progress.cpp reads it the same way) and
# the classifier's lock (class: the extension's OID).
expect_eq "$(q $DB "SELECT count(*) FROM pg_locks WHERE locktype = 'object'
                    AND ((classid = 'pg_extension'::regclass AND objsubid BETWEEN 16 AND 79)
                         OR classid = (SELECT oid FROM pg_extension WHERE extname = 'pg_intent'))")" 0 "the training locks were released"
expect_eq "$(q $DB "SELECT count(*) FROM ai_training_progress")" 0 "no training is left running"

# 2b. The same with client_connection_check_interval off (its default),
# deploy on: pg_intent.client_check_interval (default 1 s) looks at the
# socket itself. Without it the orphaned run trained to its end, committed
# its run and deployed its model (the result is buffered until after the
# commit, so nothing the run wrote to the client failed first).
active_before=$(q $DB "SELECT coalesce(max(id), 0) FROM ai_intent_models WHERE classifier = 'intent' AND is_active")
NEVER=$OPTIONS
OPTIONS=${NEVER/never/always}
pid=$(orphan_training pgi_checked '-c client_min_messages=warning')
OPTIONS=$NEVER
expect_eq "$(q postgres "SELECT count(*) FROM pg_stat_activity WHERE pid = $pid")" 0 "the checked backend exited"
expect_eq "$(q $DB "SELECT count(*) FROM ai_training_runs")" "$runs_before" "the checked run was not committed"
expect_eq "$(q $DB "SELECT coalesce(max(id), 0) FROM ai_intent_models WHERE classifier = 'intent' AND is_active")" \
    "$active_before" "nor its model deployed"
expect_eq "$(grep -A1 "\[$pid\] FATAL:  connection to client lost" "$LOG" | grep -c "\[$pid\] CONTEXT:  pg_intent: training cancelled")" 1 \
    "pg_intent's own connection check noticed the lost client, and the FATAL came after the trainer stopped"

# 3. The same without either connection check (pg_intent's turned off): the
# next progress NOTICE finds the client gone. Killed as soon as the run is past reading, so that phases
# (and their NOTICEs) are still to come. The failed send sets
# ClientConnectionLost, and the message's CHECK_FOR_INTERRUPTS() raised the
# FATAL right there, inside the trainer's C++ frames with its worker threads
# running (the FATAL's CONTEXT was the SQL caller's); now the trainer stops
# and the FATAL comes once they are gone.
pid=$(orphan_training pgi_unheard '-c pg_intent.client_check_interval=0')
expect_eq "$(q postgres "SELECT count(*) FROM pg_stat_activity WHERE pid = $pid")" 0 "the unheard backend exited"
expect_eq "$(grep -A1 "\[$pid\] FATAL:  connection to client lost" "$LOG" | grep -c "\[$pid\] CONTEXT:  pg_intent: training cancelled")" 1 \
    "the trainer stopped on the failed NOTICE, and the FATAL came after it"
expect_eq "$(q $DB "SELECT count(*) FROM ai_training_runs")" "$runs_before" "the unheard run was not committed"

drop_db $DB
