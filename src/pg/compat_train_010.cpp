// COMPAT(0.1.0) 0.1.0 compatibility: _pg_intent_train(), the array entry point that
// 0.1.0's train_intent_model() (plpgsql) called with the dataset it read,
// kept for a database still on 0.1.0's SQL until ALTER EXTENSION UPDATE
// runs (0.2.0 and later train through _pg_intent_train_table(),
// train_entry.cpp). It goes with 0.1.0 support, with
// _pg_intent_ignored_settings() (src/sql/15_policy.sql).
#include "guard.h"
#include "intent_names.h"
#include "module.h"
#include "relations.h"
#include "settings.h"

#include "evaluation.h"
#include "json.h"
#include "progress.h"
#include "text_io.h"
#include "train_memory.h"
#include "training.h"

extern "C" {
#include "access/detoast.h"
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
    pg_call([&]() noexcept {
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

// A text datum as UTF-8 (the core's encoding), whatever the server's.
std::string utf8_string(Datum d) {
    TextRef t = text_ref(d);
    std::string storage;
    std::string_view utf8 = server_to_utf8(t.data, t.size, storage);
    return storage.empty() ? std::string(utf8) : std::move(storage);
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
        throw SqlError(ERRCODE_INVALID_PARAMETER_VALUE,
                       intent::Message{N_("training arrays must have the same length"), {}},
                       N_("p_texts, p_labels, p_weights and p_corrected must have one element per row."));

    intent::ModelOptions options;
    options.apply_json(PG_ARGISNULL(4) ? std::string("{}") : jsonb_to_utf8(PG_GETARG_DATUM(4)));

    // The policy's memory limit covers the copies of the rows too: they are
    // charged before they are made (their size in the arrays is close).
    Oid schema = InvalidOid;
    pg_call([&]() noexcept { schema = calling_function(fcinfo).schema; });
    intent::MemoryBudget budget(training_memory_limit(schema));
    intent::MemoryCharge input_charge(&budget);
    {
        size_t bytes = static_cast<size_t>(texts.count) * sizeof(intent::LabeledText);
        pg_call([&]() noexcept {
            for (int i = 0; i < texts.count; i++)
                bytes += toast_raw_datum_size(texts.values[i]) + toast_raw_datum_size(labels.values[i]);
        });
        input_charge.add(bytes, "the training rows");
    }
    std::vector<intent::LabeledText> rows(static_cast<size_t>(texts.count));
    for (int i = 0; i < texts.count; i++) {
        rows[i].text = utf8_string(texts.values[i]);
        rows[i].label = utf8_string(labels.values[i]);
        rows[i].weight = DatumGetFloat4(weights.values[i]);
        rows[i].corrected = DatumGetBool(corrected.values[i]);
        if (!(rows[i].weight > 0.0f) || rows[i].weight > 1e6f) {
            char detail[128];
            snprintf(detail, sizeof detail, "Row %d has weight %g; weights must be in (0, 1e6].", i + 1,
                     static_cast<double>(rows[i].weight));
            throw SqlError(ERRCODE_INVALID_PARAMETER_VALUE,
                           intent::Message{N_("invalid training weight"), {}}, detail);
        }
    }

    TrainingProgress progress("", rows.size(), intent::kBuiltinClassifier, nullptr);
    intent::TrainCallbacks callbacks;
    callbacks.cancelled = [] { return training_should_stop(); };
    callbacks.progress = [&progress](const intent::TrainProgress &p) { progress.report(p); };
    callbacks.memory = &budget;
    std::unique_ptr<intent::IntentModel> baseline;
    if (!PG_ARGISNULL(5)) {
        bytea *blob = nullptr;
        pg_call([&]() noexcept { blob = PG_GETARG_BYTEA_PP(5); });
        baseline = std::make_unique<intent::IntentModel>(
            intent::IntentModel::deserialize(reinterpret_cast<const uint8_t *>(VARDATA_ANY(blob)),
                                             VARSIZE_ANY_EXHDR(blob), {}, max_model_memory_bytes()));
    }
    // This is 0.1.0's entry point, which 0.1.0's SQL calls until ALTER
    // EXTENSION UPDATE runs (0.2.0 trains through _pg_intent_train_table()).
    // 0.1.0's deploy rule needs baseline_metrics; without them it would
    // deploy every model. So, as 0.1.0 did, the active model is scored on
    // the rows the new model was evaluated on, most of which it trained on:
    // a comparison that favours it and rarely deploys, as before the
    // upgrade, never one that deploys blindly.
    intent::TrainedModel trained = intent::train_model(rows, options, callbacks);
    std::string report = trained.report.to_json(trained.model);
    if (baseline) {
        const intent::PreparedDataset &d = trained.report.data;
        std::vector<std::string> evaluated, truth;
        for (size_t e : trained.report.oof_entries) {
            evaluated.push_back(d.texts[e]);
            truth.push_back(d.labels[static_cast<size_t>(d.y[e])]);
        }
        intent::CalibrationReport calibration;
        intent::EvalReport eval = intent::evaluate_model(*baseline, evaluated, truth, &calibration);
        intent::Json merged = intent::parse_json(report, "training report");
        merged["baseline_metrics"] = intent::metrics_json(eval, baseline->labels(), {}, &calibration);
        report = intent::dump_json(merged);
    }

    std::string blob = trained.model.serialize();
    Datum values[2];
    bool nulls[2] = {false, false};
    values[1] = utf8_json_to_jsonb(report);
    return trained_model_tuple(fcinfo, blob, values, nulls);
}

namespace pg_intent {

Datum trained_model_tuple(FunctionCallInfo fcinfo, const std::string &blob, Datum *values, bool *nulls) {
    Datum result;
    pg_call([&]() noexcept {
        bytea *model = static_cast<bytea *>(palloc(VARHDRSZ + blob.size()));
        SET_VARSIZE(model, VARHDRSZ + blob.size());
        memcpy(VARDATA(model), blob.data(), blob.size());
        values[0] = PointerGetDatum(model);
        TupleDesc desc;
        if (get_call_result_type(fcinfo, nullptr, &desc) != TYPEFUNC_COMPOSITE)
            elog(ERROR, "a pg_intent trainer must return a composite type");
        result = HeapTupleGetDatum(heap_form_tuple(BlessTupleDesc(desc), values, nulls));
    });
    return result;
}

} // namespace pg_intent
