#!/usr/bin/python3
"""Does a subword representation learnt from the messages alone tell novel text apart?
(issue 34, point 1; a study: nothing here is served)

    bench/quality/subword_novelty.py [--data-dir DIR] [--dim 100] [--epoch 10]

For each public set, Debian's `fasttext skipgram` (character n-grams 3-6, one thread, so the
vectors are the same on every run) is trained on the texts of the train split only, without
labels: the messages a database already holds. Each text's vector is fastText's sentence
vector (the mean of its words' normalised vectors). Two novelty scores, both from the train
split only:
  - centroid: 1 - the largest cosine between the text and a label's mean train vector;
  - nearest: 1 - the largest cosine between the text and any train text.
The table gives, per set and score, the AUROC of in-domain texts (the held-out split) against
the probes of novelty.py (gibberish and off-domain; empty texts have no vector and already
abstain on evidence), CLINC150's out-of-scope split as well, and how many probes a threshold
catches that keeps 95 % of the held-out in-domain texts (chosen on the scored split itself:
an upper bound, shown to judge the representation, never to set a default).
Needs /usr/bin/fasttext (Debian's fasttext package) and numpy.
"""
import argparse
import csv
import os
import subprocess
import sys
import tempfile

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from cli_run import datasets_dir, log  # noqa: E402
from novelty import GIBBERISH, OFF_DOMAIN  # noqa: E402

SETS = [  # name, file, scored split, out-of-scope split
    ("CLINC150", "clinc150_dev.csv", "val", "oos_val"),
    ("HWU64", "hwu64.csv", "test", None),
    ("SNIPS", "snips.csv", "test", None),
    ("MTOD es", "mtod_es.csv", "test", None),
    ("nlp.js es", "nlpjs_corpus50_es.csv", "test", None),
]


def read(path):
    rows = {}
    with open(path, newline="", encoding="utf-8") as f:
        for r in csv.DictReader(f):
            rows.setdefault(r["split"], []).append((r["text"].strip().lower(), r["intent"]))
    return rows


def vectors(model, texts, work):
    path = os.path.join(work, "in.txt")
    with open(path, "w", encoding="utf-8") as f:
        for t in texts:
            f.write(t.replace("\n", " ") + "\n")
    with open(path, encoding="utf-8") as f:
        out = subprocess.run(["fasttext", "print-sentence-vectors", model], stdin=f, capture_output=True,
                             text=True, check=True).stdout
    v = np.array([[float(x) for x in line.split()[-DIM:]] for line in out.splitlines()], dtype=np.float64)
    assert len(v) == len(texts), (len(v), len(texts))
    n = np.linalg.norm(v, axis=1, keepdims=True)
    return v / np.maximum(n, 1e-12)


def auroc(inside, novel):
    """P(novelty of a novel text > novelty of an in-domain one), ties half."""
    a = np.asarray(inside)
    b = np.asarray(novel)
    greater = (b[:, None] > a[None, :]).sum()
    ties = (b[:, None] == a[None, :]).sum()
    return (greater + 0.5 * ties) / (len(a) * len(b))


def main():
    global DIM
    ap = argparse.ArgumentParser()
    ap.add_argument("--data-dir", default=None)
    ap.add_argument("--dim", type=int, default=100)
    ap.add_argument("--epoch", type=int, default=10)
    args = ap.parse_args()
    DIM = args.dim
    data = datasets_dir(args.data_dir)
    work = tempfile.mkdtemp(prefix="pgi-subword.")
    probes = GIBBERISH + OFF_DOMAIN
    print("| set | score | AUROC in-domain vs probes | AUROC in-domain vs out-of-scope | "
          f"gibberish caught at 95 % coverage ({len(GIBBERISH)}) | off-domain caught at 95 % coverage "
          f"({len(OFF_DOMAIN)}) |")
    print("|---|---|---|---|---|---|")
    for name, fname, scored, oos in SETS:
        rows = read(os.path.join(data, fname))
        train = rows["train"]
        corpus = os.path.join(work, "corpus.txt")
        with open(corpus, "w", encoding="utf-8") as f:
            for t, _ in train:
                f.write(t + "\n")
        model = os.path.join(work, "skipgram")
        log(f"{name}: skipgram on {len(train)} train texts")
        subprocess.run(["fasttext", "skipgram", "-input", corpus, "-output", model, "-dim", str(DIM),
                        "-minn", "3", "-maxn", "6", "-epoch", str(args.epoch), "-minCount", "1",
                        "-thread", "1", "-verbose", "0"], check=True)
        model += ".bin"
        tv = vectors(model, [t for t, _ in train], work)
        labels = sorted({i for _, i in train})
        index = {l: k for k, l in enumerate(labels)}
        y = np.array([index[i] for _, i in train])
        centroids = np.stack([tv[y == k].mean(axis=0) for k in range(len(labels))])
        centroids /= np.maximum(np.linalg.norm(centroids, axis=1, keepdims=True), 1e-12)
        sv = vectors(model, [t for t, _ in rows[scored]], work)
        pv = vectors(model, probes, work)
        ov = vectors(model, [t for t, _ in rows[oos]], work) if oos else None
        for score_name, score in (("centroid", lambda v: 1 - (v @ centroids.T).max(axis=1)),
                                  ("nearest", lambda v: 1 - (v @ tv.T).max(axis=1))):
            s_in, s_probe = score(sv), score(pv)
            cut = np.quantile(s_in, 0.95)  # 95 % of in-domain texts at or below
            caught = s_probe > cut
            oos_auc = f"{auroc(s_in, score(ov)):.3f}" if oos else ""
            print(f"| {name} | {score_name} | {auroc(s_in, s_probe):.3f} | {oos_auc} | "
                  f"{int(caught[:len(GIBBERISH)].sum())} | {int(caught[len(GIBBERISH):].sum())} |")
            sys.stdout.flush()


if __name__ == "__main__":
    main()
