#!/usr/bin/env bash
# Every path that takes a classifier's deployment lock takes the
# classifier's row (FOR KEY SHARE) first, in drop_classifier()'s order (the
# row FOR UPDATE, then the deployment lock): a drop_classifier() that comes
# while a transaction holds the deployment lock waits for it, and no
# deadlock follows. Before, prune_classifier_models(), delete_intent_model(),
# deploy_classifier_model() and rollback_classifier() took the lock first
# and the row only in _pg_intent_activate(): a transaction that pruned (or
# deleted, or deployed) and then deployed while a drop waited failed with
# 40P01 "deadlock detected", naming an object by class OIDs.
cd "$(dirname "$0")/../.."
source test/scripts/lib.bash
DB=pgi_deploy_drop_order
export PGOPTIONS="${PGOPTIONS:-} -c client_min_messages=warning" # no training progress
fresh_db $DB
psql -X -q -v ON_ERROR_STOP=1 -d $DB <<'SQL' >/dev/null
SET client_min_messages = warning;
\i test/fixtures/spanish_80.sql
CREATE TABLE shop_rows (id bigint PRIMARY KEY, msg text, label text);
INSERT INTO shop_rows SELECT row_number() OVER (ORDER BY created_at), user_message, detected_intent FROM ai_training_data;
SQL

session_open S1 $DB
session_open S2 $DB
for first in "SELECT prune_classifier_models('shop') IS NOT NULL;" \
             "SELECT delete_intent_model(:old) IS NOT NULL;" \
             "SELECT rollback_classifier('shop') IS NOT NULL;"; do
    q $DB "SELECT create_classifier('shop', 'shop_rows', 'msg', 'label', '{\"key_column\": \"id\", \"seed\": 1}') IS NOT NULL" >/dev/null
    old=$(q $DB "SELECT train_classifier('shop', 'one') ->> 'model_id'")
    active=$(q $DB "SELECT train_classifier('shop', 'two', '{\"seed\": 2, \"deploy\": \"always\"}') ->> 'model_id'")
    spare=$(q $DB "SELECT train_classifier('shop', 'three', '{\"seed\": 3, \"deploy\": \"never\"}') ->> 'model_id'")
    first_sql=${first//:old/$old}
    expect_eq "$(session_run S1 "BEGIN; $first_sql")" "t" "S1: $first_sql (in a transaction)"
    session_send S2 "SELECT drop_classifier('shop', true) ->> 'models_deleted';"
    # S2 waits for S1 (its row lock or the deployment lock)
    for _ in $(seq 1 100); do
        [ "$(q $DB "SELECT count(*) FROM pg_stat_activity WHERE datname = '$DB' AND wait_event_type = 'Lock'")" = 1 ] && break
        sleep 0.1
    done
    expect_eq "$(q $DB "SELECT count(*) FROM pg_stat_activity WHERE datname = '$DB' AND wait_event_type = 'Lock'")" 1 \
        "drop_classifier() waits for S1"
    expect_eq "$(session_run S1 "SELECT deploy_classifier_model('shop', $spare) ->> 'model_id'; COMMIT;")" "$spare" \
        "S1 then deploys, without a deadlock"
    expect_eq "$(session_wait S2)" 3 "the drop follows, and deletes the three models"
done
session_close S1
session_close S2
drop_db $DB
