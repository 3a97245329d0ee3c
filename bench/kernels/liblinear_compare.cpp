// pg_intent's one-vs-rest solvers against LIBLINEAR 2.3 (Debian's
// liblinear-dev, the library under scikit-learn's LinearSVC) on the same
// TF-IDF matrices from our vectoriser: primal objective reached, time,
// threads, cancellation, determinism, and the memory the problem takes.
// Only this program links LIBLINEAR; the core and the extension never do.
//
//   liblinear_compare [DATASET.csv ...]      (default: clinc150_dev.csv hwu64.csv)
//
// Both solve, per class c, min_w 1/2 |w|^2 + C sum_i loss(y_ic w.x_i) with
// the bias as a regularised constant feature of value 1, C = 1, no class
// weights (LIBLINEAR weights only the positive class of each one-vs-rest
// problem, so "balanced" means different problems in the two), stopping
// tolerance 0.1 and at most 1000 passes. L2-loss SVM: LIBLINEAR -s 1 vs
// linear_svm; logistic regression: -s 7 (dual) vs logistic_regression.
#include "bench_data.h"
#include "errors.h"
#include "linear.h"
#include "vectorizer.h"

// LIBLINEAR's header is also called linear.h: CMake passes its full path.
#include LIBLINEAR_HEADER

#include <atomic>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <thread>
#include <vector>

namespace {

double now_s() {
    return std::chrono::duration<double>(std::chrono::steady_clock::now().time_since_epoch()).count();
}

struct Data {
    std::string name;
    bench::Split train, eval;
    intent::FeatureMatrix X, Xeval;
};

// Sum over classes of the primal objective, in double, for weights given
// feature-major (w(f, c) at w[f * k + c], bias weight separately).
template <class W>
double primal_objective(const intent::FeatureMatrix &X, const std::vector<int> &y, size_t k, const W &weight,
                        const std::vector<double> &bias, double C, bool svm) {
    double obj = 0;
    for (size_t c = 0; c < k; ++c)
        obj += 0.5 * bias[c] * bias[c];
    for (size_t f = 0; f < X.cols(); ++f)
        for (size_t c = 0; c < k; ++c)
            obj += 0.5 * weight(f, c) * weight(f, c);
    std::vector<double> s(k);
    for (size_t i = 0; i < X.rows(); ++i) {
        for (size_t c = 0; c < k; ++c)
            s[c] = bias[c];
        X.for_each_in_row(i, [&](uint32_t f, float v) {
            for (size_t c = 0; c < k; ++c)
                s[c] += weight(f, c) * v;
        });
        for (size_t c = 0; c < k; ++c) {
            const double m = (static_cast<size_t>(y[i]) == c ? 1.0 : -1.0) * s[c];
            if (svm) {
                const double h = std::max(0.0, 1.0 - m);
                obj += C * h * h;
            } else {
                obj += C * (m > 0 ? std::log1p(std::exp(-m)) : -m + std::log1p(std::exp(m)));
            }
        }
    }
    return obj;
}

// Accuracy of argmax over classes on the evaluation rows.
template <class W>
double accuracy(const intent::FeatureMatrix &X, const std::vector<int> &y, size_t k, const W &weight,
                const std::vector<double> &bias) {
    size_t right = 0;
    std::vector<double> s(k);
    for (size_t i = 0; i < X.rows(); ++i) {
        for (size_t c = 0; c < k; ++c)
            s[c] = bias[c];
        X.for_each_in_row(i, [&](uint32_t f, float v) {
            for (size_t c = 0; c < k; ++c)
                s[c] += weight(f, c) * v;
        });
        right += static_cast<int>(std::max_element(s.begin(), s.end()) - s.begin()) == y[i];
    }
    return static_cast<double>(right) / static_cast<double>(X.rows());
}

// LIBLINEAR's problem: one feature_node array per row (index from 1, value
// as double, then the bias node and a terminator), as its API requires.
struct LiblinearProblem {
    std::vector<feature_node> nodes;
    std::vector<feature_node *> rows;
    std::vector<double> labels;
    problem prob{};

