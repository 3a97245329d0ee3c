#!/usr/bin/env bash
# Security issue item 2: Supabase's default privileges. In a database set up
# like Supabase's (roles anon, authenticated, service_role and authenticator;
# ALTER DEFAULT PRIVILEGES IN SCHEMA public GRANT ALL ON TABLES, FUNCTIONS
# and SEQUENCES to the three roles):
#  - CREATE EXTENSION leaves exactly the ACLs of a plain install, and anon
#    can neither manage models nor read or delete chat messages;
#  - an upgrade from 0.1.0 installed there (where anon could train, deploy
#    and read everything) closes it all, reporting each revocation;
#  - the documented recipe (docs/privileges.md) for the four caller kinds gives each role what it
#    needs and nothing more, checked as each role the way PostgREST calls:
#    SET LOCAL ROLE plus request.jwt.claims. Customers and staff are both
#    authenticated; staff carry app_metadata.role = 'staff' in their JWT.
#    A customer logs their own messages and nothing else; staff review only
#    through the review functions, and every review leaves an audit row
#    stamped with the staff member's JWT subject and now() (security issue
#    items 2, 3 and 6).
cd "$(dirname "$0")/../.."
source test/scripts/lib.bash
ROLES="anon authenticated service_role authenticator"
drop_all() {
    for d in pgi_supabase pgi_supabase_up pgi_plain pgi_custom; do drop_db $d; done
    for r in $ROLES; do psql -X -q -d postgres -c "DROP ROLE IF EXISTS $r" >/dev/null 2>&1; done
}
trap 'drop_all; stop_own_clusters; stop_extra_clusters' EXIT
drop_all
create_supabase_roles

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
create_supabase_db pgi_supabase
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
    "SELECT intent_internal._pg_intent_activate(1::bigint, 'manual'::text, NULL::uuid)" \
    "SELECT intent_internal._pg_intent_train_run_begin(NULL::text, 'full'::text, '{}'::jsonb, 'intent'::text, NULL::text, NULL::uuid, NULL::ai_training_policy, '{}'::jsonb)" "SELECT intent_internal._pg_intent_lock('training', false)" \
    "SELECT count(*) FROM ai_training_data" "DELETE FROM ai_training_data" "SELECT model FROM ai_intent_models" \
    "UPDATE ai_training_policy SET max_f1_regression = 1" "SELECT count(*) FROM ai_pending_review" \
    "SELECT count(*) FROM ai_review_queue" "SELECT count(*) FROM ai_training_progress" \
    "SELECT count(*) FROM pg_intent_training_progress()" \
    "SELECT intent_internal._pg_intent_policy()" "SELECT intent_internal._pg_intent_review(ARRAY[gen_random_uuid()], 'reject', NULL, NULL)" \
    "SELECT intent_internal._pg_intent_md_cell('x', 10)" "SELECT get_ai_training_metrics()" "SELECT training_report()" \
    "SELECT evaluate_intent_model(NULL, 'SELECT pg_sleep(0)::text || ''hola'', current_setting(''request.jwt.claims'', true)')"; do
    expect_role pgi_supabase anon "$call" 42501 "anon is refused: $call"
done
expect_role pgi_supabase anon "SELECT classify_intent('quiero devolver un producto')" ok "anon can predict with the active model"
# PostgREST serves every function a role may execute as /rpc/NAME: no
# internal one may be among anon's (0.2.0 opened 17 to PUBLIC), but the
# words of errors (_pg_intent_error_words(), intent_output_error()'s twin,
# PUBLIC's as it is, in intent_internal, a schema PostgREST does not serve)
# a model's F1 (_pg_intent_model_f1(), which ai_model_registry calls for
# any reader; it reads nothing but its argument) and the built-in
# classifier's review rows (_pg_intent_builtin_review_rows(), which
# ai_review_queue calls for any reader; it reads with the caller's rights).
expect_eq "$(psql -X -At -q -d pgi_supabase -c "SET ROLE anon" -c "SELECT count(*) FROM pg_proc p JOIN pg_depend d ON d.classid = 'pg_proc'::regclass AND d.objid = p.oid AND d.deptype = 'e' JOIN pg_extension e ON e.oid = d.refobjid AND e.extname = 'pg_intent' WHERE p.proname LIKE '\_pg\_intent\_%' AND p.proname NOT IN ('_pg_intent_error_words', '_pg_intent_model_f1', '_pg_intent_builtin_review_rows') AND has_function_privilege(p.oid, 'EXECUTE')")" 0 \
    "anon may execute no internal function (no /rpc/_pg_intent_* endpoint)"
# ... and the schema PostgREST serves (public) holds none: they are in the
# extension's own schema, intent_internal, out of PostgREST's schema cache.
expect_eq "$(q pgi_supabase "SELECT count(*) FROM pg_proc WHERE pronamespace = 'public'::regnamespace AND proname LIKE '\_pg\_intent\_%'")" 0 \
    "the schema PostgREST serves holds no internal function"

