-- Security issue item 1, for every entry point: nothing pg_intent runs may
-- resolve a name, operator, cast or function through the caller's
-- search_path. A low-privileged role (mallory) plants, in her own schema and
-- in the extension's schema (public is writable here, as on many databases):
-- operators on the types our SQL compares, functions that shadow the ones
-- our SQL calls, an implicit cast, overloads of the extension's internal
-- functions, and tables named like the extension's. Each planted object
-- records who ran it and tries to make mallory a superuser. Then mallory,
-- and an administrator whose search_path puts mallory's schema first, call
-- every function and read every view. Nobody but mallory herself may ever
-- run her code, and she must stay an ordinary role.
SET client_min_messages = warning;
SET pg_intent.allow_drop_with_data = on; -- the previous test's rows go (src/pg/drop_guard.cpp)
DROP EXTENSION IF EXISTS pg_intent CASCADE;
DROP SCHEMA IF EXISTS pgi_hp_mallory CASCADE;
DROP ROLE IF EXISTS pgi_hp_mallory;
DROP ROLE IF EXISTS pgi_hp_admin;
CREATE EXTENSION pg_intent;
\i test/fixtures/spanish_80.sql
SELECT train_intent_model('first', 'full', '{"seed": 1}') ->> 'status' AS first_run;
SELECT id AS first_model FROM ai_intent_models WHERE is_active \gset
SELECT train_intent_model('second', 'full', '{"seed": 2, "deploy": "never"}') ->> 'model_id' AS second_model \gset

CREATE ROLE pgi_hp_mallory LOGIN;
CREATE ROLE pgi_hp_admin LOGIN;
GRANT CREATE ON SCHEMA public TO pgi_hp_mallory;
GRANT EXECUTE ON FUNCTION train_intent_model(text, text, jsonb), deploy_intent_model(bigint),
      rollback_intent_model(), retrain_if_needed(boolean), delete_intent_model(bigint),
      explain_intent(text, integer, text, bigint), evaluate_intent_model(bigint, text) TO pgi_hp_admin;
SELECT count(*) > 0 AS admin_granted FROM grant_intent_access('pgi_hp_admin', 'administrator');
GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO pgi_hp_admin;
GRANT USAGE ON ALL SEQUENCES IN SCHEMA public TO pgi_hp_admin;
CREATE SCHEMA pgi_hp_mallory AUTHORIZATION pgi_hp_mallory;

SET ROLE pgi_hp_mallory;
CREATE TABLE pgi_hp_mallory.tripwire (who text, what text);
GRANT USAGE ON SCHEMA pgi_hp_mallory TO PUBLIC;
GRANT INSERT ON pgi_hp_mallory.tripwire TO PUBLIC;
-- Every planted object calls this: it records the role running it and, run
-- by anyone else, tries to make mallory a superuser.
CREATE FUNCTION pgi_hp_mallory.trip(p_what text) RETURNS boolean LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO pgi_hp_mallory.tripwire VALUES (current_user, p_what);
    IF current_user <> 'pgi_hp_mallory' THEN
        BEGIN
            EXECUTE 'ALTER ROLE pgi_hp_mallory SUPERUSER';
        EXCEPTION WHEN OTHERS THEN NULL;
        END;
    END IF;
    RETURN true;
