-- ai_review_queue: the pending rows ranked by the value of a review.
-- Deliberately flipped labels come first (tier label_error, with the intent
-- the out-of-fold model suggests and a reason); then uncertain live
-- predictions; then the rest, live traffic before bulk data in each tier.
-- Corrected, approved and rejected rows leave the queue; a row relabelled
-- since the run is no longer a suspect. Reviewers read the queue, the
-- application role may not, and row-level security applies.
SET client_min_messages = warning;
SET pg_intent.allow_drop_with_data = on; -- the previous test's rows go (src/pg/drop_guard.cpp)
DROP EXTENSION IF EXISTS pg_intent CASCADE;
CREATE EXTENSION pg_intent;
DROP ROLE IF EXISTS pgi_rq_reviewer;
DROP ROLE IF EXISTS pgi_rq_app;
CREATE ROLE pgi_rq_reviewer NOLOGIN;
CREATE ROLE pgi_rq_app NOLOGIN;
-- the README's recipe: reviewers and the application
GRANT SELECT, UPDATE ON ai_training_data TO pgi_rq_reviewer;
GRANT SELECT, INSERT ON ai_intent_corrections, ai_review_actions TO pgi_rq_reviewer;
GRANT USAGE ON SEQUENCE ai_review_actions_id_seq TO pgi_rq_reviewer;
GRANT SELECT ON ai_training_runs, ai_training_run_rows TO pgi_rq_reviewer;
GRANT SELECT (id, version, run_id, algorithm, size_bytes, sha256, intents, metrics, confidence_threshold,
              is_active, created_at, deployed_at, deleted_at, classifier, partition_key) ON ai_intent_models TO pgi_rq_reviewer;
GRANT SELECT ON ai_pending_review, ai_review_queue TO pgi_rq_reviewer;
SELECT count(*) AS review_functions_granted FROM grant_intent_access('pgi_rq_reviewer', 'review');
GRANT INSERT ON ai_training_data TO pgi_rq_app;
\i test/fixtures/try.sql
\i test/fixtures/spanish_100.sql

-- 100 synthetic rows (bulk data), four of them with a flipped label.
SELECT pg_temp.add_samples(ARRAY['los zapatos', 'la camiseta', 'el vestido', 'la chaqueta', 'el bolso']) AS added;
CREATE TEMP TABLE flipped (user_message text PRIMARY KEY, true_intent text, given text);
INSERT INTO flipped VALUES
    ('quiero devolver los zapatos', 'return_process', 'shipping_problem'),
    ('mi pedido de la camiseta no ha llegado', 'shipping_problem', 'payment_issue'),
    ('me cobraron dos veces el vestido', 'payment_issue', 'product_info'),
    ('hay stock de la chaqueta', 'product_info', 'return_process');
UPDATE ai_training_data AS d SET detected_intent = f.given FROM flipped AS f WHERE f.user_message = d.user_message;
-- Live traffic, as the application logs it, and one imported row.
-- (one statement each: distinct created_at, so ties are ordered oldest first)
SELECT record_interaction('el envio de la gorra esta retrasado', 'shipping_problem', 25) IS NOT NULL AS live;
SELECT record_interaction('quiero devolver la gorra', 'return_process', 95) IS NOT NULL AS live;
SELECT record_interaction('hola, tengo una duda', NULL, NULL) IS NOT NULL AS live;
SELECT record_interaction('no puedo pagar la gorra con mi tarjeta', 'payment_issue', NULL) IS NOT NULL AS live;
INSERT INTO ai_training_data (user_message, detected_intent, source) VALUES ('que talla tiene la gorra', 'product_info', 'imported');

-- Before any training there is no out-of-fold evidence: uncertain live
-- predictions first (no model: below 50), then the rest, live first.
SELECT count(*) AS queued, count(*) = (SELECT count(*) FROM ai_pending_review) AS same_rows_as_pending
  FROM ai_review_queue;
