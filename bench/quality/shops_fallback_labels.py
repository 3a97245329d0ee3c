#!/usr/bin/python3
"""Small shops: what the fallback knows, restricted to the shop's own labels (issue 34, point 2; a study).

    (eval "$(scripts/pg-cluster.sh start)"; python3 bench/quality/shops_fallback_labels.py; scripts/pg-cluster.sh stop)

The marketplaces of shops_fallback.py (one big shop and eight small ones sharing intents, two shops
with intents of their own), one train_classifier() call at the defaults. For every held-out message
of a small shop (its model loses to the fallback, which serves it), with every label's probability
(pg_intent.top_k = 1000):
  own    the shop's own model (trained, not deployed)
  fb     the fallback: what is served now
  fbr    the fallback's answer among the labels of the shop's own rows (its probabilities renormalised)
  bW     W x the shop's model + (1 - W) x fbr, over the shop's labels
Accuracy of the label, thresholds ignored, per shop and the mean over the small shops. Nothing here
is served by pg_intent; it measures a direction. The held-out messages are all of the shop's own
intents, which favours the restriction: a shop's message of an intent it never labelled could not
be answered by it.
"""
import json
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import shops_fallback as sf  # noqa: E402


def study(data, name, tr, he):
    rows = sf.read(os.path.join(data, name))
    train, held, ns, no = sf.marketplace(rows, tr, he)
    db = "blend_study"
    sf.psql("postgres", "DROP DATABASE IF EXISTS %s;" % db)
    sf.psql("postgres", "CREATE DATABASE %s;" % db)
    sf.psql(db, "SET client_min_messages = warning; CREATE EXTENSION pg_intent;"
             "CREATE TABLE market (id bigserial PRIMARY KEY, shop text, text text, intent text);"
             "CREATE TABLE held (id bigserial PRIMARY KEY, shop text, text text, intent text);")
    sf.copy_rows(db, "market", train)
    sf.copy_rows(db, "held", held)
    sf.psql(db, "SET client_min_messages = warning;"
             "SELECT create_classifier('shops', 'market', 'text', 'intent', "
             "'{\"key_column\": \"id\", \"partition_column\": \"shop\"}');"
             "SELECT train_classifier('shops') IS NOT NULL;")
    out = sf.psql(db, r"""
SET pg_intent.top_k = 1000;
WITH fb AS (SELECT id FROM ai_intent_models WHERE classifier='shops' AND partition_key IS NULL AND is_active),
own AS (SELECT partition_key AS shop, model_id AS id FROM ai_training_runs WHERE classifier='shops' AND partition_key LIKE 'small%' AND model_id IS NOT NULL),
labels AS (SELECT shop, json_agg(DISTINCT intent) AS l FROM market GROUP BY shop)
SELECT h.shop, h.intent, o.top_intents, f.top_intents, labels.l
  FROM held h JOIN own ON own.shop = h.shop JOIN labels ON labels.shop = h.shop,
       LATERAL predict_intent(h.text, own.id) o, LATERAL predict_intent(h.text, (SELECT id FROM fb)) f
""")
    per = {}
    ws = [0.0, 0.2, 0.3, 0.5]
    for line in out.splitlines():
        if "|" not in line: continue
        s, gold, ot, ft, ls = line.split("|")
        po, pf, lab = json.loads(ot), json.loads(ft), set(json.loads(ls))
        fr = {k: v for k, v in pf.items() if k in lab}
        z = sum(fr.values()) or 1.0
        fr = {k: v / z for k, v in fr.items()}
        d = per.setdefault(s, {"n": 0, "own": 0, "fb": 0, "fbr": 0, **{"b%.1f" % w: 0 for w in ws}})
        d["n"] += 1
        d["own"] += max(po, key=po.get) == gold
        d["fb"] += max(pf, key=pf.get) == gold
        d["fbr"] += (max(fr, key=fr.get) if fr else None) == gold
        for w in ws:
            comb = {k: w * po.get(k, 0.0) + (1 - w) * fr.get(k, 0.0) for k in lab}
            d["b%.1f" % w] += max(comb, key=comb.get) == gold
    keys = ["own", "fb", "fbr"] + ["b%.1f" % w for w in ws]
    print(name, "small shops:", " ".join(keys))
    means = {k: sum(d[k] / d["n"] for d in per.values()) / len(per) for k in keys}
    for s, d in sorted(per.items()):
        print(" ", s, d["n"], " ".join("%.3f" % (d[k] / d["n"]) for k in keys))
    print("  mean", " ".join("%s=%.3f" % (k, means[k]) for k in keys))
    sf.psql("postgres", "DROP DATABASE IF EXISTS %s;" % db)

if __name__ == "__main__":
    data = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "..", "shared", "datasets")
    if not os.path.isdir(data):
        data = "/work/shared/datasets"
    for name, tr, he in sf.DATASETS:
        study(data, name, tr, he)
