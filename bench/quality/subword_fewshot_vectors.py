#!/usr/bin/env python3
"""CLINC150 5-shot with the subword vectors learning from the other train texts: the
vectors' settings and the unlabelled texts that repeat a labelled one (issue 34, point 1;
bench/results/2026-11-29-vm-subword-choice.md). Through the pg-intent CLI, scored on val.

Variants (each {"subword_vectors": {...}} with the weight chosen out of fold, or given with --weight):
  default            dim 16, 5 epochs (the option's defaults), unlabelled = all 15,000 train texts
                     (the 750 labelled ones among them: the core bench's setting)
  dedup              the same without the unlabelled texts equal (case and spaces aside) to a labelled one
  e10, e20, d32, d32e10, d8e10   the vectors' epochs / dimension
One JSON line per run in WORK/results.jsonl.
"""
import argparse
import json
import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
from cli_run import datasets_dir, log  # noqa: E402
from subword_core import read_rows, sample_per_intent, train_eval, write_rows  # noqa: E402

SETTINGS = {"default": {}, "dedup": {}, "e10": {"epochs": 10}, "e20": {"epochs": 20}, "d32": {"dim": 32},
            "d32e10": {"dim": 32, "epochs": 10}, "d8e10": {"dim": 8, "epochs": 10}}


def norm(t):
    return " ".join(t.lower().split())


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--cli", required=True)
    ap.add_argument("--data-dir", default=None)
    ap.add_argument("--workdir", required=True)
    ap.add_argument("--seeds", default="42,43,44")
    ap.add_argument("--variants", default=",".join(SETTINGS))
    ap.add_argument("--weight", type=float, default=None)
    a = ap.parse_args()
    a.data_dir = datasets_dir(a.data_dir)
    os.makedirs(a.workdir, exist_ok=True)
    data = os.path.join(a.data_dir, "clinc150_dev.csv")
    rows = read_rows(data)
    val = [r for r in rows if r["split"] == "val"]
    train = [r for r in rows if r["split"] == "train"]
    with open(os.path.join(a.workdir, "results.jsonl"), "a") as out:
        for seed in [int(s) for s in a.seeds.split(",")]:
            sample = sample_per_intent(rows, "train", 5, seed)
            path = os.path.join(a.workdir, "clinc_5shot_%d.csv" % seed)
            write_rows(path, [dict(r, split="train") for r in sample] + val)
            labelled = {norm(r["text"]) for r in sample}
            dedup = os.path.join(a.workdir, "unlabelled_dedup_%d.csv" % seed)
            write_rows(dedup, [r for r in train if norm(r["text"]) not in labelled])
            for v in a.variants.split(","):
                sw = dict(SETTINGS[v])
                if a.weight is not None:
                    sw["weight"] = a.weight
                opts = json.dumps({"subword_vectors": sw if sw else True})
                unl = ("--unlabelled-data", dedup if v == "dedup" else data, "--unlabelled-split", "train")
                log("seed %d %s %s" % (seed, v, opts))
                r = train_eval(a.cli, path, "train", "val", "%s.%s.bin" % (path, v), opts, unl)
                r.update(seed=seed, variant=v, weight=a.weight)
                out.write(json.dumps(r) + "\n")
                out.flush()


if __name__ == "__main__":
    main()
