-- The references between the extension's tables are one list,
-- intent_internal._pg_intent_references() (src/sql/12_references.sql): the
-- triggers that remove or unlink the referring rows of deleted rows, refuse
-- a TRUNCATE and refuse an id change read it and name no table. This test
-- holds the list to the catalog, so that a table that comes to refer to
-- ai_training_data, ai_training_runs or ai_intent_models is listed or
-- declared here as no reference, never forgotten; and it exercises every
-- entry of the list, whatever the list holds.
SET client_min_messages = warning;
SET pg_intent.allow_drop_with_data = on; -- the previous test's rows go (src/pg/drop_guard.cpp)
DROP EXTENSION IF EXISTS pg_intent CASCADE;
CREATE EXTENSION pg_intent;

CREATE TEMP VIEW refs AS
SELECT x.referenced, x.referring, x.referring_column, x.on_delete, x.position::integer AS position
  FROM intent_internal._pg_intent_references() WITH ORDINALITY AS x (referenced, referring, referring_column, on_delete, position);
SELECT * FROM refs ORDER BY position;

-- 1. The columns of the extension's tables named like a reference to a
--    referenced table (its id's name: training_data_id, run_id, model_id,
--    or ending in _ and that name) and of the type of its id.
CREATE TEMP VIEW reference_like_columns AS
SELECT t.referenced, c.relname::text AS referring, a.attname::text AS referring_column
  FROM pg_depend AS d
  JOIN pg_class AS c ON c.oid = d.objid AND c.relkind IN ('r', 'p')
  JOIN pg_attribute AS a ON a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped
  JOIN (VALUES ('ai_training_data', 'training_data_id'), ('ai_training_runs', 'run_id'),
               ('ai_intent_models', 'model_id')) AS t (referenced, id_name)
    ON a.attname = t.id_name OR a.attname LIKE '%\_' || t.id_name
  JOIN pg_attribute AS id ON id.attrelid = t.referenced::regclass AND id.attname = 'id' AND id.atttypid = a.atttypid
 WHERE d.classid = 'pg_class'::regclass AND d.deptype = 'e'
   AND d.refobjid = (SELECT oid FROM pg_extension WHERE extname = 'pg_intent');
-- The columns so named that are no reference: what they name may go and
-- they keep its id, as history.
CREATE TEMP TABLE no_reference (referring text, referring_column text, why text);
INSERT INTO no_reference VALUES
    ('ai_training_data', 'model_id', 'the model that answered when the message was logged'),
    ('ai_training_runs', 'model_id', 'the model the run made (ai_intent_models.run_id refers the other way)'),
    ('ai_metrics_snapshots', 'model_id', 'a frozen period''s figures'),
    ('ai_classifier_metrics_snapshots', 'model_id', 'a frozen period''s figures'),
    ('ai_shadow_predictions', 'champion_model_id', 'a comparison''s figures'),
    ('ai_shadow_predictions', 'challenger_model_id', 'a comparison''s figures'),
    ('ai_shadow_legacy_messages', 'training_data_id', 'texts the 0.2.1 upgrade moved, which pg_intent never reads');
-- Each such column is listed or declared no reference (none is both).
SELECT l.referenced, l.referring, l.referring_column AS neither_listed_nor_declared
  FROM reference_like_columns AS l
 WHERE NOT EXISTS (SELECT FROM refs AS r WHERE (r.referenced, r.referring, r.referring_column) = (l.referenced, l.referring, l.referring_column))
   AND NOT EXISTS (SELECT FROM no_reference AS n WHERE (n.referring, n.referring_column) = (l.referring, l.referring_column))
 ORDER BY 1, 2, 3;
SELECT n.referring, n.referring_column AS declared_but_no_such_column_or_listed
  FROM no_reference AS n
 WHERE NOT EXISTS (SELECT FROM reference_like_columns AS l WHERE (l.referring, l.referring_column) = (n.referring, n.referring_column))
    OR EXISTS (SELECT FROM refs AS r WHERE (r.referring, r.referring_column) = (n.referring, n.referring_column))
 ORDER BY 1, 2;
-- Each entry of the list is a column of the referenced id's type, with an
-- action the triggers know; a cascading column is NOT NULL (a row refers
-- when its column is not null, which the TRUNCATE refusal counts).
SELECT r.position, r.referring, r.referring_column AS not_a_reference_column
  FROM refs AS r
  LEFT JOIN pg_attribute AS a ON a.attrelid = to_regclass(r.referring) AND a.attname = r.referring_column AND NOT a.attisdropped
  LEFT JOIN pg_attribute AS id ON id.attrelid = to_regclass(r.referenced) AND id.attname = 'id'
 WHERE a.atttypid IS DISTINCT FROM id.atttypid OR r.on_delete NOT IN ('cascade', 'set null')
    OR (r.on_delete = 'cascade' AND NOT a.attnotnull)
 ORDER BY 1;
