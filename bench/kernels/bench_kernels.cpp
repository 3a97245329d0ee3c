// Google Benchmark of the core's kernels against the code they replace and
// the alternatives they were measured against (results: bench/results/kernels.md).
// Each group runs its peers on the same data in the same process: compare
// ratios within one run. Data: CLINC150 (bench_data.h); the model is
// trained once at start-up on the train split, rows are the val split.
#include "bench_data.h"
#include "calibration.h"
#include "linear.h"
#include "scoring.h"
#include "vectorizer.h"

#include <benchmark/benchmark.h>
#if INTENT_BENCH_EIGEN
#include <Eigen/Dense>
#include <Eigen/Sparse>
#endif

#include <cmath>

namespace {

// CLINC150: vectoriser and weights from train, val rows as both matrix forms.
struct Clinc {
    bench::Split train, val;
    intent::Vectorizer vec;
    intent::LinearWeights weights;
    std::vector<int16_t> q;
    std::vector<float> scale, bias;
    size_t k = 0, stride = 0;
    intent::SparseMatrix val_sparse;
    intent::FeatureMatrix val_compact;

    static const Clinc &get() {
        static const Clinc c;
        return c;
    }

  private:
    Clinc() {
        train = bench::load_split("clinc150_dev.csv", "train");
        val = bench::load_split("clinc150_dev.csv", "val");
        intent::FeatureMatrix X;
        vec = intent::Vectorizer::fit_transform(train.texts, intent::FeatureOptions{}, X);
        k = train.labels.size();
        weights = intent::train_one_vs_rest(X, train.y, k, {}, intent::LearnerOptions{}, {});
        intent::quantize(weights, q, scale);
        stride = intent::padded(k);
        bias.assign(stride, 0.0f);
        std::copy(weights.bias.begin(), weights.bias.end(), bias.begin());
        val_sparse = vec.transform(val.texts);
        vec.transform(val.texts, val_compact);
    }
};

// ------------------------------------------------------------ transform_one

// One TF-IDF row per CLINC150 val text.
void BM_TransformOne(benchmark::State &state) {
    const Clinc &d = Clinc::get();
    intent::VectorizerScratch scratch;
    intent::SparseVector row;
    size_t i = 0;
    for (auto _ : state) {
        d.vec.transform_one(d.val.texts[i], row, scratch);
        benchmark::DoNotOptimize(row.index.data());
        if (++i == d.val.texts.size()) i = 0;
    }
    state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_TransformOne);

// A long message (bytes per second): the bounded-memory streaming path.
void BM_TransformOneLong(benchmark::State &state) {
    const Clinc &d = Clinc::get();
    std::string text;
    for (size_t i = 0; text.size() < static_cast<size_t>(state.range(0)); ++i)
        text += d.val.texts[i % d.val.texts.size()] + ". ";
    intent::VectorizerScratch scratch;
    intent::SparseVector row;
    for (auto _ : state) {
        d.vec.transform_one(text, row, scratch);
        benchmark::DoNotOptimize(row.index.data());
    }
    state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * text.size()));
}
BENCHMARK(BM_TransformOneLong)->Arg(1 << 20)->Unit(benchmark::kMillisecond);

// ------------------------------------------------------- scoring many rows
// All 3,000 val rows scored against the 150 classes; items = rows.

// Before: what training.cpp does per row (copy it into a SparseVector, score_row).
void BM_ScoreRowsCopyEachRow(benchmark::State &state) {
    const Clinc &d = Clinc::get();
    const intent::SparseMatrix &X = d.val_sparse;
    std::vector<float> out(X.rows() * d.k), buf(d.stride);
    intent::SparseVector row;
    for (auto _ : state) {
        for (size_t r = 0; r < X.rows(); ++r) {
            row.index.assign(X.col.begin() + static_cast<std::ptrdiff_t>(X.row_ptr[r]),
                             X.col.begin() + static_cast<std::ptrdiff_t>(X.row_ptr[r + 1]));
            row.value.assign(X.val.begin() + static_cast<std::ptrdiff_t>(X.row_ptr[r]),
                             X.val.begin() + static_cast<std::ptrdiff_t>(X.row_ptr[r + 1]));
            intent::score_row(row, d.q.data(), d.stride, d.scale.data(), d.bias.data(), d.k, buf.data());
            std::copy(buf.begin(), buf.begin() + static_cast<std::ptrdiff_t>(d.k),
                      out.begin() + static_cast<std::ptrdiff_t>(r * d.k));
        }
        benchmark::DoNotOptimize(out.data());
    }
    state.SetItemsProcessed(static_cast<int64_t>(state.iterations() * X.rows()));
}
BENCHMARK(BM_ScoreRowsCopyEachRow)->Unit(benchmark::kMillisecond);

