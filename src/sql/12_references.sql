-- References between the extension's tables, kept by triggers instead of
-- foreign keys.
--
-- The tables are extension configuration tables: CREATE EXTENSION creates
-- them, constraints included, and pg_dump dumps only their rows. pg_dump
-- orders those rows by their foreign keys, but the archive's data entries
-- depend only on their own table, so `pg_restore -j` loaded them in any
-- order: the rows of ai_training_run_rows, ai_intent_models and
-- ai_model_deployments failed their foreign keys and were lost (silently,
-- without --exit-on-error). So there are no foreign keys between these
-- tables. What the foreign keys did when a referenced row goes, these
-- triggers do, with the same effect: the dependent rows go too (CASCADE) or
-- lose the reference (SET NULL). They run as the owner, as foreign-key
-- actions do, so deleting a message also removes its corrections whatever
-- the deleting role may read. Inserting a reference to a row that does not
-- exist is no longer refused by the table: the extension's functions check
-- what they write.

-- ai_training_data: its corrections and review actions go with it; shadow
-- predictions keep their figures and lose the reference.
CREATE OR REPLACE FUNCTION @extschema@._pg_intent_training_data_gone()
RETURNS trigger
LANGUAGE plpgsql VOLATILE PARALLEL UNSAFE
SECURITY DEFINER SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
    IF TG_OP OPERATOR(pg_catalog.=) 'TRUNCATE' THEN
        DELETE FROM @extschema@.ai_intent_corrections;
        DELETE FROM @extschema@.ai_review_actions;
        UPDATE @extschema@.ai_shadow_predictions AS s SET training_data_id = NULL WHERE s.training_data_id IS NOT NULL;
    ELSE
        DELETE FROM @extschema@.ai_intent_corrections AS c
         USING gone AS g WHERE c.training_data_id OPERATOR(pg_catalog.=) g.id;
        DELETE FROM @extschema@.ai_review_actions AS a
         USING gone AS g WHERE a.training_data_id OPERATOR(pg_catalog.=) g.id;
        UPDATE @extschema@.ai_shadow_predictions AS s SET training_data_id = NULL
          FROM gone AS g WHERE s.training_data_id OPERATOR(pg_catalog.=) g.id;
    END IF;
    RETURN NULL;
END
$$;
COMMENT ON FUNCTION @extschema@._pg_intent_training_data_gone() IS
    'Internal trigger: removes the corrections and review actions of deleted or truncated ai_training_data rows and clears shadow predictions'' reference to them (what foreign keys did before 0.2.0).';

-- ai_training_runs: its per-row records go with it; models and deployments
-- keep their history and lose the reference.
CREATE OR REPLACE FUNCTION @extschema@._pg_intent_training_runs_gone()
RETURNS trigger
LANGUAGE plpgsql VOLATILE PARALLEL UNSAFE
SECURITY DEFINER SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
    IF TG_OP OPERATOR(pg_catalog.=) 'TRUNCATE' THEN
        DELETE FROM @extschema@.ai_training_run_rows;
        UPDATE @extschema@.ai_intent_models AS m SET run_id = NULL WHERE m.run_id IS NOT NULL;
        UPDATE @extschema@.ai_model_deployments AS d SET run_id = NULL WHERE d.run_id IS NOT NULL;
    ELSE
        DELETE FROM @extschema@.ai_training_run_rows AS rr
         USING gone AS g WHERE rr.run_id OPERATOR(pg_catalog.=) g.id;
        UPDATE @extschema@.ai_intent_models AS m SET run_id = NULL
          FROM gone AS g WHERE m.run_id OPERATOR(pg_catalog.=) g.id;
        UPDATE @extschema@.ai_model_deployments AS d SET run_id = NULL
          FROM gone AS g WHERE d.run_id OPERATOR(pg_catalog.=) g.id;
    END IF;
    RETURN NULL;
END
$$;
COMMENT ON FUNCTION @extschema@._pg_intent_training_runs_gone() IS
    'Internal trigger: removes the ai_training_run_rows of deleted or truncated runs and clears models'' and deployments'' reference to them (what foreign keys did before 0.2.0).';

-- ai_intent_models: its deployments go with it; a deployment that replaced
-- it loses the reference.
CREATE OR REPLACE FUNCTION @extschema@._pg_intent_intent_models_gone()
RETURNS trigger
LANGUAGE plpgsql VOLATILE PARALLEL UNSAFE
SECURITY DEFINER SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
    IF TG_OP OPERATOR(pg_catalog.=) 'TRUNCATE' THEN
        DELETE FROM @extschema@.ai_model_deployments;
    ELSE
        DELETE FROM @extschema@.ai_model_deployments AS d
         USING gone AS g WHERE d.model_id OPERATOR(pg_catalog.=) g.id;
        UPDATE @extschema@.ai_model_deployments AS d SET previous_model_id = NULL
          FROM gone AS g WHERE d.previous_model_id OPERATOR(pg_catalog.=) g.id;
    END IF;
    RETURN NULL;
END
$$;
COMMENT ON FUNCTION @extschema@._pg_intent_intent_models_gone() IS
    'Internal trigger: removes the deployments of deleted or truncated models and clears the previous-model reference to them (what foreign keys did before 0.2.0).';

CREATE OR REPLACE TRIGGER ai_training_data_gone
    AFTER DELETE ON @extschema@.ai_training_data REFERENCING OLD TABLE AS gone
    FOR EACH STATEMENT EXECUTE FUNCTION @extschema@._pg_intent_training_data_gone();
CREATE OR REPLACE TRIGGER ai_training_data_truncated
    AFTER TRUNCATE ON @extschema@.ai_training_data
    FOR EACH STATEMENT EXECUTE FUNCTION @extschema@._pg_intent_training_data_gone();
CREATE OR REPLACE TRIGGER ai_training_runs_gone
    AFTER DELETE ON @extschema@.ai_training_runs REFERENCING OLD TABLE AS gone
    FOR EACH STATEMENT EXECUTE FUNCTION @extschema@._pg_intent_training_runs_gone();
CREATE OR REPLACE TRIGGER ai_training_runs_truncated
    AFTER TRUNCATE ON @extschema@.ai_training_runs
    FOR EACH STATEMENT EXECUTE FUNCTION @extschema@._pg_intent_training_runs_gone();
CREATE OR REPLACE TRIGGER ai_intent_models_gone
    AFTER DELETE ON @extschema@.ai_intent_models REFERENCING OLD TABLE AS gone
    FOR EACH STATEMENT EXECUTE FUNCTION @extschema@._pg_intent_intent_models_gone();
CREATE OR REPLACE TRIGGER ai_intent_models_truncated
    AFTER TRUNCATE ON @extschema@.ai_intent_models
    FOR EACH STATEMENT EXECUTE FUNCTION @extschema@._pg_intent_intent_models_gone();
