-- Trigger functions that keep derived columns right, their triggers, and
-- the statement trigger that invalidates every backend's model cache.

-- The modes some of the extension's triggers fire in, stated once: ALWAYS
-- (also under session_replication_role = replica) or REPLICA (only there:
-- logical replication's apply worker). ALTER TABLE ... ENABLE TRIGGER ALL
-- puts every trigger of a table back in the ordinary mode, and
-- pg_dump --data-only --disable-triggers (pg_restore too) writes it after
-- each table's rows: after such a restore a logical subscriber served a
-- replaced model again, and a classifier row applied under
-- session_replication_role = replica kept the publisher's role OIDs. This
-- puts each listed trigger found in the ordinary mode ('O') back in its own
-- (a trigger an administrator disabled, 'D', stays disabled); the triggers'
-- scripts call it after creating them, and the event trigger
-- pg_intent_trigger_modes (src/sql/61_trigger_modes.sql) after every ALTER
-- TABLE of these tables (which names the tables again: a table added here
-- is added there). p_relids: only these tables (NULL: all). Returns how
-- many triggers it changed.
CREATE OR REPLACE FUNCTION intent_internal._pg_intent_restore_trigger_modes(p_relids oid[] DEFAULT NULL)
RETURNS integer
LANGUAGE plpgsql VOLATILE PARALLEL UNSAFE
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    r record;
    v_changed integer := 0;
BEGIN
    FOR r IN
        SELECT t.tgrelid::regclass AS rel, t.tgname, w.mode
          FROM (VALUES ('@extschema@.ai_intent_models', 'ai_intent_models_changed', 'ALWAYS'),
                       ('@extschema@.ai_intent_models', 'ai_intent_models_applied', 'REPLICA'),
                       ('@extschema@.ai_classifiers', 'ai_classifiers_changed', 'ALWAYS'),
                       ('@extschema@.ai_classifiers', 'ai_classifiers_applied', 'REPLICA'),
                       ('@extschema@.ai_classifiers', 'ai_classifiers_rebind', 'ALWAYS')) AS w(rel, name, mode)
          JOIN pg_catalog.pg_trigger AS t
            ON t.tgrelid = pg_catalog.to_regclass(w.rel) AND t.tgname = w.name
         WHERE t.tgenabled = 'O' AND (p_relids IS NULL OR t.tgrelid = ANY (p_relids))
         ORDER BY w.rel, w.name
    LOOP
        EXECUTE pg_catalog.format('ALTER TABLE %s ENABLE %s TRIGGER %I', r.rel, r.mode, r.tgname);
        v_changed := v_changed + 1;
    END LOOP;
    RETURN v_changed;
END
$$;
COMMENT ON FUNCTION intent_internal._pg_intent_restore_trigger_modes(oid[]) IS
    'Internal: puts the extension''s ALWAYS and REPLICA triggers (the one list) back in their modes where they are in the ordinary one, as ALTER TABLE ... ENABLE TRIGGER ALL and pg_dump --disable-triggers leave them; a disabled trigger stays disabled. p_relids: only these tables. Returns how many it changed.';

-- Keeps updated_at current on every UPDATE.
CREATE OR REPLACE FUNCTION intent_internal._pg_intent_touch_updated_at()
RETURNS trigger
LANGUAGE plpgsql VOLATILE PARALLEL UNSAFE
SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
    NEW.updated_at := now();
    RETURN NEW;
END
$$;
COMMENT ON FUNCTION intent_internal._pg_intent_touch_updated_at() IS
    'Internal: trigger that sets updated_at to now() on every update.';

-- Derives was_mismatch from the two intents so callers cannot get it wrong.
CREATE OR REPLACE FUNCTION intent_internal._pg_intent_set_was_mismatch()
RETURNS trigger
LANGUAGE plpgsql VOLATILE PARALLEL UNSAFE
SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
    NEW.was_mismatch := NEW.original_intent IS DISTINCT FROM NEW.corrected_intent;
    RETURN NEW;
END
$$;
COMMENT ON FUNCTION intent_internal._pg_intent_set_was_mismatch() IS
    'Internal: trigger that sets ai_intent_corrections.was_mismatch to whether the corrected intent differs from the original one.';

-- The WHEN clause is evaluated without calling PL/pgSQL: a row whose new
-- updated_at already is now() (what the function would write) skips the
-- call, so train_intent_model() marking thousands of rows used_in_training
-- stays cheap, and any other value is still overwritten.
CREATE OR REPLACE TRIGGER ai_training_data_touch_updated_at
    BEFORE UPDATE ON @extschema@.ai_training_data
    FOR EACH ROW WHEN (NEW.updated_at IS DISTINCT FROM pg_catalog.now())
    EXECUTE FUNCTION intent_internal._pg_intent_touch_updated_at();

CREATE OR REPLACE TRIGGER ai_intent_corrections_set_was_mismatch
    BEFORE INSERT OR UPDATE OF original_intent, corrected_intent, was_mismatch
    ON @extschema@.ai_intent_corrections
    FOR EACH ROW EXECUTE FUNCTION intent_internal._pg_intent_set_was_mismatch();

-- A model row's sha256 and size_bytes are derived from its bytes: the
-- model store knows a model by id and sha256 (src/pg/model_store.cpp), so a
-- model's bytes replaced by hand with a stale sha256 would leave every
-- session that had loaded the old bytes serving them. A row inserted with
-- bytes and an update of them set it (deploys and rollbacks never write the
-- column); removing them (model NULL, delete_intent_model()) keeps the
-- columns as the record of what the row held. 0.3.2 derived them on UPDATE
-- only: a row inserted by hand kept the sha256 and size_bytes it was given
-- (another row's sha256 under a reused id: sessions that had loaded that
-- row's model served it for the new bytes).
CREATE OR REPLACE FUNCTION intent_internal._pg_intent_set_model_digest()
RETURNS trigger
LANGUAGE plpgsql VOLATILE PARALLEL UNSAFE
SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
    IF NEW.model IS NOT NULL AND (TG_OP = 'INSERT' OR NEW.model IS DISTINCT FROM OLD.model) THEN
        NEW.sha256 := pg_catalog.encode(pg_catalog.sha256(NEW.model), 'hex');
        NEW.size_bytes := pg_catalog.octet_length(NEW.model);
    END IF;
    RETURN NEW;
END
$$;
COMMENT ON FUNCTION intent_internal._pg_intent_set_model_digest() IS
    'Internal: trigger that sets ai_intent_models.sha256 and size_bytes from the bytes of a row inserted or of a model''s new bytes.';

CREATE OR REPLACE TRIGGER ai_intent_models_set_digest
    BEFORE INSERT OR UPDATE OF model ON @extschema@.ai_intent_models
    FOR EACH ROW EXECUTE FUNCTION intent_internal._pg_intent_set_model_digest();

-- Internal: statement trigger on ai_intent_models that invalidates every
-- backend's model cache (through a relcache invalidation, which also reaches
-- hot standbys) when the committed set of models changes.
CREATE OR REPLACE FUNCTION intent_internal._pg_intent_models_changed()
RETURNS trigger
AS 'MODULE_PATHNAME', 'pg_intent_models_changed'
LANGUAGE C VOLATILE PARALLEL UNSAFE;
COMMENT ON FUNCTION intent_internal._pg_intent_models_changed() IS
    'Internal: invalidates cached models in every session after ai_intent_models changes.';

-- Invalidate every backend's cached model whenever the set of models changes
-- (deploy, rollback, new or deleted models). Defined here because the
-- trigger function is declared in 10_c_functions.sql.
CREATE OR REPLACE TRIGGER ai_intent_models_changed
    AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON @extschema@.ai_intent_models
    FOR EACH STATEMENT EXECUTE FUNCTION intent_internal._pg_intent_models_changed();
-- Also under session_replication_role = replica (a superuser's session that
-- sets it): a backend that missed the invalidation would serve a stale model
-- indefinitely.
-- Logical replication's apply worker fires row triggers only, never
-- statement triggers (PostgreSQL's "Logical Replication: Triggers"): on a
-- subscriber of ai_intent_models a replicated deploy reached no cache, and a
-- session that had loaded a model served it until it reconnected
-- (test/scripts/logical_invalidation.sh). This row trigger sends the same
-- invalidation there; ENABLE REPLICA, it fires only under
-- session_replication_role = replica (the apply worker runs so), and costs
-- an ordinary session nothing. PostgreSQL keeps one relcache invalidation
-- per relation and command, however many rows.
CREATE OR REPLACE TRIGGER ai_intent_models_applied
    AFTER INSERT OR UPDATE OR DELETE ON @extschema@.ai_intent_models
    FOR EACH ROW EXECUTE FUNCTION intent_internal._pg_intent_models_changed();

-- The same for ai_classifiers: prediction caches which classifiers exist,
-- who may use them and whether they are partitioned (src/pg/classifier_cache.cpp)
-- until a committed change of this table, or of ai_intent_models, says otherwise.
CREATE OR REPLACE TRIGGER ai_classifiers_changed
    AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON @extschema@.ai_classifiers
    FOR EACH STATEMENT EXECUTE FUNCTION intent_internal._pg_intent_models_changed();
-- And its row trigger for logical replication's apply worker, as above.
CREATE OR REPLACE TRIGGER ai_classifiers_applied
    AFTER INSERT OR UPDATE OR DELETE ON @extschema@.ai_classifiers
    FOR EACH ROW EXECUTE FUNCTION intent_internal._pg_intent_models_changed();
-- Each in its mode (ALWAYS or REPLICA, _pg_intent_restore_trigger_modes()'s
-- list; an upgrade leaves a trigger an administrator disabled disabled).
SELECT intent_internal._pg_intent_restore_trigger_modes();


-- -------------------------------------------------------------------------
-- Who acted and when: the audit columns are stamped by the server
-- -------------------------------------------------------------------------

-- The audit columns (ai_review_actions.reviewed_by, reviewer_id, created_at;
-- ai_intent_corrections.recorded_by, corrected_by, created_at;
-- ai_training_data.created_at, corrected_by, corrected_at;
-- ai_model_deployments.deployed_by, deployed_at) say who acted and when, so
-- a client never chooses them: for every role but the table's owner (and
-- superusers) this trigger overwrites them. The owner's writes keep their
-- values: pg_restore puts historic rows back, and the extension's own
-- SECURITY DEFINER code (deployments) records the actor itself.
--
-- Who acted: the JWT subject when PostgREST set the request's claims
-- (request.jwt.claims since PostgREST 9, request.jwt.claim.sub before; it
-- sets them from a verified token and clients cannot run SET), the claims'
-- role when they carry no subject (Supabase's anon and service keys), the
-- session user otherwise (session_user under PostgREST is always the
-- authenticator). The uuid columns (reviewer_id, corrected_by) take the JWT
-- subject when there are claims; without them they keep the application user
-- the caller passed (p_reviewer_id, p_corrector_id), vouched for by the login
-- recorded next to it (reviewed_by, recorded_by).
--
-- The review state of ai_training_data (correct_intent, corrected_by_human,
-- intent_correct, dataset_status, and the labelled content: user_message,
-- detected_intent) changes, for a role other than the owner, only as the
-- review functions change it, after they wrote the audit row: a correction
-- needs this actor's ai_intent_corrections row for that row and intent in
-- this transaction, an approval or rejection this actor's ai_review_actions
-- row with that action and label. Any other change is refused (42501). So
-- a reviewer who may UPDATE the table (the review functions run as the
-- caller and need it) cannot relabel or approve rows without an audit row:
-- 0.2.0 let one UPDATE mark 24 rows approved under another label, with no
-- trace. The check reads the audit tables as the caller, who therefore
-- needs SELECT on them (the review functions' RETURNING already did).
-- What an audit row may say is the review functions' too: a correction's
-- original_intent is the row's stored detection (set here; was_mismatch
-- follows it); an approval needs a valid label and a rejection a reason (the
-- CHECK constraints of ai_review_actions, which hold for every writer).
CREATE OR REPLACE FUNCTION intent_internal._pg_intent_stamp_audit()
RETURNS trigger
LANGUAGE plpgsql VOLATILE PARALLEL UNSAFE
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    v_claims jsonb;
    v_has_claims boolean;
    v_sub text;
    v_sub_uuid uuid;
    v_actor text;
    v_label text;
BEGIN
    IF pg_catalog.pg_has_role(current_user,
                              (SELECT c.relowner FROM pg_catalog.pg_class AS c
                                WHERE c.oid OPERATOR(pg_catalog.=) TG_RELID),
                              'USAGE') THEN
        RETURN NEW;
    END IF;

    v_claims := nullif(pg_catalog.current_setting('request.jwt.claims', true), '')::jsonb;
    v_sub := coalesce(nullif(v_claims ->> 'sub', ''),
                      nullif(pg_catalog.current_setting('request.jwt.claim.sub', true), ''));
    v_has_claims := v_claims IS NOT NULL OR v_sub IS NOT NULL;
    v_actor := coalesce(v_sub, nullif(v_claims ->> 'role', ''),
                        nullif(pg_catalog.current_setting('request.jwt.claim.role', true), ''), session_user);
    IF v_sub ~* '^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$' THEN
        v_sub_uuid := v_sub::uuid;
    END IF;

    IF TG_TABLE_NAME = 'ai_review_actions' THEN
        IF TG_OP = 'UPDATE' THEN
            NEW.reviewer_id := OLD.reviewer_id;
            NEW.reviewed_by := OLD.reviewed_by;
            NEW.created_at := OLD.created_at;
        ELSE
            NEW.reviewer_id := CASE WHEN v_has_claims THEN v_sub_uuid ELSE NEW.reviewer_id END;
            NEW.reviewed_by := v_actor;
            NEW.created_at := pg_catalog.now();
        END IF;
    ELSIF TG_TABLE_NAME = 'ai_intent_corrections' THEN
        IF TG_OP = 'UPDATE' THEN
            NEW.corrected_by := OLD.corrected_by;
            NEW.recorded_by := OLD.recorded_by;
            NEW.created_at := OLD.created_at;
            NEW.original_intent := OLD.original_intent;
        ELSE
            NEW.corrected_by := CASE WHEN v_has_claims THEN v_sub_uuid ELSE NEW.corrected_by END;
            NEW.recorded_by := v_actor;
            NEW.created_at := pg_catalog.now();
            -- What was corrected is the row's stored detection, as
            -- submit_intent_correction() records it (read as the caller,
            -- before its UPDATE clears a detection the label rule refuses),
            -- not what the writer says it was.
            NEW.original_intent := (SELECT t.detected_intent FROM @extschema@.ai_training_data AS t
                                     WHERE t.id OPERATOR(pg_catalog.=) NEW.training_data_id);
        END IF;
        -- ai_intent_corrections_set_was_mismatch fired before this trigger
        -- (triggers fire in name order), on the original intent the writer
        -- sent: its rule again, on the one kept.
        NEW.was_mismatch := NEW.original_intent IS DISTINCT FROM NEW.corrected_intent;
    ELSIF TG_TABLE_NAME = 'ai_model_deployments' THEN
        IF TG_OP = 'UPDATE' THEN
            NEW.deployed_by := OLD.deployed_by;
            NEW.deployed_at := OLD.deployed_at;
        ELSE
            NEW.deployed_by := v_actor;
            NEW.deployed_at := pg_catalog.now();
        END IF;
    ELSIF TG_TABLE_NAME = 'ai_training_data' THEN
        IF TG_OP = 'INSERT' THEN
            -- A row another role inserts starts unreviewed: its review state
            -- is what the review functions write after their audit row, as
            -- for an UPDATE. Before, a role with INSERT alone (a logging
            -- role) could log rows already approved under a label of its
            -- choice, which then judged the next model at the deploy gate.
            IF nullif(NEW.correct_intent, '') IS NOT NULL OR NEW.corrected_by_human
               OR NEW.intent_correct IS NOT NULL
               OR NEW.dataset_status OPERATOR(pg_catalog.<>) 'pending' THEN
                RAISE EXCEPTION USING MESSAGE = intent_internal._pg_intent_error_words('a training data row inserted by a role other than the owner starts unreviewed'),
                           ERRCODE = 'insufficient_privilege',
                          DETAIL = intent_internal._pg_intent_error_words('correct_intent, corrected_by_human, intent_correct and dataset_status keep their defaults (NULL, false, NULL, pending): only the review functions change them, after the audit row they write.'),
                          HINT = intent_internal._pg_intent_error_words('Log the row with record_interaction(), then review it with submit_intent_correction() or approve_training_sample(s).');
            END IF;
            NEW.created_at := pg_catalog.now();
            IF NEW.corrected_at IS NOT NULL OR NEW.corrected_by IS NOT NULL THEN
                NEW.corrected_at := pg_catalog.now();
                NEW.corrected_by := CASE WHEN v_has_claims THEN v_sub_uuid ELSE NEW.corrected_by END;
            END IF;
            RETURN NEW;
        END IF;
        NEW.created_at := OLD.created_at;
        IF (NEW.correct_intent, NEW.corrected_by_human, NEW.corrected_by, NEW.corrected_at)
           IS DISTINCT FROM (OLD.correct_intent, OLD.corrected_by_human, OLD.corrected_by, OLD.corrected_at) THEN
            NEW.corrected_at := pg_catalog.now();
            NEW.corrected_by := CASE WHEN v_has_claims THEN v_sub_uuid ELSE NEW.corrected_by END;
        END IF;
        IF (NEW.user_message, NEW.detected_intent, NEW.correct_intent, NEW.corrected_by_human,
            NEW.intent_correct, NEW.dataset_status)
           IS DISTINCT FROM (OLD.user_message, OLD.detected_intent, OLD.correct_intent, OLD.corrected_by_human,
                             OLD.intent_correct, OLD.dataset_status) THEN
            -- the label the review function recorded: the row's before it changed
            v_label := coalesce(nullif(OLD.correct_intent, ''), nullif(OLD.detected_intent, ''));
            -- The review functions keep the detected intent, but for a stored
            -- name is_valid_intent_name() refuses (0.2.0 wrote them), which
            -- they clear so that the row passes the CHECK constraints.
            IF NOT (NEW.user_message OPERATOR(pg_catalog.=) OLD.user_message
                    AND (NEW.detected_intent IS NOT DISTINCT FROM OLD.detected_intent
                         OR (NEW.detected_intent IS NULL AND NOT @extschema@.is_valid_intent_name(OLD.detected_intent)))
                    AND (
                -- what submit_intent_correction() writes after its ai_intent_corrections row
                (NEW.dataset_status OPERATOR(pg_catalog.=) 'reviewed' AND NEW.corrected_by_human
                 AND NEW.intent_correct IS NOT DISTINCT FROM (NEW.detected_intent IS NOT DISTINCT FROM NEW.correct_intent)
                 AND EXISTS (SELECT 1 FROM @extschema@.ai_intent_corrections AS c
                              WHERE c.training_data_id OPERATOR(pg_catalog.=) NEW.id
                                AND c.corrected_intent OPERATOR(pg_catalog.=) NEW.correct_intent
                                AND c.created_at OPERATOR(pg_catalog.=) pg_catalog.now()
                                AND c.recorded_by OPERATOR(pg_catalog.=) v_actor))
                OR
                -- what approving or rejecting writes after its ai_review_actions row
                (NEW.dataset_status OPERATOR(pg_catalog.=) ANY (ARRAY['approved', 'rejected'])
                 AND (NEW.correct_intent IS NOT DISTINCT FROM OLD.correct_intent
                      OR (NEW.correct_intent IS NULL AND NOT @extschema@.is_valid_intent_name(OLD.correct_intent)))
                 AND NEW.corrected_by_human OPERATOR(pg_catalog.=) OLD.corrected_by_human
                 AND NEW.intent_correct IS NOT DISTINCT FROM
                     CASE WHEN NEW.dataset_status OPERATOR(pg_catalog.=) 'approved' AND NOT OLD.corrected_by_human
                          THEN true ELSE OLD.intent_correct END
                 AND EXISTS (SELECT 1 FROM @extschema@.ai_review_actions AS a
                              WHERE a.training_data_id OPERATOR(pg_catalog.=) NEW.id
                                AND a.action OPERATOR(pg_catalog.=)
                                    CASE WHEN NEW.dataset_status OPERATOR(pg_catalog.=) 'approved'
                                         THEN 'approve' ELSE 'reject' END
                                AND a.intent IS NOT DISTINCT FROM v_label
                                AND a.created_at OPERATOR(pg_catalog.=) pg_catalog.now()
                                AND a.reviewed_by OPERATOR(pg_catalog.=) v_actor)))) THEN
                RAISE EXCEPTION USING MESSAGE = intent_internal._pg_intent_error_words('the review state of training data row %s changes only through the review functions', NEW.id),
                           ERRCODE = 'insufficient_privilege',
                          DETAIL = intent_internal._pg_intent_error_words('A change of user_message, detected_intent, correct_intent, corrected_by_human, intent_correct or dataset_status by a role other than the owner needs the audit row the review functions write first.'),
                          HINT = intent_internal._pg_intent_error_words('Use submit_intent_correction(), approve_training_sample(s) or reject_training_sample(s): each records who decided and when.');
            END IF;
        END IF;
    END IF;
    RETURN NEW;
END
$$;
COMMENT ON FUNCTION intent_internal._pg_intent_stamp_audit() IS
    'Internal trigger: for every role but the table owner, stamps who acted (JWT subject under PostgREST, else session user) and when in the audit columns, records a correction''s original_intent as the row''s stored detection, and lets the review state of ai_training_data change only as the review functions change it.';

CREATE OR REPLACE TRIGGER ai_training_data_stamp_audit
    BEFORE INSERT OR UPDATE ON @extschema@.ai_training_data
    FOR EACH ROW EXECUTE FUNCTION intent_internal._pg_intent_stamp_audit();
CREATE OR REPLACE TRIGGER ai_intent_corrections_stamp_audit
    BEFORE INSERT OR UPDATE ON @extschema@.ai_intent_corrections
    FOR EACH ROW EXECUTE FUNCTION intent_internal._pg_intent_stamp_audit();
CREATE OR REPLACE TRIGGER ai_review_actions_stamp_audit
    BEFORE INSERT OR UPDATE ON @extschema@.ai_review_actions
    FOR EACH ROW EXECUTE FUNCTION intent_internal._pg_intent_stamp_audit();
CREATE OR REPLACE TRIGGER ai_model_deployments_stamp_audit
    BEFORE INSERT OR UPDATE ON @extschema@.ai_model_deployments
    FOR EACH ROW EXECUTE FUNCTION intent_internal._pg_intent_stamp_audit();
