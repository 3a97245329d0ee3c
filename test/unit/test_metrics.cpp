// Evaluation metrics and threshold choice on hand-made cases.
#include "errors.h"
#include "metrics.h"
#include "threshold.h"

#include <gtest/gtest.h>

#include <cmath>

using namespace intent;

// Ten rows, four classes (class 3 never appears: left out of macro averages).
//   truth: 0 0 0 1 1 2 2 2 -1 0
//   pred:  0 0 1 1 2 2 2 0  2 0
// Confusion [truth][pred]: [3 1 0 0] [0 1 1 0] [1 0 2 0] [0 0 0 0].
// Predicted counts 4, 2, 4 (the unknown-truth row counts against class 2).
// P = 3/4, 1/2, 1/2; R = 3/4, 1/2, 2/3; F1 = 3/4, 1/2, 4/7.
TEST(Metrics, HandMadeConfusionMatrix) {
    const std::vector<int> truth = {0, 0, 0, 1, 1, 2, 2, 2, -1, 0};
    const std::vector<int> pred = {0, 0, 1, 1, 2, 2, 2, 0, 2, 0};
    const std::vector<float> conf = {0.9f, 0.8f, 0.7f, 0.6f, 0.5f, 0.4f, 0.3f, 0.2f, 0.1f, 0.95f};
    const EvalReport r = evaluate(truth, pred, conf, 4);
    EXPECT_EQ(r.rows, 10u);
    EXPECT_DOUBLE_EQ(r.accuracy, 0.6);
    EXPECT_EQ(r.unknown_truth, 1u);
    // the non-zero cells, by truth then predicted
    const std::vector<ConfusionCell> confusion = {{0, 0, 3}, {0, 1, 1}, {1, 1, 1},
                                                  {1, 2, 1}, {2, 0, 1}, {2, 2, 2}};
    EXPECT_EQ(r.confusion, confusion);
    ASSERT_EQ(r.per_class.size(), 4u);
    EXPECT_DOUBLE_EQ(r.per_class[0].precision, 0.75);
    EXPECT_DOUBLE_EQ(r.per_class[0].recall, 0.75);
    EXPECT_DOUBLE_EQ(r.per_class[0].f1, 0.75);
    EXPECT_EQ(r.per_class[0].support, 4u);
    EXPECT_DOUBLE_EQ(r.per_class[1].precision, 0.5);
    EXPECT_DOUBLE_EQ(r.per_class[1].recall, 0.5);
    EXPECT_DOUBLE_EQ(r.per_class[1].f1, 0.5);
    EXPECT_EQ(r.per_class[1].support, 2u);
    EXPECT_DOUBLE_EQ(r.per_class[2].precision, 0.5);
    EXPECT_NEAR(r.per_class[2].recall, 2.0 / 3, 1e-12);
    EXPECT_NEAR(r.per_class[2].f1, 4.0 / 7, 1e-12);
    EXPECT_EQ(r.per_class[2].support, 3u);
    EXPECT_DOUBLE_EQ(r.per_class[3].precision, 0.0);
    EXPECT_EQ(r.per_class[3].support, 0u);
    EXPECT_NEAR(r.macro_precision, (0.75 + 0.5 + 0.5) / 3, 1e-12);
    EXPECT_NEAR(r.macro_recall, (0.75 + 0.5 + 2.0 / 3) / 3, 1e-12);
    EXPECT_NEAR(r.macro_f1, (0.75 + 0.5 + 4.0 / 7) / 3, 1e-12);
    ASSERT_EQ(r.misclassified.size(), 4u);
    const size_t rows[4] = {2, 4, 7, 8};
    for (size_t i = 0; i < 4; ++i) {
        EXPECT_EQ(r.misclassified[i].row, rows[i]);
        EXPECT_EQ(r.misclassified[i].truth, truth[rows[i]]);
        EXPECT_EQ(r.misclassified[i].predicted, pred[rows[i]]);
        EXPECT_FLOAT_EQ(r.misclassified[i].confidence, conf[rows[i]]);
    }
}

