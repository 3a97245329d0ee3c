// Sigmoid (Platt) calibration of one-vs-rest decision scores, and the
// measures of how well calibrated probabilities are.
#pragma once

#include <cstddef>
#include <vector>

namespace intent {

// P(class | score) = 1 / (1 + exp(a * score + b)), Platt 1999 with the
// numerically safe Newton method of Lin, Lin & Weng 2007 and Platt's
// target smoothing ((N+ + 1)/(N+ + 2), 1/(N- + 2)).
struct PlattParams {
    float a = -1.0f;
    float b = 0.0f;
    float probability(float score) const;
};

// Fits one sigmoid. `positive[i]` says whether sample i belongs to the class.
// Works with no positives or no negatives (falls back to the smoothed prior).
PlattParams fit_platt(const std::vector<float> &scores, const std::vector<bool> &positive);

// Per-class sigmoids applied to a score vector, then normalised to sum to 1.
// `scores` and `probs` hold num_classes values.
void calibrated_probabilities(const std::vector<PlattParams> &params, const float *scores, float *probs);

struct CalibrationReport {
    double ece = 0;   // expected calibration error of the top probability, equal-width bins
    double brier = 0; // multi-class Brier score: mean over rows of sum_c (p_c - [c == truth])^2
    size_t bins = 15;
};

// `probs` is row-major rows x num_classes; `truth[i]` in [0, num_classes) or -1
// for a label the model does not know (counts as wrong, target vector all zeros).
CalibrationReport calibration_report(const std::vector<float> &probs, size_t num_classes,
                                     const std::vector<int> &truth, size_t bins = 15);

} // namespace intent
