// The statement trigger that tells every backend to drop its cached models.
#include "guard.h"
#include "module.h"

extern "C" {
#include "commands/trigger.h"
#include "utils/inval.h"
#include "utils/rel.h"
}

using namespace pg_intent;

// Statement trigger on ai_intent_models and ai_classifiers, and their row
// triggers for logical replication's apply worker (src/sql/10_triggers.sql):
// every backend drops what it cached from the table once this transaction
// commits.
PG_INTENT_FUNCTION(pg_intent_models_changed) {
    if (!CALLED_AS_TRIGGER(fcinfo))
        throw SqlError(ERRCODE_E_R_I_E_TRIGGER_PROTOCOL_VIOLATED,
                       intent::Message{N_("_pg_intent_models_changed() must be called as a trigger"), {}});
    auto *trigger = reinterpret_cast<TriggerData *>(fcinfo->context);
    pg_call([&]() noexcept { CacheInvalidateRelcacheByRelid(RelationGetRelid(trigger->tg_relation)); });
    return PointerGetDatum(nullptr);
}
