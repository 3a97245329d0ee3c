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
// the generic kernels take four xmm ones. Each lane does the same float
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

// The header's templates again, under names of their own (argument-dependent
// lookup would find the generic ones beside any namespace's), calling the
// kernels above.
#define block_dot block_dot_avx512
#define block_axpy block_axpy_avx512
#define svm_warm_start svm_warm_start_avx512
#define svm_end_pass svm_end_pass_avx512
#define solve_svm_block solve_svm_block_avx512
#include "solver_svm_block.h"
#undef block_dot
#undef block_axpy
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
