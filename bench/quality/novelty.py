#!/usr/bin/python3
"""Knowing what it doesn't know (issue 34, point 1): empty, gibberish and off-domain probes.

    bench/quality/novelty.py --cli 0.3.1=/tmp/v031/build/pg-intent --cli 0.3.2=build/release/pg-intent
    bench/quality/novelty.py --cli q0.003=build/release/pg-intent:'{"evidence_quantile":0.003}' ...

Each CLI (label=path, optionally :options JSON) trains at the defaults on each public set's train
split, then:
  - scores the held-out split: served-label accuracy, coverage (in-scope answers not abstained),
    in-scope accuracy with abstentions counted wrong, and on CLINC150 the out-of-scope recall on
    oos_val (`pg-intent eval`);
  - answers the probes below; a probe counts as caught when the answer is uncertain.
Probes: EMPTY (no words at all), GIBBERISH (no word of any language), OFF_DOMAIN (Spanish
e-commerce support messages and small talk, which none of these sets covers). Prints markdown.
"""
import argparse
import json
import os
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from cli_run import datasets_dir, log, run  # noqa: E402

DATASETS = [  # name, file, train, scored, out-of-scope split
    ("CLINC150", "clinc150_dev.csv", "train", "val", "oos_val"),
    ("HWU64", "hwu64.csv", "train", "test", None),
    ("SNIPS", "snips.csv", "train", "test", None),
    ("MTOD es (imbalanced: 34 % one label)", "mtod_es.csv", "train", "test", None),
    ("nlp.js es", "nlpjs_corpus50_es.csv", "train", "test", None),
]
EMPTY = ["", " ", "?", "...", "!!!", "¿?", "👍", "😀😀"]
GIBBERISH = ["zzz qqq", "asdf", "xkcd ptrl", "qwerty uiop", "jjjj kkkk llll", "aaaaaaa", "fghj", "zxcv bnm",
             "pfff grr", "hjkl ñlkj", "wqx vvb", "mmmm nnnn"]
OFF_DOMAIN = ["quiero pizza", "el paquete llegó roto", "mi pedido no ha llegado", "quiero devolver unos zapatos",
              "el gato duerme en el sofá", "los pingüinos no vuelan", "me cobraron dos veces", "la talla no me queda",
              "recipe for lasagna", "my cat is sleeping on the sofa"]


def peer(spec):
    label, _, rest = spec.partition("=")
    path, _, options = rest.partition(":")
    return label, path, options or None


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--cli", action="append", required=True, help="label=path[:options JSON]")
    ap.add_argument("--data-dir", default=None)
    ap.add_argument("--workdir", default=None)
    args = ap.parse_args()
    data_dir = datasets_dir(args.data_dir)
    work = args.workdir or tempfile.mkdtemp(prefix="pgi-novelty.")
    peers = [peer(s) for s in args.cli]
    probes = EMPTY + GIBBERISH + OFF_DOMAIN
    print("| set | build | accuracy | coverage | in-scope acc. (abstain = wrong) | OOS recall | "
          f"empty caught ({len(EMPTY)}) | gibberish caught ({len(GIBBERISH)}) | off-domain caught ({len(OFF_DOMAIN)}) |")
    print("|---|---|---|---|---|---|---|---|---|")
    totals = {label: [0, 0, 0] for label, _, _ in peers}
    for name, fname, train, scored, oos in DATASETS:
        data = os.path.join(data_dir, fname)
        for label, path, options in peers:
            model = os.path.join(work, f"{fname}.{label}.bin")
            log(f"{name}: training {label}")
            cmd = [path, "train", "--data", data, "--split", train, "--model", model]
            if options:
                cmd += ["--options", options]
            run(cmd)
            ev = [path, "eval", "--data", data, "--split", scored, "--model", model, "--timing", "no"]
            if oos:
                ev += ["--oos-split", oos]
            r = json.loads(run(ev).strip().splitlines()[-1])
            out = run([path, "predict", "--model", model], "\n".join(probes) + "\n").splitlines()
            if len(out) != len(probes):
                raise SystemExit(f"{label}: {len(out)} answers for {len(probes)} probes")
            caught = [line.split("\t")[2] == "true" for line in out]
            e = sum(caught[:len(EMPTY)])
            g = sum(caught[len(EMPTY):len(EMPTY) + len(GIBBERISH)])
            o = sum(caught[len(EMPTY) + len(GIBBERISH):])
            t = totals[label]
            t[0] += e
            t[1] += g
            t[2] += o
            recall = (r.get("oos") or {}).get("recall")
            print(f"| {name} | {label} | {r['accuracy']:.4f} | {r['coverage']:.3f} | "
                  f"{r['in_scope_accuracy_with_threshold']:.4f} | "
                  f"{'' if recall is None else f'{recall:.2f}'} | {e} | {g} | {o} |")
    n = len(DATASETS)
    print()
    for label, (e, g, o) in totals.items():
        print(f"- {label}: probes caught over the {n} sets: empty {e}/{n * len(EMPTY)}, "
              f"gibberish {g}/{n * len(GIBBERISH)}, off-domain {o}/{n * len(OFF_DOMAIN)}")


if __name__ == "__main__":
    main()
