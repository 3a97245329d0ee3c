#!/usr/bin/python3
"""The learning loop through SQL: train_intent_model() and retrain_if_needed() at
their defaults, in a real PostgreSQL server, against the core CLI and the seed's
scikit-learn pipeline on the same rows, in the same run.

Sections (--sections, comma-separated; default all):
  full     train on the train split loaded into ai_training_data; score the
           deployed model on the held-out split with evaluate_intent_model()
  fewshot  2/3/5/10/20 rows per intent from CLINC150 / HWU64 train, through SQL
  loop     half of train, then the rest in batches of 10 % with
           retrain_if_needed() after each: deploys, and the active model's
           accuracy on the held-out split after every step

Needs a running cluster with pg_intent installed (PGHOST/PGPORT/PGUSER in the
environment: bench/quality/sql_run starts one). Prints markdown and writes it
to --out. Every figure names the split it is on.
"""
import argparse
import datetime
import json
import os
import platform
import random
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import quality  # noqa: E402  (datasets, peers, table helpers)

FULL = quality.FULL
FEWSHOT = quality.FEWSHOT
SHOTS = quality.SHOTS
LOOP = [("HWU64", "hwu64.csv", "train", "test"), ("MTOD es", "mtod_es.csv", "train", "test"),
        ("nlp.js es", "nlpjs_corpus50_es.csv", "train", "test")]


def log(msg):
    quality.log(msg)


def psql(db, sql, *, at=True):
    """Runs SQL in `db` and returns stdout (unaligned, tuples only)."""
    cmd = ["psql", "-X", "-q", "-v", "ON_ERROR_STOP=1", "-d", db]
    if at:
        cmd += ["-At"]
    p = subprocess.run(cmd, input=sql, capture_output=True, text=True)
    if p.returncode != 0:
        raise RuntimeError("psql failed in %s: %s\n%s" % (db, p.stderr[-3000:], sql[:500]))
    return p.stdout.strip()


def fresh_db(name):
    psql("postgres", "DROP DATABASE IF EXISTS %s;" % name)
    psql("postgres", "CREATE DATABASE %s;" % name)
    psql(name, "SET client_min_messages = warning; CREATE EXTENSION pg_intent;")


def load_rows(db, rows, table="ds"):
    """A table `table(n, split, text, intent)` holding `rows` in order."""
    path = os.path.join(WORK, "%s_%s.csv" % (db, table))
    quality.write_rows(path, rows)
    psql(db, "CREATE TABLE %s (n serial, split text, text text, intent text);\n"
             "\\copy %s (split, text, intent) FROM '%s' WITH (FORMAT csv, HEADER true)\n"
             "ANALYZE %s;" % (table, table, path, table))


def import_rows(db, where, source="imported"):
    """Copies rows of ds into ai_training_data as labelled, imported interactions,
    approved (their labels are the dataset's: reviewed rows, which the deploy
    gate takes as evidence)."""
    psql(db, "INSERT INTO ai_training_data (user_message, detected_intent, confidence_score, source, "
             "dataset_status) "
             "SELECT text, intent, 100, '%s', 'approved' FROM ds WHERE %s ORDER BY n;" % (source, where))


def train(db, name, options="{}"):
    t0 = time.perf_counter()
    r = json.loads(psql(db, "SET client_min_messages = warning; "
                            "SELECT train_intent_model('%s', 'full', '%s');" % (name, options)))
    r["_wall"] = time.perf_counter() - t0
    return r


def evaluate(db, split, model_id=None):
    """evaluate_intent_model() of a model (the active one by default) on ds's `split`."""
    q = "SELECT text, intent FROM ds WHERE split = ''%s''" % split
    m = json.loads(psql(db, "SELECT evaluate_intent_model(%s, '%s');" % (model_id or "NULL", q)))
    return m


def sample_per_intent(rows, split, n, seed=42):
    return quality.sample_per_intent(rows, split, n, seed)


# ---------------------------------------------------------------- sections

