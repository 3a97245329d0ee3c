#!/usr/bin/env bash
# Training from the table at scale: train_intent_model() on 10k, 100k (and,
# when asked, 1M) rows of ai_training_data, against the seed's scikit-learn
# pipeline (bench/peers/sklearn_pipeline.py) on the same rows exported from
# the table.
#
#   bench/scale.sh                          # 10,000 and 100,000 rows
#   bench/scale.sh 10000 100000 1000000     # any sizes; 1M takes long
#   bench/scale.sh --rows 10000,100000,1000000   # the same
#   SKLEARN=0 bench/scale.sh 1000000        # pg_intent only
#   RETRAIN=1 bench/scale.sh 200000         # then a retrain behind the deploy gate:
#                                           # 2,000 new reviewed rows (CLINC150's validation
#                                           # split) and train_intent_model() again,
#                                           # with the first model active
#   PEAK_TIMELINE=/tmp/t bench/scale.sh 200000   # the backend's memory sampled every 2 ms,
#                                           # into /tmp/t.200000 (bench/train_peak.py)
#   THREADS=1 bench/scale.sh 10000          # pg_intent on one training thread
#                                           # (ai_training_policy.max_training_threads),
#                                           # as the seed pipeline fits: the ratio a
#                                           # machine with one free core would see
#
# Rows: the CLINC150 train split (15,000 rows, 150 intents) repeated; copy k
# of a text carries the suffix " ref<k>" (the first copy none), so rows stay
# distinct after de-duplication; sizes below 15,000 take a seeded spread of
# the split (every intent). Each size gets a new database.
#
# Figures:
#   pg_intent s           train_intent_model() with its defaults, psql's \timing
#                          (reading the rows, de-duplication, the out-of-fold
#                          evaluation and refit, storing the model and the run)
#   backend peak RSS      VmHWM of the backend that trained, read from /proc
#                          after the statement and before the session ends
#                          (bench/train_peak.py); shared buffers it touched count
#   of it private         the largest RssAnon sampled every 2 ms: the backend's own
#                          memory (the rest is pages of shared buffers it mapped,
#                          which every backend reading those pages maps too; with
#                          RETRAIN=1 a plain read of the same tables in a new
#                          session is measured beside the retrain as the peer)
#   scikit-learn fit s    Pipeline.fit timed in-process
#   scikit-learn wall s,  /usr/bin/time -v of the whole process (interpreter,
#   peak RSS              imports, CSV reading, fit, pickling)
# and ratios, with time per row from one size to the next. Asserts nothing.
# Run from the repository root.
set -euo pipefail
cd "$(dirname "$0")/.."

SIZES=()
while [ $# -gt 0 ]; do
    case "$1" in
    --rows) IFS=, read -r -a more <<<"$2"; SIZES+=("${more[@]}"); shift ;;
    [0-9]*) SIZES+=("$1") ;;
    *) echo "usage: $0 [--rows N,N,...] [N ...]" >&2; exit 2 ;;
    esac
    shift
