// Evaluation one row at a time (see eval_accumulator.h). The arithmetic is
// that of evaluate() in metrics.cpp and calibration_report() in
// calibration.cpp, operation for operation, so the results are identical.
#include "eval_accumulator.h"

#include "errors.h"

#include <algorithm>
#include <cmath>
#include <string>

namespace intent {

namespace {

// 0/0 counts as 0, as scikit-learn's zero_division=0 (metrics.cpp).
double ratio(double num, double den) {
    return den > 0 ? num / den : 0.0;
}

} // namespace

EvalAccumulator::EvalAccumulator(size_t num_classes, size_t max_misclassified, size_t bins)
    : k_(num_classes), max_misclassified_(max_misclassified), bins_(bins) {
    if (num_classes == 0 || bins == 0)
        throw Error(ErrorKind::InvalidArgument, "invalid evaluation arguments",
                    "The class count and the bin count must be positive.");
    predicted_count_.assign(k_, 0);
    true_positive_.assign(k_, 0);
    support_.assign(k_, 0);
    conf_sum_.assign(bins_, 0);
    correct_sum_.assign(bins_, 0);
    bin_count_.assign(bins_, 0);
}

void EvalAccumulator::add(int truth, int predicted, const float *probs, size_t row_id) {
    const int k = static_cast<int>(k_);
    if (predicted < 0 || predicted >= k)
        throw Error(ErrorKind::InvalidArgument, "predicted label out of range",
                    "Row " + std::to_string(row_id) + " has prediction " + std::to_string(predicted) + ".");
    if (truth < -1 || truth >= k)
        throw Error(ErrorKind::InvalidArgument, "true label out of range",
                    "Row " + std::to_string(row_id) + " has label " + std::to_string(truth) + ".");
    const size_t p = static_cast<size_t>(predicted);
    // evaluate()
    ++rows_;
    ++predicted_count_[p];
    if (truth == -1) {
        ++unknown_truth_;
    } else {
        ++confusion_[static_cast<uint64_t>(truth) * k_ + p];
        ++support_[static_cast<size_t>(truth)];
    }
    if (truth == predicted) {
        ++correct_;
        ++true_positive_[p];
    } else if (misclassified_.size() < max_misclassified_) {
        misclassified_.push_back(Misclassified{row_id, truth, predicted, probs[p]});
    }
    // calibration_report(), the top class being the served label
    for (size_t c = 0; c < k_; ++c) {
        const double target = static_cast<int>(c) == truth ? 1.0 : 0.0;
        brier_multiclass_sum_ += (probs[c] - target) * (probs[c] - target);
    }
    const double conf = std::isfinite(probs[p]) ? std::clamp(static_cast<double>(probs[p]), 0.0, 1.0) : 0.0;
    const size_t b = std::min(bins_ - 1, static_cast<size_t>(conf * static_cast<double>(bins_)));
    conf_sum_[b] += conf;
    const double right = predicted == truth ? 1.0 : 0.0;
    correct_sum_[b] += right;
    brier_top_sum_ += (conf - right) * (conf - right);
    ++bin_count_[b];
}

EvalReport EvalAccumulator::report() const {
    EvalReport r;
    r.rows = rows_;
    r.unknown_truth = unknown_truth_;
    for (const auto &[cell, count] : confusion_)
        r.confusion.push_back(
            ConfusionCell{static_cast<size_t>(cell / k_), static_cast<size_t>(cell % k_), count});
    std::sort(r.confusion.begin(), r.confusion.end(), [](const ConfusionCell &a, const ConfusionCell &b) {
        return a.truth != b.truth ? a.truth < b.truth : a.predicted < b.predicted;
    });
    r.misclassified = misclassified_;
    r.per_class.assign(k_, ClassMetrics{});
    r.accuracy = ratio(static_cast<double>(correct_), static_cast<double>(rows_));
    for (size_t c = 0; c < k_; ++c)
        r.per_class[c].support = support_[c];
    finish_class_metrics(r, true_positive_, predicted_count_);
    return r;
}

CalibrationReport EvalAccumulator::calibration() const {
    CalibrationReport r;
    r.bins = bins_;
    r.rows = rows_;
    if (rows_ == 0) return r;
    double ece = 0;
    for (size_t b = 0; b < bins_; ++b)
        if (bin_count_[b] > 0) ece += std::fabs(correct_sum_[b] - conf_sum_[b]) / static_cast<double>(rows_);
    r.ece = ece;
    r.brier = brier_top_sum_ / static_cast<double>(rows_);
    r.brier_multiclass = brier_multiclass_sum_ / static_cast<double>(rows_);
    return r;
}

} // namespace intent
