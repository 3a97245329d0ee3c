-- Training runs: the entry point, the worker that records the run and
-- applies the deploy rule, and the C trainer it calls.
--
-- Privileges. Training changes what every session predicts, so it is
-- granted explicitly. train_intent_model() is a C function that runs as its
-- caller: it checks what only some callers may ask for (a {"deploy":
-- "always"} run needs the privilege to deploy) and then runs
-- _pg_intent_train_run() as the extension owner with search_path pinned to
-- pg_catalog, pg_temp (src/pg/elevation.cpp). The worker reads and writes the
-- tables whatever the caller's table privileges or row-level security, takes
-- its policy from ai_training_policy (never from the caller's session), and
-- names every object by schema.

-- -------------------------------------------------------------------------
-- Internal helpers
-- -------------------------------------------------------------------------

-- The headline numbers of a metrics object of the training report, without
-- the bulky per-intent tables, for the jsonb that train_intent_model() returns.
CREATE OR REPLACE FUNCTION @extschema@._pg_intent_headline_metrics(p_metrics jsonb)
RETURNS jsonb
LANGUAGE sql IMMUTABLE PARALLEL SAFE
SET search_path = pg_catalog, pg_temp
AS $$
    SELECT CASE WHEN jsonb_typeof(p_metrics) = 'object' THEN
        (SELECT coalesce(jsonb_object_agg(k, coalesce(p_metrics -> k, p_metrics -> ('macro_' || k))), '{}'::jsonb)
           FROM unnest(ARRAY['accuracy', 'precision', 'recall', 'f1', 'coverage', 'accepted_accuracy']) AS k
          WHERE p_metrics ? k OR p_metrics ? ('macro_' || k))
    END
$$;
COMMENT ON FUNCTION @extschema@._pg_intent_headline_metrics(jsonb) IS
    'Internal: keeps accuracy, precision, recall, f1, coverage and accepted_accuracy of a report metrics object (macro_precision etc. are read as precision etc.).';


-- Internal: trains on the given rows and scores the optional baseline model
-- on the same test split. Called by train_intent_model().
CREATE OR REPLACE FUNCTION @extschema@._pg_intent_train(
    p_texts text[], p_labels text[], p_weights real[], p_corrected boolean[],
    p_options jsonb, p_baseline bytea,
    OUT model bytea, OUT report jsonb)
RETURNS record
AS 'MODULE_PATHNAME', 'pg_intent_train'
LANGUAGE C VOLATILE PARALLEL UNSAFE;
COMMENT ON FUNCTION @extschema@._pg_intent_train(text[], text[], real[], boolean[], jsonb, bytea) IS
    'Internal: runs the training pipeline in the backend. Use train_intent_model().';

-- -------------------------------------------------------------------------
-- train_intent_model
-- -------------------------------------------------------------------------

-- The entry point (C): checks the caller's privileges for what the options
-- ask, then runs _pg_intent_train_run() as the extension owner.
CREATE OR REPLACE FUNCTION @extschema@.train_intent_model(
    p_run_name text DEFAULT NULL,
    p_run_type text DEFAULT 'full',
    p_options jsonb DEFAULT '{}')
RETURNS jsonb
AS 'MODULE_PATHNAME', 'pg_intent_train_intent_model'
LANGUAGE C VOLATILE PARALLEL UNSAFE;
COMMENT ON FUNCTION @extschema@.train_intent_model(text, text, jsonb) IS
    'Trains an intent model from ai_training_data (options: deploy auto|never|always, min_confidence, only_reviewed, limit, plus the trainer''s options such as algorithm, C, word_ngram_max, seed), scores it against the active model, deploys it when the deploy rule of ai_training_policy allows, and returns the run result. {"deploy": "always"} needs EXECUTE on deploy_intent_model. Too little data gives a failed run, not an error.';

-- Takes the extension's training or deployment lock (C; see
-- src/pg/elevation.cpp): only the extension's own functions can take them.
CREATE OR REPLACE FUNCTION @extschema@._pg_intent_lock(p_lock text, p_wait boolean)
RETURNS boolean
AS 'MODULE_PATHNAME', 'pg_intent_lock'
LANGUAGE C VOLATILE PARALLEL UNSAFE;
COMMENT ON FUNCTION @extschema@._pg_intent_lock(text, boolean) IS
    'Internal: takes the training or deployment lock of the extension until the end of the transaction (p_wait false: returns false when another session holds it).';

