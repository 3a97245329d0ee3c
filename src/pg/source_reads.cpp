// What dashboards and reviewers read of a classifier's source, read as the
// classifier's owner (the rule of as_owner.h):
//
//   _pg_intent_count_classifier_source(p_name, p_from, p_to) -> bigint
//       the rows new since p_from (p_to NULL; every row when p_from is NULL
//       too), or the rows of the period [p_from, p_to) by the time column
//       (NULL without one): get_classifier_metrics() and
//       create_classifier_metrics_snapshot(), through
//       _pg_intent_try_count_classifier_source(), their one rule for a
//       count that fails;
//   _pg_intent_classifier_source_texts(p_name, p_keys) -> jsonb
//       {key: text} for the rows with those keys, each text cut at 8192
//       characters: get_classifier_review_queue().
//
// Those SQL functions run as their caller (SECURITY INVOKER), so the source
// cannot be read there: its view's functions, policies and domain CHECKs
// would run with the caller's rights (a superuser's, from pg_cron). Each
// asks _pg_intent_classifier_source_statement() (SECURITY DEFINER, the one
// statement of what is read and who may ask: the right to train the
// classifier) for the owner and the statement, and runs the statement in a
// security-restricted operation as the owner. The caller supplies values,
// never SQL, and never sees the statement, which names the source: it is
// taken out of any error the read raises (hiding_statement(), spi.h).
#include "as_owner.h"
#include "guard.h"
#include "relations.h"
#include "spi.h"
#include "subtransaction.h"

extern "C" {
#include "catalog/pg_type.h"
#include "utils/array.h"
#include "utils/datum.h"
#include "utils/lsyscache.h"
}

using namespace pg_intent;

namespace {

// The most keys one call looks up (get_classifier_review_queue()'s p_limit
// bound): with each text cut at 8192 characters, a call holds a bounded
// amount of the source.
constexpr int kMaxKeys = 10000;

struct Statement {
    Oid owner = InvalidOid;
    char *sql = nullptr;       // NULL: nothing to read (a period without a time column)
    char *time_zone = nullptr; // the policy's (as_owner.h)
};

// The owner and the statement of `kind` for the caller, checked by
// _pg_intent_classifier_source_statement() (42704, 42501).
Statement source_statement(Oid schema, Datum name, const char *kind) noexcept {
    Oid argtypes[3] = {TEXTOID, OIDOID, TEXTOID};
    const Oid fn = extension_function(schema, "_pg_intent_classifier_source_statement", 3, argtypes);
    const Datum args[3] = {name, ObjectIdGetDatum(GetUserId()), CStringGetTextDatum(kind)};
    bool isnull = false;
    const Datum row = call_extension_function(fn, 3, args, nullptr, isnull);
    Statement out;
    if (isnull) return out;
    HeapTupleHeader tuple = DatumGetHeapTupleHeader(row);
    out.owner = DatumGetObjectId(GetAttributeByNum(tuple, 1, &isnull));
    const Datum sql = GetAttributeByNum(tuple, 2, &isnull);
    if (!isnull) out.sql = TextDatumGetCString(sql);
    out.time_zone = policy_time_zone_in_pg(schema);
    return out;
}

// Runs the one-value statement as the owner, restricted; the value is
// copied into the caller's memory context.
Datum run_restricted(const Statement &st, int nargs, Oid *argtypes, Datum *args, const char *nulls, Oid type,
                     bool &isnull) noexcept {
    MemoryContext caller = CurrentMemoryContext;
    const RestrictedOperation op = enter_restricted_operation(st.owner, st.time_zone);
    Datum value = 0;
    uint64 rows = 0;
    spi_select_in_pg(st.sql, nargs, argtypes, args, nulls, 1, "a classifier's source could not be read",
                     [&](const SpiRow &row) noexcept {
                         ++rows;
                         if (row.type(1) != type) elog(ERROR, "unexpected type reading a source");
                         value = row.value(1, &isnull);
                         if (isnull) return;
                         // Copied out before SPI_finish() frees the row.
                         int16 typlen;
                         bool byval;
                         get_typlenbyval(type, &typlen, &byval);
                         MemoryContext old = MemoryContextSwitchTo(caller);
                         value = datumCopy(value, byval, typlen);
                         MemoryContextSwitchTo(old);
                     });
    if (rows != 1) elog(ERROR, "a classifier's source could not be read");
    leave_restricted_operation(op);
    return value;
}

// Whether the read of the keys by their type failed because the recorded
// keys, each key_column::text when its run read it (row_key.h), are no
// values of the key's type now, or the type cannot compare them: a data
// exception (22P02 after ALTER COLUMN ... TYPE, 22003 out of range), a
// domain's CHECK (23514), no equality operator (42883: json) or no cast
// (42846). Then the keys are looked up by their text, as recorded.
bool keys_not_of_the_type(int sqlerrcode) noexcept {
    return ERRCODE_TO_CATEGORY(sqlerrcode) == ERRCODE_DATA_EXCEPTION ||
           sqlerrcode == ERRCODE_CHECK_VIOLATION || sqlerrcode == ERRCODE_UNDEFINED_FUNCTION ||
           sqlerrcode == ERRCODE_CANNOT_COERCE;
}

} // namespace

