#!/usr/bin/python3
"""Benchmark driver: the pg_intent core CLI against the seed's scikit-learn pipeline and fastText.

Every training and evaluation runs as its own child process; wall time and peak RSS come
from os.wait4() on that child, the same way for every peer. Started by bench/run.
"""
import argparse
import csv
import datetime
import json
import os
import platform
import shutil
import socket
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
PY = "/usr/bin/python3"  # the interpreter with python3-sklearn and python3-fasttext
SKLEARN = os.path.join(HERE, "peers", "sklearn_pipeline.py")
FASTTEXT = os.path.join(HERE, "peers", "fasttext_peer.py")

# name, file, train split, scored split, out-of-scope split
DATASETS = [
    ("CLINC150", "clinc150_dev.csv", "train", "val", "oos_val"),
    ("HWU64", "hwu64.csv", "train", "test", None),
    ("SNIPS", "snips.csv", "train", "test", None),
    ("MTOD es", "mtod_es.csv", "train", "test", None),
]

FT_DEFAULT = ["-wordNgrams", "2"]
FT_EPOCH25 = ["-wordNgrams", "2", "-epoch", "25"]
# The external split is the test set, so the core keeps no test split of its
# own; it holds out 10% of train (instead of its default 15%) to fit the
# calibration and the abstain threshold. Everything else is the defaults.
CORE_OPTIONS = '{"test_fraction":0,"val_fraction":0.1}'


# Runs one child; returns (parsed last JSON line or None, wall seconds, peak RSS bytes, rc, stderr tail).
def run_child(cmd, log_path):
    with open(log_path + ".out", "w") as out, open(log_path + ".err", "w") as err:
        t0 = time.perf_counter()
        p = subprocess.Popen(cmd, stdout=out, stderr=err)
        _, status, ru = os.wait4(p.pid, 0)
        wall = time.perf_counter() - t0
        p.returncode = os.waitstatus_to_exitcode(status)
    rc = p.returncode
    result = None
    with open(log_path + ".out") as f:
        for line in f.read().splitlines()[::-1]:
            line = line.strip()
            if line.startswith("{"):
                try:
                    result = json.loads(line)
                except ValueError:
                    pass
                break
    with open(log_path + ".err", errors="replace") as f:
        tail = f.read()[-600:]
    if rc != 0:
        sys.stderr.write(f"bench: command failed (exit {rc}): {' '.join(cmd)}\n{tail}\n")
    return result, wall, ru.ru_maxrss * 1024, rc, tail


# Counts scored rows (and distinct texts) whose lower-cased, space-collapsed text also appears in train.
def count_overlap(path, train_split, test_split):
    train, test = set(), []
    with open(path, newline="", encoding="utf-8") as f:
        for row in csv.DictReader(f):
            key = " ".join(row["text"].lower().split())
            if row["split"] == train_split:
                train.add(key)
            elif row["split"] == test_split:
                test.append(key)
    hits = [t for t in test if t in train]
    return len(hits), len(set(hits)), len(test)


