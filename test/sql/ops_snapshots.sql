-- create_metrics_snapshot(): frozen metrics of the last complete period.
SET client_min_messages = warning;
SET pg_intent.allow_drop_with_data = on; -- the previous test's rows go (src/pg/drop_guard.cpp)
DROP EXTENSION IF EXISTS pg_intent CASCADE;
CREATE EXTENSION pg_intent;

\i test/fixtures/try.sql

-- Periods are cut in the policy's time zone (UTC by default). The session
-- here has the same one, for the expected bounds below.
SELECT snapshot_time_zone AS default_zone FROM ai_training_policy;
UPDATE ai_training_policy SET snapshot_time_zone = 'America/Mexico_City';
SET TimeZone = 'America/Mexico_City';

-- Yesterday's period is [yesterday 00:00, today 00:00): 'y_start' is in it,
-- 'today' (today 00:00 exactly) and 'two_days' are not.
INSERT INTO ai_training_data (user_message, detected_intent, correct_intent, confidence_score,
                              escalated, intent_correct, corrected_by_human, created_at)
VALUES ('y_start', 'return_process', NULL, 90, false, true, false, date_trunc('day', now()) - interval '1 day'),
       ('y_noon', 'return_process', 'shipping_problem', 40, true, false, true, date_trunc('day', now()) - interval '12 hours'),
       ('y_late', 'shipping_problem', NULL, 50, false, NULL, false, date_trunc('day', now()) - interval '1 second'),
       ('today', 'greeting', NULL, 100, false, true, false, date_trunc('day', now())),
       ('two_days', 'greeting', NULL, 100, false, true, false, date_trunc('day', now()) - interval '36 hours');

-- Hand-computed over y_start, y_noon, y_late: 1 escalated of 3 = 33.33 %;
-- confidence 180/3 = 60; reviewed 2, right 1 = 50 %; corrected 1 of 3.
SELECT (s ->> 'period_start')::timestamptz = date_trunc('day', now()) - interval '1 day' AS start_ok,
       (s ->> 'period_end')::timestamptz = date_trunc('day', now()) AS end_ok,
       s - 'snapshot_id' - 'period_start' - 'period_end' AS snapshot
FROM create_metrics_snapshot() s;

SELECT period_type, period_end - period_start AS length, total_messages, ai_resolved, escalated,
       escalation_rate, avg_confidence, intent_accuracy, correction_rate, top_intents,
       top_misclassified, model_id
FROM ai_metrics_snapshots;
-- The stored percentages as fractions 0-1 (generated columns, so they
-- agree with them and with the snapshot create_metrics_snapshot() returned).
SELECT escalation_rate_fraction, avg_confidence_fraction, intent_accuracy_fraction, correction_rate_fraction,
       escalation_rate_fraction = escalation_rate / 100
       AND avg_confidence_fraction = avg_confidence / 100
       AND intent_accuracy_fraction = intent_accuracy / 100
       AND correction_rate_fraction = correction_rate / 100 AS agrees
FROM ai_metrics_snapshots;

-- Repeating the call updates the same row: one more row for yesterday.
INSERT INTO ai_training_data (user_message, detected_intent, confidence_score, created_at)
VALUES ('y_more', 'greeting', 30, date_trunc('day', now()) - interval '2 hours');
SELECT create_metrics_snapshot('daily') -> 'total_messages' AS total_after_update;
SELECT count(*) AS daily_rows, max(total_messages) AS total_messages, max(avg_confidence) AS avg_confidence
FROM ai_metrics_snapshots WHERE period_type = 'daily';

-- Other periods: the last complete hour, ISO week and month.
SELECT p, (s ->> 'period_end')::timestamptz = date_trunc(u, now()) AS end_ok,
       (s ->> 'period_start')::timestamptz
           = date_trunc(u, now()) - ('1 ' || u)::interval AS start_ok
