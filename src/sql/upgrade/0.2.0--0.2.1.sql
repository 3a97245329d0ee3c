-- Migration from 0.2.0 to 0.2.1: what changes tables and their data, and
-- drops the functions and views whose signature or columns change (CREATE
-- OR REPLACE in the code pieces that follow cannot change those). Everything
-- here must leave the database exactly as a fresh 0.2.1 install would be;
-- test/scripts/upgrade.sh compares the two catalogs. 0.1.0 databases reach
-- this script through the frozen sql/pg_intent--0.1.0--0.2.0.sql.


-- ---------------------------------------------------------------------------
-- Exposure (shadow messages, internal functions)
-- ---------------------------------------------------------------------------
-- ai_shadow_predictions no longer holds message text: the recipe lets every
-- reviewer read it, and row-level security on ai_training_data did not hide
-- the copy. Loses nothing, leaks nothing: a text that is its linked row's
-- message is in ai_training_data already and is dropped; every other text (a
-- call without a linked row, or with another text) moves to
-- ai_shadow_legacy_messages, which only the owner reads.
-- @include src/sql/schema/50_shadow_legacy_messages.sql
INSERT INTO @extschema@.ai_shadow_legacy_messages (shadow_id, training_data_id, message, created_at)
SELECT s.id, s.training_data_id, s.message, s.created_at
  FROM @extschema@.ai_shadow_predictions AS s
 WHERE NOT EXISTS (SELECT FROM @extschema@.ai_training_data AS d
                    WHERE d.id OPERATOR(pg_catalog.=) s.training_data_id
                      AND d.user_message OPERATOR(pg_catalog.=) s.message);
-- 0.2.0's ai_shadow_agreement read sp.* and so depends on the column: an
-- empty stand-in with the same columns replaces its query (CREATE OR REPLACE
-- keeps the grants administrators gave on it) until 58_shadow.sql, which
-- follows, defines it again.
CREATE OR REPLACE VIEW @extschema@.ai_shadow_agreement WITH (security_invoker = true) AS
SELECT NULL::bigint AS challenger_model_id, NULL::text AS challenger_version,
       NULL::bigint[] AS champion_model_ids, NULL::bigint AS predictions, NULL::bigint AS agreements,
       NULL::numeric AS agreement_rate, NULL::bigint AS labelled, NULL::bigint AS champion_correct,
       NULL::bigint AS challenger_correct, NULL::numeric AS champion_accuracy,
       NULL::numeric AS challenger_accuracy, NULL::text AS better_model,
       NULL::timestamptz AS first_at, NULL::timestamptz AS last_at
 WHERE false;
ALTER TABLE @extschema@.ai_shadow_predictions DROP COLUMN message;
COMMENT ON TABLE @extschema@.ai_shadow_predictions IS
    'One row per shadow_predict() call: what the active (champion) model and a challenger model predicted for the same message, and whether they agreed. The message is not stored: a call linked to an ai_training_data row (training_data_id) reads it there, with the reader''s rights.';

-- The review functions' argument checks moved into _pg_intent_review(), so
-- that no caller skips them.
DROP FUNCTION @extschema@._pg_intent_review_checked(uuid[], text, text, uuid);


-- ======== What roles planted while 0.1.0 left the tables open ========
-- 0.1.0 kept the owner's default privileges on its tables and sequences (on
-- Supabase, ALL for every logged-in user): TRIGGER let a role put its
-- trigger on the extension's tables, UPDATE let it setval() a sequence
-- (ai_intent_models_id_seq at its maximum fails every training with 2200H).
-- 0.2.0 revoked those privileges but kept what was done with them, and named
-- triggers only generically. Every upgrade to 0.2.1 (from 0.1.0 through
-- 0.2.0, or from 0.2.0) now names each trigger that is not the extension's
-- and the grants that allow making one, and checks every sequence. These run
-- as the extension's owner, in this script only.

