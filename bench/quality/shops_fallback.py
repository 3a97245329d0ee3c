#!/usr/bin/python3
"""Small shops and the shared fallback (issue 34, point 2), through SQL.

A marketplace per dataset: one big shop and eight small shops share 30
intents (the big one 40 training rows per intent, each small one 3, i.e. 90
rows, as in the issue), and two shops have 10 intents each of their own (20
rows per intent). One train_classifier() call at the defaults
(partition_column, key_column, min_partition_rows 20). Each shop's held-out
messages are the held-out split's rows of its intents, dealt round-robin
among the shops that have them.

Per shop, on its held-out messages (accuracy of the served label, threshold
ignored, as evaluate_intent_model() reports it):
  own       the shop's own model of this run (deployed or not) alone: what
            0.3.1 served (it deployed every first model, and did not defer)
  fallback  the fallback model alone
  served    what predict_label() serves now (evaluate_label(): the shop's
            model where deployed, deferring to the fallback where it
            abstains; the fallback for a shop whose model lost)
and the deploy decision (deploy_reason) of the shop's run.

Needs a running cluster with pg_intent installed (PGHOST/PGPORT/PGUSER):
bench/quality/shops_fallback_run starts one. Prints markdown and writes --out.
"""
import argparse
import csv
import datetime
import os
import platform
import subprocess
import sys

DATASETS = [  # file, training split, held-out split
    ("hwu64.csv", "train", "test"),
    ("clinc150_dev.csv", "train", "val"),
    ("mtod_es.csv", "train", "test"),
]
SHARED, OWN = 30, 10
BIG_PER_INTENT, SMALL_PER_INTENT, OWN_PER_INTENT = 40, 3, 20
SMALL_SHOPS = 8


def psql(db, sql):
    cmd = ["psql", "-X", "-q", "-At", "-v", "ON_ERROR_STOP=1", "-d", db]
    p = subprocess.run(cmd, input=sql, capture_output=True, text=True)
    if p.returncode != 0:
        raise RuntimeError("psql failed: %s\n%s" % (p.stderr[-3000:], sql[:400]))
    return p.stdout.strip()


def read(path):
    with open(path, newline="", encoding="utf-8") as f:
        return list(csv.DictReader(f))


def intent_pools(rows, train_split, held_split):
    """{intent: {"train": texts, "held": texts}}, out-of-scope rows left out."""
    by_intent = {}
    for r in rows:
        if r["intent"] != "oos":
            by_intent.setdefault(r["intent"], {"train": [], "held": []})
            if r["split"] == train_split:
                by_intent[r["intent"]]["train"].append(r["text"])
            elif r["split"] == held_split:
                by_intent[r["intent"]]["held"].append(r["text"])
    return by_intent


