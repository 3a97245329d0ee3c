#!/usr/bin/env bash
# The time rule's subtraction (source_rows_since_horizon) counts what the
# run found later than its horizon up to the present of its count, the
# clock when it counts, just before its read (_pg_intent_classifier_count_plan()).
# It counted up to now(), its transaction's start: a row committed after
# that start and before the read, dated by its own transaction's start
# (DEFAULT now()), was trained on but not subtracted, and counted new after
# the run whenever another transaction was open (the horizon then lies
# before it). Two ways that happens: a train_classifier() in a transaction
# block, and retrain_classifiers(), one transaction for every classifier,
# where each row written while an earlier classifier trains is new again
# to a later one after it trained on it, at every call. The order of the
# sessions is what matters; no timing is asserted.
cd "$(dirname "$0")/../.."
source test/scripts/lib.bash
export PGOPTIONS="${PGOPTIONS:-} -c client_min_messages=warning"
DB=pgi_review80
fresh_db $DB
psql -X -q -v ON_ERROR_STOP=1 -d $DB >/dev/null <<'SQL'
SET client_min_messages = warning;
CREATE TABLE hz_raw (split text, text text, intent text);
\copy hz_raw FROM 'data/nlpjs_corpus50_es.csv' WITH (FORMAT csv, HEADER true)
CREATE TABLE hz_rows (text text, label text, at timestamptz DEFAULT now());
INSERT INTO hz_rows
SELECT text, split_part(intent, '.', 1), now() - interval '2 days'
  FROM (SELECT row_number() OVER (ORDER BY split, text, intent) AS n, text, intent FROM hz_raw WHERE intent <> 'oos') AS r
 WHERE n <= 400;
SELECT create_classifier('late', 'hz_rows', 'text', 'label',
                         '{"time_column": "at", "seed": 1, "auto_retrain_threshold": 3}');
SQL
q $DB "SELECT train_classifier('late', NULL, '{\"deploy\": \"always\"}') ->> 'status'" >/dev/null
NEW_ROWS="SELECT get_classifier_metrics('late') ->> 'new_rows'"
LAST_RUN="SELECT (metrics ->> 'input_rows') || ' ' || (metrics ->> 'source_rows_since_horizon')
            FROM ai_training_runs WHERE classifier = 'late' ORDER BY started_at DESC LIMIT 1"
expect_eq "$(q $DB "$NEW_ROWS")" 0 "(after the first run, nothing is new)"

# A transaction left open (an idle session): the horizon of every run below
# is its start.
session_open I $DB
session_run I "BEGIN; SELECT 1;" >/dev/null

# 1. train_classifier() in a transaction block: 4 rows are committed after
# the block began, then it trains on them.
session_open T $DB
session_run T "BEGIN; SELECT 1;" >/dev/null
q $DB "INSERT INTO hz_rows (text, label) SELECT text || ' tras', label FROM hz_rows ORDER BY text LIMIT 4" >/dev/null
session_run T "SELECT train_classifier('late', NULL, '{\"deploy\": \"always\"}') ->> 'status'; COMMIT;" >/dev/null
expect_eq "$(q $DB "$LAST_RUN")" "404 4" \
    "a run in a transaction block subtracts the 4 rows committed after the block began that it read (before: 0)"
expect_eq "$(q $DB "$NEW_ROWS")" 0 "so none of the rows it trained on is new after it (before: 4)"

# 2. retrain_classifiers(): a classifier tried first ('first', never
# trained) waits on a lock on its source while 5 rows are written to
# 'late''s; the call then trains 'late' on them.
psql -X -q -v ON_ERROR_STOP=1 -d $DB >/dev/null <<'SQL'
SET client_min_messages = warning;
CREATE TABLE hz_first (text text, label text, at timestamptz DEFAULT now());
INSERT INTO hz_first SELECT text, label, at FROM hz_rows ORDER BY text LIMIT 8;
SELECT create_classifier('first', 'hz_first', 'text', 'label', '{"time_column": "at", "seed": 1}');
SQL
q $DB "INSERT INTO hz_rows (text, label) SELECT text || ' antes', label FROM hz_rows ORDER BY text LIMIT 3" >/dev/null
session_open L $DB
session_run L "BEGIN; LOCK TABLE hz_first IN ACCESS EXCLUSIVE MODE;" >/dev/null
session_open R $DB
rpid=$(session_pid R)
session_send R "SELECT string_agg((c ->> 'classifier') || '=' || (c ->> 'retrained'), ' ' ORDER BY c ->> 'classifier')
                  FROM jsonb_array_elements(retrain_classifiers() -> 'classifiers') AS c;"
