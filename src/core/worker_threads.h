// What every piece of the core that starts threads shares: worker threads
// must never run PostgreSQL's signal handlers, and must never outlive the
// call that started them.
#pragma once

#include <atomic>
#include <thread>
#include <vector>

#if defined(__unix__) || defined(__APPLE__)
#include <pthread.h>
#include <signal.h>
#define INTENT_HAVE_PTHREAD_SIGMASK 1
#endif

namespace intent {

// Blocks every signal in the calling thread while alive, so threads created
// meanwhile inherit a full mask: PostgreSQL's handlers must only ever run on
// the backend's own thread.
class SignalBlock {
  public:
    SignalBlock() {
#ifdef INTENT_HAVE_PTHREAD_SIGMASK
        sigset_t all;
        sigfillset(&all);
        ok_ = pthread_sigmask(SIG_SETMASK, &all, &saved_) == 0;
#endif
    }
    ~SignalBlock() {
#ifdef INTENT_HAVE_PTHREAD_SIGMASK
        if (ok_) pthread_sigmask(SIG_SETMASK, &saved_, nullptr);
#endif
    }
    SignalBlock(const SignalBlock &) = delete;
    SignalBlock &operator=(const SignalBlock &) = delete;

  private:
#ifdef INTENT_HAVE_PTHREAD_SIGMASK
    sigset_t saved_;
    bool ok_ = false;
#endif
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
    void join() {
        for (auto &t : threads_)
            if (t.joinable()) t.join();
    }
    std::vector<std::thread> &threads() { return threads_; }

  private:
    std::atomic<bool> &stop_;
    std::vector<std::thread> threads_;
};

} // namespace intent
