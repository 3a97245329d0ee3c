#!/usr/bin/env bash
# Security issue item 19: a C++ exception can never cross pg_call()'s setjmp
# frame, by construction. 0.1.0's pg_call() was a bare PG_TRY around any
# callable: a throw inside it left PG_exception_stack pointing at a dead
# frame. Now pg_call() only compiles with a noexcept callable (checked here
# by compiling both kinds against the real headers), and the error stack is
# restored by a destructor on every path.
cd "$(dirname "$0")/../.."
source test/scripts/lib.bash
PG_CONFIG=${PGI_SYSTEM_PG_CONFIG:-$(command -v pg_config)}
compile() { # file
    g++ -std=c++17 -fsyntax-only -isystem "$("$PG_CONFIG" --includedir-server)" -isystem /usr/include/eigen3 \
        -Isrc/pg -Isrc/core "$1"
}
cat >"$TEST_TMP/throwing.cpp" <<'CPP'
#include "guard.h"
void f() { pg_intent::pg_call([&] { throw 1; }); }
CPP
cat >"$TEST_TMP/noexcept.cpp" <<'CPP'
#include "guard.h"
void f() { pg_intent::pg_call([&]() noexcept { CHECK_FOR_INTERRUPTS(); }); }
CPP
if compile "$TEST_TMP/throwing.cpp" 2>"$TEST_TMP/err"; then
    echo "FAILED: pg_call() accepted a callable that may throw" >&2
    exit 1
fi
grep -q 'pg_call() takes a noexcept callable' "$TEST_TMP/err" ||
    { cat "$TEST_TMP/err" >&2; echo "FAILED: refused, but not by pg_call()'s check" >&2; exit 1; }
echo "ok: pg_call() refuses a callable that may throw, at compile time"
compile "$TEST_TMP/noexcept.cpp" || { echo "FAILED: pg_call() refused a noexcept callable" >&2; exit 1; }
echo "ok: pg_call() takes a noexcept callable"
grep -q 'ErrorStackGuard saved;' src/pg/guard.cpp && ! grep -q 'PG_TRY' src/pg/guard.h ||
    { echo "FAILED: the error stack is not restored by a guard object" >&2; exit 1; }
echo "ok: the error stack is saved and restored by a guard object"
# The guard checks that a call left both stacks as it found them, and copies
# a caught error under a frame of its own (CopyErrorData() may itself fail).
grep -q 'PG_exception_stack == &local && saved.context_unchanged()' src/pg/guard.cpp &&
    [ "$(grep -c 'CopyErrorData();' src/pg/guard.cpp)" = 1 ] && grep -q 'copy = CopyErrorData();' src/pg/guard.cpp ||
    { echo "FAILED: the guard does not check the error stack on exit, or copies errors unguarded" >&2; exit 1; }
echo "ok: the guard checks the error stack on exit and copies errors under its own frame"
# No ERROR is caught and carried on from without a subtransaction: nothing
# outside the guard flushes or frees a caught error (text_io.cpp did, after
# a failed conversion), except code that rolls a subtransaction back first,
# as PL/pgSQL's exception blocks do: subtransaction.h's
# in_subtransaction_in_pg() (retrain_classifiers.cpp: each classifier in its
# own; train_classifier.cpp: the count of the source), or code that raises
# the error again at once (spi.cpp: rethrow_hiding_statement_in_pg(), which
# takes a statement out of it).
grep -q 'RollbackAndReleaseCurrentSubTransaction' src/pg/subtransaction.h ||
    { echo "FAILED: in_subtransaction_in_pg() does not roll its subtransaction back" >&2; exit 1; }
