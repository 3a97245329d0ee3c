-- Spanish all the way (issue 36): under pg_intent.language = 'es' (or auto
-- with a Spanish lc_messages) the reasons of scheduled retraining, the
-- alerts and the error messages are Spanish, numbers in sentences take a
-- decimal comma; SQLSTATEs, JSON keys and metric codes stay as they are.
-- English, when chosen, is 0.3.1's wording.
SET client_min_messages = warning;
SET pg_intent.allow_drop_with_data = on; -- the previous test's rows go (src/pg/drop_guard.cpp)
DROP EXTENSION IF EXISTS pg_intent CASCADE;
CREATE EXTENSION pg_intent;
RESET client_min_messages;
\i test/fixtures/try.sql
-- PostgreSQL's own messages follow lc_messages: C keeps them the same on
-- every server, whatever catalogues it ships.
SET lc_messages = 'C';

-- Reasons: retrain_if_needed() with nothing new, then too few samples.
SET pg_intent.language = 'es';
SELECT retrain_if_needed() ->> 'reason' AS reason_es;
SET pg_intent.language = 'en';
SELECT retrain_if_needed() ->> 'reason' AS reason_en;
UPDATE ai_training_policy SET auto_retrain_threshold = 1, min_samples_for_training = 500;
INSERT INTO ai_training_data (user_message, detected_intent, confidence_score, escalated, intent_correct, created_at)
SELECT 'mensaje ' || g, CASE WHEN g % 2 = 0 THEN 'return_process' ELSE 'shipping_problem' END, 90,
       g <= 7, true, now() - make_interval(mins => g)
FROM generate_series(1, 21) g;
SELECT retrain_if_needed() ->> 'reason' AS reason_en;
SET pg_intent.language = 'es';
SELECT retrain_if_needed() ->> 'reason' AS reason_es, retrain_if_needed() ? 'reason' AS key_stays_english;
UPDATE ai_training_policy SET auto_retrain_threshold = DEFAULT, min_samples_for_training = DEFAULT;
-- A classifier's reason (retrain_classifiers()'s decision), in both languages.
SELECT (intent_internal._pg_intent_classifier_retrain_due('tickets', 5, now(), NULL, 100, NULL)).reason AS classifier_reason_es;
SET pg_intent.language = 'en';
SELECT (intent_internal._pg_intent_classifier_retrain_due('tickets', 5, now(), NULL, 100, NULL)).reason AS classifier_reason_en;
-- Every reason's text, in both languages.
SELECT k AS key, intent_output_text(k, 'en') AS en, intent_output_text(k, 'es') AS es
FROM unnest(ARRAY['retrain_few_new_samples', 'retrain_few_samples', 'retrain_few_new_rows', 'retrain_backing_off',
                  'retrain_backing_off_run', 'retrain_run_rolled_back', 'retrain_in_progress', 'retrain_conflict',
                  'retrain_deferred', 'retrain_interrupted_first', 'retrain_not_counted']) AS k;

-- Alerts: 7 of 21 rows escalated (33.33 %) and a weak model (F1 0.65).
INSERT INTO ai_intent_models (version, algorithm, model, size_bytes, sha256, intents, metrics, is_active)
VALUES ('v_weak', 'linear_svm', '\x00'::bytea, 1, 'x', '{a,b}', '{"f1": 0.65}', true);
SELECT metric, value, threshold, message FROM ai_metric_alerts;
SET pg_intent.language = 'es';
SELECT metric, value, threshold, message FROM ai_metric_alerts;
-- The wording of every metric's alert, and numbers in sentences.
SELECT k AS key, intent_output_text(k, 'es') AS es
FROM unnest(ARRAY['alert_intent_accuracy', 'alert_escalation_rate', 'alert_avg_confidence', 'alert_model_f1',
                  'alert_training_samples', 'alert_misclassification_rate']) AS k;
SELECT intent_output_number(31.35, 'es') AS es, intent_output_number(31.35, 'en') AS en,
       intent_output_number(1200, 'es') AS whole, intent_output_number(NULL, 'es') AS null_stays_null;

