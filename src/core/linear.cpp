// One-vs-rest linear SVM (L2-regularised squared hinge) and logistic
// regression, each binary problem solved by dual coordinate descent.
//
// The binary problems are independent. They are grouped into fixed blocks of
// up to 16 classes that share one pass over each row (see kMaxBlock), and the
// blocks run on a small pool of std::thread workers. Each block has its own
// visiting-order seed and the blocks depend only on the number of classes, so
// the weights do not depend on the thread count or on scheduling. Only the
// calling thread ever touches the callbacks: this code runs inside a
// PostgreSQL backend, where the callbacks wrap CHECK_FOR_INTERRUPTS.
#include "linear.h"

#include "dataset.h" // Rng
#include "errors.h"
#include "worker_threads.h"

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cmath>
#include <condition_variable>
#include <cstring>
#include <exception>
#include <limits>
#include <mutex>
#include <thread>
#include <type_traits>

namespace intent {

// Canonical name of an algorithm, as stored in models and shown in SQL.
const char *algorithm_name(Algorithm a) {
    switch (a) {
    case Algorithm::LinearSVM:
        return "linear_svm";
    case Algorithm::LogisticRegression:
        return "logistic_regression";
    }
    return "unknown";
}

// Parses a canonical algorithm name (the inverse of algorithm_name).
Algorithm parse_algorithm(const std::string &name) {
    if (name == "linear_svm") return Algorithm::LinearSVM;
    if (name == "logistic_regression") return Algorithm::LogisticRegression;
    throw Error(ErrorKind::InvalidArgument, "unknown algorithm \"" + name + "\"",
                "The algorithm must be one of the supported learners.",
                "Use \"linear_svm\" or \"logistic_regression\".");
}

// Rejects option values the solvers cannot work with, naming the option.
void LearnerOptions::validate() const {
    if (algorithm != Algorithm::LinearSVM && algorithm != Algorithm::LogisticRegression)
        throw Error(ErrorKind::InvalidArgument, "unknown algorithm",
                    "The algorithm code " + std::to_string(static_cast<int>(algorithm)) +
                        " is not supported.");
    if (!(std::isfinite(C) && C > 0 && C <= 1e6))
        throw Error(ErrorKind::InvalidArgument, "invalid value for option C",
                    "C must be a finite number greater than 0 and at most 1e6.", "The usual value is 1.");
    if (!(std::isfinite(tolerance) && tolerance > 0 && tolerance <= 10))
        throw Error(ErrorKind::InvalidArgument, "invalid value for option tolerance",
                    "The tolerance must be a finite number greater than 0 and at most 10.",
                    "The usual value is 0.1.");
    if (max_iterations < 1 || max_iterations > 1000000)
        throw Error(ErrorKind::InvalidArgument, "invalid value for option max_iterations",
                    "max_iterations must be between 1 and 1000000.");
    if (!(std::isfinite(bias) && bias >= 0 && bias <= 1e6))
        throw Error(ErrorKind::InvalidArgument, "invalid value for option bias",
                    "The bias must be a finite number between 0 and 1e6.", "Use 1, or 0 for no intercept.");
    if (threads < 0 || threads > 256)
        throw Error(ErrorKind::InvalidArgument, "invalid value for option threads",
                    "threads must be between 0 and 256.", "Use 0 to pick a count from the hardware.");
}

// Throws Error(Cancelled) when the cancel callback asks to stop.
void TrainCallbacks::check_cancel() const {
    if (cancelled && cancelled()) throw Error(ErrorKind::Cancelled, "training cancelled");
}

// Raw one-vs-rest scores: bias plus the sparse row times each class vector.
void LinearWeights::decision(const SparseVector &x, float *scores) const {
    const size_t k = num_classes;
    if (w.size() != num_features * k || (!bias.empty() && bias.size() != k))
        throw Error(ErrorKind::Internal, "inconsistent linear weights",
                    "The weight matrix does not match its declared shape.");
    for (size_t c = 0; c < k; ++c)
        scores[c] = bias.empty() ? 0.0f : bias[c];
    const size_t nnz = std::min(x.index.size(), x.value.size());
    for (size_t j = 0; j < nnz; ++j) {
        const size_t f = x.index[j];
        if (f >= num_features) continue; // unknown feature: no weight
        const float v = x.value[j];
        const float *wf = w.data() + f * k;
        for (size_t c = 0; c < k; ++c)
            scores[c] += v * wf[c];
    }
}

namespace {

// Thrown inside a worker when another thread asked everybody to stop.
struct StopRequested {};

// Read-only data of one one-vs-rest problem, shared by its binary problems.
struct SharedProblem {
    const FeatureMatrix *X = nullptr; // read in place: one entry stream per row
    // The problem's rows, read in place from X (and X2): the entries of row
    // i start at row_data[i] (NarrowEntry or WideEntry, as X->narrow()) and
    // number row_len[i]. A fold is a list of rows, never a copy of them.
    size_t rows = 0;
    std::vector<const void *> row_data;
    std::vector<uint32_t> row_len;
    // A coded matrix (CodedEntry rows): each row's scale, and the coding.
    std::vector<float> row_scale;
    const float *idf = nullptr;
    const double *tf_weight = nullptr;
    const std::vector<int> *y = nullptr;
    size_t num_classes = 0;
    size_t num_features = 0;
    double bias = 0; // value of the appended constant feature
    // Per row; each algorithm fills the two it reads (prepare_problem).
    std::vector<double> cost;    // logistic: C_i = C * class_weight[y_i] * sample_weight[i]
    std::vector<double> sq_norm; // logistic: ||x_i||^2 including the bias feature
    std::vector<double> diag;    // squared hinge: 1 / (2 C_i) added to Q_ii
    std::vector<double> qd;      // squared hinge: sq_norm + diag
    double tolerance = 0.1;
    int max_iterations = 1000;
    uint64_t seed = 0;
    Algorithm algorithm = Algorithm::LinearSVM;
    const DualSolution *warm_start = nullptr; // dual start, or null
    DualSolution *dual_out = nullptr;         // receives the dual solution, or null
    // Bytes of dual_out's entries the blocks may still take (a block that
    // would take more marks the solution incomplete and keeps nothing).
    mutable std::atomic<size_t> dual_left{0};
    mutable std::atomic<bool> dual_dropped{false};
    LinearWeights *out = nullptr;
    SolverStats stats;
};

// Lets a solver check, every few thousand coordinate steps, whether it must
// stop. The calling thread's version also runs the callbacks.
class Pacer {
  public:
    virtual ~Pacer() = default;
    virtual void poll() = 0;
};

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

// Steps between two polls; a step costs about one sparse dot product.
constexpr unsigned kPollEvery = 1024;

// Classes are solved in fixed blocks of at most kMaxBlock. A block keeps its
// classes' weights interleaved (feature-major, B floats per feature), so one
// pass over a sparse row yields all B dot products for about the memory cost
// of one: the gathers dominate, and they now fetch one cache line for B
// classes. Every class still runs its own coordinate descent; the classes of
// a block merely share the visiting order. Blocks depend only on the number
// of classes, never on the thread count, so results are thread-independent.
constexpr size_t kMaxBlock = 16;

// How many rows ahead of the current one to prefetch.
constexpr size_t kPrefetchAhead = 2;

// Seed of block b: distinct per block, independent of scheduling.
uint64_t block_seed(uint64_t seed, size_t b) {
    return seed ^ (0xD1B54A32D192ED03ULL * (static_cast<uint64_t>(b) + 1));
}

// Interleaved weights of one block plus the weights of the bias feature.
struct BlockWeights {
    size_t first_class = 0;
    size_t count = 0;           // classes in the block, <= width
    size_t width = 0;           // B: floats per feature
    std::vector<float> storage; // w plus room to align it
    float *w = nullptr;         // num_features * width, 64-byte aligned

