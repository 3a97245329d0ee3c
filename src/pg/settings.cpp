// The pg_intent.* settings the library reads (settings.h).
#include "settings.h"

namespace pg_intent {

int guc_top_k = 3;
int guc_max_message_bytes = kDefaultMaxMessageBytes;
bool guc_allow_drop_with_data = false;
int guc_model_cache_size_kb = 65536;
int guc_max_model_memory_kb = 1048576;
int guc_client_check_interval_ms = 1000;

size_t max_model_memory_bytes() {
    return static_cast<size_t>(guc_max_model_memory_kb) * 1024;
}

// Pure PostgreSQL calls on static data, from _PG_init.
void define_settings() {
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
    // Minimum 1 MB: a budget smaller than any useful model would only make
    // every call load its model again (the cache still serves a model larger
    // than the budget, without keeping it), and a typo such as '64' (kB for
    // MB) should not silently turn the cache off.
    DefineCustomIntVariable(
        "pg_intent.model_cache_size",
        "Memory each session may keep for deserialised models, of every classifier and every prediction "
        "function (predict_intent(), predict_label(), classify_label(), explain_intent() ...).",
        "Each model is charged the memory it holds once loaded (at least its stored size); the least "
        "recently used models are dropped first. A model larger than the budget is used and not kept.",
        &guc_model_cache_size_kb, 65536, 1024, MAX_KILOBYTES, PGC_SUSET, GUC_UNIT_KB, nullptr, nullptr,
        nullptr);
    // Default 1 GB: the largest bytea a model row can store, and about
    // a hundred times a model of 1M rows at the default feature caps (30,000
    // features, 150 intents: about 10 MB loaded). A model over it needs
    // millions of features (max_features and max_char_features raised) and
    // a raised training budget; its administrator raises this too.
    DefineCustomIntVariable(
        "pg_intent.max_model_memory",
        "Most memory one model may hold once loaded; a larger model is refused before it is loaded.",
        "Applies to every model a call loads: intent_model_info()'s argument, the deployed model, a model by "
        "id. The size is estimated from the counts the model's bytes declare.",
        &guc_max_model_memory_kb, 1048576, 1024, MAX_KILOBYTES, PGC_SUSET, GUC_UNIT_KB, nullptr, nullptr,
        nullptr);
    // Default 1 s: a look at the socket (one epoll_wait() without waiting)
    // costs microseconds, and a training lasts seconds to minutes.
    DefineCustomIntVariable(
        "pg_intent.client_check_interval",
        "How often a training looks whether its client is still connected, in milliseconds; 0 turns it off.",
        "When the client is gone the session ends as client_connection_check_interval ends it (FATAL 08006), "
        "so "
        "the training rolls back and deploys nothing. Not used while client_connection_check_interval is "
        "set, "
        "nor in a background worker or single-user mode.",
        &guc_client_check_interval_ms, 1000, 0, INT_MAX, PGC_USERSET, GUC_UNIT_MS, nullptr, nullptr, nullptr);
}

} // namespace pg_intent
