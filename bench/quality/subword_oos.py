#!/usr/bin/python3
"""A novelty guard from subword sentence vectors learned on the set's own train texts (issue 34,
point 1; a study: nothing here is served). bench/results/2026-11-30-vm-subword-oos.md.

    bench/quality/subword_oos.py --tool /tmp/subword_oos --cli main=./pg-intent \
        --cli 'off=./pg-intent:{"evidence_quantile":0,"unknown_word_quantile":0}' \
        --cli 'sv=./pg-intent:{"subword_vectors":{"dim":32,"epochs":10}}' --unlabelled sv [--sets F,...]

For each public set of novelty.py, `--tool` (bench/quality/subword_oos.cpp, built against the
core's objects) trains subword skipgram vectors (dim --dim, --epochs; the core's SubwordVectors)
on the texts of the train split without their labels, and gives each text novelty scores
(1 - the largest cosine with a label's centroid; with the nearest train text; the mean of the 10
nearest; --scores vote10: 1 - the share of the 10 nearest train texts whose label is the answer's): the train rows leave one out, then the scored split, CLINC150's oos_val and the probes.
The guard's limit is fixed on the train split alone: the (1 - q) quantile of the train rows'
leave-one-out scores, q = --quantile (0.01: the default evidence_quantile). An answer whose score
is above the limit is uncertain, beside the model's own rules.

Each CLI (label=path[:options]) trains on the train split (with --unlabelled: the train split's
texts as --unlabelled-data) and answers the scored texts with `pg-intent predict`; every build is
scored without and with each guard: served accuracy, coverage, in-scope accuracy with abstentions
counted wrong, OOS recall (CLINC150), probes caught. --oracle adds, per CLI and score, the best
in-scope accuracy any limit reaches with OOS recall >= 0.70, read off the scored split itself: an
upper bound to judge the representation, never a candidate.
"""
import argparse
import csv
import json
import math
import os
import subprocess
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from cli_run import datasets_dir, log, run  # noqa: E402
from novelty import DATASETS, EMPTY, GIBBERISH, IN_DOMAIN, OFF_DOMAIN  # noqa: E402

ALL_SCORES = ["centroid", "nn1", "knn10", "vote10"]


def vote(near, served):
    """1 - the share of the 10 nearest train rows whose label is the served one (1 without a vector)."""
    return 1.0 if near == ["-"] or served is None else 1 - sum(x == served for x in near) / len(near)


