-- Named classifiers (0.3.0): retraining every classifier on a schedule,
-- retrain_classifiers(): its count plan (what to count of a classifier's
-- source, since when, as whom) and the reads of the source it shares with
-- the dashboards (47_classifier_metrics.sql, 48_classifier_review_queue.sql,
-- 51_snapshots.sql), the due rule and the back-off after a failed attempt
-- (the attempt marks and the resume of an interrupted attempt:
-- 46_retrain_attempts.sql). Before
-- 47_classifier_metrics.sql, which calls the due rule and the count. Who may
-- do what: 44_classifier_rights.sql; training a classifier:
-- 46_classifier_train.sql; deploying, rolling back and pruning models:
-- 46_classifier_deploy.sql; intent's retraining: 54_retrain.sql.

-- -------------------------------------------------------------------------
-- retrain_classifiers: scheduled retraining of every classifier
-- -------------------------------------------------------------------------

-- Whether a classifier is due for retraining, and on what evidence: the
-- statement that counts its source's rows (names quoted and qualified here,
-- from the catalog), since when (with a time_column: rows newer than the
-- last completed run's horizon, _pg_intent_source_new_since(), and not
-- later than the clock when the count runs; all of them before the first),
-- the rows the last completed run read (with a time_column, those it found
-- later than its horizon, counted by the same rule), and
-- its policy's auto_retrain_threshold. One rule for retrain_classifiers()
-- (which runs the count as the classifier's owner) and
-- get_classifier_metrics() (as its caller); _pg_intent_classifier_due()
-- turns the count into new rows and the decision. Runs as the owner
-- (ai_classifiers is not readable by callers): it returns the source's and
-- time column's names, never its rows. No row for the built-in classifier.
-- When a classifier's source rows are new to a run, by its time_column:
-- rows whose time is strictly later than the returned instant and not
-- later than the present (issue 34, point 3: one rule). The instant is not
-- the same for the two readers, and both are stated here:
--   the gate (p_for_gate): the run's start. Its fresh rows must be rows
--     the active model did not train on: a row the run read was committed
--     before the read, so dated (by DEFAULT now(), its transaction's
--     start) before the run's start.
--   the count: the run's horizon (metrics source_new_since, taken just
--     before the read's snapshot by _pg_intent_source_read_horizon()):
--     the oldest start of a transaction then in progress in the database,
--     or the present. A row must not be lost to it: one written by a
--     transaction that began before the read, dated by its start, and
--     committed after the read was neither read nor, with the run's start,
--     ever counted new, so a quiet classifier never retrained for it
--     (test/scripts/retrain_late_commit.sh). The rows later than the
--     horizon that the run found (metrics source_rows_since_horizon,
--     counted by the same statement just before the read) are subtracted
--     from the count (_pg_intent_classifier_count_plan()'s rows_at_last):
--     a transaction left open for hours would otherwise make every row the
--     run trained on since count new, and the classifier due at every
--     call. The gate is not affected. A run whose count of them failed:
--     the earlier of the horizon and its start, nothing subtracted
--     (conservative: it retrains sooner). A run without the horizon
--     (before it was recorded): its start.
-- A row dated in the future is new once its time has come: until then a run
-- that read it left it new, and whoever wrote such rows made every
-- scheduled call retrain and store a model (120 rows dated a year ahead,
-- an audit of 0.3.2), and made the gate judge the active model on rows it
-- trained on. Read by
-- _pg_intent_classifier_count_plan() (the new rows retrain_classifiers()
-- and get_classifier_metrics() count since the last run that could deploy)
-- and by the deploy gate of a classifier without a key_column
-- (src/pg/train_entry.cpp: the fresh rows, those later than the active
-- model's run's start). NULL for an unknown run.
CREATE OR REPLACE FUNCTION intent_internal._pg_intent_source_new_since(p_run_id uuid, p_for_gate boolean)
RETURNS timestamptz
LANGUAGE sql STABLE PARALLEL SAFE
SET search_path = pg_catalog, pg_temp
AS $$
    SELECT CASE WHEN p_for_gate THEN r.started_at
                -- the window whose rows the run counted, which the count
                -- subtracts (_pg_intent_classifier_count_plan())
                WHEN r.metrics OPERATOR(pg_catalog.?) 'source_rows_since_horizon'
                THEN (r.metrics OPERATOR(pg_catalog.->>) 'source_new_since')::pg_catalog.timestamptz
                -- LEAST ignores a NULL: a run that recorded no horizon
                ELSE LEAST(r.started_at, (r.metrics OPERATOR(pg_catalog.->>) 'source_new_since')::pg_catalog.timestamptz) END
      FROM @extschema@.ai_training_runs AS r WHERE r.id OPERATOR(pg_catalog.=) p_run_id
$$;
COMMENT ON FUNCTION intent_internal._pg_intent_source_new_since(uuid, boolean) IS
    'Internal: the instant after which a classifier''s source rows (by time_column) are new to run p_run_id: for the gate''s fresh rows without a key_column (p_for_gate), its start; for the retraining count, its horizon (metrics source_new_since: the oldest start of a transaction in progress in the database when it read its source, or the present), so that no row committed after the read is lost to the count, whose rows the run found (source_rows_since_horizon) the count subtracts; the earlier of the horizon and its start when it recorded no such count. The one rule of both.';

-- The horizon of a training's read of a classifier's source, taken just
-- before the read's snapshot (src/pg/train_classifier.cpp): the earlier of
-- the present and the oldest start of a transaction of another backend of
-- this database then in progress (pg_stat_activity, read afresh: its
-- snapshot is otherwise kept for the transaction, and retrain_classifiers()
-- trains many classifiers in one). A transaction whose rows the read does
-- not see either began after it, or was in progress then: either way the
-- rows it dates by its start are later. As the extension owner, who sees
-- every backend's xact_start when it is a superuser or holds
-- pg_read_all_stats (docs/classifiers.md: the rule's limits).
CREATE OR REPLACE FUNCTION intent_internal._pg_intent_source_read_horizon()
RETURNS timestamptz
LANGUAGE plpgsql VOLATILE PARALLEL UNSAFE SECURITY DEFINER
SET search_path = pg_catalog, pg_temp SET row_security = off
AS $$
DECLARE
    v_oldest timestamptz;
BEGIN
    PERFORM pg_catalog.pg_stat_clear_snapshot();
    SELECT pg_catalog.min(a.xact_start) INTO v_oldest FROM pg_catalog.pg_stat_activity AS a
     WHERE a.pid OPERATOR(pg_catalog.<>) pg_catalog.pg_backend_pid()
       AND a.datname OPERATOR(pg_catalog.=) pg_catalog.current_database();
    -- A microsecond before it: that transaction's now() is its xact_start,
    -- and the count takes rows strictly later than the horizon.
    RETURN LEAST(pg_catalog.clock_timestamp(), v_oldest OPERATOR(pg_catalog.-) '1 microsecond'::pg_catalog.interval);
END
$$;
COMMENT ON FUNCTION intent_internal._pg_intent_source_read_horizon() IS
    'Internal: for train_classifier(), just before it reads a source with a time_column: the earlier of the present and the oldest start of a transaction of another backend of this database in progress (less a microsecond), recorded by the run (metrics source_new_since) for the retraining count (_pg_intent_source_new_since()).';

-- Whether the keys a classifier's run recorded (ai_classifier_run_rows
-- .row_key) still name its source's rows: true unless the classifier's
-- key_column or source changed since the run. A run records its key column
-- (metrics key_column); alter_classifier() names, in the runs made before a
-- change, the key column and the source they read (metrics keys_source, by
-- name: a restore gives the source another OID, not other rows). Once either
-- changed, those keys are values of another column or rows of another
-- table: read as the current ones, the gate weighed the active model on its
-- own training rows and refused an unchanged model as a regression, and the
-- review queue showed each run row's labels beside another row's text.
-- Read by both (_pg_intent_train_run_begin(), get_classifier_review_queue()).
-- True for an unknown run or classifier (nothing to refuse). As the
-- extension owner: the caller of the queue may not read ai_classifiers;
-- it learns one boolean about a run it names.
CREATE OR REPLACE FUNCTION intent_internal._pg_intent_run_keys_current(p_run_id uuid)
RETURNS boolean
LANGUAGE plpgsql STABLE PARALLEL SAFE SECURITY DEFINER
SET search_path = pg_catalog, pg_temp SET row_security = off
AS $$
BEGIN
    RETURN NOT EXISTS (
        SELECT FROM @extschema@.ai_training_runs AS r
          JOIN @extschema@.ai_classifiers AS c ON c.id OPERATOR(pg_catalog.=) r.classifier_id
         WHERE r.id OPERATOR(pg_catalog.=) p_run_id
           AND ((r.metrics OPERATOR(pg_catalog.?) 'key_column'
                 AND (r.metrics OPERATOR(pg_catalog.->>) 'key_column') IS DISTINCT FROM c.key_column::pg_catalog.text)
                OR (r.metrics OPERATOR(pg_catalog.?) 'keys_source'
                    AND (r.metrics OPERATOR(pg_catalog.->>) 'keys_source')
                        IS DISTINCT FROM coalesce(intent_internal._pg_intent_relation_name(c.source), c.source_name))));
END
$$;
COMMENT ON FUNCTION intent_internal._pg_intent_run_keys_current(uuid) IS
    'Internal: whether the row keys run p_run_id recorded still name rows of its classifier''s source: false once alter_classifier() changed the key_column or the source since the run (metrics key_column, keys_source). The one rule of the deploy gate''s fresh rows and of get_classifier_review_queue(). True for an unknown run.';

-- Whether a classifier's source is read, and counted, as its reviewed rows
-- only: under only_reviewed, when it has a reviewed_column (without one,
-- every row is read). The one statement of it in SQL, for the retraining
-- count's statement, for what a run records it counted under, and for the
-- comparison of the two; the reader's own (src/pg/classifier_source.cpp)
-- is held to it by retrain_classifiers.sql (a source trained under
-- only_reviewed counts 0 new rows).
CREATE OR REPLACE FUNCTION intent_internal._pg_intent_source_reads_reviewed_only(p_reviewed_column text,
                                                                                 p_only_reviewed boolean)
RETURNS boolean
LANGUAGE sql IMMUTABLE PARALLEL SAFE
SET search_path = pg_catalog, pg_temp
AS $$
    SELECT p_reviewed_column IS NOT NULL AND coalesce(p_only_reviewed, false)
$$;
COMMENT ON FUNCTION intent_internal._pg_intent_source_reads_reviewed_only(text, boolean) IS
    'Internal: whether a classifier''s source is read and counted as its reviewed rows only (a reviewed_column, and only_reviewed).';

CREATE OR REPLACE FUNCTION intent_internal._pg_intent_classifier_count_plan(p_name text)
RETURNS TABLE (owner oid, count_sql text, since timestamptz, rows_at_last bigint, threshold integer,
               period_count_sql text)
LANGUAGE sql STABLE PARALLEL SAFE SECURITY DEFINER
SET search_path = pg_catalog, pg_temp SET row_security = off
AS $$
    -- owner: NULL when the classifier is orphaned (its owner's OID no longer
    -- has its name): there is no role to count as.
    SELECT CASE WHEN intent_internal._pg_intent_role_is(c.owner, c.owner_name) THEN c.owner END,
           -- The rows that could train: a label is_valid_intent_name()
           -- accepts (the reader's rule), and under only_reviewed a vouched
           -- row. The text is not read, so that counting does not fail where
           -- reading a text does (that is the run's failure, and back-off).
           -- Without a time_column the count is compared with the same
           -- statement's count at the start of the last run that could
           -- deploy (its metrics' source_rows_counted, taken by
           -- train_classifier() as the owner before the read): whatever a run
           -- then skipped (a NULL text, a class rule, max_training_rows,
           -- max_unreviewed_rows) is skipped on both sides. 0.3.1 compared
           -- with the rows the run trained on (input_rows): every row a run
           -- did not read kept a classifier due for ever, and each scheduled
           -- call deployed another unchanged model; capping the count at the
           -- bounds instead left one past max_training_rows never due again.
           -- NULL when the source is gone (dropped: no pg_class row), so
           -- that the classifier keeps its row and each consumer reports the
           -- missing source (42P01) instead of leaving the classifier out.
           CASE WHEN r.oid IS NOT NULL THEN
           pg_catalog.format('SELECT %s FROM %I.%I AS t WHERE %I.is_valid_intent_name(t.%I::pg_catalog.text)',
                             CASE WHEN intent_internal._pg_intent_source_reads_reviewed_only(c.reviewed_column, p.only_reviewed)
                                  THEN pg_catalog.format('pg_catalog.count(*) FILTER (WHERE t.%I IS TRUE)', c.reviewed_column)
                                  ELSE 'pg_catalog.count(*)' END,
                             n.nspname, r.relname, x.nspname, c.label_column)
             -- "Not later than the present": the clock when the count
             -- runs (an InitPlan, computed once, so an index on the time
             -- column still serves the statement), never now(), its
             -- transaction's start. The count train_classifier() takes
             -- just before its read (source_rows_since_horizon, which the
             -- next count subtracts) must take in every row the read finds
             -- that the next count counts: a row committed after the run's
             -- transaction began and before its read, dated by its own
             -- transaction's start, is later than now() there; it was
             -- trained on, not subtracted, and counted new after the run
             -- whenever another transaction was open (the horizon then
             -- lies before it): in a transaction block, and in
             -- retrain_classifiers(), one transaction for every classifier,
             -- every row written while an earlier classifier trained, at
             -- every call (test/scripts/review80.sh). A row dated later
             -- than the clock is still new once its time has come.
             OPERATOR(pg_catalog.||) CASE WHEN c.time_column IS NOT NULL
                 THEN pg_catalog.format(' AND ($1 IS NULL OR (t.%I::pg_catalog.timestamptz OPERATOR(pg_catalog.>) $1'
                                        ' AND t.%I::pg_catalog.timestamptz OPERATOR(pg_catalog.<=) (SELECT pg_catalog.clock_timestamp())))',
                                        c.time_column, c.time_column)
                 ELSE ' AND ($1 IS NULL OR true)' END END,
           -- With a time_column, from the last run's start; after a run
           -- with bounds of its own ({"limit": N}: source_read_bounded), from
           -- none, as if never trained: the rows it left unread are new, and
           -- it is due.
           CASE WHEN c.time_column IS NOT NULL
                     AND NOT coalesce((last.metrics OPERATOR(pg_catalog.->>) 'source_read_bounded')::boolean, false)
                THEN intent_internal._pg_intent_source_new_since(last.run_id, false) END,
           -- The same count at the last run's start, while only_reviewed is
           -- what it was then; since a change of it (the count's one policy
           -- key), every row that could train is new: the next run reads
           -- by another rule (compared across the change, 150 new reviewed
           -- rows counted 0). A run with bounds of its own ({"limit": N};
           -- src/pg/train_classifier.cpp) records no count: the rows it
           -- trained on, so the rows it left unread stay new. COMPAT(0.3.1)
           -- so for 0.3.1's runs.
           -- NULL without such a run: never trained, due at once
           -- (_pg_intent_classifier_due()).
           -- With a time_column, the rows later than the last run's
           -- horizon that it found (_pg_intent_source_new_since()), while
           -- only_reviewed is what it was then, as without one: counted by
           -- the other rule (every row, where the count now takes reviewed
           -- rows only), they were subtracted from rows they were not
           -- counted among, and new reviewed rows counted 0 (10 unreviewed
           -- rows found during an open transaction hid 6 new reviewed ones;
           -- test/scripts/review80.sh). Not subtracted then: the rows later
           -- than the horizon, by the rule the next run reads by.
           CASE WHEN c.time_column IS NOT NULL THEN
               CASE WHEN NOT coalesce((last.metrics OPERATOR(pg_catalog.->>) 'source_read_bounded')::boolean, false)
                         AND (last.metrics OPERATOR(pg_catalog.->>) 'source_rows_only_reviewed')::boolean
                             IS NOT DISTINCT FROM intent_internal._pg_intent_source_reads_reviewed_only(c.reviewed_column, p.only_reviewed)
                    THEN (last.metrics OPERATOR(pg_catalog.->>) 'source_rows_since_horizon')::bigint END
           ELSE
               CASE WHEN last.run_id IS NULL THEN NULL
                    WHEN NOT coalesce(last.metrics OPERATOR(pg_catalog.?) 'source_rows_counted', false)
                    THEN (last.metrics OPERATOR(pg_catalog.->>) 'input_rows')::bigint
                    WHEN (last.metrics OPERATOR(pg_catalog.->>) 'source_rows_only_reviewed')::boolean
                         IS NOT DISTINCT FROM intent_internal._pg_intent_source_reads_reviewed_only(c.reviewed_column, p.only_reviewed)
                    THEN (last.metrics OPERATOR(pg_catalog.->>) 'source_rows_counted')::bigint
                    ELSE 0 END END,
           p.auto_retrain_threshold,
           CASE WHEN c.time_column IS NOT NULL AND r.oid IS NOT NULL THEN
               pg_catalog.format('SELECT pg_catalog.count(*) FROM %I.%I AS t WHERE t.%I::pg_catalog.timestamptz OPERATOR(pg_catalog.>=) $1 AND t.%I::pg_catalog.timestamptz OPERATOR(pg_catalog.<) $2',
                                 n.nspname, r.relname, c.time_column, c.time_column) END
      FROM @extschema@.ai_classifiers AS c
      LEFT JOIN pg_catalog.pg_class AS r ON r.oid OPERATOR(pg_catalog.=) c.source::pg_catalog.oid
      LEFT JOIN pg_catalog.pg_namespace AS n ON n.oid OPERATOR(pg_catalog.=) r.relnamespace
      JOIN pg_catalog.pg_extension AS e ON e.extname OPERATOR(pg_catalog.=) 'pg_intent'
      JOIN pg_catalog.pg_namespace AS x ON x.oid OPERATOR(pg_catalog.=) e.extnamespace
      CROSS JOIN LATERAL intent_internal._pg_intent_classifier_policy(c.name) AS p
      LEFT JOIN LATERAL intent_internal._pg_intent_last_retraining_run(c.id) AS last ON true
     WHERE c.name OPERATOR(pg_catalog.=) p_name AND NOT c.built_in
$$;
COMMENT ON FUNCTION intent_internal._pg_intent_classifier_count_plan(text) IS
    'Internal: for retrain_classifiers(), get_classifier_metrics() and create_classifier_metrics_snapshot(): a classifier''s owner (NULL when orphaned), the statement counting its source rows (NULL, as the period''s, when its source was dropped) that could train (a label is_valid_intent_name() accepts; vouched under only_reviewed; new since its last completed run with a time_column), that run''s start or the same count at its start (source_rows_counted; before 0.3.2 its input rows), its auto_retrain_threshold, and with a time_column the statement counting the rows of a period [$1, $2).';

-- What a dashboard or a reviewer may have read of a classifier's source,
-- and as whom: the classifier's owner, and the statement of p_kind ('new':
-- count_plan's count of new rows, $1 the start; 'period': the rows of
-- [$1, $2) by the time column, no statement without one; 'texts': {key:
-- text} for the keys $1, each text cut at 8192 characters, the rows found
-- by the key's type; 'texts_by_text': the same, found by the key's text;
-- 'count_columns': no statement, only the check of the columns a count
-- reads, for retrain_classifiers(), which has its own count plan). Only for a
-- p_caller with the right to train the classifier, which reads the same rows
-- (42704, 42501). Called by OID from src/pg/source_reads.cpp, which runs the
-- statement as the owner in a security-restricted operation; granted to
-- nobody: the statement names the source, which callers are not shown.
CREATE OR REPLACE FUNCTION intent_internal._pg_intent_classifier_source_statement(
    p_name text, p_caller oid, p_kind text, OUT owner oid, OUT statement text)
LANGUAGE plpgsql STABLE PARALLEL SAFE SECURITY DEFINER
SET search_path = pg_catalog, pg_temp SET row_security = off
AS $$
DECLARE
    c @extschema@.ai_classifiers := intent_internal._pg_intent_classifier_require(p_name, p_caller, 'train');
    v_plan record;
BEGIN
    IF c.built_in THEN
        RAISE EXCEPTION USING MESSAGE = intent_internal._pg_intent_error_words('the built-in classifier''s source is ai_training_data'), ERRCODE = 'invalid_parameter_value';
    END IF;
    owner := c.owner; -- not orphaned: _pg_intent_classifier_require() checked
    IF p_kind IN ('texts', 'texts_by_text') THEN
        SELECT * INTO v_plan FROM intent_internal._pg_intent_classifier_review_plan(p_name) AS x;
        IF c.key_column IS NULL THEN
            RAISE EXCEPTION USING MESSAGE = intent_internal._pg_intent_error_words('classifier "%s" has no key_column', p_name), ERRCODE = 'object_not_in_prerequisite_state';
        ELSIF v_plan.source IS NULL THEN -- dropped since (no pg_class row)
            RAISE EXCEPTION USING MESSAGE = intent_internal._pg_intent_error_words('the source of classifier "%s" does not exist', p_name), ERRCODE = 'undefined_table';
        ELSIF v_plan.key_type IS NULL THEN
            RAISE EXCEPTION USING MESSAGE = intent_internal._pg_intent_error_words('column "%s" of the source of classifier "%s" does not exist', c.key_column, p_name), ERRCODE = 'undefined_column';
        -- The text column too: the statement's own error would carry the
        -- statement, which names the source, and a hint naming its columns
        -- (an audit: a train grantee read them after a rename).
        ELSIF NOT EXISTS (SELECT FROM pg_catalog.pg_attribute AS a
                           WHERE a.attrelid OPERATOR(pg_catalog.=) c.source::pg_catalog.oid
                             AND a.attname OPERATOR(pg_catalog.=) c.text_column AND a.attnum OPERATOR(pg_catalog.>) 0
                             AND NOT a.attisdropped) THEN
            RAISE EXCEPTION USING MESSAGE = intent_internal._pg_intent_error_words('column "%s" of the source of classifier "%s" does not exist', c.text_column, p_name), ERRCODE = 'undefined_column';
        END IF;
        -- A key is its value's text, as a run recorded it (row_key.h: the
        -- read's key_column::text, with the same pinned settings). 'texts'
        -- finds the rows by the key's type, which its index serves (1M
        -- rows: 0.17 ms by a bigint primary key); 'texts_by_text' by that
        -- text, which no index serves (138 ms), for when the recorded keys
        -- are no values of the key's type now (after ALTER COLUMN ... TYPE:
        -- 22P02) or the type has no equality operator (json: 42883), which
        -- failed every queue call in 0.3.2 before this. The caller tries
        -- the first and falls back to the second (source_reads.cpp).
        -- A key several rows hold (the key_column need not be unique; a run
        -- records its first row, src/pg/run_rows.cpp) names none of them
        -- here: left out, as a row no longer in the source, never shown
        -- with another row's text beside the recorded label.
        -- Keys are told apart by their text's bytes (COLLATE "C"), as the
        -- run told them apart (src/pg/row_key.h), whatever the key column's
        -- collation: under a nondeterministic one ('und-u-ks-level2', where
        -- 'a' = 'A') the group of 'a' held 'A' too, and both keys, each one
        -- row's, were left out as a key several rows hold (the whole queue
        -- of a source keyed 'k1'/'K1' was empty). 'texts' still matches by
        -- the key's type and collation, which its index serves: that finds
        -- every row of each key and perhaps more, which the group then
        -- tells apart.
        statement := pg_catalog.format(
            'SELECT pg_catalog.jsonb_object_agg(k.k, k.t) FROM (SELECT s.%1$s::pg_catalog.text COLLATE pg_catalog."C" AS k,'
            ' pg_catalog.min(pg_catalog.left(s.%2$s::pg_catalog.text, 8192)) AS t FROM %3$s AS s'
            ' WHERE %4$s GROUP BY 1 HAVING pg_catalog.count(*) OPERATOR(pg_catalog.=) 1) AS k',
            v_plan.key_column, v_plan.text_column, v_plan.source,
            CASE p_kind WHEN 'texts'
                 THEN pg_catalog.format('s.%s = ANY ($1::%s[])', v_plan.key_column, v_plan.key_type)
                 ELSE pg_catalog.format('s.%s::pg_catalog.text COLLATE pg_catalog."C" OPERATOR(pg_catalog.=) ANY ($1::pg_catalog.text[])', v_plan.key_column) END);
    ELSIF p_kind IN ('new', 'period') THEN
        SELECT * INTO v_plan FROM intent_internal._pg_intent_classifier_count_plan(p_name) AS x;
        statement := CASE p_kind WHEN 'new' THEN v_plan.count_sql WHEN 'period' THEN v_plan.period_count_sql END;
        IF v_plan.count_sql IS NULL THEN -- dropped since (count_plan: no pg_class row)
            -- Raised, not a NULL count: a NULL reads as "nothing to count"
            -- (a period without a time column), and the dashboards would
            -- report no reason.
            RAISE EXCEPTION USING MESSAGE = intent_internal._pg_intent_error_words('the source of classifier "%s" does not exist', p_name), ERRCODE = 'undefined_table';
        END IF;
    ELSIF p_kind OPERATOR(pg_catalog.<>) 'count_columns' THEN
        RAISE EXCEPTION USING MESSAGE = intent_internal._pg_intent_error_words('invalid value for p_kind: "%s"', p_kind), ERRCODE = 'invalid_parameter_value';
    END IF;
    IF p_kind IN ('new', 'period', 'count_columns') THEN
        -- The columns the count reads, checked as a training checks them
        -- (_pg_intent_classifier_check_source(), the one rule): a column
        -- dropped, renamed or retyped is named as the classifier's, with
        -- its role, where the statement's own error named its alias
        -- ("column t.intent does not exist", in retrain_classifiers()'
        -- entry and the dashboards' new_rows_unknown).
        PERFORM intent_internal._pg_intent_classifier_check_source(
            c.owner, p_name, c.source::pg_catalog.oid,
            pg_catalog.jsonb_strip_nulls(pg_catalog.jsonb_build_object(
                'label_column', c.label_column, 'time_column', c.time_column, 'reviewed_column', c.reviewed_column)));
    END IF;
END
$$;
COMMENT ON FUNCTION intent_internal._pg_intent_classifier_source_statement(text, oid, text) IS
    'Internal: for _pg_intent_count_classifier_source() and _pg_intent_classifier_source_texts(): the classifier''s owner and the statement that reads what was asked, for a caller with the right to train it (42704, 42501); for retrain_classifiers() (count_columns), only the check of the columns a count reads.';

CREATE OR REPLACE FUNCTION intent_internal._pg_intent_count_classifier_source(
    p_name text, p_from timestamptz, p_to timestamptz DEFAULT NULL)
RETURNS bigint
AS 'MODULE_PATHNAME', 'pg_intent_count_classifier_source'
LANGUAGE C VOLATILE PARALLEL UNSAFE;
COMMENT ON FUNCTION intent_internal._pg_intent_count_classifier_source(text, timestamptz, timestamptz) IS
    'Internal: the classifier''s source rows new since p_from (p_to NULL; all of them when p_from is NULL too, with a time_column; all rows without one), or of the period [p_from, p_to) by its time_column (NULL without one), counted as the classifier''s owner in a security-restricted operation. Needs the right to train the classifier (42501); unknown classifier 42704; a dropped source 42P01.';

-- The count of _pg_intent_count_classifier_source() as the dashboards take
-- it, one rule for get_classifier_metrics() and
-- create_classifier_metrics_snapshot(): a count that fails is reported, not
-- raised. A caller without the right to train the classifier (42501) gets
-- not_allowed; any other failure (a view's cast of a dirty row, an
-- orphaned classifier's 55000, an error the source's own code raises as its
-- owner) leaves new_rows NULL with the error's message, cut at 200
-- characters, in unknown: one classifier's source must not fail a dashboard
-- call, nor cost the other classifiers of a scheduled snapshot job (one
-- statement) their rows. A cancel or a statement_timeout (query_canceled,
-- which OTHERS never catches) still ends the call. Runs as its caller: the
-- count checks the caller's right to train.
CREATE OR REPLACE FUNCTION intent_internal._pg_intent_try_count_classifier_source(
    p_name text, p_from timestamptz, p_to timestamptz DEFAULT NULL,
    OUT new_rows bigint, OUT unknown text, OUT not_allowed boolean)
RETURNS record
LANGUAGE plpgsql VOLATILE PARALLEL UNSAFE
SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
    not_allowed := false;
    new_rows := intent_internal._pg_intent_count_classifier_source(p_name, p_from, p_to);
EXCEPTION WHEN assert_failure OR others THEN
    new_rows := NULL;
    unknown := pg_catalog.left(SQLERRM, 200);
    not_allowed := SQLSTATE OPERATOR(pg_catalog.=) '42501'; -- insufficient_privilege
END
$$;
COMMENT ON FUNCTION intent_internal._pg_intent_try_count_classifier_source(text, timestamptz, timestamptz) IS
    'Internal: _pg_intent_count_classifier_source(p_name, p_from, p_to) for get_classifier_metrics() and create_classifier_metrics_snapshot(), a failure reported, not raised: new_rows NULL and unknown the error''s message (cut at 200 characters), not_allowed when the caller may not train the classifier (42501). A cancel or statement_timeout still raises.';

CREATE OR REPLACE FUNCTION intent_internal._pg_intent_classifier_source_texts(p_name text, p_keys text[])
RETURNS jsonb
AS 'MODULE_PATHNAME', 'pg_intent_classifier_source_texts'
LANGUAGE C VOLATILE PARALLEL UNSAFE;
COMMENT ON FUNCTION intent_internal._pg_intent_classifier_source_texts(text, text[]) IS
    'Internal: {key: text} for the classifier''s source rows with those keys (at most 10000, 22023 beyond; texts cut at 8192 characters), read as the classifier''s owner in a security-restricted operation. Needs the right to train the classifier (42501); unknown classifier 42704; no key_column 55000.';

-- What role p_role may know of a classifier, for get_classifier_metrics(),
-- create_classifier_metrics_snapshot() and get_classifier_review_queue()
-- (through the one-argument form below, which asks for its caller), and
-- for _pg_intent_classifier_refuse(), without the source's name: whether it is built in, has a key and a time
-- column, and the retraining rule's inputs (since when new rows count and
-- the rows the last completed run read, to a role that may train it; the
-- threshold), and its id (the runs
-- and models that are its own name it; an earlier classifier's of the same
-- name are not). No row: no such
-- classifier, or one the role may not know of (it may not list the
-- classifiers and holds no right on this one: under the Supabase recipe
-- every customer holds the dashboards' functions).
CREATE OR REPLACE FUNCTION intent_internal._pg_intent_classifier_facts(p_name text, p_role oid)
RETURNS TABLE (built_in boolean, has_key boolean, has_time_column boolean, since timestamptz, rows_at_last bigint,
               threshold integer, classifier_id bigint)
LANGUAGE sql STABLE PARALLEL SAFE SECURITY DEFINER
SET search_path = pg_catalog, pg_temp SET row_security = off
AS $$
    SELECT c.built_in, c.key_column IS NOT NULL, c.time_column IS NOT NULL,
           -- when the last run started and the rows it counted (of every
           -- tenant): read from the runs, which a role with another right
           -- may not read (a customer of the Supabase recipe, predict only);
           -- only the count, which needs the right to train, uses them
           CASE WHEN t.may_train THEN p.since END, CASE WHEN t.may_train THEN p.rows_at_last END,
           p.threshold, c.id
      FROM @extschema@.ai_classifiers AS c
      CROSS JOIN LATERAL (SELECT coalesce(intent_internal._pg_intent_classifier_allows(c.name, p_role, 'train'), false)
                                 AS may_train) AS t
      LEFT JOIN LATERAL intent_internal._pg_intent_classifier_count_plan(c.name) AS p ON true
     WHERE c.name OPERATOR(pg_catalog.=) p_name
       AND CASE WHEN intent_internal._pg_intent_classifier_may_list(p_role)
                     OR EXISTS (SELECT FROM pg_catalog.unnest(ARRAY['predict', 'train', 'deploy', 'manage']) AS a
                                 WHERE intent_internal._pg_intent_classifier_allows(c.name, p_role, a))
                THEN intent_internal._pg_intent_classifier_is_judged(c) ELSE false END
$$;
COMMENT ON FUNCTION intent_internal._pg_intent_classifier_facts(text, oid) IS
    'Internal: what the role may know of a classifier: built_in, has_key, has_time_column, the retraining inputs (since, rows_at_last: only to a role that may train it; threshold) and its id; never its source''s name. No row for an unknown classifier or one the role may not know of (it may not list classifiers and holds no right on it).';

-- The same for the calling role (src/pg/classifier_facts.cpp): the
-- two-argument form answers for any role it is given, so it is granted to
-- no one, and the dashboards' functions, which run as their caller, call
-- this one. An unknown classifier, or one the caller may not know of, is
-- refused as _pg_intent_classifier_refuse() refuses it for 'read'.
CREATE OR REPLACE FUNCTION intent_internal._pg_intent_classifier_facts(
    p_name text, OUT built_in boolean, OUT has_key boolean, OUT has_time_column boolean, OUT since timestamptz,
    OUT rows_at_last bigint, OUT threshold integer, OUT classifier_id bigint)
RETURNS record
AS 'MODULE_PATHNAME', 'pg_intent_classifier_facts'
LANGUAGE C VOLATILE PARALLEL UNSAFE;
COMMENT ON FUNCTION intent_internal._pg_intent_classifier_facts(text) IS
    'Internal: what the calling role may know of a classifier (_pg_intent_classifier_facts(p_name, <the caller>), read as the extension owner); 42501, or 42704 to a role that may list the classifiers, when it may know nothing of it.';

-- The decision on a count of _pg_intent_classifier_count_plan()'s
-- statement: never trained, due; the count less p_rows_at_last, when
-- given, is the new rows (none when there are fewer: rows deleted, or a
-- reader who sees fewer): without a time column the rows beyond those the
-- last run counted, with one the rows later than its horizon beyond those
-- it found there (_pg_intent_source_new_since()). Due at
-- auto_retrain_threshold new rows (100 when unset).
CREATE OR REPLACE FUNCTION intent_internal._pg_intent_classifier_due(
    p_count bigint, p_since timestamptz, p_rows_at_last bigint, p_threshold integer,
    OUT new_rows bigint, OUT due boolean)
LANGUAGE sql IMMUTABLE PARALLEL SAFE
SET search_path = pg_catalog, pg_temp
AS $$
    SELECT n, (p_since IS NULL AND p_rows_at_last IS NULL) OR n OPERATOR(pg_catalog.>=) coalesce(p_threshold, 100)
      FROM (SELECT CASE WHEN p_rows_at_last IS NULL THEN p_count
                        ELSE pg_catalog.int8larger(p_count OPERATOR(pg_catalog.-) p_rows_at_last, 0) END AS n) AS x
$$;
COMMENT ON FUNCTION intent_internal._pg_intent_classifier_due(bigint, timestamptz, bigint, integer) IS
    'Internal: a classifier''s new rows and whether it is due for retraining, from the count of its source rows (_pg_intent_classifier_count_plan()).';

-- The one decoding of an attempt's mark, which
-- _pg_intent_classifier_retrain_mark() (46_retrain_attempts.sql) writes
-- (the encoding: src/sql/schema/81_classifier_retrain_attempt.sql): the
-- attempt's start, the flag bit (retrain_classifiers(): the call carried an
-- interrupted attempt; intent: a failed run whose error was raised) and the
-- classifier's id; NULLs for 0 (no attempt). Read by
-- _pg_intent_retrain_failure_of() and _pg_intent_retrain_resume().
CREATE OR REPLACE FUNCTION intent_internal._pg_intent_retrain_mark_decode(
    p_marker bigint, OUT started_at timestamptz, OUT flag boolean, OUT classifier_id bigint)