-- Errors: Spanish messages, English SQLSTATEs; the C++ side (predict_label(),
-- the training options of the core) and the SQL side (RAISE).
SELECT pg_temp.try($$SELECT predict_label('no_such', 'hola')$$) AS cpp_error;
SELECT pg_temp.try($$SELECT intent_training_options('{"no_such_option": 1}')$$) AS core_error;
SELECT pg_temp.try($$SELECT deploy_intent_model(-1)$$) AS sql_error;
SELECT pg_temp.try($$SELECT drop_classifier('no_such')$$) AS sql_error;
SELECT pg_temp.try($$SELECT create_classifier('bad name!', 'ai_training_data', 'user_message', 'detected_intent')$$) AS bad_input;
-- Privileges: a role without the right to train.
CREATE TABLE es_tickets (body text, label text);
SELECT create_classifier('es_tickets', 'es_tickets', 'body', 'label') IS NOT NULL AS created;
-- A training refused for too few rows, the glue's messages with arguments,
-- and the SQL side's newer ones, in Spanish.
INSERT INTO es_tickets VALUES ('hola', 'saludo'), ('adiós', 'despedida');
SELECT r ->> 'status' AS status, r ->> 'sqlstate' AS sqlstate, r ->> 'error' AS refusal_es FROM train_classifier('es_tickets', 'v1', '{}') AS r;
-- The refused run records the refusal's hint in Spanish too (a fixed sentence of the catalogue).
SELECT metrics -> 'error' ->> 'hint' AS refusal_hint_es FROM ai_training_runs
 WHERE classifier_id = (SELECT id FROM ai_classifiers WHERE name = 'es_tickets') ORDER BY started_at DESC LIMIT 1;
SELECT pg_temp.try($$SELECT classify_label('es_tickets', 'hola', 'tienda_1')$$) AS not_partitioned;
SELECT pg_temp.try($$SELECT classify_label('es_tickets', 'hola')$$) AS no_model;
SELECT pg_temp.try($$SELECT prune_classifier_models('es_tickets', -1)$$) AS bad_keep;
SELECT pg_temp.try($$SELECT alter_classifier('es_tickets', '{"keep_replaced_models": "x"}')$$) AS bad_option;
CREATE ROLE es_reader;
GRANT USAGE ON SCHEMA public TO es_reader;
GRANT EXECUTE ON FUNCTION train_classifier(text, text, jsonb) TO es_reader;
SET ROLE es_reader;
SELECT pg_temp.try($$SELECT train_classifier('es_tickets', 'x', '{}')$$) AS privilege_error;
RESET ROLE;
-- psql shows the Spanish message with its SQLSTATE.
\set VERBOSITY sqlstate
SELECT deploy_intent_model(-1);
\set VERBOSITY default
SELECT deploy_intent_model(-1);
-- The same errors in English.
SET pg_intent.language = 'en';
SELECT pg_temp.try($$SELECT predict_label('no_such', 'hola')$$) AS cpp_error;
SELECT pg_temp.try($$SELECT intent_training_options('{"no_such_option": 1}')$$) AS core_error;
SELECT pg_temp.try($$SELECT deploy_intent_model(-1)$$) AS sql_error;
SET ROLE es_reader;
SELECT pg_temp.try($$SELECT train_classifier('es_tickets', 'x', '{}')$$) AS privilege_error;
RESET ROLE;

-- auto follows lc_messages: a Spanish locale gives Spanish errors.
SET pg_intent.language = 'auto';
SET lc_messages = 'es_ES.UTF-8';
SELECT pg_temp.try($$SELECT deploy_intent_model(-1)$$) AS auto_es;
SET lc_messages = 'C';
SELECT pg_temp.try($$SELECT deploy_intent_model(-1)$$) AS auto_c;

-- Details and hints are Spanish too, from the SQL side (RAISE ... DETAIL =
-- intent_output_error(...)) and the C++ side (a fixed detail or hint the
-- guard finds in the catalogue); one built with numbers stays as it is.
-- pg_temp.try_full(sql): the SQLSTATE, message, detail and hint, a line each.
CREATE FUNCTION pg_temp.try_full(p_sql text) RETURNS SETOF text LANGUAGE plpgsql AS $$
DECLARE
    v_state text; v_message text; v_detail text; v_hint text;
