-- Named classifiers (0.3.0): creating, altering and dropping one. Who may
-- do what: 44_classifier_rights.sql; its columns, policy and options:
-- 45_classifier_definition.sql.

-- -------------------------------------------------------------------------
-- create_classifier, alter_classifier, drop_classifier
-- -------------------------------------------------------------------------

CREATE OR REPLACE FUNCTION @extschema@.create_classifier(
    p_name text, p_source regclass, p_text_column name, p_label_column name, p_options jsonb DEFAULT '{}')
RETURNS jsonb
AS 'MODULE_PATHNAME', 'pg_intent_classifier_call'
LANGUAGE C VOLATILE PARALLEL UNSAFE;
COMMENT ON FUNCTION @extschema@.create_classifier(text, regclass, name, name, jsonb) IS
    'Registers a classifier over a table or view: the text and label columns, and in p_options the optional key_column, time_column, weight_column, reviewed_column, corrected_column and partition_column, the policy keys (min_samples_for_training, max_f1_regression, gate_window_days, min_partition_rows, ...) and training options. The caller becomes its owner and must be able to read the named columns. Returns the definition. Errors: 22023 bad name or option, 42710 exists, 42P01/42809 source, 42703 column, 42804 column type, 42501 unreadable column.';

CREATE OR REPLACE FUNCTION intent_internal._pg_intent_create_classifier(
    p_caller oid, p_name text, p_source regclass, p_text_column name, p_label_column name, p_options jsonb)
RETURNS jsonb
LANGUAGE plpgsql VOLATILE PARALLEL UNSAFE
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    v_options jsonb := coalesce(p_options, '{}'::jsonb);
    v_columns jsonb;
    v_bad text;
