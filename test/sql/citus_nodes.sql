-- Classifiers on the nodes of a Citus cluster (src/sql/62_citus_nodes.sql)
-- on a database without Citus: replicate_classifiers() refuses, it is
-- closed to PUBLIC, and nothing is published or stored. The cluster itself
-- is test/scripts/citus.sh's.
SET client_min_messages = warning;
SET pg_intent.allow_drop_with_data = on; -- the previous test's rows go (src/pg/drop_guard.cpp)
DROP EXTENSION IF EXISTS pg_intent CASCADE;
CREATE EXTENSION pg_intent;
\i test/fixtures/try.sql
DROP ROLE IF EXISTS pgi_cn_app;
CREATE ROLE pgi_cn_app NOLOGIN;
GRANT EXECUTE ON FUNCTION pg_temp.try(text) TO PUBLIC;

-- Without the citus extension: 55000, and this database publishes nothing.
SELECT pg_temp.try('SELECT replicate_classifiers()') AS without_citus;
SELECT intent_internal._pg_intent_citus_coordinator() AS publishes, intent_internal._pg_intent_citus_group() IS NULL AS no_citus_group;

-- Closed to PUBLIC (it makes a reference table and copies every model):
-- a role that is not the owner may not call it, under Supabase-style
-- default privileges too (the extension's privilege step revokes them).
SELECT has_function_privilege('pgi_cn_app', 'replicate_classifiers()', 'EXECUTE') AS app_may_replicate,
       has_table_privilege('pgi_cn_app', 'ai_classifier_publication', 'SELECT') AS app_may_read,
       has_table_privilege('pgi_cn_app', 'ai_classifier_publication', 'INSERT') AS app_may_insert;
SET ROLE pgi_cn_app;
SELECT pg_temp.try('SELECT replicate_classifiers()') AS as_app;
SELECT pg_temp.try($$INSERT INTO ai_classifier_publication (kind) VALUES ('reset')$$) AS app_inserts;
RESET ROLE;

-- Without Citus the publication table stores nothing: its trigger applies
-- a row on a Citus worker, and keeps the state rows only on a Citus node.
INSERT INTO ai_classifier_publication (kind, classifier) VALUES ('reset', NULL), ('classifier_gone', 'x');
SELECT count(*) AS stored FROM ai_classifier_publication;
SELECT pg_temp.try($$INSERT INTO ai_classifier_publication (kind) VALUES ('other')$$) AS bad_kind;

-- Classifier and model changes are not published without Citus: a
-- classifier, a model and a deploy leave the table empty, and a model
-- deleted too.
\i test/fixtures/spanish_80.sql
SELECT train_intent_model('citus_nodes', 'full', '{"seed": 3}') ->> 'status' AS trained;
SELECT create_classifier('cn_tickets', 'ai_training_data', 'user_message', 'training_label',
                         '{"key_column": "id"}') ->> 'name' AS created;
SELECT train_classifier('cn_tickets') ->> 'status' AS classifier_trained;
SELECT drop_classifier('cn_tickets', true) ->> 'classifier' AS dropped;
SELECT count(*) AS stored_after_changes FROM ai_classifier_publication;

-- The drop guard's step for Citus placements finds none and leaves the
-- publication table's own trigger to the drop.
SELECT intent_internal._pg_intent_release_citus_placements();
SELECT count(*) AS apply_triggers FROM pg_trigger
 WHERE tgrelid = 'ai_classifier_publication'::regclass AND tgname = 'ai_classifier_publication_apply';

-- The event trigger that applies a new Citus placement's rows fires on
-- every CREATE TRIGGER: a role without any right on the extension (nor
-- EXECUTE on its internal functions) creates its own trigger as before.
CREATE SCHEMA pgi_cn_own AUTHORIZATION pgi_cn_app;
SET ROLE pgi_cn_app;
CREATE TABLE pgi_cn_own.t (x int);
CREATE FUNCTION pgi_cn_own.f() RETURNS trigger LANGUAGE plpgsql AS $$BEGIN RETURN NEW; END$$;
CREATE TRIGGER t_f BEFORE INSERT ON pgi_cn_own.t FOR EACH ROW EXECUTE FUNCTION pgi_cn_own.f();
INSERT INTO pgi_cn_own.t VALUES (1);
SELECT count(*) AS app_trigger_rows FROM pgi_cn_own.t;
RESET ROLE;
SELECT evtevent, evttags FROM pg_event_trigger WHERE evtname = 'pg_intent_citus_placement';
DROP SCHEMA pgi_cn_own CASCADE;

-- The extension's event triggers are created by one function: an event
-- trigger of the same name that is not the extension's is refused (42710),
-- never replaced; the extension's own is kept as it is.
ALTER EVENT TRIGGER pg_intent_citus_placement RENAME TO pgi_cn_ours;
CREATE FUNCTION pgi_cn_evt() RETURNS event_trigger LANGUAGE plpgsql AS $$BEGIN END$$;
CREATE EVENT TRIGGER pg_intent_citus_placement ON ddl_command_end EXECUTE FUNCTION pgi_cn_evt();
SELECT pg_temp.try($$SELECT intent_internal._pg_intent_create_event_trigger('pg_intent_citus_placement', 'ddl_command_end',
                                                          ARRAY['CREATE TRIGGER'], 'intent_internal._pg_intent_apply_new_placement()')$$) AS foreign_name;
DROP EVENT TRIGGER pg_intent_citus_placement;
DROP FUNCTION pgi_cn_evt();
ALTER EVENT TRIGGER pgi_cn_ours RENAME TO pg_intent_citus_placement;
ALTER EVENT TRIGGER pg_intent_citus_placement DISABLE;
SELECT intent_internal._pg_intent_create_event_trigger('pg_intent_citus_placement', 'ddl_command_end',
                                       ARRAY['CREATE TRIGGER'], 'intent_internal._pg_intent_apply_new_placement()') AS again;
SELECT evtname, evtenabled, evtfoid::regproc FROM pg_event_trigger WHERE evtname LIKE 'pg\_intent\_%' ORDER BY 1;
ALTER EVENT TRIGGER pg_intent_citus_placement ENABLE;


-- The event trigger looks for a placement in the catalogs, naming no object
-- of the extension (a 'schema.name'::regclass checks the caller's USAGE on
-- the schema): a role with no USAGE on intent_internal, then none on the
-- extension's own schema either (docs/install.md's CREATE SCHEMA ml), creates
-- its own trigger as before, and drops its own schema and objects past the
-- drop guard.
REVOKE USAGE ON SCHEMA intent_internal FROM PUBLIC;
CREATE SCHEMA pgi_cn_own AUTHORIZATION pgi_cn_app;
SET ROLE pgi_cn_app;
SELECT has_schema_privilege('intent_internal', 'USAGE') AS app_uses_internal;
CREATE TABLE pgi_cn_own.t (x int);
CREATE FUNCTION pgi_cn_own.f() RETURNS trigger LANGUAGE plpgsql AS $$BEGIN RETURN NEW; END$$;
CREATE TRIGGER t_f BEFORE INSERT ON pgi_cn_own.t FOR EACH ROW EXECUTE FUNCTION pgi_cn_own.f();
SELECT count(*) AS app_triggers FROM pg_trigger WHERE tgrelid = 'pgi_cn_own.t'::regclass;
DROP SCHEMA pgi_cn_own CASCADE;
DROP OWNED BY pgi_cn_app;
RESET ROLE;

