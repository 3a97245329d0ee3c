-- Issue 36, "One vocabulary": alter_classifier() changes a classifier's
-- source and its text and label columns, keeping its id, models, runs and
-- grants. On 0.3.1 '{"source": ...}' answered 'unknown training option
-- "source"', and the only way was a drop, which lost all of them.
-- The new source and columns pass create_classifier()'s checks
-- (_pg_intent_classifier_check_source(), the one implementation), for the
-- classifier's owner, who reads the source; the errors below are raised to
-- the restricted roles that call, as they would see them.
SET client_min_messages = warning;
SET pg_intent.allow_drop_with_data = on;
DROP EXTENSION IF EXISTS pg_intent CASCADE;
DROP SCHEMA IF EXISTS ca CASCADE;
DROP SCHEMA IF EXISTS ca_hidden CASCADE;
DROP TABLE IF EXISTS ca_raw, ca_v1, ca_bob, ca_admin;
DROP ROLE IF EXISTS pgi_ca_alice;
DROP ROLE IF EXISTS pgi_ca_bob;
DROP ROLE IF EXISTS pgi_ca_app;
CREATE EXTENSION pg_intent;
\i test/fixtures/try.sql
GRANT EXECUTE ON FUNCTION pg_temp.try(text) TO PUBLIC;
-- The DETAIL and HINT of a statement's error, as a client receives them.
CREATE FUNCTION pg_temp.detail_and_hint(p_sql text) RETURNS TABLE (detail text, hint text) LANGUAGE plpgsql AS $$
BEGIN
    EXECUTE p_sql;
    detail := 'no error';
    RETURN NEXT;
EXCEPTION WHEN OTHERS THEN
    GET STACKED DIAGNOSTICS detail = PG_EXCEPTION_DETAIL, hint = PG_EXCEPTION_HINT;
    hint := left(hint, 40);
    RETURN NEXT;
END $$;
GRANT EXECUTE ON FUNCTION pg_temp.detail_and_hint(text) TO PUBLIC;

CREATE ROLE pgi_ca_alice;
CREATE ROLE pgi_ca_bob;
CREATE ROLE pgi_ca_app;
SELECT count(*) > 0 AS granted FROM grant_intent_access('pgi_ca_alice', 'classifiers');
SELECT count(*) > 0 AS granted FROM grant_intent_access('pgi_ca_bob', 'classifiers');

-- alice's first table (prompts of the nlp.js Spanish corpus, routed by
-- domain), her second one in schema ca with other column names, bob's
-- table (alice may not read it) and one only the superuser reads.
CREATE TABLE ca_raw (split text, text text, intent text);
\copy ca_raw FROM 'data/nlpjs_corpus50_es.csv' WITH (FORMAT csv, HEADER true)
CREATE TABLE ca_v1 AS
SELECT row_number() OVER (ORDER BY split, text, intent) AS id, text AS prompt, split_part(intent, '.', 1) AS route
  FROM ca_raw WHERE intent <> 'oos' AND split = 'train';
CREATE SCHEMA ca;
GRANT USAGE ON SCHEMA ca TO pgi_ca_alice;
CREATE TABLE ca.ca_v2 AS
SELECT 1000 + row_number() OVER (ORDER BY split, text, intent) AS id, text AS message,
       split_part(intent, '.', 1) AS domain, timestamptz '2026-11-01 00:00+00' AS created_at
  FROM ca_raw WHERE intent <> 'oos';
CREATE TABLE ca_bob AS SELECT * FROM ca_v1;
CREATE TABLE ca_admin AS SELECT * FROM ca_v1;
ALTER TABLE ca_v1 OWNER TO pgi_ca_alice;
ALTER TABLE ca.ca_v2 OWNER TO pgi_ca_alice;
ALTER TABLE ca_bob OWNER TO pgi_ca_bob;

SET ROLE pgi_ca_alice;
SET search_path = ca, public;
SELECT create_classifier('router', 'ca_v1', 'prompt', 'route', '{"key_column": "id", "seed": 1}') ->> 'name' AS created;
SELECT grant_classifier_access('router', 'pgi_ca_app', 'predict') -> 'predict_roles' AS predict_roles;
SELECT train_classifier('router') ->> 'deploy_reason' AS first_training;
RESET ROLE;
SELECT id AS router_id FROM ai_classifiers WHERE name = 'router' \gset