BEGIN
    IF p_name IS NULL OR p_source IS NULL OR p_text_column IS NULL OR p_label_column IS NULL THEN
        RAISE EXCEPTION USING MESSAGE = intent_internal._pg_intent_error_words('p_name, p_source, p_text_column and p_label_column must not be null'),
                   ERRCODE = 'null_value_not_allowed';
    END IF;
    -- The length first: a name is at most 63 bytes, and the regular
    -- expression holds 4 bytes for every character of its text (more than
    -- 268,435,455 characters fail to allocate, XX000).
    IF octet_length(p_name) > 63 OR p_name !~ '^[a-z][a-z0-9_]{0,62}$' THEN
        RAISE EXCEPTION USING MESSAGE = intent_internal._pg_intent_error_words('invalid classifier name "%s"', p_name),
                   ERRCODE = 'invalid_parameter_value',
                  DETAIL = intent_internal._pg_intent_error_words('A classifier name is a lower-case letter, then up to 62 lower-case letters, digits or underscores.');
    END IF;
    IF jsonb_typeof(v_options) <> 'object' THEN
        RAISE EXCEPTION USING MESSAGE = intent_internal._pg_intent_error_words('p_options must be a JSON object'), ERRCODE = 'invalid_parameter_value';
    END IF;
    -- The name's row locked, not merely read: a drop_classifier() of the name
    -- that has not committed holds its row (FOR UPDATE, then deleted), and
    -- this waits for it, as an INSERT waits on a unique key another
    -- transaction is deleting (lock_timeout, statement_timeout and a cancel
    -- end the wait). The drop committed: the row is gone and the name is
    -- free. It rolled back: the name is taken (42710). Read without the
    -- lock, the row the uncommitted drop was deleting was still there, and
    -- the name was refused at once although the drop might commit a moment
    -- later (test/scripts/classifier_name_taken.sh). In REPEATABLE READ a
    -- drop that committed during the wait raises 40001: a retry, in a new
    -- transaction, succeeds. FOR KEY SHARE: what a training holds, so only
    -- a drop, a change of the source or a column (FOR UPDATE) is waited for.
    PERFORM FROM @extschema@.ai_classifiers AS c WHERE c.name = p_name FOR KEY SHARE;
    IF FOUND THEN
        RAISE EXCEPTION USING MESSAGE = intent_internal._pg_intent_error_words('classifier "%s" already exists', p_name),
                   ERRCODE = 'duplicate_object', HINT = intent_internal._pg_intent_error_words('Change it with alter_classifier().');
    END IF;
    SELECT k INTO v_bad FROM jsonb_object_keys(v_options) AS k
     WHERE k = ANY (intent_internal._pg_intent_classifier_column_keys()) AND jsonb_typeof(v_options -> k) <> 'string'
     LIMIT 1;
    IF v_bad IS NOT NULL THEN
        RAISE EXCEPTION USING MESSAGE = intent_internal._pg_intent_error_words('invalid classifier option "%s": it must name a column', v_bad), ERRCODE = 'invalid_parameter_value';
    END IF;
    -- (alter_classifier() takes these as options; create_classifier() as arguments)
    SELECT k INTO v_bad FROM jsonb_object_keys(v_options) AS k WHERE k IN ('source', 'text_column', 'label_column') LIMIT 1;
    IF v_bad IS NOT NULL THEN
        RAISE EXCEPTION USING MESSAGE = intent_internal._pg_intent_error_words('invalid classifier option "%s"', v_bad),
            ERRCODE = 'invalid_parameter_value',
                  HINT = intent_internal._pg_intent_error_words('create_classifier() takes the source, the text column and the label column as its arguments p_source, p_text_column and p_label_column.');
    END IF;
    v_columns := jsonb_build_object('text_column', p_text_column, 'label_column', p_label_column)
                 || (SELECT coalesce(jsonb_object_agg(k, v_options -> k), '{}') FROM jsonb_object_keys(v_options) AS k
                      WHERE k = ANY (intent_internal._pg_intent_classifier_column_keys()));
    PERFORM intent_internal._pg_intent_classifier_check_source(p_caller, p_name, p_source::oid, v_columns);
    v_options := v_options - intent_internal._pg_intent_classifier_column_keys();
    PERFORM intent_internal._pg_intent_classifier_check_options(v_options, v_columns ? 'time_column', v_columns ? 'partition_column');

    -- The owner is the caller, by OID and by the name it has now;
    -- source_name is filled by _pg_intent_classifier_rebind().
    INSERT INTO @extschema@.ai_classifiers (name, source, text_column, label_column, key_column, time_column,
                                            weight_column, reviewed_column, partition_column, corrected_column,
                                            policy, owner, owner_name)
    VALUES (p_name, p_source, p_text_column, p_label_column, v_columns ->> 'key_column', v_columns ->> 'time_column',
            v_columns ->> 'weight_column', v_columns ->> 'reviewed_column', v_columns ->> 'partition_column',
            v_columns ->> 'corrected_column',
            v_options, p_caller, (SELECT r.rolname FROM pg_catalog.pg_roles AS r WHERE r.oid = p_caller))
    ON CONFLICT (name) DO NOTHING;
    IF NOT FOUND THEN
        -- Another transaction took the name after the check above and has
        -- committed (the insert waited for it): checked again, with a new
        -- snapshot, it is refused there as any name that exists (42710).
        -- A plain insert raised 23505 here, naming the table's primary key
        -- and showing this INSERT. (In REPEATABLE READ the insert raises
        -- 40001 instead: a retry, in a new transaction, gets 42710.)
        RETURN intent_internal._pg_intent_create_classifier(p_caller, p_name, p_source, p_text_column,
                                                             p_label_column, p_options);
    END IF;
    RETURN intent_internal._pg_intent_classifier_json(p_name);
END
$$;
COMMENT ON FUNCTION intent_internal._pg_intent_create_classifier(oid, text, regclass, name, name, jsonb) IS
    'Internal: create_classifier() as the extension owner, for the calling role p_caller.';

