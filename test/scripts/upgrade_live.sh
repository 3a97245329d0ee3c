#!/usr/bin/env bash
# The package upgrade from 0.3.1 to 0.3.2 under live traffic, as in
# production: the package replaces pg_intent.so and the SQL files while
# sessions that loaded 0.3.1's library keep it mapped (PostgreSQL finds a
# loaded library by its file name first), new sessions load 0.3.2's library
# on 0.3.1's catalog, and ALTER EXTENSION pg_intent UPDATE runs while both
# kinds predict, log, correct and train.
#
#  1. A 0.3.1 cluster (not preloaded) with rows, an intent model and a
#     partitioned classifier; old sessions load the library and cache models.
#  2. The 0.3.2 package files are installed; new sessions open. 0.3.2's
#     library answers as 0.3.1's but where a partition's model abstained
#     (it defers to the fallback, defer_to_fallback).
#  3. (a) An old session is mid-training (its source waits on an advisory
#     lock the test holds): the update waits for ai_training_policy, which
#     the training holds; predictions and logging go on meanwhile, a new
#     training queues behind it, and lock_timeout bounds the wait (55P03,
#     nothing updated). An old session's update is refused with 55000
#     (before: 42883 "could not find function ... in file", half-way).
#     (b) The update runs while old and new sessions predict and log.
#  4. No backend crashed; every answer of a session is its library's answer
#     of before or 42883 (an old session's classifier calls after the
#     update); no row logged is lost; models answer as before; a model
#     0.3.2 deploys is refused by an old session (XX001, its format), never
#     replaced by the one it had cached; the next retraining works.
#  5. Preloaded: new connections keep 0.3.1's library too, the update is
#     refused (55000) until the server restarts, then runs.
# Synchronises on lock waits, never on sleeps.
cd "$(dirname "$0")/../.."
source test/scripts/lib.bash
export PGOPTIONS="${PGOPTIONS:-} -c client_min_messages=warning"
V031_COMMIT=2dc013dbbc65c45fe9f8fbb137a26b204587fc6a # the landed 0.3.1
DB=upglive
LOOPS=${LOOPS:-40}

V031_SRC=$(build_release 0.3.1 "$V031_COMMIT") || exit 1
echo "ok: built the 0.3.1 library from $V031_COMMIT"
PGI_SOURCE=$V031_SRC PGI_PRELOAD='' start_own_cluster cluster
psql -X -q -d postgres -c "CREATE DATABASE $DB"
psql -X -q -v ON_ERROR_STOP=1 -d $DB <<'SQL' >/dev/null
CREATE EXTENSION pg_intent VERSION '0.3.1';
CREATE TABLE demo_rows (split text, text text, intent text);
\copy demo_rows FROM 'data/ecommerce_es.csv' WITH (FORMAT csv, HEADER true)
SELECT record_interaction(text, intent, 90) FROM demo_rows WHERE split = 'train';
SELECT train_intent_model('live base', 'full', '{"seed": 1}');
CREATE TABLE shop_rows AS
SELECT row_number() OVER (ORDER BY text, intent) AS id, text AS prompt, intent AS route,
       CASE WHEN row_number() OVER (ORDER BY text, intent) % 2 = 0 THEN 'norte' ELSE 'sur' END AS tienda
  FROM demo_rows WHERE split = 'train';
SELECT create_classifier('shops', 'shop_rows', 'prompt', 'route', '{"seed": 4, "partition_column": "tienda"}');
SELECT train_classifier('shops');
-- A source that waits while the test holds advisory lock 4242: a training
-- of it is held mid-run, without any sleep.
CREATE FUNCTION public.live_gate() RETURNS boolean LANGUAGE sql VOLATILE
    AS $$ SELECT pg_advisory_lock_shared(4242) IS NOT NULL AND pg_advisory_unlock_shared(4242) $$;
