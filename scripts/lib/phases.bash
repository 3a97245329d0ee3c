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
    local now
    now=$(date +%s)
    [ -n "$PHASE_NAME" ] && printf '    (%s)\n' "$(fmt_seconds $((now - PHASE_STARTED)))"
    PHASE_NAME=$1
    PHASE_STARTED=$now
    printf '==> [%s] %s\n' "$(fmt_seconds $((now - PHASES_STARTED)))" "$1"
}

elapsed_total() {
    fmt_seconds $(($(date +%s) - PHASES_STARTED))
}

# Runs a command holding the checkout's build lock: two runs in one checkout
# must not compile the same objects at the same time.
with_build_lock() {
    local root
    root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
    flock "$root/.build.lock" "$@"
}
