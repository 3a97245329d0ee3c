// The shared temperature of format 2 models, Platt scaling for format 1
// models (Lin, Lin & Weng 2007 Newton method) and calibration measures.
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

// ------------------------------------------------------------ temperature

namespace {

// expf(x) for x < -104 is +0 (e^-104 is below half the smallest subnormal),
// but glibc reaches that answer through its slow underflow path. The fit's
// first steps try scales where nearly every column underflows, so answering
// +0 directly saves time and changes no result.
inline float exp_or_zero(float x) {
    return x < -104.0f ? 0.0f : std::exp(x);
}

// The largest score and the sum of the shifted exponentials: shared by
// probabilities() and normalizer(), so both divide by the same sum.
inline float largest(const float *scores, size_t n) {
    float top = scores[0];
    for (size_t c = 1; c < n; ++c)
        top = std::max(top, scores[c]);
    return top;
}

inline ScoreCalibrator::Normalizer normalize_scores(float scale, const float *scores, size_t n, size_t k,
                                                    float *probs, float top) {
    ScoreCalibrator::Normalizer z;
    // Shifting by the largest score keeps every exponent <= 0: no overflow,
    // and the largest term is exactly 1 so the sum never underflows.
    double sum = 0;
    for (size_t c = 0; c < n; ++c) {
        const float e = exp_or_zero(scale * (scores[c] - top));
        if (c < k) probs[c] = e;
        sum += e;
    }
    z.top = top;
    z.sum = sum;
    return z;
}

} // namespace

void ScoreCalibrator::probabilities(const float *scores, size_t n, size_t k, float *probs) const {
    if (n == 0 || k == 0) return;
    const double sum = normalize_scores(scale, scores, n, k, probs, largest(scores, n)).sum;
    for (size_t c = 0; c < k; ++c)
        probs[c] = static_cast<float>(probs[c] / sum);
}

ScoreCalibrator::Normalizer ScoreCalibrator::normalizer(const float *scores, size_t n) const {
    if (n == 0) return Normalizer{};
    return normalize_scores(scale, scores, n, 0, nullptr, largest(scores, n));
}

ScoreCalibrator::Normalizer ScoreCalibrator::normalizer(const float *scores, size_t n, float top) const {
    if (n == 0) return Normalizer{};
    return normalize_scores(scale, scores, n, 0, nullptr, top);
}

float ScoreCalibrator::probability(float score, const Normalizer &z) const {
    // As probabilities(): the float exponential, divided in double.
    return static_cast<float>(static_cast<double>(exp_or_zero(scale * (score - z.top))) / z.sum);
}

namespace {

// Rows the scale is fitted on at most.
constexpr size_t kMaxCalibrationRows = 5000;

// Mean negative log-likelihood's first and second derivative in the scale a:
// L'(a) = mean(E_p[s] - s_true), L''(a) = mean(Var_p[s]). Scores are shifted
// by each row's maximum (which changes neither).
struct NllDerivatives {
    double d1 = 0, d2 = 0;
};

NllDerivatives nll_derivatives(const std::vector<float> &shifted, size_t n, const std::vector<size_t> &rows,
                               const std::vector<int> &truth, double a, double smoothing) {
    NllDerivatives out;
    const float af = static_cast<float>(a);
    const double other_share = n > 1 ? smoothing / static_cast<double>(n - 1) : 0.0;
    for (size_t r : rows) {
        const float *s = shifted.data() + r * n;
        double z = 0, m1 = 0, m2 = 0, sum = 0;
        for (size_t c = 0; c < n; ++c) {
            // Single precision exp: the fit needs a handful of digits, and
            // this loop is most of its time (rows x intents per step).
            const double e = exp_or_zero(af * s[c]);
            z += e;
            m1 += e * s[c];
            m2 += e * s[c] * s[c];
            sum += s[c];
        }
        const double mean = m1 / z;
        // The target's expected score: (1 - smoothing) on the true column,
        // the rest shared by the others.
        const double true_score = s[truth[r]];
        const double target =
            n > 1 ? (1 - smoothing) * true_score + other_share * (sum - true_score) : true_score;
        out.d1 += mean - target;
        out.d2 += std::max(0.0, m2 / z - mean * mean);
    }
    const double m = static_cast<double>(rows.size());
    out.d1 /= m;
    out.d2 /= m;
    return out;
}

} // namespace

// One parameter needs no more than a few thousand rows; an even stride over
// them keeps the fit fast on large data and deterministic.
std::vector<size_t> calibration_rows(const std::vector<int> &truth) {
    std::vector<size_t> rows;
    for (size_t r = 0; r < truth.size(); ++r)
        if (truth[r] >= 0) rows.push_back(r);
    if (rows.size() > kMaxCalibrationRows) {
        std::vector<size_t> kept;
        kept.reserve(kMaxCalibrationRows);
        for (size_t i = 0; i < kMaxCalibrationRows; ++i)
            kept.push_back(rows[i * rows.size() / kMaxCalibrationRows]);
        rows.swap(kept);
    }
    return rows;
}

