#!/usr/bin/python3
"""A small shop served the fallback re-weighted by its own label frequencies
(issue 34, point 2, "go beyond the choice"): label-prior adaptation, a study
through the CLI (no engine change, no cluster).

Command (from the repository's root; 349 s on 2 shared CPUs, 508 trainings):
  make pg-intent && /usr/bin/python3 bench/quality/shops_labelprior.py \\
      --data /work/shared/datasets --cli ./pg-intent \\
      --out bench/results/shops-labelprior-latest.md \\
      --json bench/results/shops-labelprior-latest.json
(--from-json FILE reports a --json run again without training; --from-json
A.json,B.json,... prints one summary line per set and run. The figures of
bench/results/2026-11-30-vm-shops-labelprior.md are three runs:
2026-11-30-vm-shops-labelprior.json (the command above),
2026-11-30-vm-shops-labelprior-confirm.json (the same with --skip-iid
--seeds 4,5,6) and 2026-11-30-vm-shops-labelprior-held300.json (--skip-iid
--seeds 7,8,9 --held 300 --spare-held).)

Served to shop s for message x, over the fallback's K labels:
  p_s(y|x) ~ p_fb(y|x) * ((n_s(y) + a) / (N_s + a K)) / pi(y)
p_fb the fallback's calibrated probabilities (`pg-intent predict --top
100000`: every label), n_s the shop's training rows per label (N_s in all),
a the smoothing (a pseudo-count per label; a = inf is the fallback itself),
pi the fallback's training label frequencies ("pi_fb", the lever asked for)
or uniform 1/K ("pi_uniform", a second lever: pg_intent trains with balanced
class weights, so its probabilities may already carry a near-uniform prior).
Top label = argmax; thresholds ignored.

Per shop, accuracy on its held-out rows of: own (the shop's rows alone),
fallback (every shop's rows), adapted a for a in ALPHAS, and the a chosen
out of fold: 3 folds of the shop's training rows (row i in fold i % 3); for
fold k the fallback is retrained without the fold's rows (so it never saw
the rows it answers), n_s counts the shop's other folds, pi the retrained
fallback's training rows; the candidate (fallback or one a) with the best
accuracy over the shop's rows wins; ties go to the fallback, then to the
larger a (the nearer to the fallback). The held-out rows decide nothing.

Marketplaces:
  iid     bench/quality/shops_fallback.py's marketplace(): one big shop and
          eight small ones share 30 intents (40 and 3 training rows per
          intent), two shops have 10 intents of their own (20 rows per
          intent); every shop of the shared intents has the same label
          distribution.
  skewed  the same shops and training sizes (big 40 x K, small 3 x K, own
          200 rows; K = the shared intents, 30; MTOD es 10: its intents
          with fewer than 40 training rows, weather/checkSunrise and
          weather/checkSunset, 3 each, are left out), but each shop's
          rows, training AND held-out, are drawn from its own label
          distribution q_s ~ Dirichlet(CONCENTRATION) over its intents
          (shared ones, or its own 10), one Python random.Random(seed) per
          marketplace (q_s from gamma variates). Training rows: each intent's
          training pool is shuffled (seeded) and dealt without replacement,
          shops in the order small_0..7, own_0, own_1, big; a row's label is
          drawn from q_s renormalised over the intents with rows left (so a
          shop that exhausts an intent's pool gets others instead: the big
          shop's distribution is flatter than its q_s). Held-out rows: HELD
          per shop from the held-out split, the same way, without
          replacement within a shop but independently across shops (a
          held-out row may be in several shops' sets; no model trains on
          it).
Every model: the CLI's defaults with normalize_digits, as a partitioned
classifier's (min_feature_partitions is not reproduced: the CLI has no shop
groups).
"""
import argparse
import datetime
import json
import math
import os
import platform
import random
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from shops_fallback import DATASETS, SHARED, OWN, BIG_PER_INTENT, SMALL_PER_INTENT, OWN_PER_INTENT, \
    SMALL_SHOPS, intent_pools, marketplace, read  # noqa: E402
import shops_prior  # noqa: E402
from shops_prior import FOLDS, write_shop_folds  # noqa: E402

