-- Training progress for other sessions (a running training's row in
-- ai_training_runs is invisible until it commits). See src/pg/progress.h.

CREATE OR REPLACE FUNCTION @extschema@.pg_intent_training_progress(
    OUT pid integer, OUT database oid, OUT usesysid oid, OUT run_id uuid, OUT phase text,
    OUT done bigint, OUT total bigint, OUT rows bigint, OUT started_at timestamptz,
    OUT updated_at timestamptz, OUT source text, OUT classifier text, OUT partition_key text)
RETURNS SETOF record
AS 'MODULE_PATHNAME', 'pg_intent_training_progress'
LANGUAGE C VOLATILE PARALLEL UNSAFE;
COMMENT ON FUNCTION @extschema@.pg_intent_training_progress() IS
    'The trainings running now in the cluster, one row each: with pg_intent in shared_preload_libraries, from shared memory (run, phase, done/total, rows, classifier and partition; source shared_memory); otherwise, and for a training not yet in shared memory (a classifier reading its source before its first run), from the training lock and pg_stat_activity (who and since when, no phase; source lock). classifier and partition_key hold at most their first 63 bytes; those of a training in a database of another encoding show each byte outside ASCII as ?. A training of another database shows only pid, database, role, times and source, and one of another role in this database no classifier (but the built-in intent) and partition_key, unless the caller has the privileges of the training role or of pg_read_all_stats (or, in this database, may list the classifiers: a superuser, or SELECT on ai_classifiers).';

-- Like every view of the extension it runs with its reader's rights: a
-- dashboard needs SELECT on it and EXECUTE on pg_intent_training_progress(),
-- which is not open to PUBLIC (run ids and roles of the cluster's trainings
-- are not everyone's business).
CREATE OR REPLACE VIEW @extschema@.ai_training_progress WITH (security_invoker = true) AS
SELECT p.pid, r.rolname AS role, p.run_id, p.phase, p.done, p.total,
       CASE WHEN p.total > 0 THEN round(100.0 * p.done::numeric / p.total::numeric, 1) END AS percent,
       p.rows, p.started_at, p.updated_at, clock_timestamp() - p.started_at AS elapsed, p.source,
       p.classifier, p.partition_key
  FROM @extschema@.pg_intent_training_progress() AS p
  LEFT JOIN pg_catalog.pg_roles AS r ON r.oid = p.usesysid
 WHERE p.database = (SELECT d.oid FROM pg_catalog.pg_database AS d WHERE d.datname = current_database());
COMMENT ON VIEW @extschema@.ai_training_progress IS
    'Trainings running now in this database: backend pid, role, run id, phase (reading, features, evaluate, train, refit, ...), done of total in that phase and percent, rows, start, last update, elapsed time, and the classifier and partition being trained (partition_key NULL for an unpartitioned classifier or a fallback model; both at most 63 bytes). Phase, counts, run id and classifier need pg_intent in shared_preload_libraries (source shared_memory); without it each running training is shown from its lock (source lock), as is, with it, a classifier''s training while it reads its source, before its first run.';
