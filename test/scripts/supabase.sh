#!/usr/bin/env bash
# Security issue item 2: Supabase's default privileges. In a database set up
# like Supabase's (roles anon, authenticated, service_role and authenticator;
# ALTER DEFAULT PRIVILEGES IN SCHEMA public GRANT ALL ON TABLES, FUNCTIONS
# and SEQUENCES to the three roles):
#  - CREATE EXTENSION leaves exactly the ACLs of a plain install, and anon
#    can neither manage models nor read or delete chat messages;
#  - an upgrade from 0.1.0 installed there (where anon could train, deploy
#    and read everything) closes it all, reporting each revocation;
#  - the README's recipe for the three caller kinds gives each role what it
#    needs and nothing more (checked as each role).
cd "$(dirname "$0")/../.."
source test/scripts/lib.bash
ROLES="anon authenticated service_role authenticator"
drop_all() {
    for d in pgi_supabase pgi_supabase_up pgi_plain pgi_custom; do drop_db $d; done
    for r in $ROLES; do psql -X -q -d postgres -c "DROP ROLE IF EXISTS $r" >/dev/null 2>&1; done
}
trap 'drop_all; stop_own_clusters; stop_extra_clusters' EXIT
drop_all
psql -X -q -v ON_ERROR_STOP=1 -d postgres <<'SQL'
CREATE ROLE anon NOLOGIN NOINHERIT;
CREATE ROLE authenticated NOLOGIN NOINHERIT;
CREATE ROLE service_role NOLOGIN NOINHERIT BYPASSRLS;
CREATE ROLE authenticator LOGIN NOINHERIT;
GRANT anon, authenticated, service_role TO authenticator;
SQL

# A database with Supabase's schema privileges and default privileges.
supabase_db() {
    psql -X -q -v ON_ERROR_STOP=1 -d postgres -c "CREATE DATABASE $1"
    psql -X -q -v ON_ERROR_STOP=1 -d "$1" <<'SQL'
GRANT USAGE ON SCHEMA public TO anon, authenticated, service_role;
ALTER DEFAULT PRIVILEGES FOR ROLE postgres IN SCHEMA public GRANT ALL ON TABLES TO anon, authenticated, service_role;
ALTER DEFAULT PRIVILEGES FOR ROLE postgres IN SCHEMA public GRANT ALL ON FUNCTIONS TO anon, authenticated, service_role;
ALTER DEFAULT PRIVILEGES FOR ROLE postgres IN SCHEMA public GRANT ALL ON SEQUENCES TO anon, authenticated, service_role;
SQL
}
# The ACL facts of the extension's objects (test/scripts/catalog.sql).
acls_of() {
    psql -X -At -d "$1" -f test/scripts/catalog.sql | grep -E ' acl |^initial privileges '
}
# Runs $3 as role $2 in database $1 and prints "ok" or the SQLSTATE.
as_role() {
    psql -X -At -q -d "$1" -v ON_ERROR_STOP=1 -v VERBOSITY=sqlstate -c "SET ROLE $2" -c "$3" >/dev/null 2>"$TEST_TMP/err" &&
        echo ok || sed -nE 's/^ERROR: +([0-9A-Z]{5}).*/\1/p' "$TEST_TMP/err" | head -1
}
expect_role() { # db role sql expected what
    expect_eq "$(as_role "$1" "$2" "$3")" "$4" "$5"
}

# ------------------------------------------------------------ fresh install
supabase_db pgi_supabase
psql -X -q -d pgi_supabase -c "SET client_min_messages = warning" -c "CREATE EXTENSION pg_intent"
psql -X -q -d postgres -c "CREATE DATABASE pgi_plain"
psql -X -q -d pgi_plain -c "SET client_min_messages = warning" -c "CREATE EXTENSION pg_intent"
if ! diff -u <(acls_of pgi_plain) <(acls_of pgi_supabase); then
    echo "FAILED: under Supabase's default privileges the ACLs differ from a plain install (- plain, + supabase)" >&2
    exit 1
fi
echo "ok: the ACLs equal a plain install's ($(acls_of pgi_plain | wc -l) objects) despite the default privileges"
load_ecommerce pgi_supabase
q pgi_supabase "SELECT train_intent_model('first') ->> 'status'" >/dev/null

