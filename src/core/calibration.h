// Calibration of one-vs-rest decision scores: the score calibrator of format
// 2 models (one transform shared by every intent, so it can never reorder
// them), per-intent Platt sigmoids (format 1 models only), and the measures of
// how well calibrated probabilities are.
#pragma once

#include <cstddef>
#include <cstdint>
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

// The calibrator of format 2 models: probabilities from one temperature over
// the raw decision scores,
//     p_c = exp(scale * s_c) / (sum_j exp(scale * s_j)),
// the sum running over every intent and, in a model with an internal
// out-of-scope class, that class too (its share goes to no intent). Every
// intent goes through the same increasing function, so the order of the
// probabilities is the order of the raw scores: the served label (the raw
// argmax) is always the most probable intent.
struct ScoreCalibrator {
    float scale = 1.0f; // 1 / temperature, > 0

    // Probabilities of the first `k` of `n` scores (n = k, or k + 1 with an
    // out-of-scope column last) into probs[0..k).
    void probabilities(const float *scores, size_t n, size_t k, float *probs) const;

    // The same probabilities one at a time, for a caller that needs only a
    // few of them (the served intent and the top-k): normalizer() does the
    // shared part (the largest score, and the sum of all n exponentials, in
    // the order probabilities() sums them), probability() the division for
    // one score. probability(scores[c], normalizer(scores, n)) is
    // bit-identical to probabilities()'s probs[c].
    struct Normalizer {
        float top = 0;
        double sum = 0;
    };
    Normalizer normalizer(const float *scores, size_t n) const;
    // The same when the caller knows the largest score already: `top` must
    // be the value the scan would find, the first of scores[0, n) that no
    // later one exceeds (scores[argmax]), NaN-free.
    Normalizer normalizer(const float *scores, size_t n, float top) const;
    float probability(float score, const Normalizer &z) const;
};

// Fits the scale by minimising the negative log-likelihood of the true column
// over pooled out-of-fold scores (row-major rows x n). `truth[i]` is a column
// in [0, n), or -1 for a row that takes no part (an out-of-scope row when
// there is no out-of-scope column, or a row whose intent its fold model never
// saw). Newton's method kept in a bracket (the likelihood is convex in the
// scale), on at most 5,000 usable rows (an even stride over them); without
// usable rows the scale stays 1.
// The rows fit_score_calibrator() fits on: those with truth[r] >= 0, thinned
// to at most 5,000 by an even stride, ascending. Fitting on just these rows'
// scores (and their truths) gives the same scale, bit for bit, as fitting
// on every row's: callers can score only these rows for the fit.
std::vector<size_t> calibration_rows(const std::vector<int> &truth);

ScoreCalibrator fit_score_calibrator(const std::vector<float> &scores, size_t n,
                                     const std::vector<int> &truth);

struct CalibrationReport {
    double ece = 0;              // expected calibration error of the top probability, equal-width bins
    double brier = 0;            // Brier score of the top class: mean over rows of (p_top - [top == truth])^2
    double brier_multiclass = 0; // mean over rows of sum_c (p_c - [c == truth])^2
    size_t bins = 15;
    size_t rows = 0;
};

// `probs` is row-major rows x num_classes; `truth[i]` in [0, num_classes) or -1
// for a label the model does not know (counts as wrong, target vector all zeros).
// The top class of a row is `top[i]` when given (the served label), else the
// first maximum of its probabilities.
CalibrationReport calibration_report(const std::vector<float> &probs, size_t num_classes,
                                     const std::vector<int> &truth, size_t bins = 15,
                                     const std::vector<int> *top = nullptr);

} // namespace intent
