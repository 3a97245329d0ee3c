#!/usr/bin/env bash
# A classifier's roles on Citus workers once they are dropped on the
# coordinator (a coordinator and a worker, then a second worker added; run
# as test/scripts/citus.sh runs them: test/scripts/citus_cluster.bash).
#
# A worker finds a published classifier's owner and grantees by their names
# (role OIDs differ between nodes). On the coordinator a grant or an owner
# counts only while its OID still has the recorded name: a role dropped
# counts for nobody, and a new role of its name gets nothing. The workers
# must agree: a republished classifier (replicate_classifiers(), any change
# of it) names only the roles that count on the coordinator, so a new role
# created under a dropped grantee's or owner's name (cluster-wide, as Citus
# propagates CREATE ROLE) gets no right on a worker either, and an orphaned
# classifier stays orphaned there. Before, the dropped roles' names were
# published and bound on each worker to the new roles of those names.
#
#  1. A classifier owned by ow_owner, predict granted to ow_app: both predict
#     on the worker (their names were found there).
#  2. Both roles dropped on the coordinator (Citus drops them on the worker)
#     and created again: the worker's copy, bound to the dropped roles, gives
#     the new ones nothing.
#  3. Republished by replicate_classifiers(), and again by a change of the
#     classifier (a grant of train to another role): the new roles still
#     predict nothing on the worker (42501); its copy is orphaned and names
#     no grantee. A node added later (the publication's kept copy, the
#     roles asked of the coordinator): the same.
#  4. A role that counts is still found by name: a grant to the live role
#     reaches every worker and predicts there; reassign_classifier() to a
#     live role gives the worker's copy that owner.
#  5. A node added after DROP ROLE (and ALTER ROLE ... RENAME) with nothing
#     republished since: the kept copy still names the roles, but the new
#     node asks the coordinator for the roles that count now, so roles
#     created again under those names get nothing there, and a live grantee
#     predicts. A new node that cannot reach the coordinator applies no
#     owner and no grantee, and warns. Before, the new node bound the kept
#     copy's names to the new roles (the stop-62 note).
cd "$(dirname "$0")/../.."
source test/scripts/lib.bash
source test/scripts/citus_cluster.bash
DB=roles
export PGOPTIONS="${PGOPTIONS:-} -c client_min_messages=warning"
citus_start_coordinator
citus_start_worker w1
citus_create_db $DB coord w1
q $DB "CREATE EXTENSION pg_intent" >/dev/null
expect_eq "$(q $DB "SELECT replicate_classifiers() ->> 'workers'")" 1 "replicate_classifiers(): one worker"

# as ROLE on NODE: the predicted label, or the error's SQLSTATE
predict_as() { # node role
    on "$1" $DB "SET ROLE $2;
                 DO \$\$ BEGIN PERFORM predict_label('shop', 'quiero reservar un vuelo'); RAISE WARNING 'ok';
                        EXCEPTION WHEN OTHERS THEN RAISE WARNING '%', SQLSTATE; END \$\$" 2>&1 |
        sed -n 's/^WARNING: *//p'
}
roles_on() { # node: whether each role exists there
    on "$1" $DB "SELECT string_agg(format('%s=%s', n, EXISTS (SELECT FROM pg_roles WHERE rolname = n)), ',' ORDER BY n)
                   FROM unnest(ARRAY['ow_owner', 'ow_app']) AS n"
}

# ---------------------------------------------------------------- 1. live roles
psql -X -q -v ON_ERROR_STOP=1 -d $DB <<'SQL' >/dev/null
SET client_min_messages = warning;
CREATE ROLE ow_owner;
CREATE ROLE ow_app;
CREATE TABLE raw (split text, text text, intent text);
\copy raw FROM 'data/nlpjs_corpus50_es.csv' WITH (FORMAT csv, HEADER true)
CREATE TABLE prompts AS
SELECT row_number() OVER (ORDER BY split, text, intent) AS id, text AS prompt, split_part(intent, '.', 1) AS route
  FROM raw WHERE intent <> 'oos';
-- read by the owner through PUBLIC: no privilege of its own to keep it from DROP ROLE
GRANT SELECT ON prompts TO PUBLIC;
SELECT create_classifier('shop', 'prompts', 'prompt', 'route', '{"seed": 1}');
SELECT train_classifier('shop');
SELECT reassign_classifier('shop', 'ow_owner');
SELECT grant_classifier_access('shop', 'ow_app', 'predict');
SQL
expect_eq "$(roles_on w1)" "ow_app=t,ow_owner=t" "Citus created both roles on the worker"
expect_eq "$(predict_as coord ow_app) $(predict_as coord ow_owner)" "ok ok" "on the coordinator the grantee and the owner predict"
expect_eq "$(predict_as w1 ow_app) $(predict_as w1 ow_owner)" "ok ok" "on the worker too: their names were found there"

