-- The drop guard: DROP EXTENSION pg_intent (with or without CASCADE), DROP
-- SCHEMA ... CASCADE of its schema and DROP OWNED BY its owner are refused
-- (55000) while ai_training_data, ai_intent_corrections, ai_training_runs or
-- ai_intent_models hold rows, or ai_classifiers a classifier a user created
-- (0.3.2), unless the session sets
-- pg_intent.allow_drop_with_data (src/pg/drop_guard.cpp). Dropping the
-- extension drops its tables with every captured message, correction, run and
-- model, and PostgreSQL asks nothing first. An empty install drops as before.
CREATE OR REPLACE FUNCTION @extschema@._pg_intent_drop_guard()
RETURNS event_trigger
AS 'MODULE_PATHNAME', 'pg_intent_drop_guard'
LANGUAGE C VOLATILE PARALLEL UNSAFE;
COMMENT ON FUNCTION @extschema@._pg_intent_drop_guard() IS
    'Internal: event trigger function that refuses dropping the extension while its tables hold messages, corrections, runs, models or user-created classifiers (unless pg_intent.allow_drop_with_data is on).';

-- An extension member (created by the extension's script), so DROP EXTENSION
-- drops it with the rest. Created once: a fresh install and the upgrade from
-- 0.2.0 create it, a later upgrade keeps it as it is (an administrator may
-- have disabled it with ALTER EVENT TRIGGER).
DO $drop_guard$
BEGIN
    IF NOT EXISTS (SELECT FROM pg_catalog.pg_event_trigger AS t
                    WHERE t.evtname OPERATOR(pg_catalog.=) 'pg_intent_drop_guard') THEN
        CREATE EVENT TRIGGER pg_intent_drop_guard ON ddl_command_start
            WHEN TAG IN ('DROP EXTENSION', 'DROP SCHEMA', 'DROP OWNED')
            EXECUTE FUNCTION @extschema@._pg_intent_drop_guard();
    ELSIF NOT EXISTS (SELECT FROM pg_catalog.pg_event_trigger AS t
                       WHERE t.evtname OPERATOR(pg_catalog.=) 'pg_intent_drop_guard'
                         AND t.evtfoid OPERATOR(pg_catalog.=) '@extschema@._pg_intent_drop_guard()'::pg_catalog.regprocedure) THEN
        RAISE EXCEPTION USING MESSAGE = @extschema@.intent_output_error('an event trigger named pg_intent_drop_guard exists and is not pg_intent''s'),
                   ERRCODE = 'duplicate_object',
                  HINT = @extschema@.intent_output_error('Rename it (ALTER EVENT TRIGGER pg_intent_drop_guard RENAME TO ...) and try again.');
    END IF;
END
$drop_guard$;
COMMENT ON EVENT TRIGGER pg_intent_drop_guard IS
    'Refuses DROP EXTENSION pg_intent, DROP SCHEMA ... CASCADE of its schema and DROP OWNED BY its owner while its tables hold messages, corrections, runs or models (SET pg_intent.allow_drop_with_data = on confirms).';
