// EvalAccumulator gives exactly what evaluate() and calibration_report()
// give for the same rows, fed one at a time.
#include "calibration.h"
#include "errors.h"
#include "eval_accumulator.h"
#include "evaluation.h"
#include "json.h"
#include "metrics.h"

#include <gtest/gtest.h>

#include <random>

using namespace intent;

namespace {

struct Rows {
    std::vector<int> truth, pred;
    std::vector<float> conf, probs;
};

// Random rows over k classes: probabilities from a random softmax, the
// prediction its argmax, the truth right most of the time, sometimes unknown.
Rows random_rows(size_t n, size_t k, unsigned seed) {
    std::mt19937 rng(seed);
    std::uniform_real_distribution<float> u(0.0f, 1.0f);
    Rows r;
    for (size_t i = 0; i < n; ++i) {
        std::vector<float> p(k);
        float sum = 0;
        for (auto &x : p)
            sum += (x = std::exp(4 * u(rng)));
        size_t best = 0;
        for (size_t c = 0; c < k; ++c) {
            p[c] /= sum;
            if (p[c] > p[best]) best = c;
        }
        const float draw = u(rng);
        int truth = draw < 0.7f ? static_cast<int>(best) : draw < 0.95f ? static_cast<int>(rng() % k) : -1;
        r.truth.push_back(truth);
        r.pred.push_back(static_cast<int>(best));
        r.conf.push_back(p[best]);
        r.probs.insert(r.probs.end(), p.begin(), p.end());
    }
    return r;
}

void expect_same(const EvalReport &a, const EvalReport &b) {
    EXPECT_EQ(a.rows, b.rows);
    EXPECT_EQ(a.accuracy, b.accuracy);
    EXPECT_EQ(a.macro_precision, b.macro_precision);
    EXPECT_EQ(a.macro_recall, b.macro_recall);
    EXPECT_EQ(a.macro_f1, b.macro_f1);
    EXPECT_EQ(a.confusion, b.confusion);
    EXPECT_EQ(a.unknown_truth, b.unknown_truth);
    ASSERT_EQ(a.per_class.size(), b.per_class.size());
    for (size_t c = 0; c < a.per_class.size(); ++c) {
        EXPECT_EQ(a.per_class[c].precision, b.per_class[c].precision);
        EXPECT_EQ(a.per_class[c].recall, b.per_class[c].recall);
        EXPECT_EQ(a.per_class[c].f1, b.per_class[c].f1);
        EXPECT_EQ(a.per_class[c].support, b.per_class[c].support);
    }
    ASSERT_EQ(a.misclassified.size(), b.misclassified.size());
    for (size_t i = 0; i < a.misclassified.size(); ++i) {
        EXPECT_EQ(a.misclassified[i].row, b.misclassified[i].row);
        EXPECT_EQ(a.misclassified[i].truth, b.misclassified[i].truth);
        EXPECT_EQ(a.misclassified[i].predicted, b.misclassified[i].predicted);
        EXPECT_EQ(a.misclassified[i].confidence, b.misclassified[i].confidence);
    }
}

} // namespace

TEST(EvalAccumulator, EqualsEvaluateAndCalibrationReport) {
    for (size_t k : {2u, 7u, 150u}) {
        const Rows rows = random_rows(3000, k, static_cast<unsigned>(k));
        EvalAccumulator acc(k, 25);
        for (size_t i = 0; i < rows.truth.size(); ++i)
            acc.add(rows.truth[i], rows.pred[i], rows.probs.data() + i * k, i);
        EvalReport expected = evaluate(rows.truth, rows.pred, rows.conf, k);
        expected.misclassified.resize(std::min<size_t>(expected.misclassified.size(), 25));
        expect_same(acc.report(), expected);
        const CalibrationReport cal = calibration_report(rows.probs, k, rows.truth, 15, &rows.pred);
        const CalibrationReport got = acc.calibration();
        EXPECT_EQ(got.ece, cal.ece);
        EXPECT_EQ(got.brier, cal.brier);
        EXPECT_EQ(got.brier_multiclass, cal.brier_multiclass);
        EXPECT_EQ(got.rows, cal.rows);
        EXPECT_EQ(got.bins, cal.bins);
        EXPECT_EQ(acc.rows(), rows.truth.size());
    }
}

