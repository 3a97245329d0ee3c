-- Classifiers and their deployed models on every node of a Citus cluster
-- (issue 35; docs/scale-out.md).
--
-- Citus pushes a query over a distributed table, predict_label() in it, down
-- to the workers that hold the shards, and prediction there reads that
-- node's own ai_classifiers and ai_intent_models (by index scan, as on one
-- node). So each node keeps a copy of the coordinator's classifiers and of
-- its active models, and the coordinator is the only node that trains,
-- deploys or changes them.
--
-- The copies travel through Citus, not beside it: ai_classifier_publication
-- is a reference table (replicate_classifiers() makes it one), and a
-- statement trigger on the coordinator's ai_classifiers and ai_intent_models
-- inserts each changed row into it. Citus writes a reference table's rows to
-- every node in the writing transaction and commits them with two-phase
-- commit, so a deploy, rollback or drop commits on every node or on none,
-- and a worker never serves a model the coordinator no longer serves. The
-- row trigger on each node's placement applies the row to that node's tables
-- and keeps only the rows that are state (each classifier, each active
-- model). A node that cannot apply (down, or failing) fails the
-- coordinator's change. A node added later gets the kept rows when Citus
-- copies the reference table to it, and an event trigger applies them there
-- when Citus creates the copy's triggers: no step of the user's.
--
-- The coordinator's rows win: a worker's classifier or model with the same
-- name, id or version is replaced. Role OIDs differ between nodes; a
-- classifier row is inserted anew on the node, so _pg_intent_classifier_rebind()
-- finds its owner, grantees and source there by their names (Citus creates
-- roles and distributed tables on every node under the same names). Only
-- the owner and grantees that count on the coordinator are published by
-- name (_pg_intent_classifier_published()): a dropped role's name, taken
-- by a new role, gives it nothing on any node, a node added later included
-- (it asks the coordinator for them, _pg_intent_apply_new_placement()).

-- This node's Citus group: 0 on the coordinator, a worker's own number,
-- NULL where the citus extension is not installed. The one reader of
-- pg_dist_local_group: the coordinator test below, the publication's apply
-- trigger (is this a worker?), replicate_classifiers() and the glue all ask
-- it. The glue (src/pg/citus_node.cpp) calls it through fmgr by OID, with no
-- EXECUTE check: it asks on prediction's error path as the caller, and a
-- role without rights predicting with an unknown classifier must get 42704,
-- not a refusal of this function. Read by name in pg_catalog only; on a
-- database without Citus that is one lookup.
CREATE OR REPLACE FUNCTION intent_internal._pg_intent_citus_group()
RETURNS integer
LANGUAGE plpgsql STABLE PARALLEL SAFE
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    v_group integer;
BEGIN
    IF pg_catalog.to_regclass('pg_catalog.pg_dist_local_group') IS NULL THEN
        RETURN NULL;
    END IF;
    -- dynamic: the Citus catalogs exist only where Citus is installed
    EXECUTE 'SELECT g.groupid FROM pg_catalog.pg_dist_local_group AS g' INTO v_group;
    RETURN v_group;
END
$$;
COMMENT ON FUNCTION intent_internal._pg_intent_citus_group() IS
    'Internal: this node''s Citus group (0 on the coordinator), or NULL without the citus extension.';

-- Whether this database publishes its classifiers to Citus nodes: it is
-- the coordinator (group 0) and ai_classifier_publication is a Citus table.
-- Called by the owner's code only (the publication triggers' SECURITY
-- DEFINER function, replicate_classifiers()).
CREATE OR REPLACE FUNCTION intent_internal._pg_intent_citus_coordinator()
RETURNS boolean
LANGUAGE plpgsql STABLE PARALLEL SAFE
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    v_result boolean;
BEGIN
    IF intent_internal._pg_intent_citus_group() IS DISTINCT FROM 0 THEN
        RETURN false;
    END IF;
    EXECUTE 'SELECT EXISTS (SELECT FROM pg_catalog.pg_dist_partition AS p
                             WHERE p.logicalrelid OPERATOR(pg_catalog.=) $1)'
       INTO v_result
      USING '@extschema@.ai_classifier_publication'::pg_catalog.regclass;
    RETURN v_result;
END
$$;
COMMENT ON FUNCTION intent_internal._pg_intent_citus_coordinator() IS
    'Internal: whether this database is the coordinator of a Citus cluster that replicate_classifiers() set up, so its classifier and model changes are published to every node.';

