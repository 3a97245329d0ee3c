-- Issue 31, item 10 (0.3.2): every classifier has the retraining back-off
-- that intent has (retrain_if_needed(), 0.2.1). After a failed scheduled
-- attempt, retrain_classifiers() does not train that classifier again until
-- auto_retrain_threshold rows more are counted than the failed attempt
-- counted, or the policy's retry_failed_after has passed; a completed run
-- ends the back-off. In 0.3.1 every call trained the failing classifier
-- again. Run as an administrator (the models set), not a superuser.
SET client_min_messages = warning;
SET pg_intent.allow_drop_with_data = on; -- the previous test's rows go (src/pg/drop_guard.cpp)
DROP EXTENSION IF EXISTS pg_intent CASCADE;
DROP TABLE IF EXISTS bo_prompts, bo_raw CASCADE;
DROP ROLE IF EXISTS pgi_bo_admin;
CREATE EXTENSION pg_intent;
CREATE ROLE pgi_bo_admin NOLOGIN;
SELECT count(*) > 0 AS granted FROM grant_intent_access('pgi_bo_admin', 'administrator');

CREATE TABLE bo_raw (split text, text text, intent text);
\copy bo_raw FROM 'data/nlpjs_corpus50_es.csv' WITH (FORMAT csv, HEADER true)
-- One label only: every run fails (PI001) until rows of a second label come.
CREATE TABLE bo_prompts (id bigint PRIMARY KEY, prompt text, route text);
INSERT INTO bo_prompts
SELECT n, text, 'only'
  FROM (SELECT row_number() OVER (ORDER BY split, text, intent) AS n, text FROM bo_raw WHERE intent <> 'oos') AS r
 WHERE n <= 200;
-- A view whose text fails to read for one row (counting does not read it):
-- its training raises 22012, which retrain_classifiers() reports.
CREATE VIEW bo_broken AS
SELECT id, CASE WHEN id = 7 THEN (1 / (id - 7))::text ELSE prompt END AS prompt, split_part(route, '.', 1) AS route
  FROM bo_prompts;
SELECT create_classifier('single', 'bo_prompts', 'prompt', 'route', '{"auto_retrain_threshold": 20, "seed": 1}') ->> 'name' AS created;
SELECT create_classifier('broken', 'bo_broken', 'prompt', 'route', '{"auto_retrain_threshold": 20, "seed": 1}') ->> 'name' AS created;
GRANT SELECT ON bo_prompts, bo_broken TO pgi_bo_admin;

