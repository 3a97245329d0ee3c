-- Named classifiers (0.3.0): what a classifier is made of, its source's
-- columns, its policy and its training options, each checked once here
-- for create_classifier() and alter_classifier() (45_classifiers.sql).
-- Who may do what: 44_classifier_rights.sql.

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
    SELECT ARRAY['key_column', 'time_column', 'weight_column', 'reviewed_column', 'partition_column',
                 'corrected_column']
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
-- limits and how each combines: a classifier's owner tunes its classifier,
-- but what a training may cost the server, and the defences against rows
-- nobody reviewed, are the administrator's (issue 31). So a classifier may
-- only tighten them:
--   least:    a classifier may only lower it (LEAST skips a NULL: a NULL
--             max_training_rows, no limit, on either side gives the other's);
--   greatest: a classifier may only raise it;
--   or:       true wins (only_reviewed);
--   admin:    the database's, never a classifier's key: the administrator's
--             row whatever the classifier's says (max_concurrent_trainings);
--             not one of a run's limits, as it bounds all runs at once.
-- The other keys (min_samples_for_training, auto_retrain_threshold, max_f1_regression,
-- corrected_weight, min_gate_rows, out_of_scope_*) decide its own models: its owner's.
-- Read by _pg_intent_policy_within(), which applies it, and
-- _pg_intent_policy_limits(), which records it in a run's metrics: a key
-- added here is kept within and recorded, both (before, each named the keys
-- itself and a test kept the two lists together; issue 33).
-- A SQL-standard body without a SET clause (literals only, nothing to
-- resolve), so that its callers inline it into their one query.
CREATE OR REPLACE FUNCTION intent_internal._pg_intent_policy_limit_keys()
RETURNS TABLE (key text, rule text)
LANGUAGE sql IMMUTABLE PARALLEL SAFE
BEGIN ATOMIC
    VALUES ('max_training_memory_mb', 'least'),
           ('max_training_threads', 'least'),
           ('max_training_rows', 'least'),
           ('max_unreviewed_message_bytes', 'least'),
           ('max_intents', 'least'),
           ('max_partitions_per_classifier', 'least'),
           ('max_unreviewed_rows', 'least'),
           ('min_unreviewed_intent_rows', 'greatest'),
           ('only_reviewed', 'or'),
           ('max_concurrent_trainings', 'admin');
END;
COMMENT ON FUNCTION intent_internal._pg_intent_policy_limit_keys() IS
    'Internal: the one list of the administrator''s limit keys of ai_training_policy and how each combines with a classifier''s (least: a classifier may only lower it; greatest: only raise it; or: true wins; admin: the administrator''s whatever the classifier''s), read by _pg_intent_policy_within() and _pg_intent_policy_limits().';

-- p_policy (ai_training_policy's row with a classifier's keys over it) kept
-- within p_admin (the row itself), key by key as _pg_intent_policy_limit_keys()
-- says; every other column is p_policy's. One query over the list: each row
-- becomes jsonb once, and only the limit keys (integers and booleans) are
-- written back over p_policy, so no other column is converted and the
-- result depends on no setting (IMMUTABLE). PL/pgSQL, so that the query's
-- plan is kept for the session: a SQL function is planned again in every
-- statement that calls it, twice the cost of a call.
CREATE OR REPLACE FUNCTION intent_internal._pg_intent_policy_within(
    p_policy @extschema@.ai_training_policy, p_admin @extschema@.ai_training_policy)
RETURNS @extschema@.ai_training_policy
LANGUAGE plpgsql IMMUTABLE PARALLEL SAFE
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    v_mine jsonb := pg_catalog.to_jsonb(p_policy);
    v_admin jsonb := pg_catalog.to_jsonb(p_admin);
BEGIN
    RETURN (
        SELECT pg_catalog.jsonb_populate_record(p_policy, pg_catalog.jsonb_object_agg(l.key,
                   CASE l.rule
                       -- a JSON null is SQL NULL here, which LEAST and
                       -- GREATEST skip (a NULL max_training_rows: no limit)
                       WHEN 'least' THEN LEAST(NULLIF(v_mine OPERATOR(pg_catalog.->) l.key, 'null'::jsonb),
                                               NULLIF(v_admin OPERATOR(pg_catalog.->) l.key, 'null'::jsonb))
                       WHEN 'greatest' THEN GREATEST(NULLIF(v_mine OPERATOR(pg_catalog.->) l.key, 'null'::jsonb),
                                                     NULLIF(v_admin OPERATOR(pg_catalog.->) l.key, 'null'::jsonb))
                       WHEN 'or' THEN pg_catalog.to_jsonb(coalesce((v_mine OPERATOR(pg_catalog.->>) l.key)::boolean, false)
                                                          OR coalesce((v_admin OPERATOR(pg_catalog.->>) l.key)::boolean, false))
                       WHEN 'admin' THEN v_admin OPERATOR(pg_catalog.->) l.key
                   END))
          FROM intent_internal._pg_intent_policy_limit_keys() AS l);
END
$$;
COMMENT ON FUNCTION intent_internal._pg_intent_policy_within(@extschema@.ai_training_policy, @extschema@.ai_training_policy) IS
    'Internal: a classifier''s policy kept within the administrator''s limits, key by key as the one list says (_pg_intent_policy_limit_keys(): a classifier may lower max_training_memory_mb, max_training_threads, max_training_rows, max_unreviewed_message_bytes, max_intents, max_partitions_per_classifier and max_unreviewed_rows, raise min_unreviewed_intent_rows, and set only_reviewed, never the reverse; max_concurrent_trainings is the administrator''s).';

-- The limits of a policy row (_pg_intent_policy_limit_keys(), but the
-- database's own, admin), as a classifier's runs record them in their
-- metrics (limits): what the run was allowed, whatever its classifier's
-- keys asked. PL/pgSQL for its kept plan, as _pg_intent_policy_within().
CREATE OR REPLACE FUNCTION intent_internal._pg_intent_policy_limits(p_policy @extschema@.ai_training_policy)
RETURNS jsonb
LANGUAGE plpgsql IMMUTABLE PARALLEL SAFE
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    v_policy jsonb := pg_catalog.to_jsonb(p_policy);
BEGIN
    RETURN (SELECT pg_catalog.jsonb_object_agg(l.key, v_policy OPERATOR(pg_catalog.->) l.key)
              FROM intent_internal._pg_intent_policy_limit_keys() AS l
             WHERE l.rule OPERATOR(pg_catalog.<>) 'admin');
END
$$;
COMMENT ON FUNCTION intent_internal._pg_intent_policy_limits(@extschema@.ai_training_policy) IS
    'Internal: the limit keys of a policy row (_pg_intent_policy_limit_keys(), but max_concurrent_trainings, the database''s) as jsonb, recorded in a classifier run''s metrics (limits).';

-- A classifier's effective policy: ai_training_policy's row with its policy
-- keys over it, within the row's limits (_pg_intent_policy_within()); the
-- built-in classifier's is the row alone (alter_classifier() refuses it).
CREATE OR REPLACE FUNCTION intent_internal._pg_intent_classifier_policy(p_name text)
RETURNS @extschema@.ai_training_policy
LANGUAGE sql STABLE PARALLEL SAFE
SET search_path = pg_catalog, pg_temp
AS $$
    SELECT intent_internal._pg_intent_policy_within(pg_catalog.jsonb_populate_record(p,
               intent_internal._pg_intent_classifier_policy_values(coalesce((
               SELECT pg_catalog.jsonb_object_agg(k.key, k.value)
                 FROM @extschema@.ai_classifiers AS c, pg_catalog.jsonb_each(c.policy) AS k
                WHERE c.name OPERATOR(pg_catalog.=) p_name AND NOT c.built_in
                  AND k.key OPERATOR(pg_catalog.=) ANY (intent_internal._pg_intent_classifier_policy_keys())),
               '{}'::jsonb))), p)
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

-- The training options a named classifier may not set, checked in its
-- options as train_classifier() checks a call's: one list in C
-- (src/pg/classifier_options.h), so the key, its SQLSTATE (22023) and its
-- words are stated once for both. p_options are valid training options
-- (intent_training_options() checked them).
CREATE OR REPLACE FUNCTION intent_internal._pg_intent_classifier_reserved_options(p_options jsonb)
RETURNS void
AS 'MODULE_PATHNAME', 'pg_intent_classifier_reserved_options'
LANGUAGE C STABLE PARALLEL SAFE;
COMMENT ON FUNCTION intent_internal._pg_intent_classifier_reserved_options(jsonb) IS
    'Internal: raises 22023 when a named classifier''s training options set a key it may not (min_feature_partitions, which pg_intent sets; min_confidence other than 0, as a classifier''s source has no detector confidence); train_classifier() refuses a call''s options by the same list.';

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
        RAISE EXCEPTION USING MESSAGE = intent_internal._pg_intent_error_words('classifier options must be a JSON object'), ERRCODE = 'invalid_parameter_value';
    END IF;
    SELECT coalesce(jsonb_object_agg(k.key, k.value) FILTER (WHERE k.key = ANY (intent_internal._pg_intent_classifier_policy_keys())), '{}'),
           coalesce(jsonb_object_agg(k.key, k.value) FILTER (WHERE NOT k.key = ANY (intent_internal._pg_intent_classifier_policy_keys())), '{}')
      INTO v_policy, v_training
      FROM jsonb_each(p_options) AS k;

    -- classifiers-only keys
    IF v_policy ? 'gate_window_days' THEN
        IF NOT p_has_time THEN
            RAISE EXCEPTION USING MESSAGE = intent_internal._pg_intent_error_words('invalid classifier option "gate_window_days": the classifier has no time_column'),
                       ERRCODE = 'invalid_parameter_value';
        END IF;
        IF jsonb_typeof(v_policy -> 'gate_window_days') <> 'number'
           OR (v_policy ->> 'gate_window_days')::numeric NOT BETWEEN 0.01 AND 36500 THEN
            RAISE EXCEPTION USING MESSAGE = intent_internal._pg_intent_error_words('invalid classifier option "gate_window_days": %s', v_policy -> 'gate_window_days'),
                       ERRCODE = 'invalid_parameter_value', DETAIL = intent_internal._pg_intent_error_words('It must be a number of days between 0.01 and 36500.');
        END IF;
    END IF;
    IF v_policy ? 'min_partition_rows' THEN
        IF NOT p_has_partition THEN
            RAISE EXCEPTION USING MESSAGE = intent_internal._pg_intent_error_words('invalid classifier option "min_partition_rows": the classifier has no partition_column'),
                       ERRCODE = 'invalid_parameter_value';
        END IF;
        -- an integer by the one rule of integer keys (_pg_intent_json_integer())
        IF intent_internal._pg_intent_json_integer(v_policy -> 'min_partition_rows') IS NULL
           OR intent_internal._pg_intent_json_integer(v_policy -> 'min_partition_rows') NOT BETWEEN 2 AND 1000000000 THEN
            RAISE EXCEPTION USING MESSAGE = intent_internal._pg_intent_error_words('invalid classifier option "min_partition_rows": %s', v_policy -> 'min_partition_rows'),
                       ERRCODE = 'invalid_parameter_value', DETAIL = intent_internal._pg_intent_error_words('It must be an integer between 2 and 1000000000.');
        END IF;
    END IF;

    IF v_policy ? 'keep_replaced_models' THEN
        IF intent_internal._pg_intent_json_integer(v_policy -> 'keep_replaced_models') IS NULL
           OR intent_internal._pg_intent_json_integer(v_policy -> 'keep_replaced_models') NOT BETWEEN 0 AND 1000 THEN
            RAISE EXCEPTION USING MESSAGE = intent_internal._pg_intent_error_words('invalid classifier option "keep_replaced_models": %s', v_policy -> 'keep_replaced_models'),
                ERRCODE = 'invalid_parameter_value', DETAIL = intent_internal._pg_intent_error_words('It must be an integer between 0 and 1000.');
        END IF;
    END IF;

    -- ai_training_policy's keys, of their columns' JSON kinds, against that
    -- table's own constraints on the row they would make: nothing is
    -- written, so the policy row is neither locked nor its trigger fired
    -- (0.3.1 updated the row, column by column, and rolled back). The
    -- keys of classifiers only, no columns, are left out by
    -- jsonb_populate_record() itself, as in _pg_intent_classifier_policy():
    -- they are named once, in _pg_intent_classifier_policy_keys().
    PERFORM intent_internal._pg_intent_classifier_policy_types(v_policy);
    BEGIN
        SELECT p.* INTO v_row FROM @extschema@.ai_training_policy AS p;
        v_row := jsonb_populate_record(v_row, intent_internal._pg_intent_classifier_policy_values(v_policy));
    EXCEPTION
        WHEN invalid_text_representation OR numeric_value_out_of_range OR datatype_mismatch
             OR invalid_parameter_value OR invalid_datetime_format OR datetime_field_overflow THEN
            GET STACKED DIAGNOSTICS v_message = MESSAGE_TEXT;
            RAISE EXCEPTION USING MESSAGE = intent_internal._pg_intent_error_words('invalid classifier policy: %s', v_message),
                       ERRCODE = 'invalid_parameter_value',
                      HINT = intent_internal._pg_intent_error_words('The policy keys take the values of the columns of ai_training_policy (docs/settings.md).');
    END;
    FOR v_check IN
        SELECT a.attname::text AS name
          FROM pg_catalog.pg_attribute AS a
         WHERE a.attrelid OPERATOR(pg_catalog.=) '@extschema@.ai_training_policy'::regclass
           AND a.attnum OPERATOR(pg_catalog.>) 0 AND NOT a.attisdropped AND a.attnotnull
         ORDER BY a.attnum
    LOOP
        IF pg_catalog.to_jsonb(v_row) OPERATOR(pg_catalog.->) v_check.name OPERATOR(pg_catalog.=) 'null'::jsonb THEN
            RAISE EXCEPTION USING MESSAGE = intent_internal._pg_intent_error_words('invalid classifier policy: "%s" must not be null', v_check.name),
                       ERRCODE = 'invalid_parameter_value',
                      HINT = intent_internal._pg_intent_error_words('The policy keys take the values of the columns of ai_training_policy (docs/settings.md).');
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
            RAISE EXCEPTION USING MESSAGE = intent_internal._pg_intent_error_words('invalid classifier policy: the row it makes violates check constraint "%s" of ai_training_policy', v_check.name),
                       ERRCODE = 'invalid_parameter_value',
                       DETAIL = intent_internal._pg_intent_error_words('The constraint is %s.', v_check.expr),
                      HINT = intent_internal._pg_intent_error_words('The policy keys take the values of the columns of ai_training_policy (docs/settings.md).');
        END IF;
    END LOOP;

    -- training options, by the one validator of training options
    PERFORM @extschema@.intent_training_options(v_training);
    -- the keys a named classifier may not set (min_feature_partitions,
    -- min_confidence), by the one list train_classifier() checks a call's
    -- options by: the same error wherever a key is set
    PERFORM intent_internal._pg_intent_classifier_reserved_options(v_training);
END
$$;
COMMENT ON FUNCTION intent_internal._pg_intent_classifier_check_options(jsonb, boolean, boolean) IS
    'Internal: checks a classifier''s policy keys (against ai_training_policy''s constraints) and training options (intent_training_options()); 22023 on the first bad one.';

-- Checks a classifier's source and columns for role p_caller: the source
-- exists and is a table or view, not a temporary one (42P01, 42809), each column exists (42703),
-- has a type its role allows (42804: the text a string type, the label a
-- string, boolean or enum type, the time a timestamp or date, the weight a
-- number, reviewed and corrected a boolean) and p_caller may read it (42501, as USAGE
-- on the source's schema). Run at
-- creation, at every change, before every training, and before every count
-- of the source's new rows (the columns it reads: label, time, reviewed;
-- _pg_intent_classifier_source_statement(), which the dashboards and
-- retrain_classifiers() ask).
CREATE OR REPLACE FUNCTION intent_internal._pg_intent_classifier_check_source(
    p_caller oid, p_name text, p_source oid, p_columns jsonb)
RETURNS void
LANGUAGE plpgsql STABLE PARALLEL SAFE
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    v_kind "char";
    v_namespace oid;
    v_persistence "char";
    v_col record;
    v_type oid;
    v_category "char";
    v_ok boolean;
    v_recorded text;
BEGIN
    SELECT c.relkind, c.relnamespace, c.relpersistence INTO v_kind, v_namespace, v_persistence FROM pg_catalog.pg_class AS c WHERE c.oid = p_source;
    IF NOT FOUND THEN
        -- A classifier names its source by OID; a relation made again under
        -- the recorded name (source_name) has another one: the table
        -- restored from a dump (pg_restore -t or -n, --clean), or created
        -- again, or a data-only restore with --disable-triggers, which
        -- skipped ai_classifiers_rebind and left the dumped database's OID.
        -- The classifier is never pointed at it by name here (whoever may
        -- create a relation of that name would choose what the owner trains
        -- on and deploys): the hint gives the owner the call that does it.
        -- Without it the error said only "dropped", and creating the table
        -- again, as the docs advised, changed nothing.
        SELECT c.source_name INTO v_recorded FROM @extschema@.ai_classifiers AS c WHERE c.name = p_name;
        RAISE EXCEPTION USING MESSAGE = intent_internal._pg_intent_error_words('the source of classifier "%s" does not exist', p_name),
                   ERRCODE = 'undefined_table', DETAIL = intent_internal._pg_intent_error_words('The table or view it was created over was dropped.'),
                  HINT = CASE WHEN pg_catalog.to_regclass(v_recorded) IS NOT NULL
                              THEN intent_internal._pg_intent_error_words('A relation has its recorded name, %s, but not its OID (restored from a dump, or created again): its owner makes it the source with %s.',
                                                                           v_recorded, pg_catalog.format('alter_classifier(%L, jsonb_build_object(''source'', %L))', p_name, v_recorded))
                              ELSE intent_internal._pg_intent_error_words('Create the table or view again (its recorded name is %s), then point the classifier at it with alter_classifier(), or drop the classifier.',
                                                                           coalesce(v_recorded, '?'))
                         END;
    END IF;
    IF v_kind NOT IN ('r', 'p', 'v', 'm', 'f') THEN
        RAISE EXCEPTION USING MESSAGE = intent_internal._pg_intent_error_words('the source of classifier "%s" must be a table or a view', p_name),
                   ERRCODE = 'wrong_object_type';
    END IF;
    -- A temporary table or view is its session's alone, and a classifier
    -- outlives the session and is read by others (retrain_classifiers(),
    -- a grantee, the dashboards). Accepted before, it trained in its own
    -- session only; every other reader got 42501 "permission denied for
    -- schema pg_temp_N" with a hint to grant USAGE on it (which still gives
    -- no access: 0A000), and once the session ended the classifier was left
    -- without a source, its recorded name pg_temp_N.x a name another
    -- session's temporary table may have (a restore binds the source by it).
    IF v_persistence = 't' THEN
        RAISE EXCEPTION USING MESSAGE = intent_internal._pg_intent_error_words('the source of classifier "%s" must not be a temporary table or view', p_name),
                   ERRCODE = 'wrong_object_type',
                  DETAIL = intent_internal._pg_intent_error_words('A classifier outlives the session, and other sessions read its source; a temporary relation is its session''s alone.'),
                  HINT = intent_internal._pg_intent_error_words('Use a permanent or unlogged table, or a view over one.');
    END IF;
    -- The source is read by name as the role: without USAGE on its schema
    -- it reads no column, whatever its column privileges (a source given
    -- by OID, or named by another role than the owner, was accepted, and
    -- every training failed).
    IF NOT pg_catalog.has_schema_privilege(p_caller, v_namespace, 'USAGE') THEN
        RAISE EXCEPTION USING MESSAGE = intent_internal._pg_intent_error_words('permission denied for schema "%s" of the source of classifier "%s"',
                                                                        (SELECT n.nspname FROM pg_catalog.pg_namespace AS n WHERE n.oid = v_namespace), p_name),
                   ERRCODE = 'insufficient_privilege',
                  DETAIL = intent_internal._pg_intent_error_words('A classifier''s source is read with the rights of the classifier''s owner.'),
                  HINT = intent_internal._pg_intent_error_words('Grant USAGE on the schema to the classifier''s owner.');
    END IF;
    FOR v_col IN SELECT j.key AS role, j.value #>> '{}' AS name FROM jsonb_each(p_columns) AS j
                  WHERE jsonb_typeof(j.value) = 'string' ORDER BY j.key LOOP
        SELECT a.atttypid INTO v_type FROM pg_catalog.pg_attribute AS a
         WHERE a.attrelid = p_source AND a.attname = v_col.name::name AND a.attnum > 0 AND NOT a.attisdropped;
        IF NOT FOUND THEN
            RAISE EXCEPTION USING MESSAGE = intent_internal._pg_intent_error_words('column "%s" of the source of classifier "%s" does not exist', v_col.name, p_name),
                       ERRCODE = 'undefined_column', DETAIL = intent_internal._pg_intent_error_words('It is the classifier''s %s.', replace(v_col.role, '_', ' '));
        END IF;
        IF NOT pg_catalog.has_column_privilege(p_caller, p_source, v_col.name, 'SELECT') THEN
            RAISE EXCEPTION USING MESSAGE = intent_internal._pg_intent_error_words('permission denied for column "%s" of the source of classifier "%s"', v_col.name, p_name),
                       ERRCODE = 'insufficient_privilege',
                      DETAIL = intent_internal._pg_intent_error_words('A classifier''s source is read with the rights of the classifier''s owner.'),
                      HINT = intent_internal._pg_intent_error_words('Grant SELECT on the source (or the column) to the classifier''s owner.');
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
                WHEN 'corrected_column' THEN v_category = 'B'
                ELSE true END;
        IF NOT v_ok THEN
            RAISE EXCEPTION USING MESSAGE = intent_internal._pg_intent_error_words('column "%s" of the source of classifier "%s" has type %s, which a %s cannot have', v_col.name, p_name, pg_catalog.format_type(v_type, NULL), replace(v_col.role, '_', ' ')),
                       ERRCODE = 'datatype_mismatch',
                      HINT = CASE v_col.role
                          WHEN 'text_column' THEN intent_internal._pg_intent_error_words('The text must be of a string type (text, varchar).')
                          WHEN 'label_column' THEN intent_internal._pg_intent_error_words('The label must be of a string, boolean or enum type; cast it in a view.')
                          WHEN 'time_column' THEN intent_internal._pg_intent_error_words('The time must be a timestamptz, timestamp or date.')
                          WHEN 'weight_column' THEN intent_internal._pg_intent_error_words('The weight must be a number.')
                          WHEN 'corrected_column' THEN intent_internal._pg_intent_error_words('The corrected column must be a boolean.')
                          ELSE intent_internal._pg_intent_error_words('The reviewed column must be a boolean.') END;
        END IF;
    END LOOP;
END
$$;
COMMENT ON FUNCTION intent_internal._pg_intent_classifier_check_source(oid, text, oid, jsonb) IS
    'Internal: checks that a classifier''s source exists and is a table or view, not a temporary one, and that each of its columns exists, has a type its role allows and is readable by the role, with USAGE on the source''s schema (42P01, 42809, 42703, 42804, 42501).';

-- The columns of a classifier as {role: column name}.
CREATE OR REPLACE FUNCTION intent_internal._pg_intent_classifier_columns(c @extschema@.ai_classifiers)
RETURNS jsonb
LANGUAGE sql IMMUTABLE PARALLEL SAFE
SET search_path = pg_catalog, pg_temp
AS $$
    SELECT pg_catalog.jsonb_strip_nulls(pg_catalog.jsonb_build_object(
        'text_column', c.text_column, 'label_column', c.label_column, 'key_column', c.key_column,
        'time_column', c.time_column, 'weight_column', c.weight_column, 'reviewed_column', c.reviewed_column,
        'partition_column', c.partition_column, 'corrected_column', c.corrected_column))
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

