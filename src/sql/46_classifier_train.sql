-- Named classifiers (0.3.0): training one, train_classifier() and the
-- machinery of its runs (one per partition, then the unpartitioned or
-- fallback model). Who may do what: 44_classifier_rights.sql; the options:
-- 45_classifier_definition.sql; the management functions:
-- 45_classifiers.sql; deploying, rolling back and pruning models:
-- 46_classifier_deploy.sql; retraining every classifier on a schedule:
-- 46_classifier_retraining.sql.

-- -------------------------------------------------------------------------
-- train_classifier
-- -------------------------------------------------------------------------

CREATE OR REPLACE FUNCTION @extschema@.train_classifier(
    p_name text, p_run_name text DEFAULT NULL, p_options jsonb DEFAULT '{}')
RETURNS jsonb
AS 'MODULE_PATHNAME', 'pg_intent_train_classifier'
LANGUAGE C VOLATILE PARALLEL UNSAFE;
COMMENT ON FUNCTION @extschema@.train_classifier(text, text, jsonb) IS
    'Trains the classifier from its source, read as the classifier''s owner in a security-restricted operation (the owner''s row-level security and column privileges apply; code in the source runs as the owner, never as the caller, and settings it changes are rolled back): the pipeline of train_intent_model() (cross-validation, refit, calibration, thresholds, the deploy gate, deploy). With a partition_column, one model per partition value with min_partition_rows rows and a shared fallback model on all rows, each gated and deployed on its own. Returns train_intent_model()''s keys for the unpartitioned or fallback model, plus classifier, batch_id, partitions (one result per partition trained) and partitions_below_minimum. train_classifier(''intent'') is train_intent_model(). Errors: 42704, 42501 (no right to train; a source column the owner cannot read), 42703, 42804, 42P01, 22023 bad option, 55P03 another training runs.';

-- What train_classifier() needs for the whole call: the classifier's
-- columns, the policy that bounds the read and that every run follows, and
-- its training options, once the caller's right to train it is checked
-- (42704, 42501) and its source checked for the owner. The policy goes
-- through jsonb, whose floats are written by extra_float_digits: pinned, so
-- that every run follows the administrator's row exactly (under a caller's
-- -15, a max_f1_regression of 0.0125 ran as 0.01, a corrected_weight of 2.5
-- as 2).
CREATE OR REPLACE FUNCTION intent_internal._pg_intent_classifier_for_training(p_name text, p_caller oid)
RETURNS jsonb
LANGUAGE plpgsql STABLE PARALLEL UNSAFE SECURITY DEFINER
SET search_path = pg_catalog, pg_temp SET row_security = off
SET extra_float_digits = 1
AS $$
DECLARE
    c @extschema@.ai_classifiers := intent_internal._pg_intent_classifier_require(p_name, p_caller, 'train');
    p @extschema@.ai_training_policy;
BEGIN
    IF c.built_in THEN
        RETURN jsonb_build_object('name', c.name, 'built_in', true);
    END IF;
    -- The source is read as its owner, so it is checked for the owner.
    PERFORM intent_internal._pg_intent_classifier_check_source(c.owner, c.name, c.source,
                                                          intent_internal._pg_intent_classifier_columns(c));
    -- The call's one reading of the effective policy and of the training
    -- options: train_classifier() bounds its read with them and passes them
    -- on to every run (_pg_intent_train_classifier_start() and _partitions()).
    p := intent_internal._pg_intent_classifier_policy(c.name);
    RETURN jsonb_build_object('name', c.name, 'id', c.id, 'built_in', false, 'source', c.source::oid::bigint,
                              'policy', to_jsonb(p), 'classifier_policy', coalesce(c.policy, '{}'::jsonb),
                              'training_options', intent_internal._pg_intent_classifier_training_options(c.name),
                              'gate_window_days', c.policy -> 'gate_window_days',
                              'may_deploy', coalesce(intent_internal._pg_intent_classifier_allows(c.name, p_caller, 'deploy'), false))
           || intent_internal._pg_intent_classifier_columns(c);
END
$$;
COMMENT ON FUNCTION intent_internal._pg_intent_classifier_for_training(text, oid) IS
    'Internal: for train_classifier(): the classifier''s id, columns, policy keys, read bounds, effective policy and training options (the one reading every run of the call follows), after checking that the role may train it and that the owner may read its source.';

