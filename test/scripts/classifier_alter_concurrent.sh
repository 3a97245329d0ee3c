#!/usr/bin/env bash
# alter_classifier() and reassign_classifier() while another call changes
# the same classifier. Each read the classifier's row without a lock and
# wrote over the row it had read:
#  a. two alter_classifier() calls at once: the second, a policy key only
#     ({"min_samples_for_training": 50}), wrote back the source and text
#     column the first had just changed (lu_b, msg): the classifier read
#     lu_a again, with the first call's answer saying lu_b;
#  b. reassign_classifier() waiting for an alter_classifier() that moves
#     the classifier to a table the new owner may not read checked the new
#     owner against the old source, and gave bob a classifier over a table
#     bob cannot read.
# Each call now locks the row and reads it as it is once locked.
cd "$(dirname "$0")/../.."
source test/scripts/lib.bash
DB=pgi_alter_concurrent
fresh_db $DB
psql -X -q -d postgres -c "DROP ROLE IF EXISTS pgi_ac_alice" -c "DROP ROLE IF EXISTS pgi_ac_bob" >/dev/null 2>&1
trap 'rm -rf "$TEST_TMP"; psql -X -q -d postgres -c "DROP DATABASE IF EXISTS $DB WITH (FORCE)" -c "DROP ROLE IF EXISTS pgi_ac_alice" -c "DROP ROLE IF EXISTS pgi_ac_bob" >/dev/null 2>&1' EXIT
psql -X -q -v ON_ERROR_STOP=1 -d $DB >/dev/null <<'SQL'
SET client_min_messages = warning;
CREATE ROLE pgi_ac_alice;
CREATE ROLE pgi_ac_bob;
SELECT grant_intent_access('pgi_ac_alice', 'classifiers'), grant_intent_access('pgi_ac_bob', 'classifiers');
CREATE TABLE lu_a (id int, t text, l text);
CREATE TABLE lu_b (id int, msg text, l text);
CREATE TABLE lu_c (id int, t text, l text);
GRANT SELECT ON lu_a, lu_b, lu_c TO pgi_ac_alice;
GRANT SELECT ON lu_a, lu_b TO pgi_ac_bob;
SET ROLE pgi_ac_alice;
SELECT create_classifier('lu', 'lu_a', 't', 'l', '{"seed": 1}');
RESET ROLE;
SQL

# a. two alters at once
session_open A $DB
session_open B $DB
session_run A "BEGIN;" >/dev/null
session_run A "SELECT alter_classifier('lu', '{\"source\": \"lu_b\", \"text_column\": \"msg\"}') ->> 'source';" >/dev/null
bpid=$(session_pid B)
session_send B "SELECT alter_classifier('lu', '{\"min_samples_for_training\": 50}') ->> 'source';"
wait_until_waiting_on_lock $DB "$bpid"
session_run A "COMMIT;" >/dev/null
expect_eq "$(session_wait B)" "public.lu_b" "the second alter answers the source the first one set"
expect_eq "$(q $DB "SELECT source_name || ' ' || text_column || ' ' || (policy ->> 'min_samples_for_training') FROM ai_classifiers WHERE name = 'lu'")" \
    "public.lu_b msg 50" "both alters stay: the first's source and text column, the second's policy key"

# b. reassign while an alter moves the classifier to a table bob cannot read
session_run A "BEGIN;" >/dev/null
session_run A "SELECT alter_classifier('lu', '{\"source\": \"lu_c\", \"text_column\": \"t\"}') ->> 'source';" >/dev/null
session_send B "SELECT reassign_classifier('lu', 'pgi_ac_bob') ->> 'owner';"
wait_until_waiting_on_lock $DB "$bpid"
session_run A "COMMIT;" >/dev/null
expect_eq "$(session_wait B | sed -n 1p)" \
    'ERROR:  permission denied for column "l" of the source of classifier "lu"' \
    "reassign checks the new owner against the source the alter set"
expect_eq "$(q $DB "SELECT owner_name || ' ' || source_name FROM ai_classifiers WHERE name = 'lu'")" \
    "pgi_ac_alice public.lu_c" "the classifier stays alice's"
session_close A
session_close B
