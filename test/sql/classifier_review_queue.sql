-- get_classifier_review_queue() (0.3.1): a classifier's likely label
-- errors, from its latest run's out-of-fold predictions, with the rows'
-- texts read with the caller's rights; is_suspected_label_error(), the rule
-- it shares with ai_review_queue. Every error with its SQLSTATE.
SET client_min_messages = warning;
SET pg_intent.allow_drop_with_data = on; -- the previous test's rows go (src/pg/drop_guard.cpp)
DROP EXTENSION IF EXISTS pg_intent CASCADE;
DROP TABLE IF EXISTS rq_raw, rq_prompts, rq_nokey, rq_gone;
DROP ROLE IF EXISTS pgi_crq_reviewer;
DROP ROLE IF EXISTS pgi_crq_outsider;
CREATE EXTENSION pg_intent;
\i test/fixtures/try.sql

-- The rule, on its own: another label predicted AND the row's own label
-- below its label's threshold; false when anything is unknown.
SELECT is_suspected_label_error('a', 'b', 0.1, 0.5) AS other_and_below,
       is_suspected_label_error('a', 'b', 0.6, 0.5) AS other_but_above,
       is_suspected_label_error('a', 'a', 0.1, 0.5) AS same_label,
       is_suspected_label_error('a', 'b', 0.5, 0.5) AS at_threshold,
       is_suspected_label_error('a', NULL, 0.1, 0.5) AS no_prediction,
       is_suspected_label_error('a', 'b', NULL, 0.5) AS no_probability;
-- Nor when a probability is not one (NaN, infinite, outside 0-1): a NaN
-- threshold (the mean of a label whose rows include one NaN probability)
-- put every row of that label predicted otherwise in the label_error tier,
-- as NaN sorts above every number.
SELECT is_suspected_label_error('a', 'b', 0.1, 'NaN') AS nan_threshold,
       is_suspected_label_error('a', 'b', 'NaN', 0.5) AS nan_probability,
       is_suspected_label_error('a', 'b', 0.1, 'Infinity') AS infinite_threshold,
       is_suspected_label_error('a', 'b', '-Infinity', 0.5) AS infinite_probability,
       is_suspected_label_error('a', 'b', -0.5, 0.1) AS negative_probability,
       is_suspected_label_error('a', 'b', 0.0, 1.0) AS bounds_count;
-- ai_review_queue reads the same rule, through the statement of intent's
-- likely label errors, which get_classifier_review_queue('intent') reads too.
SELECT pg_get_viewdef('ai_review_queue'::regclass) LIKE '%_pg_intent_builtin_review_rows()%' AS view_reads_the_rows,
       pg_get_functiondef('intent_internal._pg_intent_builtin_review_rows()'::regprocedure)
           LIKE '%is_suspected_label_error(%' AS rows_read_the_rule;

-- Prompts of the nlp.js Spanish corpus (MIT, data/README.md) routed by the
-- domain of their intent; every 25th row's label flipped, as a careless
-- labeller would.
CREATE TABLE rq_raw (split text, text text, intent text);
\copy rq_raw FROM 'data/nlpjs_corpus50_es.csv' WITH (FORMAT csv, HEADER true)
CREATE TABLE rq_prompts (id bigint PRIMARY KEY, prompt text, route text, shop text);
INSERT INTO rq_prompts
SELECT n, text, split_part(intent, '.', 1), 'shop' || (n % 2)
  FROM (SELECT row_number() OVER (ORDER BY split, text, intent) AS n, text, intent FROM rq_raw WHERE intent <> 'oos') AS r;
UPDATE rq_prompts SET route = CASE route WHEN 'agent' THEN 'greetings' ELSE 'agent' END WHERE id % 25 = 0;
CREATE TABLE rq_nokey AS SELECT prompt, route FROM rq_prompts;
SELECT count(*) AS rows, count(*) FILTER (WHERE id % 25 = 0) AS flipped FROM rq_prompts;

