-- retrain_classifiers(): one scheduled call retrains every classifier that
-- its own policy says is due, each AS ITS OWNER in a security-restricted
-- operation, each in a subtransaction (a failure is reported, the others go
-- on). A classifier owner's source runs its code with the owner's rights,
-- never the scheduler's, and cannot RESET ROLE to it.
SET client_min_messages = warning;
SET pg_intent.allow_drop_with_data = on; -- the previous test's rows go (src/pg/drop_guard.cpp)
DROP EXTENSION IF EXISTS pg_intent CASCADE;
DROP TABLE IF EXISTS rc_prompts, rc_raw;
DROP ROLE IF EXISTS pgi_rc_low;
CREATE EXTENSION pg_intent;
\i test/fixtures/try.sql

CREATE TABLE rc_raw (split text, text text, intent text);
\copy rc_raw FROM 'data/nlpjs_corpus50_es.csv' WITH (FORMAT csv, HEADER true)
CREATE TABLE rc_prompts (id bigint PRIMARY KEY, prompt text, route text, asked_at timestamptz);
INSERT INTO rc_prompts
SELECT n, text, split_part(intent, '.', 1), now() - interval '1 day'
  FROM (SELECT row_number() OVER (ORDER BY split, text, intent) AS n, text, intent FROM rc_raw WHERE intent <> 'oos') AS r
 WHERE n <= 300;

SELECT create_classifier('timed', 'rc_prompts', 'prompt', 'route',
                         '{"time_column": "asked_at", "auto_retrain_threshold": 50, "seed": 1}') ->> 'name' AS created;
SELECT create_classifier('counted', 'rc_prompts', 'prompt', 'route', '{"auto_retrain_threshold": 50, "seed": 1}') ->> 'name' AS created;

-- Never trained: both are due.
SELECT c ->> 'classifier' AS classifier, c ->> 'retrained' AS retrained, c #>> '{result,status}' AS status,
       c #>> '{result,deploy_reason}' AS reason
  FROM jsonb_array_elements(retrain_classifiers() -> 'classifiers') AS c;
-- Nothing new: neither is.
SELECT c ->> 'classifier' AS classifier, c ->> 'retrained' AS retrained, c ->> 'new_rows' AS new_rows
  FROM jsonb_array_elements(retrain_classifiers() -> 'classifiers') AS c;
-- 40 new rows: below both thresholds; 80: above both.
INSERT INTO rc_prompts SELECT id + 1000, prompt || ' ya', route, clock_timestamp() FROM rc_prompts WHERE id <= 40;
SELECT c ->> 'classifier' AS classifier, c ->> 'retrained' AS retrained, c ->> 'new_rows' AS new_rows
  FROM jsonb_array_elements(retrain_classifiers() -> 'classifiers') AS c;
INSERT INTO rc_prompts SELECT id + 2000, prompt || ' ahora', route, clock_timestamp() FROM rc_prompts WHERE id <= 40;
SELECT c ->> 'classifier' AS classifier, c ->> 'retrained' AS retrained, c ->> 'new_rows' AS new_rows,
       c #>> '{result,status}' AS status
  FROM jsonb_array_elements(retrain_classifiers() -> 'classifiers') AS c;
-- 40 rows with a label is_valid_intent_name() refuses never train, so they
-- are not new: 0.3.1 counted them, and both classifiers were due.
INSERT INTO rc_prompts SELECT id + 3000, prompt, CASE WHEN id % 2 = 0 THEN 'uncertain' ELSE ' ' || route END,
                              clock_timestamp() FROM rc_prompts WHERE id <= 40;
SELECT c ->> 'classifier' AS classifier, c ->> 'retrained' AS retrained, c ->> 'new_rows' AS new_rows
  FROM jsonb_array_elements(retrain_classifiers() -> 'classifiers') AS c;
