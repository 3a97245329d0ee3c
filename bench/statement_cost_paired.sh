#!/usr/bin/env bash
# predict_intent() and classify_intent() of this checkout against those of
# another revision, in the same backend, statement by statement:
#
#   bench/statement_cost_paired.sh --base REV [--rounds N (8)] [--seconds S (10)]
#
# Why: on the shared VM, SELECT 1 alternates between about 9 and 30 µs of
# server CPU within seconds (other jobs, the host), so even runs of a few
# seconds per build, interleaved (bench/statement_cost.sh), land in
# different phases and a sub-microsecond change drowns. Here both builds are
# loaded into one cluster: the base build's library is installed beside this
# checkout's as pg_intent_base.so (its settings renamed pg_intenb.* so that
# both libraries can define theirs), and wrapper functions call each:
#   predict_base(text) / predict_head(text)   -> pg_intent_predict_active
#   classify_base(text) / classify_head(text) -> pg_intent_classify
# (one overload each, same argument, same row type). One pgbench script runs
# SELECT 1, then 6 predict calls and 8 classify calls alternating between
# the builds; a second script swaps the order; pgbench -r reports each
# statement's mean latency. Both builds therefore run in the same
# microseconds, with the same connection, parse and plan work, and the
# difference of their means is the difference of their work (the results are
# the same bytes). Prints, per protocol, the median over rounds [min-max] of
# each build's mean latency beyond SELECT 1 and of the paired difference.
#
# Before timing, both builds predict every CLINC150 val and oos_val message
# at top_k 1, 3 and 150 in one query and the script reports how many rows
# differ (row text of predict_intent and classify_intent's label).
# Asserts no timing. Run from the repository root.
set -euo pipefail
cd "$(dirname "$0")/.."

ROUNDS=8 SECONDS_PER_RUN=10 BASE=
while [ $# -gt 0 ]; do
    case "$1" in
    --rounds) ROUNDS=$2; shift ;;
    --seconds) SECONDS_PER_RUN=$2; shift ;;
    --base) BASE=$2; shift ;;
    *) echo "usage: $0 --base REV [--rounds N] [--seconds S]" >&2; exit 2 ;;
    esac
    shift
done
[ -n "$BASE" ] || { echo "usage: $0 --base REV [--rounds N] [--seconds S]" >&2; exit 2; }

. bench/lib.bash
scripts/install-deps.sh bench
make -s -j2 >/dev/null

MESSAGE="how do i transfer money to my savings account"
HEAD_DESC="$(git rev-parse --short HEAD)$(git diff --quiet HEAD -- src || echo '+uncommitted')"
BASE_DESC=$(git rev-parse --short "$BASE")
load_start=$(bench_load)

