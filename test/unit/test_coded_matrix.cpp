// The coded FeatureMatrix (3-byte entries plus a scale per row, sparse.h):
// the same values as the plain rows the vectoriser gives, so the solvers
// and the scoring kernel give the same bits on either.
#include "bundled_data.h"
#include "crossval.h"
#include "errors.h"
#include "linear.h"
#include "scoring.h"
#include "sparse.h"
#include "vectorizer.h"

#include <gtest/gtest.h>

#include <cstring>
#include <string>
#include <vector>

using namespace intent;

namespace {

bool same_bits(const std::vector<float> &a, const std::vector<float> &b) {
    return a.size() == b.size() && std::memcmp(a.data(), b.data(), a.size() * sizeof(float)) == 0;
}

// The rows of `texts` in a coded matrix (fit_transform codes only above
// Vectorizer::kCodedMatrixBytes).
FeatureMatrix coded_rows(const Vectorizer &v, const std::vector<std::string> &texts,
                         MemoryBudget *budget = nullptr) {
    FeatureMatrix m = v.new_matrix(budget, true);
    VectorizerScratch scratch;
    SparseVector row;
    for (const std::string &t : texts)
        v.transform_append(t, m, row, scratch);
    return m;
}

std::vector<int> labels_of(const std::vector<std::string> &texts, size_t classes) {
    std::vector<int> y(texts.size());
    for (size_t i = 0; i < texts.size(); ++i)
        y[i] = static_cast<int>((texts[i].size() * 31 + i % 3) % classes);
    return y;
}

} // namespace

TEST(CodedMatrix, HoldsTheVectorisersValues) {
    const std::vector<std::string> texts = bundled::texts();
    for (bool sublinear : {true, false})
        for (bool l2 : {true, false}) {
            FeatureOptions o;
            o.sublinear_tf = sublinear;
            o.l2_normalize = l2;
            SparseMatrix plain;
            Vectorizer a = Vectorizer::fit_transform(texts, o, plain);
            FeatureMatrix small;
            Vectorizer::fit_transform(texts, o, small);
            EXPECT_FALSE(small.coded()) << "a small matrix stays plain";
            const FeatureMatrix coded = coded_rows(a, texts);
            ASSERT_TRUE(coded.coded());
            const SparseMatrix back = coded.to_sparse();
            EXPECT_EQ(back.row_ptr, plain.row_ptr);
            EXPECT_EQ(back.col, plain.col);
            EXPECT_TRUE(same_bits(back.val, plain.val)) << sublinear << l2;
            // 3 bytes a value against the plain form's 6.
            EXPECT_LT(coded.memory_bytes(), FeatureMatrix::from_sparse(plain).memory_bytes());
            // Rows selected keep their values.
            const FeatureMatrix some = coded.select_rows({5, 1, 3});
            EXPECT_TRUE(some.coded());
            SparseVector r1, r2;
            some.row(1, r1);
            coded.row(1, r2);
            EXPECT_EQ(r1.index, r2.index);
            EXPECT_TRUE(same_bits(r1.value, r2.value));
        }
}

TEST(CodedMatrix, CountBeyondTheCodesFallsBackToPlainRows) {
    std::vector<std::string> texts = bundled::texts();
    texts.resize(200);
    std::string repeated;
    for (int i = 0; i < 400; ++i)
        repeated += "precio ";
    texts.insert(texts.begin() + 50, repeated); // a term counted 400 times
    SparseMatrix plain;
    Vectorizer a = Vectorizer::fit_transform(texts, FeatureOptions{}, plain);
    MemoryBudget budget;
    const FeatureMatrix m = coded_rows(a, texts, &budget);
    EXPECT_FALSE(m.coded());
    EXPECT_TRUE(m.narrow());
    const SparseMatrix back = m.to_sparse();
    EXPECT_EQ(back.col, plain.col);
    EXPECT_TRUE(same_bits(back.val, plain.val));
    EXPECT_EQ(budget.used(), m.memory_bytes());
}

