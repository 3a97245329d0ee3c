#!/usr/bin/python3
"""Runs one SQL statement in a psql session and reports its time and the peak
resident memory of the backend that ran it.

  train_peak.py "SELECT train_intent_model()"

The session first asks for pg_backend_pid(); after the statement has
finished, and before the session ends, VmHWM (the peak resident set of the
process over its life: the statement's peak, as a new backend holds little
before it) is read from /proc/<pid>/status. Prints one JSON object:
statement_ms (psql's \\timing), result (the statement's single value as
text), backend_rss_before_kb (VmRSS before the statement),
backend_peak_rss_kb (VmHWM after it). PG* environment variables name the
cluster.

VmRSS, RssAnon (the process's own memory) and RssShmem (pages of shared
buffers and WAL buffers it touched, which every backend reading the same
pages maps too) are sampled every 2 ms while the statement runs; the object
gains backend_peak_private_kb and backend_peak_shared_kb, the largest
RssAnon and RssShmem sampled (each at its own moment). With
PEAK_TIMELINE=FILE in the environment the samples are also written to FILE
as lines of ms, VmRSS, RssAnon and RssShmem, in kB, tab-separated, and the
object gains peak_sample_ms (when the largest VmRSS sample was taken) and
statement_sample_ms (the sampled span): where in a run its peak is.
"""
import json
import re
import os
import subprocess
import sys
import threading
import time


def status(pid, key):
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith(key + ":"):
                return int(line.split()[1])
    raise KeyError(key)


def statuses(pid, keys):
    found = {}
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            k = line.split(":", 1)[0]
            if k in keys:
                found[k] = int(line.split()[1])
    return [found.get(k, 0) for k in keys]


def main():
    sql = sys.argv[1]
    p = subprocess.Popen(["psql", "-X", "-At", "-v", "ON_ERROR_STOP=1"], stdin=subprocess.PIPE,
                         stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, bufsize=1)

    def send(line):
        p.stdin.write(line + "\n")
        p.stdin.flush()

    def read_until(pattern):
        lines = []
        while True:
            line = p.stdout.readline()
            if not line:
                sys.exit("psql ended early:\n" + "".join(lines) + p.stderr.read())
            lines.append(line.rstrip("\n"))
            if re.match(pattern, lines[-1]):
                return lines

    send("SET client_min_messages = warning;")  # stderr is read only at the end
    send("SELECT 'pid=' || pg_backend_pid();")
    pid = int(read_until(r"^pid=\d+$")[-1][4:])
    before = status(pid, "VmRSS")
    send("\\timing on")
    timeline_path = os.environ.get("PEAK_TIMELINE")
    samples = []
    done = threading.Event()

    def sample():
        start = time.monotonic()
        while not done.is_set():
            samples.append(((time.monotonic() - start) * 1000.0,
                            *statuses(pid, ("VmRSS", "RssAnon", "RssShmem"))))
            time.sleep(0.002)

    sampler = threading.Thread(target=sample)
    sampler.start()
    send(sql.rstrip(";") + ";")
    lines = read_until(r"^Time: [0-9.]+ ms")
    done.set()
    sampler.join()
    # One sample after the statement, so a statement shorter than the
    # sampling interval still has one.
    samples.append((samples[-1][0] if samples else 0.0, *statuses(pid, ("VmRSS", "RssAnon", "RssShmem"))))
    peak = status(pid, "VmHWM")  # the backend is still there: the session is open
    send("\\q")
    p.stdin.close()
    p.wait()
    ms = float(re.match(r"^Time: ([0-9.]+) ms", lines[-1]).group(1))
    result = "\n".join(l for l in lines[:-1] if l != "Timing is on.")
    out = {"statement_ms": ms, "result": result, "backend_pid": pid,
           "backend_rss_before_kb": before, "backend_peak_rss_kb": peak,
           "backend_peak_private_kb": max(s[2] for s in samples),
           "backend_peak_shared_kb": max(s[3] for s in samples)}
    if timeline_path:
        with open(timeline_path, "w") as f:
            for t, rss, anon, shmem in samples:
                f.write(f"{t:.1f}\t{rss}\t{anon}\t{shmem}\n")
        top = max(samples, key=lambda s: s[1])
        out["peak_sample_ms"] = round(top[0], 1)
        out["statement_sample_ms"] = round(samples[-1][0], 1)
    print(json.dumps(out))


if __name__ == "__main__":
    main()
