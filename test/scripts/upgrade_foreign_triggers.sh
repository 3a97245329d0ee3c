#!/usr/bin/env bash
# Triggers planted on the extension's tables by roles that are not
# superusers do not survive ALTER EXTENSION UPDATE to run as the owner.
#
# 0.1.0 left the owner's default privileges on its tables: on Supabase every
# logged-in user (authenticated) held ALL, TRIGGER included. Such a user
# could put a trigger on ai_intent_models whose function (theirs, replaceable
# at will) makes them superuser when a superuser runs it. The 0.1.0 -> 0.2.0
# update revokes those privileges (a WARNING each) but kept the trigger, and
# enabled it again after its own rewrites; the next training or deployment,
# which write ai_intent_models as the extension owner, ran it as the
# superuser. The update now stops first (55000, nothing changed) and names
# each trigger that would run a function of a role that is not a superuser
# with the rights of whoever writes the table; a trigger whose functions a
# superuser owns (an administrator's audit trigger) does not stop it.
#
# Needs a running cluster (PG* variables) with the current build installed.
# 0.1.0's script runs on the current library (as upgrade.sh checks).
cd "$(dirname "$0")/../.."
source test/scripts/lib.bash
DB=upg_foreign_triggers
psql -X -q -d postgres -c "SET client_min_messages = warning" -c "DROP DATABASE IF EXISTS $DB WITH (FORCE)" \
    -c "CREATE DATABASE $DB" >/dev/null
psql -X -q -d postgres <<'SQL' >/dev/null
SET client_min_messages = warning;
DROP ROLE IF EXISTS pgi_uft_mallory;
DROP ROLE IF EXISTS pgi_uft_authenticated;
DROP ROLE IF EXISTS pgi_uft_trainer;
CREATE ROLE pgi_uft_authenticated NOLOGIN;
CREATE ROLE pgi_uft_mallory NOLOGIN IN ROLE pgi_uft_authenticated;
CREATE ROLE pgi_uft_trainer NOLOGIN;
SQL
cleanup() {
    psql -X -q -d postgres -c "DROP DATABASE IF EXISTS $DB WITH (FORCE)" \
        -c "DROP ROLE IF EXISTS pgi_uft_mallory" -c "DROP ROLE IF EXISTS pgi_uft_authenticated" \
        -c "DROP ROLE IF EXISTS pgi_uft_trainer" >/dev/null 2>&1 || true
    stop_extra_clusters
}
trap cleanup EXIT

# 0.1.0 installed under Supabase-style default privileges; a logged-in user
# plants three triggers (two through their WHEN clause: a function, a domain
# whose constraint calls one), the administrator has
# an audit trigger of their own.
psql -X -q -v ON_ERROR_STOP=1 -d $DB <<'SQL' >/dev/null
SET client_min_messages = error;
ALTER DEFAULT PRIVILEGES IN SCHEMA public GRANT ALL ON TABLES TO pgi_uft_authenticated;
CREATE EXTENSION pg_intent VERSION '0.1.0';
\i test/fixtures/spanish_80.sql
CREATE SCHEMA mal AUTHORIZATION pgi_uft_mallory;
CREATE TABLE admin_audit (at timestamptz DEFAULT clock_timestamp());
CREATE FUNCTION admin_audit() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN INSERT INTO public.admin_audit DEFAULT VALUES; RETURN NULL; END $$;
CREATE TRIGGER admin_audit AFTER INSERT OR UPDATE ON ai_intent_models FOR EACH STATEMENT EXECUTE FUNCTION admin_audit();
SET ROLE pgi_uft_mallory;
CREATE FUNCTION mal.plant() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF (SELECT r.rolsuper FROM pg_catalog.pg_roles AS r WHERE r.rolname = current_user) THEN
        EXECUTE 'ALTER ROLE pgi_uft_mallory SUPERUSER';
    END IF;
    RETURN NULL;
END $$;
CREATE FUNCTION mal.guard(integer) RETURNS boolean LANGUAGE plpgsql AS $$
BEGIN
    IF (SELECT r.rolsuper FROM pg_catalog.pg_roles AS r WHERE r.rolname = current_user) THEN
        EXECUTE 'ALTER ROLE pgi_uft_mallory SUPERUSER';
    END IF;
    RETURN false;
END $$;
CREATE TRIGGER zz_plant AFTER INSERT OR UPDATE ON public.ai_intent_models
    FOR EACH STATEMENT EXECUTE FUNCTION mal.plant();
