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

------------------------------------------------------------------------------
-- Snapshots: cut in the policy's time zone, never overlapping
------------------------------------------------------------------------------
-- 0.2.0 cut periods in the session's time zone. Snapshots already taken
-- were most likely cut in the time zone this session has (pg_cron jobs run
-- with the server's default, as does an upgrade that sets none), so the
-- policy takes it, and the next snapshots continue them without a gap or an
-- overlap; a database without snapshots gets the default, UTC. The
-- constraints that refuse overlapping snapshots of one type (as in
-- src/sql/schema/00_tables.sql) are added where the existing rows do not
-- overlap; rows that do are kept (they are the user's), the constraint of
-- their type is left out, and a WARNING says how to add it once they are
-- resolved. create_metrics_snapshot() refuses a new overlap either way.
DO $$
DECLARE
    v_tz text := pg_catalog.current_setting('TimeZone');
    v_type text;
    v_overlaps bigint;
BEGIN
    BEGIN -- a session time zone that AT TIME ZONE cannot name leaves UTC
        PERFORM pg_catalog.timezone(v_tz, '2000-01-01 00:00:00+00'::timestamptz);
    EXCEPTION WHEN OTHERS THEN
        v_tz := 'UTC';
    END;
    IF EXISTS (SELECT FROM @extschema@.ai_metrics_snapshots) AND v_tz OPERATOR(pg_catalog.<>) 'UTC' THEN
        UPDATE @extschema@.ai_training_policy SET snapshot_time_zone = v_tz;
        RAISE WARNING 'pg_intent: snapshots are now cut in ai_training_policy.snapshot_time_zone, set to this session''s time zone %', v_tz
            USING DETAIL = 'create_metrics_snapshot() cut periods in the calling session''s time zone; the snapshots taken so far were probably cut in this one.',
                  HINT = 'If they were cut in another, UPDATE ai_training_policy SET snapshot_time_zone = ''<that zone>''.';
    END IF;
    FOREACH v_type IN ARRAY ARRAY['hourly', 'daily', 'weekly', 'monthly'] LOOP
        SELECT count(*) INTO v_overlaps
          FROM @extschema@.ai_metrics_snapshots AS a
          JOIN @extschema@.ai_metrics_snapshots AS b
            ON b.period_type OPERATOR(pg_catalog.=) a.period_type AND a.id OPERATOR(pg_catalog.<) b.id
           AND a.period_start OPERATOR(pg_catalog.<) b.period_end AND b.period_start OPERATOR(pg_catalog.<) a.period_end
         WHERE a.period_type OPERATOR(pg_catalog.=) v_type;
        IF v_overlaps OPERATOR(pg_catalog.=) 0 THEN
            EXECUTE pg_catalog.format(
                'ALTER TABLE @extschema@.ai_metrics_snapshots ADD CONSTRAINT %I EXCLUDE USING gist (tstzrange(period_start, period_end) WITH &&) WHERE (period_type = %L)',
                'ai_metrics_snapshots_' || v_type || '_overlap', v_type);
        ELSE
            RAISE WARNING 'pg_intent: % pairs of % snapshots overlap (cut in different time zones); they are kept, and the constraint ai_metrics_snapshots_%_overlap is not added',
                v_overlaps, v_type, v_type
                USING DETAIL = 'Dashboards summing them count messages twice. create_metrics_snapshot() refuses new overlapping snapshots.',
                      HINT = pg_catalog.format('Delete the snapshots of the wrong time zone, then: ALTER TABLE ai_metrics_snapshots ADD CONSTRAINT ai_metrics_snapshots_%s_overlap EXCLUDE USING gist (tstzrange(period_start, period_end) WITH &&) WHERE (period_type = %L);',
                                               v_type, v_type);
        END IF;
    END LOOP;
END
$$;
COMMENT ON TABLE @extschema@.ai_metrics_snapshots IS
    'Metrics of one complete period (hourly, daily, weekly or monthly, cut in ai_training_policy.snapshot_time_zone), frozen; one row per period, and no two rows of one period type overlap.';
