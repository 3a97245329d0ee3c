-- reassign_classifier() gives a classifier only to a role its caller may
-- SET ROLE to (as ALTER ... OWNER TO requires), or a superuser's call: the
-- new owner's rights are those the source is read with, so giving it away
-- makes the source's code (the giver's view and functions) run as the new
-- owner. Before the fix a member of the extension's owner that may not SET
-- ROLE to a role (any member on PostgreSQL 16 and later granted WITH SET
-- FALSE, or any member of an owner that is not a superuser) gave its own
-- classifier to that role, kept the train right it had granted itself, and
-- its view's function ran as the victim: here it copies the victim's secret.
SET client_min_messages = warning;
SET pg_intent.allow_drop_with_data = on; -- the previous test's rows go (src/pg/drop_guard.cpp)
DROP EXTENSION IF EXISTS pg_intent CASCADE;
DROP SCHEMA IF EXISTS ra_ops CASCADE;
DROP TABLE IF EXISTS ra_secret;
DROP ROLE IF EXISTS pgi_ra_ops;
DROP ROLE IF EXISTS pgi_ra_victim;
CREATE EXTENSION pg_intent;
RESET pg_intent.allow_drop_with_data;
\i test/fixtures/try.sql

-- ops: a member of the extension's owner (an administrator of pg_intent),
-- which is not a member of the victim and may not SET ROLE to it.
CREATE ROLE pgi_ra_ops;
CREATE ROLE pgi_ra_victim;
DO $$ BEGIN EXECUTE format('GRANT %I TO pgi_ra_ops', (SELECT e.extowner::regrole::text FROM pg_extension AS e WHERE e.extname = 'pg_intent')); END $$;
SELECT pg_has_role('pgi_ra_ops', (SELECT extowner FROM pg_extension WHERE extname = 'pg_intent'), 'USAGE') AS ops_is_admin,
       pg_has_role('pgi_ra_ops', 'pgi_ra_victim', 'MEMBER') AS ops_member_of_victim;
CREATE TABLE ra_secret (v text);
INSERT INTO ra_secret VALUES ('the victim''s secret');
ALTER TABLE ra_secret OWNER TO pgi_ra_victim;
REVOKE ALL ON ra_secret FROM PUBLIC;
CREATE SCHEMA ra_ops AUTHORIZATION pgi_ra_ops;

SET ROLE pgi_ra_ops;
CREATE TABLE ra_ops.loot (who name, v text);
GRANT INSERT ON ra_ops.loot TO PUBLIC;
CREATE FUNCTION ra_ops.steal() RETURNS boolean LANGUAGE plpgsql VOLATILE AS $$
BEGIN
    INSERT INTO ra_ops.loot SELECT current_user, v FROM public.ra_secret;
    RETURN true;
EXCEPTION WHEN insufficient_privilege THEN
    RETURN true;
END $$;
CREATE TABLE ra_ops.t (id bigint PRIMARY KEY, body text, label text);
INSERT INTO ra_ops.t SELECT n, CASE n % 2 WHEN 0 THEN 'donde esta mi paquete ' ELSE 'hola buenos dias ' END || n,
                            CASE n % 2 WHEN 0 THEN 'order_status' ELSE 'greeting' END
  FROM generate_series(1, 60) AS n;
CREATE VIEW ra_ops.v AS SELECT * FROM ra_ops.t WHERE ra_ops.steal();
GRANT USAGE ON SCHEMA ra_ops TO pgi_ra_victim;
GRANT SELECT ON ra_ops.v TO pgi_ra_victim;
GRANT EXECUTE ON FUNCTION ra_ops.steal() TO pgi_ra_victim;
SELECT create_classifier('ra', 'ra_ops.v', 'body', 'label', '{"seed": 1}') ->> 'owner' AS owner;
SELECT grant_classifier_access('ra', 'pgi_ra_ops', 'train') -> 'train_roles' AS ops_trains;
-- the attack: give it to the victim, then train it
SELECT pg_temp.try($$SELECT reassign_classifier('ra', 'pgi_ra_victim')$$) AS ops_gives_it_to_the_victim;
SELECT pg_temp.try($$SELECT train_classifier('ra', NULL, '{"deploy": "never"}')$$) AS ops_trains_it;
-- to itself (a role it may SET ROLE to): allowed
SELECT reassign_classifier('ra', 'pgi_ra_ops') ->> 'owner' AS ops_takes_it_back;
RESET ROLE;
SELECT count(*) AS rows_read_as_the_victim FROM ra_ops.loot WHERE who = 'pgi_ra_victim';
SELECT name, owner FROM ai_classifier_owners WHERE name = 'ra';

-- A superuser gives it to anyone who can read the source.
SELECT reassign_classifier('ra', 'pgi_ra_victim') ->> 'owner' AS superuser_gives_it;
-- A member of the new owner may give it (it may SET ROLE to it).
GRANT pgi_ra_victim TO pgi_ra_ops;
SELECT reassign_classifier('ra', 'pgi_ra_ops') ->> 'owner' AS back_to_ops;
SET ROLE pgi_ra_ops;
SELECT reassign_classifier('ra', 'pgi_ra_victim') ->> 'owner' AS member_of_victim_gives_it;
RESET ROLE;

SELECT drop_classifier('ra', true) ->> 'classifier' AS dropped;
DROP SCHEMA ra_ops CASCADE;
DROP TABLE ra_secret;
DROP EXTENSION pg_intent CASCADE;
DO $$ BEGIN EXECUTE format('REVOKE %I FROM pgi_ra_ops', current_user); END $$;
DROP ROLE pgi_ra_ops;
DROP ROLE pgi_ra_victim;
