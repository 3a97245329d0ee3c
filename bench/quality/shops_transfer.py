#!/usr/bin/python3
"""A small shop's model that starts from the fallback's weights (issue 34,
point 2, the lever named literally): a study in numpy/scikit-learn.

Command (from the repository's root; no cluster, no CLI):
  /usr/bin/python3 bench/quality/shops_transfer.py --data /work/shared/datasets \\
      --out bench/results/shops-transfer-latest.md --json bench/results/shops-transfer-latest.json
(--from-json FILE reports a --json run again without training: the figures of
bench/results/2026-11-29-vm-shops-transfer.md are 2026-11-29-vm-shops-transfer.json.)

The shops and splits are bench/quality/shops_prior.py's (its marketplace(),
imported from shops_fallback.py, and its fold split: a shop's i-th training
row is in fold i % 3). Per shop, accuracy of the top label (argmax of the
linear scores; pg_intent ranks by calibrated probabilities, which can
differ) on the shop's held-out rows:
  own        the shop's rows alone, features fit on them
  fallback   every shop's rows
  transfer C min_v 1/2 ||v||^2 + C sum_i c_i sum_k sqhinge(y_ik (v_k.x_i
             + o_ik)), o_ik = w0_k.x_i, on the shop's rows in the fallback's
             feature space (its vocabulary and IDF); served w = w0 + v over
             every label of the fallback. C = 0 is the fallback.
  chosen     the C (0, i.e. the fallback, or one of CS) with the best
             out-of-fold accuracy on the shop's own training rows (3 folds;
             for each fold the fallback retrained without the fold's rows
             gives w0, the transfer is fit on the shop's other rows); ties to
             the smaller C. The held-out rows decide nothing.
  fixed      C = 1 (pg_intent's C), fixed before any held-out row was seen.
  others C   the same, w0 trained on every other shop's rows (none of the
             shop's own; same feature space), chosen out of fold the same
             way against the fallback (w0 then never saw the shop's rows).

The model, as close to pg_intent's defaults (normalize_digits on, as a
partitioned classifier's) as scikit-learn allows: text lower-cased, accents
folded, digit runs -> "0", non-alphanumeric runs -> one space; word 1-3-grams
(10000 by document frequency) and char_wb 2-5-grams (20000) counted, stacked,
then one TF-IDF (sublinear tf, smooth idf) and one L2 norm over the stacked
row; one-vs-rest squared-hinge SVM, C = 1, row cost C * n / (k * n_y)
(pg_intent's balanced weight, the same in every class's problem), a bias
feature of value 1 regularised with the weights. Not reproduced: pg_intent's
vocabulary hashing and ties, calibration, thresholds, min_feature_partitions.
Own and fallback models: scikit-learn's LinearSVC (liblinear, dual CD,
tol 1e-4). Transfer: this file's solver, the dual of the problem above
(a_ik >= 0; gradient y_ik (Q (a*y))_ik + a_ik / (2 c_i C) - (1 - y_ik o_ik),
the constant 1 of the ordinary SVM's gradient become 1 - y_ik o_ik), solved by
L-BFGS-B on the rows' Gram matrix; checked against LinearSVC at o = 0.
"""
import argparse
import datetime
import json
import os
import platform
import re
import subprocess
import sys
import time
import unicodedata

import numpy as np
import scipy.optimize
import scipy.sparse as sp
from sklearn.feature_extraction.text import CountVectorizer, TfidfTransformer
from sklearn.svm import LinearSVC

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from shops_fallback import DATASETS, marketplace, read  # noqa: E402

FOLDS = 3  # as shops_prior.py
CS = [0.1, 0.3, 1.0, 3.0]
FIXED_C = 1.0
BASE_C = 1.0


def normalize(text):
    t = unicodedata.normalize("NFKD", text.lower())
    t = "".join(ch for ch in t if not unicodedata.combining(ch))
    t = re.sub(r"\d+", "0", t)
    return re.sub(r"[^\w]+|_", " ", t).strip()


class Features:
    def __init__(self, texts):
        texts = [normalize(t) for t in texts]
        self.word = CountVectorizer(analyzer="word", ngram_range=(1, 3), max_features=10000,
                                    token_pattern=r"\S+", lowercase=False)
        self.char = CountVectorizer(analyzer="char_wb", ngram_range=(2, 5), max_features=20000,
                                    lowercase=False)
        counts = sp.hstack([self.word.fit_transform(texts), self.char.fit_transform(texts)]).tocsr()
        self.tfidf = TfidfTransformer(sublinear_tf=True, smooth_idf=True, norm="l2").fit(counts)

    def __call__(self, texts):
        texts = [normalize(t) for t in texts]
        counts = sp.hstack([self.word.transform(texts), self.char.transform(texts)]).tocsr()
        return self.tfidf.transform(counts).tocsr()


