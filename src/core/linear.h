// One-vs-rest linear classifiers trained by dual coordinate descent
// (Hsieh et al. 2008 for the L2-loss SVM; Yu, Huang & Lin 2011 for logistic
// regression), the methods LIBLINEAR uses, with its shrinking heuristic.
#pragma once

#include "memory_budget.h"
#include "sparse.h"

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

namespace intent {

enum class Algorithm : uint8_t { LinearSVM = 1, LogisticRegression = 2 };

const char *algorithm_name(Algorithm a);            // "linear_svm", "logistic_regression"
Algorithm parse_algorithm(const std::string &name); // throws Error(InvalidArgument)

struct LearnerOptions {
    Algorithm algorithm = Algorithm::LinearSVM;
    double C = 1.0;
    bool balanced_class_weight = true; // weight_c = n / (k * n_c), as scikit-learn
    double tolerance = 0.1;            // LIBLINEAR's stopping eps for the dual solvers
    int max_iterations = 1000;         // outer passes per binary problem
    double bias = 1.0;                 // value of the appended bias feature (0 = no bias)
    uint64_t seed = 42;                // order of coordinate visits
    int threads = 0;                   // worker threads; 0 = min(hardware_concurrency, 4)

    // Most threads a solve uses, whatever `threads` asks (validate accepts
    // up to 256 for compatibility). Fewer threads never change a result;
    // the memory budget can lower the count further.
    static constexpr size_t kMaxThreads = 64;
    // Largest C the solvers take: validate()'s bound, and the C grid's
    // (select_C never tries a C an option could not give).
    static constexpr double kMaxC = 1e6;
    // The other options' ranges, stated once: the option parser
    // (options.cpp) and validate() read these, and the parser's messages
    // give them as arguments. C and tolerance are above 0 and at most the
    // bound; the integers are within [min, max].
    static constexpr double kMaxTolerance = 10;
    static constexpr int kMinMaxIterations = 1;
    static constexpr int kMaxMaxIterations = 1000000;
    static constexpr int kMinThreads = 0; // 0: automatic
    static constexpr int kMaxThreadsOption = 256;

    void validate() const; // throws Error(InvalidArgument) naming the option
};

struct TrainProgress {
    const char *stage; // "features", "train", "calibrate", "evaluate"
    size_t done;       // classes (or rows) finished in this stage
    size_t total;
};

// Progress is informational. `cancelled` is polled at least every ~50 ms of
// work; when it returns true the learner throws Error(Cancelled). `memory`,
// when set, is charged before the large allocations of the vectoriser's fit
// and fit_transform and of the solvers (Error(ResourceLimit) when they would
// not fit); the pipeline passes the same callbacks everywhere, so setting it
// once covers a whole training run. All three are used from the calling
// thread only.
struct TrainCallbacks {
    std::function<void(const TrainProgress &)> progress;
    std::function<bool()> cancelled;
    MemoryBudget *memory = nullptr;

    void report(const char *stage, size_t done, size_t total) const {
        if (progress) progress(TrainProgress{stage, done, total});
    }
    void check_cancel() const; // throws Error(Cancelled) when cancelled() says so
};

// Dense one-vs-rest weights, feature-major: weight(f, c) = w[f * num_classes + c],
// so scoring a sparse row walks contiguous class vectors.
struct LinearWeights {
    size_t num_features = 0;
    size_t num_classes = 0;
    std::vector<float> w;
    std::vector<float> bias; // per class (already multiplied by options.bias)

    // Raw decision scores (one per class) of a sparse row.
    void decision(const SparseVector &x, float *scores) const;
};

// Trains one binary problem per class (class c vs the rest). `y[i]` in
// [0, num_classes); `sample_weight` empty or one positive weight per row.
// Per-row cost is C * class_weight[y_i] * sample_weight[i].
// Deterministic for the same inputs, and bit-identical for any thread count.
// Throws Error(InvalidArgument) on bad input, Error(ResourceLimit) when
// callbacks.memory cannot hold even one worker's state.
LinearWeights train_one_vs_rest(const SparseMatrix &X, const std::vector<int> &y, size_t num_classes,
                                const std::vector<float> &sample_weight, const LearnerOptions &options,
                                const TrainCallbacks &callbacks);

// The same on a FeatureMatrix, read in place (the SparseMatrix form makes a
// compact copy first). Both give bit-identical weights.
LinearWeights train_one_vs_rest(const FeatureMatrix &X, const std::vector<int> &y, size_t num_classes,
                                const std::vector<float> &sample_weight, const LearnerOptions &options,
                                const TrainCallbacks &callbacks);

// Work a solve did, for benchmarks and reports: deterministic, unlike time.
struct SolverStats {
    size_t coordinate_steps = 0; // one-variable sub-problems solved (a row for one class)
    int max_passes = 0;          // outer passes of the slowest class
};

// A dual solution of a one-vs-rest problem, kept sparse: for each class, the
// problem's rows whose dual variable is not zero, ascending, with its value
// (a float: a warm start needs no more). A squared-hinge SVM's solution is
// mostly zeros (CLINC150's 15,000 rows x 150 classes: 4.4 % are not), so it
// costs a fraction of rows x classes; logistic regression's is never zero,
// so every row is listed.
struct DualSolution {
    struct Entry {
        uint32_t row;
        float value;
    };
    std::vector<std::vector<Entry>> classes;
    // False when the solver stopped keeping it (the solution outgrew the
    // problem's dual_out_limit); the entries are then dropped.
    bool complete = true;

