-- Which policy keys are the administrator's limits, and how each combines
-- with a classifier's, is one list, _pg_intent_policy_limit_keys()
-- (src/sql/45_classifier_definition.sql), read by _pg_intent_policy_within(),
-- which keeps a classifier's policy within them, and by
-- _pg_intent_policy_limits(), which a classifier's run records (before,
-- each named the keys itself and this test kept the two lists together;
-- issue 33). For every column of ai_training_policy, what within() does
-- with it is observed, given two rows that differ in that column alone
-- (either way round): least (the lower wins: a classifier may only lower
-- it), greatest, or (true wins), admin (the administrator's row wins), or
-- nothing (the classifier's own key, not listed). The output is the list,
-- beside what within() did and whether the run records the key: a key
-- dropped from the list, or one whose rule changes, changes it, as does a
-- listed name that is no column (observed NULL) or a list that within()
-- does not follow. max_concurrent_trainings, the database's (admin), is
-- no run's limit and is not recorded.
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
), observed AS (
    SELECT x.col,
           CASE WHEN lh = x.lo_v AND hl = x.lo_v THEN 'least'
                WHEN lh = x.hi_v AND hl = x.hi_v THEN CASE WHEN x.lo_v = 'false' THEN 'or' ELSE 'greatest' END
                WHEN lh = x.hi_v AND hl = x.lo_v THEN 'admin'
                WHEN lh = x.lo_v AND hl = x.hi_v THEN NULL -- the classifier's own
                ELSE 'other' END AS rule
      FROM (SELECT p.col, to_jsonb(p.lo) -> p.col AS lo_v, to_jsonb(p.hi) -> p.col AS hi_v,
                   to_jsonb(intent_internal._pg_intent_policy_within(p.lo, p.hi)) -> p.col AS lh,
                   to_jsonb(intent_internal._pg_intent_policy_within(p.hi, p.lo)) -> p.col AS hl
              FROM pairs AS p) AS x
), listed AS (
    SELECT l.key AS col, l.rule FROM intent_internal._pg_intent_policy_limit_keys() AS l
), recorded AS (
    SELECT k AS col FROM base AS b, jsonb_object_keys(intent_internal._pg_intent_policy_limits(b.p)) AS k
)
SELECT coalesce(l.col, o.col, r.col) AS key, l.rule AS listed, o.rule AS within_does, r.col IS NOT NULL AS recorded,
       l.rule IS NOT DISTINCT FROM o.rule AS agrees
  FROM listed AS l
  FULL JOIN (SELECT * FROM observed WHERE rule IS NOT NULL) AS o ON o.col = l.col
  FULL JOIN recorded AS r ON r.col = coalesce(l.col, o.col)
 ORDER BY 1;
