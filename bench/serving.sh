#!/usr/bin/env bash
# Serving benchmark: the seed's prediction service (FastAPI + uvicorn + the
# seed's scikit-learn pipeline, bench/peers/seed_service.py) against
# predict_intent() called through PostgreSQL's protocol, both trained on the
# CLINC150 train split (15,000 rows in ai_training_data; the service's model
# is trained on the same rows, exported from the table) and both asked the
# same 1,000 CLINC150 val messages in rotation, with 1, 4 and 16 concurrent
# clients for the same duration, in one run:
#
#   bench/serving.sh                        # 10 s per measurement
#   SECONDS_PER_RUN=20 CLIENTS="1 4 16" SEED_WORKERS="1 2" bench/serving.sh
#
# - seed service: `uvicorn seed_service:app`, one process as the seed ran
#   it, and also 2 worker processes (one per CPU here; uvicorn's supervisor,
#   see seed_service.py for why not `--workers 2` itself), loaded with
#   wrk (a Lua script rotates over the URL-encoded messages; each wrk thread
#   starts at a different message), after a 2 s warm-up run.
# - pg_intent: pgbench, extended protocol (prepared statements, as a
#   connection pool or PostgREST would run them), the script
#       \set id random(1, 1000)
#       SELECT p.* FROM messages m, LATERAL predict_intent(m.text) p WHERE m.id = :id;
#   and, as the baseline, the same lookup without the prediction
#       SELECT m.text FROM messages m WHERE m.id = :id;
#   measured over a window after a 2 s warm-up (bench/pgbench_window.py; each
#   new backend loads the model on its first call). The server also listens
#   on 127.0.0.1: pgbench runs over TCP, as wrk does, and again over the Unix
#   socket (what a client on the same host would use).
# wrk and pgbench run min(clients, 2) threads. Everything, load generators
# included, shares this machine's CPUs. Prints a table; asserts nothing.
# Run from the repository root.
set -euo pipefail
cd "$(dirname "$0")/.."

SECONDS_PER_RUN=${SECONDS_PER_RUN:-10}
WARMUP=${WARMUP:-2}
CLIENTS=${CLIENTS:-"1 4 16"}
SEED_WORKERS=${SEED_WORKERS:-"1 2"}
MESSAGES=1000

. bench/lib.bash
scripts/install-deps.sh bench
make -s -j2 >/dev/null
load_start=$(bench_load)

# TCP on 127.0.0.1 as well, so both peers are reached over loopback TCP.
bench_start_cluster cluster "listen_addresses = '127.0.0.1'"
echo "== loading CLINC150 and training pg_intent" >&2
bench_load_clinc
bench_train_clinc
# The messages: 1,000 val messages spread over the split's 150 intents.
bench_load_messages "$MESSAGES"
psql -At -c "\copy (SELECT text FROM messages ORDER BY id) TO '$BENCH_TMP/messages.txt'"
psql -At -c "\copy (SELECT 'train' AS split, user_message AS text, detected_intent AS intent FROM ai_training_data) TO '$BENCH_TMP/train.csv' WITH (FORMAT csv, HEADER true)"

echo "== training the seed pipeline on the same rows" >&2
/usr/bin/python3 bench/peers/sklearn_pipeline.py train --data "$BENCH_TMP/train.csv" --split train \
    --model "$BENCH_TMP/seed.pkl" >"$BENCH_TMP/seed_train.json"

# wrk's request generator: the messages as URL paths, rotated.
/usr/bin/python3 - "$BENCH_TMP/messages.txt" "$BENCH_TMP/paths.txt" <<'PY'
import sys, urllib.parse
with open(sys.argv[1], encoding="utf-8") as f, open(sys.argv[2], "w") as out:
    for line in f:
        out.write("/ai/training/predict?message=" + urllib.parse.quote(line.rstrip("\n"), safe="") + "\n")
