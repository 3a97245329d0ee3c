-- Migration from 0.1.0 to 0.2.0: what changes tables and their data, and
-- drops the functions and views whose signature or columns change (CREATE
-- OR REPLACE in the code pieces that follow cannot change those). Everything
-- here must leave the database exactly as a fresh 0.2.0 install would be;
-- test/scripts/upgrade.sh compares the two catalogs.

-- Before anything changes: objects of the user's that use a function this
-- update must drop (a view over predict_intent(), say) would stop it at the
-- first DROP FUNCTION with PostgreSQL's own error, which names one object,
-- blames an anonymous code block and suggests DROP ... CASCADE. Name every
-- one of them at once instead, with the way through. (The update is one
-- transaction: failing here changes nothing.) Views are not re-created
-- automatically: predict_intent()'s top_intents changes type, and a view
-- quietly re-created with a json column where its readers had jsonb is a
-- worse surprise than this error.
DO $dependents$
DECLARE
    v_list text;
BEGIN
    SELECT pg_catalog.string_agg(pg_catalog.format('%s uses %s', d.who, d.what), E'\n' ORDER BY d.who, d.what)
      INTO v_list
      FROM (SELECT DISTINCT
                   CASE WHEN dep.classid OPERATOR(pg_catalog.=) 'pg_catalog.pg_rewrite'::pg_catalog.regclass
                        THEN (SELECT pg_catalog.format('%s %s',
                                         CASE c.relkind WHEN 'm' THEN 'materialized view' ELSE 'view' END,
                                         c.oid::pg_catalog.regclass)
                                FROM pg_catalog.pg_rewrite AS rw
                                JOIN pg_catalog.pg_class AS c ON c.oid OPERATOR(pg_catalog.=) rw.ev_class
                               WHERE rw.oid OPERATOR(pg_catalog.=) dep.objid)
                        ELSE pg_catalog.pg_describe_object(dep.classid, dep.objid, dep.objsubid) END AS who,
                   p.oid::pg_catalog.regprocedure::text AS what
              FROM pg_catalog.pg_depend AS dep
              JOIN pg_catalog.pg_proc AS p ON p.oid OPERATOR(pg_catalog.=) dep.refobjid
             WHERE dep.refclassid OPERATOR(pg_catalog.=) 'pg_catalog.pg_proc'::pg_catalog.regclass
               AND dep.deptype OPERATOR(pg_catalog.=) 'n'
               AND p.oid OPERATOR(pg_catalog.=) ANY (ARRAY[
                       '@extschema@.predict_intent(text)'::pg_catalog.regprocedure,
                       '@extschema@.predict_intent(text, bigint)'::pg_catalog.regprocedure,
                       '@extschema@.create_metrics_snapshot(text)'::pg_catalog.regprocedure,
                       '@extschema@.retrain_if_needed()'::pg_catalog.regprocedure,
                       '@extschema@.training_report(uuid)'::pg_catalog.regprocedure,
                       '@extschema@._pg_intent_training_lock_key()'::pg_catalog.regprocedure]::pg_catalog.oid[])
               -- the extension's own objects are dropped or replaced with it
               AND NOT EXISTS (SELECT FROM pg_catalog.pg_depend AS member
                                WHERE member.classid OPERATOR(pg_catalog.=) dep.classid
                                  AND member.objid OPERATOR(pg_catalog.=) dep.objid
                                  AND member.deptype OPERATOR(pg_catalog.=) 'e')
               AND NOT EXISTS (SELECT FROM pg_catalog.pg_rewrite AS rw
                                 JOIN pg_catalog.pg_depend AS member
                                   ON member.classid OPERATOR(pg_catalog.=) 'pg_catalog.pg_class'::pg_catalog.regclass
                                  AND member.objid OPERATOR(pg_catalog.=) rw.ev_class
                                  AND member.deptype OPERATOR(pg_catalog.=) 'e'
                                WHERE dep.classid OPERATOR(pg_catalog.=) 'pg_catalog.pg_rewrite'::pg_catalog.regclass
                                  AND rw.oid OPERATOR(pg_catalog.=) dep.objid)) AS d;
    IF v_list IS NOT NULL THEN
        RAISE EXCEPTION 'pg_intent 0.2.0 changes functions that objects of this database use'
            USING ERRCODE = 'dependent_objects_still_exist',
                  DETAIL = v_list || E'\npredict_intent() returns the row type intent_prediction (the same columns; top_intents as json instead of jsonb, most probable intent first); '
                           'create_metrics_snapshot(), retrain_if_needed() and training_report() gain a parameter with a default.',
                  HINT = 'Nothing was changed. Save the definitions of these objects (pg_get_viewdef() for a view), drop them '
                         '(and what depends on them), run ALTER EXTENSION pg_intent UPDATE again and create them again. Until then 0.1.0''s functions '
                         'keep working with the new library.';
    END IF;
