-- Issue 34, point 4: scheduled retraining of a partitioned classifier
-- (a marketplace, one model per shop) trains only the shops whose rows
-- changed. 0.3.1 trained and deployed every shop again (within_tolerance,
-- identical F1), a new model row each: 26 MB after two runs of 24 shops.
SET client_min_messages = warning;
SET pg_intent.allow_drop_with_data = on; -- the previous test's rows go (src/pg/drop_guard.cpp)
DROP EXTENSION IF EXISTS pg_intent CASCADE;
DROP TABLE IF EXISTS ch_msgs, ch_raw;
DROP ROLE IF EXISTS pgi_ch_owner;
DROP ROLE IF EXISTS pgi_ch_trainer;
CREATE EXTENSION pg_intent;
\i test/fixtures/try.sql

CREATE TABLE ch_raw (split text, text text, intent text);
\copy ch_raw FROM 'data/nlpjs_corpus50_es.csv' WITH (FORMAT csv, HEADER true)
-- Three shops of 120 rows each; no key, no time column.
CREATE TABLE ch_msgs (shop text, msg text, route text);
INSERT INTO ch_msgs
SELECT 'shop' || (n % 3), text, split_part(intent, '.', 1)
  FROM (SELECT row_number() OVER (ORDER BY split, text, intent) AS n, text, intent FROM ch_raw WHERE intent <> 'oos') AS r
 WHERE n <= 360;
SELECT create_classifier('market', 'ch_msgs', 'msg', 'route',
                         '{"partition_column": "shop", "min_partition_rows": 50, "seed": 1}') ->> 'name' AS created;

-- The first training trains every shop.
SELECT jsonb_array_length(r -> 'partitions') AS trained, r -> 'partitions_unchanged' AS unchanged
  FROM train_classifier('market') AS r;
SELECT count(*) AS models FROM ai_intent_models WHERE classifier = 'market';

-- Nothing changed: no shop is trained again, each is named with the reason.
SELECT jsonb_array_length(r -> 'partitions') AS trained, r -> 'partitions_unchanged' AS unchanged,
       (SELECT jsonb_agg(e - 'run_id' ORDER BY e ->> 'partition') FROM jsonb_array_elements(r -> 'partitions_unchanged_skipped') AS e) AS skipped
  FROM train_classifier('market') AS r;
SELECT count(*) AS models FROM ai_intent_models WHERE classifier = 'market';
-- The skipped partitions name the run whose rows they still are, and the fallback's run records them.
SELECT (SELECT bool_and(r.partition_key = e ->> 'partition' AND r.status = 'completed')
          FROM jsonb_array_elements(x.metrics -> 'partitions_unchanged_skipped') AS e
          JOIN ai_training_runs AS r ON r.id = (e ->> 'run_id')::uuid) AS names_its_run
  FROM ai_training_runs AS x
 WHERE x.classifier = 'market' AND x.partition_key IS NULL ORDER BY x.started_at DESC LIMIT 1;

-- One shop's row changes (a correction): only that shop trains.
UPDATE ch_msgs SET route = 'greetings' WHERE ctid = (SELECT min(ctid) FROM ch_msgs WHERE shop = 'shop1' AND route <> 'greetings');
SELECT (SELECT jsonb_agg(p ->> 'partition') FROM jsonb_array_elements(r -> 'partitions') AS p) AS trained,
       r -> 'partitions_unchanged' AS unchanged
  FROM train_classifier('market') AS r;

-- Other options, or a run that does not deploy by the rule, train every shop.
SELECT jsonb_array_length(r -> 'partitions') AS trained, r -> 'partitions_unchanged' AS unchanged
  FROM train_classifier('market', NULL, '{"C": 2}') AS r;
SELECT jsonb_array_length(r -> 'partitions') AS trained, r -> 'partitions_unchanged' AS unchanged
  FROM train_classifier('market', NULL, '{"deploy": "never"}') AS r;
-- A changed classifier policy too.
SELECT alter_classifier('market', '{"max_f1_regression": 0.04}') IS NOT NULL AS altered;
SELECT jsonb_array_length(r -> 'partitions') AS trained, r -> 'partitions_unchanged' AS unchanged
  FROM train_classifier('market') AS r;
