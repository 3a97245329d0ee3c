-- Named classifiers (0.3.0): who may do what with a classifier.
--
-- The rule lives here, once: the SQL entry points ask it for the role that
-- called them, and the prediction path (src/pg/classifier_cache.cpp) calls
-- it by OID and keeps its answer until ai_classifiers changes.

-- What ai_classifiers and its source column say (0.3.2: the source is read
-- as the classifier's owner; here, so that install and upgrade say it alike).
COMMENT ON TABLE @extschema@.ai_classifiers IS
    'The named classifiers: a labelled source read as the classifier''s owner in a security-restricted operation, its optional columns, its policy and who may train, deploy and predict. Written by create_classifier(), alter_classifier(), drop_classifier() and grant_classifier_access(); "intent" is built in.';
COMMENT ON COLUMN @extschema@.ai_classifiers.source IS
    'The table or view the classifier trains from, read as the classifier''s owner in a security-restricted operation (the owner''s row-level security and column privileges apply; code in it runs as the owner).';

-- The classifier's row as the latest committed state has it (with this
-- transaction's own changes), whatever the transaction's snapshot; NULL
-- when there is none (src/pg/classifier_cache.cpp). The rule below reads
-- the row through it: a privilege answer is never older than the last
-- committed grant or revoke. Read through the transaction's snapshot
-- (0.3.1), a REPEATABLE READ transaction opened before a revoke kept
-- predicting and deploying with the revoked right, and the prediction
-- cache kept that answer after the COMMIT. VOLATILE: two reads in one
-- statement may differ.
CREATE OR REPLACE FUNCTION intent_internal._pg_intent_classifier_latest(p_name text)
RETURNS @extschema@.ai_classifiers
AS 'MODULE_PATHNAME', 'pg_intent_classifier_latest'
LANGUAGE C VOLATILE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION intent_internal._pg_intent_classifier_latest(text) IS
    'Internal: the classifier''s row in the latest committed state (and this transaction''s changes), whatever the transaction''s snapshot; NULL when there is none. What _pg_intent_classifier_allows() reads.';

-- Whether role p_role may know which classifiers exist: a superuser, or a
-- role that may read ai_classifiers. To any other role an unknown name and
-- a classifier it may not use look the same (42501): under the Supabase
-- recipe every customer holds authenticated, and 42704 against 42501 told
-- them which names exist.
CREATE OR REPLACE FUNCTION intent_internal._pg_intent_classifier_may_list(p_role oid)
RETURNS boolean
LANGUAGE sql STABLE PARALLEL SAFE
SET search_path = pg_catalog, pg_temp
AS $$
    SELECT coalesce((SELECT r.rolsuper FROM pg_catalog.pg_roles AS r WHERE r.oid OPERATOR(pg_catalog.=) p_role), false)
           OR pg_catalog.has_table_privilege(p_role, '@extschema@.ai_classifiers'::pg_catalog.regclass, 'SELECT')
$$;
COMMENT ON FUNCTION intent_internal._pg_intent_classifier_may_list(oid) IS
    'Internal: whether the role may know which classifiers exist (a superuser, or SELECT on ai_classifiers); to others an unknown classifier is refused as one they may not use.';

-- The error for a classifier p_role may not p_access or that does not
-- exist: 42704 only for a role that may know which exist.
CREATE OR REPLACE FUNCTION intent_internal._pg_intent_classifier_refuse(p_name text, p_role oid, p_access text)
RETURNS void
LANGUAGE plpgsql STABLE PARALLEL SAFE
SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
    IF intent_internal._pg_intent_classifier_may_list(p_role)
       AND NOT EXISTS (SELECT FROM intent_internal._pg_intent_classifier_facts(p_name, p_role)) THEN
        RAISE EXCEPTION USING MESSAGE = intent_internal._pg_intent_error_words('classifier "%s" does not exist', pg_catalog.left(p_name, 63)),
                   ERRCODE = 'undefined_object',
                  HINT = intent_internal._pg_intent_error_words('The table ai_classifiers lists the classifiers; create_classifier() creates one.');
    END IF;
    RAISE EXCEPTION USING MESSAGE = intent_internal._pg_intent_error_words('permission denied to %s classifier "%s"', p_access, pg_catalog.left(p_name, 63)),
               ERRCODE = 'insufficient_privilege',
              -- never NULL: a NULL option fails RAISE itself (22004)
              DETAIL = CASE WHEN intent_internal._pg_intent_classifier_may_list(p_role)
                            THEN intent_internal._pg_intent_error_words('The classifier exists; the role holds no right to use it that way.')
                            ELSE intent_internal._pg_intent_error_words('It does not exist, or the role may not use it that way.') END,
              HINT = CASE WHEN p_access = 'manage' THEN intent_internal._pg_intent_error_words('Only its owner (or a member of the owner role) may.')
                          WHEN p_name = 'intent' AND p_access IN ('train', 'deploy') THEN intent_internal._pg_intent_error_words('The built-in classifier follows the grants of grant_intent_access(); an administrator can grant it: SELECT grant_intent_access(<role>, %s);', pg_catalog.quote_literal('models'))
                          WHEN p_access = 'read' THEN intent_internal._pg_intent_error_words('A role reads the dashboards of the classifiers it holds a right on (grant_classifier_access()), or of every classifier with SELECT on ai_classifiers.')
                          ELSE intent_internal._pg_intent_error_words('Its owner can grant it: SELECT grant_classifier_access(%s, <role>, %s);',
                                                 pg_catalog.quote_nullable(pg_catalog.left(p_name, 63)), pg_catalog.quote_nullable(p_access)) END;
END
$$;
COMMENT ON FUNCTION intent_internal._pg_intent_classifier_refuse(text, oid, text) IS
    'Internal: raises 42704 for an unknown classifier to a role that may list them, else 42501.';

-- Whether role p_role may p_access ('predict', 'train', 'deploy', 'manage')
-- classifier p_name; NULL when there is no such classifier and the role may
-- know that (_pg_intent_classifier_may_list()), false for another role.
--
--   superuser, and members of the classifier's owner: everything;
--   'predict': predict_public, or a member of one of predict_roles;
--   'train':   a member of one of train_roles;
--   'deploy':  a member of one of deploy_roles;
--   'manage' (alter, grant, drop): the owner's members only.
-- The built-in classifier "intent" keeps 0.2's rules: everyone predicts,
-- and training and deploying follow EXECUTE on train_intent_model() and
-- deploy_intent_model().
--
-- Membership is pg_has_role(..., 'USAGE'): a role's privileges, inherited,
-- as for any other object. Never 'MEMBER': since PostgreSQL 16 a membership
-- has options (GRANT r TO u WITH INHERIT, SET, ADMIN), and 'MEMBER' is true
-- for a member WITH INHERIT FALSE, SET FALSE too (the ADMIN-only membership
-- a CREATEROLE role gets in the roles it creates), to which PostgreSQL
-- gives none of r's privileges. A member WITH INHERIT TRUE, SET FALSE of
-- the owner counts: PostgreSQL gives it the owner's ownership (ALTER, DROP,
-- CREATE INDEX, whose expression runs as the owner), and SET only guards
-- SET ROLE and giving objects to the owner (reassign_classifier() asks
-- 'SET'; create_classifier() makes the caller the owner).
-- test/scripts/pgroles.sh checks each option on 16 and later.
--
-- A role is the pair (OID, name) it had when it became the owner or was
-- granted (owner and owner_name; the arrays and role_names), and counts only
-- while pg_roles has that OID under that name (_pg_intent_role_is()). A
-- role dropped after it was granted counts for nobody; so does a new role
-- that got its OID (OIDs are reused): 0.3.1 compared OIDs alone, and a role
-- created after the owner's DROP ROLE could alter the classifier. A
-- classifier whose owner is gone is orphaned: superusers may still do
-- everything with it (reassign_classifier() gives it a new owner), and the
-- roles it was granted to keep their grants. Runs as the owner
-- (ai_classifiers is not readable by callers); every name is qualified, the
-- roles are OIDs.
-- Fresh (0.3.2): the row comes from _pg_intent_classifier_latest(), and
-- membership from pg_has_role(), which reads the catalog caches: both are
-- the latest committed state, also inside a REPEATABLE READ or
-- SERIALIZABLE transaction that started before a grant or revoke.
CREATE OR REPLACE FUNCTION intent_internal._pg_intent_role_is(p_role oid, p_name name)
RETURNS boolean
LANGUAGE sql STABLE PARALLEL SAFE
SET search_path = pg_catalog, pg_temp
AS $$
    SELECT EXISTS (SELECT FROM pg_catalog.pg_roles AS r
                    WHERE r.oid OPERATOR(pg_catalog.=) p_role AND r.rolname OPERATOR(pg_catalog.=) p_name)
