#!/usr/bin/env bash
# Per-statement cost of predict_intent() and of classify_intent() (the label
# alone) beyond SELECT 1, from one pgbench
# client, with the simple and the extended (prepared) protocol:
#
#   bench/statement_cost.sh                  # this checkout
#   bench/statement_cost.sh --base REV       # and the build of git revision REV, same run
#   options: --rounds N (5) --seconds S (5 per pgbench run)
#            --profile (a perf profile of the server during a prepared predict run)
#
# Each round runs every (build, protocol, statement) once for S seconds, in
# turn, so slow phases of a shared machine hit every configuration; the
# table shows the median over rounds and [min-max]. Two figures per run:
#   wall µs   elapsed time per statement (the client's round trip, what an
#             application sees);
#   server µs CPU time of the pgbench backend per statement (from
#             /proc/<pid>/schedstat). It does not count time spent waiting
#             for a CPU, so it moves far less than wall time on a busy machine.
# Both are taken over a window that starts 1 s after the client connected
# (bench/pgbench_window.py): the backend's first call reads and deserialises
# the model, which is not the per-statement cost.
# With --base, both builds also classify every CLINC150 val and oos_val
# message at top_k 1, 3 and 150 and the script checks that predicted_intent,
# confidence, top_intents and uncertain are byte for byte the same.
# Asserts no timing. Run from the repository root.
set -euo pipefail
cd "$(dirname "$0")/.."

ROUNDS=5 SECONDS_PER_RUN=5 BASE= PROFILE=0
while [ $# -gt 0 ]; do
    case "$1" in
    --rounds) ROUNDS=$2; shift ;;
    --seconds) SECONDS_PER_RUN=$2; shift ;;
    --base) BASE=$2; shift ;;
    --profile) PROFILE=1 ;;
    *) echo "usage: $0 [--base REV] [--rounds N] [--seconds S] [--profile]" >&2; exit 2 ;;
    esac
    shift
done

. bench/lib.bash
scripts/install-deps.sh bench
make -s -j2 >/dev/null

MESSAGE="how do i transfer money to my savings account"
HEAD_DESC="$(git rev-parse --short HEAD)$(git diff --quiet HEAD -- src || echo '+uncommitted')"
load_start=$(bench_load)

builds=(current)
declare -A CLUSTER LABEL
LABEL[current]="this checkout ($HEAD_DESC)"
if [ -n "$BASE" ]; then
    base_src=$BENCH_TMP/base-src
    mkdir -p "$base_src"
    git archive "$BASE" | tar -x -C "$base_src"
    echo "== building $BASE in $base_src" >&2
    make -C "$base_src" -s -j2 >/dev/null
    PGI_SOURCE=$base_src bench_start_cluster dir
    CLUSTER[base]=$dir
    LABEL[base]="base $(git rev-parse --short "$BASE")"
    builds=(base current)
fi
bench_start_cluster dir
CLUSTER[current]=$dir

for b in "${builds[@]}"; do
    bench_use_cluster "${CLUSTER[$b]}"
    echo "== ${LABEL[$b]}: loading CLINC150 and training" >&2
    bench_load_clinc
    bench_train_clinc
done

# Byte-identity of the results between the two builds.
identity=""
if [ -n "$BASE" ]; then
    for b in "${builds[@]}"; do
        bench_use_cluster "${CLUSTER[$b]}"
        psql -At -c "SELECT md5(model) FROM ai_intent_models WHERE is_active" >"$BENCH_TMP/$b.model"
        for k in 1 3 150; do
            psql -At -c "SET pg_intent.top_k = $k" -c "
                SELECT c.ord, p.predicted_intent, p.confidence, p.top_intents::text, p.uncertain, classify_intent(c.text)
                FROM clinc c, LATERAL predict_intent(c.text) p
                WHERE c.split IN ('val', 'oos_val') ORDER BY c.ord" >"$BENCH_TMP/$b.top$k"
        done
    done
    if ! cmp -s "$BENCH_TMP/base.model" "$BENCH_TMP/current.model"; then
        identity="the two builds trained different models: results not compared"
    else
        identity="identical"
        for k in 1 3 150; do
            if ! cmp -s "$BENCH_TMP/base.top$k" "$BENCH_TMP/current.top$k"; then
                identity="DIFFERENT at top_k $k"
                diff "$BENCH_TMP/base.top$k" "$BENCH_TMP/current.top$k" | head -5 >&2
            fi
        done
        identity="$identity ($(wc -l <"$BENCH_TMP/current.top3") messages x top_k 1, 3, 150; same model, md5 $(cat "$BENCH_TMP/current.model"))"
    fi
fi

printf 'SELECT 1;\n' >"$BENCH_TMP/select1.sql"
printf "SELECT * FROM predict_intent('%s');\n" "$MESSAGE" >"$BENCH_TMP/predict.sql"
# The label alone: one text column, no function scan.
printf "SELECT classify_intent('%s');\n" "$MESSAGE" >"$BENCH_TMP/classify.sql"
# The same, with a different message each time: 1,000 val messages looked up
# by id, against the lookup alone.
for b in "${builds[@]}"; do
    bench_use_cluster "${CLUSTER[$b]}"
    bench_load_messages 1000
done
bench_rotating_scripts predict_rotating 1000
# One measured pgbench run: prints "wall_us server_us".
run_one() {
    /usr/bin/python3 bench/pgbench_window.py --warmup 1 --seconds "$SECONDS_PER_RUN" -- \
        -M "$1" -c 1 -j 1 -f "$2" |
        /usr/bin/python3 -c 'import json, sys; r = json.load(sys.stdin); print("%.2f %.2f" % (r["wall_us"], r["server_cpu_us"]))'
}

