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
