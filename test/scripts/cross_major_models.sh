#!/usr/bin/env bash
# A model trained on one PostgreSQL major predicts bit for bit on another:
# models are bytes, and the core that reads them includes no server header.
#
# Two models (linear SVM and logistic regression) are trained in the
# running cluster (15 in scripts/test.sh), the database is dumped with
# pg_dump -Fc and restored with pg_restore into a cluster of CROSS_MAJOR
# (18 by default; its tree from scripts/pg-major.sh, a missing archive fails
# the test). There the model bytes must be the same (sha256 of the column),
# and every prediction of both models on the demo's test rows and some
# hostile texts must be identical: label, confidence and every probability
# of top_intents as float8 text (shortest exact form), and the abstention.
cd "$(dirname "$0")/../.."
source test/scripts/lib.bash
DB=pgi_cross
OTHER=${CROSS_MAJOR:-18}
# The other major's build with the flags scripts/test.sh's phase 6 builds it
# with (-Werror, g++), which then reuses it: with other flags it is compiled
# again there (scripts/pg-major.sh build).
export WERROR=${WERROR:-1} CXX=${CXX:-g++}
here=$("$PGI_SYSTEM_PG_CONFIG" --version)
other_pg_config=$(scripts/pg-major.sh tree "$OTHER") || { echo "FAILED: no PostgreSQL $OTHER tree" >&2; exit 1; }
[ "$("$other_pg_config" --version)" != "$here" ] ||
    { echo "FAILED: the running cluster is already $here: nothing to compare with" >&2; exit 1; }

fresh_db $DB
load_ecommerce $DB
svm=$(q $DB "SELECT train_intent_model('cross svm', 'full', '{\"seed\": 1}') ->> 'model_id'")
lr=$(q $DB "SELECT train_intent_model('cross logistic', 'full', '{\"seed\": 2, \"algorithm\": \"logistic_regression\", \"deploy\": \"never\"}') ->> 'model_id'")
[ -n "$svm" ] && [ -n "$lr" ] && [ "$svm" != "$lr" ] || { echo "FAILED: training gave models '$svm' and '$lr'" >&2; exit 1; }
echo "ok: trained models $svm (svm) and $lr (logistic) on $here"

models_sql="SELECT string_agg(format('%s|%s|%s', id, sha256, encode(sha256(model), 'hex')), ';' ORDER BY id) FROM ai_intent_models"
# Every figure as text: float8 prints its shortest exact form (PostgreSQL
# 12+), so equal text is equal bits.
predictions_sql="SET extra_float_digits = 1;
SELECT format('%s|%s|%s|%s|%s|%s', m.id, md5(v.t), p.predicted_intent, p.confidence::text, p.uncertain, p.top_intents::text)
  FROM ai_intent_models AS m,
       (SELECT text FROM demo_rows WHERE split = 'test'
        UNION ALL SELECT unnest(ARRAY['', '   ', 'x', 'ÑANDÚ ¿¡qué!? 123', 'gracias 😀', repeat('envío gratis ', 300)])) AS v(t),
       LATERAL predict_intent(v.t, m.id) AS p
 ORDER BY 1"
psql -X -At -v ON_ERROR_STOP=1 -d $DB -c "$predictions_sql" >"$TEST_TMP/before" 2>&1 ||
    { cat "$TEST_TMP/before" >&2; echo "FAILED: predictions on $here" >&2; exit 1; }
before_models=$(q $DB "$models_sql")
n=$(wc -l <"$TEST_TMP/before")
[ "$n" -gt 100 ] || { echo "FAILED: only $n predictions" >&2; exit 1; }
pg_dump -Fc -d $DB -f "$TEST_TMP/dump.fc"
drop_db $DB

# The other major's cluster; from here PATH's programs are its.
PGI_SYSTEM_PG_CONFIG=$other_pg_config PGI_SOURCE= start_own_cluster other
echo "ok: $(psql -X -At -d postgres -c 'SELECT version()' | cut -d' ' -f1-2) started"
psql -X -q -d postgres -c "CREATE DATABASE $DB"
pg_restore --exit-on-error -d $DB "$TEST_TMP/dump.fc"
expect_eq "$(q $DB "$models_sql")" "$before_models" "the model bytes restored on $OTHER are those trained on $here"
psql -X -At -v ON_ERROR_STOP=1 -d $DB -c "$predictions_sql" >"$TEST_TMP/after" 2>&1 ||
    { cat "$TEST_TMP/after" >&2; echo "FAILED: predictions on $OTHER" >&2; exit 1; }
if ! cmp -s "$TEST_TMP/before" "$TEST_TMP/after"; then
    echo "FAILED: predictions differ between $here and PostgreSQL $OTHER:" >&2
    diff "$TEST_TMP/before" "$TEST_TMP/after" | head -20 >&2
    exit 1
fi
echo "ok: $n predictions of both models identical on PostgreSQL $OTHER (labels, float8 confidences, probabilities, abstentions)"