def section_full(a, core, sk, results):
    out = ["## Full data through SQL: train_intent_model() defaults, scored with evaluate_intent_model()",
           "",
           "The train split is loaded into `ai_training_data` (source `imported`, confidence 100) and trained "
           "with `train_intent_model()` at its defaults; the deployed model is scored on the held-out split "
           "with `evaluate_intent_model()` (accuracy of the served label with the threshold ignored, macro-F1, "
           "ECE of the top class, 15 bins). The same rows go to the core CLI and the seed pipeline in the same "
           "run. `SQL s` is the run's `duration_seconds` (inside the server), `client s` the statement's wall "
           "time.",
           ""]
    head = ["dataset (scored split)", "SQL acc.", "SQL F1", "SQL ECE", "CLI acc.", "sklearn acc.",
            "SQL − sklearn", "SQL s", "client s", "sklearn s", "speedup"]
    rows = []
    for name, fname, tr, ev in FULL:
        log("full/sql: " + name)
        path = os.path.join(a.data, fname)
        data = [r for r in quality.read_rows(path) if r["split"] in (tr, ev)]
        db = "q_full"
        fresh_db(db)
        load_rows(db, data)
        import_rows(db, "split = '%s'" % tr)
        r = train(db, "bench")
        m = evaluate(db, ev)
        cli_model = os.path.join(WORK, "cli_%s.bin" % fname)
        core.train(path, tr, cli_model)
        ce = core.eval(path, ev, cli_model)
        skm = os.path.join(WORK, "sk_%s.pkl" % fname)
        st = sk.train(path, tr, skm)
        se = sk.eval(path, ev, skm)
        results.setdefault("full", {})[name] = {"sql": m, "run": r, "cli": ce, "sklearn_train": st, "sklearn": se}
        rows.append(["%s (%s)" % (name, ev), quality.f4(m["accuracy"]), quality.f4(m["f1"]),
                     quality.f4(m["calibration"]["ece"]), quality.f4(ce["accuracy"]), quality.f4(se["accuracy"]),
                     quality.pts(m["accuracy"], se["accuracy"]), "%.2f" % r["duration_seconds"],
                     "%.2f" % r["_wall"], "%.2f" % st["train_seconds"],
                     "%.1f×" % (st["train_seconds"] / r["_wall"])])
    out.append(quality.table(head, rows))
    return out


def section_fewshot(a, results):
    out = ["## Few-shot through SQL: train_intent_model() defaults",
           "",
           "n rows per intent sampled (nested, seeded) from the train split, loaded into `ai_training_data`, "
           "trained with `train_intent_model()` at its defaults (with `ai_training_policy.min_samples_for_training` "
           "lowered to 2 so that the smallest samples train), scored with `evaluate_intent_model()` on the whole "
           "held-out split: accuracy of the served label (threshold ignored) and, in brackets, the share of the "
           "scored messages the model abstains on at its threshold (a model trained on fewer than 100 rows, or an "
           "intent with fewer than 10, never abstains).",
           ""]
    head = ["dataset (scored split)"] + ["%d / intent" % n for n in SHOTS]
    rows = []
    for name, fname, ev in FEWSHOT:
        path = os.path.join(a.data, fname)
        allrows = quality.read_rows(path)
        cells = []
        for n in SHOTS:
            log("fewshot/sql: %s %d" % (name, n))
            sample = sample_per_intent(allrows, "train", n)
            data = [dict(r, split="train") for r in sample] + [r for r in allrows if r["split"] == ev]
            db = "q_few"
            fresh_db(db)
            psql(db, "UPDATE ai_training_policy SET min_samples_for_training = 2;")
            load_rows(db, data)
            import_rows(db, "split = 'train'")
            r = train(db, "few")
            if r.get("status") != "completed":
                cells.append("failed: " + r.get("error", "?"))
                continue
            m = evaluate(db, ev)
            results.setdefault("fewshot", {}).setdefault(name, {})[n] = m
            cells.append("%s (%.0f %% abstained)" % (quality.f4(m["accuracy"]),
                                                    100 * m.get("abstained", 0) / max(1, m["rows"])))
        rows.append(["%s (%s)" % (name, ev)] + cells)
    out.append(quality.table(head, rows))
    return out


