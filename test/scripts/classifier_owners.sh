#!/usr/bin/env bash
# Classifier owners and grantees across a restore and a DROP ROLE (issue 31
# item 11). 0.3.1 stored them as regrole OIDs:
#   - pg_dump writes a regrole as a name, so the restore into a cluster
#     without the owner role failed the COPY of ai_classifiers, and every
#     classifier was lost;
#   - a role that got a dropped owner's OID owned the classifier.
# Now a role is (OID, name) and counts only while that OID has that name; a
# restored row finds its roles (and source) again by name; a classifier
# whose owner is gone is orphaned, listed so, and reassigned by an
# administrator.
#
# The source is the test cluster; the target a cluster of this test's own,
# where roles get OIDs of our choosing (a server started in binary-upgrade
# mode: binary_upgrade_set_next_pg_authid_oid(), as pg_upgrade does), to
# give the dropped owner's OID to a new role deterministically.
cd "$(dirname "$0")/../.."
source test/scripts/lib.bash
export PGOPTIONS="${PGOPTIONS:-} -c client_min_messages=warning"
SRC=pgi_owners_src
DST=pgi_owners_dst
DUMP=$TEST_TMP/owners.fc
SRC_HOST=$PGHOST SRC_PORT=$PGPORT
qs() { PGHOST=$SRC_HOST PGPORT=$SRC_PORT q "$@"; }
qas() { # database role sql: one value, as the role
    local db=$1 role=$2
    shift 2
    psql -X -q -At -v ON_ERROR_STOP=1 -d "$db" -c "SET ROLE $role" -c "$*"
}

# ------------------------------------------------------------ the source
fresh_db $SRC
psql -X -q -v ON_ERROR_STOP=1 -d $SRC <<'SQL' >/dev/null
SET client_min_messages = warning;
DROP ROLE IF EXISTS pgi_ow_alice;
DROP ROLE IF EXISTS pgi_ow_bob;
DROP ROLE IF EXISTS pgi_ow_app;
CREATE ROLE pgi_ow_alice;
CREATE ROLE pgi_ow_bob;
CREATE ROLE pgi_ow_app;
SELECT grant_intent_access('pgi_ow_alice', 'classifiers');
SELECT grant_intent_access('pgi_ow_bob', 'classifiers');
CREATE TABLE raw (split text, text text, intent text);
\copy raw FROM 'data/nlpjs_corpus50_es.csv' WITH (FORMAT csv, HEADER true)
CREATE TABLE alice_prompts AS
SELECT row_number() OVER (ORDER BY split, text, intent) AS id, text AS prompt, split_part(intent, '.', 1) AS route
  FROM raw WHERE intent <> 'oos';
CREATE TABLE bob_prompts AS SELECT * FROM alice_prompts;
ALTER TABLE alice_prompts OWNER TO pgi_ow_alice;
ALTER TABLE bob_prompts OWNER TO pgi_ow_bob;
SET ROLE pgi_ow_alice;
SELECT create_classifier('shop', 'alice_prompts', 'prompt', 'route', '{"seed": 1}');
SELECT grant_classifier_access('shop', 'pgi_ow_app', 'predict');
SELECT grant_classifier_access('shop', 'pgi_ow_bob', 'train');
SELECT train_classifier('shop');
RESET ROLE;
SET ROLE pgi_ow_bob;
SELECT create_classifier('kept', 'bob_prompts', 'prompt', 'route', '{"seed": 2}');
SELECT grant_classifier_access('kept', 'pgi_ow_app', 'predict');
SELECT train_classifier('kept');
SQL
alice_oid=$(qs $SRC "SELECT 'pgi_ow_alice'::regrole::oid")
classifiers_sql="SELECT string_agg(format('%s|%s|%s|%s', id, name, owner_name, source_name), ';' ORDER BY id) FROM ai_classifiers"
classifiers=$(qs $SRC "$classifiers_sql")
models=$(qs $SRC "SELECT string_agg(format('%s|%s|%s', id, classifier_id, is_active), ';' ORDER BY id) FROM ai_intent_models")
prediction=$(PGHOST=$SRC_HOST PGPORT=$SRC_PORT qas $SRC pgi_ow_app "SELECT (predict_label('shop', 'quiero reservar un vuelo')).model_id")
pg_dump -h "$SRC_HOST" -p "$SRC_PORT" -Fc -d $SRC -f "$DUMP"

