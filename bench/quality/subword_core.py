#!/usr/bin/env python3
"""The core's subword_vectors option (issue 34, point 1) against the option
off, same run, through the pg-intent CLI (bench/results/2026-11-29-vm-subword-core.md).

  subword_core.py fewshot [--seeds 42,43,44]   CLINC150, 5 rows per intent from train, scored on val;
                                               OOS AUROC val against oos_val
  subword_core.py full                         CLINC150 (val), HWU64, SNIPS, MTOD es (test): the train split

Variants: `off` (no option), `on` (vectors trained on the training rows' texts, which is what
train_intent_model() does; the weight chosen out of fold), `on w2` (the same, the weight fixed at 2), and for few-shot `on+unlabelled` (vectors also trained on the texts
of all 15,000 CLINC150 train rows, labels never read: the setting of the fastText study,
bench/results/2026-11-29-vm-subword-features.md, through the CLI's --unlabelled-data).
AUROC: of the top decision score (`predict --scores yes`), as the study's, and of the served
calibrated confidence. Results are appended to WORK/results.jsonl; the markdown table is printed.
"""
import argparse
import csv
import json
import os
import random
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
from cli_run import datasets_dir, log, run  # noqa: E402

ON = '{"subword_vectors": true}'  # the weight chosen out of fold (2026-11-29-vm-subword-weight.md)
W2 = '{"subword_vectors": {"weight": 2}}'  # the weight fixed at 2, the option's former default


def read_rows(path):
    with open(path, newline="", encoding="utf-8") as f:
        return list(csv.DictReader(f))


def write_rows(path, rows):
    with open(path, "w", newline="", encoding="utf-8") as f:
        w = csv.writer(f)
        w.writerow(["split", "text", "intent"])
        for r in rows:
            w.writerow([r["split"], r["text"], r["intent"]])


def sample_per_intent(rows, split, n, seed):
    """quality.py's nested seeded sample: per intent, one seeded shuffle of its rows."""
    by = {}
    for r in rows:
        if r["split"] == split:
            by.setdefault(r["intent"], []).append(r)
    out = []
    for intent in sorted(by):
        members = by[intent][:]
        random.Random("%d/%s" % (seed, intent)).shuffle(members)
        out += members[:n]
    return out


def auroc(pos, neg):
    """P(score of an in-scope text > score of an out-of-scope text), ties half."""
    allv = sorted([(s, 1) for s in pos] + [(s, 0) for s in neg])
    rank, i, rsum = 1, 0, 0.0
    while i < len(allv):
        j = i
        while j < len(allv) and allv[j][0] == allv[i][0]:
            j += 1
        avg = (rank + rank + (j - i) - 1) / 2
        rsum += avg * sum(1 for k in range(i, j) if allv[k][1] == 1)
        rank += j - i
        i = j
    n1, n0 = len(pos), len(neg)
    return (rsum - n1 * (n1 + 1) / 2) / (n1 * n0)


def scores(cli, model, texts):
    inp = "".join(t.replace("\r", " ").replace("\n", " ") + "\n" for t in texts)
    p = subprocess.run([cli, "predict", "--model", model, "--top", "1", "--scores", "yes"], input=inp,
                       capture_output=True, text=True, check=True)
    conf, top = [], []
    for line in p.stdout.rstrip("\n").split("\n"):
        f = line.split("\t")
        conf.append(float(f[1]))
        top.append(max(float(x) for x in f[4].split()))
    return conf, top


def train_eval(cli, data, split, ev, model, options=None, extra=(), oos=None):
    cmd = [cli, "train", "--data", data, "--split", split, "--model", model]
    if options:
        cmd += ["--options", options]
    t = json.loads(run(cmd + list(extra)))
    e = json.loads(run([cli, "eval", "--data", data, "--split", ev, "--model", model, "--timing", "no"]))
    res = {"train": t, "eval": e}
    if oos:
        val_texts, oos_texts = oos
        cv, tv = scores(cli, model, val_texts)
        co, to = scores(cli, model, oos_texts)
        res["auroc_top_score"] = auroc(tv, to)
        res["auroc_confidence"] = auroc(cv, co)
    return res


