-- The language of what pg_intent writes for people (reports, alerts, the
-- review queue's reasons, hints): the setting pg_intent.language (auto, en,
-- es; auto follows lc_messages). Every piece that words text for a reader
-- asks this function, so the choice is made in one place.
CREATE OR REPLACE FUNCTION @extschema@.intent_output_language()
RETURNS text
AS 'MODULE_PATHNAME', 'pg_intent_language'
LANGUAGE C STABLE PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.intent_output_language() IS
    'The language pg_intent words reports, alerts, review reasons and hints in: ''es'' or ''en'', from the setting pg_intent.language (auto, en, es; auto follows lc_messages: es... gives Spanish, anything else English).';

-- One fixed text of what pg_intent words for people (an alert's message, a
-- review-queue reason: pg_catalog.format() patterns), in p_language ('es'
-- Spanish, anything else English). Every text of both languages is in one
-- table, in the core (src/core/report_text.cpp), with the HTML report's.
-- Open to PUBLIC like intent_output_language(): it returns fixed wording
-- and decides nothing, and the invoker views ai_metric_alerts and
-- ai_review_queue call it as their reader (an internal function would need
-- a grant their readers did not need before).
CREATE OR REPLACE FUNCTION @extschema@.intent_output_text(p_key text, p_language text)
RETURNS text
AS 'MODULE_PATHNAME', 'pg_intent_text'
LANGUAGE C IMMUTABLE PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.intent_output_text(text, text) IS
    'The fixed text p_key (alerts, review-queue reasons) in p_language (''es'' or ''en''); Spanish only in a UTF8, LATIN1, LATIN9 or WIN1252 database, English elsewhere; an unknown key raises 22023.';
