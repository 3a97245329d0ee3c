#!/usr/bin/env bash
# Every function a low-privileged role can call, fed hostile arguments.
# "Every PUBLIC function is attack surface": the extension's functions that
# PUBLIC may execute, and those the documented Supabase recipe
# (docs/privileges.md) adds for anon, authenticated and service_role, are
# listed from pg_proc when the test runs, and each is called as the least
# privileged of those roles that may call it:
#  - with an ordinary value in every argument, with NULL in all of them, and
#    with each hostile value of its type in each argument in turn: NULL,
#    empty, blank, control characters, % sequences, 1 MB and 100 MB texts;
#    every odd type and VARIADIC form for "any" (records, arrays of 10^6
#    elements, nested arrays, VARIADIC NULL and '{}', more arguments than
#    allowed); jsonb nested 5,000 levels deep, a 10^6-key object, and each
#    key the training options name given each wrong type; empty, 1-byte,
#    random, corrupted-model and 100 MB bytea; 0, -1 and the ends of integer
#    and bigint; NaN and infinities; infinite and extreme timestamps; arrays
#    of uuids and texts empty, nested, of NULLs and of 10^6 elements;
#  - each call in a transaction rolled back (a call changes nothing the
#    next one sees), under statement_timeout (200 ms for the functions that
#    train, which then stop at their first check with 57014 or finish; 20 s
#    for the others, only to bound a hang) and, on 17 and later,
#    transaction_timeout;
#  - the postmaster never restarts and a session opened before survives; no
#    call fails with XX000 or with a SQLSTATE that docs/errors.md does not
#    document (any class 42 error of a query the caller passes is its own);
#    the backend's peak memory (VmHWM, reset before each call through
#    /proc/PID/clear_refs) grows by no more than a bound on the size of the
#    call's input; nothing a call returns or raises shows the hidden
#    classifier's text or the message only the owner may read (but to
#    service_role, which reads every row).
# A function or an argument type the generators below do not know fails the
# test: a new function open to these roles is covered, or the test says so.
# Nothing here compares timings. About a minute on 2 cores.
cd "$(dirname "$0")/../.."
source test/scripts/lib.bash
DB=pgi_public_fuzz
# (the NOTICEs of training, which the setup runs, would only be noise)
export PGOPTIONS="${PGOPTIONS:-} -c client_min_messages=warning"
FUZZ_ROLE=pgi_fuzz
CANARY=fuzzcanary
drop_all() {
    drop_db $DB
    for r in $FUZZ_ROLE anon authenticated service_role authenticator; do
        psql -X -q -d postgres -c "DROP ROLE IF EXISTS $r" >/dev/null 2>&1 || true
    done
}
trap 'drop_all; stop_own_clusters; stop_extra_clusters' EXIT
drop_all
create_supabase_roles
psql -X -q -d postgres -c "CREATE ROLE $FUZZ_ROLE LOGIN" >/dev/null

# ------------------------------------------------------------------ setup
# A database set up as Supabase's (create_supabase_db: its default
# privileges too), with the documented recipe applied.
create_supabase_db $DB
psql -X -q -v ON_ERROR_STOP=1 -d $DB <<'SQL' >/dev/null
SET client_min_messages = warning;
CREATE EXTENSION pg_intent;
SQL
doc_sql_block supabase-recipe >"$TEST_TMP/recipe.sql" || exit 1
[ -s "$TEST_TMP/recipe.sql" ] || { echo "FAILED: no Supabase recipe in docs/" >&2; exit 1; }
psql -X -q -v ON_ERROR_STOP=1 -d $DB -f "$TEST_TMP/recipe.sql" >/dev/null
load_ecommerce $DB
# A model of the built-in classifier, a named classifier the fuzzing role may
# predict with, and one it may not see at all (its name, rows and labels
# carry the canary that no output or error may show).
q $DB "SELECT train_intent_model('fuzz') ->> 'status'" >/dev/null
create_mirror_classifier $DB '{}'
psql -X -q -v ON_ERROR_STOP=1 -d $DB <<SQL >/dev/null
SET client_min_messages = warning;
SELECT train_classifier('mirror') ->> 'status';
SELECT grant_classifier_access('mirror', '$FUZZ_ROLE', 'predict');
SELECT grant_classifier_access('mirror', 'anon', 'predict');
CREATE TABLE ${CANARY}_rows AS
    SELECT g AS id, 'mensaje ${CANARY} ' || g AS body, '${CANARY}_' || (g % 3) AS label, now() AS created_at
      FROM generate_series(1, 60) g;
