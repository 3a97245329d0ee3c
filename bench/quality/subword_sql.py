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
"""
import argparse
import json
import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import quality  # noqa: E402
import sql  # noqa: E402


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
def auto_seed(db, seed, res):
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
    ap.add_argument("--auto", action="store_true",
                    help="the defaults (subword_vectors \"auto\") against the option off, before and after "
                         "the rows without a label (2026-11-30-vm-subword-auto.md)")
    a = ap.parse_args()
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
        db = "q_subword_sql"
        sql.fresh_db(db)
        sql.psql(db, "UPDATE ai_training_policy SET min_samples_for_training = 2;")
        sql.load_rows(db, data)
        sql.import_rows(db, "split = 'train'")
        res = {"seed": seed, "labelled": len(sample), "unlabelled_inserted": len(others)}
        if a.auto:
            auto_seed(db, seed, res)
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
