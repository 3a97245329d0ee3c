// The kernels the solvers run on one row for the B classes of a block
// (B = 4, 8 or 16), and a block's dual variables in and out. Header-only:
// each solver's loops inline them.
#pragma once

#include "linear_internal.h"

#include <algorithm>
#include <atomic>
#include <cmath>
#include <cstring>
#include <type_traits>
#include <vector>

namespace intent {
namespace linear_internal {

// Four floats in one SSE/NEON register (GCC and clang vector extension):
// plain loops over B floats do not vectorise reliably, these always do.
typedef float float4 __attribute__((vector_size(16)));

// Loads four floats from a possibly unaligned address.
inline float4 load4(const float *p) {
    float4 v;
    std::memcpy(&v, p, sizeof v);
    return v;
}

// One row's entries as the kernels read them: index(j) and value(j). A
// plain row holds its values; a coded row (sparse.h) recomputes each from
// the matrix's coding and the row's scale, the same float FeatureCoding::value
// gives.
template <class E> struct PlainRow {
    const E *e;
    uint32_t index(size_t j) const { return e[j].index; }
    float value(size_t j) const { return e[j].value; }
};
struct CodedRow {
    const CodedEntry *e;
    const float *idf;
    const double *tf_weight;
    float scale;
    uint32_t index(size_t j) const { return e[j].index; }
    float value(size_t j) const { return coded_value(idf, tf_weight, e[j], scale); }
};

// Row i of a problem as the kernels read it.
template <class E> inline auto make_row(const SharedProblem &p, size_t i) {
    if constexpr (std::is_same_v<E, CodedEntry>)
        return CodedRow{static_cast<const CodedEntry *>(p.row_begin(i)), p.idf, p.tf_weight, p.row_scale[i]};
    else
        return PlainRow<E>{static_cast<const E *>(p.row_begin(i))};
}

// out[c] = sum_j W[idx_j][c] * val_j for the B classes of a block.
template <size_t B, class R> inline void block_dot(const float *W, const R &e, size_t n, float *out) {
    constexpr size_t V = B / 4;
    float4 acc[V];
    for (size_t k = 0; k < V; ++k)
        acc[k] = float4{0, 0, 0, 0};
    for (size_t j = 0; j < n; ++j) {
        const float *wr = W + static_cast<size_t>(e.index(j)) * B;
        const float4 v = float4{0, 0, 0, 0} + e.value(j);
        for (size_t k = 0; k < V; ++k)
            acc[k] += load4(wr + 4 * k) * v;
    }
    std::memcpy(out, acc, sizeof acc);
}

// W[idx_j][c] += d[c] * val_j; classes with d[c] == 0 are left unchanged.
template <size_t B, class R> inline void block_axpy(float *W, const R &e, size_t n, const float *d) {
    constexpr size_t V = B / 4;
    float4 dd[V];
    std::memcpy(dd, d, sizeof dd);
    for (size_t j = 0; j < n; ++j) {
        float *wr = W + static_cast<size_t>(e.index(j)) * B;
        const float4 v = float4{0, 0, 0, 0} + e.value(j);
        for (size_t k = 0; k < V; ++k) {
            const float4 w = load4(wr + 4 * k) + dd[k] * v;
            std::memcpy(wr + 4 * k, &w, sizeof w);
        }
    }
}

// Dot product of a row with the weights of one class of a block (every B-th
// float). Same summation order as block_dot, hence the same bits.
template <size_t B, class R> inline float strided_dot(const float *Wc, const R &e, size_t n) {
    float acc = 0;
    for (size_t j = 0; j < n; ++j)
        acc += Wc[static_cast<size_t>(e.index(j)) * B] * e.value(j);
    return acc;
}

// One class's share of block_axpy: the same operations, so the same bits.
template <size_t B, class R> inline void strided_axpy(float *Wc, const R &e, size_t n, float d) {
    for (size_t j = 0; j < n; ++j)
        Wc[static_cast<size_t>(e.index(j)) * B] += d * e.value(j);
}

// Asks the cache for row r of X ahead of use. Rows are visited in random
// order, which defeats the hardware prefetcher, and streaming the matrix
// from memory is what bounds the solvers.
template <class E> inline void prefetch_row(const SharedProblem &p, size_t r, const void *row_state) {
    const char *ep = static_cast<const char *>(p.row_begin(r));
    const size_t bytes = p.row_length(r) * sizeof(E);
    for (size_t o = 0; o < bytes; o += 64)
        __builtin_prefetch(ep + o);
    __builtin_prefetch(row_state);
    if constexpr (std::is_same_v<E, CodedEntry>) __builtin_prefetch(p.row_scale + r);
}

// Bits of a class mask, lowest first.
inline int lowest_bit(uint32_t m) {
    return __builtin_ctz(m);
}

// The SVM solver's coordinate steps on one row for the classes of mask m,
// given the row's dot products with their weights: each class's projected
// gradient, its shrinking (bit c of row_mask off, one fewer active row), its
// pass's largest and smallest projected gradient, and its new dual variable
// a[c], with the change of w it makes (d[c], times the row) and of the bias
// weight wb[c]. pos is the row's class within the block (any other value:
// none). True when some a[c] changed.
template <size_t B>
inline bool svm_row_steps(uint32_t m, const float *dot, size_t pos, double *a, double *wb, double bias,
                          double diag, double qd, const double *pg_max_old, double *pg_max, double *pg_min,
                          RowMask &row_mask, size_t *active_count, float *d) {
    bool changed = false;
    for (uint32_t mm = m; mm != 0; mm &= mm - 1) {
        const size_t c = static_cast<size_t>(lowest_bit(mm));
        const double yi = c == pos ? 1.0 : -1.0;
        const double g = yi * (dot[c] + wb[c] * bias) - 1.0 + diag * a[c];
        double pg = g;
        if (a[c] == 0) {
            if (g > pg_max_old[c]) {
                // At the bound and likely to stay there: shrink.
                row_mask = static_cast<RowMask>(row_mask & ~(1u << c));
                --active_count[c];
                continue;
            }
            if (g > 0) pg = 0;
        }
        pg_max[c] = std::max(pg_max[c], pg);
        pg_min[c] = std::min(pg_min[c], pg);
        if (std::fabs(pg) > 1e-12) {
            const double next = std::max(a[c] - g / qd, 0.0);
            d[c] = static_cast<float>((next - a[c]) * yi);
            wb[c] += (next - a[c]) * yi * bias;
            a[c] = next;
            changed = true;
        }
    }
    return changed;
}

// The warm start of the classes [first, first + nb) of a block into
// alpha (rows x nb, zero where the start has no entry).
inline void scatter_warm_start(const SharedProblem &p, size_t first, size_t nb, double *alpha) {
    for (size_t c = 0; c < nb; ++c)
        for (const DualSolution::Entry &e : p.warm_start->classes[first + c])
            alpha[static_cast<size_t>(e.row) * nb + c] = e.value;
}

// A block's dual variables (rows x nb, zeroed; B - nb doubles of slack at
// the end) and, with a warm start, its classes' entries in them. When the
// solve took the start over, the entries are freed once scattered, and the
// heap's free pages given back, before the next block's variables are
// allocated (one block's start at a time).
template <size_t B>
void start_duals(const SharedProblem &p, size_t first, size_t nb, size_t rows, std::vector<double> &alpha) {
    std::unique_lock<std::mutex> lock(p.start_mutex, std::defer_lock);
    if (p.warm_start_free) lock.lock();
    alpha.assign(rows * nb + (B - nb), 0.0);
    if (!p.warm_start) return;
    scatter_warm_start(p, first, nb, alpha.data());
    if (!p.warm_start_free) return;
    for (size_t c = 0; c < nb; ++c)
        std::vector<DualSolution::Entry>().swap(p.warm_start_free->classes[first + c]);
    release_free_memory();
}

// A block's dual solution into the problem's dual_out: its own classes'
// lists (no other block writes them), within what the limit leaves. alpha
// is rows x nb.
template <size_t B>
void keep_duals(const SharedProblem &p, size_t first, size_t nb, const double *alpha, size_t rows) {
    size_t count[B] = {};
    for (size_t i = 0; i < rows; ++i)
        for (size_t c = 0; c < nb; ++c)
            count[c] += alpha[i * nb + c] != 0;
    size_t bytes = 0;
    for (size_t c = 0; c < nb; ++c)
        bytes += count[c] * sizeof(DualSolution::Entry);
    size_t left = p.dual_left.load();
    do {
        if (bytes > left || p.dual_dropped.load()) {
            p.dual_dropped.store(true);
            return;
        }
    } while (!p.dual_left.compare_exchange_weak(left, left - bytes));
    for (size_t c = 0; c < nb; ++c) {
        std::vector<DualSolution::Entry> &list = p.dual_out->classes[first + c];
        list.reserve(count[c]);
        for (size_t i = 0; i < rows; ++i)
            if (alpha[i * nb + c] != 0)
                list.push_back({static_cast<uint32_t>(i), static_cast<float>(alpha[i * nb + c])});
    }
}

} // namespace linear_internal
} // namespace intent
