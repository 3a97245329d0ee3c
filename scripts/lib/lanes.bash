# Scripted tests in lanes, shared by scripts/test.sh and scripts/test-majors.sh.
#
#   run_in_lanes LANES OUT_DIR START_FN RUN_FN NAME...
#
# LANES lanes take the tests NAME... from one queue, in the order given (the
# caller puts the longest first), each running one test at a time, so that
# one test's waits (pg_cron's minute tick, cancels, standbys, timeouts) are
# another's CPU time.
# Lane 1 runs against the cluster of the environment (PGI_DIR, PGHOST, ...).
# Every other lane runs against a cluster of its own: START_FN, called with
# PGI_DIR unset, prints that cluster's exports (those of `scripts/pg-cluster.sh
# start`), and the lane stops it when its queue is empty. Tests never share a
# cluster with a test running at the same time: the cluster-wide objects they
# create (roles, databases, pg_cron's jobs) stay theirs.
# RUN_FN NAME LOG runs one test, its output into LOG, and returns its status.
# Prints "    ok   NAME  Ns" or "    FAIL NAME  Ns" and the end of its log per
# test, as each finishes, and writes the same as "ok NAME" / "fail NAME LOG"
# lines to OUT_DIR/lanes.results, which the caller counts. A lane whose
# cluster does not start is a failure ("fail lane-N-cluster LOG"); the other
# lanes run its share.
run_in_lanes() { # lanes out-dir start-fn run-fn name...
    local lanes=$1 out=$2 start_fn=$3 run_fn=$4 lane pids=()
    shift 4
    mkdir -p "$out"
    printf '%s\n' "$@" >"$out/lanes.queue"
    : >"$out/lanes.results"
    for lane in $(seq 1 "$lanes"); do
        _lane "$lane" "$out" "$start_fn" "$run_fn" &
        pids+=($!)
    done
    # What failed is in lanes.results, not in the lanes' statuses.
    wait "${pids[@]}" || true
}

# The next name of the queue, removed from it; fails when it is empty.
_lane_next() { # out-dir
    (
        flock 8
        local name
        name=$(head -n 1 "$1/lanes.queue")
        [ -n "$name" ] || exit 1
        sed -i 1d "$1/lanes.queue"
        echo "$name"
    ) 8>"$1/lanes.lock"
}

# One line or block of output at a time, whole, whichever lane prints it.
_lane_print() { # out-dir text
    (
        flock 8
        printf '%s\n' "$2"
        [ -n "${3:-}" ] && printf '%s\n' "$3" >>"$1/lanes.results"
    ) 8>"$1/lanes.print.lock"
}

_lane() { # lane out-dir start-fn run-fn
    local lane=$1 out=$2 start_fn=$3 run_fn=$4 name log start env_out
    # Not the caller's cleanup (a cluster to stop, a directory to delete).
    trap - EXIT
    if [ "$lane" -gt 1 ]; then
        if ! env_out=$(unset PGI_DIR && "$start_fn" 2>"$out/lane$lane.cluster.log") || [ -z "$env_out" ]; then
            _lane_print "$out" "    FAIL cluster of lane $lane: $(tail -1 "$out/lane$lane.cluster.log")" \
                "fail lane-$lane-cluster $out/lane$lane.cluster.log"
            return 1
        fi
        eval "$env_out"
        # shellcheck disable=SC2064
        trap "PGI_DIR=$PGI_DIR scripts/pg-cluster.sh stop >/dev/null 2>&1" EXIT
    fi
    while name=$(_lane_next "$out"); do
        log=$out/script_$name.log
        start=$(date +%s)
        if "$run_fn" "$name" "$log"; then
            _lane_print "$out" "$(printf '    ok   %-28s %4ss' "$name" "$(($(date +%s) - start))")" "ok $name"
        else
            _lane_print "$out" "$(printf '    FAIL %-28s %4ss\n' "$name" "$(($(date +%s) - start))"; tail -30 "$log" | sed 's/^/         /')" \
                "fail $name $log"
        fi
    done
    return 0
}