def section_loop(a, results):
    out = ["## The loop through SQL: retrain_if_needed() as pg_cron would call it",
           "",
           "Half of the train split (a seeded shuffle) is loaded and trained (`train_intent_model()`, deployed as "
           "`first`); the rest arrives in five batches of 10 % of the split, each followed by "
           "`retrain_if_needed()` with `ai_training_policy.auto_retrain_threshold` set to the batch size. After "
           "each step: whether it deployed and why (the gate's evidence), the accuracy on the held-out split of "
           "the candidate it trained and of the model active afterwards (`evaluate_intent_model()`, served label, "
           "threshold ignored).",
           ""]
    for name, fname, tr, ev in LOOP:
        log("loop/sql: " + name)
        path = os.path.join(a.data, fname)
        allrows = quality.read_rows(path)
        train_rows = [r for r in allrows if r["split"] == tr]
        random.Random(20261122).shuffle(train_rows)
        half = len(train_rows) // 2
        batch = len(train_rows) // 10
        data = [dict(r, split="b0") for r in train_rows[:half]]
        for b in range(5):
            chunk = train_rows[half + b * batch: half + (b + 1) * batch if b < 4 else len(train_rows)]
            data += [dict(r, split="b%d" % (b + 1)) for r in chunk]
        data += [r for r in allrows if r["split"] == ev]
        db = "q_loop"
        fresh_db(db)
        psql(db, "UPDATE ai_training_policy SET auto_retrain_threshold = %d;" % batch)
        load_rows(db, data)
        import_rows(db, "split = 'b0'")
        r = train(db, "half")
        active = evaluate(db, ev)
        steps = [["50 %", "train_intent_model", str(r.get("deployed")), r.get("deploy_reason") or "–", "–", "–",
                  quality.f4(active["accuracy"]), quality.f4(active["accuracy"])]]
        log_steps = []
        for b in range(1, 6):
            import_rows(db, "split = 'b%d'" % b)
            rr = json.loads(psql(db, "SET client_min_messages = warning; SELECT retrain_if_needed();"))
            run = rr.get("result") or {}
            cand = None
            if run.get("model_id"):
                cand = evaluate(db, ev, run["model_id"])
            before = active["accuracy"]
            active = evaluate(db, ev)
            ev_row, gate = psql(db, "SELECT coalesce(deploy_evidence, '–'), coalesce(metrics -> 'gate', 'null') "
                                    "FROM ai_training_runs ORDER BY started_at DESC LIMIT 1").split("|", 1)
            gate = json.loads(gate)
            fresh = "–"
            if gate and gate.get("sufficient"):
                fresh = "%d rows: F1 %s / %s, acc. %s / %s" % (
                    gate["rows"], quality.f4(gate["candidate"]["macro_f1"]), quality.f4(gate["active"]["macro_f1"]),
                    quality.f4(gate["candidate"]["accuracy"]), quality.f4(gate["active"]["accuracy"]))
            steps.append(["%d %%" % (50 + 10 * b), "retrain_if_needed", str(run.get("deployed", False)),
                          run.get("deploy_reason") or rr.get("reason") or "–", ev_row, fresh,
                          quality.f4(cand["accuracy"]) if cand else "–", quality.f4(active["accuracy"])])
            log_steps.append({"step": b, "result": rr, "candidate": cand and cand["accuracy"],
                              "active_before": before, "active_after": active["accuracy"]})
        results.setdefault("loop", {})[name] = log_steps
        deployed = [s for s in log_steps if (s["result"].get("result") or {}).get("deployed")]
        deploys = len(deployed)
        worse = sum(1 for s in deployed if s["active_after"] < s["active_before"])
        out += ["### %s (train %d rows, scored on %s)" % (name, len(train_rows), ev), ""]
        out.append(quality.table(["data", "call", "deployed", "reason", "evidence",
                                  "fresh rows: candidate / active", "candidate acc.", "active acc."],
                                 steps))
        out += ["", "%d of 5 retrainings deployed; %d deployed model(s) less accurate on %s than the one "
                    "they replaced." % (deploys, worse, ev), ""]
    return out


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--data", required=True)
    ap.add_argument("--cli", required=True)
    ap.add_argument("--work", required=True)
    ap.add_argument("--sections", default="full,fewshot,loop")
    ap.add_argument("--out", required=True)
    ap.add_argument("--command", default="bench/quality/sql_run")
    a = ap.parse_args()
    global WORK
    WORK = a.work
    os.makedirs(WORK, exist_ok=True)
    core = quality.Core(a.cli, "core")
    sk = quality.Sklearn()
    sections = a.sections.split(",")
    commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], capture_output=True, text=True,
                            cwd=HERE).stdout.strip()
    out = ["# pg_intent learning loop through SQL — %s" % datetime.datetime.now().strftime("%Y-%m-%d %H:%M"), "",
           "- machine: %s, %d CPUs, %s" % (platform.node(), os.cpu_count(), platform.platform()),
           "- load average at start: %s" % " ".join("%.2f" % x for x in os.getloadavg()),
           "- commit `%s`; PostgreSQL: %s" % (commit, psql("postgres", "SHOW server_version;")),
           "- command: `%s`" % a.command, ""]
    results = {}
    t0 = time.time()
    if "full" in sections:
        out += section_full(a, core, sk, results) + [""]
    if "fewshot" in sections:
        out += section_fewshot(a, results) + [""]
    if "loop" in sections:
        out += section_loop(a, results) + [""]
    out += ["- load average at the end: %s; %.0f s in all" % (" ".join("%.2f" % x for x in os.getloadavg()),
                                                             time.time() - t0)]
    text = "\n".join(out) + "\n"
    print(text)
    with open(a.out, "w") as f:
        f.write(text)
    with open(os.path.join(WORK, "sql_results.json"), "w") as f:
        json.dump(results, f, indent=1, default=str)


WORK = None

if __name__ == "__main__":
    main()
