-- The one rule for intent names (labels), defined before the tables whose
-- CHECK constraints and generated columns use it. New in 0.2.1 (the upgrade
-- includes this file).
--
-- A label training may use: not empty; no leading or trailing whitespace and
-- no control character anywhere (ASCII 1-31 and 127: tab, newline, carriage
-- return, vertical tab and form feed among them), so that labels that look
-- alike on a dashboard are the same label; not "uncertain", the word
-- classify_intent() answers when it abstains (an intent of that name would
-- make its answers ambiguous); at most 256 bytes in the database encoding.
-- NULL (no label) gives NULL, which a CHECK constraint accepts.
--
-- A SQL-standard body: parsed and bound when it is created (the extension
-- script pins search_path to pg_catalog, pg_temp, and every name is
-- qualified anyway), so no caller's search_path can redirect it and it needs
-- no SET clause, which would also keep the planner from inlining it into the
-- constraints and queries that call it once per row. IMMUTABLE: it reads
-- nothing but its argument; COLLATE "C" so that the comparisons mean the same
-- bytes whatever the column's collation. Open to PUBLIC: a CHECK constraint
-- or generated column runs it with the inserting role's EXECUTE right.
CREATE OR REPLACE FUNCTION @extschema@.is_valid_intent_name(p_name text)
RETURNS boolean
LANGUAGE sql IMMUTABLE PARALLEL SAFE
RETURN p_name COLLATE pg_catalog."C" OPERATOR(pg_catalog.<>) ''
   AND pg_catalog.octet_length(p_name) OPERATOR(pg_catalog.<=) 256
   AND p_name COLLATE pg_catalog."C" OPERATOR(pg_catalog.<>) 'uncertain'
   AND pg_catalog.btrim(p_name) OPERATOR(pg_catalog.=) p_name COLLATE pg_catalog."C"
   AND p_name COLLATE pg_catalog."C" OPERATOR(pg_catalog.!~)
       ('[' OPERATOR(pg_catalog.||) pg_catalog.chr(1) OPERATOR(pg_catalog.||) '-'
            OPERATOR(pg_catalog.||) pg_catalog.chr(31) OPERATOR(pg_catalog.||) pg_catalog.chr(127)
            OPERATOR(pg_catalog.||) ']');
COMMENT ON FUNCTION @extschema@.is_valid_intent_name(text) IS
    'True when p_name may be an intent (a training label): not empty, no leading or trailing whitespace, no control character, not "uncertain" (what classify_intent() answers when it abstains), at most 256 bytes. NULL for NULL. The CHECK constraints on the intent columns and every reader of the training data use this one rule.';