$$;
COMMENT ON FUNCTION intent_internal._pg_intent_role_is(oid, name) IS
    'Internal: whether the role with this OID still has this name (false once it was dropped, even if a new role got the OID).';

CREATE OR REPLACE FUNCTION intent_internal._pg_intent_classifier_allows(p_name text, p_role oid, p_access text)
RETURNS boolean
LANGUAGE sql STABLE PARALLEL SAFE SECURITY DEFINER
SET search_path = pg_catalog, pg_temp SET row_security = off
AS $$
    SELECT coalesce((
        SELECT CASE
            WHEN (SELECT r.rolsuper FROM pg_catalog.pg_roles AS r WHERE r.oid OPERATOR(pg_catalog.=) p_role) THEN true
            WHEN c.built_in THEN CASE p_access
                WHEN 'predict' THEN true
                WHEN 'train' THEN pg_catalog.has_function_privilege(p_role,
                    '@extschema@.train_intent_model(pg_catalog.text, pg_catalog.text, pg_catalog.jsonb)'::pg_catalog.regprocedure::pg_catalog.oid, 'EXECUTE')
                WHEN 'deploy' THEN pg_catalog.has_function_privilege(p_role,
                    '@extschema@.deploy_intent_model(pg_catalog.int8)'::pg_catalog.regprocedure::pg_catalog.oid, 'EXECUTE')
                ELSE EXISTS (SELECT FROM pg_catalog.pg_roles AS o
                              WHERE o.oid OPERATOR(pg_catalog.=) c.owner AND o.rolname OPERATOR(pg_catalog.=) c.owner_name
                                AND pg_catalog.pg_has_role(p_role, o.oid, 'USAGE'))
                END
            WHEN EXISTS (SELECT FROM pg_catalog.pg_roles AS o
                          WHERE o.oid OPERATOR(pg_catalog.=) c.owner AND o.rolname OPERATOR(pg_catalog.=) c.owner_name
                            AND pg_catalog.pg_has_role(p_role, o.oid, 'USAGE')) THEN true
            ELSE CASE p_access
                WHEN 'predict' THEN c.predict_public OR EXISTS (
                    SELECT FROM pg_catalog.pg_roles AS g
                     WHERE g.oid OPERATOR(pg_catalog.=) ANY (c.predict_roles)
                       AND g.rolname OPERATOR(pg_catalog.=) (c.role_names OPERATOR(pg_catalog.->>) g.oid::pg_catalog.text)
                       AND pg_catalog.pg_has_role(p_role, g.oid, 'USAGE'))
                WHEN 'train' THEN EXISTS (
                    SELECT FROM pg_catalog.pg_roles AS g
                     WHERE g.oid OPERATOR(pg_catalog.=) ANY (c.train_roles)
                       AND g.rolname OPERATOR(pg_catalog.=) (c.role_names OPERATOR(pg_catalog.->>) g.oid::pg_catalog.text)
                       AND pg_catalog.pg_has_role(p_role, g.oid, 'USAGE'))
                WHEN 'deploy' THEN EXISTS (
                    SELECT FROM pg_catalog.pg_roles AS g
                     WHERE g.oid OPERATOR(pg_catalog.=) ANY (c.deploy_roles)
                       AND g.rolname OPERATOR(pg_catalog.=) (c.role_names OPERATOR(pg_catalog.->>) g.oid::pg_catalog.text)
                       AND pg_catalog.pg_has_role(p_role, g.oid, 'USAGE'))
                ELSE false
                END
            END
          FROM intent_internal._pg_intent_classifier_latest(p_name) AS c
         WHERE c.name IS NOT NULL
    ), CASE WHEN intent_internal._pg_intent_classifier_may_list(p_role) THEN NULL ELSE false END)