RETURNS record
LANGUAGE sql STABLE STRICT PARALLEL SAFE
SET search_path = pg_catalog, pg_temp
AS $$
    SELECT '1970-01-01 00:00:00+00'::pg_catalog.timestamptz OPERATOR(pg_catalog.+)
           ((p_marker OPERATOR(pg_catalog./) 2097152) OPERATOR(pg_catalog.*) '1 millisecond'::pg_catalog.interval),
           (p_marker OPERATOR(pg_catalog./) 1048576) OPERATOR(pg_catalog.%) 2 OPERATOR(pg_catalog.=) 1,
           p_marker OPERATOR(pg_catalog.%) 1048576
     WHERE p_marker OPERATOR(pg_catalog.>) 0
$$;
COMMENT ON FUNCTION intent_internal._pg_intent_retrain_mark_decode(bigint) IS
    'Internal: what a scheduled attempt''s mark (ai_classifier_retrain_attempt_seq, ai_intent_retrain_attempt_seq; written by _pg_intent_classifier_retrain_mark()) holds: the attempt''s start, its flag bit and its classifier''s id; NULLs for 0 (none).';

-- The one reader of the back-off's store, ai_classifier_retrain_failures
-- (schema/80): a classifier's last failed scheduled attempt, intent's
-- (retrain_if_needed(): _pg_intent_retrain_decision(), 54_retrain.sql, and
-- ai_metric_alerts) as every other classifier's (retrain_classifiers():
-- _pg_intent_classifier_retrain_due() below); NULLs when none.
-- For intent it also reads the attempt retrain_if_needed() left marked
-- (ai_intent_retrain_attempt_seq, schema/83), which the next call records
-- here (_pg_intent_retrain_resume()): should_retrain() and ai_metric_alerts
-- are asked between the two, and since 0.2.1 a raised failure
-- (retrain_if_needed(true)) and since 0.3.2 an interrupted attempt back
-- intent off at once. A mark is read as the failure it will be (57014 for
-- an interrupted attempt, no SQLSTATE for a raised failure, whose run's
-- row is gone) unless a training holds a training slot of this database
-- (pg_locks: the extension's object locks _pg_intent_is_training_slot()
-- names, the sub-ids src/pg/extension_locks.h defines): the mark may then be
-- that attempt in progress. Any classifier's training counts: which one
-- holds a slot is not in pg_locks, and pg_intent_training_progress() is not
-- PARALLEL SAFE. Another classifier's marks are read by the
-- retrain_classifiers() call that holds the retraining lock only, which
-- records them before it reads this. As the owner, so that callers of
-- should_retrain() need no privilege on the store or the sequence.
CREATE OR REPLACE FUNCTION intent_internal._pg_intent_retrain_failure_of(
    p_classifier text, OUT failed_at timestamptz, OUT rows_counted bigint, OUT sqlstate text, OUT error text)
