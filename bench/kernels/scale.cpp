// Training kernels at scale: CLINC150 train texts repeated with a distinct
// suffix per row ("<text> ref <i>"), N rows. Runs the vectoriser
// (fit_transform) and the one-vs-rest solver as the training pipeline does,
// and prints time per phase, matrix size and peak RSS as one JSON line.
//
//   scale ROWS [--sparse | --pipeline | --pipeline-compact] [--threads T] [--budget MB] [--features-only]
//              [--sql-rows]
//
// By default the kernels run on a FeatureMatrix (the compact form);
// --sparse uses SparseMatrix as training.cpp does today; --pipeline runs the
// whole train_model() (dedup, split, features, solver, calibration,
// evaluation: the CLI's path) for end-to-end RSS; --pipeline-compact runs
// the same steps as train_model up to scoring the validation rows, but on
// FeatureMatrix (what training.cpp would do with this branch's APIs):
// prepare_dataset, fit_transform, transform of val, the solver, quantize,
// score_rows. --budget sets a MemoryBudget (reported: its peak).
// --sql-rows builds the rows as bench/scale.sh does in the table: copy k of
// the split carries the suffix " ref<k>" (the first none), sorted by text
// then label as _pg_intent_train_table() feeds the core; without it every
// row gets its own number (" ref <i>"), a larger vocabulary to count.
#include "bench_data.h"
#include "dataset.h"
#include "linear.h"
#include "scoring.h"
#include "training.h"
#include "vectorizer.h"

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <sys/resource.h>
#include <vector>

namespace {

double now_s() {
    return std::chrono::duration<double>(std::chrono::steady_clock::now().time_since_epoch()).count();
}

double peak_rss_mb() {
    rusage u{};
    getrusage(RUSAGE_SELF, &u);
    return static_cast<double>(u.ru_maxrss) / 1024.0;
}

} // namespace

