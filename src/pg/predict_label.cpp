// predict_label() and classify_label(): prediction with a named classifier
// (src/sql/21_classifier_predict.sql); the classifier, the caller's right to
// use it and its model come from classifier_cache.cpp.
#include "classifier_cache.h"
#include "guard.h"
#include "intent_names.h"
#include "model_store.h"
#include "partition_key.h"
#include "predict.h"
#include "settings.h"
#include "text_io.h"

#include "relations.h"

extern "C" {
#include "access/detoast.h"
#include "catalog/pg_type.h"
#include "funcapi.h"
#include "utils/builtins.h"
#include "utils/typcache.h"
}

#include <string>

namespace pg_intent {

void check_partition_key(Datum partition) {
    size_t raw = 0;
    pg_call([&]() noexcept { raw = toast_raw_datum_size(partition) - VARHDRSZ; });
    if (raw > kMaxPartitionKeyBytes) partition_too_long(raw);
}

ClassifierModel classifier_model_for_args(FunctionCallInfo fcinfo, Oid schema, int name_arg,
                                          int partition_arg, std::string_view &partition_bytes,
                                          bool &has_partition) {
    has_partition = !PG_ARGISNULL(partition_arg);
    if (has_partition) check_partition_key(PG_GETARG_DATUM(partition_arg));
    const std::string_view name = classifier_name_arg(PG_GETARG_DATUM(name_arg));
    if (has_partition) {
        const TextRef partition = text_ref(PG_GETARG_DATUM(partition_arg));
        partition_bytes = std::string_view(partition.data, partition.size);
    }
    return classifier_model(schema, name, has_partition ? &partition_bytes : nullptr);
}

namespace {

constexpr int kColumns = 6;

// One query's result descriptor for label_prediction, in fn_extra: built
// when the query first calls the function, so a row type altered by ALTER
// TYPE is checked again by the next query (and one that no longer has the
// columns written here is an error, not a crash forming the tuple).
struct LabelQueryState {
    Oid schema;        // the calling function's: the extension's schema
    TupleDesc tupdesc; // predict_label() only
    int columns[kColumns];
};

LabelQueryState *label_query_state(FunctionCallInfo fcinfo, bool composite) {
    if (auto *state = static_cast<LabelQueryState *>(fcinfo->flinfo->fn_extra)) return state;
    LabelQueryState *state = nullptr;
    pg_call([&]() noexcept {
        if (!composite) {
            state = static_cast<LabelQueryState *>(
                MemoryContextAllocZero(fcinfo->flinfo->fn_mcxt, sizeof(LabelQueryState)));
            state->schema = calling_function(fcinfo).schema;
            return;
        }
        TupleDesc desc;
        if (get_call_result_type(fcinfo, nullptr, &desc) != TYPEFUNC_COMPOSITE)
            elog(ERROR, "predict_label must return a composite type");
        static const Oid expected[kColumns] = {TEXTOID, FLOAT8OID, JSONOID, BOOLOID, INT8OID, TEXTOID};
        int columns[kColumns];
        int n = 0;
        bool ok = true;
        for (int i = 0; i < desc->natts && ok; ++i) {
            const Form_pg_attribute att = TupleDescAttr(desc, i);
            if (att->attisdropped) continue;
            if (n == kColumns || att->atttypid != expected[n])
                ok = false;
            else
                columns[n++] = i;
        }
        if (!ok || n != kColumns)
            ereport(ERROR,
                    (errcode(ERRCODE_DATATYPE_MISMATCH),
                     errmsg("the result type of predict_label does not have the columns pg_intent writes"),
                     errdetail("It must have exactly the columns label text, confidence double precision, "
                               "top_labels json, uncertain boolean, model_id bigint, model_partition text."),
                     errhint("Someone altered type %s; alter it back to those columns.",
                             format_type_be(desc->tdtypeid))));
        MemoryContext old = MemoryContextSwitchTo(fcinfo->flinfo->fn_mcxt);
        state = static_cast<LabelQueryState *>(palloc0(sizeof(LabelQueryState)));
        state->tupdesc = BlessTupleDesc(CreateTupleDescCopy(desc));
        state->schema = calling_function(fcinfo).schema;
        MemoryContextSwitchTo(old);
        for (int i = 0; i < kColumns; ++i)
            state->columns[i] = columns[i];
    });
    fcinfo->flinfo->fn_extra = state;
    return state;
}

// The classifier's model for this call's arguments (name 0, partition 2);
// the caller has checked that the name is not NULL.
ClassifierModel model_for_call(FunctionCallInfo fcinfo, const LabelQueryState *state,
                               std::string_view &partition_bytes, bool &has_partition) {
    return classifier_model_for_args(fcinfo, state->schema, 0, 2, partition_bytes, has_partition);
}

} // namespace
} // namespace pg_intent

