#!/usr/bin/env bash
# PostgreSQL 16+ role memberships against pg_intent's rights rule.
#
# Since 16 a membership has options: GRANT r TO u WITH INHERIT, SET, ADMIN.
# pg_has_role(u, r, 'MEMBER') is true for every member, also one that may
# neither use r's privileges (INHERIT FALSE) nor SET ROLE to it (SET FALSE):
# the membership a non-superuser CREATEROLE role gets in the roles it creates
# (ADMIN only, createrole_self_grant empty). pg_intent's one rule,
# _pg_intent_classifier_allows(), counts a membership as PostgreSQL counts
# ownership and privileges: pg_has_role(..., 'USAGE'), the INHERIT chain.
# This test holds it to that on 16 and later, as each role it restricts:
#
#   - a member of a classifier's owner WITH INHERIT FALSE (SET TRUE or not),
#     and the CREATEROLE role that created the owner, get nothing of the
#     classifier (predict, train, manage, its metrics' counts, its review
#     queue): 42501, as PostgreSQL refuses them the owner's tables; one WITH
#     SET TRUE gets it all after SET ROLE;
#   - a member WITH INHERIT TRUE, SET FALSE gets what the owner's members
#     get (PostgreSQL gives it the owner's privileges and ownership:
#     ALTER, DROP, CREATE INDEX on the owner's tables), and cannot create a
#     classifier owned by the owner (create_classifier() makes the caller
#     the owner; reassign_classifier() needs SET, classifier_reassign_rights.sql);
#   - a member of a grantee role WITH INHERIT FALSE gets none of its grants,
#     and revoking the INHERIT option of a grantee's member takes effect at
#     once, in the backend that had the answer cached and in another one;
#   - a member WITH INHERIT FALSE of a source table's owner cannot create a
#     classifier over that table (the caller reads the columns), one WITH
#     INHERIT TRUE can (it reads the table with SELECT already);
#   - on 17 and later: MAINTAIN on a source table and membership in
#     pg_maintain give no classifier right and no classifier over the
#     table; REFRESH MATERIALIZED VIEW by a pg_maintain member of the
#     owner's materialized view that predicts runs as the view's owner,
#     under 17's restricted search_path, and its rows are the owner's; its
#     REINDEX and ANALYZE of a table indexed on pg_intent's IMMUTABLE
#     functions (normalize_intent_name(), is_valid_intent_name()) work
#     under that search_path too.
#
# Runs in the running cluster when it is 16 or later; otherwise (15, the
# suite's system major) in a cluster of this test's own of PGROLES_MAJOR
# (17 by default; its tree from scripts/pg-major.sh, as cross_major_models.sh).
cd "$(dirname "$0")/../.."
source test/scripts/lib.bash
DB=pgi_pgroles
export WERROR=${WERROR:-1} CXX=${CXX:-g++}
export PGOPTIONS="${PGOPTIONS:-} -c client_min_messages=warning"

running=$(q postgres "SELECT current_setting('server_version_num')::int / 10000")
if [ "$running" -lt 16 ]; then
    other=${PGROLES_MAJOR:-17}
    other_pg_config=$(scripts/pg-major.sh tree "$other") || { echo "FAILED: no PostgreSQL $other tree" >&2; exit 1; }
    PGI_SYSTEM_PG_CONFIG=$other_pg_config PGI_SOURCE='' start_own_cluster pgroles
fi
major=$(q postgres "SELECT current_setting('server_version_num')::int / 10000")
[ "$major" -ge 16 ] || { echo "FAILED: PostgreSQL $major has no membership options" >&2; exit 1; }
echo "ok: $(q postgres 'SELECT version()' | cut -d' ' -f1-2)"

roles="pgi_pr_owner pgi_pr_noset pgi_pr_setonly pgi_pr_bare pgi_pr_creator pgi_pr_made pgi_pr_group
       pgi_pr_grp_noinherit pgi_pr_grp_inherit pgi_pr_src pgi_pr_src_noinherit pgi_pr_src_inherit
       pgi_pr_maint pgi_pr_staff"