// score_rows on the SparseMatrix and on the FeatureMatrix, in place.
void BM_ScoreRowsSparse(benchmark::State &state) {
    const Clinc &d = Clinc::get();
    std::vector<float> out(d.val_sparse.rows() * d.k);
    for (auto _ : state) {
        intent::score_rows(d.val_sparse, d.q.data(), d.stride, d.scale.data(), d.bias.data(), d.k,
                           out.data());
        benchmark::DoNotOptimize(out.data());
    }
    state.SetItemsProcessed(static_cast<int64_t>(state.iterations() * d.val_sparse.rows()));
}
BENCHMARK(BM_ScoreRowsSparse)->Unit(benchmark::kMillisecond);

void BM_ScoreRowsCompact(benchmark::State &state) {
    const Clinc &d = Clinc::get();
    std::vector<float> out(d.val_compact.rows() * d.k);
    for (auto _ : state) {
        intent::score_rows(d.val_compact, d.q.data(), d.stride, d.scale.data(), d.bias.data(), d.k,
                           out.data());
        benchmark::DoNotOptimize(out.data());
    }
    state.SetItemsProcessed(static_cast<int64_t>(state.iterations() * d.val_compact.rows()));
}
BENCHMARK(BM_ScoreRowsCompact)->Unit(benchmark::kMillisecond);

#if INTENT_BENCH_EIGEN
using RowMatrixF = Eigen::Matrix<float, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;
using EigenSparse = Eigen::SparseMatrix<float, Eigen::RowMajor, int>;

// Eigen: the rows as an Eigen sparse matrix times the dense dequantised
// weights (float, unscaled: the same products as the int16 kernel), then
// scale and bias. Conversion of the matrix and weights is not timed.
void BM_ScoreRowsEigen(benchmark::State &state) {
    const Clinc &d = Clinc::get();
    const intent::SparseMatrix &X = d.val_sparse;
    std::vector<int> outer(X.row_ptr.begin(), X.row_ptr.end()), inner(X.col.begin(), X.col.end());
    Eigen::Map<const EigenSparse> Xe(static_cast<int>(X.rows()), static_cast<int>(X.cols),
                                     static_cast<int>(X.nnz()), outer.data(), inner.data(), X.val.data());
    RowMatrixF W(X.cols, d.k);
    for (size_t f = 0; f < X.cols; ++f)
        for (size_t c = 0; c < d.k; ++c)
            W(static_cast<Eigen::Index>(f), static_cast<Eigen::Index>(c)) = d.q[f * d.stride + c];
    const Eigen::Map<const Eigen::RowVectorXf> scale(d.scale.data(), static_cast<Eigen::Index>(d.k));
    const Eigen::Map<const Eigen::RowVectorXf> bias(d.bias.data(), static_cast<Eigen::Index>(d.k));
    RowMatrixF S(X.rows(), d.k);
    for (auto _ : state) {
        S.noalias() = Xe * W;
        S = (S.array().rowwise() * scale.array()).rowwise() + bias.array();
        benchmark::DoNotOptimize(S.data());
    }
    // Not the same bits as score_row (another summation order): how far off.
    std::vector<float> exact(X.rows() * d.k);
    intent::score_rows(X, d.q.data(), d.stride, d.scale.data(), d.bias.data(), d.k, exact.data());
    double worst = 0;
    size_t differ = 0;
    for (size_t i = 0; i < exact.size(); ++i) {
        const double e = exact[i], g = S.data()[i];
        differ += e != g;
        worst = std::max(worst, std::fabs(g - e) / std::max(1e-6, std::fabs(e)));
    }
    state.counters["max_rel_diff"] = worst;
    state.counters["share_differing"] = static_cast<double>(differ) / static_cast<double>(exact.size());
    state.SetItemsProcessed(static_cast<int64_t>(state.iterations() * X.rows()));
}
BENCHMARK(BM_ScoreRowsEigen)->Unit(benchmark::kMillisecond);

