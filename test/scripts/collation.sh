#!/usr/bin/env bash
# A classifier's source columns under nondeterministic collations (ICU's
# 'und-u-ks-level2', where 'Return' = 'return', and 'und-u-ks-level1',
# where 'devolución' = 'devolucion' too), and under "C" in a database whose
# default is another. The rule (docs/classifiers.md, "Collations"): a
# source's values (keys, labels, partition values, texts) are compared by
# their bytes, whatever the column's collation, as the run compares them in
# C++; the extension's own SQL over the source applies COLLATE "C".
#
#   - keys 'k2'/'K2' (or 'ké2'/'ke2'): two rows, two keys, each one row's;
#     get_classifier_review_queue() shows them as the same rows keyed
#     under "C" (before: the texts statement grouped them under the
#     column's collation, took each key for one several rows hold, and the
#     queue was empty), by the key's type and by its text (the fallback
#     when the recorded keys are no values of the type now);
#   - labels and partition values that differ by case or accent only are
#     different labels and partitions: each partition's model is its own,
#     and predict_label() answers a partition by its own model or the
#     fallback, never by the other's;
#   - every column case-insensitive (key, text, label, partition), with a
#     reviewed_column, a gate window, texts without a label and a second
#     run: the same models, decisions and gate evidence as under "C";
#   - a "C" key column in a database whose default collation is ICU's
#     es-ES: the same model and queue as one under the default.
#
# Needs ICU (the server's nondeterministic collations); a server built
# without it has none, and the test says so and is skipped.
cd "$(dirname "$0")/../.."
source test/scripts/lib.bash
DB=pgi_collation
export PGOPTIONS="${PGOPTIONS:-} -c client_min_messages=warning"

if [ "$(q postgres "SELECT count(*) FROM pg_collation WHERE collprovider = 'i'")" = 0 ]; then
    echo "SKIPPED: this PostgreSQL $(q postgres 'SHOW server_version') was built without ICU: no nondeterministic collation to test"
    exit 0
fi
echo "ok: $(q postgres 'SELECT version()' | cut -d' ' -f1-2), with ICU"

fresh_db $DB
psql -X -q -v ON_ERROR_STOP=1 -d $DB <<'SQL' >/dev/null
SET client_min_messages = warning;
CREATE COLLATION ci (provider = icu, locale = 'und-u-ks-level2', deterministic = false);
CREATE COLLATION ai (provider = icu, locale = 'und-u-ks-level1', deterministic = false);
CREATE TABLE raw (split text, text text, intent text);
\copy raw FROM 'data/ecommerce_es.csv' WITH (FORMAT csv, HEADER true)
CREATE TABLE numbered AS SELECT row_number() OVER (ORDER BY text, intent)::int AS n, text, intent FROM raw;

-- Keys that differ by case only: 'k2' and 'K2' are two rows.
CREATE TABLE keys_ci (id text COLLATE ci, msg text, label text);
INSERT INTO keys_ci SELECT CASE WHEN n % 2 = 0 THEN 'k' || n ELSE 'K' || (n - 1) END, text, intent FROM numbered;
-- The same rows keyed under "C": what the queue must show.
CREATE TABLE keys_c (id text COLLATE "C", msg text, label text);
INSERT INTO keys_c SELECT * FROM keys_ci;
-- Keys that differ by an accent only, under the accent-insensitive one.
CREATE TABLE keys_ai (id text COLLATE ai, msg text, label text);
INSERT INTO keys_ai SELECT CASE WHEN n % 2 = 0 THEN 'ké' || n ELSE 'ke' || (n - 1) END, text, intent FROM numbered;
CREATE TABLE keys_ai_c (id text COLLATE "C", msg text, label text);
INSERT INTO keys_ai_c SELECT * FROM keys_ai;
-- The key's type a domain over the collation, whose constraint the
-- recorded keys will fail: the queue then finds the rows by the keys' text.
CREATE DOMAIN key_ci AS text COLLATE ci;
CREATE TABLE keys_dom (id key_ci, msg text, label text);
INSERT INTO keys_dom SELECT * FROM keys_ci;

SELECT create_classifier(n, s, 'msg', 'label', '{"key_column": "id", "seed": 1}')
  FROM (VALUES ('kci', 'keys_ci'), ('kc', 'keys_c'), ('kai', 'keys_ai'), ('kaic', 'keys_ai_c'),
               ('kdom', 'keys_dom')) AS v(n, s);