RETURNS record
LANGUAGE sql STABLE PARALLEL SAFE SECURITY DEFINER
SET search_path = pg_catalog, pg_temp SET row_security = off
AS $$
    WITH mark AS (
        SELECT d.started_at AS failed_at, d.flag AS raised
          FROM @extschema@.ai_intent_retrain_attempt_seq AS s
         CROSS JOIN LATERAL intent_internal._pg_intent_retrain_mark_decode(s.last_value) AS d
          JOIN @extschema@.ai_classifiers AS c
            ON c.name OPERATOR(pg_catalog.=) p_classifier AND c.built_in
           AND c.id OPERATOR(pg_catalog.=) d.classifier_id
         WHERE NOT EXISTS (SELECT FROM pg_catalog.pg_locks AS l
                            WHERE l.locktype OPERATOR(pg_catalog.=) 'object' AND l.granted
                              AND l.classid OPERATOR(pg_catalog.=) 'pg_catalog.pg_extension'::pg_catalog.regclass
                              AND l.objid OPERATOR(pg_catalog.=)
                                  (SELECT e.oid FROM pg_catalog.pg_extension AS e
                                    WHERE e.extname OPERATOR(pg_catalog.=) 'pg_intent')
                              AND intent_internal._pg_intent_is_training_slot(l.objsubid)
                              AND l.database OPERATOR(pg_catalog.=)
                                  (SELECT d.oid FROM pg_catalog.pg_database AS d
                                    WHERE d.datname OPERATOR(pg_catalog.=) pg_catalog.current_database()))
    )
    SELECT coalesce(m.failed_at, f.failed_at),
           CASE WHEN m.failed_at IS NULL THEN f.rows_counted END,
           CASE WHEN m.failed_at IS NULL THEN f.sqlstate WHEN NOT m.raised THEN '57014' END,
           CASE WHEN m.failed_at IS NULL THEN f.error END
      FROM (SELECT) AS one
      LEFT JOIN @extschema@.ai_classifier_retrain_failures AS f ON f.classifier OPERATOR(pg_catalog.=) p_classifier
      LEFT JOIN mark AS m ON true