CREATE VIEW slow_rows AS SELECT id, prompt, route FROM shop_rows WHERE public.live_gate();
SELECT create_classifier('slow', 'slow_rows', 'prompt', 'route', '{"seed": 5}');
CREATE TABLE probe (text text);
INSERT INTO probe SELECT text FROM demo_rows WHERE split = 'test' ORDER BY text LIMIT 12;
SQL
# What the models answer at 0.3.1, with the 0.3.1 library.
intent_sql="SELECT string_agg(format('intent|%s|%s', text, predict_intent(text)), E'\n' ORDER BY text) FROM probe;"
shops_sql="SELECT string_agg(format('shops|%s|%s|%s', text, predict_label('shops', text, 'norte'), predict_label('shops', text, 'sur')),
                          E'\n' ORDER BY text) FROM probe;"
before=$(q $DB "$intent_sql"; q $DB "$shops_sql")
[ "$(wc -l <<<"$before")" = 24 ] || { echo "FAILED: no baseline: $before" >&2; exit 1; }
echo "ok: 0.3.1 answers 12 probes with the intent model and both partitions of shops"

# Sessions with 0.3.1's library loaded and models cached. VERBOSITY verbose
# shows each error's SQLSTATE.
open_loaded() { # name
    session_open "$1" $DB
    session_send "$1" '\set VERBOSITY verbose'
    expect_eq "$(session_run "$1" "SELECT count(*) FROM probe WHERE (predict_intent(text)).predicted_intent IS NOT NULL
                                          AND (predict_label('shops', text, 'norte')).label IS NOT NULL;")" 12 \
        "session $1 predicts (its library loaded, its models cached)"
}
for s in old_pred old_log old_train old_admin; do open_loaded $s; done
lib_of() { # backend pid: the pg_intent library its process maps (by inode: the file is replaced)
    as_owner cat "/proc/$1/maps" | awk '/pg_intent\.so/ && !n++ {print $5}'
}
old_inode=$(lib_of "$(session_pid old_pred)")
[ -n "$old_inode" ] || { echo "FAILED: no pg_intent.so mapped in the old session" >&2; exit 1; }

# (a) An old session mid-training: its source read waits on lock 4242.
session_open holder $DB
session_run holder "SELECT pg_advisory_lock(4242);" >/dev/null
train_pid=$(session_pid old_train)
session_send old_train "SELECT 'slow: ' || (train_classifier('slow') ->> 'status');"
wait_until_waiting_on_lock $DB "$train_pid"
echo "ok: an old session's training is held reading its source"

# The package upgrade: this checkout's library and scripts replace 0.3.1's.
PGI_SOURCE='' scripts/pg-cluster.sh install
for s in new_pred new_log; do open_loaded $s; done
# What 0.3.2's library answers, on 0.3.1's SQL: the intent model as 0.3.1;
# a partition's model that abstains lets the confident fallback answer
# (defer_to_fallback, new in 0.3.2; 0.3.1 served the abstention), which
# changes only the answers where 0.3.1's partition model abstained.
after=$(session_run new_pred "$intent_sql"; session_run new_pred "$shops_sql")
expect_eq "$(grep '^intent|' <<<"$after")" "$(grep '^intent|' <<<"$before")" "0.3.2's library: the intent model answers as 0.3.1's"
changed=$(diff <(grep '^shops|' <<<"$before") <(grep '^shops|' <<<"$after") | grep -c '^<' || true)
abstained=$(grep '^shops|' <<<"$before" | grep -c ',t,[0-9]*,norte)\|,t,[0-9]*,sur)' || true)
[ "$changed" -le "$abstained" ] || { echo "FAILED: $changed answers of shops changed, $abstained abstained at 0.3.1" >&2; exit 1; }
echo "ok: 0.3.2's library: shops answers $changed of 12 probes otherwise, each one a partition's abstention at 0.3.1 ($abstained)"
new_inode=$(lib_of "$(session_pid new_pred)")
if [ "$new_inode" = "$old_inode" ] || [ "$(lib_of "$(session_pid old_pred)")" != "$old_inode" ]; then
    echo "FAILED: old $old_inode, new $new_inode: the sessions do not map different libraries" >&2
    exit 1
