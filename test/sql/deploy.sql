-- The deploy rule (first, improved, regression refused, within tolerance,
-- the deploy option), deploy_intent_model, rollback_intent_model, ai_model_registry.
SET client_min_messages = warning;
SET pg_intent.allow_drop_with_data = on; -- the previous test's rows go (src/pg/drop_guard.cpp)
DROP EXTENSION IF EXISTS pg_intent CASCADE;
CREATE EXTENSION pg_intent;

\i test/fixtures/try.sql

\i test/fixtures/spanish_80.sql

-- Nothing to deploy or roll back yet.
SELECT pg_temp.try($$SELECT rollback_intent_model()$$);
SELECT pg_temp.try($$SELECT deploy_intent_model(1)$$);
SELECT pg_temp.try($$SELECT deploy_intent_model(NULL)$$);

-- 1. A deliberately weak first model (one word feature, no character n-grams): deployed, reason first.
SELECT r ->> 'deployed' AS deployed, r ->> 'deploy_reason' AS reason, r -> 'baseline_metrics' AS baseline,
       (r -> 'final_metrics' ->> 'f1')::float8 < 0.9 AS weak
  FROM train_intent_model('weak', 'full', '{"max_features": 1, "char_ngrams": false, "seed": 1}') AS r;

-- 2. A full model beats it on the same test rows: deployed, reason improved.
SELECT r ->> 'deployed' AS deployed, r ->> 'deploy_reason' AS reason,
       (r -> 'final_metrics' ->> 'f1')::float8 > (r -> 'baseline_metrics' ->> 'f1')::float8 AS beats_baseline,
       (r ->> 'improvement')::float8 > 0 AS positive_improvement,
       round((r ->> 'improvement')::numeric, 6)
         = round(((r -> 'final_metrics' ->> 'f1')::float8 - (r -> 'baseline_metrics' ->> 'f1')::float8)::numeric, 6)
         AS improvement_is_f1_delta
  FROM train_intent_model('good', 'full', '{"seed": 1}') AS r;

-- 3. A weak model again: its F1 drops more than max_f1_regression, so it is
--    stored but not deployed, and the good model stays active.
SELECT r ->> 'deployed' AS deployed, r ->> 'deploy_reason' AS reason,
       (r -> 'final_metrics' ->> 'f1')::float8
         < (r -> 'baseline_metrics' ->> 'f1')::float8 - (SELECT max_f1_regression FROM ai_training_policy) AS regressed
  FROM train_intent_model('worse', 'full', '{"max_features": 1, "char_ngrams": false, "seed": 1}') AS r;
SELECT run_name, is_active FROM ai_model_registry ORDER BY id;

-- 4. The same options as the active model: equal F1 is within tolerance.
SELECT r ->> 'deployed' AS deployed, r ->> 'deploy_reason' AS reason, (r ->> 'improvement')::float8 = 0 AS no_change
  FROM train_intent_model('same', 'full', '{"seed": 1}') AS r;

-- 5. {"deploy": "never"} keeps even a good model out; {"deploy": "always"}
--    deploys even a worse one (reason manual).
SELECT r ->> 'deployed' AS deployed, r ->> 'deploy_reason' AS reason
  FROM train_intent_model('held back', 'full', '{"seed": 2, "deploy": "never"}') AS r;
SELECT r ->> 'deployed' AS deployed, r ->> 'deploy_reason' AS reason
  FROM train_intent_model('forced', 'full', '{"max_features": 1, "char_ngrams": false, "seed": 1, "deploy": "always"}') AS r;

-- Roll back the forced model, then show that a larger tolerance lets a
-- worse model through (reason within_tolerance).
SELECT rollback_intent_model() ->> 'reason' AS reason;
UPDATE ai_training_policy SET max_f1_regression = 1.0;
SELECT train_intent_model('tolerant', 'full', '{"max_features": 1, "char_ngrams": false, "seed": 1}') ->> 'deploy_reason' AS reason;
UPDATE ai_training_policy SET max_f1_regression = DEFAULT;

-- The runs and their decisions.
SELECT run_name, status, deployed, deploy_reason, baseline_f1_score IS NOT NULL AS has_baseline
  FROM ai_training_runs ORDER BY started_at;

-- The registry: one active model, every model listed with its metrics.
SELECT id, run_name, is_active, last_deploy_reason, total_intents,
       f1_score BETWEEN 0 AND 1 AS f1_ok, size_bytes > 0 AS has_size, length(sha256) AS sha_len,
       version ~ '^v[0-9]{8}_[0-9]{6}(_[0-9]+)?$' AS version_ok
  FROM ai_model_registry ORDER BY id;
SELECT count(DISTINCT version) = count(*) AS versions_unique FROM ai_model_registry;

-- Manual deployment of the good model (id 2) replacing the tolerant one (id 7).
SELECT r - 'deployed_at' - 'version' AS result, (r ->> 'deployed_at')::timestamptz IS NOT NULL AS has_deployed_at,
       r ->> 'version' = (SELECT version FROM ai_intent_models WHERE id = 2) AS version_matches
  FROM deploy_intent_model(2) AS r;
SELECT pg_temp.try($$SELECT deploy_intent_model(2)$$);
SELECT pg_temp.try($$SELECT deploy_intent_model(999)$$);
SELECT id FROM ai_model_registry WHERE is_active;

-- Rollback goes back to the model active before the current one; twice swaps back.
SELECT r - 'deployed_at' - 'version' AS result, r ->> 'version' = (SELECT version FROM ai_intent_models WHERE id = (r ->> 'model_id')::bigint) AS version_matches
  FROM rollback_intent_model() AS r;
SELECT id FROM ai_model_registry WHERE is_active;
SELECT r - 'deployed_at' - 'version' AS result, r ->> 'version' = (SELECT version FROM ai_intent_models WHERE id = (r ->> 'model_id')::bigint) AS version_matches
  FROM rollback_intent_model() AS r;

-- A model whose bytes were damaged (a hand edit, a bad restore) never becomes
-- active, by a rollback as by a manual deploy: rollback_intent_model()
-- activated it, and every prediction then failed with XX001.
BEGIN;
SELECT d.previous_model_id AS rollback_target
  FROM ai_model_deployments AS d WHERE d.model_id = (SELECT id FROM ai_intent_models WHERE is_active)
 ORDER BY d.id DESC LIMIT 1 \gset
UPDATE ai_intent_models SET model = '\x00'::bytea WHERE id = :rollback_target;
SELECT pg_temp.try($$SELECT rollback_intent_model()$$) AS damaged_rollback;
SELECT pg_temp.try(format('SELECT deploy_intent_model(%s)', :rollback_target)) AS damaged_deploy;
SELECT id FROM ai_model_registry WHERE is_active;
ROLLBACK;

-- The deployment history.
SELECT model_id, previous_model_id, reason FROM ai_model_deployments ORDER BY id;

-- At most one active model, enforced by the table itself.
SELECT pg_temp.try($$UPDATE ai_intent_models SET is_active = true WHERE id = 1$$);

-- The first model was deployed with no predecessor: rolling back from it is refused.
SELECT deploy_intent_model(1) ->> 'previous_model_id' AS previous;
DELETE FROM ai_model_deployments WHERE model_id = 1 AND reason = 'manual';
SELECT pg_temp.try($$SELECT rollback_intent_model()$$);
-- No active model at all.
UPDATE ai_intent_models SET is_active = false;
SELECT pg_temp.try($$SELECT rollback_intent_model()$$);
