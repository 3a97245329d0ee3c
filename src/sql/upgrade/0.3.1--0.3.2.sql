-- Migration from 0.3.1 to 0.3.2: what changes tables and their data, and
-- drops the functions and views whose signature or columns change (CREATE
-- OR REPLACE in the code pieces that follow cannot change those). Everything
-- here must leave the database exactly as a fresh 0.3.2 install would be;
-- test/scripts/upgrade.sh and upgrade_020.sh compare the two catalogs.
-- Older databases reach this script through the frozen scripts in sql/
-- (0.1.0 -> 0.2.0 -> 0.2.1 -> 0.2.2 -> 0.3.0 -> 0.3.1).

-- ---- Before anything changes: this session's library. A backend keeps
-- the pg_intent.so it loaded (PostgreSQL finds a loaded library by its file
-- name before it opens the file): a session that called the extension
-- before the package replaced the file, and with shared_preload_libraries
-- every backend until the server restarts, runs 0.3.1's library, which
-- lacks the C functions this script creates. The update then failed half-way,
-- after rewriting ai_classifiers under its locks, with 42883 "could not find
-- function "pg_intent_error_text" in file ...", which says nothing of what
-- to do (test/scripts/upgrade_live.sh). Ask the library once, first, for a
-- function 0.3.1's lacks (CREATE FUNCTION of a C function looks it up). Not
-- in pg_temp: Citus commits the update on every node with two-phase commit,
-- which refuses a transaction that touched a temporary object
-- (test/scripts/citus.sh).
DO $library$
BEGIN
    CREATE FUNCTION @extschema@._pg_intent_library_probe_031() RETURNS text
        AS 'MODULE_PATHNAME', 'pg_intent_error_text' LANGUAGE C;
    DROP FUNCTION @extschema@._pg_intent_library_probe_031();
EXCEPTION WHEN undefined_function THEN
    RAISE EXCEPTION 'this session runs an older pg_intent library than 0.3.2''s, which the update needs'
          USING ERRCODE = 'object_not_in_prerequisite_state',
                DETAIL = 'A session keeps the library it loaded before the package was upgraded; with pg_intent in shared_preload_libraries every session does until the server restarts.',
                HINT = 'Run ALTER EXTENSION pg_intent UPDATE in a new connection (restart the server first if shared_preload_libraries names pg_intent). Nothing was changed.';
END
$library$;

-- ---- Before anything changes: the user's objects that would stop the
-- ---- update. Five columns of ai_classifiers change type below, which
-- PostgreSQL refuses while a view, a row-level security policy or a
-- trigger's WHEN clause uses one of them. Say so first, naming every such
-- object, rather than failing half-way on the first one.
DO $blockers$
DECLARE
    v_objects text;
BEGIN
    SELECT pg_catalog.string_agg(DISTINCT pg_catalog.pg_describe_object(d.classid, d.objid, 0), ', ')
      INTO v_objects
      FROM pg_catalog.pg_depend AS d
      JOIN pg_catalog.pg_attribute AS a
        ON a.attrelid OPERATOR(pg_catalog.=) d.refobjid AND a.attnum OPERATOR(pg_catalog.=) d.refobjsubid
     WHERE d.refclassid OPERATOR(pg_catalog.=) 'pg_catalog.pg_class'::pg_catalog.regclass
       AND d.refobjid OPERATOR(pg_catalog.=) '@extschema@.ai_classifiers'::pg_catalog.regclass
       AND a.attname OPERATOR(pg_catalog.=) ANY (ARRAY['owner', 'source', 'train_roles', 'deploy_roles', 'predict_roles']::name[])
       AND d.classid OPERATOR(pg_catalog.=) ANY (ARRAY['pg_catalog.pg_rewrite'::pg_catalog.regclass,
                                                      'pg_catalog.pg_policy'::pg_catalog.regclass,
                                                      'pg_catalog.pg_trigger'::pg_catalog.regclass]::pg_catalog.oid[]);
    IF v_objects IS NOT NULL THEN
        RAISE EXCEPTION 'pg_intent 0.3.2 changes the type of the columns owner, source, train_roles, deploy_roles and predict_roles of ai_classifiers, which objects of yours use: %', v_objects
              USING ERRCODE = 'feature_not_supported',
                    HINT = 'Save each one''s definition, drop it, run ALTER EXTENSION pg_intent UPDATE again, then create it again (docs/install.md). Nothing was changed.';
    END IF;
END
$blockers$;

