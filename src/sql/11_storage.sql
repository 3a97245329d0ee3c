-- How model blobs are stored. LZ4 where the server was built with it (it
-- is in Debian's, and in every PGDG build): measured on CLINC150's 9.5 MB
-- model, pglz took 478 ms to compress it and LZ4 51 ms (2.9 against 3.2 MB
-- stored), and with pglz that was a third of a 10,000-row training run.
-- Decided by the server's build, never by a setting a session could change;
-- run by a fresh install and by every upgrade, so both end the same.
DO $storage$
BEGIN
    IF EXISTS (SELECT FROM pg_catalog.pg_settings AS s
                WHERE s.name OPERATOR(pg_catalog.=) 'default_toast_compression'
                  AND 'lz4' OPERATOR(pg_catalog.=) ANY (s.enumvals)) THEN
        ALTER TABLE @extschema@.ai_intent_models ALTER COLUMN model SET COMPRESSION lz4;
    END IF;
END
$storage$;
