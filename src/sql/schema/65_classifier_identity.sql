-- 0.3.2 (issue 31 items 6 and 11): what a classifier's identity, owner,
-- grantees and source are, as column comments. Only COMMENTs, so that the
-- fresh install (after 60_classifiers.sql) and the 0.3.1 -> 0.3.2 migration
-- (which includes this file after adding the columns) say the same.
--
-- Why names next to OIDs. pg_dump writes a regrole or regclass value as a
-- name, and the restore turns the name back into an OID: one owner or
-- grantee role missing in the restoring cluster failed the COPY of
-- ai_classifiers, and every classifier was lost. An OID alone is not an
-- identity either: a dropped owner's OID, once reused by a new role, made
-- that role the owner. So a role is stored as the pair (OID, name) it had
-- when it was written, and counts only while pg_roles still has that OID
-- under that name (_pg_intent_role_is()); a restore, where OIDs differ,
-- finds each role again by its name (_pg_intent_classifier_rebind()).
COMMENT ON COLUMN @extschema@.ai_classifiers.id IS
    'The classifier''s identity: models, runs and deployments name it in classifier_id, so that they never pass to a later classifier created with the same name. 0 is the built-in classifier intent.';
COMMENT ON COLUMN @extschema@.ai_classifiers.source IS
    'The OID of the table or view the classifier trains from, read as the classifier''s owner (its row-level security and column privileges apply); NULL when a restore found no relation named source_name.';
COMMENT ON COLUMN @extschema@.ai_classifiers.source_name IS
    'The source''s qualified name when the classifier was last written or trained: a restore finds the source by it.';
COMMENT ON COLUMN @extschema@.ai_classifiers.owner IS
    'The OID of the role that owns the classifier: it and its members may train, deploy, predict, alter, grant and drop. It counts only while that OID still has the name owner_name; otherwise the classifier is orphaned (ai_classifier_owners) until an administrator runs reassign_classifier(). NULL when a restore found no role named owner_name.';
COMMENT ON COLUMN @extschema@.ai_classifiers.owner_name IS
    'The owner''s role name when it became the owner: a role with the owner''s OID but another name (the OID reused after a DROP ROLE) is not the owner, and a restore finds the owner by this name.';
COMMENT ON COLUMN @extschema@.ai_classifiers.role_names IS
    'The name each role of train_roles, deploy_roles and predict_roles had when it was granted, by OID (as text): a grant counts only for the role with that OID and that name.';
COMMENT ON COLUMN @extschema@.ai_classifiers.role_cluster IS
    'The system identifier of the cluster whose roles owner and the grant arrays name, when the row was last written: a restore into that cluster keeps them by OID (a dropped or renamed role''s name taken by a new role gives it nothing), into another finds them by name.';
COMMENT ON COLUMN @extschema@.ai_intent_models.classifier_id IS
    'The id (ai_classifiers.id) of the classifier the model belongs to; only that classifier deploys or serves it (a dropped classifier''s id stays, never deployable again). NULL: a classifier dropped before 0.3.2 recorded ids.';
COMMENT ON COLUMN @extschema@.ai_training_runs.classifier_id IS
    'The id (ai_classifiers.id) of the classifier trained; NULL: a classifier dropped before 0.3.2 recorded ids.';
COMMENT ON COLUMN @extschema@.ai_model_deployments.classifier_id IS
    'The id (ai_classifiers.id) of the classifier whose deployed model changed; NULL: a classifier dropped before 0.3.2 recorded ids.';