# Benchmarks one peer on one dataset: threshold (CLINC only), train, eval.
def bench_peer(peer, ds, path, work, cli):
    name, _, tr, te, oos = ds
    tag = f"{name.replace(' ', '_')}-{peer}"
    log = lambda step: os.path.join(work, f"{tag}-{step}")
    r = {"peer": peer}
    threshold = None
    if peer == "sklearn":
        model = os.path.join(work, tag + ".pkl")
        if oos:
            res, *_ = run_child([PY, SKLEARN, "threshold", "--data", path, "--split", tr], log("threshold"))
            threshold = res and res["threshold"]
        res, wall, rss, rc, _ = run_child([PY, SKLEARN, "train", "--data", path, "--split", tr, "--model", model],
                                          log("train"))
        if rc != 0 or not res:
            return dict(r, error="train failed")
        r.update(train_seconds=res["train_seconds"], train_wall=wall, train_rss=rss, model_bytes=res["model_bytes"])
        ev = [PY, SKLEARN, "eval", "--data", path, "--split", te, "--model", model]
    elif peer.startswith("fasttext"):
        extra = FT_EPOCH25 if peer == "fasttext-e25" else FT_DEFAULT
        model = os.path.join(work, tag)
        txt = os.path.join(work, f"{name.replace(' ', '_')}-fasttext-train.txt")
        run_child([PY, FASTTEXT, "prepare", "--data", path, "--split", tr, "--out", txt], log("prepare"))
        if oos:
            res, *_ = run_child([PY, FASTTEXT, "threshold", "--data", path, "--split", tr, "--workdir", work, "--"]
                                + extra, log("threshold"))
            threshold = res and res["threshold"]
            for ext in (".bin", ".vec"):
                p = os.path.join(work, "threshold_model" + ext)
                if os.path.exists(p):
                    os.remove(p)
        cmd = ["fasttext", "supervised", "-input", txt, "-output", model] + extra
        _, wall, rss, rc, _ = run_child(cmd, log("train"))
        if rc != 0:
            return dict(r, error="train failed")
        # the binary prints no timing: its process wall (read text, train, save .bin and .vec) is the figure
        r.update(train_seconds=wall, train_wall=wall, train_rss=rss, model_bytes=os.path.getsize(model + ".bin"))
        model += ".bin"
        ev = [PY, FASTTEXT, "eval", "--data", path, "--split", te, "--model", model]
    else:  # core
        model = os.path.join(work, tag + ".bin")
        report = os.path.join(work, tag + "-report.json")
        cmd = [cli, "train", "--data", path, "--split", tr, "--model", model, "--options", CORE_OPTIONS,
               "--report", report]
        res, wall, rss, rc, _ = run_child(cmd, log("train"))
        if rc != 0 or not res:
            return dict(r, error="train failed")
        r.update(train_seconds=res.get("train_seconds"), train_wall=wall, train_rss=rss,
                 model_bytes=res.get("model_bytes") or os.path.getsize(model))
        try:  # the threshold the core stored, for the table
            with open(report) as f:
                thr = json.load(f).get("threshold")
            r["core_threshold"] = thr.get("value") if isinstance(thr, dict) else thr
        except (OSError, ValueError, AttributeError):
            pass
        ev = [cli, "eval", "--data", path, "--split", te, "--model", model]
    if oos:
        ev += ["--oos-split", oos]
    if threshold is not None:
        ev += ["--threshold", repr(threshold)]
    res, _, _, rc, _ = run_child(ev, log("eval"))
    if peer.startswith("fasttext"):
        for ext in (".bin", ".vec"):  # default fastText models are ~800 MB each
            p = model[:-4] + ext
            if os.path.exists(p):
                os.remove(p)
    if rc != 0 or not res:
        return dict(r, error="eval failed")
    r.update(res)
    return r


def fmt(v, kind):
    if v is None:
        return "–"
    if kind == "s":
        return f"{v:.2f}" if v < 100 else f"{v:.0f}"
    if kind == "us":
        return f"{v:.1f}" if v < 100 else f"{v:,.0f}"
    if kind == "int":
        return f"{v:,.0f}"
    if kind == "mb":
        return f"{v / 1e6:,.1f}" if v >= 1e6 else f"{v / 1e6:.3f}"
    if kind == "p":
        return f"{v:.4f}"
    if kind == "x":
        return f"{v:,.1f}×" if v < 1000 else f"{v:,.0f}×"
    if kind == "pts":
        return f"{v:+.1f}"
    return str(v)


PEER_NAMES = {
    "core": "pg_intent core",
    "sklearn": "scikit-learn seed pipeline",
    "fasttext": "fastText -wordNgrams 2 (defaults)",
    "fasttext-e25": "fastText -wordNgrams 2 -epoch 25",
}


