#!/usr/bin/env bash
# The update from 0.3.1 to 0.3.2 (issue 31), in place: the grants of the sets, with a trained
# classifier and a dashboard role that holds the metrics and review sets.
#
#  1. A database at 0.3.1 (the frozen script) with this library: a
#     classifier with a key, trained; pgi_upg031_dash granted the metrics and
#     review sets (in 0.3.1 they held _pg_intent_classifier_count_plan() and
#     _pg_intent_classifier_review_plan(), which name the source) and the
#     classifier's train right.
#  2. ALTER EXTENSION pg_intent UPDATE keeps every row of every extension
#     table, and the model answers as before.
#  3. The role no longer holds the two helpers that named the source, holds
#     the sets' new helpers, and its dashboards and review queue work: the
#     source counted and read as the classifier's owner.
# upgrade.sh and upgrade_020.sh check the whole chain against a fresh install.
cd "$(dirname "$0")/../.."
source test/scripts/lib.bash
DB=pgi_upg031
ROLE=pgi_upg031_dash
trap 'stop_own_clusters; stop_extra_clusters' EXIT

STAFF=pgi_upg031_staff
EXPLAINER=pgi_upg031_explainer
GONE=pgi_upg031_gone
PGI_PRELOAD=pg_intent start_own_cluster cluster
psql -X -q -d postgres -c "CREATE DATABASE $DB" >/dev/null
# The owner's default privileges name a role (as Supabase's name anon and
# authenticated): the 0.3.1 install revokes what they gave it, and what is
# granted to it afterwards is granted on purpose.
psql -X -q -d postgres -c "DROP ROLE IF EXISTS $STAFF" -c "DROP ROLE IF EXISTS $EXPLAINER" -c "DROP ROLE IF EXISTS $GONE" >/dev/null 2>&1
psql -X -q -v ON_ERROR_STOP=1 -d $DB >/dev/null <<SQL
CREATE ROLE $STAFF;
CREATE ROLE $EXPLAINER;
CREATE ROLE $GONE;
ALTER DEFAULT PRIVILEGES GRANT SELECT ON TABLES TO $STAFF;
ALTER DEFAULT PRIVILEGES GRANT EXECUTE ON FUNCTIONS TO $STAFF;
SQL
psql -X -q -d $DB -c "SET client_min_messages = warning" -c "CREATE EXTENSION pg_intent VERSION '0.3.1'" >/dev/null
expect_eq "$(q $DB "SELECT extversion FROM pg_extension WHERE extname = 'pg_intent'")" "0.3.1" "0.3.1 installed"
psql -X -q -d postgres -c "DROP ROLE IF EXISTS $ROLE" >/dev/null 2>&1
load_ecommerce $DB
psql -X -q -v ON_ERROR_STOP=1 -d $DB >/dev/null <<SQL
SET client_min_messages = warning;
CREATE TABLE u_prompts AS
SELECT row_number() OVER (ORDER BY text, intent) AS id, text AS prompt, intent AS route FROM demo_rows;
SELECT create_classifier('u_router', 'u_prompts', 'prompt', 'route', '{"key_column": "id", "seed": 1}');
SELECT train_classifier('u_router');
CREATE ROLE $ROLE LOGIN;
SELECT grant_intent_access('$ROLE', 'metrics');
SELECT grant_intent_access('$ROLE', 'review');
SELECT grant_intent_access('$ROLE', 'models');
GRANT SELECT ON ai_training_runs, ai_classifier_run_rows TO $ROLE;
GRANT SELECT (id, version, intents, metrics, is_active, created_at, deployed_at, classifier, partition_key)
    ON ai_intent_models TO $ROLE;
SELECT grant_classifier_access('u_router', '$ROLE', 'train');
SELECT grant_intent_access('$GONE', 'metrics');
GRANT SELECT ON ai_training_runs TO $STAFF;
REVOKE EXECUTE ON FUNCTION predict_intent(text) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION predict_intent(text) TO $STAFF;
SELECT grant_intent_access('$STAFF', 'metrics');
SELECT grant_intent_access('$EXPLAINER', 'explain');
SQL