END
$dependents$;

-- Triggers on the extension's tables that run a function of a role that is
-- not a superuser. 0.1.0 left the owner's default privileges on its tables
-- (on Supabase, ALL, TRIGGER included, for every logged-in user), which this
-- update revokes; a trigger made with them would stay. A trigger runs its
-- functions (and those of its WHEN clause) with the rights of whoever changes
-- the table, and training and deployment change these tables as the
-- extension's owner: such a function, which its owner may replace at any
-- time, would run as a superuser. Stop before anything changes and name each
-- one. (A SECURITY DEFINER function runs as its owner anyway; a disabled
-- trigger does not run.)
DO $foreign_triggers$
DECLARE
    v_list text;
BEGIN
    WITH ours AS (
        SELECT d.classid, d.objid FROM pg_catalog.pg_depend AS d
         WHERE d.refclassid OPERATOR(pg_catalog.=) 'pg_catalog.pg_extension'::pg_catalog.regclass
           AND d.deptype OPERATOR(pg_catalog.=) 'e'
           AND d.refobjid OPERATOR(pg_catalog.=) (SELECT e.oid FROM pg_catalog.pg_extension AS e
                                                   WHERE e.extname OPERATOR(pg_catalog.=) 'pg_intent')
    ), triggers AS (
        SELECT tg.oid, tg.tgname, tg.tgrelid, tg.tgfoid
          FROM pg_catalog.pg_trigger AS tg
         WHERE tg.tgrelid OPERATOR(pg_catalog.=) ANY (ARRAY(
                   SELECT o.objid FROM ours AS o
                    WHERE o.classid OPERATOR(pg_catalog.=) 'pg_catalog.pg_class'::pg_catalog.regclass))
           AND NOT tg.tgisinternal
           AND tg.tgenabled OPERATOR(pg_catalog.<>) 'D'
    ), uses AS (
        -- what each trigger runs: its function, and what its WHEN clause
        -- names (functions, operators, types: a domain's constraints run too)
        SELECT t.oid AS tgoid, 'pg_catalog.pg_proc'::pg_catalog.regclass AS classid, t.tgfoid AS objid
          FROM triggers AS t
        UNION
        SELECT t.oid, dep.refclassid, dep.refobjid
          FROM triggers AS t
          JOIN pg_catalog.pg_depend AS dep
            ON dep.classid OPERATOR(pg_catalog.=) 'pg_catalog.pg_trigger'::pg_catalog.regclass
           AND dep.objid OPERATOR(pg_catalog.=) t.oid
    ), foreign_code AS (
        SELECT u.tgoid, pg_catalog.format('runs %s', p.oid::pg_catalog.regprocedure) AS what, p.proowner AS owner
          FROM uses AS u
          JOIN pg_catalog.pg_operator AS op
            ON u.classid OPERATOR(pg_catalog.=) 'pg_catalog.pg_operator'::pg_catalog.regclass
           AND op.oid OPERATOR(pg_catalog.=) u.objid
          JOIN pg_catalog.pg_proc AS p ON p.oid OPERATOR(pg_catalog.=) op.oprcode::pg_catalog.oid
         WHERE NOT p.prosecdef
        UNION
        SELECT u.tgoid, pg_catalog.format('runs %s', p.oid::pg_catalog.regprocedure), p.proowner
          FROM uses AS u
          JOIN pg_catalog.pg_proc AS p
            ON u.classid OPERATOR(pg_catalog.=) 'pg_catalog.pg_proc'::pg_catalog.regclass
           AND p.oid OPERATOR(pg_catalog.=) u.objid
         WHERE NOT p.prosecdef
           AND NOT EXISTS (SELECT FROM ours AS o
                            WHERE o.classid OPERATOR(pg_catalog.=) 'pg_catalog.pg_proc'::pg_catalog.regclass
                              AND o.objid OPERATOR(pg_catalog.=) p.oid)
        UNION
        SELECT u.tgoid, pg_catalog.format('uses type %s', ty.oid::pg_catalog.regtype), ty.typowner
          FROM uses AS u
          JOIN pg_catalog.pg_type AS ty
            ON u.classid OPERATOR(pg_catalog.=) 'pg_catalog.pg_type'::pg_catalog.regclass
           AND ty.oid OPERATOR(pg_catalog.=) u.objid
    )
    SELECT pg_catalog.string_agg(pg_catalog.format('trigger %I on %s %s of %s', t.tgname, t.tgrelid::pg_catalog.regclass,
                                                   f.what, f.owner::pg_catalog.regrole),
                                 E'\n' ORDER BY t.tgrelid::pg_catalog.regclass::text, t.tgname, f.what)
      INTO v_list
      FROM foreign_code AS f
      JOIN triggers AS t ON t.oid OPERATOR(pg_catalog.=) f.tgoid
      JOIN pg_catalog.pg_roles AS r ON r.oid OPERATOR(pg_catalog.=) f.owner
     WHERE NOT r.rolsuper;
    IF v_list IS NOT NULL THEN
        RAISE EXCEPTION 'pg_intent 0.2.0 does not update while triggers on its tables run code of roles that are not superusers'
            USING ERRCODE = 'object_not_in_prerequisite_state',
                  DETAIL = v_list || E'\nA trigger runs its functions with the rights of whoever changes the table; training '
                           'and deployment change these tables as the extension''s owner, a superuser. 0.1.0 left the '
                           'owner''s default privileges (TRIGGER among them) on its tables; this update revokes them.',
                  HINT = 'Nothing was changed. Drop the triggers you did not create (DROP TRIGGER name ON table). For '
                         'your own, after reading what they run, make the function SECURITY DEFINER (it then runs as its '
                         'owner) or have a superuser own it; then run ALTER EXTENSION pg_intent UPDATE again.';
    END IF;
END
$foreign_triggers$;

-- 0.1.0's foreign keys between the extension's tables go: pg_restore -j
-- loaded the tables' rows in any order and lost those that failed them
-- (src/sql/12_references.sql keeps what they did on delete, with triggers).
DO $foreign_keys$
DECLARE
    r record;
BEGIN
    FOR r IN WITH ours AS (
                 SELECT d.objid FROM pg_catalog.pg_depend AS d
                  WHERE d.classid OPERATOR(pg_catalog.=) 'pg_catalog.pg_class'::pg_catalog.regclass
                    AND d.refclassid OPERATOR(pg_catalog.=) 'pg_catalog.pg_extension'::pg_catalog.regclass
                    AND d.deptype OPERATOR(pg_catalog.=) 'e'
                    AND d.refobjid OPERATOR(pg_catalog.=) (SELECT e.oid FROM pg_catalog.pg_extension AS e
                                                            WHERE e.extname OPERATOR(pg_catalog.=) 'pg_intent'))
             SELECT c.conname, c.conrelid::pg_catalog.regclass AS rel
               FROM pg_catalog.pg_constraint AS c
              WHERE c.contype OPERATOR(pg_catalog.=) 'f'
                AND c.conrelid OPERATOR(pg_catalog.=) ANY (ARRAY(SELECT o.objid FROM ours AS o))
                AND c.confrelid OPERATOR(pg_catalog.=) ANY (ARRAY(SELECT o.objid FROM ours AS o))
              ORDER BY 2, 1
    LOOP
        EXECUTE pg_catalog.format('ALTER TABLE %s DROP CONSTRAINT %I', r.rel, r.conname);
    END LOOP;
END
$foreign_keys$;

-- The advisory lock key of 0.1.0 is gone: training and deployment now take
-- locks on the extension's own catalog entry, which no other role can hold.
DROP FUNCTION @extschema@._pg_intent_training_lock_key();

-- Functions whose result or parameters change, which CREATE OR REPLACE
-- cannot do: each is dropped and created again (with a placeholder body that
-- the code pieces below replace) and given back exactly the privileges it
-- had, so that an upgrade neither widens nor narrows access.
--   predict_intent: top_intents becomes json (most probable first), and the
--     result the row type intent_prediction (same columns);
--   create_metrics_snapshot: p_period_start, to freeze past periods;
--   retrain_if_needed: p_raise_on_failure, for pg_cron;
--   training_report: p_format, for the HTML page.
-- predict_intent() returns this row type instead of OUT parameters.
-- @include src/sql/schema/40_intent_prediction.sql

DO $migration$
DECLARE
    r record;
    g record;
    v_acl aclitem[];
    v_owner oid;
BEGIN
    FOR r IN
        SELECT * FROM (VALUES
            ('@extschema@.predict_intent(text)', '@extschema@.predict_intent(text)',
             $f$CREATE FUNCTION @extschema@.predict_intent(p_message text) RETURNS @extschema@.intent_prediction
                LANGUAGE sql AS 'SELECT NULL::@extschema@.intent_prediction'$f$),
            ('@extschema@.predict_intent(text, bigint)', '@extschema@.predict_intent(text, bigint)',
             $f$CREATE FUNCTION @extschema@.predict_intent(p_message text, p_model_id bigint)
                RETURNS @extschema@.intent_prediction LANGUAGE sql AS 'SELECT NULL::@extschema@.intent_prediction'$f$),
            ('@extschema@.create_metrics_snapshot(text)', '@extschema@.create_metrics_snapshot(text, timestamptz)',
             $f$CREATE FUNCTION @extschema@.create_metrics_snapshot(p_period_type text DEFAULT 'daily',
                    p_period_start timestamptz DEFAULT NULL) RETURNS jsonb LANGUAGE sql AS 'SELECT NULL::jsonb'$f$),
            ('@extschema@.retrain_if_needed()', '@extschema@.retrain_if_needed(boolean)',
             $f$CREATE FUNCTION @extschema@.retrain_if_needed(p_raise_on_failure boolean DEFAULT false)
                RETURNS jsonb LANGUAGE sql AS 'SELECT NULL::jsonb'$f$),
            ('@extschema@.training_report(uuid)', '@extschema@.training_report(uuid, text)',
             $f$CREATE FUNCTION @extschema@.training_report(p_run_id uuid DEFAULT NULL, p_format text DEFAULT 'markdown')
                RETURNS text LANGUAGE sql AS 'SELECT NULL::text'$f$)
        ) AS v(old_signature, new_signature, create_statement)
    LOOP
        SELECT p.proacl, p.proowner INTO v_acl, v_owner FROM pg_catalog.pg_proc AS p
         WHERE p.oid OPERATOR(pg_catalog.=) r.old_signature::regprocedure;
        EXECUTE 'DROP FUNCTION ' || r.old_signature;
        EXECUTE r.create_statement;
        EXECUTE 'REVOKE ALL ON FUNCTION ' || r.new_signature || ' FROM PUBLIC';
        FOR g IN SELECT * FROM pg_catalog.aclexplode(coalesce(v_acl, pg_catalog.acldefault('f', v_owner))) LOOP
            EXECUTE pg_catalog.format('GRANT %s ON FUNCTION %s TO %s%s', g.privilege_type, r.new_signature,
                                      CASE WHEN g.grantee OPERATOR(pg_catalog.=) 0 THEN 'PUBLIC' ELSE g.grantee::regrole::text END,
                                      CASE WHEN g.is_grantable THEN ' WITH GRANT OPTION' ELSE '' END);
        END LOOP;
    END LOOP;
END
$migration$;

-- train_intent_model() is now a C function that checks its caller's
-- privileges and runs the training as the owner (CREATE OR REPLACE below
-- changes its language and keeps its grants).

-- Models: delete_intent_model() removes an old model's bytes and keeps its row.
ALTER TABLE @extschema@.ai_intent_models ALTER COLUMN model DROP NOT NULL;
ALTER TABLE @extschema@.ai_intent_models ADD COLUMN deleted_at timestamptz;
COMMENT ON COLUMN @extschema@.ai_intent_models.model IS
    'The serialized model; intent_model_info() describes it. NULL once delete_intent_model() removed it.';
COMMENT ON COLUMN @extschema@.ai_intent_models.deleted_at IS
    'When delete_intent_model() removed the model bytes; the row stays for the history.';

-- should_retrain() counts the rows corrected since the last run as new
-- (src/sql/schema/00_tables.sql).
CREATE INDEX ai_training_data_corrected_at_idx ON @extschema@.ai_training_data (corrected_at)
    WHERE corrected_at IS NOT NULL;

-- Runs: new reasons not to deploy, and what the decision compared.
ALTER TABLE @extschema@.ai_training_runs DROP CONSTRAINT ai_training_runs_deploy_reason_check;
ALTER TABLE @extschema@.ai_training_runs ADD CONSTRAINT ai_training_runs_deploy_reason_check
    CHECK (deploy_reason IN ('first', 'improved', 'within_tolerance', 'manual', 'regression', 'never',
                             'untested', 'baseline_changed', 'insufficient_evidence', 'tie'));
COMMENT ON COLUMN @extschema@.ai_training_runs.deploy_reason IS
    'first, improved, within_tolerance or manual when deployed; regression, never, untested (no evaluation rows), baseline_changed (another model was deployed while the run trained), insufficient_evidence (nothing to compare the active model with) or tie (right on exactly as many fresh rows as the active model, macro F1 no higher) when not.';
ALTER TABLE @extschema@.ai_training_runs ADD COLUMN deploy_evidence text
    CONSTRAINT ai_training_runs_deploy_evidence_check CHECK (deploy_evidence IN ('fresh_rows', 'estimates', 'none'));
COMMENT ON COLUMN @extschema@.ai_training_runs.deploy_evidence IS
    'What the deploy rule compared: fresh_rows (both models on reviewed rows the active model never trained on), estimates (too few such rows: the new model''s out-of-fold F1 against the active model''s recorded estimate) or none (first, manual or never).';

-- 0.1.0's script resolved operators through the target schema (0.2.0's pins
-- search_path): its CHECK on confidence_threshold compares double precision
-- with integer, so a role that could create objects in that schema may have
-- had its own >=(double precision, integer) bound into it, run at every model
-- insert. Recreate it bound to pg_catalog's. (The views 0.1.0 created are
-- replaced below, which rebinds them the same way.)
ALTER TABLE @extschema@.ai_intent_models
    DROP CONSTRAINT ai_intent_models_confidence_threshold_check,
    ADD CONSTRAINT ai_intent_models_confidence_threshold_check
        CHECK (confidence_threshold BETWEEN 0::double precision AND 1::double precision);

