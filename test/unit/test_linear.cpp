// One-vs-rest linear learners: exact optima on tiny problems, class and
// sample weights, cancellation, determinism and input validation.
#include "dataset.h"
#include "errors.h"
#include "linear.h"
#include "solver_svm.h"

#include <gtest/gtest.h>

#include <atomic>
#include <cstring>
#include <thread>

using namespace intent;

namespace {

// Builds a CSR matrix from dense rows (zeros are left out).
SparseMatrix dense_to_sparse(const std::vector<std::vector<float>> &rows, size_t cols) {
    SparseMatrix m;
    m.cols = cols;
    for (const auto &r : rows) {
        SparseVector v;
        for (size_t j = 0; j < r.size(); ++j)
            if (r[j] != 0) {
                v.index.push_back(static_cast<uint32_t>(j));
                v.value.push_back(r[j]);
            }
        m.append_row(v);
    }
    return m;
}

float weight(const LinearWeights &w, size_t f, size_t c) {
    return w.w[f * w.num_classes + c];
}

// Index of the highest score for sparse row r of X.
int predict(const LinearWeights &w, const SparseMatrix &X, size_t r) {
    SparseVector v;
    v.index.assign(X.col.begin() + X.row_ptr[r], X.col.begin() + X.row_ptr[r + 1]);
    v.value.assign(X.val.begin() + X.row_ptr[r], X.val.begin() + X.row_ptr[r + 1]);
    std::vector<float> s(w.num_classes);
    w.decision(v, s.data());
    return static_cast<int>(std::max_element(s.begin(), s.end()) - s.begin());
}

LearnerOptions exact_options(Algorithm a) {
    LearnerOptions o;
    o.algorithm = a;
    o.bias = 0;
    o.balanced_class_weight = false;
    o.tolerance = 1e-7;
    o.max_iterations = 100000;
    return o;
}

// Random sparse data with random labels: not separable, slow to converge.
void random_problem(size_t rows, size_t cols, size_t classes, uint64_t seed, SparseMatrix &X,
                    std::vector<int> &y) {
    Rng rng(seed);
    X = SparseMatrix();
    X.cols = cols;
    y.clear();
    for (size_t r = 0; r < rows; ++r) {
        SparseVector v;
        for (size_t j = 0; j < cols; ++j)
            if (rng.below(10) == 0) {
                v.index.push_back(static_cast<uint32_t>(j));
                v.value.push_back(static_cast<float>(rng.below(1000)) / 1000.0f + 0.1f);
            }
        X.append_row(v);
        y.push_back(static_cast<int>(rng.below(classes)));
    }
}

} // namespace

// x = +1 (class 0) and x = -1 (class 1), no bias: the squared-hinge primal
// 1/2 w^2 + 2 C (1 - w)^2 has its minimum at w = 4C / (1 + 4C) = 0.8 for C = 1.
TEST(Linear, SvmSymmetricPairHasKnownOptimum) {
    const SparseMatrix X = dense_to_sparse({{1}, {-1}}, 1);
    const LinearWeights w = train_one_vs_rest(X, {0, 1}, 2, {}, exact_options(Algorithm::LinearSVM), {});
    ASSERT_EQ(w.num_classes, 2u);
    ASSERT_EQ(w.num_features, 1u);
    EXPECT_NEAR(weight(w, 0, 0), 0.8, 1e-5);
    EXPECT_NEAR(weight(w, 0, 1), -0.8, 1e-5);
    EXPECT_FLOAT_EQ(w.bias[0], 0.0f);
    EXPECT_EQ(predict(w, X, 0), 0);
    EXPECT_EQ(predict(w, X, 1), 1);
}

// The same pair under logistic loss: 1/2 w^2 + 2 C log(1 + e^-w) is minimal
// where w = 2C / (1 + e^w), i.e. w = 0.6748316143 for C = 1.
TEST(Linear, LogisticSymmetricPairHasKnownOptimum) {
    const SparseMatrix X = dense_to_sparse({{1}, {-1}}, 1);
    const LinearWeights w =
        train_one_vs_rest(X, {0, 1}, 2, {}, exact_options(Algorithm::LogisticRegression), {});
    EXPECT_NEAR(weight(w, 0, 0), 0.6748316143, 1e-5);
    EXPECT_NEAR(weight(w, 0, 1), -0.6748316143, 1e-5);
}