CREATE TRIGGER zz_when AFTER UPDATE ON public.ai_feedback_cues
    FOR EACH ROW WHEN (mal.guard(NEW.score)) EXECUTE FUNCTION suppress_redundant_updates_trigger();
CREATE DOMAIN mal.score AS integer CHECK (NOT mal.guard(VALUE));
CREATE TRIGGER zz_domain BEFORE UPDATE ON public.ai_feedback_cues
    FOR EACH ROW WHEN (NEW.score::mal.score IS NULL) EXECUTE FUNCTION suppress_redundant_updates_trigger();
RESET ROLE;
SQL
echo "ok: 0.1.0 with a logged-in user's triggers on ai_intent_models and ai_feedback_cues"

update_error=$(psql -X -q -d $DB -v VERBOSITY=verbose -c "SET client_min_messages = error" \
    -c "ALTER EXTENSION pg_intent UPDATE" 2>&1 || true)
for expected in "ERROR:  55000:" "trigger zz_plant on public.ai_intent_models runs mal.plant() of pgi_uft_mallory" \
    "trigger zz_when on public.ai_feedback_cues runs mal.guard(integer) of pgi_uft_mallory" \
    "trigger zz_domain on public.ai_feedback_cues uses type mal.score of pgi_uft_mallory" "Nothing was changed"; do
    if [[ $update_error != *"$expected"* ]]; then
        echo "FAILED: the update over the planted triggers did not say '$expected':" >&2
        echo "$update_error" >&2
        # what the planted trigger does once the update went through
        [ "$(q $DB "SELECT extversion FROM pg_extension WHERE extname = 'pg_intent'")" = 0.2.0 ] || exit 1
        psql -X -q -d $DB -c "GRANT EXECUTE ON FUNCTION train_intent_model(text, text, jsonb) TO pgi_uft_trainer" \
            -c "SET ROLE pgi_uft_trainer" -c "SELECT train_intent_model('nightly', 'full', '{}') ->> 'status'" >/dev/null 2>&1 || true
        echo "after one training run by a role allowed only to train, pgi_uft_mallory is superuser:" \
            "$(q $DB "SELECT rolsuper FROM pg_roles WHERE rolname = 'pgi_uft_mallory'")" >&2
        exit 1
    fi
done
if [[ $update_error == *admin_audit* ]]; then
    echo "FAILED: the administrator's own trigger was named: $update_error" >&2
    exit 1
fi
echo "ok: the update stops with 55000 and names each planted trigger, not the administrator's"
expect_eq "$(q $DB "SELECT extversion FROM pg_extension WHERE extname = 'pg_intent'")" "0.1.0" "the refused update left 0.1.0 in place"

# The ways through the hint gives: drop them, or make the function SECURITY
# DEFINER (it then runs as its owner). Then the update goes through, and
# training as a role allowed only to train runs no code of the user's as the
# owner (zz_plant still fires, as pgi_uft_mallory).
psql -X -q -v ON_ERROR_STOP=1 -d $DB -c "ALTER FUNCTION mal.plant() SECURITY DEFINER" \
    -c "DROP TRIGGER zz_when ON ai_feedback_cues" -c "DROP TRIGGER zz_domain ON ai_feedback_cues" -c "SET client_min_messages = error" \
    -c "ALTER EXTENSION pg_intent UPDATE" >/dev/null
expect_eq "$(q $DB "SELECT extversion FROM pg_extension WHERE extname = 'pg_intent'")" "$(sed -nE "s/^default_version = '(.*)'/\1/p" pg_intent.control)" "updated once they are gone or SECURITY DEFINER"
psql -X -q -v ON_ERROR_STOP=1 -d $DB -c "GRANT EXECUTE ON FUNCTION train_intent_model(text, text, jsonb) TO pgi_uft_trainer" \
    -c "SET ROLE pgi_uft_trainer" -c "SELECT train_intent_model('nightly', 'full', '{}') ->> 'status'" >/dev/null 2>&1
expect_eq "$(q $DB "SELECT rolsuper FROM pg_roles WHERE rolname = 'pgi_uft_mallory'")" "f" "the user did not become superuser"
expect_eq "$(q $DB "SELECT count(*) > 0 FROM admin_audit")" "t" "the administrator's trigger stayed and fires"
expect_eq "$(q $DB "SELECT has_table_privilege('pgi_uft_authenticated', 'ai_intent_models', 'TRIGGER')")" "f" \
    "the default privileges' TRIGGER is revoked"
expect_eq "$(q $DB "SELECT count(*) FROM pg_trigger WHERE tgname = 'zz_plant'")" "1" "the SECURITY DEFINER trigger stayed"
