-- Named classifiers (0.3.2): their owners across restores and DROP ROLE
-- (issue 31 item 11). A classifier row names its roles and source by OID and
-- by the name each had; the trigger here finds them again by name when a
-- restore brings OIDs that do not have them, and reassign_classifier() gives
-- an orphaned classifier a new owner. Who may use a classifier is
-- 44_classifier_rights.sql.

-- -------------------------------------------------------------------------
-- Owners, grantees and sources by name (0.3.2, issue 31 item 11)
-- -------------------------------------------------------------------------
-- Roles and the source are OIDs with the names they had (see
-- src/sql/schema/65_classifier_identity.sql): pg_dump writes the rows as they
-- are, and a restore (where OIDs differ) finds each by its name.

-- A relation's qualified name, quoted as needed; NULL when there is none.
CREATE OR REPLACE FUNCTION intent_internal._pg_intent_relation_name(p_relation oid)
RETURNS text
LANGUAGE sql STABLE PARALLEL SAFE
SET search_path = pg_catalog, pg_temp
AS $$
    SELECT pg_catalog.format('%I.%I', n.nspname, r.relname)
      FROM pg_catalog.pg_class AS r
      JOIN pg_catalog.pg_namespace AS n ON n.oid OPERATOR(pg_catalog.=) r.relnamespace
     WHERE r.oid OPERATOR(pg_catalog.=) p_relation
$$;
COMMENT ON FUNCTION intent_internal._pg_intent_relation_name(oid) IS
    'Internal: the qualified name of the relation with this OID, or NULL.';

-- A grant array as a restore finds it again: each OID that still has its
-- recorded name stays; another is replaced by the OID of the role of that
-- name here, or removed when there is none. An OID without a recorded name
-- (written by plain DML) takes the name it has now.
CREATE OR REPLACE FUNCTION intent_internal._pg_intent_rebind_roles(p_roles oid[], p_names jsonb)
RETURNS oid[]
LANGUAGE sql STABLE PARALLEL SAFE
SET search_path = pg_catalog, pg_temp
AS $$
    SELECT ARRAY(SELECT coalesce(live.oid, byname.oid)
                   FROM pg_catalog.unnest(p_roles) WITH ORDINALITY AS u (g, i)
                  CROSS JOIN LATERAL (SELECT coalesce(p_names OPERATOR(pg_catalog.->>) u.g::pg_catalog.text,
                                                      (SELECT r.rolname::pg_catalog.text FROM pg_catalog.pg_roles AS r
                                                        WHERE r.oid OPERATOR(pg_catalog.=) u.g)) AS n) AS k
                   LEFT JOIN pg_catalog.pg_roles AS live
                          ON live.oid OPERATOR(pg_catalog.=) u.g AND live.rolname OPERATOR(pg_catalog.=) k.n
                   LEFT JOIN pg_catalog.pg_roles AS byname ON byname.rolname OPERATOR(pg_catalog.=) k.n
                  WHERE coalesce(live.oid, byname.oid) IS NOT NULL
                  ORDER BY u.i)
$$;
COMMENT ON FUNCTION intent_internal._pg_intent_rebind_roles(oid[], jsonb) IS
    'Internal: a classifier''s grant array with each role found again by its recorded name (for a row a restore writes).';