SELECT train_classifier(n) FROM unnest(ARRAY['kci', 'kc', 'kai', 'kaic', 'kdom']) AS n;

-- The queue's rows: key, text, label, suspected label.
CREATE FUNCTION queue(p_name text) RETURNS TABLE (row_key text, text text, label text, suspected text)
LANGUAGE sql AS $$
    SELECT q.row_key COLLATE "C", q.text, q.label, q.suspected_label
      FROM get_classifier_review_queue(p_name, NULL, 10000) AS q
$$;
SQL

# Each key is one row's: the run recorded each (no duplicate key).
expect_eq "$(q $DB "SELECT count(*) FROM ai_classifier_run_rows AS r JOIN ai_training_runs AS t ON t.id = r.run_id
                     WHERE t.classifier = 'kci'")" 420 "a run records 'k2' and 'K2' as two keys"
expect_eq "$(q $DB "SELECT count(*) > 0 FROM queue('kc')")" t "the queue of the keys under \"C\" has rows"
# The same rows, keys and texts, under the case-insensitive collation
# (before: none).
expect_eq "$(q $DB "SELECT count(*) FROM ((SELECT * FROM queue('kci') EXCEPT ALL SELECT * FROM queue('kc'))
                                         UNION ALL (SELECT * FROM queue('kc') EXCEPT ALL SELECT * FROM queue('kci'))) AS d")" 0 \
    "keys differing by case: the queue shows each row, as under \"C\""
expect_eq "$(q $DB "SELECT count(*) > 0 FROM queue('kaic')")" t "the queue of the accented keys under \"C\" has rows"
expect_eq "$(q $DB "SELECT count(*) FROM ((SELECT * FROM queue('kai') EXCEPT ALL SELECT * FROM queue('kaic'))
                                         UNION ALL (SELECT * FROM queue('kaic') EXCEPT ALL SELECT * FROM queue('kai'))) AS d")" 0 \
    "keys differing by an accent: the queue shows each row, as under \"C\""
# By the keys' text: the recorded keys are no values of the key's type now.
q $DB "ALTER DOMAIN key_ci ADD CONSTRAINT none_new CHECK (false) NOT VALID" >/dev/null
expect_eq "$(q $DB "SELECT count(*) FROM ((SELECT * FROM queue('kdom') EXCEPT ALL SELECT * FROM queue('kc'))
                                         UNION ALL (SELECT * FROM queue('kc') EXCEPT ALL SELECT * FROM queue('kdom'))) AS d")" 0 \
    "keys differing by case, found by their text: the queue shows each row, as under \"C\""
# A key several rows hold by its bytes is still left out (the rule of
# duplicate keys, by bytes): 'k2' given to a second row.
q $DB "INSERT INTO keys_ci SELECT row_key, 'otra fila', 'thanks' FROM queue('kci') LIMIT 1" >/dev/null
expect_eq "$(q $DB "SELECT (SELECT count(*) FROM queue('kc')) - (SELECT count(*) FROM queue('kci'))")" 1 \
    "a key two rows hold by their bytes is left out of the queue"

# Labels and partition values that differ by case or by an accent only.
psql -X -q -v ON_ERROR_STOP=1 -d $DB <<'SQL' >/dev/null
SET client_min_messages = warning;
CREATE TABLE shops (id bigint, msg text COLLATE ci, label text COLLATE ai, shop text COLLATE ai, reviewed boolean);
-- 'Return'/'return' and 'devolución'/'devolucion': four labels; shops
-- 'Shop' and 'shop' hold different texts under the same labels, 'shóp' too.
INSERT INTO shops
SELECT n, text,
       CASE intent WHEN 'return_process' THEN 'Return' WHEN 'refund_status' THEN 'return'
                   WHEN 'cancel_order' THEN 'devolución' WHEN 'order_status' THEN 'devolucion' ELSE intent END,
       (ARRAY['Shop', 'shop', 'shóp'])[n % 3 + 1], true
  FROM numbered;
SELECT create_classifier('tenants', 'shops', 'msg', 'label',
                         '{"key_column": "id", "partition_column": "shop", "reviewed_column": "reviewed",
                           "min_partition_rows": 20, "seed": 1, "deploy": "always"}');
