-- Issue 31, items 3 and 5: a classifier's policy keys stay within the
-- administrator's limits (ai_training_policy's row: ceilings a classifier
-- may only lower), the partitions one call trains are bounded, and rows no
-- reviewer vouches for in a classifier's source get the defences rows of
-- ai_training_data get, through the same code. Run as the classifier's
-- owner, a role that holds the classifiers set only.
SET client_min_messages = warning;
SET pg_intent.allow_drop_with_data = on; -- the previous test's rows go (src/pg/drop_guard.cpp)
DROP EXTENSION IF EXISTS pg_intent CASCADE;
DROP TABLE IF EXISTS lim_rows, lim_long, lim_tenants, lim_weights, lim_flood, lim_shops;
DROP ROLE IF EXISTS pgi_lim_owner, pgi_lim_logger;
CREATE EXTENSION pg_intent;
\i test/fixtures/try.sql
-- Only the SQLSTATE: the 53200 message carries byte counts.
CREATE FUNCTION pg_temp.state(p_sql text) RETURNS text LANGUAGE plpgsql AS $$
BEGIN
    EXECUTE p_sql;
    RETURN 'ok';
EXCEPTION WHEN OTHERS THEN
    RETURN SQLSTATE;
END $$;
CREATE ROLE pgi_lim_owner;
SELECT count(*) > 0 AS granted FROM grant_intent_access('pgi_lim_owner', 'classifiers');
GRANT CREATE ON SCHEMA public TO pgi_lim_owner;

-- The owner's table: three reviewed labels of 24 rows each; 40 unreviewed
-- rows with a label each (a label a logging role made up, one row each); 6
-- unreviewed rows of 10 kB under a real label.
SET ROLE pgi_lim_owner;
CREATE TABLE lim_rows (id bigint PRIMARY KEY, body text, label text, vetted boolean);
INSERT INTO lim_rows
SELECT n, format('mensaje %s sobre %s número %s', n, l, n % 7), l, true
  FROM generate_series(1, 72) AS n, LATERAL (SELECT (ARRAY['pedido', 'envio', 'factura'])[1 + n % 3] AS l) AS x;
INSERT INTO lim_rows SELECT 100 + n, format('texto suelto %s', n), 'made_up_' || n, false FROM generate_series(1, 40) AS n;
INSERT INTO lim_rows SELECT 200 + n, 'factura ' || repeat('x', 10000), 'factura', false FROM generate_series(1, 6) AS n;
RESET ROLE;

-- The same rows in ai_training_data: the reviewed ones approved, the others
-- as logged.
INSERT INTO ai_training_data (user_message, detected_intent, confidence_score, dataset_status)
SELECT body, label, 90, CASE WHEN vetted THEN 'approved' ELSE 'pending' END FROM lim_rows;

-- 5. The defences of ai_training_data apply to a source with a
-- reviewed_column, even when the classifier asks for weaker ones (3: a
-- classifier may only tighten them): labels of fewer than
-- min_unreviewed_intent_rows unreviewed rows are left out, unreviewed
-- texts are read on their first max_unreviewed_message_bytes.
SET ROLE pgi_lim_owner;
SELECT create_classifier('lim', 'lim_rows', 'body', 'label',
       '{"key_column": "id", "reviewed_column": "vetted", "seed": 1, "min_unreviewed_intent_rows": 1,
         "max_unreviewed_message_bytes": 65536, "max_intents": 100000}') IS NOT NULL AS created;
SELECT t ->> 'status' AS status, t ->> 'total_intents' AS labels FROM train_classifier('lim', 'lim') AS t;
RESET ROLE;
SELECT t ->> 'status' AS status, t ->> 'total_intents' AS labels FROM train_intent_model('intent', 'full', '{"seed": 1}') AS t;
-- Both paths, one rule: the same rows left out, the same texts cut.
SELECT r.classifier, r.metrics ->> 'rows_skipped_rare_intent' AS rare, r.metrics ->> 'messages_truncated' AS truncated,
       r.total_intents
  FROM ai_training_runs AS r ORDER BY r.classifier;
