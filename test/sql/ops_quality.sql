-- evaluate_interaction(): quality 1-5 from the user's next message, with editable cues.
SET client_min_messages = warning;
SET pg_intent.allow_drop_with_data = on; -- the previous test's rows go (src/pg/drop_guard.cpp)
DROP EXTENSION IF EXISTS pg_intent CASCADE;
CREATE EXTENSION pg_intent;

\i test/fixtures/try.sql

-- The cue table is seeded in Spanish and English.
SELECT language, kind, count(*) > 0 AS seeded FROM ai_feedback_cues GROUP BY 1, 2 ORDER BY 1, 2;

-- Scoring (no writes): case, accents and punctuation do not matter; negative
-- cues win over positive ones; a cue inside a longer match does not count
-- ("gracias" in "no, gracias"); no cue gives 3; whole words only.
SELECT m AS message, s -> 'score' AS score, s -> 'was_successful' AS success,
       (SELECT string_agg(c ->> 'pattern', ', ') FROM jsonb_array_elements(s -> 'cues') c) AS cues
FROM unnest(ARRAY[
        '¡Muchas GRACIAS!',
        'Perfecto, lo compro',
        '¿Cómo pago con tarjeta?',
        'ok',
        'No, gracias',
        'gracias pero no me sirvió',
        'No entendí nada',
        'Quiero hablar con una persona',
        'Thanks, I want to buy it',
        'I don’t understand',
        'this is useless',
        'regracias sin sentido',
        '']) m,
     LATERAL score_feedback_message(m) s;

-- evaluate_interaction stores the score, the message, the time and the success flag.
INSERT INTO ai_training_data (id, user_message, detected_intent, confidence_score)
VALUES ('00000000-0000-0000-0000-00000000000a', '¿tienen tallas grandes?', 'product_info', 80),
       ('00000000-0000-0000-0000-00000000000b', 'quiero devolver algo', 'return_process', 70),
       ('00000000-0000-0000-0000-00000000000c', 'mi envío no llega', 'shipping_problem', 60);
SELECT evaluate_interaction('00000000-0000-0000-0000-00000000000a', 'Genial, ¡lo quiero! ¿Cómo pago?') AS a,
       evaluate_interaction('00000000-0000-0000-0000-00000000000b', 'no me sirve esa respuesta') AS b,
       evaluate_interaction('00000000-0000-0000-0000-00000000000c', 'vale') AS c;
SELECT user_message, quality_score, user_feedback, was_successful,
       evaluated_at IS NOT NULL AS evaluated
FROM ai_training_data ORDER BY id;

-- Re-evaluating overwrites the previous result.
SELECT evaluate_interaction('00000000-0000-0000-0000-00000000000a', 'no entiendo') AS again;
SELECT quality_score, was_successful, user_feedback FROM ai_training_data
WHERE id = '00000000-0000-0000-0000-00000000000a';

-- Operators edit the cues: a new cue counts at once, a disabled one no longer does.
INSERT INTO ai_feedback_cues (language, pattern, kind, score) VALUES ('es', 'Está bien', 'positive', 4);
UPDATE ai_feedback_cues SET is_active = false WHERE language = 'es' AND pattern = 'no me sirve';
SELECT evaluate_interaction('00000000-0000-0000-0000-00000000000c', 'esta bien, gracias... creo') AS new_cue,
       evaluate_interaction('00000000-0000-0000-0000-00000000000b', 'no me sirve') AS disabled_cue;
-- A cue with purchase meaning can mark success.
INSERT INTO ai_feedback_cues (language, pattern, kind, score, marks_success)
VALUES ('es', 'me lo llevo', 'purchase', 5, true);
SELECT evaluate_interaction('00000000-0000-0000-0000-00000000000c', 'Me lo llevo') AS score;
SELECT was_successful FROM ai_training_data WHERE id = '00000000-0000-0000-0000-00000000000c';

-- The cue table checks its values.
SELECT pg_temp.try($$INSERT INTO ai_feedback_cues (pattern, kind, score) VALUES ('x', 'thanks', 6)$$) AS bad_score;
SELECT pg_temp.try($$INSERT INTO ai_feedback_cues (pattern, kind, score) VALUES ('x', 'happy', 4)$$) AS bad_kind;
SELECT pg_temp.try($$INSERT INTO ai_feedback_cues (pattern, kind, score) VALUES ('  ', 'thanks', 4)$$) AS empty_pattern;

-- Errors.
SELECT pg_temp.try($$SELECT evaluate_interaction('00000000-0000-0000-0000-0000000000ff', 'gracias')$$) AS unknown_id;
SELECT pg_temp.try($$SELECT evaluate_interaction(NULL, 'gracias')$$) AS null_id;
SELECT pg_temp.try($$SELECT evaluate_interaction('00000000-0000-0000-0000-00000000000a', NULL)$$) AS null_message;
SELECT pg_temp.try($$SELECT score_feedback_message(NULL)$$) AS null_preview;

