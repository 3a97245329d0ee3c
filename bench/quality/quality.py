#!/usr/bin/python3
"""Quality benchmark of the learning loop: the pg_intent core CLI against the seed's
scikit-learn pipeline (and, when given, the pre-0.2.0 core CLI), all in the same run.

Sections (--sections, comma-separated; default all):
  full      train on the train split, score on the held-out split, every dataset
  fewshot   2/3/5/10/20 rows per intent sampled from CLINC150 / HWU64 train
  oos       CLINC150 val + oos_val, without and with oos_train labelled out of scope
  typos     clean against deterministically perturbed held-out sets
  timing    CLINC150 train: the core and the seed pipeline alternated, 3 pairs
  gate      the deploy gate's evidence when half of train is added to a model of the other half

Prints markdown and writes it to --out. Every figure names the split it is on.
Nothing is tuned here: the core runs with its defaults unless a row says otherwise.
"""
import argparse
import csv
import datetime
import hashlib
import json
import os
import platform
import random
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
PEERS = os.path.join(os.path.dirname(HERE), "peers")
sys.path.insert(0, PEERS)
import common  # noqa: E402

PY = "/usr/bin/python3"

FULL = [
    # name, file, train split, scored split
    ("CLINC150", "clinc150_dev.csv", "train", "val"),
    ("HWU64", "hwu64.csv", "train", "test"),
    ("SNIPS", "snips.csv", "train", "test"),
    ("MTOD es", "mtod_es.csv", "train", "test"),
    ("nlp.js es", "nlpjs_corpus50_es.csv", "train", "test"),
    ("nlp.js en", "nlpjs_corpus50_en.csv", "train", "test"),
]
FEWSHOT = [("CLINC150", "clinc150_dev.csv", "val"), ("HWU64", "hwu64.csv", "test")]
SHOTS = [2, 3, 5, 10, 20]

# The pre-0.2.0 core: its benchmark protocol held out 10 % for Platt and the
# threshold (full data); its SQL defaults split 70/15/15 (few-shot).
BASELINE_FULL_OPTIONS = '{"test_fraction":0,"val_fraction":0.1}'
BASELINE_ALL_ROWS_OPTIONS = '{"test_fraction":0,"val_fraction":0}'


def log(msg):
    sys.stderr.write(msg + "\n")
    sys.stderr.flush()


def run_json(cmd, **kw):
    """Runs a command and returns the JSON object on its last stdout line."""
    t0 = time.perf_counter()
    p = subprocess.run(cmd, capture_output=True, text=True, **kw)
    wall = time.perf_counter() - t0
    if p.returncode != 0:
        raise RuntimeError("command failed (%d): %s\n%s" % (p.returncode, " ".join(cmd), p.stderr[-2000:]))
    out = json.loads(p.stdout.strip().splitlines()[-1])
    out["_wall"] = wall
    return out


def read_rows(path):
    with open(path, newline="", encoding="utf-8") as f:
        return list(csv.DictReader(f))


def write_rows(path, rows):
    with open(path, "w", newline="", encoding="utf-8") as f:
        w = csv.writer(f)
        w.writerow(["split", "text", "intent"])
        for r in rows:
            w.writerow([r["split"], r["text"], r["intent"]])


# ---------------------------------------------------------------- peers

class Core:
    def __init__(self, cli, name):
        self.cli = cli
        self.name = name

    def train(self, data, split, model, options=None, report=None, extra=()):
        cmd = [self.cli, "train", "--data", data, "--split", split, "--model", model]
        if options:
            cmd += ["--options", options]
        if report:
            cmd += ["--report", report]
        cmd += list(extra)
        return run_json(cmd)

    def eval(self, data, split, model, oos_split=None):
        cmd = [self.cli, "eval", "--data", data, "--split", split, "--model", model]
        if oos_split:
            cmd += ["--oos-split", oos_split]
        if self.name != "baseline":
            cmd += ["--timing", "no"]
        return run_json(cmd)

    def confidences(self, texts, model):
        """(label, confidence, uncertain) of each text, through `predict`."""
        inp = "".join(t.replace("\r", " ").replace("\n", " ") + "\n" for t in texts)
        p = subprocess.run([self.cli, "predict", "--model", model, "--top", "1"], input=inp,
                           capture_output=True, text=True, check=True)
        out = []
        for line in p.stdout.rstrip("\n").split("\n"):
            f = line.split("\t")
            out.append((f[0], float(f[1]), f[2] == "true"))
        return out


