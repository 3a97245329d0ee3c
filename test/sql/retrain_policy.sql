-- What makes should_retrain() true, and the policy that trains on reviewed
-- rows only (ai_training_policy.only_reviewed), which holds for scheduled
-- runs too.
SET client_min_messages = warning;
SET pg_intent.allow_drop_with_data = on; -- the previous test's rows go (src/pg/drop_guard.cpp)
DROP EXTENSION IF EXISTS pg_intent CASCADE;
CREATE EXTENSION pg_intent;

\i test/fixtures/try.sql
\i test/fixtures/spanish_100.sql

UPDATE ai_training_policy SET auto_retrain_threshold = 10;
SELECT pg_temp.add_samples(ARRAY['los zapatos', 'la camiseta', 'el vestido', 'la chaqueta', 'el bolso']) AS added;
SELECT r ->> 'retrained' AS retrained, r #>> '{result,status}' AS status, r #>> '{result,deployed}' AS deployed
  FROM retrain_if_needed() AS r;
SELECT should_retrain(), get_ai_training_metrics() -> 'samples_since_last_train' AS since;

-- 1. Corrections are new labels: ten corrected rows reach the threshold
--    although no row was added (before 0.2.0's fix only added rows counted,
--    and a day of reviewers' corrections never retrained).
SELECT count(*) AS corrected
  FROM (SELECT submit_intent_correction(d.id, 'product_info') FROM ai_training_data AS d
         WHERE d.detected_intent = 'payment_issue' ORDER BY d.user_message LIMIT 10) AS c;
SELECT should_retrain(), get_ai_training_metrics() -> 'samples_since_last_train' AS since;
SELECT r ->> 'retrained' AS retrained, r #>> '{result,status}' AS status FROM retrain_if_needed() AS r;
SELECT should_retrain(), get_ai_training_metrics() -> 'samples_since_last_train' AS since;

-- 2. The policy trains on reviewed rows only. Rows the application role logs
--    with their own labels (the Supabase recipe's grant to anon) neither
--    train nor count towards the threshold; reviews do.
UPDATE ai_training_policy SET only_reviewed = true;
SELECT count(*) AS approved
  FROM (SELECT approve_training_sample(d.id) FROM ai_training_data AS d
         WHERE NOT d.corrected_by_human ORDER BY d.user_message LIMIT 30) AS a;
SELECT r ->> 'retrained' AS retrained, r #>> '{result,status}' AS status,
       (r #>> '{result,training_samples}')::integer AS training_samples
  FROM retrain_if_needed() AS r;
SELECT count(*) AS reviewed_rows FROM ai_training_data
 WHERE corrected_by_human OR intent_correct IS NOT NULL OR dataset_status IN ('reviewed', 'approved');
SELECT count(*) AS rows_read, count(*) FILTER (WHERE NOT (d.corrected_by_human OR d.intent_correct IS NOT NULL
                                                        OR d.dataset_status IN ('reviewed', 'approved'))) AS unreviewed_read
  FROM ai_training_run_rows AS rr JOIN ai_training_data AS d ON d.id = rr.training_data_id
 WHERE rr.run_id = (SELECT id FROM ai_training_runs ORDER BY started_at DESC LIMIT 1);

CREATE ROLE pgi_policy_app;
GRANT INSERT (id, user_message, detected_intent, confidence_score, ai_response, response_source, escalated,
              conversation_id, message_id, user_id, category, source) ON ai_training_data TO pgi_policy_app;
SET ROLE pgi_policy_app;
INSERT INTO ai_training_data (user_message, detected_intent, confidence_score)
SELECT 'quiero devolver el pedido ' || i, 'greeting', 100 FROM generate_series(1, 40) AS i;
RESET ROLE;
SELECT should_retrain(), get_ai_training_metrics() -> 'samples_since_last_train' AS since;
SELECT r ->> 'retrained' AS retrained, r ->> 'reason' AS reason FROM retrain_if_needed() AS r;
-- With the policy off, the same rows count: they were added since the last
-- run.
UPDATE ai_training_policy SET only_reviewed = false;
SELECT should_retrain(), get_ai_training_metrics() -> 'samples_since_last_train' AS since;
UPDATE ai_training_policy SET only_reviewed = true;

-- A run asked to train on reviewed rows only is what the policy does anyway.
SELECT r ->> 'status' AS status, (r ->> 'training_samples')::integer AS training_samples
  FROM train_intent_model('asked', 'full', '{"only_reviewed": true, "deploy": "never"}') AS r;
SELECT count(*) AS greeting_rows_read
  FROM ai_training_run_rows AS rr JOIN ai_training_data AS d ON d.id = rr.training_data_id
 WHERE d.detected_intent = 'greeting';
SELECT predicted_intent <> 'greeting' AS not_poisoned FROM predict_intent('quiero devolver el pedido 7');

-- Asking for the unreviewed rows too is refused, naming the policy; a run
-- that says nothing gets the policy's value.
SELECT pg_temp.try($$SELECT train_intent_model('all rows', 'full', '{"only_reviewed": false}')$$) AS asked_all;
SELECT train_intent_model('silent', 'full', '{"deploy": "never"}') ->> 'run_id' AS silent_run \gset
SELECT training_samples, model_config -> 'only_reviewed' AS only_reviewed FROM ai_training_runs WHERE id = :'silent_run';

-- The policy survives a dump as a column of the policy row, and an INSERT
-- (what pg_restore does) replaces the row with it.
UPDATE ai_training_policy SET only_reviewed = false;
INSERT INTO ai_training_policy (only_reviewed) VALUES (true);
SELECT count(*) AS policy_rows, bool_and(only_reviewed) AS only_reviewed FROM ai_training_policy;

-- 3. A review decides what trains, so it counts towards the threshold: with
--    only_reviewed off (the default) approvals and rejections since the last
--    run (0.3.2 before this counted neither: rejected rows kept training
--    until auto_retrain_threshold other rows arrived), and with it on a
--    rejection of a reviewed row, as before. A row counts once.
UPDATE ai_training_policy SET only_reviewed = false, auto_retrain_threshold = 10;
SELECT train_intent_model('before reviews') ->> 'status' AS status;
SELECT should_retrain(), get_ai_training_metrics() -> 'samples_since_last_train' AS since;
SELECT count(*) AS rejected
  FROM (SELECT reject_training_sample(d.id, 'wrong label') FROM ai_training_data AS d
         WHERE d.dataset_status = 'pending' AND NOT d.corrected_by_human ORDER BY d.user_message LIMIT 6) AS r;
SELECT count(*) AS approved
  FROM (SELECT approve_training_sample(d.id) FROM ai_training_data AS d
         WHERE d.dataset_status = 'pending' AND NOT d.corrected_by_human ORDER BY d.user_message LIMIT 4) AS a;
-- two of those reviewed again (approved after a rejection or an approval):
-- still one each
SELECT count(*) AS reviewed_again
  FROM (SELECT approve_training_sample(d.id) FROM ai_training_data AS d
         WHERE d.id IN (SELECT a.training_data_id FROM ai_review_actions AS a
                         WHERE a.created_at > (SELECT max(r.started_at) FROM ai_training_runs AS r))
         ORDER BY d.user_message LIMIT 2) AS a;
SELECT should_retrain(), get_ai_training_metrics() -> 'samples_since_last_train' AS since;
SELECT train_intent_model('after reviews') ->> 'status' AS status;
UPDATE ai_training_policy SET only_reviewed = true;
SELECT should_retrain(), get_ai_training_metrics() -> 'samples_since_last_train' AS since;
SELECT count(*) AS rejected
  FROM (SELECT reject_training_sample(d.id, 'not what it asked') FROM ai_training_data AS d
         WHERE d.dataset_status = 'approved' ORDER BY d.user_message LIMIT 10) AS r;
SELECT should_retrain(), get_ai_training_metrics() -> 'samples_since_last_train' AS since;
UPDATE ai_training_policy SET only_reviewed = false, auto_retrain_threshold = DEFAULT;

-- 4. The count reads the review log as the owner, but only about the rows
--    its caller reads. A tenant granted the metrics set, whose row-level
--    security shows it its own rows (the 'quiero devolver' ones), counts
--    its own reviews and learns nothing of the others': 0.3.2 before this
--    gave it, through _pg_intent_reviewed_since(p_since), the id of every
--    row reviewed since p_since, other tenants' too, and when (by moving
--    p_since).
CREATE ROLE pgi_policy_tenant;
GRANT SELECT ON ai_training_data, ai_training_runs TO pgi_policy_tenant;
SELECT count(*) > 0 AS granted FROM grant_intent_access('pgi_policy_tenant', 'metrics');
ALTER TABLE ai_training_data ENABLE ROW LEVEL SECURITY;
CREATE POLICY tenant_rows ON ai_training_data FOR SELECT TO pgi_policy_tenant
    USING (user_message LIKE 'quiero devolver%');
SELECT train_intent_model('before tenant reviews', 'full', '{"deploy": "never"}') ->> 'status' AS status;
SELECT count(*) AS others_rejected
  FROM (SELECT reject_training_sample(d.id, 'not theirs') FROM ai_training_data AS d
         WHERE d.user_message NOT LIKE 'quiero devolver%' ORDER BY d.user_message LIMIT 3) AS r;
SELECT count(*) AS own_approved
  FROM (SELECT approve_training_sample(d.id) FROM ai_training_data AS d
         WHERE d.user_message LIKE 'quiero devolver%' ORDER BY d.user_message LIMIT 2) AS a;
-- The reviewed ids the role obtains from the review log that it cannot read
-- in ai_training_data (or the SQLSTATE of the call).
CREATE FUNCTION pg_temp.hidden_reviewed_ids() RETURNS text LANGUAGE plpgsql AS $$
DECLARE n bigint;
BEGIN
    EXECUTE 'SELECT count(*) FROM intent_internal._pg_intent_reviewed_since(''-infinity''::timestamptz) AS r(id)
              WHERE NOT EXISTS (SELECT FROM ai_training_data AS d WHERE d.id = r.id)' INTO n;
    RETURN n::text;
EXCEPTION WHEN OTHERS THEN
    RETURN SQLSTATE;
END $$;
GRANT EXECUTE ON FUNCTION pg_temp.hidden_reviewed_ids() TO pgi_policy_tenant;
SET ROLE pgi_policy_tenant;
SELECT count(*) AS rows_seen FROM ai_training_data;
SELECT pg_temp.hidden_reviewed_ids() AS hidden_reviewed_ids;
-- asked about the rows it reads, the log answers for those
SELECT count(*) AS own_reviewed
  FROM intent_internal._pg_intent_reviewed_since('-infinity', ARRAY(SELECT d.id FROM ai_training_data AS d));
-- the rows counted since that run: its own two, where the owner counts five
SELECT intent_internal._pg_intent_samples_since((SELECT max(r.started_at) FROM ai_training_runs AS r)) AS tenant_since;
RESET ROLE;
SELECT intent_internal._pg_intent_samples_since((SELECT max(r.started_at) FROM ai_training_runs AS r)) AS owner_since;
DROP POLICY tenant_rows ON ai_training_data;
ALTER TABLE ai_training_data DISABLE ROW LEVEL SECURITY;
DROP OWNED BY pgi_policy_tenant;
DROP ROLE pgi_policy_tenant;

DROP OWNED BY pgi_policy_app;
DROP ROLE pgi_policy_app;
