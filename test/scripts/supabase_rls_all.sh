#!/usr/bin/env bash
# Supabase's Security Advisor flags every table in public without row-level
# security ("RLS disabled in public") and offers a one-click "Enable RLS" per
# table; users press it on every table of pg_intent, some also FORCE it. In a
# database set up like Supabase's (supabase.sh's roles, default privileges
# and the documented recipe), this enables row-level security on every table
# of the extension (no policy beyond the recipe's) as the tables' owner, the
# role the dashboard runs as, and checks that:
#  - every role of the recipe (anon, a customer, staff, service_role) and a
#    pg_cron job (the owner) sees exactly what it saw before: the same counts,
#    metrics, alerts, queues, reports and predictions (no view or function
#    that now reads 0 rows and says "no data", no count that disagrees with
#    what the C readers train on);
#  - the whole loop keeps working and loses no row: logging, corrections,
#    reviews, training, deploy and rollback, a named classifier created,
#    trained and predicted with, scheduled retraining, snapshots, the report;
#  - with FORCE ROW LEVEL SECURITY on every table the same holds: the owner
#    is a superuser (or, on Supabase, a BYPASSRLS role), which no policy binds;
#  - the Advisor's other two lints find nothing of ours to flag: every view
#    is security_invoker, every SQL function pins its search_path.
cd "$(dirname "$0")/../.."
source test/scripts/lib.bash
DB=pgi_rls_all
ROLES="anon authenticated service_role authenticator pgi_demoted_owner"
drop_all() {
    drop_db $DB
    drop_db pgi_rls_demoted
    for r in $ROLES; do psql -X -q -d postgres -c "DROP ROLE IF EXISTS $r" >/dev/null 2>&1; done
}
trap 'drop_all; stop_own_clusters; stop_extra_clusters' EXIT
drop_all
create_supabase_roles
create_supabase_db $DB
psql -X -q -v ON_ERROR_STOP=1 -d $DB <<'SQL'
SET client_min_messages = warning;
CREATE EXTENSION pg_intent;
SQL
load_ecommerce $DB
# the documented recipe (docs/privileges.md), as supabase.sh runs it
doc_sql_block supabase-recipe >"$TEST_TMP/recipe.sql" || exit 1
[ "$(grep -c '^GRANT' "$TEST_TMP/recipe.sql")" -gt 5 ] || { echo "FAILED: no recipe found in docs/privileges.md" >&2; exit 1; }
psql -X -q -v ON_ERROR_STOP=1 -d $DB -f "$TEST_TMP/recipe.sql" >/dev/null

ALICE_ID=0b0b0b0b-0000-4000-8000-00000000a11c
STAFF_ID=5a5a5a5a-0000-4000-8000-0000000057af
declare -A CLAIMS=(
    [anon]='{"role": "anon"}'
    [customer]="{\"sub\": \"$ALICE_ID\", \"role\": \"authenticated\", \"app_metadata\": {}}"
    [staff]="{\"sub\": \"$STAFF_ID\", \"role\": \"authenticated\", \"app_metadata\": {\"role\": \"staff\"}}"
    [service]='{"role": "service_role"}'
    [cron]=''
)
declare -A ROLE_OF=([anon]=anon [customer]=authenticated [staff]=authenticated [service]=service_role [cron]='')
# PostgREST's call: one transaction, SET LOCAL ROLE and the verified claims;
# the pg_cron job runs as the role that scheduled it (postgres: the owner).
# Prints the output, or "ERROR <sqlstate>" for an error.
call() { # who sql
    local who=$1 sql=$2 pre=""
    [ -n "${ROLE_OF[$who]}" ] && pre="SET LOCAL ROLE ${ROLE_OF[$who]}; SELECT set_config('request.jwt.claims', '${CLAIMS[$who]}', true) IS NULL;"
    printf 'BEGIN;\n%s\n%s;\nCOMMIT;\n' "$pre" "$sql" |
        psql -X -At -q -d $DB -v ON_ERROR_STOP=1 -v VERBOSITY=sqlstate 2>"$TEST_TMP/err" | { [ -n "$pre" ] && sed 1d || cat; } ||
        sed -nE 's/^ERROR: +([0-9A-Z]{5}).*/ERROR \1/p' "$TEST_TMP/err" | head -1
}
expect_call() { # who sql expected what
    expect_eq "$(call "$1" "$2")" "$3" "$4"
}

