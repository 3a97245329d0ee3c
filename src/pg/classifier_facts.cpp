// _pg_intent_classifier_facts(p_name text): what the calling role may know
// of a classifier, for the dashboards' functions that run as their caller
// (get_classifier_metrics(), create_classifier_metrics_snapshot(),
// get_classifier_review_queue()).
//
// The facts are read as the extension owner (ai_classifiers is not the
// caller's to read) by _pg_intent_classifier_facts(p_name, p_role), which
// answers for the role it is given. So the role is never the caller's to
// give: this function takes its own caller's OID, switches to the extension
// owner and asks for that role; the two-argument function is granted to no
// one. (Granted with the review and metrics sets, it answered for any role
// OID a caller passed, a superuser's included: any customer under the
// Supabase recipe learnt which classifiers exist and their facts.) No such
// classifier, or one the role may not know of: the refusal of
// _pg_intent_classifier_refuse() for that role (42704 only to a role that
// may list the classifiers, 42501 otherwise).
//
// _pg_intent_classifier_alerts(): the alerts of every classifier the calling
// role may know of (ai_classifier_alerts), by the same switch: its own
// caller's OID, given as the extension owner to
// _pg_intent_classifier_alerts(p_role), which keeps the classifiers that
// _pg_intent_classifier_facts(name, p_role) answers for.
#include "as_owner.h"
#include "guard.h"
#include "relations.h"
#include "spi.h"

extern "C" {
#include "catalog/pg_type.h"
#include "funcapi.h"
#include "utils/builtins.h"
#include "utils/datum.h"
#include "utils/lsyscache.h"
}

using namespace pg_intent;

namespace {

// The facts' columns: built_in, has_key, has_time_column, since,
// rows_at_last, threshold, classifier_id. Every type is passed by value.
constexpr int kFacts = 7;

} // namespace

PG_INTENT_FUNCTION(pg_intent_classifier_facts) {
    if (PG_ARGISNULL(0)) PG_RETURN_NULL();
    Datum result = 0;
    pg_call([&]() noexcept {
        const Oid caller = GetUserId();
        const CallingFunction self = calling_function(fcinfo);
        TupleDesc desc = nullptr;
        if (get_call_result_type(fcinfo, nullptr, &desc) != TYPEFUNC_COMPOSITE || desc->natts != kFacts)
            elog(ERROR, "_pg_intent_classifier_facts must return %d columns", kFacts);
        desc = BlessTupleDesc(desc);
        const char *internal = quote_identifier(get_namespace_name(internal_schema(self.schema)));
        Oid argtypes[2] = {TEXTOID, OIDOID};
        Datum args[2] = {PG_GETARG_DATUM(0), ObjectIdGetDatum(caller)};
        Datum values[kFacts] = {};
        bool nulls[kFacts] = {};
        bool found = false;
        AsExtensionOwner as_owner(self.owner);
        spi_select_in_pg(
            psprintf("SELECT f.built_in, f.has_key, f.has_time_column, f.since, f.rows_at_last, "
                     "f.threshold, f.classifier_id FROM %s._pg_intent_classifier_facts($1, $2) AS f",
                     internal),
            2, argtypes, args, nullptr, 1, "a classifier's facts could not be read",
            [&](const SpiRow &row) noexcept {
                found = true;
                for (int i = 0; i < kFacts; ++i)
                    values[i] = row.value(i + 1, &nulls[i]);
            });
        if (!found) {
            spi_select_in_pg(psprintf("SELECT %s._pg_intent_classifier_refuse($1, $2, 'read')", internal), 2,
                             argtypes, args, nullptr, 1, "a classifier's facts could not be read",
                             [](const SpiRow &) noexcept {});
            elog(ERROR, "_pg_intent_classifier_refuse() returned"); // it always raises
        }
        result = HeapTupleGetDatum(heap_form_tuple(desc, values, nulls));
    });
    return result;
}

// The alert rows of the classifiers the caller may know of, as one jsonb
// array (the view ai_classifier_alerts reads it as rows), copied out of
// SPI's memory into the call's.
PG_INTENT_FUNCTION(pg_intent_classifier_alerts) {
    Datum result = 0;
    pg_call([&]() noexcept {
        const Oid caller = GetUserId();
        const CallingFunction self = calling_function(fcinfo);
        const MemoryContext call_context = CurrentMemoryContext;
        const char *internal = quote_identifier(get_namespace_name(internal_schema(self.schema)));
        Oid argtypes[1] = {OIDOID};
        Datum args[1] = {ObjectIdGetDatum(caller)};
        AsExtensionOwner as_owner(self.owner);
        spi_select_in_pg(
            psprintf("SELECT coalesce(pg_catalog.jsonb_agg(pg_catalog.to_jsonb(a)), '[]'::jsonb) "
                     "FROM %s._pg_intent_classifier_alerts($1) AS a",
                     internal),
            1, argtypes, args, nullptr, 1, "the classifiers' alerts could not be read",
            [&](const SpiRow &row) noexcept {
                bool isnull = false;
                const Datum value = row.value(1, &isnull);
                const MemoryContext spi_context = MemoryContextSwitchTo(call_context);
                result = datumCopy(value, false, -1);
                MemoryContextSwitchTo(spi_context);
            });
    });
    PG_RETURN_DATUM(result);
}
