// The scoring kernels shared by prediction, training and evaluation:
// int16 quantisation of the weights and the vectorised score of a sparse row.
#include "scoring.h"

#include "errors.h"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <limits>

namespace intent {

size_t padded(size_t k) {
    return (k + kLanes - 1) / kLanes * kLanes;
}

// Quantises float weights to int16 with one scale per class (max |w| maps to
// 32767), stored feature-major with the class stride padded to kLanes.
void quantize(const LinearWeights &w, std::vector<int16_t> &q, std::vector<float> &scale) {
    const size_t k = w.num_classes, nf = w.num_features, stride = padded(k);
    // One pass without a branch out of the loop, so that it vectorises: a
    // NaN or an infinity sets `bad` (|v| <= FLT_MAX fails) and leaves maxabs
    // as it was (std::max keeps its first argument against a NaN); the
    // weights are refused below either way, before any maxabs is used.
    std::vector<float> maxabs(k, 0.0f);
    unsigned bad = 0;
    for (size_t f = 0; f < nf; ++f) {
        const float *__restrict src = w.w.data() + f * k;
        float *__restrict m = maxabs.data();
        for (size_t c = 0; c < k; ++c) {
            const float a = std::fabs(src[c]);
            bad |= !(a <= std::numeric_limits<float>::max());
            m[c] = std::max(m[c], a);
        }
    }
    if (bad)
        throw Error(ErrorKind::Internal, "non-finite weight", "The learner produced a non-finite weight.");
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
    // |r| <= maxabs / scale, about 32767; only a denormal scale, rounded far
    // from maxabs / 32767, takes it a little beyond. Then the rounding can be
    // done on int32 and the clamp after it, which gives the same int16 as
    // clamping r first (test_scoring.cpp) and has no branch, so the loop
    // vectorises. A bound that does not hold takes the scalar form.
    bool bounded = true;
    for (size_t c = 0; c < k; ++c)
        bounded = bounded && static_cast<double>(maxabs[c]) * inv[c] < 1.0e9;
    for (size_t f = 0; f < nf; ++f) {
        const float *__restrict src = w.w.data() + f * k;
        const double *__restrict by = inv.data();
        int16_t *__restrict dst = q.data() + f * stride;
        if (bounded) {
            for (size_t c = 0; c < k; ++c) {
                const double r = static_cast<double>(src[c]) * by[c];
                const int32_t t = static_cast<int32_t>(r + std::copysign(0.5, r));
                dst[c] = static_cast<int16_t>(std::min(std::max(t, int32_t{-32767}), int32_t{32767}));
            }
        } else {
            for (size_t c = 0; c < k; ++c) {
                double r = static_cast<double>(src[c]) * by[c];
                r = std::clamp(r, -32767.0, 32767.0);
                dst[c] = static_cast<int16_t>(r >= 0 ? r + 0.5 : r - 0.5);
            }
        }
    }
}

// Raw decision scores of one sparse row: bias + scale[c] * sum_f x_f q[f][c].
// `out` must hold `stride` (padded) floats.
//
// The classes go in blocks (64 lanes, then 32, then 16), each block over the
// whole row, so the block's accumulators stay in registers across the
// features instead of being loaded and stored for every feature (as one pass
// over all classes per feature did). Every lane still adds the same products
// in the same order, features two at a time:
//   out[c] = ((0 + (v0 q0c + v1 q1c)) + (v2 q2c + v3 q3c)) + ... (+ vn qnc)
// so the blocking changes no bit. The accumulators are explicit vectors
// (GCC's vector extension) of the CPU's width, one set of kernels per target
// below: 16 lanes (zmm) for AVX-512, 8 (ymm) for AVX2, 4 (xmm) for baseline
// x86-64. A vector wider than the target's registers would not stay in them.
//
// `at(j, index, value)` reads entry j of the row, so one body serves every
// row layout (SparseVector's two arrays, FeatureMatrix's entries) and each
// target's kernels inline it: the same float operations, the same bits.
namespace {

// One target's vector types: W float lanes, and lanes per class block.
#define INTENT_VECTOR_SET(Name, W, Block)                                                                    \
    struct Name {                                                                                            \
        static constexpr size_t kWidth = W;                                                                  \
        static constexpr size_t kBlock = Block;                                                              \
        using Floats = float __attribute__((vector_size(W * sizeof(float))));                                \
        using Ints = int32_t __attribute__((vector_size(W * sizeof(int32_t))));                              \
        using Unsigned = uint32_t __attribute__((vector_size(W * sizeof(uint32_t))));                        \
        using Shorts = int16_t __attribute__((vector_size(W * sizeof(int16_t))));                            \
    };
#if defined(__x86_64__) && defined(__GNUC__) && !defined(__clang__)
#define INTENT_SCORE_MULTIVERSION 1
INTENT_VECTOR_SET(Zmm, 16, 64) // 4 zmm accumulators per block
INTENT_VECTOR_SET(Ymm, 8, 64)  // 8 ymm
#endif
INTENT_VECTOR_SET(Xmm, 4, 32) // 8 xmm (SSE2 has 16 registers)
#undef INTENT_VECTOR_SET

// The 2W int16 weights at p as floats, the even lanes in `even` and the odd
// ones in `odd`: a little-endian int32 holds lanes 2j and 2j + 1, so one load
// and three shifts widen them (GCC widens an int16 vector in halves, with
// extracts and inserts). Vectors go by reference: none crosses a call.
template <class V>
__attribute__((always_inline)) inline void load_weight_pairs(const int16_t *p, typename V::Floats &even,
                                                             typename V::Floats &odd) {
    typename V::Ints w;
    std::memcpy(&w, p, sizeof w);
    // The low half shifted up unsigned (no signed overflow), then down
    // arithmetically (GCC shifts signed values in two's complement).
    const typename V::Ints low =
        reinterpret_cast<typename V::Ints>(reinterpret_cast<typename V::Unsigned>(w) << 16);
    even = __builtin_convertvector(low >> 16, typename V::Floats);
    odd = __builtin_convertvector(w >> 16, typename V::Floats);
}

// The row's sums for lanes [c0, c0 + kLanesN) into out, kLanesN a multiple of 2W.
template <class V, size_t kLanesN, class At>
__attribute__((always_inline)) inline void score_pair_block(size_t nnz, At at, const int16_t *q,
                                                            size_t stride, size_t c0, float *out) {
    using Floats = typename V::Floats;
    constexpr size_t W = V::kWidth, P = kLanesN / (2 * W);
    static_assert(P * 2 * W == kLanesN, "whole pairs of vectors");
    Floats even[P], odd[P];
    for (size_t b = 0; b < P; ++b)
        even[b] = odd[b] = Floats{};
    const int16_t *base = q + c0;
    size_t i = 0;
    for (; i + 1 < nnz; i += 2) {
        uint32_t f0, f1;
        float v0, v1;
        at(i, f0, v0);
        at(i + 1, f1, v1);
        const int16_t *r0 = base + static_cast<size_t>(f0) * stride;
        const int16_t *r1 = base + static_cast<size_t>(f1) * stride;
        for (size_t b = 0; b < P; ++b) {
            Floats e0, o0, e1, o1;
            load_weight_pairs<V>(r0 + b * 2 * W, e0, o0);
            load_weight_pairs<V>(r1 + b * 2 * W, e1, o1);
            even[b] += v0 * e0 + v1 * e1;
            odd[b] += v0 * o0 + v1 * o1;
        }
    }
    if (i < nnz) {
        uint32_t f;
        float v;
        at(i, f, v);
        const int16_t *r = base + static_cast<size_t>(f) * stride;
        for (size_t b = 0; b < P; ++b) {
            Floats e, o;
            load_weight_pairs<V>(r + b * 2 * W, e, o);
            even[b] += v * e;
            odd[b] += v * o;
        }
    }
    // Interleave the even and odd lanes back into class order.
    for (size_t b = 0; b < P; ++b) {
#if defined(__GNUC__) && !defined(__clang__)
        typename V::Ints lo, hi;
        for (size_t j = 0; j < W; ++j) {
            lo[j] = static_cast<int32_t>(j % 2 ? W + j / 2 : j / 2);
            hi[j] = lo[j] + static_cast<int32_t>(W / 2);
        }
        const Floats first = __builtin_shuffle(even[b], odd[b], lo);
        const Floats second = __builtin_shuffle(even[b], odd[b], hi);
        std::memcpy(out + c0 + b * 2 * W, &first, sizeof first);
        std::memcpy(out + c0 + b * 2 * W + W, &second, sizeof second);
#else
        for (size_t j = 0; j < W; ++j) {
            out[c0 + b * 2 * W + 2 * j] = even[b][j];
            out[c0 + b * 2 * W + 2 * j + 1] = odd[b][j];
        }
#endif
    }
}

// The row's sums for the 16 lanes [c0, c0 + 16) into out, widening each
// vector directly (for 16-lane vectors, where a pair load would read 32).
template <class V, class At>
__attribute__((always_inline)) inline void score_lane_block(size_t nnz, At at, const int16_t *q,
                                                            size_t stride, size_t c0, float *out) {
    using Floats = typename V::Floats;
    constexpr size_t W = V::kWidth, P = kLanes / W;
    auto load = [](const int16_t *p, Floats &w) {
        typename V::Shorts raw;
        std::memcpy(&raw, p, sizeof raw);
        w = __builtin_convertvector(__builtin_convertvector(raw, typename V::Ints), Floats);
    };
    Floats acc[P];
    for (size_t b = 0; b < P; ++b)
        acc[b] = Floats{};
    const int16_t *base = q + c0;
    size_t i = 0;
    for (; i + 1 < nnz; i += 2) {
        uint32_t f0, f1;
        float v0, v1;
        at(i, f0, v0);
        at(i + 1, f1, v1);
        for (size_t b = 0; b < P; ++b) {
            Floats w0, w1;
            load(base + static_cast<size_t>(f0) * stride + b * W, w0);
            load(base + static_cast<size_t>(f1) * stride + b * W, w1);
            acc[b] += v0 * w0 + v1 * w1;
        }
    }
    if (i < nnz) {
        uint32_t f;
        float v;
        at(i, f, v);
        for (size_t b = 0; b < P; ++b) {
            Floats w;
            load(base + static_cast<size_t>(f) * stride + b * W, w);
            acc[b] += v * w;
        }
    }
    std::memcpy(out + c0, acc, sizeof acc);
}

template <class V, class At>
__attribute__((always_inline)) inline void score_entries(size_t nnz, At at, const int16_t *q, size_t stride,
                                                         const float *scale, const float *bias, size_t k,
                                                         float *out) {
    static_assert(kLanes == 16, "the blocks below cover multiples of 16 lanes");
    size_t c0 = 0;
    for (; c0 + V::kBlock <= stride; c0 += V::kBlock)
        score_pair_block<V, V::kBlock>(nnz, at, q, stride, c0, out);
    if (V::kBlock == 64 && c0 + 32 <= stride) {
        score_pair_block<V, 32>(nnz, at, q, stride, c0, out);
        c0 += 32;
    }
    if (c0 < stride) {
        if (V::kWidth == 16)
            score_lane_block<V>(nnz, at, q, stride, c0, out);
        else
            score_pair_block<V, (V::kWidth == 16 ? 32 : 16)>(nnz, at, q, stride, c0, out);
    }
    for (size_t c = 0; c < k; ++c)
        out[c] = bias[c] + out[c] * scale[c];
}

template <class V>
__attribute__((always_inline)) inline void score_one_row_with(const SparseVector &x, const int16_t *q,
                                                              size_t stride, const float *scale,
                                                              const float *bias, size_t k, float *out) {
    const uint32_t *index = x.index.data();
    const float *value = x.value.data();
    score_entries<V>(
        x.index.size(),
        [index, value](size_t j, uint32_t &f, float &v) {
            f = index[j];
            v = value[j];
        },
        q, stride, scale, bias, k, out);
}

// Scores rows [begin, end) of a FeatureMatrix with 16- or 32-bit entries.
template <class V, class E>
__attribute__((always_inline)) inline void
score_matrix_rows(const size_t *row_ptr, const E *entries, size_t begin, size_t end, const int16_t *q,
                  size_t stride, const float *scale, const float *bias, size_t k, float *row_buf,
                  float *out) {
    for (size_t r = begin; r < end; ++r) {
        const E *e = entries + row_ptr[r];
        score_entries<V>(
            row_ptr[r + 1] - row_ptr[r],
            [e](size_t j, uint32_t &f, float &v) {
                f = e[j].index;
                v = e[j].value;
            },
            q, stride, scale, bias, k, row_buf);
        std::copy(row_buf, row_buf + k, out + r * k);
    }
}

template <class V>
__attribute__((always_inline)) inline void
score_coded_rows_with(const size_t *row_ptr, const CodedEntry *entries, const float *row_scale,
                      const FeatureCoding &coding, size_t begin, size_t end, const int16_t *q, size_t stride,
                      const float *scale, const float *bias, size_t k, float *row_buf, float *out) {
    for (size_t r = begin; r < end; ++r) {
        const CodedEntry *e = entries + row_ptr[r];
        const float s = row_scale[r];
        score_entries<V>(
            row_ptr[r + 1] - row_ptr[r],
            [e, s, &coding](size_t j, uint32_t &f, float &v) {
                f = e[j].index;
                v = coding.value(e[j], s);
            },
            q, stride, scale, bias, k, row_buf);
        std::copy(row_buf, row_buf + k, out + r * k);
    }
}

template <class V>
__attribute__((always_inline)) inline void
score_split_rows_with(const SparseMatrix &X, size_t begin, size_t end, const int16_t *q, size_t stride,
                      const float *scale, const float *bias, size_t k, float *row_buf, float *out) {
    const uint32_t *col = X.col.data();
    const float *val = X.val.data();
    for (size_t r = begin; r < end; ++r) {
        const size_t b = X.row_ptr[r];
        score_entries<V>(
            X.row_ptr[r + 1] - b,
            [col, val, b](size_t j, uint32_t &f, float &v) {
                f = col[b + j];
                v = val[b + j];
            },
            q, stride, scale, bias, k, row_buf);
        std::copy(row_buf, row_buf + k, out + r * k);
    }
}

template <class V>
__attribute__((always_inline)) inline void
score_narrow_rows_with(const size_t *row_ptr, const NarrowEntry *entries, size_t begin, size_t end,
                       const int16_t *q, size_t stride, const float *scale, const float *bias, size_t k,
                       float *row_buf, float *out) {
    score_matrix_rows<V>(row_ptr, entries, begin, end, q, stride, scale, bias, k, row_buf, out);
}

template <class V>
__attribute__((always_inline)) inline void
score_wide_rows_with(const size_t *row_ptr, const WideEntry *entries, size_t begin, size_t end,
                     const int16_t *q, size_t stride, const float *scale, const float *bias, size_t k,
                     float *row_buf, float *out) {
    score_matrix_rows<V>(row_ptr, entries, begin, end, q, stride, scale, bias, k, row_buf, out);
}

// Each kernel in three versions, one per target, chosen at load time by
// GCC's function multiversioning (an ifunc, as target_clones makes). The
// core builds with -ffp-contract=off, so every version performs the same
// float operations per class and returns the same bits.
#if INTENT_SCORE_MULTIVERSION
#define INTENT_SCORE_VERSIONS(name, params, args)                                                            \
    __attribute__((target("avx512f"))) void name params {                                                    \
        name##_with<Zmm> args;                                                                               \
    }                                                                                                        \
    __attribute__((target("avx2"))) void name params {                                                       \
        name##_with<Ymm> args;                                                                               \
    }                                                                                                        \
    __attribute__((target("default"))) void name params {                                                    \
        name##_with<Xmm> args;                                                                               \
    }
#else
#define INTENT_SCORE_VERSIONS(name, params, args)                                                            \
    void name params {                                                                                       \
        name##_with<Xmm> args;                                                                               \
    }
#endif

INTENT_SCORE_VERSIONS(score_one_row,
                      (const SparseVector &x, const int16_t *q, size_t stride, const float *scale,
                       const float *bias, size_t k, float *out),
                      (x, q, stride, scale, bias, k, out))
INTENT_SCORE_VERSIONS(score_narrow_rows,
                      (const size_t *row_ptr, const NarrowEntry *entries, size_t begin, size_t end,
                       const int16_t *q, size_t stride, const float *scale, const float *bias, size_t k,
                       float *row_buf, float *out),
                      (row_ptr, entries, begin, end, q, stride, scale, bias, k, row_buf, out))
INTENT_SCORE_VERSIONS(score_wide_rows,
                      (const size_t *row_ptr, const WideEntry *entries, size_t begin, size_t end,
                       const int16_t *q, size_t stride, const float *scale, const float *bias, size_t k,
                       float *row_buf, float *out),
                      (row_ptr, entries, begin, end, q, stride, scale, bias, k, row_buf, out))
INTENT_SCORE_VERSIONS(score_coded_rows,
                      (const size_t *row_ptr, const CodedEntry *entries, const float *row_scale,
                       const FeatureCoding &coding, size_t begin, size_t end, const int16_t *q, size_t stride,
                       const float *scale, const float *bias, size_t k, float *row_buf, float *out),
                      (row_ptr, entries, row_scale, coding, begin, end, q, stride, scale, bias, k, row_buf,
                       out))
INTENT_SCORE_VERSIONS(score_split_rows,
                      (const SparseMatrix &X, size_t begin, size_t end, const int16_t *q, size_t stride,
                       const float *scale, const float *bias, size_t k, float *row_buf, float *out),
                      (X, begin, end, q, stride, scale, bias, k, row_buf, out))
#undef INTENT_SCORE_VERSIONS

} // namespace

void score_row(const SparseVector &x, const int16_t *q, size_t stride, const float *scale, const float *bias,
               size_t k, float *out) {
    score_one_row(x, q, stride, scale, bias, k, out);
}

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