-- Unchanged since that run: skipped again.
SELECT jsonb_array_length(r -> 'partitions') AS trained FROM train_classifier('market') AS r;
-- The administrator's policy is part of what a run decides by: a change
-- there trains every shop again (it was skipped as unchanged), once.
UPDATE ai_training_policy SET min_gate_rows = min_gate_rows + 1;
SELECT jsonb_array_length(r -> 'partitions') AS trained FROM train_classifier('market') AS r;
SELECT jsonb_array_length(r -> 'partitions') AS trained FROM train_classifier('market') AS r;
-- Its keys that decide when a run happens, not its model, do not, there
-- or in the classifier's own policy.
UPDATE ai_training_policy SET retry_failed_after = retry_failed_after + interval '1 hour', min_alert_samples = min_alert_samples + 1;
SELECT jsonb_array_length(r -> 'partitions') AS trained, r -> 'partitions_unchanged' AS unchanged FROM train_classifier('market') AS r;
SELECT alter_classifier('market', '{"auto_retrain_threshold": 77}') IS NOT NULL AS altered;
SELECT jsonb_array_length(r -> 'partitions') AS trained, r -> 'partitions_unchanged' AS unchanged FROM train_classifier('market') AS r;
-- Nor do the keys that decide which partitions train, what is kept of
-- their models, or how snapshots count days (each trained every shop again).
SELECT alter_classifier('market', '{"keep_replaced_models": 5, "min_partition_rows": 21}') IS NOT NULL AS altered;
UPDATE ai_training_policy SET snapshot_time_zone = 'Europe/Madrid';
SELECT jsonb_array_length(r -> 'partitions') AS trained, r -> 'partitions_unchanged' AS unchanged FROM train_classifier('market') AS r;
UPDATE ai_training_policy SET snapshot_time_zone = DEFAULT;
-- min_partition_rows written 21.0 is 21 (it failed every training with
-- 22P02, '21.0'::integer): the same partitions, still unchanged.
SELECT alter_classifier('market', '{"keep_replaced_models": 5, "min_partition_rows": 21.0}') IS NOT NULL AS altered;
SELECT jsonb_array_length(r -> 'partitions') AS trained, r -> 'partitions_unchanged' AS unchanged FROM train_classifier('market') AS r;
-- The policy keys on each side: those left out of a partition's
-- fingerprint, and those a model may depend on (a new key is put on one
-- side on purpose).
SELECT array_to_string(intent_internal._pg_intent_policy_keys_outside_model(), ', ') AS outside_model;
SELECT string_agg(k, ', ' ORDER BY k) AS model_may_depend_on
  FROM (SELECT a.attname::text AS k FROM pg_attribute AS a
         WHERE a.attrelid = 'ai_training_policy'::regclass AND a.attnum > 0 AND NOT a.attisdropped
        UNION SELECT unnest(intent_internal._pg_intent_classifier_policy_keys())) AS x
 WHERE k <> ALL (intent_internal._pg_intent_policy_keys_outside_model());
-- An experiment's model deployed by hand is what an auto run would have
-- made of the same rows: the shop is skipped, and keeps that model.
SELECT jsonb_array_length(r -> 'partitions') AS experiments FROM train_classifier('market', NULL, '{"deploy": "never"}') AS r;
SELECT deploy_classifier_model('market', (SELECT max(id) FROM ai_intent_models WHERE classifier = 'market' AND partition_key = 'shop0')) ->> 'reason' AS deployed;
SELECT jsonb_array_length(r -> 'partitions') AS trained, r -> 'partitions_unchanged' AS unchanged FROM train_classifier('market') AS r;
SELECT m.id = (SELECT max(id) FROM ai_intent_models WHERE classifier = 'market' AND partition_key = 'shop0') AS kept_the_hand_deployed
  FROM ai_intent_models AS m WHERE m.classifier = 'market' AND m.partition_key = 'shop0' AND m.is_active;
UPDATE ai_training_policy SET min_gate_rows = min_gate_rows - 1, retry_failed_after = retry_failed_after - interval '1 hour',
       min_alert_samples = min_alert_samples - 1;

-- The retention rule: prune_classifier_models() keeps, per partition, the
-- active model, the models it replaced back N deep along rollback's chain,
-- and the candidates trained since it was deployed; the others lose their
-- bytes (rows and history stay). Run by the classifier's owner, a
-- restricted role.
CREATE ROLE pgi_ch_owner;
CREATE ROLE pgi_ch_trainer;
SELECT count(*) > 0 AS granted FROM grant_intent_access('pgi_ch_owner', 'classifiers');
GRANT SELECT ON ch_msgs TO pgi_ch_owner;
SET ROLE pgi_ch_owner;
SELECT create_classifier('solo', 'ch_msgs', 'msg', 'route', '{"seed": 1, "keep_replaced_models": 2}') ->> 'name' AS created;
SELECT train_classifier('solo') ->> 'deploy_reason' AS v1,
       train_classifier('solo', NULL, '{"deploy": "always"}') ->> 'deploy_reason' AS v2,
       train_classifier('solo', NULL, '{"deploy": "always"}') ->> 'deploy_reason' AS v3,
       train_classifier('solo', NULL, '{"deploy": "always"}') ->> 'deploy_reason' AS v4,
       train_classifier('solo', NULL, '{"deploy": "never"}') ->> 'deploy_reason' AS v5;
