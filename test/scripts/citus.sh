#!/usr/bin/env bash
# pg_intent on a Citus cluster (issue 35): a coordinator and two workers,
# each a server of one private PostgreSQL 15 tree with pg_intent and Citus
# 13.2.2 installed into it (Citus from the archive in CITUS_TARBALL, default
# ../shared/citus/citus-13.2.2-pg15-bookworm-amd64.tar.xz; a missing archive
# is a failure, never a skip). Each server listens on 127.0.0.1 and its own
# free port and preloads citus, then pg_intent.
#
#  1. CREATE EXTENSION pg_intent VERSION '0.3.1' on the coordinator reaches
#     both workers (Citus propagates it).
#  2. A tenant classifier is created and trained on the coordinator from a
#     source table distributed by tenant: a model per large shop and the
#     fallback; predict_label() on the coordinator answers with the shop's
#     model.
#  3. ALTER EXTENSION pg_intent UPDATE to 0.3.2 on the coordinator runs on
#     every node in one distributed transaction (Citus prepares it on each
#     worker, which PostgreSQL refuses for a transaction that touched a
#     temporary object), and prediction answers as before.
#     Prediction on the workers: before replicate_classifiers(), a query
#     with predict_label() over the distributed table runs on the workers
#     and finds no classifier; after it, the workers answer every held-out
#     row exactly as the coordinator, after a forced deploy, a rollback, an
#     update of the extension (the next release's, simulated) and on a node
#     added later with a shard moved there (no replicate_classifiers() again:
#     Citus's copy of the publication table, by logical replication, its
#     default, brings the classifiers), and the next deploy reaches it; a
#     deploy one worker refuses fails everywhere; a grant and a revoke
#     reach the workers; a dropped classifier is gone from every node; a
#     worker's session that kept a model answers with the coordinator's next
#     model published under the same id.
#     From 0.3.0 the frozen 0.3.0--0.3.1 script's temporary table makes the
#     update fail; the path docs/scale-out.md gives (that step node by
#     node) works.
#  4. The drop guard on a cluster: DROP EXTENSION with models on the
#     coordinator is refused with the hint; a worker whose tables hold rows
#     refuses the propagated drop, so the whole drop is refused; the hint's
#     SET, made SET LOCAL and propagated (citus.propagate_set_commands), lets
#     it through on every node, and no placement of the publication table
#     is left behind.
#  5. Citus 13.2.2's crash: create_distributed_function() of a two-line
#     PL/pgSQL function, called with a NULL distribution argument, kills
#     the coordinator's backend (docs/scale-out.md says why it matters).
cd "$(dirname "$0")/../.."
source test/scripts/lib.bash
source test/scripts/citus_cluster.bash
DB=shops
export PGOPTIONS="${PGOPTIONS:-} -c client_min_messages=warning"
# wal_level logical: Citus's default transfer mode copies a reference table
# to a new node by logical replication (the node added later, below)
export CITUS_EXTRA_CONF="wal_level = logical"
citus_start_coordinator
citus_start_worker w1
citus_start_worker w2
citus_create_db $DB coord w1 w2
expect_eq "$(q $DB "SELECT count(*) FROM pg_dist_node WHERE isactive AND noderole = 'primary'")" 3 \
    "Citus $(q $DB "SELECT extversion FROM pg_extension WHERE extname = 'citus'"): a coordinator and two workers"

# ---------------------------------------------------------------- 1. CREATE EXTENSION
q $DB "CREATE EXTENSION pg_intent VERSION '0.3.1'" >/dev/null
# Each node's own catalog, read on that node.
versions() { local n; for n in coord w1 w2; do on $n $DB "SELECT coalesce((SELECT extversion FROM pg_extension WHERE extname = 'pg_intent'), 'none')"; done | paste -sd' '; }
expect_eq "$(versions)" "0.3.1 0.3.1 0.3.1" "CREATE EXTENSION pg_intent on the coordinator reaches both workers"

# ---------------------------------------------------------------- 2. training from a distributed source
# classifier_shops.sh's marketplace (data/clinc150_small.csv): intents 1-5
# are shop_a's, 6-10 shop_b's, 11-15 shop_c's, the rest spread over five
# small shops; the source is distributed by shop.
psql -X -q -v ON_ERROR_STOP=1 -d $DB <<'SQL' >/dev/null
CREATE TABLE clinc (split text, text text, intent text);
\copy clinc FROM 'data/clinc150_small.csv' WITH (FORMAT csv, HEADER true)
CREATE TABLE market (id bigint NOT NULL, shop text NOT NULL, message text NOT NULL, intent text NOT NULL, split text,
                     PRIMARY KEY (shop, id));
