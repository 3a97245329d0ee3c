-- get_training_dataset(): label choice, filters, order, limit, errors.
SET client_min_messages = warning;
SET pg_intent.allow_drop_with_data = on; -- the previous test's rows go (src/pg/drop_guard.cpp)
DROP EXTENSION IF EXISTS pg_intent CASCADE;
CREATE EXTENSION pg_intent;

\i test/fixtures/try.sql

-- Every label here is a class, however few rows it has (the policy's floor
-- for unreviewed labels is test/sql/training_rows.sql's subject).
UPDATE ai_training_policy SET min_unreviewed_intent_rows = 1;

-- Rows created one minute apart, m1 the oldest.
INSERT INTO ai_training_data (user_message, detected_intent, confidence_score, dataset_status,
                              correct_intent, corrected_by_human, intent_correct, created_at)
VALUES
  ('m1 low confidence',          'a', 10, 'pending',  NULL, false, NULL,  '2026-01-01 10:01'),
  ('m2 high confidence',         'a', 95, 'pending',  NULL, false, NULL,  '2026-01-01 10:02'),
  ('m3 corrected, low conf',     'a', 5,  'reviewed', 'b',  true,  false, '2026-01-01 10:03'),
  ('m4 rejected',                'a', 99, 'rejected', NULL, false, NULL,  '2026-01-01 10:04'),
  ('m5 no intent',               NULL, 80, 'pending', NULL, false, NULL,  '2026-01-01 10:05'),
  ('m6 confirmed, low conf',     'b', 20, 'reviewed', NULL, false, true,  '2026-01-01 10:06'),
  ('m7 judged wrong, no label',  'b', 90, 'reviewed', NULL, false, false, '2026-01-01 10:07'),
  ('m8 approved, low conf',      'c', 30, 'approved', NULL, false, NULL,  '2026-01-01 10:08'),
  ('m9 used before',             'c', 70, 'used_in_training', NULL, false, NULL, '2026-01-01 10:09');
-- (An empty intent, which 0.2.0 stored, is refused by 0.2.1's constraints;
-- test/sql/training_rows.sql covers such stored rows.)

-- Defaults: everything with a label except rejected rows, newest first.
-- The label is the human correction when there is one (m3 -> b).
SELECT user_message, intent, detected_intent, correct_intent, confidence_score, corrected_by_human
  FROM get_training_dataset();

-- The confidence floor applies only to unreviewed rows (m1 and m9 drop,
-- the reviewed m3, m6, m8 stay whatever their confidence).
SELECT user_message, intent FROM get_training_dataset(p_min_confidence => 75);

-- Only reviewed rows.
SELECT user_message, intent FROM get_training_dataset(p_only_reviewed => true);

-- Limit keeps the reviewed rows first, then the newest.
SELECT user_message FROM get_training_dataset(p_limit => 2);

-- Every column of the contract, in order.
SELECT pg_get_function_result('get_training_dataset(integer, boolean, integer)'::regprocedure);

-- Errors.
SELECT pg_temp.try($$SELECT * FROM get_training_dataset(-1)$$);
SELECT pg_temp.try($$SELECT * FROM get_training_dataset(101)$$);
SELECT pg_temp.try($$SELECT * FROM get_training_dataset(0, false, 0)$$);
SELECT pg_temp.try($$SELECT * FROM get_training_dataset(NULL)$$);
SELECT pg_temp.try($$SELECT * FROM get_training_dataset(0, NULL)$$);
SELECT pg_temp.try($$SELECT * FROM get_training_dataset(0, false, NULL)$$);