q $DB "SELECT train_intent_model('first') ->> 'status'" >/dev/null
q $DB "CREATE TABLE public.shop_prompts AS SELECT row_number() OVER (ORDER BY user_message, id) AS id, user_message AS prompt, training_label AS route FROM ai_training_data WHERE training_label IS NOT NULL" >/dev/null
expect_call service "SELECT create_classifier('app_router', 'public.shop_prompts', 'prompt', 'route', '{\"key_column\": \"id\", \"seed\": 1}') ->> 'name'" app_router \
    "service_role creates a classifier"
expect_call service "SELECT train_classifier('app_router') ->> 'status'" completed "service_role trains it"
call service "SELECT grant_classifier_access('app_router', 'anon', 'predict'), grant_classifier_access('app_router', 'authenticated', 'predict')" >/dev/null
q $DB "SELECT record_interaction('mensaje ' || g, 'greeting', 80) FROM generate_series(1, 3) AS g" >/dev/null
q $DB "SELECT create_metrics_snapshot('hourly'), create_classifier_metrics_snapshot('app_router', 'hourly')" >/dev/null

# What each caller reads, read-only: the same before and after row-level security.
# Figures that move with the clock (generated_at and the like) are left out.
OBS=(
    "anon|SELECT predicted_intent FROM predict_intent('quiero devolver un producto')"
    "anon|SELECT label FROM predict_label('app_router', 'quiero devolver un producto')"
    "customer|SELECT predicted_intent FROM predict_intent('quiero devolver un producto')"
    "customer|SELECT count(*) FROM ai_training_data"
    "customer|SELECT should_retrain()"
    "customer|SELECT count(*) FROM ai_metric_alerts"
)
for who in staff service cron; do
    OBS+=(
        "$who|SELECT count(*) FROM ai_training_data"
        "$who|SELECT get_ai_training_metrics(7) - ARRAY['generated_at', 'period', 'window_end', 'window_start']"
        "$who|SELECT should_retrain()"
        "$who|SELECT string_agg(concat_ws(' ', metric, value, severity), ', ' ORDER BY metric) FROM ai_metric_alerts"
        "$who|SELECT string_agg(concat_ws(' ', classifier, metric, value, severity), ', ' ORDER BY classifier, metric) FROM ai_classifier_alerts"
        "$who|SELECT count(*) FROM ai_live_metrics"
        "$who|SELECT count(*), string_agg(tier, ',' ORDER BY rank) FROM ai_review_queue"
        "$who|SELECT count(*) FROM get_classifier_review_queue('intent', NULL, 10000)"
        "$who|SELECT count(*) FROM ai_pending_review"
        "$who|SELECT count(*) FROM ai_classification_errors"
        "$who|SELECT string_agg(concat_ws(' ', intent, samples, model_f1), ', ' ORDER BY intent) FROM ai_intent_performance"
        "$who|SELECT count(*), string_agg(status, ',' ORDER BY started_at) FROM ai_training_run_history"
        "$who|SELECT count(*), count(*) FILTER (WHERE is_active) FROM ai_model_registry"
        "$who|SELECT length(training_report()) > 100"
        "$who|SELECT count(*) FROM export_training_dataset('jsonl')"
        "$who|SELECT count(*) FROM get_training_dataset()"
        "$who|SELECT get_classifier_metrics('intent') - 'generated_at' #- '{runs,window_end}' #- '{runs,window_start}'"
        "$who|SELECT count(*) FROM ai_metrics_snapshots"
        "$who|SELECT count(*) FROM ai_feedback_cues"
        "$who|SELECT count(*) FROM ai_training_policy"
    )