SELECT grant_classifier_access('solo', 'pgi_ch_trainer', 'train') IS NOT NULL AS trainer_granted;
RESET ROLE;
CREATE TEMP VIEW solo_models AS
SELECT row_number() OVER (ORDER BY m.id) AS nth, m.is_active AS active, m.model IS NOT NULL AS has_bytes, m.deleted_at IS NOT NULL AS deleted
  FROM ai_intent_models AS m WHERE m.classifier = 'solo';
GRANT SELECT ON solo_models TO pgi_ch_owner;
-- Who may prune: the classifier's deploy right, not its train right.
SET ROLE pgi_ch_trainer;
SELECT pg_temp.try($$SELECT prune_classifier_models('solo')$$) AS trainer_prunes;
RESET ROLE;
SET ROLE pgi_ch_owner;
-- The classifier's keep_replaced_models (2): the 1st model goes; the 2nd and 3rd (rollback), 4th (active) and 5th (candidate) stay.
SELECT r -> 'keep' AS keep, r -> 'kept' AS kept, jsonb_array_length(r -> 'pruned') AS pruned, (r ->> 'bytes_freed')::bigint > 0 AS freed
  FROM prune_classifier_models('solo') AS r;
SELECT * FROM solo_models;
-- Again: nothing more to prune.
SELECT jsonb_array_length(r -> 'pruned') AS pruned FROM prune_classifier_models('solo') AS r;
-- Rolling back works along the kept chain. With p_keep 0 only the active
-- model and the candidate keep their bytes, and a rollback says why it cannot.
SELECT rollback_classifier('solo') ->> 'reason' AS first_rollback;
SELECT * FROM solo_models;
SELECT pg_temp.try($$SELECT prune_classifier_models('solo', 0)$$) AS keep_none;
SELECT * FROM solo_models;
SELECT regexp_replace(pg_temp.try($$SELECT rollback_classifier('solo')$$), 'model \d+', 'model N') AS rollback_past_the_kept_chain;
SELECT pg_temp.try($$SELECT prune_classifier_models('solo', 1001)$$) AS keep_too_many;
SELECT pg_temp.try($$SELECT alter_classifier('solo', '{"keep_replaced_models": -1}')$$) AS bad_option;
-- An integral number written with a fraction part is that integer, as the
-- check that accepts it and the training options say: stored as 2.0, it
-- made every prune_classifier_models() fail with 22P02 ('2.0'::integer), and
-- a min_partition_rows of 5.0 every train_classifier().
SELECT alter_classifier('solo', '{"keep_replaced_models": 2.0}') IS NOT NULL AS integral_option;
SELECT prune_classifier_models('solo') -> 'keep' AS keep_read_as_2;
SELECT pg_temp.try($$SELECT prune_classifier_models('intent')$$) AS built_in;
RESET ROLE;
-- A partition without an active model is bounded too: experiments that
-- never deploy (or shops the fallback beats at every change of their rows)
-- keep the newest greatest(p_keep, 1) candidates. The first rule of 0.3.2
-- kept every one of them.
SELECT create_classifier('trial', 'ch_msgs', 'msg', 'route', '{"seed": 1}') ->> 'name' AS created;
SELECT count(*) AS never_deployed
  FROM (SELECT train_classifier('trial', NULL, jsonb_build_object('deploy', 'never', 'C', c)) FROM unnest(ARRAY[0.5, 1, 2, 4]) AS c) AS t;
SELECT r -> 'kept' AS kept, jsonb_array_length(r -> 'pruned') AS pruned FROM prune_classifier_models('trial', 2) AS r;
SELECT row_number() OVER (ORDER BY m.id) AS nth, m.model IS NOT NULL AS has_bytes
  FROM ai_intent_models AS m WHERE m.classifier = 'trial' ORDER BY m.id;
-- A candidate deleted by hand takes no place: the newest candidate with
-- its bytes is kept (it was pruned, and nothing was left to deploy).
SELECT delete_intent_model((SELECT max(id) FROM ai_intent_models WHERE classifier = 'trial')) IS NOT NULL AS deleted;
SELECT r -> 'kept' AS kept, jsonb_array_length(r -> 'pruned') AS pruned FROM prune_classifier_models('trial', 1) AS r;
SELECT row_number() OVER (ORDER BY m.id) AS nth, m.model IS NOT NULL AS has_bytes
  FROM ai_intent_models AS m WHERE m.classifier = 'trial' ORDER BY m.id;
