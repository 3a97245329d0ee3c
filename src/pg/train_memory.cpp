// Reads the training policy (see train_memory.h).
#include "train_memory.h"

#include "guard.h"
#include "module.h"
#include "scan.h"
#include "text_io.h"

#include <algorithm>
#include <initializer_list>
#include <utility>

#if defined(__GLIBC__)
#include <malloc.h>
#endif

extern "C" {
#include "access/heapam.h"
#include "access/table.h"
#include "access/tableam.h"
#include "catalog/pg_type.h"
#include "executor/executor.h"
#include "funcapi.h"
#include "utils/lsyscache.h"
#include "utils/snapmgr.h"
}

namespace pg_intent {

namespace {

// Reads integer columns of the policy row; each keeps its value when the
// table or the column does not exist or the value is NULL.
void read_policy_ints(Oid schema, std::initializer_list<std::pair<const char *, int32 *>> columns) {
    Oid relid = InvalidOid;
    pg_call([&]() noexcept { relid = get_relname_relid("ai_training_policy", schema); });
    if (!OidIsValid(relid)) return;
    HeapScan scan(relid, AccessShareLock, ScanSnapshot::Active);
    pg_call([&]() noexcept {
        HeapTuple tuple = scan.next_in_pg();
        if (!tuple) return;
        for (const auto &[name, value] : columns) {
            const AttrNumber att = get_attnum(relid, name);
            if (att == InvalidAttrNumber || get_atttype(relid, att) != INT4OID) continue;
            bool isnull = true;
            const Datum d = heap_getattr(tuple, att, scan.descriptor(), &isnull);
            if (!isnull) *value = DatumGetInt32(d);
        }
    });
}

// A training run's memory limit in bytes from max_training_memory_mb. The
// column's CHECK keeps it in [16, 1048576]; a smaller value would mean
// "unlimited" to MemoryBudget, so never pass one.
size_t memory_limit_bytes(int32 mb) {
    return static_cast<size_t>(std::max<int32>(mb, 16)) << 20;
}

// The columns' CHECKs keep them in range; never trust a value outside.
UnreviewedRowLimits clamped(int32 bytes, int32 rows, int32 intents) {
    UnreviewedRowLimits l;
    l.message_bytes = std::clamp<int32>(bytes, 64, 65536);
    l.min_intent_rows = std::max<int32>(rows, 1);
    l.max_intents = std::max<int32>(intents, 2);
    return l;
}

} // namespace

size_t training_memory_limit(Oid schema) {
    int32 mb = kDefaultTrainingMemoryMb;
    read_policy_ints(schema, {{"max_training_memory_mb", &mb}});
    return memory_limit_bytes(mb);
}

TrainingPolicy training_policy(Datum row) {
    TrainingPolicy p;
    // Every column read is NOT NULL but max_training_rows; a NULL (a row
    // value built by hand) keeps the column's default.
    struct Field {
        Datum value;
        bool isnull;
    };
    HeapTupleHeader tuple = nullptr;
    pg_call([&]() noexcept { tuple = DatumGetHeapTupleHeader(row); });
    auto field = [&](const char *name) {
        Field f{0, true};
        pg_call([&]() noexcept { f.value = GetAttributeByName(tuple, name, &f.isnull); });
        return f;
    };
    auto int_field = [&](const char *name, int32 fallback) {
        const Field f = field(name);
        return f.isnull ? fallback : DatumGetInt32(f.value);
    };
    p.min_samples_for_training = int_field("min_samples_for_training", p.min_samples_for_training);
    if (Field f = field("max_f1_regression"); !f.isnull) p.max_f1_regression = DatumGetFloat8(f.value);
    if (Field f = field("corrected_weight"); !f.isnull) p.corrected_weight = DatumGetFloat4(f.value);
    p.memory_limit = memory_limit_bytes(int_field("max_training_memory_mb", kDefaultTrainingMemoryMb));
    p.max_training_threads = int_field("max_training_threads", p.max_training_threads);
    p.min_gate_rows = int_field("min_gate_rows", p.min_gate_rows);
    if (Field f = field("out_of_scope_intent"); !f.isnull) {
        TextRef t = text_ref(f.value);
        std::string storage;
        std::string_view utf8 = server_to_utf8(t.data, t.size, storage);
        p.out_of_scope_intent = storage.empty() ? std::string(utf8) : std::move(storage);
    }
    if (Field f = field("out_of_scope_mode"); !f.isnull) {
        TextRef t = text_ref(f.value);
        p.out_of_scope_mode.assign(t.data, t.size); // class or negatives (its CHECK)
    }
    if (Field f = field("only_reviewed"); !f.isnull) p.only_reviewed = DatumGetBool(f.value);
    if (Field f = field("max_training_rows"); !f.isnull) p.max_training_rows = DatumGetInt32(f.value);
    const UnreviewedRowLimits d;
    p.unreviewed = clamped(int_field("max_unreviewed_message_bytes", d.message_bytes),
                           int_field("min_unreviewed_intent_rows", d.min_intent_rows),
                           int_field("max_intents", d.max_intents));
    return p;
}

void release_freed_heap() {
#if defined(__GLIBC__)
    malloc_trim(0);
#endif
}

} // namespace pg_intent
