#!/usr/bin/env bash
# The CLI and the server train the same model bytes from the same labelled
# rows: `pg-intent train` on a CSV file, and train_intent_model() after the
# same rows were loaded into ai_training_data as approved rows. The model
# depends on the order of its rows, and the file's order is not the server's
# (text, then label, in byte order): the CLI sorts its rows into the server's
# order (intent::compare_training_order()), so the file's order decides
# nothing. Checked: the sha256 of the CLI's model file equals the server's
# model row's, for the file as it is and for its rows reversed; and the CLI's
# report numbers its rows as the file does (row i's out-of-fold result is
# the same whichever order the file has).
#
# The rows: data/clinc150_small.csv's train split (400 rows, 20 intents, not
# in byte order) and a few more: an exact duplicate, a variant of a text in
# other letter case (one entry: which raw text stands for it depends on the
# order), and a text given two labels.
# Needs ./pg-intent (`make` builds it).
cd "$(dirname "$0")/../.."
source test/scripts/lib.bash
DB=pgi_cli_server
CLI=$PWD/pg-intent
[ -x "$CLI" ] || { echo "FAILED: $CLI is missing: run make" >&2; exit 1; }

DATA=$TEST_TMP/rows.csv
{
    echo "split,text,intent"
    grep '^train,' data/clinc150_small.csv
    cat <<'CSV'
train,can i make a reservation for redrobin,accept_reservations
train,Can I make a reservation for RedRobin,accept_reservations
train,the bill for water and electricity is how much,calories
train,the bill for water and electricity is how much,bill_balance
CSV
} >"$DATA"
rows=$(($(wc -l <"$DATA") - 1))
# The same rows, last first. (Header kept first; a quoted text holds no
# newline in this file.)
REVERSED=$TEST_TMP/reversed.csv
{
    head -1 "$DATA"
    tail -n +2 "$DATA" | tac
} >"$REVERSED"

"$CLI" train --data "$DATA" --split train --model "$TEST_TMP/cli.bin" --report "$TEST_TMP/cli.json" >/dev/null
"$CLI" train --data "$REVERSED" --split train --model "$TEST_TMP/reversed.bin" --report "$TEST_TMP/reversed.json" >/dev/null
cli_sha=$(sha256sum "$TEST_TMP/cli.bin" | cut -d' ' -f1)
reversed_sha=$(sha256sum "$TEST_TMP/reversed.bin" | cut -d' ' -f1)

fresh_db $DB
psql -X -q -v ON_ERROR_STOP=1 -d $DB <<SQL >/dev/null
CREATE TABLE ds (n serial, split text, text text, intent text);
\copy ds (split, text, intent) FROM '$DATA' WITH (FORMAT csv, HEADER true)
INSERT INTO ai_training_data (user_message, detected_intent, confidence_score, source, dataset_status)
SELECT text, intent, 100, 'imported', 'approved' FROM ds WHERE split = 'train' ORDER BY n;
SQL
status=$(PGOPTIONS="-c client_min_messages=warning" q $DB \
    "SELECT train_intent_model('cli and server', 'full', '{\"deploy\": \"always\"}') ->> 'status'")
expect_eq "$status" completed "the server trained on the same rows"
server=$(q $DB "SELECT m.sha256 || ' ' || encode(sha256(m.model), 'hex') || ' ' ||
                       (SELECT count(*) FROM ai_training_run_rows AS rr WHERE rr.run_id = r.id)
                  FROM ai_intent_models AS m JOIN ai_training_runs AS r ON r.id = m.run_id
                 WHERE r.run_name = 'cli and server'")
read -r server_sha server_bytes_sha server_rows <<<"$server"
expect_eq "$server_bytes_sha" "$server_sha" "the server's model row holds the bytes its sha256 names"
expect_eq "$server_rows" "$rows" "the server trained on the $rows rows"
expect_eq "$cli_sha" "$server_sha" "the CLI's model bytes are the server's (sha256)"
expect_eq "$reversed_sha" "$cli_sha" "the CLI trains the same model bytes from the $rows rows in either order"

# The reports number the rows as their files do: row i of one file is row
# rows-1-i of the other, with the same fold and out-of-fold answer.
python3 - "$TEST_TMP/cli.json" "$TEST_TMP/reversed.json" "$rows" <<'PY'
import json, sys
a, b = (json.load(open(p))["row_results"] for p in sys.argv[1:3])
n = int(sys.argv[3])
assert a["row"] == list(range(n)) == b["row"], "row_results.row is not 0..n-1"
keys = ["fold", "predicted", "confidence", "label_probability", "uncertain"]
bad = [i for i in range(n) if any(a[k][i] != b[k][n - 1 - i] for k in keys)]
assert not bad, "rows whose results differ between the two orders: %s" % bad[:10]
PY
echo "ok: the CLI's report numbers the rows in file order, whatever the order"
drop_db $DB