-- The training policy moves from session settings, which the caller of a
-- privileged function could change, to a table. It starts with the values
-- the upgrading session sees (ALTER DATABASE / ALTER ROLE / postgresql.conf
-- settings of 0.1.0 carry over); an out-of-range value keeps the default.
-- @include src/sql/schema/10_training_policy.sql
UPDATE @extschema@.ai_training_policy AS p SET
    min_samples_for_training = coalesce((SELECT v FROM (SELECT pg_catalog.current_setting('pg_intent.min_samples_for_training', true)) AS s(t),
                                          LATERAL (SELECT CASE WHEN s.t ~ '^\s*[0-9]{1,9}\s*$' AND s.t::integer >= 2 THEN s.t::integer END) AS x(v)),
                                         p.min_samples_for_training),
    auto_retrain_threshold = coalesce((SELECT v FROM (SELECT pg_catalog.current_setting('pg_intent.auto_retrain_threshold', true)) AS s(t),
                                        LATERAL (SELECT CASE WHEN s.t ~ '^\s*[0-9]{1,9}\s*$' AND s.t::integer >= 1 THEN s.t::integer END) AS x(v)),
                                       p.auto_retrain_threshold),
    max_f1_regression = coalesce((SELECT v FROM (SELECT pg_catalog.current_setting('pg_intent.max_f1_regression', true)) AS s(t),
                                   LATERAL (SELECT CASE WHEN s.t ~ '^\s*[0-9.eE+-]{1,30}\s*$' AND s.t::float8 BETWEEN 0::float8 AND 1::float8 THEN s.t::float8 END) AS x(v)),
                                  p.max_f1_regression),
    corrected_weight = coalesce((SELECT v FROM (SELECT pg_catalog.current_setting('pg_intent.corrected_weight', true)) AS s(t),
                                  LATERAL (SELECT CASE WHEN s.t ~ '^\s*[0-9.eE+-]{1,30}\s*$' AND s.t::float4 BETWEEN 0.01::float4 AND 1000::float4 THEN s.t::float4 END) AS x(v)),
                                 p.corrected_weight);