# ------------------------------------------------------------ the target
PGI_PRELOAD=pg_intent start_own_cluster target
restart() { # [postgres options] (stop, then start: pg_ctl restart would keep the last options)
    as_owner "$PGI_BINDIR/pg_ctl" -D "$PGI_DIR/data" -w -t 60 -m fast stop >/dev/null
    as_owner "$PGI_BINDIR/pg_ctl" -D "$PGI_DIR/data" -l "$PGI_DIR/log/server.log" -w -t 60 \
        ${1:+-o "$1"} start >/dev/null
}
new_role_with_oid() { # name oid: in binary-upgrade mode, as pg_upgrade gives roles their OIDs
    restart "-b"
    psql -X -q -v ON_ERROR_STOP=1 -d postgres \
        -c "SELECT binary_upgrade_set_next_pg_authid_oid($2)" -c "CREATE ROLE $1" >/dev/null
    restart
    expect_eq "$(q postgres "SELECT '$1'::regrole::oid")" "$2" "(role $1 has OID $2)"
}
# mallory gets the OID alice had; no role is named alice here. bob and the
# app exist, under OIDs of their own.
new_role_with_oid pgi_ow_mallory "$alice_oid"
psql -X -q -v ON_ERROR_STOP=1 -d postgres -c "CREATE ROLE pgi_ow_bob" -c "CREATE ROLE pgi_ow_app" \
    -c "CREATE DATABASE $DST" >/dev/null
# Objects are restored without their owners and privileges (-O -x: the
# usual restore into another cluster); --exit-on-error: 0.3.1's COPY of
# ai_classifiers failed on the missing role.
pg_restore -O -x --exit-on-error -d $DST "$DUMP"
q $DST "GRANT SELECT ON bob_prompts TO pgi_ow_bob" >/dev/null # (restored without owners: postgres owns the tables)

expect_eq "$(q $DST "SELECT count(*) FROM ai_classifiers WHERE NOT built_in")" "2" "a restore into a cluster without the owner keeps every classifier"
expect_eq "$(q $DST "$classifiers_sql")" "$classifiers" "with its id, name, recorded owner and source"
expect_eq "$(q $DST "SELECT string_agg(format('%s|%s|%s', id, classifier_id, is_active), ';' ORDER BY id) FROM ai_intent_models")" "$models" \
    "and its models, by classifier id"
expect_eq "$(q $DST "SELECT string_agg(format('%s:%s:%s', name, owner, orphaned), ',' ORDER BY name) FROM ai_classifier_owners WHERE NOT built_in")" \
    "kept:pgi_ow_bob:f,shop:pgi_ow_alice:t" "the classifier whose owner is missing is listed as orphaned; bob's is bob's, found by name"
expect_eq "$(q $DST "SELECT owner IS NULL FROM ai_classifiers WHERE name = 'shop'")" "t" "(the orphan keeps no OID)"
expect_eq "$(q $DST "SELECT owner = 'pgi_ow_bob'::regrole::oid FROM ai_classifiers WHERE name = 'kept'")" "t" "(bob's OID here, not the source's)"

# mallory has alice's old OID: she gets nothing (the same 42501 as for any
# classifier she may not manage: she may not read ai_classifiers, so she is
# not told it is orphaned).
for call in "alter_classifier('shop', '{\"seed\": 9}')" "drop_classifier('shop')" "grant_classifier_access('shop', 'pgi_ow_mallory', 'train')"; do
    err=$(psql -X -q -d $DST -c "SET ROLE pgi_ow_mallory" -c "SELECT $call" 2>&1 || true)
    [[ $err == *'permission denied to manage classifier "shop"'* ]] || { echo "FAILED: mallory: $call: $err" >&2; exit 1; }
done
echo "ok: the role with the dropped owner's OID cannot alter, drop or grant the classifier"
err=$(psql -X -q -d $DST -c "SET ROLE pgi_ow_mallory" -c "SELECT train_classifier('shop')" 2>&1 || true)
[[ $err == *"permission denied to train classifier"* ]] || { echo "FAILED: mallory trains: $err" >&2; exit 1; }
echo "ok: nor train it"
# The grants found their roles by name.
expect_eq "$(qas $DST pgi_ow_app "SELECT (predict_label('shop', 'quiero reservar un vuelo')).model_id")" "$prediction" \
    "the app's predict grant, found by name, still predicts with the same model"
err=$(psql -X -q -d $DST -c "SET ROLE pgi_ow_bob" -c "SELECT train_classifier('shop')" 2>&1 || true)
[[ $err == *'classifier "shop" is orphaned: its owner was dropped'* ]] || { echo "FAILED: bob trains the orphan: $err" >&2; exit 1; }
echo "ok: bob's train grant is found, and the orphan says why it cannot be trained (no owner to read its source as)"
expect_eq "$(qas $DST pgi_ow_bob "SELECT alter_classifier('kept', '{\"seed\": 5}') -> 'options' ->> 'seed'")" "5" \
    "bob manages his restored classifier"