PY
cat >"$BENCH_TMP/rotate.lua" <<LUA
local paths = {}
for line in io.lines("$BENCH_TMP/paths.txt") do paths[#paths + 1] = line end
local threads = 0
function setup(thread)
  thread:set("offset", threads * 337)
  threads = threads + 1
end
local i = 0
function init(args)
  i = offset or 0
end
function request()
  i = i % #paths + 1
  return wrk.format("GET", paths[i])
end
LUA

bench_rotating_scripts predict "$MESSAGES"

free_tcp_port() {
    /usr/bin/python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

# wrk against the service: prints a JSON object.
run_wrk() {
    local clients=$1 secs=$2 port=$3 threads=$(($1 < 2 ? $1 : 2))
    wrk -t "$threads" -c "$clients" -d "${secs}s" --latency -s "$BENCH_TMP/rotate.lua" "http://127.0.0.1:$port" \
        >"$BENCH_TMP/wrk.out" 2>&1
    /usr/bin/python3 - "$BENCH_TMP/wrk.out" <<'PY'
import json, re, sys
out = open(sys.argv[1]).read()
def us(v, unit):
    return float(v) * {"us": 1, "ms": 1e3, "s": 1e6}[unit]
m = re.search(r"Latency\s+([0-9.]+)(us|ms|s)", out)
pct = {p: us(v, u) for p, v, u in re.findall(r"^\s+(50|99)%\s+([0-9.]+)(us|ms|s)", out, re.M)}
errors = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
sock = re.search(r"Socket errors: (.*)", out)
print(json.dumps({
    "rps": float(re.search(r"Requests/sec:\s+([0-9.]+)", out).group(1)),
    "requests": int(re.search(r"(\d+) requests in", out).group(1)),
    "latency_avg_us": us(*m.groups()), "latency_p50_us": pct.get("50"), "latency_p99_us": pct.get("99"),
    "non_2xx": int(errors.group(1)) if errors else 0, "socket_errors": sock.group(1) if sock else "",
}))
PY
}

results=$BENCH_TMP/results.jsonl
: >"$results"
for workers in $SEED_WORKERS; do
    port=$(free_tcp_port)
    echo "== seed service, $workers uvicorn worker(s), port $port" >&2
    if [ "$workers" = 1 ]; then
        bench_background env SEED_MODEL="$BENCH_TMP/seed.pkl" /usr/bin/python3 -m uvicorn seed_service:app \
            --app-dir bench/peers --host 127.0.0.1 --port "$port" >"$BENCH_TMP/uvicorn.log" 2>&1
    else
        # uvicorn's supervisor with a TCP_NODELAY socket (see seed_service.py)
        bench_background env SEED_MODEL="$BENCH_TMP/seed.pkl" /usr/bin/python3 bench/peers/seed_service.py \
            --host 127.0.0.1 --port "$port" --workers "$workers" >"$BENCH_TMP/uvicorn.log" 2>&1
    fi
    service=$BENCH_LAST_PID
    for _ in $(seq 1 120); do
        curl -sf "http://127.0.0.1:$port/health" >/dev/null && break
        sleep 0.5
    done
    curl -sf "http://127.0.0.1:$port/health" >/dev/null || { cat "$BENCH_TMP/uvicorn.log" >&2; exit 1; }
    curl -sf "http://127.0.0.1:$port$(head -1 "$BENCH_TMP/paths.txt")" >"$OUT/serving_seed_sample.json"
    for c in $CLIENTS; do
        echo "   $c clients" >&2
        run_wrk "$c" "$WARMUP" "$port" >/dev/null
        echo "{\"peer\": \"seed\", \"workers\": $workers, \"clients\": $c, \"r\": $(run_wrk "$c" "$SECONDS_PER_RUN" "$port")}" >>"$results"
    done
    bench_kill "$service"
done

echo "== pg_intent" >&2
psql -c "SELECT p.* FROM messages m, LATERAL predict_intent(m.text) p WHERE m.id = 1" >"$OUT/serving_pg_sample.txt"
unix_host=$PGHOST
for transport in tcp unix; do
    host=$unix_host
    [ $transport = tcp ] && host=127.0.0.1
    for c in $CLIENTS; do
        echo "   $transport, $c clients" >&2
        threads=$((c < 2 ? c : 2))
        for kind in predict lookup; do
            r=$(PGHOST=$host /usr/bin/python3 bench/pgbench_window.py --warmup "$WARMUP" --seconds "$SECONDS_PER_RUN" -- \
                -M prepared -c "$c" -j "$threads" -f "$BENCH_TMP/$kind.sql")
            echo "{\"peer\": \"pg_$kind\", \"transport\": \"$transport\", \"clients\": $c, \"r\": $r}" >>"$results"
        done
    done
done
cp "$results" "$OUT/serving_raw.jsonl"

/usr/bin/python3 - "$results" "$(bench_machine)" "$load_start" "$(bench_load)" "$SECONDS_PER_RUN" "$WARMUP" \
    "$BENCH_TMP/seed_train.json" "$(git rev-parse --short HEAD)" <<'PY' | tee "$OUT/serving.md"
import json, sys
import fastapi, sklearn, uvicorn
path, machine, load0, load1, secs, warm, seed_train, commit = sys.argv[1:]
rows = [json.loads(l) for l in open(path)]


def get(peer, clients, **kw):
    for r in rows:
        if r["peer"] == peer and r["clients"] == clients and all(r.get(k) == v for k, v in kw.items()):
            return r["r"]


clients = sorted({r["clients"] for r in rows})
workers = sorted({r["workers"] for r in rows if r["peer"] == "seed"})
transports = [t for t in ("tcp", "unix") if any(r.get("transport") == t for r in rows)]
tname = {"tcp": "TCP 127.0.0.1", "unix": "Unix socket"}


def ms(v):
    return "n/a" if v is None else f"{v / 1000:.2f}"


def lat(r):
    return f"{ms(r['latency_avg_us'])} / {ms(r['latency_p50_us'])} / {ms(r['latency_p99_us'])}"


print(f"- machine: {machine}; load average {load0} at the start, {load1} at the end; commit {commit}")
print(f"- each measurement {secs} s after a {warm} s warm-up; the same 1,000 CLINC150 val messages for every peer")
print(f"- seed service: FastAPI {fastapi.__version__}, uvicorn {uvicorn.__version__} (asyncio loop and h11: uvloop and "
      f"httptools are not installed), scikit-learn {sklearn.__version__}, /usr/bin/python3, TCP on 127.0.0.1, load from wrk; "
      f"its model trained in {json.load(open(seed_train))['train_seconds']:.1f} s on the same rows")
print("- pg_intent: PostgreSQL 15, pgbench -M prepared, one statement per request; latencies from pgbench's "
      "per-transaction log; server CPU = CPU time of the pgbench backends per statement")
print()
print("| clients | peer | requests/s | latency avg / p50 / p99 ms | server CPU µs per request |")
print("|---|---|---|---|---|")
for c in clients:
    for w in workers:
        s = get("seed", c, workers=w)
        bad = f" ({s['non_2xx']} non-2xx)" if s["non_2xx"] else ""
        print(f"| {c} | seed service, {w} uvicorn worker{'s' if w > 1 else ''} | {s['rps']:,.1f}{bad} | {lat(s)} | |")
    for t in transports:
        for kind, label in (("predict", "pg_intent predict_intent"), ("lookup", "lookup only (baseline)")):
            r = get("pg_" + kind, c, transport=t)
            print(f"| {c} | {label}, {tname[t]} | {r['tps']:,.0f} | {lat(r)} | {r['server_cpu_us']:.1f} |")
print()
head = " | ".join(f"pg_intent {tname[t]} / seed {w}w" for t in transports for w in workers)
print(f"| clients | {head} | prediction's cost per statement (predict - lookup): avg latency, server CPU |")
print("|---|" + "---|" * (len(transports) * len(workers)) + "---|")
for c in clients:
    ratios = " | ".join(f"{get('pg_predict', c, transport=t)['tps'] / get('seed', c, workers=w)['rps']:,.0f}x"
                        for t in transports for w in workers)
    costs = "; ".join(
        f"{tname[t]} "
        f"{get('pg_predict', c, transport=t)['latency_avg_us'] - get('pg_lookup', c, transport=t)['latency_avg_us']:.0f} µs, "
        f"{get('pg_predict', c, transport=t)['server_cpu_us'] - get('pg_lookup', c, transport=t)['server_cpu_us']:.1f} µs"
        for t in transports)
    print(f"| {c} | {ratios} | {costs} |")
PY