// Three well separated classes, each owning one feature, plus a shared noise
// feature and the bias: every training row is predicted right, each class
// weighs its own feature positively and the others' negatively, and support
// vectors sit near the margin (score about +1 for their own class).
TEST(Linear, SeparableThreeClassesBothAlgorithms) {
    std::vector<std::vector<float>> rows;
    std::vector<int> y;
    for (int c = 0; c < 3; ++c)
        for (int k = 0; k < 5; ++k) {
            std::vector<float> r(4, 0);
            r[static_cast<size_t>(c)] = 1.0f + 0.1f * static_cast<float>(k);
            r[3] = 0.2f * static_cast<float>(k % 3);
            rows.push_back(r);
            y.push_back(c);
        }
    const SparseMatrix X = dense_to_sparse(rows, 4);
    for (Algorithm a : {Algorithm::LinearSVM, Algorithm::LogisticRegression}) {
        LearnerOptions o;
        o.algorithm = a;
        o.C = 10;
        const LinearWeights w = train_one_vs_rest(X, y, 3, {}, o, {});
        for (size_t r = 0; r < X.rows(); ++r)
            EXPECT_EQ(predict(w, X, r), y[r]) << algorithm_name(a) << " row " << r;
        for (size_t c = 0; c < 3; ++c)
            for (size_t f = 0; f < 3; ++f) {
                if (f == c)
                    EXPECT_GT(weight(w, f, c), 0.5f);
                else
                    EXPECT_LT(weight(w, f, c), 0.0f);
            }
        if (a == Algorithm::LinearSVM) {
            // Row 0 (x0 = 1.0) is class 0's weakest positive: a support vector.
            SparseVector v{{0}, {1.0f}};
            std::vector<float> s(3);
            w.decision(v, s.data());
            EXPECT_NEAR(s[0], 1.0, 0.15);
        }
    }
}

// One feature, no bias, all rows at x = 1: class weights decide. Class A has
// 2 rows at x0 and 4 at x1, class B one row at x0. With cost sums P (class)
// and N (rest) at x0 the optimum is w = 2C (P - N) / (1 + 2C (P + N)):
// unbalanced P = 2, N = 1 -> w_A = 2/7 (A wins at x0); balanced
// (c_A = 7/12, c_B = 7/2) -> w_A = -14/31 (B wins at x0).
TEST(Linear, BalancedClassWeightChangesTheDecision) {
    std::vector<std::vector<float>> rows = {{1, 0}, {1, 0}, {0, 1}, {0, 1}, {0, 1}, {0, 1}, {1, 0}};
    std::vector<int> y = {0, 0, 0, 0, 0, 0, 1};
    const SparseMatrix X = dense_to_sparse(rows, 2);
    LearnerOptions o = exact_options(Algorithm::LinearSVM);
    const LinearWeights plain = train_one_vs_rest(X, y, 2, {}, o, {});
    EXPECT_NEAR(weight(plain, 0, 0), 2.0 / 7.0, 1e-5);
    EXPECT_NEAR(weight(plain, 0, 1), -2.0 / 7.0, 1e-5);
    EXPECT_EQ(predict(plain, X, 6), 0);

    o.balanced_class_weight = true;
    const LinearWeights balanced = train_one_vs_rest(X, y, 2, {}, o, {});
    EXPECT_NEAR(weight(balanced, 0, 0), -14.0 / 31.0, 1e-5);
    EXPECT_NEAR(weight(balanced, 0, 1), 14.0 / 31.0, 1e-5);
    EXPECT_EQ(predict(balanced, X, 6), 1);
}

// Three class-A rows and one class-B row at x = 1; giving the B row weight 5
// flips the sign: w_A = 2 (3 - 5) / (1 + 2 * 8) = -4/17.
TEST(Linear, SampleWeightsMatter) {
    const SparseMatrix X = dense_to_sparse({{1}, {1}, {1}, {1}}, 1);
    const std::vector<int> y = {0, 0, 0, 1};
    const LearnerOptions o = exact_options(Algorithm::LinearSVM);
    const LinearWeights unweighted = train_one_vs_rest(X, y, 2, {}, o, {});
    EXPECT_NEAR(weight(unweighted, 0, 0), 2.0 * 2 / (1 + 2.0 * 4), 1e-5);
    const LinearWeights weighted = train_one_vs_rest(X, y, 2, {1, 1, 1, 5}, o, {});
    EXPECT_NEAR(weight(weighted, 0, 0), -4.0 / 17.0, 1e-5);
    EXPECT_NEAR(weight(weighted, 0, 1), 4.0 / 17.0, 1e-5);
    EXPECT_EQ(predict(weighted, X, 0), 1);
}

