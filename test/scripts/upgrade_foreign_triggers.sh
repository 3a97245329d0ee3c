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
# The update to 0.2.1 then names every trigger that is not the extension's
# (0.2.0 said only that one did not fire for its rewrite), what it runs and
# whose that is, and who may create triggers on that table by which grant
# (here the owner's default privileges that 0.1.0 kept). The same user had
# UPDATE on ai_intent_models_id_seq and set it to its maximum: every training
# after the update to 0.2.0 failed with 2200H; 0.2.1 sets it back to the
# highest id in use and names the grant. From 0.2.0 (a second database), a
# trigger made with a TRIGGER grant that runs its maker's own function stops
# the update as 0.2.0's did, and a sequence set behind the ids in use is set
# forward.
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
ALTER DEFAULT PRIVILEGES IN SCHEMA public GRANT ALL ON SEQUENCES TO pgi_uft_authenticated;
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
-- UPDATE on the sequence (setval): every later training fails with 2200H
SELECT setval('public.ai_intent_models_id_seq', 9223372036854775807);
RESET ROLE;
SQL
echo "ok: 0.1.0 with a logged-in user's triggers on ai_intent_models and ai_feedback_cues, ai_intent_models_id_seq at its maximum"

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
update_log=$(psql -X -q -v ON_ERROR_STOP=1 -d $DB -c "ALTER FUNCTION mal.plant() SECURITY DEFINER" \
    -c "DROP TRIGGER zz_when ON ai_feedback_cues" -c "DROP TRIGGER zz_domain ON ai_feedback_cues" \
    -c "ALTER EXTENSION pg_intent UPDATE" 2>&1 >/dev/null)
expect_eq "$(q $DB "SELECT extversion FROM pg_extension WHERE extname = 'pg_intent'")" "$(sed -nE "s/^default_version = '(.*)'/\1/p" pg_intent.control)" "updated once they are gone or SECURITY DEFINER"

# 0.2.1's step names every trigger that is not the extension's, what it runs
# and whose that is, and who may create triggers there (and by which grant:
# here the owner's default privileges, which 0.1.0 kept); it sets the
# exhausted sequence back to the highest id in use (none: its start), and
# says who could set it.
owner=$(q $DB "SELECT current_user")
for expected in \
    "WARNING:  pg_intent: trigger zz_plant on public.ai_intent_models is not the extension's: it runs mal.plant() (SECURITY DEFINER) of pgi_uft_mallory" \
    "DETAIL:  Roles that may create a trigger on public.ai_intent_models (besides superusers): $owner (owner), pgi_uft_authenticated (TRIGGER by the default privileges of $owner; pgi_uft_mallory is a member)." \
    "DETAIL:  Roles that may create a trigger on public.ai_intent_models (besides superusers): $owner (owner), pgi_uft_authenticated (TRIGGER by the default privileges of $owner)." \
    "HINT:  If you did not create it: DROP TRIGGER zz_plant ON public.ai_intent_models;" \
    "WARNING:  pg_intent: trigger admin_audit on public.ai_intent_models is not the extension's: it runs public.admin_audit() of $owner" \
    "WARNING:  pg_intent: sequence public.ai_intent_models_id_seq was at 9223372036854775807, within 1% of its maximum 9223372036854775807, far beyond the highest id in use (none): nextval() fails with 2200H once it is reached; set so that its next value is 1" \
    "Roles that may set it (UPDATE: setval) or advance it (USAGE: nextval) besides superusers: $owner (owner), pgi_uft_authenticated (UPDATE by the default privileges of $owner, USAGE by the default privileges of $owner)." \
    "HINT:  To put the old value back: SELECT pg_catalog.setval('public.ai_intent_models_id_seq', 9223372036854775807, true);"; do
    if [[ $update_log != *"$expected"* ]]; then
        echo "FAILED: the update did not say '$expected':" >&2
        echo "$update_log" >&2
        exit 1
    fi
done
echo "ok: the update names each trigger that is not the extension's, what it runs, whose it is and the grant that allowed it"
echo "ok: the update sets the exhausted ai_intent_models_id_seq back and names the grant that allowed setval()"

status=$(psql -X -q -At -v ON_ERROR_STOP=1 -d $DB -c "GRANT EXECUTE ON FUNCTION train_intent_model(text, text, jsonb) TO pgi_uft_trainer" \
    -c "SET client_min_messages = warning" -c "SET ROLE pgi_uft_trainer" \
    -c "SELECT train_intent_model('nightly', 'full', '{}') ->> 'status'" 2>&1)
expect_eq "$status" "completed" "training works after the update (it failed with 2200H before 0.2.1 set the sequence back)"
expect_eq "$(q $DB "SELECT max(id) < 1000 FROM ai_intent_models")" "t" "the new model has an ordinary id"
expect_eq "$(q $DB "SELECT rolsuper FROM pg_roles WHERE rolname = 'pgi_uft_mallory'")" "f" "the user did not become superuser"
expect_eq "$(q $DB "SELECT count(*) > 0 FROM admin_audit")" "t" "the administrator's trigger stayed and fires"
expect_eq "$(q $DB "SELECT has_table_privilege('pgi_uft_authenticated', 'ai_intent_models', 'TRIGGER')")" "f" \
    "the default privileges' TRIGGER is revoked"
