// Platt scaling, normalised probabilities, ECE and Brier on hand-made cases.
#include "calibration.h"
#include "errors.h"

#include <gtest/gtest.h>

#include <cmath>

using namespace intent;

// Scores -2, -1 (negative) and 1, 2 (positive): targets 1/4 and 3/4, B = 0 by
// symmetry, and A solves p(1) + 2 p(2) = 9/4, i.e. A = -0.6739963940
// (checked with scipy.optimize).
TEST(Calibration, PlattSymmetricSetHasKnownSolution) {
    const PlattParams p = fit_platt({-2, -1, 1, 2}, {false, false, true, true});
    EXPECT_NEAR(p.a, -0.6739963940, 1e-4);
    EXPECT_NEAR(p.b, 0.0, 1e-4);
    EXPECT_NEAR(p.probability(1), 0.6623974403, 1e-4);
    EXPECT_NEAR(p.probability(2), 0.7938012799, 1e-4);
    EXPECT_NEAR(p.probability(0), 0.5, 1e-4);
    EXPECT_NEAR(p.probability(-1), 1 - 0.6623974403, 1e-4);
}

// An overlapping set whose optimum scipy's BFGS puts at
// A = -0.3657951, B = 0.1259108.
TEST(Calibration, PlattOverlappingSetMatchesReference) {
    const PlattParams p =
        fit_platt({-1.5f, -0.5f, 0.2f, 0.4f, 1.0f, 2.5f}, {false, true, false, true, false, true});
    EXPECT_NEAR(p.a, -0.3657951, 1e-4);
    EXPECT_NEAR(p.b, 0.1259108, 1e-4);
    EXPECT_NEAR(p.probability(0), 0.4685638, 1e-4);
}

// Probabilities rise with the score when positives score higher.
TEST(Calibration, PlattIsMonotone) {
    std::vector<float> s;
    std::vector<bool> y;
    for (int i = 0; i < 40; ++i) {
        s.push_back(static_cast<float>(i % 10) - 4.5f);
        y.push_back((i % 10) >= 5 ? (i % 7 != 0) : (i % 6 == 0));
    }
    const PlattParams p = fit_platt(s, y);
    EXPECT_LT(p.a, 0.0f);
    float prev = -1;
    for (float x = -10; x <= 10; x += 0.5f) {
        const float q = p.probability(x);
        EXPECT_GT(q, prev);
        EXPECT_GE(q, 0.0f);
        EXPECT_LE(q, 1.0f);
        prev = q;
    }
}

// No positives: every target is 1 / (N- + 2) = 1/6, which the starting point
// A = 0, B = log(5) already fits exactly. No negatives mirrors it.
TEST(Calibration, PlattWithOneSideFallsBackToSmoothedPrior) {
    const PlattParams neg = fit_platt({-1, 0.5f, 2, 3}, {false, false, false, false});
    EXPECT_NEAR(neg.probability(-1), 1.0 / 6, 1e-5);
    EXPECT_NEAR(neg.probability(3), 1.0 / 6, 1e-5);
    const PlattParams pos = fit_platt({-1, 0.5f, 2}, {true, true, true});
    EXPECT_NEAR(pos.probability(0), 4.0 / 5, 1e-5);
    const PlattParams empty = fit_platt({}, {});
    EXPECT_NEAR(empty.probability(7), 0.5, 1e-6);
    // Identical scores cannot fix A; the fit must still be finite.
    const PlattParams flat = fit_platt({1, 1, 1, 1}, {true, false, true, false});
    EXPECT_TRUE(std::isfinite(flat.a) && std::isfinite(flat.b));
    EXPECT_NEAR(flat.probability(1), 0.5, 1e-4);
}

TEST(Calibration, PlattRejectsBadInput) {
    EXPECT_THROW(fit_platt({1, 2}, {true}), Error);
    EXPECT_THROW(fit_platt({NAN, 2}, {true, false}), Error);
}

// Extreme scores do not overflow.
TEST(Calibration, SigmoidIsOverflowSafe) {
    PlattParams p{-1.0f, 0.0f};
    EXPECT_FLOAT_EQ(p.probability(1000), 1.0f);
    EXPECT_FLOAT_EQ(p.probability(-1000), 0.0f);
    EXPECT_NEAR(p.probability(std::log(3.0f)), 0.75f, 1e-6);
}

