#!/usr/bin/python3
"""Knowing what it doesn't know (issue 34, point 1): empty, gibberish and off-domain probes.

    bench/quality/novelty.py --cli 0.3.1=/tmp/v031/build/pg-intent --cli 0.3.2=build/release/pg-intent
    bench/quality/novelty.py --cli q0.003=build/release/pg-intent:'{"evidence_quantile":0.003}' ...
    bench/quality/novelty.py --cli 0.3.2=./pg-intent --sklearn seed --sklearn strong
    bench/quality/novelty.py --cli 'sv=./pg-intent:{"subword_vectors":true}' --unlabelled sv --sets clinc150_dev.csv
    bench/quality/novelty.py --cli plain=./pg-intent --cli unl=./pg-intent --unlabelled unl \
        --sets clinc150_dev.csv --shots 5 --seed 42 --seed 43 --seed 44 --unlabelled-splits train --answered

--sklearn SETUP adds a scikit-learn peer (bench/peers/sklearn_pipeline.py: `seed` is the seed
service's pipeline, `strong` the same calibrated LinearSVC on the core's default features), whose
answer is withheld below the threshold the core's old rule picks (lowest confidence reaching 0.9
precision on a 15 % holdout of the train split), as a support team's hand-off rule would read its
confidence.

Each CLI (label=path, optionally :options JSON) trains at the defaults on each public set's train
split, then:
  - scores the held-out split: served-label accuracy, coverage (in-scope answers not abstained),
    in-scope accuracy with abstentions counted wrong, and on CLINC150 the out-of-scope recall on
    oos_val (`pg-intent eval`);
  - answers the probes below; a probe counts as caught when the answer is uncertain.
Probes: EMPTY (no words at all), GIBBERISH (no word of any language), OFF_DOMAIN (Spanish
e-commerce support messages and small talk, and two English messages). A probe of OFF_DOMAIN that
a set has an intent for (IN_DOMAIN: "recipe for lasagna" is CLINC150's `recipe` and HWU64's
`cooking_recipe`) is not off-domain there: it is left out of that set's off-domain count, and the
line after the table says what each build answered. Prints markdown.

--unlabelled LABEL (repeatable) trains that CLI with unlabelled texts (`pg-intent train
--unlabelled-data`, for the subword_vectors option): the texts of the set's own train split and,
on CLINC150, of oos_train; never a label, never the scored split (val, oos_val, test).
--sets F[,F2...] runs only the sets of those files (e.g. clinc150_dev.csv), for a small first run.

--shots N trains on N rows per intent of the set's train split instead of all of it, drawn as
quality.py's nested seeded sample (subword_core.sample_per_intent: the few-shot sets of
2026-11-30-vm-subword-auto.md), one run per --seed (default 42); a table row per set, seed and
CLI, with the run's `subword_auto` decision (the training report's). With --shots, --unlabelled
gives the texts of the unlabelled splits less the drawn rows (what a database holds as rows without
a label beside the labelled ones, as bench/quality/subword_sql.py inserts them); with
--unlabelled-drawn, the drawn rows' texts too (as the CLI runs of 2026-11-30-vm-subword-auto.md,
which give the whole train split).
--unlabelled-splits S[,S2...] replaces every set's unlabelled splits (e.g. train, as the
subword-auto study; the default adds CLINC150's oos_train).
--oos-train trains the CLIs on CLINC150's train and oos_train splits, oos_train's rows (intent `oos`)
as out-of-scope rows (`pg-intent train --oos-label oos`); the other sets have no out-of-scope rows and
train as before. Not the issue's target setting (which trains on train alone).
--answered lists, after the table, every empty, gibberish and off-domain probe a CLI answered,
with the label and confidence served.
Without these options the script runs and prints as before.
"""
import argparse
import json
import os
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from cli_run import datasets_dir, log, run  # noqa: E402
from subword_core import read_rows, sample_per_intent, write_rows  # noqa: E402

