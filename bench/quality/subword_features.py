#!/usr/bin/python3
"""Subword skipgram sentence vectors as extra dense features beside TF-IDF (issue 34, point 1;
a study: nothing here is served).

    bench/quality/subword_features.py sweep [--data-dir DIR] [--work DIR]   # SWEEP: epochs 2 and 5, lr 0.05
    bench/quality/subword_features.py sweep2                                 # SWEEP2: more epochs or higher lr
    bench/quality/subword_features.py full --config baseline,d16e5b16lr0.25 [--corpus train|heldout] [--sets ...]
    bench/quality/subword_features.py fewshot --config d16e5b16lr0.25 --seeds 43,44
    bench/quality/subword_features.py report                                 # the tables, from results.jsonl

A configuration is d<dim>e<epochs>b16|b20|b2m[lr<rate>]: vector size, passes, hash buckets
(2^16, 2^20, fastText's default 2,000,000) and learning rate (fastText's default 0.05 unless
given); character n-grams are 3-6 in every one. `baseline` is TF-IDF alone. The sweeps run the
few-shot samples of seed 42 only; `fewshot` adds seeds. mean_norm, the norm of the mean of the
train texts' unit sentence vectors, tells whether the vectors trained at all: 1.000 is every
text pointing the same way.

A scikit-learn proxy of the core's features, the `strong` setup of bench/peers/sklearn_pipeline.py
(TF-IDF word 1-3 grams, 10,000 features, and char_wb 2-5 grams, 20,000 features, sublinear tf,
accents stripped) and learner (LinearSVC, C = 1, balanced class weights, uncalibrated: the
abstain score is the largest decision score), with and without an appended dense block:
alpha * the L2-normalised fastText sentence vector of the text. The vectors come from Debian's
`fasttext skipgram` (character n-grams 3-6, minCount 1, one thread, seed 0) trained on texts
only, never on labels: `--corpus train` (the default) the train split's texts; `--corpus heldout`
the train split's texts and the held-out texts (the scored split, and for CLINC150 oos_val),
as a database holds unlabelled messages too. Texts are lower-cased and cut into \\w+ tokens for
fastText. The TF-IDF vocabulary and IDF are fitted on the rows the model is trained on (the
whole train split, or the few-shot sample), as the core fits them; the fastText model of the
few-shot runs is the one of the whole train split's texts (the messages a database holds,
few of them labelled).

alpha is chosen by stratified cross-validation on the training rows only (2 folds at full data,
3 folds for few-shot samples, seed 0), from ALPHAS; the scored split is never used to choose.

Measured: CLINC150 `val` accuracy (full train split, 5 and 10 rows per intent: nested seeded
samples, as quality.py draws them), OOS AUROC of the largest decision score (val in-scope
against oos_val), out-of-scope recall at 91 % in-scope accuracy (abstentions counted wrong) with
the threshold (a) chosen on the out-of-fold rows of the alpha cross-validation (the rule one
could ship) and (b) chosen on val itself (an upper bound: the trade-off curve, read at 91 %);
HWU64, SNIPS and MTOD es `test` accuracy. fastText's own training is timed (wall and CPU
seconds of the `fasttext skipgram` process, on whatever machine this runs) and its table size
is (words + buckets) x dim x 4 bytes.

Every run appends JSON lines to WORK/results.jsonl and prints a markdown table on stdout.
Needs /usr/bin/fasttext, python3-sklearn, numpy (Debian packages).
"""
import argparse
import csv
import json
import os
import re
import resource
import subprocess
import sys
import tempfile
import time
import warnings

import numpy as np
from scipy.sparse import csr_matrix, hstack
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.metrics import roc_auc_score
from sklearn.model_selection import StratifiedKFold
from sklearn.pipeline import FeatureUnion
from sklearn.svm import LinearSVC

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from cli_run import datasets_dir, log  # noqa: E402
from quality import sample_per_intent  # noqa: E402  (the few-shot samples of the quality bench)

warnings.filterwarnings("ignore")  # LinearSVC convergence warnings