class Sklearn:
    name = "sklearn"

    def train(self, data, split, model):
        return run_json([PY, os.path.join(PEERS, "sklearn_pipeline.py"), "train", "--data", data, "--split", split,
                         "--model", model])

    def eval(self, data, split, model, oos_split=None, threshold=None):
        cmd = [PY, os.path.join(PEERS, "sklearn_pipeline.py"), "eval", "--data", data, "--split", split,
               "--model", model, "--single-max", "0"]
        if oos_split:
            cmd += ["--oos-split", oos_split]
        if threshold is not None:
            cmd += ["--threshold", repr(threshold)]
        return run_json(cmd)

    def threshold(self, data, split):
        return run_json([PY, os.path.join(PEERS, "sklearn_pipeline.py"), "threshold", "--data", data,
                         "--split", split])


# ---------------------------------------------------------------- helpers

def f4(x):
    return "–" if x is None else "%.4f" % x


def f3(x):
    return "–" if x is None else "%.3f" % x


def f2(x):
    return "–" if x is None else "%.2f" % x


def pts(a, b):
    return "–" if a is None or b is None else "%+.1f" % (100 * (a - b))


def table(header, rows):
    out = ["| " + " | ".join(header) + " |", "|" + "|".join("---" for _ in header) + "|"]
    for r in rows:
        out.append("| " + " | ".join(str(x) for x in r) + " |")
    return "\n".join(out)


def duplicate_note(rows, train_split, eval_split):
    seen = set(" ".join(r["text"].lower().split()) for r in rows if r["split"] == train_split)
    ev = [r for r in rows if r["split"] == eval_split]
    dup = sum(1 for r in ev if " ".join(r["text"].lower().split()) in seen)
    return "%d of %d scored rows also appear (lower-cased) in %s" % (dup, len(ev), train_split)


# Deterministic typos for the perturbed test sets, independent of the core's
# generator (typos.cpp): its own seed, random replacement letters (not keyboard
# neighbours), the same family of edits the issue measured (drop / swap /
# replace a letter in 1-2 words of at least 3 letters).
def perturb(text, seed=20261122):
    h = int(hashlib.sha256((str(seed) + "\0" + text).encode("utf-8")).hexdigest()[:16], 16)
    rng = random.Random(h)
    words = text.split(" ")
    idx = [i for i, w in enumerate(words) if sum(ch.isalpha() for ch in w) >= 3]
    if not idx:
        return text
    for i in sorted(rng.sample(idx, min(len(idx), rng.choice([1, 2])))):
        w = list(words[i])
        letters = [j for j, ch in enumerate(w) if ch.isalpha()]
        j = letters[rng.randrange(1, len(letters))]
        kind = rng.randrange(3)
        if kind == 0:
            del w[j]
        elif kind == 1:
            k = j + 1 if j + 1 < len(w) and w[j + 1].isalpha() else j - 1
            w[j], w[k] = w[k], w[j]
        else:
            w[j] = rng.choice("abcdefghijklmnopqrstuvwxyz")
        words[i] = "".join(w)
    return " ".join(words)


# ---------------------------------------------------------------- sections

