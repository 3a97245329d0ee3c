// The C++ exception guard around every SQL-callable function.
#include "guard.h"

#include "errors.h"
#include "settings.h"

extern "C" {
#include "catalog/namespace.h"
#include "mb/pg_wchar.h"
#include "storage/procsignal.h"
#include "tcop/tcopprot.h"
#include "utils/timeout.h"

// From libpq/libpq.h, which cannot be included here: it includes
// libpq-be.h, and that needs the GSSAPI headers of a server built with
// GSSAPI (Debian's is), a build dependency for two declarations.
bool pq_check_connection(void);
extern PGDLLIMPORT struct WaitEventSet *FeBeWaitSet;
// From storage/latch.h (15 to 17) or storage/waiteventset.h (18): declared
// here rather than chosen by major in pg_compat.h, the same declaration.
bool WaitEventSetCanReportClosed(void);
}

#include <chrono>
#include <cstdio>
#include <cstring>
#include <new>
#include <thread>

namespace pg_intent {
namespace {

// Copies `src` (UTF-8) into `dst` of `cap` bytes; when it does not fit, cuts
// it at a character boundary rather than inside a character (a lone lead
// byte is invalid in the message PostgreSQL sends).
void copy_utf8(char *dst, size_t cap, const char *src) {
    size_t n = std::strlen(src);
    if (n >= cap) {
        n = cap - 1;
        while (n > 0 && (static_cast<unsigned char>(src[n]) & 0xC0) == 0x80)
            --n;
    }
    std::memcpy(dst, src, n);
    dst[n] = '\0';
}

// An error waiting to be raised once the C++ frames are gone. Plain data in
// fixed buffers: filling it never allocates, so it is safe inside a catch.
// The buffers are left uninitialised: set() writes all three before raise()
// reads them, and zeroing 2.5 kB on every call of every function (the
// guard's whole cost on a successful call) would buy nothing.
struct PendingError {
    bool pending = false;
    ErrorData *postgres_error = nullptr; // a PostgreSQL error to re-raise as is
    bool cancelled = false;
    int sqlstate = 0;
    // UTF-8, as the core writes them; raise() converts them to the server
    // encoding. The hint holds the longest list the core gives (every
    // training option's name).
    char message[1024];
    char detail[1024];
    char hint[2048];

    void set(int code, const char *msg, const char *det = nullptr, const char *hnt = nullptr) {
        pending = true;
        sqlstate = code;
        copy_utf8(message, sizeof message, msg ? msg : "");
        copy_utf8(detail, sizeof detail, det ? det : "");
        copy_utf8(hint, sizeof hint, hnt ? hnt : "");
    }
    // The message of an error that carries its pattern, worded in the
    // reader's language (translate_pattern(): a lookup, no allocation).
    void set_words(const intent::Message &words) {
        if (words.pattern == nullptr) return;
        render_into(message, sizeof message, translate_pattern(words.pattern), words.args);
    }
    // The detail of an error that carries its pattern (an option's range,
    // its bounds as arguments), worded like the message.
    void set_detail_words(const intent::Message &words) {
        if (words.pattern == nullptr) return;
        render_into(detail, sizeof detail, translate_pattern(words.pattern), words.args);
    }
    // The detail and hint in the reader's language when each is exactly an
    // entry of the catalogue (a fixed sentence marked N_() where it is
    // written); one built with numbers or names stays as it is. A lookup,
    // no allocation: safe inside a catch.
    void translate_detail_and_hint() {
        translate_in_place(detail, sizeof detail);
        translate_in_place(hint, sizeof hint);
    }

