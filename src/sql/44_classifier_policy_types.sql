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
