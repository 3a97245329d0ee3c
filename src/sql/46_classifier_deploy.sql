-- Named classifiers (0.3.0): deploying and rolling back a classifier's
-- models, and pruning the bytes of those no rollback or deploy can need
-- (the retention rule). Who may do what: 44_classifier_rights.sql; the
-- options: 45_classifier_definition.sql; the management functions:
-- 45_classifiers.sql; training a classifier: 46_classifier_train.sql;
-- retraining every classifier on a schedule: 46_classifier_retraining.sql.

-- -------------------------------------------------------------------------
-- deploy_classifier_model, rollback_classifier
-- -------------------------------------------------------------------------

CREATE OR REPLACE FUNCTION @extschema@.deploy_classifier_model(p_name text, p_model_id bigint)
RETURNS jsonb
AS 'MODULE_PATHNAME', 'pg_intent_classifier_call'
LANGUAGE C VOLATILE PARALLEL UNSAFE;
COMMENT ON FUNCTION @extschema@.deploy_classifier_model(text, bigint) IS
    'Makes the model the active one of its classifier and partition (reason manual). Needs the right to deploy the classifier. Returns {classifier, partition, model_id, version, previous_model_id, deployed_at, reason}. Errors: 42704, 42501, P0002 no model of this classifier by that id (a model of another classifier, or of an earlier one of the same name, is refused in the same words), 55000 already active or no bytes.';

CREATE OR REPLACE FUNCTION intent_internal._pg_intent_deploy_classifier_model(p_caller oid, p_name text, p_model_id bigint)
RETURNS jsonb
LANGUAGE plpgsql VOLATILE PARALLEL UNSAFE
SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
    RETURN intent_internal._pg_intent_deploy_model(
        intent_internal._pg_intent_classifier_require(p_name, p_caller, 'deploy'), p_model_id);
END
$$;
COMMENT ON FUNCTION intent_internal._pg_intent_deploy_classifier_model(oid, text, bigint) IS
    'Internal: deploy_classifier_model() as the extension owner, for the calling role p_caller.';

CREATE OR REPLACE FUNCTION @extschema@.rollback_classifier(p_name text, p_partition text DEFAULT NULL)
RETURNS jsonb
AS 'MODULE_PATHNAME', 'pg_intent_classifier_call'
LANGUAGE C VOLATILE PARALLEL UNSAFE;
COMMENT ON FUNCTION @extschema@.rollback_classifier(text, text) IS
    'Re-activates the model that was active before the current one of the classifier (of partition p_partition; NULL: the unpartitioned or fallback model), reason rollback. Needs the right to deploy the classifier. Returns {classifier, partition, model_id, version, previous_model_id, deployed_at, reason}. Errors: 42704, 42501, 55000 nothing to roll back to.';

CREATE OR REPLACE FUNCTION intent_internal._pg_intent_rollback_classifier(p_caller oid, p_name text, p_partition text)
RETURNS jsonb
LANGUAGE plpgsql VOLATILE PARALLEL UNSAFE
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    c @extschema@.ai_classifiers := intent_internal._pg_intent_classifier_require(p_name, p_caller, 'deploy');
BEGIN
    -- p_partition as prediction takes it: within the bound of a partition
    -- value (_pg_intent_check_partition_key(), 22023), and only for a
    -- partitioned classifier
    PERFORM intent_internal._pg_intent_check_partition_key(p_partition);
    IF p_partition IS NOT NULL AND c.partition_column IS NULL THEN
        RAISE EXCEPTION USING MESSAGE = intent_internal._pg_intent_error_words('classifier "%s" is not partitioned', p_name),
                   ERRCODE = 'invalid_parameter_value',
                  DETAIL = intent_internal._pg_intent_error_words('p_partition is given, but the classifier has no partition_column.'),
                  HINT = intent_internal._pg_intent_error_words('Pass NULL as p_partition (or leave it out).');
    END IF;
    RETURN intent_internal._pg_intent_rollback_model(c, p_partition);
END
$$;
COMMENT ON FUNCTION intent_internal._pg_intent_rollback_classifier(oid, text, text) IS
    'Internal: rollback_classifier() as the extension owner, for the calling role p_caller.';

-- -------------------------------------------------------------------------
-- prune_classifier_models: the retention rule
-- -------------------------------------------------------------------------

