#!/usr/bin/env bash
# pg_cancel_backend() and statement_timeout stop a long training run inside
# the C++ trainer: the caller gets 57014, the run row is rolled back, the
# previous model stays active and the backend stays healthy. The same holds
# for a prediction on a very long message, stopped inside the vectoriser,
# and for evaluate_intent_model() and _pg_intent_fold() on one.
cd "$(dirname "$0")/../.."
source test/scripts/lib.bash
DB=pgi_cancel_test
fresh_db $DB
load_ecommerce $DB
first=$(q $DB "SELECT (train_intent_model('first')->>'model_id')")
# Enough rows that training takes seconds: 336 texts x 150 variants.
q $DB "INSERT INTO ai_training_data (user_message, detected_intent, confidence_score, source)
       SELECT text || ' ref ' || g || ' ' || md5(text || g), intent, 90, 'synthetic'
       FROM demo_rows, generate_series(1, 150) g WHERE split = 'train'" >/dev/null
runs_before=$(q $DB "SELECT count(*) FROM ai_training_runs")

# 1. statement_timeout
out=$(psql -X -At -d $DB 2>&1 <<'SQL'
\set VERBOSITY sqlstate
SET statement_timeout = '1500ms';
SELECT train_intent_model('timed out', 'full', '{"C": 10, "tolerance": 0.001}');
SQL
)
expect_eq "$(grep -c '57014' <<<"$out")" "1" "statement_timeout cancels training with 57014"

# 2. pg_cancel_backend from another session, once the trainer is running
psql -X -At -d $DB -c "SET application_name = 'pgi_cancel_me'" \
    -c "SELECT train_intent_model('cancelled', 'full', '{\"C\": 10, \"tolerance\": 0.001}')" \
    >"$TEST_TMP/cancel.out" 2>&1 &
bg=$!
wait_until_training pgi_cancel_me >/dev/null
q postgres "SELECT pg_cancel_backend(pid) FROM pg_stat_activity WHERE application_name = 'pgi_cancel_me'" >/dev/null
start=$(date +%s%N)
wait $bg || true
elapsed_ms=$((($(date +%s%N) - start) / 1000000))
expect_eq "$(grep -c 'canceling statement due to user request' "$TEST_TMP/cancel.out")" "1" "pg_cancel_backend cancels training"
echo "training stopped ${elapsed_ms} ms after the cancel request"

expect_eq "$(q $DB "SELECT count(*) FROM ai_training_runs")" "$runs_before" "cancelled runs were rolled back"
expect_eq "$(q $DB "SELECT id FROM ai_intent_models WHERE is_active")" "$first" "the previous model stays active"
expect_eq "$(q $DB "SELECT classify_intent('quiero devolver un producto')")" "return_process" "prediction still works"
# 3. A role may raise pg_intent.max_message_bytes; reading a message of a
# few hundred megabytes then takes seconds, and statement_timeout must stop
# the call inside the vectoriser (the CONTEXT line says it did, and how far
# it read), not after it finished.
q $DB "CREATE TABLE huge AS SELECT repeat('quiero devolver el pedido roto ', 10000000) AS m" >/dev/null
expect_eq "$(PGOPTIONS='-c pg_intent.max_message_bytes=1000MB' q $DB "SELECT predicted_intent FROM huge, predict_intent(m)")" \
    "return_process" "the long message predicts when nothing cancels it"
# SELECT $2 on the long message under a statement_timeout of $1 ms; prints
# psql's output, errors with their context included.
select_with_timeout() { # timeout_ms select-list
    psql -X -At -d $DB 2>&1 <<SQL
SET pg_intent.max_message_bytes = '1000MB';
SET statement_timeout = '${1}ms';
\set VERBOSITY verbose
SELECT $2;
SQL
}

