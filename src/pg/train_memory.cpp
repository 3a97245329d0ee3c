// Reads the training policy (see train_memory.h).
#include "train_memory.h"

#include "guard.h"
#include "module.h"
#include "scan.h"
#include "text_io.h"

#include <algorithm>
#include <cstring>
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
#include "utils/typcache.h"
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
    // The table's column defaults are the only ones
    // (src/sql/schema/10_training_policy.sql). Every column read is NOT NULL
    // but max_training_rows: a NULL, which only a row value built by hand
    // can hold, is refused (22004), never replaced by a second default here
    // (0.3.1 read a NULL max_intents as 100, the table's default is 1000).
    HeapTupleHeader tuple = nullptr;
    pg_call([&]() noexcept { tuple = DatumGetHeapTupleHeader(row); });
    auto field = [&](const char *name, bool &isnull) {
        Datum value = 0;
        pg_call([&]() noexcept { value = GetAttributeByName(tuple, name, &isnull); });
        return value;
    };
    auto required = [&](const char *name) {
        bool isnull = true;
        const Datum value = field(name, isnull);
        if (isnull)
            throw SqlError(ERRCODE_NULL_VALUE_NOT_ALLOWED,
                           intent::Message{N_("the training policy has no value for \"%s\""), {name}});
        return value;
    };
    auto required_text = [&](const char *name) {
        TextRef t = text_ref(required(name));
        std::string storage;
        std::string_view utf8 = server_to_utf8(t.data, t.size, storage);
        return storage.empty() ? std::string(utf8) : std::move(storage);
    };
    p.min_samples_for_training = DatumGetInt32(required("min_samples_for_training"));
    p.max_f1_regression = DatumGetFloat8(required("max_f1_regression"));
    p.corrected_weight = DatumGetFloat4(required("corrected_weight"));
    p.memory_limit = memory_limit_bytes(DatumGetInt32(required("max_training_memory_mb")));
    p.max_training_threads = DatumGetInt32(required("max_training_threads"));
    p.min_gate_rows = DatumGetInt32(required("min_gate_rows"));
    p.out_of_scope_intent = required_text("out_of_scope_intent");
    p.out_of_scope_mode = required_text("out_of_scope_mode"); // class or negatives (its CHECK), ASCII
    p.only_reviewed = DatumGetBool(required("only_reviewed"));
    bool isnull = true;
    if (const Datum rows = field("max_training_rows", isnull); !isnull)
        p.max_training_rows = DatumGetInt32(rows);
    p.unreviewed = clamped(DatumGetInt32(required("max_unreviewed_message_bytes")),
                           DatumGetInt32(required("min_unreviewed_intent_rows")),
                           DatumGetInt32(required("max_intents")));
    // COMPAT(0.3.1) Its row type has no max_unreviewed_rows until ALTER
    // EXTENSION UPDATE adds the column: no bound then, as 0.3.1 read.
    bool has_max_rows = false;
    pg_call([&]() noexcept {
        TupleDesc desc =
            lookup_rowtype_tupdesc(HeapTupleHeaderGetTypeId(tuple), HeapTupleHeaderGetTypMod(tuple));
        for (int i = 0; i < desc->natts; ++i) {
            const Form_pg_attribute att = TupleDescAttr(desc, i);
            if (!att->attisdropped && strcmp(NameStr(att->attname), "max_unreviewed_rows") == 0)
                has_max_rows = true;
        }
        ReleaseTupleDesc(desc);
    });
    // Its CHECK keeps it in [1, 10^9]; never trust a value outside.
    if (has_max_rows)
        p.unreviewed.max_rows = std::max<int32>(DatumGetInt32(required("max_unreviewed_rows")), 1);
    return p;
}

void release_freed_heap() {
#if defined(__GLIBC__)
    malloc_trim(0);
#endif
}

} // namespace pg_intent