END $$;
-- Operators on the types the extension's SQL compares, concatenates or
-- indexes into, each a tripwire that still returns the right answer.
CREATE FUNCTION pgi_hp_mallory.eq(anyelement, anyelement) RETURNS boolean LANGUAGE plpgsql AS $$
BEGIN PERFORM pgi_hp_mallory.trip('='); RETURN $1 OPERATOR(pg_catalog.=) $2; END $$;
CREATE FUNCTION pgi_hp_mallory.ne(anyelement, anyelement) RETURNS boolean LANGUAGE plpgsql AS $$
BEGIN PERFORM pgi_hp_mallory.trip('<>'); RETURN $1 OPERATOR(pg_catalog.<>) $2; END $$;
CREATE FUNCTION pgi_hp_mallory.lt(anyelement, anyelement) RETURNS boolean LANGUAGE plpgsql AS $$
BEGIN PERFORM pgi_hp_mallory.trip('<'); RETURN $1 OPERATOR(pg_catalog.<) $2; END $$;
CREATE FUNCTION pgi_hp_mallory.ge(anyelement, anyelement) RETURNS boolean LANGUAGE plpgsql AS $$
BEGIN PERFORM pgi_hp_mallory.trip('>='); RETURN $1 OPERATOR(pg_catalog.>=) $2; END $$;
CREATE FUNCTION pgi_hp_mallory.cat(text, text) RETURNS text LANGUAGE plpgsql AS $$
BEGIN PERFORM pgi_hp_mallory.trip('||'); RETURN $1 OPERATOR(pg_catalog.||) $2; END $$;
CREATE FUNCTION pgi_hp_mallory.field(jsonb, text) RETURNS text LANGUAGE plpgsql AS $$
BEGIN PERFORM pgi_hp_mallory.trip('->>'); RETURN $1 OPERATOR(pg_catalog.->>) $2; END $$;
CREATE FUNCTION pgi_hp_mallory.has(jsonb, text) RETURNS boolean LANGUAGE plpgsql AS $$
BEGIN PERFORM pgi_hp_mallory.trip('?'); RETURN $1 OPERATOR(pg_catalog.?) $2; END $$;
DO $$
DECLARE t text;
BEGIN
    FOREACH t IN ARRAY ARRAY['bigint', 'integer', 'smallint', 'text', 'uuid', 'boolean', 'double precision',
                             'numeric', 'timestamptz', 'real']
    LOOP
        EXECUTE format('CREATE OPERATOR pgi_hp_mallory.= (LEFTARG = %s, RIGHTARG = %s, FUNCTION = pgi_hp_mallory.eq)', t, t);
        EXECUTE format('CREATE OPERATOR pgi_hp_mallory.<> (LEFTARG = %s, RIGHTARG = %s, FUNCTION = pgi_hp_mallory.ne)', t, t);
        EXECUTE format('CREATE OPERATOR pgi_hp_mallory.< (LEFTARG = %s, RIGHTARG = %s, FUNCTION = pgi_hp_mallory.lt)', t, t);
        EXECUTE format('CREATE OPERATOR pgi_hp_mallory.>= (LEFTARG = %s, RIGHTARG = %s, FUNCTION = pgi_hp_mallory.ge)', t, t);
    END LOOP;