#endif

// ------------------------------------------------------ scoring one row
// What predict_intent does per call: one TF-IDF row (already transformed)
// against the 150 classes. The val rows in turn; items = rows.

void BM_ScoreOneRow(benchmark::State &state) {
    const Clinc &d = Clinc::get();
    const intent::SparseMatrix &X = d.val_sparse;
    std::vector<intent::SparseVector> rows(X.rows());
    for (size_t r = 0; r < X.rows(); ++r) {
        rows[r].index.assign(X.col.begin() + static_cast<std::ptrdiff_t>(X.row_ptr[r]),
                             X.col.begin() + static_cast<std::ptrdiff_t>(X.row_ptr[r + 1]));
        rows[r].value.assign(X.val.begin() + static_cast<std::ptrdiff_t>(X.row_ptr[r]),
                             X.val.begin() + static_cast<std::ptrdiff_t>(X.row_ptr[r + 1]));
    }
    std::vector<float> out(d.stride);
    size_t i = 0;
    for (auto _ : state) {
        intent::score_row(rows[i], d.q.data(), d.stride, d.scale.data(), d.bias.data(), d.k, out.data());
        benchmark::DoNotOptimize(out.data());
        if (++i == rows.size()) i = 0;
    }
    state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_ScoreOneRow);

// The calibrated probabilities predict_intent computes after scoring: the
// temperature softmax over the 150 decision scores of each val row in turn.
void BM_ProbabilitiesOneRow(benchmark::State &state) {
    const Clinc &d = Clinc::get();
    const intent::SparseMatrix &X = d.val_sparse;
    std::vector<float> scores(X.rows() * d.k);
    intent::score_rows(X, d.q.data(), d.stride, d.scale.data(), d.bias.data(), d.k, scores.data());
    intent::ScoreCalibrator calibrator;
    calibrator.scale = 8.0f; // of the order the fit chooses on CLINC150
    std::vector<float> probs(d.k);
    size_t i = 0;
    for (auto _ : state) {
        calibrator.probabilities(scores.data() + i * d.k, d.k, d.k, probs.data());
        benchmark::DoNotOptimize(probs.data());
        if (++i == X.rows()) i = 0;
    }
    state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_ProbabilitiesOneRow);

#if INTENT_BENCH_EIGEN
// Eigen: one row as an Eigen sparse row vector times the dense float
// weights (as in BM_ScoreRowsEigen), then scale and bias.
void BM_ScoreOneRowEigen(benchmark::State &state) {
    const Clinc &d = Clinc::get();
    const intent::SparseMatrix &X = d.val_sparse;
    std::vector<Eigen::SparseVector<float, Eigen::RowMajor>> rows;
    for (size_t r = 0; r < X.rows(); ++r) {
        Eigen::SparseVector<float, Eigen::RowMajor> v(static_cast<Eigen::Index>(X.cols));
        for (size_t j = X.row_ptr[r]; j < X.row_ptr[r + 1]; ++j)
            v.insert(static_cast<Eigen::Index>(X.col[j])) = X.val[j];
        rows.push_back(std::move(v));
    }
    RowMatrixF W(X.cols, d.k);
    for (size_t f = 0; f < X.cols; ++f)
        for (size_t c = 0; c < d.k; ++c)
            W(static_cast<Eigen::Index>(f), static_cast<Eigen::Index>(c)) = d.q[f * d.stride + c];
    const Eigen::Map<const Eigen::RowVectorXf> scale(d.scale.data(), static_cast<Eigen::Index>(d.k));
    const Eigen::Map<const Eigen::RowVectorXf> bias(d.bias.data(), static_cast<Eigen::Index>(d.k));
    Eigen::RowVectorXf s(d.k);
    size_t i = 0;
    for (auto _ : state) {
        s.noalias() = rows[i] * W;
        s = s.cwiseProduct(scale) + bias;
        benchmark::DoNotOptimize(s.data());
        if (++i == rows.size()) i = 0;
    }
    state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_ScoreOneRowEigen);