def clean(t):
    return " ".join(t.replace("\t", " ").replace("\r", " ").split("\n"))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--tool", required=True)
    ap.add_argument("--cli", action="append", default=[])
    ap.add_argument("--unlabelled", action="append", default=[])
    ap.add_argument("--sets", default=None)
    ap.add_argument("--dim", type=int, default=32)
    ap.add_argument("--epochs", type=int, default=10)
    ap.add_argument("--quantile", type=float, default=0.01)
    ap.add_argument("--oracle", action="store_true")
    ap.add_argument("--scores", default="centroid,nn1,knn10", help=f"of {','.join(ALL_SCORES)}")
    ap.add_argument("--payback", action="append", default=[], metavar="LABEL")
    ap.add_argument("--data-dir", default=None)
    ap.add_argument("--workdir", required=True)
    args = ap.parse_args()
    global SCORES
    SCORES = args.scores.split(",")
    os.makedirs(args.workdir, exist_ok=True)
    data_dir = datasets_dir(args.data_dir)
    peers = []
    for spec in args.cli:
        label, _, rest = spec.partition("=")
        path, _, options = rest.partition(":")
        peers.append((label, path, options or None))
    sets = [d for d in DATASETS if not args.sets or d[1] in args.sets.split(",")]
    probes = EMPTY + GIBBERISH + OFF_DOMAIN
    print("| set | build | guard (limit) | accuracy | coverage | in-scope acc. (abstain = wrong) | OOS recall | "
          "empty | gibberish | off-domain | Δ coverage (pts) |")
    print("|---|---|---|---|---|---|---|---|---|---|---|")
    oracle_lines = []
    for name, fname, train, scored, oos, _ in sets:
        data = os.path.join(data_dir, fname)
        rows = {}
        with open(data, newline="", encoding="utf-8") as f:
            for r in csv.DictReader(f):
                rows.setdefault(r["split"], []).append((clean(r["text"]), r["intent"]))
        stem = os.path.join(args.workdir, fname)
        with open(stem + ".train.tsv", "w", encoding="utf-8") as f:
            for t, lab in rows[train]:
                f.write(f"{lab}\t{t}\n")
        query = [t for t, _ in rows[scored]] + ([t for t, _ in rows[oos]] if oos else []) + [clean(p) for p in probes]
        with open(stem + ".query.txt", "w", encoding="utf-8") as f:
            f.write("\n".join(query) + "\n")
        log(f"{name}: subword vectors dim {args.dim}, {args.epochs} epochs on {len(rows[train])} train texts")
        out = subprocess.run([args.tool, stem + ".train.tsv", stem + ".query.txt", str(args.dim), str(args.epochs)],
                             capture_output=True, text=True, check=True).stdout.splitlines()
        sc = [[float(x) for x in line.split("\t")[:3]] for line in out]
        near = [line.split("\t")[3].split(",") for line in out]
        ntr = len(rows[train])
        assert len(sc) == ntr + len(query), (len(sc), ntr, len(query))
        train_sc, q_sc = sc[:ntr], sc[ntr:]
        train_near, q_near = near[:ntr], near[ntr:]
        ns, no = len(rows[scored]), len(rows[oos]) if oos else 0
        gold = [lab for _, lab in rows[scored]]
        covered = IN_DOMAIN.get(fname, {})
        first = len(EMPTY) + len(GIBBERISH)
        off = [i for i in range(first, len(probes)) if probes[i] not in covered]
        for label, path, options in peers:
            model = os.path.join(args.workdir, f"{fname}.{label}.bin")
            cmd = [path, "train", "--data", data, "--split", train, "--model", model]
            if options:
                cmd += ["--options", options]
            if label in args.unlabelled:
                cmd += ["--unlabelled-data", data, "--unlabelled-split", train]
            log(f"{name}: training {label}")
            trained = json.loads(run(cmd + ["--report", model + ".report.json"]).strip().splitlines()[-1])
            log(f"{name}: {label}: threshold {trained.get('threshold')}, subword_auto {trained.get('subword_auto')}")
            with open(model + ".report.json", encoding="utf-8") as f:
                rr = json.load(f)["row_results"]
            assert len(rr["predicted"]) == ntr, (len(rr["predicted"]), ntr)
            tgold = [lab for _, lab in rows[train]]
            right = [rr["predicted"][i] == tgold[i] for i in range(ntr)]
            accepted_right = [i for i in range(ntr) if right[i] and rr["uncertain"][i] is False]
            # Each guard's limit: the (1 - q) quantile of the scores of the accepted right
            # out-of-fold answers (the train rows' leave-one-out scores), as the evidence floor.
            # vote10 is taken against each row's out-of-fold answer (then the served label).
            tr = {g: [vote(train_near[i], rr["predicted"][i]) if g == "vote10" else train_sc[i][ALL_SCORES.index(g)]
                      for i in range(ntr)] for g in SCORES}
            limits = {}
            for sname in SCORES:
                v = sorted(tr[sname][i] for i in accepted_right)
                limits[sname] = v[max(0, math.ceil((1 - args.quantile) * len(v)) - 1)]
            log(f"{name}: {label}: {len(accepted_right)} accepted right; limits " +
                ", ".join(f"{k} {v:.4f}" for k, v in limits.items()))
            variants = [(label, model, None, None)] + [(label, model, gname, limits[gname]) for gname in SCORES]
            if label in args.payback:
                # P: the guard's right answers paid back by a lower threshold_floor, chosen out of
                # fold: the highest floor at which the right out-of-fold answers the threshold
                # accepts and the guard does not withhold are at least as many as the build
                # accepted without the guard. An answer uncertain at or above the global
                # threshold stays uncertain (another rule withheld it).
                base = float(trained["threshold"])
                conf = rr["confidence"]
                for gname in SCORES:
                    kept = [i for i in range(ntr) if right[i] and tr[gname][i] <= limits[gname] and
                            (rr["uncertain"][i] is False or conf[i] < base)]
                    cs = sorted((conf[i] for i in kept), reverse=True)
                    floor = None
                    if len(cs) >= len(accepted_right):
                        floor = min(base, cs[len(accepted_right) - 1])
                    if floor is None:
                        log(f"{name}: {label} + {gname}: cannot pay back")
                        continue
                    opts = json.loads(options or "{}")
                    opts["threshold_floor"] = round(floor, 6)
                    pm = model + f".P{gname}.bin"
                    pcmd = [path, "train", "--data", data, "--split", train, "--model", pm, "--options", json.dumps(opts)]
                    if label in args.unlabelled:
                        pcmd += ["--unlabelled-data", data, "--unlabelled-split", train]
                    pt = json.loads(run(pcmd).strip().splitlines()[-1])
                    log(f"{name}: {label} P {gname}: threshold_floor {floor:.4f}, threshold {pt.get('threshold')}")
                    variants.append((f"{label} P({opts['threshold_floor']:.3f})", pm, gname, limits[gname]))
            base_cov = None
            for vlabel, vmodel, guard, limit in variants:
                ans = run([path, "predict", "--model", vmodel], "\n".join(query) + "\n").splitlines()
                assert len(ans) == len(query)
                served = [a.split("\t")[0] for a in ans]
                unc = [a.split("\t")[2] == "true" for a in ans]
                if guard is None:
                    ev = [path, "eval", "--data", data, "--split", scored, "--model", vmodel, "--timing", "no"]
                    if oos:
                        ev += ["--oos-split", oos]
                    r = json.loads(run(ev).strip().splitlines()[-1])
                    base_unc, base_served = unc, served
                qg = None if guard is None else [
                    vote(q_near[i], served[i]) if guard == "vote10" else q_sc[i][ALL_SCORES.index(guard)]
                    for i in range(len(query))]
                g = [u or (guard is not None and qg[i] > limit) for i, u in enumerate(unc)]
                acc = sum(served[i] == gold[i] for i in range(ns)) / ns
                cov = sum(not g[i] for i in range(ns)) / ns
                ins = sum(served[i] == gold[i] and not g[i] for i in range(ns)) / ns
                rec = sum(g[ns + i] for i in range(no)) / no if no else None
                pc = g[ns + no:]
                e, gb, o = sum(pc[:len(EMPTY)]), sum(pc[len(EMPTY):first]), sum(pc[i] for i in off)
                if guard is None:
                    base_cov = cov
                    check = (r["coverage"], r["in_scope_accuracy_with_threshold"], (r.get("oos") or {}).get("recall"))
                    log(f"{name}: {label}: predict {cov:.4f} {ins:.4f} {rec} / eval {check}")
                answered = [f"{probes[i]!r} → {served[ns + no + i]}" for i in range(len(probes))
                            if not pc[i] and i >= len(EMPTY) and probes[i] not in covered]
                if answered:
                    log(f"{name}: {vlabel} {guard}: answered " + "; ".join(answered))
                gcell = "none" if guard is None else f"{guard} ({limit:.4f})"
                print(f"| {name} | {vlabel} | {gcell} | {acc:.4f} | {cov:.3f} | {ins:.4f} | "
                      f"{'' if rec is None else f'{rec:.2f}'} | {e}/{len(EMPTY)} | {gb}/{len(GIBBERISH)} | "
                      f"{o} of {len(off)} | {'' if guard is None else f'{100 * (cov - base_cov):+.1f}'} |", flush=True)
            unc, served = base_unc, base_served
            if args.oracle and no:
                for sname in SCORES:
                    best = None
                    qs = [vote(q_near[i], served[i]) if sname == "vote10" else q_sc[i][ALL_SCORES.index(sname)]
                          for i in range(len(query))]
                    cands = sorted({qs[i] for i in range(ns + no)})
                    for lim in cands + [float("inf")]:
                        g = [u or qs[i] > lim for i, u in enumerate(unc)]
                        rec = sum(g[ns + i] for i in range(no)) / no
                        ins = sum(served[i] == gold[i] and not g[i] for i in range(ns)) / ns
                        if rec >= 0.70 and (best is None or ins > best[0]):
                            best = (ins, rec, lim)
                    oracle_lines.append(f"- {name}, {label}, {sname}: " + (
                        "no limit reaches 0.70" if best is None else
                        f"best in-scope acc. {best[0]:.4f} at OOS recall {best[1]:.2f} (limit {best[2]:.4f}, "
                        f"read off the scored split)"))
    if oracle_lines:
        print()
        print("Upper bound (the limit read off the scored split; not a candidate):")
        print("\n".join(oracle_lines))


if __name__ == "__main__":
    main()
