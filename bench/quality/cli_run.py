"""Helpers shared by the quality benchmarks that drive the pg-intent CLI
(novelty.py, label_recall.py): progress on stderr, a command run to
completion that stops the benchmark when it fails, and where the public
datasets are."""
import os
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


def datasets_dir(given=None):
    """The public datasets: `given` (--data-dir), else ../shared/datasets beside the project."""
    root = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    path = given or os.path.join(root, "..", "shared", "datasets")
    if not os.path.isdir(path):
        raise SystemExit(f"no datasets in {path}: pass --data-dir")
    return path