ALPHAS = (0.5, 1.0, 2.0, 4.0)
TARGET = 0.91  # in-scope accuracy, abstentions counted wrong (issue 34)
SETS = {  # name: file, scored split, out-of-scope split
    "CLINC150": ("clinc150_dev.csv", "val", "oos_val"),
    "HWU64": ("hwu64.csv", "test", None),
    "SNIPS": ("snips.csv", "test", None),
    "MTOD es": ("mtod_es.csv", "test", None),
}
BUCKETS = {"b16": 1 << 16, "b20": 1 << 20, "b2m": 2000000}
SWEEP = [f"d{d}e{e}{b}" for d in (16, 32, 100) for e in (2, 5) for b in ("b16", "b20", "b2m")]
# Fewer passes leave the vectors where they started (see mean_norm); these train them more.
SWEEP2 = ([f"d{d}e{e}b16" for d in (16, 32, 100) for e in (10, 25)]
          + [f"d{d}e5b16lr{lr}" for d in (16, 32, 100) for lr in ("0.25", "0.5")]
          + [f"d{d}e2b16lr{lr}" for d in (16, 32) for lr in ("0.25", "0.5")] + ["d100e25b20"])


def parse_config(name):
    """d<dim>e<epochs>b16|b20|b2m[lr<rate>]: fastText's learning rate is 0.05 unless given."""
    m = re.fullmatch(r"d(\d+)e(\d+)(b16|b20|b2m)(?:lr([0-9.]+))?", name)
    if not m:
        raise SystemExit(f"bad config {name}: d<dim>e<epochs>b16|b20|b2m[lr<rate>]")
    return int(m.group(1)), int(m.group(2)), BUCKETS[m.group(3)], float(m.group(4) or 0.05)


def read_rows(path):
    with open(path, newline="", encoding="utf-8") as f:
        return list(csv.DictReader(f))


def split(rows, name):
    return [r for r in rows if r["split"] == name]


def ft_text(text):
    return " ".join(re.findall(r"\w+", text.lower()))


def train_fasttext(texts, config, work):
    """Trains the skipgram; returns the .bin path, wall and CPU seconds, words and table bytes."""
    dim, epoch, bucket, lr = parse_config(config)
    corpus = os.path.join(work, "corpus.txt")
    with open(corpus, "w", encoding="utf-8") as f:
        for t in texts:
            f.write(ft_text(t) + "\n")
    out = os.path.join(work, "skipgram")
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    t0 = time.perf_counter()
    subprocess.run(["fasttext", "skipgram", "-input", corpus, "-output", out, "-dim", str(dim),
                    "-minn", "3", "-maxn", "6", "-epoch", str(epoch), "-bucket", str(bucket), "-lr", str(lr),
                    "-minCount", "1", "-thread", "1", "-seed", "0", "-verbose", "0"], check=True)
    wall = time.perf_counter() - t0
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    with open(out + ".vec", encoding="utf-8") as f:
        words = int(f.readline().split()[0])
    os.remove(out + ".vec")
    return {"bin": out + ".bin", "wall_s": wall, "cpu_s": cpu, "words": words, "dim": dim,
            "table_bytes": (words + bucket) * dim * 4}


def sentence_vectors(ft, texts, work):
    path = os.path.join(work, "in.txt")
    with open(path, "w", encoding="utf-8") as f:
        for t in texts:
            f.write(ft_text(t) + "\n")
    with open(path, encoding="utf-8") as f:
        out = subprocess.run(["fasttext", "print-sentence-vectors", ft["bin"]], stdin=f,
                             capture_output=True, text=True, check=True).stdout
    lines = out.split("\n")[: len(texts)]
    v = np.array([[float(x) for x in line.split()[-ft["dim"]:]] if line.strip() else [0.0] * ft["dim"]
                  for line in lines], dtype=np.float64)
    assert v.shape == (len(texts), ft["dim"]), v.shape
    return v / np.maximum(np.linalg.norm(v, axis=1, keepdims=True), 1e-12)


def tfidf():
    return FeatureUnion([
        ("word", TfidfVectorizer(ngram_range=(1, 3), max_features=10000, sublinear_tf=True,
                                 strip_accents="unicode")),
        ("char", TfidfVectorizer(analyzer="char_wb", ngram_range=(2, 5), max_features=20000,
                                 sublinear_tf=True, strip_accents="unicode")),
    ])


def features(X, V, alpha):
    return X if V is None else hstack([X, csr_matrix(alpha * V)]).tocsr()