END $$;
CREATE OPERATOR pgi_hp_mallory.|| (LEFTARG = text, RIGHTARG = text, FUNCTION = pgi_hp_mallory.cat);
CREATE OPERATOR pgi_hp_mallory.->> (LEFTARG = jsonb, RIGHTARG = text, FUNCTION = pgi_hp_mallory.field);
CREATE OPERATOR pgi_hp_mallory.? (LEFTARG = jsonb, RIGHTARG = text, FUNCTION = pgi_hp_mallory.has);
-- Functions that shadow built-ins the extension's SQL calls by name.
CREATE FUNCTION pgi_hp_mallory.now() RETURNS timestamptz LANGUAGE plpgsql AS $$
BEGIN PERFORM pgi_hp_mallory.trip('now()'); RETURN pg_catalog.now(); END $$;
CREATE FUNCTION pgi_hp_mallory.lower(text) RETURNS text LANGUAGE plpgsql AS $$
BEGIN PERFORM pgi_hp_mallory.trip('lower()'); RETURN pg_catalog.lower($1); END $$;
CREATE FUNCTION pgi_hp_mallory.btrim(text) RETURNS text LANGUAGE plpgsql AS $$
BEGIN PERFORM pgi_hp_mallory.trip('btrim()'); RETURN pg_catalog.btrim($1); END $$;
CREATE FUNCTION pgi_hp_mallory.gen_random_uuid() RETURNS uuid LANGUAGE plpgsql AS $$
BEGIN PERFORM pgi_hp_mallory.trip('gen_random_uuid()'); RETURN pg_catalog.gen_random_uuid(); END $$;
CREATE FUNCTION pgi_hp_mallory.jsonb_typeof(jsonb) RETURNS text LANGUAGE plpgsql AS $$
BEGIN PERFORM pgi_hp_mallory.trip('jsonb_typeof()'); RETURN pg_catalog.jsonb_typeof($1); END $$;
CREATE FUNCTION pgi_hp_mallory.current_setting(text) RETURNS text LANGUAGE plpgsql AS $$
BEGIN PERFORM pgi_hp_mallory.trip('current_setting()'); RETURN pg_catalog.current_setting($1); END $$;
-- An implicit cast from text to a type of hers.
CREATE TYPE pgi_hp_mallory.tag AS (v text);
CREATE FUNCTION pgi_hp_mallory.to_tag(text) RETURNS pgi_hp_mallory.tag LANGUAGE plpgsql AS $$
BEGIN PERFORM pgi_hp_mallory.trip('cast'); RETURN ROW($1)::pgi_hp_mallory.tag; END $$;
CREATE CAST (text AS pgi_hp_mallory.tag) WITH FUNCTION pgi_hp_mallory.to_tag(text) AS IMPLICIT;
-- Tables named like the extension's, with rows that would change decisions.
CREATE TABLE pgi_hp_mallory.ai_training_policy AS SELECT * FROM (VALUES (true, 1.0::float8)) AS v(id, max_f1_regression);
CREATE TABLE pgi_hp_mallory.ai_intent_models (id bigint, model bytea, is_active boolean);
INSERT INTO pgi_hp_mallory.ai_intent_models VALUES (1, '\x00'::bytea, true);
CREATE TABLE pgi_hp_mallory.ai_training_data (id uuid, user_message text);
-- The internal functions' schema is the extension's: she may not plant
-- anything beside them (42501).
CREATE FUNCTION intent_internal._pg_intent_lock(text, text) RETURNS boolean LANGUAGE sql AS 'SELECT true';
-- Overloads of the extension's functions in the schema it was installed
-- in, whose argument types would match a call with untyped literals better.
CREATE FUNCTION public._pg_intent_activate(bigint, text, text) RETURNS bigint LANGUAGE plpgsql AS $$
BEGIN PERFORM pgi_hp_mallory.trip('_pg_intent_activate overload'); RETURN NULL; END $$;
CREATE FUNCTION public._pg_intent_lock(text, text) RETURNS boolean LANGUAGE plpgsql AS $$
BEGIN PERFORM pgi_hp_mallory.trip('_pg_intent_lock overload'); RETURN true; END $$;
CREATE FUNCTION public.intent_model_info(text) RETURNS jsonb LANGUAGE plpgsql AS $$
BEGIN PERFORM pgi_hp_mallory.trip('intent_model_info overload'); RETURN '{}'; END $$;
CREATE FUNCTION public._pg_intent_md_cell(text, bigint) RETURNS text LANGUAGE plpgsql AS $$
BEGIN PERFORM pgi_hp_mallory.trip('_pg_intent_md_cell overload'); RETURN $1; END $$;
CREATE FUNCTION public._pg_intent_window_metrics(timestamp, timestamp) RETURNS jsonb LANGUAGE plpgsql AS $$
BEGIN PERFORM pgi_hp_mallory.trip('_pg_intent_window_metrics overload'); RETURN '{}'; END $$;
-- Exact-type overloads of the words of errors, which beat the extension's
-- VARIADIC "any" one for a call with text or integer arguments: before
-- 0.3.2's internal twin (_pg_intent_error_words()), asking drop_classifier()
-- about an unknown classifier ran the (text, text) one as the extension
-- owner. And of the number words, which a view calls.
DO $$
DECLARE a text;
BEGIN
    FOREACH a IN ARRAY ARRAY['text, text', 'text, text, text', 'text, bigint', 'text, integer',
                             'text, text, bigint', 'text, bigint, text', 'text, numeric', 'text, uuid',
                             'text, text, text, text', 'text, text, integer']
    LOOP
        EXECUTE format($f$CREATE FUNCTION public.intent_output_error(%s) RETURNS text LANGUAGE plpgsql AS
                         $b$BEGIN RAISE WARNING 'mallory''s words of errors ran as %%', current_user;
                                 PERFORM pgi_hp_mallory.trip('intent_output_error overload'); RETURN 'planted'; END $b$ $f$,
                       a);
    END LOOP;
