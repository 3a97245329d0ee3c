// Which model of ai_intent_models a prediction by the built-in classifier
// or by model id uses, and whether the caller may (model_cache.cpp): the
// deployed model's id, kept until ai_intent_models changes, and the checks
// of a model given by id. The models themselves come from the one store
// (model_store.h).
#pragma once

#include "pg_headers.h"

#include "model_store.h"

#include <cstdint>

namespace pg_intent {

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

// What a model given by id is used for.
enum class ModelUse {
    Predict,  // predict_intent(text, bigint)
    Explain,  // explain_intent(..., p_model_id): its vocabulary too
    Evaluate, // evaluate_intent_model(p_model_id, ...): its labels and thresholds too
};

// A model by id (what the checks found is kept per id until
// ai_intent_models changes; the model, in the store). The active model is
// everyone's; any other model must be visible to the caller (SELECT on its
// row of ai_intent_models, row-level security included), checked once per
// query when the caller passes its `visibility` (kept in fn_extra), on every
// call otherwise. A named classifier's model also needs that classifier's
// predict access, and to explain or evaluate a partition's model the right
// to read that partition (require_model_classifier(), 42501), the built-in
// classifier's active model excepted. Throws SqlError (P0002) when there is
// no such model or the caller cannot see it.
LoadedModel model_by_id(Oid schema, int64_t model_id, ModelVisibility *visibility = nullptr,
                        ModelUse use = ModelUse::Predict);

// Reads model `model_id`'s row through the primary key with a fresh catalog
// snapshot and deserialises it, with no privilege check: for callers that
// decided who may use it, as the store's loader (model_store.h).
// `stored_bytes` is the size of its bytes. Nothing is kept here. Throws SqlError P0002 when there is
// no such row, 55000 when its bytes were removed.
LoadedModel load_model_row(Oid schema, int64_t model_id, size_t *stored_bytes);

// Raises 55000 for model `model_id`, whose row has no bytes (removed by
// delete_intent_model(), prune_classifier_models() or by hand): the one
// error of every path that finds such a row where it needs a model.
[[noreturn]] void no_model_bytes(int64_t model_id);

// A relcache invalidation of `relid` (InvalidOid: of every relation), from
// the extension's one relcache callback (module.cpp).
void model_cache_relation_changed(Oid relid);

} // namespace pg_intent
