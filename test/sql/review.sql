-- Review actions: approve_training_sample() / reject_training_sample() and
-- their batch forms. Approved and rejected rows leave the review queue,
-- rejected rows never train, every decision is recorded with who and when,
-- and the application role may not review.
SET client_min_messages = warning;
SET pg_intent.allow_drop_with_data = on; -- the previous test's rows go (src/pg/drop_guard.cpp)
DROP EXTENSION IF EXISTS pg_intent CASCADE;
CREATE EXTENSION pg_intent;
DROP ROLE IF EXISTS pgi_review_app;
CREATE ROLE pgi_review_app NOLOGIN;
GRANT INSERT ON ai_training_data TO pgi_review_app;
\i test/fixtures/try.sql
\i test/fixtures/legacy_rows.sql
\i test/fixtures/spanish_80.sql
INSERT INTO ai_training_data (user_message, detected_intent, confidence_score)
VALUES ('spam spam spam', 'product_info', 40), ('mensaje sin intención', NULL, 10);
SELECT id AS spam FROM ai_training_data WHERE user_message = 'spam spam spam' \gset
SELECT id AS unlabelled FROM ai_training_data WHERE user_message = 'mensaje sin intención' \gset
SELECT count(*) AS pending FROM ai_pending_review;

-- Approve one row: its detection is confirmed and it leaves the queue.
SELECT id AS one FROM ai_training_data WHERE user_message = 'quiero devolver la camiseta' \gset
SELECT approve_training_sample(:'one', '11111111-1111-1111-1111-111111111111', 'looks right') - 'training_data_id' AS approved;
SELECT dataset_status, intent_correct FROM ai_training_data WHERE id = :'one';
SELECT count(*) AS pending FROM ai_pending_review;
SELECT count(*) AS one_queued FROM ai_pending_review WHERE id = :'one';
SELECT action, intent, reason, reviewer_id, reviewed_by = session_user AS by_me, created_at <= now() AS dated
  FROM ai_review_actions WHERE training_data_id = :'one';

-- Reject one row with a reason: it leaves the queue and never trains.
SELECT reject_training_sample(:'spam', 'spam') - 'training_data_id' AS rejected;
SELECT count(*) AS spam_in_dataset FROM get_training_dataset() WHERE id = :'spam';
SELECT count(*) AS spam_queued FROM ai_pending_review WHERE id = :'spam';

-- A corrected row that is approved keeps what its correction said.
SELECT id AS corrected FROM ai_training_data WHERE user_message = 'el pago de la mochila fue rechazado' \gset
SELECT submit_intent_correction(:'corrected', 'shipping_problem') ->> 'was_mismatch' AS mismatch;
SELECT approve_training_sample(:'corrected') ->> 'intent' AS approved_intent;
SELECT dataset_status, intent_correct, correct_intent FROM ai_training_data WHERE id = :'corrected';

-- Batches: ids that do not exist are reported, the rest applied.
SELECT approve_training_samples(ARRAY(SELECT id FROM ai_training_data WHERE user_message LIKE 'qué talla%' ORDER BY id)
                                || '00000000-0000-0000-0000-000000000000'::uuid) AS batch;
SELECT reject_training_samples(ARRAY(SELECT id FROM ai_training_data WHERE user_message LIKE 'error al pagar%'), 'duplicado') ->> 'updated' AS rejected;
SELECT dataset_status, count(*) FROM ai_training_data GROUP BY 1 ORDER BY 1;
SELECT action, count(*) FROM ai_review_actions GROUP BY 1 ORDER BY 1;
-- A rejected row can be approved later; the history keeps both decisions.
SELECT approve_training_sample(:'spam') ->> 'dataset_status' AS reconsidered;
SELECT array_agg(action ORDER BY id) AS history FROM ai_review_actions WHERE training_data_id = :'spam';

