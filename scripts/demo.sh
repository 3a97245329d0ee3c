#!/usr/bin/env bash
# pg_intent's story on Spanish support chat (data/ecommerce_es.csv), told by
# scripts/demo.sql: capture, corrections and reviews, a first training, new
# rows and a second training through the deploy gate with its decision
# explained, the review queue's top suspects and a third training, predictions
# with abstentions, and the HTML report written to a file. docs/demo.md
# describes the steps.
#
#   scripts/demo.sh             installs what is missing (apt, as root:
#                               scripts/install-deps.sh demo), builds, starts a
#                               private cluster (scripts/pg-cluster.sh: its own
#                               copy of the PostgreSQL tree, socket directory
#                               and free port; the server runs as postgres when
#                               we are root), tells the story, removes the cluster
#   KEEP=1 scripts/demo.sh      the same, but the cluster stays: it prints the
#                               psql command that connects and the one that stops it
#   scripts/demo.sh --story     the story only, against the cluster the PG*
#                               variables point at, in database DEMO_DB (default
#                               pg_intent_demo), which must hold no interactions
#                               yet (test/scripts/demo.sh runs it this way)
#
# DEMO_OUT: the directory of the HTML report (default /tmp/pg_intent_demo;
# the report is $DEMO_OUT/informe.html) and of the install and build logs.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/lib/phases.bash

story_only=0
case "${1:-}" in
--story) story_only=1 ;;
"") ;;
*)
    echo "usage: [KEEP=1] $0 [--story]" >&2
    exit 2
    ;;
esac
DEMO_DB=${DEMO_DB:-pg_intent_demo}
DEMO_OUT=${DEMO_OUT:-/tmp/pg_intent_demo}
REPORT=$DEMO_OUT/informe.html
mkdir -p "$DEMO_OUT"

now_ms() { date +%s%3N; }
seconds_since() { # ms -> "12.3 s"
    local ms=$(($(now_ms) - $1))
    printf '%d.%d s' $((ms / 1000)) $((ms % 1000 / 100))
}

story() {
    local started
    started=$(now_ms)
    rm -f "$REPORT"
    psql -X -q -v ON_ERROR_STOP=1 -v report="$REPORT" -d "$DEMO_DB" -f scripts/demo.sql
    if [ ! -s "$REPORT" ]; then
        echo "the HTML report $REPORT was not written" >&2
        return 1
    fi
    printf '   Informe escrito en %s (%d KB): ábrelo en un navegador.\n' "$REPORT" \
        $((($(stat -c %s "$REPORT") + 1023) / 1024))
    printf '\nHistoria completa en %s (story time, after the build).\n' "$(seconds_since "$started")"
}

if [ $story_only = 1 ]; then
    story
    exit 0
fi

export PGI_CRON_DB=$DEMO_DB # pg-cluster.sh creates this database

phase "dependencias (scripts/install-deps.sh demo: apt-get de lo que falte)"
run_talking "$DEMO_OUT/deps.log" "instalando" show_all scripts/install-deps.sh demo ||
    { tail -20 "$DEMO_OUT/deps.log"; echo "dependency installation failed ($DEMO_OUT/deps.log)" >&2; exit 1; }

phase "compilando pg_intent (make -j2)"
build_started=$(date +%s)
MAKE_STEPS=$(make -n 2>/dev/null | grep -cE ' -c -o [^ ]+\.o [^ ]+$' || true)
export MAKE_STEPS
[ "$MAKE_STEPS" -gt 0 ] || echo "    nada que compilar: la compilación está al día (up to date)"
: >"$DEMO_OUT/build.log"
run_talking "$DEMO_OUT/build.log" "compilando" show_make with_build_lock make -j2 ||
    { tail -30 "$DEMO_OUT/build.log"; echo "build failed ($DEMO_OUT/build.log)" >&2; exit 1; }
build_seconds=$(($(date +%s) - build_started))

phase "clúster privado (copia de PostgreSQL 15, socket propio, puerto libre)"
eval "$(scripts/pg-cluster.sh start)"
keep_or_stop() {
    if [ "${KEEP:-0}" = 1 ]; then
        printf '\nEl clúster sigue en marcha (KEEP=1). Para conectarte:\n'
        printf '    psql -h %s -p %s -U postgres -d %s\n' "$PGHOST" "$PGPORT" "$DEMO_DB"
        printf 'Para pararlo y borrarlo:\n'
        printf '    PGI_DIR=%s %s/scripts/pg-cluster.sh stop\n' "$PGI_DIR" "$PWD"
    else
        scripts/pg-cluster.sh stop
    fi
}
trap keep_or_stop EXIT
echo "    socket $PGHOST, puerto $PGPORT"

phase "la historia (scripts/demo.sql)"
story
printf 'Compilación: %s; total: %s.\n' "$(fmt_seconds "$build_seconds")" "$(elapsed_total)"
