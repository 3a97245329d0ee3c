#!/usr/bin/env bash
# A scheduled attempt whose backend is killed (kill -9: the OOM killer) during
# its training restarts the server; the attempt is a failed one afterwards,
# for intent under retrain_if_needed() as for a classifier under
# retrain_classifiers() (0.3.2 fault sweep). Each attempt marks itself with a
# setval() before it trains (retrain_session_end.sh: a terminated session),
# but setval() only writes WAL, which nothing flushed before a commit or a
# full WAL page: recovery replays the WAL on disk only, the mark was lost
# (its sequence back at 0), should_retrain() said true again, and
# the next tick trained the same run, and crashed the server, again. The
# mark is now flushed before the training (_pg_intent_retrain_mark_durable()).
# A cluster of its own: the kill restarts every backend of the server.
# gdb holds each attempt inside its training (train_run()), with its mark
# written, while the backend is killed.
cd "$(dirname "$0")/../.."
source test/scripts/lib.bash
start_own_cluster crashed
DB=pgi_retrain_crash
fresh_db $DB
load_ecommerce $DB
trap 'stop_own_clusters; rm -rf "$TEST_TMP"' EXIT
psql -X -q -v ON_ERROR_STOP=1 -d $DB <<'SQL' >/dev/null
CREATE TABLE mirror_rows AS SELECT row_number() OVER () AS id, text AS body, intent AS label FROM demo_rows WHERE split = 'train';
SELECT create_classifier('mirror', 'mirror_rows', 'body', 'label', '{"seed": 1}') IS NOT NULL;
SQL
run() { PGOPTIONS="-c client_min_messages=warning" psql -X -At -q -d $DB "$@" 2>&1 || true; }

# Runs $2 (a scheduled call) in session $1, held by gdb inside its training,
# kills the backend with SIGKILL and waits until the restarted server answers.
# (Its psql has lost its server: the session's pipe is closed, not written.)
crash_during() {
    session_open "$1" $DB
    local pid
    pid=$(session_pid "$1")
    rm -rf "$TEST_TMP/gdb_sync"
    gdb_hold_at "$pid" "pg_intent::train_run"
    session_send "$1" "$2"
    gdb_wait_held
    as_owner kill -9 "$pid"
    gdb_release
    exec {SESSION_FD[$1]}>&-
    for _ in $(seq 1 300); do
        psql -X -At -d $DB -c "SELECT 1" >/dev/null 2>&1 && return 0
        sleep 0.1
    done
    echo "FAILED: the server did not come back after the kill" >&2
    exit 1
}

expect_eq "$(run -c "SELECT should_retrain()")" t "intent is due"
crash_during intent "SELECT retrain_if_needed();"
expect_eq "$(q $DB "SELECT count(*) FROM ai_training_runs")" 0 "the killed run left no row"
expect_eq "$(run -c "SELECT should_retrain()")" f "intent backs off after the crash"
expect_eq "$(run -c "SELECT retrain_if_needed() ->> 'retrained'")" false "and retrain_if_needed() does not train it"

crash_during mirror "SELECT retrain_classifiers();"
expect_eq "$(run -c "SELECT e ->> 'reason' FROM jsonb_array_elements(retrain_classifiers() -> 'classifiers') AS e
                      WHERE e ->> 'classifier' = 'mirror'")" \
    "backing off after a failed run" "mirror backs off after the crash"
expect_eq "$(q $DB "SELECT sqlstate FROM ai_classifier_retrain_failures WHERE classifier = 'mirror'")" 57014 \
    "recorded as an interrupted attempt"
# What the crash leaves is usable: a training by hand trains, and serves.
expect_eq "$(run -c "SELECT train_classifier('mirror', 'by hand') ->> 'deployed'")" true "mirror trains by hand"
expect_eq "$(run -c "SELECT (predict_label('mirror', 'quiero devolver un producto')).label IS NOT NULL")" t "and answers"
echo "retrain_crash: ok"
