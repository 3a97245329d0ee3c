// Scoring a model on labelled texts, and the JSON of an evaluation.
#include "evaluation.h"

#include "errors.h"
#include "json.h"
#include "scoring.h"

#include <unordered_map>

namespace intent {

namespace {

// Up to this many intents the confusion matrix is written out in full (as
// 0.1.0 did, and as the reports draw it): 300 intents are 90,000 numbers.
// Beyond, only its non-zero cells, [truth, predicted, count] by index into
// labels: a full matrix grows with the square of the intents whatever the
// rows evaluated (20,000 intents: 400 million numbers).
constexpr size_t kDenseConfusionMaxLabels = 300;

Json confusion_json(const std::vector<ConfusionCell> &cells, const std::vector<std::string> &labels) {
    Json out = {{"labels", labels}};
    if (labels.size() <= kDenseConfusionMaxLabels) {
        std::vector<std::vector<size_t>> matrix(labels.size(), std::vector<size_t>(labels.size(), 0));
        for (const auto &c : cells)
            if (c.truth < labels.size() && c.predicted < labels.size())
                matrix[c.truth][c.predicted] = c.count;
        out["matrix"] = std::move(matrix);
    } else {
        Json list = Json::array();
        for (const auto &c : cells)
            list.push_back(Json::array({c.truth, c.predicted, c.count}));
        out["cells"] = std::move(list);
    }
    return out;
}

} // namespace

Json metrics_json(const EvalReport &r, const std::vector<std::string> &labels,
                  const std::vector<size_t> &row_ids, const CalibrationReport *calibration) {
    auto label_or_null = [&](int i) -> Json {
        if (i >= 0 && static_cast<size_t>(i) < labels.size()) return labels[static_cast<size_t>(i)];
        return nullptr;
    };
    Json w = Json::object();
    w["rows"] = r.rows;
    w["accuracy"] = r.accuracy;
    w["precision"] = r.macro_precision;
    w["recall"] = r.macro_recall;
    w["f1"] = r.macro_f1;
    w["macro_precision"] = r.macro_precision;
    w["macro_recall"] = r.macro_recall;
    w["macro_f1"] = r.macro_f1;
    Json per_intent = Json::object();
    for (size_t c = 0; c < r.per_class.size() && c < labels.size(); ++c) {
        const auto &m = r.per_class[c];
        per_intent[labels[c]] = {
            {"precision", m.precision}, {"recall", m.recall}, {"f1", m.f1}, {"support", m.support}};
    }
    w["per_intent"] = std::move(per_intent);
    w["confusion"] = confusion_json(r.confusion, labels);
    Json misclassified = Json::array();
    for (const auto &m : r.misclassified) {
        Json row = Json::object();
        row["row"] = row_ids.empty() ? m.row : (m.row < row_ids.size() ? row_ids[m.row] : m.row);
        row["expected"] = label_or_null(m.truth);
        row["predicted"] = label_or_null(m.predicted);
        row["confidence"] = static_cast<double>(m.confidence);
        misclassified.push_back(std::move(row));
    }
    w["misclassified"] = std::move(misclassified);
    w["unknown_truth"] = r.unknown_truth;
    if (calibration)
        w["calibration"] = {{"ece", calibration->ece},
                            {"brier", calibration->brier},
                            {"brier_multiclass", calibration->brier_multiclass},
                            {"bins", calibration->bins}};
    return w;
}

std::string eval_report_json(const EvalReport &report, const std::vector<std::string> &labels,
                             const std::vector<size_t> &row_ids, const CalibrationReport *calibration) {
    return dump_json(metrics_json(report, labels, row_ids, calibration));
}

EvalReport evaluate_model(const IntentModel &model, const std::vector<std::string> &texts,
                          const std::vector<std::string> &truth, CalibrationReport *calibration) {
    if (texts.size() != truth.size())
        throw Error(ErrorKind::InvalidArgument, "texts and labels differ in length",
                    "Every evaluated text needs exactly one expected label.");
    const auto &labels = model.labels();
    const size_t k = labels.size();
    std::unordered_map<std::string, int> index;
    for (size_t c = 0; c < k; ++c)
        index.emplace(labels[c], static_cast<int>(c));
    std::vector<int> y(texts.size()), pred(texts.size());
    std::vector<float> conf(texts.size());
    std::vector<float> all_probs;
    if (calibration) all_probs.reserve(texts.size() * k);
    PredictScratch scratch;
    for (size_t i = 0; i < texts.size(); ++i) {
        auto it = index.find(truth[i]);
        y[i] = it == index.end() ? -1 : it->second;
        model.probabilities(texts[i], scratch);
        const int best = model.served_label(scratch.scores.data(), scratch.probs.data());
        pred[i] = best;
        conf[i] = scratch.probs[static_cast<size_t>(best)];
        if (calibration)
            all_probs.insert(all_probs.end(), scratch.probs.begin(),
                             scratch.probs.begin() + static_cast<std::ptrdiff_t>(k));
    }
    EvalReport r = evaluate(y, pred, conf, k);
    if (r.misclassified.size() > model.options().max_misclassified)
        r.misclassified.resize(model.options().max_misclassified);
    if (calibration) *calibration = calibration_report(all_probs, k, y, 15, &pred);
    return r;
}

} // namespace intent
