#!/usr/bin/env bash
# Prediction called from where users put it, and re-entry.
#
# a. A BEFORE INSERT trigger on a user's table that calls predict_intent()
#    and a named classifier's predict_label(), fed by COPY FROM STDIN and by
#    INSERT ... SELECT of many rows: every row gets what a direct call gives,
#    the backend's private memory (RssAnon, sampled from /proc while the
#    statement runs) does not grow with the row count, and a cancel and a
#    statement_timeout end the COPY (57014) with nothing inserted.
# b. Re-entry: a classifier whose source is a view that calls that same
#    classifier's prediction (and predict_intent()), trained by
#    train_classifier() and by retrain_classifiers(); the view's code writing
#    to ai_training_data (record_interaction()) while the training reads,
#    with a user's trigger there that predicts; deploys and rollbacks, of the
#    built-in classifier and of a named one, from a volatile function in the
#    middle of a statement that predicts row by row, with a store of models
#    that keeps one (the model in use is evicted): no crash, each row answered
#    by the model active when it was predicted.
# c. Parallel query (force_parallel_mode / debug_parallel_query): a parallel
#    seq scan calling the prediction and explain functions answers as the
#    serial plan does, and every function that predicts, explains or reads the
#    model store has a PARALLEL label that fits what it does.
#
# Nothing here asserts a timing. Row counts: PGI_REENTRY_ROWS (default 100000).
cd "$(dirname "$0")/../.."
source test/scripts/lib.bash
start_own_cluster main
DB=pgi_predict_reentry
export PGOPTIONS="${PGOPTIONS:-} -c client_min_messages=warning"
ROWS=${PGI_REENTRY_ROWS:-100000}
fresh_db $DB
load_ecommerce $DB
major=$(q $DB "SELECT current_setting('server_version_num')::int / 10000")
if [ "$major" -ge 16 ]; then force_parallel=debug_parallel_query; else force_parallel=force_parallel_mode; fi

psql -X -q -v ON_ERROR_STOP=1 -d $DB <<'SQL' >/dev/null
SET client_min_messages = warning;
SELECT train_intent_model('first', 'full', '{"deploy": "always", "algorithm": "logistic_regression"}');
SELECT train_intent_model('second', 'full', '{"deploy": "always", "algorithm": "linear_svm"}');
-- A named classifier over a user's table.
CREATE TABLE tickets (id bigint PRIMARY KEY, body text NOT NULL, label text);
INSERT INTO tickets SELECT row_number() OVER (), text, intent FROM demo_rows WHERE split = 'train';
SELECT create_classifier('tickets', 'tickets', 'body', 'label');
SELECT train_classifier('tickets', 'first', '{"deploy": "always", "algorithm": "logistic_regression"}');
SELECT train_classifier('tickets', 'second', '{"deploy": "always", "algorithm": "linear_svm"}');
-- The messages a support team classifies on insert.
CREATE TABLE messages (id bigint, body text, intent text, confidence float8, intent_model bigint,
                       label text, label_model bigint);
CREATE FUNCTION classify_message() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    p intent_prediction;
    l label_prediction;
BEGIN
    p := predict_intent(NEW.body);
    l := predict_label('tickets', NEW.body);
    NEW.intent := p.predicted_intent;
    NEW.confidence := p.confidence;
    NEW.intent_model := p.model_id;
    NEW.label := l.label;
    NEW.label_model := l.model_id;
    RETURN NEW;
END $$;
CREATE TRIGGER messages_classify BEFORE INSERT ON messages FOR EACH ROW EXECUTE FUNCTION classify_message();
-- Bodies: the held-out texts, each with one of 13 endings.
CREATE TABLE bodies AS
SELECT row_number() OVER () - 1 AS k, d.text || e.ending AS body
  FROM demo_rows AS d
 CROSS JOIN (VALUES (''), (' por favor'), (' gracias'), (' urgente'), (' hoy'), (' ya'), (' ahora'),
                    (' ayuda'), (' hola'), (' pedido'), (' 123'), (' ??'), (' envio')) AS e(ending)
 WHERE d.split = 'test';
CREATE UNIQUE INDEX ON bodies (k);
ANALYZE bodies;
SQL
nbodies=$(q $DB "SELECT count(*) FROM bodies")
echo "$nbodies distinct bodies, $ROWS rows per load, PostgreSQL $major"