  private:
    static void render_into(char *buf, size_t cap, const char *pattern,
                            const std::vector<std::string> &args) {
        const size_t n = intent::render(pattern, args, buf, cap);
        if (n + 1 == cap) { // cut: not inside a character
            size_t start = n;
            while (start > 0 && (static_cast<unsigned char>(buf[start - 1]) & 0xC0) == 0x80)
                --start;
            if (start > 0 && (static_cast<unsigned char>(buf[start - 1]) & 0x80)) buf[start - 1] = '\0';
        }
    }
    static void translate_in_place(char *buf, size_t cap) {
        if (buf[0] == '\0') return;
        const char *translated = translate_pattern(buf);
        if (translated == buf) return; // English, or not in the catalogue: as it is
        static const std::vector<std::string> kNoArgs;
        render_into(buf, cap, translated, kNoArgs); // a catalogue entry is a pattern: %% is a percent sign
    }
};

// UTF-8 text rewritten in place in the server encoding, which ereport()
// expects (a LATIN1 database showed "café" as "cafÃ©"). A character the
// server encoding cannot hold stops the conversion (noError: no ERROR is
// raised and caught): then every non-ASCII character becomes '?', which
// every encoding holds.
struct Conversion {
    char *text;
    size_t cap;
    bool done;
};
void convert_in_place(void *arg) noexcept {
    auto *c = static_cast<Conversion *>(arg);
    const int encoding = GetDatabaseEncoding();
    const Oid proc = FindDefaultConversionProc(PG_UTF8, encoding);
    if (!OidIsValid(proc)) return;
    const int len = static_cast<int>(std::strlen(c->text));
    const int out_cap = len * MAX_CONVERSION_GROWTH + 1;
    auto *out = static_cast<unsigned char *>(palloc(static_cast<Size>(out_cap)));
    auto *in = reinterpret_cast<unsigned char *>(c->text);
    if (pg_do_encoding_conversion_buf(proc, PG_UTF8, encoding, in, len, out, out_cap, true) == len) {
        char *converted = reinterpret_cast<char *>(out);
        const int n =
            pg_mbcliplen(converted, static_cast<int>(std::strlen(converted)), static_cast<int>(c->cap) - 1);
        std::memcpy(c->text, converted, static_cast<size_t>(n));
        c->text[n] = '\0';
        c->done = true;
    }
    pfree(out);
}
void to_server_encoding(char *text, size_t cap) {
    const int encoding = GetDatabaseEncoding();
    if (encoding == PG_UTF8 || encoding == PG_SQL_ASCII || text[0] == '\0') return;
    Conversion c{text, cap, false};
    // An ERROR here (out of memory) is raised instead of the pending error:
    // nothing carries on after one. No C++ object is alive (see raise()).
    if (ErrorData *failed = detail::call_catching_errors(convert_in_place, &c)) ReThrowError(failed);
    if (!c.done) {
        size_t out = 0;
        for (size_t i = 0; text[i] != '\0'; ++i) {
            const auto b = static_cast<unsigned char>(text[i]);
            if (b < 0x80)
                text[out++] = text[i];
            else if ((b & 0xC0) != 0x80)
                text[out++] = '?'; // one per character: continuation bytes are dropped
        }
        text[out] = '\0';
    }
}

// The hint of a training run that would exceed its memory budget: the
// budget is the training policy's (src/pg/train_memory.cpp).
constexpr const char *kResourceLimitHint =
    N_("An administrator can raise the limit with UPDATE ai_training_policy SET max_training_memory_mb = ... "
       "(at most 1048576), or keep every run to a window of rows (reviewed first, then the newest) with SET "
       "max_training_rows = ...; or train "
       "on fewer rows (the limit option), with lower max_features and max_char_features, or with fewer "
       "threads.");

// The hint of a model too large to load: the limit is a setting.
constexpr const char *kModelTooLargeHint =
    N_("A superuser can raise the limit with SET pg_intent.max_model_memory = ... (or ALTER SYSTEM, ALTER "
       "DATABASE).");

int sqlstate_for(intent::ErrorKind kind) {
    switch (kind) {
    case intent::ErrorKind::InvalidArgument:
    case intent::ErrorKind::InsufficientData:
        return ERRCODE_INVALID_PARAMETER_VALUE;
    case intent::ErrorKind::InvalidText:
        return ERRCODE_CHARACTER_NOT_IN_REPERTOIRE;
    case intent::ErrorKind::CorruptModel:
        return ERRCODE_DATA_CORRUPTED;
    case intent::ErrorKind::Cancelled:
        return ERRCODE_QUERY_CANCELED;
    case intent::ErrorKind::ResourceLimit:
        return ERRCODE_OUT_OF_MEMORY;
    case intent::ErrorKind::ModelTooLarge:
        return ERRCODE_PROGRAM_LIMIT_EXCEEDED;
    case intent::ErrorKind::Internal:
        break;
    }
    return ERRCODE_INTERNAL_ERROR;
}

// CONTEXT of a cancel that pg_intent noticed itself: "pg_intent: prediction
// cancelled (Stopped after reading ...)".
void cancel_context(void *arg) {
    const PendingError *e = static_cast<const PendingError *>(arg);
    if (e->detail[0])
        errcontext("pg_intent: %s (%s)", e->message, e->detail);
    else
        errcontext("pg_intent: %s", e->message);
}

// Raises the pending error. Runs with no C++ object alive above it.
[[noreturn]] void raise(PendingError &e) {
    if (e.postgres_error) ReThrowError(e.postgres_error);
    to_server_encoding(e.message, sizeof e.message);
    to_server_encoding(e.detail, sizeof e.detail);
    to_server_encoding(e.hint, sizeof e.hint);
    if (e.cancelled) {
        // The postmaster is gone: this backend must not go on to commit
        // anything (no postmaster is left to manage the cluster).
        if (!PostmasterIsAlive())
            ereport(FATAL, (errcode(ERRCODE_ADMIN_SHUTDOWN),
                            errmsg("terminating connection because the postmaster exited during training")));
        // Let PostgreSQL report the real reason (user cancel, statement
        // timeout, termination) with its own SQLSTATE, with a CONTEXT line
        // saying what pg_intent stopped and how far it had got.
        ErrorContextCallback where;
        where.callback = cancel_context;
        where.arg = const_cast<PendingError *>(&e);
        where.previous = error_context_stack;
        error_context_stack = &where;
        CHECK_FOR_INTERRUPTS();
        error_context_stack = where.previous;
    }
    ereport(ERROR, (errcode(e.sqlstate), errmsg("%s", e.message), e.detail[0] ? errdetail("%s", e.detail) : 0,
                    e.hint[0] ? errhint("%s", e.hint) : 0));
    pg_unreachable();
}

} // namespace

namespace detail {

namespace {
// Saves PostgreSQL's error stack and restores it when it goes out of scope,
// on the normal path and after a longjmp back into the frame that owns it.
class ErrorStackGuard {
  public:
    ErrorStackGuard() noexcept : exception_stack_(PG_exception_stack), context_stack_(error_context_stack) {}
    ~ErrorStackGuard() { restore(); }
    bool context_unchanged() const noexcept { return error_context_stack == context_stack_; }
    void restore() noexcept {
        PG_exception_stack = exception_stack_;
        error_context_stack = context_stack_;
    }
    ErrorStackGuard(const ErrorStackGuard &) = delete;
    ErrorStackGuard &operator=(const ErrorStackGuard &) = delete;

