-- What each training run says it left out (0.3.2): the rows_skipped_*
-- counts and messages_truncated of its metrics.
--
-- 1. A refused run (too few rows, too few labels: PI001) keeps its counts in
--    the failed run's metrics, for intent and for a classifier, beside
--    rows_read: the counts say why the rows were too few. Before, it
--    recorded none.
-- 2. A partitioned classifier: each partition's run counts what was left
--    out of its own rows, and the fallback's run, which reads every row of
--    the source, what was left out of all of them (rows whose partition
--    value is too long to be one are the fallback's only). Before, every
--    partition's run recorded the whole source's counts.
-- 3. The texts without a label a partitioned classifier's runs give their
--    subword vectors: each partition's run counts those left out of its
--    own texts (unlabelled_texts_left_out), the fallback's those of all of
--    them. Before, every partition's run recorded the whole source's count.
-- 4. A run that fails after it read its rows (53200, past the policy's
--    memory limit in training) keeps its counts and rows_read in its failed
--    run's metrics, for intent and for each run of a classifier, as a
--    refused run does. Before, it recorded neither; and (0.3.2) the counts
--    of its texts without a label too (unlabelled_texts, _left_out), which
--    it recorded only once trained.
-- Every run's rows are told in full: the rows it trained on (input_rows),
-- or read before it refused them or failed (rows_read), plus the rows it
-- skipped, are the rows of its partition in the source.
SET client_min_messages = warning;
SET pg_intent.allow_drop_with_data = on; -- the previous test's rows go (src/pg/drop_guard.cpp)
DROP EXTENSION IF EXISTS pg_intent CASCADE;
DROP TABLE IF EXISTS sk_rows, sk_few;
CREATE EXTENSION pg_intent;

-- Each run's counts, and whether its rows are told in full.
CREATE FUNCTION pg_temp.run_counts(p_classifier text)
RETURNS TABLE (run text, status text, sqlstate text, trained integer, null_key text, long_key text,
               invalid_label text, long_label text, rare text, long_partition text, truncated text)
LANGUAGE sql AS $$
    SELECT coalesce(r.partition_key, '(all rows)'), r.status, r.metrics #>> '{error,sqlstate}',
           coalesce((r.metrics ->> 'input_rows')::int, (r.metrics ->> 'rows_read')::int),
           r.metrics ->> 'rows_skipped_null_key', r.metrics ->> 'rows_skipped_long_key',
           r.metrics ->> 'rows_skipped_invalid_label', r.metrics ->> 'rows_skipped_long_label',
           r.metrics ->> 'rows_skipped_rare_intent', r.metrics ->> 'rows_skipped_long_partition',
           r.metrics ->> 'messages_truncated'
      FROM ai_training_runs AS r
     WHERE r.classifier = p_classifier
     ORDER BY r.partition_key NULLS FIRST, r.started_at
$$;
CREATE FUNCTION pg_temp.skipped(p_metrics jsonb) RETURNS integer LANGUAGE sql AS $$
    SELECT coalesce(sum(e.value::int), 0)::int FROM jsonb_each_text(p_metrics) AS e
     WHERE e.key LIKE 'rows\_skipped\_%'
$$;

-- ---------------------------------------------------------------------
-- 1. A refused run keeps its counts
-- ---------------------------------------------------------------------
-- A classifier without partitions: 12 rows train, fewer than the policy's
-- min_samples_for_training (20), because 5 were left out.
CREATE TABLE sk_few (id text, prompt text, route text);
INSERT INTO sk_few SELECT 'r' || i, 'mensaje número ' || i, CASE WHEN i % 2 = 0 THEN 'par' ELSE 'impar' END
  FROM generate_series(1, 12) AS i;
INSERT INTO sk_few VALUES (NULL, 'sin clave', 'par'), (NULL, 'sin clave tampoco', 'impar'), (NULL, 'otra', 'par'),
                          ('bad-1', 'mal', E'mal\tlabel'), ('bad-2', 'mal', repeat('z', 257));
SELECT create_classifier('sk_few', 'sk_few', 'prompt', 'route', '{"key_column": "id"}') ->> 'name' AS created;
SELECT t ->> 'status' AS status, t ->> 'sqlstate' AS sqlstate, t ->> 'error' AS error FROM train_classifier('sk_few') AS t;
SELECT * FROM pg_temp.run_counts('sk_few');
SELECT metrics -> 'error' ->> 'hint' AS hint, metrics -> 'limits' IS NOT NULL AS limits_kept
  FROM ai_training_runs WHERE classifier = 'sk_few';

-- intent, on ai_training_data: 4 rows read (one of them cut), 2 left out
-- as a label no reviewed row carries with fewer than
-- min_unreviewed_intent_rows (3) rows.
INSERT INTO ai_training_data (user_message, detected_intent, confidence_score, source)
VALUES ('hola', 'saludo', 90, 'synthetic'), ('buenas tardes', 'saludo', 90, 'synthetic'),
       ('hola qué tal', 'saludo', 90, 'synthetic'), ('hola ' || repeat('a', 3000), 'saludo', 90, 'synthetic'),
       ('quiero devolver esto', 'devolucion', 90, 'synthetic'), ('devolver el pedido', 'devolucion', 90, 'synthetic');
SELECT r ->> 'status' AS status, r ->> 'sqlstate' AS sqlstate, r ->> 'error' AS error FROM train_intent_model('sk_refused') AS r;
SELECT * FROM pg_temp.run_counts('intent');
-- One rule (refuse_dataset(), src/pg/train_entry.cpp), each refusal's hint
-- naming where its rows and its minimum come from: intent's interactions
-- and ai_training_policy, a classifier's source and its own options (0.3.2;
-- before, a classifier's hint told to record interactions).
SELECT classifier, metrics #>> '{error,hint}' AS hint
  FROM ai_training_runs WHERE classifier IN ('intent', 'sk_few') ORDER BY classifier;
-- Their rows, told in full.
SELECT r.classifier, (r.metrics ->> 'rows_read')::int + pg_temp.skipped(r.metrics) AS told,
       CASE r.classifier WHEN 'intent' THEN (SELECT count(*) FROM ai_training_data)
                         ELSE (SELECT count(*) FROM sk_few) END AS source_rows
  FROM ai_training_runs AS r WHERE r.classifier IN ('intent', 'sk_few') ORDER BY r.classifier;

-- ---------------------------------------------------------------------
-- 2. A partitioned classifier
-- ---------------------------------------------------------------------
-- Three shops: shop_a and shop_b with four routes, shop_c with one (its run
-- is refused: one label), rows without a shop, and what training leaves
-- out, differently in each shop.
CREATE TABLE sk_rows (id text, prompt text, route text, shop text);
INSERT INTO sk_rows
SELECT s.shop || '-' || row_number() OVER (PARTITION BY s.shop ORDER BY t.n, p.n), format(t.template, p.item), t.route, s.shop
  FROM (VALUES ('shop_a', ARRAY['los zapatos', 'la camiseta', 'el bolso', 'la gorra']),
               ('shop_b', ARRAY['la mesa', 'la silla', 'la lámpara', 'el sofá'])) AS s(shop, items),
       LATERAL unnest(s.items) WITH ORDINALITY AS p(item, n),
       (VALUES (1, 'devolucion', 'quiero devolver %s'), (2, 'devolucion', 'cómo devuelvo %s'),
               (3, 'envio', 'dónde está mi pedido de %s'), (4, 'envio', 'no ha llegado %s'),
               (5, 'pago', 'no puedo pagar %s'), (6, 'pago', 'me cobraron dos veces %s'),
               (7, 'talla', 'qué talla tiene %s'), (8, 'talla', 'hay stock de %s')) AS t(n, route, template);
INSERT INTO sk_rows
SELECT 'shop_c-' || i, 'hola, pregunta número ' || i, 'saludo', 'shop_c' FROM generate_series(1, 24) AS i;
INSERT INTO sk_rows VALUES ('none-1', 'quiero devolver el paraguas', 'devolucion', NULL),
                           ('none-2', 'no ha llegado el paraguas', 'envio', NULL),
                           ('none-3', 'no puedo pagar el paraguas', 'pago', NULL),
                           ('none-4', 'hay stock del paraguas', 'talla', NULL);
-- What is left out: NULL keys, a key too long to record, labels
-- is_valid_intent_name() refuses (too long, or otherwise), shop values too
-- long to be a partition; and a message read on its first 64 kB only.
INSERT INTO sk_rows VALUES
    (NULL, 'quiero devolver las botas', 'devolucion', 'shop_a'),
    (NULL, 'no ha llegado la bufanda', 'envio', 'shop_a'),
    ('shop_a-bad', 'hola buenas', E'bad\tlabel', 'shop_a'),
    ('shop_a-long', 'quiero devolver ' || repeat('los zapatos ', 6000), 'devolucion', 'shop_a'),
    (repeat('k', 2100), 'quiero devolver la cama', 'devolucion', 'shop_b'),
    ('shop_b-bad1', 'hola', E'bad\tlabel', 'shop_b'),
    ('shop_b-bad2', 'hola', ' envio', 'shop_b'),
    ('shop_b-bad3', 'hola', 'uncertain', 'shop_b'),
    (NULL, 'hola otra vez', 'saludo', 'shop_c'),
    ('shop_c-long1', 'hola', repeat('x', 300), 'shop_c'),
    ('shop_c-long2', 'hola', repeat('y', 300), 'shop_c'),
    (NULL, 'hay stock del paraguas rojo', 'talla', NULL),
    ('long-1', 'quiero devolver la mesa', 'devolucion', repeat('s', 2100)),
    ('long-2', 'no puedo pagar la mesa', 'pago', repeat('s', 2100));
SELECT coalesce(left(shop, 6), '(none)') AS shop, count(*) AS source_rows FROM sk_rows GROUP BY 1 ORDER BY 1;
SELECT create_classifier('sk_shops', 'sk_rows', 'prompt', 'route',
                         '{"key_column": "id", "partition_column": "shop", "min_partition_rows": 20, "seed": 1}') ->> 'name' AS created;
SELECT t ->> 'status' AS fallback_status,
       (SELECT jsonb_object_agg(p ->> 'partition', p ->> 'status') FROM jsonb_array_elements(t -> 'partitions') AS p) AS partitions
  FROM train_classifier('sk_shops') AS t;
-- Each partition's run counts its own rows' (shop_c's run, refused, too);
-- the fallback's counts every row's.
SELECT * FROM pg_temp.run_counts('sk_shops');
-- shop_c's refusal (one label) counts and names labels, not intents.
SELECT r.metrics #>> '{error,message}' AS error, r.metrics #>> '{error,hint}' AS hint
  FROM ai_training_runs AS r WHERE r.classifier = 'sk_shops' AND r.partition_key = 'shop_c';
-- Every run's rows, told in full; a trained run recorded the rows it
-- trained on (ai_classifier_run_rows), the refused one none.
SELECT coalesce(r.partition_key, '(all rows)') AS run,
       coalesce((r.metrics ->> 'input_rows')::int, (r.metrics ->> 'rows_read')::int) + pg_temp.skipped(r.metrics) AS told,
       (SELECT count(*) FROM sk_rows AS s WHERE r.partition_key IS NULL OR s.shop = r.partition_key) AS source_rows,
       (SELECT count(*) FROM ai_classifier_run_rows AS x WHERE x.run_id = r.id) AS run_rows
  FROM ai_training_runs AS r WHERE r.classifier = 'sk_shops' ORDER BY r.partition_key NULLS FIRST;
-- The fallback's counts are the partitions' and those of the rows of no
-- partition (or of a value too long to be one).
SELECT (SELECT pg_temp.skipped(metrics) FROM ai_training_runs WHERE classifier = 'sk_shops' AND partition_key IS NULL) AS fallback_skipped,
       (SELECT sum(pg_temp.skipped(metrics)) FROM ai_training_runs WHERE classifier = 'sk_shops' AND partition_key IS NOT NULL) AS partitions_skipped;


-- ---------------------------------------------------------------------
-- 3. The texts without a label, per partition
-- ---------------------------------------------------------------------
-- Rows whose route is NULL, and section 2's six whose route
-- is_valid_intent_name() refuses (rows that train under no label, as
-- intent's: trains_under_no_label()): their texts feed a run's subword
-- vectors, read in the key's order (no time_column) until unlabelled_bytes
-- (90) of them: the six refused ones' (shop_a-bad, shop_b-bad1 to bad3,
-- shop_c-long1 and long2: 31 bytes), u1 and u2 (85 bytes) fit; u3 and u5
-- (shop_a), u4 (shop_b) and u7 (no shop) would pass the bound, u6's shop is
-- too long to be a partition.
INSERT INTO sk_rows VALUES
    ('u1', 'pregunta uno de la tienda a', NULL, 'shop_a'),
    ('u2', 'pregunta dos de la tienda b', NULL, 'shop_b'),
    ('u3', 'pregunta tres de la tienda a', NULL, 'shop_a'),
    ('u4', 'pregunta cuatro de la tienda b', NULL, 'shop_b'),
    ('u5', 'pregunta cinco de la tienda a', NULL, 'shop_a'),
    ('u6', 'pregunta seis', NULL, repeat('s', 2100)),
    ('u7', 'pregunta siete', NULL, NULL);
SELECT create_classifier('sk_texts', 'sk_rows', 'prompt', 'route',
                         '{"key_column": "id", "partition_column": "shop", "min_partition_rows": 20, "seed": 1}') ->> 'name' AS created;
SELECT t ->> 'status' AS fallback_status,
       (SELECT jsonb_object_agg(p ->> 'partition', p ->> 'status') FROM jsonb_array_elements(t -> 'partitions') AS p) AS partitions
  FROM train_classifier('sk_texts', 'texts', '{"subword_vectors": {"weight": 2, "unlabelled_bytes": 90}, "deploy": "never"}') AS t;
-- shop_a's run was given 2 texts (shop_a-bad's, u1) and left 2 out, shop_b's
-- 4 (its three refused labels', u2) and 1: the texts given plus those left
-- out are the partition's (shop_c's run is refused, one label, before it
-- reports any). The fallback's, given none (one tenant's words stay out of
-- it), counts every text the bounds left out (u3 to u7; the others went to
-- the shops' runs).
SELECT coalesce(r.partition_key, '(all rows)') AS run, r.status,
       r.metrics -> 'unlabelled_texts' AS texts, r.metrics -> 'unlabelled_texts_left_out' AS left_out,
       (SELECT count(*) FROM sk_rows AS s
         WHERE (s.route IS NULL OR NOT is_valid_intent_name(s.route))
           AND (r.partition_key IS NULL OR s.shop = r.partition_key)) AS source_texts
  FROM ai_training_runs AS r WHERE r.classifier = 'sk_texts' ORDER BY r.partition_key NULLS FIRST;

-- ---------------------------------------------------------------------
-- 4. A run that fails after reading its rows
-- ---------------------------------------------------------------------
-- Subword vectors of 32 x 200000 floats (25.6 MB) do not fit the policy's
-- 16 MB: each run fails with 53200 once its rows are read, the
-- partitions' (the fallback learns no subword vectors and trains). The
-- texts without a label of section 3, the first 3 in the key's order
-- (unlabelled_rows): shop_a-bad's goes to shop_a's run, shop_b-bad1's and
-- bad2's to shop_b's; the other 10 are past the bound.
UPDATE ai_training_policy SET max_training_memory_mb = 16;
SELECT create_classifier('sk_memory', 'sk_rows', 'prompt', 'route',
                         '{"key_column": "id", "partition_column": "shop", "min_partition_rows": 20, "seed": 1}') ->> 'name' AS created;
SELECT t ->> 'status' AS fallback_status,
       (SELECT jsonb_object_agg(p ->> 'partition', concat_ws(' ', p ->> 'status', p ->> 'sqlstate'))
          FROM jsonb_array_elements(t -> 'partitions') AS p) AS partitions
  FROM train_classifier('sk_memory', 'memory', '{"subword_vectors": {"dim": 32, "buckets": 200000, "weight": 2, "unlabelled_rows": 3}, "deploy": "never"}') AS t;
-- The failed runs keep their partition's counts, as sk_shops' runs have
-- them (section 2), and the rows they read: told in full.
SELECT * FROM pg_temp.run_counts('sk_memory');
-- And what they were given of the texts without a label, and left out of
-- their own (shop_a: u1, u3, u5; shop_b: bad3's, u2, u4; the fallback's,
-- given none: those 10), as a trained run's report says it.
SELECT coalesce(r.partition_key, '(all rows)') AS run, r.status,
       r.metrics -> 'unlabelled_texts' AS texts, r.metrics -> 'unlabelled_texts_left_out' AS left_out,
       (SELECT count(*) FROM sk_rows AS s
         WHERE (s.route IS NULL OR NOT is_valid_intent_name(s.route))
           AND (r.partition_key IS NULL OR s.shop = r.partition_key)) AS source_texts
  FROM ai_training_runs AS r WHERE r.classifier = 'sk_memory' ORDER BY r.partition_key NULLS FIRST;
SELECT coalesce(r.partition_key, '(all rows)') AS run,
       coalesce((r.metrics ->> 'input_rows')::int, (r.metrics ->> 'rows_read')::int) + pg_temp.skipped(r.metrics) AS told,
       (SELECT count(*) FROM sk_rows AS s
         WHERE s.route IS NOT NULL AND (r.partition_key IS NULL OR s.shop = r.partition_key)) AS source_rows
  FROM ai_training_runs AS r WHERE r.classifier = 'sk_memory' ORDER BY r.partition_key NULLS FIRST;

-- intent: section 1's rows and 20 more, two of a label too rare to train.
INSERT INTO ai_training_data (user_message, detected_intent, confidence_score, source)
SELECT CASE WHEN i % 2 = 0 THEN 'hola de nuevo ' || i ELSE 'quiero devolver el pedido ' || i END,
       CASE WHEN i % 2 = 0 THEN 'saludo' ELSE 'devolucion' END, 90, 'synthetic'
  FROM generate_series(1, 18) AS i;
INSERT INTO ai_training_data (user_message, detected_intent, confidence_score, source)
VALUES ('tengo una queja', 'queja', 90, 'synthetic'), ('otra queja más', 'queja', 90, 'synthetic');
-- Two messages without a label: the newest within unlabelled_rows (1) is
-- given to the vectors, the other left out.
INSERT INTO ai_training_data (user_message, source, created_at)
VALUES ('un mensaje sin etiqueta', 'live', timestamptz '2026-03-01 09:00'),
       ('otro mensaje sin etiqueta', 'live', timestamptz '2026-03-01 09:01');
SELECT r ->> 'status' AS status, r ->> 'sqlstate' AS sqlstate
  FROM train_intent_model('sk_memory', 'full', '{"subword_vectors": {"dim": 32, "buckets": 200000, "weight": 2, "unlabelled_rows": 1}, "deploy": "never"}') AS r;
SELECT r.run_name, r.status, r.metrics #>> '{error,sqlstate}' AS sqlstate, r.metrics -> 'rows_read' AS rows_read,
       r.metrics -> 'rows_skipped_rare_intent' AS rare, r.metrics -> 'messages_truncated' AS truncated,
       r.metrics -> 'unlabelled_texts' AS texts, r.metrics -> 'unlabelled_texts_left_out' AS texts_left_out,
       (r.metrics ->> 'rows_read')::int + pg_temp.skipped(r.metrics) AS told,
       (SELECT count(*) FROM ai_training_data WHERE detected_intent IS NOT NULL) AS source_rows
  FROM ai_training_runs AS r WHERE r.classifier = 'intent' ORDER BY r.started_at;
UPDATE ai_training_policy SET max_training_memory_mb = DEFAULT;

DROP TABLE sk_few, sk_rows;
DROP EXTENSION pg_intent CASCADE;
