#!/usr/bin/env bash
# Security issue item 5: prediction, which every role that may predict can
# call, does bounded work. A message longer than pg_intent.max_message_bytes
# (64 kB by default) is classified on its first bytes, cut at a character
# boundary, and only that much of the stored value is read: a 100 MB message
# stored compressed is never detoasted whole. 0.1.0 detoasted it and used
# about 64 bytes of memory per input byte (a 33 MB message had the backend
# OOM-killed, and with it every session). The test compares the backend's
# peak resident memory (VmHWM) before and after, not times.
cd "$(dirname "$0")/../.."
source test/scripts/lib.bash
DB=pgi_bounds
trap 'drop_db $DB; psql -X -q -d postgres -c "DROP ROLE IF EXISTS pgi_bounds_nobody" >/dev/null 2>&1 || true; stop_own_clusters; stop_extra_clusters' EXIT
fresh_db $DB
load_ecommerce $DB
q $DB "SELECT train_intent_model('bounds') ->> 'status'" >/dev/null
# 100 MB that compresses to little; built by another session.
q $DB "CREATE TABLE big AS SELECT 1 AS id, repeat('quiero devolver el pedido ', 4000000) AS message" >/dev/null
expect_eq "$(q $DB "SELECT octet_length(message) FROM big")" 104000000 "a 104 MB message is stored"
expect_eq "$(q $DB "SELECT pg_column_size(message) < 10000000 FROM big")" t "stored compressed"

session_open s $DB
pid=$(session_pid s)
hwm() { awk '/VmHWM/ {print $2}' "/proc/$pid/status"; }
session_run s "SELECT classify_intent('hola');" >/dev/null
before=$(hwm)
label=$(session_run s "SELECT classify_intent(message) FROM big;")
after=$(hwm)
grown_mb=$(((after - before) / 1024))
echo "peak RSS of the backend grew by $grown_mb MB classifying the 104 MB message"
[ "$grown_mb" -lt 64 ] || { echo "FAILED: prediction memory grew with the message ($grown_mb MB)" >&2; exit 1; }
echo "ok: prediction memory does not grow with the message"
expect_eq "$label" "$(q $DB "SELECT classify_intent(left(message, 65536)) FROM big")" \
    "the long message is classified on its first pg_intent.max_message_bytes"
expect_eq "$(session_run s "SET pg_intent.max_message_bytes = 1024; SELECT (SELECT p.confidence FROM predict_intent(message) p) = (SELECT p.confidence FROM predict_intent(left(message, 1024)) p) FROM big;")" t \
    "pg_intent.max_message_bytes sets the limit"
# Cut at a character boundary: 'a' and then 'ñ' (2 bytes each) end at byte
# 1,023; the 1,024th byte would start a character it cannot finish.
expect_eq "$(session_run s "SELECT (SELECT p.confidence FROM predict_intent('a' || repeat('ñ', 600)) p) = (SELECT p.confidence FROM predict_intent('a' || repeat('ñ', 511)) p);")" t \
    "the cut falls on a character boundary"
expect_eq "$(psql -X -At -d $DB -v VERBOSITY=sqlstate -c "SELECT pg_intent_loaded()" -c "SET pg_intent.max_message_bytes = 10" 2>&1 | tail -1)" "ERROR:  22023" \
    "a limit below 1 kB is refused"
session_close s

# evaluate_intent_model() runs the caller's query: its
# memory must not grow with the number of rows or the size of their values.
# It fetched the rows 1,000 at a time and detoasted every expected intent
# whole into a context reset only per batch: 1,000 rows with 4 MB labels
# (48 MB on disk) took the backend to 4.1 GB. Run as a role that was granted
# nothing but EXECUTE on it (PUBLIC's TEMP is enough otherwise), on stored
# values and on values the query computes.
psql -X -q -d $DB -c "DROP ROLE IF EXISTS pgi_bounds_nobody" -c "CREATE ROLE pgi_bounds_nobody LOGIN" \
    -c "GRANT EXECUTE ON FUNCTION evaluate_intent_model(bigint, text) TO pgi_bounds_nobody" >/dev/null
session_open e $DB -U pgi_bounds_nobody
pid=$(session_pid e)
session_run e "CREATE TEMP TABLE t AS SELECT 'quiero devolver el pedido'::text AS m, repeat('x', 4 * 1024 * 1024) AS l FROM generate_series(1, 200);" >/dev/null
session_run e "SELECT evaluate_intent_model(NULL, \$\$VALUES ('quiero devolver el pedido', 'return_process')\$\$) ->> 'accuracy';" >/dev/null
before=$(hwm)
stored=$(session_run e "SELECT (r ->> 'query_rows') || ' ' || (r ->> 'accuracy') FROM evaluate_intent_model(NULL, 'SELECT m, l FROM t') AS r;")
computed=$(session_run e "SELECT (r ->> 'query_rows') || ' ' || (r ->> 'accuracy') FROM evaluate_intent_model(NULL, 'SELECT ''quiero devolver el pedido''::text, repeat(''x'', 4 * 1024 * 1024) FROM generate_series(1, 200)') AS r;")
after=$(hwm)
grown_mb=$(((after - before) / 1024))
echo "peak RSS of the backend grew by $grown_mb MB evaluating 2 x 200 rows with 4 MB expected intents"
expect_eq "$stored" "200 0.0" "evaluate_intent_model() scores 200 stored rows whose 4 MB intent is none of the model's"
expect_eq "$computed" "200 0.0" "the same for 200 computed rows"
[ "$grown_mb" -lt 100 ] || { echo "FAILED: evaluate_intent_model() memory grew with the rows ($grown_mb MB)" >&2; exit 1; }
echo "ok: evaluate_intent_model() memory does not grow with the rows or their values"
session_close e
psql -X -q -d $DB -c "DROP OWNED BY pgi_bounds_nobody" -c "DROP ROLE pgi_bounds_nobody" >/dev/null