def row_costs(y, C):
    labels, counts = np.unique(y, return_counts=True)
    w = {l: len(y) / (len(labels) * n) for l, n in zip(labels, counts)}
    return C * np.array([w[l] for l in y])


class Linear:
    """Scores x.W + b over `labels`."""

    def __init__(self, labels, W, b):
        self.labels, self.W, self.b = list(labels), W, b

    def scores(self, X):
        return np.asarray(X @ self.W) + self.b

    def predict(self, X):
        s = self.scores(X)
        return [self.labels[j] for j in s.argmax(axis=1)]


def fit_svc(X, y, C=BASE_C):
    labels = sorted(set(y))
    if len(labels) == 1:  # one label: it always wins
        return Linear(labels, np.zeros((X.shape[1], 1)), np.zeros(1))
    m = LinearSVC(C=1.0, loss="squared_hinge", dual=True, tol=1e-4, max_iter=5000,
                  fit_intercept=True, intercept_scaling=1.0)
    m.fit(X, y, sample_weight=row_costs(y, C))
    W, b = m.coef_.T, m.intercept_
    if len(labels) == 2:  # scikit-learn keeps one column for two labels
        W, b = np.hstack([-W, W]), np.array([-b[0], b[0]])
    return Linear(m.classes_, W, b)


def over(model, labels):
    """The model over `labels`: a label it lacks scores 0 (its weights 0)."""
    W = np.zeros((model.W.shape[0], len(labels)))
    b = np.zeros(len(labels))
    for j, l in enumerate(model.labels):
        k = labels.index(l)
        W[:, k], b[k] = model.W[:, j], model.b[j]
    return Linear(labels, W, b)


def fit_transfer(X, y, prior, C, tol=1e-6):
    """w = w0 + v over the prior's labels; v from the shop's rows (X, y) with
    the prior's scores as per-row margin offsets. Returns (model, dual)."""
    if C == 0:
        return prior
    K = len(prior.labels)
    index = {l: k for k, l in enumerate(prior.labels)}
    n = X.shape[0]
    Y = -np.ones((n, K))
    Y[np.arange(n), [index[l] for l in y]] = 1.0
    O = prior.scores(X)                      # o_ik = w0_k . x_i + b0_k
    Q = np.asarray((X @ X.T).todense()) + 1.0  # the bias feature, value 1
    diag = 0.5 / row_costs(y, C)
    rhs = 1.0 - Y * O

    def f(a):
        A = a.reshape(n, K)
        Z = A * Y
        QZ = Q @ Z
        obj = 0.5 * np.sum(Z * QZ) + 0.5 * np.sum(diag[:, None] * A * A) - np.sum(rhs * A)
        grad = Y * QZ + diag[:, None] * A - rhs
        return obj, grad.ravel()

    r = scipy.optimize.minimize(f, np.zeros(n * K), jac=True, method="L-BFGS-B",
                                bounds=[(0, None)] * (n * K),
                                options={"maxiter": 20000, "maxfun": 40000, "ftol": 1e-14, "gtol": tol})
    Z = r.x.reshape(n, K) * Y
    V = np.asarray(X.T @ Z)
    return Linear(prior.labels, prior.W + V, prior.b + Z.sum(axis=0))


def check_solver():
    """At o = 0 the transfer solver is an ordinary SVM: compare with LinearSVC."""
    rng = np.random.default_rng(1)
    X = sp.csr_matrix(np.abs(rng.normal(size=(60, 40))) * (rng.random((60, 40)) < 0.2))
    y = [("a", "b", "c")[i % 3] for i in range(60)]
    ref = fit_svc(X, y)
    zero = Linear(ref.labels, np.zeros_like(ref.W), np.zeros_like(ref.b))
    mine = fit_transfer(X, y, zero, BASE_C, tol=1e-9)
    return float(np.max(np.abs(mine.W - ref.W))), float(np.max(np.abs(mine.b - ref.b)))


def accuracy(pred, truth):
    return sum(p == t for p, t in zip(pred, truth)) / len(truth) if truth else 0.0