-- Training records which rows (and labels) each run read in a table of its
-- own instead of rewriting dataset_status to used_in_training, which erased
-- what reviewers had set. 0.1.0 recorded no such list, so runs of 0.1.0 have
-- none.
-- @include src/sql/schema/20_training_run_rows.sql

-- Give back the review state 0.1.0 overwrote where the row shows it: a row a
-- human corrected or judged was reviewed; any other row marked
-- used_in_training goes back to pending. (0.1.0 kept no record of an
-- 'approved' it overwrote.) updated_at keeps its value.
--
-- These rewrites, and those of the stored examples below, restore the
-- extension's own bookkeeping, so no trigger on these tables fires for them:
-- not the extension's (updated_at stays), and not the user's, which would run
-- under this script's pinned search_path (pg_catalog, pg_temp), where a
-- trigger function that names its tables unqualified fails and stops the
-- update, and whose audit of the update's own rewrites is not what they were
-- written for. Each trigger that would fire is disabled here and given back
-- its exact state (enabled or always) after the rewrites; a WARNING names
-- each of the user's (a trigger whose function is not the extension's).
DO $user_triggers$
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
     WHERE tg.tgrelid OPERATOR(pg_catalog.=) ANY (ARRAY['@extschema@.ai_training_data'::pg_catalog.regclass,
                                                        '@extschema@.ai_training_runs'::pg_catalog.regclass,
                                                        '@extschema@.ai_intent_models'::pg_catalog.regclass]::pg_catalog.oid[])
       AND NOT tg.tgisinternal
       AND tg.tgenabled OPERATOR(pg_catalog.=) ANY (ARRAY['O', 'A']::"char"[]);
    FOR r IN SELECT e ->> 'rel' AS rel, e ->> 'name' AS name, (e ->> 'ours')::boolean AS ours
               FROM pg_catalog.jsonb_array_elements(v_saved) AS a(e) LOOP
        EXECUTE pg_catalog.format('ALTER TABLE %s DISABLE TRIGGER %I', r.rel, r.name);
        IF NOT r.ours THEN
            RAISE WARNING 'trigger % on % does not fire for the update''s rewrite of the extension''s bookkeeping', r.name, r.rel;
        END IF;
    END LOOP;
    PERFORM pg_catalog.set_config('pg_intent_upgrade.user_triggers', coalesce(v_saved, '[]'::jsonb)::text, true);
