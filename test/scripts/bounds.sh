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
trap 'drop_db $DB; stop_own_clusters; stop_extra_clusters' EXIT
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
