#!/usr/bin/env bash
# The upgrade path from 0.2.0, as a user meets it.
#
#  1. The landed 0.2.0 is built from its commit and installed in a cluster
#     of this test's own; a database is filled through the 0.2.0 API
#     (test/scripts/upgrade_fill_020.sql). A copy of it also gets the rows
#     0.2.0 let any logging role write and 0.2.1 refuses (blank, padded and
#     reserved labels).
#  2. The package is upgraded: the new library and scripts replace 0.2.0's.
#     Until ALTER EXTENSION runs, 0.2.0's SQL calls the new library, so
#     prediction and training through the 0.2.0 functions must still work.
#  3. ALTER EXTENSION pg_intent UPDATE. Then:
#     - every row of every 0.2.0 table is still there, unchanged except where
#       0.2.1 means to change it (expected_before() below says where);
#     - every model predicts bit for bit as before;
#     - the catalog equals a fresh install's (test/scripts/catalog.sql);
#     - the database with the refused labels updates too, keeps those rows,
#       says so, and trains around them.
cd "$(dirname "$0")/../.."
source test/scripts/lib.bash
V020_COMMIT=594c357edc917abfe289d83b6d4ed0d17e942aaf # the landed 0.2.0
DB=upg
OUT=$TEST_TMP/out
mkdir -p "$OUT"

V020_SRC=$(build_release 0.2.0 "$V020_COMMIT") || exit 1
echo "ok: built the 0.2.0 library from $V020_COMMIT"

PGI_SOURCE=$V020_SRC PGI_PRELOAD= start_own_cluster cluster
psql -X -q -d postgres -c "CREATE DATABASE $DB"
psql -X -q -d $DB -c "CREATE EXTENSION pg_intent VERSION '0.2.0'"
expect_eq "$(q $DB "SELECT extversion FROM pg_extension WHERE extname = 'pg_intent'")" "0.2.0" "0.2.0 installed"
psql -X -q -d $DB -f test/scripts/upgrade_fill_020.sql >"$OUT/fill.log"
echo "ok: filled through the 0.2.0 API: $(q $DB "SELECT format('%s interactions, %s corrections, %s review actions, %s runs, %s models, %s deployments, %s snapshots, %s shadow predictions',
    (SELECT count(*) FROM ai_training_data), (SELECT count(*) FROM ai_intent_corrections),
    (SELECT count(*) FROM ai_review_actions), (SELECT count(*) FROM ai_training_runs),
    (SELECT count(*) FROM ai_intent_models), (SELECT count(*) FROM ai_model_deployments),
    (SELECT count(*) FROM ai_metrics_snapshots), (SELECT count(*) FROM ai_shadow_predictions))")"

# The copy with the labels 0.2.0 accepted from any logging role: a role
# holding only the README recipe's INSERT grant writes them.
psql -X -q -d postgres -c "CREATE DATABASE poisoned TEMPLATE $DB"
psql -X -q -v ON_ERROR_STOP=1 -d poisoned <<'SQL'
DROP ROLE IF EXISTS pgi_logger;
CREATE ROLE pgi_logger;
GRANT INSERT (id, user_message, detected_intent, confidence_score, ai_response, response_source, escalated,
              conversation_id, message_id, user_id, category, source) ON ai_training_data TO pgi_logger;
SET ROLE pgi_logger;
INSERT INTO ai_training_data (id, user_message, detected_intent, confidence_score)
VALUES (gen_random_uuid(), 'hola', 'uncertain', 90),
       (gen_random_uuid(), 'hola 2', 'uncertain ', 90),
       (gen_random_uuid(), 'hola 3', ' ', 90),
       (gen_random_uuid(), 'hola 4', E'\t', 90),
       (gen_random_uuid(), 'hola 5', ' return_process', 90);
RESET ROLE;
SQL
expect_eq "$(q poisoned "SELECT train_intent_model('blocked', 'full', '{\"deploy\": \"never\"}') ->> 'status'")" "failed" \
    "0.2.0: the logged rows stop every training run"
POISONED_ROWS=$(q poisoned "SELECT md5(string_agg(t.id || ':' || coalesce(t.detected_intent, '-'), ',' ORDER BY t.id)) FROM ai_training_data AS t")

TABLES=(ai_training_data ai_intent_corrections ai_review_actions ai_training_runs ai_training_run_rows ai_intent_models
    ai_model_deployments ai_metrics_snapshots ai_prompt_versions ai_feedback_cues ai_shadow_predictions ai_training_policy)
SEQUENCES=(ai_intent_models_id_seq ai_model_deployments_id_seq ai_feedback_cues_id_seq ai_shadow_predictions_id_seq
    ai_review_actions_id_seq)
MESSAGES="ARRAY['quiero devolver un producto', '¿dónde está mi paquete?', 'hola buenas', 'ÑANDÚ ¿¡qué!? 123',
    'el cupón no funciona', '', '   ', 'x', 'quiero hablar con una persona ya', 'gracias 😀',
    repeat('envío gratis ', 200)]"

