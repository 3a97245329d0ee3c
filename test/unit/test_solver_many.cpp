// The solver on FeatureMatrix (narrow and wide entries), several problems
// at once, dual warm starts, the memory budget and the thread cap.
#include "dataset.h"
#include "errors.h"
#include "linear.h"

#include <gtest/gtest.h>

#include <cmath>
#include <numeric>

using namespace intent;

namespace {

// Random sparse rows; the label depends on the features (learnable, not
// separable), so the solvers need real work.
void learnable_problem(size_t rows, size_t cols, size_t classes, uint64_t seed, SparseMatrix &X,
                       std::vector<int> &y) {
    Rng rng(seed);
    X = SparseMatrix();
    X.cols = cols;
    y.clear();
    for (size_t r = 0; r < rows; ++r) {
        SparseVector v;
        size_t votes = 0;
        for (size_t j = 0; j < cols; ++j)
            if (rng.below(8) == 0) {
                v.index.push_back(static_cast<uint32_t>(j));
                v.value.push_back(static_cast<float>(rng.below(1000)) / 1000.0f + 0.1f);
                votes += j;
            }
        X.append_row(v);
        y.push_back(static_cast<int>(rng.below(4) == 0 ? rng.below(classes) : votes % classes));
    }
}

// Primal objective of class c's binary problem, with the solver's costs
// (balanced class weights, bias feature of value 1, regularised).
double primal(const LinearWeights &w, const SparseMatrix &X, const std::vector<int> &y, size_t c, double C,
              Algorithm a) {
    const size_t k = w.num_classes;
    std::vector<size_t> count(k, 0);
    for (int label : y)
        ++count[static_cast<size_t>(label)];
    size_t present = 0;
    for (size_t n : count)
        present += n > 0;
    double obj = 0.5 * static_cast<double>(w.bias[c]) * w.bias[c];
    for (size_t f = 0; f < w.num_features; ++f)
        obj += 0.5 * static_cast<double>(w.w[f * k + c]) * w.w[f * k + c];
    for (size_t i = 0; i < X.rows(); ++i) {
        const size_t yc = static_cast<size_t>(y[i]);
        const double Ci = C * static_cast<double>(X.rows()) / (static_cast<double>(present) * count[yc]);
        double score = w.bias[c];
        for (size_t j = X.row_ptr[i]; j < X.row_ptr[i + 1]; ++j)
            score += static_cast<double>(w.w[X.col[j] * k + c]) * X.val[j];
        const double margin = (yc == c ? 1.0 : -1.0) * score;
        if (a == Algorithm::LinearSVM) {
            const double h = std::max(0.0, 1.0 - margin);
            obj += Ci * h * h;
        } else {
            obj += Ci * std::log1p(std::exp(-margin));
        }
    }
    return obj;
}

SparseMatrix widen(const SparseMatrix &X, size_t cols) {
    SparseMatrix wide = X;
    wide.cols = cols;
    return wide;
}

} // namespace

// The FeatureMatrix overload reads the same values as the SparseMatrix one:
// identical bits, with 16-bit and with 32-bit indices.
TEST(SolverMatrix, FeatureMatrixGivesTheSparseMatrixWeights) {
    SparseMatrix X;
    std::vector<int> y;
    learnable_problem(500, 60, 20, 3, X, y);
    for (Algorithm a : {Algorithm::LinearSVM, Algorithm::LogisticRegression}) {
        LearnerOptions o;
        o.algorithm = a;
        const LinearWeights ref = train_one_vs_rest(X, y, 20, {}, o, {});
        const FeatureMatrix narrow = FeatureMatrix::from_sparse(X);
        ASSERT_TRUE(narrow.narrow());
        const LinearWeights n = train_one_vs_rest(narrow, y, 20, {}, o, {});
        EXPECT_EQ(ref.w, n.w);
        EXPECT_EQ(ref.bias, n.bias);
        const FeatureMatrix wide = FeatureMatrix::from_sparse(widen(X, 70000));
        ASSERT_FALSE(wide.narrow());
        const LinearWeights w = train_one_vs_rest(wide, y, 20, {}, o, {});
        EXPECT_EQ(ref.bias, w.bias);
        EXPECT_TRUE(std::equal(ref.w.begin(), ref.w.end(), w.w.begin())) << "the first 60 features' weights";
        EXPECT_TRUE(std::all_of(w.w.begin() + static_cast<std::ptrdiff_t>(ref.w.size()), w.w.end(),
                                [](float v) { return v == 0.0f; }));
    }
}