-- 60 rows without a text are counted (counting never reads a text, which
-- may fail where the run's read does) and train nothing; once a run has
-- started after them they are not new any more. Without a time_column,
-- 0.3.1 compared the count with the rows the run trained on: 'counted' was
-- due at every call, each deploying an unchanged model.
INSERT INTO rc_prompts SELECT id + 4000, NULL, route, clock_timestamp() FROM rc_prompts WHERE id <= 60;
SELECT c ->> 'classifier' AS classifier, c ->> 'retrained' AS retrained, c ->> 'new_rows' AS new_rows
  FROM jsonb_array_elements(retrain_classifiers() -> 'classifiers') AS c;
SELECT c ->> 'classifier' AS classifier, c ->> 'retrained' AS retrained, c ->> 'new_rows' AS new_rows
  FROM jsonb_array_elements(retrain_classifiers() -> 'classifiers') AS c;
SELECT (metrics ->> 'source_rows_counted')::bigint - (metrics ->> 'input_rows')::bigint AS counted_not_trained
  FROM ai_training_runs WHERE classifier = 'counted' ORDER BY started_at DESC LIMIT 1;
-- Rows dated in the future are new once their time has come. Counted as
-- new until then, 120 rows dated a year ahead retrained (and stored a
-- model) at every scheduled call, and were fresh to the gate after the
-- active model had trained on them.
CREATE TABLE rc_future AS SELECT id, prompt, route, asked_at FROM rc_prompts WHERE id <= 300;
SELECT create_classifier('future', 'rc_future', 'prompt', 'route',
                         '{"time_column": "asked_at", "auto_retrain_threshold": 50, "seed": 1}') ->> 'name' AS created;
SELECT train_classifier('future') ->> 'status' AS trained;
INSERT INTO rc_future SELECT id + 5000, prompt || ' futuro', route, now() + interval '1 year' FROM rc_future WHERE id <= 120;
SELECT get_classifier_metrics('future') -> 'new_rows' AS new_rows, get_classifier_metrics('future') -> 'retrain_due' AS due;
SELECT train_classifier('future') ->> 'run_id' AS run \gset
SELECT x.metrics ->> 'fresh_rows_rule' AS rule, x.metrics #>> '{gate,rows}' AS gate_rows, x.metrics #>> '{gate,reason}' AS gate_reason
  FROM ai_training_runs AS x WHERE x.id = :'run';
SELECT get_classifier_metrics('future') -> 'new_rows' AS new_rows, get_classifier_metrics('future') -> 'retrain_due' AS due;
SELECT drop_classifier('future', true) IS NOT NULL AS dropped;
DROP TABLE rc_future;
-- Past max_training_rows a run reads the first rows in the source's order:
-- new rows still make it due (the count is not capped; capped, a source
-- past the bound was never due again).
CREATE TABLE rc_capped (prompt text, route text);
INSERT INTO rc_capped SELECT prompt, route FROM rc_prompts WHERE id <= 300;
SELECT create_classifier('capped', 'rc_capped', 'prompt', 'route',
                         '{"max_training_rows": 200, "auto_retrain_threshold": 50, "seed": 1}') ->> 'name' AS created;
SELECT train_classifier('capped') ->> 'status' AS trained;
SELECT get_classifier_metrics('capped') -> 'new_rows' AS new_rows, get_classifier_metrics('capped') -> 'retrain_due' AS due;
-- Never trained, with fewer rows than its threshold: due at once, and
-- still after an experiment ({"deploy": "never"}) of it.
SELECT create_classifier('fresh', 'rc_capped', 'prompt', 'route', '{"auto_retrain_threshold": 5000, "seed": 1}') ->> 'name' AS created;
SELECT get_classifier_metrics('fresh') -> 'new_rows' AS new_rows, get_classifier_metrics('fresh') -> 'retrain_due' AS due;
SELECT train_classifier('fresh', NULL, '{"deploy": "never"}') ->> 'status' AS experiment;
SELECT get_classifier_metrics('fresh') -> 'new_rows' AS new_rows, get_classifier_metrics('fresh') -> 'retrain_due' AS due;
SELECT drop_classifier('fresh', true) IS NOT NULL AS dropped;
-- A run with a bound of its own ({"limit": 40}) leaves the other rows new.
SELECT create_classifier('limited', 'rc_capped', 'prompt', 'route', '{"auto_retrain_threshold": 50, "seed": 1}') ->> 'name' AS created;
SELECT train_classifier('limited', NULL, '{"limit": 40}') ->> 'status' AS trained;
SELECT get_classifier_metrics('limited') -> 'new_rows' AS new_rows, get_classifier_metrics('limited') -> 'retrain_due' AS due;
SELECT drop_classifier('limited', true) IS NOT NULL AS dropped;
-- The same with a time_column: the count does not start from that run, so
-- the rows it left unread are new, and it is due (they counted 0).
SELECT create_classifier('tlimited', 'rc_prompts', 'prompt', 'route',
                         '{"time_column": "asked_at", "auto_retrain_threshold": 50, "seed": 1}') ->> 'name' AS created;
SELECT train_classifier('tlimited', NULL, '{"limit": 150}') ->> 'status' AS trained;
SELECT get_classifier_metrics('tlimited') -> 'new_rows' AS new_rows, get_classifier_metrics('tlimited') -> 'retrain_due' AS due;
SELECT train_classifier('tlimited') ->> 'status' AS trained;
SELECT get_classifier_metrics('tlimited') -> 'new_rows' AS new_rows, get_classifier_metrics('tlimited') -> 'retrain_due' AS due;
SELECT drop_classifier('tlimited', true) IS NOT NULL AS dropped;
-- The count reads labels the run never reaches (rows without a text): a
-- label that fails to read there fails the count, not the training, which
-- then records no count (its input_rows decide).
CREATE VIEW rc_json AS SELECT prompt, (payload::json ->> 'route') AS route
  FROM (SELECT prompt, json_build_object('route', route)::text AS payload FROM rc_capped
        UNION ALL SELECT NULL, 'not json') AS s;
SELECT create_classifier('viewed', 'rc_json', 'prompt', 'route', '{"auto_retrain_threshold": 50, "seed": 1}') ->> 'name' AS created;
SELECT train_classifier('viewed') ->> 'status' AS trained;
SELECT metrics ? 'source_rows_counted' AS counted, (metrics ->> 'input_rows')::int AS input_rows
  FROM ai_training_runs WHERE classifier = 'viewed';
-- The dashboard reports the failed count instead of failing with it.
SELECT m -> 'new_rows' AS new_rows, m ->> 'new_rows_unknown' AS why, m #>> '{last_run,status}' AS last_run
  FROM get_classifier_metrics('viewed') AS m;
SELECT drop_classifier('viewed', true) IS NOT NULL AS dropped;
DROP VIEW rc_json;
-- only_reviewed, the count's one policy key, turned on after a run: the
-- reviewed rows added since are new (the count at the run was of every row,
-- and 150 new reviewed rows counted 0).
CREATE TABLE rc_vetted AS SELECT prompt, route, (row_number() OVER ()) <= 100 AS ok FROM rc_capped;
SELECT create_classifier('vetted', 'rc_vetted', 'prompt', 'route',
                         '{"reviewed_column": "ok", "auto_retrain_threshold": 50, "seed": 1}') ->> 'name' AS created;
SELECT train_classifier('vetted') ->> 'status' AS trained;
SELECT alter_classifier('vetted', '{"only_reviewed": true}') IS NOT NULL AS altered;
INSERT INTO rc_vetted SELECT prompt || ' ya', route, true FROM rc_vetted LIMIT 150;
SELECT get_classifier_metrics('vetted') -> 'new_rows' AS new_rows, get_classifier_metrics('vetted') -> 'retrain_due' AS due;
-- The reader's only_reviewed rule and the count's are one
-- (_pg_intent_source_reads_reviewed_only()): trained under it, the source
-- counts no new rows, and rows nobody vouched for are not counted.
SELECT train_classifier('vetted') ->> 'status' AS trained;
SELECT get_classifier_metrics('vetted') -> 'new_rows' AS new_rows;
INSERT INTO rc_vetted SELECT prompt || ' sin revisar', route, false FROM rc_vetted LIMIT 80;
SELECT get_classifier_metrics('vetted') -> 'new_rows' AS new_rows;
SELECT drop_classifier('vetted', true) IS NOT NULL AS dropped;
DROP TABLE rc_vetted;
INSERT INTO rc_capped SELECT '  ' || prompt, route FROM rc_capped LIMIT 150;
SELECT get_classifier_metrics('capped') -> 'new_rows' AS new_rows, get_classifier_metrics('capped') -> 'retrain_due' AS due;
SELECT drop_classifier('capped', true) IS NOT NULL AS dropped;
DROP TABLE rc_capped;

-- A low-privileged owner's source whose code tries to take the scheduler's
-- rights back (RESET ROLE), and reports whom it runs as.
CREATE ROLE pgi_rc_low;
SELECT count(*) > 0 AS granted FROM grant_intent_access('pgi_rc_low', 'classifiers');
GRANT CREATE ON SCHEMA public TO pgi_rc_low;
GRANT SELECT ON rc_prompts TO pgi_rc_low;
SET ROLE pgi_rc_low;
CREATE FUNCTION public.rc_spy() RETURNS boolean LANGUAGE plpgsql VOLATILE AS $$
BEGIN
    IF current_user <> 'pgi_rc_low' THEN
        RAISE EXCEPTION 'the source ran as %', current_user;
    END IF;
    RESET ROLE;
    RAISE EXCEPTION 'the source took the rights of %', current_user;
END $$;
CREATE VIEW public.rc_trap AS SELECT * FROM rc_prompts WHERE id < 0 OR public.rc_spy();
SELECT create_classifier('trap', 'public.rc_trap', 'prompt', 'route') ->> 'owner' AS trap_owner;
RESET ROLE;
-- The trap is reported, its owner's rights only; the other classifiers are retrained as before.
SELECT c ->> 'classifier' AS classifier, c ->> 'retrained' AS retrained, c #>> '{error,sqlstate}' AS sqlstate,
       c #>> '{error,message}' AS error
  FROM jsonb_array_elements(retrain_classifiers() -> 'classifiers') AS c;
SELECT rolsuper AS low_is_superuser FROM pg_roles WHERE rolname = 'pgi_rc_low';

-- A classifier whose source was dropped is reported too (42P01), and the
-- others go on: before, its plan row came from a join with pg_class, and it
-- was left out of the result. The dashboards say why they have no count.
SET ROLE pgi_rc_low;
CREATE TABLE public.rc_gone AS SELECT prompt, route, asked_at FROM rc_prompts;
SELECT create_classifier('gone', 'public.rc_gone', 'prompt', 'route',
                         '{"time_column": "asked_at", "seed": 1}') ->> 'name' AS created;
SELECT train_classifier('gone') ->> 'status' AS trained;
DROP TABLE public.rc_gone CASCADE;
SELECT pg_temp.try($$SELECT train_classifier('gone')$$) AS train_gone;
SELECT pg_temp.try($$SELECT predict_label('gone', 'hola')$$) AS predicts_gone; -- its model needs no source
RESET ROLE;
-- Neither could be counted, and each entry says so in its reason (a
-- training that raised has the error only, and backs off: an entry without
-- the reason did not say which, nor whether the next call tries again).
SELECT c ->> 'classifier' AS classifier, c ->> 'retrained' AS retrained, c #>> '{error,sqlstate}' AS sqlstate,
       c #>> '{error,message}' AS error, c ->> 'reason' AS reason
  FROM jsonb_array_elements(retrain_classifiers() -> 'classifiers') AS c
 WHERE c ->> 'classifier' IN ('gone', 'trap') ORDER BY 1;
SELECT count(*) AS backing_off FROM ai_classifier_retrain_failures WHERE classifier IN ('gone', 'trap');
SELECT m -> 'new_rows' AS new_rows, m ->> 'new_rows_unknown' AS why, m -> 'active_model' <> 'null' AS has_model
  FROM get_classifier_metrics('gone') AS m;
SELECT s -> 'new_rows' AS new_rows, s ->> 'new_rows_unknown' AS why
  FROM create_classifier_metrics_snapshot('gone', 'daily', date_trunc('day', now()) - interval '1 day') AS s;
SELECT drop_classifier('gone', true) ->> 'classifier' AS dropped;

-- Not open to PUBLIC: granted with the models set.
SET ROLE pgi_rc_low;
SELECT pg_temp.try($$SELECT retrain_classifiers()$$) AS low_retrains;
RESET ROLE;
-- The set holds retrain_classifiers(), not the plan it reads as the
-- extension owner, which names every classifier's owner and source (before,
-- the set held it: a role of it read them for classifiers it may not see).
CREATE ROLE pgi_rc_scheduler;
SELECT count(*) > 0 AS granted FROM grant_intent_access('pgi_rc_scheduler', 'models');
SET ROLE pgi_rc_scheduler;
SELECT pg_temp.try($$SELECT * FROM intent_internal._pg_intent_classifier_retrain_plan()$$) AS plan_read;
SELECT jsonb_array_length(retrain_classifiers() -> 'classifiers') > 0 AS scheduler_retrains;
RESET ROLE;
DROP OWNED BY pgi_rc_scheduler;
DROP ROLE pgi_rc_scheduler;

