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

-- The references, once. Each row: a referring table's column that holds the
-- id of a referenced table's row, and what deleting that row does to the
-- referring rows ('cascade': they go; 'set null': they keep their figures
-- and lose the reference). A row refers when its column is not null (the
-- cascading columns are all NOT NULL). The three jobs below read this list
-- and name no table: deleting (_pg_intent_references_gone()), the TRUNCATE
-- refusal (the same function) and the id-change refusal
-- (_pg_intent_refuse_key_change()). A table that refers to one of these is
-- added here, and nowhere else: test/sql/references_list.sql fails for a
-- column named like a reference that is neither listed nor declared no
-- reference there. The order is the order of the messages, and of the
-- deletions.
--
-- ai_training_data: its corrections, review actions and training records
-- (ai_training_run_rows) go with it; shadow predictions keep their figures
-- and lose the reference. The training records go because they are read by
-- id only: the deploy gate takes a row the active model trained on for no
-- fresh evidence, and the review queue judges a row by its out-of-fold
-- prediction. Left behind, they passed to a new row inserted with the
-- deleted row's id (a role allowed to insert ids chooses them), which then
-- counted as trained on. The run keeps its counts and metrics.
-- ai_training_runs: its per-row records go with it; models and deployments
-- keep their history and lose the reference.
-- ai_intent_models: its deployments go with it; a deployment that replaced
-- it loses the reference.
CREATE OR REPLACE FUNCTION intent_internal._pg_intent_references()
RETURNS TABLE (referenced text, referring text, referring_column text, on_delete text)
LANGUAGE sql IMMUTABLE PARALLEL SAFE
SET search_path = pg_catalog, pg_temp
AS $$
    VALUES ('ai_training_data', 'ai_intent_corrections', 'training_data_id', 'cascade'),
           ('ai_training_data', 'ai_review_actions', 'training_data_id', 'cascade'),
           ('ai_training_data', 'ai_training_run_rows', 'training_data_id', 'cascade'),
           ('ai_training_data', 'ai_shadow_predictions', 'training_data_id', 'set null'),
           ('ai_training_runs', 'ai_training_run_rows', 'run_id', 'cascade'),
           ('ai_training_runs', 'ai_classifier_run_rows', 'run_id', 'cascade'),
           ('ai_training_runs', 'ai_intent_models', 'run_id', 'set null'),
           ('ai_training_runs', 'ai_model_deployments', 'run_id', 'set null'),
           ('ai_intent_models', 'ai_model_deployments', 'model_id', 'cascade'),
           ('ai_intent_models', 'ai_model_deployments', 'previous_model_id', 'set null')
$$;
COMMENT ON FUNCTION intent_internal._pg_intent_references() IS
    'Internal: the references between the extension''s tables, kept by triggers instead of foreign keys (src/sql/12_references.sql), in the order of their messages: the referenced table (by its id), the referring table and column, and what deleting the referenced row does (cascade or set null).';

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

-- What deleting rows of a referenced table does to the rows that refer to
-- them, one statement per reference of the list for the whole DELETE (the
-- deleted rows are the transition table gone); and a TRUNCATE refused while
-- any row refers to the table, naming the referring tables in the list's
-- order.
CREATE OR REPLACE FUNCTION intent_internal._pg_intent_references_gone()
RETURNS trigger
LANGUAGE plpgsql VOLATILE PARALLEL UNSAFE
SECURITY DEFINER SET search_path = pg_catalog, pg_temp SET row_security = off
AS $$
DECLARE
    r record;
    v_refers boolean;
    v_referring text[] := '{}';
BEGIN
    FOR r IN
        SELECT x.referring, x.referring_column, x.on_delete
          FROM intent_internal._pg_intent_references() WITH ORDINALITY AS x (referenced, referring, referring_column, on_delete, position)
         WHERE x.referenced OPERATOR(pg_catalog.=) TG_TABLE_NAME::text
         ORDER BY x.position
    LOOP
        IF TG_OP OPERATOR(pg_catalog.=) 'TRUNCATE' THEN
            IF r.referring OPERATOR(pg_catalog.<>) ALL (v_referring) THEN
                EXECUTE pg_catalog.format('SELECT EXISTS (SELECT FROM %I.%I AS t WHERE t.%I IS NOT NULL)',
                                          TG_TABLE_SCHEMA, r.referring, r.referring_column)
                   INTO v_refers;
                IF v_refers THEN
                    v_referring := v_referring OPERATOR(pg_catalog.||) r.referring;
                END IF;
            END IF;
        ELSE
            CASE r.on_delete
            WHEN 'cascade' THEN
                EXECUTE pg_catalog.format('DELETE FROM %I.%I AS t USING gone AS g WHERE t.%I OPERATOR(pg_catalog.=) g.id',
                                          TG_TABLE_SCHEMA, r.referring, r.referring_column);
            WHEN 'set null' THEN
                EXECUTE pg_catalog.format('UPDATE %I.%I AS t SET %I = NULL FROM gone AS g WHERE t.%I OPERATOR(pg_catalog.=) g.id',
                                          TG_TABLE_SCHEMA, r.referring, r.referring_column, r.referring_column);
            END CASE;
        END IF;
    END LOOP;
    IF TG_OP OPERATOR(pg_catalog.=) 'TRUNCATE' THEN
        PERFORM intent_internal._pg_intent_refuse_truncate(TG_TABLE_NAME, v_referring);
    END IF;
    RETURN NULL;
