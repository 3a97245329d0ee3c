-- Trigger functions that keep derived columns right, their triggers, and
-- the statement trigger that invalidates every backend's model cache.

-- Keeps updated_at current on every UPDATE.
CREATE OR REPLACE FUNCTION @extschema@._pg_intent_touch_updated_at()
RETURNS trigger
LANGUAGE plpgsql VOLATILE PARALLEL UNSAFE
SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
    NEW.updated_at := now();
    RETURN NEW;
END
$$;
COMMENT ON FUNCTION @extschema@._pg_intent_touch_updated_at() IS
    'Internal: trigger that sets updated_at to now() on every update.';

-- Derives was_mismatch from the two intents so callers cannot get it wrong.
CREATE OR REPLACE FUNCTION @extschema@._pg_intent_set_was_mismatch()
RETURNS trigger
LANGUAGE plpgsql VOLATILE PARALLEL UNSAFE
SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
    NEW.was_mismatch := NEW.original_intent IS DISTINCT FROM NEW.corrected_intent;
    RETURN NEW;
END
$$;
COMMENT ON FUNCTION @extschema@._pg_intent_set_was_mismatch() IS
    'Internal: trigger that sets ai_intent_corrections.was_mismatch to whether the corrected intent differs from the original one.';

-- The WHEN clause is evaluated without calling PL/pgSQL: a row whose new
-- updated_at already is now() (what the function would write) skips the
-- call, so train_intent_model() marking thousands of rows used_in_training
-- stays cheap, and any other value is still overwritten.
CREATE OR REPLACE TRIGGER ai_training_data_touch_updated_at
    BEFORE UPDATE ON @extschema@.ai_training_data
    FOR EACH ROW WHEN (NEW.updated_at IS DISTINCT FROM pg_catalog.now())
    EXECUTE FUNCTION @extschema@._pg_intent_touch_updated_at();

CREATE OR REPLACE TRIGGER ai_intent_corrections_set_was_mismatch
    BEFORE INSERT OR UPDATE OF original_intent, corrected_intent, was_mismatch
    ON @extschema@.ai_intent_corrections
    FOR EACH ROW EXECUTE FUNCTION @extschema@._pg_intent_set_was_mismatch();

-- Internal: statement trigger on ai_intent_models that invalidates every
-- backend's model cache (through a relcache invalidation, which also reaches
-- hot standbys) when the committed set of models changes.
CREATE OR REPLACE FUNCTION @extschema@._pg_intent_models_changed()
RETURNS trigger
AS 'MODULE_PATHNAME', 'pg_intent_models_changed'
LANGUAGE C VOLATILE PARALLEL UNSAFE;
COMMENT ON FUNCTION @extschema@._pg_intent_models_changed() IS
    'Internal: invalidates cached models in every session after ai_intent_models changes.';

-- Invalidate every backend's cached model whenever the set of models changes
-- (deploy, rollback, new or deleted models). Defined here because the
-- trigger function is declared in 10_c_functions.sql.
CREATE OR REPLACE TRIGGER ai_intent_models_changed
    AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON @extschema@.ai_intent_models
    FOR EACH STATEMENT EXECUTE FUNCTION @extschema@._pg_intent_models_changed();
-- Also under session_replication_role = replica: logical replication's apply
-- worker and pg_restore --disable-triggers change models too, and a backend
-- that missed the invalidation would serve a stale model indefinitely.
ALTER TABLE @extschema@.ai_intent_models ENABLE ALWAYS TRIGGER ai_intent_models_changed;

