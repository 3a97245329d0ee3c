// Scoring a model on labelled texts, and the JSON of an evaluation.
#pragma once

#include "calibration.h"
#include "json.h"
#include "metrics.h"
#include "model.h"

#include <string>
#include <vector>

namespace intent {

// Scores `model` on labelled texts (truth labels unknown to the model count
// as wrong). Used to score the active model as the baseline on a new test split.
EvalReport evaluate_model(const IntentModel &model, const std::vector<std::string> &texts,
                          const std::vector<std::string> &truth, CalibrationReport *calibration = nullptr);

// JSON of an EvalReport with label names (the "metrics" object above).
std::string eval_report_json(const EvalReport &report, const std::vector<std::string> &labels,
                             const std::vector<std::string> &texts, const CalibrationReport *calibration);

// The "metrics" object of an EvalReport: accuracy, macro and per-intent
// precision/recall/F1, confusion matrix, misclassified rows and, when given,
// calibration.
Json metrics_json(const EvalReport &report, const std::vector<std::string> &labels,
                  const std::vector<std::string> &texts, const CalibrationReport *calibration);

} // namespace intent