wait_until_waiting_on_lock $DB "$rpid"
q $DB "INSERT INTO hz_rows (text, label) SELECT text || ' durante', label FROM hz_rows ORDER BY text LIMIT 5" >/dev/null
session_run L "ROLLBACK;" >/dev/null
expect_eq "$(session_wait R)" "first=false late=true" \
    "retrain_classifiers() retrains 'late' (3 rows new before the call)"
expect_eq "$(q $DB "$LAST_RUN")" "412 12" \
    "its run read the 5 rows written during the call, and subtracts them with the 7 before it later than its horizon (before: 7)"
expect_eq "$(q $DB "$NEW_ROWS")" 0 "none of them is new after the call (before: 5)"
expect_eq "$(q $DB "SELECT c ->> 'retrained' FROM jsonb_array_elements(retrain_classifiers() -> 'classifiers') AS c
                     WHERE c ->> 'classifier' = 'late'")" false \
    "the next call does not retrain 'late' on the same rows (before: it did, at every call while rows came during it)"

# 3. The rows committed after the run are still new, and the present still
# bounds the count: a row dated ahead is not new yet.
q $DB "INSERT INTO hz_rows (text, label) SELECT text || ' luego', label FROM hz_rows ORDER BY text LIMIT 3" >/dev/null
q $DB "INSERT INTO hz_rows (text, label, at) SELECT text || ' futuro', label, now() + interval '1 day' FROM hz_rows ORDER BY text LIMIT 2" >/dev/null
expect_eq "$(q $DB "$NEW_ROWS")" 3 "the 3 rows written after the run are new, the 2 dated tomorrow not yet"

# 4. What the run subtracts was counted by only_reviewed's rule then: with
# the rule changed, it is not subtracted (before: 10 unreviewed rows the
# run found hid 6 new reviewed rows from the count under only_reviewed).
psql -X -q -v ON_ERROR_STOP=1 -d $DB >/dev/null <<'SQL'
SET client_min_messages = warning;
CREATE TABLE hz_vetted (text text, label text, ok boolean NOT NULL DEFAULT true, at timestamptz DEFAULT now());
INSERT INTO hz_vetted (text, label, at) SELECT text, label, at FROM hz_rows WHERE at < now() - interval '1 day';
SELECT create_classifier('vetted', 'hz_vetted', 'text', 'label',
                         '{"time_column": "at", "reviewed_column": "ok", "seed": 1, "auto_retrain_threshold": 3}');
SQL
q $DB "INSERT INTO hz_vetted (text, label, ok) SELECT text || ' sin revisar', label, false FROM hz_vetted ORDER BY text LIMIT 10" >/dev/null
q $DB "SELECT train_classifier('vetted', NULL, '{\"deploy\": \"always\"}') ->> 'status'" >/dev/null
expect_eq "$(q $DB "SELECT (metrics ->> 'source_rows_since_horizon') || ' ' || (metrics ->> 'source_rows_only_reviewed')
                     FROM ai_training_runs WHERE classifier = 'vetted' ORDER BY started_at DESC LIMIT 1")" "10 false" \
    "the run found 10 rows later than its horizon, every row counted (only_reviewed off)"
q $DB "SELECT alter_classifier('vetted', '{\"only_reviewed\": true}') IS NOT NULL" >/dev/null
q $DB "INSERT INTO hz_vetted (text, label) SELECT text || ' revisada', label FROM hz_vetted WHERE ok ORDER BY text LIMIT 6" >/dev/null
expect_eq "$(q $DB "SELECT get_classifier_metrics('vetted') ->> 'new_rows'")" 6 \
    "under only_reviewed, the 6 new reviewed rows are new (before: 0, less the 10 counted by the other rule)"
expect_eq "$(q $DB "SELECT c ->> 'retrained' FROM jsonb_array_elements(retrain_classifiers() -> 'classifiers') AS c
                     WHERE c ->> 'classifier' = 'vetted'")" true \
    "retrain_classifiers() retrains for them (before: retrain_few_new_rows)"
session_run I "COMMIT;" >/dev/null
session_close I
session_close T
session_close L
session_close R
drop_db $DB
