// The statement trigger that tells every backend to drop its cached models,
// and the deferral of its invalidations to once per call (models_changed.h).
#include "models_changed.h"

#include "guard.h"
#include "module.h"

extern "C" {
#include "access/xact.h"
#include "commands/trigger.h"
#include "utils/inval.h"
#include "utils/rel.h"
#include "utils/syscache.h"
}

#include <array>

using namespace pg_intent;

namespace {

// Deferrals alive in this backend, and the tables whose invalidation waits
// (two tables send it: a fixed array, nothing allocated).
int g_deferral_depth = 0;
std::array<Oid, 4> g_pending{};
size_t g_pending_count = 0;

void remember_pending(Oid relid) noexcept {
    for (size_t i = 0; i < g_pending_count; ++i)
        if (g_pending[i] == relid) return;
    if (g_pending_count < g_pending.size()) {
        g_pending[g_pending_count++] = relid;
        return;
    }
    CacheInvalidateRelcacheByRelid(relid); // cannot happen (two tables): send it now
}

// Sends what waits; inside a pg_call() or PostgreSQL's own callback. A
// table dropped since (what a failed call deferred waits until the
// transaction's end, and the transaction may drop the extension) is skipped:
// its drop sent its own invalidation, and looking it up is an ERROR.
void send_pending() noexcept {
    while (g_pending_count > 0) {
        const Oid relid = g_pending[--g_pending_count];
        if (SearchSysCacheExists1(RELOID, ObjectIdGetDatum(relid))) CacheInvalidateRelcacheByRelid(relid);
    }
}

// At a transaction's end no deferral is alive (its C++ owner ran its
// destructor, or the backend jumped past it): PRE_COMMIT sends what still
// waits, an abort drops it with the changes.
void on_transaction_end(XactEvent event, void *) noexcept {
    switch (event) {
    case XACT_EVENT_PRE_COMMIT:
    case XACT_EVENT_PARALLEL_PRE_COMMIT:
    case XACT_EVENT_PRE_PREPARE:
        send_pending();
        g_deferral_depth = 0;
        break;
    case XACT_EVENT_ABORT:
    case XACT_EVENT_PARALLEL_ABORT:
        g_pending_count = 0;
        g_deferral_depth = 0;
        break;
    default:
        break;
    }
}

} // namespace

namespace pg_intent {

DeferredModelInvalidations::DeferredModelInvalidations() noexcept : ended_(false) {
    ++g_deferral_depth;
}

DeferredModelInvalidations::~DeferredModelInvalidations() {
    if (!ended_ && g_deferral_depth > 0) --g_deferral_depth;
}

void DeferredModelInvalidations::flush() {
    if (ended_) return;
    ended_ = true;
    if (g_deferral_depth > 0) --g_deferral_depth;
    if (g_deferral_depth == 0) pg_call([&]() noexcept { send_pending(); });
}

void register_models_changed_callbacks() {
    RegisterXactCallback(on_transaction_end, nullptr);
}

} // namespace pg_intent

// Statement trigger on ai_intent_models and ai_classifiers, and their row
// triggers for logical replication's apply worker (src/sql/10_triggers.sql):
// every backend drops what it cached from the table once this transaction
// commits. Inside a DeferredModelInvalidations (a train_classifier() call's
// runs) the invalidation waits for its flush(), once per table.
PG_INTENT_FUNCTION(pg_intent_models_changed) {
    if (!CALLED_AS_TRIGGER(fcinfo))
        throw SqlError(ERRCODE_E_R_I_E_TRIGGER_PROTOCOL_VIOLATED,
                       intent::Message{N_("_pg_intent_models_changed() must be called as a trigger"), {}});
    auto *trigger = reinterpret_cast<TriggerData *>(fcinfo->context);
    const Oid relid = RelationGetRelid(trigger->tg_relation);
    if (g_deferral_depth > 0) {
        pg_call([&]() noexcept { remember_pending(relid); });
        return PointerGetDatum(nullptr);
    }
    pg_call([&]() noexcept { CacheInvalidateRelcacheByRelid(relid); });
    return PointerGetDatum(nullptr);
}
