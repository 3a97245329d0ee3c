#!/usr/bin/env bash
# Name capture at install and upgrade time. CREATE EXTENSION and ALTER
# EXTENSION UPDATE run the scripts with search_path set to the target schema
# (pg_catalog implicitly first). An operator or function that a role with
# CREATE on that schema planted there wins over pg_catalog's whenever it
# matches the argument types better (pg_catalog's needs an implicit cast, or
# is polymorphic or variadic), and the parser binds it for good into the
# extension's constraints, defaults and views: it then runs as whoever
# inserts a row or reads a view, a superuser included.
#
# A role with CREATE on public plants a trap operator for every comparison,
# arithmetic and concatenation operator over common types that pg_catalog
# lacks, and trap overloads of functions the views call with non-exact
# types. Then, for a fresh install and for an upgrade from 0.1.0 (installed
# before the traps):
#  - no constraint, default, index, trigger or view rule of the extension
#    depends on anything outside pg_catalog and the extension;
#  - reading every view, training and predicting as the superuser runs no
#    trap, and the planting role is not a superuser.
cd "$(dirname "$0")/../.."
source test/scripts/lib.bash
drop_all() {
    for d in pgi_capture pgi_capture_up pgi_capture_010; do drop_db $d; done
    psql -X -q -d postgres -c "DROP ROLE IF EXISTS pgi_mallory" >/dev/null 2>&1 || true
}
trap '[ -n "${KEEP:-}" ] || drop_all; rm -rf "$TEST_TMP"' EXIT
drop_all
psql -X -q -v ON_ERROR_STOP=1 -d postgres -c "CREATE ROLE pgi_mallory LOGIN"