// C scales the loss: at C = 0.25 the symmetric pair gives w = 1 / 2.
TEST(Linear, CScalesTheLoss) {
    const SparseMatrix X = dense_to_sparse({{1}, {-1}}, 1);
    LearnerOptions o = exact_options(Algorithm::LinearSVM);
    o.C = 0.25;
    const LinearWeights w = train_one_vs_rest(X, {0, 1}, 2, {}, o, {});
    EXPECT_NEAR(weight(w, 0, 0), 0.5, 1e-5);
}

// The bias is a regularised constant feature. Class 0 at x = 1, class 1 at
// the empty row. For class 0 with bias value 1 the points are z = (1, 1)
// (+) and (0, 1) (-); the primal 1/2|v|^2 + (1 - v1 - v2)^2 + (1 + v2)^2 is
// minimal at v = (10/11, -4/11). With bias value 2: z = (1, 2), (0, 2) and
// v = (34/35, -8/35), stored bias 2 * v2 = -16/35.
TEST(Linear, BiasIsARegularisedConstantFeature) {
    const SparseMatrix X = dense_to_sparse({{1}, {0}}, 1);
    LearnerOptions o = exact_options(Algorithm::LinearSVM);
    o.bias = 1;
    const LinearWeights w = train_one_vs_rest(X, {0, 1}, 2, {}, o, {});
    EXPECT_NEAR(weight(w, 0, 0), 10.0 / 11.0, 1e-5);
    EXPECT_NEAR(w.bias[0], -4.0 / 11.0, 1e-5);
    EXPECT_NEAR(weight(w, 0, 1), -10.0 / 11.0, 1e-5);
    EXPECT_NEAR(w.bias[1], 4.0 / 11.0, 1e-5);
    EXPECT_EQ(predict(w, X, 0), 0);
    EXPECT_EQ(predict(w, X, 1), 1);
    o.bias = 2;
    const LinearWeights w2 = train_one_vs_rest(X, {0, 1}, 2, {}, o, {});
    EXPECT_NEAR(weight(w2, 0, 0), 34.0 / 35.0, 1e-5);
    EXPECT_NEAR(w2.bias[0], -16.0 / 35.0, 1e-5);
}

// A class with no rows gets a negative-only problem and never wins.
TEST(Linear, EmptyClassNeverWins) {
    const SparseMatrix X = dense_to_sparse({{1, 0}, {0, 1}}, 2);
    LearnerOptions o;
    const LinearWeights w = train_one_vs_rest(X, {0, 2}, 3, {}, o, {});
    EXPECT_EQ(predict(w, X, 0), 0);
    EXPECT_EQ(predict(w, X, 1), 2);
    EXPECT_LT(w.bias[1], 0.0f);
}

// decision() walks the feature-major layout and skips unknown features.
TEST(Linear, DecisionUsesFeatureMajorLayout) {
    LinearWeights w;
    w.num_features = 3;
    w.num_classes = 2;
    w.w = {1, -1, 2, 0, 0.5f, 4}; // feature 0: (1, -1), feature 1: (2, 0), feature 2: (0.5, 4)
    w.bias = {0.25f, -0.5f};
    SparseVector x{{0, 2, 7}, {2.0f, 1.0f, 100.0f}};
    float s[2];
    w.decision(x, s);
    EXPECT_FLOAT_EQ(s[0], 0.25f + 2 * 1 + 0.5f);
    EXPECT_FLOAT_EQ(s[1], -0.5f - 2 + 4);
}

