// One one-vs-rest problem made ready for the solvers: where each of its rows
// is, and the per-row costs and squared norms the two losses read.
#include "errors.h"
#include "linear_kernels.h"

#include <algorithm>
#include <string>
#include <vector>

namespace intent {
namespace linear_internal {

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

// Points row i of the problem at its entries in X or X2: in place when the
// problem is every row of X alone, in order, else through per-row lists.
void locate_rows(SharedProblem &p, const OneVsRestProblem &q) {
    const FeatureMatrix &X = *q.X;
    const size_t first = X.rows(), second = q.X2 ? q.X2->rows() : 0;
    p.rows = problem_rows(q);
    const bool coded = X.coded();
    if (coded) {
        p.idf = X.coding().idf.data();
        p.tf_weight = X.coding().tf_weight.data();
    }
    if (!q.rows && second == 0) {
        p.row_ptr = X.row_ptr();
        if (coded) {
            p.entries = reinterpret_cast<const char *>(X.coded_entries());
            p.entry_size = sizeof(CodedEntry);
            p.row_scale = X.row_scale();
        } else if (X.narrow()) {
            p.entries = reinterpret_cast<const char *>(X.narrow_entries());
            p.entry_size = sizeof(NarrowEntry);
        } else {
            p.entries = reinterpret_cast<const char *>(X.wide_entries());
            p.entry_size = sizeof(WideEntry);
        }
        return;
    }
    p.row_data.resize(p.rows);
    p.row_len.resize(p.rows);
    if (coded) {
        p.row_scale_list.resize(p.rows);
        p.row_scale = p.row_scale_list.data();
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
            p.row_scale_list[i] = M.row_scale()[m];
        } else {
            p.row_data[i] = M.narrow() ? static_cast<const void *>(M.narrow_entries() + b)
                                       : static_cast<const void *>(M.wide_entries() + b);
        }
        p.row_len[i] = static_cast<uint32_t>(e - b);
    }
}

// Bytes of the per-row data prepare_problem() makes for q (what
// train_one_vs_rest_many charges): the row lists unless the rows are read in
// place, and the two doubles (logistic) or one (squared hinge) a row.
size_t problem_row_bytes(const OneVsRestProblem &q, Algorithm algorithm) {
    const size_t rows = problem_rows(q);
    const bool in_place = !q.rows && !(q.X2 && q.X2->rows() > 0);
    const size_t lists =
        in_place ? 0 : sizeof(void *) + sizeof(uint32_t) + (q.X->coded() ? sizeof(float) : 0);
    const size_t doubles = algorithm == Algorithm::LinearSVM ? 1 : 2;
    return rows * (lists + doubles * sizeof(double));
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
    // The squared hinge reads qd per row and diag(i) (computed from C, the
    // class weights and the sample weights), the logistic loss cost and
    // sq_norm per row.
    const bool svm = options.algorithm == Algorithm::LinearSVM;
    p.C = options.C;
    p.class_weight = class_weight;
    p.sample_weight = sample_weight.empty() ? nullptr : sample_weight.data();
    if (svm) {
        p.qd.resize(rows);
    } else {
        p.cost.resize(rows);
        p.sq_norm.resize(rows);
    }
    for (size_t i = 0; i < rows; ++i) {
        const double sw = sample_weight.empty() ? 1.0 : sample_weight[i];
        const double cost = options.C * class_weight[static_cast<size_t>(y[i])] * sw;
        const double b2 = options.bias * options.bias;
        const double s = X.coded()    ? row_sq_norm(b2, make_row<CodedEntry>(p, i), p.row_length(i))
                         : X.narrow() ? row_sq_norm(b2, make_row<NarrowEntry>(p, i), p.row_length(i))
                                      : row_sq_norm(b2, make_row<WideEntry>(p, i), p.row_length(i));
        if (svm) {
            p.qd[i] = s + p.diag(i);
        } else {
            p.cost[i] = cost;
            p.sq_norm[i] = s;
        }
    }
}

} // namespace linear_internal
} // namespace intent