PG_INTENT_FUNCTION(pg_intent_count_classifier_source) {
    if (PG_ARGISNULL(0))
        throw SqlError(ERRCODE_NULL_VALUE_NOT_ALLOWED, intent::Message{N_("p_name must not be null"), {}});
    const bool period = !PG_ARGISNULL(2);
    if (period && PG_ARGISNULL(1))
        throw SqlError(ERRCODE_NULL_VALUE_NOT_ALLOWED,
                       intent::Message{N_("p_from must not be null when p_to is given"), {}});
    Datum result = 0;
    bool isnull = true;
    Statement st;
    pg_call([&]() noexcept {
        st = source_statement(calling_function(fcinfo).schema, PG_GETARG_DATUM(0), period ? "period" : "new");
    });
    if (!st.sql) PG_RETURN_NULL();
    hiding_statement(st.sql, [&] {
        pg_call([&]() noexcept {
            Oid argtypes[2] = {TIMESTAMPTZOID, TIMESTAMPTZOID};
            Datum args[2] = {PG_ARGISNULL(1) ? 0 : PG_GETARG_DATUM(1), period ? PG_GETARG_DATUM(2) : 0};
            const char nulls[2] = {PG_ARGISNULL(1) ? 'n' : ' ', ' '};
            result = run_restricted(st, period ? 2 : 1, argtypes, args, nulls, INT8OID, isnull);
        });
    });
    if (isnull) PG_RETURN_NULL();
    return result;
}

PG_INTENT_FUNCTION(pg_intent_classifier_source_texts) {
    if (PG_ARGISNULL(0))
        throw SqlError(ERRCODE_NULL_VALUE_NOT_ALLOWED, intent::Message{N_("p_name must not be null"), {}});
    if (PG_ARGISNULL(1))
        throw SqlError(ERRCODE_NULL_VALUE_NOT_ALLOWED, intent::Message{N_("p_keys must not be null"), {}});
    Datum result = 0;
    bool isnull = true;
    int keys = 0;
    pg_call([&]() noexcept {
        ArrayType *array = PG_GETARG_ARRAYTYPE_P(1);
        keys = ArrayGetNItems(ARR_NDIM(array), ARR_DIMS(array));
    });
    if (keys > kMaxKeys)
        throw SqlError(ERRCODE_INVALID_PARAMETER_VALUE,
                       intent::Message{N_("too many keys: %s"), {std::to_string(keys)}},
                       "At most " + std::to_string(kMaxKeys) + " rows are read in one call.");
    // By the key's type first, which an index on the key serves; by the
    // keys' text when they are no values of that type now
    // (keys_not_of_the_type()). The first read runs in a subtransaction, so
    // that its error undoes what the source's code did; any other error,
    // and a cancel, is raised as the read's.
    Oid argtypes[1] = {TEXTARRAYOID};
    Datum args[1] = {PG_GETARG_DATUM(1)};
    Statement st;
    pg_call([&]() noexcept {
        st = source_statement(calling_function(fcinfo).schema, PG_GETARG_DATUM(0), "texts");
    });
    if (!st.sql) PG_RETURN_NULL();
    bool by_text = false;
    hiding_statement(st.sql, [&] {
        pg_call([&]() noexcept {
            ErrorData *error = in_subtransaction_in_pg([&]() noexcept {
                result = run_restricted(st, 1, argtypes, args, nullptr, JSONBOID, isnull);
            });
            if (!error) return;
            if (!keys_not_of_the_type(error->sqlerrcode)) ReThrowError(error);
            FreeErrorData(error);
            by_text = true;
        });
    });
    if (by_text) {
        pg_call([&]() noexcept {
            st = source_statement(calling_function(fcinfo).schema, PG_GETARG_DATUM(0), "texts_by_text");
        });
        if (!st.sql) PG_RETURN_NULL();
        hiding_statement(st.sql, [&] {
            pg_call([&]() noexcept {
                result = run_restricted(st, 1, argtypes, args, nullptr, JSONBOID, isnull);
            });
        });
    }
    if (isnull) PG_RETURN_NULL();
    return result;
}