// Several problems at once give each problem's solo weights, for any
// thread count.
TEST(SolverMany, EachProblemAsIfAloneForAnyThreadCount) {
    SparseMatrix X1, X2, X3;
    std::vector<int> y1, y2, y3;
    learnable_problem(400, 50, 3, 1, X1, y1);
    learnable_problem(300, 40, 37, 2, X2, y2);
    learnable_problem(200, 70, 9, 3, X3, y3);
    const FeatureMatrix F1 = FeatureMatrix::from_sparse(X1), F2 = FeatureMatrix::from_sparse(X2),
                        F3 = FeatureMatrix::from_sparse(X3);
    std::vector<float> sw3(200, 1.0f);
    sw3[5] = 3.0f;
    for (Algorithm a : {Algorithm::LinearSVM, Algorithm::LogisticRegression}) {
        LearnerOptions o;
        o.algorithm = a;
        o.threads = 1;
        const LinearWeights s1 = train_one_vs_rest(F1, y1, 3, {}, o, {});
        const LinearWeights s2 = train_one_vs_rest(F2, y2, 37, {}, o, {});
        const LinearWeights s3 = train_one_vs_rest(F3, y3, 9, sw3, o, {});
        std::vector<OneVsRestProblem> problems(3);
        problems[0] = OneVsRestProblem{&F1, &y1, 3, nullptr, nullptr, nullptr};
        problems[1] = OneVsRestProblem{&F2, &y2, 37, nullptr, nullptr, nullptr};
        problems[2] = OneVsRestProblem{&F3, &y3, 9, &sw3, nullptr, nullptr};
        for (int threads : {1, 2, 3, 256}) {
            o.threads = threads;
            size_t last_done = 0, total = 0;
            TrainCallbacks cb;
            cb.progress = [&](const TrainProgress &p) {
                last_done = p.done;
                total = p.total;
            };
            const std::vector<LinearWeights> many = train_one_vs_rest_many(problems, o, cb);
            ASSERT_EQ(many.size(), 3u);
            EXPECT_EQ(many[0].w, s1.w) << threads;
            EXPECT_EQ(many[1].w, s2.w) << threads;
            EXPECT_EQ(many[2].w, s3.w) << threads;
            EXPECT_EQ(many[1].bias, s2.bias) << threads;
            EXPECT_EQ(total, 3u + 37u + 9u);
            EXPECT_EQ(last_done, total);
        }
    }
}