$$;
COMMENT ON FUNCTION intent_internal._pg_intent_retrain_failure_of(text) IS
    'Internal: the classifier''s last failed scheduled attempt in ai_classifier_retrain_failures (its start, the count it made, its SQLSTATE and error; NULLs when none), or for intent the attempt retrain_if_needed() left marked and the next call records (57014 when interrupted; none while a training holds a training slot of the database): the one reader of the back-off''s store, for intent (retrain_if_needed(), should_retrain(), ai_metric_alerts) and every other classifier (retrain_classifiers()).';

-- retrain_classifiers()'s decision for one classifier: the one rule of
-- scheduled retraining (_pg_intent_retrain_rule(), 54_retrain.sql), which
-- should_retrain() and retrain_if_needed() read for intent, on the
-- classifier's numbers: its new rows (p_count and the others are
-- _pg_intent_classifier_count_plan()'s, counted as the classifier's owner,
-- who runs this through fmgr); its samples (p_rows: the count statement
-- with no start, so every row that could train; at most max_training_rows
-- of them are read) against its policy's min_samples_for_training (0.3.2
-- before this tried a new classifier over a table of 6 rows, and failed one
-- run an hour, each a failed run row and the back-off's failure, for as
-- long as the job ran); and its failed attempt (0.3.2; issue 31, item 10),
-- ai_classifier_retrain_failures' row, the rows new since it being those
-- counted beyond the count it made (none for an interrupted attempt, which
-- made none: only retry_failed_after ends it). SECURITY DEFINER, as it
-- reads the back-off and the runs.
-- p_rows NULL: not counted; the rule then decides on the new rows only, and
-- retrain_classifiers.cpp counts every row only when they make the
-- classifier due (when p_count is not already that count), and asks again.
CREATE OR REPLACE FUNCTION intent_internal._pg_intent_classifier_retrain_due(
    p_name text, p_count bigint, p_since timestamptz, p_rows_at_last bigint, p_threshold integer, p_rows bigint,
    OUT new_rows bigint, OUT due boolean, OUT reason text, OUT failed_at timestamptz, OUT retry_after timestamptz)
