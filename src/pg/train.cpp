// _pg_intent_train(): runs the core's training pipeline inside the backend.
// train_intent_model() (plpgsql) reads the dataset, calls this, and stores
// the model and the run.
#include "guard.h"
#include "module.h"

#include "json.h"
#include "training.h"

extern "C" {
#include "utils/timestamp.h"
}

#include <memory>
#include <string>
#include <vector>

namespace pg_intent {
namespace {

// Elements of a one-dimensional array argument; NULL elements are refused.
struct ArrayArg {
    Datum *values = nullptr;
    bool *nulls = nullptr;
    int count = 0;
};

ArrayArg array_arg(FunctionCallInfo fcinfo, int argno, Oid element_type, const char *name) {
    ArrayArg arg;
    if (PG_ARGISNULL(argno)) {
        char message[128];
        snprintf(message, sizeof message, "%s must not be null", name);
        throw SqlError(ERRCODE_NULL_VALUE_NOT_ALLOWED, message);
    }
    pg_call([&] {
        ArrayType *array = PG_GETARG_ARRAYTYPE_P(argno);
        if (ARR_NDIM(array) > 1)
            ereport(ERROR,
                    (errcode(ERRCODE_ARRAY_SUBSCRIPT_ERROR), errmsg("%s must be one-dimensional", name)));
        int16 typlen;
        bool typbyval;
        char typalign;
        get_typlenbyvalalign(element_type, &typlen, &typbyval, &typalign);
        deconstruct_array(array, element_type, typlen, typbyval, typalign, &arg.values, &arg.nulls,
                          &arg.count);
    });
    for (int i = 0; i < arg.count; i++) {
        if (arg.nulls[i]) {
            char message[160];
            snprintf(message, sizeof message, "%s must not contain nulls", name);
            char detail[96];
            snprintf(detail, sizeof detail, "Element %d is null.", i + 1);
            throw SqlError(ERRCODE_NULL_VALUE_NOT_ALLOWED, message, detail);
        }
    }
    return arg;
}

std::string text_string(Datum d) {
    TextRef t = text_ref(d);
    return std::string(t.data, t.size);
}

// The options jsonb as JSON text for the core's option parser.
std::string options_json(FunctionCallInfo fcinfo, int argno) {
    if (PG_ARGISNULL(argno)) return "{}";
    char *json = nullptr;
    pg_call([&] {
        Jsonb *jb = PG_GETARG_JSONB_P(argno);
        json = JsonbToCString(nullptr, &jb->root, VARSIZE(jb));
    });
    return json;
}

} // namespace
} // namespace pg_intent

using namespace pg_intent;

// _pg_intent_train(texts, labels, weights, corrected, options, baseline)
//   -> (model bytea, report jsonb)
PG_INTENT_FUNCTION(pg_intent_train) {
    ArrayArg texts = array_arg(fcinfo, 0, TEXTOID, "p_texts");
    ArrayArg labels = array_arg(fcinfo, 1, TEXTOID, "p_labels");
    ArrayArg weights = array_arg(fcinfo, 2, FLOAT4OID, "p_weights");
    ArrayArg corrected = array_arg(fcinfo, 3, BOOLOID, "p_corrected");
    if (labels.count != texts.count || weights.count != texts.count || corrected.count != texts.count)
        throw SqlError(ERRCODE_INVALID_PARAMETER_VALUE, "training arrays must have the same length",
                       "p_texts, p_labels, p_weights and p_corrected must have one element per row.");

    intent::ModelOptions options;
    options.apply_json(options_json(fcinfo, 4));

    std::vector<intent::LabeledText> rows(static_cast<size_t>(texts.count));
    for (int i = 0; i < texts.count; i++) {
        rows[i].text = text_string(texts.values[i]);
        rows[i].label = text_string(labels.values[i]);
        rows[i].weight = DatumGetFloat4(weights.values[i]);
        rows[i].corrected = DatumGetBool(corrected.values[i]);
        if (!(rows[i].weight > 0.0f) || rows[i].weight > 1e6f) {
            char detail[128];
            snprintf(detail, sizeof detail, "Row %d has weight %g; weights must be in (0, 1e6].", i + 1,
                     static_cast<double>(rows[i].weight));
            throw SqlError(ERRCODE_INVALID_PARAMETER_VALUE, "invalid training weight", detail);
        }
    }

    intent::TrainCallbacks callbacks;
    callbacks.cancelled = [] { return interrupt_pending(); };
    // The active model (p_baseline) is only ever scored on fresh rows (see
    // the core's gate.h); these arrays carry no fresh flags yet, so the
    // report's gate says there are none and no baseline_metrics is emitted.
    std::unique_ptr<intent::IntentModel> baseline;
    if (!PG_ARGISNULL(5)) {
        bytea *blob = nullptr;
        pg_call([&] { blob = PG_GETARG_BYTEA_PP(5); });
        baseline = std::make_unique<intent::IntentModel>(intent::IntentModel::deserialize(
            reinterpret_cast<const uint8_t *>(VARDATA_ANY(blob)), VARSIZE_ANY_EXHDR(blob)));
    }
    intent::TrainedModel trained = intent::train_model(rows, options, callbacks, baseline.get());
    std::string report = trained.report.to_json(trained.model);

    std::string blob = trained.model.serialize();
    Datum values[2];
    bool nulls[2] = {false, false};
    Datum result;
    pg_call([&] {
        bytea *model = static_cast<bytea *>(palloc(VARHDRSZ + blob.size()));
        SET_VARSIZE(model, VARHDRSZ + blob.size());
        memcpy(VARDATA(model), blob.data(), blob.size());
        values[0] = PointerGetDatum(model);
        values[1] = DirectFunctionCall1(jsonb_in, CStringGetDatum(report.c_str()));
        TupleDesc desc;
        if (get_call_result_type(fcinfo, nullptr, &desc) != TYPEFUNC_COMPOSITE)
            elog(ERROR, "_pg_intent_train must return a composite type");
        result = HeapTupleGetDatum(heap_form_tuple(BlessTupleDesc(desc), values, nulls));
    });
    return result;
}

// Statement trigger on ai_intent_models: every backend drops its cached
// models once this transaction commits.
PG_INTENT_FUNCTION(pg_intent_models_changed) {
    if (!CALLED_AS_TRIGGER(fcinfo))
        throw SqlError(ERRCODE_E_R_I_E_TRIGGER_PROTOCOL_VIOLATED,
                       "_pg_intent_models_changed() must be called as a trigger");
    auto *trigger = reinterpret_cast<TriggerData *>(fcinfo->context);
    pg_call([&] { CacheInvalidateRelcacheByRelid(RelationGetRelid(trigger->tg_relation)); });
    return PointerGetDatum(nullptr);
}

// intent_training_options(p_options jsonb): validated options with defaults.
PG_INTENT_FUNCTION(pg_intent_training_options) {
    intent::ModelOptions options;
    options.apply_json(options_json(fcinfo, 0));
    options.validate();
    std::string json = options.to_json();
    Datum result;
    pg_call([&] { result = DirectFunctionCall1(jsonb_in, CStringGetDatum(json.c_str())); });
    return result;
}
