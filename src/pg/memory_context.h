// A memory context of the glue's own for a scope: the texts of one tuple or
// one batch of rows, reset for each and deleted at the end of the read.
//
//   ScratchMemoryContext per_row("pg_intent training row", ScratchMemoryContext::Small);
//   pg_call([&]() noexcept { MemoryContextReset(per_row.get()); ... });
//
//   CurrentMemoryContextScope in_row(per_row.get()); // current until the scope ends
//
// Made in (a child of) CurrentMemoryContext when constructed. The destructor
// deletes it through pg_release(): while an exception unwinds, it is left to
// its parent, which the abort that follows frees.
#pragma once

#include "guard.h"
#include "pg_headers.h"

extern "C" {
#include "utils/memutils.h"
}

#include <exception>

namespace pg_intent {

class ScratchMemoryContext {
  public:
    // AllocSetContextCreate()'s ALLOCSET_SMALL_SIZES or ALLOCSET_DEFAULT_SIZES.
    enum Sizes { Small, Default };
    // `name` must outlive the context (a string literal).
    ScratchMemoryContext(const char *name, Sizes sizes) : uncaught_(std::uncaught_exceptions()) {
        pg_call([&]() noexcept {
            // AllocSetContextCreate() without its check that the name is a
            // literal, which a parameter cannot pass.
            context_ =
                sizes == Small
                    ? AllocSetContextCreateInternal(CurrentMemoryContext, name, ALLOCSET_SMALL_SIZES)
                    : AllocSetContextCreateInternal(CurrentMemoryContext, name, ALLOCSET_DEFAULT_SIZES);
        });
    }
    ~ScratchMemoryContext() {
        pg_release(uncaught_, [this]() noexcept { MemoryContextDelete(context_); });
    }
    ScratchMemoryContext(const ScratchMemoryContext &) = delete;
    ScratchMemoryContext &operator=(const ScratchMemoryContext &) = delete;

    MemoryContext get() const noexcept { return context_; }

  private:
    MemoryContext context_ = nullptr;
    int uncaught_;
};

// Makes a memory context current for a scope, on every way out of it
// (switching raises no error).
class CurrentMemoryContextScope {
  public:
    explicit CurrentMemoryContextScope(MemoryContext context) noexcept
        : old_(MemoryContextSwitchTo(context)) {}
    ~CurrentMemoryContextScope() { MemoryContextSwitchTo(old_); }
    CurrentMemoryContextScope(const CurrentMemoryContextScope &) = delete;
    CurrentMemoryContextScope &operator=(const CurrentMemoryContextScope &) = delete;

  private:
    MemoryContext old_;
};

} // namespace pg_intent