# What a direct call gives each body: the reference.
q $DB "CREATE TABLE direct AS
       SELECT b.body, (p).predicted_intent AS intent, (p).confidence, (p).model_id AS intent_model, (l).label, (l).model_id AS label_model
         FROM (SELECT body, predict_intent(body) AS p, predict_label('tickets', body) AS l FROM bodies) AS b" >/dev/null
q $DB "\\copy (SELECT g, (SELECT body FROM bodies WHERE k = g % $nbodies) FROM generate_series(1, $ROWS) AS g) TO '$TEST_TMP/messages.tsv'"

# Rows that differ from the direct call, over the distinct bodies loaded.
mismatches() {
    q $DB "SELECT count(*) FROM (SELECT DISTINCT body, intent, confidence, intent_model, label, label_model FROM messages) AS m
            WHERE NOT EXISTS (SELECT 1 FROM direct AS d
                               WHERE (d.body, d.intent, d.confidence, d.intent_model, d.label, d.label_model)
                                     IS NOT DISTINCT FROM (m.body, m.intent, m.confidence, m.intent_model, m.label, m.label_model))"
}

# The peak of the backend's private memory (RssAnon: heap and anonymous
# mappings, never the shared buffers it touches) while its statement runs.
rss_anon() { awk '/^RssAnon/ {print $2}' "/proc/$1/status" 2>/dev/null || echo 0; }
sample_start() { # pid
    rm -f "$TEST_TMP/sample.stop" "$TEST_TMP/sample.peak"
    (
        peak=0
        while [ ! -e "$TEST_TMP/sample.stop" ]; do
            v=$(rss_anon "$1")
            [ "${v:-0}" -gt "$peak" ] && peak=$v
            sleep 0.02
        done
        echo "$peak" >"$TEST_TMP/sample.peak"
    ) &
    SAMPLER=$!
}
sample_stop() {
    touch "$TEST_TMP/sample.stop"
    wait "$SAMPLER"
    PEAK=$(cat "$TEST_TMP/sample.peak")
}
# A statement's output must hold no error (session_wait prints its own
# marker for an empty output).
expect_no_error() {
    if grep -q "ERROR" <<<"$1"; then
        echo "FAILED: $2: $1" >&2
        exit 1
    fi
    echo "ok: $2"
}

# --- a. COPY and INSERT ... SELECT through the trigger ----------------------
# The same loads into a table whose trigger does not predict are the
# baseline: what PostgreSQL's executor itself takes for them (an
# INSERT ... SELECT of 100,000 rows takes about 28 MB of it on PostgreSQL
# 15 and 4 MB on 17, prediction or not).
psql -X -q -v ON_ERROR_STOP=1 -d $DB <<'SQL' >/dev/null
CREATE TABLE messages_plain (LIKE messages);
CREATE FUNCTION plain_message() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    NEW.intent := left(NEW.body, 5);
    NEW.label := right(NEW.body, 5);
    RETURN NEW;
