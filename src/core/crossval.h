// Fitting the one-vs-rest learner on subsets of a run's rows and scoring the
// rows each fit never saw: the out-of-fold scores behind the metrics, the
// calibrator, the threshold, the choice of C and the deploy-gate evidence.
#pragma once

#include "linear.h"
#include "sparse.h"
#include "vectorizer.h"

#include <cstddef>
#include <cstdint>
#include <functional>
#include <vector>

namespace intent {

// Every training row of a run: one TF-IDF row per entry plus its synthetic
// typo variants (see typos.h), which always travel with their entry: a fold
// that holds an entry out holds out its variants too. Both matrices are
// compact (FeatureMatrix) and charged to the run's memory budget; fold fits
// read their rows in place (a list of row numbers per fold, no copies).
struct TrainingSet {
    FeatureMatrix entries;             // one row per entry
    FeatureMatrix variants;            // typo variant rows (may have no rows)
    std::vector<size_t> variant_entry; // entry of each variant row
    std::vector<int> column;           // per entry: learner class (intent, or the out-of-scope column)
    std::vector<float> weight;         // per entry sample weight
    float variant_weight = 1.0f;       // a variant's weight relative to its entry's
    size_t columns = 0;                // learner classes: intents (+1 with out-of-scope rows)
    std::vector<char> recognised;      // per entry: the vocabulary recognises it (novelty.h); empty: all
    std::vector<MessageWords> words;   // per entry: its words, and those not in the vocabulary; empty: none
    std::vector<char> unigram;         // per feature [0, size): a word unigram (novelty.h's FoldWords)

    size_t num_entries() const { return entries.rows(); }
    // Whether entry e has evidence at all (novelty.h): a set built without
    // a vectoriser's recognition (recognised empty) recognises every entry.
    bool recognises(size_t e) const { return e >= recognised.size() || recognised[e] != 0; }
};

// The rows of a fit on every entry with include[e] != 0 plus their variants
// (entries first, then variants, in order), with their classes and weights:
// a OneVsRestProblem over set.entries and set.variants. `include` empty
// means every entry: then `rows` stays empty (the problem reads every row
// in order), and without variants so do `y` and `weight` (the problem reads
// set.column and set.weight), so the refit copies nothing per row.
struct FitRows {
    std::vector<uint32_t> rows;
    std::vector<int> y;
    std::vector<float> weight;
    bool every_row = false;
    MemoryCharge charge;

    FitRows(const TrainingSet &set, const std::vector<char> &include, MemoryBudget *budget);
    OneVsRestProblem problem(const TrainingSet &set) const;
};

// Fits on every entry with include[e] != 0, plus their variants. `setup`,
// when given, completes the problem before the solve (a warm start, a dual
// solution to keep, statistics: see OneVsRestProblem).
LinearWeights fit_rows(const TrainingSet &set, const std::vector<char> &include,
                       const LearnerOptions &options, const TrainCallbacks &callbacks,
                       const std::function<void(OneVsRestProblem &)> &setup = {});

// A fold model as the served model scores with it: int16-quantised
// weights (quantize()), one scale per class and the bias padded to the lane
// stride. Scores through it are bit-identical to the served kernel's.
struct QuantizedWeights {
    size_t num_classes = 0, stride = 0;
    std::vector<int16_t> q;
    std::vector<float> scale, bias;