def section_full(a, core, base, sk, work, results):
    md = ["## Full data: train on the train split, score on the held-out split",
          "",
          "Accuracy and macro-F1 of the served label (the threshold ignored), ECE (15 bins) and Brier score of "
          "the top class, on the scored split. `OOF acc.` is the core's own out-of-fold estimate on the train "
          "split (what the report stores). Train s: the CLI's `train_seconds` (whole pipeline, CSV parsing "
          "excluded) and scikit-learn's `Pipeline.fit`, timed in the same run, one after the other.", ""]
    ratio_rows = []
    for name, fname, tr, ev in FULL:
        data = os.path.join(a.data_dir, fname)
        rows = read_rows(data)
        log("full: %s" % name)
        tag = name.replace(" ", "_").replace(".", "")
        res = {}
        m = os.path.join(work, tag + ".core.bin")
        t = core.train(data, tr, m, report=os.path.join(work, tag + ".core.report.json"))
        e = core.eval(data, ev, m)
        res["core"] = (t, e)
        if base:
            mb = os.path.join(work, tag + ".base.bin")
            tb = base.train(data, tr, mb, options=BASELINE_FULL_OPTIONS)
            eb = base.eval(data, ev, mb)
            res["base"] = (tb, eb)
        ms = os.path.join(work, tag + ".sk.pkl")
        ts = sk.train(data, tr, ms)
        es = sk.eval(data, ev, ms)
        res["sk"] = (ts, es)
        results["full"][name] = res
        trows = []
        t, e = res["core"]
        trows.append(["pg_intent 0.2.0 (defaults)", f2(t["train_seconds"]), f4(e["accuracy"]), f4(e["macro_f1"]),
                      f4(e["ece"]), f4(e["brier"]),
                      "%s (%s, %d folds, C=%g)" % (f4(t["oof_accuracy"]), t["evaluation"], t["folds"], t["C"])])
        if base:
            tb, eb = res["base"]
            trows.append(["pg_intent before (Platt, 10 % val)", f2(tb["train_seconds"]), f4(eb["accuracy"]),
                          f4(eb["macro_f1"]), f4(eb["ece"]), "–", "–"])
        trows.append(["scikit-learn seed pipeline", f2(ts["train_seconds"]), f4(es["accuracy"]), f4(es["macro_f1"]),
                      f4(es["ece"]), f4(es["brier"]), "–"])
        md += ["### %s (`%s`: train on `%s`, score on `%s`)" % (name, fname, tr, ev), "",
               duplicate_note(rows, tr, ev) + ".", "",
               table(["peer", "train s", "accuracy", "macro-F1", "ECE", "Brier (top)", "OOF acc."], trows), ""]
        ratio_rows.append([name, "%.1f×" % (ts["train_seconds"] / t["train_seconds"]),
                           pts(e["accuracy"], es["accuracy"]),
                           pts(e["accuracy"], res["base"][1]["accuracy"]) if base else "–",
                           f4(e["ece"])])
    md += ["### Summary", "",
           table(["dataset", "train speedup vs sklearn", "accuracy Δ vs sklearn (points)",
                  "accuracy Δ vs before (points)", "ECE"], ratio_rows), ""]
    return md


def sample_per_intent(rows, split, n, seed=42):
    by = {}
    for r in rows:
        if r["split"] == split:
            by.setdefault(r["intent"], []).append(r)
    out = []
    for intent in sorted(by):
        members = by[intent][:]
        random.Random("%d/%s" % (seed, intent)).shuffle(members)
        out += members[:n]  # nested: the first n of one fixed order per intent
    return out