END $$;
CREATE TRIGGER messages_plain BEFORE INSERT ON messages_plain FOR EACH ROW EXECUTE FUNCTION plain_message();
SQL
copy_into() { echo "\\copy $1 (id, body) FROM '$TEST_TMP/messages.tsv' WITH (FORMAT text)"; }
insert_into() { echo "INSERT INTO $1 (id, body) SELECT g, (SELECT body FROM bodies WHERE k = g % $nbodies) FROM generate_series(1, $2) AS g;"; }
# measure SESSION TABLE STATEMENT: in a new session, warmed by 2,000 rows
# into TABLE (the models loaded, the trigger's plans cached), the growth of
# the private memory while STATEMENT runs, in GROWTH (kB); its output in OUT.
measure() {
    session_open "$1" $DB
    local pid
    pid=$(session_pid "$1")
    session_run "$1" "$(insert_into "$2" 2000) TRUNCATE $2;" >/dev/null
    local before
    before=$(rss_anon "$pid")
    sample_start "$pid"
    OUT=$(session_run "$1" "$3")
    sample_stop
    GROWTH=$((PEAK - before))
    session_close "$1"
}
measure P1 messages_plain "$(copy_into messages_plain)"
plain_copy=$GROWTH
measure P2 messages_plain "$(insert_into messages_plain "$ROWS")"
plain_insert=$GROWTH
# \copy sends the file with COPY FROM STDIN (CopyData messages).
measure C1 messages "$(copy_into messages)"
copy_growth=$GROWTH
expect_no_error "$OUT" "COPY through the trigger"
expect_eq "$(q $DB "SELECT count(*) FROM messages")" "$ROWS" "COPY: every row inserted"
expect_eq "$(q $DB "SELECT count(*) FROM messages WHERE intent IS NULL OR label IS NULL")" "0" "COPY: every row classified"
expect_eq "$(mismatches)" "0" "COPY: each row as a direct call answers"
q $DB "TRUNCATE messages" >/dev/null
measure C2 messages "$(insert_into messages "$ROWS")"
insert_growth=$GROWTH
expect_no_error "$OUT" "INSERT ... SELECT through the trigger"
expect_eq "$(q $DB "SELECT count(*) FROM messages WHERE intent IS NOT NULL AND label IS NOT NULL")" "$ROWS" "INSERT ... SELECT: every row classified"
expect_eq "$(mismatches)" "0" "INSERT ... SELECT: each row as a direct call answers"
echo "private memory (RssAnon) growth over $ROWS rows, predicting / not: COPY $copy_growth / $plain_copy kB, INSERT ... SELECT $insert_growth / $plain_insert kB"
# Bounded: predicting takes at most 8 MB more than not predicting (the
# models were loaded by the warm-up); 100 bytes a row kept would be 10 MB.
[ $((copy_growth - plain_copy)) -lt 8192 ] || { echo "FAILED: COPY's private memory grew by $copy_growth kB, $plain_copy kB without prediction" >&2; exit 1; }
[ $((insert_growth - plain_insert)) -lt 8192 ] || { echo "FAILED: INSERT ... SELECT's private memory grew by $insert_growth kB, $plain_insert kB without prediction" >&2; exit 1; }
echo "ok: private memory bounded"
session_open C $DB
pid_c=$(session_pid C)
session_run C "$(insert_into messages 2000) TRUNCATE messages;" >/dev/null
ctx=$(session_run C "SELECT sum(total_bytes) FROM pg_backend_memory_contexts;")
session_run C "$(copy_into messages)" >/dev/null
ctx_after=$(session_run C "SELECT sum(total_bytes) FROM pg_backend_memory_contexts;")
echo "memory contexts: $ctx bytes before a COPY, $ctx_after after"
[ $((ctx_after - ctx)) -lt 1048576 ] || { echo "FAILED: a COPY left $((ctx_after - ctx)) bytes in memory contexts" >&2; exit 1; }
echo "ok: memory contexts as before"

# Cancel and statement_timeout mid-COPY: the trigger, at row 5000, waits on
# an advisory lock a second session holds, after 4999 rows predicted; the
# wait is PostgreSQL's, so the cancel must be honoured unless a prediction
# left interrupts held off.
psql -X -q -v ON_ERROR_STOP=1 -d $DB <<'SQL' >/dev/null
CREATE FUNCTION wait_at_5000() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF NEW.id = 5000 THEN PERFORM pg_advisory_xact_lock(4711); END IF;
    RETURN NEW;
END $$;
CREATE TRIGGER messages_wait BEFORE INSERT ON messages FOR EACH ROW EXECUTE FUNCTION wait_at_5000();
SQL
session_run C "TRUNCATE messages;" >/dev/null
session_open L $DB
session_run L "BEGIN; SELECT pg_advisory_xact_lock(4711);" >/dev/null
session_run C "\\set VERBOSITY verbose" >/dev/null
session_send C "\\copy messages (id, body) FROM '$TEST_TMP/messages.tsv' WITH (FORMAT text)"
wait_until_waiting_on_lock $DB "$pid_c"
expect_eq "$(q $DB "SELECT pg_cancel_backend($pid_c)")" "t" "cancel sent mid-COPY"
out=$(session_wait C)
grep -q "57014" <<<"$out" || { echo "FAILED: cancel mid-COPY: $out" >&2; exit 1; }
echo "ok: cancel mid-COPY raises 57014"
session_send C "SET statement_timeout = '1s';"
session_send C "\\copy messages (id, body) FROM '$TEST_TMP/messages.tsv' WITH (FORMAT text)"
out=$(session_wait C)
grep -q "57014.*statement timeout" <<<"$out" || { echo "FAILED: statement_timeout mid-COPY: $out" >&2; exit 1; }
echo "ok: statement_timeout mid-COPY raises 57014"
session_run L "COMMIT;" >/dev/null
session_close L
session_run C "RESET statement_timeout;" >/dev/null
expect_eq "$(q $DB "SELECT count(*) FROM messages")" "0" "nothing inserted by the interrupted COPYs"
q $DB "DROP TRIGGER messages_wait ON messages" >/dev/null
# The session goes on predicting after the interrupts.
expect_eq "$(session_run C "SELECT (predict_intent(body)).predicted_intent = d.intent AND (predict_label('tickets', body)).label = d.label FROM direct AS d LIMIT 1;")" \
    "t" "the interrupted session predicts as before"
