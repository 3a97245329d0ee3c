#!/usr/bin/env bash
# The local loop (`make check-local`): what a contributor runs after each
# change, in minutes rather than the full suite's hour.
#   1. the core's objects, compiled once, as pg_intent.so has them
#      (`make core-objects`, -Werror);
#   2. the core's unit tests and corpus replays, linked with those objects
#      (CMake with INTENT_CORE_FROM_PGXS, in build/local) and run by ctest;
#   3. the extension, the CLI and the check of the shipped SQL scripts
#      (`make`, reusing step 1's objects);
#   4. pg_regress and the pgTAP contract on a throwaway cluster without
#      pg_cron preloaded, so ops_retrain.sql skips its wait for pg_cron's
#      minute tick (test/expected/ops_retrain_1.out).
# It stops at the first failing step. `scripts/test.sh` (the README's test
# command) stays the whole suite: sanitizers, fuzzing, the scripted tests,
# PostgreSQL 16 to 18, Valgrind. Needs what `scripts/install-deps.sh test`
# installs; run that once on a new machine.
# Settings: JOBS (2), TESTS ("name ..." to run only these pg_regress
# files), SKIP_PGTAP=1.
set -euo pipefail
cd "$(dirname "$0")/.."
JOBS=${JOBS:-2}
source scripts/lib/phases.bash

phase "core objects (make core-objects, -Werror)"
with_build_lock make -s -j"$JOBS" WERROR=1 core-objects

phase "core unit tests (the shipped objects)"
with_build_lock cmake -S . -B build/local -DCMAKE_BUILD_TYPE=Release -DINTENT_WERROR=ON -DINTENT_CORE_FROM_PGXS=ON >/dev/null
targets=(core_tests)
for source in test/fuzz/fuzz_*.cpp; do
    n=$(basename "$source" .cpp)
    targets+=("replay_${n#fuzz_}")
done
with_build_lock cmake --build build/local -j"$JOBS" --target "${targets[@]}" >build/local/build.log 2>&1 ||
    { tail -40 build/local/build.log; echo "unit test build failed: build/local/build.log" >&2; exit 1; }
log=build/local/ctest.log
if (cd build/local && ctest -j"$JOBS" --output-on-failure) >"$log" 2>&1; then
    grep -E 'tests passed' "$log" | sed 's/^/    /'
else
    grep -vE '^ *[0-9]+/[0-9]+ Test +#[0-9]+: .* Passed' "$log" | tail -60
    echo "core unit tests failed: $log" >&2
    exit 1
fi

phase "extension (make -Werror)"
with_build_lock make -s -j"$JOBS" WERROR=1

phase "pg_regress and pgTAP (throwaway cluster, no pg_cron)"
eval "$(PGI_PRELOAD=pg_intent scripts/pg-cluster.sh start)"
trap 'scripts/pg-cluster.sh stop >/dev/null 2>&1' EXIT
out=$(mktemp -d "${TMPDIR:-/tmp}/pg_intent_local.XXXXXX")
args=()
[ -n "${TESTS:-}" ] && args=(REGRESS="$TESTS")
status=0
make -s installcheck PGDATABASE=contrib_regression \
    EXTRA_REGRESS_OPTS="--outputdir=$out --use-existing" "${args[@]}" >"$out/installcheck.log" 2>&1 || status=$?
grep -E 'not ok|FAILED|tests passed|tests failed' "$out/installcheck.log" | sed 's/^/    /' || true
if [ "$status" != 0 ]; then
    head -120 "$out/regression.diffs" 2>/dev/null || tail -30 "$out/installcheck.log"
    echo "pg_regress failed: output kept in $out" >&2
    exit 1
fi
rm -rf "$out"
if [ "${SKIP_PGTAP:-0}" != 1 ]; then
    status=0
    bash test/scripts/pgtap.sh >"$out.pgtap.log" 2>&1 || status=$?
    tail -2 "$out.pgtap.log" | sed 's/^/    /'
    [ "$status" = 0 ] || { grep -E '^not ok|^#' "$out.pgtap.log" | head -30; echo "pgTAP failed: $out.pgtap.log" >&2; exit 1; }
    rm -f "$out.pgtap.log"
fi
phase "done"
echo "local loop passed ($(elapsed_total))"
