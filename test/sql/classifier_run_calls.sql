-- A classifier's run is C's (issue 33, point 2): train_classifier() reads
-- the source, then calls each run's trainer itself with the rows it read,
-- between one SQL step that begins the run (_pg_intent_train_run_begin())
-- and one that records it (_pg_intent_train_run_record()). No rows wait in
-- a backend global for PL/pgSQL to call the trainer: the trainer called
-- from SQL has no rows of a classifier to train on, and refuses.
-- Counted with track_functions (the calls between C and SQL the
-- executor sees, in this transaction): before this change, each run went
-- through PL/pgSQL (_pg_intent_train_run_under_policy()), which called the
-- trainer _pg_intent_train_table() by SQL, N + 1 times for N partitions.
-- The partitions' skip step is one call for every partition the call
-- reaches (_pg_intent_train_classifier_partitions()): it was one call per
-- partition, 500 shops' worth of calls between C and PL/pgSQL.
SET client_min_messages = warning;
SET pg_intent.allow_drop_with_data = on; -- the previous test's rows go (src/pg/drop_guard.cpp)
DROP EXTENSION IF EXISTS pg_intent CASCADE;
DROP TABLE IF EXISTS rc_msgs, rc_raw;
CREATE EXTENSION pg_intent;

CREATE TABLE rc_raw (split text, text text, intent text);
\copy rc_raw FROM 'data/nlpjs_corpus50_es.csv' WITH (FORMAT csv, HEADER true)
CREATE TABLE rc_msgs (id bigserial PRIMARY KEY, shop text, msg text, label text);
INSERT INTO rc_msgs (shop, msg, label)
SELECT 'shop_' || (n % 3), text, split_part(intent, '.', 1)
  FROM (SELECT row_number() OVER (ORDER BY split, text, intent) AS n, text, intent FROM rc_raw
         WHERE intent <> 'oos') AS r;
SELECT create_classifier('rc', 'rc_msgs', 'msg', 'label',
                         '{"key_column": "id", "partition_column": "shop", "min_partition_rows": 30, "seed": 1}')
       ->> 'name' AS created;

-- Each model's sha256 is computed once, by the digest trigger
-- (ai_intent_models_set_digest): the record step's INSERT computed it too,
-- a second pass over every model's bytes (issue 33). A trigger that fires
-- before the digest trigger (triggers fire in name order) sees what the
-- INSERT gave.
CREATE TABLE rc_digest_given (sha256_given boolean);
CREATE FUNCTION rc_seen_digest() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO public.rc_digest_given VALUES (NEW.sha256 IS NOT NULL);
    RETURN NEW;
END
$$;
CREATE TRIGGER a_rc_seen_digest BEFORE INSERT ON ai_intent_models FOR EACH ROW EXECUTE FUNCTION rc_seen_digest();

BEGIN;
SET LOCAL track_functions = 'all';
SELECT r ->> 'status' AS status, jsonb_array_length(r -> 'partitions') AS partitions,
       (SELECT count(*) FROM jsonb_array_elements(r -> 'partitions') AS p WHERE p ->> 'status' = 'completed') AS completed
  FROM train_classifier('rc') AS r;
-- The trainer is never called by SQL, and no run goes through PL/pgSQL.
SELECT f.funcname, f.calls
  FROM pg_stat_xact_user_functions AS f
 WHERE f.schemaname = 'intent_internal'
   AND f.funcname IN ('_pg_intent_train_table', '_pg_intent_train_run_under_policy',
                      '_pg_intent_train_run_begin', '_pg_intent_train_run_record',
                      '_pg_intent_train_classifier_partition', '_pg_intent_train_classifier_partitions')
 ORDER BY f.funcname;
COMMIT;
DROP TRIGGER a_rc_seen_digest ON ai_intent_models;
-- The INSERT gave no digest; the stored one is the bytes'.
SELECT sha256_given, count(*) FROM rc_digest_given GROUP BY sha256_given;
SELECT count(*) AS models, bool_and(m.sha256 = encode(sha256(m.model), 'hex')) AS digest_of_bytes,
       bool_and(m.size_bytes = octet_length(m.model)) AS size_of_bytes
  FROM ai_intent_models AS m WHERE m.classifier = 'rc';
DROP TABLE rc_digest_given;
DROP FUNCTION rc_seen_digest();

-- The runs' rows are those of the call: one run per partition and the
-- fallback, each recorded completed, with its fingerprint (partitions) and
-- the rows it trained on.
SELECT r.partition_key, r.status, r.metrics ? 'rows_fingerprint' AS fingerprint, r.metrics ->> 'key_column' AS key_column,
       (SELECT count(*) > 0 FROM ai_classifier_run_rows AS x WHERE x.run_id = r.id) AS rows_recorded
  FROM ai_training_runs AS r WHERE r.classifier = 'rc' ORDER BY r.partition_key NULLS FIRST;

-- What is the same for every run of a call is done once per call (issue
-- 33, "the policy is read once per call, and so is the right to train"):
-- the policy's limits each run records (_pg_intent_policy_limits()), and
-- the classifier's training lock and slot (_pg_intent_lock_training(),
-- taken by _pg_intent_train_classifier_start()). A run's headline metrics
-- are C's (_pg_intent_headline_metrics() is not called). Before: each once
-- per run, 4 runs. (The first call's counts are flushed first: until then
-- pg_stat_xact_user_functions would show them too.)
SELECT pg_stat_force_next_flush();
BEGIN;
SET LOCAL track_functions = 'all';
SELECT train_classifier('rc', NULL, '{"deploy": "never"}') ->> 'status' AS status;
SELECT f.funcname, f.calls
  FROM pg_stat_xact_user_functions AS f
 WHERE f.schemaname = 'intent_internal'
   AND f.funcname IN ('_pg_intent_policy_limits', '_pg_intent_lock_training', '_pg_intent_headline_metrics',
                      '_pg_intent_train_run_begin', '_pg_intent_train_run_record')
 ORDER BY f.funcname;
COMMIT;

-- A key_column whose values repeat: a key keeps its first row, one run row
-- per distinct key (ON CONFLICT DO NOTHING); distinct keys (above) are
-- written by a plain INSERT, the same rows.
SELECT create_classifier('rc_dup', 'rc_msgs', 'msg', 'label', '{"key_column": "shop", "seed": 1}') ->> 'name' AS created;
SELECT train_classifier('rc_dup', NULL, '{"deploy": "never"}') ->> 'status' AS status;
SELECT x.row_key, x.label = (SELECT m.label FROM rc_msgs AS m WHERE m.shop = x.row_key ORDER BY m.id LIMIT 1) AS first_row
  FROM ai_classifier_run_rows AS x JOIN ai_training_runs AS r ON r.id = x.run_id
 WHERE r.classifier = 'rc_dup' ORDER BY x.row_key;

-- Called from SQL, the trainer has no rows of a classifier (55000).
SELECT intent_internal._pg_intent_train_table(gen_random_uuid(), '{}', p, NULL, NULL, NULL, 'rc', NULL)
  FROM ai_training_policy AS p;

DROP EXTENSION pg_intent CASCADE;
DROP TABLE rc_msgs, rc_raw;
