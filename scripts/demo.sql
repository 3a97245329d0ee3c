-- pg_intent demo: the product's loop, told in Spanish on Spanish support
-- chat (data/ecommerce_es.csv). Run by scripts/demo.sh from the repository
-- root (the \copy path is relative to it), in one psql session, with the
-- variable `report` set to the path the HTML report is written to.
--
--   1. capture      the old bot logs 336 chats (record_interaction); it is
--                   wrong on every 9th one; 2 spam messages come too
--   2. review       the team corrects half of the bot's errors
--                   (submit_intent_correction), approves rows it checked
--                   (approve_training_samples), rejects the spam
--                   (reject_training_sample)
--   3. training 1   train_intent_model(): the first model deploys
--   4. training 2   84 new chats arrive, answered by that model, and are
--                   all reviewed; the second run goes through the deploy
--                   gate, which weighs both models on those fresh rows
--   5. queue        ai_review_queue's top suspects (the bot's errors nobody
--                   corrected); the team reviews the first 10; a third run
--                   goes through the gate
--   6. predictions  classify_intent() and predict_intent(), abstentions
--                   (uncertain) included, and why one of them
--                   (explain_intent)
--   7. report       training_report(NULL, 'html') of the last run, written
--                   to :report
-- Every deploy decision is printed with its reason, in words made from the
-- run's result (deployed, deploy_reason, deploy_evidence, improvement) and
-- the evidence it recorded (ai_training_runs.metrics: deploy, gate); the
-- data and the training are deterministic, so the decisions are too.
--
-- Everything the simulated team knows (the true intent of each message)
-- comes from the CSV; everything printed about models comes from the
-- extension's own results. Numbers are rounded to 2 digits or percents.
\set ON_ERROR_STOP on
\set QUIET on
\pset footer off
\pset pager off
-- Sentences print as bare lines; tables say so with \g (format=aligned ...).
\pset format unaligned
\pset tuples_only on
SET client_min_messages = warning;
CREATE EXTENSION IF NOT EXISTS pg_intent;
-- What pg_intent words for people (reports, reasons, hints) in Spanish.
SET pg_intent.language = 'es';
-- The counts below are the story's own: it needs a database without pg_intent data.
DO $$
BEGIN
    IF EXISTS (SELECT 1 FROM ai_training_data) OR EXISTS (SELECT 1 FROM ai_training_runs) THEN
        RAISE EXCEPTION 'the demo needs a database without pg_intent data; database % has some', current_database()
            USING HINT = 'Run scripts/demo.sh without --story (a new cluster), or give DEMO_DB a new database.';
    END IF;
END
$$;

CREATE TEMP TABLE demo_rows (split text, text text, intent text);
\copy demo_rows FROM 'data/ecommerce_es.csv' WITH (FORMAT csv, HEADER true)

-- 0.xx, and percents, never the float's 17 digits.
CREATE FUNCTION pg_temp.n2(p double precision) RETURNS text LANGUAGE sql IMMUTABLE
AS $$ SELECT coalesce(to_char(round(p::numeric, 2), 'FM0.00'), '-') $$;
CREATE FUNCTION pg_temp.pct(p double precision) RETURNS text LANGUAGE sql IMMUTABLE
AS $$ SELECT coalesce(round(p::numeric * 100)::text || '%', '-') $$;