-- The newest candidate with its bytes can still be deployed.
SELECT deploy_classifier_model('trial', (SELECT max(id) FROM ai_intent_models WHERE classifier = 'trial' AND model IS NOT NULL)) ->> 'reason' AS deployed;
SELECT drop_classifier('trial', true) IS NOT NULL AS dropped;
-- A partitioned classifier: every partition keeps its active model.
SELECT jsonb_array_length(r -> 'pruned') > 0 AS pruned_some FROM prune_classifier_models('market') AS r;
SELECT count(*) FILTER (WHERE is_active AND model IS NOT NULL) AS active_with_bytes,
       count(*) FILTER (WHERE is_active AND model IS NULL) AS active_without_bytes
  FROM ai_intent_models WHERE classifier = 'market';
SELECT count(*) AS predicted FROM (SELECT predict_label('market', 'hola', p) FROM unnest(ARRAY['shop0', 'shop1', 'shop2', NULL]) AS p) AS x;

-- A partition whose rows nobody reviewed, with no model of its own, is not
-- trained by a call that deploys by the rule: no reviewed row could judge
-- its model against the fallback (insufficient_evidence), so rows anyone may
-- log would only decide what the call costs (and one more stored model each
-- time they change). Before: u trained at the first call, and again at every
-- call its rows changed. A {"deploy": "never"} call (an experiment) trains it.
CREATE TABLE ch_vetted (id bigserial PRIMARY KEY, shop text, body text, label text, ok boolean);
INSERT INTO ch_vetted (shop, body, label, ok)
SELECT s, format('%s %s del artículo %s', t, s, g), l, s <> 'u'
  FROM (VALUES ('reembolso', 'quiero mi dinero de vuelta'), ('envio', 'dónde está mi paquete'),
               ('pago', 'me cobraron dos veces')) AS v(l, t),
       generate_series(1, 10) AS g, unnest(ARRAY['a', 'b', 'u']) AS s;
SELECT create_classifier('vetted', 'ch_vetted', 'body', 'label',
       '{"key_column": "id", "partition_column": "shop", "reviewed_column": "ok", "seed": 1}') ->> 'name' AS created;
SELECT (SELECT string_agg(p ->> 'partition' || ':' || (p ->> 'deploy_reason'), ', ' ORDER BY p ->> 'partition')
          FROM jsonb_array_elements(t -> 'partitions') AS p) AS first_call,
       t -> 'partitions_unreviewed' AS unreviewed, t -> 'partitions_unreviewed_skipped' AS unreviewed_skipped
  FROM train_classifier('vetted') AS t;
-- the fallback run's metrics keep them, as they keep the unchanged ones
SELECT r.metrics -> 'partitions_unreviewed' AS unreviewed, r.metrics -> 'partitions_unreviewed_skipped' AS skipped
  FROM ai_training_runs AS r WHERE r.classifier = 'vetted' AND r.partition_key IS NULL ORDER BY r.started_at DESC LIMIT 1;
-- new logged rows of u change nothing
INSERT INTO ch_vetted (shop, body, label, ok) VALUES ('u', 'me cobraron dos veces otra vez', 'pago', false);
SELECT t ->> 'partitions_unchanged' AS unchanged, t ->> 'partitions_unreviewed' AS unreviewed,
       (SELECT string_agg(p ->> 'partition', ', ' ORDER BY p ->> 'partition') FROM jsonb_array_elements(t -> 'partitions') AS p) AS trained
  FROM train_classifier('vetted') AS t;
SELECT partition_key, count(*) AS models FROM ai_intent_models
 WHERE classifier = 'vetted' AND partition_key IS NOT NULL GROUP BY 1 ORDER BY 1;
SELECT (SELECT string_agg(p ->> 'partition' || ':' || (p ->> 'deploy_reason'), ', ' ORDER BY p ->> 'partition')
          FROM jsonb_array_elements(t -> 'partitions') AS p) AS experiment,
       t -> 'partitions_unreviewed' AS unreviewed
  FROM train_classifier('vetted', NULL, '{"deploy": "never"}') AS t;
SELECT drop_classifier('vetted', true) IS NOT NULL AS dropped;
DROP TABLE ch_vetted;

DROP VIEW solo_models;
SELECT drop_classifier('solo', true) IS NOT NULL AS dropped;
DROP OWNED BY pgi_ch_owner;
DROP OWNED BY pgi_ch_trainer;
DROP ROLE pgi_ch_owner;
DROP ROLE pgi_ch_trainer;
