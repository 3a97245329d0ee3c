#!/usr/bin/env bash
# A partitioned classifier's source rows are written by roles that may only
# log them, and they may not decide the cost of a run: whatever the
# partitions they make up, a train_classifier() call's memory stays within
# its max_training_memory_mb (and what the allocator adds). Here a role with
# INSERT alone adds 100,000 partitions of one row, each with a 2 kB value
# (partition values are bounded at 2 kB, src/pg/partition_key.h). Below
# min_partition_rows, none of them trains, but the call kept uncharged
# copies of every value: the read's map of rows per partition, the
# fallback run's fold groups, and a name and fingerprint for each partition
# it then only counted. With a limit of 400 MB the run completed while the
# backend's private memory grew by 909 MB; now the values are charged (the
# run stops at the limit, 53200) or not copied. The test compares the
# backend's peak private memory (VmHWM less RssShmem and RssFile) with the
# limit, not times. The error that stops it names a row's few kB in kB, not
# as 0.0 MB.
cd "$(dirname "$0")/../.."
source test/scripts/lib.bash
DB=pgi_partition_memory_test
fresh_db $DB
load_ecommerce $DB
psql -X -q -v ON_ERROR_STOP=1 -d $DB <<'SQL' >/dev/null
DROP ROLE IF EXISTS pgi_pm_logger;
CREATE ROLE pgi_pm_logger;
CREATE TABLE shop_src (id bigserial PRIMARY KEY, msg text, label text, shop text);
GRANT INSERT ON shop_src TO pgi_pm_logger;
GRANT USAGE ON SEQUENCE shop_src_id_seq TO pgi_pm_logger;
INSERT INTO shop_src (msg, label, shop) SELECT text, intent, 'real' FROM demo_rows WHERE split = 'train';
SELECT create_classifier('shops', 'shop_src', 'msg', 'label',
                         '{"partition_column": "shop", "key_column": "id", "max_training_memory_mb": 400}');
SET ROLE pgi_pm_logger;
INSERT INTO shop_src (msg, label, shop)
SELECT 'hola que tal ' || g, 'greeting', repeat(md5(g::text), 62) FROM generate_series(1, 100000) AS g;
RESET ROLE;
SQL
started=$(q postgres "SELECT pg_postmaster_start_time()")

# Runs $2 (a train_classifier() call that reports $3, or stops at its memory
# limit) in a session of its own ($1), says what it did ($4: the limit,
# described), checks the server did not restart, and sets $out and
# $grown_mb: how much the backend's peak private memory (VmHWM less
# RssShmem and RssFile) grew during the call.
train_measured() {
    local session=$1 sql=$2 expected=$3 what=$4 pid before after
    session_open "$session" $DB
    pid=$(session_pid "$session")
    before=$(private_peak "$pid")
    out=$(session_run "$session" "$sql" 2>&1 || true)
    after=$(private_peak "$pid")
    session_close "$session"
    grown_mb=$(((after - before) / 1024))
    echo "train_classifier() under $what: ${out//$'\n'/ }"
    echo "peak private memory of the backend grew by $grown_mb MB"
    expect_eq "$(q postgres "SELECT pg_postmaster_start_time() = '$started'")" t "the server did not restart"
    case "$out" in
    *"$expected"* | *"training would exceed its memory limit"*) echo "ok: the call completed or stopped at its limit" ;;
    *)
        echo "FAILED: unexpected outcome: $out" >&2
        exit 1
        ;;
    esac
}
# The file pages are the libraries' mapped pages, not the call's memory:
# the read's query over 150,000 rows is JIT-compiled (jit_above_cost),
# which maps libLLVM, 52 MB of its pages resident (measured with
# /proc/PID/smaps after case 3); counted, they were a third of the 148 MB
# that case was said to take. Taken at the end: they stay mapped, so the
# peak of the rest is at most this.
private_peak() { awk '/VmHWM/ {h = $2} /RssShmem/ {s = $2} /RssFile/ {f = $2} END {print h - s - f}' "/proc/$1/status"; }

train_measured t "SELECT coalesce((SELECT 'completed, ' || (train_classifier('shops') ->> 'partitions_below_minimum') || ' below the minimum'), 'none');" \
    "completed, 100000 below the minimum" "a 400 MB limit"
# The limit's error names the sizes it compares: a row's charge is a few kB,
# and read "needs 0.0 MB but only 0.0 MB of the 400.0 MB limit remain".
if grep -q "memory limit" <<<"$out"; then
    expect_eq "$(grep -c ' 0\.0 MB' <<<"$out" || true)" "0" "the error names sizes below 0.1 MB in kB or bytes"
fi
[ "$grown_mb" -lt 600 ] || {
    echo "FAILED: the call's memory ($grown_mb MB) went past 1.5 times its 400 MB limit" >&2
    exit 1
}
echo "ok: the call's memory stays within its limit"