SELECT create_classifier('${CANARY}_hidden', '${CANARY}_rows', 'body', 'label');
SELECT train_classifier('${CANARY}_hidden') ->> 'status';
INSERT INTO ai_training_data (user_message, detected_intent, confidence_score)
    VALUES ('secreto ${CANARY} 4111 1111 1111 1111', 'return_process', 90);
SQL
MODEL=$(q $DB "SELECT id FROM ai_intent_models WHERE classifier = 'intent' AND is_active")
LABEL_MODEL=$(q $DB "SELECT id FROM ai_intent_models WHERE classifier = 'mirror' AND is_active")
HIDDEN_MODEL=$(q $DB "SELECT id FROM ai_intent_models WHERE classifier = '${CANARY}_hidden' AND is_active")
ROW_ID=$(q $DB "SELECT id FROM ai_training_data ORDER BY created_at LIMIT 1")
# The large inputs, built once by the owner and read by every caller: a
# call's input is then what it is passed, not what builds it.
psql -X -q -v ON_ERROR_STOP=1 -d $DB <<SQL >/dev/null
SELECT setseed(0.25);
CREATE TABLE fuzz_in (k text PRIMARY KEY, t text, b bytea, j jsonb, a int[]);
INSERT INTO fuzz_in (k, t) VALUES
    ('t1mb', repeat('quiero devolver el pedido ', 40330)),
    ('t100mb', repeat('quiero devolver el pedido ', 4033000));
INSERT INTO fuzz_in (k, b) VALUES
    ('b100mb', convert_to(repeat('quiero devolver el pedido ', 4033000), 'UTF8')),
    ('brandom', (SELECT decode(string_agg(lpad(to_hex((random() * 255)::int), 2, '0'), ''), 'hex')
                   FROM generate_series(1, 65536))),
    -- a real model's bytes, and the same with every 97th byte flipped
    ('bmodel', (SELECT model FROM ai_intent_models WHERE id = $MODEL)),
    ('bflipped', (SELECT model FROM ai_intent_models WHERE id = $MODEL));
UPDATE fuzz_in SET b = set_byte(set_byte(set_byte(b, 40, 255 - get_byte(b, 40)),
                                         length(b) / 2, 255 - get_byte(b, length(b) / 2)),
                                length(b) - 9, 255 - get_byte(b, length(b) - 9))
 WHERE k = 'bflipped';
INSERT INTO fuzz_in (k, j) VALUES
    ('jkeys', (SELECT jsonb_object_agg('k' || g, g) FROM generate_series(1, 1000000) g)),
    ('jdeep', (SELECT (repeat('[', 5000) || repeat(']', 5000))::jsonb)),
    ('jdeepobj', (SELECT (repeat('{"a":', 5000) || '1' || repeat('}', 5000))::jsonb)),
    ('jlong', jsonb_build_object('name', repeat('x', 1048576)));
INSERT INTO fuzz_in (k, a) VALUES
    ('a1m', ARRAY(SELECT generate_series(1, 1000000)));
GRANT SELECT ON fuzz_in TO PUBLIC;
CREATE TYPE fuzz_pair AS (a int, b text);
SQL

