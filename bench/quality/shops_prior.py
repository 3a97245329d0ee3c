#!/usr/bin/python3
"""A small shop's model that starts from what the fallback knows (issue 34,
point 2, "go beyond the choice"): a study through the CLI.

The marketplace of bench/quality/shops_fallback.py (one big shop, eight
small ones sharing 30 intents, two shops with 10 intents of their own). Per
shop, on its held-out messages (accuracy of the top label, threshold
ignored):
  own       the shop's rows alone
  fallback  every shop's rows (weight 1)
  prior w   the shop's rows (weight 1) and every other shop's rows at weight
            w, for w in WEIGHTS
  mix a     a * p_own + (1 - a) * p_fallback, the calibrated probabilities
            of the two models over the union of their labels
  chosen    the lever and its parameter picked out of fold, from the shop's
            training rows only: FOLDS folds of the shop's rows; for each
            fold, own, prior w and fallback trained without that fold's rows
            score them; the candidate (fallback, own, prior w, mix a, or
            prior w mixed with the fallback) with the best out-of-fold
            accuracy on the shop's rows wins, ties to the fallback, then to
            the fewest parameters. The held-out rows decide nothing.
Every model: the CLI's defaults with normalize_digits, as a partitioned
classifier's (min_feature_partitions is not reproduced: the CLI has no
shop groups).
"""
import argparse
import csv
import datetime
import json
import os
import platform
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from shops_fallback import DATASETS, marketplace, read  # noqa: E402

WEIGHTS = [0.1, 0.3, 0.6]
ALPHAS = [0.2, 0.35, 0.5, 0.65, 0.8]
FOLDS = 3
MARGINS = [0, 0.02, 0.05]
OPTIONS = '{"normalize_digits": true}'


class Cli:
    def __init__(self, binary, work):
        self.binary, self.work, self.trainings, self.seconds = binary, work, 0, 0.0

    def train(self, data, splits, weights, model):
        cmd = ["nice", self.binary, "train", "--data", data, "--split", ",".join(splits),
               "--model", model, "--options", OPTIONS]
        if weights:
            cmd += ["--split-weight", ",".join("%s=%g" % kv for kv in weights.items())]
        t = time.time()
        p = subprocess.run(cmd, capture_output=True, text=True)
        self.seconds += time.time() - t
        self.trainings += 1
        if p.returncode != 0:
            raise RuntimeError("train failed: %s" % p.stderr[-2000:])
        return model

    def probs(self, model, texts):
        """One {label: calibrated probability} per text (every label)."""
        if not texts:
            return []
        p = subprocess.run(["nice", self.binary, "predict", "--model", model, "--top", "100000"],
                           input="".join(t.replace("\n", " ").replace("\r", " ") + "\n" for t in texts),
                           capture_output=True, text=True)
        if p.returncode != 0:
            raise RuntimeError("predict failed: %s" % p.stderr[-2000:])
        out = []
        for line in p.stdout.splitlines():
            top = json.loads(line.split("\t")[3])
            out.append({t["intent"]: t["probability"] for t in top})
        assert len(out) == len(texts)
        return out


def write_csv(path, rows):
    with open(path, "w", newline="", encoding="utf-8") as f:
        w = csv.writer(f)
        w.writerow(["split", "text", "intent"])
        w.writerows(rows)


def write_shop_folds(base, train):
    """(shops, {shop: [(text, intent)]}, the CSV rows, base/rows.csv): the
    training rows, split "<shop>:<k>" for fold k of a shop's rows (its i-th
    row in fold i mod FOLDS)."""
    shops = sorted({s for s, _, _ in train})
    os.makedirs(base, exist_ok=True)
    by_shop = {s: [] for s in shops}
    for s, x, y in train:
        by_shop[s].append((x, y))
    csv_rows = []
    for s in shops:
        for i, (x, y) in enumerate(by_shop[s]):
            csv_rows.append(("%s:%d" % (s, i % FOLDS), x, y))
    data_csv = os.path.join(base, "rows.csv")
    write_csv(data_csv, csv_rows)
    return shops, by_shop, csv_rows, data_csv