-- Errors.
SELECT pg_temp.try($$SELECT approve_training_sample(NULL)$$) AS null_id;
SELECT pg_temp.try($$SELECT approve_training_sample('00000000-0000-0000-0000-000000000000')$$) AS unknown_id;
SELECT pg_temp.try(format('SELECT reject_training_sample(%L, %L)', :'one', '  ')) AS empty_reason;
SELECT pg_temp.try(format('SELECT reject_training_sample(%L, NULL)', :'one')) AS null_reason;
-- Blank is whitespace of any kind (0.3.1 trimmed spaces only, and a reason of
-- a tab and a newline rejected the row); the row stays as it was.
SELECT pg_temp.try(format('SELECT reject_training_sample(%L, %L)', :'one', E'\n\t \r')) AS whitespace_reason;
SELECT pg_temp.try(format('SELECT reject_training_samples(ARRAY[%L]::uuid[], %L)', :'one', E'\t')) AS whitespace_reason_batch;
SELECT dataset_status <> 'rejected' AS not_rejected FROM ai_training_data WHERE id = :'one';
SELECT pg_temp.try(format('SELECT approve_training_sample(%L)', :'unlabelled')) AS no_intent;
-- Nor a row whose intent is longer than 256 bytes (any role that may log
-- interactions could store one before 0.2.1's constraints, so an upgraded
-- database may hold one): training never reads it, and approving it said it
-- may train.
SELECT gen_random_uuid() AS long_label \gset
SELECT pg_temp.as_before_0_2_1(format($$INSERT INTO ai_training_data (id, user_message, detected_intent, confidence_score)
                                        VALUES (%L, 'mensaje con una etiqueta enorme', repeat('x', 300), 90)$$, :'long_label'));
SELECT pg_temp.try(format('SELECT approve_training_sample(%L)', :'long_label')) AS long_intent;
SELECT pg_temp.try(format('SELECT approve_training_samples(ARRAY[%L, %L]::uuid[])', :'one', :'long_label')) AS long_intent_in_batch;
SELECT dataset_status FROM ai_training_data WHERE id = :'long_label';
SELECT pg_temp.try($$SELECT approve_training_samples(NULL)$$) AS null_batch;
-- (54000 before 0.2.1: PostgREST answered HTTP 500 to a bad argument.)
SELECT pg_temp.try($$SELECT approve_training_samples(array_fill('00000000-0000-0000-0000-000000000000'::uuid, ARRAY[10001]))$$) AS huge_batch;
SELECT approve_training_samples('{}') AS empty_batch;
-- A reason or a note is recorded once for every row of the call: it has at
-- most 1024 bytes (22023), so that one call cannot write 10,000 copies of
-- whatever its caller sends (0.3.1 took any: a 200 kB reason rejecting 1,000
-- rows wrote 204 MB into ai_review_actions). 1024 bytes are taken.
SELECT pg_temp.try(format('SELECT reject_training_samples(ARRAY[%L]::uuid[], %L)', :'one', repeat('ñ', 513))) AS long_reason;
SELECT pg_temp.try(format('SELECT reject_training_sample(%L, %L)', :'one', repeat('x', 1025))) AS long_reason_one;
SELECT pg_temp.try(format('SELECT approve_training_samples(ARRAY[%L]::uuid[], NULL, %L)', :'one', repeat('x', 1025))) AS long_notes;
SELECT pg_temp.try(format('SELECT approve_training_sample(%L, NULL, %L)', :'one', repeat('x', 1025))) AS long_notes_one;
-- Over 64 kB a text is refused before its whitespace is trimmed: the
-- trimming's regular expressions take 4 bytes a character, and for a text of
-- 270 million characters asked PostgreSQL for more than 1 GB (XX000 before
-- 0.3.2). A blank reason that long is too long, not missing.
SELECT pg_temp.try(format('SELECT reject_training_sample(%L, repeat(''a'', 270000000))', :'one')) AS huge_reason;
SELECT pg_temp.try(format('SELECT approve_training_samples(ARRAY[%L]::uuid[], NULL, repeat('' '', 70000) || ''x'')', :'one')) AS padded_notes_over_64kb;
SELECT pg_temp.try(format('SELECT reject_training_sample(%L, repeat('' '', 70000))', :'one')) AS blank_reason_over_64kb;
SELECT count(*) AS recorded FROM ai_review_actions WHERE octet_length(reason) > 1024;
BEGIN;
SELECT reject_training_sample(:'one', '  ' || repeat('ñ', 512) || E'\n') ->> 'dataset_status' AS longest_reason;
SELECT octet_length(reason) AS reason_bytes FROM ai_review_actions WHERE training_data_id = :'one' AND action = 'reject';
ROLLBACK;
-- _pg_intent_review() checks its own arguments, so no caller skips them
-- (0.2.0 checked them in a separate function: a direct call rejected a row
-- without a reason, took 20,000 ids and hit a table CHECK with an unknown
-- action).
SELECT pg_temp.try(format($$SELECT intent_internal._pg_intent_review(ARRAY[%L]::uuid[], 'reject', NULL, NULL)$$, :'one')) AS internal_null_reason;
SELECT pg_temp.try(format($$SELECT intent_internal._pg_intent_review(ARRAY[%L]::uuid[], 'reject', '  ', NULL)$$, :'one')) AS internal_blank_reason;
SELECT pg_temp.try($$SELECT intent_internal._pg_intent_review(array_fill('00000000-0000-0000-0000-000000000000'::uuid, ARRAY[20000]), 'approve', NULL, NULL)$$) AS internal_huge_batch;
SELECT pg_temp.try(format($$SELECT intent_internal._pg_intent_review(ARRAY[%L]::uuid[], 'delete', NULL, NULL)$$, :'one')) AS internal_unknown_action;
SELECT pg_temp.try(format($$SELECT intent_internal._pg_intent_review(ARRAY[%L]::uuid[], NULL, 'x', NULL)$$, :'one')) AS internal_null_action;
SELECT pg_temp.try($$SELECT intent_internal._pg_intent_review(NULL, 'approve', NULL, NULL)$$) AS internal_null_ids;
SELECT dataset_status FROM ai_training_data WHERE id = :'one';