    QuantizedWeights() = default;
    explicit QuantizedWeights(const LinearWeights &w);
    // Bytes of the quantised form of a num_features x num_classes model.
    static size_t bytes(size_t num_features, size_t num_classes);
    // Raw decision scores of one row into out[0..stride) (the first
    // num_classes are the scores).
    void score(const SparseVector &row, float *out) const;
};

// Raw decision scores of `rows` of `X` through the int16-quantised weights
// the served model uses, so out-of-fold scores are the scores a deployed
// model would give: row rows[i] goes to out + rows[i] * stride (k values).
void score_rows_into(const LinearWeights &weights, const FeatureMatrix &X, const std::vector<size_t> &rows,
                     float *out, size_t stride);

// The fold models of one value of C, kept instead of their out-of-fold
// scores: an entries x columns score array is far larger than the models
// on large data (1M entries x 151 columns of floats is 600 MB, five fold
// models of 150k features a fraction of it), and each entry's scores can be
// recomputed, bit for bit, from the quantised model of its fold.
struct FoldModels {
    double C = 0;
    std::vector<QuantizedWeights> models; // one per fold that holds entries out
    std::vector<int> model;        // per entry: index into models of the model that never saw it, -1 if none
    std::vector<char> column_seen; // per entry: its fold's training rows included its column
    MemoryCharge charge;           // of the above, on the run's budget
    // When asked for: the warm start of the refit on every row (rows of
    // FitRows(set, {}), entries then variants), each row's dual variables
    // averaged over the folds that trained on it; not usable() when it
    // would not fit (kRefitStartBytes, or the budget) or no fold held
    // anything out, and the refit then starts cold.
    DualSolution refit_start;
    MemoryCharge refit_start_charge;

    bool held_out(size_t e) const { return model[e] >= 0; }
    // Out-of-fold scores of held-out entry e into out[0..padded(columns));
    // `row` is scratch.
    void score(const TrainingSet &set, size_t e, SparseVector &row, float *out) const;
    // The biases of the model that scores held-out entry e.
    const float *bias(size_t e) const { return models[static_cast<size_t>(model[e])].bias.data(); }
};

// For each C in `Cs` and each fold f in [0, folds): fits on every entry whose
// fold is not f (fold -1 entries are always in), and keeps the model that
// scores the entries of fold f. The folds of one C are solved together on
// `threads` threads (train_one_vs_rest_many: the class blocks of every fold
// share one pool), each fold bit-identical to fitting it alone, so results
// do not depend on the thread count. Progress is reported as (`stage`,
// classes finished, classes of all folds) for each C in turn, from the
// calling thread. Memory: the fold row lists, the solver state and the
// quantised models are charged to callbacks.memory. With
// `keep_refit_start`, each FoldModels also gets the refit's warm start.
// With a usable() `fold_start` (a dual solution on every row of the set, as
// FitRows(set, {}) lists them), each fold starts from its rows of it.
std::vector<FoldModels> cross_validate_models(const TrainingSet &set, const std::vector<int> &fold,
                                              size_t folds, const std::vector<double> &Cs,
                                              const LearnerOptions &options, size_t threads,
                                              const TrainCallbacks &callbacks, const char *stage = "evaluate",
                                              bool keep_refit_start = false,
                                              const DualSolution *fold_start = nullptr);

// The most the folds' dual solutions may take (all folds together) for a
// refit's warm start. A squared-hinge solution keeps a few per cent of
// rows x classes (CLINC150: 4.4 %, HWU64 11 %, SNIPS 18 %), so this covers
// millions of rows; logistic regression's lists every row and class, so it
// covers about 8M of those (e.g. 50,000 rows x 150 intents), and larger
// runs refit cold.
constexpr size_t kRefitStartBytes = size_t{64} << 20;

// Out-of-fold scores for one value of C.
struct FoldScores {
    double C = 0;
    std::vector<float> scores;     // entries x columns (zeros where never held out)
    std::vector<char> held_out;    // per entry: scored by a model that never saw it
    std::vector<char> column_seen; // per entry: its fold's training rows included its column
    MemoryCharge charge;           // of the above, on the run's budget
};

// cross_validate_models, then every held-out entry scored by its fold's
// model into an entries x columns array (charged to callbacks.memory).
std::vector<FoldScores> cross_validate(const TrainingSet &set, const std::vector<int> &fold, size_t folds,
                                       const std::vector<double> &Cs, const LearnerOptions &options,
                                       size_t threads, const TrainCallbacks &callbacks,
                                       const char *stage = "evaluate");

} // namespace intent
