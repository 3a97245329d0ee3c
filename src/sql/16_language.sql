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

-- The words of an error pg_intent raises from SQL, in the reader's
-- language: p_pattern (English; %s for each argument in turn, %% a percent
-- sign) translated through the Spanish catalogue the C++ errors use
-- (po/es.po), with the arguments written as RAISE writes them. Every RAISE
-- of the extension words its message, detail and hint with it (RAISE ...
-- USING MESSAGE =, DETAIL =, HINT =); SQLSTATEs stay as they are. It never
-- returns NULL, which would make RAISE fail (22004). scripts/update-po.sh
-- extracts its patterns. Open to PUBLIC, as errors of functions any role
-- may call are worded with it; it returns the pattern filled in and decides
-- nothing.
CREATE OR REPLACE FUNCTION @extschema@.intent_output_error(p_pattern text, VARIADIC p_args "any")
RETURNS text
AS 'MODULE_PATHNAME', 'pg_intent_error_text'
LANGUAGE C STABLE PARALLEL SAFE;
CREATE OR REPLACE FUNCTION @extschema@.intent_output_error(p_pattern text)
RETURNS text
AS 'MODULE_PATHNAME', 'pg_intent_error_text'
LANGUAGE C STABLE PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.intent_output_error(text, "any") IS
    'An error message of pg_intent in the language of intent_output_language(): p_pattern (English, %s for each argument) translated through pg_intent''s Spanish catalogue, with the arguments written by their output functions (NULL as <NULL>); a pattern without a translation stays English. At most 16 arguments (22023); p_pattern null raises 22004.';
COMMENT ON FUNCTION @extschema@.intent_output_error(text) IS
    'An error message of pg_intent without arguments in the language of intent_output_language() (see intent_output_error(text, "any")).';

-- The same words for the extension's own code: every function of the
-- extension raises its errors through these twins in intent_internal, where
-- only the extension owner creates objects. Owner code that called
-- intent_internal._pg_intent_error_words() by name with a text argument ran a
-- role's exact-type overload planted in that schema (text, text beats the
-- VARIADIC "any" one) with the owner's rights, wherever a role that could
-- create there asked drop_classifier() about an unknown classifier. Open to
-- PUBLIC as intent_output_error() is: functions any role may call raise
-- through them.
CREATE OR REPLACE FUNCTION intent_internal._pg_intent_error_words(p_pattern text, VARIADIC p_args "any")
RETURNS text
AS 'MODULE_PATHNAME', 'pg_intent_error_text'
LANGUAGE C STABLE PARALLEL SAFE;
CREATE OR REPLACE FUNCTION intent_internal._pg_intent_error_words(p_pattern text)
RETURNS text
AS 'MODULE_PATHNAME', 'pg_intent_error_text'
LANGUAGE C STABLE PARALLEL SAFE;
COMMENT ON FUNCTION intent_internal._pg_intent_error_words(text, "any") IS
    'Internal: intent_output_error(text, "any") for the extension''s own code, in the schema only the extension owner creates in (an overload planted in the extension''s schema cannot take its calls); open to PUBLIC.';
COMMENT ON FUNCTION intent_internal._pg_intent_error_words(text) IS
    'Internal: intent_output_error(text) for the extension''s own code (see _pg_intent_error_words(text, "any")); open to PUBLIC.';

-- A number in a sentence for people, written as p_language writes it:
-- Spanish with a decimal comma (31,35), English with a decimal point. Only
-- in words: JSON numbers and the numeric columns stay numbers. Open to
-- PUBLIC, as ai_metric_alerts (an invoker view) words its messages with it.
CREATE OR REPLACE FUNCTION @extschema@.intent_output_number(p_value numeric, p_language text)
RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE
SET search_path = pg_catalog, pg_temp
AS $$
    SELECT pg_catalog.translate(p_value::text, '.', @extschema@.intent_output_text('number_decimal_mark', p_language))
$$;
COMMENT ON FUNCTION @extschema@.intent_output_number(numeric, text) IS
    'p_value as text in a sentence of p_language: ''es'' writes a decimal comma (31,35), anything else a decimal point; NULL gives NULL.';
