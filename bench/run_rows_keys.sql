-- What a run's rows cost keyed by uuid (ai_training_run_rows.training_data_id,
-- the built-in classifier's) against text (ai_classifier_run_rows.row_key, a
-- named classifier's): the question of one run-rows table for every
-- classifier (issue 33 point 1), at 10,000 rows of one run.
--
--   psql -X -d DB -f bench/run_rows_keys.sql
--
-- Any database of a throwaway cluster (scripts/pg-cluster.sh start); the
-- extension is not needed. Tables with the two tables' columns and indexes
-- (primary key (run_id, key), an index on the key for the references rule:
-- deleting a message deletes its run rows) are created in schema
-- pgi_bench_run_rows and dropped at the end. Prints heap and index bytes,
-- then paired timings, median of 7 rounds of the ratio text/uuid within a
-- round: the gate's read of one run's rows by run id, the review queue's
-- join of a run's rows to the messages, and a lookup by message id through
-- a view that would cast the text key to uuid. Asserts nothing.
\set ON_ERROR_STOP 1
SET client_min_messages = warning;
DROP SCHEMA IF EXISTS pgi_bench_run_rows CASCADE;
CREATE SCHEMA pgi_bench_run_rows;
SET search_path = pgi_bench_run_rows, pg_catalog;
CREATE TABLE m_data (id uuid PRIMARY KEY DEFAULT gen_random_uuid(), msg text);
INSERT INTO m_data (msg) SELECT 'message ' || g FROM generate_series(1, 10000) AS g;
-- as ai_training_run_rows: uuid key
CREATE TABLE m_uuid (run_id uuid NOT NULL, training_data_id uuid NOT NULL, intent text NOT NULL,
    fresh boolean NOT NULL DEFAULT false, fold smallint, predicted_intent text, confidence real,
    label_probability real, uncertain boolean, PRIMARY KEY (run_id, training_data_id));
CREATE INDEX m_uuid_key_idx ON m_uuid (training_data_id);
-- as ai_classifier_run_rows: text key (the message's uuid as text)
CREATE TABLE m_text (run_id uuid NOT NULL, row_key text NOT NULL, label text NOT NULL,
    fresh boolean NOT NULL DEFAULT false, fold smallint, predicted_label text, confidence real,
    label_probability real, uncertain boolean, PRIMARY KEY (run_id, row_key));
CREATE INDEX m_text_key_idx ON m_text (row_key);
-- one table for both, with the classifier id that a view of the built-in's
-- rows (and the references rule) would filter on
CREATE TABLE m_text_cls (run_id uuid NOT NULL, classifier_id bigint NOT NULL, row_key text NOT NULL,
    label text NOT NULL, fresh boolean NOT NULL DEFAULT false, fold smallint, predicted_label text,
    confidence real, label_probability real, uncertain boolean, PRIMARY KEY (run_id, row_key));
CREATE INDEX m_text_cls_key_idx ON m_text_cls (row_key) WHERE classifier_id = 0;
INSERT INTO m_uuid
SELECT r.run, d.id, 'intent_' || (abs(hashtext(d.msg)) % 77), false, (abs(hashtext(d.msg)) % 5)::smallint,
       'intent_' || (abs(hashtext(d.msg || 'p')) % 77), 0.8, 0.7, false
  FROM m_data AS d, (SELECT gen_random_uuid() AS run) AS r;
INSERT INTO m_text SELECT run_id, training_data_id::text, intent, fresh, fold, predicted_intent, confidence,
                          label_probability, uncertain FROM m_uuid;
INSERT INTO m_text_cls SELECT run_id, 0, training_data_id::text, intent, fresh, fold, predicted_intent, confidence,
                              label_probability, uncertain FROM m_uuid;
VACUUM ANALYZE m_data, m_uuid, m_text, m_text_cls;

\echo '## bytes at 10,000 rows'
SELECT t.relname AS "table",
       pg_relation_size(t.oid) AS heap_bytes,
       (SELECT sum(pg_relation_size(i.indexrelid)) FROM pg_index AS i WHERE i.indrelid = t.oid) AS index_bytes,
       round((pg_relation_size(t.oid) + (SELECT sum(pg_relation_size(i.indexrelid)) FROM pg_index AS i
                                          WHERE i.indrelid = t.oid)) / 10000.0, 1) AS bytes_per_row
  FROM pg_class AS t
 WHERE t.relnamespace = 'pgi_bench_run_rows'::regnamespace AND t.relname IN ('m_uuid', 'm_text', 'm_text_cls')
 ORDER BY 1 DESC;
SELECT c.relname AS "index", pg_relation_size(c.oid) AS bytes
  FROM pg_class AS c
 WHERE c.relnamespace = 'pgi_bench_run_rows'::regnamespace AND c.relkind = 'i' AND c.relname <> 'm_data_pkey'
 ORDER BY 1 DESC;

CREATE FUNCTION ms_per_call(q text, n int) RETURNS float8 LANGUAGE plpgsql AS $$
DECLARE s timestamptz;
BEGIN
    s := clock_timestamp();
    FOR i IN 1..n LOOP EXECUTE q; END LOOP;
    RETURN extract(epoch FROM clock_timestamp() - s) * 1000 / n;
END $$;
CREATE TABLE res (round int, which text, ms float8);
DO $$
BEGIN
    FOR r IN 1..7 LOOP
        INSERT INTO res SELECT r, 'gate uuid', ms_per_call($q$SELECT count(*), max(intent) FROM m_uuid WHERE run_id = (SELECT run_id FROM m_uuid LIMIT 1)$q$, 20);
        INSERT INTO res SELECT r, 'gate text', ms_per_call($q$SELECT count(*), max(label) FROM m_text WHERE run_id = (SELECT run_id FROM m_text LIMIT 1)$q$, 20);
        INSERT INTO res SELECT r, 'join uuid', ms_per_call($q$SELECT count(*) FROM m_uuid AS rr JOIN m_data AS d ON d.id = rr.training_data_id$q$, 20);
        INSERT INTO res SELECT r, 'join text', ms_per_call($q$SELECT count(*) FROM m_text AS rr JOIN m_data AS d ON d.id::text = rr.row_key$q$, 20);
        INSERT INTO res SELECT r, 'lookup uuid', ms_per_call($q$SELECT count(*) FROM m_uuid WHERE training_data_id = (SELECT id FROM m_data LIMIT 1)$q$, 200);
        INSERT INTO res SELECT r, 'lookup text', ms_per_call($q$SELECT count(*) FROM m_text WHERE row_key::uuid = (SELECT id FROM m_data LIMIT 1)$q$, 200);
    END LOOP;
END $$;
\echo '## paired timings: text key / uuid key, same round'
SELECT replace(u.which, ' uuid', '') AS "read", round(percentile_cont(0.5) WITHIN GROUP (ORDER BY u.ms)::numeric, 3) AS uuid_ms,
       round(percentile_cont(0.5) WITHIN GROUP (ORDER BY t.ms)::numeric, 3) AS text_ms,
       round(percentile_cont(0.5) WITHIN GROUP (ORDER BY t.ms / u.ms)::numeric, 2) AS median_ratio,
       round(min(t.ms / u.ms)::numeric, 2) || '-' || round(max(t.ms / u.ms)::numeric, 2) AS ratio_range
  FROM res AS u JOIN res AS t ON t.round = u.round AND t.which = replace(u.which, 'uuid', 'text')
 WHERE u.which LIKE '% uuid'
 GROUP BY u.which ORDER BY 1;
RESET search_path;
DROP SCHEMA pgi_bench_run_rows CASCADE;