DROP EXTENSION pg_intent;
CREATE SCHEMA pgi_cn_ml;
CREATE EXTENSION pg_intent SCHEMA pgi_cn_ml;
SELECT has_schema_privilege('pgi_cn_app', 'pgi_cn_ml', 'USAGE') AS app_uses_ext_schema,
       has_schema_privilege('pgi_cn_app', 'intent_internal', 'USAGE') AS app_uses_internal;
CREATE SCHEMA pgi_cn_own AUTHORIZATION pgi_cn_app;
SET ROLE pgi_cn_app;
CREATE TABLE pgi_cn_own.t (x int);
CREATE FUNCTION pgi_cn_own.f() RETURNS trigger LANGUAGE plpgsql AS $$BEGIN RETURN NEW; END$$;
CREATE TRIGGER t_f BEFORE INSERT ON pgi_cn_own.t FOR EACH ROW EXECUTE FUNCTION pgi_cn_own.f();
SELECT count(*) AS app_triggers FROM pg_trigger WHERE tgrelid = 'pgi_cn_own.t'::regclass;
RESET ROLE;
REVOKE USAGE ON SCHEMA intent_internal FROM PUBLIC;
SET ROLE pgi_cn_app;
CREATE TRIGGER t_f2 BEFORE INSERT ON pgi_cn_own.t FOR EACH ROW EXECUTE FUNCTION pgi_cn_own.f();
SELECT count(*) AS app_triggers_without_both FROM pg_trigger WHERE tgrelid = 'pgi_cn_own.t'::regclass;
DROP SCHEMA pgi_cn_own CASCADE;
DROP OWNED BY pgi_cn_app;
RESET ROLE;
-- The extension's own trigger on the publication table, created in its
-- schema with the event trigger in place (a placement needs Citus:
-- test/scripts/citus.sh).
SELECT count(*) AS apply_triggers FROM pg_trigger
 WHERE tgrelid = 'pgi_cn_ml.ai_classifier_publication'::regclass AND tgname = 'ai_classifier_publication_apply';

DROP EXTENSION pg_intent;
DROP SCHEMA pgi_cn_ml;
CREATE EXTENSION pg_intent;
DROP ROLE pgi_cn_app;
