-- pg_intent.language: the language of reports, alerts, review reasons and
-- hints. auto follows lc_messages; en and es force one; anything else is
-- refused by the setting itself (22023).
SET client_min_messages = warning; -- run alone or after a test that created it
CREATE EXTENSION IF NOT EXISTS pg_intent;
RESET client_min_messages;
SELECT pg_intent_loaded();
SHOW pg_intent.language;
SET lc_messages = 'C';
SELECT intent_output_language() AS auto_under_c;
SET lc_messages = 'es_ES.UTF-8';
SELECT intent_output_language() AS auto_under_es;
SET pg_intent.language = 'en';
SELECT intent_output_language() AS forced_en;
SET lc_messages = 'C';
SET pg_intent.language = 'es';
SELECT intent_output_language() AS forced_es;
SET pg_intent.language = 'auto';
\set VERBOSITY sqlstate
SET pg_intent.language = 'fr';
\set VERBOSITY default
-- Any role may ask (the function decides nothing but wording).
CREATE ROLE language_reader;
SET ROLE language_reader;
SET pg_intent.language = 'es';
SELECT intent_output_language() AS as_plain_role;
-- intent_output_text(): the fixed wording of alerts and review reasons, open
-- to any role; an unknown key is refused.
SELECT intent_output_text('alert_message', 'es') AS es_text, intent_output_text('alert_message', 'en') AS en_text,
       intent_output_text('alert_message', NULL) AS null_is_english;
\set VERBOSITY sqlstate
SELECT intent_output_text('no_such_text', 'es');
\set VERBOSITY default
RESET ROLE;
DROP ROLE language_reader;
RESET pg_intent.language;
RESET lc_messages;
