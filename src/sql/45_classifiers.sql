-- Named classifiers (0.3.0): who may do what with a classifier.
--
-- The rule lives here, once: the SQL entry points ask it for the role that
-- called them, and the prediction path (src/pg/classifier_cache.cpp) calls
-- it by OID and keeps its answer until ai_classifiers changes.

-- What ai_classifiers and its source column say (0.3.2: the source is read
-- as the classifier's owner; here, so that install and upgrade say it alike).
COMMENT ON TABLE @extschema@.ai_classifiers IS
    'The named classifiers: a labelled source read as the classifier''s owner in a security-restricted operation, its optional columns, its policy and who may train, deploy and predict. Written by create_classifier(), alter_classifier(), drop_classifier() and grant_classifier_access(); "intent" is built in.';
COMMENT ON COLUMN @extschema@.ai_classifiers.source IS
    'The table or view the classifier trains from, read as the classifier''s owner in a security-restricted operation (the owner''s row-level security and column privileges apply; code in it runs as the owner).';

-- The classifier's row as the latest committed state has it (with this
-- transaction's own changes), whatever the transaction's snapshot; NULL
-- when there is none (src/pg/classifier_cache.cpp). The rule below reads
-- the row through it: a privilege answer is never older than the last
-- committed grant or revoke. Read through the transaction's snapshot
-- (0.3.1), a REPEATABLE READ transaction opened before a revoke kept
-- predicting and deploying with the revoked right, and the prediction
-- cache kept that answer after the COMMIT. VOLATILE: two reads in one
-- statement may differ.
CREATE OR REPLACE FUNCTION intent_internal._pg_intent_classifier_latest(p_name text)
RETURNS @extschema@.ai_classifiers
AS 'MODULE_PATHNAME', 'pg_intent_classifier_latest'
LANGUAGE C VOLATILE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION intent_internal._pg_intent_classifier_latest(text) IS
    'Internal: the classifier''s row in the latest committed state (and this transaction''s changes), whatever the transaction''s snapshot; NULL when there is none. What _pg_intent_classifier_allows() reads.';

-- Whether role p_role may know which classifiers exist: a superuser, or a
-- role that may read ai_classifiers. To any other role an unknown name and
-- a classifier it may not use look the same (42501): under the Supabase
-- recipe every customer holds authenticated, and 42704 against 42501 told
-- them which names exist.
CREATE OR REPLACE FUNCTION intent_internal._pg_intent_classifier_may_list(p_role oid)
RETURNS boolean
LANGUAGE sql STABLE PARALLEL SAFE
SET search_path = pg_catalog, pg_temp
AS $$
    SELECT coalesce((SELECT r.rolsuper FROM pg_catalog.pg_roles AS r WHERE r.oid OPERATOR(pg_catalog.=) p_role), false)
           OR pg_catalog.has_table_privilege(p_role, '@extschema@.ai_classifiers'::pg_catalog.regclass, 'SELECT')
$$;
COMMENT ON FUNCTION intent_internal._pg_intent_classifier_may_list(oid) IS
    'Internal: whether the role may know which classifiers exist (a superuser, or SELECT on ai_classifiers); to others an unknown classifier is refused as one they may not use.';

-- The error for a classifier p_role may not p_access or that does not
-- exist: 42704 only for a role that may know which exist.
CREATE OR REPLACE FUNCTION intent_internal._pg_intent_classifier_refuse(p_name text, p_role oid, p_access text)
RETURNS void
LANGUAGE plpgsql STABLE PARALLEL SAFE
SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
    IF intent_internal._pg_intent_classifier_may_list(p_role)
       AND NOT EXISTS (SELECT FROM intent_internal._pg_intent_classifier_facts(p_name, p_role)) THEN
        RAISE EXCEPTION USING MESSAGE = @extschema@.intent_output_error('classifier "%s" does not exist', pg_catalog.left(p_name, 63)),
                   ERRCODE = 'undefined_object',
                  HINT = @extschema@.intent_output_error('The table ai_classifiers lists the classifiers; create_classifier() creates one.');
    END IF;
    RAISE EXCEPTION USING MESSAGE = @extschema@.intent_output_error('permission denied to %s classifier "%s"', p_access, pg_catalog.left(p_name, 63)),
               ERRCODE = 'insufficient_privilege',
              -- never NULL: a NULL option fails RAISE itself (22004)
              DETAIL = CASE WHEN intent_internal._pg_intent_classifier_may_list(p_role)
                            THEN @extschema@.intent_output_error('The classifier exists; the role holds no right to use it that way.')
                            ELSE @extschema@.intent_output_error('It does not exist, or the role may not use it that way.') END,
              HINT = CASE WHEN p_access = 'manage' THEN @extschema@.intent_output_error('Only its owner (or a member of the owner role) may.')
                          WHEN p_name = 'intent' AND p_access IN ('train', 'deploy') THEN @extschema@.intent_output_error('The built-in classifier follows the grants of grant_intent_access(); an administrator can grant it: SELECT grant_intent_access(<role>, %s);', pg_catalog.quote_literal('models'))
                          WHEN p_access = 'read' THEN @extschema@.intent_output_error('A role reads the dashboards of the classifiers it holds a right on (grant_classifier_access()), or of every classifier with SELECT on ai_classifiers.')
                          ELSE @extschema@.intent_output_error('Its owner can grant it: SELECT grant_classifier_access(%s, <role>, %s);',
                                                 pg_catalog.quote_nullable(pg_catalog.left(p_name, 63)), pg_catalog.quote_nullable(p_access)) END;
END
$$;
COMMENT ON FUNCTION intent_internal._pg_intent_classifier_refuse(text, oid, text) IS
    'Internal: raises 42704 for an unknown classifier to a role that may list them, else 42501.';

-- Whether role p_role may p_access ('predict', 'train', 'deploy', 'manage')
-- classifier p_name; NULL when there is no such classifier and the role may
-- know that (_pg_intent_classifier_may_list()), false for another role.
--
--   superuser, and members of the classifier's owner: everything;
--   'predict': predict_public, or a member of one of predict_roles;
--   'train':   a member of one of train_roles;
--   'deploy':  a member of one of deploy_roles;
--   'manage' (alter, grant, drop): the owner's members only.
-- The built-in classifier "intent" keeps 0.2's rules: everyone predicts,
-- and training and deploying follow EXECUTE on train_intent_model() and
-- deploy_intent_model().
--
-- Membership is pg_has_role(..., 'USAGE'): a role's privileges, inherited,
-- as for any other object.
--
-- A role is the pair (OID, name) it had when it became the owner or was
-- granted (owner and owner_name; the arrays and role_names), and counts only
-- while pg_roles has that OID under that name (_pg_intent_role_is()). A
-- role dropped after it was granted counts for nobody; so does a new role
-- that got its OID (OIDs are reused): 0.3.1 compared OIDs alone, and a role
-- created after the owner's DROP ROLE could alter the classifier. A
-- classifier whose owner is gone is orphaned: superusers may still do
-- everything with it (reassign_classifier() gives it a new owner), and the
-- roles it was granted to keep their grants. Runs as the owner
-- (ai_classifiers is not readable by callers); every name is qualified, the
-- roles are OIDs.
-- Fresh (0.3.2): the row comes from _pg_intent_classifier_latest(), and
-- membership from pg_has_role(), which reads the catalog caches: both are
-- the latest committed state, also inside a REPEATABLE READ or
-- SERIALIZABLE transaction that started before a grant or revoke.
CREATE OR REPLACE FUNCTION intent_internal._pg_intent_role_is(p_role oid, p_name name)
RETURNS boolean
LANGUAGE sql STABLE PARALLEL SAFE
SET search_path = pg_catalog, pg_temp
AS $$
    SELECT EXISTS (SELECT FROM pg_catalog.pg_roles AS r
                    WHERE r.oid OPERATOR(pg_catalog.=) p_role AND r.rolname OPERATOR(pg_catalog.=) p_name)
$$;
COMMENT ON FUNCTION intent_internal._pg_intent_role_is(oid, name) IS
    'Internal: whether the role with this OID still has this name (false once it was dropped, even if a new role got the OID).';

CREATE OR REPLACE FUNCTION intent_internal._pg_intent_classifier_allows(p_name text, p_role oid, p_access text)
RETURNS boolean
LANGUAGE sql STABLE PARALLEL SAFE SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
    SELECT coalesce((
        SELECT CASE
            WHEN (SELECT r.rolsuper FROM pg_catalog.pg_roles AS r WHERE r.oid OPERATOR(pg_catalog.=) p_role) THEN true
            WHEN c.built_in THEN CASE p_access
                WHEN 'predict' THEN true
                WHEN 'train' THEN pg_catalog.has_function_privilege(p_role,
                    '@extschema@.train_intent_model(pg_catalog.text, pg_catalog.text, pg_catalog.jsonb)'::pg_catalog.regprocedure::pg_catalog.oid, 'EXECUTE')
                WHEN 'deploy' THEN pg_catalog.has_function_privilege(p_role,
                    '@extschema@.deploy_intent_model(pg_catalog.int8)'::pg_catalog.regprocedure::pg_catalog.oid, 'EXECUTE')
                ELSE EXISTS (SELECT FROM pg_catalog.pg_roles AS o
                              WHERE o.oid OPERATOR(pg_catalog.=) c.owner AND o.rolname OPERATOR(pg_catalog.=) c.owner_name
                                AND pg_catalog.pg_has_role(p_role, o.oid, 'USAGE'))
                END
            WHEN EXISTS (SELECT FROM pg_catalog.pg_roles AS o
                          WHERE o.oid OPERATOR(pg_catalog.=) c.owner AND o.rolname OPERATOR(pg_catalog.=) c.owner_name
                            AND pg_catalog.pg_has_role(p_role, o.oid, 'USAGE')) THEN true
            ELSE CASE p_access
                WHEN 'predict' THEN c.predict_public OR EXISTS (
                    SELECT FROM pg_catalog.pg_roles AS g
                     WHERE g.oid OPERATOR(pg_catalog.=) ANY (c.predict_roles)
                       AND g.rolname OPERATOR(pg_catalog.=) (c.role_names OPERATOR(pg_catalog.->>) g.oid::pg_catalog.text)
                       AND pg_catalog.pg_has_role(p_role, g.oid, 'USAGE'))
                WHEN 'train' THEN EXISTS (
                    SELECT FROM pg_catalog.pg_roles AS g
                     WHERE g.oid OPERATOR(pg_catalog.=) ANY (c.train_roles)
                       AND g.rolname OPERATOR(pg_catalog.=) (c.role_names OPERATOR(pg_catalog.->>) g.oid::pg_catalog.text)
                       AND pg_catalog.pg_has_role(p_role, g.oid, 'USAGE'))
                WHEN 'deploy' THEN EXISTS (
                    SELECT FROM pg_catalog.pg_roles AS g
                     WHERE g.oid OPERATOR(pg_catalog.=) ANY (c.deploy_roles)
                       AND g.rolname OPERATOR(pg_catalog.=) (c.role_names OPERATOR(pg_catalog.->>) g.oid::pg_catalog.text)
                       AND pg_catalog.pg_has_role(p_role, g.oid, 'USAGE'))
                ELSE false
                END
            END
          FROM intent_internal._pg_intent_classifier_latest(p_name) AS c
         WHERE c.name IS NOT NULL
    ), CASE WHEN intent_internal._pg_intent_classifier_may_list(p_role) THEN NULL ELSE false END)
$$;
COMMENT ON FUNCTION intent_internal._pg_intent_classifier_allows(text, oid, text) IS
    'Internal: whether the role may predict, train, deploy or manage the classifier (NULL: no such classifier, for a role that may list classifiers; false for another role). The one statement of the per-classifier privilege rule.';

-- -------------------------------------------------------------------------
-- Options: the classifier's columns, its policy, its training options
-- -------------------------------------------------------------------------

-- The options of create_classifier() and alter_classifier() that name
-- optional columns of the source.
CREATE OR REPLACE FUNCTION intent_internal._pg_intent_classifier_column_keys()
RETURNS text[]
LANGUAGE sql IMMUTABLE PARALLEL SAFE
SET search_path = pg_catalog, pg_temp
AS $$
    SELECT ARRAY['key_column', 'time_column', 'weight_column', 'reviewed_column', 'partition_column']
$$;
COMMENT ON FUNCTION intent_internal._pg_intent_classifier_column_keys() IS
    'Internal: the options of create_classifier() that name optional columns of the source.';

-- The policy keys a classifier may set: the columns of ai_training_policy
-- that concern one classifier's training, and two of classifiers only.
-- Everything else in its options is a training option (src/core/options.cpp).
CREATE OR REPLACE FUNCTION intent_internal._pg_intent_classifier_policy_keys()
RETURNS text[]
LANGUAGE sql IMMUTABLE PARALLEL SAFE
SET search_path = pg_catalog, pg_temp
AS $$
    SELECT ARRAY['min_samples_for_training', 'auto_retrain_threshold', 'max_f1_regression', 'corrected_weight',
                 'max_training_memory_mb', 'max_training_threads', 'min_gate_rows', 'out_of_scope_intent',
                 'out_of_scope_mode', 'only_reviewed', 'max_training_rows', 'max_unreviewed_message_bytes',
                 'min_unreviewed_intent_rows', 'max_intents', 'max_partitions_per_classifier', 'max_unreviewed_rows',
                 -- classifiers only
                 'gate_window_days', 'min_partition_rows', 'keep_replaced_models']
$$;
COMMENT ON FUNCTION intent_internal._pg_intent_classifier_policy_keys() IS
    'Internal: the policy keys of a classifier''s options (ai_training_policy''s columns that concern one classifier, gate_window_days, min_partition_rows, keep_replaced_models).';

-- The policy keys (ai_training_policy's columns, and a classifier's own
-- keys) that decide when, whether or at what cost a run happens, or what
-- happens to its models afterwards, never what model it makes of its rows:
-- train_classifier() leaves them out of a partition's fingerprint, so that
-- changing one does not train and store every unchanged partition again.
-- A policy key not listed here is one a model may depend on (classifier_churn.sql
-- lists both sides, so a new key is put on one of them on purpose).
CREATE OR REPLACE FUNCTION intent_internal._pg_intent_policy_keys_outside_model()
RETURNS text[]
LANGUAGE sql IMMUTABLE PARALLEL SAFE
SET search_path = pg_catalog, pg_temp
AS $$
    SELECT ARRAY['id', 'updated_at', 'updated_by', 'auto_retrain_threshold', 'retry_failed_after',
                 'min_alert_samples', 'snapshot_time_zone', 'max_concurrent_trainings',
                 'max_partitions_per_classifier', 'max_training_memory_mb', 'max_training_threads',
                 -- which partitions train, and what is kept of their models
                 'min_partition_rows', 'keep_replaced_models']
$$;
COMMENT ON FUNCTION intent_internal._pg_intent_policy_keys_outside_model() IS
    'Internal: the policy keys that decide when, whether or at what cost a run happens, or what is kept of its models, never what model it makes of its rows (left out of a partition''s fingerprint by train_classifier()).';

-- The administrator's limits, the one statement of which policy keys are
-- limits: p_policy (ai_training_policy's row with a classifier's keys over
-- it) kept within p_admin (the row itself). A classifier's owner tunes its
-- classifier, but what a training may cost the server, and the defences
-- against rows nobody reviewed, are the administrator's (issue 31). So a
-- classifier may only tighten them:
--   lower only:  max_training_memory_mb, max_training_threads,
--                max_training_rows (NULL: no limit), max_unreviewed_message_bytes,
--                max_intents, max_partitions_per_classifier, max_unreviewed_rows;
--   higher only: min_unreviewed_intent_rows;
--   true wins:   only_reviewed.
-- The other keys (min_samples_for_training, auto_retrain_threshold, max_f1_regression,
-- corrected_weight, min_gate_rows, out_of_scope_*) decide its own models: its owner's.
-- max_concurrent_trainings is the database's, never a classifier's key.
CREATE OR REPLACE FUNCTION intent_internal._pg_intent_policy_within(
    p_policy @extschema@.ai_training_policy, p_admin @extschema@.ai_training_policy)
RETURNS @extschema@.ai_training_policy
LANGUAGE plpgsql IMMUTABLE PARALLEL SAFE
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    r @extschema@.ai_training_policy := p_policy;
BEGIN
    -- LEAST and GREATEST skip a NULL: a NULL max_training_rows on either
    -- side (no limit) gives the other side's.
    r.max_training_memory_mb := LEAST(r.max_training_memory_mb, p_admin.max_training_memory_mb);
    r.max_training_threads := LEAST(r.max_training_threads, p_admin.max_training_threads);
    r.max_training_rows := LEAST(r.max_training_rows, p_admin.max_training_rows);
    r.max_unreviewed_message_bytes := LEAST(r.max_unreviewed_message_bytes, p_admin.max_unreviewed_message_bytes);
    r.max_intents := LEAST(r.max_intents, p_admin.max_intents);
    r.max_partitions_per_classifier := LEAST(r.max_partitions_per_classifier, p_admin.max_partitions_per_classifier);
    r.max_unreviewed_rows := LEAST(r.max_unreviewed_rows, p_admin.max_unreviewed_rows);
    r.min_unreviewed_intent_rows := GREATEST(r.min_unreviewed_intent_rows, p_admin.min_unreviewed_intent_rows);
    r.only_reviewed := coalesce(r.only_reviewed, false) OR coalesce(p_admin.only_reviewed, false);
    r.max_concurrent_trainings := p_admin.max_concurrent_trainings;
    RETURN r;
END
$$;
COMMENT ON FUNCTION intent_internal._pg_intent_policy_within(@extschema@.ai_training_policy, @extschema@.ai_training_policy) IS
    'Internal: a classifier''s policy kept within the administrator''s limits (the one list of limit keys: a classifier may lower max_training_memory_mb, max_training_threads, max_training_rows, max_unreviewed_message_bytes, max_intents, max_partitions_per_classifier and max_unreviewed_rows, raise min_unreviewed_intent_rows, and set only_reviewed, never the reverse).';

-- The limits of a policy row (those _pg_intent_policy_within() keeps), as a
-- classifier's runs record them in their metrics (limits): what the run
-- was allowed, whatever its classifier's keys asked.
CREATE OR REPLACE FUNCTION intent_internal._pg_intent_policy_limits(p_policy @extschema@.ai_training_policy)
RETURNS jsonb
LANGUAGE sql IMMUTABLE PARALLEL SAFE
SET search_path = pg_catalog, pg_temp
AS $$
    SELECT pg_catalog.jsonb_build_object(
        'max_training_memory_mb', p_policy.max_training_memory_mb,
        'max_training_threads', p_policy.max_training_threads,
        'max_training_rows', p_policy.max_training_rows,
        'max_unreviewed_message_bytes', p_policy.max_unreviewed_message_bytes,
        'max_intents', p_policy.max_intents,
        'max_partitions_per_classifier', p_policy.max_partitions_per_classifier,
        'max_unreviewed_rows', p_policy.max_unreviewed_rows,
        'min_unreviewed_intent_rows', p_policy.min_unreviewed_intent_rows,
        'only_reviewed', p_policy.only_reviewed)
$$;
COMMENT ON FUNCTION intent_internal._pg_intent_policy_limits(@extschema@.ai_training_policy) IS
    'Internal: the limit keys of a policy row (_pg_intent_policy_within()) as jsonb, recorded in a classifier run''s metrics (limits).';

-- A classifier's effective policy: ai_training_policy's row with its policy
-- keys over it, within the row's limits (_pg_intent_policy_within()); the
-- built-in classifier's is the row alone (alter_classifier() refuses it).
CREATE OR REPLACE FUNCTION intent_internal._pg_intent_classifier_policy(p_name text)
RETURNS @extschema@.ai_training_policy
LANGUAGE sql STABLE PARALLEL SAFE
SET search_path = pg_catalog, pg_temp
AS $$
    SELECT intent_internal._pg_intent_policy_within(pg_catalog.jsonb_populate_record(p, coalesce((
               SELECT pg_catalog.jsonb_object_agg(k.key, k.value)
                 FROM @extschema@.ai_classifiers AS c, pg_catalog.jsonb_each(c.policy) AS k
                WHERE c.name OPERATOR(pg_catalog.=) p_name AND NOT c.built_in
                  AND k.key OPERATOR(pg_catalog.=) ANY (intent_internal._pg_intent_classifier_policy_keys())),
               '{}'::jsonb)), p)
      FROM @extschema@.ai_training_policy AS p
$$;
COMMENT ON FUNCTION intent_internal._pg_intent_classifier_policy(text) IS
    'Internal: the classifier''s effective policy (the row of ai_training_policy with the classifier''s policy keys over it, within the row''s limits: _pg_intent_policy_within(); for the built-in classifier intent, the row alone).';

-- A classifier's training options: its options that are neither columns
-- nor policy (none for the built-in classifier, as its policy above).
CREATE OR REPLACE FUNCTION intent_internal._pg_intent_classifier_training_options(p_name text)
RETURNS jsonb
LANGUAGE sql STABLE PARALLEL SAFE
SET search_path = pg_catalog, pg_temp
AS $$
    SELECT coalesce((SELECT pg_catalog.jsonb_object_agg(k.key, k.value)
                       FROM @extschema@.ai_classifiers AS c, pg_catalog.jsonb_each(c.policy) AS k
                      WHERE c.name OPERATOR(pg_catalog.=) p_name AND NOT c.built_in
                        AND NOT k.key OPERATOR(pg_catalog.=) ANY (intent_internal._pg_intent_classifier_policy_keys())),
                    '{}'::jsonb)
$$;
COMMENT ON FUNCTION intent_internal._pg_intent_classifier_training_options(text) IS
    'Internal: the classifier''s training options (its options that are neither columns nor policy keys; none for the built-in classifier intent).';

-- Checks a classifier's options (policy keys and training options; not the
-- column keys): 22023 naming the first bad key. The policy keys of
-- ai_training_policy are checked by that table's own constraints, on the
-- row they would make, so that the bounds are stated once.
CREATE OR REPLACE FUNCTION intent_internal._pg_intent_classifier_check_options(
    p_options jsonb, p_has_time boolean, p_has_partition boolean)