// Same inputs give the same bits; so do 1, 2 and 3 threads (four blocks of
// classes are solved in whatever order the threads pick them up).
TEST(Linear, DeterministicAcrossRunsAndThreadCounts) {
    SparseMatrix X;
    std::vector<int> y;
    random_problem(600, 80, 50, 7, X, y);
    for (Algorithm a : {Algorithm::LinearSVM, Algorithm::LogisticRegression}) {
        LearnerOptions o;
        o.algorithm = a;
        o.threads = 1;
        const LinearWeights ref = train_one_vs_rest(X, y, 50, {}, o, {});
        const LinearWeights again = train_one_vs_rest(X, y, 50, {}, o, {});
        EXPECT_EQ(ref.w, again.w);
        EXPECT_EQ(ref.bias, again.bias);
        for (int t : {2, 3}) {
            o.threads = t;
            const LinearWeights other = train_one_vs_rest(X, y, 50, {}, o, {});
            EXPECT_EQ(ref.w, other.w) << algorithm_name(a) << " threads " << t;
            EXPECT_EQ(ref.bias, other.bias);
        }
        o.seed = 43;
        o.threads = 1;
        const LinearWeights reseeded = train_one_vs_rest(X, y, 50, {}, o, {});
        EXPECT_NE(ref.w, reseeded.w); // the seed drives the visiting order
    }
}

// A cancel callback that is already true stops before any work.
TEST(Linear, CancelBeforeStart) {
    const SparseMatrix X = dense_to_sparse({{1}, {-1}}, 1);
    TrainCallbacks cb;
    cb.cancelled = [] { return true; };
    try {
        train_one_vs_rest(X, {0, 1}, 2, {}, LearnerOptions{}, cb);
        FAIL() << "expected Cancelled";
    } catch (const Error &e) {
        EXPECT_EQ(e.kind(), ErrorKind::Cancelled);
        EXPECT_STREQ(e.what(), "training cancelled");
    }
}

// Cancelling mid-training stops the workers and throws Cancelled; the
// callbacks only ever run on the calling thread.
TEST(Linear, CancelDuringTrainingStopsAllThreads) {
    SparseMatrix X;
    std::vector<int> y;
    random_problem(4000, 200, 40, 11, X, y);
    for (int threads : {1, 2}) {
        LearnerOptions o;
        o.tolerance = 1e-12; // effectively never converges
        o.max_iterations = 1000000;
        o.threads = threads;
        const std::thread::id caller = std::this_thread::get_id();
        std::atomic<int> calls{0};
        std::atomic<bool> foreign_thread{false};
        TrainCallbacks cb;
        cb.cancelled = [&] {
            if (std::this_thread::get_id() != caller) foreign_thread = true;
            return ++calls >= 3;
        };
        cb.progress = [&](const TrainProgress &p) {
            if (std::this_thread::get_id() != caller) foreign_thread = true;
            EXPECT_STREQ(p.stage, "train");
            EXPECT_EQ(p.total, 40u);
        };
        try {
            train_one_vs_rest(X, y, 40, {}, o, cb);
            FAIL() << "expected Cancelled";
        } catch (const Error &e) {
            EXPECT_EQ(e.kind(), ErrorKind::Cancelled);
        }
        EXPECT_EQ(calls.load(), 3);
        EXPECT_FALSE(foreign_thread.load());
    }
}

// An exception thrown by a callback propagates after the workers are joined.
TEST(Linear, CallbackExceptionPropagates) {
    SparseMatrix X;
    std::vector<int> y;
    random_problem(4000, 200, 40, 12, X, y);
    LearnerOptions o;
    o.tolerance = 1e-12;
    o.max_iterations = 1000000;
    o.threads = 2;
    int calls = 0;
    TrainCallbacks cb;
    cb.cancelled = [&] {
        if (++calls == 2) throw std::runtime_error("boom");
        return false;
    };
    EXPECT_THROW(train_one_vs_rest(X, y, 40, {}, o, cb), std::runtime_error);
}

// Progress ends with every class reported done.
TEST(Linear, ProgressReportsCompletion) {
    const SparseMatrix X = dense_to_sparse({{1}, {-1}, {1}}, 1);
    std::vector<TrainProgress> seen;
    TrainCallbacks cb;
    cb.progress = [&](const TrainProgress &p) { seen.push_back(p); };
    train_one_vs_rest(X, {0, 1, 2}, 3, {}, LearnerOptions{}, cb);
    ASSERT_GE(seen.size(), 2u);
    EXPECT_EQ(seen.front().done, 0u);
    EXPECT_EQ(seen.back().done, 3u);
    EXPECT_EQ(seen.back().total, 3u);
}

