-- Named classifiers (0.3.0): granting and revoking a classifier's rights.
-- The rule those rights feed is _pg_intent_classifier_allows()
-- (44_classifier_rights.sql).

-- -------------------------------------------------------------------------
-- grant_classifier_access, revoke_classifier_access
-- -------------------------------------------------------------------------

CREATE OR REPLACE FUNCTION @extschema@.grant_classifier_access(p_name text, p_role text, p_access text)
RETURNS jsonb
AS 'MODULE_PATHNAME', 'pg_intent_classifier_call'
LANGUAGE C VOLATILE PARALLEL UNSAFE;
COMMENT ON FUNCTION @extschema@.grant_classifier_access(text, text, text) IS
    'Lets a role (or PUBLIC, for predict only) predict with, train or deploy the classifier (p_access: predict, train, deploy). Its owner only; the built-in classifier intent follows grant_intent_access(). Returns the definition. Errors: 42704 unknown classifier or role, 42501 not the owner, 22023 bad access, 55000 the built-in classifier.';

CREATE OR REPLACE FUNCTION @extschema@.revoke_classifier_access(p_name text, p_role text, p_access text)
RETURNS jsonb
AS 'MODULE_PATHNAME', 'pg_intent_classifier_call'
LANGUAGE C VOLATILE PARALLEL UNSAFE;
COMMENT ON FUNCTION @extschema@.revoke_classifier_access(text, text, text) IS
    'Takes back what grant_classifier_access() gave. Its owner only. Returns the definition.';

-- A grant array after granting (p_grant) or revoking role p_role (OID, or
-- NULL for a dropped role) named p_name: the role's OID and every entry
-- recorded under that name are removed, and a grant appends the OID.
CREATE OR REPLACE FUNCTION intent_internal._pg_intent_role_list(
    p_roles oid[], p_names jsonb, p_role oid, p_name text, p_grant boolean)
RETURNS oid[]
LANGUAGE sql IMMUTABLE PARALLEL SAFE
SET search_path = pg_catalog, pg_temp
AS $$
    SELECT ARRAY(SELECT g FROM pg_catalog.unnest(p_roles) WITH ORDINALITY AS u (g, i)
                  WHERE g IS DISTINCT FROM p_role
                    AND (p_names OPERATOR(pg_catalog.->>) g::pg_catalog.text) IS DISTINCT FROM p_name
                  ORDER BY i)
           OPERATOR(pg_catalog.||) CASE WHEN p_grant THEN ARRAY[p_role] ELSE '{}'::oid[] END
$$;
COMMENT ON FUNCTION intent_internal._pg_intent_role_list(oid[], jsonb, oid, text, boolean) IS
    'Internal: a classifier''s grant array with a role granted or revoked (by OID, and by the name its entries were recorded under).';

CREATE OR REPLACE FUNCTION intent_internal._pg_intent_classifier_access(
    p_caller oid, p_name text, p_role text, p_access text, p_grant boolean)
RETURNS jsonb
LANGUAGE plpgsql VOLATILE PARALLEL UNSAFE
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    c @extschema@.ai_classifiers := intent_internal._pg_intent_classifier_require(p_name, p_caller, 'manage');
    v_role oid;