# One JSON line per row, keys sorted (jsonb), rows in key order.
rows_of() { # db table [jsonb expression over t]
    q "$1" "SELECT (${3:-to_jsonb(t)})::text FROM $2 AS t ORDER BY 1"
}
# What 0.2.1 is expected to make of a 0.2.0 row: everywhere not named here
# the row must come through unchanged.
expected_before() { # table
    case "$1" in
    # 0.2.1 keeps no message text in the shadow log: a text equal to the
    # linked row's message stays there only, any other moves to the
    # owner-only ai_shadow_legacy_messages (checked below).
    ai_shadow_predictions) echo "to_jsonb(t) - 'message'" ;;
    esac
}
columns_of() { # db table
    q "$1" "SELECT string_agg(quote_literal(attname), ',') FROM pg_attribute
            WHERE attrelid = '$2'::regclass AND attnum > 0 AND NOT attisdropped"
}
# Every model's predictions, as returned: the float8 confidence and every
# top_intents probability exactly (shortest exact text).
predictions_of() { # db
    q "$1" "SELECT format('%s | %s | %s | %s | %s | %s', m.id, md5(msg), p.predicted_intent, p.confidence, p.uncertain,
                          p.top_intents::text)
            FROM ai_intent_models AS m, unnest($MESSAGES) WITH ORDINALITY AS u(msg, i),
                 LATERAL predict_intent(msg, m.id) AS p
            WHERE m.model IS NOT NULL
            ORDER BY m.id, u.i"
}