SELECT create_distributed_table('market', 'shop');
WITH ranked AS (
    SELECT c.*, dense_rank() OVER (ORDER BY intent) AS k, row_number() OVER (PARTITION BY intent ORDER BY text) AS n
      FROM clinc AS c WHERE intent <> 'oos')
INSERT INTO market (id, shop, message, intent, split)
SELECT row_number() OVER (ORDER BY k, n),
       CASE WHEN k <= 5 THEN 'shop_a' WHEN k <= 10 THEN 'shop_b' WHEN k <= 15 THEN 'shop_c' ELSE 'tiny_' || (n % 5) END,
       text, intent, split
  FROM ranked;
SQL
expect_eq "$(q $DB "SELECT count(DISTINCT nodeport) FROM citus_shards WHERE table_name = 'market'::regclass")" 2 \
    "the source's shards are on both workers"
expect_eq "$(q $DB "SELECT count(*) FILTER (WHERE x > 0) FROM (SELECT nodeport, sum(shard_size) AS x FROM citus_shards
                     WHERE table_name = 'market'::regclass GROUP BY 1) AS s")" 2 "and hold rows on both"
q $DB "SELECT create_classifier('shop_intent', 'market', 'message', 'intent',
          '{\"key_column\": \"id\", \"partition_column\": \"shop\", \"min_partition_rows\": 40, \"min_gate_rows\": 20, \"seed\": 1}') ->> 'name'" >/dev/null
expect_eq "$(q $DB "SELECT (t ->> 'status') || ':' || (SELECT string_agg(p ->> 'partition', ',' ORDER BY p ->> 'partition') FROM jsonb_array_elements(t -> 'partitions') AS p)
                      FROM train_classifier('shop_intent', 'first') AS t")" "completed:shop_a,shop_b,shop_c" \
    "train_classifier() on the coordinator reads the distributed source: a model per large shop and the fallback"