  private:
    sigjmp_buf *exception_stack_;
    ErrorContextCallback *context_stack_;
};
} // namespace

namespace {

// What call_catching_errors() returns when even copying an error failed
// (CopyErrorData() allocates, and the first error may have been running out
// of memory). Static: never freed (see free_error()).
ErrorData g_copy_failed = [] {
    ErrorData e{};
    e.elevel = ERROR;
    e.sqlerrcode = ERRCODE_OUT_OF_MEMORY;
    e.message = const_cast<char *>("out of memory");
    e.detail = const_cast<char *>("pg_intent could not copy a PostgreSQL error.");
    return e;
}();

void stack_left_changed(void *) noexcept {
    elog(ERROR, "pg_intent: a PostgreSQL call returned with the error stack changed");
}

// Copies the current error out of ErrorContext and flushes the error state.
// CopyErrorData() runs under a frame of its own: an ERROR inside it (out of
// memory) would otherwise jump to the caller's handler, over the C++ frames
// between. It copies into `copy_context`, which must not be ErrorContext:
// errfinish() longjmps with ErrorContext current, and a copy made there is
// freed by FlushErrorState() below. (Until issue 36 it was: the
// freed copy's strings were overwritten when ReThrowError() copied them back
// into ErrorContext, and alter_classifier() answered an unknown option with
// its message repeated as the hint instead of the list of valid options.)
// Leaves `caller_context` current, as a call that returned would.
ErrorData *copy_error(MemoryContext copy_context, MemoryContext caller_context) noexcept {
    ErrorData *volatile copy = nullptr;
    ErrorStackGuard saved;
    sigjmp_buf local;
    MemoryContextSwitchTo(copy_context);
    if (sigsetjmp(local, 0) == 0) {
        PG_exception_stack = &local;
        copy = CopyErrorData();
    }
    saved.restore();
    MemoryContextSwitchTo(caller_context);
    FlushErrorState();
    return copy ? copy : &g_copy_failed;
}

} // namespace

void free_error(ErrorData *error) noexcept {
    if (error != &g_copy_failed) FreeErrorData(error);
}

// Where an error caught by call_catching_errors() is copied: the memory
// context that was current when the guard (guarded_call()) was entered,
// which lives until the guard raises the error. Not the context current at
// the pg_call(): the glue makes scratch contexts current for a read
// (model_cache.cpp) and deletes them when the exception that carries the
// error unwinds their owner, so a copy made there was freed before the
// guard read it. Outside any guard (a callback), the pg_call()'s context.
MemoryContext g_guard_context = nullptr;

ErrorData *call_catching_errors(void (*fn)(void *) noexcept, void *arg) noexcept {
    // volatile: read after a possible longjmp.
    MemoryContext volatile caller_context = CurrentMemoryContext;
    ErrorStackGuard saved;
    sigjmp_buf local;
    if (sigsetjmp(local, 0) == 0) {
        PG_exception_stack = &local;
        fn(arg);
        // fn must leave both stacks as it found them: a PG_TRY left without
        // PG_END_TRY, or an error context callback pushed and not popped,
        // leaves a pointer into a dead frame. Restore them and fail.
        if (PG_exception_stack == &local && saved.context_unchanged()) return nullptr;
        saved.restore();
        return call_catching_errors(stack_left_changed, nullptr);
    }
    // An ereport(ERROR) inside fn jumped here. Restore the stacks before
    // touching the error state, copy the error out of ErrorContext, flush.
    saved.restore();
    return copy_error(g_guard_context ? g_guard_context : caller_context, caller_context);
}

ErrorData *deferred_error = nullptr;

void throw_deferred_error() {
    ErrorData *error = deferred_error;
    deferred_error = nullptr;
    throw PgError(error);
}

void release(void (*fn)(void *) noexcept, void *arg, int uncaught_at_acquire) noexcept {
    if (deferred_error || std::uncaught_exceptions() > uncaught_at_acquire) return;
    deferred_error = call_catching_errors(fn, arg);
}

} // namespace detail

namespace {

// The backend's own thread: the one that loaded the library (dlopen() runs
// the static initialisers on the calling thread). A backend forked from a
// postmaster that preloaded the library is a copy of that thread, and keeps
// its identity on the platforms PostgreSQL runs on; were it not so, the
// comparison below would fail and training would only read the flags, as
// it did before.
const std::thread::id g_backend_thread = std::this_thread::get_id();

// The part of ProcessInterrupts() (tcop/postgres.c) that does not end the
// statement, for the interrupts a long training must not leave waiting:
// - a ProcSignalBarrier: DROP DATABASE, in any database of the cluster,
//   waits until every backend has absorbed it;
// - the client connection check of client_connection_check_interval: its
//   timeout only sets the flag, and only ProcessInterrupts() looks at the
//   socket and re-arms the timeout. A lost client sets ClientConnectionLost,
//   which stops the training (interrupt_pending()); PostgreSQL then raises
//   its FATAL at the guard's CHECK_FOR_INTERRUPTS(), once the C++ frames and
//   the worker threads are gone;
// - pg_log_backend_memory_contexts().
// Only PostgreSQL calls on its own flags and state: runs inside pg_call(),
// on the backend's thread. Interrupts are held meanwhile: every message
// below ERROR ends with CHECK_FOR_INTERRUPTS() (memory context logging
// writes one per context), and the whole ProcessInterrupts() must not run
// here, with worker threads and C++ frames alive: a FATAL would exit the
// process under them. An ERROR clears the hold (errfinish()).
void serve_pending_interrupts() noexcept {
    HOLD_INTERRUPTS();
    if (CheckClientConnectionPending) {
        CheckClientConnectionPending = false;
        // ProcessInterrupts() also skips the check while DoingCommandRead
        // (static in postgres.c): never the case here, inside a statement.
        if (client_connection_check_interval > 0) {
            if (!pq_check_connection()) {
                ClientConnectionLost = true;
                InterruptPending = true;
            } else {
                enable_timeout_after(CLIENT_CONNECTION_CHECK_TIMEOUT, client_connection_check_interval);
            }
        }
    }
    if (ProcSignalBarrierPending) ProcessProcSignalBarrier();
    if (LogMemoryContextPending) ProcessLogMemoryContextInterrupt();
    RESUME_INTERRUPTS();
}

// pg_intent.client_check_interval: the check client_connection_check_interval
// makes, for long work whose session did not set that. Without either, a
// training whose client was killed, or that a pooler's query_timeout
// answered and disconnected, ran to its end and committed its run and its
// deploy: a backend learns that its client is gone only when it writes to it
// (a progress NOTICE, which client_min_messages may silence; the result is
// buffered until after the commit). Only a backend with a client has a
// connection to look at: not a background worker (pg_cron's, Citus's:
// MyProcPort is NULL), not single-user mode (output to DestDebug), and
// pq_check_connection() needs the socket's wait set (FeBeWaitSet, made by
// pq_init()) and a platform whose waits report a closed socket (Linux,
// macOS, the BSDs; the server refuses client_connection_check_interval
// elsewhere). While client_connection_check_interval is set, PostgreSQL's
// own timeout does this (serve_pending_interrupts()).
bool client_check_due() noexcept {
    using Clock = std::chrono::steady_clock;
    static Clock::time_point last_check;
    if (guc_client_check_interval_ms <= 0 || client_connection_check_interval > 0 || ClientConnectionLost ||
        MyProcPort == nullptr || whereToSendOutput != DestRemote || FeBeWaitSet == nullptr)
        return false;
    const Clock::time_point now = Clock::now();
    // The first poll after a second's pause checks at once: a training
    // started after a wait (a lock) whose client left meanwhile stops
    // before its work, not an interval later.
    if (last_check != Clock::time_point() &&
        now - last_check < std::chrono::milliseconds(guc_client_check_interval_ms))
        return false;
    last_check = now;
    return true;
}

// As ProcessInterrupts() does for client_connection_check_interval: a lost
// client sets the flags, the training stops (interrupt_pending()), and the
// guard's CHECK_FOR_INTERRUPTS() raises PostgreSQL's FATAL 08006
// ("connection to client lost") once the C++ frames are gone, so the
// transaction rolls back. Runs inside pg_call(): ModifyWaitEvent() and
// WaitEventSetWait() may raise an ERROR.
void check_client_connection() noexcept {
    if (WaitEventSetCanReportClosed() && !pq_check_connection()) {
        ClientConnectionLost = true;
        InterruptPending = true;
    }
}

} // namespace

bool interrupt_pending() {
    return InterruptPending && (QueryCancelPending || ProcDiePending || ClientConnectionLost);
}

bool training_should_stop() {
    // InterruptPending stays set: ProcessInterrupts() clears it before
    // serving every kind of interrupt, and this serves only some of them;
    // the next CHECK_FOR_INTERRUPTS() after the training serves the rest.
    // As in ProcessInterrupts(), nothing is served while interrupts are held.
    if (std::this_thread::get_id() == g_backend_thread && InterruptHoldoffCount == 0 &&
        CritSectionCount == 0) {
        if (InterruptPending &&
            (CheckClientConnectionPending || ProcSignalBarrierPending || LogMemoryContextPending))
            pg_call([]() noexcept { serve_pending_interrupts(); });
        if (client_check_due()) pg_call([]() noexcept { check_client_connection(); });
    }
    return interrupt_pending() || !PostmasterIsAlive();
}

namespace {

// The guard's context for the errors its body's pg_call()s catch
// (detail::g_guard_context), restored when the guard is left: a guarded
// function may run another (SQL that calls one of ours).
class GuardContext {
  public:
    GuardContext() noexcept : saved_(detail::g_guard_context) {
        detail::g_guard_context = CurrentMemoryContext;
    }
    ~GuardContext() { detail::g_guard_context = saved_; }
    GuardContext(const GuardContext &) = delete;
    GuardContext &operator=(const GuardContext &) = delete;

