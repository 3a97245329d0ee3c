#!/usr/bin/python3
"""Runs pgbench and measures a window that starts after a warm-up.

  pgbench_window.py --warmup 2 --seconds 10 -- -M prepared -c 4 -j 2 -f script.sql

pgbench runs for warmup + seconds + 1 s with a per-transaction log. The
window starts once every client has connected and run for `warmup` seconds
(each new backend reads and deserialises the model on its first call: that
is not the per-statement cost) and lasts `seconds`. At both ends the script
reads the CPU time of every pgbench backend from /proc/<pid>/schedstat
(nanoseconds on a CPU). Prints one JSON object about the transactions that
completed inside the window:

  statements, window_s, tps               throughput
  latency_avg_us, _p50_us, _p99_us        per transaction, from pgbench's log
  server_cpu_us                           backend CPU time per statement
  wall_us                                 window_s * clients / statements

The PG* environment variables name the cluster; pgbench and psql come from PATH.
"""
import argparse
import glob
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time


def backend_pids(clients, deadline):
    sql = "SELECT pid FROM pg_stat_activity WHERE application_name = 'pgbench' AND pid <> pg_backend_pid()"
    while True:
        out = subprocess.run(["psql", "-X", "-At", "-c", sql], capture_output=True, text=True, check=True).stdout
        pids = [int(x) for x in out.split()]
        if len(pids) >= clients or time.time() > deadline:
            return pids
        time.sleep(0.05)


def cpu_ns(pids):
    total = 0
    for pid in pids:
        with open(f"/proc/{pid}/schedstat") as f:
            total += int(f.read().split()[0])
    return total


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--warmup", type=float, default=2)
    ap.add_argument("--seconds", type=float, default=10)
    ap.add_argument("pgbench_args", nargs=argparse.REMAINDER)
    a = ap.parse_args()
    args = [x for x in a.pgbench_args if x != "--"]
    clients = 1
    for i, x in enumerate(args):
        if x == "-c":
            clients = int(args[i + 1])
    total = a.warmup + a.seconds + 1
    with tempfile.TemporaryDirectory() as tmp:
        prefix = os.path.join(tmp, "tx")
        cmd = ["pgbench", "-n", "-T", str(int(total + 0.999)), "-l", f"--log-prefix={prefix}"] + args
        p = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        started = time.time()
        time.sleep(a.warmup)
        # Looked up after the warm-up: pgbench first opens and closes a
        # connection of its own before its clients connect.
        pids = backend_pids(clients, started + a.warmup + 10)
        if len(pids) != clients:
            p.kill()
            sys.exit(f"pgbench: {len(pids)} backends for {clients} clients")
        t1, c1 = time.time(), cpu_ns(pids)
        time.sleep(a.seconds)
        t2, c2 = time.time(), cpu_ns(pids)
        out, _ = p.communicate()
        if p.returncode != 0:
            sys.exit("pgbench failed:\n" + out)
        lat = []
        for path in glob.glob(prefix + "*"):
            with open(path) as f:
                for line in f:
                    fields = line.split()
                    end = int(fields[4]) + int(fields[5]) / 1e6
                    if t1 <= end < t2:
                        lat.append(int(fields[2]))
    n = len(lat)
    if n == 0:
        sys.exit("no transaction completed inside the window")
    lat.sort()
    window = t2 - t1
    print(json.dumps({
        "statements": n, "window_s": window, "tps": n / window, "clients": clients,
        "latency_avg_us": statistics.fmean(lat), "latency_p50_us": lat[n // 2],
        "latency_p99_us": lat[min(n - 1, int(n * 0.99))],
        "server_cpu_us": (c2 - c1) / 1000 / n, "wall_us": window * clients / n * 1e6,
    }))


if __name__ == "__main__":
    main()
