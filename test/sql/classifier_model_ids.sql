-- Issue 31, items 8 and 10 (0.3.2), as the roles they restrict.
--
-- 8. A model given by id follows its classifier's predict rule: in 0.3.1 a
--    role with SELECT on ai_intent_models (the registry grant of staff and
--    administrators) predicted, explained and evaluated with a classifier's
--    model through predict_intent(text, bigint), explain_intent(...,
--    p_model_id) and evaluate_intent_model(p_model_id, ...), where
--    predict_label() refused it with 42501.
-- 10. A partition value is at most 2048 bytes (src/pg/partition_key.h):
--    prediction refuses a longer p_partition with 22023 before reading it,
--    and training skips a source row with a longer value and counts it
--    (0.3.1: one value of about 2.7 kB failed the whole call with 54000).
SET client_min_messages = warning;
SET pg_intent.allow_drop_with_data = on; -- the previous test's rows go (src/pg/drop_guard.cpp)
DROP EXTENSION IF EXISTS pg_intent CASCADE;
DROP TABLE IF EXISTS mi_prompts, mi_raw, mi_staff_rows;
DROP ROLE IF EXISTS pgi_mi_staff;
DROP ROLE IF EXISTS pgi_mi_models;
DROP ROLE IF EXISTS pgi_mi_plain;
CREATE EXTENSION pg_intent;
CREATE ROLE pgi_mi_staff NOLOGIN;
\i test/fixtures/try.sql
GRANT EXECUTE ON FUNCTION pg_temp.try(text) TO PUBLIC;
\i test/fixtures/try_detail.sql
GRANT EXECUTE ON FUNCTION pg_temp.try_detail(text) TO PUBLIC;

\i test/fixtures/spanish_80.sql
SELECT train_intent_model('model_ids', 'full', '{"seed": 3, "min_threshold_rows": 40}') ->> 'deploy_reason' AS reason;
SELECT id AS intent_id FROM ai_intent_models WHERE is_active \gset

-- Copies of the intent model for a classifier (and partition).
CREATE FUNCTION pg_temp.add_model(p_classifier text, p_partition text, p_active boolean DEFAULT true)
RETURNS bigint LANGUAGE sql AS $$
    INSERT INTO ai_intent_models (version, algorithm, model, size_bytes, sha256, intents, confidence_threshold,
                                  is_active, classifier, partition_key, classifier_id)
    SELECT 'copy_' || p_classifier || '_' || coalesce(p_partition, '-') || '_' || clock_timestamp(),
           algorithm, model, size_bytes, sha256, intents, confidence_threshold, p_active, p_classifier, p_partition,
           (SELECT c.id FROM ai_classifiers AS c WHERE c.name = p_classifier)
      FROM ai_intent_models WHERE is_active AND classifier = 'intent'
    RETURNING id
$$;

-- "secret": closed to everyone but its owner; an active and an old model.
-- "gone": models whose classifier was dropped.
INSERT INTO ai_classifiers (name, source, source_name, text_column, label_column, partition_column, owner, owner_name)
VALUES ('secret', 'ai_training_data'::regclass, 'public.ai_training_data', 'user_message', 'training_label', 'source',
        current_user::regrole, current_user);
SELECT pg_temp.add_model('secret', NULL) AS secret_id \gset
SELECT pg_temp.add_model('secret', NULL, false) AS secret_old_id \gset
SELECT pg_temp.add_model('secret', NULL, false) AS secret_spare_id \gset
SELECT pg_temp.add_model('gone', NULL, false) AS gone_id \gset
-- A partition's own model of "secret".
SELECT pg_temp.add_model('secret', 'web') AS secret_web_id \gset
-- "reused": a classifier whose old model stays as history when it is
-- dropped; its name is taken again below, by another role.
INSERT INTO ai_classifiers (name, source, source_name, text_column, label_column, owner, owner_name)
VALUES ('reused', 'ai_training_data'::regclass, 'public.ai_training_data', 'user_message', 'training_label',
        current_user::regrole, current_user);