// Bad inputs are rejected with InvalidArgument (or InsufficientData).
TEST(Linear, RejectsBadInput) {
    const SparseMatrix X = dense_to_sparse({{1}, {-1}}, 1);
    const LearnerOptions o;
    auto kind_of = [&](auto fn) {
        try {
            fn();
        } catch (const Error &e) {
            return e.kind();
        }
        return ErrorKind::Internal;
    };
    EXPECT_EQ(kind_of([&] { train_one_vs_rest(X, {0, 2}, 2, {}, o, {}); }), ErrorKind::InvalidArgument);
    EXPECT_EQ(kind_of([&] { train_one_vs_rest(X, {0, -1}, 2, {}, o, {}); }), ErrorKind::InvalidArgument);
    EXPECT_EQ(kind_of([&] { train_one_vs_rest(X, {0}, 2, {}, o, {}); }), ErrorKind::InvalidArgument);
    EXPECT_EQ(kind_of([&] {
                  train_one_vs_rest(X, {0, 1}, 2, {1.0f, 0.0f}, o, {});
              }),
              ErrorKind::InvalidArgument);
    EXPECT_EQ(kind_of([&] { train_one_vs_rest(X, {0, 1}, 2, {1.0f}, o, {}); }), ErrorKind::InvalidArgument);
    EXPECT_EQ(kind_of([&] { train_one_vs_rest(X, {0, 1}, 0, {}, o, {}); }), ErrorKind::InsufficientData);
    EXPECT_EQ(kind_of([&] { train_one_vs_rest(SparseMatrix{}, {}, 2, {}, o, {}); }),
              ErrorKind::InsufficientData);
    EXPECT_EQ(kind_of([&] { train_one_vs_rest(X, {0, 1}, 200000, {}, o, {}); }), ErrorKind::InvalidArgument);
    SparseMatrix bad = X;
    bad.col[1] = 5; // out of range
    EXPECT_EQ(kind_of([&] { train_one_vs_rest(bad, {0, 1}, 2, {}, o, {}); }), ErrorKind::InvalidArgument);
    bad = X;
    bad.row_ptr.back() = 7; // points past the entries
    EXPECT_EQ(kind_of([&] { train_one_vs_rest(bad, {0, 1}, 2, {}, o, {}); }), ErrorKind::InvalidArgument);
    LearnerOptions neg = o;
    neg.C = -1;
    EXPECT_EQ(kind_of([&] { train_one_vs_rest(X, {0, 1}, 2, {}, neg, {}); }), ErrorKind::InvalidArgument);
    neg = o;
    neg.threads = -2;
    EXPECT_EQ(kind_of([&] { neg.validate(); }), ErrorKind::InvalidArgument);
}

TEST(Linear, AlgorithmNamesRoundTrip) {
    EXPECT_EQ(parse_algorithm("linear_svm"), Algorithm::LinearSVM);
    EXPECT_EQ(parse_algorithm("logistic_regression"), Algorithm::LogisticRegression);
    EXPECT_STREQ(algorithm_name(Algorithm::LinearSVM), "linear_svm");
    EXPECT_STREQ(algorithm_name(Algorithm::LogisticRegression), "logistic_regression");
    EXPECT_THROW(parse_algorithm("svm2"), Error);
}

// Blocks of 16 classes run an AVX-512 build of the SVM solver when the CPU
// has it (solver_svm.cpp): the same float operations lane by lane, so the
// same weights, bit for bit, as the generic build, on one thread and two. 37 classes: blocks of 16, 16 and 8
// (or 4), so the generic narrower blocks run beside it.
TEST(Linear, SvmAvx512BuildGivesTheGenericBits) {
    if (!svm_avx512_available()) GTEST_SKIP() << "no AVX-512F on this CPU";
    SparseMatrix X;
    std::vector<int> y;
    random_problem(900, 400, 37, 5, X, y);
    for (int threads : {1, 2}) {
        LearnerOptions o;
        o.algorithm = Algorithm::LinearSVM;
        o.threads = threads;
        use_svm_avx512(false);
        const LinearWeights generic = train_one_vs_rest(X, y, 37, {}, o, {});
        use_svm_avx512(true);
        const LinearWeights wide = train_one_vs_rest(X, y, 37, {}, o, {});
        ASSERT_EQ(generic.w.size(), wide.w.size());
        EXPECT_EQ(std::memcmp(generic.w.data(), wide.w.data(), generic.w.size() * sizeof(float)), 0);
        ASSERT_EQ(generic.bias.size(), wide.bias.size());
        EXPECT_EQ(std::memcmp(generic.bias.data(), wide.bias.data(), generic.bias.size() * sizeof(float)), 0);
    }
    use_svm_avx512(true);
}

