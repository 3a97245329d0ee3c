-- New in 0.3.2 (issue 35; also run by the upgrade, which includes this file).

-- -------------------------------------------------------------------------
-- ai_classifier_publication: classifiers and models sent to Citus nodes
-- -------------------------------------------------------------------------
-- On a Citus cluster, replicate_classifiers() makes this table a reference
-- table. Every change of a classifier or of a model on the coordinator then
-- inserts a row here (src/sql/62_citus_nodes.sql); Citus writes it to every
-- node's placement in the coordinator's distributed transaction, and a row
-- trigger there applies it to that node's own ai_classifiers and
-- ai_intent_models, so a query that Citus pushes down to a worker predicts
-- with the coordinator's deployed models, and a deploy commits on every node
-- or on none. The table keeps the rows that are the coordinator's state (one
-- per classifier, one per active model with its bytes), which Citus copies
-- to a node added later; the other changes are applied and not kept.
CREATE TABLE @extschema@.ai_classifier_publication (
    -- reset, classifier, classifier_gone, model or model_gone (checked by
    -- the trigger, which keeps only classifier rows and active models' rows)
    kind       text,
    classifier text,
    row        jsonb,
    model      bytea,
    -- what a kept row is the state of; its primary key is also the replica
    -- identity Citus needs to copy the table to a new node by logical
    -- replication (its default transfer mode refuses a table without one)
    state_key  text GENERATED ALWAYS AS (
                   CASE kind WHEN 'classifier' THEN 'classifier:' OPERATOR(pg_catalog.||) classifier
                             WHEN 'model' THEN 'model:' OPERATOR(pg_catalog.||) (row OPERATOR(pg_catalog.->>) 'id')
                   END) STORED,
    CONSTRAINT ai_classifier_publication_pkey PRIMARY KEY (state_key)
);
-- A model's bytes are stored as they are (no compression attempt): each
-- node stores every deployed model here once more, inside the deploy's
-- transaction, and on PostgreSQL's default (pglz) an 8 MB model took
-- about seven times as long to store (CHANGELOG 0.3.2). Citus's placements are made
-- with the table's column storage.
ALTER TABLE @extschema@.ai_classifier_publication ALTER COLUMN model SET STORAGE EXTERNAL;
COMMENT ON TABLE @extschema@.ai_classifier_publication IS
    'Internal: on a Citus cluster (after replicate_classifiers()), each change of a classifier or model on the coordinator passes through this reference table to every node, whose trigger applies it to the node''s own tables; it keeps each classifier and active model, which Citus copies to a node added later. Empty without Citus.';