# ------------------------------------------------------------- generators
# gen TYPE: the values of an argument of TYPE, one a line:
#   label <TAB> input size in MB <TAB> SQL expression
# The first line is the ordinary value the other arguments take while one
# argument is fuzzed. An expression reads the large inputs from fuzz_in.
big() { echo "(SELECT $1 FROM public.fuzz_in WHERE k = '$2')"; }
gen() {
    case "$1" in
    text)
        printf '%s\t0\t%s\n' \
            ordinary "'quiero devolver el pedido'" \
            null 'NULL::text' \
            empty "''" \
            blank "'   '" \
            controls "E'\\x01\\x02\\t\\n\\r\\x1b[31m\\x7f'" \
            utf8_odd "E'\\u00f1and\\u00fa \\U0001F600 \\u200b\\ufeff\\u0301'" \
            percent "'%s %1\$s %999999999\$s %% %d %n %'" \
            placeholders "repeat('%s', 5000)" \
            quotes "E'\\'; DROP TABLE x; --\"\\\\'" \
            long_name "repeat('a', 300)" \
            reserved "'uncertain'" \
            canary_name "'${CANARY}_hidden'"
        printf '%s\t1\t%s\n' 1mb "$(big t t1mb)"
        printf '%s\t100\t%s\n' 100mb "$(big t t100mb)"
        ;;
    bytea)
        printf '%s\t0\t%s\n' \
            model "$(big b bmodel)" \
            flipped "$(big b bflipped)" \
            null 'NULL::bytea' \
            empty "''::bytea" \
            one_byte "'\\x00'::bytea" \
            magic_only "'\\x50474931'::bytea" \
            random "$(big b brandom)" \
            ones "decode(repeat('ff', 4096), 'hex')"
        printf '%s\t100\t%s\n' 100mb "$(big b b100mb)"
        ;;
    jsonb)
        printf '%s\t0\t%s\n' \
            ordinary "'{}'::jsonb" \
            null 'NULL::jsonb' \
            json_null "'null'::jsonb" \
            scalar "'1'::jsonb" \
            string "'\"x\"'::jsonb" \
            array "'[1, 2]'::jsonb" \
            deep_array "$(big j jdeep)" \
            deep_object "$(big j jdeepobj)"
        printf '%s\t1\t%s\n' long_value "$(big j jlong)"
        printf '%s\t20\t%s\n' 1m_keys "$(big j jkeys)"
        ;;
    integer)
        printf '%s\t0\t%s\n' ordinary 3 null 'NULL::integer' zero 0 minus_one -1 \
            max 2147483647 min '(-2147483648)'
        ;;
    bigint)
        printf '%s\t0\t%s\n' ordinary "$MODEL" null 'NULL::bigint' zero 0 minus_one -1 \
            other_model "$LABEL_MODEL" hidden_model "$HIDDEN_MODEL" \
            max 9223372036854775807 min '(-9223372036854775808)::bigint'
        ;;
    "double precision")
        printf '%s\t0\t%s\n' ordinary 0.5 null 'NULL::float8' zero 0 negative -1 above_one 2 \
            nan "'NaN'::float8" inf "'Infinity'::float8" minus_inf "'-Infinity'::float8" tiny 5e-324
        ;;
    numeric)
        printf '%s\t0\t%s\n' ordinary 0.75 null 'NULL::numeric' zero 0 negative -1 \
            nan "'NaN'::numeric" inf "'Infinity'::numeric" huge "('1e' || 100000)::numeric" \
            precise "('0.' || repeat('3', 16383))::numeric"
        ;;
    boolean)
        printf '%s\t0\t%s\n' ordinary false null 'NULL::boolean' true true
        ;;
    uuid)
        printf '%s\t0\t%s\n' ordinary "'$ROW_ID'::uuid" null 'NULL::uuid' \
            zero "'00000000-0000-0000-0000-000000000000'::uuid" unknown_row 'gen_random_uuid()'
        ;;
    "\"any\"")
        # a lone "any" argument (not variadic)
        printf '%s\t0\t%s\n' \
            ordinary "'x'::text" null_unknown 'NULL' null_text 'NULL::text' \
            int 42 array "ARRAY[1, 2]" nested "ARRAY[[1, 2], [3, 4]]" record "ROW(1, 'a')" \
            composite "ROW(1, 'a')::public.fuzz_pair" composite_array "ARRAY[ROW(1, 'b')::public.fuzz_pair]" \
            jsonb "'{\"a\": [1, {\"b\": null}]}'::jsonb" unknown "'untyped literal'" \
            bytea "'\\xdeadbeef'::bytea" point "point(1, 2)" interval "interval '1 day'" \
            empty_array "'{}'::int[]"
        printf '%s\t1\t%s\n' 1mb_text "$(big t t1mb)"
        printf '%s\t4\t%s\n' 1m_array "$(big a a1m)"
        printf '%s\t100\t%s\n' 100mb_text "$(big t t100mb)"
        ;;
    "VARIADIC \"any\"")
        # the whole tail of a call to a VARIADIC "any" function
        printf '%s\t0\t%s\n' \
            ordinary "'x'::text" \
            variadic_null_text "VARIADIC NULL::text[]" \
            variadic_empty "VARIADIC '{}'::text[]" \
            variadic_nested "VARIADIC ARRAY[[1, 2], [3, 4]]" \
            variadic_nulls "VARIADIC ARRAY[NULL, NULL]::text[]" \
            variadic_17 "VARIADIC ARRAY(SELECT g::text FROM generate_series(1, 17) g)" \
            variadic_records "VARIADIC ARRAY[ROW(1, 'a')::public.fuzz_pair, NULL]" \
            variadic_3d "VARIADIC '{{{1}}}'::int[]" \
            args_16 "$(seq -s, 1 16)" \
            args_17 "$(seq -s, 1 17)" \
            args_99 "$(seq -s, 1 99)" \
            mixed "NULL, 1, 'a', ARRAY[1], ROW(1, 'a'), '{}'::jsonb, NULL::unknown, 1.5::float8, true" \
            record "ROW(1, ROW(2, 'x'), ARRAY[3])" \
            unknown "'untyped literal'"
        printf '%s\t4\t%s\n' variadic_1m "VARIADIC $(big a a1m)"
        printf '%s\t4\t%s\n' 1m_array "$(big a a1m)"
        printf '%s\t1\t%s\n' 1mb_text "$(big t t1mb)"
        printf '%s\t100\t%s\n' 100mb_text "$(big t t100mb)"
        ;;
    "timestamp with time zone")
        printf '%s\t0\t%s\n' ordinary 'now()' null 'NULL::timestamptz' \
            infinity "'infinity'::timestamptz" minus_infinity "'-infinity'::timestamptz" \
            earliest "'4714-11-24 00:00:00+00 BC'::timestamptz" latest "'294276-12-31 23:59:59+00'::timestamptz" \
            epoch "'epoch'::timestamptz"
        ;;
    "uuid[]")
        printf '%s\t0\t%s\n' ordinary "ARRAY['$ROW_ID']::uuid[]" null 'NULL::uuid[]' empty "'{}'::uuid[]" \
            null_element "ARRAY[NULL]::uuid[]" repeated "array_fill('$ROW_ID'::uuid, ARRAY[3])" \
            nested "ARRAY[ARRAY['$ROW_ID'::uuid], ARRAY[gen_random_uuid()]]" \
            lower_bound "'[5:5]={$ROW_ID}'::uuid[]" \
            over_10000 "ARRAY(SELECT gen_random_uuid() FROM generate_series(1, 10001))"
        printf '%s\t16\t%s\n' 1m_elements "array_fill('$ROW_ID'::uuid, ARRAY[1000000])"
        ;;
    "text[]")
        printf '%s\t0\t%s\n' ordinary "ARRAY['a']" null 'NULL::text[]' empty "'{}'::text[]" \
            null_element "ARRAY[NULL]::text[]" nested "ARRAY[['a', 'b'], ['c', 'd']]" \
            odd_elements "ARRAY['', ' ', E'\\x01', '%s']"
        printf '%s\t1\t%s\n' 1mb_element "ARRAY[$(big t t1mb)]"
        printf '%s\t12\t%s\n' 1m_elements "array_fill('x'::text, ARRAY[1000000])"
        ;;
    regclass)
        printf '%s\t0\t%s\n' ordinary "'public.mirror_rows'::regclass" null 'NULL::regclass' \
            catalog "'pg_catalog.pg_authid'::regclass" messages "'public.ai_training_data'::regclass" \
            hidden "'public.${CANARY}_rows'::regclass" index "'public.fuzz_in_pkey'::regclass" \
            sequence "'public.ai_intent_models_id_seq'::regclass" zero "0::regclass" unknown_oid "4294967295::oid::regclass"
        ;;
    name)
        printf '%s\t0\t%s\n' ordinary "'body'::name" null 'NULL::name' empty "''::name" \
            system "'ctid'::name" quoted "'\"; DROP TABLE x; --'::name" long "repeat('a', 100)::name" \
            other "'label'::name"
        ;;
    *)
        return 1
        ;;
    esac
}
# The ordinary value of a parameter whose name says more than its type.
ordinary_by_name() {
    case "$1" in
    p_name) if [ "$3" = public.create_classifier ]; then echo "'fuzz_new'"; else echo "'mirror'"; fi ;;
    p_query) echo "\$\$VALUES ('quiero devolver el pedido', 'return_process')\$\$" ;;
    p_pattern) echo "'x %s y'" ;;
    p_language) echo "'es'" ;;
    p_key) echo "'review.reason.low_confidence'" ;;
    p_role) echo "'$FUZZ_ROLE'" ;;
    p_access) echo "'predict'" ;;
    p_model_id | p_challenger_model_id) [ "$2" = bigint ] && echo "$MODEL" ;;
    p_partition | p_run_name) echo "NULL::text" ;;
    p_label | p_predicted_label | p_detected_intent | p_correct_intent) echo "'return_process'" ;;
    p_options) echo "'{}'::jsonb" ;;
    *) ;;
    esac
}
# jsonb options: each key a function documents, given each wrong type.
option_keys() {
    q $DB "SELECT string_agg(k, ' ') FROM jsonb_object_keys(intent_training_options('{}')) AS k"
}