END
$user_triggers$;
UPDATE @extschema@.ai_training_data AS t
   SET dataset_status = CASE WHEN t.corrected_by_human OR t.intent_correct IS NOT NULL THEN 'reviewed' ELSE 'pending' END
 WHERE t.dataset_status = 'used_in_training';

-- Review actions: approve_training_sample() and reject_training_sample()
-- record each decision.
-- @include src/sql/schema/30_review_actions.sql

-- Stored reports name misclassified rows by their ai_training_data id, not
-- by their text: a role that may read runs or models but not the messages
-- (row-level security, column grants) then learns nothing of them, and
-- training_report() reads each text with its reader's rights. 0.1.0 stored
-- the texts; each becomes the id of the oldest row with that text and label
-- (or no id, where that row is gone).
CREATE FUNCTION @extschema@._pg_intent_misclassified_ids(p_items jsonb)
RETURNS jsonb
LANGUAGE sql STABLE
SET search_path = pg_catalog, pg_temp
AS $$
    SELECT coalesce(jsonb_agg(CASE WHEN a.x ? 'text' THEN
                                  (a.x - 'text') || coalesce(jsonb_build_object('training_data_id', (
                                      SELECT d.id FROM @extschema@.ai_training_data AS d
                                       WHERE d.user_message OPERATOR(pg_catalog.=) (a.x ->> 'text')
                                         AND coalesce(d.correct_intent, d.detected_intent) OPERATOR(pg_catalog.=) (a.x ->> 'expected')
                                       ORDER BY d.created_at, d.id LIMIT 1)), '{}'::jsonb)
                              ELSE a.x END ORDER BY a.n), '[]'::jsonb)
      FROM jsonb_array_elements(p_items) WITH ORDINALITY AS a(x, n)
