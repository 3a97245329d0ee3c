-- Interaction quality scoring from operator-editable cues (operations).

-- Dump safety. pg_dump keeps every row except the pristine seeds, which
-- CREATE EXTENSION recreates on restore (always with the same ids, from a
-- fresh sequence). Three triggers keep that sound while operators use plain
-- DML: an UPDATE stamps modified_at (so an edited seed gets dumped); an
-- INSERT that carries a pristine seed's (language, pattern) or id takes that
-- seed's place, updating it in place (this is how a restore lands an edited
-- seed over its recreated original); a DELETE of a seeded cue becomes a
-- disable, because a deleted seed would come back at the next restore. They
-- are created after the seed INSERT, so the seeds themselves go in
-- untouched. The update and delete triggers are SECURITY DEFINER: they
-- touch other rows than the one the operator named, which the operator's
-- table privileges may not cover. The insert trigger replaces a seed with
-- the inserting role's own rights (below).

-- Stamps operator edits; is_seed records where a row came from and cannot be
-- changed. A modified_at given explicitly (a restored edit) is kept.
CREATE OR REPLACE FUNCTION intent_internal._pg_intent_cue_before_update()
RETURNS trigger
LANGUAGE plpgsql VOLATILE PARALLEL UNSAFE
SECURITY DEFINER SET search_path = pg_catalog, pg_temp SET row_security = off
AS $$
BEGIN
    IF NEW IS NOT DISTINCT FROM OLD THEN
        RETURN NEW;
    END IF;
    NEW.is_seed := OLD.is_seed;
    IF NEW.modified_at IS NULL OR NEW.modified_at IS NOT DISTINCT FROM OLD.modified_at THEN
        NEW.modified_at := clock_timestamp();
    END IF;
    RETURN NEW;
END
$$;
COMMENT ON FUNCTION intent_internal._pg_intent_cue_before_update() IS
    'Internal trigger: stamps ai_feedback_cues.modified_at on every change (so pg_dump keeps edited seeds; an explicitly given new modified_at is kept) and keeps is_seed as it was.';