-- A statement_timeout during an owner's count ends the call, with a
-- context that names the classifier, never its source: SPI's context line
-- quotes the count's statement (the source's qualified name), which the
-- job's role is not shown. The same for the dashboards' count.
SET ROLE pgi_rc_low;
-- Naps while this table has a row: a caller's own setting would no longer
-- reach the owner's code (docs/privileges.md, "Owner code runs as its owner").
CREATE TABLE public.rc_nap_on (nap boolean);
CREATE FUNCTION public.rc_nap() RETURNS boolean LANGUAGE plpgsql VOLATILE AS $$
BEGIN
    IF EXISTS (SELECT FROM public.rc_nap_on) THEN
        PERFORM pg_sleep(30);
    END IF;
    RETURN true;
END $$;
CREATE VIEW public.rc_slow AS SELECT * FROM rc_prompts WHERE public.rc_nap();
SELECT create_classifier('slow', 'public.rc_slow', 'prompt', 'route') ->> 'name' AS created;
RESET ROLE;
CREATE TEMP TABLE rc_context (call text, context text);
INSERT INTO public.rc_nap_on VALUES (true);
SET statement_timeout = '1s';
DO $$
DECLARE
    v_context text;
BEGIN
    PERFORM retrain_classifiers();
EXCEPTION WHEN query_canceled THEN
    GET STACKED DIAGNOSTICS v_context = PG_EXCEPTION_CONTEXT;
    INSERT INTO rc_context VALUES ('retrain_classifiers', v_context);
