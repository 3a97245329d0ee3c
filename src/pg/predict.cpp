// predict_intent(), classify_intent() and intent_model_info().
#include "guard.h"
#include "module.h"

#include "json.h"
#include "text_io.h"

extern "C" {
#include "mb/pg_wchar.h"
}

#include <algorithm>
#include <cmath>
#include <string>
#include <vector>

namespace pg_intent {
namespace {

// What a call needs besides its arguments: the extension schema and, for
// composite results, the blessed tuple descriptor. Both depend only on the
// function's OID (its result type cannot change without a new OID), so they
// are built once per backend and kept in TopMemoryContext; looking them up
// again on every statement cost measurable microseconds per prediction.
struct CallSite {
    Oid fn_oid;
    Oid schema;
    TupleDesc tupdesc;
    // top_intents is json since 0.2.0 and jsonb in 0.1.0's declaration, which
    // calls this library until ALTER EXTENSION UPDATE runs: build what the
    // calling function's result type says.
    bool top_intents_jsonb;
};

CallSite *call_site(FunctionCallInfo fcinfo, bool composite) {
    auto *site = static_cast<CallSite *>(fcinfo->flinfo->fn_extra);
    if (site) return site;
    // One entry per function OID seen by this backend, never freed or
    // reused, since a running query may hold a pointer to it: a handful per
    // installed copy of the extension.
    static auto *sites = new std::vector<CallSite *>;
    const Oid fn_oid = fcinfo->flinfo->fn_oid;
    for (CallSite *known : *sites)
        if (known->fn_oid == fn_oid) site = known;
    if (!site) {
        sites->reserve(sites->size() + 1); // the push_back below cannot throw after the allocation
        pg_call([&]() noexcept {
            MemoryContext old = MemoryContextSwitchTo(TopMemoryContext);
            site = static_cast<CallSite *>(palloc0(sizeof(CallSite)));
            site->fn_oid = fn_oid;
            site->schema = get_func_namespace(fn_oid);
            if (composite) {
                TupleDesc desc;
                if (get_call_result_type(fcinfo, nullptr, &desc) != TYPEFUNC_COMPOSITE)
                    elog(ERROR, "predict_intent must return a composite type");
                site->tupdesc = BlessTupleDesc(CreateTupleDescCopy(desc));
                if (site->tupdesc->natts != 5) elog(ERROR, "predict_intent must return 5 columns");
                site->top_intents_jsonb = TupleDescAttr(site->tupdesc, 2)->atttypid == JSONBOID;
            }
            MemoryContextSwitchTo(old);
        });
        sites->push_back(site);
    }
    fcinfo->flinfo->fn_extra = site;
    return site;
}

// Reused across calls: predictions allocate nothing once these are warm.
intent::PredictScratch &scratch() {
    static auto *s = new intent::PredictScratch(polling_scratch());
    return *s;
}

// Scratch grows with the longest message seen; after an unusually long
// one, give the memory back rather than keep it for the backend's lifetime.
constexpr size_t kKeepScratchUpTo = 64 * 1024;
void release_scratch_after(size_t message_bytes) {
    if (message_bytes > kKeepScratchUpTo) scratch() = polling_scratch();
}

// top_intents as JSON text, exactly the bytes intent::dump_json() writes for
// an object of {label: probability} in this order, without building the
// object: building and dumping an ordered_json (a node and a key string per
// entry, then the serializer) took about a sixth of predict_intent()'s own
// time, model included, in a perf profile of pgbench. Numbers go through
// nlohmann's own shortest round-trip formatter, and any key that is not
// plain printable ASCII through dump_json() itself, so the escaping rules
// stay nlohmann's.
void append_top_intents(const intent::IntentModel &model, const intent::Prediction &p, std::string &out) {
    if (p.top.empty()) {
        out += "{}";
        return;
    }
    out += '{';
    bool first = true;
    for (const auto &entry : p.top) {
        if (!first) out += ',';
        first = false;
        const std::string &label = model.labels()[entry.first];
        bool plain = true;
        for (unsigned char c : label)
            if (c < 0x20 || c >= 0x7f || c == '"' || c == '\\') {
                plain = false;
                break;
            }
        if (plain) {
            out += '"';
            out += label;
            out += '"';
        } else {
            out += intent::dump_json(intent::Json(label));
        }
        out += ':';
        const double value = entry.second;
        if (!std::isfinite(value)) {
            out += "null"; // as nlohmann writes NaN and infinities
        } else {
            char number[64]; // nlohmann's serializer uses the same size
            char *end = nlohmann::detail::to_chars(number, number + sizeof number, value);
            out.append(number, static_cast<size_t>(end - number));
        }
    }
    out += '}';
}

// The message as UTF-8, at most pg_intent.max_message_bytes of it (the
// intent of a chat message is in its first kilobytes; reading more only
// costs memory and time, which every role that may predict could otherwise
// make unbounded).
Datum prediction_tuple(const CallSite *site, const LoadedModel &loaded, Datum message) {
    std::string converted;
    std::string_view text = message_utf8(message, converted);
    const intent::IntentModel &model = *loaded.model;
    // Reused across calls, as the scratch: no allocation once warm.
    static auto *prediction = new intent::Prediction;
    static auto *json = new std::string;
    intent::Prediction &p = *prediction;
    model.predict_into(text, static_cast<size_t>(guc_top_k), scratch(), p);
    release_scratch_after(text.size());

    // top_intents is json, not jsonb: json keeps the keys in the order
    // written, most probable first (jsonb sorts keys by length), and the
    // numbers are written in shortest round-trip form, so each value read
    // back as float8 equals the probability the model computed (the first
    // equals confidence).
    std::string &top = *json;
    top.clear();
    append_top_intents(model, p, top);

    Datum values[5];
    bool nulls[5] = {false, false, false, false, false};
    values[0] = utf8_to_text(model.labels()[p.label]);
    values[1] = Float8GetDatum(p.confidence);
    values[2] =
        site->top_intents_jsonb ? utf8_json_to_jsonb(top) : utf8_to_text(top); // a json datum is its text
    values[3] = BoolGetDatum(p.uncertain);
    values[4] = Int64GetDatum(loaded.id);
    Datum result;
    pg_call([&]() noexcept { result = HeapTupleGetDatum(heap_form_tuple(site->tupdesc, values, nulls)); });
    // After a long top-k list (pg_intent.top_k up to every intent, labels of
    // any length) give the buffers back, as release_scratch_after() does.
    if (top.capacity() > kKeepScratchUpTo) std::string().swap(top);
    if (p.top.capacity() > kKeepScratchUpTo / sizeof p.top[0]) decltype(p.top)().swap(p.top);
    return result;
}

} // namespace

// The flag is only read; the guard reports the cancel after the C++ frames
// unwound.
intent::PredictScratch polling_scratch() {
    intent::PredictScratch s;
    s.vec.cancelled = [] { return interrupt_pending(); };
    return s;
}

} // namespace pg_intent

