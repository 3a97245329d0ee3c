// The training pipeline, one function per phase, in the order train_model
// runs them: prepare -> features (+ typo variants) -> out-of-fold scores
// (and C, and the subword weight) -> calibrator -> out-of-fold predictions -> thresholds and metrics
// -> refit on every row -> gate evidence -> a format 2 model.
#include "training.h"

#include "c_selection.h"
#include "crossval.h"
#include "errors.h"
#include "eval_accumulator.h"
#include "novelty.h"
#include "parallel.h"
#include "scoring.h"
#include "typos.h"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <iterator>
#include <limits>
#include <memory>
#include <optional>

namespace intent {

namespace {

using Clock = std::chrono::steady_clock;

double seconds_since(Clock::time_point t0) {
    return std::chrono::duration<double>(Clock::now() - t0).count();
}

// How much looser the fold fits' solver tolerance is on larger data.
constexpr double kFoldToleranceFactor = 5.0;

// TF-IDF rows of typo variants of every entry: `count` variants each,
// skipping a variant equal to its text (no word long enough to misspell).
void add_typo_variants(const Vectorizer &vec, const PreparedDataset &d, int count, uint64_t seed,
                       TrainingSet &set, const TrainCallbacks &callbacks) {
    set.variants = vec.new_matrix(callbacks.memory, set.entries.coded()); // a problem's matrices agree
    if (count <= 0) return;
    VectorizerScratch scratch;
    SparseVector row;
    for (size_t e = 0; e < d.texts.size(); ++e) {
        if ((e & 255) == 255) callbacks.check_cancel();
        for (int v = 0; v < count; ++v) {
            const std::string t = typo_variant(d.texts[e], seed, static_cast<uint32_t>(v));
            if (t == d.texts[e]) continue;
            vec.transform_append(t, set.variants, row, scratch);
            set.variant_entry.push_back(e);
        }
    }
}

// Bytes a prepared dataset holds (its texts and per-entry vectors).
size_t dataset_bytes(const PreparedDataset &d) {
    size_t bytes = d.entry_of_row.size() * sizeof(int32_t);
    for (const std::string &t : d.texts)
        bytes += sizeof(std::string) + t.capacity();
    bytes += d.texts.size() * (sizeof(int) + sizeof(float) + sizeof(uint32_t) + 1);
    return bytes;
}

// What the phases of one run share: its inputs, the report it fills, the
// feature rows, and the charges that live for the whole run.
struct TrainingRun {
    TrainingRun(const std::vector<LabeledText> &rows_, const ModelOptions &options_,
                const TrainCallbacks &callbacks_)
        : rows(rows_), options(options_), callbacks(callbacks_), data_charge(callbacks_.memory),
          set_charge(callbacks_.memory), subword_charge(callbacks_.memory) {}

    // The input rows; empty once they are prepared when the caller gave
    // them up (train_model_taking_rows()): read num_rows and label_index()
    // from there on instead.
    const std::vector<LabeledText> &rows;
    std::vector<LabeledText> *given = nullptr; // the rows, when the caller gave them up
    std::vector<LabeledText> *owned = nullptr; // the same, once freed
    const ModelOptions &options;
    const TrainCallbacks &callbacks;
    size_t threads = 0;
    TrainReport report;
    TrainingSet set;
    MemoryCharge data_charge;    // the prepared rows
    MemoryCharge set_charge;     // the training labels
    MemoryCharge subword_charge; // the subword vectors' tables (subword_vectors option)
    const std::vector<std::string> *unlabelled = nullptr; // more texts for the subword vectors
    std::shared_ptr<const SubwordVectors> subword;        // trained, when the option is on
    size_t k = 0, n = 0;                                  // intents, entries
    bool has_oos_rows = false;
    // Columns the served model keeps: the intents, plus the out-of-scope
    // class in Class mode. In Negatives mode the learner still gets an
    // out-of-scope class (so those rows are negatives of every intent) whose
    // weights are then dropped.
    bool oos_class = false;
    size_t served = 0;
    size_t text_bytes = 0; // of the texts dropped between the features and the gate
    size_t num_rows = 0;   // input rows
    // With `owned`: each input row's label as an index into the intents (-1:
    // none, the out-of-scope label), read instead of the rows freed.
    std::vector<int> row_label;
    MemoryCharge row_label_charge{callbacks.memory};
    MemoryCharge results_charge{callbacks.memory}; // report.rows, from the calibration on