-- Who may do `p_privileges` on relation `p_rel` besides superusers, and by
-- which grant: its owner, the roles its ACL grants them to, and the roles the
-- owner's default privileges grant them to (0.1.0 kept those on its objects;
-- 0.2.0 and later revoke them, so they name who held them before). A grantee
-- that `p_member` is a member of is marked. Dropped at the end of this piece.
CREATE FUNCTION @extschema@._pg_intent_upgrade_grants(p_rel regclass, p_privileges text[], p_member oid)
RETURNS text
LANGUAGE sql STABLE
SET search_path = pg_catalog, pg_temp
AS $$
    WITH rel AS (
        SELECT c.oid, c.relowner, c.relnamespace, c.relacl,
               CASE WHEN c.relkind OPERATOR(pg_catalog.=) 'S' THEN 'S' ELSE 'r' END::"char" AS kind
          FROM pg_class AS c WHERE c.oid OPERATOR(pg_catalog.=) p_rel
    ), holders AS (
        SELECT a.grantee, pg_catalog.format('%s granted', a.privilege_type) AS how
          FROM rel AS r,
               aclexplode(coalesce(r.relacl, acldefault(CASE WHEN r.kind OPERATOR(pg_catalog.=) 'S' THEN 's' ELSE 'r' END::"char",
                                                        r.relowner))) AS a
         WHERE a.privilege_type OPERATOR(pg_catalog.=) ANY (p_privileges)
           AND a.grantee OPERATOR(pg_catalog.<>) r.relowner
        UNION
        SELECT a.grantee, pg_catalog.format('%s by the default privileges of %s', a.privilege_type, r.relowner::regrole)
          FROM rel AS r
          JOIN pg_default_acl AS d
            ON d.defaclrole OPERATOR(pg_catalog.=) r.relowner
           AND d.defaclnamespace OPERATOR(pg_catalog.=) ANY (ARRAY[0::oid, r.relnamespace])
           AND d.defaclobjtype OPERATOR(pg_catalog.=) r.kind,
               aclexplode(d.defaclacl) AS a
         WHERE a.privilege_type OPERATOR(pg_catalog.=) ANY (p_privileges)
           AND a.grantee OPERATOR(pg_catalog.<>) r.relowner
    ), roles AS (
        SELECT h.grantee, string_agg(h.how, ', ' ORDER BY h.how) AS how FROM holders AS h GROUP BY h.grantee
    )
    SELECT pg_catalog.format('%s (owner)', r.relowner::regrole)
           OPERATOR(pg_catalog.||) coalesce(', ' OPERATOR(pg_catalog.||) (
                  SELECT string_agg(pg_catalog.format('%s (%s%s)',
                                        CASE WHEN g.grantee OPERATOR(pg_catalog.=) 0 THEN 'PUBLIC' ELSE g.grantee::regrole::text END,
                                        g.how,
                                        CASE WHEN p_member IS NOT NULL AND g.grantee OPERATOR(pg_catalog.<>) p_member
                                                  AND NOT (SELECT m.rolsuper FROM pg_roles AS m WHERE m.oid OPERATOR(pg_catalog.=) p_member)
                                                  AND CASE WHEN g.grantee OPERATOR(pg_catalog.=) 0 THEN true
                                                           ELSE pg_has_role(p_member, g.grantee, 'USAGE') END
                                             THEN pg_catalog.format('; %s is a member', p_member::regrole)
                                             WHEN g.grantee OPERATOR(pg_catalog.=) p_member THEN '; the function''s owner'
                                             ELSE '' END),
                                    ', ' ORDER BY g.grantee::regrole::text)
                    FROM roles AS g), '')
      FROM rel AS r
$$;

-- Every trigger on the extension's tables and views that is not the
-- extension's (its function, or what its WHEN clause runs, is another's):
-- a WARNING each, naming the table, the trigger, what it runs and whose that
-- is, and who may create triggers there. As in the 0.1.0 -> 0.2.0 update,
-- the update stops first (55000, nothing changed) while an enabled one runs
-- a function of a role that is not a superuser, not SECURITY DEFINER (or a
-- type such a role owns): training and deployment change these tables as the
-- owner, a superuser, and would run that code with the owner's rights.
DO $foreign_triggers$
DECLARE
    v_found jsonb;
    v_refused text;
    r record;