# Named classifiers under Supabase's default privileges: the table a
# classifier reads is open to anon and authenticated (ALTER DEFAULT
# PRIVILEGES ... GRANT ALL ON TABLES), but the classifier is its owner's:
# neither anon nor a signed-up user may create, train, deploy, roll back,
# alter, grant or drop it until the owner grants it.
q pgi_supabase "CREATE TABLE public.shop_prompts AS SELECT row_number() OVER (ORDER BY user_message, id) AS id, user_message AS prompt, training_label AS route FROM ai_training_data WHERE training_label IS NOT NULL" >/dev/null
q pgi_supabase "SELECT create_classifier('shop_router', 'public.shop_prompts', 'prompt', 'route', '{\"key_column\": \"id\"}') ->> 'name'" >/dev/null
q pgi_supabase "SELECT train_classifier('shop_router') ->> 'status'" >/dev/null
for role in anon authenticated; do
    for call in "SELECT create_classifier('mine', 'public.shop_prompts', 'prompt', 'route')" \
        "SELECT train_classifier('shop_router')" "SELECT deploy_classifier_model('shop_router', 1)" \
        "SELECT rollback_classifier('shop_router')" "SELECT alter_classifier('shop_router', '{}')" \
        "SELECT grant_classifier_access('shop_router', '$role', 'train')" "SELECT drop_classifier('shop_router')" \
        "SELECT * FROM ai_classifiers" "SELECT get_classifier_metrics('shop_router')" \
        "SELECT * FROM get_classifier_review_queue('shop_router')" \
        "SELECT create_classifier_metrics_snapshot('shop_router', 'hourly')" \
        "SELECT explain_label('shop_router', 'hola')" \
        "SELECT * FROM ai_classifier_metrics_snapshots"; do
        expect_role pgi_supabase $role "$call" 42501 "$role is refused a classifier it was not granted: $call"
    done
done
q pgi_supabase "SELECT grant_classifier_access('shop_router', 'authenticated', 'train') ->> 'name'" >/dev/null
expect_role pgi_supabase authenticated "SELECT train_classifier('shop_router', NULL, '{\"deploy\": \"never\"}') ->> 'status'" ok \
    "authenticated trains once the owner grants it (the table read as the classifier's owner)"
expect_role pgi_supabase authenticated "SELECT deploy_classifier_model('shop_router', 1)" 42501 \
    "the right to train is not the right to deploy"
expect_role pgi_supabase anon "SELECT train_classifier('shop_router')" 42501 "anon is still refused"

# ------------------------------------------------------------ the upgrade
# 0.1.0 installed under the same default privileges left all of it open.
create_supabase_db pgi_supabase_up
psql -X -q -d pgi_supabase_up -c "SET client_min_messages = warning" -c "CREATE EXTENSION pg_intent VERSION '0.1.0'"
expect_role pgi_supabase_up anon "SELECT has_function_privilege('train_intent_model(text, text, jsonb)', 'EXECUTE') AND has_table_privilege('ai_training_data', 'DELETE') AND has_function_privilege('_pg_intent_activate(bigint, text, uuid)', 'EXECUTE')" ok \
    "0.1.0 under Supabase's defaults: anon may train, activate models and delete chat messages"
expect_eq "$(psql -X -At -q -d pgi_supabase_up -c "SET ROLE anon" -c "SELECT has_function_privilege('train_intent_model(text, text, jsonb)', 'EXECUTE')")" t \
    "(that is the 0.1.0 hole)"
psql -X -q -d pgi_supabase_up -c "ALTER EXTENSION pg_intent UPDATE" 2>"$TEST_TMP/update.log"
revoked=$(grep -c 'revoking the privileges default privileges gave' "$TEST_TMP/update.log" || true)
[ "$revoked" -gt 0 ] || { cat "$TEST_TMP/update.log"; echo "FAILED: the upgrade reported no revocation" >&2; exit 1; }
echo "ok: the upgrade revoked $revoked default-privilege grants, each with a WARNING"
grep -q 'revoking EXECUTE on function public.evaluate_intent_model(bigint, text) from PUBLIC' "$TEST_TMP/update.log" ||
    { cat "$TEST_TMP/update.log"; echo "FAILED: the upgrade did not report closing evaluate_intent_model to PUBLIC" >&2; exit 1; }
echo "ok: the upgrade reports closing evaluate_intent_model to PUBLIC"
if ! diff -u <(acls_of pgi_supabase) <(acls_of pgi_supabase_up); then
    echo "FAILED: the upgraded ACLs differ from a fresh install's (- fresh, + upgraded)" >&2
    exit 1
