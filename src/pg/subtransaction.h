// Running a piece of PostgreSQL work in an internal subtransaction, so that
// its ERROR is contained: the subtransaction is committed when the work
// returns and rolled back when it raises (which restores the user, the
// security context, the settings it changed and the memory and resources it
// held), and the caller is given the error to report. A cancel or shutdown
// is raised again: it ends the whole call, never only the piece.
//
//   ErrorData *error = in_subtransaction_in_pg([&]() noexcept { ... });
//   if (error) { ... error->sqlerrcode, error->message ...; FreeErrorData(error); }
//
// Only inside pg_call() (it may raise), with a noexcept body: a C++
// exception must not cross the longjmp of PG_TRY().
#pragma once

#include "pg_headers.h"

extern "C" {
#include "access/xact.h"
#include "utils/resowner.h"
}

namespace pg_intent {

// nullptr when `work` returned; otherwise its error, copied into the
// caller's memory context (the caller frees it).
template <typename Work> ErrorData *in_subtransaction_in_pg(Work &&work) noexcept {
    static_assert(noexcept(work()), "in_subtransaction_in_pg() takes a noexcept callable");
    MemoryContext context = CurrentMemoryContext;
    ResourceOwner owner = CurrentResourceOwner;
    ErrorData *volatile error = nullptr;
    BeginInternalSubTransaction(nullptr);
    MemoryContextSwitchTo(context);
    PG_TRY();
    {
        work();
        ReleaseCurrentSubTransaction();
        MemoryContextSwitchTo(context);
        CurrentResourceOwner = owner;
    }
    PG_CATCH();
    {
        MemoryContextSwitchTo(context);
        error = CopyErrorData();
        FlushErrorState();
        RollbackAndReleaseCurrentSubTransaction();
        MemoryContextSwitchTo(context);
        CurrentResourceOwner = owner;
        if (error->sqlerrcode == ERRCODE_QUERY_CANCELED || error->sqlerrcode == ERRCODE_ADMIN_SHUTDOWN)
            ReThrowError(error);
    }
    PG_END_TRY();
    return error;
}

} // namespace pg_intent