// A fold warm-started from the full problem's dual solution reaches the
// cold start's objective to the solver's tolerance, deterministically; a
// problem warm-started from its own solution stays there.
TEST(SolverWarmStart, ReachesTheColdOptimum) {
    SparseMatrix X;
    std::vector<int> y;
    learnable_problem(900, 60, 12, 5, X, y);
    const FeatureMatrix F = FeatureMatrix::from_sparse(X);
    std::vector<size_t> fold_rows;
    for (size_t i = 0; i < X.rows(); ++i)
        if (i % 5 != 0) fold_rows.push_back(i);
    const SparseMatrix Xf = X.select_rows(fold_rows);
    const FeatureMatrix Ff = FeatureMatrix::from_sparse(Xf);
    std::vector<int> yf;
    for (size_t i : fold_rows)
        yf.push_back(y[i]);

    for (Algorithm a : {Algorithm::LinearSVM, Algorithm::LogisticRegression}) {
        LearnerOptions o;
        o.algorithm = a;
        o.tolerance = 0.001;
        DualSolution dual;
        OneVsRestProblem full{&F, &y, 12, nullptr, nullptr, &dual};
        const LinearWeights full_w = train_one_vs_rest_many({full}, o, {}).front();
        ASSERT_TRUE(dual.complete);
        ASSERT_EQ(dual.classes.size(), 12u);
        EXPECT_GT(dual.entries(), 0u);
        for (const auto &list : dual.classes)
            for (size_t j = 0; j < list.size(); ++j) {
                EXPECT_LT(list[j].row, X.rows());
                EXPECT_NE(list[j].value, 0.0f);
                if (j > 0) EXPECT_LT(list[j - 1].row, list[j].row) << "ascending";
            }
        if (a == Algorithm::LinearSVM)
            EXPECT_LT(dual.entries(), X.rows() * 12) << "a squared-hinge solution is kept sparse";
        else
            EXPECT_EQ(dual.entries(), X.rows() * 12) << "a logistic solution is never zero";

        const DualSolution warm = dual_rows(dual, fold_rows);
        OneVsRestProblem cold_fold{&Ff, &yf, 12, nullptr, nullptr, nullptr};
        OneVsRestProblem warm_fold{&Ff, &yf, 12, nullptr, &warm, nullptr};
        const LinearWeights cold = train_one_vs_rest_many({cold_fold}, o, {}).front();
        const LinearWeights hot = train_one_vs_rest_many({warm_fold}, o, {}).front();
        const LinearWeights again = train_one_vs_rest_many({warm_fold}, o, {}).front();
        EXPECT_EQ(hot.w, again.w) << "warm starts are deterministic";
        EXPECT_NE(hot.w, cold.w) << "the warm start was used";
        for (size_t c = 0; c < 12; ++c) {
            const double pc = primal(cold, Xf, yf, c, o.C, a), pw = primal(hot, Xf, yf, c, o.C, a);
            EXPECT_NEAR(pw, pc, 2e-3 * pc) << algorithm_name(a) << " class " << c;
        }

        // From its own solution, a problem stays at it.
        DualSolution fold_dual;
        OneVsRestProblem solved{&Ff, &yf, 12, nullptr, nullptr, &fold_dual};
        const LinearWeights first = train_one_vs_rest_many({solved}, o, {}).front();
        OneVsRestProblem resumed{&Ff, &yf, 12, nullptr, &fold_dual, nullptr};
        const LinearWeights second = train_one_vs_rest_many({resumed}, o, {}).front();
        for (size_t c = 0; c < 12; ++c)
            EXPECT_NEAR(primal(second, Xf, yf, c, o.C, a), primal(first, Xf, yf, c, o.C, a),
                        1e-4 * primal(first, Xf, yf, c, o.C, a));

        // Asking for the solution never changes the weights; a limit it
        // outgrows leaves it empty and incomplete, and an incomplete start
        // is a cold start.
        DualSolution small;
        OneVsRestProblem limited{&F, &y, 12, nullptr, nullptr, &small};
        limited.dual_out_limit = sizeof(DualSolution::Entry) * 10;
        const LinearWeights limited_w = train_one_vs_rest_many({limited}, o, {}).front();
        EXPECT_EQ(limited_w.w, full_w.w);
        EXPECT_FALSE(small.complete);
        EXPECT_EQ(small.entries(), 0u);
        OneVsRestProblem from_incomplete{&F, &y, 12, nullptr, &small, nullptr};
        EXPECT_EQ(train_one_vs_rest_many({from_incomplete}, o, {}).front().w, full_w.w);
    }
    DualSolution wrong;
    wrong.classes.resize(7);
    OneVsRestProblem bad{&F, &y, 12, nullptr, &wrong, nullptr};
    EXPECT_THROW(train_one_vs_rest_many({bad}, LearnerOptions{}, {}), Error);
    DualSolution far;
    far.classes.resize(12);
    far.classes[3].push_back({static_cast<uint32_t>(X.rows()), 1.0f});
    OneVsRestProblem beyond{&F, &y, 12, nullptr, &far, nullptr};
    EXPECT_THROW(train_one_vs_rest_many({beyond}, LearnerOptions{}, {}), Error);
}