END $$;
CREATE FUNCTION public.intent_output_number(double precision, text) RETURNS text LANGUAGE plpgsql AS $$
BEGIN PERFORM pgi_hp_mallory.trip('intent_output_number overload'); RETURN 'planted'; END $$;
RESET ROLE;

-- What the roles run, as mallory and as the administrator, each with
-- mallory's schema first on the search_path. Calls are schema-qualified (a
-- caller's own unqualified call is the caller's to resolve); everything the
-- functions do inside is what is under test.
CREATE FUNCTION pg_temp.run_everything() RETURNS text LANGUAGE plpgsql AS $run$
DECLARE
    calls text[] := ARRAY[
        $$SELECT public.predict_intent('quiero devolver la mochila')$$,
        pg_catalog.format($$SELECT public.predict_intent('quiero devolver la mochila', %s)$$, pg_catalog.current_setting('hp.second_model')),
        $$SELECT public.classify_intent('mi pedido no ha llegado')$$,
        $$SELECT public.explain_intent('quiero devolver la mochila', 3)$$,
        $$SELECT public.evaluate_intent_model(NULL, 'SELECT d.user_message, d.detected_intent FROM public.ai_training_data AS d')$$,
        $$SELECT public.intent_model_info(model) FROM public.ai_intent_models WHERE is_active$$,
        $$SELECT public.intent_training_options('{"C": 0.5}')$$,
        $$SELECT public.record_interaction('hola, quiero devolver algo', 'return_process', 80)$$,
        $$SELECT public.submit_intent_correction((SELECT id FROM public.ai_training_data ORDER BY user_message LIMIT 1), 'return_process')$$,
        $$SELECT pg_catalog.count(*) FROM public.get_training_dataset()$$,
        $$SELECT public.evaluate_interaction((SELECT id FROM public.ai_training_data ORDER BY user_message LIMIT 1), 'gracias')$$,
        $$SELECT public.score_feedback_message('no me sirve')$$,
        $$SELECT public.get_ai_training_metrics(7)$$,
        $$SELECT public.create_metrics_snapshot('daily')$$,
        $$SELECT pg_catalog.count(*) FROM public.export_training_dataset('csv')$$,
        $$SELECT pg_catalog.length(public.training_report())$$,
        $$SELECT pg_catalog.length(public.training_report(NULL, 'html'))$$,
        $$SELECT public.should_retrain()$$,
        pg_catalog.format($$SELECT public.shadow_predict('hola', %s)$$, pg_catalog.current_setting('hp.second_model')),
        $$SELECT public.train_intent_model('hostile', 'full', '{"seed": 3}')$$,
        pg_catalog.format($$SELECT public.deploy_intent_model(%s)$$, pg_catalog.current_setting('hp.second_model')),
        $$SELECT public.rollback_intent_model()$$,
        $$SELECT public.retrain_if_needed()$$,
        $$SELECT public.delete_intent_model((SELECT pg_catalog.max(id) FROM public.ai_intent_models WHERE NOT is_active))$$,
        $$UPDATE public.ai_training_policy SET max_f1_regression = 0.05$$,
        $$INSERT INTO public.ai_feedback_cues (language, pattern, kind, score) VALUES ('es', 'gracias', 'thanks', 5)$$,
        $$UPDATE public.ai_feedback_cues SET score = 4 WHERE pattern = 'genial'$$,
        $$DELETE FROM public.ai_feedback_cues WHERE pattern = 'perfecto'$$,
        $$SELECT pg_catalog.count(*) FROM public.ai_model_registry$$,
        $$SELECT pg_catalog.count(*) FROM public.ai_pending_review$$,
        $$SELECT pg_catalog.count(*) FROM public.ai_review_queue$$,
        $$SELECT pg_catalog.count(*) FROM public.ai_classification_errors$$,
        $$SELECT pg_catalog.count(*) FROM public.ai_intent_performance$$,
        $$SELECT pg_catalog.count(*) FROM public.ai_training_run_history$$,
        $$SELECT pg_catalog.count(*) FROM public.ai_live_metrics$$,
        $$SELECT pg_catalog.count(*) FROM public.ai_metric_alerts$$,
        $$SELECT pg_catalog.count(*) FROM public.ai_shadow_agreement$$];
    c text;
    ok integer := 0;
    refused text[] := '{}';
