#!/usr/bin/env bash
# How well ai_review_queue ranks label errors: flips 5 % of the training
# labels of CLINC150 and HWU64 (train splits) at random, trains in the
# database and reads the queue (bench/review_queue.py). Starts its own
# throwaway cluster and prints a markdown table; asserts nothing.
#   bench/review_queue.sh                      # seeds 1,2,3 on both datasets
#   bench/review_queue.sh --seeds 7 --only HWU64
set -euo pipefail
cd "$(dirname "$0")/.."
DATASETS=${DATASETS:-../shared/datasets}
[ -d "$DATASETS" ] || DATASETS=/work/shared/datasets
make -s -j2 >/dev/null
unset PGI_DIR
eval "$(scripts/pg-cluster.sh start)"
trap 'scripts/pg-cluster.sh stop' EXIT
echo "machine: $(nproc) cores, load average $(cut -d' ' -f1-3 /proc/loadavg) at the start" >&2
/usr/bin/python3 bench/review_queue.py --datasets "$DATASETS" "$@"
echo "load average $(cut -d' ' -f1-3 /proc/loadavg) at the end" >&2
