// A tiny task runner for independent fits: tasks are taken from a shared
// counter, workers see only a stop flag, the caller keeps polling the
// callbacks, and every thread is joined on every exit path.
#include "parallel.h"

#include "errors.h"
#include "worker_threads.h"

#include <algorithm>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <exception>
#include <mutex>
#include <system_error>
#include <thread>
#include <vector>

namespace intent {

size_t training_threads(int requested) {
    if (requested > 0) return static_cast<size_t>(requested);
    return std::min<size_t>(4, std::max(1u, std::thread::hardware_concurrency()));
}

void run_tasks(size_t count, size_t threads, const TrainCallbacks &callbacks,
               const std::function<void(size_t, const TrainCallbacks &)> &task, const char *stage) {
    if (count == 0) return;
    threads = std::max<size_t>(1, std::min(threads, count));
    std::atomic<size_t> next{0}, finished{0};
    std::atomic<bool> stop{false};
    std::mutex mutex;
    std::condition_variable cv;
    std::exception_ptr worker_error;

    TrainCallbacks worker_callbacks;
    worker_callbacks.cancelled = [&stop] { return stop.load(std::memory_order_relaxed); };
    TrainCallbacks caller_callbacks;
    caller_callbacks.cancelled = callbacks.cancelled;

    // Progress, from the calling thread only.
    size_t reported = 0;
    auto report = [&] {
        const size_t f = finished.load();
        if (stage != nullptr && f != reported) {
            reported = f;
            callbacks.report(stage, f, count);
        }
    };
    const std::thread::id caller = std::this_thread::get_id();
    auto take_tasks = [&](const TrainCallbacks &cb) {
        for (;;) {
            if (stop.load()) return;
            const size_t i = next.fetch_add(1);
            if (i >= count) return;
            task(i, cb);
            {
                std::lock_guard<std::mutex> lock(mutex);
                finished.fetch_add(1);
            }
            cv.notify_all();
            if (std::this_thread::get_id() == caller) report();
        }
    };

    WorkerGroup workers(stop);

    if (threads > 1) {
        SignalBlock block;
        for (size_t t = 1; t < threads; ++t) {
            try {
                workers.threads().emplace_back([&] {
                    try {
                        take_tasks(worker_callbacks);
                    } catch (...) {
                        std::lock_guard<std::mutex> lock(mutex);
                        // A cancel seen through the stop flag is not the cause.
                        if (!worker_error && !stop.load()) worker_error = std::current_exception();
                        stop.store(true);
                    }
                    cv.notify_all();
                });
            } catch (const std::system_error &) {
                break; // fewer threads: same results, just slower
            }
        }
    }

    try {
        take_tasks(caller_callbacks);
        std::unique_lock<std::mutex> lock(mutex);
        while (finished.load() < count && !stop.load()) {
            cv.wait_for(lock, std::chrono::milliseconds(20));
            lock.unlock();
            report();
            callbacks.check_cancel();
            lock.lock();
        }
    } catch (...) {
        stop.store(true);
        throw; // the group joins the workers first
    }
    stop.store(true);
    workers.join();
    if (worker_error) std::rethrow_exception(worker_error);
    if (finished.load() != count)
        throw Error(ErrorKind::Internal, "training tasks stopped before they all ran");
}

} // namespace intent
