#!/usr/bin/env bash
# The demo's story (scripts/demo.sh --story, told by scripts/demo.sql) on a
# fresh database of the test cluster: every step runs, the three trainings
# complete, the second and third go through the deploy gate on fresh rows
# and their decisions are printed with the reason the run recorded, the
# review queue's suspects are shown, a prediction abstains (uncertain), the
# HTML report is written where the demo says, and no number is printed with
# a float's long tail of digits. Also: the story refuses a database that
# already holds pg_intent data (its counts would be wrong).
cd "$(dirname "$0")/../.."
source test/scripts/lib.bash
DB=pgi_demo
trap 'drop_db $DB; rm -rf "$TEST_TMP"' EXIT

fail() {
    echo "FAILED: $1" >&2
    exit 1
}
# The lines of step $1 of the output (from its "== N." header to the next).
section() {
    awk -v n="$1" '/^== [0-9]+\./ { on = ($2 == n ".") } on' "$OUT"
}

fresh_db $DB
OUT=$TEST_TMP/story.txt
if ! DEMO_DB=$DB DEMO_OUT=$TEST_TMP/out bash scripts/demo.sh --story >"$OUT" 2>&1; then
    cat "$OUT"
    fail "scripts/demo.sh --story exited with an error"
fi
cat "$OUT"

for n in 1 2 3 4 5 6 7; do
    [ -n "$(section $n)" ] || fail "step $n is missing from the output"
done
! grep -qE 'ERROR:|WARNING:|FALLIDO' "$OUT" || fail "the story printed an error, a warning or a failed run"
echo "ok: the seven steps ran, without errors or warnings"

# The trainings, from the database: all completed, the second and third
# weighed on fresh rows by the deploy gate.
expect_eq "$(q $DB "SELECT string_agg(run_name || ':' || status, ',' ORDER BY started_at) FROM ai_training_runs")" \
    "primer modelo:completed,segundo modelo:completed,tercer modelo:completed" "three trainings completed"
expect_eq "$(q $DB "SELECT string_agg(deploy_evidence, ',' ORDER BY started_at) FROM ai_training_runs")" \
    "none,fresh_rows,fresh_rows" "the second and third runs went through the gate on fresh rows"
[ "$(grep -c 'Entrenamiento completado' "$OUT")" = 3 ] || fail "three completed trainings are not all printed"
# Each run's decision is printed with the reason the run recorded, and
# explained (words after the reason).
while IFS='|' read -r name deployed reason; do
    case $name in
    'primer modelo') step=3 ;;
    'segundo modelo') step=4 ;;
    *) step=5 ;;
    esac
    if [ "$deployed" = t ]; then word=DESPLEGADO; else word='NO desplegado'; fi
    grep -qE "Decisión: ${word}[^(]*\(${reason}\): [[:alpha:]]" <<<"$(section $step)" ||
        fail "step $step does not print the decision of '$name' ($word, $reason) with its explanation"
    echo "ok: $name: decision printed ($word, $reason)"
done < <(q $DB "SELECT run_name, deployed, deploy_reason FROM ai_training_runs ORDER BY started_at")
# The gate's evidence table: both models, for the second and the third run.
for step in 4 5; do
    grep -qE '^ activo +\| 0\.[0-9]{2} ' <<<"$(section $step)" || fail "step $step does not show the active model's gate scores"
    grep -qE '^ nuevo +\| 0\.[0-9]{2} ' <<<"$(section $step)" || fail "step $step does not show the new model's gate scores"
done
echo "ok: the gate's scores of both models are shown"

# The review queue: its top rows are shown, each a suspected label error
# (suspected_intent is set for those only, and differs from the label).
shown=$(section 5 | awk -F' *[|] *' '$1 ~ /^ *[0-9]+$/ && NF == 5')
[ -n "$shown" ] || fail "step 5 shows no row of the review queue"
bad=$(awk -F' *[|] *' '$4 == "" || $4 == $3' <<<"$shown")
[ -z "$bad" ] || fail "rows shown as suspects without a suspected intent other than their label: $bad"
echo "ok: the review queue's top $(wc -l <<<"$shown") suspects are shown"

# Predictions: at least one abstention, and as many as classify_intent() gives.
abstained=$(section 6 | grep -cE '^ .*\| uncertain +\|' || true)
[ "$abstained" -ge 1 ] || fail "no prediction abstains (uncertain) in step 6"
grep -qE '\| [0-9]{1,3}%$' <<<"$(section 6)" || fail "confidences are not printed as percents"
echo "ok: predictions shown, $abstained abstaining"

# The HTML report: where the demo says, non-empty, an HTML page.
report=$TEST_TMP/out/informe.html
grep -qF "Informe escrito en $report" "$OUT" || fail "the report's path is not printed"
[ -s "$report" ] || fail "the report $report is missing or empty"
head -c 200 "$report" | grep -qi '<!DOCTYPE html>' || fail "the report is not an HTML page"
echo "ok: the HTML report is written ($(stat -c %s "$report") bytes) and its path printed"

# Numbers are rounded: nothing with more than 3 decimals.
if grep -nE '[0-9]\.[0-9]{4,}' "$OUT"; then
    fail "the output has unrounded numbers (above)"
fi
echo "ok: no unrounded numbers"

# A second story on the same database is refused, not told with wrong counts.
if DEMO_DB=$DB DEMO_OUT=$TEST_TMP/out2 bash scripts/demo.sh --story >"$TEST_TMP/again.txt" 2>&1; then
    fail "the story ran again on a database that already has its data"
fi
grep -q 'the demo needs a database without pg_intent data' "$TEST_TMP/again.txt" ||
    { cat "$TEST_TMP/again.txt"; fail "the second story did not say why it stopped"; }
echo "ok: a database with data is refused"