SELECT pg_temp.add_model('reused', NULL, false) AS reused_old_id \gset
SELECT drop_classifier('reused') IS NOT NULL AS dropped_reused;
SELECT count(*) AS reused_history FROM ai_intent_models WHERE id = :reused_old_id AND model IS NOT NULL;

-- Staff: the registry (SELECT on the model rows), explanations and
-- evaluation, but no predict access to "secret".
GRANT SELECT ON ai_intent_models TO pgi_mi_staff;
SELECT count(*) > 0 AS granted FROM grant_intent_access('pgi_mi_staff', 'explain');
GRANT EXECUTE ON FUNCTION evaluate_intent_model(bigint, text), delete_intent_model(bigint) TO pgi_mi_staff;
-- and may create classifiers over a table of its own
SELECT count(*) > 0 AS granted FROM grant_intent_access('pgi_mi_staff', 'classifiers');
CREATE TABLE mi_staff_rows (body text, label text);
ALTER TABLE mi_staff_rows OWNER TO pgi_mi_staff;

-- ---------------------------------------------------------------------
-- 8. By id as the classifier's rule
-- ---------------------------------------------------------------------
SET ROLE pgi_mi_staff;
SELECT pg_temp.try($$SELECT predict_label('secret', 'quiero devolver la chaqueta')$$) AS by_name;
SELECT pg_temp.try(format($$SELECT predict_intent('quiero devolver la chaqueta', %s)$$, :secret_id)) AS predict_active;
SELECT pg_temp.try(format($$SELECT predict_intent('quiero devolver la chaqueta', %s)$$, :secret_old_id)) AS predict_old;
SELECT pg_temp.try(format($$SELECT explain_intent('quiero devolver la chaqueta', 3, NULL, %s)$$, :secret_id)) AS explain_active;
SELECT pg_temp.try(format($$SELECT explain_intent('quiero devolver la chaqueta', 3, NULL, %s)$$, :secret_old_id)) AS explain_old;
SELECT pg_temp.try(format($$SELECT evaluate_intent_model(%s, 'SELECT ''hola''::text, ''saludo''::text')$$, :secret_id)) AS evaluate_active;
-- Twice in one query (the per-query memo must not let the second through).
SELECT pg_temp.try(format($$SELECT predict_intent(m, %s) FROM (VALUES ('hola'), ('adios')) AS v(m)$$, :secret_id)) AS per_row;
-- A dropped classifier's model: a superuser's only.
SELECT pg_temp.try(format($$SELECT predict_intent('hola', %s)$$, :gone_id)) AS dropped_classifier;
-- Deleting a model's bytes by id needs the classifier's deploy right (0.3.1:
-- EXECUTE on delete_intent_model(), intent's model management, was enough).
SELECT pg_temp.try(format($$SELECT delete_intent_model(%s)$$, :secret_spare_id)) AS delete_secret;
SELECT pg_temp.try(format($$SELECT delete_intent_model(%s)$$, :gone_id)) AS delete_dropped_classifier;
-- A model of an earlier classifier whose name another classifier took
-- since: that classifier's owner may not use it (a superuser's only, as a
-- dropped classifier's). Before, the rule followed the model's classifier
-- name, and the new owner predicted, explained (its vocabulary: the earlier
-- owner's rows), evaluated and deleted the earlier classifier's models.
SELECT create_classifier('reused', 'mi_staff_rows', 'body', 'label') ->> 'owner' AS reused_owner;
SELECT pg_temp.try_detail(format($$SELECT predict_intent('hola', %s)$$, :reused_old_id)) AS earlier_predict;
SELECT pg_temp.try(format($$SELECT explain_intent('hola', 3, NULL, %s)$$, :reused_old_id)) AS earlier_explain;
SELECT pg_temp.try(format($$SELECT evaluate_intent_model(%s, 'SELECT ''hola''::text, ''saludo''::text')$$, :reused_old_id)) AS earlier_evaluate;
SELECT pg_temp.try(format($$SELECT delete_intent_model(%s)$$, :reused_old_id)) AS earlier_delete;
RESET ROLE;
-- Intent's model management alone (the models set, no SELECT on the model
-- rows): a model of a classifier it may not deploy is refused as an id
-- that does not exist, in the same words (before: 42501 naming its
-- classifier, P0002 for a missing id: which models exist, and whose).
CREATE ROLE pgi_mi_models NOLOGIN;
SELECT count(*) > 0 AS granted FROM grant_intent_access('pgi_mi_models', 'models');
SET ROLE pgi_mi_models;
SELECT pg_temp.try(format($$SELECT delete_intent_model(%s)$$, :secret_spare_id))
       = replace(pg_temp.try($$SELECT delete_intent_model(999999)$$), '999999', :'secret_spare_id') AS same_words,
       pg_temp.try(format($$SELECT delete_intent_model(%s)$$, :secret_spare_id)) AS models_set_delete_secret,
       pg_temp.try(format($$SELECT delete_intent_model(%s)$$, :gone_id)) AS models_set_delete_dropped;
RESET ROLE;
DROP OWNED BY pgi_mi_models;
DROP ROLE pgi_mi_models;
SET ROLE pgi_mi_staff;
-- The built-in classifier's models are as before: the active one and, with
-- SELECT on the rows, any other.
SELECT (predict_intent('quiero devolver la chaqueta', :intent_id)).model_id = :intent_id AS intent_by_id;
RESET ROLE;

-- Once granted predict, the same calls answer (the cached refusal is
-- dropped when the grant commits; here, at the end of the command).
SELECT grant_classifier_access('secret', 'pgi_mi_staff', 'predict') -> 'predict_roles' AS predict_roles;
SET ROLE pgi_mi_staff;
SELECT (predict_intent('quiero devolver la chaqueta', :secret_id)).model_id = :secret_id AS predict_granted;
SELECT (predict_intent('quiero devolver la chaqueta', :secret_old_id)).model_id = :secret_old_id AS old_granted;
SELECT pg_temp.try(format($$SELECT delete_intent_model(%s)$$, :secret_spare_id)) AS delete_needs_deploy;
SELECT (explain_intent('quiero devolver la chaqueta', 3, NULL, :secret_id) ->> 'model_id')::bigint = :secret_id AS explain_granted;
-- A partition's model by id: predicting follows predict access, as
-- predict_label() with that partition; explaining it needs the classifier's
-- train right, as explain_label() with that partition (before, explaining
-- it by id showed that tenant's words to any role with predict access).
SELECT (predict_intent('quiero devolver la chaqueta', :secret_web_id)).model_id = :secret_web_id AS predict_partition_by_id;
SELECT pg_temp.try_detail(format($$SELECT explain_intent('quiero devolver la chaqueta', 3, NULL, %s)$$, :secret_web_id)) AS explain_partition_by_id;
SELECT pg_temp.try($$SELECT explain_label('secret', 'quiero devolver la chaqueta', 'web')$$) AS explain_partition_by_name;
-- Evaluating it by id follows evaluate_label()'s rule for that partition,
-- the train right (0.3.2): before, evaluate_intent_model() gave a role with
-- predict access the labels and per-label thresholds of a tenant's own model,
-- which evaluate_label() with that partition refused it.
SELECT pg_temp.try_detail(format($$SELECT evaluate_intent_model(%s, 'SELECT ''hola''::text, ''saludo''::text')$$, :secret_web_id)) AS evaluate_partition_by_id;
SELECT pg_temp.try($$SELECT evaluate_label('secret', 'SELECT ''hola''::text, ''saludo''::text', 'web')$$) AS evaluate_partition_by_name;
SELECT evaluate_intent_model(:secret_id, 'SELECT ''hola''::text, ''saludo''::text') ->> 'rows' AS evaluated_rows;
RESET ROLE;
-- And revoked, refused again in the same session.
SELECT revoke_classifier_access('secret', 'pgi_mi_staff', 'predict') -> 'predict_roles' AS predict_roles;
SET ROLE pgi_mi_staff;
SELECT pg_temp.try(format($$SELECT predict_intent('hola', %s)$$, :secret_id)) AS predict_revoked;
RESET ROLE;
SELECT grant_classifier_access('secret', 'pgi_mi_staff', 'deploy') -> 'deploy_roles' AS deploy_roles;
SELECT grant_classifier_access('secret', 'pgi_mi_staff', 'train') -> 'train_roles' AS train_roles;
SET ROLE pgi_mi_staff;
SELECT delete_intent_model(:secret_spare_id) ->> 'bytes_freed' <> '0' AS deleted_with_deploy;
-- With the train right but no predict access, nothing by id; with both, a
-- partition's model by id is explained as it is by name.
SELECT pg_temp.try(format($$SELECT explain_intent('hola', 3, NULL, %s)$$, :secret_web_id)) AS explain_partition_no_predict;
RESET ROLE;
SELECT grant_classifier_access('secret', 'pgi_mi_staff', 'predict') -> 'predict_roles' AS predict_roles;
SET ROLE pgi_mi_staff;
SELECT (explain_intent('hola', 3, NULL, :secret_web_id) ->> 'model_id')::bigint = :secret_web_id AS explain_partition_with_train;
SELECT (evaluate_intent_model(:secret_web_id, 'SELECT ''hola''::text, ''saludo''::text') ->> 'model_id')::bigint = :secret_web_id AS evaluate_partition_with_train;
RESET ROLE;
SELECT (explain_intent('hola', 3, NULL, :reused_old_id) ->> 'model_id')::bigint = :reused_old_id AS superuser_explains_earlier;
-- A superuser uses any of them.
SELECT (predict_intent('hola', :gone_id)).model_id = :gone_id AS superuser_dropped;
SELECT (predict_intent('hola', :secret_id)).model_id = :secret_id AS superuser_secret;

-- ---------------------------------------------------------------------
-- 10. The partition value's bound, at prediction
-- ---------------------------------------------------------------------
UPDATE ai_classifiers SET predict_public = true WHERE name = 'secret';
SELECT p.model_id = :secret_id AS fallback_at_2048
  FROM predict_label('secret', 'hola', repeat('p', 2048)) AS p;
SELECT pg_temp.try($$SELECT predict_label('secret', 'hola', repeat('p', 2049))$$) AS predict_2049;
SELECT pg_temp.try($$SELECT classify_label('secret', 'hola', repeat('é', 1025))$$) AS classify_2050_bytes;
SELECT pg_temp.try($$SELECT explain_label('secret', 'hola', repeat('p', 100000))$$) AS explain_long;
-- Checked before the name: the same error for a classifier that does not exist.
SELECT pg_temp.try($$SELECT predict_label('nosuch', 'hola', repeat('p', 5000))$$) AS before_the_name;

-- ---------------------------------------------------------------------
-- 10. The partition value's bound, at training
-- ---------------------------------------------------------------------
CREATE TABLE mi_raw (split text, text text, intent text);
\copy mi_raw FROM 'data/nlpjs_corpus50_es.csv' WITH (FORMAT csv, HEADER true)
CREATE TABLE mi_prompts (id bigint PRIMARY KEY, prompt text, route text, shop text);
-- Two tenants, and a third whose value is 3008 bytes that do not compress
-- (over the btree's 2704; a compressible one fits the index compressed).
SELECT string_agg(md5(i::text), '' ORDER BY i) AS long_shop FROM generate_series(1, 94) AS i \gset
INSERT INTO mi_prompts
SELECT n, text, split_part(intent, '.', 1),
       CASE n % 3 WHEN 0 THEN 'shop_a' WHEN 1 THEN 'shop_b' ELSE :'long_shop' END
  FROM (SELECT row_number() OVER (ORDER BY split, text, intent) AS n, text, intent FROM mi_raw WHERE intent <> 'oos') AS r;
SELECT length(shop) AS shop_bytes, count(*) FROM mi_prompts GROUP BY 1 ORDER BY 1;
SELECT create_classifier('tenants', 'mi_prompts', 'prompt', 'route',
                         '{"key_column": "id", "partition_column": "shop", "min_partition_rows": 100, "seed": 1}') ->> 'name' AS created;
-- (0.3.1: 54000, index row size exceeds btree version 4 maximum 2704.)
SELECT t ->> 'status' AS fallback_status,
       (SELECT array_agg(p ->> 'partition' ORDER BY p ->> 'partition') FROM jsonb_array_elements(t -> 'partitions') AS p) AS partitions
  FROM train_classifier('tenants') AS t;
-- The fallback's run, which reads every row, counts the skipped rows; no
-- partition's run does: they are no partition's (0.3.2 before this counted
-- them in every run of the call).
SELECT coalesce(partition_key, '(fallback)') AS run, metrics -> 'rows_skipped_long_partition' AS skipped,
       (metrics ->> 'input_rows')::int > 0 AS trained
  FROM ai_training_runs WHERE classifier = 'tenants' ORDER BY partition_key NULLS FIRST;
SELECT count(*) AS long_keys FROM ai_intent_models WHERE length(partition_key) > 2048;

-- ---------------------------------------------------------------------
-- 11. The row key's bound, at training
-- ---------------------------------------------------------------------
-- A key_column value is stored in ai_classifier_run_rows.row_key, whose
-- primary key (run_id, row_key) takes at most 2704 bytes an entry: one
-- source row with a 3008-byte key that does not compress failed every run
-- of the classifier with 54000 (0.3.1 and 0.3.2 before this). The row is
-- skipped and counted (rows_skipped_long_key), read on its first bytes only.
CREATE TABLE mi_keyed (k text, prompt text, route text); -- the key is unique, not indexed
INSERT INTO mi_keyed SELECT 'k' || id, prompt, route FROM mi_prompts WHERE id % 3 <> 2;
INSERT INTO mi_keyed VALUES (:'long_shop', 'quiero devolver el pedido', 'pedido'),
                            (repeat('k', 2048), 'hola buenas', 'saludo');
SELECT create_classifier('long_keys', 'mi_keyed', 'prompt', 'route', '{"key_column": "k", "seed": 1}') ->> 'name' AS created;
SELECT t ->> 'status' AS status FROM train_classifier('long_keys') AS t;
SELECT metrics -> 'rows_skipped_long_key' AS skipped_recorded,
       (SELECT count(*) FROM ai_classifier_run_rows AS x WHERE x.run_id = r.id) =
       (SELECT count(*) - 1 FROM mi_keyed) AS others_recorded,
       (SELECT max(length(x.row_key)) FROM ai_classifier_run_rows AS x WHERE x.run_id = r.id) AS longest_key
  FROM ai_training_runs AS r WHERE r.classifier = 'long_keys';

-- ---------------------------------------------------------------------
-- 12. A NULL key is no key
-- ---------------------------------------------------------------------
-- ai_classifier_run_rows.row_key is NOT NULL: a NULL key was recorded as
-- '', the key of another row (0.3.1, and 0.3.2 before this). The run kept
-- one run row for both, and the next run's gate judged the NULL key's row
-- by the '' row's label: here the row the active model trained on, labelled
-- pedido, counted as fresh (the run row under '' says saludo). Training
-- skips a row whose key is NULL, counted (rows_skipped_null_key), as it
-- skips a key too long to record (row_key.h); '' is a key as any other.
CREATE TABLE mi_null_keys (k text, prompt text, route text);
INSERT INTO mi_null_keys SELECT 'k' || id, prompt, route FROM mi_prompts WHERE id % 3 <> 2;
INSERT INTO mi_null_keys VALUES ('', 'hola buenas', 'saludo'), (NULL, 'quiero devolver el pedido', 'pedido');
SELECT create_classifier('null_keys', 'mi_null_keys', 'prompt', 'route', '{"key_column": "k", "seed": 1}') ->> 'name' AS created;
SELECT t ->> 'status' AS status, t ->> 'deployed' AS deployed FROM train_classifier('null_keys') AS t;
SELECT t ->> 'status' AS status FROM train_classifier('null_keys', NULL, '{"deploy": "never"}') AS t;
SELECT row_number() OVER (ORDER BY r.started_at, r.finished_at) AS run,
       r.metrics -> 'rows_skipped_null_key' AS skipped_null_key, r.metrics ->> 'fresh_rows_rule' AS rule,
       r.metrics #>> '{gate,rows}' AS fresh_rows,
       (SELECT count(*) FROM ai_classifier_run_rows AS x WHERE x.run_id = r.id) =
       (SELECT count(k) FROM mi_null_keys) AS each_key_recorded,
       (SELECT string_agg(x.label, ',') FROM ai_classifier_run_rows AS x
         WHERE x.run_id = r.id AND x.row_key = '') AS label_of_empty_key
  FROM ai_training_runs AS r WHERE r.classifier = 'null_keys' ORDER BY run;


-- ---------------------------------------------------------------------
-- 13. A model id without SELECT, where intent has no active model
-- ---------------------------------------------------------------------
-- Without SELECT on ai_intent_models only the active model can be given by
-- id; any other id is 42501 "permission denied for table ai_intent_models",
-- for predict_intent(text, bigint), explain_intent(..., p_model_id) and
-- evaluate_intent_model(p_model_id, ...). Where intent had no active model
-- (a database that serves named classifiers only), the lookup of the
-- active model failed first and every id was 55000 "no intent model is
-- deployed", with a hint to train one: the wrong cause, also for a role
-- with the classifier's predict access asking for its active model.
RESET ROLE;
CREATE ROLE pgi_mi_plain NOLOGIN;
SELECT count(*) > 0 AS granted FROM grant_intent_access('pgi_mi_plain', 'explain');
GRANT EXECUTE ON FUNCTION evaluate_intent_model(bigint, text) TO pgi_mi_plain;
SELECT grant_classifier_access('secret', 'pgi_mi_plain', 'predict') -> 'predict_roles' AS predict_roles;
UPDATE ai_intent_models SET is_active = false WHERE id = :intent_id;
SET ROLE pgi_mi_plain;
SELECT pg_temp.try(format('SELECT predict_intent(''hola'', %s)', :secret_id)) AS predict_by_id,
       pg_temp.try(format('SELECT explain_intent(''hola'', 5, NULL, %s)', :secret_id)) AS explain_by_id;
SELECT pg_temp.try(format($$SELECT evaluate_intent_model(%s, 'SELECT ''hola''::text, ''saludo''::text')$$, :secret_id)) AS evaluate_by_id;
SELECT pg_temp.try('SELECT predict_intent(''hola'', 999999)') AS unknown_id;
-- Without any model id: intent has none deployed (55000), as before.
SELECT pg_temp.try('SELECT predict_intent(''hola'')') AS active;
RESET ROLE;
UPDATE ai_intent_models SET is_active = true WHERE id = :intent_id;
SELECT revoke_classifier_access('secret', 'pgi_mi_plain', 'predict') -> 'predict_roles' AS predict_roles;

RESET ROLE;
DROP TABLE mi_prompts, mi_raw, mi_staff_rows, mi_keyed, mi_null_keys;
SET client_min_messages = warning;
DROP EXTENSION pg_intent CASCADE;
DROP ROLE pgi_mi_staff;
DROP ROLE pgi_mi_plain;