BEGIN
    WITH ours AS (
        SELECT d.classid, d.objid FROM pg_catalog.pg_depend AS d
         WHERE d.refclassid OPERATOR(pg_catalog.=) 'pg_catalog.pg_extension'::pg_catalog.regclass
           AND d.deptype OPERATOR(pg_catalog.=) 'e'
           AND d.refobjid OPERATOR(pg_catalog.=) (SELECT e.oid FROM pg_catalog.pg_extension AS e
                                                   WHERE e.extname OPERATOR(pg_catalog.=) 'pg_intent')
    ), triggers AS (
        SELECT tg.oid, tg.tgname, tg.tgrelid, tg.tgfoid, tg.tgenabled
          FROM pg_catalog.pg_trigger AS tg
         WHERE tg.tgrelid OPERATOR(pg_catalog.=) ANY (ARRAY(
                   SELECT o.objid FROM ours AS o
                    WHERE o.classid OPERATOR(pg_catalog.=) 'pg_catalog.pg_class'::pg_catalog.regclass))
           AND NOT tg.tgisinternal
    ), uses AS (
        -- what each trigger runs: its function, and what its WHEN clause
        -- names (functions, operators, types: a domain's constraints run too)
        SELECT t.oid AS tgoid, 'pg_catalog.pg_proc'::pg_catalog.regclass AS classid, t.tgfoid AS objid, true AS is_function
          FROM triggers AS t
        UNION
        SELECT t.oid, dep.refclassid, dep.refobjid, false
          FROM triggers AS t
          JOIN pg_catalog.pg_depend AS dep
            ON dep.classid OPERATOR(pg_catalog.=) 'pg_catalog.pg_trigger'::pg_catalog.regclass
           AND dep.objid OPERATOR(pg_catalog.=) t.oid
         WHERE NOT (dep.refclassid OPERATOR(pg_catalog.=) 'pg_catalog.pg_proc'::pg_catalog.regclass
                    AND dep.refobjid OPERATOR(pg_catalog.=) t.tgfoid)
    ), code AS (
        -- what is not the extension's and not PostgreSQL's own in WHEN clauses
        SELECT u.tgoid, u.is_function, pg_catalog.format('%s', p.oid::pg_catalog.regprocedure) AS what,
               p.proowner AS owner, p.prosecdef AS secdef
          FROM uses AS u
          JOIN pg_catalog.pg_proc AS p
            ON u.classid OPERATOR(pg_catalog.=) 'pg_catalog.pg_proc'::pg_catalog.regclass
           AND p.oid OPERATOR(pg_catalog.=) u.objid
         WHERE NOT EXISTS (SELECT FROM ours AS o
                            WHERE o.classid OPERATOR(pg_catalog.=) 'pg_catalog.pg_proc'::pg_catalog.regclass
                              AND o.objid OPERATOR(pg_catalog.=) p.oid)
           AND (u.is_function OR p.pronamespace OPERATOR(pg_catalog.<>) 'pg_catalog'::pg_catalog.regnamespace)
        UNION
        SELECT u.tgoid, false, pg_catalog.format('%s', p.oid::pg_catalog.regprocedure), p.proowner, p.prosecdef
          FROM uses AS u
          JOIN pg_catalog.pg_operator AS op
            ON u.classid OPERATOR(pg_catalog.=) 'pg_catalog.pg_operator'::pg_catalog.regclass
           AND op.oid OPERATOR(pg_catalog.=) u.objid
          JOIN pg_catalog.pg_proc AS p ON p.oid OPERATOR(pg_catalog.=) op.oprcode::pg_catalog.oid
         WHERE op.oprnamespace OPERATOR(pg_catalog.<>) 'pg_catalog'::pg_catalog.regnamespace
        UNION
        SELECT u.tgoid, false, pg_catalog.format('type %s', ty.oid::pg_catalog.regtype), ty.typowner, false
          FROM uses AS u
          JOIN pg_catalog.pg_type AS ty
            ON u.classid OPERATOR(pg_catalog.=) 'pg_catalog.pg_type'::pg_catalog.regclass
           AND ty.oid OPERATOR(pg_catalog.=) u.objid
         WHERE ty.typnamespace OPERATOR(pg_catalog.<>) 'pg_catalog'::pg_catalog.regnamespace
           AND NOT EXISTS (SELECT FROM ours AS o
                            WHERE o.classid OPERATOR(pg_catalog.=) 'pg_catalog.pg_type'::pg_catalog.regclass
                              AND o.objid OPERATOR(pg_catalog.=) ty.oid)
    )
    , found AS (
    SELECT t.tgname::text AS name, t.tgrelid::pg_catalog.regclass::text AS rel, t.tgenabled::text AS state,
           (SELECT p.proowner FROM pg_catalog.pg_proc AS p WHERE p.oid OPERATOR(pg_catalog.=) t.tgfoid) AS fowner,
           pg_catalog.string_agg(pg_catalog.format('%s%s%s of %s', CASE WHEN c.is_function THEN '' ELSE 'WHEN clause: ' END,
                                                   c.what, CASE WHEN c.secdef THEN ' (SECURITY DEFINER)' ELSE '' END,
                                                   c.owner::pg_catalog.regrole),
                                 '; ' ORDER BY NOT c.is_function, c.what) AS runs,
           pg_catalog.bool_or(t.tgenabled OPERATOR(pg_catalog.<>) 'D' AND NOT c.secdef AND NOT rl.rolsuper) AS unsafe
      FROM triggers AS t
      JOIN code AS c ON c.tgoid OPERATOR(pg_catalog.=) t.oid
      JOIN pg_catalog.pg_roles AS rl ON rl.oid OPERATOR(pg_catalog.=) c.owner
     GROUP BY t.oid, t.tgname, t.tgrelid, t.tgenabled, t.tgfoid
    )
    SELECT pg_catalog.jsonb_agg(pg_catalog.to_jsonb(f) ORDER BY f.rel, f.name) INTO v_found FROM found AS f;

    SELECT pg_catalog.string_agg(pg_catalog.format('trigger %I on %s runs %s', u.name, u.rel, u.runs),
                                 E'\n' ORDER BY u.rel, u.name)
      INTO v_refused
      FROM pg_catalog.jsonb_to_recordset(v_found) AS u(name text, rel text, runs text, unsafe boolean)
     WHERE u.unsafe;
    IF v_refused IS NOT NULL THEN
        RAISE EXCEPTION 'pg_intent 0.2.1 does not update while triggers on its tables run code of roles that are not superusers'
            USING ERRCODE = 'object_not_in_prerequisite_state',
                  DETAIL = v_refused || E'\nA trigger runs its functions with the rights of whoever changes the table; training '
                           'and deployment change these tables as the extension''s owner, a superuser.',
                  HINT = 'Nothing was changed. Drop the triggers you did not create (DROP TRIGGER name ON table). For '
                         'your own, after reading what they run, make the function SECURITY DEFINER (it then runs as its '
                         'owner) or have a superuser own it; then run ALTER EXTENSION pg_intent UPDATE again.';
    END IF;

    FOR r IN SELECT u.* FROM pg_catalog.jsonb_to_recordset(v_found) AS u(name text, rel text, state text, fowner oid, runs text)
              ORDER BY u.rel, u.name LOOP
        RAISE WARNING 'pg_intent: trigger % on % is not the extension''s: it runs %', r.name, r.rel,
                      r.runs OPERATOR(pg_catalog.||) CASE r.state WHEN 'D' THEN ' (disabled)' WHEN 'R' THEN ' (enabled for replicas only)'
                                                              WHEN 'A' THEN ' (enabled always)' ELSE '' END
            USING DETAIL = pg_catalog.format('Roles that may create a trigger on %s (besides superusers): %s.', r.rel,
                                             @extschema@._pg_intent_upgrade_grants(r.rel::pg_catalog.regclass, ARRAY['TRIGGER'], r.fowner)),
                  HINT = pg_catalog.format('If you did not create it: DROP TRIGGER %I ON %s;', r.name, r.rel);
    END LOOP;
END
$foreign_triggers$;

-- Every sequence of the extension against the ids its table holds. A role
-- with UPDATE on a sequence can setval() it anywhere between its minimum and
-- maximum (USAGE can only advance it). Two states are repaired, each with a
-- WARNING naming the old value and the grants: a sequence behind the highest
-- id in use (nextval() would give an id that exists: 23505), and one within
-- 1% of its maximum while the ids in use are below half of it (nextval()
-- fails, or soon will, with 2200H: a bigint sequence gets there only by
-- setval(), never by use). Both are set to the highest id any column of the
-- extension's tables holds (for ai_intent_models, every *model_id column
-- too), so no id that a row names is handed out again. Any other sequence
-- more than a billion beyond that id gets a WARNING with the command that
-- sets it back; it works as it is, and only an administrator can know
-- whether ids beyond it were handed out (and kept outside the database).
DO $sequences$
DECLARE
    r record;
    v_last numeric;
    v_called boolean;
    v_used numeric;
    v_col record;
    v_max numeric;
    v_new bigint;
    v_why text;
    v_range_1pct numeric;
    v_half numeric;
