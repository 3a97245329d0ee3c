// Running SQL through SPI from the glue: an RAII connection whose every
// PostgreSQL call runs through pg_call() (an ERROR becomes a thrown PgError)
// and whose destructor ends the connection. The glue reaches SPI through
// this file only (guard_contract.sh fails on an SPI_ call elsewhere).
//
//   SpiConnection spi;
//   spi.for_each_row_read_only(sql, [&](const SpiRow &row) noexcept { ... row.value(1, &isnull) ... });
//
//   SpiConnection spi;
//   SPIPlanPtr plan = spi.prepare(sql);
//   spi.run_read_only(plan, &receiver.pub, "evaluate_intent_model");
//
//   SpiConnection spi;
//   SpiCursor cursor(spi, sql, nargs, argtypes, args);
//   pg_call([&]() noexcept { cursor.fetch_in_pg(1000, [&](const SpiRow &row) noexcept { ... }); });
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

// One row of a result, as a row callback sees it: its columns numbered
// from 1, as SPI numbers them. Valid only during the callback.
class SpiRow {
  public:
    SpiRow(HeapTuple tuple, TupleDesc desc) noexcept : tuple_(tuple), desc_(desc) {}
    // The column's value (SPI_getbinval()); *isnull says whether it is NULL.
    Datum value(int column, bool *isnull) const noexcept {
        return SPI_getbinval(tuple_, desc_, column, isnull);
    }
    // The column's type (SPI_gettypeid()).
    Oid type(int column) const noexcept { return SPI_gettypeid(desc_, column); }

  private:
    HeapTuple tuple_;
    TupleDesc desc_;
};

// Calls each_row for every row of SPI's last result.
template <class Fn> void spi_each_result_row(Fn &each_row) noexcept {
    for (uint64 r = 0; r < SPI_processed; ++r)
        each_row(SpiRow(SPI_tuptable->vals[r], SPI_tuptable->tupdesc));
}

// spi_select_in_pg()'s first half: SPI_connect(), then the statement.
void spi_connect_and_select_in_pg(const char *sql, int nargs, Oid *argtypes, Datum *args, const char *nulls,
                                  long limit, const char *error) noexcept;
// spi_select_in_pg()'s second half: SPI_finish().
void spi_finish_in_pg() noexcept;

// Runs `sql`, a read-only SELECT with parameters ($1.. of `argtypes`;
// `nulls` as SPI_execute_with_args() takes it), returning at most `limit`
// rows (0: all), and calls each_row(row) for each, between
// SPI_connect() and SPI_finish(). An ERROR whose message is `error` when the
// statement is not a SELECT. For code already inside a pg_call() (an owner
// switch, a restricted operation) that reads a value or a few rows: the
// rows are SPI's, gone at return, so each_row copies what it keeps into a
// context made before the call. PostgreSQL calls only.
template <class Fn>
void spi_select_in_pg(const char *sql, int nargs, Oid *argtypes, Datum *args, const char *nulls, long limit,
                      const char *error, Fn &&each_row) noexcept {
    static_assert(std::is_nothrow_invocable_v<Fn &, const SpiRow &>,
                  "spi_select_in_pg() takes a noexcept callable");
    spi_connect_and_select_in_pg(sql, nargs, argtypes, args, nulls, limit, error);
    spi_each_result_row(each_row);
    spi_finish_in_pg();
}

class SpiConnection {
  public:
    SpiConnection();
    ~SpiConnection();
    SpiConnection(const SpiConnection &) = delete;
    SpiConnection &operator=(const SpiConnection &) = delete;

    // Runs `sql`, which must be a SELECT, read-only (SPI_execute() with
    // read_only = true and no row limit) and calls each_row(row) for every
    // row it returned, all inside one pg_call(): each_row is noexcept and
    // calls PostgreSQL on plain data only. The rows live until the
    // connection ends.
    template <class Fn> void for_each_row_read_only(const char *sql, Fn &&each_row) {
        static_assert(std::is_nothrow_invocable_v<Fn &, const SpiRow &>,
                      "for_each_row_read_only() takes a noexcept callable");
        pg_call([&]() noexcept {
            execute_select_in_pg(sql);
            spi_each_result_row(each_row);
        });
    }

    // Prepares `sql` (no parameters) for run_read_only(); the plan lives
    // until the connection ends.
    SPIPlanPtr prepare(const char *sql);

    // The plan's statements as the parser and rewriter left them
    // (SPI_plan_get_plan_sources(): a List of CachedPlanSource), to
    // describe a query before it runs. Valid while the plan is.
    static List *plan_sources_in_pg(SPIPlanPtr plan) noexcept;

    // Runs a prepared query read-only, sending its rows to `dest` as the
    // executor makes them (none is kept). `what` names the query in the
    // error raised when SPI refuses it.
    void run_read_only(SPIPlanPtr plan, DestReceiver *dest, const char *what);