-- A classifier's row as the coordinator publishes it. A worker finds the
-- owner and the grantees again by their names (_pg_intent_classifier_rebind():
-- role OIDs differ between nodes), so a name published is a right given to
-- whatever role has that name on the node, now or later. Only the roles that
-- count here are published by name: those whose OID still has the recorded
-- name (_pg_intent_role_is(), the rule of _pg_intent_classifier_allows()).
-- A grant to a role dropped (or renamed) counts for nobody here and is left
-- out; an orphaned classifier goes with no owner (owner NULL, owner_name
-- kept for ai_classifier_owners), and the worker keeps it orphaned
-- (_pg_intent_apply_published()). Else a role created under a dropped
-- grantee's or owner's name (on a node, or on every node, as Citus
-- propagates CREATE ROLE) got on the workers the rights it lacks here.
-- The one source of every published classifier row: _pg_intent_publish_all()
-- and _pg_intent_publish_to_nodes() call it.
CREATE OR REPLACE FUNCTION intent_internal._pg_intent_classifier_published(p_row @extschema@.ai_classifiers)
RETURNS jsonb
LANGUAGE sql STABLE PARALLEL SAFE
SET search_path = pg_catalog, pg_temp
AS $$
    WITH live AS (
        SELECT e.key::pg_catalog.oid AS g, e.value
          FROM pg_catalog.jsonb_each_text(p_row.role_names) AS e
         WHERE intent_internal._pg_intent_role_is(e.key::pg_catalog.oid, e.value::pg_catalog.name))
    SELECT pg_catalog.to_jsonb(p_row) OPERATOR(pg_catalog.||) pg_catalog.jsonb_build_object(
               'owner', CASE WHEN intent_internal._pg_intent_role_is(p_row.owner, p_row.owner_name) THEN p_row.owner END,
               'train_roles', ARRAY(SELECT u.g FROM pg_catalog.unnest(p_row.train_roles) WITH ORDINALITY AS u (g, i)
                                     WHERE u.g OPERATOR(pg_catalog.=) ANY (ARRAY(SELECT l.g FROM live AS l)) ORDER BY u.i),
               'deploy_roles', ARRAY(SELECT u.g FROM pg_catalog.unnest(p_row.deploy_roles) WITH ORDINALITY AS u (g, i)
                                      WHERE u.g OPERATOR(pg_catalog.=) ANY (ARRAY(SELECT l.g FROM live AS l)) ORDER BY u.i),
               'predict_roles', ARRAY(SELECT u.g FROM pg_catalog.unnest(p_row.predict_roles) WITH ORDINALITY AS u (g, i)
                                       WHERE u.g OPERATOR(pg_catalog.=) ANY (ARRAY(SELECT l.g FROM live AS l)) ORDER BY u.i),
               'role_names', (SELECT coalesce(pg_catalog.jsonb_object_agg(l.g::pg_catalog.text, l.value), '{}') FROM live AS l))
$$;
COMMENT ON FUNCTION intent_internal._pg_intent_classifier_published(@extschema@.ai_classifiers) IS
    'Internal: a classifier''s row as published to the Citus nodes, which find its roles by name: only the grants that count here (the OID still has the recorded name), and no owner (NULL) when the classifier is orphaned.';

-- Every classifier and active model, as the coordinator has them now, to
-- every node: the kept state emptied and a 'reset' first, so that what
-- follows is all a worker keeps.
CREATE OR REPLACE FUNCTION intent_internal._pg_intent_publish_all(OUT classifiers integer, OUT models integer)
LANGUAGE plpgsql VOLATILE PARALLEL UNSAFE
SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
    DELETE FROM @extschema@.ai_classifier_publication;
    INSERT INTO @extschema@.ai_classifier_publication (kind) VALUES ('reset');
    INSERT INTO @extschema@.ai_classifier_publication (kind, classifier, row)
    SELECT 'classifier', c.name, intent_internal._pg_intent_classifier_published(c)
      FROM @extschema@.ai_classifiers AS c WHERE NOT c.built_in ORDER BY c.name;
    GET DIAGNOSTICS classifiers = ROW_COUNT;
    INSERT INTO @extschema@.ai_classifier_publication (kind, classifier, row, model)
    SELECT 'model', m.classifier, pg_catalog.to_jsonb(m) OPERATOR(pg_catalog.-) 'model'::text, m.model
      FROM @extschema@.ai_intent_models AS m WHERE m.is_active ORDER BY m.id;
    GET DIAGNOSTICS models = ROW_COUNT;
END
$$;
COMMENT ON FUNCTION intent_internal._pg_intent_publish_all() IS
    'Internal: publishes every classifier and active model of the coordinator to every Citus node, after a reset that drops the nodes'' copies; returns how many of each.';

