-- train_intent_model() reads ai_training_data in C (_pg_intent_train_table).
-- It must read exactly the rows get_training_dataset() returns, with the same
-- labels and weights, and so build the same model bytes as the array entry
-- point fed by that SQL in 0.1.0's order.
SET client_min_messages = warning;
SET pg_intent.allow_drop_with_data = on; -- the previous test's rows go (src/pg/drop_guard.cpp)
DROP EXTENSION IF EXISTS pg_intent CASCADE;
CREATE EXTENSION pg_intent;

\i test/fixtures/try.sql
\i test/fixtures/try_detail.sql
\i test/fixtures/legacy_rows.sql
\i test/fixtures/spanish_100.sql

-- Rows of every kind get_training_dataset() decides on.
SELECT pg_temp.add_samples(ARRAY['los zapatos', 'la camiseta', 'el vestido', 'la chaqueta', 'el bolso']) AS added;
SELECT pg_temp.add_samples(ARRAY['la gorra'], true) AS judged_right;
-- (The empty label is one 0.2.0 stored; 0.2.1's constraints refuse it.)
SELECT pg_temp.as_before_0_2_1($$
INSERT INTO ai_training_data (user_message, detected_intent, correct_intent, confidence_score, intent_correct,
                              corrected_by_human, dataset_status, created_at)
VALUES ('quiero cambiar la talla del abrigo', 'product_info', 'return_process', 40, false, true, 'pending', now() - interval '1 day'),
       ('el abrigo no llega nunca', 'product_info', NULL, 90, false, false, 'pending', now()),     -- wrong, no correction
       ('spam spam spam', 'product_info', NULL, 90, NULL, false, 'rejected', now()),               -- rejected
       ('sin etiqueta', NULL, NULL, 90, NULL, false, 'pending', now()),                            -- no label
       ('sin etiqueta tampoco', '', '', 90, NULL, false, 'pending', now()),                        -- empty label
       ('pago con paypal el abrigo', 'payment_issue', NULL, 10, NULL, false, 'pending', now()),     -- low confidence
       ('pago con bizum el abrigo', 'payment_issue', NULL, 10, NULL, false, 'reviewed', now()),     -- low, but reviewed
       ('¿tienen el abrigo en azul?', 'product_info', NULL, 95, NULL, false, 'approved', now()),
       ('quiero devolver el abrigo', 'return_process', NULL, 95, NULL, false, 'pending', now()),    -- a duplicate text
       ('quiero devolver el abrigo', 'shipping_problem', 'return_process', 95, false, true, 'pending', now())
$$);

-- The rows a run read are get_training_dataset()'s, with its labels.
CREATE FUNCTION pg_temp.same_rows(p_run uuid, p_min_confidence integer, p_only_reviewed boolean, p_limit integer)
RETURNS boolean LANGUAGE sql AS $$
    SELECT NOT EXISTS (
        (SELECT training_data_id, intent FROM ai_training_run_rows WHERE run_id = p_run
         EXCEPT ALL
         SELECT id, intent FROM get_training_dataset(p_min_confidence, p_only_reviewed, p_limit))
        UNION ALL
        (SELECT id, intent FROM get_training_dataset(p_min_confidence, p_only_reviewed, p_limit)
         EXCEPT ALL
         SELECT training_data_id, intent FROM ai_training_run_rows WHERE run_id = p_run))
$$;

-- The model the array entry point builds from get_training_dataset() in
-- 0.1.0's order, with the caller's training options and the policy's. (The
-- run records the options in effect, C as selected among them.)
CREATE FUNCTION pg_temp.array_model(p_options jsonb, p_min_confidence integer, p_only_reviewed boolean, p_limit integer)
RETURNS bytea LANGUAGE sql AS $$
    SELECT t.model
      FROM (SELECT array_agg(d.user_message ORDER BY d.user_message COLLATE "C", d.intent COLLATE "C", d.corrected_by_human DESC, d.id) AS texts,
                   array_agg(d.intent ORDER BY d.user_message COLLATE "C", d.intent COLLATE "C", d.corrected_by_human DESC, d.id) AS labels,
                   array_agg(CASE WHEN d.corrected_by_human THEN p.corrected_weight ELSE 1::real END
                             ORDER BY d.user_message COLLATE "C", d.intent COLLATE "C", d.corrected_by_human DESC, d.id) AS weights,
                   array_agg(d.corrected_by_human ORDER BY d.user_message COLLATE "C", d.intent COLLATE "C", d.corrected_by_human DESC, d.id) AS corrected
              FROM get_training_dataset(p_min_confidence, p_only_reviewed, p_limit) AS d, ai_training_policy AS p) AS a,
           ai_training_policy AS p,
           LATERAL intent_internal._pg_intent_train(a.texts, a.labels, a.weights, a.corrected,
                                    p_options || jsonb_build_object('min_gate_rows', p.min_gate_rows, 'out_of_scope_intent', p.out_of_scope_intent,
                                                          'out_of_scope_mode', p.out_of_scope_mode, 'threads', p.max_training_threads),
                                    NULL) AS t