CREATE OR REPLACE FUNCTION @extschema@.alter_classifier(p_name text, p_options jsonb)
RETURNS jsonb
AS 'MODULE_PATHNAME', 'pg_intent_classifier_call'
LANGUAGE C VOLATILE PARALLEL UNSAFE;
COMMENT ON FUNCTION @extschema@.alter_classifier(text, jsonb) IS
    'Changes a classifier''s source (a table or view name, resolved in the caller''s search_path), text and label columns, optional columns, policy keys or training options, keeping its id, models, runs and grants: the keys given replace the current ones, a key set to null is removed (not source, text_column, label_column). The source and columns are checked as create_classifier() checks them, for the classifier''s owner, who reads the source. Its owner only. The built-in classifier intent is changed through ai_training_policy. Returns the definition. Errors as create_classifier(), and 42704 unknown classifier, 42501 not the owner, 55000 the built-in classifier.';

CREATE OR REPLACE FUNCTION intent_internal._pg_intent_alter_classifier(p_caller oid, p_name text, p_options jsonb)
RETURNS jsonb
LANGUAGE plpgsql VOLATILE PARALLEL UNSAFE
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    c @extschema@.ai_classifiers := intent_internal._pg_intent_classifier_require(p_name, p_caller, 'manage');
    v_columns jsonb;
    v_options jsonb;
    v_bad text;
    v_source oid := c.source;
