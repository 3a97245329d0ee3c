// IntentModel::explain: contributions plus the bias equal the decision score
// the model computes, to the documented float tolerance, for every label of
// a trained model on ordinary and odd texts; top_n and `rest`; a hand case.
#include "bundled_data.h"
#include "errors.h"
#include "model.h"
#include "odd_texts.h"
#include "scoring.h"
#include "training.h"

#include <gtest/gtest.h>

#include <cmath>
#include <fstream>
#include <iterator>
#include <limits>

using namespace intent;

namespace {

std::vector<LabeledText> csv_rows(const char *name) {
    std::vector<LabeledText> rows;
    for (const auto &r : bundled::rows(name))
        rows.push_back(LabeledText{r.text, r.intent, 1.0f, false});
    return rows;
}

const IntentModel &model(Algorithm a) {
    static const auto train = [](Algorithm algorithm) {
        ModelOptions o;
        o.learner.algorithm = algorithm;
        return train_model(csv_rows("ecommerce_es.csv"), o, TrainCallbacks{}).model;
    };
    static const IntentModel svm = train(Algorithm::LinearSVM), lr = train(Algorithm::LogisticRegression);
    return a == Algorithm::LinearSVM ? svm : lr;
}

// A model with the internal out-of-scope class: one more scored column, so
// its weights have another stride than the intents alone would give.
const IntentModel &model_with_out_of_scope() {
    static const IntentModel m = [] {
        std::vector<LabeledText> rows = csv_rows("ecommerce_es.csv");
        for (const char *t :
             {"what is the weather in paris", "play some jazz music", "tell me a joke",
              "how tall is mount everest", "set an alarm for seven", "who won the football game",
              "translate hello to german", "what time is it in tokyo"})
            for (int i = 0; i < 3; ++i)
                rows.push_back(LabeledText{std::string(t) + (i ? " " + std::to_string(i) : ""),
                                           "out_of_scope", 1.0f, false});
        return train_model(rows, ModelOptions{}, TrainCallbacks{}).model;
    }();
    return m;
}

// The documented bound on |bias + sum - score|.
double tolerance(const Explanation &e, double sum_abs) {
    return (static_cast<double>(e.num_features_in_row) + 4) * std::ldexp(1.0, -24) *
           (std::fabs(e.bias) + sum_abs);
}

} // namespace

TEST(Explain, ContributionsAndBiasSumToTheScoreForEveryLabel) {
    std::vector<std::string> texts;
    for (const auto &r : csv_rows("ecommerce_es.csv"))
        texts.push_back(r.text);
    for (const std::string &t : odd::texts(31, 60))
        texts.push_back(t);
    size_t checked = 0, with_terms = 0;
    double worst = 0;
    for (const IntentModel *mp :
         {&model(Algorithm::LinearSVM), &model(Algorithm::LogisticRegression), &model_with_out_of_scope()}) {
        const IntentModel &m = *mp;
        PredictScratch scratch;
        for (const std::string &text : texts) {
            m.probabilities(text, scratch);
            const std::vector<float> scores(scratch.scores.begin(),
                                            scratch.scores.begin() + m.labels().size());
            for (size_t c = 0; c < m.labels().size(); ++c) {
                const Explanation e =
                    m.explain(text, static_cast<int>(c), std::numeric_limits<size_t>::max(), scratch);
                ASSERT_EQ(e.label, static_cast<int>(c));
                ASSERT_EQ(e.score, scores[c]) << "the score the model computes";
                ASSERT_EQ(e.terms.size(), e.num_contributions);
                ASSERT_EQ(e.rest, 0.0);
                double sum = 0, sum_abs = 0;
                for (size_t i = 0; i < e.terms.size(); ++i) {
                    sum += e.terms[i].contribution;
                    sum_abs += std::fabs(e.terms[i].contribution);
                    if (i > 0)
                        ASSERT_GE(std::fabs(e.terms[i - 1].contribution), std::fabs(e.terms[i].contribution));
                    ASSERT_EQ(e.terms[i].term, m.vectorizer().terms()[e.terms[i].feature]);
                }
                const double error = std::fabs(e.bias + sum - e.score);
                ASSERT_LE(error, tolerance(e, sum_abs)) << text << " label " << c;
                worst = std::max(worst, error / std::max(1e-30, tolerance(e, sum_abs)));
                with_terms += !e.terms.empty();
                ++checked;
            }
        }
    }
    EXPECT_GT(with_terms, checked / 2);
    EXPECT_TRUE(model_with_out_of_scope().has_out_of_scope_class());
    std::printf("checked %zu explanations; worst error %.3f of the bound\n", checked, worst);
}