def run(data, name, train_split, held_split, counter):
    rows = read(os.path.join(data, name))
    train, held, _, _ = marketplace(rows, train_split, held_split)
    shops = sorted({s for s, _, _ in train})
    feats = Features([x for _, x, _ in train])
    Xall = feats([x for _, x, _ in train])
    yall = [y for _, _, y in train]
    shop_of = [s for s, _, _ in train]
    # fold of each training row: its position among its shop's rows, mod FOLDS
    seen, fold = {}, []
    for s in shop_of:
        fold.append(seen.get(s, 0) % FOLDS)
        seen[s] = seen.get(s, 0) + 1
    fold = np.array(fold)
    shop_arr = np.array(shop_of)
    t = time.time()
    fb = fit_svc(Xall, yall)
    counter["fits"] += 1
    table = []
    for s in shops:
        mine = np.where(shop_arr == s)[0]
        Xs, ys = Xall[mine], [yall[i] for i in mine]
        # Out of fold, the shop's training rows only.
        oof = {0.0: [], **{c: [] for c in CS}}
        oof_o = {c: [] for c in CS}
        rest = np.where(shop_arr != s)[0]
        others = over(fit_svc(Xall[rest], [yall[i] for i in rest]), fb.labels)
        counter["fits"] += 1
        truth = []
        for k in range(FOLDS):
            out_rows = mine[fold[mine] == k]
            in_rows = mine[fold[mine] != k]
            keep = np.setdiff1d(np.arange(len(yall)), out_rows)
            fb_k = fit_svc(Xall[keep], [yall[i] for i in keep])
            Xo = Xall[out_rows]
            truth += [yall[i] for i in out_rows]
            oof[0.0] += fb_k.predict(Xo)
            for c in CS:
                m = fit_transfer(Xall[in_rows], [yall[i] for i in in_rows], fb_k, c)
                oof[c] += m.predict(Xo)
                m = fit_transfer(Xall[in_rows], [yall[i] for i in in_rows], others, c)
                oof_o[c] += m.predict(Xo)
            counter["fits"] += 1 + 2 * len(CS)
        oof_acc = {c: accuracy(p, truth) for c, p in oof.items()}
        chosen = max(oof_acc, key=lambda c: (round(oof_acc[c], 9), -c))
        oof_o_acc = {0.0: oof_acc[0.0], **{c: accuracy(p, truth) for c, p in oof_o.items()}}
        chosen_o = max(oof_o_acc, key=lambda c: (round(oof_o_acc[c], 9), -c))
        # Held out.
        h = [(x, y) for sh, x, y in held if sh == s]
        htexts, htruth = [x for x, _ in h], [y for _, y in h]
        Xh = feats(htexts)
        own_f = Features([train[i][1] for i in mine])
        own = fit_svc(own_f([train[i][1] for i in mine]), ys)
        acc = {"own": accuracy(own.predict(own_f(htexts)), htruth),
               "fallback": accuracy(fb.predict(Xh), htruth)}
        for c in CS:
            acc["transfer %g" % c] = accuracy(fit_transfer(Xs, ys, fb, c).predict(Xh), htruth)
            acc["others %g" % c] = accuracy(fit_transfer(Xs, ys, others, c).predict(Xh), htruth)
        counter["fits"] += 2 + 2 * len(CS)
        acc["chosen"] = acc["fallback"] if chosen == 0 else acc["transfer %g" % chosen]
        acc["chosen others"] = acc["fallback"] if chosen_o == 0 else acc["others %g" % chosen_o]
        table.append({"shop": s, "train": len(mine), "held": len(h),
                      "chosen": "fallback" if chosen == 0 else "transfer %g" % chosen,
                      "chosen others": "fallback" if chosen_o == 0 else "others %g" % chosen_o,
                      "oof": {("fallback" if c == 0 else "transfer %g" % c): v for c, v in oof_acc.items()},
                      "oof others": {("fallback" if c == 0 else "others %g" % c): v
                                     for c, v in oof_o_acc.items()},
                      "acc": acc})
        print("  %s %s: own %.3f fallback %.3f transfer %s; chosen %s %.3f (%.0f s)" % (
            name, s, acc["own"], acc["fallback"],
            " ".join("%.3f" % acc["transfer %g" % c] for c in CS), table[-1]["chosen"], acc["chosen"],
            time.time() - t), file=sys.stderr, flush=True)
    return table


