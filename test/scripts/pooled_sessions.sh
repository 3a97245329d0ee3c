#!/usr/bin/env bash
# pg_intent behind a transaction-mode pooler (pgbouncer, as Supabase's
# Supavisor and PgBouncer run it): consecutive transactions of one client
# run on different backends, and one backend serves many clients, so
# nothing of a client may depend on its backend, and nothing one client's
# call leaves in a backend may reach the next client.
#  a. pgbouncer in transaction mode, 2 server connections for 4 clients;
#     every backend has the first models cached;
#  b. a deployer client deploys and rolls back, for intent and a named
#     classifier, while the others predict, record interactions and submit
#     corrections: after each deploy commits, every client's next
#     transactions, on whichever backend, answer with the deployed model;
#  c. a training through the pooler, while the others predict: after it
#     commits, every client answers with the model it deployed;
#  d. a client that goes away in the middle of a training (its transaction
#     open: pgbouncer closes the server connection) leaves nothing behind:
#     no run row, no lock, and the next training through the pooler runs;
#  d2. pgbouncer's query_timeout ends a lone training statement: with
#     client_connection_check_interval set, nothing is committed;
#  d3. the same without it: pg_intent's own check (client_check_interval)
#     commits nothing either;
#  e. no call of ours leaves state in its backend for the next client:
#     session settings, role, temporary tables, prepared statements, locks;
#  f. two clients of one role share its one backend, one with PostgREST's
#     JWT claims set for its transactions: each correction records its own
#     transaction's actor;
#  and no pooled backend holds a lock once its transaction has ended.
cd "$(dirname "$0")/../.."
source test/scripts/lib.bash
command -v pgbouncer >/dev/null || PATH=$PATH:/usr/sbin
command -v pgbouncer >/dev/null ||
    { echo "FAILED: pgbouncer is not installed (scripts/install-deps.sh test)" >&2; exit 1; }
DB=pgi_pooled
fresh_db $DB
load_ecommerce $DB
create_mirror_classifier $DB '{"key_column": "id"}'
psql -X -q -v ON_ERROR_STOP=1 -d $DB <<'SQL' >/dev/null
SET client_min_messages = warning;
SELECT train_intent_model('first'), train_classifier('mirror', 'first');
SELECT train_intent_model('second'), train_classifier('mirror', 'second');
SQL
# Two models of each: A the first, B the second; A deployed to start with.
IA=$(q $DB "SELECT min(id) FROM ai_intent_models WHERE classifier = 'intent'")
IB=$(q $DB "SELECT max(id) FROM ai_intent_models WHERE classifier = 'intent'")
MA=$(q $DB "SELECT min(id) FROM ai_intent_models WHERE classifier = 'mirror'")
MB=$(q $DB "SELECT max(id) FROM ai_intent_models WHERE classifier = 'mirror'")
q $DB "SELECT deploy_intent_model($IA), deploy_classifier_model('mirror', $MA)" >/dev/null

