-- New in 0.2.0 (also created by the upgrade, which includes this file).

-- -------------------------------------------------------------------------
-- ai_training_policy: what training may do, set by administrators
-- -------------------------------------------------------------------------
-- One row. train_intent_model() runs as the extension owner, so what decides
-- a deployment must not be a session setting the caller can change (0.1.0
-- read pg_intent.max_f1_regression from the caller's session).
CREATE TABLE @extschema@.ai_training_policy (
    id                       boolean          PRIMARY KEY DEFAULT true
        CONSTRAINT ai_training_policy_one_row CHECK (id),
    min_samples_for_training integer          NOT NULL DEFAULT 20
        CONSTRAINT ai_training_policy_min_samples_for_training_check CHECK (min_samples_for_training BETWEEN 2 AND 1000000000),
    auto_retrain_threshold   integer          NOT NULL DEFAULT 100
        CONSTRAINT ai_training_policy_auto_retrain_threshold_check CHECK (auto_retrain_threshold >= 1),
    max_f1_regression        double precision NOT NULL DEFAULT 0.05
        CONSTRAINT ai_training_policy_max_f1_regression_check CHECK (max_f1_regression BETWEEN 0::double precision AND 1::double precision),
    corrected_weight         real             NOT NULL DEFAULT 2
        CONSTRAINT ai_training_policy_corrected_weight_check CHECK (corrected_weight BETWEEN 0.01::real AND 1000::real),
    max_training_memory_mb   integer          NOT NULL DEFAULT 2048
        CONSTRAINT ai_training_policy_max_training_memory_mb_check CHECK (max_training_memory_mb BETWEEN 16 AND 1048576),
    max_training_threads     integer          NOT NULL DEFAULT 4
        CONSTRAINT ai_training_policy_max_training_threads_check CHECK (max_training_threads BETWEEN 1 AND 64),
    min_gate_rows            integer          NOT NULL DEFAULT 50
        CONSTRAINT ai_training_policy_min_gate_rows_check CHECK (min_gate_rows BETWEEN 1 AND 100000000),
    out_of_scope_intent      text             NOT NULL DEFAULT 'out_of_scope'
        CONSTRAINT ai_training_policy_out_of_scope_intent_check
        CHECK (@extschema@.is_valid_intent_name(out_of_scope_intent)),
    out_of_scope_mode        text             NOT NULL DEFAULT 'class'
        CONSTRAINT ai_training_policy_out_of_scope_mode_check CHECK (out_of_scope_mode IN ('class', 'negatives')),
    only_reviewed            boolean          NOT NULL DEFAULT false,
    max_training_rows        integer
        CONSTRAINT ai_training_policy_max_training_rows_check CHECK (max_training_rows >= 1),
    updated_at               timestamptz      NOT NULL DEFAULT now(),
    updated_by               text             NOT NULL DEFAULT session_user,
    retry_failed_after       interval         NOT NULL DEFAULT '1 hour'
        CONSTRAINT ai_training_policy_retry_failed_after_check
        CHECK (retry_failed_after BETWEEN '1 second'::interval AND '30 days'::interval),
    min_alert_samples        integer          NOT NULL DEFAULT 20
        CONSTRAINT ai_training_policy_min_alert_samples_check CHECK (min_alert_samples BETWEEN 1 AND 1000000000),
    snapshot_time_zone       text             NOT NULL DEFAULT 'UTC'
        CONSTRAINT ai_training_policy_snapshot_time_zone_check
        CHECK (pg_catalog.timezone(snapshot_time_zone, '2000-01-01 00:00:00+00'::timestamptz) IS NOT NULL),
    -- Bounds on what rows no reviewer vouches for may cost a run (0.2.1;
    -- last, where the upgrade adds them).
    max_unreviewed_message_bytes integer      NOT NULL DEFAULT 2048
        CONSTRAINT ai_training_policy_max_unreviewed_message_bytes_check CHECK (max_unreviewed_message_bytes BETWEEN 64 AND 65536),
    min_unreviewed_intent_rows   integer      NOT NULL DEFAULT 3
        CONSTRAINT ai_training_policy_min_unreviewed_intent_rows_check CHECK (min_unreviewed_intent_rows BETWEEN 1 AND 1000000),
    max_intents                  integer      NOT NULL DEFAULT 1000
        CONSTRAINT ai_training_policy_max_intents_check CHECK (max_intents BETWEEN 2 AND 100000),
    -- Bounds on what trainings may cost the server at once, and on the
    -- number of unreviewed rows one reads (0.3.2; last, where the upgrade
    -- adds them).
    max_concurrent_trainings     integer      NOT NULL DEFAULT 4
        CONSTRAINT ai_training_policy_max_concurrent_trainings_check CHECK (max_concurrent_trainings BETWEEN 1 AND 64),
    max_partitions_per_classifier integer     NOT NULL DEFAULT 100
        CONSTRAINT ai_training_policy_max_partitions_per_classifier_check CHECK (max_partitions_per_classifier BETWEEN 1 AND 100000),
    max_unreviewed_rows          integer      NOT NULL DEFAULT 50000
        CONSTRAINT ai_training_policy_max_unreviewed_rows_check CHECK (max_unreviewed_rows BETWEEN 1 AND 1000000000)
);
COMMENT ON TABLE @extschema@.ai_training_policy IS
    'The training policy (one row): what train_intent_model() and retrain_if_needed() may do. Only its owner and roles granted UPDATE change it; callers of the training functions cannot. An INSERT replaces the row (so pg_restore can put a dumped policy back).';
COMMENT ON COLUMN @extschema@.ai_training_policy.min_samples_for_training IS
    'Fewest usable labelled rows a training run accepts (was the pg_intent.min_samples_for_training setting).';
COMMENT ON COLUMN @extschema@.ai_training_policy.auto_retrain_threshold IS
    'New rows since the last completed run that make should_retrain() true (was pg_intent.auto_retrain_threshold).';
COMMENT ON COLUMN @extschema@.ai_training_policy.max_f1_regression IS
    'Largest macro-F1 drop against the active model that still deploys a new model (was pg_intent.max_f1_regression).';
COMMENT ON COLUMN @extschema@.ai_training_policy.corrected_weight IS
    'Training weight of rows a human corrected (was pg_intent.corrected_weight).';
COMMENT ON COLUMN @extschema@.ai_training_policy.max_training_memory_mb IS
    'Memory a training run may allocate in the backend; a run that would need more fails with 53200 before allocating it.';
COMMENT ON COLUMN @extschema@.ai_training_policy.max_training_threads IS
    'Most worker threads a training run may use (its threads option is capped to this).';
COMMENT ON COLUMN @extschema@.ai_training_policy.min_gate_rows IS
    'Fewest fresh rows (reviewed rows the active model never trained on) the deploy gate compares the two models on; with fewer it falls back to comparing their out-of-fold estimates.';
COMMENT ON COLUMN @extschema@.ai_training_policy.out_of_scope_intent IS
    'The label that marks out-of-scope messages: training uses them so that predictions of such messages are uncertain; never an intent.';
COMMENT ON COLUMN @extschema@.ai_training_policy.out_of_scope_mode IS
    'How out-of-scope rows train: class (an internal class that is never served; a message it wins is uncertain) or negatives (a negative example for every intent).';
COMMENT ON COLUMN @extschema@.ai_training_policy.only_reviewed IS
    'When true, every training run (retrain_if_needed() included) reads reviewed rows only (a correction, a judgement, or dataset_status reviewed or approved), and only reviewed rows count towards auto_retrain_threshold: rows that roles you do not trust log with their own labels never train a model.';
COMMENT ON COLUMN @extschema@.ai_training_policy.max_unreviewed_message_bytes IS
    'Bytes of each unreviewed message a training run reads (its first ones, cut at a character boundary); reviewed messages are read on their first 65536 bytes. Rows any role that may log interactions writes then cannot make a run slow or large by their length.';
COMMENT ON COLUMN @extschema@.ai_training_policy.min_unreviewed_intent_rows IS
    'Fewest rows (among those a run reads) a label that no reviewed row carries needs to become a class; the rows of rarer such labels are left out and counted (rows_skipped_rare_intent in the run''s metrics).';
COMMENT ON COLUMN @extschema@.ai_training_policy.max_intents IS
    'Most classes a run trains: labels with reviewed rows first, then those with more rows, then in byte order; the rows of the other labels are left out and counted (rows_skipped_intent_limit).';
COMMENT ON COLUMN @extschema@.ai_training_policy.max_concurrent_trainings IS
    'Most trainings (of any classifiers, intent''s included) that run at once in the database; one more fails at once with 55P03 naming the backends that train. Each classifier trains one call at a time whatever this is.';
COMMENT ON COLUMN @extschema@.ai_training_policy.max_partitions_per_classifier IS
    'Most partition models one train_classifier() call trains: of the partitions with min_partition_rows rows, those with the most reviewed rows (rows anyone may log cannot take a partition''s place; without a reviewed_column every row counts as reviewed), then the largest, then in byte order; the others are reported (partitions_over_limit, partitions_skipped) and served by the fallback model. A classifier may set it lower, never higher.';
COMMENT ON COLUMN @extschema@.ai_training_policy.max_training_rows IS
    'Most rows a training run reads: the first usable ones in get_training_dataset()''s order (reviewed rows first, so that unreviewed rows, however many and new, never push them and the deploy gate''s fresh rows out; then the newest), for every run, retrain_if_needed()''s included; a run''s limit option can only lower it. NULL: every usable row. Memory then stays that of this many rows however large ai_training_data grows.';
COMMENT ON COLUMN @extschema@.ai_training_policy.updated_by IS
    'Who last changed the policy: the JWT subject (or role) under PostgREST, else the session user.';
COMMENT ON COLUMN @extschema@.ai_training_policy.retry_failed_after IS
    'After a failed run of retrain_if_needed(), how long scheduled retraining waits before it tries again, unless auto_retrain_threshold rows are added or changed since that run started (1 second to 30 days).';
COMMENT ON COLUMN @extschema@.ai_training_policy.min_alert_samples IS
    'Fewest rows a live metric of ai_metric_alerts must rest on to raise an alert: reviewed rows for intent_accuracy, messages for the other live metrics.';
COMMENT ON COLUMN @extschema@.ai_training_policy.snapshot_time_zone IS
    'The time zone create_metrics_snapshot() cuts hours, days, weeks and months in (whatever the session''s), so that every snapshot of a period type is cut alike; and the one a classifier''s time_column of type timestamp or date is read in, whoever trains or counts (0.3.2).';
COMMENT ON COLUMN @extschema@.ai_training_policy.max_unreviewed_rows IS
    'Most unreviewed rows a training run reads: the newest ones, after every reviewed row (max_training_rows bounds both together). Rows any role that may log interactions writes then cannot make a run slow or large by their number: with max_unreviewed_message_bytes, they cost a run at most this many messages of that many bytes.';
INSERT INTO @extschema@.ai_training_policy DEFAULT VALUES;
SELECT pg_catalog.pg_extension_config_dump('@extschema@.ai_training_policy', '');
