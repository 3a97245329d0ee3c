// The evidence floor (novelty.h): the quantile of the accepted right
// out-of-fold answers' evidence, never below 0, and 0 when there is too
// little to choose it on.
#include "model.h"
#include "novelty.h"
#include "training.h"
#include "vectorizer.h"

#include <gtest/gtest.h>

#include <limits>
#include <vector>

using namespace intent;

TEST(Novelty, NoEvidenceAlwaysLacksEvidence) {
    EXPECT_TRUE(lacks_evidence(0.0f, 0.0f));
    EXPECT_TRUE(lacks_evidence(-0.3f, 0.0f));
    EXPECT_TRUE(lacks_evidence(std::numeric_limits<float>::quiet_NaN(), 0.0f));
    EXPECT_FALSE(lacks_evidence(0.01f, 0.0f));
    EXPECT_TRUE(lacks_evidence(0.5f, 0.5f));
    EXPECT_FALSE(lacks_evidence(0.51f, 0.5f));
}

TEST(Novelty, EvidenceIsTheLargestMovementOfAnyLabel) {
    const float bias[3] = {0.5f, -0.5f, 0.25f};
    const float none[3] = {0.5f, -0.5f, 0.25f};
    EXPECT_EQ(message_evidence(true, none, bias, 3), 0.0f);
    // The served label (the first) moves by 0.1; another label is pushed
    // down by 1.5: the message moves the scores, it is evidence.
    const float pushed[3] = {0.6f, -2.0f, 0.0f};
    EXPECT_FLOAT_EQ(message_evidence(true, pushed, bias, 3), 1.5f);
    // Only the first k labels count (a model's internal out-of-scope column
    // is not evidence of a label).
    EXPECT_FLOAT_EQ(message_evidence(true, pushed, bias, 1), 0.1f);
    const float nan[3] = {0.5f, std::numeric_limits<float>::quiet_NaN(), 0.25f};
    EXPECT_TRUE(lacks_evidence(message_evidence(true, nan, bias, 3), 0.0f));
}

TEST(Novelty, AMessageTheVocabularyDoesNotRecogniseHasNoEvidence) {
    const float bias[3] = {0.5f, -0.5f, 0.25f};
    const float pushed[3] = {0.6f, -2.0f, 0.0f};
    EXPECT_EQ(message_evidence(false, pushed, bias, 3), 0.0f);
    EXPECT_TRUE(lacks_evidence(message_evidence(false, pushed, bias, 3), 0.0f));
}

TEST(Novelty, WordsAndLongerCharGramsRecogniseShortCharGramsDoNot) {
    FeatureOptions o;
    o.char_ngram_min = 2;
    o.char_ngram_max = 5;
    const Vectorizer v = Vectorizer::fit({"quiero devolver el pedido", "donde esta mi paquete"}, o);
    const Recognition r(v);
    auto recognised = [&](const char *text) {
        SparseVector row;
        VectorizerScratch scratch;
        v.transform_one(text, row, scratch);
        return r.recognises(row);
    };
    EXPECT_TRUE(recognised("pedido"));      // a word n-gram
    EXPECT_TRUE(recognised("devolvemos"));  // " dev", "devo", "evol" are pieces of "devolver"
    EXPECT_TRUE(recognised("xq paquetes")); // one recognised word is enough
    EXPECT_FALSE(recognised("qu de"));      // " qu", "qu ", " de", "de ": known, but short
    EXPECT_FALSE(recognised("asdf qwer"));  // no known n-gram of four code points
    EXPECT_FALSE(recognised(""));
    // "ué": a 2-code-point gram of 3 bytes is still short.
    const Vectorizer w = Vectorizer::fit({"qué tal"}, [] {
        FeatureOptions f;
        f.text.fold_accents = false;
        return f;
    }());
    const Recognition rw(w);
    SparseVector row;
    VectorizerScratch scratch;
    w.transform_one("zué", row, scratch);
    EXPECT_GT(row.nnz(), 0u);
    EXPECT_FALSE(rw.recognises(row));
}

TEST(Novelty, FloorIsTheQuantileAndTurnsAtMostThatShareUncertain) {
    std::vector<float> e;
    for (int i = 1; i <= 1000; ++i)
        e.push_back(static_cast<float>(i) / 100.0f); // 0.01 .. 10.00
    const EvidenceFloor f = choose_evidence_floor(e, 0.01, 100);
    EXPECT_TRUE(f.learned);
    EXPECT_EQ(f.rows, 1000u);
    EXPECT_FLOAT_EQ(f.floor, 0.10f); // the 10th smallest: 10 answers at or below it
    size_t below = 0;
    for (float x : e)
        below += lacks_evidence(x, f.floor);
    EXPECT_EQ(below, 10u);
    EXPECT_NE(f.reason.find("0.010 quantile"), std::string::npos) << f.reason;
}

TEST(Novelty, TiesNeverTurnMoreThanTheQuantileUncertain) {
    // 950 answers at 1.0 and 50 at 2.0: a floor of 1.0 would turn 95 %
    // uncertain, so the floor steps down to 0.
    std::vector<float> e(950, 1.0f);
    e.insert(e.end(), 50, 2.0f);
    const EvidenceFloor f = choose_evidence_floor(e, 0.01, 100);
    EXPECT_EQ(f.floor, 0.0f);
    std::vector<float> g(5, 0.2f);
    for (int i = 0; i < 995; ++i)
        g.push_back(3.0f);
    EXPECT_FLOAT_EQ(choose_evidence_floor(g, 0.01, 100).floor, 0.2f); // 5 <= 10 at or below it
}

TEST(Novelty, NeverBelowZeroAndZeroWithoutEnoughRows) {
    std::vector<float> e(1000, -1.0f);
    EXPECT_EQ(choose_evidence_floor(e, 0.01, 100).floor, 0.0f);
    const EvidenceFloor few = choose_evidence_floor(std::vector<float>(99, 5.0f), 0.01, 100);
    EXPECT_FALSE(few.learned);
    EXPECT_EQ(few.floor, 0.0f);
    const EvidenceFloor off = choose_evidence_floor(std::vector<float>(1000, 5.0f), 0.0, 100);
    EXPECT_FALSE(off.learned);
    EXPECT_EQ(off.floor, 0.0f);
    // Non-finite evidence takes no part.
    std::vector<float> nan(1000, std::numeric_limits<float>::quiet_NaN());
    EXPECT_EQ(choose_evidence_floor(nan, 0.01, 100).rows, 0u);
}