FROM (VALUES ('hourly', 'hour'), ('weekly', 'week'), ('monthly', 'month')) v(p, u),
     LATERAL create_metrics_snapshot(p) s
ORDER BY p;
SELECT period_type, count(*) FROM ai_metrics_snapshots GROUP BY 1 ORDER BY 1;

-- The snapshot records the model that was active at the end of its period,
-- from the deployment history: model A deployed three days ago, model B two
-- hours into today.
INSERT INTO ai_intent_models (id, version, algorithm, model, size_bytes, sha256, intents)
VALUES (901, 'v_snap_a', 'linear_svm', '\x00'::bytea, 1, 'x', '{a,b}'),
       (902, 'v_snap_b', 'linear_svm', '\x00'::bytea, 1, 'x', '{a,b}');
INSERT INTO ai_model_deployments (model_id, previous_model_id, reason, deployed_at)
VALUES (901, NULL, 'manual', date_trunc('day', now()) - interval '3 days'),
       (902, 901, 'manual', date_trunc('day', now()) + interval '2 hours');
SELECT (create_metrics_snapshot('daily') ->> 'model_id')::bigint AS yesterday_model;
SELECT model_id FROM ai_metrics_snapshots WHERE period_type = 'daily' AND period_start = date_trunc('day', now()) - interval '1 day';

-- Backfill: any past complete period, named by a timestamp inside it;
-- calling again updates the same row.
SELECT (s ->> 'period_start')::timestamptz = date_trunc('day', now()) - interval '5 days' AS start_ok,
       (s ->> 'period_end')::timestamptz = date_trunc('day', now()) - interval '4 days' AS end_ok,
       (s ->> 'total_messages')::int AS messages, s ->> 'model_id' AS model_then
  FROM create_metrics_snapshot('daily', now() - interval '5 days') AS s;
SELECT (create_metrics_snapshot('daily', date_trunc('day', now()) - interval '3 days' + interval '23 hours') ->> 'model_id')::bigint AS model_three_days_ago;
SELECT count(*) AS daily_rows FROM ai_metrics_snapshots WHERE period_type = 'daily';
SELECT (SELECT create_metrics_snapshot('daily', now() - interval '5 days') ->> 'snapshot_id')
       = (SELECT id::text FROM ai_metrics_snapshots WHERE period_type = 'daily'
                                              AND period_start = date_trunc('day', now()) - interval '5 days') AS same_row;
SELECT count(*) AS daily_rows_again FROM ai_metrics_snapshots WHERE period_type = 'daily';
-- A month of daily snapshots in one statement, for a dashboard's first day.
SELECT count(create_metrics_snapshot('daily', d)) AS backfilled
  FROM generate_series(date_trunc('day', now()) - interval '30 days', date_trunc('day', now()) - interval '1 day', interval '1 day') AS d;
SELECT count(*) AS daily_rows_after_backfill FROM ai_metrics_snapshots WHERE period_type = 'daily';
-- One rule for both snapshots (_pg_intent_serving_models()): intent's
-- classifier snapshot names the model create_metrics_snapshot() names, for
-- every period of the deployment history above.
SELECT count(*) AS periods,
       count(*) FILTER (WHERE (create_classifier_metrics_snapshot('intent', 'daily', d) ->> 'model_id')
                              IS NOT DISTINCT FROM s.model_id::text) AS same_model,
       count(DISTINCT s.model_id) AS models
  FROM generate_series(date_trunc('day', now()) - interval '5 days', date_trunc('day', now()) - interval '1 day', interval '1 day') AS d
  JOIN ai_metrics_snapshots AS s ON s.period_type = 'daily' AND s.period_start = d;