-- The application role logs interactions but may not review.
SET ROLE pgi_review_app;
SELECT pg_temp.try(format('SELECT approve_training_sample(%L)', :'one')) AS app_approves;
SELECT pg_temp.try(format('SELECT reject_training_sample(%L, %L)', :'one', 'x')) AS app_rejects;
RESET ROLE;

-- A reviewer who may read every row but change only some (row-level
-- security with an UPDATE policy narrower than its SELECT policy, as for a
-- tenant's reviewer who may read other tenants' rows): the ids a batch did
-- not change are reported in "missing" with those that do not exist, so
-- that updated + missing accounts for every id sent. 0.3.1 reported them
-- nowhere ({"updated": 1, "missing": []} for three ids: two rows silently
-- left as they were).
DROP ROLE IF EXISTS pgi_review_tenant;
CREATE ROLE pgi_review_tenant NOLOGIN;
BEGIN;
GRANT SELECT, UPDATE (correct_intent, corrected_by_human, intent_correct, corrected_by, corrected_at, dataset_status)
    ON ai_training_data TO pgi_review_tenant;
GRANT SELECT, INSERT (training_data_id, action, intent, reason, reviewer_id) ON ai_review_actions TO pgi_review_tenant;
GRANT USAGE ON SEQUENCE ai_review_actions_id_seq TO pgi_review_tenant;
SELECT count(*) > 0 AS granted FROM grant_intent_access('pgi_review_tenant', 'review');
ALTER TABLE ai_training_data ENABLE ROW LEVEL SECURITY;
CREATE POLICY tenant_reads ON ai_training_data FOR SELECT TO pgi_review_tenant USING (true);
CREATE POLICY tenant_reviews ON ai_training_data FOR UPDATE TO pgi_review_tenant
    USING (category = 'mine') WITH CHECK (category = 'mine');
SELECT array_agg(id ORDER BY id) AS tenant_ids FROM (
    SELECT id FROM ai_training_data WHERE dataset_status = 'pending' AND is_valid_intent_name(detected_intent)
     ORDER BY id LIMIT 6) AS t \gset
UPDATE ai_training_data SET category = 'mine' WHERE id IN ((:'tenant_ids'::uuid[])[1], (:'tenant_ids'::uuid[])[4]);
SET ROLE pgi_review_tenant;
SELECT r ->> 'updated' AS updated,
       ARRAY(SELECT m::uuid FROM jsonb_array_elements_text(r -> 'missing') AS m ORDER BY 1)
           = '00000000-0000-0000-0000-000000000000'::uuid || (:'tenant_ids'::uuid[])[2:3] AS missing_are_the_others
  FROM approve_training_samples((:'tenant_ids'::uuid[])[1:3] || '00000000-0000-0000-0000-000000000000'::uuid) AS r;
SELECT r ->> 'updated' AS updated,
       ARRAY(SELECT m::uuid FROM jsonb_array_elements_text(r -> 'missing') AS m ORDER BY 1)
           = (:'tenant_ids'::uuid[])[5:6] AS missing_are_the_others
  FROM reject_training_samples((:'tenant_ids'::uuid[])[4:6], 'spam') AS r;
SELECT left(pg_temp.try(format('SELECT approve_training_sample(%L)', (:'tenant_ids'::uuid[])[2])), 5) AS not_mine;
RESET ROLE;
SELECT string_agg(dataset_status, ' ' ORDER BY id) AS statuses FROM ai_training_data WHERE id = ANY (:'tenant_ids');
ROLLBACK;
DROP ROLE pgi_review_tenant;

-- Function properties.
SELECT p.oid::regprocedure AS function, p.provolatile, p.prosecdef, p.proconfig
  FROM pg_proc p WHERE p.proname IN ('approve_training_sample', 'reject_training_sample',
                                     'approve_training_samples', 'reject_training_samples')
 ORDER BY p.oid::regprocedure::text;

DROP EXTENSION pg_intent CASCADE;
DROP ROLE pgi_review_app;
