-- New in 0.3.1 (also created by the upgrade, which includes this file).

-- -------------------------------------------------------------------------
-- ai_classifier_metrics_snapshots: a classifier's health per period, frozen
-- -------------------------------------------------------------------------
-- create_classifier_metrics_snapshot() writes one row per classifier and
-- period: the models that were active at the period's end, the runs started
-- in it, and the source rows added in it. ai_metrics_snapshots keeps the
-- built-in table's traffic (escalations, corrections), which only intent
-- has. No reference to ai_classifiers: a dropped classifier's history stays.
CREATE TABLE @extschema@.ai_classifier_metrics_snapshots (
    id                  uuid        PRIMARY KEY DEFAULT gen_random_uuid(),
    classifier          text        NOT NULL,
    period_type         text        NOT NULL
        CONSTRAINT ai_classifier_metrics_snapshots_period_type_check
        CHECK (period_type IN ('hourly', 'daily', 'weekly', 'monthly')),
    period_start        timestamptz NOT NULL,
    period_end          timestamptz NOT NULL,
    model_id            bigint,
    model_version       text,
    model_f1            double precision,
    model_accuracy      double precision,
    model_coverage      double precision,
    partition_models    integer     NOT NULL DEFAULT 0,
    partition_f1_min    double precision,
    partition_f1_median double precision,
    runs                integer     NOT NULL DEFAULT 0,
    runs_completed      integer     NOT NULL DEFAULT 0,
    runs_failed         integer     NOT NULL DEFAULT 0,
    runs_deployed       integer     NOT NULL DEFAULT 0,
    new_rows            bigint,
    details             jsonb       NOT NULL DEFAULT '{}',
    created_at          timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT ai_classifier_metrics_snapshots_period_key UNIQUE (classifier, period_type, period_start),
    CONSTRAINT ai_classifier_metrics_snapshots_period_check CHECK (period_end > period_start)
);
COMMENT ON TABLE @extschema@.ai_classifier_metrics_snapshots IS
    'A classifier''s health for one complete period (hourly, daily, weekly or monthly, cut in ai_training_policy.snapshot_time_zone), frozen by create_classifier_metrics_snapshot(): one row per classifier and period.';
COMMENT ON COLUMN @extschema@.ai_classifier_metrics_snapshots.model_id IS
    'The unpartitioned (or a partitioned classifier''s fallback) model active at the end of the period: the last deployment before it.';
COMMENT ON COLUMN @extschema@.ai_classifier_metrics_snapshots.model_f1 IS
    'That model''s test F1 (fraction 0-1), from its training run.';
COMMENT ON COLUMN @extschema@.ai_classifier_metrics_snapshots.model_accuracy IS
    'That model''s test accuracy (fraction 0-1).';
COMMENT ON COLUMN @extschema@.ai_classifier_metrics_snapshots.model_coverage IS
    'The share of test rows that model answered rather than abstained on (fraction 0-1).';
COMMENT ON COLUMN @extschema@.ai_classifier_metrics_snapshots.partition_models IS
    'How many partitions had a model of their own active at the end of the period.';
COMMENT ON COLUMN @extschema@.ai_classifier_metrics_snapshots.partition_f1_min IS
    'The lowest test F1 of those partition models (fraction 0-1).';
COMMENT ON COLUMN @extschema@.ai_classifier_metrics_snapshots.partition_f1_median IS
    'The median test F1 of those partition models (fraction 0-1).';
COMMENT ON COLUMN @extschema@.ai_classifier_metrics_snapshots.runs IS
    'Training runs started in the period (a partitioned call counts one per partition and one for the fallback).';
COMMENT ON COLUMN @extschema@.ai_classifier_metrics_snapshots.new_rows IS
    'Source rows whose time_column falls in the period (intent: ai_training_data.created_at), counted with the rights of whoever took the snapshot; NULL without a time_column or when that role may not read the source (details.new_rows_unknown says why).';
COMMENT ON COLUMN @extschema@.ai_classifier_metrics_snapshots.details IS
    'deploy_reasons {reason: runs}, weakest: the five partition models with the lowest F1 [{partition, model_id, f1}], new_rows_unknown.';
SELECT pg_catalog.pg_extension_config_dump('@extschema@.ai_classifier_metrics_snapshots', '');
