-- The rules of a model's recorded figures that every area reads (training,
-- deploy, metrics, snapshots, reports, alerts): before the first of them,
-- since a SQL-language caller is validated when it is created.

-- A model's F1: its metrics' f1, else their macro_f1 (a report carries
-- both, equal; a metrics object written otherwise may hold macro_f1 only).
-- The one statement of the rule, for a model row's metrics, a run report's
-- metrics object and a report's baseline_metrics alike; every reader of a
-- model's F1 calls it (the run's own intent_f1_score or baseline_f1_score
-- column, which some readers prefer or fall back to, is a recorded column,
-- not this rule).
--   numeric, the type of a jsonb number: the value as recorded, exact. A
-- caller that wants double precision casts it, and gets the bits the text
-- would have given (a jsonb number's text is its numeric's); one that
-- rounds rounds the recorded decimal, not a float8's 15 digits of it.
--   A SQL-standard body without a SET clause, as is_valid_intent_name():
-- bound when created (the extension script pins search_path, and every
-- operator is pg_catalog's), so no caller's search_path reaches it, and
-- inlined into the views and queries that call it once per model. Open to
-- PUBLIC, the one internal function besides the words of errors: the
-- security invoker view ai_model_registry calls it for any role that may
-- read the view, and it reads nothing but its argument.
CREATE OR REPLACE FUNCTION intent_internal._pg_intent_model_f1(p_metrics jsonb)
RETURNS numeric
LANGUAGE sql IMMUTABLE PARALLEL SAFE
RETURN coalesce((p_metrics OPERATOR(pg_catalog.->>) 'f1')::pg_catalog.numeric,
                (p_metrics OPERATOR(pg_catalog.->>) 'macro_f1')::pg_catalog.numeric);
COMMENT ON FUNCTION intent_internal._pg_intent_model_f1(jsonb) IS
    'Internal: a model''s F1 from its metrics, exactly as recorded: f1, else macro_f1; NULL when neither. The one rule every reader of a model''s F1 applies (ai_model_registry, get_classifier_metrics(), get_ai_training_metrics(), the snapshots, the alerts, the reports, the training''s estimate).';
