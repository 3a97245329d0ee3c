#!/usr/bin/env bash
# Issue 10 item 6: a running training is visible to other sessions
# (ai_training_progress) and to its caller (a NOTICE per phase, silenced by
# client_min_messages). With pg_intent in shared_preload_libraries the view
# shows the run, its phase and counts; without, it shows the training from
# its lock (who and since when) and says that the phase needs preloading.
cd "$(dirname "$0")/../.."
source test/scripts/lib.bash
DB=pgi_progress

# Enough rows that training takes seconds.
slow_data() {
    q $DB "INSERT INTO ai_training_data (user_message, detected_intent, confidence_score, source)
           SELECT text || ' ref ' || g || ' ' || md5(text || g), intent, 90, 'synthetic'
           FROM demo_rows, generate_series(1, 120) g WHERE split = 'train'" >/dev/null
}
# Starts a training in the background and waits until another session sees
# it in ai_training_progress; prints that view row. With preloading a
# training shows from its lock until its run is in shared memory, so a lock
# row ends the wait only without preloading (second argument).
watch_training() { # options [lock]
    psql -X -q -At -d $DB -c "SET client_min_messages = warning" \
        -c "SELECT train_intent_model('watched', 'full', '$1') ->> 'run_id'" >"$TEST_TMP/run.out" 2>&1 &
    # The row appears when the training starts; its row count once the rows
    # are read (NULL until then), so wait for a row that has every field,
    # keeping the last one seen if the training ends first.
    local seen= now
    for _ in $(seq 1 400); do
        now=$(q $DB "SELECT format('%s|%s|%s|%s|%s|%s|%s', source, run_id IS NOT NULL, phase IS NOT NULL,
                                   rows IS NOT NULL, elapsed >= interval '0', classifier, partition_key)
                       FROM ai_training_progress")
        [ -n "$now" ] && seen=$now
        case "$seen" in *'|t|t|t|t|'*) break ;; lock'|'*) [ "${2:-}" = lock ] && break ;; esac
        sleep 0.05
    done
    wait
    echo "$seen"
}

# ---------------------------------------------------------- preloaded
PGI_PRELOAD=pg_intent start_own_cluster preloaded
expect_eq "$(q postgres "SHOW shared_preload_libraries")" pg_intent "pg_intent is preloaded"
fresh_db $DB
load_ecommerce $DB
slow_data
expect_eq "$(q $DB "SELECT count(*) FROM ai_training_progress")" 0 "no training, no row"
expect_eq "$(watch_training '{"deploy": "never"}')" "shared_memory|t|t|t|t|intent|" \
    "another session sees the running training's run, phase, rows and classifier (intent, no partition)"
run=$(cat "$TEST_TMP/run.out")
expect_eq "$(q $DB "SELECT count(*) FROM ai_training_runs WHERE id = '$run'")" 1 "the run it showed is the run that committed"
expect_eq "$(q $DB "SELECT count(*) FROM ai_training_progress")" 0 "a finished training leaves no row"

# A partitioned classifier: one call trains a model per partition and the
# fallback, and the view names the classifier and the partition being
# trained. A partition value longer than 63 bytes is shown cut at a
# character boundary: ü is two bytes in UTF-8, so 63 bytes would end inside
# the 28th; 62 bytes are shown.
long_shop="tiendas_$(printf 'ü%.0s' $(seq 1 40))"
q $DB "CREATE TABLE shop_rows AS
         SELECT row_number() OVER (ORDER BY id) AS id, user_message AS text, detected_intent AS label,
                CASE WHEN row_number() OVER (ORDER BY id) % 2 = 0 THEN '$long_shop' ELSE 'corta' END AS shop
           FROM ai_training_data" >/dev/null
q $DB "SELECT create_classifier('shops', 'shop_rows', 'text', 'label',
         '{\"partition_column\": \"shop\", \"min_partition_rows\": 10, \"deploy\": \"never\"}') IS NOT NULL" >/dev/null