-- ---- Issue 31, items 7, 8 and 10 (prediction by model id, revocation,
-- ---- long keys): the retraining back-off of every classifier.
-- @include src/sql/schema/80_classifier_retrain_failures.sql
-- @include src/sql/schema/81_classifier_retrain_attempt.sql
-- Issue 33 point 1 / issue 34: the count scheduled retraining compared, for
-- ai_classifier_alerts before a classifier's first run.
-- @include src/sql/schema/82_classifier_retrain_checks.sql

-- Issue 31, items 3 and 4 (policy ceilings, per-classifier locks): the
-- policy's bounds on what trainings cost at once. Columns last, as in
-- src/sql/schema/10_training_policy.sql.
ALTER TABLE @extschema@.ai_training_policy
    ADD COLUMN max_concurrent_trainings integer NOT NULL DEFAULT 4
        CONSTRAINT ai_training_policy_max_concurrent_trainings_check CHECK (max_concurrent_trainings BETWEEN 1 AND 64),
    ADD COLUMN max_partitions_per_classifier integer NOT NULL DEFAULT 100
        CONSTRAINT ai_training_policy_max_partitions_per_classifier_check CHECK (max_partitions_per_classifier BETWEEN 1 AND 100000),
    ADD COLUMN max_unreviewed_rows integer NOT NULL DEFAULT 50000
        CONSTRAINT ai_training_policy_max_unreviewed_rows_check CHECK (max_unreviewed_rows BETWEEN 1 AND 1000000000);
COMMENT ON COLUMN @extschema@.ai_training_policy.max_concurrent_trainings IS
    'Most trainings (of any classifiers, intent''s included) that run at once in the database; one more fails at once with 55P03 naming the backends that train. Each classifier trains one call at a time whatever this is.';
COMMENT ON COLUMN @extschema@.ai_training_policy.max_partitions_per_classifier IS
    'Most partition models one train_classifier() call trains: of the partitions with min_partition_rows rows, those with the most reviewed rows (rows anyone may log cannot take a partition''s place; without a reviewed_column every row counts as reviewed), then the largest, then in byte order; the others are reported (partitions_over_limit, partitions_skipped) and served by the fallback model. A classifier may set it lower, never higher.';
COMMENT ON COLUMN @extschema@.ai_training_policy.max_unreviewed_rows IS
    'Most unreviewed rows a training run reads: the newest ones, after every reviewed row (max_training_rows bounds both together). Rows any role that may log interactions writes then cannot make a run slow or large by their number: with max_unreviewed_message_bytes, they cost a run at most this many messages of that many bytes.';
-- End of items 3 and 4.

-- -------------------------------------------------------------------------
-- Issue 31 items 6 and 11: a classifier's identity; owners, grantees and
-- sources stored by name next to their OIDs (src/sql/schema/60_classifiers.sql
-- and 65_classifier_identity.sql say why).
-- -------------------------------------------------------------------------

-- These backfills write the extension's own bookkeeping, so no trigger on
-- these tables fires for them (as in 0.1.0 -> 0.2.0): not the user's, which
-- would run under this script's pinned search_path and audit the update's
-- own rewrites. Each trigger that would fire is disabled here and given
-- back its exact state after them; a WARNING names each of the user's.
DO $identity_triggers$
DECLARE
    v_saved jsonb;
    r record;
BEGIN
    SELECT pg_catalog.jsonb_agg(pg_catalog.jsonb_build_object(
               'rel', tg.tgrelid::pg_catalog.regclass::text, 'name', tg.tgname::text, 'mode', tg.tgenabled::text,
               'ours', EXISTS (SELECT FROM pg_catalog.pg_depend AS d
                                WHERE d.classid OPERATOR(pg_catalog.=) 'pg_catalog.pg_proc'::pg_catalog.regclass
                                  AND d.objid OPERATOR(pg_catalog.=) tg.tgfoid
                                  AND d.refclassid OPERATOR(pg_catalog.=) 'pg_catalog.pg_extension'::pg_catalog.regclass
                                  AND d.deptype OPERATOR(pg_catalog.=) 'e'
                                  AND d.refobjid OPERATOR(pg_catalog.=) (SELECT e.oid FROM pg_catalog.pg_extension AS e
                                                                          WHERE e.extname OPERATOR(pg_catalog.=) 'pg_intent')))
                                ORDER BY tg.tgrelid, tg.tgname)
      INTO v_saved
      FROM pg_catalog.pg_trigger AS tg
     WHERE tg.tgrelid OPERATOR(pg_catalog.=) ANY (ARRAY['@extschema@.ai_classifiers'::pg_catalog.regclass,
                                                        '@extschema@.ai_training_runs'::pg_catalog.regclass,
                                                        '@extschema@.ai_intent_models'::pg_catalog.regclass,
                                                        '@extschema@.ai_model_deployments'::pg_catalog.regclass]::pg_catalog.oid[])
       AND NOT tg.tgisinternal
       AND tg.tgenabled OPERATOR(pg_catalog.=) ANY (ARRAY['O', 'A']::"char"[]);
    FOR r IN SELECT e ->> 'rel' AS rel, e ->> 'name' AS name, (e ->> 'ours')::boolean AS ours
               FROM pg_catalog.jsonb_array_elements(coalesce(v_saved, '[]')) AS a(e) LOOP
        EXECUTE pg_catalog.format('ALTER TABLE %s DISABLE TRIGGER %I', r.rel, r.name);
        IF NOT r.ours THEN
            RAISE WARNING 'trigger % on % does not fire for the update''s rewrite of the extension''s bookkeeping', r.name, r.rel;
        END IF;
    END LOOP;
    PERFORM pg_catalog.set_config('pg_intent_upgrade.identity_triggers', coalesce(v_saved, '[]'::jsonb)::text, true);