# Rows per extension table, and one prediction.
rows() { # (no query_to_xml(): the other majors' servers are built without libxml)
    q $DB "$(q $DB "SELECT 'SELECT string_agg(x, '' '' ORDER BY x) FROM ('
                          || string_agg(format('SELECT %L || ''='' || count(*) AS x FROM %I.%I', c.relname, n.nspname, c.relname),
                                        ' UNION ALL ')
                          || ') AS t'
                     FROM pg_depend d JOIN pg_extension e ON e.oid = d.refobjid AND e.extname = 'pg_intent'
                     JOIN pg_class c ON d.classid = 'pg_class'::regclass AND c.oid = d.objid AND c.relkind = 'r'
                     JOIN pg_namespace n ON n.oid = c.relnamespace")"
}
answer() {
    q $DB "SELECT label || ' ' || round(confidence::numeric, 6) FROM predict_label('u_router', 'quiero devolver el pedido que llegó roto')"
}
# (found where each version keeps them: public at 0.3.1, intent_internal since 0.3.2)
helper() {
    echo "coalesce(to_regprocedure('intent_internal.$1'), to_regprocedure('public.$1'))"
}
helpers() {
    q $DB "SELECT has_function_privilege('$ROLE', $(helper '_pg_intent_classifier_count_plan(text)'), 'EXECUTE')
                  || ' ' || has_function_privilege('$ROLE', $(helper '_pg_intent_classifier_review_plan(text)'), 'EXECUTE')
                  || ' ' || has_function_privilege('$ROLE', $(helper '_pg_intent_classifier_retrain_plan()'), 'EXECUTE')"
}
# Every internal function, by OID, with its ACL at 0.3.1, kept in a table
# of the test's own: the update moves them to intent_internal and keeps every
# grant (it may add the new helpers of a set a role holds; it revokes the
# three helpers that name the source, replaces one worker by a new
# signature, drops train_intent_model()'s worker, whose run is C's, and
# creates the trainer again without the row arrays that worker read: a new
# result type; nothing granted it).
keep_internal_acls() {
    q $DB "CREATE TABLE pgi_internal_before AS
           SELECT p.oid, p.proname, p.proacl
             FROM pg_proc p JOIN pg_depend d ON d.classid = 'pg_proc'::regclass AND d.objid = p.oid AND d.deptype = 'e'
             JOIN pg_extension e ON e.oid = d.refobjid AND e.extname = 'pg_intent'
            WHERE p.proname LIKE '\_pg\_intent\_%'
              AND p.proname NOT IN ('_pg_intent_classifier_count_plan', '_pg_intent_classifier_review_plan',
                                    '_pg_intent_classifier_retrain_plan', '_pg_intent_train_classifier_run',
                                    '_pg_intent_train_run', '_pg_intent_train_table')" >/dev/null
}
before_rows=$(rows)
before_tables=$(tr ' ' '\n' <<<"$before_rows" | sed 's/=.*//' | paste -sd'|')
rows_new_tables() { # the tables the update created, each empty: name=0
    rows | tr ' ' '\n' | sed 's/=.*//' | grep -vxE "$before_tables" | sed 's/$/=0/' | paste -sd'|'
}
before_answer=$(answer)
keep_internal_acls
expect_eq "$(q $DB "SELECT count(*) > 50 AND bool_and(p.pronamespace = 'public'::regnamespace) FROM pg_proc p WHERE p.proname LIKE '\_pg\_intent\_%'")" t \
    "at 0.3.1 the internal functions are in the schema the extension was installed in"
expect_eq "$(helpers)" "true true true" "at 0.3.1 the dashboard role holds the helpers that name the source"
expect_eq "$(psql -X -At -d $DB -U $ROLE -c "SELECT (_pg_intent_classifier_count_plan('u_router')).count_sql LIKE '%u_prompts%'" 2>&1)" t \
    "(that is the 0.3.1 leak: the count statement names the source)"

# What a role may execute beyond PUBLIC, by name.
# The extension's functions that satisfy a condition on p, by name.
functions_where() { # db condition
    q "$1" "SELECT coalesce(string_agg(p.oid::regprocedure::text, ' ' ORDER BY p.oid::regprocedure::text), '')
              FROM pg_proc AS p
              JOIN pg_depend AS d ON d.classid = 'pg_proc'::regclass AND d.objid = p.oid AND d.deptype = 'e'
              JOIN pg_extension AS e ON e.oid = d.refobjid AND e.extname = 'pg_intent'
             WHERE $2"
}
executable() {
    functions_where "$1" "has_function_privilege('$2', p.oid, 'EXECUTE') AND NOT has_function_privilege('public', p.oid, 'EXECUTE')"
}
expect_eq "$(q $DB "SELECT has_table_privilege('$STAFF', 'ai_training_data', 'SELECT'), has_table_privilege('$STAFF', 'ai_training_runs', 'SELECT')")" "f|t" \
    "at 0.3.1 the install revoked what default privileges gave $STAFF, and a grant made afterwards holds"
