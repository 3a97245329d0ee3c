#!/usr/bin/env bash
# Every test, from a fresh Debian 12 machine. As root it first installs what
# is missing through apt-get (scripts/install-deps.sh: PostgreSQL 15 server
# and headers, pg_cron, pgTAP, GoogleTest, clang, Valgrind, Chromium, ...).
# It never writes to the system's PostgreSQL directories: every cluster runs
# from a private copy of the PostgreSQL tree with the extension installed
# into it (scripts/pg-cluster.sh).
#
# Phases, each printed with its elapsed time:
#   1. the core's unit tests (ctest), release build with -Werror;
#   2. the same under AddressSanitizer + UndefinedBehaviorSanitizer;
#   3. libFuzzer on the model loader, the normaliser and the vectoriser;
#   4. the extension, built with -Werror, and its exported symbols;
#   5. pg_regress, pgTAP and the scripted tests (multi-session, standby,
#      cancel, hostile input, dump/restore, upgrade, privileges, encodings,
#      ...) against a throwaway cluster with pg_cron preloaded;
#   6. pg_regress again with every backend under Valgrind's memcheck
#      (scripts/stress.sh, also `make stress`).
# Ends with a line per layer counting distinct test cases, then
# "tests: N passed, M failed"; exits non-zero on any failure.
#
# Everything a run writes outside build/ goes to its own directory (RUN_DIR,
# default a new `mktemp -d`), and builds in the checkout are serialised by a
# lock, so two runs started at once on one machine do not collide.
#
# Settings: FUZZ_SECONDS (20 per target), SKIP_SANITIZE=1, SKIP_FUZZ=1,
# SKIP_STRESS=1, ONLY_SCRIPTS="name ..." (scripted tests to run), JOBS (2),
# KEEP_RUN_DIR=1. Cluster settings (PGI_PORT, PGI_DIR, ...): scripts/pg-cluster.sh.
set -uo pipefail
cd "$(dirname "$0")/.."
ROOT=$(pwd)
FUZZ_SECONDS=${FUZZ_SECONDS:-20}
JOBS=${JOBS:-2}
RUN_DIR=${RUN_DIR:-$(mktemp -d "${TMPDIR:-/tmp}/pg_intent_test.XXXXXX")}
chmod 755 "$RUN_DIR"
export RUN_DIR
source scripts/lib/phases.bash

failures=()
# Per-layer counts of distinct test cases: passed and failed.
declare -A pass fail
layers=(unit sanitizer fuzz build pg_regress pgtap scripts stress)
for l in "${layers[@]}"; do pass[$l]=0; fail[$l]=0; done
record() { # layer passed failed [failure description]
    pass[$1]=$((pass[$1] + $2))
    fail[$1]=$((fail[$1] + $3))
    [ -n "${4:-}" ] && failures+=("$4")
}

