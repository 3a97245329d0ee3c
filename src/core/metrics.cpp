// Accuracy, per-class and macro precision/recall/F1, the confusion matrix,
// and the abstain threshold that reaches a target precision.
#include "metrics.h"

#include "errors.h"

#include <algorithm>
#include <cmath>
#include <numeric>
#include <string>

namespace intent {

namespace {

// 0/0 counts as 0, as scikit-learn's zero_division=0.
double ratio(double num, double den) {
    return den > 0 ? num / den : 0.0;
}

} // namespace

std::vector<ConfusionCell> confusion_cells(std::vector<uint64_t> pairs, size_t num_classes) {
    std::sort(pairs.begin(), pairs.end());
    std::vector<ConfusionCell> cells;
    for (size_t i = 0; i < pairs.size();) {
        size_t j = i;
        while (j < pairs.size() && pairs[j] == pairs[i])
            ++j;
        cells.push_back(ConfusionCell{static_cast<size_t>(pairs[i] / num_classes),
                                      static_cast<size_t>(pairs[i] % num_classes), j - i});
        i = j;
    }
    return cells;
}

// One pass builds the confusion matrix and per-class counts. A row with
// unknown truth (-1) is wrong, stays out of the matrix, and still counts as a
// false positive of the class it was predicted as.
EvalReport evaluate(const std::vector<int> &truth, const std::vector<int> &predicted,
                    const std::vector<float> &confidence, size_t num_classes) {
    if (truth.size() != predicted.size())
        throw Error(ErrorKind::InvalidArgument, "truth and prediction counts differ",
                    "There are " + std::to_string(truth.size()) + " true labels and " +
                        std::to_string(predicted.size()) + " predictions.");
    if (!confidence.empty() && confidence.size() != truth.size())
        throw Error(ErrorKind::InvalidArgument, "confidence count does not match row count",
                    "There are " + std::to_string(confidence.size()) + " confidences for " +
                        std::to_string(truth.size()) + " rows.");
    const int k = static_cast<int>(num_classes);
    EvalReport r;
    r.rows = truth.size();
    r.per_class.assign(num_classes, ClassMetrics{});
    std::vector<uint64_t> pairs; // truth * k + predicted, for the confusion cells
    pairs.reserve(truth.size());
    std::vector<size_t> predicted_count(num_classes, 0), true_positive(num_classes, 0);
    size_t correct = 0;
    for (size_t i = 0; i < truth.size(); ++i) {
        const int t = truth[i], p = predicted[i];
        if (p < 0 || p >= k)
            throw Error(ErrorKind::InvalidArgument, "predicted label out of range",
                        "Row " + std::to_string(i) + " has prediction " + std::to_string(p) + ".");
        if (t < -1 || t >= k)
            throw Error(ErrorKind::InvalidArgument, "true label out of range",
                        "Row " + std::to_string(i) + " has label " + std::to_string(t) + ".");
        ++predicted_count[static_cast<size_t>(p)];
        if (t == -1) {
            ++r.unknown_truth;
        } else {
            pairs.push_back(static_cast<uint64_t>(t) * num_classes + static_cast<uint64_t>(p));
            ++r.per_class[static_cast<size_t>(t)].support;
        }
        if (t == p) {
            ++correct;
            ++true_positive[static_cast<size_t>(p)];
        } else {
            r.misclassified.push_back(Misclassified{i, t, p, confidence.empty() ? 0.0f : confidence[i]});
        }
    }
    r.accuracy = ratio(static_cast<double>(correct), static_cast<double>(r.rows));
    r.confusion = confusion_cells(std::move(pairs), num_classes);

    finish_class_metrics(r, true_positive, predicted_count);
    return r;
}

void finish_class_metrics(EvalReport &r, const std::vector<size_t> &true_positive,
                          const std::vector<size_t> &predicted_count) {
    size_t present = 0;
    for (size_t c = 0; c < r.per_class.size(); ++c) {
        ClassMetrics &m = r.per_class[c];
        const double tp = static_cast<double>(true_positive[c]);
        m.precision = ratio(tp, static_cast<double>(predicted_count[c]));
        m.recall = ratio(tp, static_cast<double>(m.support));
        m.f1 = ratio(2 * m.precision * m.recall, m.precision + m.recall);
        if (m.support > 0 || predicted_count[c] > 0) {
            ++present;
            r.macro_precision += m.precision;
            r.macro_recall += m.recall;
            r.macro_f1 += m.f1;
        }
    }
    if (present > 0) {
        r.macro_precision /= static_cast<double>(present);
        r.macro_recall /= static_cast<double>(present);
        r.macro_f1 /= static_cast<double>(present);
    }
}

// Sorts rows by confidence (descending) and evaluates, at each distinct
// confidence value t, the rows with confidence >= t. Rows tied at t are
// accepted or rejected together, since a threshold cannot split them.
ThresholdChoice choose_threshold(const std::vector<float> &confidence, const std::vector<bool> &correct,
                                 double target_precision) {
    if (confidence.size() != correct.size())
        throw Error(ErrorKind::InvalidArgument, "confidence and correctness counts differ",
                    "There are " + std::to_string(confidence.size()) + " confidences for " +
                        std::to_string(correct.size()) + " rows.");
    if (!(target_precision >= 0 && target_precision <= 1))
        throw Error(ErrorKind::InvalidArgument, "invalid target precision",
                    "The target precision must be between 0 and 1.", "The usual value is 0.9.");
    for (float c : confidence)
        if (std::isnan(c))
            throw Error(ErrorKind::InvalidArgument, "confidence is NaN",
                        "Every confidence must be a number.");
    ThresholdChoice best;
    const size_t n = confidence.size();
    if (n == 0) return best;

    std::vector<size_t> order(n);
    std::iota(order.begin(), order.end(), size_t{0});
    std::stable_sort(order.begin(), order.end(),
                     [&](size_t a, size_t b) { return confidence[a] > confidence[b]; });

    bool have_fallback = false;
    ThresholdChoice fallback; // best precision, then higher coverage
    size_t accepted = 0, right = 0;
    for (size_t s = 0; s < n;) {
        const float t = confidence[order[s]];
        for (; s < n && confidence[order[s]] == t; ++s) {
            ++accepted;
            right += correct[order[s]] ? 1 : 0;
        }
        ThresholdChoice here;
        here.threshold = t;
        here.precision = static_cast<double>(right) / static_cast<double>(accepted);
        here.coverage = static_cast<double>(accepted) / static_cast<double>(n);
        // Thresholds only decrease along the loop, so the last hit is the lowest.
        if (here.precision >= target_precision) {
            here.target_reached = true;
            best = here;
        }
        // Coverage grows along the loop, so >= prefers the higher coverage.
        if (!have_fallback || here.precision >= fallback.precision) {
            fallback = here;
            have_fallback = true;
        }
    }
    return best.target_reached ? best : fallback;
}

} // namespace intent