-- Every row of ai_classifiers written, before it is stored:
--   INSERT (create_classifier(), and the COPY of a restore): a source whose
--   OID no longer has its recorded name is found by that name (relation
--   OIDs are a database's); so is an owner or grantee when the row's
--   role_cluster is not this cluster (a restore into another cluster,
--   where role OIDs differ: the role of that name owns the classifier, as
--   pg_dump restores the owner of any object by name); with no role of
--   that name the owner is NULL (orphaned: only reassign_classifier() gives
--   it one), a grant goes, and a source not found is NULL (42P01 when used).
--   INSERT and UPDATE: source_name follows the source's current name (a
--   renamed table), role_names holds exactly the granted OIDs' names, and
--   role_cluster is this cluster.
-- Roles are looked up by name only for a row from another cluster: within
-- one (an UPDATE, or a restore into the cluster dumped from, where the
-- OIDs are the very roles recorded) a dropped or renamed owner's or
-- grantee's name taken by a new role must not give that role its rights
-- (0.3.2 looked them up on every INSERT: pg_dump | pg_restore into a new
-- database of the same cluster handed them over).
CREATE OR REPLACE FUNCTION intent_internal._pg_intent_classifier_rebind()
RETURNS trigger
LANGUAGE plpgsql VOLATILE PARALLEL UNSAFE
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    v_cluster bigint := (pg_catalog.pg_control_system()).system_identifier;
BEGIN
    IF TG_OP = 'INSERT' THEN
        IF NEW.owner_name IS NULL THEN
            NEW.owner_name := (SELECT r.rolname FROM pg_catalog.pg_roles AS r WHERE r.oid = NEW.owner);
        ELSIF NEW.role_cluster IS DISTINCT FROM v_cluster
              AND NOT intent_internal._pg_intent_role_is(NEW.owner, NEW.owner_name) THEN
            NEW.owner := (SELECT r.oid FROM pg_catalog.pg_roles AS r WHERE r.rolname = NEW.owner_name);
        END IF;
        IF NEW.source_name IS NOT NULL
           AND intent_internal._pg_intent_relation_name(NEW.source) IS DISTINCT FROM NEW.source_name THEN
            NEW.source := pg_catalog.to_regclass(NEW.source_name)::oid;
        END IF;
        IF NEW.role_cluster IS DISTINCT FROM v_cluster THEN
            NEW.train_roles := intent_internal._pg_intent_rebind_roles(NEW.train_roles, NEW.role_names);
            NEW.deploy_roles := intent_internal._pg_intent_rebind_roles(NEW.deploy_roles, NEW.role_names);
            NEW.predict_roles := intent_internal._pg_intent_rebind_roles(NEW.predict_roles, NEW.role_names);
            -- the names now are the names recorded (rebound above)
            NEW.role_names := '{}';
        END IF;
    END IF;
    NEW.role_cluster := v_cluster;
    NEW.source_name := coalesce(intent_internal._pg_intent_relation_name(NEW.source), NEW.source_name);
    NEW.role_names := (SELECT coalesce(jsonb_object_agg(g::text, n), '{}')
                         FROM (SELECT DISTINCT g, coalesce(NEW.role_names ->> g::text,
                                                           (SELECT r.rolname::text FROM pg_catalog.pg_roles AS r WHERE r.oid = g)) AS n
                                 FROM unnest(NEW.train_roles || NEW.deploy_roles || NEW.predict_roles) AS g) AS x
                        WHERE n IS NOT NULL);
    RETURN NEW;
END
$$;
COMMENT ON FUNCTION intent_internal._pg_intent_classifier_rebind() IS
    'Internal trigger: a classifier row inserted (by a restore too) finds its source again by its recorded name when its OID no longer has it, and its owner and grantees likewise when the row comes from another cluster (role_cluster); every write keeps source_name, role_names and role_cluster current.';

CREATE OR REPLACE TRIGGER ai_classifiers_rebind
    BEFORE INSERT OR UPDATE ON @extschema@.ai_classifiers
    FOR EACH ROW EXECUTE FUNCTION intent_internal._pg_intent_classifier_rebind();
