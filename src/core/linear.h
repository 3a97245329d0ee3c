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
// Deterministic for the same inputs. Throws Error(InvalidArgument) on bad input.
LinearWeights train_one_vs_rest(const SparseMatrix &X, const std::vector<int> &y, size_t num_classes,
                                const std::vector<float> &sample_weight, const LearnerOptions &options,
                                const TrainCallbacks &callbacks);

} // namespace intent
