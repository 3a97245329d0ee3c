#!/usr/bin/env bash
# A deploy on the primary reaches sessions on a hot standby: a standby session
# that cached the old model serves the new one once the commit is replayed,
# for the intent model and for one partition of a named classifier.
cd "$(dirname "$0")/../.."
source test/scripts/lib.bash
DB=pgi_standby_test
PRIMARY_PORT=$PGPORT
STANDBY_PORT=$(free_port)
STANDBY_DIR=$TEST_TMP/standby
EXTRA_CLUSTERS+=("$STANDBY_DIR")

fresh_db $DB
load_ecommerce $DB
first=$(q $DB "SELECT (train_intent_model('first')->>'model_id')")
# A classifier with a model per partition, and an undeployed candidate of each.
q $DB "CREATE TABLE msgs AS SELECT row_number() OVER (ORDER BY text, intent) AS id, text, intent, CASE WHEN row_number() OVER (ORDER BY text, intent) % 2 = 0 THEN 'p1' ELSE 'p2' END AS shop FROM demo_rows WHERE split = 'train'" >/dev/null
q $DB "SELECT create_classifier('router', 'msgs', 'text', 'intent', '{\"key_column\": \"id\", \"partition_column\": \"shop\", \"min_partition_rows\": 50, \"seed\": 1}')" >/dev/null
q $DB "SELECT train_classifier('router')" >/dev/null
# The two halves of one dataset: the fallback beats each half's first model
# (fallback_better), so deploy them by hand to have a model per partition.
q $DB "SELECT deploy_classifier_model('router', m.id) FROM ai_intent_models AS m WHERE m.classifier = 'router' AND m.partition_key IN ('p1', 'p2') AND NOT m.is_active" >/dev/null
q $DB "SELECT train_classifier('router', 'candidates', '{\"deploy\": \"never\", \"seed\": 2}')" >/dev/null
p1_first=$(q $DB "SELECT id FROM ai_intent_models WHERE classifier = 'router' AND partition_key = 'p1' AND is_active")
p2_first=$(q $DB "SELECT id FROM ai_intent_models WHERE classifier = 'router' AND partition_key = 'p2' AND is_active")
p1_candidate=$(q $DB "SELECT max(id) FROM ai_intent_models WHERE classifier = 'router' AND partition_key = 'p1' AND NOT is_active")

mkdir -p "$STANDBY_DIR/socket"
[ "$(id -u)" = 0 ] && chown -R postgres:postgres "$STANDBY_DIR"
as_owner pg_basebackup -h "$PGHOST" -p "$PRIMARY_PORT" -U postgres -D "$STANDBY_DIR/data" -R -X stream --checkpoint=fast
cat >>"$STANDBY_DIR/data/postgresql.conf" <<CONF
port = $STANDBY_PORT
unix_socket_directories = '$STANDBY_DIR/socket'
hot_standby = on
CONF
as_owner pg_ctl -D "$STANDBY_DIR/data" -l "$STANDBY_DIR/server.log" -w -t 60 start >/dev/null
SB=(-h "$STANDBY_DIR/socket" -p "$STANDBY_PORT")

expect_eq "$(psql -X -At "${SB[@]}" -d postgres -c 'SELECT pg_is_in_recovery()')" "t" "standby is in recovery"

coproc STANDBY_SESSION { psql -X -At -q "${SB[@]}" -d $DB 2>&1; }
# bash unsets STANDBY_SESSION_PID once the coprocess has exited: keep it.
standby_session_pid=$STANDBY_SESSION_PID
ask() {
    echo "$1" >&"${STANDBY_SESSION[1]}"
    local line
    IFS= read -r -t 60 line <&"${STANDBY_SESSION[0]}"
    echo "$line"
}
expect_eq "$(ask "SELECT model_id FROM predict_intent('hola');")" "$first" "standby session serves the first model"

second=$(q $DB "SELECT (train_intent_model('second', 'full', '{\"deploy\":\"always\", \"seed\": 3}')->>'model_id')")
# The test clusters run with synchronous_commit = off, so the commit record
# may still be in WAL buffers: pg_current_wal_lsn() (the write position) can
# lie before it. The insert position always lies after it.
target=$(q $DB "SELECT pg_current_wal_insert_lsn()")
for _ in $(seq 1 100); do
    caught_up=$(psql -X -At "${SB[@]}" -d postgres -c "SELECT pg_last_wal_replay_lsn() >= '$target'::pg_lsn")
    [ "$caught_up" = t ] && break
    sleep 0.1
done
expect_eq "$caught_up" "t" "standby replayed the deploy"
expect_eq "$(ask "SELECT model_id FROM predict_intent('hola');")" "$second" "standby session sees the new model"

# The same for a classifier's partition model: the standby session caches
# both partitions' models; a deploy for p1 on the primary reaches it, and p2
# keeps its model.
expect_eq "$(ask "SELECT model_id FROM predict_label('router', 'hola', 'p1');")" "$p1_first" "standby session serves p1's model"
expect_eq "$(ask "SELECT model_id FROM predict_label('router', 'hola', 'p2');")" "$p2_first" "standby session serves p2's model"
q $DB "SELECT deploy_classifier_model('router', $p1_candidate)" >/dev/null
target=$(q $DB "SELECT pg_current_wal_insert_lsn()")
for _ in $(seq 1 100); do
    caught_up=$(psql -X -At "${SB[@]}" -d postgres -c "SELECT pg_last_wal_replay_lsn() >= '$target'::pg_lsn")
    [ "$caught_up" = t ] && break
    sleep 0.1
done
expect_eq "$caught_up" "t" "standby replayed the classifier deploy"
expect_eq "$(ask "SELECT model_id FROM predict_label('router', 'hola', 'p1');")" "$p1_candidate" "standby session sees p1's new model"
expect_eq "$(ask "SELECT model_id FROM predict_label('router', 'hola', 'p2');")" "$p2_first" "and p2 keeps its own"

echo '\q' >&"${STANDBY_SESSION[1]}"
wait "$standby_session_pid" 2>/dev/null || true
psql -X -q -d postgres -c "DROP DATABASE $DB WITH (FORCE)"