def svm(X, y):
    # random_state: liblinear visits rows in a random order; unseeded, the last digits move run to run
    return LinearSVC(C=1, class_weight="balanced", random_state=0).fit(X, y)


def cross_validate(X, V, y, folds, alphas):
    """Per alpha: out-of-fold accuracy, and the out-of-fold largest score and rightness."""
    out = {}
    cv = list(StratifiedKFold(folds, shuffle=True, random_state=0).split(np.zeros(len(y)), y))
    for alpha in alphas:
        F = features(X, V, alpha)
        s1 = np.zeros(len(y))
        right = np.zeros(len(y), bool)
        for fit_rows, held in cv:
            m = svm(F[fit_rows], y[fit_rows])
            s = m.decision_function(F[held])
            s1[held] = s.max(1)
            right[held] = m.classes_[s.argmax(1)] == y[held]
        out[alpha] = {"acc": float(right.mean()), "s1": s1, "right": right}
    return out


def threshold_for(s1, right, target=TARGET):
    """The highest threshold whose in-scope accuracy (abstain = wrong) is still >= target, or None."""
    order = np.argsort(-s1)
    acc = np.cumsum(right[order]) / len(s1)  # accepting the k+1 highest scores
    ok = np.nonzero(acc >= target)[0]
    if len(ok) == 0:
        return None
    return float(s1[order][ok[0]])


def score(model, F_eval, y_eval, F_oos=None):
    s = model.decision_function(F_eval)
    right = model.classes_[s.argmax(1)] == y_eval
    r = {"acc": float(right.mean()), "s1": s.max(1), "right": right}
    if F_oos is not None:
        so = model.decision_function(F_oos).max(1)
        r["s1_oos"] = so
        r["auroc"] = float(roc_auc_score(np.r_[np.ones(len(so)), np.zeros(len(s))],
                                         -np.r_[so, r["s1"]]))
    return r


def oos_at(r, t):
    if t is None:
        return None, None
    return float((r["right"] & (r["s1"] >= t)).mean()), float((r["s1_oos"] < t).mean())


def run_one(X_tr, y_tr, X_ev, y_ev, X_oos, V, folds, want_oof_threshold=False):
    """Baseline (V None) or with vectors: alpha by CV, the final fit, its scores."""
    V_tr, V_ev, V_oos = V if V is not None else (None, None, None)
    alphas = ALPHAS if V is not None else (0.0,)
    cv = cross_validate(X_tr, V_tr, y_tr, folds, alphas)
    alpha = max(alphas, key=lambda a: (cv[a]["acc"], -a))
    m = svm(features(X_tr, V_tr, alpha), y_tr)
    r = score(m, features(X_ev, V_ev, alpha), y_ev,
              features(X_oos, V_oos, alpha) if X_oos is not None else None)
    res = {"alpha": alpha if V is not None else None, "cv": {str(a): cv[a]["acc"] for a in alphas},
           "acc": r["acc"]}
    if X_oos is not None:
        res["auroc"] = r["auroc"]
        if want_oof_threshold:
            t = threshold_for(cv[alpha]["s1"], cv[alpha]["right"])
            res["oof_threshold"] = t
            res["oof_rule_in_scope"], res["oof_rule_recall"] = oos_at(r, t)
        tv = threshold_for(r["s1"], r["right"])
        res["val_in_scope"], res["val_recall"] = oos_at(r, tv)
    return res


def emit(work, rec):
    with open(os.path.join(work, "results.jsonl"), "a", encoding="utf-8") as f:
        f.write(json.dumps(rec, sort_keys=True) + "\n")


def load_set(data, name):
    fname, ev, oos = SETS[name]
    rows = read_rows(os.path.join(data, fname))
    return rows, split(rows, "train"), split(rows, ev), (split(rows, oos) if oos else None)


def vectors_for(ft, train, ev, oos, work):
    texts = [r["text"] for r in train] + [r["text"] for r in ev] + ([r["text"] for r in oos] if oos else [])
    V = sentence_vectors(ft, texts, work)
    a, b = len(train), len(train) + len(ev)
    # 1.0 when every text has the same direction (vectors barely moved from their start)
    ft["mean_norm"] = float(np.linalg.norm(V[:a].mean(axis=0)))
    return V[:a], V[a:b], (V[b:] if oos else None)