-- Dump safety of the cues. Untouched seeds are not dumped (CREATE EXTENSION
-- recreates them); everything an operator touched is. The edits above: the
-- disabled seed 'no me sirve' and the two new cues.
SELECT (SELECT e.extcondition[array_position(e.extconfig, 'ai_feedback_cues'::regclass::oid)]
          FROM pg_extension e WHERE e.extname = 'pg_intent') AS dump_filter;
SELECT language, pattern, is_seed, is_active, modified_at IS NOT NULL AS modified
  FROM ai_feedback_cues WHERE NOT is_seed OR modified_at IS NOT NULL ORDER BY language, pattern;
-- A no-op update is not an edit; a real one is, and is_seed cannot be changed.
UPDATE ai_feedback_cues SET score = score WHERE language = 'es' AND pattern = 'gracias';
UPDATE ai_feedback_cues SET score = 4, is_seed = false WHERE language = 'es' AND pattern = 'muchas gracias';
SELECT pattern, score, is_seed, modified_at IS NOT NULL AS modified
  FROM ai_feedback_cues WHERE language = 'es' AND pattern IN ('gracias', 'muchas gracias') ORDER BY pattern;
-- Deleting a seed disables it (DELETE 0): a removed seed would come back at
-- the next restore. Deleting an operator's own cue removes it.
DELETE FROM ai_feedback_cues WHERE language = 'en' AND pattern = 'useless';
SELECT pattern, is_seed, is_active, modified_at IS NOT NULL AS modified
  FROM ai_feedback_cues WHERE language = 'en' AND pattern = 'useless';
DELETE FROM ai_feedback_cues WHERE pattern = 'me lo llevo';
SELECT count(*) AS custom_left FROM ai_feedback_cues WHERE pattern = 'me lo llevo';
-- An inserted row cannot pose as an untouched seed (it would escape pg_dump).
INSERT INTO ai_feedback_cues (language, pattern, kind, score, is_seed) VALUES ('en', 'cheers', 'thanks', 5, true);
SELECT pattern, is_seed FROM ai_feedback_cues WHERE pattern = 'cheers';
-- What pg_restore does: the dumped edited seed arrives with the id and pattern
-- of the seed CREATE EXTENSION just recreated, and replaces it. Simulated by
-- putting the pristine seed back (same id, score 5) and inserting the edit.
CREATE TEMP TABLE dumped AS SELECT * FROM ai_feedback_cues WHERE language = 'es' AND pattern = 'muchas gracias';
SET session_replication_role = replica;  -- bypass the triggers to stage the restored state
DELETE FROM ai_feedback_cues WHERE language = 'es' AND pattern = 'muchas gracias';
INSERT INTO ai_feedback_cues (id, language, pattern, kind, score, is_seed)
SELECT id, language, pattern, kind, 5, true FROM dumped;
RESET session_replication_role;
SELECT score, is_seed, modified_at IS NULL AS pristine FROM ai_feedback_cues WHERE language = 'es' AND pattern = 'muchas gracias';
INSERT INTO ai_feedback_cues SELECT * FROM dumped;
SELECT count(*) AS rows, min(score) AS score, bool_and(is_seed) AS is_seed, bool_and(modified_at IS NOT NULL) AS modified
  FROM ai_feedback_cues WHERE language = 'es' AND pattern = 'muchas gracias';
-- A plain duplicate of an edited (not pristine) cue is still refused.
SELECT pg_temp.try($$INSERT INTO ai_feedback_cues (language, pattern, kind, score) VALUES ('es', 'muchas gracias', 'thanks', 2)$$) AS duplicate;

-- Cues are matched on text normalised by the classifier's own normaliser
-- (0.1.0 had an ASCII-only copy in SQL that turned every other letter into
-- a word break, so a Cyrillic or Greek cue matched nothing, or anything).
SELECT intent_internal._pg_intent_fold('¿Dónde está mi PEDIDO?') AS spanish, intent_internal._pg_intent_fold('Заказ НЕ пришёл') AS cyrillic,
       intent_internal._pg_intent_fold('') AS empty, intent_internal._pg_intent_fold('¡¡!!') AS punctuation;
INSERT INTO ai_feedback_cues (language, pattern, kind, score) VALUES ('en', 'спасибо', 'thanks', 5);
SELECT score_feedback_message('Большое СПАСИБО!') -> 'cues' AS thanked,
       score_feedback_message('привет') -> 'cues' AS not_thanked;