-- The statement trigger on the coordinator's ai_classifiers and
-- ai_intent_models: each changed row, as it is now (or gone), to every node.
-- A model's bytes travel only while it is active: a node keeps only the
-- models it may serve. SECURITY DEFINER: the publication table is the
-- owner's, and Citus writes it to the nodes as the owner whoever changed the
-- classifier (a role with the right to deploy, a pg_cron job).
CREATE OR REPLACE FUNCTION intent_internal._pg_intent_publish_to_nodes()
RETURNS trigger
LANGUAGE plpgsql VOLATILE PARALLEL UNSAFE SECURITY DEFINER
SET search_path = pg_catalog, pg_temp SET row_security = off
-- Custom plans, whatever the caller's plan_cache_mode (or the record
-- step's, 40_training.sql, which plans generically): Citus cannot plan the
-- INSERT into the reference table below from parameters ("could not create
-- distributed plan", 0A000), and every run of a call failed.
SET plan_cache_mode = force_custom_plan
AS $$
DECLARE
    v_kinds text[];
    v_names text[];
    v_rows jsonb[];
    v_models bytea[];
    v_ids text[];
BEGIN
    IF NOT intent_internal._pg_intent_citus_coordinator() THEN
        RETURN NULL;
    END IF;
    IF TG_OP OPERATOR(pg_catalog.=) 'TRUNCATE' THEN
        -- no rows to say what went: the nodes start over from what is left
        PERFORM intent_internal._pg_intent_publish_all();
        RETURN NULL;
    END IF;
    -- The transition rows are read into arrays first: Citus plans an INSERT
    -- into a reference table from a SELECT itself, and a transition table
    -- is not a relation it can read.
    IF TG_TABLE_NAME OPERATOR(pg_catalog.=) 'ai_classifiers' THEN
        IF TG_OP OPERATOR(pg_catalog.=) 'DELETE' THEN
            SELECT pg_catalog.array_agg('classifier_gone'::text), pg_catalog.array_agg(g.name ORDER BY g.name),
                   pg_catalog.array_agg(NULL::jsonb), pg_catalog.array_agg(NULL::bytea)
              INTO v_kinds, v_names, v_rows, v_models
              FROM gone AS g WHERE NOT g.built_in;
        ELSE
            SELECT pg_catalog.array_agg('classifier'::text), pg_catalog.array_agg(c.name ORDER BY c.name),
                   pg_catalog.array_agg(intent_internal._pg_intent_classifier_published(c) ORDER BY c.name),
                   pg_catalog.array_agg(NULL::bytea)
              INTO v_kinds, v_names, v_rows, v_models
              FROM changed AS c WHERE NOT c.built_in;
        END IF;
    ELSIF TG_OP OPERATOR(pg_catalog.=) 'DELETE' THEN
        SELECT pg_catalog.array_agg('model_gone'::text), pg_catalog.array_agg(g.classifier ORDER BY g.id),
               pg_catalog.array_agg(pg_catalog.jsonb_build_object('id', g.id) ORDER BY g.id), pg_catalog.array_agg(NULL::bytea)
          INTO v_kinds, v_names, v_rows, v_models
          FROM gone AS g;
    ELSE
        -- the models that stop serving first: a node's unique index allows
        -- one active model per classifier and partition
        SELECT pg_catalog.array_agg('model'::text), pg_catalog.array_agg(m.classifier ORDER BY m.is_active, m.id),
               pg_catalog.array_agg(pg_catalog.to_jsonb(m) OPERATOR(pg_catalog.-) 'model'::text ORDER BY m.is_active, m.id),
               pg_catalog.array_agg(CASE WHEN m.is_active THEN m.model END ORDER BY m.is_active, m.id)
          INTO v_kinds, v_names, v_rows, v_models
          FROM changed AS m;
    END IF;
    IF v_kinds IS NOT NULL THEN
        -- the kept state rows these changes supersede: a classifier's by its
        -- name or id (and its models' when it goes), a model's by its id
        v_ids := ARRAY(SELECT r OPERATOR(pg_catalog.->>) 'id' FROM pg_catalog.unnest(v_rows) AS r);
        IF TG_TABLE_NAME OPERATOR(pg_catalog.=) 'ai_classifiers' THEN
            DELETE FROM @extschema@.ai_classifier_publication AS p
             WHERE (p.kind OPERATOR(pg_catalog.=) 'classifier'
                    AND (p.classifier OPERATOR(pg_catalog.=) ANY (v_names)
                         OR (p.row OPERATOR(pg_catalog.->>) 'id') OPERATOR(pg_catalog.=) ANY (v_ids)))
                OR (TG_OP OPERATOR(pg_catalog.=) 'DELETE' AND p.classifier OPERATOR(pg_catalog.=) ANY (v_names));
        ELSE
            DELETE FROM @extschema@.ai_classifier_publication AS p
             WHERE p.kind OPERATOR(pg_catalog.=) 'model'
               AND (p.row OPERATOR(pg_catalog.->>) 'id') OPERATOR(pg_catalog.=) ANY (v_ids);
        END IF;
        INSERT INTO @extschema@.ai_classifier_publication (kind, classifier, row, model)
        SELECT u.k, u.n, u.r, u.b
          FROM ROWS FROM (pg_catalog.unnest(v_kinds), pg_catalog.unnest(v_names), pg_catalog.unnest(v_rows),
                          pg_catalog.unnest(v_models)) WITH ORDINALITY AS u(k, n, r, b, i)
         ORDER BY u.i;
    END IF;
    RETURN NULL;
END
$$;
COMMENT ON FUNCTION intent_internal._pg_intent_publish_to_nodes() IS
    'Internal trigger: on a Citus coordinator set up by replicate_classifiers(), publishes each changed classifier and model row to every node through ai_classifier_publication.';

-- A node's copy of model p_id goes: made inactive first (the active model
-- cannot be deleted), then deleted unless the node's own deployment history
-- names it.
CREATE OR REPLACE FUNCTION intent_internal._pg_intent_node_drop_model(p_id bigint)
RETURNS void
LANGUAGE plpgsql VOLATILE PARALLEL UNSAFE
SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
    UPDATE @extschema@.ai_intent_models SET is_active = false
     WHERE id OPERATOR(pg_catalog.=) p_id AND is_active;
    DELETE FROM @extschema@.ai_intent_models AS m
     WHERE m.id OPERATOR(pg_catalog.=) p_id
       AND NOT EXISTS (SELECT FROM @extschema@.ai_model_deployments AS d
                        WHERE d.model_id OPERATOR(pg_catalog.=) p_id OR d.previous_model_id OPERATOR(pg_catalog.=) p_id);
END
$$;
COMMENT ON FUNCTION intent_internal._pg_intent_node_drop_model(bigint) IS
    'Internal: removes a Citus node''s copy of a model (deactivated, then deleted unless the node''s deployment history names it).';

-- A change the coordinator published, applied to this node's own tables (on
-- a worker): the one implementation, read by the placement's row trigger for
-- each row as it arrives and by the event trigger below for the rows a new
-- placement was copied with.
CREATE OR REPLACE FUNCTION intent_internal._pg_intent_apply_published(p_kind text, p_classifier text, p_row jsonb, p_model bytea)
RETURNS void
LANGUAGE plpgsql VOLATILE PARALLEL UNSAFE
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    v_classifier @extschema@.ai_classifiers;
    v_model @extschema@.ai_intent_models;
    v_id bigint;