$$;
UPDATE @extschema@.ai_training_runs AS r
   SET metrics = pg_catalog.jsonb_set(r.metrics, '{metrics,misclassified}'::text[],
                           @extschema@._pg_intent_misclassified_ids(r.metrics #> '{metrics,misclassified}'::text[]))
 WHERE pg_catalog.jsonb_typeof(r.metrics #> '{metrics,misclassified}'::text[]) = 'array';
UPDATE @extschema@.ai_intent_models AS m
   SET metrics = pg_catalog.jsonb_set(m.metrics, '{misclassified}'::text[],
                           @extschema@._pg_intent_misclassified_ids(m.metrics -> 'misclassified'))
 WHERE pg_catalog.jsonb_typeof(m.metrics -> 'misclassified') = 'array';
DROP FUNCTION @extschema@._pg_intent_misclassified_ids(jsonb);

-- The triggers fire again, each as it did before.
DO $user_triggers$
DECLARE
    r record;
BEGIN
    FOR r IN SELECT e ->> 'rel' AS rel, e ->> 'name' AS name, e ->> 'mode' AS mode
               FROM pg_catalog.jsonb_array_elements(pg_catalog.current_setting('pg_intent_upgrade.user_triggers')::jsonb) AS a(e)
    LOOP
        EXECUTE pg_catalog.format('ALTER TABLE %s ENABLE %s TRIGGER %I', r.rel,
                                  CASE WHEN r.mode OPERATOR(pg_catalog.=) 'A' THEN 'ALWAYS' ELSE '' END, r.name);
    END LOOP;
END
$user_triggers$;
