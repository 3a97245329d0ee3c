// Cross-validation solver work: 5 folds of a dataset's train split (row i in
// fold i % 5), solved one after the other, together on one pool
// (train_one_vs_rest_many), and warm-started from the full problem's dual
// solution; then the final refit, cold and warm-started from the folds'
// averaged duals. Prints a markdown table: seconds, and the largest relative
// difference of a class's primal objective from the cold solution.
//
//   cv_folds [DATASET.csv] [--threads T] [--algorithm linear_svm|logistic_regression]
#include "bench_data.h"
#include "linear.h"
#include "vectorizer.h"

#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <vector>

namespace {

double now_s() {
    return std::chrono::duration<double>(std::chrono::steady_clock::now().time_since_epoch()).count();
}

// Per-class primal objectives (balanced class weights, bias 1), in double.
std::vector<double> objectives(const intent::LinearWeights &w, const intent::FeatureMatrix &X,
                               const std::vector<int> &y, const intent::LearnerOptions &o) {
    const size_t k = w.num_classes;
    std::vector<size_t> count(k, 0);
    for (int c : y)
        ++count[static_cast<size_t>(c)];
    size_t present = 0;
    for (size_t n : count)
        present += n > 0;
    std::vector<double> obj(k, 0.0);
    for (size_t c = 0; c < k; ++c)
        obj[c] = 0.5 * static_cast<double>(w.bias[c]) * w.bias[c];
    for (size_t f = 0; f < w.num_features; ++f)
        for (size_t c = 0; c < k; ++c)
            obj[c] += 0.5 * static_cast<double>(w.w[f * k + c]) * w.w[f * k + c];
    std::vector<double> s(k);
    for (size_t i = 0; i < X.rows(); ++i) {
        for (size_t c = 0; c < k; ++c)
            s[c] = w.bias[c];
        X.for_each_in_row(i, [&](uint32_t f, float v) {
            for (size_t c = 0; c < k; ++c)
                s[c] += static_cast<double>(w.w[f * k + c]) * v;
        });
        const size_t yc = static_cast<size_t>(y[i]);
        const double Ci = o.C * static_cast<double>(X.rows()) / (static_cast<double>(present) * count[yc]);
        for (size_t c = 0; c < k; ++c) {
            const double m = (yc == c ? 1.0 : -1.0) * s[c];
            if (o.algorithm == intent::Algorithm::LinearSVM) {
                const double h = std::max(0.0, 1.0 - m);
                obj[c] += Ci * h * h;
            } else {
                obj[c] += Ci * (m > 0 ? std::log1p(std::exp(-m)) : -m + std::log1p(std::exp(m)));
            }
        }
    }
    return obj;
}

double worst_gap(const std::vector<double> &cold, const std::vector<double> &warm) {
    double worst = 0;
    for (size_t c = 0; c < cold.size(); ++c)
        worst = std::max(worst, std::fabs(warm[c] - cold[c]) / cold[c]);
    return worst;
}

} // namespace

