#!/usr/bin/env bash
# Issue 33: a train_classifier() call sends the invalidation of
# ai_intent_models once, not once per run. Each run's model INSERT (and
# each deploy) fired the statement trigger ai_intent_models_changed, whose
# relcache invalidation this backend processed at the end of the command:
# every cached plan over the table was dropped and the next run's
# statements planned again (5.8 % of the backend's samples in a 500-shop
# call of 101 runs, bench/results/2026-11-29-vm-partitions-500.md). The
# call now defers the triggers' invalidations and sends each table's once,
# before its finish step (src/pg/models_changed.h).
#
#  a. the commit record of a call of 4 runs, each deploying (pg_waldump:
#     the invalidations a transaction sends are in its commit record, for
#     other backends and hot standbys), names ai_intent_models once; before
#     the change, once per run and per deploy;
#  b. another session that had cached the classifier's models serves the
#     new ones at its next call after the commit (the invalidation still
#     reaches every backend), the fallback's and a shop's;
#  c. in the calling session, a prediction right after the call, in the
#     same transaction, serves the new models too;
#  d. a call that fails after its runs sends nothing that outlives it, and
#     the next statements in the session still invalidate as before;
#  e. a call that fails inside a savepoint rolled back, then DROP EXTENSION
#     in the same transaction: the COMMIT succeeds (the invalidation the
#     failed call had deferred named ai_intent_models, which the commit's
#     send then looked up: "cache lookup failed for relation").
cd "$(dirname "$0")/../.."
source test/scripts/lib.bash
DB=pgi_classifier_invalidations
fresh_db $DB
load_ecommerce $DB
SLOT=pgi_classifier_invalidations_wal
drop_slot() {
    psql -X -q -At -d postgres -c "SELECT pg_drop_replication_slot(slot_name) FROM pg_replication_slots WHERE slot_name = '$SLOT'" >/dev/null 2>&1 || true
}
trap 'drop_slot; drop_db $DB; rm -rf "$TEST_TMP"' EXIT
psql -X -q -v ON_ERROR_STOP=1 -d $DB <<'SQL' >/dev/null
CREATE TABLE shop_rows AS
SELECT row_number() OVER (ORDER BY text, intent) AS id, text AS body, intent AS label,
       'shop_' || (row_number() OVER (ORDER BY text, intent) % 3) AS shop
  FROM demo_rows WHERE split = 'train';
SELECT create_classifier('shops', 'shop_rows', 'body', 'label',
                         '{"key_column": "id", "partition_column": "shop", "min_partition_rows": 20, "seed": 1}') IS NOT NULL;
SET client_min_messages = warning;
SELECT train_classifier('shops', NULL, '{"deploy": "always"}') IS NOT NULL;
SQL

expect_eq "$(q $DB "SELECT count(*) FROM ai_intent_models WHERE classifier = 'shops' AND is_active")" 4 \
    "the first call deployed the fallback's model and 3 shops'"

# b. another session caches the active models (fallback and shop_1).
start_session_a $DB
old_fallback=$(ask_a "SELECT (predict_label('shops', 'quiero devolver la mochila')).model_id;")
old_shop=$(ask_a "SELECT (predict_label('shops', 'quiero devolver la mochila', 'shop_1')).model_id;")
expect_eq "$(q $DB "SELECT count(*) FROM ai_intent_models WHERE id IN ($old_fallback, $old_shop) AND is_active")" 2 \
    "session A serves the active models"

# a. a call of 4 runs that deploys each, in one transaction; its commit
#    record's invalidations.
wal_level=$(q $DB "SHOW wal_level")
models_oid=$(q $DB "SELECT 'ai_intent_models'::regclass::oid")
data_dir=$(q $DB "SHOW data_directory")
# The WAL from here on stays until pg_waldump has read it: the CHECKPOINT
# below (and any other session's) would otherwise remove or recycle the
# segment the call started in (CI: "could not find file").
if [ "$wal_level" != minimal ]; then
    drop_slot
    q $DB "SELECT pg_create_physical_replication_slot('$SLOT', true)" >/dev/null
fi
start_lsn=$(q $DB "SELECT pg_current_wal_insert_lsn()")
out=$(psql -X -q -At -v ON_ERROR_STOP=1 -d $DB <<'SQL'
SET client_min_messages = warning;
BEGIN;
SELECT (SELECT count(*) FROM jsonb_array_elements(r -> 'partitions') AS p WHERE (p ->> 'deployed')::boolean)
       + (r ->> 'deployed')::boolean::int
  FROM train_classifier('shops', NULL, '{"deploy": "always"}') AS r;
-- c. the calling session, in the same transaction, right after the call
SELECT (predict_label('shops', 'quiero devolver la mochila', 'shop_1')).model_id
       = (SELECT id FROM ai_intent_models WHERE classifier = 'shops' AND partition_key = 'shop_1' AND is_active);
COMMIT;
SQL
)
expect_eq "$(sed -n 1p <<<"$out")" 4 "the second call deployed 4 models"
expect_eq "$(sed -n 2p <<<"$out")" t "the calling session serves the new shop model in the call's transaction"
# (the commit record on disk: test clusters may commit asynchronously)
q $DB "CHECKPOINT" >/dev/null
end_lsn=$(q $DB "SELECT pg_current_wal_insert_lsn()")
if [ "$wal_level" = minimal ]; then
    echo "skipped: wal_level minimal writes no invalidations in commit records"