#endif

// ----------------------------------------------------------- quantisation

void BM_QuantizeLoop(benchmark::State &state) {
    const Clinc &d = Clinc::get();
    std::vector<int16_t> q;
    std::vector<float> scale;
    for (auto _ : state) {
        intent::quantize(d.weights, q, scale);
        benchmark::DoNotOptimize(q.data());
    }
}
BENCHMARK(BM_QuantizeLoop)->Unit(benchmark::kMillisecond);

#if INTENT_BENCH_EIGEN
// The same quantisation as Eigen array expressions (same operations).
void BM_QuantizeEigen(benchmark::State &state) {
    const Clinc &d = Clinc::get();
    const size_t nf = d.weights.num_features, k = d.weights.num_classes, stride = intent::padded(k);
    std::vector<int16_t> q(nf * stride);
    Eigen::RowVectorXf scale(k);
    for (auto _ : state) {
        Eigen::Map<const RowMatrixF> W(d.weights.w.data(), static_cast<Eigen::Index>(nf),
                                       static_cast<Eigen::Index>(k));
        if (!W.allFinite()) state.SkipWithError("non-finite");
        const Eigen::RowVectorXf maxabs = W.cwiseAbs().colwise().maxCoeff();
        scale = maxabs / 32767.0f;
        const Eigen::RowVectorXd inv = (scale.array() > 0).select(1.0 / scale.cast<double>().array(), 0.0);
        Eigen::Map<Eigen::Matrix<int16_t, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>, 0,
                   Eigen::OuterStride<>>
            Q(q.data(), static_cast<Eigen::Index>(nf), static_cast<Eigen::Index>(k),
              Eigen::OuterStride<>(static_cast<Eigen::Index>(stride)));
        const auto r = (W.cast<double>().array().rowwise() * inv.array()).max(-32767.0).min(32767.0);
        Q = (r >= 0).select(r + 0.5, r - 0.5).cast<int16_t>();
        benchmark::DoNotOptimize(q.data());
    }
    // Same bits as quantize() (the padding lanes aside).
    for (size_t f = 0; f < nf; ++f)
        for (size_t c = 0; c < k; ++c)
            if (q[f * stride + c] != d.q[f * stride + c]) state.SkipWithError("differs from quantize()");
}
BENCHMARK(BM_QuantizeEigen)->Unit(benchmark::kMillisecond);

// The first pass of quantize (per-class largest |w|, finiteness): the loop
// of scoring.cpp and Eigen's column-wise reduction.
void BM_QuantizeMaxAbsLoop(benchmark::State &state) {
    const Clinc &d = Clinc::get();
    const size_t nf = d.weights.num_features, k = d.weights.num_classes;
    std::vector<float> maxabs(k);
    for (auto _ : state) {
        std::fill(maxabs.begin(), maxabs.end(), 0.0f);
        for (size_t f = 0; f < nf; ++f)
            for (size_t c = 0; c < k; ++c) {
                const float v = d.weights.w[f * k + c];
                if (!std::isfinite(v)) state.SkipWithError("non-finite");
                maxabs[c] = std::max(maxabs[c], std::fabs(v));
            }
        benchmark::DoNotOptimize(maxabs.data());
    }
}
BENCHMARK(BM_QuantizeMaxAbsLoop)->Unit(benchmark::kMillisecond);

void BM_QuantizeMaxAbsEigen(benchmark::State &state) {
    const Clinc &d = Clinc::get();
    const size_t nf = d.weights.num_features, k = d.weights.num_classes;
    for (auto _ : state) {
        Eigen::Map<const RowMatrixF> W(d.weights.w.data(), static_cast<Eigen::Index>(nf),
                                       static_cast<Eigen::Index>(k));
        if (!W.allFinite()) state.SkipWithError("non-finite");
        const Eigen::RowVectorXf maxabs = W.cwiseAbs().colwise().maxCoeff();
        benchmark::DoNotOptimize(maxabs.data());
    }
}
BENCHMARK(BM_QuantizeMaxAbsEigen)->Unit(benchmark::kMillisecond);
#endif

} // namespace

BENCHMARK_MAIN();
