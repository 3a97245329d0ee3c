#!/usr/bin/python3
"""A third route to issue 9's out-of-scope target: nearest-neighbour similarity (nothing here
is used by the core).

    bench/quality/oos_knn.py [--data-dir DIR]

The target: CLINC150 val + oos_val at the defaults, without oos_train, OOS recall >= 70 % with
in-scope accuracy >= 91 % (abstentions counted wrong). oos_study.py and oos_routes.py measured
scores of the linear model itself; this asks whether the distance of a message to the training
rows separates out-of-scope messages better than the raw top decision score s1 does.

A scikit-learn prototype of the core's features (TF-IDF over word 1-3-grams and character
2-5-grams inside word boundaries, sublinear tf, rows L2-normalised) and learner (LinearSVC,
C = 1, balanced class weights), on the CLINC150 train split:
  maxsim  the largest cosine similarity of a message to any train row;
  s1      the largest decision score.
Thresholds follow a rule chosen on training evidence only: 5 stratified folds (seed 0) give every
train row an out-of-fold s1 and an out-of-fold maxsim (to the rows of the other folds), and the
threshold is the q-th percentile of the out-of-fold rows that were classified right, so that
about q % of right answers would abstain. Prints markdown on stdout; asserts nothing.
"""
import argparse
import csv
import os

import numpy as np
from scipy.sparse import hstack
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.metrics import roc_auc_score
from sklearn.model_selection import StratifiedKFold
from sklearn.preprocessing import normalize
from sklearn.svm import LinearSVC

ap = argparse.ArgumentParser()
ap.add_argument("--data-dir", default=os.path.join(os.path.dirname(__file__), "../../../shared/datasets"))
args = ap.parse_args()
rows = list(csv.DictReader(open(os.path.join(args.data_dir, "clinc150_dev.csv"), encoding="utf-8")))
split = lambda name: [r for r in rows if r["split"] == name]
train, val, oos = split("train"), split("val"), split("oos_val")
y_train = np.array([r["intent"] for r in train])
y_val = np.array([r["intent"] for r in val])

words = TfidfVectorizer(ngram_range=(1, 3), sublinear_tf=True)
chars = TfidfVectorizer(analyzer="char_wb", ngram_range=(2, 5), sublinear_tf=True)
texts = lambda rs: [r["text"].lower() for r in rs]
X_train = normalize(hstack([words.fit_transform(texts(train)), chars.fit_transform(texts(train))]).tocsr())
features = lambda rs: normalize(hstack([words.transform(texts(rs)), chars.transform(texts(rs))]).tocsr())
X_val, X_oos = features(val), features(oos)


def svm(X, y):
    return LinearSVC(C=1, class_weight="balanced").fit(X, y)


def max_similarity(A, B, chunk=2000):
    return np.concatenate([(A[i : i + chunk] @ B.T).toarray().max(1) for i in range(0, A.shape[0], chunk)])


# Out-of-fold evidence on train.
oof_right = np.zeros(len(y_train), bool)
oof_s1 = np.zeros(len(y_train))
oof_sim = np.zeros(len(y_train))
for fit_rows, held in StratifiedKFold(5, shuffle=True, random_state=0).split(X_train, y_train):
    m = svm(X_train[fit_rows], y_train[fit_rows])
    s = m.decision_function(X_train[held])
    oof_right[held] = m.classes_[s.argmax(1)] == y_train[held]
    oof_s1[held] = s.max(1)
    oof_sim[held] = max_similarity(X_train[held], X_train[fit_rows])

model = svm(X_train, y_train)
s_val, s_oos = model.decision_function(X_val), model.decision_function(X_oos)
right = model.classes_[s_val.argmax(1)] == y_val
s1_val, s1_oos = s_val.max(1), s_oos.max(1)
sim_val, sim_oos = max_similarity(X_val, X_train), max_similarity(X_oos, X_train)

print("# Out of scope by nearest-neighbour similarity (CLINC150 val + oos_val)\n")
print(f"Prototype accuracy on val (no threshold): {right.mean():.4f}.\n")
truth = np.r_[np.ones(right.sum()), np.zeros(len(s1_oos))]
print("| score | AUROC, right in-scope answers against out-of-scope messages |")
print("|---|---|")
print(f"| s1 | {roc_auc_score(truth, np.r_[s1_val[right], s1_oos]):.3f} |")
print(f"| maxsim | {roc_auc_score(truth, np.r_[sim_val[right], sim_oos]):.3f} |\n")
print("| q (% of right out-of-fold answers abstaining) | rule | in-scope acc. with threshold | OOS recall |")
print("|---|---|---|---|")
for q in (0.5, 1, 2, 3, 5):
    t_sim = np.percentile(oof_sim[oof_right], q)
    t_s1 = np.percentile(oof_s1[oof_right], q)
    rules = {
        "maxsim": (sim_val >= t_sim, sim_oos >= t_sim),
        "s1": (s1_val >= t_s1, s1_oos >= t_s1),
        "s1 and maxsim": ((sim_val >= t_sim) & (s1_val >= t_s1), (sim_oos >= t_sim) & (s1_oos >= t_s1)),
    }
    for name, (accept_val, accept_oos) in rules.items():
        print(f"| {q} | {name} | {(right & accept_val).mean():.4f} | {1 - accept_oos.mean():.2f} |")