// The refit's warm start from cross-validation folds: each row's mean over
// the folds that trained on it, and a refit from it reaches the cold
// refit's objective to the tolerance.
TEST(SolverWarmStart, RefitFromTheFoldsMean) {
    DualSolution a, b;
    a.classes = {{{0, 1.0f}, {2, 3.0f}}, {}};
    b.classes = {{{1, 5.0f}}, {{0, 2.0f}}};
    const std::vector<uint32_t> rows_a = {0, 1, 2}, rows_b = {1, 3};
    const DualSolution m = mean_duals({&a, &b}, {&rows_a, &rows_b}, 4);
    ASSERT_TRUE(m.complete);
    ASSERT_EQ(m.classes.size(), 2u);
    // Class 0: rows 0 and 2 from a, row 3 (b's row 1) from b, each in one part.
    ASSERT_EQ(m.classes[0].size(), 3u);
    EXPECT_EQ(m.classes[0][0].row, 0u);
    EXPECT_EQ(m.classes[0][0].value, 1.0f);
    EXPECT_EQ(m.classes[0][1].row, 2u);
    EXPECT_EQ(m.classes[0][1].value, 3.0f);
    EXPECT_EQ(m.classes[0][2].row, 3u);
    EXPECT_EQ(m.classes[0][2].value, 5.0f);
    // Class 1: row 1 is in both parts, 0 in a and 2 in b: mean 1.
    ASSERT_EQ(m.classes[1].size(), 1u);
    EXPECT_EQ(m.classes[1][0].row, 1u);
    EXPECT_EQ(m.classes[1][0].value, 1.0f);
    a.classes[1].push_back({1, 4.0f}); // now 4 and 2: mean 3
    EXPECT_EQ(mean_duals({&a, &b}, {&rows_a, &rows_b}, 4).classes[1][0].value, 3.0f);
    DualSolution cut = b;
    cut.complete = false;
    EXPECT_FALSE(mean_duals({&a, &cut}, {&rows_a, &rows_b}, 4).complete);
    EXPECT_THROW(mean_duals({&a}, {&rows_b}, 4), Error); // a's row 2 has no place in b's list

    SparseMatrix X;
    std::vector<int> y;
    learnable_problem(900, 60, 12, 5, X, y);
    const FeatureMatrix F = FeatureMatrix::from_sparse(X);
    LearnerOptions o;
    o.tolerance = 0.001;
    std::vector<std::vector<uint32_t>> fold_rows(2);
    std::vector<std::vector<int>> fold_y(2);
    for (uint32_t i = 0; i < X.rows(); ++i) {
        fold_rows[i % 2].push_back(i);
        fold_y[i % 2].push_back(y[i]);
    }
    std::vector<DualSolution> fold_dual(2);
    std::vector<OneVsRestProblem> folds(2);
    for (size_t f = 0; f < 2; ++f) {
        folds[f] = OneVsRestProblem{&F, &fold_y[f], 12, nullptr, nullptr, &fold_dual[f]};
        folds[f].rows = &fold_rows[f];
    }
    train_one_vs_rest_many(folds, o, {});
    const DualSolution start =
        mean_duals({&fold_dual[0], &fold_dual[1]}, {&fold_rows[0], &fold_rows[1]}, X.rows());
    ASSERT_TRUE(start.complete);
    SolverStats cold_stats, warm_stats;
    OneVsRestProblem cold{&F, &y, 12, nullptr, nullptr, nullptr, &cold_stats};
    OneVsRestProblem warm{&F, &y, 12, nullptr, &start, nullptr, &warm_stats};
    const LinearWeights wc = train_one_vs_rest_many({cold}, o, {}).front();
    const LinearWeights ww = train_one_vs_rest_many({warm}, o, {}).front();
    EXPECT_LT(warm_stats.coordinate_steps, cold_stats.coordinate_steps);
    for (size_t c = 0; c < 12; ++c) {
        const double pc = primal(wc, X, y, c, o.C, Algorithm::LinearSVM);
        EXPECT_NEAR(primal(ww, X, y, c, o.C, Algorithm::LinearSVM), pc, 2e-3 * pc) << "class " << c;
    }
}