$$;

-- Default selection.
SELECT (train_intent_model('all', 'full', '{"seed": 5, "deploy": "never"}') ->> 'run_id')::uuid AS run \gset
SELECT pg_temp.same_rows(:'run', 0, false, 2147483647) AS same_rows,
       (SELECT count(*) FROM ai_training_run_rows WHERE run_id = :'run') AS rows_read,
       (SELECT model FROM ai_intent_models WHERE run_id = :'run') = pg_temp.array_model('{"seed": 5}', 0, false, 2147483647) AS same_model;

-- Each SQL-level option selects as get_training_dataset() does.
SELECT (train_intent_model('confident', 'full', '{"seed": 5, "deploy": "never", "min_confidence": 50}') ->> 'run_id')::uuid AS run \gset
SELECT pg_temp.same_rows(:'run', 50, false, 2147483647) AS same_rows,
       (SELECT count(*) FROM ai_training_run_rows WHERE run_id = :'run') AS rows_read,
       (SELECT model FROM ai_intent_models WHERE run_id = :'run') = pg_temp.array_model('{"seed": 5}', 50, false, 2147483647) AS same_model;
SELECT (train_intent_model('reviewed', 'full', '{"seed": 5, "deploy": "never", "only_reviewed": true}') ->> 'run_id')::uuid AS run \gset
SELECT pg_temp.same_rows(:'run', 0, true, 2147483647) AS same_rows,
       (SELECT count(*) FROM ai_training_run_rows WHERE run_id = :'run') AS rows_read,
       (SELECT model FROM ai_intent_models WHERE run_id = :'run') = pg_temp.array_model('{"seed": 5}', 0, true, 2147483647) AS same_model;
SELECT (train_intent_model('newest', 'full', '{"seed": 5, "deploy": "never", "limit": 60}') ->> 'run_id')::uuid AS run \gset
SELECT pg_temp.same_rows(:'run', 0, false, 60) AS same_rows,
       (SELECT count(*) FROM ai_training_run_rows WHERE run_id = :'run') AS rows_read,
       (SELECT model FROM ai_intent_models WHERE run_id = :'run') = pg_temp.array_model('{"seed": 5}', 0, false, 60) AS same_model;

-- Every row read has one out-of-fold prediction (cross-validation: a fold
-- and a predicted intent for each), and training left dataset_status alone.
SELECT count(*) AS rows_read, count(fold) AS with_fold, count(predicted_intent) AS predicted,
       bool_and(confidence BETWEEN 0 AND 1) AS confidences, bool_and(label_probability BETWEEN 0 AND 1) AS label_probabilities
  FROM ai_training_run_rows WHERE run_id = :'run';
SELECT dataset_status, count(*) FROM ai_training_data GROUP BY 1 ORDER BY 1;