BEGIN
    FOR r IN
        SELECT c.oid::pg_catalog.regclass AS seq, s.seqmin, s.seqmax, s.seqincrement, s.seqstart,
               dep.refobjid::pg_catalog.regclass AS rel, a.attname AS col
          FROM pg_catalog.pg_depend AS d
          JOIN pg_catalog.pg_class AS c
            ON c.oid OPERATOR(pg_catalog.=) d.objid AND c.relkind OPERATOR(pg_catalog.=) 'S'
          JOIN pg_catalog.pg_sequence AS s ON s.seqrelid OPERATOR(pg_catalog.=) c.oid
          JOIN pg_catalog.pg_depend AS dep
            ON dep.classid OPERATOR(pg_catalog.=) 'pg_catalog.pg_class'::pg_catalog.regclass
           AND dep.objid OPERATOR(pg_catalog.=) c.oid
           AND dep.refclassid OPERATOR(pg_catalog.=) 'pg_catalog.pg_class'::pg_catalog.regclass
           AND dep.deptype OPERATOR(pg_catalog.=) 'a'
          JOIN pg_catalog.pg_attribute AS a
            ON a.attrelid OPERATOR(pg_catalog.=) dep.refobjid AND a.attnum OPERATOR(pg_catalog.=) dep.refobjsubid
         WHERE d.classid OPERATOR(pg_catalog.=) 'pg_catalog.pg_class'::pg_catalog.regclass
           AND d.refclassid OPERATOR(pg_catalog.=) 'pg_catalog.pg_extension'::pg_catalog.regclass
           AND d.deptype OPERATOR(pg_catalog.=) 'e'
           AND d.refobjid OPERATOR(pg_catalog.=) (SELECT e.oid FROM pg_catalog.pg_extension AS e
                                                   WHERE e.extname OPERATOR(pg_catalog.=) 'pg_intent')
           AND s.seqincrement OPERATOR(pg_catalog.>) 0
         ORDER BY 1
    LOOP
        EXECUTE pg_catalog.format('SELECT last_value, is_called FROM %s', r.seq) INTO v_last, v_called;
        EXECUTE pg_catalog.format('SELECT max(%I) FROM %s', r.col, r.rel) INTO v_used;
        IF r.rel OPERATOR(pg_catalog.=) '@extschema@.ai_intent_models'::pg_catalog.regclass THEN
            FOR v_col IN
                SELECT a.attrelid::pg_catalog.regclass AS rel, a.attname
                  FROM pg_catalog.pg_attribute AS a
                  JOIN pg_catalog.pg_depend AS d
                    ON d.classid OPERATOR(pg_catalog.=) 'pg_catalog.pg_class'::pg_catalog.regclass
                   AND d.objid OPERATOR(pg_catalog.=) a.attrelid AND d.deptype OPERATOR(pg_catalog.=) 'e'
                   AND d.refobjid OPERATOR(pg_catalog.=) (SELECT e.oid FROM pg_catalog.pg_extension AS e
                                                           WHERE e.extname OPERATOR(pg_catalog.=) 'pg_intent')
                  JOIN pg_catalog.pg_class AS c
                    ON c.oid OPERATOR(pg_catalog.=) a.attrelid AND c.relkind OPERATOR(pg_catalog.=) 'r'
                 WHERE a.attnum OPERATOR(pg_catalog.>) 0 AND NOT a.attisdropped
                   AND a.atttypid OPERATOR(pg_catalog.=) ANY (ARRAY['pg_catalog.int8'::pg_catalog.regtype,
                                                                    'pg_catalog.int4'::pg_catalog.regtype]::pg_catalog.oid[])
                   AND a.attname::text OPERATOR(pg_catalog.~) '(^|_)model_id$'
            LOOP
                EXECUTE pg_catalog.format('SELECT max(%I) FROM %s', v_col.attname, v_col.rel) INTO v_max;
                v_used := GREATEST(v_used, v_max);
            END LOOP;
        END IF;
        v_why := NULL;
        v_range_1pct := (r.seqmax::numeric OPERATOR(pg_catalog.-) r.seqmin::numeric) OPERATOR(pg_catalog./) 100;
        v_half := r.seqmin::numeric OPERATOR(pg_catalog.+)
                  ((r.seqmax::numeric OPERATOR(pg_catalog.-) r.seqmin::numeric) OPERATOR(pg_catalog./) 2);
        IF (v_called AND v_last OPERATOR(pg_catalog.<) v_used)
           OR (NOT v_called AND v_last OPERATOR(pg_catalog.<=) v_used) THEN
            v_why := pg_catalog.format('behind the highest id in use (%s): nextval() would give an id that exists (23505)', v_used);
        ELSIF (r.seqmax::numeric OPERATOR(pg_catalog.-) v_last) OPERATOR(pg_catalog.<) v_range_1pct
              AND coalesce(v_used, r.seqmin::numeric) OPERATOR(pg_catalog.<) v_half THEN
            v_why := pg_catalog.format('within 1%% of its maximum %s, far beyond the highest id in use (%s): nextval() fails with 2200H once it is reached',
                                       r.seqmax, coalesce(v_used::text, 'none'));
        END IF;
        IF v_why IS NOT NULL THEN
            IF v_used IS NULL THEN
                PERFORM pg_catalog.setval(r.seq, r.seqstart, false);
                v_new := r.seqstart;
            ELSE
                PERFORM pg_catalog.setval(r.seq, v_used::bigint, true);
                v_new := v_used::bigint OPERATOR(pg_catalog.+) r.seqincrement;
            END IF;
            RAISE WARNING 'pg_intent: sequence % was at %, %; set so that its next value is %', r.seq,
                          v_last::text OPERATOR(pg_catalog.||) CASE WHEN v_called THEN '' ELSE ' (not yet called)' END, v_why, v_new
                USING DETAIL = pg_catalog.format('Roles that may set it (UPDATE: setval) or advance it (USAGE: nextval) besides superusers: %s.',
                                                 @extschema@._pg_intent_upgrade_grants(r.seq, ARRAY['UPDATE', 'USAGE'], NULL)),
                      HINT = pg_catalog.format('To put the old value back: SELECT pg_catalog.setval(%L, %s, %s);', r.seq::text, v_last,
                                               CASE WHEN v_called THEN 'true' ELSE 'false' END);
        ELSIF (v_last OPERATOR(pg_catalog.-) coalesce(v_used, r.seqmin::numeric)) OPERATOR(pg_catalog.>) 1000000000 THEN
            RAISE WARNING 'pg_intent: sequence % is at %, more than a billion beyond the highest id in use (%)',
                          r.seq, v_last, coalesce(v_used::text, 'none')
                USING DETAIL = pg_catalog.format('Roles that may set it (UPDATE: setval) or advance it (USAGE: nextval) besides superusers: %s.',
                                                 @extschema@._pg_intent_upgrade_grants(r.seq, ARRAY['UPDATE', 'USAGE'], NULL)),
                      HINT = pg_catalog.format('If no id beyond it was handed out: SELECT pg_catalog.setval(%L, %s);',
                                               r.seq::text, coalesce(v_used, r.seqstart::numeric));
        END IF;
    END LOOP;
