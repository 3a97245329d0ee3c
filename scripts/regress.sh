#!/usr/bin/env bash
# pg_regress against a throwaway cluster that this script starts and stops
# (or the one PGI_DIR names, kept running):
#   scripts/regress.sh              # every test in test/sql/
#   scripts/regress.sh dataset ...  # only these
set -euo pipefail
cd "$(dirname "$0")/.."
if [ -n "${PGI_DIR:-}" ] && [ -f "$PGI_DIR/env.sh" ]; then
    eval "$(scripts/pg-cluster.sh env)"
    scripts/pg-cluster.sh install
else
    eval "$(scripts/pg-cluster.sh start)"
    trap 'scripts/pg-cluster.sh stop' EXIT
fi
out=$(mktemp -d "${TMPDIR:-/tmp}/pg_intent_regress.XXXXXX")
args=()
[ $# -gt 0 ] && args=(REGRESS="$*")
if ! make -s installcheck PGDATABASE=contrib_regression \
    EXTRA_REGRESS_OPTS="--outputdir=$out --use-existing" "${args[@]}"; then
    head -200 "$out/regression.diffs" 2>/dev/null
    echo "output kept in $out" >&2
    exit 1
fi
rm -rf "$out"
