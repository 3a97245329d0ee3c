-- A source's code cannot pass its error off as a cancel (0.3.2). A
-- classifier's owner chooses the code in its source (here a view's
-- function), which raises an ordinary error with the SQLSTATE of a cancel
-- (57014, query_canceled) or of a shutdown (57P01). A real cancel or
-- statement_timeout ends the whole call (test/sql/retrain_classifiers.sql);
-- such an error is the source's error, reported in that classifier's entry
-- like any other: it neither ends retrain_classifiers() nor a snapshot job's
-- statement, so another owner's classifier in the same call keeps its
-- training and its counted rows. Before, the owner of one classifier ended
-- every such call, at will, for every other owner.
SET client_min_messages = warning;
SET pg_intent.allow_drop_with_data = on; -- the previous test's rows go (src/pg/drop_guard.cpp)
DROP EXTENSION IF EXISTS pg_intent CASCADE;
DROP SCHEMA IF EXISTS ocx_alice CASCADE;
DROP SCHEMA IF EXISTS ocx_bob CASCADE;
DROP ROLE IF EXISTS pgi_ocx_alice;
DROP ROLE IF EXISTS pgi_ocx_bob;
CREATE EXTENSION pg_intent;
RESET pg_intent.allow_drop_with_data;
\i test/fixtures/try.sql

CREATE ROLE pgi_ocx_alice;
CREATE ROLE pgi_ocx_bob;
SELECT count(*) > 0 AS granted FROM grant_intent_access('pgi_ocx_alice', 'classifiers');
SELECT count(*) > 0 AS granted FROM grant_intent_access('pgi_ocx_bob', 'classifiers');
CREATE SCHEMA ocx_alice AUTHORIZATION pgi_ocx_alice;
CREATE SCHEMA ocx_bob AUTHORIZATION pgi_ocx_bob;

-- bob's classifier reads a plain table.
SET ROLE pgi_ocx_bob;
CREATE TABLE ocx_bob.t (id bigint PRIMARY KEY, body text, label text, ts timestamptz);
INSERT INTO ocx_bob.t
SELECT n, CASE n % 2 WHEN 0 THEN 'quiero devolver el pedido numero ' ELSE 'donde esta mi paquete ' END || n,
       CASE n % 2 WHEN 0 THEN 'return_process' ELSE 'order_status' END,
       timestamptz '2026-11-01 00:00+00' - n * interval '1 hour'
  FROM generate_series(1, 60) AS n;
SELECT create_classifier('ocx_bob', 'ocx_bob.t', 'body', 'label', '{"time_column": "ts", "seed": 1}') ->> 'name' AS created;
RESET ROLE;

-- alice's reads a view whose function, once armed, raises the SQLSTATE
-- the table names.
SET ROLE pgi_ocx_alice;
CREATE TABLE ocx_alice.armed (sqlstate text);
CREATE FUNCTION ocx_alice.fake_interrupt() RETURNS boolean
LANGUAGE plpgsql VOLATILE AS $$
DECLARE
    v_state text := (SELECT a.sqlstate FROM ocx_alice.armed AS a);
BEGIN
    IF v_state IS NOT NULL THEN
        RAISE EXCEPTION USING MESSAGE = 'canceling statement due to user request', ERRCODE = v_state;
    END IF;
    RETURN true;
END
$$;
CREATE TABLE ocx_alice.t (id bigint PRIMARY KEY, body text, label text, ts timestamptz);
INSERT INTO ocx_alice.t SELECT * FROM (VALUES (1, 'hola', 'greeting', timestamptz '2026-10-31 10:00+00')) AS v;
CREATE VIEW ocx_alice.v AS SELECT * FROM ocx_alice.t WHERE ocx_alice.fake_interrupt();
SELECT create_classifier('ocx_alice', 'ocx_alice.v', 'body', 'label', '{"time_column": "ts", "seed": 1}') ->> 'name' AS created;
INSERT INTO ocx_alice.armed VALUES ('57014');
RESET ROLE;

-- The dashboards' count: the error is reported, not raised.
SELECT get_classifier_metrics('ocx_alice') ->> 'new_rows_unknown' AS alice_new_rows_unknown;
-- A snapshot job's one statement over both: bob's rows are counted.
SELECT c.name, s ->> 'new_rows' AS new_rows, s ->> 'new_rows_unknown' AS new_rows_unknown
  FROM ai_classifiers AS c
 CROSS JOIN LATERAL create_classifier_metrics_snapshot(c.name, 'daily', '2026-10-31 00:00+00') AS s
 WHERE NOT c.built_in
 ORDER BY c.name;
-- The scheduled retraining: bob's classifier trains, alice's entry reports
-- her source's error.
SELECT e ->> 'classifier' AS classifier, e ->> 'retrained' AS retrained,
       e -> 'result' ->> 'status' AS status, e -> 'error' ->> 'sqlstate' AS sqlstate,
       e -> 'error' ->> 'message' AS message
  FROM jsonb_array_elements(retrain_classifiers() -> 'classifiers') AS e
 ORDER BY 1;
-- A shutdown's SQLSTATE likewise.
UPDATE ocx_alice.armed SET sqlstate = '57P01';
SELECT e ->> 'classifier' AS classifier, e -> 'error' ->> 'sqlstate' AS sqlstate
  FROM jsonb_array_elements(retrain_classifiers() -> 'classifiers') AS e
 WHERE e ->> 'classifier' = 'ocx_alice';
-- Her own train_classifier() call fails with her source's error.
SELECT pg_temp.try($$SELECT train_classifier('ocx_alice')$$) AS alice_trains;

SET pg_intent.allow_drop_with_data = on;
DROP EXTENSION pg_intent CASCADE;
DROP SCHEMA ocx_alice CASCADE;
DROP SCHEMA ocx_bob CASCADE;
DROP ROLE pgi_ocx_alice;
DROP ROLE pgi_ocx_bob;
