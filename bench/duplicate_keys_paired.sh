#!/usr/bin/env bash
# Paired timing of train_classifier() with {"deploy": "never"} on a keyed
# source of 200,000 rows with unique keys (data/ecommerce_es.csv's texts with
# a number appended, keys 'key-N-md5(N)'), two builds alternated in the order
# AB BA AB BA, the server restarted to load each: b2 has no active model, b
# has one. Prints each run's time and backend peak (bench/train_peak.py).
# Expects a running cluster whose env is in /tmp/dup_keys_env.sh
# (scripts/pg-cluster.sh env), database dkbench with table b_src(k, prompt,
# route) and classifier b (deployed once), and the two builds' libraries as
# /tmp/dup_keys_old.so and /tmp/dup_keys_new.so. Results:
# bench/results/2026-12-01-vm-duplicate-keys.md.
set -euo pipefail
source /tmp/dup_keys_env.sh
cd /work/fix_dup_keys
export PGDATABASE=dkbench
SO=$PGI_DIR/pg/usr/lib/postgresql/15/lib/pg_intent.so
restart() { runuser -u postgres -- $PGI_BINDIR/pg_ctl -D $PGI_DIR/data -l $PGI_DIR/log/server.log -w -t 60 restart >/dev/null; }
psql -X -q -At -c "SELECT create_classifier('b2', 'b_src', 'prompt', 'route', '{\"key_column\": \"k\", \"seed\": 1}') ->> 'name'" >/dev/null
for round in 1 2 3 4; do
  for cls in b2 b; do
    for side in $( [ $((round % 2)) = 1 ] && echo "old new" || echo "new old"); do
      cp /tmp/dup_keys_$side.so $SO; restart
      out=$(python3 bench/train_peak.py "SELECT (t ->> 'status') || ' ' || (t ->> 'deployed') FROM train_classifier('$cls', NULL, '{\"deploy\": \"never\"}') AS t")
      echo "cls=$cls round=$round side=$side $out"
    done
  done
done
cp /tmp/dup_keys_new.so $SO; restart