else
    commits=$(as_owner pg_waldump -p "$data_dir/pg_wal" -s "$start_lsn" -e "$end_lsn" -r Transaction 2>"$TEST_TMP/waldump.err" |
        grep "COMMIT" | grep -c " relcache $models_oid\b" || true)
    [ "$commits" != 0 ] || cat "$TEST_TMP/waldump.err" >&2
    expect_eq "$commits" 1 "one commit record invalidates ai_intent_models"
    sends=$(as_owner pg_waldump -p "$data_dir/pg_wal" -s "$start_lsn" -e "$end_lsn" -r Transaction 2>/dev/null |
        grep "COMMIT" | grep -o " relcache $models_oid\b" | wc -l)
    expect_eq "$sends" 1 "the call sent the invalidation of ai_intent_models once (4 runs, 4 deploys)"
    drop_slot
fi

# b. session A serves the new models at its next call.
expect_eq "$(ask_a "SELECT (predict_label('shops', 'quiero devolver la mochila')).model_id = (SELECT id FROM ai_intent_models WHERE classifier = 'shops' AND partition_key IS NULL AND is_active);")" t \
    "session A serves the new fallback model after the commit"
expect_eq "$(ask_a "SELECT (predict_label('shops', 'quiero devolver la mochila', 'shop_1')).model_id = (SELECT id FROM ai_intent_models WHERE classifier = 'shops' AND partition_key = 'shop_1' AND is_active);")" t \
    "session A serves the new shop model after the commit"
new_shop=$(ask_a "SELECT (predict_label('shops', 'quiero devolver la mochila', 'shop_1')).model_id;")
[ "$new_shop" != "$old_shop" ] || { echo "FAILED: session A still serves model $old_shop" >&2; exit 1; }
echo "ok: session A's shop model changed ($old_shop -> $new_shop)"

# d. a call rolled back after its runs; then a hand rollback in the same
#    session still reaches session A (no deferral left behind).
psql -X -q -d $DB <<'SQL' >/dev/null 2>&1 || true
SET client_min_messages = warning;
BEGIN;
SELECT train_classifier('shops', NULL, '{"deploy": "always"}') IS NOT NULL;
SELECT 1 / 0;
COMMIT;
SQL
expect_eq "$(ask_a "SELECT (predict_label('shops', 'quiero devolver la mochila', 'shop_1')).model_id;")" "$new_shop" \
    "a rolled-back call changes nothing session A serves"
psql -X -q -v ON_ERROR_STOP=1 -d $DB <<'SQL' >/dev/null
SET client_min_messages = warning;
SELECT train_classifier('shops', NULL, '{"deploy": "never"}') IS NOT NULL;
SELECT rollback_classifier('shops', 'shop_1') IS NOT NULL;
SQL
expect_eq "$(ask_a "SELECT (predict_label('shops', 'quiero devolver la mochila', 'shop_1')).model_id = (SELECT id FROM ai_intent_models WHERE classifier = 'shops' AND partition_key = 'shop_1' AND is_active);")" t \
    "a rollback after a call reaches session A"
end_session_a

# e. the third run's model INSERT fails with an error a run raises again
#    (55P03, as a lock_timeout would), after the fallback's and shop_0's
#    models were inserted; the savepoint is rolled back and the extension
#    dropped in the same transaction.
psql -X -q -v ON_ERROR_STOP=1 -d $DB <<'SQL' >/dev/null
CREATE FUNCTION fail_shop_2() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF NEW.partition_key = 'shop_2' THEN
        RAISE EXCEPTION 'injected' USING ERRCODE = 'lock_not_available';
    END IF;
    RETURN NEW;
END $$;
CREATE TRIGGER fail_shop_2 BEFORE INSERT ON ai_intent_models FOR EACH ROW EXECUTE FUNCTION fail_shop_2();
SQL
out=$(psql -X -q -At -d $DB 2>&1 <<'SQL'
SET client_min_messages = warning;
BEGIN;
CREATE TABLE kept_after_drop (id int);
SAVEPOINT s;
SELECT train_classifier('shops', NULL, '{"deploy": "always"}') IS NOT NULL;
ROLLBACK TO SAVEPOINT s;
SET pg_intent.allow_drop_with_data = on;
DROP EXTENSION pg_intent CASCADE;
COMMIT;
SQL
)
grep -q "injected" <<<"$out" || { echo "FAILED: the call did not fail as injected: $out" >&2; exit 1; }
if grep -q "cache lookup failed" <<<"$out"; then
    echo "FAILED: the COMMIT after the drop failed: $out" >&2
    exit 1
fi
expect_eq "$(q $DB "SELECT count(*) FROM pg_extension WHERE extname = 'pg_intent'")" 0 \
    "the transaction that dropped the extension after a failed call committed"
expect_eq "$(q $DB "SELECT to_regclass('kept_after_drop') IS NOT NULL")" t \
    "the transaction's other work committed"
echo "classifier_invalidations: all checks passed"
