-- Two create_classifier() calls of one name at once (0.3.2, hostile-input
-- sweep): the second waits on the first one's uncommitted row, and once the
-- first commits it is refused as any name that exists, 42710 (docs/errors.md).
-- Before the fix it raised 23505 instead, "duplicate key value violates
-- unique constraint "ai_classifiers_pkey"", with the INSERT of
-- _pg_intent_create_classifier() in its context. In REPEATABLE READ, where
-- the name was taken after the transaction's snapshot, it is 40001 (retry).
-- A role holding only the classifiers set makes every call.
SET client_min_messages = warning;
SET pg_intent.allow_drop_with_data = on; -- the previous test's rows go (src/pg/drop_guard.cpp)
DROP EXTENSION IF EXISTS pg_intent CASCADE;
DROP TABLE IF EXISTS race_prompts;
DROP ROLE IF EXISTS pgi_race_creator;
CREATE EXTENSION pg_intent;
\i test/fixtures/try.sql
CREATE ROLE pgi_race_creator;
SELECT count(*) > 0 AS granted FROM grant_intent_access('pgi_race_creator', 'classifiers');
CREATE TABLE race_prompts (id bigint PRIMARY KEY, prompt text, route text);
GRANT SELECT ON race_prompts TO pgi_race_creator;

CREATE EXTENSION IF NOT EXISTS dblink;
SELECT dblink_connect(c, format('dbname=%s host=%s port=%s', current_database(),
       split_part(current_setting('unix_socket_directories'), ',', 1), current_setting('port'))) AS connected
  FROM unnest(ARRAY['first', 'second']) AS c;
SELECT dblink_exec(c, 'SET ROLE pgi_race_creator') FROM unnest(ARRAY['first', 'second']) AS c;

-- The first creates "router" in an open transaction; the second's call
-- waits for it.
SELECT dblink_exec('first', 'BEGIN');
SELECT name FROM dblink('first', $$SELECT create_classifier('router', 'race_prompts', 'prompt', 'route') ->> 'name'$$)
    AS t(name text);
SELECT pid AS second_pid FROM dblink('second', 'SELECT pg_backend_pid()') AS t(pid integer) \gset
SELECT dblink_send_query('second', $$SELECT create_classifier('router', 'race_prompts', 'prompt', 'route') ->> 'name'$$);
SELECT set_config('pgi.second_pid', :'second_pid', false) IS NOT NULL AS pid_set;
DO $$
BEGIN
    WHILE NOT EXISTS (SELECT FROM pg_stat_activity
                       WHERE pid = current_setting('pgi.second_pid')::integer AND wait_event_type = 'Lock') LOOP
        PERFORM pg_sleep(0.01);
        PERFORM pg_stat_clear_snapshot(); -- pg_stat_activity is read afresh
    END LOOP;
END $$;
SELECT dblink_exec('first', 'COMMIT');
SELECT pg_temp.try($$SELECT * FROM dblink_get_result('second') AS t(name text)$$) AS second_call;
SELECT name, owner_name FROM ai_classifiers ORDER BY name;

-- REPEATABLE READ: the name is taken, and committed, after this
-- transaction's snapshot.
BEGIN ISOLATION LEVEL REPEATABLE READ;
SELECT count(*) AS classifiers_seen FROM ai_classifiers;
SELECT name FROM dblink('first', $$SELECT create_classifier('triage', 'race_prompts', 'prompt', 'route') ->> 'name'$$)
    AS t(name text);
SET LOCAL ROLE pgi_race_creator;
SELECT pg_temp.try($$SELECT create_classifier('triage', 'race_prompts', 'prompt', 'route')$$) AS repeatable_read;
ROLLBACK;
-- and in a new transaction, as any name that exists
SET ROLE pgi_race_creator;
SELECT pg_temp.try($$SELECT create_classifier('triage', 'race_prompts', 'prompt', 'route')$$) AS retried;
RESET ROLE;

SELECT dblink_disconnect(c) FROM unnest(ARRAY['first', 'second']) AS c;
DROP EXTENSION dblink;
DROP EXTENSION pg_intent CASCADE;
DROP TABLE race_prompts;
DROP ROLE pgi_race_creator;