int main(int argc, char **argv) {
    if (argc < 2) {
        std::fprintf(stderr, "usage: %s ROWS [--pipeline] [--sql-rows] [--threads T]\n", argv[0]);
        return 2;
    }
    const size_t rows = std::strtoull(argv[1], nullptr, 10);
    bool pipeline = false, sparse = false, features_only = false, compact_pipeline = false, sql_rows = false;
    int threads = 0;
    size_t budget_mb = 0;
    for (int i = 2; i < argc; ++i) {
        if (std::strcmp(argv[i], "--pipeline") == 0) pipeline = true;
        if (std::strcmp(argv[i], "--pipeline-compact") == 0) pipeline = compact_pipeline = true;
        if (std::strcmp(argv[i], "--sparse") == 0) sparse = true;
        if (std::strcmp(argv[i], "--sql-rows") == 0) sql_rows = true;
        if (std::strcmp(argv[i], "--features-only") == 0) features_only = true;
        if (std::strcmp(argv[i], "--threads") == 0 && i + 1 < argc) threads = std::atoi(argv[++i]);
        if (std::strcmp(argv[i], "--budget") == 0 && i + 1 < argc)
            budget_mb = std::strtoull(argv[++i], nullptr, 10);
    }
    intent::MemoryBudget budget(budget_mb << 20);
    intent::TrainCallbacks callbacks;
    callbacks.memory = &budget;
    const bench::Split base = bench::load_split("clinc150_dev.csv", "train");
    std::vector<std::string> texts(rows);
    std::vector<int> y(rows);
    for (size_t i = 0; i < rows; ++i) {
        const size_t j = i % base.texts.size();
        texts[i] = base.texts[j] + " ref " + std::to_string(i);
        y[i] = base.y[j];
    }
    if (sql_rows) {
        std::vector<std::pair<std::string, int>> r(rows);
        for (size_t i = 0; i < rows; ++i) {
            const size_t j = i % base.texts.size(), k = i / base.texts.size();
            r[i].first = k == 0 ? base.texts[j] : base.texts[j] + " ref" + std::to_string(k);
            r[i].second = base.y[j];
        }
        std::sort(r.begin(), r.end(), [&](const auto &a, const auto &b) {
            if (int c = a.first.compare(b.first)) return c < 0;
            return base.labels[static_cast<size_t>(a.second)] < base.labels[static_cast<size_t>(b.second)];
        });
        for (size_t i = 0; i < rows; ++i) {
            texts[i] = std::move(r[i].first);
            y[i] = r[i].second;
        }
    }
    const double rss_input = peak_rss_mb();
    std::printf("{\"rows\": %zu, \"rss_after_input_mb\": %.1f", rows, rss_input);

    if (pipeline) {
        std::vector<intent::LabeledText> labeled(rows);
        for (size_t i = 0; i < rows; ++i) {
            labeled[i].text = std::move(texts[i]);
            labeled[i].label = base.labels[static_cast<size_t>(y[i])];
        }
        std::vector<std::string>().swap(texts);
        intent::ModelOptions options;
        options.learner.threads = threads;
        const double t0 = now_s();
        if (!compact_pipeline) {
            intent::TrainedModel m = intent::train_model(labeled, options, callbacks);
            const double t1 = now_s();
            std::printf(", \"pipeline_s\": %.2f, \"features_s\": %.2f, \"evaluate_s\": %.2f, "
                        "\"refit_s\": %.2f, \"oof_accuracy\": %.4f",
                        t1 - t0, m.report.seconds_features, m.report.seconds_evaluate, m.report.seconds_refit,
                        m.report.oof.accuracy);
        } else {
            const intent::PreparedDataset d = intent::prepare_dataset(
                labeled, options.features.text, options.out_of_scope_intent, &callbacks);
            // Every fifth entry is held out: the kernels alone, without the
            // pipeline's cross-validation.
            std::vector<std::string> train_texts, val_texts;
            std::vector<int> y_train;
            std::vector<size_t> val;
            for (size_t i = 0; i < d.texts.size(); ++i) {
                if (i % 5 == 4) {
                    val.push_back(i);
                    val_texts.push_back(d.texts[i]);
                } else {
                    train_texts.push_back(d.texts[i]);
                    y_train.push_back(d.y[i]);
                }
            }
            intent::FeatureMatrix X, Xval;
            intent::Vectorizer vec =
                intent::Vectorizer::fit_transform(train_texts, options.features, X, &callbacks);
            std::vector<std::string>().swap(train_texts);
            vec.transform(val_texts, Xval, &callbacks);
            const double t1 = now_s();
            const intent::LinearWeights w =
                intent::train_one_vs_rest(X, y_train, d.labels.size(), {}, options.learner, callbacks);
            const double t2 = now_s();
            std::vector<int16_t> q;
            std::vector<float> scale;
            intent::quantize(w, q, scale);
            const size_t k = d.labels.size(), stride = intent::padded(k);
            std::vector<float> bias(stride, 0.0f), scores(Xval.rows() * k);
            std::copy(w.bias.begin(), w.bias.end(), bias.begin());
            intent::score_rows(Xval, q.data(), stride, scale.data(), bias.data(), k, scores.data());
            size_t right = 0;
            for (size_t r = 0; r < Xval.rows(); ++r)
                right += static_cast<int>(intent::argmax(scores.data() + r * k, k)) == d.y[val[r]];
            std::printf(", \"pipeline_compact_s\": %.2f, \"features_s\": %.2f, \"train_s\": %.2f, "
                        "\"train_rows\": %zu, \"val_accuracy\": %.4f",
                        now_s() - t0, t1 - t0, t2 - t1, X.rows(),
                        static_cast<double>(right) / static_cast<double>(Xval.rows()));
        }
    } else {
        intent::LearnerOptions learner;
        learner.threads = threads;
        const double t0 = now_s();
        double t1 = 0, t2 = 0;
        size_t nnz = 0, cols = 0;
        if (sparse) {
            intent::SparseMatrix X;
            intent::Vectorizer vec =
                intent::Vectorizer::fit_transform(texts, intent::FeatureOptions{}, X, &callbacks);
            t1 = now_s();
            intent::LinearWeights w =
                intent::train_one_vs_rest(X, y, base.labels.size(), {}, learner, callbacks);
            t2 = now_s();
            nnz = X.nnz();
            cols = X.cols;
        } else {
            intent::FeatureMatrix X;
            intent::Vectorizer vec =
                intent::Vectorizer::fit_transform(texts, intent::FeatureOptions{}, X, &callbacks);
            t1 = now_s();
            intent::SolverStats stats;
            if (!features_only)
                intent::train_one_vs_rest_many(
                    {intent::OneVsRestProblem{&X, &y, base.labels.size(), nullptr, nullptr, nullptr, &stats}},
                    learner, callbacks);
            t2 = now_s();
            nnz = X.nnz();
            cols = X.cols();
            std::printf(", \"coordinate_steps_per_row\": %.1f, \"max_passes\": %d",
                        static_cast<double>(stats.coordinate_steps) / static_cast<double>(rows),
                        stats.max_passes);
            std::printf(", \"prunings\": %zu, \"distinct_ngrams\": %zu", vec.fit_stats().prunings,
                        vec.fit_stats().distinct_ngrams);
        }
        std::printf(
            ", \"matrix\": \"%s\", \"features_s\": %.2f, \"train_s\": %.2f, \"features_us_per_row\": %.2f, "
            "\"train_us_per_row\": %.2f, \"nnz\": %zu, \"cols\": %zu",
            sparse ? "SparseMatrix" : "FeatureMatrix", t1 - t0, t2 - t1,
            (t1 - t0) * 1e6 / static_cast<double>(rows), (t2 - t1) * 1e6 / static_cast<double>(rows), nnz,
            cols);
    }
    std::printf(", \"budget_peak_mb\": %.1f", static_cast<double>(budget.peak()) / (1 << 20));
    std::printf(", \"peak_rss_mb\": %.1f}\n", peak_rss_mb());
    return 0;
}