cols=()
for t in "${TABLES[@]}"; do
    rows_of $DB "$t" "$(expected_before "$t")" >"$OUT/before.$t"
    cols[${#cols[@]}]="$t=$(columns_of $DB "$t")"
done
for s in "${SEQUENCES[@]}"; do q $DB "SELECT last_value FROM $s" >"$OUT/before.$s"; done
q $DB "SELECT count(*) FROM ai_shadow_predictions AS s
          WHERE s.message IS DISTINCT FROM (SELECT d.user_message FROM ai_training_data AS d WHERE d.id = s.training_data_id)" \
    >"$OUT/before.shadow_other_texts"
predictions_of $DB >"$OUT/before.predictions"
expect_eq "$(wc -l <"$OUT/before.predictions")" "$((2 * 11))" "predictions of both 0.2.0 models recorded"

# ---------------------------------------------- the package is upgraded
PGI_SOURCE= scripts/pg-cluster.sh install # this checkout's library and scripts replace 0.2.0's
as_owner pg_ctl -D "$PGI_DIR/data" -m fast -w restart >/dev/null
echo "ok: the new library and scripts are installed; the databases still run 0.2.0's SQL"

psql -X -q -d postgres -c "CREATE DATABASE mixed TEMPLATE $DB"
predictions_of mixed >"$OUT/mixed.predictions"
if ! diff -u "$OUT/before.predictions" "$OUT/mixed.predictions"; then
    echo "FAILED: 0.2.0's predict_intent() on the new library predicts differently" >&2
    exit 1
fi
echo "ok: 0.2.0's predict_intent() on the new library gives the same predictions"
# Training needs 0.2.1's generated columns (the one definition of a
# training row): until the update, a run fails, is recorded, and says what
# to do (README, "Upgrading").
expect_eq "$(q mixed "SELECT r ->> 'status' || ' ' || (r ->> 'sqlstate') FROM train_intent_model('mixed', 'full', '{\"deploy\": \"never\"}') AS r")" \
    "failed 55000" "0.2.0's train_intent_model() on the new library records a failed run (55000)"
expect_eq "$(q mixed "SELECT metrics #>> '{error,hint}' FROM ai_training_runs WHERE run_name = 'mixed'")" "Run ALTER EXTENSION pg_intent UPDATE." \
    "0.2.0's train_intent_model() on the new library records a failed run that names the update"
drop_db mixed

# ------------------------------------------------------------ the update
default=$(sed -nE "s/^default_version = '(.*)'/\1/p" pg_intent.control)
psql -X -q -d $DB -c "ALTER EXTENSION pg_intent UPDATE" 2>&1 | tee "$OUT/update.log"
expect_eq "$(q $DB "SELECT extversion FROM pg_extension WHERE extname = 'pg_intent'")" "$default" \
    "ALTER EXTENSION UPDATE reached the default version"

for entry in "${cols[@]}"; do
    t=${entry%%=*}
    rows_of $DB "$t" "(SELECT jsonb_object_agg(k, v) FROM jsonb_each(to_jsonb(t)) AS e(k, v) WHERE k IN (${entry#*=}))" \
        >"$OUT/after.$t"
    if ! diff -q "$OUT/before.$t" "$OUT/after.$t" >/dev/null; then
        echo "FAILED: rows of $t changed in the upgrade:" >&2
        diff -u "$OUT/before.$t" "$OUT/after.$t" | cut -c1-300 | head -20 >&2
        exit 1
    fi
    echo "ok: $t: $(wc -l <"$OUT/after.$t") rows as expected"
done
for s in "${SEQUENCES[@]}"; do
    expect_eq "$(q $DB "SELECT last_value FROM $s")" "$(cat "$OUT/before.$s")" "sequence $s kept its value"
done

expect_eq "$(q $DB "SELECT count(*) FROM ai_shadow_legacy_messages")" "$(cat "$OUT/before.shadow_other_texts")" \
    "every shadow text that was not its linked row's message moved to ai_shadow_legacy_messages"
predictions_of $DB >"$OUT/after.predictions"
if ! diff -u "$OUT/before.predictions" "$OUT/after.predictions"; then
    echo "FAILED: the 0.2.0 models predict differently after the upgrade" >&2
    exit 1
fi
echo "ok: every 0.2.0 model gives the same predictions, bit for bit"

psql -X -q -d postgres -c "CREATE DATABASE fresh"
psql -X -q -d fresh -c "SET client_min_messages = warning" -c "CREATE EXTENSION pg_intent"
psql -X -At -d $DB -f test/scripts/catalog.sql >"$OUT/catalog.upgraded"
psql -X -At -d fresh -f test/scripts/catalog.sql >"$OUT/catalog.fresh"
if ! diff -u "$OUT/catalog.fresh" "$OUT/catalog.upgraded"; then
    echo "FAILED: the upgraded catalog differs from a fresh install (- fresh, + upgraded)" >&2
    exit 1
fi
echo "ok: the upgraded catalog equals a fresh install's ($(wc -l <"$OUT/catalog.fresh") facts)"

psql -X -q -d $DB -c "CREATE EXTENSION IF NOT EXISTS pgtap" >/dev/null
pg_prove -d $DB test/pgtap/*.sql >"$OUT/pgtap.$DB" 2>&1 || { tail -30 "$OUT/pgtap.$DB"; echo "FAILED: pgTAP on the upgraded database" >&2; exit 1; }
echo "ok: pgTAP contract on the upgraded database: $(sed -nE 's/.*Tests=([0-9]+).*/\1/p' "$OUT/pgtap.$DB") assertions"

# ------------------------------------------- the database with bad labels
psql -X -q -d poisoned -c "ALTER EXTENSION pg_intent UPDATE" >"$OUT/update.poisoned.log" 2>&1 ||
    { cat "$OUT/update.poisoned.log"; echo "FAILED: the update of the database with refused labels failed" >&2; exit 1; }
expect_eq "$(q poisoned "SELECT extversion FROM pg_extension WHERE extname = 'pg_intent'")" "$default" \
    "the database with the refused labels updated too"
grep -q "WARNING:  pg_intent: 5 rows of .*ai_training_data.* have a detected_intent that is not a valid intent name" "$OUT/update.poisoned.log" ||
    { cat "$OUT/update.poisoned.log"; echo "FAILED: the update did not warn about the stored labels it now refuses" >&2; exit 1; }
echo "ok: the update warned: $(grep -m1 'not a valid intent name' "$OUT/update.poisoned.log" | cut -c1-160)"
expect_eq "$(q poisoned "SELECT md5(string_agg(t.id || ':' || coalesce(t.detected_intent, '-'), ',' ORDER BY t.id)) FROM ai_training_data AS t")" \
    "$POISONED_ROWS" "the update kept every stored row and label as it was"
expect_eq "$(q poisoned "SELECT train_intent_model('after', 'full', '{\"deploy\": \"never\"}') ->> 'status'")" "completed" \
    "training completes around the stored rows"
expect_eq "$(q poisoned "SELECT metrics ->> 'rows_skipped_invalid_label' FROM ai_training_runs WHERE run_name = 'after'")" "5" \
    "training completes around the stored rows, leaving out the five with a refused label"
# The update changed none of them, and a reviewer can still fix them: the
# review functions clear the refused name (the audit row keeps it).
expect_eq "$(q poisoned "SELECT reject_training_samples(array_agg(id), 'etiqueta inválida') ->> 'updated'
                           FROM ai_training_data WHERE NOT coalesce(is_valid_intent_name(detected_intent), true)")" "5" \
    "the rows with a refused label can be rejected"
psql -X -q -v ON_ERROR_STOP=1 -d poisoned -c "DO \$\$ DECLARE c text; BEGIN
    FOR c IN SELECT conname FROM pg_constraint WHERE NOT convalidated AND conrelid = 'ai_training_data'::regclass LOOP
        EXECUTE format('ALTER TABLE ai_training_data VALIDATE CONSTRAINT %I', c);
    END LOOP; END \$\$"
expect_eq "$(q poisoned "SELECT count(*) FROM pg_constraint WHERE NOT convalidated AND conrelid = 'ai_training_data'::regclass")" "0" \
    "after the rejection the constraints validate"
