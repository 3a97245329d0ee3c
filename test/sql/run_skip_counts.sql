-- What each training run says it left out (0.3.2): the rows_skipped_*
-- counts and messages_truncated of its metrics.
--
-- 1. A refused run (too few rows, too few labels: PI001) keeps its counts in
--    the failed run's metrics, for intent and for a classifier, beside
--    rows_read: the counts say why the rows were too few. Before, it
--    recorded none.
-- Every run's rows are told in full: the rows it trained on (input_rows),
-- or read before it refused them (rows_read), plus the rows it skipped, are
-- the rows of its partition in the source.
SET client_min_messages = warning;
SET pg_intent.allow_drop_with_data = on; -- the previous test's rows go (src/pg/drop_guard.cpp)
DROP EXTENSION IF EXISTS pg_intent CASCADE;
DROP TABLE IF EXISTS sk_few;
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
-- Their rows, told in full.
SELECT r.classifier, (r.metrics ->> 'rows_read')::int + pg_temp.skipped(r.metrics) AS told,
       CASE r.classifier WHEN 'intent' THEN (SELECT count(*) FROM ai_training_data)
                         ELSE (SELECT count(*) FROM sk_few) END AS source_rows
  FROM ai_training_runs AS r WHERE r.classifier IN ('intent', 'sk_few') ORDER BY r.classifier;

DROP TABLE sk_few;
DROP EXTENSION pg_intent CASCADE;
