// The training pipeline and its report.
#pragma once

#include "calibration.h"
#include "dataset.h"
#include "metrics.h"
#include "model.h"

#include <string>
#include <vector>

namespace intent {

// Everything train_model learned and measured.
struct TrainReport {
    PreparedDataset data;
    EvalReport validation; // on the val split, before the threshold
    EvalReport test;       // on the test split
    CalibrationReport test_calibration;
    ThresholdChoice threshold;
    double test_accepted_accuracy = 0; // accuracy of test rows at or above the threshold
    double test_coverage = 0;          // fraction of test rows at or above the threshold
    double seconds_features = 0, seconds_train = 0, seconds_calibrate = 0, seconds_evaluate = 0;

    // The report as one JSON object (the SQL layer casts it to jsonb):
    // sizes, labels, small_classes, metrics {accuracy, macro_precision,
    // macro_recall, macro_f1, per_intent {label: {precision, recall, f1,
    // support}}, confusion {labels, matrix}, misclassified [{text, expected,
    // predicted, confidence}], calibration {ece, brier}}, threshold, timings.
    std::string to_json(const IntentModel &model) const;
};

struct TrainedModel {
    IntentModel model;
    TrainReport report;
};

// The whole pipeline: prepare (dedup + split) -> fit TF-IDF on train ->
// train one-vs-rest -> fit Platt per class on val scores -> choose the
// threshold on val -> evaluate on test. With an empty val split, calibration
// falls back to the train scores and the threshold to 0.
// Throws Error(InsufficientData) with fewer than 2 labels or no training rows.
TrainedModel train_model(const std::vector<LabeledText> &rows, const ModelOptions &options,
                         const TrainCallbacks &callbacks);

} // namespace intent
