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
SET search_path = pg_catalog, pg_temp
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
    -- on to every run (_pg_intent_train_classifier_run()).
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

-- The runs of one train_classifier() call, as the extension owner: one per
-- partition value with at least min_partition_rows rows (the rows
-- train_classifier() staged), then the unpartitioned or fallback model on
-- all rows. Each is a run of its own (_pg_intent_train_run(): gated and
-- deployed on its own; a failed partition does not stop the others).
--
-- At most the policy's max_partitions_per_classifier partition models per
-- call (400 tenants gave 401 models in one transaction): of the partitions
-- with min_partition_rows rows, those with the most reviewed rows
-- (p_partition_reviewed), then the most rows, then in byte order, train.
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
-- train a partition whose rows (p_partition_prints: train_classifier()'s
-- fingerprint of the staged rows), options and policy (the classifier's and the effective one) are those
-- of its last run that could deploy (_pg_intent_last_retraining_run()),
-- while a model of it is active (or, 0.3.2, while the fallback serves it
-- because it beat that run's model, fallback_better, or because no reviewed
-- row could judge that model, insufficient_evidence). Training it again would give the same
-- model, and 0.3.1 deployed it as a new row (within_tolerance, identical
-- F1): 26 MB after two scheduled runs of 24 shops. The skipped partitions
-- are counted (partitions_unchanged) and named with the reason and the run
-- whose rows they still are (partitions_unchanged_skipped, the first 100)
-- in the result and the fallback run's metrics.
--
-- The fallback trains first (0.3.2; issue 34, point 2): its run keeps its
-- out-of-fold answers to every row in this backend, and each partition's
-- run weighs a first model of the partition against them on the
-- partition's rows (src/core/deploy_rule.h, baseline_is_fallback): a model
-- the fallback beats is not deployed (fallback_better), and the fallback
-- keeps answering for the partition. 0.3.1 deployed it as first.
CREATE OR REPLACE FUNCTION intent_internal._pg_intent_train_classifier_run(
    p_name text, p_run_name text, p_options jsonb, p_partitions text[], p_partition_rows integer[],
    p_partition_reviewed integer[], p_partition_prints text[], p_definition jsonb)
RETURNS jsonb
LANGUAGE plpgsql VOLATILE PARALLEL UNSAFE
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    -- What _pg_intent_classifier_for_training() read at the call's start,
    -- once the caller's right to train was checked: the classifier's id,
    -- partition column and policy keys, its effective policy and training
    -- options. Every run below follows them: a policy, right or option
    -- committed meanwhile applies from the next call.
    v_id bigint := (p_definition ->> 'id')::bigint;
    v_partition_column text := p_definition ->> 'partition_column';
    v_classifier_policy jsonb := p_definition -> 'classifier_policy';
    v_policy @extschema@.ai_training_policy :=
        jsonb_populate_record(NULL::@extschema@.ai_training_policy, p_definition -> 'policy');
    v_classifier_options jsonb := coalesce(p_definition -> 'training_options', '{}'::jsonb);
    v_batch uuid := gen_random_uuid();
    v_min integer;
    v_max integer := v_policy.max_partitions_per_classifier;
    v_results jsonb := '[]';
    v_below integer := 0;
    v_over integer := 0;
    v_skipped jsonb := '[]';
    v_result jsonb;
    v_part record;
    v_summary jsonb := '{}';
    v_may_skip boolean := coalesce(p_options ->> 'deploy', 'auto') = 'auto';
    v_print text;
    v_last record;
    v_unchanged integer := 0;
    v_unchanged_list jsonb := '[]';
    v_unreviewed integer := 0;
    v_unreviewed_list jsonb := '[]';
    v_fallback jsonb;
    v_read_facts jsonb;
    -- The policy keys (ai_training_policy's, or a classifier's own) that
    -- decide when or how a run happens, never what it makes.
    v_when_keys text[] := intent_internal._pg_intent_policy_keys_outside_model();
BEGIN
    -- The classifier stays this one until the runs commit: a drop_classifier()
    -- meanwhile waits for them (it locks the row FOR UPDATE), then deactivates
    -- what they deployed. 0.3.1 left a model active under the dropped name.
    PERFORM FROM @extschema@.ai_classifiers AS x WHERE x.id = v_id FOR KEY SHARE;
    IF NOT FOUND THEN
        RAISE EXCEPTION USING MESSAGE = @extschema@.intent_output_error('classifier "%s" does not exist', p_name),
                   ERRCODE = 'undefined_object', DETAIL = @extschema@.intent_output_error('It was dropped while its source was read.');
    END IF;
    -- A restore finds the source by the name it had at the last write or
    -- training: keep it current (a renamed table). Rare, so the write (and
    -- the cache invalidation it sends) happens only on a change.
    UPDATE @extschema@.ai_classifiers AS x SET source_name = intent_internal._pg_intent_relation_name(x.source)
     WHERE x.id = v_id AND intent_internal._pg_intent_relation_name(x.source) IS DISTINCT FROM x.source_name
       AND intent_internal._pg_intent_relation_name(x.source) IS NOT NULL;
    -- The fallback first: its out-of-fold answers judge the partitions' first models.
    v_fallback := intent_internal._pg_intent_train_run_under_policy(p_run_name, 'full', p_options, p_name, NULL, v_batch,
                                                                    v_policy, v_classifier_options);
    -- What the fallback run records of the source's read, in one write:
    -- without a time_column, the source's rows that could train, counted as
    -- the owner before the read (src/pg/train_classifier.cpp), which the
    -- next retraining count compares with (_pg_intent_classifier_count_plan());
    -- with one, whether the run had bounds of its own (then the count does
    -- not start from it).
    v_read_facts := CASE WHEN p_definition ? 'source_rows_counted' THEN
                        jsonb_build_object('source_rows_counted', p_definition -> 'source_rows_counted',
                                           'source_rows_only_reviewed',
                                           intent_internal._pg_intent_source_reads_reviewed_only(
                                               p_definition ->> 'reviewed_column', v_policy.only_reviewed))
                        ELSE '{}'::jsonb END
                    || CASE WHEN p_definition ? 'source_read_bounded' THEN jsonb_build_object('source_read_bounded', true)
                            ELSE '{}'::jsonb END
                    -- the column its recorded rows' keys are values of (the
                    -- gate uses them only while it is the key column,
                    -- _pg_intent_train_run())
                    || CASE WHEN p_definition ? 'key_column' THEN jsonb_build_object('key_column', p_definition -> 'key_column')
                            ELSE '{}'::jsonb END;
    IF v_read_facts <> '{}'::jsonb THEN
        UPDATE @extschema@.ai_training_runs AS r
           SET metrics = coalesce(r.metrics, '{}'::jsonb) || v_read_facts
         WHERE r.id OPERATOR(pg_catalog.=) (v_fallback ->> 'run_id')::uuid;
    END IF;
    IF v_partition_column IS NOT NULL THEN
        v_min := coalesce((v_classifier_policy ->> 'min_partition_rows')::numeric::integer, v_policy.min_samples_for_training);
        FOR v_part IN
            SELECT u.name, u.n, u.reviewed, u.print, u.n < v_min AS below,
                   count(*) FILTER (WHERE u.n >= v_min)
                       OVER (ORDER BY u.n >= v_min DESC, u.reviewed DESC, u.n DESC, u.name COLLATE "C"
                             ROWS UNBOUNDED PRECEDING) AS rank
              FROM unnest(p_partitions, p_partition_rows, p_partition_reviewed, p_partition_prints)
                   WITH ORDINALITY AS u(name, n, reviewed, print, i)
             ORDER BY u.i
        LOOP
            IF v_part.below THEN
                v_below := v_below + 1;
                CONTINUE;
            END IF;
            IF v_part.rank > v_max THEN
                v_over := v_over + 1;
                IF jsonb_array_length(v_skipped) < 100 THEN
                    v_skipped := v_skipped || jsonb_build_array(v_part.name);
                END IF;
                CONTINUE;
            END IF;
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
            IF v_may_skip AND v_part.reviewed = 0 AND p_definition ->> 'reviewed_column' IS NOT NULL
               AND NOT EXISTS (SELECT FROM @extschema@.ai_intent_models AS m
                                WHERE m.is_active AND m.classifier_id = v_id AND m.partition_key = v_part.name) THEN
                v_unreviewed := v_unreviewed + 1;
                IF jsonb_array_length(v_unreviewed_list) < 100 THEN
                    v_unreviewed_list := v_unreviewed_list || jsonb_build_array(v_part.name);
                END IF;
                CONTINUE;
            END IF;
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
            v_print := md5(coalesce(v_part.print, '') || ' ' || (p_options - 'deploy')::text || ' '
                           || (coalesce(v_classifier_policy, '{}') - v_when_keys)::text || ' '
                           || ((p_definition -> 'policy') - v_when_keys)::text);
            IF v_may_skip AND v_part.print <> '' THEN
                SELECT r.run_id, r.metrics ->> 'rows_fingerprint' AS print, r.metrics #>> '{deploy,reason}' AS reason
                  INTO v_last
                  FROM intent_internal._pg_intent_last_retraining_run(v_id, v_part.name) AS r;
                -- A partition the fallback serves because it beat the
                -- partition's model on the same rows (fallback_better), or
                -- because none of its rows is reviewed to judge a model by
                -- (insufficient_evidence), is tried again when its rows
                -- change, not at every call (each call stored one more model).
                IF v_last.print = v_print
                   AND (v_last.reason IN ('fallback_better', 'insufficient_evidence')
                        OR EXISTS (SELECT FROM @extschema@.ai_intent_models AS m
                                    WHERE m.is_active AND m.classifier_id = v_id AND m.partition_key = v_part.name)) THEN
                    v_unchanged := v_unchanged + 1;
                    IF jsonb_array_length(v_unchanged_list) < 100 THEN
                        v_unchanged_list := v_unchanged_list || jsonb_build_array(jsonb_build_object(
                            'partition', v_part.name, 'reason', 'no new rows', 'run_id', v_last.run_id));
                    END IF;
                    CONTINUE;
                END IF;
            END IF;
            v_result := intent_internal._pg_intent_train_run_under_policy(p_run_name, 'full', p_options, p_name,
                                                                          v_part.name, v_batch, v_policy,
                                                                          v_classifier_options);
            UPDATE @extschema@.ai_training_runs AS r
               SET metrics = coalesce(r.metrics, '{}'::jsonb) || jsonb_build_object('rows_fingerprint', v_print)
                             || CASE WHEN p_definition ? 'key_column' THEN jsonb_build_object('key_column', p_definition -> 'key_column')
                                     ELSE '{}'::jsonb END
             WHERE r.id OPERATOR(pg_catalog.=) (v_result ->> 'run_id')::uuid;
            v_results := v_results || jsonb_build_array(v_result - 'classifier');
        END LOOP;
        v_summary := jsonb_build_object('partitions_below_minimum', v_below, 'min_partition_rows', v_min,
                                        'partitions_unchanged', v_unchanged,
                                        'partitions_unchanged_skipped', v_unchanged_list,
                                        'partitions_unreviewed', v_unreviewed,
                                        'partitions_unreviewed_skipped', v_unreviewed_list,
                                        'partitions_over_limit', v_over, 'partitions_skipped', v_skipped,
                                        'max_partitions_per_classifier', v_max);
    END IF;
    v_result := v_fallback;
    IF v_partition_column IS NOT NULL THEN
        -- What this call left untrained, recorded with its fallback run.
        UPDATE @extschema@.ai_training_runs AS r
           SET metrics = coalesce(r.metrics, '{}'::jsonb) || v_summary
         WHERE r.id OPERATOR(pg_catalog.=) (v_result ->> 'run_id')::uuid;
    END IF;
    RETURN v_result || jsonb_build_object('batch_id', v_batch)
           || CASE WHEN v_partition_column IS NULL THEN '{}'::jsonb
                   ELSE jsonb_build_object('partitions', v_results) || v_summary END;
END
$$;
COMMENT ON FUNCTION intent_internal._pg_intent_train_classifier_run(text, text, jsonb, text[], integer[], integer[], text[], jsonb) IS
    'Internal: the runs of one train_classifier() call, as the extension owner, under the policy and training options the call read at its start (p_definition, from _pg_intent_classifier_for_training()) (the fallback first, then one per partition with enough rows, at most max_partitions_per_classifier of them, those with the most reviewed rows first (every row is reviewed without a reviewed_column), then the largest, skipping under the deploy rule a partition whose rows, options and policy are those of its last run that could deploy, and one with no reviewed row and no model of its own; a partition''s first model is weighed against the fallback''s out-of-fold answers).';