    // The index of input row r's own label among the intents, -1 without one.
    int label_index(size_t r) const {
        if (owned != nullptr) return row_label[r];
        const std::vector<std::string> &labels = report.data.labels;
        auto it = std::lower_bound(labels.begin(), labels.end(), rows[r].label);
        return it != labels.end() && *it == rows[r].label ? static_cast<int>(it - labels.begin()) : -1;
    }
};

// The out-of-fold predictions of the held-out entries (index i: entry held[i]).
struct HeldOut {
    std::vector<size_t> held;
    std::vector<int> pred;
    std::vector<float> conf;
    std::vector<float> evidence; // of the message (novelty.h)
    std::vector<float> unknown;  // its share of words unknown out of its fold (novelty.h)
    std::vector<float> support;  // of the answer's label (novelty.h)
    std::vector<bool> oos_wins, correct, uncertain;
    // The calibrator's sample (indices into held, ascending) and its scores.
    std::vector<size_t> sample;
    std::vector<float> sample_scores;
};

// Once the rows are prepared, only each row's own label is read (its
// out-of-fold probability): rows the caller gave up go, texts and labels,
// before the vectoriser's fit, the folds and the refit.
void release_rows(TrainingRun &run) {
    run.num_rows = run.rows.size();
    if (run.given == nullptr) return;
    run.row_label_charge.add(run.num_rows * sizeof(int), "the rows' labels");
    run.row_label.resize(run.num_rows);
    for (size_t r = 0; r < run.num_rows; ++r)
        run.row_label[r] = run.label_index(r);
    run.owned = run.given; // label_index() reads row_label from here on
    std::vector<LabeledText>().swap(*run.owned);
}

// prepare + features: the prepared rows, the vectoriser fitted on every
// usable row and their feature rows, the labels, and the typo variants.
Vectorizer prepare_features(TrainingRun &run) {
    const ModelOptions &options = run.options;
    const TrainCallbacks &callbacks = run.callbacks;
    TrainReport &report = run.report;
    TrainingSet &set = run.set;
    const std::vector<LabeledText> &rows = run.rows;
    callbacks.report("features", 0, 3);
    report.data = prepare_dataset(rows, options.features.text, options.out_of_scope_intent, &callbacks);
    release_free_memory(); // the de-duplication's keys and votes
    const PreparedDataset &d = report.data;
    run.k = d.labels.size();
    run.n = d.texts.size();
    const size_t k = run.k, n = run.n;
    // The prepared rows stay for the whole run (charged once they exist:
    // prepare_dataset charged its own working memory while it ran).
    run.data_charge.add(dataset_bytes(d), "the prepared training rows");
    if (k < 2)
        throw Error(ErrorKind::InsufficientData, Message{N_("not enough intents to train"), {}},
                    "Training needs at least 2 distinct intents but the data has " + std::to_string(k) + ".",
                    N_("Add labelled examples for more intents."));
    callbacks.check_cancel();

    set.entries = FeatureMatrix(0, callbacks.memory);
    // One pass over the texts: counting the n-grams also records each row's
    // grams. The vectoriser is fitted once on every usable row, held-out
    // texts included; it sees no label, and refitting it per fold would cost
    // a feature pass per fold.
    // With min_feature_partitions 2, each entry's partition: its rows', or
    // kSeveralGroups when identical texts came from two partitions.
    std::vector<uint32_t> entry_groups;
    MemoryCharge groups_charge(callbacks.memory);
    if (options.features.min_feature_partitions > 1) {
        groups_charge.add(n * (sizeof(uint32_t) + 1), "the rows' partitions");
        entry_groups.assign(n, 0);
        std::vector<bool> seen(n, false);
        for (size_t r = 0; r < rows.size(); ++r) {
            const int64_t e = d.entry_of_row[r];
            if (e < 0) continue;
            const auto entry = static_cast<size_t>(e);
            if (!seen[entry]) {
                seen[entry] = true;
                entry_groups[entry] = rows[r].group;
            } else if (entry_groups[entry] != rows[r].group) {
                entry_groups[entry] = kSeveralGroups;
            }
        }
    }
    release_rows(run);
    run.set_charge.add(n * sizeof(MessageWords), "the rows' word counts");
    Vectorizer vec = Vectorizer::fit_transform(d.texts, options.features, set.entries, &callbacks,
                                               entry_groups.empty() ? nullptr : &entry_groups, &set.words);
    std::vector<uint32_t>().swap(entry_groups);
    groups_charge.reset();
    if (options.subword_vectors) {
        // Subword vectors from the same texts (no label), then the rows again
        // with their block: the TF-IDF part is the same floats. The tables
        // are charged: buckets x dim before training, the words' input and
        // output rows once their number is known.
        const SubwordOptions &so = options.subword;
        run.subword_charge.add(size_t{so.buckets} * so.dim * sizeof(float), "the subword vectors");
        SubwordOptions seeded = so;
        seeded.seed = options.evaluation.seed;
        std::vector<std::string> with_unlabelled;
        if (run.unlabelled && !run.unlabelled->empty()) {
            with_unlabelled = d.texts;
            with_unlabelled.insert(with_unlabelled.end(), run.unlabelled->begin(), run.unlabelled->end());
        }
        auto vectors = std::make_shared<const SubwordVectors>(SubwordVectors::train(
            with_unlabelled.empty() ? d.texts : with_unlabelled, seeded, options.features.text, [&callbacks] {
                callbacks.check_cancel();
                return false;
            }));
        run.subword_charge.add(vectors->words().size() * so.dim * 2 * sizeof(float), "the subword vectors");
        run.subword = std::move(vectors);
        run.report.subword_weight.used = true;
        if (options.subword_weight > 0) {
            // A weight given is used as given.
            run.report.subword_weight.chosen = options.subword_weight;
            run.report.subword_weight.reason = "as given";
            vec.attach_subword(run.subword, static_cast<float>(options.subword_weight));
            vec.transform(d.texts, set.entries, &callbacks);
        }
        // Otherwise choose_subword_weight() attaches the weight it chooses.
    }
    {
        // Out of fold and in the gate, a row the vocabulary does not
        // recognise has no evidence, as when the model serves it.
        const Recognition recognition(vec);
        run.set_charge.add(n, "the rows' recognition");
        set.recognised.resize(n);
        SparseVector entry;
        for (size_t e = 0; e < n; ++e) {
            set.entries.row(e, entry);
            set.recognised[e] = recognition.recognises(entry);
        }
        // Which features are word unigrams, for the words out of fold.
        // Word features come first; a word n-gram of several words holds a space.
        const std::vector<std::string> &terms = vec.terms();
        const std::vector<FeatureKind> &kinds = vec.kinds();
        size_t words = 0;
        while (words < terms.size() && kinds[words] == FeatureKind::Word)
            ++words;
        if (options.features.word_ngram_min == 1) {
            run.set_charge.add(words, "the word unigram features");
            set.unigram.resize(words);
            for (size_t j = 0; j < words; ++j)
                set.unigram[j] = terms[j].find(' ') == std::string::npos;
        }
    }
    callbacks.report("features", 1, 3);
    run.has_oos_rows = d.out_of_scope_entries > 0;
    const bool has_oos_rows = run.has_oos_rows;
    set.columns = k + (has_oos_rows ? 1 : 0);
    run.set_charge.add(n * (sizeof(int) + sizeof(float)), "the training labels");
    set.column.resize(n);
    for (size_t e = 0; e < n; ++e)
        set.column[e] = d.y[e] == kOutOfScope ? static_cast<int>(k) : d.y[e];
    set.weight = d.weight;
    set.variant_weight = std::max(static_cast<float>(options.typo_weight), kMinSampleWeight);
    report.typo_variants = options.typo_variants;
    add_typo_variants(vec, d, report.typo_variants, options.evaluation.seed, set, callbacks);
    report.typo_rows = set.variant_entry.size();
    callbacks.report("features", 3, 3);
    run.oos_class = has_oos_rows && options.out_of_scope_mode == OutOfScopeMode::Class;
    run.served = k + (run.oos_class ? 1 : 0);
    return vec;
}

// The out-of-fold models, over the C grid when affordable, and the chosen C.
FoldModels out_of_fold_models(TrainingRun &run) {
    const ModelOptions &options = run.options;
    const TrainCallbacks &callbacks = run.callbacks;
    TrainReport &report = run.report;
    const TrainingSet &set = run.set;
    const PreparedDataset &d = report.data;
    const size_t n = run.n;
    std::vector<int> strata(d.y.begin(), d.y.end());
    report.plan = plan_evaluation(strata, n + set.variant_entry.size(), set.columns, options.evaluation);
    const EvaluationPlan &plan = report.plan;
    const double fold_fits = plan.method == EvaluationMethod::CrossValidation
                                 ? static_cast<double>(plan.folds - 1)
                                 : 1.0 - options.evaluation.holdout_fraction;
    const std::vector<double> Cs =
        c_candidates(options.learner, options.select_C, fold_fits * plan.work, report.c_selection);
    // Fold models only produce the out-of-fold scores. On data past the
    // 5-fold size they stop at a 5x looser tolerance, which leaves the
    // out-of-fold accuracy and the fitted temperature all but unchanged and
    // makes the evaluation markedly cheaper. Small data keeps the refit's
    // tolerance (a fit costs milliseconds there, and the C grid compares
    // fold models).
    LearnerOptions fold_learner = options.learner;
    if (plan.work > kFiveFoldWork)
        fold_learner.tolerance = std::min(10.0, options.learner.tolerance * kFoldToleranceFactor);
    report.fold_tolerance = fold_learner.tolerance;
    std::vector<FoldModels> cv =
        cross_validate_models(set, plan.fold, plan.folds, Cs, fold_learner, run.threads, callbacks,
                              "evaluate", /*keep_refit_start=*/true);
    const size_t chosen = choose_C(Cs, cv, set, d, options.learner.C, report.c_selection);
    FoldModels oof = std::move(cv[chosen]);
    return oof;
}

// The subword weights tried out of fold when none is given: 0 (the option
// off's model) and the weights around the 2 the study chose most often
// (bench/results/2026-11-29-vm-subword-core.md: on HWU64's test split 0.5
// gained and 2 lost). One cross-validation each, so the run's out-of-fold
// models cost up to four times those of a fixed weight.
constexpr double kSubwordWeightGrid[] = {0.0, 0.5, 1.0, 2.0};
// A weight above 0 is chosen only when its out-of-fold gain over 0 is more
// than this many standard errors of the paired per-entry differences
// (bench/results/2026-11-29-vm-subword-choice.md: nlp.js es chose 0.5 for
// two rows of 249 out of fold and lost 1.2 points on its test split).
constexpr double kSubwordWeightMarginSE = 1.0;
constexpr const char *kSubwordWeightReason =
    "weight in {0, 0.5, 1, 2} by out-of-fold accuracy, above 0 only with a gain over 0 of more than 1 "
    "standard error of the paired per-row differences";

// The run's feature rows with subword weight `w`: for 0, the TF-IDF rows
// fit_transform made (kept in `tfidf` while another weight's rows are in
// the set) and no vectors, exactly as with the option off; otherwise the
// same rows with the block. The typo variants follow the vectoriser.
void use_subword_weight(TrainingRun &run, Vectorizer &vec, double w, FeatureMatrix &tfidf) {
    TrainingSet &set = run.set;
    const PreparedDataset &d = run.report.data;
    if (w == 0) {
        if (vec.subword() != nullptr) set.entries = std::move(tfidf);
        vec.attach_subword(nullptr, 0.0f);
    } else {
        if (vec.subword() == nullptr) tfidf = std::move(set.entries);
        vec.attach_subword(run.subword, static_cast<float>(w));
        vec.transform(d.texts, set.entries, &run.callbacks);
    }
    set.variant_entry.clear();
    add_typo_variants(vec, d, run.report.typo_variants, run.options.evaluation.seed, set, run.callbacks);
}

// subword_vectors without a weight: the out-of-fold models (over the C grid
// when affordable) of each weight of kSubwordWeightGrid, and the weight of
// the best out-of-fold accuracy (c_selection.h's, at each weight's own C),
// ties to the smaller weight, among 0 and the weights whose gain over 0 is
// larger than its noise: more than kSubwordWeightMarginSE standard errors of
// the paired per-entry differences from weight 0's fold models (the same
// held-out entries). The same folds and fold models as
// out_of_fold_models(), one set per weight; the best so far is kept. Leaves
// the set, the vectoriser and report.c_selection as the chosen weight's:
// with 0 chosen, as the option off leaves them.
FoldModels choose_subword_weight(TrainingRun &run, Vectorizer &vec) {
    const auto t0 = Clock::now();
    SubwordWeightSelection &sel = run.report.subword_weight;
    const PreparedDataset &d = run.report.data;
    sel.selected = true;
    sel.grid.assign(std::begin(kSubwordWeightGrid), std::end(kSubwordWeightGrid));
    sel.reason = kSubwordWeightReason;
    FeatureMatrix tfidf;
    FoldModels best;
    CSelection best_c;
    size_t best_i = 0;
    std::vector<uint8_t> right0; // weight 0's held-out entries, 1 where right
    for (size_t i = 0; i < sel.grid.size(); ++i) {
        if (i > 0) use_subword_weight(run, vec, sel.grid[i], tfidf);
        FoldModels fm = out_of_fold_models(run);
        std::vector<uint8_t> right = oof_right(fm, run.set, d);
        sel.accuracy.push_back(oof_accuracy(right));
        sel.gain_se.push_back(i == 0 ? 0.0 : paired_gain_se(right, right0));
        if (i == 0) right0 = std::move(right);
        // Accuracies closer than one row in a million are ties.
        const bool beyond_noise =
            i == 0 || sel.accuracy[i] - sel.accuracy[0] > kSubwordWeightMarginSE * sel.gain_se[i] + 1e-9;
        if (i == 0 || (beyond_noise && sel.accuracy[i] > sel.accuracy[best_i] + 1e-9)) {
            best = FoldModels(); // one set of fold models at a time besides the candidate's
            best = std::move(fm);
            best_c = run.report.c_selection;
            best_i = i;
        }
        run.callbacks.check_cancel();
    }
    if (best_i + 1 != sel.grid.size()) use_subword_weight(run, vec, sel.grid[best_i], tfidf);
    run.report.c_selection = best_c;
    sel.chosen = sel.grid[best_i];
    if (sel.chosen == 0) {
        // The model the option off trains: the vectors go.
        run.subword.reset();
        run.subword_charge.reset();
    }
    sel.seconds = seconds_since(t0);
    return best;
}

// The input rows of each entry (CSR: row_list[row_start[e], row_start[e + 1])),
// for the probability of each row's own label.
void rows_of_entries(const PreparedDataset &d, size_t n, size_t num_rows, std::vector<size_t> &row_start,
                     std::vector<size_t> &row_list) {
    row_start.assign(n + 1, 0);
    row_list.resize(num_rows);
    for (int64_t e : d.entry_of_row)
        if (e >= 0) ++row_start[static_cast<size_t>(e) + 1];
    for (size_t e = 0; e < n; ++e)
        row_start[e + 1] += row_start[e];
    {
        std::vector<size_t> next(row_start.begin(), row_start.end() - 1);
        for (size_t r = 0; r < num_rows; ++r)
            if (d.entry_of_row[r] >= 0) row_list[next[static_cast<size_t>(d.entry_of_row[r])]++] = r;
    }
}

// recall_label's offset from the out-of-fold scores of the in-scope
// held-out rows (label_recall.h): each row's margin of the label over the
// best other label. Every later out-of-fold step sees the shifted scores.
void choose_recall(TrainingRun &run, const FoldModels &oof, const HeldOut &h, std::vector<float> &s,
                   SparseVector &row) {
    const ModelOptions &options = run.options;
    TrainReport &report = run.report;
    const PreparedDataset &d = report.data;
    const size_t k = run.k;
    report.recall.target = options.recall_target;
    if (options.recall_label.empty()) {
        report.recall.reason = "recall_label is not set";
        return;
    }
    const auto it = std::lower_bound(d.labels.begin(), d.labels.end(), options.recall_label);
    const int label =
        it != d.labels.end() && *it == options.recall_label ? static_cast<int>(it - d.labels.begin()) : -1;
    std::vector<float> margin;
    std::vector<bool> is_label;
    if (label >= 0) {
        MemoryCharge charge(run.callbacks.memory, h.held.size() * (sizeof(float) + 1), "the recall margins");
        margin.reserve(h.held.size());
        is_label.reserve(h.held.size());
        for (size_t i = 0; i < h.held.size(); ++i) {
            if ((i & 1023) == 1023) run.callbacks.check_cancel();
            const size_t e = h.held[i];
            if (d.y[e] == kOutOfScope) continue;
            oof.score(run.set, e, row, s.data());
            float best_other = -std::numeric_limits<float>::infinity();
            for (size_t c = 0; c < k; ++c)
                if (static_cast<int>(c) != label) best_other = std::max(best_other, s[c]);
            margin.push_back(s[static_cast<size_t>(label)] - best_other);
            is_label.push_back(d.y[e] == label);
        }
    }
    report.recall =
        choose_recall_shift(label, margin, is_label, options.recall_target, options.min_intent_rows);
}

// The calibrator on pooled out-of-fold scores of the served columns, of
// the rows it fits on (calibration_rows: at most 5,000). Their scores are
// kept in h.sample_scores for the pass over every held-out row, which would
// otherwise compute them again.
void fit_calibrator(TrainingRun &run, const FoldModels &oof, HeldOut &h, std::vector<float> &s,
                    SparseVector &row) {
    TrainReport &report = run.report;
    const TrainingSet &set = run.set;
    const PreparedDataset &d = report.data;
    const std::vector<size_t> &held = h.held;
    const size_t k = run.k, served = run.served;
    const bool oos_class = run.oos_class;
    std::vector<size_t> &sample = h.sample;
    std::vector<float> &sample_scores = h.sample_scores;
    std::vector<int> fit_truth(held.size(), -1);
    for (size_t i = 0; i < held.size(); ++i) {
        const size_t e = held[i];
        // A row whose intent its fold model never saw says nothing about
        // how confident the model is when it knows the intent.
        if (!oof.column_seen[e]) continue;
        if (d.y[e] != kOutOfScope)
            fit_truth[i] = d.y[e];
        else if (oos_class)
            fit_truth[i] = static_cast<int>(k);
    }
    sample = calibration_rows(fit_truth);
    sample_scores.resize(sample.size() * served);
    std::vector<int> sample_truth(sample.size());
    for (size_t j = 0; j < sample.size(); ++j) {
        oof.score(set, held[sample[j]], row, s.data());
        report.recall.apply(s.data());
        std::copy(s.begin(), s.begin() + static_cast<std::ptrdiff_t>(served),
                  sample_scores.begin() + static_cast<std::ptrdiff_t>(j * served));
        sample_truth[j] = fit_truth[sample[j]];
    }
    report.calibrator = fit_score_calibrator(sample_scores, served, sample_truth);
}

// Out-of-fold predictions and metrics, one held-out row at a time (the
// in-scope rows: the same report as evaluate() and calibration_report()
// over copies of them, eval_accumulator.h), and the probability of each
// input row's own label (which may differ from its entry's kept label).
void predict_held_out(TrainingRun &run, const FoldModels &oof, HeldOut &h, std::vector<float> &s,
                      SparseVector &row, const std::vector<size_t> &row_start,
                      const std::vector<size_t> &row_list, EvalAccumulator &acc) {
    const TrainCallbacks &callbacks = run.callbacks;
    TrainReport &report = run.report;
    const TrainingSet &set = run.set;
    const PreparedDataset &d = report.data;
    const std::vector<size_t> &held = h.held;
    const size_t k = run.k, served = run.served;
    const bool oos_class = run.oos_class;
    const std::vector<size_t> &sample = h.sample;
    const std::vector<float> &sample_scores = h.sample_scores;
    std::vector<int> &pred = h.pred;
    std::vector<float> &conf = h.conf;
    std::vector<bool> &oos_wins = h.oos_wins, &correct = h.correct;
    std::vector<float> p(k);
    size_t next_sample = 0;                  // sample is ascending in i
    report.oof_entries.reserve(held.size()); // at most one per held-out entry, kept to the end of the run
    for (size_t i = 0; i < held.size(); ++i) {
        if ((i & 1023) == 1023) callbacks.check_cancel();
        const size_t e = held[i];
        if (next_sample < sample.size() && sample[next_sample] == i) {
            // Only the served columns are read below.
            const float *kept = sample_scores.data() + next_sample * served;
            std::copy(kept, kept + served, s.begin());
            ++next_sample;
        } else {
            oof.score(set, e, row, s.data());
            report.recall.apply(s.data());
        }
        for (size_t c = 0; c < served; ++c)
            if (!std::isfinite(s[c]))
                throw Error(ErrorKind::InvalidArgument, "non-finite decision score",
                            "A decision score to calibrate is NaN or infinite.");
        report.calibrator.probabilities(s.data(), served, k, p.data());
        pred[i] = static_cast<int>(argmax(s.data(), k));
        conf[i] = p[static_cast<size_t>(pred[i])];
        h.evidence[i] = message_evidence(set.recognises(e), s.data(), oof.bias(e), k, report.recall.label,
                                         report.recall.offset);
        h.support[i] = label_support(s.data(), oof.bias(e), static_cast<size_t>(pred[i]), report.recall.label,
                                     report.recall.offset);
        oos_wins[i] = oos_class && s[k] > s[static_cast<size_t>(pred[i])];
        correct[i] = d.y[e] == pred[i];
        if (d.y[e] != kOutOfScope) {
            if (!oof.column_seen[e]) ++report.unseen_intent_rows;
            acc.add(d.y[e], pred[i], p.data(), report.oof_entries.size());
            report.oof_entries.push_back(static_cast<uint32_t>(e));
        }
        for (size_t j = row_start[e]; j < row_start[e + 1]; ++j) {
            const size_t r = row_list[j];
            const int label = run.label_index(r);
            if (label >= 0) report.rows[r].label_probability = p[static_cast<size_t>(label)];
        }
    }
}

// The abstain thresholds from the out-of-fold predictions, what they leave
// uncertain, the out-of-fold metrics, and each input row's prediction.
void thresholds_and_metrics(TrainingRun &run, HeldOut &h, const EvalAccumulator &acc) {
    const ModelOptions &options = run.options;
    TrainReport &report = run.report;
    const PreparedDataset &d = report.data;
    const EvaluationPlan &plan = report.plan;
    const size_t num_rows = run.num_rows;
    const size_t n = run.n;
    const std::vector<size_t> &held = h.held;
    const std::vector<int> &pred = h.pred;
    const std::vector<float> &conf = h.conf;
    const std::vector<bool> &oos_wins = h.oos_wins, &correct = h.correct;
    std::vector<bool> &uncertain = h.uncertain;

    {
        // Rows the out-of-scope class already makes uncertain take no part.
        std::vector<float> c2;
        std::vector<int> p2;
        std::vector<bool> ok2;
        for (size_t i = 0; i < held.size(); ++i) {
            if (oos_wins[i]) continue;
            c2.push_back(conf[i]);
            p2.push_back(pred[i]);
            ok2.push_back(correct[i]);
        }
        report.threshold = choose_abstain_thresholds(c2, p2, ok2, d.intent_rows, options.target_precision,
                                                     options.threshold_floor, options.min_threshold_rows,
                                                     options.min_intent_rows);
    }
    // recall_label's answers are not withheld for low confidence: its rule
    // is recall (label_recall.h).
    if (report.recall.exempt) report.threshold.per_intent[static_cast<size_t>(report.recall.label)] = 0;
    const std::vector<float> &thr = report.threshold.per_intent;
    // The novelty rules learn on the right in-scope answers the thresholds accept (novelty.h).
    const auto accepted_right_in_scope = [&](size_t i) {
        return !oos_wins[i] && correct[i] && d.y[held[i]] != kOutOfScope &&
               conf[i] >= thr[static_cast<size_t>(pred[i])];
    };
    {
        std::vector<float> evidence, support;
        for (size_t i = 0; i < held.size(); ++i)
            if (accepted_right_in_scope(i)) {
                evidence.push_back(h.evidence[i]);
                support.push_back(h.support[i]);
            }
        report.evidence =
            choose_evidence_floor(std::move(evidence), options.evidence_quantile, options.min_threshold_rows);
        report.support =
            choose_support_floor(std::move(support), options.evidence_quantile, options.min_threshold_rows);
    }
    {
        // The unknown-word limit, from those answers that have words and that
        // the floors accept as well.
        std::vector<float> accepted_right;
        for (size_t i = 0; i < held.size(); ++i) {
            const size_t e = held[i];
            if (accepted_right_in_scope(i) && !lacks_evidence(h.evidence[i], report.evidence.floor) &&
                !lacks_support(h.support[i], report.support.floor) && e < run.set.words.size() &&
                run.set.words[e].words > 0)
                accepted_right.push_back(h.unknown[i]);
        }
        report.unknown_words = choose_unknown_word_limit(
            std::move(accepted_right), options.unknown_word_quantile, options.min_threshold_rows);
    }
    uncertain.resize(held.size());
    for (size_t i = 0; i < held.size(); ++i) {
        const bool novel = lacks_evidence(h.evidence[i], report.evidence.floor);
        const bool unsupported = !novel && lacks_support(h.support[i], report.support.floor);
        const bool unknown =
            !novel && !unsupported && too_many_unknown_words(h.unknown[i], report.unknown_words.limit);
        uncertain[i] =
            oos_wins[i] || novel || unsupported || unknown || conf[i] < thr[static_cast<size_t>(pred[i])];
        if (!oos_wins[i] && d.y[held[i]] != kOutOfScope) {
            report.evidence.uncertain += novel;
            report.support.uncertain += unsupported;
            report.unknown_words.uncertain += unknown;
        }
    }

    // The coverage cap (threshold.h): the confusion threshold lowered, never
    // raised, until min_coverage of the in-scope answers are accepted; the
    // novelty rules stand as learned.
    {
        const float global = report.threshold.global;
        std::vector<bool> governed(thr.size(), true);
        for (size_t c : report.threshold.thin_intents)
            governed[c] = false;
        if (report.recall.exempt) governed[static_cast<size_t>(report.recall.label)] = false;
        std::vector<float> withheld;
        size_t accepted_in_scope = 0, in_scope = 0;
        for (size_t i = 0; i < held.size(); ++i) {
            if (d.y[held[i]] == kOutOfScope) continue;
            ++in_scope;
            if (!uncertain[i]) {
                ++accepted_in_scope;
                continue;
            }
            const size_t c = static_cast<size_t>(pred[i]);
            if (oos_wins[i] || !governed[c] || conf[i] >= thr[c] ||
                lacks_evidence(h.evidence[i], report.evidence.floor) ||
                lacks_support(h.support[i], report.support.floor) ||
                too_many_unknown_words(h.unknown[i], report.unknown_words.limit))
                continue;
            withheld.push_back(conf[i]);
        }
        report.coverage_cap = cap_threshold_for_coverage(std::move(withheld), accepted_in_scope, in_scope,
                                                         global, options.min_coverage);
        if (report.coverage_cap.binds) {
            report.threshold.global = report.coverage_cap.threshold;
            for (size_t c = 0; c < thr.size(); ++c)
                if (governed[c]) report.threshold.per_intent[c] = report.coverage_cap.threshold;
            for (size_t i = 0; i < held.size(); ++i)
                if (uncertain[i] && !oos_wins[i] && governed[static_cast<size_t>(pred[i])] &&
                    conf[i] >= thr[static_cast<size_t>(pred[i])] &&
                    !lacks_evidence(h.evidence[i], report.evidence.floor) &&
                    !lacks_support(h.support[i], report.support.floor) &&
                    !too_many_unknown_words(h.unknown[i], report.unknown_words.limit))
                    uncertain[i] = false;
        }
    }

    size_t accepted = 0, accepted_right = 0, oos_n = 0, oos_caught = 0;
    for (size_t i = 0; i < held.size(); ++i) {
        if (d.y[held[i]] == kOutOfScope) {
            ++oos_n;
            oos_caught += uncertain[i];
        } else if (!uncertain[i]) {
            ++accepted;
            accepted_right += correct[i];
        }
    }
    report.oof = acc.report();
    if (report.oof.misclassified.size() > options.max_misclassified)
        report.oof.misclassified.resize(options.max_misclassified);
    if (acc.rows() > 0) report.calibration = acc.calibration();
    const double m_in = static_cast<double>(acc.rows());
    report.coverage = acc.rows() == 0 ? 0.0 : static_cast<double>(accepted) / m_in;
    report.accepted_accuracy =
        accepted ? static_cast<double>(accepted_right) / static_cast<double>(accepted) : 0.0;
    report.out_of_scope_evaluated = oos_n;
    report.out_of_scope_recall = oos_n ? static_cast<double>(oos_caught) / static_cast<double>(oos_n) : 0.0;

    // Per input row: its entry's out-of-fold prediction.
    std::vector<int64_t> held_index(n, -1);
    for (size_t i = 0; i < held.size(); ++i)
        held_index[held[i]] = static_cast<int64_t>(i);
    for (size_t r = 0; r < num_rows; ++r) {
        RowResult &rr = report.rows[r];
        const int64_t e = d.entry_of_row[r];
        if (e < 0 || held_index[static_cast<size_t>(e)] < 0) continue;
        const size_t i = static_cast<size_t>(held_index[static_cast<size_t>(e)]);
        rr.fold = static_cast<int16_t>(plan.fold[static_cast<size_t>(e)]);
        rr.predicted = pred[i];
        rr.confidence = conf[i];
        rr.uncertain = uncertain[i];
    }
}

// Calibrator, out-of-fold predictions, thresholds and metrics, from the
// fold models. No entries x columns score array is ever held: each
// held-out entry's scores are computed from its fold's quantised model (the
// same kernel on the same row, so the same bits) when they are needed: the
// calibrator's sample first (kept, at most 5,000 rows), then every other
// entry. Every buffer is gone on return, before the refit.
void calibrate(TrainingRun &run, FoldModels &oof) {
    const ModelOptions &options = run.options;
    const TrainCallbacks &callbacks = run.callbacks;
    const size_t num_rows = run.num_rows;
    const TrainingSet &set = run.set;
    const size_t n = run.n;
    callbacks.report("calibrate", 0, 1);
    const PreparedDataset &d = run.report.data;
    HeldOut h;
    for (size_t e = 0; e < n; ++e)
        if (oof.held_out(e)) h.held.push_back(e);
    const std::vector<size_t> &held = h.held;
    // The input rows of each entry (CSR), for the probability of each row's
    // own label.
    MemoryCharge calibrate_charge(callbacks.memory,
                                  held.size() * (sizeof(size_t) + sizeof(int) * 2 + sizeof(float) * 3 + 1) +
                                      n * sizeof(int64_t) + (n + 1 + num_rows) * sizeof(size_t),
                                  "the out-of-fold predictions");
    std::vector<size_t> row_start, row_list;
    rows_of_entries(d, n, num_rows, row_start, row_list);
    std::vector<float> s(padded(set.columns));
    SparseVector row;
    choose_recall(run, oof, h, s, row);
    fit_calibrator(run, oof, h, s, row);
    callbacks.check_cancel();

    h.pred.resize(held.size());
    h.conf.resize(held.size());
    h.evidence.resize(held.size());
    h.support.resize(held.size());
    // With the rule off its limit stays 1, which no share exceeds: no word counts.
    if (options.unknown_word_quantile > 0) {
        const FoldWords words(set, run.report.plan.fold, run.report.plan.folds, callbacks.memory);
        h.unknown.resize(held.size());
        for (size_t i = 0; i < held.size(); ++i) {
            if ((i & 4095) == 4095) callbacks.check_cancel();
            h.unknown[i] = words.unknown_share(held[i], row);
        }
    } else {
        h.unknown.assign(held.size(), 0.0f);
    }
    h.oos_wins.resize(held.size());
    h.correct.resize(held.size());
    // The per-row results stay until the run ends (the caller records them).
    run.results_charge.add(num_rows * sizeof(RowResult), "the rows' out-of-fold results");
    run.report.rows.resize(num_rows);
    EvalAccumulator acc(run.k, options.max_misclassified, 15);
    predict_held_out(run, oof, h, s, row, row_start, row_list, acc);
    std::vector<size_t>().swap(row_list);
    std::vector<size_t>().swap(row_start);

    thresholds_and_metrics(run, h, acc);
    // The out-of-fold predictions are in the report now: their buffers go
    // before the refit, the run's largest allocation.
    oof = FoldModels();
    std::vector<size_t>().swap(h.held);
    std::vector<int>().swap(h.pred);
    std::vector<float>().swap(h.conf);
    std::vector<float>().swap(h.evidence);
    std::vector<float>().swap(h.unknown);
    std::vector<float>().swap(h.support);
    for (auto *v : {&h.oos_wins, &h.correct, &h.uncertain})
        std::vector<bool>().swap(*v);
    std::vector<size_t>().swap(h.sample);
    std::vector<float>().swap(h.sample_scores);
    calibrate_charge.reset();
    release_free_memory(); // the fold models and the out-of-fold buffers, before the refit
}

// The refit on every usable row, warm-started from the folds' solutions
// when they were kept (the model then agrees with a cold refit to the
// solver's tolerance, not bit for bit, and is as deterministic). With an
// active model, the refit's solution is kept in refit_duals for the deploy
// gate's folds, which train on nearly every row.
LinearWeights refit(TrainingRun &run, const LearnerOptions &final_learner, DualSolution &refit_start,
                    MemoryCharge &refit_start_charge, const IntentModel *active, DualSolution &refit_duals,
                    MemoryCharge &refit_duals_charge) {
    const TrainCallbacks &callbacks = run.callbacks;
    TrainReport &report = run.report;
    const TrainingSet &set = run.set;
    const size_t k = run.k;
    // The learner reports its classes as "train"; here that is the refit.
    TrainCallbacks refit_callbacks;
    refit_callbacks.cancelled = callbacks.cancelled;
    refit_callbacks.memory = callbacks.memory;
    if (callbacks.progress)
        refit_callbacks.progress = [&callbacks](const TrainProgress &p) {
            callbacks.report("refit", p.done, p.total);
        };
    LinearWeights weights = fit_rows(set, {}, final_learner, refit_callbacks, [&](OneVsRestProblem &q) {
        q.warm_start = &refit_start;
        q.stats = &report.refit_stats;
        if (active != nullptr) {
            q.dual_out = &refit_duals;
            q.dual_out_limit = kRefitStartBytes;
        }
    });
    report.refit_warm_start = refit_start.usable();
    refit_start = DualSolution();
    refit_start_charge.reset();
    if (refit_duals.complete && !refit_duals_charge.try_add(refit_duals.bytes()))
        refit_duals = DualSolution();
    if (run.has_oos_rows && !run.oos_class) {
        // Negatives mode: drop the learner's out-of-scope column.
        LinearWeights kept;
        kept.num_features = weights.num_features;
        kept.num_classes = k;
        kept.w.resize(weights.num_features * k);
        for (size_t f = 0; f < weights.num_features; ++f)
            std::copy(weights.w.begin() + static_cast<std::ptrdiff_t>(f * set.columns),
                      weights.w.begin() + static_cast<std::ptrdiff_t>(f * set.columns + k),
                      kept.w.begin() + static_cast<std::ptrdiff_t>(f * k));
        kept.bias.assign(weights.bias.begin(), weights.bias.begin() + static_cast<std::ptrdiff_t>(k));
        weights = std::move(kept);
    }
    return weights;
}

// train_model() and train_model_taking_rows(): `owned` is `rows` when the
// caller gave them up, else null.
TrainedModel train(const std::vector<LabeledText> &rows, std::vector<LabeledText> *owned,
                   const ModelOptions &asked, const TrainCallbacks &callbacks, const IntentModel *active,
                   const std::vector<std::string> *unlabelled) {
    asked.validate();
    const auto t_start = Clock::now();
    // A vocabulary several partitions must share (min_feature_partitions
    // above 1: a partitioned classifier's fallback, which every tenant is
    // served by and may explain) learns no subword vectors: their word list
    // would keep words that only one tenant's texts hold, which that rule
    // keeps out of the TF-IDF vocabulary. The run trains the model the
    // option off trains, and its report says why.
    const bool shared_vocabulary = asked.subword_vectors && asked.features.min_feature_partitions > 1;
    ModelOptions without_subword;
    if (shared_vocabulary) {
        without_subword = asked;
        without_subword.subword_vectors = false;
    }
    const ModelOptions &options = shared_vocabulary ? without_subword : asked;
    TrainingRun run(rows, options, callbacks);
    run.given = owned;
    run.unlabelled = shared_vocabulary ? nullptr : unlabelled;
    TrainReport &report = run.report;
    if (shared_vocabulary) {
        report.subword_weight.used = true;
        report.subword_weight.chosen = 0;
        report.subword_weight.reason = "no subword vectors in a vocabulary shared by several partitions";
    }
    run.threads = training_threads(options.learner.threads);
    const size_t threads = run.threads;

    auto t0 = Clock::now();
    Vectorizer vec = prepare_features(run);
    report.seconds_features = seconds_since(t0);
    // Nothing reads the texts again until the gate: the fold fits, the
    // calibration and the refit run on the feature rows. They are dropped
    // meanwhile (the largest part of the prepared rows) and copied back from
    // the input rows they were taken from (source_row) after the refit.
    // Without the input rows (`owned`) they stay for the gate, or without a
    // gate they go for good. Their charge is given back either way, and
    // taken again after the refit, as when they are copied back: the budget
    // sees the same charges whether the caller kept its rows or not.
    // Choosing the subword weight reads them (each weight's rows) first.
    auto drop_texts = [&] {
        for (const std::string &t : report.data.texts)
            run.text_bytes += sizeof(std::string) + t.capacity();
        if (owned == nullptr || active == nullptr) std::vector<std::string>().swap(report.data.texts);
        run.data_charge.shrink(run.text_bytes);
        release_free_memory(); // the texts, the rows, and the vectoriser's small buffers
    };
    const bool choose_weight = options.subword_vectors && !(options.subword_weight > 0);
    if (!choose_weight) drop_texts();

    t0 = Clock::now();
    FoldModels oof = choose_weight ? choose_subword_weight(run, vec) : out_of_fold_models(run);
    if (choose_weight) drop_texts();
    DualSolution refit_start = std::move(oof.refit_start);
    MemoryCharge refit_start_charge = std::move(oof.refit_start_charge);
    report.seconds_evaluate = seconds_since(t0);
    callbacks.check_cancel();

    t0 = Clock::now();
    calibrate(run, oof);
    std::vector<int>().swap(run.row_label); // read by calibrate() only
    run.row_label_charge.reset();
    report.seconds_calibrate = seconds_since(t0);
    callbacks.report("calibrate", 1, 1);
    callbacks.check_cancel();
    if (active == nullptr) {
        // Only the out-of-fold predictions and the gate read the rows' words
        // and recognition: without a gate they go before the refit.
        const size_t bytes =
            run.set.words.size() * sizeof(MessageWords) + run.set.recognised.size() + run.set.unigram.size();
        std::vector<MessageWords>().swap(run.set.words);
        std::vector<char>().swap(run.set.recognised);
        std::vector<char>().swap(run.set.unigram);
        run.set_charge.shrink(bytes);
    }

    t0 = Clock::now();
    LearnerOptions final_learner = options.learner;
    final_learner.C = report.c_selection.chosen;
    final_learner.threads = static_cast<int>(threads);
    DualSolution refit_duals;
    MemoryCharge refit_duals_charge(callbacks.memory);
    LinearWeights weights =
        refit(run, final_learner, refit_start, refit_start_charge, active, refit_duals, refit_duals_charge);
    report.seconds_refit = seconds_since(t0);
    const PreparedDataset &d = report.data;
    const std::vector<float> &thr = report.threshold.per_intent;

    // The served model carries recall_label's offset in the label's bias.
    if (report.recall.label >= 0)
        weights.bias[static_cast<size_t>(report.recall.label)] += report.recall.offset;
    std::optional<IntentModel> model;
    auto assemble = [&] {
        ModelOptions stored = options;
        stored.learner.C = report.c_selection.chosen; // the model records the C it was trained with
        if (stored.subword_vectors && report.subword_weight.chosen == 0) {
            // Weight 0 chosen: the option off's model, options and bytes.
            stored.subword_vectors = false;
            stored.subword = SubwordOptions{};
            stored.subword_weight = 0;
        } else if (stored.subword_vectors) {
            stored.subword_weight = report.subword_weight.chosen; // the weight it serves with
        }
        model.emplace(IntentModel::assemble(
            std::move(stored), std::move(vec), d.labels, weights, report.calibrator, report.threshold.global,
            thr, run.oos_class, report.evidence.floor, report.unknown_words.limit, report.support.floor));
        weights = LinearWeights(); // the float weights go once their quantised copy exists
    };
    // The texts come back for the gate, which scores the active model on
    // them, and for the report.
    auto restore_texts = [&run, &rows] {
        PreparedDataset &data = run.report.data;
        run.data_charge.add(run.text_bytes, "the prepared training rows");
        if (run.owned != nullptr) return; // kept for the gate, or gone for good
        data.texts.reserve(run.n);
        for (size_t e = 0; e < run.n; ++e)
            data.texts.push_back(rows[data.source_row[e]].text);
    };

    // The run's last large allocations are held one at a time where they
    // can be: the gate needs the feature rows and the texts, and runs with
    // the model assembled (its quantised weights, not the float ones);
    // without a gate, the feature rows go first, then the model is
    // assembled and the texts come back. At 200,000 rows, the feature rows
    // held with either peaked the run.
    if (active != nullptr) {
        assemble();
        restore_texts();
        t0 = Clock::now();
        GateInputs in;
        in.set = &run.set;
        in.data = &d;
        in.learner = final_learner;
        in.served_columns = run.served;
        in.thresholds = thr;
        in.evidence_floor = report.evidence.floor;
        in.unknown_word_limit = report.unknown_words.limit;
        in.support_floor = report.support.floor;
        in.recall = report.recall;
        in.calibration_scale = report.calibrator.scale;
        in.work = report.plan.work;
        in.refit_duals = &refit_duals;
        report.gate = evaluate_gate(in, *active, options, threads, callbacks);
        report.seconds_gate = seconds_since(t0);
        refit_duals = DualSolution();
        refit_duals_charge.reset();
    }
    { TrainingSet released = std::move(run.set); }
    release_free_memory();
    if (!model) {
        assemble();
        restore_texts();
    }
    report.seconds_total = seconds_since(t_start);
    return TrainedModel{std::move(*model), std::move(report)};
}

} // namespace

TrainedModel train_model(const std::vector<LabeledText> &rows, const ModelOptions &options,
                         const TrainCallbacks &callbacks, const IntentModel *active,
                         const std::vector<std::string> *unlabelled) {
    return train(rows, nullptr, options, callbacks, active, unlabelled);
}

TrainedModel train_model_taking_rows(std::vector<LabeledText> &&rows, const ModelOptions &options,
                                     const TrainCallbacks &callbacks, const IntentModel *active,
                                     const std::vector<std::string> *unlabelled) {
    return train(rows, &rows, options, callbacks, active, unlabelled);
}

} // namespace intent