RETURNS void
LANGUAGE plpgsql VOLATILE PARALLEL UNSAFE
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    v_policy jsonb;
    v_training jsonb;
    v_row @extschema@.ai_training_policy;
    v_message text;
    v_window double precision;
    v_check record;
    v_ok boolean;
BEGIN
    IF p_options IS NULL OR jsonb_typeof(p_options) <> 'object' THEN
        RAISE EXCEPTION USING MESSAGE = @extschema@.intent_output_error('classifier options must be a JSON object'), ERRCODE = 'invalid_parameter_value';
    END IF;
    SELECT coalesce(jsonb_object_agg(k.key, k.value) FILTER (WHERE k.key = ANY (intent_internal._pg_intent_classifier_policy_keys())), '{}'),
           coalesce(jsonb_object_agg(k.key, k.value) FILTER (WHERE NOT k.key = ANY (intent_internal._pg_intent_classifier_policy_keys())), '{}')
      INTO v_policy, v_training
      FROM jsonb_each(p_options) AS k;

    -- classifiers-only keys
    IF v_policy ? 'gate_window_days' THEN
        IF NOT p_has_time THEN
            RAISE EXCEPTION USING MESSAGE = @extschema@.intent_output_error('invalid classifier option "gate_window_days": the classifier has no time_column'),
                       ERRCODE = 'invalid_parameter_value';
        END IF;
        IF jsonb_typeof(v_policy -> 'gate_window_days') <> 'number'
           OR (v_policy ->> 'gate_window_days')::double precision NOT BETWEEN 0.01 AND 36500 THEN
            RAISE EXCEPTION USING MESSAGE = @extschema@.intent_output_error('invalid classifier option "gate_window_days": %s', v_policy -> 'gate_window_days'),
                       ERRCODE = 'invalid_parameter_value', DETAIL = @extschema@.intent_output_error('It must be a number of days between 0.01 and 36500.');
        END IF;
    END IF;
    IF v_policy ? 'min_partition_rows' THEN
        IF NOT p_has_partition THEN
            RAISE EXCEPTION USING MESSAGE = @extschema@.intent_output_error('invalid classifier option "min_partition_rows": the classifier has no partition_column'),
                       ERRCODE = 'invalid_parameter_value';
        END IF;
        IF jsonb_typeof(v_policy -> 'min_partition_rows') <> 'number'
           OR (v_policy ->> 'min_partition_rows')::numeric NOT BETWEEN 2 AND 1000000000
           OR (v_policy ->> 'min_partition_rows')::numeric <> trunc((v_policy ->> 'min_partition_rows')::numeric) THEN
            RAISE EXCEPTION USING MESSAGE = @extschema@.intent_output_error('invalid classifier option "min_partition_rows": %s', v_policy -> 'min_partition_rows'),
                       ERRCODE = 'invalid_parameter_value', DETAIL = @extschema@.intent_output_error('It must be an integer between 2 and 1000000000.');
        END IF;
    END IF;

    IF v_policy ? 'keep_replaced_models' THEN
        IF jsonb_typeof(v_policy -> 'keep_replaced_models') <> 'number'
           OR (v_policy ->> 'keep_replaced_models')::numeric NOT BETWEEN 0 AND 1000
           OR (v_policy ->> 'keep_replaced_models')::numeric <> trunc((v_policy ->> 'keep_replaced_models')::numeric) THEN
            RAISE EXCEPTION USING MESSAGE = @extschema@.intent_output_error('invalid classifier option "keep_replaced_models": %s', v_policy -> 'keep_replaced_models'),
                ERRCODE = 'invalid_parameter_value', DETAIL = @extschema@.intent_output_error('It must be an integer between 0 and 1000.');
        END IF;
    END IF;

    -- ai_training_policy's keys, of their columns' JSON kinds, against that
    -- table's own constraints on the row they would make: nothing is
    -- written, so the policy row is neither locked nor its trigger fired
    -- (0.3.1 updated the row, column by column, and rolled back).
    PERFORM intent_internal._pg_intent_classifier_policy_types(v_policy);
    BEGIN
        SELECT p.* INTO v_row FROM @extschema@.ai_training_policy AS p;
        v_row := jsonb_populate_record(v_row, v_policy - 'gate_window_days' - 'min_partition_rows' - 'keep_replaced_models');
    EXCEPTION
        WHEN invalid_text_representation OR numeric_value_out_of_range OR datatype_mismatch
             OR invalid_parameter_value OR invalid_datetime_format OR datetime_field_overflow THEN
            GET STACKED DIAGNOSTICS v_message = MESSAGE_TEXT;
            RAISE EXCEPTION USING MESSAGE = @extschema@.intent_output_error('invalid classifier policy: %s', v_message),
                       ERRCODE = 'invalid_parameter_value',
                      HINT = @extschema@.intent_output_error('The policy keys take the values of the columns of ai_training_policy (docs/settings.md).');
    END;
    FOR v_check IN
        SELECT a.attname::text AS name
          FROM pg_catalog.pg_attribute AS a
         WHERE a.attrelid OPERATOR(pg_catalog.=) '@extschema@.ai_training_policy'::regclass
           AND a.attnum OPERATOR(pg_catalog.>) 0 AND NOT a.attisdropped AND a.attnotnull
         ORDER BY a.attnum
    LOOP
        IF pg_catalog.to_jsonb(v_row) OPERATOR(pg_catalog.->) v_check.name OPERATOR(pg_catalog.=) 'null'::jsonb THEN
            RAISE EXCEPTION USING MESSAGE = @extschema@.intent_output_error('invalid classifier policy: "%s" must not be null', v_check.name),
                       ERRCODE = 'invalid_parameter_value',
                      HINT = @extschema@.intent_output_error('The policy keys take the values of the columns of ai_training_policy (docs/settings.md).');
        END IF;
    END LOOP;
    FOR v_check IN
        SELECT c.conname::text AS name, pg_catalog.pg_get_expr(c.conbin, c.conrelid) AS expr
          FROM pg_catalog.pg_constraint AS c
         WHERE c.conrelid OPERATOR(pg_catalog.=) '@extschema@.ai_training_policy'::regclass
           AND c.contype OPERATOR(pg_catalog.=) 'c'
         ORDER BY c.conname
    LOOP
        EXECUTE pg_catalog.format('SELECT (%s) IS NOT FALSE FROM (SELECT ($1).*) AS ai_training_policy', v_check.expr)
           INTO v_ok USING v_row;
        IF NOT v_ok THEN
            RAISE EXCEPTION USING MESSAGE = @extschema@.intent_output_error('invalid classifier policy: the row it makes violates check constraint "%s" of ai_training_policy', v_check.name),
                       ERRCODE = 'invalid_parameter_value',
                       DETAIL = @extschema@.intent_output_error('The constraint is %s.', v_check.expr),
                      HINT = @extschema@.intent_output_error('The policy keys take the values of the columns of ai_training_policy (docs/settings.md).');
        END IF;
    END LOOP;

    -- training options, by the one validator of training options
    PERFORM @extschema@.intent_training_options(v_training);
    -- Issue 31, item 9: pg_intent sets min_feature_partitions (2 for a
    -- partitioned classifier's fallback); a classifier that asked for it
    -- would fail every training.
    IF v_training ? 'min_feature_partitions' THEN
        RAISE EXCEPTION USING MESSAGE = @extschema@.intent_output_error('invalid value for training option "min_feature_partitions"'),
                   ERRCODE = 'invalid_parameter_value',
                  DETAIL = @extschema@.intent_output_error('It is set by pg_intent for the fallback model of a partitioned classifier.'),
                  HINT = @extschema@.intent_output_error('Leave min_feature_partitions out of the classifier''s options.');
    END IF;
END
$$;
COMMENT ON FUNCTION intent_internal._pg_intent_classifier_check_options(jsonb, boolean, boolean) IS
    'Internal: checks a classifier''s policy keys (against ai_training_policy''s constraints) and training options (intent_training_options()); 22023 on the first bad one.';

-- Checks a classifier's source and columns for role p_caller: the source
-- exists and is a table or view (42P01, 42809), each column exists (42703),
-- has a type its role allows (42804: the text a string type, the label a
-- string, boolean or enum type, the time a timestamp or date, the weight a
-- number, reviewed a boolean) and p_caller may read it (42501). Run at
-- creation, at every change, and before every training.
CREATE OR REPLACE FUNCTION intent_internal._pg_intent_classifier_check_source(
    p_caller oid, p_name text, p_source oid, p_columns jsonb)
RETURNS void
LANGUAGE plpgsql STABLE PARALLEL SAFE
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    v_kind "char";
    v_col record;
    v_type oid;
    v_category "char";
    v_ok boolean;
BEGIN
    SELECT c.relkind INTO v_kind FROM pg_catalog.pg_class AS c WHERE c.oid = p_source;
    IF NOT FOUND THEN
        RAISE EXCEPTION USING MESSAGE = @extschema@.intent_output_error('the source of classifier "%s" does not exist', p_name),
                   ERRCODE = 'undefined_table', DETAIL = @extschema@.intent_output_error('The table or view it was created over was dropped.');
    END IF;
    IF v_kind NOT IN ('r', 'p', 'v', 'm', 'f') THEN
        RAISE EXCEPTION USING MESSAGE = @extschema@.intent_output_error('the source of classifier "%s" must be a table or a view', p_name),
                   ERRCODE = 'wrong_object_type';
    END IF;
    FOR v_col IN SELECT j.key AS role, j.value #>> '{}' AS name FROM jsonb_each(p_columns) AS j
                  WHERE jsonb_typeof(j.value) = 'string' ORDER BY j.key LOOP
        SELECT a.atttypid INTO v_type FROM pg_catalog.pg_attribute AS a
         WHERE a.attrelid = p_source AND a.attname = v_col.name::name AND a.attnum > 0 AND NOT a.attisdropped;
        IF NOT FOUND THEN
            RAISE EXCEPTION USING MESSAGE = @extschema@.intent_output_error('column "%s" of the source of classifier "%s" does not exist', v_col.name, p_name),
                       ERRCODE = 'undefined_column', DETAIL = @extschema@.intent_output_error('It is the classifier''s %s.', replace(v_col.role, '_', ' '));
        END IF;
        IF NOT pg_catalog.has_column_privilege(p_caller, p_source, v_col.name, 'SELECT') THEN
            RAISE EXCEPTION USING MESSAGE = @extschema@.intent_output_error('permission denied for column "%s" of the source of classifier "%s"', v_col.name, p_name),
                       ERRCODE = 'insufficient_privilege',
                      DETAIL = @extschema@.intent_output_error('A classifier''s source is read with the rights of the classifier''s owner.'),
                      HINT = @extschema@.intent_output_error('Grant SELECT on the source (or the column) to the classifier''s owner.');
        END IF;
        SELECT t.typcategory INTO v_category FROM pg_catalog.pg_type AS t
         WHERE t.oid = coalesce((SELECT d.typbasetype FROM pg_catalog.pg_type AS d
                                             WHERE d.oid = v_type AND d.typtype = 'd'), v_type);
        v_ok := CASE v_col.role
                WHEN 'text_column' THEN v_category = 'S'
                WHEN 'label_column' THEN v_category IN ('S', 'B', 'E')
                WHEN 'time_column' THEN v_type IN ('pg_catalog.timestamptz'::regtype, 'pg_catalog.timestamp'::regtype, 'pg_catalog.date'::regtype)
                WHEN 'weight_column' THEN v_category = 'N'
                WHEN 'reviewed_column' THEN v_category = 'B'
                ELSE true END;
        IF NOT v_ok THEN
            RAISE EXCEPTION USING MESSAGE = @extschema@.intent_output_error('column "%s" of the source of classifier "%s" has type %s, which a %s cannot have', v_col.name, p_name, pg_catalog.format_type(v_type, NULL), replace(v_col.role, '_', ' ')),
                       ERRCODE = 'datatype_mismatch',
                      HINT = CASE v_col.role
                          WHEN 'text_column' THEN @extschema@.intent_output_error('The text must be of a string type (text, varchar).')
                          WHEN 'label_column' THEN @extschema@.intent_output_error('The label must be of a string, boolean or enum type; cast it in a view.')
                          WHEN 'time_column' THEN @extschema@.intent_output_error('The time must be a timestamptz, timestamp or date.')
                          WHEN 'weight_column' THEN @extschema@.intent_output_error('The weight must be a number.')
                          ELSE @extschema@.intent_output_error('The reviewed column must be a boolean.') END;
        END IF;
    END LOOP;
END
$$;
COMMENT ON FUNCTION intent_internal._pg_intent_classifier_check_source(oid, text, oid, jsonb) IS
    'Internal: checks that a classifier''s source exists and is a table or view, and that each of its columns exists, has a type its role allows and is readable by the role (42P01, 42809, 42703, 42804, 42501).';

-- The columns of a classifier as {role: column name}.
CREATE OR REPLACE FUNCTION intent_internal._pg_intent_classifier_columns(c @extschema@.ai_classifiers)
RETURNS jsonb
LANGUAGE sql IMMUTABLE PARALLEL SAFE
SET search_path = pg_catalog, pg_temp
AS $$
    SELECT pg_catalog.jsonb_strip_nulls(pg_catalog.jsonb_build_object(
        'text_column', c.text_column, 'label_column', c.label_column, 'key_column', c.key_column,
        'time_column', c.time_column, 'weight_column', c.weight_column, 'reviewed_column', c.reviewed_column,
        'partition_column', c.partition_column))
$$;
COMMENT ON FUNCTION intent_internal._pg_intent_classifier_columns(@extschema@.ai_classifiers) IS
    'Internal: a classifier''s columns as {role: column name}.';

-- What create_classifier() and alter_classifier() return.
CREATE OR REPLACE FUNCTION intent_internal._pg_intent_classifier_json(p_name text)
RETURNS jsonb
LANGUAGE sql STABLE PARALLEL SAFE
SET search_path = pg_catalog, pg_temp
AS $$
    SELECT pg_catalog.jsonb_build_object('name', c.name,
                                         'source', coalesce(intent_internal._pg_intent_relation_name(c.source), c.source_name),
                                         'owner', c.owner_name::pg_catalog.text,
                                         'built_in', c.built_in, 'options', c.policy)
           || intent_internal._pg_intent_classifier_columns(c)
           || pg_catalog.jsonb_build_object(
                'predict_public', c.predict_public,
                'predict_roles', (SELECT coalesce(pg_catalog.jsonb_agg(x ORDER BY x), '[]')
                                    FROM pg_catalog.unnest(c.predict_roles) AS r,
                                         LATERAL (SELECT c.role_names OPERATOR(pg_catalog.->>) r::pg_catalog.text AS x) AS n),
                'train_roles', (SELECT coalesce(pg_catalog.jsonb_agg(x ORDER BY x), '[]')
                                  FROM pg_catalog.unnest(c.train_roles) AS r,
                                       LATERAL (SELECT c.role_names OPERATOR(pg_catalog.->>) r::pg_catalog.text AS x) AS n),
                'deploy_roles', (SELECT coalesce(pg_catalog.jsonb_agg(x ORDER BY x), '[]')
                                   FROM pg_catalog.unnest(c.deploy_roles) AS r,
                                        LATERAL (SELECT c.role_names OPERATOR(pg_catalog.->>) r::pg_catalog.text AS x) AS n))
           || CASE WHEN intent_internal._pg_intent_role_is(c.owner, c.owner_name) THEN '{}'::pg_catalog.jsonb
                   ELSE pg_catalog.jsonb_build_object('orphaned', true) END
      FROM @extschema@.ai_classifiers AS c
     WHERE c.name OPERATOR(pg_catalog.=) p_name
$$;
COMMENT ON FUNCTION intent_internal._pg_intent_classifier_json(text) IS
    'Internal: a classifier''s definition as jsonb (name, source, owner, columns, options, roles by name; orphaned: true when its owner was dropped).';

-- The classifier, or 42704.
CREATE OR REPLACE FUNCTION intent_internal._pg_intent_classifier(p_name text)
RETURNS @extschema@.ai_classifiers
LANGUAGE plpgsql STABLE PARALLEL SAFE
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    c @extschema@.ai_classifiers;
BEGIN
    IF p_name IS NULL THEN
        RAISE EXCEPTION USING MESSAGE = @extschema@.intent_output_error('p_name must not be null'), ERRCODE = 'null_value_not_allowed';
    END IF;
    SELECT x.* INTO c FROM @extschema@.ai_classifiers AS x WHERE x.name = p_name;
    IF NOT FOUND THEN
        RAISE EXCEPTION USING MESSAGE = @extschema@.intent_output_error('classifier "%s" does not exist', p_name),
                   ERRCODE = 'undefined_object', HINT = @extschema@.intent_output_error('Create it with create_classifier().');
    END IF;
    RETURN c;
END
$$;
COMMENT ON FUNCTION intent_internal._pg_intent_classifier(text) IS
    'Internal: the classifier''s row, or 42704.';

-- The rights are judged on a classifier's latest committed row
-- (_pg_intent_classifier_allows()), so that a grant or a revoke applies at
-- once, also in a transaction whose snapshot predates it; what is then
-- read, trained or deployed follows the row of the transaction's snapshot.
-- Both must be one classifier, but for its rights: else the right granted
-- on today's row read yesterday's source as yesterday's owner (an audit:
-- in REPEATABLE READ since before an owner re-pointed a classifier to a
-- public table and granted train on it, the grantee read the texts of the
-- private table it had read before; or those of a dropped classifier whose
-- name the grantee had taken). 40001 otherwise, as a concurrent update in
-- REPEATABLE READ is: retry in a new transaction. True when they agree.
CREATE OR REPLACE FUNCTION intent_internal._pg_intent_classifier_is_judged(p_row @extschema@.ai_classifiers)
RETURNS boolean
LANGUAGE plpgsql STABLE PARALLEL SAFE
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    l @extschema@.ai_classifiers := intent_internal._pg_intent_classifier_latest(p_row.name);
BEGIN
    IF (p_row.id, p_row.source, p_row.owner, p_row.owner_name, p_row.built_in, p_row.text_column,
        p_row.label_column, p_row.key_column, p_row.time_column, p_row.weight_column, p_row.reviewed_column,
        p_row.partition_column, p_row.policy)
       IS DISTINCT FROM
       (l.id, l.source, l.owner, l.owner_name, l.built_in, l.text_column, l.label_column, l.key_column,
        l.time_column, l.weight_column, l.reviewed_column, l.partition_column, l.policy) THEN
        RAISE EXCEPTION USING MESSAGE = @extschema@.intent_output_error('classifier "%s" changed since this transaction''s snapshot', p_row.name),
                   ERRCODE = 'serialization_failure',
                   DETAIL = @extschema@.intent_output_error('Its rights are the ones committed last, and they may not be applied to the definition this transaction still sees.'),
                   HINT = @extschema@.intent_output_error('Retry in a new transaction.');
    END IF;
    RETURN true;