def mix(a, p, q):
    labels = set(p) | set(q)
    return {l: a * p.get(l, 0.0) + (1 - a) * q.get(l, 0.0) for l in labels}


def accuracy(dists, truth):
    return sum(max(d, key=d.get) == t for d, t in zip(dists, truth)) / len(truth) if truth else 0.0


def candidates(own, fb, prior):
    """name -> distributions, from own, fallback and {w: prior} distributions."""
    c = {"fallback": fb, "own": own}
    for w, p in prior.items():
        c["prior %g" % w] = p
    for a in ALPHAS:
        c["mix %g" % a] = [mix(a, o, f) for o, f in zip(own, fb)]
        for w, p in prior.items():
            c["prior %g + mix %g" % (w, a)] = [mix(a, x, f) for x, f in zip(p, fb)]
    return c


def complexity(name):
    return 0 if name == "fallback" else 1 + name.count(" ")


def run(cli, data, name, train_split, held_split):
    rows = read(os.path.join(data, name))
    train, held, _, _ = marketplace(rows, train_split, held_split)
    base = os.path.join(cli.work, name.split(".")[0])
    shops, by_shop, _, data_csv = write_shop_folds(base, train)

    def splits(shop_set, skip=None):
        return ["%s:%d" % (s, k) for s in shop_set for k in range(FOLDS) if (s, k) != skip]

    fb_model = cli.train(data_csv, splits(shops), None, os.path.join(base, "fallback.bin"))
    table = []
    for s in shops:
        others = [o for o in shops if o != s]
        # Out of fold, from the shop's training rows only.
        oof = {"own": [], "fallback": [], **{w: [] for w in WEIGHTS}}
        truth = []
        for k in range(FOLDS):
            fold = [(x, y) for i, (x, y) in enumerate(by_shop[s]) if i % FOLDS == k]
            texts = [x for x, _ in fold]
            truth += [y for _, y in fold]
            m = cli.train(data_csv, [sp for sp in splits([s]) if sp != "%s:%d" % (s, k)], None,
                          os.path.join(base, "f_own.bin"))
            oof["own"] += cli.probs(m, texts)
            m = cli.train(data_csv, splits(shops, skip=(s, k)), None, os.path.join(base, "f_fb.bin"))
            oof["fallback"] += cli.probs(m, texts)
            for w in WEIGHTS:
                m = cli.train(data_csv, splits(shops, skip=(s, k)), {sp: w for sp in splits(others)},
                              os.path.join(base, "f_prior.bin"))
                oof[w] += cli.probs(m, texts)
        oof_c = candidates(oof["own"], oof["fallback"], {w: oof[w] for w in WEIGHTS})
        oof_acc = {c: accuracy(d, truth) for c, d in oof_c.items()}
        chosen = max(oof_acc, key=lambda c: (round(oof_acc[c], 9), -complexity(c)))
        # Held out: every candidate, trained on all the shop's training rows.
        h = [(x, y) for sh, x, y in held if sh == s]
        texts, htruth = [x for x, _ in h], [y for _, y in h]
        own = cli.probs(cli.train(data_csv, splits([s]), None, os.path.join(base, "own.bin")), texts)
        fb = cli.probs(fb_model, texts)
        prior = {w: cli.probs(cli.train(data_csv, splits(shops), {sp: w for sp in splits(others)},
                                        os.path.join(base, "prior.bin")), texts) for w in WEIGHTS}
        held_c = candidates(own, fb, prior)
        held_acc = {c: accuracy(d, htruth) for c, d in held_c.items()}
        table.append({"shop": s, "train": len(by_shop[s]), "held": len(h), "chosen": chosen,
                      "oof": oof_acc, "acc": held_acc})
        print("  %s %s: own %.3f fallback %.3f chosen %s %.3f (oof %.3f vs fallback %.3f)" % (
            name, s, held_acc["own"], held_acc["fallback"], chosen, held_acc[chosen],
            oof_acc[chosen], oof_acc["fallback"]), file=sys.stderr, flush=True)
    return table


