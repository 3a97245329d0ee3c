-- Integer keys take a JSON number whose exact decimal value is an integer
-- within the key's range, however it is written (3, 3.0, 30e-1, 1e0), and
-- refuse every other number (22023), whatever its digits: a JSON number is
-- an exact decimal, and 3.0000000000000001, which a double rounds to 3, is
-- not the value 3 (0.3.1 and 0.3.2's first version applied 3; and
-- 9007199254740993, past seed's 2^53, was applied as 2^53). Every integer
-- training option through every entry point that takes one
-- (intent_training_options(), train_intent_model(), train_classifier(),
-- create_classifier(), alter_classifier()), and every integer policy key.
SET client_min_messages = warning;
SET pg_intent.allow_drop_with_data = on; -- the previous test's rows go (src/pg/drop_guard.cpp)
DROP EXTENSION IF EXISTS pg_intent CASCADE;
DROP TABLE IF EXISTS io_rows, io_keys;
CREATE EXTENSION pg_intent;
\i test/fixtures/try.sql
\set SHOW_CONTEXT never

-- The integer training options: key, a value within range, the largest
-- value, and where the key lives (subword_vectors' settings are nested).
CREATE TABLE io_keys (key text PRIMARY KEY, n bigint, hi bigint, nested boolean DEFAULT false);
INSERT INTO io_keys (key, n, hi) VALUES
    ('max_iterations', 3, 1000000), ('threads', 3, 256), ('word_ngram_min', 1, 8), ('word_ngram_max', 3, 8),
    ('char_ngram_min', 3, 10), ('char_ngram_max', 3, 10), ('max_features', 3, 10000000),
    ('max_char_features', 3, 10000000), ('min_df', 3, 1000000), ('min_feature_partitions', 1, 2),
    ('typo_variants', 3, 4), ('cv_folds', 3, 20), ('seed', 3, 9007199254740992), ('min_gate_rows', 3, 100000000),
    ('gate_folds', 3, 20), ('min_threshold_rows', 3, 100000000), ('min_intent_rows', 3, 100000000),
    ('max_misclassified', 3, 1000000), ('min_confidence', 3, 100), ('limit', 3, 2147483647);
INSERT INTO io_keys (key, n, hi, nested) VALUES
    ('dim', 3, 256, true), ('epochs', 3, 100, true), ('buckets', 3, 4194304, true), ('min_n', 3, 8, true),
    ('max_n', 3, 8, true), ('unlabelled_rows', 3, 1000000, true), ('unlabelled_bytes', 3, 268435456, true);
CREATE FUNCTION pg_temp.opt(p_key text, p_value text) RETURNS jsonb LANGUAGE sql AS $$
    SELECT CASE WHEN k.nested THEN format('{"subword_vectors": {"%s": %s}}', p_key, p_value)
                ELSE format('{"%s": %s}', p_key, p_value) END::jsonb
      FROM io_keys AS k WHERE k.key = p_key
$$;
-- The effective value intent_training_options() shows for one key.
CREATE FUNCTION pg_temp.shown(p_key text, p_value text) RETURNS text LANGUAGE plpgsql AS $$
DECLARE
    o jsonb;
BEGIN
    o := intent_training_options(pg_temp.opt(p_key, p_value));
    RETURN coalesce(o -> 'subword_vectors' ->> p_key, o ->> p_key, 'applied');
EXCEPTION WHEN OTHERS THEN
    RETURN SQLSTATE;
END $$;

-- intent_training_options(): an integral number however written is the
-- integer; a number one part in 10^16 away from one is refused, as is one
-- past the range (seed's 2^53 + 1 too, which a double rounds to 2^53).
SELECT key,
       pg_temp.shown(key, n::text) AS plain,
       pg_temp.shown(key, n || '.0') AS with_fraction,
       pg_temp.shown(key, (n * 10) || 'e-1') AS with_exponent,
       pg_temp.shown(key, n || '.0000000000000001') AS near_integer,
       pg_temp.shown(key, n || '.5') AS fraction,
       pg_temp.shown(key, (hi + 1)::text) AS past_range,
       pg_temp.shown(key, '2147483648') AS int_overflow
  FROM io_keys ORDER BY nested, key;
SELECT pg_temp.shown('max_iterations', '1e0') AS one_exponent, pg_temp.shown('typo_variants', '-0') AS minus_zero,
       pg_temp.shown('typo_variants', '0e5') AS zero_exponent, pg_temp.shown('typo_variants', '-0.0') AS minus_zero_fraction,
       pg_temp.shown('seed', '9007199254740992.0') AS seed_largest, pg_temp.shown('seed', '1e400') AS huge,
       pg_temp.shown('seed', '1e-400') AS tiny, pg_temp.shown('threads', '-1e0') AS negative;
-- The refusal names the key and says what it takes, as every bad value's does.
SELECT pg_temp.try($$SELECT intent_training_options('{"cv_folds": 3.0000000000000001}')$$) AS cv_folds_near_three;
SELECT pg_temp.try($$SELECT intent_training_options('{"subword_vectors": {"dim": 16.000000000000001}}')$$) AS dim_near_sixteen;

-- train_intent_model(): the same refusal before anything is recorded.
SELECT key, pg_temp.try(format('SELECT train_intent_model(%L, %L, %L)', 'io', 'full', pg_temp.opt(key, n || '.0000000000000001'))) AS near_integer
  FROM io_keys WHERE key <> 'min_gate_rows' ORDER BY nested, key;
SELECT count(*) AS runs_recorded FROM ai_training_runs;

-- A classifier over a small table: its stored training options and every
-- call's options are checked by the same rule.
CREATE TABLE io_rows (id bigint PRIMARY KEY, body text, label text, shop text, at timestamptz);
INSERT INTO io_rows SELECT g, 'text ' || g, CASE WHEN g % 2 = 0 THEN 'even' ELSE 'odd' END, 's' || (g % 2),
                           timestamptz '2026-11-01 00:00+00' - g * interval '1 hour'
  FROM generate_series(1, 30) AS g;
SELECT create_classifier('io', 'io_rows', 'body', 'label', '{"partition_column": "shop", "time_column": "at"}') ->> 'name' AS created;
SELECT key,
       pg_temp.try(format('SELECT train_classifier(%L, NULL, %L)', 'io', pg_temp.opt(key, n || '.0000000000000001'))) AS train_call,
       pg_temp.try(format('SELECT create_classifier(%L, %L, %L, %L, %L)', 'io2', 'io_rows', 'body', 'label',
                          pg_temp.opt(key, n || '.0000000000000001'))) AS create_near,
       pg_temp.try(format('SELECT alter_classifier(%L, %L)', 'io', pg_temp.opt(key, n || '.0000000000000001'))) AS alter_near
  FROM io_keys WHERE key NOT IN ('min_gate_rows', 'min_feature_partitions', 'min_confidence') ORDER BY nested, key;
SELECT count(*) AS runs_recorded FROM ai_training_runs;
-- Stored as given, applied as the integer.
SELECT alter_classifier('io', '{"cv_folds": 3.0, "max_iterations": 30e-1, "seed": 1e0, "subword_vectors": {"dim": 16.0}}') -> 'options' AS stored;
SELECT intent_training_options(intent_internal._pg_intent_classifier_training_options('io')) -> 'cv_folds' AS cv_folds,
       intent_training_options(intent_internal._pg_intent_classifier_training_options('io')) -> 'max_iterations' AS max_iterations,
       intent_training_options(intent_internal._pg_intent_classifier_training_options('io')) -> 'seed' AS seed,
       intent_training_options(intent_internal._pg_intent_classifier_training_options('io')) #> '{subword_vectors,dim}' AS dim;

-- The policy keys: the integer columns of ai_training_policy a classifier
-- may set, and the classifier-only min_partition_rows and
-- keep_replaced_models, checked exactly (numeric), the same way.
CREATE TEMP TABLE io_policy (key text PRIMARY KEY, n bigint);
INSERT INTO io_policy VALUES ('min_samples_for_training', 3), ('auto_retrain_threshold', 3), ('max_training_memory_mb', 30),
    ('max_training_threads', 3), ('min_gate_rows', 3), ('max_training_rows', 3), ('max_unreviewed_message_bytes', 300),
    ('min_unreviewed_intent_rows', 3), ('max_intents', 3), ('max_partitions_per_classifier', 3),
    ('max_unreviewed_rows', 3), ('min_partition_rows', 3), ('keep_replaced_models', 3);
CREATE TEMP TABLE io_policy_calls AS
SELECT p.key,
       left(pg_temp.try(format('SELECT alter_classifier(%L, %L)', 'io', format('{"%s": %s}', p.key, p.n || '.0000000000000001')::jsonb)), 5) AS near_integer,
       left(pg_temp.try(format('SELECT alter_classifier(%L, %L)', 'io', format('{"%s": %s}', p.key, p.n || '.5')::jsonb)), 5) AS fraction,
       left(pg_temp.try(format('SELECT alter_classifier(%L, %L)', 'io', format('{"%s": %s}', p.key, '2147483648')::jsonb)), 5) AS int_overflow,
       left(pg_temp.try(format('SELECT alter_classifier(%L, %L)', 'io', format('{"%s": %s}', p.key, (p.n * 10) || 'e-1')::jsonb)), 5) AS with_exponent
  FROM io_policy AS p;
-- What each key applies once given as 30e-1 (300e-1, 3000e-1): the
-- effective policy's column, or the classifier's own key as stored.
SELECT p.key, c.near_integer, c.fraction, c.int_overflow, c.with_exponent,
       coalesce(to_jsonb(intent_internal._pg_intent_classifier_policy('io')) ->> p.key,
                (SELECT x.policy ->> p.key FROM ai_classifiers AS x WHERE x.name = 'io')) AS applied
  FROM io_policy AS p JOIN io_policy_calls AS c USING (key) ORDER BY p.key;
-- Refused as each key refuses a fraction: a column's value by its column,
-- a classifier-only key with its range.
SELECT pg_temp.try($$SELECT alter_classifier('io', '{"min_gate_rows": 3.0000000000000001}')$$) AS column_key;
SELECT pg_temp.try($$SELECT alter_classifier('io', '{"min_partition_rows": 3.0000000000000001}')$$) AS classifier_key;
-- Their readers take a stored 16.0 and 2.0 as 16 and 2: the partitions
-- below 16 rows (both, of 15) train no model of their own, at 15e0 both
-- do, and pruning keeps 2 replaced models.
SELECT create_classifier('io_read', 'io_rows', 'body', 'label',
                         '{"partition_column": "shop", "min_partition_rows": 16.0, "keep_replaced_models": 2.0,
                           "min_samples_for_training": 4}') -> 'options' AS stored;
SELECT r ->> 'min_partition_rows' AS min_partition_rows, r -> 'partitions_below_minimum' AS below
  FROM train_classifier('io_read', NULL, '{"deploy": "never"}') AS r;
SELECT alter_classifier('io_read', '{"min_partition_rows": 15e0}') -> 'options' ->> 'min_partition_rows' AS altered;
SELECT r ->> 'min_partition_rows' AS min_partition_rows, r -> 'partitions_below_minimum' AS below,
       jsonb_array_length(r -> 'partitions') AS partitions
  FROM train_classifier('io_read', NULL, '{"deploy": "never"}') AS r;
SELECT prune_classifier_models('io_read') ->> 'keep' AS keep;
SELECT drop_classifier('io_read', true) ->> 'classifier' AS dropped;

SELECT drop_classifier('io', true) ->> 'classifier' AS dropped;
DROP TABLE io_rows, io_keys;