-- Each referenced table has the three triggers, which call the functions
-- that read the list.
SELECT t.tgrelid::regclass AS referenced, t.tgname, t.tgfoid::regproc AS function
  FROM pg_trigger AS t
 WHERE t.tgrelid IN (SELECT to_regclass(r.referenced) FROM refs AS r)
   AND t.tgfoid IN ('intent_internal._pg_intent_references_gone'::regproc, 'intent_internal._pg_intent_refuse_key_change'::regproc)
 ORDER BY 1::text, 2;
SELECT DISTINCT r.referenced AS without_its_triggers FROM refs AS r
 WHERE (SELECT count(*) FROM pg_trigger AS t
         WHERE t.tgrelid = to_regclass(r.referenced)
           AND t.tgfoid IN ('intent_internal._pg_intent_references_gone'::regproc, 'intent_internal._pg_intent_refuse_key_change'::regproc)) <> 3;

-- 2. Every entry, on its own: a row of the referenced table and one row of
--    the referring table that refers to it, nothing else in the tables of
--    the list. Changing the id is refused, naming the referring table;
--    TRUNCATE is refused, naming it; DELETE removes the referring row
--    (cascade) or clears its reference (set null). All undone after each.
-- A new row of a referenced table (its id as text). A referenced table
-- without a fixture here fails (case not found).
CREATE FUNCTION pg_temp.new_row(p_table text) RETURNS text LANGUAGE plpgsql AS $$
DECLARE
    v text;
BEGIN
    CASE p_table
    WHEN 'ai_training_data' THEN
        INSERT INTO ai_training_data (user_message, detected_intent) VALUES ('mensaje ' || gen_random_uuid(), 'greeting')
        RETURNING id INTO v;
    WHEN 'ai_training_runs' THEN
        INSERT INTO ai_training_runs (status) VALUES ('completed') RETURNING id INTO v;
    WHEN 'ai_intent_models' THEN
        INSERT INTO ai_intent_models (version, algorithm, size_bytes, sha256, intents)
        VALUES ('v' || gen_random_uuid(), 'test', 0, '', '{greeting}') RETURNING id INTO v;
    END CASE;
    RETURN v;
END $$;
-- A new row of a referring table whose p_column holds p_id; the other
-- references the table needs are rows of their own. A referring table
-- without a fixture here fails.
CREATE FUNCTION pg_temp.new_reference(p_table text, p_column text, p_id text) RETURNS void LANGUAGE plpgsql AS $$
DECLARE
    v_row jsonb;
    v_columns text;
BEGIN
    CASE p_table
    WHEN 'ai_intent_corrections' THEN
        v_row := jsonb_build_object('training_data_id', pg_temp.new_row('ai_training_data'), 'corrected_intent', 'greeting');
    WHEN 'ai_review_actions' THEN
        v_row := jsonb_build_object('training_data_id', pg_temp.new_row('ai_training_data'), 'action', 'reject', 'reason', 'prueba');
    WHEN 'ai_training_run_rows' THEN
        v_row := jsonb_build_object('run_id', pg_temp.new_row('ai_training_runs'), 'training_data_id', pg_temp.new_row('ai_training_data'),
                                    'intent', 'greeting');
    WHEN 'ai_shadow_predictions' THEN
        v_row := jsonb_build_object('challenger_model_id', 1, 'agreed', true);
    WHEN 'ai_classifier_run_rows' THEN
        v_row := jsonb_build_object('run_id', pg_temp.new_row('ai_training_runs'), 'row_key', gen_random_uuid(), 'label', 'a');
    WHEN 'ai_intent_models' THEN
        v_row := jsonb_build_object('version', 'v' || gen_random_uuid(), 'algorithm', 'test', 'size_bytes', 0, 'sha256', '',
                                    'intents', '{greeting}'::text[]);
    WHEN 'ai_model_deployments' THEN
        v_row := jsonb_build_object('model_id', pg_temp.new_row('ai_intent_models'), 'reason', 'manual');
    END CASE;
    v_row := v_row || jsonb_build_object(p_column, p_id);
    SELECT string_agg(quote_ident(k), ', ') INTO v_columns FROM jsonb_object_keys(v_row) AS k;
    EXECUTE format('INSERT INTO %I (%s) SELECT %s FROM jsonb_populate_record(NULL::%I, $1)', p_table, v_columns, v_columns, p_table)
      USING v_row;
END $$;
-- Empties every table of the list (together, as the refusal asks).
CREATE FUNCTION pg_temp.empty_all() RETURNS void LANGUAGE plpgsql AS $$
BEGIN
    EXECUTE (SELECT 'TRUNCATE ' || string_agg(DISTINCT quote_ident(t), ', ')
               FROM refs AS r CROSS JOIN LATERAL (VALUES (r.referenced), (r.referring)) AS v (t));
END $$;
CREATE FUNCTION pg_temp.exercise(p_referenced text, p_referring text, p_column text,
    OUT id_change text, OUT id_change_detail text, OUT truncate_alone text, OUT truncate_detail text,
    OUT after_delete text, OUT truncate_after_delete text)
