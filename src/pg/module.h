// Settings and the per-backend model cache shared by the glue's files.
#pragma once

#include "pg_headers.h"

#include "model.h"

#include <cstdint>
#include <memory>

namespace pg_intent {

// pg_intent.* settings (defined in _PG_init). The first four are 0.1.0's
// policy settings, kept defined but ignored.
extern int guc_min_samples_for_training;
extern int guc_auto_retrain_threshold;
extern double guc_max_f1_regression;
extern double guc_corrected_weight;
extern int guc_top_k;
extern int guc_max_message_bytes;
// pg_intent.allow_drop_with_data: the session confirms that a drop of the
// extension may delete its rows (drop_guard.cpp). A session setting is right
// here: it only confirms what its own role, already allowed to drop the
// extension, asked for; it decides nothing the owner does for others.
extern bool guc_allow_drop_with_data;
// pg_intent.max_message_bytes' default, and what training reads of each
// message whatever a session sets: the owner's work must not depend on a
// setting its caller controls, and a message that any role may log (one
// 320 MB message, 3.6 MB on disk, took a run to 2.2 GB and 15 s) must not
// decide a run's memory.
constexpr int kDefaultMaxMessageBytes = 65536;

struct LoadedModel {
    int64_t id = 0;
    bool is_active = false; // when it was read
    std::shared_ptr<const intent::IntentModel> model;
};

// The deployed model, loaded once per backend and kept until a relcache
// invalidation of ai_intent_models (sent by its statement trigger, at commit)
// says the set of models changed. No SQL runs while the cache is valid.
// `schema` is the extension's schema (the calling function's namespace).
// Throws PgError (55000) when no model is deployed.
LoadedModel active_model(Oid schema);

// A model by id (small LRU cache, same invalidation). The active model is
// everyone's; any other model must be visible to the caller (SELECT on its
// row of ai_intent_models, row-level security included), checked on every
// call. Throws SqlError (P0002) when there is no such model or the caller
// cannot see it.
LoadedModel model_by_id(Oid schema, int64_t model_id);

// Prediction buffers whose vectoriser polls for cancel and statement_timeout
// inside one long message (every 64 kB; never for ordinary messages): a role
// may raise pg_intent.max_message_bytes to a gigabyte, which takes seconds to
// read. Defined in predict.cpp; evaluation uses the same.
intent::PredictScratch polling_scratch();

// The result row of a trainer (_pg_intent_train, _pg_intent_train_table):
// `values`/`nulls` as its declared row type, whose first column, the model
// bytes, this sets from `blob`. Defined in train.cpp.
Datum trained_model_tuple(FunctionCallInfo fcinfo, const std::string &blob, Datum *values, bool *nulls);

// Defines pg_intent.language (language.cpp); called once from _PG_init.
void define_language_setting();

// Registers the relcache callback; called once from _PG_init.
void register_model_cache_invalidation();

// Text of a text/varchar datum without copying (detoasted if needed).
struct TextRef {
    const char *data;
    size_t size;
};
TextRef text_ref(Datum d);

} // namespace pg_intent