fi
echo "ok: after the upgrade the ACLs equal a fresh install's"
for call in "SELECT train_intent_model()" "SELECT deploy_intent_model(1)" "SELECT count(*) FROM ai_training_data" \
    "SELECT intent_internal._pg_intent_activate(1::bigint, 'manual'::text, NULL::uuid)" \
    "SELECT evaluate_intent_model(NULL, 'SELECT pg_sleep(0)::text || ''hola'', ''greeting''')"; do
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
expect_eq "$(q pgi_custom "SELECT has_function_privilege('anon', 'intent_internal._pg_intent_policy()', 'EXECUTE'), has_function_privilege('anon', 'is_valid_intent_name(text)', 'EXECUTE')")" "f|t" \
    "a function the upgrade adds gets its documented privileges (an internal one closed to PUBLIC, a public one open)"
drop_db pgi_custom

# ------------------------------------------------------------ the recipe
# The documented recipe (docs/privileges.md), as written.
doc_sql_block supabase-recipe >"$TEST_TMP/recipe.sql" || exit 1
[ -s "$TEST_TMP/recipe.sql" ] || { echo "FAILED: no recipe found in README.md or docs/" >&2; exit 1; }
psql -X -q -v ON_ERROR_STOP=1 -d pgi_supabase -f "$TEST_TMP/recipe.sql"
echo "ok: the documented Supabase recipe ran ($(grep -c '^GRANT' "$TEST_TMP/recipe.sql") GRANT statements)"

# PostgREST's calls: one transaction, SET LOCAL ROLE to the JWT's role and
# request.jwt.claims set to the verified claims. $1 db, $2 role, $3 claims
# (JSON), $4 SQL; prints "ok" or the SQLSTATE (as_role's convention), or with
# jwt_q the statement's output.
jwt_sql() {
    printf "BEGIN;\nSET LOCAL ROLE %s;\nSELECT set_config('request.jwt.claims', '%s', true) IS NULL;\n%s;\nCOMMIT;\n" "$1" "$2" "$3"
}
as_jwt() {
    jwt_sql "$2" "$3" "$4" | psql -X -At -q -d "$1" -v ON_ERROR_STOP=1 -v VERBOSITY=sqlstate >/dev/null 2>"$TEST_TMP/err" &&
        echo ok || sed -nE 's/^ERROR: +([0-9A-Z]{5}).*/\1/p' "$TEST_TMP/err" | head -1
}
jwt_q() {
    jwt_sql "$2" "$3" "$4" | psql -X -At -q -d "$1" -v ON_ERROR_STOP=1 | sed 1d
}
expect_jwt() { # db role claims sql expected what
    expect_eq "$(as_jwt "$1" "$2" "$3" "$4")" "$5" "$6"
}
ANON='{"role": "anon"}'
ALICE_ID=0b0b0b0b-0000-4000-8000-00000000a11c
BOB_ID=0b0b0b0b-0000-4000-8000-0000000000b0
STAFF_ID=5a5a5a5a-0000-4000-8000-0000000057af
ALICE="{\"sub\": \"$ALICE_ID\", \"role\": \"authenticated\", \"app_metadata\": {\"provider\": \"email\"}}"
# a customer who wrote "staff" where users can write: user_metadata
MALLORY='{"sub": "0b0b0b0b-0000-4000-8000-0000000000ff", "role": "authenticated", "user_metadata": {"role": "staff"}}'
STAFF="{\"sub\": \"$STAFF_ID\", \"role\": \"authenticated\", \"app_metadata\": {\"provider\": \"email\", \"role\": \"staff\"}}"
SERVICE='{"role": "service_role"}'
DASHBOARD_ONLY_SERVICE='explain_intent\(|ai_training_progress'

# The documented dashboard recipe (one query per tab of the seed's admin
# panel) runs as staff, but for the queries it marks as service_role's.
doc_sql_block dashboard-recipe >"$TEST_TMP/dashboard.sql" || exit 1
[ "$(grep -c '^SELECT' "$TEST_TMP/dashboard.sql")" -ge 10 ] || { echo "FAILED: no dashboard recipe found in README.md or docs/" >&2; exit 1; }
[ "$(grep -cE "$DASHBOARD_ONLY_SERVICE" "$TEST_TMP/dashboard.sql")" -eq 2 ] || { echo "FAILED: the dashboard's service_role queries moved" >&2; exit 1; }
jwt_sql authenticated "$STAFF" "$(grep -vE "$DASHBOARD_ONLY_SERVICE" "$TEST_TMP/dashboard.sql")" |
    psql -X -q -v ON_ERROR_STOP=1 -d pgi_supabase >/dev/null
echo "ok: the documented dashboard recipe runs as staff (but for its two service_role queries)"
jwt_sql service_role "$SERVICE" "$(cat "$TEST_TMP/dashboard.sql")" | psql -X -q -v ON_ERROR_STOP=1 -d pgi_supabase >/dev/null
echo "ok: the documented dashboard recipe runs as service_role"
row=$(q pgi_supabase "SELECT id FROM ai_training_data ORDER BY user_message LIMIT 1")
inactive=$(q pgi_supabase "SELECT train_intent_model('spare', 'full', '{\"deploy\": \"never\"}') ->> 'model_id'")
total=$(q pgi_supabase "SELECT count(*) FROM ai_training_data")