# 4. The same for every call that reads a whole message: predict_intent()
# and classify_intent(), evaluate_intent_model() (its rows are vectorised
# like predict_intent()'s) and _pg_intent_fold() (the normaliser behind
# score_feedback_message()). Before their fixes each ran the long message to
# its end in one uninterruptible call, so the timeout was only noticed
# afterwards.
declare -A stopped_by=(
    ["p.predicted_intent FROM huge, predict_intent(m) p"]="prediction"
    ["classify_intent(m) FROM huge"]="prediction"
    ["evaluate_intent_model(NULL, 'SELECT m, ''return_process''::text FROM huge') ->> 'accuracy'"]="prediction"
    ["length(intent_internal._pg_intent_fold(m)) FROM huge"]="text folding"
)
# The timeout fires at a third of the call's uncancelled time: within the
# reading or the folding of the message, and the function's first poll then
# notices it (its work ends well after that point). On a busy machine a
# timeout can still fire late, or a call can run faster than it did when
# measured (the first read of the message warms its pages), so each case is
# measured again before each of three tries; the code before the fix noticed
# the timeout only after the whole message, so no try could pass there.
elapsed_ms() { # sql
    local start
    start=$(date +%s%N)
    PGOPTIONS='-c pg_intent.max_message_bytes=1000MB' q $DB "$1" >/dev/null
    echo $((($(date +%s%N) - start) / 1000000))
}
for fn in "${!stopped_by[@]}"; do
    result=$(PGOPTIONS='-c pg_intent.max_message_bytes=1000MB' q $DB "SELECT $fn")
    inside=0
    for try in 1 2 3; do
        all_ms=$(elapsed_ms "SELECT $fn")
        timeout_ms=$((all_ms / 3))
        echo "SELECT $fn: $result in $all_ms ms; try $try, statement_timeout: $timeout_ms ms"
        out=$(select_with_timeout "$timeout_ms" "$fn")
        inside=$(grep -c "^CONTEXT:  pg_intent: ${stopped_by[$fn]} cancelled (Stopped after reading [0-9]* of 310000000 bytes" <<<"$out" || true)
        if [ "$inside" = 1 ]; then break; fi
    done
    expect_eq "$(grep -c '^ERROR:  57014' <<<"$out")" 1 "statement_timeout cancels SELECT $fn"
    expect_eq "$inside" 1 "SELECT $fn noticed the timeout inside the message"
    expect_eq "$(PGOPTIONS='-c pg_intent.max_message_bytes=1000MB' q $DB "SELECT $fn")" "$result" "SELECT $fn works after the cancel"
done

# 5. The HTML report's renderer, which any role granted the report set may
# call with a document of its own: parsing one of 100,000 intents took tens
# of seconds, and ran to its end whatever the timeout (a 4000 x 4000
# confusion matrix also took 10 s and 1.4 GB). Now the parse and the render
# poll: the timeout stops them inside (the CONTEXT says so). Since the parse
# takes constant time per key, the document is 700,000 intents (12 MB of
# JSON text, under the 16 MB bound), about 2-3.5 s of work. Before the
# parse, the 12 MB document is read from its table and written as text
# (PostgreSQL's own work, where a timeout is PostgreSQL's to notice): the
# timeout fires halfway between that reading and the whole call, each
# measured again before each of three tries (a fixed 1 s fired within the
# reading on a busy machine).
q $DB "CREATE ROLE pgi_cancel_report; SELECT count(*) FROM grant_intent_access('pgi_cancel_report', 'report');
       CREATE TABLE big_report AS
       SELECT jsonb_build_object('run', jsonb_build_object('status', 'completed', 'id', 'x'),
              'report', jsonb_build_object('evaluation', '{}'::jsonb, 'metrics', jsonb_build_object('per_intent',
                  (SELECT jsonb_object_agg('l' || g, 'x') FROM generate_series(1, 700000) AS g)))) AS doc;
       GRANT SELECT ON big_report TO pgi_cancel_report" >/dev/null
render_ms=$(elapsed_ms "SET ROLE pgi_cancel_report; SELECT length(intent_internal._pg_intent_render_report_html(doc, 'en')) FROM big_report")
for try in 1 2 3; do
    read_ms=$(elapsed_ms "SELECT length(doc::text) FROM big_report")
    all_ms=$(elapsed_ms "SET ROLE pgi_cancel_report; SELECT length(intent_internal._pg_intent_render_report_html(doc, 'en')) FROM big_report")
    timeout_ms=$(((read_ms + all_ms) / 2))
    echo "rendering the hand-made document: $all_ms ms (reading it: $read_ms ms; first call $render_ms ms); try $try, statement_timeout: $timeout_ms ms"
    out=$(psql -X -d $DB 2>&1 <<SQL || true
\set VERBOSITY sqlstate
SET ROLE pgi_cancel_report;
SET statement_timeout = '${timeout_ms}ms';
\set VERBOSITY default
SELECT length(intent_internal._pg_intent_render_report_html(doc, 'en')) FROM big_report;
SQL
)
    if [ "$(grep -c '^CONTEXT:  pg_intent: cancelled' <<<"$out")" = 1 ]; then break; fi
done
expect_eq "$(grep -c 'canceling statement due to statement timeout' <<<"$out")" 1 "statement_timeout cancels rendering a hand-made report document"
expect_eq "$(grep -c '^CONTEXT:  pg_intent: cancelled' <<<"$out")" 1 "the renderer noticed the timeout while parsing or rendering the document"
q $DB "DROP TABLE big_report; DROP OWNED BY pgi_cancel_report; DROP ROLE pgi_cancel_report" >/dev/null

psql -X -q -d postgres -c "DROP DATABASE $DB WITH (FORCE)"