-- An insert that takes a pristine seed's place updates the seed, so it needs
-- UPDATE: a role allowed only to INSERT cues cannot rewrite seeds (when the
-- trigger ran as the owner, it rewrote seed 1 in place). Its own new cues
-- still go in without SELECT.
CREATE ROLE pgi_cue_writer NOLOGIN;
GRANT INSERT ON ai_feedback_cues TO pgi_cue_writer;
GRANT USAGE ON SEQUENCE ai_feedback_cues_id_seq TO pgi_cue_writer;
CREATE TEMP TABLE seed_before AS
SELECT id, language, pattern, kind, score FROM ai_feedback_cues WHERE is_seed AND modified_at IS NULL ORDER BY id LIMIT 1;
GRANT SELECT ON seed_before TO pgi_cue_writer;
-- The insert trigger's seed lookup is internal, closed to PUBLIC: without
-- grant_intent_access(role, 'cues') an insert is refused, with a hint.
SET ROLE pgi_cue_writer;
SELECT pg_temp.try($$INSERT INTO ai_feedback_cues (language, pattern, kind, score) VALUES ('es', 'sin permiso', 'positive', 3)$$) AS cue_without_access;
RESET ROLE;
SELECT count(*) AS cue_functions_granted FROM grant_intent_access('pgi_cue_writer', 'cues');
SET ROLE pgi_cue_writer;
SELECT pg_temp.try(format($$INSERT INTO ai_feedback_cues (id, language, pattern, kind, score) VALUES (%s, 'es', 'seed-pwned', 'purchase', 5)$$,
                          (SELECT id FROM seed_before))) AS insert_over_seed_by_id;
SELECT pg_temp.try(format($$INSERT INTO ai_feedback_cues (language, pattern, kind, score) VALUES (%L, %L, 'purchase', 5)$$,
                          (SELECT language FROM seed_before), (SELECT pattern FROM seed_before))) AS insert_over_seed_by_pattern;
SELECT pg_temp.try($$INSERT INTO ai_feedback_cues (language, pattern, kind, score) VALUES ('es', 'una cue nueva', 'positive', 3)$$) AS own_cue;
RESET ROLE;
SELECT c.kind = b.kind AND c.score = b.score AND c.pattern = b.pattern AND c.modified_at IS NULL AS seed_unchanged
  FROM ai_feedback_cues AS c JOIN seed_before AS b USING (id);
-- With UPDATE (and the SELECT its WHERE needs) the same insert replaces the seed.
GRANT SELECT, UPDATE ON ai_feedback_cues TO pgi_cue_writer;
SET ROLE pgi_cue_writer;
SELECT pg_temp.try(format($$INSERT INTO ai_feedback_cues (language, pattern, kind, score) VALUES (%L, %L, 'purchase', 5)$$,
                          (SELECT language FROM seed_before), (SELECT pattern FROM seed_before))) AS insert_over_seed_with_update;
RESET ROLE;
SELECT c.kind, c.score, c.is_seed, c.modified_at IS NOT NULL AS edited
  FROM ai_feedback_cues AS c JOIN seed_before AS b USING (language, pattern);
-- Where row security hides the seeds from its UPDATE, the insert is not
-- silently dropped: the collision is reported.
CREATE TEMP TABLE seed_hidden AS
SELECT id, language, pattern FROM ai_feedback_cues WHERE is_seed AND modified_at IS NULL ORDER BY id LIMIT 1;
GRANT SELECT ON seed_hidden TO pgi_cue_writer;
ALTER TABLE ai_feedback_cues ENABLE ROW LEVEL SECURITY;
CREATE POLICY cue_read ON ai_feedback_cues FOR SELECT TO pgi_cue_writer USING (true);
CREATE POLICY cue_insert ON ai_feedback_cues FOR INSERT TO pgi_cue_writer WITH CHECK (true);
CREATE POLICY cue_update_own ON ai_feedback_cues FOR UPDATE TO pgi_cue_writer USING (NOT is_seed);
SET ROLE pgi_cue_writer;
SELECT pg_temp.try(format($$INSERT INTO ai_feedback_cues (language, pattern, kind, score) VALUES (%L, %L, 'purchase', 5)$$,
                          (SELECT language FROM seed_hidden), (SELECT pattern FROM seed_hidden))) AS insert_over_hidden_seed;
RESET ROLE;
SELECT c.modified_at IS NULL AS still_pristine FROM ai_feedback_cues AS c JOIN seed_hidden AS s USING (id);
DROP TABLE seed_hidden;
DROP POLICY cue_read ON ai_feedback_cues;
DROP POLICY cue_insert ON ai_feedback_cues;
DROP POLICY cue_update_own ON ai_feedback_cues;
ALTER TABLE ai_feedback_cues DISABLE ROW LEVEL SECURITY;
DELETE FROM ai_feedback_cues WHERE pattern = 'una cue nueva';
REVOKE ALL ON ai_feedback_cues FROM pgi_cue_writer;
REVOKE ALL ON SEQUENCE ai_feedback_cues_id_seq FROM pgi_cue_writer;
DROP TABLE seed_before;
DROP OWNED BY pgi_cue_writer;
DROP ROLE pgi_cue_writer;