for call in "SELECT train_intent_model()" "SELECT deploy_intent_model(1)" "SELECT rollback_intent_model()" \
    "SELECT retrain_if_needed()" "SELECT delete_intent_model(1)" \
    "SELECT _pg_intent_activate(1::bigint, 'manual'::text, NULL::uuid)" \
    "SELECT _pg_intent_train_run(NULL::text, 'full'::text, '{}'::jsonb)" "SELECT _pg_intent_lock('training', false)" \
    "SELECT count(*) FROM ai_training_data" "DELETE FROM ai_training_data" "SELECT model FROM ai_intent_models" \
    "UPDATE ai_training_policy SET max_f1_regression = 1" "SELECT count(*) FROM ai_pending_review" \
    "SELECT count(*) FROM ai_review_queue" "SELECT count(*) FROM ai_training_progress" \
    "SELECT count(*) FROM pg_intent_training_progress()" \
    "SELECT _pg_intent_policy()" "SELECT _pg_intent_review(ARRAY[gen_random_uuid()], 'reject', NULL, NULL)" \
    "SELECT _pg_intent_md_cell('x', 10)" "SELECT get_ai_training_metrics()" "SELECT training_report()"; do
    expect_role pgi_supabase anon "$call" 42501 "anon is refused: $call"
done
expect_role pgi_supabase anon "SELECT classify_intent('quiero devolver un producto')" ok "anon can predict with the active model"
# PostgREST serves every function a role may execute as /rpc/NAME: no
# internal one may be among anon's (0.2.0 opened 17 to PUBLIC).
expect_eq "$(psql -X -At -q -d pgi_supabase -c "SET ROLE anon" -c "SELECT count(*) FROM pg_proc p JOIN pg_depend d ON d.classid = 'pg_proc'::regclass AND d.objid = p.oid AND d.deptype = 'e' JOIN pg_extension e ON e.oid = d.refobjid AND e.extname = 'pg_intent' WHERE p.proname LIKE '\_pg\_intent\_%' AND has_function_privilege(p.oid, 'EXECUTE')")" 0 \
    "anon may execute no internal function (no /rpc/_pg_intent_* endpoint)"

# ------------------------------------------------------------ the upgrade
# 0.1.0 installed under the same default privileges left all of it open.
supabase_db pgi_supabase_up
psql -X -q -d pgi_supabase_up -c "SET client_min_messages = warning" -c "CREATE EXTENSION pg_intent VERSION '0.1.0'"
expect_role pgi_supabase_up anon "SELECT has_function_privilege('train_intent_model(text, text, jsonb)', 'EXECUTE') AND has_table_privilege('ai_training_data', 'DELETE') AND has_function_privilege('_pg_intent_activate(bigint, text, uuid)', 'EXECUTE')" ok \
    "0.1.0 under Supabase's defaults: anon may train, activate models and delete chat messages"
expect_eq "$(psql -X -At -q -d pgi_supabase_up -c "SET ROLE anon" -c "SELECT has_function_privilege('train_intent_model(text, text, jsonb)', 'EXECUTE')")" t \
    "(that is the 0.1.0 hole)"
psql -X -q -d pgi_supabase_up -c "ALTER EXTENSION pg_intent UPDATE" 2>"$TEST_TMP/update.log"
revoked=$(grep -c 'revoking the privileges default privileges gave' "$TEST_TMP/update.log" || true)
[ "$revoked" -gt 0 ] || { cat "$TEST_TMP/update.log"; echo "FAILED: the upgrade reported no revocation" >&2; exit 1; }
echo "ok: the upgrade revoked $revoked default-privilege grants, each with a WARNING"
if ! diff -u <(acls_of pgi_supabase) <(acls_of pgi_supabase_up); then
    echo "FAILED: the upgraded ACLs differ from a fresh install's (- fresh, + upgraded)" >&2
    exit 1
fi
echo "ok: after the upgrade the ACLs equal a fresh install's"
for call in "SELECT train_intent_model()" "SELECT deploy_intent_model(1)" "SELECT count(*) FROM ai_training_data" \
    "SELECT _pg_intent_activate(1::bigint, 'manual'::text, NULL::uuid)"; do
    expect_role pgi_supabase_up anon "$call" 42501 "after the upgrade anon is refused: $call"
done