BEGIN
    FOREACH c IN ARRAY calls LOOP
        BEGIN
            EXECUTE c;
            ok := ok + 1;
        EXCEPTION WHEN insufficient_privilege THEN
            refused := refused || pg_catalog.substring(c, '(?:public\.)([a-z_]+)');
        END;
    END LOOP;
    RETURN pg_catalog.format('%s ran; refused for lack of privileges: %s', ok, pg_catalog.array_to_string(refused, ', '));
END $run$;
SELECT pg_catalog.set_config('hp.second_model', :'second_model', false) IS NOT NULL AS noted;

-- Mallory herself: what she may not do is refused, what she may do runs, and
-- none of her planted code runs as anyone else.
SET ROLE pgi_hp_mallory;
SET search_path = pgi_hp_mallory, public, pg_catalog;
SELECT pg_temp.run_everything() AS as_mallory;
RESET ROLE;
RESET search_path;
SELECT count(*) FILTER (WHERE who <> 'pgi_hp_mallory') AS run_by_others, array_agg(DISTINCT what) FILTER (WHERE who <> 'pgi_hp_mallory') AS what
  FROM pgi_hp_mallory.tripwire;

-- The administrator, with mallory's schema first on her search_path (the
-- trojan case: every privileged and invoker function must still use only
-- pg_catalog and the extension's own objects).
SET ROLE pgi_hp_admin;
SET search_path = pgi_hp_mallory, public, pg_catalog;
SELECT pg_temp.run_everything() AS as_admin;
RESET ROLE;
RESET search_path;
SELECT count(*) FILTER (WHERE who <> 'pgi_hp_mallory') AS run_by_others, array_agg(DISTINCT what) FILTER (WHERE who <> 'pgi_hp_mallory') AS what
  FROM pgi_hp_mallory.tripwire;

-- Named classifiers (0.3.0), every new entry point: the administrator owns a
-- classifier over a table of her own (read with her rights) and trains,
-- deploys, rolls back, alters, grants and drops it, with mallory's schema
-- first on her search_path; mallory tries the same. Each call's SQLSTATE is
-- shown (00000: it ran), and the tripwire is checked again.
CREATE TABLE public.hp_prompts AS
SELECT row_number() OVER (ORDER BY user_message, id)::bigint AS id, user_message AS prompt, training_label AS route,
       created_at AS asked_at, (row_number() OVER (ORDER BY user_message, id) % 2)::text AS shop
  FROM ai_training_data WHERE training_label IS NOT NULL;
GRANT SELECT ON public.hp_prompts TO pgi_hp_admin;
CREATE FUNCTION pg_temp.run_classifiers() RETURNS text LANGUAGE plpgsql AS $run$
DECLARE
    calls text[] := ARRAY[
        $$SELECT public.create_classifier('hp_router', 'public.hp_prompts', 'prompt', 'route', '{"key_column": "id", "time_column": "asked_at", "gate_window_days": 3650, "partition_column": "shop", "min_partition_rows": 20, "seed": 1}')$$,
        $$SELECT public.train_classifier('hp_router')$$,
        $$SELECT public.train_classifier('hp_router', 'again', '{"seed": 2, "deploy": "always"}')$$,
        $$SELECT public.rollback_classifier('hp_router')$$,
        $$SELECT public.deploy_classifier_model('hp_router', (SELECT pg_catalog.max(m.id) FROM public.ai_intent_models AS m WHERE m.classifier OPERATOR(pg_catalog.=) 'hp_router' AND NOT m.is_active AND m.partition_key IS NULL))$$,
        $$SELECT public.alter_classifier('hp_router', '{"max_f1_regression": 0.1}')$$,
        $$SELECT public.grant_classifier_access('hp_router', 'pgi_hp_mallory', 'predict')$$,
        $$SELECT public.revoke_classifier_access('hp_router', 'pgi_hp_mallory', 'predict')$$,
        $$SELECT public.train_classifier('intent', 'builtin', '{"seed": 4, "deploy": "never"}')$$,
        $$SELECT public.retrain_classifiers()$$,
        $$SELECT public.get_classifier_metrics('hp_router', 30)$$,
        $$SELECT public.create_classifier_metrics_snapshot('hp_router', 'hourly')$$,
        $$SELECT public.explain_label('hp_router', 'quiero devolver mi pedido', '0', 3)$$,
        $$SELECT pg_catalog.count(*) FROM public.get_classifier_review_queue('hp_router', '0', 10)$$,
        $$SELECT public.reassign_classifier('hp_router', 'pgi_hp_admin')$$,
        $$SELECT public.drop_classifier('hp_router', true)$$,
        -- errors raised as the extension owner, worded with text arguments
        $$SELECT public.drop_classifier('hp_router')$$,
        $$SELECT public.rollback_classifier('hp_no_such', 'x')$$,
        $$SELECT public.alter_classifier('hp_no_such', '{"bogus": 1}')$$];
    c text;
    states text[] := '{}';