// A budget that fits one worker's state trains on one thread, with the same
// result; one that fits nothing is Error(ErrorKind::ResourceLimit); charges return.
TEST(SolverBudget, FewerThreadsWhenShortAndAnErrorWhenNothingFits) {
    SparseMatrix X;
    std::vector<int> y;
    learnable_problem(2000, 50, 40, 9, X, y);
    const FeatureMatrix F = FeatureMatrix::from_sparse(X);
    LearnerOptions o;
    o.threads = 2;
    MemoryBudget ample;
    TrainCallbacks cb;
    cb.memory = &ample;
    const LinearWeights ref = train_one_vs_rest(F, y, 40, {}, o, cb);
    EXPECT_EQ(ample.used(), 0u);
    const size_t two_workers = ample.peak();

    // Room for the per-row data, the weights and one worker only.
    const size_t worker = 50 * 16 * 4 + 2000 * 16 * 8;
    MemoryBudget tight(two_workers - worker / 2);
    cb.memory = &tight;
    const LinearWeights one = train_one_vs_rest(F, y, 40, {}, o, cb);
    EXPECT_EQ(one.w, ref.w);
    EXPECT_LE(tight.peak(), tight.limit());
    EXPECT_EQ(tight.used(), 0u);

    MemoryBudget tiny(10000);
    cb.memory = &tiny;
    try {
        train_one_vs_rest(F, y, 40, {}, o, cb);
        ADD_FAILURE() << "no error";
    } catch (const Error &e) {
        EXPECT_EQ(e.kind(), ErrorKind::ResourceLimit);
    }
    EXPECT_EQ(tiny.used(), 0u);
}

// A problem given as a list of rows of two matrices (a fold of entries plus
// variants, read in place) trains bit-identically to a matrix holding copies
// of those rows in that order, for both algorithms and any thread count.
TEST(SolverRowLists, MatchCopiedRowsBitForBit) {
    SparseMatrix A, B;
    std::vector<int> ya, yb;
    learnable_problem(300, 40, 6, 11, A, ya);
    learnable_problem(120, 40, 6, 12, B, yb);
    const FeatureMatrix FA = FeatureMatrix::from_sparse(A), FB = FeatureMatrix::from_sparse(B);
    // Every third row of A left out, then every other row of B, some
    // repeated and out of order.
    std::vector<uint32_t> rows;
    std::vector<int> y;
    std::vector<float> w;
    FeatureMatrix copy(40);
    SparseVector v;
    auto take = [&](uint32_t r) {
        rows.push_back(r);
        const bool first = r < FA.rows();
        (first ? FA : FB).row(first ? r : r - FA.rows(), v);
        copy.append_row(v);
        y.push_back(first ? ya[r] : yb[r - FA.rows()]);
        w.push_back(first ? 1.0f : 0.5f);
    };
    for (uint32_t r = 0; r < FA.rows(); ++r)
        if (r % 3 != 0) take(r);
    for (uint32_t r = 0; r < FB.rows(); r += 2)
        take(static_cast<uint32_t>(FA.rows() + FB.rows() - 1 - r));
    take(5);
    for (Algorithm a : {Algorithm::LinearSVM, Algorithm::LogisticRegression})
        for (int threads : {1, 3}) {
            LearnerOptions o;
            o.algorithm = a;
            o.threads = threads;
            const LinearWeights copied = train_one_vs_rest(copy, y, 6, w, o, TrainCallbacks{});
            OneVsRestProblem q;
            q.X = &FA;
            q.X2 = &FB;
            q.rows = &rows;
            q.y = &y;
            q.num_classes = 6;
            q.sample_weight = &w;
            const LinearWeights listed = train_one_vs_rest_many({q, q}, o, TrainCallbacks{}).back();
            EXPECT_EQ(listed.w, copied.w) << algorithm_name(a) << " " << threads;
            EXPECT_EQ(listed.bias, copied.bias) << algorithm_name(a) << " " << threads;
        }
    // A row past both matrices is refused.
    std::vector<uint32_t> bad = {static_cast<uint32_t>(FA.rows() + FB.rows())};
    std::vector<int> y1 = {0};
    OneVsRestProblem q;
    q.X = &FA;
    q.X2 = &FB;
    q.rows = &bad;
    q.y = &y1;
    q.num_classes = 6;
    EXPECT_THROW(train_one_vs_rest_many({q}, LearnerOptions{}, TrainCallbacks{}), Error);
}

