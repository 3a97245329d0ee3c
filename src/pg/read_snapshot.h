// A snapshot of the glue's own for one read (train_classifier(): the read of
// a classifier's source after its horizon).
//
//   ReadSnapshot read_snapshot;
//   pg_call([&]() noexcept { read_snapshot.push_fresh_in_pg(); });
//   ... the read ...
//   read_snapshot.pop();
#pragma once

#include "guard.h"
#include "pg_headers.h"

extern "C" {
#include "utils/snapmgr.h"
}

#include <exception>
#include <utility>

namespace pg_intent {

// The snapshot a classifier's source is read under when the read takes one
// of its own (after its horizon: train_classifier(), below): popped by
// pop() once the read is done, only while it is still the active one. On an
// error it is left to the abort of the (sub)transaction, which pops what
// was pushed in it (pg_release(): no PostgreSQL code runs while an
// exception unwinds).
class ReadSnapshot {
  public:
    ReadSnapshot() : uncaught_(std::uncaught_exceptions()) {}
    ReadSnapshot(const ReadSnapshot &) = delete;
    ReadSnapshot &operator=(const ReadSnapshot &) = delete;
    // Inside pg_call(): pushes a fresh snapshot and keeps it to pop.
    void push_fresh_in_pg() noexcept {
        PushActiveSnapshot(GetTransactionSnapshot());
        pushed_ = GetActiveSnapshot();
    }
    void pop() {
        const Snapshot s = std::exchange(pushed_, nullptr);
        if (s) pg_call([s]() noexcept { pop_if_active(s); });
    }
    ~ReadSnapshot() {
        const Snapshot s = std::exchange(pushed_, nullptr);
        if (s) pg_release(uncaught_, [s]() noexcept { pop_if_active(s); });
    }

  private:
    static void pop_if_active(Snapshot s) noexcept {
        if (ActiveSnapshotSet() && GetActiveSnapshot() == s) PopActiveSnapshot();
    }
    Snapshot pushed_ = nullptr;
    int uncaught_;
};

} // namespace pg_intent
