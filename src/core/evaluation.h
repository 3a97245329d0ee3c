// Scoring a model on labelled texts, and the JSON of an evaluation.
#pragma once

#include "calibration.h"
#include "json.h"
#include "metrics.h"
#include "model.h"

#include <string>
#include <vector>

namespace intent {

// Scores `model` on labelled texts through its served label (truth labels
// unknown to the model count as wrong); the threshold is ignored.
EvalReport evaluate_model(const IntentModel &model, const std::vector<std::string> &texts,
                          const std::vector<std::string> &truth, CalibrationReport *calibration = nullptr);

// JSON of an EvalReport with label names (the "metrics" object below).
std::string eval_report_json(const EvalReport &report, const std::vector<std::string> &labels,
                             const std::vector<size_t> &row_ids, const CalibrationReport *calibration);

// The "metrics" object of an EvalReport: accuracy, macro and per-intent
// precision/recall/F1, confusion matrix, misclassified rows and, when given,
// calibration. Misclassified rows are referenced by `row_ids[i]` (the caller's
// row index of evaluated row i; i itself when row_ids is empty), never by
// their text: a stored report must not leak rows that row-level security
// hides from its reader.
Json metrics_json(const EvalReport &report, const std::vector<std::string> &labels,
                  const std::vector<size_t> &row_ids, const CalibrationReport *calibration);

} // namespace intent