SELECT rank, tier, user_message, intent, confidence_score AS conf, source, rank_reason
  FROM ai_review_queue WHERE rank <= 4 ORDER BY rank;
SELECT tier, count(*), min(rank), max(rank), min(rank_reason) = max(rank_reason) AS one_reason, min(rank_reason) AS rank_reason
  FROM ai_review_queue WHERE source = 'synthetic' GROUP BY tier;

-- Train (seeded): the out-of-fold model of each fold never saw its rows.
SELECT train_intent_model('rq', 'full', '{"seed": 5}') ->> 'status' AS trained;

-- The flipped rows are the first four, as label errors, each with the true
-- intent as the suspect and a reason.
SELECT q.rank <= 4 AS top4, q.tier, q.user_message, q.intent, q.suspected_intent,
       q.suspected_intent = f.true_intent AS suspect_is_truth,
       regexp_replace(q.rank_reason, '[0-9]+\.[0-9]+', 'N', 'g') AS rank_reason
  FROM ai_review_queue AS q JOIN flipped AS f USING (user_message)
 ORDER BY q.user_message;
SELECT count(*) AS label_errors, count(*) FILTER (WHERE user_message IN (SELECT user_message FROM flipped)) AS flipped
  FROM ai_review_queue WHERE tier = 'label_error';
-- The reason's figures are the run's: the label's probability and the
-- suspect's confidence, out of fold.
SELECT bool_and(q.rank_reason = format('out-of-fold model predicts %s at %s; label %s got %s (rows labelled %s get %s on average)',
                   r.predicted_intent, round(r.confidence::numeric, 2), r.intent, round(r.label_probability::numeric, 2), r.intent,
                   (SELECT round(avg(x.label_probability)::numeric, 2) FROM ai_training_run_rows x WHERE x.intent = r.intent))
                AND q.label_probability = r.label_probability::float8 AND q.suspected_confidence = r.confidence::float8
                AND q.priority = 1 - r.label_probability::float8) AS reasons_match_the_run
  FROM ai_review_queue AS q JOIN ai_training_run_rows AS r ON r.training_data_id = q.id
 WHERE q.tier = 'label_error';

-- Ordering: tiers in order; within each, live rows first, then priority.
SELECT tier, min(rank) AS first, max(rank) AS last, count(*) AS rows,
       count(*) FILTER (WHERE source = 'live') AS live
  FROM ai_review_queue GROUP BY tier ORDER BY min(rank);
SELECT bool_and(ok) AS ordered
  FROM (SELECT (array_position(ARRAY['label_error', 'uncertain', 'other'], tier),
                CASE WHEN source = 'live' THEN 0 ELSE 1 END, -priority)
               >= lag((array_position(ARRAY['label_error', 'uncertain', 'other'], tier),
                       CASE WHEN source = 'live' THEN 0 ELSE 1 END, -priority), 1, (0, 0, -1e9::float8)) OVER (ORDER BY rank) AS ok
          FROM ai_review_queue) AS s;
