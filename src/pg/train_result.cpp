// The result row of _pg_intent_train_table() (train_result.h).
#include "train_result.h"

#include "guard.h"

extern "C" {
#include "access/htup_details.h"
#include "catalog/pg_type.h"
#include "funcapi.h"
#include "utils/builtins.h"
}

#include <cstring>

namespace pg_intent {
namespace {

struct ColumnSpec {
    const char *name;
    Oid type;
};
#define PG_INTENT_COLUMN_SPEC(id, name, type) {name, type},
constexpr ColumnSpec kColumnSpecs[kColumns] = {PG_INTENT_TRAIN_TABLE_COLUMNS(PG_INTENT_COLUMN_SPEC)};
#undef PG_INTENT_COLUMN_SPEC

} // namespace

void check_result_columns(FunctionCallInfo fcinfo) noexcept {
    TupleDesc desc;
    if (get_call_result_type(fcinfo, nullptr, &desc) != TYPEFUNC_COMPOSITE || desc->natts != kColumns)
        elog(ERROR, "_pg_intent_train_table() must return %d columns", static_cast<int>(kColumns));
    for (int i = 0; i < kColumns; ++i) {
        const Form_pg_attribute att = TupleDescAttr(desc, i);
        if (strcmp(NameStr(att->attname), kColumnSpecs[i].name) != 0 || att->atttypid != kColumnSpecs[i].type)
            elog(ERROR, "_pg_intent_train_table() column %d is \"%s\" of type %s, not \"%s\" of type %s",
                 i + 1, NameStr(att->attname), format_type_be(att->atttypid), kColumnSpecs[i].name,
                 format_type_be(kColumnSpecs[i].type));
    }
}

Datum form_result(FunctionCallInfo fcinfo, ResultRow &row, const std::string *blob) {
    Datum result;
    pg_call([&]() noexcept {
        if (blob) {
            bytea *model = static_cast<bytea *>(palloc(VARHDRSZ + blob->size()));
            SET_VARSIZE(model, VARHDRSZ + blob->size());
            memcpy(VARDATA(model), blob->data(), blob->size());
            row.values[kModel] = PointerGetDatum(model);
            row.nulls[kModel] = false;
        }
        TupleDesc desc;
        if (get_call_result_type(fcinfo, nullptr, &desc) != TYPEFUNC_COMPOSITE)
            elog(ERROR, "_pg_intent_train_table() must return a row");
        result = HeapTupleGetDatum(heap_form_tuple(BlessTupleDesc(desc), row.values, row.nulls));
    });
    return result;
}

} // namespace pg_intent