// The AVX-512 build's coordinate steps (svm_row_steps_avx512: projected
// gradient, shrinking, the step and the bias weight in lane masks) against
// the generic ones where the refit runs them: rows of unequal cost (sample
// weights: each row's own diagonal and step size), a bias, a warm start and
// the dual solution kept, 30 classes (two blocks of 15, a spare lane each),
// on one thread and two.
TEST(Linear, SvmAvx512StepsGiveTheGenericBitsWarmStarted) {
    if (!svm_avx512_available()) GTEST_SKIP() << "no AVX-512F on this CPU";
    SparseMatrix S;
    std::vector<int> y;
    random_problem(1200, 300, 30, 17, S, y);
    const FeatureMatrix X = FeatureMatrix::from_sparse(S);
    std::vector<float> weights(y.size());
    Rng rng(5);
    for (float &w : weights)
        w = 0.25f + static_cast<float>(rng.below(8)) / 4.0f;
    std::vector<uint32_t> half;
    for (uint32_t r = 0; r < y.size(); r += 2)
        half.push_back(r);
    std::vector<int> half_y;
    std::vector<float> half_w;
    for (uint32_t r : half) {
        half_y.push_back(y[r]);
        half_w.push_back(weights[r]);
    }
    for (int threads : {1, 2}) {
        LearnerOptions o;
        o.algorithm = Algorithm::LinearSVM;
        o.threads = threads;
        o.C = 0.7;
        o.bias = 1;
        auto solve = [&](bool wide, DualSolution &duals) {
            use_svm_avx512(wide);
            // A fold on every other row, then every row from its duals.
            DualSolution fold_duals;
            OneVsRestProblem fold;
            fold.X = &X;
            fold.y = &half_y;
            fold.num_classes = 30;
            fold.sample_weight = &half_w;
            fold.rows = &half;
            fold.dual_out = &fold_duals;
            const std::vector<LinearWeights> first = train_one_vs_rest_many({fold}, o, {});
            const DualSolution start = mean_duals({&fold_duals}, {&half}, y.size());
            OneVsRestProblem all;
            all.X = &X;
            all.y = &y;
            all.num_classes = 30;
            all.sample_weight = &weights;
            all.warm_start = &start;
            all.dual_out = &duals;
            std::vector<LinearWeights> out = train_one_vs_rest_many({all}, o, {});
            out.insert(out.begin(), first.front());
            return out;
        };
        DualSolution generic_duals, wide_duals;
        const std::vector<LinearWeights> generic = solve(false, generic_duals);
        const std::vector<LinearWeights> wide = solve(true, wide_duals);
        for (size_t k = 0; k < 2; ++k) {
            ASSERT_EQ(generic[k].w.size(), wide[k].w.size());
            EXPECT_EQ(std::memcmp(generic[k].w.data(), wide[k].w.data(), generic[k].w.size() * sizeof(float)),
                      0);
            ASSERT_EQ(generic[k].bias.size(), wide[k].bias.size());
            EXPECT_EQ(std::memcmp(generic[k].bias.data(), wide[k].bias.data(),
                                  generic[k].bias.size() * sizeof(float)),
                      0);
        }
        ASSERT_EQ(generic_duals.classes.size(), wide_duals.classes.size());
        for (size_t c = 0; c < generic_duals.classes.size(); ++c) {
            ASSERT_EQ(generic_duals.classes[c].size(), wide_duals.classes[c].size());
            for (size_t j = 0; j < generic_duals.classes[c].size(); ++j) {
                EXPECT_EQ(generic_duals.classes[c][j].row, wide_duals.classes[c][j].row);
                EXPECT_EQ(std::memcmp(&generic_duals.classes[c][j].value, &wide_duals.classes[c][j].value,
                                      sizeof(float)),
                          0);
            }
        }
    }
    use_svm_avx512(true);
}