BEGIN
    CASE p_kind
    WHEN 'reset' THEN
        -- replicate_classifiers(): what follows is all there is
        FOR v_id IN SELECT m.id FROM @extschema@.ai_intent_models AS m ORDER BY m.id LOOP
            PERFORM intent_internal._pg_intent_node_drop_model(v_id);
        END LOOP;
        DELETE FROM @extschema@.ai_classifiers AS c WHERE NOT c.built_in;
    WHEN 'classifier' THEN
        v_classifier := pg_catalog.jsonb_populate_record(NULL::@extschema@.ai_classifiers, p_row);
        -- inserted anew, so that the roles and the source are found here by
        -- name; the coordinator published only the roles that count there
        -- (_pg_intent_classifier_published())
        DELETE FROM @extschema@.ai_classifiers AS c
         WHERE (c.name OPERATOR(pg_catalog.=) v_classifier.name OR c.id OPERATOR(pg_catalog.=) v_classifier.id)
           AND NOT c.built_in;
        INSERT INTO @extschema@.ai_classifiers SELECT v_classifier.*;
        IF v_classifier.owner IS NULL THEN
            -- orphaned on the coordinator: orphaned here too. The insert found
            -- a role by owner_name; an update looks none up by name.
            UPDATE @extschema@.ai_classifiers SET owner = NULL
             WHERE id OPERATOR(pg_catalog.=) v_classifier.id;
        END IF;
    WHEN 'classifier_gone' THEN
        FOR v_id IN SELECT m.id FROM @extschema@.ai_intent_models AS m
                     WHERE m.classifier OPERATOR(pg_catalog.=) p_classifier ORDER BY m.id LOOP
            PERFORM intent_internal._pg_intent_node_drop_model(v_id);
        END LOOP;
        DELETE FROM @extschema@.ai_classifiers AS c
         WHERE c.name OPERATOR(pg_catalog.=) p_classifier AND NOT c.built_in;
    WHEN 'model' THEN
        v_model := pg_catalog.jsonb_populate_record(NULL::@extschema@.ai_intent_models, p_row);
        IF NOT v_model.is_active THEN
            PERFORM intent_internal._pg_intent_node_drop_model(v_model.id);
        ELSIF NOT EXISTS (SELECT FROM @extschema@.ai_intent_models AS m
                           WHERE m.id OPERATOR(pg_catalog.=) v_model.id AND m.is_active
                             AND m.sha256 OPERATOR(pg_catalog.=) v_model.sha256) THEN
            -- whatever this node serves for the classifier and partition,
            -- and any row in the way of the id or the version, goes first
            FOR v_id IN SELECT m.id FROM @extschema@.ai_intent_models AS m
                         WHERE (m.is_active AND m.classifier OPERATOR(pg_catalog.=) v_model.classifier
                                AND m.partition_key IS NOT DISTINCT FROM v_model.partition_key)
                            OR m.id OPERATOR(pg_catalog.=) v_model.id
                            OR m.version OPERATOR(pg_catalog.=) v_model.version
                         ORDER BY m.id LOOP
                PERFORM intent_internal._pg_intent_node_drop_model(v_id);
            END LOOP;
            -- a copy kept by the node's own history: its flag only
            UPDATE @extschema@.ai_intent_models SET is_active = true
             WHERE id OPERATOR(pg_catalog.=) v_model.id AND sha256 OPERATOR(pg_catalog.=) v_model.sha256;
            IF NOT FOUND THEN
                DELETE FROM @extschema@.ai_intent_models AS m
                 WHERE m.id OPERATOR(pg_catalog.=) v_model.id OR m.version OPERATOR(pg_catalog.=) v_model.version;
                v_model.model := p_model;
                INSERT INTO @extschema@.ai_intent_models SELECT v_model.*;
            END IF;
        END IF;
    WHEN 'model_gone' THEN
        PERFORM intent_internal._pg_intent_node_drop_model((p_row OPERATOR(pg_catalog.->>) 'id')::bigint);
    END CASE;