def report(name, table):
    cols = ["own", "fallback"] + ["prior %g" % w for w in WEIGHTS] + ["mix %g" % a for a in (0.2, 0.35, 0.5)]
    out = ["## %s" % name, "",
           "| shop | training rows | held-out | " + " | ".join(cols) + " | chosen out of fold | chosen: held-out | vs fallback |",
           "|---|---|---|" + "---|" * len(cols) + "---|---|---|"]
    for r in table:
        a = r["acc"]
        out.append("| %s | %d | %d | %s | %s | %.3f | %+.3f |" % (
            r["shop"], r["train"], r["held"], " | ".join("%.3f" % a[c] for c in cols),
            r["chosen"], a[r["chosen"]], a[r["chosen"]] - a["fallback"]))
    for label, sel in (("small shops", [r for r in table if r["shop"].startswith("small")]), ("all shops", table)):
        if not sel:
            continue
        n = len(sel)
        mean = lambda c: sum(r["acc"][c] for r in sel) / n  # noqa: E731
        chosen = sum(r["acc"][r["chosen"]] for r in sel) / n
        below = sum(r["acc"][r["chosen"]] < r["acc"]["fallback"] - 1e-9 for r in sel)
        fixed = ", ".join("%s %.3f" % (c, mean(c)) for c in cols)
        out += ["", "%s (%d): mean accuracy %s; chosen out of fold %.3f; chosen below the fallback: %d." % (
            label, n, fixed, chosen, below)]
    out += ["", "The choice leaving the fallback only when its out-of-fold accuracy beats the fallback's by m:", ""]
    for m in MARGINS:
        picks = [(r, with_margin(r, m)) for r in table]
        d = [(r["shop"], r["acc"][c] - r["acc"]["fallback"]) for r, c in picks]
        small = [x for s, x in d if s.startswith("small")]
        out.append("- m = %g: small shops' mean %+.4f against the fallback; shops below it: %d small, %d in all." % (
            m, sum(small) / max(len(small), 1), sum(x < -1e-9 for x in small), sum(x < -1e-9 for _, x in d)))
    return "\n".join(out) + "\n"


def with_margin(r, m):
    o = r["oof"]
    best = max(o, key=lambda c: (round(o[c], 9), -complexity(c)))
    return best if o[best] - o["fallback"] >= m - 1e-9 else "fallback"


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--data", required=True)
    ap.add_argument("--cli", required=True)
    ap.add_argument("--work", default="/tmp/shops_prior")
    ap.add_argument("--out", required=True)
    ap.add_argument("--json", help="write every figure there")
    ap.add_argument("--from-json", help="report the figures a --json run wrote; train nothing")
    ap.add_argument("--command", default="bench/quality/shops_prior_run")
    ap.add_argument("--sets", default=",".join(d[0] for d in DATASETS))
    args = ap.parse_args()
    cli = Cli(args.cli, args.work)
    if not args.from_json:
        os.makedirs(args.work, exist_ok=True)
    commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], capture_output=True, text=True,
                            cwd=os.path.dirname(os.path.abspath(__file__))).stdout.strip()
    parts, tables = [], {}
    saved = json.load(open(args.from_json)) if args.from_json else None
    for name, tr, he in DATASETS:
        if name not in args.sets.split(",") or (saved is not None and name not in saved):
            continue
        tables[name] = saved[name] if saved is not None else run(cli, args.data, name, tr, he)
        parts.append(report(name, tables[name]))
    head = "%s, commit %s, %s, %d CPUs; command: `%s`; %d trainings, %.0f s.\n\n" % (
        datetime.date.today().isoformat(), commit, platform.platform(), os.cpu_count(), args.command,
        cli.trainings, cli.seconds)
    text = head + "\n".join(parts)
    with open(args.out, "w") as f:
        f.write(text)
    if args.json:
        with open(args.json, "w") as f:
            json.dump(tables, f)
    print(text)


if __name__ == "__main__":
    main()
