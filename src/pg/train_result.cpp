// The result row of _pg_intent_train_table() (train_result.h).
#include "train_result.h"

#include "guard.h"
#include "relations.h"

extern "C" {
#include "access/htup_details.h"
#include "access/toast_internals.h"
#include "catalog/pg_attribute.h"
#include "catalog/pg_type.h"
#include "funcapi.h"
#include "utils/builtins.h"
#include "utils/syscache.h"
}

#include <cstring>

namespace pg_intent {
namespace {

struct ColumnSpec {
    const char *name;
    Oid type;
};
#define PG_INTENT_COLUMN_SPEC(id, name, type) {name, type},
constexpr ColumnSpec kColumnSpecs[kColumnsWithRows031] = {PG_INTENT_TRAIN_TABLE_COLUMNS(
    PG_INTENT_COLUMN_SPEC) PG_INTENT_TRAIN_TABLE_ROW_COLUMNS_031(PG_INTENT_COLUMN_SPEC)};
#undef PG_INTENT_COLUMN_SPEC

// The compression method of ai_intent_models.model (lz4 where the server
// has it, 11_storage.sql), or the server's default when the column names
// none: what storing the row would compress the model with.
char model_column_compression(Oid models) noexcept {
    char method = InvalidCompressionMethod;
    HeapTuple att = SearchSysCacheAttName(models, "model");
    if (HeapTupleIsValid(att)) {
        method = reinterpret_cast<Form_pg_attribute>(GETSTRUCT(att))->attcompression;
        ReleaseSysCache(att);
    }
    return method;
}

} // namespace

ResultShape check_result_columns(FunctionCallInfo fcinfo) noexcept {
    TupleDesc desc;
    if (get_call_result_type(fcinfo, nullptr, &desc) != TYPEFUNC_COMPOSITE)
        elog(ERROR, "_pg_intent_train_table() must return a row");
    // COMPAT(0.3.1) the row arrays only while that SQL is installed: under
    // 0.3.2's nothing reads them.
    const bool with_rows_031 = desc->natts == kColumnsWithRows031 && !extension_has_internal_schema();
    if (desc->natts != kColumns && !with_rows_031)
        elog(ERROR, "_pg_intent_train_table() must return %d columns, not %d", static_cast<int>(kColumns),
             desc->natts);
    for (int i = 0; i < desc->natts; ++i) {
        const Form_pg_attribute att = TupleDescAttr(desc, i);
        if (strcmp(NameStr(att->attname), kColumnSpecs[i].name) != 0 || att->atttypid != kColumnSpecs[i].type)
            elog(ERROR, "_pg_intent_train_table() column %d is \"%s\" of type %s, not \"%s\" of type %s",
                 i + 1, NameStr(att->attname), format_type_be(att->atttypid), kColumnSpecs[i].name,
                 format_type_be(kColumnSpecs[i].type));
    }
    return with_rows_031 ? ResultShape::WithRowArrays031 : ResultShape::Current;
}

Datum form_result(FunctionCallInfo fcinfo, ResultRow &row, const std::string *blob, Oid models) {
    Datum result;
    pg_call([&]() noexcept {
        if (blob) {
            bytea *model = static_cast<bytea *>(palloc(VARHDRSZ + blob->size()));
            SET_VARSIZE(model, VARHDRSZ + blob->size());
            memcpy(VARDATA(model), blob->data(), blob->size());
            // Compressed here as storing the model row would compress it
            // (the same method, so the same stored bytes): each copy the
            // record makes on its way to the table (the record function's
            // argument, the plan's constant, the digest trigger's row, the
            // transition table) is then a third of the model's size.
            const Datum compressed =
                toast_compress_datum(PointerGetDatum(model), model_column_compression(models));
            if (DatumGetPointer(compressed) != nullptr) {
                pfree(model);
                model = reinterpret_cast<bytea *>(DatumGetPointer(compressed));
            }
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
