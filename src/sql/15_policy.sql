-- The training policy: one row of ai_training_policy that administrators
-- edit with plain UPDATE. The privileged training code reads it as the owner;
-- nothing a caller sets in their session changes it.

-- The one reading of a policy time zone (snapshot_time_zone): p_at cut to
-- the start of its p_unit ('hour', 'day', 'week', 'month') in p_zone, plus
-- p_add such units in that zone's local time (an hour as 3600 s): the unit
-- p_add on from the local date's midnight, converted at noon (which no
-- change of offset comes near) and cut again, so that periods tile where a
-- daylight saving change skips midnight (America/Sao_Paulo's 2018-11-04
-- began at 01:00, and "its start + 1 day" ended an hour into the 5th). The zone is
-- read as the TimeZone setting reads it, which is how a classifier's
-- time_column is read (src/pg/as_owner.cpp): a zone name or POSIX zone,
-- never the session's timezone_abbreviations (AT TIME ZONE tries those
-- first: under timezone_abbreviations 'Australia', 'EST' is UTC+10, not
-- UTC-5). 22023 for a value the TimeZone setting refuses. The SET clause
-- confines set_config()'s change to this call.
CREATE OR REPLACE FUNCTION intent_internal._pg_intent_zone_trunc(
    p_zone text, p_unit text, p_at timestamptz, p_add integer)