# ------------------------------------------------------- the functions
# Each extension function that PUBLIC, anon, authenticated or service_role
# may execute, with the first of them that may (the caller it runs as).
q $DB "SELECT format('%I.%I', n.nspname, p.proname), p.oid,
              CASE WHEN has_function_privilege('public', p.oid, 'execute') THEN '$FUZZ_ROLE'
                   WHEN has_function_privilege('anon', p.oid, 'execute') THEN 'anon'
                   WHEN has_function_privilege('authenticated', p.oid, 'execute') THEN 'authenticated'
                   ELSE 'service_role' END,
              coalesce(array_to_string(p.proargnames, ','), ''),
              array_to_string(ARRAY(SELECT format_type(t, NULL) FROM unnest(p.proargtypes) t), ','),
              p.provariadic <> 0, p.proretset, p.pronargdefaults,
              has_function_privilege('public', p.oid, 'execute')
         FROM pg_proc p
         JOIN pg_namespace n ON n.oid = p.pronamespace
         JOIN pg_depend d ON d.classid = 'pg_proc'::regclass AND d.objid = p.oid AND d.deptype = 'e'
         JOIN pg_extension e ON e.oid = d.refobjid AND e.extname = 'pg_intent'
        WHERE p.prokind = 'f'
          AND (has_function_privilege('public', p.oid, 'execute')
               OR has_function_privilege('anon', p.oid, 'execute')
               OR has_function_privilege('authenticated', p.oid, 'execute')
               OR has_function_privilege('service_role', p.oid, 'execute'))
        ORDER BY 1, 2" >"$TEST_TMP/functions"