done
for who in service cron; do
    OBS+=(
        "$who|SELECT count(*) FROM ai_classifiers"
        "$who|SELECT get_classifier_metrics('app_router') - 'generated_at' #- '{runs,window_end}' #- '{runs,window_start}'"
        "$who|SELECT count(*) FROM get_classifier_review_queue('app_router', NULL, 10000)"
        "$who|SELECT count(*) FROM ai_classifier_metrics_snapshots"
        "$who|SELECT count(*) FROM ai_classifier_run_rows"
        "$who|SELECT explain_intent('quiero devolver un producto') ->> 'intent'"
        "$who|SELECT count(*) FROM ai_training_progress"
    )
done
observe() {
    local o
    for o in "${OBS[@]}"; do
        printf '%s: %s => %s\n' "${o%%|*}" "${o#*|}" "$(call "${o%%|*}" "${o#*|}")"
    done
}
observe >"$TEST_TMP/before"
if grep -q ' => ERROR' "$TEST_TMP/before"; then
    grep ' => ERROR' "$TEST_TMP/before" >&2
    echo "FAILED: a call of the recipe fails before row-level security is enabled" >&2
    exit 1
fi
echo "ok: ${#OBS[@]} reads of five callers recorded before row-level security"

# The Advisor's "Enable RLS", pressed on every table of the extension.
TABLES="SELECT d.objid::regclass AS t FROM pg_depend AS d JOIN pg_class AS c ON c.oid = d.objid
         WHERE d.refobjid = (SELECT oid FROM pg_extension WHERE extname = 'pg_intent') AND d.deptype = 'e'
           AND d.classid = 'pg_class'::regclass AND c.relkind IN ('r', 'p')"
ntables=$(q $DB "SELECT count(*) FROM ($TABLES) AS x")
q $DB "SELECT string_agg(t::text, ' ' ORDER BY t::text) FROM ($TABLES) AS x" >"$TEST_TMP/tables"
expect_eq "$(q $DB "SELECT count(*) FROM pg_class WHERE relnamespace = 'public'::regnamespace AND relkind = 'r' AND NOT relrowsecurity AND relname LIKE 'ai\_%'")" \
    "$(q $DB "SELECT count(*) FROM ($TABLES) AS x WHERE NOT (SELECT relrowsecurity FROM pg_class WHERE oid = t)")" \
    "the Advisor's 'RLS disabled in public' finds our tables the recipe leaves without it"
printf '%s\n\\gexec\n' "SELECT format('ALTER TABLE %s ENABLE ROW LEVEL SECURITY', t) FROM ($TABLES) AS x" | psql -X -q -v ON_ERROR_STOP=1 -d $DB >/dev/null
# ... and on the classifier's source, a table of the user's in public: its
# owner (service_role, BYPASSRLS, as the recipe has it) reads it as before
q $DB "ALTER TABLE public.shop_prompts ENABLE ROW LEVEL SECURITY" >/dev/null
expect_eq "$(q $DB "SELECT count(*) FROM ($TABLES) AS x WHERE NOT (SELECT relrowsecurity FROM pg_class WHERE oid = t)")" 0 \
    "row-level security enabled on all $ntables tables ($(cat "$TEST_TMP/tables"))"
observe >"$TEST_TMP/rls"
if ! diff -u "$TEST_TMP/before" "$TEST_TMP/rls"; then
    echo "FAILED: a caller reads something else once row-level security is enabled on every table (- before, + after)" >&2
    exit 1
fi
echo "ok: the ${#OBS[@]} reads are the same with row-level security on every table"

# The whole loop, as each caller does it, then the same reads again.
loop() { # label
    local row id rows
    expect_call anon "SELECT record_interaction('¿dónde está mi pedido? $1', 'order_status', 70) IS NOT NULL" t "$1: anon logs an interaction"
    expect_call customer "SELECT record_interaction('hola, soy Alice $1', 'greeting', 80, p_user_id => auth.uid()) IS NOT NULL" t "$1: a customer logs as themselves"
    read -r row id < <(q $DB "SELECT string_agg(id::text, ' ' ORDER BY user_message) FROM (SELECT id, user_message FROM ai_training_data WHERE dataset_status = 'pending' AND user_id IS NULL ORDER BY user_message LIMIT 2) AS t")
    expect_call staff "SELECT submit_intent_correction('$row', 'complaint') ->> 'corrected_intent'" complaint "$1: staff correct a label"
    expect_call staff "SELECT approve_training_sample('$id') ->> 'dataset_status'" approved "$1: staff approve a row"
    expect_call staff "SELECT reject_training_sample(id, 'spam') ->> 'dataset_status' FROM ai_review_queue ORDER BY rank LIMIT 1" rejected "$1: staff reject the queue's first row"
    # trains on every row (the C reader's), as many as the owner's SQL counts
    rows=$(call cron "SELECT count(*) FROM get_training_dataset()")
    expect_call service "SELECT train_intent_model('$1', 'full', '{\"deploy\": \"always\"}') ->> 'training_samples'" "$rows" \
        "$1: service_role trains on all $rows rows and deploys"
    expect_call service "SELECT rollback_intent_model() IS NOT NULL" t "$1: service_role rolls back"
    id=$(q $DB "SELECT max(id) FROM ai_intent_models WHERE classifier = 'intent' AND NOT is_active AND deleted_at IS NULL")
    expect_call service "SELECT deploy_intent_model($id) IS NOT NULL" t "$1: service_role deploys"
    expect_call service "SELECT train_classifier('app_router', NULL, '{\"deploy\": \"always\"}') ->> 'status'" completed "$1: service_role trains its classifier"
    expect_call anon "SELECT label IS NOT NULL FROM predict_label('app_router', 'quiero devolver un producto')" t "$1: anon predicts with the classifier"
    expect_call cron "SELECT retrain_if_needed() IS NOT NULL" t "$1: a pg_cron job retrains intent if needed"
    expect_call cron "SELECT count(*) >= 0 FROM retrain_classifiers()" t "$1: a pg_cron job retrains the classifiers"
    expect_call cron "SELECT create_metrics_snapshot('hourly') IS NOT NULL" t "$1: a pg_cron job snapshots the metrics"
    expect_call service "SELECT create_classifier_metrics_snapshot('app_router', 'hourly') IS NOT NULL" t "$1: service_role snapshots its classifier"
    expect_call staff "SELECT length(training_report(NULL, 'html')) > 1000" t "$1: staff read the HTML report"
}
counts() {
    q $DB "SELECT format('%s %s %s %s %s', (SELECT count(*) FROM ai_training_data), (SELECT count(*) FROM ai_intent_corrections),
                        (SELECT count(*) FROM ai_review_actions), (SELECT count(*) FROM ai_training_runs WHERE status = 'completed'),
                        (SELECT count(*) FROM ai_model_deployments))"
}
read -r d0 c0 a0 r0 m0 < <(counts)
loop rls
read -r d1 c1 a1 r1 m1 < <(counts)
expect_eq "$((d1 - d0)) $((c1 - c0)) $((a1 - a0)) $((r1 - r0)) $((m1 - m0))" "2 1 2 2 4" \
    "the loop lost no row: 2 messages, 1 correction, 2 review actions, 2 runs (intent's and the classifier's), 4 deployments (deploy, rollback, deploy, the classifier's)"
