#!/usr/bin/python3
"""How well ai_review_queue finds label errors (started by bench/review_queue.sh).

For each dataset and seed: flip 5 % of the training labels at random (exactly
round(0.05 n) rows, each to a uniformly chosen other intent), load the rows into
ai_training_data through SQL (source 'imported'), run train_intent_model(),
read ai_review_queue, and count the flipped rows among the first k (k = number
flipped: precision at k; a random order scores 5 %) and the first 2k (recall at
2k). For comparison the same is computed for other rankings of the same run's
out-of-fold rows (ai_training_run_rows), to back the choice the view makes.
Asserts nothing; prints a markdown table.
"""
import argparse
import csv
import os
import random
import subprocess
import sys
import tempfile
import time

DATASETS = {
    "CLINC150": ("clinc150_dev.csv", "train"),
    "HWU64": ("hwu64.csv", "train"),
}


def psql(db, sql, *extra):
    out = subprocess.run(["psql", "-X", "-q", "-At", "-v", "ON_ERROR_STOP=1", "-d", db, *extra, "-c", sql],
                         check=True, capture_output=True, text=True)
    return out.stdout.strip()


def load_rows(path, split):
    with open(path, newline="", encoding="utf-8") as f:
        return [(r["text"], r["intent"]) for r in csv.DictReader(f) if r["split"] == split]


# Other rankings of the latest run's out-of-fold rows, each "a SQL ORDER BY
# over rr (the run's rows) and thr (mean label probability per intent)".
ALTERNATIVES = [
    ("disagreement, lowest label probability first (the view's order)",
     "(rr.predicted_intent <> rr.intent) DESC, rr.label_probability ASC"),
    ("disagreement, largest margin (confidence - label probability) first",
     "(rr.predicted_intent <> rr.intent) DESC, rr.confidence - rr.label_probability DESC"),
    ("disagreement, most confident other intent first",
     "(rr.predicted_intent <> rr.intent) DESC, rr.confidence DESC"),
    ("confident-learning off-diagonal (confidence >= t of predicted), then lowest label probability",
     "(rr.predicted_intent <> rr.intent AND rr.confidence >= tp.t) DESC, rr.label_probability ASC"),
]