using namespace pg_intent;

// predict_intent(p_message text): the active model's prediction.
PG_INTENT_FUNCTION(pg_intent_predict_active) {
    CallSite *site = call_site(fcinfo, true);
    LoadedModel loaded = active_model(site->schema);
    return prediction_tuple(site, loaded, PG_GETARG_DATUM(0));
}

// predict_intent(p_message text, p_model_id bigint): a given model's prediction.
PG_INTENT_FUNCTION(pg_intent_predict_model) {
    CallSite *site = call_site(fcinfo, true);
    LoadedModel loaded = model_by_id(site->schema, PG_GETARG_INT64(1));
    return prediction_tuple(site, loaded, PG_GETARG_DATUM(0));
}

// classify_intent(p_message text): label only, 'uncertain' below the threshold.
PG_INTENT_FUNCTION(pg_intent_classify) {
    CallSite *site = call_site(fcinfo, false);
    LoadedModel loaded = active_model(site->schema);
    std::string converted;
    std::string_view message = message_utf8(PG_GETARG_DATUM(0), converted);
    int label = loaded.model->classify(message, scratch());
    release_scratch_after(message.size());
    static const std::string uncertain = "uncertain";
    return utf8_to_text(label < 0 ? uncertain : loaded.model->labels()[label]);
}