-- Without a reviewed_column the owner vouches for every row: nothing is
-- left out or cut.
SET ROLE pgi_lim_owner;
SELECT create_classifier('lim_vouched', 'lim_rows', 'body', 'label', '{"seed": 1}') IS NOT NULL AS created;
SELECT t ->> 'status' AS status, t ->> 'total_intents' AS labels FROM train_classifier('lim_vouched', 'vouched') AS t;
RESET ROLE;
SELECT coalesce(metrics ->> 'rows_skipped_rare_intent', '0') AS rare, coalesce(metrics ->> 'messages_truncated', '0') AS truncated
  FROM ai_training_runs WHERE classifier = 'lim_vouched';

-- 3. Ceilings: what the run was allowed is the administrator's, whatever
-- the classifier's keys ask; a classifier may set lower values.
UPDATE ai_training_policy SET max_training_memory_mb = 64, max_training_threads = 1, max_training_rows = 500,
       max_intents = 50, max_partitions_per_classifier = 10, min_unreviewed_intent_rows = 3;
SET ROLE pgi_lim_owner;
SELECT alter_classifier('lim', '{"max_training_memory_mb": 1048576, "max_training_threads": 64,
       "max_training_rows": 1000000, "only_reviewed": false}') IS NOT NULL AS altered;
SELECT t ->> 'status' AS status FROM train_classifier('lim', 'capped') AS t;
SELECT alter_classifier('lim', '{"max_training_memory_mb": 32, "max_training_rows": 100, "max_intents": 4,
       "min_unreviewed_intent_rows": 5}') IS NOT NULL AS lowered;
SELECT t ->> 'status' AS status FROM train_classifier('lim', 'lowered') AS t;
RESET ROLE;
SELECT run_name, metrics -> 'limits' AS limits FROM ai_training_runs WHERE run_name IN ('capped', 'lowered') ORDER BY run_name;
-- The policy's only_reviewed holds for a classifier that says false.
UPDATE ai_training_policy SET only_reviewed = true;
SET ROLE pgi_lim_owner;
SELECT t ->> 'training_samples' AS reviewed_rows_only FROM train_classifier('lim', 'only reviewed') AS t;
RESET ROLE;
UPDATE ai_training_policy SET only_reviewed = false;

