// The L2-regularised squared-hinge SVM of one class block, by dual
// coordinate descent with shrinking (Hsieh et al. 2008).
#include "solver_svm.h"
#include "dataset.h" // Rng
#include "linear_kernels.h"

#include <algorithm>
#include <atomic>
#include <cmath>
#include <cstring>
#include <limits>
#include <vector>
#if defined(__x86_64__)
#include <immintrin.h>
#endif

// GCC on x86-64 (clang has no #pragma GCC target): the solver again for
// AVX-512, chosen at run time (solve_svm_block_16()).
#if defined(__x86_64__) && defined(__GNUC__) && !defined(__clang__)
#define INTENT_SVM_AVX512 1
#else
#define INTENT_SVM_AVX512 0
#endif

namespace intent {
namespace linear_internal {

#include "solver_svm_block.h"

template void solve_svm_block<4, NarrowEntry>(const SharedProblem &, Pacer &, unsigned &, uint64_t,
                                              BlockWeights &);
template void solve_svm_block<8, NarrowEntry>(const SharedProblem &, Pacer &, unsigned &, uint64_t,
                                              BlockWeights &);
template void solve_svm_block<16, NarrowEntry>(const SharedProblem &, Pacer &, unsigned &, uint64_t,
                                               BlockWeights &);
template void solve_svm_block<4, WideEntry>(const SharedProblem &, Pacer &, unsigned &, uint64_t,
                                            BlockWeights &);
template void solve_svm_block<8, WideEntry>(const SharedProblem &, Pacer &, unsigned &, uint64_t,
                                            BlockWeights &);
template void solve_svm_block<16, WideEntry>(const SharedProblem &, Pacer &, unsigned &, uint64_t,
                                             BlockWeights &);
template void solve_svm_block<4, CodedEntry>(const SharedProblem &, Pacer &, unsigned &, uint64_t,
                                             BlockWeights &);
template void solve_svm_block<8, CodedEntry>(const SharedProblem &, Pacer &, unsigned &, uint64_t,
                                             BlockWeights &);
template void solve_svm_block<16, CodedEntry>(const SharedProblem &, Pacer &, unsigned &, uint64_t,
                                              BlockWeights &);

#if INTENT_SVM_AVX512
// The same solver compiled for AVX-512, for blocks of 16 classes: block_dot
// and block_axpy below take the block's 16 floats in one zmm register where
// the generic kernels take four xmm ones, and svm_row_steps takes the 16
// classes' coordinate steps in two registers of eight doubles. Each lane does the same float
// operations in the same order (products and sums, never fused:
// -ffp-contract=off), so the weights, and the model, are the same bits;
// only the instructions differ. On the 2026-11-29 VM (AMD EPYC) the CLI's
// 10,000-row training took 0.69x the CPU time (bench/results/2026-11-29-vm-scale-10k-b.md).
#pragma GCC push_options
#pragma GCC target("avx512f")

typedef float float16 __attribute__((vector_size(64)));

template <size_t B, class R> inline void block_dot_avx512(const float *W, const R &e, size_t n, float *out) {
    if constexpr (B == 16) {
        float16 acc = {};
        for (size_t j = 0; j < n; ++j) {
            float16 w;
            std::memcpy(&w, W + static_cast<size_t>(e.index(j)) * B, sizeof w);
            acc += w * (float16{} + e.value(j));
        }
        std::memcpy(out, &acc, sizeof acc);
    } else {
        block_dot<B>(W, e, n, out);
    }
}

template <size_t B, class R> inline void block_axpy_avx512(float *W, const R &e, size_t n, const float *d) {
    if constexpr (B == 16) {
        float16 dd;
        std::memcpy(&dd, d, sizeof dd);
        for (size_t j = 0; j < n; ++j) {
            float *wr = W + static_cast<size_t>(e.index(j)) * B;
            float16 w;
            std::memcpy(&w, wr, sizeof w);
            w = w + dd * (float16{} + e.value(j));
            std::memcpy(wr, &w, sizeof w);
        }
    } else {
        block_axpy<B>(W, e, n, d);
    }
}

// svm_row_steps for 16 classes as two halves of eight doubles: each lane
// does the scalar version's operations in its order (the same products,
// sums, the one division, the same comparisons), the branches become lane
// masks, and a lane outside m keeps every value it had.
template <size_t B>
inline bool svm_row_steps_avx512(uint32_t m, const float *dot, size_t pos, double *a, double *wb, double bias,
                                 double diag, double qd, const double *pg_max_old, double *pg_max,
                                 double *pg_min, RowMask &row_mask, size_t *active_count, float *d) {
    if constexpr (B == 16) {
        const __m512d zero = _mm512_setzero_pd();
        const __m512d one = _mm512_set1_pd(1.0);
        const __m512d minus_one = _mm512_set1_pd(-1.0);
        const __m512d tiny = _mm512_set1_pd(1e-12);
        const __m512d minus_tiny = _mm512_set1_pd(-1e-12);
        const __m512d vbias = _mm512_set1_pd(bias);
        bool changed = false;
        uint32_t shrunk = 0;
        for (size_t h = 0; h < 16; h += 8) {
            const auto act = static_cast<__mmask8>(m >> h);
            if (act == 0) continue;
            const __mmask8 is_pos = pos >= h && pos < h + 8 ? static_cast<__mmask8>(1u << (pos - h)) : 0;
            const __m512d yi = _mm512_mask_blend_pd(is_pos, minus_one, one);
            const __m512d dt = _mm512_maskz_cvtps_pd(0xff, _mm256_loadu_ps(dot + h));
            const __m512d w = _mm512_loadu_pd(wb + h);
            const __m512d av = _mm512_loadu_pd(a + h);
            // g = yi * (dot + wb * bias) - 1 + diag * a
            const __m512d g = _mm512_add_pd(
                _mm512_sub_pd(_mm512_mul_pd(yi, _mm512_add_pd(dt, _mm512_mul_pd(w, vbias))), one),
                _mm512_mul_pd(_mm512_set1_pd(diag), av));
            const __mmask8 at_zero = act & _mm512_cmp_pd_mask(av, zero, _CMP_EQ_OQ);
            const __mmask8 shrink =
                at_zero & _mm512_cmp_pd_mask(g, _mm512_loadu_pd(pg_max_old + h), _CMP_GT_OQ);
            const __mmask8 live = act & ~shrink;
            shrunk |= static_cast<uint32_t>(shrink) << h;
            const __m512d pg =
                _mm512_mask_blend_pd(at_zero & _mm512_cmp_pd_mask(g, zero, _CMP_GT_OQ), g, zero);
            // std::max(pg_max, pg) and std::min(pg_min, pg), as written.
            const __m512d hi = _mm512_loadu_pd(pg_max + h);
            _mm512_storeu_pd(pg_max + h,
                             _mm512_mask_blend_pd(live & _mm512_cmp_pd_mask(hi, pg, _CMP_LT_OQ), hi, pg));
            const __m512d lo = _mm512_loadu_pd(pg_min + h);
            _mm512_storeu_pd(pg_min + h,
                             _mm512_mask_blend_pd(live & _mm512_cmp_pd_mask(pg, lo, _CMP_LT_OQ), lo, pg));
            // std::fabs(pg) > 1e-12
            const __mmask8 step = live & (_mm512_cmp_pd_mask(pg, tiny, _CMP_GT_OQ) |
                                          _mm512_cmp_pd_mask(pg, minus_tiny, _CMP_LT_OQ));
            if (step == 0) continue;
            // next = std::max(a - g / qd, 0.0)
            __m512d next = _mm512_sub_pd(av, _mm512_div_pd(g, _mm512_set1_pd(qd)));
            next = _mm512_mask_blend_pd(_mm512_cmp_pd_mask(next, zero, _CMP_LT_OQ), next, zero);
            const __m512d dy = _mm512_mul_pd(_mm512_sub_pd(next, av), yi);
            _mm256_storeu_ps(d + h, _mm512_maskz_cvtpd_ps(step, dy));
            _mm512_storeu_pd(wb + h,
                             _mm512_mask_blend_pd(step, w, _mm512_add_pd(w, _mm512_mul_pd(dy, vbias))));
            _mm512_storeu_pd(a + h, _mm512_mask_blend_pd(step, av, next));
            changed = true;
        }
        row_mask = static_cast<RowMask>(row_mask & ~shrunk);
        for (uint32_t mm = shrunk; mm != 0; mm &= mm - 1)
            --active_count[lowest_bit(mm)];
        return changed;
    } else {
        return svm_row_steps<B>(m, dot, pos, a, wb, bias, diag, qd, pg_max_old, pg_max, pg_min, row_mask,
                                active_count, d);
    }
}

// The header's templates again, under names of their own (argument-dependent
// lookup would find the generic ones beside any namespace's), calling the
// kernels above.
#define block_dot block_dot_avx512
#define block_axpy block_axpy_avx512
#define svm_row_steps svm_row_steps_avx512
#define svm_warm_start svm_warm_start_avx512
#define svm_end_pass svm_end_pass_avx512
#define solve_svm_block solve_svm_block_avx512
#include "solver_svm_block.h"
#undef block_dot
#undef block_axpy
#undef svm_row_steps
#undef svm_warm_start
#undef svm_end_pass
#undef solve_svm_block

#pragma GCC pop_options
#endif

namespace {
std::atomic<bool> &svm_avx512_on() {
    static std::atomic<bool> on{svm_avx512_available()};
    return on;
}
} // namespace

template <class E>
void solve_svm_block_16(const SharedProblem &p, Pacer &pacer, unsigned &since_poll, uint64_t seed,
                        BlockWeights &out) {
#if INTENT_SVM_AVX512
    if (svm_avx512_on().load(std::memory_order_relaxed))
        return solve_svm_block_avx512<16, E>(p, pacer, since_poll, seed, out);
#endif
    solve_svm_block<16, E>(p, pacer, since_poll, seed, out);
}

template void solve_svm_block_16<NarrowEntry>(const SharedProblem &, Pacer &, unsigned &, uint64_t,
                                              BlockWeights &);
template void solve_svm_block_16<WideEntry>(const SharedProblem &, Pacer &, unsigned &, uint64_t,
                                            BlockWeights &);
template void solve_svm_block_16<CodedEntry>(const SharedProblem &, Pacer &, unsigned &, uint64_t,
                                             BlockWeights &);

} // namespace linear_internal

bool svm_avx512_available() {
#if INTENT_SVM_AVX512
    return __builtin_cpu_supports("avx512f");
#else
    return false;
#endif
}

void use_svm_avx512(bool on) {
    linear_internal::svm_avx512_on().store(on && svm_avx512_available());
}

} // namespace intent