SELECT train_classifier('tenants');
SQL
expect_eq "$(q $DB "SELECT string_agg(coalesce(partition_key, '-'), ',' ORDER BY partition_key COLLATE \"C\" NULLS FIRST)
                      FROM ai_intent_models WHERE classifier = 'tenants' AND is_active")" "-,Shop,shop,shóp" \
    "partition values differing by case or accent: each its own model"
expect_eq "$(q $DB "SELECT bool_and(m.metrics -> 'input_rows' IS NULL OR (m.metrics ->> 'input_rows')::int = 140)
                      FROM ai_training_runs AS m WHERE m.classifier = 'tenants' AND m.partition_key IS NOT NULL")" t \
    "each partition's run reads its own 140 rows"
expect_eq "$(q $DB "SELECT string_agg(l, ',' ORDER BY l COLLATE \"C\")
                      FROM ai_intent_models AS m, unnest(m.intents) AS l
                     WHERE m.classifier = 'tenants' AND m.is_active AND m.partition_key IS NULL
                       AND l COLLATE \"C\" IN ('Return', 'return', 'devolución', 'devolucion')")" \
    "Return,devolucion,devolución,return" "labels differing by case or accent: four labels"
expect_eq "$(q $DB "SELECT count(*) FROM unnest(ARRAY['Shop', 'shop', 'shóp']) AS p(p)
                     WHERE (predict_label('tenants', 'quiero devolver un producto', p)).model_partition
                           IS DISTINCT FROM p COLLATE \"C\"")" 0 \
    "each partition is answered by its own model"

# Every column under the case-insensitive collation (key, text, label,
# partition), with a reviewed_column, a time_column and its gate window,
# texts without a label (subword_vectors), and a second run after new rows
# and relabelled ones: each run trains the same model, decides the same,
# on the same evidence, as over the same rows under "C".
psql -X -q -v ON_ERROR_STOP=1 -d $DB <<'SQL' >/dev/null
SET client_min_messages = warning;
CREATE TABLE all_ci (id text COLLATE ci, msg text COLLATE ci, label text COLLATE ci, shop text COLLATE ci,
                     at timestamptz, reviewed boolean);
INSERT INTO all_ci
SELECT CASE WHEN n % 2 = 0 THEN 'k' || n ELSE 'K' || (n - 1) END, CASE WHEN n % 5 = 0 THEN upper(text) ELSE text END,
       CASE intent WHEN 'return_process' THEN 'Return' WHEN 'refund_status' THEN 'return'
                   WHEN 'greeting' THEN CASE WHEN n % 4 <> 0 THEN intent END ELSE intent END,
       (ARRAY['Shop', 'shop'])[n % 2 + 1], now() - interval '10 days' + n * interval '1 minute', n % 7 <> 0
  FROM numbered WHERE n <= 300;
CREATE TABLE all_c (id text COLLATE "C", msg text COLLATE "C", label text COLLATE "C", shop text COLLATE "C",
                    at timestamptz, reviewed boolean);
INSERT INTO all_c SELECT * FROM all_ci;
SELECT create_classifier(n, s, 'msg', 'label',
                         '{"key_column": "id", "partition_column": "shop", "time_column": "at", "reviewed_column": "reviewed",
                           "gate_window_days": 30, "min_partition_rows": 20, "seed": 1, "subword_vectors": true}')
  FROM (VALUES ('all_ci', 'all_ci'), ('all_c', 'all_c')) AS v(n, s);
SELECT train_classifier(n) FROM unnest(ARRAY['all_ci', 'all_c']) AS n;
INSERT INTO all_ci
SELECT CASE WHEN n % 2 = 0 THEN 'k' || n ELSE 'K' || (n - 1) END, text,
       CASE intent WHEN 'return_process' THEN 'Return' WHEN 'refund_status' THEN 'return' ELSE intent END,
       (ARRAY['Shop', 'shop'])[n % 2 + 1], now() - interval '1 day' + n * interval '1 second', true
  FROM numbered WHERE n > 300;
UPDATE all_ci SET label = CASE WHEN label COLLATE "C" = 'Return' THEN 'return' ELSE 'Return' END
 WHERE id COLLATE "C" IN ('K10', 'k12', 'K14', 'k16');
