#!/usr/bin/env bash
# Two-phase commit, savepoints and subtransactions around every writing
# entry point, and the state of a backend they touch: the model caches and
# their invalidation, the training and retraining locks and the training
# slots, the progress slot, the attempt marks of scheduled retraining.
#
# For each entry point, in session "a":
#  1. BEGIN; a prediction; the call; a prediction; PREPARE TRANSACTION:
#     while prepared, both sessions serve the state committed before (not
#     the prepared one), ai_training_progress is empty, and a training of
#     the classifier elsewhere is refused with 55P03 naming the prepared
#     transaction (its locks went to it);
#  2. ROLLBACK PREPARED from session "b", then the same again and COMMIT
#     PREPARED from "b": afterwards both sessions (their caches loaded
#     before) and a new one serve what the committed state says, no lock or
#     slot of the extension is held, no attempt mark is left, no failure is
#     recorded;
#  3. the call inside SAVEPOINT ... ROLLBACK TO, and inside a PL/pgSQL
#     block whose error is caught: nothing of it is served afterwards in the
#     same transaction, nor left held.
# Once with pg_intent preloaded (progress in shared memory) and once
# without. The server log then holds no WARNING (a leaked resource, a lock
# or a snapshot reference) and no crash.
cd "$(dirname "$0")/../.."
source test/scripts/lib.bash

DB=pgi_two_phase
GID=0

# A fresh psql's answer, errors included (a dropped classifier's).
fresh() { PGOPTIONS="-c client_min_messages=warning" psql -X -At -q -d $DB -c "$1" 2>&1 | sed 's/^psql:[^E]*ERROR/ERROR/' || true; }

# What a backend serves: intent's model, mirror's and extra's (or the
# error's message: served(), created with the rows, keeps a transaction in
# which a classifier does not exist going).
SERVED="SELECT (predict_intent('quiero devolver el pedido')).model_id, served('mirror'), served('extra');"
served_fresh() { fresh "$SERVED"; }
served_in() { session_run "$1" "$SERVED"; }

# The extension's locks held by anyone (a prepared transaction's too), the
# progress rows, the attempt marks, the recorded failures, the prepared
# transactions.
LEFTOVERS="SELECT (SELECT count(*) FROM pg_locks l WHERE l.locktype = 'object'
                     AND (l.classid = 'pg_extension'::regclass
                          OR l.classid = (SELECT e.oid FROM pg_extension e WHERE e.extname = 'pg_intent'))),
                  (SELECT count(*) FROM ai_training_progress),
                  (SELECT last_value FROM ai_intent_retrain_attempt_seq),
                  (SELECT last_value FROM ai_classifier_retrain_attempt_seq),
                  (SELECT count(*) FROM ai_classifier_retrain_failures),
                  (SELECT count(*) FROM pg_prepared_xacts)"

# After a transaction ended: every session serves what a new backend reads
# from the committed state (which is $2, when given), and nothing is left
# held.
check_after() { # what expected
    local now
    now=$(served_fresh)
    if [ -n "${2:-}" ]; then expect_eq "$now" "$2" "$1: a new session serves the committed state"; fi
    expect_eq "$(served_in a)" "$now" "$1: the session that ran it serves the committed state"
    expect_eq "$(served_in b)" "$now" "$1: another session serves the committed state"
    expect_eq "$(fresh "$LEFTOVERS")" "0|0|0|0|0|0" \
        "$1: no lock, slot, progress row, attempt mark, failure or prepared transaction is left"
    # A training can start at once, in another session: its locks and the
    # policy's one slot are free.
    expect_eq "$(fresh "BEGIN; SELECT 'locked' FROM (SELECT intent_internal._pg_intent_lock_training('intent', 1),
                               intent_internal._pg_intent_lock_training('mirror', 1)) AS l; ROLLBACK")" \
        locked "$1: another session takes intent's and mirror's training locks and the one slot"
    expect_eq "$(session_run a "SELECT 'alive';")" alive "$1: the session is alive"
}

