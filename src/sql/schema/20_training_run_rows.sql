-- New in 0.2.0 (also created by the upgrade, which includes this file).

-- -------------------------------------------------------------------------
-- ai_training_run_rows: which rows each run trained on, and what it learnt
-- -------------------------------------------------------------------------
CREATE TABLE @extschema@.ai_training_run_rows (
    run_id           uuid NOT NULL
        REFERENCES @extschema@.ai_training_runs (id) ON DELETE CASCADE,
    training_data_id uuid NOT NULL,
    intent           text NOT NULL,
    CONSTRAINT ai_training_run_rows_pkey PRIMARY KEY (run_id, training_data_id)
);
COMMENT ON TABLE @extschema@.ai_training_run_rows IS
    'One row per ai_training_data row a training run read: the label it read. Training records its use of the data here instead of rewriting the data rows, so reviewers'' dataset_status is kept.';
COMMENT ON COLUMN @extschema@.ai_training_run_rows.training_data_id IS
    'The ai_training_data row (no foreign key: deleting data keeps the record of what a model learnt from).';
COMMENT ON COLUMN @extschema@.ai_training_run_rows.intent IS
    'The label the run read for the row (the correction when there was one, else the detected intent).';
CREATE INDEX ai_training_run_rows_training_data_id_idx ON @extschema@.ai_training_run_rows (training_data_id);
SELECT pg_catalog.pg_extension_config_dump('@extschema@.ai_training_run_rows', '');
