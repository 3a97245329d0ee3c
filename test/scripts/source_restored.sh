#!/usr/bin/env bash
# A classifier whose source table was restored from a dump (or created
# again) names it by its old OID: the restored table has its name but another
# OID. Training fails with 42P01, and the error must tell the operator what
# to do: its hint names the relation of the recorded name and the
# alter_classifier() call that makes it the source. Before, it said only
# "dropped", and docs/operations.md advised creating the table again, which
# changed nothing. Three ways there:
#   - pg_dump -t of the source, DROP TABLE, pg_restore -t (a table restored
#     from a backup, as pg_restore --clean -n of its schema does);
#   - a data-only restore with --disable-triggers, which skips the trigger
#     ai_classifiers_rebind and keeps the dumped database's OID;
#   - a source dropped for good: the hint says to create it and point the
#     classifier at it, or drop the classifier.
# The classifier is never re-pointed by name on its own; after the call its
# models predict as before and it trains again.
cd "$(dirname "$0")/../.."
source test/scripts/lib.bash
DB=pgi_srcrest
DST=pgi_srcrest_dst
fresh_db $DB
load_ecommerce $DB
q $DB "SELECT create_classifier('shop', 'demo_rows', 'text', 'intent', '{\"seed\": 1}') IS NOT NULL" >/dev/null
expect_eq "$(q $DB "SELECT train_classifier('shop', 'first') ->> 'status'" 2>/dev/null)" "completed" "the classifier trains"
predict_sql="SELECT string_agg(format('%s|%s', p.label, round(p.confidence::numeric, 6)), ';' ORDER BY t.text)
               FROM demo_rows AS t, LATERAL predict_label('shop', t.text) AS p WHERE t.split = 'test'"
before=$(q $DB "$predict_sql")

# The error of training it, with its SQLSTATE and hint (VERBOSITY verbose).
train_error() {
    psql -X -q -d "$1" -v VERBOSITY=verbose -c "SELECT train_classifier('shop', 'again')" 2>&1 >/dev/null |
        grep -E '^(ERROR|HINT):' || true
}

# 1. The source restored from a dump of it alone.
pg_dump -Fc -d $DB -t demo_rows -f "$TEST_TMP/demo_rows.fc"
q $DB "DROP TABLE demo_rows" >/dev/null
pg_restore --exit-on-error -d $DB "$TEST_TMP/demo_rows.fc"
err=$(train_error $DB)
grep -q '^ERROR:  42P01: the source of classifier "shop" does not exist' <<<"$err" ||
    { echo "FAILED: restored source: expected 42P01, got: $err" >&2; exit 1; }
expect_eq "$(sed -n 's/^HINT:  //p' <<<"$err")" \
    "A relation has its recorded name, public.demo_rows, but not its OID (restored from a dump, or created again): its owner makes it the source with alter_classifier('shop', jsonb_build_object('source', 'public.demo_rows'))." \
    "restored source: the hint names the relation and the call"
expect_eq "$(q $DB "SELECT source_missing FROM ai_classifier_owners WHERE name = 'shop'")" "t" \
    "restored source: ai_classifier_owners shows it missing"
expect_eq "$(q $DB "SELECT alter_classifier('shop', jsonb_build_object('source', 'public.demo_rows')) ->> 'source'")" \
    "public.demo_rows" "restored source: the hint's call points the classifier at it"
expect_eq "$(q $DB "$predict_sql")" "$before" "restored source: its model predicts as before"
expect_eq "$(q $DB "SELECT train_classifier('shop', 'after') ->> 'status'" 2>/dev/null)" "completed" \
    "restored source: the classifier trains again"

# 2. A data-only restore with --disable-triggers: the dumped OID is kept.
q $DB "SELECT alter_classifier('shop', '{\"key_column\": null}') IS NOT NULL" >/dev/null
pg_dump -Fc -d $DB -f "$TEST_TMP/all.fc"
psql -X -q -d postgres -c "DROP DATABASE IF EXISTS $DST WITH (FORCE)" -c "CREATE DATABASE $DST" >/dev/null
pg_restore --exit-on-error -d $DST --schema-only "$TEST_TMP/all.fc"
pg_restore --exit-on-error -d $DST --data-only --disable-triggers -t demo_rows -t ai_classifiers -t ai_intent_models \
    "$TEST_TMP/all.fc"
expect_eq "$(q $DST "SELECT source_name || ',' || (source::regclass IS NULL OR source <> 'public.demo_rows'::regclass) FROM ai_classifiers WHERE name = 'shop'")" \
    "public.demo_rows,true" "--disable-triggers: the row keeps the dumped database's source OID"
err=$(train_error $DST)
grep -q "^HINT:  A relation has its recorded name, public.demo_rows, but not its OID" <<<"$err" ||
    { echo "FAILED: --disable-triggers: expected the hint, got: $err" >&2; exit 1; }
echo "ok: --disable-triggers: the hint names the relation and the call"
q $DST "SELECT alter_classifier('shop', jsonb_build_object('source', 'public.demo_rows'))" >/dev/null
expect_eq "$(q $DST "$predict_sql")" "$before" "--disable-triggers: after the call its model predicts as in the dumped database"

# 3. A source dropped for good.
q $DB "DROP TABLE demo_rows" >/dev/null
err=$(train_error $DB)
expect_eq "$(sed -n 's/^HINT:  //p' <<<"$err")" \
    "Create the table or view again (its recorded name is public.demo_rows), then point the classifier at it with alter_classifier(), or drop the classifier." \
    "dropped source: the hint says how to get it back"

drop_db $DB
drop_db $DST
