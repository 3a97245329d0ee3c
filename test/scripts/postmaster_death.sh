#!/usr/bin/env bash
# Security issue item 6 (last part): a training backend notices that the
# postmaster died and exits without committing. 0.1.0's trainer polled only
# for cancel requests: it kept training after the postmaster was killed and
# committed its run, with no postmaster left to manage the cluster. Runs in a
# cluster of its own, since it kills the postmaster.
cd "$(dirname "$0")/../.."
source test/scripts/lib.bash
PGI_PRELOAD= start_own_cluster killed
DB=pgi_pmdeath
fresh_db $DB
load_ecommerce $DB
# Enough rows that training takes seconds.
q $DB "INSERT INTO ai_training_data (user_message, detected_intent, confidence_score, source)
       SELECT text || ' ref ' || g || ' ' || md5(text || g), intent, 90, 'synthetic'
       FROM demo_rows, generate_series(1, 150) g WHERE split = 'train'" >/dev/null
runs_before=$(q $DB "SELECT count(*) FROM ai_training_runs")

psql -X -At -d $DB -c "SET application_name = 'pgi_orphan'" \
    -c "SELECT train_intent_model('orphan', 'full', '{\"C\": 10, \"tolerance\": 0.001}')" >"$TEST_TMP/orphan.out" 2>&1 &
client=$!
backend=
for _ in $(seq 1 200); do
    backend=$(q postgres "SELECT pid FROM pg_stat_activity WHERE application_name = 'pgi_orphan' AND state = 'active' AND query LIKE '%train_intent_model%'")
    [ -n "$backend" ] && break
    sleep 0.05
done
[ -n "$backend" ] || { echo "FAILED: the training never started" >&2; exit 1; }
# Inside the trainer once its first progress NOTICE reached the client (the
# cluster does not preload pg_intent, so ai_training_progress has no phase).
for _ in $(seq 1 600); do
    grep -q 'pg_intent training: ' "$TEST_TMP/orphan.out" && break
    sleep 0.05
done
grep -q 'pg_intent training: ' "$TEST_TMP/orphan.out" || { echo "FAILED: the training sent no progress" >&2; exit 1; }
kill -9 "$(head -1 "$PGI_DIR/data/postmaster.pid")"
echo "killed the postmaster while backend $backend was training"
for _ in $(seq 1 300); do
    [ -d "/proc/$backend" ] || break
    sleep 0.1
done
[ ! -d "/proc/$backend" ] || { echo "FAILED: the training backend kept running after the postmaster died" >&2; exit 1; }
echo "ok: the training backend exited after the postmaster died"
wait $client || true
# The other children of the dead postmaster exit on their own; then restart.
for _ in $(seq 1 300); do
    pgrep -f "$PGI_DIR/data" >/dev/null || pgrep -u postgres -f "postgres: .*$DB" >/dev/null || break
    sleep 0.1
done
as_owner pg_ctl -D "$PGI_DIR/data" -l "$PGI_DIR/log/server.log" -w -t 60 start >/dev/null
expect_eq "$(q $DB "SELECT count(*) FROM ai_training_runs")" "$runs_before" "the orphaned run committed nothing"
expect_eq "$(q $DB "SELECT count(*) FROM ai_intent_models WHERE run_id IN (SELECT id FROM ai_training_runs WHERE run_name = 'orphan')")" 0 \
    "and stored no model"