    LiblinearProblem(const intent::FeatureMatrix &X, const std::vector<int> &y) {
        nodes.reserve(X.nnz() + 2 * X.rows());
        std::vector<size_t> start;
        for (size_t i = 0; i < X.rows(); ++i) {
            start.push_back(nodes.size());
            X.for_each_in_row(i, [&](uint32_t f, float v) {
                nodes.push_back(feature_node{static_cast<int>(f) + 1, v});
            });
            nodes.push_back(feature_node{static_cast<int>(X.cols()) + 1, 1.0}); // bias
            nodes.push_back(feature_node{-1, 0});
        }
        for (size_t s : start)
            rows.push_back(&nodes[s]);
        labels.assign(y.begin(), y.end());
        prob.l = static_cast<int>(X.rows());
        prob.n = static_cast<int>(X.cols()) + 1;
        prob.y = labels.data();
        prob.x = rows.data();
        prob.bias = 1.0;
    }
    size_t bytes() const {
        return nodes.size() * sizeof(feature_node) + rows.size() * sizeof(feature_node *) +
               labels.size() * sizeof(double);
    }
};

struct Result {
    double seconds = 0, objective = 0, accuracy = 0;
};

Result run_liblinear(const Data &d, bool svm, model **out_model = nullptr) {
    LiblinearProblem p(d.X, d.train.y);
    parameter param{};
    param.solver_type = svm ? L2R_L2LOSS_SVC_DUAL : L2R_LR_DUAL;
    param.eps = 0.1;
    param.C = 1.0;
    const double t0 = now_s();
    model *m = train(&p.prob, &param);
    Result r;
    r.seconds = now_s() - t0;
    const size_t k = d.train.labels.size();
    // LIBLINEAR numbers classes in order of first appearance: map back.
    std::vector<size_t> column(k);
    for (int j = 0; j < m->nr_class; ++j)
        column[static_cast<size_t>(m->label[j])] = static_cast<size_t>(j);
    const size_t nr = static_cast<size_t>(m->nr_class);
    auto weight = [&](size_t f, size_t c) { return m->w[f * nr + column[c]]; };
    std::vector<double> bias(k);
    for (size_t c = 0; c < k; ++c)
        bias[c] = m->w[d.X.cols() * nr + column[c]];
    r.objective = primal_objective(d.X, d.train.y, k, weight, bias, 1.0, svm);
    r.accuracy = accuracy(d.Xeval, d.eval.y, k, weight, bias);
    if (out_model)
        *out_model = m;
    else
        free_and_destroy_model(&m);
    return r;
}

Result run_ours(const Data &d, bool svm, int threads, intent::LinearWeights *out = nullptr) {
    intent::LearnerOptions o;
    o.algorithm = svm ? intent::Algorithm::LinearSVM : intent::Algorithm::LogisticRegression;
    o.balanced_class_weight = false;
    o.threads = threads;
    const size_t k = d.train.labels.size();
    const double t0 = now_s();
    intent::LinearWeights w = intent::train_one_vs_rest(d.X, d.train.y, k, {}, o, {});
    Result r;
    r.seconds = now_s() - t0;
    auto weight = [&](size_t f, size_t c) { return static_cast<double>(w.w[f * k + c]); };
    std::vector<double> bias(w.bias.begin(), w.bias.end());
    r.objective = primal_objective(d.X, d.train.y, k, weight, bias, 1.0, svm);
    r.accuracy = accuracy(d.Xeval, d.eval.y, k, weight, bias);
    if (out) *out = std::move(w);
    return r;
}

// How long our solver takes to stop once cancelled `after` seconds in.
double our_cancel_latency(const Data &d, double after) {
    intent::LearnerOptions o;
    o.balanced_class_weight = false;
    intent::TrainCallbacks cb;
    std::atomic<double> asked{0};
    const double t0 = now_s();
    cb.cancelled = [&] {
        if (now_s() - t0 < after) return false;
        if (asked.load() == 0) asked = now_s();
        return true;
    };
    try {
        intent::train_one_vs_rest(d.X, d.train.y, d.train.labels.size(), {}, o, cb);
    } catch (const intent::Error &) {
    }
    return asked.load() > 0 ? now_s() - asked.load() : -1;
}

void quiet(const char *) {}

} // namespace