TEST(Explain, TopNKeepsTheLargestAndRestHoldsTheOthers) {
    const IntentModel &m = model(Algorithm::LinearSVM);
    PredictScratch scratch;
    const std::string text = "hola, quiero devolver el producto porque llegó roto y me cobraron dos veces";
    const Explanation all = m.explain(text, -1, std::numeric_limits<size_t>::max(), scratch);
    const Explanation top = m.explain(text, -1, 5, scratch);
    ASSERT_GT(all.terms.size(), 5u);
    ASSERT_EQ(top.terms.size(), 5u);
    EXPECT_EQ(top.label, m.predict(text, 1, scratch).label) << "-1 explains the predicted label";
    EXPECT_EQ(top.probability, m.predict(text, 1, scratch).confidence);
    EXPECT_EQ(top.predicted_label, m.predict(text, 1, scratch).label);
    EXPECT_EQ(top.uncertain(), m.predict(text, 1, scratch).uncertain);
    double rest = 0, sum_abs = 0;
    for (size_t i = 0; i < all.terms.size(); ++i) {
        if (i < 5) {
            EXPECT_EQ(top.terms[i].feature, all.terms[i].feature);
            EXPECT_EQ(top.terms[i].contribution, all.terms[i].contribution);
        } else {
            rest += all.terms[i].contribution;
        }
        sum_abs += std::fabs(all.terms[i].contribution);
    }
    EXPECT_NEAR(top.rest, rest, 1e-12 * sum_abs);
    double sum = top.bias + top.rest;
    for (const auto &t : top.terms)
        sum += t.contribution;
    EXPECT_LE(std::fabs(sum - top.score), tolerance(top, sum_abs));
    // The top term of the predicted label pushes towards it.
    EXPECT_GT(top.terms[0].contribution, 0);
}

TEST(Explain, LabelOutOfRangeAndUnknownText) {
    const IntentModel &m = model(Algorithm::LinearSVM);
    PredictScratch scratch;
    EXPECT_THROW(m.explain("hola", static_cast<int>(m.labels().size()), 3, scratch), Error);
    EXPECT_THROW(m.explain("hola", -2, 3, scratch), Error);
    const Explanation e = m.explain("¡¡¡ 😀 !!!", 0, 3, scratch); // no word: an empty row
    EXPECT_TRUE(e.terms.empty());
    EXPECT_EQ(e.score, static_cast<float>(e.bias)) << "no n-gram: the bias alone";
    EXPECT_THROW(m.explain("bad \xff", 0, 3, scratch), Error);
}