fi
echo "ok: old sessions keep 0.3.1's library mapped, new sessions load 0.3.2's (on 0.3.1's SQL)"

# An update with a long lock_timeout waits for the held training: on which
# lock, and who queues behind it meanwhile (then it is cancelled).
session_open upd $DB
upd_pid=$(session_pid upd)
session_send upd '\set VERBOSITY verbose'
session_send upd "SET lock_timeout = '600s'; ALTER EXTENSION pg_intent UPDATE;"
wait_until_waiting_on_lock $DB "$upd_pid"
expect_eq "$(q $DB "SELECT string_agg(DISTINCT format('%s %s', relation::regclass, mode), ', ') FROM pg_locks WHERE pid = $upd_pid AND NOT granted")" \
    "ai_training_policy AccessExclusiveLock" "the update waits for ai_training_policy, which the training reads"
# Meanwhile predicting and logging take no lock the update waits for: each
# runs (lock_timeout turns a wait into 55P03, so the test never hangs).
for stmt in "SELECT (predict_label('shops', 'hola', 'norte')).label IS NOT NULL" "SELECT (predict_intent('hola')).predicted_intent IS NOT NULL" \
            "SELECT record_interaction('probe while waiting', 'greeting', 70) IS NOT NULL"; do
    expect_eq "$(psql -X -q -At -v VERBOSITY=verbose -d $DB -c "SET lock_timeout = '5s'" -c "$stmt" 2>&1)" t "while the update waits: ${stmt:7:40}"
done
# A training that starts meanwhile queues behind the update (its lock
# request comes first): lock_timeout turns that wait into 55P03 at once.
expect_eq "$(psql -X -q -At -v VERBOSITY=verbose -d $DB -c "SET lock_timeout = '100ms'" -c "SELECT train_classifier('shops') ->> 'status'" 2>&1 |
               grep -oE '^ERROR:  [0-9A-Z]{5}' | cut -c9-)" 55P03 "while the update waits, a new training waits behind it"
q $DB "SELECT pg_cancel_backend($upd_pid)" >/dev/null
expect_eq "$(session_wait upd | grep -oE '^ERROR:  [0-9A-Z]{5}' | cut -c9-)" 57014 "the update cancelled"
session_close upd
update_out=$(psql -X -q -v VERBOSITY=verbose -d $DB -c "SET lock_timeout = '3s'" -c "ALTER EXTENSION pg_intent UPDATE" 2>&1 || true)
expect_eq "$(grep -oE '^ERROR:  [0-9A-Z]{5}' <<<"$update_out" | cut -c9-)" 55P03 \
    "the update waits for the training's locks, and lock_timeout bounds the wait"
expect_eq "$(q $DB "SELECT extversion FROM pg_extension WHERE extname = 'pg_intent'")" 0.3.1 "nothing was updated"
session_run holder "SELECT pg_advisory_unlock(4242);" >/dev/null
expect_eq "$(session_wait old_train)" "slow: completed" "the held training completes"

# A session that loaded 0.3.1's library (here, one that predicted before
# the package upgrade) cannot run the update: it says so, and what to do.
update_refused() { # psql output, what
    expect_eq "$(grep -oE '^ERROR:  [0-9A-Z]{5}' <<<"$1" | cut -c9-)" 55000 "$2: the update in a session of 0.3.1's library is refused"
    grep -q 'HINT:  Run ALTER EXTENSION pg_intent UPDATE in a new connection (restart the server first if shared_preload_libraries names pg_intent)' <<<"$1" ||
        { echo "FAILED: $2: no hint: $1" >&2; exit 1; }
    expect_eq "$(q $DB "SELECT extversion FROM pg_extension WHERE extname = 'pg_intent'")" 0.3.1 "$2: nothing was updated"
}
update_refused "$(session_run old_admin "ALTER EXTENSION pg_intent UPDATE;")" "a session that predicted before the package upgrade"
session_close old_admin