observe >"$TEST_TMP/loop_rls"
grep ' => ERROR' "$TEST_TMP/loop_rls" >&2 && { echo "FAILED: a read fails after the loop under row-level security" >&2; exit 1; }
echo "ok: every read still answers after the loop"

# FORCE ROW LEVEL SECURITY on every table: the owner's code (training,
# deploys, SECURITY DEFINER functions, the triggers) runs as the owner, a
# superuser here and a BYPASSRLS role on Supabase: no policy binds it.
observe >"$TEST_TMP/before_force"
# What FORCE changes rests on this: the tables' owner is the role that ran
# CREATE EXTENSION, a superuser (the extension is not trusted; on Supabase a
# privileged extension's objects belong to supabase_admin), and row-level
# security never binds a superuser or a BYPASSRLS role, forced or not.
expect_eq "$(q $DB "SELECT bool_and(r.rolsuper OR r.rolbypassrls) FROM ($TABLES) AS x JOIN pg_class AS c ON c.oid = x.t JOIN pg_roles AS r ON r.oid = c.relowner")" t \
    "the tables' owner is a superuser (or BYPASSRLS): no policy binds it"
# "Deny all" policies as users write them (USING (false), permissive: they
# add nothing to what the recipe's policies show), then FORCE on every table.
printf '%s\n\\gexec\n' "SELECT format('CREATE POLICY advisor_deny_all ON %s USING (false) WITH CHECK (false)', t) FROM ($TABLES) AS x" | psql -X -q -v ON_ERROR_STOP=1 -d $DB >/dev/null
printf '%s\n\\gexec\n' "SELECT format('ALTER TABLE %s FORCE ROW LEVEL SECURITY', t) FROM ($TABLES) AS x" | psql -X -q -v ON_ERROR_STOP=1 -d $DB >/dev/null
expect_eq "$(q $DB "SELECT count(*) FROM ($TABLES) AS x WHERE NOT (SELECT relforcerowsecurity FROM pg_class WHERE oid = t)")" 0 \
    "row-level security forced on all $ntables tables"