def section_fewshot(a, core, base, sk, work, results):
    md = ["## Few-shot: n rows per intent from the train split, scored on the whole held-out split", "",
          "Samples are nested (the 3-shot sample contains the 2-shot one) and fixed: per intent, one seeded "
          "shuffle of its train rows. `all rows, C=1` is the same learner trained on every sampled row with "
          "C fixed (no out-of-fold C selection); the 0.2.0 default also trains its final model on every row. "
          "`before, SQL defaults` is the pre-0.2.0 pipeline with its 70/15/15 split; `before, all rows` the "
          "same learner with nothing held out. The seed pipeline's CalibratedClassifierCV needs 5 rows per "
          "class, so it cannot train below 5 shots.", ""]
    for name, fname, ev in FEWSHOT:
        data = os.path.join(a.data_dir, fname)
        rows = read_rows(data)
        evrows = [r for r in rows if r["split"] == ev]
        trows = []
        for n in SHOTS:
            log("fewshot: %s %d" % (name, n))
            sample = sample_per_intent(rows, "train", n)
            path = os.path.join(work, "fewshot_%s_%d.csv" % (name.replace(" ", ""), n))
            write_rows(path, [dict(r, split="train") for r in sample] + evrows)
            m = path + ".core.bin"
            t = core.train(path, "train", m)
            e = core.eval(path, ev, m)
            t1 = core.train(path, "train", m + ".c1", options='{"select_C":false}')
            e1 = core.eval(path, ev, m + ".c1")
            row = [str(n), str(len(sample)), f4(e["accuracy"]), "%s (C=%g)" % (f4(t["oof_accuracy"]), t["C"]),
                   f3(e["coverage"]), f4(e1["accuracy"])]
            res = {"core": (t, e), "core_c1": (t1, e1)}
            if base:
                tb = base.train(path, "train", m + ".base")
                eb = base.eval(path, ev, m + ".base")
                tb2 = base.train(path, "train", m + ".base2", options=BASELINE_ALL_ROWS_OPTIONS)
                eb2 = base.eval(path, ev, m + ".base2")
                row += [f4(eb["accuracy"]), f4(eb2["accuracy"])]
                res["base"] = (tb, eb)
                res["base_all"] = (tb2, eb2)
            if n >= 5:
                ts = sk.train(path, "train", m + ".sk")
                es = sk.eval(path, ev, m + ".sk")
                row.append(f4(es["accuracy"]))
                res["sk"] = (ts, es)
            else:
                row.append("cannot train")
            results["fewshot"]["%s/%d" % (name, n)] = res
            trows.append(row)
        header = ["per intent", "rows", "0.2.0 accuracy", "0.2.0 OOF acc.", "0.2.0 coverage", "all rows, C=1"]
        if base:
            header += ["before, SQL defaults", "before, all rows"]
        header.append("sklearn seed")
        md += ["### %s (scored on `%s`, %d rows)" % (name, ev, len(evrows)), "", table(header, trows), ""]
    return md


def oos_curve(core, model, val, oos):
    pv = core.confidences([r["text"] for r in val], model)
    po = core.confidences([r["text"] for r in oos], model)
    out = []
    for t in [0.3, 0.4, 0.5, 0.6, 0.7]:
        ins = sum(1 for (l, c, _), r in zip(pv, val) if l == r["intent"] and c >= t) / len(val)
        rec = sum(1 for (_, c, _) in po if c < t) / len(oos)
        out.append((t, ins, rec))
    return out


