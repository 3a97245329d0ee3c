#!/usr/bin/env bash
# A session that cached the active model sees a model deployed by another
# session at its next call after the deploy commits, and not before.
cd "$(dirname "$0")/../.."
source test/scripts/lib.bash
DB=pgi_cache_test
fresh_db $DB
load_ecommerce $DB
first=$(q $DB "SELECT (train_intent_model('first')->>'model_id')")

# Session A: a long-lived psql that answers one query per line we send it.
coproc SESSION_A { psql -X -At -q -v ON_ERROR_STOP=1 -d $DB 2>&1; }
ask_a() {
    echo "$1" >&"${SESSION_A[1]}"
    local line
    IFS= read -r -t 60 line <&"${SESSION_A[0]}"
    echo "$line"
}
expect_eq "$(ask_a "SELECT model_id FROM predict_intent('quiero devolver un producto');")" "$first" \
    "session A serves the first model"

# Session B trains a second model but keeps it undeployed, then deploys it
# inside an open transaction: A must keep the old model until B commits.
second=$(q $DB "SELECT (train_intent_model('second', 'full', '{\"deploy\":\"never\", \"seed\": 7}')->>'model_id')")
expect_eq "$(ask_a "SELECT model_id FROM predict_intent('hola');")" "$first" "an undeployed model changes nothing"

coproc SESSION_B { psql -X -At -q -v ON_ERROR_STOP=1 -d $DB 2>&1; }
echo "BEGIN; SELECT deploy_intent_model($second) IS NOT NULL;" >&"${SESSION_B[1]}"
IFS= read -r -t 60 line <&"${SESSION_B[0]}"
expect_eq "$line" "t" "session B deployed the second model (uncommitted)"
expect_eq "$(ask_a "SELECT model_id FROM predict_intent('hola');")" "$first" "uncommitted deploy is invisible to A"

echo "COMMIT; SELECT 'committed';" >&"${SESSION_B[1]}"
IFS= read -r -t 60 line <&"${SESSION_B[0]}"
expect_eq "$line" "committed" "session B committed"
expect_eq "$(ask_a "SELECT model_id FROM predict_intent('hola');")" "$second" "A sees the new model after commit"
expect_eq "$(ask_a "SELECT classify_intent('quiero devolver un producto') IS NOT NULL;")" "t" "classify works after reload"

# Rollback from a third session is seen by A too.
q $DB "SELECT rollback_intent_model()" >/dev/null
expect_eq "$(ask_a "SELECT model_id FROM predict_intent('hola');")" "$first" "A sees the rollback"

# Inside an open transaction too (drivers that do not autocommit leave
# read-only workers idle in transaction for hours): a deploy or a rollback
# that commits meanwhile is served at A's next call, in READ COMMITTED and in
# REPEATABLE READ (the model is read with a fresh snapshot, whatever the
# transaction's). Before, A served the old model until its transaction ended.
for iso in "READ COMMITTED" "REPEATABLE READ"; do
    ask_a "BEGIN ISOLATION LEVEL $iso; SELECT 'begun';" >/dev/null
    expect_eq "$(ask_a "SELECT model_id FROM predict_intent('hola');")" "$first" "[$iso] A serves the first model in its transaction"
    q $DB "SELECT deploy_intent_model($second)" >/dev/null
    expect_eq "$(ask_a "SELECT model_id FROM predict_intent('hola');")" "$second" \
        "[$iso] a deploy committed during A's transaction is served at A's next call"
    q $DB "SELECT rollback_intent_model()" >/dev/null
    expect_eq "$(ask_a "SELECT (predict_intent('hola', $first)).model_id;")$(ask_a "SELECT model_id FROM predict_intent('hola');")" \
        "$first$first" "[$iso] and so is the rollback"
    ask_a "COMMIT; SELECT 'done';" >/dev/null
done

# One engine: a named classifier over a view of ai_training_data (the same
# rows) is served the same way. A's open transaction sees its deploy and
# rollback, committed by another session, at its next call, as it sees
# intent's above.
psql -X -q -v ON_ERROR_STOP=1 -d $DB <<'SQL' >/dev/null
SET client_min_messages = warning;
CREATE VIEW mirror_rows AS SELECT d.id, d.user_message AS body, d.training_label AS label, d.created_at
  FROM ai_training_data AS d WHERE d.training_label IS NOT NULL;
SELECT create_classifier('mirror', 'mirror_rows', 'body', 'label', '{"key_column": "id", "time_column": "created_at"}');
SQL
m_first=$(q $DB "SELECT train_classifier('mirror', 'first') ->> 'model_id'" 2>/dev/null)
m_second=$(q $DB "SELECT train_classifier('mirror', 'second', '{\"deploy\":\"never\", \"seed\": 7}') ->> 'model_id'" 2>/dev/null)
for iso in "READ COMMITTED" "REPEATABLE READ"; do
    ask_a "BEGIN ISOLATION LEVEL $iso; SELECT 'begun';" >/dev/null
    expect_eq "$(ask_a "SELECT (predict_label('mirror', 'hola')).model_id;")" "$m_first" "[$iso] A serves mirror's first model"
    q $DB "SELECT deploy_classifier_model('mirror', $m_second)" >/dev/null
    expect_eq "$(ask_a "SELECT (predict_label('mirror', 'hola')).model_id;")" "$m_second" \
        "[$iso] mirror's deploy committed during A's transaction is served at A's next call"
    q $DB "SELECT rollback_classifier('mirror')" >/dev/null
    expect_eq "$(ask_a "SELECT (predict_label('mirror', 'hola')).model_id;")" "$m_first" "[$iso] and so is mirror's rollback"
    ask_a "COMMIT; SELECT 'done';" >/dev/null
done

echo '\q' >&"${SESSION_A[1]}"
echo '\q' >&"${SESSION_B[1]}"
wait
psql -X -q -d postgres -c "DROP DATABASE $DB WITH (FORCE)"
