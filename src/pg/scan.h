// Reading a table without SQL: RAII scans whose every PostgreSQL call runs
// through pg_call() (an ERROR becomes a thrown PgError) and whose destructor
// ends the scan, releases its snapshot and closes the relation.
//
//   HeapScan scan(relid, AccessShareLock, ScanSnapshot::Active);
//   while (HeapTuple tuple = scan.next()) ...
//
//   CatalogIndexScan lookup(relid, indexid, AccessShareLock, ScanSnapshot::Catalog,
//                    {{id_att, F_INT8EQ, Int64GetDatum(id)}});
//   while (HeapTuple tuple = lookup.next()) ...
//
// A tuple is valid until the next call of next() or the scan's end. A loop
// that does more PostgreSQL work per tuple can call next_in_pg() inside its
// own pg_call() instead, one setjmp per tuple.
//
// The destructor releases through pg_release(): while an exception unwinds,
// it leaves the scan to the transaction's abort, which the guard's ERROR
// starts. So an exception must reach the guard: code that catches one and
// carries on must not let a scan go out of scope meanwhile (its relation
// would stay open until the transaction ends, with a leak WARNING at commit).
// Objects are created, used and destroyed in one memory context: the scan's
// state is allocated in CurrentMemoryContext when it begins.
#pragma once

#include "pg_headers.h"

extern "C" {
#include "access/genam.h"
#include "access/relscan.h"
#include "storage/lockdefs.h"
#include "utils/snapshot.h"
}

#include <initializer_list>

namespace pg_intent {

// The snapshot a scan reads under. Each is registered for the scan's life.
enum class ScanSnapshot {
    Active,  // the statement's snapshot (GetActiveSnapshot()): what the query sees
    Latest,  // a fresh MVCC snapshot (GetLatestSnapshot()), which sees every commit so far
    Catalog, // a fresh catalog snapshot (GetCatalogSnapshot()), which a parallel worker may take too
};

// How long the scan's lock on the relation is held.
enum class LockHeld {
    UntilClose,          // released when the scan ends
    UntilTransactionEnd, // kept (e.g. the lock a DROP takes next anyway)
};

// A sequential scan of a heap table.
class HeapScan {
  public:
    HeapScan(Oid relid, LOCKMODE lock, ScanSnapshot snapshot, LockHeld held = LockHeld::UntilClose);
    ~HeapScan();
    HeapScan(const HeapScan &) = delete;
    HeapScan &operator=(const HeapScan &) = delete;

    // The next visible tuple, or nullptr at the end.
    HeapTuple next();
    // The same, for use inside the caller's pg_call() only (it may ERROR).
    HeapTuple next_in_pg() noexcept;
    // Whether the scan yields another row, read through the table access
    // method (any, not only heap); advances the scan by one row.
    bool next_row_exists();

    Relation relation() const noexcept { return rel_; }
    TupleDesc descriptor() const noexcept { return RelationGetDescr(rel_); }

  private:
    Relation rel_ = nullptr;
    TableScanDesc scan_ = nullptr;
    Snapshot snapshot_ = nullptr;
    LOCKMODE lock_;
    LockHeld held_;
    int uncaught_;
};

// One equality condition of an index lookup: heap attribute `attribute`
// equals `value`, compared with `equal` (an F_*EQ from utils/fmgroids.h).
// systable_beginscan() maps heap attributes to the index's columns.
// `collation`: for a collatable column, the index column's collation (a
// btree descends in its own order; ScanKeyInit() assumes the catalogs' C).
// `is_null`: the condition is `attribute IS NULL` instead (value unused).
struct EqualityKey {
    AttrNumber attribute;
    RegProcedure equal;
    Datum value;
    Oid collation = InvalidOid;
    bool is_null = false;
};

// The rows of a table matching equality keys, found through one of its
// btree indexes (systable_beginscan(), as PostgreSQL reads its catalogs).
class CatalogIndexScan {
  public:
    static constexpr int kMaxKeys = 4;
    CatalogIndexScan(Oid relid, Oid indexid, LOCKMODE lock, ScanSnapshot snapshot,
                     std::initializer_list<EqualityKey> keys, LockHeld held = LockHeld::UntilClose);
    ~CatalogIndexScan();
    CatalogIndexScan(const CatalogIndexScan &) = delete;
    CatalogIndexScan &operator=(const CatalogIndexScan &) = delete;

    // The next matching tuple, or nullptr at the end.
    HeapTuple next();
    // The same, for use inside the caller's pg_call() only (it may ERROR).
    HeapTuple next_in_pg() noexcept;

    Relation relation() const noexcept { return rel_; }
    TupleDesc descriptor() const noexcept { return RelationGetDescr(rel_); }

  private:
    Relation rel_ = nullptr;
    SysScanDesc scan_ = nullptr;
    Snapshot snapshot_ = nullptr;
    LOCKMODE lock_;
    LockHeld held_;
    int uncaught_;
};

} // namespace pg_intent
