// Evaluation metrics and threshold choice on hand-made cases.
#include "errors.h"
#include "metrics.h"

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
    const std::vector<std::vector<size_t>> confusion = {
        {3, 1, 0, 0}, {0, 1, 1, 0}, {1, 0, 2, 0}, {0, 0, 0, 0}};
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
