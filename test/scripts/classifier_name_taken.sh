#!/usr/bin/env bash
# A classifier dropped, and its name taken by another role's classifier,
# while a train_classifier() call of the first one has checked it but not
# yet read its source. The source is read as its classifier's owner
# (as_owner.h), and the call looks that owner up again by name
# (classifier_owner(), src/pg/classifier_source.cpp): a review asked whether
# it could find the new classifier's owner there, and read the dropped
# classifier's source, a view its owner chose, with that role's rights. It
# cannot: the look-up reads under the statement's snapshot, taken before
# the drop, so the source is read as the owner the call checked, and the
# run then finds the classifier gone (42704, nothing recorded). The view's
# function says whom it runs as (a warning: the failed call's rows are
# rolled back, its warnings are not). gdb holds the call's backend where it
# looks the owner up.
cd "$(dirname "$0")/../.."
source test/scripts/lib.bash
DB=pgi_name_taken
fresh_db $DB
load_ecommerce $DB
psql -X -q -d postgres -c "DROP ROLE IF EXISTS pgi_nt_alice" -c "DROP ROLE IF EXISTS pgi_nt_bob" >/dev/null 2>&1
psql -X -q -v ON_ERROR_STOP=1 -d $DB >/dev/null <<'SQL'
SET client_min_messages = warning;
CREATE ROLE pgi_nt_alice;
CREATE ROLE pgi_nt_bob;
SELECT grant_intent_access('pgi_nt_alice', 'classifiers'), grant_intent_access('pgi_nt_bob', 'classifiers');
GRANT CREATE ON SCHEMA public TO pgi_nt_alice, pgi_nt_bob;
-- who ran the view's function
CREATE TABLE nt_log (who text);
GRANT INSERT ON nt_log TO PUBLIC;
GRANT SELECT ON demo_rows TO pgi_nt_alice, pgi_nt_bob;
SET ROLE pgi_nt_alice;
CREATE TABLE nt_alice_rows AS SELECT text AS msg, intent AS label FROM demo_rows;
CREATE FUNCTION nt_alice_spy() RETURNS boolean LANGUAGE plpgsql AS
$$ BEGIN INSERT INTO public.nt_log VALUES (current_user); RAISE WARNING 'nt_alice_spy ran as %', current_user; RETURN true; END $$;
CREATE VIEW nt_alice_v AS SELECT msg, label FROM nt_alice_rows WHERE nt_alice_spy();
GRANT SELECT ON nt_alice_v TO pgi_nt_bob;
SELECT create_classifier('shop', 'nt_alice_v', 'msg', 'label', '{"seed": 1}');
RESET ROLE;
SET ROLE pgi_nt_bob;
CREATE TABLE nt_bob_rows AS SELECT text AS msg, intent AS label FROM demo_rows;
RESET ROLE;
SQL
q $DB "SELECT train_classifier('shop') ->> 'status'" >/dev/null 2>&1
expect_eq "$(q $DB "SELECT string_agg(DISTINCT who, ',') FROM nt_log")" pgi_nt_alice \
    "a training reads the view as its classifier's owner (its function ran as alice)"
q $DB "TRUNCATE nt_log" >/dev/null

session_open P $DB
session_run P "\\set VERBOSITY verbose" >/dev/null
ppid=$(session_pid P)
gdb_hold_at "$ppid" pg_intent::classifier_owner

# A superuser's call (as pg_cron's daily job would make it) has checked
# alice's classifier and stops where it looks up whom to read its source as.
session_send P "SELECT train_classifier('shop') ->> 'status';"
gdb_wait_held
# Meanwhile alice drops it, and bob creates a classifier of that name.
psql -X -q -v ON_ERROR_STOP=1 -d $DB >/dev/null <<'SQL'
SET client_min_messages = warning;
SET ROLE pgi_nt_alice;
SELECT drop_classifier('shop');
RESET ROLE;
SET ROLE pgi_nt_bob;
SELECT create_classifier('shop', 'nt_bob_rows', 'msg', 'label', '{"seed": 1}');
SQL
gdb_release
out=$(session_wait P)
expect_eq "$(grep '^ERROR' <<<"$out" | head -n 1)" 'ERROR:  42704: classifier "shop" does not exist' \
    "the call fails: the classifier it checked is gone"
expect_eq "$(grep -o 'nt_alice_spy ran as [a-z_]*' <<<"$out" | sort -u)" "nt_alice_spy ran as pgi_nt_alice" \
    "its source was read as the owner the call checked, alice, never as bob"
expect_eq "$(session_run P "SELECT train_classifier('shop') ->> 'status';")" completed \
    "the session's next call trains bob's classifier"
expect_eq "$(q $DB "SELECT count(*) FROM nt_log")" 0 "(from bob's table, which calls no function)"
session_close P

# A name whose drop_classifier() has not committed: create_classifier()
# waits for the dropping transaction, as an INSERT waits on a unique key
# another transaction is deleting, and then takes the name if the drop
# committed, or refuses it (42710) if it rolled back. Before, the row the
# drop was deleting was read as taken and the call failed at once with
# 42710, although the drop committed a moment later.
CREATE_SHOP2="SELECT create_classifier('shop2', 'nt_bob_rows', 'msg', 'label', '{\"seed\": 1}') ->> 'name';"
q $DB "$CREATE_SHOP2" >/dev/null
session_open D $DB
session_open C $DB
cpid=$(session_pid C)
session_run D "BEGIN; SELECT drop_classifier('shop2') ->> 'classifier';" >/dev/null
session_send C "$CREATE_SHOP2"
wait_until_waiting_on_lock $DB "$cpid" ||
    { echo "FAILED: create_classifier() did not wait for the uncommitted drop: $(session_wait C)" >&2; exit 1; }
session_run D "COMMIT;" >/dev/null
expect_eq "$(session_wait C)" shop2 \
    "the drop commits: the waiting create_classifier() takes the name"
session_run D "BEGIN; SELECT drop_classifier('shop2') ->> 'classifier';" >/dev/null
session_send C "$CREATE_SHOP2"
wait_until_waiting_on_lock $DB "$cpid"
session_run D "ROLLBACK;" >/dev/null
expect_eq "$(session_wait C | grep '^ERROR')" 'ERROR:  classifier "shop2" already exists' \
    "the drop rolls back: the waiting create_classifier() is refused (42710)"
expect_eq "$(session_run C "\\set VERBOSITY verbose
$CREATE_SHOP2" | grep '^ERROR')" 'ERROR:  42710: classifier "shop2" already exists' \
    "(its SQLSTATE: 42710)"
# The wait honours lock_timeout (and so statement_timeout and a cancel:
# it is a row lock's wait).
session_run D "BEGIN; SELECT drop_classifier('shop2') ->> 'classifier';" >/dev/null
expect_eq "$(session_run C "SET lock_timeout = '100ms';
$CREATE_SHOP2
RESET lock_timeout;" | grep '^ERROR' | head -n 1)" 'ERROR:  55P03: canceling statement due to lock timeout' \
    "lock_timeout ends the wait"
session_run D "ROLLBACK;" >/dev/null
expect_eq "$(q $DB "SELECT count(*) FROM ai_classifiers WHERE name = 'shop2'")" 1 "(shop2 is still there)"
session_close C
session_close D
drop_db $DB
psql -X -q -d postgres -c "DROP ROLE pgi_nt_alice" -c "DROP ROLE pgi_nt_bob" >/dev/null