SELECT create_classifier('rq_router', 'rq_prompts', 'prompt', 'route', '{"key_column": "id", "seed": 1}') IS NOT NULL AS created;
SELECT create_classifier('rq_nokey', 'rq_nokey', 'prompt', 'route') IS NOT NULL AS created;

-- Bad input.
SELECT pg_temp.try($$SELECT * FROM get_classifier_review_queue(NULL)$$) AS null_name;
SELECT pg_temp.try($$SELECT * FROM get_classifier_review_queue('rq_router', NULL, NULL)$$) AS null_limit;
SELECT pg_temp.try($$SELECT * FROM get_classifier_review_queue('rq_router', NULL, 0)$$) AS zero_limit;
SELECT pg_temp.try($$SELECT * FROM get_classifier_review_queue('rq_router', NULL, 10001)$$) AS big_limit;
SELECT pg_temp.try($$SELECT * FROM get_classifier_review_queue('nope')$$) AS unknown_classifier;
-- intent's is ai_review_queue's label_error tier (0.3.2; before, 22023):
-- test/sql/review_queue_intent.sql
SELECT pg_temp.try($$SELECT * FROM get_classifier_review_queue('intent')$$) AS built_in;
SELECT pg_temp.try($$SELECT * FROM get_classifier_review_queue('rq_nokey')$$) AS no_key_column;

-- Never trained: nothing to doubt yet.
SELECT count(*) AS before_training FROM get_classifier_review_queue('rq_router');

SELECT train_classifier('rq_router') ->> 'status' AS trained;
-- The most doubtful first: most of the top 15 are the flipped rows, each
-- shown with its text from the source.
SELECT rank, row_key, label, suspected_label, round(label_probability::numeric, 3) AS label_probability,
       round(label_threshold::numeric, 3) AS threshold, round(priority::numeric, 3) AS priority,
       row_key::bigint % 25 = 0 AS flipped, text = (SELECT prompt FROM rq_prompts WHERE id = row_key::bigint) AS its_text
  FROM get_classifier_review_queue('rq_router', NULL, 15);
SELECT count(*) AS suspects, count(*) FILTER (WHERE row_key::bigint % 25 = 0) AS flipped_found,
       bool_and(is_suspected_label_error(label, suspected_label, label_probability, label_threshold)) AS each_by_the_rule,
       bool_and(run_id = (SELECT id FROM ai_training_runs WHERE classifier = 'rq_router' AND status = 'completed')) AS latest_run
  FROM get_classifier_review_queue('rq_router', NULL, 10000);
-- Every row of the run the rule doubts is listed, no other.
SELECT count(*) AS by_the_rule
  FROM ai_classifier_run_rows AS rr
  JOIN (SELECT r.run_id, r.label, avg(r.label_probability) AS t FROM ai_classifier_run_rows AS r
         WHERE r.run_id = (SELECT id FROM ai_training_runs WHERE classifier = 'rq_router' AND status = 'completed')
         GROUP BY 1, 2) AS x ON x.run_id = rr.run_id AND x.label = rr.label
 WHERE is_suspected_label_error(rr.label, rr.predicted_label, rr.label_probability, x.t);

-- Partitions: each partition's own latest run.
SELECT alter_classifier('rq_router', '{"partition_column": "shop", "min_partition_rows": 100}') IS NOT NULL AS partitioned;
SELECT train_classifier('rq_router') ->> 'status' AS trained;
SELECT p AS partition, count(q.*) > 0 AS has_suspects,
       bool_and((SELECT shop FROM rq_prompts WHERE id = q.row_key::bigint) = p) AS only_its_rows,
       bool_and(q.run_id = (SELECT id FROM ai_training_runs WHERE classifier = 'rq_router' AND partition_key = p)) AS its_run
  FROM unnest(ARRAY['shop0', 'shop1']) AS p, get_classifier_review_queue('rq_router', p, 10000) AS q
 GROUP BY p ORDER BY p;
