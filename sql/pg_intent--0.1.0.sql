\echo Use "CREATE EXTENSION pg_intent" to load this file. \quit

-- Tables of the training loop. Names and columns follow the seed system's
-- Supabase schema so that existing dashboards and queries keep working.
-- Every table holds user data, so each one (and each sequence) is marked with
-- pg_extension_config_dump() and pg_dump keeps its rows.

-- -------------------------------------------------------------------------
-- Generic trigger functions (plain plpgsql, no C dependency)
-- -------------------------------------------------------------------------

-- Keeps updated_at current on every UPDATE.
CREATE FUNCTION @extschema@._pg_intent_touch_updated_at()
RETURNS trigger
LANGUAGE plpgsql VOLATILE PARALLEL UNSAFE
AS $$
BEGIN
    NEW.updated_at := now();
    RETURN NEW;
END
$$;
COMMENT ON FUNCTION @extschema@._pg_intent_touch_updated_at() IS
    'Internal: trigger that sets updated_at to now() on every update.';
REVOKE ALL ON FUNCTION @extschema@._pg_intent_touch_updated_at() FROM PUBLIC;

-- Derives was_mismatch from the two intents so callers cannot get it wrong.
CREATE FUNCTION @extschema@._pg_intent_set_was_mismatch()
RETURNS trigger
LANGUAGE plpgsql VOLATILE PARALLEL UNSAFE
AS $$
BEGIN
    NEW.was_mismatch := NEW.original_intent IS DISTINCT FROM NEW.corrected_intent;
    RETURN NEW;
END
$$;
COMMENT ON FUNCTION @extschema@._pg_intent_set_was_mismatch() IS
    'Internal: trigger that sets ai_intent_corrections.was_mismatch to whether the corrected intent differs from the original one.';
REVOKE ALL ON FUNCTION @extschema@._pg_intent_set_was_mismatch() FROM PUBLIC;

-- -------------------------------------------------------------------------
-- ai_training_data: every interaction the assistant handled
-- -------------------------------------------------------------------------
CREATE TABLE @extschema@.ai_training_data (
    id                 uuid        PRIMARY KEY DEFAULT gen_random_uuid(),
    conversation_id    uuid,
    message_id         uuid,
    user_id            uuid,
    user_message       text        NOT NULL,
    detected_intent    text,
    correct_intent     text,
    ai_response        text,
    correct_response   text,
    confidence_score   integer
        CONSTRAINT ai_training_data_confidence_score_check
        CHECK (confidence_score BETWEEN 0 AND 100),
    corrected_by_human boolean     NOT NULL DEFAULT false,
    intent_correct     boolean,
    escalated          boolean     NOT NULL DEFAULT false,
    should_escalate    boolean,
    response_source    text,
    dataset_status     text        NOT NULL DEFAULT 'pending'
        CONSTRAINT ai_training_data_dataset_status_check
        CHECK (dataset_status IN ('pending', 'reviewed', 'approved', 'rejected', 'used_in_training')),
    category           text,
    source             text        NOT NULL DEFAULT 'live'
        CONSTRAINT ai_training_data_source_check
        CHECK (source IN ('live', 'imported', 'synthetic')),
    quality_score      smallint
        CONSTRAINT ai_training_data_quality_score_check
        CHECK (quality_score BETWEEN 1 AND 5),
    user_feedback      text,
    evaluated_at       timestamptz,
    corrected_by       uuid,
    corrected_at       timestamptz,
    model_id           bigint,
    created_at         timestamptz NOT NULL DEFAULT now(),
    updated_at         timestamptz NOT NULL DEFAULT now()
);
COMMENT ON TABLE @extschema@.ai_training_data IS
    'One row per assistant interaction: the user message, the detected intent and response, and the human review. The source of every training dataset.';
COMMENT ON COLUMN @extschema@.ai_training_data.conversation_id IS
    'Conversation in the application (no foreign key: the application''s tables are unknown).';
COMMENT ON COLUMN @extschema@.ai_training_data.message_id IS
    'Message in the application (no foreign key).';
COMMENT ON COLUMN @extschema@.ai_training_data.user_id IS
    'End user in the application (no foreign key).';
COMMENT ON COLUMN @extschema@.ai_training_data.user_message IS
    'The user''s message as received.';
COMMENT ON COLUMN @extschema@.ai_training_data.detected_intent IS
    'Intent the assistant detected; NULL when none was detected.';
COMMENT ON COLUMN @extschema@.ai_training_data.correct_intent IS
    'Intent given by a human reviewer; when set it is the training label.';
COMMENT ON COLUMN @extschema@.ai_training_data.confidence_score IS
    'Confidence of the detected intent, 0 to 100.';
COMMENT ON COLUMN @extschema@.ai_training_data.corrected_by_human IS
    'True once a human submitted a correction; such rows get pg_intent.corrected_weight in training.';
COMMENT ON COLUMN @extschema@.ai_training_data.intent_correct IS
    'Whether the detected intent was right according to a reviewer; NULL means not reviewed.';
COMMENT ON COLUMN @extschema@.ai_training_data.escalated IS
    'Whether the conversation was handed to a human agent.';
COMMENT ON COLUMN @extschema@.ai_training_data.should_escalate IS
    'Reviewer''s opinion on whether it should have been escalated.';
COMMENT ON COLUMN @extschema@.ai_training_data.response_source IS
    'Where the response came from (e.g. template, llm, faq), as reported by the application.';
COMMENT ON COLUMN @extschema@.ai_training_data.dataset_status IS
    'Curation state: pending, reviewed, approved, rejected (never used for training) or used_in_training.';
COMMENT ON COLUMN @extschema@.ai_training_data.source IS
    'Origin of the row: live traffic, imported dataset or synthetic example.';
COMMENT ON COLUMN @extschema@.ai_training_data.quality_score IS
    'Quality of the interaction, 1 (bad) to 5 (good), judged from the user''s next message.';
COMMENT ON COLUMN @extschema@.ai_training_data.model_id IS
    'The ai_intent_models row that made the prediction (no foreign key, so old models can be deleted).';

CREATE INDEX ai_training_data_detected_intent_idx ON @extschema@.ai_training_data (detected_intent);
CREATE INDEX ai_training_data_correct_intent_idx ON @extschema@.ai_training_data (correct_intent);
CREATE INDEX ai_training_data_dataset_status_idx ON @extschema@.ai_training_data (dataset_status);
CREATE INDEX ai_training_data_corrected_by_human_idx ON @extschema@.ai_training_data (corrected_by_human);
CREATE INDEX ai_training_data_created_at_idx ON @extschema@.ai_training_data (created_at);

-- The WHEN clause is evaluated without calling PL/pgSQL: a row whose new
-- updated_at already is now() (what the function would write) skips the
-- call, so train_intent_model() marking thousands of rows used_in_training
-- stays cheap, and any other value is still overwritten.
CREATE TRIGGER ai_training_data_touch_updated_at
    BEFORE UPDATE ON @extschema@.ai_training_data
    FOR EACH ROW WHEN (NEW.updated_at IS DISTINCT FROM pg_catalog.now())
    EXECUTE FUNCTION @extschema@._pg_intent_touch_updated_at();

-- -------------------------------------------------------------------------
-- ai_intent_corrections: the audit trail of human corrections
-- -------------------------------------------------------------------------
CREATE TABLE @extschema@.ai_intent_corrections (
    id               uuid        PRIMARY KEY DEFAULT gen_random_uuid(),
    training_data_id uuid        NOT NULL
        REFERENCES @extschema@.ai_training_data (id) ON DELETE CASCADE,
    original_intent  text,
    corrected_intent text        NOT NULL,
    was_mismatch     boolean     NOT NULL DEFAULT false,
    notes            text,
    corrected_by     uuid,
    created_at       timestamptz NOT NULL DEFAULT now()
);
COMMENT ON TABLE @extschema@.ai_intent_corrections IS
    'One row per human intent correction, written by submit_intent_correction().';
COMMENT ON COLUMN @extschema@.ai_intent_corrections.original_intent IS
    'Intent the assistant had detected.';
COMMENT ON COLUMN @extschema@.ai_intent_corrections.corrected_intent IS
    'Intent the reviewer says is right.';
COMMENT ON COLUMN @extschema@.ai_intent_corrections.was_mismatch IS
    'Set by a trigger: true when the corrected intent differs from the original one.';
COMMENT ON COLUMN @extschema@.ai_intent_corrections.corrected_by IS
    'Reviewer in the application (no foreign key).';

CREATE INDEX ai_intent_corrections_training_data_id_idx
    ON @extschema@.ai_intent_corrections (training_data_id);
CREATE INDEX ai_intent_corrections_created_at_idx
    ON @extschema@.ai_intent_corrections (created_at);

CREATE TRIGGER ai_intent_corrections_set_was_mismatch
    BEFORE INSERT OR UPDATE OF original_intent, corrected_intent, was_mismatch
    ON @extschema@.ai_intent_corrections
    FOR EACH ROW EXECUTE FUNCTION @extschema@._pg_intent_set_was_mismatch();

-- -------------------------------------------------------------------------
-- ai_training_runs: one row per train_intent_model() call
-- -------------------------------------------------------------------------
CREATE TABLE @extschema@.ai_training_runs (
    id                       uuid        PRIMARY KEY DEFAULT gen_random_uuid(),
    run_name                 text,
    run_type                 text        NOT NULL DEFAULT 'full'
        CONSTRAINT ai_training_runs_run_type_check
        CHECK (run_type IN ('full', 'incremental', 'intent_only')),
    status                   text        NOT NULL DEFAULT 'running'
        CONSTRAINT ai_training_runs_status_check
        CHECK (status IN ('running', 'completed', 'failed')),
    error                    text,
    training_samples         integer,
    validation_samples       integer,
    test_samples             integer,
    total_intents            integer,
    intent_accuracy          double precision,
    intent_precision         double precision,
    intent_recall            double precision,
    intent_f1_score          double precision,
    baseline_intent_accuracy double precision,
    baseline_f1_score        double precision,
    model_config             jsonb       NOT NULL DEFAULT '{}',
    metrics                  jsonb,
    -- No foreign key: ai_intent_models.run_id already points here, and a
    -- cycle of foreign keys would break the ordering of pg_dump's data.
    model_id                 bigint,
    deployed                 boolean     NOT NULL DEFAULT false,
    deploy_reason            text
        CONSTRAINT ai_training_runs_deploy_reason_check
        CHECK (deploy_reason IN ('first', 'improved', 'within_tolerance', 'manual', 'regression', 'never')),
    started_at               timestamptz NOT NULL DEFAULT now(),
    finished_at              timestamptz,
    duration_seconds         double precision
);
COMMENT ON TABLE @extschema@.ai_training_runs IS
    'One row per training run: sizes, test metrics of the new model and of the baseline (the model active at the time), the full report and the deploy decision.';
COMMENT ON COLUMN @extschema@.ai_training_runs.run_type IS
    'full, incremental or intent_only, as requested; recorded for the dashboards (every type retrains from the current dataset).';
COMMENT ON COLUMN @extschema@.ai_training_runs.status IS
    'running while the run is in progress, then completed or failed.';
COMMENT ON COLUMN @extschema@.ai_training_runs.error IS
    'Why a failed run failed.';
COMMENT ON COLUMN @extschema@.ai_training_runs.intent_f1_score IS
    'Macro F1 of the new model on the test split.';
COMMENT ON COLUMN @extschema@.ai_training_runs.baseline_f1_score IS
    'Macro F1 of the previously active model on the same test rows; NULL when there was none.';
COMMENT ON COLUMN @extschema@.ai_training_runs.model_config IS
    'The options of the run: effective training options plus the SQL-level ones (deploy, min_confidence, only_reviewed, limit).';
COMMENT ON COLUMN @extschema@.ai_training_runs.metrics IS
    'The full training report: per-intent metrics, confusion matrix, misclassified samples, calibration, threshold, baseline metrics; for a failed run, the error.';
COMMENT ON COLUMN @extschema@.ai_training_runs.model_id IS
    'The ai_intent_models row this run produced.';
COMMENT ON COLUMN @extschema@.ai_training_runs.deploy_reason IS
    'first, improved, within_tolerance or manual when deployed; regression or never when not.';

CREATE INDEX ai_training_runs_started_at_idx ON @extschema@.ai_training_runs (started_at);
CREATE INDEX ai_training_runs_status_idx ON @extschema@.ai_training_runs (status);

-- -------------------------------------------------------------------------
-- ai_intent_models: the trained models
-- -------------------------------------------------------------------------
CREATE TABLE @extschema@.ai_intent_models (
    id                   bigserial   PRIMARY KEY,
    version              text        NOT NULL
        CONSTRAINT ai_intent_models_version_key UNIQUE,
    run_id               uuid
        REFERENCES @extschema@.ai_training_runs (id) ON DELETE SET NULL,
    algorithm            text        NOT NULL,
    model                bytea       NOT NULL,
    size_bytes           integer     NOT NULL,
    sha256               text        NOT NULL,
    intents              text[]      NOT NULL,
    metrics              jsonb,
    confidence_threshold double precision
        CONSTRAINT ai_intent_models_confidence_threshold_check
        CHECK (confidence_threshold BETWEEN 0 AND 1),
    is_active            boolean     NOT NULL DEFAULT false,
    created_at           timestamptz NOT NULL DEFAULT now(),
    deployed_at          timestamptz
);
COMMENT ON TABLE @extschema@.ai_intent_models IS
    'Trained intent models (serialized) with their test metrics. At most one row is active; predict_intent() and classify_intent() use it.';
COMMENT ON COLUMN @extschema@.ai_intent_models.version IS
    'Human-readable version, v<YYYYMMDD_HH24MISS> of the training time.';
COMMENT ON COLUMN @extschema@.ai_intent_models.algorithm IS
    'Learner used, e.g. linear_svm or logistic_regression.';
COMMENT ON COLUMN @extschema@.ai_intent_models.model IS
    'The serialized model; intent_model_info() describes it.';
COMMENT ON COLUMN @extschema@.ai_intent_models.size_bytes IS
    'Size of the serialized model in bytes.';
COMMENT ON COLUMN @extschema@.ai_intent_models.sha256 IS
    'Hex SHA-256 of the serialized model.';
COMMENT ON COLUMN @extschema@.ai_intent_models.intents IS
    'The intents the model can predict.';
COMMENT ON COLUMN @extschema@.ai_intent_models.metrics IS
    'Test metrics of the model plus its abstain threshold and calibration.';