int main(int argc, char **argv) {
    set_print_string_function(quiet);
    std::vector<std::string> files;
    for (int i = 1; i < argc; ++i)
        files.emplace_back(argv[i]);
    if (files.empty()) files = {"clinc150_dev.csv", "hwu64.csv"};

    std::printf(
        "| dataset | learner | solver | threads | primal objective | vs best | seconds | accuracy |\n");
    std::printf("|---|---|---|---|---|---|---|---|\n");
    std::vector<std::string> notes;
    for (const std::string &file : files) {
        Data d;
        d.name = file.substr(0, file.find('.'));
        d.train = bench::load_split(file, "train");
        d.eval = bench::load_split(file, file.rfind("clinc", 0) == 0 ? "val" : "test");
        intent::Vectorizer vec =
            intent::Vectorizer::fit_transform(d.train.texts, intent::FeatureOptions{}, d.X);
        vec.transform(d.eval.texts, d.Xeval);
        const LiblinearProblem lp(d.X, d.train.y);
        notes.push_back(d.name + ": " + std::to_string(d.X.rows()) + " rows, " + std::to_string(d.X.cols()) +
                        " features, " + std::to_string(d.X.nnz()) + " values; problem memory: ours " +
                        std::to_string(d.X.memory_bytes() >> 10) + " KiB (FeatureMatrix), LIBLINEAR " +
                        std::to_string(lp.bytes() >> 10) + " KiB (feature_node arrays)");

        double svm_seconds = 0;
        for (bool svm : {true, false}) {
            const char *learner = svm ? "L2-loss SVM" : "logistic regression";
            const Result lib = run_liblinear(d, svm);
            const Result one = run_ours(d, svm, 1);
            const Result two = run_ours(d, svm, 2);
            if (svm) svm_seconds = one.seconds;
            const double best = std::min({lib.objective, one.objective, two.objective});
            auto row = [&](const char *solver, int threads, const Result &r) {
                std::printf("| %s | %s | %s | %d | %.4f | %+.4f%% | %.3f | %.4f |\n", d.name.c_str(), learner,
                            solver, threads, r.objective, 100.0 * (r.objective - best) / best, r.seconds,
                            r.accuracy);
            };
            row(svm ? "LIBLINEAR -s 1" : "LIBLINEAR -s 7", 1, lib);
            row("pg_intent", 1, one);
            row("pg_intent", 2, two);
        }

        // Determinism: two trainings in one process.
        model *m1 = nullptr, *m2 = nullptr;
        run_liblinear(d, true, &m1);
        run_liblinear(d, true, &m2);
        const size_t wn = (d.X.cols() + 1) * static_cast<size_t>(m1->nr_class);
        const bool lib_same = std::memcmp(m1->w, m2->w, wn * sizeof(double)) == 0;
        free_and_destroy_model(&m1);
        free_and_destroy_model(&m2);
        intent::LinearWeights a, b, c;
        run_ours(d, true, 1, &a);
        run_ours(d, true, 1, &b);
        run_ours(d, true, 2, &c);
        notes.push_back(d.name + ": LIBLINEAR trained twice in one process gives " +
                        (lib_same ? "identical" : "different") +
                        " weights; pg_intent twice and with 1 vs 2 threads gives " +
                        (a.w == b.w && a.w == c.w ? "identical" : "different") + " weights");
        const double latency = our_cancel_latency(d, 0.2);
        char buf[200];
        std::snprintf(
            buf, sizeof buf,
            "%s: pg_intent cancelled 0.2 s into training stopped %.1f ms after the request; LIBLINEAR's "
            "train() has no cancel hook and runs to the end",
            d.name.c_str(), latency * 1000);
        notes.emplace_back(buf);
    }
    std::printf("\n");
    for (const std::string &n : notes)
        std::printf("- %s\n", n.c_str());
    return 0;
}
