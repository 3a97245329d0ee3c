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
-- the deleting role may read. TRUNCATE, as with foreign keys, is refused
-- while another table still refers to the rows (truncate them together, or
-- DELETE): a role allowed to truncate the messages must not empty the
-- reviewers' audit trail through the owner's rights. Inserting a reference
-- to a row that does not exist is no longer refused by the table: the
-- extension's functions check what they write.

-- The refusal of a TRUNCATE that would leave references behind.
CREATE OR REPLACE FUNCTION intent_internal._pg_intent_refuse_truncate(p_table text, p_referring text[])
RETURNS void
LANGUAGE plpgsql VOLATILE PARALLEL UNSAFE
SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
    IF cardinality(p_referring) OPERATOR(pg_catalog.>) 0 THEN
        RAISE EXCEPTION USING MESSAGE = intent_internal._pg_intent_error_words('cannot truncate %s while other tables refer to its rows', p_table),
                   ERRCODE = 'feature_not_supported',
                  DETAIL = intent_internal._pg_intent_error_words('Rows of %s refer to it.', pg_catalog.array_to_string(p_referring, ', ')),
                  HINT = intent_internal._pg_intent_error_words('Truncate them in the same command (TRUNCATE %s, %s), or DELETE FROM %s, which removes or unlinks them.',
                                           p_table, pg_catalog.array_to_string(p_referring, ', '), p_table);
    END IF;
END
$$;
COMMENT ON FUNCTION intent_internal._pg_intent_refuse_truncate(text, text[]) IS
    'Internal: raises 0A000 when a truncated table of the extension is still referred to by rows of the listed tables.';

-- ai_training_data: its corrections, review actions and training records
-- (ai_training_run_rows) go with it; shadow predictions keep their figures
-- and lose the reference. The training records go because they are read by
-- id only: the deploy gate takes a row the active model trained on for no
-- fresh evidence, and the review queue judges a row by its out-of-fold
-- prediction. Left behind, they passed to a new row inserted with the
-- deleted row's id (a role allowed to insert ids chooses them), which then
-- counted as trained on. The run keeps its counts and metrics.
CREATE OR REPLACE FUNCTION intent_internal._pg_intent_training_data_gone()
RETURNS trigger
LANGUAGE plpgsql VOLATILE PARALLEL UNSAFE
SECURITY DEFINER SET search_path = pg_catalog, pg_temp SET row_security = off
AS $$
BEGIN
    IF TG_OP OPERATOR(pg_catalog.=) 'TRUNCATE' THEN
        PERFORM intent_internal._pg_intent_refuse_truncate('ai_training_data', ARRAY(
            SELECT t FROM (VALUES ('ai_intent_corrections', EXISTS (SELECT FROM @extschema@.ai_intent_corrections)),
                                  ('ai_review_actions', EXISTS (SELECT FROM @extschema@.ai_review_actions)),
                                  ('ai_training_run_rows', EXISTS (SELECT FROM @extschema@.ai_training_run_rows)),
                                  ('ai_shadow_predictions', EXISTS (SELECT FROM @extschema@.ai_shadow_predictions AS s
                                                                     WHERE s.training_data_id IS NOT NULL))) AS v(t, refers)
             WHERE v.refers));
    ELSE
        DELETE FROM @extschema@.ai_intent_corrections AS c
         USING gone AS g WHERE c.training_data_id OPERATOR(pg_catalog.=) g.id;
        DELETE FROM @extschema@.ai_review_actions AS a
         USING gone AS g WHERE a.training_data_id OPERATOR(pg_catalog.=) g.id;
        DELETE FROM @extschema@.ai_training_run_rows AS rr
         USING gone AS g WHERE rr.training_data_id OPERATOR(pg_catalog.=) g.id;
        UPDATE @extschema@.ai_shadow_predictions AS s SET training_data_id = NULL
          FROM gone AS g WHERE s.training_data_id OPERATOR(pg_catalog.=) g.id;
    END IF;
    RETURN NULL;
END
$$;
COMMENT ON FUNCTION intent_internal._pg_intent_training_data_gone() IS
    'Internal trigger: removes the corrections, review actions and training records (ai_training_run_rows) of deleted ai_training_data rows and clears shadow predictions'' reference to them; refuses a TRUNCATE that would leave references (what foreign keys did before 0.2.0).';

