-- What the rows anyone may log cost the SQL paths that decide which rows
-- train (_pg_intent_training_rows(): get_training_dataset(), the usable
-- sample count of should_retrain() and ai_metric_alerts): they choose the
-- rows on narrow columns and read a message only for the rows they return.
-- Large logged messages (stored out of line, in ai_training_data's TOAST
-- table) are counted in blocks of that table this backend reads: a path
-- that read the whole row of every usable row would read them all.
SET client_min_messages = warning;
SET pg_intent.allow_drop_with_data = on; -- the previous test's rows go (src/pg/drop_guard.cpp)
DROP EXTENSION IF EXISTS pg_intent CASCADE;
CREATE EXTENSION pg_intent;

-- The blocks of ai_training_data's TOAST table a statement reads (this
-- transaction's counters, which no flush resets inside one call).
CREATE FUNCTION pg_temp.toast_blocks(p_sql text) RETURNS bigint LANGUAGE plpgsql AS $$
DECLARE
    v_toast oid := (SELECT c.reltoastrelid FROM pg_class AS c WHERE c.oid = 'ai_training_data'::regclass);
    v_before bigint := pg_stat_get_xact_blocks_fetched(v_toast);
BEGIN
    EXECUTE p_sql;
    RETURN pg_stat_get_xact_blocks_fetched(v_toast) - v_before;
END $$;

-- Every label is a class; should_retrain() counts the usable rows once one
-- row is new.
UPDATE ai_training_policy SET min_unreviewed_intent_rows = 1, auto_retrain_threshold = 1;

-- Three logged rows with 200 kB messages (hex digits: stored out of line),
-- each distinct, and one short reviewed row, which comes first.
SELECT count(record_interaction(m || g, 'greeting', 90)) AS logged
  FROM (SELECT string_agg(md5(i::text), '') AS m FROM generate_series(1, 6250) AS i) AS s,
       generate_series(1, 3) AS g;
INSERT INTO ai_training_data (user_message, detected_intent, confidence_score, dataset_status, intent_correct)
VALUES ('hola', 'greeting', 90, 'reviewed', true);

-- The counter sees a message read.
SELECT pg_temp.toast_blocks('SELECT sum(length(user_message)) FROM ai_training_data') > 0 AS reading_messages_counts;

-- Counting the rows a run reads reads no message.
SELECT intent_internal._pg_intent_usable_samples(false) AS usable,
       pg_temp.toast_blocks('SELECT intent_internal._pg_intent_usable_samples(false)') AS usable_toast_blocks,
       pg_temp.toast_blocks('SELECT should_retrain()') AS should_retrain_toast_blocks,
       pg_temp.toast_blocks('SELECT count(*) FROM ai_metric_alerts') AS alerts_toast_blocks;

-- get_training_dataset() reads the messages of the rows it returns only:
-- the first row (the short reviewed one) costs no block of the large ones.
SELECT user_message, intent FROM get_training_dataset(0, false, 1);
SELECT pg_temp.toast_blocks('SELECT sum(length(user_message)) FROM get_training_dataset(0, false, 1)') AS first_row_toast_blocks;

-- Nor do the rows outside the window of the newest max_unreviewed_rows: the
-- call reads what reading its one large message alone reads.
UPDATE ai_training_policy SET max_unreviewed_rows = 1;
SELECT count(*) AS rows, count(*) FILTER (WHERE length(user_message) = 200001) AS large_rows
  FROM get_training_dataset();
SELECT id AS newest FROM get_training_dataset() WHERE user_message <> 'hola' \gset
SELECT pg_temp.toast_blocks('SELECT sum(length(user_message)) FROM get_training_dataset()')
     = pg_temp.toast_blocks(format('SELECT length(user_message) FROM ai_training_data WHERE id = %L', :'newest'))
       AS window_reads_one_message;
UPDATE ai_training_policy SET max_unreviewed_rows = DEFAULT;

-- Messages still come whole, the large ones included.
SELECT count(*) AS rows,
       count(*) FILTER (WHERE length(d.user_message) = 200001
                          AND d.user_message = t.user_message) AS whole_large
  FROM get_training_dataset() AS d JOIN ai_training_data AS t USING (id);
