// The backend's one store of deserialised models (model_store.h).
//
// Why one. Until 0.3.2 predict_intent() kept the active model and two more
// by id (model_cache.cpp), and predict_label() kept classifiers' models in
// a store of its own (classifier_cache.cpp): the same model, used through
// both, was loaded twice, and only the second store was bounded by
// pg_intent.model_cache_size. Now both caches decide which model a call may
// use (the active row, the caller's rights) and take its bytes from here.
//
// Keyed by id and tag, kept across invalidations. The bytes of a model row
// are written once: they can only be removed (delete_intent_model(), from an
// inactive model), and the callers check the row before they ask for its
// model. So a deploy costs the other models' users nothing. An id can name
// another row, though: after TRUNCATE ... RESTART IDENTITY, or a Citus
// worker's row replaced by the coordinator's copy under the same id. So the
// callers pass the tag of the row they read (its sha256), and a kept model
// of another tag is never served: it goes, and the row is loaded. The ids
// are those of one ai_intent_models relation: a new relation (the extension
// dropped and created again) empties the store.
//
// Memory. A least-recently-used list bounded by pg_intent.model_cache_size
// (bytes). Each model is charged the growth of the C heap in use across its
// load (glibc's mallinfo2(); the read's scratch memory is freed by then),
// and at least its stored bytes and its buffers' size (memory_bytes()), for
// a C library that cannot say or a load that reused freed heap. The stored size alone undercounts: a model of
// data/ecommerce_es.csv stores 378 kB and holds about 1.15 MB once loaded
// (its vocabulary's lookup tables). A model larger than the whole budget is
// still served, loaded for the call and not kept.
#include "model_store.h"

#include "guard.h"
#include "settings.h"

#include <algorithm>
#include <iterator>
#include <list>
#if defined(__GLIBC__)
#include <malloc.h>
#endif
#include <string>
#include <unordered_map>

namespace pg_intent {
namespace {

struct ModelEntry {
    int64_t id;
    ModelTag tag;
    std::shared_ptr<const intent::IntentModel> model;
    size_t bytes;
};

struct ModelLru {
    Oid models_relid = InvalidOid;
    std::list<ModelEntry> entries; // most recently used first
    std::unordered_map<int64_t, std::list<ModelEntry>::iterator> by_id;
    size_t bytes = 0;
    ModelCacheStats stats;

    void clear() {
        entries.clear();
        by_id.clear();
        bytes = 0;
    }
    void remove(std::list<ModelEntry>::iterator entry) {
        bytes -= entry->bytes;
        by_id.erase(entry->id);
        entries.erase(entry);
    }
    // An eviction is a model removed to keep within the budget; a model of
    // a row that is gone (another tag under its id) is removed, not evicted.
    void evict_last() {
        remove(std::prev(entries.end()));
        ++stats.evictions;
    }
};

ModelLru &lru() {
    static auto *l = new ModelLru; // kept for the backend's life, no static destructor
    return *l;
}

// Bytes of the C heap in use (0 where the C library cannot say).
size_t heap_in_use() {
#if defined(__GLIBC__) && (__GLIBC__ > 2 || (__GLIBC__ == 2 && __GLIBC_MINOR__ >= 33))
    const struct mallinfo2 info = mallinfo2();
    return info.uordblks + info.hblkhd;
#else
    return 0;
#endif
}

size_t budget_bytes() {
    return static_cast<size_t>(guc_model_cache_size_kb) * 1024;
}

[[noreturn]] void row_replaced(int64_t id) {
    throw SqlError(
        ERRCODE_T_R_SERIALIZATION_FAILURE,
        intent::Message{N_("intent model %s was replaced while it was read"), {std::to_string(id)}},
        N_("Another row with the same id (another model) took its place after this call looked "
           "the id up."),
        N_("Retry the statement."));
}

} // namespace

// The sha256 text folded by FNV-1a: the tag only tells rows of one id
// apart, it guards nothing. The column is NOT NULL in the extension's table;
// a NULL (the constraint dropped) tags as 0.
ModelTag model_row_tag(HeapTuple tuple, AttrNumber sha256_att, TupleDesc desc) noexcept {
    bool isnull = false;
    const Datum sha = heap_getattr(tuple, sha256_att, desc, &isnull);
    if (isnull) return 0;
    const text *t = DatumGetTextPP(sha);
    const char *bytes = VARDATA_ANY(t);
    ModelTag hash = 14695981039346656037ULL;
    for (size_t i = 0; i < VARSIZE_ANY_EXHDR(t); ++i) {
        hash ^= static_cast<unsigned char>(bytes[i]);
        hash *= 1099511628211ULL;
    }
    return hash;
}

LoadedModel stored_model(Oid models_relid, int64_t id, ModelTag tag, bool is_active,
                         const std::function<LoadedModel(size_t *stored_bytes)> &load) {
    ModelLru &cache = lru();
    if (cache.models_relid != models_relid) {
        cache.clear();
        cache.models_relid = models_relid;
    }
    const size_t budget = budget_bytes();
    auto found = cache.by_id.find(id);
    if (found != cache.by_id.end() && found->second->tag != tag) {
        cache.remove(found->second); // another row's model under this id: not an eviction
        found = cache.by_id.end();
    }
    if (found != cache.by_id.end()) {
        ++cache.stats.hits;
        cache.entries.splice(cache.entries.begin(), cache.entries, found->second);
        // The budget may have been lowered since: keep only what fits (the
        // model in use stays, first).
        while (cache.bytes > budget && cache.entries.size() > 1)
            cache.evict_last();
        return LoadedModel{id, tag, is_active, found->second->model};
    }
    ++cache.stats.misses;
    size_t bytes = 0;
    const size_t heap_before = heap_in_use();
    LoadedModel loaded = load(&bytes);
    if (loaded.tag != tag) row_replaced(id);
    loaded.is_active = is_active;
    const size_t heap_after = heap_in_use();
    if (heap_after > heap_before) bytes = std::max(bytes, heap_after - heap_before);
    bytes = std::max(bytes, loaded.model->memory_bytes());
    if (bytes > budget) return loaded; // served, not kept
    while (!cache.entries.empty() && cache.bytes + bytes > budget)
        cache.evict_last();
    cache.entries.push_front(ModelEntry{id, tag, loaded.model, bytes});
    try {
        cache.by_id.emplace(id, cache.entries.begin());
    } catch (...) {
        cache.entries.pop_front();
        throw;
    }
    cache.bytes += bytes;
    return loaded;
}

ModelCacheStats model_cache_stats() {
    const ModelLru &cache = lru();
    ModelCacheStats stats = cache.stats;
    stats.models = cache.entries.size();
    stats.bytes = cache.bytes;
    return stats;
}

} // namespace pg_intent
