#!/usr/bin/env bash
# A model row whose bytes are set NULL by hand (the functions refuse to
# remove an active model's: delete_intent_model(), prune_classifier_models())
# is refused with 55000 by every session at its next statement, whether or
# not it had loaded the model: the store keeps models by id and sha256,
# which such an UPDATE leaves as they were. 0.3.2 refused it for intent
# (model_cache.cpp reads whether the row has bytes) but a session that had
# predicted with a named classifier's model kept serving it from the store,
# while a new session got 55000 (classifier_cache.cpp read only id and tag).
cd "$(dirname "$0")/../.."
source test/scripts/lib.bash
DB=pgi_bytes_removed
fresh_db $DB
psql -X -q -v ON_ERROR_STOP=1 -d $DB <<'SQL' >/dev/null
SET client_min_messages = warning;
\i test/fixtures/spanish_80.sql
CREATE TABLE shop_rows (id bigint PRIMARY KEY, msg text, label text, shop text);
INSERT INTO shop_rows SELECT row_number() OVER (ORDER BY created_at), user_message, detected_intent, 'web'
  FROM ai_training_data;
SELECT create_classifier('shop', 'shop_rows', 'msg', 'label', '{"key_column": "id", "seed": 1}');
SELECT create_classifier('tenants', 'shop_rows', 'msg', 'label',
                         '{"key_column": "id", "seed": 1, "partition_column": "shop", "min_partition_rows": 20}');
SELECT train_intent_model('one', 'full', '{"seed": 1}'), train_classifier('shop', 'one'),
       train_classifier('tenants', 'one');
SQL
P="SELECT model_id FROM predict_label('shop', 'quiero devolver la chaqueta');"
shop=$(q $DB "SELECT id FROM ai_intent_models WHERE classifier = 'shop' AND is_active")
intent=$(q $DB "SELECT id FROM ai_intent_models WHERE classifier = 'intent' AND is_active")
web=$(q $DB "SELECT id FROM ai_intent_models WHERE classifier = 'tenants' AND partition_key = 'web' AND is_active")
[ -n "$web" ] || { echo "FAILED: no partition model for web" >&2; exit 1; }

session_open A $DB
expect_eq "$(session_run A "$P")" "$shop" "A serves the classifier's model"
expect_eq "$(session_run A "SELECT model_id FROM predict_intent('hola');")" "$intent" "A serves intent's model"
expect_eq "$(session_run A "SELECT model_id FROM predict_label('tenants', 'hola', 'web');")" "$web" \
    "A serves the partition's model"

q $DB "UPDATE ai_intent_models SET model = NULL WHERE id IN ($shop, $intent, $web)" >/dev/null
removed="ERROR:  intent model $shop has no model bytes"
expect_eq "$(psql -X -At -d $DB -c "$P" 2>&1 | head -n 1)" "$removed" "a new session: 55000"
expect_eq "$(session_run A "$P" | head -n 1)" "$removed" "A, which had loaded it: 55000 too, not the stored model"
expect_eq "$(session_run A "SELECT model_id FROM predict_intent('hola');" | head -n 1)" \
    "ERROR:  intent model $intent has no model bytes" "intent's model: 55000 (as before)"
expect_eq "$(session_run A "SELECT model_id FROM predict_label('tenants', 'hola', 'web');" | head -n 1)" \
    "ERROR:  intent model $web has no model bytes" "a partition's model: 55000"
session_close A
drop_db $DB
