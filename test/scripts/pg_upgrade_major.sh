#!/usr/bin/env bash
# pg_upgrade from PostgreSQL 17 (PG_UPGRADE_FROM; see below for 15) to another major
# (PG_UPGRADE_MAJOR, else CROSS_MAJOR, default 18) with pg_intent installed
# and months of its data.
#
# An old cluster of this test's own (scripts/pg-cluster.sh: pg_intent
# preloaded) gets the state of test/scripts/pg_upgrade_fill.sql: default
# privileges set before the install, interactions, corrections, reviews,
# three models of intent, a deploy and a rollback, a failed run, snapshots,
# shadow predictions, a classifier with three partitions trained twice,
# its grants and snapshot, grants of access sets and a table, and intent's
# back-off failure in ai_classifier_retrain_failures. The target major's tree comes from
# scripts/pg-major.sh (a missing archive fails the test), pg_intent is built
# and installed into a copy of it, and a new cluster is made there (preloading
# pg_intent, as the upgrade procedure in docs/install.md says; without data
# checksums when the old cluster has none, as initdb of 18 enables them).
# Then, both clusters stopped, `pg_upgrade --check` and `pg_upgrade --copy`.
# Before that it fails, saying why, where pg_upgrade cannot work (--check
# passes, then the schema restore fails): models stored with LZ4 and a new
# server built without it, or column options the new major does not know
# (Debian's 15.20 gives every column pg_attver=N; 16.2, 17.11 and 18.6 refuse
# it). Both hold from Debian's 15.20 to the trees of scripts/pg-major.sh:
# so the suite runs it from 17 (the default), and PG_UPGRADE_FROM=15 or 16
# where the servers allow (docs/install.md#a-major-upgrade-with-pg_upgrade).
#
# On the new major: every fact of test/scripts/pg_upgrade_state.sql is the
# same (extension, members, pg_dump configuration, every row of every table,
# sequences, model bytes, privileges, initial privileges, default
# privileges, triggers and their modes, event triggers); every model
# predicts the same (label, float8 confidence and probabilities as text,
# abstention) for intent and each partition of the classifier; pg_intent is
# preloaded; ALTER EXTENSION pg_intent UPDATE changes nothing; training,
# classifier training and scheduled retraining work; the drop guard still
# guards.
#
# Runs with no cluster of the caller's: both are its own, stopped at exit.
cd "$(dirname "$0")/../.."
source test/scripts/lib.bash
DB=pgi_upg
FROM=${PG_UPGRADE_FROM:-17}
TARGET=${PG_UPGRADE_MAJOR:-${CROSS_MAJOR:-18}}
# The target's build with the flags scripts/test.sh builds other majors
# with (cross_major_models.sh does the same).
export WERROR=${WERROR:-1} CXX=${CXX:-g++}
old_pg_config=$(scripts/pg-major.sh tree "$FROM") || { echo "FAILED: no PostgreSQL $FROM tree" >&2; exit 1; }
new_pg_config=$(scripts/pg-major.sh tree "$TARGET") || { echo "FAILED: no PostgreSQL $TARGET tree" >&2; exit 1; }
old_version=$("$old_pg_config" --version)
new_version=$("$new_pg_config" --version)
[ -x "$("$new_pg_config" --bindir)/pg_upgrade" ] || { echo "FAILED: $new_version's tree has no pg_upgrade" >&2; exit 1; }
[ "$TARGET" -gt "$FROM" ] || { echo "FAILED: $TARGET is not a later major than $FROM" >&2; exit 1; }

# psql to the running cluster (the PG* variables), and one of its files.
facts() { psql -X -At -v ON_ERROR_STOP=1 -d $DB -f test/scripts/pg_upgrade_state.sql; }
predictions_sql="SET extra_float_digits = 1;
WITH texts(t) AS (SELECT text FROM pgu_texts WHERE split = 'test'
                  UNION ALL SELECT text FROM pgu_raw WHERE split = 'test'
                  UNION ALL SELECT unnest(ARRAY['', '   ', 'x', 'ÑANDÚ ¿¡qué!? 123', 'gracias 😀', repeat('envío gratis ', 300)]))