# Renders one dataset's figures and its core/peer ratios as markdown.
def render_dataset(ds, rows, overlap):
    name, fname, tr, te, oos = ds
    out = [f"### {name} (`{fname}`: train on `{tr}`, score on `{te}`"
           + (f", out-of-scope = `{oos}`)" if oos else ")"), ""]
    out.append(f"Scored rows whose lower-cased text also appears in train: {overlap[0]} of {overlap[2]} "
               f"({overlap[1]} distinct texts).")
    out.append("")
    head = ["peer", "train s", "train process wall s", "train peak RSS MB", "model MB", "load ms",
            "single predict µs (median)", "µs p99", "batch rows/s", "accuracy", "macro-F1"]
    if oos:
        head += ["threshold", "coverage", "in-scope acc. with threshold", "OOS recall"]
    out.append("| " + " | ".join(head) + " |")
    out.append("|" + "---|" * len(head))
    for r in rows:
        if "error" in r:
            out.append(f"| {PEER_NAMES[r['peer']]} | {r['error']} |" + " |" * (len(head) - 2))
            continue
        cells = [PEER_NAMES[r["peer"]], fmt(r.get("train_seconds"), "s"), fmt(r.get("train_wall"), "s"),
                 fmt(r.get("train_rss"), "mb"), fmt(r.get("model_bytes"), "mb"), fmt(r.get("load_ms"), "s"),
                 fmt(r.get("single_predict_us_median"), "us"), fmt(r.get("single_predict_us_p99"), "us"),
                 fmt(r.get("batch_rows_per_s"), "int"), fmt(r.get("accuracy"), "p"), fmt(r.get("macro_f1"), "p")]
        if oos:
            thr = r.get("threshold", r.get("core_threshold"))
            cells += [fmt(thr, "p") if thr is not None else "(in model)", fmt(r.get("coverage"), "p"),
                      fmt(r.get("in_scope_accuracy_with_threshold"), "p"), fmt((r.get("oos") or {}).get("recall"), "p")]
        out.append("| " + " | ".join(cells) + " |")
    out.append("")
    core = next((r for r in rows if r["peer"] == "core" and "error" not in r), None)
    if core:
        out.append("Ratios, core against each peer (speedup = peer time / core time; Δ = core − peer, in points):")
        out.append("")
        hd = ["peer", "train speedup", "single predict speedup", "batch speedup", "accuracy Δ", "macro-F1 Δ"]
        if oos:
            hd += ["in-scope acc. with threshold Δ", "OOS recall Δ"]
        out.append("| " + " | ".join(hd) + " |")
        out.append("|" + "---|" * len(hd))
        for r in rows:
            if r["peer"] == "core" or "error" in r:
                continue

            def ratio(a, b):
                return a / b if a and b else None

            def delta(key):
                a, b = core.get(key), r.get(key)
                return (a - b) * 100 if a is not None and b is not None else None

            cells = [PEER_NAMES[r["peer"]],
                     fmt(ratio(r.get("train_seconds"), core.get("train_seconds")), "x"),
                     fmt(ratio(r.get("single_predict_us_median"), core.get("single_predict_us_median")), "x"),
                     fmt(ratio(core.get("batch_rows_per_s"), r.get("batch_rows_per_s")), "x"),
                     fmt(delta("accuracy"), "pts"), fmt(delta("macro_f1"), "pts")]
            if oos:
                co, po = (core.get("oos") or {}).get("recall"), (r.get("oos") or {}).get("recall")
                cells += [fmt(delta("in_scope_accuracy_with_threshold"), "pts"),
                          fmt((co - po) * 100 if co is not None and po is not None else None, "pts")]
            out.append("| " + " | ".join(cells) + " |")
        out.append("")
        sk = next((r for r in rows if r["peer"] == "sklearn" and "error" not in r), None)
        if sk:
            checks = []
            for label, a, b, goal in (
                    ("train ≥ 10×", sk.get("train_seconds"), core.get("train_seconds"), 10),
                    ("single predict ≥ 100×", sk.get("single_predict_us_median"),
                     core.get("single_predict_us_median"), 100)):
                if a and b:
                    checks.append(f"{label}: {'met' if a / b >= goal else 'NOT met'} ({a / b:,.1f}×)")
            if core.get("accuracy") is not None and sk.get("accuracy") is not None:
                d = (core["accuracy"] - sk["accuracy"]) * 100
                checks.append(f"accuracy ≥ +1 point: {'met' if d >= 1 else 'NOT met'} ({d:+.1f})")
            out.append("Issue targets against scikit-learn: " + "; ".join(checks) + ".")
            out.append("")
    return out