-- Which of a classifier's models keep their bytes (0.3.2; issue 34, point
-- 4). For each partition (NULL: the unpartitioned or fallback model), kept
-- are:
--   1. the head: the active model, or in a partition without one, the
--      model deployed last (none if none ever was);
--   2. the models a rollback could need: the chain rollback_classifier()
--      follows from the head (the head's latest deployment names the model
--      it replaced, that one's latest deployment the one before, ...),
--      p_keep models deep;
--   3. the candidates: the newest greatest(p_keep, 1) models never
--      deployed and trained after the newest model of the partition that
--      ever was (a {"deploy": "never"} run's model, one the gate or the
--      fallback refused): someone may still deploy them with
--      deploy_classifier_model(). (By id, not time: one transaction's
--      models share their timestamps.)
-- Every other model loses its bytes, as delete_intent_model() removes
-- them: its row, metrics, run and deployment history stay. Bounded per
-- partition by p_keep, whatever the runs decided: a shop the fallback
-- beats stores a refused model (fallback_better) whenever its rows change,
-- and the first rule of this function (partitions with an active model
-- only) kept all of them. Scheduled retraining of 24 shops produced 26 MB
-- of identical models in two runs on 0.3.1.
CREATE OR REPLACE FUNCTION intent_internal._pg_intent_classifier_models_to_keep(p_classifier_id bigint, p_keep integer)
RETURNS TABLE (model_id bigint, partition_key text, why text)
LANGUAGE sql STABLE PARALLEL SAFE
SET search_path = pg_catalog, pg_temp
AS $$
    WITH RECURSIVE models AS (
        SELECT m.id, m.partition_key, m.is_active, (m.is_active OR m.deployed_at IS NOT NULL) AS ever_deployed,
               m.deployed_at, m.model IS NOT NULL AS has_bytes
          FROM @extschema@.ai_intent_models AS m
         WHERE m.classifier_id OPERATOR(pg_catalog.=) p_classifier_id
    ), head AS (
        SELECT DISTINCT ON (m.partition_key) m.id, m.partition_key, m.is_active
          FROM models AS m
         WHERE m.ever_deployed
         ORDER BY m.partition_key, m.is_active DESC, m.deployed_at DESC NULLS LAST, m.id DESC
    ), chain (id, partition_key, depth, is_active) AS (
        SELECT h.id, h.partition_key, 0, h.is_active FROM head AS h
        UNION ALL
        SELECT d.previous_model_id, c.partition_key, c.depth OPERATOR(pg_catalog.+) 1, false
          FROM chain AS c
          CROSS JOIN LATERAL (SELECT x.previous_model_id FROM @extschema@.ai_model_deployments AS x
                               WHERE x.model_id OPERATOR(pg_catalog.=) c.id
                               ORDER BY x.id DESC LIMIT 1) AS d
         WHERE c.depth OPERATOR(pg_catalog.<) p_keep AND d.previous_model_id IS NOT NULL
    ), candidates AS (
        -- The partition's newest model that ever was, by a window (one sort
        -- of the models, not a scan of them per model).
        SELECT w.id, w.partition_key,
               pg_catalog.row_number() OVER (PARTITION BY w.partition_key ORDER BY w.id DESC) AS nth
          FROM (SELECT m.id, m.partition_key, m.ever_deployed, m.has_bytes,
                       pg_catalog.max(m.id) FILTER (WHERE m.ever_deployed) OVER (PARTITION BY m.partition_key) AS newest_deployed
                  FROM models AS m) AS w
         WHERE NOT w.ever_deployed AND w.has_bytes -- a deleted model cannot be deployed: it keeps no place
           AND w.id OPERATOR(pg_catalog.>) coalesce(w.newest_deployed, 0)
    )
    SELECT c.id, c.partition_key,
           CASE WHEN c.depth OPERATOR(pg_catalog.>) 0 THEN 'rollback' WHEN c.is_active THEN 'active' ELSE 'last_active' END
      FROM chain AS c
    UNION
    SELECT c.id, c.partition_key, 'candidate'
      FROM candidates AS c
     WHERE c.nth OPERATOR(pg_catalog.<=) GREATEST(p_keep, 1)
$$;
COMMENT ON FUNCTION intent_internal._pg_intent_classifier_models_to_keep(bigint, integer) IS
    'Internal: the retention rule of prune_classifier_models(): per partition, the active model (or the one deployed last), the rollback chain p_keep models deep, and the newest greatest(p_keep, 1) candidates (never deployed, still with their bytes, trained after the newest model that ever was) (why: active, last_active, rollback, candidate).';

