#!/usr/bin/env bash
# The update from 0.3.0 to 0.3.1, with the grants a dashboard role holds.
#
# 0.3.1 gives pg_intent_training_progress() two more columns (classifier,
# partition_key), a new signature: the update drops and creates the function
# and the ai_training_progress view again, and must grant back what
# administrators had granted on them (docs/privileges.md: grant_intent_access
# (role, 'explain') and SELECT on the view), grant options included, and
# nothing more.
#
#  1. A database is created at 0.3.0 (the frozen script) with this library,
#     as after a package upgrade: while 0.3.0's SQL calls the new library,
#     the 0.3.0 function (eleven columns) shows a running training.
#  2. ALTER EXTENSION pg_intent UPDATE: the roles keep exactly their
#     privileges, and the view shows the classifier of a running training.
# upgrade.sh and upgrade_020.sh check the whole chain against a fresh install.
cd "$(dirname "$0")/../.."
source test/scripts/lib.bash
DB=pgi_upg030
ROLES="pgi_upg030_dash pgi_upg030_lead"
cleanup_roles() {
    for r in $ROLES; do psql -X -q -d postgres -c "DROP ROLE IF EXISTS $r" >/dev/null 2>&1 || true; done
}
trap 'stop_own_clusters; stop_extra_clusters' EXIT

PGI_PRELOAD=pg_intent start_own_cluster cluster
psql -X -q -d postgres -c "CREATE DATABASE $DB" >/dev/null
psql -X -q -d $DB -c "SET client_min_messages = warning" -c "CREATE EXTENSION pg_intent VERSION '0.3.0'" >/dev/null
expect_eq "$(q $DB "SELECT extversion FROM pg_extension WHERE extname = 'pg_intent'")" "0.3.0" "0.3.0 installed"
cleanup_roles
psql -X -q -v ON_ERROR_STOP=1 -d $DB >/dev/null <<'SQL'
CREATE ROLE pgi_upg030_dash LOGIN;
CREATE ROLE pgi_upg030_lead LOGIN;
SELECT grant_intent_access('pgi_upg030_dash', 'explain');
GRANT SELECT ON ai_training_progress TO pgi_upg030_dash;
GRANT EXECUTE ON FUNCTION pg_intent_training_progress() TO pgi_upg030_lead WITH GRANT OPTION;
GRANT SELECT ON ai_training_progress TO pgi_upg030_lead WITH GRANT OPTION;
SQL
acl() {
    q $DB "SELECT (SELECT coalesce(proacl::text, '') FROM pg_proc WHERE oid = 'pg_intent_training_progress()'::regprocedure)
                  || ' ' || (SELECT coalesce(relacl::text, '') FROM pg_class WHERE oid = 'ai_training_progress'::regclass)"
}
before=$(acl)
echo "ok: at 0.3.0: $before"

load_ecommerce $DB
q $DB "INSERT INTO ai_training_data (user_message, detected_intent, confidence_score, source)
       SELECT text || ' ref ' || g || ' ' || md5(text || g), intent, 90, 'synthetic'
         FROM demo_rows, generate_series(1, 80) g WHERE split = 'train'" >/dev/null

# A training that another session watches, through the function the
# database's version defines; prints the first row that names a phase.
watch() { # columns to print
    psql -X -q -At -d $DB -c "SET client_min_messages = warning" \
        -c "SELECT train_intent_model('watched', 'full', '{\"deploy\": \"never\"}') IS NOT NULL" >/dev/null 2>&1 &
    local seen=
    for _ in $(seq 1 600); do
        seen=$(psql -X -At -d $DB -U pgi_upg030_dash -c "SELECT $1 FROM pg_intent_training_progress() WHERE phase IS NOT NULL" 2>&1)
        [ -n "$seen" ] && break
        jobs %1 >/dev/null 2>&1 || break
        sleep 0.02
    done
    wait
    echo "$seen"
}
expect_eq "$(q $DB "SELECT array_length(proallargtypes, 1) FROM pg_proc WHERE oid = 'pg_intent_training_progress()'::regprocedure")" 11 \
    "0.3.0's function has eleven columns"
expect_eq "$(watch "format('%s|%s', source, phase IS NOT NULL)")" "shared_memory|t" \
    "at 0.3.0, with the new library, the eleven-column function shows a running training to the dashboard role"

psql -X -q -d $DB -c "SET client_min_messages = warning" -c "ALTER EXTENSION pg_intent UPDATE" >/dev/null
expect_eq "$(q $DB "SELECT extversion FROM pg_extension WHERE extname = 'pg_intent'")" \
    "$(sed -nE "s/^default_version = '(.*)'/\1/p" pg_intent.control)" "ALTER EXTENSION UPDATE reached the default version"
expect_eq "$(acl)" "$before" "the function and the view carry the same grants as before the update"
expect_eq "$(q $DB "SELECT has_function_privilege('public', 'pg_intent_training_progress()', 'EXECUTE')")" f \
    "the function is still closed to PUBLIC"
expect_eq "$(psql -X -At -d $DB -U pgi_upg030_dash -c "SELECT count(classifier) + count(partition_key) FROM ai_training_progress" 2>&1)" 0 \
    "the dashboard role reads the view's new columns"
expect_eq "$(watch "format('%s|%s|%s', source, classifier, coalesce(partition_key, '-'))")" "shared_memory|intent|-" \
    "after the update the dashboard role sees the running training's classifier"

psql -X -q -d postgres -c "DROP DATABASE $DB WITH (FORCE)" >/dev/null
cleanup_roles
