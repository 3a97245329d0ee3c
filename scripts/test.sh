#!/usr/bin/env bash
# Every test, from a fresh Debian 12 machine. As root it first installs what
# is missing through apt-get (`scripts/install-deps.sh test`: PostgreSQL 15
# server and headers, pg_cron, pgTAP, GoogleTest, clang, Valgrind, Chromium,
# the Debian packaging tools, ...).
# It never writes to the system's PostgreSQL directories: every cluster runs
# from a private copy of the PostgreSQL tree with the extension installed
# into it (scripts/pg-cluster.sh).
#
# Phases, each printed with its elapsed time:
#   1. the core's unit tests (ctest), linked with the core's objects as the
#      extension compiles them (-Werror, phase 4's objects);
#   2. the same under AddressSanitizer + UndefinedBehaviorSanitizer;
#   3. libFuzzer on the model loader, the normaliser and the vectoriser;
#      phases 1 to 3 need no cluster: they start in the background at nice
#      19 once phase 4 is built and run side by side with phases 5 to 7 on
#      the CPU those leave; their result is printed second to last;
#   4. the extension, built with -Werror, and its exported symbols;
#   5. pg_regress, pgTAP and the scripted tests (multi-session, standby,
#      cancel, hostile input, dump/restore, upgrade, privileges, encodings,
#      the Debian package, a Citus 13.2.2 coordinator and two workers
#      (test/scripts/citus.sh, Citus from the archive in ../shared/citus;
#      a missing archive is a failure), ...) against a throwaway cluster
#      with pg_cron preloaded; the scripted tests in two lanes, the second
#      on a cluster of its own;
#   6. PostgreSQL 16, 17 and 18, side by side, each on its own cluster
#      (scripts/test-majors.sh): the extension built for that major with the
#      core compiled once (phase 4's objects), its exported symbols,
#      pg_regress, pgTAP and the scripted tests that touch server internals
#      (upgrades, dump/restore, hot standby, drop guard, cancel, postmaster
#      death). Their server trees come from the archives in PGI_PG_TARBALLS
#      (../shared/postgresql); a missing one is a failure;
#   7. pg_regress again with every backend under Valgrind's memcheck
#      (scripts/stress.sh, also `make stress`), started before phase 5 on a
#      cluster of its own and run side by side with phases 5 and 6; its
#      result is printed last.
# It prints one line per test as it finishes (per unit test source file,
# fuzz target, pg_regress file, pgTAP file, scripted test) with its time,
# and "... (elapsed)" whenever a step has printed nothing for 25 seconds.
# Ends with a line per layer, then "tests: N passed, M failed" where N
# counts distinct tests once: the sanitizer and Valgrind phases re-run tests
# already counted, so they add failures but no passes. Exits non-zero on any
# failure.
#
# Everything a run writes outside build/ goes to its own directory (RUN_DIR,
# default a new `mktemp -d`), and builds in the checkout are serialised by a
# lock (one per CMake build directory, one for the PGXS build), so two runs
# started at once on one machine do not collide.
#
# Settings: FUZZ_SECONDS (20 per target), SKIP_SANITIZE=1, SKIP_FUZZ=1,
# SKIP_STRESS=1, ONLY_SCRIPTS="name ..." (scripted tests to run),
# SCRIPT_LANES (2: scripted tests run at once, each lane on a cluster of its
# own; scripts/lib/lanes.bash), MAJORS
# ("16 17 18"; empty to skip them), JOBS (2),
# KEEP_RUN_DIR=1. Cluster settings (PGI_PORT, PGI_DIR, ...): scripts/pg-cluster.sh.
set -uo pipefail
cd "$(dirname "$0")/.."
ROOT=$(pwd)
FUZZ_SECONDS=${FUZZ_SECONDS:-20}
JOBS=${JOBS:-2}
SCRIPT_LANES=${SCRIPT_LANES:-2}
# The scripted tests that took longest in a CI run, longest first.
SLOW_SCRIPTS="debian_package public_fuzz two_phase pg_upgrade_major cancel_training cron_socket
    cross_major_models upgrade_031 upgrade_020 supabase_rls_all citus build_without_nls
    training_interrupts progress upgrade report_browser citus_roles supabase predict_reentry"