// Sigmoids 0.75, 0.5 and 0.25 (a = -1, b = 0 at log 3, 0, -log 3) sum to 1.5,
// so the normalised distribution is 1/2, 1/3, 1/6.
TEST(Calibration, ProbabilitiesAreNormalised) {
    const std::vector<PlattParams> params(3, PlattParams{-1.0f, 0.0f});
    const float scores[3] = {std::log(3.0f), 0.0f, -std::log(3.0f)};
    float probs[3];
    calibrated_probabilities(params, scores, probs);
    EXPECT_NEAR(probs[0], 0.5, 1e-6);
    EXPECT_NEAR(probs[1], 1.0 / 3, 1e-6);
    EXPECT_NEAR(probs[2], 1.0 / 6, 1e-6);
    EXPECT_NEAR(probs[0] + probs[1] + probs[2], 1.0, 1e-6);
}

// When every sigmoid underflows to zero the result is uniform, not NaN.
TEST(Calibration, AllZeroSigmoidsGiveUniform) {
    const std::vector<PlattParams> params(4, PlattParams{100.0f, 0.0f});
    const float scores[4] = {50, 60, 70, 80};
    float probs[4];
    calibrated_probabilities(params, scores, probs);
    for (float p : probs)
        EXPECT_FLOAT_EQ(p, 0.25f);
}

// Four rows, two classes, ten bins. Top probabilities 0.92 (right),
// 0.81 (wrong), 0.73 (right), 0.64 (unknown truth: wrong) fall in separate
// bins: ECE = (0.08 + 0.81 + 0.27 + 0.64) / 4 = 0.45. Brier of the top
// class per row: 0.0064, 0.6561, 0.0729, 0.4096, mean 0.28625. Multi-class
// Brier per row: 0.0128, 1.3122, 0.1458, 0.5392 (all-zero target), mean 0.5025.
TEST(Calibration, EceAndBrierHandComputed) {
    const std::vector<float> probs = {0.92f, 0.08f, 0.81f, 0.19f, 0.27f, 0.73f, 0.64f, 0.36f};
    const std::vector<int> truth = {0, 1, 1, -1};
    const CalibrationReport r = calibration_report(probs, 2, truth, 10);
    EXPECT_NEAR(r.ece, 0.45, 1e-6);
    EXPECT_NEAR(r.brier, 0.28625, 1e-6);
    EXPECT_NEAR(r.brier_multiclass, 0.5025, 1e-6);
    EXPECT_EQ(r.bins, 10u);
    EXPECT_EQ(r.rows, 4u);
    // Two bins: all rows share [0.5, 1]; accuracy 1/2, mean confidence 0.775.
    const CalibrationReport r2 = calibration_report(probs, 2, truth, 2);
    EXPECT_NEAR(r2.ece, 0.275, 1e-6);
    EXPECT_NEAR(r2.brier_multiclass, 0.5025, 1e-6);
}

// With the served label given, the top class is that label, not the first
// maximum: row 0's label is class 1 (probability 0.08, right).
TEST(Calibration, ReportUsesTheGivenTopClass) {
    const std::vector<float> probs = {0.92f, 0.08f};
    const std::vector<int> top = {1};
    const CalibrationReport r = calibration_report(probs, 2, {1}, 10, &top);
    EXPECT_NEAR(r.ece, 0.92, 1e-6);
    EXPECT_NEAR(r.brier, 0.92 * 0.92, 1e-6);
}

// ------------------------------------------------------------ temperature

// Probabilities of a temperature never reorder scores and sum to 1 over the
// intents; an out-of-scope column takes its share.
TEST(ScoreCalibrator, PreservesOrderAndNormalises) {
    ScoreCalibrator cal;
    cal.scale = 3.0f;
    const float scores[4] = {0.2f, -1.0f, 0.9f, 0.5f};
    float p[4];
    cal.probabilities(scores, 4, 4, p);
    EXPECT_NEAR(p[0] + p[1] + p[2] + p[3], 1.0, 1e-6);
    EXPECT_GT(p[2], p[3]);
    EXPECT_GT(p[3], p[0]);
    EXPECT_GT(p[0], p[1]);
    // exp(3 * 0.9) / sum exp(3 s)
    const double z = std::exp(0.6) + std::exp(-3.0) + std::exp(2.7) + std::exp(1.5);
    EXPECT_NEAR(p[2], std::exp(2.7) / z, 1e-6);
    // The last score as an out-of-scope column: three intent probabilities
    // summing to 1 minus its share.
    float q[3];
    cal.probabilities(scores, 4, 3, q);
    EXPECT_NEAR(q[0] + q[1] + q[2], 1.0 - std::exp(1.5) / z, 1e-6);
    EXPECT_NEAR(q[2], p[2], 1e-6);
}