END $$;
DO $$
DECLARE
    v_context text;
BEGIN
    PERFORM get_classifier_metrics('slow');
EXCEPTION WHEN query_canceled THEN
    GET STACKED DIAGNOSTICS v_context = PG_EXCEPTION_CONTEXT;
    INSERT INTO rc_context VALUES ('get_classifier_metrics', v_context);
END $$;
RESET statement_timeout;
DELETE FROM public.rc_nap_on;
SELECT call, context !~ 'rc_slow|is_valid_intent_name' AS source_hidden,
       context ~ 'counting the source of classifier "slow"' AS names_classifier
  FROM rc_context ORDER BY call;
SELECT drop_classifier('slow') ->> 'classifier' AS dropped;
DROP VIEW public.rc_slow;
DROP FUNCTION public.rc_nap();
DROP TABLE public.rc_nap_on;

SELECT drop_classifier('trap') ->> 'classifier' AS dropped;
DROP VIEW public.rc_trap;
DROP FUNCTION public.rc_spy();
REVOKE CREATE ON SCHEMA public FROM pgi_rc_low;
DROP OWNED BY pgi_rc_low;
DROP ROLE pgi_rc_low;

-- The minimum of samples, as should_retrain() has it for intent: a
-- classifier whose source holds fewer rows that could train than its
-- min_samples_for_training (20 by default) is not tried. 0.3.2 before this
-- tried it, and it failed one run an hour, each a failed run row and the
-- back-off's failure, for as long as the job ran.
CREATE TABLE rc_few (id bigint PRIMARY KEY, prompt text, route text, asked_at timestamptz);
INSERT INTO rc_few SELECT id, prompt, route, asked_at FROM rc_prompts WHERE id <= 6;
SELECT create_classifier('few', 'rc_few', 'prompt', 'route', '{"seed": 1}') ->> 'name' AS created;
SELECT c ->> 'retrained' AS retrained, c ->> 'new_rows' AS new_rows, c ->> 'reason' AS reason
  FROM jsonb_array_elements(retrain_classifiers() -> 'classifiers') AS c WHERE c ->> 'classifier' = 'few';