public_count=$(awk -F'|' '$9 == "t"' "$TEST_TMP/functions" | wc -l)
echo "functions: $(wc -l <"$TEST_TMP/functions") ($public_count open to PUBLIC)"
[ "$public_count" -gt 0 ] || { echo "FAILED: no function open to PUBLIC found" >&2; exit 1; }

# The SQLSTATEs docs/errors.md documents, with 00000 (success).
documented=" 00000 $(grep '^| `' docs/errors.md | cut -d'|' -f2 | grep -oE '`[0-9A-Z]{5}`' | tr -d '`' | tr '\n' ' ')"
# The SQLSTATEs PostgreSQL itself raises while building a call's arguments
# (none so far: every input is built before the calls, by the owner).

# Every call under a statement_timeout that only bounds a hang (the runs a
# trainer starts, under 200 ms: they stop at their first check, with 57014,
# or finish first), and transaction_timeout on 17 and later.
server_num=$(q $DB "SHOW server_version_num")
timeouts() { # statement_timeout
    echo "SET statement_timeout = '$1';"
    [ "$server_num" -ge 170000 ] && echo "SET transaction_timeout = '$((${1%ms} * 2))ms';"
    return 0
}

# A psql script for one function: each call resets the backend's peak
# memory, runs, and reports its SQLSTATE, whether its result showed the
# canary, and its message; peaks go to $TEST_TMP/hwm.
: >"$TEST_TMP/hwm"
: >"$TEST_TMP/calls"
missing=0
call_id=0
while IFS='|' read -r fn oid role argnames argtypes variadic retset ndefaults public; do
    IFS=, read -r -a types <<<"$argtypes"
    IFS=, read -r -a names <<<"$argnames"
    nargs=${#types[@]}
    [ -z "$argtypes" ] && nargs=0
    if [ "$variadic" = t ]; then types[nargs - 1]="VARIADIC ${types[nargs - 1]}"; fi
    # the values of each argument: gen's lines, and the ordinary value
    declare -a base=()
    ok=1
    for ((i = 0; i < nargs; i++)); do
        if ! gen "${types[i]}" >"$TEST_TMP/gen.$i"; then
            echo "FAILED: no generator for argument ${names[i]:-$((i + 1))} of type ${types[i]} of $fn (add one to gen())" >&2
            missing=1
            ok=0
            continue
        fi
        b=$(ordinary_by_name "${names[i]:-}" "${types[i]}" "$fn")
        [ -n "$b" ] || b=$(head -1 "$TEST_TMP/gen.$i" | cut -f3)
        base[i]=$b
        # p_options: each key the options of training name, with each wrong type
        if [ "${types[i]}" = jsonb ] && [ "${names[i]:-}" = p_options ]; then
            for k in $(option_keys) deploy source_column label_column key_column partition_column min_rows; do
                for v in '"x"' -1 0 1e308 2147483648 null '[]' '{}' true '"NaN"'; do
                    printf 'key_%s=%s\t0\t%s\n' "$k" "$v" "'{\"$k\": $v}'::jsonb"
                done
            done >>"$TEST_TMP/gen.$i"
        fi
    done
    [ "$ok" = 1 ] || continue
    script=$TEST_TMP/script.$oid
    {
        echo "\\set VERBOSITY default"
        case $role in
        "$FUZZ_ROLE") ;;
        authenticated)
            echo "SET ROLE authenticated;"
            # a customer: the least an authenticated caller holds (staff read the messages)
            echo "SELECT set_config('request.jwt.claims', '{\"sub\": \"00000000-0000-0000-0000-00000000000a\", \"role\": \"authenticated\"}', false) IS NULL;"
            ;;
        *) echo "SET ROLE $role;" ;;
        esac
        echo "SELECT pg_backend_pid() AS pid \\gset"
        echo "\\setenv FZ_PID :pid"
        echo "SET client_min_messages = error;"
        emit() { # label size args...
            local label=$1 size=$2 args=$3
            call_id=$((call_id + 1))
            printf '%s\t%s\t%s\t%s\t%s\n' "$call_id" "$fn" "$role" "$label" "$size" >>"$TEST_TMP/calls"
            if [[ "$fn" =~ \.(re)?train_ ]]; then timeouts 200ms; else timeouts 20000ms; fi
            echo "\\set fz_leak none"
            echo "\\! echo 5 > /proc/\$FZ_PID/clear_refs; awk '/VmHWM/ {print \"B\", $call_id, \$2}' /proc/\$FZ_PID/status >> $TEST_TMP/hwm"
            echo "BEGIN;"
            echo "SELECT count(*) AS n, coalesce(bool_or(strpos(r::text, '$CANARY') > 0), false) AS leak FROM $fn($args) AS r \\gset fz_"
            echo "\\echo @@ $call_id :SQLSTATE :fz_leak :'LAST_ERROR_MESSAGE'"
            echo "\\! awk '/VmHWM/ {print \"A\", $call_id, \$2}' /proc/\$FZ_PID/status >> $TEST_TMP/hwm"
            echo "ROLLBACK;"
        }
        args_with() { # index value
            local out= j
            for ((j = 0; j < nargs; j++)); do
                [ "$j" -gt 0 ] && out+=", "
                if [ "$j" = "$1" ]; then out+=$2; else out+=${base[j]}; fi
            done
            echo "$out"
        }
        emit ordinary 0 "$(args_with -1 '')"
        if [ "$nargs" -gt 0 ]; then
            nulls=
            for ((j = 0; j < nargs; j++)); do
                [ "$j" -gt 0 ] && nulls+=", "
                case ${types[j]} in
                "\"any\"" | "VARIADIC \"any\"") nulls+="NULL" ;;
                *) nulls+="NULL::${types[j]}" ;;
                esac
            done
            emit all_null 0 "$nulls"
        fi
        for ((i = 0; i < nargs; i++)); do
            while IFS=$'\t' read -r label size expr; do
                [ "$expr" = "${base[i]}" ] && continue
                emit "${names[i]:-arg$((i + 1))}=$label" "$size" "$(args_with "$i" "$expr")"
            done <"$TEST_TMP/gen.$i"
        done
    } >"$script"
    echo "$oid $role" >>"$TEST_TMP/scripts"
