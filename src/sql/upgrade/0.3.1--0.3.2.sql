-- Migration from 0.3.1 to 0.3.2: what changes tables and their data, and
-- drops the functions and views whose signature or columns change (CREATE
-- OR REPLACE in the code pieces that follow cannot change those). Everything
-- here must leave the database exactly as a fresh 0.3.2 install would be;
-- test/scripts/upgrade.sh and upgrade_020.sh compare the two catalogs.
-- Older databases reach this script through the frozen scripts in sql/
-- (0.1.0 -> 0.2.0 -> 0.2.1 -> 0.2.2 -> 0.3.0 -> 0.3.1).

-- ---- Issue 31, items 7, 8 and 10 (prediction by model id, revocation,
-- ---- long keys): the retraining back-off of every classifier.
-- @include src/sql/schema/80_classifier_retrain_failures.sql

-- Issue 31, items 3 and 4 (policy ceilings, per-classifier locks): the
-- policy's bounds on what trainings cost at once. Columns last, as in
-- src/sql/schema/10_training_policy.sql.
ALTER TABLE @extschema@.ai_training_policy
    ADD COLUMN max_concurrent_trainings integer NOT NULL DEFAULT 4
        CONSTRAINT ai_training_policy_max_concurrent_trainings_check CHECK (max_concurrent_trainings BETWEEN 1 AND 64),
    ADD COLUMN max_partitions_per_classifier integer NOT NULL DEFAULT 100
        CONSTRAINT ai_training_policy_max_partitions_per_classifier_check CHECK (max_partitions_per_classifier BETWEEN 1 AND 100000);
COMMENT ON COLUMN @extschema@.ai_training_policy.max_concurrent_trainings IS
    'Most trainings (of any classifiers, intent''s included) that run at once in the database; one more fails at once with 55P03 naming the backends that train. Each classifier trains one call at a time whatever this is.';
COMMENT ON COLUMN @extschema@.ai_training_policy.max_partitions_per_classifier IS
    'Most partition models one train_classifier() call trains: of the partitions with min_partition_rows rows, the largest (then in byte order); the others are reported (partitions_over_limit, partitions_skipped) and served by the fallback model. A classifier may set it lower, never higher.';
-- End of items 3 and 4.
