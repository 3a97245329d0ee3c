// Reads the training memory limit from the policy table (see train_memory.h).
#include "train_memory.h"

#include "guard.h"

#include <algorithm>
#include <initializer_list>
#include <utility>

extern "C" {
#include "access/heapam.h"
#include "access/table.h"
#include "access/tableam.h"
#include "catalog/pg_type.h"
#include "utils/lsyscache.h"
#include "utils/snapmgr.h"
}

namespace pg_intent {

namespace {

// Reads integer columns of the policy row; each keeps its value when the
// table or the column does not exist or the value is NULL.
void read_policy_ints(Oid schema, std::initializer_list<std::pair<const char *, int32 *>> columns) {
    pg_call([&]() noexcept {
        const Oid relid = get_relname_relid("ai_training_policy", schema);
        if (!OidIsValid(relid)) return;
        Relation rel = table_open(relid, AccessShareLock);
        TableScanDesc scan = table_beginscan(rel, GetActiveSnapshot(), 0, nullptr);
        if (HeapTuple tuple = heap_getnext(scan, ForwardScanDirection)) {
            for (const auto &[name, value] : columns) {
                const AttrNumber att = get_attnum(relid, name);
                if (att == InvalidAttrNumber || get_atttype(relid, att) != INT4OID) continue;
                bool isnull = true;
                const Datum d = heap_getattr(tuple, att, RelationGetDescr(rel), &isnull);
                if (!isnull) *value = DatumGetInt32(d);
            }
        }
        table_endscan(scan);
        table_close(rel, AccessShareLock);
    });
}

} // namespace

size_t training_memory_limit(Oid schema) {
    int32 mb = kDefaultTrainingMemoryMb;
    read_policy_ints(schema, {{"max_training_memory_mb", &mb}});
    // The column's CHECK keeps it in [16, 1048576]; a smaller value would
    // mean "unlimited" to MemoryBudget, so never pass one.
    if (mb < 16) mb = 16;
    return static_cast<size_t>(mb) << 20;
}

UnreviewedRowLimits unreviewed_row_limits(Oid schema) {
    UnreviewedRowLimits l;
    int32 bytes = l.message_bytes, rows = l.min_intent_rows, intents = l.max_intents;
    read_policy_ints(schema, {{"max_unreviewed_message_bytes", &bytes},
                              {"min_unreviewed_intent_rows", &rows},
                              {"max_intents", &intents}});
    // The columns' CHECKs keep them in range; never trust a value outside.
    l.message_bytes = std::clamp<int32>(bytes, 64, 65536);
    l.min_intent_rows = std::max<int32>(rows, 1);
    l.max_intents = std::max<int32>(intents, 2);
    return l;
}

} // namespace pg_intent