def fewshot(a, work):
    data = os.path.join(a.data_dir, "clinc150_dev.csv")
    rows = read_rows(data)
    val = [r for r in rows if r["split"] == "val"]
    oos = [r for r in rows if r["split"] == "oos_val"]
    out = []
    for seed in [int(s) for s in a.seeds.split(",")]:
        sample = sample_per_intent(rows, "train", 5, seed)
        path = os.path.join(work, "clinc_5shot_%d.csv" % seed)
        write_rows(path, [dict(r, split="train") for r in sample] + val)
        unl = ("--unlabelled-data", data, "--unlabelled-split", "train")
        for variant, opts, extra in [("off", None, ()), ("on", ON, ()), ("on w2", W2, ()),
                                     ("on+unlabelled", ON, unl), ("on+unlabelled w2", W2, unl)]:
            log("fewshot seed %d %s" % (seed, variant))
            r = train_eval(a.cli, path, "train", "val", path + "." + variant.replace(" ", "_") + ".bin", opts, extra,
                           ([x["text"] for x in val], [x["text"] for x in oos]))
            r.update(section="fewshot", seed=seed, variant=variant)
            out.append(r)
    return out


FULL = [("CLINC150", "clinc150_dev.csv", "val"), ("HWU64", "hwu64.csv", "test"), ("SNIPS", "snips.csv", "test"),
        ("MTOD es", "mtod_es.csv", "test")]


def full(a, work):
    out = []
    for name, fname, ev in FULL:
        data = os.path.join(a.data_dir, fname)
        oos = None
        if name == "CLINC150":
            rows = read_rows(data)
            oos = ([r["text"] for r in rows if r["split"] == "val"],
                   [r["text"] for r in rows if r["split"] == "oos_val"])
        for variant, opts in [("off", None), ("on", ON), ("on w2", W2)]:
            log("full %s %s" % (name, variant))
            m = os.path.join(work, "full_%s.%s.bin" % (name.replace(" ", ""), variant.replace(" ", "_")))
            r = train_eval(a.cli, data, "train", ev, m, opts, (), oos)
            r.update(section="full", set=name, variant=variant)
            out.append(r)
    return out


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("what", choices=["fewshot", "full"])
    ap.add_argument("--cli", default=os.path.join(HERE, "..", "..", "build", "release", "pg-intent"))
    ap.add_argument("--data-dir", default=None)
    ap.add_argument("--workdir", default=os.path.join(HERE, "..", "..", "build-bench-quality", "subword_core"))
    ap.add_argument("--seeds", default="42,43,44")
    a = ap.parse_args()
    a.data_dir = datasets_dir(a.data_dir)
    os.makedirs(a.workdir, exist_ok=True)
    res = fewshot(a, a.workdir) if a.what == "fewshot" else full(a, a.workdir)
    with open(os.path.join(a.workdir, "results.jsonl"), "a") as f:
        for r in res:
            f.write(json.dumps(r) + "\n")
    for r in res:
        key = "seed %s" % r["seed"] if r["section"] == "fewshot" else r["set"]
        t, e = r["train"], r["eval"]
        sw = t.get("subword_weight")
        print("| %s | %s | %s | %.4f | %s | %s | %d | %d | %.3f |" % (
            key, r["variant"], "" if sw is None else "%g %s" % (sw["value"], sw["accuracy"]), e["accuracy"],
            "%.3f" % r["auroc_top_score"] if "auroc_top_score" in r else "",
            "%.3f" % r["auroc_confidence"] if "auroc_confidence" in r else "",
            t["features"], t["model_bytes"], t["train_seconds"]))


if __name__ == "__main__":
    main()