RUN_DIR=${RUN_DIR:-$(mktemp -d "${TMPDIR:-/tmp}/pg_intent_test.XXXXXX")}
mkdir -p "$RUN_DIR"
chmod 755 "$RUN_DIR"
export RUN_DIR
# The upgrade tests build the landed releases' libraries (build_release,
# test/scripts/lib.bash): once per run, not once per test.
export PGI_RELEASE_CACHE=${PGI_RELEASE_CACHE:-$RUN_DIR/releases}
mkdir -p "$PGI_RELEASE_CACHE"
source scripts/lib/phases.bash
source scripts/lib/lanes.bash

failures=()
# Per-layer counts: passed and failed, and what one counted thing is.
# The sanitizer and stress layers run tests other layers already count
# (the unit tests under ASan + UBSan, the pg_regress files under Valgrind):
# their failures count, their passes do not count again.
declare -A pass fail unit_of skipped
MAJORS=${MAJORS-16 17 18}
layers=(unit sanitizer fuzz build pg_regress pgtap scripts)
for m in $MAJORS; do layers+=("pg$m"); done
layers+=(stress)
rerun_layers=" sanitizer stress "
unit_of=([unit]="test cases (ctest: GoogleTest cases and corpus replays)" [sanitizer]="of the unit test cases again, under ASan + UBSan"
    [fuzz]="fuzz targets" [build]="checks (-Werror build, exported symbols)" [pg_regress]="test files"
    [pgtap]="test files" [scripts]="scripted tests" [stress]="of the pg_regress files again, every backend under Valgrind")
