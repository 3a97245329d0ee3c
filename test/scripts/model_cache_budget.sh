#!/usr/bin/env bash
# The store of models (src/pg/model_store.cpp) keeps at most
# pg_intent.model_cache_size bytes of models: one session cycling through 24
# partition models under a budget of about three models gets each
# partition's own model every time, the cache never holds more than the
# budget (its statistics, _pg_intent_model_cache_stats()), it evicts, and
# models still in the cache are not loaded again. The setting is the
# superuser's: a role without it cannot raise its backend's memory.
cd "$(dirname "$0")/../.."
source test/scripts/lib.bash
DB=pgi_model_cache_budget
fresh_db $DB
load_ecommerce $DB
PARTITIONS=24

# Two different models (different learners: the same labels, other
# confidences), so that a partition answered by the wrong model shows.
svm=$(q $DB "SELECT (train_intent_model('svm', 'full', '{\"algorithm\": \"linear_svm\", \"deploy\": \"never\"}')->>'model_id')")
logreg=$(q $DB "SELECT (train_intent_model('logreg', 'full', '{\"algorithm\": \"logistic_regression\", \"deploy\": \"never\"}')->>'model_id')")
psql -X -q -v ON_ERROR_STOP=1 -d $DB <<SQL >/dev/null
CREATE ROLE pgi_budget_caller NOLOGIN;
INSERT INTO ai_classifiers (name, source, text_column, label_column, partition_column, owner, predict_public)
VALUES ('tenants', 'ai_training_data'::regclass, 'user_message', 'training_label', 'source', current_user::regrole, true);
-- Partition t<i> gets a copy of the svm model when i is even, of the
-- logistic regression model when odd; the fallback a copy of the svm one.
CREATE TABLE expected (partition text, source_model bigint, model_id bigint);
WITH copies AS (
    INSERT INTO ai_intent_models (version, algorithm, model, size_bytes, sha256, intents, confidence_threshold,
                                  is_active, classifier, partition_key, classifier_id)
    SELECT 'budget_' || coalesce(p.partition, 'fallback'), m.algorithm, m.model, m.size_bytes, m.sha256, m.intents,
           m.confidence_threshold, true, 'tenants', p.partition, (SELECT c.id FROM ai_classifiers AS c WHERE c.name = 'tenants')
      FROM (SELECT 't' || i AS partition, CASE WHEN i % 2 = 0 THEN $svm ELSE $logreg END AS source
              FROM generate_series(1, $PARTITIONS) AS i
            UNION ALL SELECT NULL, $svm) AS p
      JOIN ai_intent_models AS m ON m.id = p.source
    RETURNING id, partition_key, algorithm)
INSERT INTO expected
SELECT c.partition_key, CASE c.algorithm WHEN 'linear_svm' THEN $svm ELSE $logreg END, c.id FROM copies AS c;
SQL
expect_eq "$(q $DB "SELECT count(*) FROM expected WHERE partition IS NOT NULL")" "$PARTITIONS" "$PARTITIONS partition models"
expect_eq "$(q $DB "SELECT (SELECT confidence FROM predict_intent('quiero devolver el pedido', $svm)) <> (SELECT confidence FROM predict_intent('quiero devolver el pedido', $logreg))")" \
    "t" "the two source models answer differently"

# What one model is charged (the heap it holds once loaded, at least its
# stored bytes): the cache's own figure for each source model, loaded alone.
session_open A $DB
charge() {
    session_run A "SELECT count(predict_label('tenants', 'hola', '$1'));" >/dev/null
    session_run A "SELECT bytes FROM intent_internal._pg_intent_model_cache_stats();"
}
svm_bytes=$(charge t2)
both_bytes=$(charge t1)
logreg_bytes=$((both_bytes - svm_bytes))
stored=$(q $DB "SELECT max(size_bytes) FROM ai_intent_models WHERE classifier = 'tenants'")
largest=$((svm_bytes > logreg_bytes ? svm_bytes : logreg_bytes))
[ "$svm_bytes" -ge "$stored" ] || [ "$logreg_bytes" -ge "$stored" ] || { echo "FAILED: models charged less than their stored bytes" >&2; exit 1; }
# A new session, whose cache starts empty, with a budget of about three
# models (at least the setting's 1 MB minimum).
session_close A
budget_kb=$(((largest * 3 + largest / 2) / 1024))
[ "$budget_kb" -lt 1024 ] && budget_kb=1024
fits=$((budget_kb * 1024 / (svm_bytes < logreg_bytes ? svm_bytes : logreg_bytes)))
echo "models of up to $stored stored bytes, charged $svm_bytes and $logreg_bytes; budget ${budget_kb} kB: at most $fits fit"
[ "$fits" -ge 2 ] && [ "$fits" -lt "$PARTITIONS" ] || { echo "FAILED: the budget must hold some models, not all" >&2; exit 1; }

session_open B $DB
session_run B "SET pg_intent.model_cache_size = '${budget_kb}kB';" >/dev/null
pid_b=$(session_pid B)
declare -a rss_after
rss() { awk '/^VmRSS/ {print $2}' "/proc/$pid_b/status"; }
expect_eq "$(session_run B "SELECT pg_size_bytes(current_setting('pg_intent.model_cache_size')) / 1024;")" "$budget_kb" "the session's budget is set"

