#!/usr/bin/python3
"""Small shops: a model that leans on the shop's rows and borrows the others' (issue 34, point 2; a study).

    make pg-intent && bench/quality/shops_lean.py [--weights 1,0.5,0.25,0.1] [--out F.md]

The marketplaces of shops_fallback.py (one big shop and eight small ones sharing intents, two shops
with intents of their own). For every shop, one model per weight W trained by the CLI at the
defaults on every shop's training rows: the shop's own rows with sample weight 1, every other
shop's rows with weight W (`--split-weight other=W`). W = 1 is the shared fallback (every row
alike); a smaller W starts from what the fallback knows and leans toward the shop. Each model
answers the shop's held-out messages; the table gives accuracy (served label, threshold ignored)
and coverage (answers above the threshold), per shop and the mean over small shops and all shops.
Nothing here is served by pg_intent; it measures a direction.
"""
import argparse
import csv
import datetime
import json
import os
import platform
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import shops_fallback as sf  # noqa: E402

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def train_eval(cli, tmp, csv_path, weight):
    model = os.path.join(tmp, "m.bin")
    cmd = [cli, "train", "--data", csv_path, "--split", "own,other", "--model", model]
    if weight != 1:
        cmd += ["--split-weight", "other=%g" % weight]
    subprocess.run(cmd, check=True, capture_output=True)
    out = subprocess.run([cli, "eval", "--data", csv_path, "--split", "held", "--model", model,
                          "--timing", "no"], check=True, capture_output=True, text=True).stdout
    j = json.loads(out)
    return j["accuracy"], j["coverage"]


def study(cli, data, weights, name, tr, he, tmp, out):
    train, held, _, _ = sf.marketplace(sf.read(os.path.join(data, name)), tr, he)
    shops = sorted({s for s, _, _ in train})
    out.append("## %s (train on `%s`, held-out `%s`)\n" % (name, tr, he))
    out.append("| shop | own rows | held-out | " + " | ".join("W=%g acc / cov" % w for w in weights) + " |")
    out.append("|---|---|---|" + "---|" * len(weights))
    res = {}
    for shop in shops:
        path = os.path.join(tmp, "shop.csv")
        with open(path, "w", newline="", encoding="utf-8") as f:
            w = csv.writer(f)
            w.writerow(["split", "text", "intent"])
            for s, x, i in train:
                w.writerow(["own" if s == shop else "other", x, i])
            for s, x, i in held:
                if s == shop:
                    w.writerow(["held", x, i])
        n_own = sum(1 for s, _, _ in train if s == shop)
        n_held = sum(1 for s, _, _ in held if s == shop)
        res[shop] = [train_eval(cli, tmp, path, w) for w in weights]
        out.append("| %s | %d | %d | " % (shop, n_own, n_held) +
                   " | ".join("%.3f / %.3f" % r for r in res[shop]) + " |")
        print(out[-1], file=sys.stderr)
    for group, pick in (("small shops", lambda s: s.startswith("small")), ("all shops", lambda s: True)):
        picked = [s for s in shops if pick(s)]
        means = ["%.3f / %.3f" % (sum(res[s][k][0] for s in picked) / len(picked),
                                  sum(res[s][k][1] for s in picked) / len(picked)) for k in range(len(weights))]
        out.append("| **mean, %s (%d)** | | | %s |" % (group, len(picked), " | ".join(means)))
    out.append("")


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--cli", default=os.path.join(ROOT, "pg-intent"))
    ap.add_argument("--data", default=os.path.join(ROOT, "..", "shared", "datasets"))
    ap.add_argument("--weights", default="1,0.5,0.25,0.1")
    ap.add_argument("--out")
    a = ap.parse_args()
    weights = [float(x) for x in a.weights.split(",")]
    rev = subprocess.run(["git", "-C", ROOT, "rev-parse", "--short", "HEAD"], capture_output=True,
                         text=True).stdout.strip()
    out = ["# Small shops: leaning on the shop's rows, borrowing the others' (issue 34, point 2; a study)\n",
           "%s, commit %s, %s, %d CPUs; command: `bench/quality/shops_lean.py --weights %s`.\n"
           % (datetime.date.today(), rev, platform.platform(), os.cpu_count(), a.weights),
           __doc__.split("\n\n", 2)[2].strip() + "\n"]
    with tempfile.TemporaryDirectory() as tmp:
        for name, tr, he in sf.DATASETS:
            study(a.cli, a.data, weights, name, tr, he, tmp, out)
    text = "\n".join(out)
    print(text)
    if a.out:
        with open(a.out, "w", encoding="utf-8") as f:
            f.write(text)


if __name__ == "__main__":
    main()