// explain_intent(p_message text, p_top integer, p_intent text, p_model_id
// bigint): why the model scores the message as it does. The explained
// intent is p_intent, or the predicted one; its decision score is taken
// apart into the bias and one contribution per n-gram of the message (the
// p_top largest by magnitude, the others summed in other_terms), so that
//     bias + sum(terms[].contribution) + other_terms = score
// up to float rounding (src/core/explain.h states the bound).
//
// Open to whoever may predict: an explanation only names n-grams of the
// caller's own message, and whether one of them is in the model's
// vocabulary already shows in predict_intent() on that n-gram alone.
PG_INTENT_FUNCTION(pg_intent_explain) {
    constexpr int kMaxTop = 1000;
    if (PG_ARGISNULL(0)) PG_RETURN_NULL();
    if (PG_ARGISNULL(1))
        throw SqlError(ERRCODE_NULL_VALUE_NOT_ALLOWED, "p_top must not be NULL", "",
                       "Pass the number of n-grams to list (0 to " + std::to_string(kMaxTop) + ").");
    const int32 top = PG_GETARG_INT32(1);
    if (top < 0 || top > kMaxTop)
        throw SqlError(ERRCODE_INVALID_PARAMETER_VALUE,
                       "p_top must be between 0 and " + std::to_string(kMaxTop),
                       "p_top is " + std::to_string(top) + ".",
                       "The other n-grams' contributions are summed in other_terms.");
    CallSite *site = call_site(fcinfo, false);
    LoadedModel loaded =
        PG_ARGISNULL(3) ? active_model(site->schema) : model_by_id(site->schema, PG_GETARG_INT64(3));
    const intent::IntentModel &model = *loaded.model;

    int label = -1; // the predicted intent
    if (!PG_ARGISNULL(2)) {
        TextRef wanted = text_ref(PG_GETARG_DATUM(2));
        std::string storage;
        const std::string_view name = server_to_utf8(wanted.data, wanted.size, storage);
        const auto &labels = model.labels();
        const auto it = std::find(labels.begin(), labels.end(), name);
        if (it == labels.end())
            throw SqlError(ERRCODE_INVALID_PARAMETER_VALUE,
                           "intent \"" + std::string(name) + "\" is not one of model " +
                               std::to_string(loaded.id) + "'s intents",
                           "The model has " + std::to_string(labels.size()) + " intents.",
                           "intent_model_info() lists them; NULL explains the predicted intent.");
        label = static_cast<int>(it - labels.begin());
    }
    std::string converted;
    std::string_view message = message_utf8(PG_GETARG_DATUM(0), converted);
    const intent::Explanation e = model.explain(message, label, static_cast<size_t>(top), scratch());
    release_scratch_after(message.size());

    intent::Json terms = intent::Json::array();
    for (const intent::TermContribution &t : e.terms)
        terms.push_back({{"term", t.term},
                         {"kind", t.kind == intent::FeatureKind::Word ? "word" : "char"},
                         {"value", static_cast<double>(t.value)},
                         {"contribution", t.contribution}});
    intent::Json out = intent::Json::object();
    out["model_id"] = loaded.id;
    out["intent"] = model.labels()[static_cast<size_t>(e.label)];
    out["predicted_intent"] = model.labels()[static_cast<size_t>(e.predicted_label)];
    out["uncertain"] = e.uncertain;
    out["probability"] = static_cast<double>(e.probability);
    out["score"] = static_cast<double>(e.score);
    out["bias"] = e.bias;
    out["terms"] = std::move(terms);
    out["other_terms"] = e.rest;
    out["terms_total"] = e.num_contributions;
    out["features_in_message"] = e.num_features_in_row;
    return utf8_json_to_jsonb(intent::dump_json(out));
}

// intent_model_info(p_model bytea): validates a model blob and describes it.
PG_INTENT_FUNCTION(pg_intent_model_info) {
    bytea *blob = nullptr;
    pg_call([&]() noexcept { blob = PG_GETARG_BYTEA_PP(0); });
    intent::IntentModel model =
        intent::IntentModel::deserialize(reinterpret_cast<const uint8_t *>(VARDATA_ANY(blob)),
                                         VARSIZE_ANY_EXHDR(blob), [] { return interrupt_pending(); });

    size_t word_features = 0, char_features = 0;
    for (intent::FeatureKind kind : model.vectorizer().kinds())
        (kind == intent::FeatureKind::Word ? word_features : char_features)++;
    intent::Json out = intent::Json::object();
    out["format_version"] = model.format_version(); // of this blob: 1 for a 0.1.0 model
    out["algorithm"] = intent::algorithm_name(model.algorithm());
    out["bytes"] = VARSIZE_ANY_EXHDR(blob);
    out["total_intents"] = model.labels().size();
    out["intents"] = model.labels();
    out["features"] = model.num_features();
    out["word_features"] = word_features;
    out["char_features"] = char_features;
    out["threshold"] = static_cast<double>(model.threshold());
    out["options"] = intent::parse_json(model.options().to_json(), "model options");
    return utf8_json_to_jsonb(intent::dump_json(out));
}