# The traps, planted by pgi_mallory in $1's public schema ($2: the operators,
# default all of them).
plant() {
    local ops=${2:-"= <> < <= > >= + - * / % || -> ->> #> #>> ? @> <@ ~ ~~ ~~* !~"}
    psql -X -q -v ON_ERROR_STOP=1 -d "$1" -c "GRANT CREATE ON SCHEMA public TO pgi_mallory" >/dev/null
    psql -X -q -v ON_ERROR_STOP=1 -v ops="$ops" -d "$1" >/dev/null <<'SQL'
SET ROLE pgi_mallory;
SET pgi.trap_ops = :'ops';
CREATE TABLE public.trap_log (who text, what text, context text);
GRANT INSERT, SELECT ON public.trap_log TO PUBLIC;
-- Records who ran it and, when that is a superuser, makes the planter one.
CREATE FUNCTION public.trap_fired(what text) RETURNS void LANGUAGE plpgsql AS $f$
DECLARE
    ctx text;
BEGIN
    GET DIAGNOSTICS ctx = PG_CONTEXT;
    INSERT INTO public.trap_log VALUES (current_user, what, ctx);
    IF (SELECT rolsuper FROM pg_catalog.pg_roles WHERE rolname OPERATOR(pg_catalog.=) current_user) THEN
        EXECUTE 'ALTER ROLE pgi_mallory SUPERUSER';
    END IF;
END $f$;
DO $d$
DECLARE
    ops text[] := pg_catalog.string_to_array(pg_catalog.current_setting('pgi.trap_ops'), ' ');
    types text[] := ARRAY['smallint', 'integer', 'bigint', 'numeric', 'real', 'double precision', 'text',
                          'character varying', 'boolean', 'jsonb', 'json', 'timestamp with time zone', 'date',
                          'interval', 'uuid', 'bytea', 'name', 'oid', 'text[]', 'bigint[]'];
    o text; l text; r text; ret text; n int := 0;
BEGIN
    FOREACH o IN ARRAY ops LOOP
        FOREACH l IN ARRAY types LOOP
            FOREACH r IN ARRAY types LOOP
                CONTINUE WHEN EXISTS (SELECT 1 FROM pg_catalog.pg_operator
                                       WHERE oprname OPERATOR(pg_catalog.=) o
                                         AND oprleft OPERATOR(pg_catalog.=) l::regtype
                                         AND oprright OPERATOR(pg_catalog.=) r::regtype);
                ret := CASE WHEN o IN ('=', '<>', '<', '<=', '>', '>=', '?', '@>', '<@', '~', '~~', '~~*', '!~')
                                 THEN 'boolean'
                            WHEN o IN ('||', '->>', '#>>') THEN 'text' ELSE l END;
                n := n + 1;
                EXECUTE pg_catalog.format('CREATE FUNCTION public.trap_op_%s(%s, %s) RETURNS %s LANGUAGE plpgsql AS '
                    '$t$BEGIN PERFORM public.trap_fired(%L); RETURN NULL; END$t$', n, l, r, ret,
                    pg_catalog.format('operator %s(%s, %s)', o, l, r));
                EXECUTE pg_catalog.format('CREATE OPERATOR public.%s (LEFTARG = %s, RIGHTARG = %s, FUNCTION = public.trap_op_%s)',
                    o, l, r, n);
            END LOOP;
        END LOOP;
    END LOOP;
    RAISE NOTICE 'planted % operators', n;
END $d$;
-- Functions whose pg_catalog version is no exact match for such calls.
CREATE FUNCTION public.round(double precision, integer) RETURNS numeric LANGUAGE plpgsql AS
    $t$BEGIN PERFORM public.trap_fired('round(float8, int4)'); RETURN 0; END$t$;
CREATE FUNCTION public.round(real, integer) RETURNS numeric LANGUAGE plpgsql AS
    $t$BEGIN PERFORM public.trap_fired('round(float4, int4)'); RETURN 0; END$t$;
CREATE FUNCTION public.round(bigint, integer) RETURNS numeric LANGUAGE plpgsql AS
    $t$BEGIN PERFORM public.trap_fired('round(int8, int4)'); RETURN 0; END$t$;
CREATE FUNCTION public.format(text, text, numeric, text, numeric) RETURNS text LANGUAGE plpgsql AS
    $t$BEGIN PERFORM public.trap_fired('format(text, text, numeric, text, numeric)'); RETURN ''; END$t$;
CREATE FUNCTION public.format(text, text) RETURNS text LANGUAGE plpgsql AS
    $t$BEGIN PERFORM public.trap_fired('format(text, text)'); RETURN ''; END$t$;
CREATE FUNCTION public.jsonb_set(jsonb, text[], jsonb) RETURNS jsonb LANGUAGE plpgsql AS
    $t$BEGIN PERFORM public.trap_fired('jsonb_set(jsonb, text[], jsonb)'); RETURN $1; END$t$;
CREATE FUNCTION public.unnest(text[]) RETURNS SETOF text LANGUAGE plpgsql AS
    $t$BEGIN PERFORM public.trap_fired('unnest(text[])'); END$t$;
CREATE FUNCTION public.cardinality(text[]) RETURNS integer LANGUAGE plpgsql AS
    $t$BEGIN PERFORM public.trap_fired('cardinality(text[])'); RETURN 0; END$t$;
CREATE FUNCTION public.trap_agg_step(bigint[], bigint) RETURNS bigint[] LANGUAGE plpgsql AS
    $t$BEGIN PERFORM public.trap_fired('array_agg(bigint)'); RETURN $1; END$t$;
CREATE AGGREGATE public.array_agg(bigint) (SFUNC = public.trap_agg_step, STYPE = bigint[]);
SQL
}

