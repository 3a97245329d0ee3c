#!/usr/bin/env bash
# The accuracy cost of the privacy rules of a partitioned classifier (issue
# 31, item 9): normalize_digits (every model of a partitioned classifier)
# and min_feature_partitions 2 (its shared fallback: only n-grams seen in
# two partitions). Each public dataset's train split is cut into N synthetic
# partitions (row i in partition i mod N, so every partition has every
# intent, as tenants of one product would) and the fallback is trained on
# all of it; every model is scored on the dataset's test split (CLINC150:
# val, in-scope rows). Core CLI, no database.
#
#   bench/privacy_rule.sh            # writes bench/results/<date>-<machine>-privacy-rule.md
#
# Needs build/release/pg-intent (scripts/core-test.sh builds it) and
# ../shared/datasets.
set -euo pipefail
cd "$(dirname "$0")/.."
BIN=${BIN:-build/release/pg-intent}
DATA=${DATA:-../shared/datasets}
[ -d "$DATA" ] || DATA=/work/shared/datasets
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT
OUT=${OUT:-bench/results/$(date -u +%F)-$(hostname -s)-privacy-rule.md}

field() { python3 -c 'import json,sys; print(json.loads(sys.argv[1])[sys.argv[2]])' "$1" "$2"; }

{
echo "# Privacy rules of a partitioned classifier: accuracy cost"
echo
echo "$(date -u '+%F %H:%M') UTC, $(hostname -s), $(nproc) cores, commit $(git rev-parse --short HEAD)$(git diff --quiet || echo '+dirty')."
echo "Command: \`bench/privacy_rule.sh\`. Default options otherwise (seed 42)."
echo
echo "| dataset | train rows | model | partitions | features | accuracy | macro F1 | Δ accuracy (points) |"
echo "|---|---|---|---|---|---|---|---|"
for spec in "snips:test" "hwu64:test" "mtod_es:test" "clinc150_dev:val"; do
    ds=${spec%%:*}; test_split=${spec##*:}
    base_acc=""
    for cfg in "base::{}" "digits::{\"normalize_digits\":true}" \
               "fallback:2:{\"normalize_digits\":true,\"min_feature_partitions\":2}" \
               "fallback:5:{\"normalize_digits\":true,\"min_feature_partitions\":2}" \
               "fallback:20:{\"normalize_digits\":true,\"min_feature_partitions\":2}" \
               "fallback:100:{\"normalize_digits\":true,\"min_feature_partitions\":2}"; do
        name=${cfg%%:*}; rest=${cfg#*:}; parts=${rest%%:*}; opts=${rest#*:}
        args=(--data "$DATA/$ds.csv" --split train --model "$WORK/m.bin" --options "$opts")
        [ -n "$parts" ] && args+=(--partitions "$parts")
        train=$("$BIN" train "${args[@]}")
        ev=$("$BIN" eval --data "$DATA/$ds.csv" --split "$test_split" --model "$WORK/m.bin")
        acc=$(field "$ev" accuracy); f1=$(field "$ev" macro_f1)
        [ -z "$base_acc" ] && base_acc=$acc
        delta=$(python3 -c "print(f'{(float($acc)-float($base_acc))*100:+.2f}')")
        printf '| %s | %s | %s | %s | %s | %.4f | %.4f | %s |\n' "$ds" "$(field "$train" rows)" "$name" \
            "${parts:-–}" "$(field "$train" features)" "$acc" "$f1" "$delta"
    done
done
} | tee "$OUT"
