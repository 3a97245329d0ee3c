-- Words new to the answered label (issue 34, point 1; src/core/novelty.h):
-- off-domain text often shares most of its words with some label and has
-- a word or two the model never saw, and was answered with confidence
-- (CLINC150's `la talla no me queda` -> `no`). A message with an unknown
-- word whose share of words no training row of the answered label holds is
-- above the label-word limit (learned out of fold, as the unknown-word limit
-- is) now abstains with 'unknown_label_words'. A model that learns the rule
-- is format 5 and carries each label's words; the others keep their format.
SET client_min_messages = warning;
SET pg_intent.allow_drop_with_data = on; -- the previous test's rows go (src/pg/drop_guard.cpp)
DROP EXTENSION IF EXISTS pg_intent CASCADE;
CREATE EXTENSION pg_intent;

CREATE TABLE lw_data (id bigserial PRIMARY KEY, text text NOT NULL, label text NOT NULL);
CREATE TEMP TABLE lw_raw (split text, text text, intent text);
\copy lw_raw FROM 'data/clinc150_small.csv' WITH (FORMAT csv, HEADER true)
INSERT INTO lw_data (text, label) SELECT text, intent FROM lw_raw WHERE split = 'train' ORDER BY text;
SELECT count(*) AS rows, count(DISTINCT label) AS labels FROM lw_data;

SELECT create_classifier('lw_router', 'lw_data', 'text', 'label', '{"key_column": "id"}') ->> 'name' AS classifier;
SELECT t ->> 'deploy_reason' AS reason FROM train_classifier('lw_router') AS t;
-- The limit and how many out-of-fold answers it was learned on, in the
-- model's metrics beside the unknown-word limit.
SELECT round((metrics #>> '{label_unknown_words,limit}')::numeric, 4) AS label_word_limit,
       metrics #>> '{label_unknown_words,learned}' AS learned,
       (metrics #>> '{label_unknown_words,rows}')::int AS rows,
       metrics #>> '{label_unknown_words,reason}' AS reason,
       (metrics #>> '{unknown_words,limit}')::float8 AS unknown_word_limit,
       intent_model_info(model) ->> 'format_version' AS format_version
  FROM ai_intent_models WHERE classifier = 'lw_router' AND is_active;

-- `the football game yesterday was a flight`: flight_status at 0.9999, but
-- most of its words are in no flight_status row (one in no row at all): it
-- abstains, and the explanation says why and what it was held to. The
-- in-domain messages keep their answers.
SELECT format('%L', v.m) AS probe, p.label, p.confidence > 0.99 AS confident, p.uncertain,
       e ->> 'uncertain_reason' AS why,
       (e ->> 'unknown_word_share')::float8 > 0 AS has_unknown_word,
       (e ->> 'label_unknown_word_share')::float8 > (e ->> 'label_unknown_word_limit')::float8 AS above_limit,
       coalesce(classify_label('lw_router', v.m), 'UNCERTAIN') AS route
  FROM (VALUES ('the football game yesterday was a flight'),
               ('my neighbour plays the trumpet at night calories'),
               ('is the flight of the trumpet on time'),
               ('how many calories are in a pizza'), ('what is my bill balance')) AS v(m),
       LATERAL predict_label('lw_router', v.m) AS p,
       LATERAL explain_label('lw_router', v.m) AS e;

-- With unknown_word_quantile 0 neither unknown-word rule is learned: the
-- model keeps format 3, the probe is answered, and the explanation has no
-- label-word figures.
SELECT t ->> 'deploy_reason' AS reason
  FROM train_classifier('lw_router', 'no_word_rules', '{"unknown_word_quantile": 0, "deploy": "always"}') AS t;
SELECT metrics #>> '{label_unknown_words,limit}' AS label_word_limit,
       metrics #>> '{label_unknown_words,learned}' AS learned,
       intent_model_info(model) ->> 'format_version' AS format_version
  FROM ai_intent_models WHERE classifier = 'lw_router' AND is_active;
SELECT p.label, p.uncertain, e ->> 'uncertain_reason' AS why, e -> 'label_unknown_word_share' AS share,
       e -> 'label_unknown_word_limit' AS label_word_limit
  FROM predict_label('lw_router', 'the football game yesterday was a flight') AS p,
       explain_label('lw_router', 'the football game yesterday was a flight') AS e;
SELECT drop_classifier('lw_router') IS NOT NULL AS dropped;

-- The built-in intent classifier follows the same rule through the same code.
INSERT INTO ai_training_data (user_message, detected_intent, confidence_score, source)
SELECT text, intent, 90, 'synthetic' FROM lw_raw WHERE split = 'train' ORDER BY text;
SELECT train_intent_model('label words') ->> 'deploy_reason' AS reason;
SELECT predicted_intent, uncertain, classify_intent('the football game yesterday was a flight') AS classified
  FROM predict_intent('the football game yesterday was a flight');
SELECT e ->> 'uncertain_reason' AS why FROM explain_intent('the football game yesterday was a flight') AS e;
SELECT classify_intent('how many calories are in a pizza') AS in_domain;
SELECT (metrics #>> '{label_unknown_words,limit}')::float8 < 1 AS learned_below_one
  FROM ai_intent_models WHERE classifier = 'intent' AND is_active;

DROP TABLE lw_data;
DELETE FROM ai_training_data;

-- Thin labels (8 rows per label, fewer than min_intent_rows 10): a message
-- at least half of whose words are unknown abstains. `quiero pizza` has one
-- unknown word and one known one, exactly half: where each label has a
-- handful of rows, the one known word decided it (answered before 0.3.2's
-- thin-label rule). The unknown-word limit is the float just below one half,
-- the explanation shows the share above it, and an in-domain message with
-- every word known still answers.
CREATE TABLE thin_data (id bigserial PRIMARY KEY, text text NOT NULL, label text NOT NULL);
INSERT INTO thin_data (text, label)
SELECT text, intent
  FROM (SELECT text, intent, row_number() OVER (PARTITION BY intent ORDER BY text) AS n
          FROM lw_raw WHERE split = 'train') AS r
 WHERE n <= 8 ORDER BY text;
SELECT count(*) AS rows, count(DISTINCT label) AS labels FROM thin_data;
SELECT create_classifier('thin_router', 'thin_data', 'text', 'label', '{"key_column": "id"}') ->> 'name' AS classifier;
SELECT t ->> 'deploy_reason' AS reason FROM train_classifier('thin_router') AS t;
SELECT (metrics #>> '{unknown_words,limit}')::float8 < 0.5 AS below_one_half,
       (metrics #>> '{unknown_words,limit}')::float8 > 0.4999999 AS just_below,
       metrics #>> '{unknown_words,reason}' AS reason
  FROM ai_intent_models WHERE classifier = 'thin_router' AND is_active;
SELECT format('%L', v.m) AS probe, p.uncertain, e ->> 'uncertain_reason' AS why,
       (e ->> 'unknown_word_share')::float8 AS share,
       (e ->> 'unknown_word_share')::float8 > (e ->> 'unknown_word_limit')::float8 AS above_limit,
       coalesce(classify_label('thin_router', v.m), 'UNCERTAIN') AS route
  FROM (VALUES ('quiero pizza'), ('how many calories are in a pizza')) AS v(m),
       LATERAL predict_label('thin_router', v.m) AS p,
       LATERAL explain_label('thin_router', v.m) AS e;
SELECT drop_classifier('thin_router') IS NOT NULL AS dropped;
DROP TABLE thin_data;