# An administrator reassigns the orphan; its new owner must read the source.
q $DST "GRANT SELECT ON alice_prompts TO pgi_ow_bob" >/dev/null
err=$(psql -X -q -d $DST -c "SET ROLE pgi_ow_bob" -c "SELECT reassign_classifier('shop', 'pgi_ow_bob')" 2>&1 || true)
[[ $err == *"permission denied for function reassign_classifier"* ]] || { echo "FAILED: bob reassigns: $err" >&2; exit 1; }
echo "ok: reassign_classifier() is not bob's to call"
expect_eq "$(q $DST "SELECT reassign_classifier('shop', 'pgi_ow_bob') ->> 'owner'")" "pgi_ow_bob" "an administrator reassigns the orphan"
expect_eq "$(qas $DST pgi_ow_bob "SELECT train_classifier('shop') ->> 'status'")" "completed" "its new owner trains it"

# ------------------------------------------------------------ DROP ROLE
# Within a cluster: bob is dropped, and a new role gets his OID.
bob_oid=$(q $DST "SELECT 'pgi_ow_bob'::regrole::oid")
psql -X -q -v ON_ERROR_STOP=1 -d $DST -c "DROP OWNED BY pgi_ow_bob" -c "DROP ROLE pgi_ow_bob" >/dev/null
expect_eq "$(q $DST "SELECT string_agg(format('%s:%s:%s', name, owner, orphaned), ',' ORDER BY name) FROM ai_classifier_owners WHERE NOT built_in")" \
    "kept:pgi_ow_bob:t,shop:pgi_ow_bob:t" "a dropped owner's classifiers stay, listed as orphaned"
new_role_with_oid pgi_ow_eve "$bob_oid"
err=$(psql -X -q -d $DST -c "SET ROLE pgi_ow_eve" -c "SELECT alter_classifier('kept', '{\"seed\": 7}')" 2>&1 || true)
[[ $err == *'permission denied to manage classifier "kept"'* ]] || { echo "FAILED: eve alters: $err" >&2; exit 1; }
echo "ok: the new role with the dropped owner's OID cannot alter the classifier"
psql -X -q -v ON_ERROR_STOP=1 -d postgres -c "CREATE ROLE pgi_ow_bob" >/dev/null
err=$(psql -X -q -d $DST -c "SET ROLE pgi_ow_bob" -c "SELECT alter_classifier('kept', '{\"seed\": 7}')" 2>&1 || true)
[[ $err == *'permission denied to manage classifier "kept"'* ]] || { echo "FAILED: new bob alters: $err" >&2; exit 1; }
echo "ok: nor a new role with the dropped owner's name"
# bob's train grant on "shop" stays, under his OID and name, counting for
# nobody. A grant to eve, who has his OID, gives her what it says and not
# his train grant too (role_names is one name per OID: the grant recorded
# her name for it, and bob's entry counted as hers).
q $DST "SELECT grant_classifier_access('shop', 'pgi_ow_eve', 'predict') IS NOT NULL" >/dev/null
expect_eq "$(q $DST "SELECT string_agg(a, ',' ORDER BY a) FROM unnest(ARRAY['predict', 'train', 'deploy', 'manage']) AS a
                      WHERE intent_internal._pg_intent_classifier_allows('shop', 'pgi_ow_eve'::regrole::oid, a)")" "predict" \
    "a grant to the role with a dropped grantee's OID does not revive the dropped role's grants"
expect_eq "$(q $DST "SELECT train_roles = '{}' FROM ai_classifiers WHERE name = 'shop'")" "t" "(the dropped role's entry is gone)"
q $DST "GRANT SELECT ON bob_prompts TO pgi_ow_eve" >/dev/null
expect_eq "$(q $DST "SELECT reassign_classifier('kept', 'pgi_ow_eve') ->> 'owner'")" "pgi_ow_eve" "an administrator gives it to eve"
expect_eq "$(qas $DST pgi_ow_eve "SELECT alter_classifier('kept', '{\"seed\": 7}') -> 'options' ->> 'seed'")" "7" "who then manages it"

drop_db $DST
PGHOST=$SRC_HOST PGPORT=$SRC_PORT drop_db $SRC
PGHOST=$SRC_HOST PGPORT=$SRC_PORT psql -X -q -d postgres -c "DROP ROLE pgi_ow_alice" -c "DROP ROLE pgi_ow_bob" -c "DROP ROLE pgi_ow_app" >/dev/null