using namespace pg_intent;

// _pg_intent_check_partition_key(p_partition text): check_partition_key()
// for the SQL functions that take a p_partition (rollback_classifier(),
// get_classifier_review_queue()), so that every function holds a partition
// value to one bound with one error. STRICT: NULL is no partition.
PG_INTENT_FUNCTION(pg_intent_check_partition_key) {
    check_partition_key(PG_GETARG_DATUM(0));
    PG_RETURN_VOID();
}

// predict_label(p_name text, p_text text, p_partition text DEFAULT NULL):
// NULL for a NULL name or text, as STRICT would (it cannot be STRICT: the
// default NULL partition would make every two-argument call NULL).
PG_INTENT_FUNCTION(pg_intent_predict_label) {
    if (PG_ARGISNULL(0) || PG_ARGISNULL(1)) PG_RETURN_NULL();
    const LabelQueryState *state = label_query_state(fcinfo, true);
    std::string_view partition;
    bool has_partition = false;
    ClassifierModel found = model_for_call(fcinfo, state, partition, has_partition);

    std::string converted;
    const std::string_view message = message_utf8(PG_GETARG_DATUM(1), converted);
    static auto *prediction = new intent::Prediction; // reused: no allocation once warm
    static auto *fallback_prediction = new intent::Prediction;
    static auto *json = new std::string;
    intent::Prediction &p = *prediction;
    found.loaded.model->predict_into(message, static_cast<size_t>(guc_top_k), prediction_scratch(), p);
    ClassifierModel fallback;
    if (defers_to_fallback(found, p.uncertain, [&] {
            fallback = fallback_model(state->schema, found);
            fallback.loaded.model->predict_into(message, static_cast<size_t>(guc_top_k), prediction_scratch(),
                                                *fallback_prediction);
            return fallback_prediction->uncertain;
        })) {
        found = std::move(fallback);
        std::swap(p, *fallback_prediction);
    }
    release_prediction_scratch_after(message.size());
    const intent::IntentModel &model = *found.loaded.model;
    json->clear();
    append_top_labels(model, p, *json);

    Datum values[kColumns];
    bool nulls[kColumns] = {false, false, false, false, false, false};
    values[0] = utf8_to_text(model.labels()[p.label]);
    values[1] = Float8GetDatum(p.confidence);
    values[2] = utf8_to_text(*json); // a json datum is its text
    values[3] = BoolGetDatum(p.uncertain);
    values[4] = Int64GetDatum(found.loaded.id);
    values[5] = 0;
    nulls[5] = !found.by_partition;
    Datum result = 0;
    pg_call([&]() noexcept {
        if (found.by_partition)
            values[5] = PointerGetDatum(
                cstring_to_text_with_len(partition.data(), static_cast<int>(partition.size())));
        const int natts = state->tupdesc->natts;
        Datum *row_values = static_cast<Datum *>(palloc0(sizeof(Datum) * natts));
        bool *row_nulls = static_cast<bool *>(palloc(sizeof(bool) * natts));
        for (int i = 0; i < natts; ++i)
            row_nulls[i] = true; // dropped columns of the type
        for (int i = 0; i < kColumns; ++i) {
            row_values[state->columns[i]] = values[i];
            row_nulls[state->columns[i]] = nulls[i];
        }
        result = HeapTupleGetDatum(heap_form_tuple(state->tupdesc, row_values, row_nulls));
    });
    if (json->capacity() > 64 * 1024) std::string().swap(*json);
    for (intent::Prediction *kept : {prediction, fallback_prediction})
        if (kept->top.capacity() > 64 * 1024 / sizeof kept->top[0]) decltype(kept->top)().swap(kept->top);
    return result;
}