-- A run's deploy decision in plain words, from its result (train_intent_model()'s
-- jsonb) and the evidence the run recorded (ai_training_runs.metrics: deploy, gate).
CREATE FUNCTION pg_temp.decision(r jsonb) RETURNS text LANGUAGE sql STABLE AS $$
    SELECT CASE WHEN (r ->> 'deployed')::boolean THEN 'DESPLEGADO' ELSE 'NO desplegado, sigue el modelo activo' END
           || ' (' || (r ->> 'deploy_reason') || '): '
           || CASE r ->> 'deploy_reason'
              WHEN 'first' THEN 'es el primer modelo; no había ninguno activo.'
              WHEN 'improved' THEN CASE r ->> 'deploy_evidence'
                  WHEN 'fresh_rows' THEN format('en las %s filas nuevas el nuevo acierta %s que el activo falla y falla %s que el activo acierta; F1 macro %s frente a %s.',
                                                g ->> 'rows', g ->> 'candidate_only_correct', g ->> 'active_only_correct',
                                                pg_temp.n2((d ->> 'candidate_f1')::float8), pg_temp.n2((d ->> 'baseline_f1')::float8))
                  ELSE format('su F1 macro estimado (%s) supera el del activo (%s).',
                              pg_temp.n2((d ->> 'candidate_f1')::float8), pg_temp.n2((d ->> 'baseline_f1')::float8)) END
              WHEN 'within_tolerance' THEN format('no acierta menos y su F1 macro (%s) no baja más de %s respecto al activo (%s).',
                                                  pg_temp.n2((d ->> 'candidate_f1')::float8), d ->> 'max_f1_regression',
                                                  pg_temp.n2((d ->> 'baseline_f1')::float8))
              WHEN 'regression' THEN CASE WHEN (d ->> 'fresh_rows_right_more')::integer < 0
                  THEN format('en las %s filas nuevas el activo acierta %s que el nuevo falla, y el nuevo solo %s que el activo falla: el nuevo no es mejor.',
                              g ->> 'rows', g ->> 'active_only_correct', g ->> 'candidate_only_correct')
                  ELSE format('su F1 macro (%s) cae más de %s respecto al del activo (%s).',
                              pg_temp.n2((d ->> 'candidate_f1')::float8), d ->> 'max_f1_regression',
                              pg_temp.n2((d ->> 'baseline_f1')::float8)) END
              WHEN 'tie' THEN 'empate: ambos aciertan las mismas filas nuevas y el nuevo no mejora el F1 macro; cambiar de modelo no sale gratis.'
              WHEN 'insufficient_evidence' THEN format('no hay pruebas suficientes: %s filas nuevas revisadas (hacen falta %s) y ninguna estimación del activo.',
                                                       coalesce(g ->> 'rows', '0'), coalesce(g ->> 'min_rows', '?'))
              WHEN 'untested' THEN 'el modelo no tiene evaluación; uno sin evaluar nunca sustituye al activo.'
              WHEN 'never' THEN 'se pidió no desplegar ({"deploy": "never"}).'
              WHEN 'manual' THEN 'despliegue forzado ({"deploy": "always"}).'
              WHEN 'baseline_changed' THEN 'otro despliegue cambió el modelo activo mientras entrenaba.'
              ELSE coalesce(r ->> 'error', '') END
      FROM (SELECT t.metrics -> 'deploy' AS d, t.metrics -> 'gate' AS g
              FROM ai_training_runs AS t WHERE t.id = (r ->> 'run_id')::uuid) AS m
$$;