# (b) The update while old and new sessions predict and log. Each loop
# statement prints a tag with its answer, or an error with its SQLSTATE.
# Sends $LOOPS rounds of traffic: each predicting session both predictions,
# each logging session one row, its message 'live <session> <tag><round>'.
send_traffic() { # tag
    local i s
    for i in $(seq 1 "$LOOPS"); do
        for s in old_pred new_pred; do session_send $s "$intent_sql"; session_send $s "$shops_sql"; done
        for s in old_log new_log; do
            session_send $s "SELECT 'logged ' || record_interaction('live $s $1$i', 'order_status', 70);"
        done
    done
}
send_traffic ""
# The update runs while those statements do: it waits for no more than
# the statements in flight (each ends), lock_timeout bounds that.
psql -X -q -v ON_ERROR_STOP=1 -d $DB -c "SET lock_timeout = '60s'" -c "ALTER EXTENSION pg_intent UPDATE" >/dev/null 2>"$TEST_TMP/update.log" ||
    { cat "$TEST_TMP/update.log" >&2; echo "FAILED: the update under traffic" >&2; exit 1; }
expect_eq "$(q $DB "SELECT extversion FROM pg_extension WHERE extname = 'pg_intent'")" 0.3.2 "updated to 0.3.2 under traffic"
send_traffic "after "
# Every answer is the one before the update, or an error naming its SQLSTATE.
check_session() { # name answers
    local out bad before=$2
    out=$(session_wait "$1")
    bad=$(grep -vxF -f <(printf '%s\n' "$before") <<<"$out" | grep -vE '^logged [0-9a-f-]{36}$' |
          grep -vE '^(ERROR|LOCATION|DETAIL|HINT|CONTEXT|STATEMENT):|^ ' || true)
    [ -z "$bad" ] || {
        echo "FAILED: session $1 answered what no model answered before the update:" >&2
        sort -u <<<"$bad" >&2
        echo "(before the update:)" >&2
        grep -F -f <(sort -u <<<"$bad" | cut -d'|' -f1 | sed 's/$/|/') <<<"$before" >&2
        exit 1
    }
    if grep -q '^ERROR:' <<<"$out"; then
        bad=$(grep '^ERROR:' <<<"$out" | grep -vE '^ERROR:  42883: ' || true)
        [ -z "$bad" ] || { echo "FAILED: session $1: an error other than 42883: $bad" >&2; exit 1; }
        echo "ok: session $1's errors: $(grep -oE '^ERROR:  [0-9A-Z]{5}: .{0,80}' <<<"$out" | sort | uniq -c | tr -s ' ' | tr '\n' ';')"
    fi
    echo "ok: session $1: every answer is its library's answer of before the update, or 42883"
    ERRS[$1]=$(grep -c '^ERROR:' <<<"$out" || true)
    LOGGED[$1]=$(grep -cE '^logged ' <<<"$out" || true)
}
declare -A ERRS LOGGED
for s in old_pred old_log; do check_session $s "$before"; done
for s in new_pred new_log; do check_session $s "$after"; done
# Each row a record_interaction() returned is in the table.
for s in old_log new_log; do
    expect_eq "$(q $DB "SELECT count(*) FROM ai_training_data WHERE user_message LIKE 'live $s %'")" "${LOGGED[$s]}" \
        "every row $s logged is kept (${LOGGED[$s]} of $((2 * LOOPS)), ${ERRS[$s]} refused)"
done
expect_eq "${ERRS[new_pred]} ${ERRS[new_log]}" "0 0" "the sessions of the 0.3.2 library never failed"
expect_eq "$(q $DB "$intent_sql"; q $DB "$shops_sql")" "$after" "after the update, the models answer as 0.3.2's library did before it"