-- The errors, each leaving the classifier as it was.
SET ROLE pgi_ca_alice;
SET search_path = ca, public;
SELECT pg_temp.try($$SELECT alter_classifier('router', '{"source": "ca_bob"}')$$) AS source_owner_cannot_read;
SELECT pg_temp.try($$SELECT alter_classifier('router', '{"source": "ca_missing"}')$$) AS source_missing;
SELECT pg_temp.try($$SELECT alter_classifier('router', '{"source": "ca_v2"}')$$) AS column_missing_in_new_source;
SELECT pg_temp.try($$SELECT alter_classifier('router', '{"source": "ca_v2", "text_column": "message", "label_column": "created_at"}')$$) AS label_wrong_type;
SELECT pg_temp.try($$SELECT alter_classifier('router', '{"source": "ca_v2", "text_column": "id", "label_column": "domain"}')$$) AS text_wrong_type;
SELECT pg_temp.try($$SELECT alter_classifier('router', '{"text_column": null}')$$) AS text_column_null;
SELECT pg_temp.try($$SELECT alter_classifier('router', '{"source": {"table": "ca_v2"}}')$$) AS source_not_a_name;
SELECT pg_temp.try($$SELECT alter_classifier('router', '{"source": "pg_catalog.pg_type_oid_index"}')$$) AS source_an_index;
SELECT pg_temp.try($$SELECT create_classifier('other', 'ca_v1', 'prompt', 'route', '{"source": "ca_v2"}')$$) AS create_source_option;
-- The detail and hint of the worker's errors reach the caller whole. Until
-- the guard's copy_error() copied them out of ErrorContext (issue 36), they
-- were read back from freed memory: an unknown option's hint repeated the
-- message instead of listing the valid options.
SELECT * FROM pg_temp.detail_and_hint($$SELECT alter_classifier('router', '{"sourcee": "ca_v2"}')$$);
SELECT * FROM pg_temp.detail_and_hint($$SELECT alter_classifier('router', '{"source": "ca_bob"}')$$);
RESET ROLE;
-- Read as the owner whoever alters it: a superuser cannot point alice's
-- classifier at a table alice may not read.
SELECT pg_temp.try($$SELECT alter_classifier('router', '{"source": "ca_admin"}')$$) AS superuser_unreadable_to_owner;
-- ... nor at a table alice may read but in a schema she has no USAGE on
-- (accepted until 0.3.2's fix: each training then failed on the schema),
-- nor may alice name one by its OID.
CREATE SCHEMA ca_hidden;
CREATE TABLE ca_hidden.ca_v3 AS SELECT * FROM ca_v1;
GRANT SELECT ON ca_hidden.ca_v3 TO pgi_ca_alice;
SELECT pg_temp.try($$SELECT alter_classifier('router', '{"source": "ca_hidden.ca_v3"}')$$) AS superuser_schema_without_usage;
SELECT 'ca_hidden.ca_v3'::regclass::oid AS hidden_oid \gset
SET ROLE pgi_ca_alice;
SELECT pg_temp.try(format('SELECT create_classifier(%L, %s::oid::regclass, %L, %L)', 'hidden', :hidden_oid, 'prompt', 'route')) AS create_by_oid_without_usage;
RESET ROLE;
DROP SCHEMA ca_hidden CASCADE;
-- Nor may a role that does not own it change its source (bob may read ca_bob).
SET ROLE pgi_ca_bob;
SELECT pg_temp.try($$SELECT alter_classifier('router', '{"source": "ca_bob"}')$$) AS stranger_alters;
RESET ROLE;
SELECT source_name, text_column, label_column, key_column FROM ai_classifiers WHERE name = 'router';

-- The change: a name in alice's search_path, new text and label columns,
-- a time column; the id, the models, the runs and the grants stay.
SET ROLE pgi_ca_alice;
SET search_path = ca, public;
SELECT a ->> 'source' AS source, a ->> 'text_column' AS text_column, a ->> 'label_column' AS label_column,
       a ->> 'key_column' AS key_column, a ->> 'time_column' AS time_column, a -> 'predict_roles' AS predict_roles,
       a -> 'options' AS options
  FROM alter_classifier('router', '{"source": "ca_v2", "text_column": "message", "label_column": "domain",
                                    "time_column": "created_at"}') AS a;
RESET ROLE;
SELECT id = :router_id AS same_id, source = 'ca.ca_v2'::regclass AS source_oid, source_name FROM ai_classifiers WHERE name = 'router';
SELECT count(*) AS models, count(*) FILTER (WHERE is_active) AS active FROM ai_intent_models WHERE classifier_id = :router_id;
-- The app still predicts (with the model trained on the first source)...
SET ROLE pgi_ca_app;
SELECT (predict_label('router', '¿quién te ha creado?')).label AS app_predicts;
RESET ROLE;
-- ... and the next training reads the new source, gated against that
-- model by out-of-fold estimates: its run's keys are ids of the old source
-- (_pg_intent_run_keys_current()). Read as ca_v2's, every row of ca_v2 was
-- fresh, rows the active model trained on among them (the same prompts
-- under other ids): it was refused as a regression on fresh_rows.
SET ROLE pgi_ca_alice;
SELECT t ->> 'status' AS status, t ->> 'training_samples' AS samples, t ->> 'deploy_reason' AS reason,
       t ->> 'deploy_evidence' AS evidence, t ->> 'deployed' AS deployed
  FROM train_classifier('router') AS t;
RESET ROLE;
SELECT count(*) AS runs, count(DISTINCT classifier_id) AS ids FROM ai_training_runs WHERE classifier = 'router';
-- A qualified name, and the old source back.
SET ROLE pgi_ca_alice;
SELECT alter_classifier('router', '{"source": "public.ca_v1", "text_column": "prompt", "label_column": "route",
                                    "time_column": null}') ->> 'source' AS source_back;
RESET ROLE;

-- A new key column on the same rows: the runs' recorded keys are the old
-- column's values, so they name no row of the new one. Read as the new
-- column's, every row the active model trained on was fresh: the gate
-- weighed it on its own training rows (F1 0.99) and refused the unchanged
-- rows' model as a regression. The first run after the change judges by
-- out-of-fold estimates (fresh_rows_rule none), the next by the new keys.
-- The runs name the key column they recorded (metrics key_column);
-- alter_classifier() names it in those that do not (a run before 0.3.2).
SELECT count(*) > 0 AS granted FROM grant_intent_access('pgi_ca_alice', 'review');
GRANT SELECT ON ai_training_runs, ai_classifier_run_rows TO pgi_ca_alice;
ALTER TABLE ca_v1 ADD COLUMN uid text;
UPDATE ca_v1 SET uid = 'u' || (id * 7 % 1000);
SET ROLE pgi_ca_alice;
SELECT create_classifier('rekey', 'ca_v1', 'prompt', 'route', '{"key_column": "id", "seed": 1}') ->> 'name' AS created;
SELECT train_classifier('rekey') ->> 'deploy_reason' AS first_training;
SELECT t ->> 'deploy_reason' AS reason, t ->> 'deploy_evidence' AS evidence FROM train_classifier('rekey') AS t;
RESET ROLE;
SELECT count(*) AS runs_naming_id FROM ai_training_runs WHERE classifier = 'rekey' AND metrics ->> 'key_column' = 'id';
-- The review queue pairs the latest run's labels with the source's texts by
-- key: before the change, each suspect's text is its own row's.
SELECT count(*) > 0 AS queue_before, bool_and(q.text = v.prompt) AS own_texts
  FROM get_classifier_review_queue('rekey', NULL, 10000) AS q JOIN ca_v1 AS v ON v.id::text = q.row_key;
UPDATE ai_training_runs SET metrics = metrics - 'key_column' WHERE classifier = 'rekey';
SET ROLE pgi_ca_alice;
SELECT alter_classifier('rekey', '{"key_column": "uid"}') ->> 'key_column' AS key_column;
-- After it the run's keys are ids, no longer the key column's values: no
-- queue until the next run (here no uid equals an id; the move below has
-- keys that name other rows).
SELECT count(*) AS queue_after_rekey FROM get_classifier_review_queue('rekey', NULL, 10000);
-- The same rows under another key column reach the core in the same
-- order (0.3.2: the core's training order, whatever the keys; before, key
-- order): no improvement, within tolerance by estimates.
SELECT t ->> 'deploy_reason' AS reason, t ->> 'deploy_evidence' AS evidence FROM train_classifier('rekey') AS t;
SELECT count(*) > 0 AS queue_again, bool_and(q.text = v.prompt) AS own_texts
  FROM get_classifier_review_queue('rekey', NULL, 10000) AS q JOIN ca_v1 AS v ON v.uid = q.row_key;
SELECT t ->> 'deploy_reason' AS reason, t ->> 'deploy_evidence' AS evidence FROM train_classifier('rekey') AS t;
RESET ROLE;
SELECT metrics ->> 'key_column' AS key_column, metrics ->> 'fresh_rows_rule' AS fresh_rows_rule,
       metrics #>> '{deploy,reason}' AS reason, metrics #>> '{deploy,evidence}' AS evidence
  FROM ai_training_runs WHERE classifier = 'rekey' ORDER BY started_at;

-- A new source whose keys are the old source's values for other rows (the
-- same ids, each with another row's prompt and route): the runs made on the
-- old source name it (metrics keys_source), so neither the gate (which took
-- every row as one the active model had trained on) nor the review queue
-- reads their keys as the new source's. Back on the old source, its runs'
-- keys are current again and the run made on the other one's are not.
-- Before this rule the gate refused the move's model as a regression on
-- fresh_rows, and the queue listed 21 suspects after the move and 22 after
-- the move back, each label beside another row's text.
CREATE TABLE public.ca_v4 AS
SELECT v.id, w.prompt, w.route, v.uid FROM ca_v1 AS v
  JOIN ca_v1 AS w ON w.id = (SELECT max(id) FROM ca_v1) + 1 - v.id;
ALTER TABLE public.ca_v4 OWNER TO pgi_ca_alice;
SET ROLE pgi_ca_alice;
SELECT create_classifier('mover', 'ca_v1', 'prompt', 'route', '{"key_column": "id", "seed": 1}') ->> 'name' AS created;
SELECT train_classifier('mover') ->> 'deploy_reason' AS first_training;
SELECT count(*) > 0 AS queue_on_v1 FROM get_classifier_review_queue('mover', NULL, 10000);
SELECT alter_classifier('mover', '{"source": "public.ca_v4"}') ->> 'source' AS moved;
SELECT count(*) AS queue_after_move FROM get_classifier_review_queue('mover', NULL, 10000);
SELECT t ->> 'deploy_reason' AS reason, t ->> 'deploy_evidence' AS evidence FROM train_classifier('mover') AS t;
SELECT count(*) > 0 AS queue_on_v4, bool_and(q.text = v.prompt) AS own_texts
  FROM get_classifier_review_queue('mover', NULL, 10000) AS q JOIN ca_v4 AS v ON v.id::text = q.row_key;
SELECT alter_classifier('mover', '{"source": "public.ca_v1"}') ->> 'source' AS moved_back;
SELECT count(*) AS queue_after_move_back FROM get_classifier_review_queue('mover', NULL, 10000);
RESET ROLE;
SELECT metrics ->> 'keys_source' AS keys_source, metrics ->> 'fresh_rows_rule' AS fresh_rows_rule,
       intent_internal._pg_intent_run_keys_current(id) AS keys_current
  FROM ai_training_runs WHERE classifier = 'mover' ORDER BY started_at;

DROP EXTENSION pg_intent CASCADE;
DROP SCHEMA ca CASCADE;
DROP TABLE ca_raw, ca_v1, ca_bob, ca_admin, ca_v4;
DROP ROLE pgi_ca_alice;
DROP ROLE pgi_ca_bob;
DROP ROLE pgi_ca_app;
