#!/usr/bin/env bash
# The runner of the scripted tests' lanes (scripts/lib/lanes.bash), with
# stand-ins for the tests and the clusters: every test runs exactly once
# however the lanes share the queue, two run at once (the point of the
# lanes), a failing test is reported with its log, lane 1 runs on the
# caller's cluster and lane 2 on the one its start function gave it (and
# stops), and a lane whose cluster does not start is a failure while the
# other lane runs the whole queue. No cluster needed.
cd "$(dirname "$0")/../.."
source test/scripts/lib.bash
source scripts/lib/lanes.bash

# A stand-in test: notes which cluster it saw, when it ran, and fails when
# its name says so.
fake_test() { # name log
    echo "$1 $PGI_DIR" >>"$TEST_TMP/ran"
    echo "start $1" >>"$TEST_TMP/timeline"
    sleep 0.3
    echo "end $1" >>"$TEST_TMP/timeline"
    echo "output of $1" >"$2"
    [[ $1 != fail* ]]
}
# A stand-in cluster start: prints exports as scripts/pg-cluster.sh start
# does; the lane's stop goes to `scripts/pg-cluster.sh stop`, which finds
# no env.sh there and fails harmlessly.
fake_cluster() { echo "export PGI_DIR=$TEST_TMP/lane-cluster"; }
no_cluster() { echo "no free port found" >&2; return 1; }

names=(t1 t2 fail_t3 t4 t5 t6 t7)
PGI_DIR=$TEST_TMP/main-cluster run_in_lanes 2 "$TEST_TMP/a" fake_cluster fake_test "${names[@]}" >"$TEST_TMP/a.out"

ran=$(cut -d' ' -f1 "$TEST_TMP/ran" | sort | tr '\n' ' ')
[ "$ran" = "fail_t3 t1 t2 t4 t5 t6 t7 " ] || { echo "FAILED: tests run: $ran (each of ${names[*]} once expected)" >&2; exit 1; }
grep -q " $TEST_TMP/main-cluster$" "$TEST_TMP/ran" && grep -q " $TEST_TMP/lane-cluster$" "$TEST_TMP/ran" ||
    { cat "$TEST_TMP/ran" >&2; echo "FAILED: the lanes did not run on the caller's cluster and the lane's own" >&2; exit 1; }
# Two at once: a test started while another had not ended.
awk '/^start/ { if (open > 0) both = 1; open++ } /^end/ { open-- } END { exit !both }' "$TEST_TMP/timeline" ||
    { cat "$TEST_TMP/timeline" >&2; echo "FAILED: no two tests ran at once" >&2; exit 1; }
expect_eq "$(grep -c '^ok ' "$TEST_TMP/a/lanes.results")" 6 "passes recorded"
expect_eq "$(grep '^fail ' "$TEST_TMP/a/lanes.results")" "fail fail_t3 $TEST_TMP/a/script_fail_t3.log" "the failure recorded with its log"
grep -qE '^    FAIL fail_t3 ' "$TEST_TMP/a.out" && grep -q 'output of fail_t3' "$TEST_TMP/a.out" ||
    { cat "$TEST_TMP/a.out" >&2; echo "FAILED: the failure was not printed with its log" >&2; exit 1; }
echo "ok: 7 tests in 2 lanes: each ran once, two at once, on the caller's cluster and the lane's; the failure recorded with its log"

# A lane without a cluster: a failure, and the other lane runs everything.
: >"$TEST_TMP/ran"
PGI_DIR=$TEST_TMP/main-cluster run_in_lanes 2 "$TEST_TMP/b" no_cluster fake_test t1 t2 t4 >"$TEST_TMP/b.out"
expect_eq "$(cut -d' ' -f2 "$TEST_TMP/ran" | sort -u)" "$TEST_TMP/main-cluster" "the tests ran on lane 1's cluster"
expect_eq "$(grep -c '^ok ' "$TEST_TMP/b/lanes.results")" 3 "lane 1 ran the whole queue"
grep -q "^fail lane-2-cluster " "$TEST_TMP/b/lanes.results" ||
    { cat "$TEST_TMP/b/lanes.results" >&2; echo "FAILED: a lane whose cluster did not start was not a failure" >&2; exit 1; }
echo "ok: a lane whose cluster does not start is a failure; the other lane ran its share"
