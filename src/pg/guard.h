// The boundary between C++ and PostgreSQL's longjmp-based errors.
//
// C++ -> PostgreSQL: every SQL-callable function is defined with
// PG_INTENT_FUNCTION(name). Its body runs inside guarded_call(), which catches
// every C++ exception, copies the message into fixed buffers (no allocation
// while an exception is in flight), leaves the try scope so every destructor
// has run, and only then raises the PostgreSQL error with a proper SQLSTATE.
//
// PostgreSQL -> C++: a PostgreSQL call that may ereport(ERROR), made while
// C++ objects are alive, goes through pg_call(). It catches the error with
// its own sigsetjmp frame (the error stack restored by RAII), keeps its
// ErrorData and rethrows it as PgError once the callable has returned, so C++
// unwinds normally; guarded_call() then re-raises the original error
// unchanged. pg_call() only takes noexcept callables, so a C++ exception can
// never cross the setjmp frame.
#pragma once

#include "pg_headers.h"

#include "messages.h"

#include <exception>
#include <memory>
#include <string>
#include <type_traits>
#include <utility>

namespace pg_intent {

// A PostgreSQL error carried through C++ frames.
class PgError : public std::exception {
  public:
    explicit PgError(ErrorData *data) : data_(data) {}
    const char *what() const noexcept override { return data_->message ? data_->message : "postgres error"; }
    ErrorData *data() const noexcept { return data_; }

  private:
    ErrorData *data_;
};

namespace detail {
// Runs fn(arg) with PostgreSQL's error handling pointed at a local
// sigjmp_buf. Returns nullptr, or the error fn raised (copied, with the
// error state flushed). The saved error stack is restored by a destructor on
// every path, so nothing can leave PG_exception_stack pointing at a dead
// frame. Not a template: one audited function holds the setjmp. The error
// is copied under a frame of its own too; should that fail, an "out of
// memory" error that is never freed stands for it. When fn returns with
// either stack changed, they are restored and an internal error returned.
ErrorData *call_catching_errors(void (*fn)(void *) noexcept, void *arg) noexcept;

// Frees an error call_catching_errors() returned.
void free_error(ErrorData *error) noexcept;

// An error a release step raised in a destructor, which cannot throw. It is
// raised by the next pg_call() (which runs no PostgreSQL code meanwhile) or
// by the guard when the function returns, whichever comes first.
extern ErrorData *deferred_error;
[[noreturn]] void throw_deferred_error();

// See pg_release().
void release(void (*fn)(void *) noexcept, void *arg, int uncaught_at_acquire) noexcept;
} // namespace detail

// Runs `fn`, turning an ereport(ERROR) into a thrown PgError once `fn` has
// been left. `fn` must be a noexcept callable: a C++ exception thrown inside
// it would cross the setjmp frame, so the compiler refuses anything else
// (and a throw inside a noexcept function terminates instead of corrupting
// the error stack). Inside `fn`, call PostgreSQL functions on plain data
// only: a longjmp out of it skips the destructors of any C++ object it
// created.
template <class Fn> void pg_call(Fn &&fn) {
    static_assert(std::is_nothrow_invocable_v<Fn &>,
                  "pg_call() takes a noexcept callable: write [&]() noexcept { ... }");
    using Callable = std::remove_reference_t<Fn>;
    if (detail::deferred_error) detail::throw_deferred_error();
    ErrorData *error =
        detail::call_catching_errors([](void *callable) noexcept { (*static_cast<Callable *>(callable))(); },
                                     const_cast<void *>(static_cast<const void *>(std::addressof(fn))));
    if (error) throw PgError(error);
}

// Releases a PostgreSQL resource (ends a scan, closes a relation) from the
// destructor of the RAII type that acquired it. `uncaught_at_acquire` is
// std::uncaught_exceptions() when it was acquired. While an exception
// unwinds the C++ frames, nothing is run: the error ends in an ERROR, and
// the transaction's abort releases what the resource owner holds (after an
// ERROR inside PostgreSQL, a buffer lock may still be held, and no
// PostgreSQL code may run before the abort). Nor is anything run after an
// earlier release failed. Otherwise `fn` runs as in pg_call(); an ERROR it
// raises is kept and raised by the next pg_call() or by the guard.
template <class Fn> void pg_release(int uncaught_at_acquire, Fn &&fn) noexcept {
    static_assert(std::is_nothrow_invocable_v<Fn &>, "pg_release() takes a noexcept callable");
    using Callable = std::remove_reference_t<Fn>;
    detail::release([](void *callable) noexcept { (*static_cast<Callable *>(callable))(); },
                    const_cast<void *>(static_cast<const void *>(std::addressof(fn))), uncaught_at_acquire);
}

// An error the glue raises itself, with a SQLSTATE of its choosing
// (ERRCODE_* from utils/errcodes.h).
class SqlError : public std::exception {
  public:
    SqlError(int sqlstate, const char *message, const char *detail = nullptr, const char *hint = nullptr)
        : sqlstate_(sqlstate), message_(message), detail_(detail ? detail : ""), hint_(hint ? hint : "") {}
    SqlError(int sqlstate, std::string message, std::string detail = {}, std::string hint = {})
        : sqlstate_(sqlstate), message_(std::move(message)), detail_(std::move(detail)),
          hint_(std::move(hint)) {}
    // A message worded in the reader's language when raised (messages.h).
    SqlError(int sqlstate, intent::Message message, std::string detail = {}, std::string hint = {})
        : sqlstate_(sqlstate), message_(intent::render(message.pattern, message.args)),
          detail_(std::move(detail)), hint_(std::move(hint)), words_(std::move(message)) {}
    const char *what() const noexcept override { return message_.c_str(); }
    int sqlstate() const noexcept { return sqlstate_; }
    const std::string &detail() const noexcept { return detail_; }
    const std::string &hint() const noexcept { return hint_; }
    const intent::Message &message() const noexcept { return words_; }