def run_one(name, rows, seed, rate, tmp):
    rng = random.Random(seed)
    n = len(rows)
    k = round(rate * n)
    intents = sorted({i for _, i in rows})
    flip = set(rng.sample(range(n), k))
    path = os.path.join(tmp, f"{name}_{seed}.csv")
    with open(path, "w", newline="", encoding="utf-8") as f:
        w = csv.writer(f)
        for i, (text, intent) in enumerate(rows):
            given = intent
            if i in flip:
                given = rng.choice([x for x in intents if x != intent])
            w.writerow([i, text, intent, given])

    db = f"rq_{name.lower()}_{seed}"
    psql("postgres", f"DROP DATABASE IF EXISTS {db}")
    psql("postgres", f"CREATE DATABASE {db}")
    psql(db, "SET client_min_messages = warning; CREATE EXTENSION pg_intent")
    psql(db, "CREATE TABLE truth (n integer, text text, true_intent text, given text, id uuid DEFAULT gen_random_uuid())")
    psql(db, f"\\copy truth (n, text, true_intent, given) FROM '{path}' WITH (FORMAT csv)")
    psql(db, "INSERT INTO ai_training_data (id, user_message, detected_intent, source) "
             "SELECT id, text, given, 'imported' FROM truth")
    t0 = time.monotonic()
    status = psql(db, "SELECT train_intent_model('bench', 'full', '{\"deploy\": \"always\"}') ->> 'status'")
    train_s = time.monotonic() - t0
    if status != "completed":
        sys.exit(f"{name} seed {seed}: training {status}")
    oof_acc = psql(db, "SELECT round(intent_accuracy::numeric, 4) FROM ai_training_runs")

    t0 = time.monotonic()
    queue = psql(db, "SELECT count(*) FROM ai_review_queue")
    queue_s = time.monotonic() - t0
    res = psql(db, f"""
        WITH q AS (SELECT q.rank, q.tier, t.given <> t.true_intent AS flipped
                     FROM ai_review_queue q JOIN truth t ON t.id = q.id)
        SELECT count(*) FILTER (WHERE rank <= {k} AND flipped),
               count(*) FILTER (WHERE rank <= {2 * k} AND flipped),
               count(*) FILTER (WHERE tier = 'label_error'),
               count(*) FILTER (WHERE tier = 'label_error' AND flipped)
          FROM q""").split("|")
    top_k, top_2k, tier_n, tier_flipped = (int(x) for x in res)

    alternatives = []
    for label, order in ALTERNATIVES:
        r = psql(db, f"""
            WITH rr AS (SELECT rr.*, t.given <> t.true_intent AS flipped
                          FROM ai_training_run_rows rr JOIN truth t ON t.id = rr.training_data_id),
                 thr AS (SELECT intent, avg(label_probability) AS t FROM rr GROUP BY intent),
                 ranked AS (SELECT rr.flipped, row_number() OVER (ORDER BY {order}, rr.training_data_id) AS pos
                              FROM rr LEFT JOIN thr tp ON tp.intent = rr.predicted_intent)
            SELECT count(*) FILTER (WHERE pos <= {k} AND flipped), count(*) FILTER (WHERE pos <= {2 * k} AND flipped)
              FROM ranked""").split("|")
        alternatives.append((label, int(r[0]) / k, int(r[1]) / k))
    psql("postgres", f"DROP DATABASE {db}")
    return {
        "dataset": name, "seed": seed, "rows": n, "intents": len(intents), "flipped": k,
        "oof_accuracy": float(oof_acc), "train_s": train_s, "queue_s": queue_s, "queue_rows": int(queue),
        "p_at_k": top_k / k, "r_at_2k": top_2k / k, "tier_rows": tier_n, "tier_flipped": tier_flipped,
        "alternatives": alternatives,
    }


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--datasets", default=os.environ.get("DATASETS", "/work/shared/datasets"))
    ap.add_argument("--seeds", default="1,2,3")
    ap.add_argument("--rate", type=float, default=0.05)
    ap.add_argument("--only", default="CLINC150,HWU64")
    args = ap.parse_args()
    seeds = [int(s) for s in args.seeds.split(",")]
    results = []
    with tempfile.TemporaryDirectory() as tmp:
        for name in args.only.split(","):
            file, split = DATASETS[name]
            rows = load_rows(os.path.join(args.datasets, file), split)
            for seed in seeds:
                r = run_one(name, rows, seed, args.rate, tmp)
                print(f"{name} seed {seed}: P@k {r['p_at_k']:.3f} R@2k {r['r_at_2k']:.3f} "
                      f"(train {r['train_s']:.1f} s)", file=sys.stderr, flush=True)
                results.append(r)

    print(f"Label errors found by ai_review_queue ({args.rate:.0%} of training labels flipped at random, "
          f"k = rows flipped; a random order scores {args.rate:.0%})\n")
    print("| dataset (train split) | seed | rows | intents | flipped (k) | out-of-fold accuracy | "
          "precision at k | recall at 2k | tier label_error: rows / flipped | train s | queue read s |")
    print("|---|---|---|---|---|---|---|---|---|---|---|")
    for r in results:
        print(f"| {r['dataset']} | {r['seed']} | {r['rows']} | {r['intents']} | {r['flipped']} | "
              f"{r['oof_accuracy']:.4f} | {r['p_at_k']:.3f} | {r['r_at_2k']:.3f} | "
              f"{r['tier_rows']} / {r['tier_flipped']} | {r['train_s']:.1f} | {r['queue_s']:.2f} |")
    print("\nOther rankings of the same out-of-fold rows (mean over seeds): precision at k / recall at 2k\n")
    names = sorted({r["dataset"] for r in results}, key=list(DATASETS).index)
    print("| ranking | " + " | ".join(names) + " |")
    print("|---|" + "---|" * len(names))
    for i, (label, _) in enumerate(ALTERNATIVES):
        cells = []
        for name in names:
            rs = [r for r in results if r["dataset"] == name]
            p = sum(r["alternatives"][i][1] for r in rs) / len(rs)
            rc = sum(r["alternatives"][i][2] for r in rs) / len(rs)
            cells.append(f"{p:.3f} / {rc:.3f}")
        print(f"| {label} | " + " | ".join(cells) + " |")


if __name__ == "__main__":
    main()
