// Fold fits and out-of-fold scores (see crossval.h).
#include "crossval.h"

#include "errors.h"
#include "folds.h"
#include "parallel.h"
#include "scoring.h"

#include <algorithm>

namespace intent {

namespace {

// Appends row r of `from` to `to`.
void copy_row(const SparseMatrix &from, size_t r, SparseMatrix &to) {
    const auto b = static_cast<std::ptrdiff_t>(from.row_ptr[r]),
               e = static_cast<std::ptrdiff_t>(from.row_ptr[r + 1]);
    to.col.insert(to.col.end(), from.col.begin() + b, from.col.begin() + e);
    to.val.insert(to.val.end(), from.val.begin() + b, from.val.begin() + e);
    to.row_ptr.push_back(to.col.size());
}

} // namespace

LinearWeights fit_rows(const TrainingSet &set, const std::vector<char> &include,
                       const LearnerOptions &options, const TrainCallbacks &callbacks) {
    const size_t n = set.num_entries();
    if (include.size() != n) throw Error(ErrorKind::Internal, "row selection does not match the entries");
    SparseMatrix X;
    X.cols = set.entries.cols;
    std::vector<int> y;
    std::vector<float> w;
    for (size_t e = 0; e < n; ++e) {
        if (!include[e]) continue;
        copy_row(set.entries, e, X);
        y.push_back(set.column[e]);
        w.push_back(set.weight[e]);
    }
    for (size_t v = 0; v < set.variant_entry.size(); ++v) {
        const size_t e = set.variant_entry[v];
        if (!include[e]) continue;
        copy_row(set.variants, v, X);
        y.push_back(set.column[e]);
        w.push_back(set.weight[e] * set.variant_weight);
    }
    return train_one_vs_rest(X, y, set.columns, w, options, callbacks);
}

std::vector<float> score_rows(const LinearWeights &weights, const SparseMatrix &X,
                              const std::vector<size_t> &rows) {
    const size_t k = weights.num_classes, stride = padded(k);
    std::vector<int16_t> q;
    std::vector<float> scale;
    quantize(weights, q, scale);
    std::vector<float> bias(stride, 0.0f);
    std::copy(weights.bias.begin(), weights.bias.end(), bias.begin());
    std::vector<float> out(rows.size() * k);
    SparseVector row;
    std::vector<float> buf(stride);
    for (size_t i = 0; i < rows.size(); ++i) {
        const size_t r = rows[i];
        const auto b = static_cast<std::ptrdiff_t>(X.row_ptr[r]),
                   e = static_cast<std::ptrdiff_t>(X.row_ptr[r + 1]);
        row.index.assign(X.col.begin() + b, X.col.begin() + e);
        row.value.assign(X.val.begin() + b, X.val.begin() + e);
        score_row(row, q.data(), stride, scale.data(), bias.data(), k, buf.data());
        std::copy(buf.begin(), buf.begin() + static_cast<std::ptrdiff_t>(k),
                  out.begin() + static_cast<std::ptrdiff_t>(i * k));
    }
    return out;
}

std::vector<FoldScores> cross_validate(const TrainingSet &set, const std::vector<int> &fold, size_t folds,
                                       const std::vector<double> &Cs, const LearnerOptions &options,
                                       size_t threads, const TrainCallbacks &callbacks, const char *stage) {
    const size_t n = set.num_entries(), k = set.columns;
    if (fold.size() != n) throw Error(ErrorKind::Internal, "fold assignment does not match the entries");
    std::vector<FoldScores> out(Cs.size());
    for (size_t c = 0; c < Cs.size(); ++c) {
        out[c].C = Cs[c];
        out[c].scores.assign(n * k, 0.0f);
        out[c].held_out.assign(n, 0);
        out[c].column_seen.assign(n, 0);
    }
    // Held-out entries of each fold, and the columns its training rows cover.
    std::vector<std::vector<size_t>> held(folds);
    std::vector<std::vector<char>> seen(folds, std::vector<char>(k, 0));
    for (size_t e = 0; e < n; ++e) {
        if (fold[e] >= 0) held[static_cast<size_t>(fold[e])].push_back(e);
        for (size_t f = 0; f < folds; ++f)
            if (fold[e] != static_cast<int>(f)) seen[f][static_cast<size_t>(set.column[e])] = 1;
    }
    // One fit at a time on every thread when the learner's class blocks keep
    // them busy; otherwise several single-threaded fits at once.
    const bool inner = learner_blocks(k) >= 2 * threads;
    LearnerOptions task_options = options;
    task_options.threads = inner ? static_cast<int>(threads) : 1;
    const size_t tasks = Cs.size() * folds;
    callbacks.report(stage, 0, tasks);
    auto task = [&](size_t t, const TrainCallbacks &cb) {
        const size_t c = t / folds, f = t % folds;
        if (held[f].empty()) return;
        std::vector<char> include(n);
        for (size_t e = 0; e < n; ++e)
            include[e] = fold[e] != static_cast<int>(f);
        LearnerOptions o = task_options;
        o.C = Cs[c];
        const LinearWeights w = fit_rows(set, include, o, cb);
        const std::vector<float> s = score_rows(w, set.entries, held[f]);
        FoldScores &fs = out[c];
        for (size_t i = 0; i < held[f].size(); ++i) {
            const size_t e = held[f][i];
            std::copy(s.begin() + static_cast<std::ptrdiff_t>(i * k),
                      s.begin() + static_cast<std::ptrdiff_t>((i + 1) * k),
                      fs.scores.begin() + static_cast<std::ptrdiff_t>(e * k));
            fs.held_out[e] = 1;
            fs.column_seen[e] = seen[f][static_cast<size_t>(set.column[e])];
        }
    };
    // run_tasks reports finished fits; the fits' own class-by-class progress
    // is not the run's, so tasks get the cancel check only.
    run_tasks(tasks, inner ? 1 : threads, callbacks, task, stage);
    return out;
}

} // namespace intent
