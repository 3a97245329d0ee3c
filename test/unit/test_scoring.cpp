// score_rows: bit-identical to score_row on every row, for SparseMatrix and
// FeatureMatrix (16- and 32-bit entries).
#include "dataset.h"
#include "errors.h"
#include "linear.h"
#include "scoring.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <limits>

using namespace intent;

namespace {

// Random weights in [-1, 1] and biases, quantised as a model stores them.
struct QuantizedWeights {
    std::vector<int16_t> q;
    std::vector<float> scale;
    std::vector<float> bias; // padded to the stride
};

QuantizedWeights random_weights(Rng &rng, size_t cols, size_t k) {
    LinearWeights w;
    w.num_features = cols;
    w.num_classes = k;
    w.w.resize(cols * k);
    for (float &x : w.w)
        x = static_cast<float>(rng.below(20001)) / 10000.0f - 1.0f;
    w.bias.resize(k);
    for (float &b : w.bias)
        b = static_cast<float>(rng.below(2001)) / 1000.0f - 1.0f;
    QuantizedWeights out;
    quantize(w, out.q, out.scale);
    out.bias.assign(padded(k), 0.0f);
    std::copy(w.bias.begin(), w.bias.end(), out.bias.begin());
    return out;
}

} // namespace

TEST(ScoreRows, BitIdenticalToScoreRowForEveryLayout) {
    Rng rng(11);
    for (size_t cols : {size_t{300}, size_t{70000}}) {
        for (size_t k : {size_t{3}, size_t{17}, size_t{150}}) {
            SparseMatrix X;
            X.cols = cols;
            for (size_t r = 0; r < 200; ++r) {
                SparseVector v;
                for (uint32_t j = 0; j < 300; ++j)
                    if (rng.below(12) == 0) {
                        v.index.push_back(cols > 300 ? j * 200 : j);
                        v.value.push_back(static_cast<float>(rng.below(100000)) / 7919.0f - 3.0f);
                    }
                X.append_row(v); // includes empty and one-entry rows now and then
            }
            const QuantizedWeights qw = random_weights(rng, cols, k);
            const std::vector<int16_t> &q = qw.q;
            const std::vector<float> &scale = qw.scale, &bias = qw.bias;
            const size_t stride = padded(k);

            std::vector<float> expected(X.rows() * k), buf(stride);
            SparseVector row;
            for (size_t r = 0; r < X.rows(); ++r) {
                row.index.assign(X.col.begin() + static_cast<std::ptrdiff_t>(X.row_ptr[r]),
                                 X.col.begin() + static_cast<std::ptrdiff_t>(X.row_ptr[r + 1]));
                row.value.assign(X.val.begin() + static_cast<std::ptrdiff_t>(X.row_ptr[r]),
                                 X.val.begin() + static_cast<std::ptrdiff_t>(X.row_ptr[r + 1]));
                score_row(row, q.data(), stride, scale.data(), bias.data(), k, buf.data());
                std::copy(buf.begin(), buf.begin() + static_cast<std::ptrdiff_t>(k),
                          expected.begin() + static_cast<std::ptrdiff_t>(r * k));
            }
            std::vector<float> sparse(X.rows() * k), compact(X.rows() * k);
            score_rows(X, q.data(), stride, scale.data(), bias.data(), k, sparse.data());
            const FeatureMatrix F = FeatureMatrix::from_sparse(X);
            EXPECT_EQ(F.narrow(), cols <= 65536);
            score_rows(F, q.data(), stride, scale.data(), bias.data(), k, compact.data());
            EXPECT_EQ(0, std::memcmp(expected.data(), sparse.data(), expected.size() * sizeof(float)))
                << cols << " " << k;
            EXPECT_EQ(0, std::memcmp(expected.data(), compact.data(), expected.size() * sizeof(float)))
                << cols << " " << k;
        }
    }
}