done
[ ${#SIZES[@]} -gt 0 ] || SIZES=(10000 100000)
for n in "${SIZES[@]}"; do
    [[ $n =~ ^[0-9]+$ ]] && [ "$n" -gt 0 ] || { echo "not a row count: $n" >&2; exit 2; }
done
SKLEARN=${SKLEARN:-1}
RETRAIN=${RETRAIN:-0}
THREADS=${THREADS:-}
[ -z "$THREADS" ] || [[ $THREADS =~ ^[1-9][0-9]*$ ]] || { echo "THREADS must be a positive integer" >&2; exit 2; }

. bench/lib.bash
scripts/install-deps.sh bench
make -s -j2 >/dev/null
load_start=$(bench_load)

bench_start_cluster cluster
results=$BENCH_TMP/results.jsonl
: >"$results"
for n in "${SIZES[@]}"; do
    db=pgi_scale_$n
    export PGDATABASE=$db
    psql -d postgres -c "CREATE DATABASE $db" >/dev/null
    bench_load_clinc
    echo "== $n rows: loading" >&2
    psql >/dev/null <<SQL
SET client_min_messages = warning;
INSERT INTO ai_training_data (user_message, detected_intent, confidence_score, source)
SELECT CASE WHEN g.k = 0 THEN t.text ELSE t.text || ' ref' || g.k END, t.intent, 100, 'imported'
  FROM generate_series(0, ceil($n / 15000.0)::int - 1) AS g(k),
       (SELECT ord, text, intent FROM clinc WHERE split = 'train') AS t
 ORDER BY g.k, md5(t.ord::text)
 LIMIT $n;
VACUUM ANALYZE ai_training_data;
CHECKPOINT;
SQL
    # The rows are unreviewed ('imported'): since 0.3.2 a run reads at most
    # max_unreviewed_rows of them (default 50,000), so the bound is lifted
    # to train on every row of the size asked.
    psql -c "UPDATE ai_training_policy SET max_unreviewed_rows = 1000000000" >/dev/null
    [ -z "$THREADS" ] || psql -c "UPDATE ai_training_policy SET max_training_threads = $THREADS" >/dev/null
    echo "== $n rows: pg_intent training" >&2
    # A failed statement (out of memory, for instance) is recorded, and the
    # next size still runs.
    # PEAK_TIMELINE=FILE: each size's samples in FILE.<rows> (bench/train_peak.py).
    if ! pg=$(PEAK_TIMELINE=${PEAK_TIMELINE:+$PEAK_TIMELINE.$n} /usr/bin/python3 bench/train_peak.py \
        "SELECT train_intent_model()::text" 2>"$BENCH_TMP/pg_$n.err"); then
        pg=$(/usr/bin/python3 -c 'import json, sys; print(json.dumps({"error": open(sys.argv[1]).read().strip()[-300:]}))' \
            "$BENCH_TMP/pg_$n.err")
        cat "$BENCH_TMP/pg_$n.err" >&2
    fi
    # The model's bytes, to compare two builds' runs on the same rows.
    sha=$(psql -tA -c "SELECT coalesce(string_agg(encode(sha256(model), 'hex'), ' ' ORDER BY id), '') FROM ai_intent_models")
    retrain=null
    if [ "$RETRAIN" = 1 ]; then
        echo "== $n rows: pg_intent retraining behind the gate" >&2
        psql >/dev/null <<'SQL'
INSERT INTO ai_training_data (user_message, detected_intent, confidence_score, source, dataset_status)
SELECT text, intent, 100, 'imported', 'reviewed' FROM clinc WHERE split = 'val' ORDER BY md5(ord::text) LIMIT 2000;
SQL
        if ! retrain=$(/usr/bin/python3 bench/train_peak.py "SELECT train_intent_model()::text" 2>"$BENCH_TMP/re_$n.err"); then
            cat "$BENCH_TMP/re_$n.err" >&2
            retrain=null
        fi
        # The peer for the shared part of the peak: a new session that only
        # reads the tables the retrain read (the rows, the active run's rows,
        # the active model), as any query over them would.
        plain=$(/usr/bin/python3 bench/train_peak.py "SELECT concat_ws(' ',
            (SELECT count(*) FROM ai_training_data WHERE user_message IS NOT NULL),
            (SELECT count(*) FROM ai_training_run_rows WHERE intent IS NOT NULL),
            (SELECT sum(length(model)) FROM ai_intent_models))")
        retrain=$(/usr/bin/python3 -c 'import json, sys; r = json.loads(sys.argv[1]); r["plain_read"] = json.loads(sys.argv[2]); print(json.dumps(r))' \
            "$retrain" "$plain")
    fi
    sk=null
    if [ "$SKLEARN" = 1 ]; then
        echo "== $n rows: scikit-learn training" >&2
        csv=$BENCH_TMP/rows_$n.csv
        psql -c "\copy (SELECT 'train' AS split, user_message AS text, detected_intent AS intent FROM ai_training_data) TO '$csv' WITH (FORMAT csv, HEADER true)"
        if /usr/bin/time -v -o "$BENCH_TMP/time_$n.txt" /usr/bin/python3 bench/peers/sklearn_pipeline.py train \
            --data "$csv" --split train --model "$BENCH_TMP/sk_$n.pkl" >"$BENCH_TMP/sk_$n.json"; then
            sk=$(/usr/bin/python3 - "$BENCH_TMP/sk_$n.json" "$BENCH_TMP/time_$n.txt" <<'PY'
import json, re, sys
r = json.load(open(sys.argv[1]))
t = open(sys.argv[2]).read()
rss = int(re.search(r"Maximum resident set size \(kbytes\): (\d+)", t).group(1))
wall = re.search(r"Elapsed \(wall clock\) time \(h:mm:ss or m:ss\): (\S+)", t).group(1)
secs = 0.0
for part in wall.split(":"):
    secs = secs * 60 + float(part)
print(json.dumps({"fit_s": r["train_seconds"], "wall_s": secs, "peak_rss_kb": rss, "rows": r["rows"]}))
PY
)
        else
            echo "scikit-learn failed on $n rows (see above); left out" >&2
        fi
        rm -f "$csv" "$BENCH_TMP/sk_$n.pkl"
    fi
    echo "{\"rows\": $n, \"pg\": $pg, \"sklearn\": $sk, \"retrain\": $retrain, \"model_sha256\": \"$sha\"}" >>"$results"
    export PGDATABASE=postgres
    psql -c "DROP DATABASE $db" >/dev/null
done
cp "$results" "$OUT/scale_raw.jsonl"

/usr/bin/python3 - "$results" "$(bench_machine)" "$load_start" "$(bench_load)" "$(git rev-parse --short HEAD)" <<'PY' |
import json, os, sys
path, machine, load0, load1, commit = sys.argv[1:]
rows = [json.loads(l) for l in open(path)]
print(f"- machine: {machine}; load average {load0} at the start, {load1} at the end; commit {commit}")
if os.environ.get("THREADS"):
    print(f"- pg_intent training threads: {os.environ['THREADS']} (ai_training_policy.max_training_threads)")
print("- rows: the CLINC150 train split repeated with distinct suffixes; train_intent_model() with its defaults "
      "(out-of-fold evaluation, refit on every row); the seed's scikit-learn pipeline on the same rows exported from the table")
print()
print("| rows | pg_intent train s | µs per row | backend peak RSS MB | of it private MB | accuracy (run status, evaluation) | scikit-learn fit s | process wall s | peak RSS MB | train speedup (sklearn fit / pg_intent) | peak RSS sklearn / pg_intent |")
print("|---|---|---|---|---|---|---|---|---|---|---|")
for r in rows:
    pg, sk, n = r["pg"], r["sklearn"], r["rows"]
    if "error" in pg:
        print(f"| {n:,} | failed: {pg['error'].splitlines()[-1] if pg['error'] else 'error'} | | | | | | | | | |")
        continue
    res = json.loads(pg["result"])
    pg_s = pg["statement_ms"] / 1000
    acc = (res.get("final_metrics") or {}).get("accuracy")
    line = (f"| {n:,} | {pg_s:.1f} | {pg_s / n * 1e6:.0f} | {pg['backend_peak_rss_kb'] / 1024:,.0f} "
            f"| {pg['backend_peak_private_kb'] / 1024:,.0f} "
            f"| {'n/a' if acc is None else f'{acc:.4f}'} ({res.get('status')}, {res.get('evaluation')}) ")
    if sk:
        line += (f"| {sk['fit_s']:.1f} | {sk['wall_s']:.1f} | {sk['peak_rss_kb'] / 1024:,.0f} "
                 f"| {sk['fit_s'] / pg_s:.1f}x | {sk['peak_rss_kb'] / pg['backend_peak_rss_kb']:.1f}x |")
    else:
        line += "| | | | | |"
    print(line)
print()
retrains = [r for r in rows if r.get("retrain")]
if retrains:
    print("Retraining behind the deploy gate (2,000 new reviewed rows, the first model active):")
    print()
    print("| rows | pg_intent train s | backend peak RSS MB | of it private MB (RssAnon) | shared buffers MB (RssShmem) "
          "| a plain read of the same tables: peak RSS MB, shared MB | run status | deploy reason (evidence) |")
    print("|---|---|---|---|---|---|---|---|")
    for r in retrains:
        re_, res = r["retrain"], json.loads(r["retrain"]["result"])
        plain = re_.get("plain_read") or {}
        print(f"| {r['rows']:,} | {re_['statement_ms'] / 1000:.1f} | {re_['backend_peak_rss_kb'] / 1024:,.0f} "
              f"| {re_['backend_peak_private_kb'] / 1024:,.0f} | {re_['backend_peak_shared_kb'] / 1024:,.0f} "
              f"| {plain.get('backend_peak_rss_kb', 0) / 1024:,.0f}, {plain.get('backend_peak_shared_kb', 0) / 1024:,.0f} "
              f"| {res.get('status')} | {res.get('deploy_reason')} ({res.get('deploy_evidence')}) |")
    print()
for r in rows:
    if r.get("model_sha256"):
        print(f"- model bytes at {r['rows']:,} rows: sha256 {r['model_sha256']}")
ok = [r for r in rows if "error" not in r["pg"]]
for a, b in zip(ok, ok[1:]):
    pa = a["pg"]["statement_ms"] / a["rows"]
    pb = b["pg"]["statement_ms"] / b["rows"]
    text = f"- time per row, {a['rows']:,} -> {b['rows']:,} rows: pg_intent {pb / pa:.2f}x"
    if a["sklearn"] and b["sklearn"]:
        text += f", scikit-learn {(b['sklearn']['fit_s'] / b['rows']) / (a['sklearn']['fit_s'] / a['rows']):.2f}x"
    print(text)
PY
    tee "$OUT/scale.md"