    // Prepares `sql`, an INSERT with parameters $1.. of `argtypes`, for
    // run_insert(); the plan lives until the connection ends.
    SPIPlanPtr prepare(const char *sql, int nargs, Oid *argtypes);

    // Runs a prepared INSERT (read-write, no RETURNING) with `args` (`nulls`
    // as SPI_execute_plan() takes it, nullptr: none NULL); `what` names it in
    // the error raised when SPI refuses it. Returns the rows inserted.
    uint64 run_insert(SPIPlanPtr plan, Datum *args, const char *nulls, const char *what);

  private:
    // SPI_execute(sql, true, 0), an ERROR unless it ran a SELECT.
    static void execute_select_in_pg(const char *sql) noexcept;

    int uncaught_;
};

// Takes the statement `sql` out of an error raised while it ran: SPI's
// "SQL statement" line of the error's context, and the statement an error
// with a position quotes (QUERY). A statement run as a classifier's owner
// names its source and columns, which its callers are not shown; a lock or
// statement timeout of the read printed them. Also: an error with the
// SQLSTATE of a cancel or a shutdown (57014, 57P01) that the server's
// interrupt processing did not raise is the statement's own error, raised
// by code the source's owner chose (RAISE ... USING ERRCODE =
// 'query_canceled', a remote server's error): it becomes P0001
// (raise_exception), so that the callers that end the whole call on a
// cancel (retrain_classifiers(), the dashboards' count, which PL/pgSQL's
// OTHERS never catches it for) contain it to that classifier. Edits the
// error in place
// (removes text, changes the code), so it never allocates.
void hide_statement(ErrorData *error, const char *sql) noexcept;

// An error context callback adding the line `arg` (a C string).
void error_context_line(void *arg) noexcept;

// hiding_statement_in_pg()'s catch: copies the error being raised into
// `context`, takes `sql` out of it and raises it again. Never returns.
void rethrow_hiding_statement_in_pg(MemoryContext context, const char *sql) noexcept;

// Runs fn(), which may throw PgError, with `sql` hidden from the error it
// throws (hide_statement()).
template <class Fn> void hiding_statement(const char *sql, Fn &&fn) {
    try {
        fn();
    } catch (const PgError &e) {
        hide_statement(e.data(), sql);
        throw;
    }
}

// hiding_statement() for PostgreSQL code (inside pg_call(), a
// subtransaction's work): runs work(), and an ERROR it raises, a cancel or
// statement_timeout too, is raised again with `sql` taken out
// (hide_statement()) and `what` as its innermost context line left. For a
// statement whose other errors are caught and reported by message only
// (in_subtransaction_in_pg()), but whose cancel ends the call with its
// context shown to the caller: SPI's context line quotes the whole
// statement, which a context callback of ours, called after SPI's, cannot
// take back. PostgreSQL calls only.
template <class Work> void hiding_statement_in_pg(const char *sql, const char *what, Work &&work) noexcept {
    static_assert(noexcept(work()), "hiding_statement_in_pg() takes a noexcept callable");
    MemoryContext context = CurrentMemoryContext;
    ErrorContextCallback line;
    line.callback = error_context_line;
    line.arg = const_cast<char *>(what);
    PG_TRY();
    {
        // Pushed inside the frame: PG_CATCH() restores the stack as it was.
        line.previous = error_context_stack;
        error_context_stack = &line;
        work();
        error_context_stack = line.previous;
    }
    PG_CATCH();
    { rethrow_hiding_statement_in_pg(context, sql); }
    PG_END_TRY();
}

// A read-only cursor over a SELECT with parameters (SPI_cursor_open_with_args()),
// on a connection that outlives it; the destructor closes it (through
// pg_release(), like the connection's). For a result read in batches, so
// that only one batch of rows is in memory at a time.
class SpiCursor {
  public:
    // $1.. of `argtypes`; no NULL argument.
    SpiCursor(const SpiConnection &connection, const char *sql, int nargs, Oid *argtypes, Datum *args);
    ~SpiCursor();
    SpiCursor(const SpiCursor &) = delete;
    SpiCursor &operator=(const SpiCursor &) = delete;

    // Fetches up to `count` rows forward and calls each_row(row) for each;
    // returns how many were fetched (0: the end). For use inside the
    // caller's pg_call() only (it may ERROR). The rows live until the next
    // fetch.
    template <class Fn> uint64 fetch_in_pg(long count, Fn &&each_row) noexcept {
        static_assert(std::is_nothrow_invocable_v<Fn &, const SpiRow &>,
                      "fetch_in_pg() takes a noexcept callable");
        fetch_forward_in_pg(count);
        spi_each_result_row(each_row);
        return SPI_processed;
    }

  private:
    void fetch_forward_in_pg(long count) noexcept;

    Portal portal_ = nullptr;
    int uncaught_;
};

} // namespace pg_intent