# ---------------------------------------------------------------- 2. dropped, then created again
q $DB "DROP ROLE ow_app; DROP ROLE ow_owner" >/dev/null
expect_eq "$(roles_on w1)" "ow_app=f,ow_owner=f" "DROP ROLE on the coordinator drops the roles on the worker (Citus)"
q $DB "CREATE ROLE ow_app; CREATE ROLE ow_owner" >/dev/null
expect_eq "$(roles_on w1)" "ow_app=t,ow_owner=t" "new roles of the same names reach the worker (Citus)"
expect_eq "$(q $DB "SELECT orphaned FROM ai_classifier_owners WHERE name = 'shop'")" t "on the coordinator the classifier is orphaned"
expect_eq "$(predict_as coord ow_app) $(predict_as coord ow_owner)" "42501 42501" \
    "on the coordinator the new roles of the dropped roles' names predict nothing"
expect_eq "$(predict_as w1 ow_app) $(predict_as w1 ow_owner)" "42501 42501" \
    "on the worker neither: its copy was bound to the dropped roles' OIDs there"

# ---------------------------------------------------------------- 3. republished
worker_copy() {
    on w1 $DB "SELECT format('orphaned=%s grantees=%s', o.orphaned, cardinality(c.predict_roles))
                 FROM ai_classifiers AS c JOIN ai_classifier_owners AS o USING (name) WHERE c.name = 'shop'"
}
expect_eq "$(q $DB "SELECT replicate_classifiers() ->> 'classifiers'")" 1 "replicate_classifiers() republishes the classifier"
expect_eq "$(predict_as w1 ow_app) $(predict_as w1 ow_owner)" "42501 42501" \
    "after replicate_classifiers() the new roles still predict nothing on the worker"
expect_eq "$(worker_copy)" "orphaned=t grantees=0" "the worker's copy is orphaned and names no grantee"
q $DB "CREATE ROLE ow_trainer; SELECT grant_classifier_access('shop', 'ow_trainer', 'train')" >/dev/null
expect_eq "$(predict_as w1 ow_app) $(predict_as w1 ow_owner)" "42501 42501" \
    "after a change of the classifier is published, the new roles still predict nothing on the worker"
expect_eq "$(worker_copy)" "orphaned=t grantees=0" "and the worker's copy is still orphaned, with no grantee"

# A node added later gets the classifier with the publication's kept copy
# (the event trigger applies it there, with the roles the coordinator
# publishes then): the same, orphaned, no grantee.
citus_start_worker w2
on w2 postgres "CREATE DATABASE $DB" >/dev/null
on w2 $DB "CREATE EXTENSION citus" >/dev/null
q $DB "SELECT citus_add_node('127.0.0.1', $W2_PORT)" >/dev/null
q $DB "SELECT replicate_reference_tables('block_writes')" >/dev/null
expect_eq "$(on w2 $DB "SELECT format('orphaned=%s grantees=%s', o.orphaned, cardinality(c.predict_roles))
                          FROM ai_classifiers AS c JOIN ai_classifier_owners AS o USING (name) WHERE c.name = 'shop'")" \
    "orphaned=t grantees=0" "a node added later: its copy is orphaned and names no grantee"
expect_eq "$(predict_as w2 ow_app) $(predict_as w2 ow_owner)" "42501 42501" "and the new roles predict nothing there"

# ---------------------------------------------------------------- 4. a role that counts
q $DB "SELECT grant_classifier_access('shop', 'ow_app', 'predict')" >/dev/null
expect_eq "$(predict_as coord ow_app) $(predict_as w1 ow_app) $(predict_as w2 ow_app)" "ok ok ok" \
    "a grant to the live role reaches the workers: it predicts on every node"
expect_eq "$(predict_as w1 ow_owner)" 42501 "the orphaned classifier's owner name still gives nothing on the worker"
q $DB "SELECT reassign_classifier('shop', 'ow_owner')" >/dev/null
expect_eq "$(worker_copy)" "orphaned=f grantees=1" "reassign_classifier() to the live role: the worker finds the owner by name"
expect_eq "$(predict_as w1 ow_owner)" ok "and the new owner predicts there"

