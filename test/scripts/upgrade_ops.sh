#!/usr/bin/env bash
# 0.2.0 -> 0.2.1 on data that 0.2.1 judges differently, without losing a row
# the user made:
#   - daily snapshots cut under two session time zones overlap: they are
#     kept, the daily exclusion constraint is left out with a WARNING (the
#     other period types get theirs), the policy takes the updating session's
#     time zone, and create_metrics_snapshot() refuses a new overlap;
#   - training records of a deleted message (0.2.0 kept them; a message
#     inserted with its id inherited them) are deleted, with a WARNING.
source test/scripts/lib.bash
DB=pgi_upgrade_ops
drop_db $DB
psql -X -q -d postgres -c "CREATE DATABASE $DB" >/dev/null
psql -X -q -v ON_ERROR_STOP=1 -d $DB -c "SET client_min_messages = warning" \
    -c "CREATE EXTENSION pg_intent VERSION '0.2.0'" >/dev/null

q $DB "SET TimeZone = 'UTC'; SELECT create_metrics_snapshot('daily', now() - interval '2 days') IS NOT NULL,
                                    create_metrics_snapshot('hourly', now() - interval '3 hours') IS NOT NULL" >/dev/null
q $DB "SET TimeZone = 'Asia/Kolkata'; SELECT create_metrics_snapshot('daily', now() - interval '2 days') IS NOT NULL" >/dev/null
q $DB "WITH r AS (INSERT INTO ai_training_runs (run_name, status) VALUES ('old', 'completed') RETURNING id),
            d AS (INSERT INTO ai_training_data (user_message, detected_intent) VALUES ('hola', 'greeting') RETURNING id)
       INSERT INTO ai_training_run_rows (run_id, training_data_id, intent)
       SELECT r.id, d.id, 'greeting' FROM r, d UNION ALL SELECT r.id, gen_random_uuid(), 'greeting' FROM r" >/dev/null
[ "$(q $DB "SELECT count(*) FROM ai_metrics_snapshots")" = 3 ] || { echo "FAILED: setup" >&2; exit 1; }

if ! PGTZ=Asia/Kolkata psql -X -q -v ON_ERROR_STOP=1 -d $DB -c "ALTER EXTENSION pg_intent UPDATE" 2>"$TEST_TMP/warnings"; then
    cat "$TEST_TMP/warnings" >&2
    echo "FAILED: the upgrade failed" >&2
    exit 1
fi
expect_warning() {
    grep -q -- "$1" "$TEST_TMP/warnings" || { cat "$TEST_TMP/warnings" >&2; echo "FAILED: no WARNING saying: $1" >&2; exit 1; }
}
expect_warning "1 pairs of daily snapshots overlap"
expect_warning "snapshot_time_zone, set to this session's time zone Asia/Kolkata"
expect_warning "deleted 1 training records"
echo "ok: the upgrade warns of the overlapping daily snapshots, the policy's time zone and the deleted training records"

got=$(q $DB "SELECT format('%s snapshots, %s run rows, zone %s, constraints %s',
                (SELECT count(*) FROM ai_metrics_snapshots), (SELECT count(*) FROM ai_training_run_rows),
                (SELECT snapshot_time_zone FROM ai_training_policy),
                (SELECT string_agg(conname, ',' ORDER BY conname) FROM pg_constraint
                  WHERE conrelid = 'ai_metrics_snapshots'::regclass AND contype = 'x'))")
want="3 snapshots, 1 run rows, zone Asia/Kolkata, constraints ai_metrics_snapshots_hourly_overlap,ai_metrics_snapshots_monthly_overlap,ai_metrics_snapshots_weekly_overlap"
[ "$got" = "$want" ] || { echo "FAILED: after the upgrade: $got (expected: $want)" >&2; exit 1; }
echo "ok: $got"

# Snapshots continue in the policy's zone (a new day adds its row); one cut
# in UTC again would overlap them and is refused, as is retaking the day the
# two old rows overlap on until one of them is deleted.
q $DB "SET TimeZone = 'UTC'; SELECT create_metrics_snapshot('daily', now() - interval '5 days') IS NOT NULL" >/dev/null
[ "$(q $DB "SELECT count(*) FROM ai_metrics_snapshots")" = 4 ] || { echo "FAILED: a snapshot in the policy's zone was not added" >&2; exit 1; }
refused() {
    local state
    state=$(psql -X -At -d $DB -c "DO \$\$ BEGIN PERFORM $1;
            EXCEPTION WHEN OTHERS THEN RAISE NOTICE 'sqlstate %', SQLSTATE; END \$\$" 2>&1)
    case $state in *"sqlstate 23P01"*) ;; *) echo "FAILED: not refused ($1): $state" >&2; exit 1 ;; esac
}
refused "create_metrics_snapshot('daily', now() - interval '2 days')"
q $DB "UPDATE ai_training_policy SET snapshot_time_zone = 'UTC'" >/dev/null
refused "create_metrics_snapshot('daily', now() - interval '5 days')"
[ "$(q $DB "SELECT count(*) FROM ai_metrics_snapshots")" = 4 ] || { echo "FAILED: a refused snapshot changed the rows" >&2; exit 1; }
echo "ok: snapshots continue in the policy's zone; overlapping ones are refused (23P01)"
drop_db $DB