expect_eq "$(q $DB "SELECT count(*) FROM pg_trigger WHERE tgname = 'zz_plant'")" "1" "the SECURITY DEFINER trigger stayed"

# From 0.2.0, where a role holds only what was granted to it: a TRIGGER
# grant on ai_training_data and UPDATE on a sequence. Its trigger runs its
# own function as whoever writes the table, so the update to 0.2.1 stops as
# 0.2.0's did (55000, nothing changed, the grant named in the WARNING once
# it goes through); the sequence it set behind the ids in use (every review
# would fail with 23505) is set forward.
DB2=upg_foreign_triggers_020
psql -X -q -d postgres -c "SET client_min_messages = warning" -c "DROP DATABASE IF EXISTS $DB2 WITH (FORCE)" -c "CREATE DATABASE $DB2" >/dev/null
trap 'psql -X -q -d postgres -c "DROP DATABASE IF EXISTS $DB2 WITH (FORCE)" >/dev/null 2>&1; cleanup' EXIT
psql -X -q -v ON_ERROR_STOP=1 -d $DB2 <<'SQL' >/dev/null
SET client_min_messages = error;
CREATE EXTENSION pg_intent VERSION '0.2.0';
SELECT approve_training_sample(record_interaction(m, 'greeting', 90)) FROM unnest(ARRAY['hola', 'buenas']) AS m;
CREATE SCHEMA mal AUTHORIZATION pgi_uft_mallory;
GRANT TRIGGER ON ai_training_data TO pgi_uft_mallory;
GRANT UPDATE ON SEQUENCE ai_review_actions_id_seq TO pgi_uft_mallory;
SET ROLE pgi_uft_mallory;
CREATE FUNCTION mal.plant() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RETURN NULL; END $$;
CREATE TRIGGER zz_plant AFTER UPDATE ON public.ai_training_data FOR EACH STATEMENT EXECUTE FUNCTION mal.plant();
SELECT setval('public.ai_review_actions_id_seq', 1, false);
RESET ROLE;
SQL
update_error=$(psql -X -q -d $DB2 -v VERBOSITY=verbose -c "ALTER EXTENSION pg_intent UPDATE" 2>&1 || true)
for expected in "ERROR:  55000: pg_intent 0.2.1 does not update while triggers on its tables run code of roles that are not superusers" \
    "trigger zz_plant on public.ai_training_data runs mal.plant() of pgi_uft_mallory" "Nothing was changed"; do
    if [[ $update_error != *"$expected"* ]]; then
        echo "FAILED: the update from 0.2.0 over a planted trigger did not say '$expected':" >&2
        echo "$update_error" >&2
        exit 1
    fi
done
expect_eq "$(q $DB2 "SELECT extversion FROM pg_extension WHERE extname = 'pg_intent'")" "0.2.0" \
    "from 0.2.0: the update stops with 55000 over a trigger that runs a role's own function"
psql -X -q -v ON_ERROR_STOP=1 -d $DB2 -c "ALTER FUNCTION mal.plant() SECURITY DEFINER" >/dev/null
update_log=$(psql -X -q -v ON_ERROR_STOP=1 -d $DB2 -c "ALTER EXTENSION pg_intent UPDATE" 2>&1 >/dev/null)
for expected in \
    "WARNING:  pg_intent: trigger zz_plant on public.ai_training_data is not the extension's: it runs mal.plant() (SECURITY DEFINER) of pgi_uft_mallory" \
    "DETAIL:  Roles that may create a trigger on public.ai_training_data (besides superusers): $owner (owner), pgi_uft_mallory (TRIGGER granted; the function's owner)." \
    "WARNING:  pg_intent: sequence public.ai_review_actions_id_seq was at 1 (not yet called), behind the highest id in use (2): nextval() would give an id that exists (23505); set so that its next value is 3" \
    "besides superusers: $owner (owner), pgi_uft_mallory (UPDATE granted)." \
    "HINT:  To put the old value back: SELECT pg_catalog.setval('public.ai_review_actions_id_seq', 1, false);"; do
    if [[ $update_log != *"$expected"* ]]; then
        echo "FAILED: the update from 0.2.0 did not say '$expected':" >&2
        echo "$update_log" >&2
        exit 1
    fi
done
echo "ok: from 0.2.0: the trigger, its function's owner and the TRIGGER grant named; the sequence set forward with the UPDATE grant named"
expect_eq "$(q $DB2 "SELECT approve_training_sample(record_interaction('muchas gracias', 'thanks', 90)) ->> 'dataset_status'")" "approved" \
    "a review works after the update (its sequence no longer gives an id that exists)"
expect_eq "$(q $DB2 "SELECT string_agg(id::text, ',' ORDER BY id) FROM ai_review_actions")" "1,2,3" "the review actions keep their ids, the new one next"
