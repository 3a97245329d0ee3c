// L2-regularised logistic regression of one class block, by dual
// coordinate descent (Yu, Huang & Lin 2011).
#include "dataset.h" // Rng
#include "linear_kernels.h"

#include <algorithm>
#include <cmath>
#include <vector>

namespace intent {
namespace linear_internal {

// Starts a block (alpha holding the warm start, if any: start_duals()):
// every dual variable inside (0, C_i), at the cold start's
// margin a0 or the warm start's value moved inside by at least a0, w and
// w_bias the matching sum of rows, and the visiting order 0..l-1.
template <size_t B, class E>
void logistic_start(const SharedProblem &p, Pacer &pacer, unsigned &since_poll, BlockWeights &out,
                    double *alpha, double *alpha_c, uint32_t *order) {
    const std::vector<int> &Y = *p.y;
    const size_t l = p.rows;
    const size_t nb = out.count;
    const double bias = p.bias;
    float *W = out.w;
    double *wb = out.w_bias;
    for (size_t i = 0; i < l; ++i) {
        order[i] = static_cast<uint32_t>(i);
        const double Ci = p.cost[i];
        const double a0 = std::min(0.001 * Ci, 1e-8);
        const size_t pos = static_cast<size_t>(Y[i]) - out.first_class;
        float d[B] = {};
        for (size_t c = 0; c < nb; ++c) {
            // No warm start reads as 0, which starts at a0 like a cold start.
            const double warm = alpha[i * nb + c];
            const double a = std::isfinite(warm) ? std::min(std::max(warm, a0), Ci - a0) : a0;
            alpha[i * nb + c] = a;
            alpha_c[i * nb + c] = Ci - a;
            const double yi = c == pos ? 1.0 : -1.0;
            d[c] = static_cast<float>(yi * a);
            wb[c] += yi * a * bias;
        }
        block_axpy<B>(W, make_row<E>(p, i), p.row_length(i), d);
        if (++since_poll >= kPollEvery) {
            since_poll = 0;
            pacer.poll();
        }
    }
}

// L2-regularised logistic regression, dual coordinate descent (Yu, Huang &
// Lin 2011), for the classes of one block. Dual of class c:
// min 1/2 a'Qa + sum a_i log a_i + (C_i - a_i) log(C_i - a_i), 0 < a_i < C_i.
// Each one-variable sub-problem is solved by a guarded Newton method on
// whichever of a_i, C_i - a_i is the smaller side at the optimum, which keeps
// the logarithms accurate; both are stored for the same reason. There is no
// shrinking (no variable sits at a bound).
//
// With a warm start the dual variables start from the given values, moved
// inside (0, C_i) by at least the cold start's margin.
template <size_t B, class E>
void solve_logistic_block(const SharedProblem &p, Pacer &pacer, unsigned &since_poll, uint64_t seed,
                          BlockWeights &out) {
    const std::vector<int> &Y = *p.y;
    const size_t l = p.rows;
    const size_t nb = out.count;
    const double bias = p.bias;
    out.reset(p.num_features, B);
    float *W = out.w;
    double *wb = out.w_bias;

    // rows x nb each (nb = the block's classes)
    std::vector<double> alpha, alpha_c(l * nb);
    start_duals<B>(p, out.first_class, nb, l, alpha);
    std::vector<uint32_t> order(l);
    logistic_start<B, E>(p, pacer, since_poll, out, alpha.data(), alpha_c.data(), order.data());

    const int max_inner = 100;
    const double inner_eps_min = std::min(1e-8, p.tolerance);
    double inner_eps[B], g_max[B];
    size_t newton_steps[B];
    int iters[B];
    for (size_t c = 0; c < B; ++c) {
        inner_eps[c] = 1e-2;
        iters[c] = 0;
    }
    uint32_t running = nb >= 32 ? ~0u : (1u << nb) - 1;
    Rng rng(seed);
    while (running != 0) {
        for (size_t s = 0; s + 1 < l; ++s)
            std::swap(order[s], order[s + rng.below(l - s)]);
        for (size_t c = 0; c < B; ++c) {
            g_max[c] = 0;
            newton_steps[c] = 0;
        }
        for (size_t s = 0; s < l; ++s) {
            if (++since_poll >= kPollEvery) {
                since_poll = 0;
                pacer.poll();
            }
            const size_t i = order[s];
            if (s + kPrefetchAhead < l) {
                const size_t ahead = order[s + kPrefetchAhead];
                prefetch_row<E>(p, ahead, alpha.data() + ahead * nb);
            }
            const size_t n = p.row_length(i);
            const auto e = make_row<E>(p, i);
            float dot[B], d[B] = {};
            block_dot<B>(W, e, n, dot);
            const size_t pos = static_cast<size_t>(Y[i]) - out.first_class;
            const double Ci = p.cost[i];
            const double q = p.sq_norm[i];
            bool changed = false;
            out.steps += static_cast<size_t>(__builtin_popcount(running));
            for (uint32_t mm = running; mm != 0; mm &= mm - 1) {
                const size_t c = static_cast<size_t>(lowest_bit(mm));
                const double yi = c == pos ? 1.0 : -1.0;
                const double ywx = yi * (dot[c] + wb[c] * bias);
                double &ai = alpha[i * nb + c];
                double &aci = alpha_c[i * nb + c];
                // Sub-problem in z = a_i (sign +1) or z = C_i - a_i (sign -1):
                // g'(z) = q (z - z_old) + sign * ywx + log(z / (C_i - z)).
                const bool complement = 0.5 * q * (aci - ai) + ywx < 0;
                const double z_old = complement ? aci : ai;
                const double sign = complement ? -1.0 : 1.0;
                double z = z_old;
                if (Ci - z < 0.5 * Ci) z *= 0.1; // start from the small side
                double gp = q * (z - z_old) + sign * ywx + std::log(z / (Ci - z));
                g_max[c] = std::max(g_max[c], std::fabs(gp));
                int inner = 0;
                for (; inner < max_inner && std::fabs(gp) >= inner_eps[c]; ++inner) {
                    const double gpp = q + Ci / (Ci - z) / z;
                    const double next = z - gp / gpp;
                    z = next <= 0 ? z * 0.1 : next; // stay inside (0, C_i)
                    gp = q * (z - z_old) + sign * ywx + std::log(z / (Ci - z));
                }
                newton_steps[c] += static_cast<size_t>(inner);
                if (inner > 0) {
                    const double old = ai;
                    if (complement) {
                        aci = z;
                        ai = Ci - z;
                    } else {
                        ai = z;
                        aci = Ci - z;
                    }
                    d[c] = static_cast<float>((ai - old) * yi);
                    wb[c] += (ai - old) * yi * bias;
                    changed = true;
                }
            }
            if (changed) block_axpy<B>(W, e, n, d);
        }
        for (uint32_t mm = running; mm != 0; mm &= mm - 1) {
            const size_t c = static_cast<size_t>(lowest_bit(mm));
            ++iters[c];
            out.passes = std::max(out.passes, iters[c]);
            if (g_max[c] < p.tolerance || iters[c] >= p.max_iterations) {
                running &= ~(1u << c);
                continue;
            }
            if (newton_steps[c] <= l / 10) inner_eps[c] = std::max(inner_eps_min, 0.1 * inner_eps[c]);
        }
    }
    if (p.dual_out) keep_duals<B>(p, out.first_class, nb, alpha.data(), l);
}

template void solve_logistic_block<4, NarrowEntry>(const SharedProblem &, Pacer &, unsigned &, uint64_t,
                                                   BlockWeights &);
template void solve_logistic_block<8, NarrowEntry>(const SharedProblem &, Pacer &, unsigned &, uint64_t,
                                                   BlockWeights &);
template void solve_logistic_block<16, NarrowEntry>(const SharedProblem &, Pacer &, unsigned &, uint64_t,
                                                    BlockWeights &);
template void solve_logistic_block<4, WideEntry>(const SharedProblem &, Pacer &, unsigned &, uint64_t,
                                                 BlockWeights &);
template void solve_logistic_block<8, WideEntry>(const SharedProblem &, Pacer &, unsigned &, uint64_t,
                                                 BlockWeights &);
template void solve_logistic_block<16, WideEntry>(const SharedProblem &, Pacer &, unsigned &, uint64_t,
                                                  BlockWeights &);
template void solve_logistic_block<4, CodedEntry>(const SharedProblem &, Pacer &, unsigned &, uint64_t,
                                                  BlockWeights &);
template void solve_logistic_block<8, CodedEntry>(const SharedProblem &, Pacer &, unsigned &, uint64_t,
                                                  BlockWeights &);
template void solve_logistic_block<16, CodedEntry>(const SharedProblem &, Pacer &, unsigned &, uint64_t,
                                                   BlockWeights &);

} // namespace linear_internal
} // namespace intent
