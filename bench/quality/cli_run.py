"""Helpers shared by the quality benchmarks that drive the pg-intent CLI
(novelty.py, label_recall.py): progress on stderr, and a command run to
completion that stops the benchmark when it fails."""
import subprocess
import sys


def log(msg):
    sys.stderr.write(msg + "\n")
    sys.stderr.flush()


def run(cmd, stdin=None):
    r = subprocess.run(cmd, input=stdin, capture_output=True, text=True)
    if r.returncode != 0:
        raise SystemExit(f"{' '.join(cmd)} failed: {r.stderr}")
    return r.stdout
