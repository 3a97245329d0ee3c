// Solves the class blocks of one or more one-vs-rest problems on worker
// threads.
//
// The binary problems are independent. They are grouped into fixed blocks of
// up to 16 classes that share one pass over each row (see kMaxBlock), and the
// blocks run on a small pool of std::thread workers. Each block has its own
// visiting-order seed and the blocks depend only on the number of classes, so
// the weights do not depend on the thread count or on scheduling. Only the
// calling thread ever touches the callbacks: this code runs inside a
// PostgreSQL backend, where the callbacks wrap CHECK_FOR_INTERRUPTS.
#include "errors.h"
#include "linear_internal.h"
#include "worker_threads.h"

#include <algorithm>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <exception>
#include <mutex>
#include <system_error>
#include <thread>

namespace intent {
namespace linear_internal {
namespace {

// Worker threads only look at the shared stop flag.
class WorkerPacer : public Pacer {
  public:
    explicit WorkerPacer(const std::atomic<bool> &stop) : stop_(stop) {}
    void poll() override {
        if (stop_.load(std::memory_order_relaxed)) throw StopRequested{};
    }

  private:
    const std::atomic<bool> &stop_;
};

// The calling thread polls the callbacks about every 20 ms (the contract asks
// for at least every ~50 ms) and reports finished classes.
class CallerPacer : public Pacer {
  public:
    CallerPacer(const TrainCallbacks &callbacks, const std::atomic<bool> &stop,
                const std::atomic<size_t> &done, size_t total)
        : callbacks_(callbacks), stop_(stop), done_(done), total_(total), last_(Clock::now()) {}

    void poll() override {
        if (stop_.load(std::memory_order_relaxed)) throw StopRequested{};
        const auto now = Clock::now();
        if (now - last_ < std::chrono::milliseconds(20)) return;
        last_ = now;
        tick();
    }

    // Unconditionally reports progress and checks for cancellation.
    void tick() {
        const size_t d = done_.load(std::memory_order_relaxed);
        if (d != reported_) {
            reported_ = d;
            callbacks_.report("train", d, total_);
        }
        callbacks_.check_cancel();
    }

