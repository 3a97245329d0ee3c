-- evaluate_intent_model(p_model_id, p_query): a model scored on the rows of
-- any read-only query, run with the caller's rights. The metrics equal what
-- predict_intent() gives over the same rows; errors carry their SQLSTATE; a
-- role sees only what it may read (privileges and row-level security).
SET client_min_messages = warning;
SET pg_intent.allow_drop_with_data = on; -- the previous test's rows go (src/pg/drop_guard.cpp)
DROP EXTENSION IF EXISTS pg_intent CASCADE;
CREATE EXTENSION pg_intent;
DROP ROLE IF EXISTS pgi_ev_user;
CREATE ROLE pgi_ev_user NOLOGIN;
\i test/fixtures/try.sql
\i test/fixtures/spanish_100.sql

-- No model yet: as predict_intent(), 55000.
SELECT pg_temp.try($$SELECT evaluate_intent_model(NULL, 'VALUES (''hola'', ''greeting'')')$$) AS no_model;

SELECT pg_temp.add_samples(ARRAY['los zapatos', 'la camiseta', 'el vestido', 'la chaqueta', 'el bolso']) AS added;
SELECT (train_intent_model('first', 'full', '{"seed": 5}') ->> 'model_id')::bigint AS model \gset
-- a second model, never deployed, trained without char n-grams
SELECT (train_intent_model('second', 'full', '{"seed": 5, "deploy": "never", "char_ngrams": false}') ->> 'model_id')::bigint AS other \gset

-- Labelled rows the models never saw: other products, some harder wording,
-- an intent the models do not know, and rows without a message or a label.
CREATE TABLE holdout (id serial PRIMARY KEY, message text, intent text);
INSERT INTO holdout (message, intent)
SELECT format(t.tpl, p.product), t.intent
  FROM (VALUES ('return_process', 'quiero devolver %s'), ('return_process', 'me reembolsan %s?'),
               ('shipping_problem', 'no llega %s'), ('shipping_problem', 'donde esta el envio de %s'),
               ('payment_issue', 'no me deja pagar %s'), ('payment_issue', 'cobro duplicado de %s'),
               ('product_info', 'que talla es %s'), ('product_info', '%s viene en azul?')) AS t(intent, tpl)
 CROSS JOIN (VALUES ('la gorra'), ('el reloj'), ('las gafas')) AS p(product);
INSERT INTO holdout (message, intent) VALUES
    ('hola buenas tardes', 'greeting'), (NULL, 'product_info'), ('sin etiqueta', NULL), ('etiqueta vacia', '');

-- The same rows through predict_intent(), as the reference.
CREATE FUNCTION pg_temp.reference(p_model bigint)
RETURNS TABLE (id integer, truth text, predicted text, uncertain boolean) LANGUAGE sql AS $$
    SELECT h.id, h.intent, p.predicted_intent, p.uncertain
      FROM holdout AS h, LATERAL predict_intent(h.message, p_model) AS p
     WHERE h.message IS NOT NULL AND coalesce(h.intent, '') <> ''
$$;
-- Does the metrics object agree with the reference? Row counts, accuracy,
-- abstentions, every confusion count and every intent's support.
CREATE FUNCTION pg_temp.agrees(m jsonb, p_model bigint) RETURNS TABLE (check_name text, ok boolean) LANGUAGE sql AS $$
    WITH ref AS (SELECT * FROM pg_temp.reference(p_model)),
    labels AS (SELECT l.label, (l.i - 1)::integer AS i FROM jsonb_array_elements_text(m -> 'confusion' -> 'labels') WITH ORDINALITY AS l(label, i)),
    matrix AS (SELECT t.label AS truth, p.label AS predicted, (m -> 'confusion' -> 'matrix' -> t.i ->> p.i)::bigint AS n
                 FROM labels AS t, labels AS p),
    ref_matrix AS (SELECT t.label AS truth, p.label AS predicted,
                          (SELECT count(*) FROM ref WHERE ref.truth = t.label AND ref.predicted = p.label) AS n
                     FROM labels AS t, labels AS p)
    SELECT 'rows', (m ->> 'rows')::bigint = (SELECT count(*) FROM ref)
    UNION ALL SELECT 'query_rows', (m ->> 'query_rows')::bigint = (SELECT count(*) FROM holdout)
    UNION ALL SELECT 'skipped', (m ->> 'skipped')::bigint = (SELECT count(*) FROM holdout WHERE message IS NULL OR coalesce(intent, '') = '')
    UNION ALL SELECT 'accuracy', (m ->> 'accuracy')::float8 = (SELECT count(*) FILTER (WHERE truth = predicted)::float8 / count(*) FROM ref)
    UNION ALL SELECT 'unknown_truth', (m ->> 'unknown_truth')::bigint = (SELECT count(*) FROM ref WHERE truth NOT IN (SELECT label FROM labels))
    UNION ALL SELECT 'abstained', (m ->> 'abstained')::bigint = (SELECT count(*) FROM ref WHERE uncertain)
    UNION ALL SELECT 'coverage', (m ->> 'coverage')::float8 = (SELECT count(*) FILTER (WHERE NOT uncertain)::float8 / count(*) FROM ref)
    UNION ALL SELECT 'confusion', NOT EXISTS (SELECT * FROM matrix EXCEPT SELECT * FROM ref_matrix)
    UNION ALL SELECT 'support', (SELECT bool_and((m -> 'per_intent' -> l.label ->> 'support')::bigint
                                                 = (SELECT count(*) FROM ref WHERE ref.truth = l.label)) FROM labels AS l)
    UNION ALL SELECT 'model_id', (m ->> 'model_id')::bigint = p_model
