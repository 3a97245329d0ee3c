#!/usr/bin/env bash
# Installs the extension and runs pg_regress against the running throwaway
# cluster (scripts/pg-cluster.sh start). `make install` writes to the shared
# system directories, so install + test run under one machine-wide lock.
#   scripts/regress.sh              # every test in sql/
#   scripts/regress.sh dataset ...  # only these
set -euo pipefail
cd "$(dirname "$0")/.."
eval "$(scripts/pg-cluster.sh env)"
export PGDATABASE=contrib_regression
make -s -j2 >/dev/null
args=()
[ $# -gt 0 ] && args=(REGRESS="$*")
exec 9>/tmp/pg_intent_install.lock
flock 9
make -s install >/dev/null
make -s installcheck "${args[@]}" || {
    [ -f regression.diffs ] && head -200 regression.diffs
    exit 1
}
