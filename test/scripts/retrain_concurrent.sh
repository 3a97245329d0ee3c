#!/usr/bin/env bash
# retrain_classifiers() while the classifiers it goes through change under
# it. A call may run for hours (each training takes minutes); what it
# decides for a classifier must be what that classifier is when its turn
# comes. Before, the call read every classifier's count plan (owner, source
# statement, the last run's count) once, at its start, and counted, decided
# and trained with its statement's snapshot, taken then:
#  a. a classifier trained by hand while the call was busy with another was
#     trained again at its turn, on the count of before that run (never
#     trained: due), and a second model was stored a minute after the first;
#  b. a classifier dropped while the call was busy with another was still
#     counted (its source read as the dropped classifier's owner), and its
#     entry said "the training conflicted with a concurrent transaction"
#     (40001, which says the next call tries it again).
# Each classifier's attempt now reads its plan, counts and decides with a
# snapshot taken when its turn comes.
#  c. a classifier dropped while the call counted its own new rows was
#     reported as a conflict to retry (40001), not as one that no longer
#     exists; now 42704, and no back-off is kept under its name.
# The call is held on aa (first: its last attempt is the oldest) by a lock on
# its source, taken by session A; the changes are made meanwhile.
cd "$(dirname "$0")/../.."
source test/scripts/lib.bash
DB=pgi_retrain_concurrent
fresh_db $DB
load_ecommerce $DB
trap 'rm -rf "$TEST_TMP"; drop_db $DB' EXIT
psql -X -q -v ON_ERROR_STOP=1 -d $DB <<'SQL' >/dev/null
SET client_min_messages = warning;
CREATE TABLE aa_rows AS SELECT row_number() OVER () AS id, text AS body, intent AS label FROM demo_rows WHERE split = 'train';
CREATE TABLE bb_rows AS SELECT * FROM aa_rows;
-- aa comes first (never tried, then by name); both never trained: due.
SELECT create_classifier('aa', 'aa_rows', 'body', 'label', '{"seed": 1}') IS NOT NULL;
SELECT create_classifier('bb', 'bb_rows', 'body', 'label', '{"seed": 1}') IS NOT NULL;
SQL
entry() { # result classifier
    q $DB "SELECT concat_ws('|', e ->> 'retrained', e -> 'result' ->> 'status', e ->> 'reason', e -> 'error' ->> 'sqlstate')
             FROM jsonb_array_elements(\$json\$$1\$json\$::jsonb -> 'classifiers') AS e WHERE e ->> 'classifier' = '$2'"
}

session_open A $DB
session_open B $DB
bpid=$(session_pid B)

# a. bb trained by hand while the call waits on aa's source.
session_run A "BEGIN; LOCK TABLE aa_rows IN ACCESS EXCLUSIVE MODE;" >/dev/null
session_send B "SELECT retrain_classifiers();"
wait_until_waiting_on_lock $DB "$bpid"
expect_eq "$(q $DB "SELECT train_classifier('bb', 'by hand') ->> 'status'")" completed "bb is trained by hand meanwhile"
session_run A "COMMIT;" >/dev/null
result=$(session_wait B)
expect_eq "$(entry "$result" aa)" "true|completed" "aa, never trained, is trained ($result)"
expect_eq "$(entry "$result" bb)" "false|not enough new rows since the last training" \
    "bb, trained since the call began, is not trained again"
expect_eq "$(q $DB "SELECT count(*) FROM ai_training_runs WHERE classifier = 'bb'")" 1 "bb has one run: its own"

# b. bb dropped while the call waits on aa's source. bb is trained by hand
#    first (so that aa, whose last run is now the older, comes first), then
#    made due (threshold 1, new rows); aa is not due.
expect_eq "$(q $DB "SELECT train_classifier('bb', 'by hand') ->> 'status'")" completed "bb is trained by hand again"
q $DB "SELECT alter_classifier('bb', '{\"auto_retrain_threshold\": 1}') IS NOT NULL" >/dev/null
q $DB "INSERT INTO bb_rows SELECT id + 100000, body, label FROM bb_rows WHERE id <= 3" >/dev/null
session_run A "BEGIN; LOCK TABLE aa_rows IN ACCESS EXCLUSIVE MODE;" >/dev/null
session_send B "SELECT retrain_classifiers();"
wait_until_waiting_on_lock $DB "$bpid"
expect_eq "$(q $DB "SELECT drop_classifier('bb') ->> 'classifier'")" bb "bb is dropped meanwhile"
session_run A "COMMIT;" >/dev/null
result=$(session_wait B)
expect_eq "$(entry "$result" aa)" "false|not enough new rows since the last training" "aa is not due ($result)"
expect_eq "$(entry "$result" bb)" "false|its new rows could not be counted|42704" "bb, dropped, is reported as not existing"
expect_eq "$(q $DB "SELECT count(*) FROM ai_classifier_retrain_failures")" 0 \
    "no back-off is recorded for a classifier that no longer exists"
q $DB "SELECT create_classifier('bb', 'bb_rows', 'body', 'label', '{\"seed\": 1}') IS NOT NULL" >/dev/null
result=$(q $DB "SELECT retrain_classifiers()")
expect_eq "$(entry "$result" bb)" "true|completed" \
    "a new classifier of the dropped one's name, never trained, is trained ($result)"

# c. bb dropped while the call counts bb's own new rows (its source locked):
#    its attempt's snapshot still has bb, the latest row has none. Before,
#    the training answered 40001 ("classifier changed since this
#    transaction's snapshot") and the entry said "the training conflicted
#    with a concurrent transaction", retry; now it does not exist (42704),
#    and no back-off is kept under its name for the next classifier of it.
q $DB "SELECT alter_classifier('bb', '{\"auto_retrain_threshold\": 1}') IS NOT NULL" >/dev/null
q $DB "INSERT INTO bb_rows SELECT id + 200000, body, label FROM bb_rows WHERE id <= 3" >/dev/null
session_run A "BEGIN; LOCK TABLE bb_rows IN ACCESS EXCLUSIVE MODE;" >/dev/null
session_send B "SELECT retrain_classifiers();"
wait_until_waiting_on_lock $DB "$bpid"
expect_eq "$(q $DB "SELECT drop_classifier('bb') ->> 'classifier'")" bb "bb is dropped while its rows are counted"
session_run A "COMMIT;" >/dev/null
result=$(session_wait B)
expect_eq "$(entry "$result" bb)" "false|42704" "bb, dropped during its count, is reported as not existing ($result)"
expect_eq "$(q $DB "SELECT count(*) FROM ai_classifier_retrain_failures")" 0 \
    "no back-off is recorded for a classifier dropped during its attempt"
q $DB "SELECT create_classifier('bb', 'bb_rows', 'body', 'label', '{\"seed\": 1}') IS NOT NULL" >/dev/null
result=$(q $DB "SELECT retrain_classifiers()")
expect_eq "$(entry "$result" bb)" "true|completed" "the next classifier of that name trains ($result)"
session_close A
session_close B