BEGIN
    EXECUTE p_sql;
    RETURN NEXT 'ok';
EXCEPTION WHEN OTHERS THEN
    GET STACKED DIAGNOSTICS v_state = RETURNED_SQLSTATE, v_message = MESSAGE_TEXT,
                            v_detail = PG_EXCEPTION_DETAIL, v_hint = PG_EXCEPTION_HINT;
    RETURN NEXT v_state || ': ' || v_message;
    IF v_detail <> '' THEN RETURN NEXT 'DETAIL: ' || v_detail; END IF;
    IF v_hint <> '' THEN RETURN NEXT 'HINT: ' || v_hint; END IF;
END $$;
CREATE TABLE es_hints (body text, label text);
SELECT create_classifier('es_hints', 'es_hints', 'body', 'label') IS NOT NULL AS created;
INSERT INTO ai_training_data (user_message, detected_intent, created_at)
SELECT 'sin etiqueta ' || g, NULL, now() FROM generate_series(1, 40) g;
CREATE ROLE es_hint_reader;
GRANT USAGE ON SCHEMA public TO es_hint_reader;
GRANT EXECUTE ON FUNCTION train_classifier(text, text, jsonb) TO es_hint_reader;
CREATE FUNCTION pg_temp.hint_cases(p_language text) RETURNS SETOF text LANGUAGE plpgsql AS $$
DECLARE
    v_case text;
    v_line text;
BEGIN
    PERFORM set_config('pg_intent.language', p_language, true);
    FOREACH v_case IN ARRAY ARRAY[
        -- SQL: a hint; a detail; a detail and a hint built from CASE and %L
        $q$SELECT deploy_intent_model(-1)$q$,
        $q$SELECT create_classifier('bad name!', 'ai_training_data', 'user_message', 'detected_intent')$q$,
        $q$SELECT prune_classifier_models('es_hints', -1)$q$,
        $q$SELECT grant_intent_access('es_hint_reader', 'no_such_access')$q$,
        -- C++: a hint; a detail and a hint; numbers in the detail, which stays English
        $q$SELECT predict_label('no_such', 'hola')$q$,
        $q$SELECT classify_label('es_hints', 'hola', 'tienda_1')$q$,
        $q$SELECT classify_label('es_hints', 'hola')$q$,
        $q$SELECT intent_training_options(jsonb_build_object('x', repeat('a', 70000)))$q$,
        -- the core (training options): a detail; a detail and a hint
        $q$SELECT intent_training_options('{"C": -1}')$q$,
        -- past the learner's own bounds (C above 1e6, a tolerance above 10):
        -- the option's words, translated like every other option's (these
        -- were English whatever the language, worded "option C")
        $q$SELECT intent_training_options('{"C": 2000000}')$q$,
        $q$SELECT intent_training_options('{"tolerance": 100}')$q$,
        -- a range's bounds are arguments of the detail's pattern (the
        -- constants of linear.h and vectorizer.h), worded in Spanish too
        $q$SELECT intent_training_options('{"word_ngram_max": 9}')$q$,
        $q$SELECT intent_training_options('{"threads": 257}')$q$,
        $q$SELECT intent_training_options('{"min_feature_partitions": 3}')$q$,
        -- the fractions', quantiles', folds', seed's and subword_vectors'
        -- bounds too (options.h, subword_vectors.h); val_fraction's was
        -- English whatever the language
        $q$SELECT intent_training_options('{"val_fraction": 0.95}')$q$,
        $q$SELECT intent_training_options('{"evidence_quantile": 0.6}')$q$,
        $q$SELECT intent_training_options('{"target_precision": 0}')$q$,
        $q$SELECT intent_training_options('{"cv_folds": 1}')$q$,
        $q$SELECT intent_training_options('{"seed": -1}')$q$,
        $q$SELECT intent_training_options('{"subword_vectors": {"dim": 0}}')$q$,
        $q$SELECT intent_training_options('{"subword_vectors": {"dim": 256}}')$q$,
        $q$SELECT intent_training_options('[1]')$q$] LOOP
        RETURN NEXT '-- ' || v_case;
        FOR v_line IN SELECT * FROM pg_temp.try_full(v_case) LOOP
            RETURN NEXT v_line;
        END LOOP;
    END LOOP;
    -- a detail with the argument format() used to write, %L: 'es_hints'
    SET LOCAL ROLE es_hint_reader;
    RETURN NEXT '-- train_classifier as a role without the right';
    FOR v_line IN SELECT * FROM pg_temp.try_full($q$SELECT train_classifier('es_hints', 'x', '{}')$q$) LOOP
        RETURN NEXT v_line;
    END LOOP;
    RESET ROLE;
