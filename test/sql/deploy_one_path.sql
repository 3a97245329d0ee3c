-- One manual deploy and one rollback for every classifier (issue 33): the
-- built-in classifier's deploy_intent_model() and rollback_intent_model(),
-- and deploy_classifier_model() and rollback_classifier(), are one function
-- each (_pg_intent_deploy_model(), _pg_intent_rollback_model()) behind
-- their own rights check. Each error below comes from that code, whichever
-- way in; before, the classifier functions had copies of the checks that
-- said less (no detail, no hint).
SET client_min_messages = warning;
SET pg_intent.allow_drop_with_data = on; -- the previous test's rows go (src/pg/drop_guard.cpp)
DROP EXTENSION IF EXISTS pg_intent CASCADE;
CREATE EXTENSION pg_intent;

\i test/fixtures/try_detail.sql
\i test/fixtures/spanish_80.sql

-- The same rows as a classifier's source: two models each, the first
-- deployed as first, the second kept for a manual deploy.
CREATE TABLE one_path (id bigint PRIMARY KEY, msg text, label text);
INSERT INTO one_path SELECT row_number() OVER (ORDER BY created_at), user_message, detected_intent FROM ai_training_data;
SELECT create_classifier('shop', 'one_path', 'msg', 'label', '{"key_column": "id", "seed": 1}') ->> 'name' AS created;
SELECT train_intent_model('one', 'full', '{"seed": 1}') ->> 'deploy_reason' AS intent_first,
       train_intent_model('two', 'full', '{"seed": 2, "deploy": "never"}') ->> 'deployed' AS intent_second_deployed,
       train_classifier('shop', 'one') ->> 'deploy_reason' AS shop_first,
       train_classifier('shop', 'two', '{"seed": 2, "deploy": "never"}') ->> 'deployed' AS shop_second_deployed;
SELECT max(id) FILTER (WHERE classifier = 'intent' AND is_active) AS intent_active,
       max(id) FILTER (WHERE classifier = 'intent' AND NOT is_active) AS intent_other,
       max(id) FILTER (WHERE classifier = 'shop' AND is_active) AS shop_active,
       max(id) FILTER (WHERE classifier = 'shop' AND NOT is_active) AS shop_other
  FROM ai_intent_models \gset

-- Nothing to roll back to: the same error with the same detail either way.
SELECT pg_temp.try_detail($$SELECT rollback_intent_model()$$) AS intent_no_previous;
SELECT pg_temp.try_detail($$SELECT rollback_classifier('shop')$$) AS shop_no_previous;

-- A model of the other classifier: refused as an id this classifier does
-- not have; the hint names both deploy functions.
SELECT pg_temp.try_detail(format('SELECT deploy_intent_model(%s)', :shop_other)) AS shop_model_as_intent;
SELECT pg_temp.try_detail(format('SELECT deploy_classifier_model(%L, %s)', 'shop', :intent_other)) AS intent_model_as_shop;
-- Already active, no such model, NULL: one wording.
SELECT pg_temp.try_detail(format('SELECT deploy_intent_model(%s)', :intent_active)) AS intent_active_again;
SELECT pg_temp.try_detail(format('SELECT deploy_classifier_model(%L, %s)', 'shop', :shop_active)) AS shop_active_again;
SELECT pg_temp.try_detail($$SELECT deploy_classifier_model('shop', -1)$$) AS shop_no_such_model;
SELECT pg_temp.try_detail($$SELECT deploy_classifier_model('shop', NULL)$$) AS shop_null;

-- The built-in classifier through the classifier functions: the same
-- deploy and rollback, in the classifier's result shape; the intent
-- functions give the shape they always had.
SELECT d - 'deployed_at' - 'version' - 'model_id' - 'previous_model_id' AS deployed,
       (d ->> 'model_id')::bigint = :intent_other AND (d ->> 'previous_model_id')::bigint = :intent_active AS right_models
  FROM deploy_classifier_model('intent', :intent_other) AS d;
SELECT d - 'deployed_at' - 'version' - 'model_id' - 'previous_model_id' AS rolled_back,
       (d ->> 'model_id')::bigint = :intent_active AS back_to_the_first
  FROM rollback_intent_model() AS d;
SELECT d - 'deployed_at' - 'version' - 'model_id' - 'previous_model_id' AS rolled_back_again,
       (d ->> 'model_id')::bigint = :intent_other AS back_to_the_second
  FROM rollback_classifier('intent') AS d;
SELECT classifier, reason FROM ai_model_deployments WHERE classifier = 'intent' ORDER BY id;

-- The right to deploy intent is EXECUTE on deploy_intent_model(), whichever
-- way in: a role without it is refused by all four functions (42501), one
-- given the models set (grant_intent_access()) may deploy and roll back
-- intent through the classifier functions too.
CREATE ROLE pgi_op_role;
SET ROLE pgi_op_role;
SELECT pg_temp.try_detail(format('SELECT deploy_intent_model(%s)', :intent_active)) AS no_right_intent_deploy;
SELECT pg_temp.try_detail($$SELECT rollback_intent_model()$$) AS no_right_intent_rollback;
SELECT pg_temp.try_detail(format('SELECT deploy_classifier_model(%L, %s)', 'intent', :intent_active)) AS no_right_classifier_deploy;
SELECT pg_temp.try_detail($$SELECT rollback_classifier('intent')$$) AS no_right_classifier_rollback;
RESET ROLE;
SELECT count(*) AS functions_granted FROM grant_intent_access('pgi_op_role', 'models');
SET ROLE pgi_op_role;
SELECT d ->> 'reason' AS deployed_with_the_right,
       (d ->> 'model_id')::bigint = :intent_active AS the_first
  FROM deploy_classifier_model('intent', :intent_active) AS d;
