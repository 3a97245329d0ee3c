-- record_interaction(): normal path, defaults, and argument errors.
SET client_min_messages = warning;
SET pg_intent.allow_drop_with_data = on; -- the previous test's rows go (src/pg/drop_guard.cpp)
DROP EXTENSION IF EXISTS pg_intent CASCADE;
CREATE EXTENSION pg_intent;

\i test/fixtures/try.sql

-- The minimal call stores the message and the seed's defaults.
SELECT record_interaction('quiero devolver un producto', 'return_process', 87) AS id \gset
SELECT user_message, detected_intent, confidence_score, ai_response, response_source,
       escalated, corrected_by_human, intent_correct, dataset_status, source,
       conversation_id IS NULL AS no_conversation, created_at = updated_at AS untouched
  FROM ai_training_data WHERE id = :'id';

-- Every parameter by name.
SELECT record_interaction(
    p_user_message => 'my parcel never arrived',
    p_detected_intent => 'shipping_problem',
    p_confidence_score => 42,
    p_ai_response => 'Sorry to hear that, let me check.',
    p_response_source => 'llm',
    p_escalated => true,
    p_conversation_id => '00000000-0000-0000-0000-00000000000a',
    p_message_id => '00000000-0000-0000-0000-00000000000b',
    p_user_id => '00000000-0000-0000-0000-00000000000c',
    p_category => 'logistics',
    p_source => 'imported') AS id2 \gset
SELECT user_message, detected_intent, confidence_score, ai_response, response_source, escalated,
       conversation_id, message_id, user_id, category, source, dataset_status
  FROM ai_training_data WHERE id = :'id2';

-- A blank detected intent means none was detected; NULL confidence is allowed.
SELECT record_interaction('hola', '  ', NULL) AS id3 \gset
SELECT detected_intent IS NULL AS intent_is_null, confidence_score IS NULL AS confidence_is_null
  FROM ai_training_data WHERE id = :'id3';

-- Boundaries of the confidence score are accepted.
SELECT pg_temp.try($$SELECT record_interaction('a', 'x', 0)$$) AS zero,
       pg_temp.try($$SELECT record_interaction('b', 'x', 100)$$) AS hundred;

-- Errors.
SELECT pg_temp.try($$SELECT record_interaction('a', 'x', 101)$$);
SELECT pg_temp.try($$SELECT record_interaction('a', 'x', -1)$$);
SELECT pg_temp.try($$SELECT record_interaction(NULL, 'x', 50)$$);
SELECT pg_temp.try($$SELECT record_interaction('a', 'x', 50, p_source => 'web')$$);
SELECT pg_temp.try($$SELECT record_interaction('a', 'x', 50, p_source => NULL)$$);
-- The table's own checks hold for direct inserts too.
SELECT pg_temp.try($$INSERT INTO ai_training_data (user_message, quality_score) VALUES ('q', 6)$$);
SELECT pg_temp.try($$INSERT INTO ai_training_data (user_message, dataset_status) VALUES ('q', 'done')$$);

-- Nothing was stored by the failed calls: 2 + 1 + 2 rows.
SELECT count(*) FROM ai_training_data;

-- updated_at moves on UPDATE (the trigger), created_at does not.
UPDATE ai_training_data SET category = 'returns', updated_at = '2000-01-01' WHERE id = :'id';
SELECT category, updated_at > created_at AS touched FROM ai_training_data WHERE id = :'id';

-- Function properties: VOLATILE, PARALLEL UNSAFE, not STRICT.
SELECT provolatile, proparallel, proisstrict FROM pg_proc WHERE proname = 'record_interaction';