SELECT rank > 4 AS after_errors, tier, user_message, source,
       confidence_score < 100 * (SELECT coalesce((metrics #>> ARRAY['threshold', 'per_intent', q.intent])::float8, confidence_threshold)
                                   FROM ai_intent_models WHERE is_active) AS below_threshold,
       regexp_replace(rank_reason, '[0-9]+\.?[0-9]*', 'N', 'g') AS rank_reason
  FROM ai_review_queue AS q WHERE source IN ('live', 'imported') ORDER BY rank;

-- The reasons in Spanish (pg_intent.language); the tiers, ranks and labels
-- are the same, only the words change. Every row's reason is Spanish.
SET pg_intent.language = 'es';
SELECT rank, tier, regexp_replace(rank_reason, '[0-9]+\.?[0-9]*', 'N', 'g') AS rank_reason
  FROM ai_review_queue WHERE source IN ('live', 'imported') OR tier = 'label_error' ORDER BY rank;
SELECT count(*) FILTER (WHERE rank_reason ~ '^(el modelo|mensaje en producción|predicción en producción|fila )') = count(*) AS all_spanish
  FROM ai_review_queue;
RESET pg_intent.language;

-- Reviews take rows out of the queue: a correction, an approval, a rejection.
SELECT submit_intent_correction(id, 'return_process') ->> 'was_mismatch' AS corrected
  FROM ai_training_data WHERE user_message = 'quiero devolver los zapatos';
SELECT approve_training_sample(id) ->> 'dataset_status' AS approved
  FROM ai_training_data WHERE user_message = 'mi pedido de la camiseta no ha llegado';
SELECT reject_training_sample(id, 'ambiguous') ->> 'dataset_status' AS rejected
  FROM ai_training_data WHERE user_message = 'me cobraron dos veces el vestido';
-- A label changed since the run is not judged by the run's evidence.
UPDATE ai_training_data SET detected_intent = 'product_info' WHERE user_message = 'hay stock de la chaqueta';
SELECT f.user_message, q.tier, q.suspected_intent,
       regexp_replace(q.rank_reason, '[0-9]+\.[0-9]+', 'N', 'g') AS rank_reason
  FROM flipped AS f LEFT JOIN ai_review_queue AS q USING (user_message) ORDER BY f.user_message;
SELECT count(*) AS label_errors FROM ai_review_queue WHERE tier = 'label_error';
SELECT (SELECT count(*) FROM ai_review_queue) = (SELECT count(*) FROM ai_pending_review) AS same_rows_as_pending,
       NOT EXISTS (SELECT id FROM ai_review_queue EXCEPT SELECT id FROM ai_pending_review) AS same_ids;
SELECT bool_and(rank = n) AS ranks_are_1_to_n
  FROM (SELECT rank, row_number() OVER (ORDER BY rank) AS n FROM ai_review_queue) AS s;

-- Privileges: a reviewer reads the queue and reviews from it; the
-- application role may not read it; without SELECT on the run rows the view
-- (security_invoker) is refused too.
SET ROLE pgi_rq_reviewer;
SELECT count(*) > 0 AS reviewer_reads FROM ai_review_queue;
SELECT approve_training_sample(id) ->> 'dataset_status' AS reviewer_approves
  FROM ai_review_queue WHERE rank = 1;
RESET ROLE;
SET ROLE pgi_rq_app;
SELECT pg_temp.try('SELECT count(*) FROM ai_review_queue') AS app_reads_queue;
SELECT pg_temp.try('SELECT count(*) FROM ai_training_run_rows') AS app_reads_run_rows;
RESET ROLE;
REVOKE SELECT ON ai_training_run_rows FROM pgi_rq_reviewer;
SET ROLE pgi_rq_reviewer;
SELECT pg_temp.try('SELECT count(*) FROM ai_review_queue') AS without_run_rows;
RESET ROLE;
GRANT SELECT ON ai_training_run_rows TO pgi_rq_reviewer;

-- Row-level security applies to the reader: a reviewer who may only see
-- live traffic gets only live rows.
ALTER TABLE ai_training_data ENABLE ROW LEVEL SECURITY;
CREATE POLICY rq_live_only ON ai_training_data FOR SELECT TO pgi_rq_reviewer USING (source = 'live');
SET ROLE pgi_rq_reviewer;
SELECT count(*) AS visible, count(*) FILTER (WHERE source <> 'live') AS not_live, min(rank) AS first_rank
  FROM ai_review_queue;
RESET ROLE;
DROP POLICY rq_live_only ON ai_training_data;
ALTER TABLE ai_training_data DISABLE ROW LEVEL SECURITY;

-- The view is security_invoker, like every view of the extension.
SELECT c.reloptions FROM pg_class c WHERE c.oid = 'ai_review_queue'::regclass;

DROP EXTENSION pg_intent CASCADE;
DROP ROLE pgi_rq_reviewer;
DROP ROLE pgi_rq_app;