// L(a) is convex in a, so its derivative is increasing: the optimum is the
// root of L'(a), found by Newton steps kept inside a shrinking bracket
// (bisection in log space when a step leaves it).
//
// The targets are smoothed as Platt smoothed his (1 / (m + 2) of the
// probability moved off the true column, m the rows fitted on). Without it,
// pooled scores that separate the classes perfectly, which is common with a
// few dozen distinct rows, drive the likelihood's optimum to an infinite
// scale: every message, an empty one included, then got a confidence of
// 1.0. With it the scale stays finite, and on thousands of rows the targets
// move by less than 0.001.
ScoreCalibrator fit_score_calibrator(const std::vector<float> &scores, size_t n,
                                     const std::vector<int> &truth) {
    if (n == 0 || scores.size() != truth.size() * n)
        throw Error(ErrorKind::InvalidArgument, "score matrix does not match row count",
                    "Expected " + std::to_string(truth.size() * n) + " scores, got " +
                        std::to_string(scores.size()) + ".");
    for (size_t r = 0; r < truth.size(); ++r)
        if (truth[r] < -1 || truth[r] >= static_cast<int>(n))
            throw Error(ErrorKind::InvalidArgument, "label out of range",
                        "Row " + std::to_string(r) + " has label " + std::to_string(truth[r]) + ".");
    const std::vector<size_t> rows = calibration_rows(truth);
    for (float s : scores)
        if (!std::isfinite(s))
            throw Error(ErrorKind::InvalidArgument, "non-finite decision score",
                        "A decision score to calibrate is NaN or infinite.");
    ScoreCalibrator out;
    if (rows.empty()) return out;
    std::vector<float> shifted(scores.size());
    for (size_t r = 0; r < truth.size(); ++r) {
        const float *s = scores.data() + r * n;
        const float top = *std::max_element(s, s + n);
        for (size_t c = 0; c < n; ++c)
            shifted[r * n + c] = s[c] - top;
    }
    const double smoothing = 1.0 / (static_cast<double>(rows.size()) + 2.0);
    auto derivatives = [&](double a) { return nll_derivatives(shifted, n, rows, truth, a, smoothing); };
    double lo = 1e-2, hi = 1e3;
    if (derivatives(hi).d1 <= 0) {
        out.scale = static_cast<float>(hi);
        return out;
    }
    if (derivatives(lo).d1 >= 0) {
        out.scale = static_cast<float>(lo);
        return out;
    }
    double a = 5.0; // typical of L2-normalised TF-IDF rows and linear SVM scores
    for (int iter = 0; iter < 60; ++iter) {
        const NllDerivatives d = derivatives(a);
        if (d.d1 > 0)
            hi = a;
        else
            lo = a;
        if (std::fabs(d.d1) < 1e-7 || hi / lo < 1 + 1e-6) break;
        double next = d.d2 > 0 ? a - d.d1 / d.d2 : 0;
        if (!(next > lo && next < hi)) next = std::sqrt(lo * hi);
        if (std::fabs(next - a) < 1e-6 * a) {
            a = next;
            break;
        }
        a = next;
    }
    out.scale = static_cast<float>(a);
    return out;
}

// ------------------------------------------------------------ measures

// ECE over `bins` equal-width bins of the top probability (weighted by bin
// size) and the multi-class Brier score. The top class is the first
// maximum; a row with unknown truth (-1) is always wrong.
CalibrationReport calibration_report(const std::vector<float> &probs, size_t num_classes,
                                     const std::vector<int> &truth, size_t bins,
                                     const std::vector<int> *top_of) {
    if (num_classes == 0 || bins == 0)
        throw Error(ErrorKind::InvalidArgument, "invalid calibration report arguments",
                    "The class count and the bin count must be positive.");
    if (probs.size() != truth.size() * num_classes)
        throw Error(ErrorKind::InvalidArgument, "probability matrix does not match row count",
                    "Expected " + std::to_string(truth.size() * num_classes) + " probabilities, got " +
                        std::to_string(probs.size()) + ".");
    if (top_of && top_of->size() != truth.size())
        throw Error(ErrorKind::InvalidArgument, "top class count does not match row count");
    CalibrationReport r;
    r.bins = bins;
    const size_t rows = truth.size();
    r.rows = rows;
    if (rows == 0) return r;
    std::vector<double> conf_sum(bins, 0), correct_sum(bins, 0);
    std::vector<size_t> count(bins, 0);
    double brier = 0, brier_top = 0;
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
        if (top_of) {
            if ((*top_of)[i] < 0 || (*top_of)[i] >= static_cast<int>(num_classes))
                throw Error(ErrorKind::InvalidArgument, "top class out of range");
            top = static_cast<size_t>((*top_of)[i]);
        }
        const double conf = std::isfinite(p[top]) ? std::clamp(static_cast<double>(p[top]), 0.0, 1.0) : 0.0;
        const size_t b = std::min(bins - 1, static_cast<size_t>(conf * static_cast<double>(bins)));
        conf_sum[b] += conf;
        const double right = static_cast<int>(top) == yt ? 1.0 : 0.0;
        correct_sum[b] += right;
        brier_top += (conf - right) * (conf - right);
        ++count[b];
    }
    double ece = 0;
    for (size_t b = 0; b < bins; ++b)
        if (count[b] > 0) ece += std::fabs(correct_sum[b] - conf_sum[b]) / static_cast<double>(rows);
    r.ece = ece;
    r.brier = brier_top / static_cast<double>(rows);
    r.brier_multiclass = brier / static_cast<double>(rows);
    return r;
}

} // namespace intent