session_close C

# --- b. Re-entry ------------------------------------------------------------
# A classifier whose source is a view calling that classifier's own
# prediction and predict_intent() on every row it reads (the function's
# result decides the label column, so the planner cannot skip it). Before
# its first model, its own prediction raises 55000, which the view's
# function catches.
psql -X -q -v ON_ERROR_STOP=1 -d $DB <<'SQL' >/dev/null
CREATE TABLE selfref_rows (id bigint PRIMARY KEY, body text NOT NULL, label text);
INSERT INTO selfref_rows SELECT id, body, label FROM tickets;
CREATE TABLE selfref_seen (n serial, what text);
CREATE FUNCTION selfref_label(p_body text, p_label text) RETURNS text LANGUAGE plpgsql STABLE AS $$
DECLARE
    own text;
BEGIN
    BEGIN
        own := (public.predict_label('selfref', p_body)).label;
    EXCEPTION WHEN object_not_in_prerequisite_state THEN
        own := NULL;
    END;
    IF (public.predict_intent(p_body)).predicted_intent IS NULL AND own IS NULL THEN
        RETURN NULL;
    END IF;
    RETURN p_label;
END $$;
CREATE VIEW selfref_source AS SELECT id, body, selfref_label(body, label) AS label FROM selfref_rows;
SELECT create_classifier('selfref', 'selfref_source', 'body', 'label',
                         '{"key_column": "id", "auto_retrain_threshold": 1, "min_samples_for_training": 10}');