CREATE FUNCTION pg_temp.tick() RETURNS TABLE (classifier text, retrained text, outcome text, reason text, backing_off boolean)
LANGUAGE sql AS $$
    SELECT c ->> 'classifier', c ->> 'retrained',
           coalesce(c #>> '{result,status}', c #>> '{error,sqlstate}'), c ->> 'reason',
           c ? 'retry_after' AND c ? 'failed_at'
      FROM jsonb_array_elements(retrain_classifiers() -> 'classifiers') AS c
$$;
GRANT EXECUTE ON FUNCTION pg_temp.tick() TO pgi_bo_admin;

SET ROLE pgi_bo_admin;
-- Never trained: both are due, and both fail (a failed run; an error).
SELECT * FROM pg_temp.tick();
-- The next tick backs off from both (0.3.1: both trained, and failed, again).
SELECT * FROM pg_temp.tick();
-- Their failed_at and retry_after are jsonb's timestamps (ISO 8601) in the
-- caller's time zone, as retrain_if_needed()'s for intent, whatever the
-- DateStyle (before: text in the policy's zone, "2026-11-30 16:28:39+00").
SET datestyle = 'SQL, DMY';
SET timezone = 'America/New_York';
SELECT c ->> 'classifier' AS classifier,
       c -> 'failed_at' = to_jsonb((c ->> 'failed_at')::timestamptz) AS failed_at_as_jsonb,
       c -> 'retry_after' = to_jsonb((c ->> 'retry_after')::timestamptz) AS retry_after_as_jsonb
  FROM jsonb_array_elements(retrain_classifiers() -> 'classifiers') AS c
 ORDER BY 1;
RESET datestyle;
RESET timezone;
RESET ROLE;
SELECT classifier, rows_counted, sqlstate FROM ai_classifier_retrain_failures ORDER BY classifier;
SELECT classifier, count(*) AS runs FROM ai_training_runs WHERE classifier <> 'intent' GROUP BY 1 ORDER BY 1;

-- 10 rows more: below the threshold, still backing off.
INSERT INTO bo_prompts SELECT id + 1000, prompt || ' ya', 'only' FROM bo_prompts WHERE id <= 10;
SET ROLE pgi_bo_admin;
SELECT * FROM pg_temp.tick();
RESET ROLE;

-- 20 rows more than the failed attempt counted, of a second label: "single"
-- is due again and completes, which ends its back-off; "broken" (the
-- same rows) is due again too, and fails again.
INSERT INTO bo_prompts
SELECT n + 2000, text, split_part(intent, '.', 1)
  FROM (SELECT row_number() OVER (ORDER BY split, text, intent) AS n, text, intent FROM bo_raw WHERE intent <> 'oos') AS r
 WHERE n > 200 AND n <= 400;
UPDATE bo_prompts SET route = 'other' WHERE id <= 100;
SET ROLE pgi_bo_admin;
SELECT * FROM pg_temp.tick();
RESET ROLE;
SELECT classifier, sqlstate FROM ai_classifier_retrain_failures ORDER BY classifier;

-- Without new rows, retry_failed_after ends a back-off.
SET ROLE pgi_bo_admin;
SELECT * FROM pg_temp.tick();
RESET ROLE;
UPDATE ai_classifier_retrain_failures SET failed_at = failed_at - interval '2 hours';
SET ROLE pgi_bo_admin;
SELECT classifier, retrained, outcome FROM pg_temp.tick() WHERE classifier = 'broken';
RESET ROLE;

-- The back-off is the owner's: callers cannot read or change it.
SET ROLE pgi_bo_admin;
\set VERBOSITY terse
SELECT count(*) FROM ai_classifier_retrain_failures;
\set VERBOSITY default
RESET ROLE;

-- The rule both retrain_if_needed() (intent) and retrain_classifiers()
-- read (54_retrain.sql): a failure holds while no run of the classifier
-- completed since it; while it holds, the next attempt waits for
-- threshold new rows or retry_failed_after (1 hour by default).
SELECT intent_internal._pg_intent_retrain_failure_open('broken', now() - interval '1 minute') AS broken_held,
       intent_internal._pg_intent_retrain_failure_open('broken', NULL) AS no_failure_held,
       intent_internal._pg_intent_retrain_failure_open('single', '-infinity') AS completed_since_held;
SELECT n AS new_since_failure, (intent_internal._pg_intent_retrain_backs_off(now() - interval '1 minute', n, 100)).backing_off
  FROM (VALUES (NULL::bigint), (0), (99), (100)) AS v(n);
SELECT (intent_internal._pg_intent_retrain_backs_off(now() - interval '2 hours', 0, 100)).backing_off AS after_retry_time,
       (intent_internal._pg_intent_retrain_backs_off(now(), 0, 100)).retry_after = now() + interval '1 hour' AS retry_in_an_hour;

-- The attempt retrain_classifiers() marks before it trains
-- (ai_classifier_retrain_attempt_seq) is recorded as failed by the next
-- call from no earlier than it started: at whole seconds (0.3.2's first
-- marker) a run completed earlier in that second read as completed after
-- the failure, and the classifier did not back off (retrain_session_end.sh
-- failed so on a fast machine). Rounded up to the millisecond.
SELECT intent_internal._pg_intent_classifier_retrain_mark('single', '2026-11-30 12:00:00.2504+00', false);
SELECT interrupted, failed_at = '2026-11-30 12:00:00.251+00' AS failed_at_rounded_up, record_only
  FROM intent_internal._pg_intent_classifier_retrain_resume();
SELECT last_value AS cleared FROM ai_classifier_retrain_attempt_seq;
SELECT intent_internal._pg_intent_classifier_retrain_mark('single', '2026-11-30 12:00:01+00', true);
SELECT interrupted, failed_at = '2026-11-30 12:00:01+00' AS failed_at_exact, record_only
  FROM intent_internal._pg_intent_classifier_retrain_resume();
SELECT classifier, failed_at = '2026-11-30 12:00:01+00' AS recorded_from_start, rows_counted, sqlstate
  FROM ai_classifier_retrain_failures WHERE classifier = 'single';

-- intent's attempts are marked in a sequence of their own
-- (ai_intent_retrain_attempt_seq: a retrain_classifiers() call and
-- retrain_if_needed() run at once) by the same mark, in the same encoding
-- (intent's id 0), and recorded by the same resume into the one store.
SELECT last_value AS classifier_mark_before FROM ai_classifier_retrain_attempt_seq \gset
SELECT intent_internal._pg_intent_classifier_retrain_mark('intent', '2026-11-30 12:00:00.250001+00', false);
SELECT last_value % 1048576 AS intent_id,
       '1970-01-01 00:00:00+00'::timestamptz + last_value / 2097152 * interval '1 millisecond'
       = '2026-11-30 12:00:00.251+00' AS start_rounded_up
  FROM ai_intent_retrain_attempt_seq;
SELECT last_value = :classifier_mark_before AS classifiers_mark_untouched FROM ai_classifier_retrain_attempt_seq;

-- The training slots SQL reads pg_locks by are those the C code takes: one
-- definition (is_training_slot_subid(), src/pg/extension_locks.h), which SQL
-- asks through _pg_intent_is_training_slot(). The object sub-ids 16 to 79 of
-- the extension's pg_extension entry; not 3, the retraining lock. A slot a
-- training takes is one, so that an attempt of retrain_if_needed() marked
-- in progress reads as no failure while it is held, and as a failed
-- attempt (57014, as a classifier's) once it is not.
SELECT s AS objsubid, intent_internal._pg_intent_is_training_slot(s) AS training_slot
  FROM (VALUES (3), (15), (16), (79), (80)) AS v(s);
SELECT failed_at = '2026-11-30 12:00:00.251+00' AS failed_without_a_slot_held, sqlstate
  FROM intent_internal._pg_intent_retrain_failure_of('intent');
BEGIN;
SELECT intent_internal._pg_intent_lock_training('slot_conformance', 1);
SELECT count(*) AS slots_held, bool_and(intent_internal._pg_intent_is_training_slot(l.objsubid)) AS read_as_slots
  FROM pg_locks AS l
 WHERE l.pid = pg_backend_pid() AND l.locktype = 'object' AND l.classid = 'pg_extension'::regclass
   AND l.objid = (SELECT oid FROM pg_extension WHERE extname = 'pg_intent');
SELECT failed_at IS NULL AS in_progress_while_a_slot_is_held
  FROM intent_internal._pg_intent_retrain_failure_of('intent');
COMMIT;
-- The resume of intent's attempts records it in the one store, as the
-- classifiers' resume does theirs, and clears the mark.
SELECT interrupted, failed_at = '2026-11-30 12:00:00.251+00' AS failed_at_exact, record_only
  FROM intent_internal._pg_intent_retrain_resume(true);
SELECT classifier, failed_at = '2026-11-30 12:00:00.251+00' AS recorded_from_start, rows_counted, sqlstate
  FROM ai_classifier_retrain_failures WHERE classifier = 'intent';
SELECT last_value AS intent_mark_cleared FROM ai_intent_retrain_attempt_seq;
DELETE FROM ai_classifier_retrain_failures WHERE classifier = 'intent';

DROP FUNCTION pg_temp.tick();
DROP VIEW bo_broken;
DROP TABLE bo_prompts, bo_raw;
SET client_min_messages = warning;
DROP EXTENSION pg_intent CASCADE;
DROP ROLE pgi_bo_admin;