expect_eq "$(q $DB "SELECT count(*) FROM ai_intent_models WHERE classifier = 'shop_intent' AND is_active")" 4 "four active models"
# The coordinator's answers to every held-out row, with the model that gave
# each. A query over the distributed table with predict_label() in it is
# pushed down to the shards, on the workers; the rows are pulled to the
# coordinator first (a materialized CTE is an intermediate result there).
ON_COORD="WITH m AS MATERIALIZED (SELECT id, shop, message, intent FROM market WHERE split = 'val')"
answers() { q $DB "$ON_COORD SELECT string_agg(format('%s=%s/%s', m.id, p.label, coalesce(p.model_partition, '-')), ' ' ORDER BY m.id)
                     FROM m, LATERAL predict_label('shop_intent', m.message, m.shop) AS p"; }
before=$(answers)
expect_eq "$(q $DB "$ON_COORD SELECT round(avg((p.label = m.intent)::int), 2) >= 0.8 FROM m, LATERAL predict_label('shop_intent', m.message, m.shop) AS p
                     WHERE m.shop LIKE 'shop_%'")" t "predict_label() on the coordinator: the large shops' held-out rows mostly right"
expect_eq "$(q $DB "$ON_COORD SELECT string_agg(DISTINCT (p.model_partition = m.shop)::text, ',') FROM m, LATERAL predict_label('shop_intent', m.message, m.shop) AS p
                     WHERE m.shop LIKE 'shop_%'")" true "each large shop's own model answers it"
# The same query without the CTE is pushed down to the shards, and before
# replicate_classifiers() (0.3.1 has none) each worker reads its own empty
# tables: this is where the query runs.
PUSHED="SELECT count(p.label) FROM market AS m, LATERAL predict_label('shop_intent', m.message, m.shop) AS p"
err=$(psql -X -q -d $DB -c "$PUSHED" 2>&1 || true)
[[ $err == *'classifier "shop_intent" does not exist'* && $err == *"while executing command on 127.0.0.1:"* ]] ||
    { echo "FAILED: predict_label() pushed down to the workers: $err" >&2; exit 1; }
echo "ok: predict_label() in a query over the distributed table runs on the workers, which hold no classifier before replicate_classifiers()"

# ---------------------------------------------------------------- 3. ALTER EXTENSION UPDATE
q $DB "ALTER EXTENSION pg_intent UPDATE" >/dev/null
expect_eq "$(versions)" "0.3.2 0.3.2 0.3.2" "ALTER EXTENSION pg_intent UPDATE on the coordinator updates every node to 0.3.2"
expect_eq "$(answers)" "$before" "the coordinator answers as before the update"

# ---------------------------------------------------------------- 3a. prediction on the workers
# replicate_classifiers() makes ai_classifier_publication a reference table
# and copies the classifier and its active models to each worker; from then
# on every change of them on the coordinator reaches every node in the same
# distributed transaction.
err=$(on w1 $DB "SELECT replicate_classifiers()" 2>&1 || true)
[[ $err == *"replicate_classifiers() runs on the Citus coordinator"* ]] ||
    { echo "FAILED: replicate_classifiers() on a worker: $err" >&2; exit 1; }
echo "ok: replicate_classifiers() on a worker is refused"
expect_eq "$(q $DB "SELECT replicate_classifiers()")" '{"models": 4, "workers": 2, "classifiers": 1}' \
    "replicate_classifiers() on the coordinator: one classifier and its four active models to two workers"
copies() { local n; for n in w1 w2; do on $n $DB "SELECT coalesce(string_agg(format('%s:%s', id, coalesce(partition_key, '-')), ',' ORDER BY id), 'none')
                                                  FROM ai_intent_models WHERE classifier = 'shop_intent' AND is_active"; done | paste -sd' '; }
coord_models=$(q $DB "SELECT string_agg(format('%s:%s', id, coalesce(partition_key, '-')), ',' ORDER BY id) FROM ai_intent_models WHERE classifier = 'shop_intent' AND is_active")
expect_eq "$(copies)" "$coord_models $coord_models" "each worker holds the coordinator's active models, same ids"
# What the publication keeps (for a node added later): one row per
# classifier and per active model, with its bytes, as the coordinator has
# them; the other changes pass through.
kept() { q $DB "SELECT coalesce(string_agg(CASE kind WHEN 'classifier' THEN 'c:' || classifier
                                                   ELSE format('m:%s:%s', row ->> 'id', md5(model)) END, ',' ORDER BY kind, classifier, row ->> 'id'), 'none')
                  FROM ai_classifier_publication"; }
state() { q $DB "SELECT coalesce(string_agg(k, ',' ORDER BY o, c, i), 'none')
                   FROM (SELECT 'classifier' AS o, name AS c, ''::text AS i, 'c:' || name AS k FROM ai_classifiers WHERE NOT built_in
                         UNION ALL
                         SELECT 'model', classifier, id::text, format('m:%s:%s', id, md5(model)) FROM ai_intent_models WHERE is_active) AS s"; }
expect_eq "$(kept)" "$(state)" "the publication table keeps each classifier and active model, nothing else"
expect_eq "$(for n in w1 w2; do PGOPTIONS="-c citus.override_table_visibility=off" on $n $DB "SELECT string_agg(a.attstorage::text, ',') FROM pg_attribute AS a JOIN pg_class AS c ON c.oid = a.attrelid
                                           WHERE c.relname ~ '^ai_classifier_publication_[0-9]+$' AND a.attname = 'model'"; done | paste -sd' ')" "e e" \
    "each worker's placement stores a model's bytes uncompressed (STORAGE EXTERNAL)"
# Every held-out row, predicted where its shard is, with the model that
# answered: exactly the coordinator's answers.
pushed() { q $DB "SELECT string_agg(format('%s=%s/%s', m.id, p.label, coalesce(p.model_partition, '-')), ' ' ORDER BY m.id)
                    FROM market AS m, LATERAL predict_label('shop_intent', m.message, m.shop) AS p WHERE m.split = 'val'"; }
expect_eq "$(pushed)" "$before" "predict_label() pushed down to the workers answers every held-out row as the coordinator does"
models_used() { q $DB "SELECT string_agg(DISTINCT p.model_id::text, ',') FROM market AS m, LATERAL predict_label('shop_intent', m.message, m.shop) AS p
                        WHERE m.shop = 'shop_a'"; }
shop_a_model=$(q $DB "SELECT id FROM ai_intent_models WHERE classifier = 'shop_intent' AND partition_key = 'shop_a' AND is_active")
expect_eq "$(models_used)" "$shop_a_model" "on the workers, shop_a's rows are answered by shop_a's active model"

# A deploy on the coordinator: a new shop_a model, forced in.
q $DB "SELECT train_classifier('shop_intent', 'second', '{\"deploy\": \"always\", \"seed\": 2}') ->> 'status'" >/dev/null
new_model=$(q $DB "SELECT id FROM ai_intent_models WHERE classifier = 'shop_intent' AND partition_key = 'shop_a' AND is_active")
if [ -z "$new_model" ] || [ "$new_model" = "$shop_a_model" ]; then echo "FAILED: no new shop_a model ($new_model)" >&2; exit 1; fi
coord_models=$(q $DB "SELECT string_agg(format('%s:%s', id, coalesce(partition_key, '-')), ',' ORDER BY id) FROM ai_intent_models WHERE classifier = 'shop_intent' AND is_active")
expect_eq "$(copies)" "$coord_models $coord_models" "a deploy on the coordinator: every worker serves the new models at once"
expect_eq "$(models_used)" "$new_model" "pushed down, shop_a's rows are answered by the new model"
expect_eq "$(pushed)" "$(answers)" "and the workers answer as the coordinator does"
# A rollback.
q $DB "SELECT rollback_classifier('shop_intent', 'shop_a')" >/dev/null
expect_eq "$(models_used)" "$shop_a_model" "rollback_classifier() on the coordinator: the workers serve the previous shop_a model"
expect_eq "$(pushed)" "$before" "and answer as before the deploy"
# The built-in classifier: intent trained on the coordinator's own messages,
# its model deployed there reaches the workers like any other.
psql -X -q -v ON_ERROR_STOP=1 -d $DB -f test/fixtures/spanish_80.sql >/dev/null
expect_eq "$(q $DB "SELECT train_intent_model('citus', 'full', '{\"seed\": 3}') ->> 'deploy_reason'")" first "intent trained and deployed on the coordinator"
intent_model=$(q $DB "SELECT id FROM ai_intent_models WHERE classifier = 'intent' AND is_active")
expect_eq "$(for n in w1 w2; do on $n $DB "SELECT id FROM ai_intent_models WHERE classifier = 'intent' AND is_active"; done | paste -sd' ')" \
    "$intent_model $intent_model" "its active model is on every worker"
intents() { q $DB "$1 SELECT string_agg(format('%s=%s/%s', m.id, p.predicted_intent, p.model_id), ' ' ORDER BY m.id)
                     FROM m, LATERAL predict_intent(m.message) AS p"; }
expect_eq "$(intents "WITH m AS (SELECT id, message FROM market WHERE split = 'val')")" \
    "$(intents "WITH m AS MATERIALIZED (SELECT id, message FROM market WHERE split = 'val')")" \
    "predict_intent() pushed down to the workers answers as on the coordinator"

# A deploy that fails on one worker is undone on every node: w2's apply
# trigger is made to fail (as a worker that rejects the change would).
on w2 $DB "SET citus.enable_ddl_propagation = off;
           CREATE FUNCTION public.refuse_models() RETURNS trigger LANGUAGE plpgsql AS \$\$BEGIN RAISE EXCEPTION 'w2 refuses'; END\$\$;
           CREATE TRIGGER refuse_models BEFORE INSERT OR UPDATE ON ai_intent_models FOR EACH ROW EXECUTE FUNCTION public.refuse_models()" >/dev/null
err=$(psql -X -q -d $DB -c "SELECT deploy_classifier_model('shop_intent', $new_model)" 2>&1 || true)
[[ $err == *"w2 refuses"* ]] || { echo "FAILED: a deploy a worker refuses: $err" >&2; exit 1; }
expect_eq "$(q $DB "SELECT id FROM ai_intent_models WHERE classifier = 'shop_intent' AND partition_key = 'shop_a' AND is_active")" "$shop_a_model" \
    "a deploy one worker refuses fails on the coordinator too"
expect_eq "$(models_used)" "$shop_a_model" "and no worker serves the refused model"
on w2 $DB "SET citus.enable_ddl_propagation = off; DROP TRIGGER refuse_models ON ai_intent_models; DROP FUNCTION public.refuse_models()" >/dev/null
# A role with the right to predict, granted on the coordinator, predicts on
# the workers (Citus creates the role on every node; its OID there differs).
q $DB "CREATE ROLE shop_app LOGIN" >/dev/null
q $DB "GRANT SELECT ON market TO shop_app" >/dev/null
q $DB "SELECT grant_classifier_access('shop_intent', 'shop_app', 'predict')" >/dev/null
expect_eq "$(PGUSER=shop_app q $DB "SELECT count(p.label) FROM market AS m, LATERAL predict_label('shop_intent', m.message, m.shop) AS p WHERE m.split = 'val'")" \
    "$(q $DB "SELECT count(*) FROM market WHERE split = 'val'")" "a role granted predict on the coordinator predicts on the workers"
q $DB "SELECT revoke_classifier_access('shop_intent', 'shop_app', 'predict')" >/dev/null
err=$(PGUSER=shop_app psql -X -q -d $DB -c "$PUSHED" 2>&1 || true)
[[ $err == *'permission denied for classifier "shop_intent"'* && $err == *"while executing command on 127.0.0.1:"* ]] ||
    { echo "FAILED: a revoked role on the workers: $err" >&2; exit 1; }
echo "ok: revoked on the coordinator, the role is refused on the workers"

# The next release's update on a cluster where the classifiers are
# replicated: every code piece again (CREATE OR REPLACE of the functions and
# of the triggers, the publication table's included) as the next upgrade
# script will run them, on every node in one distributed transaction.
NEXT=0.3.2-next
{
    printf 'SET LOCAL search_path = pg_catalog, pg_temp;\n'
    for f in src/sql/[1-9]*.sql; do cat "$f"; printf '\n'; done
    printf 'SELECT intent_internal._pg_intent_apply_privileges(false);\n'
} >"$TEST_TMP/next.sql"
ext_dir=$(on coord $DB "SELECT setting FROM pg_config WHERE name = 'SHAREDIR'")/extension
install -m 644 "$TEST_TMP/next.sql" "$ext_dir/pg_intent--0.3.2--$NEXT.sql"
q $DB "ALTER EXTENSION pg_intent UPDATE TO '$NEXT'" >/dev/null
expect_eq "$(versions)" "$NEXT $NEXT $NEXT" "an update after replicate_classifiers() runs on every node"
expect_eq "$(pushed)" "$before" "and the workers answer as before it"
q $DB "SELECT train_classifier('shop_intent', 'third', '{\"deploy\": \"always\", \"seed\": 3}') ->> 'status'" >/dev/null
coord_models=$(q $DB "SELECT string_agg(format('%s:%s', id, coalesce(partition_key, '-')), ',' ORDER BY id) FROM ai_intent_models WHERE classifier = 'shop_intent' AND is_active")
expect_eq "$(copies)" "$coord_models $coord_models" "a deploy after the update reaches every worker"
expect_eq "$(pushed)" "$(answers)" "and the workers answer as the coordinator does"

# A node added later: citus_add_node() gives it the extension (Citus). The
# classifiers come with the publication table's placement, which Citus
# copies to the node when it first places a shard there (no
# replicate_classifiers() again): a shard moved there is answered there at
# once, and the next deploy reaches it as it reaches the others.
citus_start_worker w3
on w3 postgres "CREATE DATABASE $DB" >/dev/null
on w3 $DB "CREATE EXTENSION citus" >/dev/null
q $DB "SELECT citus_add_node('127.0.0.1', $W3_PORT)" >/dev/null
expect_eq "$(on w3 $DB "SELECT extversion FROM pg_extension WHERE extname = 'pg_intent'")" "$NEXT" "citus_add_node(): the new node has the extension"
# the new node's own classifier: the coordinator's rows are all it keeps
on w3 $DB "SELECT create_classifier('w3_own', 'ai_training_data', 'user_message', 'training_label')" >/dev/null
# Citus's own step before a shard moves to a new node (citus_rebalance_start()
# does it itself): its reference tables, ai_classifier_publication among them,
# in Citus's default transfer mode, logical replication, which refuses a table
# without a replica identity (the publication's primary key is its state_key).
# Its copy waits for the new node's subscription, which never catches up if
# the coordinator's walsender dies (it did, FATAL "out of relcache_callback_list
# slots", while pg_intent took three of a backend's ten relcache callbacks):
# bounded, so that such a failure fails here instead of hanging the run.
PGOPTIONS='-c statement_timeout=300s' q $DB "SELECT replicate_reference_tables()" >/dev/null
# shop_a's shard moves to the new node
read -r shard from_port < <(q $DB "SELECT s.shardid, s.nodeport FROM citus_shards AS s
                                    WHERE s.table_name = 'market'::regclass AND s.shardid = get_shard_id_for_distribution_column('market', 'shop_a')" | tr '|' ' ')
q $DB "SELECT citus_move_shard_placement($shard, '127.0.0.1', $from_port, '127.0.0.1', $W3_PORT, shard_transfer_mode => 'block_writes')" >/dev/null
expect_eq "$(q $DB "SELECT nodeport FROM citus_shards WHERE shardid = $shard")" "$W3_PORT" "shop_a's shard is on the new node"
expect_eq "$(on w3 $DB "SELECT string_agg(format('%s:%s', id, coalesce(partition_key, '-')), ',' ORDER BY id) FROM ai_intent_models WHERE classifier = 'shop_intent' AND is_active")" \
    "$coord_models" "without replicate_classifiers(), the new node holds the coordinator's active models"
expect_eq "$(on w3 $DB "SELECT string_agg(name, ',' ORDER BY name) FROM ai_classifiers WHERE NOT built_in")" \
    "$(q $DB "SELECT string_agg(name, ',' ORDER BY name) FROM ai_classifiers WHERE NOT built_in")" \
    "and exactly the coordinator's classifiers"
expect_eq "$(pushed)" "$(answers)" "the new node answers shop_a's rows as the coordinator does"
q $DB "SELECT train_classifier('shop_intent', 'fourth', '{\"deploy\": \"always\", \"seed\": 4}') ->> 'status'" >/dev/null
coord_models=$(q $DB "SELECT string_agg(format('%s:%s', id, coalesce(partition_key, '-')), ',' ORDER BY id) FROM ai_intent_models WHERE classifier = 'shop_intent' AND is_active")
expect_eq "$(copies) $(on w3 $DB "SELECT string_agg(format('%s:%s', id, coalesce(partition_key, '-')), ',' ORDER BY id) FROM ai_intent_models WHERE classifier = 'shop_intent' AND is_active")" \
    "$coord_models $coord_models $coord_models" "the next deploy reaches the new node too"
expect_eq "$(pushed)" "$(answers)" "and every node answers as the coordinator does"
expect_eq "$(kept)" "$(state)" "after deploys the publication still keeps exactly the classifiers and active models"
expect_eq "$(q $DB "SELECT replicate_classifiers() ->> 'workers'")" 3 "replicate_classifiers() again: three workers, and the answers unchanged"
expect_eq "$(pushed)" "$(answers)" "after it every node still answers as the coordinator does"

# TRUNCATE names no rows: the nodes start over from what the coordinator
# has left (no classifier here), and get the rows back when they return.
q $DB "CREATE TABLE saved_classifiers AS SELECT * FROM ai_classifiers" >/dev/null
q $DB "TRUNCATE ai_classifiers" >/dev/null
expect_eq "$(for n in w1 w2 w3; do on $n $DB "SELECT count(*) FROM ai_classifiers WHERE NOT built_in"; done | paste -sd' ')" "0 0 0" \
    "TRUNCATE ai_classifiers on the coordinator: no worker keeps a classifier"
err=$(psql -X -q -d $DB -c "$PUSHED" 2>&1 || true)
[[ $err == *'classifier "shop_intent" does not exist'* ]] || { echo "FAILED: pushed down after the TRUNCATE: $err" >&2; exit 1; }
echo "ok: and a pushed-down prediction finds no classifier"
q $DB "INSERT INTO ai_classifiers SELECT * FROM saved_classifiers; DROP TABLE saved_classifiers" >/dev/null
expect_eq "$(pushed)" "$(answers)" "the rows inserted back: the workers answer as the coordinator again"

# A dropped classifier is gone from every node.
q $DB "SELECT drop_classifier('shop_intent')" >/dev/null
expect_eq "$(for n in w1 w2 w3; do on $n $DB "SELECT count(*) FROM ai_classifiers WHERE name = 'shop_intent'"; done | paste -sd' ')" "0 0 0" \
    "drop_classifier() on the coordinator: gone from every worker"
expect_eq "$(for n in w1 w2 w3; do on $n $DB "SELECT count(*) FROM ai_intent_models WHERE classifier = 'shop_intent'"; done | paste -sd' ')" "0 0 0" \
    "and so are its models (the coordinator keeps them as history)"
err=$(psql -X -q -d $DB -c "$PUSHED" 2>&1 || true)
[[ $err == *'classifier "shop_intent" does not exist'* ]] || { echo "FAILED: pushed down after the drop: $err" >&2; exit 1; }
echo "ok: and a pushed-down prediction finds no classifier"

# An id that names another model on a worker. A worker's session keeps the
# models it used by id; the coordinator's id sequence starts over (TRUNCATE
# ... RESTART IDENTITY, here set to the id that session used), and the next
# model it publishes under that id replaces the worker's row. The session
# answers with the new model, as a new session does (before the store knew
# a model by its row's sha256 too, it kept serving the old bytes under the
# id: return_process).
intent_model=$(q $DB "SELECT id FROM ai_intent_models WHERE classifier = 'intent' AND is_active")
PROBE="SELECT predicted_intent || '|' || model_id FROM predict_intent('quiero devolver la camiseta')"
session_open w1_pool $DB -h "$W1_HOST" -p "$W1_PORT"
expect_eq "$(session_run w1_pool "$PROBE;")" "return_process|$intent_model" "a worker's session answers with intent's model $intent_model"
psql -X -q -v ON_ERROR_STOP=1 -d $DB >/dev/null <<SQL
UPDATE ai_intent_models SET is_active = false;
TRUNCATE ai_intent_models, ai_model_deployments RESTART IDENTITY;
SELECT pg_catalog.setval(pg_catalog.pg_get_serial_sequence('ai_intent_models', 'id'), $intent_model, false);
UPDATE ai_training_data SET detected_intent = 'nuevo_' || detected_intent;
SQL
expect_eq "$(q $DB "SELECT (t ->> 'model_id') || ':' || (t ->> 'deploy_reason') FROM train_intent_model('citus again', 'full', '{\"seed\": 3}') AS t")" \
    "$intent_model:first" "the coordinator's next intent model takes id $intent_model, and reaches the workers"
expect_eq "$(on w1 $DB "$PROBE")" "nuevo_return_process|$intent_model" "a new session on the worker answers with the new model"
expect_eq "$(session_run w1_pool "$PROBE;")" "nuevo_return_process|$intent_model" \
    "and so does the worker's session that kept the old model under that id"
session_close w1_pool

# ---------------------------------------------------------------- 3b. from 0.3.0
# The frozen 0.3.0 -> 0.3.1 script creates a temporary table; Citus
# prepares the propagated update on each worker, which PostgreSQL refuses.
# docs/scale-out.md's path: that step on each node on its own, without
# propagation, then the rest from the coordinator.
OLD=shops_030
citus_create_db $OLD coord w1 w2
q $OLD "CREATE EXTENSION pg_intent VERSION '0.3.0'" >/dev/null
old_versions() { local n; for n in coord w1 w2; do on $n $OLD "SELECT extversion FROM pg_extension WHERE extname = 'pg_intent'"; done | paste -sd' '; }
err=$(psql -X -q -d $OLD -c "ALTER EXTENSION pg_intent UPDATE" 2>&1 || true)
[[ $err == *"cannot PREPARE a transaction that has operated on temporary objects"* ]] ||
    { echo "FAILED: the update from 0.3.0 through the frozen script on Citus: $err" >&2; exit 1; }
expect_eq "$(old_versions)" "0.3.0 0.3.0 0.3.0" "from 0.3.0 the propagated update is refused (the frozen 0.3.0--0.3.1 script's temporary table), on no node applied"
psql -X -q -v ON_ERROR_STOP=1 -d $OLD >/dev/null <<'SQL'
SET citus.enable_ddl_propagation = off;
ALTER EXTENSION pg_intent UPDATE TO '0.3.1';
RESET citus.enable_ddl_propagation;
SELECT result FROM run_command_on_workers($$SET citus.enable_ddl_propagation = off; ALTER EXTENSION pg_intent UPDATE TO '0.3.1'$$)
 WHERE NOT success;
SQL
expect_eq "$(old_versions)" "0.3.1 0.3.1 0.3.1" "0.3.0 -> 0.3.1 node by node, propagation off"
q $OLD "ALTER EXTENSION pg_intent UPDATE" >/dev/null
expect_eq "$(old_versions)" "0.3.2 0.3.2 0.3.2" "then ALTER EXTENSION pg_intent UPDATE on the coordinator: 0.3.2 on every node"

# ---------------------------------------------------------------- 4. the drop guard
drop_err() { psql -X -q -d $DB "$@" 2>&1 || true; }
err=$(drop_err -c "DROP EXTENSION pg_intent")
[[ $err == *"would delete pg_intent's captured messages"* && $err == *"citus.propagate_set_commands = 'local'"* ]] ||
    { echo "FAILED: the coordinator's guard: $err" >&2; exit 1; }
echo "ok: the coordinator's guard refuses the drop, its hint names the propagated SET LOCAL"
# A worker whose own tables hold a row (captured there). The workers'
# copies of the coordinator's classifiers and models do not count: the drop
# loses nothing by them (w2 and w3 hold only copies).
on w1 $DB "SELECT record_interaction('hola', 'greeting', 90)" >/dev/null
err=$(drop_err -c "SET pg_intent.allow_drop_with_data = on" -c "DROP EXTENSION pg_intent")
[[ $err == *"hold rows: ai_training_data."* && $err == *"while executing command on 127.0.0.1:$W1_PORT"* && $err == *"citus.propagate_set_commands"* ]] ||
    { echo "FAILED: a plain SET and a worker with rows: $err" >&2; exit 1; }
expect_eq "$(versions)" "$NEXT $NEXT $NEXT" "a plain SET does not reach the workers: the worker's guard refuses, nothing is dropped"
err=$(drop_err -c "SET citus.propagate_set_commands = 'local'" -c "BEGIN" -c "SET LOCAL pg_intent.allow_drop_with_data = on" \
    -c "DROP EXTENSION pg_intent" -c "COMMIT")
expect_eq "$(versions) $(on w3 $DB "SELECT coalesce((SELECT extversion FROM pg_extension WHERE extname = 'pg_intent'), 'none')")" "none none none none" \
    "the hint's SET LOCAL, propagated, drops the extension on every node"
# replicate_classifiers() made ai_classifier_publication a reference table:
# its placements on each node are not members of the extension, and Citus
# leaves them behind; the drop guard drops them first.
expect_eq "$(for n in coord w1 w2 w3; do on $n $DB "SET citus.show_shards_for_app_name_prefixes = '*';
                SELECT count(*) FROM pg_class WHERE relname LIKE 'ai\_classifier\_publication%'" | tail -1; done | paste -sd' ')" "0 0 0 0" \
    "no placement of the publication table is left on any node"

# ---------------------------------------------------------------- 5. Citus 13.2.2's crash
# Why docs/scale-out.md does not delegate predict_label() with
# create_distributed_function(): on 13.2.2 a delegated call whose
# distribution argument is NULL kills the coordinator's backend (SIGSEGV;
# the postmaster restarts every session). A PL/pgSQL function of two lines
# does it; SQL functions are inlined, never delegated. Last, as it restarts
# the coordinator.
psql -X -q -v ON_ERROR_STOP=1 -d $DB >/dev/null <<'SQL'
CREATE TABLE crash_t (k text);
SELECT create_distributed_table('crash_t', 'k');
CREATE FUNCTION crash_f(p_text text, p_partition text) RETURNS text LANGUAGE plpgsql AS
$$ BEGIN RETURN p_text || coalesce(p_partition, '-'); END $$;
SELECT create_distributed_function('crash_f(text,text)', distribution_arg_name => 'p_partition', colocate_with => 'crash_t');
SQL
expect_eq "$(q $DB "SELECT crash_f('a', 'x')")" ax "a delegated call with a partition answers"
err=$(psql -X -q -d $DB -c "SELECT crash_f('a', NULL)" 2>&1 || true)
[[ $err == *"server closed the connection unexpectedly"* ]] ||
    { echo "FAILED: Citus 13.2.2's delegated call with a NULL distribution argument no longer crashes ($err): update docs/scale-out.md" >&2; exit 1; }
for _ in $(seq 1 100); do q $DB "SELECT 1" >/dev/null 2>&1 && break; sleep 0.2; done
grep -q "terminated by signal 11" "$TEST_TMP/coordinator/log/server.log" ||
    { echo "FAILED: no SIGSEGV in the coordinator's log" >&2; exit 1; }
echo "ok: Citus 13.2.2: a delegated call with a NULL distribution argument crashes the coordinator's backend (SIGSEGV)"