# the application (anon)
expect_jwt pgi_supabase anon "$ANON" "SELECT record_interaction('¿dónde está mi pedido?', 'order_status', 70)" ok "anon logs interactions"
expect_jwt pgi_supabase anon "$ANON" "SELECT record_interaction('hola', 'greeting', 70, p_user_id => '$ALICE_ID')" 42501 \
    "anon cannot log in a customer's name"
expect_jwt pgi_supabase anon "$ANON" "SELECT predicted_intent FROM predict_intent('quiero devolver un producto')" ok "anon predicts"
expect_jwt pgi_supabase anon "$ANON" "SELECT count(*) FROM ai_training_data" 42501 "anon cannot read the chat messages"
expect_jwt pgi_supabase anon "$ANON" "SELECT submit_intent_correction('$row', 'complaint')" 42501 "anon cannot correct labels"
expect_jwt pgi_supabase anon "$ANON" "SELECT predict_intent('hola', $inactive)" 42501 "anon cannot use a model that is not deployed"
expect_jwt pgi_supabase anon "$ANON" "SELECT count(*) FROM ai_review_queue" 42501 "anon cannot read the review queue"
expect_jwt pgi_supabase anon "$ANON" "SELECT count(*) FROM get_classifier_review_queue('intent')" 42501 \
    "anon cannot read intent's review queue through get_classifier_review_queue()"
expect_jwt pgi_supabase anon "$ANON" "SELECT evaluate_intent_model(NULL, \$\$VALUES ('quiero devolver un producto', 'return_process')\$\$)" 42501 \
    "anon cannot evaluate (it would run any query anon writes)"
expect_jwt pgi_supabase anon "$ANON" "SELECT evaluate_intent_model(NULL, 'SELECT pg_sleep(0)::text || ''hola'', current_setting(''request.jwt.claims'', true)')" 42501 \
    "anon cannot run pg_sleep() or read its claims through evaluate_intent_model"
expect_jwt pgi_supabase anon "$ANON" "SELECT approve_training_sample('$row')" 42501 "anon cannot approve rows"
expect_jwt pgi_supabase anon "$ANON" "INSERT INTO ai_training_data (user_message, detected_intent, dataset_status) VALUES ('forged', 'thanks', 'approved')" 42501 \
    "anon cannot insert a row marked approved (only record_interaction's columns)"
expect_jwt pgi_supabase anon "$ANON" "INSERT INTO ai_training_data (user_message, detected_intent, corrected_by_human, correct_intent) VALUES ('forged', 'thanks', true, 'thanks')" 42501 \
    "anon cannot insert a row marked corrected by a human"
expect_jwt pgi_supabase anon "$ANON" "INSERT INTO ai_training_data (user_message, detected_intent, created_at) VALUES ('forged', 'thanks', '2001-01-01')" 42501 \
    "anon cannot backdate a row"
expect_jwt pgi_supabase anon "$ANON" "SELECT explain_intent('quiero devolver un producto')" 42501 \
    "anon cannot explain (the vocabulary would show which n-grams training messages contain)"