drop_roles() {
    local r
    for r in $roles; do psql -X -q -d postgres -c "DROP ROLE IF EXISTS $r" >/dev/null 2>&1 || true; done
}
drop_db $DB
drop_roles
fresh_db $DB

# As a superuser: the roles, their memberships, the owner's classifier
# (trained and deployed) and the source owner's table.
psql -X -q -v ON_ERROR_STOP=1 -d $DB <<'SQL' >/dev/null
SET client_min_messages = warning;
CREATE ROLE pgi_pr_staff;
SELECT grant_intent_access('pgi_pr_staff', 'administrator');
GRANT SELECT ON ai_review_queue, ai_training_data, ai_training_runs, ai_training_run_rows, ai_intent_models, ai_classifier_run_rows TO pgi_pr_staff;
CREATE ROLE pgi_pr_owner IN ROLE pgi_pr_staff;
CREATE ROLE pgi_pr_noset IN ROLE pgi_pr_staff;
CREATE ROLE pgi_pr_setonly IN ROLE pgi_pr_staff;
CREATE ROLE pgi_pr_bare IN ROLE pgi_pr_staff;
CREATE ROLE pgi_pr_creator CREATEROLE IN ROLE pgi_pr_staff;
CREATE ROLE pgi_pr_group;
CREATE ROLE pgi_pr_grp_noinherit IN ROLE pgi_pr_staff;
CREATE ROLE pgi_pr_grp_inherit IN ROLE pgi_pr_staff;
CREATE ROLE pgi_pr_src;
CREATE ROLE pgi_pr_src_noinherit IN ROLE pgi_pr_staff;
CREATE ROLE pgi_pr_src_inherit IN ROLE pgi_pr_staff;
CREATE ROLE pgi_pr_maint IN ROLE pgi_pr_staff;
GRANT pgi_pr_owner TO pgi_pr_noset WITH INHERIT TRUE, SET FALSE;
GRANT pgi_pr_owner TO pgi_pr_setonly WITH INHERIT FALSE, SET TRUE;
GRANT pgi_pr_owner TO pgi_pr_bare WITH INHERIT FALSE, SET FALSE;
GRANT pgi_pr_group TO pgi_pr_grp_noinherit WITH INHERIT FALSE, SET TRUE;
GRANT pgi_pr_group TO pgi_pr_grp_inherit WITH INHERIT TRUE, SET FALSE;
GRANT pgi_pr_src TO pgi_pr_src_noinherit WITH INHERIT FALSE, SET TRUE;
GRANT pgi_pr_src TO pgi_pr_src_inherit WITH INHERIT TRUE, SET FALSE;
-- 16's CREATEROLE: the creator is ADMIN of the role it creates, and (with
-- createrole_self_grant empty, the default) neither inherits nor SETs it.
SET ROLE pgi_pr_creator;
SET createrole_self_grant = '';
CREATE ROLE pgi_pr_made;
RESET ROLE;
GRANT pgi_pr_staff TO pgi_pr_made;

CREATE FUNCTION public.pgi_try(p_sql text) RETURNS text LANGUAGE plpgsql AS $$
BEGIN
    EXECUTE p_sql;
    RETURN 'ok';
EXCEPTION WHEN OTHERS THEN
    RETURN SQLSTATE;
END $$;
-- One value, or the SQLSTATE.
CREATE FUNCTION public.pgi_val(p_sql text) RETURNS text LANGUAGE plpgsql AS $$
DECLARE
    v text;
BEGIN
    EXECUTE p_sql INTO v;
    RETURN coalesce(v, 'null');
EXCEPTION WHEN OTHERS THEN
    RETURN SQLSTATE;
END $$;
CREATE SCHEMA pr_o AUTHORIZATION pgi_pr_owner;
GRANT USAGE ON SCHEMA pr_o TO PUBLIC;
CREATE SCHEMA pr_m AUTHORIZATION pgi_pr_made;
CREATE SCHEMA pr_s AUTHORIZATION pgi_pr_src;
GRANT USAGE ON SCHEMA pr_s TO PUBLIC;

