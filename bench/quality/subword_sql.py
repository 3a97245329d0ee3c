#!/usr/bin/python3
"""The subword_vectors option through SQL, with the texts a database holds
without a label (issue 34, point 1): CLINC150, 5 rows per intent from train
(quality.py's nested seeded samples, as subword_core.py), loaded into
ai_training_data as approved rows and trained with train_intent_model() at its
defaults, scored with evaluate_intent_model() on all 3,000 `val` texts.

Per seed, in one database:
  off              train_intent_model() with {}
  on               {"subword_vectors": true}: the vectors learn from the 750 rows
  on + unlabelled  the other 14,250 train texts inserted as rows without a label
                   (no detected intent: training_label NULL), then the same run
  off after        {} again with those rows present: must give the same model
                   bytes as `off` (the option off reads none of them)

Needs a running cluster with pg_intent installed (PGHOST/PGPORT/PGUSER):
  eval "$(scripts/pg-cluster.sh start)"
  bench/quality/subword_sql.py --seeds 42,43,44 --out FILE

--auto --probes also asks the two models of the defaults (labelled rows only: the
vectors off; rows without a label present: "auto" on) novelty.py's empty,
gibberish and off-domain probes with predict_intent(text, model_id), and scores
`val` (coverage, in-scope accuracy with abstentions wrong) and `oos_val` (recall:
abstained) with predict_intent(); a second table
(bench/results/2026-11-30-vm-fewshot-probes.md).
"""
import argparse
import json
import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import quality  # noqa: E402
import sql  # noqa: E402
from novelty import EMPTY, GIBBERISH, IN_DOMAIN, OFF_DOMAIN  # noqa: E402

PROBES = EMPTY + GIBBERISH + OFF_DOMAIN


def run(db, name, options):
    r = json.loads(sql.psql(db, "SET client_min_messages = warning; "
                                "SELECT train_intent_model('%s', 'full', '%s');" % (name, options)))
    if r.get("status") != "completed":
        raise RuntimeError("%s: %s" % (name, r))
    m = json.loads(sql.psql(db, "SELECT jsonb_build_object('sha256', m.sha256, 'bytes', m.size_bytes, "
                                "'unlabelled', r.metrics -> 'unlabelled_texts', 'seconds', r.duration_seconds) "
                                "FROM ai_intent_models AS m JOIN ai_training_runs AS r ON r.id = m.run_id "
                                "WHERE r.run_name = '%s';" % name))
    e = sql.evaluate(db, "val", r["model_id"])
    return dict(m, accuracy=e["accuracy"], model_id=r["model_id"])


def auto_run(db, name, options):
    res = run(db, name, options)
    res["auto"] = json.loads(sql.psql(db, "SELECT coalesce(m.metrics -> 'subword_auto', 'null') FROM ai_intent_models AS m "
                                          "WHERE m.id = '%s';" % res["model_id"]))
    res["weight"] = json.loads(sql.psql(db, "SELECT coalesce(m.metrics -> 'subword_weight' -> 'value', 'null') "
                                            "FROM ai_intent_models AS m WHERE m.id = '%s';" % res["model_id"]))
    return res


# --auto: the defaults ({}: subword_vectors "auto") against the option off,
# with the labelled rows only, then with the other train texts as rows
# without a label. Without them (and off) the defaults must train the option
# off's bytes.
def auto_seed(db, seed, res, probes=False):
    off = '{"subword_vectors": false, "deploy": "always"}'
    quality.log("seed %d: defaults, labelled rows only" % seed)
    res["auto_before"] = auto_run(db, "auto0_%d" % seed, '{"deploy": "always"}')
    quality.log("seed %d: off, labelled rows only" % seed)
    res["off"] = auto_run(db, "off0_%d" % seed, off)
    sql.psql(db, "INSERT INTO ai_training_data (user_message, source) "
                 "SELECT text, 'live' FROM ds WHERE split = 'unl' ORDER BY n;")
    quality.log("seed %d: defaults + unlabelled" % seed)
    res["auto"] = auto_run(db, "auto1_%d" % seed, '{"deploy": "always"}')
    quality.log("seed %d: off + unlabelled" % seed)
    res["off_after"] = auto_run(db, "off1_%d" % seed, off)
    res["before_same_bytes"] = res["auto_before"]["sha256"] == res["off"]["sha256"]
    res["off_same_bytes"] = res["off_after"]["sha256"] == res["off"]["sha256"]
    if probes:
        for key in ("auto_before", "auto"):
            res[key].update(probe(db, res[key]["model_id"]))


