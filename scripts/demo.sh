#!/usr/bin/env bash
# The main job: on a throwaway local cluster, capture support-chat
# interactions from the bundled Spanish e-commerce dataset, submit human
# corrections, train and deploy a model inside PostgreSQL, print the run's
# metrics and report, and classify new messages. Installs what is missing
# (apt, as root), builds the extension, installs it into a private copy of
# the PostgreSQL tree (never into the system's), and always stops the
# cluster at the end.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/lib/phases.bash
export PGI_CRON_DB=pg_intent_demo

phase "dependencies (apt-get for what is missing)"
scripts/install-deps.sh demo
phase "building pg_intent"
with_build_lock make -s -j2 >/dev/null
phase "throwaway cluster"
eval "$(scripts/pg-cluster.sh start)"
trap 'scripts/pg-cluster.sh stop' EXIT
echo "    socket $PGHOST, port $PGPORT"
phase "the demo (scripts/demo.sql)"
psql -X -q -v ON_ERROR_STOP=1 -d pg_intent_demo -f scripts/demo.sql
phase "done"
