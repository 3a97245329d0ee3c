-- The modes of the extension's ALWAYS and REPLICA triggers, kept: ALTER
-- TABLE ... ENABLE TRIGGER ALL on ai_intent_models or ai_classifiers (which
-- pg_dump --data-only --disable-triggers writes after each table's rows)
-- puts them in the ordinary mode, and this event trigger puts them back
-- (_pg_intent_restore_trigger_modes(), src/sql/10_triggers.sql, holds the
-- list). Any other table's ALTER TABLE only costs a look at the command's
-- object. Created once, like the drop guard (60_drop_guard.sql): an
-- administrator may disable it with ALTER EVENT TRIGGER.
CREATE OR REPLACE FUNCTION intent_internal._pg_intent_keep_trigger_modes()
RETURNS event_trigger
LANGUAGE plpgsql VOLATILE PARALLEL UNSAFE
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    v_relids oid[];
BEGIN
    -- Only the tables of _pg_intent_restore_trigger_modes()'s list, named
    -- here again on purpose: any role's ALTER TABLE of its own table fires
    -- this, and that function is the owner's (closed to PUBLIC), so it is
    -- called only for the extension's tables, whose owner or a superuser
    -- alters them. A table added to the list is added here too.
    SELECT pg_catalog.array_agg(DISTINCT c.objid) INTO v_relids
      FROM pg_catalog.pg_event_trigger_ddl_commands() AS c
     WHERE c.classid = 'pg_catalog.pg_class'::pg_catalog.regclass
       AND c.objid IN (pg_catalog.to_regclass('@extschema@.ai_intent_models'),
                       pg_catalog.to_regclass('@extschema@.ai_classifiers'));
    IF v_relids IS NOT NULL THEN
        PERFORM intent_internal._pg_intent_restore_trigger_modes(v_relids);
    END IF;
END
$$;
COMMENT ON FUNCTION intent_internal._pg_intent_keep_trigger_modes() IS
    'Internal: event trigger function (ALTER TABLE) that puts the ALWAYS and REPLICA triggers of ai_intent_models and ai_classifiers back in their modes after an ALTER TABLE of those tables, such as the ENABLE TRIGGER ALL that pg_dump --disable-triggers writes.';

SELECT intent_internal._pg_intent_create_event_trigger('pg_intent_trigger_modes', 'ddl_command_end',
                                                   ARRAY['ALTER TABLE'],
                                                   'intent_internal._pg_intent_keep_trigger_modes()');
COMMENT ON EVENT TRIGGER pg_intent_trigger_modes IS
    'Puts the ALWAYS and REPLICA triggers of ai_intent_models and ai_classifiers back in their modes after an ALTER TABLE of those tables (ENABLE TRIGGER ALL, which pg_dump --disable-triggers writes, resets them).';