-- The policy a call follows is the administrator's row exactly, whatever
-- the caller's session: train_classifier() read it once as jsonb
-- (_pg_intent_classifier_for_training(): to_jsonb() writes a float by the
-- session's extra_float_digits, which any caller sets), so under -15 a
-- max_f1_regression of 0.0125 ran (and was recorded) as 0.01, and a
-- corrected_weight of 2.5 trained as 2.
UPDATE ai_training_policy SET max_f1_regression = 0.0125, corrected_weight = 2.5;
SET ROLE pgi_lim_owner;
SET extra_float_digits = -15;
SET TimeZone = 'Pacific/Kiritimati';
SELECT t ->> 'status' AS status FROM train_classifier('lim_vouched', 'float digits') AS t;
RESET TimeZone;
RESET extra_float_digits;
RESET ROLE;
SELECT metrics #> '{deploy,max_f1_regression}' AS max_f1_regression_followed
  FROM ai_training_runs WHERE run_name = 'float digits';
-- Nor does its TimeZone name the model: a version's time is UTC (it was the
-- caller's local time, 14 hours ahead under Pacific/Kiritimati).
SELECT abs(extract(epoch FROM (to_timestamp(substring(m.version FROM 'v(\d{8}_\d{6})'), 'YYYYMMDD_HH24MISS')::timestamp
                               AT TIME ZONE 'UTC') - m.created_at)) < 600 AS version_time_is_utc
  FROM ai_intent_models AS m JOIN ai_training_runs AS r ON r.model_id = m.id
 WHERE r.run_name = 'float digits';
SET extra_float_digits = -15;
SELECT d #> '{policy,max_f1_regression}' AS max_f1_regression_read, d #> '{policy,corrected_weight}' AS corrected_weight_read
  FROM intent_internal._pg_intent_classifier_for_training('lim_vouched', 'pgi_lim_owner'::regrole) AS d;
RESET extra_float_digits;
UPDATE ai_training_policy SET max_f1_regression = DEFAULT, corrected_weight = DEFAULT;

-- The memory ceiling holds: 300 reviewed rows of 64 kB (19.7 MB read) under
-- a policy of 16 MB fail with 53200, whatever the classifier's 1048576.
UPDATE ai_training_policy SET max_training_memory_mb = 16, max_training_rows = NULL;
SET ROLE pgi_lim_owner;
CREATE TABLE lim_long (id bigint, body text, label text);
INSERT INTO lim_long SELECT n, n || repeat(' palabra', 9000), (ARRAY['a', 'b'])[1 + n % 2] FROM generate_series(1, 300) AS n;
SELECT create_classifier('lim_long', 'lim_long', 'body', 'label', '{"max_training_memory_mb": 1048576}') IS NOT NULL AS created;
SELECT pg_temp.state($$SELECT train_classifier('lim_long')$$) AS over_the_policy;
RESET ROLE;
UPDATE ai_training_policy SET max_training_memory_mb = 2048;

-- 3. Partitions: at most max_partitions_per_classifier partition models per
-- call, the largest first; the others are reported, recorded with the
-- fallback run, and served by the fallback. A classifier may lower the
-- bound, not raise it.
UPDATE ai_training_policy SET max_partitions_per_classifier = 3;
SET ROLE pgi_lim_owner;
CREATE TABLE lim_tenants (id bigint, body text, label text, tenant text);
INSERT INTO lim_tenants
SELECT n, format('consulta %s de %s: %s', n, t.tenant, l), l, t.tenant
  FROM (VALUES ('t_a', 30), ('t_b', 34), ('t_c', 22), ('t_d', 40), ('t_e', 26), ('t_f', 26)) AS t(tenant, rows),
       generate_series(1, t.rows) AS n, LATERAL (SELECT (ARRAY['alta', 'baja'])[1 + n % 2] AS l) AS x;
INSERT INTO lim_tenants SELECT 1000 + n, format('poca %s', n), (ARRAY['alta', 'baja'])[1 + n % 2], 't_small' FROM generate_series(1, 5) AS n;
SELECT create_classifier('lim_mt', 'lim_tenants', 'body', 'label',
       '{"partition_column": "tenant", "min_partition_rows": 20, "max_partitions_per_classifier": 1000, "seed": 1}') IS NOT NULL AS created;
SELECT t ->> 'status' AS fallback, t -> 'partitions_over_limit' AS over_limit, t -> 'partitions_skipped' AS skipped,
       t -> 'partitions_below_minimum' AS below_minimum, t -> 'max_partitions_per_classifier' AS bound,
       (SELECT jsonb_agg(p ->> 'partition' ORDER BY p ->> 'partition') FROM jsonb_array_elements(t -> 'partitions') AS p) AS trained
  FROM train_classifier('lim_mt', 'tenants') AS t;
-- Lowered to 1: the largest tenant (t_d) is the one left, and it is
-- skipped as unchanged (the bound decides which partitions train, not what
-- a partition's model is); the other five are over the limit.
SELECT alter_classifier('lim_mt', '{"max_partitions_per_classifier": 1}') IS NOT NULL AS lowered;
SELECT t -> 'partitions_over_limit' AS over_limit,
       (SELECT jsonb_agg(p ->> 'partition') FROM jsonb_array_elements(t -> 'partitions') AS p) AS trained
  FROM train_classifier('lim_mt', 'tenants lowered') AS t;
-- 4, the table's bound raised too: t_a, t_b and t_d are unchanged; of t_e
-- and t_f, 26 rows each, every row reviewed (no reviewed_column), the first
-- in byte order takes the last slot (train_classifier() ranks them; issue
-- 33, point 2).
RESET ROLE;
UPDATE ai_training_policy SET max_partitions_per_classifier = 4;
SET ROLE pgi_lim_owner;
SELECT alter_classifier('lim_mt', '{"max_partitions_per_classifier": 4}') IS NOT NULL AS raised;
SELECT t -> 'partitions_over_limit' AS over_limit, t -> 'partitions_skipped' AS skipped,
       (SELECT jsonb_agg(p ->> 'partition') FROM jsonb_array_elements(t -> 'partitions') AS p) AS trained,
       (SELECT jsonb_agg(p ->> 'partition' ORDER BY p ->> 'partition') FROM jsonb_array_elements(t -> 'partitions_unchanged_skipped') AS p) AS unchanged
  FROM train_classifier('lim_mt', 'tenants raised') AS t;
RESET ROLE;
UPDATE ai_training_policy SET max_partitions_per_classifier = 3;
SET ROLE pgi_lim_owner;
RESET ROLE;
SELECT run_name, partition_key, metrics -> 'partitions_over_limit' AS over_limit, metrics -> 'partitions_skipped' AS skipped
  FROM ai_training_runs WHERE classifier = 'lim_mt' AND partition_key IS NULL ORDER BY started_at;
SELECT count(*) AS partition_models FROM ai_intent_models WHERE classifier = 'lim_mt' AND partition_key IS NOT NULL;
-- The bound is the table's: out of range is refused (22023 for a classifier).
SELECT pg_temp.try($$UPDATE ai_training_policy SET max_partitions_per_classifier = 0$$) AS zero_partitions;
SELECT pg_temp.try($$UPDATE ai_training_policy SET max_concurrent_trainings = 65$$) AS too_many_slots;
SET ROLE pgi_lim_owner;
SELECT pg_temp.try($$SELECT alter_classifier('lim_mt', '{"max_partitions_per_classifier": 0}')$$) AS bad_bound;
SELECT pg_temp.try($$SELECT alter_classifier('lim_mt', '{"max_concurrent_trainings": 64}')$$) AS not_a_classifier_key;
RESET ROLE;

-- The order is by reviewed rows first: rows a role that may only log
-- (INSERT on the source) writes, unreviewed, take no slot from a partition
-- with reviewed rows, however many they are. Counted by all rows, two
-- made-up partitions of 60 rows each took both slots from the two shops of
-- 42 reviewed rows, and the shops were never trained.
CREATE ROLE pgi_lim_logger;
SET ROLE pgi_lim_owner;
CREATE TABLE lim_shops (id bigserial PRIMARY KEY, shop text, body text NOT NULL, label text NOT NULL, vetted boolean);
GRANT INSERT ON lim_shops TO pgi_lim_logger;
GRANT USAGE ON SEQUENCE lim_shops_id_seq TO pgi_lim_logger;
INSERT INTO lim_shops (shop, body, label, vetted)
SELECT s, format('%s pedido %s de %s', w, g, s), w, true
  FROM unnest(ARRAY['shop_a', 'shop_b']) AS s, unnest(ARRAY['refund', 'track', 'cancel']) AS w, generate_series(1, 14) AS g;
SELECT create_classifier('lim_shops', 'lim_shops', 'body', 'label',
       '{"key_column": "id", "partition_column": "shop", "reviewed_column": "vetted", "min_partition_rows": 40, "max_partitions_per_classifier": 2, "seed": 1}') IS NOT NULL AS created;
RESET ROLE;
SET ROLE pgi_lim_logger;
INSERT INTO lim_shops (shop, body, label)
SELECT 'junk_' || g % 2, 'x ' || g, 'junk_' || (g / 2) % 2 FROM generate_series(1, 120) AS g;
RESET ROLE;
SET ROLE pgi_lim_owner;
SELECT t -> 'partitions_skipped' AS skipped, t -> 'partitions_over_limit' AS over_limit,
       (SELECT jsonb_agg(p ->> 'partition' ORDER BY p ->> 'partition') FROM jsonb_array_elements(t -> 'partitions') AS p) AS trained
  FROM train_classifier('lim_shops') AS t;
RESET ROLE;

-- The built-in classifier's effective policy is ai_training_policy's row
-- alone, by the rule every classifier's training reads
-- (_pg_intent_classifier_policy(), also train_intent_model()'s): keys in its
-- row of ai_classifiers (plain DML; alter_classifier() refuses it) are not
-- its policy or options. Before, the rule read them and only
-- train_intent_model()'s own branch skipped them.
UPDATE ai_classifiers SET policy = '{"max_training_rows": 3, "min_samples_for_training": 1000, "seed": 99}'
 WHERE name = 'intent';
SELECT intent_internal._pg_intent_classifier_policy('intent') = p AS intent_policy_is_the_row
  FROM ai_training_policy AS p;
SELECT intent_internal._pg_intent_classifier_training_options('intent') AS intent_training_options;
SELECT train_intent_model('intent again', 'full', '{"seed": 1}') ->> 'status' AS status;
SELECT model_config ->> 'seed' AS seed, training_samples > 3 AS more_than_3_rows
  FROM ai_training_runs WHERE run_name = 'intent again';
SELECT pg_temp.try($$SELECT alter_classifier('intent', '{"max_training_rows": 3}')$$) AS alter_builtin;

-- A row's weight is the source's, so a row may carry any float8: one weight
-- of 1e-50 (0 as a float) failed the whole run with "invalid sample weight",
-- and so did a typo_weight the options accept (1e-50). Below 1e-6 a weight
-- counts as 1e-6.
CREATE TABLE lim_weights (id bigint PRIMARY KEY, body text, label text, w float8);
INSERT INTO lim_weights
SELECT g, CASE WHEN g % 2 = 0 THEN 'hola buenos dias ' || g ELSE 'mi pedido no llega ' || g END,
       CASE WHEN g % 2 = 0 THEN 'greeting' ELSE 'order' END, CASE WHEN g = 3 THEN 1e-50 ELSE 1 END
  FROM generate_series(1, 60) AS g;
SELECT create_classifier('lim_w', 'lim_weights', 'body', 'label', '{"key_column": "id", "weight_column": "w"}') ->> 'name' AS created;
SELECT r ->> 'status' AS status, r ->> 'error' AS error FROM train_classifier('lim_w', NULL, '{"seed": 1}') AS r;
SELECT r ->> 'status' AS status, r ->> 'error' AS error
  FROM train_classifier('lim_w', NULL, '{"seed": 1, "deploy": "never", "typo_variants": 1, "typo_weight": 1e-50}') AS r;

-- max_unreviewed_rows: of the rows nobody vouched for, a run reads the
-- newest ones only, after every reviewed row, on both paths alike (their
-- number decided what a scheduled run cost). 30 reviewed rows; 200
-- unreviewed rows, of which the 50 newest are 'nuevo' ones.
UPDATE ai_training_policy SET max_unreviewed_rows = 50, max_training_rows = NULL, max_intents = 1000;
DELETE FROM ai_training_data;
SET ROLE pgi_lim_owner;
CREATE TABLE lim_flood (id bigint PRIMARY KEY, body text, label text, vetted boolean, at timestamptz);
INSERT INTO lim_flood
SELECT n, format('revisado %s sobre %s', n, l), l, true, now() - interval '30 days' - n * interval '1 minute'
  FROM generate_series(1, 30) AS n, LATERAL (SELECT (ARRAY['pedido', 'envio', 'factura'])[1 + n % 3] AS l) AS x;
INSERT INTO lim_flood
SELECT 100 + n, format('%s %s sobre %s', CASE WHEN n <= 50 THEN 'nuevo' ELSE 'viejo' END, n, l), l, false,
       now() - n * interval '1 minute'
  FROM generate_series(1, 200) AS n, LATERAL (SELECT (ARRAY['pedido', 'envio', 'factura'])[1 + n % 3] AS l) AS x;
SELECT create_classifier('lim_flood', 'lim_flood', 'body', 'label',
       '{"key_column": "id", "time_column": "at", "reviewed_column": "vetted", "seed": 1, "deploy": "never",
         "max_unreviewed_rows": 1000000}') IS NOT NULL AS created;
SELECT t ->> 'training_samples' AS samples FROM train_classifier('lim_flood', 'flood') AS t;
-- A classifier may lower it.
SELECT alter_classifier('lim_flood', '{"max_unreviewed_rows": 20}') IS NOT NULL AS lowered;
SELECT t ->> 'training_samples' AS samples FROM train_classifier('lim_flood', 'flood lowered') AS t;
SELECT pg_temp.try($$SELECT alter_classifier('lim_flood', '{"max_unreviewed_rows": 0}')$$) AS zero;
RESET ROLE;
SELECT run_name, metrics -> 'limits' ->> 'max_unreviewed_rows' AS bound,
       count(*) FILTER (WHERE f.body LIKE 'revisado%') AS reviewed, count(*) FILTER (WHERE f.body LIKE 'nuevo%') AS newest,
       count(*) FILTER (WHERE f.body LIKE 'viejo%') AS older
  FROM ai_training_runs AS r JOIN ai_classifier_run_rows AS rr ON rr.run_id = r.id JOIN lim_flood AS f ON f.id::text = rr.row_key
 WHERE r.classifier = 'lim_flood' GROUP BY r.run_name, r.started_at, bound ORDER BY r.started_at;
-- The same rows in ai_training_data: the same rows read by a run, by
-- get_training_dataset() and by should_retrain()'s sample count. Stored
-- unreviewed first, so that the run's scan meets the reviewed rows last.
INSERT INTO ai_training_data (user_message, detected_intent, confidence_score, dataset_status, created_at)
SELECT body, label, 90, CASE WHEN vetted THEN 'approved' ELSE 'pending' END, at FROM lim_flood ORDER BY vetted, id;
SELECT train_intent_model('flood', 'full', '{"seed": 1, "deploy": "never"}') ->> 'training_samples' AS samples;
SELECT count(*) FILTER (WHERE d.user_message LIKE 'revisado%') AS reviewed, count(*) FILTER (WHERE d.user_message LIKE 'nuevo%') AS newest,
       count(*) FILTER (WHERE d.user_message LIKE 'viejo%') AS older
  FROM ai_training_runs AS r JOIN ai_training_run_rows AS rr ON rr.run_id = r.id JOIN ai_training_data AS d ON d.id = rr.training_data_id
 WHERE r.run_name = 'flood';
SELECT count(*) FILTER (WHERE user_message LIKE 'revisado%') AS reviewed, count(*) FILTER (WHERE user_message LIKE 'nuevo%') AS newest,
       count(*) FILTER (WHERE user_message LIKE 'viejo%') AS older
  FROM get_training_dataset(0, false, 100000);
SELECT intent_internal._pg_intent_usable_samples(false) AS usable_samples;
-- A window (limit) smaller than both: the reviewed rows, then the newest
-- unreviewed ones in the room left.
SELECT train_intent_model('flood window', 'full', '{"seed": 1, "deploy": "never", "limit": 40}') ->> 'training_samples' AS samples;
SELECT count(*) FILTER (WHERE d.user_message LIKE 'revisado%') AS reviewed, count(*) FILTER (WHERE d.user_message LIKE 'nuevo%') AS newest,
       min(split_part(d.user_message, ' ', 2)::int) FILTER (WHERE d.user_message LIKE 'nuevo%') AS first_newest,
       max(split_part(d.user_message, ' ', 2)::int) FILTER (WHERE d.user_message LIKE 'nuevo%') AS last_newest
  FROM ai_training_runs AS r JOIN ai_training_run_rows AS rr ON rr.run_id = r.id JOIN ai_training_data AS d ON d.id = rr.training_data_id
 WHERE r.run_name = 'flood window';
SELECT count(*) AS rows_of_window FROM get_training_dataset(0, false, 40);
SELECT pg_temp.try($$UPDATE ai_training_policy SET max_unreviewed_rows = 0$$) AS zero_rows;
-- In a classifier's source, the bound counts rows with a label the label
-- rule accepts, as for ai_training_data: 60 newer unreviewed rows labelled
-- 'uncertain' (refused) do not push the 50 out.
SET ROLE pgi_lim_owner;
INSERT INTO lim_flood SELECT 1000 + n, 'basura ' || n, 'uncertain', false, now() + n * interval '1 minute'
  FROM generate_series(1, 60) AS n;
SELECT alter_classifier('lim_flood', '{"max_unreviewed_rows": 1000000}') IS NOT NULL AS raised;
SELECT t ->> 'training_samples' AS samples FROM train_classifier('lim_flood', 'flood invalid') AS t;
-- Without a time_column, the new rows are the rows a run would read beyond
-- those it read: the rows past the bound are not new (counted against the
-- run's input rows, they kept the classifier due, and every scheduled call
-- deployed another unchanged model).
SELECT create_classifier('lim_count', 'lim_flood', 'body', 'label', '{"reviewed_column": "vetted", "seed": 1}') IS NOT NULL AS created;
SELECT t ->> 'training_samples' AS samples FROM train_classifier('lim_count') AS t;
RESET ROLE;
SELECT get_classifier_metrics('lim_count') ->> 'new_rows' AS new_rows, get_classifier_metrics('lim_count') ->> 'retrain_due' AS due;
INSERT INTO lim_flood SELECT 2000 + n, 'revisado nuevo ' || n, 'pedido', true, now() FROM generate_series(1, 4) AS n;
SELECT get_classifier_metrics('lim_count') ->> 'new_rows' AS new_reviewed_rows;
UPDATE ai_training_policy SET max_unreviewed_rows = DEFAULT;

DROP EXTENSION pg_intent CASCADE;
DROP TABLE lim_rows, lim_long, lim_tenants, lim_weights, lim_flood, lim_shops;
REVOKE CREATE ON SCHEMA public FROM pgi_lim_owner;
DROP ROLE pgi_lim_owner, pgi_lim_logger;