# a customer (authenticated without the staff claim): logs their own messages, nothing else
for who in ALICE MALLORY; do
    claims=${!who}
    expect_jwt pgi_supabase authenticated "$claims" "SELECT record_interaction('hola, soy $who', 'greeting', 80, p_user_id => auth.uid())" ok \
        "customer $who logs an interaction as themselves"
    expect_jwt pgi_supabase authenticated "$claims" "SELECT record_interaction('hola, soy Bob', 'greeting', 80, p_user_id => '$BOB_ID')" 42501 \
        "customer $who cannot log an interaction in another customer's name"
    expect_jwt pgi_supabase authenticated "$claims" "SELECT record_interaction('hola, soy nadie', 'greeting', 80)" 42501 \
        "customer $who cannot log an interaction without a user"
    expect_eq "$(jwt_q pgi_supabase authenticated "$claims" "SELECT count(*) FROM ai_training_data")" 0 \
        "customer $who reads no message, not even their own"
    for view in ai_review_queue ai_pending_review ai_classification_errors ai_training_run_history ai_model_registry \
        ai_intent_corrections ai_review_actions ai_training_runs ai_training_run_rows ai_shadow_predictions ai_training_policy; do
        expect_eq "$(jwt_q pgi_supabase authenticated "$claims" "SELECT count(*) FROM $view")" 0 "customer $who reads no row of $view"
    done
    # intent's label errors through the classifiers' function: read with the
    # customer's own rights, as the view (0.3.2), so the staff policies hide them
    expect_eq "$(jwt_q pgi_supabase authenticated "$claims" "SELECT count(*) FROM get_classifier_review_queue('intent', NULL, 10000)")" 0 \
        "customer $who reads no row of get_classifier_review_queue('intent')"
    expect_eq "$(jwt_q pgi_supabase authenticated "$claims" "UPDATE ai_training_data SET correct_intent = 'greeting', corrected_by_human = true, dataset_status = 'approved' WHERE detected_intent = 'return_process' RETURNING id" | wc -l)" 0 \
        "customer $who relabels and approves no row (0.2.0's recipe: every return_process row)"
    expect_jwt pgi_supabase authenticated "$claims" "SELECT submit_intent_correction('$row', 'complaint')" P0002 \
        "customer $who cannot correct a label (the row is not theirs to see)"
    expect_jwt pgi_supabase authenticated "$claims" "SELECT approve_training_sample('$row')" P0002 "customer $who cannot approve a row"
    expect_jwt pgi_supabase authenticated "$claims" "SELECT reject_training_sample('$row', 'spam')" P0002 "customer $who cannot reject a row"
    expect_eq "$(jwt_q pgi_supabase authenticated "$claims" "SELECT approve_training_samples(ARRAY['$row']::uuid[]) ->> 'updated'")" 0 \
        "customer $who approves nothing in a batch"
    expect_jwt pgi_supabase authenticated "$claims" "INSERT INTO ai_review_actions (training_data_id, action, intent) VALUES ('$row', 'approve', 'greeting')" 42501 \
        "customer $who cannot write a review action"
    expect_jwt pgi_supabase authenticated "$claims" "INSERT INTO ai_intent_corrections (training_data_id, corrected_intent) VALUES ('$row', 'greeting')" 42501 \
        "customer $who cannot write a correction"
    expect_jwt pgi_supabase authenticated "$claims" "SELECT evaluate_intent_model(NULL, 'SELECT pg_sleep(0)::text || ''hola'', ''greeting''')" 42501 "customer $who cannot evaluate"
    expect_jwt pgi_supabase authenticated "$claims" "SELECT explain_intent('quiero devolver un producto')" 42501 "customer $who cannot explain"
    expect_jwt pgi_supabase authenticated "$claims" "SELECT count(*) FROM pg_intent_training_progress()" 42501 "customer $who cannot see the trainings"
    expect_jwt pgi_supabase authenticated "$claims" "SELECT predicted_intent FROM predict_intent('quiero devolver un producto')" ok "customer $who predicts"
    expect_jwt pgi_supabase authenticated "$claims" "SELECT model FROM ai_intent_models" 42501 "customer $who cannot download model bytes"
    expect_jwt pgi_supabase authenticated "$claims" "SELECT train_intent_model()" 42501 "customer $who cannot train"
    expect_jwt pgi_supabase authenticated "$claims" "DELETE FROM ai_training_data" 42501 "customer $who cannot delete chat messages"
done
expect_eq "$(q pgi_supabase "SELECT count(*) FILTER (WHERE user_id = '$ALICE_ID'), count(*) FILTER (WHERE user_id = '$BOB_ID'), count(*) FILTER (WHERE dataset_status <> 'pending') FROM ai_training_data")" "1|0|0" \
    "what the customers did: Alice's one message, none in Bob's name, no row reviewed"

# staff (authenticated with app_metadata.role = 'staff'): read and review
expect_eq "$(jwt_q pgi_supabase authenticated "$STAFF" "SELECT count(*) FROM ai_training_data")" "$((total + 3))" "staff read every message"
expect_jwt pgi_supabase authenticated "$STAFF" "SELECT count(*) FROM ai_pending_review" ok "staff read the review queue"
expect_jwt pgi_supabase authenticated "$STAFF" "SELECT count(*) FROM ai_review_queue WHERE tier = 'label_error'" ok "staff read the ranked review queue"
RQ_SAME="SELECT count(*) > 0 AND (SELECT array_agg(ROW(rank, row_key, text, label) ORDER BY rank) FROM get_classifier_review_queue('intent', NULL, 10000))
         IS NOT DISTINCT FROM (SELECT array_agg(ROW(rank, id::text, user_message, intent) ORDER BY rank) FROM ai_review_queue WHERE tier = 'label_error')
           FROM get_classifier_review_queue('intent', NULL, 10000)"
expect_eq "$(jwt_q pgi_supabase authenticated "$STAFF" "$RQ_SAME")" t \
    "staff read intent's label errors through get_classifier_review_queue('intent'): the view's label_error tier"
expect_jwt pgi_supabase authenticated "$STAFF" "SELECT count(*) FROM ai_model_registry" ok "staff read the model registry"
expect_jwt pgi_supabase authenticated "$STAFF" "SELECT length(training_report())" ok "staff read training reports"
expect_jwt pgi_supabase authenticated "$STAFF" "SELECT count(*) FROM export_training_dataset('jsonl')" ok "staff export the dataset"
expect_jwt pgi_supabase authenticated "$STAFF" "SELECT predict_intent('hola', $inactive)" ok "staff predict with a model not deployed"
# The reproduction of item 2 (0.2.0's recipe: 24 rows changed, no audit row).
expect_jwt pgi_supabase authenticated "$STAFF" "UPDATE ai_training_data SET correct_intent = 'greeting', corrected_by_human = true, dataset_status = 'approved' WHERE detected_intent = 'return_process'" 42501 \
    "staff cannot relabel and approve rows with an UPDATE"
