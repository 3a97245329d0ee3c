#!/bin/bash
# Compares two builds of the CLI (pg-intent) for a change that must not
# change behaviour: each trains the same models from the same rows and
# options, and the model files must be equal byte for byte, the reports
# equal once their timings are removed, and the predictions equal. Then it
# times training, alternating the two binaries, and prints the median of
# each and their ratio.
#
#   scripts/compare-core.sh BASE_BINARY NEW_BINARY [RUNS]
#
# Data: data/ecommerce_es.csv, and from $DATASETS (default
# /work/shared/datasets) mtod_es.csv and clinc150_dev.csv when present.
set -euo pipefail
base=$(realpath "$1")
new=$(realpath "$2")
runs=${3:-5}
root=$(cd "$(dirname "$0")/.." && pwd)
datasets=${DATASETS:-/work/shared/datasets}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

# name|csv|train splits|options|extra train arguments|eval split|predict split
cases=("ecommerce_svm|$root/data/ecommerce_es.csv|train|{\"algorithm\":\"linear_svm\"}||test|test"
       "ecommerce_logreg|$root/data/ecommerce_es.csv|train|{\"algorithm\":\"logistic_regression\",\"typo_variants\":2}||test|test")
if [ -f "$datasets/mtod_es.csv" ]; then
    cases+=("mtod_svm|$datasets/mtod_es.csv|train|{\"algorithm\":\"linear_svm\"}||val|test"
            "mtod_logreg|$datasets/mtod_es.csv|train|{\"algorithm\":\"logistic_regression\"}||val|test"
            "mtod_gate|$datasets/mtod_es.csv|train,val|{\"algorithm\":\"linear_svm\"}|--active $work/mtod_svm.@WHICH@.bin --fresh-split val|test|test")
fi
if [ -f "$datasets/clinc150_dev.csv" ]; then
    cases+=("clinc_svm|$datasets/clinc150_dev.csv|train,oos_train|{\"algorithm\":\"linear_svm\"}|--oos-label oos|val|val"
            "clinc_logreg|$datasets/clinc150_dev.csv|train,oos_train|{\"algorithm\":\"logistic_regression\"}|--oos-label oos|val|val")
fi

# Rows of one split, texts only, one per line (no quoting in these sets'
# chosen splits is needed: the CSV parser of the CLI reads the model input).
texts_of() {
    python3 - "$1" "$2" <<'PY'
import csv, sys
with open(sys.argv[1], newline='', encoding='utf-8') as f:
    for r in csv.DictReader(f):
        if r['split'] == sys.argv[2]:
            print(r['text'].replace('\n', ' '))
PY
}

strip_timings() { python3 -c '
import json, sys
def clean(o):
    if isinstance(o, dict):
        return {k: clean(v) for k, v in o.items() if not (k.startswith("seconds") or k.endswith("_seconds") or k in ("timing", "timings", "ms"))}
    if isinstance(o, list):
        return [clean(v) for v in o]
    return o
print(json.dumps(clean(json.load(open(sys.argv[1]))), sort_keys=True, indent=1))' "$1"; }

fail=0
echo "== models, reports and predictions"
for c in "${cases[@]}"; do
    IFS='|' read -r name csv splits opts extra evalsplit predsplit <<<"$c"
    texts_of "$csv" "$predsplit" >"$work/$name.texts"
    for which in base new; do
        bin=${!which}
        # shellcheck disable=SC2086
        "$bin" train --data "$csv" --split "$splits" --model "$work/$name.$which.bin" --options "$opts" \
            --report "$work/$name.$which.json" ${extra//@WHICH@/$which} >/dev/null
        "$bin" predict --model "$work/$name.$which.bin" --top 3 --scores yes <"$work/$name.texts" >"$work/$name.$which.pred"
        "$bin" eval --data "$csv" --split "$evalsplit" --model "$work/$name.$which.bin" --timing no >"$work/$name.$which.eval"
        strip_timings "$work/$name.$which.json" >"$work/$name.$which.report"
    done
    model=$(cmp -s "$work/$name.base.bin" "$work/$name.new.bin" && echo identical || echo DIFFERENT)
    report=$(cmp -s "$work/$name.base.report" "$work/$name.new.report" && echo identical || echo DIFFERENT)
    evals=$(cmp -s "$work/$name.base.eval" "$work/$name.new.eval" && echo identical || echo DIFFERENT)
    ndiff=$(diff "$work/$name.base.pred" "$work/$name.new.pred" | grep -c '^<' || true)
    npred=$(wc -l <"$work/$name.base.pred")
    printf '%-18s model %s (%s bytes)  report %s  eval %s  predictions differing %s of %s lines\n' \
        "$name" "$model" "$(stat -c %s "$work/$name.base.bin")" "$report" "$evals" "$ndiff" "$npred"
    [ "$model$report$evals" = identicalidenticalidentical ] && [ "$ndiff" = 0 ] || fail=1
done

echo "== training time, $runs alternating runs each (load: $(cut -d' ' -f1-3 /proc/loadavg))"
time_one() { # binary case -> seconds
    IFS='|' read -r name csv splits opts extra _ _ <<<"$2"
    local t0 t1
    t0=$(date +%s.%N)
    # shellcheck disable=SC2086
    "$1" train --data "$csv" --split "$splits" --model "$work/t.bin" --options "$opts" $extra >/dev/null
    t1=$(date +%s.%N)
    echo "$t1 - $t0" | bc -l
}
median() { sort -g | awk '{a[NR]=$1} END {print (NR % 2) ? a[(NR+1)/2] : (a[NR/2] + a[NR/2+1]) / 2}'; }
timed=()
for c in "${cases[@]}"; do case $c in clinc*) timed+=("$c") ;; esac; done
[ ${#timed[@]} -gt 0 ] || timed=("${cases[@]:0:2}")
for c in "${timed[@]}"; do
    name=${c%%|*}
    : >"$work/tb"; : >"$work/tn"
    for ((i = 0; i < runs; ++i)); do
        if ((i % 2 == 0)); then
            time_one "$base" "$c" >>"$work/tb"; time_one "$new" "$c" >>"$work/tn"
        else
            time_one "$new" "$c" >>"$work/tn"; time_one "$base" "$c" >>"$work/tb"
        fi
    done
    mb=$(median <"$work/tb"); mn=$(median <"$work/tn")
    printf '%-18s base median %.3f s  new median %.3f s  new/base %.3f\n' "$name" "$mb" "$mn" "$(echo "$mn / $mb" | bc -l)"
done
echo "== load after: $(cut -d' ' -f1-3 /proc/loadavg)"

# Instructions are repeatable where wall time on a shared machine is not:
# one training of the small set on one thread under callgrind.
if command -v valgrind >/dev/null; then
    echo "== instructions (callgrind, ecommerce_es.csv, threads 1)"
    for alg in linear_svm logistic_regression; do
        for which in base new; do
            valgrind --tool=callgrind --callgrind-out-file="$work/cg.$which" "${!which}" train \
                --data "$root/data/ecommerce_es.csv" --split train --model "$work/cg.bin" \
                --options "{\"algorithm\":\"$alg\",\"threads\":1}" >/dev/null 2>"$work/cg.$which.log"
            eval "ir_$which=$(grep -m1 '^summary:' "$work/cg.$which" | cut -d' ' -f2)"
        done
        printf '%-20s base %s  new %s  new/base %.4f\n' "$alg" "$ir_base" "$ir_new" "$(echo "$ir_new / $ir_base" | bc -l)"
    done
fi
exit $fail
