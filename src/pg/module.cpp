// Module registration: magic block, pg_intent.* settings, cache callbacks.
#include "classifier_cache.h"
#include "guard.h"
#include "model_cache.h"
#include "progress.h"
#include "relations.h"
#include "settings.h"

PG_INTENT_EXPORT_BEGIN
extern "C" {
PG_MODULE_MAGIC;
void _PG_init(void);
}
PG_INTENT_EXPORT_END

// Defines the settings and the cache invalidation hook. Pure PostgreSQL
// calls on static data: nothing here can leave a C++ object half-built.
void _PG_init(void) {
    using namespace pg_intent;
    define_settings_010();
    define_settings();
    define_language_setting();
    MarkGUCPrefixReserved("pg_intent");
    register_model_cache_invalidation();
    register_classifier_cache_invalidation();
    register_relations_cache_invalidation();
    request_progress_shared_memory();
}

// Forces the library to load (so the settings exist) and returns true.
PG_INTENT_FUNCTION(pg_intent_loaded) {
    PG_RETURN_BOOL(true);
}
