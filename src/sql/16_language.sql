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