END
$$;
COMMENT ON FUNCTION intent_internal._pg_intent_references_gone() IS
    'Internal trigger: for the deleted rows of a table that others refer to, removes the referring rows or clears their reference, as _pg_intent_references() lists; refuses a TRUNCATE that would leave references (what foreign keys did before 0.2.0).';

-- Changing the id of a row that other rows refer to is refused, as the
-- foreign keys' ON UPDATE NO ACTION refused it in 0.1.0: the referring rows
-- would silently lose their row (a correction its message, a run's record of
-- what it trained on its row, so that the deploy gate would take a row the
-- active model trained on for fresh evidence). An id nothing refers to may
-- change. As the owner, like a foreign-key check: the referring rows count
-- whatever the updating role may read. The first referring table of the
-- list is named.
CREATE OR REPLACE FUNCTION intent_internal._pg_intent_refuse_key_change()
RETURNS trigger
LANGUAGE plpgsql VOLATILE PARALLEL UNSAFE
SECURITY DEFINER SET search_path = pg_catalog, pg_temp SET row_security = off
AS $$
DECLARE
    r record;
    v_refers boolean;
    v_referring text;
BEGIN
    FOR r IN
        SELECT x.referring, x.referring_column
          FROM intent_internal._pg_intent_references() WITH ORDINALITY AS x (referenced, referring, referring_column, on_delete, position)
         WHERE x.referenced OPERATOR(pg_catalog.=) TG_TABLE_NAME::text
         ORDER BY x.position
    LOOP
        EXECUTE pg_catalog.format('SELECT EXISTS (SELECT FROM %I.%I AS t WHERE t.%I OPERATOR(pg_catalog.=) $1)',
                                  TG_TABLE_SCHEMA, r.referring, r.referring_column)
           INTO v_refers USING OLD.id;
        IF v_refers THEN
            v_referring := r.referring;
            EXIT;
        END IF;
    END LOOP;
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
    'Internal trigger: refuses (23503) changing the id of a row that other rows of the extension refer to, as _pg_intent_references() lists (what ON UPDATE NO ACTION foreign keys did before 0.2.0).';

-- The triggers of each referenced table of the list
-- (test/sql/references_list.sql checks that every one has them).
CREATE OR REPLACE TRIGGER ai_training_data_gone
    AFTER DELETE ON @extschema@.ai_training_data REFERENCING OLD TABLE AS gone
    FOR EACH STATEMENT EXECUTE FUNCTION intent_internal._pg_intent_references_gone();
CREATE OR REPLACE TRIGGER ai_training_data_truncated
    AFTER TRUNCATE ON @extschema@.ai_training_data
    FOR EACH STATEMENT EXECUTE FUNCTION intent_internal._pg_intent_references_gone();
CREATE OR REPLACE TRIGGER ai_training_runs_gone
    AFTER DELETE ON @extschema@.ai_training_runs REFERENCING OLD TABLE AS gone
    FOR EACH STATEMENT EXECUTE FUNCTION intent_internal._pg_intent_references_gone();
CREATE OR REPLACE TRIGGER ai_training_runs_truncated
    AFTER TRUNCATE ON @extschema@.ai_training_runs
    FOR EACH STATEMENT EXECUTE FUNCTION intent_internal._pg_intent_references_gone();
CREATE OR REPLACE TRIGGER ai_intent_models_gone
    AFTER DELETE ON @extschema@.ai_intent_models REFERENCING OLD TABLE AS gone
    FOR EACH STATEMENT EXECUTE FUNCTION intent_internal._pg_intent_references_gone();
CREATE OR REPLACE TRIGGER ai_intent_models_truncated
    AFTER TRUNCATE ON @extschema@.ai_intent_models
    FOR EACH STATEMENT EXECUTE FUNCTION intent_internal._pg_intent_references_gone();
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