$$;

-- On a table, with the active model (NULL).
SELECT evaluate_intent_model(NULL, 'SELECT message, intent FROM holdout ORDER BY id') AS m \gset
SELECT * FROM pg_temp.agrees(:'m', :model);
SELECT (:'m'::jsonb) ->> 'rows' AS rows, (:'m'::jsonb) ->> 'skipped' AS skipped, (:'m'::jsonb) ->> 'unknown_truth' AS unknown,
       (:'m'::jsonb) ->> 'evaluation' AS evaluation, jsonb_typeof((:'m'::jsonb) -> 'calibration' -> 'ece') AS ece,
       jsonb_typeof((:'m'::jsonb) -> 'calibration' -> 'brier') AS brier, (:'m'::jsonb) -> 'confusion' -> 'labels' AS labels;
-- Misclassified rows are named by their position in the query's result.
SELECT bool_and(h.intent IS NOT DISTINCT FROM x ->> 'expected' OR (x ->> 'expected' IS NULL AND h.intent = 'greeting')) AS positions_match,
       count(*) = ((:'m'::jsonb) ->> 'rows')::integer - round(((:'m'::jsonb) ->> 'accuracy')::numeric * ((:'m'::jsonb) ->> 'rows')::integer) AS all_listed
  FROM jsonb_array_elements((:'m'::jsonb) -> 'misclassified') AS x
  JOIN (SELECT row_number() OVER (ORDER BY id) AS pos, intent FROM holdout) AS h ON h.pos = (x ->> 'row')::bigint;
-- The keys of a training run's metrics are all there.
SELECT array_agg(k ORDER BY k) FILTER (WHERE NOT ((:'m'::jsonb) ? k)) AS missing_training_keys
  FROM jsonb_object_keys((SELECT metrics -> 'metrics' FROM ai_training_runs WHERE run_name = 'first')) AS k;

-- A VALUES query, and a given model (not deployed).
SELECT m ->> 'rows' AS rows, m ->> 'query_rows' AS query_rows, m ->> 'model_id' = :'other' AS other_model,
       m -> 'per_intent' -> 'return_process' ->> 'support' AS return_support
  FROM evaluate_intent_model(:other, $$VALUES ('quiero devolver la gorra', 'return_process'),
                                              ('no llega el reloj', 'shipping_problem'),
                                              ('cobro duplicado de las gafas', 'payment_issue'),
                                              ('que talla es la gorra', 'return_process')$$) AS m;
SELECT evaluate_intent_model(:other, 'SELECT message, intent FROM holdout') AS m2 \gset
SELECT * FROM pg_temp.agrees(:'m2', :other);
-- varchar columns and domains over text are text too
CREATE DOMAIN pg_temp.label AS text;
SELECT (evaluate_intent_model(NULL, 'SELECT message::varchar(200), intent::pg_temp.label FROM holdout') ->> 'rows')::integer AS varchar_rows;

