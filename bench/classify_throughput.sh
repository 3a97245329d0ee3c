#!/usr/bin/env bash
# classify_intent() throughput inside one query: rows per second on one core
# (max_parallel_workers_per_gather = 0) and with 2 parallel workers, over a
# table of CLINC150 val messages (the 3,000-row split repeated).
#
#   bench/classify_throughput.sh                    # 200,000 rows, 5 rounds
#   bench/classify_throughput.sh --rows 500000 --rounds 3
#
# The model is trained on the CLINC150 train split (15,000 rows, 150 intents,
# the extension's defaults). The query is
#   SELECT count(*) FILTER (WHERE classify_intent(text) <> 'uncertain') FROM messages
# (every row is classified). Every timed query runs in one psql session
# (\timing) that has already loaded the model, so the leader's model load is
# not timed; a parallel query's workers are new processes that each load the
# model on their first call, and that load is part of the query's time (it
# is what a parallel query costs). The load of one backend is measured
# separately (first call in a new session minus the second). Rounds
# interleave: scan alone (count(text), 0 workers), classify with 0 workers,
# classify with 2 workers; the table shows the median [min-max] over rounds.
# One EXPLAIN ANALYZE checks that the parallel plan really launched its
# workers. Asserts nothing. Run from the repository root.
set -euo pipefail
cd "$(dirname "$0")/.."

ROWS=200000 ROUNDS=5
while [ $# -gt 0 ]; do
    case "$1" in
    --rows) ROWS=$2; shift ;;
    --rounds) ROUNDS=$2; shift ;;
    *) echo "usage: $0 [--rows N] [--rounds R]" >&2; exit 2 ;;
    esac
    shift
done

. bench/lib.bash
scripts/install-deps.sh bench
make -s -j2 >/dev/null
load_start=$(bench_load)

bench_start_cluster cluster
echo "== loading CLINC150 and training" >&2
bench_load_clinc
bench_train_clinc
psql >/dev/null <<SQL
CREATE TABLE messages AS
SELECT v.text
  FROM generate_series(1, ceil($ROWS / 3000.0)::int) g,
       (SELECT ord, text FROM clinc WHERE split = 'val') v
 ORDER BY g, v.ord
 LIMIT $ROWS;
VACUUM ANALYZE messages;
SQL
rows=$(psql -At -c "SELECT count(*) FROM messages")
table_mb=$(psql -At -c "SELECT round(pg_table_size('messages') / 1048576.0, 1)")

# Model load in a new backend: first call minus second call, 3 sessions.
load_ms=()
for _ in 1 2 3; do
    t=$(psql -c '\timing on' -c "SELECT classify_intent('how do i transfer money')" \
        -c "SELECT classify_intent('how do i transfer money')" | sed -nE 's/^Time: ([0-9.]+) ms.*/\1/p' | tr '\n' ' ')
    load_ms+=("$(echo "$t" | awk '{printf "%.1f", $1 - $2}')")
done

echo "== $ROUNDS rounds over $rows rows" >&2
serial="SET max_parallel_workers_per_gather = 0;"
parallel="SET max_parallel_workers_per_gather = 2; SET parallel_setup_cost = 0; SET parallel_tuple_cost = 0;
SET min_parallel_table_scan_size = 0; SET parallel_leader_participation = on;"
query="SELECT count(*) FILTER (WHERE classify_intent(text) <> 'uncertain') FROM messages;"
scan="SELECT count(text) FROM messages;"
{
    echo "SELECT classify_intent('warm up');" # the leader loads the model here
    echo '\timing on'
    for r in $(seq 1 "$ROUNDS"); do
        echo "\\echo round $r scan"
        echo "$serial $scan"
        echo "\\echo round $r serial"
        echo "$serial $query"
        echo "\\echo round $r parallel"
        echo "$parallel $query"
    done
} >"$BENCH_TMP/rounds.sql"
psql -f "$BENCH_TMP/rounds.sql" >"$BENCH_TMP/rounds.out"
# The last "Time:" after each "round R kind" marker is the SELECT's.
awk '/^round / {key = $2 " " $3; next} /^Time: / {t[key] = $2} END {for (k in t) print k, t[k]}' \
    "$BENCH_TMP/rounds.out" | sort -n >"$BENCH_TMP/times.txt"
cp "$BENCH_TMP/times.txt" "$OUT/classify_throughput_raw.txt"
psql -c "$parallel" -c "EXPLAIN (ANALYZE, COSTS OFF, TIMING OFF) $query" >"$OUT/classify_throughput_plan.txt"
workers=$(sed -nE 's/.*Workers Launched: ([0-9]+).*/\1/p' "$OUT/classify_throughput_plan.txt" | head -1)

/usr/bin/python3 - "$BENCH_TMP/times.txt" "$rows" "$table_mb" "$ROUNDS" "$(bench_machine)" "$load_start" \
    "$(bench_load)" "$(git rev-parse --short HEAD)" "${workers:-0}" "${load_ms[*]}" <<'PY' | tee "$OUT/classify_throughput.md"
import collections, statistics, sys
path, rows, table_mb, rounds, machine, load0, load1, commit, workers, load_ms = sys.argv[1:]
rows = int(rows)
t = collections.defaultdict(dict)
for line in open(path):
    r, kind, ms = line.split()
    t[kind][int(r)] = float(ms)

def med(values):
    return f"{statistics.median(values):,.0f} [{min(values):,.0f}-{max(values):,.0f}]"

print(f"- machine: {machine}; load average {load0} at the start, {load1} at the end; commit {commit}")
print(f"- {rows:,} rows ({table_mb} MB): CLINC150 val messages repeated; model trained on the CLINC150 train split "
      f"(15,000 rows, 150 intents, defaults)")
print(f"- query: SELECT count(*) FILTER (WHERE classify_intent(text) <> 'uncertain') FROM messages; "
      f"{rounds} rounds, median [min-max]; parallel plan: {workers} workers launched (EXPLAIN ANALYZE)")
print(f"- model load in a new backend (first call minus second, 3 sessions): {', '.join(load_ms.split())} ms; "
      f"each parallel worker pays it inside the parallel query's time")
print()
print("| configuration | query ms | rows/s | wall µs per row ((query - scan alone) / rows) |")
print("|---|---|---|---|")
scan = t["scan"]
print(f"| scan alone, count(text), 0 workers | {med(list(scan.values()))} | | |")
for kind, label in (("serial", "classify_intent, 0 workers (one core)"),
                    ("parallel", "classify_intent, 2 workers + leader")):
    ms = list(t[kind].values())
    rps = [rows / (v / 1000) for v in ms]
    per = [(t[kind][r] - scan[r]) * 1000 / rows for r in t[kind]]
    print(f"| {label} | {med(ms)} | {med(rps)} | "
          f"{statistics.median(per):.2f} [{min(per):.2f}-{max(per):.2f}] |")
sp = [t["serial"][r] / t["parallel"][r] for r in t["serial"]]
print()
print(f"Parallel speedup (serial ms / parallel ms, per round): median {statistics.median(sp):.2f}x "
      f"[{min(sp):.2f}-{max(sp):.2f}] on {machine.split()[0]} CPUs shared with other work.")
PY