def section_oos(a, core, sk, work, results):
    data = os.path.join(a.data_dir, "clinc150_dev.csv")
    rows = read_rows(data)
    val = [r for r in rows if r["split"] == "val"]
    oos = [r for r in rows if r["split"] == "oos_val"]
    md = ["## Out of scope: CLINC150 val (3,000 in-scope) + oos_val (100 out-of-scope)", "",
          "In-scope accuracy counts abstentions as wrong (Larson et al. 2019); OOS recall = oos_val rows marked "
          "uncertain. `with oos_train`: the 100 oos_train rows are added to train with the reserved "
          "out-of-scope label (`--oos-label oos`), as negatives or as an internal class (the default). The seed "
          "pipeline's threshold is the core's old rule (lowest confidence reaching 0.9 precision) on a 15 % "
          "holdout of train.", ""]
    trows = []
    log("oos: default")
    m = os.path.join(work, "oos_default.bin")
    t = core.train(data, "train", m)
    e = core.eval(data, "val", m, oos_split="oos_val")
    trows.append(["0.2.0 defaults, no oos_train", f3(t["threshold"]), f4(e["in_scope_accuracy_with_threshold"]),
                  f3(e["oos"]["recall"]), f4(e["accuracy"])])
    results["oos"]["default"] = (t, e)
    curve = oos_curve(core, m, val, oos)
    for mode in ["negatives", "class"]:
        log("oos: oos_train as %s" % mode)
        mm = os.path.join(work, "oos_%s.bin" % mode)
        tt = core.train(data, "train,oos_train", mm, options='{"out_of_scope_mode":"%s"}' % mode,
                        extra=["--oos-label", "oos"])
        ee = core.eval(data, "val", mm, oos_split="oos_val")
        trows.append(["0.2.0 defaults + oos_train as %s" % mode, f3(tt["threshold"]),
                      f4(ee["in_scope_accuracy_with_threshold"]), f3(ee["oos"]["recall"]), f4(ee["accuracy"])])
        results["oos"][mode] = (tt, ee)
    log("oos: sklearn")
    ms = os.path.join(work, "CLINC150.sk.pkl")
    if not os.path.exists(ms):
        sk.train(data, "train", ms)
    th = sk.threshold(data, "train")["threshold"]
    es = sk.eval(data, "val", ms, oos_split="oos_val", threshold=th)
    trows.append(["scikit-learn seed pipeline", f3(th), f4(es["in_scope_accuracy_with_threshold"]),
                  f3(es["oos"]["recall"]), f4(es["accuracy"])])
    results["oos"]["sk"] = es
    md += [table(["peer", "threshold", "in-scope acc. with threshold", "OOS recall", "accuracy (no threshold)"],
                 trows), "",
           "The default model's trade-off if the threshold were moved (val + oos_val; shown, not used to choose "
           "anything):", "",
           table(["threshold", "in-scope acc. with threshold", "OOS recall"],
                 [[f2(t_), f4(i), f3(r)] for t_, i, r in curve]), ""]
    return md


def section_typos(a, core, sk, work, results):
    md = ["## Typo robustness: clean against perturbed held-out sets", "",
          "Each scored text gets 1-2 words of at least 3 letters misspelt (a letter dropped, swapped with its "
          "neighbour or replaced by a random letter), seeded by the text, by the benchmark's own generator (not "
          "the core's). `typo_variants=1`: the core trained with one synthetic typo variant per row; `0`: "
          "without.", ""]
    trows = []
    for name, fname, tr, ev in FULL:
        log("typos: %s" % name)
        data = os.path.join(a.data_dir, fname)
        rows = read_rows(data)
        tag = name.replace(" ", "_").replace(".", "")
        path = os.path.join(work, "typos_%s.csv" % tag)
        evrows = [r for r in rows if r["split"] == ev]
        write_rows(path, [r for r in rows if r["split"] == tr] + evrows +
                   [dict(r, split="perturbed", text=perturb(r["text"])) for r in evrows])
        row = [name]
        accs = {}
        for variants in [0, 1]:
            m = os.path.join(work, "typos_%s_%d.bin" % (tag, variants))
            t = core.train(path, tr, m, options='{"typo_variants":%d}' % variants)
            clean = core.eval(path, ev, m)["accuracy"]
            pert = core.eval(path, "perturbed", m)["accuracy"]
            accs[variants] = (clean, pert, t["train_seconds"])
            row += [f4(clean), f4(pert)]
        ms = os.path.join(work, tag + ".sk.pkl")
        if not os.path.exists(ms):
            sk.train(path, tr, ms)
        sclean = sk.eval(path, ev, ms)["accuracy"]
        spert = sk.eval(path, "perturbed", ms)["accuracy"]
        row += [f4(sclean), f4(spert), "%.2f / %.2f" % (accs[0][2], accs[1][2])]
        results["typos"][name] = {"core0": accs[0], "core1": accs[1], "sk": (sclean, spert)}
        trows.append(row)
    md += [table(["dataset", "0.2.0 typo_variants=0 clean", "perturbed", "typo_variants=1 clean", "perturbed",
                  "sklearn clean", "perturbed", "train s (0 / 1)"], trows), ""]
    return md