results=$BENCH_TMP/results.txt
: >"$results"
for r in $(seq 1 "$ROUNDS"); do
    echo "== round $r of $ROUNDS" >&2
    for b in "${builds[@]}"; do
        bench_use_cluster "${CLUSTER[$b]}"
        for mode in simple prepared; do
            for stmt in select1 predict classify lookup predict_rotating; do
                echo "$r $b $mode $stmt $(run_one "$mode" "$BENCH_TMP/$stmt.sql")" >>"$results"
            done
        done
    done
done
cp "$results" "$OUT/statement_cost_raw.txt"

profile=""
if [ $PROFILE = 1 ]; then
    bench_use_cluster "${CLUSTER[current]}"
    # perf record follows the children the postmaster forks while attached,
    # i.e. the pgbench backend (its connection and first call, which loads
    # the model, included). Reported here: the binaries are in the cluster's
    # private tree, deleted at exit.
    perf record -q -F 2000 -g -p "$(bench_postmaster_pid)" -o "$OUT/statement_cost.perf.data" -- \
        pgbench -n -M prepared -c 1 -j 1 -T "$SECONDS_PER_RUN" -f "$BENCH_TMP/predict.sql" >/dev/null 2>&1
    profile=$OUT/statement_cost_profile.txt
    {
        echo "# self time, by shared object"
        perf report -i "$OUT/statement_cost.perf.data" --no-children --sort dso --stdio -g none 2>/dev/null | grep -E '^ +[0-9]'
        echo "# self time, top symbols"
        perf report -i "$OUT/statement_cost.perf.data" --no-children --sort dso,symbol --stdio -g none 2>/dev/null |
            grep -E '^ +[0-9]' | head -40 | cut -c1-160
        echo "# inclusive time of the pg_intent and executor frames"
        perf report -i "$OUT/statement_cost.perf.data" --children --sort symbol --stdio -g none 2>/dev/null |
            grep -E '^ +[0-9]' | grep -E 'pg_intent|intent::|nlohmann|PostgresMain|exec_|Portal|pg_plan|pg_parse|pg_analyze|ExecMake|ExecutorStart|ExecutorRun|Transaction' | head -40 | cut -c1-160
    } >"$profile"
fi

/usr/bin/python3 - "$results" "$ROUNDS" "$SECONDS_PER_RUN" "$(bench_machine)" "$load_start" "$(bench_load)" \
    "$MESSAGE" "$identity" "$profile" "${LABEL[base]:-}" "${LABEL[current]}" <<'PY' | tee "$OUT/statement_cost.md"
import collections, math, statistics, sys
path, rounds, secs, machine, load0, load1, message, identity, profile, base_label, cur_label = sys.argv[1:]
rows = collections.defaultdict(list)  # (build, mode, stmt) -> [(round, wall, server)]
for line in open(path):
    r, b, mode, stmt, wall, server = line.split()
    rows[(b, mode, stmt)].append((int(r), float(wall), float(server)))

def fmt(values):
    values = [v for v in values if not math.isnan(v)]
    if not values:
        return "n/a"
    return f"{statistics.median(values):.1f} [{min(values):.1f}-{max(values):.1f}]"

labels = {"base": base_label, "current": cur_label}
print(f"- machine: {machine}; load average {load0} at the start, {load1} at the end")
print(f"- one pgbench client, {rounds} rounds of {secs} s per configuration, interleaved; median [min-max] over rounds")
print(f"- fixed message: SELECT * FROM predict_intent('{message}') against SELECT 1")
print(f"- label only: SELECT classify_intent('{message}') against SELECT 1")
print("- rotating messages: SELECT p.* FROM messages m, LATERAL predict_intent(m.text) p WHERE m.id = :id "
      "(\\set id random(1, 1000), 1,000 CLINC150 val messages) against the lookup alone (SELECT m.text ...)")
print("- model: CLINC150, 150 intents, trained on the 15,000 train rows")
if identity:
    print(f"- results of the two builds: {identity}")
print()
print("| build | protocol | statements | baseline wall µs | predict wall µs | difference wall µs | baseline server µs | predict server µs | difference server µs |")
print("|---|---|---|---|---|---|---|---|---|")
for b in ("base", "current"):
    for mode in ("simple", "prepared"):
        for base_stmt, stmt, what in (("select1", "predict", "fixed message vs SELECT 1"),
                                      ("select1", "classify", "classify_intent, fixed message vs SELECT 1"),
                                      ("lookup", "predict_rotating", "rotating messages vs lookup")):
            s1 = rows.get((b, mode, base_stmt))
            pr = rows.get((b, mode, stmt))
            if not s1:
                continue
            s1d = {r: (w, s) for r, w, s in s1}
            dw = [w - s1d[r][0] for r, w, s in pr]
            ds = [s - s1d[r][1] for r, w, s in pr]
            print(f"| {labels[b]} | {mode} | {what} | {fmt([w for _, w, _ in s1])} | {fmt([w for _, w, _ in pr])} | {fmt(dw)} "
                  f"| {fmt([s for _, _, s in s1])} | {fmt([s for _, _, s in pr])} | {fmt(ds)} |")
if profile:
    print()
    print(f"Profile of the server during the prepared predict run: {profile}")
PY