def fewshot(rows, train_V, ev, V_ev, V_oos, oos, n, seed, with_vectors):
    """n rows per intent (quality.py's nested seeded samples); TF-IDF fitted on the sample."""
    sample = sample_per_intent(rows, "train", n, seed=seed)
    index = {id(r): k for k, r in enumerate(split(rows, "train"))}
    pick = np.array([index[id(r)] for r in sample])
    vec = tfidf()
    X_tr = vec.fit_transform([r["text"] for r in sample]).tocsr()
    X_ev = vec.transform([r["text"] for r in ev]).tocsr()
    X_oos = vec.transform([r["text"] for r in oos]).tocsr()
    y_tr = np.array([r["intent"] for r in sample])
    y_ev = np.array([r["intent"] for r in ev])
    V = (train_V[pick], V_ev, V_oos) if with_vectors else None
    return run_one(X_tr, y_tr, X_ev, y_ev, X_oos, V, folds=3)


def cmd_fewshot(a, data, work, scratch):
    """CLINC150 5- and 10-shot, baseline and each config, for the given seeds."""
    rows, train, ev, oos = load_set(data, "CLINC150")
    seeds = [int(s) for s in a.seeds.split(",")]
    configs = a.config.split(",") if a.config else SWEEP
    for seed in seeds:
        for n in (5, 10):
            r = fewshot(rows, None, ev, None, None, oos, n, seed, False)
            rec = {"part": "fewshot", "config": "baseline", "n": n, "seed": seed, **r}
            emit(work, rec)
            print(f"| baseline | {n} | {seed} |  | {r['acc']:.4f} | {r['auroc']:.3f} |")
            sys.stdout.flush()
    for config in configs:
        ft = train_fasttext([r["text"] for r in train], config, scratch)
        V_tr, V_ev, V_oos = vectors_for(ft, train, ev, oos, scratch)
        emit(work, {"part": "fasttext", "set": "CLINC150", "corpus": "train", "config": config,
                    **{k: v for k, v in ft.items() if k != "bin"}})
        log(f"{config}: fastText {ft['wall_s']:.1f} s wall, {ft['cpu_s']:.1f} s CPU, {ft['words']} words, "
            f"mean norm {ft['mean_norm']:.3f}")
        os.remove(ft["bin"])
        for seed in seeds:
            for n in (5, 10):
                r = fewshot(rows, V_tr, ev, V_ev, V_oos, oos, n, seed, True)
                emit(work, {"part": "fewshot", "config": config, "n": n, "seed": seed, **r})
                print(f"| {config} | {n} | {seed} | {r['alpha']} | {r['acc']:.4f} | {r['auroc']:.3f} |")
                sys.stdout.flush()


def cmd_full(a, data, work, scratch):
    """Full train split: baseline (config 'baseline') or one config, on the given sets."""
    for name in a.sets.split(","):
        rows, train, ev, oos = load_set(data, name)
        vec = tfidf()
        X_tr = vec.fit_transform([r["text"] for r in train]).tocsr()
        X_ev = vec.transform([r["text"] for r in ev]).tocsr()
        X_oos = vec.transform([r["text"] for r in oos]).tocsr() if oos else None
        y_tr = np.array([r["intent"] for r in train])
        y_ev = np.array([r["intent"] for r in ev])
        V = None
        ft_rec = {}
        if a.config != "baseline":
            texts = [r["text"] for r in train]
            if a.corpus == "heldout":
                texts += [r["text"] for r in ev] + ([r["text"] for r in oos] if oos else [])
            ft = train_fasttext(texts, a.config, scratch)
            V = vectors_for(ft, train, ev, oos, scratch)
            ft_rec = {k: v for k, v in ft.items() if k != "bin"}
            emit(work, {"part": "fasttext", "set": name, "corpus": a.corpus, "config": a.config, **ft_rec})
            os.remove(ft["bin"])
        log(f"full: {name} {a.config} ({a.corpus})")
        r = run_one(X_tr, y_tr, X_ev, y_ev, X_oos, V, folds=2, want_oof_threshold=True)
        emit(work, {"part": "full", "set": name, "config": a.config, "corpus": a.corpus, **r})
        print(f"| {name} | {a.config} | {a.corpus} | {r['alpha']} | {r['acc']:.4f} | "
              + (f"{r['auroc']:.3f} | {r['oof_rule_in_scope']} | {r['oof_rule_recall']} | "
                 f"{r['val_in_scope']:.4f} | {r['val_recall']:.2f} |" if oos else " | | | | |"))
        sys.stdout.flush()