END $$;
SELECT * FROM pg_temp.hint_cases('es') AS es;
SELECT * FROM pg_temp.hint_cases('en') AS en;
-- A detail listing 40 rows (over the 1,024 bytes intent_output_error() keeps
-- of an argument) is whole in both languages.
CREATE FUNCTION pg_temp.unlabelled_detail(p_language text) RETURNS TABLE (language text, detail_head text, ids_listed int, whole boolean)
LANGUAGE plpgsql AS $$
DECLARE
    v_detail text;
BEGIN
    PERFORM set_config('pg_intent.language', p_language, true);
    PERFORM approve_training_samples(ARRAY(SELECT id FROM ai_training_data WHERE detected_intent IS NULL));
EXCEPTION WHEN OTHERS THEN
    GET STACKED DIAGNOSTICS v_detail = PG_EXCEPTION_DETAIL;
    RETURN QUERY SELECT p_language, split_part(v_detail, ':', 1),
                        array_length(string_to_array(v_detail, ', '), 1),
                        v_detail LIKE '%' || (SELECT max(id::text) FROM ai_training_data WHERE detected_intent IS NULL) || '.';
END $$;
SELECT * FROM pg_temp.unlabelled_detail('es');
SELECT * FROM pg_temp.unlabelled_detail('en');
DELETE FROM ai_training_data WHERE detected_intent IS NULL;
SELECT drop_classifier('es_hints');
DROP TABLE es_hints;
DROP OWNED BY es_hint_reader;
DROP ROLE es_hint_reader;
SET pg_intent.language = 'es';

-- intent_output_error(): the SQL side's wording function.
SET pg_intent.language = 'es';
SELECT intent_output_error('model %s does not exist', 42) AS translated,
       intent_output_error('no such pattern %s', 'x') AS untranslated_stays,
       intent_output_error('model %s does not exist', NULL::int) AS null_arg,
       intent_output_error('model %s does not exist', VARIADIC ARRAY['7']) AS variadic_array,
       intent_output_error('p_name must not be null') AS no_args;
SELECT pg_temp.try($$SELECT intent_output_error('%s', 1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17)$$) AS too_many;
SELECT pg_temp.try($$SELECT intent_output_error(NULL)$$) AS null_pattern;
-- The glue's errors of a model id, Spanish too (0.3.2: they were English
-- in every language). An id of none is P0002 while the active model's
-- bytes are damaged (the alerts' v_weak): its row says it is another
-- model, and its bytes are not loaded (0.3.2: they were, to compare ids,
-- and the call failed with their XX001).
SELECT * FROM pg_temp.try_full($$SELECT predict_intent('hola', 999999)$$) AS unknown_model_id;
SELECT * FROM pg_temp.try_full($$SELECT explain_intent('hola', 5, NULL, 999999)$$) AS unknown_model_id;
SELECT * FROM pg_temp.try_full($$SELECT evaluate_intent_model(999999, 'VALUES (''a'', ''b'')')$$) AS unknown_model_id;

DROP TABLE es_tickets;
SELECT drop_classifier('es_tickets');
DROP OWNED BY es_reader;
DROP ROLE es_reader;
RESET pg_intent.language;
RESET lc_messages;