SQL
out=$(q $DB "SELECT train_classifier('selfref', 'self 1', '{\"deploy\": \"always\"}')->>'deployed'" 2>&1 || true)
expect_eq "$out" "true" "train_classifier() of a view calling its own prediction (no model yet)"
out=$(q $DB "SELECT train_classifier('selfref', 'self 2', '{\"deploy\": \"always\", \"algorithm\": \"linear_svm\"}')->>'deployed'" 2>&1 || true)
expect_eq "$out" "true" "train_classifier() of a view calling its own deployed model"
q $DB "INSERT INTO selfref_rows SELECT id + 100000, body || ' otra vez', label FROM tickets" >/dev/null
out=$(q $DB "SELECT e->>'retrained' || coalesce(' ' || (e->>'error'), '')
               FROM jsonb_array_elements(retrain_classifiers()->'classifiers') AS e WHERE e->>'classifier' = 'selfref'" 2>&1 || true)
expect_eq "$out" "true" "retrain_classifiers() of a view calling its own deployed model"
expect_eq "$(q $DB "SELECT (predict_label('selfref', body)).label IS NOT NULL FROM tickets LIMIT 1")" "t" "selfref predicts"

# The view's code writes to ai_training_data while the training reads
# (record_interaction(), once per read), where a user's trigger predicts.
# Each place either works or refuses with a SQLSTATE; the backend lives.
psql -X -q -v ON_ERROR_STOP=1 -d $DB <<'SQL' >/dev/null
CREATE TABLE interaction_log (id uuid, intent text, label text);
CREATE FUNCTION log_interaction() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO public.interaction_log
    VALUES (NEW.id, (public.predict_intent(NEW.user_message)).predicted_intent, (public.predict_label('tickets', NEW.user_message)).label);
    RETURN NEW;
END $$;
CREATE TRIGGER ai_training_data_log AFTER INSERT ON ai_training_data FOR EACH ROW EXECUTE FUNCTION log_interaction();
CREATE TABLE writer_rows (id bigint PRIMARY KEY, body text NOT NULL, label text);
INSERT INTO writer_rows SELECT id, body, label FROM tickets;
CREATE FUNCTION writer_label(p_id bigint, p_body text, p_label text) RETURNS text LANGUAGE plpgsql VOLATILE AS $$
BEGIN
    IF p_id = 1 THEN
        PERFORM public.record_interaction(p_body, NULL, 50);
    END IF;
    RETURN p_label;
END $$;
CREATE VIEW writer_source AS SELECT id, body, writer_label(id, body, label) AS label FROM writer_rows;
SELECT create_classifier('writer', 'writer_source', 'body', 'label', '{"key_column": "id"}');
SQL
out=$(psql -X -At -d $DB -v VERBOSITY=verbose -c "\\set VERBOSITY verbose" -c "SELECT train_classifier('writer', 'w', '{\"deploy\": \"always\"}')->>'deployed'" 2>&1 || true)
echo "train_classifier() of a source that records an interaction: $(head -2 <<<"$out" | tr '\n' ' ')"
grep -qE '^true$|ERROR:  [0-9A-Z]{5}:' <<<"$out" || { echo "FAILED: neither trained nor refused with a SQLSTATE: $out" >&2; exit 1; }
expect_eq "$(q $DB "SELECT 1")" "1" "the server is up after a source that writes"
# Concurrently: a session records interactions (the trigger predicting) while
# another trains the built-in classifier from ai_training_data.
session_open T $DB
session_send T "SELECT train_intent_model('concurrent', 'full', '{\"deploy\": \"never\"}') IS NOT NULL;"
for _ in $(seq 1 20); do
    q $DB "SELECT count(record_interaction(text, intent, 80)) FROM demo_rows WHERE split = 'test' LIMIT 20" >/dev/null
done
expect_eq "$(session_wait T)" "t" "a training while a trigger on ai_training_data predicts"
expect_eq "$(q $DB "SELECT count(*) FROM interaction_log WHERE intent IS NULL OR label IS NULL")" "0" "the trigger on ai_training_data predicted every row"
session_close T

# Deploy and rollback in the middle of a statement that predicts row by
# row, with the cache at its smallest: each row is answered by the model
# active when it was predicted, the rows after the switch by the other one.
psql -X -q -v ON_ERROR_STOP=1 -d $DB <<'SQL' >/dev/null
CREATE FUNCTION switch_at(p_k bigint, p_at bigint, p_what text) RETURNS bigint LANGUAGE plpgsql VOLATILE AS $$
BEGIN
    IF p_k = p_at THEN
        IF p_what = 'intent' THEN
            RETURN (public.rollback_intent_model()->>'model_id')::bigint;
        ELSE
            RETURN (public.rollback_classifier('tickets')->>'model_id')::bigint;
        END IF;
    END IF;
    RETURN NULL;
END $$;
SQL
for what in intent tickets; do
    IFS="|" read -r active previous <<<"$(q $DB "SELECT a.id, (SELECT max(id) FROM ai_intent_models WHERE classifier = '$what' AND id < a.id AND partition_key IS NULL)
                                         FROM ai_intent_models AS a WHERE a.classifier = '$what' AND a.is_active")"
    if [ "$what" = intent ]; then call="(predict_intent(b.body)).model_id"; else call="(predict_label('tickets', b.body)).model_id"; fi
    out=$(psql -X -At -q -d $DB -v ON_ERROR_STOP=1 <<SQL 2>&1 || true
SET max_parallel_workers_per_gather = 0;
SET client_min_messages = warning;
-- A store that keeps one of the two models, not both: what each is charged,
-- then a budget of one and a half of the larger.
SELECT count(predict_intent('hola', $previous));
SELECT bytes AS b1 FROM intent_internal._pg_intent_model_cache_stats() \\gset
SELECT count(predict_intent('hola', $active));
SELECT bytes - :b1 AS b2 FROM intent_internal._pg_intent_model_cache_stats() \\gset
SELECT set_config('pg_intent.model_cache_size', (greatest(:b1, :b2) * 3 / 2 / 1024)::text || 'kB', false) IS NOT NULL;
SELECT count(predict_intent('hola', $active));
SELECT misses AS m0, evictions AS e0 FROM intent_internal._pg_intent_model_cache_stats() \\gset
BEGIN;
CREATE TEMP TABLE switched AS
SELECT b.k, $call AS model_id, switch_at(b.k, 300, '$what') AS switched_to
  FROM (SELECT k, body FROM bodies ORDER BY k LIMIT 600 OFFSET 0) AS b;
SELECT count(*) FILTER (WHERE k <= 300 AND model_id = $active) || ' ' || count(*) FILTER (WHERE k > 300 AND model_id = $previous)
       || ' ' || max(switched_to) FROM switched;
SELECT (misses - :m0) || ' loads, ' || (evictions - :e0) || ' evictions' FROM intent_internal._pg_intent_model_cache_stats();
COMMIT;
SQL
)
    # The model in use was kept, then evicted by the other one's load.
    expect_eq "$(tail -1 <<<"$out")" "1 loads, 1 evictions" "$what: the statement loaded the rolled-back-to model once, evicting the one in use"
    expect_eq "$(tail -2 <<<"$out" | head -1)" "$((300 + 1)) $((600 - 300 - 1)) $previous" "$what: a rollback mid-statement; rows before it by model $active, after it by $previous"
    expect_eq "$(q $DB "SELECT id FROM ai_intent_models WHERE classifier = '$what' AND is_active AND partition_key IS NULL")" "$previous" "$what: the rollback committed"
done

# --- c. Parallel query ------------------------------------------------------
qq() {
    local db=$1
    shift
    psql -X -Atq -d "$db" -c "$*"
}
q $DB "CREATE TABLE big AS SELECT g, (SELECT body FROM bodies WHERE k = g % $nbodies) AS body FROM generate_series(1, 20000) AS g; ANALYZE big" >/dev/null
first_model=$(q $DB "SELECT min(id) FROM ai_intent_models WHERE classifier = 'intent'")
pquery="SELECT md5(string_agg(g || ':' || (predict_intent(body)).predicted_intent || (predict_intent(body)).confidence
                         || (predict_intent(body, $first_model)).confidence
                         || coalesce(classify_intent(body), '-') || (predict_label('tickets', body)).label
                         || coalesce(classify_label('tickets', body), '-')
                         || (explain_intent(body, 2))::text || (explain_label('tickets', body))::text, ',' ORDER BY g))
          FROM big WHERE g % 10 = 0"