-- Trains a model from ai_training_data inside the database, scores it against
-- the active model, applies the deploy rule and records the run. Data or
-- training failures give a failed run (returned, not raised); bad arguments
-- and options raise 22023 and record nothing. Runs as the extension owner,
-- called by train_intent_model() only.
CREATE OR REPLACE FUNCTION @extschema@._pg_intent_train_run(p_run_name text, p_run_type text, p_options jsonb)
RETURNS jsonb
LANGUAGE plpgsql VOLATILE PARALLEL UNSAFE
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    c_sql_keys CONSTANT text[] := ARRAY['deploy', 'min_confidence', 'only_reviewed', 'limit'];
    v_started timestamptz := clock_timestamp();
    v_deploy_mode text := 'auto';
    v_min_confidence integer := 0;
    v_only_reviewed boolean := false;
    v_limit integer := 2147483647;
    v_train_options jsonb;
    v_value jsonb;
    v_run_id uuid;
    -- dataset
    v_ids uuid[];
    v_texts text[];
    v_labels text[];
    v_weights real[];
    v_corrected boolean[];
    v_rows integer;
    v_intents integer;
    v_policy @extschema@.ai_training_policy;
    -- training
    v_active_id bigint;
    v_active_model bytea;
    v_model bytea;
    v_report jsonb;
    v_f1 double precision;
    v_baseline_f1 double precision;
    v_current_active bigint;
    v_holder integer;
    v_deploy boolean;
    v_reason text;
    v_model_id bigint;
    v_version text;
    v_suffix integer := 1;
    v_duration double precision;
    -- failure
    v_state text;
    v_message text;
    v_detail text;
    v_hint text;