-- Out-of-scope rows (labelled with the model's out-of-scope intent) are
-- scored apart: they count when the model abstains on them.
SELECT m ->> 'out_of_scope_intent' AS oos_intent, m ->> 'out_of_scope_rows' AS oos_rows, m ->> 'rows' AS rows,
       (m ->> 'out_of_scope_recall')::float8 = (SELECT avg(uncertain::int) FROM predict_intent('hola buenas tardes')) AS recall_matches
  FROM evaluate_intent_model(NULL, $$VALUES ('hola buenas tardes', 'out_of_scope'), ('quiero devolver la gorra', 'return_process')$$) AS m;
-- With no out-of-scope row there is no recall to report: null, not 0.
SELECT m ->> 'out_of_scope_rows' AS oos_rows, jsonb_typeof(m -> 'out_of_scope_recall') AS recall_type
  FROM evaluate_intent_model(NULL, $$VALUES ('quiero devolver la gorra', 'return_process')$$) AS m;

-- Errors.
SELECT pg_temp.try($$SELECT evaluate_intent_model(NULL, NULL)$$) AS null_query;
SELECT pg_temp.try($$SELECT evaluate_intent_model(NULL, 'SELECT 1, 2')$$) AS not_text;
SELECT pg_temp.try($$SELECT evaluate_intent_model(NULL, 'SELECT message FROM holdout')$$) AS one_column;
SELECT pg_temp.try($$SELECT evaluate_intent_model(NULL, 'SELECT message, intent, id FROM holdout')$$) AS three_columns;
SELECT pg_temp.try($$SELECT evaluate_intent_model(NULL, 'SELECT message, intent FROM holdout; SELECT 1')$$) AS two_statements;
SELECT pg_temp.try($$SELECT evaluate_intent_model(NULL, '')$$) AS empty_query;
SELECT pg_temp.try($$SELECT evaluate_intent_model(NULL, 'DELETE FROM holdout RETURNING message, intent')$$) AS delete_returning;
SELECT pg_temp.try($$SELECT evaluate_intent_model(NULL, 'WITH d AS (DELETE FROM holdout RETURNING message, intent) SELECT * FROM d')$$) AS modifying_cte;
SELECT pg_temp.try($$SELECT evaluate_intent_model(NULL, 'SELECT message, intent FROM holdout FOR UPDATE')$$) AS for_update;
SELECT pg_temp.try($$SELECT evaluate_intent_model(NULL, 'CREATE TABLE x AS SELECT message, intent FROM holdout')$$) AS utility;
SELECT count(*) AS holdout_rows_still_there FROM holdout;
SELECT pg_temp.try($$SELECT evaluate_intent_model(NULL, 'SELECT message, intent FROM no_such_table')$$) AS query_error;
SELECT pg_temp.try($$SELECT evaluate_intent_model(NULL, 'SELEC message')$$) AS syntax_error;
SELECT pg_temp.try($$SELECT evaluate_intent_model(NULL, 'SELECT message, intent FROM holdout WHERE false')$$) AS no_rows;
SELECT pg_temp.try($$SELECT evaluate_intent_model(NULL, 'SELECT message, NULL::text FROM holdout')$$) AS no_labels;
SELECT pg_temp.try($$SELECT evaluate_intent_model(424242, 'SELECT message, intent FROM holdout')$$) AS unknown_model,
       pg_temp.try($$SELECT predict_intent('hola', 424242)$$) AS predict_says;
-- statement_timeout cancels it (WHEN OTHERS does not catch a cancel).
CREATE FUNCTION pg_temp.try_cancel(p_sql text) RETURNS text LANGUAGE plpgsql AS $$
BEGIN
    EXECUTE p_sql;
    RETURN 'ok';
EXCEPTION WHEN query_canceled THEN
    RETURN SQLSTATE || ': ' || SQLERRM;
END $$;
SET statement_timeout = '100ms';
SELECT pg_temp.try_cancel($$SELECT evaluate_intent_model(NULL, 'SELECT message, intent FROM holdout, pg_sleep(1)')$$) AS timeout;
RESET statement_timeout;

-- Not open to PUBLIC: it runs any read-only query its caller writes
-- (pg_sleep(), the caller's settings), which on Supabase was open to anon.
SET ROLE pgi_ev_user;
SELECT pg_temp.try($$SELECT evaluate_intent_model(NULL, 'SELECT pg_sleep(0)::text || ''a'', ''b''')$$) AS not_granted;
RESET ROLE;
GRANT EXECUTE ON FUNCTION evaluate_intent_model(bigint, text) TO pgi_ev_user;

-- Caller's rights: a role without SELECT on the table is refused; with it,
-- row-level security decides which rows count.
SET ROLE pgi_ev_user;
SELECT pg_temp.try($$SELECT evaluate_intent_model(NULL, 'SELECT message, intent FROM holdout')$$) AS without_select;
-- a model that is not deployed needs SELECT on its row, as for predict_intent()
SELECT pg_temp.try(format('SELECT evaluate_intent_model(%s, %L)', :other, 'VALUES (''a'', ''b'')')) AS other_model,
       pg_temp.try(format('SELECT predict_intent(%L, %s)', 'a', :other)) AS predict_says;
-- the query runs as the caller, not as the extension's owner
SELECT evaluate_intent_model(NULL, $$SELECT 'quiero devolver la gorra', CASE WHEN current_user = 'pgi_ev_user' THEN 'return_process' ELSE 'payment_issue' END$$) ->> 'accuracy' AS ran_as_caller;
RESET ROLE;
-- ... and cannot switch role. SET ROLE is checked against the session
-- user's memberships: behind PostgREST that is the authenticator, a member
-- of every API role. Before, an evaluating role (say staff) made its query
-- switch to service_role, for the rest of the query and the transaction.
-- The query now runs in a security-restricted operation: 42501.
CREATE ROLE pgi_ev_authenticator NOLOGIN NOINHERIT;
CREATE ROLE pgi_ev_admin NOLOGIN;
GRANT pgi_ev_user, pgi_ev_admin TO pgi_ev_authenticator;
BEGIN;
SET LOCAL SESSION AUTHORIZATION pgi_ev_authenticator;
SET LOCAL ROLE pgi_ev_user;
SELECT pg_temp.try($$SELECT evaluate_intent_model(NULL, 'SELECT ''quiero devolver la gorra'', set_config(''role'', ''pgi_ev_admin'', true)')$$) AS set_role_in_query;
SELECT current_user AS role_after;
ROLLBACK;
BEGIN;
SET LOCAL SESSION AUTHORIZATION pgi_ev_authenticator;
SET LOCAL ROLE pgi_ev_user;
SELECT pg_temp.try($$SELECT evaluate_intent_model(NULL, 'SELECT ''quiero devolver la gorra'', set_config(''role'', ''none'', true)')$$) AS reset_role_in_query;
SELECT current_user AS role_after_reset;
ROLLBACK;
DROP ROLE pgi_ev_authenticator, pgi_ev_admin;
-- ... and cannot write: the statement is refused when it is not a read
-- (above), and a volatile function it calls runs in a read-only
-- transaction (25006). Before, SPI's read-only flag bound the statement
-- only, and this wrote a row.
CREATE TABLE ev_log (x int);
GRANT INSERT ON ev_log TO pgi_ev_user;
CREATE FUNCTION ev_write() RETURNS text LANGUAGE sql VOLATILE
    AS $$INSERT INTO ev_log VALUES (1) RETURNING 'quiero devolver la gorra'$$;
SET ROLE pgi_ev_user;
SELECT pg_temp.try($$SELECT evaluate_intent_model(NULL, 'SELECT ev_write(), ''return_process''')$$) AS volatile_write;
SELECT current_setting('transaction_read_only') AS read_only_after;
-- The transaction is read-write again after a call that succeeded.
BEGIN;
SELECT evaluate_intent_model(NULL, $$VALUES ('quiero devolver la gorra', 'return_process')$$) ->> 'rows' AS rows;
SELECT current_setting('transaction_read_only') AS read_only_after_success;
INSERT INTO ev_log VALUES (2);
ROLLBACK;
RESET ROLE;
SELECT count(*) AS rows_written FROM ev_log;
DROP FUNCTION ev_write();
DROP TABLE ev_log;
GRANT SELECT ON holdout TO pgi_ev_user;
ALTER TABLE holdout ENABLE ROW LEVEL SECURITY;
CREATE POLICY ev_no_shipping ON holdout FOR SELECT TO pgi_ev_user USING (intent IS DISTINCT FROM 'shipping_problem');
SET ROLE pgi_ev_user;
SELECT m ->> 'query_rows' AS query_rows, m ->> 'rows' AS rows, m -> 'per_intent' -> 'shipping_problem' ->> 'support' AS shipping_support,
       m -> 'per_intent' -> 'return_process' ->> 'support' AS return_support
  FROM evaluate_intent_model(NULL, 'SELECT message, intent FROM holdout') AS m;
RESET ROLE;
SELECT m ->> 'query_rows' AS owner_query_rows, m -> 'per_intent' -> 'shipping_problem' ->> 'support' AS owner_shipping_support
  FROM evaluate_intent_model(NULL, 'SELECT message, intent FROM holdout') AS m;

-- Function properties: C, SECURITY INVOKER, no SET clause (the caller's
-- search_path resolves the caller's query), VOLATILE, not open to PUBLIC.
SELECT p.oid::regprocedure AS function, p.provolatile, p.proparallel, p.prosecdef, p.proisstrict, p.proconfig,
       has_function_privilege('public', p.oid, 'EXECUTE') AS public_execute
  FROM pg_proc p WHERE p.proname = 'evaluate_intent_model';

DROP TABLE holdout;
DROP EXTENSION pg_intent CASCADE;
DROP ROLE pgi_ev_user;