serial=$(qq $DB "SET max_parallel_workers_per_gather = 0; $pquery" 2>&1)
plan=$(qq $DB "SET $force_parallel = on; SET parallel_setup_cost = 0; SET parallel_tuple_cost = 0; SET min_parallel_table_scan_size = 0;
              EXPLAIN (COSTS OFF) $pquery" 2>&1)
grep -q "Parallel Seq Scan\|Gather" <<<"$plan" || { echo "FAILED: no parallel plan: $plan" >&2; exit 1; }
parallel=$(qq $DB "SET $force_parallel = on; SET parallel_setup_cost = 0; SET parallel_tuple_cost = 0; SET min_parallel_table_scan_size = 0; $pquery" 2>&1)
expect_eq "$parallel" "$serial" "a parallel scan predicts and explains as the serial one"
# ... in a worker: a Gather whose worker started (else the leader ran it).
plan=$(qq $DB "SET $force_parallel = on; SET parallel_setup_cost = 0; SET parallel_tuple_cost = 0; SET min_parallel_table_scan_size = 0;
              EXPLAIN (ANALYZE, COSTS OFF, TIMING OFF, SUMMARY OFF) $pquery" 2>&1)
grep -q "Workers Launched: [1-9]" <<<"$plan" || { echo "FAILED: no worker ran the predictions: $plan" >&2; exit 1; }
echo "ok: a worker ran the predictions"
parallel=$(qq $DB "SET $force_parallel = on; SELECT count(*) FROM big AS b
                  WHERE b.g % 10 = 1 AND (predict_intent(b.body)).model_id IS DISTINCT FROM (SELECT id FROM ai_intent_models WHERE classifier = 'intent' AND is_active)" 2>&1)
expect_eq "$parallel" "0" "workers serve the active model"

# The labels: a function that writes, locks, or keeps backend-local state
# a worker cannot share is not PARALLEL SAFE. The prediction and explain
# functions only read (the model store is each process's own cache of rows
# every worker reads alike); the store's statistics are one backend's.
labels=$(q $DB "SELECT string_agg(p.proname || '=' || p.proparallel::text, ' ' ORDER BY p.proname, p.oid)
                  FROM pg_proc AS p
                 WHERE p.proname IN ('predict_intent', 'classify_intent', 'explain_intent', 'predict_label', 'classify_label',
                                     'explain_label', '_pg_intent_model_cache_stats', 'evaluate_label', 'evaluate_intent_model',
                                     'shadow_predict', 'evaluate_interaction', 'record_interaction')")
expect_eq "$labels" "_pg_intent_model_cache_stats=r classify_intent=s classify_label=s evaluate_intent_model=u evaluate_interaction=u evaluate_label=u explain_intent=s explain_label=s predict_intent=s predict_intent=s predict_label=s record_interaction=u shadow_predict=u" \
    "PARALLEL labels of the prediction functions"
echo "predict_reentry: all checks passed"