observe >"$TEST_TMP/force"
if ! diff -u "$TEST_TMP/before_force" "$TEST_TMP/force"; then
    echo "FAILED: a caller reads something else once row-level security is forced (- before, + after)" >&2
    exit 1
fi
echo "ok: the ${#OBS[@]} reads are the same with row-level security forced"
read -r d0 c0 a0 r0 m0 < <(counts)
loop force
read -r d1 c1 a1 r1 m1 < <(counts)
expect_eq "$((d1 - d0)) $((c1 - c0)) $((a1 - a0)) $((r1 - r0)) $((m1 - m0))" "2 1 2 2 4" \
    "the loop under FORCE lost no row"

# The Advisor's two other lints: a view that runs as its owner (it would
# ignore the policies), and a function whose search_path a caller sets.
# Both lints skip an extension's members, so neither flags us; and neither
# would be right to: every view of ours runs as its reader, and every SQL and
# PL/pgSQL function pins search_path = pg_catalog, pg_temp (the lint asks
# for '', which is no safer), but for the SQL-standard bodies
# (BEGIN ATOMIC, RETURN ...), whose names are bound when they are created.
# C functions name our objects by schema and OID (relations.cpp).
EXT="(SELECT d.objid FROM pg_depend AS d WHERE d.refobjid = (SELECT oid FROM pg_extension WHERE extname = 'pg_intent') AND d.deptype = 'e')"
expect_eq "$(q $DB "SELECT coalesce(string_agg(c.oid::regclass::text, ' '), 'none') FROM pg_class AS c WHERE c.oid IN $EXT AND c.relkind = 'v' AND NOT coalesce(c.reloptions, '{}') && ARRAY['security_invoker=true', 'security_invoker=on']")" none \
    "no view of ours runs as its owner (the 'Security definer view' lint)"
expect_eq "$(q $DB "SELECT coalesce(string_agg(p.oid::regprocedure::text, ' '), 'none') FROM pg_proc AS p JOIN pg_language AS l ON l.oid = p.prolang WHERE p.oid IN $EXT AND l.lanname IN ('sql', 'plpgsql') AND p.prosqlbody IS NULL AND NOT coalesce(p.proconfig, '{}') && ARRAY['search_path=pg_catalog, pg_temp']")" none \
    "every SQL and PL/pgSQL function of ours pins its search_path, but for SQL-standard bodies, bound when created (the 'Function search_path mutable' lint)"