# pg_intent_training_progress() lists the cluster's trainings: a database of
# another encoding reads the UTF-8 name with each byte outside ASCII as '?'.
# Shown as they were, a LATIN1 database's names were invalid text in a UTF8
# one (any function given them failed), and UTF-8 ones mojibake in LATIN1.
fresh_db ${DB}_latin1 "ENCODING 'LATIN1' TEMPLATE template0 LC_COLLATE 'C' LC_CTYPE 'C'"
# A role granted the function (the explain set) in each database sees the
# trainings of its own database in full, and of another database only who
# runs them and since when: their run, phase, counts, classifier and
# partition (a tenant's name) need the privileges of the training role or
# of pg_read_all_stats, PostgreSQL's rule for another role's activity.
# Before, every database's names showed to it.
# In its own database the classifier and partition of another role's
# training show only to a role that may know which classifiers exist (SELECT
# on ai_classifiers, pgi_lister), as the dashboards decide (0.3.2): the
# explain set alone (pgi_watcher, a tenant that explains the fallback) saw
# every classifier's name and every tenant's partition value being trained.
q postgres "DROP ROLE IF EXISTS pgi_watcher; CREATE ROLE pgi_watcher LOGIN" >/dev/null
q postgres "DROP ROLE IF EXISTS pgi_lister; CREATE ROLE pgi_lister LOGIN" >/dev/null
for d in $DB ${DB}_latin1; do q $d "SELECT grant_intent_access('pgi_watcher', 'explain')" >/dev/null; done
q $DB "SELECT grant_intent_access('pgi_lister', 'explain'); GRANT SELECT ON ai_classifiers TO pgi_lister" >/dev/null
psql -X -q -At -d $DB -c "SET client_min_messages = warning" \
    -c "SELECT train_classifier('shops') IS NOT NULL" >/dev/null 2>&1 &
: >"$TEST_TMP/shops"
: >"$TEST_TMP/shops_latin1"
: >"$TEST_TMP/watch_own"
: >"$TEST_TMP/watch_other"
: >"$TEST_TMP/watch_tenant"
for _ in $(seq 1 1200); do
    psql -X -At -U pgi_lister -d $DB -c "SELECT format('%s|%s', classifier, run_id IS NOT NULL)
                                          FROM pg_intent_training_progress() WHERE classifier IS NOT NULL" \
        >>"$TEST_TMP/watch_own" 2>&1
    psql -X -At -U pgi_watcher -d $DB -c "SELECT format('%s|%s|%s|%s', classifier IS NULL, partition_key IS NULL,
                                          run_id IS NOT NULL, phase IS NOT NULL)
                                          FROM pg_intent_training_progress() WHERE run_id IS NOT NULL" \
        >>"$TEST_TMP/watch_tenant" 2>&1
    psql -X -At -U pgi_watcher -d ${DB}_latin1 -c "SELECT format('%s|%s|%s|%s|%s', classifier IS NULL,
                                          partition_key IS NULL, run_id IS NULL, phase IS NULL, pid IS NOT NULL)
                                          FROM pg_intent_training_progress()" >>"$TEST_TMP/watch_other" 2>&1
    q $DB "SELECT format('%s|%s|%s', classifier, coalesce(partition_key, '(fallback)'), octet_length(partition_key))
             FROM ai_training_progress" >>"$TEST_TMP/shops" 2>/dev/null
    q ${DB}_latin1 "SELECT partition_key = 'tiendas_' || repeat('?', 54) FROM pg_intent_training_progress()
                     WHERE classifier = 'shops' AND partition_key LIKE 'tiendas%'" >>"$TEST_TMP/shops_latin1" 2>&1
    jobs %1 >/dev/null 2>&1 || break
    sleep 0.02
done
wait
echo "seen from LATIN1: $(sort -u "$TEST_TMP/shops_latin1" | tr '\n' ' ')"
expect_eq "$(sort -u "$TEST_TMP/shops_latin1" | tr '\n' ' ')" "t " \
    "a database of another encoding sees the UTF-8 partition name with '?' for each byte outside ASCII"