# Every constraint, default, index, trigger and view rule of the extension
# that depends on a function or operator that neither is built in nor
# belongs to the extension.
captured() {
    # pg_catalog only: the traps must not capture this query's own operators.
    psql -X -q -At -v ON_ERROR_STOP=1 -d "$1" <<'SQL'
SET search_path = pg_catalog;
WITH ext AS (
    SELECT d.objid FROM pg_depend AS d
     WHERE d.refclassid = 'pg_extension'::regclass AND d.deptype = 'e' AND d.classid = 'pg_class'::regclass
       AND d.refobjid = (SELECT oid FROM pg_extension WHERE extname = 'pg_intent')
), member AS (
    SELECT d.classid, d.objid FROM pg_depend AS d
     WHERE d.refclassid = 'pg_extension'::regclass AND d.deptype = 'e'
       AND d.refobjid = (SELECT oid FROM pg_extension WHERE extname = 'pg_intent')
), objs AS (
    SELECT 'pg_rewrite'::regclass AS classid, r.oid AS objid, 'rule on ' || r.ev_class::regclass AS what
      FROM pg_rewrite AS r JOIN ext ON ext.objid = r.ev_class
    UNION ALL
    SELECT 'pg_constraint'::regclass, c.oid, 'constraint ' || c.conname FROM pg_constraint AS c JOIN ext ON ext.objid = c.conrelid
    UNION ALL
    SELECT 'pg_attrdef'::regclass, a.oid, 'default of ' || a.adrelid::regclass || '.' || a.adnum
      FROM pg_attrdef AS a JOIN ext ON ext.objid = a.adrelid
    UNION ALL
    SELECT 'pg_class'::regclass, i.indexrelid, 'index ' || i.indexrelid::regclass FROM pg_index AS i JOIN ext ON ext.objid = i.indrelid
    UNION ALL
    SELECT 'pg_trigger'::regclass, t.oid, 'trigger ' || t.tgname FROM pg_trigger AS t JOIN ext ON ext.objid = t.tgrelid
)
SELECT o.what || ' uses ' || CASE d.refclassid WHEN 'pg_operator'::regclass THEN 'operator ' || d.refobjid::regoperator::text
                                              ELSE 'function ' || d.refobjid::regprocedure::text END
  FROM objs AS o
  JOIN pg_depend AS d ON d.classid = o.classid AND d.objid = o.objid
 WHERE d.refclassid IN ('pg_operator'::regclass, 'pg_proc'::regclass)
   AND NOT EXISTS (SELECT 1 FROM member AS m WHERE m.classid = d.refclassid AND m.objid = d.refobjid)
 ORDER BY 1;
SQL
}

