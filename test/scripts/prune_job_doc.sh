#!/usr/bin/env bash
# The prune jobs docs/classifiers.md (Retention) tells to schedule, run as
# the roles it names: the one-classifier job as the classifier's owner (a
# role with only the classifiers set) and as a role granted deploy on it,
# the every-classifier job as a superuser. The statements are read from the
# document, never copied here. Before, the document gave only the
# every-classifier statement for "the classifier's owner or a role with that
# right": as the owner it failed (permission denied for table
# ai_classifiers; with SELECT on it, permission denied to deploy another
# owner's classifier), and nothing was pruned.
cd "$(dirname "$0")/../.."
source test/scripts/lib.bash
DB=pgi_prune_job_doc
DOC=docs/classifiers.md
fresh_db $DB
load_ecommerce $DB
cleanup() {
    drop_db $DB
    psql -X -q -d postgres -c "DROP ROLE IF EXISTS pgi_pj_owner" -c "DROP ROLE IF EXISTS pgi_pj_deployer" >/dev/null 2>&1
    stop_own_clusters
    stop_extra_clusters
}
trap cleanup EXIT
# The job statements of the Retention section's sql block, in order.
jobs=$(awk '/^### Retention/ {on = 1} on && /^```sql/ {block = 1; next} block && /^```/ {exit} block' "$DOC" |
    sed -nE 's/^--[[:space:]]+\$\$(.*)\$\$\);?$/\1/p')
owner_job=$(sed -n 1p <<<"$jobs")
all_job=$(sed -n 2p <<<"$jobs")
[ -n "$owner_job" ] || { echo "FAILED: no prune job found in $DOC" >&2; exit 1; }
psql -X -q -d postgres -c "DROP ROLE IF EXISTS pgi_pj_owner" -c "DROP ROLE IF EXISTS pgi_pj_deployer" >/dev/null 2>&1
psql -X -q -v ON_ERROR_STOP=1 -d $DB <<'SQL' >/dev/null
CREATE ROLE pgi_pj_owner;
CREATE ROLE pgi_pj_deployer;
SELECT count(*) > 0 FROM grant_intent_access('pgi_pj_owner', 'classifiers');
CREATE TABLE pj_rows AS SELECT row_number() OVER () AS id, text AS body, intent AS label FROM demo_rows WHERE split = 'train';
GRANT SELECT ON pj_rows TO pgi_pj_owner;
-- another owner's classifier, which the owner may not deploy
SELECT create_classifier('pj_other', 'pj_rows', 'body', 'label', '{"seed": 1}') IS NOT NULL;
SET ROLE pgi_pj_owner;
SELECT create_classifier('tickets', 'pj_rows', 'body', 'label', '{"seed": 1}') IS NOT NULL;
SELECT grant_classifier_access('tickets', 'pgi_pj_deployer', 'deploy') IS NOT NULL;
SELECT train_classifier('tickets', 'first') ->> 'status';
RESET ROLE;
SQL
as_role() { # role (- for the session's, a superuser), statement: the pruned classifiers' names, or the error
    local set="SET ROLE $1"
    [ "$1" = - ] && set="RESET ROLE"
    PGOPTIONS="-c client_min_messages=warning" psql -X -At -q -d $DB -v ON_ERROR_STOP=1 \
        -c "$set" -c "SELECT string_agg(p ->> 'classifier', ' ' ORDER BY p ->> 'classifier') FROM ($2) AS j(p)" 2>&1 || true
}
expect_eq "$(as_role pgi_pj_owner "$owner_job")" "tickets" "the owner's job prunes its classifier ($owner_job)"
expect_eq "$(as_role pgi_pj_deployer "$owner_job")" "tickets" "so does a role granted deploy on it"
expect_eq "$(as_role - "$all_job")" "intent pj_other tickets" "a superuser's job prunes every classifier, intent included ($all_job)"