expect_jwt pgi_supabase authenticated "$STAFF" "UPDATE ai_training_data SET dataset_status = 'approved' WHERE id = '$row'" 42501 \
    "staff cannot approve a row with an UPDATE"
expect_jwt pgi_supabase authenticated "$STAFF" "UPDATE ai_training_data SET detected_intent = 'greeting' WHERE id = '$row'" 42501 \
    "staff cannot change a detected intent"
expect_jwt pgi_supabase authenticated "$STAFF" "INSERT INTO ai_review_actions (training_data_id, action, intent, reviewed_by, created_at) VALUES ('$row', 'reject', 'x', 'postgres', '2001-01-01')" 42501 \
    "staff cannot write the audit columns of a review action"
expect_jwt pgi_supabase authenticated "$STAFF" "INSERT INTO ai_intent_corrections (training_data_id, corrected_intent, recorded_by, created_at) VALUES ('$row', 'x', 'postgres', '2001-01-01')" 42501 \
    "staff cannot write the audit columns of a correction"
expect_jwt pgi_supabase authenticated "$STAFF" "UPDATE ai_training_data SET created_at = '2001-01-01' WHERE id = '$row'" 42501 \
    "staff cannot backdate a message"
expect_eq "$(q pgi_supabase "SELECT count(*) FROM ai_training_data WHERE dataset_status <> 'pending' OR correct_intent IS NOT NULL") $(q pgi_supabase "SELECT count(*) FROM ai_review_actions") $(q pgi_supabase "SELECT count(*) FROM ai_intent_corrections")" "0 0 0" \
    "nothing was reviewed or recorded so far"
