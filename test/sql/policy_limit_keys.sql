-- Which policy keys are the administrator's limits is one rule,
-- _pg_intent_policy_within() (src/sql/45_classifier_definition.sql), and a
-- classifier's run records what it was allowed through
-- _pg_intent_policy_limits(), beside it, which names the same keys a second
-- time (the audit of ARCHITECTURE.md, issue 33, found the two lists). So that
-- neither gains or loses a key alone: every column of ai_training_policy whose
-- value _pg_intent_policy_within() changes, given two rows that differ in that
-- column alone (either way round), is a key of the record, and no other
-- column is; max_concurrent_trainings aside, the database's, which within()
-- takes from the administrator's row whatever the classifier's says.
SET client_min_messages = warning;
SET pg_intent.allow_drop_with_data = on; -- the previous test's rows go (src/pg/drop_guard.cpp)
DROP EXTENSION IF EXISTS pg_intent CASCADE;
CREATE EXTENSION pg_intent;

WITH base AS (
    SELECT p FROM ai_training_policy AS p
), cols AS (
    SELECT a.attname::text AS col,
           -- two values of the column's type, the first the lower
           CASE format_type(a.atttypid, a.atttypmod)
               WHEN 'boolean' THEN ARRAY['false', 'true']::jsonb[]
               WHEN 'timestamp with time zone' THEN ARRAY['"2026-01-01T00:00:00Z"', '"2026-01-02T00:00:00Z"']::jsonb[]
               WHEN 'interval' THEN ARRAY['"1 hour"', '"2 hours"']::jsonb[]
               WHEN 'text' THEN ARRAY['"a"', '"b"']::jsonb[]
               ELSE ARRAY['1', '2']::jsonb[] -- integer, real, double precision
           END AS v
      FROM pg_attribute AS a
     WHERE a.attrelid = 'ai_training_policy'::regclass AND a.attnum > 0 AND NOT a.attisdropped
), pairs AS (
    SELECT c.col,
           jsonb_populate_record(b.p, jsonb_build_object(c.col, c.v[1])) AS lo,
           jsonb_populate_record(b.p, jsonb_build_object(c.col, c.v[2])) AS hi
      FROM cols AS c, base AS b
), changed AS (
    SELECT x.col
      FROM pairs AS x
     WHERE to_jsonb(intent_internal._pg_intent_policy_within(x.lo, x.hi)) -> x.col IS DISTINCT FROM to_jsonb(x.lo) -> x.col
        OR to_jsonb(intent_internal._pg_intent_policy_within(x.hi, x.lo)) -> x.col IS DISTINCT FROM to_jsonb(x.hi) -> x.col
), recorded AS (
    SELECT k AS col FROM base AS b, jsonb_object_keys(intent_internal._pg_intent_policy_limits(b.p)) AS k
)
SELECT coalesce(c.col, r.col) AS key, c.col IS NOT NULL AS within_limits_it, r.col IS NOT NULL AS recorded
  FROM changed AS c FULL JOIN recorded AS r ON r.col = c.col
 ORDER BY 1;
