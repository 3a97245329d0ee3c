// Fold fits and out-of-fold scores (see crossval.h).
#include "crossval.h"

#include "errors.h"
#include "folds.h"
#include "scoring.h"

#include <algorithm>

namespace intent {

FitRows::FitRows(const TrainingSet &set, const std::vector<char> &include, MemoryBudget *budget)
    : charge(budget) {
    const size_t n = set.num_entries();
    if (!include.empty() && include.size() != n)
        throw Error(ErrorKind::Internal, "row selection does not match the entries");
    if (set.column.size() != n || set.weight.size() != n || set.variant_entry.size() != set.variants.rows())
        throw Error(ErrorKind::Internal, "inconsistent training set");
    // Every row (the refit): the problem reads every row of the matrices in
    // order, and without variants the set's own classes and weights, which
    // are the values a copy would hold. Nothing per row is copied.
    if (include.empty()) {
        every_row = true;
        if (set.variant_entry.empty()) return;
    }
    auto in = [&](size_t e) { return include.empty() || include[e] != 0; };
    size_t count = 0;
    for (size_t e = 0; e < n; ++e)
        count += in(e);
    for (size_t e : set.variant_entry)
        count += in(e);
    charge.add(count * ((every_row ? 0 : sizeof(uint32_t)) + sizeof(int) + sizeof(float)),
               "the rows of a fit");
    if (!every_row) rows.reserve(count);
    y.reserve(count);
    weight.reserve(count);
    for (size_t e = 0; e < n; ++e) {
        if (!in(e)) continue;
        if (!every_row) rows.push_back(static_cast<uint32_t>(e));
        y.push_back(set.column[e]);
        weight.push_back(set.weight[e]);
    }
    for (size_t v = 0; v < set.variant_entry.size(); ++v) {
        const size_t e = set.variant_entry[v];
        if (!in(e)) continue;
        if (!every_row) rows.push_back(static_cast<uint32_t>(n + v));
        y.push_back(set.column[e]);
        weight.push_back(set.weight[e] * set.variant_weight);
    }
}

OneVsRestProblem FitRows::problem(const TrainingSet &set) const {
    OneVsRestProblem q;
    q.X = &set.entries;
    q.X2 = set.variants.rows() > 0 ? &set.variants : nullptr;
    const bool own = !every_row || set.variants.rows() > 0; // else the set's classes and weights
    q.rows = every_row ? nullptr : &rows;
    q.y = own ? &y : &set.column;
    q.num_classes = set.columns;
    q.sample_weight = own ? &weight : &set.weight;
    return q;
}

LinearWeights fit_rows(const TrainingSet &set, const std::vector<char> &include,
                       const LearnerOptions &options, const TrainCallbacks &callbacks,
                       const std::function<void(OneVsRestProblem &)> &setup) {
    const FitRows fit(set, include, callbacks.memory);
    OneVsRestProblem problem = fit.problem(set);
    if (setup) setup(problem);
    return std::move(train_one_vs_rest_many({problem}, options, callbacks).front());
}

QuantizedWeights::QuantizedWeights(const LinearWeights &w)
    : num_classes(w.num_classes), stride(padded(w.num_classes)) {
    quantize(w, q, scale);
    bias.assign(stride, 0.0f);
    std::copy(w.bias.begin(), w.bias.end(), bias.begin());
}

size_t QuantizedWeights::bytes(size_t num_features, size_t num_classes) {
    const size_t stride = padded(num_classes);
    return num_features * stride * sizeof(int16_t) + (num_classes + stride) * sizeof(float);
}

void QuantizedWeights::score(const SparseVector &row, float *out) const {
    score_row(row, q.data(), stride, scale.data(), bias.data(), num_classes, out);
}

void score_rows_into(const LinearWeights &weights, const FeatureMatrix &X, const std::vector<size_t> &rows,
                     float *out, size_t out_stride) {
    const QuantizedWeights qw(weights);
    const size_t k = qw.num_classes;
    SparseVector row;
    std::vector<float> buf(qw.stride);
    for (size_t r : rows) {
        X.row(r, row);
        qw.score(row, buf.data());
        std::copy(buf.begin(), buf.begin() + static_cast<std::ptrdiff_t>(k), out + r * out_stride);
    }
}

void FoldModels::score(const TrainingSet &set, size_t e, SparseVector &row, float *out) const {
    if (model[e] < 0) throw Error(ErrorKind::Internal, "scoring an entry no fold held out");
    set.entries.row(e, row);
    models[static_cast<size_t>(model[e])].score(row, out);
}

std::vector<FoldModels> cross_validate_models(const TrainingSet &set, const std::vector<int> &fold,
                                              size_t folds, const std::vector<double> &Cs,
                                              const LearnerOptions &options, size_t threads,
                                              const TrainCallbacks &callbacks, const char *stage,
                                              bool keep_refit_start, const DualSolution *fold_start) {
    const size_t n = set.num_entries(), k = set.columns;
    if (fold.size() != n) throw Error(ErrorKind::Internal, "fold assignment does not match the entries");
    // Entries each fold holds out, and the columns its training rows cover.
    std::vector<size_t> held_count(folds, 0);
    std::vector<std::vector<char>> seen(folds, std::vector<char>(k, 0));
    for (size_t e = 0; e < n; ++e) {
        if (fold[e] >= static_cast<int>(folds)) throw Error(ErrorKind::Internal, "fold out of range");
        if (fold[e] >= 0) ++held_count[static_cast<size_t>(fold[e])];
        for (size_t f = 0; f < folds; ++f)
            if (fold[e] != static_cast<int>(f)) seen[f][static_cast<size_t>(set.column[e])] = 1;
    }
    // The training rows of every fold that holds something out: lists of
    // row numbers into the set's matrices, shared by every C.
    std::vector<int> model_of_fold(folds, -1);
    std::vector<FitRows> fits;
    fits.reserve(folds);
    for (size_t f = 0; f < folds; ++f) {
        if (held_count[f] == 0) continue;
        std::vector<char> include(n);
        for (size_t e = 0; e < n; ++e)
            include[e] = fold[e] != static_cast<int>(f);
        model_of_fold[f] = static_cast<int>(fits.size());
        fits.emplace_back(set, include, callbacks.memory);
    }
    std::vector<FoldModels> out(Cs.size());
    for (size_t c = 0; c < Cs.size(); ++c) {
        FoldModels &fm = out[c];
        fm.C = Cs[c];
        fm.charge =
            MemoryCharge(callbacks.memory,
                         n * (sizeof(int) + 1) + fits.size() * QuantizedWeights::bytes(set.entries.cols(), k),
                         "the fold models");
        fm.model.assign(n, -1);
        fm.column_seen.assign(n, 0);
        for (size_t e = 0; e < n; ++e) {
            if (fold[e] < 0 || model_of_fold[static_cast<size_t>(fold[e])] < 0) continue;
            const size_t f = static_cast<size_t>(fold[e]);
            fm.model[e] = model_of_fold[f];
            fm.column_seen[e] = seen[f][static_cast<size_t>(set.column[e])];
        }
    }
    // The learner reports classes as "train"; here they are the folds', for
    // each C in turn.
    size_t c_index = 0;
    TrainCallbacks fold_callbacks;
    fold_callbacks.cancelled = callbacks.cancelled;
    fold_callbacks.memory = callbacks.memory;
    if (callbacks.progress)
        fold_callbacks.progress = [&callbacks, &c_index, &Cs, stage](const TrainProgress &p) {
            callbacks.report(stage, c_index * p.total + p.done, Cs.size() * p.total);
        };
    LearnerOptions fold_options = options;
    fold_options.threads = static_cast<int>(threads);
    std::vector<OneVsRestProblem> problems;
    for (const FitRows &fit : fits)
        problems.push_back(fit.problem(set));
    // The folds' dual solutions, for the refit's warm start: from the
    // folds' mean it needs 29-58 % fewer coordinate steps than a cold start
    // (CLINC150 with 2 folds: 11.4M instead of 16.0M; HWU64 2.8M instead of
    // 4.6M; MTOD es 0.20M instead of 0.48M) and reaches the same objective
    // to the solver's tolerance.
    std::vector<DualSolution> duals(keep_refit_start ? problems.size() : 0);
    for (size_t f = 0; f < duals.size(); ++f) {
        problems[f].dual_out = &duals[f];
        problems[f].dual_out_limit = kRefitStartBytes / duals.size();
    }
    // Each fold's weights are those of fitting it alone, however the folds
    // are scheduled. On several threads every fold of a C is solved at once
    // (the folds' class blocks share the threads, so no core idles at one
    // fold's tail); on one thread nothing is gained by that, and the folds
    // are solved one after another, so that one fold's solver state, warm
    // start and float weights are alive at a time instead of every fold's.
    const size_t batch = threads > 1 ? problems.size() : 1;
    // Folds that train on nearly every row (the deploy gate's) start from a
    // solution on every row: its entries for their rows, taken for the
    // folds being solved.
    MemoryCharge starts_charge(callbacks.memory);
    const bool warm =
        fold_start && fold_start->usable() && starts_charge.try_add(batch * fold_start->bytes());
    for (size_t c = 0; c < Cs.size(); ++c) {
        if (problems.empty()) break;
        fold_options.C = Cs[c];
        c_index = c;
        FoldModels &fm = out[c];
        fm.models.reserve(problems.size());
        size_t classes_before = 0, classes_all = 0;
        for (const OneVsRestProblem &q : problems)
            classes_all += q.num_classes;
        TrainCallbacks batch_callbacks = fold_callbacks;
        if (fold_callbacks.progress && batch < problems.size())
            batch_callbacks.progress = [&](const TrainProgress &p) {
                fold_callbacks.progress(TrainProgress{p.stage, classes_before + p.done, classes_all});
            };
        for (size_t first = 0; first < problems.size(); first += batch) {
            const size_t end = std::min(problems.size(), first + batch);
            std::vector<OneVsRestProblem> part(problems.begin() + static_cast<std::ptrdiff_t>(first),
                                               problems.begin() + static_cast<std::ptrdiff_t>(end));
            std::vector<DualSolution> starts;
            if (warm) {
                starts.reserve(part.size());
                for (size_t f = first; f < end; ++f) {
                    starts.push_back(dual_rows(*fold_start, fits[f].rows));
                    callbacks.check_cancel();
                }
                for (size_t i = 0; i < part.size(); ++i)
                    part[i].warm_start = &starts[i];
            }
            std::vector<LinearWeights> weights = train_one_vs_rest_many(part, fold_options, batch_callbacks);
            for (LinearWeights &w : weights) {
                callbacks.check_cancel();
                fm.models.emplace_back(w);
                w = LinearWeights(); // the float weights go as soon as their quantised copy exists
            }
            for (const OneVsRestProblem &q : part)
                classes_before += q.num_classes;
        }
        if (keep_refit_start) {
            callbacks.check_cancel();
            std::vector<const DualSolution *> parts;
            std::vector<const std::vector<uint32_t> *> part_rows;
            size_t bytes = 0;
            for (size_t f = 0; f < duals.size(); ++f) {
                parts.push_back(&duals[f]);
                part_rows.push_back(&fits[f].rows);
                bytes += duals[f].bytes();
            }
            MemoryCharge parts_charge(callbacks.memory);
            if (parts_charge.try_add(bytes)) {
                fm.refit_start = mean_duals(parts, part_rows, n + set.variants.rows());
                if (fm.refit_start.complete && !fm.refit_start_charge.try_add(fm.refit_start.bytes()))
                    fm.refit_start = DualSolution{{}, false};
            } else {
                fm.refit_start.complete = false;
            }
            for (DualSolution &d : duals)
                d = DualSolution();
        }
    }
    return out;
}

std::vector<FoldScores> cross_validate(const TrainingSet &set, const std::vector<int> &fold, size_t folds,
                                       const std::vector<double> &Cs, const LearnerOptions &options,
                                       size_t threads, const TrainCallbacks &callbacks, const char *stage) {
    const size_t n = set.num_entries(), k = set.columns;
    std::vector<FoldModels> models =
        cross_validate_models(set, fold, folds, Cs, options, threads, callbacks, stage);
    std::vector<FoldScores> out(Cs.size());
    SparseVector row;
    std::vector<float> buf(padded(k));
    for (size_t c = 0; c < Cs.size(); ++c) {
        FoldModels &fm = models[c];
        FoldScores &fs = out[c];
        fs.C = fm.C;
        fs.charge = MemoryCharge(callbacks.memory, n * k * sizeof(float) + 2 * n, "the out-of-fold scores");
        fs.scores.assign(n * k, 0.0f);
        fs.held_out.assign(n, 0);
        fs.column_seen = std::move(fm.column_seen);
        for (size_t e = 0; e < n; ++e) {
            if (!fm.held_out(e)) continue;
            if ((e & 1023) == 1023) callbacks.check_cancel();
            fm.score(set, e, row, buf.data());
            std::copy(buf.begin(), buf.begin() + static_cast<std::ptrdiff_t>(k),
                      fs.scores.begin() + static_cast<std::ptrdiff_t>(e * k));
            fs.held_out[e] = 1;
        }
        fm = FoldModels();
    }
    return out;
}

} // namespace intent