SET ROLE pgi_pr_owner;
CREATE TABLE pr_o.t (id bigint PRIMARY KEY, body text, label text, at timestamptz DEFAULT now());
INSERT INTO pr_o.t SELECT n, CASE n % 2 WHEN 0 THEN 'donde esta mi paquete ' ELSE 'hola buenos dias ' END || n,
                          CASE n % 2 WHEN 0 THEN 'order_status' ELSE 'greeting' END
  FROM generate_series(1, 80) AS n;
SELECT create_classifier('pr', 'pr_o.t', 'body', 'label', '{"key_column": "id", "time_column": "at"}');
SELECT train_classifier('pr', NULL, '{"seed": 1, "deploy": "always"}');
SELECT grant_classifier_access('pr', 'pgi_pr_group', 'predict');
SELECT grant_classifier_access('pr', 'pgi_pr_group', 'train');
RESET ROLE;

SET ROLE pgi_pr_made;
CREATE TABLE pr_m.t (id bigint PRIMARY KEY, body text, label text);
INSERT INTO pr_m.t SELECT id, body, label FROM (VALUES (1, 'x', 'y')) AS v (id, body, label);
SELECT create_classifier('prm', 'pr_m.t', 'body', 'label', '{}');
RESET ROLE;

SET ROLE pgi_pr_src;
CREATE TABLE pr_s.t (id bigint PRIMARY KEY, body text, label text);
RESET ROLE;
SQL
echo "ok: classifier pr of pgi_pr_owner trained and deployed"

# One statement as a role: 'ok' or its SQLSTATE.
as_role() { # role sql
    psql -X -q -At -v ON_ERROR_STOP=1 -d $DB -c "SET ROLE $1" -c "SELECT pgi_try(\$pgi\$$2\$pgi\$)"
}
# What a role may do with classifier $2 (default pr), one word each:
# predict, train, manage (alter_classifier(), grant_classifier_access()),
# the review queue, and the metrics' count of new rows (read as the owner
# for a role with the train right; NULL with a reason for another).
rights() { # role [classifier]
    local r=$1 c=${2:-pr}
    echo "predict=$(as_role "$r" "SELECT predict_label('$c', 'donde esta mi paquete')")" \
        "train=$(as_role "$r" "SELECT train_classifier('$c', NULL, '{\"seed\": 1, \"deploy\": \"never\"}')")" \
        "alter=$(as_role "$r" "SELECT alter_classifier('$c', '{\"max_f1_regression\": 0.05}')")" \
        "grant=$(as_role "$r" "SELECT grant_classifier_access('$c', 'pgi_pr_src', 'predict')")" \
        "queue=$(as_role "$r" "SELECT count(*) FROM get_classifier_review_queue('$c')")" \
        "count=$(psql -X -q -At -v ON_ERROR_STOP=1 -d $DB -c "SET ROLE $r" \
                     -c "SELECT pgi_val(\$pgi\$SELECT (get_classifier_metrics('$c') ->> 'new_rows') IS NOT NULL\$pgi\$)")"
}
none="predict=42501 train=42501 alter=42501 grant=42501 queue=42501 count=42501"
all="predict=ok train=ok alter=ok grant=ok queue=ok count=true"

expect_eq "$(q $DB "SELECT string_agg(format('%s:%s%s%s', m.member::regrole, pg_has_role(m.member, 'pgi_pr_owner', 'MEMBER')::int,
                                       pg_has_role(m.member, 'pgi_pr_owner', 'USAGE')::int, pg_has_role(m.member, 'pgi_pr_owner', 'SET')::int), ' ' ORDER BY m.member::regrole::text)
                      FROM pg_auth_members AS m WHERE m.roleid = 'pgi_pr_owner'::regrole")" \
    "pgi_pr_bare:100 pgi_pr_noset:110 pgi_pr_setonly:101" \
    "the owner's members (MEMBER, USAGE, SET): each is a member, only INHERIT TRUE uses its privileges"
