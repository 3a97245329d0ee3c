#!/usr/bin/env bash
# What rows nobody reviewed cost one training run, with and without the
# policy's max_unreviewed_rows: the demo's 336 rows, approved, and N logged
# rows of about 2 kB each (62 md5 words, three made-up labels), as any role
# that may log interactions can write them; one train_intent_model() per
# bound, on one throwaway cluster.
#
#   bench/unreviewed_flood.sh                    # N=20000, bounds 1000000000 and 5000
#   N=50000 BOUNDS="1000000000 50000 5000" bench/unreviewed_flood.sh
#
# Writes bench/results/<date>-<machine>-unreviewed-flood.md.
set -euo pipefail
cd "$(dirname "$0")/.."
source bench/lib.bash
N=${N:-20000}
BOUNDS=${BOUNDS:-1000000000 5000}
RESULT=${RESULT:-bench/results/$(date -u +%F)-$(hostname -s)-unreviewed-flood.md}

bench_start_cluster cluster
psql -c "CREATE EXTENSION IF NOT EXISTS pg_intent" >/dev/null
psql <<SQL >/dev/null
CREATE TABLE demo_rows (split text, text text, intent text);
\copy demo_rows FROM 'data/ecommerce_es.csv' WITH (FORMAT csv, HEADER true)
INSERT INTO ai_training_data (user_message, detected_intent, confidence_score, source, dataset_status)
SELECT text, intent, 90, 'synthetic', 'approved' FROM demo_rows WHERE split = 'train';
INSERT INTO ai_training_data (user_message, detected_intent, confidence_score, source)
SELECT string_agg(md5(g::text || '-' || k), ' '), (ARRAY['spam_a', 'spam_b', 'spam_c'])[1 + g % 3], 90, 'synthetic'
  FROM generate_series(1, $N) AS g, generate_series(1, 62) AS k GROUP BY g;
VACUUM ANALYZE ai_training_data;
SQL
{
echo "# Rows nobody reviewed: what they cost one run"
echo
echo "$(date -u '+%F %H:%M') UTC, $(bench_machine), load $(bench_load), commit $(git rev-parse --short HEAD)$(git diff --quiet || echo '+dirty')."
echo "Command: \`N=$N BOUNDS=\"$BOUNDS\" bench/unreviewed_flood.sh\`. Rows: $(psql -At -c "SELECT count(*) FILTER (WHERE is_reviewed) || ' reviewed, ' || count(*) FILTER (WHERE NOT is_reviewed) || ' unreviewed of ' || (avg(octet_length(user_message)) FILTER (WHERE NOT is_reviewed))::int || ' bytes on average' FROM ai_training_data")."
echo
echo "| max_unreviewed_rows | rows read | seconds |"
echo "|---:|---:|---:|"
for b in $BOUNDS; do
    psql -c "UPDATE ai_training_policy SET max_unreviewed_rows = $b" >/dev/null
    start=$(date +%s.%N)
    rows=$(psql -At -c "SET client_min_messages = warning" -c "SELECT train_intent_model('bound $b', 'full', '{\"seed\": 1, \"deploy\": \"never\"}') ->> 'training_samples'")
    end=$(date +%s.%N)
    printf '| %s | %s | %.1f |\n' "$b" "$rows" "$(echo "$end - $start" | bc)"
done
} | tee "$RESULT"
