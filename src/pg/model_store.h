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

// Which bytes a model row holds: its sha256 column (the SHA-256 of the
// bytes, written with them), folded to 64 bits. An id alone does not say:
// it names other bytes after TRUNCATE ai_intent_models ... RESTART
// IDENTITY, and on a Citus worker whose copy of the coordinator's model
// replaced a row of its own with the same id (src/sql/62_citus_nodes.sql).
using ModelTag = uint64_t;
// The tag of the model row `tuple` (of descriptor `desc`), whose sha256
// column is attribute `sha256_att`. PostgreSQL calls only: use inside
// pg_call(), with the scan's tuple.
ModelTag model_row_tag(HeapTuple tuple, AttrNumber sha256_att, TupleDesc desc) noexcept;

// A model as one of the caches found it: its id, the tag of the row it was
// read from, whether it was the active model when its row was read, and
// the deserialised model.
struct LoadedModel {
    int64_t id = 0;
    ModelTag tag = 0;
    bool is_active = false; // when it was read
    std::shared_ptr<const intent::IntentModel> model;
};

// Model `id` of the ai_intent_models relation `models_relid`, as its row
// tagged `tag` holds it: kept, or loaded by `load` (which sets the row's
// stored size in bytes) and kept if it fits pg_intent.model_cache_size. A
// kept model of that id with another tag is another row's, and goes. The
// caller decided that the current user may use the model, and that the row
// still has its bytes; the store keeps no rule but the budget and the tag.
// When the row `load` read has another tag (replaced after the caller read
// it), 40001: the caller's decision was about other bytes. The returned
// LoadedModel has `is_active`.
LoadedModel stored_model(Oid models_relid, int64_t id, ModelTag tag, bool is_active,
                         const std::function<LoadedModel(size_t *stored_bytes)> &load);

// What the store holds and did in this backend.
struct ModelCacheStats {
    uint64_t models = 0, bytes = 0, hits = 0, misses = 0, evictions = 0;
};
ModelCacheStats model_cache_stats();

} // namespace pg_intent