drop_db ${DB}_latin1
echo "the lister saw in its own database: $(sort -u "$TEST_TMP/watch_own" | tr '\n' ' '); the watcher in another: $(sort -u "$TEST_TMP/watch_other" | tr '\n' ' ')"
expect_eq "$(sort -u "$TEST_TMP/watch_own" | tr '\n' ' ')" "shops|t " \
    "a role granted the function that may list the classifiers sees its own database's training in full"
echo "the tenant (explain set only) saw: $(sort -u "$TEST_TMP/watch_tenant" | tr '\n' ' ')"
expect_eq "$(sort -u "$TEST_TMP/watch_tenant" | tr '\n' ' ')" "t|t|t|t " \
    "one that may not sees another role's training by its run and phase, without classifier or partition"
expect_eq "$(sort -u "$TEST_TMP/watch_other" | tr '\n' ' ')" "t|t|t|t|t " \
    "and another database's only by pid, role and times: no classifier, partition, run or phase"
q $DB "DROP OWNED BY pgi_watcher; DROP OWNED BY pgi_lister" >/dev/null
q postgres "DROP ROLE pgi_watcher; DROP ROLE pgi_lister" >/dev/null
echo "seen: $(sort -u "$TEST_TMP/shops" | tr '\n' ' ')"
expect_eq "$(grep -c "^shops|corta|5$" "$TEST_TMP/shops" | awk '{print ($1 > 0)}')" 1 "the view names the classifier and a short partition"
expect_eq "$(grep -c "^shops|$(q $DB "SELECT left('$long_shop', 35)")|62$" "$TEST_TMP/shops" | awk '{print ($1 > 0)}')" 1 \
    "a partition value of $(printf %s "$long_shop" | wc -c) bytes is shown as its first 62 bytes, cut between characters"
expect_eq "$(grep -c "^shops|(fallback)|$" "$TEST_TMP/shops" | awk '{print ($1 > 0)}')" 1 "the fallback model's training has no partition"
# The same phases, seen while they happen: collect every phase shown.
psql -X -q -At -d $DB -c "SET client_min_messages = warning" \
    -c "SELECT train_intent_model('phases', 'full', '{\"deploy\": \"never\"}')" >/dev/null 2>&1 &
for _ in $(seq 1 400); do
    q $DB "SELECT phase FROM ai_training_progress" >>"$TEST_TMP/phases" 2>/dev/null
    jobs %1 >/dev/null 2>&1 || break
    sleep 0.02
done
wait
echo "phases seen: $(sort -u "$TEST_TMP/phases" | tr '\n' ' ')"
[ "$(sort -u "$TEST_TMP/phases" | grep -c .)" -ge 2 ] || { echo "FAILED: fewer than two phases were seen" >&2; exit 1; }
echo "ok: the phase advances while the training runs"
# The caller's NOTICE messages, silenced by client_min_messages = warning.
notices=$(psql -X -At -d $DB -c "SELECT train_intent_model('noisy', 'full', '{\"deploy\": \"never\"}') IS NOT NULL" 2>&1 | grep -c '^NOTICE:  pg_intent training:' || true)
[ "$notices" -ge 3 ] || { echo "FAILED: expected a NOTICE per phase, got $notices" >&2; exit 1; }
echo "ok: the caller gets $notices progress notices"
expect_eq "$(psql -X -q -At -d $DB -c "SET client_min_messages = warning" -c "SELECT train_intent_model('quiet', 'full', '{\"deploy\": \"never\"}') IS NOT NULL" 2>&1 | grep -c NOTICE || true)" 0 \
    "client_min_messages = warning silences them"
stop_own_clusters

# ------------------------------------------------------ not preloaded
PGI_PRELOAD= start_own_cluster plain
fresh_db $DB
load_ecommerce $DB
slow_data
expect_eq "$(watch_training '{"deploy": "never"}' lock)" "lock|f|f|f|t||" \
    "without preloading the training is shown from its lock, without run or phase"
