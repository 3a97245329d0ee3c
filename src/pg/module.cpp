// Module registration: magic block, pg_intent.* settings, cache callbacks.
#include "module.h"
#include "guard.h"

PG_INTENT_EXPORT_BEGIN
extern "C" {
PG_MODULE_MAGIC;
void _PG_init(void);
}
PG_INTENT_EXPORT_END

namespace pg_intent {

int guc_min_samples_for_training = 20;
int guc_auto_retrain_threshold = 100;
double guc_max_f1_regression = 0.05;
double guc_corrected_weight = 2.0;
int guc_top_k = 3;

} // namespace pg_intent

// Defines the settings and the cache invalidation hook. Pure PostgreSQL
// calls on static data: nothing here can leave a C++ object half-built.
void _PG_init(void) {
    using namespace pg_intent;
    DefineCustomIntVariable(
        "pg_intent.min_samples_for_training", "Minimum number of labelled rows train_intent_model() needs.",
        nullptr, &guc_min_samples_for_training, 20, 2, INT_MAX, PGC_USERSET, 0, nullptr, nullptr, nullptr);
    DefineCustomIntVariable("pg_intent.auto_retrain_threshold",
                            "New rows since the last training run that make should_retrain() true.", nullptr,
                            &guc_auto_retrain_threshold, 100, 1, INT_MAX, PGC_USERSET, 0, nullptr, nullptr,
                            nullptr);
    DefineCustomRealVariable(
        "pg_intent.max_f1_regression",
        "Largest drop in macro F1 against the active model that still deploys a new model.", nullptr,
        &guc_max_f1_regression, 0.05, 0.0, 1.0, PGC_USERSET, 0, nullptr, nullptr, nullptr);
    DefineCustomRealVariable("pg_intent.corrected_weight",
                             "Training weight of rows whose intent a human corrected (corrected_by_human).",
                             nullptr, &guc_corrected_weight, 2.0, 0.01, 1000.0, PGC_USERSET, 0, nullptr,
                             nullptr, nullptr);
    DefineCustomIntVariable("pg_intent.top_k", "Number of intents predict_intent() returns in top_intents.",
                            nullptr, &guc_top_k, 3, 1, 1000, PGC_USERSET, 0, nullptr, nullptr, nullptr);
    MarkGUCPrefixReserved("pg_intent");
    register_model_cache_invalidation();
}

// Forces the library to load (so the settings exist) and returns true.
PG_INTENT_FUNCTION(pg_intent_loaded) {
    PG_RETURN_BOOL(true);
}
