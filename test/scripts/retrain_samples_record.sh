#!/usr/bin/env bash
# retrain_classifiers() records each classifier's count of the rows that
# could train (ai_classifier_retrain_checks), from which
# ai_classifier_alerts raises training_samples; a failure of that write is
# contained (it is bookkeeping: it costs neither the call nor the
# classifier's entry) but was silent: the view went on showing the previous
# count, with nothing to say it was stale. Now the call says so, a WARNING
# with the error's SQLSTATE. The write is made to fail here the way an
# operator's open transaction makes it fail: a row lock held on the table
# past the call's lock_timeout.
cd "$(dirname "$0")/../.."
source test/scripts/lib.bash
DB=pgi_samples_record
fresh_db $DB
psql -X -q -v ON_ERROR_STOP=1 -d $DB >/dev/null <<'SQL'
SET client_min_messages = warning;
CREATE TABLE sr_raw (split text, text text, intent text);
\copy sr_raw FROM 'data/nlpjs_corpus50_es.csv' WITH (FORMAT csv, HEADER true)
CREATE TABLE sr_shop (id bigint PRIMARY KEY, body text NOT NULL, label text NOT NULL);
INSERT INTO sr_shop SELECT n, text, CASE WHEN n % 2 = 0 THEN 'par' ELSE 'impar' END
  FROM (SELECT row_number() OVER (ORDER BY split, text, intent) AS n, text FROM sr_raw WHERE intent <> 'oos') AS t
 WHERE n <= 8;
-- min_samples_for_training is 20: never trained, only counted
SELECT create_classifier('shop', 'sr_shop', 'body', 'label', '{"key_column": "id", "seed": 1}');
SQL
SCHEDULED="SELECT c ->> 'reason' FROM jsonb_array_elements(retrain_classifiers() -> 'classifiers') AS c;"
q $DB "$SCHEDULED" >/dev/null
expect_eq "$(q $DB "SELECT value FROM ai_classifier_alerts WHERE metric = 'training_samples'")" 8 \
    "the first scheduled count is recorded: 8 samples"
q $DB "INSERT INTO sr_shop SELECT id + 100, body, label FROM sr_shop WHERE id <= 4" >/dev/null

# An operator's transaction holds the classifier's row of the table.
session_open H $DB
session_run H "BEGIN; SELECT samples FROM ai_classifier_retrain_checks FOR UPDATE;" >/dev/null
out=$(psql -X -At -q -d $DB -c "SET lock_timeout = '200ms'" -c "\\set VERBOSITY verbose" -c "$SCHEDULED" 2>&1)
expect_eq "$(grep -c '^ERROR' <<<"$out" || true)" 0 "the call itself succeeds (the write is bookkeeping)"
expect_eq "$(grep '^WARNING' <<<"$out" | head -n 1)" \
    'WARNING:  55P03: the rows of classifier "shop" that could train were counted, but the count could not be recorded: canceling statement due to lock timeout' \
    "the failed write is reported, with its SQLSTATE (before: nothing at all)"
session_run H "ROLLBACK;" >/dev/null
session_close H
# What the warning warns of: the view still shows the previous count.
expect_eq "$(q $DB "SELECT value FROM ai_classifier_alerts WHERE metric = 'training_samples'")" 8 \
    "(the view keeps the previous figure, as the warning's hint says)"
q $DB "$SCHEDULED" >/dev/null
expect_eq "$(q $DB "SELECT value FROM ai_classifier_alerts WHERE metric = 'training_samples'")" 12 \
    "the next call records the count: 12 samples"
drop_db $DB
