// What the phases of one training run share (training.cpp runs them;
// training_calibration.cpp is the calibration phase). Internal to the core.
#pragma once

#include "crossval.h"
#include "memory_budget.h"
#include "subword_vectors.h"
#include "training.h"

#include <algorithm>
#include <memory>
#include <string>
#include <vector>

namespace intent::training_detail {

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
    // The rows the caller gave up (`given`), texts included
    // (labeled_rows_bytes()), until release_rows() frees them.
    MemoryCharge given_charge{callbacks.memory};
    MemoryCharge results_charge{callbacks.memory}; // report.rows, from the calibration on

    // The index of input row r's own label among the intents, -1 without one.
    int label_index(size_t r) const {
        if (owned != nullptr) return row_label[r];
        const std::vector<std::string> &labels = report.data.labels;
        auto it = std::lower_bound(labels.begin(), labels.end(), rows[r].label);
        return it != labels.end() && *it == rows[r].label ? static_cast<int>(it - labels.begin()) : -1;
    }
};

// The calibration phase: the recall targets, the calibrator, the
// out-of-fold predictions of the held-out entries, the thresholds and the
// metrics (training_calibration.cpp).
void calibrate(TrainingRun &run, FoldModels &oof);

} // namespace intent::training_detail
