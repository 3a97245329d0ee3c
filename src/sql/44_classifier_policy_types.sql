-- A classifier's policy keys take the values of ai_training_policy's
-- columns, and a value's JSON type is checked before it is converted:
-- jsonb_populate_record() turns any JSON into text ({"a": [1, 2]} became a
-- model's out-of-scope label) and 0 into false, where the training options
-- refuse both (22023).
CREATE OR REPLACE FUNCTION intent_internal._pg_intent_classifier_policy_types(p_policy jsonb)
RETURNS void
LANGUAGE plpgsql STABLE PARALLEL SAFE
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    r record;
BEGIN
    FOR r IN
        SELECT k.key, k.value,
               CASE a.atttypid WHEN 'pg_catalog.bool'::regtype THEN 'boolean'
                               WHEN 'pg_catalog.text'::regtype THEN 'string' ELSE 'number' END AS wanted
          FROM pg_catalog.jsonb_each(p_policy) AS k
          JOIN pg_catalog.pg_attribute AS a
            ON a.attrelid OPERATOR(pg_catalog.=) '@extschema@.ai_training_policy'::regclass
           AND a.attname OPERATOR(pg_catalog.=) k.key AND a.attnum OPERATOR(pg_catalog.>) 0 AND NOT a.attisdropped
         ORDER BY k.key
    LOOP
        CONTINUE WHEN pg_catalog.jsonb_typeof(r.value) OPERATOR(pg_catalog.=) ANY (ARRAY[r.wanted, 'null']);
        RAISE EXCEPTION USING MESSAGE = intent_internal._pg_intent_error_words('invalid classifier option "%s": %s', r.key, r.value::text),
                   ERRCODE = 'invalid_parameter_value',
                   DETAIL = intent_internal._pg_intent_error_words('It must be a JSON %s, as the column of ai_training_policy is.', r.wanted);
    END LOOP;
END
$$;
COMMENT ON FUNCTION intent_internal._pg_intent_classifier_policy_types(jsonb) IS
    'Internal: raises 22023 for the first policy key of p_policy whose JSON value is not of its ai_training_policy column''s kind (boolean, string or number; null passes on to the column''s own rules).';

-- A classifier's policy keys as ai_training_policy's columns take them: a
-- key of an integer column given as an integral JSON number written with a
-- fraction or an exponent (20.0, 2e1) is that integer, as the training
-- options and the classifier-only keys take one (jsonb_populate_record()
-- refused "20.0" for an integer column). Every other value is unchanged, so
-- a fraction (20.5) is refused by the column's own input function. Read by
-- _pg_intent_classifier_check_options() and _pg_intent_classifier_policy(),
-- the two places policy keys become a row.
CREATE OR REPLACE FUNCTION intent_internal._pg_intent_classifier_policy_values(p_policy jsonb)
RETURNS jsonb
LANGUAGE sql STABLE PARALLEL SAFE
SET search_path = pg_catalog, pg_temp
AS $$
    SELECT coalesce(pg_catalog.jsonb_object_agg(k.key,
               CASE WHEN a.atttypid OPERATOR(pg_catalog.=) ANY (ARRAY['pg_catalog.int2'::regtype, 'pg_catalog.int4'::regtype,
                                                                     'pg_catalog.int8'::regtype]::oid[])
                         AND pg_catalog.jsonb_typeof(k.value) OPERATOR(pg_catalog.=) 'number'
                         AND (k.value)::numeric OPERATOR(pg_catalog.=) pg_catalog.trunc((k.value)::numeric)
                    THEN pg_catalog.to_jsonb(pg_catalog.trunc((k.value)::numeric))
                    ELSE k.value END),
                    p_policy)
      FROM pg_catalog.jsonb_each(p_policy) AS k
      LEFT JOIN pg_catalog.pg_attribute AS a
        ON a.attrelid OPERATOR(pg_catalog.=) '@extschema@.ai_training_policy'::regclass
       AND a.attname OPERATOR(pg_catalog.=) k.key AND a.attnum OPERATOR(pg_catalog.>) 0 AND NOT a.attisdropped
$$;
COMMENT ON FUNCTION intent_internal._pg_intent_classifier_policy_values(jsonb) IS
    'Internal: p_policy with each key of an integer column of ai_training_policy given as an integral JSON number (20.0, 2e1) turned into that integer, as the training options take one; every other value unchanged. Read where policy keys become a row (_pg_intent_classifier_check_options(), _pg_intent_classifier_policy()).';
