# Shared by scripts/test.sh, scripts/stress.sh, scripts/demo.sh and bench/:
# progress lines with elapsed time, and the build lock.
PHASES_STARTED=${PHASES_STARTED:-$(date +%s)}
PHASE_STARTED=$PHASES_STARTED
PHASE_NAME=

fmt_seconds() {
    local s=$1
    if [ "$s" -ge 60 ]; then printf '%dm%02ds' $((s / 60)) $((s % 60)); else printf '%ds' "$s"; fi
}

# Prints the end of the previous phase and the start of the next one.
phase() {
    phase_done
    PHASE_NAME=$1
    PHASE_STARTED=$(date +%s)
    printf '==> [%s] %s\n' "$(fmt_seconds $((PHASE_STARTED - PHASES_STARTED)))" "$1"
}

# Prints the end of the current phase, if any: its time.
phase_done() {
    [ -z "$PHASE_NAME" ] || printf '    (%s)\n' "$(fmt_seconds $(($(date +%s) - PHASE_STARTED)))"
}

elapsed_total() {
    fmt_seconds $(($(date +%s) - PHASES_STARTED))
}

# Runs a command holding the checkout's build lock: two runs in one checkout
# must not compile the same objects at the same time.
with_build_lock() { with_dir_lock .build "$@"; }

# Runs "$@" holding the lock of one build directory of the checkout (DIR.lock
# beside it; `.build` for the PGXS build in the checkout itself): two runs
# must not build in it at the same time, while a build in another directory,
# which shares no objects with it, need not wait (scripts/test.sh builds
# build/asan and build/fuzz while scripted tests install the extension under
# the checkout's build lock).
with_dir_lock() { # dir cmd...
    local root
    root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
    mkdir -p "$root/$(dirname "$1")"
    flock "$root/$1.lock" "${@:2}"
}

# Runs "$@" with its output appended to LOG and piped through FILTER (a
# command or function that prints, one line at a time, the lines worth
# showing), and prints "    ... LABEL (elapsed)" whenever nothing was
# printed for 25 seconds: no step stays silent for more than about 30.
# Returns the command's status.
run_talking() { # log label filter cmd...
    local log=$1 label=$2 filter=$3
    shift 3
    local stamp started rc hb
    started=$(date +%s)
    stamp=$(mktemp "${RUN_DIR:-${TMPDIR:-/tmp}}/.talk.XXXXXX")
    # The heartbeat waits on its sleep with `wait`, which a signal
    # interrupts: a bare `sleep 5` would delay its TERM trap, and so the end
    # of every step, by up to 5 seconds.
    (
        trap 'kill "$nap" 2>/dev/null; exit 0' TERM
        while :; do
            sleep 5 &
            nap=$!
            wait "$nap" || continue
            now=$(date +%s)
            if [ $((now - $(stat -c %Y "$stamp"))) -ge 25 ]; then
                # CMake's progress, when the log has one ("[ 42%] Building ...").
                progress=$(tail -c 4096 "$log" 2>/dev/null | grep -oE '^\[ *[0-9]+%\]' | tail -1 | tr -d '[ ]')
                printf '    ... %s (%s%s)\n' "$label" "$(fmt_seconds $((now - started)))" "${progress:+, $progress}"
                touch "$stamp"
            fi
        done
    ) 2>/dev/null &
    hb=$!
    "$@" 2>&1 | tee -a "$log" | $filter | while IFS= read -r line; do
        printf '%s\n' "$line"
        touch "$stamp"
    done
    rc=${PIPESTATUS[0]}
    kill "$hb" 2>/dev/null
    wait "$hb" 2>/dev/null
    rm -f "$stamp"
    return "$rc"
}

# Filters for run_talking.
show_nothing() { cat >/dev/null; }
show_all() { sed -u 's/^/    /'; }
# pg_regress's line per test file ("test name ... ok 123 ms").
show_regress() { grep --line-buffered -E '\.\.\. |^(ok|not ok) [0-9]+ ' | sed -u -E 's/^ *(test )?/    /'; }
# pg_prove --timer's line per file ("[12:00:01] test/pgtap/x.sql .. ok 120 ms").
show_pgtap() { grep --line-buffered -E '^\[[0-9:]+\] .* \.\.+ ' | sed -u -E -e 's/^\[[0-9:]+\] /    /' -e 's/ +\(.*CPU\)$//'; }
# make's lines (run without -s): each compiler command as "[k/N] source",
# N from MAKE_STEPS (what `make -n` would compile, counted beforehand), each
# link as "linking target", and the compiler's errors.
show_make() {
    local n=0 line target
    while IFS= read -r line; do
        case $line in
        *' -c -o '*.o' '*)
            n=$((n + 1))
            printf '    [%d/%s] %s\n' "$n" "${MAKE_STEPS:-?}" "${line##* }"
            ;;
        g++\ *' -o '* | gcc\ *' -o '*)
            target=${line#* -o }
            printf '    linking %s\n' "${target%% *}"
            ;;
        *error* | *Error*) printf '    %s\n' "$line" ;;
        esac
    done
}