COMMENT ON COLUMN @extschema@.ai_intent_models.confidence_threshold IS
    'Abstain threshold (0-1) chosen on the validation split; below it predictions are uncertain.';
COMMENT ON COLUMN @extschema@.ai_intent_models.is_active IS
    'True for the deployed model; a unique partial index allows at most one.';
COMMENT ON COLUMN @extschema@.ai_intent_models.deployed_at IS
    'When the model was last made active.';

-- At most one active model.
CREATE UNIQUE INDEX ai_intent_models_one_active_idx
    ON @extschema@.ai_intent_models (is_active) WHERE is_active;
CREATE INDEX ai_intent_models_run_id_idx ON @extschema@.ai_intent_models (run_id);

-- -------------------------------------------------------------------------
-- ai_model_deployments: every activation of a model, for audit and rollback
-- -------------------------------------------------------------------------
CREATE TABLE @extschema@.ai_model_deployments (
    id                bigserial   PRIMARY KEY,
    model_id          bigint      NOT NULL
        REFERENCES @extschema@.ai_intent_models (id) ON DELETE CASCADE,
    previous_model_id bigint
        REFERENCES @extschema@.ai_intent_models (id) ON DELETE SET NULL,
    run_id            uuid
        REFERENCES @extschema@.ai_training_runs (id) ON DELETE SET NULL,
    reason            text        NOT NULL
        CONSTRAINT ai_model_deployments_reason_check
        CHECK (reason IN ('first', 'improved', 'within_tolerance', 'manual', 'rollback')),
    deployed_by       text        NOT NULL DEFAULT current_user,
    deployed_at       timestamptz NOT NULL DEFAULT now()
);
COMMENT ON TABLE @extschema@.ai_model_deployments IS
    'Deployment history: which model became active, when, why and by whom, and which model it replaced. rollback_intent_model() reads it.';
COMMENT ON COLUMN @extschema@.ai_model_deployments.previous_model_id IS
    'The model that was active before this deployment; NULL for the first one.';
COMMENT ON COLUMN @extschema@.ai_model_deployments.run_id IS
    'The training run that deployed the model, when a run did.';
COMMENT ON COLUMN @extschema@.ai_model_deployments.reason IS
    'first, improved, within_tolerance, manual or rollback.';
COMMENT ON COLUMN @extschema@.ai_model_deployments.deployed_by IS
    'Database role that made the deployment.';

CREATE INDEX ai_model_deployments_model_id_idx ON @extschema@.ai_model_deployments (model_id);
CREATE INDEX ai_model_deployments_deployed_at_idx ON @extschema@.ai_model_deployments (deployed_at);

-- -------------------------------------------------------------------------
-- ai_metrics_snapshots: frozen metrics per period (functions in issue 4)
-- -------------------------------------------------------------------------
CREATE TABLE @extschema@.ai_metrics_snapshots (
    id                uuid        PRIMARY KEY DEFAULT gen_random_uuid(),
    period_type       text        NOT NULL
        CONSTRAINT ai_metrics_snapshots_period_type_check
        CHECK (period_type IN ('hourly', 'daily', 'weekly', 'monthly')),
    period_start      timestamptz NOT NULL,
    period_end        timestamptz NOT NULL,
    total_messages    integer     NOT NULL DEFAULT 0,
    ai_resolved       integer,
    escalated         integer,
    escalation_rate   numeric,
    avg_confidence    numeric,
    intent_accuracy   numeric,
    correction_rate   numeric,
    top_intents       jsonb,
    top_misclassified jsonb,
    model_id          bigint,
    created_at        timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT ai_metrics_snapshots_period_key UNIQUE (period_type, period_start),
    CONSTRAINT ai_metrics_snapshots_period_check CHECK (period_end > period_start)
);
COMMENT ON TABLE @extschema@.ai_metrics_snapshots IS
    'Metrics of one complete period (hourly, daily, weekly or monthly), frozen; one row per period.';
COMMENT ON COLUMN @extschema@.ai_metrics_snapshots.escalation_rate IS
    'Percentage (0-100) of messages escalated to a human.';
COMMENT ON COLUMN @extschema@.ai_metrics_snapshots.avg_confidence IS
    'Average confidence_score (0-100) of the period''s messages.';
COMMENT ON COLUMN @extschema@.ai_metrics_snapshots.intent_accuracy IS
    'Percentage (0-100) of reviewed messages whose detected intent was right.';
COMMENT ON COLUMN @extschema@.ai_metrics_snapshots.correction_rate IS
    'Percentage (0-100) of messages corrected by a human.';
COMMENT ON COLUMN @extschema@.ai_metrics_snapshots.top_intents IS
    'Message count per intent, {intent: count}.';
COMMENT ON COLUMN @extschema@.ai_metrics_snapshots.top_misclassified IS
    'Most frequent confusions, [{detected, correct, count}].';
COMMENT ON COLUMN @extschema@.ai_metrics_snapshots.model_id IS
    'The model active when the snapshot was taken.';

-- -------------------------------------------------------------------------
-- ai_prompt_versions: system prompts of the assistant (functions in issue 4)
-- -------------------------------------------------------------------------
CREATE TABLE @extschema@.ai_prompt_versions (
    id            uuid        PRIMARY KEY DEFAULT gen_random_uuid(),
    name          text        NOT NULL,
    version       integer     NOT NULL DEFAULT 1,
    system_prompt text        NOT NULL,
    is_active     boolean     NOT NULL DEFAULT false,
    notes         text,
    created_at    timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT ai_prompt_versions_name_version_key UNIQUE (name, version)
);
COMMENT ON TABLE @extschema@.ai_prompt_versions IS
    'Versions of the assistant''s system prompt; the active one is used by the chat fine-tuning export.';
COMMENT ON COLUMN @extschema@.ai_prompt_versions.system_prompt IS
    'The system prompt text.';
COMMENT ON COLUMN @extschema@.ai_prompt_versions.is_active IS
    'True for the prompt in use; a unique partial index allows at most one.';

-- At most one active prompt.
CREATE UNIQUE INDEX ai_prompt_versions_one_active_idx
    ON @extschema@.ai_prompt_versions (is_active) WHERE is_active;

-- -------------------------------------------------------------------------
-- Keep the user data in pg_dump output
-- -------------------------------------------------------------------------
SELECT pg_catalog.pg_extension_config_dump('@extschema@.ai_training_data', '');
SELECT pg_catalog.pg_extension_config_dump('@extschema@.ai_intent_corrections', '');
SELECT pg_catalog.pg_extension_config_dump('@extschema@.ai_training_runs', '');
SELECT pg_catalog.pg_extension_config_dump('@extschema@.ai_intent_models', '');
SELECT pg_catalog.pg_extension_config_dump('@extschema@.ai_intent_models_id_seq', '');
SELECT pg_catalog.pg_extension_config_dump('@extschema@.ai_model_deployments', '');
SELECT pg_catalog.pg_extension_config_dump('@extschema@.ai_model_deployments_id_seq', '');
SELECT pg_catalog.pg_extension_config_dump('@extschema@.ai_metrics_snapshots', '');
SELECT pg_catalog.pg_extension_config_dump('@extschema@.ai_prompt_versions', '');
-- C entry points (src/pg/). Every one runs through the C++ exception guard.

CREATE FUNCTION @extschema@.predict_intent(
    p_message text,
    OUT predicted_intent text, OUT confidence double precision, OUT top_intents jsonb,
    OUT uncertain boolean, OUT model_id bigint)
RETURNS record
AS 'MODULE_PATHNAME', 'pg_intent_predict_active'
LANGUAGE C STABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.predict_intent(text) IS
    'Classifies a message with the active model: intent, calibrated confidence (0-1), top-k intents, whether it is below the abstain threshold, and the model id.';

CREATE FUNCTION @extschema@.predict_intent(
    p_message text, p_model_id bigint,
    OUT predicted_intent text, OUT confidence double precision, OUT top_intents jsonb,
    OUT uncertain boolean, OUT model_id bigint)
RETURNS record
AS 'MODULE_PATHNAME', 'pg_intent_predict_model'
LANGUAGE C STABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.predict_intent(text, bigint) IS
    'Classifies a message with the given model (active or not), for A/B checks and audits.';

CREATE FUNCTION @extschema@.classify_intent(p_message text)
RETURNS text
AS 'MODULE_PATHNAME', 'pg_intent_classify'
LANGUAGE C STABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.classify_intent(text) IS
    'Fast label-only classification with the active model; returns ''uncertain'' below the model''s abstain threshold.';

CREATE FUNCTION @extschema@.intent_model_info(p_model bytea)
RETURNS jsonb
AS 'MODULE_PATHNAME', 'pg_intent_model_info'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.intent_model_info(bytea) IS
    'Validates a serialized model and describes it: format version, algorithm, intents, feature counts, threshold and training options.';

-- Internal: trains on the given rows and scores the optional baseline model
-- on the same test split. Called by train_intent_model().
CREATE FUNCTION @extschema@._pg_intent_train(
    p_texts text[], p_labels text[], p_weights real[], p_corrected boolean[],
    p_options jsonb, p_baseline bytea,
    OUT model bytea, OUT report jsonb)
RETURNS record
AS 'MODULE_PATHNAME', 'pg_intent_train'
LANGUAGE C VOLATILE PARALLEL UNSAFE;
COMMENT ON FUNCTION @extschema@._pg_intent_train(text[], text[], real[], boolean[], jsonb, bytea) IS
    'Internal: runs the training pipeline in the backend. Use train_intent_model().';
REVOKE ALL ON FUNCTION @extschema@._pg_intent_train(text[], text[], real[], boolean[], jsonb, bytea) FROM PUBLIC;

-- Internal: statement trigger on ai_intent_models that invalidates every
-- backend's model cache (through a relcache invalidation, which also reaches
-- hot standbys) when the committed set of models changes.
CREATE FUNCTION @extschema@._pg_intent_models_changed()
RETURNS trigger
AS 'MODULE_PATHNAME', 'pg_intent_models_changed'
LANGUAGE C VOLATILE PARALLEL UNSAFE;
COMMENT ON FUNCTION @extschema@._pg_intent_models_changed() IS
    'Internal: invalidates cached models in every session after ai_intent_models changes.';
REVOKE ALL ON FUNCTION @extschema@._pg_intent_models_changed() FROM PUBLIC;

CREATE FUNCTION @extschema@.pg_intent_loaded()
RETURNS boolean
AS 'MODULE_PATHNAME', 'pg_intent_loaded'
LANGUAGE C STABLE PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.pg_intent_loaded() IS
    'Loads the pg_intent library in this session (defining the pg_intent.* settings) and returns true.';

CREATE FUNCTION @extschema@.intent_training_options(p_options jsonb DEFAULT '{}')
RETURNS jsonb
AS 'MODULE_PATHNAME', 'pg_intent_training_options'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.intent_training_options(jsonb) IS
    'Validates model training options (raising 22023 naming a bad key) and returns every option with its effective value.';
