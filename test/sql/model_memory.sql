-- The memory a model load may take: intent_model_info() (open to PUBLIC)
-- loads the caller's bytes, which hold about ten times as much once loaded
-- (a string and hash slots a term, the weights padded to 16 classes). A
-- model whose loaded size, estimated from the counts its bytes declare, is
-- over pg_intent.max_model_memory is refused (54000) before it is loaded;
-- counts its bytes are too short to hold are corrupt (XX001).
SET client_min_messages = warning;
SET pg_intent.allow_drop_with_data = on; -- the previous test's rows go (src/pg/drop_guard.cpp)
DROP EXTENSION IF EXISTS pg_intent CASCADE;
CREATE EXTENSION pg_intent;

\i test/fixtures/try.sql
\i test/fixtures/try_detail.sql

-- A format 3 blob, built byte by byte (model_format.cpp): two intents and
-- `n` word features, all weights 0, with its CRC-32C.
CREATE FUNCTION pg_temp.le(v bigint, n int) RETURNS bytea LANGUAGE sql IMMUTABLE AS $$
    SELECT decode(string_agg(lpad(to_hex((v >> (8 * i)) & 255), 2, '0'), '' ORDER BY i), 'hex')
      FROM generate_series(0, n - 1) AS i
$$;
CREATE FUNCTION pg_temp.sec(tag int, body bytea) RETURNS bytea LANGUAGE sql IMMUTABLE AS $$
    SELECT pg_temp.le(tag, 4) || pg_temp.le(length(body), 8) || body
$$;
CREATE FUNCTION pg_temp.crc32c(b bytea) RETURNS bigint LANGUAGE plpgsql IMMUTABLE AS $$
DECLARE
    t bigint[];
    c bigint;
    crc bigint := 4294967295;
BEGIN
    FOR i IN 0..255 LOOP
        c := i;
        FOR k IN 1..8 LOOP
            c := CASE WHEN c & 1 = 1 THEN (c >> 1) # 2197175160 ELSE c >> 1 END; -- 0x82F63B78
        END LOOP;
        t[i] := c;
    END LOOP;
    FOR i IN 0..length(b) - 1 LOOP
        crc := t[(crc # get_byte(b, i)) & 255] # (crc >> 8);
    END LOOP;
    RETURN crc # 4294967295;
END $$;
-- `declared` features in the vocabulary section's count, `n` in its body.
CREATE FUNCTION pg_temp.model_blob(n int, declared int) RETURNS bytea LANGUAGE plpgsql AS $$
DECLARE
    one CONSTANT bigint := 1065353216;  -- f32 1.0
    half CONSTANT bigint := 1056964608; -- f32 0.5
    terms bytea;
    body bytea;
BEGIN
    SELECT string_agg('\x00'::bytea || pg_temp.le(length('t' || i), 4) || convert_to('t' || i, 'UTF8'), ''::bytea ORDER BY i)
      INTO terms FROM generate_series(1, n) AS i;
    body := convert_to('PGINTENT', 'UTF8') || pg_temp.le(3, 4)
        || pg_temp.sec(1, pg_temp.le(2, 4) || convert_to('{}', 'UTF8'))
        || pg_temp.sec(2, '\x01'::bytea)
        || pg_temp.sec(3, pg_temp.le(2, 4) || pg_temp.le(1, 4) || convert_to('a', 'UTF8')
                          || pg_temp.le(1, 4) || convert_to('b', 'UTF8'))
        || pg_temp.sec(4, pg_temp.le(declared, 4) || terms)
        || pg_temp.sec(5, pg_temp.le(n, 4) || decode(repeat(encode(pg_temp.le(one, 4), 'hex'), n), 'hex'))
        || pg_temp.sec(6, pg_temp.le(n, 4) || pg_temp.le(2, 4) || pg_temp.le(one, 4) || pg_temp.le(one, 4)
                          || decode(repeat('00', 4 * n), 'hex'))
        || pg_temp.sec(7, pg_temp.le(2, 4) || pg_temp.le(0, 8))
        || pg_temp.sec(10, '\x01'::bytea || pg_temp.le(one, 4))
        || pg_temp.sec(11, pg_temp.le(half, 4) || pg_temp.le(2, 4) || pg_temp.le(half, 4) || pg_temp.le(half, 4))
        || pg_temp.sec(12, '\x00'::bytea || pg_temp.le(3, 4) || convert_to('oos', 'UTF8'))
        || pg_temp.sec(13, pg_temp.le(0, 4));
    RETURN body || pg_temp.le(pg_temp.crc32c(body), 4);
END $$;
CREATE TEMP TABLE blobs AS
SELECT 'wide' AS what, pg_temp.model_blob(10000, 10000) AS b
UNION ALL
SELECT 'counts beyond its bytes', pg_temp.model_blob(10, 20000000);

-- Under the default limit (1 GB) the wide model loads: its 10,000 features
-- take about 170 kB stored and about 1.2 MB once loaded.
SHOW pg_intent.max_model_memory;
SELECT length(b) BETWEEN 150000 AND 200000 AS stored_170_kb,
       intent_model_info(b) ->> 'features' AS features
  FROM blobs WHERE what = 'wide';

-- Over the limit: refused, naming the estimate and the limit (in Spanish
-- too).
SET pg_intent.max_model_memory = '1MB';
SELECT pg_temp.try_detail($$SELECT intent_model_info(b) FROM blobs WHERE what = 'wide'$$);
SET pg_intent.language = 'es';
SELECT pg_temp.try_detail($$SELECT intent_model_info(b) FROM blobs WHERE what = 'wide'$$);
RESET pg_intent.language;

-- A vocabulary of 20 million features declared in a few bytes is corrupt,
-- under any limit: the count is checked against the bytes before anything
-- is reserved for it.
SELECT pg_temp.try($$SELECT intent_model_info(b) FROM blobs WHERE what = 'counts beyond its bytes'$$);
RESET pg_intent.max_model_memory;
SELECT pg_temp.try($$SELECT intent_model_info(b) FROM blobs WHERE what = 'counts beyond its bytes'$$);

-- The limit is superuser-only: a role that may call intent_model_info()
-- cannot raise it.
CREATE ROLE pgi_mm_user;
SET ROLE pgi_mm_user;
SELECT pg_temp.try($$SET pg_intent.max_model_memory = '4GB'$$);
RESET ROLE;
DROP ROLE pgi_mm_user;

DROP EXTENSION pg_intent CASCADE;