# An upgrade never widens access: what an administrator granted or revoked
# on 0.1.0's objects stays (0.1.0's README suggested revoking prediction from
# PUBLIC to restrict it).
psql -X -q -v ON_ERROR_STOP=1 -d postgres -c "CREATE DATABASE pgi_custom"
psql -X -q -v ON_ERROR_STOP=1 -d pgi_custom <<'SQL'
SET client_min_messages = warning;
CREATE EXTENSION pg_intent VERSION '0.1.0';
REVOKE EXECUTE ON FUNCTION predict_intent(text), predict_intent(text, bigint), classify_intent(text) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION predict_intent(text), classify_intent(text) TO authenticated;
GRANT EXECUTE ON FUNCTION train_intent_model(text, text, jsonb) TO service_role;
GRANT SELECT ON ai_training_data TO authenticated;
ALTER EXTENSION pg_intent UPDATE;
SQL
expect_eq "$(q pgi_custom "SELECT has_function_privilege('anon', 'predict_intent(text)', 'EXECUTE'), has_function_privilege('anon', 'classify_intent(text)', 'EXECUTE')")" "f|f" \
    "an administrator's REVOKE of prediction from PUBLIC survives the upgrade"
expect_eq "$(q pgi_custom "SELECT has_function_privilege('authenticated', 'predict_intent(text)', 'EXECUTE'), has_function_privilege('service_role', 'train_intent_model(text, text, jsonb)', 'EXECUTE'), has_table_privilege('authenticated', 'ai_training_data', 'SELECT')")" "t|t|t" \
    "an administrator's grants survive the upgrade"
expect_eq "$(q pgi_custom "SELECT has_function_privilege('anon', '_pg_intent_policy()', 'EXECUTE'), has_function_privilege('anon', 'evaluate_intent_model(bigint, text)', 'EXECUTE')")" "f|t" \
    "a function the upgrade adds gets its documented privileges (an internal one closed to PUBLIC, a public one open)"
drop_db pgi_custom

# ------------------------------------------------------------ the recipe
# The SQL inside README.md's <!-- NAME:begin --> ... <!-- NAME:end --> block
# (the lines between the fences of its one sql code block).
readme_sql() {
    sed -n "/<!-- $1:begin -->/,/<!-- $1:end -->/p" README.md | sed '1,2d;$d' | sed '$d'
}
readme_sql supabase-recipe >"$TEST_TMP/recipe.sql"
[ -s "$TEST_TMP/recipe.sql" ] || { echo "FAILED: no recipe found in README.md" >&2; exit 1; }
psql -X -q -v ON_ERROR_STOP=1 -d pgi_supabase -f "$TEST_TMP/recipe.sql"
echo "ok: the README's recipe ran ($(grep -c '^GRANT' "$TEST_TMP/recipe.sql") GRANT statements)"

# The README's dashboard recipe (one query per tab of the seed's admin
# panel) runs as the reviewer role the recipe above set up.
readme_sql dashboard-recipe >"$TEST_TMP/dashboard.sql"
[ "$(grep -c '^SELECT' "$TEST_TMP/dashboard.sql")" -ge 10 ] || { echo "FAILED: no dashboard recipe found in README.md" >&2; exit 1; }
psql -X -q -v ON_ERROR_STOP=1 -d pgi_supabase -c "SET ROLE authenticated" -f "$TEST_TMP/dashboard.sql" >/dev/null
echo "ok: the README's dashboard recipe runs as authenticated ($(grep -c '^SELECT' "$TEST_TMP/dashboard.sql") queries)"
row=$(q pgi_supabase "SELECT id FROM ai_training_data ORDER BY user_message LIMIT 1")
inactive=$(q pgi_supabase "SELECT train_intent_model('spare', 'full', '{\"deploy\": \"never\"}') ->> 'model_id'")

# the application
expect_role pgi_supabase anon "SELECT record_interaction('¿dónde está mi pedido?', 'order_status', 70)" ok "anon logs interactions"
expect_role pgi_supabase anon "SELECT predicted_intent FROM predict_intent('quiero devolver un producto')" ok "anon predicts"
expect_role pgi_supabase anon "SELECT count(*) FROM ai_training_data" 42501 "anon cannot read the chat messages"
expect_role pgi_supabase anon "SELECT submit_intent_correction('$row', 'complaint')" 42501 "anon cannot correct labels"
expect_role pgi_supabase anon "SELECT predict_intent('hola', $inactive)" 42501 "anon cannot use a model that is not deployed"
expect_role pgi_supabase anon "SELECT count(*) FROM ai_review_queue" 42501 "anon cannot read the review queue"
expect_role pgi_supabase anon "SELECT evaluate_intent_model(NULL, 'SELECT user_message, detected_intent FROM ai_training_data')" 42501 \
    "anon cannot evaluate on the chat messages (the query runs with anon's rights)"
expect_role pgi_supabase anon "SELECT evaluate_intent_model(NULL, \$\$VALUES ('quiero devolver un producto', 'return_process')\$\$)" ok \
    "anon can evaluate the active model on its own rows"
