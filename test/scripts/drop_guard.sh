#!/usr/bin/env bash
# DROP EXTENSION pg_intent (with or without CASCADE), DROP EXTENSION plpgsql
# CASCADE (pg_intent requires it), DROP SCHEMA ... CASCADE of its schema and
# DROP OWNED BY its owner are refused (55000) while its
# tables hold messages, corrections, runs or models, and nothing is lost;
# SET pg_intent.allow_drop_with_data = on lets the same command through; an
# empty install drops as before. Before 0.2.1 each of these deleted every
# row without a word. Each command runs in a new session, where the library
# is not loaded yet (the event trigger's call loads it).
#
# Needs a running cluster (PG* variables) with the current build installed.
cd "$(dirname "$0")/../.."
source test/scripts/lib.bash
DB=drop_guard
cleanup() {
    drop_db $DB 2>/dev/null || true
    psql -X -q -d postgres -c "DROP ROLE IF EXISTS pgi_dg_owner" -c "DROP ROLE IF EXISTS pgi_dg_other" >/dev/null 2>&1 || true
}
trap 'cleanup; rm -rf "$TEST_TMP"' EXIT
psql -X -q -d postgres -c "SET client_min_messages = warning" -c "DROP ROLE IF EXISTS pgi_dg_owner" \
    -c "DROP ROLE IF EXISTS pgi_dg_other" -c "CREATE ROLE pgi_dg_owner" -c "CREATE ROLE pgi_dg_other" >/dev/null

# The error of a statement run in a new session ("" when it succeeds).
attempt() {
    local db=$1
    shift
    local args=()
    for s in "$@"; do args+=(-c "$s"); done
    psql -X -q -v ON_ERROR_STOP=1 -v VERBOSITY=verbose -d "$db" -c "SET client_min_messages = error" "${args[@]}" \
        2>&1 >/dev/null || true
}
expect_refused() {
    local out=$1 what=$2
    for expected in "ERROR:  55000:" "would delete pg_intent's captured messages" "ai_training_data" \
        "export_training_dataset()" "pg_dump" "SET pg_intent.allow_drop_with_data = on" "Nothing was dropped"; do
        if [[ $out != *"$expected"* ]]; then
            echo "FAILED: $what was not refused with '$expected':" >&2
            echo "$out" >&2
            exit 1
        fi
    done
    expect_eq "$(q $DB "SELECT count(*) FROM pg_extension WHERE extname = 'pg_intent'")" 1 "$what: refused, the extension stays"
    expect_eq "$(q $DB "SELECT count(*) FROM $3.ai_training_data")" 2 "$what: its rows stay"
}

# An empty install drops as before.
fresh_db $DB
expect_eq "$(attempt $DB "DROP EXTENSION pg_intent")" "" "an empty install drops"
psql -X -q -v ON_ERROR_STOP=1 -d $DB -c "SET client_min_messages = warning" -c "CREATE EXTENSION pg_intent" \
    -c "SELECT record_interaction('quiero devolver un producto', 'return_process', 87)" \
    -c "SELECT record_interaction('¿dónde está mi paquete?', 'order_status', 64)" >/dev/null

expect_refused "$(attempt $DB "DROP EXTENSION pg_intent")" "DROP EXTENSION pg_intent" public
expect_refused "$(attempt $DB "DROP EXTENSION pg_intent CASCADE")" "DROP EXTENSION pg_intent CASCADE" public
expect_refused "$(attempt $DB "DROP EXTENSION IF EXISTS pg_intent, plpgsql CASCADE")" "DROP EXTENSION IF EXISTS pg_intent, plpgsql" public
expect_refused "$(attempt $DB "DROP SCHEMA public CASCADE")" "DROP SCHEMA public CASCADE" public
# pg_intent requires plpgsql: dropping plpgsql with CASCADE drops pg_intent
# and its tables too (it went through before: only the names dropped were read).
expect_refused "$(attempt $DB "DROP EXTENSION plpgsql CASCADE")" "DROP EXTENSION plpgsql CASCADE" public
# A row the dropping transaction wrote itself counts too.
psql -X -q -d $DB -c "DELETE FROM ai_training_data" >/dev/null
out=$(attempt $DB "BEGIN" "SELECT record_interaction('hola', 'greeting', 90)" "DROP EXTENSION pg_intent")
[[ $out == *"ERROR:  55000:"* ]] || { echo "FAILED: a row of the dropping transaction was not seen: $out" >&2; exit 1; }
echo "ok: a row the dropping transaction wrote counts"
# Models alone count (a run whose messages were deleted).
psql -X -q -v ON_ERROR_STOP=1 -d $DB -c "INSERT INTO ai_intent_models (version, algorithm, size_bytes, sha256, intents)
                                           VALUES ('v1', 'linear_svm', 0, '', '{}')" >/dev/null
