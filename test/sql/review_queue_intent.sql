-- get_classifier_review_queue('intent') (0.3.2, issue 33 point 1, "one
-- engine"): the built-in classifier's likely label errors in the function's
-- shape, the same rows in the same order as ai_review_queue's label_error
-- tier, from the one statement both read
-- (intent_internal._pg_intent_builtin_review_rows()). Before, the function
-- refused 'intent' (22023, "the built-in classifier's review queue is the
-- view ai_review_queue"). The texts are ai_training_data's, read with the
-- CALLER's privileges and row-level security, never the owner's: checked
-- as a PUBLIC-only role, a role with the review set but no table, one with
-- the models set, a reviewer and a reviewer narrowed by a policy.
SET client_min_messages = warning;
SET pg_intent.allow_drop_with_data = on; -- the previous test's rows go (src/pg/drop_guard.cpp)
DROP EXTENSION IF EXISTS pg_intent CASCADE;
CREATE EXTENSION pg_intent;
DROP ROLE IF EXISTS pgi_rqi_public;
DROP ROLE IF EXISTS pgi_rqi_models;
DROP ROLE IF EXISTS pgi_rqi_review_only;
DROP ROLE IF EXISTS pgi_rqi_no_run_rows;
DROP ROLE IF EXISTS pgi_rqi_reviewer;
DROP ROLE IF EXISTS pgi_rqi_narrow;
\i test/fixtures/try.sql
\i test/fixtures/spanish_100.sql
\i test/fixtures/try_detail.sql
GRANT EXECUTE ON FUNCTION pg_temp.try(text), pg_temp.try_detail(text) TO PUBLIC;

-- 200 synthetic rows, eight with a flipped label; live traffic logged by the
-- application, two of its labels wrong too (live suspects come first).
SELECT pg_temp.add_samples(ARRAY['los zapatos', 'la camiseta', 'el vestido', 'la chaqueta', 'el bolso',
                                 'la gorra', 'el abrigo', 'la falda', 'el cinturon', 'la bufanda']) AS added;
CREATE TEMP TABLE flipped (user_message text PRIMARY KEY, given text);
INSERT INTO flipped VALUES
    ('quiero devolver los zapatos', 'shipping_problem'),
    ('mi pedido de la camiseta no ha llegado', 'payment_issue'),
    ('me cobraron dos veces el vestido', 'product_info'),
    ('hay stock de la chaqueta', 'return_process'),
    ('como hago la devolucion de el bolso', 'product_info'),
    ('el envio de la gorra esta retrasado', 'return_process'),
    ('el pago de el abrigo fue rechazado', 'shipping_problem'),
    ('de que material es la falda', 'payment_issue');
UPDATE ai_training_data AS d SET detected_intent = f.given FROM flipped AS f WHERE f.user_message = d.user_message;
SELECT record_interaction('quiero devolver el sombrero', 'payment_issue', 88) IS NOT NULL AS live;
SELECT record_interaction('mi pedido de el sombrero no ha llegado', 'product_info', 91) IS NOT NULL AS live;
SELECT record_interaction('hay stock de el sombrero', 'product_info', 93) IS NOT NULL AS live;

-- Never trained: no evidence, no rows (before: 22023).
SELECT pg_temp.try($$SELECT * FROM get_classifier_review_queue('intent')$$) AS before_training;
SELECT count(*) AS before_training FROM get_classifier_review_queue('intent');

SELECT train_intent_model('rqi', 'full', '{"seed": 5}') ->> 'status' AS trained;

-- The queue, most doubtful first: live traffic first, as the view ranks it.
SELECT rank, text, label, suspected_label, text IN (SELECT user_message FROM flipped) AS flipped,
       row_key = (SELECT id::text FROM ai_training_data WHERE user_message = q.text) AS key_is_the_row_id
  FROM get_classifier_review_queue('intent', NULL, 12) AS q ORDER BY rank;
SELECT count(*) AS suspects, count(*) FILTER (WHERE text IN (SELECT user_message FROM flipped)) AS flipped_found,
       bool_and(is_suspected_label_error(label, suspected_label, label_probability, label_threshold)) AS each_by_the_rule,
       bool_and(priority = 1 - label_probability) AS priority_as_the_view,
       bool_and(run_id = (SELECT id FROM ai_training_runs WHERE classifier = 'intent' AND status = 'completed')) AS latest_run
  FROM get_classifier_review_queue('intent', NULL, 10000);
-- The same rows in the same order as ai_review_queue's label_error tier,
-- every column the two share equal.
CREATE FUNCTION pg_temp.same_as_the_view() RETURNS TABLE (fn bigint, view bigint, same_rows_same_order boolean)
LANGUAGE sql AS $$
    WITH f AS (SELECT * FROM get_classifier_review_queue('intent', NULL, 10000)),
         v AS (SELECT * FROM ai_review_queue WHERE tier = 'label_error')
    SELECT (SELECT count(*) FROM f), (SELECT count(*) FROM v),
           (SELECT array_agg(ROW(f.rank, f.row_key, f.text, f.label, f.suspected_label, f.suspected_confidence,
                                 f.label_probability, f.priority, f.run_id) ORDER BY f.rank) FROM f)
           IS NOT DISTINCT FROM
           (SELECT array_agg(ROW(v.rank, v.id::text, v.user_message, v.intent, v.suspected_intent, v.suspected_confidence,
                                 v.label_probability, v.priority, v.run_id) ORDER BY v.rank) FROM v)
$$;
GRANT EXECUTE ON FUNCTION pg_temp.same_as_the_view() TO PUBLIC;
SELECT * FROM pg_temp.same_as_the_view();
-- The threshold is the label's mean out-of-fold probability over the run's
-- rows of that label, as the view's reason states it.
SELECT bool_and(abs(q.label_threshold - (SELECT avg(r.label_probability) FROM ai_training_run_rows AS r
                                          WHERE r.run_id = q.run_id AND r.intent = q.label)) < 1e-12) AS threshold_as_the_view
  FROM get_classifier_review_queue('intent', NULL, 10000) AS q;
-- p_limit cuts the same order.
SELECT array_agg(row_key ORDER BY rank) = (SELECT array_agg(id::text ORDER BY rank) FROM ai_review_queue
                                            WHERE tier = 'label_error' AND rank <= 3) AS top3_as_the_view
  FROM get_classifier_review_queue('intent', NULL, 3);
-- A reviewed row leaves both.
SELECT approve_training_sample(id) ->> 'dataset_status' AS approved
  FROM ai_training_data WHERE user_message = 'quiero devolver los zapatos';
SELECT * FROM pg_temp.same_as_the_view();
SELECT count(*) AS approved_row_listed FROM get_classifier_review_queue('intent', NULL, 10000)
 WHERE text = 'quiero devolver los zapatos';

-- The built-in classifier is not partitioned: a p_partition is 22023, as
-- rollback_classifier() and predict_label() word it; one longer than any
-- partition value is refused by the one check first.
SELECT pg_temp.try($$SELECT * FROM get_classifier_review_queue('intent', 'shop1')$$) AS partition_given;
SELECT pg_temp.try($$SELECT * FROM get_classifier_review_queue('intent', '')$$) AS empty_partition;
SELECT pg_temp.try($$SELECT * FROM get_classifier_review_queue('intent', repeat('x', 3000))$$) AS partition_too_long;
SELECT pg_temp.try($$SELECT * FROM get_classifier_review_queue('intent', NULL, 0)$$) AS zero_limit;

-- Rights. A role with PUBLIC's rights only, and one with the models set
-- (it trains, it does not review): the function is not theirs.
CREATE ROLE pgi_rqi_public;
CREATE ROLE pgi_rqi_models;
SELECT count(*) > 0 AS granted FROM grant_intent_access('pgi_rqi_models', 'models');
SET ROLE pgi_rqi_public;
SELECT pg_temp.try($$SELECT * FROM get_classifier_review_queue('intent')$$) AS public_only;
SELECT pg_temp.try($$SELECT count(*) FROM ai_review_queue$$) AS public_only_view;
RESET ROLE;
SET ROLE pgi_rqi_models;
SELECT pg_temp.try($$SELECT * FROM get_classifier_review_queue('intent')$$) AS models_set;
RESET ROLE;
-- The review set without the tables (the texts are read with the caller's
-- privileges, never the owner's): 42501 naming what to grant; with the
-- messages but not the run rows, or the tables but not the view (it could
-- not read the queue through ai_review_queue), the same.
CREATE ROLE pgi_rqi_review_only;
CREATE ROLE pgi_rqi_no_run_rows;
SELECT count(*) > 0 AS granted FROM grant_intent_access('pgi_rqi_review_only', 'review');
SELECT count(*) > 0 AS granted FROM grant_intent_access('pgi_rqi_no_run_rows', 'review');
GRANT SELECT ON ai_review_queue, ai_training_data, ai_training_runs TO pgi_rqi_no_run_rows;
-- and one that reads the tables but was not granted the view
GRANT SELECT ON ai_training_data, ai_training_runs, ai_training_run_rows TO pgi_rqi_models;
SET ROLE pgi_rqi_review_only;
SELECT pg_temp.try_detail($$SELECT * FROM get_classifier_review_queue('intent')$$) AS review_set_without_tables;
SELECT pg_temp.try($$SELECT count(*) FROM ai_review_queue WHERE tier = 'label_error'$$) AS its_view;
RESET ROLE;
SET ROLE pgi_rqi_no_run_rows;
SELECT pg_temp.try($$SELECT * FROM get_classifier_review_queue('intent')$$) AS without_run_rows;
RESET ROLE;
SELECT count(*) > 0 AS granted FROM grant_intent_access('pgi_rqi_models', 'review');
SET ROLE pgi_rqi_models;
SELECT pg_temp.try($$SELECT * FROM get_classifier_review_queue('intent')$$) AS without_the_view;
RESET ROLE;
SET pg_intent.language = 'es';
SET ROLE pgi_rqi_review_only;
SELECT pg_temp.try_detail($$SELECT * FROM get_classifier_review_queue('intent')$$) AS in_spanish;
RESET ROLE;
RESET pg_intent.language;
-- A reviewer as the documented recipe grants one: the same as the view,
-- read as the reviewer; no train right on intent is needed.
CREATE ROLE pgi_rqi_reviewer;
CREATE ROLE pgi_rqi_narrow;
SELECT count(*) > 0 AS granted FROM unnest(ARRAY['pgi_rqi_reviewer', 'pgi_rqi_narrow']::regrole[]) AS r, grant_intent_access(r, 'review') AS g;
GRANT SELECT ON ai_training_data, ai_training_runs, ai_training_run_rows, ai_review_queue TO pgi_rqi_reviewer, pgi_rqi_narrow;
GRANT SELECT (id, version, run_id, algorithm, size_bytes, sha256, intents, metrics, confidence_threshold,
              is_active, created_at, deployed_at, deleted_at, classifier, partition_key) ON ai_intent_models TO pgi_rqi_reviewer, pgi_rqi_narrow;
SELECT has_function_privilege('pgi_rqi_reviewer', 'train_intent_model(text, text, jsonb)', 'EXECUTE') AS reviewer_may_train;
SET ROLE pgi_rqi_reviewer;
SELECT * FROM pg_temp.same_as_the_view();
RESET ROLE;
-- Row-level security on ai_training_data narrows what a reader sees: a
-- reviewer who may read only live traffic gets only its live suspects, the
-- same as the view shows it, and none of the texts the policy hides (the
-- owner, who is not subject to it, sees them all).
ALTER TABLE ai_training_data ENABLE ROW LEVEL SECURITY;
CREATE POLICY rqi_all ON ai_training_data FOR SELECT TO pgi_rqi_reviewer USING (true);
CREATE POLICY rqi_live_only ON ai_training_data FOR SELECT TO pgi_rqi_narrow USING (source = 'live');
SELECT count(*) AS as_owner, count(*) FILTER (WHERE text IN (SELECT user_message FROM ai_training_data WHERE source <> 'live')) AS not_live
  FROM get_classifier_review_queue('intent', NULL, 10000);
CREATE TEMP TABLE queue_as_narrow (text text);
GRANT INSERT ON queue_as_narrow TO pgi_rqi_narrow;
SET ROLE pgi_rqi_narrow;
INSERT INTO queue_as_narrow SELECT text FROM get_classifier_review_queue('intent', NULL, 10000);
SELECT count(*) AS as_narrow_reviewer, min(rank) AS first_rank,
       count(*) FILTER (WHERE text LIKE '%sombrero%') AS live_texts
  FROM get_classifier_review_queue('intent', NULL, 10000);
SELECT * FROM pg_temp.same_as_the_view();
RESET ROLE;
SELECT count(*) AS hidden_texts_shown
  FROM ai_training_data AS d
 WHERE d.source <> 'live'
   AND d.user_message IN (SELECT q.text FROM queue_as_narrow AS q);
DROP POLICY rqi_all ON ai_training_data;
DROP POLICY rqi_live_only ON ai_training_data;
ALTER TABLE ai_training_data DISABLE ROW LEVEL SECURITY;
DROP TABLE queue_as_narrow;

-- The view's output is unchanged in shape: the same columns as 0.3.1's.
SELECT string_agg(attname, ', ' ORDER BY attnum) AS view_columns
  FROM pg_attribute WHERE attrelid = 'ai_review_queue'::regclass AND attnum > 0;

DROP EXTENSION pg_intent CASCADE;
DROP ROLE pgi_rqi_public;
DROP ROLE pgi_rqi_models;
DROP ROLE pgi_rqi_review_only;
DROP ROLE pgi_rqi_no_run_rows;
DROP ROLE pgi_rqi_reviewer;
DROP ROLE pgi_rqi_narrow;
