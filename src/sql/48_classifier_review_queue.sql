-- A classifier's label-error queue (0.3.1): the rows of its source whose
-- label a model that never saw them doubts, most doubtful first, for a
-- reviewer to check. It is the label_error tier of ai_review_queue, for a
-- classifier with a key_column (whose runs record each row they read in
-- ai_classifier_run_rows, with its out-of-fold prediction); the other tiers
-- of ai_review_queue come from ai_training_data's live traffic, which only
-- the built-in classifier has. The rule of a suspect is
-- is_suspected_label_error() (src/sql/33_review_queue.sql), also the view's.
-- For the built-in classifier (0.3.2) it returns the view's label_error
-- tier itself, read with the caller's rights (below).

-- What the statement that reads the texts needs of a classifier, through
-- the owner (ai_classifiers is not readable by callers): whether it is the
-- built-in one, and the names of its source, key and text columns and the
-- key's type (NULL once the key column is gone: the statement compares
-- the keys as text, as a run recorded them); never its rows. No row: no such
-- classifier. Read by _pg_intent_classifier_source_statement() only (0.3.1
-- granted it with the review set, which showed every caller the sources'
-- names).
CREATE OR REPLACE FUNCTION intent_internal._pg_intent_classifier_review_plan(p_name text)
RETURNS TABLE (built_in boolean, source text, key_column text, text_column text, key_type text)
LANGUAGE sql STABLE PARALLEL SAFE SECURITY DEFINER
SET search_path = pg_catalog, pg_temp SET row_security = off
AS $$
    SELECT c.built_in,
           pg_catalog.format('%I.%I', n.nspname, r.relname),
           pg_catalog.quote_ident(c.key_column::pg_catalog.text),
           pg_catalog.quote_ident(c.text_column::pg_catalog.text),
           (SELECT pg_catalog.format_type(a.atttypid, a.atttypmod) FROM pg_catalog.pg_attribute AS a
             WHERE a.attrelid OPERATOR(pg_catalog.=) r.oid AND a.attname OPERATOR(pg_catalog.=) c.key_column
               AND NOT a.attisdropped)
      FROM @extschema@.ai_classifiers AS c
      JOIN pg_catalog.pg_class AS r ON r.oid OPERATOR(pg_catalog.=) c.source::pg_catalog.oid
      JOIN pg_catalog.pg_namespace AS n ON n.oid OPERATOR(pg_catalog.=) r.relnamespace
     WHERE c.name OPERATOR(pg_catalog.=) p_name
$$;
COMMENT ON FUNCTION intent_internal._pg_intent_classifier_review_plan(text) IS
    'Internal: for _pg_intent_classifier_source_statement(): whether the classifier is built in, its source and the quoted names of its key and text columns and the key''s type.';

