#!/usr/bin/env bash
# A deploy that reaches a database by logical replication reaches its
# sessions too: a session on the subscriber that cached the active model
# serves the new one once the apply worker has applied the deploy, for
# predict_intent() and for a named classifier.
#
# The apply worker fires row triggers only, never statement triggers
# (PostgreSQL's "Logical Replication: Triggers"), so the statement trigger
# ai_intent_models_changed, ENABLE ALWAYS though it is, never ran there: a
# session that had loaded a model served it until it reconnected (or until
# something else invalidated ai_intent_models), while a new session served
# the replicated one.
cd "$(dirname "$0")/../.."
source test/scripts/lib.bash
DB=pgi_logical_test
SUB_HOST=$PGHOST
SUB_PORT=$PGPORT
# The subscription (left by a failed run too) goes before its database:
# detached from its slot, since the publisher may be gone.
drop_subscription() {
    psql -X -q "${SUB[@]}" -d $DB -c "ALTER SUBSCRIPTION pgi_models DISABLE" \
        -c "ALTER SUBSCRIPTION pgi_models SET (slot_name = NONE)" -c "DROP SUBSCRIPTION pgi_models" >/dev/null 2>&1 || true
    PGHOST=$SUB_HOST PGPORT=$SUB_PORT drop_db $DB
    psql -X -q "${SUB[@]}" -d postgres -c "DROP ROLE IF EXISTS pgi_logical_app" >/dev/null 2>&1 || true
}
SUB=(-h "$SUB_HOST" -p "$SUB_PORT")
drop_subscription
trap 'drop_subscription; stop_own_clusters; stop_extra_clusters' EXIT

# The publisher: a cluster of this test's own, with wal_level = logical.
PGI_PRELOAD=pg_intent PGI_CONF="wal_level = logical" start_own_cluster publisher
PUB_HOST=$PGHOST
PUB_PORT=$PGPORT
fresh_db $DB
load_ecommerce $DB
first=$(q $DB "SELECT (train_intent_model('first')->>'model_id')")
second=$(q $DB "SELECT (train_intent_model('second', 'full', '{\"deploy\":\"never\", \"seed\": 7}')->>'model_id')")
q $DB "CREATE TABLE msgs AS SELECT row_number() OVER (ORDER BY text, intent) AS id, text, intent FROM demo_rows WHERE split = 'train'" >/dev/null
q $DB "SELECT create_classifier('router', 'msgs', 'text', 'intent', '{\"key_column\": \"id\", \"seed\": 1}')" >/dev/null
q $DB "SELECT train_classifier('router')" >/dev/null
q $DB "SELECT train_classifier('router', 'candidate', '{\"deploy\": \"never\", \"seed\": 2}')" >/dev/null
router_first=$(q $DB "SELECT id FROM ai_intent_models WHERE classifier = 'router' AND is_active")
router_candidate=$(q $DB "SELECT max(id) FROM ai_intent_models WHERE classifier = 'router' AND NOT is_active")
# The models and the named classifier (the built-in intent's row is each
# database's own).
q $DB "CREATE PUBLICATION pgi_models FOR TABLE ai_intent_models, ai_classifiers WHERE (name <> 'intent')" >/dev/null

# The subscriber: the cluster the test was given.
export PGHOST=$SUB_HOST PGPORT=$SUB_PORT
fresh_db $DB
q $DB "CREATE SUBSCRIPTION pgi_models CONNECTION 'host=$PUB_HOST port=$PUB_PORT user=postgres dbname=$DB' PUBLICATION pgi_models" >/dev/null 2>&1
# Waits until the subscriber's active models are the ids given.
wait_active() { # intent_id router_id what
    local got=
    for _ in $(seq 1 300); do
        got=$(q $DB "SELECT string_agg(id::text, ',' ORDER BY classifier) FROM ai_intent_models WHERE is_active")
        [ "$got" = "$1,$2" ] && break
        sleep 0.1
    done
    expect_eq "$got" "$1,$2" "$3"
}
wait_active "$first" "$router_first" "the subscriber holds the publisher's active models"

start_session_a $DB
expect_eq "$(ask_a "SELECT model_id FROM predict_intent('hola');")" "$first" "a subscriber session serves the first model"
expect_eq "$(ask_a "SELECT model_id FROM predict_label('router', 'hola');")" "$router_first" \
    "and the classifier's first model"

PGHOST=$PUB_HOST PGPORT=$PUB_PORT q $DB "SELECT deploy_intent_model($second)" >/dev/null
PGHOST=$PUB_HOST PGPORT=$PUB_PORT q $DB "SELECT deploy_classifier_model('router', $router_candidate)" >/dev/null
wait_active "$second" "$router_candidate" "the subscriber applied both deploys"
expect_eq "$(q $DB "SELECT model_id FROM predict_intent('hola')")" "$second" "a new subscriber session serves the second model"
expect_eq "$(ask_a "SELECT model_id FROM predict_intent('hola');")" "$second" \
    "the session that cached the first model serves the second"
expect_eq "$(ask_a "SELECT model_id FROM predict_label('router', 'hola');")" "$router_candidate" \
    "and the classifier's deployed candidate"

# A rollback on the publisher too.
PGHOST=$PUB_HOST PGPORT=$PUB_PORT q $DB "SELECT rollback_intent_model()" >/dev/null
wait_active "$first" "$router_candidate" "the subscriber applied the rollback"
expect_eq "$(ask_a "SELECT model_id FROM predict_intent('hola');")" "$first" "the session serves the rolled-back model"

# A grant and its revoke (rows of ai_classifiers): the session of a role
# the revoke concerns is refused at its next call.
q $DB "DROP ROLE IF EXISTS pgi_logical_app; CREATE ROLE pgi_logical_app" >/dev/null
wait_public() { # value what
    local got=
    for _ in $(seq 1 300); do
        got=$(q $DB "SELECT predict_public FROM ai_classifiers WHERE name = 'router'")
        [ "$got" = "$1" ] && break
        sleep 0.1
    done
    expect_eq "$got" "$1" "$2"
}
PGHOST=$PUB_HOST PGPORT=$PUB_PORT q $DB "SELECT grant_classifier_access('router', 'PUBLIC', 'predict')" >/dev/null
wait_public t "the subscriber applied the grant to PUBLIC"
expect_eq "$(ask_a "SET ROLE pgi_logical_app; SELECT model_id FROM predict_label('router', 'hola');")" "$router_candidate" \
    "a role without a grant of its own predicts"
PGHOST=$PUB_HOST PGPORT=$PUB_PORT q $DB "SELECT revoke_classifier_access('router', 'PUBLIC', 'predict')" >/dev/null
wait_public f "the subscriber applied the revoke"
expect_eq "$(ask_a "SELECT model_id FROM predict_label('router', 'hola');")" \
    'ERROR:  permission denied for classifier "router"' "and is refused once the revoke is applied"
ask_a "RESET ROLE;" >/dev/null

end_session_a
