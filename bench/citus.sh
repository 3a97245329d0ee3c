#!/usr/bin/env bash
# pg_intent on Citus (issue 35), measured on this machine: a coordinator and
# two workers (test/scripts/citus_cluster.bash; Citus 13.2.2 on PostgreSQL
# 15), every peer in the same run.
#
#   bench/citus.sh [ROWS]         (default 100000)
#   ROUNDS=5 bench/citus.sh       (timed rounds per prediction statement)
#
# Rows: CLINC150's train split (15,000 rows, 150 intents; CC BY 3.0)
# repeated to ROWS rows, copy k of a text suffixed " ref<k>"; the intents in
# ten shops of 15 intents each. The same rows twice: `market`, distributed by
# shop (32 shards over the two workers), and `market_local`, an ordinary
# table on the coordinator.
#
#   training    train_classifier() of a classifier partitioned by shop (a
#               model per shop and the fallback), from each table, same
#               options: time (psql's \timing) and the coordinator backend's
#               peak memory (VmHWM, bench/train_peak.py); whether the models
#               are the same bytes.
#   deploy      the same deploys (the fallback model; every model of the
#               classifier in one statement) timed on the coordinator
#               before replicate_classifiers() and after it, when each is
#               published to both workers; medians and their ratios.
#   prediction  after replicate_classifiers(), one statement that predicts
#               every row with predict_label() and counts the right labels:
#               over `market`, which Citus pushes down to the shards on the
#               workers (with Citus's defaults, and with the worker
#               connections kept between statements), against the same over
#               `market_local` on the coordinator alone; one warm-up round,
#               then ROUNDS rounds interleaved, in one session; medians and
#               their ratios.
#
# Writes bench/out/citus.md. Asserts only that both statements count the
# same right labels, and that both workers serve the coordinator's active
# models after the deploys.
set -euo pipefail
cd "$(dirname "$0")/.."
ROWS=${1:-100000}
[[ $ROWS =~ ^[1-9][0-9]*$ ]] || { echo "usage: $0 [ROWS]" >&2; exit 2; }
ROUNDS=${ROUNDS:-5}
source bench/lib.bash
source test/scripts/lib.bash
trap 'stop_own_clusters; stop_extra_clusters; bench_cleanup' EXIT
source test/scripts/citus_cluster.bash
REPORT=$OUT/citus.md
: >"$REPORT"
say() { echo "$*" | tee -a "$REPORT"; }
load_start=$(bench_load)
make -s -j2 >/dev/null

DB=bench
export PGOPTIONS="-c client_min_messages=warning"
citus_start_coordinator
citus_start_worker w1
citus_start_worker w2
citus_create_db $DB coord w1 w2
export PGDATABASE=$DB
q $DB "CREATE EXTENSION pg_intent" >/dev/null

psql -X -q -v ON_ERROR_STOP=1 -v rows="$ROWS" <<SQL >/dev/null
CREATE TABLE clinc (split text, text text, intent text);
\\copy clinc FROM '$CLINC' WITH (FORMAT csv, HEADER true)
CREATE TABLE market_local (id bigint PRIMARY KEY, shop text NOT NULL, message text NOT NULL, intent text NOT NULL);
WITH t AS (SELECT text, intent, dense_rank() OVER (ORDER BY intent) AS k,
                  row_number() OVER (ORDER BY md5(text || intent)) AS n, count(*) OVER () AS total
             FROM clinc WHERE split = 'train')
INSERT INTO market_local
SELECT g * t.total + t.n, 'shop_' || ((t.k - 1) / 15), t.text || CASE WHEN g = 0 THEN '' ELSE ' ref' || g END, t.intent
  FROM t, generate_series(0, (:rows - 1) / 15000) AS g
 WHERE g * t.total + t.n <= :rows;
CREATE TABLE market (LIKE market_local INCLUDING ALL);
ALTER TABLE market DROP CONSTRAINT market_pkey, ADD PRIMARY KEY (shop, id);
SELECT create_distributed_table('market', 'shop');
INSERT INTO market SELECT * FROM market_local;
VACUUM ANALYZE market_local;
SQL
rows_in=$(q $DB "SELECT count(*) FROM market")
shops=$(q $DB "SELECT count(DISTINCT shop) FROM market")
say "# pg_intent on Citus — $(date -u +%F) on $(hostname)"
say ""
say "Machine: $(bench_machine); load at start $load_start. Citus $(q $DB "SELECT extversion FROM pg_extension WHERE extname = 'citus'"),"
say "PostgreSQL $(q $DB "SHOW server_version"): a coordinator and two workers, all on this machine."
say "Rows: $rows_in ($shops shops of 15 intents, CLINC150's train split repeated); \`market\` distributed by shop over"
say "$(q $DB "SELECT count(*) FROM citus_shards WHERE table_name = 'market'::regclass") shards on $(q $DB "SELECT count(DISTINCT nodeport) FROM citus_shards WHERE table_name = 'market'::regclass") workers, \`market_local\` an ordinary table on the coordinator."
say ""

