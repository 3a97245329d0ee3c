-- Issue 33, point 1 ("one engine"): scheduled retraining decides by one
-- rule for every classifier (_pg_intent_retrain_rule(), 54_retrain.sql):
-- due by its new rows, then enough samples, then not backing off after a
-- failed attempt. should_retrain() and retrain_if_needed() read it for
-- intent, retrain_classifiers() for every other classifier, each on its own
-- storage. The same rows, as ai_training_data for intent and as the source
-- of a classifier with a time_column (created_at: new rows are those
-- created since the last run, as intent counts them), go through the same
-- steps, and both must say the same thing at each: tried (and how the run
-- ended), too few new rows, too few samples, or backing off.
-- Before the one rule, a classifier with a time_column asked the back-off
-- before the minimum of samples: backing off with too few samples (step 8),
-- it said backing off where intent said too few samples.
SET client_min_messages = warning;
SET pg_intent.allow_drop_with_data = on; -- the previous test's rows go (src/pg/drop_guard.cpp)
DROP EXTENSION IF EXISTS pg_intent CASCADE;
DROP TABLE IF EXISTS conf_src, conf_raw, conf_steps CASCADE;
DROP ROLE IF EXISTS pgi_conf_admin;
CREATE EXTENSION pg_intent;
CREATE ROLE pgi_conf_admin NOLOGIN;
SELECT count(*) > 0 AS granted FROM grant_intent_access('pgi_conf_admin', 'administrator');

-- Retrain after 10 new rows, with at least 30 samples; two labels.
UPDATE ai_training_policy SET auto_retrain_threshold = 10, min_samples_for_training = 30;
CREATE TABLE conf_raw (split text, text text, intent text);
\copy conf_raw FROM 'data/nlpjs_corpus50_es.csv' WITH (FORMAT csv, HEADER true)
CREATE TABLE conf_src (id bigserial PRIMARY KEY, message text NOT NULL, label text NOT NULL,
                       created_at timestamptz NOT NULL DEFAULT now());
SELECT create_classifier('conformance', 'conf_src', 'message', 'label',
                         '{"time_column": "created_at", "seed": 1}') ->> 'name' AS created;
GRANT SELECT ON conf_src TO pgi_conf_admin;

-- The next p_n rows of p_label, the same texts and labels in both, in one
-- transaction (one created_at).
CREATE FUNCTION pg_temp.add(p_label text, p_n integer) RETURNS bigint
LANGUAGE sql AS $$
    INSERT INTO conf_src (message, label)
    SELECT r.text, p_label
      FROM conf_raw AS r
     WHERE split_part(r.intent, '.', 1) = p_label
       AND NOT EXISTS (SELECT FROM ai_training_data AS d WHERE d.user_message = r.text)
       AND NOT EXISTS (SELECT FROM conf_src AS s WHERE s.message = r.text)
     ORDER BY r.split, r.text
     LIMIT p_n;
    INSERT INTO ai_training_data (user_message, detected_intent, confidence_score)
    SELECT s.message, s.label, 90 FROM conf_src AS s
     WHERE NOT EXISTS (SELECT FROM ai_training_data AS d WHERE d.user_message = s.message);
    SELECT count(*) FROM conf_src;
$$;