# Reviews through the functions, with forged reviewer ids: each leaves its audit
# row, stamped with the staff member's JWT subject and now().
forged=ffffffff-ffff-4fff-8fff-ffffffffffff
read -r corrected approved rejected < <(q pgi_supabase "SELECT string_agg(id::text, ' ' ORDER BY user_message) FROM (SELECT id, user_message FROM ai_training_data WHERE user_id IS NULL ORDER BY user_message LIMIT 3) AS t")
stamp=$(jwt_q pgi_supabase authenticated "$STAFF" "SELECT submit_intent_correction('$corrected', 'complaint', p_corrector_id => '$forged') ->> 'corrected_intent', approve_training_sample('$approved', '$forged') ->> 'dataset_status', reject_training_sample('$rejected', 'spam', '$forged') ->> 'dataset_status', now()")
expect_eq "${stamp%|*}" "complaint|approved|rejected" "staff correct, approve and reject through the review functions"
now=${stamp##*|}
expect_eq "$(q pgi_supabase "SELECT string_agg(concat_ws(' ', action, reviewer_id, reviewed_by, created_at = '$now'), ', ' ORDER BY action) FROM ai_review_actions")" \
    "approve $STAFF_ID $STAFF_ID t, reject $STAFF_ID $STAFF_ID t" \
    "each review action is stamped with the staff JWT subject and now(), not the forged reviewer id"
expect_eq "$(q pgi_supabase "SELECT concat_ws(' ', corrected_by, recorded_by, created_at = '$now') FROM ai_intent_corrections")" \
    "$STAFF_ID $STAFF_ID t" "the correction is stamped with the staff JWT subject and now(), not the forged corrector id"
expect_eq "$(q pgi_supabase "SELECT concat_ws(' ', dataset_status, correct_intent, corrected_by, corrected_at = '$now') FROM ai_training_data WHERE id = '$corrected'")" \
    "reviewed complaint $STAFF_ID t" "the corrected row names the staff member"
expect_eq "$(q pgi_supabase "SELECT count(*) FROM ai_training_data WHERE dataset_status <> 'pending'")" 3 "exactly the three reviewed rows changed"
expect_jwt pgi_supabase authenticated "$STAFF" "SELECT approve_training_sample(id) FROM ai_review_queue WHERE rank = 1" ok \
    "staff approve the first row of the queue"
expect_jwt pgi_supabase authenticated "$STAFF" "UPDATE ai_review_actions SET reviewed_by = 'someone else'" 42501 "staff cannot rewrite the audit rows"
# The audit rows staff may insert say only what the review functions would
# write (0.3.1 accepted these, and the trigger then took them as the audit
# row of the change): an approval needs a valid label, a rejection a reason
# (ai_review_actions' CHECK constraints), and a correction's original
# intent is the row's stored detection.
unlabelled=$(q pgi_supabase "SELECT record_interaction('mensaje sin etiqueta', NULL, 10)")
unreasoned=$(q pgi_supabase "SELECT record_interaction('hola, buenas tardes', 'greeting', 80)")
mislabelled=$(q pgi_supabase "SELECT record_interaction('hola, buenos días', 'greeting', 80)")
expect_jwt pgi_supabase authenticated "$STAFF" "SELECT approve_training_sample('$unlabelled')" 22023 "the function refuses to approve a row without a label"
expect_jwt pgi_supabase authenticated "$STAFF" "INSERT INTO ai_review_actions (training_data_id, action, intent) VALUES ('$unlabelled', 'approve', NULL); UPDATE ai_training_data SET dataset_status = 'approved', intent_correct = true WHERE id = '$unlabelled'" 23514 \
    "staff cannot approve a row without a label by writing the audit row themselves"
expect_jwt pgi_supabase authenticated "$STAFF" "SELECT reject_training_sample('$unreasoned', NULL)" 22004 "the function refuses to reject without a reason"
expect_jwt pgi_supabase authenticated "$STAFF" "INSERT INTO ai_review_actions (training_data_id, action, intent) VALUES ('$unreasoned', 'reject', 'greeting'); UPDATE ai_training_data SET dataset_status = 'rejected' WHERE id = '$unreasoned'" 23514 \
    "staff cannot reject a row without a reason by writing the audit row themselves"
expect_jwt pgi_supabase authenticated "$STAFF" "INSERT INTO ai_review_actions (training_data_id, action, intent, reason) VALUES ('$unreasoned', 'reject', 'greeting', E' \\t\\n'); UPDATE ai_training_data SET dataset_status = 'rejected' WHERE id = '$unreasoned'" 23514 \
    "staff cannot reject a row with a blank reason by writing the audit row themselves"
expect_eq "$(q pgi_supabase "SELECT string_agg(dataset_status, ' ' ORDER BY user_message) FROM ai_training_data WHERE id IN ('$unlabelled', '$unreasoned')")" "pending pending" \
    "both rows are still pending"
expect_jwt pgi_supabase authenticated "$STAFF" "INSERT INTO ai_intent_corrections (training_data_id, original_intent, corrected_intent) VALUES ('$mislabelled', 'complaint', 'complaint'); UPDATE ai_training_data SET correct_intent = 'complaint', corrected_by_human = true, intent_correct = false, dataset_status = 'reviewed' WHERE id = '$mislabelled'" ok \
    "staff correct a row by writing the correction row themselves"
expect_eq "$(q pgi_supabase "SELECT concat_ws(' ', original_intent, corrected_intent, was_mismatch, recorded_by) FROM ai_intent_corrections WHERE training_data_id = '$mislabelled'")" \
    "greeting complaint t $STAFF_ID" "the correction row records the stored detection, not the original intent staff wrote"
expect_jwt pgi_supabase authenticated "$STAFF" "SELECT evaluate_intent_model($inactive, 'SELECT user_message, coalesce(correct_intent, detected_intent) FROM ai_training_data')" 42501 \
    "staff cannot evaluate (a function the claim cannot guard: service_role's)"
expect_jwt pgi_supabase authenticated "$STAFF" "SELECT model FROM ai_intent_models" 42501 "staff cannot download model bytes"
expect_jwt pgi_supabase authenticated "$STAFF" "SELECT train_intent_model()" 42501 "staff cannot train"
expect_jwt pgi_supabase authenticated "$STAFF" "SELECT deploy_intent_model($inactive)" 42501 "staff cannot deploy"
expect_jwt pgi_supabase authenticated "$STAFF" "UPDATE ai_training_policy SET max_f1_regression = 1" 42501 "staff cannot change the policy"
expect_jwt pgi_supabase authenticated "$STAFF" "DELETE FROM ai_training_data" 42501 "staff cannot delete chat messages"

# Named classifiers under the recipe (0.3.2, issue 31 item 13): service_role
# creates one (and owns it), lists it, trains it, reads its review queue and
# metrics; the per-classifier recipe lets the app and customers predict with
# it. To a customer an unknown classifier and one it may not use look alike.
expect_jwt pgi_supabase service_role "$SERVICE" "SELECT create_classifier('app_router', 'public.shop_prompts', 'prompt', 'route', '{\"key_column\": \"id\", \"seed\": 1}') ->> 'name'" ok \
    "service_role creates a classifier"
expect_jwt pgi_supabase service_role "$SERVICE" "SELECT count(*) FROM ai_classifiers" ok "service_role lists the classifiers"
expect_jwt pgi_supabase service_role "$SERVICE" "SELECT train_classifier('app_router') ->> 'status'" ok "service_role trains its classifier"
expect_jwt pgi_supabase service_role "$SERVICE" "SELECT count(*) FROM get_classifier_review_queue('app_router')" ok \
    "service_role reads its classifier's review queue (0.3.1: 42501 on ai_classifier_run_rows)"
expect_eq "$(jwt_q pgi_supabase service_role "$SERVICE" "SELECT get_classifier_metrics('app_router') ->> 'new_rows'")" 0 \
    "service_role reads its classifier's metrics, the source counted as the owner"
expect_jwt pgi_supabase anon "$ANON" "SELECT * FROM predict_label('app_router', 'quiero devolver un producto')" 42501 \
    "before the per-classifier recipe, anon may not predict with the classifier"
doc_sql_block supabase-classifier-recipe >"$TEST_TMP/classifier_recipe.sql" || exit 1
[ "$(grep -c grant_classifier_access "$TEST_TMP/classifier_recipe.sql")" -ge 2 ] || { echo "FAILED: no per-classifier recipe found" >&2; exit 1; }
jwt_sql service_role "$SERVICE" "$(cat "$TEST_TMP/classifier_recipe.sql")" | psql -X -q -v ON_ERROR_STOP=1 -d pgi_supabase >/dev/null
echo "ok: the documented per-classifier recipe ran as service_role"
expect_jwt pgi_supabase anon "$ANON" "SELECT * FROM predict_label('app_router', 'quiero devolver un producto')" ok "anon predicts with the classifier"
expect_jwt pgi_supabase authenticated "$ALICE" "SELECT * FROM predict_label('app_router', 'quiero devolver un producto')" ok "a customer predicts with the classifier"
expect_jwt pgi_supabase authenticated "$ALICE" "SELECT * FROM predict_label('shop_router', 'hola')" 42501 "a customer may not use a classifier not granted to it"
expect_jwt pgi_supabase authenticated "$ALICE" "SELECT * FROM predict_label('no_such_router', 'hola')" 42501 \
    "a customer gets the same 42501 for a classifier that does not exist (0.3.1: 42704)"
expect_jwt pgi_supabase authenticated "$ALICE" "SELECT get_classifier_metrics('no_such_router')" 42501 \
    "a customer's dashboard call does not tell which classifiers exist"
expect_jwt pgi_supabase authenticated "$ALICE" "SELECT intent_internal._pg_intent_classifier_review_plan('app_router')" 42501 \
    "a customer cannot read a classifier's source name (0.3.1: the review set granted it)"
expect_jwt pgi_supabase authenticated "$ALICE" "SELECT * FROM intent_internal._pg_intent_classifier_count_plan('app_router')" 42501 \
    "a customer cannot read a classifier's count statement (0.3.1: the metrics set granted it)"
expect_jwt pgi_supabase authenticated "$ALICE" "SELECT count(*) FROM ai_classifiers" 42501 "a customer cannot list the classifiers"
expect_eq "$(jwt_q pgi_supabase authenticated "$ALICE" "SELECT count(*) FROM ai_classifier_run_rows")" 0 "a customer reads no classifier run row"
expect_jwt pgi_supabase authenticated "$STAFF" "SELECT count(*) FROM ai_classifier_run_rows" ok "staff read the classifiers' run rows"
# administrators
expect_jwt pgi_supabase service_role "$SERVICE" "SELECT train_intent_model('by service_role', 'full', '{\"deploy\": \"never\"}')" ok "service_role trains"
expect_jwt pgi_supabase service_role "$SERVICE" "SELECT count(*) FROM ai_review_queue" ok "service_role reads the review queue"
expect_eq "$(jwt_q pgi_supabase service_role "$SERVICE" "$RQ_SAME")" t \
    "service_role reads intent's label errors through get_classifier_review_queue('intent'): the view's label_error tier"
expect_jwt pgi_supabase service_role "$SERVICE" "SELECT evaluate_intent_model($inactive, 'SELECT user_message, coalesce(correct_intent, detected_intent) FROM ai_training_data')" ok \
    "service_role evaluates a model that is not deployed"
expect_jwt pgi_supabase service_role "$SERVICE" "SELECT explain_intent('quiero devolver un producto') ->> 'intent'" ok "service_role explains a prediction"
expect_jwt pgi_supabase service_role "$SERVICE" "SELECT deploy_intent_model($inactive)" ok "service_role deploys"
expect_eq "$(q pgi_supabase "SELECT deployed_by FROM ai_model_deployments ORDER BY id DESC LIMIT 1")" service_role \
    "the deployment records the JWT's role (0.2.0: the session user, under PostgREST the authenticator)"
expect_jwt pgi_supabase service_role "$SERVICE" "SELECT rollback_intent_model()" ok "service_role rolls back"
expect_jwt pgi_supabase service_role "$SERVICE" "UPDATE ai_training_policy SET max_f1_regression = 0.02" ok "service_role sets the policy"
expect_jwt pgi_supabase service_role "$SERVICE" "SELECT train_intent_model('forced', 'full', '{\"deploy\": \"always\"}')" ok \
    "service_role may force a deploy"
expect_jwt pgi_supabase service_role "$SERVICE" "SELECT delete_intent_model($inactive)" ok "service_role deletes an old model"
