-- A setting that a classifier's source changes while retrain_classifiers()
-- counts it is rolled back before the classifier trains (0.3.2): each count
-- is its own operation for settings. Before, the owner's view set work_mem
-- (or DateStyle, statement_timeout...) during the count and the training
-- that followed, in the same call, ran with it; it was rolled back only
-- before the next classifier.
SET client_min_messages = warning;
SET pg_intent.allow_drop_with_data = on; -- the previous test's rows go (src/pg/drop_guard.cpp)
DROP EXTENSION IF EXISTS pg_intent CASCADE;
DROP SCHEMA IF EXISTS cc_alice CASCADE;
DROP ROLE IF EXISTS pgi_cc_alice;
CREATE EXTENSION pg_intent;
RESET pg_intent.allow_drop_with_data;

CREATE ROLE pgi_cc_alice;
SELECT count(*) > 0 AS granted FROM grant_intent_access('pgi_cc_alice', 'classifiers');
CREATE SCHEMA cc_alice AUTHORIZATION pgi_cc_alice;

SET ROLE pgi_cc_alice;
-- Each call writes down the work_mem it runs with, then changes it for the
-- rest of the session.
CREATE TABLE cc_alice.seen (n bigserial, work_mem text);
CREATE FUNCTION cc_alice.mark() RETURNS boolean
LANGUAGE plpgsql VOLATILE AS $$
BEGIN
    INSERT INTO cc_alice.seen (work_mem) VALUES (current_setting('work_mem'));
    PERFORM pg_catalog.set_config('work_mem', '77kB', false);
    RETURN true;
END
$$;
CREATE TABLE cc_alice.t (id bigint PRIMARY KEY, body text, label text);
INSERT INTO cc_alice.t
SELECT n,
       CASE n % 3 WHEN 0 THEN 'quiero devolver el pedido numero ' WHEN 1 THEN 'donde esta mi paquete ' ELSE 'hola buenos dias ' END || n,
       CASE n % 3 WHEN 0 THEN 'return_process' WHEN 1 THEN 'order_status' ELSE 'greeting' END
  FROM generate_series(1, 90) AS n;
CREATE VIEW cc_alice.v AS SELECT * FROM cc_alice.t WHERE cc_alice.mark();
SELECT create_classifier('counted', 'cc_alice.v', 'body', 'label', '{"key_column": "id", "seed": 1}') ->> 'name' AS created;
RESET ROLE;
TRUNCATE cc_alice.seen;

SET work_mem = '4MB';
SELECT r -> 'classifiers' -> 0 ->> 'retrained' AS retrained,
       r -> 'classifiers' -> 0 -> 'result' ->> 'status' AS status
  FROM retrain_classifiers() AS r;
-- Each read of the source starts with the caller's work_mem: the count,
-- then the training's reads (before: only the count did, and the training
-- ran with the 77kB the count left).
SELECT count(*) AS reads, string_agg(work_mem, ' ' ORDER BY n) AS first_rows_work_mem
  FROM (SELECT n, work_mem, lag(work_mem) OVER (ORDER BY n) AS previous FROM cc_alice.seen) AS s
 WHERE previous IS DISTINCT FROM work_mem AND work_mem = '4MB';
-- The caller's setting is what it was.
SELECT current_setting('work_mem') AS work_mem_after;

SET pg_intent.allow_drop_with_data = on;
DROP EXTENSION pg_intent CASCADE;
DROP SCHEMA cc_alice CASCADE;
DROP ROLE pgi_cc_alice;