-- Runs as its caller: the run rows are read with the caller's privileges on
-- ai_training_runs and ai_classifier_run_rows (granted like the ones
-- ai_review_queue reads). The texts of the most doubtful p_limit rows are
-- read AS THE CLASSIFIER'S OWNER in a security-restricted operation
-- (_pg_intent_classifier_source_texts(): the source's code never runs with
-- the caller's rights), for a caller with the right to train the classifier
-- (42501 otherwise); a row no longer in the source is left out.
CREATE OR REPLACE FUNCTION @extschema@.get_classifier_review_queue(
    p_name text, p_partition text DEFAULT NULL, p_limit integer DEFAULT 50)
RETURNS TABLE (rank bigint, row_key text, text text, label text, suspected_label text,
               suspected_confidence double precision, label_probability double precision,
               label_threshold double precision, priority double precision, run_id uuid)
LANGUAGE plpgsql STABLE PARALLEL RESTRICTED
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    v_plan record;
    v_run uuid;
    v_out_of_scope text;
BEGIN
    IF p_name IS NULL THEN
        RAISE EXCEPTION USING MESSAGE = intent_internal._pg_intent_error_words('p_name must not be null'), ERRCODE = '22004';
    END IF;
    IF p_limit IS NULL THEN
        RAISE EXCEPTION USING MESSAGE = intent_internal._pg_intent_error_words('p_limit must not be null'), ERRCODE = '22004';
    END IF;
    IF p_limit < 1 OR p_limit > 10000 THEN
        RAISE EXCEPTION USING MESSAGE = intent_internal._pg_intent_error_words('invalid value for p_limit: %s', p_limit),
                   ERRCODE = '22023', DETAIL = intent_internal._pg_intent_error_words('p_limit must be between 1 and 10000.');
    END IF;
    -- p_partition within the bound of a partition value, as every function
    -- taking one checks it, before the name (22023; no run could have it)
    PERFORM intent_internal._pg_intent_check_partition_key(p_partition);
    -- what the caller may know of it; else refused (42704 only to a role that
    -- may know which classifiers exist)
    SELECT * INTO v_plan FROM intent_internal._pg_intent_classifier_facts(p_name);
    IF v_plan.built_in THEN
        -- The built-in classifier (0.3.2, one engine): its label_error tier
        -- of ai_review_queue, the same rows in the same order, from the one
        -- statement both read (_pg_intent_builtin_review_rows(),
        -- src/sql/33_review_queue.sql). Its texts are ai_training_data's,
        -- read as the view reads them: with the CALLER's privileges and
        -- row-level security, never the owner's (this function is SECURITY
        -- INVOKER). A caller who could not read the view is refused here
        -- (42501), with the grants it lacks: the view's SELECT, and the
        -- tables it and this read, rather than by the first table the
        -- statement reads; what it reads of them, its own privileges and
        -- policies decide.
        IF p_partition IS NOT NULL THEN
            RAISE EXCEPTION USING MESSAGE = intent_internal._pg_intent_error_words('classifier "%s" is not partitioned', p_name),
                       ERRCODE = 'invalid_parameter_value',
                      DETAIL = intent_internal._pg_intent_error_words('p_partition is given, but the classifier has no partition_column.'),
                      HINT = intent_internal._pg_intent_error_words('Pass NULL as p_partition (or leave it out).');
        END IF;
        IF NOT (pg_catalog.has_table_privilege('@extschema@.ai_review_queue'::pg_catalog.regclass, 'SELECT')
                AND pg_catalog.has_any_column_privilege('@extschema@.ai_training_data'::pg_catalog.regclass, 'SELECT')
                AND pg_catalog.has_any_column_privilege('@extschema@.ai_training_runs'::pg_catalog.regclass, 'SELECT')
                AND pg_catalog.has_any_column_privilege('@extschema@.ai_training_run_rows'::pg_catalog.regclass, 'SELECT')) THEN
            RAISE EXCEPTION USING MESSAGE = intent_internal._pg_intent_error_words('permission denied for the review queue of classifier "%s"', p_name),
                       ERRCODE = 'insufficient_privilege',
                      DETAIL = intent_internal._pg_intent_error_words('Its texts are read with your own privileges, as ai_review_queue reads them: SELECT on ai_review_queue, ai_training_data, ai_training_runs and ai_training_run_rows.'),
                      HINT = intent_internal._pg_intent_error_words('As the extension owner: SELECT * FROM grant_intent_access(%s, ''review''); GRANT SELECT ON ai_review_queue, ai_training_data, ai_training_runs, ai_training_run_rows TO %s;',
                                                                    pg_catalog.quote_literal(pg_catalog.quote_ident(current_user)), pg_catalog.quote_ident(current_user));
        END IF;
        RETURN QUERY
            SELECT e.label_error_rank, e.id::text, e.user_message, e.label, e.predicted_intent,
                   e.predicted_confidence::float8, e.label_probability::float8, e.label_threshold::float8,
                   1::float8 - e.label_probability::float8, e.run_id
              FROM intent_internal._pg_intent_builtin_review_rows() AS e
             WHERE e.label_error_rank <= p_limit
             ORDER BY e.label_error_rank;
        RETURN;
    END IF;
    IF NOT v_plan.has_key THEN
        RAISE EXCEPTION USING MESSAGE = intent_internal._pg_intent_error_words('classifier "%s" has no key_column', p_name),
                   ERRCODE = '55000',
                  DETAIL = intent_internal._pg_intent_error_words('Without a stable row id its runs do not record the rows they read.'),
                  HINT = intent_internal._pg_intent_error_words('SELECT alter_classifier(%s, ''{"key_column": "<column>"}''); then train it again.', pg_catalog.quote_nullable(p_name));
    END IF;
    -- The latest completed run of that partition (NULL: the fallback or
    -- unpartitioned model's), as ai_review_queue takes intent's latest.
    SELECT r.id, r.metrics #>> '{out_of_scope,intent}'::text[] INTO v_run, v_out_of_scope
      FROM @extschema@.ai_training_runs AS r
     WHERE r.classifier = p_name AND r.classifier_id = v_plan.classifier_id
       AND r.partition_key IS NOT DISTINCT FROM p_partition AND r.status = 'completed'
     ORDER BY r.finished_at DESC NULLS LAST, r.started_at DESC, r.id
     LIMIT 1;
    -- No rows while that run's keys name other rows (its classifier's
    -- key_column or source changed since: _pg_intent_run_keys_current()):
    -- each label would stand beside another row's text. The next training
    -- fills the queue again.
    IF v_run IS NULL OR NOT intent_internal._pg_intent_run_keys_current(v_run) THEN
        RETURN;
    END IF;
    RETURN QUERY
        WITH oof AS (
            SELECT rr.row_key, rr.label, rr.predicted_label, rr.confidence, rr.label_probability
              FROM @extschema@.ai_classifier_run_rows AS rr
             WHERE rr.run_id = v_run AND rr.predicted_label IS NOT NULL AND rr.label_probability IS NOT NULL
               AND rr.label IS DISTINCT FROM v_out_of_scope
        ), class_threshold AS (
            SELECT o.label, avg(o.label_probability) AS threshold FROM oof AS o GROUP BY o.label
        ), suspects AS (
            SELECT o.*, t.threshold
              FROM oof AS o JOIN class_threshold AS t ON t.label = o.label
             WHERE @extschema@.is_suspected_label_error(o.label, o.predicted_label, o.label_probability, t.threshold)
             ORDER BY o.label_probability, o.row_key
             LIMIT p_limit
        ), visible AS (
            SELECT j.key AS row_key, j.value AS text
              FROM pg_catalog.jsonb_each_text(coalesce(
                       intent_internal._pg_intent_classifier_source_texts(
                           p_name, ARRAY(SELECT x.row_key FROM suspects AS x)),
                       '{}'::jsonb)) AS j
        )
        SELECT row_number() OVER (ORDER BY s.label_probability, s.row_key), s.row_key, v.text, s.label,
               s.predicted_label, s.confidence::float8, s.label_probability::float8, s.threshold::float8,
               1::float8 - s.label_probability::float8, v_run
          FROM suspects AS s JOIN visible AS v ON v.row_key = s.row_key
         ORDER BY s.label_probability, s.row_key;