for m in $MAJORS; do unit_of[pg$m]="checks on PostgreSQL $m (build, exported symbols, pg_regress files, pgTAP files, scripted tests)"; done
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
        if [ -n "${skipped[$l]:-}" ]; then
            printf '  %-11s skipped (%s)\n' "$l" "${skipped[$l]}"
            continue
        fi
        printf '  %-11s %5d passed, %d failed  %s\n' "$l" "${pass[$l]}" "${fail[$l]}" "${unit_of[$l]}"
        [[ $rerun_layers == *" $l "* ]] || total_pass=$((total_pass + pass[$l]))
        total_fail=$((total_fail + fail[$l]))
    done
    if [ ${#failures[@]} -gt 0 ]; then
        printf '\nfailed:\n'
        printf '  %s\n' "${failures[@]}"
        printf 'logs: %s\n' "$RUN_DIR"
    fi
    printf '\ntests: %d passed, %d failed (%s; distinct tests, each counted once)\n' "$total_pass" "$total_fail" "$(elapsed_total)"
    [ "$total_fail" -eq 0 ] && [ ${#failures[@]} -eq 0 ]
}

# Only this shell cleans up. A background subshell killed before its first
# command (a heartbeat stopped as soon as it started) runs the EXIT trap it
# inherited, and would delete RUN_DIR and stop the cluster under the run.
cleanup() {
    [ "$BASHPID" = "$$" ] || return 0
    [ -n "${stress_pid:-}" ] && { pkill -P "$stress_pid" && kill "$stress_pid"; } 2>/dev/null
    [ -n "${late_pid:-}" ] && { pkill -P "$late_pid" && kill "$late_pid"; } 2>/dev/null
    [ -n "${PGI_DIR:-}" ] && scripts/pg-cluster.sh stop >/dev/null 2>&1
    if [ ${#failures[@]} -eq 0 ] && [ "${KEEP_RUN_DIR:-0}" != 1 ]; then rm -rf "$RUN_DIR"; fi
}
trap cleanup EXIT

# scripts/test-majors.sh's lines, without its machine-readable result lines.
show_majors() { grep --line-buffered -vE '^\[pg[0-9]+\] (result|failed) pg'; }

phase "dependencies (apt-get for what is missing)"
run_talking "$RUN_DIR/deps.log" "installing" show_all scripts/install-deps.sh test ||
    { tail -20 "$RUN_DIR/deps.log"; echo "dependency installation failed" >&2; exit 1; }

# Each ctest test's source file ("name<TAB>file"): GoogleTest cases from
# their TEST(Suite, Case) line in test/unit/, corpus replays from their
# fuzz target.
ctest_map() { # build-dir
    local f
    for f in test/unit/*.cpp; do
        sed -nE 's/^TEST(_F)?\(\s*([A-Za-z0-9_]+),\s*([A-Za-z0-9_]+)\).*/\2.\3\t'"${f//\//\\/}"'/p' "$f"
    done
    (cd "$1" && ctest -N) | sed -nE 's/^ *Test +#[0-9]+: fuzz_replay_(.*)$/fuzz_replay_\1\ttest\/fuzz\/fuzz_\1.cpp (corpus)/p'
}

# Only what ctest runs: the unit tests and the corpus replays (not the CLI
# or the benchmarks, which the extension build and bench/ cover).
ctest_targets=(core_tests)
for source in test/fuzz/fuzz_*.cpp; do
    n=$(basename "$source" .cpp)
    ctest_targets+=("replay_${n#fuzz_}")
done

# ctest prints "N% tests passed, F tests failed out of T".
run_ctest() { # layer build-dir cmake-args...
    local layer=$1 dir=$2 log=$RUN_DIR/$1.log
    shift 2
    if run_talking "$log" "configuring $dir" show_nothing with_dir_lock "$dir" cmake -S . -B "$dir" "$@" &&
        run_talking "$log" "compiling $dir" show_nothing with_dir_lock "$dir" cmake --build "$dir" -j"$JOBS" --target "${ctest_targets[@]}"; then
        ctest_map "$dir" >"$RUN_DIR/$layer.map"
        local ctest_by_file="awk -v map=$RUN_DIR/$layer.map -f scripts/lib/ctest-by-file.awk"
        run_talking "$log" "running the unit tests" "$ctest_by_file" bash -c "cd '$dir' && exec ctest --output-on-failure -j'$JOBS'"
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
        record "$layer" "$((total - bad))" "$bad" "$([ "$bad" -gt 0 ] && echo "ctest ($layer, $log)")"
    else
        tail -40 "$log"
        record "$layer" 0 1 "core build ($layer)"
    fi
}

[ "${SKIP_SANITIZE:-0}" = 1 ] && skipped[sanitizer]=SKIP_SANITIZE=1
[ "${SKIP_FUZZ:-0}" = 1 ] && skipped[fuzz]=SKIP_FUZZ=1
[ "${SKIP_STRESS:-0}" = 1 ] && skipped[stress]=SKIP_STRESS=1
# Phases 1 to 3: the core's unit tests, the same under ASan + UBSan, and
# libFuzzer. They compile the tests and the core twice more, which takes
# both CPUs for many minutes, and need no cluster, so they run in the
# background, at nice 19, once the extension is built: the CPU they take is
# what the tests leave, a test's backends come first, and pg_regress under
# Valgrind (phase 7, the longest) starts that much sooner. Their lines and
# counts come last but one (core_phases_result).
core_phases() {
    # Counted by the main shell from a file (this runs in a subshell).
    record() { printf '%s\t%s\t%s\t%s\n' "$1" "$2" "$3" "${4:-}" >>"$RUN_DIR/late.results"; }
    phase "core unit tests (the objects pg_intent.so links, -Werror)"
    # The core is compiled once for the unit tests and the extension: the
    # tests link the objects `make core-objects` compiled with the library's
    # flags (INTENT_CORE_FROM_PGXS) for phase 4.
    run_ctest unit build/unit -DCMAKE_BUILD_TYPE=Release -DINTENT_WERROR=ON -DINTENT_CORE_FROM_PGXS=ON
    if [ "${SKIP_SANITIZE:-0}" != 1 ]; then
        phase "core unit tests (ASan + UBSan)"
        # -O1 -g1 (line tables, no variables): what ASan's reports need, at
        # well under half the compile time of -O2 -g (CHANGELOG, 0.3.2).
        run_ctest sanitizer build/asan -DCMAKE_BUILD_TYPE=RelWithDebInfo -DCMAKE_CXX_FLAGS_RELWITHDEBINFO="-O1 -g1 -DNDEBUG" \
            -DINTENT_SANITIZE=ON -DINTENT_WERROR=ON
    fi

    if [ "${SKIP_FUZZ:-0}" != 1 ]; then
        phase "libFuzzer (${FUZZ_SECONDS}s per target)"
        # Only the fuzz targets: the unit tests already ran under ASan + UBSan.
        fuzz_targets=()
        for source in test/fuzz/fuzz_*.cpp; do fuzz_targets+=("$(basename "$source" .cpp)"); done
        if run_talking "$RUN_DIR/fuzz.build.log" "configuring build/fuzz" show_nothing with_dir_lock build/fuzz env CXX=clang++ cmake -S . -B build/fuzz -DCMAKE_BUILD_TYPE=RelWithDebInfo -DINTENT_FUZZ=ON &&
            run_talking "$RUN_DIR/fuzz.build.log" "compiling build/fuzz" show_nothing with_dir_lock build/fuzz cmake --build build/fuzz -j"$JOBS" --target "${fuzz_targets[@]}"; then
            for source in test/fuzz/fuzz_*.cpp; do
                target=build/fuzz/$(basename "$source" .cpp)
                name=$(basename "$target")
                corpus=$RUN_DIR/corpus_$name
                mkdir -p "$corpus"
                cp test/fuzz/corpus/"${name#fuzz_}"/* "$corpus"/ 2>/dev/null
                if "$target" -max_total_time="$FUZZ_SECONDS" -rss_limit_mb=2048 -print_final_stats=1 \
                    "$corpus" >"$RUN_DIR/$name.log" 2>&1; then
                    printf '    ok   %-28s %4ss  %s runs, no crash\n' "$name" "$FUZZ_SECONDS" "$(sed -nE 's/stat::number_of_executed_units: *//p' "$RUN_DIR/$name.log")"
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
    phase_done
}
core_phases_result() {
    local layer p f what
    [ -n "$late_pid" ] || return 0
    phase "core unit tests, under ASan + UBSan too, and libFuzzer (started after the extension build, at nice 19)"
    while kill -0 "$late_pid" 2>/dev/null; do sleep 2; done
    wait "$late_pid" 2>/dev/null
    late_pid=
    # Without the heartbeat lines, which told nobody anything there.
    grep -v '^    \.\.\. ' "$RUN_DIR/late.log" | sed -E 's/^==> \[[0-9ms]+\] /    -- /'
    [ -s "$RUN_DIR/late.results" ] || { record unit 0 1 "core unit tests, ASan + UBSan, libFuzzer: no result ($RUN_DIR/late.log)"; return; }
    while IFS=$'\t' read -r layer p f what; do record "$layer" "$p" "$f" "$what"; done <"$RUN_DIR/late.results"
}

phase "extension build (-Werror) and exported symbols"
# The core's objects first (`make core-objects`): the unit tests link them.
if run_talking "$RUN_DIR/pgxs.log" "compiling the core (make core-objects)" show_nothing with_build_lock make -s -j"$JOBS" WERROR=1 core-objects &&
    run_talking "$RUN_DIR/pgxs.log" "compiling the extension" show_nothing with_build_lock make -s -j"$JOBS" WERROR=1; then
    echo "    ok   -Werror build"
    record build 1 0
    if bash test/scripts/exports.sh >"$RUN_DIR/exports.log" 2>&1; then
        echo "    ok   exported symbols"
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

(
    renice -n 19 -p "$BASHPID" >/dev/null
    PHASE_NAME=
    core_phases
) >"$RUN_DIR/late.log" 2>&1 &
late_pid=$!
echo "    core unit tests, ASan + UBSan and libFuzzer started in the background at nice 19 (results second to last; log: $RUN_DIR/late.log)"

# Phase 7 starts here and runs side by side with phases 5 and 6 (issue 33:
# phases that can run side by side). It holds one CPU at most (Valgrind
# runs a backend's threads one at a time, and pg_regress one file at a
# time), while the scripted tests spend much of their time waiting (pg_cron's
# minute tick, cancels, standbys): one after the other, the scripted tests
# and Valgrind took 51 of a run's 81 minutes. It gets a cluster of its own
# (never a PGI_DIR given to this script), and that cluster has installed this
# checkout's build before phase 5 starts (later phases install it again into
# their own trees; none rebuilds it).
stress_pid=
if [ "${SKIP_STRESS:-0}" != 1 ]; then
    # Its status goes to a file: bash forgets an ended job's status when a
    # later child reuses its PID.
    (
        env -u PGI_DIR bash scripts/stress.sh
        echo $? >"$RUN_DIR/stress.status"
    ) >"$RUN_DIR/stress.log" 2>&1 &
    stress_pid=$!
    while ! grep -q '^==> pg_regress under valgrind' "$RUN_DIR/stress.log" 2>/dev/null &&
        [ -n "$(jobs -rp)" ]; do
        sleep 1
    done
    echo "    pg_regress under Valgrind started (its result comes last; log: $RUN_DIR/stress.log)"
fi

phase "throwaway cluster (private PostgreSQL tree)"
if run_talking "$RUN_DIR/cluster.log" "copying the PostgreSQL tree, starting the cluster" show_nothing \
    bash -c 'scripts/pg-cluster.sh start >"$RUN_DIR/cluster.env"' && [ -s "$RUN_DIR/cluster.env" ]; then
    eval "$(cat "$RUN_DIR/cluster.env")"
    echo "    $PGI_DIR, port $PGPORT"
else
    cat "$RUN_DIR/cluster.log"
    record build 0 1 "cluster start"
    summary
    exit 1
fi

phase "pg_regress"
run_talking "$RUN_DIR/regress.log" "pg_regress" show_regress \
    make -s installcheck PGDATABASE=contrib_regression EXTRA_REGRESS_OPTS="--outputdir=$RUN_DIR/regress --use-existing"
regress_ok=$(grep -cE '^ok [0-9]+ |\.\.\. ok' "$RUN_DIR/regress.log")
regress_bad=$(grep -cE '^not ok [0-9]+ |\.\.\. FAILED' "$RUN_DIR/regress.log")
grep -E 'tests passed|tests failed' "$RUN_DIR/regress.log" | sed 's/^ */    /' | tail -3
if [ "$regress_bad" -gt 0 ] || ! grep -qE 'All [0-9]+ tests passed' "$RUN_DIR/regress.log"; then
    record pg_regress "$regress_ok" "$((regress_bad > 0 ? regress_bad : 1))" "pg_regress (diffs: $RUN_DIR/regress/regression.diffs)"
    head -120 "$RUN_DIR/regress/regression.diffs" 2>/dev/null
else
    record pg_regress "$regress_ok" 0
fi

phase "pgTAP contract"
# One line per file (pg_prove --timer); counted per file. The assertions
# are reported too, not counted as tests.
pgtap_ok=0
PROVE_FLAGS=--timer run_talking "$RUN_DIR/pgtap.log" "pgTAP" show_pgtap bash test/scripts/pgtap.sh
pgtap_status=$?
tap_files=$(sed -nE 's/^Files=([0-9]+).*/\1/p' "$RUN_DIR/pgtap.log" | tail -1)
tap_total=$(sed -nE 's/.*Tests=([0-9]+).*/\1/p' "$RUN_DIR/pgtap.log" | tail -1)
pgtap_ok=$(grep -cE '\.\. ok' "$RUN_DIR/pgtap.log")
echo "    ${tap_files:-0} files, ${tap_total:-0} assertions"
if [ $pgtap_status -eq 0 ] && [ -n "$tap_files" ] && [ "$pgtap_ok" -eq "$tap_files" ]; then
    record pgtap "$pgtap_ok" 0
else
    grep -E '^not ok|^# |Failed' "$RUN_DIR/pgtap.log" | head -30
    tap_bad=$((${tap_files:-0} - pgtap_ok))
    record pgtap "$pgtap_ok" "$((tap_bad > 0 ? tap_bad : 1))" "pgTAP ($RUN_DIR/pgtap.log)"
fi

phase "scripted tests ($SCRIPT_LANES lanes)"
# Every test/scripts/*.sh but exports and pgtap (phases 4 and 5 run them),
# the longest first (SLOW_SCRIPTS, their order in a CI run: a long test
# started last would end the phase alone), in SCRIPT_LANES lanes
# (scripts/lib/lanes.bash): lane 1 on this phase's cluster, the others on
# clusters of their own.
script_names=()
for name in $SLOW_SCRIPTS; do [ -f "test/scripts/$name.sh" ] && script_names+=("$name"); done
for t in test/scripts/[a-z]*.sh; do
    name=$(basename "$t" .sh)
    # (SLOW_SCRIPTS spans lines: a name is matched between any blanks.)
    [[ " exports pgtap $SLOW_SCRIPTS " =~ [[:space:]]$name[[:space:]] ]] && continue
    script_names+=("$name")
done
if [ -n "${ONLY_SCRIPTS:-}" ]; then
    only=()
    for name in "${script_names[@]}"; do grep -qw "$name" <<<"$ONLY_SCRIPTS" && only+=("$name"); done
    script_names=("${only[@]}")
fi
run_script() { run_talking "$2" "$1" show_nothing bash "test/scripts/$1.sh"; }
start_lane_cluster() { scripts/pg-cluster.sh start; }
run_in_lanes "$SCRIPT_LANES" "$RUN_DIR/scripts" start_lane_cluster run_script "${script_names[@]}"
while read -r result name log; do
    if [ "$result" = ok ]; then
        record scripts 1 0
    else
        record scripts 0 1 "test/scripts/$name.sh ($log)"
    fi
done <"$RUN_DIR/scripts/lanes.results"
scripts/pg-cluster.sh stop >/dev/null 2>&1
unset PGI_DIR

if [ -n "$MAJORS" ]; then
    # shellcheck disable=SC2086
    phase "PostgreSQL $(echo $MAJORS | sed 's/ /, /g'): build, pg_regress, pgTAP, server-internals scripts (side by side)"
    # Each major's lines as they come, prefixed [pgNN]; its counts from its
    # "result pgNN KIND PASSED FAILED" lines.
    run_talking "$RUN_DIR/majors.log" "PostgreSQL $MAJORS" show_majors \
        env RUN_DIR="$RUN_DIR/majors" CXX="${CXX:-g++}" WERROR=1 JOBS="$JOBS" scripts/test-majors.sh $MAJORS
    for m in $MAJORS; do
        if ! grep -q "^\[pg$m\] result pg$m " "$RUN_DIR/majors.log"; then
            record "pg$m" 0 1 "PostgreSQL $m: no result ($RUN_DIR/majors.log)"
            continue
        fi
        while read -r _ _ _ _ p f; do record "pg$m" "$p" "$f"; done < <(grep "^\[pg$m\] result pg$m " "$RUN_DIR/majors.log")
        while IFS= read -r line; do failures+=("PostgreSQL $m: $line"); done < <(sed -n "s/^\[pg$m\] failed pg$m //p" "$RUN_DIR/majors.log")
    done
fi

core_phases_result

if [ -n "$stress_pid" ]; then
    phase "pg_regress with every backend under Valgrind (scripts/stress.sh, started before the scripted tests)"
    # Its result, once it ends; a line every 25 seconds meanwhile.
    (
        trap 'exit 0' TERM
        started=$(date +%s)
        while :; do
            sleep 25 &
            wait $! || continue
            printf '    ... pg_regress under Valgrind (%s more)\n' "$(fmt_seconds $(($(date +%s) - started)))"
        done
    ) 2>/dev/null &
    heartbeat=$!
    while [ ! -s "$RUN_DIR/stress.status" ] && kill -0 "$stress_pid" 2>/dev/null; do sleep 2; done
    wait "$stress_pid" 2>/dev/null
    stress_status=$(cat "$RUN_DIR/stress.status" 2>/dev/null || echo "no status")
    stress_pid=
    kill "$heartbeat" 2>/dev/null
    wait "$heartbeat" 2>/dev/null
    show_regress <"$RUN_DIR/stress.log"
    # A pass needs a clean status and pg_regress files run: a layer that
    # did not run never counts as passed.
    n=$(grep -cE '^ok [0-9]+ |\.\.\. ok' "$RUN_DIR/stress.log" 2>/dev/null)
    if [ "$stress_status" = 0 ] && [ "${n:-0}" -gt 0 ]; then
        echo "    $n pg_regress files under Valgrind, no memcheck report involving pg_intent"
        record stress "$n" 0
    else
        echo "    under Valgrind: status $stress_status, ${n:-0} pg_regress files passed"
        tail -40 "$RUN_DIR/stress.log"
        record stress 0 1 "stress ($RUN_DIR/stress.log)"
    fi
fi

summary