DATASETS = [  # name, file, train, scored, out-of-scope split, unlabelled splits (texts only)
    ("CLINC150", "clinc150_dev.csv", "train", "val", "oos_val", "train,oos_train"),
    ("HWU64", "hwu64.csv", "train", "test", None, "train"),
    ("SNIPS", "snips.csv", "train", "test", None, "train"),
    ("MTOD es (imbalanced: 34 % one label)", "mtod_es.csv", "train", "test", None, "train"),
    ("nlp.js es", "nlpjs_corpus50_es.csv", "train", "test", None, "train"),
]
EMPTY = ["", " ", "?", "...", "!!!", "¿?", "👍", "😀😀"]
GIBBERISH = ["zzz qqq", "asdf", "xkcd ptrl", "qwerty uiop", "jjjj kkkk llll", "aaaaaaa", "fghj", "zxcv bnm",
             "pfff grr", "hjkl ñlkj", "wqx vvb", "mmmm nnnn"]
OFF_DOMAIN = ["quiero pizza", "el paquete llegó roto", "mi pedido no ha llegado", "quiero devolver unos zapatos",
              "el gato duerme en el sofá", "los pingüinos no vuelan", "me cobraron dos veces", "la talla no me queda",
              "recipe for lasagna", "my cat is sleeping on the sofa"]
# Sets with out-of-scope training rows (--oos-train): the split and the intent they carry.
OOS_TRAIN = {"clinc150_dev.csv": ("oos_train", "oos")}
# Probes of OFF_DOMAIN that a set covers, with the set's intent for them: they are in scope there,
# an answer is right, and they are not counted as off-domain for that set (listed after the table).
IN_DOMAIN = {
    "clinc150_dev.csv": {"recipe for lasagna": "recipe"},
    "hwu64.csv": {"recipe for lasagna": "cooking_recipe"},
}


SKLEARN = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "peers", "sklearn_pipeline.py")


# The scikit-learn peer: train, its threshold, the scored split, the probes. Returns the eval
# figures and whether each probe is withheld.
def sklearn_peer(setup, data, train, scored, oos, model, probes):
    py = sys.executable
    run([py, SKLEARN, "train", "--data", data, "--split", train, "--model", model, "--setup", setup])
    threshold = json.loads(run([py, SKLEARN, "threshold", "--data", data, "--split", train,
                                "--setup", setup]).strip().splitlines()[-1])["threshold"]
    ev = [py, SKLEARN, "eval", "--data", data, "--split", scored, "--model", model, "--threshold",
          repr(threshold), "--single-max", "0"]
    if oos:
        ev += ["--oos-split", oos]
    r = json.loads(run(ev).strip().splitlines()[-1])
    p = json.loads(run([py, SKLEARN, "predict", "--model", model, "--threshold", repr(threshold)],
                       "\n".join(probes) + "\n").strip().splitlines()[-1])
    if len(p["uncertain"]) != len(probes):
        raise SystemExit(f"scikit-learn {setup}: {len(p['uncertain'])} answers for {len(probes)} probes")
    return r, p["uncertain"]