// classify_label(p_name text, p_text text, p_partition text DEFAULT NULL):
// the label, or NULL when the model abstains; NULL for a NULL name or text.
PG_INTENT_FUNCTION(pg_intent_classify_label) {
    if (PG_ARGISNULL(0) || PG_ARGISNULL(1)) PG_RETURN_NULL();
    const LabelQueryState *state = label_query_state(fcinfo, false);
    std::string_view partition;
    bool has_partition = false;
    ClassifierModel found = model_for_call(fcinfo, state, partition, has_partition);
    std::string converted;
    const std::string_view message = message_utf8(PG_GETARG_DATUM(1), converted);
    int label = found.loaded.model->classify(message, prediction_scratch());
    ClassifierModel fallback;
    int fallback_label = -1;
    if (defers_to_fallback(found, label < 0, [&] {
            fallback = fallback_model(state->schema, found);
            fallback_label = fallback.loaded.model->classify(message, prediction_scratch());
            return fallback_label < 0;
        })) {
        found = std::move(fallback);
        label = fallback_label;
    }
    release_prediction_scratch_after(message.size());
    if (label < 0) PG_RETURN_NULL();
    return utf8_to_text(found.loaded.model->labels()[label]);
}

// explain_label(p_name text, p_text text, p_partition text, p_top integer,
// p_label text): explain_intent() for the model predict_label() would use
// (defers_to_fallback())
// (the classifier's predict access is checked as for predict_label()); NULL
// for a NULL name or text. Says which model answered, as predict_label()
// does.
PG_INTENT_FUNCTION(pg_intent_explain_label) {
    if (PG_ARGISNULL(0) || PG_ARGISNULL(1)) PG_RETURN_NULL();
    const int32 top = explanation_top(fcinfo, 3);
    const LabelQueryState *state = label_query_state(fcinfo, false);
    std::string_view partition;
    bool has_partition = false;
    const std::string_view name = classifier_name_arg(PG_GETARG_DATUM(0));
    // The built-in classifier's model is everyone's to predict with, not to
    // explain (require_builtin_explain()).
    if (name == intent::kBuiltinClassifier) require_builtin_explain(state->schema);
    // With a partition, whichever model answers (its own or the fallback),
    // the caller must have access to that partition: otherwise the answer
    // (even "no model of its own") would tell of rows it cannot read.
    ClassifierModel found =
        find_partition_model(state->schema, name, has_partition, PartitionRead::Explain,
                             [&] { return model_for_call(fcinfo, state, partition, has_partition); });
    {
        // The model predict_label() answers with (defers_to_fallback()).
        std::string converted;
        const std::string_view message = message_utf8(PG_GETARG_DATUM(1), converted);
        const int label = found.loaded.model->classify(message, prediction_scratch());
        ClassifierModel fallback;
        if (defers_to_fallback(found, label < 0, [&] {
                fallback = fallback_model(state->schema, found);
                return fallback.loaded.model->classify(message, prediction_scratch()) < 0;
            }))
            found = std::move(fallback);
        release_prediction_scratch_after(message.size());
    }
    const Datum wanted = PG_ARGISNULL(4) ? 0 : PG_GETARG_DATUM(4);
    intent::Json out = explanation_json(found.loaded, PG_GETARG_DATUM(1), PG_ARGISNULL(4) ? nullptr : &wanted,
                                        top, ExplainedNoun::Label);
    if (found.by_partition) {
        std::string storage;
        out["model_partition"] = std::string(server_to_utf8(partition.data(), partition.size(), storage));
    } else {
        out["model_partition"] = nullptr;
    }
    return utf8_json_to_jsonb(intent::dump_json(out));
}

// _pg_intent_model_cache_stats(): this backend's store of models (model_store.h).
PG_INTENT_FUNCTION(pg_intent_model_cache_stats) {
    const ModelCacheStats stats = model_cache_stats();
    Datum result = 0;
    pg_call([&]() noexcept {
        TupleDesc desc;
        if (get_call_result_type(fcinfo, nullptr, &desc) != TYPEFUNC_COMPOSITE || desc->natts != 5)
            elog(ERROR, "_pg_intent_model_cache_stats must return five columns");
        desc = BlessTupleDesc(desc);
        Datum values[5] = {
            Int64GetDatum(static_cast<int64>(stats.models)), Int64GetDatum(static_cast<int64>(stats.bytes)),
            Int64GetDatum(static_cast<int64>(stats.hits)), Int64GetDatum(static_cast<int64>(stats.misses)),
            Int64GetDatum(static_cast<int64>(stats.evictions))};
        bool nulls[5] = {false, false, false, false, false};
        result = HeapTupleGetDatum(heap_form_tuple(desc, values, nulls));
    });
    return result;
}
