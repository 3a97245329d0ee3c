-- New in 0.2.0 (also created by the upgrade, which includes this file).

-- -------------------------------------------------------------------------
-- ai_training_run_rows: which rows each run trained on, and what it learnt
-- -------------------------------------------------------------------------
CREATE TABLE @extschema@.ai_training_run_rows (
    run_id           uuid NOT NULL, -- ai_training_runs.id (src/sql/12_references.sql)
    training_data_id uuid NOT NULL,
    intent           text NOT NULL,
    fresh            boolean NOT NULL DEFAULT false,
    fold             smallint,
    predicted_intent text,
    confidence       real,
    label_probability real,
    uncertain        boolean,
    CONSTRAINT ai_training_run_rows_pkey PRIMARY KEY (run_id, training_data_id)
);
COMMENT ON TABLE @extschema@.ai_training_run_rows IS
    'One row per ai_training_data row a training run read: the label it read, whether the model active then had not trained on it (fresh), and the row''s out-of-fold prediction. Training records its use of the data here instead of rewriting the data rows, so reviewers'' dataset_status is kept; the review queue ranks likely label errors from the out-of-fold predictions.';
COMMENT ON COLUMN @extschema@.ai_training_run_rows.training_data_id IS
    'The ai_training_data row (no foreign key, see src/sql/12_references.sql: deleting the row deletes its records here, so that a new row given its id inherits no training history).';
COMMENT ON COLUMN @extschema@.ai_training_run_rows.intent IS
    'The label the run read for the row (the correction when there was one, else the detected intent).';
COMMENT ON COLUMN @extschema@.ai_training_run_rows.fresh IS
    'True when this row is reviewed (a correction, a judgement, or status reviewed or approved) and the model active at the run had not trained on it (or had trained on it with another label): the deploy gate scored both models on these rows only.';
COMMENT ON COLUMN @extschema@.ai_training_run_rows.fold IS
    'The cross-validation fold whose model did not see this row; NULL when the row got no out-of-fold prediction (outside the holdout, or a text that normalised to nothing).';
COMMENT ON COLUMN @extschema@.ai_training_run_rows.predicted_intent IS
    'The out-of-fold prediction: the intent a model that never saw this row gave it.';
COMMENT ON COLUMN @extschema@.ai_training_run_rows.confidence IS
    'Calibrated probability of predicted_intent, out of fold.';
COMMENT ON COLUMN @extschema@.ai_training_run_rows.label_probability IS
    'Calibrated probability, out of fold, of the row''s own label (intent): low with a confident other prediction marks a likely label error.';
COMMENT ON COLUMN @extschema@.ai_training_run_rows.uncertain IS
    'Whether the out-of-fold prediction was below the abstain threshold.';
CREATE INDEX ai_training_run_rows_training_data_id_idx ON @extschema@.ai_training_run_rows (training_data_id);
SELECT pg_catalog.pg_extension_config_dump('@extschema@.ai_training_run_rows', '');
