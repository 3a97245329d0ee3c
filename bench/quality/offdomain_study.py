#!/usr/bin/python3
"""A study, nothing served: the unknown-word and score rules for off-domain text that the
2026-11-29 targets run left unmeasured (issue 34, point 1), each learned out of fold from the
training rows only, measured on the answers a pg-intent build already gives.

    bench/quality/offdomain_study.py --cli /path/to/pg-intent [--workdir DIR]

For each public set of novelty.py, the build trains at the defaults on the train split (its
report gives each training row's fold and out-of-fold answer), answers the scored split, the
out-of-scope split (CLINC150) and novelty.py's probes. A candidate rule may only withhold an
answer the build gives; it never changes the label. An unknown-word rule's limit is the 0.99 quantile (the default
unknown_word_quantile 0.01) over the accepted right out-of-fold answers, never below one half:

  - G, global: the share of the message's words no training row holds (out of fold: no row
    outside the row's fold). The core's rule, rebuilt here as a check of the approximation.
  - L, label-own: the share of the message's words no training row *of the answered label*
    holds (out of fold: no row of that label outside the row's fold).
  - LG0, label-own where a word is new: L, only for a message with at least one word no training
    row holds (G above 0); its limit is L's.
  - LG: LG0 with its limit learned on its own population: the accepted right out-of-fold answers
    with a word no row outside their fold holds.
  - I, IDF-weighted: G with each word weighed by its IDF over the training rows
    (ln((1+n)/(1+df)) + 1; an unknown word df 0), out of fold on the other folds' rows.
  - T, raw top score: the answered label's raw decision score at or below the 0.01 quantile of
    those of the accepted right out-of-fold answers, scored by fold models the script trains
    (the train split less one fold, the report's folds; the vectoriser refits on those rows).

Words are runs of \\w after lower-casing and accent folding: the core's word unigrams, roughly.
Prints markdown: per set and rule, coverage, in-scope accuracy (abstain = wrong), the scored
split's answers the rule withholds (right / wrong), OOS recall and the probes caught, beside the
build's own figures (row `build`). No timing.
"""
import argparse
import csv
import json
import math
import os
import re
import sys
import tempfile
import unicodedata

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from cli_run import datasets_dir, log, run  # noqa: E402
from novelty import DATASETS, EMPTY, GIBBERISH, OFF_DOMAIN, IN_DOMAIN  # noqa: E402

QUANTILE = 0.01
LEAST = 0.5


def words(s):
    s = "".join(c for c in unicodedata.normalize("NFD", s.lower()) if unicodedata.category(c) != "Mn")
    return re.findall(r"\w+", s)


def predict(cli, model, texts, scores=False):
    cmd = [cli, "predict", "--model", model] + (["--scores", "yes"] if scores else [])
    out = run(cmd, "\n".join(t.replace("\n", " ") for t in texts) + "\n").splitlines()
    if len(out) != len(texts):
        raise SystemExit(f"{len(out)} answers for {len(texts)} texts")
    res = []
    for line in out:
        f = line.split("\t")
        res.append((f[0], f[2] == "true", [float(x) for x in f[4].split()] if scores else None))
    return res


def limit_from(values, least):
    v = sorted(values)
    allowed = int(math.floor(QUANTILE * len(v)))
    q = v[len(v) - 1 - allowed] if allowed < len(v) else 0.0
    return max(q, least), q


def floor_from(values):
    v = sorted(values)
    allowed = int(math.floor(QUANTILE * len(v)))
    return v[allowed - 1] if allowed > 0 else -math.inf


