// Module registration: magic block, pg_intent.* settings, cache callbacks.
#include "classifier_cache.h"
#include "guard.h"
#include "model_cache.h"
#include "models_changed.h"
#include "progress.h"
#include "relations.h"
#include "settings.h"

extern "C" {
#include "utils/inval.h"
}

PG_INTENT_EXPORT_BEGIN
extern "C" {
PG_MODULE_MAGIC;
void _PG_init(void);
}
PG_INTENT_EXPORT_END

namespace {

// The extension's one relcache callback, for its three caches. A backend
// has ten relcache callback slots (PostgreSQL's MAX_RELCACHE_CALLBACKS), and
// one more is FATAL for the backend: a Citus walsender, with Citus's and
// pgoutput's own, ran out of them when pg_intent took three
// ("out of relcache_callback_list slots": the shard copy of
// replicate_reference_tables() retried forever). Syscache callbacks have
// slots enough (64).
void on_relcache_invalidation(Datum, Oid relid) {
    pg_intent::model_cache_relation_changed(relid);
    pg_intent::classifier_cache_relation_changed(relid);
    pg_intent::relations_cache_relation_changed(relid);
}

} // namespace

// Defines the settings and the cache invalidation hooks. Pure PostgreSQL
// calls on static data: nothing here can leave a C++ object half-built.
void _PG_init(void) {
    using namespace pg_intent;
    define_settings_010();
    define_settings();
    define_language_setting();
    MarkGUCPrefixReserved("pg_intent");
    CacheRegisterRelcacheCallback(on_relcache_invalidation, 0);
    register_classifier_cache_invalidation();
    register_relations_cache_invalidation();
    register_models_changed_callbacks();
    request_progress_shared_memory();
}

// Forces the library to load (so the settings exist) and returns true.
PG_INTENT_FUNCTION(pg_intent_loaded) {
    PG_RETURN_BOOL(true);
}
