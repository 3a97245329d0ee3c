#!/usr/bin/python3
"""The seed's scikit-learn pipeline as a benchmark peer.

TfidfVectorizer(ngram_range=(1, 3), max_features=10000) -> LinearSVC(C=1, class_weight='balanced')
wrapped in CalibratedClassifierCV with its defaults (sigmoid, 5-fold), as the seed service did.
With --setup strong: the features of the core's defaults instead (word 1-3 grams and char_wb 2-5
grams, sublinear tf, accents stripped), the same calibrated LinearSVC.

  sklearn_pipeline.py train --data F.csv --split train --model M.pkl [--setup seed|strong]
  sklearn_pipeline.py threshold --data F.csv --split train [--target 0.9] [--setup seed|strong]
  sklearn_pipeline.py eval --data F.csv --split val [--oos-split oos_val] --model M.pkl [--threshold T]
  sklearn_pipeline.py predict --model M.pkl --threshold T < messages (one per line)
Each prints one JSON object (predict: {"labels": [...], "confidences": [...], "uncertain": [...]},
uncertain meaning a confidence below T, as a caller's hand-off rule reads it).
"""
import argparse
import os
import pickle
import sys
import time
import warnings

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import common  # noqa: E402

from sklearn.calibration import CalibratedClassifierCV  # noqa: E402
from sklearn.feature_extraction.text import TfidfVectorizer  # noqa: E402
from sklearn.pipeline import FeatureUnion, Pipeline  # noqa: E402
from sklearn.svm import LinearSVC  # noqa: E402

warnings.filterwarnings("ignore")  # LinearSVC convergence warnings would only clutter the log


# Builds the unfitted seed pipeline, or the strong setup.
def make_pipeline(setup="seed"):
    if setup == "strong":
        features = FeatureUnion([
            ("word", TfidfVectorizer(ngram_range=(1, 3), max_features=10000, sublinear_tf=True,
                                     strip_accents="unicode")),
            ("char", TfidfVectorizer(analyzer="char_wb", ngram_range=(2, 5), max_features=20000,
                                     sublinear_tf=True, strip_accents="unicode")),
        ])
    else:
        features = TfidfVectorizer(ngram_range=(1, 3), max_features=10000)
    return Pipeline([
        ("tfidf", features),
        ("clf", CalibratedClassifierCV(LinearSVC(C=1, class_weight="balanced"))),
    ])


# Fits on the split and pickles the fitted pipeline; timing covers fit only (features included).
def cmd_train(a):
    texts, y = common.load_split(a.data, a.split)
    t0 = time.perf_counter()
    pipe = make_pipeline(a.setup).fit(texts, y)
    secs = time.perf_counter() - t0
    with open(a.model, "wb") as f:
        pickle.dump(pipe, f, protocol=pickle.HIGHEST_PROTOCOL)
    common.emit({"rows": len(texts), "labels": len(set(y)), "train_seconds": secs,
                 "model_bytes": os.path.getsize(a.model)})


# Picks the abstain threshold like the core: fit on 85% of the split, choose on the other 15%.
def cmd_threshold(a):
    texts, y = common.load_split(a.data, a.split)
    tr, ho = common.stratified_holdout(y, 0.15)
    pipe = make_pipeline(a.setup).fit([texts[i] for i in tr], [y[i] for i in tr])
    proba = pipe.predict_proba([texts[i] for i in ho])
    classes = pipe.classes_
    conf, correct = [], []
    for row, i in zip(proba, ho):
        k = row.argmax()
        conf.append(float(row[k]))
        correct.append(classes[k] == y[i])
    common.emit({"threshold": common.choose_threshold(conf, correct, a.target),
                 "holdout_rows": len(ho)})


# Loads the pickle and scores it with the shared evaluation.
def cmd_eval(a):
    t0 = time.perf_counter()
    with open(a.model, "rb") as f:
        pipe = pickle.load(f)
    load_ms = (time.perf_counter() - t0) * 1000
    classes = pipe.classes_

    def one(text):
        p = pipe.predict_proba([text])[0]
        k = p.argmax()
        return classes[k], float(p[k])

    def batch(texts):
        P = pipe.predict_proba(texts)
        ks = P.argmax(axis=1)
        return [(classes[k], float(P[i, k])) for i, k in enumerate(ks)]

    common.evaluate_split(a, one, batch, load_ms)


# Answers messages from stdin, one per line, with the label, its confidence and whether a
# caller's threshold rule withholds it.
def cmd_predict(a):
    with open(a.model, "rb") as f:
        pipe = pickle.load(f)
    texts = [line.rstrip("\n") for line in sys.stdin]
    P = pipe.predict_proba(texts)
    ks = P.argmax(axis=1)
    conf = [float(P[i, k]) for i, k in enumerate(ks)]
    common.emit({"labels": [str(pipe.classes_[k]) for k in ks], "confidences": conf,
                 "uncertain": [c < a.threshold for c in conf]})


def main():
    ap = argparse.ArgumentParser()
    sub = ap.add_subparsers(dest="cmd", required=True)
    t = sub.add_parser("train")
    t.add_argument("--data", required=True)
    t.add_argument("--split", default="train")
    t.add_argument("--model", required=True)
    t.add_argument("--setup", choices=["seed", "strong"], default="seed")
    h = sub.add_parser("threshold")
    h.add_argument("--data", required=True)
    h.add_argument("--split", default="train")
    h.add_argument("--target", type=float, default=0.9)
    h.add_argument("--setup", choices=["seed", "strong"], default="seed")
    p = sub.add_parser("predict")
    p.add_argument("--model", required=True)
    p.add_argument("--threshold", type=float, required=True)
    e = sub.add_parser("eval")
    e.add_argument("--data", required=True)
    e.add_argument("--split", required=True)
    e.add_argument("--oos-split")
    e.add_argument("--model", required=True)
    e.add_argument("--threshold", type=float)
    e.add_argument("--single-max", type=int, default=1000)
    a = ap.parse_args()
    {"train": cmd_train, "threshold": cmd_threshold, "eval": cmd_eval, "predict": cmd_predict}[a.cmd](a)


if __name__ == "__main__":
    main()