LANGUAGE plpgsql AS $$
DECLARE
    v text;
    v_type text := (SELECT format_type(atttypid, NULL) FROM pg_attribute WHERE attrelid = p_referenced::regclass AND attname = 'id');
    v_rows bigint;
    v_rows_after bigint;
    v_referring bigint;
    v_detail text;
BEGIN
    BEGIN
        PERFORM pg_temp.empty_all();
        v := pg_temp.new_row(p_referenced);
        PERFORM pg_temp.new_reference(p_referring, p_column, v);
        BEGIN
            EXECUTE format('UPDATE %I SET id = %s WHERE id = $1::%s', p_referenced,
                           CASE v_type WHEN 'uuid' THEN 'gen_random_uuid()' ELSE 'id + 1000000' END, v_type) USING v;
            id_change := 'ok';
        EXCEPTION WHEN OTHERS THEN
            GET STACKED DIAGNOSTICS v_detail = PG_EXCEPTION_DETAIL;
            id_change := SQLSTATE || ': ' || SQLERRM;
            id_change_detail := replace(v_detail, v, 'ID');
        END;
        BEGIN
            EXECUTE format('TRUNCATE %I', p_referenced);
            truncate_alone := 'ok';
        EXCEPTION WHEN OTHERS THEN
            GET STACKED DIAGNOSTICS v_detail = PG_EXCEPTION_DETAIL;
            truncate_alone := SQLSTATE || ': ' || SQLERRM;
            truncate_detail := v_detail;
        END;
        EXECUTE format('SELECT count(*) FROM %I', p_referring) INTO v_rows;
        EXECUTE format('DELETE FROM %I WHERE id = $1::%s', p_referenced, v_type) USING v;
        EXECUTE format('SELECT count(*), count(*) FILTER (WHERE %I::text = $1) FROM %I', p_column, p_referring)
           INTO v_rows_after, v_referring USING v;
        after_delete := CASE WHEN v_referring > 0 THEN 'still refers'
                             WHEN v_rows_after = v_rows - 1 THEN 'cascade'
                             WHEN v_rows_after = v_rows THEN 'set null'
                             ELSE 'lost ' || (v_rows - v_rows_after) || ' rows' END;
        BEGIN
            EXECUTE format('TRUNCATE %I', p_referenced);
            truncate_after_delete := 'ok';
        EXCEPTION WHEN OTHERS THEN
            GET STACKED DIAGNOSTICS v_detail = PG_EXCEPTION_DETAIL;
            truncate_after_delete := SQLSTATE || ': ' || v_detail;
        END;
        RAISE EXCEPTION USING ERRCODE = 'ZZ001', MESSAGE = 'undone';
    EXCEPTION WHEN SQLSTATE 'ZZ001' THEN
        NULL;
    END;
END $$;
\x on
SELECT r.position, r.referenced, r.referring, r.referring_column, r.on_delete, e.*,
       e.after_delete = r.on_delete AS deleted_as_listed
  FROM refs AS r CROSS JOIN LATERAL pg_temp.exercise(r.referenced, r.referring, r.referring_column) AS e
 ORDER BY r.position;
\x off

-- 3. Every entry at once: a TRUNCATE names every referring table with rows
--    that refer, in the list's order, and says how to proceed.
SELECT pg_temp.empty_all();
SELECT count(*) AS references_made
  FROM refs AS r CROSS JOIN LATERAL pg_temp.new_reference(r.referring, r.referring_column, pg_temp.new_row(r.referenced));
CREATE FUNCTION pg_temp.truncate_refusal(p_table text, OUT state text, OUT message text, OUT detail text, OUT hint text)
LANGUAGE plpgsql AS $$
BEGIN
    EXECUTE format('TRUNCATE %I', p_table);
EXCEPTION WHEN OTHERS THEN
    GET STACKED DIAGNOSTICS state = RETURNED_SQLSTATE, message = MESSAGE_TEXT, detail = PG_EXCEPTION_DETAIL, hint = PG_EXCEPTION_HINT;
END $$;
\x on
SELECT t.referenced, e.*
  FROM (SELECT referenced, min(position) AS first FROM refs GROUP BY referenced) AS t
 CROSS JOIN LATERAL pg_temp.truncate_refusal(t.referenced) AS e
 ORDER BY t.first;
\x off
-- Deleting every referenced row, one statement per table, leaves no row
-- that refers (a row per entry: the rows it refers with).
DELETE FROM ai_training_data;
DELETE FROM ai_training_runs;
DELETE FROM ai_intent_models;
CREATE FUNCTION pg_temp.still_referring(p_referring text, p_column text) RETURNS bigint LANGUAGE plpgsql AS $$
DECLARE
    v bigint;
BEGIN
    EXECUTE format('SELECT count(*) FROM %I WHERE %I IS NOT NULL', p_referring, p_column) INTO v;
    RETURN v;
END $$;
SELECT r.position, r.referring, r.referring_column, pg_temp.still_referring(r.referring, r.referring_column) AS still_referring
  FROM refs AS r ORDER BY r.position;
SELECT pg_temp.empty_all();