ALPHAS = [0.1, 0.3, 1, 3, 10, 30]
PIS = ["pi_fb", "pi_uniform"]
CONCENTRATION = 0.5
SEEDS = [1, 2, 3]
HELD = {"hwu64.csv": 60, "clinc150_dev.csv": 60, "mtod_es.csv": 200}
MARGIN_ROWS = [2, 3]  # the choice leaves the fallback only when it is right on r more rows out of fold


class Cli(shops_prior.Cli):
    """shops_prior's CLI, without sample weights."""

    def __init__(self, binary):
        super().__init__(binary, None)

    def train(self, data, splits, model):
        return super().train(data, splits, None, model)


def dirichlet(rng, k):
    g = [rng.gammavariate(CONCENTRATION, 1.0) for _ in range(k)]
    s = sum(g)
    return [x / s for x in g]


def draw(rng, q, intents, pool, n):
    """n rows, each label drawn from q renormalised over intents with rows left."""
    out = []
    for _ in range(n):
        live = [(i, w) for i, w in zip(intents, q) if pool[i]]
        if not live:
            break
        tot = sum(w for _, w in live)
        if tot <= 0:
            i = rng.choice([i for i, _ in live])
        else:
            r, acc, i = rng.random() * tot, 0.0, live[-1][0]
            for j, w in live:
                acc += w
                if r < acc:
                    i = j
                    break
        out.append((pool[i].pop(), i))
    return out


