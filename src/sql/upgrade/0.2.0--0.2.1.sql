-- Migration from 0.2.0 to 0.2.1: what changes tables and their data, and
-- drops the functions and views whose signature or columns change (CREATE
-- OR REPLACE in the code pieces that follow cannot change those). Everything
-- here must leave the database exactly as a fresh 0.2.1 install would be;
-- test/scripts/upgrade.sh compares the two catalogs. 0.1.0 databases reach
-- this script through the frozen sql/pg_intent--0.1.0--0.2.0.sql.

------------------------------------------------------------------------------
-- Training records of deleted messages (ai_training_run_rows)
------------------------------------------------------------------------------
-- Deleting a message now deletes its training records (src/sql/12_references.sql).
-- The records 0.2.0 left behind for deleted messages are read by id only, so
-- a new message inserted with such an id inherited them (the deploy gate and
-- the review queue took it for a row the model trained on). The upgrade
-- deletes them, and says how many: the runs keep their counts and metrics.
DO $$
DECLARE
    v_orphans bigint;
BEGIN
    DELETE FROM @extschema@.ai_training_run_rows AS rr
     WHERE NOT EXISTS (SELECT FROM @extschema@.ai_training_data AS d
                        WHERE d.id OPERATOR(pg_catalog.=) rr.training_data_id);
    GET DIAGNOSTICS v_orphans = ROW_COUNT;
    IF v_orphans OPERATOR(pg_catalog.>) 0 THEN
        RAISE WARNING 'pg_intent: deleted % training records (ai_training_run_rows) of messages deleted before this upgrade', v_orphans
            USING DETAIL = 'A message inserted with a deleted message''s id inherited its training records; deleting a message now deletes them.';
    END IF;
END
$$;
COMMENT ON COLUMN @extschema@.ai_training_run_rows.training_data_id IS
    'The ai_training_data row (no foreign key, see src/sql/12_references.sql: deleting the row deletes its records here, so that a new row given its id inherits no training history).';

------------------------------------------------------------------------------
-- Operations policy: retry after a failed scheduled run, alert sample size,
-- snapshot time zone (columns at the end of ai_training_policy, as in
-- src/sql/schema/10_training_policy.sql)
------------------------------------------------------------------------------
ALTER TABLE @extschema@.ai_training_policy
    ADD COLUMN retry_failed_after       interval         NOT NULL DEFAULT '1 hour'
        CONSTRAINT ai_training_policy_retry_failed_after_check
        CHECK (retry_failed_after BETWEEN '1 second'::interval AND '30 days'::interval),
    ADD COLUMN min_alert_samples        integer          NOT NULL DEFAULT 20
        CONSTRAINT ai_training_policy_min_alert_samples_check CHECK (min_alert_samples BETWEEN 1 AND 1000000000),
    ADD COLUMN snapshot_time_zone       text             NOT NULL DEFAULT 'UTC'
        CONSTRAINT ai_training_policy_snapshot_time_zone_check
        CHECK (pg_catalog.timezone(snapshot_time_zone, '2000-01-01 00:00:00+00'::timestamptz) IS NOT NULL);
COMMENT ON COLUMN @extschema@.ai_training_policy.retry_failed_after IS
    'After a failed run of retrain_if_needed(), how long scheduled retraining waits before it tries again, unless auto_retrain_threshold rows are added or changed since that run started (1 second to 30 days).';
COMMENT ON COLUMN @extschema@.ai_training_policy.min_alert_samples IS
    'Fewest rows a live metric of ai_metric_alerts must rest on to raise an alert: reviewed rows for intent_accuracy, messages for the other live metrics.';
COMMENT ON COLUMN @extschema@.ai_training_policy.snapshot_time_zone IS
    'The time zone create_metrics_snapshot() cuts hours, days, weeks and months in (whatever the session''s), so that every snapshot of a period type is cut alike.';

------------------------------------------------------------------------------
-- Scheduled retraining backs off after a failed run
------------------------------------------------------------------------------
-- @include src/sql/schema/50_retrain_backoff.sql
