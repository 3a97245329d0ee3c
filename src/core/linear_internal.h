// What the pieces of the one-vs-rest learner share (linear.h is the API):
// the problem every binary solver of it reads, a block's weights, the poll
// that lets a solver stop, and the steps between the files:
//   linear_validate.cpp  names of the algorithms; what the learner accepts
//   linear_problem.cpp   a problem's rows and per-row costs and norms
//   linear_pool.cpp      class blocks of all problems on the worker threads
//   solver_svm.cpp       the squared-hinge SVM's dual coordinate descent
//   solver_logistic.cpp  logistic regression's dual coordinate descent
//   linear_kernels.h     the vector kernels both solvers run on a row
//   linear_dual.cpp      dual solutions: the rows of one, the mean of several
//   linear.cpp           the entry points: train_one_vs_rest(_many), decision
#pragma once

#include "linear.h"

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <mutex>
#include <vector>

namespace intent {
namespace linear_internal {

// Thrown inside a worker when another thread asked everybody to stop.
struct StopRequested {};

// Read-only data of one one-vs-rest problem, shared by its binary problems.
struct SharedProblem {
    const FeatureMatrix *X = nullptr; // read in place: one entry stream per row
    // The problem's rows, read in place from X (and X2): the entries of row
    // i start at row_begin(i) (NarrowEntry, WideEntry or CodedEntry, as X)
    // and number row_length(i). A problem on every row of X alone, in order
    // (the refit), reads X's own row pointers and scales (in_place); any
    // other (a fold, or rows of X and X2) lists each row's entries and length
    // in row_data and row_len. A fold is a list of rows, never a copy of them.
    size_t rows = 0;
    const char *entries = nullptr;   // in place: X's entries
    size_t entry_size = 0;           // in place: bytes of one entry
    const size_t *row_ptr = nullptr; // in place: X's row pointers, else null
    std::vector<const void *> row_data;
    std::vector<uint32_t> row_len;
    // A coded matrix (CodedEntry rows): each row's scale (X's own in place,
    // else row_scale_list), and the coding.
    const float *row_scale = nullptr;
    std::vector<float> row_scale_list;
    const float *idf = nullptr;
    const double *tf_weight = nullptr;
    const std::vector<int> *y = nullptr;
    size_t num_classes = 0;
    size_t num_features = 0;
    double bias = 0; // value of the appended constant feature
    // Per row; each algorithm fills what it reads (prepare_problem).
    std::vector<double> cost;    // logistic: C_i = C * class_weight[y_i] * sample_weight[i]
    std::vector<double> sq_norm; // logistic: ||x_i||^2 including the bias feature
    std::vector<double> qd;      // squared hinge: ||x_i||^2 + diag(i)
    // Squared hinge: diag(i) = 1 / (2 C_i) added to Q_ii, computed when read
    // from the class's weight and the row's sample weight (8 bytes a row less
    // than a stored copy, the same double).
    double C = 1;
    std::vector<double> class_weight;
    const float *sample_weight = nullptr; // null: every row weighs 1

    const void *row_begin(size_t i) const {
        return row_ptr ? entries + row_ptr[i] * entry_size : row_data[i];
    }
    uint32_t row_length(size_t i) const {
        return row_ptr ? static_cast<uint32_t>(row_ptr[i + 1] - row_ptr[i]) : row_len[i];
    }
    double diag(size_t i) const {
        const double sw = sample_weight ? sample_weight[i] : 1.0;
        const double cost_i = C * class_weight[static_cast<size_t>((*y)[i])] * sw;
        return 0.5 / cost_i;
    }
    double tolerance = 0.1;
    int max_iterations = 1000;
    uint64_t seed = 0;
    Algorithm algorithm = Algorithm::LinearSVM;
    const DualSolution *warm_start = nullptr; // dual start, or null
    // The same start when the solve took it over (warm_start_taken): each
    // block frees its classes' entries once it has taken them, one block at
    // a time (start_mutex, with the block's dual variables' allocation), so
    // that one block's entries are gone before the next block's variables
    // exist. Distinct blocks free distinct classes.
    DualSolution *warm_start_free = nullptr;
    mutable std::mutex start_mutex;
    DualSolution *dual_out = nullptr; // receives the dual solution, or null
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

// A row's shrinking mask in the SVM solver: bit c for class c of its block.
typedef uint16_t RowMask;
static_assert(kMaxBlock <= 16, "a row's mask holds one bit per class of a block");

// How many rows ahead of the current one to prefetch.
constexpr size_t kPrefetchAhead = 2;

// Seed of block b: distinct per block, independent of scheduling.
inline uint64_t block_seed(uint64_t seed, size_t b) {
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

// The solvers of one block of B classes whose rows hold entries of type E
// (NarrowEntry, WideEntry or CodedEntry): out.first_class and out.count
// name the classes, and the block's weights land in out. Instantiated for B
// in {4, 8, 16} and the three entry types.
template <size_t B, class E>
void solve_svm_block(const SharedProblem &p, Pacer &pacer, unsigned &since_poll, uint64_t seed,
                     BlockWeights &out);
// solve_svm_block<16, E>, or the same solver compiled for AVX-512 when the
// CPU has it (solver_svm.cpp): the same bits either way.
template <class E>
void solve_svm_block_16(const SharedProblem &p, Pacer &pacer, unsigned &since_poll, uint64_t seed,
                        BlockWeights &out);
template <size_t B, class E>
void solve_logistic_block(const SharedProblem &p, Pacer &pacer, unsigned &since_poll, uint64_t seed,
                          BlockWeights &out);

// linear_validate.cpp: each throws Error(InvalidArgument) (or
// InsufficientData for an empty problem) saying what is wrong.
void validate_matrix(const SparseMatrix &X);
void validate_matrix(const FeatureMatrix &X);
void validate_problem(size_t rows, size_t cols, const std::vector<int> &y, size_t num_classes,
                      const std::vector<float> &sample_weight);
void check_warm_start(const DualSolution *v, size_t rows, size_t k);

// linear_problem.cpp
size_t problem_rows(const OneVsRestProblem &q);
size_t problem_row_bytes(const OneVsRestProblem &q, Algorithm algorithm);
void prepare_problem(SharedProblem &p, const OneVsRestProblem &q, const std::vector<float> &sample_weight,
                     const LearnerOptions &options);

// linear_pool.cpp
void solve_all(std::vector<SharedProblem> &problems, const LearnerOptions &options,
               const TrainCallbacks &callbacks);
// Bytes one worker holds while solving a block of p (its block weights, dual
// variables, and row mask and visiting list), what solve_all charges a worker.
size_t worker_bytes(const SharedProblem &p);

} // namespace linear_internal
} // namespace intent
