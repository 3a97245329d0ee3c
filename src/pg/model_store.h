// The backend's one store of deserialised models (model_store.cpp), by model
// id, under one byte budget: every model predict_intent(), predict_label()
// and the other prediction functions use comes from here.
#pragma once

#include "pg_headers.h"

#include "model.h"

#include <cstdint>
#include <functional>
#include <memory>

namespace pg_intent {

// A model as one of the caches found it: its id, whether it was the active
// model when its row was read, and the deserialised model.
struct LoadedModel {
    int64_t id = 0;
    bool is_active = false; // when it was read
    std::shared_ptr<const intent::IntentModel> model;
};

// Model `id` of the ai_intent_models relation `models_relid`: kept, or
// loaded by `load` (which sets the row's stored size in bytes) and kept if
// it fits pg_intent.model_cache_size. The caller decided that the current
// user may use the model, and that the row still has its bytes; the store
// keeps no rule but the budget. The returned LoadedModel has `is_active`.
LoadedModel stored_model(Oid models_relid, int64_t id, bool is_active,
                         const std::function<LoadedModel(size_t *stored_bytes)> &load);

// What the store holds and did in this backend.
struct ModelCacheStats {
    uint64_t models = 0, bytes = 0, hits = 0, misses = 0, evictions = 0;
};
ModelCacheStats model_cache_stats();

} // namespace pg_intent
