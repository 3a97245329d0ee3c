"""Shared pieces for the benchmark peers: CSV loading, metrics, threshold choice, timing.

The definitions mirror the core's (src/core/metrics.h) so every peer is scored the same way.
"""
import csv
import json
import random
import statistics
import sys
import time


# Reads a split,text,intent CSV and returns (texts, intents) of the given split.
def load_split(path, split):
    texts, intents = [], []
    with open(path, newline="", encoding="utf-8") as f:
        for row in csv.DictReader(f):
            if row["split"] == split:
                texts.append(row["text"])
                intents.append(row["intent"])
    return texts, intents


# Stratified deterministic holdout: returns (train_idx, holdout_idx), keeping at
# least one row of each class in train, like the core's splitter promises.
def stratified_holdout(labels, fraction, seed=42):
    by_class = {}
    for i, y in enumerate(labels):
        by_class.setdefault(y, []).append(i)
    rng = random.Random(seed)
    train_idx, hold_idx = [], []
    for y in sorted(by_class):
        idx = by_class[y][:]
        rng.shuffle(idx)
        n_hold = min(int(round(len(idx) * fraction)), len(idx) - 1)
        hold_idx += idx[:n_hold]
        train_idx += idx[n_hold:]
    return sorted(train_idx), sorted(hold_idx)


# Macro precision/recall/F1 over classes present in truth or predictions
# (scikit-learn's convention, also the core's); 0/0 counts as 0.
def macro_scores(truth, pred):
    labels = sorted(set(truth) | set(pred))
    tp = {y: 0 for y in labels}
    n_true = {y: 0 for y in labels}
    n_pred = {y: 0 for y in labels}
    for t, p in zip(truth, pred):
        n_true[t] += 1
        n_pred[p] += 1
        if t == p:
            tp[t] += 1
    ps, rs, fs = [], [], []
    for y in labels:
        p = tp[y] / n_pred[y] if n_pred[y] else 0.0
        r = tp[y] / n_true[y] if n_true[y] else 0.0
        ps.append(p)
        rs.append(r)
        fs.append(2 * p * r / (p + r) if p + r else 0.0)
    k = len(labels) or 1
    return sum(ps) / k, sum(rs) / k, sum(fs) / k


# Lowest threshold whose accepted predictions reach the target precision; when
# none does, the best precision (ties: higher coverage). Same rule as the core.
def choose_threshold(confidence, correct, target=0.9):
    n = len(confidence)
    if n == 0:
        return 0.0
    order = sorted(range(n), key=lambda i: -confidence[i])
    best = None  # (precision, coverage, threshold) for the fallback
    chosen = None
    ok = 0
    i = 0
    while i < n:
        # accept every row whose confidence ties with this one
        j = i
        while j < n and confidence[order[j]] == confidence[order[i]]:
            ok += 1 if correct[order[j]] else 0
            j += 1
        thr = confidence[order[i]]
        prec = ok / j
        if prec >= target:
            chosen = thr  # keeps decreasing: lowest threshold reaching the target
        if best is None or (prec, j) > (best[0], best[1]):
            best = (prec, j, thr)
        i = j
    return chosen if chosen is not None else best[2]


# Expected calibration error (equal-width bins) and Brier score of the top
# class: the core's definitions (src/core/calibration.h).
def top_class_calibration(conf, correct, bins=15):
    n = len(conf)
    if n == 0:
        return 0.0, 0.0
    conf_sum = [0.0] * bins
    right_sum = [0.0] * bins
    for c, ok in zip(conf, correct):
        c = min(1.0, max(0.0, c))
        b = min(bins - 1, int(c * bins))
        conf_sum[b] += c
        right_sum[b] += 1.0 if ok else 0.0
    ece = sum(abs(r - c) for r, c in zip(right_sum, conf_sum)) / n
    brier = sum((min(1.0, max(0.0, c)) - (1.0 if ok else 0.0)) ** 2 for c, ok in zip(conf, correct)) / n
    return ece, brier


# Scores a peer the same way the core's eval does and returns the JSON dict.
# predict_one(text) -> (label, confidence); predict_batch(texts) -> [(label, confidence)].
# single_max = 0 skips the latency and throughput loops.
def evaluate(predict_one, predict_batch, texts, truth, oos_texts, threshold, single_max=1000):
    out = {"rows": len(texts)}
    preds = predict_batch(texts)
    labels = [p[0] for p in preds]
    conf = [p[1] for p in preds]
    out["accuracy"] = sum(1 for t, p in zip(truth, labels) if t == p) / max(1, len(texts))
    mp, mr, mf = macro_scores(truth, labels)
    out.update(macro_precision=mp, macro_recall=mr, macro_f1=mf)
    out["ece"], out["brier"] = top_class_calibration(conf, [t == p for t, p in zip(truth, labels)])
    if threshold is not None:
        accepted = [c >= threshold for c in conf]
        n_acc = sum(accepted)
        out["threshold"] = threshold
        out["coverage"] = n_acc / max(1, len(texts))
        good = sum(1 for t, p, a in zip(truth, labels, accepted) if a and t == p)
        out["accepted_accuracy"] = good / n_acc if n_acc else 0.0
        out["in_scope_accuracy_with_threshold"] = good / max(1, len(texts))
        if oos_texts is not None:
            oos_conf = [p[1] for p in predict_batch(oos_texts)]
            out["oos"] = {"rows": len(oos_texts),
                          "recall": sum(1 for c in oos_conf if c < threshold) / max(1, len(oos_texts))}
    if single_max <= 0:
        return out
    # Single-message latency: evenly spaced rows, each timed alone, after a warm-up.
    step = max(1, len(texts) // single_max)
    sample = texts[::step][:single_max]
    for t in sample[:20]:
        predict_one(t)
    times = []
    for t in sample:
        t0 = time.perf_counter_ns()
        predict_one(t)
        times.append((time.perf_counter_ns() - t0) / 1000.0)
    times.sort()
    out["single_predict_rows"] = len(times)
    out["single_predict_us_median"] = statistics.median(times) if times else None
    out["single_predict_us_p99"] = times[min(len(times) - 1, int(0.99 * len(times)))] if times else None
    # Batch throughput: the whole split at once, repeated until >= 0.5 s.
    reps, t0 = 0, time.perf_counter()
    while True:
        predict_batch(texts)
        reps += 1
        el = time.perf_counter() - t0
        if el >= 0.5:
            break
    out["batch_rows_per_s"] = reps * len(texts) / el
    return out


# Prints one JSON object on stdout (the driver parses the last line).
def emit(obj):
    sys.stdout.write(json.dumps(obj) + "\n")
    sys.stdout.flush()


# Scores a peer on the eval command's split (and out-of-scope split) and prints the JSON figures.
def evaluate_split(a, one, batch, load_ms):
    texts, y = load_split(a.data, a.split)
    oos = load_split(a.data, a.oos_split)[0] if a.oos_split else None
    out = evaluate(one, batch, texts, y, oos, a.threshold, a.single_max)
    out["load_ms"] = load_ms
    emit(out)