BEGIN
    FOREACH c IN ARRAY calls LOOP
        BEGIN
            EXECUTE c;
            states := states || '00000'::text;
        EXCEPTION WHEN OTHERS THEN
            states := states || SQLSTATE;
        END;
    END LOOP;
    RETURN pg_catalog.array_to_string(states, ' ');
END $run$;
SET ROLE pgi_hp_mallory;
SET search_path = pgi_hp_mallory, public, pg_catalog;
SELECT pg_temp.run_classifiers() AS classifiers_as_mallory;
RESET ROLE;
SET ROLE pgi_hp_admin;
SET search_path = pgi_hp_mallory, public, pg_catalog;
SELECT pg_temp.run_classifiers() AS classifiers_as_admin;
RESET ROLE;
RESET search_path;
-- reassign_classifier() (0.3.2) is an administrator's: a superuser runs
-- it, and drops the classifier, with mallory's schema first on the path.
SET search_path = pgi_hp_mallory, public, pg_catalog;
SELECT public.create_classifier('hp_r2', 'public.hp_prompts', 'prompt', 'route') IS NOT NULL AS created;
SELECT public.reassign_classifier('hp_r2', 'pgi_hp_admin') OPERATOR(pg_catalog.->>) 'owner' AS reassigned_to;
SELECT public.drop_classifier('hp_r2') IS NOT NULL AS dropped;
-- An error the owner's code words with a text argument (42704 names the
-- classifier for a role that may list them): before 0.3.2 the superuser ran
-- mallory's intent_output_error(text, text) here (the error said
-- "planted", and her tripwire made her a superuser).
\set VERBOSITY terse
SELECT public.drop_classifier('hp_r2');
\set VERBOSITY default
RESET search_path;
SELECT count(*) FILTER (WHERE who <> 'pgi_hp_mallory') AS run_by_others, array_agg(DISTINCT what) FILTER (WHERE who <> 'pgi_hp_mallory') AS what
  FROM pgi_hp_mallory.tripwire;
DROP TABLE public.hp_prompts;
SELECT rolsuper AS mallory_is_superuser FROM pg_roles WHERE rolname = 'pgi_hp_mallory';
-- And the extension's decisions used its own tables, not hers.
SELECT max_f1_regression FROM public.ai_training_policy;
SELECT count(*) AS active_models FROM public.ai_intent_models WHERE is_active;

DROP SCHEMA pgi_hp_mallory CASCADE;
DROP FUNCTION public._pg_intent_activate(bigint, text, text), public._pg_intent_lock(text, text),
              public.intent_model_info(text), public._pg_intent_md_cell(text, bigint),
              public._pg_intent_window_metrics(timestamp, timestamp),
              public.intent_output_number(double precision, text);
SELECT pg_catalog.format('DROP FUNCTION %s', p.oid::regprocedure) FROM pg_proc p
 WHERE p.proname = 'intent_output_error' AND p.proowner = 'pgi_hp_mallory'::regrole ORDER BY 1 \gexec
REVOKE CREATE ON SCHEMA public FROM pgi_hp_mallory;
DROP EXTENSION pg_intent CASCADE;
DROP OWNED BY pgi_hp_admin;
DROP ROLE pgi_hp_admin;
DROP ROLE pgi_hp_mallory;