class Vocab:
    def __init__(self, rows):  # rows: list of (words, label)
        self.df = {}
        self.by_label = {}
        for ws, lab in rows:
            for w in set(ws):
                self.df[w] = self.df.get(w, 0) + 1
                self.by_label.setdefault(lab, set()).add(w)
        self.n = len(rows)

    def g(self, ws):
        return 0.0 if not ws else sum(w not in self.df for w in ws) / len(ws)

    def l(self, ws, label):
        own = self.by_label.get(label, set())
        return 0.0 if not ws else sum(w not in own for w in ws) / len(ws)

    def i(self, ws):
        if not ws:
            return 0.0
        idf = [math.log((1 + self.n) / (1 + self.df.get(w, 0))) + 1 for w in ws]
        return sum(x for x, w in zip(idf, ws) if w not in self.df) / sum(idf)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--cli", required=True)
    ap.add_argument("--data-dir", default=None)
    ap.add_argument("--workdir", default=None)
    args = ap.parse_args()
    data_dir = datasets_dir(args.data_dir)
    work = args.workdir or tempfile.mkdtemp(prefix="pgi-offdomain.")
    probes = EMPTY + GIBBERISH + OFF_DOMAIN
    rules = ["G", "L", "LG0", "LG", "I", "T"]
    print("| set | rule | limit learned (quantile before the floor of 0.5) | coverage | in-scope acc. "
          "(abstain = wrong) | scored answers it withholds: right / wrong | OOS recall | off-domain caught | empty + gibberish caught |")
    print("|---|---|---|---|---|---|---|---|---|")
    totals = {r: [0, 0] for r in ["build"] + rules}
    for name, fname, train_split, scored, oos in DATASETS:
        data = os.path.join(data_dir, fname)
        rows = list(csv.DictReader(open(data, encoding="utf-8")))
        train = [r for r in rows if r["split"] == train_split]
        model = os.path.join(work, fname + ".bin")
        report = os.path.join(work, fname + ".report.json")
        log(f"{name}: training")
        run([args.cli, "train", "--data", data, "--split", train_split, "--model", model, "--report", report])
        rr = json.load(open(report))["row_results"]
        fold_of = dict(zip(rr["row"], rr["fold"]))
        folds = sorted({f for f in rr["fold"] if f >= 0})
        tw = [words(r["text"]) for r in train]
        full = Vocab([(ws, r["intent"]) for ws, r in zip(tw, train)])
        fold_vocab = {k: Vocab([(ws, r["intent"]) for i, (ws, r) in enumerate(zip(tw, train))
                                if fold_of.get(i, -1) != k]) for k in folds}
        # T: fold models give raw out-of-fold scores.
        oof_top = {}
        for k in folds:
            fcsv = os.path.join(work, f"{fname}.fold{k}.csv")
            with open(fcsv, "w", encoding="utf-8", newline="") as fh:
                w = csv.writer(fh)
                w.writerow(["split", "text", "intent"])
                for i, r in enumerate(train):
                    w.writerow(["fit" if fold_of.get(i, -1) != k else "held", r["text"], r["intent"]])
            fmodel = os.path.join(work, f"{fname}.fold{k}.bin")
            run([args.cli, "train", "--data", fcsv, "--split", "fit", "--model", fmodel])
            held = [i for i in range(len(train)) if fold_of.get(i, -1) == k]
            for i, (lab, _, sc) in zip(held, predict(args.cli, fmodel, [train[i]["text"] for i in held], True)):
                oof_top[i] = (lab, max(sc))
        # Out-of-fold shares of the accepted right answers.
        g, l_, idf, top, lg = [], [], [], [], []
        for j, i in enumerate(rr["row"]):
            k = rr["fold"][j]
            if k < 0 or rr["uncertain"][j] or rr["predicted"][j] != train[i]["intent"]:
                continue
            ws, v = tw[i], fold_vocab[k]
            if ws:
                g.append(v.g(ws))
                l_.append(v.l(ws, rr["predicted"][j]))
                idf.append(v.i(ws))
                if v.g(ws) > 0:
                    lg.append(v.l(ws, rr["predicted"][j]))
            if i in oof_top and oof_top[i][0] == train[i]["intent"]:
                top.append(oof_top[i][1])
        lim = {"G": limit_from(g, LEAST), "L": limit_from(l_, LEAST), "I": limit_from(idf, LEAST),
               "LG": limit_from(lg, LEAST)}
        lim["LG0"] = lim["L"]
        tfloor = floor_from(top)

        def withheld(rule, text, label, sc):
            ws = words(text)
            if rule == "G":
                return full.g(ws) > lim["G"][0]
            if rule == "L":
                return full.l(ws, label) > lim["L"][0]
            if rule == "I":
                return full.i(ws) > lim["I"][0]
            if rule in ("LG", "LG0"):
                return full.g(ws) > 0 and full.l(ws, label) > lim[rule][0]
            return max(sc) <= tfloor

        scored_rows = [r for r in rows if r["split"] == scored]
        oos_rows = [r for r in rows if oos and r["split"] == oos]
        ans = predict(args.cli, model, [r["text"] for r in scored_rows], True)
        oans = predict(args.cli, model, [r["text"] for r in oos_rows], True) if oos_rows else []
        pans = predict(args.cli, model, probes, True)
        covered = IN_DOMAIN.get(fname, {})
        first = len(EMPTY) + len(GIBBERISH)
        off = [i for i in range(first, len(probes)) if probes[i] not in covered]
        for rule in ["build"] + rules:
            def unc(text, a):
                return a[1] or (rule != "build" and withheld(rule, text, a[0], a[2]))
            n = len(scored_rows)
            answered = [not unc(r["text"], a) for r, a in zip(scored_rows, ans)]
            cov = sum(answered) / n
            acc = sum(x and a[0] == r["intent"] for x, r, a in zip(answered, scored_rows, ans)) / n
            base = [not a[1] for a in ans]
            lost_right = sum(b and not x and a[0] == r["intent"] for b, x, r, a in zip(base, answered, scored_rows, ans))
            lost_wrong = sum(b and not x and a[0] != r["intent"] for b, x, r, a in zip(base, answered, scored_rows, ans))
            rec = (sum(unc(r["text"], a) for r, a in zip(oos_rows, oans)) / len(oos_rows)) if oos_rows else None
            caught = [unc(p, a) for p, a in zip(probes, pans)]
            o = sum(caught[i] for i in off)
            eg = sum(caught[:first])
            totals[rule][0] += o
            totals[rule][1] += len(off)
            missed = [f"`{probes[i]}` → `{pans[i][0]}`" for i in off if not caught[i]]
            if rule == "build":
                limtxt = ""
            elif rule == "T":
                limtxt = f"top score ≤ {tfloor:.4f} ({len(top)} rows)"
            else:
                limtxt = f"{lim[rule][0]:.4f} ({lim[rule][1]:.4f})"
            print(f"| {name} | {rule} | {limtxt} | {cov:.3f} | {acc:.4f} | {lost_right} / {lost_wrong} | "
                  f"{'' if rec is None else f'{rec:.2f}'} | {o} of {len(off)}"
                  f"{' (missed: ' + ', '.join(missed) + ')' if missed else ''} | {eg} of {first} |")
    print()
    for rule, (o, n) in totals.items():
        print(f"- {rule}: off-domain caught {o} of {n}")


if __name__ == "__main__":
    main()