# The old sessions after the update: predict_intent() answers as before;
# each other call works or fails with 42883 (what 0.3.1's library looks up
# is gone or renamed in 0.3.2's SQL).
expect_eq "$(session_run old_pred "$intent_sql")" "$(grep '^intent|' <<<"$before")" "after the update, an old session's predict_intent() answers as before"
expect_eq "$(session_run old_log "SELECT 'correct ' || (submit_intent_correction((SELECT id FROM ai_training_data WHERE user_message = 'live old_log after 1'), 'shipping_info') IS NOT NULL);")" \
    "correct true" "after the update, an old session corrects a row"
for stmt in \
            "SELECT 'train ' || (train_classifier('shops') ->> 'status');" \
            "SELECT 'retrain ' || (retrain_classifiers() IS NOT NULL);" \
            "SELECT 'retrain_if_needed ' || (retrain_if_needed() IS NOT NULL);"; do
    out=$(session_run old_log "$stmt" 2>&1)
    if grep -q '^ERROR:' <<<"$out"; then
        grep -qE '^ERROR:  42883: ' <<<"$out" || { echo "FAILED: $stmt: $out" >&2; exit 1; }
        echo "ok: old session: ${stmt:7:30}...: $(grep -oE '^ERROR:  [0-9A-Z]{5}: .{0,100}' <<<"$out")"
    else
        echo "ok: old session: $out"
    fi
done
# A model 0.3.2 trains (format 3 or later) and deploys: an old session
# sees the deployment (the invalidation reaches every backend) and its
# library refuses the model's format (XX001, naming the format), rather
# than serve the model it had cached.
expect_eq "$(q $DB "SELECT train_intent_model('after live', 'full', '{\"seed\": 2, \"deploy\": \"always\"}') ->> 'status'")" completed \
    "0.3.2 trains and deploys a model of intent"
new_model=$(q $DB "SELECT id FROM ai_intent_models WHERE classifier = 'intent' AND is_active")
expect_eq "$(session_run new_pred "SELECT (predict_intent('hola')).model_id;")" "$new_model" "a session of 0.3.2's library serves it"
out=$(session_run old_pred "SELECT (predict_intent('hola')).model_id;")
expect_eq "$(grep -oE '^ERROR:  [0-9A-Z]{5}' <<<"$out" | cut -c9-) $(grep -c 'The model has format version [3-9] but this build reads versions 1 and 2' <<<"$out")" "XX001 1" \
    "an old session refuses it (its format), and serves no model it had cached"
for s in old_pred old_log old_train new_pred new_log holder; do session_close $s; done

# No backend crashed.
log=$PGI_DIR/log/server.log
expect_eq "$(grep -cE 'terminated by signal|PANIC|server process .* was terminated' "$log" || true)" 0 "no backend crashed (server log)"
# The next retraining works, from a new session.
expect_eq "$(q $DB "SELECT train_intent_model('after live 2', 'full', '{\"seed\": 1}') ->> 'status'")" completed "the next training of intent works"
expect_eq "$(q $DB "SELECT train_classifier('shops') ->> 'status'")" completed "the next training of shops works"
expect_eq "$(q $DB "SELECT jsonb_typeof(retrain_classifiers())")" object "retrain_classifiers() works"
drop_db $DB
stop_own_clusters

