#!/usr/bin/env bash
# A classifier's rights are judged on its latest committed row (so that a
# grant or revoke applies at once, classifier_revocation.sh), and what is
# read follows the transaction's snapshot: both must be one classifier, or
# the call fails with 40001 (_pg_intent_classifier_is_judged()).
#
# Found by an audit of 0.3.2: session A, in REPEATABLE READ since before
# the owner re-pointed the classifier from a private table to a public one
# and granted A's role train on it, read the private table's texts as the
# owner (_pg_intent_classifier_source_texts(), get_classifier_review_queue(),
# train_classifier()); and a role that took the name of a dropped
# classifier read the dropped one's source.
cd "$(dirname "$0")/../.."
source test/scripts/lib.bash
DB=pgi_snapshot_test
fresh_db $DB

psql -X -q -v ON_ERROR_STOP=1 -d $DB <<'SQL' >/dev/null
SET client_min_messages = warning;
DROP ROLE IF EXISTS pgi_sn_alice;
DROP ROLE IF EXISTS pgi_sn_mal;
CREATE ROLE pgi_sn_alice NOLOGIN;
CREATE ROLE pgi_sn_mal NOLOGIN;
SELECT count(*) FROM grant_intent_access('pgi_sn_alice', 'classifiers');
SELECT count(*) FROM grant_intent_access('pgi_sn_mal', 'review');
SELECT count(*) FROM grant_intent_access('pgi_sn_mal', 'classifiers');
SELECT count(*) FROM grant_intent_access('pgi_sn_mal', 'models');
CREATE SCHEMA app AUTHORIZATION pgi_sn_alice;
SET ROLE pgi_sn_alice;
CREATE TABLE app.priv (id int PRIMARY KEY, txt text, label text);
INSERT INTO app.priv VALUES (1, 'secreto de alice: salario', 'hr'), (2, 'secreto de alice: receta', 'medical');
CREATE TABLE app.pub (id int PRIMARY KEY, txt text, label text);
INSERT INTO app.pub VALUES (1, 'texto publico uno', 'a'), (2, 'texto publico dos', 'b');
SELECT create_classifier('sec', 'app.priv', 'txt', 'label', '{"key_column": "id"}');
RESET ROLE;
-- try(sql): the first value the statement returns, or the SQLSTATE.
CREATE FUNCTION public.pgi_try(p_sql text) RETURNS text LANGUAGE plpgsql AS $$
DECLARE
    v text;
BEGIN
    EXECUTE p_sql INTO v;
    RETURN coalesce(v, 'null');
EXCEPTION WHEN OTHERS THEN
    RETURN SQLSTATE;
END $$;
GRANT EXECUTE ON FUNCTION public.pgi_try(text) TO PUBLIC;
SQL

start_session_a $DB
TEXTS="SELECT pgi_try(\$\$SELECT intent_internal._pg_intent_classifier_source_texts('sec', ARRAY['1'])::text\$\$);"

ask_a "SET ROLE pgi_sn_mal; SELECT 'as mal';" >/dev/null
expect_eq "$(ask_a "$TEXTS")" "42501" "mal may not read the classifier's texts"

# --- Re-pointed and granted during A's REPEATABLE READ transaction --------
ask_a "BEGIN ISOLATION LEVEL REPEATABLE READ; SELECT 'begun';" >/dev/null
expect_eq "$(ask_a "SELECT 'snapshot';")" "snapshot" "A's transaction has its snapshot"
psql -X -q -v ON_ERROR_STOP=1 -d $DB >/dev/null <<'SQL'
SET ROLE pgi_sn_alice;
SELECT alter_classifier('sec', '{"source": "app.pub"}');
SELECT grant_classifier_access('sec', 'pgi_sn_mal', 'train');
SQL
expect_eq "$(ask_a "$TEXTS")" "40001" \
    "A reads no texts of the source its snapshot still names (0.3.2 before the fix: the private table's)"
expect_eq "$(ask_a "SELECT pgi_try(\$\$SELECT count(*)::text FROM get_classifier_review_queue('sec', NULL, 3)\$\$);")" "40001" \
    "nor through get_classifier_review_queue()"
expect_eq "$(ask_a "SELECT pgi_try(\$\$SELECT train_classifier('sec') ->> 'status'\$\$);")" "40001" \
    "nor trains on it"