# ---------------------------------------------------------------- 5. a node added after DROP ROLE
# The roles dropped (and one renamed) with no change of the classifier and
# no replicate_classifiers() since: the publication's kept copy still names
# them. Roles created again under their names (Citus creates them on every
# node, the node added next included) must get nothing on the node added
# after, as on the coordinator: the new node applies the classifier as the
# coordinator publishes it when the node gets its copy, not as it was last
# published.
q $DB "CREATE ROLE ow_renamed; SELECT grant_classifier_access('shop', 'ow_renamed', 'predict')" >/dev/null
q $DB "CREATE ROLE ow_live; SELECT grant_classifier_access('shop', 'ow_live', 'predict')" >/dev/null
expect_eq "$(predict_as w1 ow_renamed) $(predict_as w1 ow_live)" "ok ok" "grants to two more roles reach the workers"
q $DB "DROP ROLE ow_app; DROP ROLE ow_owner; ALTER ROLE ow_renamed RENAME TO ow_other" >/dev/null
q $DB "CREATE ROLE ow_app; CREATE ROLE ow_owner; CREATE ROLE ow_renamed" >/dev/null
expect_eq "$(predict_as coord ow_app) $(predict_as coord ow_owner) $(predict_as coord ow_renamed)" "42501 42501 42501" \
    "on the coordinator the roles created under the dropped and renamed roles' names predict nothing"
citus_start_worker w3
on w3 postgres "CREATE DATABASE $DB" >/dev/null
on w3 $DB "CREATE EXTENSION citus" >/dev/null
q $DB "SELECT citus_add_node('127.0.0.1', $W3_PORT)" >/dev/null
q $DB "SELECT replicate_reference_tables('block_writes')" >/dev/null
expect_eq "$(on w3 $DB "SELECT format('orphaned=%s grantees=%s', o.orphaned, cardinality(c.predict_roles))
                          FROM ai_classifiers AS c JOIN ai_classifier_owners AS o USING (name) WHERE c.name = 'shop'")" \
    "orphaned=t grantees=1" "a node added after DROP ROLE: its copy is orphaned and names only the grantee still live"
expect_eq "$(predict_as w3 ow_app) $(predict_as w3 ow_owner) $(predict_as w3 ow_renamed)" "42501 42501 42501" \
    "and the roles created under the dropped and renamed roles' names predict nothing there"
expect_eq "$(predict_as w3 ow_live)" ok "the live grantee predicts there"
expect_eq "$(predict_as w1 ow_app) $(predict_as w1 ow_owner) $(predict_as w1 ow_renamed)" "42501 42501 42501" \
    "nor on the worker that was there before"
# A new node that cannot ask the coordinator (here: its connections demand
# SSL, which no node offers) applies the classifier with no owner and no
# grantee, and warns in its log: never the kept copy's roles.
citus_start_worker w4
on w4 postgres "CREATE DATABASE $DB" >/dev/null
on w4 $DB "CREATE EXTENSION citus" >/dev/null
q $DB "SELECT citus_add_node('127.0.0.1', $W4_PORT)" >/dev/null
on w4 $DB "ALTER SYSTEM SET citus.node_conninfo = 'sslmode=require'" >/dev/null; on w4 $DB "SELECT pg_reload_conf()" >/dev/null
out=$(psql -X -q -v ON_ERROR_STOP=1 -d $DB -c "SET client_min_messages = warning" -c "SELECT replicate_reference_tables('block_writes')" 2>&1) ||
    { echo "FAILED: replicate_reference_tables() to a node that cannot ask the coordinator: $out" >&2; exit 1; }
grep -q "could not be asked for its classifiers' roles" "$TEST_TMP/w4/server.log" ||
    { echo "FAILED: no warning in the new node's log: $(tail -5 "$TEST_TMP/w4/server.log")" >&2; exit 1; }
echo "ok: a new node that cannot ask the coordinator warns (in its log: Citus does not pass the placement's WARNING on)"
expect_eq "$(on w4 $DB "SELECT format('orphaned=%s grantees=%s', o.orphaned, cardinality(c.predict_roles))
                          FROM ai_classifiers AS c JOIN ai_classifier_owners AS o USING (name) WHERE c.name = 'shop'")" \
    "orphaned=t grantees=0" "and its copy has no owner and no grantee"
expect_eq "$(predict_as w4 ow_app) $(predict_as w4 ow_live)" "42501 42501" "so no role predicts there until the coordinator publishes it again"
on w4 $DB "ALTER SYSTEM RESET citus.node_conninfo" >/dev/null; on w4 $DB "SELECT pg_reload_conf()" >/dev/null
q $DB "SELECT replicate_classifiers()" >/dev/null
expect_eq "$(predict_as w4 ow_app) $(predict_as w4 ow_live)" "42501 ok" "replicate_classifiers(): the live grantee predicts there"