// A warm start the solve takes over (warm_start_taken) gives the weights the
// same start given read-only does, bit for bit, on one thread and two, for
// both losses; and each class's entries are gone on return (freed as their
// block took them), the solution still complete and with its classes.
TEST(SolverWarmStart, TakenStartIsFreedAndChangesNoWeight) {
    SparseMatrix X;
    std::vector<int> y;
    learnable_problem(900, 60, 40, 11, X, y);
    const FeatureMatrix F = FeatureMatrix::from_sparse(X);
    for (const Algorithm algorithm : {Algorithm::LinearSVM, Algorithm::LogisticRegression}) {
        LearnerOptions o;
        o.algorithm = algorithm;
        o.tolerance = 0.01;
        DualSolution start;
        OneVsRestProblem cold{&F, &y, 40, nullptr, nullptr, &start};
        train_one_vs_rest_many({cold}, o, {});
        ASSERT_TRUE(start.usable());
        ASSERT_GT(start.entries(), 0u);
        for (const int threads : {1, 2}) {
            o.threads = threads;
            OneVsRestProblem given{&F, &y, 40, nullptr, &start, nullptr};
            const LinearWeights ref = train_one_vs_rest_many({given}, o, {}).front();
            DualSolution taken = start;
            OneVsRestProblem q{&F, &y, 40, nullptr, nullptr, nullptr};
            q.warm_start_taken = &taken;
            const LinearWeights w = train_one_vs_rest_many({q}, o, {}).front();
            EXPECT_EQ(w.w, ref.w) << "threads " << threads;
            EXPECT_EQ(w.bias, ref.bias) << "threads " << threads;
            EXPECT_TRUE(taken.complete);
            EXPECT_EQ(taken.classes.size(), 40u);
            EXPECT_EQ(taken.bytes(), taken.classes.capacity() * sizeof(taken.classes[0]))
                << "entries left in the taken start";
        }
    }
}

// What the solver charges is what it holds: a problem on every row of its
// matrix reads the matrix's row pointers in place (8 bytes a row for the
// squared hinge's qd, none for row pointers and lengths), and a worker holds
// a block's dual variables for its classes only (40 classes: blocks of 14,
// 13 and 13, 14 doubles a row, not 16) plus a 2-byte row mask and a 4-byte
// visiting list a row. A problem on a list of rows still charges its lists.
TEST(SolverBudget, ChargesWhatTheSolverHolds) {
    SparseMatrix X;
    std::vector<int> y;
    learnable_problem(2000, 50, 40, 9, X, y);
    const FeatureMatrix F = FeatureMatrix::from_sparse(X);
    LearnerOptions o;
    o.threads = 1;
    MemoryBudget budget;
    TrainCallbacks cb;
    cb.memory = &budget;
    train_one_vs_rest(F, y, 40, {}, o, cb);
    const size_t weights = 51 * 40 * sizeof(float);
    const size_t worker = (50 * 16 + 16) * sizeof(float) + 2000 * (14 * 8 + 2 + 4) + 16 * 8;
    EXPECT_EQ(budget.peak(), 2000 * 8 + weights + worker);
    EXPECT_EQ(budget.used(), 0u);

    std::vector<uint32_t> rows(1500);
    std::iota(rows.begin(), rows.end(), 0u);
    const std::vector<int> y_rows(y.begin(), y.begin() + 1500);
    OneVsRestProblem listed{&F, &y_rows, 40};
    listed.rows = &rows;
    MemoryBudget listed_budget;
    cb.memory = &listed_budget;
    train_one_vs_rest_many({listed}, o, cb);
    const size_t listed_worker = (50 * 16 + 16) * sizeof(float) + 1500 * (14 * 8 + 2 + 4) + 16 * 8;
    EXPECT_EQ(listed_budget.peak(), 1500 * (8 + 4 + 8) + weights + listed_worker);
}