# ---------------------------------------------------------------- training
OPTS='{"key_column": "id", "partition_column": "shop", "seed": 1}'
q $DB "SELECT create_classifier('mk', 'market', 'message', 'intent', '$OPTS')" >/dev/null
q $DB "SELECT create_classifier('mk_local', 'market_local', 'message', 'intent', '$OPTS')" >/dev/null
train() { python3 bench/train_peak.py "SELECT train_classifier('$1') ->> 'status'"; }
dist=$(train mk)
local_=$(train mk_local)
field() { python3 -c 'import json,sys; print(json.loads(sys.argv[1])[sys.argv[2]])' "$1" "$2"; }
same=$(q $DB "SELECT (SELECT array_agg(sha256 ORDER BY partition_key NULLS FIRST) FROM ai_intent_models WHERE classifier = 'mk' AND is_active)
                   = (SELECT array_agg(sha256 ORDER BY partition_key NULLS FIRST) FROM ai_intent_models WHERE classifier = 'mk_local' AND is_active)")
models=$(q $DB "SELECT count(*) FROM ai_intent_models WHERE classifier = 'mk' AND is_active")
say "## Training a partitioned classifier ($models models: a model per shop and the fallback)"
say ""
say "| source | status | time s | coordinator backend peak MB |"
say "|---|---|---|---|"
for pair in "market (distributed):$dist" "market_local (one node):$local_"; do
    name=${pair%%:*} json=${pair#*:}
    say "| $name | $(field "$json" result) | $(awk -v ms="$(field "$json" statement_ms)" 'BEGIN { printf "%.2f", ms / 1000 }') | $(awk -v kb="$(field "$json" backend_peak_rss_kb)" 'BEGIN { printf "%.0f", kb / 1024 }') |"
done
say ""
say "Time ratio distributed / local: $(awk -v a="$(field "$dist" statement_ms)" -v b="$(field "$local_" statement_ms)" 'BEGIN { printf "%.2f", a / b }');"
say "the same model bytes from both sources: $same. This training ran before \`replicate_classifiers()\`, so it shipped"
say "nothing to the workers; what shipping adds to a deploy is measured next."
say ""

# ---------------------------------------------------------------- deploy
# What publishing a deploy to the workers costs: the same deploys timed on
# the coordinator before replicate_classifiers() (nothing published: one
# node's deploy) and after it (each changed classifier and model row, the
# new active model's bytes with it, written to every worker in the deploy's
# transaction, with two-phase commit). A second training ({"deploy":
# "always"}) gives every partition a second model; each round then deploys
# the other set: the fallback model alone (one statement), and all of the
# classifier's models in one statement (a retrain's deploy of every shop).
# The two phases run one after the other (replication cannot be turned off
# again), each ROUNDS rounds after a warm-up round, in one session.
q $DB "SELECT train_classifier('mk', NULL, '{\"deploy\": \"always\"}') ->> 'status'" >/dev/null
deploy_rounds() { # PHASE
    local r
    printf '%s\n' '\timing on'
    for r in $(seq 0 "$ROUNDS"); do
        printf '\\echo round %s %s_one\n' "$r" "$1"
        printf '%s\n' "SELECT deploy_classifier_model('mk', m.id) ->> 'reason' FROM ai_intent_models AS m
                        WHERE m.classifier = 'mk' AND m.partition_key IS NULL AND NOT m.is_active AND m.model IS NOT NULL;"
        printf '\\echo round %s %s_all\n' "$r" "$1"
        printf '%s\n' "SELECT count(deploy_classifier_model('mk', m.id)) FROM ai_intent_models AS m
                        WHERE m.classifier = 'mk' AND NOT m.is_active AND m.model IS NOT NULL;"
    done
}
deploy_rounds local | psql -X -At -v ON_ERROR_STOP=1 >"$BENCH_TMP/deploy.out"
q $DB "SELECT replicate_classifiers()" >/dev/null
deploy_rounds published | psql -X -At -v ON_ERROR_STOP=1 >>"$BENCH_TMP/deploy.out"
# every worker serves what the coordinator serves after the last deploy
for w in w1 w2; do
    expect_eq "$(on $w $DB "SELECT string_agg(sha256 || ':' || id, ',' ORDER BY id) FROM ai_intent_models WHERE classifier = 'mk' AND is_active")" \
        "$(q $DB "SELECT string_agg(sha256 || ':' || id, ',' ORDER BY id) FROM ai_intent_models WHERE classifier = 'mk' AND is_active")" \
        "worker $w serves the coordinator's active models after the deploys"
done
fallback_kb=$(q $DB "SELECT round(octet_length(model) / 1024.0) FROM ai_intent_models WHERE classifier = 'mk' AND partition_key IS NULL AND is_active")
all_kb=$(q $DB "SELECT round(sum(octet_length(model)) / 1024.0) FROM ai_intent_models WHERE classifier = 'mk' AND is_active")
python3 - "$BENCH_TMP/deploy.out" "$models" "$fallback_kb" "$all_kb" >"$BENCH_TMP/deploy.md" <<'PY'
import re, statistics, sys
lines = open(sys.argv[1]).read().split("\n")
models, fallback_kb, all_kb = sys.argv[2], sys.argv[3], sys.argv[4]
times, kind = {}, None
for line in lines:
    m = re.match(r"round (\d+) (\w+)$", line)
    if m:
        kind, rnd = m.group(2), int(m.group(1))
        continue
    m = re.match(r"Time: ([0-9.]+) ms", line)
    if m and kind:
        if rnd > 0:
            times.setdefault(kind, []).append(float(m.group(1)))
        kind = None
med = {k: statistics.median(v) for k, v in times.items()}
print(f"Rounds: {len(times['local_one'])} of each statement after a warm-up round, one session; first on the coordinator "
      "alone (before `replicate_classifiers()`), then with every change published to both workers.\n")
print("| one statement deploys | on the coordinator alone, median ms (min–max) | published to two workers, median ms (min–max) | ratio |")
print("|---|---|---|---|")
for k, name in (("one", f"the fallback model ({fallback_kb} kB)"), ("all", f"all {models} models ({all_kb} kB)")):
    a, b = times[f"local_{k}"], times[f"published_{k}"]
    print(f"| {name} | {med['local_' + k]:.1f} ({min(a):.1f}–{max(a):.1f}) | {med['published_' + k]:.1f} ({min(b):.1f}–{max(b):.1f}) | "
          f"{med['published_' + k] / med['local_' + k]:.1f}× |")
PY
say "## Deploying: what publishing to the workers adds"
say ""
{ cat "$BENCH_TMP/deploy.md"; echo; } | tee -a "$REPORT"
say "After the last deploy both workers serve the coordinator's active models (same ids and sha256)."
say ""

# ---------------------------------------------------------------- prediction
STMT="SELECT count(*) FILTER (WHERE p.label = m.intent) FROM %s AS m, LATERAL predict_label('mk', m.message, m.shop) AS p"
# Three statements per round, in one session: the local table; the
# distributed one with Citus's defaults (up to 16 connections per worker:
# every shard task with rows at once, each in a worker backend with its own
# model cache, new ones loading the models first); and the distributed one
# with citus.max_adaptive_executor_pool_size = 1 (one connection per worker:
# a worker's tasks one after another in one backend whose cache stays warm).
{
    printf '%s\n' '\timing on'
    for r in $(seq 0 "$ROUNDS"); do
        printf '\\echo round %s local\n%s;\n' "$r" "${STMT//%s/market_local}"
        printf '\\echo round %s dist\n%s;\n' "$r" "${STMT//%s/market}"
        printf 'SET citus.max_adaptive_executor_pool_size = 1;\n\\echo round %s dist_one\n%s;\nRESET citus.max_adaptive_executor_pool_size;\n' \
            "$r" "${STMT//%s/market}"
    done
} >"$BENCH_TMP/predict.sql"
psql -X -At -v ON_ERROR_STOP=1 -f "$BENCH_TMP/predict.sql" >"$BENCH_TMP/predict.out"
# lines: "round R KIND", the count, "Time: X ms"
python3 - "$BENCH_TMP/predict.out" "$rows_in" >"$BENCH_TMP/predict.md" <<'PY'
import re, statistics, sys
lines = open(sys.argv[1]).read().split("\n")
rows = int(sys.argv[2])
names = {"local": "`market_local`, on the coordinator alone",
         "dist": "`market`, pushed down to two workers (Citus's defaults)",
         "dist_one": "`market`, pushed down, one connection per worker (`citus.max_adaptive_executor_pool_size = 1`)"}
times = {k: [] for k in names}
counts = {k: set() for k in names}
kind = None
for line in lines:
    m = re.match(r"round (\d+) (\w+)$", line)
    if m:
        kind, rnd = m.group(2), int(m.group(1))
        continue
    if kind and re.fullmatch(r"\d+", line):
        counts[kind].add(int(line))
    m = re.match(r"Time: ([0-9.]+) ms", line)
    if m and kind:
        if rnd > 0:
            times[kind].append(float(m.group(1)))
        kind = None
all_counts = set().union(*counts.values())
assert len(all_counts) == 1, counts
right = all_counts.pop()
print(f"Rounds: {len(times['dist'])} of each statement after a warm-up round, interleaved, one session. "
      f"Right labels: {right} of {rows} ({right / rows:.4f}), the same in every statement.\n")
print("| statement over | median s | rows per s | min–max s | speed-up vs local |")
print("|---|---|---|---|---|")
local = statistics.median(times["local"])
for k, name in names.items():
    med = statistics.median(times[k])
    print(f"| {name} | {med / 1000:.2f} | {rows / (med / 1000):,.0f} | {min(times[k]) / 1000:.2f}–{max(times[k]) / 1000:.2f} | {local / med:.2f}× |")
PY
# Where the distributed statement's time goes: each shard task with rows,
# its node, rows and time (EXPLAIN ANALYZE with every task).
psql -X -At -c "SET citus.explain_all_tasks = on" -c "EXPLAIN (ANALYZE, COSTS OFF, FORMAT JSON) ${STMT//%s/market}" >"$BENCH_TMP/explain.json"
python3 - "$BENCH_TMP/explain.json" >"$BENCH_TMP/tasks.md" <<'PY'
import json, sys
doc = json.loads("".join(l for l in open(sys.argv[1]) if not l.startswith("SET")))
tasks = []
def walk(node):
    if isinstance(node, dict):
        if "Node" in node and "Remote Plan" in node:
            plan = node["Remote Plan"][0][0]
            rows = plan["Plan"]["Plans"][0]["Actual Rows"]
            if rows:
                tasks.append((node["Node"].split("port=")[1].split()[0], rows, plan["Execution Time"]))
        for v in node.values():
            walk(v)
    elif isinstance(node, list):
        for v in node:
            walk(v)
walk(doc)
print(f"Shard tasks with rows (Citus's defaults, one run): {len(tasks)}; per task: " +
      ", ".join(f"{r:,} rows {t / 1000:.2f} s (port {p})" for p, r, t in sorted(tasks, key=lambda x: -x[1])) + ".")
PY
# What this machine's cores give two backends at once: the local statement
# in one session, and in two sessions at the same time (wall time of the
# pair), alternately.
wall() { local t0 t1; t0=$(date +%s.%N); "$@"; t1=$(date +%s.%N); awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.3f\n", b - a }'; }
one_local() { psql -X -At -c "${STMT//%s/market_local}" >/dev/null; }
two_local() { one_local & one_local & wait; }
one_local
singles=() pairs=()
for _ in $(seq 1 "$ROUNDS"); do
    singles+=("$(wall one_local)")
    pairs+=("$(wall two_local)")
done
median() { printf '%s\n' "$@" | sort -g | awk '{ v[NR] = $1 } END { print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }
single_s=$(median "${singles[@]}")
pair_s=$(median "${pairs[@]}")
say "## Prediction over every row"
say ""
{ cat "$BENCH_TMP/predict.md"; echo; cat "$BENCH_TMP/tasks.md"; } | tee -a "$REPORT"
say ""
say "This machine's cores, measured in the same run: the local statement alone takes $single_s s (median of $ROUNDS, new session"
say "each); two of them at once, in two sessions, $pair_s s for both: two backends at once do"
say "$(awk -v a="$single_s" -v b="$pair_s" 'BEGIN { printf "%.2f", 2 * a / b }')× the work of one. That bounds what the two workers (and the coordinator) sharing them can show."
say ""
say "Load at end $(bench_load)."