  private:
    int sqlstate_;
    std::string message_, detail_, hint_;
    intent::Message words_;
};

using GuardedBody = Datum (*)(FunctionCallInfo);

// Calls `body`, mapping exceptions to PostgreSQL errors after unwinding.
Datum guarded_call(GuardedBody body, FunctionCallInfo fcinfo);

// The same, for a body the glue calls itself (call_extension_function_with()),
// with `context`: what it passes that no SQL argument can (the rows a
// classifier's run trains on).
using GuardedBodyWith = Datum (*)(FunctionCallInfo, void *);
Datum guarded_call(GuardedBodyWith body, FunctionCallInfo fcinfo, void *context);

// True when a cancel, statement timeout or termination is pending, or the
// client is known to be gone. Reads the flags only: CHECK_FOR_INTERRUPTS()
// would longjmp over C++ frames.
bool interrupt_pending();

// What long work (training) polls from the backend's own thread. There it
// first serves the interrupts PostgreSQL serves without ending the
// statement (a ProcSignalBarrier, the client connection check, memory
// context logging), which may throw PgError; then says whether to stop: a
// pending cancel or termination, a lost client (the guard then lets
// PostgreSQL raise its FATAL), or the postmaster's death (then the guard
// exits the backend with FATAL instead of reporting a cancel). From any
// other thread it only reads the flags.
bool training_should_stop();

} // namespace pg_intent

// PostgreSQL 15's PGDLLEXPORT is empty outside Windows, and we build with
// -fvisibility=hidden, so the symbols PostgreSQL looks up are exported here.
#define PG_INTENT_EXPORT_BEGIN _Pragma("GCC visibility push(default)")
#define PG_INTENT_EXPORT_END _Pragma("GCC visibility pop")

// Defines the exported V1 function `name`, whose body (written after the
// macro) runs as `name##_body` inside the guard.
#define PG_INTENT_FUNCTION(name)                                                                             \
    static Datum name##_body([[maybe_unused]] FunctionCallInfo fcinfo);                                      \
    PG_INTENT_EXPORT_BEGIN                                                                                   \
    extern "C" {                                                                                             \
    PG_FUNCTION_INFO_V1(name);                                                                               \
    Datum name(PG_FUNCTION_ARGS) {                                                                           \
        return pg_intent::guarded_call(name##_body, fcinfo);                                                 \
    }                                                                                                        \
    }                                                                                                        \
    PG_INTENT_EXPORT_END                                                                                     \
    static Datum name##_body([[maybe_unused]] FunctionCallInfo fcinfo)