TEST(CodedMatrix, ARowRefusedLeavesTheMatrixAsItWas) {
    std::vector<std::string> texts = bundled::texts();
    texts.resize(50);
    SparseMatrix plain;
    Vectorizer a = Vectorizer::fit_transform(texts, FeatureOptions{}, plain);
    FeatureMatrix m = coded_rows(a, texts);
    ASSERT_TRUE(m.coded());
    const size_t rows = m.rows(), nnz = m.nnz(), cols = m.cols();
    // A count beyond the codes first (which alone would turn the matrix
    // plain), then an index out of range: the row is refused as a whole.
    const SparseVector bad{{0, static_cast<uint32_t>(cols)}, {1.0f, 1.0f}};
    const uint32_t counts[] = {FeatureCoding::kMaxCodes + 1, 1};
    try {
        m.append_row(bad, counts, 1.0f);
        FAIL() << "an index out of range was accepted";
    } catch (const Error &e) {
        EXPECT_EQ(e.kind(), ErrorKind::InvalidArgument);
        EXPECT_EQ(e.detail(),
                  "Index " + std::to_string(cols) + " in a matrix of " + std::to_string(cols) + " columns.");
    }
    EXPECT_TRUE(m.coded());
    EXPECT_EQ(m.rows(), rows);
    EXPECT_EQ(m.nnz(), nnz);
    const SparseMatrix back = m.to_sparse();
    EXPECT_EQ(back.col, plain.col);
    EXPECT_TRUE(same_bits(back.val, plain.val));
}

TEST(CodedMatrix, SolversAndScoringGiveTheSameBits) {
    const std::vector<std::string> texts = bundled::texts();
    const size_t k = 7;
    const std::vector<int> y = labels_of(texts, k);
    SparseMatrix sparse;
    Vectorizer vec = Vectorizer::fit_transform(texts, FeatureOptions{}, sparse);
    const FeatureMatrix coded = coded_rows(vec, texts);
    ASSERT_TRUE(coded.coded());
    const FeatureMatrix plain = FeatureMatrix::from_sparse(sparse);
    ASSERT_FALSE(plain.coded());
    for (Algorithm alg : {Algorithm::LinearSVM, Algorithm::LogisticRegression}) {
        LearnerOptions o;
        o.algorithm = alg;
        o.threads = 2;
        const LinearWeights wp = train_one_vs_rest(plain, y, k, {}, o, TrainCallbacks{});
        const LinearWeights wc = train_one_vs_rest(coded, y, k, {}, o, TrainCallbacks{});
        EXPECT_TRUE(same_bits(wp.w, wc.w)) << algorithm_name(alg);
        EXPECT_TRUE(same_bits(wp.bias, wc.bias)) << algorithm_name(alg);
        std::vector<int16_t> q;
        std::vector<float> scale;
        quantize(wc, q, scale);
        const size_t stride = padded(k);
        std::vector<float> bias(stride, 0.0f), sp(plain.rows() * k), sc(coded.rows() * k);
        std::copy(wc.bias.begin(), wc.bias.end(), bias.begin());
        score_rows(plain, q.data(), stride, scale.data(), bias.data(), k, sp.data());
        score_rows(coded, q.data(), stride, scale.data(), bias.data(), k, sc.data());
        EXPECT_TRUE(same_bits(sp, sc));
    }
    // A coded matrix pairs only with one of the same coding (typo variants).
    FeatureMatrix variants = vec.new_matrix(nullptr, true);
    VectorizerScratch scratch;
    SparseVector row;
    vec.transform_append("precio del envio", variants, row, scratch);
    OneVsRestProblem ok{&coded, &y, k};
    ok.X2 = &variants;
    std::vector<int> y2(y);
    y2.push_back(0);
    ok.y = &y2;
    EXPECT_NO_THROW(train_one_vs_rest_many({ok}, LearnerOptions{}, TrainCallbacks{}));
    OneVsRestProblem mixed = ok;
    mixed.X2 = &plain;
    std::vector<int> y3(y);
    y3.insert(y3.end(), y.begin(), y.end());
    mixed.y = &y3;
    EXPECT_THROW(train_one_vs_rest_many({mixed}, LearnerOptions{}, TrainCallbacks{}), Error);
}
