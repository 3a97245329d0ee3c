#!/usr/bin/env python3
"""The subword weight's out-of-fold choice against its noise (issue 34, point 1;
bench/results/2026-11-29-vm-subword-choice.md), through the pg-intent CLI.

  subword_choice.py full      CLINC150 (val), HWU64, SNIPS, MTOD es, nlp.js es and en (test): the train split
  subword_choice.py fewshot   CLINC150, 5 rows per intent (seeds 42, 43, 44), scored on val, with and
                              without the other train texts as unlabelled texts

Per set: `off`, `on` (the weight chosen; its report gives each weight's out-of-fold accuracy and
`gain_se`, the standard error of its paired per-row gain over 0) and the weights 0.5, 1, 2 given,
so that the weight any margin rule picks can be scored on the held-out split without a rerun.
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

VARIANTS = [("off", None), ("on", '{"subword_vectors": true}'), ("w0.5", '{"subword_vectors": {"weight": 0.5}}'),
            ("w1", '{"subword_vectors": {"weight": 1}}'), ("w2", '{"subword_vectors": {"weight": 2}}')]
FULL = [("CLINC150", "clinc150_dev.csv", "val"), ("HWU64", "hwu64.csv", "test"), ("SNIPS", "snips.csv", "test"),
        ("MTOD es", "mtod_es.csv", "test"), ("nlp.js es", "nlpjs_corpus50_es.csv", "test"),
        ("nlp.js en", "nlpjs_corpus50_en.csv", "test")]


def runs(a, out, key, data, ev, stem, extra=(), variants=VARIANTS):
    for variant, opts in variants:
        log("%s %s" % (key, variant))
        r = train_eval(a.cli, data, "train", ev, "%s.%s.bin" % (stem, variant), opts, extra)
        r.update(key=key, variant=variant)
        out.write(json.dumps(r) + "\n")
        out.flush()


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("what", choices=["full", "fewshot"])
    ap.add_argument("--cli", required=True)
    ap.add_argument("--data-dir", default=None)
    ap.add_argument("--workdir", default=os.path.join(HERE, "..", "..", "build-bench-quality", "subword_choice"))
    ap.add_argument("--sets", default=",".join(s[0] for s in FULL))
    ap.add_argument("--seeds", default="42,43,44")
    a = ap.parse_args()
    a.data_dir = datasets_dir(a.data_dir)
    os.makedirs(a.workdir, exist_ok=True)
    with open(os.path.join(a.workdir, "results.jsonl"), "a") as out:
        if a.what == "full":
            for name, fname, ev in FULL:
                if name in a.sets.split(","):
                    runs(a, out, name, os.path.join(a.data_dir, fname), ev,
                         os.path.join(a.workdir, "full_" + name.replace(" ", "").replace(".", "")))
        else:
            data = os.path.join(a.data_dir, "clinc150_dev.csv")
            rows = read_rows(data)
            val = [r for r in rows if r["split"] == "val"]
            unl = ("--unlabelled-data", data, "--unlabelled-split", "train")
            for seed in [int(s) for s in a.seeds.split(",")]:
                path = os.path.join(a.workdir, "clinc_5shot_%d.csv" % seed)
                write_rows(path, [dict(r, split="train") for r in sample_per_intent(rows, "train", 5, seed)] + val)
                runs(a, out, "5-shot seed %d" % seed, path, "val", path)
                runs(a, out, "5-shot seed %d + unlabelled" % seed, path, "val", path + ".unl", unl, VARIANTS[1:])


if __name__ == "__main__":
    main()
