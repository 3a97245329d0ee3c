// The training pipeline: prepare (dedup + split) -> features -> one-vs-rest
// learner -> calibration and threshold on val -> evaluation on test.
#include "training.h"

#include "errors.h"
#include "scoring.h"

#include <algorithm>
#include <chrono>
#include <cmath>

namespace intent {

namespace {

// TF-IDF rows of d.texts[idx[...]], polling the cancel callback every 256
// rows so a long feature pass still stops promptly (Vectorizer::transform
// has no callbacks).
SparseMatrix transform_rows(const Vectorizer &vec, const PreparedDataset &d, const std::vector<size_t> &idx,
                            const TrainCallbacks &callbacks) {
    SparseMatrix m;
    m.cols = vec.num_features();
    m.row_ptr.reserve(idx.size() + 1);
    VectorizerScratch scratch;
    SparseVector row;
    for (size_t i = 0; i < idx.size(); ++i) {
        if ((i & 255) == 255) callbacks.check_cancel();
        vec.transform_one(d.texts[idx[i]], row, scratch);
        m.append_row(row);
    }
    return m;
}

double seconds_since(std::chrono::steady_clock::time_point t0) {
    return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
}

} // namespace

TrainedModel train_model(const std::vector<LabeledText> &rows, const ModelOptions &options,
                         const TrainCallbacks &callbacks) {
    using clock = std::chrono::steady_clock;
    options.validate();
    TrainReport report;

    // --- prepare + features
    auto t0 = clock::now();
    callbacks.report("features", 0, 3);
    report.data = prepare_dataset(rows, options.features.text, options.split, &callbacks);
    PreparedDataset &d = report.data;
    const size_t k = d.labels.size();
    if (k < 2)
        throw Error(ErrorKind::InsufficientData, "not enough intents to train",
                    "Training needs at least 2 distinct intents but the data has " + std::to_string(k) + ".",
                    "Add labelled examples for more intents.");
    if (d.train.empty())
        throw Error(ErrorKind::InsufficientData, "no training rows",
                    "No usable training rows remain after cleaning.");
    callbacks.check_cancel();

    std::vector<std::string> train_texts;
    train_texts.reserve(d.train.size());
    for (size_t i : d.train)
        train_texts.push_back(d.texts[i]);
    // One pass over the training texts: counting the n-grams also records
    // each row's grams, so the texts are not normalised and hashed twice.
    SparseMatrix X;
    Vectorizer vec = Vectorizer::fit_transform(train_texts, options.features, X, &callbacks);
    callbacks.report("features", 1, 3);
    callbacks.check_cancel();
    train_texts = {}; // free the copies before the learner's peak
    callbacks.report("features", 2, 3);
    callbacks.check_cancel();
    const bool have_val = !d.val.empty();
    SparseMatrix Xval;
    if (have_val) Xval = transform_rows(vec, d, d.val, callbacks);
    callbacks.report("features", 3, 3);
    report.seconds_features = seconds_since(t0);

    // --- train
    t0 = clock::now();
    std::vector<int> y(d.train.size());
    std::vector<float> sw(d.train.size());
    for (size_t i = 0; i < d.train.size(); ++i) {
        y[i] = d.y[d.train[i]];
        sw[i] = d.weight[d.train[i]];
    }
    LinearWeights weights = train_one_vs_rest(X, y, k, sw, options.learner, callbacks);
    report.seconds_train = seconds_since(t0);

    // --- calibrate on val decision scores of the quantised weights (the
    // values the model will serve with), falling back to train scores.
    t0 = clock::now();
    callbacks.report("calibrate", 0, k);
    std::vector<int16_t> q;
    std::vector<float> scale;
    quantize(weights, q, scale);
    const size_t stride = padded(k);
    std::vector<float> bias(stride, 0.0f);
    std::copy(weights.bias.begin(), weights.bias.end(), bias.begin());
    const SparseMatrix &Xc = have_val ? Xval : X;
    std::vector<int> yc;
    if (have_val) {
        yc.reserve(d.val.size());
        for (size_t i : d.val)
            yc.push_back(d.y[i]);
    } else {
        yc = y;
    }
    const size_t nc = Xc.rows();
    std::vector<float> raw(nc * k); // row-major scores
    {
        SparseVector row;
        std::vector<float> buf(stride);
        for (size_t r = 0; r < nc; ++r) {
            row.index.assign(Xc.col.begin() + static_cast<std::ptrdiff_t>(Xc.row_ptr[r]),
                             Xc.col.begin() + static_cast<std::ptrdiff_t>(Xc.row_ptr[r + 1]));
            row.value.assign(Xc.val.begin() + static_cast<std::ptrdiff_t>(Xc.row_ptr[r]),
                             Xc.val.begin() + static_cast<std::ptrdiff_t>(Xc.row_ptr[r + 1]));
            score_row(row, q.data(), stride, scale.data(), bias.data(), k, buf.data());
            std::copy(buf.begin(), buf.begin() + static_cast<std::ptrdiff_t>(k),
                      raw.begin() + static_cast<std::ptrdiff_t>(r * k));
        }
    }
    std::vector<PlattParams> platt(k);
    {
        std::vector<float> s(nc);
        std::vector<bool> pos(nc);
        for (size_t c = 0; c < k; ++c) {
            for (size_t r = 0; r < nc; ++r) {
                s[r] = raw[r * k + c];
                pos[r] = yc[r] == static_cast<int>(c);
            }
            platt[c] = fit_platt(s, pos);
            if ((c & 15) == 15) {
                callbacks.report("calibrate", c + 1, k);
                callbacks.check_cancel();
            }
        }
    }
    // Threshold on the calibrated val predictions.
    if (have_val) {
        std::vector<float> probs(k), conf(nc);
        std::vector<int> pred(nc);
        std::vector<bool> correct(nc);
        for (size_t r = 0; r < nc; ++r) {
            calibrated_probabilities(platt, raw.data() + r * k, probs.data());
            size_t best = argmax(probs.data(), k);
            pred[r] = static_cast<int>(best);
            conf[r] = probs[best];
            correct[r] = pred[r] == yc[r];
        }
        report.threshold = choose_threshold(conf, correct, options.target_precision);
        report.validation = evaluate(yc, pred, conf, k);
        if (report.validation.misclassified.size() > options.max_misclassified)
            report.validation.misclassified.resize(options.max_misclassified);
    } else {
        report.threshold = ThresholdChoice{};
    }
    callbacks.report("calibrate", k, k);
    report.seconds_calibrate = seconds_since(t0);

    IntentModel model = IntentModel::assemble(options, std::move(vec), d.labels, weights, std::move(platt),
                                              report.threshold.threshold);

    // --- evaluate on test through the serving path
    t0 = clock::now();
    const size_t nt = d.test.size();
    callbacks.report("evaluate", 0, nt);
    std::vector<int> yt(nt), pt(nt);
    std::vector<float> ct(nt), probs_t;
    probs_t.reserve(nt * k);
    PredictScratch scratch;
    size_t accepted = 0, accepted_correct = 0;
    for (size_t i = 0; i < nt; ++i) {
        yt[i] = d.y[d.test[i]];
        model.probabilities(d.texts[d.test[i]], scratch);
        size_t best = argmax(scratch.probs.data(), k);
        pt[i] = static_cast<int>(best);
        ct[i] = scratch.probs[best];
        probs_t.insert(probs_t.end(), scratch.probs.begin(),
                       scratch.probs.begin() + static_cast<std::ptrdiff_t>(k));
        if (ct[i] >= model.threshold()) {
            ++accepted;
            accepted_correct += pt[i] == yt[i];
        }
        if ((i & 255) == 255) {
            callbacks.report("evaluate", i + 1, nt);
            callbacks.check_cancel();
        }
    }
    report.test = evaluate(yt, pt, ct, k);
    if (report.test.misclassified.size() > options.max_misclassified)
        report.test.misclassified.resize(options.max_misclassified);
    report.test_calibration = calibration_report(probs_t, k, yt);
    report.test_coverage = nt ? static_cast<double>(accepted) / static_cast<double>(nt) : 0.0;
    report.test_accepted_accuracy =
        accepted ? static_cast<double>(accepted_correct) / static_cast<double>(accepted) : 0.0;
    callbacks.report("evaluate", nt, nt);
    report.seconds_evaluate = seconds_since(t0);

    return TrainedModel{std::move(model), std::move(report)};
}

} // namespace intent