psql -X -q -d $DB -c "SET client_min_messages = warning" -c "ALTER EXTENSION pg_intent UPDATE" 2>"$TEST_TMP/update.log" >/dev/null
# A fresh 0.3.2 install in the same cluster, the same sets granted.
psql -X -q -d postgres -c "CREATE DATABASE ${DB}_fresh" >/dev/null
psql -X -q -v ON_ERROR_STOP=1 -d ${DB}_fresh >/dev/null <<SQL
SET client_min_messages = warning;
CREATE EXTENSION pg_intent;
REVOKE EXECUTE ON FUNCTION predict_intent(text) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION predict_intent(text) TO $STAFF;
SELECT grant_intent_access('$STAFF', 'metrics');
SELECT grant_intent_access('$EXPLAINER', 'explain');
SQL
expect_eq "$(q $DB "SELECT extversion FROM pg_extension WHERE extname = 'pg_intent'")" \
    "$(sed -nE "s/^default_version = '(.*)'/\1/p" pg_intent.control)" "ALTER EXTENSION UPDATE reached the default version"
# (the tables 0.3.2 adds start empty)
expect_eq "$(rows | tr ' ' '\n' | grep -vxE "$(rows_new_tables)" | tr '\n' ' ' | sed 's/ $//')" "$before_rows" \
    "every row of every extension table is kept"
expect_eq "$(answer)" "$before_answer" "the classifier's model answers as before"
expect_eq "$(helpers)" "false false false" "the update revoked the helpers that name the source"
# (but those the update drops: 0.3.1's reader of intent's back-off
# sequence, which goes with the sequence: one back-off, issue 33 point 1;
# and the DELETE/TRUNCATE trigger function of each referenced table, which
# the one that reads the list of references replaces, src/sql/12_references.sql)
DROPPED="'_pg_intent_retrain_failed_at', '_pg_intent_training_data_gone', '_pg_intent_training_runs_gone', '_pg_intent_intent_models_gone'"
expect_eq "$(q $DB "SELECT count(*), count(*) FILTER (WHERE p.pronamespace = 'intent_internal'::regnamespace
                                                      AND p.proname = b.proname
                                                      AND coalesce(b.proacl, '{}') <@ coalesce(p.proacl, '{}'))
                     FROM pgi_internal_before AS b LEFT JOIN pg_proc AS p ON p.oid = b.oid
                    WHERE b.proname NOT IN ($DROPPED)")" \
    "$(q $DB "SELECT count(*) || '|' || count(*) FROM pgi_internal_before WHERE proname NOT IN ($DROPPED)")" \
    "the update moved every internal function to intent_internal, same OID, every grant kept"
expect_eq "$(q $DB "SELECT count(*) > 0 FROM pgi_internal_before AS b, aclexplode(b.proacl) AS a WHERE a.grantee = '$ROLE'::regrole")" t \
    "(among them functions the role was granted at 0.3.1)"
expect_eq "$(q $DB "SELECT count(*) FROM pg_proc WHERE pronamespace = 'public'::regnamespace AND proname LIKE '\_pg\_intent\_%'")" 0 \
    "no internal function is left in the schema the extension was installed in"
expect_eq "$(q $DB "SELECT has_function_privilege('$ROLE', 'intent_internal._pg_intent_count_classifier_source(text, timestamptz, timestamptz)', 'EXECUTE')
                       AND has_function_privilege('$ROLE', 'intent_internal._pg_intent_classifier_source_texts(text, text[])', 'EXECUTE')
                       AND has_function_privilege('$ROLE', 'intent_internal._pg_intent_classifier_facts(text)', 'EXECUTE')
                       AND NOT has_function_privilege('$ROLE', 'intent_internal._pg_intent_classifier_facts(text, oid)', 'EXECUTE')")" t \
    "the update granted the sets' new helpers to the role that holds the sets (not the form that answers for any role)"
expect_eq "$(psql -X -At -d $DB -U $ROLE -c "SELECT get_classifier_metrics('u_router') ->> 'new_rows'" 2>&1)" 0 \
    "the dashboard role reads the metrics, the source counted as the owner"