# The probes' answers and the served answers on val and oos_val of one model,
# all through predict_intent(text, model_id).
def probe(db, model_id):
    values = ", ".join("('%s', %d)" % (t.replace("'", "''"), i) for i, t in enumerate(PROBES))
    answers = json.loads(sql.psql(db, "SELECT json_agg(json_build_object('label', p.predicted_intent, 'confidence', "
                                      "p.confidence, 'uncertain', p.uncertain) ORDER BY v.i) "
                                      "FROM (VALUES %s) AS v(t, i), predict_intent(v.t, %d::bigint) AS p;"
                                      % (values, model_id)))
    scored = json.loads(sql.psql(db, "SELECT json_build_object("
                                     "'coverage', avg((NOT p.uncertain)::int) FILTER (WHERE d.split = 'val'), "
                                     "'in_scope_accuracy', avg((NOT p.uncertain AND p.predicted_intent = d.intent)::int) "
                                     "FILTER (WHERE d.split = 'val'), "
                                     "'oos_recall', avg(p.uncertain::int) FILTER (WHERE d.split = 'oos_val')) "
                                     "FROM ds AS d, predict_intent(d.text, %d::bigint) AS p "
                                     "WHERE d.split IN ('val', 'oos_val');" % model_id))
    return dict(scored, probes=answers)


def report_probes(results, out):
    covered = IN_DOMAIN["clinc150_dev.csv"]
    first = len(EMPTY) + len(GIBBERISH)
    off = [i for i in range(first, len(PROBES)) if PROBES[i] not in covered]
    lines = ["| seed | variant | accuracy | coverage | in-scope acc. (abstain = wrong) | OOS recall | "
             "empty caught (%d) | gibberish caught (%d) | off-domain caught (of %d) |"
             % (len(EMPTY), len(GIBBERISH), len(off)), "|---|---|---|---|---|---|---|---|---|"]
    answered = []
    for res in results:
        for key, label in [("auto_before", "defaults, labelled rows only"),
                           ("auto", "defaults, unlabelled rows present")]:
            v = res[key]
            caught = [a["uncertain"] for a in v["probes"]]
            lines.append("| %d | %s | %.4f | %.3f | %.4f | %.2f | %d | %d | %d |" % (
                res["seed"], label, v["accuracy"], v["coverage"], v["in_scope_accuracy"], v["oos_recall"],
                sum(caught[:len(EMPTY)]), sum(caught[len(EMPTY):first]), sum(caught[i] for i in off)))
            for i, a in enumerate(v["probes"]):
                if not a["uncertain"] and PROBES[i] not in covered:
                    answered.append("- seed %d, %s: %s → `%s` %.2f" % (
                        res["seed"], label, json.dumps(PROBES[i], ensure_ascii=False), a["label"], a["confidence"]))
    md = "\n".join(lines) + "\n\nProbes answered (label and confidence served):\n" + ("\n".join(answered) or "- none")
    print(md)
    if out:
        with open(out, "a") as f:
            f.write("\n" + md + "\n")