-- A run in one line, and its decision in another.
CREATE FUNCTION pg_temp.run_summary(r jsonb) RETURNS text LANGUAGE sql STABLE AS $$
    SELECT CASE WHEN r ->> 'status' = 'completed' THEN
        format(E'   Entrenamiento completado en %s s: %s mensajes, %s intenciones; validación cruzada: acierto %s, F1 macro %s.\n'
               '   Decisión: %s',
               round((r ->> 'duration_seconds')::numeric, 1), r ->> 'training_samples', r ->> 'total_intents',
               pg_temp.n2((r #>> '{final_metrics,accuracy}')::float8), pg_temp.n2((r #>> '{final_metrics,f1}')::float8),
               pg_temp.decision(r))
    ELSE format('   Entrenamiento FALLIDO: %s', r ->> 'error') END
$$;

-- The deploy gate's evidence: both models on the run's fresh rows (when
-- there were enough of them to decide).
CREATE FUNCTION pg_temp.gate(r jsonb)
RETURNS TABLE (modelo text, acierto text, "F1 macro" text, "aciertos que el otro falla" text) LANGUAGE sql STABLE AS $$
    SELECT v.modelo, pg_temp.n2((g #>> ARRAY[v.k, 'accuracy'])::float8), pg_temp.n2((g #>> ARRAY[v.k, 'macro_f1'])::float8),
           g ->> (v.k || '_only_correct')
      FROM (SELECT t.metrics -> 'gate' AS g FROM ai_training_runs AS t WHERE t.id = (r ->> 'run_id')::uuid) AS m,
           (VALUES (1, 'activo', 'active'), (2, 'nuevo', 'candidate')) AS v(i, modelo, k)
     WHERE jsonb_typeof(m.g) = 'object' AND (m.g ->> 'sufficient')::boolean
     ORDER BY v.i
$$;

\echo
\echo '== 1. Captura (capture): el bot registra cada conversación con record_interaction()'
\echo '   Llegan 336 mensajes de clientes de una tienda online (y 2 de spam), con la intención que detectó'
\echo '   el bot actual y su confianza. El bot se equivoca en 1 de cada 9 (dice "order_status"); nadie lo sabe aún.'
CREATE TEMP TABLE demo_capture AS
SELECT d.n, d.intent AS true_intent, d.text, d.bot_intent,
       record_interaction(
           p_user_message     => d.text,
           p_detected_intent  => d.bot_intent,
           p_confidence_score => (55 + (d.n * 37) % 45)::integer,
           p_response_source  => 'bot-anterior',
           p_source           => 'live') AS id
  FROM (SELECT r.*, CASE WHEN r.n % 9 = 0 AND r.intent <> 'order_status' THEN 'order_status' ELSE r.intent END AS bot_intent
          FROM (SELECT *, row_number() OVER () AS n FROM demo_rows WHERE split = 'train') AS r) AS d;
-- Two spam messages the bot logged too.
INSERT INTO demo_capture (n, true_intent, text, bot_intent, id)
SELECT 1000 + i, NULL, m, b, record_interaction(m, b, 41, p_response_source => 'bot-anterior')
  FROM (VALUES (1, 'GANA 500€ AL DÍA desde casa!!! escribe al 600 000 000', 'payment_issue'),
               (2, 'asdkjh qwpoei zmxn', 'greeting')) AS s(i, m, b);
SELECT format('   Registrados: %s mensajes en ai_training_data; el bot se equivocó en %s.',
              count(*), count(*) FILTER (WHERE bot_intent IS DISTINCT FROM true_intent AND true_intent IS NOT NULL))
  FROM demo_capture;
SELECT left(text, 48) AS mensaje, bot_intent AS "intención detectada", t.confidence_score AS confianza
  FROM demo_capture AS c JOIN ai_training_data AS t USING (id)
 WHERE c.n IN (1, 9, 26, 121) ORDER BY c.n
\g (format=aligned tuples_only=off)

\echo
\echo '== 2. Correcciones y revisiones (corrections and reviews)'
\echo '   El equipo de soporte revisa parte del tráfico: corrige errores del bot (submit_intent_correction),'
\echo '   aprueba mensajes bien etiquetados (approve_training_samples) y rechaza el spam (reject_training_sample).'
-- Half of the bot's errors are found (the rest wait for the review queue).
CREATE TEMP TABLE demo_corrected AS
SELECT c.n, c.text, c.bot_intent, c.true_intent, submit_intent_correction(c.id, c.true_intent, p_notes => 'revisión demo') AS result
  FROM demo_capture AS c
 WHERE c.true_intent <> c.bot_intent AND c.n % 18 = 0;
SELECT format('   Corregidos: %s errores del bot (quedan %s sin descubrir).',
              (SELECT count(*) FROM demo_corrected),
              (SELECT count(*) FROM demo_capture WHERE true_intent <> bot_intent) - (SELECT count(*) FROM demo_corrected));
SELECT left(text, 48) AS mensaje, bot_intent AS "el bot dijo", true_intent AS "corrección"
  FROM demo_corrected ORDER BY n LIMIT 3
\g (format=aligned tuples_only=off)
SELECT format('   Aprobados: %s mensajes que un revisor comprobó.',
              approve_training_samples(array_agg(id ORDER BY n)) ->> 'updated')
  FROM demo_capture WHERE true_intent = bot_intent AND n % 3 = 1;
SELECT format('   Rechazados: %s mensajes de spam; nunca entrenarán un modelo.', count(reject_training_sample(id, 'spam')))
  FROM demo_capture WHERE true_intent IS NULL;

\echo
\echo '== 3. Primer entrenamiento (first training): train_intent_model() dentro de PostgreSQL'
\echo '   Entrena, se evalúa con validación cruzada (cada mensaje lo juzga un modelo que no lo vio) y se despliega.'
SELECT train_intent_model('primer modelo') AS run1 \gset
SELECT pg_temp.run_summary(:'run1'::jsonb);
SELECT format('   Umbral de abstención: %s (por debajo, predict_intent() marca uncertain en vez de adivinar).',
              pg_temp.n2(confidence_threshold))
  FROM ai_intent_models WHERE is_active;

\echo
\echo '== 4. Llegan mensajes nuevos y un segundo entrenamiento pasa por la puerta de despliegue (deploy gate)'
\echo '   84 mensajes nuevos: ahora responde el modelo recién desplegado (classify_intent) y se registra su respuesta;'
\echo '   el equipo los revisa todos. Son el examen del modelo activo: nunca los vio.'
CREATE TEMP TABLE demo_new AS
SELECT r.n, r.text, r.intent AS true_intent, p.predicted_intent, p.confidence, p.uncertain,
       record_interaction(r.text, CASE WHEN p.uncertain THEN 'uncertain' ELSE p.predicted_intent END,
                          round(p.confidence * 100)::integer, p_response_source => 'pg_intent') AS id
  FROM (SELECT *, row_number() OVER () AS n FROM demo_rows WHERE split = 'test') AS r
 CROSS JOIN LATERAL predict_intent(r.text) AS p;
SELECT format('   El modelo acertó %s, se abstuvo en %s (uncertain: pasan a una persona) y falló %s.',
              count(*) FILTER (WHERE NOT uncertain AND predicted_intent = true_intent),
              count(*) FILTER (WHERE uncertain),
              count(*) FILTER (WHERE NOT uncertain AND predicted_intent <> true_intent))
  FROM demo_new;
SELECT format('   Revisión: %s corregidos, %s aprobados.',
              (SELECT count(submit_intent_correction(id, true_intent, p_notes => 'revisión demo'))
                 FROM demo_new WHERE uncertain OR predicted_intent <> true_intent),
              (SELECT approve_training_samples(array_agg(id)) ->> 'updated'
                 FROM demo_new WHERE NOT uncertain AND predicted_intent = true_intent));
\echo '   Segundo entrenamiento: la puerta compara el modelo nuevo con el activo en esas filas revisadas'
\echo '   (el nuevo, por pliegues que no las incluyen) y solo despliega si es mejor.'
SELECT train_intent_model('segundo modelo') AS run2 \gset
SELECT pg_temp.run_summary(:'run2'::jsonb);
SELECT * FROM pg_temp.gate(:'run2'::jsonb)
\g (format=aligned tuples_only=off)

\echo
\echo '== 5. La cola de revisión (review queue, ai_review_queue) y un tercer entrenamiento'
SELECT CASE WHEN (:'run2'::jsonb ->> 'deployed')::boolean
            THEN '   Aún quedan etiquetas erróneas del bot. La cola ordena lo pendiente por el valor de revisarlo.'
            ELSE '   ¿Por qué no mejoró? Quedan etiquetas erróneas del bot. La cola ordena lo pendiente por el valor de revisarlo.' END;
\echo '   Arriba, las sospechas de etiqueta errónea: un modelo que no vio el mensaje predice otra intención'
\echo '   y da poca probabilidad a la etiqueta guardada.'
SELECT q.rank AS "#", left(q.user_message, 44) AS mensaje, q.intent AS etiqueta, q.suspected_intent AS "sospecha",
       pg_temp.n2(q.label_probability) AS "prob. etiqueta"
  FROM ai_review_queue AS q ORDER BY q.rank LIMIT 5
\g (format=aligned tuples_only=off)
SELECT format('   Motivo del nº 1: %s', rank_reason) FROM ai_review_queue WHERE rank = 1;
SELECT format('   De las %s primeras sospechas, %s son errores reales del bot que nadie había corregido (quedaban %s).',
              count(*), count(*) FILTER (WHERE c.true_intent <> c.bot_intent),
              (SELECT count(*) FROM demo_capture AS c2 JOIN ai_training_data AS t ON t.id = c2.id
                WHERE c2.true_intent <> c2.bot_intent AND NOT t.corrected_by_human))
  FROM (SELECT * FROM ai_review_queue WHERE tier = 'label_error' ORDER BY rank LIMIT 10) AS q
  JOIN demo_capture AS c ON c.id = q.id;
-- The team reviews those 10: corrects the real errors, approves the rest.
SELECT format('   El equipo revisa esas %s: corrige %s y aprueba %s que estaban bien.', count(*),
              count(CASE WHEN c.true_intent <> c.bot_intent
                         THEN submit_intent_correction(c.id, c.true_intent, p_notes => 'cola de revisión') END),
              count(CASE WHEN c.true_intent = c.bot_intent THEN approve_training_sample(c.id) END))
  FROM (SELECT * FROM ai_review_queue WHERE tier = 'label_error' ORDER BY rank LIMIT 10) AS q
  JOIN demo_capture AS c ON c.id = q.id;
\echo '   Tercer entrenamiento: otra vez por la puerta de despliegue.'
SELECT train_intent_model('tercer modelo') AS run3 \gset
SELECT pg_temp.run_summary(:'run3'::jsonb);
SELECT * FROM pg_temp.gate(:'run3'::jsonb)
\g (format=aligned tuples_only=off)

\echo
\echo '== 6. Predicciones (predict_intent, classify_intent), con abstenciones'
\echo '   Si la confianza no llega al umbral del modelo, no adivina: classify_intent() devuelve "uncertain"'
\echo '   y la conversación pasa a una persona.'
SELECT m AS mensaje,
       classify_intent(m) AS "classify_intent()",
       p.predicted_intent AS "mejor intención",
       pg_temp.pct(p.confidence) AS confianza
  FROM unnest(ARRAY['quiero devolver las zapatillas',
                    'mi pedido no llegó y ya pasaron 2 semanas',
                    'me cobraron dos veces la misma compra',
                    'puedo cambiar la dirección de entrega?',
                    'quiero hablar con una persona real',
                    'el cupón VERANO20 no me funciona',
                    'qwerty asdf',
                    '¿a qué hora juega el Madrid?']) WITH ORDINALITY AS u(m, i)
 CROSS JOIN LATERAL predict_intent(m) AS p
 ORDER BY i
\g (format=aligned tuples_only=off)
SELECT format('   Umbral de abstención del modelo activo: %s.', pg_temp.n2(confidence_threshold))
  FROM ai_intent_models WHERE is_active;
-- Why one prediction (explain_intent): the word n-grams that weigh most for it.
SELECT format(E'   Por qué «%s» es %s (explain_intent): pesan sobre todo %s,\n'
              '   y trozos de palabra, que aguantan las faltas de ortografía.',
              m, e ->> 'intent',
              (SELECT string_agg(format('«%s» %s', t ->> 'term', to_char(round((t ->> 'contribution')::numeric, 2), 'FMS0.00')),
                                 ', ' ORDER BY o)
                 FROM (SELECT t, o, row_number() OVER (ORDER BY o) AS k
                         FROM jsonb_array_elements(e -> 'terms') WITH ORDINALITY AS w(t, o)
                        WHERE t ->> 'kind' = 'word') AS words
                WHERE k <= 3))
  FROM (VALUES ('me cobraron dos veces la misma compra')) AS v(m),
       LATERAL explain_intent(m, 200) AS e;

\echo
\echo '== 7. El informe HTML del último entrenamiento (training_report(NULL, ''html''))'
\echo '   Una sola página: métricas, decisión de despliegue, matriz de confusión, calibración.'
SELECT training_report(NULL, 'html') \g (format=unaligned tuples_only=on) :report