END
$identity_triggers$;

-- The identity. Existing classifiers are numbered in the order the table
-- gives; the built-in one is 0, as in a fresh install.
ALTER TABLE @extschema@.ai_classifiers ADD COLUMN id bigserial;
UPDATE @extschema@.ai_classifiers SET id = 0 WHERE built_in;
ALTER TABLE @extschema@.ai_classifiers ADD CONSTRAINT ai_classifiers_id_key UNIQUE (id);
SELECT pg_catalog.pg_extension_config_dump('@extschema@.ai_classifiers_id_seq', '');

-- Names next to the OIDs, as the roles and sources are named now. An owner
-- already dropped gets the empty name, which no role can have: its
-- classifier is orphaned (an OID already taken by a new role before this
-- upgrade cannot be told apart, and counts as that role). Grants to roles
-- already dropped counted for nobody and are removed.
ALTER TABLE @extschema@.ai_classifiers
    ADD COLUMN owner_name  name,
    ADD COLUMN source_name text,
    ADD COLUMN role_names  jsonb NOT NULL DEFAULT '{}'
        CONSTRAINT ai_classifiers_role_names_check CHECK (jsonb_typeof(role_names) = 'object'),
    ADD COLUMN role_cluster bigint;
ALTER TABLE @extschema@.ai_classifiers
    ALTER COLUMN train_roles DROP DEFAULT, ALTER COLUMN deploy_roles DROP DEFAULT,
    ALTER COLUMN predict_roles DROP DEFAULT;
ALTER TABLE @extschema@.ai_classifiers
    ALTER COLUMN source TYPE oid USING source::oid, ALTER COLUMN source DROP NOT NULL,
    ALTER COLUMN owner TYPE oid USING owner::oid, ALTER COLUMN owner DROP NOT NULL,
    ALTER COLUMN train_roles TYPE oid[] USING train_roles::oid[],
    ALTER COLUMN deploy_roles TYPE oid[] USING deploy_roles::oid[],
    ALTER COLUMN predict_roles TYPE oid[] USING predict_roles::oid[];
ALTER TABLE @extschema@.ai_classifiers
    ALTER COLUMN train_roles SET DEFAULT '{}', ALTER COLUMN deploy_roles SET DEFAULT '{}',
    ALTER COLUMN predict_roles SET DEFAULT '{}';
UPDATE @extschema@.ai_classifiers AS c
   SET owner_name = coalesce((SELECT r.rolname FROM pg_catalog.pg_roles AS r WHERE r.oid = c.owner), ''),
       source_name = (SELECT pg_catalog.format('%I.%I', n.nspname, r.relname)
                        FROM pg_catalog.pg_class AS r JOIN pg_catalog.pg_namespace AS n ON n.oid = r.relnamespace
                       WHERE r.oid = c.source),
       train_roles = ARRAY(SELECT g FROM unnest(c.train_roles) WITH ORDINALITY AS u (g, i)
                            WHERE EXISTS (SELECT FROM pg_catalog.pg_roles AS r WHERE r.oid = g) ORDER BY i),
       deploy_roles = ARRAY(SELECT g FROM unnest(c.deploy_roles) WITH ORDINALITY AS u (g, i)
                             WHERE EXISTS (SELECT FROM pg_catalog.pg_roles AS r WHERE r.oid = g) ORDER BY i),
       predict_roles = ARRAY(SELECT g FROM unnest(c.predict_roles) WITH ORDINALITY AS u (g, i)
                              WHERE EXISTS (SELECT FROM pg_catalog.pg_roles AS r WHERE r.oid = g) ORDER BY i),
       role_names = (SELECT coalesce(jsonb_object_agg(r.oid::text, r.rolname), '{}')
                       FROM pg_catalog.pg_roles AS r
                      WHERE r.oid = ANY (c.train_roles || c.deploy_roles || c.predict_roles)),
       role_cluster = (pg_catalog.pg_control_system()).system_identifier;