LANGUAGE plpgsql STABLE PARALLEL SAFE SECURITY DEFINER
SET search_path = pg_catalog, pg_temp SET row_security = off
AS $$
DECLARE
    f record;
    v_policy @extschema@.ai_training_policy;
    v_rule record;
BEGIN
    v_policy := intent_internal._pg_intent_classifier_policy(p_name);
    f := intent_internal._pg_intent_retrain_failure_of(p_name);
    v_rule := intent_internal._pg_intent_retrain_rule(p_name, p_count, p_since, p_rows_at_last, p_threshold, p_rows,
                                                      v_policy.min_samples_for_training, v_policy.max_training_rows,
                                                      f.failed_at, p_count OPERATOR(pg_catalog.-) f.rows_counted);
    new_rows := v_rule.new_rows;
    due := v_rule.due;
    failed_at := v_rule.failed_at;
    retry_after := v_rule.retry_after;
    IF v_rule.reason IS NOT NULL THEN
        reason := @extschema@.intent_output_text(v_rule.reason, @extschema@.intent_output_language());
    END IF;
END
$$;
COMMENT ON FUNCTION intent_internal._pg_intent_classifier_retrain_due(text, bigint, timestamptz, bigint, integer, bigint) IS
    'Internal: for retrain_classifiers(): the one rule of scheduled retraining (_pg_intent_retrain_rule(), intent''s too) on the classifier''s numbers: its new rows and whether they make it due (_pg_intent_classifier_due()), unless its source holds fewer rows that could train (p_rows, at most max_training_rows of them; NULL: not counted, decided on the new rows only) than its min_samples_for_training, or unless backing off after a failed attempt (until auto_retrain_threshold rows more are counted, or ai_training_policy.retry_failed_after has passed); the reason when not, and the failed attempt''s time and retry time.';

