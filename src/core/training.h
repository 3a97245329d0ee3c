// The training pipeline and its report.
#pragma once

#include "c_selection.h"
#include "calibration.h"
#include "dataset.h"
#include "folds.h"
#include "gate.h"
#include "json.h"
#include "label_recall.h"
#include "metrics.h"
#include "model.h"
#include "novelty.h"
#include "subword_auto.h"
#include "threshold.h"

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace intent {

// The out-of-fold result of one input row (the review queue ranks likely
// label errors from these). Rows whose text normalised to nothing, and in a
// holdout evaluation the rows outside the holdout, have fold -1 and no
// prediction. TrainReport::rows holds one per input row, in input order (a
// row's index is its input row), from the calibration to the end of the
// run: 16 bytes a row (issue 33).
struct RowResult {
    float confidence = 0;        // calibrated probability of `predicted`
    float label_probability = 0; // calibrated probability of this row's own label (0 when the model
                                 // has no such intent: the out-of-scope label, or a label that lost
                                 // every conflict)
    int32_t predicted = -1;      // served label (index into the intents), -1 without a prediction
    int16_t fold = -1;           // the fold whose model never saw this row's text (at most 20 folds)
    bool uncertain = false;      // would abstain (below the threshold, or out of scope)
};

// The subword_vectors option's weight (training.cpp): given, or chosen by
// out-of-fold accuracy over kSubwordWeightGrid, 0 (the vectors left out)
// included.
struct SubwordWeightSelection {
    bool used = false;            // the run had subword_vectors on
    bool selected = false;        // chosen out of fold (false: the weight as given)
    std::vector<double> grid;     // candidate weights
    std::vector<double> accuracy; // out-of-fold accuracy of each (at its own chosen C)
    std::vector<double> gain_se;  // standard error of each one's out-of-fold gain over 0 (paired per row)
    double chosen = 0;            // 0: the model is the one the option off trains
    double seconds = 0;           // the choice's features and cross-validations, the kept one's included
    std::string reason;
};

// Everything train_model learned and measured.
struct TrainReport {
    PreparedDataset data;
    EvaluationPlan plan; // method, folds, the fold of every entry, and why
    CSelection c_selection;
    SubwordWeightSelection subword_weight;
    SubwordAutoDecision subword_auto; // subword_vectors "auto": the rule's decision and its figures
    int typo_variants = 0;            // synthetic variants per row used (see typos.h)
    double fold_tolerance = 0;        // solver tolerance of the fold fits (training.cpp says why)
    bool refit_warm_start = false;    // the refit started from the folds' mean dual solution
    SolverStats refit_stats;          // the refit's coordinate steps and passes
    size_t typo_rows = 0;             // variant rows added to the training rows

    // Out-of-fold evaluation over the in-scope entries that got a prediction.
    EvalReport oof; // served label against the kept label
    std::vector<uint32_t>
        oof_entries;               // the entry of each evaluated row (oof.misclassified[].row indexes this)
    CalibrationReport calibration; // ECE and Brier of the top class, out of fold
    ScoreCalibrator calibrator;
    AbstainThresholds threshold;
    EvidenceFloor evidence;         // the novelty rule's floor (novelty.h)
    UnknownWordLimit unknown_words; // the novelty rule's limit on unknown words (novelty.h)
    CoverageCap coverage_cap;       // the threshold lowered for min_coverage (threshold.h)
    SupportFloor support;           // the novelty rule's floor on the answer's own support (novelty.h)
    RecallShift recall;             // recall_label's offset (label_recall.h)
    double coverage = 0;            // in-scope out-of-fold rows not abstained
    double accepted_accuracy = 0;   // accuracy of those
    // The label-word rule's limit (novelty.h), and what the model carries
    // for it: each label's words with that limit when it is below 1, else
    // nothing (the model keeps its format).
    UnknownWordLimit label_unknown_words;
    LabelWords label_words;
    size_t out_of_scope_evaluated = 0;
    double out_of_scope_recall = 0; // out-of-scope out-of-fold rows marked uncertain
    size_t unseen_intent_rows = 0;  // rows whose intent their fold model never saw (single examples)

    GateReport gate;
    std::vector<RowResult> rows; // one per input row, in input order

    double seconds_features = 0, seconds_evaluate = 0, seconds_calibrate = 0, seconds_refit = 0,
           seconds_gate = 0, seconds_total = 0;

    // The run's headline figures (RunSummary below): the report's keys of
    // the same names are written from it, and the SQL layer records and
    // decides from it, never from the report read back.
    struct Summary;
    Summary summary(const IntentModel &model) const;

    // The report as one JSON object (the SQL layer stores it as jsonb); the
    // keys are documented in report.cpp. Texts never appear in it: rows are
    // referenced by input row index.
    Json to_json_object(const IntentModel &model) const;
    std::string to_json(const IntentModel &model) const; // the same, serialised
};

// The headline figures of a run, as its report states them (report.cpp).
struct TrainReport::Summary {
    size_t training_samples = 0;   // every usable distinct text
    size_t validation_samples = 0; // rows with an out-of-fold prediction
    size_t test_samples = 0;       // in-scope rows the metrics are computed on
    size_t total_intents = 0;      // the model's intents
    // Out of fold, served label, macro over intents.
    double accuracy = 0, precision = 0, recall = 0, f1 = 0;
    double threshold = 0; // the global abstain threshold
    const char *evaluation_method = "";
};

struct TrainedModel {
    IntentModel model;
    TrainReport report;
};

// The automatic mode's decision (subword_auto.h) for a run of `options` on
// `rows` given `unlabelled`, the texts without a label (null: none): the one
// train_model() takes and reports (TrainReport::subword_auto), for a caller
// that must know before training whether the run will learn from the texts
// it read (the glue's failed and refused runs report them). Not `used` when
// the options do not say "auto".
SubwordAutoDecision subword_auto_decision(const std::vector<LabeledText> &rows, const ModelOptions &options,
                                          const std::vector<std::string> *unlabelled);
// The same decision for a caller that already counted the rows' labels
// (distinct_labels()): `labelled_rows` rows holding `labels` labels.
SubwordAutoDecision subword_auto_decision(size_t labelled_rows, size_t labels, const ModelOptions &options,
                                          const std::vector<std::string> *unlabelled);

// The whole pipeline:
//   prepare (dedup, out-of-scope label) -> TF-IDF fitted once on every usable
//   row (the vocabulary and idf see held-out texts, never their labels) ->
//   optional typo variants -> out-of-fold scores by cross-validation or a
//   holdout (folds.h), over a grid of C when affordable -> the calibrator on
//   pooled out-of-fold scores -> thresholds on out-of-fold predictions ->
//   out-of-fold metrics -> refit on every usable row -> gate evidence on the
//   fresh rows when `active` is given -> a format 2 model.
// An intent with a single example still trains; its row gets no out-of-fold
// prediction of its own intent (its fold model never saw the intent).
// Deterministic for the same rows and options, whatever the thread count.
// Memory: with callbacks.memory set, every buffer that grows with the data
// (de-duplication, the prepared rows, the vectoriser's counting tables and
// feature matrices, fold row lists, solver state and weights, the quantised
// fold models) is charged before it is allocated; a run that would exceed the
// budget throws Error(ResourceLimit) and releases every charge. A budget
// that holds the run gives the same model bytes as none. Cross-validation
// folds train on lists of rows read in place, all folds of a C together;
// their quantised models are kept instead of an entries x classes score
// array, and each held-out entry is rescored (bit for bit) when its scores
// are needed.
// Throws Error(InsufficientData) with fewer than 2 intents.
// `unlabelled`, when given, adds texts without labels to those the
// subword_vectors option trains its vectors on (the messages a database
// holds beyond the labelled rows); nothing else reads them.
// `labels`, when given, is the number of distinct labels of `rows`, which
// the caller counted (distinct_labels()): the automatic mode's decision
// (subword_auto_decision()) takes it instead of counting them again. Not
// given, the run counts them itself, and only in the automatic mode.
TrainedModel train_model(const std::vector<LabeledText> &rows, const ModelOptions &options,
                         const TrainCallbacks &callbacks, const IntentModel *active = nullptr,
                         const std::vector<std::string> *unlabelled = nullptr,
                         std::optional<size_t> labels = std::nullopt);

// The same, taking the rows: they are freed once prepared (de-duplicated),
// so they are not held through the vectoriser's fit, the folds and the
// refit (where the run peaks: some 150 bytes a row). The model and report are those
// train_model() gives, except that report.data.texts is left empty when no
// gate ran (`active` null): only the gate reads the texts after the features.
TrainedModel train_model_taking_rows(std::vector<LabeledText> &&rows, const ModelOptions &options,
                                     const TrainCallbacks &callbacks, const IntentModel *active = nullptr,
                                     const std::vector<std::string> *unlabelled = nullptr,
                                     std::optional<size_t> labels = std::nullopt);

} // namespace intent