SELECT count(*) AS unknown_partition FROM get_classifier_review_queue('rq_router', 'shop9');
-- A partition value longer than any a run could have (2048 bytes,
-- src/pg/partition_key.h) is refused with 22023 by the one check of every
-- function taking a p_partition, before the name, not answered with an
-- empty queue; at the bound, the queue is empty.
SELECT pg_temp.try($$SELECT * FROM get_classifier_review_queue('rq_router', repeat('x', 3000))$$) AS partition_too_long;
SELECT pg_temp.try($$SELECT * FROM get_classifier_review_queue('nope', repeat('x', 3000))$$) AS before_the_name;
SELECT count(*) AS at_the_bound FROM get_classifier_review_queue('rq_router', repeat('x', 2048));
SELECT pg_temp.try($$SELECT * FROM get_classifier_review_queue('rq_router', repeat('é', 1025))$$)
     = pg_temp.try($$SELECT predict_label('rq_router', 'hola', repeat('é', 1025))$$) AS as_predict_label,
       pg_temp.try($$SELECT * FROM get_classifier_review_queue('rq_router', repeat('é', 1025))$$)
     = pg_temp.try($$SELECT rollback_classifier('rq_router', repeat('é', 1025))$$) AS as_rollback_classifier;

-- As a reviewer: granted the review set and SELECT on the run tables (as
-- for ai_review_queue). The texts are read as the classifier's OWNER, in a
-- security-restricted operation (0.3.2): a row-level security policy that
-- narrows the reviewer's own reads of the source (id 3 modulo 4 hidden)
-- does not decide what is read, and the texts need the right to train the
-- classifier, which reads the same rows (42501 without it). An outsider
-- without the run rows is refused.
CREATE ROLE pgi_crq_reviewer;
CREATE ROLE pgi_crq_outsider;
SELECT count(*) > 0 AS granted FROM grant_intent_access('pgi_crq_reviewer', 'review');
SELECT count(*) > 0 AS granted FROM grant_intent_access('pgi_crq_outsider', 'review');
GRANT SELECT ON ai_training_runs, ai_classifier_run_rows TO pgi_crq_reviewer;
GRANT SELECT ON rq_prompts TO pgi_crq_reviewer, pgi_crq_outsider;
ALTER TABLE rq_prompts ENABLE ROW LEVEL SECURITY;
CREATE POLICY rq_some ON rq_prompts FOR SELECT TO pgi_crq_reviewer USING (id % 4 <> 3);
SELECT count(*) AS as_owner FROM get_classifier_review_queue('rq_router', 'shop1', 10000);
SET ROLE pgi_crq_reviewer;
SELECT pg_temp.try($$SELECT * FROM get_classifier_review_queue('rq_router', 'shop1')$$) AS reviewer_without_train;
RESET ROLE;
SELECT grant_classifier_access('rq_router', 'pgi_crq_reviewer', 'train') ->> 'name' AS granted_train;
SET ROLE pgi_crq_reviewer;
SELECT count(*) AS as_reviewer, count(*) FILTER (WHERE row_key::bigint % 4 = 3) AS rows_its_policy_hides
  FROM get_classifier_review_queue('rq_router', 'shop1', 10000);
SELECT count(*) AS shop0_as_reviewer FROM get_classifier_review_queue('rq_router', 'shop0', 10000);
RESET ROLE;
SET ROLE pgi_crq_outsider;
SELECT pg_temp.try($$SELECT * FROM get_classifier_review_queue('rq_router', 'shop0')$$) AS outsider;
RESET ROLE;
SELECT has_function_privilege('public', 'get_classifier_review_queue(text, text, integer)', 'EXECUTE') AS public_may_queue,
       has_function_privilege('public', 'is_suspected_label_error(text, text, double precision, double precision)', 'EXECUTE') AS public_may_rule;

