#!/usr/bin/env bash
# Every test, from a fresh Debian machine (as root it installs what is
# missing through apt):
#   1. the core's unit tests (ctest), in a release build with -Werror and in
#      an AddressSanitizer + UndefinedBehaviorSanitizer build;
#   2. the model-loader fuzzer (libFuzzer, clang) for a bounded time;
#   3. the extension: built with -Werror, installed, then pg_regress, pgTAP
#      and the scripted multi-session tests against a throwaway cluster with
#      pg_cron preloaded. The cluster is always stopped at the end.
# Ends with one line "tests: N passed, M failed" counting test cases.
#
# Settings: PGI_PORT (54340), FUZZ_SECONDS (30), SKIP_SANITIZE=1, SKIP_FUZZ=1.
set -uo pipefail
cd "$(dirname "$0")/.."
ROOT=$(pwd)
export PGI_PORT=${PGI_PORT:-54340}
FUZZ_SECONDS=${FUZZ_SECONDS:-30}
JOBS=${JOBS:-2}

passed=0
failed=0
failures=()

note() { printf '\n==> %s\n' "$*"; }
fail_stage() {
    failed=$((failed + ${2:-1}))
    failures+=("$1")
}

scripts/install-deps.sh || { echo "dependency installation failed" >&2; exit 1; }

# ctest output "N% tests passed, F tests failed out of T".
count_ctest() {
    local log=$1 line total bad
    line=$(grep -E 'tests passed, [0-9]+ tests failed out of [0-9]+' "$log" | tail -1)
    total=$(sed -E 's/.*out of ([0-9]+).*/\1/' <<<"$line")
    bad=$(sed -E 's/.* ([0-9]+) tests failed.*/\1/' <<<"$line")
    passed=$((passed + ${total:-0} - ${bad:-0}))
    failed=$((failed + ${bad:-0}))
}

run_core_tests() {
    local name=$1 dir=$2
    shift 2
    note "core unit tests ($name)"
    if cmake -S . -B "$dir" "$@" >"$dir.configure.log" 2>&1 &&
        cmake --build "$dir" -j"$JOBS" >"$dir.build.log" 2>&1; then
        (cd "$dir" && ctest --output-on-failure -j"$JOBS") 2>&1 | tee "$dir.ctest.log" | tail -15
        count_ctest "$dir.ctest.log"
        grep -q 'tests failed out of' "$dir.ctest.log" || fail_stage "ctest $name did not run"
        grep -qE ' 0 tests failed out of' "$dir.ctest.log" || failures+=("ctest $name")
    else
        cat "$dir.configure.log" "$dir.build.log" 2>/dev/null | tail -40
        fail_stage "core build ($name)"
    fi
}

mkdir -p build
run_core_tests release build/release -DCMAKE_BUILD_TYPE=Release -DINTENT_WERROR=ON
if [ "${SKIP_SANITIZE:-0}" != 1 ]; then
    run_core_tests asan+ubsan build/asan -DCMAKE_BUILD_TYPE=RelWithDebInfo -DINTENT_SANITIZE=ON
fi

if [ "${SKIP_FUZZ:-0}" != 1 ]; then
    note "libFuzzer on the model loader (${FUZZ_SECONDS}s)"
    if CXX=clang++ cmake -S . -B build/fuzz -DCMAKE_BUILD_TYPE=RelWithDebInfo -DINTENT_FUZZ=ON >build/fuzz.configure.log 2>&1 &&
        cmake --build build/fuzz -j"$JOBS" --target fuzz_model_load >build/fuzz.build.log 2>&1; then
        mkdir -p build/fuzz/corpus
        cp test/fuzz/corpus/* build/fuzz/corpus/ 2>/dev/null
        if build/fuzz/fuzz_model_load -max_total_time="$FUZZ_SECONDS" -rss_limit_mb=2048 -print_final_stats=1 \
            build/fuzz/corpus >build/fuzz.log 2>&1; then
            grep -E 'stat::number_of_executed_units' build/fuzz.log
            passed=$((passed + 1))
        else
            tail -40 build/fuzz.log
            fail_stage "fuzz_model_load found a crash"
        fi
    else
        tail -40 build/fuzz.configure.log build/fuzz.build.log
        fail_stage "fuzz build"
    fi
fi

note "extension build and install"
if make -s -j"$JOBS" WERROR=1 >build/pgxs.log 2>&1 && make -s install >>build/pgxs.log 2>&1; then
    :
else
    tail -40 build/pgxs.log
    fail_stage "extension build"
    printf '\ntests: %d passed, %d failed\n' "$passed" "$failed"
    exit 1
fi

trap 'scripts/pg-cluster.sh stop' EXIT
scripts/pg-cluster.sh start || { fail_stage "cluster start"; printf '\ntests: %d passed, %d failed\n' "$passed" "$failed"; exit 1; }
eval "$(scripts/pg-cluster.sh env)"

note "pg_regress"
make -s installcheck PGDATABASE=contrib_regression 2>&1 | tee build/regress.log | tail -60
regress_ok=$(grep -cE '\.\.\. ok|^ok [0-9]+ ' build/regress.log || true)
regress_bad=$(grep -cE '\.\.\. FAILED|^not ok ' build/regress.log || true)
passed=$((passed + regress_ok))
if [ "$regress_bad" -gt 0 ] || ! grep -qE 'All [0-9]+ tests passed' build/regress.log; then
    fail_stage "pg_regress" "$((regress_bad > 0 ? regress_bad : 1))"
    [ -f regression.diffs ] && head -150 regression.diffs
fi

note "pgTAP"
psql -X -q -d postgres -c "DROP DATABASE IF EXISTS pg_intent_tap" -c "CREATE DATABASE pg_intent_tap" >/dev/null
psql -X -q -d pg_intent_tap -c "CREATE EXTENSION pgtap" -c "CREATE EXTENSION pg_intent" >/dev/null
if pg_prove -d pg_intent_tap test/pgtap/*.sql 2>&1 | tee build/pgtap.log | tail -8; then
    tap_total=$(sed -nE 's/.*Tests=([0-9]+).*/\1/p' build/pgtap.log | tail -1)
    passed=$((passed + ${tap_total:-0}))
else
    tap_bad=$(grep -cE '^not ok' build/pgtap.log || true)
    tap_total=$(sed -nE 's/.*Tests=([0-9]+).*/\1/p' build/pgtap.log | tail -1)
    passed=$((passed + ${tap_total:-0} - tap_bad))
    fail_stage "pgTAP" "$((tap_bad > 0 ? tap_bad : 1))"
fi

note "scripted multi-session tests"
for t in test/scripts/*.sh; do
    [ -e "$t" ] || continue
    if bash "$t" >"build/$(basename "$t").log" 2>&1; then
        echo "ok   $t"
        passed=$((passed + 1))
    else
        echo "FAIL $t"
        tail -30 "build/$(basename "$t").log"
        fail_stage "$t"
    fi
done

if [ ${#failures[@]} -gt 0 ]; then
    printf '\nfailed: %s\n' "${failures[@]}"
fi
printf '\ntests: %d passed, %d failed\n' "$passed" "$failed"
[ "$failed" -eq 0 ] && [ ${#failures[@]} -eq 0 ]