-- A row labelled "uncertain" (classify_intent()'s abstention), which 0.2.0
-- stored and which then failed every run with 22023, is left out and
-- counted; the run completes (0.2.1's constraints refuse new such labels).
SELECT pg_temp.as_before_0_2_1($$UPDATE ai_training_data SET correct_intent = 'uncertain', corrected_by_human = true
 WHERE user_message = 'quiero cambiar la talla del abrigo'$$);
SELECT r ->> 'status' AS status, r ->> 'error' AS error, r ->> 'sqlstate' AS sqlstate
  FROM train_intent_model('reserved label', 'full', '{"deploy": "never"}') AS r;
SELECT metrics ->> 'rows_skipped_invalid_label' AS rows_skipped_invalid_label,
       (SELECT count(*) FROM ai_training_run_rows AS rr WHERE rr.run_id = r.id) AS rows_read
  FROM ai_training_runs AS r WHERE run_name = 'reserved label';
UPDATE ai_training_data SET correct_intent = 'return_process'
 WHERE user_message = 'quiero cambiar la talla del abrigo';

-- A bad argument to the internal function raises, naming what is wrong; it
-- is not open to PUBLIC (train_intent_model() is the way in).
SELECT pg_temp.try($$SELECT * FROM intent_internal._pg_intent_train_table(gen_random_uuid(), '{}', NULL, NULL, NULL, NULL, 'intent', NULL)$$);
SELECT pg_temp.try($$SELECT * FROM intent_internal._pg_intent_train_table(gen_random_uuid(), '{"no_such_option": 1}', (SELECT p FROM ai_training_policy AS p), NULL, NULL, NULL, 'intent', NULL)$$);
-- The result row holds what a run's record reads and nothing more: the
-- trainer inserts the run's rows itself (run_rows.cpp), so the nine per-row
-- arrays 0.3.1's worker inserted (row_ids ... row_keys) are not declared
-- (issue 33 point 2: they were declared and always NULL).
SELECT count(*) AS out_columns, string_agg(a.name, ' ' ORDER BY a.i) AS names
  FROM pg_proc AS p, unnest(p.proargnames, p.proargmodes) WITH ORDINALITY AS a (name, mode, i)
 WHERE p.oid = 'intent_internal._pg_intent_train_table(uuid, jsonb, ai_training_policy, bigint, uuid, double precision, text, text)'::regprocedure
   AND a.mode = 'o';
-- The result row is built by its columns' names and types, and checked
-- against the declaration before anything is read: a declaration that
-- drifts (here two columns swapped) is an error naming the column.
CREATE SCHEMA pgi_tt_drift;
DO $$ BEGIN
    EXECUTE format('CREATE FUNCTION pgi_tt_drift.train_table(%s) RETURNS record AS %L, %L LANGUAGE C',
                   replace(replace(replace(pg_get_function_arguments('intent_internal._pg_intent_train_table(uuid, jsonb, ai_training_policy, bigint, uuid, double precision, text, text)'::regprocedure),
                                           'OUT deploy boolean', 'OUT swapped'),
                                   'OUT deploy_reason text', 'OUT deploy boolean'),
                           'OUT swapped', 'OUT deploy_reason text'),
                   '$libdir/pg_intent', 'pg_intent_train_table');
END $$;
SELECT pg_temp.try($$SELECT model FROM pgi_tt_drift.train_table(gen_random_uuid(), '{}', (SELECT p FROM ai_training_policy AS p), NULL, NULL, NULL, 'intent', NULL)$$) AS drifted_declaration;
-- 0.3.1's declaration (those columns, then the nine row arrays) is read
-- only while 0.3.1's SQL is installed, until ALTER EXTENSION UPDATE
-- (COMPAT(0.3.1), test/scripts/upgrade_031.sh); under 0.3.2's it is a
-- drift like any other.
DO $$ BEGIN
    EXECUTE format('CREATE FUNCTION pgi_tt_drift.train_table_031(%s, OUT row_ids uuid[], OUT row_intents text[], OUT row_fresh boolean[], '
                   'OUT row_folds smallint[], OUT row_predicted text[], OUT row_confidence real[], '
                   'OUT row_label_probability real[], OUT row_uncertain boolean[], OUT row_keys text[]) RETURNS record AS %L, %L LANGUAGE C',
                   pg_get_function_arguments('intent_internal._pg_intent_train_table(uuid, jsonb, ai_training_policy, bigint, uuid, double precision, text, text)'::regprocedure),
                   '$libdir/pg_intent', 'pg_intent_train_table');
END $$;
SELECT pg_temp.try($$SELECT model FROM pgi_tt_drift.train_table_031(gen_random_uuid(), '{}', (SELECT p FROM ai_training_policy AS p), NULL, NULL, NULL, 'intent', NULL)$$) AS declaration_031;
DROP SCHEMA pgi_tt_drift CASCADE;
-- The table holds the policy's only defaults: a row built by hand with a
-- NULL in a NOT NULL column is refused, naming it (0.3.1 read a NULL
-- max_intents as 100 labels, where the table's default is 1000).
SELECT pg_temp.try($$SELECT * FROM intent_internal._pg_intent_train_table(gen_random_uuid(), '{}', jsonb_populate_record((SELECT p FROM ai_training_policy AS p), '{"max_intents": null}'), NULL, NULL, NULL, 'intent', NULL)$$) AS null_max_intents;
SELECT pg_temp.try($$SELECT * FROM intent_internal._pg_intent_train_table(gen_random_uuid(), '{}', jsonb_populate_record((SELECT p FROM ai_training_policy AS p), '{"out_of_scope_intent": null}'), NULL, NULL, NULL, 'intent', NULL)$$) AS null_out_of_scope_intent;
-- An options document over 64 kB is refused before it is parsed (parsing
-- cost many times its size; intent_training_options() is open to PUBLIC).
SELECT pg_temp.try($$SELECT intent_training_options(jsonb_build_object('seed', 1, 'x', repeat('a', 70000)))$$) AS huge_options;
SELECT pg_temp.try($$SELECT intent_training_options(jsonb_build_object('seed', 1, 'x', repeat('a', 60000)))$$) AS large_options_parsed;
SELECT pg_temp.try($$SELECT train_intent_model('huge', 'full', jsonb_build_object('x', repeat('a', 70000)))$$) AS huge_train_options;
-- A number beyond a double's range (jsonb takes it) is named by its key.
SELECT pg_temp.try_detail($$SELECT intent_training_options('{"seed": 1, "limit": 1e400}')$$) AS limit_out_of_range;
SELECT has_function_privilege('public', 'intent_internal._pg_intent_train_table(uuid, jsonb, ai_training_policy, bigint, uuid, double precision, text, text)', 'EXECUTE') AS public_execute;

-- A role granted EXECUTE on it anyway (GRANT ... ON ALL FUNCTIONS IN SCHEMA)
-- still needs SELECT on ai_training_data, and row security is not bypassed:
-- the function reads the table without the parser's checks.
CREATE ROLE pgi_tt_helper NOLOGIN;
-- The policy row is the caller's to pass (here: at least 2 rows, 1 thread).
SELECT jsonb_populate_record((SELECT p FROM ai_training_policy AS p), '{"min_samples_for_training": 2, "max_training_threads": 1}')::text AS tt_policy \gset
GRANT EXECUTE ON FUNCTION intent_internal._pg_intent_train_table(uuid, jsonb, ai_training_policy, bigint, uuid, double precision, text, text) TO pgi_tt_helper;
SET ROLE pgi_tt_helper;
SELECT pg_temp.try('SELECT octet_length(model) FROM intent_internal._pg_intent_train_table(gen_random_uuid(), ''{}'', ' || quote_literal(:'tt_policy') || '::ai_training_policy, NULL, NULL, NULL, ''intent'', NULL)');
RESET ROLE;
GRANT SELECT ON ai_training_data TO pgi_tt_helper;
ALTER TABLE ai_training_data ENABLE ROW LEVEL SECURITY;
SET ROLE pgi_tt_helper;
SELECT pg_temp.try('SELECT octet_length(model) FROM intent_internal._pg_intent_train_table(gen_random_uuid(), ''{}'', ' || quote_literal(:'tt_policy') || '::ai_training_policy, NULL, NULL, NULL, ''intent'', NULL)');
RESET ROLE;
ALTER TABLE ai_training_data DISABLE ROW LEVEL SECURITY;
SET ROLE pgi_tt_helper;
SELECT octet_length(model) > 0 AS trains_with_select FROM intent_internal._pg_intent_train_table(gen_random_uuid(), '{}', :'tt_policy'::ai_training_policy, NULL, NULL, NULL, 'intent', NULL);
RESET ROLE;
-- The model comes back compressed with its column's method, as storing it
-- compresses it (the same stored bytes), so that each copy the record makes
-- of it (its argument, the digest trigger's row, the transition table) is a
-- fraction of its size.
SELECT pg_column_compression(t.model) = (SELECT CASE a.attcompression WHEN 'l' THEN 'lz4' WHEN 'p' THEN 'pglz'
                                                ELSE current_setting('default_toast_compression') END
                                           FROM pg_attribute AS a
                                          WHERE a.attrelid = 'ai_intent_models'::regclass AND a.attname = 'model') AS compressed_as_stored,
       pg_column_size(t.model) < octet_length(t.model) AS smaller
  FROM intent_internal._pg_intent_train_table(gen_random_uuid(), '{}', :'tt_policy'::ai_training_policy, NULL, NULL, NULL, 'intent', NULL) AS t;
-- The owner's path is unchanged with row security on (the owner is exempt).
ALTER TABLE ai_training_data ENABLE ROW LEVEL SECURITY;
SELECT r ->> 'status' AS status FROM train_intent_model('owner with rls', 'full', '{"deploy": "never"}') AS r;
ALTER TABLE ai_training_data DISABLE ROW LEVEL SECURITY;
REVOKE ALL ON ai_training_data FROM pgi_tt_helper;
REVOKE ALL ON FUNCTION intent_internal._pg_intent_train_table(uuid, jsonb, ai_training_policy, bigint, uuid, double precision, text, text) FROM pgi_tt_helper;
DROP ROLE pgi_tt_helper;

-- The table owner removed NOT NULL constraints the reader relies on. A
-- NULL created_at is newest, as get_training_dataset()'s ORDER BY puts it
-- (0.2.0 before this took it for 2000-01-01 and read other rows under a
-- limit); a row without an id fails the run with 55000 and a hint, and a
-- recorded row without its label makes that row fresh: neither read a null
-- pointer (both crashed the backend before).
BEGIN;
ALTER TABLE ai_training_data ALTER COLUMN created_at DROP NOT NULL;
UPDATE ai_training_data SET created_at = NULL
 WHERE id IN (SELECT id FROM ai_training_data ORDER BY created_at, id LIMIT 3);
SELECT r ->> 'status' AS status, r ->> 'run_id' AS run FROM train_intent_model('null created_at', 'full', '{"deploy": "never", "limit": 20}') AS r \gset
\echo :status
SELECT pg_temp.same_rows(:'run', 0, false, 20) AS same_rows_null_created_at;
ROLLBACK;
BEGIN;
ALTER TABLE ai_training_data DROP CONSTRAINT ai_training_data_pkey CASCADE;
ALTER TABLE ai_training_data ALTER COLUMN id DROP NOT NULL;
INSERT INTO ai_training_data (id, user_message, detected_intent, dataset_status)
VALUES (NULL, 'quiero devolver el sombrero', 'return_process', 'approved');
SELECT r ->> 'status' AS status, r ->> 'sqlstate' AS sqlstate, r ->> 'error' AS error
  FROM train_intent_model('null id', 'full', '{"deploy": "never"}') AS r;
ROLLBACK;
BEGIN;
SELECT r ->> 'deploy_reason' AS deploy_reason FROM train_intent_model('baseline', 'full', '{"deploy": "always"}') AS r;
ALTER TABLE ai_training_run_rows ALTER COLUMN intent DROP NOT NULL;
UPDATE ai_training_run_rows SET intent = NULL
 WHERE run_id = (SELECT run_id FROM ai_intent_models WHERE is_active)
   AND training_data_id IN (SELECT id FROM ai_training_data WHERE dataset_status = 'approved');
SELECT r ->> 'status' AS status, r ->> 'run_id' AS run FROM train_intent_model('null intent', 'full', '{"deploy": "never"}') AS r \gset
\echo :status
SELECT count(*) FILTER (WHERE fresh) = (SELECT count(*) FROM ai_training_data WHERE dataset_status = 'approved') AS approved_rows_fresh
  FROM ai_training_run_rows WHERE run_id = :'run';
ROLLBACK;
-- A label longer than 256 bytes makes no training row, in get_training_dataset()
-- and in the reader alike (metrics.rows_skipped_long_label counts them): no
-- intent is named so, and one such row, which any role allowed to log
-- interactions can write, put its 200 kB label in every model (a class of
-- one example still trains). A label of exactly 256 bytes is kept.
-- (0.2.1's constraints refuse such labels; 0.2.0 stored them. The one row
-- of the 256-byte label is a class: the policy's floor for unreviewed
-- labels is lowered to one row.)
BEGIN;
UPDATE ai_training_policy SET min_unreviewed_intent_rows = 1;
SELECT pg_temp.as_before_0_2_1($$
INSERT INTO ai_training_data (user_message, detected_intent, correct_intent, confidence_score)
VALUES ('hola quiero algo raro', repeat('x', 200000), NULL, 90),
       ('hola quiero algo distinto', 'return_process', repeat('y', 257), 90),
       ('hola quiero algo largo', repeat('z', 256), NULL, 90)
$$);
SELECT count(*) FILTER (WHERE octet_length(intent) > 256) AS long_labels,
       count(*) FILTER (WHERE intent = repeat('z', 256)) AS label_of_256_bytes
  FROM get_training_dataset();
SELECT r ->> 'status' AS status, r ->> 'run_id' AS run FROM train_intent_model('long labels', 'full', '{"deploy": "never"}') AS r \gset
\echo :status
SELECT pg_temp.same_rows(:'run', 0, false, 2147483647) AS same_rows_long_labels,
       metrics -> 'rows_skipped_long_label' AS rows_skipped_long_label
  FROM ai_training_runs WHERE id = :'run';
SELECT max(octet_length(label)) AS longest_model_label
  FROM ai_intent_models AS m, unnest(m.intents) AS label WHERE m.run_id = :'run';
ROLLBACK;