SELECT format('intent %s|%s|%s|%s|%s|%s', m.id, md5(v.t), p.predicted_intent, p.confidence::text, p.uncertain, p.top_intents::text)
  FROM ai_intent_models AS m, texts AS v, LATERAL predict_intent(v.t, m.id) AS p
 WHERE m.classifier = 'intent'
UNION ALL
SELECT format('pgu_router %s|%s|%s', coalesce(k.key, '(fallback)'), md5(v.t), p::text)
  FROM (SELECT NULL::text UNION ALL SELECT DISTINCT shop FROM pgu_prompts) AS k(key), texts AS v,
       LATERAL predict_label('pgu_router', v.t, k.key) AS p
 ORDER BY 1"
predictions() { psql -X -At -v ON_ERROR_STOP=1 -d $DB -c "$predictions_sql"; }

# --- The old major: the state ----------------------------------------------
PGI_SYSTEM_PG_CONFIG=$old_pg_config PGI_SOURCE='' start_own_cluster old
OLD_DIR=$TEST_TMP/old OLD_BIN=$PGI_BINDIR OLD_PORT=$PGPORT
psql -X -q -d postgres -c "CREATE DATABASE $DB"
psql -X -q -v ON_ERROR_STOP=1 -d $DB -f test/scripts/pg_upgrade_fill.sql >"$TEST_TMP/fill.log" 2>&1 ||
    { tail -20 "$TEST_TMP/fill.log" >&2; echo "FAILED: filling the $FROM cluster" >&2; exit 1; }
facts >"$TEST_TMP/facts.before"
predictions >"$TEST_TMP/predictions.before"
n_facts=$(wc -l <"$TEST_TMP/facts.before")
n_predictions=$(wc -l <"$TEST_TMP/predictions.before")
expect_eq "$(q $DB "SELECT count(*) >= 3 FROM ai_intent_models WHERE classifier = 'intent'")|$(q $DB "SELECT count(DISTINCT partition_key) FROM ai_intent_models WHERE classifier = 'pgu_router' AND partition_key IS NOT NULL")" \
    "t|3" "$old_version: three models of intent, a classifier with three partitions"
expect_eq "$(q $DB "SELECT failed_at AT TIME ZONE 'UTC' FROM ai_classifier_retrain_failures WHERE classifier = 'intent'")" \
    "2026-11-20 10:00:00.123456" "$old_version: intent's back-off failure is recorded"
