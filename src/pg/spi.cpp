// SQL through SPI (spi.h).
#include "spi.h"

#include <cstring>
#include <exception>

namespace pg_intent {

namespace {

// A read-only SELECT on the connection already open; ERROR `error` unless
// SPI ran a SELECT.
void execute_select(const char *sql, int nargs, Oid *argtypes, Datum *args, const char *nulls, long limit,
                    const char *error) noexcept {
    const int rc = nargs > 0 ? SPI_execute_with_args(sql, nargs, argtypes, args, nulls, true, limit)
                             : SPI_execute(sql, true, limit);
    if (rc != SPI_OK_SELECT) elog(ERROR, "%s: %s", error, SPI_result_code_string(rc));
}

} // namespace

void spi_connect_and_select_in_pg(const char *sql, int nargs, Oid *argtypes, Datum *args, const char *nulls,
                                  long limit, const char *error) noexcept {
    if (SPI_connect() != SPI_OK_CONNECT) elog(ERROR, "SPI_connect failed");
    execute_select(sql, nargs, argtypes, args, nulls, limit, error);
}

void spi_finish_in_pg() noexcept {
    SPI_finish();
}

namespace {

// Whether `error` is a cancel or shutdown that the statement's own code
// raised: the server raises those from its interrupt processing in
// tcop/postgres.c (ProcessInterrupts(), and on a standby the recovery
// conflicts' cancels), whose file name errfinish() keeps.
bool raised_as_interrupt(const ErrorData *error) noexcept {
    if (error->sqlerrcode != ERRCODE_QUERY_CANCELED && error->sqlerrcode != ERRCODE_ADMIN_SHUTDOWN)
        return false;
    return !error->filename || strcmp(error->filename, "postgres.c") != 0;
}

} // namespace

void hide_statement(ErrorData *error, const char *sql) noexcept {
    if (error && raised_as_interrupt(error)) error->sqlerrcode = ERRCODE_RAISE_EXCEPTION;
    if (!error || !sql || !*sql) return;
    const size_t length = strlen(sql);
    if (error->internalquery && strstr(error->internalquery, sql)) {
        error->internalquery = nullptr;
        error->internalpos = 0;
    }
    char *context = error->context;
    if (!context) return;
    // Every line of the context that holds the statement goes, with one of
    // the line breaks around it.
    while (char *at = strstr(context, sql)) {
        char *begin = at;
        while (begin > context && begin[-1] != '\n')
            --begin;
        char *end = at + length;
        while (*end && *end != '\n')
            ++end;
        if (*end == '\n')
            ++end;
        else if (begin > context)
            --begin;
        memmove(begin, end, strlen(end) + 1);
    }
    if (!*context) error->context = nullptr;
}

void error_context_line(void *arg) noexcept {
    errcontext("%s", static_cast<const char *>(arg));
}

void rethrow_hiding_statement_in_pg(MemoryContext context, const char *sql) noexcept {
    MemoryContextSwitchTo(context);
    ErrorData *error = CopyErrorData();
    // Not carried on from: raised again at once, as the copy edited.
    FlushErrorState();
    hide_statement(error, sql);
    ReThrowError(error);
}

SpiConnection::SpiConnection() : uncaught_(std::uncaught_exceptions()) {
    // On an ERROR the constructor throws, the destructor does not run, and
    // the abort ends whatever SPI_connect() began.
    pg_call([]() noexcept {
        if (SPI_connect() != SPI_OK_CONNECT) elog(ERROR, "SPI_connect failed");
    });
}

SpiConnection::~SpiConnection() {
    pg_release(uncaught_, []() noexcept { SPI_finish(); });
}

void SpiConnection::execute_select_in_pg(const char *sql) noexcept {
    execute_select(sql, 0, nullptr, nullptr, nullptr, 0, "SPI_execute failed");
}

SPIPlanPtr SpiConnection::prepare(const char *sql) {
    SPIPlanPtr plan = nullptr;
    pg_call([&]() noexcept {
        plan = SPI_prepare(sql, 0, nullptr);
        if (!plan) elog(ERROR, "SPI_prepare failed: %s", SPI_result_code_string(SPI_result));
    });
    return plan;
}

SPIPlanPtr SpiConnection::prepare(const char *sql, int nargs, Oid *argtypes) {
    SPIPlanPtr plan = nullptr;
    pg_call([&]() noexcept {
        plan = SPI_prepare(sql, nargs, argtypes);
        if (!plan) elog(ERROR, "SPI_prepare failed: %s", SPI_result_code_string(SPI_result));
    });
    return plan;
}

uint64 SpiConnection::run_insert(SPIPlanPtr plan, Datum *args, const char *nulls, const char *what) {
    uint64 inserted = 0;
    pg_call([&]() noexcept {
        const int rc = SPI_execute_plan(plan, args, nulls, false, 0);
        if (rc != SPI_OK_INSERT) elog(ERROR, "%s failed: %s", what, SPI_result_code_string(rc));
        inserted = SPI_processed;
    });
    return inserted;
}

List *SpiConnection::plan_sources_in_pg(SPIPlanPtr plan) noexcept {
    return SPI_plan_get_plan_sources(plan);
}

void SpiConnection::run_read_only(SPIPlanPtr plan, DestReceiver *dest, const char *what) {
    pg_call([&]() noexcept {
        SPIExecuteOptions options;
        memset(&options, 0, sizeof options);
        options.read_only = true;
        options.dest = dest;
        // SPI says SPI_OK_UTILITY for a SELECT whose rows go to a receiver
        // other than its own (PostgreSQL 15's _SPI_pquery()): the rows did
        // reach the receiver.
        const int rc = SPI_execute_plan_extended(plan, &options);
        if (rc != SPI_OK_SELECT && rc != SPI_OK_UTILITY)
            elog(ERROR, "%s query failed: %s", what, SPI_result_code_string(rc));
    });
}

SpiCursor::SpiCursor(const SpiConnection &, const char *sql, int nargs, Oid *argtypes, Datum *args)
    : uncaught_(std::uncaught_exceptions()) {
    pg_call([&]() noexcept {
        portal_ = SPI_cursor_open_with_args(nullptr, sql, nargs, argtypes, args, nullptr, true, 0);
    });
}

SpiCursor::~SpiCursor() {
    pg_release(uncaught_, [this]() noexcept {
        if (portal_) SPI_cursor_close(portal_);
    });
}

void SpiCursor::fetch_forward_in_pg(long count) noexcept {
    // The previous fetch's rows go first (their callbacks are done with
    // them): SPI keeps every tuple table until SPI_finish() otherwise, so a
    // read of a whole source would hold every row it fetched, uncharged,
    // beside what it kept of them. SPI_tuptable is this cursor's last batch:
    // the cursor's connection runs no other statement (SPI_connect() clears
    // it).
    if (SPI_tuptable) SPI_freetuptable(SPI_tuptable);
    SPI_cursor_fetch(portal_, true, count);
}

} // namespace pg_intent
