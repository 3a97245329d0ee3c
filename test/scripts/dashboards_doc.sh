#!/usr/bin/env bash
# docs/dashboards.md documents every field of the dashboards with its scale:
# every key of get_ai_training_metrics(), get_classifier_metrics() and of both
# snapshot functions, and every column of the dashboard views and of both
# snapshot tables, appears
# there as `name`. A field added without its line fails here.
cd "$(dirname "$0")/../.."
source test/scripts/lib.bash
DB=pgi_dashboards_doc
DOC=docs/dashboards.md
fresh_db $DB
fields=$(q $DB "
    SELECT k FROM jsonb_object_keys(get_ai_training_metrics()) AS k
    UNION
    SELECT k FROM jsonb_object_keys(create_metrics_snapshot('hourly')) AS k
    UNION
    SELECT k FROM jsonb_object_keys(get_classifier_metrics('intent')) AS k
    UNION
    SELECT k FROM jsonb_object_keys(create_classifier_metrics_snapshot('intent', 'hourly')) AS k
    UNION
    SELECT a.attname::text
      FROM pg_attribute AS a
     WHERE a.attrelid IN ('ai_live_metrics'::regclass, 'ai_intent_performance'::regclass,
                          'ai_metrics_snapshots'::regclass, 'ai_classifier_metrics_snapshots'::regclass,
                          'ai_model_registry'::regclass,
                          'ai_training_run_history'::regclass, 'ai_shadow_agreement'::regclass)
       AND a.attnum > 0 AND NOT a.attisdropped
    ORDER BY 1")
missing=()
for f in $fields; do
    grep -q "\`$f\`" "$DOC" || missing+=("$f")
done
drop_db $DB
if [ ${#missing[@]} -gt 0 ]; then
    echo "FAILED: $DOC does not document: ${missing[*]}" >&2
    exit 1
fi
echo "ok: $DOC documents all $(echo "$fields" | wc -l) dashboard fields"
