// Module registration: magic block, pg_intent.* settings, cache callbacks.
#include "module.h"
#include "guard.h"
#include "progress.h"

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
int guc_max_message_bytes = kDefaultMaxMessageBytes;
bool guc_allow_drop_with_data = false;

} // namespace pg_intent

// Defines the settings and the cache invalidation hook. Pure PostgreSQL
// calls on static data: nothing here can leave a C++ object half-built.
void _PG_init(void) {
    using namespace pg_intent;
    // 0.1.0's policy settings. Training no longer reads them: a caller of
    // the privileged trainer could SET them (the policy is the row of
    // ai_training_policy). They stay defined so that settings made for 0.1.0
    // in postgresql.conf, ALTER DATABASE or ALTER ROLE do not become errors,
    // and a training run warns when the session set one.
    DefineCustomIntVariable("pg_intent.min_samples_for_training",
                            "Ignored since 0.2.0: set ai_training_policy.min_samples_for_training.", nullptr,
                            &guc_min_samples_for_training, 20, 2, INT_MAX, PGC_USERSET, 0, nullptr, nullptr,
                            nullptr);
    DefineCustomIntVariable("pg_intent.auto_retrain_threshold",
                            "Ignored since 0.2.0: set ai_training_policy.auto_retrain_threshold.", nullptr,
                            &guc_auto_retrain_threshold, 100, 1, INT_MAX, PGC_USERSET, 0, nullptr, nullptr,
                            nullptr);
    DefineCustomRealVariable(
        "pg_intent.max_f1_regression", "Ignored since 0.2.0: set ai_training_policy.max_f1_regression.",
        nullptr, &guc_max_f1_regression, 0.05, 0.0, 1.0, PGC_USERSET, 0, nullptr, nullptr, nullptr);
    DefineCustomRealVariable(
        "pg_intent.corrected_weight", "Ignored since 0.2.0: set ai_training_policy.corrected_weight.",
        nullptr, &guc_corrected_weight, 2.0, 0.01, 1000.0, PGC_USERSET, 0, nullptr, nullptr, nullptr);
    DefineCustomIntVariable("pg_intent.top_k", "Number of intents predict_intent() returns in top_intents.",
                            nullptr, &guc_top_k, 3, 1, 1000, PGC_USERSET, 0, nullptr, nullptr, nullptr);
    DefineCustomIntVariable(
        "pg_intent.max_message_bytes",
        "Longest message prediction reads, in bytes; longer messages are classified on their first bytes.",
        "The message is cut at a character boundary. Bounds the memory and time of every prediction call.",
        &guc_max_message_bytes, kDefaultMaxMessageBytes, 1024, MaxAllocSize - 8, PGC_USERSET, GUC_UNIT_BYTE,
        nullptr, nullptr, nullptr);
    DefineCustomBoolVariable(
        "pg_intent.allow_drop_with_data",
        "Lets DROP EXTENSION pg_intent (or DROP SCHEMA ... CASCADE, DROP OWNED) delete the rows it holds.",
        "Without it, such a drop is refused while ai_training_data, ai_intent_corrections, ai_training_runs "
        "or ai_intent_models hold rows.",
        &guc_allow_drop_with_data, false, PGC_USERSET, 0, nullptr, nullptr, nullptr);
    define_language_setting();
    MarkGUCPrefixReserved("pg_intent");
    register_model_cache_invalidation();
    request_progress_shared_memory();
}

// Forces the library to load (so the settings exist) and returns true.
PG_INTENT_FUNCTION(pg_intent_loaded) {
    PG_RETURN_BOOL(true);
}
