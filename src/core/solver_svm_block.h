// The SVM solver's templates (solver_svm.cpp), in a header of their own so
// that solver_svm.cpp compiles them twice: as they are, for every CPU, and
// on x86-64 once more for AVX-512 (each name with the suffix _avx512 there),
// whose block kernels take the 16 classes of a block in one register instead
// of four. Included inside namespace intent::linear_internal, after
// linear_kernels.h and the standard headers this needs; no #pragma once, on
// purpose.

// Starts a block from the warm start, scattered into alpha (rows x
// out.count) by start_duals(): the dual variables take the given values
// made feasible (negative ones become 0), and w the matching sum of rows.
template <size_t B, class E>
void svm_warm_start(const SharedProblem &p, Pacer &pacer, unsigned &since_poll, BlockWeights &out,
                    double *alpha) {
    const std::vector<int> &Y = *p.y;
    const size_t l = p.rows;
    const size_t nb = out.count;
    const double bias = p.bias;
    float *W = out.w;
    double *wb = out.w_bias;
    for (size_t i = 0; i < l; ++i) {
        const size_t pos = static_cast<size_t>(Y[i]) - out.first_class;
        float d[B] = {};
        bool any = false;
        for (size_t c = 0; c < nb; ++c) {
            const double a = alpha[i * nb + c];
            if (!(a > 0) || !std::isfinite(a)) {
                alpha[i * nb + c] = 0;
                continue;
            }
            const double yi = c == pos ? 1.0 : -1.0;
            d[c] = static_cast<float>(a * yi);
            wb[c] += a * yi * bias;
            any = true;
        }
        if (any) block_axpy<B>(W, make_row<E>(p, i), p.row_length(i), d);
        if (++since_poll >= kPollEvery) {
            since_poll = 0;
            pacer.poll();
        }
    }
}

// The end of a pass over the block: each running class counts it, and is
// done (converged on every row, or out of passes), waits for its confirming
// pass (converged on its shrunk rows), or shrinks against this pass's
// largest projected gradient. When only waiting classes are left, they get
// their confirming full pass together.
template <size_t B>
void svm_end_pass(const SharedProblem &p, size_t l, const double *pg_max, const double *pg_min,
                  double *pg_max_old, size_t *active_count, int *iters, uint32_t &running, uint32_t &waiting,
                  std::vector<RowMask> &mask, size_t &list_size, int &passes) {
    const double inf = std::numeric_limits<double>::infinity();
    for (uint32_t mm = running; mm != 0; mm &= mm - 1) {
        const size_t c = static_cast<size_t>(lowest_bit(mm));
        ++iters[c];
        passes = std::max(passes, iters[c]);
        const bool converged = pg_max[c] - pg_min[c] <= p.tolerance;
        if (iters[c] >= p.max_iterations || (converged && active_count[c] == l)) {
            running &= ~(1u << c); // done
        } else if (converged) {
            running &= ~(1u << c); // confirm later on every row
            waiting |= 1u << c;
        } else {
            pg_max_old[c] = pg_max[c] <= 0 ? inf : pg_max[c];
        }
    }
    if (running == 0 && waiting != 0) {
        // The confirming full pass for every waiting class at once.
        for (size_t i = 0; i < l; ++i)
            mask[i] = static_cast<RowMask>(mask[i] | waiting);
        for (uint32_t mm = waiting; mm != 0; mm &= mm - 1) {
            const size_t c = static_cast<size_t>(lowest_bit(mm));
            active_count[c] = l;
            pg_max_old[c] = inf;
        }
        running = waiting;
        waiting = 0;
        list_size = l; // the list is always a permutation of all rows
    }
}

