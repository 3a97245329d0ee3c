// Worker threads start only with every signal blocked: when the mask cannot
// be set, the work runs on the calling thread alone, with the same results.
#include "linear.h"
#include "parallel.h"
#include "worker_threads.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <chrono>
#include <mutex>
#include <set>
#include <thread>
#include <vector>

using namespace intent;

namespace {

#ifdef INTENT_HAVE_PTHREAD_SIGMASK
int failing_sigmask(int, const sigset_t *, sigset_t *) {
    return EINVAL;
}

// Makes pthread_sigmask fail while alive.
struct SigmaskFails {
    SigmaskFails() { detail::set_signal_mask = failing_sigmask; }
    ~SigmaskFails() { detail::set_signal_mask = pthread_sigmask; }
};
#endif

// The threads run_tasks() ran its tasks on.
std::set<std::thread::id> task_threads(size_t tasks, size_t threads, std::vector<int> &ran) {
    std::mutex mutex;
    std::set<std::thread::id> seen;
    std::atomic<bool> worker_ran{false};
    bool caller_waited = false;
    const std::thread::id me = std::this_thread::get_id();
    ran.assign(tasks, 0);
    run_tasks(tasks, threads, TrainCallbacks{}, [&](size_t i, const TrainCallbacks &) {
        {
            std::lock_guard<std::mutex> lock(mutex);
            seen.insert(std::this_thread::get_id());
            ++ran[i];
        }
        if (std::this_thread::get_id() != me) {
            worker_ran = true;
            return;
        }
        // The calling thread's first task waits for a worker to run one, if
        // any started (bounded, so a run without workers ends).
        if (caller_waited) return;
        caller_waited = true;
        for (int wait = 0; !worker_ran && wait < 5000; ++wait)
            std::this_thread::sleep_for(std::chrono::milliseconds(1));
    });
    return seen;
}

} // namespace

TEST(WorkerThreads, StartWithSignalsBlocked) {
    std::vector<int> ran;
    const std::set<std::thread::id> seen = task_threads(40, 4, ran);
    // A worker ran tasks. Not "more than one thread": the workers may take
    // every task before the calling thread takes its first.
    const std::thread::id me = std::this_thread::get_id();
    EXPECT_TRUE(std::any_of(seen.begin(), seen.end(), [&](std::thread::id id) { return id != me; }));
    EXPECT_EQ(std::count(ran.begin(), ran.end(), 1), 40);
}

#ifdef INTENT_HAVE_PTHREAD_SIGMASK
TEST(WorkerThreads, NoneStartWhenTheMaskCannotBeSet) {
    SigmaskFails fails;
    std::vector<int> ran;
    const std::set<std::thread::id> seen = task_threads(40, 4, ran);
    EXPECT_EQ(seen, std::set<std::thread::id>{std::this_thread::get_id()});
    EXPECT_EQ(std::count(ran.begin(), ran.end(), 1), 40);
}
#endif

TEST(WorkerThreads, RefusedOutsideASignalBlock) {
    std::atomic<bool> stop{false};
    WorkerGroup group(stop);
    EXPECT_THROW(group.threads().emplace_back([] {}), std::system_error);
    EXPECT_EQ(group.threads().size(), 0u);
    {
        SignalBlock block;
        group.threads().emplace_back([] {});
    }
    EXPECT_EQ(group.threads().size(), 1u);
}
