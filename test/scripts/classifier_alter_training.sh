#!/usr/bin/env bash
# alter_classifier() changing a classifier's source while a training of it
# runs (fault sweep of 0.3.2). A run records the keys of the rows it read;
# alter_classifier() marks the runs made before a new source
# (metrics.keys_source), so that the gate's fresh rows and the review queue
# no longer read their keys as the new source's (_pg_intent_run_keys_current()).
# Before the fix the training's runs escaped the mark:
#  a. the training holds the row FOR KEY SHARE, which FOR NO KEY UPDATE does
#     not wait for: alter_classifier() committed at once, its mark missed the
#     runs still uncommitted, and once the training committed, its run's keys
#     (src_a's ids) read as src_b's;
#  b. an alter_classifier() committed while the training read the old source
#     (before it held the row): the runs trained and deployed the old
#     source's rows under the new source, unmarked.
# Now a change of the source (or a column) waits for the training, and then
# marks its runs; a training whose classifier changed while it read fails
# with 40001 (retry: the next call reads the new source). A policy key alone
# still does not wait.
# Sessions are ordered by locks seen in pg_stat_activity, never by sleeping.
cd "$(dirname "$0")/../.."
source test/scripts/lib.bash
DB=pgi_alter_training
fresh_db $DB
trap 'drop_db $DB; rm -rf "$TEST_TMP"' EXIT
psql -X -q -v ON_ERROR_STOP=1 -d $DB <<'SQL' >/dev/null
CREATE TABLE demo_rows (split text, text text, intent text);
\copy demo_rows FROM 'data/ecommerce_es.csv' WITH (FORMAT csv, HEADER true)
CREATE TABLE src_a AS SELECT row_number() OVER () AS id, text AS body, intent AS label FROM demo_rows WHERE split = 'train';
CREATE TABLE src_b AS SELECT id, 'otro ' || body AS body, label FROM src_a;
SELECT create_classifier('c', 'src_a', 'body', 'label', '{"key_column": "id", "seed": 1}') IS NOT NULL;
SQL
run() { PGOPTIONS="-c client_min_messages=warning" psql -X -At -q -d $DB "$@" 2>&1 || true; }
# Whether each run's keys still name rows of the classifier's source.
keys_current() {
    q $DB "SELECT string_agg(r.run_name || ':' || intent_internal._pg_intent_run_keys_current(r.id)::text, ' ' ORDER BY r.started_at)
             FROM ai_training_runs AS r WHERE r.classifier = 'c'"
}

session_open trainer $DB
session_open alterer $DB
alterer_pid=$(session_pid alterer)

# a. The training commits after the alter began.
expect_eq "$(session_run trainer "BEGIN; SELECT t ->> 'status', t ->> 'deployed' FROM train_classifier('c', 'a_run') AS t;")" \
    "completed|true" "a. the training is done, its transaction open"
expect_eq "$(run -c "SET lock_timeout = '20s'" -c "SELECT alter_classifier('c', '{\"min_samples_for_training\": 5}') ->> 'name'")" \
    c "a. a policy key alone does not wait for the training"
session_send alterer "SELECT alter_classifier('c', '{\"source\": \"src_b\"}') ->> 'source';"
wait_until_waiting_on_lock $DB "$alterer_pid"
session_run trainer "COMMIT;" >/dev/null
expect_eq "$(session_wait alterer)" "public.src_b" "a. then the alter"
expect_eq "$(keys_current)" "a_run:false" "a. the run's keys are src_a's, not src_b's"

# b. The alter commits while the training reads its source: src_b is
# locked, so the training waits in its read (after its definition was read).
run -c "SELECT alter_classifier('c', '{\"source\": \"src_a\"}') IS NOT NULL" >/dev/null
session_run alterer "BEGIN; LOCK TABLE src_a IN ACCESS EXCLUSIVE MODE;" >/dev/null
trainer_pid=$(session_pid trainer)
session_send trainer "SELECT t ->> 'status' FROM train_classifier('c', 'b_run') AS t;"
wait_until_waiting_on_lock $DB "$trainer_pid"
expect_eq "$(run -c "SET lock_timeout = '20s'" -c "SELECT alter_classifier('c', '{\"source\": \"src_b\"}') ->> 'source'")" \
    "public.src_b" "b. the source changes while the training reads the old one"
session_run alterer "COMMIT;" >/dev/null
result=$(session_wait trainer)
grep -q '^ERROR:  classifier "c" changed while its source was read$' <<<"$result" ||
    { echo "FAILED: b. the training did not fail as changed: $result"; exit 1; }
expect_eq "$(q $DB "SELECT count(*) FROM ai_training_runs WHERE run_name = 'b_run'")" 0 "b. nothing of the old source is recorded"
expect_eq "$(run -c "SELECT t ->> 'status' FROM train_classifier('c', 'b_retry') AS t")" completed "b. a retry trains"
expect_eq "$(keys_current)" "a_run:false b_retry:true" "b. the retry's keys are src_b's"
expect_eq "$(q $DB "SELECT count(*) FROM ai_intent_models WHERE classifier = 'c' AND is_active")" 1 "one active model"
session_close trainer
session_close alterer
echo "classifier_alter_training: ok"