    size_t entries() const;
    size_t bytes() const; // of the entries and the per-class lists
    // A solution to start from: complete and with its classes (a default
    // one, from no solve at all, has none).
    bool usable() const { return complete && !classes.empty(); }
};

// One problem for train_one_vs_rest_many. Pointers must outlive the call.
struct OneVsRestProblem {
    const FeatureMatrix *X = nullptr;
    const std::vector<int> *y = nullptr;
    size_t num_classes = 0;
    const std::vector<float> *sample_weight = nullptr; // null or empty: every row weighs 1
    // Dual warm start (num_classes lists, rows of this problem), for
    // example dual_rows() of a solution on a superset of these rows, or the
    // mean of cross-validation folds' solutions. The solver starts from it
    // instead of zero: the result agrees with a cold start to the solver's
    // tolerance (not bit for bit) and is still deterministic. Null or not
    // usable(): cold start.
    const DualSolution *warm_start = nullptr;
    // When set, receives the dual solution. The solve charges
    // callbacks.memory for its entries' bound (dual_out_limit bytes, or
    // rows x classes entries if fewer) while it runs; the caller charges
    // what it keeps. A solution that would outgrow the limit, or a bound
    // that does not fit the budget, leaves it empty and not complete
    // instead of failing the solve.
    DualSolution *dual_out = nullptr;
    // When set, receives the work done.
    SolverStats *stats = nullptr;
    // A second matrix (same columns), whose row j is the problem's matrix
    // row X->rows() + j: rows kept apart (typo variants) train together.
    const FeatureMatrix *X2 = nullptr;
    // The problem's rows, in order, as indices into X's rows followed by
    // X2's: a cross-validation fold trains on a list of rows, read in place,
    // never on a copy. y, sample_weight and the duals have one value per
    // listed row. Null: every row of X, then of X2. Training on a list of
    // rows gives bit-identical weights to training on a matrix of copies of
    // them in that order.
    const std::vector<uint32_t> *rows = nullptr;
    size_t dual_out_limit = SIZE_MAX;
    // A warm start the solve takes over instead (warm_start is then
    // ignored): the same start, and each class's entries are freed as soon
    // as its block has taken them, so the start shrinks while the blocks
    // run instead of staying whole to the end (the refit's, the folds' mean,
    // up to kRefitStartBytes). It keeps its classes (empty) and complete.
    DualSolution *warm_start_taken = nullptr;
};

// Solves independent problems (cross-validation folds, refits) on the
// worker threads at once: the class blocks of all problems share one pool,
// so a fold's last block does not leave a core idle. Each problem's weights
// are bit-identical to train_one_vs_rest on it alone (with the same warm
// start), for any thread count. Progress counts the classes of all problems.
std::vector<LinearWeights> train_one_vs_rest_many(const std::vector<OneVsRestProblem> &problems,
                                                  const LearnerOptions &options,
                                                  const TrainCallbacks &callbacks);

// The dual variables of the rows `rows` (distinct; row rows[i] of `dual`
// becomes row i) of a dual solution: a warm start for a problem on those
// rows. Row is size_t or uint32_t (a fold's row list, taken as it is).
template <class Row> DualSolution dual_rows(const DualSolution &dual, const std::vector<Row> &rows);

// The warm start of a problem on `rows` rows from solutions of problems on
// subsets of them (cross-validation folds): parts[f]'s row j is row
// part_rows[f][j]; each row's value is the mean over the parts that
// contain it (a row in no part starts at zero). Incomplete when a part is.
DualSolution mean_duals(const std::vector<const DualSolution *> &parts,
                        const std::vector<const std::vector<uint32_t> *> &part_rows, size_t rows);

} // namespace intent