[ "$n_predictions" -gt 500 ] || { echo "FAILED: only $n_predictions predictions" >&2; exit 1; }
# What the classifier's grantee gets: its grant is an OID (and a name).
grantee_sql="SET ROLE pgu_app; SELECT (predict_label('pgu_router', 'quiero saber el saldo de mi cuenta', 'shop1'))::text"
grantee_before=$(q $DB "$grantee_sql")
expect_eq "$(q $DB "SELECT count(*) FROM ai_classifier_owners WHERE orphaned")" "0" "$old_version: no classifier orphaned"
old_checksums=$(q postgres "SHOW data_checksums")
# Column options the old server wrote (attoptions): the schema restore of
# pg_upgrade sets each again on the new major, which must know it. Checked
# on the new cluster below, to say why pg_upgrade would fail.
attoptions=$(q $DB "SELECT string_agg(DISTINCT o, ' ') FROM pg_attribute, unnest(attoptions) AS o
                     WHERE attnum > 0 AND attrelid >= 16384")
# The columns stored with LZ4: ai_intent_models.model where the old server
# has it (src/sql/11_storage.sql). Their values are copied as they are.
lz4_columns=$(q $DB "SELECT string_agg(format('%s.%I', attrelid::regclass, attname), ' ') FROM pg_attribute
                      WHERE attcompression = 'l' AND attrelid >= 16384")
as_owner "$OLD_BIN/pg_ctl" -D "$OLD_DIR/data" -m fast -w stop >/dev/null

# --- The target major: a new cluster with pg_intent installed -------------
initdb_opts=
# initdb enables data checksums from 18 on, and pg_upgrade needs the same
# setting on both sides.
[ "$old_checksums" = off ] && [ "$TARGET" -ge 18 ] && initdb_opts=--no-data-checksums
PGI_SYSTEM_PG_CONFIG=$new_pg_config PGI_SOURCE='' PGI_INITDB_OPTS=$initdb_opts start_own_cluster new
NEW_DIR=$TEST_TMP/new NEW_BIN=$PGI_BINDIR NEW_PORT=$PGPORT
# scripts/pg-cluster.sh makes a database for pg_cron; pg_upgrade brings the
# old cluster's, and wants the new cluster's databases empty.
psql -X -q -d postgres -c "DROP DATABASE IF EXISTS contrib_regression"
expect_eq "$(q postgres "SELECT 'pg_intent' = ANY (string_to_array(current_setting('shared_preload_libraries'), ','))")" "t" \
    "$new_version's new cluster preloads pg_intent"
# A server built without LZ4 can neither set a column's compression to it
# (the schema restore of pg_upgrade fails, after --check passed) nor read the
# values stored with it: Debian's 15 has LZ4, the trees of 16 to 18 that
# scripts/pg-major.sh unpacks do not.
if [ -n "$lz4_columns" ] && [ "$(q postgres "SELECT 'lz4' = ANY (enumvals) FROM pg_settings WHERE name = 'default_toast_compression'")" != t ]; then
    echo "FAILED: $old_version stores $lz4_columns with LZ4 (pg_intent chooses it where the server has it);" >&2
    echo "        $new_version was built without LZ4 (configure --with-lz4): pg_upgrade would fail restoring the table," >&2
    echo "        and that server could not read the models' bytes. Upgrade to a build of PostgreSQL $TARGET with LZ4." >&2
    exit 1
fi
# PostgreSQL 15.20 (Debian 12's, 15.20-0+deb12u1) gives every column of
# every table an attribute version, the column option pg_attver=N, which
# its own pg_dump leaves out; 16.2, 17.11 and 18.6 do not know it, and their
# pg_dump --binary-upgrade writes it: pg_upgrade's restore then fails on the
# first table, pg_intent's or any other (ERROR: unrecognized parameter
# "pg_attver"), after --check passed. Said here, before pg_upgrade.
for o in $attoptions; do
    refused=$(psql -X -At -d postgres -c "CREATE TEMP TABLE pgu_probe (c int); ALTER TABLE pgu_probe ALTER COLUMN c SET ($o)" 2>&1 >/dev/null || true)
    if [ -n "$refused" ]; then
        echo "FAILED: the columns of $old_version carry the option '$o', which $new_version refuses ($refused):" >&2
        echo "        pg_upgrade would fail restoring the first table (any table, not only pg_intent's)." >&2
        echo "        Upgrade to a release of PostgreSQL $TARGET that knows it, or dump with $old_version's pg_dump and restore." >&2
        exit 1
    fi
done
as_owner "$NEW_BIN/pg_ctl" -D "$NEW_DIR/data" -m fast -w stop >/dev/null

# --- pg_upgrade -----------------------------------------------------------
WORK=$TEST_TMP/upgrade
mkdir -p "$WORK"
[ "$(id -u)" = 0 ] && chown postgres "$WORK"
pg_upgrade_run() {
    (cd "$WORK" && as_owner "$NEW_BIN/pg_upgrade" -b "$OLD_BIN" -B "$NEW_BIN" -d "$OLD_DIR/data" -D "$NEW_DIR/data" \
        -p "$OLD_PORT" -P "$NEW_PORT" -U postgres -s "$WORK" --copy "$@") >"$WORK/$1.log" 2>&1 || {
        cat "$WORK/$1.log" >&2
        grep -h -A 8 'error:' "$NEW_DIR"/data/pg_upgrade_output.d/*/log/pg_upgrade_dump_*.log >&2 || true
        echo "FAILED: pg_upgrade $*" >&2
        exit 1
    }
}
pg_upgrade_run --check
grep -q "Clusters are compatible" "$WORK/--check.log" || { cat "$WORK/--check.log" >&2; echo "FAILED: pg_upgrade --check" >&2; exit 1; }
echo "ok: pg_upgrade --check from $old_version to $new_version passes"
pg_upgrade_run --verbose
echo "ok: pg_upgrade --copy from $old_version to $new_version"
as_owner "$NEW_BIN/pg_ctl" -D "$NEW_DIR/data" -l "$NEW_DIR/log/server.log" -w -t 60 start >/dev/null

# --- The target major: the same state ------------------------------------
expect_eq "$(q $DB "SELECT split_part(version(), ' ', 2) = split_part('$new_version', ' ', 2)")" "t" "the database runs on $new_version"
facts >"$TEST_TMP/facts.after"
if ! cmp -s "$TEST_TMP/facts.before" "$TEST_TMP/facts.after"; then
    echo "FAILED: pg_intent's state differs after pg_upgrade to $new_version:" >&2
    diff "$TEST_TMP/facts.before" "$TEST_TMP/facts.after" | head -60 >&2
    exit 1
fi
echo "ok: $n_facts facts equal after pg_upgrade (rows and md5 of every table, sequences, model sha256, ACLs, initial and default privileges, triggers, event triggers, members)"
predictions >"$TEST_TMP/predictions.after"
if ! cmp -s "$TEST_TMP/predictions.before" "$TEST_TMP/predictions.after"; then
    echo "FAILED: predictions differ after pg_upgrade to $new_version:" >&2
    diff "$TEST_TMP/predictions.before" "$TEST_TMP/predictions.after" | head -20 >&2
    exit 1
fi
echo "ok: $n_predictions predictions identical (intent's models, the classifier's fallback and partitions)"
# pg_upgrade keeps role OIDs but gives the cluster a new system identifier
# (role_cluster, src/sql/49_classifier_owners.sql): the rows it copied keep
# their owners and grantees by OID and name.
expect_eq "$(q $DB "SELECT count(*) FROM ai_classifier_owners WHERE orphaned")" "0" "no classifier orphaned after pg_upgrade"
expect_eq "$(q $DB "$grantee_sql")" "$grantee_before" "the classifier's grantee predicts as before"
q $DB "SELECT count(*) FROM ai_training_progress" >/dev/null
expect_eq "$(q $DB "SELECT 'pg_intent' = ANY (string_to_array(current_setting('shared_preload_libraries'), ','))")" "t" \
    "pg_intent preloaded on the upgraded cluster"

# ALTER EXTENSION ... UPDATE: the same version, nothing to do.
update_out=$(psql -X -v ON_ERROR_STOP=1 -d $DB -c "ALTER EXTENSION pg_intent UPDATE" 2>&1)
grep -q 'already installed' <<<"$update_out" || { echo "$update_out" >&2; echo "FAILED: ALTER EXTENSION pg_intent UPDATE did something" >&2; exit 1; }
facts >"$TEST_TMP/facts.updated"
cmp -s "$TEST_TMP/facts.before" "$TEST_TMP/facts.updated" ||
    { diff "$TEST_TMP/facts.before" "$TEST_TMP/facts.updated" | head -20 >&2; echo "FAILED: ALTER EXTENSION UPDATE changed the state" >&2; exit 1; }
echo "ok: ALTER EXTENSION pg_intent UPDATE is a no-op"

# Work goes on: training, the classifier, scheduled retraining, reviews.
expect_eq "$(q $DB "SELECT train_intent_model('after pg_upgrade', 'full', '{\"seed\": 21}') ->> 'status'")" "completed" \
    "train_intent_model() after pg_upgrade"
q $DB "INSERT INTO pgu_prompts SELECT id + 100000, prompt || ' ya', route, asked_at + interval '1 day', shop FROM pgu_prompts WHERE id % 7 = 0" >/dev/null
expect_eq "$(q $DB "SELECT train_classifier('pgu_router', 'after pg_upgrade') ->> 'status'")" "completed" \
    "train_classifier() with partitions after pg_upgrade"
q $DB "SELECT retrain_classifiers()" >/dev/null
q $DB "SELECT retrain_if_needed()" >/dev/null
echo "ok: retrain_classifiers() and retrain_if_needed() run after pg_upgrade"
expect_eq "$(q $DB "SELECT (predict_intent('quiero devolver un producto')).model_id = (SELECT id FROM ai_intent_models WHERE classifier = 'intent' AND is_active)")" "t" \
    "predict_intent() serves the active model"
expect_eq "$(q $DB "SELECT record_interaction('¿dónde está mi pedido?', 'order_status', 80) IS NOT NULL")" "t" \
    "record_interaction() after pg_upgrade"
guard=$(psql -X -d $DB -c "DROP EXTENSION pg_intent CASCADE" 2>&1 || true)
grep -q 'ERROR' <<<"$guard" || { echo "$guard" >&2; echo "FAILED: the drop guard let the extension go" >&2; exit 1; }
echo "ok: the drop guard still refuses DROP EXTENSION with data"