expect_eq "$(psql -X -At -d $DB -U $ROLE -c "SELECT count(*) >= 0 FROM get_classifier_review_queue('u_router', NULL, 10)" 2>&1)" t \
    "the dashboard role reads the review queue, the texts read as the owner"
expect_eq "$(q $DB "SELECT has_function_privilege('public', 'intent_internal._pg_intent_count_classifier_source(text, timestamptz, timestamptz)', 'EXECUTE')")" f \
    "the new helpers are closed to PUBLIC"
# The grants made on purpose to a role that default privileges name stay.
# Before, the update revoked them all ("revoking the privileges default
# privileges gave ..."): on Supabase, the whole documented recipe of
# authenticated and service_role.
expect_eq "$(q $DB "SELECT has_table_privilege('$STAFF', 'ai_training_runs', 'SELECT'),
                           has_function_privilege('$STAFF', 'get_classifier_metrics(text, integer)', 'EXECUTE')")" "t|t" \
    "the update keeps what was granted on purpose to a role that default privileges name"
expect_eq "$(q $DB "SELECT coalesce(string_agg(c.relname, ' ' ORDER BY c.relname), '')
                      FROM pg_class c JOIN pg_depend d ON d.classid = 'pg_class'::regclass AND d.objid = c.oid AND d.deptype = 'e'
                      JOIN pg_extension e ON e.oid = d.refobjid AND e.extname = 'pg_intent'
                     WHERE has_table_privilege('$STAFF', c.oid, 'SELECT')")" "ai_training_runs" \
    "the tables the update creates are not given to $STAFF by default privileges"
grep -q "revoking the privileges default privileges gave $STAFF on table .*ai_classifier_retrain_failures" "$TEST_TMP/update.log" ||
    { cat "$TEST_TMP/update.log" >&2; echo "FAILED: the update did not report revoking a new table's default grant" >&2; exit 1; }
echo "ok: the update reports what it revoked from the objects it created"
! grep -q "revoking the privileges default privileges gave $STAFF on table .*ai_training_runs" "$TEST_TMP/update.log" ||
    { cat "$TEST_TMP/update.log" >&2; echo "FAILED: the update reported revoking a grant made on purpose" >&2; exit 1; }
! grep -q "evaluate_label.* is no longer executable by PUBLIC" "$TEST_TMP/update.log" ||
    { cat "$TEST_TMP/update.log" >&2; echo "FAILED: the update warned about a function it created itself" >&2; exit 1; }
echo "ok: no warning about closing to PUBLIC a function the update created"
# A role that holds one set gets that set's new functions, not those of the
# sets that contain it: before, a role granted explain alone received the
# internal functions of every set (reviewer and administrator hold explain),
# among them SECURITY DEFINER readers of the policy.
expect_eq "$(executable $DB $EXPLAINER)" "$(executable ${DB}_fresh $EXPLAINER)" \
    "after the update the explain set's role may execute what a fresh install grants it"
expect_eq "$(executable $DB $STAFF)" "$(executable ${DB}_fresh $STAFF)" \
    "after the update the metrics set's role may execute what a fresh install grants it"
expect_eq "$(q $DB "SELECT has_function_privilege('$EXPLAINER', 'intent_internal._pg_intent_policy()', 'EXECUTE')")" f \
    "(the policy reader is not among them)"
# What PUBLIC may execute is what a fresh install opens to it. The owner's
# default privileges above are global (no IN SCHEMA), as Supabase's are, and
# a global entry holds PUBLIC: the update revoked it from the public
# functions it created and never granted it back (an audit:
# intent_output_error(), through which PUBLIC functions raise their errors,
# and prune_classifier_models() were closed to every caller).
public_executable() {
    functions_where "$1" "has_function_privilege('public', p.oid, 'EXECUTE')"
}
expect_eq "$(public_executable $DB)" "$(public_executable ${DB}_fresh)" \
    "after the update PUBLIC may execute what a fresh install opens to it"
expect_eq "$(q $DB "SELECT has_function_privilege('public', 'intent_output_error(text)', 'EXECUTE')
                       AND has_function_privilege('public', 'prune_classifier_models(text, integer)', 'EXECUTE')")" t \
    "(among them the public functions the update created)"
err=$(psql -X -At -d $DB -U $ROLE -c "SELECT shadow_predict('x', NULL, NULL)" 2>&1 || true)
grep -q "p_challenger_model_id must not be null" <<<"$err" ||
    { echo "$err" >&2; echo "FAILED: a PUBLIC function raises its own error after the update" >&2; exit 1; }
