// Evidence for the deploy gate: the candidate pipeline and the active model
// scored on the same fresh rows, which the active model never trained on.
//
// "Fresh folds": only the fresh entries are split into folds (stratified,
// seeded); each fold model trains on every non-fresh entry plus the other
// fresh folds and predicts its held-out fresh fold. So a fold model always
// has at least the rows the active model had (its non-fresh rows are exactly
// the rows the active model trained on, minus any deleted since) plus most of
// the new ones: the comparison does not handicap the candidate, which an
// ordinary k-fold split of all rows would (its fold models would see fewer
// rows than the active model did and the gate would reject real
// improvements). The active model is scored on the same fresh entries only.
//
// Fold count (gate_folds = 0): the size rule's (5, 3 or 2, see folds.h),
// capped by the number of fresh entries. Each fold is a full-size fit, so the
// gate costs about that many refits.
#pragma once

#include "crossval.h"
#include "dataset.h"
#include "folds.h"
#include "label_recall.h"
#include "options.h"

#include <cstddef>
#include <limits>
#include <string>
#include <vector>

namespace intent {

class IntentModel;

struct GateModelScore {
    double accuracy = 0;            // served label (threshold ignored) right, over in-scope fresh rows
    double macro_f1 = 0;            // over the intents of either model present in truth or predictions
    double uncertain = 0;           // fraction of in-scope fresh rows it would mark uncertain
    double out_of_scope_recall = 0; // fresh out-of-scope rows marked uncertain (when there are any)
};

// Why the gate's comparison decides or not, typed: the report words it in
// the reader's language (report_html_cards.cpp), and gate_reason_code()
// names it in the stored report (gate.reason_code).
enum class GateReason {
    NoFreshRows,     // every row was in the active model's training set
    EnoughFreshRows, // at least min_gate_rows in-scope fresh rows: the comparison decides
    TooFewFreshRows, // fewer: too noisy to decide on
};
const char *gate_reason_code(GateReason reason);

struct GateReport {
    bool evaluated = false;  // an active model was given
    bool sufficient = false; // at least min_gate_rows in-scope fresh rows
    size_t rows = 0;         // in-scope fresh entries both models were scored on
    size_t out_of_scope_rows = 0;
    size_t min_rows = 0;
    size_t folds = 0;
    GateModelScore candidate, active;
    // Paired counts over the in-scope fresh rows (McNemar's discordant pairs).
    size_t candidate_only_correct = 0, active_only_correct = 0;
    std::vector<size_t> input_rows; // every input row behind a scored fresh entry, ascending
    GateReason reason_code = GateReason::NoFreshRows;
    std::string reason; // the same in English words, for the stored report's readers
};

// Scores the candidate pipeline (the learner with `learner`, the calibrated
// thresholds `thresholds` and the calibrator scale) on the fresh entries by
// fresh folds and the active model on the same entries.
struct GateInputs {
    const TrainingSet *set = nullptr;
    const PreparedDataset *data = nullptr;
    LearnerOptions learner;
    size_t served_columns = 0;     // intents (+1 with an internal out-of-scope class)
    std::vector<float> thresholds; // per intent, as the candidate model will have them
    float evidence_floor = 0;      // as the candidate model will have it (novelty.h)
    float unknown_word_limit = 1;  // likewise
    float support_floor = -std::numeric_limits<float>::infinity(); // likewise
    RecallShift recall; // as the candidate model will have it (label_recall.h)
    float calibration_scale = 1.0f;
    // The label-word rule's limit, as the candidate model will have it (novelty.h).
    float label_word_limit = 1;
    double work = 0; // rows x columns of one full fit (folds.h)
    // The refit's dual solution (rows of FitRows(set, {})), when kept: each
    // gate fold, which trains on nearly every row, starts from its rows of
    // it. Null or not usable(): the folds start cold.
    const DualSolution *refit_duals = nullptr;
};

GateReport evaluate_gate(const GateInputs &in, const IntentModel &active, const ModelOptions &options,
                         size_t threads, const TrainCallbacks &callbacks);

} // namespace intent
