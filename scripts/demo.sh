#!/usr/bin/env bash
# The main job: on a throwaway local cluster, capture support-chat
# interactions from the bundled Spanish e-commerce dataset, submit human
# corrections, train and deploy a model inside PostgreSQL, print the run's
# metrics and report, and classify new messages. Installs what is missing
# (apt, as root), builds and installs the extension, and always stops the
# cluster at the end.
set -euo pipefail
cd "$(dirname "$0")/.."
export PGI_PORT=${PGI_PORT:-54350}
export PGI_CRON_DB=pg_intent_demo

scripts/install-deps.sh
echo "==> building and installing pg_intent"
make -s -j2 >/dev/null
make -s install >/dev/null

trap 'scripts/pg-cluster.sh stop' EXIT
scripts/pg-cluster.sh start
eval "$(scripts/pg-cluster.sh env)"
echo "==> throwaway cluster on socket $PGHOST, port $PGPORT"
psql -X -q -v ON_ERROR_STOP=1 -d pg_intent_demo -f scripts/demo.sql