-- The training loop: recording interactions, human corrections, the training
-- dataset, training runs with their deploy rule, deployment and rollback.
-- Every name is @extschema@-qualified so that a hostile search_path cannot
-- redirect these functions.
--
-- Privileges: training, deploying and rolling back change what every session
-- predicts, so they are privileged operations. train_intent_model,
-- deploy_intent_model and rollback_intent_model are SECURITY DEFINER (they
-- run as the extension owner, reading and writing the tables whatever the
-- caller's table privileges or row-level security), pin search_path to
-- pg_catalog, pg_temp, and are closed to PUBLIC: a DBA grants EXECUTE to the
-- roles that may run them. The data functions (record_interaction,
-- submit_intent_correction, get_training_dataset) stay SECURITY INVOKER, so
-- callers need privileges on the tables and row-level security applies.

-- Invalidate every backend's cached model whenever the set of models changes
-- (deploy, rollback, new or deleted models). Defined here because the
-- trigger function is declared in 10_c_functions.sql.
CREATE TRIGGER ai_intent_models_changed
    AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON @extschema@.ai_intent_models
    FOR EACH STATEMENT EXECUTE FUNCTION @extschema@._pg_intent_models_changed();

-- -------------------------------------------------------------------------
-- Internal helpers
-- -------------------------------------------------------------------------

-- The advisory lock key that serializes training runs ('pgi_tra' in ASCII).
-- Exposed so that schedulers and tests can check or hold the same lock.
CREATE FUNCTION @extschema@._pg_intent_training_lock_key()
RETURNS bigint
LANGUAGE sql IMMUTABLE PARALLEL SAFE
AS $$ SELECT 31638899662287457::bigint $$;
COMMENT ON FUNCTION @extschema@._pg_intent_training_lock_key() IS
    'Internal: the advisory lock key held (transaction-scoped) by a running train_intent_model().';

-- The headline numbers of a metrics object of the training report, without
-- the bulky per-intent tables, for the jsonb that train_intent_model() returns.
CREATE FUNCTION @extschema@._pg_intent_headline_metrics(p_metrics jsonb)
RETURNS jsonb
LANGUAGE sql IMMUTABLE PARALLEL SAFE
AS $$
    SELECT CASE WHEN jsonb_typeof(p_metrics) = 'object' THEN
        (SELECT coalesce(jsonb_object_agg(k, coalesce(p_metrics -> k, p_metrics -> ('macro_' || k))), '{}'::jsonb)
           FROM unnest(ARRAY['accuracy', 'precision', 'recall', 'f1', 'coverage', 'accepted_accuracy']) AS k
          WHERE p_metrics ? k OR p_metrics ? ('macro_' || k))
    END
$$;
COMMENT ON FUNCTION @extschema@._pg_intent_headline_metrics(jsonb) IS
    'Internal: keeps accuracy, precision, recall, f1, coverage and accepted_accuracy of a report metrics object (macro_precision etc. are read as precision etc.).';

-- Makes p_model_id the active model and records the deployment. Callers have
-- checked that the model exists and is not active. Returns the model that was
-- active before, or NULL.
CREATE FUNCTION @extschema@._pg_intent_activate(p_model_id bigint, p_reason text, p_run_id uuid)
RETURNS bigint
LANGUAGE plpgsql VOLATILE PARALLEL UNSAFE
AS $$
DECLARE
    v_previous bigint;
BEGIN
    -- Deployments queue behind each other instead of failing on the
    -- one-active-model index ('pgi_dep' in ASCII).
    PERFORM pg_catalog.pg_advisory_xact_lock(31638899661235568);

    -- Two statements: the unique partial index is checked row by row, so the
    -- old model must be inactive before the new one becomes active.
    UPDATE @extschema@.ai_intent_models
       SET is_active = false
     WHERE is_active
    RETURNING id INTO v_previous;

    UPDATE @extschema@.ai_intent_models
       SET is_active = true, deployed_at = now()
     WHERE id = p_model_id;

    INSERT INTO @extschema@.ai_model_deployments (model_id, previous_model_id, run_id, reason, deployed_by)
    -- session_user, not current_user: the callers are SECURITY DEFINER, so
    -- current_user is always the extension owner here.
    VALUES (p_model_id, v_previous, p_run_id, p_reason, session_user);

    RETURN v_previous;
END
$$;
COMMENT ON FUNCTION @extschema@._pg_intent_activate(bigint, text, uuid) IS
    'Internal: deactivates the active model, activates the given one and records the deployment; returns the previous model id.';

REVOKE ALL ON FUNCTION @extschema@._pg_intent_training_lock_key() FROM PUBLIC;
REVOKE ALL ON FUNCTION @extschema@._pg_intent_headline_metrics(jsonb) FROM PUBLIC;
REVOKE ALL ON FUNCTION @extschema@._pg_intent_activate(bigint, text, uuid) FROM PUBLIC;

-- -------------------------------------------------------------------------
-- record_interaction
-- -------------------------------------------------------------------------

-- Logs one interaction straight into ai_training_data (committed rows cannot
-- be lost, so the seed's in-memory buffer is not needed).
CREATE FUNCTION @extschema@.record_interaction(
    p_user_message text,
    p_detected_intent text,
    p_confidence_score integer,
    p_ai_response text DEFAULT NULL,
    p_response_source text DEFAULT NULL,
    p_escalated boolean DEFAULT false,
    p_conversation_id uuid DEFAULT NULL,
    p_message_id uuid DEFAULT NULL,
    p_user_id uuid DEFAULT NULL,
    p_category text DEFAULT NULL,
    p_source text DEFAULT 'live')
RETURNS uuid
LANGUAGE plpgsql VOLATILE PARALLEL UNSAFE
AS $$
DECLARE
    v_id uuid;
BEGIN
    IF p_user_message IS NULL THEN
        RAISE EXCEPTION 'p_user_message must not be null'
            USING ERRCODE = 'null_value_not_allowed';
    END IF;
    IF p_confidence_score IS NOT NULL AND p_confidence_score NOT BETWEEN 0 AND 100 THEN
        RAISE EXCEPTION 'invalid value for parameter "p_confidence_score": %', p_confidence_score
            USING ERRCODE = 'invalid_parameter_value',
                  DETAIL = 'The confidence score must be between 0 and 100.';
    END IF;
    IF p_source IS NULL THEN
        RAISE EXCEPTION 'p_source must not be null'
            USING ERRCODE = 'null_value_not_allowed';
    END IF;
    IF p_source NOT IN ('live', 'imported', 'synthetic') THEN
        RAISE EXCEPTION 'invalid value for parameter "p_source": "%"', p_source
            USING ERRCODE = 'invalid_parameter_value',
                  DETAIL = 'The source must be live, imported or synthetic.';
    END IF;

    -- The id is made here rather than read back with RETURNING, which would
    -- need SELECT on the table: a logging role needs INSERT only.
    v_id := pg_catalog.gen_random_uuid();
    INSERT INTO @extschema@.ai_training_data (
        id, user_message, detected_intent, confidence_score, ai_response, response_source,
        escalated, conversation_id, message_id, user_id, category, source)
    VALUES (
        v_id, p_user_message, nullif(btrim(p_detected_intent), ''), p_confidence_score, p_ai_response,
        p_response_source, coalesce(p_escalated, false), p_conversation_id, p_message_id,
        p_user_id, p_category, p_source);

    RETURN v_id;
END
$$;
COMMENT ON FUNCTION @extschema@.record_interaction(text, text, integer, text, text, boolean, uuid, uuid, uuid, text, text) IS
    'Records one assistant interaction in ai_training_data and returns its id. A blank detected intent is stored as NULL.';

-- -------------------------------------------------------------------------
-- submit_intent_correction
-- -------------------------------------------------------------------------

-- Stores a reviewer's correction on the row and in the corrections audit
-- table (whose trigger sets was_mismatch).
CREATE FUNCTION @extschema@.submit_intent_correction(
    p_training_data_id uuid,
    p_correct_intent text,
    p_correct_response text DEFAULT NULL,
    p_should_escalate boolean DEFAULT NULL,
    p_notes text DEFAULT NULL,
    p_corrector_id uuid DEFAULT NULL)
RETURNS jsonb
LANGUAGE plpgsql VOLATILE PARALLEL UNSAFE
AS $$
DECLARE
    v_intent text := btrim(p_correct_intent);
    v_original text;
    v_correction @extschema@.ai_intent_corrections;
BEGIN
    IF p_training_data_id IS NULL THEN
        RAISE EXCEPTION 'p_training_data_id must not be null'
            USING ERRCODE = 'null_value_not_allowed';
    END IF;
    IF v_intent IS NULL OR v_intent = '' THEN
        RAISE EXCEPTION 'invalid value for parameter "p_correct_intent": intent must not be empty'
            USING ERRCODE = 'invalid_parameter_value',
                  HINT = 'Pass the name of the intent the message really has.';
    END IF;

    SELECT t.detected_intent INTO v_original
      FROM @extschema@.ai_training_data AS t
     WHERE t.id = p_training_data_id
       FOR UPDATE;
    IF NOT FOUND THEN
        RAISE EXCEPTION 'training data row % does not exist', p_training_data_id
            USING ERRCODE = 'no_data_found';
    END IF;

    UPDATE @extschema@.ai_training_data AS t
       SET correct_intent     = v_intent,
           correct_response   = coalesce(p_correct_response, t.correct_response),
           should_escalate    = coalesce(p_should_escalate, t.should_escalate),
           corrected_by_human = true,
           intent_correct     = (t.detected_intent IS NOT DISTINCT FROM v_intent),
           corrected_by       = p_corrector_id,
           corrected_at       = now(),
           dataset_status     = 'reviewed'
     WHERE t.id = p_training_data_id;

    INSERT INTO @extschema@.ai_intent_corrections (training_data_id, original_intent, corrected_intent, notes, corrected_by)
    VALUES (p_training_data_id, v_original, v_intent, p_notes, p_corrector_id)
    RETURNING * INTO v_correction;

    RETURN jsonb_build_object(
        'training_data_id', p_training_data_id,
        'correction_id', v_correction.id,
        'original_intent', v_correction.original_intent,
        'corrected_intent', v_correction.corrected_intent,
        'was_mismatch', v_correction.was_mismatch);
END
$$;
COMMENT ON FUNCTION @extschema@.submit_intent_correction(uuid, text, text, boolean, text, uuid) IS
    'Records a human intent correction: updates the row (correct_intent, intent_correct, corrected_by_human, dataset_status reviewed) and logs it in ai_intent_corrections. Returns {training_data_id, correction_id, original_intent, corrected_intent, was_mismatch}.';

-- -------------------------------------------------------------------------
-- get_training_dataset
-- -------------------------------------------------------------------------

-- The labelled samples training uses, newest first. The label (intent) is the
-- human correction when there is one, else the detected intent.
CREATE FUNCTION @extschema@.get_training_dataset(
    p_min_confidence integer DEFAULT 0,
    p_only_reviewed boolean DEFAULT false,
    p_limit integer DEFAULT 10000)
RETURNS TABLE (
    id uuid,
    user_message text,
    intent text,
    detected_intent text,
    correct_intent text,
    confidence_score integer,
    corrected_by_human boolean,
    escalated boolean,
    response_source text,
    category text,
    created_at timestamptz)
LANGUAGE plpgsql STABLE PARALLEL SAFE
AS $$
BEGIN
    IF p_min_confidence IS NULL THEN
        RAISE EXCEPTION 'p_min_confidence must not be null' USING ERRCODE = 'null_value_not_allowed';
    END IF;
    IF p_only_reviewed IS NULL THEN
        RAISE EXCEPTION 'p_only_reviewed must not be null' USING ERRCODE = 'null_value_not_allowed';
    END IF;
    IF p_limit IS NULL THEN
        RAISE EXCEPTION 'p_limit must not be null' USING ERRCODE = 'null_value_not_allowed';
    END IF;
    IF p_min_confidence NOT BETWEEN 0 AND 100 THEN
        RAISE EXCEPTION 'invalid value for parameter "p_min_confidence": %', p_min_confidence
            USING ERRCODE = 'invalid_parameter_value',
                  DETAIL = 'The minimum confidence must be between 0 and 100.';
    END IF;
    IF p_limit <= 0 THEN
        RAISE EXCEPTION 'invalid value for parameter "p_limit": %', p_limit
            USING ERRCODE = 'invalid_parameter_value',
                  DETAIL = 'The limit must be a positive number of rows.';
    END IF;

    -- A row counts as reviewed when a human corrected it, judged its intent,
    -- or moved it to reviewed/approved. The confidence floor only applies to
    -- unreviewed rows. A row judged wrong without a correction has no usable
    -- label and is left out.
    RETURN QUERY
    SELECT d.id, d.user_message, d.label, d.detected_intent, d.correct_intent,
           d.confidence_score, d.corrected_by_human, d.escalated, d.response_source,
           d.category, d.created_at
      FROM (SELECT t.*,
                   coalesce(nullif(t.correct_intent, ''), nullif(t.detected_intent, '')) AS label,
                   (t.corrected_by_human OR t.intent_correct IS NOT NULL
                    OR t.dataset_status IN ('reviewed', 'approved')) AS reviewed
              FROM @extschema@.ai_training_data AS t
             WHERE t.dataset_status <> 'rejected') AS d
     WHERE d.label IS NOT NULL
       AND NOT (d.intent_correct IS FALSE AND nullif(d.correct_intent, '') IS NULL)
       AND (d.reviewed OR NOT p_only_reviewed)
       AND (d.reviewed OR coalesce(d.confidence_score, 0) >= p_min_confidence)
     ORDER BY d.created_at DESC, d.id
     LIMIT p_limit;
END
$$;
COMMENT ON FUNCTION @extschema@.get_training_dataset(integer, boolean, integer) IS
    'Labelled samples for training, newest first: intent is the human correction when there is one, else the detected intent. Leaves out rejected rows and rows without a label; p_min_confidence (0-100) applies only to rows no human reviewed.';

-- -------------------------------------------------------------------------
-- train_intent_model
-- -------------------------------------------------------------------------

-- Trains a model from ai_training_data inside the database, scores it against
-- the active model on the same test rows, applies the deploy rule and records
-- the run. Data or training failures give a failed run (returned, not
-- raised); bad arguments and options raise 22023 and record nothing.
CREATE FUNCTION @extschema@.train_intent_model(
    p_run_name text DEFAULT NULL,
    p_run_type text DEFAULT 'full',
    p_options jsonb DEFAULT '{}')
RETURNS jsonb
LANGUAGE plpgsql VOLATILE PARALLEL UNSAFE
SECURITY DEFINER SET search_path = pg_catalog, pg_temp
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
    v_min_samples integer;
    v_corrected_weight real;
    -- training
    v_active_id bigint;
    v_active_model bytea;
    v_model bytea;
    v_report jsonb;
    v_f1 double precision;
    v_baseline_f1 double precision;
    v_max_regression double precision;
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

    -- Loads the library, which defines the pg_intent.* settings.
    PERFORM @extschema@.pg_intent_loaded();
    v_min_samples := current_setting('pg_intent.min_samples_for_training')::integer;
    v_corrected_weight := current_setting('pg_intent.corrected_weight')::real;
    v_max_regression := current_setting('pg_intent.max_f1_regression')::double precision;

    -- 2. one training at a time: a second caller fails at once.
    IF NOT pg_catalog.pg_try_advisory_xact_lock(@extschema@._pg_intent_training_lock_key()) THEN
        RAISE EXCEPTION 'another training run is in progress'
            USING ERRCODE = 'lock_not_available',
                  HINT = 'Wait for it to finish; ai_training_runs shows the run with status running.';
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
               array_agg(CASE WHEN d.corrected_by_human THEN v_corrected_weight ELSE 1::real END
                         ORDER BY d.user_message COLLATE "C", d.intent COLLATE "C", d.corrected_by_human DESC, d.id),
               array_agg(d.corrected_by_human ORDER BY d.user_message COLLATE "C", d.intent COLLATE "C", d.corrected_by_human DESC, d.id)
          INTO v_rows, v_intents, v_ids, v_texts, v_labels, v_weights, v_corrected
          FROM @extschema@.get_training_dataset(v_min_confidence, v_only_reviewed, v_limit) AS d;

        IF v_rows < v_min_samples THEN
            RAISE EXCEPTION 'not enough training data: % usable rows, at least % needed', v_rows, v_min_samples
                USING ERRCODE = 'invalid_parameter_value',
                      HINT = 'Record more interactions, or lower pg_intent.min_samples_for_training.';
        END IF;
        IF v_intents < 2 THEN
            RAISE EXCEPTION 'not enough training data: % distinct intents, at least 2 needed', v_intents
                USING ERRCODE = 'invalid_parameter_value',
                      HINT = 'A classifier needs examples of at least two intents.';
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
        ELSIF v_f1 >= coalesce(v_baseline_f1, 0) - v_max_regression THEN
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

        IF v_deploy THEN
            PERFORM @extschema@._pg_intent_activate(v_model_id, v_reason, v_run_id);
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

        -- 9. the rows read are now part of a training set.
        UPDATE @extschema@.ai_training_data AS t
           SET dataset_status = 'used_in_training', updated_at = pg_catalog.now()
          FROM unnest(v_ids) AS u(id)
         WHERE t.id = u.id
           AND t.dataset_status NOT IN ('used_in_training', 'rejected');
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
COMMENT ON FUNCTION @extschema@.train_intent_model(text, text, jsonb) IS
    'Trains an intent model from ai_training_data (options: deploy auto|never|always, min_confidence, only_reviewed, limit, plus the trainer''s options such as algorithm, C, word_ngram_max, seed), scores it against the active model on the same test rows, deploys it when its F1 is at least the baseline F1 minus pg_intent.max_f1_regression, and returns the run result. Too little data gives a failed run, not an error.';
REVOKE ALL ON FUNCTION @extschema@.train_intent_model(text, text, jsonb) FROM PUBLIC;

-- -------------------------------------------------------------------------
-- deploy_intent_model / rollback_intent_model
-- -------------------------------------------------------------------------

-- Makes a chosen model the active one (reason manual).
CREATE FUNCTION @extschema@.deploy_intent_model(p_model_id bigint)
RETURNS jsonb
LANGUAGE plpgsql VOLATILE PARALLEL UNSAFE
SECURITY DEFINER SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    v_model @extschema@.ai_intent_models;
    v_previous bigint;
BEGIN
    IF p_model_id IS NULL THEN
        RAISE EXCEPTION 'p_model_id must not be null' USING ERRCODE = 'null_value_not_allowed';
    END IF;

    SELECT m.* INTO v_model FROM @extschema@.ai_intent_models AS m WHERE m.id = p_model_id FOR UPDATE;
    IF NOT FOUND THEN
        RAISE EXCEPTION 'model % does not exist', p_model_id
            USING ERRCODE = 'no_data_found',
                  HINT = 'The view ai_model_registry lists the models.';
    END IF;
    IF v_model.is_active THEN
        RAISE EXCEPTION 'model % is already active', p_model_id
            USING ERRCODE = 'object_not_in_prerequisite_state';
    END IF;

    v_previous := @extschema@._pg_intent_activate(p_model_id, 'manual', NULL);

    RETURN jsonb_build_object(
        'model_id', p_model_id,
        'version', v_model.version,
        'previous_model_id', v_previous,
        'deployed_at', (SELECT m.deployed_at FROM @extschema@.ai_intent_models AS m WHERE m.id = p_model_id),
        'reason', 'manual');
END
$$;
COMMENT ON FUNCTION @extschema@.deploy_intent_model(bigint) IS
    'Makes the given model the active one and records the deployment (reason manual). Returns {model_id, version, previous_model_id, deployed_at, reason}.';
REVOKE ALL ON FUNCTION @extschema@.deploy_intent_model(bigint) FROM PUBLIC;

-- Goes back to the model that was active before the current one.
CREATE FUNCTION @extschema@.rollback_intent_model()
RETURNS jsonb
LANGUAGE plpgsql VOLATILE PARALLEL UNSAFE
SECURITY DEFINER SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    v_current bigint;
    v_target bigint;
    v_model @extschema@.ai_intent_models;
BEGIN
    -- Serialize with deployments so that "current" cannot change under us.
    PERFORM pg_catalog.pg_advisory_xact_lock(31638899661235568);

    SELECT m.id INTO v_current FROM @extschema@.ai_intent_models AS m WHERE m.is_active;
    IF v_current IS NULL THEN
        RAISE EXCEPTION 'no model is active'
            USING ERRCODE = 'object_not_in_prerequisite_state',
                  HINT = 'Deploy a model with deploy_intent_model() or train one with train_intent_model().';
    END IF;

    -- The model the current one replaced when it was last deployed.
    SELECT d.previous_model_id INTO v_target
      FROM @extschema@.ai_model_deployments AS d
     WHERE d.model_id = v_current
     ORDER BY d.id DESC
     LIMIT 1;
    IF v_target IS NULL THEN
        RAISE EXCEPTION 'there is no previous model to roll back to'
            USING ERRCODE = 'object_not_in_prerequisite_state',
                  DETAIL = format('Model %s was deployed when no other model was active, or the model it replaced was deleted.', v_current);
    END IF;

    PERFORM @extschema@._pg_intent_activate(v_target, 'rollback', NULL);
    SELECT m.* INTO v_model FROM @extschema@.ai_intent_models AS m WHERE m.id = v_target;

    RETURN jsonb_build_object(
        'model_id', v_target,
        'version', v_model.version,
        'previous_model_id', v_current,
        'deployed_at', v_model.deployed_at,
        'reason', 'rollback');
END
$$;
COMMENT ON FUNCTION @extschema@.rollback_intent_model() IS
    'Re-activates the model that was active before the current one (from ai_model_deployments) and records the deployment (reason rollback). Calling it twice swaps back. Returns {model_id, version, previous_model_id, deployed_at, reason}.';
REVOKE ALL ON FUNCTION @extschema@.rollback_intent_model() FROM PUBLIC;

-- -------------------------------------------------------------------------
-- ai_model_registry
-- -------------------------------------------------------------------------
CREATE VIEW @extschema@.ai_model_registry WITH (security_invoker = true) AS
SELECT m.id,
       m.version,
       m.is_active,
       m.algorithm,
       cardinality(m.intents) AS total_intents,
       m.intents,
       (m.metrics ->> 'accuracy')::double precision AS accuracy,
       coalesce(m.metrics ->> 'precision', m.metrics ->> 'macro_precision')::double precision AS precision,
       coalesce(m.metrics ->> 'recall', m.metrics ->> 'macro_recall')::double precision AS recall,
       coalesce(m.metrics ->> 'f1', m.metrics ->> 'macro_f1')::double precision AS f1_score,
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
         WHERE d.model_id = m.id ORDER BY d.id DESC LIMIT 1) AS last_deploy_reason
  FROM @extschema@.ai_intent_models AS m
  LEFT JOIN @extschema@.ai_training_runs AS r ON r.id = m.run_id;
COMMENT ON VIEW @extschema@.ai_model_registry IS
    'The trained models with their test metrics (headline numbers and the full metrics jsonb), size, checksum, training run, last deploy reason and whether each is active; without the model bytes.';
-- Operations (issue 4): dashboard metrics, snapshots, views, alerts,
-- scheduled retraining, dataset export, interaction quality scoring,
-- training reports and champion/challenger shadow scoring.
-- Builds on the tables of 00_schema.sql and the functions of 10_/20_.

------------------------------------------------------------------------------
-- Schema additions
------------------------------------------------------------------------------

ALTER TABLE @extschema@.ai_training_data
    ADD COLUMN IF NOT EXISTS was_successful boolean;
COMMENT ON COLUMN @extschema@.ai_training_data.was_successful IS
    'Set by evaluate_interaction(): true when the user''s next message shows purchase or payment intent, false otherwise; NULL = not evaluated.';

-- Operator-editable cues used by evaluate_interaction(). Patterns are literal
-- phrases matched on word boundaries after lower-casing and accent folding.
CREATE TABLE @extschema@.ai_feedback_cues (
    id          bigserial PRIMARY KEY,
    language    text NOT NULL DEFAULT 'es',
    pattern     text NOT NULL CHECK (btrim(pattern) <> ''),
    kind        text NOT NULL CHECK (kind IN ('thanks', 'positive', 'purchase', 'payment',
                                               'neutral', 'confusion', 'negative', 'escalation')),
    score       smallint NOT NULL CHECK (score BETWEEN 1 AND 5),
    marks_success boolean NOT NULL DEFAULT false,
    is_active   boolean NOT NULL DEFAULT true,
    is_seed     boolean NOT NULL DEFAULT false,
    notes       text,
    created_at  timestamptz NOT NULL DEFAULT now(),
    modified_at timestamptz,
    UNIQUE (language, pattern)
);
COMMENT ON TABLE @extschema@.ai_feedback_cues IS
    'Cues that evaluate_interaction() looks for in the user''s next message. Editable with plain INSERT, UPDATE and DELETE. Seeded rows (is_seed) that nobody edited (modified_at NULL) are recreated by CREATE EXTENSION and not dumped; every other row is dumped, and on restore an edited seed replaces its recreated original. Deleting a seeded cue disables it instead (is_active = false), so that a restore does not bring it back.';
COMMENT ON COLUMN @extschema@.ai_feedback_cues.is_seed IS
    'True for the cues CREATE EXTENSION installs (kept when an operator edits them); operators'' own rows are false.';
COMMENT ON COLUMN @extschema@.ai_feedback_cues.modified_at IS
    'When an operator last changed the row (set by a trigger); NULL for a seeded cue as installed. Edited seeds are dumped by pg_dump.';
COMMENT ON COLUMN @extschema@.ai_feedback_cues.pattern IS
    'Literal word or phrase; matched case-, accent- and punctuation-insensitively on word boundaries. A cue contained in a longer matching cue (gracias in no gracias) is ignored.';
COMMENT ON COLUMN @extschema@.ai_feedback_cues.score IS
    'Quality score 1-5 this cue implies. When several cues match, any cue scoring below 3 wins (its lowest score); otherwise the highest score wins; no cue gives 3.';
COMMENT ON COLUMN @extschema@.ai_feedback_cues.marks_success IS
    'When true, a match sets ai_training_data.was_successful (purchase or payment intent).';

INSERT INTO @extschema@.ai_feedback_cues (language, pattern, kind, score, marks_success, is_seed) VALUES
    -- Spanish
    ('es', 'gracias', 'thanks', 5, false, true),
    ('es', 'muchas gracias', 'thanks', 5, false, true),
    ('es', 'mil gracias', 'thanks', 5, false, true),
    ('es', 'te lo agradezco', 'thanks', 5, false, true),
    ('es', 'genial', 'positive', 4, false, true),
    ('es', 'perfecto', 'positive', 4, false, true),
    ('es', 'excelente', 'positive', 4, false, true),
    ('es', 'me sirvio', 'positive', 4, false, true),
    ('es', 'me ayudo', 'positive', 4, false, true),
    ('es', 'entendido', 'positive', 4, false, true),
    ('es', 'lo compro', 'purchase', 5, true, true),
    ('es', 'lo quiero', 'purchase', 5, true, true),
    ('es', 'quiero comprar', 'purchase', 5, true, true),
    ('es', 'voy a comprar', 'purchase', 5, true, true),
    ('es', 'ya lo compre', 'purchase', 5, true, true),
    ('es', 'hacer el pedido', 'purchase', 5, true, true),
    ('es', 'agregar al carrito', 'purchase', 5, true, true),
    ('es', 'como pago', 'payment', 5, true, true),
    ('es', 'quiero pagar', 'payment', 5, true, true),
    ('es', 'ya pague', 'payment', 5, true, true),
    ('es', 'pagar con tarjeta', 'payment', 5, true, true),
    ('es', 'no gracias', 'neutral', 3, false, true),
    ('es', 'no entiendo', 'confusion', 1, false, true),
    ('es', 'no entendi', 'confusion', 1, false, true),
    ('es', 'no te entiendo', 'confusion', 1, false, true),
    ('es', 'no me sirve', 'negative', 1, false, true),
    ('es', 'no me sirvio', 'negative', 1, false, true),
    ('es', 'no me ayuda', 'negative', 1, false, true),
    ('es', 'no me ayudo', 'negative', 1, false, true),
    ('es', 'no es lo que pregunte', 'negative', 1, false, true),
    ('es', 'eso no', 'negative', 2, false, true),
    ('es', 'pesimo', 'negative', 1, false, true),
    ('es', 'hablar con una persona', 'escalation', 2, false, true),
    ('es', 'hablar con un humano', 'escalation', 2, false, true),
    ('es', 'hablar con un agente', 'escalation', 2, false, true),
    -- English
    ('en', 'thanks', 'thanks', 5, false, true),
    ('en', 'thank you', 'thanks', 5, false, true),
    ('en', 'great', 'positive', 4, false, true),
    ('en', 'perfect', 'positive', 4, false, true),
    ('en', 'that helps', 'positive', 4, false, true),
    ('en', 'that helped', 'positive', 4, false, true),
    ('en', 'buy it', 'purchase', 5, true, true),
    ('en', 'i want to buy', 'purchase', 5, true, true),
    ('en', 'i will buy', 'purchase', 5, true, true),
    ('en', 'place an order', 'purchase', 5, true, true),
    ('en', 'add to cart', 'purchase', 5, true, true),
    ('en', 'how do i pay', 'payment', 5, true, true),
    ('en', 'i want to pay', 'payment', 5, true, true),
    ('en', 'pay by card', 'payment', 5, true, true),
    ('en', 'no thanks', 'neutral', 3, false, true),
    ('en', 'no thank you', 'neutral', 3, false, true),
    ('en', 'i don''t understand', 'confusion', 1, false, true),
    ('en', 'i do not understand', 'confusion', 1, false, true),
    ('en', 'doesn''t help', 'negative', 1, false, true),
    ('en', 'does not help', 'negative', 1, false, true),
    ('en', 'not helpful', 'negative', 1, false, true),
    ('en', 'useless', 'negative', 1, false, true),
    ('en', 'talk to a human', 'escalation', 2, false, true),
    ('en', 'talk to a person', 'escalation', 2, false, true),
    ('en', 'speak to an agent', 'escalation', 2, false, true);

-- Dump safety. pg_dump keeps every row except the pristine seeds, which
-- CREATE EXTENSION recreates on restore (always with the same ids, from a
-- fresh sequence). Three triggers keep that sound while operators use plain
-- DML: an UPDATE stamps modified_at (so an edited seed gets dumped); an
-- INSERT that carries a seed's id or (language, pattern) replaces the pristine
-- seed (this is how a restore lands an edited seed over its recreated
-- original); a DELETE of a seeded cue becomes a disable, because a deleted
-- seed would come back at the next restore. They are created after the seed
-- INSERT above, so the seeds themselves go in untouched. SECURITY DEFINER:
-- they touch other rows than the one the operator named (replacing a seed
-- needs DELETE, disabling one needs UPDATE), which the operator's table
-- privileges may not cover.

-- Stamps operator edits; is_seed records where a row came from and cannot be changed.
CREATE FUNCTION @extschema@._pg_intent_cue_before_update()
RETURNS trigger
LANGUAGE plpgsql VOLATILE PARALLEL UNSAFE
SECURITY DEFINER SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
    IF NEW IS NOT DISTINCT FROM OLD THEN
        RETURN NEW;
    END IF;
    NEW.is_seed := OLD.is_seed;
    NEW.modified_at := clock_timestamp();
    RETURN NEW;
END
$$;
COMMENT ON FUNCTION @extschema@._pg_intent_cue_before_update() IS
    'Internal trigger: stamps ai_feedback_cues.modified_at on every change (so pg_dump keeps edited seeds) and keeps is_seed as it was.';

-- An inserted row replaces the pristine seed it collides with.
CREATE FUNCTION @extschema@._pg_intent_cue_before_insert()
RETURNS trigger
LANGUAGE plpgsql VOLATILE PARALLEL UNSAFE
SECURITY DEFINER SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
    -- A seed is only what CREATE EXTENSION installs; a new pristine "seed"
    -- would silently escape pg_dump. Restored edited seeds (modified_at set)
    -- keep is_seed.
    IF NEW.is_seed AND NEW.modified_at IS NULL THEN
        NEW.is_seed := false;
    END IF;
    DELETE FROM @extschema@.ai_feedback_cues AS c
     WHERE c.is_seed AND c.modified_at IS NULL
       AND (c.id = NEW.id OR (c.language = NEW.language AND c.pattern = NEW.pattern));
    RETURN NEW;
END
$$;
COMMENT ON FUNCTION @extschema@._pg_intent_cue_before_insert() IS
    'Internal trigger: a row inserted into ai_feedback_cues with the id or (language, pattern) of an unedited seed replaces that seed (pg_restore uses this to put edited seeds back); rows inserted as is_seed without modified_at become operator rows.';

-- Deleting a seeded cue disables it, so that a restore does not recreate it.
CREATE FUNCTION @extschema@._pg_intent_cue_before_delete()
RETURNS trigger
LANGUAGE plpgsql VOLATILE PARALLEL UNSAFE
SECURITY DEFINER SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
    -- Nested deletes are the insert trigger replacing a seed: let them through.
    IF NOT OLD.is_seed OR pg_catalog.pg_trigger_depth() > 1 THEN
        RETURN OLD;
    END IF;
    UPDATE @extschema@.ai_feedback_cues AS c SET is_active = false WHERE c.id = OLD.id;
    RETURN NULL;
END
$$;
COMMENT ON FUNCTION @extschema@._pg_intent_cue_before_delete() IS
    'Internal trigger: a DELETE of a seeded ai_feedback_cues row disables it (is_active = false, dumped as an edit) instead of removing it, since CREATE EXTENSION would recreate a removed seed on restore.';

REVOKE ALL ON FUNCTION @extschema@._pg_intent_cue_before_update() FROM PUBLIC;
REVOKE ALL ON FUNCTION @extschema@._pg_intent_cue_before_insert() FROM PUBLIC;
REVOKE ALL ON FUNCTION @extschema@._pg_intent_cue_before_delete() FROM PUBLIC;

CREATE TRIGGER ai_feedback_cues_before_update
    BEFORE UPDATE ON @extschema@.ai_feedback_cues
    FOR EACH ROW EXECUTE FUNCTION @extschema@._pg_intent_cue_before_update();
CREATE TRIGGER ai_feedback_cues_before_insert
    BEFORE INSERT ON @extschema@.ai_feedback_cues
    FOR EACH ROW EXECUTE FUNCTION @extschema@._pg_intent_cue_before_insert();
CREATE TRIGGER ai_feedback_cues_before_delete
    BEFORE DELETE ON @extschema@.ai_feedback_cues
    FOR EACH ROW EXECUTE FUNCTION @extschema@._pg_intent_cue_before_delete();

SELECT pg_catalog.pg_extension_config_dump('@extschema@.ai_feedback_cues', 'WHERE NOT is_seed OR modified_at IS NOT NULL');
SELECT pg_catalog.pg_extension_config_dump('@extschema@.ai_feedback_cues_id_seq', '');

-- Champion/challenger log written by shadow_predict().
CREATE TABLE @extschema@.ai_shadow_predictions (
    id                    bigserial PRIMARY KEY,
    training_data_id      uuid REFERENCES @extschema@.ai_training_data (id) ON DELETE SET NULL,
    message               text NOT NULL,
    champion_model_id     bigint,
    champion_intent       text,
    champion_confidence   double precision,
    champion_uncertain    boolean,
    challenger_model_id   bigint NOT NULL,
    challenger_intent     text,
    challenger_confidence double precision,
    challenger_uncertain  boolean,
    agreed                boolean NOT NULL,
    created_at            timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX ai_shadow_predictions_challenger_idx
    ON @extschema@.ai_shadow_predictions (challenger_model_id);
CREATE INDEX ai_shadow_predictions_training_data_idx
    ON @extschema@.ai_shadow_predictions (training_data_id);
COMMENT ON TABLE @extschema@.ai_shadow_predictions IS
    'One row per shadow_predict() call: what the active (champion) model and a challenger model predicted for the same message, and whether they agreed.';
COMMENT ON COLUMN @extschema@.ai_shadow_predictions.agreed IS
    'True when both models predicted the same intent (abstain flags are not compared).';
SELECT pg_catalog.pg_extension_config_dump('@extschema@.ai_shadow_predictions', '');
SELECT pg_catalog.pg_extension_config_dump('@extschema@.ai_shadow_predictions_id_seq', '');

------------------------------------------------------------------------------
-- Metrics
------------------------------------------------------------------------------

-- Internal: the dashboard metrics of ai_training_data rows created in
-- [p_start, p_end), as one jsonb; shared by the RPC, snapshots and views.
CREATE FUNCTION @extschema@._pg_intent_window_metrics(p_start timestamptz, p_end timestamptz)
RETURNS jsonb
LANGUAGE sql STABLE PARALLEL SAFE
AS $$
    WITH w AS (
        SELECT d.detected_intent, d.correct_intent, d.confidence_score,
               d.escalated, d.intent_correct, d.corrected_by_human
        FROM @extschema@.ai_training_data d
        WHERE d.created_at >= p_start AND d.created_at < p_end
    ), agg AS (
        SELECT count(*) AS total,
               count(*) FILTER (WHERE escalated IS NOT TRUE) AS resolved,
               count(*) FILTER (WHERE escalated) AS escalated,
               avg(confidence_score) AS avg_conf,
               count(*) FILTER (WHERE intent_correct IS NOT NULL) AS reviewed,
               count(*) FILTER (WHERE intent_correct) AS correct,
               count(*) FILTER (WHERE intent_correct = false) AS wrong,
               count(*) FILTER (WHERE corrected_by_human) AS corrected
        FROM w
    )
    SELECT jsonb_build_object(
        'total_messages', a.total,
        'ai_resolved', a.resolved,
        'escalated', a.escalated,
        'escalation_rate', CASE WHEN a.total > 0 THEN round(100.0 * a.escalated / a.total, 2) END,
        'avg_confidence', round(a.avg_conf, 2),
        'intent_accuracy', CASE WHEN a.reviewed > 0 THEN round(100.0 * a.correct / a.reviewed, 2) END,
        'reviewed_messages', a.reviewed,
        'misclassified', a.wrong,
        'misclassification_rate', CASE WHEN a.total > 0 THEN round(100.0 * a.wrong / a.total, 2) END,
        'correction_rate', CASE WHEN a.total > 0 THEN round(100.0 * a.corrected / a.total, 2) END,
        'top_intents', coalesce((
            SELECT jsonb_object_agg(t.detected_intent, t.n)
            FROM (SELECT detected_intent, count(*) AS n FROM w
                  WHERE detected_intent IS NOT NULL
                  GROUP BY detected_intent ORDER BY n DESC, detected_intent LIMIT 10) t), '{}'::jsonb),
        'top_misclassified', coalesce((
            SELECT jsonb_agg(jsonb_build_object('detected', m.detected_intent,
                                                'correct', m.correct_intent,
                                                'count', m.n) ORDER BY m.n DESC, m.detected_intent, m.correct_intent)
            FROM (SELECT detected_intent, correct_intent, count(*) AS n FROM w
                  WHERE intent_correct = false AND correct_intent IS NOT NULL
                  GROUP BY detected_intent, correct_intent
                  ORDER BY n DESC, detected_intent, correct_intent LIMIT 10) m), '[]'::jsonb),
        'window_start', p_start,
        'window_end', p_end)
    FROM agg a
$$;
COMMENT ON FUNCTION @extschema@._pg_intent_window_metrics(timestamptz, timestamptz) IS
    'Internal: dashboard metrics of the ai_training_data rows created in [p_start, p_end). Use get_ai_training_metrics().';

-- Internal: the active model as {id, version, f1}, or NULL.
CREATE FUNCTION @extschema@._pg_intent_active_model_json()
RETURNS jsonb
LANGUAGE sql STABLE PARALLEL SAFE
AS $$
    SELECT jsonb_build_object(
        'id', m.id,
        'version', m.version,
        'f1', coalesce((m.metrics ->> 'f1')::float8, (m.metrics ->> 'macro_f1')::float8,
                       (SELECT r.intent_f1_score::float8 FROM @extschema@.ai_training_runs r
                        WHERE r.id = m.run_id)))
    FROM @extschema@.ai_intent_models m
    WHERE m.is_active
    LIMIT 1
$$;
COMMENT ON FUNCTION @extschema@._pg_intent_active_model_json() IS
    'Internal: the active model as {id, version, f1} (test macro F1), or NULL when none is deployed.';

-- Internal: rows recorded since the last completed training run started
-- (all rows when no run has completed).
CREATE FUNCTION @extschema@._pg_intent_samples_since_last_train()
RETURNS bigint
LANGUAGE sql STABLE PARALLEL SAFE
AS $$
    SELECT count(*)
    FROM @extschema@.ai_training_data d
    WHERE d.created_at > coalesce(
        (SELECT max(r.started_at) FROM @extschema@.ai_training_runs r WHERE r.status = 'completed'),
        '-infinity'::timestamptz)
$$;
COMMENT ON FUNCTION @extschema@._pg_intent_samples_since_last_train() IS
    'Internal: number of ai_training_data rows created after the start of the last completed training run (all rows when there is none).';

-- Dashboard RPC: metrics over the last p_days days plus training status.
CREATE FUNCTION @extschema@.get_ai_training_metrics(p_days integer DEFAULT 7)
RETURNS jsonb
LANGUAGE plpgsql STABLE PARALLEL SAFE
AS $$
DECLARE
    v_end timestamptz := now();
    v_active jsonb;
BEGIN
    IF p_days IS NULL THEN
        RAISE EXCEPTION 'p_days must not be null' USING ERRCODE = '22004';
    END IF;
    IF p_days < 1 OR p_days > 36500 THEN
        RAISE EXCEPTION 'invalid value for p_days: %', p_days
            USING ERRCODE = '22023', DETAIL = 'p_days must be between 1 and 36500.';
    END IF;
    v_active := @extschema@._pg_intent_active_model_json();
    RETURN @extschema@._pg_intent_window_metrics(v_end - make_interval(days => p_days), v_end)
        || jsonb_build_object(
            'samples_since_last_train', @extschema@._pg_intent_samples_since_last_train(),
            'model_trained', v_active IS NOT NULL,
            'active_model', coalesce(v_active, 'null'::jsonb));
END
$$;
COMMENT ON FUNCTION @extschema@.get_ai_training_metrics(integer) IS
    'Dashboard metrics over the last p_days days of ai_training_data: total_messages, ai_resolved (not escalated), escalated, escalation_rate %, avg_confidence, intent_accuracy (% of reviewed rows that were right), correction_rate %, top_intents, top_misclassified, plus samples_since_last_train, model_trained, active_model {id, version, f1}, window_start, window_end.';

-- Freezes the metrics of the last complete period into ai_metrics_snapshots.
CREATE FUNCTION @extschema@.create_metrics_snapshot(p_period_type text DEFAULT 'daily')
RETURNS jsonb
LANGUAGE plpgsql VOLATILE PARALLEL UNSAFE
AS $$
DECLARE
    v_unit text;
    v_end timestamptz;
    v_start timestamptz;
    v_m jsonb;
    v_model bigint;
    v_id uuid;
BEGIN
    IF p_period_type IS NULL THEN
        RAISE EXCEPTION 'p_period_type must not be null' USING ERRCODE = '22004';
    END IF;
    v_unit := CASE p_period_type
        WHEN 'hourly' THEN 'hour' WHEN 'daily' THEN 'day'
        WHEN 'weekly' THEN 'week' WHEN 'monthly' THEN 'month' END;
    IF v_unit IS NULL THEN
        RAISE EXCEPTION 'invalid value for p_period_type: "%"', p_period_type
            USING ERRCODE = '22023', HINT = 'Use hourly, daily, weekly or monthly.';
    END IF;
    -- The last complete period ends where the current one begins (session time zone).
    v_end := date_trunc(v_unit, now());
    v_start := v_end - ('1 ' || v_unit)::interval;
    v_m := @extschema@._pg_intent_window_metrics(v_start, v_end);
    SELECT m.id INTO v_model FROM @extschema@.ai_intent_models m WHERE m.is_active LIMIT 1;

    INSERT INTO @extschema@.ai_metrics_snapshots AS s
        (period_type, period_start, period_end, total_messages, ai_resolved, escalated,
         escalation_rate, avg_confidence, intent_accuracy, correction_rate,
         top_intents, top_misclassified, model_id)
    VALUES (p_period_type, v_start, v_end, (v_m ->> 'total_messages')::integer,
            (v_m ->> 'ai_resolved')::integer, (v_m ->> 'escalated')::integer,
            (v_m ->> 'escalation_rate')::numeric, (v_m ->> 'avg_confidence')::numeric,
            (v_m ->> 'intent_accuracy')::numeric, (v_m ->> 'correction_rate')::numeric,
            v_m -> 'top_intents', v_m -> 'top_misclassified', v_model)
    ON CONFLICT (period_type, period_start) DO UPDATE SET
        period_end = EXCLUDED.period_end,
        total_messages = EXCLUDED.total_messages,
        ai_resolved = EXCLUDED.ai_resolved,
        escalated = EXCLUDED.escalated,
        escalation_rate = EXCLUDED.escalation_rate,
        avg_confidence = EXCLUDED.avg_confidence,
        intent_accuracy = EXCLUDED.intent_accuracy,
        correction_rate = EXCLUDED.correction_rate,
        top_intents = EXCLUDED.top_intents,
        top_misclassified = EXCLUDED.top_misclassified,
        model_id = EXCLUDED.model_id
    RETURNING s.id INTO v_id;

    RETURN jsonb_build_object('snapshot_id', v_id, 'period_type', p_period_type,
                              'period_start', v_start, 'period_end', v_end, 'model_id', v_model)
        || (v_m - 'window_start' - 'window_end');
END
$$;
COMMENT ON FUNCTION @extschema@.create_metrics_snapshot(text) IS
    'Stores the metrics of the last complete hourly, daily, weekly or monthly period (session time zone) in ai_metrics_snapshots; calling it again for the same period updates that row. Returns the snapshot.';

------------------------------------------------------------------------------
-- Dashboard views
------------------------------------------------------------------------------
-- Every view of the extension is security_invoker: a reader needs SELECT on
-- the tables behind it, not only on the view, and row-level security
-- policies apply to the reader (a plain view would read as its owner).

CREATE VIEW @extschema@.ai_pending_review WITH (security_invoker = true) AS
SELECT d.id, d.user_message, d.detected_intent, d.confidence_score, d.ai_response,
       d.response_source, d.escalated, d.category, d.source, d.conversation_id,
       d.model_id, d.created_at
FROM @extschema@.ai_training_data d
WHERE d.intent_correct IS NULL
  AND d.corrected_by_human IS NOT TRUE
  AND d.dataset_status IS DISTINCT FROM 'rejected'
ORDER BY d.confidence_score ASC NULLS FIRST, d.created_at, d.id;
COMMENT ON VIEW @extschema@.ai_pending_review IS
    'The review queue: rows nobody has reviewed yet (intent_correct NULL, not corrected, not rejected), lowest confidence first.';

CREATE VIEW @extschema@.ai_classification_errors WITH (security_invoker = true) AS
SELECT d.id, d.user_message, d.detected_intent, d.correct_intent, d.confidence_score,
       d.ai_response, d.correct_response, d.corrected_by, d.corrected_at, d.model_id,
       d.created_at
FROM @extschema@.ai_training_data d
WHERE d.intent_correct = false
ORDER BY d.corrected_at DESC NULLS LAST, d.created_at DESC, d.id;
COMMENT ON VIEW @extschema@.ai_classification_errors IS
    'Reviewed rows whose detected intent was wrong (intent_correct = false), most recently corrected first.';

CREATE VIEW @extschema@.ai_intent_performance WITH (security_invoker = true) AS
WITH active AS (
    SELECT m.id, m.intents,
           coalesce(m.metrics -> 'per_intent', m.metrics -> 'metrics' -> 'per_intent') AS per_intent
    FROM @extschema@.ai_intent_models m
    WHERE m.is_active
    LIMIT 1
), names AS (
    SELECT d.detected_intent AS intent FROM @extschema@.ai_training_data d
    WHERE d.detected_intent IS NOT NULL
    UNION
    SELECT d.correct_intent FROM @extschema@.ai_training_data d
    WHERE d.correct_intent IS NOT NULL
    UNION
    SELECT unnest(a.intents) FROM active a
), labelled AS (
    SELECT coalesce(d.correct_intent, d.detected_intent) AS intent, count(*) AS samples
    FROM @extschema@.ai_training_data d
    WHERE d.dataset_status IS DISTINCT FROM 'rejected'
    GROUP BY 1
), detected AS (
    SELECT d.detected_intent AS intent,
           count(*) AS predictions,
           count(*) FILTER (WHERE d.intent_correct IS NOT NULL) AS reviewed,
           count(*) FILTER (WHERE d.intent_correct) AS correct,
           avg(d.confidence_score) AS avg_confidence
    FROM @extschema@.ai_training_data d
    WHERE d.detected_intent IS NOT NULL
    GROUP BY 1
)
SELECT n.intent,
       coalesce(l.samples, 0) AS samples,
       coalesce(dt.predictions, 0) AS predictions,
       coalesce(dt.reviewed, 0) AS reviewed,
       coalesce(dt.correct, 0) AS correct,
       CASE WHEN dt.reviewed > 0 THEN round(100.0 * dt.correct / dt.reviewed, 2) END AS live_accuracy,
       round(dt.avg_confidence, 2) AS avg_confidence,
       a.id AS model_id,
       (a.per_intent -> n.intent ->> 'precision')::float8 AS model_precision,
       (a.per_intent -> n.intent ->> 'recall')::float8 AS model_recall,
       (a.per_intent -> n.intent ->> 'f1')::float8 AS model_f1,
       (a.per_intent -> n.intent ->> 'support')::integer AS model_test_support
FROM names n
LEFT JOIN labelled l ON l.intent = n.intent
LEFT JOIN detected dt ON dt.intent = n.intent
LEFT JOIN active a ON true
ORDER BY n.intent;
COMMENT ON VIEW @extschema@.ai_intent_performance IS
    'One row per intent: training samples (label = correction, else detection; rejected rows left out), live predictions, reviewed and correct rows, live accuracy %, average confidence, and the active model''s test precision, recall, F1 and support for that intent.';

CREATE VIEW @extschema@.ai_training_run_history WITH (security_invoker = true) AS
SELECT r.id AS run_id, r.run_name, r.run_type, r.status, r.error,
       r.started_at, r.finished_at, r.duration_seconds,
       r.training_samples, r.validation_samples, r.test_samples, r.total_intents,
       r.intent_accuracy, r.intent_precision, r.intent_recall, r.intent_f1_score,
       r.baseline_intent_accuracy, r.baseline_f1_score,
       r.intent_f1_score - r.baseline_f1_score AS f1_improvement,
       r.model_id, m.version AS model_version, r.deployed, r.deploy_reason,
       coalesce(m.is_active, false) AS model_is_active
FROM @extschema@.ai_training_runs r
LEFT JOIN @extschema@.ai_intent_models m ON m.id = r.model_id
ORDER BY r.started_at DESC, r.id;
COMMENT ON VIEW @extschema@.ai_training_run_history IS
    'Training runs, newest first, with sizes, headline test metrics against the baseline (the model active at the time), the F1 change, and the deploy decision.';

CREATE VIEW @extschema@.ai_live_metrics WITH (security_invoker = true) AS
SELECT (m ->> 'window_start')::timestamptz AS window_start,
       (m ->> 'window_end')::timestamptz AS window_end,
       (m ->> 'total_messages')::bigint AS total_messages,
       (m ->> 'ai_resolved')::bigint AS ai_resolved,
       (m ->> 'escalated')::bigint AS escalated,
       (m ->> 'escalation_rate')::numeric AS escalation_rate,
       (m ->> 'avg_confidence')::numeric AS avg_confidence,
       (m ->> 'reviewed_messages')::bigint AS reviewed_messages,
       (m ->> 'intent_accuracy')::numeric AS intent_accuracy,
       (m ->> 'misclassified')::bigint AS misclassified,
       (m ->> 'misclassification_rate')::numeric AS misclassification_rate,
       (m ->> 'correction_rate')::numeric AS correction_rate,
       m -> 'top_intents' AS top_intents,
       m -> 'top_misclassified' AS top_misclassified
FROM @extschema@._pg_intent_window_metrics(now() - interval '24 hours', now()) AS m;
COMMENT ON VIEW @extschema@.ai_live_metrics IS
    'One row: the dashboard metrics of the last 24 hours (rates in %, NULL when there is nothing to divide by).';

CREATE VIEW @extschema@.ai_metric_alerts WITH (security_invoker = true) AS
WITH live AS (
    SELECT * FROM @extschema@.ai_live_metrics
), settings AS (
    -- CASE evaluates pg_intent_loaded() first: it loads the library, which
    -- defines the setting, before current_setting() reads it.
    SELECT CASE WHEN @extschema@.pg_intent_loaded()
                THEN current_setting('pg_intent.min_samples_for_training')::numeric END AS min_samples
), checks (metric, value, threshold, comparison) AS (
    SELECT 'intent_accuracy', l.intent_accuracy, 70::numeric, '<' FROM live l
    UNION ALL
    SELECT 'escalation_rate', l.escalation_rate, 30, '>' FROM live l
    UNION ALL
    SELECT 'avg_confidence', l.avg_confidence, 60, '<' FROM live l
    UNION ALL
    SELECT 'model_f1', round((@extschema@._pg_intent_active_model_json() ->> 'f1')::numeric, 4), 0.70, '<'
    UNION ALL
    SELECT 'training_samples',
           (SELECT count(*) FROM @extschema@.ai_training_data d
            WHERE coalesce(d.correct_intent, d.detected_intent) IS NOT NULL
              AND d.dataset_status IS DISTINCT FROM 'rejected')::numeric, s.min_samples, '<'
    FROM settings s
    UNION ALL
    SELECT 'misclassification_rate', l.misclassification_rate, 15, '>' FROM live l
)
SELECT c.metric, c.value, c.threshold, c.comparison, 'critical'::text AS severity,
       format('%s is %s (critical when %s %s)', c.metric, c.value, c.comparison, c.threshold) AS message
FROM checks c
WHERE c.value IS NOT NULL
  AND CASE c.comparison WHEN '<' THEN c.value < c.threshold ELSE c.value > c.threshold END
ORDER BY c.metric;
COMMENT ON VIEW @extschema@.ai_metric_alerts IS
    'One row per metric breaching its critical threshold: intent_accuracy < 70 %, escalation_rate > 30 %, avg_confidence < 60, misclassification_rate (wrong reviewed rows / all rows) > 15 % (these over the last 24 hours), active model F1 < 0.70, usable training samples < pg_intent.min_samples_for_training (default 20). Metrics without data raise no alert.';

------------------------------------------------------------------------------
-- Scheduled retraining
------------------------------------------------------------------------------

-- Whether enough new data has arrived to retrain.
CREATE FUNCTION @extschema@.should_retrain()
RETURNS boolean
LANGUAGE plpgsql STABLE PARALLEL SAFE
AS $$
BEGIN
    PERFORM @extschema@.pg_intent_loaded();
    RETURN @extschema@._pg_intent_samples_since_last_train()
               >= current_setting('pg_intent.auto_retrain_threshold')::bigint
       AND (SELECT count(*) FROM @extschema@.ai_training_data d
            WHERE coalesce(d.correct_intent, d.detected_intent) IS NOT NULL
              AND d.dataset_status IS DISTINCT FROM 'rejected')
               >= current_setting('pg_intent.min_samples_for_training')::bigint;
END
$$;
COMMENT ON FUNCTION @extschema@.should_retrain() IS
    'True when the rows recorded since the last completed training run reach pg_intent.auto_retrain_threshold and there are at least pg_intent.min_samples_for_training usable samples.';

-- Trains when should_retrain() says so; safe to call from pg_cron often.
-- Privileged like train_intent_model(): SECURITY DEFINER with a pinned
-- search_path, closed to PUBLIC (grant EXECUTE to the scheduler's role).
CREATE FUNCTION @extschema@.retrain_if_needed()
RETURNS jsonb
LANGUAGE plpgsql VOLATILE PARALLEL UNSAFE
SECURITY DEFINER SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    v_since bigint;
    v_result jsonb;
BEGIN
    PERFORM @extschema@.pg_intent_loaded();
    v_since := @extschema@._pg_intent_samples_since_last_train();
    IF NOT @extschema@.should_retrain() THEN
        RETURN jsonb_build_object(
            'retrained', false,
            'reason', CASE WHEN v_since < current_setting('pg_intent.auto_retrain_threshold')::bigint
                           THEN 'not enough new samples since the last training'
                           ELSE 'not enough training samples' END,
            'samples_since_last_train', v_since,
            'auto_retrain_threshold', current_setting('pg_intent.auto_retrain_threshold')::bigint,
            'min_samples_for_training', current_setting('pg_intent.min_samples_for_training')::bigint);
    END IF;
    BEGIN
        v_result := @extschema@.train_intent_model(
            'auto-retrain ' || to_char(clock_timestamp(), 'YYYY-MM-DD HH24:MI:SS'), 'full', '{}'::jsonb);
    EXCEPTION WHEN lock_not_available THEN
        RETURN jsonb_build_object('retrained', false,
                                  'reason', 'another training run is in progress',
                                  'samples_since_last_train', v_since);
    END;
    RETURN jsonb_build_object('retrained', true, 'samples_since_last_train', v_since,
                              'result', v_result);
END
$$;
COMMENT ON FUNCTION @extschema@.retrain_if_needed() IS
    'Runs train_intent_model() when should_retrain() is true. Returns {"retrained": false, "reason", "samples_since_last_train"} or {"retrained": true, "result": <training result>}; does not raise when another training run holds the lock. Meant for pg_cron.';
REVOKE ALL ON FUNCTION @extschema@.retrain_if_needed() FROM PUBLIC;

------------------------------------------------------------------------------
-- Export
------------------------------------------------------------------------------

-- Internal: one CSV field per RFC 4180 (quoted only when needed).
CREATE FUNCTION @extschema@._pg_intent_csv_field(p_value text)
RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE
AS $$
    SELECT CASE
        WHEN p_value IS NULL THEN ''
        WHEN strpos(p_value, ',') > 0 OR strpos(p_value, '"') > 0
          OR strpos(p_value, chr(10)) > 0 OR strpos(p_value, chr(13)) > 0
            THEN '"' || replace(p_value, '"', '""') || '"'
        ELSE p_value END
$$;
COMMENT ON FUNCTION @extschema@._pg_intent_csv_field(text) IS
    'Internal: quotes a CSV field per RFC 4180 when it holds a comma, quote, CR or LF (quotes doubled); NULL becomes an empty field.';

-- Internal: the rows export_training_dataset() writes, with their output
-- column names (row_to_json uses them as keys). Inlined by the planner.
CREATE FUNCTION @extschema@._pg_intent_export_rows(
    p_min_confidence integer, p_only_reviewed boolean, p_min_quality integer)
RETURNS TABLE (id uuid, text text, intent text, detected_intent text, correct_intent text,
               confidence_score integer, corrected_by_human boolean, escalated boolean,
               response text, category text, source text, quality_score smallint,
               created_at timestamptz)
LANGUAGE sql STABLE PARALLEL SAFE
AS $$
    SELECT d.id, d.user_message, coalesce(d.correct_intent, d.detected_intent),
           d.detected_intent, d.correct_intent, d.confidence_score,
           coalesce(d.corrected_by_human, false), coalesce(d.escalated, false),
           coalesce(d.correct_response, d.ai_response),
           d.category, d.source, d.quality_score, d.created_at
    FROM @extschema@.ai_training_data d
    WHERE coalesce(d.correct_intent, d.detected_intent) IS NOT NULL
      AND d.dataset_status IS DISTINCT FROM 'rejected'
      AND (NOT p_only_reviewed OR d.corrected_by_human OR d.intent_correct IS NOT NULL)
      AND (d.corrected_by_human OR d.intent_correct IS NOT NULL
           OR coalesce(d.confidence_score, 0) >= p_min_confidence)
      AND (p_min_quality IS NULL OR d.quality_score >= p_min_quality)
$$;
COMMENT ON FUNCTION @extschema@._pg_intent_export_rows(integer, boolean, integer) IS
    'Internal: the labelled rows export_training_dataset() writes (label = correction, else detection; rejected rows left out; p_min_confidence only for unreviewed rows).';

-- Exports the curated dataset as JSON Lines, CSV or chat fine-tuning JSONL.
CREATE FUNCTION @extschema@.export_training_dataset(
    p_format text DEFAULT 'jsonl',
    p_min_confidence integer DEFAULT 0,
    p_only_reviewed boolean DEFAULT false,
    p_min_quality integer DEFAULT NULL)
RETURNS SETOF text
LANGUAGE plpgsql STABLE PARALLEL SAFE
AS $$
DECLARE
    v_prompt text;
    v_prompt_id uuid;
    v_prompt_version integer;
BEGIN
    IF p_format IS NULL THEN
        RAISE EXCEPTION 'p_format must not be null' USING ERRCODE = '22004';
    END IF;
    IF p_format NOT IN ('jsonl', 'csv', 'chat_jsonl') THEN
        RAISE EXCEPTION 'invalid value for p_format: "%"', p_format
            USING ERRCODE = '22023', HINT = 'Use jsonl, csv or chat_jsonl.';
    END IF;
    IF p_min_confidence IS NULL THEN
        RAISE EXCEPTION 'p_min_confidence must not be null' USING ERRCODE = '22004';
    END IF;
    IF p_min_confidence NOT BETWEEN 0 AND 100 THEN
        RAISE EXCEPTION 'invalid value for p_min_confidence: %', p_min_confidence
            USING ERRCODE = '22023', DETAIL = 'p_min_confidence must be between 0 and 100.';
    END IF;
    IF p_only_reviewed IS NULL THEN
        RAISE EXCEPTION 'p_only_reviewed must not be null' USING ERRCODE = '22004';
    END IF;
    IF p_min_quality IS NOT NULL AND p_min_quality NOT BETWEEN 1 AND 5 THEN
        RAISE EXCEPTION 'invalid value for p_min_quality: %', p_min_quality
            USING ERRCODE = '22023', DETAIL = 'p_min_quality must be between 1 and 5, or NULL for no filter.';
    END IF;

    IF p_format = 'jsonl' THEN
        -- row_to_json escapes every string per RFC 8259 and keeps the column order
        RETURN QUERY
        SELECT row_to_json(r)::text
        FROM @extschema@._pg_intent_export_rows(p_min_confidence, p_only_reviewed, p_min_quality) r
        ORDER BY r.created_at, r.id;
    ELSIF p_format = 'csv' THEN
        RETURN NEXT 'id,text,intent,detected_intent,correct_intent,confidence_score,'
                    'corrected_by_human,escalated,response,category,source,quality_score,created_at';
        RETURN QUERY
        SELECT concat_ws(',',
            r.id::text,
            @extschema@._pg_intent_csv_field(r.text),
            @extschema@._pg_intent_csv_field(r.intent),
            @extschema@._pg_intent_csv_field(r.detected_intent),
            @extschema@._pg_intent_csv_field(r.correct_intent),
            coalesce(r.confidence_score::text, ''),
            r.corrected_by_human::text,
            r.escalated::text,
            @extschema@._pg_intent_csv_field(r.response),
            @extschema@._pg_intent_csv_field(r.category),
            @extschema@._pg_intent_csv_field(r.source),
            coalesce(r.quality_score::text, ''),
            to_json(r.created_at) #>> '{}')  -- ISO 8601 whatever the DateStyle
        FROM @extschema@._pg_intent_export_rows(p_min_confidence, p_only_reviewed, p_min_quality) r
        ORDER BY r.created_at, r.id;
    ELSE
        SELECT pv.id, pv.system_prompt, pv.version INTO v_prompt_id, v_prompt, v_prompt_version
        FROM @extschema@.ai_prompt_versions pv
        WHERE pv.is_active
        ORDER BY pv.created_at DESC, pv.id DESC
        LIMIT 1;
        RETURN QUERY
        SELECT json_build_object(
            'messages',
            CASE WHEN v_prompt IS NOT NULL THEN
                json_build_array(json_build_object('role', 'system', 'content', v_prompt),
                                 json_build_object('role', 'user', 'content', r.text),
                                 json_build_object('role', 'assistant', 'content', r.response))
            ELSE
                json_build_array(json_build_object('role', 'user', 'content', r.text),
                                 json_build_object('role', 'assistant', 'content', r.response))
            END,
            'metadata', json_build_object(
                'id', r.id, 'intent', r.intent, 'detected_intent', r.detected_intent,
                'corrected_by_human', r.corrected_by_human, 'confidence_score', r.confidence_score,
                'quality_score', r.quality_score, 'category', r.category, 'source', r.source,
                'escalated', r.escalated, 'prompt_version_id', v_prompt_id,
                'prompt_version', v_prompt_version))::text
        FROM @extschema@._pg_intent_export_rows(p_min_confidence, p_only_reviewed, p_min_quality) r
        WHERE r.response IS NOT NULL
        ORDER BY r.created_at, r.id;
    END IF;
END
$$;
COMMENT ON FUNCTION @extschema@.export_training_dataset(text, integer, boolean, integer) IS
    'Exports labelled samples (label = correction, else detection; rejected rows left out; p_min_confidence applies to unreviewed rows; p_min_quality keeps rows with quality_score >= it), oldest first, one line per row: jsonl, csv (header + RFC 4180 quoting) or chat_jsonl ({"messages": [system?, user, assistant], "metadata": {...}}, corrected response preferred, system prompt from the active ai_prompt_versions row, rows without a response skipped). Write it with psql -AtX, not COPY text format (which escapes backslashes).';

------------------------------------------------------------------------------
-- Interaction quality
------------------------------------------------------------------------------

-- Internal: folds text for cue matching: lower case, no accents, every run
-- of punctuation or spaces turned into one space, padded with spaces so a
-- phrase match on ' word ' respects word boundaries.
CREATE FUNCTION @extschema@._pg_intent_fold(p_text text)
RETURNS text
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
AS $$
    SELECT ' ' || btrim(regexp_replace(
        translate(lower(p_text), 'áàâäãåéèêëíìîïóòôöõúùûüñçýÿ', 'aaaaaaeeeeiiiiooooouuuuncyy'),
        '[^a-z0-9]+', ' ', 'g')) || ' '
$$;
COMMENT ON FUNCTION @extschema@._pg_intent_fold(text) IS
    'Internal: lower-cases text, folds accented Latin letters, turns punctuation and spaces into single spaces and pads with spaces, for word-boundary cue matching.';

-- Scores a user message with the active cues, without writing anything.
CREATE FUNCTION @extschema@.score_feedback_message(p_message text)
RETURNS jsonb
LANGUAGE plpgsql STABLE PARALLEL SAFE
AS $$
DECLARE
    v_text text;
    v_result jsonb;
BEGIN
    IF p_message IS NULL THEN
        RAISE EXCEPTION 'p_message must not be null' USING ERRCODE = '22004';
    END IF;
    v_text := @extschema@._pg_intent_fold(p_message);
    WITH cues AS (
        SELECT c.id, c.kind, c.score, c.marks_success, c.pattern,
               @extschema@._pg_intent_fold(c.pattern) AS pat
        FROM @extschema@.ai_feedback_cues c
        WHERE c.is_active
    ), matched AS (
        SELECT * FROM cues c
        WHERE c.pat <> '  ' AND strpos(v_text, c.pat) > 0
    ), kept AS (
        -- a cue inside a longer matching cue (gracias in "no gracias") does not count
        SELECT * FROM matched m
        WHERE NOT EXISTS (SELECT 1 FROM matched o
                          WHERE o.pat <> m.pat AND strpos(o.pat, m.pat) > 0)
    )
    SELECT jsonb_build_object(
        'score', CASE WHEN count(*) = 0 THEN 3
                      WHEN min(k.score) < 3 THEN min(k.score)
                      ELSE max(k.score) END,
        'was_successful', coalesce(bool_or(k.marks_success), false),
        'cues', coalesce(jsonb_agg(jsonb_build_object('pattern', k.pattern, 'kind', k.kind, 'score', k.score)
                                   ORDER BY k.pat, k.id) FILTER (WHERE k.id IS NOT NULL), '[]'::jsonb))
    INTO v_result
    FROM kept k;
    RETURN v_result;
END
$$;
COMMENT ON FUNCTION @extschema@.score_feedback_message(text) IS
    'Scores a user''s follow-up message with the active ai_feedback_cues and returns {score 1-5, was_successful, cues matched} without writing anything; evaluate_interaction() uses it.';

-- Scores an interaction from the user's next message and stores the result.
CREATE FUNCTION @extschema@.evaluate_interaction(p_training_data_id uuid, p_next_user_message text)
RETURNS smallint
LANGUAGE plpgsql VOLATILE PARALLEL UNSAFE
AS $$
DECLARE
    v_eval jsonb;
    v_found boolean;
BEGIN
    IF p_training_data_id IS NULL THEN
        RAISE EXCEPTION 'p_training_data_id must not be null' USING ERRCODE = '22004';
    END IF;
    IF p_next_user_message IS NULL THEN
        RAISE EXCEPTION 'p_next_user_message must not be null' USING ERRCODE = '22004';
    END IF;
    v_eval := @extschema@.score_feedback_message(p_next_user_message);
    UPDATE @extschema@.ai_training_data d
    SET quality_score = (v_eval ->> 'score')::smallint,
        user_feedback = p_next_user_message,
        evaluated_at = now(),
        was_successful = (v_eval ->> 'was_successful')::boolean
    WHERE d.id = p_training_data_id;
    GET DIAGNOSTICS v_found = ROW_COUNT;
    IF NOT v_found THEN
        RAISE EXCEPTION 'training data row % not found', p_training_data_id
            USING ERRCODE = 'P0002';
    END IF;
    RETURN (v_eval ->> 'score')::smallint;
END
$$;
COMMENT ON FUNCTION @extschema@.evaluate_interaction(uuid, text) IS
    'Scores an interaction 1-5 from the user''s next message using ai_feedback_cues (thanks/purchase high, confusion/complaints low, neutral 3), stores quality_score, user_feedback, evaluated_at and was_successful (purchase or payment intent), and returns the score.';

------------------------------------------------------------------------------
-- Training report
------------------------------------------------------------------------------

-- Internal: a number for Markdown, or a dash when missing.
CREATE FUNCTION @extschema@._pg_intent_md_num(p_value numeric, p_digits integer DEFAULT 3)
RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE
AS $$
    SELECT coalesce(round(p_value, p_digits)::text, '–')
$$;
COMMENT ON FUNCTION @extschema@._pg_intent_md_num(numeric, integer) IS
    'Internal: rounds a number for the Markdown report; NULL becomes an en dash.';

-- Internal: text made safe for one Markdown table cell.
CREATE FUNCTION @extschema@._pg_intent_md_cell(p_value text, p_max integer DEFAULT 120)
RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE
AS $$
    SELECT CASE WHEN p_value IS NULL THEN '–' ELSE
        replace(replace(regexp_replace(
            CASE WHEN length(p_value) > p_max THEN left(p_value, p_max - 1) || '…' ELSE p_value END,
            '[\r\n\t]+', ' ', 'g'), '\', '\\'), '|', '\|') END
$$;
COMMENT ON FUNCTION @extschema@._pg_intent_md_cell(text, integer) IS
    'Internal: shortens text and escapes pipes, backslashes and line breaks so it fits in a Markdown table cell.';

-- A Markdown report of a training run (the latest by default).
CREATE FUNCTION @extschema@.training_report(p_run_id uuid DEFAULT NULL)
RETURNS text
LANGUAGE plpgsql STABLE PARALLEL SAFE
AS $$
DECLARE
    r @extschema@.ai_training_runs%ROWTYPE;
    v_version text;
    v_rep jsonb;
    v_m jsonb;
    v_b jsonb;
    v_out text[] := '{}';
    v_lines text[];
    v_line text;
BEGIN
    IF p_run_id IS NULL THEN
        SELECT * INTO r FROM @extschema@.ai_training_runs ORDER BY started_at DESC, id LIMIT 1;
        IF NOT FOUND THEN
            RAISE EXCEPTION 'no training run found'
                USING ERRCODE = 'P0002', HINT = 'Run train_intent_model() first.';
        END IF;
    ELSE
        SELECT * INTO r FROM @extschema@.ai_training_runs WHERE id = p_run_id;
        IF NOT FOUND THEN
            RAISE EXCEPTION 'training run % not found', p_run_id USING ERRCODE = 'P0002';
        END IF;
    END IF;
    SELECT m.version INTO v_version FROM @extschema@.ai_intent_models m WHERE m.id = r.model_id;
    v_rep := coalesce(r.metrics, '{}'::jsonb);
    v_m := coalesce(v_rep -> 'metrics', '{}'::jsonb);
    v_b := v_rep -> 'baseline_metrics';

    v_out := v_out || format('# Training report: %s', coalesce(r.run_name, r.id::text))
                   || ''::text
                   || format('- **Run:** `%s` (%s)', r.id, coalesce(r.run_type, '–'))
                   || format('- **Status:** %s', r.status)
                   || format('- **Started:** %s; **duration:** %s s',
                             to_char(r.started_at, 'YYYY-MM-DD HH24:MI:SS TZ'),
                             @extschema@._pg_intent_md_num(r.duration_seconds::numeric, 1))
                   || format('- **Model:** %s', CASE WHEN r.model_id IS NULL THEN 'none'
                                                     ELSE format('%s (`%s`)', r.model_id, v_version) END);
    IF r.status <> 'completed' THEN
        IF r.error IS NOT NULL THEN
            v_out := v_out || format('- **Error:** %s', @extschema@._pg_intent_md_cell(r.error, 500));
        END IF;
        -- a run that failed before training (or is still running) has nothing more to show
        IF r.training_samples IS NULL AND NOT v_rep ? 'metrics' THEN
            RETURN array_to_string(v_out, E'\n') || E'\n';
        END IF;
    END IF;

    v_out := v_out || ''::text || '## Data'::text || ''::text
                   || '| split | samples |'::text || '|---|---:|'::text
                   || format('| training | %s |', coalesce(r.training_samples::text, '–'))
                   || format('| validation | %s |', coalesce(r.validation_samples::text, '–'))
                   || format('| test | %s |', coalesce(r.test_samples::text, '–'))
                   || ''::text
                   || format('- **Intents:** %s', coalesce(r.total_intents::text, '–'));
    IF v_rep ? 'duplicates_removed' OR v_rep ? 'conflicts_resolved' OR v_rep ? 'empty_removed' THEN
        v_out := v_out || format('- **Cleaning:** %s duplicates removed, %s label conflicts resolved, %s empty texts removed',
                                 coalesce(v_rep ->> 'duplicates_removed', '0'),
                                 coalesce(v_rep ->> 'conflicts_resolved', '0'),
                                 coalesce(v_rep ->> 'empty_removed', '0'));
    END IF;
    IF jsonb_typeof(v_rep -> 'small_classes') = 'array' AND jsonb_array_length(v_rep -> 'small_classes') > 0 THEN
        v_out := v_out || format('- **Small classes:** %s',
            (SELECT string_agg(@extschema@._pg_intent_md_cell(x #>> '{}'), ', ')
             FROM jsonb_array_elements(v_rep -> 'small_classes') x));
    END IF;

    v_out := v_out || ''::text || '## Headline metrics (test split)'::text || ''::text
                   || '| metric | new model | baseline | change |'::text || '|---|---:|---:|---:|'::text;
    FOR v_line IN
        SELECT format('| %s | %s | %s | %s |', k.label,
                      @extschema@._pg_intent_md_num(k.new_v), @extschema@._pg_intent_md_num(k.base_v),
                      CASE WHEN k.new_v IS NULL OR k.base_v IS NULL THEN '–'
                           ELSE to_char(round(k.new_v - k.base_v, 3), 'SG0.000') END)
        FROM (VALUES
            (1, 'accuracy', coalesce(r.intent_accuracy::numeric, (v_m ->> 'accuracy')::numeric),
                coalesce(r.baseline_intent_accuracy::numeric, (v_b ->> 'accuracy')::numeric)),
            (2, 'macro precision', coalesce(r.intent_precision::numeric, (v_m ->> 'precision')::numeric,
                (v_m ->> 'macro_precision')::numeric),
                coalesce((v_b ->> 'precision')::numeric, (v_b ->> 'macro_precision')::numeric)),
            (3, 'macro recall', coalesce(r.intent_recall::numeric, (v_m ->> 'recall')::numeric,
                (v_m ->> 'macro_recall')::numeric),
                coalesce((v_b ->> 'recall')::numeric, (v_b ->> 'macro_recall')::numeric)),
            (4, 'macro F1', coalesce(r.intent_f1_score::numeric, (v_m ->> 'f1')::numeric,
                (v_m ->> 'macro_f1')::numeric),
                coalesce(r.baseline_f1_score::numeric, (v_b ->> 'f1')::numeric, (v_b ->> 'macro_f1')::numeric))
        ) AS k(ord, label, new_v, base_v)
        ORDER BY k.ord
    LOOP
        v_out := v_out || v_line;
    END LOOP;
    v_out := v_out || ''::text
        || format('- **Deploy decision:** %s%s',
                  CASE WHEN r.deployed THEN 'deployed' WHEN r.status = 'completed' THEN 'not deployed'
                       ELSE 'no model' END,
                  CASE WHEN r.deploy_reason IS NOT NULL THEN format(' (%s)', r.deploy_reason) ELSE '' END);
    IF v_rep ? 'threshold' THEN
        v_out := v_out || format('- **Abstain threshold:** %s (coverage on test %s, accuracy of accepted rows %s)',
                                 @extschema@._pg_intent_md_num((v_rep #>> '{threshold,value}')::numeric),
                                 @extschema@._pg_intent_md_num(coalesce((v_m ->> 'coverage')::numeric,
                                                                        (v_rep ->> 'coverage')::numeric)),
                                 @extschema@._pg_intent_md_num(coalesce((v_m ->> 'accepted_accuracy')::numeric,
                                                                        (v_rep ->> 'accepted_accuracy')::numeric)));
    END IF;

    IF jsonb_typeof(v_m -> 'per_intent') = 'object' THEN
        v_out := v_out || ''::text || '## Per intent'::text || ''::text
                       || '| intent | precision | recall | F1 | support |'::text
                       || '|---|---:|---:|---:|---:|'::text;
        FOR v_line IN
            SELECT format('| %s | %s | %s | %s | %s |', @extschema@._pg_intent_md_cell(e.key),
                          @extschema@._pg_intent_md_num((e.value ->> 'precision')::numeric),
                          @extschema@._pg_intent_md_num((e.value ->> 'recall')::numeric),
                          @extschema@._pg_intent_md_num((e.value ->> 'f1')::numeric),
                          coalesce(e.value ->> 'support', '–'))
            FROM jsonb_each(v_m -> 'per_intent') e
            ORDER BY (e.value ->> 'f1')::numeric NULLS FIRST, e.key
        LOOP
            v_out := v_out || v_line;
        END LOOP;
    END IF;

    IF jsonb_typeof(v_m #> '{confusion,matrix}') = 'array' THEN
        -- confusion matrix rows are true intents, columns predicted intents
        SELECT array_agg(h.line ORDER BY h.n DESC, h.i, h.j) INTO v_lines
        FROM (
            SELECT format('| %s | %s | %s |',
                          @extschema@._pg_intent_md_cell(v_m #>> array['confusion','labels',(t.i - 1)::text]),
                          @extschema@._pg_intent_md_cell(v_m #>> array['confusion','labels',(p.j - 1)::text]),
                          p.n) AS line, p.n, t.i, p.j
            FROM jsonb_array_elements(v_m #> '{confusion,matrix}') WITH ORDINALITY AS t(rowv, i)
            CROSS JOIN LATERAL (
                SELECT c.j, (c.cell #>> '{}')::bigint AS n
                FROM jsonb_array_elements(t.rowv) WITH ORDINALITY AS c(cell, j)) p
            WHERE p.j <> t.i AND p.n > 0
            ORDER BY p.n DESC, t.i, p.j
            LIMIT 10) h;
        v_out := v_out || ''::text || '## Confusion hot spots (test split)'::text || ''::text;
        IF v_lines IS NULL THEN
            v_out := v_out || 'No confusions on the test split.'::text;
        ELSE
            v_out := v_out || '| true intent | predicted as | count |'::text || '|---|---|---:|'::text
                           || v_lines;
        END IF;
    END IF;

    IF jsonb_typeof(v_m -> 'misclassified') = 'array' THEN
        v_out := v_out || ''::text
                       || format('## Misclassified examples (%s on the test split)',
                                 jsonb_array_length(v_m -> 'misclassified'))
                       || ''::text;
        IF jsonb_array_length(v_m -> 'misclassified') = 0 THEN
            v_out := v_out || 'None.'::text;
        ELSE
            v_out := v_out || '| text | expected | predicted | confidence |'::text
                           || '|---|---|---|---:|'::text;
            FOR v_line IN
                SELECT format('| %s | %s | %s | %s |', @extschema@._pg_intent_md_cell(x ->> 'text'),
                              @extschema@._pg_intent_md_cell(x ->> 'expected'),
                              @extschema@._pg_intent_md_cell(x ->> 'predicted'),
                              @extschema@._pg_intent_md_num((x ->> 'confidence')::numeric, 2))
                FROM jsonb_array_elements(v_m -> 'misclassified') WITH ORDINALITY AS a(x, n)
                ORDER BY a.n
                LIMIT 20
            LOOP
                v_out := v_out || v_line;
            END LOOP;
        END IF;
    END IF;

    IF jsonb_typeof(v_m -> 'calibration') = 'object' THEN
        v_out := v_out || ''::text || '## Calibration (test split)'::text || ''::text
                       || format('- **Expected calibration error (ECE):** %s',
                                 @extschema@._pg_intent_md_num((v_m #>> '{calibration,ece}')::numeric, 4))
                       || format('- **Brier score:** %s',
                                 @extschema@._pg_intent_md_num((v_m #>> '{calibration,brier}')::numeric, 4));
        IF v_b IS NOT NULL AND jsonb_typeof(v_b -> 'calibration') = 'object' THEN
            v_out := v_out || format('- **Baseline ECE / Brier:** %s / %s',
                                     @extschema@._pg_intent_md_num((v_b #>> '{calibration,ece}')::numeric, 4),
                                     @extschema@._pg_intent_md_num((v_b #>> '{calibration,brier}')::numeric, 4));
        END IF;
    END IF;

    RETURN array_to_string(v_out, E'\n') || E'\n';
END
$$;
COMMENT ON FUNCTION @extschema@.training_report(uuid) IS
    'Markdown report of a training run (the latest when p_run_id is NULL): data sizes, headline test metrics against the baseline, the deploy decision, per-intent table, confusion hot spots, misclassified examples and calibration.';

------------------------------------------------------------------------------
-- Champion / challenger
------------------------------------------------------------------------------

-- Scores a message with the active model and a challenger, and logs both.
CREATE FUNCTION @extschema@.shadow_predict(
    p_message text, p_challenger_model_id bigint, p_training_data_id uuid DEFAULT NULL)
RETURNS jsonb
LANGUAGE plpgsql VOLATILE PARALLEL UNSAFE
AS $$
DECLARE
    c record;
    x record;
    v_id bigint;
    v_agreed boolean;
BEGIN
    IF p_message IS NULL THEN
        RAISE EXCEPTION 'p_message must not be null' USING ERRCODE = '22004';
    END IF;
    IF p_challenger_model_id IS NULL THEN
        RAISE EXCEPTION 'p_challenger_model_id must not be null' USING ERRCODE = '22004';
    END IF;
    IF NOT EXISTS (SELECT 1 FROM @extschema@.ai_intent_models m WHERE m.id = p_challenger_model_id) THEN
        RAISE EXCEPTION 'model % not found', p_challenger_model_id USING ERRCODE = 'P0002';
    END IF;
    IF EXISTS (SELECT 1 FROM @extschema@.ai_intent_models m
               WHERE m.id = p_challenger_model_id AND m.is_active) THEN
        RAISE EXCEPTION 'invalid value for p_challenger_model_id: %', p_challenger_model_id
            USING ERRCODE = '22023', DETAIL = 'The challenger is the active model.',
                  HINT = 'Choose a model that is not deployed.';
    END IF;
    IF p_training_data_id IS NOT NULL
       AND NOT EXISTS (SELECT 1 FROM @extschema@.ai_training_data d WHERE d.id = p_training_data_id) THEN
        RAISE EXCEPTION 'training data row % not found', p_training_data_id USING ERRCODE = 'P0002';
    END IF;

    SELECT * INTO c FROM @extschema@.predict_intent(p_message);
    SELECT * INTO x FROM @extschema@.predict_intent(p_message, p_challenger_model_id);
    v_agreed := c.predicted_intent IS NOT DISTINCT FROM x.predicted_intent;

    INSERT INTO @extschema@.ai_shadow_predictions
        (training_data_id, message, champion_model_id, champion_intent, champion_confidence,
         champion_uncertain, challenger_model_id, challenger_intent, challenger_confidence,
         challenger_uncertain, agreed)
    VALUES (p_training_data_id, p_message, c.model_id, c.predicted_intent, c.confidence,
            c.uncertain, p_challenger_model_id, x.predicted_intent, x.confidence, x.uncertain, v_agreed)
    RETURNING id INTO v_id;

    RETURN jsonb_build_object(
        'shadow_id', v_id,
        'training_data_id', p_training_data_id,
        'agreed', v_agreed,
        'champion', jsonb_build_object('model_id', c.model_id, 'predicted_intent', c.predicted_intent,
                                       'confidence', c.confidence, 'uncertain', c.uncertain,
                                       'top_intents', c.top_intents),
        'challenger', jsonb_build_object('model_id', x.model_id, 'predicted_intent', x.predicted_intent,
                                         'confidence', x.confidence, 'uncertain', x.uncertain,
                                         'top_intents', x.top_intents));
END
$$;
COMMENT ON FUNCTION @extschema@.shadow_predict(text, bigint, uuid) IS
    'Champion/challenger: classifies p_message with the active model and with p_challenger_model_id, logs both to ai_shadow_predictions (linked to p_training_data_id when given) and returns {shadow_id, agreed, champion, challenger}. Serve the champion''s answer; the challenger only shadows.';

CREATE VIEW @extschema@.ai_shadow_agreement WITH (security_invoker = true) AS
WITH s AS (
    SELECT sp.*,
           CASE WHEN d.correct_intent IS NOT NULL THEN d.correct_intent
                WHEN d.intent_correct THEN d.detected_intent END AS true_intent
    FROM @extschema@.ai_shadow_predictions sp
    LEFT JOIN @extschema@.ai_training_data d ON d.id = sp.training_data_id
), g AS (
    SELECT s.challenger_model_id,
           count(*) AS predictions,
           count(*) FILTER (WHERE s.agreed) AS agreements,
           count(*) FILTER (WHERE s.true_intent IS NOT NULL) AS labelled,
           count(*) FILTER (WHERE s.true_intent IS NOT NULL AND s.champion_intent = s.true_intent) AS champion_correct,
           count(*) FILTER (WHERE s.true_intent IS NOT NULL AND s.challenger_intent = s.true_intent) AS challenger_correct,
           array_agg(DISTINCT s.champion_model_id) FILTER (WHERE s.champion_model_id IS NOT NULL) AS champion_model_ids,
           min(s.created_at) AS first_at,
           max(s.created_at) AS last_at
    FROM s
    GROUP BY s.challenger_model_id
)
SELECT g.challenger_model_id, m.version AS challenger_version, g.champion_model_ids,
       g.predictions, g.agreements,
       round(100.0 * g.agreements / g.predictions, 2) AS agreement_rate,
       g.labelled, g.champion_correct, g.challenger_correct,
       CASE WHEN g.labelled > 0 THEN round(100.0 * g.champion_correct / g.labelled, 2) END AS champion_accuracy,
       CASE WHEN g.labelled > 0 THEN round(100.0 * g.challenger_correct / g.labelled, 2) END AS challenger_accuracy,
       CASE WHEN g.labelled = 0 THEN NULL
            WHEN g.challenger_correct > g.champion_correct THEN 'challenger'
            WHEN g.challenger_correct < g.champion_correct THEN 'champion'
            ELSE 'tie' END AS better_model,
       g.first_at, g.last_at
FROM g
LEFT JOIN @extschema@.ai_intent_models m ON m.id = g.challenger_model_id
ORDER BY g.challenger_model_id;
COMMENT ON VIEW @extschema@.ai_shadow_agreement IS
    'Per challenger model: shadow predictions, agreement rate with the champion (%), and, on rows with a human label (correction, or a confirmed detection), how often each model was right and which did better.';