# Partitions with enough rows to train but past max_partitions_per_classifier
# are only counted too: 0.3.2 before this kept a name (a text copy of the
# value) and a fingerprint (two map entries keyed by the value) of every
# one of them, charged to no budget. 27,000 partitions of two rows, each
# with a 2 kB value, under a 200 MB limit and at most one partition model:
# the read fits, and before the fix those copies took the backend's memory
# past 1.5 times the limit.
psql -X -q -v ON_ERROR_STOP=1 -d $DB <<'SQL' >/dev/null
CREATE TABLE shop_over (id bigserial PRIMARY KEY, msg text, label text, shop text);
GRANT INSERT ON shop_over TO pgi_pm_logger;
GRANT USAGE ON SEQUENCE shop_over_id_seq TO pgi_pm_logger;
INSERT INTO shop_over (msg, label, shop) SELECT text, intent, 'real' FROM demo_rows WHERE split = 'train';
SELECT create_classifier('shops_over', 'shop_over', 'msg', 'label',
                         '{"partition_column": "shop", "key_column": "id", "max_training_memory_mb": 200,
                           "min_partition_rows": 2, "max_partitions_per_classifier": 1}');
SET ROLE pgi_pm_logger;
INSERT INTO shop_over (msg, label, shop)
SELECT 'hola que tal ' || g || '-' || r, 'greeting', repeat(md5(g::text), 62)
  FROM generate_series(1, 27000) AS g, generate_series(1, 2) AS r;
RESET ROLE;
SQL
train_measured o "SELECT coalesce((SELECT 'completed, ' || (train_classifier('shops_over') ->> 'partitions_over_limit') || ' over the limit'), 'none');" \
    "completed, 27000 over the limit" "a 200 MB limit, one partition model"
[ "$grown_mb" -lt 300 ] || {
    echo "FAILED: the call's memory ($grown_mb MB) went past 1.5 times its 200 MB limit" >&2
    exit 1
}
echo "ok: the partitions over the limit are only counted"

# One call, one limit: the rows the call read stay in memory through its
# runs, and were charged to a budget of the read's own, while each run
# charged a new budget of the whole limit beside it (and copied the rows it
# trains on into it); and the read kept every batch SPI fetched, uncharged,
# until its end. 150,000 rows of about 200 bytes, without partitions, under
# a 100 MB limit: the read fits, and before the fixes the backend's private
# memory grew by 292 MB (236 MB with 4 partitions); now the run charges the
# call's budget, which still holds the rows read, and each batch is freed
# before the next: 148 MB, of which 47 MB were libLLVM's file pages (the
# read's JIT), which this measure no longer counts: about 101 MB. The same
# rows as approved rows of ai_training_data under train_intent_model() and a
# 100 MB policy grew by 132 MB: the texts the run hands to the core were
# charged as the vector of rows alone until the core freed them (40 MB
# here). They are charged now (labeled_rows_bytes()): 113 MB, the run
# stopping at its limit. Both within 1.2 times the limit.
psql -X -q -v ON_ERROR_STOP=1 -d $DB <<'SQL' >/dev/null
CREATE TABLE one_budget (id bigserial PRIMARY KEY, msg text, label text);
INSERT INTO one_budget (msg, label)
SELECT 'quiero saber algo sobre el pedido ' || chr(97 + g % 26) || chr(97 + (g / 26) % 26) ||
       chr(97 + (g / 676) % 26) || ' ' || repeat('por favor ayuda rapido ', 8) || 'w' || (g % 20),
       'label_' || (g % 20)
  FROM generate_series(1, 150000) AS g;
SELECT create_classifier('one_budget', 'one_budget', 'msg', 'label',
                         '{"key_column": "id", "max_training_memory_mb": 100}');
SQL
train_measured b "SELECT (r ->> 'status') || ' ' || coalesce(r ->> 'error', '') FROM train_classifier('one_budget') AS r;" \
    "completed" "a 100 MB limit, 150,000 rows read"
[ "$grown_mb" -lt 120 ] || {
    echo "FAILED: the call's memory ($grown_mb MB) went past 1.2 times its 100 MB limit" >&2
    exit 1
}
echo "ok: the rows read and the run count against one limit"
psql -X -q -v ON_ERROR_STOP=1 -d $DB <<'SQL' >/dev/null
INSERT INTO ai_training_data (user_message, correct_intent, dataset_status)
SELECT msg, label, 'approved' FROM one_budget;
UPDATE ai_training_policy SET max_training_memory_mb = 100;
SQL
train_measured i "SELECT (r ->> 'status') || ' ' || coalesce(r ->> 'error', '') FROM train_intent_model('one budget') AS r;" \
    "completed" "a 100 MB limit, train_intent_model(), 150,000 rows"
[ "$grown_mb" -lt 120 ] || {
    echo "FAILED: the run's memory ($grown_mb MB) went past 1.2 times its 100 MB limit" >&2
    exit 1
}
echo "ok: the rows handed to the core are charged"
drop_db $DB
q postgres "DROP ROLE IF EXISTS pgi_pm_logger" >/dev/null