  private:
    using Clock = std::chrono::steady_clock;
    const TrainCallbacks &callbacks_;
    const std::atomic<bool> &stop_;
    const std::atomic<size_t> &done_;
    size_t total_;
    size_t reported_ = 0;
    Clock::time_point last_;
};

// Runs the solver for one block with the narrowest vector width that fits.
template <class E>
void solve_block_as(const SharedProblem &p, Pacer &pacer, unsigned &since_poll, uint64_t seed,
                    BlockWeights &out) {
    const bool svm = p.algorithm == Algorithm::LinearSVM;
    if (out.count <= 4) {
        out.width = 4;
        svm ? solve_svm_block<4, E>(p, pacer, since_poll, seed, out)
            : solve_logistic_block<4, E>(p, pacer, since_poll, seed, out);
    } else if (out.count <= 8) {
        out.width = 8;
        svm ? solve_svm_block<8, E>(p, pacer, since_poll, seed, out)
            : solve_logistic_block<8, E>(p, pacer, since_poll, seed, out);
    } else {
        out.width = 16;
        svm ? solve_svm_block_16<E>(p, pacer, since_poll, seed, out)
            : solve_logistic_block<16, E>(p, pacer, since_poll, seed, out);
    }
}

void solve_block(const SharedProblem &p, Pacer &pacer, unsigned &since_poll, uint64_t seed,
                 BlockWeights &out) {
    if (p.X->coded())
        solve_block_as<CodedEntry>(p, pacer, since_poll, seed, out);
    else if (p.X->narrow())
        solve_block_as<NarrowEntry>(p, pacer, since_poll, seed, out);
    else
        solve_block_as<WideEntry>(p, pacer, since_poll, seed, out);
}

// Number of blocks a problem with k classes is cut into: fixed blocks of
// nearly equal size that depend only on k. With more than four classes at
// least two, so two cores share even a small problem.
size_t num_blocks_for(size_t k) {
    return std::max<size_t>((k + kMaxBlock - 1) / kMaxBlock, k > 4 ? 2 : 1);
}

// Threads to solve `tasks` blocks on: as asked (0 = the cores, at most 4),
// never more than there are tasks or kMaxThreads, and only as many as the
// memory budget can give a worker's state to (charged to worker_charge, which
// the caller holds while they run). Fewer threads give the same result.
size_t solver_threads(const std::vector<SharedProblem> &problems, const LearnerOptions &options, size_t tasks,
                      MemoryCharge &worker_charge) {
    size_t threads = options.threads > 0
                         ? static_cast<size_t>(options.threads)
                         : std::min<size_t>(4, std::max(1u, std::thread::hardware_concurrency()));
    threads = std::max<size_t>(1, std::min({threads, tasks, LearnerOptions::kMaxThreads}));
    size_t per_worker = 0;
    for (const SharedProblem &p : problems)
        per_worker = std::max(per_worker, worker_bytes(p));
    worker_charge.add(per_worker, "the solver's working state"); // one worker at least, or fail
    while (worker_charge.bytes() < threads * per_worker && worker_charge.try_add(per_worker)) {
    }
    return worker_charge.bytes() / per_worker;
}

} // namespace

// A block's dual variables are rows x its classes (at most
// ceil(k / num_blocks_for(k))) doubles, two of them for the logistic loss;
// the SVM's a row mask (RowMask) and a visiting list (uint32_t) a row, the
// logistic loss's a visiting order.
size_t worker_bytes(const SharedProblem &p) {
    const size_t l = p.rows, k = p.num_classes;
    const size_t widest = (k + num_blocks_for(k) - 1) / num_blocks_for(k);
    const bool logistic = p.algorithm == Algorithm::LogisticRegression;
    const size_t duals = logistic ? 2 : 1;
    const size_t per_row =
        widest * sizeof(double) * duals + (logistic ? 0 : sizeof(RowMask)) + sizeof(uint32_t);
    return (p.num_features * kMaxBlock + 16) * sizeof(float) + l * per_row + kMaxBlock * sizeof(double);
}

// Solves every block of every problem on up to `threads` threads (the
// caller included), each block exactly as it would be solved alone, and
// gathers the weights feature-major into each problem's output.
void solve_all(std::vector<SharedProblem> &problems, const LearnerOptions &options,
               const TrainCallbacks &callbacks) {
    // Tasks in a fixed order: (problem, block). A task's result depends only
    // on its problem and block, never on which thread runs it or when.
    struct Task {
        size_t problem, block, first_class, count;
    };
    std::vector<Task> tasks;
    size_t total_classes = 0;
    for (size_t q = 0; q < problems.size(); ++q) {
        const size_t k = problems[q].num_classes;
        const size_t num_blocks = num_blocks_for(k);
        const size_t per_block = (k + num_blocks - 1) / num_blocks;
        for (size_t b = 0; b < num_blocks && b * per_block < k; ++b)
            tasks.push_back(Task{q, b, b * per_block, std::min(per_block, k - b * per_block)});
        total_classes += k;
    }
    callbacks.report("train", 0, total_classes);
    callbacks.check_cancel();

    MemoryCharge worker_charge(callbacks.memory);
    const size_t threads = solver_threads(problems, options, tasks.size(), worker_charge);

    std::vector<SolverStats> task_stats(tasks.size()); // each task writes its own
    std::atomic<bool> stop{false};
    std::atomic<size_t> next_task{0}, done{0};
    std::mutex mutex;
    std::condition_variable progress_cv;
    std::exception_ptr worker_error;

    // Solves tasks taken from the shared counter until none are left.
    auto run_tasks = [&](Pacer &pacer) {
        BlockWeights bw;
        unsigned since_poll = 0;
        for (;;) {
            const size_t t = next_task.fetch_add(1);
            if (t >= tasks.size()) return;
            const Task &task = tasks[t];
            const SharedProblem &p = problems[task.problem];
            bw.first_class = task.first_class;
            bw.count = task.count;
            solve_block(p, pacer, since_poll, block_seed(p.seed, task.block), bw);
            // The problem's weights exist from its first finished block on:
            // at the start every block's dual variables (and the warm start)
            // are alive, not yet these. Distinct tasks write distinct
            // elements: no data race.
            LinearWeights &out = *p.out;
            const size_t k = p.num_classes;
            {
                std::lock_guard<std::mutex> lock(mutex);
                if (out.w.empty()) out.w.assign(p.num_features * k, 0.0f);
            }
            for (size_t f = 0; f < p.num_features; ++f)
                for (size_t c = 0; c < bw.count; ++c)
                    out.w[f * k + bw.first_class + c] = bw.w[f * bw.width + c];
            for (size_t c = 0; c < bw.count; ++c)
                out.bias[bw.first_class + c] = static_cast<float>(bw.w_bias[c] * p.bias);
            task_stats[t] = SolverStats{bw.steps, bw.passes};
            {
                std::lock_guard<std::mutex> lock(mutex);
                done.fetch_add(bw.count);
            }
            progress_cv.notify_all();
        }
    };

    CallerPacer caller(callbacks, stop, done, total_classes);
    WorkerGroup group(stop);
    if (threads > 1) {
        SignalBlock block;
        for (size_t t = 1; t < threads; ++t) {
            try {
                group.threads().emplace_back([&] {
                    WorkerPacer pacer(stop);
                    try {
                        run_tasks(pacer);
                    } catch (const StopRequested &) {
                    } catch (...) {
                        std::lock_guard<std::mutex> lock(mutex);
                        if (!worker_error) worker_error = std::current_exception();
                        stop.store(true);
                    }
                    progress_cv.notify_all();
                });
            } catch (const std::system_error &) {
                break; // fewer threads: same result, just slower
            }
        }
    }

    try {
        run_tasks(caller);
        // Our share is done: keep polling the callbacks while workers finish.
        std::unique_lock<std::mutex> lock(mutex);
        while (done.load() < total_classes && !stop.load()) {
            progress_cv.wait_for(lock, std::chrono::milliseconds(20));
            lock.unlock();
            caller.tick();
            lock.lock();
        }
    } catch (const StopRequested &) {
        // A worker failed; its exception is rethrown below.
    } catch (...) {
        stop.store(true);
        group.join();
        throw;
    }
    stop.store(true);
    group.join();
    if (worker_error) std::rethrow_exception(worker_error);
    if (done.load() != total_classes)
        throw Error(ErrorKind::Internal, "training stopped before all classes finished");
    for (size_t t = 0; t < tasks.size(); ++t) {
        SharedProblem &p = problems[tasks[t].problem];
        p.stats.coordinate_steps += task_stats[t].coordinate_steps;
        p.stats.max_passes = std::max(p.stats.max_passes, task_stats[t].max_passes);
    }
    callbacks.report("train", total_classes, total_classes);
}

} // namespace linear_internal
} // namespace intent