BEGIN
    -- 1. arguments and SQL-level options; the remaining keys go to the C
    --    trainer, which validates them itself.
    IF p_run_type IS NULL THEN
        RAISE EXCEPTION 'p_run_type must not be null' USING ERRCODE = 'null_value_not_allowed';
    END IF;
    IF p_run_type NOT IN ('full', 'incremental', 'intent_only') THEN
        RAISE EXCEPTION 'invalid value for parameter "p_run_type": "%"', p_run_type
            USING ERRCODE = 'invalid_parameter_value',
                  DETAIL = 'The run type must be full, incremental or intent_only.';
    END IF;
    IF p_options IS NULL THEN
        RAISE EXCEPTION 'p_options must not be null' USING ERRCODE = 'null_value_not_allowed',
            HINT = 'Pass ''{}'' for the default options.';
    END IF;
    IF jsonb_typeof(p_options) <> 'object' THEN
        RAISE EXCEPTION 'invalid value for parameter "p_options": expected a JSON object'
            USING ERRCODE = 'invalid_parameter_value';
    END IF;

    v_value := p_options -> 'deploy';
    IF v_value IS NOT NULL THEN
        IF (CASE WHEN jsonb_typeof(v_value) = 'string'
                THEN v_value #>> '{}' NOT IN ('auto', 'never', 'always')
                ELSE true END) THEN
            RAISE EXCEPTION 'invalid value for option "deploy": %', v_value
                USING ERRCODE = 'invalid_parameter_value',
                      DETAIL = 'The option deploy must be "auto", "never" or "always".';
        END IF;
        v_deploy_mode := v_value #>> '{}';
    END IF;

    v_value := p_options -> 'min_confidence';
    IF v_value IS NOT NULL THEN
        IF (CASE WHEN jsonb_typeof(v_value) = 'number'
                THEN (v_value #>> '{}')::numeric NOT BETWEEN 0 AND 100
                     OR (v_value #>> '{}')::numeric <> trunc((v_value #>> '{}')::numeric)
                ELSE true END) THEN
            RAISE EXCEPTION 'invalid value for option "min_confidence": %', v_value
                USING ERRCODE = 'invalid_parameter_value',
                      DETAIL = 'The option min_confidence must be an integer between 0 and 100.';
        END IF;
        v_min_confidence := (v_value #>> '{}')::numeric::integer;
    END IF;

    v_value := p_options -> 'only_reviewed';
    IF v_value IS NOT NULL THEN
        IF jsonb_typeof(v_value) <> 'boolean' THEN
            RAISE EXCEPTION 'invalid value for option "only_reviewed": %', v_value
                USING ERRCODE = 'invalid_parameter_value',
                      DETAIL = 'The option only_reviewed must be true or false.';
        END IF;
        v_only_reviewed := (v_value #>> '{}')::boolean;
    END IF;

    v_value := p_options -> 'limit';
    IF v_value IS NOT NULL THEN
        IF (CASE WHEN jsonb_typeof(v_value) = 'number'
                THEN (v_value #>> '{}')::numeric NOT BETWEEN 1 AND 2147483647
                     OR (v_value #>> '{}')::numeric <> trunc((v_value #>> '{}')::numeric)
                ELSE true END) THEN
            RAISE EXCEPTION 'invalid value for option "limit": %', v_value
                USING ERRCODE = 'invalid_parameter_value',
                      DETAIL = 'The option limit must be a positive integer number of rows.';
        END IF;
        v_limit := (v_value #>> '{}')::numeric::integer;
    END IF;

    v_train_options := p_options - c_sql_keys;

    -- The C trainer's options are checked now, so that a bad one raises
    -- (naming the key) before anything is recorded, whatever the data.
    PERFORM @extschema@.intent_training_options(v_train_options);

    -- The policy comes from ai_training_policy; the pg_intent.* settings
    -- that 0.1.0 read from the caller's session no longer decide anything.
    v_policy := @extschema@._pg_intent_policy();
    IF cardinality(@extschema@._pg_intent_ignored_settings()) > 0 THEN
        RAISE WARNING 'pg_intent: % ignored', array_to_string(@extschema@._pg_intent_ignored_settings(), ', ')
            USING DETAIL = 'Since pg_intent 0.2.0 the training policy is the row of ai_training_policy, not session settings.',
                  HINT = 'An administrator changes it with UPDATE ai_training_policy SET ...';
    END IF;

    -- 2. one training at a time: a second caller fails at once. The lock is
    --    the extension's own (not an advisory key anyone could hold).
    IF NOT @extschema@._pg_intent_lock('training'::text, false) THEN
        SELECT l.pid INTO v_holder
          FROM pg_catalog.pg_locks AS l
         WHERE l.locktype OPERATOR(pg_catalog.=) 'object'
           AND l.classid OPERATOR(pg_catalog.=) 'pg_catalog.pg_extension'::regclass
           AND l.objid OPERATOR(pg_catalog.=) (SELECT e.oid FROM pg_catalog.pg_extension AS e
                                                WHERE e.extname OPERATOR(pg_catalog.=) 'pg_intent')
           AND l.objsubid OPERATOR(pg_catalog.=) 1 AND l.granted
         LIMIT 1;
        RAISE EXCEPTION 'another training run is in progress'
            USING ERRCODE = 'lock_not_available',
                  DETAIL = CASE WHEN v_holder IS NOT NULL
                                THEN format('Backend %s is training; its run is recorded in ai_training_runs when it commits.', v_holder)
                                ELSE 'Another session holds the training lock.' END,
                  HINT = 'Wait for it to finish (pg_stat_activity shows it), or cancel it with pg_cancel_backend().';
    END IF;

    -- 3. the run row; it stays (as failed) when training fails below.
    INSERT INTO @extschema@.ai_training_runs (run_name, run_type, status, model_config, started_at)
    VALUES (p_run_name, p_run_type, 'running', p_options, v_started)
    RETURNING id INTO v_run_id;

    BEGIN
        -- 4. the dataset, in a content-defined order so that the same rows
        --    give the same split and model.
        SELECT count(*)::integer,
               count(DISTINCT d.intent)::integer,
               array_agg(d.id ORDER BY d.user_message COLLATE "C", d.intent COLLATE "C", d.corrected_by_human DESC, d.id),
               array_agg(d.user_message ORDER BY d.user_message COLLATE "C", d.intent COLLATE "C", d.corrected_by_human DESC, d.id),
               array_agg(d.intent ORDER BY d.user_message COLLATE "C", d.intent COLLATE "C", d.corrected_by_human DESC, d.id),
               array_agg(CASE WHEN d.corrected_by_human THEN v_policy.corrected_weight ELSE 1::real END
                         ORDER BY d.user_message COLLATE "C", d.intent COLLATE "C", d.corrected_by_human DESC, d.id),
               array_agg(d.corrected_by_human ORDER BY d.user_message COLLATE "C", d.intent COLLATE "C", d.corrected_by_human DESC, d.id)
          INTO v_rows, v_intents, v_ids, v_texts, v_labels, v_weights, v_corrected
          FROM @extschema@.get_training_dataset(v_min_confidence, v_only_reviewed, v_limit) AS d;

        IF v_rows < v_policy.min_samples_for_training THEN
            RAISE EXCEPTION 'not enough training data: % usable rows, at least % needed', v_rows, v_policy.min_samples_for_training
                USING ERRCODE = 'invalid_parameter_value',
                      HINT = 'Record more interactions, or lower ai_training_policy.min_samples_for_training.';
        END IF;
        IF v_intents < 2 THEN
            RAISE EXCEPTION 'not enough training data: % distinct intents, at least 2 needed', v_intents
                USING ERRCODE = 'invalid_parameter_value',
                      HINT = 'A classifier needs examples of at least two intents.';
        END IF;
        -- classify_intent() answers 'uncertain' below the threshold: an
        -- intent of that name would make its answers ambiguous.
        IF 'uncertain' = ANY (v_labels) THEN
            RAISE EXCEPTION 'invalid intent name "uncertain"'
                USING ERRCODE = 'invalid_parameter_value',
                      DETAIL = format('%s usable rows are labelled "uncertain", which classify_intent() returns for predictions below the abstain threshold.',
                                      (SELECT count(*) FROM unnest(v_labels) AS l WHERE l = 'uncertain')),
                      HINT = 'Relabel those rows (submit_intent_correction()) or reject them.';
        END IF;

        -- 5. train; the active model is scored on the same test rows.
        SELECT m.id, m.model INTO v_active_id, v_active_model
          FROM @extschema@.ai_intent_models AS m
         WHERE m.is_active;

        SELECT t.model, t.report INTO v_model, v_report
          FROM @extschema@._pg_intent_train(v_texts, v_labels, v_weights, v_corrected,
                                             v_train_options, v_active_model) AS t;

        -- 6. the deploy rule.
        v_f1 := coalesce(v_report -> 'metrics' ->> 'f1', v_report -> 'metrics' ->> 'macro_f1')::double precision;
        IF v_active_id IS NOT NULL THEN
            v_baseline_f1 := coalesce(v_report -> 'baseline_metrics' ->> 'f1',
                                      v_report -> 'baseline_metrics' ->> 'macro_f1')::double precision;
        END IF;
        IF v_deploy_mode = 'never' THEN
            v_deploy := false;
            v_reason := 'never';
        ELSIF v_deploy_mode = 'always' THEN
            v_deploy := true;
            v_reason := 'manual';
        ELSIF v_active_id IS NULL THEN
            v_deploy := true;
            v_reason := 'first';
        ELSIF coalesce((v_report ->> 'test_samples')::integer, 0) = 0 THEN
            -- nothing to compare on: an untested model never replaces one
            v_deploy := false;
            v_reason := 'untested';
        ELSIF v_f1 >= coalesce(v_baseline_f1, 0) - v_policy.max_f1_regression THEN
            v_deploy := true;
            v_reason := CASE WHEN v_f1 > coalesce(v_baseline_f1, 0) THEN 'improved' ELSE 'within_tolerance' END;
        ELSE
            v_deploy := false;
            v_reason := 'regression';
        END IF;

        -- 7. the model row, under a version unique even for two runs in one second.
        v_version := 'v' || to_char(clock_timestamp(), 'YYYYMMDD_HH24MISS');
        WHILE EXISTS (SELECT 1 FROM @extschema@.ai_intent_models AS m
                       WHERE m.version = v_version || CASE WHEN v_suffix > 1 THEN '_' || v_suffix ELSE '' END) LOOP
            v_suffix := v_suffix + 1;
        END LOOP;
        IF v_suffix > 1 THEN
            v_version := v_version || '_' || v_suffix;
        END IF;

        INSERT INTO @extschema@.ai_intent_models (
            version, run_id, algorithm, model, size_bytes, sha256, intents, metrics, confidence_threshold)
        VALUES (
            v_version, v_run_id,
            coalesce(v_report -> 'options' ->> 'algorithm', 'unknown'),
            v_model, octet_length(v_model), encode(sha256(v_model), 'hex'),
            ARRAY(SELECT jsonb_array_elements_text(v_report -> 'intents')),
            coalesce(v_report -> 'metrics', '{}'::jsonb)
                || jsonb_build_object('threshold', v_report -> 'threshold',
                                      'calibration', v_report -> 'metrics' -> 'calibration'),
            (v_report -> 'threshold' ->> 'value')::double precision)
        RETURNING id INTO v_model_id;

        -- Deploy only if the active model is still the baseline this run was
        -- compared with: a deploy or rollback made while it trained wins.
        IF v_deploy THEN
            PERFORM @extschema@._pg_intent_lock('deployment'::text, true);
            SELECT m.id INTO v_current_active FROM @extschema@.ai_intent_models AS m WHERE m.is_active;
            IF v_deploy_mode <> 'always' AND v_current_active IS DISTINCT FROM v_active_id THEN
                v_deploy := false;
                v_reason := 'baseline_changed';
            ELSE
                PERFORM @extschema@._pg_intent_activate(v_model_id, v_reason, v_run_id);
            END IF;
        END IF;

        -- 8. the run row.
        v_duration := extract(epoch FROM clock_timestamp() - v_started);
        UPDATE @extschema@.ai_training_runs AS r
           SET status                   = 'completed',
               training_samples         = (v_report ->> 'training_samples')::integer,
               validation_samples       = (v_report ->> 'validation_samples')::integer,
               test_samples             = (v_report ->> 'test_samples')::integer,
               total_intents            = (v_report ->> 'total_intents')::integer,
               intent_accuracy          = (v_report -> 'metrics' ->> 'accuracy')::double precision,
               intent_precision         = coalesce(v_report -> 'metrics' ->> 'precision',
                                                   v_report -> 'metrics' ->> 'macro_precision')::double precision,
               intent_recall            = coalesce(v_report -> 'metrics' ->> 'recall',
                                                   v_report -> 'metrics' ->> 'macro_recall')::double precision,
               intent_f1_score          = v_f1,
               baseline_intent_accuracy = CASE WHEN v_active_id IS NOT NULL
                                               THEN (v_report -> 'baseline_metrics' ->> 'accuracy')::double precision END,
               baseline_f1_score        = v_baseline_f1,
               model_config             = coalesce(v_report -> 'options', '{}'::jsonb)
                                          || jsonb_build_object('deploy', v_deploy_mode,
                                                                'min_confidence', v_min_confidence,
                                                                'only_reviewed', v_only_reviewed,
                                                                'limit', v_limit),
               metrics                  = v_report,
               model_id                 = v_model_id,
               deployed                 = v_deploy,
               deploy_reason            = v_reason,
               finished_at              = clock_timestamp(),
               duration_seconds         = v_duration
         WHERE r.id = v_run_id;

        -- 9. which rows the run read, with the label it read for each. The
        --    data rows themselves are not touched: their review state
        --    (dataset_status) stays what reviewers set.
        INSERT INTO @extschema@.ai_training_run_rows (run_id, training_data_id, intent)
        SELECT v_run_id, u.id, u.label FROM unnest(v_ids, v_labels) AS u(id, label);
    EXCEPTION WHEN OTHERS THEN
        GET STACKED DIAGNOSTICS v_state = RETURNED_SQLSTATE, v_message = MESSAGE_TEXT,
                                v_detail = PG_EXCEPTION_DETAIL, v_hint = PG_EXCEPTION_HINT;
        -- Options were checked above, so whatever fails here (too little
        -- data after de-duplication, a training error) is a failed run: the
        -- run row stays and the previous model stays active.
        v_duration := extract(epoch FROM clock_timestamp() - v_started);
        UPDATE @extschema@.ai_training_runs AS r
           SET status           = 'failed',
               error            = v_message,
               metrics          = jsonb_strip_nulls(jsonb_build_object('error', jsonb_build_object(
                                      'sqlstate', v_state, 'message', v_message,
                                      'detail', nullif(v_detail, ''), 'hint', nullif(v_hint, '')),
                                      'rows_read', v_rows)),
               finished_at      = clock_timestamp(),
               duration_seconds = v_duration
         WHERE r.id = v_run_id;
        RETURN jsonb_build_object(
            'run_id', v_run_id,
            'status', 'failed',
            'error', v_message,
            'sqlstate', v_state,
            'training_samples', NULL, 'validation_samples', NULL, 'test_samples', NULL,
            'total_intents', NULL,
            'baseline_metrics', NULL, 'final_metrics', NULL, 'improvement', NULL,
            'deployed', false, 'deploy_reason', NULL,
            'model_id', NULL, 'model_version', NULL,
            'duration_seconds', v_duration);
    END;

    RETURN jsonb_build_object(
        'run_id', v_run_id,
        'status', 'completed',
        'training_samples', (v_report ->> 'training_samples')::integer,
        'validation_samples', (v_report ->> 'validation_samples')::integer,
        'test_samples', (v_report ->> 'test_samples')::integer,
        'total_intents', (v_report ->> 'total_intents')::integer,
        'baseline_metrics', CASE WHEN v_active_id IS NOT NULL
                                 THEN @extschema@._pg_intent_headline_metrics(v_report -> 'baseline_metrics') END,
        'final_metrics', @extschema@._pg_intent_headline_metrics(v_report -> 'metrics'),
        'improvement', v_f1 - v_baseline_f1,
        'deployed', v_deploy,
        'deploy_reason', v_reason,
        'model_id', v_model_id,
        'model_version', v_version,
        'duration_seconds', v_duration);
END
$$;
COMMENT ON FUNCTION @extschema@._pg_intent_train_run(text, text, jsonb) IS
    'Internal: the training run behind train_intent_model(), as the extension owner: reads the dataset, trains, applies the deploy rule of ai_training_policy and records the run.';

