#!/usr/bin/env bash
# A named classifier's training is in ai_training_progress while it reads
# its source, with pg_intent preloaded too. train_classifier() reads the
# source before its first run, and a training writes its slot of shared
# memory from its run on: preloaded, a training reading a large source (or
# a slow view) held its training slot and was in no row of the view, where
# without preloading its lock showed it. Now a backend holding a training
# slot and not in shared memory is shown from its lock (source "lock", no
# phase); once its run has started, from shared memory as before.
#
# The read is held by an advisory lock the view's rows wait for (no timing):
# the test waits until the training backend waits on it.
cd "$(dirname "$0")/../.."
source test/scripts/lib.bash
DB=pgi_progress_read

PGI_PRELOAD=pg_intent start_own_cluster preloaded
expect_eq "$(q postgres "SHOW shared_preload_libraries")" pg_intent "pg_intent is preloaded"
fresh_db $DB
load_ecommerce $DB
q $DB "CREATE VIEW held_rows AS SELECT text, intent FROM demo_rows WHERE pg_advisory_xact_lock_shared(4242) IS NOT NULL" >/dev/null
q $DB "SELECT create_classifier('held', 'held_rows', 'text', 'intent', '{\"seed\": 1}') IS NOT NULL" >/dev/null

session_open holder $DB
session_run holder "SELECT pg_advisory_lock(4242);" >/dev/null
session_open trainer $DB
trainer_pid=$(session_pid trainer)
session_send trainer "SELECT train_classifier('held', 'held') ->> 'status';"
waiting=
for _ in $(seq 1 600); do
    waiting=$(q $DB "SELECT wait_event = 'advisory' FROM pg_stat_activity WHERE pid = $trainer_pid")
    [ "$waiting" = t ] && break
    sleep 0.1
done
expect_eq "$waiting" "t" "the training waits in the read of its source"
expect_eq "$(q $DB "SELECT count(*) FROM pg_locks WHERE pid = $trainer_pid AND locktype = 'object' AND objsubid >= 16")" "1" \
    "it holds a training slot"
expect_eq "$(q $DB "SELECT format('%s|%s|%s|%s', count(*), min(pid), min(source), bool_and(phase IS NULL)) FROM ai_training_progress")" \
    "1|$trainer_pid|lock|t" "ai_training_progress shows it, from its lock, while it reads its source"
expect_eq "$(q $DB "SELECT count(*) FROM pg_intent_training_progress() WHERE pid = $trainer_pid")" "1" \
    "pg_intent_training_progress() has one row of it"

session_run holder "SELECT pg_advisory_unlock(4242);" >/dev/null
expect_eq "$(session_wait trainer)" "completed" "the training completes once the read goes on"
expect_eq "$(q $DB "SELECT count(*) FROM ai_training_progress")" "0" "and then is no longer shown"
session_close holder
session_close trainer
drop_db $DB