ALTER TABLE @extschema@.ai_classifiers ALTER COLUMN owner_name SET NOT NULL;

-- Issue 33 (one engine): a classifier's rows a person corrected, which
-- train as intent's corrected rows do. The built-in classifier's are
-- ai_training_data's corrected_by_human, as in a fresh install.
ALTER TABLE @extschema@.ai_classifiers ADD COLUMN corrected_column name;
UPDATE @extschema@.ai_classifiers SET corrected_column = 'corrected_by_human' WHERE built_in;
COMMENT ON COLUMN @extschema@.ai_classifiers.corrected_column IS
    'Whether a person corrected the label (NULL: not corrected): such rows train as intent''s corrected rows do, weighing corrected_weight and winning a tie between labels of the same text (0.3.2).';

-- Models, runs and deployments take the id of the classifier of their name
-- that existed when they were written: the built-in's all of them; another
-- classifier's only those written since it was created. Older rows of that
-- name are an earlier, dropped classifier's (0.3.1 let a new classifier of
-- the same name deploy them), and keep NULL: history that is never deployed
-- or served again. Such a model still active is deactivated.
-- A run's time is its start by the clock; a model's and a deployment's is
-- their transaction's start, which may precede the classifier's creation
-- (a training begun before it): they follow the run that wrote them, and
-- are placed by their own time only without one.
ALTER TABLE @extschema@.ai_intent_models ADD COLUMN classifier_id bigint;
ALTER TABLE @extschema@.ai_training_runs ADD COLUMN classifier_id bigint;
ALTER TABLE @extschema@.ai_model_deployments ADD COLUMN classifier_id bigint;
UPDATE @extschema@.ai_training_runs AS r SET classifier_id = c.id
  FROM @extschema@.ai_classifiers AS c
 WHERE c.name = r.classifier AND (c.built_in OR r.started_at >= c.created_at);
UPDATE @extschema@.ai_intent_models AS m SET classifier_id = r.classifier_id
  FROM @extschema@.ai_training_runs AS r
 WHERE r.id = m.run_id AND r.classifier = m.classifier;
UPDATE @extschema@.ai_intent_models AS m SET classifier_id = c.id
  FROM @extschema@.ai_classifiers AS c
 WHERE c.name = m.classifier AND (c.built_in OR m.created_at >= c.created_at)
   AND NOT EXISTS (SELECT FROM @extschema@.ai_training_runs AS r
                    WHERE r.id = m.run_id AND r.classifier = m.classifier);
UPDATE @extschema@.ai_model_deployments AS d SET classifier_id = r.classifier_id
  FROM @extschema@.ai_training_runs AS r
 WHERE r.id = d.run_id AND r.classifier = d.classifier;
UPDATE @extschema@.ai_model_deployments AS d SET classifier_id = c.id
  FROM @extschema@.ai_classifiers AS c
 WHERE c.name = d.classifier AND (c.built_in OR d.deployed_at >= c.created_at)
   AND NOT EXISTS (SELECT FROM @extschema@.ai_training_runs AS r
                    WHERE r.id = d.run_id AND r.classifier = d.classifier);
