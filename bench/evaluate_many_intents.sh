#!/usr/bin/env bash
# Memory and time of evaluate_intent_model() (open to PUBLIC) with a model of
# many intents: the backend's peak RSS and the size of the result for 1 and
# for 2,000 evaluated rows, for this checkout and, with --base REV, for the
# build of revision REV in a cluster of its own. Asserts nothing.
#
#   bench/evaluate_many_intents.sh                   # 2,000 intents
#   bench/evaluate_many_intents.sh --base de3bd7a --intents 2000
#
# The model: synthetic, `--intents` intents of 10 rows each (three words
# shared by an intent's rows, three random ones from a 20,000-word
# vocabulary), trained with the CLI's defaults. Peak RSS includes the loaded
# model itself.
set -euo pipefail
cd "$(dirname "$0")/.."
INTENTS=2000 BASE=
while [ $# -gt 0 ]; do
    case "$1" in
    --intents) INTENTS=$2; shift ;;
    --base) BASE=$2; shift ;;
    *) echo "usage: $0 [--intents N] [--base REV]" >&2; exit 2 ;;
    esac
    shift
done
. bench/lib.bash
make -s -j2 >/dev/null
cmake -S . -B build/release -DCMAKE_BUILD_TYPE=Release >/dev/null
cmake --build build/release -j2 --target pg-intent >/dev/null
load_start=$(bench_load)

/usr/bin/python3 - "$INTENTS" "$BENCH_TMP/data.csv" <<'PY'
import csv, random, sys
k, path = int(sys.argv[1]), sys.argv[2]
rng = random.Random(3)
vocab = ["w%d" % i for i in range(20000)]
with open(path, "w", newline="") as f:
    w = csv.writer(f)
    w.writerow(["split", "text", "intent"])
    for c in range(k):
        core = rng.sample(vocab, 3)
        for _ in range(10):
            w.writerow(["train", " ".join(core + rng.sample(vocab, 3)), "i%d" % c])
PY
model=$BENCH_TMP/model.bin
build/release/pg-intent train --data "$BENCH_TMP/data.csv" --split train --model "$model" >/dev/null
chmod 755 "$BENCH_TMP"
chmod 644 "$model"

# Peak RSS and time of each evaluation in the current cluster.
measure() { # label
    psql -c "SET client_min_messages = warning" -c "CREATE EXTENSION pg_intent" >/dev/null
    psql >/dev/null <<SQL
INSERT INTO ai_intent_models (version, algorithm, model, size_bytes, sha256, intents, confidence_threshold)
SELECT 'many', 'linear_svm', b, length(b), encode(sha256(b), 'hex'),
       ARRAY(SELECT jsonb_array_elements_text(intent_model_info(b) -> 'intents')), 0.5
  FROM (SELECT pg_read_binary_file('$model') AS b) AS s;
SQL
    local id rows q out
    id=$(psql -At -c "SELECT id FROM ai_intent_models WHERE version = 'many'")
    for rows in 1 2000; do
        q="SELECT length(evaluate_intent_model($id, \$\$SELECT 'w' || g || ' w7', 'i' || (g % $INTENTS) FROM generate_series(1, $rows) AS g\$\$)::text)"
        out=$(/usr/bin/python3 bench/train_peak.py "$q")
        /usr/bin/python3 - "$1" "$rows" "$out" <<'PY'
import json, sys
label, rows, r = sys.argv[1], sys.argv[2], json.loads(sys.argv[3])
print(f"| {label} | {rows} | {r['backend_peak_rss_kb'] / 1024:.0f} | {r['statement_ms'] / 1000:.2f} | {int(r['result']) / 1024:.0f} |")
PY
    done
}

echo "| build | rows evaluated | backend peak RSS MB | statement s | result kB |"
echo "|---|---|---|---|---|"
if [ -n "$BASE" ]; then
    base_src=$BENCH_TMP/base-src
    mkdir -p "$base_src"
    git archive "$BASE" | tar -x -C "$base_src"
    make -C "$base_src" -s -j2 >/dev/null
    PGI_SOURCE=$base_src bench_start_cluster base_dir
    measure "base $BASE"
fi
bench_start_cluster dir
measure "this checkout ($(git rev-parse --short HEAD))"
echo
echo "- $INTENTS intents, model $(($(stat -c %s "$model") / 1048576)) MB; machine: $(bench_machine); load average $load_start at the start, $(bench_load) at the end"
