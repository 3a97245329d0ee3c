#!/usr/bin/env bash
# docs/why-not-deployed.md answers "why wasn't my model deployed?" for
# every decision the code can record (issue 36): each deploy_reason and
# deploy_evidence that ai_training_runs accepts, each reason of
# ai_model_deployments, and each reason the deploy rule
# (src/core/deploy_rule.cpp) and the training worker (src/sql/) assign,
# appears there as a row of a table: | `code` |. The lists come from the
# catalog's CHECK constraints and from the code, never from a copy here; a
# code the code assigns that the constraint does not accept fails too.
cd "$(dirname "$0")/../.."
source test/scripts/lib.bash
DB=pgi_why_not_deployed
DOC=docs/why-not-deployed.md
fresh_db $DB
# The values a CHECK (col IN ('a', 'b', ...)) constraint accepts.
allowed() { # constraint name
    q $DB "SELECT pg_get_constraintdef(oid) FROM pg_constraint WHERE conname = '$1'" |
        grep -oE "'[a-z_]+'" | tr -d "'" | sort -u
}
reasons=$(allowed ai_training_runs_deploy_reason_check)
evidence=$(allowed ai_training_runs_deploy_evidence_check)
deployments=$(allowed ai_model_deployments_reason_check)
drop_db $DB
[ "$(wc -w <<<"$reasons")" -ge 5 ] || { echo "FAILED: no deploy reasons read from the catalog" >&2; exit 1; }
[ -n "$evidence" ] && [ -n "$deployments" ] || { echo "FAILED: no evidence or deployment reasons read from the catalog" >&2; exit 1; }
# What the code assigns: d.reason = "x" / d.evidence = "x" in the deploy
# rule, v_reason := 'x' in the training worker.
assigned=$( { grep -ohE 'd\.(reason|evidence) = "[a-z_]+"' src/core/deploy_rule.cpp | grep -oE '"[a-z_]+"';
              grep -ohE "v_reason := '[a-z_]+'" src/sql/*.sql | grep -oE "'[a-z_]+'"; } | tr -d "\"'" | sort -u)
[ "$(wc -w <<<"$assigned")" -ge 5 ] || { echo "FAILED: no decision codes found in the code" >&2; exit 1; }
for code in $assigned; do
    grep -qxF "$code" <<<"$reasons"$'\n'"$evidence" ||
        { echo "FAILED: the code assigns \"$code\", which ai_training_runs' constraints do not accept" >&2; exit 1; }
done
missing=()
for code in $(sort -u <<<"$reasons"$'\n'"$evidence"$'\n'"$deployments"$'\n'"$assigned"); do
    grep -qE "^\| \`$code\` \|" "$DOC" || missing+=("$code")
done
if [ ${#missing[@]} -gt 0 ]; then
    echo "FAILED: $DOC does not explain: ${missing[*]}" >&2
    exit 1
fi
echo "ok: $DOC explains all $(sort -u <<<"$reasons"$'\n'"$evidence"$'\n'"$deployments" | wc -l) decision codes"