def peer(spec):
    label, _, rest = spec.partition("=")
    path, _, options = rest.partition(":")
    return label, path, options or None


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--cli", action="append", default=[], help="label=path[:options JSON]")
    ap.add_argument("--sklearn", action="append", default=[], choices=["seed", "strong"],
                    help="a scikit-learn peer: the seed pipeline or the strong setup")
    ap.add_argument("--unlabelled", action="append", default=[], metavar="LABEL",
                    help="train the --cli of this label with the set's unlabelled texts too (--unlabelled-data)")
    ap.add_argument("--sets", default=None, help="only the sets of these files, comma-separated")
    ap.add_argument("--shots", type=int, default=0, metavar="N",
                    help="train on N rows per intent of the train split (seeded nested sample), not all of it")
    ap.add_argument("--seed", type=int, action="append", default=[], metavar="S",
                    help="with --shots: the seed of a draw (repeatable; default 42)")
    ap.add_argument("--unlabelled-splits", default=None, metavar="S[,S2...]",
                    help="the splits whose texts --unlabelled gives, for every set (default: the set's own)")
    ap.add_argument("--unlabelled-drawn", action="store_true",
                    help="with --shots: the drawn rows' texts are among the unlabelled texts too")
    ap.add_argument("--oos-train", action="store_true",
                    help="train the CLIs on CLINC150's oos_train rows too, as out-of-scope rows")
    ap.add_argument("--answered", action="store_true",
                    help="list every empty, gibberish and off-domain probe answered, with label and confidence")
    ap.add_argument("--data-dir", default=None)
    ap.add_argument("--workdir", default=None)
    args = ap.parse_args()
    data_dir = datasets_dir(args.data_dir)
    work = args.workdir or tempfile.mkdtemp(prefix="pgi-novelty.")
    os.makedirs(work, exist_ok=True)
    peers = [peer(s) for s in args.cli] + [(f"scikit-learn {setup}", SKLEARN, setup) for setup in args.sklearn]
    if not peers:
        raise SystemExit("give at least one --cli or --sklearn")
    cli_labels = [label for label, path, _ in peers if path != SKLEARN]
    for label in args.unlabelled:
        if label not in cli_labels:
            raise SystemExit(f"--unlabelled {label}: no --cli of that label")
    datasets = DATASETS
    if args.sets:
        wanted = args.sets.split(",")
        datasets = [d for d in DATASETS if d[1] in wanted]
        if len(datasets) != len(wanted):
            raise SystemExit(f"--sets: known files are {', '.join(d[1] for d in DATASETS)}")
    if args.shots < 0:
        raise SystemExit("--shots must be positive")
    if (args.seed or args.unlabelled_drawn) and not args.shots:
        raise SystemExit("--seed and --unlabelled-drawn need --shots")
    if args.oos_train and (args.shots or args.sklearn):
        raise SystemExit("--oos-train drives the CLI on the full train split only: no --shots, no --sklearn")
    if args.shots and any(path == SKLEARN for _, path, _ in peers):
        raise SystemExit("--shots drives the CLI only: no --sklearn")
    if args.unlabelled_splits:
        datasets = [d[:5] + (args.unlabelled_splits,) for d in datasets]
    runs = []  # (name shown, file, train split, scored, out-of-scope split, unlabelled splits, data, unlabelled data)
    for name, fname, train, scored, oos, unlabelled in datasets:
        data = os.path.join(data_dir, fname)
        if not args.shots:
            runs.append((name, fname, train, scored, oos, unlabelled, data, data))
            continue
        rows = read_rows(data)
        kept = {scored, oos}
        wanted = unlabelled.split(",")
        for seed in args.seed or [42]:
            # The drawn rows as `train`, the scored splits as they are, and the texts of the
            # unlabelled splits less the drawn rows (unless --unlabelled-drawn) as `unlabelled`,
            # their labels blanked.
            sample = sample_per_intent(rows, train, args.shots, seed)
            chosen = {(r["text"], r["intent"]) for r in sample}
            others = [dict(r, split="unlabelled", intent="") for r in rows
                      if r["split"] in wanted and (args.unlabelled_drawn or r["split"] != train or
                                                   (r["text"], r["intent"]) not in chosen)]
            stem = os.path.join(work, f"{fname}.{args.shots}shot.{seed}")
            write_rows(stem + ".csv", [dict(r, split="train") for r in sample] +
                       [r for r in rows if r["split"] in kept])
            write_rows(stem + ".unlabelled.csv", others)
            log(f"{name}, {args.shots}-shot seed {seed}: {len(sample)} rows drawn, {len(others)} unlabelled texts")
            runs.append((f"{name}, {args.shots}-shot seed {seed}", os.path.basename(stem), "train", scored, oos,
                         "unlabelled", stem + ".csv", stem + ".unlabelled.csv"))
    probes = EMPTY + GIBBERISH + OFF_DOMAIN
    auto_col = " `subword_auto` |" if args.shots else ""
    print(f"| set | build |{auto_col} accuracy | coverage | in-scope acc. (abstain = wrong) | OOS recall | "
          f"empty caught ({len(EMPTY)}) | gibberish caught ({len(GIBBERISH)}) | off-domain caught (of {len(OFF_DOMAIN)} "
          "less the set's in-domain ones) |")
    print("|---|---|" + ("---|" if args.shots else "") + "---|---|---|---|---|---|---|")
    answered_lines = []
    totals = {label: [0, 0, 0, 0, 0] for label, _, _ in peers}
    in_domain_lines = []
    for name, fname, train, scored, oos, unlabelled, data, unlabelled_data in runs:
        # The in-domain probes are the original set's (a few-shot run's file is named after it).
        covered = IN_DOMAIN.get(fname.split(".csv")[0] + ".csv", {})
        for label, path, options in peers:
            model = os.path.join(work, f"{fname}.{label}.bin".replace(" ", "_"))
            log(f"{name}: training {label}")
            if path == SKLEARN:
                try:
                    r, caught = sklearn_peer(options, data, train, scored, oos, model, probes)
                except SystemExit as failed:
                    # CalibratedClassifierCV's 5 folds need 5 rows of every intent in each fit;
                    # any other failure (scikit-learn missing, a bad split) stops the run.
                    if not any(s in str(failed) for s in ("less than", "fewer than", "cannot be greater than")):
                        raise
                    log(str(failed)[-300:])
                    print(f"| {name} | {label} | cannot train: an intent has fewer than 5 rows in a fit "
                          "(CalibratedClassifierCV's 5 folds) | | | | | | |")
                    continue
            else:
                cmd = [path, "train", "--data", data, "--split", train, "--model", model]
                if args.oos_train and fname in OOS_TRAIN:
                    oos_split, oos_label = OOS_TRAIN[fname]
                    cmd[cmd.index("--split") + 1] = f"{train},{oos_split}"
                    cmd += ["--oos-label", oos_label]
                if options:
                    cmd += ["--options", options]
                if label in args.unlabelled:
                    cmd += ["--unlabelled-data", unlabelled_data, "--unlabelled-split", unlabelled]
                trained = json.loads(run(cmd).strip().splitlines()[-1])
                log(f"{name}: {label}: " + ", ".join(f"{k} {trained.get(k)}" for k in (
                    "features", "model_bytes", "train_seconds", "oof_coverage", "threshold")))
                ev = [path, "eval", "--data", data, "--split", scored, "--model", model, "--timing", "no"]
                if oos:
                    ev += ["--oos-split", oos]
                r = json.loads(run(ev).strip().splitlines()[-1])
                out = run([path, "predict", "--model", model], "\n".join(probes) + "\n").splitlines()
                if len(out) != len(probes):
                    raise SystemExit(f"{label}: {len(out)} answers for {len(probes)} probes")
                caught = [line.split("\t")[2] == "true" for line in out]
                served = [line.split("\t")[0] for line in out]
                confidence = [float(line.split("\t")[1]) for line in out]
                auto = trained.get("subword_auto")
                auto_cell = ("–" if auto is None else
                             f"{'on' if auto['on'] else 'off'} (`{auto['reason_code']}`, "
                             f"{auto['unlabelled_texts']:,} texts)")
                if args.answered:
                    for i, p in enumerate(probes):
                        if not caught[i] and p not in covered:
                            kind = ("empty" if i < len(EMPTY) else
                                    "gibberish" if i < len(EMPTY) + len(GIBBERISH) else "off-domain")
                            answered_lines.append(f"- {name}, {label}: {kind} {json.dumps(p, ensure_ascii=False)}"
                                                  f" → `{served[i]}` {confidence[i]:.2f}")
            e = sum(caught[:len(EMPTY)])
            g = sum(caught[len(EMPTY):len(EMPTY) + len(GIBBERISH)])
            first = len(EMPTY) + len(GIBBERISH)
            off = [i for i in range(first, len(probes)) if probes[i] not in covered]
            o = sum(caught[i] for i in off)
            for i in range(first, len(probes)):
                if probes[i] in covered:
                    answer = ("withheld" if caught[i] else
                              "answered" if path == SKLEARN else f"answered `{served[i]}`")
                    in_domain_lines.append(f"- {name}, {label}: \"{probes[i]}\" (the set's "
                                           f"`{covered[probes[i]]}`): {answer}")
            t = totals[label]
            t[0] += e
            t[1] += g
            t[2] += o
            t[3] += 1
            t[4] += len(off)
            recall = (r.get("oos") or {}).get("recall")
            cell = f" {auto_cell} |" if args.shots else ""
            print(f"| {name} | {label} |{cell} {r['accuracy']:.4f} | {r['coverage']:.3f} | "
                  f"{r['in_scope_accuracy_with_threshold']:.4f} | "
                  f"{'' if recall is None else f'{recall:.2f}'} | {e} | {g} | {o} of {len(off)} |")
    print()
    if args.answered:
        print("Probes answered (empty, gibberish, off-domain; label and confidence served):")
        print("\n".join(answered_lines) if answered_lines else "- none")
        print()
    if in_domain_lines:
        print("In-domain probes (left out of the off-domain count):")
        print("\n".join(in_domain_lines))
        print()
    for label, (e, g, o, n, n_off) in totals.items():
        print(f"- {label}: probes caught over the {n} {'runs' if args.shots else 'sets'} it trained on: empty {e}/{n * len(EMPTY)}, "
              f"gibberish {g}/{n * len(GIBBERISH)}, off-domain {o}/{n_off}")


if __name__ == "__main__":
    main()