BEGIN
    IF c.built_in THEN
        RAISE EXCEPTION USING MESSAGE = intent_internal._pg_intent_error_words('the built-in classifier "intent" is changed through ai_training_policy'),
                   ERRCODE = 'object_not_in_prerequisite_state',
                  HINT = intent_internal._pg_intent_error_words('An administrator changes its policy with UPDATE ai_training_policy SET ...');
    END IF;
    IF p_options IS NULL OR jsonb_typeof(p_options) <> 'object' THEN
        RAISE EXCEPTION USING MESSAGE = intent_internal._pg_intent_error_words('p_options must be a JSON object'), ERRCODE = 'invalid_parameter_value';
    END IF;
    -- The row as it is now, held until the end of the transaction: the
    -- change below is the keys given over THIS row. Read unlocked, two
    -- concurrent calls each wrote their keys over the row they had read,
    -- and the second undid the first (a policy key set by one call put back
    -- the source and columns another had just changed). FOR NO KEY UPDATE
    -- does not wait for a training (it holds the row FOR KEY SHARE); a
    -- change of the source or a column does, below.
    SELECT x.* INTO c FROM @extschema@.ai_classifiers AS x WHERE x.id = c.id FOR NO KEY UPDATE;
    IF NOT FOUND THEN
        RAISE EXCEPTION USING MESSAGE = intent_internal._pg_intent_error_words('classifier "%s" does not exist', p_name), ERRCODE = 'undefined_object';
    END IF;
    v_source := c.source;
    SELECT k INTO v_bad FROM jsonb_object_keys(p_options) AS k
     WHERE k = ANY (intent_internal._pg_intent_classifier_column_keys()) AND jsonb_typeof(p_options -> k) NOT IN ('string', 'null')
     LIMIT 1;
    IF v_bad IS NOT NULL THEN
        RAISE EXCEPTION USING MESSAGE = intent_internal._pg_intent_error_words('invalid classifier option "%s": it must name a column, or be null', v_bad),
                   ERRCODE = 'invalid_parameter_value';
    END IF;
    -- Issue 36: the source and the text and label columns change here too,
    -- keeping the classifier's id, models, runs and grants (a drop and a
    -- create lost them). They are required: a name each, never null.
    SELECT k INTO v_bad FROM jsonb_object_keys(p_options) AS k
     WHERE k IN ('text_column', 'label_column') AND jsonb_typeof(p_options -> k) <> 'string'
     LIMIT 1;
    IF v_bad IS NOT NULL THEN
        RAISE EXCEPTION USING MESSAGE = intent_internal._pg_intent_error_words('invalid classifier option "%s": it must name a column', v_bad),
            ERRCODE = 'invalid_parameter_value';
    END IF;
    -- "source" arrives as the relation's OID: the C entry resolved the name
    -- as the caller, in the caller's search_path (classifier_calls.cpp).
    IF p_options ? 'source' THEN
        IF jsonb_typeof(p_options -> 'source') <> 'number'
           OR (p_options ->> 'source')::numeric NOT BETWEEN 0 AND 4294967295
           OR (p_options ->> 'source')::numeric <> trunc((p_options ->> 'source')::numeric) THEN
            RAISE EXCEPTION USING MESSAGE = intent_internal._pg_intent_error_words('invalid classifier option "source": it must name a table or view'),
                ERRCODE = 'invalid_parameter_value';
        END IF;
        v_source := (p_options ->> 'source')::oid;
    END IF;
    v_columns := jsonb_strip_nulls(intent_internal._pg_intent_classifier_columns(c)
                 || (SELECT coalesce(jsonb_object_agg(k, p_options -> k), '{}') FROM jsonb_object_keys(p_options) AS k
                      WHERE k = ANY (intent_internal._pg_intent_classifier_column_keys() || ARRAY['text_column', 'label_column'])));
    v_options := jsonb_strip_nulls(c.policy || (p_options - intent_internal._pg_intent_classifier_column_keys()
                                                          - ARRAY['source', 'text_column', 'label_column']));
    -- The checks of create_classifier(), for the owner: the source is read
    -- with the owner's rights (docs/privileges.md), whoever alters it.
    PERFORM intent_internal._pg_intent_classifier_check_source(c.owner::oid, p_name, v_source, v_columns);
    PERFORM intent_internal._pg_intent_classifier_check_options(v_options, v_columns ? 'time_column', v_columns ? 'partition_column');
    -- A new source or column changes what a training reads: it waits for a
    -- training of this classifier (the row FOR UPDATE, which its FOR KEY
    -- SHARE holds off until the training commits), so that the runs it
    -- records are among the runs marked below. Without the wait, a training
    -- that committed after this call recorded keys of the old source that
    -- read as the new one's (_pg_intent_run_keys_current()). A training that
    -- starts after this call finds the definition it read changed
    -- (_pg_intent_train_classifier_start(), 40001). A policy key alone does
    -- not wait: it applies from the next call.
    IF v_source IS DISTINCT FROM c.source OR v_columns IS DISTINCT FROM intent_internal._pg_intent_classifier_columns(c) THEN
        PERFORM FROM @extschema@.ai_classifiers AS x WHERE x.id = c.id FOR UPDATE;
    END IF;
    UPDATE @extschema@.ai_classifiers AS x
       SET source = v_source, text_column = v_columns ->> 'text_column', label_column = v_columns ->> 'label_column',
           key_column = v_columns ->> 'key_column', time_column = v_columns ->> 'time_column',
           weight_column = v_columns ->> 'weight_column', reviewed_column = v_columns ->> 'reviewed_column',
           partition_column = v_columns ->> 'partition_column', corrected_column = v_columns ->> 'corrected_column',
           policy = v_options, updated_at = now()
     WHERE x.id = c.id;
    -- A new key column or source: the runs made before it say by which
    -- column (if they predate runs recording it, 0.3.2) and of which source
    -- (by name) their keys are, so that neither the gate nor the review
    -- queue reads them as the new ones' (_pg_intent_run_keys_current()).
    IF c.key_column IS NOT NULL AND c.key_column IS DISTINCT FROM (v_columns ->> 'key_column')::name THEN
        UPDATE @extschema@.ai_training_runs AS r
           SET metrics = coalesce(r.metrics, '{}'::jsonb) || jsonb_build_object('key_column', c.key_column)
         WHERE r.classifier_id = c.id AND NOT coalesce(r.metrics ? 'key_column', false);
    END IF;
    IF v_source IS DISTINCT FROM c.source THEN
        UPDATE @extschema@.ai_training_runs AS r
           SET metrics = coalesce(r.metrics, '{}'::jsonb)
                         || jsonb_build_object('keys_source', coalesce(intent_internal._pg_intent_relation_name(c.source),
                                                                       c.source_name))
         WHERE r.classifier_id = c.id AND NOT coalesce(r.metrics ? 'keys_source', false);
    END IF;
    RETURN intent_internal._pg_intent_classifier_json(p_name);
