// predict_intent(), classify_intent() and intent_model_info().
#include "predict.h"
#include "classifier_cache.h"
#include "guard.h"
#include "intent_names.h"
#include "model_cache.h"
#include "relations.h"
#include "settings.h"

#include "json.h"
#include "text_io.h"

extern "C" {
#include "mb/pg_wchar.h"
#include "utils/regproc.h"
#include "utils/typcache.h"
}

#include <algorithm>
#include <cmath>
#include <memory>
#include <string>
#include <vector>

namespace pg_intent {
namespace {

// What a call needs besides its arguments: the extension schema and, for
// composite results, the blessed tuple descriptor. They are built once per
// backend and kept in TopMemoryContext; looking them up again on every
// statement cost measurable microseconds per prediction. The schema depends
// only on the function's OID. The descriptor does too when the result is
// 0.1.0's OUT parameters, but a named row type (intent_prediction) can be
// changed under the same OID by ALTER TYPE: the typcache's identifier of
// its descriptor is compared when a query first calls the function, and a
// changed type gets a new site, its descriptor checked again.
struct CallSite {
    Oid fn_oid;
    Oid schema;
    TupleDesc tupdesc;
    Oid result_type;           // the named row type, InvalidOid for OUT parameters
    uint64 tupdesc_identifier; // result_type's typcache descriptor it was built from
    int columns[5];            // where the five values go in tupdesc
    // COMPAT(0.1.0) top_intents is json since 0.2.0 and jsonb in 0.1.0's declaration, which
    // calls this library until ALTER EXTENSION UPDATE runs: build what the
    // calling function's result type says.
    bool top_intents_jsonb;
};

// The columns prediction_tuple() fills, in order (top_intents json or
// jsonb), are the type's columns that are not dropped (a column dropped and
// added back by ALTER TYPE leaves a dropped one in its place). Sets
// `columns` to their positions.
bool prediction_columns(TupleDesc desc, int columns[5]) {
    static const Oid expected[5] = {TEXTOID, FLOAT8OID, JSONOID, BOOLOID, INT8OID};
    int n = 0;
    for (int i = 0; i < desc->natts; ++i) {
        const Form_pg_attribute att = TupleDescAttr(desc, i);
        if (att->attisdropped) continue;
        if (n == 5) return false;
        if (att->atttypid != expected[n] && !(n == 2 && att->atttypid == JSONBOID)) return false;
        columns[n++] = i;
    }
    return n == 5;
}

// Builds site->tupdesc from the function's result type; inside pg_call().
// A row type altered so that prediction_tuple() would write a float8 where
// the type now says text (and crash the backend forming the tuple) is an
// error instead.
void build_result_desc(FunctionCallInfo fcinfo, CallSite *site) noexcept {
    TupleDesc desc;
    if (get_call_result_type(fcinfo, nullptr, &desc) != TYPEFUNC_COMPOSITE)
        elog(ERROR, "predict_intent must return a composite type");
    // A named type's descriptor and its identifier are read together from
    // the typcache, so the identifier is that of the descriptor kept.
    uint64 identifier = 0;
    const Oid result_type = desc->tdtypeid == RECORDOID ? InvalidOid : desc->tdtypeid;
    if (OidIsValid(result_type)) {
        TypeCacheEntry *entry = lookup_type_cache(result_type, TYPECACHE_TUPDESC);
        desc = entry->tupDesc;
        identifier = entry->tupDesc_identifier;
    }
    int columns[5];
    if (!prediction_columns(desc, columns))
        ereport(
            ERROR,
            (errcode(ERRCODE_DATATYPE_MISMATCH),
             errmsg("the result type of %s does not have the columns pg_intent writes",
                    format_procedure(site->fn_oid)),
             errdetail("It must have exactly the columns predicted_intent text, confidence double precision, "
                       "top_intents json, uncertain boolean, model_id bigint."),
             errhint("Someone altered type %s; alter it back to those columns.",
                     format_type_be(desc->tdtypeid))));
    MemoryContext old = MemoryContextSwitchTo(TopMemoryContext);
    TupleDesc built = BlessTupleDesc(CreateTupleDescCopy(desc));
    MemoryContextSwitchTo(old);
    site->tupdesc = built;
    site->result_type = result_type;
    site->tupdesc_identifier = identifier;
    std::copy(columns, columns + 5, site->columns);
    site->top_intents_jsonb = TupleDescAttr(built, columns[2])->atttypid == JSONBOID;
}

// Whether the named row type's descriptor changed since site->tupdesc was
// built (a typcache lookup, no catalog access while the type is unchanged).
bool result_desc_stale(const CallSite *site) {
    if (!OidIsValid(site->result_type)) return false;
    bool stale = false;
    pg_call([&]() noexcept {
        TypeCacheEntry *entry = lookup_type_cache(site->result_type, TYPECACHE_TUPDESC);
        stale = entry->tupDesc == nullptr || entry->tupDesc_identifier != site->tupdesc_identifier;
    });
    return stale;
}

// What one query's calls of a function share, in fn_extra (allocated in
// fn_mcxt, so it goes with the query): its site, and which model it found
// the caller may see.
struct QueryState {
    CallSite *site;
    ModelVisibility visibility;
};

// The site for this backend, built or checked again when the query starts.
CallSite *find_site(FunctionCallInfo fcinfo, bool composite) {
    // The current site per function OID seen by this backend. A site is
    // never changed, freed or reused, since a running query may hold a
    // pointer to it: a changed row type gets a new site (a handful per
    // installed copy of the extension, one more per ALTER TYPE seen).
    static auto *sites = new std::vector<CallSite *>;
    const Oid fn_oid = fcinfo->flinfo->fn_oid;
    CallSite **known = nullptr;
    for (CallSite *&entry : *sites)
        if (entry->fn_oid == fn_oid) known = &entry;
    if (!known || (composite && result_desc_stale(*known))) {
        if (!known)
            sites->reserve(sites->size() + 1); // the push_back below cannot throw after the allocation
        const CallSite *previous = known ? *known : nullptr;
        CallSite *site = nullptr;
        pg_call([&]() noexcept {
            site = static_cast<CallSite *>(MemoryContextAllocZero(TopMemoryContext, sizeof(CallSite)));
            site->fn_oid = fn_oid;
            site->schema = previous ? previous->schema : calling_function(fcinfo).schema;
            if (composite) build_result_desc(fcinfo, site);
        });
        if (known)
            *known = site;
        else
            sites->push_back(site);
        return site;
    }
    return *known;
}

QueryState *query_state(FunctionCallInfo fcinfo, bool composite) {
    // A query keeps the site it started with: its rows all have one layout,
    // the one the executor saw first, even if the type changes meanwhile
    // (an open cursor, then ALTER TYPE in the same session).
    if (auto *state = static_cast<QueryState *>(fcinfo->flinfo->fn_extra)) return state;
    CallSite *site = find_site(fcinfo, composite);
    QueryState *state = nullptr;
    pg_call([&]() noexcept {
        state =
            static_cast<QueryState *>(MemoryContextAllocZero(fcinfo->flinfo->fn_mcxt, sizeof(QueryState)));
    });
    state->site = site;
    fcinfo->flinfo->fn_extra = state;
    return state;
}

CallSite *call_site(FunctionCallInfo fcinfo, bool composite) {
    return query_state(fcinfo, composite)->site;
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
    values[0] = utf8_to_text(model.labels()[p.label]);
    values[1] = Float8GetDatum(p.confidence);
    values[2] =
        site->top_intents_jsonb ? utf8_json_to_jsonb(top) : utf8_to_text(top); // a json datum is its text
    values[3] = BoolGetDatum(p.uncertain);
    values[4] = Int64GetDatum(loaded.id);
    // Dropped columns of the type are null.
    const size_t natts = static_cast<size_t>(site->tupdesc->natts);
    Datum row_values_fixed[5];
    bool row_nulls_fixed[5];
    std::unique_ptr<Datum[]> row_values_more;
    std::unique_ptr<bool[]> row_nulls_more;
    Datum *row_values = row_values_fixed;
    bool *row_nulls = row_nulls_fixed;
    if (natts > 5) {
        row_values_more.reset(new Datum[natts]);
        row_nulls_more.reset(new bool[natts]);
        row_values = row_values_more.get();
        row_nulls = row_nulls_more.get();
    }
    std::fill(row_values, row_values + natts, Datum(0));
    std::fill(row_nulls, row_nulls + natts, true);
    for (int i = 0; i < 5; ++i) {
        row_values[site->columns[i]] = values[i];
        row_nulls[site->columns[i]] = false;
    }
    Datum result;
    pg_call([&]() noexcept {
        result = HeapTupleGetDatum(heap_form_tuple(site->tupdesc, row_values, row_nulls));
    });
    // After a long top-k list (pg_intent.top_k up to every intent, labels of
    // any length) give the buffers back, as release_scratch_after() does.
    if (top.capacity() > kKeepScratchUpTo) std::string().swap(top);
    if (p.top.capacity() > kKeepScratchUpTo / sizeof p.top[0]) decltype(p.top)().swap(p.top);
    return result;
}

} // namespace

intent::PredictScratch &prediction_scratch() {
    return scratch();
}
void release_prediction_scratch_after(size_t message_bytes) {
    release_scratch_after(message_bytes);
}
void append_top_labels(const intent::IntentModel &model, const intent::Prediction &p, std::string &out) {
    append_top_intents(model, p, out);
}

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
    QueryState *state = query_state(fcinfo, true);
    CallSite *site = state->site;
    LoadedModel loaded = model_by_id(site->schema, PG_GETARG_INT64(1), &state->visibility);
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
    static const std::string uncertain = intent::kUncertainLabel;
    return utf8_to_text(label < 0 ? uncertain : loaded.model->labels()[label]);
}