def report(name, table):
    cols = ["own", "fallback"] + ["transfer %g" % c for c in CS]
    out = ["## %s" % name, "",
           "| shop | training rows | held-out | " + " | ".join(cols) +
           " | chosen out of fold | chosen: held-out | chosen vs fallback | C = %g vs fallback |" % FIXED_C,
           "|---|---|---|" + "---|" * len(cols) + "---|---|---|---|"]
    fixed = "transfer %g" % FIXED_C
    for r in table:
        a = r["acc"]
        out.append("| %s | %d | %d | %s | %s | %.3f | %+.3f | %+.3f |" % (
            r["shop"], r["train"], r["held"], " | ".join("%.3f" % a[c] for c in cols),
            r["chosen"], a["chosen"], a["chosen"] - a["fallback"], a[fixed] - a["fallback"]))
    for label, sel in (("small shops", [r for r in table if r["shop"].startswith("small")]), ("all shops", table)):
        n = len(sel)
        mean = lambda c: sum(r["acc"][c] for r in sel) / n  # noqa: E731
        below = lambda c: [r["shop"] for r in sel if r["acc"][c] < r["acc"]["fallback"] - 1e-9]  # noqa: E731
        out += ["", "%s (%d): mean accuracy %s; chosen out of fold %.3f." % (
            label, n, ", ".join("%s %.3f" % (c, mean(c)) for c in cols), mean("chosen")),
            "Below the fallback: %s." % "; ".join(
                "%s %s" % (c, ", ".join(below(c)) or "none") for c in ["chosen"] + cols[2:])]
    for key in ("chosen", "chosen others"):
        picks = {}
        for r in table:
            picks[r[key]] = picks.get(r[key], 0) + 1
        out += ["", "%s out of fold: %s." % (key.capitalize(), ", ".join("%s %d" % kv for kv in sorted(picks.items())))]
    ocols = ["others %g" % c for c in CS]
    out += ["", "The prior from the other shops only (w0: every other shop's rows, the shop's own none; "
            "the same feature space):", "",
            "| shop | fallback | " + " | ".join(ocols) + " | chosen out of fold | chosen: held-out | chosen vs fallback |",
            "|---|---|" + "---|" * len(ocols) + "---|---|---|"]
    for r in table:
        a = r["acc"]
        out.append("| %s | %.3f | %s | %s | %.3f | %+.3f |" % (
            r["shop"], a["fallback"], " | ".join("%.3f" % a[c] for c in ocols), r["chosen others"],
            a["chosen others"], a["chosen others"] - a["fallback"]))
    for label, sel in (("small shops", [r for r in table if r["shop"].startswith("small")]), ("all shops", table)):
        n = len(sel)
        mean = lambda c: sum(r["acc"][c] for r in sel) / n  # noqa: E731
        below = lambda c: [r["shop"] for r in sel if r["acc"][c] < r["acc"]["fallback"] - 1e-9]  # noqa: E731
        out += ["", "%s (%d): mean accuracy fallback %.3f, %s; chosen out of fold %.3f." % (
            label, n, mean("fallback"), ", ".join("%s %.3f" % (c, mean(c)) for c in ocols), mean("chosen others")),
            "Below the fallback: %s." % "; ".join(
                "%s %s" % (c, ", ".join(below(c)) or "none") for c in ["chosen others"] + ocols)]
    return "\n".join(out) + "\n"


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--data", required=True)
    ap.add_argument("--out", required=True)
    ap.add_argument("--json")
    ap.add_argument("--from-json")
    ap.add_argument("--sets", default=",".join(d[0] for d in DATASETS))
    args = ap.parse_args()
    commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], capture_output=True, text=True,
                            cwd=os.path.dirname(os.path.abspath(__file__))).stdout.strip()
    saved = json.load(open(args.from_json)) if args.from_json else None
    counter = {"fits": 0}
    t = time.time()
    check = saved["_check"] if saved else check_solver()
    tables, parts = {}, []
    for name, tr, he in DATASETS:
        if name not in args.sets.split(",") or (saved is not None and name not in saved):
            continue
        tables[name] = saved[name] if saved is not None else run(args.data, name, tr, he, counter)
        parts.append(report(name, tables[name]))
    tables["_check"] = check
    head = ("%s, commit %s, %s, %d CPUs; %d fits, %.0f s. Solver check (o = 0 against LinearSVC, "
            "60 rows, 3 labels): max |w - w_liblinear| %.1e, bias %.1e.\n\n") % (
        datetime.date.today().isoformat(), commit, platform.platform(), os.cpu_count(),
        counter["fits"], time.time() - t, check[0], check[1])
    text = head + "\n".join(parts)
    with open(args.out, "w") as f:
        f.write(text)
    if args.json:
        with open(args.json, "w") as f:
            json.dump(tables, f)
    print(text)


if __name__ == "__main__":
    main()
