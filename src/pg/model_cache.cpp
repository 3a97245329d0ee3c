// Per-backend cache of deserialised models, invalidated through relcache
// invalidation messages on ai_intent_models.
//
// Why relcache invalidation: the statement trigger on ai_intent_models calls
// CacheInvalidateRelcacheByRelid(), which PostgreSQL delivers to every
// backend when (and only when) the deploying transaction commits, replays on
// hot standbys from the commit record, and processes locally at the end of
// each command. So predict_intent() checks a counter instead of running SQL,
// and a session started before a deploy sees the new model at its next call.
#include "guard.h"
#include "module.h"

extern "C" {
#include "catalog/pg_class.h"
#include "mb/pg_wchar.h"
#include "utils/syscache.h"
}

#include <list>

namespace pg_intent {
namespace {

uint64_t g_generation = 1;       // bumped by every relevant invalidation
Oid g_models_relid = InvalidOid; // ai_intent_models, once we have looked it up

struct CacheEntry {
    Oid schema = InvalidOid;
    uint64_t generation = 0;
    LoadedModel loaded;
};

constexpr size_t kMaxModelsById = 4;

// Allocated once and never freed: a backend keeps its cache for its lifetime,
// and avoiding static destructors keeps exit paths trivial.
CacheEntry &active_entry() {
    static CacheEntry *entry = new CacheEntry;
    return *entry;
}
std::list<CacheEntry> &entries_by_id() {
    static auto *entries = new std::list<CacheEntry>;
    return *entries;
}

// Relcache callback: must not fail, so it only bumps a counter.
void on_relcache_invalidation(Datum, Oid relid) {
    if (relid == InvalidOid || relid == g_models_relid) ++g_generation;
}

struct ModelRow {
    bool found = false;
    int64_t id = 0;
    const uint8_t *data = nullptr;
    size_t size = 0;
};

// Reads one row of ai_intent_models (the active one, or by id) through SPI,
// as the table's owner, so EXECUTE on predict_intent() is all a caller needs.
// Leaves SPI connected: the caller deserialises from SPI memory, then calls
// finish_model_row().
ModelRow fetch_model_row(Oid schema, bool active, int64_t id) {
    ModelRow row;
    Oid owner = InvalidOid;
    pg_call([&] {
        Oid relid = get_relname_relid("ai_intent_models", schema);
        if (!OidIsValid(relid))
            ereport(ERROR, (errcode(ERRCODE_UNDEFINED_TABLE),
                            errmsg("table ai_intent_models does not exist in schema \"%s\"",
                                   get_namespace_name(schema)),
                            errhint("Reinstall the extension with CREATE EXTENSION pg_intent.")));
        g_models_relid = relid;
        HeapTuple tuple = SearchSysCache1(RELOID, ObjectIdGetDatum(relid));
        if (!HeapTupleIsValid(tuple)) elog(ERROR, "cache lookup failed for relation %u", relid);
        owner = ((Form_pg_class)GETSTRUCT(tuple))->relowner;
        ReleaseSysCache(tuple);
    });

    Oid saved_user;
    int saved_context;
    GetUserIdAndSecContext(&saved_user, &saved_context);
    SetUserIdAndSecContext(owner,
                           saved_context | SECURITY_LOCAL_USERID_CHANGE | SECURITY_RESTRICTED_OPERATION);
    try {
        pg_call([&] {
            if (SPI_connect() != SPI_OK_CONNECT) elog(ERROR, "SPI_connect failed");
            const char *nsp = quote_identifier(get_namespace_name(schema));
            char *sql = active ? psprintf("SELECT id, model FROM %s.ai_intent_models WHERE is_active", nsp)
                               : psprintf("SELECT id, model FROM %s.ai_intent_models WHERE id = $1", nsp);
            Oid argtypes[1] = {INT8OID};
            Datum values[1] = {Int64GetDatum(id)};
            int rc = SPI_execute_with_args(sql, active ? 0 : 1, argtypes, values, nullptr, true, 2);
            if (rc != SPI_OK_SELECT) elog(ERROR, "SPI_execute failed: %s", SPI_result_code_string(rc));
            if (SPI_processed > 1)
                ereport(ERROR,
                        (errcode(ERRCODE_CARDINALITY_VIOLATION), errmsg("more than one active intent model"),
                         errdetail("Exactly one row of ai_intent_models may have is_active = true.")));
            if (SPI_processed == 1) {
                bool isnull = false;
                Datum idd = SPI_getbinval(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 1, &isnull);
                row.id = isnull ? 0 : DatumGetInt64(idd);
                Datum blob = SPI_getbinval(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 2, &isnull);
                if (!isnull) {
                    bytea *b = DatumGetByteaPP(blob);
                    row.data = reinterpret_cast<const uint8_t *>(VARDATA_ANY(b));
                    row.size = VARSIZE_ANY_EXHDR(b);
                    row.found = true;
                }
            }
        });
    } catch (...) {
        SetUserIdAndSecContext(saved_user, saved_context);
        throw;
    }
    SetUserIdAndSecContext(saved_user, saved_context);
    return row;
}

void finish_model_row() {
    pg_call([] { SPI_finish(); });
}

std::shared_ptr<const intent::IntentModel> deserialize_row(const ModelRow &row) {
    return std::make_shared<const intent::IntentModel>(intent::IntentModel::deserialize(row.data, row.size));
}

} // namespace

void register_model_cache_invalidation() {
    CacheRegisterRelcacheCallback(on_relcache_invalidation, 0);
}

LoadedModel active_model(Oid schema) {
    CacheEntry &entry = active_entry();
    if (entry.generation == g_generation && entry.schema == schema && entry.loaded.model) return entry.loaded;

    uint64_t generation = g_generation; // an invalidation during the read makes this entry stale at once
    ModelRow row = fetch_model_row(schema, true, 0);
    if (!row.found) {
        finish_model_row();
        throw SqlError(ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE, "no intent model is deployed",
                       "ai_intent_models has no active model.",
                       "Train and deploy one with SELECT train_intent_model();");
    }
    LoadedModel loaded{row.id, deserialize_row(row)};
    finish_model_row();
    entry = CacheEntry{schema, generation, loaded};
    return loaded;
}

LoadedModel model_by_id(Oid schema, int64_t model_id) {
    auto &entries = entries_by_id();
    for (auto it = entries.begin(); it != entries.end(); ++it) {
        if (it->schema == schema && it->loaded.id == model_id && it->generation == g_generation) {
            entries.splice(entries.begin(), entries, it); // most recently used first
            return it->loaded;
        }
    }
    uint64_t generation = g_generation;
    ModelRow row = fetch_model_row(schema, false, model_id);
    if (!row.found) {
        finish_model_row();
        char message[96];
        snprintf(message, sizeof message, "intent model %lld does not exist",
                 static_cast<long long>(model_id));
        throw SqlError(ERRCODE_NO_DATA_FOUND, message, nullptr,
                       "See the ai_model_registry view for model ids.");
    }
    LoadedModel loaded{row.id, deserialize_row(row)};
    finish_model_row();
    entries.remove_if(
        [&](const CacheEntry &e) { return e.generation != g_generation || e.loaded.id == model_id; });
    entries.push_front(CacheEntry{schema, generation, loaded});
    if (entries.size() > kMaxModelsById) entries.pop_back();
    return loaded;
}

TextRef text_ref(Datum d) {
    text *t = nullptr;
    pg_call([&] { t = DatumGetTextPP(d); });
    return TextRef{VARDATA_ANY(t), VARSIZE_ANY_EXHDR(t)};
}

} // namespace pg_intent