int main(int argc, char **argv) {
    std::string file = "clinc150_dev.csv";
    intent::LearnerOptions o;
    for (int i = 1; i < argc; ++i) {
        if (std::strcmp(argv[i], "--threads") == 0 && i + 1 < argc)
            o.threads = std::atoi(argv[++i]);
        else if (std::strcmp(argv[i], "--algorithm") == 0 && i + 1 < argc)
            o.algorithm = intent::parse_algorithm(argv[++i]);
        else
            file = argv[i];
    }
    const bench::Split train = bench::load_split(file, "train");
    const size_t k = train.labels.size();
    intent::FeatureMatrix X;
    intent::Vectorizer::fit_transform(train.texts, intent::FeatureOptions{}, X);
    constexpr size_t kFolds = 5;
    std::vector<std::vector<size_t>> fold_rows(kFolds);
    for (size_t i = 0; i < X.rows(); ++i)
        for (size_t f = 0; f < kFolds; ++f)
            if (i % kFolds != f) fold_rows[f].push_back(i);
    std::vector<intent::FeatureMatrix> Xf;
    std::vector<std::vector<int>> yf(kFolds);
    for (size_t f = 0; f < kFolds; ++f) {
        Xf.push_back(X.select_rows(fold_rows[f]));
        for (size_t i : fold_rows[f])
            yf[f].push_back(train.y[i]);
    }

    auto steps_of = [](const std::vector<intent::SolverStats> &stats) {
        size_t n = 0;
        for (const auto &st : stats)
            n += st.coordinate_steps;
        return static_cast<double>(n) / 1e6;
    };

    // Cold, one fold after the other.
    std::vector<intent::SolverStats> stats(kFolds);
    std::vector<intent::OneVsRestProblem> problems(kFolds);
    for (size_t f = 0; f < kFolds; ++f)
        problems[f] = intent::OneVsRestProblem{&Xf[f], &yf[f], k, nullptr, nullptr, nullptr, &stats[f]};
    double t0 = now_s();
    std::vector<intent::LinearWeights> cold;
    for (size_t f = 0; f < kFolds; ++f)
        cold.push_back(intent::train_one_vs_rest_many({problems[f]}, o, {}).front());
    const double seq_s = now_s() - t0;
    const double seq_steps = steps_of(stats);

    // Cold, all folds on one pool.
    t0 = now_s();
    const std::vector<intent::LinearWeights> pooled = intent::train_one_vs_rest_many(problems, o, {});
    const double pool_s = now_s() - t0;
    bool same = true;
    for (size_t f = 0; f < kFolds; ++f)
        same = same && pooled[f].w == cold[f].w && pooled[f].bias == cold[f].bias;

    // The full problem with its duals, then folds warm-started from them.
    intent::DualSolution dual;
    intent::SolverStats full_stats;
    t0 = now_s();
    const intent::LinearWeights full =
        intent::train_one_vs_rest_many(
            {intent::OneVsRestProblem{&X, &train.y, k, nullptr, nullptr, &dual, &full_stats}}, o, {})
            .front();
    const double full_s = now_s() - t0;
    std::vector<intent::DualSolution> warm_start(kFolds), fold_dual(kFolds);
    for (size_t f = 0; f < kFolds; ++f) {
        warm_start[f] = intent::dual_rows(dual, fold_rows[f]);
        problems[f].warm_start = &warm_start[f];
        problems[f].dual_out = &fold_dual[f];
    }
    t0 = now_s();
    const std::vector<intent::LinearWeights> warm = intent::train_one_vs_rest_many(problems, o, {});
    const double warm_s = now_s() - t0;
    const double warm_steps = steps_of(stats);
    double fold_gap = 0;
    for (size_t f = 0; f < kFolds; ++f)
        fold_gap = std::max(
            fold_gap, worst_gap(objectives(cold[f], Xf[f], yf[f], o), objectives(warm[f], Xf[f], yf[f], o)));

    // The final refit warm-started from the folds' duals, averaged per row
    // (as training does).
    std::vector<std::vector<uint32_t>> fold_rows32(kFolds);
    std::vector<const intent::DualSolution *> parts;
    std::vector<const std::vector<uint32_t> *> part_rows;
    for (size_t f = 0; f < kFolds; ++f) {
        fold_rows32[f].assign(fold_rows[f].begin(), fold_rows[f].end());
        parts.push_back(&fold_dual[f]);
        part_rows.push_back(&fold_rows32[f]);
    }
    const intent::DualSolution avg = intent::mean_duals(parts, part_rows, X.rows());
    intent::SolverStats refit_stats;
    t0 = now_s();
    const intent::LinearWeights refit =
        intent::train_one_vs_rest_many(
            {intent::OneVsRestProblem{&X, &train.y, k, nullptr, &avg, nullptr, &refit_stats}}, o, {})
            .front();
    const double refit_s = now_s() - t0;
    const double refit_gap = worst_gap(objectives(full, X, train.y, o), objectives(refit, X, train.y, o));

    // What "the same answer to solver tolerance" means here: the cold
    // solution with another visiting-order seed.
    intent::LearnerOptions reseeded = o;
    reseeded.seed = o.seed + 1;
    const intent::LinearWeights other = intent::train_one_vs_rest(X, train.y, k, {}, reseeded, {});
    const double seed_gap = worst_gap(objectives(full, X, train.y, o), objectives(other, X, train.y, o));

    std::printf("| %s, %s, %zu rows, %zu classes | seconds | coordinate steps (M) | worst class objective vs "
                "cold |\n",
                file.c_str(), intent::algorithm_name(o.algorithm), X.rows(), k);
    std::printf("|---|---|---|---|\n");
    std::printf("| 5 folds, one after the other, cold | %.3f | %.1f | (reference) |\n", seq_s, seq_steps);
    std::printf("| 5 folds on one pool (train_one_vs_rest_many), cold | %.3f | %.1f | %s |\n", pool_s,
                seq_steps, same ? "bit-identical" : "DIFFERENT");
    std::printf("| 5 folds warm-started from the full problem's duals | %.3f | %.1f | %.2e |\n", warm_s,
                warm_steps, fold_gap);
    std::printf("| full problem, cold (gives those duals) | %.3f | %.1f | (reference) |\n", full_s,
                static_cast<double>(full_stats.coordinate_steps) / 1e6);
    std::printf("| full problem warm-started from the folds' mean duals | %.3f | %.1f | %.2e |\n", refit_s,
                static_cast<double>(refit_stats.coordinate_steps) / 1e6, refit_gap);
    std::printf("| full problem, cold, another seed (the tolerance's own spread) | | | %.2e |\n", seed_gap);
    return 0;
}
