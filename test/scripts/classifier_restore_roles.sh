#!/usr/bin/env bash
# A dump of a classifier restored into the cluster it was dumped from must
# not hand a dropped role's rights to a new role of the same name.
#
# Within a cluster a role is the pair (OID, name) it had when it became the
# owner or was granted: a new role that takes a dropped role's name gets
# nothing. A restore (the trigger ai_classifiers_rebind) finds the roles of
# a row again by name when their OIDs do not have their recorded names,
# since in another cluster OIDs differ. Into the same cluster, where the
# OIDs are the very roles recorded, that made every dropped or renamed role
# whose name a new role took count as the new role (an audit of 0.3.2:
# pg_dump | pg_restore into a new database of the same cluster, and the new
# "alice" owned the orphaned classifier, the new "bob" trained it and the
# new "app" predicted with it, none of which they could in the dumped
# database). The restore into another cluster is test/scripts/classifier_owners.sh.
cd "$(dirname "$0")/../.."
source test/scripts/lib.bash
export PGOPTIONS="${PGOPTIONS:-} -c client_min_messages=warning"
SRC=pgi_rr_src
DST=pgi_rr_dst
DUMP=$TEST_TMP/restore_roles.fc
drop_db $DST
fresh_db $SRC
psql -X -q -v ON_ERROR_STOP=1 -d $SRC <<'SQL' >/dev/null
SET client_min_messages = warning;
DROP ROLE IF EXISTS pgi_rr_alice;
DROP ROLE IF EXISTS pgi_rr_bob;
DROP ROLE IF EXISTS pgi_rr_app;
DROP ROLE IF EXISTS pgi_rr_kept;
DROP ROLE IF EXISTS pgi_rr_renamed;
DROP ROLE IF EXISTS pgi_rr_renamed2;
CREATE ROLE pgi_rr_alice;
CREATE ROLE pgi_rr_bob;
CREATE ROLE pgi_rr_app;
CREATE ROLE pgi_rr_kept;
CREATE ROLE pgi_rr_renamed;
SELECT grant_intent_access('pgi_rr_alice', 'classifiers');
SELECT grant_intent_access('pgi_rr_bob', 'classifiers');
CREATE TABLE prompts (id bigint, prompt text, route text);
ALTER TABLE prompts OWNER TO pgi_rr_alice;
SET ROLE pgi_rr_alice;
SELECT create_classifier('shop', 'prompts', 'prompt', 'route');
SELECT grant_classifier_access('shop', 'pgi_rr_bob', 'train');
SELECT grant_classifier_access('shop', 'pgi_rr_app', 'predict');
SELECT grant_classifier_access('shop', 'pgi_rr_kept', 'predict');
SELECT grant_classifier_access('shop', 'pgi_rr_renamed', 'deploy');
RESET ROLE;
-- The owner and two grantees are dropped, one grantee renamed; new roles
-- take their names.
REASSIGN OWNED BY pgi_rr_alice TO CURRENT_USER;
DROP OWNED BY pgi_rr_alice;
DROP ROLE pgi_rr_alice;
DROP OWNED BY pgi_rr_bob;
DROP ROLE pgi_rr_bob;
DROP ROLE pgi_rr_app;
ALTER ROLE pgi_rr_renamed RENAME TO pgi_rr_renamed2;
CREATE ROLE pgi_rr_alice;
CREATE ROLE pgi_rr_bob;
CREATE ROLE pgi_rr_app;
CREATE ROLE pgi_rr_renamed;
SELECT grant_intent_access('pgi_rr_alice', 'classifiers');
SELECT grant_intent_access('pgi_rr_bob', 'classifiers');
GRANT SELECT ON prompts TO pgi_rr_alice, pgi_rr_bob;
SQL

# rights(db): who may do what with "shop", as the rule says
rights() {
    q "$1" "SELECT string_agg(format('%s:%s', r, a), ',' ORDER BY r, a)
              FROM unnest(ARRAY['pgi_rr_alice', 'pgi_rr_bob', 'pgi_rr_app', 'pgi_rr_kept', 'pgi_rr_renamed',
                                'pgi_rr_renamed2']) AS r,
                   unnest(ARRAY['manage', 'train', 'deploy', 'predict']) AS a
             WHERE intent_internal._pg_intent_classifier_allows('shop', r::regrole::oid, a)"
}
owners="SELECT format('%s:%s', owner, orphaned) FROM ai_classifier_owners WHERE name = 'shop'"
expect_eq "$(rights $SRC)" "pgi_rr_kept:predict" \
    "in the dumped database the new roles of the dropped and renamed ones' names get nothing"
expect_eq "$(q $SRC "$owners")" "pgi_rr_alice:t" "(the classifier is orphaned there)"

pg_dump -Fc -d $SRC -f "$DUMP"
psql -X -q -d postgres -c "CREATE DATABASE $DST" >/dev/null
pg_restore --exit-on-error -d $DST "$DUMP"

expect_eq "$(rights $DST)" "pgi_rr_kept:predict" \
    "restored into the same cluster, nor do they: the OIDs are this cluster's roles"
expect_eq "$(q $DST "$owners")" "pgi_rr_alice:t" "the restored classifier is orphaned as the dumped one is"
expect_eq "$(q $DST "SELECT name FROM ai_classifiers WHERE NOT built_in")" "shop" "(and restored)"
# An administrator gives it the new alice, as in the dumped database.
q $DST "SELECT reassign_classifier('shop', 'pgi_rr_alice') IS NOT NULL" >/dev/null
expect_eq "$(q $DST "$owners")" "pgi_rr_alice:f" "reassign_classifier() gives it an owner"

drop_db $DST
drop_db $SRC
psql -X -q -d postgres -c "DROP ROLE pgi_rr_alice" -c "DROP ROLE pgi_rr_bob" -c "DROP ROLE pgi_rr_app" \
    -c "DROP ROLE pgi_rr_kept" -c "DROP ROLE pgi_rr_renamed" -c "DROP ROLE pgi_rr_renamed2" >/dev/null
echo "classifier_restore_roles: ok"
