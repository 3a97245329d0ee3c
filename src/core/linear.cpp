// The entry points of the one-vs-rest learner (linear.h): scoring a row with
// learned weights, and training one or more problems. linear_internal.h
// lists the files that do the work.
#include "errors.h"
#include "linear_internal.h"

#include <algorithm>
#include <vector>

namespace intent {

using namespace linear_internal;

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
        check_warm_start(q.warm_start_taken ? q.warm_start_taken : q.warm_start, rows, q.num_classes);
    }
    std::vector<LinearWeights> out(problems.size());
    std::vector<SharedProblem> shared(problems.size());
    MemoryCharge charge(callbacks.memory);
    for (size_t i = 0; i < problems.size(); ++i) {
        const OneVsRestProblem &q = problems[i];
        const size_t rows = problem_rows(q), cols = q.X->cols(), k = q.num_classes;
        charge.add(problem_row_bytes(q, options.algorithm) + (cols + 1) * k * sizeof(float),
                   "the solver's per-row data and weights");
        prepare_problem(shared[i], q, q.sample_weight ? *q.sample_weight : kNoWeights, options);
        out[i].num_features = cols;
        out[i].num_classes = k;
        // out[i].w is allocated when the problem's first block is done
        // (solve_all), not beside every block's starting state.
        out[i].bias.assign(k, 0.0f);
        shared[i].out = &out[i];
        const DualSolution *start = q.warm_start_taken ? q.warm_start_taken : q.warm_start;
        shared[i].warm_start = start && start->usable() ? start : nullptr;
        if (shared[i].warm_start && q.warm_start_taken) shared[i].warm_start_free = q.warm_start_taken;
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

} // namespace intent