# 5. Preloaded (shared_preload_libraries): every backend is forked from the
#    postmaster with the library it loaded at start, so new connections
#    too keep 0.3.1's library until the server restarts, and the update is
#    refused until then. After the restart, the update while a training of
#    0.3.2's library (on 0.3.1's SQL) is held mid-run: it waits, the
#    training goes on when released, and neither is left hanging.
PGI_SOURCE=$V031_SRC PGI_PRELOAD=pg_intent start_own_cluster preloaded
psql -X -q -d postgres -c "CREATE DATABASE $DB"
psql -X -q -v ON_ERROR_STOP=1 -d $DB <<'SQL' >/dev/null
CREATE EXTENSION pg_intent VERSION '0.3.1';
CREATE TABLE demo_rows (split text, text text, intent text);
\copy demo_rows FROM 'data/ecommerce_es.csv' WITH (FORMAT csv, HEADER true)
CREATE TABLE shop_rows AS SELECT text AS prompt, intent AS route FROM demo_rows WHERE split = 'train';
SELECT create_classifier('shop', 'shop_rows', 'prompt', 'route', '{"seed": 4}');
SELECT train_classifier('shop');
CREATE FUNCTION public.live_gate() RETURNS boolean LANGUAGE sql VOLATILE
    AS $$ SELECT pg_advisory_lock_shared(4242) IS NOT NULL AND pg_advisory_unlock_shared(4242) $$;
CREATE VIEW slow_rows AS SELECT prompt, route FROM shop_rows WHERE public.live_gate();
SELECT create_classifier('slow', 'slow_rows', 'prompt', 'route', '{"seed": 5}');
SQL
label_sql="SELECT (predict_label('shop', 'cuando entregan mi paquete?')).label"
label=$(q $DB "$label_sql")
session_open pre_old $DB
old_inode=$(lib_of "$(session_pid pre_old)")
PGI_SOURCE='' scripts/pg-cluster.sh install
session_open pre_new $DB
expect_eq "$(lib_of "$(session_pid pre_new)")" "$old_inode" "preloaded: a new connection after the package upgrade maps 0.3.1's library"
session_close pre_old
session_close pre_new
# The update needs 0.3.2's library in the session that runs it; before,
# it failed half-way with 42883 "could not find function ... in file".
update_refused "$(psql -X -q -v VERBOSITY=verbose -d $DB -c "ALTER EXTENSION pg_intent UPDATE" 2>&1 || true)" \
    "preloaded: before the restart"
expect_eq "$(q $DB "$label_sql")" "$label" "and the classifier still answers"
as_owner pg_ctl -D "$PGI_DIR/data" -m fast -w restart >/dev/null
session_open pre_holder $DB
session_run pre_holder "SELECT pg_advisory_lock(4242);" >/dev/null
session_open pre_trainer $DB
session_send pre_trainer '\set VERBOSITY verbose'
pre_trainer_pid=$(session_pid pre_trainer)
session_send pre_trainer "SELECT 'slow: ' || (train_classifier('slow') ->> 'status');"
wait_until_waiting_on_lock $DB "$pre_trainer_pid"
session_open pre_upd $DB
session_send pre_upd '\set VERBOSITY verbose'
upd_pid=$(session_pid pre_upd)
session_send pre_upd "SET lock_timeout = '600s'; ALTER EXTENSION pg_intent UPDATE;"
wait_until_waiting_on_lock $DB "$upd_pid"
session_run pre_holder "SELECT pg_advisory_unlock(4242);" >/dev/null
train_out=$(session_wait pre_trainer)
upd_out=$(session_wait pre_upd)
expect_eq "$train_out" "slow: completed" "preloaded, after the restart: a training held mid-run while the update waits for it completes"
expect_eq "$(grep -c '^ERROR:' <<<"$upd_out" || true) $(q $DB "SELECT extversion FROM pg_extension WHERE extname = 'pg_intent'")" "0 0.3.2" \
    "and the update then runs (no deadlock)"
for s in pre_holder pre_trainer pre_upd; do session_close $s; done
expect_eq "$(q $DB "$label_sql")" "$label" "preloaded: after the restart, the update runs and the classifier answers as before"
expect_eq "$(grep -cE 'terminated by signal|PANIC' "$PGI_DIR/log/server.log" || true)" 0 "preloaded: no backend crashed (server log)"
drop_db $DB