expect_eq "$(rights pgi_pr_owner)" "$all" "the owner does everything"
expect_eq "$(rights pgi_pr_bare)" "$none" "a member WITH INHERIT FALSE, SET FALSE of the owner: nothing"
expect_eq "$(rights pgi_pr_setonly)" "$none" "a member WITH INHERIT FALSE, SET TRUE of the owner: nothing as itself"
expect_eq "$(psql -X -q -At -d $DB -c "SET ROLE pgi_pr_setonly" -c "SET ROLE pgi_pr_owner" \
                  -c "SELECT alter_classifier('pr', '{\"max_f1_regression\": 0.05}') ->> 'owner'")" \
    "pgi_pr_owner" "... and the owner's rights once it SETs ROLE to the owner, as PostgreSQL's ownership"
expect_eq "$(as_role pgi_pr_setonly "SELECT * FROM pr_o.t")" "42501" \
    "... as PostgreSQL refuses it the owner's table before SET ROLE"
expect_eq "$(rights pgi_pr_noset)" "$all" \
    "a member WITH INHERIT TRUE, SET FALSE of the owner: the owner's members' rights, as PostgreSQL's ownership"
# What its manage right lets it do (alter_classifier(): a source whose
# view's code then runs as the owner) PostgreSQL lets it do itself: it owns
# the owner's tables, and an index expression on one runs as the owner.
psql -X -q -v ON_ERROR_STOP=1 -d $DB <<'SQL' >/dev/null
CREATE SCHEMA pr_n AUTHORIZATION pgi_pr_noset;
SET ROLE pgi_pr_noset;
CREATE TABLE pr_n.seen (who name);
GRANT INSERT ON pr_n.seen TO PUBLIC;
GRANT USAGE ON SCHEMA pr_n TO PUBLIC;
CREATE FUNCTION pr_n.note() RETURNS int LANGUAGE plpgsql VOLATILE AS $$
BEGIN INSERT INTO pr_n.seen VALUES (current_user); RETURN 1; END $$;
CREATE FUNCTION pr_n.idx(bigint) RETURNS bigint LANGUAGE plpgsql IMMUTABLE AS $$
BEGIN PERFORM pr_n.note(); RETURN $1; END $$;
CREATE INDEX pr_o_t_note ON pr_o.t (pr_n.idx(id));
DROP INDEX pr_o.pr_o_t_note;
RESET ROLE;
SQL
expect_eq "$(q $DB "SELECT DISTINCT who FROM pr_n.seen")" "pgi_pr_owner" \
    "... as PostgreSQL lets it run code as the owner: CREATE INDEX on the owner's table (expression run as the owner)"
expect_eq "$(as_role pgi_pr_noset "SELECT create_classifier('pr_noset', 'pr_o.t', 'body', 'label', '{}')")" "ok" \
    "... a classifier it creates over the owner's table"
expect_eq "$(q $DB "SELECT owner_name FROM ai_classifiers WHERE name = 'pr_noset'")" "pgi_pr_noset" \
    "... is its own, never the owner's (read as itself)"
expect_eq "$(as_role pgi_pr_noset "SELECT reassign_classifier('pr_noset', 'pgi_pr_owner')")" "42501" \
    "... and it cannot give it to the owner"
expect_eq "$(q $DB "SELECT pg_has_role('pgi_pr_creator', 'pgi_pr_made', 'MEMBER')::text || pg_has_role('pgi_pr_creator', 'pgi_pr_made', 'USAGE')::text")" \
    "truefalse" "16's CREATEROLE: the creator is a member (ADMIN) of the role it made, without its privileges"
expect_eq "$(rights pgi_pr_creator prm | sed 's/ queue=[^ ]*//; s/ count=.*//')" \
    "predict=42501 train=42501 alter=42501 grant=42501" "... and gets nothing of that role's classifier"

# Grantees.
expect_eq "$(rights pgi_pr_grp_noinherit | cut -d' ' -f1-2)" "predict=42501 train=42501" \
    "a member WITH INHERIT FALSE of a role granted predict and train: neither"
expect_eq "$(rights pgi_pr_grp_inherit | cut -d' ' -f1-2,5-6)" "predict=ok train=ok queue=ok count=true" \
    "a member WITH INHERIT TRUE, SET FALSE of that role: both, and the train right's reads"