-- The source dropped: 42P01, as training says (before: 55000 "has no
-- key_column", which it has).
DROP TABLE rq_nokey;
CREATE TABLE rq_gone AS SELECT * FROM rq_prompts;
SELECT create_classifier('rq_gone', 'rq_gone', 'prompt', 'route', '{"key_column": "id", "seed": 1}') IS NOT NULL AS created;
SELECT train_classifier('rq_gone') ->> 'status' AS trained;
-- Its text column renamed: the classifier's words, not the statement's
-- error, whose QUERY named the source and whose HINT its columns (an audit:
-- a train grantee read them).
ALTER TABLE rq_gone RENAME COLUMN prompt TO prompt_renamed;
SELECT pg_temp.try($$SELECT * FROM get_classifier_review_queue('rq_gone')$$) AS text_column_renamed;
DROP TABLE rq_gone;
SELECT pg_temp.try($$SELECT * FROM get_classifier_review_queue('rq_gone')$$) AS source_dropped;
SELECT pg_temp.try($$SELECT train_classifier('rq_gone')$$) AS training_says;

-- A read of the source that fails while it is planned (the owner's view
-- calls a function that refuses): the error's context keeps the functions
-- it passed through but not the statement, which names the source and its
-- columns, to a train grantee or anyone (before: SPI's "SQL statement"
-- line, as a lock or statement timeout of the read also showed it).
CREATE FUNCTION rq_gate(text) RETURNS boolean LANGUAGE plpgsql IMMUTABLE AS $$BEGIN RETURN true; END$$;
CREATE VIEW rq_plan_view AS SELECT * FROM rq_prompts WHERE rq_gate('open');
SELECT create_classifier('rq_plan', 'rq_plan_view', 'prompt', 'route', '{"key_column": "id", "seed": 1}') IS NOT NULL AS created;
SELECT train_classifier('rq_plan') ->> 'status' AS trained;
SELECT grant_classifier_access('rq_plan', 'pgi_crq_reviewer', 'train') ->> 'name' AS granted_train;
CREATE OR REPLACE FUNCTION rq_gate(text) RETURNS boolean LANGUAGE plpgsql IMMUTABLE AS $$BEGIN RAISE EXCEPTION 'the gate is closed'; END$$;
CREATE FUNCTION pg_temp.context_of(p_sql text) RETURNS text LANGUAGE plpgsql AS $$
DECLARE
    v_state text;
    v_message text;
    v_context text;
BEGIN
    EXECUTE p_sql;
    RETURN 'no error';
EXCEPTION WHEN OTHERS THEN
    GET STACKED DIAGNOSTICS v_state = RETURNED_SQLSTATE, v_message = MESSAGE_TEXT, v_context = PG_EXCEPTION_CONTEXT;
    RETURN v_state || ': ' || v_message || CASE WHEN v_context LIKE '%rq_plan_view%' OR v_context LIKE '%prompt%'
                                                THEN ' (the context names the source)' ELSE '' END;
END
$$;
GRANT EXECUTE ON FUNCTION pg_temp.context_of(text) TO PUBLIC;
SET ROLE pgi_crq_reviewer;
SELECT pg_temp.context_of($$SELECT train_classifier('rq_plan')$$) AS training;
SELECT pg_temp.context_of($$SELECT * FROM get_classifier_review_queue('rq_plan')$$) AS review_queue;
RESET ROLE;
-- The dashboard's count reports that failure (new_rows NULL, the error's
-- message in new_rows_unknown) instead of raising it, by the snapshots'
-- rule (_pg_intent_try_count_classifier_source()): the message alone, no
-- context.
SELECT pg_temp.context_of($$SELECT get_classifier_metrics('rq_plan')$$) AS dashboard_count;
SELECT j ->> 'new_rows' AS new_rows, j ->> 'new_rows_unknown' AS new_rows_unknown
  FROM get_classifier_metrics('rq_plan') AS j;

DROP EXTENSION pg_intent CASCADE;
DROP VIEW rq_plan_view;
DROP FUNCTION rq_gate(text);
DROP TABLE rq_raw, rq_prompts;
DROP ROLE pgi_crq_reviewer;
DROP ROLE pgi_crq_outsider;