# a. pgbouncer, as the cluster's owner, in a directory of this test.
PGB=$TEST_TMP/pgbouncer
mkdir -p "$PGB"
PGB_PORT=$(free_port)
cat >"$PGB/pgbouncer.ini" <<INI
[databases]
$DB = host=$PGHOST port=$PGPORT dbname=$DB
[pgbouncer]
listen_addr =
listen_port = $PGB_PORT
unix_socket_dir = $PGB
auth_type = trust
auth_file = $PGB/userlist.txt
pool_mode = transaction
default_pool_size = 2
min_pool_size = 0
max_client_conn = 50
server_reset_query =
admin_users = $PGUSER
ignore_startup_parameters = extra_float_digits,options
logfile = $PGB/pgbouncer.log
pidfile = $PGB/pgbouncer.pid
INI
printf '"%s" ""\n' "$PGUSER" >"$PGB/userlist.txt"
chown -R "$(stat -c %U "$PGHOST")" "$PGB" 2>/dev/null || true
stop_pgbouncer() {
    [ -f "$PGB/pgbouncer.pid" ] && kill "$(cat "$PGB/pgbouncer.pid")" 2>/dev/null || true
}
trap 'stop_pgbouncer; drop_db $DB; stop_own_clusters; stop_extra_clusters' EXIT
as_owner pgbouncer -d "$PGB/pgbouncer.ini"
for _ in $(seq 1 100); do [ -S "$PGB/.s.PGSQL.$PGB_PORT" ] && break; sleep 0.1; done
# Through the pooler: one statement, one transaction; pgb_admin: its console.
pq() { PGOPTIONS='' psql -X -At -v ON_ERROR_STOP=1 -h "$PGB" -p "$PGB_PORT" -d $DB -c "$*"; }
pgb_admin() { PGOPTIONS='' psql -X -At -h "$PGB" -p "$PGB_PORT" -U "$PGUSER" -d pgbouncer -c "$*" 2>&1; }
# After pgbouncer answered a statement with "query timeout": wait until it has
# closed that statement's server connection (SHOW SERVERS no longer lists the
# backend), so that the lock the test holds is released only then. Released
# at once, the backend could take the lock, finish and commit before its next
# check of the socket (client_connection_check_interval's timer, or the
# training's own check): a race of the test, not what it tests.
wait_server_closed() { # RUN_NAME
    local pid
    pid=$(q $DB "SELECT pid FROM pg_stat_activity WHERE query LIKE '%train_intent_model(''$1''%' AND pid <> pg_backend_pid()")
    [ -n "$pid" ] || return 0
    for _ in $(seq 1 600); do
        PGOPTIONS='' psql -X -A -h "$PGB" -p "$PGB_PORT" -U "$PGUSER" -d pgbouncer -c "SHOW SERVERS" |
            awk -F'|' -v pid="$pid" 'NR == 1 { for (i = 1; i <= NF; i++) if ($i == "remote_pid") c = i; next }
                                     c && $c == pid { found = 1 } END { exit !found }' || return 0
        sleep 0.05
    done
    echo "FAILED: pgbouncer kept the server connection of the timed-out statement ($1, pid $pid)" >&2
    exit 1
}
expect_eq "$(grep '^pool_mode|' <<<"$(pgb_admin "SHOW CONFIG")" | cut -d'|' -f2)" transaction \
    "pgbouncer pools transactions"

CLIENTS=(c1 c2 c3 c4)
for c in "${CLIENTS[@]}" deployer; do session_open $c $DB -h "$PGB" -p "$PGB_PORT"; done
# What a client answers in one transaction: the models predict_intent()
# and predict_label() used, and the backend that served it.
ASK="SELECT (predict_intent('quiero devolver el pedido')).model_id || ',' ||
            (predict_label('mirror', 'quiero devolver el pedido')).model_id || ',' || pg_backend_pid();"
# Every client, 3 transactions each, answers with intent model $1 and
# mirror model $2 ($3: what); prints the number of backends that served them.
check_all() {
    local c out bad=0 pids=()
    for c in "${CLIENTS[@]}"; do session_send $c "$ASK"; session_send $c "$ASK"; session_send $c "$ASK"; done
    for c in "${CLIENTS[@]}"; do
        out=$(session_wait $c)
        while IFS=, read -r i m pid; do
            [ "$i,$m" = "$1,$2" ] || { echo "FAILED: $3: client $c answered with $i,$m ($pid), not $1,$2" >&2; bad=1; }
            pids+=("$pid")
        done <<<"$out"
    done
    [ $bad = 0 ] || exit 1
    echo "ok: $3 (${#pids[@]} answers from $(printf '%s\n' "${pids[@]}" | sort -u | wc -l) backends)"
}
check_all $IA $MA "every client answers with the first models"
expect_eq "$(q $DB "SELECT count(*) FROM pg_stat_activity WHERE datname = '$DB'
                      AND backend_type = 'client backend' AND pid <> pg_backend_pid()")" 2 \
    "the 4 clients share 2 server connections"

# b. Deploys and rollbacks while the others predict, record and correct.
traffic() {
    local c
    for c in "${CLIENTS[@]}"; do
        session_send $c "SELECT record_interaction('pedido ' || g || ' de $c', 'order_status', 80) IS NOT NULL FROM generate_series(1, 3) AS g;"
        session_send $c "SELECT (submit_intent_correction(id, 'order_status')) ? 'correction_id' FROM ai_training_data WHERE user_message = 'pedido 1 de $c' LIMIT 1;"
        session_send $c "$ASK"
    done
}
drain() {
    local c out
    for c in "${CLIENTS[@]}"; do
        out=$(session_wait $c)
        if grep -q 'ERROR\|WARNING\|FATAL' <<<"$out"; then echo "FAILED: client $c: $out" >&2; exit 1; fi
    done
}
for round in 1 2 3; do
    traffic
    expect_eq "$(session_run deployer "SELECT deploy_intent_model($IB) ->> 'model_id', deploy_classifier_model('mirror', $MB) ->> 'model_id';")" \
        "$IB|$MB" "round $round: the second models are deployed"
    drain
    check_all $IB $MB "round $round: after the deploy commits every client answers with it"
    traffic
    expect_eq "$(session_run deployer "SELECT rollback_intent_model() ->> 'model_id', rollback_classifier('mirror') ->> 'model_id';")" \
        "$IA|$MA" "round $round: rolled back to the first models"
    drain
    check_all $IA $MA "round $round: after the rollback commits every client answers with the first models"