  private:
    MemoryContext saved_;
};

} // namespace

namespace {

// guarded_call()'s one body: `call` runs the function's body.
template <class Call> Datum guarded(Call &&call) {
    PendingError error;
    try {
        GuardContext guard_context;
        const Datum result = call();
        // A release in a destructor failed after the body's last pg_call().
        if (!detail::deferred_error) return result;
        detail::throw_deferred_error();
    } catch (const PgError &e) {
        error.pending = true;
        error.postgres_error = e.data();
    } catch (const SqlError &e) {
        error.set(e.sqlstate(), e.what(), e.detail().c_str(), e.hint().c_str());
        error.set_words(e.message());
        error.translate_detail_and_hint();
    } catch (const intent::Error &e) {
        // Only training charges a memory budget, and the policy sets it;
        // the limit of a model's load is pg_intent.max_model_memory.
        const char *hint = e.kind() == intent::ErrorKind::ResourceLimit   ? kResourceLimitHint
                           : e.kind() == intent::ErrorKind::ModelTooLarge ? kModelTooLargeHint
                                                                          : e.hint().c_str();
        error.set(sqlstate_for(e.kind()), e.what(), e.detail().c_str(), hint);
        error.set_words(e.message());
        error.translate_detail_and_hint();
        error.set_detail_words(e.detail_message());
        error.cancelled = e.kind() == intent::ErrorKind::Cancelled;
    } catch (const std::bad_alloc &) {
        error.set(ERRCODE_OUT_OF_MEMORY, "out of memory",
                  N_("The intent classifier could not allocate memory."));
        error.translate_detail_and_hint();
    } catch (const std::exception &e) {
        error.set(ERRCODE_INTERNAL_ERROR, e.what());
    } catch (...) {
        error.set(ERRCODE_INTERNAL_ERROR, "unexpected C++ exception in pg_intent");
    }
    // Every destructor of the try scope has run; only plain data is left. A
    // release that failed while the error unwound is superseded by it.
    detail::deferred_error = nullptr;
    raise(error);
}

} // namespace

Datum guarded_call(GuardedBody body, FunctionCallInfo fcinfo) {
    return guarded([&] { return body(fcinfo); });
}

Datum guarded_call(GuardedBodyWith body, FunctionCallInfo fcinfo, void *context) {
    return guarded([&] { return body(fcinfo, context); });
}

} // namespace pg_intent