-- What a scheduled call said: tried (the run's status), or why not, by the
-- text keys of the reasons (whatever the language).
CREATE FUNCTION pg_temp.category(p_retrained text, p_status text, p_reason text, p_backing_off boolean,
                                 p_few_new_rows_key text) RETURNS text
LANGUAGE sql AS $$
    SELECT CASE WHEN p_retrained = 'true' THEN 'tried: ' || coalesce(p_status, '?')
                WHEN p_backing_off THEN 'backing off'
                WHEN p_reason = intent_output_text('retrain_few_samples', intent_output_language()) THEN 'few samples'
                WHEN p_reason = intent_output_text(p_few_new_rows_key, intent_output_language()) THEN 'few new rows'
                ELSE 'other: ' || coalesce(p_reason, '') END
$$;

CREATE TABLE conf_steps (step text PRIMARY KEY, intent_should boolean, intent text, classifier text,
                         classifier_times_iff_backing_off boolean);
GRANT ALL ON conf_steps TO pgi_conf_admin;

-- One step: should_retrain() and retrain_if_needed() for intent, then
-- retrain_classifiers()'s entry for the classifier.
CREATE FUNCTION pg_temp.ask_intent(p_step text) RETURNS void
LANGUAGE plpgsql AS $$
DECLARE
    v_should boolean := should_retrain();
    r jsonb := retrain_if_needed();
BEGIN
    INSERT INTO conf_steps (step, intent_should, intent)
    VALUES (p_step, v_should,
            pg_temp.category(r ->> 'retrained', r #>> '{result,status}', r ->> 'reason',
                             r ? 'retry_after' AND r ? 'failed_at', 'retrain_few_new_samples'));
END
$$;
CREATE FUNCTION pg_temp.ask_classifier(p_step text) RETURNS void
LANGUAGE sql AS $$
    UPDATE conf_steps AS s
       SET classifier = pg_temp.category(e ->> 'retrained', e #>> '{result,status}', e ->> 'reason',
                                         e ? 'retry_after' AND e ? 'failed_at', 'retrain_few_new_rows'),
           classifier_times_iff_backing_off =
               (e ? 'retry_after') = (e ->> 'reason' IS NOT DISTINCT FROM
                                      intent_output_text('retrain_backing_off', intent_output_language()))
      FROM jsonb_array_elements(retrain_classifiers() -> 'classifiers') AS e
     WHERE e ->> 'classifier' = 'conformance' AND s.step = p_step
$$;
GRANT EXECUTE ON FUNCTION pg_temp.ask_classifier(text), pg_temp.category(text, text, text, boolean, text) TO pgi_conf_admin;

-- 1. 20 rows of one label: due by new rows (intent: 20 >= 10; the
--    classifier: never trained), too few samples (20 < 30).
SELECT pg_temp.add('support', 20) AS rows;
SELECT pg_temp.ask_intent('1 too few samples');
SET ROLE pgi_conf_admin;
SELECT pg_temp.ask_classifier('1 too few samples');
RESET ROLE;
-- 2. 15 more of the same label: due, and the run fails (one label: PI001).
SELECT pg_temp.add('support', 15) AS rows;
SELECT pg_temp.ask_intent('2 due, fails');
SET ROLE pgi_conf_admin;
SELECT pg_temp.ask_classifier('2 due, fails');
RESET ROLE;
-- 3. 5 rows of a second label: fewer than auto_retrain_threshold since the
--    failure, backing off.
SELECT pg_temp.add('trivia', 5) AS rows;
SELECT pg_temp.ask_intent('3 backing off');
SET ROLE pgi_conf_admin;
SELECT pg_temp.ask_classifier('3 backing off');
RESET ROLE;
-- 4. 5 more: 10 new since the failure, tried again, and completes.
SELECT pg_temp.add('trivia', 5) AS rows;
SELECT pg_temp.ask_intent('4 retried, completes');
SET ROLE pgi_conf_admin;
SELECT pg_temp.ask_classifier('4 retried, completes');
RESET ROLE;
-- 5. 3 new rows since that run: too few new rows.
SELECT pg_temp.add('support', 3) AS rows;
SELECT pg_temp.ask_intent('5 few new rows');
SET ROLE pgi_conf_admin;
SELECT pg_temp.ask_classifier('5 few new rows');
RESET ROLE;
-- 6. The second label's rows gone, 10 new of the first: due (13 new rows),
--    and the run fails again (one label).
DELETE FROM conf_src WHERE label = 'trivia';
DELETE FROM ai_training_data WHERE detected_intent = 'trivia';
SELECT pg_temp.add('support', 10) AS rows;
SELECT pg_temp.ask_intent('6 due, fails again');
SET ROLE pgi_conf_admin;
SELECT pg_temp.ask_classifier('6 due, fails again');
RESET ROLE;
-- 7. 2 new rows: backing off (now with a completed run before the
--    failure: the classifier counts from its start, by created_at).
SELECT pg_temp.add('support', 2) AS rows;
SELECT pg_temp.ask_intent('7 backing off');
SET ROLE pgi_conf_admin;
SELECT pg_temp.ask_classifier('7 backing off');
RESET ROLE;
-- 8. Backing off, and now too few samples too (the minimum raised above
--    the 48 rows): the minimum of samples is decided first, for both. (The
--    classifier said backing off before the one rule.)
UPDATE ai_training_policy SET min_samples_for_training = 100;
SELECT pg_temp.ask_intent('8 few samples while backing off');
SET ROLE pgi_conf_admin;
SELECT pg_temp.ask_classifier('8 few samples while backing off');
RESET ROLE;
-- 9. The minimum back, 10 rows of the second label: tried, completes.
UPDATE ai_training_policy SET min_samples_for_training = 30;
SELECT pg_temp.add('trivia', 10) AS rows;
SELECT pg_temp.ask_intent('9 retried, completes');
SET ROLE pgi_conf_admin;
SELECT pg_temp.ask_classifier('9 retried, completes');
RESET ROLE;

-- Every step: intent and the classifier agree, should_retrain() says true
-- exactly when retrain_if_needed() tried, and the classifier's entry has a
-- retry time exactly when its reason is backing off.
SELECT step, intent_should, intent, classifier, intent = classifier AS agree,
       intent_should = (intent LIKE 'tried:%') AS should_matches, classifier_times_iff_backing_off
  FROM conf_steps ORDER BY step;
SELECT count(*) FILTER (WHERE intent IS DISTINCT FROM classifier) AS disagreements FROM conf_steps;
-- The runs each made: two failed, two completed.
SELECT classifier, status, count(*) FROM ai_training_runs WHERE partition_key IS NULL GROUP BY 1, 2 ORDER BY 1, 2;

DROP FUNCTION pg_temp.ask_intent(text), pg_temp.ask_classifier(text), pg_temp.category(text, text, text, boolean, text),
              pg_temp.add(text, integer);
DROP TABLE conf_steps;
DROP TABLE conf_src, conf_raw CASCADE;
SET client_min_messages = warning;
DROP EXTENSION pg_intent CASCADE;
DROP ROLE pgi_conf_admin;