END
$$;
COMMENT ON FUNCTION intent_internal._pg_intent_apply_published(text, text, jsonb, bytea) IS
    'Internal: on a Citus worker, applies one classifier or model change published by the coordinator to the node''s own tables.';

-- What the publication keeps: the rows that are the coordinator's state (a
-- classifier, an active model), so that Citus's copy of the reference table
-- to a node added later carries every classifier and model the node must
-- serve. The other kinds (reset, classifier_gone, model_gone, a model that
-- stopped serving) are changes only: applied, never stored. The coordinator
-- deletes a state row before it publishes its successor
-- (_pg_intent_publish_to_nodes()), so each classifier and active model has
-- one row.
CREATE OR REPLACE FUNCTION intent_internal._pg_intent_published_state(p_kind text, p_row jsonb)
RETURNS boolean
LANGUAGE sql IMMUTABLE PARALLEL SAFE
SET search_path = pg_catalog, pg_temp
AS $$
    SELECT p_kind OPERATOR(pg_catalog.=) 'classifier'
        OR (p_kind OPERATOR(pg_catalog.=) 'model'
            AND coalesce((p_row OPERATOR(pg_catalog.->>) 'is_active')::boolean, false))
$$;
COMMENT ON FUNCTION intent_internal._pg_intent_published_state(text, jsonb) IS
    'Internal: whether a published row is part of the coordinator''s state (a classifier, an active model) that ai_classifier_publication keeps for nodes added later.';