RETURNS timestamptz
LANGUAGE plpgsql STABLE PARALLEL UNSAFE
SET search_path = pg_catalog, pg_temp
SET TimeZone = 'UTC'
AS $$
BEGIN
    -- A zone is at most 255 bytes (PostgreSQL's TZ_STRLEN_MAX): set_config()
    -- refuses a longer one too, but only after seconds that cancel cannot
    -- stop, and with the whole value in its message.
    IF pg_catalog.octet_length(p_zone) OPERATOR(pg_catalog.>) 255 THEN
        RAISE EXCEPTION USING MESSAGE = intent_internal._pg_intent_error_words('invalid value for parameter "%s": "%s"', 'TimeZone', p_zone),
                   ERRCODE = 'invalid_parameter_value',
                   DETAIL = intent_internal._pg_intent_error_words('A time zone has at most 255 bytes.');
    END IF;
    PERFORM pg_catalog.set_config('TimeZone', p_zone, true);
    IF p_unit OPERATOR(pg_catalog.=) 'hour' THEN
        RETURN pg_catalog.date_trunc(p_unit, p_at) + (p_add OPERATOR(pg_catalog.*) '3600 seconds'::pg_catalog.interval);
    ELSIF p_add OPERATOR(pg_catalog.=) 0 THEN
        RETURN pg_catalog.date_trunc(p_unit, p_at);
    END IF;
    RETURN pg_catalog.date_trunc(p_unit,
               (pg_catalog.date_trunc(p_unit, p_at::pg_catalog.timestamp)
                + (p_add OPERATOR(pg_catalog.*) ('1 ' OPERATOR(pg_catalog.||) p_unit)::pg_catalog.interval)
                + '12 hours'::pg_catalog.interval)::pg_catalog.timestamptz);
END
$$;
COMMENT ON FUNCTION intent_internal._pg_intent_zone_trunc(text, text, timestamptz, integer) IS
    'Internal: p_at cut to the start of its p_unit (hour, day, week, month) in time zone p_zone, plus p_add such units in local time; the zone read as the TimeZone setting reads it, never through the session''s timezone_abbreviations (22023 for a value that setting refuses). The one reading of ai_training_policy.snapshot_time_zone in SQL.';

-- Refuses a snapshot_time_zone the TimeZone setting does not accept (22023):
-- every reader reads it through that setting (_pg_intent_zone_trunc(), the
-- reads of a classifier's source), so an abbreviation that names no zone
-- ('AEST', which AT TIME ZONE accepted) would fail every snapshot and every
-- training of a classifier. A zone stored before 0.3.2 checked it is refused
-- only when changed. A trigger function, so that a role granted UPDATE on
-- the policy needs no EXECUTE on an internal function; the SET clause
-- confines set_config()'s change to this call.
CREATE OR REPLACE FUNCTION intent_internal._pg_intent_policy_check_zone()
RETURNS trigger
LANGUAGE plpgsql VOLATILE PARALLEL UNSAFE
SET search_path = pg_catalog, pg_temp
SET TimeZone = 'UTC'
AS $$
BEGIN
    IF TG_OP OPERATOR(pg_catalog.=) 'INSERT' OR NEW.snapshot_time_zone IS DISTINCT FROM OLD.snapshot_time_zone THEN
        BEGIN
            -- (over 255 bytes: refused before set_config(), as by
            -- _pg_intent_zone_trunc())
            IF pg_catalog.octet_length(NEW.snapshot_time_zone) OPERATOR(pg_catalog.>) 255 THEN
                RAISE EXCEPTION USING ERRCODE = 'invalid_parameter_value';
            END IF;
            PERFORM pg_catalog.set_config('TimeZone', NEW.snapshot_time_zone, true);
        EXCEPTION WHEN invalid_parameter_value THEN
            RAISE EXCEPTION USING MESSAGE = intent_internal._pg_intent_error_words('invalid value for snapshot_time_zone: "%s"', NEW.snapshot_time_zone),
                       ERRCODE = 'invalid_parameter_value',
                      DETAIL = intent_internal._pg_intent_error_words('It must be a time zone the TimeZone setting accepts: a name of pg_timezone_names or a POSIX zone, not an abbreviation, whose meaning depends on the session''s timezone_abbreviations.'),
                      HINT = intent_internal._pg_intent_error_words('Use a zone name such as UTC or Europe/Madrid.');
        END;
    END IF;
    RETURN NEW;
END
$$;
COMMENT ON FUNCTION intent_internal._pg_intent_policy_check_zone() IS
    'Internal trigger: refuses (22023) a new snapshot_time_zone of ai_training_policy that the TimeZone setting does not accept (an abbreviation such as AEST, an unknown name): every reader reads the zone through that setting.';

-- An INSERT replaces the one row instead of failing on its primary key:
-- pg_restore puts a dumped policy back over the one CREATE EXTENSION made.
CREATE OR REPLACE FUNCTION intent_internal._pg_intent_policy_before_insert()
RETURNS trigger
LANGUAGE plpgsql VOLATILE PARALLEL UNSAFE
SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
    IF EXISTS (SELECT 1 FROM @extschema@.ai_training_policy) THEN
        UPDATE @extschema@.ai_training_policy AS p
           SET min_samples_for_training = NEW.min_samples_for_training,
               auto_retrain_threshold = NEW.auto_retrain_threshold,
               max_f1_regression = NEW.max_f1_regression,
               corrected_weight = NEW.corrected_weight,
               max_training_memory_mb = NEW.max_training_memory_mb,
               max_training_threads = NEW.max_training_threads,
               min_gate_rows = NEW.min_gate_rows,
               out_of_scope_intent = NEW.out_of_scope_intent,
               out_of_scope_mode = NEW.out_of_scope_mode,
               only_reviewed = NEW.only_reviewed,
               max_training_rows = NEW.max_training_rows,
               retry_failed_after = NEW.retry_failed_after,
               min_alert_samples = NEW.min_alert_samples,
               snapshot_time_zone = NEW.snapshot_time_zone,
               max_unreviewed_message_bytes = NEW.max_unreviewed_message_bytes,
               min_unreviewed_intent_rows = NEW.min_unreviewed_intent_rows,
               max_intents = NEW.max_intents,
               max_concurrent_trainings = NEW.max_concurrent_trainings,
               max_partitions_per_classifier = NEW.max_partitions_per_classifier,
               max_unreviewed_rows = NEW.max_unreviewed_rows;
        RETURN NULL;
    END IF;
    RETURN NEW;
END
$$;
COMMENT ON FUNCTION intent_internal._pg_intent_policy_before_insert() IS
    'Internal trigger: an INSERT into ai_training_policy replaces its one row (pg_restore uses this).';

-- Records who changed the policy and when; the single row keeps its key.
CREATE OR REPLACE FUNCTION intent_internal._pg_intent_policy_before_update()
RETURNS trigger
LANGUAGE plpgsql VOLATILE PARALLEL UNSAFE
SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
    NEW.id := true;
    NEW.updated_at := pg_catalog.now();
    -- who acted, as _pg_intent_stamp_audit() records it: the JWT subject
    -- (or role) under PostgREST, whose session user is the authenticator
    NEW.updated_by := coalesce(
        nullif(nullif(pg_catalog.current_setting('request.jwt.claims', true), '')::jsonb ->> 'sub', ''),
        nullif(pg_catalog.current_setting('request.jwt.claim.sub', true), ''),
        nullif(nullif(pg_catalog.current_setting('request.jwt.claims', true), '')::jsonb ->> 'role', ''),
        nullif(pg_catalog.current_setting('request.jwt.claim.role', true), ''),
        session_user);
    RETURN NEW;
END
$$;
COMMENT ON FUNCTION intent_internal._pg_intent_policy_before_update() IS
    'Internal trigger: stamps ai_training_policy.updated_at and updated_by on every change.';

-- The policy must always exist: change it with UPDATE.
CREATE OR REPLACE FUNCTION intent_internal._pg_intent_policy_refuse_delete()
RETURNS trigger
LANGUAGE plpgsql VOLATILE PARALLEL UNSAFE
SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
    RAISE EXCEPTION USING MESSAGE = intent_internal._pg_intent_error_words('the training policy cannot be deleted'),
               ERRCODE = 'object_not_in_prerequisite_state',
              HINT = intent_internal._pg_intent_error_words('Change it with UPDATE ai_training_policy SET ...; the column defaults are the documented defaults.');
END
$$;
COMMENT ON FUNCTION intent_internal._pg_intent_policy_refuse_delete() IS
    'Internal trigger: refuses DELETE and TRUNCATE on ai_training_policy.';

CREATE OR REPLACE TRIGGER ai_training_policy_before_insert
    BEFORE INSERT ON @extschema@.ai_training_policy
    FOR EACH ROW EXECUTE FUNCTION intent_internal._pg_intent_policy_before_insert();
CREATE OR REPLACE TRIGGER ai_training_policy_before_update
    BEFORE UPDATE ON @extschema@.ai_training_policy
    FOR EACH ROW EXECUTE FUNCTION intent_internal._pg_intent_policy_before_update();
-- after ai_training_policy_before_insert (BEFORE triggers fire by name), so
-- an INSERT it turns into an UPDATE is checked as that UPDATE
CREATE OR REPLACE TRIGGER ai_training_policy_check_zone
    BEFORE INSERT OR UPDATE ON @extschema@.ai_training_policy
    FOR EACH ROW EXECUTE FUNCTION intent_internal._pg_intent_policy_check_zone();
CREATE OR REPLACE TRIGGER ai_training_policy_refuse_delete
    BEFORE DELETE ON @extschema@.ai_training_policy
    FOR EACH ROW EXECUTE FUNCTION intent_internal._pg_intent_policy_refuse_delete();
CREATE OR REPLACE TRIGGER ai_training_policy_refuse_truncate
    BEFORE TRUNCATE ON @extschema@.ai_training_policy
    FOR EACH STATEMENT EXECUTE FUNCTION intent_internal._pg_intent_policy_refuse_delete();

-- The policy as the owner reads it. Invoker code (should_retrain(), the
-- alerts view, training) reads it through this function, so callers need no
-- privilege on the table; it returns the policy values and nothing else (not
-- who changed them or when, which only readers of the table see).
CREATE OR REPLACE FUNCTION intent_internal._pg_intent_policy(
    OUT min_samples_for_training integer, OUT auto_retrain_threshold integer,
    OUT max_f1_regression double precision, OUT corrected_weight real, OUT max_training_memory_mb integer,
    OUT max_training_threads integer, OUT min_gate_rows integer, OUT out_of_scope_intent text,
    OUT out_of_scope_mode text, OUT only_reviewed boolean, OUT max_training_rows integer)
RETURNS record
LANGUAGE sql STABLE PARALLEL SAFE
SECURITY DEFINER SET search_path = pg_catalog, pg_temp SET row_security = off
AS $$
    SELECT p.min_samples_for_training, p.auto_retrain_threshold, p.max_f1_regression, p.corrected_weight,
           p.max_training_memory_mb, p.max_training_threads, p.min_gate_rows, p.out_of_scope_intent,
           p.out_of_scope_mode, p.only_reviewed, p.max_training_rows
      FROM @extschema@.ai_training_policy AS p
$$;
COMMENT ON FUNCTION intent_internal._pg_intent_policy() IS
    'Internal: the training policy''s values (the one row of ai_training_policy, without who changed it), readable by every caller of the training and metrics functions.';

-- The operations part of the policy (scheduled retraining's back-off,
-- alerts, snapshots), for invoker code (should_retrain(), ai_metric_alerts,
-- create_metrics_snapshot()) as _pg_intent_policy() is for training.
CREATE OR REPLACE FUNCTION intent_internal._pg_intent_ops_policy(
    OUT retry_failed_after interval, OUT min_alert_samples integer, OUT snapshot_time_zone text)
RETURNS record
LANGUAGE sql STABLE PARALLEL SAFE
SECURITY DEFINER SET search_path = pg_catalog, pg_temp SET row_security = off
AS $$
    SELECT p.retry_failed_after, p.min_alert_samples, p.snapshot_time_zone
      FROM @extschema@.ai_training_policy AS p
$$;
COMMENT ON FUNCTION intent_internal._pg_intent_ops_policy() IS
    'Internal: the operations values of the training policy (retry_failed_after, min_alert_samples, snapshot_time_zone), readable by every caller of should_retrain(), ai_metric_alerts and create_metrics_snapshot().';

-- The policy's bounds on rows no reviewer vouches for, as the owner reads
-- them, for get_training_dataset() and the usable sample count, which must
-- leave out the rows a run leaves out. A function of its own rather than
-- more OUT columns of _pg_intent_policy(): a new result type would mean
-- dropping it, and with it the views that call it (and the grants
-- administrators gave on them), in the upgrade.
CREATE OR REPLACE FUNCTION intent_internal._pg_intent_row_limits(
    OUT max_unreviewed_message_bytes integer, OUT min_unreviewed_intent_rows integer, OUT max_intents integer)
RETURNS record
LANGUAGE sql STABLE PARALLEL SAFE
SECURITY DEFINER SET search_path = pg_catalog, pg_temp SET row_security = off
AS $$
    SELECT p.max_unreviewed_message_bytes, p.min_unreviewed_intent_rows, p.max_intents
      FROM @extschema@.ai_training_policy AS p
$$;
COMMENT ON FUNCTION intent_internal._pg_intent_row_limits() IS
    'Internal: the training policy''s bounds on unreviewed rows (max_unreviewed_message_bytes, min_unreviewed_intent_rows, max_intents), readable by every caller of get_training_dataset() and should_retrain().';

-- The policy's bound on the number of unreviewed rows a run reads (0.3.2),
-- as the owner reads it, for _pg_intent_training_rows(). A function of its
-- own for the reason _pg_intent_row_limits() is one.
CREATE OR REPLACE FUNCTION intent_internal._pg_intent_max_unreviewed_rows()
RETURNS integer
LANGUAGE sql STABLE PARALLEL SAFE
SECURITY DEFINER SET search_path = pg_catalog, pg_temp SET row_security = off
AS $$
    SELECT p.max_unreviewed_rows FROM @extschema@.ai_training_policy AS p
$$;
COMMENT ON FUNCTION intent_internal._pg_intent_max_unreviewed_rows() IS
    'Internal: the training policy''s max_unreviewed_rows, readable by every caller of get_training_dataset() and should_retrain().';