out=$(attempt $DB "DROP EXTENSION pg_intent")
[[ $out == *"ERROR:  55000:"*"hold rows: ai_intent_models."* ]] || { echo "FAILED: a model alone did not refuse the drop: $out" >&2; exit 1; }
echo "ok: a model alone refuses the drop"
psql -X -q -v ON_ERROR_STOP=1 -d $DB -c "DELETE FROM ai_intent_models" >/dev/null
# A classifier a user created counts too (0.2.x's guard ignored ai_classifiers,
# which always holds the built-in row): its row is the source, columns,
# grants and policy its models and runs need.
psql -X -q -v ON_ERROR_STOP=1 -d $DB -c "DELETE FROM ai_training_data" \
    -c "CREATE TABLE dg_prompts (prompt text, route text)" \
    -c "SELECT create_classifier('dg_router', 'dg_prompts', 'prompt', 'route')" >/dev/null
out=$(attempt $DB "DROP EXTENSION pg_intent")
[[ $out == *"ERROR:  55000:"*"hold rows: ai_classifiers."* ]] || { echo "FAILED: a classifier alone did not refuse the drop: $out" >&2; exit 1; }
echo "ok: a classifier alone refuses the drop (the built-in one does not)"
psql -X -q -v ON_ERROR_STOP=1 -d $DB -c "SELECT drop_classifier('dg_router')" -c "DROP TABLE dg_prompts" >/dev/null
expect_eq "$(attempt $DB "DROP SCHEMA IF EXISTS unrelated CASCADE" "CREATE SCHEMA unrelated" "DROP SCHEMA unrelated CASCADE")" "" \
    "another schema drops"
psql -X -q -d $DB -c "SELECT record_interaction('quiero devolver un producto', 'return_process', 87)" \
    -c "SELECT record_interaction('¿dónde está mi paquete?', 'order_status', 64)" >/dev/null

# A role that may not drop the extension gets PostgreSQL's own error.
out=$(attempt $DB "SET ROLE pgi_dg_other" "DROP EXTENSION pg_intent")
[[ $out == *"ERROR:  42501:"*"must be owner of extension pg_intent"* ]] || {
    echo "FAILED: a role that may not drop it did not get 42501: $out" >&2
    exit 1
}
echo "ok: a role that is not the owner gets 42501 from PostgreSQL"

# The setting confirms it, in the session that drops.
expect_eq "$(attempt $DB "SET pg_intent.allow_drop_with_data = on" "DROP EXTENSION pg_intent")" "" \
    "SET pg_intent.allow_drop_with_data = on lets DROP EXTENSION through"
expect_eq "$(q $DB "SELECT count(*) FROM pg_event_trigger WHERE evtname = 'pg_intent_drop_guard'")" 0 \
    "the event trigger went with the extension"

# A schema owned by a role that is not a superuser: PostgreSQL lets that role
# drop the schema with everything in it, the extension included.
psql -X -q -v ON_ERROR_STOP=1 -d $DB -c "SET client_min_messages = warning" \
    -c "CREATE SCHEMA ml AUTHORIZATION pgi_dg_owner" -c "CREATE EXTENSION pg_intent SCHEMA ml" \
    -c "SELECT ml.record_interaction('quiero devolver un producto', 'return_process', 87)" \
    -c "SELECT ml.record_interaction('¿dónde está mi paquete?', 'order_status', 64)" >/dev/null