BEGIN
    IF c.built_in THEN
        RAISE EXCEPTION USING MESSAGE = intent_internal._pg_intent_error_words('the built-in classifier "intent" follows the grants of grant_intent_access()'),
                   ERRCODE = 'object_not_in_prerequisite_state';
    END IF;
    IF p_role IS NULL OR p_access IS NULL THEN
        RAISE EXCEPTION USING MESSAGE = intent_internal._pg_intent_error_words('p_role and p_access must not be null'), ERRCODE = 'null_value_not_allowed';
    END IF;
    IF p_access NOT IN ('predict', 'train', 'deploy') THEN
        RAISE EXCEPTION USING MESSAGE = intent_internal._pg_intent_error_words('invalid access "%s"', p_access),
                   ERRCODE = 'invalid_parameter_value', DETAIL = intent_internal._pg_intent_error_words('The access is predict, train or deploy.');
    END IF;
    SELECT r.oid INTO v_role FROM pg_catalog.pg_roles AS r WHERE r.rolname = p_role;
    -- PUBLIC, written in any case, unless a role has that very name:
    -- PostgreSQL reserves only "public", and a grant to a role named
    -- "Public" or "PUBLIC" let every role predict.
    IF v_role IS NULL AND upper(p_role) = 'PUBLIC' THEN
        IF p_access <> 'predict' THEN
            RAISE EXCEPTION USING MESSAGE = intent_internal._pg_intent_error_words('only predict can be granted to PUBLIC'), ERRCODE = 'invalid_parameter_value';
        END IF;
        UPDATE @extschema@.ai_classifiers AS x SET predict_public = p_grant, updated_at = now() WHERE x.name = p_name;
        RETURN intent_internal._pg_intent_classifier_json(p_name);
    END IF;
    -- A grant names a role that exists. A revoke may also name a role that
    -- was dropped since: its entries (recorded under that name) go.
    IF v_role IS NULL AND p_grant THEN
        RAISE EXCEPTION USING MESSAGE = intent_internal._pg_intent_error_words('role "%s" does not exist', p_role), ERRCODE = 'undefined_object';
    END IF;
    IF v_role IS NULL AND NOT EXISTS (SELECT FROM jsonb_each_text(c.role_names) AS n WHERE n.value = p_role) THEN
        RAISE EXCEPTION USING MESSAGE = intent_internal._pg_intent_error_words('role "%s" does not exist', p_role), ERRCODE = 'undefined_object';
    END IF;
    -- Each grant is the role's OID, with its name recorded in role_names
    -- (a grant counts only for that OID under that name); a revoke removes
    -- the role's OID and any entry recorded under its name (an earlier role
    -- of that name, dropped). _pg_intent_classifier_rebind() keeps
    -- role_names to the OIDs granted. role_names holds one name per OID, so
    -- a grant also removes the role's OID from the other accesses when it
    -- was recorded under another name: those entries are a dropped role's
    -- whose OID this role got, or this role's before a rename, and count
    -- for nobody; recording the new name made them count for this role (a
    -- predict grant to the role with a dropped trainer's OID let it train).
    UPDATE @extschema@.ai_classifiers AS x
       SET predict_roles = CASE WHEN p_access = 'predict'
                                THEN intent_internal._pg_intent_role_list(x.predict_roles, x.role_names, v_role, p_role, p_grant)
                                WHEN p_grant AND (x.role_names ->> v_role::text) IS DISTINCT FROM p_role
                                THEN array_remove(x.predict_roles, v_role)
                                ELSE x.predict_roles END,
           train_roles = CASE WHEN p_access = 'train'
                              THEN intent_internal._pg_intent_role_list(x.train_roles, x.role_names, v_role, p_role, p_grant)
                              WHEN p_grant AND (x.role_names ->> v_role::text) IS DISTINCT FROM p_role
                              THEN array_remove(x.train_roles, v_role)
                              ELSE x.train_roles END,
           deploy_roles = CASE WHEN p_access = 'deploy'
                               THEN intent_internal._pg_intent_role_list(x.deploy_roles, x.role_names, v_role, p_role, p_grant)
                               WHEN p_grant AND (x.role_names ->> v_role::text) IS DISTINCT FROM p_role
                               THEN array_remove(x.deploy_roles, v_role)
                               ELSE x.deploy_roles END,
           role_names = CASE WHEN p_grant THEN x.role_names || jsonb_build_object(v_role::text, p_role) ELSE x.role_names END,
           updated_at = now()
     WHERE x.name = p_name;
    RETURN intent_internal._pg_intent_classifier_json(p_name);
END
$$;
COMMENT ON FUNCTION intent_internal._pg_intent_classifier_access(oid, text, text, text, boolean) IS
    'Internal: grant_classifier_access() and revoke_classifier_access() as the extension owner, for the calling role p_caller.';

CREATE OR REPLACE FUNCTION intent_internal._pg_intent_grant_classifier_access(p_caller oid, p_name text, p_role text, p_access text)
RETURNS jsonb
LANGUAGE sql VOLATILE PARALLEL UNSAFE
SET search_path = pg_catalog, pg_temp
AS $$ SELECT intent_internal._pg_intent_classifier_access(p_caller, p_name, p_role, p_access, true) $$;
COMMENT ON FUNCTION intent_internal._pg_intent_grant_classifier_access(oid, text, text, text) IS
    'Internal: grant_classifier_access() as the extension owner, for the calling role p_caller.';

CREATE OR REPLACE FUNCTION intent_internal._pg_intent_revoke_classifier_access(p_caller oid, p_name text, p_role text, p_access text)
RETURNS jsonb
LANGUAGE sql VOLATILE PARALLEL UNSAFE
SET search_path = pg_catalog, pg_temp
AS $$ SELECT intent_internal._pg_intent_classifier_access(p_caller, p_name, p_role, p_access, false) $$;
COMMENT ON FUNCTION intent_internal._pg_intent_revoke_classifier_access(oid, text, text, text) IS
    'Internal: revoke_classifier_access() as the extension owner, for the calling role p_caller.';