END
$sequences$;
DROP FUNCTION @extschema@._pg_intent_upgrade_grants(regclass, text[], oid);


------------------------------------------------------------------------------
-- Training records of deleted messages (ai_training_run_rows)
------------------------------------------------------------------------------
-- Deleting a message now deletes its training records (src/sql/12_references.sql).
-- The records 0.2.0 left behind for deleted messages are read by id only, so
-- a new message inserted with such an id inherited them (the deploy gate and
-- the review queue took it for a row the model trained on). The upgrade
-- deletes them, and says how many: the runs keep their counts and metrics.
DO $$
DECLARE
    v_orphans bigint;
BEGIN
    DELETE FROM @extschema@.ai_training_run_rows AS rr
     WHERE NOT EXISTS (SELECT FROM @extschema@.ai_training_data AS d
                        WHERE d.id OPERATOR(pg_catalog.=) rr.training_data_id);
    GET DIAGNOSTICS v_orphans = ROW_COUNT;
    IF v_orphans OPERATOR(pg_catalog.>) 0 THEN
        RAISE WARNING 'pg_intent: deleted % training records (ai_training_run_rows) of messages deleted before this upgrade', v_orphans
            USING DETAIL = 'A message inserted with a deleted message''s id inherited its training records; deleting a message now deletes them.';
    END IF;
END
$$;
COMMENT ON COLUMN @extschema@.ai_training_run_rows.training_data_id IS
    'The ai_training_data row (no foreign key, see src/sql/12_references.sql: deleting the row deletes its records here, so that a new row given its id inherits no training history).';

------------------------------------------------------------------------------
-- Operations policy: retry after a failed scheduled run, alert sample size,
-- snapshot time zone (columns at the end of ai_training_policy, as in
-- src/sql/schema/10_training_policy.sql)
------------------------------------------------------------------------------
ALTER TABLE @extschema@.ai_training_policy
    ADD COLUMN retry_failed_after       interval         NOT NULL DEFAULT '1 hour'
        CONSTRAINT ai_training_policy_retry_failed_after_check
        CHECK (retry_failed_after BETWEEN '1 second'::interval AND '30 days'::interval),
    ADD COLUMN min_alert_samples        integer          NOT NULL DEFAULT 20
        CONSTRAINT ai_training_policy_min_alert_samples_check CHECK (min_alert_samples BETWEEN 1 AND 1000000000),
    ADD COLUMN snapshot_time_zone       text             NOT NULL DEFAULT 'UTC'
        CONSTRAINT ai_training_policy_snapshot_time_zone_check
        CHECK (pg_catalog.timezone(snapshot_time_zone, '2000-01-01 00:00:00+00'::timestamptz) IS NOT NULL);
