#!/usr/bin/env python3
"""subword_vectors "auto" (the default) through the pg-intent CLI
(bench/results/2026-11-30-vm-subword-auto.md):

  subword_auto_cli.py full    --cli NEW --base-cli MAIN   the six full-data sets at the defaults,
                                                          each model compared byte for byte with MAIN's
  subword_auto_cli.py fewshot --cli NEW                   CLINC150 5-shot (seeds 42, 43, 44) at the
                                                          defaults, without and with --unlabelled-data
One JSON line per run on stdout.
"""
import argparse
import filecmp
import json
import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
from cli_run import datasets_dir  # noqa: E402
from subword_choice import FULL  # noqa: E402
from subword_core import read_rows, sample_per_intent, train_eval, write_rows  # noqa: E402


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("what", choices=["full", "fewshot"])
    ap.add_argument("--cli", required=True)
    ap.add_argument("--base-cli", default=None)
    ap.add_argument("--data-dir", default=None)
    ap.add_argument("--workdir", default=os.path.join(HERE, "..", "..", "build-bench-quality", "subword_auto"))
    a = ap.parse_args()
    a.data_dir = datasets_dir(a.data_dir)
    os.makedirs(a.workdir, exist_ok=True)
    if a.what == "full":
        for name, fname, ev in FULL:
            data = os.path.join(a.data_dir, fname)
            stem = os.path.join(a.workdir, "full_" + name.replace(" ", "").replace(".", ""))
            r = train_eval(a.cli, data, "train", ev, stem + ".new.bin")
            out = {"set": name, "accuracy": r["eval"]["accuracy"], "subword_auto": r["train"].get("subword_auto"),
                   "model_bytes": r["train"]["model_bytes"]}
            if a.base_cli:
                b = train_eval(a.base_cli, data, "train", ev, stem + ".base.bin")
                out["base_accuracy"] = b["eval"]["accuracy"]
                out["same_bytes"] = filecmp.cmp(stem + ".new.bin", stem + ".base.bin", shallow=False)
            print(json.dumps(out), flush=True)
        return
    data = os.path.join(a.data_dir, "clinc150_dev.csv")
    rows = read_rows(data)
    val = [r for r in rows if r["split"] == "val"]
    unl = ("--unlabelled-data", data, "--unlabelled-split", "train")
    for seed in (42, 43, 44):
        path = os.path.join(a.workdir, "clinc_5shot_%d.csv" % seed)
        write_rows(path, [dict(r, split="train") for r in sample_per_intent(rows, "train", 5, seed)] + val)
        for name, extra in (("defaults", ()), ("defaults + unlabelled", unl)):
            r = train_eval(a.cli, path, "train", "val", "%s.%s.bin" % (path, "unl" if extra else "plain"), None, extra)
            print(json.dumps({"seed": seed, "variant": name, "accuracy": r["eval"]["accuracy"],
                              "subword_auto": r["train"].get("subword_auto"),
                              "weight": r["train"].get("subword_weight", {}).get("value"),
                              "model_bytes": r["train"]["model_bytes"], "train_seconds": r["train"]["train_seconds"]}),
                  flush=True)


if __name__ == "__main__":
    main()