-- ai_training_runs: its per-row records go with it; models and deployments
-- keep their history and lose the reference.
CREATE OR REPLACE FUNCTION intent_internal._pg_intent_training_runs_gone()
RETURNS trigger
LANGUAGE plpgsql VOLATILE PARALLEL UNSAFE
SECURITY DEFINER SET search_path = pg_catalog, pg_temp SET row_security = off
AS $$
BEGIN
    IF TG_OP OPERATOR(pg_catalog.=) 'TRUNCATE' THEN
        PERFORM intent_internal._pg_intent_refuse_truncate('ai_training_runs', ARRAY(
            SELECT t FROM (VALUES ('ai_training_run_rows', EXISTS (SELECT FROM @extschema@.ai_training_run_rows)),
                                  ('ai_classifier_run_rows', EXISTS (SELECT FROM @extschema@.ai_classifier_run_rows)),
                                  ('ai_intent_models', EXISTS (SELECT FROM @extschema@.ai_intent_models AS m
                                                                WHERE m.run_id IS NOT NULL)),
                                  ('ai_model_deployments', EXISTS (SELECT FROM @extschema@.ai_model_deployments AS d
                                                                    WHERE d.run_id IS NOT NULL))) AS v(t, refers)
             WHERE v.refers));
    ELSE
        DELETE FROM @extschema@.ai_training_run_rows AS rr
         USING gone AS g WHERE rr.run_id OPERATOR(pg_catalog.=) g.id;
        DELETE FROM @extschema@.ai_classifier_run_rows AS rr
         USING gone AS g WHERE rr.run_id OPERATOR(pg_catalog.=) g.id;
        UPDATE @extschema@.ai_intent_models AS m SET run_id = NULL
          FROM gone AS g WHERE m.run_id OPERATOR(pg_catalog.=) g.id;
        UPDATE @extschema@.ai_model_deployments AS d SET run_id = NULL
          FROM gone AS g WHERE d.run_id OPERATOR(pg_catalog.=) g.id;
    END IF;
    RETURN NULL;
END
$$;
COMMENT ON FUNCTION intent_internal._pg_intent_training_runs_gone() IS
    'Internal trigger: removes the ai_training_run_rows and ai_classifier_run_rows of deleted runs and clears models'' and deployments'' reference to them; refuses a TRUNCATE that would leave references (what foreign keys did before 0.2.0).';

-- ai_intent_models: its deployments go with it; a deployment that replaced
-- it loses the reference.
CREATE OR REPLACE FUNCTION intent_internal._pg_intent_intent_models_gone()
RETURNS trigger
LANGUAGE plpgsql VOLATILE PARALLEL UNSAFE
SECURITY DEFINER SET search_path = pg_catalog, pg_temp SET row_security = off
AS $$
BEGIN
    IF TG_OP OPERATOR(pg_catalog.=) 'TRUNCATE' THEN
        PERFORM intent_internal._pg_intent_refuse_truncate('ai_intent_models', ARRAY(
            SELECT 'ai_model_deployments' WHERE EXISTS (SELECT FROM @extschema@.ai_model_deployments)));
    ELSE
        DELETE FROM @extschema@.ai_model_deployments AS d
         USING gone AS g WHERE d.model_id OPERATOR(pg_catalog.=) g.id;
        UPDATE @extschema@.ai_model_deployments AS d SET previous_model_id = NULL
          FROM gone AS g WHERE d.previous_model_id OPERATOR(pg_catalog.=) g.id;
    END IF;
    RETURN NULL;
END
$$;
COMMENT ON FUNCTION intent_internal._pg_intent_intent_models_gone() IS
    'Internal trigger: removes the deployments of deleted models and clears the previous-model reference to them; refuses a TRUNCATE that would leave references (what foreign keys did before 0.2.0).';

-- Changing the id of a row that other rows refer to is refused, as the
-- foreign keys' ON UPDATE NO ACTION refused it in 0.1.0: the referring rows
-- would silently lose their row (a correction its message, a run's record of
-- what it trained on its row, so that the deploy gate would take a row the
-- active model trained on for fresh evidence). An id nothing refers to may
-- change. As the owner, like a foreign-key check: the referring rows count
-- whatever the updating role may read.
CREATE OR REPLACE FUNCTION intent_internal._pg_intent_refuse_key_change()
RETURNS trigger
LANGUAGE plpgsql VOLATILE PARALLEL UNSAFE
SECURITY DEFINER SET search_path = pg_catalog, pg_temp SET row_security = off
AS $$
DECLARE
    v_referring text;