// A class that is only predicted (never true) is in the macro average with
// precision 0 and recall 0; without confidences misclassified rows carry 0.
TEST(Metrics, PredictedOnlyClassCountsInMacro) {
    const EvalReport r = evaluate({0, 0}, {0, 1}, {}, 2);
    EXPECT_DOUBLE_EQ(r.accuracy, 0.5);
    EXPECT_DOUBLE_EQ(r.per_class[0].precision, 1.0);
    EXPECT_DOUBLE_EQ(r.per_class[0].recall, 0.5);
    EXPECT_NEAR(r.per_class[0].f1, 2.0 / 3, 1e-12);
    EXPECT_NEAR(r.macro_precision, 0.5, 1e-12);
    EXPECT_NEAR(r.macro_recall, 0.25, 1e-12);
    EXPECT_NEAR(r.macro_f1, 1.0 / 3, 1e-12);
    ASSERT_EQ(r.misclassified.size(), 1u);
    EXPECT_FLOAT_EQ(r.misclassified[0].confidence, 0.0f);
}

TEST(Metrics, EmptyAndInvalidInput) {
    const EvalReport r = evaluate({}, {}, {}, 3);
    EXPECT_EQ(r.rows, 0u);
    EXPECT_DOUBLE_EQ(r.accuracy, 0.0);
    EXPECT_DOUBLE_EQ(r.macro_f1, 0.0);
    EXPECT_THROW(evaluate({0}, {0, 1}, {}, 2), Error);
    EXPECT_THROW(evaluate({0}, {2}, {}, 2), Error);
    EXPECT_THROW(evaluate({-2}, {0}, {}, 2), Error);
    EXPECT_THROW(evaluate({0}, {0}, {0.5f, 0.5f}, 2), Error);
}

// Confidences 0.95 .9 .9 .8 .7 .6 .5 with correctness T T F T T F F.
// Precision of rows at or above each threshold: .95 -> 1, .9 -> 2/3,
// .8 -> 3/4, .7 -> 4/5, .6 -> 2/3, .5 -> 4/7.
TEST(Metrics, ThresholdPicksLowestReachingTarget) {
    const std::vector<float> conf = {0.9f, 0.95f, 0.7f, 0.9f, 0.5f, 0.8f, 0.6f};
    const std::vector<bool> ok = {true, true, true, false, false, true, false};
    ThresholdChoice t = choose_threshold(conf, ok, 0.75);
    EXPECT_FLOAT_EQ(t.threshold, 0.7f);
    EXPECT_DOUBLE_EQ(t.precision, 0.8);
    EXPECT_NEAR(t.coverage, 5.0 / 7, 1e-12);
    EXPECT_TRUE(t.target_reached);
    // Target 0.8: .8 gives only 3/4, but .7 gives exactly 4/5.
    t = choose_threshold(conf, ok, 0.8);
    EXPECT_FLOAT_EQ(t.threshold, 0.7f);
    t = choose_threshold(conf, ok, 0.95);
    EXPECT_FLOAT_EQ(t.threshold, 0.95f);
    EXPECT_DOUBLE_EQ(t.precision, 1.0);
    EXPECT_NEAR(t.coverage, 1.0 / 7, 1e-12);
    // Target 0 accepts everything.
    t = choose_threshold(conf, ok, 0.0);
    EXPECT_FLOAT_EQ(t.threshold, 0.5f);
    EXPECT_DOUBLE_EQ(t.coverage, 1.0);
}

// No threshold reaches 0.9: best precision 1/2 occurs at .8 and .6; the
// higher coverage (.6) wins the tie.
TEST(Metrics, ThresholdFallsBackToBestPrecision) {
    const ThresholdChoice t = choose_threshold({0.9f, 0.8f, 0.7f, 0.6f}, {false, true, false, true}, 0.9);
    EXPECT_FALSE(t.target_reached);
    EXPECT_FLOAT_EQ(t.threshold, 0.6f);
    EXPECT_DOUBLE_EQ(t.precision, 0.5);
    EXPECT_DOUBLE_EQ(t.coverage, 1.0);
}

