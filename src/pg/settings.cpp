// The pg_intent.* settings the library reads (settings.h).
#include "settings.h"

namespace pg_intent {

int guc_top_k = 3;
int guc_max_message_bytes = kDefaultMaxMessageBytes;
bool guc_allow_drop_with_data = false;

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
}

} // namespace pg_intent