$$;
COMMENT ON FUNCTION intent_internal._pg_intent_classifier_allows(text, oid, text) IS
    'Internal: whether the role may predict, train, deploy or manage the classifier (NULL: no such classifier, for a role that may list classifiers; false for another role). The one statement of the per-classifier privilege rule.';

-- -------------------------------------------------------------------------
-- The rule applied: a call's classifier, or its refusal
-- -------------------------------------------------------------------------

-- The classifier, or 42704.
CREATE OR REPLACE FUNCTION intent_internal._pg_intent_classifier(p_name text)
RETURNS @extschema@.ai_classifiers
LANGUAGE plpgsql STABLE PARALLEL SAFE
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    c @extschema@.ai_classifiers;
BEGIN
    IF p_name IS NULL THEN
        RAISE EXCEPTION USING MESSAGE = intent_internal._pg_intent_error_words('p_name must not be null'), ERRCODE = 'null_value_not_allowed';
    END IF;
    SELECT x.* INTO c FROM @extschema@.ai_classifiers AS x WHERE x.name = p_name;
    IF NOT FOUND THEN
        RAISE EXCEPTION USING MESSAGE = intent_internal._pg_intent_error_words('classifier "%s" does not exist', p_name),
                   ERRCODE = 'undefined_object', HINT = intent_internal._pg_intent_error_words('Create it with create_classifier().');
    END IF;
    RETURN c;