# Three rounds over every partition and the fallback: each answer must be
# its partition's model (id, partition, and the confidence its source
# model gives), and the cache must stay within the budget after each call.
for round in 1 2 3; do
    echo "before round $round: backend RSS $(rss) kB"
    bad=$(session_run B "
        SELECT count(*) FILTER (WHERE NOT ok) || ' ' || count(*) || ' ' || bool_and(within)
          FROM (SELECT p.model_id = e.model_id
                       AND p.model_partition IS NOT DISTINCT FROM e.partition
                       AND p.confidence = (predict_intent(t.m, e.source_model)).confidence
                       AND p.label = (predict_intent(t.m, e.source_model)).predicted_intent AS ok,
                       (SELECT s.bytes <= ${budget_kb}::bigint * 1024 FROM intent_internal._pg_intent_model_cache_stats() AS s) AS within
                  FROM expected AS e
                 CROSS JOIN LATERAL (VALUES ('quiero devolver el pedido', e.partition),
                                            ('no me ha llegado el paquete', e.partition)) AS t(m, part)
                 CROSS JOIN LATERAL predict_label('tenants', t.m, t.part) AS p) AS s;")
    expect_eq "$bad" "0 $(((PARTITIONS + 1) * 2)) true" "round $round: every partition answered by its own model, within the budget"
    rss_after[$round]=$(rss)
done
# The backend's memory stays bounded: rounds 2 and 3 each load and evict
# about 50 models (some 55 MB as charged); heap the C library kept after
# round 1 is reused, so the resident size stops growing. (Evicted models
# kept alive by a leak grew it by 57 MB over these two rounds; the cache as
# it is, by well under 1 MB.)
growth=$((rss_after[3] - rss_after[1]))
echo "backend RSS after round 1: ${rss_after[1]} kB, after round 3: ${rss_after[3]} kB"
[ "$growth" -lt 8192 ] || { echo "FAILED: the backend grew by $growth kB over two rounds of loads and evictions" >&2; exit 1; }
echo "ok: the backend's resident size stopped growing (rounds 2-3: $growth kB)"

stats=$(session_run B "SELECT models || ' ' || bytes || ' ' || hits || ' ' || misses || ' ' || evictions FROM intent_internal._pg_intent_model_cache_stats();")
read -r models bytes hits misses evictions <<<"$stats"
echo "cache: $models models, $bytes bytes, $hits hits, $misses misses, $evictions evictions"
[ "$models" -le "$fits" ] && [ "$models" -ge 1 ] || { echo "FAILED: $models models kept, budget for $fits" >&2; exit 1; }
[ "$bytes" -le $((budget_kb * 1024)) ] || { echo "FAILED: $bytes bytes kept, budget $((budget_kb * 1024))" >&2; exit 1; }
[ "$evictions" -gt 0 ] || { echo "FAILED: no eviction under a budget of $fits models for $((PARTITIONS + 1))" >&2; exit 1; }
# Every prediction took its model from the one store (0.3.2): each answer
# above, and the two predict_intent() calls by id it is checked against.
expect_eq "$((hits + misses))" "$((3 * (PARTITIONS + 1) * 2 * 3))" "every prediction was a hit or a load"
# The two texts of a partition are predicted one after the other (the
# LATERAL VALUES names the partition): the second is a hit.
[ "$hits" -ge $((3 * (PARTITIONS + 1))) ] || { echo "FAILED: only $hits hits: a model just used was loaded again" >&2; exit 1; }
echo "ok: the cache holds $models models ($bytes bytes) of a ${budget_kb} kB budget and evicted $evictions times"

# A larger budget keeps every model: a second pass loads nothing.
session_run B "SET pg_intent.model_cache_size = '64MB';" >/dev/null
session_run B "SELECT count(predict_label('tenants', 'hola', e.partition)) FROM expected AS e;" >/dev/null
before=$(session_run B "SELECT misses FROM intent_internal._pg_intent_model_cache_stats();")
session_run B "SELECT count(predict_label('tenants', 'hola', e.partition)) FROM expected AS e;" >/dev/null
expect_eq "$(session_run B "SELECT misses - $before FROM intent_internal._pg_intent_model_cache_stats();")" "0" "under 64 MB every model stays: no load on the second pass"
# Lowered again: the cache shrinks to the budget at the next call.
session_run B "SET pg_intent.model_cache_size = '${budget_kb}kB';" >/dev/null
session_run B "SELECT (predict_label('tenants', 'hola', 't1')).label IS NOT NULL;" >/dev/null
expect_eq "$(session_run B "SELECT bytes <= ${budget_kb}::bigint * 1024 FROM intent_internal._pg_intent_model_cache_stats();")" "t" "a lowered budget applies at the next call"
session_close B

# A role that is not superuser cannot change the setting (PGC_SUSET).
expect_eq "$(q $DB "SET ROLE pgi_budget_caller; SET pg_intent.model_cache_size = '1GB';" 2>&1 | grep -o 'permission denied to set parameter "pg_intent.model_cache_size"' || true)" \
    'permission denied to set parameter "pg_intent.model_cache_size"' "a role without superuser cannot raise the budget"
# ... yet predicts with the models (predict_public) under the superuser's budget.
expect_eq "$(q $DB "SET ROLE pgi_budget_caller; SELECT (predict_label('tenants', 'hola', 't3')).model_partition" | tail -1)" "t3" "the role predicts"

drop_db $DB
psql -X -q -d postgres -c "DROP ROLE pgi_budget_caller" >/dev/null
