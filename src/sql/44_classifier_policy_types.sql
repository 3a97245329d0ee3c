-- The integer a JSON number is, exactly, by the one rule of every integer
-- key (intent::json_number_integer(), src/core/json.h, which the training
-- options read too): its exact decimal value is an integer (3, 3.0, 30e-1,
-- 1e0 are 3), never a double's rounding (3.0000000000000001 is no integer).
-- NULL for any other value, a number beyond bigint, a string or another
-- kind: each reader refuses or skips it as that key says.
CREATE OR REPLACE FUNCTION intent_internal._pg_intent_json_integer(p_value jsonb)
RETURNS bigint
AS 'MODULE_PATHNAME', 'pg_intent_json_integer'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION intent_internal._pg_intent_json_integer(jsonb) IS
    'Internal: the integer a JSON number is exactly (3, 3.0, 30e-1 and 1e0 are 3; 3.0000000000000001 is no integer), else NULL (a number that is not an integer or is beyond bigint, any other JSON kind): the rule of every integer key, the training options'' included.';

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
-- refused "20.0" for an integer column), by the one rule
-- (_pg_intent_json_integer()). Every other value is unchanged, so a number
-- that is no integer (20.5, 20.0000000000000001) is refused by the column's
-- own input function. Read by
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
                         AND intent_internal._pg_intent_json_integer(k.value) IS NOT NULL
                    THEN pg_catalog.to_jsonb(intent_internal._pg_intent_json_integer(k.value))
                    ELSE k.value END),
                    p_policy)
      FROM pg_catalog.jsonb_each(p_policy) AS k
      LEFT JOIN pg_catalog.pg_attribute AS a
        ON a.attrelid OPERATOR(pg_catalog.=) '@extschema@.ai_training_policy'::regclass
       AND a.attname OPERATOR(pg_catalog.=) k.key AND a.attnum OPERATOR(pg_catalog.>) 0 AND NOT a.attisdropped
$$;
COMMENT ON FUNCTION intent_internal._pg_intent_classifier_policy_values(jsonb) IS
    'Internal: p_policy with each key of an integer column of ai_training_policy given as an integral JSON number (20.0, 2e1) turned into that integer, as the training options take one; every other value unchanged. Read where policy keys become a row (_pg_intent_classifier_check_options(), _pg_intent_classifier_policy()).';