expect_refused "$(attempt $DB "SET ROLE pgi_dg_owner" "DROP SCHEMA ml CASCADE")" "DROP SCHEMA ml CASCADE by its owner" ml
expect_refused "$(attempt $DB "SET ROLE pgi_dg_owner" "DROP OWNED BY pgi_dg_owner CASCADE")" "DROP OWNED BY the schema's owner CASCADE" ml
out=$(attempt $DB "SET ROLE pgi_dg_owner" "DROP SCHEMA ml")
[[ $out == *"ERROR:  2BP01:"* ]] || { echo "FAILED: DROP SCHEMA without CASCADE: $out" >&2; exit 1; }
echo "ok: DROP SCHEMA ml without CASCADE is PostgreSQL's 2BP01"
expect_eq "$(attempt $DB "SET ROLE pgi_dg_owner" "SET pg_intent.allow_drop_with_data = on" "DROP SCHEMA ml CASCADE")" "" \
    "the schema's owner drops it with the setting"
expect_eq "$(q $DB "SELECT count(*) FROM pg_extension WHERE extname = 'pg_intent'")" 0 "the extension went with the schema"

# DROP OWNED BY the extension's owner (a superuser other than the bootstrap one).
psql -X -q -v ON_ERROR_STOP=1 -d $DB -c "SET client_min_messages = warning" -c "ALTER ROLE pgi_dg_other SUPERUSER" \
    -c "SET ROLE pgi_dg_other" -c "CREATE EXTENSION pg_intent" \
    -c "SELECT record_interaction('quiero devolver un producto', 'return_process', 87)" \
    -c "SELECT record_interaction('¿dónde está mi paquete?', 'order_status', 64)" >/dev/null
expect_refused "$(attempt $DB "DROP OWNED BY pgi_dg_other")" "DROP OWNED BY the extension's owner" public
expect_eq "$(attempt $DB "SET pg_intent.allow_drop_with_data = on" "DROP OWNED BY pgi_dg_other")" "" \
    "DROP OWNED BY the extension's owner with the setting"
expect_eq "$(q $DB "SELECT count(*) FROM pg_extension WHERE extname = 'pg_intent'")" 0 "the extension went with its owner's objects"

# pg_restore --clean of a backup over the database it was taken from: its
# DROP EXTENSION IF EXISTS pg_intent is refused while the tables hold rows
# (the restore reports errors and the current rows stay, the dump's are not
# loaded); the setting given to the restore's session (PGOPTIONS) confirms
# it, and the restore puts back exactly the dump's rows (docs/operations.md).
fresh_db $DB
q $DB "SELECT record_interaction('quiero devolver un producto', 'return_process', 87)" >/dev/null
pg_dump -Fc -d $DB -f "$TEST_TMP/clean.fc"
q $DB "SELECT record_interaction('¿dónde está mi paquete?', 'order_status', 64)" >/dev/null
out=$(pg_restore --clean --if-exists -d $DB "$TEST_TMP/clean.fc" 2>&1 || true)
[[ $out == *"would delete pg_intent's captured messages"* ]] || { echo "FAILED: pg_restore --clean was not refused: $out" >&2; exit 1; }
expect_eq "$(q $DB "SELECT string_agg(detected_intent, ',' ORDER BY detected_intent) FROM ai_training_data")" "order_status,return_process" \
    "pg_restore --clean over rows: its DROP EXTENSION is refused and the current rows stay"
PGOPTIONS="${PGOPTIONS:-} -c pg_intent.allow_drop_with_data=on" pg_restore --clean --if-exists --exit-on-error -d $DB "$TEST_TMP/clean.fc" ||
    { echo "FAILED: pg_restore --clean with the setting in PGOPTIONS" >&2; exit 1; }
expect_eq "$(q $DB "SELECT string_agg(detected_intent, ',' ORDER BY detected_intent) FROM ai_training_data")" "return_process" \
    "with pg_intent.allow_drop_with_data in PGOPTIONS it restores exactly the dump's rows"
