-- Named classifiers (0.3.0): who may do what with a classifier.
--
-- The rule lives here, once: the SQL entry points ask it for the role that
-- called them, and the prediction path (src/pg/classifier_cache.cpp) calls
-- it by OID and keeps its answer until ai_classifiers changes.

-- Whether role p_role may p_access ('predict', 'train', 'deploy', 'manage')
-- classifier p_name; NULL when there is no such classifier.
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
-- as for any other object. A role dropped after it was granted (its OID
-- left in an array) counts for nobody. Runs as the owner (ai_classifiers is not readable
-- by callers); every name is qualified, the roles are OIDs.
CREATE OR REPLACE FUNCTION @extschema@._pg_intent_classifier_allows(p_name text, p_role oid, p_access text)
RETURNS boolean
LANGUAGE sql STABLE PARALLEL SAFE SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
    SELECT CASE
        WHEN (SELECT r.rolsuper FROM pg_catalog.pg_roles AS r WHERE r.oid OPERATOR(pg_catalog.=) p_role) THEN true
        WHEN c.built_in THEN CASE p_access
            WHEN 'predict' THEN true
            WHEN 'train' THEN pg_catalog.has_function_privilege(p_role,
                '@extschema@.train_intent_model(pg_catalog.text, pg_catalog.text, pg_catalog.jsonb)'::pg_catalog.regprocedure::pg_catalog.oid, 'EXECUTE')
            WHEN 'deploy' THEN pg_catalog.has_function_privilege(p_role,
                '@extschema@.deploy_intent_model(pg_catalog.int8)'::pg_catalog.regprocedure::pg_catalog.oid, 'EXECUTE')
            ELSE pg_catalog.pg_has_role(p_role, c.owner::pg_catalog.oid, 'USAGE')
            END
        WHEN EXISTS (SELECT FROM pg_catalog.pg_roles AS o
                      WHERE o.oid OPERATOR(pg_catalog.=) c.owner::pg_catalog.oid
                        AND pg_catalog.pg_has_role(p_role, o.oid, 'USAGE')) THEN true
        ELSE CASE p_access
            WHEN 'predict' THEN c.predict_public OR EXISTS (
                SELECT FROM pg_catalog.pg_roles AS g
                 WHERE g.oid OPERATOR(pg_catalog.=) ANY (c.predict_roles::pg_catalog.oid[])
                   AND pg_catalog.pg_has_role(p_role, g.oid, 'USAGE'))
            WHEN 'train' THEN EXISTS (
                SELECT FROM pg_catalog.pg_roles AS g
                 WHERE g.oid OPERATOR(pg_catalog.=) ANY (c.train_roles::pg_catalog.oid[])
                   AND pg_catalog.pg_has_role(p_role, g.oid, 'USAGE'))
            WHEN 'deploy' THEN EXISTS (
                SELECT FROM pg_catalog.pg_roles AS g
                 WHERE g.oid OPERATOR(pg_catalog.=) ANY (c.deploy_roles::pg_catalog.oid[])
                   AND pg_catalog.pg_has_role(p_role, g.oid, 'USAGE'))
            ELSE false
            END
        END
      FROM @extschema@.ai_classifiers AS c
     WHERE c.name OPERATOR(pg_catalog.=) p_name
$$;
COMMENT ON FUNCTION @extschema@._pg_intent_classifier_allows(text, oid, text) IS
    'Internal: whether the role may predict, train, deploy or manage the classifier (NULL: no such classifier). The one statement of the per-classifier privilege rule.';