END
$$;
COMMENT ON FUNCTION intent_internal._pg_intent_classifier_is_judged(@extschema@.ai_classifiers) IS
    'Internal: true when the classifier''s row of this transaction''s snapshot is, but for its rights, its latest committed row, on which _pg_intent_classifier_allows() judges; 40001 otherwise (retry in a new transaction).';

-- Raises 42501 unless p_caller may p_access the classifier (42704 for an
-- unknown one, to a role that may know which exist).
CREATE OR REPLACE FUNCTION intent_internal._pg_intent_classifier_require(p_name text, p_caller oid, p_access text)
RETURNS @extschema@.ai_classifiers
LANGUAGE plpgsql STABLE PARALLEL SAFE
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    c @extschema@.ai_classifiers;
BEGIN
    IF p_name IS NULL THEN
        RAISE EXCEPTION USING MESSAGE = @extschema@.intent_output_error('p_name must not be null'), ERRCODE = 'null_value_not_allowed';
    END IF;
    IF NOT coalesce(intent_internal._pg_intent_classifier_allows(p_name, p_caller, p_access), false) THEN
        -- (to a role that may know which classifiers exist; not the old
        -- owner's name: this caller may have no right to the classifier)
        IF p_access = 'manage' AND intent_internal._pg_intent_classifier_may_list(p_caller)
           AND EXISTS (SELECT FROM @extschema@.ai_classifiers AS x
                        WHERE x.name = p_name AND NOT intent_internal._pg_intent_role_is(x.owner, x.owner_name)) THEN
            RAISE EXCEPTION USING MESSAGE = @extschema@.intent_output_error('classifier "%s" is orphaned: its owner was dropped', p_name),
                       ERRCODE = 'insufficient_privilege',
                      DETAIL = @extschema@.intent_output_error('A role that got its owner''s OID or name since is not its owner.'),
                      HINT = @extschema@.intent_output_error('An administrator gives it a new owner: SELECT reassign_classifier(%s, <role>);', pg_catalog.quote_nullable(p_name));
        END IF;
        PERFORM intent_internal._pg_intent_classifier_refuse(p_name, p_caller, p_access);
    END IF;
    c := intent_internal._pg_intent_classifier(p_name);
    PERFORM intent_internal._pg_intent_classifier_is_judged(c);
    -- Training and every read of the source run as the owner (as_owner.h):
    -- with the owner gone there is no role to read it as. Said here, before
    -- enter_restricted_operation() could only say that an OID has no role.
    IF p_access = 'train' AND NOT c.built_in AND NOT intent_internal._pg_intent_role_is(c.owner, c.owner_name) THEN
        RAISE EXCEPTION USING MESSAGE = @extschema@.intent_output_error('classifier "%s" is orphaned: its owner was dropped', p_name),
                   ERRCODE = 'object_not_in_prerequisite_state',
                  DETAIL = @extschema@.intent_output_error('Its source is read as its owner, the role "%s", which no longer exists.', coalesce(c.owner_name::text, '')),
                  HINT = @extschema@.intent_output_error('An administrator gives it a new owner: SELECT reassign_classifier(%s, <role>);', pg_catalog.quote_nullable(p_name));
    END IF;
    RETURN c;
END
$$;
COMMENT ON FUNCTION intent_internal._pg_intent_classifier_require(text, oid, text) IS
    'Internal: the classifier''s row if the role may predict, train, deploy or manage it; 42704 or 42501 otherwise (42501 naming the orphaned classifier to manage; 55000 to train an orphaned classifier, whose source has no owner to be read as).';

-- -------------------------------------------------------------------------
-- create_classifier, alter_classifier, drop_classifier
-- -------------------------------------------------------------------------

CREATE OR REPLACE FUNCTION @extschema@.create_classifier(
    p_name text, p_source regclass, p_text_column name, p_label_column name, p_options jsonb DEFAULT '{}')
RETURNS jsonb
AS 'MODULE_PATHNAME', 'pg_intent_classifier_call'
LANGUAGE C VOLATILE PARALLEL UNSAFE;
COMMENT ON FUNCTION @extschema@.create_classifier(text, regclass, name, name, jsonb) IS
    'Registers a classifier over a table or view: the text and label columns, and in p_options the optional key_column, time_column, weight_column, reviewed_column and partition_column, the policy keys (min_samples_for_training, max_f1_regression, gate_window_days, min_partition_rows, ...) and training options. The caller becomes its owner and must be able to read the named columns. Returns the definition. Errors: 22023 bad name or option, 42710 exists, 42P01/42809 source, 42703 column, 42804 column type, 42501 unreadable column.';

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
        RAISE EXCEPTION USING MESSAGE = @extschema@.intent_output_error('p_name, p_source, p_text_column and p_label_column must not be null'),
                   ERRCODE = 'null_value_not_allowed';
    END IF;
    IF p_name !~ '^[a-z][a-z0-9_]{0,62}$' THEN
        RAISE EXCEPTION USING MESSAGE = @extschema@.intent_output_error('invalid classifier name "%s"', p_name),
                   ERRCODE = 'invalid_parameter_value',
                  DETAIL = @extschema@.intent_output_error('A classifier name is a lower-case letter, then up to 62 lower-case letters, digits or underscores.');
    END IF;
    IF jsonb_typeof(v_options) <> 'object' THEN
        RAISE EXCEPTION USING MESSAGE = @extschema@.intent_output_error('p_options must be a JSON object'), ERRCODE = 'invalid_parameter_value';
    END IF;
    IF EXISTS (SELECT FROM @extschema@.ai_classifiers AS c WHERE c.name = p_name) THEN
        RAISE EXCEPTION USING MESSAGE = @extschema@.intent_output_error('classifier "%s" already exists', p_name),
                   ERRCODE = 'duplicate_object', HINT = @extschema@.intent_output_error('Change it with alter_classifier().');
    END IF;
    SELECT k INTO v_bad FROM jsonb_object_keys(v_options) AS k
     WHERE k = ANY (intent_internal._pg_intent_classifier_column_keys()) AND jsonb_typeof(v_options -> k) <> 'string'
     LIMIT 1;
    IF v_bad IS NOT NULL THEN
        RAISE EXCEPTION USING MESSAGE = @extschema@.intent_output_error('invalid classifier option "%s": it must name a column', v_bad), ERRCODE = 'invalid_parameter_value';
    END IF;
    -- (alter_classifier() takes these as options; create_classifier() as arguments)
    SELECT k INTO v_bad FROM jsonb_object_keys(v_options) AS k WHERE k IN ('source', 'text_column', 'label_column') LIMIT 1;
    IF v_bad IS NOT NULL THEN
        RAISE EXCEPTION USING MESSAGE = @extschema@.intent_output_error('invalid classifier option "%s"', v_bad),
            ERRCODE = 'invalid_parameter_value',
                  HINT = @extschema@.intent_output_error('create_classifier() takes the source, the text column and the label column as its arguments p_source, p_text_column and p_label_column.');
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
                                            weight_column, reviewed_column, partition_column, policy, owner, owner_name)
    VALUES (p_name, p_source, p_text_column, p_label_column, v_columns ->> 'key_column', v_columns ->> 'time_column',
            v_columns ->> 'weight_column', v_columns ->> 'reviewed_column', v_columns ->> 'partition_column',
            v_options, p_caller, (SELECT r.rolname FROM pg_catalog.pg_roles AS r WHERE r.oid = p_caller));
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
        RAISE EXCEPTION USING MESSAGE = @extschema@.intent_output_error('the built-in classifier "intent" is changed through ai_training_policy'),
                   ERRCODE = 'object_not_in_prerequisite_state',
                  HINT = @extschema@.intent_output_error('An administrator changes its policy with UPDATE ai_training_policy SET ...');
    END IF;
    IF p_options IS NULL OR jsonb_typeof(p_options) <> 'object' THEN
        RAISE EXCEPTION USING MESSAGE = @extschema@.intent_output_error('p_options must be a JSON object'), ERRCODE = 'invalid_parameter_value';
    END IF;
    SELECT k INTO v_bad FROM jsonb_object_keys(p_options) AS k
     WHERE k = ANY (intent_internal._pg_intent_classifier_column_keys()) AND jsonb_typeof(p_options -> k) NOT IN ('string', 'null')
     LIMIT 1;
    IF v_bad IS NOT NULL THEN
        RAISE EXCEPTION USING MESSAGE = @extschema@.intent_output_error('invalid classifier option "%s": it must name a column, or be null', v_bad),
                   ERRCODE = 'invalid_parameter_value';
    END IF;
    -- Issue 36: the source and the text and label columns change here too,
    -- keeping the classifier's id, models, runs and grants (a drop and a
    -- create lost them). They are required: a name each, never null.
    SELECT k INTO v_bad FROM jsonb_object_keys(p_options) AS k
     WHERE k IN ('text_column', 'label_column') AND jsonb_typeof(p_options -> k) <> 'string'
     LIMIT 1;
    IF v_bad IS NOT NULL THEN
        RAISE EXCEPTION USING MESSAGE = @extschema@.intent_output_error('invalid classifier option "%s": it must name a column', v_bad),
            ERRCODE = 'invalid_parameter_value';
    END IF;
    -- "source" arrives as the relation's OID: the C entry resolved the name
    -- as the caller, in the caller's search_path (classifier_calls.cpp).
    IF p_options ? 'source' THEN
        IF jsonb_typeof(p_options -> 'source') <> 'number'
           OR (p_options ->> 'source')::numeric NOT BETWEEN 0 AND 4294967295
           OR (p_options ->> 'source')::numeric <> trunc((p_options ->> 'source')::numeric) THEN
            RAISE EXCEPTION USING MESSAGE = @extschema@.intent_output_error('invalid classifier option "source": it must name a table or view'),
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
    UPDATE @extschema@.ai_classifiers AS x
       SET source = v_source, text_column = v_columns ->> 'text_column', label_column = v_columns ->> 'label_column',
           key_column = v_columns ->> 'key_column', time_column = v_columns ->> 'time_column',
           weight_column = v_columns ->> 'weight_column', reviewed_column = v_columns ->> 'reviewed_column',
           partition_column = v_columns ->> 'partition_column', policy = v_options, updated_at = now()
     WHERE x.name = p_name;
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
        RAISE EXCEPTION USING MESSAGE = @extschema@.intent_output_error('the built-in classifier "intent" cannot be dropped'),
                   ERRCODE = 'object_not_in_prerequisite_state';
    END IF;
    IF p_drop_models IS NULL THEN
        RAISE EXCEPTION USING MESSAGE = @extschema@.intent_output_error('p_drop_models must not be null'), ERRCODE = 'null_value_not_allowed';
    END IF;
    -- The row first, then the deployment lock: a training of this
    -- classifier holds the row (FOR KEY SHARE, _pg_intent_train_classifier_run())
    -- until it commits, so the drop waits for it and then deactivates what
    -- it deployed; taken the other way round the two would deadlock on the
    -- deployment lock. An activation that comes after the drop finds no
    -- classifier (_pg_intent_activate()).
    PERFORM FROM @extschema@.ai_classifiers AS x WHERE x.id = c.id FOR UPDATE;
    IF NOT FOUND THEN
        RAISE EXCEPTION USING MESSAGE = @extschema@.intent_output_error('classifier "%s" does not exist', p_name), ERRCODE = 'undefined_object';
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