done <"$TEST_TMP/functions"
[ "$missing" = 0 ] || exit 1
echo "ok: every argument type has a generator ($call_id calls)"

# ------------------------------------------------------------------- run
started=$(q $DB "SELECT pg_postmaster_start_time()")
session_open watcher $DB -U $FUZZ_ROLE
expect_eq "$(session_run watcher "SELECT 1;")" 1 "a session opened before the calls answers"
while read -r oid role; do
    login=$role
    [ "$role" = "$FUZZ_ROLE" ] || login=authenticator
    # timeout only bounds a hang: every statement has its statement_timeout
    timeout 600 psql -X -At -q -d $DB -U "$login" -f "$TEST_TMP/script.$oid" \
        >"$TEST_TMP/out.$oid" 2>"$TEST_TMP/err.$oid" || true
done <"$TEST_TMP/scripts"

# ------------------------------------------------------------------ checks
fail=0
# One result per call (a call without one lost its connection), with a
# SQLSTATE docs/errors.md documents, and nothing of the hidden classifier in
# what it returned or raised (unless the call named it itself). Any class 42
# error is the caller's own SQL's where the argument is a query (p_query).
awk -v calls="$TEST_TMP/calls" -v documented="$documented" -v canary="$CANARY" -v states="$TEST_TMP/states" '
    BEGIN { FS = "\t"; while ((getline l < calls) > 0) { split(l, f, "\t"); n++; id[n] = f[1]; what[f[1]] = f[2] " as " f[3] " with " f[4]; label[f[1]] = f[4]; role[f[1]] = f[3] }
            FS = " " }
    /^@@ / { l = $0; split(l, g, " "); state[g[2]] = g[3]; leak[g[2]] = g[4]
             sub(/^@@ [0-9]+ [0-9A-Z]+ [^ ]+ /, "", l); message[g[2]] = l }
    END {
        for (i = 1; i <= n; i++) {
            c = id[i]
            if (!(c in state)) { printf "FAILED: %s never finished (the connection was lost)\n", what[c]; bad = 1; continue }
            s = state[c]
            print s > states
            query_error = label[c] ~ /^p_query=/ && s ~ /^42/
            if (index(documented, " " s " ") == 0 && !query_error) {
                printf "FAILED: %s: SQLSTATE %s, which docs/errors.md does not document: %s\n", what[c], s, substr(message[c], 1, 300); bad = 1
            }
            # service_role reads every row (BYPASSRLS) and lists the classifiers
            if (label[c] !~ /canary/ && role[c] != "service_role" && (leak[c] == "t" || (s != "00000" && index(message[c], canary) > 0))) {
                printf "FAILED: %s: what it returned or raised shows the hidden classifier: %s\n", what[c], substr(message[c], 1, 300); bad = 1
            }
        }
        exit bad
    }' <(cat "$TEST_TMP"/out.* | cut -c1-1000) >&2 || fail=1