-- The runs of one train_classifier() call, as the extension owner: the
-- unpartitioned or fallback model on all rows, then one per partition value
-- with at least min_partition_rows rows (the rows train_classifier()
-- read). Each is a run of its own, which train_classifier() runs from C
-- (_pg_intent_train_run_begin(), the trainer with the rows it read,
-- _pg_intent_train_run_record(): gated and deployed on its own; a failed
-- partition does not stop the others). train_classifier()
-- (src/pg/train_classifier.cpp) owns the loop and decides which partitions
-- it reaches, and in which order; the three functions below are the
-- bookkeeping around the runs:
-- _pg_intent_train_classifier_start() before the partitions,
-- _pg_intent_train_classifier_partitions() once for the partitions it
-- reaches, _pg_intent_train_classifier_finish() after them.
--
-- At most the policy's max_partitions_per_classifier partition models per
-- call (400 tenants gave 401 models in one transaction): of the partitions
-- with min_partition_rows rows, those with the most reviewed rows, then the
-- most rows, then in byte order, train (train_classifier() ranks them).
-- Reviewed rows first: rows anyone may log are untrusted and may not decide
-- which partitions train (by all rows, a role with only INSERT on the
-- source could make up partitions larger than the real ones, take every
-- slot and leave the real ones untrained). Without a reviewed_column every
-- row counts as reviewed (the owner vouches for the table), so the order
-- is by rows. The others are counted (partitions_over_limit), named
-- (partitions_skipped, the first 100 in byte order) in the result and in
-- the fallback run's metrics, and served by the fallback model, which
-- trains on every row.
--
-- Unchanged partitions are skipped (0.3.2; issue 34, point 4): a run that
-- may deploy by the rule ({"deploy": "auto"}, the scheduler's) does not
-- train a partition whose rows (p_print: train_classifier()'s fingerprint
-- of the staged rows), options and policy (the classifier's and the
-- effective one) are those of its last run that could deploy
-- (_pg_intent_last_retraining_run()), while a model of it is active (or,
-- 0.3.2, while the fallback serves it because it beat that run's model,
-- fallback_better, or because no reviewed row could judge that model,
-- insufficient_evidence). Training it again would give the same model, and
-- 0.3.1 deployed it as a new row (within_tolerance, identical F1): 26 MB
-- after two scheduled runs of 24 shops. The skipped partitions are counted
-- (partitions_unchanged) and named with the reason and the run whose rows
-- they still are (partitions_unchanged_skipped, the first 100) in the
-- result and the fallback run's metrics.
--
-- The fallback trains first (0.3.2; issue 34, point 2): its run keeps its
-- out-of-fold answers to every row in this backend, and each partition's
-- run weighs a first model of the partition against them on the
-- partition's rows (src/core/deploy_rule.h, baseline_is_fallback): a model
-- the fallback beats is not deployed (fallback_better), and the fallback
-- keeps answering for the partition. 0.3.1 deployed it as first.
--
-- Every step follows p_definition, what _pg_intent_classifier_for_training()
-- read at the call's start, once the caller's right to train was checked:
-- the classifier's id, partition column and policy keys, its effective
-- policy and training options. A policy, right or option committed meanwhile
-- applies from the next call.

-- The first step: holds the classifier and says what the fallback's run (or
-- the unpartitioned model's) records of the call's read. Returns the call's
-- batch (batch_id), that record (read_facts, for the run's metrics), the
-- policy row every run of the call follows (policy) and, for the
-- partitions, the rows a partition needs (min_partition_rows) and the most
-- partitions one call trains (max_partitions_per_classifier).
CREATE OR REPLACE FUNCTION intent_internal._pg_intent_train_classifier_start(
    p_name text, p_definition jsonb, OUT batch_id uuid, OUT read_facts jsonb,
    OUT policy @extschema@.ai_training_policy, OUT min_partition_rows integer,
    OUT max_partitions_per_classifier integer)
RETURNS record
LANGUAGE plpgsql VOLATILE PARALLEL UNSAFE
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    v_id bigint := (p_definition ->> 'id')::bigint;
    v_policy @extschema@.ai_training_policy :=
        jsonb_populate_record(NULL::@extschema@.ai_training_policy, p_definition -> 'policy');
    v_batch uuid := gen_random_uuid();
    v_min integer;
    v_read_facts jsonb;
    v_row @extschema@.ai_classifiers;
    v_read @extschema@.ai_classifiers;
BEGIN
    -- The classifier stays this one until the runs commit: a drop_classifier()
    -- meanwhile waits for them (it locks the row FOR UPDATE), then deactivates
    -- what they deployed. 0.3.1 left a model active under the dropped name.
    SELECT x.* INTO v_row FROM @extschema@.ai_classifiers AS x WHERE x.id = v_id FOR KEY SHARE;
    IF NOT FOUND THEN
        RAISE EXCEPTION USING MESSAGE = intent_internal._pg_intent_error_words('classifier "%s" does not exist', p_name),
                   ERRCODE = 'undefined_object', DETAIL = intent_internal._pg_intent_error_words('It was dropped while its source was read.');
    END IF;
    -- ... and still the source and columns the call read: the rows staged
    -- are that source's, and the runs record its keys. An alter_classifier()
    -- that changed them committed while the source was read (one that comes
    -- later waits for these runs, and marks them); the runs would have
    -- recorded the old source's keys as the new one's, read by the gate and
    -- the review queue as rows of the new source. 40001: retry, the next
    -- call reads the new source.
    v_read := jsonb_populate_record(NULL::@extschema@.ai_classifiers, p_definition);
    IF v_row.source::oid::bigint IS DISTINCT FROM (p_definition ->> 'source')::bigint
       OR intent_internal._pg_intent_classifier_columns(v_row) IS DISTINCT FROM intent_internal._pg_intent_classifier_columns(v_read) THEN
        RAISE EXCEPTION USING MESSAGE = intent_internal._pg_intent_error_words('classifier "%s" changed while its source was read', p_name),
                   ERRCODE = 'serialization_failure',
                   DETAIL = intent_internal._pg_intent_error_words('alter_classifier() changed its source or columns meanwhile: the rows read are not its rows any more.'),
                   HINT = intent_internal._pg_intent_error_words('Retry in a new transaction.');
    END IF;
    -- One training per classifier at a time, and at most the policy's
    -- max_concurrent_trainings in all (55P03 naming the holder's pid): taken
    -- here once for every run of the call, held to the end of the
    -- transaction (each run's _pg_intent_train_run_begin() took it again).
    PERFORM intent_internal._pg_intent_lock_training(p_name, v_policy.max_concurrent_trainings);
    -- A restore finds the source by the name it had at the last write or
    -- training: keep it current (a renamed table). Rare, so the write (and
    -- the cache invalidation it sends) happens only on a change.
    UPDATE @extschema@.ai_classifiers AS x SET source_name = intent_internal._pg_intent_relation_name(x.source)
     WHERE x.id = v_id AND intent_internal._pg_intent_relation_name(x.source) IS DISTINCT FROM x.source_name
       AND intent_internal._pg_intent_relation_name(x.source) IS NOT NULL;
    -- What the fallback run records of the source's read, in one write:
    -- without a time_column, the source's rows that could train, counted as
    -- the owner before the read (src/pg/train_classifier.cpp), which the
    -- next retraining count compares with (_pg_intent_classifier_count_plan());
    -- with one, whether the run had bounds of its own (then the count does
    -- not start from it). Either count is recorded with the rule it counted
    -- by (source_rows_only_reviewed), which the next count compares with
    -- its own: a count by another rule is not subtracted.
    v_read_facts := CASE WHEN p_definition ? 'source_rows_counted' THEN
                        jsonb_build_object('source_rows_counted', p_definition -> 'source_rows_counted')
                        ELSE '{}'::jsonb END
                    || CASE WHEN p_definition ? 'source_rows_counted' OR p_definition ? 'source_rows_since_horizon' THEN
                        jsonb_build_object('source_rows_only_reviewed',
                                           intent_internal._pg_intent_source_reads_reviewed_only(
                                               p_definition ->> 'reviewed_column', v_policy.only_reviewed))
                        ELSE '{}'::jsonb END
                    || CASE WHEN p_definition ? 'source_read_bounded' THEN jsonb_build_object('source_read_bounded', true)
                            ELSE '{}'::jsonb END
                    -- with a time_column, the read's horizon, from which the
                    -- next retraining count counts new rows
                    -- (_pg_intent_source_new_since())
                    || CASE WHEN p_definition ? 'source_new_since'
                            THEN jsonb_build_object('source_new_since', p_definition -> 'source_new_since')
                            ELSE '{}'::jsonb END
                    || CASE WHEN p_definition ? 'source_rows_since_horizon'
                            THEN jsonb_build_object('source_rows_since_horizon', p_definition -> 'source_rows_since_horizon')
                            ELSE '{}'::jsonb END
                    -- the column its recorded rows' keys are values of (the
                    -- gate uses them only while it is the key column,
                    -- _pg_intent_train_run_begin())
                    || CASE WHEN p_definition ? 'key_column' THEN jsonb_build_object('key_column', p_definition -> 'key_column')
                            ELSE '{}'::jsonb END;
    IF p_definition ->> 'partition_column' IS NOT NULL THEN
        v_min := coalesce(intent_internal._pg_intent_json_integer(p_definition #> '{classifier_policy,min_partition_rows}')::integer,
                          v_policy.min_samples_for_training);
    END IF;
    batch_id := v_batch;
    read_facts := v_read_facts;
    policy := v_policy;
    min_partition_rows := v_min;
    max_partitions_per_classifier := v_policy.max_partitions_per_classifier;
END
$$;
COMMENT ON FUNCTION intent_internal._pg_intent_train_classifier_start(text, jsonb) IS
    'Internal: the first step of a train_classifier() call, as the extension owner, under the definition the call read at its start (p_definition, from _pg_intent_classifier_for_training()): holds the classifier''s row (FOR KEY SHARE) and takes its training lock and a training slot for every run of the call; returns the call''s batch id, what the unpartitioned or fallback run records of the source''s read, and the partition bounds.';

-- The partitions train_classifier() reached (within the partition bounds),
-- in one call (issue 33: one call for the whole list, not one per
-- partition; 0.3.2 before this called it once per partition, 100 calls for
-- 100 shops): for each, in the order given, skipped under the deploy rule
-- when none of its rows is reviewed and it has no model
-- ({"skipped": "unreviewed"}), or when its rows, options and policy are
-- those of its last run that could deploy ({"skipped": "unchanged",
-- "entry": ...}); else what its run records with its metrics
-- ({"record": {"rows_fingerprint": ...}}), and train_classifier() runs it.
-- Each partition's answer reads only that partition's runs and models, which
-- no other partition's run of the call changes: deciding them all before the
-- first partition's run decides what deciding each just before its run did.
CREATE OR REPLACE FUNCTION intent_internal._pg_intent_train_classifier_partitions(
    p_name text, p_options jsonb, p_partitions text[], p_reviewed integer[], p_prints text[], p_definition jsonb)
RETURNS jsonb[]
LANGUAGE plpgsql VOLATILE PARALLEL UNSAFE
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    v_id bigint := (p_definition ->> 'id')::bigint;
    v_classifier_policy jsonb := p_definition -> 'classifier_policy';
    v_may_skip boolean := coalesce(p_options ->> 'deploy', 'auto') = 'auto';
    v_print text;
    v_last record;
    -- The policy keys (ai_training_policy's, or a classifier's own) that
    -- decide when or how a run happens, never what it makes.
    v_when_keys text[] := intent_internal._pg_intent_policy_keys_outside_model();
    -- What every partition's fingerprint has besides its rows.
    v_print_tail text;
    v_record_tail jsonb := CASE WHEN p_definition ? 'key_column'
                                THEN jsonb_build_object('key_column', p_definition -> 'key_column')
                                ELSE '{}'::jsonb END;
    v_partition text;
    v_reviewed integer;
    v_row_print text;
    v_out jsonb[] := '{}';
BEGIN
    -- What the run's model and decision depend on: the rows, the
    -- call's options but deploy (a hand-deployed {"deploy": "never"}
    -- run's model is the one an auto run would make, and its print
    -- must match one), the classifier's policy and the effective
    -- policy (the administrator's ai_training_policy included:
    -- min_gate_rows there changes what a run decides; an earlier
    -- 0.3.2 build left it out, and a partition stayed skipped after
    -- the administrator changed it), but for the keys that decide
    -- only when or how a run happens, not its model (v_when_keys):
    -- changing retry_failed_after retrained every shop.
    v_print_tail := ' ' || (p_options - 'deploy')::text || ' '
                    || (coalesce(v_classifier_policy, '{}') - v_when_keys)::text || ' '
                    || ((p_definition -> 'policy') - v_when_keys)::text;
    FOR i IN 1 .. coalesce(cardinality(p_partitions), 0) LOOP
        v_partition := p_partitions[i];
        v_reviewed := p_reviewed[i];
        v_row_print := p_prints[i];
        -- A partition none of whose rows is reviewed, with no model of
        -- its own, is not trained by a call that deploys by the rule:
        -- its first model is weighed against the fallback on its reviewed
        -- rows, and with none it could never be deployed
        -- (insufficient_evidence). Rows anyone may log are untrusted and
        -- may not decide what a call costs: a role with only INSERT on
        -- the source could otherwise make up partitions that fill every
        -- free slot, each trained and its model stored at every call
        -- their rows change. Without a reviewed_column every row counts
        -- as reviewed, so this never applies.
        IF v_may_skip AND v_reviewed = 0 AND p_definition ->> 'reviewed_column' IS NOT NULL
           AND NOT EXISTS (SELECT FROM @extschema@.ai_intent_models AS m
                            WHERE m.is_active AND m.classifier_id = v_id AND m.partition_key = v_partition) THEN
            v_out := v_out || jsonb_build_object('skipped', 'unreviewed');
            CONTINUE;
        END IF;
        v_print := md5(coalesce(v_row_print, '') || v_print_tail);
        IF v_may_skip AND v_row_print <> '' THEN
            SELECT r.run_id, r.metrics ->> 'rows_fingerprint' AS print, r.metrics #>> '{deploy,reason}' AS reason
              INTO v_last
              FROM intent_internal._pg_intent_last_retraining_run(v_id, v_partition) AS r;
            -- A partition the fallback serves because it beat the
            -- partition's model on the same rows (fallback_better), or
            -- because none of its rows is reviewed to judge a model by
            -- (insufficient_evidence), is tried again when its rows
            -- change, not at every call (each call stored one more model).
            IF v_last.print = v_print
               AND (v_last.reason IN ('fallback_better', 'insufficient_evidence')
                    OR EXISTS (SELECT FROM @extschema@.ai_intent_models AS m
                                WHERE m.is_active AND m.classifier_id = v_id AND m.partition_key = v_partition)) THEN
                v_out := v_out || jsonb_build_object('skipped', 'unchanged', 'entry', jsonb_build_object(
                    'partition', v_partition, 'reason', 'no new rows', 'run_id', v_last.run_id));
                CONTINUE;
            END IF;
        END IF;
        v_out := v_out || (jsonb_build_object('record', jsonb_build_object('rows_fingerprint', v_print) || v_record_tail));
    END LOOP;
    RETURN v_out;
END
$$;
COMMENT ON FUNCTION intent_internal._pg_intent_train_classifier_partitions(text, jsonb, text[], integer[], text[], jsonb) IS
    'Internal: the partitions a train_classifier() call reached, in one call, as the extension owner, under the definition the call read at its start: for each (p_partitions, with its reviewed rows in p_reviewed and its rows'' fingerprint in p_prints), skipped under the deploy rule when none of its rows is reviewed and it has no model of its own, or when its rows, options and policy are those of its last run that could deploy; else what its run records with its metrics (its fingerprint). One answer per partition, in the order given.';

-- The last step: what the call left untrained, recorded with its fallback
-- run (a partitioned classifier's), and the call's result.
CREATE OR REPLACE FUNCTION intent_internal._pg_intent_train_classifier_finish(
    p_definition jsonb, p_fallback jsonb, p_batch uuid, p_results jsonb[], p_below integer, p_min integer,
    p_unchanged integer, p_unchanged_list jsonb[], p_unreviewed integer, p_unreviewed_list text[],
    p_over integer, p_skipped text[], p_max integer)
RETURNS jsonb
LANGUAGE plpgsql VOLATILE PARALLEL UNSAFE
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    v_summary jsonb;
BEGIN
    IF p_definition ->> 'partition_column' IS NULL THEN
        RETURN p_fallback || jsonb_build_object('batch_id', p_batch);
    END IF;
    v_summary := jsonb_build_object('partitions_below_minimum', p_below, 'min_partition_rows', p_min,
                                    'partitions_unchanged', p_unchanged,
                                    'partitions_unchanged_skipped', to_jsonb(p_unchanged_list),
                                    'partitions_unreviewed', p_unreviewed,
                                    'partitions_unreviewed_skipped', to_jsonb(p_unreviewed_list),
                                    'partitions_over_limit', p_over, 'partitions_skipped', to_jsonb(p_skipped),
                                    'max_partitions_per_classifier', p_max);
    UPDATE @extschema@.ai_training_runs AS r
       SET metrics = coalesce(r.metrics, '{}'::jsonb) || v_summary
     WHERE r.id OPERATOR(pg_catalog.=) (p_fallback ->> 'run_id')::uuid;
    RETURN p_fallback || jsonb_build_object('batch_id', p_batch)
           || jsonb_build_object('partitions', to_jsonb(p_results)) || v_summary;
END
$$;
COMMENT ON FUNCTION intent_internal._pg_intent_train_classifier_finish(jsonb, jsonb, uuid, jsonb[], integer, integer, integer, jsonb[], integer, text[], integer, text[], integer) IS
    'Internal: the last step of a train_classifier() call, as the extension owner: records what the call left untrained (partitions below the minimum, unchanged, unreviewed or over the limit, the first 100 of each named) with its fallback run, and returns the call''s result.';
