-- Training runs: the entry point, the steps of a run (begin, record or
-- failed) that C calls around the C trainer (src/pg/train_run.cpp).
--
-- Privileges. Training changes what every session predicts, so it is
-- granted explicitly. train_intent_model() is a C function that runs as its
-- caller: it checks what only some callers may ask for (a {"deploy":
-- "always"} run needs the privilege to deploy) and then runs its run as
-- the extension owner with search_path pinned to pg_catalog, pg_temp
-- (src/pg/train_intent_model.cpp). The run reads and writes the
-- tables whatever the caller's table privileges or row-level security, takes
-- its policy from ai_training_policy (never from the caller's session), and
-- names every object by schema.

-- -------------------------------------------------------------------------
-- Internal helpers
-- -------------------------------------------------------------------------

-- The run new rows are counted from, for scheduled retraining and the
-- dashboards, of every classifier (intent's should_retrain() and
-- get_ai_training_metrics(), the others' retrain_classifiers(),
-- get_classifier_metrics() and the partitions train_classifier() skips):
-- the last COMPLETED run of that classifier (by id, ai_classifiers.id, 0
-- for intent: a dropped classifier's runs are not a new one's) and partition (NULL: the
-- unpartitioned or fallback model) that COULD DEPLOY, i.e. not a
-- {"deploy": "never"} run (deploy_reason never). A "never" run is an
-- experiment the README teaches for trying a candidate; it serves nothing,
-- so the rows it read are still new to what serves. 0.3.1 counted from
-- any completed run: one experiment reset the count and 168 new rows sat
-- unused until auto_retrain_threshold more arrived (issue 34, point 4).
-- A run that could deploy and did not (regression, tie) still counts: the
-- active model was weighed against those rows and kept. So does a "never"
-- run whose model was deployed by hand later (deployed_by_hand_at in its
-- metrics, written by _pg_intent_deploy_model(), src/sql/41_deploy.sql):
-- its model serves. So does a scheduled run of a classifier whose own
-- training options say "never" (scheduled_never_at, written by
-- _pg_intent_classifier_retrain_record(), 46_classifier_retraining.sql):
-- all its runs are such, none an experiment beside a model that serves,
-- and counted from none retrain_classifiers() trained it again at every
-- call. The marks are on the run's own row, so every caller that may read
-- the run reads them (no other table, no owner's rights).
CREATE OR REPLACE FUNCTION intent_internal._pg_intent_last_retraining_run(p_classifier_id bigint, p_partition text DEFAULT NULL)
RETURNS TABLE (run_id uuid, started_at timestamptz, metrics jsonb)
LANGUAGE sql STABLE PARALLEL SAFE
SET search_path = pg_catalog, pg_temp
AS $$
    SELECT r.id, r.started_at, r.metrics
      FROM @extschema@.ai_training_runs AS r
     WHERE r.classifier_id OPERATOR(pg_catalog.=) p_classifier_id
       AND (r.partition_key OPERATOR(pg_catalog.=) p_partition OR (p_partition IS NULL AND r.partition_key IS NULL))
       AND r.status OPERATOR(pg_catalog.=) 'completed'
       AND (r.deploy_reason IS DISTINCT FROM 'never' OR r.metrics OPERATOR(pg_catalog.?) 'deployed_by_hand_at'
            OR r.metrics OPERATOR(pg_catalog.?) 'scheduled_never_at')
     ORDER BY r.started_at DESC
     LIMIT 1
$$;
COMMENT ON FUNCTION intent_internal._pg_intent_last_retraining_run(bigint, text) IS
    'Internal: the run new rows are counted from (should_retrain(), retrain_classifiers(), the dashboards, train_classifier()''s skipped partitions): the last completed run of the classifier (by id: 0 is intent) and partition (NULL: unpartitioned or fallback) that could deploy, i.e. not a {"deploy": "never"} experiment, unless its model was deployed by hand later, or it was a scheduled run of a classifier whose own options say never (scheduled_never_at).';

-- The headline numbers of a metrics object of the training report, without
-- the bulky per-intent tables, for the jsonb that train_intent_model() returns.
-- C (headline_metrics(), src/pg/train_run.cpp), the one rule: each run's
-- result is given them by train_run() in C, with no call per run.
CREATE OR REPLACE FUNCTION intent_internal._pg_intent_headline_metrics(p_metrics jsonb)
RETURNS jsonb
AS 'MODULE_PATHNAME', 'pg_intent_headline_metrics'
LANGUAGE C IMMUTABLE PARALLEL SAFE;
COMMENT ON FUNCTION intent_internal._pg_intent_headline_metrics(jsonb) IS
    'Internal: keeps accuracy, precision, recall, f1, coverage and accepted_accuracy of a report metrics object (macro_precision etc. are read as precision etc.).';


-- Internal: trains on the given rows and scores the optional baseline model
-- on the same test split. Called by train_intent_model().
CREATE OR REPLACE FUNCTION intent_internal._pg_intent_train(
    p_texts text[], p_labels text[], p_weights real[], p_corrected boolean[],
    p_options jsonb, p_baseline bytea,
    OUT model bytea, OUT report jsonb)
RETURNS record
AS 'MODULE_PATHNAME', 'pg_intent_train'
LANGUAGE C VOLATILE PARALLEL UNSAFE;
COMMENT ON FUNCTION intent_internal._pg_intent_train(text[], text[], real[], boolean[], jsonb, bytea) IS
    'Internal: runs the training pipeline in the backend. Use train_intent_model().';

-- -------------------------------------------------------------------------
-- train_intent_model
-- -------------------------------------------------------------------------

-- The entry point (C): checks the caller's privileges for what the options
-- ask, then runs its one run as the extension owner (src/pg/train_run.cpp).
CREATE OR REPLACE FUNCTION @extschema@.train_intent_model(
    p_run_name text DEFAULT NULL,
    p_run_type text DEFAULT 'full',
    p_options jsonb DEFAULT '{}')
RETURNS jsonb
AS 'MODULE_PATHNAME', 'pg_intent_train_intent_model'
LANGUAGE C VOLATILE PARALLEL UNSAFE;
COMMENT ON FUNCTION @extschema@.train_intent_model(text, text, jsonb) IS
    'Trains an intent model from ai_training_data (options: deploy auto|never|always, min_confidence, only_reviewed, limit, plus the trainer''s options such as algorithm, C, word_ngram_max, seed), scores it against the active model, deploys it when the deploy rule of ai_training_policy allows, and returns the run result. {"deploy": "always"} needs EXECUTE on deploy_intent_model. Too little data gives a failed run, not an error.';

-- Takes the training or deployment lock of the built-in classifier intent
-- (C; see src/pg/extension_locks.cpp): only the extension's own functions
-- can take them.
CREATE OR REPLACE FUNCTION intent_internal._pg_intent_lock(p_lock text, p_wait boolean)
RETURNS boolean
AS 'MODULE_PATHNAME', 'pg_intent_lock'
LANGUAGE C VOLATILE PARALLEL UNSAFE;
COMMENT ON FUNCTION intent_internal._pg_intent_lock(text, boolean) IS
    'Internal: takes the training or deployment lock of the built-in classifier intent until the end of the transaction (p_wait false: returns false when another session holds it).';

-- A classifier's training lock and a training slot (C): 55P03 at once,
-- naming the pid of the backend that holds them, when another session
-- trains the classifier or max_concurrent_trainings trainings run.
CREATE OR REPLACE FUNCTION intent_internal._pg_intent_lock_training(p_classifier text, p_max_concurrent integer)
RETURNS void
AS 'MODULE_PATHNAME', 'pg_intent_lock_training'
LANGUAGE C VOLATILE PARALLEL UNSAFE;
COMMENT ON FUNCTION intent_internal._pg_intent_lock_training(text, integer) IS
    'Internal: takes the training lock of the classifier and one of p_max_concurrent training slots until the end of the transaction; 55P03 naming the holder''s pid when either is taken.';

-- Whether a pg_locks object lock on the extension's pg_extension entry with
-- that objsubid is a training slot: the C definition the slots are taken by
-- (is_training_slot_subid(), src/pg/extension_locks.h), so that SQL that
-- reads pg_locks (_pg_intent_retrain_failure_of()) never writes the range
-- again.
CREATE OR REPLACE FUNCTION intent_internal._pg_intent_is_training_slot(p_objsubid integer)
RETURNS boolean
AS 'MODULE_PATHNAME', 'pg_intent_is_training_slot'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION intent_internal._pg_intent_is_training_slot(integer) IS
    'Internal: whether an object lock on the extension''s pg_extension entry with this pg_locks objsubid is one of the training slots that max_concurrent_trainings bounds (the range the C code takes them in).';

-- A classifier's deployment lock (C): waits for it.
CREATE OR REPLACE FUNCTION intent_internal._pg_intent_lock_deployment(p_classifier text)
RETURNS void
AS 'MODULE_PATHNAME', 'pg_intent_lock_deployment'
LANGUAGE C VOLATILE PARALLEL UNSAFE;
COMMENT ON FUNCTION intent_internal._pg_intent_lock_deployment(text) IS
    'Internal: waits for the deployment lock of the classifier and holds it until the end of the transaction.';

-- The one order of a deployment's locks: the classifier's row (FOR KEY
-- SHARE, by id), then its deployment lock (by name). drop_classifier()
-- takes them in that order (the row FOR UPDATE), and a training holds the
-- row from its start (_pg_intent_train_classifier_start()), so a deployment
-- queues behind a drop instead of deadlocking with it: taken the other way
-- round (the lock first, the row when activating), a deploy and a waiting
-- drop_classifier() deadlocked (40P01, naming an "object" of "class" OIDs)
-- every time a transaction that had pruned, deleted or deployed deployed
-- again while the drop waited. Every deploy, rollback, prune, delete and
-- activation takes them here; no id (a dropped classifier's model) locks
-- no row.
CREATE OR REPLACE FUNCTION intent_internal._pg_intent_lock_classifier_deployment(p_classifier_id bigint, p_name text)
RETURNS void
LANGUAGE plpgsql VOLATILE PARALLEL UNSAFE
SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
    PERFORM FROM @extschema@.ai_classifiers AS x WHERE x.id OPERATOR(pg_catalog.=) p_classifier_id FOR KEY SHARE;
    PERFORM intent_internal._pg_intent_lock_deployment(p_name);
END
$$;
COMMENT ON FUNCTION intent_internal._pg_intent_lock_classifier_deployment(bigint, text) IS
    'Internal: locks the classifier''s row (FOR KEY SHARE, by id) and then waits for its deployment lock (by name), the one order every deployment takes them in; both held until the end of the transaction.';

-- The C step of a run: reads ai_training_data straight from the table,
-- trains, applies the deploy rule (src/core/deploy_rule.h), inserts the
-- run's rows and returns what the run's record reads as typed columns, or
-- why it refused the rows (see src/pg/train_entry.cpp; the columns are
-- checked against src/pg/train_result.h). Called from C by a run
-- (src/pg/train_run.cpp) only.
CREATE OR REPLACE FUNCTION intent_internal._pg_intent_train_table(
    p_run_id uuid, p_options jsonb, p_policy @extschema@.ai_training_policy,
    p_active_model_id bigint, p_active_run_id uuid, p_active_estimate double precision,
    p_classifier text, p_partition text,
    OUT model bytea, OUT report jsonb,
    OUT refusal text, OUT refusal_detail text, OUT refusal_hint text, OUT rows_read integer,
    OUT model_config jsonb, OUT model_metrics jsonb, OUT algorithm text, OUT intents text[],
    OUT threshold double precision, OUT evaluation_method text,
    OUT training_samples integer, OUT validation_samples integer, OUT test_samples integer,
    OUT total_intents integer, OUT intent_accuracy double precision, OUT intent_precision double precision,
    OUT intent_recall double precision, OUT intent_f1_score double precision,
    OUT deploy_mode text, OUT deploy boolean, OUT deploy_reason text, OUT deploy_evidence text,
    OUT candidate_f1 double precision, OUT baseline_f1 double precision,
    OUT baseline_accuracy double precision, OUT fresh_rows_right_more integer)
RETURNS record
AS 'MODULE_PATHNAME', 'pg_intent_train_table'
LANGUAGE C VOLATILE PARALLEL UNSAFE;
COMMENT ON FUNCTION intent_internal._pg_intent_train_table(uuid, jsonb, @extschema@.ai_training_policy, bigint, uuid, double precision, text, text) IS
    'Internal: trains the classifier (intent: ai_training_data read directly from the table, the rules of get_training_dataset(); another: the rows of the given partition that train_classifier() read, which it passes to the trainer itself: called from SQL, a classifier is refused) under the given policy row, applies the deploy rule, inserts the run''s rows (called by a run only) and returns the model, the report, and the figures and decision the run records, or why the rows were refused. Use train_intent_model() or train_classifier().';

-- Trains a model (intent: from ai_training_data) inside the database and
-- records the run.
-- Data or training failures give a failed run (returned, not raised); bad
-- arguments and options raise 22023 and record nothing. Runs as the
-- extension owner: train_intent_model() and train_classifier() run each
-- run's steps from C (train_run() in src/pg/train_run.cpp):
-- _pg_intent_train_run_begin(), the trainer (intent's rows from
-- ai_training_data, or the rows train_classifier() read),
-- _pg_intent_train_run_record() or _failed().
--
-- C decides, SQL records: _pg_intent_train_table() reads the rows, trains
-- and applies the deploy rule (stated in src/core/deploy_rule.h, with the
-- policy's max_f1_regression) and inserts the run's rows in batches; the
-- record step takes the locks, inserts the model and activates. A deploy happens only if the active model is still the
-- one compared with (baseline_changed otherwise), which only the deployment
-- lock below can tell.
--
-- Rows the trainer refuses (too few, a single intent) give a failed run
-- whose sqlstate is PI001, a code of its own: 22023 is a bad parameter.
--
-- The run takes its policy as an argument: the effective policy row and,
-- for a classifier, its training options, read once by the call that
-- starts the runs (train_classifier(): _pg_intent_classifier_for_training();
-- train_intent_model(): _pg_intent_classifier_policy() and
-- _pg_intent_classifier_training_options()). So every run of one
-- call follows the policy of that call's start, whatever an administrator
-- commits meanwhile. It records floats (the policy's max_f1_regression, the
-- F1 scores) in jsonb, so it pins extra_float_digits: a caller's -15 wrote
-- 0.0125 as 0.01.
CREATE OR REPLACE FUNCTION intent_internal._pg_intent_run_error_raised_again(p_state text)
RETURNS boolean
LANGUAGE sql IMMUTABLE PARALLEL SAFE
SET search_path = pg_catalog, pg_temp
AS $$ SELECT p_state IN ('57014', '57P01', '40001', '40P01', '55P03') $$;
COMMENT ON FUNCTION intent_internal._pg_intent_run_error_raised_again(text) IS
    'Internal: whether an error that ends a training run is raised again (a cancel, a timeout, a termination, a serialization failure, a deadlock, a lock timeout: callers retry by SQLSTATE) rather than recorded as a failed run.';

-- The first part of a run: checks its arguments and options, takes the
-- classifier's training lock and a training slot, records the run as
-- running and names the active model it is compared with. Errors here raise
-- and record nothing.
CREATE OR REPLACE FUNCTION intent_internal._pg_intent_train_run_begin(
    p_run_name text, p_run_type text, p_options jsonb, p_classifier text, p_partition text, p_batch uuid,
    p_policy @extschema@.ai_training_policy, p_classifier_options jsonb,
    OUT run_id uuid, OUT options jsonb, OUT started timestamptz, OUT classifier_id bigint,
    OUT active_id bigint, OUT active_run uuid, OUT active_estimate double precision)
RETURNS record
LANGUAGE plpgsql VOLATILE PARALLEL UNSAFE
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    c_policy_keys CONSTANT text[] := ARRAY['min_gate_rows', 'out_of_scope_intent', 'out_of_scope_mode'];
    v_started timestamptz := clock_timestamp();
    v_run_id uuid;
    v_policy @extschema@.ai_training_policy := p_policy;
    v_options jsonb := p_options;
    v_builtin boolean := p_classifier = 'intent';
    -- the classifier's id, recorded with the run and the model (issue 31
    -- item 6: they belong to the id; a name passes to the next classifier)
    v_classifier_id bigint;
    v_active_id bigint;
    v_active_run uuid;
    v_active_estimate double precision;
BEGIN
    -- 1. arguments and options. train_intent_model() has parsed and
    --    validated the options already (as its caller, with the one parser
    --    of training options: a bad key raised 22023 naming it, and nothing
    --    was recorded); the trainer applies the policy to them.
    IF p_run_type IS NULL THEN
        RAISE EXCEPTION USING MESSAGE = intent_internal._pg_intent_error_words('p_run_type must not be null'), ERRCODE = 'null_value_not_allowed';
    END IF;
    IF p_run_type NOT IN ('full', 'incremental', 'intent_only') THEN
        RAISE EXCEPTION USING MESSAGE = intent_internal._pg_intent_error_words('invalid value for parameter "p_run_type": "%s"', p_run_type),
                   ERRCODE = 'invalid_parameter_value',
                  DETAIL = intent_internal._pg_intent_error_words('The run type must be full, incremental or intent_only.');
    END IF;
    IF p_options IS NULL THEN
        RAISE EXCEPTION USING MESSAGE = intent_internal._pg_intent_error_words('p_options must not be null'), ERRCODE = 'null_value_not_allowed',
            HINT = intent_internal._pg_intent_error_words('Pass ''{}'' for the default options.');
    END IF;
    -- The run's name is recorded with the run and shown by the dashboards
    -- and reports: bounded, as a review's reason is (0.3.2 before this
    -- recorded a 100 MB name).
    IF octet_length(p_run_name) > 1024 THEN
        RAISE EXCEPTION USING MESSAGE = intent_internal._pg_intent_error_words('invalid value for parameter "%s": the text is too long', 'p_run_name'),
                   ERRCODE = 'invalid_parameter_value',
                   DETAIL = intent_internal._pg_intent_error_words('It has %s bytes; a run''s name has at most 1024.', octet_length(p_run_name));
    END IF;

    -- What decides deployments, and what the data means, is the policy's:
    -- a caller's options cannot set it.
    IF p_options ?| c_policy_keys THEN
        RAISE EXCEPTION USING MESSAGE = intent_internal._pg_intent_error_words('invalid training option "%s": it is set by the training policy', (SELECT k FROM jsonb_object_keys(p_options) AS k WHERE k = ANY (c_policy_keys) ORDER BY k LIMIT 1)),
                   ERRCODE = 'invalid_parameter_value',
                  HINT = intent_internal._pg_intent_error_words('An administrator changes it with UPDATE ai_training_policy SET ...');
    END IF;
    -- The policy row, read by the caller (see above): the trainer takes it
    -- whole. A classifier's training options come before the caller's (the
    -- built-in classifier has none: _pg_intent_classifier_training_options()).
    v_options := coalesce(p_classifier_options, '{}'::jsonb) || p_options;
    -- A policy that trains on reviewed rows only holds for every run, the
    -- scheduled ones included; a caller asking for the unreviewed rows too
    -- is told so rather than silently given something else.
    IF v_policy.only_reviewed AND v_options -> 'only_reviewed' OPERATOR(pg_catalog.=) 'false'::jsonb THEN
        RAISE EXCEPTION USING MESSAGE = intent_internal._pg_intent_error_words('invalid training option "only_reviewed": the training policy trains on reviewed rows only'),
                   ERRCODE = 'invalid_parameter_value',
                  HINT = intent_internal._pg_intent_error_words('Leave the option out; an administrator changes the policy with UPDATE ai_training_policy SET only_reviewed = false.');
    END IF;

    -- The pg_intent.* settings that 0.1.0 read from the caller's session no
    -- longer decide anything.
    IF v_builtin AND cardinality(intent_internal._pg_intent_ignored_settings()) > 0 THEN
        RAISE WARNING 'pg_intent: % ignored', array_to_string(intent_internal._pg_intent_ignored_settings(), ', ')
            USING DETAIL = intent_internal._pg_intent_error_words('Since pg_intent 0.2.0 the training policy is the row of ai_training_policy, not session settings.'),
                  HINT = intent_internal._pg_intent_error_words('An administrator changes it with UPDATE ai_training_policy SET ...');
    END IF;

    -- 2. one training per classifier at a time, and at most the policy's
    --    max_concurrent_trainings in all: a second caller fails at once
    --    (55P03 naming the holder's pid). The locks are the extension's own
    --    (not advisory keys anyone could hold), and per classifier: an idle
    --    transaction that trained one classifier blocks no other. The runs
    --    of a train_classifier() call (p_batch given) hold them from the
    --    call's start (_pg_intent_train_classifier_start()), once per call.
    IF p_batch IS NULL THEN
        PERFORM intent_internal._pg_intent_lock_training(p_classifier, v_policy.max_concurrent_trainings);
    END IF;

    -- 3. the run row; it stays (as failed) when training fails below.
    --    train_classifier() holds the classifier's row (FOR KEY SHARE), so
    --    the name still means the classifier it checked.
    SELECT c.id INTO v_classifier_id FROM @extschema@.ai_classifiers AS c WHERE c.name = p_classifier;
    IF NOT FOUND THEN
        RAISE EXCEPTION USING MESSAGE = intent_internal._pg_intent_error_words('classifier "%s" does not exist', p_classifier), ERRCODE = 'undefined_object';
    END IF;
    INSERT INTO @extschema@.ai_training_runs (run_name, run_type, status, model_config, started_at,
                                              classifier, partition_key, batch_id, classifier_id)
    VALUES (p_run_name, p_run_type, 'running', v_options, v_started, p_classifier, p_partition, p_batch, v_classifier_id)
    RETURNING id INTO v_run_id;

    -- 4. read, train and decide; the active model and what it trained on
    --    give the gate its fresh rows, its recorded F1 the estimate: its
    --    run's intent_f1_score, else the model's (_pg_intent_model_f1()).
    SELECT m.id, m.run_id,
           coalesce(r.intent_f1_score, intent_internal._pg_intent_model_f1(m.metrics)::double precision)
      INTO v_active_id, v_active_run, v_active_estimate
      FROM @extschema@.ai_intent_models AS m
      LEFT JOIN @extschema@.ai_training_runs AS r ON r.id OPERATOR(pg_catalog.=) m.run_id
     WHERE m.is_active AND m.classifier = p_classifier AND m.partition_key IS NOT DISTINCT FROM p_partition
       AND m.classifier_id = v_classifier_id;
    -- The active model's run names no fresh rows once its recorded keys
    -- name other rows (a key_column or source changed since:
    -- _pg_intent_run_keys_current()): out-of-fold estimates instead
    -- (fresh_rows_rule none).
    IF NOT v_builtin AND v_active_run IS NOT NULL
       AND NOT intent_internal._pg_intent_run_keys_current(v_active_run) THEN
        v_active_run := NULL;
    END IF;

    run_id := v_run_id;
    options := v_options;
    started := v_started;
    classifier_id := v_classifier_id;
    active_id := v_active_id;
    active_run := v_active_run;
    active_estimate := v_active_estimate;
END
$$;
COMMENT ON FUNCTION intent_internal._pg_intent_train_run_begin(text, text, jsonb, text, text, uuid, @extschema@.ai_training_policy, jsonb) IS
    'Internal: the start of one training run, as the extension owner, under the policy its caller read once: checks the arguments and options, takes the training lock and a slot (a train_classifier() call, p_batch given, took them at its start), records the run as running, and returns its id, its options and the active model it is compared with.';

-- The record of a trained run: the trainer's result t (the row of
-- _pg_intent_train_table()'s columns), its model row, the deploy and the run
-- row; the trainer has inserted the run's rows (run_rows.cpp). Refused rows
-- (t.refusal) raise PI001 here. Its caller, train_run() (src/pg/train_run.cpp),
-- runs the trainer and this function in one subtransaction: an error in
-- either rolls back both and records a failed run
-- (_pg_intent_train_run_failed()); p_extra is merged into the run's metrics
-- either way: a classifier's call puts in it the limits of its policy
-- (_pg_intent_policy_limits(), computed once per call). The result's
-- final_metrics are C's (headline_metrics(), src/pg/train_run.cpp).
CREATE OR REPLACE FUNCTION intent_internal._pg_intent_train_run_record(
    p_run_id uuid, p_started timestamptz, p_classifier text, p_partition text, p_batch uuid,
    p_classifier_id bigint, p_active_id bigint, p_policy @extschema@.ai_training_policy, p_extra jsonb,
    t record)
RETURNS jsonb
LANGUAGE plpgsql VOLATILE PARALLEL UNSAFE
SET search_path = pg_catalog, pg_temp
SET extra_float_digits = 1
-- Generic plans: a custom plan makes t.model a constant, which the planner
-- decompresses and copies (the trainer returns it compressed, as the model
-- column stores it; train_result.cpp), twice the model's size per statement.
SET plan_cache_mode = force_generic_plan
AS $$
DECLARE
    v_run_id uuid := p_run_id;
    v_started timestamptz := p_started;
    v_policy @extschema@.ai_training_policy := p_policy;
    v_builtin boolean := p_classifier = 'intent';
    v_classifier_id bigint := p_classifier_id;
    v_active_id bigint := p_active_id;
    v_deploy boolean;
    v_reason text;
    v_current_active bigint;
    v_model_id bigint;
    v_version text;
    v_suffix integer := 1;
    v_duration double precision;
BEGIN
    BEGIN
        IF t.refusal IS NOT NULL THEN
            RAISE EXCEPTION USING ERRCODE = 'PI001', MESSAGE = t.refusal,
                DETAIL = coalesce(t.refusal_detail, ''), HINT = coalesce(t.refusal_hint, '');
        END IF;
        v_deploy := t.deploy;
        v_reason := t.deploy_reason;

        -- 5. the model row, under a version unique even for two runs in one second.
        -- A classifier's versions are prefixed with its name and partition.
        -- The time is UTC, never the caller's TimeZone (an offset, so no
        -- zone name is looked up in the caller's timezone_abbreviations).
        v_version := CASE WHEN v_builtin THEN '' ELSE p_classifier || coalesce('/' || p_partition, '') || '/' END
                     || 'v' || to_char(clock_timestamp() AT TIME ZONE INTERVAL '+00:00', 'YYYYMMDD_HH24MISS');
        WHILE EXISTS (SELECT 1 FROM @extschema@.ai_intent_models AS m
                       WHERE m.version = v_version || CASE WHEN v_suffix > 1 THEN '_' || v_suffix ELSE '' END) LOOP
            v_suffix := v_suffix + 1;
        END LOOP;
        IF v_suffix > 1 THEN
            v_version := v_version || '_' || v_suffix;
        END IF;
        -- The model is named once, in a subquery: t.model stays a parameter
        -- (the function's generic plans), passed on compressed as the
        -- trainer returned it, never a constant of the megabytes.
        -- Its sha256 is the digest trigger's (ai_intent_models_set_digest,
        -- 10_triggers.sql), computed once; only where that trigger does not
        -- fire (session_replication_role = replica) is it computed here.
        INSERT INTO @extschema@.ai_intent_models (
            version, run_id, algorithm, model, size_bytes, sha256, intents, metrics, confidence_threshold,
            classifier, partition_key, classifier_id)
        SELECT v_version, v_run_id, t.algorithm,
               b.model, octet_length(b.model), CASE WHEN current_setting('session_replication_role') = 'replica' THEN encode(sha256(b.model), 'hex') END,
               t.intents, t.model_metrics, t.threshold, p_classifier, p_partition, v_classifier_id
          FROM (SELECT t.model OFFSET 0) AS b (model)
        RETURNING id INTO v_model_id;

        -- Deploy only if the active model is still the baseline this run was
        -- compared with: a deploy or rollback made while it trained wins.
        IF v_deploy THEN
            PERFORM intent_internal._pg_intent_lock_classifier_deployment(v_classifier_id, p_classifier);
            SELECT m.id INTO v_current_active FROM @extschema@.ai_intent_models AS m
             WHERE m.is_active AND m.classifier = p_classifier AND m.partition_key IS NOT DISTINCT FROM p_partition;
            IF t.deploy_mode <> 'always' AND v_current_active IS DISTINCT FROM v_active_id THEN
                v_deploy := false;
                v_reason := 'baseline_changed';
            ELSE
                PERFORM intent_internal._pg_intent_activate(v_model_id, v_reason, v_run_id);
            END IF;
        END IF;

        -- 6. the run row.
        v_duration := extract(epoch FROM clock_timestamp() - v_started);
        UPDATE @extschema@.ai_training_runs AS r
           SET status                   = 'completed',
               training_samples         = t.training_samples,
               validation_samples       = t.validation_samples,
               test_samples             = t.test_samples,
               total_intents            = t.total_intents,
               intent_accuracy          = t.intent_accuracy,
               intent_precision         = t.intent_precision,
               intent_recall            = t.intent_recall,
               intent_f1_score          = t.intent_f1_score,
               baseline_intent_accuracy = t.baseline_accuracy,
               baseline_f1_score        = t.baseline_f1,
               model_config             = t.model_config,
               metrics                  = t.report || jsonb_build_object('deploy', jsonb_build_object(
                                              'evidence', t.deploy_evidence, 'reason', v_reason, 'deployed', v_deploy,
                                              'candidate_f1', t.candidate_f1, 'baseline_f1', t.baseline_f1,
                                              'max_f1_regression', v_policy.max_f1_regression,
                                              'fresh_rows_right_more', t.fresh_rows_right_more,
                                              'active_model_id', v_active_id)
                                              -- a partition's first model against the fallback: the
                                              -- run whose out-of-fold answers it was weighed on
                                              || CASE WHEN t.deploy_evidence IN ('fallback_rows', 'fallback_estimates')
                                                      THEN jsonb_build_object('fallback_run_id',
                                                          (SELECT f.id FROM @extschema@.ai_training_runs AS f
                                                            WHERE f.batch_id = p_batch AND f.partition_key IS NULL
                                                              AND f.classifier_id = v_classifier_id LIMIT 1))
                                                      ELSE '{}'::jsonb END)
                                          || coalesce(p_extra, '{}'::jsonb),
               model_id                 = v_model_id,
               deployed                 = v_deploy,
               deploy_reason            = v_reason,
               deploy_evidence          = t.deploy_evidence,
               finished_at              = clock_timestamp(),
               duration_seconds         = v_duration
         WHERE r.id = v_run_id;
    END;

    RETURN CASE WHEN v_builtin THEN '{}'::jsonb
                ELSE jsonb_build_object('classifier', p_classifier, 'partition', p_partition) END
           || jsonb_build_object(
        'run_id', v_run_id,
        'status', 'completed',
        'training_samples', t.training_samples,
        'validation_samples', t.validation_samples,
        'test_samples', t.test_samples,
        'total_intents', t.total_intents,
        'evaluation', t.evaluation_method,
        'baseline_metrics', CASE WHEN t.baseline_f1 IS NOT NULL
                                 THEN jsonb_strip_nulls(jsonb_build_object('f1', t.baseline_f1, 'accuracy', t.baseline_accuracy)) END,
        'improvement', t.candidate_f1 - t.baseline_f1,
        'deployed', v_deploy,
        'deploy_reason', v_reason,
        'deploy_evidence', t.deploy_evidence,
        'model_id', v_model_id,
        'model_version', v_version,
        'duration_seconds', v_duration);
END
$$;
COMMENT ON FUNCTION intent_internal._pg_intent_train_run_record(uuid, timestamptz, text, text, uuid, bigint, bigint, @extschema@.ai_training_policy, jsonb, record) IS
    'Internal: records a trained run, as the extension owner: the model row, the deploy (only if the active model is still the one compared with) and the run row, with p_extra in its metrics (for a classifier''s run, the policy limits its call computed once; the trainer inserted the run''s rows); refused rows raise PI001, and its caller records a failed run for them or any error. Returns the run''s result, whose final_metrics its caller adds.';

-- A failed run: the error is recorded with the run row, which stays, and the
-- previous model stays active (refused rows: PI001, with the count of rows
-- read; a training error). p_extra is merged into the run's metrics (a
-- classifier's call puts its policy's limits in it, computed once per call;
-- p_policy is no longer read). Returns the run's result.
CREATE OR REPLACE FUNCTION intent_internal._pg_intent_train_run_failed(
    p_run_id uuid, p_started timestamptz, p_classifier text, p_partition text,
    p_policy @extschema@.ai_training_policy, p_state text, p_message text, p_detail text, p_hint text,
    p_rows integer, p_extra jsonb)
RETURNS jsonb
LANGUAGE plpgsql VOLATILE PARALLEL UNSAFE
SET search_path = pg_catalog, pg_temp
SET extra_float_digits = 1
AS $$
DECLARE
    v_run_id uuid := p_run_id;
    v_started timestamptz := p_started;
    v_builtin boolean := p_classifier = 'intent';
    v_state text := p_state;
    v_message text := p_message;
    v_detail text := p_detail;
    v_hint text := p_hint;
    v_rows integer := p_rows;
    v_duration double precision;
BEGIN
    v_duration := extract(epoch FROM clock_timestamp() - v_started);
    UPDATE @extschema@.ai_training_runs AS r
       SET status           = 'failed',
           error            = v_message,
           metrics          = jsonb_strip_nulls(jsonb_build_object('error', jsonb_build_object(
                                  'sqlstate', v_state, 'message', v_message,
                                  'detail', nullif(v_detail, ''), 'hint', nullif(v_hint, '')),
                                  'rows_read', v_rows))
                              || coalesce(p_extra, '{}'::jsonb),
           finished_at      = clock_timestamp(),
           duration_seconds = v_duration
     WHERE r.id = v_run_id;
    RETURN CASE WHEN v_builtin THEN '{}'::jsonb
                ELSE jsonb_build_object('classifier', p_classifier, 'partition', p_partition) END
           || jsonb_build_object(
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
END
$$;
COMMENT ON FUNCTION intent_internal._pg_intent_train_run_failed(uuid, timestamptz, text, text, @extschema@.ai_training_policy, text, text, text, text, integer, jsonb) IS
    'Internal: records a failed training run, as the extension owner (the error, the rows read, and p_extra: for a classifier''s run, the policy limits its call computed once), and returns the run''s result.';