-- The row trigger on each node's placement of ai_classifier_publication:
-- applies the coordinator's change to this node's tables (on a worker), and
-- keeps the row only if it is state. The coordinator's own placement applies
-- nothing: its tables are the source.
CREATE OR REPLACE FUNCTION intent_internal._pg_intent_apply_publication()
RETURNS trigger
LANGUAGE plpgsql VOLATILE PARALLEL UNSAFE
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    v_group integer;
BEGIN
    -- (a BEFORE trigger: a row it drops never meets the table's constraints)
    IF NEW.kind IS NULL OR NEW.kind OPERATOR(pg_catalog.<>) ALL (ARRAY['reset', 'classifier', 'classifier_gone', 'model', 'model_gone']) THEN
        RAISE EXCEPTION USING MESSAGE = intent_internal._pg_intent_error_words('unknown kind of classifier publication: %s', coalesce(NEW.kind, 'NULL')),
                   ERRCODE = 'invalid_parameter_value';
    END IF;
    v_group := intent_internal._pg_intent_citus_group();
    IF v_group IS NULL THEN
        RETURN NULL; -- no Citus: nothing to apply, nothing for a node to copy
    END IF;
    IF v_group OPERATOR(pg_catalog.<>) 0 THEN
        PERFORM intent_internal._pg_intent_apply_published(NEW.kind, NEW.classifier, NEW.row, NEW.model);
    END IF;
    IF intent_internal._pg_intent_published_state(NEW.kind, NEW.row) THEN
        RETURN NEW;
    END IF;
    RETURN NULL;
END
$$;
COMMENT ON FUNCTION intent_internal._pg_intent_apply_publication() IS
    'Internal trigger: on a Citus worker, applies a classifier or model change published by the coordinator to the node''s own tables; keeps only the rows that are the coordinator''s state (a classifier, an active model).';

-- A node added later: Citus copies the reference table's rows to the new
-- node's placement (by COPY with block_writes, by logical replication in its
-- default mode) before it creates the placement's triggers, so the row
-- trigger never sees the copied rows. This event trigger fires when
-- such a trigger is created on a worker and applies the placement's rows as
-- they stand: a reset first (the coordinator's rows are all the node keeps),
-- then each classifier and active model. It runs as the role that creates
-- the trigger (Citus: the table's owner); a placement is the publication's
-- trigger on a table of the extension's schema with the publication table's
-- owner, the table itself excepted.
-- Every role's CREATE TRIGGER fires it, and that role may have no USAGE on
-- the extension's schema (a schema created for it gives PUBLIC none) nor on
-- intent_internal. So the search for a placement names no object of the
-- extension: a 'schema.name'::regclass or ::regprocedure literal checks the
-- caller's USAGE on the schema and would fail the role's own trigger. It
-- reads the catalogs by name and OID only (pg_extension gives the
-- extension's schema), which checks no privilege; only a placement found
-- leads on to the extension's functions.
-- A classifier's roles come from the coordinator as it publishes them now
-- (_pg_intent_classifier_published() run there, through Citus's
-- run_command_on_coordinator()), not from the kept copy: a role dropped or
-- renamed on the coordinator changes no classifier row, so the kept copy
-- still names it, and a role created since under that name (Citus creates
-- it on the new node too) would get its rights here. A coordinator that
-- cannot be asked: the classifier is applied with no owner and no grantee,
-- with a WARNING (replicate_classifiers() publishes them again).
CREATE OR REPLACE FUNCTION intent_internal._pg_intent_apply_new_placement()
RETURNS event_trigger
LANGUAGE plpgsql VOLATILE PARALLEL UNSAFE
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    v_placement pg_catalog.regclass;
    v_current jsonb; -- each classifier's row as the coordinator publishes it now, by name
    v_row jsonb;
    r record;
BEGIN
    -- Any role's CREATE TRIGGER fires this: the catalogs first, by name and
    -- OID (no cast of an object's name, which would check the caller's USAGE
    -- on its schema); a placement's trigger needs the owner's rights to create.
    FOR v_placement IN
        SELECT DISTINCT t.tgrelid::pg_catalog.regclass
          FROM pg_catalog.pg_event_trigger_ddl_commands() AS d
          JOIN pg_catalog.pg_trigger AS t ON t.oid OPERATOR(pg_catalog.=) d.objid
          JOIN pg_catalog.pg_proc AS f ON f.oid OPERATOR(pg_catalog.=) t.tgfoid
          JOIN pg_catalog.pg_namespace AS fn ON fn.oid OPERATOR(pg_catalog.=) f.pronamespace
          JOIN pg_catalog.pg_class AS c ON c.oid OPERATOR(pg_catalog.=) t.tgrelid
          JOIN pg_catalog.pg_extension AS e ON e.extname OPERATOR(pg_catalog.=) 'pg_intent'
          JOIN pg_catalog.pg_class AS p ON p.relnamespace OPERATOR(pg_catalog.=) e.extnamespace
                                       AND p.relname OPERATOR(pg_catalog.=) 'ai_classifier_publication'
         WHERE d.classid OPERATOR(pg_catalog.=) 'pg_catalog.pg_trigger'::pg_catalog.regclass
           AND f.proname OPERATOR(pg_catalog.=) '_pg_intent_apply_publication'
           AND f.pronargs OPERATOR(pg_catalog.=) 0
           AND fn.nspname OPERATOR(pg_catalog.=) 'intent_internal'
           AND t.tgrelid OPERATOR(pg_catalog.<>) p.oid
           AND c.relnamespace OPERATOR(pg_catalog.=) p.relnamespace
           AND c.relowner OPERATOR(pg_catalog.=) p.relowner
    LOOP
        IF coalesce(intent_internal._pg_intent_citus_group() OPERATOR(pg_catalog.=) 0, true) THEN
            RETURN; -- not a Citus worker: the coordinator's tables are the source
        END IF;
        BEGIN
            EXECUTE 'SELECT c.result::jsonb FROM pg_catalog.run_command_on_coordinator($1) AS c WHERE c.success'
               INTO v_current
              USING 'SELECT coalesce(pg_catalog.jsonb_object_agg(c.name, intent_internal._pg_intent_classifier_published(c)), ''{}'')::text
                       FROM @extschema@.ai_classifiers AS c WHERE NOT c.built_in';
        EXCEPTION WHEN OTHERS THEN
            v_current := NULL;
        END;
        IF v_current IS NULL THEN
            RAISE WARNING USING MESSAGE = intent_internal._pg_intent_error_words('the Citus coordinator could not be asked for its classifiers'' roles: this node''s copies have no owner and no grantee'),
                  HINT = intent_internal._pg_intent_error_words('Run replicate_classifiers() on the coordinator.');
        END IF;
        PERFORM intent_internal._pg_intent_apply_published('reset', NULL, NULL, NULL);
        FOR r IN EXECUTE pg_catalog.format(
                    'SELECT u.kind, u.classifier, u.row, u.model FROM %s AS u
                      WHERE intent_internal._pg_intent_published_state(u.kind, u.row)
                      ORDER BY u.kind OPERATOR(pg_catalog.<>) ''classifier'', u.classifier,
                               (u.row OPERATOR(pg_catalog.->>) ''id'')::bigint', v_placement) LOOP
            v_row := r.row;
            IF r.kind OPERATOR(pg_catalog.=) 'classifier' THEN
                v_row := coalesce(v_current OPERATOR(pg_catalog.->) r.classifier,
                                  r.row OPERATOR(pg_catalog.||) pg_catalog.jsonb_build_object(
                                      'owner', NULL, 'train_roles', '[]'::jsonb, 'deploy_roles', '[]'::jsonb,
                                      'predict_roles', '[]'::jsonb, 'role_names', '{}'::jsonb));
            END IF;
            PERFORM intent_internal._pg_intent_apply_published(r.kind, r.classifier, v_row, r.model);
        END LOOP;
    END LOOP;
END
$$;
COMMENT ON FUNCTION intent_internal._pg_intent_apply_new_placement() IS
    'Internal event trigger: on a Citus worker, when Citus creates a placement of ai_classifier_publication (a node added later), applies the classifiers and active models it was copied with to the node''s own tables.';

SELECT intent_internal._pg_intent_create_event_trigger('pg_intent_citus_placement', 'ddl_command_end',
                                                   ARRAY['CREATE TRIGGER'],
                                                   'intent_internal._pg_intent_apply_new_placement()');
COMMENT ON EVENT TRIGGER pg_intent_citus_placement IS
    'On a Citus worker: when Citus creates a placement of ai_classifier_publication (a node added later), applies the coordinator''s classifiers and active models it was copied with.';

-- Created only where it is missing: once replicate_classifiers() made the
-- table a reference table, Citus refuses trigger DDL on it ("triggers are
-- not supported on reference tables"), and every update runs this piece
-- again. So this definition is final; what the trigger does is its
-- function's body, which an update may replace.
DO $publication_trigger$
BEGIN
    IF NOT EXISTS (SELECT FROM pg_catalog.pg_trigger AS t
                    WHERE t.tgrelid OPERATOR(pg_catalog.=) '@extschema@.ai_classifier_publication'::pg_catalog.regclass
                      AND t.tgname OPERATOR(pg_catalog.=) 'ai_classifier_publication_apply') THEN
        CREATE TRIGGER ai_classifier_publication_apply
            BEFORE INSERT ON @extschema@.ai_classifier_publication
            FOR EACH ROW EXECUTE FUNCTION intent_internal._pg_intent_apply_publication();
    END IF;
END
$publication_trigger$;

CREATE OR REPLACE TRIGGER ai_classifiers_publish_insert
    AFTER INSERT ON @extschema@.ai_classifiers REFERENCING NEW TABLE AS changed
    FOR EACH STATEMENT EXECUTE FUNCTION intent_internal._pg_intent_publish_to_nodes();
CREATE OR REPLACE TRIGGER ai_classifiers_publish_update
    AFTER UPDATE ON @extschema@.ai_classifiers REFERENCING NEW TABLE AS changed
    FOR EACH STATEMENT EXECUTE FUNCTION intent_internal._pg_intent_publish_to_nodes();
CREATE OR REPLACE TRIGGER ai_classifiers_publish_delete
    AFTER DELETE ON @extschema@.ai_classifiers REFERENCING OLD TABLE AS gone
    FOR EACH STATEMENT EXECUTE FUNCTION intent_internal._pg_intent_publish_to_nodes();
CREATE OR REPLACE TRIGGER ai_intent_models_publish_insert
    AFTER INSERT ON @extschema@.ai_intent_models REFERENCING NEW TABLE AS changed
    FOR EACH STATEMENT EXECUTE FUNCTION intent_internal._pg_intent_publish_to_nodes();
CREATE OR REPLACE TRIGGER ai_intent_models_publish_update
    AFTER UPDATE ON @extschema@.ai_intent_models REFERENCING NEW TABLE AS changed
    FOR EACH STATEMENT EXECUTE FUNCTION intent_internal._pg_intent_publish_to_nodes();
CREATE OR REPLACE TRIGGER ai_intent_models_publish_delete
    AFTER DELETE ON @extschema@.ai_intent_models REFERENCING OLD TABLE AS gone
    FOR EACH STATEMENT EXECUTE FUNCTION intent_internal._pg_intent_publish_to_nodes();
CREATE OR REPLACE TRIGGER ai_classifiers_publish_truncate
    AFTER TRUNCATE ON @extschema@.ai_classifiers
    FOR EACH STATEMENT EXECUTE FUNCTION intent_internal._pg_intent_publish_to_nodes();
CREATE OR REPLACE TRIGGER ai_intent_models_publish_truncate
    AFTER TRUNCATE ON @extschema@.ai_intent_models
    FOR EACH STATEMENT EXECUTE FUNCTION intent_internal._pg_intent_publish_to_nodes();

-- -------------------------------------------------------------------------
-- replicate_classifiers
-- -------------------------------------------------------------------------
-- Run on the coordinator once the nodes are there: makes
-- ai_classifier_publication a reference table (or copies it to nodes that
-- lack it), then publishes every classifier and active model, which
-- replaces each worker's copies. A node added later needs no second call:
-- Citus copies the reference table to it (replicate_reference_tables(), or
-- the rebalancer, before a shard moves there) and the event trigger above
-- applies what it holds; a second call starts every node over. Closed to PUBLIC:
-- Citus's own create_reference_table() and replicate_reference_tables()
-- need the table's owner.
CREATE OR REPLACE FUNCTION @extschema@.replicate_classifiers()
RETURNS jsonb
LANGUAGE plpgsql VOLATILE PARALLEL UNSAFE
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    v_group integer;
    v_nodes integer;
    v_classifiers integer;
    v_models integer;
BEGIN
    v_group := intent_internal._pg_intent_citus_group();
    IF v_group IS NULL THEN
        RAISE EXCEPTION USING MESSAGE = intent_internal._pg_intent_error_words('replicate_classifiers() needs the citus extension in this database'),
                   ERRCODE = 'object_not_in_prerequisite_state',
                  HINT = intent_internal._pg_intent_error_words('On one node, prediction reads this database''s own tables; there is nothing to replicate.');
    END IF;
    IF v_group OPERATOR(pg_catalog.<>) 0 THEN
        RAISE EXCEPTION USING MESSAGE = intent_internal._pg_intent_error_words('replicate_classifiers() runs on the Citus coordinator'),
                   ERRCODE = 'object_not_in_prerequisite_state',
                  DETAIL = intent_internal._pg_intent_error_words('This node is a worker (group %s); its classifiers are copies of the coordinator''s.', v_group);
    END IF;
    IF NOT intent_internal._pg_intent_citus_coordinator() THEN
        -- its trigger is ours, and only inserts are published through it
        PERFORM pg_catalog.set_config('citus.enable_unsafe_triggers', 'on', true);
        EXECUTE 'SELECT pg_catalog.create_reference_table($1)'
          USING '@extschema@.ai_classifier_publication'::pg_catalog.regclass;
    ELSE
        EXECUTE 'SELECT pg_catalog.replicate_reference_tables(''block_writes'')';
    END IF;
    SELECT p.classifiers, p.models INTO v_classifiers, v_models FROM intent_internal._pg_intent_publish_all() AS p;
    EXECUTE 'SELECT count(DISTINCT p.groupid)::integer FROM pg_catalog.pg_dist_placement AS p
               JOIN pg_catalog.pg_dist_shard AS s USING (shardid)
              WHERE s.logicalrelid OPERATOR(pg_catalog.=) $1 AND p.groupid OPERATOR(pg_catalog.<>) 0'
       INTO v_nodes
      USING '@extschema@.ai_classifier_publication'::pg_catalog.regclass;
    RETURN pg_catalog.jsonb_build_object('workers', v_nodes, 'classifiers', v_classifiers, 'models', v_models);
END
$$;
COMMENT ON FUNCTION @extschema@.replicate_classifiers() IS
    'On a Citus coordinator: copies every classifier and its active models to every node, and from then on each change of them in the same transaction (a deploy reaches every node or none); run once: a node added later gets them with Citus''s copy of the reference tables. Returns the workers, classifiers and models. 55000 without Citus or on a worker.';

-- Before the extension is dropped (the drop guard calls it): this node's
-- shard placements of ai_classifier_publication go first, in the drop's
-- transaction. Citus made them, they are not members of the extension, and
-- each has the apply trigger, which depends on the extension's function: DROP
-- EXTENSION would refuse to drop it, and Citus, finding the table gone with
-- the extension, drops its metadata but leaves the placements behind on
-- every node (measured on 13.2.2). A placement is found by its trigger.
CREATE OR REPLACE FUNCTION intent_internal._pg_intent_release_citus_placements()
RETURNS void
LANGUAGE plpgsql VOLATILE PARALLEL UNSAFE
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    r record;
BEGIN
    FOR r IN SELECT DISTINCT t.tgrelid::pg_catalog.regclass AS rel
               FROM pg_catalog.pg_trigger AS t
              WHERE t.tgfoid OPERATOR(pg_catalog.=) 'intent_internal._pg_intent_apply_publication()'::pg_catalog.regprocedure
                AND t.tgrelid OPERATOR(pg_catalog.<>) '@extschema@.ai_classifier_publication'::pg_catalog.regclass
              ORDER BY 1 LOOP
        -- a shard placement: Citus lets its owner change it only so
        PERFORM pg_catalog.set_config('citus.enable_manual_changes_to_shards', 'on', true);
        EXECUTE pg_catalog.format('DROP TABLE %s', r.rel);
    END LOOP;
END
$$;
COMMENT ON FUNCTION intent_internal._pg_intent_release_citus_placements() IS
    'Internal: run by the drop guard before the extension is dropped; drops this node''s shard placements of ai_classifier_publication, which Citus made (not members of the extension; Citus would leave them behind).';
