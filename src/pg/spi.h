// Running SQL through SPI from the glue: an RAII connection whose every
// PostgreSQL call runs through pg_call() (an ERROR becomes a thrown PgError)
// and whose destructor ends the connection.
//
//   SpiConnection spi;
//   spi.for_each_row_read_only(sql, [&](HeapTuple tuple, TupleDesc desc) noexcept { ... });
//
//   SpiConnection spi;
//   SPIPlanPtr plan = spi.prepare(sql);
//   spi.run_read_only(plan, &receiver.pub, "evaluate_intent_model");
//
// While connected, CurrentMemoryContext is SPI's procedure context: what is
// palloc'd meanwhile is freed by SPI_finish(). Memory that must outlive the
// connection is allocated in a context made before it.
//
// The destructor finishes through pg_release(): while an exception unwinds,
// it leaves the connection (and any query still running) to the
// (sub)transaction's abort, which the guard's ERROR starts. So an exception
// must reach the guard: code that catches one and carries on must not let a
// connection go out of scope meanwhile.
#pragma once

#include "guard.h"
#include "pg_headers.h"

extern "C" {
#include "tcop/dest.h"
}

#include <type_traits>

namespace pg_intent {

class SpiConnection {
  public:
    SpiConnection();
    ~SpiConnection();
    SpiConnection(const SpiConnection &) = delete;
    SpiConnection &operator=(const SpiConnection &) = delete;

    // Runs `sql`, which must be a SELECT, read-only (SPI_execute() with
    // read_only = true and no row limit) and calls each_row(tuple,
    // descriptor) for every row it returned, all inside one pg_call():
    // each_row is noexcept and calls PostgreSQL on plain data only. The rows
    // live until the connection ends.
    template <class Fn> void for_each_row_read_only(const char *sql, Fn &&each_row) {
        static_assert(std::is_nothrow_invocable_v<Fn &, HeapTuple, TupleDesc>,
                      "for_each_row_read_only() takes a noexcept callable");
        pg_call([&]() noexcept {
            execute_select_in_pg(sql);
            for (uint64 r = 0; r < SPI_processed; ++r)
                each_row(SPI_tuptable->vals[r], SPI_tuptable->tupdesc);
        });
    }

    // Prepares `sql` (no parameters) for run_read_only(); the plan lives
    // until the connection ends.
    SPIPlanPtr prepare(const char *sql);

    // Runs a prepared query read-only, sending its rows to `dest` as the
    // executor makes them (none is kept). `what` names the query in the
    // error raised when SPI refuses it.
    void run_read_only(SPIPlanPtr plan, DestReceiver *dest, const char *what);

  private:
    // SPI_execute(sql, true, 0), an ERROR unless it ran a SELECT.
    static void execute_select_in_pg(const char *sql) noexcept;

    int uncaught_;
};

} // namespace pg_intent