END
$$;
COMMENT ON FUNCTION intent_internal._pg_intent_classifier(text) IS
    'Internal: the classifier''s row, or 42704.';

-- The rights are judged on a classifier's latest committed row
-- (_pg_intent_classifier_allows()), so that a grant or a revoke applies at
-- once, also in a transaction whose snapshot predates it; what is then
-- read, trained or deployed follows the row of the transaction's snapshot.
-- Both must be one classifier, but for its rights: else the right granted
-- on today's row read yesterday's source as yesterday's owner (an audit:
-- in REPEATABLE READ since before an owner re-pointed a classifier to a
-- public table and granted train on it, the grantee read the texts of the
-- private table it had read before; or those of a dropped classifier whose
-- name the grantee had taken). 40001 otherwise, as a concurrent update in
-- REPEATABLE READ is: retry in a new transaction. True when they agree.
CREATE OR REPLACE FUNCTION intent_internal._pg_intent_classifier_is_judged(p_row @extschema@.ai_classifiers)
RETURNS boolean
LANGUAGE plpgsql STABLE PARALLEL SAFE
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    l @extschema@.ai_classifiers := intent_internal._pg_intent_classifier_latest(p_row.name);
BEGIN
    -- Dropped since the snapshot (and its name not taken again): it does not
    -- exist, which a retry would only confirm (42704). 40001 sent the caller
    -- to retry a classifier that is gone, and retrain_classifiers() reported
    -- a classifier dropped while its new rows were counted as "the training
    -- conflicted with a concurrent transaction". Only a role that may know
    -- it existed comes here (_pg_intent_classifier_require() after the right
    -- judged on the latest row, _pg_intent_classifier_facts() to a role that
    -- may list the classifiers).
    IF l.id IS NULL THEN
        RAISE EXCEPTION USING MESSAGE = intent_internal._pg_intent_error_words('classifier "%s" does not exist', p_row.name),
                   ERRCODE = 'undefined_object',
                   DETAIL = intent_internal._pg_intent_error_words('It was dropped after this transaction''s snapshot.');
    END IF;
    IF (p_row.id, p_row.source, p_row.owner, p_row.owner_name, p_row.built_in, p_row.text_column,
        p_row.label_column, p_row.key_column, p_row.time_column, p_row.weight_column, p_row.reviewed_column,
        p_row.partition_column, p_row.corrected_column, p_row.policy)
       IS DISTINCT FROM
       (l.id, l.source, l.owner, l.owner_name, l.built_in, l.text_column, l.label_column, l.key_column,
        l.time_column, l.weight_column, l.reviewed_column, l.partition_column, l.corrected_column, l.policy) THEN
        RAISE EXCEPTION USING MESSAGE = intent_internal._pg_intent_error_words('classifier "%s" changed since this transaction''s snapshot', p_row.name),
                   ERRCODE = 'serialization_failure',
                   DETAIL = intent_internal._pg_intent_error_words('Its rights are the ones committed last, and they may not be applied to the definition this transaction still sees.'),
                   HINT = intent_internal._pg_intent_error_words('Retry in a new transaction.');
    END IF;
    RETURN true;