# 1 and 2: $2 (SQL) in a prepared transaction, ended by $3 from session b.
# $4: "changed" when the commit changes what is served. $5: the classifier
# whose training lock the prepared transaction holds.
prepared() { # what sql end(COMMIT|ROLLBACK) [changed] [trained classifier]
    local what=$1 sql=$2 ending=$3 gid before inside out xid
    gid="pgi_2pc_$((++GID))"
    before=$(served_fresh)
    served_in a >/dev/null # the caches of session a hold the committed state
    out=$(session_run a "BEGIN; $sql")
    if grep -q '^ERROR' <<<"$out"; then
        echo "FAILED: $what: $out" >&2
        exit 1
    fi
    inside=$(served_in a)
    if [ "${4:-}" = changed ] && [ "$inside" = "$before" ]; then
        echo "FAILED: $what: inside its transaction, its session serves what it served before: $inside" >&2
        exit 1
    fi
    out=$(session_run a "PREPARE TRANSACTION '$gid'; SELECT 'prepared';")
    expect_eq "$out" prepared "$what: PREPARE TRANSACTION succeeds"
    # Prepared: nobody serves the prepared state, not even the session that
    # prepared it (its caches loaded it inside the transaction).
    expect_eq "$(served_in a)" "$before" "$what, prepared: its session serves the committed state"
    expect_eq "$(served_in b)" "$before" "$what, prepared: another session serves the committed state"
    expect_eq "$(fresh "SELECT count(*) FROM ai_training_progress")" 0 "$what, prepared: no training in progress"
    if [ -n "${5:-}" ]; then
        # Its training lock stays with the prepared transaction; a training
        # elsewhere is refused naming it, not the backend that prepared it
        # (idle, and cancelling it would change nothing).
        xid=$(fresh "SELECT transaction FROM pg_prepared_xacts WHERE gid = '$gid'")
        out=$(session_run b "SELECT intent_internal._pg_intent_lock_training('$5', 4);")
        expect_eq "$(head -1 <<<"$out")" \
            "ERROR:  classifier \"$5\" is locked by prepared transaction $xid, which trained it" \
            "$what, prepared: another training of $5 is refused naming the prepared transaction"
        out=$(session_run b "SELECT intent_internal._pg_intent_lock_training('$5 too', 1);")
        expect_eq "$(head -1 <<<"$out")" \
            "ERROR:  too many trainings in progress: all 1 training slots are taken (prepared transactions $xid)" \
            "$what, prepared: its training slot is named as the prepared transaction's"
    fi
    session_run b "$ending PREPARED '$gid';" >/dev/null
    if [ "$ending" = ROLLBACK ]; then
        check_after "$what, rolled back" "$before"
    else
        check_after "$what, committed"
        [ "${4:-}" != changed ] || [ "$(served_fresh)" != "$before" ] ||
            { echo "FAILED: $what: the committed transaction changed nothing served" >&2; exit 1; }
    fi
}