summary() {
    local total_pass=0 total_fail=0 l
    printf '\n'
    for l in "${layers[@]}"; do
        printf '  %-11s %5d passed, %d failed\n' "$l" "${pass[$l]}" "${fail[$l]}"
        total_pass=$((total_pass + pass[$l]))
        total_fail=$((total_fail + fail[$l]))
    done
    if [ ${#failures[@]} -gt 0 ]; then
        printf '\nfailed:\n'
        printf '  %s\n' "${failures[@]}"
        printf 'logs: %s\n' "$RUN_DIR"
    fi
    printf '\ntests: %d passed, %d failed (%s)\n' "$total_pass" "$total_fail" "$(elapsed_total)"
    [ "$total_fail" -eq 0 ] && [ ${#failures[@]} -eq 0 ]
}

cleanup() {
    [ -n "${PGI_DIR:-}" ] && scripts/pg-cluster.sh stop >/dev/null 2>&1
    if [ ${#failures[@]} -eq 0 ] && [ "${KEEP_RUN_DIR:-0}" != 1 ]; then rm -rf "$RUN_DIR"; fi
}
trap cleanup EXIT

phase "dependencies (apt-get for what is missing)"
scripts/install-deps.sh >"$RUN_DIR/deps.log" 2>&1 || { tail -20 "$RUN_DIR/deps.log"; echo "dependency installation failed" >&2; exit 1; }

# ctest prints "N% tests passed, F tests failed out of T".
run_ctest() { # layer build-dir cmake-args...
    local layer=$1 dir=$2 log=$RUN_DIR/$1.log
    shift 2
    if with_build_lock cmake -S . -B "$dir" "$@" >"$log" 2>&1 &&
        with_build_lock cmake --build "$dir" -j"$JOBS" >>"$log" 2>&1; then
        (cd "$dir" && ctest --output-on-failure -j"$JOBS") >>"$log" 2>&1
        local line total bad
        line=$(grep -E 'tests passed, [0-9]+ tests failed out of [0-9]+' "$log" | tail -1)
        if [ -z "$line" ]; then
            tail -30 "$log"
            record "$layer" 0 1 "ctest ($layer) did not run"
            return
        fi
        total=$(sed -E 's/.*out of ([0-9]+).*/\1/' <<<"$line")
        bad=$(sed -E 's/.* ([0-9]+) tests failed.*/\1/' <<<"$line")
        echo "    $line"
        [ "$bad" -gt 0 ] && grep -E '^\s+[0-9]+ - ' "$log" | head -20
        record "$layer" "$((total - bad))" "$bad" "$([ "$bad" -gt 0 ] && echo "ctest ($layer)")"
    else
        tail -40 "$log"
        record "$layer" 0 1 "core build ($layer)"
    fi
}

phase "core unit tests (release, -Werror)"
run_ctest unit build/release -DCMAKE_BUILD_TYPE=Release -DINTENT_WERROR=ON

if [ "${SKIP_SANITIZE:-0}" != 1 ]; then
    phase "core unit tests (ASan + UBSan)"
    run_ctest sanitizer build/asan -DCMAKE_BUILD_TYPE=RelWithDebInfo -DINTENT_SANITIZE=ON -DINTENT_WERROR=ON
fi

if [ "${SKIP_FUZZ:-0}" != 1 ]; then
    phase "libFuzzer (${FUZZ_SECONDS}s per target)"
    if with_build_lock env CXX=clang++ cmake -S . -B build/fuzz -DCMAKE_BUILD_TYPE=RelWithDebInfo -DINTENT_FUZZ=ON >"$RUN_DIR/fuzz.build.log" 2>&1 &&
        with_build_lock cmake --build build/fuzz -j"$JOBS" >>"$RUN_DIR/fuzz.build.log" 2>&1; then
        for source in test/fuzz/fuzz_*.cpp; do
            target=build/fuzz/$(basename "$source" .cpp)
            name=$(basename "$target")
            corpus=$RUN_DIR/corpus_$name
            mkdir -p "$corpus"
            cp test/fuzz/corpus/"${name#fuzz_}"/* "$corpus"/ 2>/dev/null
            if "$target" -max_total_time="$FUZZ_SECONDS" -rss_limit_mb=2048 -print_final_stats=1 \
                "$corpus" >"$RUN_DIR/$name.log" 2>&1; then
                echo "    $name: $(sed -nE 's/stat::number_of_executed_units: *//p' "$RUN_DIR/$name.log") runs, no crash"
                record fuzz 1 0
            else
                tail -30 "$RUN_DIR/$name.log"
                record fuzz 0 1 "$name found a crash (reproducer in $RUN_DIR)"
                cp crash-* leak-* timeout-* "$RUN_DIR"/ 2>/dev/null
            fi
        done
    else
        tail -40 "$RUN_DIR/fuzz.build.log"
        record fuzz 0 1 "fuzz build"
    fi
fi

phase "extension build (-Werror) and exported symbols"
if with_build_lock make -s -j"$JOBS" WERROR=1 >"$RUN_DIR/pgxs.log" 2>&1; then
    record build 1 0
    if bash test/scripts/exports.sh >"$RUN_DIR/exports.log" 2>&1; then
        record build 1 0
    else
        cat "$RUN_DIR/exports.log"
        record build 0 1 "exported symbols"
    fi
else
    tail -40 "$RUN_DIR/pgxs.log"
    record build 0 1 "extension build"
    summary
    exit 1
fi

phase "throwaway cluster (private PostgreSQL tree)"
if env_out=$(scripts/pg-cluster.sh start 2>"$RUN_DIR/cluster.log"); then
    eval "$env_out"
    echo "    $PGI_DIR, port $PGPORT"
else
    cat "$RUN_DIR/cluster.log"
    record build 0 1 "cluster start"
    summary
    exit 1
fi

phase "pg_regress"
make -s installcheck PGDATABASE=contrib_regression EXTRA_REGRESS_OPTS="--outputdir=$RUN_DIR/regress --use-existing" \
    >"$RUN_DIR/regress.log" 2>&1
regress_ok=$(grep -cE '^ok [0-9]+ |\.\.\. ok' "$RUN_DIR/regress.log")
regress_bad=$(grep -cE '^not ok [0-9]+ |\.\.\. FAILED' "$RUN_DIR/regress.log")
grep -E 'tests passed|failed|FAILED' "$RUN_DIR/regress.log" | sed 's/^/    /' | tail -8
if [ "$regress_bad" -gt 0 ] || ! grep -qE 'All [0-9]+ tests passed' "$RUN_DIR/regress.log"; then
    record pg_regress "$regress_ok" "$((regress_bad > 0 ? regress_bad : 1))" "pg_regress (diffs: $RUN_DIR/regress/regression.diffs)"
    head -120 "$RUN_DIR/regress/regression.diffs" 2>/dev/null
else
    record pg_regress "$regress_ok" 0
fi

phase "pgTAP contract"
if PROVE_FLAGS=-v bash test/scripts/pgtap.sh >"$RUN_DIR/pgtap.log" 2>&1; then
    tap_total=$(sed -nE 's/.*Tests=([0-9]+).*/\1/p' "$RUN_DIR/pgtap.log" | tail -1)
    echo "    $tap_total assertions"
    record pgtap "${tap_total:-0}" 0
else
    tap_bad=$(grep -cE '^not ok' "$RUN_DIR/pgtap.log")
    tap_total=$(sed -nE 's/.*Tests=([0-9]+).*/\1/p' "$RUN_DIR/pgtap.log" | tail -1)
    grep -E '^not ok|^# ' "$RUN_DIR/pgtap.log" | head -30
    record pgtap "$((${tap_total:-0} - tap_bad))" "$((tap_bad > 0 ? tap_bad : 1))" "pgTAP ($RUN_DIR/pgtap.log)"
fi

phase "scripted tests"
for t in test/scripts/[a-z]*.sh; do
    name=$(basename "$t" .sh)
    [ "$name" = exports ] || [ "$name" = pgtap ] && continue
    if [ -n "${ONLY_SCRIPTS:-}" ] && ! grep -qw "$name" <<<"$ONLY_SCRIPTS"; then continue; fi
    start=$(date +%s)
    if bash "$t" >"$RUN_DIR/script_$name.log" 2>&1; then
        printf '    ok   %-28s %4ss\n' "$name" "$(($(date +%s) - start))"
        record scripts 1 0
    else
        printf '    FAIL %-28s %4ss\n' "$name" "$(($(date +%s) - start))"
        tail -30 "$RUN_DIR/script_$name.log" | sed 's/^/         /'
        record scripts 0 1 "test/scripts/$name.sh ($RUN_DIR/script_$name.log)"
    fi
done
scripts/pg-cluster.sh stop >/dev/null 2>&1
unset PGI_DIR

if [ "${SKIP_STRESS:-0}" != 1 ]; then
    phase "pg_regress with every backend under Valgrind (scripts/stress.sh)"
    if bash scripts/stress.sh >"$RUN_DIR/stress.log" 2>&1; then
        n=$(grep -cE '^ok [0-9]+ |\.\.\. ok' "$RUN_DIR/stress.log")
        echo "    $n pg_regress files, no memcheck report involving pg_intent"
        record stress "$n" 0
    else
        tail -40 "$RUN_DIR/stress.log"
        record stress 0 1 "stress ($RUN_DIR/stress.log)"
    fi
fi

summary