expect_role pgi_supabase anon "SELECT approve_training_sample('$row')" 42501 "anon cannot approve rows"
expect_role pgi_supabase anon "INSERT INTO ai_training_data (user_message, detected_intent, dataset_status) VALUES ('forged', 'thanks', 'approved')" 42501 \
    "anon cannot insert a row marked approved (only record_interaction's columns)"
expect_role pgi_supabase anon "INSERT INTO ai_training_data (user_message, detected_intent, corrected_by_human, correct_intent) VALUES ('forged', 'thanks', true, 'thanks')" 42501 \
    "anon cannot insert a row marked corrected by a human"
expect_role pgi_supabase anon "INSERT INTO ai_training_data (user_message, detected_intent, created_at) VALUES ('forged', 'thanks', '2001-01-01')" 42501 \
    "anon cannot backdate a row"
expect_role pgi_supabase anon "SELECT explain_intent('quiero devolver un producto')" 42501 \
    "anon cannot explain (the vocabulary would show which n-grams training messages contain)"
# reviewers
expect_role pgi_supabase authenticated "SELECT submit_intent_correction('$row', 'complaint')" ok "authenticated corrects labels"
expect_role pgi_supabase authenticated "SELECT count(*) FROM ai_pending_review" ok "authenticated reads the review queue"
expect_role pgi_supabase authenticated "SELECT count(*) FROM ai_review_queue WHERE tier = 'label_error'" ok "authenticated reads the ranked review queue"
expect_role pgi_supabase authenticated "SELECT evaluate_intent_model($inactive, 'SELECT user_message, coalesce(correct_intent, detected_intent) FROM ai_training_data')" ok \
    "authenticated evaluates a model that is not deployed on the data it may read"
expect_role pgi_supabase authenticated "SELECT approve_training_sample(id) FROM ai_review_queue WHERE rank = 1" ok \
    "authenticated approves the first row of the queue"
expect_role pgi_supabase authenticated "SELECT reject_training_sample(id, 'spam') FROM ai_review_queue WHERE rank = 1" ok \
    "authenticated rejects the next one"
expect_role pgi_supabase authenticated "SELECT count(*) FROM ai_model_registry" ok "authenticated reads the model registry"
expect_role pgi_supabase authenticated "SELECT count(*) FROM ai_training_progress" ok "authenticated reads the training progress (dashboard)"
expect_role pgi_supabase authenticated "SELECT explain_intent('quiero devolver un producto') ->> 'intent'" ok "authenticated explains a prediction (Test tab)"
expect_role pgi_supabase authenticated "SELECT length(training_report())" ok "authenticated reads training reports"
expect_role pgi_supabase authenticated "SELECT count(*) FROM export_training_dataset('jsonl')" ok "authenticated exports the dataset"
expect_role pgi_supabase authenticated "SELECT predict_intent('hola', $inactive)" ok "authenticated predicts with a model not deployed"
expect_role pgi_supabase authenticated "SELECT model FROM ai_intent_models" 42501 "authenticated cannot download model bytes"
expect_role pgi_supabase authenticated "SELECT train_intent_model()" 42501 "authenticated cannot train"
expect_role pgi_supabase authenticated "SELECT deploy_intent_model($inactive)" 42501 "authenticated cannot deploy"
expect_role pgi_supabase authenticated "UPDATE ai_training_policy SET max_f1_regression = 1" 42501 "authenticated cannot change the policy"
expect_role pgi_supabase authenticated "DELETE FROM ai_training_data" 42501 "authenticated cannot delete chat messages"
# administrators
expect_role pgi_supabase service_role "SELECT train_intent_model('by service_role', 'full', '{\"deploy\": \"never\"}')" ok "service_role trains"
expect_role pgi_supabase service_role "SELECT count(*) FROM ai_review_queue" ok "service_role reads the review queue"
expect_role pgi_supabase service_role "SELECT deploy_intent_model($inactive)" ok "service_role deploys"
expect_role pgi_supabase service_role "SELECT rollback_intent_model()" ok "service_role rolls back"
expect_role pgi_supabase service_role "UPDATE ai_training_policy SET max_f1_regression = 0.02" ok "service_role sets the policy"
expect_role pgi_supabase service_role "SELECT train_intent_model('forced', 'full', '{\"deploy\": \"always\"}')" ok \
    "service_role may force a deploy"
expect_role pgi_supabase service_role "SELECT delete_intent_model($inactive)" ok "service_role deletes an old model"