// score_row adds, per class, the same products in the same order as the
// plain loop below (features two at a time, one pass over every class per
// pair): the class blocking of the kernel must not change a bit. Every
// stride shape (16 to 320 lanes: 64-lane blocks, a 32 and a 16 tail), odd
// and even row lengths, signed values and weights.
TEST(ScoreRow, BitIdenticalToThePlainPerFeatureLoop) {
    Rng rng(29);
    for (size_t k = 1; k <= 300; k += (k < 80 ? 1 : 13)) {
        const size_t cols = 500, stride = padded(k);
        const QuantizedWeights qw = random_weights(rng, cols, k);
        const std::vector<int16_t> &q = qw.q;
        const std::vector<float> &scale = qw.scale, &bias = qw.bias;
        for (size_t nnz : {size_t{0}, size_t{1}, size_t{2}, size_t{7}, size_t{150}, size_t{301}}) {
            SparseVector row;
            for (size_t j = 0; j < nnz; ++j) {
                row.index.push_back(static_cast<uint32_t>(rng.below(cols)));
                row.value.push_back(static_cast<float>(rng.below(100000)) / 7919.0f - 3.0f);
            }
            std::vector<float> plain(stride, 0.0f);
            size_t i = 0;
            for (; i + 1 < nnz; i += 2) {
                const int16_t *r0 = q.data() + row.index[i] * stride;
                const int16_t *r1 = q.data() + row.index[i + 1] * stride;
                for (size_t c = 0; c < stride; ++c)
                    plain[c] += row.value[i] * static_cast<float>(r0[c]) +
                                row.value[i + 1] * static_cast<float>(r1[c]);
            }
            if (i < nnz) {
                const int16_t *r = q.data() + row.index[i] * stride;
                for (size_t c = 0; c < stride; ++c)
                    plain[c] += row.value[i] * static_cast<float>(r[c]);
            }
            for (size_t c = 0; c < k; ++c)
                plain[c] = bias[c] + plain[c] * scale[c];
            std::vector<float> out(stride, 12345.0f);
            score_row(row, q.data(), stride, scale.data(), bias.data(), k, out.data());
            EXPECT_EQ(0, std::memcmp(plain.data(), out.data(), stride * sizeof(float))) << k << " " << nnz;
        }
    }
}

// quantize(): the int16 of every weight as the scalar formula gives it
// (multiply by the inverse scale in double, clamp, round half away from
// zero), on weights of every kind: ties at .5, signed zeros, a class of
// zeros, tiny and huge values, the extremes. The loop was rewritten without
// branches so that it vectorises; a model's bytes must not move.
TEST(Quantize, SameIntegersAsTheScalarFormula) {
    Rng rng(29);
    for (size_t k : {size_t{1}, size_t{5}, size_t{16}, size_t{150}}) {
        LinearWeights w;
        w.num_features = 997;
        w.num_classes = k;
        w.w.resize(w.num_features * k);
        for (size_t i = 0; i < w.w.size(); ++i) {
            float x;
            switch (rng.below(7)) {
            case 0:
                x = static_cast<float>(rng.below(65535)) / 2.0f - 16383.5f;
                break; // halves
            case 1:
                x = rng.below(2) ? 0.0f : -0.0f;
                break;
            case 2:
                x = static_cast<float>(rng.below(1000)) * 1e-30f;
                break;
            case 3:
                x = (rng.below(2) ? 1.0f : -1.0f) * 3.0e5f;
                break;
            default:
                x = static_cast<float>(rng.below(2000001)) / 1000000.0f - 1.0f;
                break;
            }
            w.w[i] = x;
        }
        if (k > 1)
            for (size_t f = 0; f < w.num_features; ++f)
                w.w[f * k + 1] = 0.0f; // a class with no weight: scale 0
        w.bias.assign(k, 0.25f);
        std::vector<int16_t> q;
        std::vector<float> scale;
        quantize(w, q, scale);
        const size_t stride = padded(k);
        ASSERT_EQ(q.size(), w.num_features * stride);
        std::vector<float> maxabs(k, 0.0f);
        for (size_t f = 0; f < w.num_features; ++f)
            for (size_t c = 0; c < k; ++c)
                maxabs[c] = std::max(maxabs[c], std::fabs(w.w[f * k + c]));
        for (size_t c = 0; c < k; ++c)
            ASSERT_EQ(scale[c], maxabs[c] > 0 ? maxabs[c] / 32767.0f : 0.0f) << c;
        for (size_t f = 0; f < w.num_features; ++f)
            for (size_t c = 0; c < stride; ++c) {
                int16_t want = 0;
                if (c < k) {
                    const double inv = scale[c] > 0 ? 1.0 / static_cast<double>(scale[c]) : 0.0;
                    double r = static_cast<double>(w.w[f * k + c]) * inv;
                    r = std::clamp(r, -32767.0, 32767.0);
                    want = static_cast<int16_t>(r >= 0 ? r + 0.5 : r - 0.5);
                }
                ASSERT_EQ(q[f * stride + c], want) << "k " << k << " feature " << f << " class " << c;
            }
    }
}

TEST(Quantize, RefusesNonFiniteWeights) {
    for (float bad : {std::numeric_limits<float>::quiet_NaN(), std::numeric_limits<float>::infinity(),
                      -std::numeric_limits<float>::infinity()}) {
        LinearWeights w;
        w.num_features = 40;
        w.num_classes = 3;
        w.w.assign(120, 0.5f);
        w.w[77] = bad;
        w.bias.assign(3, 0.0f);
        std::vector<int16_t> q;
        std::vector<float> scale;
        try {
            quantize(w, q, scale);
            FAIL() << "accepted " << bad;
        } catch (const Error &e) {
            EXPECT_EQ(e.kind(), ErrorKind::Internal);
            EXPECT_STREQ(e.what(), "non-finite weight");
        }
    }
}