# Tools' versions for the header.
def versions():
    v = {}
    try:
        v["scikit-learn"] = subprocess.run([PY, "-c", "import sklearn;print(sklearn.__version__)"],
                                           capture_output=True, text=True).stdout.strip()
    except OSError:
        pass
    try:
        out = subprocess.run(["dpkg-query", "-W", "-f", "${Version}", "fasttext"], capture_output=True, text=True)
        v["fasttext (Debian)"] = out.stdout.strip()
    except OSError:
        pass
    return v


def machine_header(root, data_dir, argv):
    cpu = "unknown"
    with open("/proc/cpuinfo") as f:
        for line in f:
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    commit = subprocess.run(["git", "-C", root, "rev-parse", "--short", "HEAD"], capture_output=True,
                            text=True).stdout.strip()
    with open("/proc/loadavg") as f:
        load = " ".join(f.read().split()[:3])
    lines = [f"# pg_intent benchmark — {datetime.datetime.now().strftime('%Y-%m-%d %H:%M')}", "",
             f"- machine: `{socket.gethostname()}`, {os.cpu_count()} CPUs (nproc), {cpu}, "
             f"{platform.system()} {platform.release()}",
             f"- load average at start: {load} (shared machine: timings are noisy)",
             f"- repository commit: `{commit}`; data: `{data_dir}`",
             "- versions: " + ", ".join(f"{k} {v}" for k, v in versions().items()),
             f"- command: `bench/run{(' ' + ' '.join(argv)) if argv else ''}`", ""]
    return lines


def main():
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--root", required=True)
    ap.add_argument("--data-dir", required=True)
    ap.add_argument("--cli")
    ap.add_argument("--quick", action="store_true", help="CLINC150 only")
    ap.add_argument("--peers", default="core,sklearn,fasttext,fasttext-e25")
    ap.add_argument("--out", help="markdown file to write (default bench/results/latest.md)")
    a, rest = ap.parse_known_args()
    if rest:
        ap.error("unknown arguments: " + " ".join(rest))
    peers = a.peers.split(",")
    if "core" in peers and not (a.cli and os.access(a.cli, os.X_OK)):
        sys.stderr.write("bench: the pg-intent CLI is not built; benchmarking the peers only\n")
        peers.remove("core")
    work = os.path.join(a.root, "build-bench", "work")
    os.makedirs(work, exist_ok=True)
    argv = [x for x in sys.argv[1:] if x in ("--quick",) or x.startswith("--peers")]
    md = machine_header(a.root, a.data_dir, argv)
    raw = {}
    datasets = DATASETS[:1] if a.quick else DATASETS
    for ds in datasets:
        path = os.path.join(a.data_dir, ds[1])
        if not os.path.exists(path):
            sys.stderr.write(f"bench: {path} is missing, skipping {ds[0]}\n")
            continue
        rows = []
        for peer in peers:
            sys.stderr.write(f"bench: {ds[0]}: {peer}...\n")
            rows.append(bench_peer(peer, ds, path, work, a.cli))
        raw[ds[0]] = rows
        block = render_dataset(ds, rows, count_overlap(path, ds[2], ds[3]))
        sys.stdout.write("\n".join(block) + "\n")
        sys.stdout.flush()
        md += block
    with open("/proc/loadavg") as f:
        md += [f"Load average at the end: {' '.join(f.read().split()[:3])}.", ""]
    md += ["Notes: single-message latency for the peers is the median over up to 1000 evenly spaced scored rows,",
           "each predicted alone in-process (the core's CLI times every row). Peers' thresholds are chosen by the",
           "core's rule (lowest confidence reaching 0.9 precision) on a stratified 15% holdout of train with a",
           "separate fit. See bench/README.md for what each column means.", ""]
    out = a.out or os.path.join(HERE, "results", "latest.md")
    os.makedirs(os.path.dirname(out), exist_ok=True)
    with open(out, "w") as f:
        f.write("\n".join(md))
    with open(os.path.join(work, "raw.json"), "w") as f:
        json.dump(raw, f, indent=1)
    sys.stderr.write(f"bench: wrote {out}\n")


if __name__ == "__main__":
    main()
