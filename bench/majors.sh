#!/usr/bin/env bash
# PostgreSQL majors side by side: serving and training on each major given
# (default 15, Debian 12's, and 18, the newest) in one run, as ratios against
# the first major:
#
#   bench/majors.sh                          # 15 and 18, 3 rounds, 8 s per pgbench window
#   MAJORS="15 16 17 18" ROUNDS=5 SECONDS_PER_RUN=10 bench/majors.sh
#
# One cluster per major, each running the extension built for that major
# (15: this checkout's build; others: scripts/pg-major.sh's tree and build,
# the same source), each loaded with the same data: CLINC150's train split
# (15,000 rows) in ai_training_data, and 1,000 val messages in a table.
# Measured per round, with the majors' order reversed every other round so
# that neither always runs first (the machine's load drifts):
#   - training: train_intent_model('bench', 'full', '{"deploy": "always"}'),
#     wall time of the statement (psql's \timing);
#   - serving: pgbench, prepared statements, 1 client, over the Unix socket,
#     measured over a window after a warm-up (bench/pgbench_window.py):
#       predict   SELECT p.* FROM messages m, LATERAL predict_intent(m.text) p WHERE m.id = :id
#       lookup    SELECT m.text FROM messages m WHERE m.id = :id   (the same lookup, no prediction)
#     and the prediction's own cost, predict minus lookup in backend CPU per
#     statement.
# Only one cluster is busy at a time; the others idle. Prints a markdown
# table of medians over the rounds and the ratios to the first major, and
# writes it to bench/out/majors.md. Asserts nothing.
# Run from the repository root.
set -euo pipefail
cd "$(dirname "$0")/.."

MAJORS=${MAJORS:-"15 18"}
ROUNDS=${ROUNDS:-3}
SECONDS_PER_RUN=${SECONDS_PER_RUN:-8}
WARMUP=${WARMUP:-2}

. bench/lib.bash
scripts/install-deps.sh bench >/dev/null
make -s -j2 >/dev/null
load_start=$(bench_load)
system_major=$(pg_config --version | sed -E 's/^PostgreSQL ([0-9]+).*/\1/')

declare -A CLUSTER VERSION
for major in $MAJORS; do
    if [ "$major" = "$system_major" ]; then
        pgc=$(command -v pg_config)
    else
        pgc=$(scripts/pg-major.sh tree "$major")
    fi
    echo "== PostgreSQL $major: cluster, data, first training" >&2
    PG_CONFIG=$pgc PGI_SYSTEM_PG_CONFIG=$pgc bench_start_cluster major_dir
    CLUSTER[$major]=$major_dir
    VERSION[$major]=$(psql -At -c "SHOW server_version" | cut -d" " -f1)
    # A cluster of another major than asked would make every ratio 1.
    [ "${VERSION[$major]%%.*}" = "$major" ] || {
        echo "PostgreSQL $major asked, ${VERSION[$major]} started" >&2
        exit 1
    }
    bench_load_clinc
    bench_train_clinc
    bench_load_messages 1000
done

bench_rotating_scripts predict 1000

# Wall milliseconds of one training run on the current cluster.
train_ms() {
    psql -At <<'SQL' | sed -nE 's/^Time: ([0-9.]+) ms.*/\1/p'
SET client_min_messages = warning;
\o /dev/null
\timing on
SELECT train_intent_model('bench', 'full', '{"deploy": "always"}');
SQL
}
# One pgbench window on the current cluster: "tps cpu_us" of script $1.
serve() {
    /usr/bin/python3 bench/pgbench_window.py --warmup "$WARMUP" --seconds "$SECONDS_PER_RUN" -- \
        -M prepared -c 1 -j 1 -f "$BENCH_TMP/$1.sql" |
        /usr/bin/python3 -c 'import json, sys; r = json.load(sys.stdin); print(r["tps"], r["server_cpu_us"])'
}

results=$BENCH_TMP/rounds.tsv # major round metric value
: >"$results"
order=($MAJORS)
for round in $(seq 1 "$ROUNDS"); do
    if [ $((round % 2)) = 0 ]; then
        mapfile -t order < <(printf '%s\n' $MAJORS | tac)
    else
        order=($MAJORS)
    fi
    for major in "${order[@]}"; do
        bench_use_cluster "${CLUSTER[$major]}"
        ms=$(train_ms)
        read -r p_tps p_cpu <<<"$(serve predict)"
        read -r l_tps l_cpu <<<"$(serve lookup)"
        printf '%s\t%s\ttrain_ms\t%s\n%s\t%s\tpredict_tps\t%s\n%s\t%s\tpredict_cpu_us\t%s\n%s\t%s\tlookup_tps\t%s\n%s\t%s\tlookup_cpu_us\t%s\n' \
            "$major" "$round" "$ms" "$major" "$round" "$p_tps" "$major" "$round" "$p_cpu" \
            "$major" "$round" "$l_tps" "$major" "$round" "$l_cpu" >>"$results"
        echo "round $round, PostgreSQL $major: training ${ms} ms, predict ${p_tps} tps (${p_cpu} us CPU), lookup ${l_tps} tps (${l_cpu} us CPU)" >&2
    done
done

versions=""
for major in $MAJORS; do versions+="$major=${VERSION[$major]} "; done
/usr/bin/python3 - "$results" "$MAJORS" "$versions" "$(bench_machine)" "$load_start" "$(bench_load)" \
    "$ROUNDS" "$SECONDS_PER_RUN" "$(git rev-parse --short HEAD)" <<'PY' | tee "$OUT/majors.md"
import collections, statistics, sys
path, majors, versions, machine, load0, load1, rounds, secs, commit = sys.argv[1:]
majors = majors.split()
version = dict(v.split("=", 1) for v in versions.split())
vals = collections.defaultdict(list)
for line in open(path):
    m, _, metric, v = line.rstrip("\n").split("\t")
    vals[(m, metric)].append(float(v))
med = {k: statistics.median(v) for k, v in vals.items()}
for m in majors:
    own = [p - l for p, l in zip(vals[(m, "predict_cpu_us")], vals[(m, "lookup_cpu_us")])]
    med[(m, "own_cpu_us")] = statistics.median(own)
base = majors[0]
rows = [
    ("training, 15,000 rows (s, lower is better)", "train_ms", 1e-3, "{:.2f}", False),
    ("predict_intent statement (tps, higher is better)", "predict_tps", 1, "{:.0f}", True),
    ("predict_intent statement, backend CPU (us)", "predict_cpu_us", 1, "{:.0f}", False),
    ("the same lookup without prediction (tps)", "lookup_tps", 1, "{:.0f}", True),
    ("prediction's own CPU: predict - lookup (us)", "own_cpu_us", 1, "{:.0f}", False),
]
print(f"Commit {commit}; {machine}; load {load0} at the start, {load1} at the end; "
      f"{rounds} rounds (majors' order alternating), medians; pgbench windows of {secs} s, 1 client, prepared, Unix socket; "
      "CLINC150: 15,000 train rows, 1,000 val messages.\n")
head = "| | " + " | ".join(f"PostgreSQL {version[m]}" for m in majors) + " | " + \
    " | ".join(f"{m} / {base}" for m in majors[1:]) + " |"
print(head)
print("|---" * (1 + 2 * len(majors) - 1) + "|")
for label, key, scale, fmt, _ in rows:
    cells = [fmt.format(med[(m, key)] * scale) for m in majors]
    ratios = [f"{med[(m, key)] / med[(base, key)]:.2f}" for m in majors[1:]]
    print(f"| {label} | " + " | ".join(cells) + " | " + " | ".join(ratios) + " |")
PY