echo "ok: a PUBLIC function raises its own error after the update, not 42501 on intent_output_error()"
# pg_dump and pg_restore keep every grant and revocation made on the
# extension's objects. pg_dump writes what differs from the initial
# privileges an extension script recorded (pg_init_privs), and a GRANT or
# REVOKE in the update's script recorded users' grants among them: the
# restored database lost them (the metrics set's new helpers, so
# get_classifier_metrics() failed with 42501).
acl_matrix() {
    q "$1" "SELECT string_agg(format('%s %s %s', x.name, x.role, x.allowed), E'\n' ORDER BY x.name, x.role)
              FROM (SELECT p.oid::regprocedure::text AS name, r.role,
                           has_function_privilege(r.role, p.oid, 'EXECUTE') AS allowed
                      FROM pg_proc AS p
                      JOIN pg_depend AS d ON d.classid = 'pg_proc'::regclass AND d.objid = p.oid AND d.deptype = 'e'
                      JOIN pg_extension AS e ON e.oid = d.refobjid AND e.extname = 'pg_intent',
                           unnest(ARRAY['public', '$ROLE', '$STAFF', '$EXPLAINER']) AS r (role)
                    UNION ALL
                    SELECT c.oid::regclass::text, r.role, has_table_privilege(r.role, c.oid, 'SELECT')
                      FROM pg_class AS c
                      JOIN pg_depend AS d ON d.classid = 'pg_class'::regclass AND d.objid = c.oid AND d.deptype = 'e'
                      JOIN pg_extension AS e ON e.oid = d.refobjid AND e.extname = 'pg_intent',
                           unnest(ARRAY['$ROLE', '$STAFF', '$EXPLAINER']) AS r (role)
                     WHERE c.relkind IN ('r', 'v')) AS x"
}
# A role granted a set before the update can be dropped after it (DROP
# OWNED BY, then DROP ROLE). From PostgreSQL 17 pg_shdepend records the roles
# initial privileges name; the update's own grants to such a role were
# recorded there, and left when the update set the initial privileges to a
# fresh install's: DROP ROLE then failed with 2BP01, DROP OWNED or not.
q $DB "DROP TABLE pgi_internal_before" >/dev/null # (the test's own; its ACLs name the role)
expect_eq "$(psql -X -q -At -d $DB -c "DROP OWNED BY $GONE" -c "DROP ROLE $GONE" -c "SELECT 'dropped'" 2>&1)" dropped \
    "a role granted a set before the update is dropped after DROP OWNED BY"
pg_dump -Fc -d $DB -f "$TEST_TMP/upgraded.dump"
psql -X -q -d postgres -c "CREATE DATABASE ${DB}_restored" >/dev/null
pg_restore --exit-on-error -d ${DB}_restored "$TEST_TMP/upgraded.dump"
if ! diff -u <(acl_matrix $DB) <(acl_matrix ${DB}_restored) >"$TEST_TMP/acl.diff"; then
    cat "$TEST_TMP/acl.diff" >&2
    echo "FAILED: the restored database's privileges differ from the upgraded one's (- upgraded, + restored)" >&2
    exit 1
fi
echo "ok: pg_dump and pg_restore keep every privilege of the upgraded database"
expect_eq "$(q ${DB}_restored "SELECT has_function_privilege('public', 'predict_intent(text)', 'EXECUTE'),
                                      has_function_privilege('$STAFF', 'intent_internal._pg_intent_classifier_facts(text)', 'EXECUTE')")" "f|t" \
    "(among them an administrator's REVOKE from PUBLIC, and a helper the update granted to the metrics set's role)"
psql -X -q -d ${DB}_restored -c "SET pg_intent.allow_drop_with_data = on" -c "DROP EXTENSION pg_intent CASCADE" >/dev/null
psql -X -q -d $DB -c "SET pg_intent.allow_drop_with_data = on" -c "DROP EXTENSION pg_intent CASCADE" >/dev/null
psql -X -q -d ${DB}_fresh -c "SET pg_intent.allow_drop_with_data = on" -c "DROP EXTENSION pg_intent CASCADE" >/dev/null
psql -X -q -d postgres -c "DROP DATABASE $DB" -c "DROP DATABASE ${DB}_fresh" -c "DROP DATABASE ${DB}_restored" >/dev/null
psql -X -q -d postgres -c "DROP ROLE $ROLE" -c "DROP ROLE $STAFF" -c "DROP ROLE $EXPLAINER" >/dev/null
