#!/usr/bin/env bash
# An error raised while a model row is read reaches the caller whole, and
# the session goes on. The rows are read with a scratch memory context
# current (model_cache.cpp), deleted when the error unwinds its owner; the
# guard copies a caught error into the context current when it was entered
# (guard.cpp), which lives until the error is raised. (Before 0.3.2 the copy
# was made in the scratch context and read after it was deleted: in a
# release build the freed memory was not yet reused, so the messages below
# came out whole; a build that clobbers freed memory would have read
# garbage.) The error: a lock timeout behind an ACCESS EXCLUSIVE lock on
# ai_intent_models, for every way in to a model: predict_intent() and
# explain_intent() with nothing cached wait inside the scratch read; by id,
# the visibility query waits first; predict_label(), the active index.
cd "$(dirname "$0")/../.."
source test/scripts/lib.bash
DB=pgi_read_errors
fresh_db $DB
load_ecommerce $DB
first=$(q $DB "SELECT (train_intent_model('first', 'full', '{\"seed\": 1}') ->> 'model_id')")
second=$(q $DB "SELECT (train_intent_model('second', 'full', '{\"seed\": 2, \"deploy\": \"never\"}') ->> 'model_id')")
q $DB "SELECT create_classifier('routes', 'ai_training_data', 'user_message', 'detected_intent', '{\"seed\": 1}') ->> 'name'" >/dev/null
q $DB "SELECT train_classifier('routes', 'routes') ->> 'status'" >/dev/null

session_open L $DB
session_run L "BEGIN; LOCK TABLE ai_intent_models IN ACCESS EXCLUSIVE MODE;" >/dev/null

# Where the error lives when the guard raises it, seen with gdb in the
# backend: at ReThrowError(), the memory context of the error's chunk must
# still have a parent (MemoryContextDelete() unlinks a deleted context from
# its parent). On the code before, the copy was in "pg_intent model row",
# parent (nil). PostgreSQL 15's chunk header holds its context's pointer in
# the 8 bytes before the chunk, and a context's parent and name sit 24 and
# 56 bytes into it (this tree's scripts run on the system's 15).
if [ "$(q $DB "SHOW server_version_num")" -lt 160000 ]; then
    session_open G $DB
    gpid=$(session_pid G)
    cat >"$TEST_TMP/gdb.cmds" <<'GDB'
set pagination off
handle SIGALRM nostop noprint pass
handle SIGINT nostop noprint pass
handle SIGUSR1 nostop noprint pass
break CopyErrorData
break ReThrowError
echo breakpoints set\n
continue
printf "copied in \"%s\"\n", *(char **)((char *)CurrentMemoryContext + 56)
continue
set $ctx = *(char **)((char *)$rdi - 8)
printf "raised from \"%s\", parent %p\n", *(char **)($ctx + 56), *(void **)($ctx + 24)
detach
GDB
    gdb_attach "$gpid"
    out=$(session_run G "SET lock_timeout = '200ms';
SELECT predicted_intent FROM predict_intent('quiero devolver el pedido');")
    wait "$GDB_PID" || true
    expect_eq "$(head -n 1 <<<"$out")" "ERROR:  canceling statement due to lock timeout" "the error, with gdb attached"
    raised=$(grep -a '^raised from ' "$TEST_TMP/gdb.out" || true)
    echo "gdb: $(grep -a '^copied in ' "$TEST_TMP/gdb.out" || true); $raised"
    [ -n "$raised" ] && ! grep -q 'parent (nil)$\|parent 0x0$' <<<"$raised" ||
        { echo "FAILED: the error was raised from a deleted memory context" >&2; cat "$TEST_TMP/gdb.out" >&2; exit 1; }
    echo "ok: the error the guard raises lives in a context that is still alive"
    session_close G
fi
# A new session (nothing cached), one statement per way in; then the same
# statements once the lock is gone, in the same session.
session_open R $DB
session_run R "\\set VERBOSITY default
SET lock_timeout = '200ms';" >/dev/null
statements=(
    "SELECT predicted_intent FROM predict_intent('quiero devolver el pedido');"
    "SELECT predicted_intent FROM predict_intent('quiero devolver el pedido', $second);"
    "SELECT label FROM predict_label('routes', 'quiero devolver el pedido');"
    "SELECT (explain_intent('quiero devolver el pedido') ->> 'predicted_intent') IS NOT NULL;"
)
for sql in "${statements[@]}"; do
    out=$(session_run R "$sql")
    # The error first, whole (a query's error adds its LINE and QUERY).
    expect_eq "$(head -n 1 <<<"$out")" "ERROR:  canceling statement due to lock timeout" "locked: $sql"
    ! grep -q 'server closed\|connection\|PANIC\|FATAL' <<<"$out" ||
        { echo "FAILED: the backend was lost: $out" >&2; exit 1; }
done
session_run L "ROLLBACK;" >/dev/null
session_close L
expect_eq "$(session_run R "${statements[0]}")" "return_process" "unlocked: predict_intent()"
expect_eq "$(session_run R "${statements[1]}")" "return_process" "unlocked: predict_intent() by id"
expect_eq "$(session_run R "${statements[2]}")" "return_process" "unlocked: predict_label()"
expect_eq "$(session_run R "${statements[3]}")" "t" "unlocked: explain_intent()"
session_close R
drop_db $DB