END
$$;
COMMENT ON FUNCTION intent_internal._pg_intent_classifier_is_judged(@extschema@.ai_classifiers) IS
    'Internal: true when the classifier''s row of this transaction''s snapshot is, but for its rights, its latest committed row, on which _pg_intent_classifier_allows() judges; 42704 when it was dropped since the snapshot; 40001 otherwise (retry in a new transaction).';

-- Raises 42501 unless p_caller may p_access the classifier (42704 for an
-- unknown one, to a role that may know which exist).
CREATE OR REPLACE FUNCTION intent_internal._pg_intent_classifier_require(p_name text, p_caller oid, p_access text)
RETURNS @extschema@.ai_classifiers
LANGUAGE plpgsql STABLE PARALLEL SAFE
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    c @extschema@.ai_classifiers;
BEGIN
    IF p_name IS NULL THEN
        RAISE EXCEPTION USING MESSAGE = intent_internal._pg_intent_error_words('p_name must not be null'), ERRCODE = 'null_value_not_allowed';
    END IF;
    IF NOT coalesce(intent_internal._pg_intent_classifier_allows(p_name, p_caller, p_access), false) THEN
        -- (to a role that may know which classifiers exist; not the old
        -- owner's name: this caller may have no right to the classifier)
        IF p_access = 'manage' AND intent_internal._pg_intent_classifier_may_list(p_caller)
           AND EXISTS (SELECT FROM @extschema@.ai_classifiers AS x
                        WHERE x.name = p_name AND NOT intent_internal._pg_intent_role_is(x.owner, x.owner_name)) THEN
            RAISE EXCEPTION USING MESSAGE = intent_internal._pg_intent_error_words('classifier "%s" is orphaned: its owner was dropped', p_name),
                       ERRCODE = 'insufficient_privilege',
                      DETAIL = intent_internal._pg_intent_error_words('A role that got its owner''s OID or name since is not its owner.'),
                      HINT = intent_internal._pg_intent_error_words('An administrator gives it a new owner: SELECT reassign_classifier(%s, <role>);', pg_catalog.quote_nullable(p_name));
        END IF;
        PERFORM intent_internal._pg_intent_classifier_refuse(p_name, p_caller, p_access);
    END IF;
    c := intent_internal._pg_intent_classifier(p_name);
    PERFORM intent_internal._pg_intent_classifier_is_judged(c);
    -- Training and every read of the source run as the owner (as_owner.h):
    -- with the owner gone there is no role to read it as. Said here, before
    -- enter_restricted_operation() could only say that an OID has no role.
    IF p_access = 'train' AND NOT c.built_in AND NOT intent_internal._pg_intent_role_is(c.owner, c.owner_name) THEN
        RAISE EXCEPTION USING MESSAGE = intent_internal._pg_intent_error_words('classifier "%s" is orphaned: its owner was dropped', p_name),
                   ERRCODE = 'object_not_in_prerequisite_state',
                  DETAIL = intent_internal._pg_intent_error_words('Its source is read as its owner, the role "%s", which no longer exists.', coalesce(c.owner_name::text, '')),
                  HINT = intent_internal._pg_intent_error_words('An administrator gives it a new owner: SELECT reassign_classifier(%s, <role>);', pg_catalog.quote_nullable(p_name));
    END IF;
    RETURN c;
END
$$;
COMMENT ON FUNCTION intent_internal._pg_intent_classifier_require(text, oid, text) IS
    'Internal: the classifier''s row if the role may predict, train, deploy or manage it; 42704 or 42501 otherwise (42501 naming the orphaned classifier to manage; 55000 to train an orphaned classifier, whose source has no owner to be read as).';