# An owner that no longer bypasses: the role that ran CREATE EXTENSION as a
# superuser, later demoted to NOSUPERUSER NOBYPASSRLS. FORCE then binds the
# owner's own code. It must fail, and say why (42501, "query would be
# affected by row-level security policy", hint: NO FORCE ROW LEVEL SECURITY),
# never act on the rows a policy leaves it: before, the hidden policy row
# made training fail with "arguments must not be null" (22004) and the
# scheduled retraining with 55000, the hidden classifier row made a deploy,
# a rollback and train_classifier() say the classifier does not exist (42704).
psql -X -q -v ON_ERROR_STOP=1 -d postgres -c "CREATE ROLE pgi_demoted_owner LOGIN SUPERUSER" -c "CREATE DATABASE pgi_rls_demoted OWNER pgi_demoted_owner"
psql -X -q -v ON_ERROR_STOP=1 -d pgi_rls_demoted -U pgi_demoted_owner <<'SQL' >/dev/null 2>&1
SET client_min_messages = warning;
CREATE EXTENSION pg_intent;
CREATE TABLE demo_rows (split text, text text, intent text);
\copy demo_rows FROM 'data/ecommerce_es.csv' WITH (FORMAT csv, HEADER true)
SELECT count(record_interaction(text, intent, 90)) FROM demo_rows WHERE split = 'train';
SELECT train_intent_model('first');
CREATE TABLE src AS SELECT row_number() OVER (ORDER BY id) AS id, user_message AS t, training_label AS l FROM ai_training_data;
SELECT create_classifier('c1', 'public.src', 't', 'l', '{"key_column": "id"}');
SQL
psql -X -q -v ON_ERROR_STOP=1 -d postgres -c "ALTER ROLE pgi_demoted_owner NOSUPERUSER NOBYPASSRLS"
as_demoted() { # sql: prints the output, or "ERROR <sqlstate>"
    psql -X -At -q -d pgi_rls_demoted -U pgi_demoted_owner -v ON_ERROR_STOP=1 -v VERBOSITY=sqlstate -c "$1" 2>"$TEST_TMP/err" ||
        sed -nE 's/^ERROR: +([0-9A-Z]{5}).*/ERROR \1/p' "$TEST_TMP/err" | head -1
}
for mode in ENABLE FORCE; do
    as_demoted "SELECT string_agg(format('ALTER TABLE %s $mode ROW LEVEL SECURITY', t), '; ') FROM ($TABLES) AS x" >"$TEST_TMP/alter.sql"
    psql -X -q -v ON_ERROR_STOP=1 -d pgi_rls_demoted -U pgi_demoted_owner -f "$TEST_TMP/alter.sql"
done
expect_eq "$(as_demoted "SELECT predicted_intent IS NOT NULL FROM predict_intent('quiero devolver un producto')")" t \
    "a demoted owner under FORCE: prediction reads the model by index, without SQL, and answers"
for call in "SELECT train_intent_model('forced')" "SELECT retrain_if_needed()" "SELECT should_retrain()" \
    "SELECT deploy_intent_model(1)" "SELECT rollback_intent_model()" "SELECT train_classifier('c1')"; do
    expect_eq "$(as_demoted "$call")" "ERROR 42501" "a demoted owner under FORCE: $call fails with 42501"
done
hint=$(psql -X -At -q -d pgi_rls_demoted -U pgi_demoted_owner -c "SELECT train_intent_model('forced')" 2>&1 | grep HINT || true)
expect_eq "$hint" "HINT:  To disable the policy for the table's owner, use ALTER TABLE NO FORCE ROW LEVEL SECURITY." \
    "... and the error says what to do"
expect_eq "$(q pgi_rls_demoted "SELECT count(*) FROM ai_training_runs WHERE status <> 'completed'")" 0 "... and records nothing"
