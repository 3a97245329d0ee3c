// Names of the algorithms, and validation of what the one-vs-rest learner
// is given: options, matrices, labels, sample weights and warm starts.
#include "errors.h"
#include "linear_internal.h"

#include <cmath>
#include <limits>
#include <string>

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
    // The ranges are the header's constants, which the option parser reads too.
    if (!(std::isfinite(C) && C > 0 && C <= kMaxC))
        throw Error(ErrorKind::InvalidArgument, "invalid value for option C",
                    "C must be a finite number greater than 0 and at most " + number_arg(kMaxC) + ".",
                    "The usual value is 1.");
    if (!(std::isfinite(tolerance) && tolerance > 0 && tolerance <= kMaxTolerance))
        throw Error(ErrorKind::InvalidArgument, "invalid value for option tolerance",
                    "The tolerance must be a finite number greater than 0 and at most " +
                        number_arg(kMaxTolerance) + ".",
                    "The usual value is 0.1.");
    if (max_iterations < kMinMaxIterations || max_iterations > kMaxMaxIterations)
        throw Error(ErrorKind::InvalidArgument, "invalid value for option max_iterations",
                    "max_iterations must be between " + std::to_string(kMinMaxIterations) + " and " +
                        std::to_string(kMaxMaxIterations) + ".");
    if (!(std::isfinite(bias) && bias >= 0 && bias <= 1e6))
        throw Error(ErrorKind::InvalidArgument, "invalid value for option bias",
                    "The bias must be a finite number between 0 and 1e6.", "Use 1, or 0 for no intercept.");
    if (threads < kMinThreads || threads > kMaxThreadsOption)
        throw Error(ErrorKind::InvalidArgument, "invalid value for option threads",
                    "threads must be between " + std::to_string(kMinThreads) + " and " +
                        std::to_string(kMaxThreadsOption) + ".",
                    "Use 0 to pick a count from the hardware.");
}

// Throws Error(Cancelled) when the cancel callback asks to stop.
void TrainCallbacks::check_cancel() const {
    if (cancelled && cancelled()) throw Error(ErrorKind::Cancelled, "training cancelled");
}

namespace linear_internal {

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
        throw Error(ErrorKind::InsufficientData, Message{N_("no classes to train"), {}},
                    N_("At least one intent is needed to train a classifier."));
    if (num_classes > 100000 || (cols > 0 && num_classes > (size_t{1} << 31) / cols))
        throw Error(ErrorKind::InvalidArgument, "model too large",
                    "The weight matrix would need " + std::to_string(num_classes) + " x " +
                        std::to_string(cols) + " entries.",
                    "Reduce max_features or the number of intents.");
    if (rows == 0)
        throw Error(ErrorKind::InsufficientData, Message{N_("no rows to train on"), {}},
                    N_("The training set is empty after preparation."));
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

} // namespace linear_internal
} // namespace intent
