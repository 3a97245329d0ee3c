#!/usr/bin/env bash
# How long ai_review_queue takes with many pending rows: the first page
# (LIMIT 20, what a reviewer's screen reads) and the whole queue, for this
# checkout's view and, with --base REV, for the view of revision REV created
# in the same database (the two must return the same rows in the same order;
# the script checks an md5 of the whole queue).
#
#   bench/review_queue_scale.sh                       # 100,000 pending rows
#   bench/review_queue_scale.sh --rows 300000 --base 0b384d9
#
# A model is trained on CLINC150's train split (15,000 rows); the pending
# rows are its texts with a numbered prefix, logged as live predictions of
# that model. JIT off (its compile time is not the view's). Asserts no timing.
set -euo pipefail
cd "$(dirname "$0")/.."
ROWS=100000 BASE= ROUNDS=3
while [ $# -gt 0 ]; do
    case "$1" in
    --rows) ROWS=$2; shift ;;
    --base) BASE=$2; shift ;;
    --rounds) ROUNDS=$2; shift ;;
    *) echo "usage: $0 [--rows N] [--base REV] [--rounds N]" >&2; exit 2 ;;
    esac
    shift
done
. bench/lib.bash
make -s -j2 >/dev/null
load_start=$(bench_load)
bench_start_cluster dir
bench_load_clinc
bench_train_clinc
psql >/dev/null <<SQL
SET client_min_messages = warning;
INSERT INTO ai_training_data (user_message, detected_intent, confidence_score, source, model_id)
SELECT 'msg ' || g || ' ' || t.text, t.intent, 40 + (g % 60), 'live', (SELECT id FROM ai_intent_models WHERE is_active)
  FROM generate_series(1, ceil($ROWS / 15000.0)::int) AS g,
       (SELECT text, intent FROM clinc WHERE split = 'train') AS t
 LIMIT $ROWS;
VACUUM ANALYZE ai_training_data;
SQL

# The view's definition in revision $1 (empty: this checkout), for schema public.
view_sql() {
    local src=src/sql/33_review_queue.sql
    { if [ -z "$1" ]; then cat "$src"; else git show "$1:$src"; fi; } |
        awk '/CREATE OR REPLACE VIEW @extschema@.ai_review_queue/,/ORDER BY rank;/' | sed 's/@extschema@/public/g'
}
ms() { # statement -> milliseconds
    psql -At -c "SET jit = off" -c '\timing on' -c "$1" | sed -nE 's/^Time: ([0-9.]+) ms.*/\1/p'
}
versions=(current)
[ -n "$BASE" ] && versions=(base current)
echo "| view | pending rows | first page (LIMIT 20) ms | whole queue ms | md5 of the queue |"
echo "|---|---|---|---|---|"
for round in $(seq 1 "$ROUNDS"); do
    for v in "${versions[@]}"; do
        if [ "$v" = base ]; then view_sql "$BASE" | psql; label="base $BASE"; else view_sql "" | psql; label="this checkout ($(git rev-parse --short HEAD))"; fi
        first=$(ms "SELECT count(*) FROM (SELECT id FROM ai_review_queue LIMIT 20) AS s")
        whole=$(ms "SELECT count(*) FROM ai_review_queue")
        sum=$(psql -At -c "SET jit = off" -c "SELECT md5(string_agg(q::text, E'\n' ORDER BY rank)) FROM ai_review_queue AS q" | tail -1)
        echo "| $label, round $round | $(psql -At -c 'SELECT count(*) FROM ai_pending_review') | $first | $whole | ${sum:0:12} |"
    done
done
echo
echo "- machine: $(bench_machine); load average $load_start at the start, $(bench_load) at the end"
