#!/usr/bin/python3
"""A study, nothing served: would the share of a message's words that the training rows never
held tell off-domain text apart, with its limit learned out of fold as the thresholds are?
(issue 34, point 1)

    bench/quality/unknown_words.py

For each public set: words are runs of \\w after lower-casing and accent folding (as the core's
text normalisation does, roughly); the train split is cut into 5 seeded folds, and each row's
share of words absent from the other four folds is its out-of-fold score. The limit is the
0.99 quantile of those scores (so about 1 % of in-domain rows exceed it). Then, with the
vocabulary of the whole train split: the share of the scored split that would abstain, how many
of novelty.py's off-domain probes exceed the limit, and on CLINC150 the share of oos_val that
does. No model is trained; no timing. Prints one line per set.
"""
import csv
import os
import random
import re
import sys
import unicodedata

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from cli_run import datasets_dir  # noqa: E402
from novelty import DATASETS, OFF_DOMAIN  # noqa: E402


def words(s):
    s = "".join(c for c in unicodedata.normalize("NFD", s.lower()) if unicodedata.category(c) != "Mn")
    return re.findall(r"\w+", s)


def unknown_share(ws, vocab):
    return 0.0 if not ws else sum(w not in vocab for w in ws) / len(ws)


def main():
    data_dir = datasets_dir(None)
    for name, fname, train_split, scored, oos in DATASETS:
        rows = list(csv.DictReader(open(os.path.join(data_dir, fname), encoding="utf-8")))
        train = [words(r["text"]) for r in rows if r["split"] == train_split]
        rng = random.Random(1)
        fold = [rng.randrange(5) for _ in train]
        oof = []
        for k in range(5):
            vocab = {w for ws, f in zip(train, fold) if f != k for w in ws}
            oof += [unknown_share(ws, vocab) for ws, f in zip(train, fold) if f == k]
        oof.sort()
        limit = oof[int(0.99 * (len(oof) - 1))]
        vocab = {w for ws in train for w in ws}
        test = [unknown_share(words(r["text"]), vocab) for r in rows if r["split"] == scored]
        line = (f"- {name}: limit {limit:.2f}; scored split over it {sum(x > limit for x in test) / len(test):.3f}; "
                f"off-domain probes over it {sum(unknown_share(words(s), vocab) > limit for s in OFF_DOMAIN)}"
                f"/{len(OFF_DOMAIN)}")
        if oos:
            o = [unknown_share(words(r["text"]), vocab) for r in rows if r["split"] == oos]
            line += f"; {oos} over it {sum(x > limit for x in o) / len(o):.2f}"
        print(line)


if __name__ == "__main__":
    main()
