#!/usr/bin/env bash
# Issue 10 item 6: a running training is visible to other sessions
# (ai_training_progress) and to its caller (a NOTICE per phase, silenced by
# client_min_messages). With pg_intent in shared_preload_libraries the view
# shows the run, its phase and counts; without, it shows the training from
# its lock (who and since when) and says that the phase needs preloading.
cd "$(dirname "$0")/../.."
source test/scripts/lib.bash
DB=pgi_progress

# Enough rows that training takes seconds.
slow_data() {
    q $DB "INSERT INTO ai_training_data (user_message, detected_intent, confidence_score, source)
           SELECT text || ' ref ' || g || ' ' || md5(text || g), intent, 90, 'synthetic'
           FROM demo_rows, generate_series(1, 120) g WHERE split = 'train'" >/dev/null
}
# Starts a training in the background and waits until another session sees
# it in ai_training_progress; prints that view row.
watch_training() { # options
    psql -X -q -At -d $DB -c "SET client_min_messages = warning" \
        -c "SELECT train_intent_model('watched', 'full', '$1') ->> 'run_id'" >"$TEST_TMP/run.out" 2>&1 &
    # The row appears when the training starts; its row count once the rows
    # are read (NULL until then), so wait for a row that has every field,
    # keeping the last one seen if the training ends first.
    local seen= now
    for _ in $(seq 1 400); do
        now=$(q $DB "SELECT format('%s|%s|%s|%s|%s', source, run_id IS NOT NULL, phase IS NOT NULL,
                                   rows IS NOT NULL, elapsed >= interval '0') FROM ai_training_progress")
        [ -n "$now" ] && seen=$now
        case "$seen" in *'|t|t|t|t' | lock'|'*) break ;; esac
        sleep 0.05
    done
    wait
    echo "$seen"
}

# ---------------------------------------------------------- preloaded
PGI_PRELOAD=pg_intent start_own_cluster preloaded
expect_eq "$(q postgres "SHOW shared_preload_libraries")" pg_intent "pg_intent is preloaded"
fresh_db $DB
load_ecommerce $DB
slow_data
expect_eq "$(q $DB "SELECT count(*) FROM ai_training_progress")" 0 "no training, no row"
expect_eq "$(watch_training '{"deploy": "never"}')" "shared_memory|t|t|t|t" \
    "another session sees the running training's run, phase and rows"
run=$(cat "$TEST_TMP/run.out")
expect_eq "$(q $DB "SELECT count(*) FROM ai_training_runs WHERE id = '$run'")" 1 "the run it showed is the run that committed"
expect_eq "$(q $DB "SELECT count(*) FROM ai_training_progress")" 0 "a finished training leaves no row"
# The same phases, seen while they happen: collect every phase shown.
psql -X -q -At -d $DB -c "SET client_min_messages = warning" \
    -c "SELECT train_intent_model('phases', 'full', '{\"deploy\": \"never\"}')" >/dev/null 2>&1 &
for _ in $(seq 1 400); do
    q $DB "SELECT phase FROM ai_training_progress" >>"$TEST_TMP/phases" 2>/dev/null
    jobs %1 >/dev/null 2>&1 || break
    sleep 0.02
done
wait
echo "phases seen: $(sort -u "$TEST_TMP/phases" | tr '\n' ' ')"
[ "$(sort -u "$TEST_TMP/phases" | grep -c .)" -ge 2 ] || { echo "FAILED: fewer than two phases were seen" >&2; exit 1; }
echo "ok: the phase advances while the training runs"
# The caller's NOTICE messages, silenced by client_min_messages = warning.
notices=$(psql -X -At -d $DB -c "SELECT train_intent_model('noisy', 'full', '{\"deploy\": \"never\"}') IS NOT NULL" 2>&1 | grep -c '^NOTICE:  pg_intent training:' || true)
[ "$notices" -ge 3 ] || { echo "FAILED: expected a NOTICE per phase, got $notices" >&2; exit 1; }
echo "ok: the caller gets $notices progress notices"
expect_eq "$(psql -X -q -At -d $DB -c "SET client_min_messages = warning" -c "SELECT train_intent_model('quiet', 'full', '{\"deploy\": \"never\"}') IS NOT NULL" 2>&1 | grep -c NOTICE || true)" 0 \
    "client_min_messages = warning silences them"
stop_own_clusters

# ------------------------------------------------------ not preloaded
PGI_PRELOAD= start_own_cluster plain
fresh_db $DB
load_ecommerce $DB
slow_data
expect_eq "$(watch_training '{"deploy": "never"}')" "lock|f|f|f|t" \
    "without preloading the training is shown from its lock, without run or phase"
