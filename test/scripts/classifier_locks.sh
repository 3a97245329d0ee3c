#!/usr/bin/env bash
# Issue 31, item 4: one lock per classifier, a bound on concurrent
# trainings, and the holder's pid in the 55P03 message. Each failed on 0.3.1,
# where one lock served every classifier: an idle transaction that trained
# 'shops' made every other classifier and train_intent_model() fail with
# 55P03.
#  a. alice trains 'shops' in a transaction she leaves idle (its first model
#     deployed: she holds shops's training and deployment locks);
#  b. bob trains (and deploys) his own classifier meanwhile, and an
#     administrator trains intent;
#  c. training 'shops' again fails at once with 55P03 naming alice's pid;
#  d. with max_concurrent_trainings = 2 and two idle trainings, a third
#     fails with 55P03 naming both backends; once one ends, it trains;
#  e. a dashboard whose count of new rows waits on a lock past lock_timeout
#     fails with 55P03: only a data exception of the count is reported as
#     new_rows_unknown (the first version of that rule caught every error,
#     and answered a lock timeout as an unknown count).
cd "$(dirname "$0")/../.."
source test/scripts/lib.bash
DB=pgi_classifier_locks
fresh_db $DB
load_ecommerce $DB
roles="pgi_lk_alice pgi_lk_bob"
for r in $roles; do
    psql -X -q -d postgres -c "DROP ROLE IF EXISTS $r" -c "CREATE ROLE $r LOGIN" >/dev/null
done
trap 'psql -X -q -d postgres -c "DROP DATABASE IF EXISTS $DB WITH (FORCE)" -c "DROP ROLE IF EXISTS pgi_lk_alice" -c "DROP ROLE IF EXISTS pgi_lk_bob" >/dev/null; stop_own_clusters; stop_extra_clusters' EXIT
psql -X -q -v ON_ERROR_STOP=1 -d $DB <<'SQL' >/dev/null
SELECT grant_intent_access('pgi_lk_alice', 'classifiers'), grant_intent_access('pgi_lk_bob', 'classifiers');
CREATE TABLE shop_rows AS SELECT row_number() OVER () AS id, text AS body, intent AS label FROM demo_rows WHERE split = 'train';
CREATE TABLE bob_rows AS SELECT * FROM shop_rows;
ALTER TABLE shop_rows OWNER TO pgi_lk_alice;
ALTER TABLE bob_rows OWNER TO pgi_lk_bob;
SQL
# psql for a one-off statement, its errors in its output, without NOTICEs.
run() { PGOPTIONS="-c client_min_messages=warning" psql -X -At -q -d $DB "$@" 2>&1 || true; }
q $DB "SET ROLE pgi_lk_alice; SELECT create_classifier('shops', 'shop_rows', 'body', 'label', '{\"seed\": 1}') IS NOT NULL" >/dev/null
q $DB "SET ROLE pgi_lk_bob; SELECT create_classifier('router', 'bob_rows', 'body', 'label', '{\"seed\": 1}') IS NOT NULL" >/dev/null
q $DB "SET ROLE pgi_lk_bob; SELECT create_classifier('router2', 'bob_rows', 'body', 'label', '{\"seed\": 2}') IS NOT NULL" >/dev/null

# a. alice's training, left idle in its transaction.
session_open alice $DB -U pgi_lk_alice
alice_pid=$(session_pid alice)
expect_eq "$(session_run alice "BEGIN; SELECT t ->> 'deployed' FROM train_classifier('shops', 'idle') AS t;")" true \
    "alice trained and deployed shops, and keeps her transaction open"

# b. Another classifier trains and deploys meanwhile (a lock wait would fail
# on lock_timeout rather than hang the test), and so does intent.
expect_eq "$(run -U pgi_lk_bob -c "SET lock_timeout = '20s'" \
                -c "SELECT t ->> 'status', t ->> 'deployed' FROM train_classifier('router', 'meanwhile') AS t")" \
    "completed|true" "bob trains and deploys his classifier while shops's training is idle"
expect_eq "$(run -c "SET lock_timeout = '20s'" \
                -c "SELECT t ->> 'status' FROM train_intent_model('meanwhile', 'full', '{\"seed\": 1}') AS t")" \
    completed "train_intent_model() trains while shops's training is idle"

# c. shops itself: 55P03 at once, naming alice's backend.
out=$(run -U pgi_lk_alice -c "SELECT train_classifier('shops', 'second')")
expect_eq "$(grep -c "^ERROR:  classifier \"shops\" is being trained by backend $alice_pid\$" <<<"$out")" 1 \
    "a second training of shops fails naming the holder's pid ($out)"
expect_eq "$(run -U pgi_lk_alice -c "\\set VERBOSITY verbose" -c "SELECT train_classifier('shops', 'second')" | grep -c '^ERROR:  55P03:')" 1 \
    "with SQLSTATE 55P03"
expect_eq "$(q $DB "SELECT count(*) FROM ai_training_runs WHERE run_name = 'second'")" 0 "and records nothing"

# d. The bound: two trainings idle in their transactions, a third refused.
q $DB "UPDATE ai_training_policy SET max_concurrent_trainings = 2" >/dev/null
session_open bob $DB -U pgi_lk_bob
bob_pid=$(session_pid bob)
expect_eq "$(session_run bob "BEGIN; SELECT t ->> 'status' FROM train_classifier('router', 'idle too') AS t;")" completed \
    "bob's training takes the second slot and stays idle"
out=$(run -U pgi_lk_bob -c "SELECT train_classifier('router2', 'third')")
expect_eq "$(grep -c "^ERROR:  too many trainings in progress: all 2 training slots are taken (backends \($alice_pid, $bob_pid\|$bob_pid, $alice_pid\))\$" <<<"$out")" 1 \
    "a third training fails naming both holders ($out)"
out=$(run -c "SELECT train_intent_model('third')")
expect_eq "$(grep -c '^ERROR:  too many trainings in progress' <<<"$out")" 1 "train_intent_model() counts too"
session_run bob "ROLLBACK;" >/dev/null
expect_eq "$(run -U pgi_lk_bob -c "SELECT t ->> 'status' FROM train_classifier('router2', 'third') AS t")" \
    completed "once a slot is free the next training runs"
session_run alice "ROLLBACK;" >/dev/null
session_close alice
session_close bob
expect_eq "$(run -U pgi_lk_alice -c "SELECT t ->> 'status' FROM train_classifier('shops', 'after') AS t")" \
    completed "shops trains once alice's transaction ended"

# e. The source locked by an open transaction: the dashboard's count times
# out at the caller's lock_timeout, and the dashboard says so in
# new_rows_unknown (the snapshots' rule, _pg_intent_try_count_classifier_source():
# any failure of the count but a cancel or statement_timeout), not waiting.
session_open locker $DB -U pgi_lk_alice
session_run locker "BEGIN; LOCK TABLE shop_rows IN ACCESS EXCLUSIVE MODE;" >/dev/null
out=$(run -c "SET lock_timeout = '200ms'" \
          -c "SELECT (m ->> 'new_rows') IS NULL, m ->> 'new_rows_unknown' FROM get_classifier_metrics('shops') AS m")
expect_eq "$out" "t|canceling statement due to lock timeout" \
    "a lock timeout of the dashboard's count is reported in new_rows_unknown"
session_run locker "ROLLBACK;" >/dev/null
session_close locker
expect_eq "$(run -c "SELECT get_classifier_metrics('shops') ->> 'new_rows' IS NOT NULL")" \
    t "once the lock is released the count is back"
