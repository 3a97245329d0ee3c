// Classification metrics and abstain-threshold selection.
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

namespace intent {

struct ClassMetrics {
    double precision = 0, recall = 0, f1 = 0;
    size_t support = 0; // rows whose truth is this class
};

struct Misclassified {
    size_t row; // index into the evaluated rows
    int truth;  // -1: a label the model does not know
    int predicted;
    float confidence; // top probability
};

// A non-zero cell of a confusion matrix: `count` rows of class `truth` were
// predicted as `predicted`.
struct ConfusionCell {
    size_t truth = 0, predicted = 0, count = 0;
    bool operator==(const ConfusionCell &o) const {
        return truth == o.truth && predicted == o.predicted && count == o.count;
    }
};

// The non-zero cells of the confusion matrix of `pairs` (truth * k +
// predicted, one per row), ordered by truth then predicted. Kept sparse: at
// most one cell per row is non-zero, while a dense matrix grows with the
// square of the class count (20,000 intents: 3.2 GB) whatever the rows.
std::vector<ConfusionCell> confusion_cells(std::vector<uint64_t> pairs, size_t num_classes);

struct EvalReport {
    size_t rows = 0;
    double accuracy = 0;
    // Macro averages over classes with support > 0 or predictions > 0
    // (scikit-learn's labels-present convention); 0/0 counts as 0.
    double macro_precision = 0, macro_recall = 0, macro_f1 = 0;
    std::vector<ClassMetrics> per_class;      // num_classes entries
    std::vector<ConfusionCell> confusion;     // non-zero cells; rows with truth -1 are left out
    std::vector<Misclassified> misclassified; // in row order
    size_t unknown_truth = 0;                 // rows whose truth was -1 (always wrong)
};

// Fills per-class precision, recall and F1 and the macro averages of `r`
// from each class's true positives and predictions; `r.per_class[c].support`
// must be set. One rule for evaluate() and EvalAccumulator, so both give the
// same figures bit for bit.
void finish_class_metrics(EvalReport &r, const std::vector<size_t> &true_positive,
                          const std::vector<size_t> &predicted_count);

// `truth[i]` in [0, k) or -1; `predicted[i]` in [0, k). `confidence` may be
// empty (then misclassified[].confidence is 0).
EvalReport evaluate(const std::vector<int> &truth, const std::vector<int> &predicted,
                    const std::vector<float> &confidence, size_t num_classes);

struct ThresholdChoice {
    float threshold = 0;  // accept a prediction when confidence >= threshold
    double precision = 0; // precision of accepted rows on the data it was chosen on
    double coverage = 0;  // fraction of rows accepted
    bool target_reached = false;
};

// Picks the lowest threshold whose accepted predictions reach
// `target_precision` (so coverage is as high as possible). When no threshold
// reaches it, picks the one with the best precision (ties: higher coverage)
// and sets target_reached = false. Empty input gives threshold 0.
ThresholdChoice choose_threshold(const std::vector<float> &confidence, const std::vector<bool> &correct,
                                 double target_precision);

} // namespace intent
