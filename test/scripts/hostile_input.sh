#!/usr/bin/env bash
# Corrupted, truncated and random model blobs, and odd messages, get clean
# errors: the postmaster never restarts (a backend crash would restart it).
cd "$(dirname "$0")/../.."
source test/scripts/lib.bash
DB=pgi_hostile_test
fresh_db $DB
load_ecommerce $DB
q $DB "SELECT train_intent_model('hostile')" >/dev/null
started=$(q postgres "SELECT pg_postmaster_start_time()")

# Every one of these must fail with XX001 (data_corrupted), never crash.
errors=$(psql -X -At -q -d $DB <<'SQL'
CREATE TEMP TABLE blob AS SELECT model FROM ai_intent_models WHERE is_active;
CREATE TEMP TABLE outcome (kind text, sqlstate text);
DO $$
DECLARE
    b bytea := (SELECT model FROM blob);
    n int := length(b);
    bad bytea;
    i int;
BEGIN
    -- truncations at 200 cut points, including inside the header
    FOR i IN 0..199 LOOP
        bad := substring(b FROM 1 FOR (i * n / 200));
        BEGIN
            PERFORM intent_model_info(bad);
            INSERT INTO outcome VALUES ('truncate', 'accepted');
        EXCEPTION WHEN OTHERS THEN
            INSERT INTO outcome VALUES ('truncate', SQLSTATE);
        END;
    END LOOP;
    -- single bit flips spread over the blob
    FOR i IN 0..299 LOOP
        bad := set_bit(b, (i * 7919) % (n * 8), 1 - get_bit(b, (i * 7919) % (n * 8)));
        BEGIN
            PERFORM intent_model_info(bad);
            INSERT INTO outcome VALUES ('bitflip', 'accepted');
        EXCEPTION WHEN OTHERS THEN
            INSERT INTO outcome VALUES ('bitflip', SQLSTATE);
        END;
    END LOOP;
    -- random bytes, with and without the magic header
    FOR i IN 1..200 LOOP
        bad := decode(md5(i::text) || md5((i * 3)::text), 'hex');
        IF i % 2 = 0 THEN bad := 'PGINTENT'::bytea || bad; END IF;
        BEGIN
            PERFORM intent_model_info(bad);
            INSERT INTO outcome VALUES ('random', 'accepted');
        EXCEPTION WHEN OTHERS THEN
            INSERT INTO outcome VALUES ('random', SQLSTATE);
        END;
    END LOOP;
END $$;
SELECT kind || ':' || sqlstate || ':' || count(*) FROM outcome GROUP BY kind, sqlstate ORDER BY kind, sqlstate;
SQL
)
echo "$errors"
expect_eq "$(grep -c accepted <<<"$errors" || true)" "0" "no corrupted blob is accepted"
expect_eq "$(grep -vc ':XX001:' <<<"$errors" || true)" "0" "every corrupted blob raises XX001"

# Messages: empty, whitespace, emoji only, 1 MB, control characters.
expect_eq "$(q $DB "SELECT count(*) FROM (VALUES (''), ('   '), ('😀😀😀'), (repeat('devolver ', 131072)), (E'\\x01\\x02 hola')) v(m), LATERAL predict_intent(m)")" \
    "5" "odd messages all get a prediction"

# A corrupted active model gives XX001 from predict_intent, not a crash. The
# UPDATE fires the models trigger, so this session's cache is invalidated.
out=$(psql -X -At -d $DB 2>&1 <<'SQL'
\set VERBOSITY sqlstate
UPDATE ai_intent_models SET model = substring(model FROM 1 FOR 100) WHERE is_active;
SELECT predicted_intent FROM predict_intent('hola');
SQL
)
expect_eq "$(grep -c 'XX001' <<<"$out")" "1" "corrupted active model raises XX001"

# ... and retraining, as the error's hint says, replaces it: a run whose
# active model cannot be loaded trains without comparing the two models on
# fresh rows (as when the baseline was deleted meanwhile), says why in a
# WARNING and in its report, and {"deploy": "always"} deploys the new model.
# Every run failed with XX001 instead, and the active model could be neither
# deleted nor rolled back from: only a hand-written UPDATE of the table
# brought prediction back.
corrupt=$(q $DB "SELECT id FROM ai_intent_models WHERE is_active")
out=$(psql -X -At -q -d $DB -c "SET client_min_messages = warning" \
    -c "SELECT r ->> 'status', r ->> 'deployed' FROM train_intent_model('after corruption', 'full', '{\"deploy\": \"always\"}') AS r" 2>&1)
expect_eq "$(grep -v '^WARNING\|^DETAIL\|^HINT' <<<"$out")" "completed|true" "a run replaces a corrupted active model"
expect_eq "$(grep -c "^WARNING:  the active intent model $corrupt cannot be loaded" <<<"$out")" "1" "the run warns that the active model is unusable"
expect_eq "$(q $DB "SELECT metrics ->> 'active_model_error' FROM ai_training_runs ORDER BY started_at DESC LIMIT 1")" \
    "invalid intent model" "the run's report records why the active model was not compared"
expect_eq "$(q $DB "SELECT classify_intent('quiero devolver un producto')")" "return_process" "prediction works again"

expect_eq "$(q postgres "SELECT pg_postmaster_start_time()")" "$started" "the server never restarted"
psql -X -q -d postgres -c "DROP DATABASE $DB WITH (FORCE)"
