// Table scans without SQL (scan.h).
#include "scan.h"

#include "guard.h"

extern "C" {
#include "access/heapam.h"
#include "access/stratnum.h"
#include "access/table.h"
#include "access/tableam.h"
#include "executor/tuptable.h"
#include "utils/rel.h"
#include "utils/snapmgr.h"
}

#include <exception>

namespace pg_intent {
namespace {

// Takes and registers the snapshot; PostgreSQL calls only.
Snapshot register_snapshot(ScanSnapshot which, Oid relid) noexcept {
    switch (which) {
    case ScanSnapshot::Active:
        return RegisterSnapshot(GetActiveSnapshot());
    case ScanSnapshot::Latest:
        return RegisterSnapshot(GetLatestSnapshot());
    case ScanSnapshot::Catalog:
        break;
    }
    return RegisterSnapshot(GetCatalogSnapshot(relid));
}

// PostgreSQL calls only. Fields left null were never acquired.
void close_relation(Relation rel, LOCKMODE lock, LockHeld held) noexcept {
    if (rel) table_close(rel, held == LockHeld::UntilClose ? lock : NoLock);
}

} // namespace

HeapScan::HeapScan(Oid relid, LOCKMODE lock, ScanSnapshot snapshot, LockHeld held)
    : lock_(lock), held_(held), uncaught_(std::uncaught_exceptions()) {
    // Each step is recorded as it is made: after an ERROR, the destructor
    // does not run (the constructor threw), and the abort releases the rest.
    pg_call([&]() noexcept {
        rel_ = table_open(relid, lock);
        snapshot_ = register_snapshot(snapshot, relid);
        scan_ = table_beginscan(rel_, snapshot_, 0, nullptr);
    });
}

HeapScan::~HeapScan() {
    pg_release(uncaught_, [this]() noexcept {
        if (scan_) table_endscan(scan_);
        if (snapshot_) UnregisterSnapshot(snapshot_);
        close_relation(rel_, lock_, held_);
    });
}

HeapTuple HeapScan::next_in_pg() noexcept {
    return heap_getnext(scan_, ForwardScanDirection);
}

HeapTuple HeapScan::next() {
    HeapTuple tuple = nullptr;
    pg_call([&]() noexcept { tuple = next_in_pg(); });
    return tuple;
}

bool HeapScan::next_row_exists() {
    bool found = false;
    pg_call([&]() noexcept {
        TupleTableSlot *slot = table_slot_create(rel_, nullptr);
        found = table_scan_getnextslot(scan_, ForwardScanDirection, slot);
        ExecDropSingleTupleTableSlot(slot);
    });
    return found;
}

CatalogIndexScan::CatalogIndexScan(Oid relid, Oid indexid, LOCKMODE lock, ScanSnapshot snapshot,
                                   std::initializer_list<EqualityKey> keys, LockHeld held)
    : lock_(lock), held_(held), uncaught_(std::uncaught_exceptions()) {
    const int nkeys = static_cast<int>(keys.size());
    const EqualityKey *key_list = keys.begin();
    pg_call([&]() noexcept {
        if (nkeys > kMaxKeys) elog(ERROR, "pg_intent: an index scan takes at most %d keys", kMaxKeys);
        ScanKeyData scan_keys[kMaxKeys];
        for (int i = 0; i < nkeys; ++i) {
            if (key_list[i].is_null) {
                ScanKeyEntryInitialize(&scan_keys[i], SK_ISNULL | SK_SEARCHNULL, key_list[i].attribute,
                                       InvalidStrategy, InvalidOid, InvalidOid, InvalidOid, (Datum)0);
                continue;
            }
            ScanKeyInit(&scan_keys[i], key_list[i].attribute, BTEqualStrategyNumber, key_list[i].equal,
                        key_list[i].value);
            if (OidIsValid(key_list[i].collation)) scan_keys[i].sk_collation = key_list[i].collation;
        }
        rel_ = table_open(relid, lock);
        snapshot_ = register_snapshot(snapshot, relid);
        scan_ = systable_beginscan(rel_, indexid, true, snapshot_, nkeys, scan_keys);
    });
}

CatalogIndexScan::~CatalogIndexScan() {
    pg_release(uncaught_, [this]() noexcept {
        if (scan_) systable_endscan(scan_);
        if (snapshot_) UnregisterSnapshot(snapshot_);
        close_relation(rel_, lock_, held_);
    });
}

HeapTuple CatalogIndexScan::next_in_pg() noexcept {
    return systable_getnext(scan_);
}

HeapTuple CatalogIndexScan::next() {
    HeapTuple tuple = nullptr;
    pg_call([&]() noexcept { tuple = next_in_pg(); });
    return tuple;
}

} // namespace pg_intent