def skewed_marketplace(rows, train_split, held_split, seed, held_n, spare=False):
    """(train rows, held-out rows) as (shop, text, intent) lists, and each shop's q."""
    rng = random.Random(seed)
    by_intent = intent_pools(rows, train_split, held_split)
    intents = sorted(by_intent)
    shared = [i for i in intents[:SHARED] if len(by_intent[i]["train"]) >= BIG_PER_INTENT]
    own = intents[SHARED:SHARED + 2 * OWN]
    k = len(shared)
    plan = [("small_%d" % i, shared, SMALL_PER_INTENT * k) for i in range(SMALL_SHOPS)]
    plan += [("own_%d" % j, own[j * OWN:(j + 1) * OWN], OWN_PER_INTENT * OWN) for j in range(len(own) // OWN)]
    plan.append(("big", shared, BIG_PER_INTENT * k))
    tpool = {}
    for i in intents:
        t = list(by_intent[i]["train"])
        rng.shuffle(t)
        tpool[i] = t
    train, held, qs = [], [], {}
    for shop, its, n in plan:
        q = dirichlet(rng, len(its))
        qs[shop] = dict(zip(its, q))
        train += [(shop, x, y) for x, y in draw(rng, q, its, tpool, n)]
        if not spare:
            hpool = {i: list(by_intent[i]["held"]) for i in its}
            for i in its:
                rng.shuffle(hpool[i])
            held += [(shop, x, y) for x, y in draw(rng, q, its, hpool, held_n)]
    if spare:
        # After every shop's training rows are dealt: the held-out split and
        # the training rows no shop drew (no model trains on them).
        for shop, its, _ in plan:
            q = [qs[shop][i] for i in its]
            hpool = {i: list(by_intent[i]["held"]) + list(tpool[i]) for i in its}
            for i in its:
                rng.shuffle(hpool[i])
            held += [(shop, x, y) for x, y in draw(rng, q, its, hpool, held_n)]
    return train, held, qs


def adapt(dists, counts, n, fb_freq, a, pi):
    """The fallback's distributions re-weighted by the shop's label prior."""
    out = []
    for d in dists:
        k = len(d)
        e = {}
        for y, p in d.items():
            prior = (counts.get(y, 0) + a) / (n + a * k)
            base = fb_freq.get(y, 0.0) if pi == "pi_fb" else 1.0 / k
            e[y] = p * prior / base if base > 0 else 0.0
        out.append(e)
    return out


def top(d):
    best, bp = None, -1.0
    for y in sorted(d):
        if d[y] > bp:
            best, bp = y, d[y]
    return best


def correct(dists, truth):
    return [top(d) == t for d, t in zip(dists, truth)]


def cand(a):
    return "fallback" if a is None else "a=%g" % a


def choose(oof, rows=1, n=0):
    """The candidate with the best out-of-fold accuracy; ties to the fallback, then to the larger a.
    With rows > 1, it leaves the fallback only when it is right on `rows` more of the shop's n rows."""
    order = ["fallback"] + [cand(a) for a in sorted(ALPHAS, reverse=True)]
    best = max(order, key=lambda c: (round(oof[c], 9), -order.index(c)))
    return best if rows <= 1 or round((oof[best] - oof["fallback"]) * n) >= rows else "fallback"


def freq(labels):
    f = {}
    for y in labels:
        f[y] = f.get(y, 0) + 1
    return f


def run(cli, work, name, train, held, tag):
    base = os.path.join(work, tag)
    shops, by_shop, csv_rows, data_csv = write_shop_folds(base, train)
    all_labels = [y for _, _, y in train]

    def splits(shop_set, skip=None):
        return ["%s:%d" % (s, k) for s in shop_set for k in range(FOLDS)
                if (s, k) != skip and any(i % FOLDS == k for i in range(len(by_shop[s])))]

    fb_model = cli.train(data_csv, splits(shops), os.path.join(base, "fallback.bin"))
    fb_freq_all = {y: c / len(all_labels) for y, c in freq(all_labels).items()}
    table = []
    for s in shops:
        rows_s = by_shop[s]
        oof_ok = {pi: {c: [] for c in ["fallback"] + [cand(a) for a in ALPHAS]} for pi in PIS}
        for k in range(FOLDS):
            fold = [(x, y) for i, (x, y) in enumerate(rows_s) if i % FOLDS == k]
            if not fold:
                continue
            rest = [y for i, (_, y) in enumerate(rows_s) if i % FOLDS != k]
            texts, truth = [x for x, _ in fold], [y for _, y in fold]
            m = cli.train(data_csv, splits(shops, skip=(s, k)), os.path.join(base, "f_fb.bin"))
            d = cli.probs(m, texts)
            kept = [y for sp, _, y in csv_rows if sp != "%s:%d" % (s, k)]
            ff = {y: c / len(kept) for y, c in freq(kept).items()}
            cs = freq(rest)
            for pi in PIS:
                oof_ok[pi]["fallback"] += correct(d, truth)
                for a in ALPHAS:
                    oof_ok[pi][cand(a)] += correct(adapt(d, cs, len(rest), ff, a, pi), truth)
        oof = {pi: {c: sum(v) / len(v) for c, v in oof_ok[pi].items()} for pi in PIS}
        h = [(x, y) for sh, x, y in held if sh == s]
        texts, htruth = [x for x, _ in h], [y for _, y in h]
        own_acc = sum(correct(cli.probs(cli.train(data_csv, splits([s]), os.path.join(base, "own.bin")), texts),
                              htruth)) / len(h)
        d = cli.probs(fb_model, texts)
        cs = freq([y for _, y in rows_s])
        acc = {"own": own_acc}
        for pi in PIS:
            acc[pi] = {"fallback": sum(correct(d, htruth)) / len(h)}
            for a in ALPHAS:
                acc[pi][cand(a)] = sum(correct(adapt(d, cs, len(rows_s), fb_freq_all, a, pi), htruth)) / len(h)
        n = len(rows_s)
        eff = math.exp(-sum(c / n * math.log(c / n) for c in cs.values()))
        row = {"shop": s, "train": n, "held": len(h), "eff_intents": eff, "oof": oof, "acc": acc,
               "chosen": {pi: choose(oof[pi]) for pi in PIS}}
        table.append(row)
        c = row["chosen"]["pi_fb"]
        print("  %s %s: own %.3f fallback %.3f chosen %s %.3f (oof %.3f vs %.3f)" % (
            tag, s, own_acc, acc["pi_fb"]["fallback"], c, acc["pi_fb"][c], oof["pi_fb"][c],
            oof["pi_fb"]["fallback"]), file=sys.stderr, flush=True)
    return table


def summary(sel, pi, label):
    n = len(sel)
    if not n:
        return []
    mean = lambda c: sum(r["acc"][pi][c] for r in sel) / n  # noqa: E731
    ch = sum(r["acc"][pi][r["chosen"][pi]] for r in sel) / n
    below = [r["shop"] for r in sel if r["acc"][pi][r["chosen"][pi]] < r["acc"][pi]["fallback"] - 1e-9]
    cols = ", ".join("%s %.3f" % (cand(a), mean(cand(a))) for a in ALPHAS)
    return ["%s (%d): mean accuracy own %.3f, fallback %.3f, %s; **chosen out of fold %.3f (%+.3f)**; "
            "chosen below the fallback: %s." % (
                label, n, sum(r["acc"]["own"] for r in sel) / n, mean("fallback"), cols, ch, ch - mean("fallback"),
                ", ".join(below) if below else "none")]


def report_table(title, table, pi):
    cols = ["fallback"] + [cand(a) for a in ALPHAS]
    out = ["### %s, %s" % (title, pi), "",
           "| shop | training rows | intents (eff.) | held-out | own | " + " | ".join(cols) +
           " | chosen out of fold | out of fold: chosen vs fallback | chosen: held-out | chosen vs fallback |",
           "|---|---|---|---|---|" + "---|" * len(cols) + "---|---|---|---|"]
    for r in table:
        a, c = r["acc"][pi], r["chosen"][pi]
        out.append("| %s | %d | %.1f | %d | %.3f | %s | %s | %.3f vs %.3f | %.3f | %+.3f |" % (
            r["shop"], r["train"], r["eff_intents"], r["held"], r["acc"]["own"],
            " | ".join("%.3f" % a[x] for x in cols),
            c, r["oof"][pi][c], r["oof"][pi]["fallback"], a[c], a[c] - a["fallback"]))
    out.append("")
    out += summary([r for r in table if r["shop"].startswith("small")], pi, "small shops")
    out.append("")
    out += summary(table, pi, "all shops")
    return out


def shared_a(table, pi):
    """One candidate for every shop of a marketplace: the best out-of-fold accuracy over all
    the shops' training rows pooled (ties to the fallback, then to the larger a)."""
    order = ["fallback"] + [cand(a) for a in sorted(ALPHAS, reverse=True)]
    right = lambda c: round(sum(r["oof"][pi][c] * r["train"] for r in table), 6)  # noqa: E731
    return max(order, key=lambda c: (right(c), -order.index(c)))


def choose_shared(r, table, pi, rows):
    """The marketplace's shared a, served to a shop right on `rows` more of its rows out of fold."""
    c = shared_a(table, pi)
    if c == "fallback" or round((r["oof"][pi][c] - r["oof"][pi]["fallback"]) * r["train"]) < rows:
        return "fallback"
    return c


def pooled(tables, pi, label, pick, rows=1, shared=False):
    sel = [(r, t) for t in tables for r in t if pick(r)]
    if not sel:
        return None
    n = len(sel)
    if shared:
        chs = [choose_shared(r, t, pi, rows) for r, t in sel]
    else:
        chs = [choose(r["oof"][pi], rows, r["train"]) for r, _ in sel]
    sel = [r for r, _ in sel]
    fb = sum(r["acc"][pi]["fallback"] for r in sel) / n
    ch = sum(r["acc"][pi][c] for r, c in zip(sel, chs)) / n
    below = sum(r["acc"][pi][c] < r["acc"][pi]["fallback"] - 1e-9 for r, c in zip(sel, chs))
    left = sum(c != "fallback" for c in chs)
    best_fixed = max(ALPHAS, key=lambda a: sum(r["acc"][pi][cand(a)] for r in sel))
    bf = sum(r["acc"][pi][cand(best_fixed)] for r in sel) / n
    return {"label": label, "n": n, "own": sum(r["acc"]["own"] for r in sel) / n, "fallback": fb, "chosen": ch,
            "below": below, "left_fallback": left, "best_fixed": best_fixed, "best_fixed_acc": bf}


def compact(runs, pi):
    """One line per set and marketplace group: the small shops' means and the shops below the fallback,
    over several --json files (runs: [(label, saved json)])."""
    out = ["| set | marketplace | small shops | fallback | chosen (r=1) | below | chosen (r=3) | below | shared a, r=3 "
           "| below | best fixed a (held-out) | all shops below: r=1, r=3, shared r=3 |",
           "|---|---|---|---|---|---|---|---|---|---|---|---|"]
    small = lambda x: x["shop"].startswith("small")  # noqa: E731
    for name, _, _ in DATASETS:
        for label, saved in runs:
            for kind in ("iid", "skewed"):
                ts = [t for k, t in saved["results"].get(name, {}).items() if (k == "iid") == (kind == "iid")]
                if not ts:
                    continue
                s1, s3, h3 = (pooled(ts, pi, "small", small, 1), pooled(ts, pi, "small", small, 3),
                              pooled(ts, pi, "small", small, 3, True))
                a1, a3, ha3 = (pooled(ts, pi, "all", lambda x: True, 1), pooled(ts, pi, "all", lambda x: True, 3),
                               pooled(ts, pi, "all", lambda x: True, 3, True))
                d = lambda p: 100 * (p["chosen"] - p["fallback"])  # noqa: E731
                out.append("| %s | %s | %d | %.3f | %.3f (%+.1f) | %d | %.3f (%+.1f) | %d | %.3f (%+.1f) | %d "
                           "| %s: %.3f (%+.1f) | %d, %d, %d |" % (
                               name.split(".")[0], kind if kind == "iid" else "skewed, " + label, s1["n"],
                               s1["fallback"], s1["chosen"], d(s1), s1["below"], s3["chosen"], d(s3), s3["below"],
                               h3["chosen"], d(h3), h3["below"], cand(s1["best_fixed"]), s1["best_fixed_acc"],
                               100 * (s1["best_fixed_acc"] - s1["fallback"]), a1["below"], a3["below"],
                               ha3["below"]))
    return out


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--data", default="/work/shared/datasets")
    ap.add_argument("--cli", default="./pg-intent")
    ap.add_argument("--work", default="/tmp/shops_labelprior")
    ap.add_argument("--out", required=True)
    ap.add_argument("--json", help="write every figure there")
    ap.add_argument("--from-json", help="report the figures a --json run wrote; train nothing")
    ap.add_argument("--sets", default=",".join(d[0] for d in DATASETS))
    ap.add_argument("--seeds", default=",".join(str(s) for s in SEEDS))
    ap.add_argument("--skip-iid", action="store_true", help="the skewed marketplaces only")
    ap.add_argument("--held", type=int, help="held-out rows per shop in the skewed marketplaces (default HELD)")
    ap.add_argument("--spare-held", action="store_true",
                    help="skewed held-out rows from the held-out split and the training rows no shop drew")
    ap.add_argument("--tables", default=",".join(PIS), help="the levers whose per-shop tables are printed")
    args = ap.parse_args()
    cli = Cli(args.cli)
    seeds = [int(s) for s in args.seeds.split(",") if s]
    commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], capture_output=True, text=True,
                            cwd=os.path.dirname(os.path.abspath(__file__))).stdout.strip()
    if args.from_json and "," in args.from_json:
        runs = []
        for f in args.from_json.split(","):
            saved = json.load(open(f))
            m = saved["meta"]
            held = m["held"] if isinstance(m["held"], int) else "/".join(str(v) for v in m["held"].values())
            runs.append(("seeds %s, held-out %s%s" % (",".join(str(x) for x in m["seeds"]), held,
                                                      " (spare rows)" if m.get("spare_held") else ""), saved))
        text = ""
        for pi in PIS:
            text += "\n".join(["### %s" % pi, ""] + compact(runs, pi)) + "\n\n"
        with open(args.out, "w") as f:
            f.write(text)
        print(text)
        return
    if args.from_json:
        saved = json.load(open(args.from_json))
        results, meta = saved["results"], saved["meta"]
    else:
        os.makedirs(args.work, exist_ok=True)
        results, t0 = {}, time.time()
        names = [d for d in DATASETS if d[0] in args.sets.split(",")]
        rows = {name: read(os.path.join(args.data, name)) for name, _, _ in names}
        # The iid marketplaces first, then one seed of every set at a time:
        # the --json written after each marketplace reports what is done.
        for tag in ([] if args.skip_iid else ["iid"]) + ["skewed seed %d" % seed for seed in seeds]:
            for name, tr, he in names:
                short = name.split(".")[0]
                if tag == "iid":
                    train, held, _, _ = marketplace(rows[name], tr, he)
                    work_tag = short + "_iid"
                else:
                    seed = int(tag.split()[-1])
                    train, held, _ = skewed_marketplace(rows[name], tr, he, seed, args.held or HELD[name],
                                                        args.spare_held)
                    work_tag = "%s_skew%d" % (short, seed)
                results.setdefault(name, {})[tag] = run(cli, args.work, name, train, held, work_tag)
                meta = {"date": datetime.date.today().isoformat(), "commit": commit,
                        "platform": platform.platform(), "cpus": os.cpu_count(), "trainings": cli.trainings,
                        "train_seconds": cli.seconds, "wall_seconds": time.time() - t0, "alphas": ALPHAS,
                        "concentration": CONCENTRATION, "seeds": seeds,
                        "held": args.held or HELD, "spare_held": args.spare_held}
                if args.json:
                    with open(args.json, "w") as f:
                        json.dump({"meta": meta, "results": results}, f)
    out = ["%s, commit %s, %s, %d CPUs; %d trainings, %.0f s of training, %.0f s in all." % (
        meta["date"], meta["commit"], meta["platform"], meta["cpus"], meta["trainings"], meta["train_seconds"],
        meta["wall_seconds"]), ""]
    summ = []
    for name in results:
        for pi in PIS:
            tabs = {k: v for k, v in results[name].items()}
            for kind, pick_t in (("iid", lambda k: k == "iid"), ("skewed", lambda k: k.startswith("skewed"))):
                ts = [v for k, v in tabs.items() if pick_t(k)]
                for group, pick in (("small", lambda r: r["shop"].startswith("small")), ("all", lambda r: True)):
                    for shared in (False, True):
                        for m in [1] + MARGIN_ROWS:
                            p = pooled(ts, pi, group, pick, m, shared)
                            if p:
                                p.update({"set": name, "pi": pi + (" shared a" if shared else ""), "market": kind,
                                          "rows": m})
                                summ.append(p)
    out += ["## Summary", "",
            "Per set, marketplace and lever: shops pooled over the marketplaces (the iid one; the skewed ones, "
            "every seed). `chosen` is the out-of-fold choice (r: it leaves the fallback only when it is right on "
            "at least r more of the shop's training rows out of fold than the fallback; r = 1 is the plain choice; "
            "`shared a`: one a per marketplace, the best out of fold over every shop's rows pooled, served to a "
            "shop when it is right on r more of the shop's rows than the fallback); `best fixed a` is the single "
            "a best on these held-out rows (for reference only: picked on the rows it is scored on).", "",
            "| set | marketplace | lever | shops | r | own | fallback | chosen | chosen − fallback "
            "| shops below the fallback | shops off the fallback | best fixed a (held-out) |",
            "|---|---|---|---|---|---|---|---|---|---|---|---|"]
    for p in summ:
        out.append("| %s | %s | %s | %s (%d) | %g | %.3f | %.3f | %.3f | %+.4f | %d | %d | %s: %.3f |" % (
            p["set"], p["market"], p["pi"], p["label"], p["n"], p["rows"], p["own"], p["fallback"], p["chosen"],
            p["chosen"] - p["fallback"], p["below"], p["left_fallback"], cand(p["best_fixed"]), p["best_fixed_acc"]))
    out.append("")
    for name in results:
        out += ["## %s" % name, ""]
        for tag, table in results[name].items():
            for pi in args.tables.split(","):
                out += report_table("%s, %s" % (name, tag), table, pi)
                out.append("")
    text = "\n".join(out) + "\n"
    with open(args.out, "w") as f:
        f.write(text)
    if args.json:
        with open(args.json, "w") as f:
            json.dump({"meta": meta, "results": results, "summary": summ}, f)
    print(text)


if __name__ == "__main__":
    main()