def section_gate(a, core, work, results):
    md = ["## Deploy-gate evidence: the active model trained on half of train, the other half added", "",
          "Per dataset, the active model is trained on a stratified half of train (`old`); the candidate run "
          "gets all of train with the other half marked fresh (`--active`, `--fresh-split new`). The gate "
          "scores the candidate by fresh folds and the active model on the same fresh rows only. The "
          "scored-split columns show what deploying would really do. `worse options` repeats it with a "
          "crippled candidate pipeline (word unigrams only, 300 features): the gate should then prefer the "
          "active model. (Shuffling the added labels would not test the gate: it measures agreement with the "
          "fresh rows' labels, so it can only be as right as they are.)", ""]
    trows = []
    for name, fname, tr, ev in FULL:
        if name in ("CLINC150", "SNIPS"):
            continue  # the largest two add nothing the others do not show
        log("gate: %s" % name)
        data = os.path.join(a.data_dir, fname)
        rows = read_rows(data)
        by = {}
        for r in rows:
            if r["split"] == tr:
                by.setdefault(r["intent"], []).append(r)
        old, new = [], []
        for intent in sorted(by):
            members = by[intent][:]
            random.Random("gate/%s" % intent).shuffle(members)
            half = len(members) // 2
            old += members[:half]
            new += members[half:]
        evrows = [r for r in rows if r["split"] == ev]
        tag = name.replace(" ", "_").replace(".", "")
        path = os.path.join(work, "gate_%s.csv" % tag)
        write_rows(path, [dict(r, split="old") for r in old] + [dict(r, split="new") for r in new] +
                   [dict(r, split="scored") for r in evrows])
        ma = path + ".active.bin"
        core.train(path, "old", ma)
        for kind, options in (("defaults", None),
                              ("worse options", '{"char_ngrams":false,"word_ngram_max":1,"max_features":300}')):
            mc = path + ".candidate.bin"
            t = core.train(path, "old,new", mc, options=options, extra=["--active", ma, "--fresh-split", "new"])
            ea = core.eval(path, "scored", ma)["accuracy"]
            ec = core.eval(path, "scored", mc)["accuracy"]
            g = t["gate"]
            trows.append([name, kind, str(g["rows"]), "yes" if g["sufficient"] else "no",
                          f4(g["candidate_accuracy"]), f4(g["active_accuracy"]), f4(ec), f4(ea)])
            results["gate"]["%s/%s" % (name, kind)] = {"gate": g, "candidate_scored": ec, "active_scored": ea}
    md += [table(["dataset", "candidate", "fresh rows", "sufficient", "gate: candidate acc.", "gate: active acc.",
                  "scored split: candidate", "scored split: active"], trows), ""]
    return md


