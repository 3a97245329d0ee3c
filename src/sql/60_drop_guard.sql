-- The drop guard: DROP EXTENSION pg_intent (with or without CASCADE), DROP
-- EXTENSION ... CASCADE of an extension it requires (plpgsql), DROP
-- SCHEMA ... CASCADE of its schema and DROP OWNED BY its owner are refused
-- (55000) while ai_training_data, ai_intent_corrections, ai_training_runs or
-- ai_intent_models hold rows, or ai_classifiers a classifier a user created
-- (0.3.2), unless the session sets
-- pg_intent.allow_drop_with_data (src/pg/drop_guard.cpp). Dropping the
-- extension drops its tables with every captured message, correction, run and
-- model, and PostgreSQL asks nothing first. An empty install drops as before.
CREATE OR REPLACE FUNCTION intent_internal._pg_intent_drop_guard()
RETURNS event_trigger
AS 'MODULE_PATHNAME', 'pg_intent_drop_guard'
LANGUAGE C VOLATILE PARALLEL UNSAFE;
COMMENT ON FUNCTION intent_internal._pg_intent_drop_guard() IS
    'Internal: event trigger function that refuses dropping the extension while its tables hold messages, corrections, runs, models or user-created classifiers (unless pg_intent.allow_drop_with_data is on).';

-- The extension's event triggers are created by this one function, from
-- the extension's script, so each is an extension member and DROP EXTENSION
-- drops it with the rest. Created once: a fresh install and the upgrade
-- that introduces one create it, a later upgrade keeps it as it is (an
-- administrator may have disabled it with ALTER EVENT TRIGGER). One of the
-- same name that runs another function is not ours: refused (42710), never
-- replaced.
CREATE OR REPLACE FUNCTION intent_internal._pg_intent_create_event_trigger(p_name text, p_event text, p_tags text[],
                                                                     p_function pg_catalog.regprocedure)
RETURNS void
LANGUAGE plpgsql VOLATILE PARALLEL UNSAFE
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    v_function oid;
BEGIN
    SELECT t.evtfoid INTO v_function FROM pg_catalog.pg_event_trigger AS t
     WHERE t.evtname OPERATOR(pg_catalog.=) p_name;
    IF NOT FOUND THEN
        EXECUTE pg_catalog.format('CREATE EVENT TRIGGER %I ON %I WHEN TAG IN (%s) EXECUTE FUNCTION %s',
                                  p_name, p_event,
                                  (SELECT pg_catalog.string_agg(pg_catalog.quote_literal(g), ', ') FROM pg_catalog.unnest(p_tags) AS g),
                                  p_function);
    ELSIF v_function OPERATOR(pg_catalog.<>) p_function THEN
        RAISE EXCEPTION USING MESSAGE = intent_internal._pg_intent_error_words('an event trigger named %s exists and is not pg_intent''s', p_name),
                   ERRCODE = 'duplicate_object',
                  HINT = intent_internal._pg_intent_error_words('Rename it (ALTER EVENT TRIGGER %s RENAME TO ...) and try again.', p_name);
    END IF;
END
$$;
COMMENT ON FUNCTION intent_internal._pg_intent_create_event_trigger(text, text, text[], pg_catalog.regprocedure) IS
    'Internal: creates one of the extension''s event triggers from its script where it is missing, keeps it where it is, and refuses (42710) one of the same name that runs another function.';

SELECT intent_internal._pg_intent_create_event_trigger('pg_intent_drop_guard', 'ddl_command_start',
                                                   ARRAY['DROP EXTENSION', 'DROP SCHEMA', 'DROP OWNED'],
                                                   'intent_internal._pg_intent_drop_guard()');
COMMENT ON EVENT TRIGGER pg_intent_drop_guard IS
    'Refuses DROP EXTENSION pg_intent, DROP SCHEMA ... CASCADE of its schema and DROP OWNED BY its owner while its tables hold messages, corrections, runs or models (SET pg_intent.allow_drop_with_data = on confirms).';