-- retrain_classifiers()'s bookkeeping of one attempt: a completed run ends
-- the classifier's back-off; a failed one (or an error reported for it)
-- starts it from p_started_at, with the count it made. A completed run that
-- could not deploy because the classifier's own training options say
-- {"deploy": "never"} (the scheduled call asks for nothing) is marked on
-- its row (metrics scheduled_never_at), so that the new rows are counted
-- from it (_pg_intent_last_retraining_run(), 40_training.sql): such a
-- classifier's runs are never experiments beside a model that serves, and
-- counted from none of them, every call trained it again on the same rows
-- and stored one more model. The runs marked are this attempt's (started
-- since p_started_at): the classifier's training lock, held until this
-- transaction ends, keeps every other run out meanwhile.
CREATE OR REPLACE FUNCTION intent_internal._pg_intent_classifier_retrain_record(
    p_name text, p_started_at timestamptz, p_rows_counted bigint, p_status text, p_sqlstate text, p_error text)
RETURNS void
LANGUAGE plpgsql VOLATILE PARALLEL UNSAFE SECURITY DEFINER
SET search_path = pg_catalog, pg_temp SET row_security = off
AS $$
BEGIN
    IF p_status OPERATOR(pg_catalog.=) 'completed' THEN
        DELETE FROM @extschema@.ai_classifier_retrain_failures AS x WHERE x.classifier OPERATOR(pg_catalog.=) p_name;
        UPDATE @extschema@.ai_training_runs AS r
           SET metrics = coalesce(r.metrics, '{}'::jsonb) OPERATOR(pg_catalog.||)
                         pg_catalog.jsonb_build_object('scheduled_never_at', pg_catalog.now())
         WHERE r.classifier OPERATOR(pg_catalog.=) p_name AND r.started_at OPERATOR(pg_catalog.>=) p_started_at
           AND r.status OPERATOR(pg_catalog.=) 'completed' AND r.deploy_reason OPERATOR(pg_catalog.=) 'never'
           AND EXISTS (SELECT FROM @extschema@.ai_classifiers AS c
                        WHERE c.id OPERATOR(pg_catalog.=) r.classifier_id
                          AND (c.policy OPERATOR(pg_catalog.->>) 'deploy') OPERATOR(pg_catalog.=) 'never');
    ELSE
        -- Only for a classifier of that name that exists now (this
        -- statement's snapshot, after the attempt): one dropped during its
        -- attempt (its training then raises 42704) has nothing to back off,
        -- and the row, kept by name, would hold back the next classifier
        -- created under it (drop_classifier() removes the name's row).
        INSERT INTO @extschema@.ai_classifier_retrain_failures AS x (classifier, failed_at, rows_counted, sqlstate, error)
        SELECT p_name, p_started_at, p_rows_counted, p_sqlstate, pg_catalog."left"(p_error, 1000)
         WHERE EXISTS (SELECT FROM @extschema@.ai_classifiers AS c WHERE c.name OPERATOR(pg_catalog.=) p_name)
        ON CONFLICT (classifier) DO UPDATE
           SET failed_at = excluded.failed_at, rows_counted = excluded.rows_counted,
               sqlstate = excluded.sqlstate, error = excluded.error;
    END IF;
END
$$;
COMMENT ON FUNCTION intent_internal._pg_intent_classifier_retrain_record(text, timestamptz, bigint, text, text, text) IS
    'Internal: for retrain_classifiers(): records a classifier''s scheduled attempt (completed: its back-off ends, and its runs that its own {"deploy": "never"} kept from deploying are marked scheduled_never_at, so that new rows count from them; otherwise it starts from p_started_at with the count made).';

-- retrain_classifiers()'s record of the count its rule compared with the
-- classifier's min_samples_for_training (p_samples: the rows that could
-- train, counted as its owner at p_checked_at), for ai_classifier_alerts'
-- training_samples (58_alerts.sql), which reads no source: without it a
-- classifier with too few rows is never tried, has no run, and never
-- alerted (issue 33 point 1, issue 34). One row per classifier, by id
-- (src/sql/schema/82_classifier_retrain_checks.sql); an upsert, and the rows
-- of classifiers dropped or renamed since removed, so the table holds at
-- most one row per classifier. Called only by the call holding the
-- retraining lock (retrain_classifiers.cpp), in a subtransaction of its
-- own: no two calls write a row, and a failure here loses no result.
CREATE OR REPLACE FUNCTION intent_internal._pg_intent_classifier_retrain_checked(
    p_name text, p_checked_at timestamptz, p_samples bigint)
RETURNS void
LANGUAGE plpgsql VOLATILE PARALLEL UNSAFE SECURITY DEFINER
SET search_path = pg_catalog, pg_temp SET row_security = off
AS $$
DECLARE
    v_id bigint;
BEGIN
    DELETE FROM @extschema@.ai_classifier_retrain_checks AS x
     WHERE NOT EXISTS (SELECT FROM @extschema@.ai_classifiers AS c
                        WHERE c.id OPERATOR(pg_catalog.=) x.classifier_id
                          AND c.name OPERATOR(pg_catalog.=) x.classifier);
    SELECT c.id INTO v_id FROM @extschema@.ai_classifiers AS c
     WHERE c.name OPERATOR(pg_catalog.=) p_name AND NOT c.built_in;
    IF v_id IS NULL OR p_samples IS NULL OR p_checked_at IS NULL THEN
        RETURN;
    END IF;
    INSERT INTO @extschema@.ai_classifier_retrain_checks AS x (classifier_id, classifier, checked_at, samples)
    VALUES (v_id, p_name, p_checked_at, p_samples)
    ON CONFLICT (classifier_id) DO UPDATE
       SET classifier = excluded.classifier, checked_at = excluded.checked_at, samples = excluded.samples;
END
$$;
COMMENT ON FUNCTION intent_internal._pg_intent_classifier_retrain_checked(text, timestamptz, bigint) IS
    'Internal: for retrain_classifiers(), holding the retraining lock: records the classifier''s latest count of the rows that could train (the one its rule compared with min_samples_for_training) in ai_classifier_retrain_checks, one row per classifier, for ai_classifier_alerts; removes the rows of classifiers dropped since.';

-- The order in which retrain_classifiers() tries every classifier but the
-- built-in (only the names: each classifier's count plan is read when its
-- turn comes, _pg_intent_classifier_count_plan(), so reading it here too
-- was work done twice, a source statement built for every classifier at
-- the call's start and thrown away): those
-- whose last attempt was interrupted (an open failure with no count:
-- _pg_intent_classifier_retrain_resume()) first, then those without an open
-- failure, then those whose failed attempt raised an error (caught: it ends
-- nothing); within each the one whose last attempt (its last run's start, or
-- its failed attempt's) is oldest, never tried first, then by name. An
-- interrupted classifier is tried only as the first attempt of a call
-- (retrain_classifiers.cpp, _pg_intent_classifier_retrain_held()): were it
-- tried after the others, its next timeout would roll back their trainings
-- with it, in every call once its back-off has run out between two calls
-- (a daily job and retry_failed_after's 1 hour). VOLATILE, so that it reads
-- with a snapshot of its own, which has the interrupted attempt
-- _pg_intent_classifier_retrain_resume() recorded in the same call.
CREATE OR REPLACE FUNCTION intent_internal._pg_intent_classifier_retrain_plan()
RETURNS TABLE (name text)
LANGUAGE sql VOLATILE PARALLEL SAFE SECURITY DEFINER
SET search_path = pg_catalog, pg_temp SET row_security = off
AS $$
    SELECT c.name
      FROM @extschema@.ai_classifiers AS c
      LEFT JOIN @extschema@.ai_classifier_retrain_failures AS f ON f.classifier OPERATOR(pg_catalog.=) c.name
     WHERE NOT c.built_in
     ORDER BY CASE WHEN NOT intent_internal._pg_intent_retrain_failure_open(c.name, f.failed_at) THEN 1
                   WHEN f.rows_counted IS NULL THEN 0
                   ELSE 2 END,
              GREATEST(f.failed_at,
                       (SELECT pg_catalog.max(r.started_at) FROM @extschema@.ai_training_runs AS r
                         WHERE r.classifier OPERATOR(pg_catalog.=) c.name)) NULLS FIRST,
              c.name
$$;
COMMENT ON FUNCTION intent_internal._pg_intent_classifier_retrain_plan() IS
    'Internal: for retrain_classifiers(): the order it tries the classifiers in (their names; each one''s count plan is read at its turn): those whose last attempt was interrupted first, then those without an open failed attempt, then those with one; within each the oldest last attempt (run or failed attempt) first, then by name.';

-- Whether a classifier's last attempt was interrupted, and whether it is
-- held back before its source is even counted: its failed attempt made no
-- count (an attempt interrupted by a cancel or statement_timeout,
-- _pg_intent_classifier_retrain_resume()), so only retry_failed_after ends
-- its back-off (the rows half of _pg_intent_retrain_backs_off() has nothing
-- to compare with). Counting it anyway would be the slow part again, when
-- the count was what ran out of time. backing_off false: the back-off has
-- passed, and retrain_classifiers() tries it only as the first attempt of a
-- call that recorded no interrupted attempt (retrain_classifiers.cpp says
-- why); NULL when its last attempt was not interrupted. SECURITY DEFINER:
-- read through fmgr as the classifier's owner, as
-- _pg_intent_classifier_retrain_due(). VOLATILE, so that it reads with a
-- snapshot of its own: it must see the failure
-- _pg_intent_classifier_retrain_resume() recorded earlier in the same call
-- (a STABLE function reads with the calling statement's, taken before).
CREATE OR REPLACE FUNCTION intent_internal._pg_intent_classifier_retrain_held(
    p_name text, OUT failed_at timestamptz, OUT retry_after timestamptz, OUT backing_off boolean)
RETURNS record
LANGUAGE sql VOLATILE PARALLEL SAFE SECURITY DEFINER
SET search_path = pg_catalog, pg_temp SET row_security = off
AS $$
    SELECT f.failed_at, b.retry_after, coalesce(b.backing_off, false)
      FROM @extschema@.ai_classifier_retrain_failures AS f
     CROSS JOIN LATERAL intent_internal._pg_intent_retrain_backs_off(f.failed_at, NULL::bigint, 1) AS b
     WHERE f.classifier OPERATOR(pg_catalog.=) p_name AND f.rows_counted IS NULL
       AND intent_internal._pg_intent_retrain_failure_open(p_name, f.failed_at)
$$;
COMMENT ON FUNCTION intent_internal._pg_intent_classifier_retrain_held(text) IS
    'Internal: for retrain_classifiers(): when the classifier''s last attempt was interrupted (a failed attempt with no count), that attempt''s start, when it may retry, and whether it still backs off (ai_training_policy.retry_failed_after not passed: not counted, not tried; once passed, tried only first in a call that recorded no interrupted attempt). NULL otherwise.';

CREATE OR REPLACE FUNCTION @extschema@.retrain_classifiers()
RETURNS jsonb
AS 'MODULE_PATHNAME', 'pg_intent_retrain_classifiers'
LANGUAGE C VOLATILE PARALLEL UNSAFE;
COMMENT ON FUNCTION @extschema@.retrain_classifiers() IS
    'Scheduled retraining of every classifier but intent (retrain_if_needed() is intent''s), each against its own policy: a classifier never trained, or with auto_retrain_threshold new source rows since its last completed run (rows with a label is_valid_intent_name() accepts, vouched under only_reviewed; with a time_column: those newer than that run; without: how many more than at that run''s start), and whose source holds at least min_samples_for_training such rows (at most max_training_rows of them), is trained with train_classifier() AS ITS OWNER in a security-restricted operation (its source''s code cannot take the caller''s rights), each in a subtransaction: a failure is reported and the others go on; classifiers whose last attempt was interrupted first, then those without an open failed attempt, then the others, each the oldest last attempt first, then by name. A cancel or statement_timeout ends the call and rolls it back, but its interrupted attempt is kept (ai_classifier_retrain_attempt_seq) and the next call records it as failed (57014): that classifier backs off by time only and is not counted meanwhile, and the others train (when the interrupted call had itself recorded one, the next call records and tries nothing else, so that the record commits). Past that back-off, an interrupted classifier is tried only as the first attempt of a call that recorded no interrupted attempt, one per call; other calls skip it (reason: tried first in a later call): the others train on every other call at worst, however far apart the calls. After a failed attempt a classifier backs off as retrain_if_needed() does (until auto_retrain_threshold rows more are counted, or ai_training_policy.retry_failed_after has passed); a classifier that was only busy (55P03: its training lock or every training slot held by another transaction; 40001, 40P01) starts no back-off: its entry has the error and a reason, and the next call tries it again. Returns {classifiers: [{classifier, retrained, new_rows, result | error | reason (with failed_at, retry_after when backing off, failed_at when skipped after an interrupted attempt, no new_rows after an interrupted attempt; with error when busy, or when its new rows could not be counted: no back-off then)}]}. The call holding the retraining lock records each classifier''s latest count of every row that could train (ai_classifier_retrain_checks), from which ai_classifier_alerts raises training_samples for a classifier with too few rows to be tried. Granted with the models set.';