# 3: $2 (SELECTs) inside SAVEPOINT ... ROLLBACK TO, then (as PERFORMs)
# inside a block whose error is caught, each in a transaction that then
# commits; a prediction after the call loads what it changed ($3
# "changed": something served) into the session's caches first.
undone() { # what sql [changed]
    local what=$1 sql=$2 before out
    before=$(served_fresh)
    session_run a "BEGIN;" >/dev/null
    served_in a >/dev/null
    out=$(session_run a "SAVEPOINT s; $sql;")
    grep -q '^ERROR' <<<"$out" && { echo "FAILED: $what: $out" >&2; exit 1; }
    if [ "${3:-}" = changed ] && [ "$(served_in a)" = "$before" ]; then
        echo "FAILED: $what: inside its savepoint, its session serves what it served before" >&2
        exit 1
    fi
    expect_eq "$(session_run a "ROLLBACK TO SAVEPOINT s; SELECT 'back';")" back "$what: rolled back to the savepoint"
    expect_eq "$(served_in a)" "$before" "$what, rolled back to a savepoint: its session serves what was before"
    expect_eq "$(session_run a "COMMIT; SELECT 'committed';")" committed "$what, rolled back to a savepoint: the transaction commits"
    check_after "$what, rolled back to a savepoint" "$before"
    session_run a "BEGIN;" >/dev/null
    served_in a >/dev/null
    expect_eq "$(session_run a "DO \$do\$ BEGIN
        ${sql//SELECT /PERFORM };
        PERFORM predict_intent('quiero devolver el pedido'), served('mirror'), served('extra');
        RAISE EXCEPTION 'undo it' USING ERRCODE = 'P0099';
      EXCEPTION WHEN SQLSTATE 'P0099' THEN NULL;
      END \$do\$; SELECT 'caught';")" caught "$what, in a block whose error is caught: no error reaches the client"
    expect_eq "$(served_in a)" "$before" "$what, in a block whose error is caught: its session serves what was before"
    expect_eq "$(session_run a "COMMIT; SELECT 'committed';")" committed "$what, in a block whose error is caught: the transaction commits"
    check_after "$what, in a block whose error is caught" "$before"
}

run_cluster() { # name preload
    PGI_PRELOAD=$2 PGI_CONF="max_prepared_transactions = 10" start_own_cluster "$1"
    GID=0
    fresh_db $DB
    load_ecommerce $DB
    create_mirror_classifier $DB '{"key_column": "id", "time_column": "created_at"}'
    psql -X -q -v ON_ERROR_STOP=1 -d $DB <<'SQL' >/dev/null
SET client_min_messages = warning;
SELECT train_intent_model('first'), train_classifier('mirror', 'first');
SELECT train_intent_model('second', 'full', '{"deploy": "always"}'),
       train_classifier('mirror', 'second', '{"deploy": "always"}');
-- The oldest model of a classifier that is not active.
CREATE FUNCTION first_inactive(p_name text) RETURNS bigint LANGUAGE sql AS $f$
    SELECT min(m.id) FROM ai_intent_models AS m JOIN ai_classifiers AS c ON c.id = m.classifier_id
     WHERE c.name = p_name AND NOT m.is_active
$f$;
-- Raises unless p_ok: a call did what the test wants it to.
CREATE FUNCTION must(p_ok boolean, p_what text) RETURNS text LANGUAGE plpgsql AS $f$
BEGIN
    IF p_ok IS NOT TRUE THEN RAISE EXCEPTION 'not %', p_what; END IF;
    RETURN p_what;
END
$f$;
CREATE FUNCTION served(p_name text) RETURNS text LANGUAGE plpgsql AS $f$
BEGIN
    RETURN (predict_label(p_name, 'quiero devolver el pedido')).model_id;
EXCEPTION WHEN OTHERS THEN
    RETURN SQLERRM;
END
$f$;
SQL
    session_open a $DB
    session_open b $DB
    served_in b >/dev/null

    local s
    for s in ROLLBACK COMMIT; do
        prepared "train_intent_model() ($s)" \
            "SELECT train_intent_model('2pc', 'full', '{\"deploy\": \"always\"}') ->> 'deployed';" $s changed intent
        prepared "train_classifier() ($s)" \
            "SELECT train_classifier('mirror', '2pc', '{\"deploy\": \"always\"}') ->> 'deployed';" $s changed mirror
        prepared "rollback_intent_model() and rollback_classifier() ($s)" \
            "SELECT rollback_intent_model() IS NOT NULL, rollback_classifier('mirror') IS NOT NULL;" $s changed
        prepared "deploy_intent_model() and deploy_classifier_model() ($s)" \
            "SELECT deploy_intent_model(first_inactive('intent')) IS NOT NULL,
                    deploy_classifier_model('mirror', first_inactive('mirror')) IS NOT NULL;" $s changed
        prepared "create_classifier() and its first training ($s)" \
            "SELECT create_classifier('extra', 'mirror_rows', 'body', 'label') IS NOT NULL;
             SELECT train_classifier('extra', '2pc') ->> 'deployed';" $s changed extra
    done
    for s in ROLLBACK COMMIT; do
        prepared "alter_classifier() ($s)" \
            "SELECT alter_classifier('extra', '{\"min_samples_for_training\": 20}') IS NOT NULL;" $s
    done
    for s in ROLLBACK COMMIT; do
        prepared "drop_classifier() ($s)" "SELECT drop_classifier('extra', true) IS NOT NULL;" $s changed
    done
    for s in ROLLBACK COMMIT; do
        prepared "record_interaction() and submit_intent_correction() ($s)" \
            "SELECT submit_intent_correction(record_interaction('quiero devolver el pedido ya', 'greeting', 90),
                                             'refund') IS NOT NULL;" $s
    done
    # Scheduled retraining, due for both: 100 new rows.
    psql -X -q -d $DB -c "SELECT record_interaction('hola de nuevo ' || n, 'greeting', 90) FROM generate_series(1, 100) AS n" >/dev/null
    for s in ROLLBACK COMMIT; do
        prepared "retrain_if_needed() ($s)" "SELECT must(retrain_if_needed() ->> 'retrained' = 'true', 'retrained');" $s
        prepared "retrain_classifiers() ($s)" \
            "SELECT must(bool_and(e ->> 'retrained' = 'true'), 'retrained')
               FROM jsonb_array_elements(retrain_classifiers() -> 'classifiers') AS e;" $s
    done

    undone "train_intent_model()" "SELECT train_intent_model('sp', 'full', '{\"deploy\": \"always\"}')" changed
    undone "train_classifier()" "SELECT train_classifier('mirror', 'sp', '{\"deploy\": \"always\"}')" changed
    undone "rollback_intent_model()" "SELECT rollback_intent_model()" changed
    undone "rollback_classifier()" "SELECT rollback_classifier('mirror')" changed
    undone "create_classifier() and its first training" \
        "SELECT create_classifier('extra', 'mirror_rows', 'body', 'label'); SELECT train_classifier('extra', 'sp')" changed
    undone "drop_classifier()" "SELECT drop_classifier('mirror', true)" changed
    undone "record_interaction()" "SELECT record_interaction('hola otra vez', 'greeting', 90)"
    psql -X -q -d $DB -c "SELECT record_interaction('hola de nuevo y otra ' || n, 'greeting', 90) FROM generate_series(1, 100) AS n" >/dev/null
    undone "retrain_if_needed()" "SELECT must(retrain_if_needed() ->> 'retrained' = 'true', 'retrained')"
    undone "retrain_classifiers()" \
        "SELECT must(bool_and(e ->> 'retrained' = 'true'), 'retrained') FROM jsonb_array_elements(retrain_classifiers() -> 'classifiers') AS e"

    # A call whose own error is caught (a training refused: session b holds
    # the classifier's training lock) leaves nothing held either.
    session_run b "BEGIN; SELECT intent_internal._pg_intent_lock_training('intent', 1);" >/dev/null
    expect_eq "$(session_run a "DO \$do\$ BEGIN
        PERFORM train_intent_model('refused');
      EXCEPTION WHEN lock_not_available THEN RAISE WARNING 'caught %', SQLSTATE;
      END \$do\$;" | sed 's/WARNING: *//')" "caught 55P03" "a refused training's error is caught"
    session_run b "ROLLBACK;" >/dev/null
    check_after "a refused training caught in a block"

    # The next scheduled calls see no interrupted attempt.
    expect_eq "$(fresh "SELECT coalesce(retrain_if_needed() ->> 'reason', '') NOT LIKE '%backing off%',
                               (SELECT count(*) FROM ai_classifier_retrain_failures)")" "t|0" \
        "the next retrain_if_needed() sees no interrupted attempt"
    expect_eq "$(fresh "SELECT bool_and(NOT e ? 'failed_at') FROM jsonb_array_elements(retrain_classifiers() -> 'classifiers') AS e")" t \
        "the next retrain_classifiers() sees no interrupted attempt"
    session_close a
    session_close b
    rm -f "$TEST_TMP"/session.[ab].*
    local log=$PGI_DIR/log/server.log
    if grep -E "WARNING|PANIC|FATAL|terminated by signal|cannot PREPARE|leak" "$log" | grep -v "caught 55P03"; then
        echo "FAILED: the server log of the $1 cluster has the lines above" >&2
        exit 1
    fi
    echo "ok: the server log of the $1 cluster has no warning"
    stop_own_clusters
}

run_cluster preloaded pg_intent
run_cluster plain ''