-- Errors.
SELECT pg_temp.try('SELECT create_metrics_snapshot(''yearly'')') AS unknown_period;
SELECT pg_temp.try('SELECT create_metrics_snapshot(NULL)') AS null_period;
-- (the messages name the period's start, which depends on today: only the
-- SQLSTATE is shown)
SELECT left(pg_temp.try('SELECT create_metrics_snapshot(''daily'', now())'), 5) AS current_period;
SELECT left(pg_temp.try('SELECT create_metrics_snapshot(''hourly'', now() + interval ''1 day'')'), 5) AS future_period;
SELECT pg_temp.try('SELECT create_metrics_snapshot(''daily'', ''-infinity'')') AS minus_infinity,
       pg_temp.try('SELECT create_metrics_snapshot(''monthly'', ''infinity'')') AS infinity;
-- The last representable month and day: not over, 22023 (computing their
-- end failed with 22008).
SELECT left(pg_temp.try('SELECT create_metrics_snapshot(''monthly'', ''294276-12-20 00:00:00+00'')'), 5) AS last_month,
       left(pg_temp.try('SELECT create_metrics_snapshot(''daily'', ''294276-12-31 12:00:00+00'')'), 5) AS last_day;
SELECT count(*) AS snapshots_unchanged FROM ai_metrics_snapshots;

-- The session's time zone does not cut periods: under Asia/Kolkata the
-- same call takes the same day, and updates its row. (0.2.0 cut another
-- day, which overlapped two rows: dashboards counted messages twice.)
SELECT count(*) AS daily_before FROM ai_metrics_snapshots WHERE period_type = 'daily' \gset
SET TimeZone = 'Asia/Kolkata';
SELECT (s ->> 'period_start')::timestamptz = date_trunc('day', now(), 'America/Mexico_City') - interval '1 day' AS mexico_day
  FROM create_metrics_snapshot('daily') AS s;
SELECT count(create_metrics_snapshot('hourly', h)) AS hours
  FROM generate_series(now() - interval '5 hours', now() - interval '1 hour', interval '1 hour') AS h;
SET TimeZone = 'America/Mexico_City';
SELECT count(*) - :daily_before AS new_daily_rows FROM ai_metrics_snapshots WHERE period_type = 'daily';
SELECT count(*) AS overlapping_pairs
  FROM ai_metrics_snapshots AS a JOIN ai_metrics_snapshots AS b
    ON a.period_type = b.period_type AND a.id < b.id AND a.period_start < b.period_end AND b.period_start < a.period_end;

