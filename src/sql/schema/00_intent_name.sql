-- The one rule for intent names (labels), defined before the tables whose
-- CHECK constraints and generated columns use it. New in 0.2.1 (the upgrade
-- includes this file).
--
-- A label training may use: not empty; no leading or trailing space and
-- no ASCII control character anywhere (1-31 and 127: tab, newline, carriage
-- return, vertical tab and form feed among them), so that the labels that
-- usually come apart (a trailing space, a pasted line break) are the same
-- label. Other characters are kept as they are (the rule is the same bytes
-- in every database encoding, and the CHECK constraints and the generated
-- training_label of stored rows depend on it not changing); not "uncertain", the word
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
    'True when p_name may be an intent (a training label): not empty, no leading or trailing space (U+0020), no ASCII control character (1-31, 127), not "uncertain" (what classify_intent() answers when it abstains), at most 256 bytes. Any other character is kept as it is: a no-break space, a zero-width or bidirectional format character, a C1 control or a combining mark makes a different label that may look like another. NULL for NULL. The CHECK constraints on the intent columns and every reader of the training data use this one rule.';