UPDATE @extschema@.ai_intent_models AS m SET is_active = false WHERE m.is_active AND m.classifier_id IS NULL;
-- Integer training options: a number whose exact decimal value is no
-- integer is refused now (option_integer(), src/core/options.cpp), where
-- 0.3.1 applied the integer its double rounds to (3.0000000000000001 as 3;
-- seed 2^53 + 1 as 2^53). A classifier's stored training option of that
-- kind becomes the value its runs applied, so that it trains as before and
-- its options pass alter_classifier()'s checks. Which values: those the one
-- validator of training options (intent_training_options(), this
-- library's) refuses as stored and takes as the double they were read as.
DO $integer_options$
DECLARE
    r record;
    v_applied jsonb;
    v_path text[];
    v_digits text := pg_catalog.current_setting('extra_float_digits');
BEGIN
    -- a double written back as the shortest text that reads as it
    PERFORM pg_catalog.set_config('extra_float_digits', '1', true);
    FOR r IN
        SELECT c.id, k.key, s.key AS inner_key, coalesce(s.value, k.value) AS value
          FROM @extschema@.ai_classifiers AS c
         CROSS JOIN LATERAL pg_catalog.jsonb_each(c.policy) AS k
          LEFT JOIN LATERAL pg_catalog.jsonb_each(CASE WHEN k.key OPERATOR(pg_catalog.=) 'subword_vectors'
                                                        AND pg_catalog.jsonb_typeof(k.value) OPERATOR(pg_catalog.=) 'object'
                                                       THEN k.value END) AS s ON true
         WHERE NOT c.built_in
           AND pg_catalog.jsonb_typeof(coalesce(s.value, k.value)) OPERATOR(pg_catalog.=) 'number'
         ORDER BY c.id, k.key, s.key
    LOOP
        v_path := CASE WHEN r.inner_key IS NULL THEN ARRAY[r.key] ELSE ARRAY[r.key, r.inner_key] END;
        BEGIN
            PERFORM @extschema@.intent_training_options(pg_catalog.jsonb_set('{"subword_vectors": {}}'::jsonb, v_path, r.value)
                                                        OPERATOR(pg_catalog.-) CASE WHEN r.inner_key IS NULL THEN 'subword_vectors' ELSE '' END);
            CONTINUE; -- valid as stored (or not a training option's key)
        EXCEPTION WHEN invalid_parameter_value THEN
            NULL;
        END;
        v_applied := pg_catalog.to_jsonb((r.value::text)::double precision);
        BEGIN
            PERFORM @extschema@.intent_training_options(pg_catalog.jsonb_set('{"subword_vectors": {}}'::jsonb, v_path, v_applied)
                                                        OPERATOR(pg_catalog.-) CASE WHEN r.inner_key IS NULL THEN 'subword_vectors' ELSE '' END);
        EXCEPTION WHEN invalid_parameter_value THEN
            CONTINUE; -- refused either way: not a value 0.3.1 applied
        END;
        UPDATE @extschema@.ai_classifiers AS c SET policy = pg_catalog.jsonb_set(c.policy, v_path, v_applied)
         WHERE c.id OPERATOR(pg_catalog.=) r.id;
    END LOOP;
    PERFORM pg_catalog.set_config('extra_float_digits', v_digits, true);
END
$integer_options$;

-- The triggers fire again, each as it did before.
DO $identity_triggers$
DECLARE
    r record;
BEGIN
    FOR r IN SELECT e ->> 'rel' AS rel, e ->> 'name' AS name, e ->> 'mode' AS mode
               FROM pg_catalog.jsonb_array_elements(pg_catalog.current_setting('pg_intent_upgrade.identity_triggers')::jsonb) AS a(e)
    LOOP
        EXECUTE pg_catalog.format('ALTER TABLE %s ENABLE %s TRIGGER %I', r.rel,
                                  CASE WHEN r.mode OPERATOR(pg_catalog.=) 'A' THEN 'ALWAYS' ELSE '' END, r.name);
    END LOOP;
END
$identity_triggers$;

ALTER TABLE @extschema@.ai_intent_models
    ALTER COLUMN classifier_id SET DEFAULT 0,
    ADD CONSTRAINT ai_intent_models_classifier_id_check CHECK ((classifier_id = 0) = (classifier = 'intent'));
ALTER TABLE @extschema@.ai_training_runs
    ALTER COLUMN classifier_id SET DEFAULT 0,
    ADD CONSTRAINT ai_training_runs_classifier_id_check CHECK ((classifier_id = 0) = (classifier = 'intent'));
ALTER TABLE @extschema@.ai_model_deployments
    ALTER COLUMN classifier_id SET DEFAULT 0,
    ADD CONSTRAINT ai_model_deployments_classifier_id_check CHECK ((classifier_id = 0) = (classifier = 'intent'));
-- @include src/sql/schema/65_classifier_identity.sql
-- (end of items 6 and 11)

-- ---- Issue 34, point 4: train_classifier() passes each partition's
-- ---- fingerprint, so that unchanged partitions are skipped; issue 33,
-- ---- point 2: it runs the partitions' loop itself, each step's bookkeeping
-- ---- a function of its own (_pg_intent_train_classifier_start(),
-- ---- _partition(), _finish()), so the worker goes.
DROP FUNCTION @extschema@._pg_intent_train_classifier_run(oid, text, text, jsonb, text[], integer[]);

-- ---- Issue 33, point 2: train_intent_model() runs its one run from C as
-- ---- well (src/pg/train_run.cpp), so its PL/pgSQL worker goes.
DROP FUNCTION @extschema@._pg_intent_train_run(text, text, jsonb, text, text, uuid);

-- ---- Issue 33, point 2: the trainer inserts a run's rows itself
-- ---- (src/pg/run_rows.cpp), so its result loses the nine per-row arrays
-- ---- 0.3.1's worker inserted (a new result type; nothing grants it).
DROP FUNCTION @extschema@._pg_intent_train_table(uuid, jsonb, @extschema@.ai_training_policy, bigint, uuid, double precision, text, text);

-- ---- retrain_classifiers() reads each classifier's count plan at its turn:
-- ---- the plan of the call's start names the order only (a new result type).
DROP FUNCTION @extschema@._pg_intent_classifier_retrain_plan();

-- ---- Issue 34, point 2: a partition's first model is weighed against the
-- ---- fallback (src/core/deploy_rule.h): a new reason and two evidences.
ALTER TABLE @extschema@.ai_training_runs
    DROP CONSTRAINT ai_training_runs_deploy_reason_check,
    ADD CONSTRAINT ai_training_runs_deploy_reason_check
        CHECK (deploy_reason IN ('first', 'improved', 'within_tolerance', 'manual', 'regression', 'never',
                                 'untested', 'baseline_changed', 'insufficient_evidence', 'tie',
                                 'fallback_better')),
    DROP CONSTRAINT ai_training_runs_deploy_evidence_check,
    ADD CONSTRAINT ai_training_runs_deploy_evidence_check
        CHECK (deploy_evidence IN ('fresh_rows', 'estimates', 'none', 'fallback_rows', 'fallback_estimates'));

-- ---- Issue 35: classifiers and models on every node of a Citus cluster
-- ---- (src/sql/62_citus_nodes.sql).
-- @include src/sql/schema/90_classifier_publication.sql

-- ---- Issue 33, point 5: the internal functions move to the extension's
-- ---- own schema (src/sql/schema/05_internal_schema.sql says why). Moved,
-- ---- not created again: each keeps its OID, so its grants (what
-- ---- grant_intent_access() gave a role), comments and every trigger,
-- ---- view and event trigger that calls it stay; the code pieces that
-- ---- follow then replace its body in its new schema.
-- @include src/sql/schema/05_internal_schema.sql
DO $move_internal$
DECLARE
    r record;
BEGIN
    FOR r IN
        SELECT p.oid::pg_catalog.regprocedure AS fn
          FROM pg_catalog.pg_proc AS p
          JOIN pg_catalog.pg_depend AS d
            ON d.classid OPERATOR(pg_catalog.=) 'pg_catalog.pg_proc'::pg_catalog.regclass
           AND d.objid OPERATOR(pg_catalog.=) p.oid AND d.deptype OPERATOR(pg_catalog.=) 'e'
          JOIN pg_catalog.pg_extension AS e
            ON e.oid OPERATOR(pg_catalog.=) d.refobjid AND e.extname OPERATOR(pg_catalog.=) 'pg_intent'
         WHERE p.pronamespace OPERATOR(pg_catalog.=) '@extschema@'::pg_catalog.regnamespace
           AND pg_catalog.starts_with(p.proname::text, '_pg_intent_')
         ORDER BY p.oid
    LOOP
        EXECUTE pg_catalog.format('ALTER FUNCTION %s SET SCHEMA intent_internal', r.fn);
    END LOOP;
END
$move_internal$;

-- ---- Issue 33 ("one rule, one place"): the references between the
-- ---- extension's tables are one list (src/sql/12_references.sql).
-- One function deletes, unlinks and refuses a TRUNCATE for every referenced
-- table, reading _pg_intent_references(); 0.3.1's function of each table
-- goes. Its triggers go first, since they call it: the code pieces that
-- follow create them again, of the same names, calling the new function, as
-- a fresh install has them. Nothing else changes for them: CREATE OR REPLACE
-- TRIGGER, which every update ran on them, also put them back in the
-- ordinary mode.
DROP TRIGGER IF EXISTS ai_training_data_gone ON @extschema@.ai_training_data;
DROP TRIGGER IF EXISTS ai_training_data_truncated ON @extschema@.ai_training_data;
DROP TRIGGER IF EXISTS ai_training_runs_gone ON @extschema@.ai_training_runs;
DROP TRIGGER IF EXISTS ai_training_runs_truncated ON @extschema@.ai_training_runs;
DROP TRIGGER IF EXISTS ai_intent_models_gone ON @extschema@.ai_intent_models;
DROP TRIGGER IF EXISTS ai_intent_models_truncated ON @extschema@.ai_intent_models;
DROP FUNCTION IF EXISTS intent_internal._pg_intent_training_data_gone();
DROP FUNCTION IF EXISTS intent_internal._pg_intent_training_runs_gone();
DROP FUNCTION IF EXISTS intent_internal._pg_intent_intent_models_gone();

-- ---- Issue 33, point 1: one back-off for every classifier. intent's
-- ---- failed scheduled attempts move from ai_retrain_backoff_seq (0.2.1)
-- ---- into ai_classifier_retrain_failures, where every classifier's are
-- ---- (src/sql/54_retrain.sql); its attempt in progress is marked in a
-- ---- sequence of its own (schema/83 says why).
-- @include src/sql/schema/83_intent_retrain_attempt.sql
-- A back-off in progress survives the update: 0.3.1 kept the start of
-- intent's last failed scheduled run in microseconds since 1970 (0: none),
-- and that start becomes intent's failure, with its run's SQLSTATE and
-- error when the row is there (raising may have rolled it back). Whether it
-- still holds intent back is read as before (a run completed since ends it:
-- _pg_intent_retrain_failure_open()).
INSERT INTO @extschema@.ai_classifier_retrain_failures AS x (classifier, failed_at, rows_counted, sqlstate, error)
SELECT c.name, f.failed_at, NULL,
       r.metrics OPERATOR(pg_catalog.#>>) '{error,sqlstate}', pg_catalog."left"(r.error, 1000)
  FROM @extschema@.ai_classifiers AS c
 CROSS JOIN (SELECT '1970-01-01 00:00:00+00'::pg_catalog.timestamptz OPERATOR(pg_catalog.+)
                    (s.last_value OPERATOR(pg_catalog.*) '1 microsecond'::pg_catalog.interval) AS failed_at
               FROM @extschema@.ai_retrain_backoff_seq AS s
              WHERE s.last_value OPERATOR(pg_catalog.>) 0) AS f
  LEFT JOIN LATERAL (SELECT y.metrics, y.error FROM @extschema@.ai_training_runs AS y
                      WHERE y.started_at OPERATOR(pg_catalog.=) f.failed_at
                        AND y.status OPERATOR(pg_catalog.=) 'failed'
                      ORDER BY y.id LIMIT 1) AS r ON true
 WHERE c.built_in;
-- Nothing reads it now; its reader goes with it (the new one,
-- _pg_intent_retrain_failure_of(), follows in the code pieces). Out of the
-- extension first, so that its pg_extension_config_dump() entry goes too.
DROP FUNCTION intent_internal._pg_intent_retrain_failed_at();
ALTER EXTENSION pg_intent DROP SEQUENCE @extschema@.ai_retrain_backoff_seq;
DROP SEQUENCE @extschema@.ai_retrain_backoff_seq;

-- ---- The policy's time zone also reads a classifier's naive time_column
-- ---- (src/pg/as_owner.cpp): its comment says so, as a fresh install's.
COMMENT ON COLUMN @extschema@.ai_training_policy.snapshot_time_zone IS
    'The time zone create_metrics_snapshot() cuts hours, days, weeks and months in (whatever the session''s), so that every snapshot of a period type is cut alike; and the one a classifier''s time_column of type timestamp or date is read in, whoever trains or counts (0.3.2).';

-- The one rule for labels says which whitespace and control characters it
-- refuses (ASCII), and that it keeps every other character (its COMMENT,
-- as in src/sql/schema/00_intent_name.sql).
COMMENT ON FUNCTION @extschema@.is_valid_intent_name(text) IS
    'True when p_name may be an intent (a training label): not empty, no leading or trailing space (U+0020), no ASCII control character (1-31, 127), not "uncertain" (what classify_intent() answers when it abstains), at most 256 bytes. Any other character is kept as it is: a no-break space, a zero-width or bidirectional format character, a C1 control or a combining mark makes a different label that may look like another. NULL for NULL. The CHECK constraints on the intent columns and every reader of the training data use this one rule.';

-- A model row's sha256 and size_bytes follow its bytes
-- (src/sql/10_triggers.sql): the column's comment says so, as a fresh
-- install's.
COMMENT ON COLUMN @extschema@.ai_intent_models.sha256 IS
    'Hex SHA-256 of the serialized model. A change of model sets it, and size_bytes, from the new bytes (a trigger), so that every session loads them; setting model to NULL keeps both.';

-- ---- What a recorded decision needs (src/sql/schema/30_review_actions.sql):
-- ---- an approval a valid label, a rejection a reason that is not blank.
-- Earlier versions may have recorded others (0.2.0 approved rows without a
-- label and let a direct call reject without a reason; 0.3.1 took a reason
-- of tabs and line breaks). The update neither fails on them nor changes
-- them: added NOT VALID (new rows are checked at once), then validated where
-- no stored row breaks them, which leaves a fresh install's catalog;
-- otherwise a WARNING says how to finish, as 0.2.1 did for intent names.
ALTER TABLE @extschema@.ai_review_actions
    ADD CONSTRAINT ai_review_actions_approve_intent_check
        CHECK (action <> 'approve' OR (intent IS NOT NULL AND @extschema@.is_valid_intent_name(intent))) NOT VALID,
    ADD CONSTRAINT ai_review_actions_reject_reason_check
        CHECK (action <> 'reject' OR (reason IS NOT NULL AND reason ~ '[^[:space:]]')) NOT VALID;
DO $review_actions$
DECLARE
    r record;
    v_bad bigint;
BEGIN
    FOR r IN
        SELECT * FROM (VALUES
            ('ai_review_actions_approve_intent_check',
             'action = ''approve'' AND (intent IS NULL OR NOT is_valid_intent_name(intent))',
             'approvals recorded without a valid intent'),
            ('ai_review_actions_reject_reason_check',
             'action = ''reject'' AND (reason IS NULL OR reason !~ ''[^[:space:]]'')',
             'rejections recorded without a reason'))
            AS v (con, cond, what)
    LOOP
        EXECUTE pg_catalog.format('SELECT count(*) FROM @extschema@.ai_review_actions WHERE %s',
                                  pg_catalog.replace(r.cond, 'is_valid_intent_name', '@extschema@.is_valid_intent_name'))
           INTO v_bad;
        IF v_bad OPERATOR(pg_catalog.=) 0 THEN
            EXECUTE pg_catalog.format('ALTER TABLE @extschema@.ai_review_actions VALIDATE CONSTRAINT %I', r.con);
        ELSE
            RAISE WARNING 'pg_intent: ai_review_actions holds % %; constraint % is left NOT VALID',
                v_bad, r.what, r.con
                USING DETAIL = 'Earlier versions recorded them; new rows are checked all the same. A dump of this database restores into a fresh install only once the constraint is valid.',
                      HINT = pg_catalog.format('Find them with SELECT * FROM ai_review_actions WHERE %s; as the table''s owner, correct them where you know better (a rejection''s reason) or delete them, then run ALTER TABLE ai_review_actions VALIDATE CONSTRAINT %s.',
                                               r.cond, r.con);
        END IF;
    END LOOP;
END
$review_actions$;

-- A correction's original intent is the row's stored detection, set by the
-- server for every role but the owner (src/sql/10_triggers.sql): its
-- comment says so, as a fresh install's.
COMMENT ON COLUMN @extschema@.ai_intent_corrections.original_intent IS
    'Intent the assistant had detected: the row''s stored detected_intent when the correction was recorded. Set by the server for every role but the owner.';

-- snapshot_time_zone is read as the TimeZone setting reads it since 0.3.2
-- (_pg_intent_zone_trunc()): a stored abbreviation that names no zone
-- ('AEST', which AT TIME ZONE read through the session's
-- timezone_abbreviations) would fail every snapshot and every read of a
-- classifier's source. The policy keeps it (the new trigger checks only a
-- change), and the upgrade says so.
DO $snapshot_zone$
DECLARE
    v_zone text := (SELECT p.snapshot_time_zone FROM @extschema@.ai_training_policy AS p LIMIT 1);
    v_session_zone text := pg_catalog.current_setting('TimeZone');
BEGIN
    IF v_zone IS NULL THEN
        RETURN;
    END IF;
    BEGIN
        PERFORM pg_catalog.set_config('TimeZone', v_zone, true);
        PERFORM pg_catalog.set_config('TimeZone', v_session_zone, true);
    EXCEPTION WHEN invalid_parameter_value THEN
        RAISE WARNING 'pg_intent: ai_training_policy.snapshot_time_zone "%" is not a time zone the TimeZone setting accepts', v_zone
            USING DETAIL = 'Since 0.3.2 the zone is read as the TimeZone setting reads it: snapshots and the reads of classifiers'' sources fail until it is changed.',
                  HINT = 'UPDATE ai_training_policy SET snapshot_time_zone = ''Australia/Sydney''; (a name of pg_timezone_names or a POSIX zone)';
    END;
END
$snapshot_zone$;