END
$$;
COMMENT ON FUNCTION intent_internal._pg_intent_alter_classifier(oid, text, jsonb) IS
    'Internal: alter_classifier() as the extension owner, for the calling role p_caller.';

CREATE OR REPLACE FUNCTION @extschema@.drop_classifier(p_name text, p_drop_models boolean DEFAULT false)
RETURNS jsonb
AS 'MODULE_PATHNAME', 'pg_intent_classifier_call'
LANGUAGE C VOLATILE PARALLEL UNSAFE;
COMMENT ON FUNCTION @extschema@.drop_classifier(text, boolean) IS
    'Removes a classifier: its models stop serving at once. Its models, runs and deployments stay as history unless p_drop_models is true. Its owner only; the built-in classifier intent cannot be dropped (55000). Returns {classifier, models_deactivated, models_deleted, runs_deleted}.';

CREATE OR REPLACE FUNCTION intent_internal._pg_intent_drop_classifier(p_caller oid, p_name text, p_drop_models boolean)
RETURNS jsonb
LANGUAGE plpgsql VOLATILE PARALLEL UNSAFE
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    c @extschema@.ai_classifiers := intent_internal._pg_intent_classifier_require(p_name, p_caller, 'manage');
    v_deactivated integer;
    v_models integer := 0;
    v_runs integer := 0;
BEGIN
    IF c.built_in THEN
        RAISE EXCEPTION USING MESSAGE = intent_internal._pg_intent_error_words('the built-in classifier "intent" cannot be dropped'),
                   ERRCODE = 'object_not_in_prerequisite_state';
    END IF;
    IF p_drop_models IS NULL THEN
        RAISE EXCEPTION USING MESSAGE = intent_internal._pg_intent_error_words('p_drop_models must not be null'), ERRCODE = 'null_value_not_allowed';
    END IF;
    -- The row first, then the deployment lock, in the order of every
    -- deployment (_pg_intent_lock_classifier_deployment()), the row FOR
    -- UPDATE: a training of this classifier holds the row (FOR KEY SHARE,
    -- _pg_intent_train_classifier_start()) until it commits, so the drop waits
    -- for it and then deactivates what it deployed. An activation that comes
    -- after the drop finds no classifier (_pg_intent_activate()).
    PERFORM FROM @extschema@.ai_classifiers AS x WHERE x.id = c.id FOR UPDATE;
    IF NOT FOUND THEN
        RAISE EXCEPTION USING MESSAGE = intent_internal._pg_intent_error_words('classifier "%s" does not exist', p_name), ERRCODE = 'undefined_object';
    END IF;
    PERFORM intent_internal._pg_intent_lock_deployment(p_name);
    -- Every model active under the name goes, whatever classifier it was
    -- recorded for, and the name's retraining back-off; the history that goes
    -- with p_drop_models is this classifier's (by id), not an earlier one's.
    UPDATE @extschema@.ai_intent_models AS m SET is_active = false
     WHERE m.classifier = p_name AND m.is_active;
    GET DIAGNOSTICS v_deactivated = ROW_COUNT;
    IF p_drop_models THEN
        DELETE FROM @extschema@.ai_model_deployments AS d WHERE d.classifier_id = c.id;
        DELETE FROM @extschema@.ai_intent_models AS m WHERE m.classifier_id = c.id;
        GET DIAGNOSTICS v_models = ROW_COUNT;
        DELETE FROM @extschema@.ai_training_runs AS r WHERE r.classifier_id = c.id;
        GET DIAGNOSTICS v_runs = ROW_COUNT;
    END IF;
    DELETE FROM @extschema@.ai_classifier_retrain_failures AS f WHERE f.classifier = p_name;
    DELETE FROM @extschema@.ai_classifiers AS x WHERE x.id = c.id;
    RETURN jsonb_build_object('classifier', p_name, 'models_deactivated', v_deactivated, 'models_deleted', v_models, 'runs_deleted', v_runs);
END
$$;
COMMENT ON FUNCTION intent_internal._pg_intent_drop_classifier(oid, text, boolean) IS
    'Internal: drop_classifier() as the extension owner, for the calling role p_caller.';
