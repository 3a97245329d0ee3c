// Evaluation one row at a time, in memory that does not grow with the rows.
//
// evaluate() and calibration_report() (metrics.h, calibration.h) take every
// row's truth, prediction and probability vector at once. EvalAccumulator
// gives the same EvalReport and CalibrationReport (bit for bit: the same sums
// in the same order; test/unit/test_eval_accumulator.cpp compares them) from
// rows fed one by one, keeping only counts: the k x k confusion matrix, the
// per-class prediction counts, the calibration bins and at most
// `max_misclassified` misclassified rows. evaluate_intent_model() feeds it
// the rows of an arbitrary query, however many there are.
#pragma once

#include "calibration.h"
#include "metrics.h"

#include <cstddef>
#include <cstdint>
#include <unordered_map>
#include <vector>

namespace intent {

class EvalAccumulator {
  public:
    // `bins`: equal-width calibration bins, as calibration_report().
    EvalAccumulator(size_t num_classes, size_t max_misclassified, size_t bins = 15);

    // One row. `truth` in [0, k) or -1 (a label the model does not know:
    // always wrong); `predicted` in [0, k) (the served label); `probs` the k
    // calibrated probabilities. A misclassified row is reported as `row_id`.
    // Throws Error(InvalidArgument) on a label out of range.
    void add(int truth, int predicted, const float *probs, size_t row_id);

    size_t rows() const { return rows_; }
    size_t correct() const { return correct_; }

    // What evaluate(truth, predicted, confidence, k) returns for the rows
    // added (confidence = probs[predicted]), misclassified rows cut to the
    // first `max_misclassified`, each with row = its row_id.
    EvalReport report() const;
    // What calibration_report(probs, k, truth, bins, &predicted) returns.
    CalibrationReport calibration() const;

  private:
    size_t k_, max_misclassified_, bins_;
    size_t rows_ = 0, correct_ = 0, unknown_truth_ = 0;
    std::unordered_map<uint64_t, size_t> confusion_; // truth * k + predicted -> rows, known truths only
    std::vector<size_t> predicted_count_, true_positive_, support_;
    std::vector<Misclassified> misclassified_;
    // calibration
    std::vector<double> conf_sum_, correct_sum_;
    std::vector<size_t> bin_count_;
    double brier_multiclass_sum_ = 0, brier_top_sum_ = 0;
};

} // namespace intent
