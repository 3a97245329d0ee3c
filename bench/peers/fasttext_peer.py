#!/usr/bin/python3
"""fastText as a benchmark peer: Debian's `fasttext` binary trains, the python3-fasttext
bindings (same 0.9.2 library) predict, so single-message latency is measured in-process.

  fasttext_peer.py prepare --data F.csv --split train --out train.txt
  fasttext_peer.py threshold --data F.csv --split train --workdir D [--target 0.9] [-- extra args]
  fasttext_peer.py eval --data F.csv --split val [--oos-split oos_val] --model M.bin [--threshold T]

Text is lower-cased and punctuation is split off before training and before every
prediction (inside the timed region), as in fastText's own tutorial; fastText itself
only splits on whitespace.
"""
import argparse
import os
import re
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import common  # noqa: E402

PUNCT = re.compile(r"([.!?,;:'\"/()¿¡\[\]])")
SPACES = re.compile(r"\s+")
PREFIX = "__label__"


# Lower-cases and splits punctuation into separate tokens (fastText splits on spaces only).
def prep(text):
    return SPACES.sub(" ", PUNCT.sub(r" \1 ", text.lower())).strip()


# Writes fastText's training format: "__label__intent text" per line.
def write_train(path, texts, labels):
    with open(path, "w", encoding="utf-8") as f:
        for t, y in zip(texts, labels):
            f.write(f"{PREFIX}{y} {prep(t)}\n")


def cmd_prepare(a):
    texts, y = common.load_split(a.data, a.split)
    write_train(a.out, texts, y)
    common.emit({"rows": len(texts)})


# Trains on 85% of the split with the binary, chooses the threshold on the other 15%.
def cmd_threshold(a):
    import fasttext
    texts, y = common.load_split(a.data, a.split)
    tr, ho = common.stratified_holdout(y, 0.15)
    path = os.path.join(a.workdir, "threshold_train.txt")
    write_train(path, [texts[i] for i in tr], [y[i] for i in tr])
    out = os.path.join(a.workdir, "threshold_model")
    subprocess.run(["fasttext", "supervised", "-input", path, "-output", out] + a.extra,
                   check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    m = fasttext.load_model(out + ".bin")
    labels, probs = m.predict([prep(texts[i]) for i in ho], k=1)
    conf = [float(p[0]) for p in probs]
    correct = [l[0][len(PREFIX):] == y[i] for l, i in zip(labels, ho)]
    common.emit({"threshold": common.choose_threshold(conf, correct, a.target),
                 "holdout_rows": len(ho)})


def cmd_eval(a):
    import fasttext
    t0 = time.perf_counter()
    m = fasttext.load_model(a.model)
    load_ms = (time.perf_counter() - t0) * 1000
    n = len(PREFIX)

    def one(text):
        labels, probs = m.predict(prep(text), k=1)
        return labels[0][n:], float(probs[0])

    def batch(texts):
        labels, probs = m.predict([prep(t) for t in texts], k=1)
        return [(l[0][n:], float(p[0])) for l, p in zip(labels, probs)]

    common.evaluate_split(a, one, batch, load_ms)


def main():
    ap = argparse.ArgumentParser()
    sub = ap.add_subparsers(dest="cmd", required=True)
    p = sub.add_parser("prepare")
    p.add_argument("--data", required=True)
    p.add_argument("--split", default="train")
    p.add_argument("--out", required=True)
    h = sub.add_parser("threshold")
    h.add_argument("--data", required=True)
    h.add_argument("--split", default="train")
    h.add_argument("--workdir", required=True)
    h.add_argument("--target", type=float, default=0.9)
    h.add_argument("extra", nargs="*", help="extra fasttext supervised arguments (after --)")
    e = sub.add_parser("eval")
    e.add_argument("--data", required=True)
    e.add_argument("--split", required=True)
    e.add_argument("--oos-split")
    e.add_argument("--model", required=True)
    e.add_argument("--threshold", type=float)
    e.add_argument("--single-max", type=int, default=1000)
    a = ap.parse_args()
    {"prepare": cmd_prepare, "threshold": cmd_threshold, "eval": cmd_eval}[a.cmd](a)


if __name__ == "__main__":
    main()