SELECT (SELECT count(*) FROM ai_training_runs WHERE classifier = 'few') AS runs,
       (SELECT count(*) FROM ai_classifier_retrain_failures WHERE classifier = 'few') AS failures;
-- Enough rows: it trains.
INSERT INTO rc_few SELECT id, prompt, route, asked_at FROM rc_prompts WHERE id > 6 AND id <= 60;
SELECT c ->> 'retrained' AS retrained, c ->> 'new_rows' AS new_rows, c #>> '{result,status}' AS status
  FROM jsonb_array_elements(retrain_classifiers() -> 'classifiers') AS c WHERE c ->> 'classifier' = 'few';
-- With a time_column the count is of the rows newer than the last run's
-- start (none here: it read them all); when new rows make the classifier
-- due, every row that could train is counted for the minimum (here raised
-- above the source's 70 rows).
SELECT alter_classifier('few', '{"time_column": "asked_at", "auto_retrain_threshold": 5}') ->> 'name' AS altered;
SELECT c ->> 'retrained' AS retrained, c #>> '{result,status}' AS status
  FROM jsonb_array_elements(retrain_classifiers() -> 'classifiers') AS c WHERE c ->> 'classifier' = 'few';
SELECT alter_classifier('few', '{"min_samples_for_training": 100}') ->> 'name' AS altered;
INSERT INTO rc_few SELECT id + 5000, prompt || ' otra vez', route, clock_timestamp() FROM rc_prompts WHERE id <= 10;
SELECT c ->> 'retrained' AS retrained, c ->> 'new_rows' AS new_rows, c ->> 'reason' AS reason
  FROM jsonb_array_elements(retrain_classifiers() -> 'classifiers') AS c WHERE c ->> 'classifier' = 'few';
-- At the minimum it trains again.
SELECT alter_classifier('few', '{"min_samples_for_training": 70}') ->> 'name' AS altered;
SELECT c ->> 'retrained' AS retrained, c ->> 'new_rows' AS new_rows, c #>> '{result,status}' AS status
  FROM jsonb_array_elements(retrain_classifiers() -> 'classifiers') AS c WHERE c ->> 'classifier' = 'few';
SELECT (SELECT count(*) FROM ai_training_runs WHERE classifier = 'few' AND status = 'failed') AS failed_runs;
SELECT drop_classifier('few') ->> 'classifier' AS dropped;
DROP TABLE rc_few;

-- Which errors make a training only busy (no back-off, the next call tries
-- again): one rule for retrain_classifiers() and retrain_if_needed().
SELECT s AS sqlstate, intent_internal._pg_intent_busy_reason(s) AS reason
  FROM unnest(ARRAY['55P03', '40001', '40P01', '57014', 'PI001', 'XX000', '', '55P0']) AS s;
