// The scoring kernels shared by prediction, training and evaluation:
// int16 quantisation of the weights and the vectorised score of a sparse row.
#include "scoring.h"

#include "errors.h"

#include <algorithm>
#include <cmath>

namespace intent {

size_t padded(size_t k) {
    return (k + kLanes - 1) / kLanes * kLanes;
}

// Quantises float weights to int16 with one scale per class (max |w| maps to
// 32767), stored feature-major with the class stride padded to kLanes.
void quantize(const LinearWeights &w, std::vector<int16_t> &q, std::vector<float> &scale) {
    const size_t k = w.num_classes, nf = w.num_features, stride = padded(k);
    std::vector<float> maxabs(k, 0.0f);
    for (size_t f = 0; f < nf; ++f)
        for (size_t c = 0; c < k; ++c) {
            float v = w.w[f * k + c];
            if (!std::isfinite(v))
                throw Error(ErrorKind::Internal, "non-finite weight",
                            "The learner produced a non-finite weight.");
            maxabs[c] = std::max(maxabs[c], std::fabs(v));
        }
    scale.assign(k, 0.0f);
    for (size_t c = 0; c < k; ++c) {
        scale[c] = maxabs[c] > 0 ? maxabs[c] / 32767.0f : 0.0f;
        const float bias = c < w.bias.size() ? std::fabs(w.bias[c]) : 0.0f;
        if (scale[c] > kMaxWeightScale || !(bias <= kMaxBias))
            throw Error(ErrorKind::InvalidArgument, "the learned weights are out of range",
                        "A class's largest weight is " + std::to_string(maxabs[c]) + " and its bias " +
                            std::to_string(bias) + "; a model holds weights up to " +
                            std::to_string(kMaxWeightScale * 32767.0f) + " and biases up to " +
                            std::to_string(kMaxBias) + ".",
                        "Lower the C option.");
    }
    // Multiply by the inverse scale and round half away from zero by hand:
    // much cheaper than lround's library call, and just as deterministic.
    std::vector<double> inv(k, 0.0);
    for (size_t c = 0; c < k; ++c)
        inv[c] = scale[c] > 0 ? 1.0 / static_cast<double>(scale[c]) : 0.0;
    q.assign(nf * stride, 0);
    for (size_t f = 0; f < nf; ++f) {
        const float *src = w.w.data() + f * k;
        int16_t *dst = q.data() + f * stride;
        for (size_t c = 0; c < k; ++c) {
            double r = static_cast<double>(src[c]) * inv[c];
            r = std::clamp(r, -32767.0, 32767.0);
            dst[c] = static_cast<int16_t>(r >= 0 ? r + 0.5 : r - 0.5);
        }
    }
}

// Raw decision scores of one sparse row: bias + scale[c] * sum_f x_f q[f][c].
// `out` must hold `stride` (padded) floats. Features are taken two at a time
// (half the accumulator loads and stores), and the inner block has a fixed
// trip count so GCC vectorises it even under -O2's very-cheap cost model.
// `at(j, index, value)` reads entry j of the row, so one body serves every
// row layout (SparseVector's two arrays, FeatureMatrix's entries) and each
// CPU clone below inlines it: the same float operations, the same bits.
template <class At>
__attribute__((always_inline)) inline void score_entries(size_t nnz, At at, const int16_t *q, size_t stride,
                                                         const float *scale, const float *bias, size_t k,
                                                         float *out) {
    std::fill(out, out + stride, 0.0f);
    size_t i = 0;
    for (; i + 1 < nnz; i += 2) {
        uint32_t f0, f1;
        float v0, v1;
        at(i, f0, v0);
        at(i + 1, f1, v1);
        const int16_t *r0 = q + static_cast<size_t>(f0) * stride;
        const int16_t *r1 = q + static_cast<size_t>(f1) * stride;
        for (size_t c0 = 0; c0 < stride; c0 += kLanes) {
            float *o = out + c0;
            for (size_t j = 0; j < kLanes; ++j)
                o[j] += v0 * static_cast<float>(r0[c0 + j]) + v1 * static_cast<float>(r1[c0 + j]);
        }
    }
    if (i < nnz) {
        uint32_t f;
        float v;
        at(i, f, v);
        const int16_t *r = q + static_cast<size_t>(f) * stride;
        for (size_t c0 = 0; c0 < stride; c0 += kLanes) {
            float *o = out + c0;
            for (size_t j = 0; j < kLanes; ++j)
                o[j] += v * static_cast<float>(r[c0 + j]);
        }
    }
    for (size_t c = 0; c < k; ++c)
        out[c] = bias[c] + out[c] * scale[c];
}

// Compiled for AVX-512, AVX2 and baseline x86-64, chosen at load time (the
// default target is SSE2, which converts and multiplies only 4 weights at a
// time). The core builds with -ffp-contract=off, so every clone performs the
// same float operations per class and returns the same bits.
#if defined(__x86_64__) && defined(__GNUC__) && !defined(__clang__)
#define INTENT_SCORE_CLONES __attribute__((target_clones("avx512f", "avx2", "default")))
#else
#define INTENT_SCORE_CLONES
#endif
INTENT_SCORE_CLONES
void score_row(const SparseVector &x, const int16_t *q, size_t stride, const float *scale, const float *bias,
               size_t k, float *out) {
    const uint32_t *index = x.index.data();
    const float *value = x.value.data();
    score_entries(
        x.index.size(),
        [index, value](size_t j, uint32_t &f, float &v) {
            f = index[j];
            v = value[j];
        },
        q, stride, scale, bias, k, out);
}

namespace {

// Scores rows [begin, end) of a FeatureMatrix with 16- or 32-bit entries.
template <class E>
__attribute__((always_inline)) inline void
score_matrix_rows(const size_t *row_ptr, const E *entries, size_t begin, size_t end, const int16_t *q,
                  size_t stride, const float *scale, const float *bias, size_t k, float *row_buf,
                  float *out) {
    for (size_t r = begin; r < end; ++r) {
        const E *e = entries + row_ptr[r];
        score_entries(
            row_ptr[r + 1] - row_ptr[r],
            [e](size_t j, uint32_t &f, float &v) {
                f = e[j].index;
                v = e[j].value;
            },
            q, stride, scale, bias, k, row_buf);
        std::copy(row_buf, row_buf + k, out + r * k);
    }
}

INTENT_SCORE_CLONES
void score_narrow_rows(const size_t *row_ptr, const NarrowEntry *entries, size_t begin, size_t end,
                       const int16_t *q, size_t stride, const float *scale, const float *bias, size_t k,
                       float *row_buf, float *out) {
    score_matrix_rows(row_ptr, entries, begin, end, q, stride, scale, bias, k, row_buf, out);
}

INTENT_SCORE_CLONES
void score_wide_rows(const size_t *row_ptr, const WideEntry *entries, size_t begin, size_t end,
                     const int16_t *q, size_t stride, const float *scale, const float *bias, size_t k,
                     float *row_buf, float *out) {
    score_matrix_rows(row_ptr, entries, begin, end, q, stride, scale, bias, k, row_buf, out);
}

INTENT_SCORE_CLONES
void score_coded_rows(const size_t *row_ptr, const CodedEntry *entries, const float *row_scale,
                      const FeatureCoding &coding, size_t begin, size_t end, const int16_t *q, size_t stride,
                      const float *scale, const float *bias, size_t k, float *row_buf, float *out) {
    for (size_t r = begin; r < end; ++r) {
        const CodedEntry *e = entries + row_ptr[r];
        const float s = row_scale[r];
        score_entries(
            row_ptr[r + 1] - row_ptr[r],
            [e, s, &coding](size_t j, uint32_t &f, float &v) {
                f = e[j].index;
                v = coding.value(e[j], s);
            },
            q, stride, scale, bias, k, row_buf);
        std::copy(row_buf, row_buf + k, out + r * k);
    }
}

INTENT_SCORE_CLONES
void score_split_rows(const SparseMatrix &X, size_t begin, size_t end, const int16_t *q, size_t stride,
                      const float *scale, const float *bias, size_t k, float *row_buf, float *out) {
    const uint32_t *col = X.col.data();
    const float *val = X.val.data();
    for (size_t r = begin; r < end; ++r) {
        const size_t b = X.row_ptr[r];
        score_entries(
            X.row_ptr[r + 1] - b,
            [col, val, b](size_t j, uint32_t &f, float &v) {
                f = col[b + j];
                v = val[b + j];
            },
            q, stride, scale, bias, k, row_buf);
        std::copy(row_buf, row_buf + k, out + r * k);
    }
}

} // namespace

void score_rows(const FeatureMatrix &X, const int16_t *q, size_t stride, const float *scale,
                const float *bias, size_t k, float *out) {
    std::vector<float> row_buf(stride);
    if (X.coded())
        score_coded_rows(X.row_ptr(), X.coded_entries(), X.row_scale(), X.coding(), 0, X.rows(), q, stride,
                         scale, bias, k, row_buf.data(), out);
    else if (X.narrow())
        score_narrow_rows(X.row_ptr(), X.narrow_entries(), 0, X.rows(), q, stride, scale, bias, k,
                          row_buf.data(), out);
    else
        score_wide_rows(X.row_ptr(), X.wide_entries(), 0, X.rows(), q, stride, scale, bias, k, row_buf.data(),
                        out);
}

void score_rows(const SparseMatrix &X, const int16_t *q, size_t stride, const float *scale, const float *bias,
                size_t k, float *out) {
    std::vector<float> row_buf(stride);
    score_split_rows(X, 0, X.rows(), q, stride, scale, bias, k, row_buf.data(), out);
}

// Index of the largest value (lowest index on ties).
size_t argmax(const float *v, size_t n) {
    size_t best = 0;
    for (size_t i = 1; i < n; ++i)
        if (v[i] > v[best]) best = i;
    return best;
}

} // namespace intent