CREATE OR REPLACE FUNCTION @extschema@.prune_classifier_models(p_name text, p_keep integer DEFAULT NULL)
RETURNS jsonb
AS 'MODULE_PATHNAME', 'pg_intent_classifier_call'
LANGUAGE C VOLATILE PARALLEL UNSAFE;
COMMENT ON FUNCTION @extschema@.prune_classifier_models(text, integer) IS
    'The retention rule: removes the bytes (as delete_intent_model() does; rows and history stay) of the classifier''s models that no rollback could need. Per partition, keeps the active model (or, without one, the model deployed last), the models it replaced back p_keep deep along rollback_classifier()''s chain (NULL: the classifier''s keep_replaced_models option, default 3; the built-in classifier intent has no such option and keeps 3), and the newest greatest(p_keep, 1) candidates (never deployed, still with their bytes, trained after the newest model that ever was). Needs the right to deploy the classifier (its owner, or a pg_cron job of a role that has it). Returns {classifier, keep, kept (the models kept that still have their bytes), pruned: [{model_id, partition}], bytes_freed}. Errors: 42704, 42501, 22004 NULL name, 22023 p_keep outside 0-1000.';

CREATE OR REPLACE FUNCTION intent_internal._pg_intent_prune_classifier_models(p_caller oid, p_name text, p_keep integer)
RETURNS jsonb
LANGUAGE plpgsql VOLATILE PARALLEL UNSAFE
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    c @extschema@.ai_classifiers := intent_internal._pg_intent_classifier_require(p_name, p_caller, 'deploy');
    v_keep integer;
    v_doomed_ids bigint[];
    v_pruned jsonb;
    v_bytes bigint;
    v_kept integer;
BEGIN
    -- One retention rule for every classifier, intent's included. The
    -- built-in classifier's policy is the ai_training_policy row alone (its
    -- ai_classifiers.policy is not read, _pg_intent_classifier_policy()),
    -- which has no keep_replaced_models: the default applies there.
    v_keep := coalesce(p_keep, CASE WHEN NOT c.built_in THEN intent_internal._pg_intent_json_integer(c.policy -> 'keep_replaced_models')::integer END, 3);
    IF v_keep NOT BETWEEN 0 AND 1000 THEN
        RAISE EXCEPTION USING MESSAGE = intent_internal._pg_intent_error_words('invalid value for p_keep: %s', v_keep),
            ERRCODE = 'invalid_parameter_value', DETAIL = intent_internal._pg_intent_error_words('It must be between 0 and 1000.');
    END IF;
    -- No deployment or rollback of this classifier meanwhile: the chain read
    -- is the chain kept.
    PERFORM intent_internal._pg_intent_lock_classifier_deployment(c.id, c.name);
    -- The rule is read once, in one statement (one snapshot) with the models
    -- it judges: the set counted as kept is the set spared, and only a
    -- model that snapshot saw can be doomed. A model committed later (a
    -- {"deploy": "never"} run takes no deployment lock) is the newest
    -- candidate, which the rule keeps although this keep set does not name it.
    WITH keep AS MATERIALIZED (
        SELECT k.model_id FROM intent_internal._pg_intent_classifier_models_to_keep(c.id, v_keep) AS k
    )
    SELECT ARRAY(SELECT m.id FROM @extschema@.ai_intent_models AS m
                  WHERE m.classifier_id = c.id AND m.model IS NOT NULL AND NOT m.is_active
                    AND m.id NOT IN (SELECT k.model_id FROM keep AS k WHERE k.model_id IS NOT NULL)),
           (SELECT count(*) FROM @extschema@.ai_intent_models AS m
             WHERE m.id IN (SELECT k.model_id FROM keep AS k) AND m.model IS NOT NULL)
      INTO v_doomed_ids, v_kept;
    WITH doomed AS (
        SELECT m.id FROM @extschema@.ai_intent_models AS m
         WHERE m.id = ANY (v_doomed_ids) AND m.model IS NOT NULL AND NOT m.is_active
         FOR UPDATE OF m
    ), done AS (
        UPDATE @extschema@.ai_intent_models AS m
           SET model = NULL, deleted_at = coalesce(m.deleted_at, now())
          FROM doomed AS d
         WHERE m.id = d.id
        RETURNING m.id, m.partition_key, m.size_bytes
    )
    SELECT coalesce(jsonb_agg(jsonb_build_object('model_id', d.id, 'partition', d.partition_key) ORDER BY d.id), '[]'),
           coalesce(sum(d.size_bytes), 0)
      INTO v_pruned, v_bytes
      FROM done AS d;
    RETURN jsonb_build_object('classifier', c.name, 'keep', v_keep, 'kept', v_kept,
                              'pruned', v_pruned, 'bytes_freed', v_bytes);
END
$$;
COMMENT ON FUNCTION intent_internal._pg_intent_prune_classifier_models(oid, text, integer) IS
    'Internal: prune_classifier_models() as the extension owner, for the calling role p_caller.';