def cmd_report(work):
    """The markdown tables of the results page, from WORK/results.jsonl (the last record of a key)."""
    recs = {}
    with open(os.path.join(work, "results.jsonl"), encoding="utf-8") as f:
        for line in f:
            r = json.loads(line)
            key = (r["part"], r.get("set"), r.get("config"), r.get("corpus"), r.get("n"), r.get("seed"))
            recs[key] = r
    ft = {(k[1], k[2], k[3]): r for k, r in recs.items() if k[0] == "fasttext"}
    times = {}  # every measurement of a configuration's fastText run (runs repeat it; the load varies)
    with open(os.path.join(work, "results.jsonl"), encoding="utf-8") as f:
        for line in f:
            r = json.loads(line)
            if r["part"] == "fasttext":
                times.setdefault((r["set"], r["config"], r["corpus"]), []).append((r["wall_s"], r["cpu_s"]))

    def spread(key, i):
        xs = sorted(t[i] for t in times[key])
        return f"{xs[0]:.1f}" if len(xs) == 1 else f"{xs[0]:.1f}–{xs[-1]:.1f} ({len(xs)})"

    few = {(k[2], k[4], k[5]): r for k, r in recs.items() if k[0] == "fewshot"}
    full = {(k[1], k[2], k[3]): r for k, r in recs.items() if k[0] == "full"}
    out = ["### CLINC150: fastText on the train split's 15,000 texts; 5 and 10 rows per intent (seed 42), "
           "scored on all of `val`", "",
           "| configuration | dim | epochs | bucket | lr | fastText wall s (runs) | fastText CPU s (runs) | words | table MB "
           "| mean norm | 5-shot acc. (alpha) | 5-shot OOS AUROC | 10-shot acc. (alpha) | 10-shot OOS AUROC |",
           "|---|---|---|---|---|---|---|---|---|---|---|---|---|---|"]

    def shot(config, n, seed=42):
        r = few.get((config, n, seed))
        if r is None:
            return "", ""
        alpha = f" ({r['alpha']:g})" if r.get("alpha") is not None else ""
        return f"{r['acc']:.4f}{alpha}", f"{r['auroc']:.3f}"

    b5, b10 = shot("baseline", 5), shot("baseline", 10)
    out.append(f"| TF-IDF only |  |  |  |  |  |  |  |  |  | {b5[0]} | {b5[1]} | {b10[0]} | {b10[1]} |")
    for config in SWEEP + SWEEP2:
        f = ft.get(("CLINC150", config, "train"))
        if f is None:
            continue
        dim, epoch, bucket, lr = parse_config(config)
        s5, s10 = shot(config, 5), shot(config, 10)
        mean_norm = f"{f['mean_norm']:.3f}" if "mean_norm" in f else ""
        key = ("CLINC150", config, "train")
        out.append(f"| {config} | {dim} | {epoch} | {bucket:,} | {lr:g} | {spread(key, 0)} | {spread(key, 1)} | "
                   f"{f['words']:,} | {f['table_bytes'] / 1e6:.1f} | {mean_norm} | {s5[0]} | {s5[1]} | {s10[0]} | "
                   f"{s10[1]} |")
    seeds = sorted({k[2] for k in few})
    if len(seeds) > 1:
        out += ["", f"### CLINC150 few-shot over seeds {', '.join(map(str, seeds))} (mean; per seed in brackets)", "",
                "| configuration | rows per intent | accuracy | OOS AUROC | alpha per seed |", "|---|---|---|---|---|"]
        for config in ["baseline"] + SWEEP + SWEEP2:
            for n in (5, 10):
                rs = [few.get((config, n, sd)) for sd in seeds]
                if any(r is None for r in rs):
                    continue
                accs = [r["acc"] for r in rs]
                aucs = [r["auroc"] for r in rs]
                alphas = ", ".join(f"{r['alpha']:g}" for r in rs) if rs[0].get("alpha") is not None else ""
                out.append(f"| {config} | {n} | {np.mean(accs):.4f} ({', '.join(f'{x:.4f}' for x in accs)}) | "
                           f"{np.mean(aucs):.3f} ({', '.join(f'{x:.3f}' for x in aucs)}) | {alphas} |")
    out += ["", "### Full train split", "",
            "| set (scored split) | features | fastText corpus | alpha (2-fold CV on train) | accuracy | vs TF-IDF only | "
            "OOS AUROC | OOF rule: in-scope acc. / OOS recall | threshold on val (upper bound): OOS recall at 91 % |",
            "|---|---|---|---|---|---|---|---|---|"]
    for name in SETS:
        base = full.get((name, "baseline", "train"))
        for (sname, config, corpus), r in sorted(full.items(), key=lambda kv: (kv[0][1] != "baseline", kv[0])):
            if sname != name:
                continue
            delta = f"{(r['acc'] - base['acc']) * 100:+.2f} pts" if base and config != "baseline" else ""
            feats = "TF-IDF only" if config == "baseline" else f"+ {config}"
            fcorpus = "" if config == "baseline" else ("train texts" if corpus == "train" else "train + held-out texts")
            cv_acc = r["cv"][str(r["alpha"] if r.get("alpha") is not None else 0.0)]
            alpha = ("" if r.get("alpha") is None else f"{r['alpha']:g}") + f" (CV acc. {cv_acc:.4f})"
            oos = ["", "", ""]
            if "auroc" in r:
                rule = ("no threshold reaches 91 % out of fold" if r.get("oof_threshold") is None else
                        f"{r['oof_rule_in_scope']:.4f} / {r['oof_rule_recall']:.2f}")
                oos = [f"{r['auroc']:.3f}", rule, f"{r['val_recall']:.2f} (in-scope {r['val_in_scope']:.4f})"]
            out.append(f"| {name} (`{SETS[name][1]}`) | {feats} | {fcorpus} | {alpha} | {r['acc']:.4f} | {delta} | "
                       + " | ".join(oos) + " |")
    fts = [(k, r) for k, r in ft.items() if k[0] != "CLINC150" or k[2] != "train"]
    if fts:
        out += ["", "fastText on the other sets' corpora (same configuration, measured in the full runs):", ""]
        for (name, config, corpus), r in sorted(fts):
            key = (name, config, corpus)
            out.append(f"- {name}, {config}, {corpus}: {spread(key, 0)} s wall, {spread(key, 1)} s CPU, "
                       f"{r['words']:,} words, table {r['table_bytes'] / 1e6:.1f} MB, mean norm {r['mean_norm']:.3f}")
    print("\n".join(out))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("part", choices=["sweep", "sweep2", "fewshot", "full", "report"])
    ap.add_argument("--data-dir", default=None)
    ap.add_argument("--work", default="build-bench-quality/subword_features")
    ap.add_argument("--config", default=None, help="comma-separated d<dim>e<epochs>b16|b20|b2m, or baseline")
    ap.add_argument("--corpus", choices=["train", "heldout"], default="train")
    ap.add_argument("--sets", default="CLINC150,HWU64,SNIPS,MTOD es")
    ap.add_argument("--seeds", default="42")
    a = ap.parse_args()
    if a.part == "report":
        cmd_report(a.work)
        return
    data = datasets_dir(a.data_dir)
    os.makedirs(a.work, exist_ok=True)
    # fastText's corpus, model and input files in a directory of this run's own, so that runs in
    # parallel never read each other's files; results.jsonl is shared (one appended line a record)
    scratch = tempfile.mkdtemp(prefix="fasttext.", dir=a.work)
    if a.part == "sweep":  # every configuration, few-shot with one seed
        a.config = None
        cmd_fewshot(a, data, a.work, scratch)
    elif a.part == "sweep2":
        a.config = ",".join(SWEEP2)
        cmd_fewshot(a, data, a.work, scratch)
    elif a.part == "fewshot":
        cmd_fewshot(a, data, a.work, scratch)
    else:
        if not a.config:
            raise SystemExit("full needs --config (or --config baseline)")
        for config in a.config.split(","):
            b = argparse.Namespace(**vars(a))
            b.config = config
            cmd_full(b, data, a.work, scratch)


if __name__ == "__main__":
    main()
