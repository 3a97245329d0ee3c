-- Audit columns are stamped by the server, and the review state changes only
-- through the review functions (security issue items 2 and 3). Checked as
-- plain roles with table grants (what 0.2.0's recipe gave reviewers), with
-- and without PostgREST's request.jwt.claims: who acted is the JWT subject
-- when the claims are set, the session user otherwise; when is now(); what
-- the client sends for either is ignored. The owner's writes (pg_restore,
-- the extension's own code) keep their values.
SET client_min_messages = warning;
DROP EXTENSION IF EXISTS pg_intent CASCADE;
CREATE EXTENSION pg_intent;
DROP ROLE IF EXISTS pgi_au_reviewer;
DROP ROLE IF EXISTS pgi_au_app;
DROP ROLE IF EXISTS pgi_au_admin;
CREATE ROLE pgi_au_reviewer NOLOGIN;
CREATE ROLE pgi_au_app NOLOGIN;
CREATE ROLE pgi_au_admin NOLOGIN;
GRANT SELECT, UPDATE ON ai_training_data TO pgi_au_reviewer;
GRANT SELECT, INSERT, UPDATE ON ai_intent_corrections, ai_review_actions TO pgi_au_reviewer;
GRANT USAGE ON SEQUENCE ai_review_actions_id_seq TO pgi_au_reviewer;
SELECT count(*) > 0 AS granted FROM grant_intent_access('pgi_au_reviewer', 'review');
GRANT INSERT ON ai_training_data TO pgi_au_app;
GRANT EXECUTE ON FUNCTION train_intent_model(text, text, jsonb), deploy_intent_model(bigint) TO pgi_au_admin;
GRANT SELECT, INSERT, UPDATE ON ai_training_policy, ai_model_deployments TO pgi_au_admin;
GRANT USAGE ON SEQUENCE ai_model_deployments_id_seq TO pgi_au_admin;
\i test/fixtures/try.sql
-- pg_temp.try() without the row ids in the messages (random uuids)
CREATE FUNCTION pg_temp.tried(p_sql text) RETURNS text LANGUAGE sql AS $$
    SELECT regexp_replace(pg_temp.try(p_sql), '[0-9a-f]{8}-[0-9a-f-]{27}', '<id>', 'g')
$$;
\i test/fixtures/spanish_80.sql
SELECT id AS one FROM ai_training_data WHERE user_message = 'quiero devolver la camiseta' \gset
SELECT id AS two FROM ai_training_data WHERE user_message = 'el pago de la mochila fue rechazado' \gset
SELECT id AS three FROM ai_training_data WHERE user_message = 'hay stock de el abrigo' \gset

-- The reproduction of item 2: one UPDATE as a reviewer relabelled every
-- return_process row to greeting and marked it approved, with no audit row.
SET ROLE pgi_au_reviewer;
SELECT pg_temp.tried($$UPDATE ai_training_data SET correct_intent = 'greeting', corrected_by_human = true,
                           dataset_status = 'approved' WHERE detected_intent = 'return_process'$$) AS relabel;
-- Nor one column at a time, nor the labelled content.
SELECT pg_temp.tried($$UPDATE ai_training_data SET dataset_status = 'approved' WHERE id = '$$ || :'one' || $$'$$) AS approve_directly;
SELECT pg_temp.tried($$UPDATE ai_training_data SET intent_correct = false WHERE id = '$$ || :'one' || $$'$$) AS judge_directly;
SELECT pg_temp.tried($$UPDATE ai_training_data SET detected_intent = 'greeting' WHERE id = '$$ || :'one' || $$'$$) AS relabel_detection;
SELECT pg_temp.tried($$UPDATE ai_training_data SET user_message = 'hola' WHERE id = '$$ || :'one' || $$'$$) AS rewrite_message;
-- Other columns stay editable; created_at is not (a message cannot be backdated).
SELECT pg_temp.tried($$UPDATE ai_training_data SET category = 'returns', created_at = '2001-01-01' WHERE id = '$$ || :'one' || $$'$$) AS edit_category;
RESET ROLE;
SELECT count(*) FILTER (WHERE correct_intent IS NOT NULL OR dataset_status <> 'pending') AS relabelled,
       count(*) FILTER (WHERE created_at < '2002-01-01') AS backdated,
       count(*) FILTER (WHERE category = 'returns') AS categorised
  FROM ai_training_data;

-- Through the review functions, without JWT claims (a plain PostgreSQL
-- login): the session user and now() are recorded; p_reviewer_id and
-- p_corrector_id, the application's user, are kept as passed.
-- (Each block is one transaction, so that now() is the time stamped.)
BEGIN;
SET LOCAL ROLE pgi_au_reviewer;
SELECT approve_training_sample(:'one', '11111111-1111-1111-1111-111111111111') ->> 'dataset_status' AS approved;
SELECT submit_intent_correction(:'two', 'payment_issue', p_corrector_id => '22222222-2222-2222-2222-222222222222') ->> 'corrected_intent' AS corrected;
RESET ROLE;
SELECT action, reviewer_id, reviewed_by = session_user AS by_login, created_at = now() AS now
  FROM ai_review_actions WHERE training_data_id = :'one';
SELECT corrected_by, recorded_by = session_user AS by_login, created_at = now() AS now
  FROM ai_intent_corrections WHERE training_data_id = :'two';
SELECT corrected_by, corrected_at = now() AS now, dataset_status FROM ai_training_data WHERE id = :'two';
COMMIT;

-- Audit rows written directly: who and when are stamped whatever the client
-- sends (0.2.0 kept reviewed_by = 'postgres' and a backdated created_at).
BEGIN;
SET LOCAL ROLE pgi_au_reviewer;
INSERT INTO ai_review_actions (training_data_id, action, intent, reason, reviewed_by, created_at)
VALUES (:'three', 'reject', 'product_info', 'forged', 'someone_else', '2001-01-01');
INSERT INTO ai_intent_corrections (training_data_id, original_intent, corrected_intent, recorded_by, created_at)
VALUES (:'three', 'product_info', 'thanks', 'someone_else', '2001-01-01');
RESET ROLE;
SELECT reason, reviewed_by = session_user AS by_login, created_at = now() AS now FROM ai_review_actions ORDER BY id;
SELECT corrected_intent, recorded_by = session_user AS by_login, created_at = now() AS now
  FROM ai_intent_corrections ORDER BY corrected_intent;
COMMIT;
-- and an update cannot rewrite them afterwards
SET ROLE pgi_au_reviewer;
UPDATE ai_review_actions SET reviewed_by = 'someone_else', created_at = '2001-01-01', reviewer_id = gen_random_uuid();
UPDATE ai_intent_corrections SET recorded_by = 'someone_else', created_at = '2001-01-01', corrected_by = gen_random_uuid();
RESET ROLE;
SELECT count(*) AS rewritten FROM ai_review_actions WHERE reviewed_by = 'someone_else' OR created_at < '2002-01-01' OR reviewer_id NOT IN ('11111111-1111-1111-1111-111111111111');
SELECT count(*) AS rewritten FROM ai_intent_corrections WHERE recorded_by = 'someone_else' OR created_at < '2002-01-01' OR corrected_by NOT IN ('22222222-2222-2222-2222-222222222222');

-- A message logged with a date of its own gets now().
BEGIN;
SET LOCAL ROLE pgi_au_app;
INSERT INTO ai_training_data (user_message, detected_intent, created_at) VALUES ('mensaje fechado', 'greeting', '2001-01-01');
RESET ROLE;
SELECT created_at = now() AS now FROM ai_training_data WHERE user_message = 'mensaje fechado';
COMMIT;

-- A row another role inserts starts unreviewed: a logging role (INSERT
-- alone) cannot log rows already approved, corrected or judged. 0.3.1
-- accepted them with no audit row; they counted as reviewed, and 60 of them
-- decided the next model at the deploy gate ("improved", F1 1.0 against
-- 0.13). The whole statement is refused.
SET ROLE pgi_au_app;
SELECT pg_temp.tried($$INSERT INTO ai_training_data (user_message, detected_intent, correct_intent, corrected_by_human, dataset_status)
    SELECT 'fila plantada ' || g, 'shipping_problem', 'payment_issue', true, 'approved' FROM generate_series(1, 3) AS g$$) AS planted;
SELECT pg_temp.tried($$INSERT INTO ai_training_data (user_message, detected_intent, dataset_status) VALUES ('aprobada', 'greeting', 'approved')$$) AS approved;
SELECT pg_temp.tried($$INSERT INTO ai_training_data (user_message, detected_intent, intent_correct) VALUES ('juzgada', 'greeting', true)$$) AS judged;
SELECT pg_temp.tried($$INSERT INTO ai_training_data (user_message, detected_intent, correct_intent) VALUES ('corregida', 'greeting', 'thanks')$$) AS corrected;
SELECT pg_temp.tried($$INSERT INTO ai_training_data (user_message, detected_intent, dataset_status) VALUES ('pendiente', 'greeting', 'pending')$$) AS pending;
RESET ROLE;
SELECT count(*) AS logged, count(*) FILTER (WHERE is_reviewed) AS reviewed FROM ai_training_data
 WHERE user_message IN ('aprobada', 'juzgada', 'corregida', 'pendiente') OR user_message LIKE 'fila plantada%';

-- Under PostgREST (request.jwt.claims set from a verified JWT): the JWT
-- subject is who acted, and the p_reviewer_id / p_corrector_id a client
-- sends do not decide it.
BEGIN;
SET LOCAL ROLE pgi_au_reviewer;
SELECT set_config('request.jwt.claims', '{"sub": "aaaaaaaa-0000-4000-8000-000000000001", "role": "authenticated"}', true) IS NOT NULL AS claims;
SELECT reject_training_sample(:'three', 'not a customer message', '11111111-1111-1111-1111-111111111111') ->> 'dataset_status' AS rejected;
SELECT submit_intent_correction(:'one', 'complaint', p_corrector_id => '22222222-2222-2222-2222-222222222222') ->> 'corrected_intent' AS corrected;
COMMIT;
SELECT action, reviewer_id, reviewed_by, created_at <= now() AS dated
  FROM ai_review_actions WHERE training_data_id = :'three' AND reason = 'not a customer message';
SELECT corrected_by, recorded_by FROM ai_intent_corrections WHERE training_data_id = :'one';
SELECT corrected_by, dataset_status, correct_intent FROM ai_training_data WHERE id = :'one';
-- PostgREST before 9 set request.jwt.claim.sub instead.
BEGIN;
SET LOCAL ROLE pgi_au_reviewer;
SELECT set_config('request.jwt.claim.sub', 'aaaaaaaa-0000-4000-8000-000000000002', true) IS NOT NULL AS claims;
SELECT approve_training_sample(:'two') ->> 'dataset_status' AS approved;
COMMIT;
SELECT reviewer_id, reviewed_by FROM ai_review_actions WHERE training_data_id = :'two';

-- A reviewer who writes the audit row by hand may then make exactly the
-- change it records (what the review functions do): the audit row exists,
-- stamped with who and when. A row for another label does not cover it.
SELECT id AS four FROM ai_training_data WHERE user_message = 'qué talla tiene las zapatillas' \gset
BEGIN;
SET LOCAL ROLE pgi_au_reviewer;
INSERT INTO ai_review_actions (training_data_id, action, intent) VALUES (:'four', 'approve', 'greeting');
SELECT pg_temp.tried($$UPDATE ai_training_data SET dataset_status = 'approved', intent_correct = true WHERE id = '$$ || :'four' || $$'$$) AS other_label;
INSERT INTO ai_review_actions (training_data_id, action, intent)
SELECT id, 'approve', detected_intent FROM ai_training_data WHERE id = :'four';
SELECT pg_temp.tried($$UPDATE ai_training_data SET dataset_status = 'rejected' WHERE id = '$$ || :'four' || $$'$$) AS other_action;
SELECT pg_temp.tried($$UPDATE ai_training_data SET dataset_status = 'approved', intent_correct = true WHERE id = '$$ || :'four' || $$'$$) AS audited;
COMMIT;
-- An audit row of an earlier transaction does not cover a later change.
BEGIN;
SET LOCAL ROLE pgi_au_reviewer;
SELECT pg_temp.tried($$UPDATE ai_training_data SET dataset_status = 'rejected' WHERE id = '$$ || :'four' || $$'$$) AS stale;
INSERT INTO ai_review_actions (training_data_id, action, intent, reason) VALUES (:'four', 'reject', 'product_info', 'spam');
SELECT pg_temp.tried($$UPDATE ai_training_data SET dataset_status = 'rejected' WHERE id = '$$ || :'four' || $$'$$) AS audited;
COMMIT;

-- Policy changes and deployments record the JWT subject too (0.2.0: the
-- session user, under PostgREST always the authenticator).
BEGIN;
SET LOCAL ROLE pgi_au_admin;
SELECT set_config('request.jwt.claims', '{"sub": "aaaaaaaa-0000-4000-8000-000000000003", "role": "service_role"}', true) IS NOT NULL AS claims;
UPDATE ai_training_policy SET max_f1_regression = 0.02;
SELECT train_intent_model('audited', 'full', '{"seed": 1}') ->> 'deployed' AS deployed;
COMMIT;
SELECT updated_by FROM ai_training_policy;
SELECT deployed_by FROM ai_model_deployments;
-- A claim without a subject (Supabase's service key): its role is recorded.
BEGIN;
SET LOCAL ROLE pgi_au_admin;
SELECT set_config('request.jwt.claims', '{"role": "service_role"}', true) IS NOT NULL AS claims;
UPDATE ai_training_policy SET max_f1_regression = 0.03;
COMMIT;
SELECT updated_by FROM ai_training_policy;
-- Deployment rows inserted directly are stamped as well.
SELECT id AS model FROM ai_intent_models \gset
BEGIN;
SET LOCAL ROLE pgi_au_admin;
INSERT INTO ai_model_deployments (model_id, reason, deployed_by, deployed_at)
VALUES (:model, 'manual', 'someone_else', '2001-01-01');
RESET ROLE;
SELECT deployed_by = session_user AS by_login, deployed_at = now() AS now FROM ai_model_deployments ORDER BY id;
COMMIT;

-- But an audit row written by hand says only what a review function could
-- have written: an approval names a valid label, a rejection has a reason
-- that is not blank (the table's CHECK constraints, 23514, for every
-- writer), so no hand-written row lets a row be approved that
-- approve_training_sample() refuses (22023) or rejected without the reason
-- reject_training_sample() requires (22004, 22023). 0.3.1 accepted both.
SELECT record_interaction('mensaje sin etiqueta', NULL, 10) AS unlabelled \gset
SELECT id AS six FROM ai_training_data WHERE user_message = 'de qué material es el abrigo' \gset
SELECT pg_temp.tried($$SELECT approve_training_sample('$$ || :'unlabelled' || $$')$$) AS function_approves_unlabelled;
SELECT pg_temp.tried($$SELECT reject_training_sample('$$ || :'six' || $$', NULL)$$) AS function_rejects_without_reason;
BEGIN;
SET LOCAL ROLE pgi_au_reviewer;
SELECT pg_temp.tried($$INSERT INTO ai_review_actions (training_data_id, action, intent) VALUES ('$$ || :'unlabelled' || $$', 'approve', NULL)$$) AS approve_unlabelled;
SELECT pg_temp.tried($$UPDATE ai_training_data SET dataset_status = 'approved', intent_correct = true WHERE id = '$$ || :'unlabelled' || $$'$$) AS approved_unlabelled;
SELECT pg_temp.tried($$INSERT INTO ai_review_actions (training_data_id, action, intent) VALUES ('$$ || :'six' || $$', 'approve', ' product_info')$$) AS approve_invalid_label;
SELECT pg_temp.tried($$INSERT INTO ai_review_actions (training_data_id, action, intent) VALUES ('$$ || :'six' || $$', 'reject', 'product_info')$$) AS reject_without_reason;
SELECT pg_temp.tried($$INSERT INTO ai_review_actions (training_data_id, action, intent, reason) VALUES ('$$ || :'six' || $$', 'reject', 'product_info', E' \t\n')$$) AS reject_blank_reason;
SELECT pg_temp.tried($$UPDATE ai_training_data SET dataset_status = 'rejected' WHERE id = '$$ || :'six' || $$'$$) AS rejected_without_reason;
COMMIT;
SELECT dataset_status, intent_correct FROM ai_training_data WHERE id IN (:'unlabelled', :'six') ORDER BY user_message;
SELECT count(*) AS recorded FROM ai_review_actions WHERE training_data_id IN (:'unlabelled', :'six');

-- A correction written by hand records the row's stored detection as its
-- original intent, whatever the INSERT says, and was_mismatch follows it
-- (0.3.1 kept "complaint -> complaint, no mismatch" for a row detected as
-- product_info). The correction itself is the reviewer's to make.
BEGIN;
SET LOCAL ROLE pgi_au_reviewer;
INSERT INTO ai_intent_corrections (training_data_id, original_intent, corrected_intent) VALUES (:'six', 'complaint', 'complaint');
SELECT pg_temp.tried($$UPDATE ai_training_data SET correct_intent = 'complaint', corrected_by_human = true, intent_correct = false,
                           dataset_status = 'reviewed' WHERE id = '$$ || :'six' || $$'$$) AS corrected;
COMMIT;
SELECT original_intent, corrected_intent, was_mismatch FROM ai_intent_corrections WHERE training_data_id = :'six';
-- Nor can an UPDATE of the audit row change it afterwards.
SET ROLE pgi_au_reviewer;
UPDATE ai_intent_corrections SET original_intent = 'complaint' WHERE training_data_id = :'six';
RESET ROLE;
SELECT original_intent, was_mismatch FROM ai_intent_corrections WHERE training_data_id = :'six';

-- The owner's writes keep their values: pg_restore puts back historic rows.
INSERT INTO ai_review_actions (training_data_id, action, intent, reason, reviewer_id, reviewed_by, created_at)
VALUES (:'four', 'reject', 'greeting', 'spam', '33333333-3333-3333-3333-333333333333', 'historic', '2001-01-01');
INSERT INTO ai_intent_corrections (training_data_id, original_intent, corrected_intent, recorded_by, created_at)
VALUES (:'four', 'greeting', 'thanks', 'historic', '2001-01-01');
SELECT original_intent, was_mismatch, recorded_by, created_at FROM ai_intent_corrections WHERE recorded_by = 'historic';
SELECT reviewer_id, reviewed_by, created_at FROM ai_review_actions WHERE reviewed_by = 'historic';
UPDATE ai_training_data SET dataset_status = 'pending', created_at = '2001-01-01' WHERE id = :'four';
SELECT dataset_status, created_at FROM ai_training_data WHERE id = :'four';

DROP OWNED BY pgi_au_reviewer, pgi_au_app, pgi_au_admin;
DROP ROLE pgi_au_reviewer;
DROP ROLE pgi_au_app;
DROP ROLE pgi_au_admin;