// Two words, two labels, hand-set weights: contributions are value * weight.
TEST(Explain, HandComputedContributions) {
    ModelOptions o;
    o.features.word_ngram_max = 1;
    o.features.char_ngrams = false;
    o.features.sublinear_tf = false;
    o.features.l2_normalize = false;
    Vectorizer v = Vectorizer::from_parts(o.features, {"hola", "pedido"},
                                          {FeatureKind::Word, FeatureKind::Word}, {1.0f, 2.0f});
    LinearWeights w;
    w.num_features = 2;
    w.num_classes = 2;
    w.w = {0.5f, -1.0f,   // hola
           -0.25f, 2.0f}; // pedido
    w.bias = {0.125f, -0.5f};
    const IntentModel m = IntentModel::assemble(o, v, {"greeting", "order"}, w, ScoreCalibrator{}, 0.0f,
                                                {0.0f, 0.0f}, false, 0.0f);
    PredictScratch scratch;
    // Row: hola 1 * idf 1 = 1, pedido 2 * idf 2 = 4 (raw tf, no normalisation).
    const Explanation e = m.explain("hola pedido pedido", 1, 10, scratch);
    ASSERT_EQ(e.terms.size(), 2u);
    EXPECT_EQ(e.terms[0].term, "pedido");
    EXPECT_EQ(e.terms[0].value, 4.0f);
    EXPECT_NEAR(e.terms[0].contribution, 8.0, 1e-3); // 4 * 2.0 (int16 quantisation: within 2/32767)
    EXPECT_EQ(e.terms[1].term, "hola");
    EXPECT_NEAR(e.terms[1].contribution, -1.0, 1e-3);
    EXPECT_EQ(e.bias, -0.5);
    EXPECT_NEAR(e.score, 6.5f, 1e-3);
}

// What an answer covers (0.3.2): explain() says why predict() marks it
// uncertain, by the rule predict() applies, and what it was held to.
TEST(Explain, SaysWhyAnAnswerIsUncertain) {
    const IntentModel &m = model(Algorithm::LinearSVM);
    PredictScratch scratch;
    ASSERT_TRUE(m.checks_evidence());
    // No known n-gram: no evidence, however confident.
    const Explanation none = m.explain("", -1, 3, scratch);
    EXPECT_TRUE(none.uncertain());
    EXPECT_EQ(none.uncertain_reason, UncertainReason::NoEvidence);
    EXPECT_TRUE(none.checks_evidence);
    EXPECT_EQ(none.evidence, 0.0f);
    EXPECT_EQ(none.evidence_floor, m.evidence_floor());
    EXPECT_STREQ(uncertain_reason_name(none.uncertain_reason), "no_evidence");
    // Every text: the reason agrees with predict(), and with the figures.
    size_t answered = 0;
    for (const auto &r : bundled::rows("ecommerce_es.csv")) {
        const Explanation e = m.explain(r.text, -1, 0, scratch);
        const Prediction p = m.predict(r.text, 1, scratch);
        EXPECT_EQ(e.uncertain(), p.uncertain) << r.text;
        EXPECT_EQ(e.threshold, m.thresholds()[static_cast<size_t>(e.predicted_label)]) << r.text;
        switch (e.uncertain_reason) {
        case UncertainReason::None:
            ++answered;
            EXPECT_GT(e.evidence, e.evidence_floor) << r.text;
            EXPECT_GE(e.probability, e.threshold) << r.text;
            EXPECT_EQ(uncertain_reason_name(e.uncertain_reason), nullptr);
            break;
        case UncertainReason::NoEvidence:
            EXPECT_LE(e.evidence, e.evidence_floor) << r.text;
            break;
        case UncertainReason::BelowThreshold:
            EXPECT_GT(e.evidence, e.evidence_floor) << r.text;
            EXPECT_LT(e.probability, e.threshold) << r.text;
            break;
        case UncertainReason::OutOfScope:
            ADD_FAILURE() << "no out-of-scope class in this model: " << r.text;
            break;
        }
    }
    EXPECT_GT(answered, 0u);
    // The out-of-scope class beating the label is its own reason.
    const IntentModel &oos = model_with_out_of_scope();
    const Explanation weather = oos.explain("what is the weather in paris", -1, 0, scratch);
    EXPECT_EQ(weather.uncertain_reason, UncertainReason::OutOfScope);
    EXPECT_STREQ(uncertain_reason_name(weather.uncertain_reason), "out_of_scope");
}