TEST(ScoreCalibrator, ExtremeScoresDoNotOverflow) {
    ScoreCalibrator cal;
    cal.scale = 1000.0f;
    const float scores[3] = {100.0f, 99.0f, -100.0f};
    float p[3];
    cal.probabilities(scores, 3, 3, p);
    EXPECT_FLOAT_EQ(p[0], 1.0f);
    EXPECT_FLOAT_EQ(p[2], 0.0f);
    for (float v : p)
        EXPECT_TRUE(std::isfinite(v));
}

// Rows drawn from a softmax with scale 4: the fitted scale comes back close.
TEST(ScoreCalibrator, RecoversAKnownTemperature) {
    const size_t n = 3, rows = 6000;
    std::vector<float> scores(rows * n);
    std::vector<int> truth(rows);
    uint64_t x = 88172645463325252ULL;
    auto uniform = [&x] {
        x ^= x << 13, x ^= x >> 7, x ^= x << 17;
        return static_cast<double>(x >> 11) / 9007199254740992.0;
    };
    for (size_t r = 0; r < rows; ++r) {
        double z = 0, e[3];
        for (size_t c = 0; c < n; ++c) {
            scores[r * n + c] = static_cast<float>(uniform() * 2 - 1);
            e[c] = std::exp(4.0 * scores[r * n + c]);
            z += e[c];
        }
        double u = uniform() * z;
        int pick = 0;
        while (pick < 2 && u > e[pick]) {
            u -= e[pick];
            ++pick;
        }
        truth[r] = pick;
    }
    const ScoreCalibrator cal = fit_score_calibrator(scores, n, truth);
    EXPECT_NEAR(cal.scale, 4.0, 0.3);
    // Rows marked -1 take no part: adding contradicting ones changes nothing.
    std::vector<float> more = scores;
    std::vector<int> more_truth = truth;
    for (int i = 0; i < 100; ++i) {
        more.insert(more.end(), {5.0f, -5.0f, -5.0f});
        more_truth.push_back(-1);
    }
    EXPECT_EQ(fit_score_calibrator(more, n, more_truth).scale, cal.scale);
    // Fitting on just the rows calibration_rows() picks (the 6,000 usable
    // rows thinned to 5,000) gives the same scale, bit for bit: training
    // scores only those rows for the fit.
    const std::vector<size_t> picked = calibration_rows(more_truth);
    ASSERT_EQ(picked.size(), 5000u);
    std::vector<float> sub;
    std::vector<int> sub_truth;
    for (size_t r : picked) {
        sub.insert(sub.end(), more.begin() + static_cast<std::ptrdiff_t>(r * n),
                   more.begin() + static_cast<std::ptrdiff_t>((r + 1) * n));
        sub_truth.push_back(more_truth[r]);
    }
    EXPECT_EQ(calibration_rows(sub_truth).size(), picked.size());
    EXPECT_EQ(fit_score_calibrator(sub, n, sub_truth).scale, cal.scale);
}

// Perfectly separated scores keep a finite scale: the smoothed targets (1/4
// of the probability off the true column for two rows) put the fitted
// probability of the true class at 3/4, so the scale is ln(3) / 2. No usable
// rows leave it at 1; bad shapes throw.
TEST(ScoreCalibrator, EdgeCases) {
    EXPECT_NEAR(fit_score_calibrator({1, -1, -1, 1}, 2, {0, 1}).scale, std::log(3.0) / 2, 1e-4);
    EXPECT_FLOAT_EQ(fit_score_calibrator({1, -1}, 2, {-1}).scale, 1.0f);
    EXPECT_THROW(fit_score_calibrator({1, -1, 0}, 2, {0}), Error);
    EXPECT_THROW(fit_score_calibrator({1, -1}, 2, {2}), Error);
    EXPECT_THROW(fit_score_calibrator({NAN, -1}, 2, {0}), Error);
}

// A perfectly confident, always right model has zero error.
TEST(Calibration, PerfectModelHasZeroError) {
    const CalibrationReport r = calibration_report({1, 0, 0, 0, 1, 0}, 3, {0, 1}, 15);
    EXPECT_DOUBLE_EQ(r.ece, 0.0);
    EXPECT_DOUBLE_EQ(r.brier, 0.0);
    EXPECT_DOUBLE_EQ(r.brier_multiclass, 0.0);
    const CalibrationReport empty = calibration_report({}, 3, {}, 15);
    EXPECT_DOUBLE_EQ(empty.ece, 0.0);
}

TEST(Calibration, ReportRejectsBadShapes) {
    EXPECT_THROW(calibration_report({0.5f, 0.5f}, 2, {0, 1}, 10), Error);
    EXPECT_THROW(calibration_report({0.5f, 0.5f}, 2, {3}, 10), Error);
    EXPECT_THROW(calibration_report({0.5f, 0.5f}, 2, {0}, 0), Error);
}