done

# c. A training through the pooler while the clients predict.
traffic
# A session's SET stays with the backend it ran on, not with the client:
# behind a pooler a setting is SET LOCAL, in the transaction it is for.
out=$(session_run deployer "BEGIN; SET LOCAL client_min_messages = warning;
    SELECT r ->> 'status', r ->> 'deployed' FROM train_intent_model('pooled', 'full', '{\"deploy\": \"always\"}') AS r; COMMIT;")
drain
IC=$(q $DB "SELECT id FROM ai_intent_models WHERE classifier = 'intent' AND is_active")
expect_eq "$out" "completed|true" "a training through the pooler completes and deploys"
check_all "$IC" $MA "every client answers with the model the pooled training deployed"

# d. A client gone in the middle of its training's transaction.
session_open holder $DB
expect_eq "$(session_run holder "BEGIN; LOCK TABLE ai_training_runs IN EXCLUSIVE MODE; SELECT 'locked';")" locked \
    "ai_training_runs is locked, so the next training waits inside"
PGAPPNAME=gone psql -X -q -h "$PGB" -p "$PGB_PORT" -d $DB \
    -c "BEGIN" -c "SELECT train_intent_model('gone', 'full', '{\"deploy\": \"always\"}')" -c "COMMIT" >/dev/null 2>&1 &
gone=$!
pid=
for _ in $(seq 1 600); do
    pid=$(q $DB "SELECT a.pid FROM pg_stat_activity AS a JOIN pg_locks AS l ON l.pid = a.pid
                  WHERE a.query LIKE '%train_intent_model(''gone''%' AND NOT l.granted
                    AND l.relation = 'ai_training_runs'::regclass")
    [ -n "$pid" ] && break
    sleep 0.1
done
[ -n "$pid" ] || { echo "FAILED: the training never waited for ai_training_runs" >&2; exit 1; }
{ kill -KILL $gone; wait $gone; } 2>/dev/null || true
expect_eq "$(session_run holder "COMMIT; SELECT 'released';")" released "ai_training_runs is released"
session_close holder
for _ in $(seq 1 1200); do
    [ "$(q $DB "SELECT count(*) FROM pg_stat_activity WHERE pid = $pid")" = 0 ] && break
    sleep 0.1
done
expect_eq "$(q $DB "SELECT count(*) FROM pg_stat_activity WHERE pid = $pid")" 0 \
    "the server connection of the client gone ends"
expect_eq "$(q $DB "SELECT count(*) FROM ai_training_runs WHERE run_name = 'gone'")" 0 \
    "the training of the client gone left no run"
expect_eq "$(q $DB "SELECT id FROM ai_intent_models WHERE classifier = 'intent' AND is_active")" "$IC" \
    "nor a deployed model"
expect_eq "$(pq "SELECT train_intent_model('after') ->> 'status'" 2>/dev/null)" completed \
    "the next training through the pooler runs"

# d2. pgbouncer's query_timeout ends a training statement sent outside a
# transaction: pgbouncer answers the client with an error and closes the
# server connection, which the backend sees only when it writes to it (a
# progress NOTICE) or checks it (client_connection_check_interval); without
# either the statement would train to its end and commit, deploy included,
# for a client told it failed. With the check set (here for the one
# statement, as an application sets it for its role) nothing is committed.
q $DB "SELECT 1" >/dev/null
session_open holder2 $DB
expect_eq "$(session_run holder2 "BEGIN; LOCK TABLE ai_training_runs IN EXCLUSIVE MODE; SELECT 'locked';")" locked \
    "ai_training_runs is locked again"
expect_eq "$(pgb_admin "SET query_timeout = 1")" "SET query_timeout=1" \
    "pgbouncer's query_timeout is set"
out=$(PGOPTIONS='' psql -X -At -h "$PGB" -p "$PGB_PORT" -d $DB \
    -c "SET LOCAL client_connection_check_interval = '100ms'; SET LOCAL client_min_messages = warning;
        SELECT train_intent_model('timed_out', 'full', '{\"deploy\": \"always\"}') ->> 'status'" 2>&1 || true)
grep -q "query timeout" <<<"$out" || { echo "FAILED: no query timeout: $out" >&2; exit 1; }
echo "ok: pgbouncer timed the training statement out"
pgb_admin "SET query_timeout = 0" >/dev/null
wait_server_closed timed_out
# With client_connection_check_interval the backend sees it in its lock wait.
for _ in $(seq 1 600); do
    [ "$(q $DB "SELECT count(*) FROM pg_stat_activity WHERE query LIKE '%train_intent_model(''timed_out''%' AND pid <> pg_backend_pid()")" = 0 ] && break
    sleep 0.05
done
expect_eq "$(session_run holder2 "COMMIT; SELECT 'released';")" released "ai_training_runs is released"
session_close holder2
for _ in $(seq 1 1200); do
    [ "$(q $DB "SELECT count(*) FROM pg_stat_activity WHERE query LIKE '%train_intent_model(''timed_out''%' AND pid <> pg_backend_pid()")" = 0 ] && break
    sleep 0.1
done
expect_eq "$(q $DB "SELECT count(*) FROM ai_training_runs WHERE run_name = 'timed_out'")" 0 \
    "the timed-out training committed no run"
expect_eq "$(q $DB "SELECT id FROM ai_intent_models WHERE classifier = 'intent' AND is_active")" \
    "$(q $DB "SELECT m.id FROM ai_intent_models AS m JOIN ai_training_runs AS r ON r.model_id = m.id WHERE r.run_name = 'after'")" \
    "nor deployed a model"

# d3. The same without client_connection_check_interval (the server's
# default): pg_intent.client_check_interval (default 1 s) has the training
# look at its connection itself. The statement waits for the lock first (no
# check there), then the training's first poll finds the server connection
# closed. Before, this run committed and its model became the active one.
active_before=$(q $DB "SELECT id FROM ai_intent_models WHERE classifier = 'intent' AND is_active")
session_open holder3 $DB
expect_eq "$(session_run holder3 "BEGIN; LOCK TABLE ai_training_runs IN EXCLUSIVE MODE; SELECT 'locked';")" locked \
    "ai_training_runs is locked a third time"
expect_eq "$(pgb_admin "SET query_timeout = 1")" "SET query_timeout=1" \
    "pgbouncer's query_timeout is set again"
out=$(PGOPTIONS='' psql -X -At -h "$PGB" -p "$PGB_PORT" -d $DB \
    -c "SET LOCAL client_min_messages = warning;
        SELECT train_intent_model('timed_out_unchecked', 'full', '{\"deploy\": \"always\"}') ->> 'status'" 2>&1 || true)
grep -q "query timeout" <<<"$out" || { echo "FAILED: no query timeout: $out" >&2; exit 1; }
echo "ok: pgbouncer timed the unchecked training statement out"
pgb_admin "SET query_timeout = 0" >/dev/null
wait_server_closed timed_out_unchecked
expect_eq "$(session_run holder3 "COMMIT; SELECT 'released';")" released "ai_training_runs is released"
session_close holder3
for _ in $(seq 1 1200); do
    [ "$(q $DB "SELECT count(*) FROM pg_stat_activity WHERE query LIKE '%train_intent_model(''timed_out_unchecked''%' AND pid <> pg_backend_pid()")" = 0 ] && break
    sleep 0.1
done
expect_eq "$(q $DB "SELECT count(*) FROM ai_training_runs WHERE run_name = 'timed_out_unchecked'")" 0 \
    "the timed-out training without client_connection_check_interval committed no run"
expect_eq "$(q $DB "SELECT id FROM ai_intent_models WHERE classifier = 'intent' AND is_active")" "$active_before" \
    "nor deployed a model"

# e. What each call leaves in its backend: one direct session (one backend),
# its state after each call compared with the state before any.
session_open direct $DB
STATE="SELECT current_user || '/' || session_user
       || '/' || coalesce((SELECT string_agg(name || '=' || setting, ',' ORDER BY name) FROM pg_settings WHERE source = 'session'), '')
       || '/' || (SELECT count(*) FROM pg_prepared_statements)
       || '/' || (SELECT count(*) FROM pg_class WHERE relnamespace = pg_my_temp_schema())
       || '/' || (SELECT count(*) FROM pg_locks WHERE pid = pg_backend_pid() AND locktype NOT IN ('virtualxid', 'relation'));"
session_run direct "SELECT pg_intent_loaded();" >/dev/null
before=$(session_run direct "$STATE")
UUID=$(q $DB "SELECT id FROM ai_training_data WHERE user_message = 'pedido 2 de c1' LIMIT 1")
for call in "predict_intent('hola')" "predict_label('mirror', 'hola')" "classify_intent('hola')" \
    "record_interaction('hola otra vez', 'greeting', 90)" "submit_intent_correction('$UUID', 'greeting')" \
    "deploy_intent_model($IB)" "rollback_intent_model()" "deploy_classifier_model('mirror', $MB)" \
    "rollback_classifier('mirror')" "train_intent_model('direct')" "train_classifier('mirror', 'direct')" \
    "retrain_if_needed()" "retrain_classifiers()" "evaluate_intent_model(NULL, 'SELECT text, intent FROM demo_rows WHERE split = ''test''')" \
    "get_classifier_metrics('mirror')"; do
    out=$(session_run direct "SELECT ($call) IS NOT NULL;")
    grep -q 'ERROR' <<<"$out" && { echo "FAILED: $call: $out" >&2; exit 1; }
    expect_eq "$(session_run direct "$STATE")" "$before" "$call leaves its backend as it found it"
done
session_close direct

# f. Who acted, as PostgREST tells it (the JWT claims, set for one
# transaction): a pooled role's corrections with claims record their
# subject, those without record the login, whichever backend the one ran on
# before the other. Two clients of one role, alternating.
APP=pgi_pooled_app
SUB=7d1b5b0e-5b44-4c2a-9a53-2b0f4f0c0a01
q $DB "DROP ROLE IF EXISTS $APP" >/dev/null 2>&1
q $DB "CREATE ROLE $APP LOGIN" >/dev/null
trap 'stop_pgbouncer; drop_db $DB; q postgres "DROP ROLE IF EXISTS $APP" >/dev/null 2>&1; stop_own_clusters; stop_extra_clusters' EXIT
q $DB "GRANT SELECT, INSERT, UPDATE ON ai_training_data, ai_intent_corrections TO $APP" >/dev/null
printf '"%s" ""\n' "$APP" >>"$PGB/userlist.txt"
# One server connection for the role: both clients share its backend.
printf '[users]\n%s = max_user_connections=1\n' "$APP" >>"$PGB/pgbouncer.ini"
pgb_admin "RELOAD" >/dev/null
session_open jwt $DB -h "$PGB" -p "$PGB_PORT" -U $APP
session_open plain $DB -h "$PGB" -p "$PGB_PORT" -U $APP
CORRECT="SELECT (submit_intent_correction(id, 'greeting')) ? 'correction_id' FROM ai_training_data
          WHERE user_message = 'pedido 3 de c1' LIMIT 1;"
for _ in 1 2 3 4; do
    session_send jwt "BEGIN; SELECT set_config('request.jwt.claims', '{\"sub\": \"$SUB\", \"role\": \"authenticated\"}', true) IS NOT NULL; $CORRECT COMMIT;"
    session_send plain "$CORRECT"
done
for c in jwt plain; do
    out=$(session_wait $c)
    grep -q 'ERROR\|WARNING' <<<"$out" && { echo "FAILED: client $c: $out" >&2; exit 1; }
    session_close $c
done
expect_eq "$(q $DB "SELECT string_agg(DISTINCT coalesce(corrected_by::text, '-') || ' ' || recorded_by, ', ' ORDER BY coalesce(corrected_by::text, '-') || ' ' || recorded_by)
                     || ' (' || count(*) || ')' FROM ai_intent_corrections WHERE recorded_by IN ('$APP', '$SUB')")" \
    "- $APP, $SUB $SUB (8)" "each correction records its own transaction's actor"
expect_eq "$(q $DB "SELECT count(*) FROM pg_stat_activity WHERE usename = '$APP'")" 1 "on the role's one backend"

# No pooled backend holds a lock between transactions.
expect_eq "$(q $DB "SELECT count(*) FROM pg_locks AS l JOIN pg_stat_activity AS a ON a.pid = l.pid
                     WHERE a.datname = '$DB' AND a.state = 'idle'")" 0 \
    "no idle pooled backend holds a lock"
for c in "${CLIENTS[@]}" deployer; do session_close $c; done
grep -i 'error\|fatal' "$PGB/pgbouncer.log" | grep -v 'client unexpected eof\|client close\|query timeout' >&2 || true
echo "ok: pooled sessions"
