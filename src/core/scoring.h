// Scoring kernels shared by prediction, training and evaluation. Internal
// to the core.
#pragma once

#include "linear.h"
#include "sparse.h"

#include <cstddef>
#include <cstdint>
#include <vector>

namespace intent {

// Class vectors are padded to a multiple of this many lanes in memory so the
// scoring loop has a fixed-width inner block that -O2 vectorises.
constexpr size_t kLanes = 16;

// k rounded up to a multiple of kLanes.
size_t padded(size_t k);

// Bounds on a model's weight scales and biases, far beyond what training
// writes on the default features (a scale is a class's largest |weight| /
// 32767). Within them no decision score can overflow: a row's sum of int16
// weight x feature value stays far below 1e30 even for unnormalised counts
// of a 1 GB message, so bias + sum x scale is finite. quantize() refuses
// weights beyond them and the model loader refuses blobs beyond them (a
// finite but huge scale of 3e38 made a score +inf and every probability
// NaN).
constexpr float kMaxWeightScale = 1e6f;
constexpr float kMaxBias = 1e12f;

// Quantises float weights to int16 with one scale per class (max |w| maps to
// 32767), stored feature-major with the class stride padded to kLanes.
void quantize(const LinearWeights &w, std::vector<int16_t> &q, std::vector<float> &scale);

// Raw decision scores of one sparse row: bias + scale[c] * sum_f x_f q[f][c].
// `out` must hold padded(k) floats.
void score_row(const SparseVector &x, const int16_t *q, size_t stride, const float *scale, const float *bias,
               size_t k, float *out);

// Raw decision scores of every row of X, row-major into out (rows x k):
// out[r * k + c] is bit-identical to score_row on row r (the same kernel,
// reading the matrix in place instead of a copied SparseVector per row).
// For evaluation, calibration and cross-validation.
void score_rows(const FeatureMatrix &X, const int16_t *q, size_t stride, const float *scale,
                const float *bias, size_t k, float *out);
void score_rows(const SparseMatrix &X, const int16_t *q, size_t stride, const float *scale, const float *bias,
                size_t k, float *out);

// Index of the largest value (lowest index on ties).
size_t argmax(const float *v, size_t n);

} // namespace intent
