// The training pipeline, one function per phase, in the order train_model
// runs them: prepare -> features (+ typo variants) -> out-of-fold scores
// (and C, and the subword weight) -> calibrator -> out-of-fold predictions -> thresholds and metrics
// -> refit on every row -> gate evidence -> a format 2 model.
#include "training.h"
#include "training_run.h"

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

using namespace training_detail;

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
    run.given_charge.reset();
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
        // Subword vectors from the same texts (no label) and the texts
        // without a label, read where they are, then the rows again with
        // their block: the TF-IDF part is the same floats. Training charges
        // what it holds while it runs (its word counts, vocabulary, texts as
        // word ids, words' rows and both tables) and gives it back; the
        // vectors kept are charged here: the input table (words and
        // buckets) and as much again a word for its string and index.
        const SubwordOptions &so = options.subword;
        SubwordOptions seeded = so;
        seeded.seed = options.evaluation.seed;
        std::vector<const std::vector<std::string> *> parts{&d.texts};
        if (run.unlabelled && !run.unlabelled->empty()) parts.push_back(run.unlabelled);
        auto vectors = std::make_shared<const SubwordVectors>(SubwordVectors::train(
            parts, seeded, options.features.text,
            [&callbacks] {
                callbacks.check_cancel();
                return false;
            },
            callbacks.memory));
        run.subword_charge.add((size_t{so.buckets} + vectors->words().size() * 2) * so.dim * sizeof(float),
                               "the subword vectors");
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
        set.unigram = word_unigrams(vec);
        run.set_charge.add(set.unigram.size(), "the word unigram features");
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
    // The solve takes the warm start over: each class's entries go once its
    // block has started from them.
    report.refit_warm_start = refit_start.usable();
    LinearWeights weights = fit_rows(set, {}, final_learner, refit_callbacks, [&](OneVsRestProblem &q) {
        q.warm_start_taken = &refit_start;
        q.stats = &report.refit_stats;
        if (active != nullptr) {
            q.dual_out = &refit_duals;
            q.dual_out_limit = kRefitStartBytes;
        }
    });
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

} // namespace

SubwordAutoDecision subword_auto_decision(size_t labelled_rows, size_t labels, const ModelOptions &options,
                                          const std::vector<std::string> *unlabelled) {
    if (!options.subword_auto_mode()) return SubwordAutoDecision{};
    return decide_subword_auto(labelled_rows, labels, unlabelled != nullptr,
                               unlabelled ? unlabelled->size() : 0, options.min_intent_rows);
}

SubwordAutoDecision subword_auto_decision(const std::vector<LabeledText> &rows, const ModelOptions &options,
                                          const std::vector<std::string> *unlabelled) {
    // The labels are counted only where the decision is taken.
    if (!options.subword_auto_mode()) return SubwordAutoDecision{};
    const size_t labels =
        distinct_labels(rows, [](const LabeledText &r) -> std::string_view { return r.label; });
    return subword_auto_decision(rows.size(), labels, options, unlabelled);
}

namespace {

// train_model() and train_model_taking_rows(): `owned` is `rows` when the
// caller gave them up, else null.
TrainedModel train(const std::vector<LabeledText> &rows, std::vector<LabeledText> *owned,
                   const ModelOptions &asked, const TrainCallbacks &callbacks, const IntentModel *active,
                   const std::vector<std::string> *unlabelled, std::optional<size_t> labels) {
    asked.validate();
    const auto t_start = Clock::now();
    // subword_vectors "auto": on only for many texts without a label and
    // thin labels (subword_auto.h), decided on counts; off, the run is the
    // option off's, the same bytes. The labels are counted once: by the
    // caller that counted them (`labels`), else here.
    const SubwordAutoDecision auto_decision =
        labels ? subword_auto_decision(rows.size(), *labels, asked, unlabelled)
               : subword_auto_decision(rows, asked, unlabelled);
    ModelOptions auto_on;
    const ModelOptions *given = &asked;
    if (auto_decision.on) {
        auto_on = asked;
        auto_on.subword_vectors = true;
        auto_on.subword = subword_auto_settings();
        given = &auto_on;
    }
    // A vocabulary several partitions must share (min_feature_partitions
    // above 1: a partitioned classifier's fallback, which every tenant is
    // served by and may explain) learns no subword vectors: their word list
    // would keep words that only one tenant's texts hold, which that rule
    // keeps out of the TF-IDF vocabulary. The run trains the model the
    // option off trains, and its report says why.
    const bool shared_vocabulary = given->subword_vectors && given->features.min_feature_partitions > 1;
    ModelOptions without_subword;
    if (shared_vocabulary) {
        without_subword = *given;
        without_subword.subword_vectors = false;
    }
    const ModelOptions &options = shared_vocabulary ? without_subword : *given;
    TrainingRun run(rows, options, callbacks);
    run.given = owned;
    // The rows given up are the run's to charge until it frees them (the
    // caller gives its own charge of them back before the call).
    if (owned) run.given_charge.add(labeled_rows_bytes(*owned), "the training rows");
    run.unlabelled = shared_vocabulary ? nullptr : unlabelled;
    TrainReport &report = run.report;
    report.subword_auto = auto_decision;
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
    // The fold fits' solver buffers, freed in their worker threads' arenas,
    // go back before the calibration's buffers are taken (issue 33: the 200k
    // run's peak was the calibration on top of them).
    release_free_memory();
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
        model.emplace(IntentModel::assemble(std::move(stored), std::move(vec), d.labels, weights,
                                            report.calibrator, report.threshold.global, thr, run.oos_class,
                                            report.evidence.floor, report.unknown_words.limit,
                                            report.support.floor, std::move(report.label_words)));
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
        in.label_word_limit = report.label_unknown_words.limit;
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
                         const std::vector<std::string> *unlabelled, std::optional<size_t> labels) {
    return train(rows, nullptr, options, callbacks, active, unlabelled, labels);
}

TrainedModel train_model_taking_rows(std::vector<LabeledText> &&rows, const ModelOptions &options,
                                     const TrainCallbacks &callbacks, const IntentModel *active,
                                     const std::vector<std::string> *unlabelled,
                                     std::optional<size_t> labels) {
    return train(rows, &rows, options, callbacks, active, unlabelled, labels);
}

} // namespace intent
