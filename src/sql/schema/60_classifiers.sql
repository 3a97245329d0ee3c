-- New in 0.3.0 (also run by the upgrade, which includes this file after
-- dropping the 0.2.2 index that only knew one classifier).

-- -------------------------------------------------------------------------
-- ai_classifiers: the named classifiers of the database
-- -------------------------------------------------------------------------
-- A classifier is a labelled source (a table or view, read as the
-- classifier's owner since 0.3.2) and its policy. Models, runs and deployments name their
-- classifier; the built-in classifier "intent" is ai_training_data with the
-- rules of 0.2 (its policy is the row of ai_training_policy, its privileges
-- the grants on train_intent_model() and deploy_intent_model()).
CREATE TABLE @extschema@.ai_classifiers (
    name             text        PRIMARY KEY
        CONSTRAINT ai_classifiers_name_check CHECK (name ~ '^[a-z][a-z0-9_]{0,62}$'),
    source           oid,
    text_column      name        NOT NULL,
    label_column     name        NOT NULL,
    key_column       name,
    time_column      name,
    weight_column    name,
    reviewed_column  name,
    partition_column name,
    policy           jsonb       NOT NULL DEFAULT '{}'
        CONSTRAINT ai_classifiers_policy_check CHECK (jsonb_typeof(policy) = 'object'),
    owner            oid,
    train_roles      oid[]       NOT NULL DEFAULT '{}',
    deploy_roles     oid[]       NOT NULL DEFAULT '{}',
    predict_roles    oid[]       NOT NULL DEFAULT '{}',
    predict_public   boolean     NOT NULL DEFAULT false,
    built_in         boolean     NOT NULL DEFAULT false,
    created_at       timestamptz NOT NULL DEFAULT now(),
    updated_at       timestamptz NOT NULL DEFAULT now(),
    -- 0.3.2 (issue 31 items 6 and 11): the classifier's identity, and the
    -- names of the roles and the source it refers to (see below)
    id               bigserial
        CONSTRAINT ai_classifiers_id_key UNIQUE,
    owner_name       name        NOT NULL,
    source_name      text,
    role_names       jsonb       NOT NULL DEFAULT '{}'
        CONSTRAINT ai_classifiers_role_names_check CHECK (jsonb_typeof(role_names) = 'object'),
    role_cluster     bigint,
    -- 0.3.2 (issue 33): the rows a person corrected, as ai_training_data's
    -- corrected_by_human (last, as the upgrade adds it)
    corrected_column name
);
-- (The table's and the source column's comments: src/sql/44_classifier_rights.sql, run by install and upgrade.)
COMMENT ON COLUMN @extschema@.ai_classifiers.key_column IS
    'A stable row id: runs record which rows and labels they trained on, and the deploy gate compares models on rows the active model never saw.';
COMMENT ON COLUMN @extschema@.ai_classifiers.time_column IS
    'When the row happened: the policy key gate_window_days makes the gate judge models on that recent window.';
COMMENT ON COLUMN @extschema@.ai_classifiers.weight_column IS
    'A positive sample weight per row (NULL or not positive: the row weighs 1).';
COMMENT ON COLUMN @extschema@.ai_classifiers.reviewed_column IS
    'Whether a person vouched for the label: only reviewed rows judge the active model, and the policy key only_reviewed trains on them alone.';
COMMENT ON COLUMN @extschema@.ai_classifiers.corrected_column IS
    'Whether a person corrected the label (NULL: not corrected): such rows train as intent''s corrected rows do, weighing corrected_weight and winning a tie between labels of the same text (0.3.2).';
COMMENT ON COLUMN @extschema@.ai_classifiers.partition_column IS
    'The tenant: one model per value with enough rows, and a shared fallback model on all rows.';
COMMENT ON COLUMN @extschema@.ai_classifiers.policy IS
    'The classifier''s policy and training options (docs/classifiers.md); keys not set follow ai_training_policy and the trainer''s defaults.';
COMMENT ON COLUMN @extschema@.ai_classifiers.predict_public IS
    'Whether every role may predict with the classifier''s deployed models.';

-- The built-in classifier's id is 0, in every database: its row is not
-- dumped (CREATE EXTENSION makes it), and its models' classifier_id must
-- name it after a restore too.
INSERT INTO @extschema@.ai_classifiers (id, name, source, source_name, text_column, label_column, key_column,
                                        time_column, reviewed_column, corrected_column, owner, owner_name,
                                        predict_public, built_in)
VALUES (0, 'intent', '@extschema@.ai_training_data'::regclass, '@extschema@.ai_training_data'::regclass::text,
        'user_message', 'training_label', 'id', 'created_at', 'is_reviewed', 'corrected_by_human',
        current_user::regrole, current_user, true, true);
SELECT pg_catalog.pg_extension_config_dump('@extschema@.ai_classifiers', 'WHERE NOT built_in');
SELECT pg_catalog.pg_extension_config_dump('@extschema@.ai_classifiers_id_seq', '');

-- -------------------------------------------------------------------------
-- Models, runs and deployments name their classifier and partition
-- -------------------------------------------------------------------------
ALTER TABLE @extschema@.ai_intent_models
    ADD COLUMN classifier    text NOT NULL DEFAULT 'intent',
    ADD COLUMN partition_key text,
    ADD CONSTRAINT ai_intent_models_intent_partition_check
        CHECK (classifier <> 'intent' OR partition_key IS NULL);
COMMENT ON COLUMN @extschema@.ai_intent_models.classifier IS
    'The classifier (ai_classifiers.name) the model belongs to; only that classifier deploys it.';
COMMENT ON COLUMN @extschema@.ai_intent_models.partition_key IS
    'The partition value the model was trained for; NULL for an unpartitioned classifier''s model and for the shared fallback.';

ALTER TABLE @extschema@.ai_training_runs
    ADD COLUMN classifier    text NOT NULL DEFAULT 'intent',
    ADD COLUMN partition_key text,
    ADD COLUMN batch_id      uuid;
COMMENT ON COLUMN @extschema@.ai_training_runs.classifier IS
    'The classifier (ai_classifiers.name) trained.';
COMMENT ON COLUMN @extschema@.ai_training_runs.partition_key IS
    'The partition value trained; NULL for an unpartitioned classifier and for the shared fallback.';
COMMENT ON COLUMN @extschema@.ai_training_runs.batch_id IS
    'The train_classifier() call the run belongs to (a partitioned classifier trains one run per partition and one for the fallback).';

ALTER TABLE @extschema@.ai_model_deployments
    ADD COLUMN classifier    text NOT NULL DEFAULT 'intent',
    ADD COLUMN partition_key text;
COMMENT ON COLUMN @extschema@.ai_model_deployments.classifier IS
    'The classifier whose deployed model changed.';
COMMENT ON COLUMN @extschema@.ai_model_deployments.partition_key IS
    'The partition whose deployed model changed; NULL for the unpartitioned or fallback model.';

-- At most one active model per classifier and partition (NULL, the
-- fallback, is one partition). The built-in classifier keeps an index of
-- its own, which the prediction path scans for its active model (created
-- first, so a second active intent model is reported against it, as in 0.2).
CREATE UNIQUE INDEX ai_intent_models_one_active_idx
    ON @extschema@.ai_intent_models (is_active) WHERE is_active AND classifier = 'intent';
CREATE UNIQUE INDEX ai_intent_models_active_idx
    ON @extschema@.ai_intent_models (classifier, partition_key) NULLS NOT DISTINCT WHERE is_active;
COMMENT ON COLUMN @extschema@.ai_intent_models.is_active IS
    'True for a deployed model: at most one per classifier and partition (a unique partial index).';
CREATE INDEX ai_training_runs_classifier_idx
    ON @extschema@.ai_training_runs (classifier, partition_key, started_at);

-- -------------------------------------------------------------------------
-- ai_classifier_run_rows: which source rows a classifier's run trained on
-- -------------------------------------------------------------------------
-- For classifiers with a key_column: the gate's fresh rows are those the
-- active model's run did not train on, or trained on with another label.
-- (The built-in classifier records its rows in ai_training_run_rows.)
CREATE TABLE @extschema@.ai_classifier_run_rows (
    run_id            uuid NOT NULL, -- ai_training_runs.id (src/sql/12_references.sql)
    row_key           text NOT NULL,
    label             text NOT NULL,
    fresh             boolean NOT NULL DEFAULT false,
    fold              smallint,
    predicted_label   text,
    confidence        real,
    label_probability real,
    uncertain         boolean,
    CONSTRAINT ai_classifier_run_rows_pkey PRIMARY KEY (run_id, row_key)
);
COMMENT ON TABLE @extschema@.ai_classifier_run_rows IS
    'One row per source row a classifier''s training run read (classifiers with a key_column): its key as text, the label read, whether the active model had not trained on it (fresh), and its out-of-fold prediction.';
SELECT pg_catalog.pg_extension_config_dump('@extschema@.ai_classifier_run_rows', '');

-- -------------------------------------------------------------------------
-- label_prediction: the row predict_label() returns
-- -------------------------------------------------------------------------
-- A named row type for the reason intent_prediction is one (its descriptor
-- is cached).
CREATE TYPE @extschema@.label_prediction AS (
    label           text,
    confidence      double precision,
    top_labels      json,
    uncertain       boolean,
    model_id        bigint,
    model_partition text
);
COMMENT ON TYPE @extschema@.label_prediction IS
    'The result of predict_label(): the label, its calibrated confidence (0-1), the top labels as json (most probable first), whether the confidence is below the abstain threshold, the model id, and the partition whose model answered (NULL: the unpartitioned or fallback model).';

-- -------------------------------------------------------------------------
-- 0.3.2 (issue 31 item 6): models, runs and deployments belong to the
-- classifier's id, not to its name
-- -------------------------------------------------------------------------
-- A name passes to the next classifier created with it; an id never does.
-- A dropped classifier's rows keep its id, which no row of ai_classifiers
-- has any more; NULL: rows of a classifier dropped before 0.3.2 recorded
-- ids (the update's backfill). Neither is deployed or served again. The built-in
-- classifier's id is 0 (the default: rows written without an id are the
-- built-in's, and only the built-in's, by the CHECK).
ALTER TABLE @extschema@.ai_intent_models
    ADD COLUMN classifier_id bigint DEFAULT 0,
    ADD CONSTRAINT ai_intent_models_classifier_id_check CHECK ((classifier_id = 0) = (classifier = 'intent'));
ALTER TABLE @extschema@.ai_training_runs
    ADD COLUMN classifier_id bigint DEFAULT 0,
    ADD CONSTRAINT ai_training_runs_classifier_id_check CHECK ((classifier_id = 0) = (classifier = 'intent'));
ALTER TABLE @extschema@.ai_model_deployments
    ADD COLUMN classifier_id bigint DEFAULT 0,
    ADD CONSTRAINT ai_model_deployments_classifier_id_check CHECK ((classifier_id = 0) = (classifier = 'intent'));