ask_a "ROLLBACK; SELECT 'rolled back';" >/dev/null
expect_eq "$(ask_a "$TEXTS")" '{"1": "texto publico uno"}' "in a new transaction, A reads the public table it was granted"
expect_eq "$(q $DB "SELECT count(*) FROM ai_training_runs WHERE classifier = 'sec'")" "0" "no run was recorded"

# --- A grant alone during the transaction is used at once ------------------
psql -X -q -v ON_ERROR_STOP=1 -d $DB -c "SET ROLE pgi_sn_alice" \
    -c "SELECT revoke_classifier_access('sec', 'pgi_sn_mal', 'train')" >/dev/null
ask_a "BEGIN ISOLATION LEVEL REPEATABLE READ; SELECT 'begun';" >/dev/null
expect_eq "$(ask_a "$TEXTS")" "42501" "revoked: refused"
psql -X -q -v ON_ERROR_STOP=1 -d $DB -c "SET ROLE pgi_sn_alice" \
    -c "SELECT grant_classifier_access('sec', 'pgi_sn_mal', 'train')" >/dev/null
expect_eq "$(ask_a "$TEXTS")" '{"1": "texto publico uno"}' \
    "a grant committed during A's transaction is used at A's next call (rights are not part of the comparison)"
ask_a "COMMIT; SELECT 'committed';" >/dev/null

# --- Dropped and its name taken during A's transaction ---------------------
# A model of alice's classifier, never deployed (its bytes need not load).
model=$(q $DB "WITH m AS (INSERT INTO ai_intent_models (version, algorithm, model, size_bytes, sha256, intents, classifier, classifier_id)
               SELECT 'sec_v1', 'linear_svc', '\\x00'::bytea, 1, 'x', '{a,b}', 'sec', c.id FROM ai_classifiers AS c
                WHERE c.name = 'sec' RETURNING id) SELECT id FROM m")
# (P0002: mal may not read the model rows, so another classifier's model is,
# in its words, an id that does not exist; 0.3.2 before: 42501 naming it)
expect_eq "$(ask_a "SELECT pgi_try(\$\$SELECT delete_intent_model($model)::text\$\$);")" "P0002" \
    "mal may not delete a model of alice's classifier"
ask_a "BEGIN ISOLATION LEVEL REPEATABLE READ; SELECT 'begun';" >/dev/null
expect_eq "$(ask_a "$TEXTS")" '{"1": "texto publico uno"}' "A reads the classifier it was granted"
psql -X -q -v ON_ERROR_STOP=1 -d $DB >/dev/null <<'SQL'
SET ROLE pgi_sn_alice;
SELECT drop_classifier('sec', false);
RESET ROLE;
CREATE TABLE public.mal_t (id int PRIMARY KEY, txt text, label text);
ALTER TABLE public.mal_t OWNER TO pgi_sn_mal;
SET ROLE pgi_sn_mal;
INSERT INTO public.mal_t VALUES (1, 'texto de mal', 'x');
SELECT create_classifier('sec', 'public.mal_t', 'txt', 'label', '{"key_column": "id"}');
SQL
expect_eq "$(ask_a "$TEXTS")" "40001" \
    "the new classifier's right does not read the dropped one's source A's snapshot still sees"
# (40001: the delete locks the classifier's row first, as drop_classifier()
# does, and A's snapshot's row was dropped since, as for the read above)
expect_eq "$(ask_a "SELECT pgi_try(\$\$SELECT delete_intent_model($model)::text\$\$);")" "40001" \
    "nor deletes the dropped one's model (0.3.2 before the fix: deleted, as A's snapshot still named it)"
ask_a "ROLLBACK; SELECT 'rolled back';" >/dev/null
expect_eq "$(ask_a "$TEXTS")" '{"1": "texto de mal"}' "in a new transaction, mal reads its own table"
expect_eq "$(q $DB "SELECT model IS NOT NULL FROM ai_intent_models WHERE id = $model")" "t" "the dropped one's model keeps its bytes"

end_session_a
drop_db $DB
psql -X -q -d postgres -c "DROP ROLE pgi_sn_alice" -c "DROP ROLE pgi_sn_mal" >/dev/null
echo "classifier_snapshot: all checks passed"