echo "calls: $(wc -l <"$TEST_TMP/calls"); SQLSTATEs: $(sort "$TEST_TMP/states" | uniq -c | sort -rn | awk '{printf "%s %s, ", $2, $1}')"
# Peak memory: what the call added to the backend's resident memory at its
# peak, against 64 MB plus 8 times its input. What a call takes of a text is
# copies of it: detoasted, passed on, returned (about 5 times for
# normalize_intent_name(), which took 13 before it trimmed bytes; the review
# functions took 7 for a 100 MB reason or note before they refused one over
# 64 kB ahead of their regular expressions, which work on 4-byte characters).
awk -v calls="$TEST_TMP/calls" '
    BEGIN { FS = "\t"; while ((getline l < calls) > 0) { split(l, f, "\t"); size[f[1]] = f[5]; what[f[1]] = f[2] " with " f[4] } FS = " " }
    $1 == "B" { before[$2] = $3 }
    $1 == "A" { grown = ($3 - before[$2]) / 1024; limit = 64 + 8 * size[$2]
                if (grown > worst) { worst = grown; worst_at = what[$2] }
                if (grown > limit) { printf "FAILED: %s grew the backend by %d MB (limit %d MB)\n", what[$2], grown, limit; bad = 1 } }
    END { printf "largest peak growth: %d MB (%s)\n", worst, worst_at; exit bad }' "$TEST_TMP/hwm" >&2 || fail=1
expect_eq "$(q $DB "SELECT pg_postmaster_start_time()")" "$started" "the postmaster never restarted"
expect_eq "$(session_run watcher "SELECT 1;")" 1 "the session opened before the calls survived them"
session_close watcher
[ "$fail" = 0 ] || exit 1
echo "ok: every call ended with its result or a documented SQLSTATE, within its memory bound, showing nothing hidden"