-- An inserted row that collides with a pristine seed takes its place: the
-- seed row is updated in place and the insert itself is skipped. No row is
-- deleted, so the delete trigger needs no exception for this path (0.1.0
-- let any DELETE at trigger depth > 1 through, which a nested trigger of
-- the operator's could use to delete a seed for good).
--
-- The lookup runs as the owner (an operator with INSERT alone may not read
-- the table), but the replacement is an UPDATE of the seed and runs as the
-- inserting role: it needs UPDATE on the table, and row-level security
-- applies, as if it had written the UPDATE itself (when the trigger ran as
-- the owner, a role with INSERT alone could rewrite any seed).
CREATE OR REPLACE FUNCTION intent_internal._pg_intent_cue_pristine_seed(p_language text, p_pattern text, p_id bigint)
RETURNS bigint
LANGUAGE sql STABLE PARALLEL SAFE
SECURITY DEFINER SET search_path = pg_catalog, pg_temp SET row_security = off
AS $$
    SELECT c.id
      FROM @extschema@.ai_feedback_cues AS c
     WHERE c.is_seed AND c.modified_at IS NULL
       AND ((c.language = p_language AND c.pattern = p_pattern) OR c.id = p_id)
     ORDER BY (c.language = p_language AND c.pattern = p_pattern) DESC
     LIMIT 1
$$;
COMMENT ON FUNCTION intent_internal._pg_intent_cue_pristine_seed(text, text, bigint) IS
    'Internal: the id of the unedited seeded cue with this (language, pattern), else with this id, or NULL. Seeds are the cues CREATE EXTENSION installs.';

CREATE OR REPLACE FUNCTION intent_internal._pg_intent_cue_before_insert()
RETURNS trigger
LANGUAGE plpgsql VOLATILE PARALLEL UNSAFE
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    v_seed bigint;
BEGIN
    -- A seed is only what CREATE EXTENSION installs; a new pristine "seed"
    -- would silently escape pg_dump. Restored edited seeds (modified_at set)
    -- keep is_seed.
    IF NEW.is_seed AND NEW.modified_at IS NULL THEN
        NEW.is_seed := false;
    END IF;
    -- The lookup is closed to PUBLIC, like every internal function: a role
    -- that inserts cues is granted it (grant_intent_access(role, 'cues')),
    -- and one that is not gets this error instead of a bare one about it.
    IF NOT pg_catalog.has_function_privilege(
               'intent_internal._pg_intent_cue_pristine_seed(text, text, bigint)', 'EXECUTE') THEN
        RAISE EXCEPTION USING MESSAGE = intent_internal._pg_intent_error_words('permission denied to insert into ai_feedback_cues'),
                   ERRCODE = 'insufficient_privilege',
                  DETAIL = intent_internal._pg_intent_error_words('An insert checks whether it replaces a seeded cue, with _pg_intent_cue_pristine_seed().'),
                  HINT = intent_internal._pg_intent_error_words('Grant the role what inserting cues needs: SELECT grant_intent_access(''role'', ''cues'').');
    END IF;
    v_seed := intent_internal._pg_intent_cue_pristine_seed(NEW.language, NEW.pattern, NEW.id);
    IF v_seed IS NULL THEN
        RETURN NEW;
    END IF;
    UPDATE @extschema@.ai_feedback_cues AS c
       SET id = NEW.id, language = NEW.language, pattern = NEW.pattern, kind = NEW.kind, score = NEW.score,
           marks_success = NEW.marks_success, is_active = NEW.is_active, notes = NEW.notes,
           created_at = NEW.created_at, modified_at = NEW.modified_at
     WHERE c.id = v_seed;
    IF NOT FOUND THEN
        -- Row security hid the seed from the inserting role's UPDATE: insert
        -- the row as given, so that the collision is reported (unique
        -- violation) instead of the insert vanishing.
        RETURN NEW;
    END IF;
    RETURN NULL;
END
$$;
COMMENT ON FUNCTION intent_internal._pg_intent_cue_before_insert() IS
    'Internal trigger: a row inserted into ai_feedback_cues with the (language, pattern) or id of an unedited seed takes that seed''s place (updating it in place with the inserting role''s rights, so it needs UPDATE; pg_restore uses this to put edited seeds back); rows inserted as is_seed without modified_at become operator rows.';

-- Deleting a seeded cue disables it, so that a restore does not recreate it.
CREATE OR REPLACE FUNCTION intent_internal._pg_intent_cue_before_delete()
RETURNS trigger
LANGUAGE plpgsql VOLATILE PARALLEL UNSAFE
SECURITY DEFINER SET search_path = pg_catalog, pg_temp SET row_security = off
AS $$
BEGIN
    IF NOT OLD.is_seed THEN
        RETURN OLD;
    END IF;
    UPDATE @extschema@.ai_feedback_cues AS c SET is_active = false WHERE c.id = OLD.id;
    RETURN NULL;
END
$$;
COMMENT ON FUNCTION intent_internal._pg_intent_cue_before_delete() IS
    'Internal trigger: a DELETE of a seeded ai_feedback_cues row, at any trigger depth, disables it (is_active = false, dumped as an edit) instead of removing it, since CREATE EXTENSION would recreate a removed seed on restore.';

CREATE OR REPLACE TRIGGER ai_feedback_cues_before_update
    BEFORE UPDATE ON @extschema@.ai_feedback_cues
    FOR EACH ROW EXECUTE FUNCTION intent_internal._pg_intent_cue_before_update();
CREATE OR REPLACE TRIGGER ai_feedback_cues_before_insert
    BEFORE INSERT ON @extschema@.ai_feedback_cues
    FOR EACH ROW EXECUTE FUNCTION intent_internal._pg_intent_cue_before_insert();
CREATE OR REPLACE TRIGGER ai_feedback_cues_before_delete
    BEFORE DELETE ON @extschema@.ai_feedback_cues
    FOR EACH ROW EXECUTE FUNCTION intent_internal._pg_intent_cue_before_delete();

------------------------------------------------------------------------------
-- Interaction quality
------------------------------------------------------------------------------

-- Internal: folds text for cue matching with the classifier's own
-- normaliser (src/core/text.h): lower case, no accents, every run of
-- characters that are not letters or digits turned into one space, padded
-- with spaces so a phrase match on ' word ' respects word boundaries.
CREATE OR REPLACE FUNCTION intent_internal._pg_intent_fold(p_text text)
RETURNS text
AS 'MODULE_PATHNAME', 'pg_intent_fold'
-- STABLE, not IMMUTABLE: the result depends on pg_intent.max_message_bytes.
LANGUAGE C STABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION intent_internal._pg_intent_fold(text) IS
    'Internal: the classifier''s text normaliser (lower case, accents folded, punctuation and spaces turned into single spaces), padded with spaces, for word-boundary cue matching. Reads at most pg_intent.max_message_bytes.';

-- Scores a user message with the active cues, without writing anything.
CREATE OR REPLACE FUNCTION @extschema@.score_feedback_message(p_message text)
RETURNS jsonb
LANGUAGE plpgsql STABLE PARALLEL SAFE
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    v_text text;
    v_result jsonb;
BEGIN
    IF p_message IS NULL THEN
        RAISE EXCEPTION USING MESSAGE = intent_internal._pg_intent_error_words('p_message must not be null'), ERRCODE = '22004';
    END IF;
    v_text := intent_internal._pg_intent_fold(p_message);
    WITH cues AS (
        SELECT c.id, c.kind, c.score, c.marks_success, c.pattern,
               intent_internal._pg_intent_fold(c.pattern) AS pat
        FROM @extschema@.ai_feedback_cues c
        WHERE c.is_active
    ), matched AS (
        SELECT * FROM cues c
        WHERE c.pat <> '  ' AND strpos(v_text, c.pat) > 0
    ), kept AS (
        -- a cue inside a longer matching cue (gracias in "no gracias") does not count
        SELECT * FROM matched m
        WHERE NOT EXISTS (SELECT 1 FROM matched o
                          WHERE o.pat <> m.pat AND strpos(o.pat, m.pat) > 0)
    )
    SELECT jsonb_build_object(
        'score', CASE WHEN count(*) = 0 THEN 3
                      WHEN min(k.score) < 3 THEN min(k.score)
                      ELSE max(k.score) END,
        'was_successful', coalesce(bool_or(k.marks_success), false),
        'cues', coalesce(jsonb_agg(jsonb_build_object('pattern', k.pattern, 'kind', k.kind, 'score', k.score)
                                   ORDER BY k.pat, k.id) FILTER (WHERE k.id IS NOT NULL), '[]'::jsonb))
    INTO v_result
    FROM kept k;
    RETURN v_result;
END
$$;
COMMENT ON FUNCTION @extschema@.score_feedback_message(text) IS
    'Scores a user''s follow-up message with the active ai_feedback_cues and returns {score 1-5, was_successful, cues matched} without writing anything; evaluate_interaction() uses it.';

-- Scores an interaction from the user's next message and stores the result.
CREATE OR REPLACE FUNCTION @extschema@.evaluate_interaction(p_training_data_id uuid, p_next_user_message text)
RETURNS smallint
LANGUAGE plpgsql VOLATILE PARALLEL UNSAFE
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    v_eval jsonb;
    v_found boolean;
BEGIN
    IF p_training_data_id IS NULL THEN
        RAISE EXCEPTION USING MESSAGE = intent_internal._pg_intent_error_words('p_training_data_id must not be null'), ERRCODE = '22004';
    END IF;
    IF p_next_user_message IS NULL THEN
        RAISE EXCEPTION USING MESSAGE = intent_internal._pg_intent_error_words('p_next_user_message must not be null'), ERRCODE = '22004';
    END IF;
    v_eval := @extschema@.score_feedback_message(p_next_user_message);
    UPDATE @extschema@.ai_training_data d
    SET quality_score = (v_eval ->> 'score')::smallint,
        user_feedback = p_next_user_message,
        evaluated_at = now(),
        was_successful = (v_eval ->> 'was_successful')::boolean
    WHERE d.id = p_training_data_id;
    GET DIAGNOSTICS v_found = ROW_COUNT;
    IF NOT v_found THEN
        RAISE EXCEPTION USING MESSAGE = intent_internal._pg_intent_error_words('training data row %s not found', p_training_data_id),
                   ERRCODE = 'P0002';
    END IF;
    RETURN (v_eval ->> 'score')::smallint;
END
$$;
COMMENT ON FUNCTION @extschema@.evaluate_interaction(uuid, text) IS
    'Scores an interaction 1-5 from the user''s next message using ai_feedback_cues (thanks/purchase high, confusion/complaints low, neutral 3), stores quality_score, user_feedback, evaluated_at and was_successful (purchase or payment intent), and returns the score.';

