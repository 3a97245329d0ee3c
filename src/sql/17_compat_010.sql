-- COMPAT(0.1.0) 0.1.0 compatibility, gathered so that it can go together.
-- The list of all code for older versions, 0.1.0's included, is
-- docs/internals.md ("Code for older versions"; test/scripts/compat_list.sh).
--
-- 0.1.0's SQL and settings keep working until a database is updated, and
-- what 0.1.0 stored keeps reading. The SQL pieces that exist only for that
-- are here; the others, which cannot move here, are listed:
--   * the pg_intent.* policy settings 0.1.0 read from the caller's session,
--     defined and ignored: src/pg/settings_010.cpp; named for the run's
--     WARNING by _pg_intent_ignored_settings() (below), which
--     train_intent_model() raises (src/sql/40_training.sql);
--   * _pg_intent_train(), the array entry point 0.1.0's train_intent_model()
--     calls until ALTER EXTENSION UPDATE: src/pg/compat_train_010.cpp,
--     declared in src/sql/40_training.sql;
--   * the dataset_status 'used_in_training', which 0.1.0 wrote and the
--     update to 0.2.0 rewrote: still allowed by the CHECK of
--     ai_training_data.dataset_status (src/sql/schema/00_tables.sql);
--   * 0.1.0's report shape (a 70/15/15 split: no "evaluation" object, items
--     that carry their text): the Markdown report (src/sql/57_report.sql,
--     v_report_010 and _pg_intent_report_message()) and the HTML report
--     (src/core/report_html_internal.h, Page::report_010());
--   * model format 1 (src/core/model.h), which stays: a stored model keeps
--     predicting.

-- Names the pg_intent.* session settings that 0.1.0 used as policy and this
-- session has set: they are ignored now, and a run says so.
CREATE OR REPLACE FUNCTION intent_internal._pg_intent_ignored_settings()
RETURNS text[]
LANGUAGE sql STABLE PARALLEL SAFE
SET search_path = pg_catalog, pg_temp
AS $$
    SELECT coalesce(array_agg(s.name ORDER BY s.name), '{}')
      FROM pg_catalog.pg_settings AS s
     WHERE s.name OPERATOR(pg_catalog.=) ANY (ARRAY['pg_intent.min_samples_for_training', 'pg_intent.auto_retrain_threshold',
                                                 'pg_intent.max_f1_regression', 'pg_intent.corrected_weight'])
       AND s.source OPERATOR(pg_catalog.<>) 'default'
$$;
COMMENT ON FUNCTION intent_internal._pg_intent_ignored_settings() IS
    'Internal: the deprecated pg_intent.* policy settings (0.1.0) that this session set; training ignores them and warns.';