-- Also for rows applied by logical replication (OIDs are the publisher's):
-- ALWAYS, by _pg_intent_restore_trigger_modes()'s list.
SELECT intent_internal._pg_intent_restore_trigger_modes();

-- -------------------------------------------------------------------------
-- reassign_classifier
-- -------------------------------------------------------------------------

CREATE OR REPLACE FUNCTION @extschema@.reassign_classifier(p_name text, p_new_owner regrole)
RETURNS jsonb
AS 'MODULE_PATHNAME', 'pg_intent_classifier_call'
LANGUAGE C VOLATILE PARALLEL UNSAFE;
COMMENT ON FUNCTION @extschema@.reassign_classifier(text, regrole) IS
    'Gives a classifier a new owner: an orphaned one (its owner was dropped, or a restore found no role of its name; ai_classifier_owners lists them) or any other. Superusers and members of the extension''s owner only; closed to PUBLIC. The new owner must be able to read the source''s columns, and a caller that is not a superuser must be able to SET ROLE to it (as ALTER ... OWNER TO). Its grants stay. Returns the definition. Errors: 22004 NULL argument, 42501 not an administrator, the new owner cannot read the source or the caller may not SET ROLE to it, 42704 unknown classifier or role, 55000 the built-in classifier.';

CREATE OR REPLACE FUNCTION intent_internal._pg_intent_reassign_classifier(p_caller oid, p_name text, p_new_owner regrole)
RETURNS jsonb
LANGUAGE plpgsql VOLATILE PARALLEL UNSAFE
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    c @extschema@.ai_classifiers;
    v_owner_name name;
BEGIN
    IF p_name IS NULL OR p_new_owner IS NULL THEN
        RAISE EXCEPTION USING MESSAGE = intent_internal._pg_intent_error_words('p_name and p_new_owner must not be null'), ERRCODE = 'null_value_not_allowed';
    END IF;
    -- An administrator's act: the owner, who alone could otherwise manage
    -- the classifier, may be gone. The function is closed to PUBLIC too.
    IF NOT coalesce((SELECT r.rolsuper FROM pg_catalog.pg_roles AS r WHERE r.oid = p_caller), false)
       AND NOT pg_catalog.pg_has_role(p_caller, (SELECT e.extowner FROM pg_catalog.pg_extension AS e
                                                  WHERE e.extname = 'pg_intent'), 'USAGE') THEN
        RAISE EXCEPTION USING MESSAGE = intent_internal._pg_intent_error_words('permission denied to reassign classifier "%s"', p_name),
                   ERRCODE = 'insufficient_privilege',
                  DETAIL = intent_internal._pg_intent_error_words('Only superusers and members of the extension''s owner reassign classifiers.');
    END IF;
    c := intent_internal._pg_intent_classifier(p_name);
    IF c.built_in THEN
        RAISE EXCEPTION USING MESSAGE = intent_internal._pg_intent_error_words('the built-in classifier "intent" belongs to the extension''s owner'),
                   ERRCODE = 'object_not_in_prerequisite_state';
    END IF;
    SELECT r.rolname INTO v_owner_name FROM pg_catalog.pg_roles AS r WHERE r.oid = p_new_owner::oid;
    IF NOT FOUND THEN
        RAISE EXCEPTION USING MESSAGE = intent_internal._pg_intent_error_words('role with OID %s does not exist', p_new_owner::oid), ERRCODE = 'undefined_object';
    END IF;
    -- As ALTER ... OWNER TO: a caller that is not a superuser gives it only
    -- to a role it may SET ROLE to (the SET option since PostgreSQL 16; any
    -- membership before). The source is read with the new owner's rights,
    -- so a member of the extension's owner gave its own view's code to any
    -- role that could read the view (and kept the train right it granted
    -- itself to run it there).
    IF NOT coalesce((SELECT r.rolsuper FROM pg_catalog.pg_roles AS r WHERE r.oid = p_caller), false)
       AND NOT pg_catalog.pg_has_role(p_caller, p_new_owner::oid,
                                      CASE WHEN pg_catalog.current_setting('server_version_num')::integer >= 160000
                                           THEN 'SET' ELSE 'MEMBER' END) THEN
        RAISE EXCEPTION USING MESSAGE = intent_internal._pg_intent_error_words('permission denied to give classifier "%s" to role "%s"', p_name, v_owner_name),
                   ERRCODE = 'insufficient_privilege',
                  DETAIL = intent_internal._pg_intent_error_words('Only superusers and roles that may SET ROLE to the new owner give it a classifier: its source is read with the new owner''s rights.');
    END IF;
    -- The row as it is once locked: a concurrent alter_classifier() may
    -- have changed its source or columns, which the new owner must read
    -- (checked on the row read before the lock, a source the new owner
    -- could not read passed).
    SELECT x.* INTO c FROM @extschema@.ai_classifiers AS x WHERE x.id = c.id FOR UPDATE;
    IF NOT FOUND THEN
        RAISE EXCEPTION USING MESSAGE = intent_internal._pg_intent_error_words('classifier "%s" does not exist', p_name), ERRCODE = 'undefined_object';
    END IF;
    -- The source is read as the owner: the new one must be able to (a
    -- source that is gone is reported when it is used, 42P01).
    IF intent_internal._pg_intent_relation_name(c.source) IS NOT NULL THEN
        PERFORM intent_internal._pg_intent_classifier_check_source(p_new_owner::oid, p_name, c.source,
                                                              intent_internal._pg_intent_classifier_columns(c));
    END IF;
    UPDATE @extschema@.ai_classifiers AS x
       SET owner = p_new_owner::oid, owner_name = v_owner_name, updated_at = now()
     WHERE x.id = c.id;
    RETURN intent_internal._pg_intent_classifier_json(p_name);
END
$$;
COMMENT ON FUNCTION intent_internal._pg_intent_reassign_classifier(oid, text, regrole) IS
    'Internal: reassign_classifier() as the extension owner, for the calling role p_caller.';

-- Every classifier's owner, and whether it is orphaned: its owner's OID no
-- longer has the recorded name (the role was dropped, renamed, or the OID
-- went to a new role), or a restore found no role of that name. Read with
-- the reader's rights (SELECT on ai_classifiers: administrators).
CREATE OR REPLACE VIEW @extschema@.ai_classifier_owners WITH (security_invoker = true) AS
SELECT c.name,
       c.id,
       c.owner_name AS owner,
       c.owner AS owner_oid,
       NOT EXISTS (SELECT FROM pg_catalog.pg_roles AS r
                    WHERE r.oid OPERATOR(pg_catalog.=) c.owner AND r.rolname OPERATOR(pg_catalog.=) c.owner_name) AS orphaned,
       coalesce((SELECT pg_catalog.format('%I.%I', n.nspname, r.relname)
                   FROM pg_catalog.pg_class AS r
                   JOIN pg_catalog.pg_namespace AS n ON n.oid OPERATOR(pg_catalog.=) r.relnamespace
                  WHERE r.oid OPERATOR(pg_catalog.=) c.source), c.source_name) AS source,
       NOT EXISTS (SELECT FROM pg_catalog.pg_class AS r WHERE r.oid OPERATOR(pg_catalog.=) c.source) AS source_missing,
       c.built_in
  FROM @extschema@.ai_classifiers AS c;
COMMENT ON VIEW @extschema@.ai_classifier_owners IS
    'Every classifier with its owner''s name and OID, whether it is orphaned (the owner was dropped, or the OID now names another role: reassign_classifier() gives it an owner), its source''s name and whether the source is missing.';
