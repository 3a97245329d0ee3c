-- The review queue ranked by the value of a review (ai_review_queue).
--
-- It holds exactly the rows of ai_pending_review (nobody reviewed them:
-- intent_correct NULL, not corrected, not reviewed, approved or rejected),
-- ordered so that a reviewer's first hour fixes the most:
--
--   1. label_error: likely label errors. The latest completed training run
--      stored, for every row it read, the out-of-fold prediction of a model
--      that never saw the row (ai_training_run_rows). A row is suspected when
--      that model predicts another intent AND gives the row's own label less
--      probability than rows of that label get on average (the per-class
--      threshold of confident learning, Northcutt et al. 2021: t_j = mean
--      out-of-fold probability of label j over the run's rows labelled j; it
--      adapts to intents that are hard for the model). Suspects are ranked by
--      self-confidence, the probability the label got, lowest first
--      (priority = 1 - label_probability), cleanlab's default ranking.
--      Measured (bench/review_queue.sh, CLINC150 and HWU64 train splits with
--      5 % of labels flipped; bench/README.md): ranking by self-confidence put
--      more flipped rows in the top k than ranking by the margin (confidence
--      - label_probability) or by the confidence of the other intent, and
--      ranking confident learning's off-diagonal first (confidence >= t of
--      the predicted intent) put flipped rows whose out-of-fold prediction
--      was not that confident behind correct rows. The class threshold
--      therefore only decides membership of the tier (it is a weak filter on
--      these data: almost every disagreement passes it); the order is the
--      label's probability. Only rows whose label is still the one the run
--      read count (a row edited since has no evidence about its new label),
--      and rows labelled the run's out-of-scope intent are never suspects
--      (the model has no probability for that label).
--   2. uncertain: live traffic (source = 'live', what record_interaction()
--      logs by default) whose detection was uncertain: no detected intent,
--      no confidence score, or a confidence_score (0-100) below the abstain
--      threshold of the model that made the prediction (model_id; else the
--      active model): its threshold for the detected intent, as
--      predict_intent() applies it, else its global one; 0.5 without any
--      model. Most uncertain first.
--   3. other: the rest, the rows whose label the last run's model doubted
--      most first.
-- Within each tier live traffic comes before bulk data (source 'imported'
-- or 'synthetic': datasets loaded in bulk rather than messages users sent).
--
-- rank_reason is worded in intent_output_language() (intent_output_text()).
--
-- The view is security_invoker: the reader needs SELECT on ai_training_data,
-- ai_training_runs, ai_training_run_rows and on the id, is_active,
-- confidence_threshold and metrics columns of ai_intent_models; row-level security on
-- them applies (a run's rows hidden from the reader give no evidence).

-- The rule of a suspected label error, stated once for ai_review_queue and
-- get_classifier_review_queue() (src/sql/48_classifier_review_queue.sql):
-- the out-of-fold model predicted another label and gave the row's own
-- label less probability than p_label_threshold, the mean out-of-fold
-- probability of that label over the run's rows labelled with it. Both are
-- probabilities: a value that is not one (NaN, which sorts above every
-- number, infinite, outside 0-1) is no evidence, as NULL is not. A
-- SQL-standard body, bound when created (no search_path reaches it) and
-- inlined into the view; open to PUBLIC, as it reads nothing.
CREATE OR REPLACE FUNCTION @extschema@.is_suspected_label_error(
    p_label text, p_predicted_label text, p_label_probability double precision,
    p_label_threshold double precision)
RETURNS boolean
LANGUAGE sql IMMUTABLE PARALLEL SAFE
RETURN COALESCE(p_predicted_label <> p_label
                AND p_label_probability BETWEEN 0::double precision AND 1::double precision
                AND p_label_threshold BETWEEN 0::double precision AND 1::double precision
                AND p_label_probability < p_label_threshold, false);
COMMENT ON FUNCTION @extschema@.is_suspected_label_error(text, text, double precision, double precision) IS
    'Whether a row''s label is a likely label error: a model that never saw the row predicted p_predicted_label, another label, and gave p_label the probability p_label_probability, below p_label_threshold (the mean probability rows labelled p_label got; Northcutt et al. 2021''s per-class threshold). The rule of ai_review_queue''s label_error tier and get_classifier_review_queue(); false when an argument is NULL or a probability is not one (NaN, infinite, outside 0-1).';

-- The built-in classifier's pending rows with the evidence of its latest
-- completed run (0.3.2): the one statement of which rows are likely label
-- errors and in which order, read by ai_review_queue (its label_error tier
-- is the rows with a label_error_rank, in that order) and by
-- get_classifier_review_queue('intent') (src/sql/48_classifier_review_queue.sql),
-- so that both show the same rows in the same order. For every row nobody
-- reviewed (as ai_pending_review): its label, the latest run's out-of-fold
-- prediction of it and the label's threshold (the mean probability the
-- run's rows of that label got), whether is_suspected_label_error() holds,
-- and, for a suspect, its rank among the suspects: live traffic first, then
-- the lowest label probability (priority 1 - label_probability, as the view
-- ranks it), the more confident other label, the older row, the id.
--   Runs as its caller, like the view: every table is read with the
-- caller's privileges and row-level security (a row or run row hidden from
-- the caller is no row and no evidence, and counts in no threshold). A
-- SQL-standard body without a SET clause, as is_suspected_label_error():
-- bound when created (no caller's search_path reaches it) and inlined into
-- the view and the function. Open to PUBLIC, as the view calls it for
-- every reader: it shows a role only what that role may SELECT itself.
CREATE OR REPLACE FUNCTION intent_internal._pg_intent_builtin_review_rows()
RETURNS TABLE (id uuid, user_message text, detected_intent text, confidence_score integer, source text,
               model_id bigint, created_at timestamptz, label text, live boolean, run_id uuid,
               predicted_intent text, predicted_confidence real, label_probability real,
               label_threshold double precision, suspected boolean, label_error_rank bigint)
LANGUAGE sql STABLE PARALLEL SAFE
BEGIN ATOMIC
WITH latest_run AS (
    SELECT r.id, r.metrics #>> '{out_of_scope,intent}'::text[] AS out_of_scope_intent
      FROM @extschema@.ai_training_runs AS r
     WHERE r.status = 'completed' AND r.classifier = 'intent'
     ORDER BY r.finished_at DESC NULLS LAST, r.started_at DESC, r.id
     LIMIT 1
), oof AS (
    -- the latest run's out-of-fold predictions of in-scope labels
    SELECT rr.run_id, rr.training_data_id, rr.intent, rr.predicted_intent, rr.confidence, rr.label_probability
      FROM @extschema@.ai_training_run_rows AS rr
      JOIN latest_run AS l ON l.id = rr.run_id
     WHERE rr.predicted_intent IS NOT NULL
       AND rr.label_probability IS NOT NULL
       AND rr.intent IS DISTINCT FROM l.out_of_scope_intent
), class_threshold AS (
    SELECT o.intent, avg(o.label_probability) AS threshold
      FROM oof AS o
     GROUP BY o.intent
), pending AS (
    SELECT d.id, d.user_message, d.detected_intent, d.confidence_score, d.source, d.model_id, d.created_at,
           coalesce(nullif(d.correct_intent, ''), nullif(d.detected_intent, '')) AS label
      FROM @extschema@.ai_training_data AS d
     WHERE NOT d.is_reviewed -- awaiting review, as ai_pending_review
       AND d.dataset_status <> 'rejected'
), scored AS (
    SELECT p.id, p.user_message, p.detected_intent, p.confidence_score, p.source, p.model_id, p.created_at, p.label,
           p.source = 'live' AS live,
           o.run_id, o.predicted_intent, o.confidence AS predicted_confidence, o.label_probability,
           t.threshold AS label_threshold,
           @extschema@.is_suspected_label_error(o.intent, o.predicted_intent, o.label_probability, t.threshold) AS suspected
      FROM pending AS p
      LEFT JOIN oof AS o ON o.training_data_id = p.id AND o.intent = p.label
      LEFT JOIN class_threshold AS t ON t.intent = o.intent
), ranked AS (
    SELECT s.id,
           row_number() OVER (ORDER BY s.live DESC, 1::float8 - s.label_probability::float8 DESC,
                                       s.predicted_confidence DESC NULLS LAST, s.created_at, s.id) AS label_error_rank
      FROM scored AS s
     WHERE s.suspected
)
SELECT s.id, s.user_message, s.detected_intent, s.confidence_score, s.source, s.model_id, s.created_at, s.label,
       s.live, s.run_id, s.predicted_intent, s.predicted_confidence, s.label_probability, s.label_threshold,
       s.suspected, k.label_error_rank
  FROM scored AS s
  LEFT JOIN ranked AS k ON k.id = s.id;
END;
COMMENT ON FUNCTION intent_internal._pg_intent_builtin_review_rows() IS
    'Internal: the built-in classifier''s pending rows (as ai_pending_review) with the latest completed run''s out-of-fold prediction, the label''s threshold, whether is_suspected_label_error() holds, and a suspect''s rank (live first, then the lowest label probability). Read with the caller''s privileges and row-level security; the one statement of the likely label errors that ai_review_queue''s label_error tier and get_classifier_review_queue(''intent'') show.';

CREATE OR REPLACE VIEW @extschema@.ai_review_queue WITH (security_invoker = true) AS
WITH pending AS (
    -- the rows nobody reviewed, with the latest run's evidence and the
    -- likely label errors ranked: _pg_intent_builtin_review_rows()
    SELECT e.* FROM intent_internal._pg_intent_builtin_review_rows() AS e
), intent_thresholds AS (
    -- every model's per-intent abstain thresholds, read once: looked up per
    -- pending row, the metrics document was detoasted and parsed for every
    -- row (59 s for 300,000 pending rows, even under LIMIT 20)
    SELECT m.id AS model_id, m.is_active, t.intent, t.threshold
      FROM @extschema@.ai_intent_models AS m,
           LATERAL jsonb_each_text(CASE WHEN jsonb_typeof(m.metrics #> '{threshold,per_intent}'::text[]) = 'object'
                                        THEN m.metrics #> '{threshold,per_intent}'::text[] END) AS t(intent, threshold)
), scored AS (
    SELECT p.*,
           coalesce(pt.threshold::float8, pm.confidence_threshold,
                    at.threshold::float8, am.confidence_threshold,
                    0.5) AS abstain_threshold
      FROM pending AS p
      LEFT JOIN @extschema@.ai_intent_models AS pm ON pm.id = p.model_id
      LEFT JOIN intent_thresholds AS pt ON pt.model_id = p.model_id AND pt.intent = p.label
      LEFT JOIN @extschema@.ai_intent_models AS am ON am.is_active AND am.classifier = 'intent'
      LEFT JOIN intent_thresholds AS at ON at.model_id = am.id AND at.intent = p.label
), tiered AS (
    SELECT s.*,
           CASE WHEN s.suspected THEN 'label_error'
                WHEN s.live AND (s.label IS NULL OR s.confidence_score IS NULL
                                 OR s.confidence_score::float8 < 100::float8 * s.abstain_threshold) THEN 'uncertain'
                ELSE 'other' END AS tier
      FROM scored AS s
), prioritised AS (
    SELECT t.*,
           CASE t.tier WHEN 'label_error' THEN 1 WHEN 'uncertain' THEN 2 ELSE 3 END AS tier_order,
           CASE WHEN t.tier = 'label_error' THEN 1::float8 - t.label_probability::float8
                WHEN t.tier = 'uncertain' THEN 1::float8 - coalesce(t.confidence_score, 0)::float8 / 100.0::float8
                ELSE coalesce(1::float8 - t.label_probability::float8, 1::float8 - t.confidence_score::float8 / 100.0::float8, 0::float8)
           END AS priority
      FROM tiered AS t
)
SELECT row_number() OVER w AS rank,
       q.tier,
       q.priority,
       q.id,
       q.user_message,
       q.label AS intent,
       CASE WHEN q.suspected THEN q.predicted_intent END AS suspected_intent,
       q.predicted_confidence::float8 AS suspected_confidence,
       q.label_probability::float8 AS label_probability,
       q.confidence_score,
       q.source,
       CASE q.tier
           WHEN 'label_error' THEN pg_catalog.format(
               @extschema@.intent_output_text('rq_label_error', @extschema@.intent_output_language()),
               q.predicted_intent, round(q.predicted_confidence::numeric, 2), q.label,
               round(q.label_probability::numeric, 2), q.label, round(q.label_threshold::numeric, 2))
           WHEN 'uncertain' THEN
               CASE WHEN q.label IS NULL THEN @extschema@.intent_output_text('rq_live_no_intent', @extschema@.intent_output_language())
                    WHEN q.confidence_score IS NULL
                        THEN pg_catalog.format(@extschema@.intent_output_text('rq_live_no_confidence', @extschema@.intent_output_language()), q.label)
                    ELSE pg_catalog.format(@extschema@.intent_output_text('rq_live_below', @extschema@.intent_output_language()),
                                           q.label, q.confidence_score, round(100::numeric * q.abstain_threshold::numeric))
               END
           ELSE
               CASE WHEN q.label IS NULL THEN pg_catalog.format(@extschema@.intent_output_text('rq_no_intent', @extschema@.intent_output_language()), q.source)
                    WHEN NOT EXISTS (SELECT FROM @extschema@.ai_training_runs AS r
                                      WHERE r.status = 'completed' AND r.classifier = 'intent')
                        THEN pg_catalog.format(@extschema@.intent_output_text('rq_no_run', @extschema@.intent_output_language()), q.source)
                    WHEN q.predicted_intent IS NULL
                        THEN pg_catalog.format(@extschema@.intent_output_text('rq_no_prediction', @extschema@.intent_output_language()),
                                               q.source, q.label)
                    WHEN q.predicted_intent = q.label
                        THEN pg_catalog.format(@extschema@.intent_output_text('rq_agrees', @extschema@.intent_output_language()),
                                               q.source, q.label, round(q.label_probability::numeric, 2))
                    ELSE pg_catalog.format(@extschema@.intent_output_text('rq_disagrees', @extschema@.intent_output_language()),
                                           q.source, q.predicted_intent, round(q.predicted_confidence::numeric, 2),
                                           q.label, round(q.label_probability::numeric, 2),
                                           round(q.label_threshold::numeric, 2), q.label)
               END
       END AS rank_reason,
       q.run_id,
       q.created_at
  FROM prioritised AS q
WINDOW w AS (ORDER BY q.tier_order, q.label_error_rank, q.live DESC, q.priority DESC, q.predicted_confidence DESC NULLS LAST, q.created_at, q.id)
 ORDER BY rank;
COMMENT ON VIEW @extschema@.ai_review_queue IS
    'The rows of ai_pending_review ranked by the value of a review (rank 1 first): tier label_error (the latest completed training run''s out-of-fold model predicts another intent and gives the label less probability than its intent''s rows get on average; lowest label probability first), then uncertain (live predictions below the abstain threshold or without an intent or confidence), then other; live traffic before imported and synthetic rows within each tier. suspected_intent is what the out-of-fold model predicts for a suspected label error; rank_reason says why in words, in the language of intent_output_language().';