TEST(Metrics, ThresholdEdgeCases) {
    const ThresholdChoice empty = choose_threshold({}, {}, 0.9);
    EXPECT_FLOAT_EQ(empty.threshold, 0.0f);
    EXPECT_FALSE(empty.target_reached);
    EXPECT_THROW(choose_threshold({0.5f}, {true, false}, 0.9), Error);
    EXPECT_THROW(choose_threshold({0.5f}, {true}, 1.5), Error);
    EXPECT_THROW(choose_threshold({NAN}, {true}, 0.9), Error);
}

// ------------------------------------------------------------ abstain thresholds

namespace {

// n predictions of intent 0 with confidences spread over (0, 1], right when
// the confidence is above `cut`.
void spread(size_t n, float cut, std::vector<float> &conf, std::vector<int> &pred, std::vector<bool> &ok) {
    for (size_t i = 0; i < n; ++i) {
        const float c = static_cast<float>(i + 1) / static_cast<float>(n);
        conf.push_back(c);
        pred.push_back(0);
        ok.push_back(c > cut);
    }
}

} // namespace

// Too few out-of-fold predictions: the run never abstains, and says why.
TEST(AbstainThresholds, ThinRunNeverAbstains) {
    std::vector<float> conf;
    std::vector<int> pred;
    std::vector<bool> ok;
    spread(50, 0.5f, conf, pred, ok);
    const AbstainThresholds t = choose_abstain_thresholds(conf, pred, ok, {20, 20}, 0.95, 0.5, 100, 5);
    EXPECT_FALSE(t.abstains);
    EXPECT_EQ(t.global, 0.0f);
    EXPECT_EQ(t.per_intent, (std::vector<float>{0.0f, 0.0f}));
    EXPECT_NE(t.reason.find("min_threshold_rows"), std::string::npos) << t.reason;
    EXPECT_EQ(t.reason_code, ThresholdReason::TooFewPredictions);
    EXPECT_STREQ(threshold_reason_code(t.reason_code), "too_few_predictions");
}

// The precision rule: rows right above 0.3; precision 0.95 needs the
// threshold where wrong rows are 5 % of the accepted ones.
TEST(AbstainThresholds, PrecisionRuleAndProbabilityFloor) {
    std::vector<float> conf;
    std::vector<int> pred;
    std::vector<bool> ok;
    spread(1000, 0.3f, conf, pred, ok);
    AbstainThresholds t = choose_abstain_thresholds(conf, pred, ok, {1000, 10}, 0.95, 0.0, 100, 5);
    EXPECT_TRUE(t.abstains);
    EXPECT_FALSE(t.floor_binds);
    // accepted = rows >= t: (1 - t) * 1000 + 1 of which 700 right; 700 / 0.95 = 736.8 accepted
    EXPECT_NEAR(t.global, 1.0 - 736.0 / 1000.0, 0.002);
    EXPECT_GE(t.precision, 0.95);
    EXPECT_EQ(t.reason_code, ThresholdReason::TargetReached);
    // A floor above it binds.
    t = choose_abstain_thresholds(conf, pred, ok, {1000, 10}, 0.95, 0.5, 100, 5);
    EXPECT_TRUE(t.floor_binds);
    EXPECT_EQ(t.reason_code, ThresholdReason::Floor);
    EXPECT_FLOAT_EQ(t.global, 0.5f);
    EXPECT_DOUBLE_EQ(t.precision, 1.0);
    EXPECT_NEAR(t.coverage, 0.501, 1e-9);
}

