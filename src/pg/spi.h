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

// spi_select_in_pg()'s first half: SPI_connect(), then the statement.
void spi_connect_and_select_in_pg(const char *sql, int nargs, Oid *argtypes, Datum *args, const char *nulls,
                                  long limit, const char *error) noexcept;

// Runs `sql`, a read-only SELECT with parameters ($1.. of `argtypes`;
// `nulls` as SPI_execute_with_args() takes it), returning at most `limit`
// rows (0: all), and calls each_row(tuple, descriptor) for each, between
// SPI_connect() and SPI_finish(). An ERROR whose message is `error` when the
// statement is not a SELECT. For code already inside a pg_call() (an owner
// switch, a restricted operation) that reads a value or a few rows: the
// rows are SPI's, gone at return, so each_row copies what it keeps into a
// context made before the call. PostgreSQL calls only.
template <class Fn>
void spi_select_in_pg(const char *sql, int nargs, Oid *argtypes, Datum *args, const char *nulls, long limit,
                      const char *error, Fn &&each_row) noexcept {
    static_assert(std::is_nothrow_invocable_v<Fn &, HeapTuple, TupleDesc>,
                  "spi_select_in_pg() takes a noexcept callable");
    spi_connect_and_select_in_pg(sql, nargs, argtypes, args, nulls, limit, error);
    for (uint64 r = 0; r < SPI_processed; ++r)
        each_row(SPI_tuptable->vals[r], SPI_tuptable->tupdesc);
    SPI_finish();
}

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
