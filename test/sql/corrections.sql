-- submit_intent_correction(): updates the row, writes the audit row whose
-- was_mismatch comes from a trigger, and its errors.
SET client_min_messages = warning;
SET pg_intent.allow_drop_with_data = on; -- the previous test's rows go (src/pg/drop_guard.cpp)
DROP EXTENSION IF EXISTS pg_intent CASCADE;
CREATE EXTENSION pg_intent;

\i test/fixtures/try.sql

SELECT record_interaction('el paquete no llega', 'return_process', 55, 'Para devolver...') AS wrong \gset
SELECT record_interaction('quiero devolverlo', 'return_process', 91) AS right \gset

-- A real correction: the detected intent was wrong.
SELECT r - 'correction_id' - 'training_data_id' AS result, (r ->> 'training_data_id')::uuid = :'wrong' AS same_row,
       (r ->> 'correction_id')::uuid IS NOT NULL AS has_correction_id
  FROM submit_intent_correction(:'wrong', 'shipping_problem',
                                p_correct_response => 'Reviso el envío.',
                                p_should_escalate => true,
                                p_notes => 'tracking question',
                                p_corrector_id => '00000000-0000-0000-0000-0000000000aa') AS r;
SELECT detected_intent, correct_intent, correct_response, should_escalate, corrected_by_human,
       intent_correct, dataset_status, corrected_by, corrected_at IS NOT NULL AS has_corrected_at
  FROM ai_training_data WHERE id = :'wrong';

-- A confirmation: the reviewer gives the same intent (surrounding blanks are trimmed).
SELECT submit_intent_correction(:'right', ' return_process ') - 'correction_id' - 'training_data_id';
SELECT correct_intent, intent_correct, corrected_by_human, dataset_status, correct_response, should_escalate
  FROM ai_training_data WHERE id = :'right';

-- The audit trail.
SELECT d.user_message, c.original_intent, c.corrected_intent, c.was_mismatch, c.notes, c.corrected_by
  FROM ai_intent_corrections c JOIN ai_training_data d ON d.id = c.training_data_id
 ORDER BY c.was_mismatch DESC;

-- The trigger decides was_mismatch, whatever the inserter says.
INSERT INTO ai_intent_corrections (training_data_id, original_intent, corrected_intent, was_mismatch)
VALUES (:'right', 'a', 'a', true), (:'right', 'a', 'b', false), (:'right', NULL, 'b', false)
RETURNING original_intent, corrected_intent, was_mismatch;
-- ... and keeps it right on UPDATE.
UPDATE ai_intent_corrections SET corrected_intent = 'a'
 WHERE original_intent = 'a' AND corrected_intent = 'b'
RETURNING original_intent, corrected_intent, was_mismatch;

-- A second correction of the same row keeps the first response when none is given.
SELECT submit_intent_correction(:'wrong', 'order_status') ->> 'was_mismatch' AS was_mismatch;
SELECT correct_intent, correct_response, should_escalate FROM ai_training_data WHERE id = :'wrong';

-- Errors: unknown row, empty, too long or NULL intent (22004, as every
-- required argument), NULL id.
SELECT pg_temp.try($$SELECT submit_intent_correction('00000000-0000-0000-0000-000000000000', 'x')$$);
SELECT pg_temp.try(format('SELECT submit_intent_correction(%L, %L)', :'right', ''));
SELECT pg_temp.try(format('SELECT submit_intent_correction(%L, %L)', :'right', '   '));
SELECT pg_temp.try(format('SELECT submit_intent_correction(%L, NULL)', :'right'));
-- An intent name longer than 256 bytes, which training would leave out, is
-- refused and the row keeps its label; 256 bytes are taken.
SELECT coalesce(correct_intent, '<none>') AS label_before FROM ai_training_data WHERE id = :'right' \gset
SELECT pg_temp.try(format('SELECT submit_intent_correction(%L, %L)', :'right', repeat('ñ', 129)));
SELECT coalesce(correct_intent, '<none>') = :'label_before' AS label_kept FROM ai_training_data WHERE id = :'right';
SELECT octet_length(submit_intent_correction(:'right', repeat('ñ', 128)) ->> 'corrected_intent') AS bytes;
SELECT pg_temp.try($$SELECT submit_intent_correction(NULL, 'x')$$);

-- A correction is trimmed as record_interaction() trims a detection
-- (normalize_intent_name(): space, tab, line feed, vertical tab, form feed,
-- carriage return). 0.3.1 trimmed spaces only: a name pasted with a tab or
-- a line break was refused (22023) here and stored trimmed there.
SELECT submit_intent_correction(:'right', E'\treturn_process\r\n') ->> 'corrected_intent' AS corrected;
SELECT record_interaction('otra devolución', E'\treturn_process\r\n', 80) AS detected \gset
SELECT detected_intent FROM ai_training_data WHERE id = :'detected';
SELECT pg_temp.try(format('SELECT submit_intent_correction(%L, %L)', :'right', E'\t\r\n \x0b\x0c'));
SELECT normalize_intent_name(E' \t\n\x0b\x0c\rreturn process\r\n\x0b') AS normalized,
       normalize_intent_name(E'\u00a0return\u00a0') = E'\u00a0return\u00a0' AS other_characters_kept,
       normalize_intent_name(NULL) IS NULL AS null_for_null;

-- Deleting a row deletes its corrections.
SELECT count(*) FROM ai_intent_corrections WHERE training_data_id = :'wrong';
DELETE FROM ai_training_data WHERE id = :'wrong';
SELECT count(*) FROM ai_intent_corrections WHERE training_data_id = :'wrong';
