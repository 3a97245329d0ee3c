#!/usr/bin/env bash
# Two reviewers deciding overlapping batches at the same time: each call
# locks its rows in one order (the rows' ids), whatever plan reads them, so
# the second waits for the first instead of deadlocking with it. Before,
# _pg_intent_review() locked the rows in the order its scan met them: an
# index scan on the ids (a small batch) in id order, a sequential or bitmap
# scan (a large batch, or a large table) in their physical order, and two
# calls whose scans met the same two rows in opposite orders deadlocked
# (40P01): one reviewer's whole batch failed.
# Held deterministically: a third session locks the row both batches lock
# first in id order; the batch read by index waits for it holding nothing;
# the batch read by a sequential scan takes the other row first (it is
# physically first) and waits for it too; then the lock is released.
cd "$(dirname "$0")/../.."
source test/scripts/lib.bash
DB=pgi_review_concurrent
fresh_db $DB
trap 'drop_db $DB; stop_own_clusters; stop_extra_clusters' EXIT
# x sorts first by id but lies physically after y.
X=00000000-0000-4000-8000-000000000001
Y=ffffffff-ffff-4fff-8fff-ffffffffffff
psql -X -q -v ON_ERROR_STOP=1 -d $DB <<SQL >/dev/null
INSERT INTO ai_training_data (id, user_message, detected_intent, confidence_score) VALUES
    ('$Y', 'quiero devolver un producto', 'return_process', 80),
    ('$X', 'hola, buenos días', 'greeting', 80);
SQL
expect_eq "$(q $DB "SELECT string_agg(id::text, ' ' ORDER BY ctid) FROM ai_training_data")" "$Y $X" \
    "y lies physically before x"

session_open locker $DB
session_open by_index $DB
session_open by_scan $DB
# Each reviewer's call plans its read of the rows its own way (as a batch
# of a few ids and one of thousands would on a large table).
session_run by_index "SET enable_seqscan = off; SET enable_bitmapscan = off; SET deadlock_timeout = '100ms';" >/dev/null
session_run by_scan "SET enable_indexscan = off; SET enable_bitmapscan = off; SET enable_tidscan = off; SET deadlock_timeout = '100ms';" >/dev/null
index_pid=$(session_pid by_index)
scan_pid=$(session_pid by_scan)
session_run locker "BEGIN; SELECT 1 FROM ai_training_data WHERE id = '$X' FOR UPDATE;" >/dev/null
session_send by_index "SELECT approve_training_samples(ARRAY['$Y', '$X']::uuid[]) ->> 'updated';"
wait_until_waiting_on_lock $DB "$index_pid"
session_send by_scan "SELECT reject_training_samples(ARRAY['$X', '$Y']::uuid[], 'spam') ->> 'updated';"
wait_until_waiting_on_lock $DB "$scan_pid"
session_run locker "COMMIT;" >/dev/null
expect_eq "$(session_wait by_index)" 2 "the first reviewer's batch is applied"
expect_eq "$(session_wait by_scan)" 2 "the second reviewer's batch waits for it and is applied after it (no deadlock)"
expect_eq "$(q $DB "SELECT string_agg(dataset_status, ' ' ORDER BY id) FROM ai_training_data")" "rejected rejected" \
    "the later decision holds for both rows"
expect_eq "$(q $DB "SELECT string_agg(action, ' ' ORDER BY id) FROM ai_review_actions")" "approve approve reject reject" \
    "both decisions are recorded"
session_close locker
session_close by_index
session_close by_scan
echo "ok: review_concurrent"
