// What every piece of the core that starts threads shares: worker threads
// must never run PostgreSQL's signal handlers, and must never outlive the
// call that started them.
#pragma once

#include <atomic>
#include <cstddef>
#include <system_error>
#include <thread>
#include <utility>
#include <vector>

#if defined(__unix__) || defined(__APPLE__)
#include <pthread.h>
#include <signal.h>
#define INTENT_HAVE_PTHREAD_SIGMASK 1
#endif

namespace intent {

namespace detail {
#ifdef INTENT_HAVE_PTHREAD_SIGMASK
// pthread_sigmask, replaceable by a unit test that makes it fail.
inline int (*set_signal_mask)(int, const sigset_t *, sigset_t *) = pthread_sigmask;
#endif
// How many SignalBlocks that did block every signal are alive on this thread.
inline thread_local int signals_blocked = 0;
} // namespace detail

// Blocks every signal in the calling thread while alive, so threads created
// meanwhile inherit a full mask: PostgreSQL's handlers must only ever run on
// the backend's own thread. Where the mask cannot be set, no worker thread
// starts (WorkerThreads refuses), and the work runs on the calling thread.
class SignalBlock {
  public:
    SignalBlock() {
#ifdef INTENT_HAVE_PTHREAD_SIGMASK
        sigset_t all;
        sigfillset(&all);
        ok_ = detail::set_signal_mask(SIG_SETMASK, &all, &saved_) == 0;
#else
        ok_ = true; // no POSIX signals to block
#endif
        if (ok_) ++detail::signals_blocked;
    }
    ~SignalBlock() {
        if (!ok_) return;
        --detail::signals_blocked;
#ifdef INTENT_HAVE_PTHREAD_SIGMASK
        detail::set_signal_mask(SIG_SETMASK, &saved_, nullptr);
#endif
    }
    SignalBlock(const SignalBlock &) = delete;
    SignalBlock &operator=(const SignalBlock &) = delete;

  private:
#ifdef INTENT_HAVE_PTHREAD_SIGMASK
    sigset_t saved_;
#endif
    bool ok_ = false;
};

// The worker threads of a WorkerGroup. A thread starts only while a
// SignalBlock that blocked every signal is alive on the calling thread;
// otherwise emplace_back() throws std::system_error, as when the system
// cannot create a thread, and the caller carries on with fewer threads.
class WorkerThreads {
  public:
    template <class Fn> void emplace_back(Fn &&fn) {
        if (detail::signals_blocked == 0)
            throw std::system_error(std::make_error_code(std::errc::operation_not_permitted),
                                    "worker threads need every signal blocked");
        threads_.emplace_back(std::forward<Fn>(fn));
    }
    void join() {
        for (auto &t : threads_)
            if (t.joinable()) t.join();
    }
    size_t size() const { return threads_.size(); }

  private:
    std::vector<std::thread> threads_;
};

// Owns the worker threads: on any exit path it raises the stop flag and joins
// them, so no worker outlives the call or touches freed data.
class WorkerGroup {
  public:
    explicit WorkerGroup(std::atomic<bool> &stop) : stop_(stop) {}
    ~WorkerGroup() {
        stop_.store(true);
        join();
    }
    WorkerGroup(const WorkerGroup &) = delete;
    WorkerGroup &operator=(const WorkerGroup &) = delete;
    void join() { threads_.join(); }
    WorkerThreads &threads() { return threads_; }

  private:
    std::atomic<bool> &stop_;
    WorkerThreads threads_;
};

} // namespace intent