expect_eq "$(rights pgi_pr_grp_inherit | cut -d' ' -f3-4)" "alter=42501 grant=42501" "... but not the owner's"

# The INHERIT option revoked: at once, in this backend (its cached answer)
# and in another that cached it before.
start_session_a $DB
expect_eq "$(ask_a "SET ROLE pgi_pr_grp_inherit; SELECT (predict_label('pr', 'donde esta mi paquete')).label IS NOT NULL;")" "t" \
    "session A predicts through the group"
expect_eq "$(psql -X -q -At -d $DB <<'SQL'
SET ROLE pgi_pr_grp_inherit;
SELECT (predict_label('pr', 'donde esta mi paquete')).label IS NOT NULL;
RESET ROLE;
REVOKE INHERIT OPTION FOR pgi_pr_group FROM pgi_pr_grp_inherit;
SET ROLE pgi_pr_grp_inherit;
SELECT pgi_try($$SELECT predict_label('pr', 'donde esta mi paquete')$$);
SQL
)" "t
42501" "REVOKE INHERIT OPTION FOR the group: refused at once in the backend that predicted"
expect_eq "$(ask_a "SELECT pgi_try(\$\$SELECT predict_label('pr', 'donde esta mi paquete')\$\$);")" "42501" \
    "... and in session A, which predicted before"
end_session_a
q $DB "GRANT pgi_pr_group TO pgi_pr_grp_inherit WITH INHERIT TRUE" >/dev/null

# A source table's owner's members.
expect_eq "$(as_role pgi_pr_src_noinherit "SELECT create_classifier('pr_src1', 'pr_s.t', 'body', 'label', '{}')")" "42501" \
    "a member WITH INHERIT FALSE of a source's owner: no classifier over it"
expect_eq "$(as_role pgi_pr_src_noinherit "SELECT * FROM pr_s.t")" "42501" "... as it may not SELECT from it"
expect_eq "$(as_role pgi_pr_src_inherit "SELECT create_classifier('pr_src2', 'pr_s.t', 'body', 'label', '{}')")" "ok" \
    "a member WITH INHERIT TRUE, SET FALSE of it: a classifier it owns, read as itself (it may SELECT from the table)"

if [ "$major" -ge 17 ]; then
    psql -X -q -v ON_ERROR_STOP=1 -d $DB <<'SQL' >/dev/null
GRANT pg_maintain TO pgi_pr_maint;
GRANT MAINTAIN ON pr_o.t, pr_s.t TO pgi_pr_maint;
SET ROLE pgi_pr_owner;
CREATE MATERIALIZED VIEW pr_o.mv AS SELECT (public.predict_label('pr', 'donde esta mi paquete')).label AS label;
CREATE INDEX pr_o_t_label ON pr_o.t (public.normalize_intent_name(label)) WHERE public.is_valid_intent_name(label);
RESET ROLE;
SQL
    expect_eq "$(rights pgi_pr_maint)" "$none" "17: a member of pg_maintain with MAINTAIN on the source: nothing"
    expect_eq "$(as_role pgi_pr_maint "SELECT create_classifier('pr_maint', 'pr_s.t', 'body', 'label', '{}')")" "42501" \
        "... and no classifier over a table it may only maintain"
    expect_eq "$(as_role pgi_pr_maint "REFRESH MATERIALIZED VIEW pr_o.mv")" "ok" \
        "... it refreshes the owner's materialized view that predicts: as the owner, under the restricted search_path"
    expect_eq "$(q $DB "SELECT label FROM pr_o.mv")" "order_status" "... whose rows are the owner's prediction"
    expect_eq "$(as_role pgi_pr_maint "SELECT * FROM pr_o.mv")" "42501" "... which it may not read"
    expect_eq "$(as_role pgi_pr_maint "REINDEX TABLE pr_o.t")$(as_role pgi_pr_maint "ANALYZE pr_o.t")" "okok" \
        "... it reindexes and analyzes a table indexed on pg_intent's IMMUTABLE functions (restricted search_path)"
fi

drop_db $DB
drop_roles
echo "ok: pgroles"