namespace pg_intent {

int32 explanation_top(FunctionCallInfo fcinfo, int argno) {
    constexpr int kMaxTop = 1000;
    if (PG_ARGISNULL(argno))
        throw SqlError(ERRCODE_NULL_VALUE_NOT_ALLOWED, intent::Message{N_("p_top must not be NULL"), {}}, "",
                       "Pass the number of n-grams to list (0 to " + std::to_string(kMaxTop) + ").");
    const int32 top = PG_GETARG_INT32(argno);
    if (top < 0 || top > kMaxTop)
        throw SqlError(ERRCODE_INVALID_PARAMETER_VALUE,
                       intent::Message{N_("p_top must be between 0 and %s"), {std::to_string(kMaxTop)}},
                       "p_top is " + std::to_string(top) + ".",
                       N_("The other n-grams' contributions are summed in other_terms."));
    return top;
}

intent::Json explanation_json(const LoadedModel &loaded, Datum message_datum, const Datum *wanted, int32 top,
                              ExplainedNoun noun) {
    const intent::IntentModel &model = *loaded.model;
    const char *const noun_name = noun == ExplainedNoun::Intent ? "intent" : "label";
    int label = -1; // the predicted one
    if (wanted) {
        const auto &labels = model.labels();
        // Only as much of the name is read as could match a label: a
        // character of any server encoding has at most 4 bytes and gives at
        // least one in UTF-8, so a name longer than 4 bytes per byte of the
        // longest label names none. A 100 MB name, read whole and copied
        // into the message, took 1.4 s that cancel could not stop.
        size_t longest = 0;
        for (const std::string &l : labels)
            longest = std::max(longest, l.size());
        const TextSlice wanted_text = text_prefix(*wanted, 4 * longest + 4);
        std::string storage;
        const std::string_view name = server_to_utf8(wanted_text.data, wanted_text.size, storage);
        const auto it = wanted_text.truncated ? labels.end() : std::find(labels.begin(), labels.end(), name);
        if (it == labels.end())
            throw SqlError(ERRCODE_INVALID_PARAMETER_VALUE,
                           noun == ExplainedNoun::Intent
                               ? intent::Message{N_("intent \"%s\" is not one of model %s's intents"),
                                                 {std::string(name), std::to_string(loaded.id)}}
                               : intent::Message{N_("label \"%s\" is not one of model %s's labels"),
                                                 {std::string(name), std::to_string(loaded.id)}},
                           "The model has " + std::to_string(labels.size()) + " " + noun_name + "s.",
                           std::string("intent_model_info() lists them; NULL explains the predicted ") +
                               noun_name + ".");
        label = static_cast<int>(it - labels.begin());
    }
    std::string converted;
    std::string_view message = message_utf8(message_datum, converted);
    const intent::Explanation e = model.explain(message, label, static_cast<size_t>(top), scratch());
    release_scratch_after(message.size());

    intent::Json terms = intent::Json::array();
    for (const intent::TermContribution &t : e.terms)
        terms.push_back({{"term", t.term},
                         {"kind", t.kind == intent::FeatureKind::Word   ? "word"
                                  : t.kind == intent::FeatureKind::Char ? "char"
                                                                        : "subword"},
                         {"value", static_cast<double>(t.value)},
                         {"contribution", t.contribution}});
    intent::Json out = intent::Json::object();
    out["model_id"] = loaded.id;
    out[noun_name] = model.labels()[static_cast<size_t>(e.label)];
    out[std::string("predicted_") + noun_name] = model.labels()[static_cast<size_t>(e.predicted_label)];
    out["uncertain"] = e.uncertain();
    // What the answer covers: why it is uncertain, and what it was held to.
    if (const char *why = intent::uncertain_reason_name(e.uncertain_reason))
        out["uncertain_reason"] = why;
    else
        out["uncertain_reason"] = nullptr;
    out["threshold"] = static_cast<double>(e.threshold);
    if (e.checks_evidence && e.evidence == e.evidence) {
        out["evidence"] = static_cast<double>(e.evidence);
        out["evidence_floor"] = static_cast<double>(e.evidence_floor);
    } else {
        out["evidence"] = nullptr; // formats 1 and 2 have no evidence rule (and a NaN score gives none)
        out["evidence_floor"] = nullptr;
    }
    if (e.checks_evidence && e.support == e.support) {
        out["support"] = static_cast<double>(e.support);
        out["support_floor"] = std::isfinite(e.support_floor)
                                   ? intent::Json(static_cast<double>(e.support_floor))
                                   : intent::Json();
    } else {
        out["support"] = nullptr; // formats 1 and 2 have no support rule (and a NaN score gives none)
        out["support_floor"] = nullptr;
    }
    if (e.checks_evidence) {
        out["unknown_word_share"] = static_cast<double>(e.unknown_word_share);
        out["unknown_word_limit"] = static_cast<double>(e.unknown_word_limit);
    } else {
        out["unknown_word_share"] = nullptr; // formats 1 and 2 have no unknown-word rule
        out["unknown_word_limit"] = nullptr;
    }
    if (e.checks_label_words) {
        out["label_unknown_word_share"] = static_cast<double>(e.label_unknown_word_share);
        out["label_unknown_word_limit"] = static_cast<double>(e.label_unknown_word_limit);
    } else {
        out["label_unknown_word_share"] = nullptr; // only format 5 has the label-word rule
        out["label_unknown_word_limit"] = nullptr;
    }
    out["probability"] = static_cast<double>(e.probability);
    out["score"] = static_cast<double>(e.score);
    out["bias"] = e.bias;
    out["terms"] = std::move(terms);
    out["other_terms"] = e.rest;
    out["terms_total"] = e.num_contributions;
    out["features_in_message"] = e.num_features_in_row;
    return out;
}

} // namespace pg_intent

