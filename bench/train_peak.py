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
"""
import json
import re
import subprocess
import sys


def status(pid, key):
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith(key + ":"):
                return int(line.split()[1])
    raise KeyError(key)


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
    send(sql.rstrip(";") + ";")
    lines = read_until(r"^Time: [0-9.]+ ms")
    peak = status(pid, "VmHWM")  # the backend is still there: the session is open
    send("\\q")
    p.stdin.close()
    p.wait()
    ms = float(re.match(r"^Time: ([0-9.]+) ms", lines[-1]).group(1))
    result = "\n".join(l for l in lines[:-1] if l != "Timing is on.")
    print(json.dumps({"statement_ms": ms, "result": result, "backend_pid": pid,
                      "backend_rss_before_kb": before, "backend_peak_rss_kb": peak}))


if __name__ == "__main__":
    main()