SELECT d ->> 'reason' AS rolled_back_with_the_right,
       (d ->> 'model_id')::bigint = :intent_other AS the_second
  FROM rollback_classifier('intent') AS d;
RESET ROLE;
-- Another classifier's model, to a role that may deploy only this one:
-- refused in the words of an id that does not exist, naming nothing of the
-- other classifier (an audit: "model 4 belongs to classifier "shop"" told,
-- id by id, every classifier's name to a role that may not list them).
SET ROLE pgi_op_role;
SELECT replace(pg_temp.try_detail(format('SELECT deploy_classifier_model(%L, %s)', 'intent', :shop_other)), :shop_other::text, 'N')
       = replace(pg_temp.try_detail('SELECT deploy_classifier_model(''intent'', 999999)'), '999999', 'N') AS same_words_as_no_such_model,
       strpos(pg_temp.try_detail(format('SELECT deploy_intent_model(%s)', :shop_other)), 'shop') = 0 AS names_nothing_of_it,
       left(pg_temp.try_detail(format('SELECT deploy_intent_model(%s)', :shop_other)), 5) AS sqlstate;
RESET ROLE;

-- A rollback to a model whose bytes were deleted: refused, with a hint
-- naming this classifier's deploy function.
SELECT d ->> 'reason' AS shop_manual FROM deploy_classifier_model('shop', :shop_other) AS d;
UPDATE ai_intent_models SET model = NULL WHERE id = :shop_active;
SELECT pg_temp.try_detail($$SELECT rollback_classifier('shop')$$) AS shop_bytes_deleted;
UPDATE ai_intent_models SET model = NULL WHERE id = :intent_active;
SELECT pg_temp.try_detail($$SELECT rollback_intent_model()$$) AS intent_bytes_deleted;

-- No active model: the built-in classifier keeps its 0.2 message; both
-- hints name their own functions.
UPDATE ai_intent_models SET is_active = false WHERE classifier IN ('intent', 'shop');
SELECT pg_temp.try_detail($$SELECT rollback_intent_model()$$) AS intent_none_active;
SELECT pg_temp.try_detail($$SELECT rollback_classifier('shop')$$) AS shop_none_active;

DROP OWNED BY pgi_op_role;
DROP ROLE pgi_op_role;

-- One retention rule for every classifier (issue 33): prune_classifier_models()
-- keeps intent's active model, the models it replaced back p_keep deep along
-- the rollback chain and the newest candidate, and removes the others'
-- bytes, as for a named classifier (0.3.2 refused intent, 55000). The right
-- is intent's right to deploy, as for its deploy and rollback.
SELECT train_intent_model('three', 'full', '{"seed": 3, "deploy": "always"}') ->> 'deployed' AS three,
       train_intent_model('four', 'full', '{"seed": 4, "deploy": "always"}') ->> 'deployed' AS four,
       train_intent_model('five', 'full', '{"seed": 5, "deploy": "always"}') ->> 'deployed' AS five,
       train_intent_model('six', 'full', '{"seed": 6, "deploy": "never"}') ->> 'deployed' AS six;
CREATE TEMP VIEW intent_models AS
SELECT row_number() OVER (ORDER BY m.id) AS nth, m.is_active AS active, m.model IS NOT NULL AS has_bytes
  FROM ai_intent_models AS m WHERE m.classifier = 'intent';
SELECT * FROM intent_models;
CREATE ROLE pgi_prune_role;
SET ROLE pgi_prune_role;
SELECT pg_temp.try_detail($$SELECT prune_classifier_models('intent', 1)$$) AS no_right_prune;
RESET ROLE;
SELECT count(*) > 0 AS granted FROM grant_intent_access('pgi_prune_role', 'models');
SET ROLE pgi_prune_role;
SELECT r ->> 'classifier' AS classifier, r -> 'keep' AS keep, r -> 'kept' AS kept,
       jsonb_array_length(r -> 'pruned') AS pruned, (r ->> 'bytes_freed')::bigint > 0 AS freed
  FROM prune_classifier_models('intent', 1) AS r;
RESET ROLE;
SELECT * FROM intent_models;
-- The kept chain rolls back; a pruned model cannot be deployed again.
SELECT rollback_intent_model() IS NOT NULL AS rolled_back;
SELECT * FROM intent_models;
SELECT regexp_replace(pg_temp.try_detail(format('SELECT deploy_intent_model(%s)',
           (SELECT m.id FROM ai_intent_models AS m WHERE m.classifier = 'intent' ORDER BY m.id OFFSET 2 LIMIT 1))),
       'model \d+', 'model N') AS pruned_model;
SELECT (predict_intent('quiero devolver el pedido')).predicted_intent IS NOT NULL AS still_serves;
SELECT r -> 'keep' AS default_keep, jsonb_array_length(r -> 'pruned') AS pruned_again
  FROM prune_classifier_models('intent') AS r;
DROP OWNED BY pgi_prune_role;
DROP ROLE pgi_prune_role;
