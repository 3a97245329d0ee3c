#!/usr/bin/python3
"""A label's recall target (issue 34, point 5): does the out-of-fold offset hold on new messages?

    bench/quality/label_recall.py --cli build/release/pg-intent [--target 0.9]

On each public set, the model at the defaults is trained on the train split and its out-of-fold
recall per label read from its report; the label to protect is the one with the lowest
out-of-fold recall among labels with at least 30 training rows (the hardest to find). A second
model is trained with {"recall_label": L, "recall_target": T}. Both answer the held-out split
(`pg-intent predict`); for L: its recall (answered L and not uncertain, over the rows labelled L)
and precision (rows labelled L over the answers L), and for every row: served-label accuracy.
Prints markdown.
"""
import argparse
import collections
import csv
import json
import os
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from cli_run import datasets_dir, log, run  # noqa: E402

DATASETS = [  # name, file, train split, held-out split
    ("CLINC150", "clinc150_dev.csv", "train", "val"),
    ("HWU64", "hwu64.csv", "train", "test"),
    ("SNIPS", "snips.csv", "train", "test"),
    ("MTOD es", "mtod_es.csv", "train", "test"),
    ("nlp.js es", "nlpjs_corpus50_es.csv", "train", "test"),
]
MIN_TRAIN_ROWS = 30


def rows_of(path, split):
    with open(path, newline="", encoding="utf-8") as f:
        return [(r["text"].replace("\n", " "), r["intent"]) for r in csv.DictReader(f) if r["split"] == split]


def answers(cli, model, texts):
    out = run([cli, "predict", "--model", model], "\n".join(texts) + "\n").splitlines()
    if len(out) != len(texts):
        raise SystemExit(f"{len(out)} answers for {len(texts)} messages")
    return [(line.split("\t")[0], line.split("\t")[2] == "true") for line in out]


def figures(held, got, label):
    flagged = sum(1 for (_, t), (p, u) in zip(held, got) if p == label and not u)
    right = sum(1 for (_, t), (p, u) in zip(held, got) if p == label and not u and t == label)
    support = sum(1 for _, t in held if t == label)
    accuracy = sum(1 for (_, t), (p, _) in zip(held, got) if p == t) / len(held)
    return (right / support if support else 0.0, right / flagged if flagged else 0.0, accuracy, support)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--cli", required=True)
    ap.add_argument("--target", type=float, default=0.9)
    ap.add_argument("--data-dir", default=None)
    args = ap.parse_args()
    data_dir = datasets_dir(args.data_dir)
    work = tempfile.mkdtemp(prefix="pgi-recall.")
    print(f"recall_target {args.target}; L = the label with the lowest out-of-fold recall among labels with "
          f">= {MIN_TRAIN_ROWS} training rows\n")
    print("| set | L (held-out rows) | out-of-fold recall of L: plain → rule | held-out recall of L: plain → rule "
          "| held-out precision of L: plain → rule | accuracy, all rows: plain → rule | offset |")
    print("|---|---|---|---|---|---|---|")
    for name, fname, train, held_split in DATASETS:
        data = os.path.join(data_dir, fname)
        held = rows_of(data, held_split)
        counts = collections.Counter(t for _, t in rows_of(data, train))
        plain, plain_report = os.path.join(work, fname + ".plain.bin"), os.path.join(work, fname + ".plain.json")
        log(f"{name}: plain")
        run([args.cli, "train", "--data", data, "--split", train, "--model", plain, "--report", plain_report])
        per = json.load(open(plain_report))["metrics"]["per_intent"]
        candidates = [(m["recall"], l) for l, m in per.items() if counts[l] >= MIN_TRAIN_ROWS]
        if not candidates:
            print(f"| {name} | no label with >= {MIN_TRAIN_ROWS} training rows | | | | | |")
            continue
        oof_before, label = min(candidates)
        ruled, ruled_report = os.path.join(work, fname + ".rule.bin"), os.path.join(work, fname + ".rule.json")
        log(f"{name}: recall_label {label}")
        options = json.dumps({"recall_label": label, "recall_target": args.target})
        run([args.cli, "train", "--data", data, "--split", train, "--model", ruled, "--report", ruled_report,
             "--options", options])
        rule = json.load(open(ruled_report))["recall_rule"]
        texts = [t for t, _ in held]
        r0, p0, a0, support = figures(held, answers(args.cli, plain, texts), label)
        r1, p1, a1, _ = figures(held, answers(args.cli, ruled, texts), label)
        print(f"| {name} | {label} ({support}) | {oof_before:.3f} → {rule['recall_after']:.3f} | {r0:.3f} → {r1:.3f} "
              f"| {p0:.3f} → {p1:.3f} | {a0:.4f} → {a1:.4f} | {rule['offset']:.3f} ({rule['reason_code']}) |")


if __name__ == "__main__":
    main()