base_src=$BENCH_TMP/base-src
mkdir -p "$base_src"
git archive "$BASE" | tar -x -C "$base_src"
# The base library's settings under another prefix: a backend cannot define
# pg_intent.top_k twice.
# (Every file of the glue: settings live in more than one since 0.2.2.)
sed -i 's/"pg_intent\./"pg_intenb./g; s/MarkGUCPrefixReserved("pg_intent")/MarkGUCPrefixReserved("pg_intenb")/' \
    "$base_src"/src/pg/*.cpp
grep -q '"pg_intenb.top_k"' "$base_src"/src/pg/*.cpp || {
    echo "cannot rename the settings of $BASE (src/pg/*.cpp)" >&2
    exit 1
}
echo "== building $BASE_DESC in $base_src" >&2
make -C "$base_src" -s -j2 >/dev/null

bench_start_cluster dir
cp "$base_src/pg_intent.so" "$(pg_config --pkglibdir)/pg_intent_base.so"
echo "== loading CLINC150 and training (this checkout)" >&2
bench_load_clinc
bench_train_clinc
psql >/dev/null <<'SQL'
CREATE FUNCTION predict_base(p_message text) RETURNS intent_prediction
    AS '$libdir/pg_intent_base', 'pg_intent_predict_active' LANGUAGE C STABLE STRICT PARALLEL SAFE;
CREATE FUNCTION predict_head(p_message text) RETURNS intent_prediction
    AS '$libdir/pg_intent', 'pg_intent_predict_active' LANGUAGE C STABLE STRICT PARALLEL SAFE;
CREATE FUNCTION classify_base(p_message text) RETURNS text
    AS '$libdir/pg_intent_base', 'pg_intent_classify' LANGUAGE C STABLE STRICT PARALLEL SAFE;
CREATE FUNCTION classify_head(p_message text) RETURNS text
    AS '$libdir/pg_intent', 'pg_intent_classify' LANGUAGE C STABLE STRICT PARALLEL SAFE;
SQL

identity=""
for k in 1 3 150; do
    n=$(psql -At -c "SET pg_intent.top_k = $k" -c "SET pg_intenb.top_k = $k" -c "
        SELECT count(*) || ' messages, ' || count(*) FILTER (WHERE b::text IS DISTINCT FROM h::text
                                     OR classify_base(c.text) IS DISTINCT FROM classify_head(c.text)) || ' different'
          FROM clinc c, LATERAL predict_base(c.text) b, LATERAL predict_head(c.text) h
         WHERE c.split IN ('val', 'oos_val')" | tail -1)
    identity="$identity top_k $k: $n;"
done

python3 - "$MESSAGE" "$BENCH_TMP" <<'PY'
import sys
message, tmp = sys.argv[1:]
def script(first, second):
    lines = ["SELECT 1;"]
    for i in range(6):
        a, b = (first, second) if i % 2 == 0 else (second, first)
        lines += [f"SELECT * FROM predict_{a}('{message}');", f"SELECT * FROM predict_{b}('{message}');"]
    lines.append("SELECT 1;")
    for i in range(4):
        a, b = (first, second) if i % 2 == 0 else (second, first)
        lines += [f"SELECT classify_{a}('{message}');", f"SELECT classify_{b}('{message}');"]
    return "\n".join(lines) + "\n"
open(f"{tmp}/mix_a.sql", "w").write(script("base", "head"))
open(f"{tmp}/mix_b.sql", "w").write(script("head", "base"))
PY

raw=$OUT/statement_cost_paired_raw.txt
: >"$raw"
for r in $(seq 1 "$ROUNDS"); do
    echo "== round $r of $ROUNDS" >&2
    for mode in simple prepared; do
        echo "### round $r mode $mode" >>"$raw"
        pgbench -n -M "$mode" -c 1 -j 1 -T "$SECONDS_PER_RUN" -r -f "$BENCH_TMP/mix_a.sql" -f "$BENCH_TMP/mix_b.sql" >>"$raw" 2>&1
    done
done

/usr/bin/python3 - "$raw" "$ROUNDS" "$SECONDS_PER_RUN" "$(bench_machine)" "$load_start" "$(bench_load)" \
    "$MESSAGE" "$identity" "$BASE_DESC" "$HEAD_DESC" <<'PY' | tee "$OUT/statement_cost_paired.md"
import collections, re, statistics, sys
path, rounds, secs, machine, load0, load1, message, identity, base, head = sys.argv[1:]
data = collections.defaultdict(lambda: collections.defaultdict(list))  # (round, mode) -> kind -> [µs]
key = None
for line in open(path):
    m = re.match(r"### round (\d+) mode (\w+)", line)
    if m:
        key = (int(m.group(1)), m.group(2))
        continue
    m = re.match(r"\s+([0-9.]+)\s+\d+\s+(SELECT .*)", line)
    if m and key:
        stmt = m.group(2)
        kind = "select1" if stmt.startswith("SELECT 1") else re.search(r"(predict|classify)_(base|head)", stmt).group(0)
        data[key][kind].append(float(m.group(1)) * 1000)

def fmt(v):
    return f"{statistics.median(v):.2f} [{min(v):.2f}-{max(v):.2f}]" if v else "n/a"

print(f"- machine: {machine}; load average {load0} at the start, {load1} at the end")
print(f"- base {base} and this checkout ({head}) in the same backend; {rounds} rounds of {secs} s per protocol")
print(f"- statement: SELECT * FROM predict_intent('{message}') (and classify_intent) against SELECT 1, "
      "pgbench -r mean latency per statement (wall µs, one client)")
print("- model: CLINC150, 150 intents, trained on the 15,000 train rows")
print(f"- results of the two builds (CLINC150 val + oos_val):{identity}")
print()
print("| protocol | statement | SELECT 1 µs | base beyond SELECT 1 µs | this checkout beyond SELECT 1 µs | paired difference µs |")
print("|---|---|---|---|---|---|")
for mode in ("simple", "prepared"):
    for what in ("predict", "classify"):
        s1, b, h, d = [], [], [], []
        for (r, md), kinds in sorted(data.items()):
            if md != mode or not kinds.get(f"{what}_base"):
                continue
            avg = {k: statistics.mean(v) for k, v in kinds.items()}
            s1.append(avg["select1"])
            b.append(avg[f"{what}_base"] - avg["select1"])
            h.append(avg[f"{what}_head"] - avg["select1"])
            d.append(avg[f"{what}_head"] - avg[f"{what}_base"])
        print(f"| {mode} | {what}_intent | {fmt(s1)} | {fmt(b)} | {fmt(h)} | {fmt(d)} |")
PY
