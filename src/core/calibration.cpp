// Platt scaling (Lin, Lin & Weng 2007 Newton method) and calibration measures.
#include "calibration.h"

#include "errors.h"

#include <algorithm>
#include <cmath>
#include <string>

namespace intent {

// 1 / (1 + exp(a s + b)) without overflow for large |a s + b|.
// In single precision: prediction evaluates one sigmoid per intent for every
// message, and float's exp is about twice as fast as double's while a
// probability needs no more than float's 7 digits.
float PlattParams::probability(float score) const {
    const float f = a * score + b;
    if (std::isnan(f)) return 0.5f;
    if (f >= 0) {
        const float e = std::exp(-f);
        return e / (1.0f + e);
    }
    return 1.0f / (1.0f + std::exp(f));
}

// Minimises the cross-entropy of smoothed targets against
// 1 / (1 + exp(A s + B)) by Newton's method with a tiny ridge on the Hessian
// and a backtracking (Armijo) line search, evaluating log(1 + exp(.)) in the
// overflow-safe form. Starts from A = 0 and the smoothed prior for B.
PlattParams fit_platt(const std::vector<float> &scores, const std::vector<bool> &positive) {
    if (scores.size() != positive.size())
        throw Error(ErrorKind::InvalidArgument, "score and label counts differ",
                    "There are " + std::to_string(scores.size()) + " scores for " +
                        std::to_string(positive.size()) + " labels.");
    for (float s : scores)
        if (!std::isfinite(s))
            throw Error(ErrorKind::InvalidArgument, "non-finite decision score",
                        "A decision score to calibrate is NaN or infinite.");
    const size_t n = scores.size();
    double n_pos = 0, n_neg = 0;
    for (bool p : positive)
        (p ? n_pos : n_neg) += 1;
    // Platt's smoothed targets keep A and B finite on separable data.
    const double hi = (n_pos + 1) / (n_pos + 2), lo = 1 / (n_neg + 2);
    std::vector<double> t(n);
    for (size_t i = 0; i < n; ++i)
        t[i] = positive[i] ? hi : lo;

    const int max_iter = 100;
    const double min_step = 1e-10, sigma = 1e-12, eps = 1e-5;
    double A = 0, B = std::log((n_neg + 1) / (n_pos + 1));

    // Negative log-likelihood at (a, b).
    auto objective = [&](double a, double b) {
        double f = 0;
        for (size_t i = 0; i < n; ++i) {
            const double z = scores[i] * a + b;
            f += z >= 0 ? t[i] * z + std::log1p(std::exp(-z)) : (t[i] - 1) * z + std::log1p(std::exp(z));
        }
        return f;
    };

    double fval = objective(A, B);
    for (int iter = 0; iter < max_iter; ++iter) {
        double h11 = sigma, h22 = sigma, h21 = 0, g1 = 0, g2 = 0;
        for (size_t i = 0; i < n; ++i) {
            const double z = scores[i] * A + B;
            double p, q; // p = P(positive), q = 1 - p, both computed without cancellation
            if (z >= 0) {
                const double e = std::exp(-z);
                p = e / (1 + e);
                q = 1 / (1 + e);
            } else {
                const double e = std::exp(z);
                p = 1 / (1 + e);
                q = e / (1 + e);
            }
            const double d2 = p * q;
            h11 += static_cast<double>(scores[i]) * scores[i] * d2;
            h22 += d2;
            h21 += scores[i] * d2;
            const double d1 = t[i] - p;
            g1 += scores[i] * d1;
            g2 += d1;
        }
        if (std::fabs(g1) < eps && std::fabs(g2) < eps) break;

        const double det = h11 * h22 - h21 * h21;
        if (!(det > 0)) break;
        const double dA = -(h22 * g1 - h21 * g2) / det;
        const double dB = -(-h21 * g1 + h11 * g2) / det;
        const double gd = g1 * dA + g2 * dB;

        double step = 1;
        while (step >= min_step) {
            const double nA = A + step * dA, nB = B + step * dB;
            const double nf = objective(nA, nB);
            if (nf < fval + 1e-4 * step * gd) {
                A = nA;
                B = nB;
                fval = nf;
                break;
            }
            step /= 2;
        }
        if (step < min_step) break; // no further decrease possible
    }
    PlattParams out;
    out.a = static_cast<float>(A);
    out.b = static_cast<float>(B);
    return out;
}

// Applies each class's sigmoid and rescales to a distribution; when every
// sigmoid underflows to 0 the distribution is uniform.
void calibrated_probabilities(const std::vector<PlattParams> &params, const float *scores, float *probs) {
    const size_t k = params.size();
    if (k == 0) return;
    double sum = 0;
    for (size_t c = 0; c < k; ++c) {
        probs[c] = params[c].probability(scores[c]);
        sum += probs[c];
    }
    if (!(sum > 0) || !std::isfinite(sum)) {
        for (size_t c = 0; c < k; ++c)
            probs[c] = 1.0f / static_cast<float>(k);
        return;
    }
    for (size_t c = 0; c < k; ++c)
        probs[c] = static_cast<float>(probs[c] / sum);
}

// ECE over `bins` equal-width bins of the top probability (weighted by bin
// size) and the multi-class Brier score. The top class is the first
// maximum; a row with unknown truth (-1) is always wrong.
CalibrationReport calibration_report(const std::vector<float> &probs, size_t num_classes,
                                     const std::vector<int> &truth, size_t bins) {
    if (num_classes == 0 || bins == 0)
        throw Error(ErrorKind::InvalidArgument, "invalid calibration report arguments",
                    "The class count and the bin count must be positive.");
    if (probs.size() != truth.size() * num_classes)
        throw Error(ErrorKind::InvalidArgument, "probability matrix does not match row count",
                    "Expected " + std::to_string(truth.size() * num_classes) + " probabilities, got " +
                        std::to_string(probs.size()) + ".");
    CalibrationReport r;
    r.bins = bins;
    const size_t rows = truth.size();
    if (rows == 0) return r;
    std::vector<double> conf_sum(bins, 0), correct_sum(bins, 0);
    std::vector<size_t> count(bins, 0);
    double brier = 0;
    for (size_t i = 0; i < rows; ++i) {
        const int yt = truth[i];
        if (yt < -1 || yt >= static_cast<int>(num_classes))
            throw Error(ErrorKind::InvalidArgument, "label out of range",
                        "Row " + std::to_string(i) + " has label " + std::to_string(yt) + ".");
        const float *p = probs.data() + i * num_classes;
        size_t top = 0;
        for (size_t c = 0; c < num_classes; ++c) {
            const double target = static_cast<int>(c) == yt ? 1.0 : 0.0;
            brier += (p[c] - target) * (p[c] - target);
            if (p[c] > p[top]) top = c;
        }
        const double conf = std::isfinite(p[top]) ? std::clamp(static_cast<double>(p[top]), 0.0, 1.0) : 0.0;
        const size_t b = std::min(bins - 1, static_cast<size_t>(conf * static_cast<double>(bins)));
        conf_sum[b] += conf;
        correct_sum[b] += static_cast<int>(top) == yt ? 1.0 : 0.0;
        ++count[b];
    }
    double ece = 0;
    for (size_t b = 0; b < bins; ++b)
        if (count[b] > 0) ece += std::fabs(correct_sum[b] - conf_sum[b]) / static_cast<double>(rows);
    r.ece = ece;
    r.brier = brier / static_cast<double>(rows);
    return r;
}

} // namespace intent