def section_timing(a, core, sk, work, results):
    data = os.path.join(a.data_dir, "clinc150_dev.csv")
    md = ["## Training time: CLINC150 train (15,000 rows, 150 intents)", "",
          "The core (defaults: 2-fold cross-validation, refit on every row) and the seed pipeline, alternated "
          "three times in this run; the ratio of each pair and their median. The core's phases come from its "
          "report. The load average is read before each pair.", ""]
    trows, ratios = [], []
    for i in range(3):
        log("timing: pair %d" % (i + 1))
        load = os.getloadavg()[0]
        ts = sk.train(data, "train", os.path.join(work, "timing.sk.pkl"))
        t = core.train(data, "train", os.path.join(work, "timing.core.bin"))
        r = ts["train_seconds"] / t["train_seconds"]
        ratios.append(r)
        tm = t["timings"]
        trows.append([str(i + 1), "%.2f" % load, f2(ts["train_seconds"]), f2(t["train_seconds"]),
                      "%.2f / %.2f / %.2f / %.2f" % (tm["features"], tm["evaluate"], tm["calibrate"], tm["refit"]),
                      "%.1f×" % r])
    ratios.sort()
    results["timing"] = ratios
    md += [table(["pair", "load (1 min)", "sklearn s", "core s", "core features / evaluate / calibrate / refit",
                  "speedup"], trows), "", "Median speedup: %.1f×." % ratios[1], ""]
    return md


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--root", required=True)
    ap.add_argument("--data-dir", required=True)
    ap.add_argument("--cli", required=True)
    ap.add_argument("--baseline-cli")
    ap.add_argument("--baseline-commit", default="")
    ap.add_argument("--sections", default="full,fewshot,oos,typos,gate,timing")
    ap.add_argument("--out", required=True)
    ap.add_argument("--workdir", required=True)
    ap.add_argument("--command", default="bench/quality/run")
    a = ap.parse_args()
    os.makedirs(a.workdir, exist_ok=True)
    core = Core(a.cli, "core")
    base = Core(a.baseline_cli, "baseline") if a.baseline_cli else None
    sk = Sklearn()
    commit = subprocess.run(["git", "-C", a.root, "rev-parse", "--short", "HEAD"], capture_output=True,
                            text=True).stdout.strip()
    dirty = subprocess.run(["git", "-C", a.root, "status", "--porcelain", "--untracked-files=no"],
                           capture_output=True, text=True).stdout.strip()
    import sklearn
    cpu = ""
    try:
        with open("/proc/cpuinfo") as f:
            cpu = next(l.split(":", 1)[1].strip() for l in f if l.startswith("model name"))
    except Exception:
        pass
    started = datetime.datetime.now()
    md = ["# pg_intent quality benchmark — %s" % started.strftime("%Y-%m-%d %H:%M"), "",
          "- machine: `%s`, %d CPUs (nproc), %s, Linux %s" % (platform.node(), os.cpu_count(), cpu,
                                                                 platform.release()),
          "- load average at start: %s (shared machine: timings are noisy; compare ratios within this run)"
          % " ".join("%.2f" % x for x in os.getloadavg()),
          "- repository commit: `%s`%s; data: `%s`" % (commit, " (with uncommitted changes)" if dirty else "",
                                                         a.data_dir),
          "- scikit-learn %s; Python %s" % (sklearn.__version__, platform.python_version()),
          "- command: `%s`" % a.command]
    if base:
        md.append("- `before`: the core CLI at commit `%s` (the pre-0.2.0 pipeline), built by the same command"
                  % a.baseline_commit)
    md.append("")
    results = {"full": {}, "fewshot": {}, "oos": {}, "typos": {}, "gate": {}, "timing": []}
    sections = a.sections.split(",")
    if "full" in sections:
        md += section_full(a, core, base, sk, a.workdir, results)
    if "fewshot" in sections:
        md += section_fewshot(a, core, base, sk, a.workdir, results)
    if "oos" in sections:
        md += section_oos(a, core, sk, a.workdir, results)
    if "typos" in sections:
        md += section_typos(a, core, sk, a.workdir, results)
    if "gate" in sections:
        md += section_gate(a, core, a.workdir, results)
    if "timing" in sections:
        md += section_timing(a, core, sk, a.workdir, results)
    md.append("Finished %s; load average at the end: %s." % (
        datetime.datetime.now().strftime("%Y-%m-%d %H:%M"), " ".join("%.2f" % x for x in os.getloadavg())))
    text = "\n".join(md) + "\n"
    with open(a.out, "w", encoding="utf-8") as f:
        f.write(text)
    with open(os.path.join(a.workdir, "results.json"), "w") as f:
        json.dump(results, f, indent=1, default=str)
    sys.stdout.write(text)


if __name__ == "__main__":
    main()