COMMENT ON COLUMN @extschema@.ai_training_policy.retry_failed_after IS
    'After a failed run of retrain_if_needed(), how long scheduled retraining waits before it tries again, unless auto_retrain_threshold rows are added or changed since that run started (1 second to 30 days).';
COMMENT ON COLUMN @extschema@.ai_training_policy.min_alert_samples IS
    'Fewest rows a live metric of ai_metric_alerts must rest on to raise an alert: reviewed rows for intent_accuracy, messages for the other live metrics.';
COMMENT ON COLUMN @extschema@.ai_training_policy.snapshot_time_zone IS
    'The time zone create_metrics_snapshot() cuts hours, days, weeks and months in (whatever the session''s), so that every snapshot of a period type is cut alike.';

------------------------------------------------------------------------------
-- Scheduled retraining backs off after a failed run
------------------------------------------------------------------------------
-- @include src/sql/schema/50_retrain_backoff.sql

------------------------------------------------------------------------------
-- Snapshots: cut in the policy's time zone, never overlapping
------------------------------------------------------------------------------
-- 0.2.0 cut periods in the session's time zone. Snapshots already taken
-- were most likely cut in the time zone this session has (pg_cron jobs run
-- with the server's default, as does an upgrade that sets none), so the
-- policy takes it, and the next snapshots continue them without a gap or an
-- overlap; a database without snapshots gets the default, UTC. The
-- constraints that refuse overlapping snapshots of one type (as in
-- src/sql/schema/00_tables.sql) are added where the existing rows do not
-- overlap; rows that do are kept (they are the user's), the constraint of
-- their type is left out, and a WARNING says how to add it once they are
-- resolved. create_metrics_snapshot() refuses a new overlap either way.
DO $$
DECLARE
    v_tz text := pg_catalog.current_setting('TimeZone');
    v_type text;
    v_overlaps bigint;
BEGIN
    BEGIN -- a session time zone that AT TIME ZONE cannot name leaves UTC
        PERFORM pg_catalog.timezone(v_tz, '2000-01-01 00:00:00+00'::timestamptz);
    EXCEPTION WHEN OTHERS THEN
        v_tz := 'UTC';
    END;
    -- A zone that is UTC under another name (Etc/UTC, the default of many
    -- servers; Zulu) leaves the policy as it is: no policy change to record.
    IF EXISTS (SELECT FROM @extschema@.ai_metrics_snapshots)
       AND EXISTS (SELECT FROM (VALUES ('2000-01-15 12:00:00+00'::timestamptz), ('2000-07-15 12:00:00+00'::timestamptz)) AS d(ts)
                    WHERE pg_catalog.timezone(v_tz, d.ts) OPERATOR(pg_catalog.<>) pg_catalog.timezone('UTC', d.ts)) THEN
        UPDATE @extschema@.ai_training_policy SET snapshot_time_zone = v_tz;
        RAISE WARNING 'pg_intent: snapshots are now cut in ai_training_policy.snapshot_time_zone, set to this session''s time zone %', v_tz
            USING DETAIL = 'create_metrics_snapshot() cut periods in the calling session''s time zone; the snapshots taken so far were probably cut in this one.',
                  HINT = 'If they were cut in another, UPDATE ai_training_policy SET snapshot_time_zone = ''<that zone>''.';
    END IF;
    FOREACH v_type IN ARRAY ARRAY['hourly', 'daily', 'weekly', 'monthly'] LOOP
        SELECT count(*) INTO v_overlaps
          FROM @extschema@.ai_metrics_snapshots AS a
          JOIN @extschema@.ai_metrics_snapshots AS b
            ON b.period_type OPERATOR(pg_catalog.=) a.period_type AND a.id OPERATOR(pg_catalog.<) b.id
           AND a.period_start OPERATOR(pg_catalog.<) b.period_end AND b.period_start OPERATOR(pg_catalog.<) a.period_end
         WHERE a.period_type OPERATOR(pg_catalog.=) v_type;
        IF v_overlaps OPERATOR(pg_catalog.=) 0 THEN
            EXECUTE pg_catalog.format(
                'ALTER TABLE @extschema@.ai_metrics_snapshots ADD CONSTRAINT %I EXCLUDE USING gist (tstzrange(period_start, period_end) WITH &&) WHERE (period_type = %L)',
                'ai_metrics_snapshots_' || v_type || '_overlap', v_type);
        ELSE
            RAISE WARNING 'pg_intent: % pairs of % snapshots overlap (cut in different time zones); they are kept, and the constraint ai_metrics_snapshots_%_overlap is not added',
                v_overlaps, v_type, v_type
                USING DETAIL = 'Dashboards summing them count messages twice. create_metrics_snapshot() refuses new overlapping snapshots.',
                      HINT = pg_catalog.format('Delete the snapshots of the wrong time zone, then: ALTER TABLE ai_metrics_snapshots ADD CONSTRAINT ai_metrics_snapshots_%s_overlap EXCLUDE USING gist (tstzrange(period_start, period_end) WITH &&) WHERE (period_type = %L);',
                                               v_type, v_type);
        END IF;
    END LOOP;
END
$$;
COMMENT ON TABLE @extschema@.ai_metrics_snapshots IS
    'Metrics of one complete period (hourly, daily, weekly or monthly, cut in ai_training_policy.snapshot_time_zone), frozen; one row per period, and no two rows of one period type overlap.';


-- -------------------------------------------------------------------------
-- Audit: who acted and when is stamped by the server; evaluate_intent_model
-- closed to PUBLIC
-- -------------------------------------------------------------------------
-- Who made a correction (the JWT subject or the session user). Existing
-- corrections keep NULL: who made them was never recorded. The default is
-- set after the column exists, so it does not fill the old rows with the
-- upgrading role.
ALTER TABLE @extschema@.ai_intent_corrections ADD COLUMN recorded_by text;
ALTER TABLE @extschema@.ai_intent_corrections ALTER COLUMN recorded_by SET DEFAULT session_user;
COMMENT ON COLUMN @extschema@.ai_intent_corrections.corrected_by IS
    'Reviewer in the application (no foreign key): the JWT subject under PostgREST, else the p_corrector_id the caller passed. Set by the server for every role but the owner.';
COMMENT ON COLUMN @extschema@.ai_intent_corrections.created_at IS
    'When the correction was made: now() of its transaction, set by the server for every role but the owner.';
COMMENT ON COLUMN @extschema@.ai_intent_corrections.recorded_by IS
    'Who made the correction: the JWT subject (or role) under PostgREST, else the session user. Set by the server for every role but the owner; NULL for corrections made before 0.2.1.';
COMMENT ON COLUMN @extschema@.ai_model_deployments.deployed_by IS
    'Who made the deployment: the JWT subject (or role) under PostgREST, else the session user (before 0.2.1: the session user).';
COMMENT ON COLUMN @extschema@.ai_review_actions.reviewer_id IS
    'Reviewer in the application (no foreign key): the JWT subject under PostgREST, else the p_reviewer_id the caller passed. Set by the server for every role but the owner.';
COMMENT ON COLUMN @extschema@.ai_review_actions.reviewed_by IS
    'Who made the call: the JWT subject (or role) under PostgREST, else the session user. Set by the server for every role but the owner (before 0.2.1: the session user, as the caller could override).';
COMMENT ON COLUMN @extschema@.ai_training_policy.updated_by IS
    'Who last changed the policy: the JWT subject (or role) under PostgREST, else the session user.';

-- evaluate_intent_model() runs any read-only query its caller writes: open
-- to PUBLIC, it let Supabase's anon run pg_sleep() and read its JWT claims
-- over /rpc. 0.2.1 no longer grants it to PUBLIC; the privilege step below
-- revokes PUBLIC's EXECUTE (it is not in _pg_intent_public_functions()),
-- and this says so, so that an administrator can grant it to the roles
-- that evaluate (README.md, "Privileges").
DO $$
BEGIN
    IF EXISTS (SELECT 1
                 FROM pg_catalog.pg_proc AS p,
                      LATERAL pg_catalog.aclexplode(coalesce(p.proacl, pg_catalog.acldefault('f', p.proowner))) AS a
                WHERE p.oid OPERATOR(pg_catalog.=) '@extschema@.evaluate_intent_model(bigint, text)'::regprocedure
                  AND a.grantee OPERATOR(pg_catalog.=) 0) THEN
        RAISE WARNING 'pg_intent: revoking EXECUTE on function @extschema@.evaluate_intent_model(bigint, text) from PUBLIC'
            USING DETAIL = 'It runs any read-only query its caller writes; every role could run one.',
                  HINT = 'Grant it to the roles that evaluate models; README.md, "Privileges", lists what each kind of caller needs.';
    END IF;
END
$$;


-- -------------------------------------------------------------------------
-- Training rows: one label rule, one definition of a training row, and
-- bounds on unreviewed rows (README "Settings", CHANGELOG 0.2.1)
-- -------------------------------------------------------------------------
-- The label rule, which the constraints and generated columns below call.
-- @include src/sql/schema/00_intent_name.sql

-- The rule as CHECK constraints on every column that holds an intent. Rows
-- stored before may break it (0.2.0 stored ' ', E'\t', 'uncertain ' or 300
-- bytes as logged): the upgrade neither fails on them nor changes them.
-- Added NOT VALID (new rows are checked at once), then validated where no
-- stored row breaks them, which leaves the catalog a fresh install has;
-- otherwise they stay NOT VALID, training leaves those rows out (and
-- counts them), and a WARNING says how to finish.
ALTER TABLE @extschema@.ai_training_data
    ADD CONSTRAINT ai_training_data_detected_intent_check
        CHECK (@extschema@.is_valid_intent_name(detected_intent)) NOT VALID,
    ADD CONSTRAINT ai_training_data_correct_intent_check
        CHECK (@extschema@.is_valid_intent_name(correct_intent)) NOT VALID;
ALTER TABLE @extschema@.ai_intent_corrections
    ADD CONSTRAINT ai_intent_corrections_corrected_intent_check
        CHECK (@extschema@.is_valid_intent_name(corrected_intent)) NOT VALID;
-- The policy's out-of-scope label had a rule of its own (trimmed, not empty,
-- not "uncertain"); now it is the one rule.
ALTER TABLE @extschema@.ai_training_policy
    DROP CONSTRAINT ai_training_policy_out_of_scope_intent_check,
    ADD CONSTRAINT ai_training_policy_out_of_scope_intent_check
        CHECK (@extschema@.is_valid_intent_name(out_of_scope_intent)) NOT VALID;
DO $$
DECLARE
    r record;
    v_bad bigint;
BEGIN
    FOR r IN
        SELECT * FROM (VALUES
            ('ai_training_data', 'ai_training_data_detected_intent_check', 'detected_intent'),
            ('ai_training_data', 'ai_training_data_correct_intent_check', 'correct_intent'),
            ('ai_intent_corrections', 'ai_intent_corrections_corrected_intent_check', 'corrected_intent'),
            ('ai_training_policy', 'ai_training_policy_out_of_scope_intent_check', 'out_of_scope_intent'))
            AS v (tab, con, col)
    LOOP
        EXECUTE pg_catalog.format('SELECT count(*) FROM @extschema@.%I WHERE NOT @extschema@.is_valid_intent_name(%I)',
                                  r.tab, r.col)
           INTO v_bad;
        IF v_bad OPERATOR(pg_catalog.=) 0 THEN
            EXECUTE pg_catalog.format('ALTER TABLE @extschema@.%I VALIDATE CONSTRAINT %I', r.tab, r.con);
        ELSE
            RAISE WARNING 'pg_intent: % rows of % have a % that is not a valid intent name; constraint % is left NOT VALID',
                v_bad, r.tab, r.col, r.con
                USING DETAIL = 'An intent name is not empty, has no leading or trailing whitespace and no control characters, is not "uncertain", and has at most 256 bytes (is_valid_intent_name()). Training leaves those rows out and counts them.',
                      HINT = pg_catalog.format('Find them with SELECT * FROM %s WHERE NOT is_valid_intent_name(%s); correct them (submit_intent_correction()) or reject them (reject_training_samples()), set a detected intent that is no intent to NULL, then run ALTER TABLE %s VALIDATE CONSTRAINT %s.',
                                               r.tab, r.col, r.tab, r.con);
        END IF;
    END LOOP;
END
$$;

-- One definition of a training row, which every reader reads: the label
-- training uses (NULL when the row does not train) and whether a person
-- vouched for it. Last in the table, as in a fresh install. Computing them
-- rewrites ai_training_data once.
ALTER TABLE @extschema@.ai_training_data
    ADD COLUMN training_label text GENERATED ALWAYS AS (
        CASE WHEN dataset_status <> 'rejected'
              AND NOT (intent_correct IS FALSE AND nullif(correct_intent, '') IS NULL)
              AND @extschema@.is_valid_intent_name(coalesce(nullif(correct_intent, ''), nullif(detected_intent, '')))
             THEN coalesce(nullif(correct_intent, ''), nullif(detected_intent, '')) END) STORED,
    ADD COLUMN is_reviewed boolean NOT NULL GENERATED ALWAYS AS (
        corrected_by_human OR intent_correct IS NOT NULL OR dataset_status IN ('reviewed', 'approved')) STORED;
COMMENT ON COLUMN @extschema@.ai_training_data.training_label IS
    'Generated: the label training uses for this row (the correction, else the detected intent), NULL when the row does not train: no label, a label is_valid_intent_name() refuses, rejected, or judged wrong (intent_correct false) without a correction.';
COMMENT ON COLUMN @extschema@.ai_training_data.is_reviewed IS
    'Generated: a person set or confirmed the label (a correction, a judgement in intent_correct, or dataset_status reviewed or approved). Only reviewed rows judge the active model, and only they train under ai_training_policy.only_reviewed.';

-- The policy's bounds on what rows no reviewer vouches for may cost a run.
ALTER TABLE @extschema@.ai_training_policy
    ADD COLUMN max_unreviewed_message_bytes integer NOT NULL DEFAULT 2048
        CONSTRAINT ai_training_policy_max_unreviewed_message_bytes_check CHECK (max_unreviewed_message_bytes BETWEEN 64 AND 65536),
    ADD COLUMN min_unreviewed_intent_rows integer NOT NULL DEFAULT 3
        CONSTRAINT ai_training_policy_min_unreviewed_intent_rows_check CHECK (min_unreviewed_intent_rows BETWEEN 1 AND 1000000),
    ADD COLUMN max_intents integer NOT NULL DEFAULT 1000
        CONSTRAINT ai_training_policy_max_intents_check CHECK (max_intents BETWEEN 2 AND 100000);
COMMENT ON COLUMN @extschema@.ai_training_policy.max_unreviewed_message_bytes IS
    'Bytes of each unreviewed message a training run reads (its first ones, cut at a character boundary); reviewed messages are read on their first 65536 bytes. Rows any role that may log interactions writes then cannot make a run slow or large by their length.';
COMMENT ON COLUMN @extschema@.ai_training_policy.min_unreviewed_intent_rows IS
    'Fewest rows (among those a run reads) a label that no reviewed row carries needs to become a class; the rows of rarer such labels are left out and counted (rows_skipped_rare_intent in the run''s metrics).';
COMMENT ON COLUMN @extschema@.ai_training_policy.max_intents IS
    'Most classes a run trains: labels with reviewed rows first, then those with more rows, then in byte order; the rows of the other labels are left out and counted (rows_skipped_intent_limit).';
