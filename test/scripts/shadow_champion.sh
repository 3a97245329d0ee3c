#!/usr/bin/env bash
# shadow_predict() never scores the challenger against itself: the champion
# is the model predict_intent() serves, read with a fresh snapshot, and a
# challenger that is that model is refused (22023) in every isolation level.
# Before, the check read is_active through the transaction's snapshot: in a
# REPEATABLE READ transaction begun before the challenger was deployed, the
# call passed it, predicted twice with the challenger and logged the pair in
# ai_shadow_predictions as an agreement of the challenger with the champion.
cd "$(dirname "$0")/../.."
source test/scripts/lib.bash
DB=pgi_shadow_champion
trap 'drop_db $DB; stop_own_clusters; stop_extra_clusters' EXIT
fresh_db $DB
load_ecommerce $DB
first=$(q $DB "SELECT (train_intent_model('first')->>'model_id')" 2>/dev/null)
second=$(q $DB "SELECT (train_intent_model('second', 'full', '{\"deploy\":\"never\", \"seed\": 7}')->>'model_id')" 2>/dev/null)

session_open a $DB
for iso in "READ COMMITTED" "REPEATABLE READ"; do
    session_run a "BEGIN ISOLATION LEVEL $iso; SELECT count(*) FROM ai_intent_models;" >/dev/null
    q $DB "SELECT deploy_intent_model($second)" >/dev/null
    expect_eq "$(session_run a "SELECT shadow_predict('hola', $second) ->> 'agreed';" | head -1)" \
        "ERROR:  invalid value for p_challenger_model_id: $second" \
        "[$iso] the challenger deployed during the transaction is the champion, and refused"
    session_run a "ROLLBACK;" >/dev/null
    expect_eq "$(q $DB "SELECT count(*) FROM ai_shadow_predictions WHERE champion_model_id = challenger_model_id")" 0 \
        "[$iso] no model is logged against itself"
    # The first model, now the challenger, is scored against the second.
    expect_eq "$(session_run a "SELECT (s #>> '{champion,model_id}') || ',' || (s #>> '{challenger,model_id}') FROM shadow_predict('hola', $first) AS s;")" \
        "$second,$first" "[$iso] the model replaced is a challenger of the one deployed"
    q $DB "SELECT rollback_intent_model()" >/dev/null
done
session_close a