for f in $(grep -l 'FreeErrorData\|FlushErrorState' src/pg/*.cpp | grep -v '^src/pg/guard.cpp'); do
    grep -q 'RollbackAndReleaseCurrentSubTransaction\|in_subtransaction_in_pg' "$f" ||
        { ! grep -q 'FreeErrorData' "$f" && [ "$(grep -c 'FlushErrorState' "$f")" = 1 ] &&
          grep -A3 'FlushErrorState' "$f" | grep -q 'ReThrowError'; } ||
        { echo "FAILED: a PostgreSQL error is caught and carried on from without a subtransaction ($f)" >&2; exit 1; }
done
echo "ok: no PostgreSQL error is caught and carried on from outside the guard, but after a subtransaction's rollback"

# Every PostgreSQL call that may raise an error runs inside pg_call() (or in
# a noexcept helper, itself only called inside pg_call()): a longjmp from
# anywhere else skips the destructors of the C++ objects alive in the frames
# it crosses (a failed palloc while building a training run's result arrays
# left the whole trained model, report and row results allocated for the
# backend's lifetime). A static scan of src/pg: the calls listed below,
# outside a `pg_call([...]() noexcept { ... })` body or a noexcept
# function's body, fail the test. (guard.cpp, which implements the guard, is
# left out.)
python3 - <<'PY' || exit 1
import glob, re, sys
calls = re.compile(
    r'\b(palloc0?|repalloc|pstrdup|pnstrdup|psprintf|cstring_to_text\w*|text_to_cstring'
    r'|PG_GETARG_\w+_PP?|DatumGet\w+PP|DatumGet\w+PCopy|DatumGetJsonbP|pg_detoast\w*|toast_\w+'
    r'|SPI_\w+|heap_form_tuple|heap_getnext|heap_deform_tuple|table_open|table_close|table_beginscan'
    r'|table_endscan|systable_\w+|elog|ereport|get_func_namespace|get_namespace_name|get_rel_name'
    r'|SearchSysCache\w*|CHECK_FOR_INTERRUPTS|DirectFunctionCall\d|construct_\w*array|deconstruct_array'
    r'|AllocSetContextCreate|MemoryContextReset|RegisterSnapshot|UnregisterSnapshot|pg_server_to_any'
    r'|pg_any_to_server|pg_mbcliplen|InitMaterializedSRF|tuplestore_\w+|CStringGetTextDatum|BlessTupleDesc'
    r'|get_call_result_type|LookupFuncName|format_type_be|quote_identifier|getBaseType|GetUserNameFromId'
    r'|get_typlenbyvalalign|AcceptInvalidationMessages|CacheInvalidate\w+|pg_class_aclcheck'
    r'|pg_attribute_aclcheck|pg_proc_aclcheck|fmgr_info|FunctionCallInvoke|set_config_option'
    r'|LockDatabaseObject|ConditionalLockDatabaseObject)\s*\(')

def body_end(src, i):  # i: just after an opening brace
    depth = 1
    while depth:
        depth += {'{': 1, '}': -1}.get(src[i], 0)
        i += 1
    return i

sources = {f: open(f).read() for f in sorted(glob.glob('src/pg/*.cpp')) if not f.endswith('guard.cpp')}
helpers = set()
for src in sources.values():  # named functions declared noexcept: their callers must guard them
    helpers |= set(re.findall(r'\b(\w+)\([^;{}()]*\)\s*noexcept\s*\{', src))
helper_calls = re.compile(r'\b(' + '|'.join(sorted(helpers)) + r')\s*\(') if helpers else None
bad = []
for f, src in sources.items():
    guarded = []
    for m in re.finditer(r'pg_(?:call|release)\(\s*(?:\w+\s*,\s*)?\[[^\]]*\]\s*\(\s*\)\s*noexcept\s*\{', src):
        guarded.append((m.start(), body_end(src, m.end())))
    for m in re.finditer(r'\b\w+\([^;{}()]*\)\s*noexcept\s*\{', src):
        guarded.append((m.start(), body_end(src, m.end())))
    # SpiConnection::for_each_row_read_only() runs its callable inside pg_call() (spi.h).
    for m in re.finditer(r'for_each_row_read_only\([^;{}]*?\[[^\]]*\]\s*\([^)]*\)\s*noexcept\s*\{', src):
        guarded.append((m.start(), body_end(src, m.end())))
    # read_in_batches() runs its noexcept row reader inside pg_call() (classifier_source.cpp).
    for m in re.finditer(r'read_in_batches<\w+>\([^;{}]*?\[[^\]]*\]\s*\([^)]*\)\s*noexcept\s*\{', src):
        guarded.append((m.start(), body_end(src, m.end())))
    code = re.sub(r'//[^\n]*', lambda c: ' ' * len(c.group(0)), src)  # comments blanked, offsets kept
    for pattern in filter(None, [calls, helper_calls]):
        for m in pattern.finditer(code):
            if any(a <= m.start() < b for a, b in guarded):
                continue
            line = code.count('\n', 0, m.start()) + 1
            if helper_calls is pattern and re.match(r'\s*(Oid|AttrNumber|bool|void|int)\s', src.splitlines()[line - 1]) \
                    and 'noexcept' in src.splitlines()[line - 1]:
                continue  # the helper's own definition
            bad.append(f"{f}:{line}: {src.splitlines()[line - 1].strip()}")
if bad:
    print("FAILED: PostgreSQL calls outside pg_call():", *bad, sep="\n  ", file=sys.stderr)
    sys.exit(1)
PY
echo "ok: every PostgreSQL call that may raise an error in src/pg runs inside pg_call()"

# The converse: nothing inside a pg_call() body allocates through C++. Its
# callable is noexcept, so a std::bad_alloc there (a string of the caller's
# query, or of a detoasted value, copied where the memory ran out) would not
# become an error: it would call std::terminate() and take the postmaster's
# other backends down with it. Copy after pg_call() returns instead.
python3 - <<'PY' || exit 1
import glob, re, sys
alloc = re.compile(r'\.(assign|append|push_back|emplace_back|emplace|resize|reserve|insert)\s*\('
                   r'|\bstd::(string|vector|to_string|make_shared|make_unique)\b|\bnew\s+\w')
bad = []
for f in sorted(glob.glob('src/pg/*.cpp')):
    src = open(f).read()
    # comments and string literals blanked, offsets kept
    code = re.sub(r'//[^\n]*|"(?:\\.|[^"\\\n])*"', lambda c: ' ' * len(c.group(0)), src)
    # and read_in_batches()'s row reader, which runs inside its pg_call() (classifier_source.cpp)
    for m in re.finditer(r'pg_(?:call|release)\(\s*(?:\w+\s*,\s*)?\[[^\]]*\]\s*\(\s*\)\s*noexcept\s*\{'
                         r'|read_in_batches<\w+>\([^;{}]*?\[[^\]]*\]\s*\([^)]*\)\s*noexcept\s*\{', code):
        depth, i = 1, m.end()
        while depth:
            depth += {'{': 1, '}': -1}.get(code[i], 0)
            i += 1
        for a in alloc.finditer(code, m.end(), i):
            line = code.count('\n', 0, a.start()) + 1
            bad.append(f"{f}:{line}: {src.splitlines()[line - 1].strip()}")
if bad:
    print("FAILED: C++ allocation inside a pg_call() body:", *bad, sep="\n  ", file=sys.stderr)
    sys.exit(1)
PY
echo "ok: no pg_call() body in src/pg allocates through C++"

# A backend has ten relcache callback slots (MAX_RELCACHE_CALLBACKS), and one
# too many is FATAL for it: a Citus walsender ran out when pg_intent took
# three. The library registers one and fans it out (src/pg/module.cpp).
n=$(grep -rhoE '\bCacheRegisterRelcacheCallback\s*\(' src/pg --include='*.cpp' | wc -l)
[ "$n" -eq 1 ] || { echo "FAILED: src/pg registers $n relcache callbacks; one (module.cpp) serves every cache" >&2; exit 1; }
echo "ok: the library takes one relcache callback slot"

# SPI through spi.h only (issue 33, point 4): its types end what they begin
# (a connection, a cursor) on every path and read rows through SpiRow, so a
# raw SPI_ call elsewhere is a second way in. Comments do not count.
bad=$(grep -nE '\bSPI_[a-z_]+\s*\(' src/pg/*.cpp src/pg/*.h | grep -vE '^src/pg/spi\.(h|cpp):' |
    awk -F: '{ code = substr($0, length($1) + length($2) + 3); sub(/\/\/.*/, "", code)
               if (code ~ /SPI_[a-z_]+[ \t]*\(/) print }' || true)
[ -z "$bad" ] || { echo "FAILED: SPI called outside spi.h/spi.cpp:" >&2; echo "$bad" >&2; exit 1; }
echo "ok: SPI is called through spi.h only"
