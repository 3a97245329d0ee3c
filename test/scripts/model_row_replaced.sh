#!/usr/bin/env bash
# A model row replaced by another under the same id, between a call's
# look-up of the row and its load of the bytes, fails the statement with
# 40001 (retry), and the next statement serves the new row's model. The
# store keeps models by id and the row's sha256 (src/pg/model_store.cpp):
# the call decided which row to use (and whether the caller may) on the
# row it looked up, so the bytes of another row are not served in its
# place. Such a replacement is what a Citus worker does when the
# coordinator's copy of a model takes the id of a row of its own
# (src/sql/62_citus_nodes.sql); here the owner does it by hand. gdb holds
# the backend between the look-up and the load.
cd "$(dirname "$0")/../.."
source test/scripts/lib.bash
DB=pgi_row_replaced
fresh_db $DB
load_ecommerce $DB
first=$(q $DB "SELECT (train_intent_model('first', 'full', '{\"seed\": 1}') ->> 'model_id')")
other=$(q $DB "SELECT (train_intent_model('other', 'full',
                '{\"seed\": 2, \"algorithm\": \"logistic_regression\", \"deploy\": \"never\"}') ->> 'model_id')")
expect_eq "$(q $DB "SELECT count(DISTINCT sha256) FROM ai_intent_models")" 2 "two models, two sha256"

session_open P $DB
session_run P "\\set VERBOSITY verbose" >/dev/null
ppid=$(session_pid P)
gdb_hold_at "$ppid" pg_intent::load_model_row

# The session looks up the active row (model $first), finds nothing kept,
# and stops where it loads the row's bytes.
session_send P "SELECT predicted_intent, model_id FROM predict_intent('quiero devolver el pedido');"
gdb_wait_held
# Meanwhile the id $first comes to name the other model's row.
psql -X -q -v ON_ERROR_STOP=1 -d $DB <<SQL
BEGIN;
UPDATE ai_intent_models SET is_active = false WHERE id = $first;
DELETE FROM ai_intent_models WHERE id = $first;
UPDATE ai_intent_models SET id = $first, is_active = true WHERE id = $other;
COMMIT;
SQL
gdb_release
out=$(session_wait P)
expect_eq "$(head -n 1 <<<"$out")" "ERROR:  40001: intent model $first was replaced while it was read" \
    "the load finds another row under the id: 40001, not the other row's model"
expect_eq "$(session_run P "SELECT 1;")" 1 "the session goes on"
expected=$(q $DB "SELECT predicted_intent || ' ' || model_id FROM predict_intent('quiero devolver el pedido')")
expect_eq "$(session_run P "SELECT predicted_intent || ' ' || model_id FROM predict_intent('quiero devolver el pedido');")" \
    "$expected" "the next statement serves the row that now has the id, as a new session does"
session_close P
drop_db $DB