// L2-regularised squared-hinge SVM, dual coordinate descent with shrinking
// (Hsieh et al. 2008), for the classes of one block. Dual of class c:
// min 1/2 a'Qa - sum a_i, a_i >= 0, Q_ij = y_i y_j x_i.x_j + [i == j] / (2 C_i).
// A class stops when the spread max(PG) - min(PG) of its projected gradient
// over its active rows falls below eps and a pass over all rows confirms it.
// Shrinking is per class (bit c of mask[i]); a row leaves the shared visiting
// list once no running class needs it. A class that converged on its shrunk
// set waits until every class of the block is waiting or done; then they all
// get their confirming full pass together, so that pass is shared too.
//
// With a warm start the dual variables start from the given values (made
// feasible: negative ones become 0) and w from the matching sum of rows.
//
// The dual variables are rows x nb doubles (nb = out.count, the block's
// classes), not rows x B: a block of 15 classes holds no 16th lane per row.
// The AVX-512 kernel loads and stores a row's variables 8 at a time, lanes
// outside the row's mask with the values they had (which may be the next
// row's): alpha has B - nb doubles of slack at its end for the last row.
template <size_t B, class E>
void solve_svm_block(const SharedProblem &p, Pacer &pacer, unsigned &since_poll, uint64_t seed,
                     BlockWeights &out) {
    const std::vector<int> &Y = *p.y;
    const size_t l = p.rows;
    const size_t nb = out.count;
    const double bias = p.bias;
    const double inf = std::numeric_limits<double>::infinity();
    out.reset(p.num_features, B);
    float *W = out.w;
    double *wb = out.w_bias;

    const uint32_t all_classes = nb >= 32 ? ~0u : (1u << nb) - 1;
    std::vector<double> alpha;
    start_duals<B>(p, out.first_class, nb, l, alpha);
    if (p.warm_start) svm_warm_start<B, E>(p, pacer, since_poll, out, alpha.data());
    std::vector<RowMask> mask(l, static_cast<RowMask>(all_classes));
    std::vector<uint32_t> list(l);
    for (size_t i = 0; i < l; ++i)
        list[i] = static_cast<uint32_t>(i);
    double pg_max_old[B], pg_max[B], pg_min[B];
    size_t active_count[B];
    int iters[B];
    for (size_t c = 0; c < B; ++c) {
        pg_max_old[c] = inf;
        active_count[c] = l;
        iters[c] = 0;
    }
    uint32_t running = all_classes, waiting = 0;
    size_t list_size = l;
    Rng rng(seed);

    while (running != 0) {
        for (size_t s = 0; s + 1 < list_size; ++s)
            std::swap(list[s], list[s + rng.below(list_size - s)]);
        for (size_t c = 0; c < B; ++c) {
            pg_max[c] = -inf;
            pg_min[c] = inf;
        }
        for (size_t s = 0; s < list_size; ++s) {
            if (++since_poll >= kPollEvery) {
                since_poll = 0;
                pacer.poll();
            }
            const size_t i = list[s];
            if (s + kPrefetchAhead < list_size) {
                const size_t ahead = list[s + kPrefetchAhead];
                prefetch_row<E>(p, ahead, alpha.data() + ahead * nb);
            }
            uint32_t m = mask[i] & running;
            if (m != 0) {
                const size_t n = p.row_length(i);
                const auto e = make_row<E>(p, i);
                float dot[B] = {}, d[B] = {};
                // Late in training most rows matter to one or two classes of
                // the block: scalar work for those is cheaper than B lanes.
                const bool few = B >= 8 && __builtin_popcount(m) <= 2;
                if (few) {
                    for (uint32_t mm = m; mm != 0; mm &= mm - 1) {
                        const size_t c = static_cast<size_t>(lowest_bit(mm));
                        dot[c] = strided_dot<B>(W + c, e, n);
                    }
                } else {
                    block_dot<B>(W, e, n, dot);
                }
                const size_t pos = static_cast<size_t>(Y[i]) - out.first_class; // huge when not in block
                double *a = alpha.data() + i * nb;
                out.steps += static_cast<size_t>(__builtin_popcount(m));
                const bool changed = svm_row_steps<B>(m, dot, pos, a, wb, bias, p.diag(i), p.qd[i],
                                                      pg_max_old, pg_max, pg_min, mask[i], active_count, d);
                if (changed && few) {
                    for (uint32_t mm = m; mm != 0; mm &= mm - 1) {
                        const size_t c = static_cast<size_t>(lowest_bit(mm));
                        if (d[c] != 0) strided_axpy<B>(W + c, e, n, d[c]);
                    }
                } else if (changed) {
                    block_axpy<B>(W, e, n, d);
                }
                m = mask[i] & running;
            }
            if (m == 0) {
                // No running class needs this row any more.
                --list_size;
                std::swap(list[s], list[list_size]);
                --s;
            }
        }

        svm_end_pass<B>(p, l, pg_max, pg_min, pg_max_old, active_count, iters, running, waiting, mask,
                        list_size, out.passes);
    }
    if (p.dual_out) keep_duals<B>(p, out.first_class, nb, alpha.data(), l);
}