// explain_intent(p_message text, p_top integer, p_intent text, p_model_id
// bigint): why the model scores the message as it does (explanation_json()).
//
// Granted with the explain set, not open to PUBLIC (src/sql/90_privileges.sql
// says why).
PG_INTENT_FUNCTION(pg_intent_explain) {
    if (PG_ARGISNULL(0)) PG_RETURN_NULL();
    const int32 top = explanation_top(fcinfo, 1);
    QueryState *state = query_state(fcinfo, false);
    CallSite *site = state->site;
    // intent's active model, or a model given by id (model_by_id() holds
    // intent's models to the same rule)
    if (PG_ARGISNULL(3)) require_builtin_explain(site->schema);
    LoadedModel loaded = PG_ARGISNULL(3) ? active_model(site->schema)
                                         : model_by_id(site->schema, PG_GETARG_INT64(3), &state->visibility,
                                                       ModelUse::Explain);
    const Datum wanted = PG_ARGISNULL(2) ? 0 : PG_GETARG_DATUM(2);
    const intent::Json out = explanation_json(loaded, PG_GETARG_DATUM(0), PG_ARGISNULL(2) ? nullptr : &wanted,
                                              top, ExplainedNoun::Intent);
    return utf8_json_to_jsonb(intent::dump_json(out));
}

// intent_model_info(p_model bytea): validates a model blob and describes it.
PG_INTENT_FUNCTION(pg_intent_model_info) {
    bytea *blob = nullptr;
    pg_call([&]() noexcept { blob = PG_GETARG_BYTEA_PP(0); });
    intent::IntentModel model = intent::IntentModel::deserialize(
        reinterpret_cast<const uint8_t *>(VARDATA_ANY(blob)), VARSIZE_ANY_EXHDR(blob),
        [] { return interrupt_pending(); }, max_model_memory_bytes());

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
    out["options"] = model.options().as_json();
    return utf8_json_to_jsonb(intent::dump_json(out));
}
