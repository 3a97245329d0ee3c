#!/usr/bin/env bash
# The CLI's numeric flags: a value that is not a number, or out of range, is
# a usage error (exit status 2) that names the flag. --partitions and
# --split-weight were parsed with std::stol and std::stof, whose exceptions
# ended the CLI with "pg-intent: stol" or "pg-intent: stof" (status 1),
# naming neither the flag nor the value. Needs ./pg-intent (`make` builds
# it); no server.
cd "$(dirname "$0")/../.."
source test/scripts/lib.bash
CLI=$PWD/pg-intent
[ -x "$CLI" ] || { echo "FAILED: $CLI is missing: run make" >&2; exit 1; }
DATA=$TEST_TMP/rows.csv
{
    echo "split,text,intent"
    grep '^train,' data/ecommerce_es.csv
} >"$DATA"

# Runs the CLI with $@; prints its exit status and its first line of errors.
usage() {
    local rc=0
    "$CLI" "$@" >/dev/null 2>"$TEST_TMP/err" || rc=$?
    echo "$rc $(head -1 "$TEST_TMP/err")"
}
train() { usage train --data "$DATA" --model "$TEST_TMP/m.bin" "$@"; }

for v in abc 3x '' 99999999999999999999999 0 -2; do
    expect_eq "$(train --partitions "$v")" "2 pg-intent: --partitions must be a positive integer" \
        "--partitions '$v' is a usage error naming the flag"
done
for v in train=abc train=1x train= train=-1 train=0 train=nan train=inf train=1e999; do
    expect_eq "$(train --split-weight "$v")" "2 pg-intent: --split-weight: a weight must be a positive finite number" \
        "--split-weight '$v' is a usage error naming the flag"
done
expect_eq "$(train --split-weight train)" "2 pg-intent: --split-weight takes S=W items" "--split-weight without '='"
# Valid values still train.
expect_eq "$(train --partitions 3 --split-weight train=0.5)" "0 " "valid --partitions and --split-weight train"