    // Zeroed weights whose feature rows start on cache-line boundaries, so a
    // 16-class row is exactly one line.
    void reset(size_t num_features, size_t B) {
        width = B;
        storage.assign(num_features * B + 16, 0.0f);
        const uintptr_t addr = reinterpret_cast<uintptr_t>(storage.data());
        w = storage.data() + ((64 - addr % 64) % 64) / sizeof(float);
        std::fill(std::begin(w_bias), std::end(w_bias), 0.0);
        steps = 0;
        passes = 0;
    }
    double w_bias[kMaxBlock] = {};
    size_t steps = 0; // one-variable sub-problems visited (a row for one class)
    int passes = 0;   // outer passes of the slowest class
};

// Four floats in one SSE/NEON register (GCC and clang vector extension):
// plain loops over B floats do not vectorise reliably, these always do.
typedef float float4 __attribute__((vector_size(16)));

// Loads four floats from a possibly unaligned address.
inline float4 load4(const float *p) {
    float4 v;
    std::memcpy(&v, p, sizeof v);
    return v;
}

// One row's entries as the kernels read them: index(j) and value(j). A
// plain row holds its values; a coded row (sparse.h) recomputes each from
// the matrix's coding and the row's scale, the same float FeatureCoding::value
// gives.
template <class E> struct PlainRow {
    const E *e;
    uint32_t index(size_t j) const { return e[j].index; }
    float value(size_t j) const { return e[j].value; }
};
struct CodedRow {
    const CodedEntry *e;
    const float *idf;
    const double *tf_weight;
    float scale;
    uint32_t index(size_t j) const { return e[j].index; }
    float value(size_t j) const { return coded_value(idf, tf_weight, e[j], scale); }
};

// Row i of a problem as the kernels read it.
template <class E> inline auto make_row(const SharedProblem &p, size_t i) {
    if constexpr (std::is_same_v<E, CodedEntry>)
        return CodedRow{static_cast<const CodedEntry *>(p.row_data[i]), p.idf, p.tf_weight, p.row_scale[i]};
    else
        return PlainRow<E>{static_cast<const E *>(p.row_data[i])};
}

// out[c] = sum_j W[idx_j][c] * val_j for the B classes of a block.
template <size_t B, class R> inline void block_dot(const float *W, const R &e, size_t n, float *out) {
    constexpr size_t V = B / 4;
    float4 acc[V];
    for (size_t k = 0; k < V; ++k)
        acc[k] = float4{0, 0, 0, 0};
    for (size_t j = 0; j < n; ++j) {
        const float *wr = W + static_cast<size_t>(e.index(j)) * B;
        const float4 v = float4{0, 0, 0, 0} + e.value(j);
        for (size_t k = 0; k < V; ++k)
            acc[k] += load4(wr + 4 * k) * v;
    }
    std::memcpy(out, acc, sizeof acc);
}

// W[idx_j][c] += d[c] * val_j; classes with d[c] == 0 are left unchanged.
template <size_t B, class R> inline void block_axpy(float *W, const R &e, size_t n, const float *d) {
    constexpr size_t V = B / 4;
    float4 dd[V];
    std::memcpy(dd, d, sizeof dd);
    for (size_t j = 0; j < n; ++j) {
        float *wr = W + static_cast<size_t>(e.index(j)) * B;
        const float4 v = float4{0, 0, 0, 0} + e.value(j);
        for (size_t k = 0; k < V; ++k) {
            const float4 w = load4(wr + 4 * k) + dd[k] * v;
            std::memcpy(wr + 4 * k, &w, sizeof w);
        }
    }
}

// Dot product of a row with the weights of one class of a block (every B-th
// float). Same summation order as block_dot, hence the same bits.
template <size_t B, class R> inline float strided_dot(const float *Wc, const R &e, size_t n) {
    float acc = 0;
    for (size_t j = 0; j < n; ++j)
        acc += Wc[static_cast<size_t>(e.index(j)) * B] * e.value(j);
    return acc;
}

// One class's share of block_axpy: the same operations, so the same bits.
template <size_t B, class R> inline void strided_axpy(float *Wc, const R &e, size_t n, float d) {
    for (size_t j = 0; j < n; ++j)
        Wc[static_cast<size_t>(e.index(j)) * B] += d * e.value(j);
}

// Asks the cache for row r of X ahead of use. Rows are visited in random
// order, which defeats the hardware prefetcher, and streaming the matrix
// from memory is what bounds the solvers.
template <class E>
inline void prefetch_row(const void *const *row_data, const uint32_t *row_len, size_t r,
                         const void *row_state, const float *row_scale) {
    const char *ep = static_cast<const char *>(row_data[r]);
    const size_t bytes = row_len[r] * sizeof(E);
    for (size_t o = 0; o < bytes; o += 64)
        __builtin_prefetch(ep + o);
    __builtin_prefetch(row_state);
    if constexpr (std::is_same_v<E, CodedEntry>) __builtin_prefetch(row_scale + r);
}

// Bits of a class mask, lowest first.
inline int lowest_bit(uint32_t m) {
    return __builtin_ctz(m);
}

// The warm start of the classes [first, first + nb) of a block into
// alpha (rows x B, zero where the start has no entry).
template <size_t B> void scatter_warm_start(const SharedProblem &p, size_t first, size_t nb, double *alpha) {
    for (size_t c = 0; c < nb; ++c)
        for (const DualSolution::Entry &e : p.warm_start->classes[first + c])
            alpha[static_cast<size_t>(e.row) * B + c] = e.value;
}

// A block's dual solution into the problem's dual_out: its own classes'
// lists (no other block writes them), within what the limit leaves.
template <size_t B>
void keep_duals(const SharedProblem &p, size_t first, size_t nb, const double *alpha, size_t rows) {
    size_t count[B] = {};
    for (size_t i = 0; i < rows; ++i)
        for (size_t c = 0; c < nb; ++c)
            count[c] += alpha[i * B + c] != 0;
    size_t bytes = 0;
    for (size_t c = 0; c < nb; ++c)
        bytes += count[c] * sizeof(DualSolution::Entry);
    size_t left = p.dual_left.load();
    do {
        if (bytes > left || p.dual_dropped.load()) {
            p.dual_dropped.store(true);
            return;
        }
    } while (!p.dual_left.compare_exchange_weak(left, left - bytes));
    for (size_t c = 0; c < nb; ++c) {
        std::vector<DualSolution::Entry> &list = p.dual_out->classes[first + c];
        list.reserve(count[c]);
        for (size_t i = 0; i < rows; ++i)
            if (alpha[i * B + c] != 0)
                list.push_back({static_cast<uint32_t>(i), static_cast<float>(alpha[i * B + c])});
    }
}

// L2-regularised squared-hinge SVM, dual coordinate descent with shrinking
// (Hsieh et al. 2008), for the classes of one block. Dual of class c:
// min 1/2 a'Qa - sum a_i, a_i >= 0, Q_ij = y_i y_j x_i.x_j + [i == j] / (2 C_i).
// A class stops when the spread max(PG) - min(PG) of its projected gradient
// over its active rows falls below eps and a pass over all rows confirms it.
// Shrinking is per class (bit c of mask[i]); a row leaves the shared visiting
// list once no running class needs it. A class that converged on its shrunk
// set waits until every class of the block is waiting or done; then they all
// get their confirming full pass together, so that pass is shared too.
//
// With a warm start the dual variables start from the given values (made
// feasible: negative ones become 0) and w from the matching sum of rows.
template <size_t B, class E>
void solve_svm_block(const SharedProblem &p, Pacer &pacer, unsigned &since_poll, uint64_t seed,
                     BlockWeights &out) {
    const void *const *row_data = p.row_data.data();
    const uint32_t *row_len = p.row_len.data();
    const std::vector<int> &Y = *p.y;
    const size_t l = p.rows;
    const size_t nb = out.count;
    const double bias = p.bias;
    const double inf = std::numeric_limits<double>::infinity();
    out.reset(p.num_features, B);
    float *W = out.w;
    double *wb = out.w_bias;

    const uint32_t all_classes = nb >= 32 ? ~0u : (1u << nb) - 1;
    std::vector<double> alpha(l * B, 0.0);
    if (p.warm_start) {
        scatter_warm_start<B>(p, out.first_class, nb, alpha.data());
        for (size_t i = 0; i < l; ++i) {
            const size_t pos = static_cast<size_t>(Y[i]) - out.first_class;
            float d[B] = {};
            bool any = false;
            for (size_t c = 0; c < nb; ++c) {
                const double a = alpha[i * B + c];
                if (!(a > 0) || !std::isfinite(a)) {
                    alpha[i * B + c] = 0;
                    continue;
                }
                const double yi = c == pos ? 1.0 : -1.0;
                d[c] = static_cast<float>(a * yi);
                wb[c] += a * yi * bias;
                any = true;
            }
            if (any) block_axpy<B>(W, make_row<E>(p, i), row_len[i], d);
            if (++since_poll >= kPollEvery) {
                since_poll = 0;
                pacer.poll();
            }
        }
    }
    std::vector<uint32_t> mask(l, all_classes);
    std::vector<uint32_t> list(l);
    for (size_t i = 0; i < l; ++i)
        list[i] = static_cast<uint32_t>(i);
    double pg_max_old[B], pg_max[B], pg_min[B];
    size_t active_count[B];
    int iters[B];
    for (size_t c = 0; c < B; ++c) {
        pg_max_old[c] = inf;
        active_count[c] = l;
        iters[c] = 0;
    }
    uint32_t running = all_classes, waiting = 0;
    size_t list_size = l;
    Rng rng(seed);

    while (running != 0) {
        for (size_t s = 0; s + 1 < list_size; ++s)
            std::swap(list[s], list[s + rng.below(list_size - s)]);
        for (size_t c = 0; c < B; ++c) {
            pg_max[c] = -inf;
            pg_min[c] = inf;
        }
        for (size_t s = 0; s < list_size; ++s) {
            if (++since_poll >= kPollEvery) {
                since_poll = 0;
                pacer.poll();
            }
            const size_t i = list[s];
            if (s + kPrefetchAhead < list_size) {
                const size_t ahead = list[s + kPrefetchAhead];
                prefetch_row<E>(row_data, row_len, ahead, alpha.data() + ahead * B, p.row_scale.data());
            }
            uint32_t m = mask[i] & running;
            if (m != 0) {
                const size_t n = row_len[i];
                const auto e = make_row<E>(p, i);
                float dot[B], d[B] = {};
                // Late in training most rows matter to one or two classes of
                // the block: scalar work for those is cheaper than B lanes.
                const bool few = B >= 8 && __builtin_popcount(m) <= 2;
                if (few) {
                    for (uint32_t mm = m; mm != 0; mm &= mm - 1) {
                        const size_t c = static_cast<size_t>(lowest_bit(mm));
                        dot[c] = strided_dot<B>(W + c, e, n);
                    }
                } else {
                    block_dot<B>(W, e, n, dot);
                }
                const size_t pos = static_cast<size_t>(Y[i]) - out.first_class; // huge when not in block
                bool changed = false;
                double *a = alpha.data() + i * B;
                out.steps += static_cast<size_t>(__builtin_popcount(m));
                for (uint32_t mm = m; mm != 0; mm &= mm - 1) {
                    const size_t c = static_cast<size_t>(lowest_bit(mm));
                    const double yi = c == pos ? 1.0 : -1.0;
                    const double g = yi * (dot[c] + wb[c] * bias) - 1.0 + p.diag[i] * a[c];
                    double pg = g;
                    if (a[c] == 0) {
                        if (g > pg_max_old[c]) {
                            // At the bound and likely to stay there: shrink.
                            mask[i] &= ~(1u << c);
                            --active_count[c];
                            continue;
                        }
                        if (g > 0) pg = 0;
                    }
                    pg_max[c] = std::max(pg_max[c], pg);
                    pg_min[c] = std::min(pg_min[c], pg);
                    if (std::fabs(pg) > 1e-12) {
                        const double next = std::max(a[c] - g / p.qd[i], 0.0);
                        d[c] = static_cast<float>((next - a[c]) * yi);
                        wb[c] += (next - a[c]) * yi * bias;
                        a[c] = next;
                        changed = true;
                    }
                }
                if (changed && few) {
                    for (uint32_t mm = m; mm != 0; mm &= mm - 1) {
                        const size_t c = static_cast<size_t>(lowest_bit(mm));
                        if (d[c] != 0) strided_axpy<B>(W + c, e, n, d[c]);
                    }
                } else if (changed) {
                    block_axpy<B>(W, e, n, d);
                }
                m = mask[i] & running;
            }
            if (m == 0) {
                // No running class needs this row any more.
                --list_size;
                std::swap(list[s], list[list_size]);
                --s;
            }
        }

        for (uint32_t mm = running; mm != 0; mm &= mm - 1) {
            const size_t c = static_cast<size_t>(lowest_bit(mm));
            ++iters[c];
            out.passes = std::max(out.passes, iters[c]);
            const bool converged = pg_max[c] - pg_min[c] <= p.tolerance;
            if (iters[c] >= p.max_iterations || (converged && active_count[c] == l)) {
                running &= ~(1u << c); // done
            } else if (converged) {
                running &= ~(1u << c); // confirm later on every row
                waiting |= 1u << c;
            } else {
                pg_max_old[c] = pg_max[c] <= 0 ? inf : pg_max[c];
            }
        }
        if (running == 0 && waiting != 0) {
            // The confirming full pass for every waiting class at once.
            for (size_t i = 0; i < l; ++i)
                mask[i] |= waiting;
            for (uint32_t mm = waiting; mm != 0; mm &= mm - 1) {
                const size_t c = static_cast<size_t>(lowest_bit(mm));
                active_count[c] = l;
                pg_max_old[c] = inf;
            }
            running = waiting;
            waiting = 0;
            list_size = l; // the list is always a permutation of all rows
        }
    }
    if (p.dual_out) keep_duals<B>(p, out.first_class, nb, alpha.data(), l);
}

// L2-regularised logistic regression, dual coordinate descent (Yu, Huang &
// Lin 2011), for the classes of one block. Dual of class c:
// min 1/2 a'Qa + sum a_i log a_i + (C_i - a_i) log(C_i - a_i), 0 < a_i < C_i.
// Each one-variable sub-problem is solved by a guarded Newton method on
// whichever of a_i, C_i - a_i is the smaller side at the optimum, which keeps
// the logarithms accurate; both are stored for the same reason. There is no
// shrinking (no variable sits at a bound).
//
// With a warm start the dual variables start from the given values, moved
// inside (0, C_i) by at least the cold start's margin.
template <size_t B, class E>
void solve_logistic_block(const SharedProblem &p, Pacer &pacer, unsigned &since_poll, uint64_t seed,
                          BlockWeights &out) {
    const void *const *row_data = p.row_data.data();
    const uint32_t *row_len = p.row_len.data();
    const std::vector<int> &Y = *p.y;
    const size_t l = p.rows;
    const size_t nb = out.count;
    const double bias = p.bias;
    out.reset(p.num_features, B);
    float *W = out.w;
    double *wb = out.w_bias;

    std::vector<double> alpha(l * B, 0.0), alpha_c(l * B);
    if (p.warm_start) scatter_warm_start<B>(p, out.first_class, nb, alpha.data());
    std::vector<uint32_t> order(l);
    for (size_t i = 0; i < l; ++i) {
        order[i] = static_cast<uint32_t>(i);
        const double Ci = p.cost[i];
        const double a0 = std::min(0.001 * Ci, 1e-8);
        const size_t pos = static_cast<size_t>(Y[i]) - out.first_class;
        float d[B] = {};
        for (size_t c = 0; c < nb; ++c) {
            // No warm start reads as 0, which starts at a0 like a cold start.
            const double warm = alpha[i * B + c];
            const double a = std::isfinite(warm) ? std::min(std::max(warm, a0), Ci - a0) : a0;
            alpha[i * B + c] = a;
            alpha_c[i * B + c] = Ci - a;
            const double yi = c == pos ? 1.0 : -1.0;
            d[c] = static_cast<float>(yi * a);
            wb[c] += yi * a * bias;
        }
        block_axpy<B>(W, make_row<E>(p, i), row_len[i], d);
        if (++since_poll >= kPollEvery) {
            since_poll = 0;
            pacer.poll();
        }
    }

    const int max_inner = 100;
    const double inner_eps_min = std::min(1e-8, p.tolerance);
    double inner_eps[B], g_max[B];
    size_t newton_steps[B];
    int iters[B];
    for (size_t c = 0; c < B; ++c) {
        inner_eps[c] = 1e-2;
        iters[c] = 0;
    }
    uint32_t running = nb >= 32 ? ~0u : (1u << nb) - 1;
    Rng rng(seed);
    while (running != 0) {
        for (size_t s = 0; s + 1 < l; ++s)
            std::swap(order[s], order[s + rng.below(l - s)]);
        for (size_t c = 0; c < B; ++c) {
            g_max[c] = 0;
            newton_steps[c] = 0;
        }
        for (size_t s = 0; s < l; ++s) {
            if (++since_poll >= kPollEvery) {
                since_poll = 0;
                pacer.poll();
            }
            const size_t i = order[s];
            if (s + kPrefetchAhead < l) {
                const size_t ahead = order[s + kPrefetchAhead];
                prefetch_row<E>(row_data, row_len, ahead, alpha.data() + ahead * B, p.row_scale.data());
            }
            const size_t n = row_len[i];
            const auto e = make_row<E>(p, i);
            float dot[B], d[B] = {};
            block_dot<B>(W, e, n, dot);
            const size_t pos = static_cast<size_t>(Y[i]) - out.first_class;
            const double Ci = p.cost[i];
            const double q = p.sq_norm[i];
            bool changed = false;
            out.steps += static_cast<size_t>(__builtin_popcount(running));
            for (uint32_t mm = running; mm != 0; mm &= mm - 1) {
                const size_t c = static_cast<size_t>(lowest_bit(mm));
                const double yi = c == pos ? 1.0 : -1.0;
                const double ywx = yi * (dot[c] + wb[c] * bias);
                double &ai = alpha[i * B + c];
                double &aci = alpha_c[i * B + c];
                // Sub-problem in z = a_i (sign +1) or z = C_i - a_i (sign -1):
                // g'(z) = q (z - z_old) + sign * ywx + log(z / (C_i - z)).
                const bool complement = 0.5 * q * (aci - ai) + ywx < 0;
                const double z_old = complement ? aci : ai;
                const double sign = complement ? -1.0 : 1.0;
                double z = z_old;
                if (Ci - z < 0.5 * Ci) z *= 0.1; // start from the small side
                double gp = q * (z - z_old) + sign * ywx + std::log(z / (Ci - z));
                g_max[c] = std::max(g_max[c], std::fabs(gp));
                int inner = 0;
                for (; inner < max_inner && std::fabs(gp) >= inner_eps[c]; ++inner) {
                    const double gpp = q + Ci / (Ci - z) / z;
                    const double next = z - gp / gpp;
                    z = next <= 0 ? z * 0.1 : next; // stay inside (0, C_i)
                    gp = q * (z - z_old) + sign * ywx + std::log(z / (Ci - z));
                }
                newton_steps[c] += static_cast<size_t>(inner);
                if (inner > 0) {
                    const double old = ai;
                    if (complement) {
                        aci = z;
                        ai = Ci - z;
                    } else {
                        ai = z;
                        aci = Ci - z;
                    }
                    d[c] = static_cast<float>((ai - old) * yi);
                    wb[c] += (ai - old) * yi * bias;
                    changed = true;
                }
            }
            if (changed) block_axpy<B>(W, e, n, d);
        }
        for (uint32_t mm = running; mm != 0; mm &= mm - 1) {
            const size_t c = static_cast<size_t>(lowest_bit(mm));
            ++iters[c];
            out.passes = std::max(out.passes, iters[c]);
            if (g_max[c] < p.tolerance || iters[c] >= p.max_iterations) {
                running &= ~(1u << c);
                continue;
            }
            if (newton_steps[c] <= l / 10) inner_eps[c] = std::max(inner_eps_min, 0.1 * inner_eps[c]);
        }
    }
    if (p.dual_out) keep_duals<B>(p, out.first_class, nb, alpha.data(), l);
}

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
        svm ? solve_svm_block<16, E>(p, pacer, since_poll, seed, out)
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

// Checks the structure of a SparseMatrix so the solvers never index out of
// bounds, and its values.
void validate_matrix(const SparseMatrix &X) {
    const size_t rows = X.row_ptr.empty() ? 0 : X.row_ptr.size() - 1;
    if (X.row_ptr.empty() || X.row_ptr.front() != 0 || X.row_ptr.back() != X.col.size() ||
        X.col.size() != X.val.size())
        throw Error(ErrorKind::InvalidArgument, "malformed sparse matrix",
                    "The row pointers do not match the stored entries.");
    for (size_t r = 0; r < rows; ++r) {
        if (X.row_ptr[r] > X.row_ptr[r + 1])
            throw Error(ErrorKind::InvalidArgument, "malformed sparse matrix",
                        "Row pointers decrease at row " + std::to_string(r) + ".");
        for (size_t j = X.row_ptr[r]; j < X.row_ptr[r + 1]; ++j) {
            if (X.col[j] >= X.cols || (j > X.row_ptr[r] && X.col[j] <= X.col[j - 1]))
                throw Error(ErrorKind::InvalidArgument, "malformed sparse matrix",
                            "Row " + std::to_string(r) +
                                " has a column index out of range or out of increasing order.");
            if (!std::isfinite(X.val[j]))
                throw Error(ErrorKind::InvalidArgument, "non-finite feature value",
                            "Row " + std::to_string(r) + " holds a NaN or infinite value.");
        }
    }
}

// The same for a FeatureMatrix (its row pointers and index range hold by
// construction; order and values are checked).
void validate_matrix(const FeatureMatrix &X) {
    for (size_t r = 0; r < X.rows(); ++r) {
        int64_t last = -1;
        X.for_each_in_row(r, [&](uint32_t index, float value) {
            if (static_cast<int64_t>(index) <= last || index >= X.cols())
                throw Error(ErrorKind::InvalidArgument, "malformed sparse matrix",
                            "Row " + std::to_string(r) +
                                " has a column index out of range or out of increasing order.");
            if (!std::isfinite(value))
                throw Error(ErrorKind::InvalidArgument, "non-finite feature value",
                            "Row " + std::to_string(r) + " holds a NaN or infinite value.");
            last = index;
        });
    }
}

// Checks the labels and weights against the matrix's shape.
void validate_problem(size_t rows, size_t cols, const std::vector<int> &y, size_t num_classes,
                      const std::vector<float> &sample_weight) {
    if (cols > std::numeric_limits<uint32_t>::max())
        throw Error(ErrorKind::InvalidArgument, "too many features");
    if (rows > std::numeric_limits<uint32_t>::max()) throw Error(ErrorKind::InvalidArgument, "too many rows");
    if (num_classes == 0)
        throw Error(ErrorKind::InsufficientData, "no classes to train",
                    "At least one intent is needed to train a classifier.");
    if (num_classes > 100000 || (cols > 0 && num_classes > (size_t{1} << 31) / cols))
        throw Error(ErrorKind::InvalidArgument, "model too large",
                    "The weight matrix would need " + std::to_string(num_classes) + " x " +
                        std::to_string(cols) + " entries.",
                    "Reduce max_features or the number of intents.");
    if (rows == 0)
        throw Error(ErrorKind::InsufficientData, "no rows to train on",
                    "The training set is empty after preparation.");
    if (y.size() != rows)
        throw Error(ErrorKind::InvalidArgument, "label count does not match row count",
                    "There are " + std::to_string(y.size()) + " labels for " + std::to_string(rows) +
                        " rows.");
    for (size_t i = 0; i < rows; ++i)
        if (y[i] < 0 || static_cast<size_t>(y[i]) >= num_classes)
            throw Error(ErrorKind::InvalidArgument, "label out of range",
                        "Row " + std::to_string(i) + " has label " + std::to_string(y[i]) + ", outside [0, " +
                            std::to_string(num_classes) + ").");
    if (!sample_weight.empty()) {
        if (sample_weight.size() != rows)
            throw Error(ErrorKind::InvalidArgument, "sample weight count does not match row count",
                        "There are " + std::to_string(sample_weight.size()) + " weights for " +
                            std::to_string(rows) + " rows.");
        for (size_t i = 0; i < rows; ++i)
            if (!(std::isfinite(sample_weight[i]) && sample_weight[i] > 0))
                throw Error(ErrorKind::InvalidArgument, "invalid sample weight",
                            "Row " + std::to_string(i) +
                                " has a weight that is not a finite positive number.");
    }
}

// Number of blocks a problem with k classes is cut into: fixed blocks of
// nearly equal size that depend only on k. With more than four classes at
// least two, so two cores share even a small problem.
size_t num_blocks_for(size_t k) {
    return std::max<size_t>((k + kMaxBlock - 1) / kMaxBlock, k > 4 ? 2 : 1);
}

// Bytes one worker holds while solving a block of `p` (its block weights,
// dual variables and visiting lists).
size_t worker_bytes(const SharedProblem &p) {
    const size_t l = p.rows;
    const size_t duals = p.algorithm == Algorithm::LogisticRegression ? 2 : 1;
    return (p.num_features * kMaxBlock + 16) * sizeof(float) + l * kMaxBlock * sizeof(double) * duals +
           l * 3 * sizeof(uint32_t);
}

// Rows a problem trains on: `q.rows` when given, else every row of X then X2.
size_t problem_rows(const OneVsRestProblem &q) {
    if (q.rows) return q.rows->size();
    return q.X->rows() + (q.X2 ? q.X2->rows() : 0);
}

// `s` plus the squared values of a row's entries, in order.
template <class R> double row_sq_norm(double s, const R &e, uint32_t n) {
    for (uint32_t j = 0; j < n; ++j) {
        const float v = e.value(j);
        s += static_cast<double>(v) * v;
    }
    return s;
}

// Points row i of the problem at its entries in X or X2.
void locate_rows(SharedProblem &p, const OneVsRestProblem &q) {
    const FeatureMatrix &X = *q.X;
    const size_t first = X.rows(), second = q.X2 ? q.X2->rows() : 0;
    p.rows = problem_rows(q);
    p.row_data.resize(p.rows);
    p.row_len.resize(p.rows);
    const bool coded = X.coded();
    if (coded) {
        p.row_scale.resize(p.rows);
        p.idf = X.coding().idf.data();
        p.tf_weight = X.coding().tf_weight.data();
    }
    for (size_t i = 0; i < p.rows; ++i) {
        const size_t r = q.rows ? (*q.rows)[i] : i;
        if (r >= first + second)
            throw Error(ErrorKind::InvalidArgument, "problem row out of range",
                        "Row " + std::to_string(r) + " of a matrix pair with " +
                            std::to_string(first + second) + " rows.");
        const FeatureMatrix &M = r < first ? X : *q.X2;
        const size_t m = r < first ? r : r - first;
        const size_t b = M.row_ptr()[m], e = M.row_ptr()[m + 1];
        if (coded) {
            p.row_data[i] = M.coded_entries() + b;
            p.row_scale[i] = M.row_scale()[m];
        } else {
            p.row_data[i] = M.narrow() ? static_cast<const void *>(M.narrow_entries() + b)
                                       : static_cast<const void *>(M.wide_entries() + b);
        }
        p.row_len[i] = static_cast<uint32_t>(e - b);
    }
}

// Prepares one problem's shared data: per-row costs and norms.
void prepare_problem(SharedProblem &p, const OneVsRestProblem &q, const std::vector<float> &sample_weight,
                     const LearnerOptions &options) {
    const FeatureMatrix &X = *q.X;
    const std::vector<int> &y = *q.y;
    const size_t num_classes = q.num_classes;
    locate_rows(p, q);
    const size_t rows = p.rows;
    p.X = &X;
    p.y = &y;
    p.num_classes = num_classes;
    p.num_features = X.cols();
    p.bias = options.bias;
    p.tolerance = options.tolerance;
    p.max_iterations = options.max_iterations;
    p.seed = options.seed;
    p.algorithm = options.algorithm;

    // Balanced weights n / (k * n_c), k counting the classes present in y
    // (as scikit-learn's compute_class_weight does).
    std::vector<double> class_weight(num_classes, 1.0);
    if (options.balanced_class_weight) {
        std::vector<size_t> count(num_classes, 0);
        for (int c : y)
            ++count[static_cast<size_t>(c)];
        const size_t present =
            static_cast<size_t>(std::count_if(count.begin(), count.end(), [](size_t n) { return n > 0; }));
        for (size_t c = 0; c < num_classes; ++c)
            if (count[c] > 0)
                class_weight[c] = static_cast<double>(rows) /
                                  (static_cast<double>(present) * static_cast<double>(count[c]));
    }
    // Each algorithm reads two of the four per-row values: the squared
    // hinge diag and qd, the logistic loss cost and sq_norm.
    const bool svm = options.algorithm == Algorithm::LinearSVM;
    (svm ? p.diag : p.cost).resize(rows);
    (svm ? p.qd : p.sq_norm).resize(rows);
    for (size_t i = 0; i < rows; ++i) {
        const double sw = sample_weight.empty() ? 1.0 : sample_weight[i];
        const double cost = options.C * class_weight[static_cast<size_t>(y[i])] * sw;
        const double b2 = options.bias * options.bias;
        const double s = X.coded()    ? row_sq_norm(b2, make_row<CodedEntry>(p, i), p.row_len[i])
                         : X.narrow() ? row_sq_norm(b2, make_row<NarrowEntry>(p, i), p.row_len[i])
                                      : row_sq_norm(b2, make_row<WideEntry>(p, i), p.row_len[i]);
        if (svm) {
            p.diag[i] = 0.5 / cost;
            p.qd[i] = s + p.diag[i];
        } else {
            p.cost[i] = cost;
            p.sq_norm[i] = s;
        }
    }
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

    // Threads: as asked (0 = the cores, at most 4), never more than there
    // are tasks or kMaxThreads, and only as many as the memory budget can
    // give a worker's state to. Fewer threads give the same result.
    size_t threads = options.threads > 0
                         ? static_cast<size_t>(options.threads)
                         : std::min<size_t>(4, std::max(1u, std::thread::hardware_concurrency()));
    threads = std::max<size_t>(1, std::min({threads, tasks.size(), LearnerOptions::kMaxThreads}));
    size_t per_worker = 0;
    for (const SharedProblem &p : problems)
        per_worker = std::max(per_worker, worker_bytes(p));
    MemoryCharge worker_charge(callbacks.memory);
    worker_charge.add(per_worker, "the solver's working state"); // one worker at least, or fail
    while (worker_charge.bytes() < threads * per_worker && worker_charge.try_add(per_worker)) {
    }
    threads = worker_charge.bytes() / per_worker;

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
            // Distinct tasks write distinct elements: no data race.
            LinearWeights &out = *p.out;
            const size_t k = p.num_classes;
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

// Checks a warm start or dual output buffer's size.
void check_warm_start(const DualSolution *v, size_t rows, size_t k) {
    if (!v || !v->usable()) return; // a cold start
    if (v->classes.size() != k)
        throw Error(ErrorKind::InvalidArgument, "wrong size of the warm start",
                    "Expected " + std::to_string(k) + " classes, got " + std::to_string(v->classes.size()) +
                        ".");
    for (const auto &list : v->classes)
        for (const DualSolution::Entry &e : list)
            if (e.row >= rows)
                throw Error(ErrorKind::InvalidArgument, "row out of range in the warm start",
                            "Row " + std::to_string(e.row) + " of a problem of " + std::to_string(rows) +
                                " rows.");
}

} // namespace

std::vector<LinearWeights> train_one_vs_rest_many(const std::vector<OneVsRestProblem> &problems,
                                                  const LearnerOptions &options,
                                                  const TrainCallbacks &callbacks) {
    options.validate();
    static const std::vector<float> kNoWeights;
    std::vector<const FeatureMatrix *> validated; // each matrix once, however many problems share it
    auto validate_once = [&validated](const FeatureMatrix *X) {
        if (std::find(validated.begin(), validated.end(), X) != validated.end()) return;
        validate_matrix(*X);
        validated.push_back(X);
    };
    for (const OneVsRestProblem &q : problems) {
        if (!q.X || !q.y) throw Error(ErrorKind::InvalidArgument, "incomplete training problem");
        if (q.X2 && (q.X2->cols() != q.X->cols() || q.X2->narrow() != q.X->narrow() ||
                     q.X2->coded() != q.X->coded() || (q.X->coded() && !(q.X2->coding() == q.X->coding()))))
            throw Error(ErrorKind::InvalidArgument, "the two matrices of a problem differ in columns");
        validate_once(q.X);
        if (q.X2) validate_once(q.X2);
        const size_t rows = problem_rows(q);
        validate_problem(rows, q.X->cols(), *q.y, q.num_classes,
                         q.sample_weight ? *q.sample_weight : kNoWeights);
        check_warm_start(q.warm_start, rows, q.num_classes);
    }
    std::vector<LinearWeights> out(problems.size());
    std::vector<SharedProblem> shared(problems.size());
    MemoryCharge charge(callbacks.memory);
    for (size_t i = 0; i < problems.size(); ++i) {
        const OneVsRestProblem &q = problems[i];
        const size_t rows = problem_rows(q), cols = q.X->cols(), k = q.num_classes;
        charge.add(rows * (2 * sizeof(double) + sizeof(void *) + sizeof(uint32_t) +
                           (q.X->coded() ? sizeof(float) : 0)) +
                       (cols + 1) * k * sizeof(float),
                   "the solver's per-row data and weights");
        prepare_problem(shared[i], q, q.sample_weight ? *q.sample_weight : kNoWeights, options);
        out[i].num_features = cols;
        out[i].num_classes = k;
        out[i].w.assign(cols * k, 0.0f);
        out[i].bias.assign(k, 0.0f);
        shared[i].out = &out[i];
        shared[i].warm_start = q.warm_start && q.warm_start->usable() ? q.warm_start : nullptr;
        if (q.dual_out) {
            // The entries' bound is charged now (solver threads cannot
            // charge); what the solution leaves unused is given back below.
            q.dual_out->classes.assign(k, {});
            const size_t bound = std::min(q.dual_out_limit, rows * k * sizeof(DualSolution::Entry));
            q.dual_out->complete = charge.try_add(bound);
            if (q.dual_out->complete) {
                shared[i].dual_out = q.dual_out;
                shared[i].dual_left = bound;
            }
        }
    }
    solve_all(shared, options, callbacks);
    for (size_t i = 0; i < problems.size(); ++i) {
        DualSolution *d = problems[i].dual_out;
        if (d && shared[i].dual_dropped.load()) {
            d->classes.assign(d->classes.size(), {});
            d->complete = false;
        }
    }
    for (size_t i = 0; i < problems.size(); ++i)
        if (problems[i].stats) *problems[i].stats = shared[i].stats;
    return out;
}

LinearWeights train_one_vs_rest(const FeatureMatrix &X, const std::vector<int> &y, size_t num_classes,
                                const std::vector<float> &sample_weight, const LearnerOptions &options,
                                const TrainCallbacks &callbacks) {
    OneVsRestProblem q;
    q.X = &X;
    q.y = &y;
    q.num_classes = num_classes;
    q.sample_weight = &sample_weight;
    return std::move(train_one_vs_rest_many({q}, options, callbacks).front());
}

// Validates the SparseMatrix, then trains on a compact copy of it (the
// solvers read rows as one entry stream; the copy replaces the packed one
// the solvers always made, at 6 bytes per value instead of 8).
LinearWeights train_one_vs_rest(const SparseMatrix &X, const std::vector<int> &y, size_t num_classes,
                                const std::vector<float> &sample_weight, const LearnerOptions &options,
                                const TrainCallbacks &callbacks) {
    options.validate();
    validate_matrix(X);
    validate_problem(X.rows(), X.cols, y, num_classes, sample_weight);
    const FeatureMatrix compact = FeatureMatrix::from_sparse(X, callbacks.memory);
    return train_one_vs_rest(compact, y, num_classes, sample_weight, options, callbacks);
}

size_t DualSolution::entries() const {
    size_t n = 0;
    for (const auto &list : classes)
        n += list.size();
    return n;
}

size_t DualSolution::bytes() const {
    size_t n = classes.capacity() * sizeof(classes[0]);
    for (const auto &list : classes)
        n += list.capacity() * sizeof(Entry);
    return n;
}

template <class Row> DualSolution dual_rows(const DualSolution &dual, const std::vector<Row> &rows) {
    size_t max_row = 0;
    for (const auto &list : dual.classes)
        for (const DualSolution::Entry &e : list)
            max_row = std::max<size_t>(max_row, e.row);
    std::vector<int64_t> position(max_row + 1, -1);
    for (size_t i = 0; i < rows.size(); ++i) {
        if (rows[i] > max_row) continue; // no entry to carry
        if (position[rows[i]] >= 0) throw Error(ErrorKind::InvalidArgument, "a row is selected twice");
        position[rows[i]] = static_cast<int64_t>(i);
    }
    DualSolution out;
    out.complete = dual.complete;
    out.classes.resize(dual.classes.size());
    for (size_t c = 0; c < dual.classes.size(); ++c) {
        for (const DualSolution::Entry &e : dual.classes[c])
            if (position[e.row] >= 0)
                out.classes[c].push_back({static_cast<uint32_t>(position[e.row]), e.value});
        std::sort(out.classes[c].begin(), out.classes[c].end(),
                  [](const DualSolution::Entry &a, const DualSolution::Entry &b) { return a.row < b.row; });
    }
    return out;
}
template DualSolution dual_rows(const DualSolution &, const std::vector<size_t> &);
template DualSolution dual_rows(const DualSolution &, const std::vector<uint32_t> &);

DualSolution mean_duals(const std::vector<const DualSolution *> &parts,
                        const std::vector<const std::vector<uint32_t> *> &part_rows, size_t rows) {
    if (parts.size() != part_rows.size())
        throw Error(ErrorKind::InvalidArgument, "one row list per solution");
    DualSolution out;
    if (parts.empty()) return out;
    const size_t k = parts[0]->classes.size();
    for (size_t f = 0; f < parts.size(); ++f) {
        if (parts[f]->classes.size() != k)
            throw Error(ErrorKind::InvalidArgument, "the solutions differ in classes");
        if (!parts[f]->complete) {
            out.complete = false;
            return out;
        }
    }
    std::vector<uint32_t> times(rows, 0);
    for (const std::vector<uint32_t> *list : part_rows)
        for (uint32_t r : *list) {
            if (r >= rows) throw Error(ErrorKind::InvalidArgument, "row out of range for the mean");
            ++times[r];
        }
    out.classes.resize(k);
    std::vector<DualSolution::Entry> merged;
    for (size_t c = 0; c < k; ++c) {
        // Each part's list, mapped, is ascending when its row list is (a
        // fold's is): merging part by part is then linear. Stable either
        // way, so a row's values add up in part order.
        const auto by_row = [](const DualSolution::Entry &a, const DualSolution::Entry &b) {
            return a.row < b.row;
        };
        merged.clear();
        for (size_t f = 0; f < parts.size(); ++f) {
            const size_t start = merged.size();
            for (const DualSolution::Entry &e : parts[f]->classes[c]) {
                if (e.row >= part_rows[f]->size())
                    throw Error(ErrorKind::InvalidArgument, "row out of range in a solution");
                merged.push_back({(*part_rows[f])[e.row], e.value});
            }
            const auto mid = merged.begin() + static_cast<std::ptrdiff_t>(start);
            if (!std::is_sorted(mid, merged.end(), by_row)) std::stable_sort(mid, merged.end(), by_row);
            std::inplace_merge(merged.begin(), mid, merged.end(), by_row);
        }
        std::vector<DualSolution::Entry> &list = out.classes[c];
        for (size_t j = 0; j < merged.size();) {
            const uint32_t r = merged[j].row;
            double sum = 0;
            for (; j < merged.size() && merged[j].row == r; ++j)
                sum += merged[j].value;
            list.push_back({r, static_cast<float>(sum / times[r])});
        }
        list.shrink_to_fit();
    }
    return out;
}

} // namespace intent