END
$$;
COMMENT ON FUNCTION @extschema@.get_classifier_review_queue(text, text, integer) IS
    'A classifier''s likely label errors, most doubtful first (at most p_limit, 1-10000): the rows of the latest completed run of partition p_partition (NULL: the fallback or unpartitioned model) whose out-of-fold model predicted another label and gave theirs less probability than rows of that label get on average (is_suspected_label_error(), as ai_review_queue''s label_error tier). Each with its key and text (cut at 8192 characters), read from the source as the classifier''s owner in a security-restricted operation (rows no longer in the source are left out; needs the right to train the classifier, 42501, and a caller who cannot see its latest run in ai_training_runs, one with only predict, gets no rows, and so does every caller while that run''s keys name another source''s or key column''s rows, after alter_classifier() changed either), label, suspected_label and its confidence, label_probability, the label''s threshold, priority (1 - label_probability) and the run. Needs a key_column (55000). For the built-in intent (0.3.2): ai_review_queue''s label_error tier, the same rows in the same order (rank as the view''s, row_key the ai_training_data id, text the whole user_message), read with the caller''s own privileges and row-level security, never the owner''s (SELECT on ai_review_queue, ai_training_data, ai_training_runs and ai_training_run_rows, 42501 without; no train right needed); p_partition given for it 22023 (not partitioned); p_partition longer than a partition value may be (2048 bytes), as predict_label() refuses it, 22023; unknown classifier 42704; NULL argument 22004.';
