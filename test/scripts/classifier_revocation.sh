#!/usr/bin/env bash
# Issue 31, item 7 (0.3.2): a classifier's grant or revoke is seen by every
# session at its next call, also inside a REPEATABLE READ transaction that
# began before it, for predicting and for deploying; and no session keeps a
# revoked answer in its cache after its own COMMIT.
#
# In 0.3.1 _pg_intent_classifier_allows() read ai_classifiers through the
# transaction's snapshot: session A, in REPEATABLE READ since before the
# revoke, kept predicting and deploying; its cache, refilled after the
# revoke's invalidation from that snapshot, kept "allowed" after A's COMMIT
# (no further invalidation came), for as long as the connection lived.
cd "$(dirname "$0")/../.."
source test/scripts/lib.bash
DB=pgi_revocation_test
fresh_db $DB
load_ecommerce $DB
q $DB "SELECT train_intent_model('base') ->> 'model_id'" >/dev/null

psql -X -q -v ON_ERROR_STOP=1 -d $DB <<'SQL' >/dev/null
SET client_min_messages = warning;
DROP ROLE IF EXISTS pgi_rv_app;
DROP ROLE IF EXISTS pgi_rv_deployer;
CREATE ROLE pgi_rv_app NOLOGIN;
CREATE ROLE pgi_rv_deployer NOLOGIN;
-- "shop": a classifier with an active model and a candidate, as copies of
-- the intent model (the training side has its own tests).
INSERT INTO ai_classifiers (name, source, text_column, label_column, owner)
VALUES ('shop', 'ai_training_data'::regclass, 'user_message', 'training_label', current_user::regrole);
INSERT INTO ai_intent_models (version, algorithm, model, size_bytes, sha256, intents, confidence_threshold,
                              is_active, classifier, classifier_id)
SELECT 'shop_' || v, algorithm, model, size_bytes, sha256, intents, confidence_threshold, v = 'active', 'shop',
       (SELECT c.id FROM ai_classifiers AS c WHERE c.name = 'shop')
  FROM ai_intent_models, (VALUES ('active'), ('candidate')) AS x(v)
 WHERE is_active AND classifier = 'intent';
SELECT grant_classifier_access('shop', 'pgi_rv_app', 'predict');
SELECT grant_classifier_access('shop', 'pgi_rv_deployer', 'deploy');
-- try(sql): 'ok' or the SQLSTATE, without aborting the caller's transaction.
CREATE FUNCTION public.pgi_try(p_sql text) RETURNS text LANGUAGE plpgsql AS $$
BEGIN
    EXECUTE p_sql;
    RETURN 'ok';
EXCEPTION WHEN OTHERS THEN
    RETURN SQLSTATE;
END $$;
GRANT EXECUTE ON FUNCTION public.pgi_try(text) TO PUBLIC;
SQL
candidate=$(q $DB "SELECT id FROM ai_intent_models WHERE classifier = 'shop' AND NOT is_active")

# Session A: a long-lived psql that answers one query per line we send it.
start_session_a $DB
PREDICT="SELECT pgi_try(\$\$SELECT predict_label('shop', 'quiero devolver un producto')\$\$);"

# --- Predicting: revoked during A's REPEATABLE READ transaction ----------
ask_a "SET ROLE pgi_rv_app; SELECT 'as app';" >/dev/null
ask_a "BEGIN ISOLATION LEVEL REPEATABLE READ; SELECT 'begun';" >/dev/null
expect_eq "$(ask_a "$PREDICT")" "ok" "A (app) predicts, in REPEATABLE READ, and caches the answer"
q $DB "SELECT revoke_classifier_access('shop', 'pgi_rv_app', 'predict') IS NOT NULL" >/dev/null
expect_eq "$(ask_a "$PREDICT")" "42501" \
    "a revoke committed during A's REPEATABLE READ transaction is seen at A's next call"
expect_eq "$(ask_a "$PREDICT")" "42501" "and at the call after (the cached answer is the fresh one)"
ask_a "COMMIT; SELECT 'committed';" >/dev/null
expect_eq "$(ask_a "$PREDICT")" "42501" "after A's COMMIT the revoked answer is not served from the cache"

# --- Predicting: granted during A's REPEATABLE READ transaction ----------
ask_a "BEGIN ISOLATION LEVEL REPEATABLE READ; SELECT 'begun';" >/dev/null
expect_eq "$(ask_a "$PREDICT")" "42501" "A (app) is refused, in REPEATABLE READ"
q $DB "SELECT grant_classifier_access('shop', 'pgi_rv_app', 'predict') IS NOT NULL" >/dev/null
expect_eq "$(ask_a "$PREDICT")" "ok" "a grant committed during A's transaction is seen at A's next call"
ask_a "COMMIT; SELECT 'committed';" >/dev/null
expect_eq "$(ask_a "$PREDICT")" "ok" "and after A's COMMIT"

# --- SERIALIZABLE too ------------------------------------------------------
ask_a "BEGIN ISOLATION LEVEL SERIALIZABLE; SELECT 'begun';" >/dev/null
expect_eq "$(ask_a "$PREDICT")" "ok" "A (app) predicts, in SERIALIZABLE"
q $DB "SELECT revoke_classifier_access('shop', 'pgi_rv_app', 'predict') IS NOT NULL" >/dev/null
expect_eq "$(ask_a "$PREDICT")" "42501" "[SERIALIZABLE] the revoke is seen at A's next call"
ask_a "COMMIT; SELECT 'committed';" >/dev/null
ask_a "RESET ROLE; SELECT 'reset';" >/dev/null

# --- Deploying: revoked during A's REPEATABLE READ transaction -----------
ask_a "SET ROLE pgi_rv_deployer; SELECT 'as deployer';" >/dev/null
ask_a "BEGIN ISOLATION LEVEL REPEATABLE READ; SELECT 'begun';" >/dev/null
expect_eq "$(ask_a "SELECT 'snapshot';")" "snapshot" "A's transaction has its snapshot"
q $DB "SELECT revoke_classifier_access('shop', 'pgi_rv_deployer', 'deploy') IS NOT NULL" >/dev/null
expect_eq "$(ask_a "SELECT pgi_try('SELECT deploy_classifier_model(''shop'', $candidate)');")" "42501" \
    "a deploy right revoked during A's REPEATABLE READ transaction is refused at A's next call"
ask_a "ROLLBACK; SELECT 'rolled back';" >/dev/null
expect_eq "$(q $DB "SELECT is_active FROM ai_intent_models WHERE id = $candidate")" "f" "the candidate was not deployed"

# And granted during it: deploys.
ask_a "BEGIN ISOLATION LEVEL REPEATABLE READ; SELECT 'begun';" >/dev/null
expect_eq "$(ask_a "SELECT 'snapshot';")" "snapshot" "A's transaction has its snapshot"
q $DB "SELECT grant_classifier_access('shop', 'pgi_rv_deployer', 'deploy') IS NOT NULL" >/dev/null
expect_eq "$(ask_a "SELECT pgi_try('SELECT deploy_classifier_model(''shop'', $candidate)');")" "ok" \
    "a deploy right granted during A's transaction is used at A's next call"
ask_a "COMMIT; SELECT 'committed';" >/dev/null
expect_eq "$(q $DB "SELECT is_active FROM ai_intent_models WHERE id = $candidate")" "t" "the candidate is deployed"

end_session_a
drop_db $DB
psql -X -q -d postgres -c "DROP ROLE pgi_rv_app" -c "DROP ROLE pgi_rv_deployer" >/dev/null
echo "classifier_revocation: all checks passed"
