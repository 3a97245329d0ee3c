#!/usr/bin/env bash
# pg_regress with every backend running under Valgrind's memcheck
# (`make stress`; scripts/test.sh runs it). The core's unit tests already run
# under ASan + UBSan; this checks the extension as the server drives it: the
# glue (SPI, the model cache, Datum conversions, the exception guard) and the
# core inside a real backend. Any memcheck report with a frame of ours (the
# pg_intent glue or the intent:: core) fails the run, as does a crashed backend. Reports that lie
# wholly inside PostgreSQL (padding bytes it writes to WAL and to the relcache
# init file, its regex cache; the ones PostgreSQL's own
# src/tools/valgrind.supp suppresses) are counted but are not ours. Reports
# inside PostgreSQL or glibc that can have a frame of ours lower in their stack
# are suppressed by scripts/valgrind.supp, each with the reason.
#
# (Preloading the ASan runtime into an uninstrumented postgres binary
# deadlocks in glibc's bindtextdomain() at start-up on Debian 12, so the
# extension cannot run under ASan without rebuilding PostgreSQL.)
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$(pwd)
WORK=$(mktemp -d "${RUN_DIR:-${TMPDIR:-/tmp}}/stress.XXXXXX")
chmod 755 "$WORK"
mkdir -p "$WORK/valgrind"
[ "$(id -u)" = 0 ] && chown postgres "$WORK/valgrind"
as_owner() { if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi; }
status=0
cleanup() {
    [ -n "${PGI_DIR:-}" ] && scripts/pg-cluster.sh stop >/dev/null 2>&1
    [ $status -eq 0 ] && [ "${KEEP_RUN_DIR:-0}" != 1 ] && rm -rf "$WORK"
    return 0
}
trap cleanup EXIT

echo "==> cluster (private tree), then postgres wrapped in valgrind"
eval "$(PGI_PRELOAD= scripts/pg-cluster.sh start)"
as_owner pg_ctl -D "$PGI_DIR/data" -m fast -w stop >/dev/null
mv "$PGI_BINDIR/postgres" "$PGI_BINDIR/postgres.bin"
cat >"$PGI_BINDIR/postgres" <<WRAP
#!/bin/sh
exec valgrind --quiet --error-limit=no --num-callers=30 --leak-check=no --suppressions=$ROOT/scripts/valgrind.supp \\
    --log-file=$WORK/valgrind/%p.log "\$(dirname "\$0")/postgres.bin" "\$@"
WRAP
chmod 755 "$PGI_BINDIR/postgres"
as_owner pg_ctl -D "$PGI_DIR/data" -l "$PGI_DIR/log/server.log" -w -t 300 start >/dev/null

echo "==> pg_regress under valgrind"
make -C "$ROOT" -s installcheck PGDATABASE=contrib_regression \
    EXTRA_REGRESS_OPTS="--outputdir=$WORK/regress --use-existing" || status=1
as_owner pg_ctl -D "$PGI_DIR/data" -m fast -w stop >/dev/null || status=1

ours=() theirs=0
for log in "$WORK"/valgrind/*.log; do
    [ -s "$log" ] || continue
    if grep -qE '\.(cpp|h):[0-9]+\)|/pg_intent\.so\)' "$log"; then ours+=("$log"); else theirs=$((theirs + 1)); fi
done
echo "    processes run under valgrind: $(ls "$WORK/valgrind" | wc -l); with reports inside PostgreSQL only: $theirs"
if [ ${#ours[@]} -gt 0 ]; then
    echo "memcheck reports involving pg_intent:" >&2
    head -80 "${ours[@]}" >&2
    status=1
fi
if grep -E 'terminated by signal|was terminated' "$PGI_DIR/log/server.log" >&2; then status=1; fi
[ $status -eq 0 ] || head -100 "$WORK/regress/regression.diffs" 2>/dev/null || true
[ $status -eq 0 ] && echo "    no memcheck report involves pg_intent"
exit $status
