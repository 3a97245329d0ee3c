// Reads the training memory limit from the policy table (see train_memory.h).
#include "train_memory.h"

#include "guard.h"

extern "C" {
#include "access/heapam.h"
#include "access/table.h"
#include "access/tableam.h"
#include "utils/snapmgr.h"
}

namespace pg_intent {

size_t training_memory_limit(Oid schema) {
    int32 mb = kDefaultTrainingMemoryMb;
    pg_call([&]() noexcept {
        const Oid relid = get_relname_relid("ai_training_policy", schema);
        if (!OidIsValid(relid)) return;
        const AttrNumber att = get_attnum(relid, "max_training_memory_mb");
        if (att == InvalidAttrNumber) return;
        Relation rel = table_open(relid, AccessShareLock);
        TableScanDesc scan = table_beginscan(rel, GetActiveSnapshot(), 0, nullptr);
        if (HeapTuple tuple = heap_getnext(scan, ForwardScanDirection)) {
            bool isnull = true;
            const Datum d = heap_getattr(tuple, att, RelationGetDescr(rel), &isnull);
            if (!isnull) mb = DatumGetInt32(d);
        }
        table_endscan(scan);
        table_close(rel, AccessShareLock);
    });
    // The column's CHECK keeps it in [16, 1048576]; a smaller value would
    // mean "unlimited" to MemoryBudget, so never pass one.
    if (mb < 16) mb = 16;
    return static_cast<size_t>(mb) << 20;
}

} // namespace pg_intent
