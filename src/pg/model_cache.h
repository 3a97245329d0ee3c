// The per-backend model cache (model_cache.cpp): the deployed model and a
// few others by id, loaded once and kept until ai_intent_models changes.
#pragma once

#include "pg_headers.h"

#include "model.h"

#include <cstdint>
#include <memory>

namespace pg_intent {

struct LoadedModel {
    int64_t id = 0;
    bool is_active = false; // when it was read
    std::shared_ptr<const intent::IntentModel> model;
};

// The deployed model, loaded once per backend and kept until a relcache
// invalidation of ai_intent_models (sent by its statement trigger, at commit)
// says the set of models changed. No SQL runs while the cache is valid.
// `schema` is the extension's schema (the calling function's namespace).
// Throws SqlError (55000) when no model is deployed.
LoadedModel active_model(Oid schema);

// What one query found the caller may see: the model id whose visibility
// was checked, for whom, in which statement, against which state of the
// cache. Plain data, zeroed when the query's function state is allocated
// (fn_extra): model_by_id() fills it and trusts it for the rest of that
// query only.
struct ModelVisibility {
    bool checked;
    int64_t model_id;
    Oid user;
    uint64_t generation;
    TimestampTz statement_start;
    CommandId command;
};

// A model by id (small LRU cache, same invalidation). The active model is
// everyone's; any other model must be visible to the caller (SELECT on its
// row of ai_intent_models, row-level security included), checked once per
// query when the caller passes its `visibility` (kept in fn_extra), on every
// call otherwise. A named classifier's model also needs that classifier's
// predict access (require_model_classifier(), 42501), the built-in
// classifier's active model excepted. Throws SqlError (P0002) when there is
// no such model or the caller cannot see it.
LoadedModel model_by_id(Oid schema, int64_t model_id, ModelVisibility *visibility = nullptr);

// Reads model `model_id`'s row through the primary key with a fresh catalog
// snapshot and deserialises it, with no privilege check: for callers that
// decided who may use it (classifier_cache.cpp). `stored_bytes` is the size
// of its bytes. Nothing is cached here. Throws SqlError P0002 when there is
// no such row, 55000 when its bytes were removed.
LoadedModel load_model_row(Oid schema, int64_t model_id, size_t *stored_bytes);

// A relcache invalidation of `relid` (InvalidOid: of every relation), from
// the extension's one relcache callback (module.cpp).
void model_cache_relation_changed(Oid relid);

} // namespace pg_intent