def report_auto(results, out):
    lines = ["| seed | variant | accuracy (val) | vs off | subword_auto | weight | unlabelled_texts | model bytes | seconds |",
             "|---|---|---|---|---|---|---|---|---|"]
    for res in results:
        for key, label in [("off", "off, labelled rows only"), ("auto_before", "defaults, labelled rows only"),
                           ("off_after", "off, unlabelled rows present"), ("auto", "defaults, unlabelled rows present")]:
            v = res[key]
            au = v["auto"]
            lines.append("| %d | %s | %.4f | %s | %s | %s | %s | %s | %s |" % (
                res["seed"], label, v["accuracy"],
                "" if key == "off" else "%+.2f pts" % (100 * (v["accuracy"] - res["off"]["accuracy"])),
                "–" if au is None else ("on" if au["on"] else "off") + " (" + au["reason_code"] + ")",
                "–" if v["weight"] is None else v["weight"],
                v["unlabelled"] if v["unlabelled"] is not None else "–", "{:,}".format(v["bytes"]),
                "%.1f" % v["seconds"] if v["seconds"] is not None else "–"))
    for key, label in [("off", "off"), ("auto", "defaults, unlabelled rows present")]:
        mean = sum(r[key]["accuracy"] for r in results) / len(results)
        lines.append("| mean | %s | %.4f | | | | | | |" % (label, mean))
    md = "\n".join(lines)
    print(md)
    if out:
        with open(out, "w") as f:
            f.write(md + "\n")
            f.write("\n" + "\n".join(json.dumps(r) for r in results) + "\n")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--data", default="/work/shared/datasets")
    ap.add_argument("--work", default="build-bench-quality/work-subword-sql")
    ap.add_argument("--seeds", default="42")
    ap.add_argument("--out", default=None)
    ap.add_argument("--subword", default="true",
                    help='the subword_vectors option of the on runs (e.g. \'{"dim": 32, "epochs": 10}\')')
    ap.add_argument("--probes", action="store_true",
                    help="with --auto: novelty.py's probes, coverage and oos_val recall of the defaults' models")
    ap.add_argument("--auto", action="store_true",
                    help="the defaults (subword_vectors \"auto\") against the option off, before and after "
                         "the rows without a label (2026-11-30-vm-subword-auto.md)")
    a = ap.parse_args()
    if a.probes and not a.auto:
        raise SystemExit("--probes needs --auto")
    os.makedirs(a.work, exist_ok=True)
    sql.WORK = a.work
    rows = quality.read_rows(os.path.join(a.data, "clinc150_dev.csv"))
    results = []
    on_options = '{"subword_vectors": %s, "deploy": "always"}' % a.subword
    for seed in [int(s) for s in a.seeds.split(",")]:
        sample = quality.sample_per_intent(rows, "train", 5, seed)
        chosen = {(r["text"], r["intent"]) for r in sample}
        others = [dict(r, split="unl") for r in rows if r["split"] == "train" and (r["text"], r["intent"]) not in chosen]
        data = [dict(r, split="train") for r in sample] + [r for r in rows if r["split"] == "val"] + others
        if a.probes:
            data += [r for r in rows if r["split"] == "oos_val"]
        db = "q_subword_sql"
        sql.fresh_db(db)
        sql.psql(db, "UPDATE ai_training_policy SET min_samples_for_training = 2;")
        sql.load_rows(db, data)
        sql.import_rows(db, "split = 'train'")
        res = {"seed": seed, "labelled": len(sample), "unlabelled_inserted": len(others)}
        if a.auto:
            auto_seed(db, seed, res, a.probes)
            results.append(res)
            print(json.dumps(res), flush=True)
            continue
        quality.log("seed %d: off" % seed)
        res["off"] = run(db, "off_%d" % seed, "{}")
        quality.log("seed %d: on" % seed)
        res["on"] = run(db, "on_%d" % seed, on_options)
        # The other train texts as logged messages without a label.
        sql.psql(db, "INSERT INTO ai_training_data (user_message, source) "
                     "SELECT text, 'live' FROM ds WHERE split = 'unl' ORDER BY n;")
        quality.log("seed %d: on + unlabelled" % seed)
        res["on_unlabelled"] = run(db, "onu_%d" % seed, on_options)
        quality.log("seed %d: off after" % seed)
        res["off_after"] = run(db, "offa_%d" % seed, '{"deploy": "always"}')
        res["off_same_bytes"] = res["off_after"]["sha256"] == res["off"]["sha256"]
        results.append(res)
        print(json.dumps(res), flush=True)
    if a.auto:
        report_auto(results, a.out)
        if a.probes:
            print()
            report_probes(results, a.out)
        return
    lines = ["| seed | variant | accuracy (val) | vs off | unlabelled_texts | model bytes |", "|---|---|---|---|---|---|"]
    for res in results:
        for key, label in [("off", "off"), ("on", "on"), ("on_unlabelled", "on + unlabelled rows"),
                           ("off_after", "off, unlabelled rows present")]:
            v = res[key]
            lines.append("| %d | %s | %.4f | %s | %s | %s |" % (
                res["seed"], label, v["accuracy"],
                "" if key == "off" else "%+.2f pts" % (100 * (v["accuracy"] - res["off"]["accuracy"])),
                v["unlabelled"] if v["unlabelled"] is not None else "–", "{:,}".format(v["bytes"])))
    if len(results) > 1:
        for key, label in [("off", "off"), ("on", "on"), ("on_unlabelled", "on + unlabelled rows")]:
            mean = sum(r[key]["accuracy"] for r in results) / len(results)
            lines.append("| mean | %s | %.4f | | | |" % (label, mean))
    md = "\n".join(lines)
    print(md)
    if a.out:
        with open(a.out, "w") as f:
            f.write(md + "\n")
            f.write("\n" + "\n".join(json.dumps(r) for r in results) + "\n")


if __name__ == "__main__":
    main()