TEST(EvalAccumulator, MisclassifiedRowsKeepTheCallersIds) {
    const float probs[2] = {0.25f, 0.75f};
    EvalAccumulator acc(2, 10);
    acc.add(0, 1, probs, 41);
    acc.add(1, 1, probs, 42);
    acc.add(-1, 1, probs, 43);
    const EvalReport r = acc.report();
    ASSERT_EQ(r.misclassified.size(), 2u);
    EXPECT_EQ(r.misclassified[0].row, 41u);
    EXPECT_EQ(r.misclassified[1].row, 43u);
    EXPECT_EQ(r.misclassified[1].truth, -1);
    EXPECT_FLOAT_EQ(r.misclassified[0].confidence, 0.75f);
    EXPECT_EQ(r.unknown_truth, 1u);
    EXPECT_EQ(acc.correct(), 1u);
}

TEST(EvalAccumulator, EmptyAndInvalid) {
    EvalAccumulator acc(3, 5);
    EXPECT_EQ(acc.report().rows, 0u);
    EXPECT_EQ(acc.report().accuracy, 0.0);
    EXPECT_EQ(acc.calibration().rows, 0u);
    const float probs[3] = {0.2f, 0.3f, 0.5f};
    EXPECT_THROW(acc.add(0, 3, probs, 0), Error);
    EXPECT_THROW(acc.add(-2, 0, probs, 0), Error);
    EXPECT_THROW(EvalAccumulator(0, 1), Error);
}

// Evaluating with a model of many intents costs memory in proportion to the
// rows, not to the square of the intents (evaluate_intent_model() is open to
// PUBLIC; a dense 100,000 x 100,000 matrix of counts would need 80 GB).
TEST(EvalAccumulator, ManyIntentsStaySparse) {
    const size_t k = 100000;
    EvalAccumulator acc(k, 10, 15);
    std::vector<float> probs(k, 0.0f);
    probs[7] = 0.9f;
    probs[99999] = 0.8f;
    acc.add(7, 7, probs.data(), 0);
    acc.add(99999, 7, probs.data(), 1);
    acc.add(99999, 7, probs.data(), 2);
    const std::vector<ConfusionCell> cells = {{7, 7, 1}, {99999, 7, 2}};
    EXPECT_EQ(acc.report().confusion, cells);
}

// Beyond 300 intents the confusion matrix is written as its non-zero cells
// ([truth, predicted, count] by index into labels); up to 300 in full, as
// the reports draw it.
TEST(EvalAccumulator, ConfusionJsonIsSparseBeyond300Intents) {
    const size_t k = 301;
    EvalAccumulator acc(k, 10, 15);
    std::vector<float> probs(k, 0.0f);
    probs[7] = 0.9f;
    acc.add(7, 7, probs.data(), 0);
    acc.add(300, 7, probs.data(), 1);
    acc.add(300, 7, probs.data(), 2);
    std::vector<std::string> labels(k);
    for (size_t c = 0; c < k; ++c)
        labels[c] = "i" + std::to_string(c);
    const Json j = metrics_json(acc.report(), labels, {}, nullptr);
    EXPECT_FALSE(j.at("confusion").contains("matrix"));
    ASSERT_TRUE(j.at("confusion").contains("cells"));
    EXPECT_EQ(j.at("confusion").at("cells").dump(), "[[7,7,1],[300,7,2]]");
    EXPECT_EQ(j.at("confusion").at("labels").size(), k);

    EvalAccumulator few(3, 10, 15);
    const float p3[3] = {0.2f, 0.7f, 0.1f};
    few.add(0, 1, p3, 0);
    few.add(1, 1, p3, 1);
    const Json f = metrics_json(few.report(), {"a", "b", "c"}, {}, nullptr);
    EXPECT_EQ(f.at("confusion").at("matrix").dump(), "[[0,1,0],[0,1,0],[0,0,0]]");
    EXPECT_FALSE(f.at("confusion").contains("cells"));
}