BEGIN
    IF TG_TABLE_NAME OPERATOR(pg_catalog.=) 'ai_training_data' THEN
        SELECT v.t INTO v_referring
          FROM (VALUES ('ai_intent_corrections', EXISTS (SELECT FROM @extschema@.ai_intent_corrections AS c
                                                         WHERE c.training_data_id OPERATOR(pg_catalog.=) OLD.id)),
                       ('ai_review_actions', EXISTS (SELECT FROM @extschema@.ai_review_actions AS a
                                                     WHERE a.training_data_id OPERATOR(pg_catalog.=) OLD.id)),
                       ('ai_training_run_rows', EXISTS (SELECT FROM @extschema@.ai_training_run_rows AS rr
                                                        WHERE rr.training_data_id OPERATOR(pg_catalog.=) OLD.id)),
                       ('ai_shadow_predictions', EXISTS (SELECT FROM @extschema@.ai_shadow_predictions AS s
                                                         WHERE s.training_data_id OPERATOR(pg_catalog.=) OLD.id))) AS v(t, refers)
         WHERE v.refers LIMIT 1;
    ELSIF TG_TABLE_NAME OPERATOR(pg_catalog.=) 'ai_training_runs' THEN
        SELECT v.t INTO v_referring
          FROM (VALUES ('ai_training_run_rows', EXISTS (SELECT FROM @extschema@.ai_training_run_rows AS rr
                                                        WHERE rr.run_id OPERATOR(pg_catalog.=) OLD.id)),
                       ('ai_classifier_run_rows', EXISTS (SELECT FROM @extschema@.ai_classifier_run_rows AS rr
                                                          WHERE rr.run_id OPERATOR(pg_catalog.=) OLD.id)),
                       ('ai_intent_models', EXISTS (SELECT FROM @extschema@.ai_intent_models AS m
                                                    WHERE m.run_id OPERATOR(pg_catalog.=) OLD.id)),
                       ('ai_model_deployments', EXISTS (SELECT FROM @extschema@.ai_model_deployments AS d
                                                        WHERE d.run_id OPERATOR(pg_catalog.=) OLD.id))) AS v(t, refers)
         WHERE v.refers LIMIT 1;
    ELSE -- ai_intent_models
        SELECT v.t INTO v_referring
          FROM (VALUES ('ai_model_deployments', EXISTS (SELECT FROM @extschema@.ai_model_deployments AS d
                                                        WHERE d.model_id OPERATOR(pg_catalog.=) OLD.id
                                                           OR d.previous_model_id OPERATOR(pg_catalog.=) OLD.id))) AS v(t, refers)
         WHERE v.refers LIMIT 1;
    END IF;
    IF v_referring IS NOT NULL THEN
        RAISE EXCEPTION USING MESSAGE = intent_internal._pg_intent_error_words('cannot change the id of a row of %s while %s refers to it', TG_TABLE_NAME, v_referring),
                   ERRCODE = 'foreign_key_violation',
                  DETAIL = intent_internal._pg_intent_error_words('Key (id)=(%s) is still referenced from table %s.', OLD.id, v_referring),
                  HINT = intent_internal._pg_intent_error_words('Insert a new row instead; the extension keeps ids fixed so that corrections, review actions and training records stay with their row.');
    END IF;
    RETURN NEW;
END
$$;
COMMENT ON FUNCTION intent_internal._pg_intent_refuse_key_change() IS
    'Internal trigger: refuses (23503) changing the id of an ai_training_data, ai_training_runs or ai_intent_models row that other rows of the extension refer to (what ON UPDATE NO ACTION foreign keys did before 0.2.0).';

CREATE OR REPLACE TRIGGER ai_training_data_gone
    AFTER DELETE ON @extschema@.ai_training_data REFERENCING OLD TABLE AS gone
    FOR EACH STATEMENT EXECUTE FUNCTION intent_internal._pg_intent_training_data_gone();
CREATE OR REPLACE TRIGGER ai_training_data_truncated
    AFTER TRUNCATE ON @extschema@.ai_training_data
    FOR EACH STATEMENT EXECUTE FUNCTION intent_internal._pg_intent_training_data_gone();
CREATE OR REPLACE TRIGGER ai_training_runs_gone
    AFTER DELETE ON @extschema@.ai_training_runs REFERENCING OLD TABLE AS gone
    FOR EACH STATEMENT EXECUTE FUNCTION intent_internal._pg_intent_training_runs_gone();
CREATE OR REPLACE TRIGGER ai_training_runs_truncated
    AFTER TRUNCATE ON @extschema@.ai_training_runs
    FOR EACH STATEMENT EXECUTE FUNCTION intent_internal._pg_intent_training_runs_gone();
CREATE OR REPLACE TRIGGER ai_intent_models_gone
    AFTER DELETE ON @extschema@.ai_intent_models REFERENCING OLD TABLE AS gone
    FOR EACH STATEMENT EXECUTE FUNCTION intent_internal._pg_intent_intent_models_gone();
CREATE OR REPLACE TRIGGER ai_intent_models_truncated
    AFTER TRUNCATE ON @extschema@.ai_intent_models
    FOR EACH STATEMENT EXECUTE FUNCTION intent_internal._pg_intent_intent_models_gone();
CREATE OR REPLACE TRIGGER ai_training_data_key_change
    BEFORE UPDATE OF id ON @extschema@.ai_training_data
    FOR EACH ROW WHEN (OLD.id IS DISTINCT FROM NEW.id)
    EXECUTE FUNCTION intent_internal._pg_intent_refuse_key_change();
CREATE OR REPLACE TRIGGER ai_training_runs_key_change
    BEFORE UPDATE OF id ON @extschema@.ai_training_runs
    FOR EACH ROW WHEN (OLD.id IS DISTINCT FROM NEW.id)
    EXECUTE FUNCTION intent_internal._pg_intent_refuse_key_change();
CREATE OR REPLACE TRIGGER ai_intent_models_key_change
    BEFORE UPDATE OF id ON @extschema@.ai_intent_models
    FOR EACH ROW WHEN (OLD.id IS DISTINCT FROM NEW.id)
    EXECUTE FUNCTION intent_internal._pg_intent_refuse_key_change();
