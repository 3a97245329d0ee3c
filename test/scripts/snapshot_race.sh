#!/usr/bin/env bash
# Two create_metrics_snapshot() calls for the same period at once (a pg_cron
# job and a hand backfill, or the job scheduled twice): one inserts the row
# and the other updates it, never an error.
#
# Found by an audit of the dashboards (0.3.2): ai_metrics_snapshots' rows are
# kept apart by UNIQUE (period_type, period_start), the arbiter of the
# function's INSERT ... ON CONFLICT, and by one exclusion constraint per
# period type, which no ON CONFLICT can name. A call that had passed the
# arbiter's check but not yet inserted its index entries when another call
# inserted the period's row met that row in the exclusion constraint, and
# failed with 23P01 ("conflicting key value violates exclusion constraint
# ai_metrics_snapshots_daily_overlap") instead of updating it. gdb holds
# session A there (ExecInsertIndexTuples: after the arbiter's check, before
# the index entries) while session B takes the same period.
cd "$(dirname "$0")/../.."
source test/scripts/lib.bash
DB=pgi_snapshot_race_test
fresh_db $DB

day=$(q $DB "SELECT date_trunc('day', now(), 'UTC') - interval '3 days'")
q $DB "INSERT INTO ai_training_data (user_message, detected_intent, created_at)
       VALUES ('uno', 'greeting', timestamptz '$day' + interval '1 hour')" >/dev/null
SNAP="SELECT create_metrics_snapshot('daily', timestamptz '$day' + interval '12 hours') ->> 'total_messages';"

session_open a $DB
session_open b $DB
pid_a=$(session_pid a)
gdb_hold_at "$pid_a" ExecInsertIndexTuples
session_send a "$SNAP"
gdb_wait_held
expect_eq "$(session_run b "$SNAP")" "1" "session B takes the period while A is between the arbiter's check and its index entries"
q $DB "INSERT INTO ai_training_data (user_message, detected_intent, created_at)
       VALUES ('dos', 'greeting', timestamptz '$day' + interval '2 hours')" >/dev/null
gdb_release
expect_eq "$(session_wait a)" "1" "session A updates the row B inserted (0.3.2 before the fix: 23P01)"
expect_eq "$(q $DB "SELECT count(*) FROM ai_metrics_snapshots")" "1" "one row for the period"
# (A's snapshot is its statement's: the row logged meanwhile is not in it)
expect_eq "$(q $DB "SELECT total_messages FROM ai_metrics_snapshots")" "1" "holding A's figures"
expect_eq "$(q $DB "SELECT create_metrics_snapshot('daily', timestamptz '$day' + interval '12 hours') ->> 'total_messages'")" "2" \
    "taken again, the period counts the row logged since"

session_close a
session_close b
drop_db $DB
echo "snapshot_race: all checks passed"