// An intent with fewer than min_intent_rows training rows never abstains,
// and its predictions do not move the global threshold.
TEST(AbstainThresholds, ThinIntentsTakeTheProbabilityFloor) {
    std::vector<float> conf;
    std::vector<int> pred;
    std::vector<bool> ok;
    spread(500, 0.3f, conf, pred, ok);
    const AbstainThresholds base = choose_abstain_thresholds(conf, pred, ok, {500, 3}, 0.95, 0.0, 100, 5);
    // Intent 1 (3 training rows) predicted wrongly at high confidence.
    for (int i = 0; i < 50; ++i) {
        conf.push_back(0.99f);
        pred.push_back(1);
        ok.push_back(false);
    }
    const AbstainThresholds t = choose_abstain_thresholds(conf, pred, ok, {500, 3}, 0.95, 0.0, 100, 5);
    EXPECT_EQ(t.thin_intents, (std::vector<size_t>{1}));
    EXPECT_EQ(t.per_intent[1], 0.0f); // threshold_floor 0
    const AbstainThresholds f = choose_abstain_thresholds(conf, pred, ok, {500, 3}, 0.95, 0.5, 100, 5);
    EXPECT_EQ(f.per_intent[1], 0.5f);
    EXPECT_TRUE(f.abstains);
    EXPECT_EQ(t.per_intent[0], t.global);
    EXPECT_EQ(t.global, base.global);
}

// The coverage cap (issue 34): the threshold is lowered to the confidence of
// the answer that brings in-scope coverage to min_coverage, ties accepted,
// and never raised.
TEST(CoverageCap, LowersTheThresholdJustEnough) {
    // 100 in-scope answers: 90 accepted, 10 withheld by the threshold 0.5 alone.
    const std::vector<float> withheld = {0.45f, 0.4f, 0.35f, 0.3f, 0.3f, 0.25f, 0.2f, 0.15f, 0.1f, 0.05f};
    CoverageCap c = cap_threshold_for_coverage(withheld, 90, 100, 0.5f, 0.95);
    EXPECT_TRUE(c.binds);
    // The fifth highest is 0.3, tied with the fourth: five released.
    EXPECT_FLOAT_EQ(c.threshold, 0.3f);
    EXPECT_EQ(c.released, 5u);
    EXPECT_DOUBLE_EQ(c.coverage_before, 0.90);
    EXPECT_DOUBLE_EQ(c.coverage_after, 0.95);
    EXPECT_NE(c.reason.find("min_coverage 0.950"), std::string::npos) << c.reason;
    // One tie more than needed is accepted with it.
    c = cap_threshold_for_coverage(withheld, 90, 100, 0.5f, 0.94);
    EXPECT_FLOAT_EQ(c.threshold, 0.3f);
    EXPECT_EQ(c.released, 5u);
    // Not enough withheld answers: the lowest of them, every one released.
    c = cap_threshold_for_coverage(withheld, 80, 100, 0.5f, 0.95);
    EXPECT_FLOAT_EQ(c.threshold, 0.05f);
    EXPECT_EQ(c.released, 10u);
    EXPECT_DOUBLE_EQ(c.coverage_after, 0.90);
}

TEST(CoverageCap, NeverBindsWhenCoverageIsReachedOrTheCapIsOff) {
    const std::vector<float> withheld = {0.45f, 0.4f};
    CoverageCap c = cap_threshold_for_coverage(withheld, 96, 100, 0.5f, 0.95);
    EXPECT_FALSE(c.binds);
    EXPECT_FLOAT_EQ(c.threshold, 0.5f);
    EXPECT_DOUBLE_EQ(c.coverage_after, 0.96);
    c = cap_threshold_for_coverage(withheld, 50, 100, 0.5f, 0.0);
    EXPECT_FALSE(c.binds);
    EXPECT_FLOAT_EQ(c.threshold, 0.5f);
    c = cap_threshold_for_coverage({}, 50, 100, 0.5f, 0.95);
    EXPECT_FALSE(c.binds);
    EXPECT_NE(c.reason.find("no answer is withheld by the global threshold alone"), std::string::npos)
        << c.reason;
    c = cap_threshold_for_coverage(withheld, 0, 0, 0.5f, 0.95);
    EXPECT_FALSE(c.binds);
}