-- Overlaps are refused: a snapshot cut in another time zone than the rows
-- already there (23P01, naming the rows), and a row inserted by hand (the
-- table's exclusion constraints).
UPDATE ai_training_policy SET snapshot_time_zone = 'UTC';
SELECT left(e, 5) AS other_zone, e LIKE '%: the daily period from % to % overlaps the snapshot from % to %' AS names_both
  FROM pg_temp.try('SELECT create_metrics_snapshot(''daily'')') AS e;
SELECT pg_temp.try($$INSERT INTO ai_metrics_snapshots (period_type, period_start, period_end)
                     VALUES ('weekly', date_trunc('week', now()) - interval '10 days', date_trunc('week', now()) - interval '3 days')$$) AS by_hand;
SELECT pg_temp.try($$UPDATE ai_training_policy SET snapshot_time_zone = 'Mars/Olympus'$$) AS unknown_zone;
-- The zone is read as the TimeZone setting reads it (as a classifier's
-- time_column is), never through the session's timezone_abbreviations:
-- 'EST' cut days at 05:00 UTC in one session and at 14:00 UTC in a session
-- with timezone_abbreviations 'Australia', so two callers froze overlapping
-- days; and an abbreviation that names no zone ('AEST') was accepted, then
-- refused by every read of a classifier's source.
UPDATE ai_training_policy SET snapshot_time_zone = 'EST';
SET timezone_abbreviations = 'Australia';
SELECT p.period_start = '2026-01-10 05:00+00' AS est_day_whatever_the_abbreviations
  FROM intent_internal._pg_intent_snapshot_period('daily', '2026-01-10 12:00+00') AS p;
RESET timezone_abbreviations;
SELECT pg_temp.try($$UPDATE ai_training_policy SET snapshot_time_zone = 'AEST'$$) AS abbreviation_only;
SELECT pg_temp.try($$INSERT INTO ai_training_policy (snapshot_time_zone) VALUES ('AEST')$$) AS restored_abbreviation;
-- A zone over 255 bytes (PostgreSQL's limit for one) is refused before
-- set_config(), which spent seconds on a long one that cancel could not
-- stop (10 s for 100 MB) and put all of it in its message: 22023, showing
-- its first kilobyte. One of 255 bytes still reaches set_config().
SELECT left(e, 5) AS long_zone, octet_length(e) < 1200 AS message_bounded
  FROM pg_temp.try($$SELECT intent_internal._pg_intent_zone_trunc(repeat('x', 1000000), 'day', now(), 0)$$) AS e;
SELECT left(e, 5) AS long_policy_zone, octet_length(e) < 1200 AS message_bounded
  FROM pg_temp.try($$UPDATE ai_training_policy SET snapshot_time_zone = repeat('x', 1000000)$$) AS e;
SELECT left(pg_temp.try($$SELECT intent_internal._pg_intent_zone_trunc(repeat('x', 255), 'day', now(), 0)$$), 48) AS zone_of_255_bytes;
SELECT snapshot_time_zone AS zone_kept FROM ai_training_policy;
UPDATE ai_training_policy SET snapshot_time_zone = DEFAULT;
SELECT count(*) AS snapshots_unchanged FROM ai_metrics_snapshots;

-- A day whose midnight a daylight saving change skips starts at 01:00
-- (America/Sao_Paulo, 2018-11-04: 00:00 -03 became 01:00 -02) and ends at
-- the next midnight: the days tile, each snapshot taken in any order. Before,
-- that day "plus a day" ended at 01:00 on the 5th, an hour into the 5th,
-- whose snapshot was refused as overlapping it (23P01).
UPDATE ai_training_policy SET snapshot_time_zone = 'America/Sao_Paulo';
SET TimeZone = 'UTC';
SELECT d AS named_by, pg_temp.try(format('SELECT create_metrics_snapshot(%L, %L)', 'daily', d)) AS taken
  FROM unnest(ARRAY['2018-11-05 12:00-02', '2018-11-04 12:00-02', '2018-11-03 12:00-03']::timestamptz[]) AS d;
SELECT period_start, period_end, period_end - period_start AS length,
       lead(period_start) OVER (ORDER BY period_start) = period_end AS next_starts_at_end
  FROM ai_metrics_snapshots WHERE period_type = 'daily' AND period_start < '2019-01-01'
 ORDER BY period_start;
UPDATE ai_training_policy SET snapshot_time_zone = DEFAULT;
DELETE FROM ai_metrics_snapshots WHERE period_start < '2019-01-01';

-- The period's rule catches an overflow in a subtransaction, which parallel
-- mode forbids: PARALLEL UNSAFE, so that a query calling it above a Gather
-- stays serial. Before (PARALLEL SAFE): "cannot start subtransactions during
-- a parallel operation".
CREATE TABLE snap_big AS SELECT g FROM generate_series(1, 20000) AS g;
ANALYZE snap_big;
SET max_parallel_workers_per_gather = 2;
SET parallel_setup_cost = 0;
SET parallel_tuple_cost = 0;
SET min_parallel_table_scan_size = 0;
SELECT p.period_end - p.period_start AS length, s.n
  FROM (SELECT count(*) AS n FROM snap_big WHERE g < 0) AS s,
       LATERAL intent_internal._pg_intent_snapshot_period('daily', now() - interval '2 days' + s.n * interval '1 day') AS p;
RESET max_parallel_workers_per_gather;
RESET parallel_setup_cost;
RESET parallel_tuple_cost;
RESET min_parallel_table_scan_size;
DROP TABLE snap_big;
RESET TimeZone;