# Reads every view, trains and predicts as the superuser; prints the traps
# that ran and whether the planter became a superuser.
exercise() {
    local db=$1
    load_ecommerce "$db"
    psql -X -q -v ON_ERROR_STOP=1 -d "$db" >/dev/null <<'SQL'
SET client_min_messages = warning;
SET search_path = pg_catalog;
SELECT public.train_intent_model();
SELECT * FROM public.predict_intent('quiero devolver mi pedido');
SQL
    local v
    for v in $(PGOPTIONS="-c search_path=pg_catalog" q "$db" "SELECT c.relname FROM pg_class AS c JOIN pg_depend AS d ON d.objid = c.oid
                          WHERE c.relkind = 'v' AND d.refclassid = 'pg_extension'::regclass AND d.deptype = 'e'"); do
        psql -X -q -v ON_ERROR_STOP=1 -d "$db" -c "SET search_path = pg_catalog" -c "SELECT count(*) FROM public.$v" >/dev/null
    done
    PGOPTIONS="-c search_path=pg_catalog" q "$db" "SELECT coalesce(string_agg(DISTINCT what, '; '), 'none') FROM public.trap_log"
}

expect_clean() {
    local db=$1 what=$2 got
    got=$(captured "$db")
    if [ -n "$got" ]; then
        echo "FAILED: $what: extension objects bound to planted objects:" >&2
        echo "$got" >&2
        exit 1
    fi
    echo "ok: $what: no constraint, default, index, trigger or view uses a planted operator or function"
    expect_eq "$(exercise "$db")" "none" "$what: reading every view, training and predicting ran no trap"
    expect_eq "$(q postgres "SELECT rolsuper FROM pg_roles WHERE rolname = 'pgi_mallory'")" "f" \
        "$what: the planting role is not a superuser"
}

# ------------------------------------------------------------ fresh install
psql -X -q -v ON_ERROR_STOP=1 -d postgres -c "CREATE DATABASE pgi_capture"
plant pgi_capture
n=$(q pgi_capture "SELECT count(*) FROM pg_operator WHERE oprnamespace = 'public'::regnamespace")
[ "$n" -gt 1000 ] || { echo "FAILED: only $n trap operators planted" >&2; exit 1; }
path=$(psql -X -q -At -v ON_ERROR_STOP=1 -d pgi_capture -c "SET client_min_messages = warning" \
    -c "CREATE EXTENSION pg_intent SCHEMA public" -c "SHOW search_path")
# The scripts pin their own search_path; the session's must be left as it was.
expect_eq "$path" '"$user", public' "CREATE EXTENSION leaves the session's search_path as it was"
expect_clean pgi_capture "fresh install with $n trap operators in its schema"

# ------------------------------------------------------------------ upgrade
psql -X -q -v ON_ERROR_STOP=1 -d postgres -c "CREATE DATABASE pgi_capture_up"
psql -X -q -v ON_ERROR_STOP=1 -d pgi_capture_up -c "SET client_min_messages = warning" \
    -c "CREATE EXTENSION pg_intent VERSION '0.1.0' SCHEMA public" >/dev/null
plant pgi_capture_up
path=$(psql -X -q -At -v ON_ERROR_STOP=1 -d pgi_capture_up -c "SET client_min_messages = warning" \
    -c "ALTER EXTENSION pg_intent UPDATE" -c "SHOW search_path")
expect_eq "$path" '"$user", public' "ALTER EXTENSION UPDATE leaves the session's search_path as it was"
expect_eq "$(q pgi_capture_up "SELECT extversion FROM pg_extension WHERE extname = 'pg_intent'")" "$(sed -nE "s/^default_version = '(.*)'/\1/p" pg_intent.control)" \
    "upgrade from 0.1.0 with the traps planted after 0.1.0 was installed"
expect_clean pgi_capture_up "upgrade from 0.1.0"

# ------------------------------------- upgrade of a 0.1.0 that was captured
# 0.1.0's script did not pin its path: installed after the traps (those it
# can install with: with ->>(jsonb, json) planted it fails outright), it
# binds some of them. The upgrade must rebind everything to pg_catalog.
psql -X -q -v ON_ERROR_STOP=1 -d postgres -c "CREATE DATABASE pgi_capture_010"
plant pgi_capture_010 "= <> < <= > >= + - * / % ||"
psql -X -q -v ON_ERROR_STOP=1 -d pgi_capture_010 -c "SET client_min_messages = warning" \
    -c "CREATE EXTENSION pg_intent VERSION '0.1.0' SCHEMA public" >/dev/null
[ -n "$(captured pgi_capture_010)" ] || { echo "FAILED: 0.1.0 installed after the traps bound none of them" >&2; exit 1; }
echo "ok: 0.1.0 installed after the traps bound $(captured pgi_capture_010 | wc -l) of them"
psql -X -q -v ON_ERROR_STOP=1 -d pgi_capture_010 -c "SET client_min_messages = warning" \
    -c "ALTER EXTENSION pg_intent UPDATE" >/dev/null
psql -X -q -d postgres -c "ALTER ROLE pgi_mallory NOSUPERUSER" >/dev/null # 0.1.0's own install ran a trap
PGOPTIONS="-c search_path=pg_catalog" q pgi_capture_010 "TRUNCATE public.trap_log" >/dev/null
expect_clean pgi_capture_010 "upgrade of a 0.1.0 installed after the traps"