def marketplace(rows, train_split, held_split):
    """(train rows, held-out rows) as (shop, text, intent) lists."""
    by_intent = intent_pools(rows, train_split, held_split)
    intents = sorted(by_intent)
    shared = intents[:SHARED]
    own = intents[SHARED:SHARED + 2 * OWN]
    train, held = [], []
    smalls = ["small_%d" % i for i in range(SMALL_SHOPS)]
    for intent in shared:
        t = by_intent[intent]["train"]
        train += [("big", x, intent) for x in t[:BIG_PER_INTENT]]
        pos = BIG_PER_INTENT
        for s in smalls:
            train += [(s, x, intent) for x in t[pos:pos + SMALL_PER_INTENT]]
            pos += SMALL_PER_INTENT
        shops = ["big"] + smalls
        held += [(shops[i % len(shops)], x, intent) for i, x in enumerate(by_intent[intent]["held"])]
    for k, intent in enumerate(own):
        shop = "own_%d" % (k // OWN)
        train += [(shop, x, intent) for x in by_intent[intent]["train"][:OWN_PER_INTENT]]
        held += [(shop, x, intent) for x in by_intent[intent]["held"]]
    return train, held, len(shared), len(own)


def copy_rows(db, table, rows):
    path = "/tmp/shops_fallback_%s_%d.csv" % (table, os.getpid())
    with open(path, "w", newline="", encoding="utf-8") as f:
        w = csv.writer(f)
        for r in rows:
            w.writerow(r)
    psql(db, "\\copy %s (shop, text, intent) FROM '%s' WITH (FORMAT csv)" % (table, path))
    os.unlink(path)


def run(data, name, train_split, held_split):
    rows = read(os.path.join(data, name))
    train, held, n_shared, n_own = marketplace(rows, train_split, held_split)
    db = "shops_fallback"
    psql("postgres", "DROP DATABASE IF EXISTS %s;" % db)
    psql("postgres", "CREATE DATABASE %s;" % db)
    psql(db, "SET client_min_messages = warning; CREATE EXTENSION pg_intent;"
             "CREATE TABLE market (id bigserial PRIMARY KEY, shop text, text text, intent text);"
             "CREATE TABLE held (id bigserial PRIMARY KEY, shop text, text text, intent text);")
    copy_rows(db, "market", train)
    copy_rows(db, "held", held)
    psql(db, "SET client_min_messages = warning;"
             "SELECT create_classifier('shops', 'market', 'text', 'intent', "
             "'{\"key_column\": \"id\", \"partition_column\": \"shop\"}');"
             "SELECT train_classifier('shops') IS NOT NULL;")
    out = psql(db, r"""
SET client_min_messages = warning;
WITH runs AS (
    SELECT r.partition_key AS shop, r.deploy_reason, r.deploy_evidence, r.model_id, r.training_samples
      FROM ai_training_runs AS r WHERE r.classifier = 'shops' AND r.partition_key IS NOT NULL),
fallback AS (SELECT m.id FROM ai_intent_models AS m
              WHERE m.classifier = 'shops' AND m.partition_key IS NULL AND m.is_active)
SELECT r.shop, r.training_samples, (SELECT count(*) FROM held AS h WHERE h.shop = r.shop),
       r.deploy_reason, r.deploy_evidence,
       evaluate_intent_model(r.model_id, format('SELECT text, intent FROM held WHERE shop = %L', r.shop)) ->> 'accuracy',
       evaluate_intent_model((SELECT id FROM fallback), format('SELECT text, intent FROM held WHERE shop = %L', r.shop)) ->> 'accuracy',
       e ->> 'accuracy', coalesce(e ->> 'model_partition', 'fallback'), coalesce(e ->> 'deferred', '0')
  FROM runs AS r,
       LATERAL evaluate_label('shops', format('SELECT text, intent FROM held WHERE shop = %L', r.shop), r.shop) AS e
 ORDER BY r.shop;
""")
    result = []
    for line in out.splitlines():
        f = line.split("|")
        result.append({"shop": f[0], "train": int(f[1]), "held": int(f[2]), "reason": f[3], "evidence": f[4],
                       "own": float(f[5]), "fallback": float(f[6]), "served": float(f[7]),
                       "served_by": f[8], "deferred": int(f[9])})
    psql("postgres", "DROP DATABASE IF EXISTS %s;" % db)
    return result, n_shared, n_own, len(train), len(held)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--data", required=True)
    ap.add_argument("--out", required=True)
    ap.add_argument("--command", default="bench/quality/shops_fallback_run")
    args = ap.parse_args()
    commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], capture_output=True, text=True,
                            cwd=os.path.dirname(os.path.abspath(__file__))).stdout.strip()
    md = ["# Small shops and the shared fallback (issue 34, point 2)", "",
          "%s, commit %s, %s, %d CPUs; command: `%s`." % (
              datetime.date.today().isoformat(), commit, platform.platform(), os.cpu_count(), args.command), "",
          __doc__.split("\n\n", 1)[1].rsplit("\n\nNeeds", 1)[0], ""]
    for name, tr, he in DATASETS:
        result, n_shared, n_own, n_train, n_held = run(args.data, name, tr, he)
        md += ["## %s (train on `%s`, held-out `%s`; %d shared intents, %d own; %d training rows, %d held-out)"
               % (name, tr, he, n_shared, n_own, n_train, n_held), "",
               "| shop | training rows | held-out | decision | evidence | own model | fallback | served now | served by | deferred |",
               "|---|---|---|---|---|---|---|---|---|---|"]
        for r in result:
            md.append("| %s | %d | %d | %s | %s | %.3f | %.3f | %.3f | %s | %d |" % (
                r["shop"], r["train"], r["held"], r["reason"], r["evidence"], r["own"], r["fallback"],
                r["served"], r["served_by"], r["deferred"]))
        for group, pick in (("small shops", lambda r: r["shop"].startswith("small_")), ("all shops", lambda r: True)):
            g = [r for r in result if pick(r)]
            if not g:
                continue
            mean = lambda k: sum(r[k] for r in g) / len(g)  # noqa: E731
            own_served = sum(1 for r in g if r["served_by"] != "fallback")
            worse = sum(1 for r in g if r["served"] < r["fallback"] - 1e-9)
            md += ["", "%s (%d): served by their own model %d, by the fallback %d; mean accuracy: 0.3.1 (own model) "
                   "%.3f, fallback %.3f, served now %.3f; served now below the fallback: %d." % (
                       group, len(g), own_served, len(g) - own_served, mean("own"), mean("fallback"), mean("served"),
                       worse)]
        md.append("")
        print("\n".join(md[-(len(result) + 8):]), file=sys.stderr)
    with open(args.out, "w", encoding="utf-8") as f:
        f.write("\n".join(md) + "\n")
    print("\n".join(md))


if __name__ == "__main__":
    main()