TRUNCATE all_c;
INSERT INTO all_c SELECT * FROM all_ci;
SELECT train_classifier(n) FROM unnest(ARRAY['all_ci', 'all_c']) AS n;
CREATE FUNCTION runs(p_name text) RETURNS TABLE (part text, n bigint, sha256 text, decided text)
LANGUAGE sql AS $$
    SELECT coalesce(r.partition_key, '-'), row_number() OVER (PARTITION BY r.partition_key ORDER BY r.started_at),
           m.sha256,
           concat_ws(' ', r.status, r.metrics #>> '{deploy,reason}', r.metrics #>> '{deploy,evidence}',
                     r.metrics #>> '{deploy,baseline_f1}', r.metrics #>> '{deploy,candidate_f1}',
                     r.metrics ->> 'input_rows', r.metrics ->> 'rows_duplicate_key', r.metrics -> 'gate')
      FROM ai_training_runs AS r LEFT JOIN ai_intent_models AS m ON m.run_id = r.id
     WHERE r.classifier = p_name
$$;
SQL
expect_eq "$(q $DB "SELECT count(*) FROM runs('all_ci')")" 6 "every column case-insensitive: six runs (two of each model)"
expect_eq "$(q $DB "SELECT count(*) FROM ((SELECT * FROM runs('all_ci') EXCEPT ALL SELECT * FROM runs('all_c'))
                                         UNION ALL (SELECT * FROM runs('all_c') EXCEPT ALL SELECT * FROM runs('all_ci'))) AS d")" 0 \
    "every column case-insensitive: the same models, decisions and evidence as under \"C\""

# A key column under "C" in a database whose default collation is another
# (es_ES, where 'K2' sorts beside 'k2'): the same queue.
if q postgres "SELECT count(*) FROM pg_collation WHERE collname = 'es-ES-x-icu'" | grep -q '^1$'; then
    fresh_db ${DB}_es "TEMPLATE template0 LOCALE_PROVIDER icu ICU_LOCALE 'es-ES' LOCALE 'C.UTF-8'"
    psql -X -q -v ON_ERROR_STOP=1 -d ${DB}_es <<'SQL' >/dev/null
SET client_min_messages = warning;
CREATE TABLE raw (split text, text text, intent text);
\copy raw FROM 'data/ecommerce_es.csv' WITH (FORMAT csv, HEADER true)
CREATE TABLE keys_c (id text COLLATE "C", msg text, label text);
CREATE TABLE keys_d (id text, msg text, label text);
INSERT INTO keys_c SELECT CASE WHEN n % 2 = 0 THEN 'k' || n ELSE 'K' || (n - 1) END, text, intent
  FROM (SELECT row_number() OVER (ORDER BY text, intent)::int AS n, text, intent FROM raw) AS r;
INSERT INTO keys_d SELECT * FROM keys_c;
SELECT create_classifier(n, s, 'msg', 'label', '{"key_column": "id", "seed": 1}')
  FROM (VALUES ('kc', 'keys_c'), ('kd', 'keys_d')) AS v(n, s);
SELECT train_classifier(n) FROM unnest(ARRAY['kc', 'kd']) AS n;
SQL
    expect_eq "$(q ${DB}_es "SELECT (SELECT count(*) > 0 FROM get_classifier_review_queue('kc', NULL, 10000))
                               AND NOT EXISTS ((SELECT row_key, text FROM get_classifier_review_queue('kc', NULL, 10000)
                                                EXCEPT ALL SELECT row_key, text FROM get_classifier_review_queue('kd', NULL, 10000))
                                               UNION ALL
                                               (SELECT row_key, text FROM get_classifier_review_queue('kd', NULL, 10000)
                                                EXCEPT ALL SELECT row_key, text FROM get_classifier_review_queue('kc', NULL, 10000)))")" t \
        "a \"C\" key column in an es-ES database: the queue of the database's default"
    expect_eq "$(q ${DB}_es "SELECT (SELECT sha256 FROM ai_intent_models WHERE classifier = 'kc')
                                  = (SELECT sha256 FROM ai_intent_models WHERE classifier = 'kd')")" t \
        "a \"C\" key column in an es-ES database: the same model as the default's"
    drop_db ${DB}_es
else
    echo "ok: (no es-ES ICU collation: the \"C\" column in an es-ES database not checked)"
fi
drop_db $DB
echo "collation: all checks passed"
