-- Tables, indexes and seed rows of pg_intent: run by CREATE EXTENSION only.
-- An existing database reaches the same shape through the upgrade scripts
-- (src/sql/upgrade/), and test/scripts/upgrade.sh checks that both agree.
-- Names and columns follow the seed system's Supabase schema so that
-- existing dashboards and queries keep working. Every table holds user data,
-- so each one (and each sequence) is marked with pg_extension_config_dump()
-- and pg_dump keeps its rows.

-- -------------------------------------------------------------------------
-- ai_training_data: every interaction the assistant handled
-- -------------------------------------------------------------------------
CREATE TABLE @extschema@.ai_training_data (
    id                 uuid        PRIMARY KEY DEFAULT gen_random_uuid(),
    conversation_id    uuid,
    message_id         uuid,
    user_id            uuid,
    user_message       text        NOT NULL,
    detected_intent    text
        CONSTRAINT ai_training_data_detected_intent_check
        CHECK (@extschema@.is_valid_intent_name(detected_intent)),
    correct_intent     text
        CONSTRAINT ai_training_data_correct_intent_check
        CHECK (@extschema@.is_valid_intent_name(correct_intent)),
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
        -- COMPAT(0.1.0) used_in_training: 0.1.0 wrote it (src/sql/17_compat_010.sql).
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
    updated_at         timestamptz NOT NULL DEFAULT now(),
    was_successful     boolean,
    -- The one definition of a training row (0.2.1; last, where the upgrade
    -- adds them): every reader (training, get_training_dataset(), the usable
    -- sample count, the export, ai_intent_performance) reads these columns.
    training_label     text GENERATED ALWAYS AS (
        CASE WHEN dataset_status <> 'rejected'
              AND NOT (intent_correct IS FALSE AND nullif(correct_intent, '') IS NULL)
              AND @extschema@.is_valid_intent_name(coalesce(nullif(correct_intent, ''), nullif(detected_intent, '')))
             THEN coalesce(nullif(correct_intent, ''), nullif(detected_intent, '')) END) STORED,
    is_reviewed        boolean NOT NULL GENERATED ALWAYS AS (
        corrected_by_human OR intent_correct IS NOT NULL OR dataset_status IN ('reviewed', 'approved')) STORED
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
COMMENT ON COLUMN @extschema@.ai_training_data.training_label IS
    'Generated: the label training uses for this row (the correction, else the detected intent), NULL when the row does not train: no label, a label is_valid_intent_name() refuses, rejected, or judged wrong (intent_correct false) without a correction.';
COMMENT ON COLUMN @extschema@.ai_training_data.is_reviewed IS
    'Generated: a person set or confirmed the label (a correction, a judgement in intent_correct, or dataset_status reviewed or approved). Only reviewed rows judge the active model, and only they train under ai_training_policy.only_reviewed.';
COMMENT ON COLUMN @extschema@.ai_training_data.model_id IS
    'The ai_intent_models row that made the prediction (no foreign key, so old models can be deleted).';

CREATE INDEX ai_training_data_detected_intent_idx ON @extschema@.ai_training_data (detected_intent);
CREATE INDEX ai_training_data_correct_intent_idx ON @extschema@.ai_training_data (correct_intent);
CREATE INDEX ai_training_data_dataset_status_idx ON @extschema@.ai_training_data (dataset_status);
CREATE INDEX ai_training_data_corrected_by_human_idx ON @extschema@.ai_training_data (corrected_by_human);
CREATE INDEX ai_training_data_created_at_idx ON @extschema@.ai_training_data (created_at);
-- should_retrain() counts the rows corrected since the last run; most rows
-- are never corrected, so the index holds only those that were.
CREATE INDEX ai_training_data_corrected_at_idx ON @extschema@.ai_training_data (corrected_at)
    WHERE corrected_at IS NOT NULL;
COMMENT ON COLUMN @extschema@.ai_training_data.was_successful IS
    'Set by evaluate_interaction(): true when the user''s next message shows purchase or payment intent, false otherwise; NULL = not evaluated.';

-- -------------------------------------------------------------------------
-- ai_intent_corrections: the audit trail of human corrections
-- -------------------------------------------------------------------------
CREATE TABLE @extschema@.ai_intent_corrections (
    id               uuid        PRIMARY KEY DEFAULT gen_random_uuid(),
    training_data_id uuid        NOT NULL, -- ai_training_data.id (src/sql/12_references.sql)
    original_intent  text,
    corrected_intent text        NOT NULL
        CONSTRAINT ai_intent_corrections_corrected_intent_check
        CHECK (@extschema@.is_valid_intent_name(corrected_intent)),
    was_mismatch     boolean     NOT NULL DEFAULT false,
    notes            text,
    corrected_by     uuid,
    created_at       timestamptz NOT NULL DEFAULT now(),
    recorded_by      text        DEFAULT session_user
);
COMMENT ON TABLE @extschema@.ai_intent_corrections IS
    'One row per human intent correction, written by submit_intent_correction().';
COMMENT ON COLUMN @extschema@.ai_intent_corrections.original_intent IS
    'Intent the assistant had detected: the row''s stored detected_intent when the correction was recorded. Set by the server for every role but the owner.';
COMMENT ON COLUMN @extschema@.ai_intent_corrections.corrected_intent IS
    'Intent the reviewer says is right.';
COMMENT ON COLUMN @extschema@.ai_intent_corrections.was_mismatch IS
    'Set by a trigger: true when the corrected intent differs from the original one.';
COMMENT ON COLUMN @extschema@.ai_intent_corrections.corrected_by IS
    'Reviewer in the application (no foreign key): the JWT subject under PostgREST, else the p_corrector_id the caller passed. Set by the server for every role but the owner.';
COMMENT ON COLUMN @extschema@.ai_intent_corrections.created_at IS
    'When the correction was made: now() of its transaction, set by the server for every role but the owner.';
COMMENT ON COLUMN @extschema@.ai_intent_corrections.recorded_by IS
    'Who made the correction: the JWT subject (or role) under PostgREST, else the session user. Set by the server for every role but the owner; NULL for corrections made before 0.2.1.';

CREATE INDEX ai_intent_corrections_training_data_id_idx
    ON @extschema@.ai_intent_corrections (training_data_id);
CREATE INDEX ai_intent_corrections_created_at_idx
    ON @extschema@.ai_intent_corrections (created_at);

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
        CHECK (deploy_reason IN ('first', 'improved', 'within_tolerance', 'manual', 'regression', 'never',
                                 'untested', 'baseline_changed', 'insufficient_evidence', 'tie',
                                 'fallback_better')),
    started_at               timestamptz NOT NULL DEFAULT now(),
    finished_at              timestamptz,
    duration_seconds         double precision,
    deploy_evidence          text
        CONSTRAINT ai_training_runs_deploy_evidence_check
        CHECK (deploy_evidence IN ('fresh_rows', 'estimates', 'none', 'fallback_rows', 'fallback_estimates'))
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
    'first, improved, within_tolerance or manual when deployed; regression, never, untested (no evaluation rows), baseline_changed (another model was deployed while the run trained), insufficient_evidence (nothing to compare the active model with) or tie (right on exactly as many fresh rows as the active model, macro F1 no higher) when not.';
COMMENT ON COLUMN @extschema@.ai_training_runs.deploy_evidence IS
    'What the deploy rule compared: fresh_rows (both models on reviewed rows the active model never trained on), estimates (too few such rows: the new model''s out-of-fold F1 against the active model''s recorded estimate) or none (first, manual or never).';

CREATE INDEX ai_training_runs_started_at_idx ON @extschema@.ai_training_runs (started_at);
CREATE INDEX ai_training_runs_status_idx ON @extschema@.ai_training_runs (status);

-- -------------------------------------------------------------------------
-- ai_intent_models: the trained models
-- -------------------------------------------------------------------------
CREATE TABLE @extschema@.ai_intent_models (
    id                   bigserial   PRIMARY KEY,
    version              text        NOT NULL
        CONSTRAINT ai_intent_models_version_key UNIQUE,
    run_id               uuid, -- ai_training_runs.id (src/sql/12_references.sql)
    algorithm            text        NOT NULL,
    model                bytea,
    size_bytes           integer     NOT NULL,
    sha256               text        NOT NULL,
    intents              text[]      NOT NULL,
    metrics              jsonb,
    confidence_threshold double precision
        CONSTRAINT ai_intent_models_confidence_threshold_check
        CHECK (confidence_threshold BETWEEN 0::double precision AND 1::double precision),
    is_active            boolean     NOT NULL DEFAULT false,
    created_at           timestamptz NOT NULL DEFAULT now(),
    deployed_at          timestamptz,
    deleted_at           timestamptz
);
COMMENT ON TABLE @extschema@.ai_intent_models IS
    'Trained intent models (serialized) with their test metrics. At most one row is active; predict_intent() and classify_intent() use it.';
COMMENT ON COLUMN @extschema@.ai_intent_models.version IS
    'Human-readable version, v<YYYYMMDD_HH24MISS> of the training time.';
COMMENT ON COLUMN @extschema@.ai_intent_models.algorithm IS
    'Learner used, e.g. linear_svm or logistic_regression.';
COMMENT ON COLUMN @extschema@.ai_intent_models.model IS
    'The serialized model; intent_model_info() describes it. NULL once delete_intent_model() removed it.';
COMMENT ON COLUMN @extschema@.ai_intent_models.size_bytes IS
    'Size of the serialized model in bytes.';
COMMENT ON COLUMN @extschema@.ai_intent_models.sha256 IS
    'Hex SHA-256 of the serialized model. A change of model sets it, and size_bytes, from the new bytes (a trigger), so that every session loads them; setting model to NULL keeps both.';
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
COMMENT ON COLUMN @extschema@.ai_intent_models.deleted_at IS
    'When delete_intent_model() removed the model bytes; the row stays for the history.';

-- At most one active model per classifier: src/sql/schema/60_classifiers.sql.
CREATE INDEX ai_intent_models_run_id_idx ON @extschema@.ai_intent_models (run_id);

-- -------------------------------------------------------------------------
-- ai_model_deployments: every activation of a model, for audit and rollback
-- -------------------------------------------------------------------------
CREATE TABLE @extschema@.ai_model_deployments (
    id                bigserial   PRIMARY KEY,
    model_id          bigint      NOT NULL, -- ai_intent_models.id (src/sql/12_references.sql)
    previous_model_id bigint, -- ai_intent_models.id (src/sql/12_references.sql)
    run_id            uuid, -- ai_training_runs.id (src/sql/12_references.sql)
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
    'Who made the deployment: the JWT subject (or role) under PostgREST, else the session user (before 0.2.1: the session user).';

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
    -- The percentages above as fractions 0-1 (docs/dashboards.md: one
    -- scale per kind of number), derived so they always agree; last, as
    -- the 0.2.2 upgrade adds them.
    escalation_rate_fraction numeric GENERATED ALWAYS AS (round(escalation_rate / 100, 4)) STORED,
    avg_confidence_fraction  numeric GENERATED ALWAYS AS (round(avg_confidence / 100, 4)) STORED,
    intent_accuracy_fraction numeric GENERATED ALWAYS AS (round(intent_accuracy / 100, 4)) STORED,
    correction_rate_fraction numeric GENERATED ALWAYS AS (round(correction_rate / 100, 4)) STORED,
    CONSTRAINT ai_metrics_snapshots_period_key UNIQUE (period_type, period_start),
    CONSTRAINT ai_metrics_snapshots_period_check CHECK (period_end > period_start),
    -- Two snapshots of one period type never cover the same time (a day cut
    -- in UTC and one cut in Asia/Kolkata counted messages twice). One
    -- constraint per type: a single one would need btree_gist for the type.
    CONSTRAINT ai_metrics_snapshots_hourly_overlap EXCLUDE USING gist (tstzrange(period_start, period_end) WITH &&)
        WHERE (period_type = 'hourly'),
    CONSTRAINT ai_metrics_snapshots_daily_overlap EXCLUDE USING gist (tstzrange(period_start, period_end) WITH &&)
        WHERE (period_type = 'daily'),
    CONSTRAINT ai_metrics_snapshots_weekly_overlap EXCLUDE USING gist (tstzrange(period_start, period_end) WITH &&)
        WHERE (period_type = 'weekly'),
    CONSTRAINT ai_metrics_snapshots_monthly_overlap EXCLUDE USING gist (tstzrange(period_start, period_end) WITH &&)
        WHERE (period_type = 'monthly')
);
COMMENT ON TABLE @extschema@.ai_metrics_snapshots IS
    'Metrics of one complete period (hourly, daily, weekly or monthly, cut in ai_training_policy.snapshot_time_zone), frozen; one row per period, and no two rows of one period type overlap.';
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
COMMENT ON COLUMN @extschema@.ai_metrics_snapshots.escalation_rate_fraction IS
    'Fraction (0-1) of messages escalated to a human: escalation_rate / 100.';
COMMENT ON COLUMN @extschema@.ai_metrics_snapshots.avg_confidence_fraction IS
    'Average confidence_score of the period''s messages as a fraction (0-1): avg_confidence / 100.';
COMMENT ON COLUMN @extschema@.ai_metrics_snapshots.intent_accuracy_fraction IS
    'Fraction (0-1) of reviewed messages whose detected intent was right: intent_accuracy / 100.';
COMMENT ON COLUMN @extschema@.ai_metrics_snapshots.correction_rate_fraction IS
    'Fraction (0-1) of messages corrected by a human: correction_rate / 100.';
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

SELECT pg_catalog.pg_extension_config_dump('@extschema@.ai_feedback_cues', 'WHERE NOT is_seed OR modified_at IS NOT NULL');
SELECT pg_catalog.pg_extension_config_dump('@extschema@.ai_feedback_cues_id_seq', '');

-- Champion/challenger log written by shadow_predict().
CREATE TABLE @extschema@.ai_shadow_predictions (
    id                    bigserial PRIMARY KEY,
    -- ai_training_data.id (src/sql/12_references.sql). No copy of the message:
    -- readers get it from ai_training_data with their own rights (0.2.0 kept
    -- the text here, where row-level security on ai_training_data did not
    -- hide it).
    training_data_id      uuid,
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
    'One row per shadow_predict() call: what the active (champion) model and a challenger model predicted for the same message, and whether they agreed. The message is not stored: a call linked to an ai_training_data row (training_data_id) reads it there, with the reader''s rights.';
COMMENT ON COLUMN @extschema@.ai_shadow_predictions.agreed IS
    'True when both models predicted the same intent (abstain flags are not compared).';
SELECT pg_catalog.pg_extension_config_dump('@extschema@.ai_shadow_predictions', '');
SELECT pg_catalog.pg_extension_config_dump('@extschema@.ai_shadow_predictions_id_seq', '');
