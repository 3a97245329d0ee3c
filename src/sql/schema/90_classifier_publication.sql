-- New in 0.3.2 (issue 35; also run by the upgrade, which includes this file).

-- -------------------------------------------------------------------------
-- ai_classifier_publication: classifiers and models sent to Citus nodes
-- -------------------------------------------------------------------------
-- On a Citus cluster, replicate_classifiers() makes this table a reference
-- table. Every change of a classifier or of a model on the coordinator then
-- inserts a row here (src/sql/63_citus_nodes.sql); Citus writes it to every
-- node's placement in the coordinator's distributed transaction, and a row
-- trigger there applies it to that node's own ai_classifiers and
-- ai_intent_models, so a query that Citus pushes down to a worker predicts
-- with the coordinator's deployed models, and a deploy commits on every node
-- or on none. The trigger stores nothing: the table is always empty.
CREATE TABLE @extschema@.ai_classifier_publication (
    -- reset, classifier, classifier_gone, model or model_gone (checked by
    -- the trigger, which stores nothing: no constraint would see a row)
    kind       text,
    classifier text,
    row        jsonb,
    model      bytea
);
COMMENT ON TABLE @extschema@.ai_classifier_publication IS
    'Internal, always empty: on a Citus cluster (after replicate_classifiers()), each change of a classifier or model on the coordinator passes through this reference table to every node, whose trigger applies it to the node''s own tables.';
