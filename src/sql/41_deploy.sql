-- Deployment: which model is active, manual deploys, rollback, and the registry.

-- Makes p_model_id the active model and records the deployment. Callers have
-- checked that the model exists, has bytes and is not active; a model whose
-- bytes do not load is refused here (XX001). Returns the model that was
-- active before, or NULL.
CREATE OR REPLACE FUNCTION intent_internal._pg_intent_activate(p_model_id bigint, p_reason text, p_run_id uuid)
RETURNS bigint
LANGUAGE plpgsql VOLATILE PARALLEL UNSAFE
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    v_previous bigint;
    v_classifier text;
    v_partition text;
    v_classifier_id bigint;
BEGIN
    -- Deployments of a classifier queue behind each other instead of
    -- failing on the one-active-model index (the classifier's deployment
    -- lock, the extension's own: no other role can take it, and another
    -- classifier's deployment never waits for it), after its row.
    PERFORM intent_internal._pg_intent_lock_classifier_deployment(m.classifier_id, m.classifier)
       FROM @extschema@.ai_intent_models AS m WHERE m.id = p_model_id;

    -- A model that cannot be loaded must never become active: every
    -- prediction and every training (which scores the active model) would
    -- fail, with nothing to roll back to. intent_model_info() runs the full
    -- validating loader and raises XX001. Checked here, where every deploy,
    -- rollback and training deploy passes (rollback_intent_model() activated
    -- a model whose bytes had been damaged, deploy_intent_model() refused it).
    PERFORM @extschema@.intent_model_info(m.model)
       FROM @extschema@.ai_intent_models AS m WHERE m.id = p_model_id;

    -- One active model per classifier and partition: the model replaced is
    -- the active one of the new model's classifier and partition. Two
    -- statements: the unique partial index is checked row by row, so the
    -- old model must be inactive before the new one becomes active.
    SELECT m.classifier, m.partition_key, m.classifier_id INTO v_classifier, v_partition, v_classifier_id
      FROM @extschema@.ai_intent_models AS m WHERE m.id = p_model_id;

    -- The model's classifier must still exist, as the model's: the row of
    -- its id, under its name, locked (FOR KEY SHARE) until this transaction
    -- ends, so that a drop_classifier() waits for it and then deactivates
    -- the model. A model of a dropped classifier (classifier_id NULL, or an
    -- id no row has) is never activated: 0.3.1 activated a model trained
    -- while its classifier was dropped, under the dropped name, and deployed
    -- a dropped classifier's model for the next classifier of that name.
    PERFORM FROM @extschema@.ai_classifiers AS c
     WHERE c.id = v_classifier_id AND c.name = v_classifier
       FOR KEY SHARE;
    IF NOT FOUND THEN
        RAISE EXCEPTION USING MESSAGE = intent_internal._pg_intent_error_words('the classifier of model %s no longer exists', p_model_id),
                   ERRCODE = 'object_not_in_prerequisite_state',
                  DETAIL = intent_internal._pg_intent_error_words('The model was trained for classifier "%s"%s, which was dropped.', coalesce(v_classifier, ''),
                                  CASE WHEN v_classifier_id IS NULL THEN '' ELSE format(' (id %s)', v_classifier_id) END),
                  HINT = intent_internal._pg_intent_error_words('A classifier created again with the same name is another classifier: train it.');
    END IF;

    UPDATE @extschema@.ai_intent_models AS m
       SET is_active = false
     WHERE m.is_active AND m.classifier = v_classifier AND m.partition_key IS NOT DISTINCT FROM v_partition
    RETURNING id INTO v_previous;

    UPDATE @extschema@.ai_intent_models
       SET is_active = true, deployed_at = now()
     WHERE id = p_model_id;

    INSERT INTO @extschema@.ai_model_deployments (model_id, previous_model_id, run_id, reason, deployed_by,
                                                  classifier, partition_key, classifier_id)
    -- Who acted, as _pg_intent_stamp_audit() records it (this insert runs as
    -- the owner, whose values the trigger keeps): the JWT subject (or role)
    -- under PostgREST, whose session user is always the authenticator, else
    -- session_user (not current_user: the callers are SECURITY DEFINER, so
    -- current_user is always the extension owner here). The value is only
    -- recorded; it decides nothing.
    VALUES (p_model_id, v_previous, p_run_id, p_reason, coalesce(
        nullif(nullif(pg_catalog.current_setting('request.jwt.claims', true), '')::jsonb ->> 'sub', ''),
        nullif(pg_catalog.current_setting('request.jwt.claim.sub', true), ''),
        nullif(nullif(pg_catalog.current_setting('request.jwt.claims', true), '')::jsonb ->> 'role', ''),
        nullif(pg_catalog.current_setting('request.jwt.claim.role', true), ''),
        session_user), v_classifier, v_partition, v_classifier_id);

    RETURN v_previous;
END
$$;
COMMENT ON FUNCTION intent_internal._pg_intent_activate(bigint, text, uuid) IS
    'Internal: deactivates the active model, activates the given one and records the deployment; returns the previous model id. 55000 when the model''s classifier (by id) no longer exists; the classifier row stays locked FOR KEY SHARE until the transaction ends.';

-- -------------------------------------------------------------------------
-- The one manual deploy and rollback of every classifier
-- -------------------------------------------------------------------------

-- Makes model p_model_id of classifier c the active one of its partition
-- (reason manual). deploy_intent_model() and deploy_classifier_model() are
-- this function behind their own rights check, so that a rule of deploying
-- holds for the built-in classifier and every other through the same code
-- (issue 33). Returns {classifier, partition, model_id, version,
-- previous_model_id, deployed_at, reason}.
CREATE OR REPLACE FUNCTION intent_internal._pg_intent_deploy_model(c @extschema@.ai_classifiers, p_model_id bigint)
RETURNS jsonb
LANGUAGE plpgsql VOLATILE PARALLEL UNSAFE
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    v_model @extschema@.ai_intent_models;
    v_previous bigint;
BEGIN
    IF p_model_id IS NULL THEN
        RAISE EXCEPTION USING MESSAGE = intent_internal._pg_intent_error_words('p_model_id must not be null'), ERRCODE = 'null_value_not_allowed';
    END IF;
    PERFORM intent_internal._pg_intent_lock_classifier_deployment(c.id, c.name);
    -- Only a model of this classifier is found: one that another classifier
    -- trained (another set of labels must not answer for this one), or an
    -- earlier classifier of this name (dropped, then created again by
    -- anyone: 0.3.1 deployed it, and the new owner's explain_label() showed
    -- the n-grams of the old owner's data), is refused as one that does not
    -- exist, in the same words: a caller may deploy this classifier and
    -- know nothing of the others (an audit: "model 7 belongs to classifier
    -- "cb"" named, id by id, every classifier to a role that may not list
    -- them). Nor is another classifier's row locked.
    SELECT m.* INTO v_model FROM @extschema@.ai_intent_models AS m
     WHERE m.id = p_model_id AND m.classifier_id = c.id AND m.classifier OPERATOR(pg_catalog.=) c.name
       FOR UPDATE;
    IF NOT FOUND THEN
        RAISE EXCEPTION USING MESSAGE = intent_internal._pg_intent_error_words('classifier "%s" has no model %s', c.name, p_model_id),
                   ERRCODE = 'no_data_found',
                   DETAIL = intent_internal._pg_intent_error_words('A model belongs to the classifier that trained it, and only that classifier deploys it; a classifier created again with a dropped one''s name is another classifier.'),
                   HINT = intent_internal._pg_intent_error_words('The view ai_model_registry lists the models: deploy_intent_model() deploys the built-in classifier''s, deploy_classifier_model() the others''.');
    END IF;
    IF v_model.is_active THEN
        RAISE EXCEPTION USING MESSAGE = intent_internal._pg_intent_error_words('model %s is already active', p_model_id), ERRCODE = 'object_not_in_prerequisite_state';
    END IF;
    -- A model without bytes cannot load (_pg_intent_activate() checks that
    -- the bytes do).
    IF v_model.model IS NULL THEN
        RAISE EXCEPTION USING MESSAGE = intent_internal._pg_intent_error_words('model %s has no model bytes', p_model_id),
                   ERRCODE = 'object_not_in_prerequisite_state', DETAIL = intent_internal._pg_intent_error_words('Its bytes were removed by delete_intent_model().');
    END IF;
    v_previous := intent_internal._pg_intent_activate(p_model_id, 'manual'::text, NULL::uuid);
    -- A {"deploy": "never"} run's model deployed by hand (the README's way
    -- to try, then ship, a candidate) serves now: the rows its run read are
    -- no longer new, so _pg_intent_last_retraining_run() counts from that
    -- run, marked here on the run's row. Without the mark they stayed new
    -- and the next scheduled call retrained on the same rows.
    UPDATE @extschema@.ai_training_runs AS r
       SET metrics = coalesce(r.metrics, '{}'::jsonb) || jsonb_build_object('deployed_by_hand_at', now())
     WHERE r.id = v_model.run_id AND r.deploy_reason = 'never';
    RETURN jsonb_build_object('classifier', c.name, 'partition', v_model.partition_key, 'model_id', p_model_id,
                              'version', v_model.version, 'previous_model_id', v_previous,
                              'deployed_at', (SELECT m.deployed_at FROM @extschema@.ai_intent_models AS m WHERE m.id = p_model_id),
                              'reason', 'manual');
END
$$;
COMMENT ON FUNCTION intent_internal._pg_intent_deploy_model(@extschema@.ai_classifiers, bigint) IS
    'Internal: the one manual deploy (deploy_intent_model(), deploy_classifier_model()); the caller has checked the right to deploy. Returns {classifier, partition, model_id, version, previous_model_id, deployed_at, reason}. Errors: 22004, P0002 no model of this classifier by that id (another classifier''s, or an earlier one''s of the same name, in the same words), 55000 already active or no bytes.';

-- Re-activates the model that the active one of classifier c's partition
-- p_partition (NULL: the unpartitioned or fallback model) replaced when it
-- was last deployed (reason rollback); calling it twice swaps back.
-- rollback_intent_model() and rollback_classifier() are this function
-- behind their own rights check. Returns {classifier, partition, model_id,
-- version, previous_model_id, deployed_at, reason}.
CREATE OR REPLACE FUNCTION intent_internal._pg_intent_rollback_model(c @extschema@.ai_classifiers, p_partition text)
RETURNS jsonb
LANGUAGE plpgsql VOLATILE PARALLEL UNSAFE
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    v_current bigint;
    v_target bigint;
    v_model @extschema@.ai_intent_models;
BEGIN
    -- Serialised with deployments so that "current" cannot change under us.
    PERFORM intent_internal._pg_intent_lock_classifier_deployment(c.id, c.name);
    SELECT m.id INTO v_current FROM @extschema@.ai_intent_models AS m
     WHERE m.is_active AND m.classifier = c.name AND m.partition_key IS NOT DISTINCT FROM p_partition;
    IF v_current IS NULL THEN
        -- (the built-in classifier keeps the message 0.2 gave; each hint
        -- names the classifier's own functions)
        IF c.built_in THEN
            RAISE EXCEPTION USING MESSAGE = intent_internal._pg_intent_error_words('no model is active'),
                       ERRCODE = 'object_not_in_prerequisite_state',
                      HINT = intent_internal._pg_intent_error_words('Deploy a model with deploy_intent_model() or train one with train_intent_model().');
        END IF;
        RAISE EXCEPTION USING MESSAGE = intent_internal._pg_intent_error_words('classifier "%s" has no active model%s', c.name, CASE WHEN p_partition IS NULL THEN '' ELSE format(' for partition %L', p_partition) END),
                   ERRCODE = 'object_not_in_prerequisite_state',
                  HINT = intent_internal._pg_intent_error_words('Deploy a model with deploy_classifier_model() or train one with train_classifier().');
    END IF;
    -- The model the current one replaced when it was last deployed.
    SELECT d.previous_model_id INTO v_target FROM @extschema@.ai_model_deployments AS d
     WHERE d.model_id = v_current ORDER BY d.id DESC LIMIT 1;
    IF v_target IS NULL THEN
        RAISE EXCEPTION USING MESSAGE = intent_internal._pg_intent_error_words('there is no previous model to roll back to'),
                   ERRCODE = 'object_not_in_prerequisite_state',
                  DETAIL = intent_internal._pg_intent_error_words('Model %s was deployed when no other model was active, or the model it replaced was deleted.', v_current);
    END IF;
    IF (SELECT m.model IS NULL FROM @extschema@.ai_intent_models AS m WHERE m.id = v_target) THEN
        RAISE EXCEPTION USING MESSAGE = intent_internal._pg_intent_error_words('cannot roll back to model %s: its model bytes were deleted', v_target),
                   ERRCODE = 'object_not_in_prerequisite_state',
                  HINT = CASE WHEN c.built_in THEN intent_internal._pg_intent_error_words('Deploy another model with deploy_intent_model().')
                              ELSE intent_internal._pg_intent_error_words('Deploy another model with deploy_classifier_model().') END;
    END IF;
    -- Only to a model of this classifier (by id): the current model may have
    -- replaced one of an earlier classifier of the same name.
    IF (SELECT m.classifier_id FROM @extschema@.ai_intent_models AS m WHERE m.id = v_target) IS DISTINCT FROM c.id THEN
        RAISE EXCEPTION USING MESSAGE = intent_internal._pg_intent_error_words('there is no previous model of classifier "%s" to roll back to', c.name),
                   ERRCODE = 'object_not_in_prerequisite_state',
                  DETAIL = intent_internal._pg_intent_error_words('Model %s, which the current one replaced, belongs to an earlier classifier of that name.', v_target);
    END IF;
    PERFORM intent_internal._pg_intent_activate(v_target, 'rollback'::text, NULL::uuid);
    SELECT m.* INTO v_model FROM @extschema@.ai_intent_models AS m WHERE m.id = v_target;
    RETURN jsonb_build_object('classifier', c.name, 'partition', p_partition, 'model_id', v_target,
                              'version', v_model.version, 'previous_model_id', v_current,
                              'deployed_at', v_model.deployed_at, 'reason', 'rollback');
END
$$;
COMMENT ON FUNCTION intent_internal._pg_intent_rollback_model(@extschema@.ai_classifiers, text) IS
    'Internal: the one rollback (rollback_intent_model(), rollback_classifier()); the caller has checked the right to deploy. Returns {classifier, partition, model_id, version, previous_model_id, deployed_at, reason}. Errors: 55000 no active model, nothing to roll back to, or its bytes deleted.';

-- -------------------------------------------------------------------------
-- deploy_intent_model / rollback_intent_model
-- -------------------------------------------------------------------------

-- The built-in classifier's deploy and rollback (0.2), in the result shape
-- they have always had. Their right is EXECUTE on them (docs/privileges.md).
CREATE OR REPLACE FUNCTION @extschema@.deploy_intent_model(p_model_id bigint)
RETURNS jsonb
LANGUAGE plpgsql VOLATILE PARALLEL UNSAFE
SECURITY DEFINER SET search_path = pg_catalog, pg_temp SET row_security = off
AS $$
BEGIN
    RETURN intent_internal._pg_intent_deploy_model(intent_internal._pg_intent_classifier('intent'::text), p_model_id)
           OPERATOR(pg_catalog.-) 'classifier'::text OPERATOR(pg_catalog.-) 'partition'::text;
END
$$;
COMMENT ON FUNCTION @extschema@.deploy_intent_model(bigint) IS
    'Makes the given model the active one and records the deployment (reason manual). Returns {model_id, version, previous_model_id, deployed_at, reason}. Errors: 22004, P0002 no model of the built-in classifier by that id (another classifier''s model is refused in the same words), 55000 already active or no bytes.';

CREATE OR REPLACE FUNCTION @extschema@.rollback_intent_model()
RETURNS jsonb
LANGUAGE plpgsql VOLATILE PARALLEL UNSAFE
SECURITY DEFINER SET search_path = pg_catalog, pg_temp SET row_security = off
AS $$
BEGIN
    RETURN intent_internal._pg_intent_rollback_model(intent_internal._pg_intent_classifier('intent'::text), NULL::text)
           OPERATOR(pg_catalog.-) 'classifier'::text OPERATOR(pg_catalog.-) 'partition'::text;
END
$$;
COMMENT ON FUNCTION @extschema@.rollback_intent_model() IS
    'Re-activates the model that was active before the current one (from ai_model_deployments) and records the deployment (reason rollback). Calling it twice swaps back. Returns {model_id, version, previous_model_id, deployed_at, reason}.';

-- -------------------------------------------------------------------------
-- ai_model_registry
-- -------------------------------------------------------------------------
CREATE OR REPLACE VIEW @extschema@.ai_model_registry WITH (security_invoker = true) AS
SELECT m.id,
       m.version,
       m.is_active,
       m.algorithm,
       pg_catalog.cardinality(m.intents) AS total_intents,
       m.intents,
       (m.metrics ->> 'accuracy')::double precision AS accuracy,
       coalesce(m.metrics ->> 'precision', m.metrics ->> 'macro_precision')::double precision AS precision,
       coalesce(m.metrics ->> 'recall', m.metrics ->> 'macro_recall')::double precision AS recall,
       intent_internal._pg_intent_model_f1(m.metrics)::double precision AS f1_score,
       m.confidence_threshold,
       m.metrics,
       m.size_bytes,
       m.sha256,
       m.run_id,
       r.run_name,
       r.training_samples,
       m.created_at,
       m.deployed_at,
       (SELECT d.reason FROM @extschema@.ai_model_deployments AS d
         WHERE d.model_id = m.id ORDER BY d.id DESC LIMIT 1) AS last_deploy_reason,
       m.classifier,
       m.partition_key
  FROM @extschema@.ai_intent_models AS m
  LEFT JOIN @extschema@.ai_training_runs AS r ON r.id = m.run_id;
COMMENT ON VIEW @extschema@.ai_model_registry IS
    'The trained models with their test metrics (headline numbers and the full metrics jsonb), size, checksum, training run, last deploy reason, whether each is active, and their classifier and partition; without the model bytes.';

-- -------------------------------------------------------------------------
-- deleting models
-- -------------------------------------------------------------------------

-- Deleting the active model with plain DELETE would break every prediction
-- and cascade away its deployment history: refused. Old models are deleted
-- with delete_intent_model(), which keeps their row (metrics, history).
CREATE OR REPLACE FUNCTION intent_internal._pg_intent_models_refuse_delete_active()
RETURNS trigger
LANGUAGE plpgsql VOLATILE PARALLEL UNSAFE
SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
    IF TG_OP = 'TRUNCATE' THEN
        IF EXISTS (SELECT 1 FROM @extschema@.ai_intent_models AS m WHERE m.is_active) THEN
            RAISE EXCEPTION USING MESSAGE = intent_internal._pg_intent_error_words('cannot truncate ai_intent_models while a model is active'),
                       ERRCODE = 'object_not_in_prerequisite_state';
        END IF;
        RETURN NULL;
    END IF;
    IF OLD.is_active THEN
        RAISE EXCEPTION USING MESSAGE = intent_internal._pg_intent_error_words('cannot delete the active model %s', OLD.id),
                   ERRCODE = 'object_not_in_prerequisite_state',
                  DETAIL = intent_internal._pg_intent_error_words('Every prediction uses the active model.'),
                  HINT = intent_internal._pg_intent_error_words('Deploy or roll back to another model first; delete_intent_model() removes an old model''s bytes and keeps its history.');
    END IF;
    RETURN OLD;
END
$$;
COMMENT ON FUNCTION intent_internal._pg_intent_models_refuse_delete_active() IS
    'Internal trigger: refuses DELETE of the active model and TRUNCATE of ai_intent_models while a model is active.';

CREATE OR REPLACE TRIGGER ai_intent_models_refuse_delete_active
    BEFORE DELETE ON @extschema@.ai_intent_models
    FOR EACH ROW EXECUTE FUNCTION intent_internal._pg_intent_models_refuse_delete_active();
CREATE OR REPLACE TRIGGER ai_intent_models_refuse_truncate_active
    BEFORE TRUNCATE ON @extschema@.ai_intent_models
    FOR EACH STATEMENT EXECUTE FUNCTION intent_internal._pg_intent_models_refuse_delete_active();

-- Removes an old model's bytes (the large part) and keeps its row, so the
-- registry, the training run and the deployment history still describe it.
--
-- A C entry (src/pg/classifier_calls.cpp) that takes its caller and runs
-- the worker below as the extension owner (0.3.2; before, SECURITY
-- DEFINER): a named classifier's model is deleted only by a role that may
-- deploy that classifier, which a SECURITY DEFINER function cannot check,
-- since it cannot tell its caller. In 0.3.1 the models set (intent's model
-- management) deleted any classifier's models by id (issue 31, item 8:
-- every path that takes a model id follows the model's classifier).
CREATE OR REPLACE FUNCTION @extschema@.delete_intent_model(p_model_id bigint)
RETURNS jsonb
AS 'MODULE_PATHNAME', 'pg_intent_classifier_call'
LANGUAGE C VOLATILE PARALLEL UNSAFE;

CREATE OR REPLACE FUNCTION intent_internal._pg_intent_delete_intent_model(p_caller oid, p_model_id bigint)
RETURNS jsonb
LANGUAGE plpgsql VOLATILE PARALLEL UNSAFE
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    v_model @extschema@.ai_intent_models;
BEGIN
    IF p_model_id IS NULL THEN
        RAISE EXCEPTION USING MESSAGE = intent_internal._pg_intent_error_words('p_model_id must not be null'), ERRCODE = 'null_value_not_allowed';
    END IF;
    PERFORM intent_internal._pg_intent_lock_classifier_deployment(m.classifier_id, m.classifier)
       FROM @extschema@.ai_intent_models AS m WHERE m.id = p_model_id;
    SELECT m.* INTO v_model FROM @extschema@.ai_intent_models AS m WHERE m.id = p_model_id FOR UPDATE;
    IF NOT FOUND THEN
        RAISE EXCEPTION USING MESSAGE = intent_internal._pg_intent_error_words('model %s does not exist', p_model_id),
                   ERRCODE = 'no_data_found', HINT = intent_internal._pg_intent_error_words('The view ai_model_registry lists the models.');
    END IF;
    -- A named classifier's model: its deploy right. A dropped classifier's
    -- (its name perhaps another classifier's since: the model names its
    -- classifier's id): superusers only. Whether the model's classifier
    -- still has its name is asked of the latest committed row, which the
    -- right is judged on: asked of the transaction's snapshot, a role that
    -- took a dropped classifier's name during a REPEATABLE READ
    -- transaction deleted the dropped one's models (an audit of 0.3.2).
    IF v_model.classifier <> 'intent'
       AND NOT coalesce(CASE WHEN (intent_internal._pg_intent_classifier_latest(v_model.classifier)).id
                                  IS NOT DISTINCT FROM v_model.classifier_id
                             THEN intent_internal._pg_intent_classifier_allows(v_model.classifier, p_caller, 'deploy') END,
                        (SELECT r.rolsuper FROM pg_catalog.pg_roles AS r WHERE r.oid = p_caller), false) THEN
        -- To a role that may not read the model rows (SELECT on
        -- ai_intent_models or its id column, model_cache.cpp's rule), a
        -- model it may not delete is one that does not exist, in the same
        -- words: 0.3.2 refused it as another classifier's, named, so that
        -- the models set (intent's model management) told, id by id,
        -- which models exist and whose they are, as no other path does.
        IF NOT (pg_catalog.has_table_privilege(p_caller, '@extschema@.ai_intent_models'::pg_catalog.regclass, 'SELECT')
                OR pg_catalog.has_column_privilege(p_caller, '@extschema@.ai_intent_models'::pg_catalog.regclass, 'id', 'SELECT')) THEN
            RAISE EXCEPTION USING MESSAGE = intent_internal._pg_intent_error_words('model %s does not exist', p_model_id),
                       ERRCODE = 'no_data_found', HINT = intent_internal._pg_intent_error_words('The view ai_model_registry lists the models.');
        END IF;
        RAISE EXCEPTION USING MESSAGE = intent_internal._pg_intent_error_words('permission denied for model %s', p_model_id),
                   ERRCODE = 'insufficient_privilege',
                  DETAIL = intent_internal._pg_intent_error_words('It is a model of classifier "%s"; deleting its bytes needs the right to deploy that classifier.', coalesce(v_model.classifier, '')),
                  HINT = intent_internal._pg_intent_error_words('Its owner can grant it: SELECT grant_classifier_access(%s, <role>, ''deploy'');', pg_catalog.quote_nullable(v_model.classifier));
    END IF;
    IF v_model.is_active THEN
        RAISE EXCEPTION USING MESSAGE = intent_internal._pg_intent_error_words('cannot delete the active model %s', p_model_id),
                   ERRCODE = 'object_not_in_prerequisite_state',
                  HINT = intent_internal._pg_intent_error_words('Deploy or roll back to another model first.');
    END IF;
    UPDATE @extschema@.ai_intent_models AS m
       SET model = NULL, deleted_at = coalesce(m.deleted_at, now())
     WHERE m.id = p_model_id;
    RETURN jsonb_build_object('model_id', p_model_id, 'version', v_model.version,
                              'bytes_freed', CASE WHEN v_model.model IS NULL THEN 0 ELSE v_model.size_bytes END,
                              'deleted_at', (SELECT m.deleted_at FROM @extschema@.ai_intent_models AS m WHERE m.id = p_model_id));
END
$$;
COMMENT ON FUNCTION intent_internal._pg_intent_delete_intent_model(oid, bigint) IS
    'Internal: delete_intent_model() as the extension owner, for the calling role p_caller.';
COMMENT ON FUNCTION @extschema@.delete_intent_model(bigint) IS
    'Deletes an old model''s bytes (not the active model): its row, metrics, training run and deployment history stay, so the registry still shows it; it can no longer be deployed or used for prediction. A named classifier''s model needs the right to deploy that classifier (42501; to a role without SELECT on ai_intent_models, P0002 as for an id that does not exist). Returns {model_id, version, bytes_freed, deleted_at}.';
